/*
 * test_utf8.c - crible_utf8_invalid_offset (utf8.c) against the character
 * by character reference (crible_utf8_char) on every sequence of two bytes
 * and the three- and four-byte sequences a lead byte starts (one byte
 * taking every value, the others each kind of byte), around a 16-byte
 * block's end: the 16-bytes-at-a-time walk (SSE2) must accept nothing the
 * reference rejects, nor cut a character wrongly at a block's end or at
 * the text's end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"

static size_t reference(const unsigned char *s, size_t n)
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

/* seq[0..len) written at `at` in 40 bytes of French ASCII, the text cut
 * after `end` bytes; the answer compared with the reference. */
static void check_at(const unsigned char *seq, size_t len, size_t at, size_t end)
{
    unsigned char text[48];
    memcpy(text, "le chat de la voisine mange des souris noires", 40);
    memcpy(text + at, seq, len);
    size_t want = reference(text, end), got = crible_utf8_invalid_offset((const char *)text, end);
    if (got != want)
        fail_msg("%02x %02x %02x %02x (%zu bytes) at %zu of %zu: %zu, not %zu", seq[0],
                 len > 1 ? seq[1] : 0, len > 2 ? seq[2] : 0, len > 3 ? seq[3] : 0, len, at, end, got, want);
}

/* Every pair of bytes at the text's start and around the first block's
 * end, the text 40 bytes or cut just after the pair. */
static void test_every_pair(void **state)
{
    (void)state;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            unsigned char seq[2] = {(unsigned char)a, (unsigned char)b};
            static const size_t places[] = {0, 13, 14, 15, 16, 17};
            for (size_t p = 0; p < sizeof places / sizeof *places; p++) {
                size_t at = places[p];
                check_at(seq, 2, at, 40);
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
    check_at(seq, len, 15, 40);         /* starts on the block's last byte */
    check_at(seq, len, 17 - len, 17);   /* ends the text */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_every_three),
        cmocka_unit_test(test_every_four),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
