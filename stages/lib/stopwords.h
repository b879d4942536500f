/*
 * stopwords.h - stop words, FLAGGED and never deleted: crible-stem writes
 * CRIBLE:STOP = 1 for them and keeps the token, so positions survive for
 * phrase queries ("pas du tout") and a query can still ask for them.
 *
 * The default French list (config/stopwords-fr.txt) is Snowball's French
 * list WITHOUT the words that carry a review's meaning: ne (n'), pas, sans,
 * mais, bon, nul, très, trop are NOT stop words in crible (Snowball's list,
 * used by Xapian, Elasticsearch and Manticore, drops ne/pas/mais, so that
 * "pas bon" is indexed as "bon").
 *
 * File format (UTF-8): one word a line, lower case; blank lines and lines
 * starting with '#' are ignored; surrounding spaces are trimmed; ’ counts
 * as '.  Every word is also entered without its accents ("même" and
 * "meme"), so the set works on accent-folded text too.
 */
#ifndef CRIBLE_STOPWORDS_H
#define CRIBLE_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct crible_stopwords crible_stopwords;

/* An empty set.  NULL when out of memory (err set). */
crible_stopwords *crible_stopwords_new(crible_error *err);
void crible_stopwords_free(crible_stopwords *sw);

/* Adds one word, case-folded with ICU first ("Le" -> "le").
 * CRIBLE_EDATA for an empty word or one that is not valid UTF-8. */
crible_status crible_stopwords_add(crible_stopwords *sw, const char *word,
                                   size_t len, crible_error *err);

/* Adds every word of a file in the format above.  CRIBLE_EIO when it
 * cannot be read ("cannot open 'x': ..."), CRIBLE_EDATA with
 * "FILE:LINE: ..." for invalid UTF-8. */
crible_status crible_stopwords_load(crible_stopwords *sw, const char *path,
                                    crible_error *err);

/* Whether word[0..len) (a case-folded normal form) is a stop word. */
bool crible_stopwords_contains(const crible_stopwords *sw, const char *word,
                               size_t len);

size_t crible_stopwords_count(const crible_stopwords *sw);

#endif
