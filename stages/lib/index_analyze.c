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
 *
 * This file is the index thread's side (the queue, batches taken in order,
 * each document handed to the writer); a batch's reading and memory are in
 * index_analyze_batch.c, a worker's analysis in index_analyze_worker.c,
 * their types in index_analyze_impl.h.
 */
#include "index_analyze_impl.h"

#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "entities_options.h"
#include "json_fast.h"
#include "tok_stream.h"

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
        if (!st) {
            a->nworkers++;
            ix_interner_open(&c->in);   /* none: only slower */
        }
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
        free(a->workers[i].words);
        ix_dictres_free(&a->workers[i].lres);
        ix_interner_free(&a->workers[i].in);
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
        if (pthread_create(&a->workers[i].th, NULL, ixa_work, &a->workers[i]) == 0) started++;
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
                    /* the writer's message may name the document already */
                    const char *id = (const char *)b->in.data + d->id.off;
                    char named[300];
                    snprintf(named, sizeof named, "document '%s': ", id);
                    if (strncmp(bad.message, named, strlen(named)) == 0)
                        crible_error_prefix(&bad, "%s:%ld", shown ? shown : name, d->line);
                    else
                        crible_error_prefix(&bad, "%s:%ld: document '%s'", shown ? shown : name, d->line, id);
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
        ixa_batch_trim(b);
        q.consumed = seq + 1;
        if (st) q.stop = true;
        pthread_cond_broadcast(&q.cv);
        pthread_mutex_unlock(&q.mu);
        crible_bigmem_heap_follow();   /* huge pages on what the heap grew (bigmem.h) */
    }
    pthread_mutex_lock(&q.mu);
    q.stop = true;
    pthread_cond_broadcast(&q.cv);
    pthread_mutex_unlock(&q.mu);
    for (int i = 0; i < started; i++) pthread_join(a->workers[i].th, NULL);
    for (size_t i = 0; i < q.nslots; i++) ixa_batch_free(&q.slots[i]);
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
