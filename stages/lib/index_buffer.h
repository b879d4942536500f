/*
 * index_buffer.h - internal: the in-memory inverted index of the documents
 * added since the last flush (terms in a hash table, postings as varint byte
 * streams, per-document lengths, sentences and values), and its flush into
 * a segment file through index_segment.h.
 */
#ifndef CRIBLE_INDEX_BUFFER_H
#define CRIBLE_INDEX_BUFFER_H

#include "index_segment.h"
#include "index_writer.h"

typedef struct ix_membuf ix_membuf;

crible_status ix_membuf_new(ix_membuf **out, crible_error *err);
void ix_membuf_free(ix_membuf *b);
/* Bytes held (what --memory bounds). */
size_t ix_membuf_bytes(const ix_membuf *b);
uint32_t ix_membuf_ndocs(const ix_membuf *b);

/* Adds one complete document as local document ix_membuf_ndocs(b).  The
 * stored record goes to segw (opened by the caller at the first document). */
typedef struct ix_docfield {
    const char *name;                 /* "text", "title" */
    const char *text;                 /* its string in the document (for the offsets) */
    size_t text_len;
    const crible_index_token *tokens;
    uint32_t ntokens;
    const uint32_t *sentences;        /* first token of each sentence */
    uint32_t nsentences;
} ix_docfield;

typedef struct ix_kv {                /* a keyword or numeric value */
    const char *field;
    const char *term;                 /* keyword term (NULL: numeric only) */
    bool numeric;
    double value;
} ix_kv;

/* Adds a document: its stored record (`rec`, rec_len bytes, as
 * ix_stored_record makes it from json and fields; NULL: made here), its
 * terms and values. */
crible_status ix_membuf_add(ix_membuf *b, ix_segw *segw, const char *id, const char *json,
                            size_t json_len, const ix_docfield *fields, size_t nfields,
                            const ix_kv *kvs, size_t nkvs, const uint8_t *rec, size_t rec_len,
                            crible_error *err);
/* Marks a buffered document deleted (replaced or deleted by id). */
void ix_membuf_delete(ix_membuf *b, uint32_t local);
/* The buffered document with this id (not deleted), or UINT32_MAX. */
uint32_t ix_membuf_find(const ix_membuf *b, const char *id);
/* Writes the fields and finishes segw; *deleted gets the buffer's deletions
 * (malloc'ed bitset, maxdoc bits) and *ndeleted their count.  The buffer is
 * emptied. */
crible_status ix_membuf_flush(ix_membuf *b, ix_segw *segw, uint64_t *size, uint64_t **deleted,
                              uint32_t *ndeleted, crible_error *err);

/* Builds a stored record (layout in index_format.c) into out. */
bool ix_stored_record(ix_buf *out, const char *json, size_t json_len, const ix_docfield *fields,
                      size_t nfields);

#endif
