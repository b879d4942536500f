/*
 * query_topk.c - the k best hits of a search and their order: score
 * first, then the document id in byte order, whatever way the documents
 * were indexed (one segment or many, shards, runs with replacements).
 *
 * Equal scores are common: short reviews, filters without text, `*`,
 * facet-only queries.  Document numbers depend on how the documents fell
 * into segments and shards, so ties are never broken by them:
 *
 *   - while searching, the heap keeps the k best by score (its internal
 *     order among equal scores is the document number's, which is fine:
 *     it is never shown).  A hit scoring exactly the heap's lowest score
 *     once the heap is full is not dropped but kept aside (`tie`): it may
 *     have a smaller id than one inside.  When the lowest score rises, the
 *     hits kept aside are dropped (they now score less than all k).
 *   - at the end (topk_finish) the hits at the lowest score, inside and
 *     aside, compete by id for the places the lowest score holds (the
 *     first `need` of them kept by a bounded heap: `*` over 30,000
 *     documents sorts none of them), then the k are sorted by score, ties
 *     by id.
 *
 * Ids.  A few tied hits have their ids read from their stored documents;
 * many (`*`, a filter without text) are met in the byte order of their
 * ids by walking the shard's "_id" dictionary until enough are found
 * (quick when the tie is dense; as long as the ids before it when they
 * cluster: `source:tripadvisor.fr` walks past the allocine and babelio
 * ids).  Once stored reads and walks have cost a shard as much as
 * reading its whole "_id" dictionary would (ski rental), the searcher
 * reads it, into a rank per document (qids: 4 bytes a document, and the
 * ids for hits of two shards), and keeps it for its next queries: two
 * hits of a shard then compare as two numbers.  An index without "_id" has its ids read from
 * the stored documents.  The ids read from stored documents are kept for
 * the searcher's next queries (64K a shard at most; not with no_memo, as
 * its dictionary lookups: a query repeated pays its stored reads once).
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

static bool hit_less(const crible_hit *a, const crible_hit *b)
{
    if (a->score != b->score)
        return a->score < b->score;
    if (a->shard != b->shard)
        return a->shard > b->shard;
    return a->doc > b->doc;
}

static int hit_cmp_desc(const void *a, const void *b)
{
    const crible_hit *x = a, *y = b;
    return hit_less(x, y) ? 1 : hit_less(y, x) ? -1 : 0;
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

/* --- ids ------------------------------------------------------------------ */

struct qids {
    bool read;                /* the shard's "_id" dictionary was read */
    uint32_t *rank;           /* per document: its id's rank, UINT32_MAX: none
                               * (deleted); NULL: not read, or no "_id" */
    uint32_t *off;            /* per rank: the id's offset in pool */
    char *pool;               /* the ids, NUL-terminated, in byte order */
    size_t pool_len, pool_cap;
    uint64_t spent;           /* what finding ids some other way has cost so
                               * far, in "_id" lookups (STORED_COST a stored
                               * read, one an id walked) */
    /* the ids read from stored documents, kept for the next queries
     * (unless the options say no_memo): open addressing on the document
     * number, emptied between queries once full (cache_tidy) */
    uint32_t *cdoc;           /* UINT32_MAX: free */
    char **cid;
    size_t ccap, cn;
};

#define CACHE_MAX 65536       /* entries a shard keeps, at most */

/* What reading one id from its stored document costs, in ids of the
 * "_id" dictionary read (a block decompressed and the JSON parsed: ~18 µs
 * on the reviews; reading their 12,488 ids and ranks: ~25 ms, 2 µs an id). */
#define STORED_COST 10

void qids_free(struct qids *q, size_t n)
{
    for (size_t i = 0; q && i < n; i++) {
        free(q[i].rank);
        free(q[i].off);
        free(q[i].pool);
        for (size_t k = 0; k < q[i].ccap; k++)
            free(q[i].cid[k]);
        free(q[i].cdoc);
        free(q[i].cid);
    }
    free(q);
}

static size_t cache_slot(const struct qids *q, uint32_t doc)
{
    size_t k = (doc * 2654435761u) & (q->ccap - 1);
    while (q->cdoc[k] != UINT32_MAX && q->cdoc[k] != doc)
        k = (k + 1) & (q->ccap - 1);
    return k;
}

/* The id of doc kept from an earlier stored read, or NULL. */
static const char *cache_get(const struct qids *q, uint32_t doc)
{
    if (!q->ccap)
        return NULL;
    size_t k = cache_slot(q, doc);
    return q->cdoc[k] == doc ? q->cid[k] : NULL;
}

/* Keeps id as doc's: true if kept (the table owns it), false if not (the
 * caller keeps it).  The table doubles up to CACHE_MAX entries; full, it
 * keeps no more until cache_tidy empties it. */
static bool cache_put(struct qids *q, uint32_t doc, char *id)
{
    if (!q->ccap || q->cn + 1 > q->ccap / 2) {
        size_t oc = q->ccap, cap = oc ? oc * 2 : 64;
        if (cap > 2 * CACHE_MAX)
            return false;
        uint32_t *od = q->cdoc, *nd = malloc(cap * sizeof *nd);
        char **oi = q->cid, **ni = calloc(cap, sizeof *ni);
        if (!nd || !ni) {
            free(nd);
            free(ni);
            return false;
        }
        memset(nd, 0xff, cap * sizeof *nd);
        q->cdoc = nd;
        q->cid = ni;
        q->ccap = cap;
        for (size_t k = 0; k < oc; k++)
            if (od[k] != UINT32_MAX) {
                size_t j = cache_slot(q, od[k]);
                q->cdoc[j] = od[k];
                q->cid[j] = oi[k];
            }
        free(od);
        free(oi);
    }
    size_t k = cache_slot(q, doc);
    if (q->cdoc[k] == doc)
        return false;
    q->cdoc[k] = doc;
    q->cid[k] = id;
    q->cn++;
    return true;
}

/* Between queries: a full table is emptied (no entry points into it). */
static void cache_tidy(struct qids *q)
{
    if (q->cn + 1 <= CACHE_MAX)
        return;
    for (size_t k = 0; k < q->ccap; k++) {
        free(q->cid[k]);
        q->cid[k] = NULL;
    }
    memset(q->cdoc, 0xff, q->ccap * sizeof *q->cdoc);
    q->cn = 0;
}

static uint64_t live_docs(const crible_searcher *s, size_t sh)
{
    crible_index_info info;
    crible_index_get_info(s->shards[sh], &info);
    return info.live_docs;
}

static crible_status ids_read(crible_searcher *s, size_t sh, crible_error *err)
{
    struct qids *q = &s->ids[sh];
    crible_index *ix = s->shards[sh];
    int f = crible_index_field(ix, "_id");
    q->read = true;
    if (f < 0)
        return CRIBLE_OK;
    crible_index_info info;
    crible_index_get_info(ix, &info);
    q->rank = malloc(((size_t)info.maxdoc + 1) * sizeof *q->rank);
    q->off = malloc(((size_t)info.maxdoc + 1) * sizeof *q->off);
    if (!q->rank || !q->off)
        return nomem(err);
    memset(q->rank, 0xff, ((size_t)info.maxdoc + 1) * sizeof *q->rank);
    crible_terms *it;
    crible_status st = crible_terms_open(ix, f, &it, err);
    if (st != CRIBLE_OK)
        return st;
    const char *t;
    size_t tl;
    for (uint32_t r = 0; st == CRIBLE_OK && r < info.maxdoc && crible_terms_next(it, &t, &tl, NULL); r++) {
        if (q->pool_len + tl + 1 > q->pool_cap) {
            size_t cap = (q->pool_cap ? q->pool_cap * 2 : 4096) + tl + 1;
            char *p = realloc(q->pool, cap);
            if (!p) {
                st = nomem(err);
                break;
            }
            q->pool = p;
            q->pool_cap = cap;
        }
        char *id = q->pool + q->pool_len;
        memcpy(id, t, tl); /* t is only valid until the next call */
        id[tl] = '\0';
        q->off[r] = (uint32_t)q->pool_len;
        q->pool_len += tl + 1;
        crible_postings *p;
        if ((st = crible_postings_open(ix, f, id, tl, &p, err)) != CRIBLE_OK)
            break;
        for (uint32_t d = crible_postings_next(p); d != CRIBLE_DOC_NONE; d = crible_postings_next(p))
            if (d < info.maxdoc)
                q->rank[d] = r;
        crible_postings_close(p);
    }
    crible_terms_close(it);
    return st;
}

/* A hit and what orders it among equal scores: its id's rank in its
 * shard (UINT32_MAX: none) and the id (NULL: not read yet). */
typedef struct tentry {
    crible_hit h;
    uint32_t rank;
    const char *id;
    char *own;                /* the id when read from the stored document */
} tentry;

static crible_status ids_ready(crible_searcher *s, crible_error *err)
{
    if (!s->ids && !(s->ids = calloc(s->nshards, sizeof *s->ids)))
        return nomem(err);
    return CRIBLE_OK;
}

/* Fills the ids of v[0..n): from the shard's ranks once read, else from
 * the stored documents, until these have cost as much as reading the
 * ranks would (then the ranks are read: a searcher that meets many ties
 * pays at most twice what knowing it in advance would have). */
static crible_status fill_ids(crible_searcher *s, tentry *v, size_t n, crible_error *err)
{
    crible_status st = ids_ready(s, err);
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++) {
        if (v[i].id)
            continue;
        size_t sh = v[i].h.shard;
        struct qids *q = &s->ids[sh];
        if (!q->read && q->spent + STORED_COST > live_docs(s, sh) &&
            (st = ids_read(s, sh, err)) != CRIBLE_OK)
            break;
        uint32_t r = q->rank ? q->rank[v[i].h.doc] : UINT32_MAX;
        if (r != UINT32_MAX) {
            v[i].rank = r;
            v[i].id = q->pool + q->off[r];
            continue;
        }
        /* a kept id stays until the query ends (cache_put empties the
         * table only between queries: topk_finish, cache_tidy) */
        v[i].rank = UINT32_MAX;
        if ((v[i].id = cache_get(q, v[i].h.doc)))
            continue;
        st = crible_index_doc(s->shards[sh], v[i].h.doc, &doc, err);
        q->spent += STORED_COST;
        char *id = st == CRIBLE_OK ? strdup(doc.id) : NULL;
        if (st == CRIBLE_OK && !id)
            st = nomem(err);
        if (id && !s->opts.no_memo && cache_put(q, v[i].h.doc, id))
            v[i].id = id;
        else
            v[i].id = v[i].own = id;
    }
    crible_stored_doc_free(&doc);
    return st;
}

/* The first `need` documents of bits (shard sh's hits at one score) in the
 * byte order of their ids, walking the shard's "_id" dictionary until
 * they are found, appended to out (*nout). */
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
        s->ids[sh].spent++;
        if ((st = crible_postings_open(ix, f, id, tl, &p, err)) != CRIBLE_OK)
            break;
        for (uint32_t d = crible_postings_next(p); d != CRIBLE_DOC_NONE && got < need;
             d = crible_postings_next(p)) {
            if (!((bits[d / 64] >> (d % 64)) & 1))
                continue;
            tentry *e = &out[(*nout)++];
            e->h = (crible_hit){(uint32_t)sh, d, score};
            e->rank = UINT32_MAX;
            if (!(e->id = e->own = strdup(id))) {
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

/* Among equal scores: id (bytes; a shard's ranks say it without reading
 * them), then shard and document (an id in two shards searched together). */
static int tie_cmp(const tentry *x, const tentry *y)
{
    if (x->id && y->id) {
        int c = x->h.shard == y->h.shard && x->rank != UINT32_MAX && y->rank != UINT32_MAX
                    ? (x->rank > y->rank) - (x->rank < y->rank)
                    : strcmp(x->id, y->id);
        if (c)
            return c;
    }
    return hit_less(&x->h, &y->h) ? 1 : hit_less(&y->h, &x->h) ? -1 : 0;
}

/* Best first: score, then tie_cmp. */
static int entry_cmp(const void *a, const void *b)
{
    const tentry *x = a, *y = b;
    if (x->h.score != y->h.score)
        return x->h.score < y->h.score ? 1 : -1;
    return tie_cmp(x, y);
}

static void free_ids(tentry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].own);
}

/* Of the ng hits g at the lowest score, the `need` first by id into out.
 * Each shard's candidates: all its hits at that score with their ids
 * (ranks, or stored documents when they are few), or, when they are many
 * and the ranks unread, its first `need` found walking its "_id"
 * dictionary (`*`: the first ten ids; a sparse set: about (need + 1) *
 * live / here lookups), or the ranks read when that costs less.  Then a
 * max-heap of `need` over the candidates (no sort of all of g). */
static crible_status select_ties(crible_searcher *s, tentry *g, size_t ng, size_t need, tentry *out,
                                 crible_error *err)
{
    crible_status st = ids_ready(s, err);
    tentry *cand = calloc(ng + need * s->nshards, sizeof *cand);
    if (st == CRIBLE_OK && !cand)
        st = nomem(err);
    size_t nc = 0;
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++) {
        uint64_t here = 0, live = live_docs(s, sh);
        for (size_t i = 0; i < ng; i++)
            here += g[i].h.shard == sh;
        if (here == 0)
            continue;
        struct qids *q = &s->ids[sh];
        uint64_t walk = here ? (uint64_t)(need + 1) * live / here : live;
        bool has_id = crible_index_field(s->shards[sh], "_id") >= 0;
        if (!q->read && has_id && q->spent + walk > live)
            if ((st = ids_read(s, sh, err)) != CRIBLE_OK)
                break;
        if (!q->read && has_id && here * STORED_COST > walk && walk < live) {
            crible_index_info info;
            crible_index_get_info(s->shards[sh], &info);
            uint64_t *bits = calloc(info.maxdoc / 64 + 1, sizeof *bits);
            if (!bits) {
                st = nomem(err);
                break;
            }
            for (size_t i = 0; i < ng; i++)
                if (g[i].h.shard == sh)
                    bits[g[i].h.doc / 64] |= 1ull << (g[i].h.doc % 64);
            st = walk_ids(s, sh, bits, g[0].h.score, need, cand, &nc, err);
            free(bits);
            continue;
        }
        if (!q->read && has_id && here * STORED_COST > live && (st = ids_read(s, sh, err)) != CRIBLE_OK)
            break;
        size_t from = nc;
        for (size_t i = 0; i < ng; i++)
            if (g[i].h.shard == sh)
                cand[nc++].h = g[i].h;
        st = fill_ids(s, cand + from, nc - from, err);
    }
    size_t n = 0;
    for (size_t i = 0; i < nc && st == CRIBLE_OK; i++) {
        size_t j;
        if (n < need) {
            j = n++;
            out[j] = cand[i];
            while (j > 0 && tie_cmp(&out[(j - 1) / 2], &out[j]) < 0) { /* sift up */
                tentry x = out[j];
                out[j] = out[(j - 1) / 2];
                out[(j - 1) / 2] = x;
                j = (j - 1) / 2;
            }
            continue;
        }
        if (tie_cmp(&cand[i], &out[0]) >= 0)
            continue;
        out[0] = cand[i];
        for (j = 0;;) { /* sift down */
            size_t l = 2 * j + 1, r = l + 1, m = j;
            if (l < n && tie_cmp(&out[l], &out[m]) > 0)
                m = l;
            if (r < n && tie_cmp(&out[r], &out[m]) > 0)
                m = r;
            if (m == j)
                break;
            tentry x = out[j];
            out[j] = out[m];
            out[m] = x;
            j = m;
        }
    }
    /* the ids read from stored documents are cand's: out gets copies */
    for (size_t i = 0; i < n; i++)
        if (out[i].own) {
            char *c = st == CRIBLE_OK ? strdup(out[i].own) : NULL;
            if (!c && st == CRIBLE_OK)
                st = nomem(err);
            out[i].id = out[i].own = c;
        }
    for (size_t i = n; i < need; i++)
        memset(&out[i], 0, sizeof out[i]);
    if (st == CRIBLE_OK && n < need) /* a hit the dictionary did not give (damage) */
        st = crible_error_set(err, CRIBLE_EINDEX, "the ids of %zu tied hits could not be read", need - n);
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
    for (size_t i = 0; s->ids && i < s->nshards; i++)
        cache_tidy(&s->ids[i]);
    if (t->ntie == 0) { /* no tie at the lowest score: maybe none at all */
        qsort(t->h, t->n, sizeof *t->h, hit_cmp_desc);
        size_t i = 1;
        while (i < t->n && t->h[i].score != t->h[i - 1].score)
            i++;
        if (i >= t->n)
            return CRIBLE_OK;
    }
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
        if (j - i > 1 && (st = fill_ids(s, v + i, j - i, err)) == CRIBLE_OK)
            qsort(v + i, j - i, sizeof *v, entry_cmp);
        i = j;
    }
    for (size_t i = 0; i < t->n; i++)
        t->h[i] = v[i].h;
    free_ids(v, t->n);
    free(v);
    return st;
}
