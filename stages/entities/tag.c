/*
 * tag.c - crible-entities over one token stream: reads blocks, tags them,
 * and writes the stream with CRIBLE:NER and CRIBLE:ENTITY appended, or
 * (--list) one TSV line per entity:
 *
 *   DOC<TAB>TYPE<TAB>VALUE<TAB>TEXT<TAB>START<TAB>END<TAB>FIELD
 *   seed<TAB>PER<TAB>Kevin Anderson<TAB>Kevin Anderson<TAB>1411<TAB>1425<TAB>text
 *
 * TEXT is the entity's tokens joined by one space where the text had a gap;
 * START and END are byte offsets in the field FIELD of the document ("_"
 * when the stream has no CRIBLE:START/END).  Buffers are reused from block
 * to block: no allocation per token.  The metadata fields of `entities:
 * metadata:` are read from each document's `# crible.doc` line
 * (entities_document.h, shared with crible-index --analyze).
 */
#include "stage.h"

#include <stdlib.h>
#include <string.h>

#include "conllu.h"
#include "entities_document.h"

typedef struct columns { int form, norm, type, start, end; } columns;

static crible_status find_columns(crible_conllu_reader *r, columns *c, crible_error *err)
{
    const char *hint = "run crible-tokenize first";
    if (crible_conllu_require(r, "FORM", hint, &c->form, err) != CRIBLE_OK ||
        crible_conllu_require(r, "CRIBLE:NORM", hint, &c->norm, err) != CRIBLE_OK ||
        crible_conllu_require(r, "CRIBLE:TYPE", hint, &c->type, err) != CRIBLE_OK)
        return err->status;
    c->start = crible_conllu_column(r, "CRIBLE:START");
    c->end = crible_conllu_column(r, "CRIBLE:END");
    return CRIBLE_OK;
}

/* The byte offset in cell `col` of token i, -1 if none. */
static long offset(const crible_sentence *s, size_t i, int col)
{
    if (col < 0) return -1;
    long v = crible_sentence_cell_digits(s, i, (size_t)col);   /* the usual case */
    if (v >= 0) return v;
    const char *c = crible_sentence_cell(s, i, (size_t)col);
    if (*c < '0' || *c > '9') return -1;
    return strtol(c, NULL, 10);
}

/* Fills toks[] from block s. */
static void block_tokens(const crible_sentence *s, const columns *c,
                         crible_entities_token *toks)
{
    for (size_t i = 0; i < s->ntokens; i++) {
        crible_entities_token *t = &toks[i];
        t->form = crible_sentence_cell(s, i, (size_t)c->form);
        t->form_len = crible_sentence_cell_len(s, i, (size_t)c->form);
        t->norm = crible_sentence_cell(s, i, (size_t)c->norm);
        t->norm_len = crible_sentence_cell_len(s, i, (size_t)c->norm);
        t->kind = crible_entities_token_kind(crible_sentence_cell(s, i, (size_t)c->type));
        t->start = offset(s, i, c->start);
        t->end = offset(s, i, c->end);
    }
}

static void list_entities(crible_entities *e, const crible_entities_token *t, size_t n,
                          const char *doc, const char *field)
{
    const uint16_t *labels = crible_entities_labels(e);
    const char *const *values = crible_entities_values(e);
    for (size_t i = 0; i < n; i++) {
        if (labels[i] % 2 != 1) continue;
        size_t j = i + 1;
        while (j < n && labels[j] == labels[i] + 1) j++;
        const char *type = crible_entities_label_name(e, labels[i]) + 2;
        printf("%s\t%s\t%s\t", doc, type, values[i] ? values[i] : "_");
        for (size_t k = i; k < j; k++) {
            if (k > i && (t[k].start < 0 || t[k].start > t[k - 1].end)) putchar(' ');
            fwrite(t[k].form, 1, t[k].form_len, stdout);
        }
        if (t[i].start >= 0 && t[j - 1].end >= 0)
            printf("\t%ld\t%ld\t%s\n", t[i].start, t[j - 1].end, field);
        else
            printf("\t_\t_\t%s\n", field);
    }
}

crible_status entities_tag_stream(crible_entities *e, FILE *in, const char *name,
                                  const entities_run *run, crible_error *err)
{
    crible_conllu_reader *r = NULL;
    crible_conllu_writer *w = NULL;
    crible_sentence s;
    crible_sentence_init(&s);
    crible_entities_token *toks = NULL;
    const char **extra = NULL;
    size_t cap = 0;
    char doc[1024] = "_", field[64] = "text";
    crible_entities_doc_names names = {0};
    columns c;
    static const char *const added[] = {"CRIBLE:NER", "CRIBLE:ENTITY"};
    crible_status st = crible_conllu_reader_open(in, name, &r, err);
    int got = 0;
    bool first = true;
    /* empty input gives empty output; the columns are checked at the first block */
    while (st == CRIBLE_OK && (got = crible_conllu_read(r, &s, err)) > 0) {
        if (first) {
            first = false;
            if ((st = find_columns(r, &c, err)) != CRIBLE_OK) break;
            if (!run->list) {
                st = crible_conllu_writer_extend(stdout, r, added, 2, &w, err);
                if (st != CRIBLE_OK) break;
                crible_conllu_writer_set_plain(w, run->plain);
            }
        }
        const char *v = crible_sentence_comment(&s, "newdoc id");
        if (v) {
            crible_entities_end_document(e);
            snprintf(doc, sizeof doc, "%s", v);
            st = crible_entities_document_names(e, crible_sentence_comment(&s, "crible.doc"),
                                                &names, err);
            if (st != CRIBLE_OK) break;
        }
        if ((v = crible_sentence_comment(&s, "crible.field")))
            snprintf(field, sizeof field, "%s", v);
        if (s.ntokens > cap) {
            size_t ncap = cap ? cap : 256;
            while (ncap < s.ntokens) ncap *= 2;
            void *a = realloc(toks, ncap * sizeof *toks);
            if (a) toks = a;
            void *b = realloc(extra, 2 * ncap * sizeof *extra);
            if (b) extra = b;
            if (!a || !b) {
                st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                break;
            }
            cap = ncap;
        }
        block_tokens(&s, &c, toks);
        st = crible_entities_tag(e, toks, s.ntokens, err);
        if (st != CRIBLE_OK) break;
        if (run->list) {
            list_entities(e, toks, s.ntokens, doc, field);
            continue;
        }
        const uint16_t *labels = crible_entities_labels(e);
        const char *const *values = crible_entities_values(e);
        for (size_t i = 0; i < s.ntokens; i++) {
            extra[2 * i] = crible_entities_label_name(e, labels[i]);
            extra[2 * i + 1] = values[i];
        }
        st = crible_conllu_write(w, &s, extra, 2, err);
    }
    if (st == CRIBLE_OK && got < 0) st = err->status;
    if (st == CRIBLE_OK)
        st = crible_conllu_reader_check_complete(r, err);
    if (st == CRIBLE_OK && w)
        st = crible_conllu_writer_finish(w, err);
    crible_conllu_writer_close(w);
    crible_conllu_reader_close(r);
    crible_sentence_free(&s);
    free(toks);
    free(extra);
    return st;
}
