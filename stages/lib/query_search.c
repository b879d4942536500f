/*
 * query_search.c - the searcher (query.h): shards opened together with one
 * table of fields and global statistics, crible_search (plan, then each
 * shard's top k merged), and a hit's details (stored fields, snippets,
 * explain).
 */
#include "query_internal.h"
#include "query_cache.h"
#include "query_fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void crible_query_options_init(crible_query_options *o)
{
    memset(o, 0, sizeof *o);
    o->default_or = false;
    o->k1 = 1.2;
    o->b = 0.75;
    o->nweights = 2;
    o->weights[0] = (crible_field_weight){"title", 2.0};
    o->weights[1] = (crible_field_weight){"text", 1.0};
    o->default_fields[0] = "title";
    o->default_fields[1] = "text";
    o->ndefault_fields = 2;
    o->near_default = 10;
    o->max_expansions = 256;
    o->stop_optional = true;
    o->accent_variants = true;
    o->snippet_bytes = 220;
    o->snippet_fragments = 2;
}

int qs_field(const crible_searcher *s, const char *name)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

static double weight_of(const crible_query_options *o, const char *name)
{
    for (size_t i = 0; i < o->nweights; i++)
        if (o->weights[i].field && strcmp(o->weights[i].field, name) == 0)
            return o->weights[i].weight;
    return 1.0;
}

/* Whether a shard has a text, keyword or exact field called name
 * (crible_field_table_name). */
static bool name_not_numeric(const crible_searcher *s, const char *name)
{
    for (size_t k = 0; k < s->nshards; k++) {
        int f = crible_index_field(s->shards[k], name);
        crible_field_info fi;
        if (f >= 0 && (crible_index_field_get_info(s->shards[k], f, &fi), fi.kind != CRIBLE_FIELD_NUMERIC))
            return true;
    }
    return false;
}

static crible_status add_fields(crible_searcher *s, size_t shard, crible_error *err)
{
    crible_index *ix = s->shards[shard];
    size_t nf = crible_index_nfields(ix);
    for (size_t i = 0; i < nf; i++) {
        crible_field_info fi;
        crible_index_field_get_info(ix, (int)i, &fi);
        if (fi.kind == CRIBLE_FIELD_EXACT)
            continue;
        char name[CRIBLE_FIELD_NAME_MAX];
        crible_field_table_name(name, fi.name, fi.kind,
                                fi.kind == CRIBLE_FIELD_NUMERIC && name_not_numeric(s, fi.name));
        int g = qs_field(s, name);
        if (g < 0) {
            qfield *v = realloc(s->fields, (s->nfields + 1) * sizeof *v);
            if (!v)
                return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            s->fields = v;
            qfield *f = &s->fields[s->nfields];
            memset(f, 0, sizeof *f);
            f->name = strdup(name);
            f->num = malloc(s->nshards * sizeof *f->num);
            f->exact_num = malloc(s->nshards * sizeof *f->exact_num);
            if (!f->name || !f->num || !f->exact_num) {
                free(f->name);
                free(f->num);
                free(f->exact_num);
                return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            }
            for (size_t k = 0; k < s->nshards; k++)
                f->num[k] = f->exact_num[k] = -1;
            f->kind = fi.kind;
            f->weight = weight_of(&s->opts, fi.name);
            g = (int)s->nfields++;
        }
        qfield *f = &s->fields[g];
        if (f->kind != fi.kind)
            return crible_error_set(err, CRIBLE_EINDEX,
                                    "%s: field '%s' has another kind than in %s", s->dirs[shard],
                                    fi.name, s->dirs[0]);
        f->num[shard] = (int)i;
        f->exact_num[shard] = fi.exact_field;
        f->doc_count += fi.doc_count;
        f->sum_length += fi.sum_length;
    }
    return CRIBLE_OK;
}

/* Takes the shard's deleted documents out of its fields' lengths (the
 * segments count them until a merge): BM25's avgdl over live documents,
 * whatever way they were indexed. */
static void remove_deleted(crible_searcher *s, size_t shard, uint32_t maxdoc)
{
    crible_index *ix = s->shards[shard];
    for (uint32_t d = 0; d < maxdoc; d++) {
        if (!crible_index_is_deleted(ix, d))
            continue;
        for (size_t g = 0; g < s->nfields; g++) {
            qfield *f = &s->fields[g];
            if (f->kind != CRIBLE_FIELD_TEXT || f->num[shard] < 0)
                continue;
            uint32_t dl = crible_index_doc_length(ix, f->num[shard], d);
            if (dl == 0)
                continue;
            if (f->doc_count)
                f->doc_count--;
            f->sum_length -= dl < f->sum_length ? dl : f->sum_length;
        }
    }
}

crible_status crible_searcher_open(const char *const *dirs, size_t ndirs,
                                   const crible_query_options *opts,
                                   crible_searcher **out, crible_error *err)
{
    *out = NULL;
    if (ndirs == 0)
        return crible_error_set(err, CRIBLE_EUSAGE, "no index given");
    crible_searcher *s = calloc(1, sizeof *s);
    if (!s)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (opts)
        s->opts = *opts;
    else
        crible_query_options_init(&s->opts);
    s->shards = calloc(ndirs, sizeof *s->shards);
    s->dirs = calloc(ndirs, sizeof *s->dirs);
    if (!s->shards || !s->dirs) {
        crible_searcher_close(s);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    s->nshards = ndirs;
    if (!s->opts.no_memo)
        s->cache = qcache_new(4u << 20); /* NULL (out of memory): no memo */
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; i < ndirs && st == CRIBLE_OK; i++) {
        s->dirs[i] = strdup(dirs[i]);
        if (!s->dirs[i]) {
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            break;
        }
        st = crible_index_open(dirs[i], &s->shards[i], err);
        if (st != CRIBLE_OK)
            break;
        crible_index_info info;
        crible_index_get_info(s->shards[i], &info);
        s->maxdoc += info.live_docs;
        if (info.live_docs < info.maxdoc)
            s->deletes = true;
        if (i > 0 && strcmp(crible_index_analysis(s->shards[i]),
                            crible_index_analysis(s->shards[0])) != 0)
            st = crible_error_set(err, CRIBLE_EINDEX,
                                  "%s was analysed with other settings than %s: "
                                  "shards searched together must share them",
                                  dirs[i], dirs[0]);
    }
    for (size_t i = 0; i < ndirs && st == CRIBLE_OK; i++)
        st = add_fields(s, i, err);
    for (size_t i = 0; i < ndirs && st == CRIBLE_OK && s->deletes; i++) {
        crible_index_info info;
        crible_index_get_info(s->shards[i], &info);
        if (info.live_docs < info.maxdoc)
            remove_deleted(s, i, info.maxdoc);
    }
    for (size_t i = 0; i < s->nfields; i++)
        s->fields[i].avgdl = s->fields[i].doc_count
                                 ? (double)s->fields[i].sum_length / (double)s->fields[i].doc_count
                                 : 0;
    if (st == CRIBLE_OK)
        st = crible_query_analyzer_open(crible_index_analysis(s->shards[0]), &s->analyzer, err);
    if (st != CRIBLE_OK) {
        crible_searcher_close(s);
        return st;
    }
    s->index_folds_accents = crible_query_analyzer_folds_accents(s->analyzer);
    *out = s;
    return CRIBLE_OK;
}

void crible_searcher_close(crible_searcher *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nshards; i++) {
        if (s->shards)
            crible_index_close(s->shards[i]);
        if (s->dirs)
            free(s->dirs[i]);
    }
    for (size_t i = 0; i < s->nfields; i++) {
        free(s->fields[i].name);
        free(s->fields[i].num);
        free(s->fields[i].exact_num);
    }
    free(s->fields);
    free(s->shards);
    free(s->dirs);
    crible_query_analyzer_close(s->analyzer);
    qcache_free(s->cache);
    for (size_t i = 0; i < s->nfolds; i++)
        qfold_free(s->folds[i].f);
    free(s->folds);
    qids_free(s->ids, s->nshards);
    free(s);
}

size_t crible_searcher_nshards(const crible_searcher *s)
{
    return s->nshards;
}

crible_index *crible_searcher_shard(const crible_searcher *s, size_t i)
{
    return i < s->nshards ? s->shards[i] : NULL;
}

const crible_query_options *crible_searcher_options(const crible_searcher *s)
{
    return &s->opts;
}

void crible_results_init(crible_results *r)
{
    memset(r, 0, sizeof *r);
}

void crible_results_free(crible_results *r)
{
    if (r->matches) /* one bitset per shard, then NULL */
        for (size_t i = 0; r->matches[i]; i++)
            free(r->matches[i]);
    free(r->matches);
    free(r->hits);
    free(r->tree);
    plan_free(r->plan);
    memset(r, 0, sizeof *r);
}

crible_status crible_search(crible_searcher *s, const char *query,
                            const crible_search_request *req, crible_results *r,
                            crible_query_syntax *syntax, crible_error *err)
{
    crible_results_free(r);
    plan *p;
    crible_status st = plan_build(s, query, &p, syntax, err);
    if (st != CRIBLE_OK)
        return st;
    r->plan = p;
    r->explain = req->explain;
    r->words = p->words;
    r->nwords = p->nwords;
    size_t tl = crible_qnode_print(p->tree, NULL, 0) + 1;
    r->tree = malloc(tl);
    if (r->tree)
        crible_qnode_print(p->tree, r->tree, tl);
    topk top = {0};
    top.k = req->limit ? req->limit + req->offset : 0;
    if (top.k) {
        top.h = malloc(top.k * sizeof *top.h);
        if (!top.h)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    if (req->collect) {
        r->matches = calloc(s->nshards + 1, sizeof *r->matches);
        if (!r->matches) {
            free(top.h);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
    }
    uint64_t total = 0;
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++) {
        uint64_t *bits = NULL;
        if (req->collect) {
            crible_index_info info;
            crible_index_get_info(s->shards[sh], &info);
            bits = calloc((info.maxdoc + 63) / 64 + 1, sizeof *bits);
            if (!bits) {
                st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                break;
            }
            r->matches[sh] = bits;
        }
        st = exec_shard(s, p, (uint32_t)sh, &top, req->count || req->collect, &total, bits, err);
    }
    if (st == CRIBLE_OK)
        st = topk_finish(&top, s, err);
    free(top.tie);
    if (st != CRIBLE_OK) {
        free(top.h);
        return st;
    }
    r->total = total;
    r->total_exact = req->count || req->collect;
    if (!r->total_exact)
        r->total = top.n;
    if (top.n > req->offset) {
        r->nhits = top.n - req->offset;
        memmove(top.h, top.h + req->offset, r->nhits * sizeof *top.h);
        r->hits = top.h;
    } else
        free(top.h);
    return CRIBLE_OK;
}

/* --- details ----------------------------------------------------------------- */

void crible_hit_detail_init(crible_hit_detail *d)
{
    memset(d, 0, sizeof *d);
    crible_stored_doc_init(&d->doc);
}

void crible_hit_detail_free(crible_hit_detail *d)
{
    crible_stored_doc_free(&d->doc);
    for (size_t i = 0; i < 2; i++)
        crible_snippet_free(&d->snippets[i].snippet);
    for (size_t i = 0; i < d->nexplain; i++) {
        free(d->explain[i].field);
        free(d->explain[i].term);
    }
    free(d->explain);
    memset(d, 0, sizeof *d);
}

typedef struct hitbuf {
    crible_snippet_hit *h;
    uint32_t *t;              /* the plan term of each hit */
    size_t n, cap;
    uint32_t *pos;
    uint32_t pcap;
} hitbuf;

/* Whether a hit of phrase ph, slot j, is at position pos. */
static bool has_slot(const plan *p, const hitbuf *hb, int ph, uint16_t j, uint32_t pos)
{
    for (size_t i = 0; i < hb->n; i++) {
        const qterm *t = &p->terms[hb->t[i]];
        if (hb->h[i].pos == pos && t->phrase == ph && t->slot == j)
            return true;
    }
    return false;
}

/* Drops the hits of phrase words that are not part of a whole phrase
 * ("pas" alone when the query is "pas bon"; the l' of "l'intérieur" when it
 * is `l'enfer`). */
static void keep_whole_phrases(const plan *p, hitbuf *hb)
{
    size_t k = 0;
    for (size_t i = 0; i < hb->n; i++) {
        const qterm *t = &p->terms[hb->t[i]];
        bool keep = true;
        if (t->phrase >= 0)
            for (uint16_t j = 0; j < t->nslots && keep; j++)
                if (j != t->slot)
                    keep = hb->h[i].pos + j >= t->slot &&
                           has_slot(p, hb, t->phrase, j, hb->h[i].pos + j - t->slot);
        if (keep) {
            hb->h[k] = hb->h[i];
            hb->t[k++] = hb->t[i];
        }
    }
    hb->n = k;
}

/* The positions of the plan's terms of field f in the document. */
static crible_status match_positions(crible_searcher *s, plan *p, uint32_t shard, uint32_t doc,
                                     int f, hitbuf *hb, crible_error *err)
{
    hb->n = 0;
    int num = s->fields[f].num[shard];
    if (num < 0)
        return CRIBLE_OK;
    for (size_t i = 0; i < p->nterms; i++) {
        qterm *t = &p->terms[i];
        if (t->field != f)
            continue;
        crible_postings *pc;   /* in doc's segment only: a lookup a term, not one a segment */
        crible_status st = crible_postings_open_at(s->shards[shard], num, t->term, t->len, t->exact, doc, &pc, err);
        if (st != CRIBLE_OK)
            return st;
        if (crible_postings_advance(pc, doc) == doc) {
            uint32_t tf = crible_postings_tf(pc);
            if (tf > hb->pcap) {
                uint32_t *v = realloc(hb->pos, tf * sizeof *v);
                if (!v) {
                    crible_postings_close(pc);
                    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                }
                hb->pos = v;
                hb->pcap = tf;
            }
            uint32_t n = crible_postings_positions(pc, hb->pos, hb->pcap);
            if (n > hb->pcap)
                n = hb->pcap;
            if (hb->n + n > hb->cap) {
                size_t cap = (hb->n + n) * 2;
                crible_snippet_hit *v = realloc(hb->h, cap * sizeof *v);
                uint32_t *tv = v ? realloc(hb->t, cap * sizeof *tv) : NULL;
                if (v)
                    hb->h = v;
                if (!tv) {
                    crible_postings_close(pc);
                    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                }
                hb->t = tv;
                hb->cap = cap;
            }
            for (uint32_t k = 0; k < n; k++) {
                hb->t[hb->n] = (uint32_t)i;
                hb->h[hb->n++] = (crible_snippet_hit){hb->pos[k], t->word, t->weak};
            }
        }
        crible_postings_close(pc);
    }
    keep_whole_phrases(p, hb);
    return CRIBLE_OK;
}

crible_status crible_hit_details(crible_searcher *s, const crible_results *r, size_t i,
                                 bool snippets, crible_hit_detail *d, crible_error *err)
{
    if (i >= r->nhits)
        return crible_error_set(err, CRIBLE_EINTERNAL, "hit %zu out of range", i);
    const crible_hit *h = &r->hits[i];
    plan *p = r->plan;
    crible_status st = crible_index_doc(s->shards[h->shard], h->doc, &d->doc, err);
    if (st != CRIBLE_OK)
        return st;
    d->nsnippets = 0;
    if (snippets) {
        static const char *const names[2] = {"title", "text"};
        hitbuf hb = {0};
        uint32_t *sent = NULL;
        for (int k = 0; k < 2 && st == CRIBLE_OK; k++) {
            const crible_stored_field *sf = crible_stored_doc_field(&d->doc, names[k]);
            int f = qs_field(s, names[k]);
            if (!sf || f < 0)
                continue;
            st = match_positions(s, p, h->shard, h->doc, f, &hb, err);
            if (st != CRIBLE_OK)
                break;
            int num = s->fields[f].num[h->shard];
            uint32_t nsent = 0;
            if (k == 1 && num >= 0) {
                nsent = crible_index_sentences(s->shards[h->shard], num, h->doc, NULL, 0);
                free(sent);
                sent = malloc((nsent + 1) * sizeof *sent);
                if (!sent) {
                    st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                    break;
                }
                nsent = crible_index_sentences(s->shards[h->shard], num, h->doc, sent, nsent);
            }
            crible_field_snippet *fs = &d->snippets[d->nsnippets];
            fs->field = names[k];
            fs->text = sf->text;
            fs->text_len = sf->text_len;
            crible_snippet_input in = {sf->text, sf->text_len, sf->ntokens, sf->start, sf->end,
                                       sent, nsent, hb.h, hb.n};
            crible_snippet_options so = {k == 0 ? sf->text_len + 1 : s->opts.snippet_bytes,
                                         k == 0 ? 1 : s->opts.snippet_fragments};
            st = crible_snippet_build(&in, &so, &fs->snippet, err);
            d->nsnippets++;
        }
        free(sent);
        free(hb.h);
        free(hb.t);
        free(hb.pos);
    }
    if (st == CRIBLE_OK && r->explain)
        st = rank_explain(s, p, h->shard, h->doc, d, err);
    return st;
}
