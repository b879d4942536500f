/*
 * tokenize.c - crible-tokenize: the document stream (JSON Lines, doc.h) in,
 * the token stream (CoNLL-U Plus, conllu.h) out.  The tokenizer is in
 * stages/lib/tokenizer.h, a document's blocks in stages/lib/tok_stream.h;
 * this main parses options, loads the `tokenize:` section, reads inputs.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "tok_stream.h"
#include "tokenize_options.h"

static const char usage[] =
    "Usage: crible-tokenize [OPTION]... [FILE|-]...\n"
    "Cut crible documents (JSON Lines, from crible-read) into sentences and\n"
    "tokens, written as CoNLL-U Plus on standard output: columns ID FORM\n"
    "CRIBLE:START CRIBLE:END (byte offsets in the field) CRIBLE:NORM (case-\n"
    "folded normal form) CRIBLE:TYPE (word number punct symbol emoji url\n"
    "email hashtag mention).  Fields 'title' then 'text' by default.\n"
    "With no FILE, or '-', standard input is read.\n"
    "\n"
    "  -c, --config FILE   read the 'tokenize:' section of this YAML file\n"
    "      --conllu        write plain 10-column CoNLL-U (for UD tools)\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 config, 4 bad input (invalid JSON or\n"
    "UTF-8, a NUL byte, a document without id or text, a cut stream),\n"
    "5 I/O (cannot open or write), 7 out of memory.\n"
    "Example: crible-read corpus/ | crible-tokenize | crible-stem\n";

static crible_status tokenize_input(const char *path, crible_tok_stream *ts, crible_error *err)
{
    FILE *in = crible_cli_open_input(path, err);
    if (!in)
        return err->status;
    crible_doc_reader *reader;
    crible_status st = crible_doc_reader_open(in, path, &reader, err);
    if (st == CRIBLE_OK)
        crible_doc_reader_set_lazy(reader, true);   /* no JSON tree for plain lines */
    crible_doc doc;
    int r;
    while (st == CRIBLE_OK && (r = crible_doc_read(reader, &doc, err)) != 0) {
        if (r < 0) {
            st = err->status;
            break;
        }
        st = crible_tok_stream_doc(ts, &doc, err);
        if (st != CRIBLE_OK && st != CRIBLE_EIO)
            crible_error_prefix(err, "%s:%ld", strcmp(path, "-") ? path : "<stdin>", doc.line);
        crible_doc_free(&doc);
    }
    crible_doc_reader_close(reader);
    crible_cli_close_input(in);
    return st;
}

/* `# crible.tokenize = JSON` first: the index records it, so queries are cut
 * the same way. */
static crible_status announce_settings(crible_conllu_writer *w,
                                       const crible_tokenize_options *opt, crible_error *err)
{
    char *json = crible_tokenize_options_json(opt);
    size_t n = json ? strlen(json) + 32 : 0;
    char *line = json ? malloc(n) : NULL;
    if (!line) {
        free(json);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    snprintf(line, n, "# crible.tokenize = %s", json);
    crible_status st = crible_conllu_write_comment(w, line, err);
    free(line);
    free(json);
    return st;
}

int main(int argc, char **argv)
{
    crible_cli_init("crible-tokenize");
    crible_stage_args args;
    int done = crible_cli_stage_args(argc, argv, usage, &args);
    if (done >= 0)
        return done;
    crible_error err = {0};
    crible_config *config = NULL;
    const crible_node *section = NULL;
    crible_tokenize_options opt;
    crible_tokenizer *tz = NULL;
    crible_conllu_writer *w = NULL;
    crible_tok_stream *ts = NULL;
    crible_status st = crible_config_open_section(args.config_path, "tokenize", &config, &section, &err);
    if (st == CRIBLE_OK)
        st = crible_tokenize_options_load(config, section, &opt, &err);
    if (st == CRIBLE_OK)
        st = crible_tokenizer_create(&opt, &tz, &err);
    if (st == CRIBLE_OK)
        st = crible_conllu_writer_open(stdout, crible_tokenize_columns, CRIBLE_TOKENIZE_NCOLUMNS,
                                       &w, &err);
    if (st == CRIBLE_OK) {
        crible_conllu_writer_set_plain(w, args.plain);
        st = announce_settings(w, &opt, &err);
    }
    if (st == CRIBLE_OK)
        st = crible_tok_stream_open(tz, &opt, w, !args.plain, &ts, &err);
    if (st == CRIBLE_OK && optind == argc)
        st = tokenize_input("-", ts, &err);
    for (int i = optind; i < argc && st == CRIBLE_OK; i++)
        st = tokenize_input(argv[i], ts, &err);
    if (st == CRIBLE_OK)
        st = crible_conllu_writer_finish(w, &err);
    crible_tok_stream_close(ts);
    crible_conllu_writer_close(w);
    crible_tokenizer_free(tz);
    crible_config_free(config);
    if (st != CRIBLE_OK)
        crible_cli_fail(&err);
    return crible_cli_exit(st);
}
