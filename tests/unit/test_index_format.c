/*
 * test_index_format.c - the index's codecs (index_format.h): CRC32C against
 * the standard check value, varints at their limits and cut short, bit
 * packing of blocks of 128 at every width, dates as numbers, token offsets
 * coded against the default token (and round-tripping on any bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "index_format.h"

static void test_crc32c(void **state)
{
    (void)state;
    assert_int_equal(ix_crc32c(0, "123456789", 9), 0xE3069283u);
    /* chaining equals one pass */
    uint32_t c = ix_crc32c(0, "1234", 4);
    assert_int_equal(ix_crc32c(c, "56789", 5), 0xE3069283u);
    assert_int_equal(ix_crc32c(0, "", 0), 0);
}

static void test_varint(void **state)
{
    (void)state;
    const uint64_t vals[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        uint8_t b[10];
        size_t n = ix_varint_put(b, vals[i]);
        const uint8_t *p = b;
        uint64_t v;
        assert_true(ix_varint_get(&p, b + n, &v));
        assert_true(v == vals[i]);
        assert_ptr_equal(p, b + n);
        /* cut short: refused, pointer unchanged */
        if (n > 1) {
            p = b;
            assert_false(ix_varint_get(&p, b + n - 1, &v));
            assert_ptr_equal(p, b);
        }
    }
    /* 11 continuation bytes: refused */
    uint8_t bad[11];
    memset(bad, 0xff, sizeof bad);
    const uint8_t *p = bad;
    uint64_t v;
    assert_false(ix_varint_get(&p, bad + sizeof bad, &v));
    uint32_t v32;
    uint8_t big[10];
    size_t n = ix_varint_put(big, (uint64_t)UINT32_MAX + 1);
    p = big;
    assert_false(ix_varint_get32(&p, big + n, &v32));
}

static void test_pack(void **state)
{
    (void)state;
    uint32_t in[128], out[128];
    uint8_t buf[16 * 32];
    for (unsigned bits = 0; bits <= 32; bits++) {
        uint64_t max = bits == 32 ? UINT32_MAX : (1ull << bits) - 1;
        for (int i = 0; i < 128; i++) in[i] = (uint32_t)((i * 2654435761u) & max);
        in[7] = (uint32_t)max;
        assert_int_equal(ix_bits_needed(in, 128), bits);
        ix_pack128(in, bits, buf);
        ix_unpack128(buf, bits, out);
        assert_memory_equal(in, out, sizeof in);
    }
}

/* The streaming bit writer lays values out as a bit-by-bit writer would
 * (low bits first), whatever their widths, and reads back with
 * ix_bits_get; the example of index_format.h. */
static void test_bitw(void **state)
{
    (void)state;
    uint8_t out[16];
    ix_bitw w = {out, 0, 0};
    ix_bitw_put(&w, 5, 3);
    ix_bitw_put(&w, 1, 2);
    ix_bitw_end(&w);
    assert_ptr_equal(w.p, out + 1);
    assert_int_equal(out[0], 0x0d);
    srand(5);
    for (int round = 0; round < 300; round++) {
        uint8_t fast[600], slow[600];
        uint64_t vals[80];
        unsigned widths[80], n = (unsigned)(rand() % 80);
        memset(fast, 0xa5, sizeof fast);   /* nothing is read from the output */
        memset(slow, 0, sizeof slow);
        ix_bitw bw = {fast, 0, 0};
        uint64_t bit = 0;
        for (unsigned i = 0; i < n; i++) {
            widths[i] = 1 + (unsigned)(rand() % 64);
            vals[i] = ((uint64_t)rand() << 40 ^ (uint64_t)rand() << 20 ^ (uint64_t)rand()) &
                      (~0ull >> (64 - widths[i]));
            ix_bitw_put(&bw, vals[i], widths[i]);
            for (unsigned k = 0; k < widths[i]; k++, bit++) slow[bit >> 3] |= (uint8_t)(((vals[i] >> k) & 1) << (bit & 7));
        }
        ix_bitw_end(&bw);
        size_t bytes = (size_t)((bit + 7) / 8);
        assert_ptr_equal(bw.p, fast + bytes);
        if (bit & 7) fast[bytes - 1] &= (uint8_t)((1u << (bit & 7)) - 1);   /* the last byte's unused bits */
        assert_memory_equal(fast, slow, bytes);
        for (unsigned i = 0, at = 0; i < n; at += widths[i], i++)
            if (widths[i] <= 57) assert_true(ix_bits_get(fast, bytes, at, widths[i]) == vals[i]);
    }
}

static void test_dates(void **state)
{
    (void)state;
    double d;
    assert_true(ix_parse_date("2020-05-03", &d));
    assert_true(d == 20200503);
    assert_true(ix_parse_date("2020-05", &d));
    assert_true(d == 20200500);
    assert_true(ix_parse_date("2020", &d));
    assert_true(d == 20200000);
    assert_false(ix_parse_date("2020-13-01", &d));
    assert_false(ix_parse_date("20-05-03", &d));
    assert_false(ix_parse_date("le 3 mai", &d));
}

/* Token offsets coded against the default token: French words, elisions
 * and runs of punctuation are runs of default tokens (a varint a run);
 * anything round-trips, even on bytes that are not UTF-8. */
static void offsets_round_trip(const char *text, size_t tl, const uint32_t *st, const uint32_t *en, uint32_t n,
                               ix_buf *b)
{
    b->len = 0;
    assert_true(ix_offsets_encode(b, text, tl, st, en, n));
    uint32_t a[256], e[256];
    const uint8_t *p = b->data;
    assert_true(ix_offsets_decode(&p, b->data + b->len, text, tl, n, a, e));
    assert_ptr_equal(p, b->data + b->len);
    assert_memory_equal(a, st, n * sizeof *a);
    assert_memory_equal(e, en, n * sizeof *e);
}

static void test_offsets(void **state)
{
    (void)state;
    /* Pas bon du tout, l'été… « peut-être » dit-il ! */
    const char *t = "Pas bon du tout, l'\xc3\xa9t\xc3\xa9\xe2\x80\xa6 \xc2\xab peut-\xc3\xaatre \xc2\xbb dit-il !!";
    const uint32_t st[] = {0, 4, 8, 11, 15, 17, 19, 24, 28, 31, 42, 45, 48, 52};
    const uint32_t en[] = {3, 7, 10, 15, 16, 19, 24, 27, 30, 41, 44, 48, 51, 54};
    /* "peut-être" and "-il" are not defaults: runs of 9, 2 and 1 around them */
    const uint8_t codes[] = {9, 2 * (10 + 1), 2, 2 * (3 + 1), 1};
    ix_buf b = {0}, up = {0};
    offsets_round_trip(t, strlen(t), st, en, 14, &b);
    assert_int_equal(b.len, sizeof codes);
    assert_memory_equal(b.data, codes, sizeof codes);
    /* version 3 coded each token (0: a default one): upgraded, the same */
    const uint8_t v3[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 2 * (10 + 1), 0, 0, 2 * (3 + 1), 0};
    const uint8_t *p = v3;
    assert_true(ix_offsets_upgrade(&up, &p, v3 + sizeof v3, 14));
    assert_ptr_equal(p, v3 + sizeof v3);
    assert_int_equal(up.len, sizeof codes);
    assert_memory_equal(up.data, codes, sizeof codes);
    p = v3;
    assert_false(ix_offsets_upgrade(&up, &p, v3 + 5, 14));   /* cut */
    /* a run longer than the tokens left, a cut code: damaged */
    const uint8_t bad[] = {15}, cut[] = {9, 2 * 4 + 1};
    p = bad;
    assert_false(ix_offsets_skip(&p, bad + 1, 14));
    p = cut;
    assert_false(ix_offsets_skip(&p, cut + 2, 14));
    /* a token that starts elsewhere: no run, gap and length */
    const uint32_t st2[] = {4}, en2[] = {6};
    offsets_round_trip(t, strlen(t), st2, en2, 1, &b);
    assert_int_equal(b.len, 3);
    assert_int_equal(b.data[0], 0);
    assert_int_equal(b.data[1], 2 * 4 + 1);
    assert_int_equal(b.data[2], 2);
    /* empty tokens at the end are coded one by one (a token takes a byte
     * of the text or of the codes: the reader's bound) */
    const uint32_t st3[] = {0, 2, 2}, en3[] = {2, 2, 2};
    const uint8_t codes3[] = {1, 0, 0, 0};
    offsets_round_trip("ab", 2, st3, en3, 3, &b);
    assert_int_equal(b.len, sizeof codes3);
    assert_memory_equal(b.data, codes3, sizeof codes3);
    ix_buf_free(&up);
    /* random bytes, random tokens */
    srand(7);
    for (int round = 0; round < 2000; round++) {
        char r[80];
        size_t tl = (size_t)(rand() % 80);
        const char alphabet[] = "ab9 .'-\xc3\xa9\xe2\x80\x99\xc2\xa0\xf0\x9f\x98\x80\xff\t";
        for (size_t i = 0; i < tl; i++) r[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        uint32_t s2[64], e2[64], n = 0, at = 0;
        while (n < 64 && at < tl) {
            at += (uint32_t)(rand() % 3);
            if (at > tl) at = (uint32_t)tl;
            uint32_t end = at + (uint32_t)(rand() % 6);
            if (end > tl) end = (uint32_t)tl;
            s2[n] = at;
            e2[n++] = end;
            at = end;
        }
        offsets_round_trip(r, tl, s2, e2, n, &b);
    }
    ix_buf_free(&b);
}

/* The default token as index_format.c's STORED says it, code point by
 * code point (the reference the coder's byte-at-a-time paths must agree
 * with): white space skipped, then a word (letters and digits, one
 * apostrophe after them) or a run of one other character. */
static size_t ref_space(const unsigned char *t, size_t n, size_t i)
{
    if (t[i] == ' ' || (t[i] >= '\t' && t[i] <= '\r')) return 1;
    if (t[i] == 0xc2 && i + 1 < n && t[i + 1] == 0xa0) return 2;
    if (t[i] == 0xe2 && i + 2 < n && t[i + 1] == 0x80 && (t[i + 2] == 0xaf || t[i + 2] == 0x89)) return 3;
    return 0;
}

static uint32_t ref_code(const unsigned char *u, size_t n, size_t i, size_t *len)
{
    size_t k = u[i] < 0x80 ? 1 : u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : u[i] >= 0xc0 ? 2 : 0;
    *len = 1;
    if (k <= 1 || k > n - i) return u[i];
    uint32_t c = u[i] & (0x7f >> k);
    for (size_t j = 1; j < k; j++) {
        if ((u[i + j] & 0xc0) != 0x80) return u[i];
        c = c << 6 | (u[i + j] & 0x3f);
    }
    *len = k;
    return c;
}

static bool ref_word(uint32_t c)
{
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return c >= 0xc0 && c != 0xd7 && c != 0xf7 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f) &&
           !(c >= 0x1f000 && c <= 0x1faff);
}

static void ref_default(const char *text, size_t n, size_t prev, uint32_t *a, uint32_t *e)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t i = prev, k;
    while (i < n && (k = ref_space(t, n, i))) i += k;
    *a = (uint32_t)i;
    if (i < n) {
        uint32_t c0 = ref_code(t, n, i, &k);
        i += k;
        if (ref_word(c0)) {
            while (i < n) {
                uint32_t c = ref_code(t, n, i, &k);
                if (ref_word(c)) { i += k; continue; }
                if (c == '\'' || c == 0x2019) i += k;
                break;
            }
        } else {
            while (i < n && ref_code(t, n, i, &k) == c0 && !ref_space(t, n, i)) i += k;
        }
    }
    *e = (uint32_t)i;
}

/* Texts cut into the reference's default tokens code as one run (a
 * varint: their count) and decode back to them: letters of every case,
 * the ASCII bytes around the letters' and digits' ranges, accents,
 * apostrophes, no-break spaces, emoji, overlong forms of "A", ".", " "
 * and "'" (a code point below 0x80 in two bytes: the overlong space a
 * punctuation run of its own that a real space ends, the overlong
 * apostrophe ending a word), stray bytes. */
static void test_default_tokens(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "Z", "9", "q", " ", "\t", "\n", ".", ".", "!", "'", "-", "_", "@",
                                         "/", ":", "[", "`", "{", "z", "0", "A",
                                         "\xc3\xa9", "\xc3\x89", "\xc3\x97", "\xe2\x80\x99", "\xc2\xa0",
                                         "\xe2\x80\xaf", "\xe2\x80\x89", "\xe2\x80\xa6", "\xf0\x9f\x98\x80",
                                         "\xc1\x81", "\xc0\xae", "\xc0\xa0", "\xc0\xa7", "\xff", "\x80", "\xc3", "\xe3\x80\x82"};
    const size_t npieces = sizeof pieces / sizeof *pieces;
    ix_buf b = {0};
    srand(11);
    for (int round = 0; round < 5000; round++) {
        char r[160];
        size_t tl = 0, want = (size_t)(rand() % 120);
        while (tl < want) {
            /* words are long runs of letters: weight them */
            const char *pc = rand() % 3 ? pieces[rand() % 4] : pieces[rand() % npieces];
            size_t l = strlen(pc);
            memcpy(r + tl, pc, l);
            tl += l;
        }
        uint32_t st[160], en[160], n = 0, prev = 0;
        for (;;) {
            ref_default(r, tl, prev, &st[n], &en[n]);
            if (en[n] == st[n]) break;   /* the text's end */
            prev = en[n++];
        }
        offsets_round_trip(r, tl, st, en, n, &b);
        uint8_t one[10];
        size_t ol = n ? ix_varint_put(one, n) : 0;
        assert_int_equal(b.len, ol);
        assert_memory_equal(b.data, one, ol);
    }
    ix_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_varint),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_bitw),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_default_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
