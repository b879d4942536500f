/*
 * entities_key.c - owns the matching key of entities_key.h: case folding,
 * accent stripping and separator removal, fast on ASCII, table-driven on
 * Latin letters (the table is built once from ICU's decompositions).
 */
#include "entities_key.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

/* Code points below FOLD_MAX (Latin, Latin-1, Latin Extended-A/B, IPA, Greek,
 * Cyrillic) are folded through the table: 0 means "drop it". */
#define FOLD_MAX 0x0530
static uint32_t fold_table[FOLD_MAX];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static bool is_separator(UChar32 c)
{
    return c == ' ' || c == 0xA0 || c == 0x202F || c == '-' || c == 0x2010 ||
           c == 0x2011 || c == '\'' || c == 0x2019 || c == 0x02BC || c == '.';
}

static void fold_init(void)
{
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&e);
    for (UChar32 c = 0; c < FOLD_MAX; c++) {
        UChar32 f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
        if (is_separator(c)) {
            fold_table[c] = 0;
            continue;
        }
        if (U_SUCCESS(e) && f >= 0x80) {
            UChar buf[8];
            UErrorCode e2 = U_ZERO_ERROR;
            int32_t n = unorm2_getDecomposition(nfd, f, buf, 8, &e2);
            if (U_SUCCESS(e2) && n > 0) {
                UChar32 base;
                int32_t i = 0;
                U16_NEXT(buf, i, n, base);
                bool marks_only = true;
                while (i < n) {
                    UChar32 m;
                    U16_NEXT(buf, i, n, m);
                    if (u_charType(m) != U_NON_SPACING_MARK) marks_only = false;
                }
                if (marks_only) f = u_foldCase(base, U_FOLD_CASE_DEFAULT);
            }
        }
        fold_table[c] = (uint32_t)f;
    }
}

static size_t put_utf8(char *out, size_t len, size_t cap, UChar32 c)
{
    uint8_t tmp[4];
    int32_t k = 0;
    UBool err = false;
    U8_APPEND(tmp, k, 4, c, err);
    if (err || len + (size_t)k > cap) return len;
    memcpy(out + len, tmp, (size_t)k);
    return len + (size_t)k;
}

size_t crible_entities_key(const char *s, size_t n, char *out, size_t cap)
{
    pthread_once(&fold_once, fold_init);
    const uint8_t *p = (const uint8_t *)s;
    size_t len = 0;
    int32_t i = 0, end = (int32_t)n;
    while (i < end && len < cap) {
        uint8_t b = p[i];
        if (b < 0x80) {
            i++;
            if (b >= 'A' && b <= 'Z') b = (uint8_t)(b + 32);
            else if (b == ' ' || b == '-' || b == '\'' || b == '.') continue;
            out[len++] = (char)b;
            continue;
        }
        int32_t start = i;
        UChar32 c;
        U8_NEXT(p, i, end, c);
        if (c < 0) {                      /* invalid byte: copy it */
            for (int32_t k = start; k < i && len < cap; k++) out[len++] = (char)p[k];
            continue;
        }
        if (c < FOLD_MAX) {
            c = (UChar32)fold_table[c];
            if (c == 0) continue;
        } else if (is_separator(c)) {
            continue;
        } else {
            c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
        }
        if (c == 0x153) {                 /* œ */
            len = put_utf8(out, len, cap, 'o');
            len = put_utf8(out, len, cap, 'e');
        } else if (c == 0xE6) {           /* æ */
            len = put_utf8(out, len, cap, 'a');
            len = put_utf8(out, len, cap, 'e');
        } else if (c == 0xDF) {           /* ß */
            len = put_utf8(out, len, cap, 's');
            len = put_utf8(out, len, cap, 's');
        } else {
            len = put_utf8(out, len, cap, c);
        }
    }
    return len;
}

static UChar32 first_char(const char *s, size_t n)
{
    if (n == 0) return -1;
    int32_t i = 0;
    UChar32 c;
    U8_NEXT((const uint8_t *)s, i, (int32_t)n, c);
    return c;
}

bool crible_entities_is_capitalized(const char *s, size_t n)
{
    UChar32 c = first_char(s, n);
    if (c < 0) return false;
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    return u_isupper(c) || u_istitle(c);
}

bool crible_entities_is_all_caps(const char *s, size_t n)
{
    int32_t i = 0, end = (int32_t)n, letters = 0;
    while (i < end) {
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, end, c);
        if (c < 0) return false;
        if (u_isalpha(c)) {
            if (!u_isupper(c)) return false;
            letters++;
        }
    }
    return letters >= 2;
}
