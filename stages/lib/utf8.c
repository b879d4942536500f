/*
 * utf8.c - UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), with an ASCII fast path since most of a French
 * text is ASCII.
 */
#include <stdint.h>
#include <string.h>

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
        /* eight ASCII bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        size_t bad, len = crible_utf8_char(s + i, n - i, &bad);
        if (len == 0)
            return i;
        i += len;
    }
    return n;
}
