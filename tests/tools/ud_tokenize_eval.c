/*
 * ud_tokenize_eval - feeds a UD treebank's raw text to crible's tokenizer
 * and writes what it found as CoNLL-U, for ud_score.py to compare with the
 * gold file.
 *
 *   ud_tokenize_eval [-n N] [-a] FILE.txt > system.conllu
 *
 * FILE.txt is the treebank's text, one sentence a line (DATA.md).  The
 * tokenizer never sees those line breaks: the sentences are joined by one
 * space into paragraphs of N sentences (default 0: the whole file is one
 * paragraph, the hardest setting), each paragraph tokenized as one text.
 * Output: one CoNLL-U sentence per sentence found, `# text` and rows
 * "ID FORM _ _ _ _ _ _ _ MISC" (MISC: SpaceAfter=No, crible's type).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokenizer.h"

typedef struct out_ctx {
    const char *text;
    size_t nsent;
} out_ctx;

static crible_status print_sentence(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    (void)err;
    out_ctx *o = ctx;
    printf("# sent_id = %zu\n# text = %.*s\n", ++o->nsent, (int)(s->end - s->start),
           o->text + s->start);
    for (size_t k = 0; k < s->ntokens; k++) {
        const crible_token *t = &s->tokens[k];
        bool glued = k + 1 < s->ntokens && s->tokens[k + 1].start == t->end;
        printf("%zu\t%.*s\t_\t_\t_\t_\t_\t_\t_\t%sType=%s\n", k + 1, (int)(t->end - t->start),
               o->text + t->start, glued ? "SpaceAfter=No|" : "", crible_token_type_name(t->type));
    }
    putchar('\n');
    return CRIBLE_OK;
}

static int run(crible_tokenizer *tz, const char *text, size_t len, out_ctx *o)
{
    crible_error err = {0};
    o->text = text;
    if (crible_tokenizer_run(tz, text, len, print_sentence, o, &err) != CRIBLE_OK) {
        fprintf(stderr, "ud_tokenize_eval: %s\n", err.message);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long per = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt == 'n')
            per = strtol(optarg, NULL, 10);
        else
            return fprintf(stderr, "usage: ud_tokenize_eval [-n N] FILE.txt\n"), 2;
    }
    if (optind != argc - 1)
        return fprintf(stderr, "usage: ud_tokenize_eval [-n N] FILE.txt\n"), 2;
    FILE *f = fopen(argv[optind], "r");
    if (!f)
        return perror(argv[optind]), 1;
    crible_tokenizer *tz;
    crible_error err = {0};
    if (crible_tokenizer_create(NULL, &tz, &err) != CRIBLE_OK)
        return fprintf(stderr, "ud_tokenize_eval: %s\n", err.message), 1;
    char *para = NULL, *line = NULL;
    size_t plen = 0, pcap = 0, lcap = 0;
    long nlines = 0;
    ssize_t n;
    out_ctx o = {0};
    int rc = 0;
    while ((n = getline(&line, &lcap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        if (plen + (size_t)n + 2 > pcap) {
            pcap = (plen + (size_t)n + 2) * 2;
            para = realloc(para, pcap);
            if (!para)
                return 1;
        }
        if (plen)
            para[plen++] = ' ';
        memcpy(para + plen, line, (size_t)n);
        plen += (size_t)n;
        if (per > 0 && ++nlines % per == 0) {
            rc |= run(tz, para, plen, &o);
            plen = 0;
        }
    }
    if (plen)
        rc |= run(tz, para, plen, &o);
    free(para);
    free(line);
    fclose(f);
    crible_tokenizer_free(tz);
    return rc;
}
