/*
 * test_index_buffer_record.c - a stored record (ix_stored_record,
 * index_buffer.h): its JSON and fields as index_format.c's STORED lays
 * them out, each field's token offsets read in place from its tokens and
 * coded against the default token (the coder's short way for ASCII and
 * U+00C0..U+00FF words included), read back exactly: French words with
 * accents next to the multiplication and division signs, elisions with
 * both apostrophes, no-break spaces, punctuation runs, tokens that are
 * and are not the default one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "index_buffer.h"
#include "index_format.h"

/* Reads record `rec` back: its JSON, and each field's name and offsets
 * those of fs[f] as the coder keeps them (forward, within the text). */
static void check_record(const ix_buf *rec, const char *json, const ix_docfield *fs, size_t nf)
{
    const uint8_t *p = rec->data, *end = rec->data + rec->len;
    uint64_t jl = 0, n = 0;
    assert_true(ix_varint_get(&p, end, &jl));
    assert_int_equal(jl, strlen(json));
    assert_memory_equal(p, json, jl);
    p += jl;
    assert_true(ix_varint_get(&p, end, &n));
    assert_int_equal(n, nf);
    for (size_t f = 0; f < nf; f++) {
        size_t nl = *p++;
        assert_int_equal(nl, strlen(fs[f].name));
        assert_memory_equal(p, fs[f].name, nl);
        p += nl;
        uint64_t nt = 0;
        assert_true(ix_varint_get(&p, end, &nt));
        assert_int_equal(nt, fs[f].ntokens);
        uint32_t *a = calloc(nt + 1, sizeof *a), *e = calloc(nt + 1, sizeof *e);
        assert_non_null(a);
        assert_non_null(e);
        assert_true(ix_offsets_decode(&p, end, fs[f].text, fs[f].text_len, (uint32_t)nt, a, e));
        size_t prev = 0;
        for (uint64_t t = 0; t < nt; t++) {
            /* what the coder keeps: offsets forward, within the text */
            size_t ws = fs[f].tokens[t].start, we = fs[f].tokens[t].end;
            if (ws < prev) ws = prev;
            if (we < ws) we = ws;
            if (we > fs[f].text_len) we = fs[f].text_len;
            if (ws > we) ws = we;
            assert_int_equal(a[t], ws);
            assert_int_equal(e[t], we);
            prev = we;
        }
        free(a);
        free(e);
    }
    assert_ptr_equal(p, end);
}

static void test_record_french(void **state)
{
    (void)state;
    const char *text = "L'été, à Besançon : 3×4 ÷ 2… «grève» aujourd’hui !";
    /* the default tokens, then the same with two tokens not default */
    crible_index_token toks[20];
    uint32_t se[][2] = {{0, 2}, {2, 7}, {7, 8}, {9, 11}, {12, 21}, {22, 23}, {24, 25}, {25, 27},
                        {27, 28}, {29, 31}, {32, 33}, {33, 36}, {37, 39}, {39, 45}, {45, 47},
                        {48, 63}, {64, 65}};
    size_t n = sizeof se / sizeof *se;
    for (size_t i = 0; i < n; i++) toks[i] = (crible_index_token){NULL, NULL, se[i][0], se[i][1]};
    ix_docfield fs[2] = {{"text", text, strlen(text), toks, (uint32_t)n, NULL, 0, NULL, NULL},
                         {"title", "Grève générale", strlen("Grève générale"), toks, 2, NULL, 0, NULL, NULL}};
    ix_buf rec = {0};
    assert_true(ix_stored_record(&rec, "{\"id\":\"a\"}", 10, fs, 2));
    check_record(&rec, "{\"id\":\"a\"}", fs, 2);
    toks[3].end = 10;   /* "à" cut in its middle */
    toks[4].start = 13; /* "Besançon" without its B */
    assert_true(ix_stored_record(&rec, "{}", 2, fs, 1));
    check_record(&rec, "{}", fs, 1);
    ix_buf_free(&rec);
}

/* Random texts of French pieces, random tokens (gaps of 0 to 2 bytes,
 * 0 to 9 bytes long): what is read back is what was given, clamped. */
static void test_record_random(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "Z", "9", "q", "é", "É", "ç", "à", "×", "÷", "ÿ", "À", " ", " ",
                                         "'", "’", "\xc2\xa0", ".", ",", "-", "\t", "«", "…", "\xc3", "\xff"};
    const size_t np = sizeof pieces / sizeof *pieces;
    crible_index_token toks[200];
    ix_buf rec = {0};
    srand(5);
    for (int round = 0; round < 3000; round++) {
        char text[400];
        size_t tl = 0, want = (size_t)(rand() % 200);
        while (tl < want) {
            const char *pc = rand() % 2 ? pieces[rand() % 8] : pieces[rand() % np];
            size_t l = strlen(pc);
            memcpy(text + tl, pc, l);
            tl += l;
        }
        uint32_t n = 0, at = 0;
        while (n < 200 && at < tl + 2) {
            at += (uint32_t)(rand() % 3);
            uint32_t end = at + (uint32_t)(rand() % 10);
            if (rand() % 8 == 0) end = at - (at > 0);   /* backwards: clamped */
            toks[n++] = (crible_index_token){NULL, NULL, at, end};
            at = end;
        }
        ix_docfield f = {"text", text, tl, toks, n, NULL, 0, NULL, NULL};
        assert_true(ix_stored_record(&rec, "{}", 2, &f, 1));
        check_record(&rec, "{}", &f, 1);
    }
    ix_buf_free(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_french),
        cmocka_unit_test(test_record_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
