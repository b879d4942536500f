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
/* A batch of documents' dictionary (crible-index --analyze: made by an
 * analysis worker, index_analyze.c): its distinct terms, each a stem or a
 * normal form of one field, given once, so that the buffer looks each up
 * once per batch, not once per token.  ix_term_len and ix_term_hash say
 * how a term is cut and hashed. */
typedef struct ix_dterm {
    uint32_t off;                     /* its bytes in `pool` (NUL-terminated) */
    uint32_t len;                     /* ix_term_len of them */
    uint32_t hash;                    /* ix_term_hash of the len bytes */
} ix_dterm;
/* The index thread's resolutions of a worker's lasting terms (below):
 * 2 pointers a term, as `res`; the caller keeps it zeroed and frees `v`. */
typedef struct ix_dictres {
    void **v;
    size_t cap;                       /* terms */
    uint64_t epoch;                   /* the buffer epoch they hold for */
} ix_dictres;
void ix_dictres_free(ix_dictres *r);

/* Term numbers below IX_DICT_LASTING are a worker's lasting terms (the
 * first ones it met, kept from batch to batch and never changed); the
 * batch's own terms are numbered from IX_DICT_LASTING. */
#define IX_DICT_LASTING 65536u

typedef struct ix_termdict {
    const char *pool;
    const ix_dterm *terms;            /* the batch's own: term IX_DICT_LASTING + i is terms[i] */
    uint32_t n;
    /* The buffer's resolutions: per term, its term as a stem (in the text
     * field) and as a normal form (in its exact field), NULL until the
     * buffer meets it; 2 n pointers the caller allocates.  A flush of the
     * buffer frees its terms: epoch (the buffer's flush count when they
     * were filled; UINT64_MAX at first) says whether they still hold. */
    void **res;
    uint64_t epoch;
    /* the worker's lasting terms: nlasting of them, their bytes in lpool,
     * and the index thread's resolutions of them */
    const char *lpool;
    const ix_dterm *lasting;
    uint32_t nlasting;
    ix_dictres *lres;
} ix_termdict;
/* A token's terms in a dictionary: stem UINT32_MAX when it has none (not
 * indexed); norm | IX_TOKTERM_DIFFER when its normal form is not its stem
 * (whole strings compared, before any cut). */
typedef struct ix_tokterm { uint32_t stem, norm; } ix_tokterm;
#define IX_TOKTERM_DIFFER 0x80000000u

/* A term's bytes: at most CRIBLE_TERM_MAX, cut at a character boundary. */
static inline size_t ix_term_len(const char *s, size_t len)
{
    if (len > CRIBLE_TERM_MAX) {
        len = CRIBLE_TERM_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80) len--;   /* a whole character */
    }
    return len;
}

/* The hash of p[0..n) with `seed` (never 0): 8 bytes at a time,
 * multiply-xorshift mixing.  Inline: the buffer and the interners hash
 * every token's term. */
static inline uint32_t ix_hash_bytes(const void *p, size_t n, uint32_t seed)
{
    const uint8_t *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 32) ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;   /* the last n < 8 bytes, little-endian, in two loads */
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        w = lo | (uint64_t)hi << (8 * (n - 4));
    } else if (n) {
        w = s[0] | (uint64_t)s[n / 2] << (8 * (n / 2)) | (uint64_t)s[n - 1] << (8 * (n - 1));
    }
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    uint32_t r = (uint32_t)(h ^ (h >> 32));
    return r ? r : 1;
}

/* A term's hash (never 0), whatever its field. */
static inline uint32_t ix_term_hash(const char *s, size_t len) { return ix_hash_bytes(s, len, 0); }

typedef struct ix_docfield {
    const char *name;                 /* "text", "title" */
    const char *text;                 /* its string in the document (for the offsets) */
    size_t text_len;
    const crible_index_token *tokens;
    uint32_t ntokens;
    const uint32_t *sentences;        /* first token of each sentence */
    uint32_t nsentences;
    /* or NULL: the tokens' terms in a dictionary (their stem and norm
     * strings are then not read) */
    const ix_tokterm *terms;
    ix_termdict *dict;
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
