/*
 * utf8.c - UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), with an ASCII fast path since most of a French
 * text is ASCII: 16 bytes at a time (SSE2), then 8, and the two-byte
 * letters of Latin-1 (é à ç) checked inline between ASCII runs.
 */
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "doc.h"

size_t crible_utf8_char(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    if (n < 2 || s[1] < lo || s[1] > hi) {
        *bad = 1;
        return 0;
    }
    size_t k = 2;
    while (k < len && k < n && s[k] >= 0x80 && s[k] <= 0xBF)
        k++;
    if (k == len)
        return len;
    *bad = k;
    return 0;
}

size_t crible_utf8_invalid_offset(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* sixteen, then eight ASCII bytes at a time */
#ifdef __SSE2__
        while (i + 16 <= n &&
               _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i))) == 0)
            i += 16;
#endif
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (i + 8 > n && n >= 8) {   /* the last bytes, as the last 8 */
            uint64_t w;
            memcpy(&w, s + n - 8, 8);
            if (!(w & 0x8080808080808080ULL))
                break;
        }
        /* then character by character to the next multiple of 8 (at
         * least one); the two-byte letters of Latin-1 (é = C3 A9) inline */
        do {
            unsigned char c = s[i];
            if (c < 0x80) {
                i++;
            } else if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
                i += 2;
            } else {
                size_t bad, len = crible_utf8_char(s + i, n - i, &bad);
                if (len == 0)
                    return i;
                i += len;
            }
        } while (i < n && (i & 7));
    }
    return n;
}
