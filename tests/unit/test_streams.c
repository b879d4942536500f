/*
 * test_streams.c - the two streams between stages: JSONL documents (doc.h)
 * and the CoNLL-U Plus token stream (conllu.h), on French text, with their
 * bad inputs: invalid UTF-8, NUL bytes, cut streams, wrong cell counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conllu.h"
#include "doc.h"

static FILE *mem(const char *s, size_t n)
{
    FILE *f = fmemopen((void *)s, n, "r");
    assert_non_null(f);
    return f;
}

static void test_doc_read_write(void **state)
{
    (void)state;
    const char in[] = "{\"id\":\"rev-1\",\"title\":\"Déçu\",\"rating\":2,\"text\":\"Pas bon du tout.\"}\n"
                      "\n"
                      "{\"id\":42,\"text\":\"L’enfer du cyberharcèlement\"}";
    FILE *f = mem(in, sizeof in - 1);
    crible_doc_reader *r;
    crible_error err = {0};
    assert_int_equal(crible_doc_reader_open(f, "d.jsonl", &r, &err), CRIBLE_OK);
    crible_doc d;
    assert_int_equal(crible_doc_read(r, &d, &err), 1);
    assert_string_equal(d.id, "rev-1");
    assert_string_equal(d.text, "Pas bon du tout.");
    assert_int_equal(d.line, 1);
    assert_int_equal(d.raw_len, strlen("{\"id\":\"rev-1\",\"title\":\"Déçu\",\"rating\":2,\"text\":\"Pas bon du tout.\"}"));
    assert_memory_equal(d.raw, in, d.raw_len);
    char *line = crible_json_line(d.json);
    assert_string_equal(line, "{\"id\":\"rev-1\",\"title\":\"Déçu\",\"rating\":2,\"text\":\"Pas bon du tout.\"}");
    free(line);
    crible_doc_free(&d);
    assert_int_equal(crible_doc_read(r, &d, &err), 1);
    assert_string_equal(d.id, "42");
    assert_null(d.raw); /* the id was rewritten: the line is no longer the object */
    assert_int_equal(d.line, 3);
    crible_doc_free(&d);
    assert_int_equal(crible_doc_read(r, &d, &err), 0);
    crible_doc_reader_close(r);
    fclose(f);
}

static void expect_doc_error(const char *in, size_t n, const char *message)
{
    FILE *f = mem(in, n);
    crible_doc_reader *r;
    crible_error err = {0};
    crible_doc_reader_open(f, "x.jsonl", &r, &err);
    crible_doc d;
    assert_int_equal(crible_doc_read(r, &d, &err), -1);
    assert_int_equal(err.status, CRIBLE_EDATA);
    if (!strstr(err.message, message))
        fail_msg("'%s' does not contain '%s'", err.message, message);
    crible_doc_reader_close(r);
    fclose(f);
}

static void test_doc_errors(void **state)
{
    (void)state;
    const char bad_utf8[] = "{\"id\":\"a\",\"text\":\"caf\xe9\"}\n";
    expect_doc_error(bad_utf8, sizeof bad_utf8 - 1, "x.jsonl:1: invalid UTF-8 at byte 22");
    const char nul[] = "{\"id\":\"a\",\"text\":\"a\0b\"}\n";
    expect_doc_error(nul, sizeof nul - 1, "x.jsonl:1: NUL byte at byte 20");
    const char cut[] = "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"te";
    FILE *f = mem(cut, sizeof cut - 1);
    crible_doc_reader *r;
    crible_error err = {0};
    crible_doc_reader_open(f, "x.jsonl", &r, &err);
    crible_doc d;
    assert_int_equal(crible_doc_read(r, &d, &err), 1);
    crible_doc_free(&d);
    assert_int_equal(crible_doc_read(r, &d, &err), -1);
    assert_non_null(strstr(err.message, "x.jsonl:2: invalid JSON"));
    assert_non_null(strstr(err.message, "cut?"));
    crible_doc_reader_close(r);
    fclose(f);
    const char noid[] = "{\"text\":\"x\"}\n";
    expect_doc_error(noid, sizeof noid - 1, "x.jsonl:1: the document has no \"id\"");
    const char notext[] = "{\"id\":\"z\"}\n";
    expect_doc_error(notext, sizeof notext - 1, "document 'z' has no \"text\"");
    const char arr[] = "[1,2]\n";
    expect_doc_error(arr, sizeof arr - 1, "must be a JSON object");
}

static const char stream[] =
    "# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE MY:COL\n"
    "# crible.version = 1\n"
    "# newdoc id = rev-1\n"
    "# crible.doc = {\"id\":\"rev-1\",\"text\":\"L’enfer, déçu.\"}\n"
    "# crible.field = text\n"
    "# sent_id = rev-1/text/1\n"
    "# text = L’enfer, déçu.\n"
    "# mon.commentaire = gardé\n"
    "1\tL’\t0\t4\tl'\tword\tx\n"
    "2\tenfer\t4\t9\tenfer\tword\ty\n"
    "3\t,\t9\t10\t,\tpunct\t_\n"
    "4\tdéçu\t11\t16\tdéçu\tword\t_\n"
    "5\t.\t16\t17\t.\tpunct\t_\n"
    "\n"
    "# crible.end = 1\n"
    "\n";

static void test_conllu_roundtrip_with_extra_column(void **state)
{
    (void)state;
    FILE *in = mem(stream, sizeof stream - 1);
    crible_conllu_reader *r;
    crible_error err = {0};
    assert_int_equal(crible_conllu_reader_open(in, "t.conllu", &r, &err), CRIBLE_OK);
    assert_int_equal(crible_conllu_reader_peek_header(r, &err), CRIBLE_OK);
    assert_int_equal(crible_conllu_ncolumns(r), 7);
    assert_int_equal(crible_conllu_column(r, "CRIBLE:NORM"), 4);
    int col;
    assert_int_equal(crible_conllu_require(r, "CRIBLE:STEM", "run crible-stem first", &col, &err),
                     CRIBLE_EDATA);
    assert_string_equal(err.message,
                        "t.conllu: the token stream has no column CRIBLE:STEM (run crible-stem first)");

    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    const char *extra_names[] = {"CRIBLE:STEM"};
    crible_conllu_writer *w;
    assert_int_equal(crible_conllu_writer_extend(o, r, extra_names, 1, &w, &err), CRIBLE_OK);
    crible_sentence s;
    crible_sentence_init(&s);
    assert_int_equal(crible_conllu_read(r, &s, &err), 1);
    assert_int_equal(s.ntokens, 5);
    assert_string_equal(crible_sentence_cell(&s, 1, 1), "enfer");
    assert_string_equal(crible_sentence_cell(&s, 0, 6), "x");
    assert_string_equal(crible_sentence_comment(&s, "newdoc id"), "rev-1");
    assert_string_equal(crible_sentence_comment(&s, "mon.commentaire"), "gardé");
    assert_null(crible_sentence_comment(&s, "absent"));
    const char *extra[] = {"l", "enfer", NULL, "déçu", ""};
    assert_int_equal(crible_conllu_write(w, &s, extra, 1, &err), CRIBLE_OK);
    assert_int_equal(crible_conllu_read(r, &s, &err), 0);
    assert_true(crible_conllu_reader_complete(r));
    assert_int_equal(crible_conllu_reader_end_count(r), 1);
    assert_int_equal(crible_conllu_writer_finish(w, &err), CRIBLE_OK);
    /* the writer refuses a column the stream has (a stage run twice) */
    crible_conllu_writer *w2;
    const char *dup[] = {"MY:COL"};
    assert_int_equal(crible_conllu_writer_extend(o, r, dup, 1, &w2, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, "already has a column MY:COL"));
    fclose(o);
    assert_non_null(strstr(out, "# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM "
                                "CRIBLE:TYPE MY:COL CRIBLE:STEM\n# crible.version = 1\n"));
    assert_non_null(strstr(out, "# mon.commentaire = gardé\n1\tL’\t0\t4\tl'\tword\tx\tl\n"));
    assert_non_null(strstr(out, "3\t,\t9\t10\t,\tpunct\t_\t_\n"));
    assert_non_null(strstr(out, "\n\n# crible.end = 1\n\n"));
    free(out);
    crible_conllu_writer_close(w);
    crible_sentence_free(&s);
    crible_conllu_reader_close(r);
    fclose(in);
}

static void test_conllu_plain_projection(void **state)
{
    (void)state;
    FILE *in = mem(stream, sizeof stream - 1);
    crible_conllu_reader *r;
    crible_error err = {0};
    crible_conllu_reader_open(in, "t.conllu", &r, &err);
    crible_conllu_reader_peek_header(r, &err);
    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    crible_conllu_writer *w;
    crible_conllu_writer_extend(o, r, NULL, 0, &w, &err);
    crible_conllu_writer_set_plain(w, true);
    crible_sentence s;
    crible_sentence_init(&s);
    while (crible_conllu_read(r, &s, &err) == 1)
        assert_int_equal(crible_conllu_write(w, &s, NULL, 0, &err), CRIBLE_OK);
    crible_conllu_writer_finish(w, &err);
    fclose(o);
    assert_string_equal(out, "# newdoc id = rev-1\n# sent_id = rev-1/text/1\n# text = L’enfer, déçu.\n"
                             "1\tL’\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
                             "2\tenfer\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
                             "3\t,\t_\t_\t_\t_\t_\t_\t_\t_\n"
                             "4\tdéçu\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
                             "5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
    free(out);
    crible_conllu_writer_close(w);
    crible_sentence_free(&s);
    crible_conllu_reader_close(r);
    fclose(in);
}

static void test_conllu_plain_with_extra_stem(void **state)
{
    (void)state;
    FILE *in = mem(stream, sizeof stream - 1);
    crible_conllu_reader *r;
    crible_error err = {0};
    crible_conllu_reader_open(in, "t.conllu", &r, &err);
    crible_conllu_reader_peek_header(r, &err);
    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    const char *names[] = {"CRIBLE:STEM"};
    crible_conllu_writer *w;
    crible_conllu_writer_extend(o, r, names, 1, &w, &err);
    crible_conllu_writer_set_plain(w, true);
    assert_int_equal(crible_conllu_write_comment(w, "# crible.stem = {}", &err), CRIBLE_OK);
    crible_sentence s;
    crible_sentence_init(&s);
    assert_int_equal(crible_conllu_read(r, &s, &err), 1);
    const char *stems[] = {"l'", "enfer", NULL, "décev", NULL};
    assert_int_equal(crible_conllu_write(w, &s, stems, 1, &err), CRIBLE_OK);
    assert_int_equal(crible_conllu_writer_finish(w, &err), CRIBLE_OK);   /* hands it to fwrite */
    fclose(o);
    assert_null(strstr(out, "crible.stem"));
    assert_non_null(strstr(out, "2\tenfer\tenfer\t_"));
    assert_non_null(strstr(out, "4\tdéçu\tdécev\t_"));
    assert_non_null(strstr(out, "3\t,\t_\t_"));
    free(out);
    crible_conllu_writer_close(w);
    crible_sentence_free(&s);
    crible_conllu_reader_close(r);
    fclose(in);
}

static int read_all(const char *text, size_t n, crible_error *err, bool *complete)
{
    FILE *in = mem(text, n);
    crible_conllu_reader *r;
    crible_conllu_reader_open(in, "c.conllu", &r, err);
    crible_sentence s;
    crible_sentence_init(&s);
    int got;
    while ((got = crible_conllu_read(r, &s, err)) == 1)
        ;
    *complete = crible_conllu_reader_complete(r);
    crible_sentence_free(&s);
    crible_conllu_reader_close(r);
    fclose(in);
    return got;
}

static void test_conllu_cut_and_malformed(void **state)
{
    (void)state;
    crible_error err = {0};
    bool complete;
    /* cut after a whole block: no end mark */
    size_t upto = strstr(stream, "# crible.end") - stream;
    assert_int_equal(read_all(stream, upto, &err, &complete), 0);
    assert_false(complete);
    /* cut in the middle of a token line */
    size_t mid = strstr(stream, "4\tdéçu") - stream + 3;
    assert_int_equal(read_all(stream, mid, &err, &complete), -1);
    assert_non_null(strstr(err.message, "cut short"));
    /* wrong number of cells */
    const char bad[] = "# global.columns = ID FORM\n1\tun\tdeux\n\n";
    assert_int_equal(read_all(bad, sizeof bad - 1, &err, &complete), -1);
    assert_string_equal(err.message,
                        "c.conllu:2: more than 2 cells on a token line (the stream's columns: see global.columns)");
    /* a newer stream version is refused */
    const char newer[] = "# global.columns = ID FORM\n# crible.version = 9\n";
    assert_int_equal(read_all(newer, sizeof newer - 1, &err, &complete), -1);
    assert_non_null(strstr(err.message, "version 9 is newer"));
    /* an empty stream whose settings comment has no block after it */
    const char empty[] = "# global.columns = ID FORM\n# crible.version = 1\n# crible.stem = {}\n# crible.end = 0\n\n";
    assert_int_equal(read_all(empty, sizeof empty - 1, &err, &complete), 0);
    assert_true(complete);
    /* plain CoNLL-U without header and without end mark is fine */
    const char ud[] = "# text = Bon.\n1\tBon\tbon\tADJ\t_\t_\t0\troot\t_\tSpaceAfter=No\n2\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n";
    assert_int_equal(read_all(ud, sizeof ud - 1, &err, &complete), 0);
    assert_true(complete);
    /* NUL byte and invalid UTF-8 */
    const char nul[] = "# global.columns = ID FORM\n1\ta\0b\n\n";
    assert_int_equal(read_all(nul, sizeof nul - 1, &err, &complete), -1);
    assert_non_null(strstr(err.message, "c.conllu:2: NUL byte"));
    const char inv[] = "# global.columns = ID FORM\n1\t\xff\n\n";
    assert_int_equal(read_all(inv, sizeof inv - 1, &err, &complete), -1);
    assert_non_null(strstr(err.message, "c.conllu:2: invalid UTF-8 at byte 3"));
}

/* A stream of `nblocks` blocks of 4 columns (more than the reader's 256
 * KiB buffer: blocks cut by its end), with a TAB in some comments, French
 * accents, empty blocks and one comment line of 700 KB, into *in (*len
 * bytes); `crlf` ends lines with "\r\n".  *expect gets what a writer
 * adding the column X (cell "x<token>") writes for it. */
static void long_stream(int nblocks, bool crlf, char **in, size_t *len, char **expect,
                        size_t *explen)
{
    FILE *o = open_memstream(in, len), *e = open_memstream(expect, explen);
    const char *nl = crlf ? "\r\n" : "\n";
    fprintf(o, "# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE%s# crible.version = 1%s", nl, nl);
    fprintf(e, "# global.columns = ID FORM CRIBLE:NORM CRIBLE:TYPE X\n# crible.version = 1\n");
    for (int b = 0; b < nblocks; b++) {
        char line[128];
        snprintf(line, sizeof line, "# newdoc id = d%d", b);
        fprintf(o, "%s%s", line, nl);
        fprintf(e, "%s\n", line);
        if (b % 7 == 3) {
            fprintf(o, "# note = a\tb%s", nl);   /* a TAB in a comment is kept */
            fprintf(e, "# note = a\tb\n");
        }
        if (b == nblocks / 2) {   /* one long line: the buffer grows */
            fputs("# crible.doc = ", o);
            fputs("# crible.doc = ", e);
            for (int i = 0; i < 70000; i++) {
                fputs("Été déçu ", o);
                fputs("Été déçu ", e);
            }
            fputs(nl, o);
            fputs("\n", e);
        }
        int ntok = b % 11 == 5 ? 0 : b % 13 + 1;
        for (int t = 0; t < ntok; t++) {
            snprintf(line, sizeof line, "%d\tÉlève%d\télève%d\tword", t + 1, b, t);
            fprintf(o, "%s%s", line, nl);
            fprintf(e, "%s\tx%d\n", line, t);
        }
        fputs(nl, o);
        fputs("\n", e);
    }
    fprintf(o, "# crible.end = %d%s%s", nblocks, nl, nl);
    fprintf(e, "# crible.end = %d\n\n", nblocks);
    fclose(o);
    fclose(e);
}

/* Reads a stream and writes it with the column X; returns what was
 * written (and the read's last result in *got, its error in err). */
static char *copy_stream(const char *in, size_t n, int *got, crible_error *err)
{
    FILE *f = mem(in, n);
    crible_conllu_reader *r;
    crible_conllu_reader_open(f, "c.conllu", &r, err);
    assert_int_equal(crible_conllu_reader_peek_header(r, err), CRIBLE_OK);
    char *out = NULL;
    size_t outlen = 0;
    FILE *o = open_memstream(&out, &outlen);
    const char *names[] = {"X"};
    crible_conllu_writer *w;
    assert_int_equal(crible_conllu_writer_extend(o, r, names, 1, &w, err), CRIBLE_OK);
    crible_sentence s;
    crible_sentence_init(&s);
    char (*x)[24] = NULL;
    const char **extra = NULL;
    while ((*got = crible_conllu_read(r, &s, err)) == 1) {
        x = realloc(x, (s.ntokens + 1) * sizeof *x);
        extra = realloc(extra, (s.ntokens + 1) * sizeof *extra);
        for (size_t t = 0; t < s.ntokens; t++) {
            /* the cells as written, whichever way the block was read */
            char want[64];
            snprintf(want, sizeof want, "%zu", t + 1);
            assert_string_equal(crible_sentence_cell(&s, t, 0), want);
            assert_int_equal(crible_sentence_cell_digits(&s, t, 0), (long)t + 1);
            assert_int_equal(crible_sentence_cell_digits(&s, t, 1), -1);
            assert_int_equal(crible_sentence_cell_len(&s, t, 1), strlen(crible_sentence_cell(&s, t, 1)));
            assert_int_equal(crible_sentence_cell_len(&s, t, 3), 4);
            assert_string_equal(crible_sentence_cell(&s, t, 3), "word");
            snprintf(x[t], sizeof x[t], "x%zu", t);
            extra[t] = x[t];
        }
        assert_int_equal(crible_conllu_write(w, &s, extra, 1, err), CRIBLE_OK);
    }
    if (*got == 0)
        assert_int_equal(crible_conllu_writer_finish(w, err), CRIBLE_OK);
    crible_conllu_writer_close(w);
    fclose(o);
    crible_sentence_free(&s);
    crible_conllu_reader_close(r);
    fclose(f);
    free(x);
    free(extra);
    return out;
}

static void test_conllu_long_stream(void **state)
{
    (void)state;
    for (int crlf = 0; crlf < 2; crlf++) {
        size_t n, en;
        char *expect, *in;
        long_stream(40000, crlf, &in, &n, &expect, &en);
        assert_true(n > 3 * 1024 * 1024);
        crible_error err = {0};
        int got;
        char *out = copy_stream(in, n, &got, &err);
        assert_int_equal(got, 0);
        assert_string_equal(out, expect);
        free(out);
        free(in);
        free(expect);
    }
}

/* The line number of the line holding in[at]. */
static long line_of(const char *in, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at; i++)
        line += in[i] == '\n';
    return line;
}

static void expect_stream_error(char *in, size_t n, size_t at, const char *what)
{
    crible_error err = {0};
    int got;
    free(copy_stream(in, n, &got, &err));
    assert_int_equal(got, -1);
    assert_int_equal(err.status, CRIBLE_EDATA);
    char want[256];
    snprintf(want, sizeof want, "c.conllu:%ld: %s", line_of(in, at), what);
    if (!strstr(err.message, want))
        fail_msg("'%s' does not contain '%s'", err.message, want);
}

static void test_conllu_errors_deep(void **state)
{
    (void)state;
    size_t n, en;
    char *expect, *in;
    long_stream(20000, false, &in, &n, &expect, &en);
    free(expect);
    /* a token line far in (past the first buffers), then faults put in it */
    char *tok = strstr(in + 600000, "\n3\tÉlève") + 1;
    size_t at = (size_t)(tok - in);
    char *copy = malloc(n);
    memcpy(copy, in, n);
    copy[at + 1] = ' ';   /* "3 Élève...": 3 cells */
    expect_stream_error(copy, n, at, "3 cells on a token line where the stream has 4 columns");
    memcpy(copy, in, n);
    copy[at + 4] = '\t';   /* 5 cells */
    expect_stream_error(copy, n, at, "more than 4 cells on a token line");
    memcpy(copy, in, n);
    copy[at + 5] = '\0';
    expect_stream_error(copy, n, at, "NUL byte at byte 6 of the line");
    memcpy(copy, in, n);
    copy[at + 3] = (char)0xC3;   /* É = C3 89 made C3 C3: bad at its first byte */
    expect_stream_error(copy, n, at, "invalid UTF-8 at byte 3 of the line");
    memcpy(copy, in, n);
    copy[at] = '#';   /* a comment after token lines */
    expect_stream_error(copy, n, at, "a comment after token lines");
    /* cut in the middle of a block */
    crible_error err = {0};
    int got;
    free(copy_stream(in, at + 3, &got, &err));
    assert_int_equal(got, -1);
    assert_non_null(strstr(err.message, "cut short"));
    free(copy);
    free(in);
}

static void test_sentence_building(void **state)
{
    (void)state;
    crible_sentence s;
    crible_sentence_init(&s);
    crible_sentence_clear(&s, 2);
    crible_error err = {0};
    char form[32];
    for (int i = 0; i < 5000; i++) { /* makes the buffer move many times */
        snprintf(form, sizeof form, "mot%d", i);
        const char *cells[] = {"1", form};
        assert_int_equal(crible_sentence_add_token(&s, cells, &err), CRIBLE_OK);
    }
    assert_int_equal(crible_sentence_add_comment(&s, "# text = x", &err), CRIBLE_OK);
    for (int i = 0; i < 5000; i++) { /* every row, also those cut by a move */
        snprintf(form, sizeof form, "mot%d", i);
        assert_string_equal(crible_sentence_cell(&s, (size_t)i, 0), "1");
        assert_string_equal(crible_sentence_cell(&s, (size_t)i, 1), form);
    }
    assert_string_equal(crible_sentence_comment(&s, "text"), "x");
    /* offsets read at once: 1 to 8 digits, else -1 */
    static const char *const cells[] = {"0", "7", "4096", "12345678", "123456789", "_", "12a",
                                        " 12", "+3", "1/2", ":"};
    static const long want[] = {0, 7, 4096, 12345678, -1, -1, -1, -1, -1, -1, -1};
    crible_sentence_clear(&s, 1);
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++)
        assert_int_equal(crible_sentence_add_token(&s, &cells[i], &err), CRIBLE_OK);
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++)
        assert_int_equal(crible_sentence_cell_digits(&s, i, 0), want[i]);
    crible_sentence_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_read_write),
        cmocka_unit_test(test_doc_errors),
        cmocka_unit_test(test_conllu_roundtrip_with_extra_column),
        cmocka_unit_test(test_conllu_plain_projection),
        cmocka_unit_test(test_conllu_plain_with_extra_stem),
        cmocka_unit_test(test_conllu_cut_and_malformed),
        cmocka_unit_test(test_conllu_long_stream),
        cmocka_unit_test(test_conllu_errors_deep),
        cmocka_unit_test(test_sentence_building),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
