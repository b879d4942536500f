/*
 * stem_wordmap.h - a small hash map from words to words (byte strings),
 * used by the stemming side of the analysis chain: the stop-word set, the
 * protected words, the stem overrides and the stem cache.
 *
 * Open addressing with linear probing over a power-of-two table of 8-byte
 * slots (hash, entry offset); keys and values are copied, with their
 * lengths and NUL-terminated, into one growing byte arena, so a lookup
 * that hits touches one slot and one arena line.  A map
 * created with a `max_entries` bound is a cache: when an insertion would go
 * past the bound, the whole map is emptied first (memory stays flat however
 * long the input is; a French text's vocabulary refills it quickly).
 *
 * Example:
 *     crible_wordmap *m = crible_wordmap_new(0, &err);
 *     crible_wordmap_put(m, "jeux", 4, "jeu", 3, &err);
 *     size_t n; const char *v = crible_wordmap_get(m, "jeux", 4, &n);  // "jeu", 3
 */
#ifndef CRIBLE_STEM_WORDMAP_H
#define CRIBLE_STEM_WORDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct crible_wordmap crible_wordmap;

/* max_entries 0: no bound (a set or a dictionary); otherwise a cache that
 * empties itself when full.  NULL when out of memory. */
crible_wordmap *crible_wordmap_new(size_t max_entries, crible_error *err);
void crible_wordmap_free(crible_wordmap *map);

/* The value stored for key[0..len), NUL-terminated, owned by the map and
 * valid until the next put or clear; *value_len gets its length (may be
 * NULL).  NULL when the key is absent. */
const char *crible_wordmap_get(const crible_wordmap *map, const char *key,
                               size_t len, size_t *value_len);

/* Stores key -> value (both copied; a key already present keeps its first
 * value: the first definition wins, as in the configuration's lists).  A
 * set uses value NULL / 0.  CRIBLE_ENOMEM on failure (the map is unchanged). */
crible_status crible_wordmap_put(crible_wordmap *map, const char *key, size_t len,
                                 const char *value, size_t value_len,
                                 crible_error *err);

size_t crible_wordmap_count(const crible_wordmap *map);
void crible_wordmap_clear(crible_wordmap *map);

/* The 64-bit hash of s[0..len) the map uses (stem_hash.h; for tests). */
uint64_t crible_wordmap_hash(const char *s, size_t len);

#endif
