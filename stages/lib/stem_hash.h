/*
 * stem_hash.h - hashing and comparing short byte strings (words), inline:
 * the word maps (stem_wordmap.h), the stem memo (stem_memo.h) and the
 * correction table's index (stem_corrections.c) all hash and compare
 * French words of 2 to 12 bytes millions of times a second.
 *
 * The hash reads the word 8 bytes at a time; a word of 4 to 8 bytes is
 * two overlapping 4-byte loads, a shorter one its first, middle and last
 * byte, so no word costs a byte loop.  It is a good 64-bit mix (a
 * multiply and two xor-shifts a step), not a stable format: nothing stores
 * it on disk.  crible_bytes_same compares the same way, without a call to
 * memcmp.
 *
 *     crible_bytes_hash("jeux", 4) == crible_bytes_hash("jeux", 4)
 *     crible_bytes_same("jeux", "jeu!", 3) -> true
 */
#ifndef CRIBLE_STEM_HASH_H
#define CRIBLE_STEM_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t crible_load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t crible_load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The bytes of s[0..len), len <= 8, as one number: equal numbers of equal
 * lengths are equal bytes. */
static inline uint64_t crible_load_short(const char *s, size_t len)
{
    if (len >= 4)
        return crible_load32(s) | (uint64_t)crible_load32(s + len - 4) << 32;
    if (len > 0)
        return (unsigned char)s[0] | (uint64_t)(unsigned char)s[len / 2] << 8 |
               (uint64_t)(unsigned char)s[len - 1] << 16;
    return 0;
}

static inline uint64_t crible_hash_mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

/* 64-bit hash of s[0..len). */
static inline uint64_t crible_bytes_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    if (len <= 8)
        return crible_hash_mix((h ^ crible_load_short(s, len)) * 0xbf58476d1ce4e5b9ULL);
    for (size_t i = 0; i + 8 < len; i += 8)
        h = (h ^ crible_load64(s + i)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ crible_load64(s + len - 8)) * 0x94d049bb133111ebULL;
    return crible_hash_mix(h);
}

/* Whether a[0..len) and b[0..len) are the same bytes. */
static inline bool crible_bytes_same(const char *a, const char *b, size_t len)
{
    if (len <= 8)
        return crible_load_short(a, len) == crible_load_short(b, len);
    for (size_t i = 0; i + 8 < len; i += 8)
        if (crible_load64(a + i) != crible_load64(b + i))
            return false;
    return crible_load64(a + len - 8) == crible_load64(b + len - 8);
}

#endif
