/*
 * index_writer.h - writing a crible index: the single writer of an index
 * directory (a lock file keeps out a second one), an in-memory buffer that
 * becomes an immutable segment when it is full, deletions by id, merges, and
 * the atomic commit that makes it all visible at once (index_format.c).
 *
 *     crible_index_writer *w;
 *     crible_index_writer_open("idx", &opts, &w, &err);
 *     crible_index_doc_begin(w, "rev-1", json, json_len, &err);
 *       crible_index_doc_field(w, "text");          // then sentences, tokens
 *       crible_index_doc_sentence(w);
 *       crible_index_doc_token(w, &tok, &err);
 *     crible_index_doc_end(w, &err);                 // or crible_index_doc_abort(w)
 *     crible_index_writer_commit(w, &err);
 *     crible_index_writer_close(w);                  // uncommitted work is dropped
 *
 * Nothing is visible to readers before a commit; a crash at any moment
 * leaves the last committed index whole (files not named by the MANIFEST
 * are removed by the next writer).
 */
#ifndef CRIBLE_INDEX_WRITER_H
#define CRIBLE_INDEX_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"

typedef struct crible_index_writer_options {
    /* buffer budget in bytes (default 256 MiB): the in-memory index's
     * terms, postings, hash tables and per-document tables, and the
     * arrays its flush sorts the terms in (what ix_membuf_bytes counts);
     * a flush writes a segment when they reach it.  The process needs a
     * constant more (the stream's read-ahead, the segment writer and
     * its decoder, malloc's slack: README, "Peak memory") */
    unsigned long long memory;
    int zstd_level;             /* stored text compression (default 3) */
    int merge_factor;           /* segments of one size class before a merge (default 8) */
    bool create;                /* create the index if absent (default true) */
} crible_index_writer_options;

void crible_index_writer_options_default(crible_index_writer_options *o);
/* Reads the `index:` section (memory, zstd_level, merge_factor). */
crible_status crible_index_writer_options_load(const crible_node *section,
                                               crible_index_writer_options *o,
                                               crible_error *err);

typedef struct crible_index_writer crible_index_writer;

/* Opens (creating when allowed) the index in `dir` for writing: takes the
 * lock (CRIBLE_EINDEX "index 'DIR' is locked by another writer (pid N)"),
 * reads the MANIFEST, removes files an interrupted writer left. */
crible_status crible_index_writer_open(const char *dir, const crible_index_writer_options *o,
                                       crible_index_writer **out, crible_error *err);
/* Releases the lock; anything not committed is dropped. */
void crible_index_writer_close(crible_index_writer *w);

/* The analysis settings (a JSON object) to record at the next commit:
 * the first document stream's settings win; a later stream analysed
 * differently is refused by the caller (crible_index_stream). */
crible_status crible_index_writer_set_analysis(crible_index_writer *w, const char *json,
                                               crible_error *err);
const char *crible_index_writer_analysis(const crible_index_writer *w);

/* --- documents ----------------------------------------------------------- */

/* One token of a text field, in order (its position is its rank). */
typedef struct crible_index_token {
    const char *stem;      /* the indexed term (NULL or "" for punctuation: not indexed) */
    const char *norm;      /* the normal form (for `=exact`) */
    uint32_t start, end;   /* byte offsets in the field's text */
} crible_index_token;

/* Starts a document: its id and its whole JSON object (stored as is;
 * metadata members become keyword/numeric fields, see index.h). */
crible_status crible_index_doc_begin(crible_index_writer *w, const char *id, const char *json,
                                     size_t json_len, crible_error *err);
/* The text field the next sentences belong to ("text", "title"): at most
 * CRIBLE_INDEX_MAX_FIELDS of them a document, each a name that
 * crible_index_field_name_ok accepts (else CRIBLE_EDATA). */
crible_status crible_index_doc_field(crible_index_writer *w, const char *field, crible_error *err);
#define CRIBLE_INDEX_MAX_FIELDS 60
/* Whether `field` can name a text field: 1 to 63 bytes, not starting with
 * '_' (the hidden fields'). */
bool crible_index_field_name_ok(const char *field);
/* A new sentence starts at the next token. */
void crible_index_doc_sentence(crible_index_writer *w);
crible_status crible_index_doc_token(crible_index_writer *w, const crible_index_token *tok,
                                     crible_error *err);
/* crible_index_doc_token for n tokens at once, whose strings are laid
 * out as the writer keeps them: each toks[i].stem and toks[i].norm (never
 * NULL; "" for none) points into strings[0..len), NUL-terminated, and
 * strings holds nothing else.  The piped path's call (index_stream.c): the
 * strings copied at once, no strlen. */
crible_status crible_index_doc_tokens(crible_index_writer *w, const crible_index_token *toks, size_t n,
                                      const char *strings, size_t len, crible_error *err);
/* The in-process analysis path's faster calls (index_analyze.h): a text
 * field given whole, its tokens and the first token of each sentence (in
 * place of doc_field, doc_sentence and doc_token calls for it), and the
 * document's stored record made by the caller (ix_stored_record,
 * index_buffer.h, from the same JSON and fields; the piped path's
 * read-ahead thread makes it too, index_stream.c).  Everything is
 * borrowed until crible_index_doc_end. */
crible_status crible_index_doc_field_tokens(crible_index_writer *w, const char *field,
                                            const crible_index_token *tokens, uint32_t ntokens,
                                            const uint32_t *sentences, uint32_t nsentences,
                                            crible_error *err);
/* The same, with the tokens' terms in a batch's dictionary (ix_tokterm and
 * ix_termdict, index_buffer.h): the buffer then resolves each distinct
 * term once per dictionary; the tokens' stem and norm are not read. */
struct ix_tokterm;
struct ix_termdict;
crible_status crible_index_doc_field_terms(crible_index_writer *w, const char *field,
                                           const crible_index_token *tokens, uint32_t ntokens,
                                           const uint32_t *sentences, uint32_t nsentences,
                                           const struct ix_tokterm *terms, struct ix_termdict *dict,
                                           crible_error *err);
void crible_index_doc_stored(crible_index_writer *w, const uint8_t *record, size_t len);
/* The document's metadata values made by the caller (ix_docmeta_values,
 * index_metadata.h, from the same JSON and the names of the fields given),
 * borrowed until crible_index_doc_end: the writer then reads the JSON only
 * when the stored record is not given either. */
struct ix_kv;
void crible_index_doc_metadata(crible_index_writer *w, const struct ix_kv *kvs, size_t n);
/* An entity: `type` "person", "place", ...; `value` its canonical text. */
crible_status crible_index_doc_entity(crible_index_writer *w, const char *type, const char *value,
                                      crible_error *err);
/* Indexes the document (replacing an older one with the same id). */
crible_status crible_index_doc_end(crible_index_writer *w, crible_error *err);
/* Forgets the document being built (a malformed one). */
void crible_index_doc_abort(crible_index_writer *w);

/* Deletes the documents with this id (committed or added before). */
crible_status crible_index_writer_delete(crible_index_writer *w, const char *id, crible_error *err);

/* Flushes, applies deletions, runs the merge policy, and commits. */
crible_status crible_index_writer_commit(crible_index_writer *w, crible_error *err);
/* Merges every segment into one (dropping deleted documents); commits. */
crible_status crible_index_writer_force_merge(crible_index_writer *w, crible_error *err);
/* Adds every live document of the index in `other` (built apart: a shard)
 * as one new segment; committed at the next commit. */
crible_status crible_index_writer_add_index(crible_index_writer *w, const char *other,
                                            crible_error *err);

/* Case-folds a keyword term (ICU full case folding, as
 * crible_query_fold_case does) into out (size n, NUL-terminated); false if
 * it does not fit or is not UTF-8.  Thread-safe (one shared ICU case map). */
bool crible_index_fold(const char *s, char *out, size_t n);

typedef struct crible_index_writer_stats {
    uint64_t docs_added, docs_deleted, segments_flushed, peak_buffer;
} crible_index_writer_stats;
void crible_index_writer_get_stats(const crible_index_writer *w, crible_index_writer_stats *s);

#endif
