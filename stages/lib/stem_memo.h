/*
 * stem_memo.h - the stem bank's first-level memo (stem_bank.c): what a
 * word got, its term and its stop flag, in a direct-mapped table of
 * CRIBLE_STEM_MEMO_SLOTS entries of one 64-byte cache line each, the word
 * and its term inside the entry.  A word met before costs one hash of its
 * bytes, one line and two short compares, instead of a word-map probe, an
 * arena line and a copy; a word whose slot another word took, or longer
 * than CRIBLE_STEM_MEMO_MAX bytes (or with a longer term), goes on to the
 * bank's word-map cache as before.  16,384 entries are 1 MB, a core's L2
 * here: the words that make most of a French text (de, la, le, et, les,
 * à, est, film, livre...) stay in cache.  On the 10.9 M words of the
 * press articles, 8,192 entries missed 17 % of the words, 16,384 miss
 * 12 % (32,768: 8 %, but twice the L2).
 *
 * crible-stem keeps tables of its own (stages/stem.c, one a language):
 * the same entries keyed by the bytes "NORM\0TYPE" of a token line,
 * valued by its cells "\tSTEM\tSTOP" as written, each key in two slots
 * (the slot of the hash of NORM alone, then that of its high half);
 * `word` unused; larger ones (crible_stem_memo_new_sized): a process that
 * does nothing else looks its lines up ahead (prefetch) and can afford to
 * wait on L3 rather than go to the bank.
 *
 * Entry (64 bytes): hash (the high 32 bits of crible_bytes_hash), the
 * word's number in the bank's word-map cache (stem_bank.h: 1 + its
 * number, 0: none), key length (0: empty), term length, stop flag, one
 * spare byte, the key (26 bytes, NUL-padded), the term (26 bytes,
 * NUL-terminated).
 */
#ifndef CRIBLE_STEM_MEMO_H
#define CRIBLE_STEM_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "stem_hash.h"

#define CRIBLE_STEM_MEMO_SLOTS 16384  /* a power of two */
#define CRIBLE_STEM_MEMO_MAX 25       /* longest key and term kept */

typedef struct crible_stem_memo_entry {
    uint32_t hash;
    uint32_t word;                   /* 1 + the word's number in the cache; 0: none */
    uint8_t key_len, term_len, stop, spare;
    char key[CRIBLE_STEM_MEMO_MAX + 1];
    char term[CRIBLE_STEM_MEMO_MAX + 1];
} crible_stem_memo_entry;

typedef struct crible_stem_memo {
    crible_stem_memo_entry *slots;   /* mask + 1 of them, line-aligned */
    size_t mask;                     /* the number of slots - 1 */
} crible_stem_memo;

/* An empty memo of CRIBLE_STEM_MEMO_SLOTS entries.  NULL when out of
 * memory (err set). */
crible_stem_memo *crible_stem_memo_new(crible_error *err);

/* The same with `slots` entries (a power of two, 64 bytes each). */
crible_stem_memo *crible_stem_memo_new_sized(size_t slots, crible_error *err);
void crible_stem_memo_free(crible_stem_memo *memo);

/* The slot of word[0..len) (1 <= len <= CRIBLE_STEM_MEMO_MAX) of hash h
 * (crible_bytes_hash): the entry to read, or to fill after a miss. */
static inline crible_stem_memo_entry *crible_stem_memo_slot(crible_stem_memo *m, uint64_t h)
{
    return &m->slots[h & m->mask];
}

/* Whether slot e holds word[0..len) of hash h. */
static inline bool crible_stem_memo_holds(const crible_stem_memo_entry *e, const char *word,
                                          size_t len, uint64_t h)
{
    return e->key_len == len && e->hash == (uint32_t)(h >> 32) &&
           crible_bytes_same(e->key, word, len);
}

/* The term memo m holds for word[0..len) (in its entry: valid until the
 * memo is filled or cleared), with *term_len, *stop and *number (as
 * crible_stem_memo_fill was given them); NULL when it holds none (or len
 * is not in 1..CRIBLE_STEM_MEMO_MAX).  Inline: a hit is a hash, a line
 * and two compares.  _hashed: given h, crible_bytes_hash(word, len). */
static inline const char *crible_stem_memo_get_hashed(const crible_stem_memo *m, const char *word,
                                                      size_t len, uint64_t h, size_t *term_len,
                                                      bool *stop, uint32_t *number)
{
    if (len - 1 >= CRIBLE_STEM_MEMO_MAX)
        return NULL;
    const crible_stem_memo_entry *e = &m->slots[h & m->mask];
    if (!crible_stem_memo_holds(e, word, len, h))
        return NULL;
    *term_len = e->term_len;
    *stop = e->stop;
    *number = e->word;
    return e->term;
}

static inline const char *crible_stem_memo_get(const crible_stem_memo *m, const char *word,
                                               size_t len, size_t *term_len, bool *stop,
                                               uint32_t *number)
{
    if (len - 1 >= CRIBLE_STEM_MEMO_MAX)
        return NULL;
    return crible_stem_memo_get_hashed(m, word, len, crible_bytes_hash(word, len), term_len, stop, number);
}

/* Asks for the slot of hash h ahead of crible_stem_memo_get_hashed: a
 * caller with many words hashes them first and prefetches their slots,
 * so that the lookups do not wait for memory one after the other. */
static inline void crible_stem_memo_prefetch(const crible_stem_memo *m, uint64_t h)
{
    __builtin_prefetch(&m->slots[h & m->mask]);
}

/* Puts word -> (term, stop, number) in slot e (the word's), replacing
 * what was there; a term longer than CRIBLE_STEM_MEMO_MAX is not kept
 * (e unchanged). */
static inline void crible_stem_memo_fill(crible_stem_memo_entry *e, const char *word,
                                         size_t len, uint64_t h, const char *term,
                                         size_t term_len, bool stop, uint32_t number)
{
    if (term_len > CRIBLE_STEM_MEMO_MAX)
        return;
    memset(e, 0, sizeof *e);
    e->hash = (uint32_t)(h >> 32);
    e->word = number;
    e->key_len = (uint8_t)len;
    e->term_len = (uint8_t)term_len;
    e->stop = stop;
    memcpy(e->key, word, len);
    memcpy(e->term, term, term_len);
}

/* Forgets every word (their numbers no longer hold). */
void crible_stem_memo_clear(crible_stem_memo *memo);

#endif
