/*
 * test_conllu_tails.c - crible_conllu_write_tails (crible-stem's way of
 * writing its cells) writes the same bytes as crible_conllu_write given
 * the same cells: for blocks read whole, blocks built by add_token, the
 * plain CoNLL-U mode, long rows and cells; and refuses what
 * crible_conllu_write refuses (a wrong column count).
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

static const char stream[] =
    "# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE\n"
    "# crible.version = 1\n"
    "# newdoc id = rev-1\n"
    "# crible.doc = {\"id\":\"rev-1\",\"text\":\"Déçu\tpar l’hôtel, vraiment.\"}\n"
    "# crible.field = text\n"
    "# sent_id = rev-1/text/1\n"
    "1\tDéçu\t0\t5\tdéçu\tword\n"
    "2\tpar\t6\t9\tpar\tword\n"
    "3\tl’\t10\t14\tl'\tword\n"
    "4\thôtel\t14\t20\thôtel\tword\n"
    "5\t,\t20\t21\t,\tpunct\n"
    "6\tvraiment\t22\t30\tvraiment\tword\n"
    "7\t.\t30\t31\t.\tpunct\n"
    "\n"
    "# newdoc id = rev-2\n"
    "# crible.field = text\n"
    "\n"
    "# crible.end = 2\n"
    "\n";

/* The extra cells of token t (2 of them), as crible-stem would make them:
 * long ones for some tokens, so rows and tails pass 16 and 32 bytes. */
static void cells_of(size_t t, const char *form, char *stem, size_t n, const char **stop)
{
    if (t % 3 == 2)
        snprintf(stem, n, "%s-anticonstitutionnellement-%zu", form, t);
    else
        snprintf(stem, n, "%s", form);
    *stop = t % 2 ? "1" : "0";
}

/* Writes the stream read from `in` twice: by cells and by tails.
 * Returns the blocks with tokens that were read whole (raw_ok): only
 * those take the 16-byte copies (outside plain mode); the others are
 * written as by cells, so a test where none is would compare a path
 * with itself. */
static size_t write_both(const char *in, size_t len, bool plain, char **a, size_t *alen, char **b, size_t *blen)
{
    size_t whole = 0;
    static const char *const extra[] = {"CRIBLE:STEM", "CRIBLE:STOP"};
    FILE *outs[2] = {open_memstream(a, alen), open_memstream(b, blen)};
    for (int way = 0; way < 2; way++) {
        FILE *f = fmemopen((void *)in, len, "r");
        assert_non_null(f);
        crible_error err = {0};
        crible_conllu_reader *r;
        crible_conllu_writer *w;
        crible_sentence s;
        crible_sentence_init(&s);
        assert_int_equal(crible_conllu_reader_open(f, "t.conllu", &r, &err), CRIBLE_OK);
        assert_int_equal(crible_conllu_reader_peek_header(r, &err), CRIBLE_OK);
        assert_int_equal(crible_conllu_writer_extend(outs[way], r, extra, 2, &w, &err), CRIBLE_OK);
        crible_conllu_writer_set_plain(w, plain);
        int got;
        while ((got = crible_conllu_read(r, &s, &err)) > 0) {
            char stems[64][96], tails[64 * 128];
            const char *cells[128];
            size_t offs[65], n = 0;
            assert_true(s.ntokens < 64);
            for (size_t t = 0; t < s.ntokens; t++) {
                const char *stop;
                cells_of(t, crible_sentence_cell(&s, t, 1), stems[t], sizeof stems[t], &stop);
                cells[2 * t] = stems[t];
                cells[2 * t + 1] = stop;
                offs[t] = n;
                n += (size_t)snprintf(tails + n, sizeof tails - n, "\t%s\t%s", stems[t], stop);
            }
            offs[s.ntokens] = n;
            whole += way == 1 && s.raw_ok && s.ntokens > 0;
            if (way == 0)
                assert_int_equal(crible_conllu_write(w, &s, cells, 2, &err), CRIBLE_OK);
            else
                assert_int_equal(crible_conllu_write_tails(w, &s, tails, offs, 2, &err), CRIBLE_OK);
        }
        assert_int_equal(got, 0);
        assert_int_equal(crible_conllu_writer_finish(w, &err), CRIBLE_OK);
        crible_conllu_writer_close(w);
        crible_conllu_reader_close(r);
        crible_sentence_free(&s);
        fclose(f);
    }
    fclose(outs[0]);
    fclose(outs[1]);
    return whole;
}

static void test_tails_as_cells(void **state)
{
    (void)state;
    for (int plain = 0; plain < 2; plain++) {
        char *a, *b;
        size_t alen, blen;
        assert_int_equal(write_both(stream, sizeof stream - 1, plain, &a, &alen, &b, &blen), 1);
        assert_true(alen > 200);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        if (!plain)   /* a line crible-stem writes */
            assert_non_null(strstr(a, "\n4\thôtel\t14\t20\thôtel\tword\thôtel\t1\n"));
        free(a);
        free(b);
    }
}

/* A block built by add_token (not read whole) goes the careful way. */
static void test_tails_built_block(void **state)
{
    (void)state;
    static const char *const cols[] = {"ID", "FORM", "CRIBLE:STEM", "CRIBLE:STOP"};
    char *a, *b;
    size_t alen, blen;
    FILE *outs[2] = {open_memstream(&a, &alen), open_memstream(&b, &blen)};
    for (int way = 0; way < 2; way++) {
        crible_error err = {0};
        crible_conllu_writer *w;
        assert_int_equal(crible_conllu_writer_open(outs[way], cols, 4, &w, &err), CRIBLE_OK);
        crible_sentence s;
        crible_sentence_init(&s);
        crible_sentence_clear(&s, 2);
        assert_int_equal(crible_sentence_add_comment(&s, "# newdoc id = d1", &err), CRIBLE_OK);
        const char *t1[] = {"1", "Élégantes"}, *t2[] = {"2", "œuvres"};
        assert_int_equal(crible_sentence_add_token(&s, t1, &err), CRIBLE_OK);
        assert_int_equal(crible_sentence_add_token(&s, t2, &err), CRIBLE_OK);
        const char *cells[] = {"éleg", "0", "œuvr", "1"};
        const char tails[] = "\téleg\t0\tœuvr\t1" "................";
        size_t offs[] = {0, strlen("\téleg\t0"), strlen("\téleg\t0\tœuvr\t1")};
        if (way == 0)
            assert_int_equal(crible_conllu_write(w, &s, cells, 2, &err), CRIBLE_OK);
        else
            assert_int_equal(crible_conllu_write_tails(w, &s, tails, offs, 2, &err), CRIBLE_OK);
        /* a column too many is refused, as by crible_conllu_write */
        assert_int_equal(crible_conllu_write_tails(w, &s, tails, offs, 1, &err), CRIBLE_EINTERNAL);
        assert_int_equal(crible_conllu_writer_finish(w, &err), CRIBLE_OK);
        crible_conllu_writer_close(w);
        crible_sentence_free(&s);
        fclose(outs[way]);
    }
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    assert_non_null(strstr(a, "2\tœuvres\tœuvr\t1\n"));
    free(a);
    free(b);
}

/* Many blocks: the writer's buffer is handed to fwrite between them. */
static void test_tails_many_blocks(void **state)
{
    (void)state;
    const char *head = "# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE\n"
                       "# crible.version = 1\n";
    size_t cap = 4 << 20, len = 0;
    char *in = malloc(cap);
    assert_non_null(in);
    len += (size_t)snprintf(in + len, cap - len, "%s", head);
    for (int d = 0; d < 3000; d++) {
        len += (size_t)snprintf(in + len, cap - len, "# newdoc id = d%d\n", d);
        for (int t = 1; t <= 1 + d % 40; t++)
            len += (size_t)snprintf(in + len, cap - len, "%d\tgrève%d\t%d\t%d\tgrève%d\tword\n", t, t, 7 * t,
                                    7 * t + 6, t);
        len += (size_t)snprintf(in + len, cap - len, "\n");
    }
    len += (size_t)snprintf(in + len, cap - len, "# crible.end = 3000\n\n");
    char *a, *b;
    size_t alen, blen;
    assert_int_equal(write_both(in, len, false, &a, &alen, &b, &blen), 3000);
    assert_true(alen > 1000000);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    free(a);
    free(b);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tails_as_cells),
        cmocka_unit_test(test_tails_built_block),
        cmocka_unit_test(test_tails_many_blocks),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    crible_simd_use_avx2(false);   /* blocks read by the SSE2 scan */
    return failed + cmocka_run_group_tests(tests, NULL, NULL);
}
