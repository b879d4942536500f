/*
 * index_analyze_impl.h - private to index_analyze*.c: the in-process
 * analysis path's batches (index_analyze_batch.c: documents read into
 * them), its workers (index_analyze_worker.c: a batch analysed into terms,
 * stored records and metadata values, off the index thread) and the queue
 * between them and the index thread (index_analyze.c).  How they work
 * together: the top of index_analyze.c.
 */
#ifndef CRIBLE_INDEX_ANALYZE_IMPL_H
#define CRIBLE_INDEX_ANALYZE_IMPL_H

#include <pthread.h>

#include "analyzer.h"
#include "doc.h"
#include "entities_document.h"
#include "index_analyze.h"
#include "index_buffer.h"
#include "index_format.h"
#include "index_metadata.h"
#include "index_termdict.h"
#include "tokenize_options.h"

/* A field's tokens are crible_index_tokens (their offsets; stem and norm
 * NULL) and, beside them, ix_tokterms: their terms in the batch's
 * dictionary (index_buffer.h), the distinct stems and normal forms of each
 * field, so that the index thread looks each up once per batch. */
typedef struct afield {
    uint32_t field;          /* in the options' fields */
    uint32_t tok, ntok;      /* its tokens */
    uint32_t sent, nsent;    /* its sentence starts (token numbers in the field) */
} afield;
typedef struct aspan { size_t off, len; } aspan;   /* in the input copy */

typedef struct adoc {
    aspan id, json, lang;    /* lang.len SIZE_MAX: none */
    aspan rec;               /* its stored record in `recs` */
    aspan kv;                /* its metadata values in `kv` (len SIZE_MAX: the writer makes them) */
    long line;
    uint32_t first, n;       /* its afields */
    uint64_t tokens;
    uint32_t ent, nent;      /* its aents */
} adoc;

/* What a word of the analyzer's numbering (crible_analyzed_token.word)
 * gave: its terms in the dictionary, in one field.  Valid when its stamp
 * is the worker's, in any batch when they are all lasting terms.  16
 * bytes, four to a cache line: the array is read at random, one miss a
 * token (20-byte entries made a quarter of them two). */
typedef struct aword {
    uint32_t stamp;
    uint16_t field;          /* fields past UINT16_MAX are not kept */
    uint16_t batch;          /* the batch its terms are of (worker.batchno); 0: lasting terms only */
    ix_tokterm terms;
} aword;

/* An entity found by the tagger: its index field and value in `epool`. */
typedef struct aent { uint32_t type, field, value; } aent;

typedef struct batch {
    bool ready;
    ix_buf in;               /* the documents' strings, copied */
    ix_buf docs;             /* adoc */
    ix_buf spans;            /* aspan per option field per document (len SIZE_MAX: absent) */
    ix_buf fields, sents, toks, recs, rec;
    ix_buf ents, epool;      /* aent, their strings (entity tagging only) */
    ix_kvlist kv;            /* the documents' metadata values (index_metadata.h) */
    ix_buf tterms;           /* ix_tokterm per token */
    ix_termset own;          /* the dictionary's own terms (the worker's interner's lasting ones beside) */
    ix_buf res;              /* its resolutions (2 pointers a term) */
    ix_termdict dict;
    size_t ndocs, ngood;     /* documents read; analysed (the rest failed) */
    crible_status st;        /* what ended the stream in this batch */
    crible_error err;
} batch;

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    crible_doc_reader *reader;
    const char *name;
    const crible_tokenize_options *topt;
    batch *slots;
    size_t nslots;
    uint64_t next, consumed;   /* batches started; batches indexed */
    bool eof, stop;
    bool starved;              /* the index thread waited for its last batch */
} queue;

typedef struct worker {
    queue *q;
    crible_analyzer *an;
    crible_entities *ent;              /* the entity tagger, or NULL */
    crible_entities_doc_names names;   /* its metadata names */
    ix_docmeta meta;                   /* a document's JSON, read for its metadata values */
    crible_entities_token *etoks;      /* a sentence's tokens, for the tagger */
    size_t etoks_cap;
    ix_interner in;                    /* numbers the terms: its lasting ones and each batch's own */
    ix_dictres lres;                   /* the index thread's resolutions of them (its own) */
    uint32_t batchno;                  /* batches analysed, 1 to UINT16_MAX (aword.batch) */
    aword *words;                      /* by word number: a word's terms in the dictionary */
    size_t nwords;
    uint32_t stamp;                    /* of the words valid now: changes with the batch and epoch */
    uint64_t epoch;                    /* the analyzer's word epoch */
    pthread_t th;
    bool started;
    /* during one document */
    batch *b;
    adoc *d;
    uint32_t field;
    const char *text;                  /* the field's text */
    bool field_open;
} worker;

#define AT(buf, type, i) (((type *)(void *)(buf).data)[i])
#define COUNT(buf, type) ((buf).len / sizeof(type))

/* index_analyze_batch.c */
void ixa_batch_clear(batch *b);
void ixa_batch_free(batch *b);
/* Gives back most of a batch's memory once it was indexed. */
void ixa_batch_trim(batch *b);
/* Reads the next documents into b (under the queue's lock). */
void ixa_batch_fill(queue *q, batch *b);

/* index_analyze_worker.c */
/* A worker thread: fills, analyses and finishes batches until the queue
 * stops (arg: its worker). */
void *ixa_work(void *arg);

#endif
