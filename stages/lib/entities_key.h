/*
 * entities_key.h - the matching key of a word, shared by the gazetteer (when
 * it loads entries) and the tagger (when it reads tokens), so that both sides
 * of a match are folded the same way.
 *
 * The key of a text is its case-folded (ICU simple case folding),
 * accent-stripped (ICU canonical decomposition, combining marks dropped) form
 * with the characters that vary in how names are written removed:
 *   spaces (U+0020, U+00A0, U+202F), hyphens (- U+2010 U+2011),
 *   apostrophes (' U+2019 U+02BC), full stops (.)
 * and the ligatures œ æ ß spelled out (oe ae ss).  Examples:
 *   "Royaume-Uni" → "royaumeuni"     "Disney +" → "disney+"
 *   "d’Artagnan"  → "dartagnan"      "ÉTATS-UNIS" → "etatsunis"
 *   "Warner Bros." → "warnerbros"    "Œuvre" → "oeuvre"
 * Invalid UTF-8 bytes are copied as they are (they then match nothing).
 */
#ifndef CRIBLE_ENTITIES_KEY_H
#define CRIBLE_ENTITIES_KEY_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the key of s[0..n) into out (capacity cap, not NUL-terminated) and
 * returns its length; a key longer than cap is cut at cap (on a character
 * boundary).  Thread-safe; the first call builds a small table with ICU. */
size_t crible_entities_key(const char *s, size_t n, char *out, size_t cap);

/* Whether the first character of s[0..n) is an upper-case letter (ICU
 * u_isupper or titlecase), and whether every letter of it is upper-case
 * (at least two letters: "SNCF", not "A"). */
bool crible_entities_is_capitalized(const char *s, size_t n);
bool crible_entities_is_all_caps(const char *s, size_t n);

#endif
