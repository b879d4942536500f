/*
 * tok_norm.c - character classes the tokenizer needs, the type of
 * non-word segments (punct, symbol, emoji), and the normal form of a token
 * (the CRIBLE:NORM column):
 *
 *   1. ICU full case folding, u_strFoldCase (U_FOLD_CASE_DEFAULT):
 *      "ÉTÉ" -> "été", "Straße" -> "strasse", "ǅ" -> "ǆ"; ASCII-only tokens
 *      take a fast path that gives the same result (A-Z -> a-z);
 *   2. apostrophes ’ (U+2019) and ʼ (U+02BC) -> ' ;
 *   3. if fold_accents: NFD, drop every nonspacing mark (Mn), NFC:
 *      "Déçu" -> "decu", "naïveté" -> "naivete"; œ æ ß are not accents and
 *      stay;
 *   4. UTF-8.
 * Punctuation, symbols and emoji keep their form (only ’ -> ').
 */
#include "tok_internal.h"

#include <stdlib.h>
#include <string.h>


#include <unicode/uchar.h>
#include <unicode/ustring.h>

bool tok_is_space_slow(UChar32 c)
{
    /* format characters standing alone (U+200B zero width space, U+FEFF,
     * U+2060) separate words without being one */
    int8_t t = u_charType(c);
    return u_isUWhiteSpace(c) || t == U_CONTROL_CHAR || t == U_FORMAT_CHAR;
}

static bool is_emoji_char(UChar32 c, const UChar *u, int32_t n)
{
    if (c >= 0x1F1E6 && c <= 0x1F1FF)    /* regional indicators: flags */
        return true;
    if (u_hasBinaryProperty(c, UCHAR_EMOJI_PRESENTATION))
        return true;
    if (!u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC))
        return false;
    if (c >= 0x2600)                     /* ☺ ❤ ✨ and everything above */
        return true;
    for (int32_t i = 0; i < n; i++)      /* © ™ ↔ only with VS16 or a ZWJ */
        if (u[i] == 0xFE0F || u[i] == 0x200D)
            return true;
    return false;
}

crible_token_type tok_classify_other(const UChar *u, int32_t n)
{
    UChar32 c = tok_char_at(u, n, 0);
    if (is_emoji_char(c, u, n))
        return CRIBLE_TOKEN_EMOJI;
    if (n >= 2 && u[n - 1] == 0x20E3)    /* keycaps 1️⃣ */
        return CRIBLE_TOKEN_EMOJI;
    if (c == '%' || c == 0x2030 || c == 0x2031 || c == '&' || c == 0xA7 || c == 0xB6)
        return CRIBLE_TOKEN_SYMBOL;   /* % ‰ & § ¶: punctuation for Unicode, symbols to readers */
    int8_t t = u_charType(c);
    switch (t) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
        return CRIBLE_TOKEN_PUNCT;
    default:
        return CRIBLE_TOKEN_SYMBOL;
    }
}

bool tok_is_number(const UChar *u, int32_t n)
{
    bool digit = false;
    for (int32_t i = 0; i < n; i++) {
        UChar c = u[i];
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c == ',' || c == '.' || c == '/' || c == '-' || c == ' ' || c == 0xA0 ||
                   c == 0x202F || c == 0x2009 || c == 0x2212 || c == '+') {
            continue;
        } else if (u_isdigit(c)) {
            digit = true;
        } else {
            return false;
        }
    }
    return digit;
}

void tok_norm_free(tok_normalizer *nz)
{
    free(nz->buf);
    free(nz->buf2);
    nz->buf = nz->buf2 = NULL;
    nz->cap = 0;
}

static bool reserve(tok_normalizer *nz, int32_t need, crible_error *err)
{
    if (need <= nz->cap)
        return true;
    int32_t cap = nz->cap ? nz->cap : 256;
    while (cap < need)
        cap *= 2;
    UChar *a = crible_realloc(nz->buf, sizeof(UChar) * (size_t)cap, err);
    if (!a)
        return false;
    nz->buf = a;
    UChar *b = crible_realloc(nz->buf2, sizeof(UChar) * (size_t)cap, err);
    if (!b)
        return false;
    nz->buf2 = b;
    nz->cap = cap;
    return true;
}

static crible_status icu_fail(crible_error *err, const char *what, UErrorCode e)
{
    return crible_error_set(err, CRIBLE_EINTERNAL, "ICU %s: %s", what, u_errorName(e));
}

crible_status tok_norm_append(tok_normalizer *nz, const UChar *u, int32_t n, int32_t avail,
                              crible_token_type type, bool wide, char **out, size_t *len,
                              size_t *cap, crible_error *err)
{
    bool fold = nz->fold_case && type != CRIBLE_TOKEN_EMOJI && type != CRIBLE_TOKEN_PUNCT &&
                type != CRIBLE_TOKEN_SYMBOL;
    bool accents = nz->fold_accents && type != CRIBLE_TOKEN_EMOJI && type != CRIBLE_TOKEN_URL &&
                   type != CRIBLE_TOKEN_EMAIL && type != CRIBLE_TOKEN_PUNCT &&
                   type != CRIBLE_TOKEN_SYMBOL;
    if (!tok_reserve((void **)out, cap, *len + 3 * (size_t)n + 8, 1, err))
        return CRIBLE_ENOMEM;
#ifdef __SSE2__
    if (!accents && !wide && tok_norm_ascii_block(u, n, avail, fold, (unsigned char *)*out + *len)) {
        *len += (size_t)n;
        (*out)[*len] = '\0';
        return CRIBLE_OK;
    }
#else
    (void)avail, (void)wide;
#endif
    if (!accents) {
        /* Fast path, one pass: characters whose full case folding is their
         * simple folding (all of Latin below U+0370 but ß İ ŉ ǰ) and general
         * punctuation; anything else takes the ICU path below. */
        unsigned char *o = (unsigned char *)*out + *len;
        int32_t i = 0;
        for (; i < n; i++) {
            UChar32 c = u[i];
            if (c < 0x80) {
                *o++ = (unsigned char)(fold && c >= 'A' && c <= 'Z' ? c + 32 : c);
                continue;
            }
            if (c == 0x2019 || c == 0x02BC) {
                *o++ = '\'';
                continue;
            }
            if (c >= 0x370 && !(c >= 0x2000 && c <= 0x206F))
                break;
            if (c == 0xDF || c == 0x130 || c == 0x149 || c == 0x1F0)
                break;
            if (fold) {   /* Latin-1 inline: À..Þ (but ×) fold to à..þ, µ to μ */
                if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
                    c += 0x20;
                else if (c >= 0x100 || c == 0xB5)
                    c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
            }
            if (c < 0x800) {
                *o++ = (unsigned char)(0xC0 | (c >> 6));
                *o++ = (unsigned char)(0x80 | (c & 0x3F));
            } else {
                *o++ = (unsigned char)(0xE0 | (c >> 12));
                *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
                *o++ = (unsigned char)(0x80 | (c & 0x3F));
            }
        }
        if (i == n) {
            *o = '\0';
            *len = (size_t)((char *)o - *out);
            return CRIBLE_OK;
        }
    }
    /* Case folding can triple the length (ΐ -> ΐ); accents NFD doubles. */
    if (!reserve(nz, 3 * n + 8, err))
        return CRIBLE_ENOMEM;
    UErrorCode e = U_ZERO_ERROR;
    const UChar *src = u;
    int32_t m = n;
    if (fold) {
        m = u_strFoldCase(nz->buf, nz->cap, u, n, U_FOLD_CASE_DEFAULT, &e);
        if (U_FAILURE(e))
            return icu_fail(err, "case folding", e);
        src = nz->buf;
    } else {
        memcpy(nz->buf, u, sizeof(UChar) * (size_t)n);
        src = nz->buf;
    }
    for (int32_t i = 0; i < m; i++)
        if (nz->buf[i] == 0x2019 || nz->buf[i] == 0x02BC)
            nz->buf[i] = '\'';
    if (accents) {
        if (!reserve(nz, 3 * m + 8, err))
            return CRIBLE_ENOMEM;
        e = U_ZERO_ERROR;
        int32_t d = unorm2_normalize(nz->nfd, nz->buf, m, nz->buf2, nz->cap, &e);
        if (U_FAILURE(e))
            return icu_fail(err, "NFD", e);
        int32_t k = 0;
        for (int32_t i = 0; i < d;) {
            UChar32 c = tok_char_at(nz->buf2, d, i);
            int32_t w = c > 0xFFFF ? 2 : 1;
            if (u_charType(c) != U_NON_SPACING_MARK) {
                nz->buf2[k++] = nz->buf2[i];
                if (w == 2)
                    nz->buf2[k++] = nz->buf2[i + 1];
            }
            i += w;
        }
        e = U_ZERO_ERROR;
        m = unorm2_normalize(nz->nfc, nz->buf2, k, nz->buf, nz->cap, &e);
        if (U_FAILURE(e))
            return icu_fail(err, "NFC", e);
        src = nz->buf;
    }
    if (m == 0) {   /* only marks: keep the form rather than an empty norm */
        src = u;
        m = n;
    }
    if (!tok_reserve((void **)out, cap, *len + 3 * (size_t)m + 1, 1, err))
        return CRIBLE_ENOMEM;
    int32_t wrote = 0;
    e = U_ZERO_ERROR;
    u_strToUTF8WithSub(*out + *len, (int32_t)(*cap - *len), &wrote, src, m, 0xFFFD, NULL, &e);
    if (U_FAILURE(e))
        return icu_fail(err, "UTF-8 conversion", e);
    *len += (size_t)wrote;
    return CRIBLE_OK;
}
