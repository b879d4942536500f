/*
 * stem_french.h - the Snowball 3 French stemming algorithm, in C.
 *
 * Why crible carries its own French stemmer: Debian 12 ships libstemmer
 * 2.2.0, whose French algorithm predates Snowball 3.  The Snowball
 * project's French test vocabulary (snowball-data french/voc.txt ->
 * output.txt) is the output of the current algorithm, and libstemmer 2.2.0
 * gets 647 of its 17,324 shared lines wrong: it keeps elisions ("c'est" ->
 * "c'est", not "est"), it does not undo -oux plurals (bijoux, genoux),
 * it cuts -ais/-aise (mauvais -> "mauv", japonaise -> "japonais") where
 * Snowball 3 keeps mauvais whole and takes japonaise to "japon", and it
 * lacks the ni- exception (nié -> "ni").
 *
 * This file is a line-by-line port of algorithms/french.sbl of Snowball 3
 * (snowballstem/snowball, BSD-3-Clause; algorithm by Martin Porter and the
 * Snowball contributors): the same routines in the same order, named as in
 * the .sbl so that the two can be read side by side.  It passes the whole
 * vocabulary word for word (tests/eval/snowball_vocab.sh).
 *
 * Input: one word, UTF-8, NFC, already case-folded (upper-case ASCII
 * letters are the algorithm's internal markers U I Y H, as in Snowball).
 * The stemmer only ever shortens or rewrites the end of a word, and the
 * prelude's markers, so the output is at most 2 bytes per input code point.
 */
#ifndef CRIBLE_STEM_FRENCH_H
#define CRIBLE_STEM_FRENCH_H

#include <stddef.h>

#include "error.h"

typedef struct crible_french_stemmer crible_french_stemmer;

/* A stemmer with its work buffers; NULL (and err set) when out of memory. */
crible_french_stemmer *crible_french_stemmer_new(crible_error *err);
void crible_french_stemmer_free(crible_french_stemmer *fs);

/* Stems word[0..len) (UTF-8).  Returns the stem, NUL-terminated, owned by fs
 * and valid until the next call; *out_len gets its length.  Invalid UTF-8
 * bytes are kept as they are (each taken as one opaque character).  NULL
 * only when out of memory. */
const char *crible_french_stem(crible_french_stemmer *fs, const char *word,
                               size_t len, size_t *out_len);

#endif
