/*
 * index_analyze_worker.c - an analysis worker of the in-process path
 * (index_analyze_impl.h): it analyses a batch on its own analyzer into
 * flat arrays (fields, sentences, tokens, and each token's numbers in the
 * batch's dictionary of distinct terms and normal forms, numbered by
 * its interner, index_termdict.h, whose first IX_DICT_LASTING terms last
 * from batch to batch), tags its entities when asked, and finishes it off the index thread (each document's metadata
 * values and stored record, as the writer would make them) unless the
 * index thread waits and is lent them.
 */
#include "index_analyze_impl.h"

#include <stdlib.h>
#include <string.h>

#include "entities_options.h"
#include "json_fast.h"
#include "tok_stream.h"

static uint32_t offset32(size_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

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
    /* the words' entries are read at random (a cache miss a token):
     * asked for 8 tokens ahead */
    const size_t nwords = c->nwords;
    for (size_t i = 0; i < n && i < 8; i++)
        if (t[i].word && t[i].word <= nwords) __builtin_prefetch(&c->words[t[i].word - 1]);
    for (size_t i = 0; i < n; i++, o++, tt++) {
        if (i + 8 < n && t[i + 8].word && t[i + 8].word <= nwords) __builtin_prefetch(&c->words[t[i + 8].word - 1]);
        *o = (crible_index_token){NULL, NULL, offset32(t[i].start), offset32(t[i].end)};
        uint32_t w = t[i].word;
        const aword *aw = w && w <= c->nwords ? &c->words[w - 1] : NULL;   /* numbers from 1 */
        if (aw && aw->stamp == stamp && aw->field == field && (aw->batch == 0 || aw->batch == batchno)) {
            *tt = aw->terms;   /* a word met in this field and batch: no lookup */
            continue;
        }
        tt->stem = UINT32_MAX;
        if (t[i].term_len && !(t[i].term_len == 1 && t[i].term[0] == '_')) {   /* else no stem: not indexed */
            if (!ix_intern(&c->in, &b->own, field, t[i].term, t[i].term_len, &tt->stem)) goto nomem;
            /* the normal form the writer takes: "_" or empty is the stem */
            if ((t[i].norm_len == 1 && t[i].norm[0] == '_') || !t[i].norm_len ||
                (t[i].norm_len == t[i].term_len && !memcmp(t[i].norm, t[i].term, t[i].term_len)))
                tt->norm = tt->stem;
            else if (ix_intern(&c->in, &b->own, field, t[i].norm, t[i].norm_len, &tt->norm))
                tt->norm |= IX_TOKTERM_DIFFER;
            else
                goto nomem;
        }
        if (w && field <= UINT16_MAX && (w <= c->nwords || words_reserve(c, w))) {
            bool mine = (tt->stem != UINT32_MAX && tt->stem >= IX_DICT_LASTING) ||
                        (tt->stem != UINT32_MAX && (tt->norm & ~IX_TOKTERM_DIFFER) >= IX_DICT_LASTING);
            c->words[w - 1] = (aword){stamp, (uint16_t)field, (uint16_t)(mine ? batchno : 0), *tt};
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
    size_t nterms = COUNT(b->own.terms, ix_dterm);
    if (!ix_buf_reserve(&b->res, 2 * nterms * sizeof(void *) + 1)) return false;
    ix_interner_dict(&c->in, &b->own, (void **)(void *)b->res.data, &c->lres, &b->dict);
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
    if (!c->stamp) forget_words(c);   /* the first batch: stamp 1 (0 is never valid) */
    if (++c->batchno > UINT16_MAX) {   /* what the words gave in the last ones: forgotten if not lasting */
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

void *ixa_work(void *arg)
{
    worker *c = arg;
    queue *q = c->q;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->stop && !q->eof && q->next >= q->consumed + q->nslots) pthread_cond_wait(&q->cv, &q->mu);
        if (q->stop || q->eof) break;
        batch *b = &q->slots[q->next++ % q->nslots];
        bool lend = q->starved;
        ixa_batch_clear(b);
        ixa_batch_fill(q, b);
        crible_status read_st = b->st;
        crible_error read_err = b->err;
        pthread_mutex_unlock(&q->mu);
        analyse(c, b);
        if (!finish_batch(c, b, lend) && !b->st) {
            b->ngood = 0;
            b->st = crible_error_set(&b->err, CRIBLE_ENOMEM, "out of memory");
        }
        ix_interner_forget(&c->in, &b->own);   /* the next batch's dictionary starts empty */
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
