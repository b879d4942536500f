/*
 * stem_fold.c - case, accent and ligature folding for stem_fold.h, with
 * ICU (u_strFoldCase, the NFD/NFC normalizers).  Only cache misses and
 * configuration words come here, so the UTF-16 round trip costs little.
 */
#include "stem_fold.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#define MAXU 1024   /* words longer than this many UTF-16 units are not folded */

bool crible_is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

static size_t copy_out(const char *in, size_t len, char *out, size_t cap)
{
    if (len + 1 > cap)
        return (size_t)-1;
    memcpy(out, in, len);
    out[len] = '\0';
    return len;
}

static size_t to_utf8(const UChar *u, int32_t n, char *out, size_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = 0;
    if (cap > (size_t)INT32_MAX)
        cap = INT32_MAX;
    u_strToUTF8(out, (int32_t)cap, &len, u, n, &st);
    if (U_FAILURE(st) || (size_t)len + 1 > cap)
        return (size_t)-1;
    out[len] = '\0';
    return (size_t)len;
}

static int32_t from_utf8(const char *in, size_t len, UChar *u, int32_t cap)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    if (len > (size_t)MAXU)
        return -1;
    u_strFromUTF8(u, cap, &n, in, (int32_t)len, &st);
    if (U_FAILURE(st) || n > cap)
        return -1;
    return n;
}

size_t crible_fold_case(const char *in, size_t len, char *out, size_t cap)
{
    UChar a[MAXU], b[MAXU * 3];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = from_utf8(in, len, a, MAXU);
    if (n < 0)
        return (size_t)-1;
    int32_t m = u_strFoldCase(b, MAXU * 3, a, n, U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st) || m > MAXU)
        return (size_t)-1;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    int32_t k = unorm2_normalize(nfc, b, m, a, MAXU, &st);
    if (U_FAILURE(st))
        return (size_t)-1;
    for (int32_t i = 0; i < k; i++)
        if (a[i] == 0x2019 || a[i] == 0x02BC)
            a[i] = '\'';
    return to_utf8(a, k, out, cap);
}

/* Writes u[0..n) with œ æ Œ Æ expanded into v; returns the new length. */
static int32_t expand_ligatures(const UChar *u, int32_t n, UChar *v, int32_t cap)
{
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (u[i]) {
        case 0x0153: rep = "oe"; break;
        case 0x0152: rep = "OE"; break;
        case 0x00E6: rep = "ae"; break;
        case 0x00C6: rep = "AE"; break;
        default: break;
        }
        if (k + 2 > cap)
            return -1;
        if (rep) {
            v[k++] = (UChar)rep[0];
            v[k++] = (UChar)rep[1];
        } else {
            v[k++] = u[i];
        }
    }
    return k;
}

size_t crible_fold_accents(const char *in, size_t len, char *out, size_t cap)
{
    if (crible_is_ascii(in, len))
        return copy_out(in, len, out, cap);
    UChar a[MAXU], b[MAXU * 2];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = from_utf8(in, len, a, MAXU);
    if (n < 0)
        return (size_t)-1;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
    int32_t m = unorm2_normalize(nfd, a, n, b, MAXU * 2, &st);
    if (U_FAILURE(st))
        return (size_t)-1;
    int32_t k = 0;
    for (int32_t i = 0; i < m;) {   /* drop non-spacing marks (code points) */
        UChar32 c;
        int32_t j = i;
        U16_NEXT(b, i, m, c);
        if (u_charType(c) == U_NON_SPACING_MARK)
            continue;
        while (j < i)
            b[k++] = b[j++];
    }
    int32_t l = expand_ligatures(b, k, a, MAXU);
    if (l < 0)
        return (size_t)-1;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    m = unorm2_normalize(nfc, a, l, b, MAXU * 2, &st);
    if (U_FAILURE(st))
        return (size_t)-1;
    return to_utf8(b, m, out, cap);
}

size_t crible_fold_ligatures(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        const char *rep = NULL;
        if (c == 0xC5 && i + 1 < len && ((unsigned char)in[i + 1] == 0x93 || (unsigned char)in[i + 1] == 0x92))
            rep = (unsigned char)in[i + 1] == 0x93 ? "oe" : "OE";     /* U+0153 U+0152 */
        else if (c == 0xC3 && i + 1 < len && ((unsigned char)in[i + 1] == 0xA6 || (unsigned char)in[i + 1] == 0x86))
            rep = (unsigned char)in[i + 1] == 0xA6 ? "ae" : "AE";     /* U+00E6 U+00C6 */
        if (o + 3 > cap)
            return (size_t)-1;
        if (rep) {
            out[o++] = rep[0];
            out[o++] = rep[1];
            i++;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return o;
}
