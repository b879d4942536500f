/*
 * utf8.c - UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF).  Every stage checks every byte it reads, so this
 * is on the path of every byte of the chain, four or five times over.
 *
 * Three walks, each answering for what it passed:
 *  - with AVX2 (when the processor has it: one test per call), 32 bytes
 *    at a time by the lookup algorithm of Keiser and Lemire ("Validating
 *    UTF-8 in less than one instruction per byte", Software: Practice and
 *    Experience 51(5), 2021; the one simdjson and simdutf run): three
 *    16-entry tables looked up by the high and low nibbles of each byte and
 *    the high nibble of the next give every two-byte fault (a lead without
 *    its continuation, a continuation without its lead, overlong forms,
 *    surrogates, past U+10FFFF), a saturating subtraction the third and
 *    fourth bytes due after E0..FF leads; an ASCII block costs one test.
 *    It only says whether a block holds a fault, not where: from the
 *    first character of the last one it passed, the walks below say where;
 *  - 16 bytes at a time (SSE2) for ASCII and the usual lead bytes, then 8
 *    ASCII bytes at a time, and the two-byte letters of Latin-1 (é à ç)
 *    checked inline between runs;
 *  - character by character (crible_utf8_char), the reference.
 * Whatever the walk, the answer is the reference's: the offset of the first
 * character that is not well-formed (tests/unit/test_utf8.c compares them
 * on every pair of bytes around a block's end, every three and four bytes
 * after a lead, and random texts with faults at every place).
 */
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define UTF8_AVX2 1
#include <immintrin.h>
#endif

#include "doc.h"
#include "utf8.h"

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

/* The first bad offset of s[0..n) at or after i, the first byte of a
 * character (or n), without AVX2. */
static size_t invalid_from(const unsigned char *s, size_t i, size_t n)
{
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

#ifdef UTF8_AVX2
#define AVX2 __attribute__((target("avx2")))

/* The bytes of x shifted by 4 bits: their high nibbles. */
static inline AVX2 __m256i high_nibbles(__m256i x)
{
    return _mm256_and_si256(_mm256_srli_epi16(x, 4), _mm256_set1_epi8(0x0F));
}

/* The 32 bytes ending N bytes before the end of in, prev the 32 before in. */
#define PREV(in, prev, N) _mm256_alignr_epi8((in), _mm256_permute2x128_si256((prev), (in), 0x21), 16 - (N))

/* A 16-entry table in both lanes. */
#define B(x) ((char)(unsigned char)(x))
#define TABLE16(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)                                             \
    _mm256_setr_epi8(B(a), B(b), B(c), B(d), B(e), B(f), B(g), B(h), B(i), B(j), B(k), B(l), B(m), B(n), \
                     B(o), B(p), B(a), B(b), B(c), B(d), B(e), B(f), B(g), B(h), B(i), B(j), B(k), B(l), \
                     B(m), B(n), B(o), B(p))

/* The faults of the 32 bytes in (prev: the 32 before them): nonzero bytes
 * where one is.  The bits of the tables: a byte pair (first, second) is
 * bad when the three lookups share a bit. */
static inline AVX2 __m256i block_faults(__m256i in, __m256i prev)
{
    enum {
        TOO_SHORT = 1 << 0,    /* 11______ then 0_______ or 11______ */
        TOO_LONG = 1 << 1,     /* 0_______ then 10______ */
        OVERLONG_3 = 1 << 2,   /* 11100000 100_____ */
        TOO_LARGE = 1 << 3,    /* 11110100 1001____, 11110101.. 1001____ or 101_____ */
        SURROGATE = 1 << 4,    /* 11101101 101_____ */
        OVERLONG_2 = 1 << 5,   /* 1100000_ 10______ */
        TOO_LARGE_1000 = 1 << 6,   /* 11110101.. 1000____ */
        OVERLONG_4 = 1 << 6,   /* 11110000 1000____ */
        TWO_CONTS = 1 << 7,    /* 10______ 10______ */
        CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
    };
    const __m256i prev1 = PREV(in, prev, 1);
    const __m256i byte_1_high = _mm256_shuffle_epi8(
        TABLE16(TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
                TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
                TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4),
        high_nibbles(prev1));
    const __m256i byte_1_low = _mm256_shuffle_epi8(
        TABLE16(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
                CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
                CARRY | TOO_LARGE | TOO_LARGE_1000),
        _mm256_and_si256(prev1, _mm256_set1_epi8(0x0F)));
    const __m256i byte_2_high = _mm256_shuffle_epi8(
        TABLE16(TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
                TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
                TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
                TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
                TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT,
                TOO_SHORT, TOO_SHORT),
        high_nibbles(in));
    const __m256i special = _mm256_and_si256(_mm256_and_si256(byte_1_high, byte_1_low), byte_2_high);
    /* a third byte due after E0..FF two before, a fourth after F0..FF three
     * before: its 0x80 bit set (and TWO_CONTS, bit 7, set there by the
     * tables: the two cancel out, else a fault) */
    const __m256i third = _mm256_subs_epu8(PREV(in, prev, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    const __m256i fourth = _mm256_subs_epu8(PREV(in, prev, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    const __m256i due = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(due, special);
}

/* Nonzero bytes where in's last bytes start a character they cannot hold
 * (a lead among the last three that needs more bytes than are left). */
static inline AVX2 __m256i block_cut(__m256i in)
{
    const __m256i max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm256_subs_epu8(in, max);
}

/* The first byte of the character holding s[i - 1] (0 when i is 0): the
 * walks before i passed every character before it. */
static size_t char_start_before(const unsigned char *s, size_t i)
{
    if (i == 0)
        return 0;
    size_t j = i - 1;
    while (j > 0 && i - j < 4 && (s[j] & 0xC0) == 0x80)
        j--;
    return j;
}

/* How far s[0..n) is well-formed for sure, 32 bytes at a time: n, or the
 * first byte of a character before the first block holding a fault. */
static AVX2 size_t avx2_run(const unsigned char *s, size_t n)
{
    __m256i prev = _mm256_setzero_si256(), cut = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        if (_mm256_movemask_epi8(in) == 0) {   /* ASCII: faulty only after a cut character */
            if (!_mm256_testz_si256(cut, cut))
                return char_start_before(s, i);
            cut = _mm256_setzero_si256();
        } else {
            __m256i bad = block_faults(in, prev);
            if (!_mm256_testz_si256(bad, bad))
                return char_start_before(s, i);
            cut = block_cut(in);
        }
        prev = in;
    }
    if (i < n) {   /* the last bytes, followed by zeros */
        unsigned char last[32] = {0};
        memcpy(last, s + i, n - i);
        __m256i in = _mm256_loadu_si256((const __m256i *)(const void *)last);
        __m256i bad = _mm256_or_si256(block_faults(in, prev), block_cut(in));
        if (!_mm256_testz_si256(bad, bad))
            return char_start_before(s, i);
    } else if (!_mm256_testz_si256(cut, cut)) {
        return char_start_before(s, i);
    }
    return n;
}

#endif

static bool avx2_off;   /* crible_simd_use_avx2(false): tests only */

bool crible_simd_avx2(void)
{
#ifdef UTF8_AVX2
    return !avx2_off && __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

bool crible_simd_use_avx2(bool on)
{
    bool was = crible_simd_avx2();
    avx2_off = !on;
    return was;
}

size_t crible_utf8_invalid_offset(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
#ifdef UTF8_AVX2
    if (crible_simd_avx2()) {
        i = avx2_run(s, n);
        if (i == n)
            return n;
    }
#endif
    return invalid_from(s, i, n);
}
