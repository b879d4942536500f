/*
 * query_fold.h - internal: which accent-folded forms a term dictionary
 * holds spelled with accents, as a Bloom filter, so that the accent
 * variants of a word (`decu` -> "déçu", query_plan.c) are walked for only
 * when some accented term folds to it; for most words none does, and one
 * lookup of the folded form replaces the walk's dictionary seeks.
 *
 * Folding is the walk's own: each character replaced by crible_fuzzy_base
 * (query_fuzzy.h), so `spéciaux`, `speciaux` and `SPÉCIAUX` fold alike.
 * The filter answers "maybe" for every folded form of a term that has a
 * byte >= 0x80, and "no" (certainly) for a folded form no such term has.
 *
 *     qfold *f = qfold_build(ix, field);           // reads the whole dictionary once
 *     char k[QFOLD_KEY_MAX];
 *     size_t n = qfold_key("decu", 4, k, sizeof k); // "decu"
 *     qfold_maybe(f, k, n);                        // true: "déçu" folds to it
 */
#ifndef CRIBLE_QUERY_FOLD_H
#define CRIBLE_QUERY_FOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "index.h"

#define QFOLD_KEY_MAX 1100

typedef struct qfold qfold;

/* The filter of the dictionary of `field` in ix (every segment); NULL if
 * out of memory. */
qfold *qfold_build(const crible_index *ix, int field);
void qfold_free(qfold *f);
/* The folded form of s (len bytes) into out: its length, 0 if s is not
 * UTF-8, has more than 255 characters, or does not fit in cap. */
size_t qfold_key(const char *s, size_t len, char *out, size_t cap);
/* Whether a term with a byte >= 0x80 may fold to `folded` (false: none). */
bool qfold_maybe(const qfold *f, const char *folded, size_t len);

#endif
