/*
 * stem_corrections.h - the measured correction layer on top of the French
 * Snowball stemmer: a table form -> stem key, applied BEFORE the stemmer
 * (a word found in the table gets its key; any other word is stemmed).
 *
 * What it corrects (see config/gen/stem_corrections.py, which builds the
 * table from Grammalecte's French lexicon shipped in Debian's
 * hunspell-fr-comprehensive, and tests/eval/stem_ud.sh, which measures it):
 *   - under-stemming: the inflected forms of one lemma that Snowball sends
 *     to different stems get the lemma's stem (nulle -> nul, longue -> long,
 *     jeux -> jeu, yeux -> œil's family, suis/est/sont -> être's);
 *   - over-stemming: lemmas of unrelated meaning that Snowball merges get
 *     keys of their own (mauve and mauvais, génie and gens, généreux and
 *     générique), while derivations stay merged (harceler, harcèlement);
 *   - ligatures and a short hand-checked list of derivational families
 *     (déçu, décevant, déception);
 *   - accent-less spellings of lexicon forms ("abandonnee", "decue"), which
 *     Snowball stems differently from the accented word, point to the same
 *     key.
 *
 * File format "crible stem corrections, version 1" (UTF-8 text, so that it
 * diffs and greps; read through mmap, nothing is built at load):
 *
 *   # crible stem corrections 1
 *   # any number of further comment lines, each starting with '#'
 *   abandonnee\tabandon\n
 *   décevant\tdécev\n
 *   ...
 *
 *   - line 1 is exactly "# crible stem corrections 1" (the magic and the
 *     version; a reader refuses another version);
 *   - then comment lines, then entry lines "FORM TAB KEY LF": FORM is a
 *     lower-case word with œ/æ written oe/ae, KEY the stem key it gets
 *     (accents kept, like Snowball's stems); neither contains TAB or LF;
 *   - entries are sorted by FORM in byte order (LC_ALL=C sort), each FORM
 *     at most once, so a lookup is a binary search over the mapped bytes;
 *   - the file ends with LF.
 */
#ifndef CRIBLE_STEM_CORRECTIONS_H
#define CRIBLE_STEM_CORRECTIONS_H

#include <stddef.h>

#include "error.h"

#define CRIBLE_STEM_CORRECTIONS_MAGIC "# crible stem corrections 1"
/* The table crible ships, found with crible_data_find (config.h). */
#define CRIBLE_STEM_CORRECTIONS_FILE "stem-corrections-fr.tsv"

typedef struct crible_stem_corrections crible_stem_corrections;

/* Maps the file `path`, or gives the table already open for that file
 * (the same device, inode, size and modification time) in this process,
 * counted: each open needs its close (the shared table keeps the path it
 * was first opened by, for crible_stem_corrections_check's messages).
 * open and close may be called from any thread.  CRIBLE_EIO if it cannot
 * be opened or mapped, CRIBLE_ECONFIG if its first line is not the magic
 * above or its last byte is not LF ("PATH: not a crible stem corrections
 * file (version 1)"). */
crible_status crible_stem_corrections_open(const char *path,
                                           crible_stem_corrections **out,
                                           crible_error *err);
void crible_stem_corrections_close(crible_stem_corrections *c);

/* The key for word[0..len), or NULL.  The key is NOT NUL-terminated: it
 * points into the mapped file (valid until close) and *key_len is its
 * length.  Not const: a stream's lookups build an index on the way (its
 * INDEX_AFTER-th lookup, in stem_corrections.c).  Thread-safe: threads
 * may share a table. */
const char *crible_stem_corrections_lookup(crible_stem_corrections *c,
                                           const char *word, size_t len,
                                           size_t *key_len);

/* Builds the lookups' hash index now (a stream is coming), unless it is
 * built or being built: the thread that calls it pays for it (about 30 M
 * instructions for the shipped table), the others' lookups go on meanwhile.
 * NULL: nothing. */
void crible_stem_corrections_prepare(crible_stem_corrections *c);

/* Checks the whole file: entry syntax, byte order, no duplicate.  Returns
 * CRIBLE_EDATA "PATH:LINE: ..." at the first problem; *entries (may be
 * NULL) gets the number of entries.  Used by tests, not at load. */
crible_status crible_stem_corrections_check(const crible_stem_corrections *c,
                                            size_t *entries, crible_error *err);

#endif
