/*
 * utf8.c - UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), 16 bytes at a time (SSE2) for ASCII and the
 * usual lead bytes, then 8 ASCII bytes at a time, and the two-byte letters
 * of Latin-1 (é à ç) checked inline between runs.
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

#ifdef __SSE2__
/* From s[i], a character's first byte, 16 bytes at a time: returns how far
 * s is well-formed for sure (the first byte of a character, or n), the
 * rest left to the byte loop.  A block of 16 passes when each byte is
 * ASCII, a continuation byte 80..BF, or a lead byte that puts no bound on
 * the byte after it (C2..DF, E1..EC, EE..EF, F1..F3), and its continuation
 * bytes are exactly the 1, 2 or 3 after each lead (carried to the next
 * block); E0 ED F0 F4 (whose second byte is bounded), C0 C1 F5..FF and
 * anything out of place stop it. */
static size_t sse2_run(const unsigned char *s, size_t i, size_t n)
{
    unsigned pending = 0;   /* continuation bytes due at the next block's start */
    for (; i + 16 <= n; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned hi = (unsigned)_mm_movemask_epi8(b);
        if (!hi && !pending)
            continue;
        /* as signed bytes: 80..BF -128..-65, C0..DF -64..-33, E0..EF
         * -32..-17, F0..FF -16..-1 */
        __m128i gt_c1 = _mm_cmpgt_epi8(b, _mm_set1_epi8(-63));     /* C2..FF or ASCII */
        __m128i lt_e0 = _mm_cmplt_epi8(b, _mm_set1_epi8(-32));
        __m128i lt_f0 = _mm_cmplt_epi8(b, _mm_set1_epi8(-16));
        __m128i lt_f4 = _mm_cmplt_epi8(b, _mm_set1_epi8(-12));
        __m128i neg = _mm_cmplt_epi8(b, _mm_setzero_si128());
        unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(b, _mm_set1_epi8(-64)));
        unsigned lead = (unsigned)_mm_movemask_epi8(_mm_and_si128(gt_c1, neg));     /* C2..FF */
        unsigned l2 = (unsigned)_mm_movemask_epi8(_mm_and_si128(gt_c1, lt_e0)) & lead;
        unsigned l34 = lead & ~l2;                                                  /* E0..FF */
        unsigned l4 = l34 & ~(unsigned)_mm_movemask_epi8(lt_f0);                    /* F0..FF */
        __m128i odd = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(-32)), _mm_cmpeq_epi8(b, _mm_set1_epi8(-19))),
            _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(-16)), _mm_andnot_si128(lt_f4, neg)));
        unsigned bad = (unsigned)_mm_movemask_epi8(odd) | (hi & ~cont & ~lead);  /* C0 C1 */
        unsigned due = pending | lead << 1 | l34 << 2 | l4 << 3;
        if (bad || (due & 0xFFFF) != cont)
            break;
        pending = due >> 16;
    }
    if (pending)   /* back to the lead of the character cut by the block's end */
        while ((s[--i] & 0xC0) == 0x80)
            ;
    return i;
}
#endif

size_t crible_utf8_invalid_offset(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* sixteen bytes at a time (any well-formed text the common leads
         * make), then eight ASCII bytes at a time */
#ifdef __SSE2__
        i = sse2_run(s, i, n);
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
