/*
 * test_conllu_read.c - the token stream reader's one-pass way (conllu.c,
 * fast_block: 64 bytes scanned at a time, the cell and row arrays made
 * large enough for the lines the next 64 bytes can end): rows as short
 * as a token line can be (every cell empty), many of them in one block;
 * lines, cells and blank lines at every offset of the 64-byte chunks; a
 * line with more TABs than a chunk holds, and too few cells, named at
 * their line as the careful path names them.  Each test runs twice: with
 * the AVX2 scan where the processor has it, then with the SSE2 one.
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
#include "utf8.h"

#define HEADER "# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE\n" \
               "# crible.version = 1\n"

/* A growing string. */
typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
}

typedef struct opened {
    FILE *f;
    crible_conllu_reader *r;
    crible_sentence s;
    crible_error err;
} opened;

static void open_text(opened *o, const text *t)
{
    memset(o, 0, sizeof *o);
    o->f = fmemopen(t->p, t->len, "r");
    assert_non_null(o->f);
    assert_int_equal(crible_conllu_reader_open(o->f, "t.conllu", &o->r, &o->err), CRIBLE_OK);
    crible_sentence_init(&o->s);
}

static void close_text(opened *o)
{
    crible_sentence_free(&o->s);
    crible_conllu_reader_close(o->r);
    fclose(o->f);
}

/* 5,000 token lines of empty cells ("\t\t\t\t\t": 6 bytes, the shortest
 * a line of 6 columns can be, 10 of them ending in 64 bytes) between
 * ordinary ones, in one block: read whole, every cell where it is. */
static void test_short_rows(void **state)
{
    (void)state;
    text t = {0};
    add(&t, HEADER "# newdoc id = d\n# sent_id = d/text/1\n");
    for (int i = 0; i < 5000; i++) {
        if (i % 7 == 3)
            add(&t, "%d\tmot\t%d\t%d\tmot\tword\n", i + 1, i, i + 3);
        else
            add(&t, "\t\t\t\t\t\n");
    }
    add(&t, "\n# crible.end = 1\n\n");
    opened o;
    open_text(&o, &t);
    assert_int_equal(crible_conllu_read(o.r, &o.s, &o.err), 1);
    assert_true(o.s.raw_ok);
    assert_int_equal(o.s.ntokens, 5000);
    assert_int_equal(o.s.ncomments, 2);
    for (size_t i = 0; i < 5000; i++) {
        for (size_t c = 0; c < 6; c++) {
            const char *v = crible_sentence_cell(&o.s, i, c);
            size_t n = crible_sentence_cell_len(&o.s, i, c);
            assert_int_equal(n, strlen(v));
            if (i % 7 != 3)
                assert_int_equal(n, 0);
        }
        if (i % 7 == 3) {
            char id[16];
            snprintf(id, sizeof id, "%zu", i + 1);
            assert_string_equal(crible_sentence_cell(&o.s, i, 0), id);
            assert_string_equal(crible_sentence_cell(&o.s, i, 5), "word");
            assert_int_equal(crible_sentence_cell_digits(&o.s, i, 3), (long)i + 3);
        }
    }
    assert_int_equal(crible_conllu_read(o.r, &o.s, &o.err), 0);
    assert_true(crible_conllu_reader_complete(o.r));
    close_text(&o);
    free(t.p);
}

/* Blocks whose comments grow a byte at a time, so that their lines, TABs
 * and blank lines fall at every offset of a 64-byte chunk: each block
 * read whole with its comment, its cells and its line number. */
static void test_chunk_offsets(void **state)
{
    (void)state;
    text t = {0};
    add(&t, HEADER);
    long line = 3;
    long starts[200];
    for (int b = 0; b < 200; b++) {
        starts[b] = line;
        add(&t, "# note = ");
        for (int k = 0; k < b / 2; k++)   /* b bytes: b / 2 "é" then an "x" if b is odd */
            add(&t, "é");
        add(&t, "%s\n", b % 2 ? "x" : "");
        for (int k = 0; k <= b % 5; k++)
            add(&t, "%d\tw%d\t%d\t%d\tw%d\tword\n", k + 1, b, k, k + 2, b);
        add(&t, "\n");
        line += 3 + b % 5;
    }
    add(&t, "# crible.end = 0\n\n");
    opened o;
    open_text(&o, &t);
    for (int b = 0; b < 200; b++) {
        assert_int_equal(crible_conllu_read(o.r, &o.s, &o.err), 1);
        assert_true(o.s.raw_ok);
        assert_int_equal(o.s.line, starts[b]);
        assert_int_equal(o.s.ncomments, 1);
        assert_int_equal(strlen(o.s.comments[0]), strlen("# note = ") + (size_t)b);
        assert_int_equal(o.s.ntokens, (size_t)(b % 5 + 1));
        char w[16];
        snprintf(w, sizeof w, "w%d", b);
        for (size_t k = 0; k < o.s.ntokens; k++) {
            assert_string_equal(crible_sentence_cell(&o.s, k, 1), w);
            assert_string_equal(crible_sentence_cell(&o.s, k, 4), w);
            assert_int_equal(crible_sentence_cell_digits(&o.s, k, 2), (long)k);
        }
    }
    assert_int_equal(crible_conllu_read(o.r, &o.s, &o.err), 0);
    close_text(&o);
    free(t.p);
}

/* A stream whose line `bad` (1-based, counted in the stream) is `row`,
 * after 40 good token lines: the error read names that line. */
static void expect_row_error(const char *row, const char *message)
{
    text t = {0};
    add(&t, HEADER "# newdoc id = d\n");
    for (int i = 0; i < 40; i++)
        add(&t, "%d\tmot\t0\t3\tmot\tword\n", i + 1);
    add(&t, "%s\n\n# crible.end = 1\n\n", row);
    opened o;
    open_text(&o, &t);
    assert_int_equal(crible_conllu_read(o.r, &o.s, &o.err), -1);
    assert_int_equal(o.err.status, CRIBLE_EDATA);
    assert_string_equal(o.err.message, message);
    close_text(&o);
    free(t.p);
}

static void test_cell_counts(void **state)
{
    (void)state;
    char row[512] = "41\tmot";
    for (int i = 0; i < 100; i++)   /* 101 cells: more TABs than 64 bytes hold */
        strcat(row, "\tx");
    expect_row_error(row, "t.conllu:44: more than 6 cells on a token line "
                          "(the stream's columns: see global.columns)");
    expect_row_error("41\tmot\t0\t3\tmot\tword\textra",
                     "t.conllu:44: more than 6 cells on a token line "
                     "(the stream's columns: see global.columns)");
    expect_row_error("41\tmot\t0",
                     "t.conllu:44: 3 cells on a token line where the stream has 6 columns");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_rows),
        cmocka_unit_test(test_chunk_offsets),
        cmocka_unit_test(test_cell_counts),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    crible_simd_use_avx2(false);   /* the same tests without AVX2 */
    return failed + cmocka_run_group_tests(tests, NULL, NULL);
}
