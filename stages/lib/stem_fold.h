/*
 * stem_fold.h - the foldings of the stemming side of the analysis chain:
 * ICU case folding (for words written in the configuration: stop words,
 * protected words, overrides), accent folding (for index terms, so that
 * "decu" finds "déçu"), and the French ligatures (œ -> oe, æ -> ae, so
 * that "oeuvre" and "œuvre" are one word).
 *
 * All take UTF-8 in[0..len) and write a NUL-terminated UTF-8 result into
 * out[0..cap), returning its length; a result that does not fit (or input
 * that is not valid UTF-8) returns (size_t)-1 and leaves out undefined.
 * The output of each is at most 3 * len + 1 bytes long.
 */
#ifndef CRIBLE_STEM_FOLD_H
#define CRIBLE_STEM_FOLD_H

#include <stdbool.h>
#include <stddef.h>

/* ICU full case folding, then NFC, then ’ and ʼ -> ' (the tokenizer's
 * normal form without accent folding): "Netflix" -> "netflix". */
size_t crible_fold_case(const char *in, size_t len, char *out, size_t cap);

/* Removes accents (NFD, drop non-spacing marks, NFC) and expands œ æ:
 * "déçu" -> "decu", "œuvr" -> "oeuvr".  Pure ASCII input is copied. */
size_t crible_fold_accents(const char *in, size_t len, char *out, size_t cap);

/* Only œ -> oe, æ -> ae (and Œ Æ -> OE AE); everything else is copied. */
size_t crible_fold_ligatures(const char *in, size_t len, char *out, size_t cap);

/* True if s[0..len) is all ASCII (nothing to fold). */
bool crible_is_ascii(const char *s, size_t len);

#endif
