/*
 * query_topk.c - the k best hits of a search and their order: score
 * first, then the document id in byte order, whatever way the documents
 * were indexed (one segment or many, shards, runs with replacements).
 *
 * Equal scores are common: short reviews, filters without text, `*`,
 * facet-only queries.  Document numbers depend on how the documents fell
 * into segments and shards, so ties are never broken by them; ids are
 * read only where a tie decides something:
 *
 *   - while searching, the heap keeps the k best by score (its internal
 *     order among equal scores is the document number's, which is fine:
 *     it is never shown).  A hit scoring exactly the heap's lowest score
 *     once the heap is full is not dropped but kept aside (`tie`): it may
 *     have a smaller id than one inside.  When the lowest score rises, the
 *     hits kept aside are dropped (they now score less than all k).
 *   - at the end (topk_finish) the hits at the lowest score, inside and
 *     aside, compete by id for the places the lowest score holds: by their
 *     stored documents' ids when they are few, else by walking each
 *     shard's "_id" dictionary in byte order (the ids sorted for free)
 *     until enough of them are found (`*` over 30,000 documents: the first
 *     ten ids).  Then the k are sorted by score, ties by id (read only for
 *     the runs of equal scores).
 *
 * Example: k = 2, hits (doc 5, 1.0, "b"), (doc 7, 0.5, "z"),
 * (doc 9, 0.5, "a"): the heap holds docs 5 and 7, doc 9 ties its lowest
 * score and is kept aside; topk_finish gives 5 ("b", 1.0) then 9 ("a",
 * 0.5), as a build numbering "a" first would.
 *
 * The scores must be the same bits however the documents are numbered:
 * the iterators sum their terms' shares in the query's order
 * (query_exec.c), never in an order that depends on a shard's statistics.
 */
#include "query_internal.h"

#include <stdlib.h>
#include <string.h>

/* A hit and its id (NULL until read). */
typedef struct tentry {
    crible_hit h;
    char *id;
} tentry;

static bool hit_less(const crible_hit *a, const crible_hit *b)
{
    if (a->score != b->score)
        return a->score < b->score;
    if (a->shard != b->shard)
        return a->shard > b->shard;
    return a->doc > b->doc;
}

static void sift_down(topk *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && hit_less(&t->h[l], &t->h[m]))
            m = l;
        if (r < t->n && hit_less(&t->h[r], &t->h[m]))
            m = r;
        if (m == i)
            break;
        crible_hit x = t->h[i];
        t->h[i] = t->h[m];
        t->h[m] = x;
        i = m;
    }
}

static void tie_add(topk *t, const crible_hit *hit)
{
    if (t->ntie == t->tie_cap) {
        size_t cap = t->tie_cap ? t->tie_cap * 2 : 64;
        crible_hit *v = realloc(t->tie, cap * sizeof *v);
        if (!v) {
            t->nomem = true;
            return;
        }
        t->tie = v;
        t->tie_cap = cap;
    }
    t->tie[t->ntie++] = *hit;
}

bool topk_push(topk *t, const crible_hit *hit)
{
    if (t->k == 0)
        return false;
    if (t->n < t->k) {
        size_t i = t->n++;
        t->h[i] = *hit;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!hit_less(&t->h[i], &t->h[p]))
                break;
            crible_hit x = t->h[i];
            t->h[i] = t->h[p];
            t->h[p] = x;
            i = p;
        }
        return true;
    }
    if (hit->score < t->h[0].score)
        return false;
    if (hit->score == t->h[0].score) {
        tie_add(t, hit);
        return false;
    }
    crible_hit out = t->h[0];
    t->h[0] = *hit;
    sift_down(t, 0);
    if (out.score == t->h[0].score)
        tie_add(t, &out);
    else
        t->ntie = 0; /* they scored less than every hit kept */
    return true;
}

double topk_threshold(const topk *t)
{
    return t->n < t->k ? -1.0 : t->h[0].score;
}

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
}

/* Reads the ids of v[0..n) that have none from their stored documents. */
static crible_status read_ids(crible_searcher *s, tentry *v, size_t n, crible_error *err)
{
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++) {
        if (v[i].id)
            continue;
        st = crible_index_doc(s->shards[v[i].h.shard], v[i].h.doc, &doc, err);
        if (st == CRIBLE_OK && !(v[i].id = strdup(doc.id)))
            st = nomem(err);
    }
    crible_stored_doc_free(&doc);
    return st;
}

/* Best first: score, then id (bytes), then shard and document (an id in
 * two shards searched together). */
static int entry_cmp(const void *a, const void *b)
{
    const tentry *x = a, *y = b;
    if (x->h.score != y->h.score)
        return x->h.score < y->h.score ? 1 : -1;
    if (x->id && y->id) {
        int c = strcmp(x->id, y->id);
        if (c)
            return c;
    }
    return hit_less(&x->h, &y->h) ? 1 : hit_less(&y->h, &x->h) ? -1 : 0;
}

static void free_ids(tentry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].id);
}

/* The first `need` documents of bits (shard sh's hits at one score) in the
 * byte order of their ids, from the shard's "_id" dictionary, appended to
 * out (*nout of them). */
static crible_status walk_ids(crible_searcher *s, size_t sh, const uint64_t *bits, double score, size_t need,
                              tentry *out, size_t *nout, crible_error *err)
{
    crible_index *ix = s->shards[sh];
    int f = crible_index_field(ix, "_id");
    crible_terms *it;
    crible_status st = crible_terms_open(ix, f, &it, err);
    if (st != CRIBLE_OK)
        return st;
    size_t got = 0;
    const char *t;
    size_t tl;
    while (got < need && st == CRIBLE_OK && crible_terms_next(it, &t, &tl, NULL)) {
        char id[CRIBLE_TERM_MAX + 1];
        memcpy(id, t, tl); /* t is only valid until the next call */
        id[tl] = '\0';
        crible_postings *p;
        if ((st = crible_postings_open(ix, f, id, tl, &p, err)) != CRIBLE_OK)
            break;
        for (uint32_t d = crible_postings_next(p); d != CRIBLE_DOC_NONE && got < need;
             d = crible_postings_next(p)) {
            if (!((bits[d / 64] >> (d % 64)) & 1))
                continue;
            tentry *e = &out[(*nout)++];
            e->h = (crible_hit){(uint32_t)sh, d, score};
            if (!(e->id = strdup(id))) {
                st = nomem(err);
                break;
            }
            got++;
        }
        crible_postings_close(p);
    }
    crible_terms_close(it);
    return st;
}

/* Of the g hits at the lowest score, the `need` first by id, into out
 * (ids read). */
static crible_status select_ties(crible_searcher *s, tentry *g, size_t ng, size_t need, tentry *out,
                                 crible_error *err)
{
    double score = g[0].h.score;
    size_t nc = 0;
    tentry *cand = calloc(need * s->nshards + ng, sizeof *cand); /* the winners of each shard */
    if (!cand)
        return nomem(err);
    crible_status st = CRIBLE_OK;
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++) {
        crible_index_info info;
        crible_index_get_info(s->shards[sh], &info);
        uint64_t here = 0;
        for (size_t i = 0; i < ng; i++)
            here += g[i].h.shard == sh;
        if (here == 0)
            continue;
        /* A walk reads about (need + 1) * live / here ids, in the
         * dictionary; reading a stored document costs some ten lookups. */
        uint64_t walk = (uint64_t)(need + 1) * info.live_docs / here;
        if (here <= need || crible_index_field(s->shards[sh], "_id") < 0 || walk > 10 * here) {
            size_t from = nc;
            for (size_t i = 0; i < ng; i++)
                if (g[i].h.shard == sh)
                    cand[nc++].h = g[i].h;
            st = read_ids(s, cand + from, nc - from, err);
            continue;
        }
        uint64_t *bits = calloc(info.maxdoc / 64 + 1, sizeof *bits);
        if (!bits) {
            st = nomem(err);
            break;
        }
        for (size_t i = 0; i < ng; i++)
            if (g[i].h.shard == sh)
                bits[g[i].h.doc / 64] |= 1ull << (g[i].h.doc % 64);
        st = walk_ids(s, sh, bits, score, need, cand, &nc, err);
        free(bits);
    }
    if (st == CRIBLE_OK) {
        qsort(cand, nc, sizeof *cand, entry_cmp);
        for (size_t i = 0; i < need && i < nc; i++) {
            out[i] = cand[i];
            cand[i].id = NULL;
        }
        if (nc < need) /* a hit the dictionary did not give (damage): never fewer hits */
            st = crible_error_set(err, CRIBLE_EINDEX, "the ids of %zu tied hits could not be read", need - nc);
    }
    free_ids(cand, nc);
    free(cand);
    return st;
}

crible_status topk_finish(topk *t, crible_searcher *s, crible_error *err)
{
    if (t->nomem)
        return nomem(err);
    if (t->n == 0)
        return CRIBLE_OK;
    tentry *v = calloc(t->n, sizeof *v);
    if (!v)
        return nomem(err);
    for (size_t i = 0; i < t->n; i++)
        v[i].h = t->h[i];
    qsort(v, t->n, sizeof *v, entry_cmp); /* by score, then shard and document */
    crible_status st = CRIBLE_OK;
    if (t->ntie) {
        /* the last `need` places hold the lowest score: they go to the
         * first ids of all the hits at that score */
        double low = v[t->n - 1].h.score;
        size_t need = 0;
        while (need < t->n && v[t->n - 1 - need].h.score == low)
            need++;
        size_t ng = need + t->ntie;
        tentry *g = calloc(ng, sizeof *g);
        if (!g) {
            free(v);
            return nomem(err);
        }
        for (size_t i = 0; i < need; i++)
            g[i].h = v[t->n - need + i].h;
        for (size_t i = 0; i < t->ntie; i++)
            g[need + i].h = t->tie[i];
        st = select_ties(s, g, ng, need, v + t->n - need, err);
        free(g);
        t->ntie = 0;
    }
    /* runs of equal scores: by id */
    for (size_t i = 0; i < t->n && st == CRIBLE_OK;) {
        size_t j = i + 1;
        while (j < t->n && v[j].h.score == v[i].h.score)
            j++;
        if (j - i > 1 && (st = read_ids(s, v + i, j - i, err)) == CRIBLE_OK)
            qsort(v + i, j - i, sizeof *v, entry_cmp);
        i = j;
    }
    for (size_t i = 0; i < t->n; i++)
        t->h[i] = v[i].h;
    free_ids(v, t->n);
    free(v);
    return st;
}
