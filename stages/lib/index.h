/*
 * index.h - reading a crible index: an open, consistent snapshot of an index
 * directory, memory-mapped, never blocked by a writer.  crible-query codes
 * against this file; crible-index writes what it reads (index_writer.h).
 *
 * An index directory holds immutable segment files and a small MANIFEST
 * naming the live ones (the byte layout is at the top of index_format.c).
 * crible_index_open() reads the MANIFEST once and maps the segments it names:
 * later commits by a writer do not change what an open snapshot sees.
 *
 * Documents.  A snapshot numbers its documents 0 .. maxdoc-1 (segment after
 * segment, in MANIFEST order).  Deleted documents (tombstones, replaced ids)
 * keep their number until a merge; postings cursors skip them, and
 * crible_index_is_deleted() says so for the rest.  The index's statistics
 * (df, lengths) count deleted documents until a merge, as Lucene's do; the
 * searcher (query_search.c) takes them out, so scores do not depend on
 * merges.
 *
 * Fields.  Every document member becomes one or more fields, each a number
 * 0 .. nfields-1, found by name with crible_index_field():
 *   "text", "title"        CRIBLE_FIELD_TEXT: the STEM column, with positions,
 *                          term frequencies, lengths and sentence boundaries.
 *                          Stop words are indexed too ("pas bon" is a phrase).
 *   "text.exact", ...      CRIBLE_FIELD_EXACT: the NORM column (for `=word`):
 *                          a dictionary of the norm forms (terms, df, cf,
 *                          prefixes, fuzzy walks work on it); its postings
 *                          are its stem terms' (a form met under several
 *                          stems: each of them, in one document order),
 *                          kept to the positions whose token had that norm
 *                          (a few bits per position say which norm), with
 *                          positions; df counts a document once.  A norm equal to its
 *                          stem whose stem only ever comes from itself is
 *                          not in this dictionary: crible_postings_open on
 *                          an exact field and crible_postings_open_exact
 *                          know this and give the stem term's postings.
 *   "person", "place", "org", "platform", "work", any entity type
 *                          CRIBLE_FIELD_KEYWORD: one term per entity
 *                          (CRIBLE:ENTITY, case-folded), no positions.
 *   "source", "lang", ...  CRIBLE_FIELD_KEYWORD: a string metadata member,
 *                          case-folded, whole (arrays: one term per string).
 *   "rating", "date", ...  CRIBLE_FIELD_NUMERIC: numbers, and dates
 *                          "YYYY-MM-DD" / "YYYY-MM" / "YYYY" as the number
 *                          YYYYMMDD (missing parts are 00: "2020" is 20200000,
 *                          so "date in 2020" is the range 20200000..20201231).
 *                          One value per document (the first).  A name
 *                          that holds numbers in some documents and text in
 *                          others gets its numbers under "NAME#".
 *   "_id"                  CRIBLE_FIELD_KEYWORD: the document id, exact bytes.
 *
 * Positions: every token of the stream takes one position, punctuation
 * included (it is not indexed, but "pas, bon" is not the phrase "pas bon"),
 * so a field's length and its token offsets (crible_stored_field) count it.
 *
 * Terms are UTF-8 byte strings, compared bytewise (memcmp order), at most
 * CRIBLE_TERM_MAX bytes (longer tokens are cut at a character boundary).
 *
 * Buffers.  Every pointer a function hands out points into the mapped files
 * or into the object it came from, and stays valid until that object is
 * closed or its next call, as each function says.  Functions that fill
 * arrays take a caller-owned array and its capacity, and return the count
 * needed (call again with a bigger array when count > capacity).
 *
 * Shards: every statistic is per snapshot (crible_index_get_info,
 * crible_index_field_get_info, crible_index_term); a query over several
 * indexes sums them over the snapshots to rank with global statistics.
 *
 * Threads: a crible_index may be shared by threads for reading postings and
 * terms; crible_stored_doc objects and cursors are per thread.
 *
 * Corruption: every read checks bounds; a damaged file makes open fail with
 * CRIBLE_EINDEX, or (for damage found later, inside a posting block or a
 * stored block) makes the call return an error / the cursor end with its
 * error set.  Nothing reads outside the mapping.  crible_index_check()
 * verifies every checksum and invariant.
 */
#ifndef CRIBLE_INDEX_H
#define CRIBLE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CRIBLE_TERM_MAX 255
#define CRIBLE_DOC_NONE UINT32_MAX      /* a cursor past its end */
/* Keyword values are indexed case-folded; the way an entity or metadata
 * value was written, when folding changed it, lives in hidden keyword
 * fields.  "_display.FIELD" holds "FOLDED\x1fWRITTEN" (entities always:
 * index_writer.c; metadata when the written form is not FOLDED with some
 * letters upper-cased).  For a metadata value written as FOLDED with some
 * letters upper-cased, the document gets the term MARKS in "_case.FIELD"
 * (one byte 0x21 + k for each upper-cased code point k: "!" a capital
 * first letter), no folded value in it, when FIELD has one keyword value
 * in the document; else (an array...) "FOLDED\x1f\x1fMARKS" in
 * "_display.FIELD" (index_metadata.h).  A facet counts a value's written
 * forms from both (query_facets.c). */
#define CRIBLE_INDEX_DISPLAY_PREFIX "_display."
#define CRIBLE_INDEX_CASE_PREFIX "_case."
#define CRIBLE_INDEX_DISPLAY_SEP '\x1f'


typedef struct crible_index crible_index;

/* Opens a snapshot of the index in directory `dir`.  CRIBLE_EIO if it cannot
 * be read, CRIBLE_EINDEX if it is not a crible index, a newer version, or
 * damaged ("INDEX/seg-000003.cri: bad checksum in the field table").  The
 * snapshot holds file descriptors/mappings until crible_index_close(). */
crible_status crible_index_open(const char *dir, crible_index **out, crible_error *err);
void crible_index_close(crible_index *ix);

/* --- the whole snapshot ------------------------------------------------- */

typedef struct crible_index_info {
    uint64_t generation;     /* the MANIFEST's commit number */
    uint32_t maxdoc;         /* document numbers are 0 .. maxdoc-1 */
    uint32_t live_docs;      /* maxdoc minus deleted ones */
    uint32_t segments;
    uint64_t bytes;          /* size of the files of the snapshot */
} crible_index_info;

void crible_index_get_info(const crible_index *ix, crible_index_info *info);

/* The analysis settings the documents were analysed with: a JSON object
 * (NUL-terminated, owned by ix), e.g.
 *   {"columns":"ID FORM CRIBLE:START ...","tokenize":{"fold_accents":false},
 *    "stem":{"algorithm":"french"}}
 * "{}" when the stream said nothing.  Query analysis reads it. */
const char *crible_index_analysis(const crible_index *ix);

bool crible_index_is_deleted(const crible_index *ix, uint32_t doc);

/* --- fields -------------------------------------------------------------- */

typedef enum crible_field_kind {
    CRIBLE_FIELD_TEXT = 1,
    CRIBLE_FIELD_EXACT = 2,
    CRIBLE_FIELD_KEYWORD = 3,
    CRIBLE_FIELD_NUMERIC = 4
} crible_field_kind;

typedef struct crible_field_info {
    const char *name;        /* owned by ix */
    crible_field_kind kind;
    bool positions;          /* postings carry positions (TEXT, EXACT) */
    uint32_t doc_count;      /* documents with at least one token/value */
    uint64_t sum_length;     /* tokens over all documents (TEXT): BM25's avgdl */
    uint64_t terms;          /* distinct terms, summed over segments (upper bound) */
    /* For the exact field of a TEXT field (and back), else -1. */
    int exact_field;
    int stem_field;
} crible_field_info;

/* One metadata name can hold keywords in some documents and numbers or
 * dates in others ("item_title": "Le Horla", "item_title": "1984").  A
 * segment keeps them apart as two fields: the keyword field NAME and the
 * numeric field NAME# (crible-index's buffer names them so, whichever
 * came first); a segment where only numbers came has the numeric field
 * NAME.  Wherever segments or shards meet in one table of fields (an
 * index's snapshot, a merge, a searcher), a numeric field is known as
 * NAME# when another of them has NAME as a text or keyword field: this
 * writes to out the table name of a field called `name` of kind `kind`,
 * `taken` telling whether a non-numeric field of that name exists in the
 * table's segments or shards. */
#define CRIBLE_FIELD_NAME_MAX 260
void crible_field_table_name(char out[CRIBLE_FIELD_NAME_MAX], const char *name, crible_field_kind kind,
                             bool taken);

size_t crible_index_nfields(const crible_index *ix);
/* The field's number, or -1 if no document has it. */
int crible_index_field(const crible_index *ix, const char *name);
void crible_index_field_get_info(const crible_index *ix, int field, crible_field_info *info);
/* sum_length / doc_count, 0 if no document. */
double crible_index_avg_length(const crible_index *ix, int field);
/* The number of tokens of `field` in document `doc` (0: none). */
uint32_t crible_index_doc_length(const crible_index *ix, int field, uint32_t doc);

/* --- terms --------------------------------------------------------------- */

typedef struct crible_term_stats {
    uint32_t df;             /* documents containing the term (deleted included) */
    uint64_t cf;             /* occurrences */
    uint32_t max_tf;         /* highest tf in one document */
} crible_term_stats;

/* Looks a term up in every segment: true and *stats summed if it exists. */
bool crible_index_term(const crible_index *ix, int field, const char *term,
                       size_t len, crible_term_stats *stats);

/* A term enumeration in byte order over the union of the segments'
 * dictionaries (a term in several segments appears once, stats summed).
 * Used for prefixes (`word*`: seek the prefix, stop when a term no longer
 * starts with it) and for fuzzy matching (a Levenshtein automaton drives
 * crible_terms_seek to the next term it can accept). */
typedef struct crible_terms crible_terms;

crible_status crible_terms_open(const crible_index *ix, int field,
                                crible_terms **out, crible_error *err);
void crible_terms_close(crible_terms *it);
/* Positions the enumeration before the first term >= target (len bytes;
 * len 0: the first term). */
void crible_terms_seek(crible_terms *it, const char *target, size_t len);
/* Moves to the next term: true and *term, *len (valid until the next call,
 * not NUL-terminated) and *stats (if not NULL), or false at the end. */
bool crible_terms_next(crible_terms *it, const char **term, size_t *len,
                       crible_term_stats *stats);

/* --- postings ------------------------------------------------------------ */

typedef struct crible_postings crible_postings;

/* A cursor over the documents containing `term` in `field`, in increasing
 * document order, deleted documents skipped.  A term found nowhere gives a
 * cursor that is at its end at once (not an error).  Before the first
 * crible_postings_next/advance the cursor is on no document. */
crible_status crible_postings_open(const crible_index *ix, int field,
                                   const char *term, size_t len,
                                   crible_postings **out, crible_error *err);
/* A term found once, its postings opened without a second lookup (a
 * query plan looks its terms up, the search opens them).
 * crible_index_term_locate looks `term` up as crible_index_term does and
 * writes its place in each segment into loc (CRIBLE_TERM_LOC bytes a
 * segment holding it): returns the bytes needed, 0 if no segment has the
 * term; loc is written only if they fit in cap.  The bytes describe this
 * snapshot only; crible_postings_open_located opens them (n bytes) as
 * crible_postings_open would, CRIBLE_EINDEX if they do not fit it. */
#define CRIBLE_TERM_LOC 56
size_t crible_index_term_locate(const crible_index *ix, int field, const char *term, size_t len,
                                crible_term_stats *stats, void *loc, size_t cap);
crible_status crible_postings_open_located(const crible_index *ix, int field, const void *loc,
                                           size_t n, crible_postings **out, crible_error *err);
/* `=word`: the documents where the NORM form is exactly `norm`, in the exact
 * field of stem field `field` ("text"), with positions (whatever the
 * stems the form was met with: index_format.c, DICT [v5]). */
crible_status crible_postings_open_exact(const crible_index *ix, int field,
                                         const char *norm, size_t len,
                                         crible_postings **out, crible_error *err);
/* crible_postings_open (exact: crible_postings_open_exact) in the one
 * segment holding document `doc` only: what a hit's positions need, one
 * dictionary lookup instead of one a segment.  Its documents are that
 * segment's (doc among them if it holds the term). */
crible_status crible_postings_open_at(const crible_index *ix, int field, const char *term, size_t len,
                                      bool exact, uint32_t doc, crible_postings **out, crible_error *err);
void crible_postings_close(crible_postings *p);

/* The next document, or CRIBLE_DOC_NONE at the end. */
uint32_t crible_postings_next(crible_postings *p);
/* The first document >= target (using the skip data), or CRIBLE_DOC_NONE.
 * target must be greater than the current document. */
uint32_t crible_postings_advance(crible_postings *p, uint32_t target);
/* The current document (CRIBLE_DOC_NONE before the first next or at the end). */
uint32_t crible_postings_doc(const crible_postings *p);
/* Term frequency in the current document. */
uint32_t crible_postings_tf(const crible_postings *p);
/* The positions (0-based token numbers in the field, increasing) of the term
 * in the current document into pos[0..cap); returns tf.  Fields without
 * positions return 0. */
uint32_t crible_postings_positions(crible_postings *p, uint32_t *pos, uint32_t cap);
/* The same, stopping after the first position greater than `upto`: how
 * many were written (a phrase needs none past its last candidate). */
uint32_t crible_postings_positions_upto(crible_postings *p, uint32_t *pos, uint32_t cap,
                                        uint32_t upto);
/* Statistics of the term over the snapshot (the same as crible_index_term). */
void crible_postings_stats(const crible_postings *p, crible_term_stats *stats);

/* Block-max data for WAND / MaxScore.  Postings are cut into blocks of 128
 * documents; for each block the index keeps its last document, the highest
 * tf and the shortest field length among its documents, so
 * bm25(max_tf, min_length) bounds every score in the block.
 * crible_postings_shallow_advance moves the block pointer to the block that
 * may hold `target` without decoding it and returns that block's last
 * document (CRIBLE_DOC_NONE: no block holds anything >= target); the
 * block_* accessors describe that block.  The cursor's own position is
 * unchanged (next/advance decode as usual). */
uint32_t crible_postings_shallow_advance(crible_postings *p, uint32_t target);
uint32_t crible_postings_block_last(const crible_postings *p);
uint32_t crible_postings_block_max_tf(const crible_postings *p);
uint32_t crible_postings_block_min_length(const crible_postings *p);
/* Non-OK if the cursor ended on damaged data (then it reports the end). */
crible_status crible_postings_error(const crible_postings *p, crible_error *err);

/* --- sentences ----------------------------------------------------------- */

/* The first token position of each sentence of `field` (a TEXT field) in
 * `doc`, increasing, the first being 0, into starts[0..cap); returns the
 * number of sentences.  A position p is in sentence i when
 * starts[i] <= p < starts[i+1]. */
uint32_t crible_index_sentences(const crible_index *ix, int field, uint32_t doc,
                                uint32_t *starts, uint32_t cap);

/* --- numeric ranges ------------------------------------------------------ */

/* Sets bit d of bits (uint64 words, maxdoc bits, caller-owned and zeroed by
 * the caller) for each live document whose value of NUMERIC `field` lies in
 * [lo, hi]; returns how many bits it set.  Binary search in the segments'
 * sorted value columns: no scan of the documents outside the range. */
uint32_t crible_index_range(const crible_index *ix, int field, double lo, double hi,
                            uint64_t *bits);
/* The value of a NUMERIC field for one document: false if it has none. */
bool crible_index_numeric(const crible_index *ix, int field, uint32_t doc, double *value);

/* --- stored documents ---------------------------------------------------- */

/* A stored document, filled by crible_index_doc.  Caller-owned object,
 * initialised with crible_stored_doc_init, reused across calls (its
 * buffers grow), freed with crible_stored_doc_free.  Everything it points to
 * is valid until the next crible_index_doc on it or its free. */
typedef struct crible_stored_field {
    const char *name;          /* "text", "title" */
    const char *text;          /* the field's original string (as in the document) */
    size_t text_len;
    uint32_t ntokens;          /* = its length: tokens numbered by position */
    const uint32_t *start;     /* start[pos], end[pos]: byte offsets of token pos */
    const uint32_t *end;       /*   in text (end exclusive) */
} crible_stored_field;

typedef struct crible_stored_doc {
    const char *id;            /* NUL-terminated */
    const char *json;          /* the whole document object as given (metadata,
                                  text, title), compact JSON, NUL-terminated */
    size_t json_len;
    size_t nfields;
    crible_stored_field *fields;
    /* private */
    void *priv;
} crible_stored_doc;

void crible_stored_doc_init(crible_stored_doc *d);
void crible_stored_doc_free(crible_stored_doc *d);
/* Reads document `doc` (decompressing its block).  CRIBLE_EINDEX if the
 * block is damaged; a deleted document is still readable. */
crible_status crible_index_doc(const crible_index *ix, uint32_t doc,
                               crible_stored_doc *out, crible_error *err);
/* The stored field `name` of a filled doc, or NULL. */
const crible_stored_field *crible_stored_doc_field(const crible_stored_doc *d,
                                                   const char *name);

/* The document number of id `id` (the live one), or CRIBLE_DOC_NONE. */
uint32_t crible_index_find_id(const crible_index *ix, const char *id);

/* --- verification -------------------------------------------------------- */

/* Verifies every checksum and structural invariant of the index in `dir`
 * (without trusting it: this is what `crible-index check` runs).  Calls
 * report(ctx, message) for each problem found ("seg-000002.cri: postings of
 * text:bon: documents out of order at block 3") and returns CRIBLE_OK if
 * none, CRIBLE_EINDEX otherwise (or CRIBLE_EIO if it cannot read). */
crible_status crible_index_check(const char *dir,
                                 void (*report)(void *ctx, const char *message),
                                 void *ctx, crible_error *err);

#endif
