/*
 * test_utf8.c - crible_utf8_invalid_offset (utf8.c) against the character
 * by character reference (crible_utf8_char) on every sequence of two bytes
 * and the three- and four-byte sequences a lead byte starts (one byte
 * taking every value, the others each kind of byte), around a 16-byte and
 * a 32-byte block's end: the 32-bytes-at-a-time walk (AVX2, where the
 * processor has it) and the 16-bytes-at-a-time one (SSE2), each checked,
 * must accept nothing the reference rejects, nor cut a character wrongly
 * at a block's end or at the text's end, and name the reference's offset;
 * and the examples and random texts of French with every kind of fault
 * at every place of a 32-byte window, cut anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"
#include "utf8.h"

static void test_utf8(void **state)
{
    (void)state;
    const char ok[] = "Royaume-Uni, cœur 👍🏽 🇫🇷 déçu";
    assert_int_equal(crible_utf8_invalid_offset(ok, strlen(ok)), strlen(ok));
    assert_int_equal(crible_utf8_invalid_offset("ab\xc0\xaf", 4), 2);          /* overlong */
    assert_int_equal(crible_utf8_invalid_offset("\xed\xa0\x80", 3), 0);       /* surrogate */
    assert_int_equal(crible_utf8_invalid_offset("\xf4\x90\x80\x80", 4), 0);   /* > U+10FFFF */
    assert_int_equal(crible_utf8_invalid_offset("abcdefgh\xc3", 9), 8);       /* cut */
    size_t bad = 0;
    assert_int_equal(crible_utf8_char((const unsigned char *)"é", 2, &bad), 2);
    assert_int_equal(crible_utf8_char((const unsigned char *)"👍", 4, &bad), 4);
    assert_int_equal(crible_utf8_char((const unsigned char *)"\xe0\xa0x", 3, &bad), 0);
    assert_int_equal(bad, 2);                 /* a truncated sequence: one U+FFFD */
    assert_int_equal(crible_utf8_char((const unsigned char *)"\xf0\x90\x80", 3, &bad), 0);
    assert_int_equal(bad, 3);
    assert_int_equal(crible_utf8_char((const unsigned char *)"\xc0\xaf", 2, &bad), 0);
    assert_int_equal(bad, 1);                 /* C0 never starts a character */
    assert_int_equal(crible_utf8_char((const unsigned char *)"\xed\xa0\x80", 3, &bad), 0);
    assert_int_equal(bad, 1);                 /* a surrogate */
}

/* The first bad byte of s, character by character (crible_utf8_char). */
static size_t utf8_reference(const unsigned char *s, size_t n)
{
    size_t i = 0, bad;
    while (i < n) {
        size_t len = crible_utf8_char(s + i, n - i, &bad);
        if (!len)
            return i;
        i += len;
    }
    return n;
}

/* The 16-byte validation against the reference on texts of mostly ASCII
 * and French letters, with every kind of character and of fault at every
 * place of a 16-byte block (a lead cut by the block's end, E0 ED F0 F4 and
 * their bounds, C0 C1 F5..FF, continuation bytes alone or missing). */
static void test_utf8_blocks(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "b", " ", "é", "ç", "œ", "’", "«", "€", "\xe0\xa0\x80", "\xed\x9f\xbf",
        "\xef\xbf\xbd", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "👍", "\xf3\xa0\x80\x81",
        "abcdefghijklmnop"};
    static const char *const faults[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc3", "\xe2\x82", "\xe0\x9f\xbf",
        "\xed\xa0\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xff", "\xc3\xc3", "\xe2\x82\x41", "\xf0\x9f\x91"};
    unsigned seed = 12345;
    unsigned char text[160];
    for (int round = 0; round < 200000; round++) {
        size_t n = 0;
        while (n < 120) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
            memcpy(text + n, p, strlen(p));
            n += strlen(p);
        }
        seed = seed * 1103515245u + 12345u;
        if (round % 4) {   /* a fault somewhere (or a cut at the end) */
            const char *f = faults[(seed >> 8) % (sizeof faults / sizeof *faults)];
            size_t at = (seed >> 16) % n;
            memcpy(text + at, f, strlen(f));
        }
        size_t len = round % 3 ? n : (seed >> 4) % n;
        size_t want = utf8_reference(text, len);
        for (int simd = 0; simd < 2; simd++) {
            crible_simd_use_avx2(simd);
            size_t got = crible_utf8_invalid_offset((const char *)text, len);
            if (got != want)
                fail_msg("round %d (%s): %zu, not %zu", round, simd ? "simd" : "no simd", got, want);
        }
    }
}

#define TEXT_LEN 72   /* more than two 32-byte blocks */

/* seq[0..len) written at `at` in TEXT_LEN bytes of French ASCII, the text
 * cut after `end` bytes; the answers of both walks compared with the
 * reference. */
static void check_at(const unsigned char *seq, size_t len, size_t at, size_t end)
{
    unsigned char text[TEXT_LEN + 8];
    memcpy(text, "le chat de la voisine mange des souris noires et le chien dort dans la cour",
           TEXT_LEN);
    memcpy(text + at, seq, len);
    size_t want = utf8_reference(text, end);
    for (int simd = 0; simd < 2; simd++) {
        crible_simd_use_avx2(simd);
        size_t got = crible_utf8_invalid_offset((const char *)text, end);
        if (got != want)
            fail_msg("%02x %02x %02x %02x (%zu bytes) at %zu of %zu (%s): %zu, not %zu", seq[0],
                     len > 1 ? seq[1] : 0, len > 2 ? seq[2] : 0, len > 3 ? seq[3] : 0, len, at, end,
                     simd ? "simd" : "no simd", got, want);
    }
}

/* Every pair of bytes at the text's start and around the first 16-byte
 * and 32-byte blocks' ends, the text whole or cut just after the pair. */
static void test_every_pair(void **state)
{
    (void)state;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            unsigned char seq[2] = {(unsigned char)a, (unsigned char)b};
            static const size_t places[] = {0, 13, 14, 15, 16, 17, 29, 30, 31, 32, 33, 63, 64};
            for (size_t p = 0; p < sizeof places / sizeof *places; p++) {
                size_t at = places[p];
                check_at(seq, 2, at, TEXT_LEN);
                if (at + 2 >= 16) check_at(seq, 2, at, at + 2);
                if (at + 1 >= 16) check_at(seq, 1, at, at + 1);
            }
        }
}

/* Bytes of each kind the tables tell apart: ASCII, each continuation
 * range that bounds a lead (80..8F, 90..9F, A0..BF), the leads and their
 * special values (C0 C1 E0 ED F0 F4), F5..FF. */
static const unsigned char kinds[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                      0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF3, 0xF4,
                                      0xF5, 0xFF};
#define NKINDS (sizeof kinds / sizeof *kinds)

static void check_long(const unsigned char *seq, size_t len)
{
    check_at(seq, len, 15, TEXT_LEN);   /* starts on a 16-byte block's last byte */
    check_at(seq, len, 17 - len, 17);   /* ends the text */
    check_at(seq, len, 30, TEXT_LEN);   /* across a 32-byte block's end */
    check_at(seq, len, 31, TEXT_LEN);
    check_at(seq, len, 33 - len, 33);   /* ends the text one past a 32-byte block */
}

/* Three bytes after each lead C0..FF: every second byte with each kind of
 * third, each kind of second with every third. */
static void test_every_three(void **state)
{
    (void)state;
    for (unsigned a = 0xC0; a < 256; a++)
        for (unsigned x = 0; x < 256; x++)
            for (size_t k = 0; k < NKINDS; k++) {
                unsigned char s1[3] = {(unsigned char)a, (unsigned char)x, kinds[k]};
                unsigned char s2[3] = {(unsigned char)a, kinds[k], (unsigned char)x};
                check_long(s1, 3);
                check_long(s2, 3);
            }
}

/* Four bytes after each lead F0..F7: every second byte (the one a lead
 * bounds), the third and fourth of each kind. */
static void test_every_four(void **state)
{
    (void)state;
    for (unsigned a = 0xF0; a < 0xF8; a++)
        for (unsigned x = 0; x < 256; x++)
            for (size_t k = 0; k < NKINDS; k++)
                for (size_t j = 0; j < NKINDS; j++) {
                    unsigned char seq[4] = {(unsigned char)a, (unsigned char)x, kinds[k], kinds[j]};
                    check_long(seq, 4);
                }
}

/* Each fault (a truncated sequence, a lone continuation, overlong forms,
 * surrogates, past U+10FFFF, C0 C1 F5..FF) at every place of a 32-byte
 * window in texts of accented French (2-, 3- and 4-byte characters
 * around it), the text cut at every length: both walks give the
 * reference's offset. */
static void test_window(void **state)
{
    (void)state;
    static const char *const faults[] = {
        "\xc3", "\xe2\x82", "\xf0\x9f\x91", "\x80", "\xbf\xbf", "\xc0\xaf", "\xc1\xbf",
        "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf", "\xed\xa0\x80",
        "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf7\xbf\xbf\xbf", "\xff",
        "\xfe", "\xc3\xa9\xa9", "\xe2\x82\xac\x80", "\xc3\x41", "\xe2\x41\x82"};
    static const char base[] = "Les élèves ont réussi l’épreuve — 👍 déjà vu « ça » au cœur de l’été, naïf";
    const size_t blen = sizeof base - 1;
    unsigned char text[sizeof base + 8];
    for (size_t f = 0; f < sizeof faults / sizeof *faults; f++)
        for (size_t at = 32; at < 64; at++)
            for (size_t end = at; end <= blen; end++) {
                size_t fl = strlen(faults[f]);
                memcpy(text, base, blen);
                memcpy(text + at, faults[f], at + fl <= blen ? fl : blen - at);
                size_t want = utf8_reference(text, end);
                for (int simd = 0; simd < 2; simd++) {
                    crible_simd_use_avx2(simd);
                    size_t got = crible_utf8_invalid_offset((const char *)text, end);
                    if (got != want)
                        fail_msg("fault %zu at %zu, cut at %zu (%s): %zu, not %zu", f, at, end,
                                 simd ? "simd" : "no simd", got, want);
                }
            }
}

/* Random bytes, mostly well-formed UTF-8 with random bytes in half
 * of them, of every length up to 300: both walks give the
 * reference's offset. */
static void test_random(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    unsigned char text[320];
    for (int round = 0; round < 300000; round++) {
        size_t n = 0, len;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        len = x % 300;
        while (n < len) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint32_t cp;
            switch (x % 8) {
            case 0: case 1: case 2: cp = 0x20 + (uint32_t)(x >> 8) % 0x5F; break;
            case 3: cp = 0xA0 + (uint32_t)(x >> 8) % 0x160; break;
            case 4: cp = 0x800 + (uint32_t)(x >> 8) % 0xF800; break;
            case 5: cp = 0x10000 + (uint32_t)(x >> 8) % 0x100000; break;
            case 6:
                if (round % 2) {   /* any byte, in half of the texts */
                    text[n++] = (unsigned char)(x >> 8);
                    continue;
                }
                cp = 'q';
                break;
            default: cp = 'a' + (uint32_t)(x >> 8) % 26; break;
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 'x';
            if (cp < 0x80) {
                text[n++] = (unsigned char)cp;
            } else if (cp < 0x800) {
                text[n++] = (unsigned char)(0xC0 | cp >> 6);
                text[n++] = (unsigned char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                text[n++] = (unsigned char)(0xE0 | cp >> 12);
                text[n++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
                text[n++] = (unsigned char)(0x80 | (cp & 0x3F));
            } else {
                text[n++] = (unsigned char)(0xF0 | cp >> 18);
                text[n++] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
                text[n++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
                text[n++] = (unsigned char)(0x80 | (cp & 0x3F));
            }
        }
        size_t want = utf8_reference(text, n);
        for (int simd = 0; simd < 2; simd++) {
            crible_simd_use_avx2(simd);
            size_t got = crible_utf8_invalid_offset((const char *)text, n);
            if (got != want)
                fail_msg("round %d, %zu bytes (%s): %zu, not %zu", round, n, simd ? "simd" : "no simd",
                         got, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_blocks),
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_every_three),
        cmocka_unit_test(test_every_four),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
