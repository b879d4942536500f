/*
 * inspect.h - `crible-index stats` and `crible-index dump`: what is inside
 * an index, for people (like fts5_decode, zet_cat, xapian-delve).
 */
#ifndef CRIBLE_INDEX_INSPECT_H
#define CRIBLE_INDEX_INSPECT_H

#include <stdio.h>

#include "index.h"

/* Documents, segments, sizes, fields, and the `top` most frequent terms of
 * each text field and values of each keyword field (entities, metadata). */
crible_status index_stats_write(const crible_index *ix, FILE *out, int top, crible_error *err);

/* The bytes of the index in `dir` by kind of section, summed over its
 * segments and fields ("size<TAB>postings<TAB>N" lines): what a format
 * change would gain. */
crible_status index_sizes_write(const char *dir, FILE *out, crible_error *err);

/* With doc_id: that stored document and its tokens.  With term: the
 * postings of field:term (documents, tf, positions).  With prefix: the
 * terms of field starting with it.  With neither: every term of field. */
crible_status index_dump_write(const crible_index *ix, FILE *out, const char *field,
                               const char *term, const char *prefix, const char *doc_id,
                               crible_error *err);

#endif
