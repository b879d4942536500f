/*
 * stemmer.h - one language's word -> index term function: the stemming
 * step of the analysis chain (crible-stem and crible-query both call it).
 *
 * For a word (a token's normal form: NFC, case-folded, ’ already '), in
 * this order:
 *   1. a protected word (configuration: "Netflix") is its own term;
 *   2. a stem override (configuration: "oeuvres: oeuvr") gives its term;
 *   3. French with corrections on: œ/æ are spelt oe/ae and the correction
 *      table (stem_corrections.h) gives the key of a lexicon form;
 *   4. otherwise the algorithm stems it.  "french" is crible's port of the
 *      Snowball 3 French algorithm (stem_french.h: Debian's libstemmer
 *      2.2.0 is older); every other algorithm is libstemmer's, and
 *      "libstemmer:french" asks for Debian's old French explicitly;
 *      "none" leaves words as they are.  A hyphenated word is stemmed
 *      whole, like any word (Snowball only ever changes a word's end):
 *      "royaume-uni" -> "royaume-un", "-il" stays "-il";
 *   5. with fold_accents (off by default), accents are removed from the
 *      result and œ/æ expanded, so that any "decu" and "déçu" give one term.
 * With corrections on, fold_accents is rarely needed: the table maps
 * "decu", "etage", "abandonnee" to the keys of "déçu", "étage",
 * "abandonnée", and keeps "côte" and "côté" apart.
 * Results are cached (a word map of stem_wordmap.h, emptied when full):
 * the text of a corpus repeats its words, so most words cost one hash
 * lookup; this is what keeps crible-stem above bare libstemmer's speed.
 *
 * Worked examples (defaults): "déçue", "decue", "déception" ->
 * "décev", "jeux" -> "jeu", "nulle" -> "nul", "œuvres" -> "oeuvr",
 * "netflix" (protected) -> "netflix".
 */
#ifndef CRIBLE_STEMMER_H
#define CRIBLE_STEMMER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct crible_stemmer_options {
    const char *algorithm;         /* "french" (default), a libstemmer name or
                                      ISO 639 code ("en", "de"), "fr-CA",
                                      "libstemmer:NAME", or "none" */
    bool corrections;              /* French correction table (default true) */
    const char *corrections_file;  /* NULL: the shipped table, found with
                                      crible_data_find; absent = no table */
    bool fold_accents;             /* accent-free terms (default false: the
                                      correction table already maps the
                                      accent-less spellings of lexicon
                                      words, "decu" -> "décev") */
    const char *const *protected_words;   /* never stemmed (case-folded here) */
    size_t nprotected;
    const char *const *override_words;    /* override_words[i] -> override_stems[i] */
    const char *const *override_stems;
    size_t noverrides;
    size_t cache_entries;          /* default 65536; 0: no cache */
} crible_stemmer_options;

/* Sets every default above. */
void crible_stemmer_options_init(crible_stemmer_options *options);

/* The canonical algorithm for a language or algorithm name, as the
 * configuration or a document's "lang" gives it: "fr", "FR", "fr-FR",
 * "fra", "French", "français" -> "french"; "en_GB" -> "english";
 * "libstemmer:french" and "none" are kept.  NULL if libstemmer has no such
 * algorithm.  The returned string is static. */
const char *crible_stem_algorithm(const char *name);

/* The ISO 639-1 code of a canonical algorithm ("french" -> "fr"), or NULL
 * (used to find "stopwords-fr.txt"). */
const char *crible_stem_algorithm_iso(const char *algorithm);

typedef struct crible_stemmer crible_stemmer;

/* CRIBLE_ECONFIG for an unknown algorithm ("unknown stemming algorithm
 * 'xx' (known: ...)") or a correction file that is not one; CRIBLE_EIO if
 * an explicitly named correction file cannot be read; CRIBLE_ENOMEM. */
crible_status crible_stemmer_new(const crible_stemmer_options *options,
                                 crible_stemmer **out, crible_error *err);
void crible_stemmer_free(crible_stemmer *stemmer);

/* The canonical algorithm name ("french"). */
const char *crible_stemmer_algorithm_name(const crible_stemmer *stemmer);

/* Whether the correction table is in use (French, corrections on, found). */
bool crible_stemmer_has_corrections(const crible_stemmer *stemmer);

/* Readies the stemmer for a stream of words now, on the calling thread:
 * the correction table's lookup index (crible_stem_corrections_prepare),
 * which its lookups would otherwise build after their first thousands.
 * The stemmer may be in use by another thread meanwhile. */
void crible_stemmer_prepare(crible_stemmer *stemmer);

/* The term of word[0..len) (see the steps above): NUL-terminated, owned by
 * the stemmer, valid until the next call; *term_len gets its length.  An
 * empty word gives "".  NULL only when out of memory. */
const char *crible_stemmer_stem(crible_stemmer *stemmer, const char *word,
                                size_t len, size_t *term_len);

#endif
