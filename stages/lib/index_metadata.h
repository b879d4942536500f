/*
 * index_metadata.h - internal: a document's metadata values, the keyword
 * and numeric values the index writer makes of the members of its JSON
 * object that are not its id, its text fields nor hidden ("_...").  One
 * place computes them for both ways in: the writer at
 * crible_index_doc_end for a token stream (crible-tokenize | crible-stem
 * | crible-index), and the analysis workers of crible-index --analyze
 * (index_analyze.c), which hand them to the writer whole
 * (crible_index_doc_metadata); so both build the same index bytes.
 *
 * What a member gives (index.h):
 *   - a string: a date (YYYY, YYYY-MM, YYYY-MM-DD) a number; else, when at
 *     most 80 bytes and not a URL ("://"), a keyword, case-folded;
 *   - a number a number; true and false the keywords "true", "false";
 *   - an array: the same for each of its first 64 items (strings, numbers,
 *     true, false; the others are left out);
 *   - an object: each member KEY2 whose value is a string, as keyword
 *     "KEY.KEY2" (KEY2 at most 100 bytes; the string case-folded, whole);
 *   - null nothing; keys longer than 100 bytes are left out.
 * in the members' order.  A keyword that folding changed is followed by
 * what a facet needs to show the form written most often (index.h,
 * query_facets.c; as entities have):
 *   MARKS in the hidden keyword field "_case.KEY", when the written form
 *        is FOLDED with some of its code points upper-cased (u_toupper),
 *        the k-th (from 0, k < 94) marked by the byte 0x21 + k,
 *        increasing: "Mélissa DA COSTA" gives "!)*,-./0" (0, 8, 9, 11 to
 *        15), "Le Démon de la Colline" "!$0": the patterns repeat
 *        (4,567 reviews' titles are "!", 911 patterns in 12,409 titles),
 *        so "_case.KEY" is a small dictionary of document lists; a
 *        facet intersects a value's postings with each pattern's.  That
 *        needs the pattern to be the value's alone: a document with
 *        several keyword values of KEY (an array, "true" beside a string,
 *        a top-level "a.b" beside "a": {"b"}) gets for each instead
 *          FOLDED \x1f \x1f MARKS  in "_display.KEY" (10 bytes after
 *                                  FOLDED for "Mélissa DA COSTA", not 18);
 *   FOLDED \x1f WRITTEN in "_display.KEY" else (entities always:
 *        index_writer.c).
 * (A written form never holds \x1f: a value holding it gets no display
 * term.)  The document is read by the fast path
 * (index_docjson.h), by jansson when it is not sure.
 */
#ifndef CRIBLE_INDEX_METADATA_H
#define CRIBLE_INDEX_METADATA_H

#include <jansson.h>

#include "index_buffer.h"
#include "index_docjson.h"

/* A list of values being made: the strings in `pool`, referred to by
 * offsets until ix_kvlist_pointers makes them pointers (the pool moves
 * while it grows). */
typedef struct ix_kvlist {
    ix_buf pool;
    ix_kv *kvs;
    size_t n, cap;
    size_t ncase;             /* "_case." terms of the document being read */
} ix_kvlist;

/* Adds a value: `term` the keyword (NULL: none), case-folded first when
 * `fold` (crible_index_fold), `numeric` and `value` the number. */
crible_status ix_kvlist_add(ix_kvlist *l, const char *field, const char *term, bool fold, bool numeric,
                            double value, crible_error *err);
/* Turns the values from `from` on into pointers into the pool (no value
 * may be added after it until ix_kvlist_clear). */
void ix_kvlist_pointers(ix_kvlist *l, size_t from);
/* After ix_kvlist_pointers: appends values whose strings live elsewhere
 * (borrowed). */
crible_status ix_kvlist_append(ix_kvlist *l, const ix_kv *kvs, size_t n, crible_error *err);
void ix_kvlist_clear(ix_kvlist *l);
void ix_kvlist_free(ix_kvlist *l);

/* A document's JSON object, read. */
typedef struct ix_docmeta {
    ix_docjson dj;            /* the fast path's members, when `obj` is NULL */
    json_t *obj;              /* jansson's object, when the fast path was not sure */
} ix_docmeta;

/* Reads the document `id`'s JSON object: CRIBLE_EDATA "document 'ID':
 * crible.doc is not a JSON object: ..." when it is not one. */
crible_status ix_docmeta_read(ix_docmeta *m, const char *id, const char *json, size_t len, crible_error *err);
/* The same for JSON known to be valid UTF-8 without a NUL byte (a line
 * crible_doc_read accepted, or jansson's output). */
crible_status ix_docmeta_read_utf8(ix_docmeta *m, const char *id, const char *json, size_t len,
                                   crible_error *err);
/* Appends the document's metadata values to out; `fields` (n of them) are
 * the names of its text fields (not metadata). */
crible_status ix_docmeta_values(const ix_docmeta *m, const char *const *fields, size_t nfields, ix_kvlist *out,
                                crible_error *err);
/* The top-level string member `key` (decoded), or false. */
bool ix_docmeta_string(const ix_docmeta *m, const char *key, const char **s, size_t *len);
/* The written form a display term gives: `folded` the term's part before
 * the first \x1f, rest[0..rlen) the part after it (WRITTEN, or \x1f and
 * MARKS).  Writes it NUL-terminated to out and returns its length; 0 if
 * it does not fit cap or the marks do not fit folded (damage). */
size_t ix_display_written(const char *folded, size_t flen, const char *rest, size_t rlen, char *out, size_t cap);
/* Drops jansson's object (the fast path's buffers stay for the next read). */
void ix_docmeta_release(ix_docmeta *m);
void ix_docmeta_free(ix_docmeta *m);

#endif
