/*
 * tok_text.c - the tokenizer's view of a text: UTF-8 checked and decoded to
 * UTF-16 (what ICU works on), normalised (NFC or NFKC), and the way back
 * from a UTF-16 index in the normalised text to a byte offset in the bytes
 * the caller gave, so that tokens point at the text as it was written.
 *
 * Decoding: a hand-written UTF-8 decoder (ASCII fast path, 16 bytes at a
 * time with SSE2) that rejects
 * what RFC 3629 rejects: stray continuation bytes, overlong forms,
 * surrogates (ED A0..BF), code points past U+10FFFF, truncated sequences.
 * NUL bytes become spaces (one unit each, so offsets stay right).
 *
 * Normalisation keeps a map only when it changes something: the longest
 * prefix already normalised (unorm2_spanQuickCheckYes) is copied, the next
 * chunk between two normalisation boundaries is normalised alone, and so
 * on.  Every unit of a normalised chunk maps to the chunk's start in the
 * original; units after the first are marked TOK_MAP_INNER so that a token
 * ending inside a chunk is widened to the chunk's end.  Example (NFC of
 * "e" U+0301 "t" "é"):  u16 = e ◌́ t é, norm = é t é, map = 0 2 3 4.
 */
#include "tok_internal.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void tok_text_free(tok_text *t)
{
    free(t->u16);
    if (t->norm != t->u16)
        free(t->norm);
    free(t->map);
    free(t->wide);
    free(t->trig);
    memset(t, 0, sizeof *t);
}

static bool push_pos(int32_t **a, size_t *n, size_t *cap, int32_t pos, crible_error *err)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        int32_t *q = crible_realloc(*a, ncap * sizeof *q, err);
        if (!q)
            return false;
        *a = q;
        *cap = ncap;
    }
    (*a)[(*n)++] = pos;
    return true;
}

/* Records position i (of byte *p, one of @ # : .) when a special token may
 * be there: any @ or #, ':' before "//", '.' after "www". */
static bool push_trigger(tok_text *t, int32_t i, const unsigned char *p,
                         const unsigned char *end, crible_error *err)
{
    if (*p == ':' && !(end - p >= 3 && p[1] == '/' && p[2] == '/'))
        return true;
    if (*p == '.' && !(i >= 3 && (p[-1] | 0x20) == 'w' && (p[-2] | 0x20) == 'w' &&
                       (p[-3] | 0x20) == 'w'))
        return true;
    return push_pos(&t->trig, &t->ntrig, &t->captrig, i, err);
}

/* Characters in U+00A0..U+02FF that NFC leaves alone but NFKC may change
 * are "unsafe" only for NFKC; we do not know which is asked here, so any of
 * them asks for the check: NBSP, ¨ ª ¯ ² ³ ´ µ ¸ ¹ º ¼ ½ ¾, Ĳ ĳ Ŀ ŀ ŉ ſ, ǄǅǆǇǈǉǊǋǌ
 * Ǳǲǳ, ʰ..ʸ, ˘..˝, ˠ..ˤ. */
static bool nfc_only_safe(UChar32 c)
{
    if (c == 0xA0 || c == 0xA8 || c == 0xAA || c == 0xAF || (c >= 0xB2 && c <= 0xB5) ||
        (c >= 0xB8 && c <= 0xBA) || (c >= 0xBC && c <= 0xBE))
        return false;
    if (c == 0x132 || c == 0x133 || c == 0x13F || c == 0x140 || c == 0x149 || c == 0x17F ||
        (c >= 0x1C4 && c <= 0x1CC) || (c >= 0x1F1 && c <= 0x1F3) || c >= 0x2B0)
        return false;
    return true;
}

static bool grow16(UChar **p, int32_t *cap, int32_t need, crible_error *err)
{
    if (need <= *cap)
        return true;
    int32_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap = ncap > (INT32_MAX / 2) ? need : ncap * 2;
    UChar *q = crible_realloc(*p, sizeof(UChar) * (size_t)ncap, err);
    if (!q)
        return false;
    *p = q;
    *cap = ncap;
    return true;
}

crible_status tok_text_decode(tok_text *t, const char *s, size_t len,
                              crible_error *err)
{
    if (len > TOK_MAX_TEXT)
        return crible_error_set(err, CRIBLE_EDATA,
                                "field of %zu bytes is longer than the 1 GiB limit", len);
    if (t->norm != t->u16) {
        free(t->norm);
        t->capnorm = 0;
    }
    t->norm = NULL;
    if (!grow16(&t->u16, &t->cap16, (int32_t)len + 1, err))
        return CRIBLE_ENOMEM;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    UChar *o = t->u16;
    t->nwide = 0;
    t->ntrig = 0;
    t->maybe_unnormalized = false;
    /* bytes after which a URL, e-mail, hashtag or mention may be found */
    static const bool trig[0x41] = {['@'] = true, ['#'] = true, [':'] = true, ['.'] = true};
    while (p < end) {
#ifdef __SSE2__
        /* 16 bytes at a time up to the first that is not plain ASCII (non-
         * ASCII, NUL or a trigger): widened to 16 units at once (there is
         * room: o - u16 <= p - s and the buffer holds len + 1 units). */
        if (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            __m128i hit = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('#'))),
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))),
                             _mm_cmpeq_epi8(v, _mm_setzero_si128())));
            unsigned stop = (unsigned)(_mm_movemask_epi8(v) | _mm_movemask_epi8(hit));
            _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi8(v, _mm_setzero_si128()));
            _mm_storeu_si128((__m128i *)(o + 8), _mm_unpackhi_epi8(v, _mm_setzero_si128()));
            unsigned k = stop ? (unsigned)__builtin_ctz(stop) : 16;
            p += k;
            o += k;
            if (k == 16)
                continue;
        }
#endif
        unsigned c = *p;
        if (c < 0x80) {
            if (c <= '@' && trig[c] && !push_trigger(t, (int32_t)(o - t->u16), p, end, err))
                return CRIBLE_ENOMEM;
            *o++ = c ? (UChar)c : 0x20;
            p++;
            continue;
        }
        if (!push_pos(&t->wide, &t->nwide, &t->capwide, (int32_t)(o - t->u16), err))
            return CRIBLE_ENOMEM;
        size_t left = (size_t)(end - p);
        UChar32 cp;
        if (c >= 0xC2 && c <= 0xDF && left >= 2 && (p[1] & 0xC0) == 0x80) {
            cp = ((UChar32)(c & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF && left >= 3 && (p[1] & 0xC0) == 0x80 &&
                   (p[2] & 0xC0) == 0x80 && !(c == 0xE0 && p[1] < 0xA0) &&
                   !(c == 0xED && p[1] >= 0xA0)) {
            cp = ((UChar32)(c & 0x0F) << 12) | ((UChar32)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4 && left >= 4 && (p[1] & 0xC0) == 0x80 &&
                   (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 &&
                   !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90)) {
            cp = ((UChar32)(c & 0x07) << 18) | ((UChar32)(p[1] & 0x3F) << 12) |
                 ((UChar32)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
            p += 4;
            cp -= 0x10000;
            *o++ = (UChar)(0xD800 + (cp >> 10));
            *o++ = (UChar)(0xDC00 + (cp & 0x3FF));
            t->maybe_unnormalized = true;
            continue;
        } else {
            return crible_error_set(err, CRIBLE_EDATA, "invalid UTF-8 at byte %zu",
                                    (size_t)(p - (const unsigned char *)s));
        }
        /* below U+0300 everything is NFC and NFKC-stable but a few
         * compatibility characters (NBSP, ², ½...); general punctuation
         * (’ « » …) is NFC too: only the rest needs a normalisation check */
        if ((cp >= 0x300 && !(cp >= 0x2010 && cp <= 0x2027)) || (cp >= 0xA0 && cp < 0x300))
            t->maybe_unnormalized |= cp >= 0x300 || !nfc_only_safe(cp);
        *o++ = (UChar)cp;
    }
    t->n16 = (int32_t)(o - t->u16);
    t->norm = t->u16;
    t->nnorm = t->n16;
    t->cur16 = 0;
    t->cur8 = 0;
    t->curw = 0;
    return CRIBLE_OK;
}

static bool map_grow(tok_text *t, int32_t need, crible_error *err)
{
    if (need <= t->capmap)
        return true;
    int32_t ncap = t->capmap ? t->capmap : 256;
    while (ncap < need)
        ncap *= 2;
    int32_t *q = crible_realloc(t->map, sizeof(int32_t) * (size_t)ncap, err);
    if (!q)
        return false;
    t->map = q;
    t->capmap = ncap;
    return true;
}

/* Appends src[0..n) to the normalised text; each unit maps to base + its
 * index (identity) or, if `chunk`, to base with TOK_MAP_INNER after the
 * first. */
static bool append(tok_text *t, const UChar *src, int32_t n, int32_t base,
                   bool chunk, crible_error *err)
{
    if (!grow16(&t->norm, &t->capnorm, t->nnorm + n + 1, err) ||
        !map_grow(t, t->nnorm + n + 1, err))
        return false;
    memcpy(t->norm + t->nnorm, src, sizeof(UChar) * (size_t)n);
    for (int32_t i = 0; i < n; i++)
        t->map[t->nnorm + i] = chunk ? (base | (i ? TOK_MAP_INNER : 0)) : base + i;
    t->nnorm += n;
    return true;
}

crible_status tok_text_normalize(tok_text *t, const UNormalizer2 *nz,
                                 crible_error *err)
{
    if (!t->maybe_unnormalized)
        return CRIBLE_OK;   /* only characters that every normalisation keeps */
    UErrorCode uerr = U_ZERO_ERROR;
    const UChar *u = t->u16;
    int32_t n = t->n16;
    int32_t ok = unorm2_spanQuickCheckYes(nz, u, n, &uerr);
    if (U_FAILURE(uerr))
        return crible_error_set(err, CRIBLE_EINTERNAL, "ICU normalizer: %s", u_errorName(uerr));
    if (ok == n)
        return CRIBLE_OK;   /* already normalised: norm == u16, no map */
    t->norm = NULL;
    t->nnorm = 0;
    t->capnorm = 0;
    int32_t done = 0;  /* u[0..done) is in norm */
    UChar tmp[64];
    while (done < n) {
        /* [done, ok) is normalised; the chunk around ok is not. */
        int32_t cs = ok;
        while (cs > done && !unorm2_hasBoundaryBefore(nz, tok_char_at(u, n, cs)))
            cs--;
        if (cs > done && u[cs] >= 0xDC00 && u[cs] <= 0xDFFF)
            cs--;
        if (!append(t, u + done, cs - done, done, false, err))
            return CRIBLE_ENOMEM;
        int32_t ce = ok + 1;
        while (ce < n && !unorm2_hasBoundaryBefore(nz, tok_char_at(u, n, ce)))
            ce++;
        if (ce < n && u[ce] >= 0xDC00 && u[ce] <= 0xDFFF)
            ce++;
        uerr = U_ZERO_ERROR;
        UChar *out = tmp;
        int32_t cap = (int32_t)(sizeof tmp / sizeof *tmp);
        int32_t m = unorm2_normalize(nz, u + cs, ce - cs, out, cap, &uerr);
        if (uerr == U_BUFFER_OVERFLOW_ERROR) {
            out = crible_malloc(sizeof(UChar) * (size_t)m, err);
            if (!out)
                return CRIBLE_ENOMEM;
            uerr = U_ZERO_ERROR;
            m = unorm2_normalize(nz, u + cs, ce - cs, out, m, &uerr);
        }
        bool fine = U_SUCCESS(uerr) && append(t, out, m, cs, true, err);
        if (out != tmp)
            free(out);
        if (!fine)
            return U_FAILURE(uerr) ? crible_error_set(err, CRIBLE_EINTERNAL, "ICU normalizer: %s",
                                                      u_errorName(uerr))
                                   : CRIBLE_ENOMEM;
        done = ce;
        if (done < n) {
            uerr = U_ZERO_ERROR;
            ok = done + unorm2_spanQuickCheckYes(nz, u + done, n - done, &uerr);
            if (ok == n) {
                if (!append(t, u + done, n - done, done, false, err))
                    return CRIBLE_ENOMEM;
                done = n;
            }
        }
    }
    if (!map_grow(t, t->nnorm + 1, err))
        return CRIBLE_ENOMEM;
    t->map[t->nnorm] = n;
    return CRIBLE_OK;
}

/* Byte offset of u16 index i, moving the cursor forward: i plus what the
 * non-ASCII characters before it add (wide[] lists them). */
static size_t offset16(tok_text *t, int32_t i)
{
    if (i < t->cur16) {   /* never happens in order; restart to stay correct */
        t->cur16 = 0;
        t->cur8 = 0;
        t->curw = 0;
    }
    size_t extra = t->cur8 - (size_t)t->cur16;
    const UChar *u = t->u16;
    size_t k = t->curw;
    while (k < t->nwide && t->wide[k] < i) {
        UChar c = u[t->wide[k]];
        extra += c < 0x800 ? 1 : 2;   /* 2 bytes for 1 unit, 3 for 1, 4 for 2 */
        k++;
    }
    t->curw = k;
    t->cur16 = i;
    t->cur8 = (size_t)i + extra;
    return t->cur8;
}

size_t tok_text_offset_slow(tok_text *t, int32_t i, bool is_end)
{
    if (t->norm == t->u16)
        return offset16(t, i);
    int32_t m = t->map[i];
    if (is_end && (m & TOK_MAP_INNER)) {
        while (i < t->nnorm && (t->map[i] & TOK_MAP_INNER))
            i++;
        m = t->map[i];
    }
    return offset16(t, m & ~TOK_MAP_INNER);
}
