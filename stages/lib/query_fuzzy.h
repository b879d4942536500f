/*
 * query_fuzzy.h - a Levenshtein automaton intersected with a sorted term
 * dictionary: `acteru~` finds "acteur", `realis*` finds "réalis", `decu`
 * finds "déçu" when the index keeps accents.
 *
 * The automaton accepts every string within `max_edits` (0, 1 or 2)
 * insertions, deletions, substitutions or swaps of two adjacent letters
 * (Damerau: acteru~ finds "acteur") of the pattern, counted on code
 * points; with `fold_accents`, two letters that differ only by accents or
 * case are equal (e = é = è = ê = ë, c = ç); the dictionary's terms are
 * taken to be case-folded and the variants sought are Latin-1's (French
 * accents; a letter like ā or ł matches only itself).  In prefix
 * mode it accepts every string having a prefix it accepts.  Its state is
 * the row of Ukkonen's dynamic-programming matrix (at most pattern length + 1 small counts),
 * computed lazily one code point at a time.
 *
 * Intersection walks the dictionary as an implicit trie using only seek and
 * next (as Lucene's AutomatonTermsEnum does): from a prefix P that the
 * automaton can still extend, it reads the first term >= P; if the next code
 * point c of that term kills the automaton, it seeks past every term that
 * starts with P+c in one step.  The work is proportional to the prefixes the
 * automaton keeps alive, never to the size of the dictionary.
 */
#ifndef CRIBLE_QUERY_FUZZY_H
#define CRIBLE_QUERY_FUZZY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A sorted dictionary seen through two calls (byte order, as memcmp).
 * seek: the next call to next() returns the first term >= key.
 * next: the next term (valid until the following call) or false at the end. */
typedef struct crible_term_source {
    void *ctx;
    void (*seek)(void *ctx, const char *key, size_t len);
    bool (*next)(void *ctx, const char **term, size_t *len);
} crible_term_source;

/* Called for each accepted term with its edit distance (in prefix mode, the
 * distance of its best matching prefix).  Return false to stop. */
typedef bool (*crible_fuzzy_visit)(void *ctx, const char *term, size_t len, int distance);

typedef struct crible_fuzzy_options {
    int max_edits;          /* 0, 1 or 2 */
    bool fold_accents;      /* compare letters without accents and case */
    bool prefix;            /* accept any extension of an accepted string */
    size_t max_terms;       /* stop after this many terms (0: no limit) */
} crible_fuzzy_options;

/* Visits every term of `source` the automaton for
 * pattern[0..len) (UTF-8) accepts, each once (in byte order, except for
 * whole-word accent variants: max_edits 0 with fold_accents).  *seeks
 * (may be NULL) gets the number of seeks (for tests and --explain).
 * CRIBLE_EDATA if the pattern is not UTF-8 or longer than 255 code points;
 * CRIBLE_ENOMEM. */
crible_status crible_fuzzy_intersect(const char *pattern, size_t len,
                                     const crible_fuzzy_options *opts,
                                     const crible_term_source *source,
                                     crible_fuzzy_visit visit, void *ctx,
                                     size_t *seeks, crible_error *err);

/* The code point without its accents, lower-cased (é -> e, Ç -> c, œ -> œ):
 * the first code point of its canonical decomposition. */
uint32_t crible_fuzzy_base(uint32_t c);

/* Edit distance between two UTF-8 strings on code points (capped at cap+1);
 * with fold_accents, letters are compared by crible_fuzzy_base. */
int crible_fuzzy_distance(const char *a, size_t an, const char *b, size_t bn,
                          bool fold_accents, int cap);

/* Decodes one code point of s[0..n) into *c and returns its length (1..4),
 * or 0 on invalid UTF-8 (then *c is the byte). */
size_t crible_utf8_decode(const char *s, size_t n, uint32_t *c);
/* Encodes code point c (below 0x110000) into out[0..4): its length. */
size_t crible_utf8_encode(uint32_t c, char *out);

#endif
