/*
 * index_analyze.c - the in-process analysis path of crible-index
 * (index_analyze.h): worker threads read and analyse batches of documents,
 * the calling thread indexes them in reading order.
 *
 * A batch is filled under the queue's lock (documents read, then their id,
 * JSON line, "lang" and analysed fields copied into the batch: the reader's
 * strings live only until its next read), analysed without it into flat
 * arrays (fields, sentences, tokens, the batch's dictionary of distinct
 * terms and normal forms and each token's numbers in it), then finished
 * off the index thread too (each document's metadata values and stored
 * record, as the writer would make them), then marked ready.  A
 * worker's dictionary keeps its first IX_DICT_LASTING terms from batch to
 * batch (the lasting terms, only appended to: the index thread reads the
 * ones a batch was handed while the worker adds more), and so does the
 * index thread its resolutions of them.  Batch number k lives in slot
 * k % nslots; a worker starts batch k only once batch k - nslots has been
 * indexed, which bounds the memory.  The first error (a bad line, a
 * document the tokenizer refuses) ends the stream after the documents
 * before it, as it ends crible-tokenize.  The workers' analyzers share one
 * stem correction table (stem_corrections.c), whose lookup index the index
 * thread builds while the workers analyse their first batch
 * (crible_analyzer_prepare).
 */
#include "index_analyze.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "doc.h"
#include "entities_document.h"
#include "entities_options.h"
#include "index_buffer.h"
#include "index_format.h"
#include "index_metadata.h"
#include "json_fast.h"
#include "tok_stream.h"
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
 * is the worker's, in any batch when they are all lasting terms. */
typedef struct aword {
    uint32_t stamp, field;
    uint32_t batch;          /* the batch its terms are of; 0: lasting terms only */
    ix_tokterm terms;
} aword;

/* A worker's lasting terms (intern): written by the worker only past
 * the count a batch was handed (what the index thread reads), never
 * moved nor changed: fixed arrays. */
#define LASTING_POOL (2u << 20)   /* their bytes */
typedef struct lasting {
    ix_dterm *terms;         /* IX_DICT_LASTING */
    uint32_t *field;         /* of each */
    char *pool;              /* LASTING_POOL */
    uint64_t *slots;         /* 2 IX_DICT_LASTING: key << 32 | number + 1, 0 free */
    uint32_t n;
    size_t pool_len;
} lasting;

/* An entity found by the tagger: its index field and value in `epool`. */
typedef struct aent { uint32_t type, field, value; } aent;

typedef struct batch {
    bool ready;
    ix_buf in;               /* the documents' strings, copied */
    ix_buf docs;             /* adoc */
    ix_buf spans;            /* aspan per option field per document (len SIZE_MAX: absent) */
    ix_buf fields, sents, toks, pool, recs, rec;
    ix_buf ents, epool;      /* aent, their strings (entity tagging only) */
    ix_kvlist kv;            /* the documents' metadata values (index_metadata.h) */
    ix_buf tterms;           /* ix_tokterm per token */
    ix_buf dterms, dfield;   /* the dictionary: ix_dterm, and the field of each (u32) */
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
    lasting lasting;                   /* the lasting terms of its dictionary */
    ix_dictres lres;                   /* the index thread's resolutions of them (its own) */
    uint32_t batchno;                  /* batches analysed (aword.batch) */
    uint64_t *dslots;                  /* the batch's own terms: key << 32 | term number + 1, 0 free */
    size_t dcap;
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

static void batch_clear(batch *b)
{
    b->in.len = b->docs.len = b->spans.len = 0;
    b->fields.len = b->sents.len = b->toks.len = b->pool.len = b->recs.len = 0;
    b->tterms.len = b->dterms.len = b->dfield.len = b->res.len = 0;
    b->ents.len = b->epool.len = 0;
    ix_kvlist_clear(&b->kv);
    b->ndocs = b->ngood = 0;
    b->st = CRIBLE_OK;
    crible_error_clear(&b->err);
}

static void batch_free(batch *b)
{
    ix_buf_free(&b->in);
    ix_buf_free(&b->docs);
    ix_buf_free(&b->spans);
    ix_buf_free(&b->fields);
    ix_buf_free(&b->sents);
    ix_buf_free(&b->toks);
    ix_buf_free(&b->pool);
    ix_buf_free(&b->recs);
    ix_buf_free(&b->rec);
    ix_buf_free(&b->ents);
    ix_buf_free(&b->epool);
    ix_kvlist_free(&b->kv);
    ix_buf_free(&b->tterms);
    ix_buf_free(&b->dterms);
    ix_buf_free(&b->dfield);
    ix_buf_free(&b->res);
}

/* After a huge document, a slot gives its memory back. */
static void batch_trim(batch *b)
{
    ix_buf *all[] = {&b->in,   &b->docs, &b->spans, &b->fields, &b->sents, &b->toks,
                     &b->pool, &b->recs, &b->rec,   &b->ents,   &b->epool,
                     &b->tterms, &b->dterms, &b->dfield, &b->res};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i]->cap > 16 * (size_t)CRIBLE_INDEX_ANALYZE_BATCH) ix_buf_free(all[i]);
    if (b->kv.pool.cap > 16 * (size_t)CRIBLE_INDEX_ANALYZE_BATCH) ix_kvlist_free(&b->kv);
}

static bool copy_in(batch *b, const char *s, size_t n, aspan *out)
{
    out->off = b->in.len;
    out->len = n;
    return ix_buf_add(&b->in, s, n) && ix_buf_add(&b->in, "", 1);
}

/* The string span src[0..n) of a JSON line, unescaped into the input
 * copy (as crible_doc_string gives it: the same bytes). */
static bool unescape_in(batch *b, const char *src, size_t n, aspan *out)
{
    if (!ix_buf_reserve(&b->in, n + 1)) return false;
    out->off = b->in.len;
    out->len = crible_json_unescape(src, n, (char *)b->in.data + b->in.len);
    b->in.len += out->len + 1;
    return true;
}

/* add_doc's rest for a lazy document (its line crible_json_doc_scan
 * accepted): "lang" and the fields found in one pass over the line
 * instead of one crible_doc_string (one pass) each; "text" is the
 * reader's, unescaped already. */
#define LAZY_NAMES CRIBLE_JSON_DOC_STRINGS_MAX   /* "lang" and the fields */
static bool add_lazy(batch *b, const crible_tokenize_options *topt, crible_doc *doc, adoc *d, size_t *text)
{
    const char *names[LAZY_NAMES], *strs[LAZY_NAMES];
    size_t lens[LAZY_NAMES];
    names[0] = "lang";
    for (size_t f = 0; f < topt->nfields; f++) names[f + 1] = topt->fields[f];
    crible_json_doc_strings(doc->raw, doc->raw_len, names, topt->nfields + 1, strs, lens);
    bool ok = true;
    d->lang.len = SIZE_MAX;
    if (strs[0]) {
        ok = unescape_in(b, strs[0], lens[0], &d->lang);
        /* crible_doc_string's value is read up to its first NUL */
        if (ok) d->lang.len = strlen((const char *)b->in.data + d->lang.off);
    }
    for (size_t f = 0; ok && f < topt->nfields; f++) {
        aspan s = {0, SIZE_MAX};
        if (doc->text && strcmp(topt->fields[f], "text") == 0) {
            ok = copy_in(b, doc->text, doc->text_len, &s);
        } else if (strs[f + 1]) {
            ok = unescape_in(b, strs[f + 1], lens[f + 1], &s);
        }
        if (s.len != SIZE_MAX) *text += s.len;
        ok = ok && ix_buf_add(&b->spans, &s, sizeof s);
    }
    ok = ok && ix_buf_add(&b->docs, d, sizeof *d);
    if (ok) b->ndocs++;
    return ok;
}

/* Copies what the analysis and the index need of one document. */
static bool add_doc(batch *b, const crible_tokenize_options *topt, crible_doc *doc, size_t *text)
{
    adoc d = {.line = doc->line};
    char *json = doc->raw ? NULL : crible_json_line(doc->json);
    if (!doc->raw && !json) return false;
    bool ok = copy_in(b, doc->id, strlen(doc->id), &d.id) &&
              copy_in(b, doc->raw ? doc->raw : json, doc->raw ? doc->raw_len : strlen(json), &d.json);
    free(json);
    if (ok && !doc->json && doc->work && topt->nfields < LAZY_NAMES)
        return add_lazy(b, topt, doc, &d, text);
    size_t n;
    const char *lang = ok ? crible_doc_string(doc, "lang", &n) : NULL;
    if (lang) ok = copy_in(b, lang, strlen(lang), &d.lang);
    else d.lang.len = SIZE_MAX;
    /* the fields crible-tokenize analyses, in its order (tok_stream.h) */
    for (size_t f = 0; ok && f < topt->nfields; f++) {
        const char *v = crible_doc_string(doc, topt->fields[f], &n);
        aspan s = {0, SIZE_MAX};
        if (v) {
            ok = copy_in(b, v, n, &s);
            *text += n;
        }
        ok = ok && ix_buf_add(&b->spans, &s, sizeof s);
    }
    ok = ok && ix_buf_add(&b->docs, &d, sizeof d);
    if (ok) b->ndocs++;
    return ok;
}

/* Reads a batch (the queue's lock held). */
static void fill(queue *q, batch *b)
{
    size_t text = 0;
    while (text < CRIBLE_INDEX_ANALYZE_BATCH && b->ndocs < 4096) {
        crible_doc doc;
        int r = crible_doc_read(q->reader, &doc, &b->err);
        if (r <= 0) {
            if (r < 0) b->st = b->err.status;
            q->eof = true;
            return;
        }
        bool ok = add_doc(b, q->topt, &doc, &text);
        crible_doc_free(&doc);
        if (!ok) {
            b->st = crible_error_set(&b->err, CRIBLE_ENOMEM, "out of memory");
            q->eof = true;
            return;
        }
    }
}

static uint32_t offset32(size_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

/* Whether a[0..n) and b[0..n) are the same bytes (short terms: inline). */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return false;
    }
    while (n--)
        if (*a++ != *b++) return false;
    return true;
}

/* Grows the batch's table of terms (at most half full). */
static bool dslots_grow(worker *c, size_t count)
{
    if ((count + 1) * 2 <= c->dcap) return true;
    size_t cap = c->dcap ? c->dcap * 2 : 4096;
    uint64_t *t = calloc(cap, sizeof *t);
    if (!t) return false;
    for (size_t i = 0; i < c->dcap; i++) {
        if (!c->dslots[i]) continue;
        size_t j = (c->dslots[i] >> 32) & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = c->dslots[i];
    }
    free(c->dslots);
    c->dslots = t;
    c->dcap = cap;
    return true;
}

/* The number of field f's term s[0..n) (cut by ix_term_len) in the
 * dictionary, added if new: among the worker's lasting terms (numbers
 * below IX_DICT_LASTING, kept from batch to batch: the first ones met,
 * while there is room), else among the batch's own.  A slot holds the
 * term's key (its hash and field mixed) above its number + 1 (0: free),
 * so that a probe reads a term only when the keys agree. */
static bool intern(worker *c, batch *b, uint32_t f, const char *s, size_t n, uint32_t *id)
{
    size_t len = ix_term_len(s, n);
    uint32_t h = ix_term_hash(s, len), key = h ^ f * 0x85ebca6bu;
    lasting *l = &c->lasting;
    size_t lj = 0;
    if (l->slots) {
        lj = key & (2 * IX_DICT_LASTING - 1);
        for (uint64_t v; (v = l->slots[lj]); lj = (lj + 1) & (2 * IX_DICT_LASTING - 1)) {
            if ((uint32_t)(v >> 32) != key) continue;
            uint32_t e = (uint32_t)v - 1;
            const ix_dterm *t = &l->terms[e];
            if (t->len == len && l->field[e] == f && same_bytes(l->pool + t->off, s, len)) {
                *id = e;
                return true;
            }
        }
        if (l->n < IX_DICT_LASTING && l->pool_len + len + 1 <= LASTING_POOL) {   /* a new lasting term */
            l->terms[l->n] = (ix_dterm){(uint32_t)l->pool_len, (uint32_t)len, h};
            memcpy(l->pool + l->pool_len, s, len);
            l->pool[l->pool_len + len] = 0;
            l->pool_len += len + 1;
            l->field[l->n] = f;
            l->slots[lj] = (uint64_t)key << 32 | (l->n + 1);
            *id = l->n++;
            return true;
        }
    }
    size_t count = COUNT(b->dterms, ix_dterm);
    if (!dslots_grow(c, count)) return false;
    const char *pool = (const char *)b->pool.data;
    size_t j = key & (c->dcap - 1);
    for (uint64_t v; (v = c->dslots[j]); j = (j + 1) & (c->dcap - 1)) {
        if ((uint32_t)(v >> 32) != key) continue;
        uint32_t e = (uint32_t)v - 1;
        const ix_dterm *t = &AT(b->dterms, ix_dterm, e);
        if (t->len == len && AT(b->dfield, uint32_t, e) == f && same_bytes(pool + t->off, s, len)) {
            *id = IX_DICT_LASTING + e;
            return true;
        }
    }
    ix_dterm t = {0, (uint32_t)len, h};
    if (count >= IX_TOKTERM_DIFFER - IX_DICT_LASTING - 1 || !ix_buf_string(&b->pool, s, len, &t.off) ||
        !ix_buf_add(&b->dterms, &t, sizeof t) || !ix_buf_u32(&b->dfield, f))
        return false;
    c->dslots[j] = (uint64_t)key << 32 | ((uint32_t)count + 1);
    *id = IX_DICT_LASTING + (uint32_t)count;
    return true;
}

static void lasting_free(lasting *l)
{
    free(l->terms);
    free(l->field);
    free(l->pool);
    free(l->slots);
    memset(l, 0, sizeof *l);
}

/* The lasting terms' memory (NULL slots: none, every term is the
 * batch's).  Pages of the arrays not reached are never touched. */
static void lasting_open(lasting *l)
{
    l->terms = malloc(IX_DICT_LASTING * sizeof *l->terms);
    l->field = malloc(IX_DICT_LASTING * sizeof *l->field);
    l->pool = malloc(LASTING_POOL);
    l->slots = calloc(2 * IX_DICT_LASTING, sizeof *l->slots);
    if (!l->terms || !l->field || !l->pool || !l->slots) lasting_free(l);
}

/* Room for word number w (c->words[w - 1]; zeroed: stamp 0 is never
 * valid). */
static bool words_reserve(worker *c, uint32_t w)
{
    size_t cap = c->nwords ? c->nwords : 1024;
    while (cap < w) cap *= 2;
    aword *p = realloc(c->words, cap * sizeof *p);
    if (!p) return false;   /* only speed is lost */
    memset(p + c->nwords, 0, (cap - c->nwords) * sizeof *p);
    c->words = p;
    c->nwords = cap;
    return true;
}

/* Makes every c->words entry invalid: a new stamp (0 is never valid). */
static void forget_words(worker *c)
{
    if (++c->stamp == 0) {
        if (c->nwords) memset(c->words, 0, c->nwords * sizeof *c->words);
        c->stamp = 1;
    }
}

/* Follows the analyzer's word epoch: numbers of another one are another
 * generation, and what they gave is forgotten. */
static void sync_epoch(worker *c)
{
    uint64_t epoch = crible_analyzer_word_epoch(c->an);
    if (epoch != c->epoch) {
        c->epoch = epoch;
        forget_words(c);
    }
}

/* An entity string in the batch's epool. */
static bool epool_add(ix_buf *epool, const char *s, uint32_t *off)
{
    return ix_buf_string(epool, s, strlen(s), off);
}

/* Tags one sentence as crible-entities tags the block crible-stem wrote of
 * it (FORM is the text between the offsets, NORM and TYPE the tokenizer's),
 * and keeps its entities as crible_index_stream takes them from the
 * CRIBLE:NER and CRIBLE:ENTITY cells: a B- label opens one, its value is
 * the canonical value (a cell holds at most 1023 bytes of it; none is
 * written "_"), else its surface words ("_" forms left out). */
static crible_status tag_entities(worker *c, const crible_analyzed_token *t, size_t n, crible_error *err)
{
    if (n > c->etoks_cap) {
        size_t cap = c->etoks_cap ? c->etoks_cap : 256;
        while (cap < n) cap *= 2;
        void *p = realloc(c->etoks, cap * sizeof *c->etoks);
        if (!p) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        c->etoks = p;
        c->etoks_cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        c->etoks[i] = (crible_entities_token){c->text + t[i].start, t[i].end - t[i].start, t[i].norm,
                                              t[i].norm_len, (long)t[i].start, (long)t[i].end,
                                              crible_entities_token_kind(crible_token_type_name(t[i].type))};
    crible_status st = crible_entities_tag(c->ent, c->etoks, n, err);
    if (st) return st;
    const uint16_t *labels = crible_entities_labels(c->ent);
    const char *const *values = crible_entities_values(c->ent);
    batch *b = c->b;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] % 2 != 1) continue;
        char field[64], value[1024];
        crible_index_entity_field(crible_entities_label_name(c->ent, labels[i]) + 2, field, sizeof field);
        const char *v = values[i];
        if (v && *v && strcmp(v, "_") != 0) {
            snprintf(value, sizeof value, "%s", v);
        } else {
            size_t len = 0;
            value[0] = 0;
            for (size_t k = i; k < n && len < sizeof value - 1; k++) {
                if (k > i && (labels[k] == 0 || labels[k] % 2 != 0)) break;   /* not I- */
                const crible_entities_token *e = &c->etoks[k];
                if (e->form_len == 0 || (e->form_len == 1 && e->form[0] == '_')) continue;
                char word[1024];
                snprintf(word, sizeof word, "%.*s", (int)e->form_len, e->form);
                crible_index_entity_word(value, sizeof value, &len, word);
            }
        }
        aent a;
        if (!epool_add(&b->epool, crible_entities_label_name(c->ent, labels[i]) + 2, &a.type) ||
            !epool_add(&b->epool, field, &a.field) || !epool_add(&b->epool, value, &a.value) ||
            !ix_buf_add(&b->ents, &a, sizeof a))
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        c->d->nent++;
    }
    return CRIBLE_OK;
}

/* One sentence of the field being analysed.  The stem and normal form
 * the index receives are those crible_index_stream reads back from the
 * CoNLL-U cells crible-stem writes: an empty cell is written "_", and "_"
 * is read as no value (no stem; the normal form then is the stem). */
static crible_status on_sentence(void *ctx, const crible_analyzed_token *t, size_t n, size_t index,
                                 crible_error *err)
{
    (void)index;
    worker *c = ctx;
    batch *b = c->b;
    if (!c->field_open) {
        afield f = {c->field, (uint32_t)COUNT(b->toks, crible_index_token), 0,
                    (uint32_t)COUNT(b->sents, uint32_t), 0};
        if (!ix_buf_add(&b->fields, &f, sizeof f)) goto nomem;
        c->d->n++;
        c->field_open = true;
    }
    afield *f = &AT(b->fields, afield, COUNT(b->fields, afield) - 1);
    if (!ix_buf_u32(&b->sents, f->ntok) || !ix_buf_reserve(&b->toks, n * sizeof(crible_index_token)) ||
        !ix_buf_reserve(&b->tterms, n * sizeof(ix_tokterm)))
        goto nomem;
    f->nsent++;
    sync_epoch(c);
    /* in locals: the stores below would make the compiler read them again */
    crible_index_token *o = (crible_index_token *)(void *)(b->toks.data + b->toks.len);
    ix_tokterm *tt = (ix_tokterm *)(void *)(b->tterms.data + b->tterms.len);
    const uint32_t stamp = c->stamp, field = c->field, batchno = c->batchno;
    for (size_t i = 0; i < n; i++, o++, tt++) {
        *o = (crible_index_token){NULL, NULL, offset32(t[i].start), offset32(t[i].end)};
        uint32_t w = t[i].word;
        const aword *aw = w && w <= c->nwords ? &c->words[w - 1] : NULL;   /* numbers from 1 */
        if (aw && aw->stamp == stamp && aw->field == field && (aw->batch == 0 || aw->batch == batchno)) {
            *tt = aw->terms;   /* a word met in this field and batch: no lookup */
            continue;
        }
        tt->stem = UINT32_MAX;
        if (t[i].term_len && !(t[i].term_len == 1 && t[i].term[0] == '_')) {   /* else no stem: not indexed */
            if (!intern(c, b, field, t[i].term, t[i].term_len, &tt->stem)) goto nomem;
            /* the normal form the writer takes: "_" or empty is the stem */
            if ((t[i].norm_len == 1 && t[i].norm[0] == '_') || !t[i].norm_len ||
                (t[i].norm_len == t[i].term_len && !memcmp(t[i].norm, t[i].term, t[i].term_len)))
                tt->norm = tt->stem;
            else if (intern(c, b, field, t[i].norm, t[i].norm_len, &tt->norm))
                tt->norm |= IX_TOKTERM_DIFFER;
            else
                goto nomem;
        }
        if (w && (w <= c->nwords || words_reserve(c, w))) {
            bool mine = (tt->stem != UINT32_MAX && tt->stem >= IX_DICT_LASTING) ||
                        (tt->stem != UINT32_MAX && (tt->norm & ~IX_TOKTERM_DIFFER) >= IX_DICT_LASTING);
            c->words[w - 1] = (aword){stamp, field, mine ? batchno : 0, *tt};
        }
    }
    b->toks.len += n * sizeof *o;   /* reserved above */
    b->tterms.len += n * sizeof *tt;
    f->ntok += (uint32_t)n;
    c->d->tokens += n;
    return c->ent ? tag_entities(c, t, n, err) : CRIBLE_OK;
nomem:
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
}

/* A document's metadata values, as the writer would make them
 * (ix_docmeta_values, given the fields the document has); none (the writer
 * makes them, and reports what is wrong) when its JSON cannot be read. */
static bool add_metadata(worker *c, batch *b, adoc *d)
{
    const char *in = (const char *)b->in.data;
    const char *names[64];
    size_t nn = 0;
    for (uint32_t k = 0; k < d->n && nn < 64; k++)
        names[nn++] = c->q->topt->fields[AT(b->fields, afield, d->first + k).field];
    crible_error err;
    size_t first = b->kv.n;
    d->kv.len = SIZE_MAX;
    /* the line crible_doc_read accepted (or jansson's): valid UTF-8 */
    crible_status st = ix_docmeta_read_utf8(&c->meta, in + d->id.off, in + d->json.off, d->json.len, &err);
    if (!st) st = ix_docmeta_values(&c->meta, names, nn, &b->kv, &err);
    ix_docmeta_release(&c->meta);
    if (st) {
        b->kv.n = first;
        return st != CRIBLE_ENOMEM;
    }
    d->kv = (aspan){first, b->kv.n - first};
    return true;
}

/* Once the pool stops moving: the dictionary, then each document's
 * metadata values and stored record (what the writer would make of them,
 * made here, off its thread) unless `lend`: the index thread was waiting
 * for the analysis, so it makes them itself (the same functions: the same
 * bytes), which balances the two sides. */
static bool finish_batch(worker *c, batch *b, bool lend)
{
    const queue *q = c->q;
    uint32_t nterms = (uint32_t)COUNT(b->dterms, ix_dterm);
    if (!ix_buf_reserve(&b->res, 2 * (size_t)nterms * sizeof(void *) + 1)) return false;
    b->dict = (ix_termdict){(const char *)b->pool.data, (const ix_dterm *)(void *)b->dterms.data, nterms,
                            (void **)(void *)b->res.data, UINT64_MAX,
                            c->lasting.pool, c->lasting.terms, c->lasting.n, &c->lres};
    const char *in = (const char *)b->in.data;
    for (size_t i = 0; i < b->ngood; i++) {
        adoc *d = &AT(b->docs, adoc, i);
        const aspan *spans = &AT(b->spans, aspan, i * q->topt->nfields);
        ix_docfield fs[64];
        d->rec.off = SIZE_MAX;
        d->kv.len = SIZE_MAX;
        if (d->n > 64 || lend) continue;   /* more than the writer takes: it says so */
        if (!add_metadata(c, b, d)) return false;
        for (uint32_t k = 0; k < d->n; k++) {
            const afield *f = &AT(b->fields, afield, d->first + k);
            const aspan *text = &spans[f->field];
            fs[k] = (ix_docfield){q->topt->fields[f->field], in + text->off, text->len,
                                  &AT(b->toks, crible_index_token, f->tok), f->ntok,
                                  &AT(b->sents, uint32_t, f->sent), f->nsent, NULL, NULL};
        }
        if (!ix_stored_record(&b->rec, in + d->json.off, d->json.len, fs, d->n)) return false;
        d->rec.off = b->recs.len;
        d->rec.len = b->rec.len;
        if (!ix_buf_add(&b->recs, b->rec.data, b->rec.len)) return false;
    }
    ix_kvlist_pointers(&b->kv, 0);
    return true;
}

/* Analyses the batch's documents; stops at the first one refused. */
static void analyse(worker *c, batch *b)
{
    const crible_tokenize_options *topt = c->q->topt;
    c->b = b;
    if (c->dcap) memset(c->dslots, 0, c->dcap * sizeof *c->dslots);   /* a new dictionary */
    if (!c->stamp) forget_words(c);   /* the first batch: stamp 1 (0 is never valid) */
    if (++c->batchno == 0) {   /* what the words gave in the last ones: forgotten if not lasting */
        forget_words(c);
        c->batchno = 1;
    }
    sync_epoch(c);
    for (size_t i = 0; i < b->ndocs; i++) {
        adoc *d = &AT(b->docs, adoc, i);
        const aspan *spans = &AT(b->spans, aspan, i * topt->nfields);
        const char *in = (const char *)b->in.data;
        const char *lang = d->lang.len == SIZE_MAX ? NULL : in + d->lang.off;
        d->first = (uint32_t)COUNT(b->fields, afield);
        d->n = 0;
        d->tokens = 0;
        d->ent = (uint32_t)COUNT(b->ents, aent);
        d->nent = 0;
        c->d = d;
        crible_status st = CRIBLE_OK;
        if (c->ent) {   /* as crible-entities at a `# newdoc id` */
            crible_entities_end_document(c->ent);
            st = crible_entities_document_names(c->ent, in + d->json.off, &c->names, &b->err);
        }
        for (size_t f = 0; f < topt->nfields && !st; f++) {
            if (spans[f].len == SIZE_MAX) continue;
            c->field = (uint32_t)f;
            c->text = in + spans[f].off;
            c->field_open = false;
            st = crible_analyzer_run(c->an, lang, in + spans[f].off, spans[f].len, on_sentence, c, &b->err);
            if (st && st != CRIBLE_EIO)
                crible_error_prefix(&b->err, "document '%s', field '%s'", in + d->id.off, topt->fields[f]);
        }
        if (st) {
            char *name = crible_input_name(c->q->name);
            crible_error_prefix(&b->err, "%s:%ld", name ? name : "<input>", d->line);
            free(name);
            b->st = st;
            return;
        }
        b->ngood = i + 1;
    }
}

static void *work(void *arg)
{
    worker *c = arg;
    queue *q = c->q;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->stop && !q->eof && q->next >= q->consumed + q->nslots) pthread_cond_wait(&q->cv, &q->mu);
        if (q->stop || q->eof) break;
        batch *b = &q->slots[q->next++ % q->nslots];
        bool lend = q->starved;
        batch_clear(b);
        fill(q, b);
        crible_status read_st = b->st;
        crible_error read_err = b->err;
        pthread_mutex_unlock(&q->mu);
        analyse(c, b);
        if (!finish_batch(c, b, lend) && !b->st) {
            b->ngood = 0;
            b->st = crible_error_set(&b->err, CRIBLE_ENOMEM, "out of memory");
        }
        if (!b->st && read_st) {   /* the read error comes after the documents read */
            b->st = read_st;
            b->err = read_err;
        }
        pthread_mutex_lock(&q->mu);
        if (b->st) q->eof = true;
        b->ready = true;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

struct crible_index_analyze {
    crible_index_analyze_options o;
    worker *workers;
    int nworkers;
    char *settings;           /* the settings object crible_index_stream would record */
    crible_index_entity_count types[CRIBLE_INDEX_ANALYZE_TYPES];   /* entities tagged */
    size_t ntypes;
};

static void count_entity(crible_index_analyze *a, const char *type)
{
    size_t i = 0;
    while (i < a->ntypes && strcmp(a->types[i].type, type) != 0) i++;
    if (i == a->ntypes) {
        if (i == CRIBLE_INDEX_ANALYZE_TYPES) return;
        snprintf(a->types[i].type, sizeof a->types[i].type, "%s", type);
        a->types[i].count = 0;
        a->ntypes++;
    }
    a->types[i].count++;
}

size_t crible_index_analyze_entities(const crible_index_analyze *a, const crible_index_entity_count **out)
{
    *out = a->types;
    return a->ntypes;
}

/* {"columns": the columns of crible-tokenize | crible-stem, "stem": ...,
 *  "tokenize": ...}: what crible_index_stream collects from such a stream. */
static char *settings_json(const crible_index_analyze_options *o)
{
    char *tj = crible_tokenize_options_json(o->tokenize), *sj = crible_stem_options_json(o->stem);
    json_t *t = tj ? json_loads(tj, 0, NULL) : NULL, *s = sj ? json_loads(sj, 0, NULL) : NULL;
    free(tj);
    free(sj);
    ix_buf cols = {0};
    bool ok = t && s;
    for (int i = 0; ok && i < CRIBLE_TOKENIZE_NCOLUMNS; i++)
        ok = ix_buf_add(&cols, crible_tokenize_columns[i], strlen(crible_tokenize_columns[i])) &&
             ix_buf_add(&cols, " ", 1);
    static const char stem_cols[] = "CRIBLE:STEM CRIBLE:STOP", ner_cols[] = " CRIBLE:NER CRIBLE:ENTITY";
    ok = ok && ix_buf_add(&cols, stem_cols, sizeof stem_cols - 1) &&
         (!o->entities || ix_buf_add(&cols, ner_cols, sizeof ner_cols - 1)) && ix_buf_add(&cols, "", 1);
    json_t *an = ok ? json_pack("{s:s, s:O, s:O}", "columns", (char *)cols.data, "tokenize", t, "stem", s) : NULL;
    char *out = an ? json_dumps(an, JSON_COMPACT) : NULL;
    json_decref(an);
    json_decref(t);
    json_decref(s);
    ix_buf_free(&cols);
    return out;
}

crible_status crible_index_analyze_open(const crible_index_analyze_options *o, crible_index_analyze **out,
                                         crible_error *err)
{
    *out = NULL;
    if (o->threads < 1 || o->threads > CRIBLE_INDEX_ANALYZE_MAX_THREADS)
        return crible_error_set(err, CRIBLE_EUSAGE, "analysis threads: %d is not between 1 and %d", o->threads,
                                CRIBLE_INDEX_ANALYZE_MAX_THREADS);
    crible_index_analyze *a = calloc(1, sizeof *a);
    if (!a || !(a->workers = calloc((size_t)o->threads, sizeof *a->workers))) {
        free(a);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    a->o = *o;
    crible_status st = CRIBLE_OK;
    for (int i = 0; i < o->threads && !st; i++) {
        crible_tokenize_options t = *o->tokenize;
        t.sentences = true;
        worker *c = &a->workers[i];
        st = crible_analyzer_open(&t, o->stem, &c->an, err);
        if (!st) a->nworkers++;
        lasting_open(&c->lasting);   /* none: only slower */
        if (!st && o->entities) st = crible_entities_load(o->entities_config, o->entities_section, NULL, &c->ent, err);
    }
    if (!st && !(a->settings = settings_json(o))) st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (st) {
        crible_index_analyze_free(a);
        return st;
    }
    *out = a;
    return CRIBLE_OK;
}

void crible_index_analyze_free(crible_index_analyze *a)
{
    if (!a) return;
    for (int i = 0; i < a->nworkers; i++) {
        crible_analyzer_free(a->workers[i].an);
        crible_entities_free(a->workers[i].ent);
        free(a->workers[i].etoks);
        free(a->workers[i].dslots);
        free(a->workers[i].words);
        ix_dictres_free(&a->workers[i].lres);
        lasting_free(&a->workers[i].lasting);
        ix_docmeta_free(&a->workers[i].meta);
    }
    free(a->workers);
    free(a->settings);
    free(a);
}

/* Hands one analysed document to the writer: each field whole, then its
 * stored record. */
static crible_status index_doc(crible_index_writer *w, const queue *q, batch *b, const adoc *d,
                               crible_error *err)
{
    const char *in = (const char *)b->in.data;
    crible_status st = crible_index_doc_begin(w, in + d->id.off, in + d->json.off, d->json.len, err);
    for (uint32_t k = 0; !st && k < d->n; k++) {
        const afield *f = &AT(b->fields, afield, d->first + k);
        st = crible_index_doc_field_terms(w, q->topt->fields[f->field], &AT(b->toks, crible_index_token, f->tok),
                                          f->ntok, &AT(b->sents, uint32_t, f->sent), f->nsent,
                                          &AT(b->tterms, ix_tokterm, f->tok), &b->dict, err);
    }
    for (uint32_t k = 0; !st && k < d->nent; k++) {
        const aent *e = &AT(b->ents, aent, d->ent + k);
        const char *pool = (const char *)b->epool.data;
        st = crible_index_doc_entity(w, pool + e->field, pool + e->value, err);
    }
    if (st) {
        crible_index_doc_abort(w);
        return st;
    }
    if (d->rec.off != SIZE_MAX) crible_index_doc_stored(w, b->recs.data + d->rec.off, d->rec.len);
    if (d->kv.len != SIZE_MAX) crible_index_doc_metadata(w, b->kv.kvs + d->kv.off, d->kv.len);
    return crible_index_doc_end(w, err);
}

crible_status crible_index_analyze_run(crible_index_analyze *a, crible_index_writer *w, FILE *in,
                                        const char *name, crible_index_stream_stats *stats, crible_error *err)
{
    crible_index_stream_stats local = {0, 0, 0};
    if (!stats) stats = &local;
    crible_doc_reader *reader;
    crible_status st = crible_doc_reader_open(in, name, &reader, err);
    if (st) return st;
    crible_doc_reader_set_lazy(reader, true);
    queue q = {.reader = reader, .name = name, .topt = a->o.tokenize,
               .nslots = CRIBLE_INDEX_ANALYZE_SLOTS((size_t)a->nworkers)};
    q.slots = calloc(q.nslots, sizeof *q.slots);
    if (!q.slots) {
        crible_doc_reader_close(reader);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    int started = 0;
    for (int i = 0; i < a->nworkers; i++) {
        a->workers[i].q = &q;
        /* what the index thread made of the lasting terms held for the
         * last run's writer */
        ix_dictres_free(&a->workers[i].lres);
        if (pthread_create(&a->workers[i].th, NULL, work, &a->workers[i]) == 0) started++;
        else break;
    }
    if (!started) st = crible_error_set(err, CRIBLE_ENOMEM, "cannot start an analysis thread");
    /* while the workers analyse their first batch (the analyzers share
     * their correction table): its lookup index, off their path */
    if (started) crible_analyzer_prepare(a->workers[0].an);
    bool settled = false;
    crible_status first_bad = CRIBLE_OK;
    crible_error bad;
    crible_error_clear(&bad);
    char *shown = crible_input_name(name);
    for (uint64_t seq = 0; !st; seq++) {
        batch *b = &q.slots[seq % q.nslots];
        pthread_mutex_lock(&q.mu);
        bool waited = false;
        while (!(seq < q.next && b->ready) && !(q.eof && seq >= q.next)) {
            waited = true;
            pthread_cond_wait(&q.cv, &q.mu);
        }
        q.starved = waited && seq > 0;   /* the first batch is always awaited */
        bool have = seq < q.next;
        pthread_mutex_unlock(&q.mu);
        if (!have) break;
        for (size_t i = 0; i < b->ngood && !st; i++) {
            const adoc *d = &AT(b->docs, adoc, i);
            if (!settled) {   /* as crible_index_stream: at the first document */
                settled = true;
                json_t *an = json_loads(a->settings, 0, NULL);
                st = an ? crible_index_stream_settings(w, an, shown ? shown : name, err)
                        : crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                json_decref(an);
                if (st) break;
            }
            for (uint32_t k = 0; k < d->nent; k++)
                count_entity(a, (const char *)b->epool.data + AT(b->ents, aent, d->ent + k).type);
            crible_status ds = index_doc(w, &q, b, d, err);
            if (ds == CRIBLE_EDATA) {   /* that document is out; keep the rest */
                stats->bad_docs++;
                if (!first_bad) {
                    first_bad = ds;
                    bad = *err;
                    crible_error_prefix(&bad, "%s:%ld: document '%s'", shown ? shown : name, d->line,
                                        (const char *)b->in.data + d->id.off);
                }
            } else if (ds) {
                st = ds;
            } else {
                stats->docs++;
                stats->tokens += d->tokens;
            }
        }
        if (!st && b->st) {
            st = b->st;
            *err = b->err;
        }
        pthread_mutex_lock(&q.mu);
        b->ready = false;
        batch_trim(b);
        q.consumed = seq + 1;
        if (st) q.stop = true;
        pthread_cond_broadcast(&q.cv);
        pthread_mutex_unlock(&q.mu);
    }
    pthread_mutex_lock(&q.mu);
    q.stop = true;
    pthread_cond_broadcast(&q.cv);
    pthread_mutex_unlock(&q.mu);
    for (int i = 0; i < started; i++) pthread_join(a->workers[i].th, NULL);
    for (size_t i = 0; i < q.nslots; i++) batch_free(&q.slots[i]);
    free(q.slots);
    pthread_cond_destroy(&q.cv);
    pthread_mutex_destroy(&q.mu);
    crible_doc_reader_close(reader);
    free(shown);
    if (!st && first_bad) {
        *err = bad;
        st = first_bad;
    }
    return st;
}
