/*
 * query_exec.c - running a plan over one shard: document-at-a-time
 * iterators (term, disjunction, conjunction with exclusions and optional
 * clauses, phrase, NEAR and same-sentence, numeric range, all documents),
 * and the top-k loop.
 *
 * Top k.  When the query is a disjunction (free text, OR, one word over
 * title and text), its term iterators run under block-max MaxScore
 * (Turtle & Flood's MaxScore with Ding & Suel's block bounds, as Lucene 9's
 * MaxScoreBulkScorer): the document space is cut into windows ending at the
 * nearest end of a posting block; in each window, every term's bound is
 * BM25(block max tf, block min length); a window whose bounds sum to no
 * more than the k-th best score so far is skipped without decoding a
 * posting; inside a window the terms whose bounds together cannot reach
 * that score are "non-essential": they are only probed for documents the
 * others found.  Other queries (AND, phrases) are driven by their rarest
 * term and score every match.  A document scoring the k-th best score so
 * far still goes to the top k (query_topk.c: ties go by id).
 */
#include "query_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE CRIBLE_DOC_NONE

typedef struct it it;
typedef struct it_ops {
    uint32_t (*advance)(it *i, uint32_t target);   /* first doc >= target (> current) */
    double (*score)(it *i);
    /* Positions in the current document (slots of one TEXT field), those
     * up to the first past `upto` at least (UINT32_MAX: all). */
    uint32_t (*positions)(it *i, uint32_t **buf, uint32_t *cap, uint32_t upto);
    /* The end of the window from `target` where *bound holds, or NONE. */
    uint32_t (*block)(it *i, uint32_t target, double *bound);
    void (*free)(it *i);
} it_ops;

struct it {
    const it_ops *ops;
    uint32_t doc;
    bool started;
    double maxscore;
    uint64_t cost;
};

static uint32_t adv(it *i, uint32_t target)
{
    if (i->started && (i->doc == NONE || i->doc >= target))
        return i->doc;
    i->started = true;
    return i->doc = i->ops->advance(i, target);
}

static void it_free(it *i)
{
    if (i)
        i->ops->free(i);
}

/* --- term ---------------------------------------------------------------- */

typedef struct leaf {
    it base;
    crible_postings *p;
    const crible_index *ix;
    int fnum;                  /* the field for lengths */
    double idf, w, avgdl;
    const crible_query_options *o;
    uint32_t *pos;
    uint32_t pos_cap;
} leaf;

static uint32_t leaf_advance(it *i, uint32_t target)
{
    leaf *l = (leaf *)i;
    return crible_postings_advance(l->p, target);
}

static double leaf_score(it *i)
{
    leaf *l = (leaf *)i;
    double tf = crible_postings_tf(l->p);
    double dl = crible_index_doc_length(l->ix, l->fnum, i->doc);
    return rank_bm25(l->o, l->idf, l->w, tf, dl, l->avgdl);
}

static uint32_t leaf_positions(it *i, uint32_t **buf, uint32_t *cap, uint32_t upto)
{
    leaf *l = (leaf *)i;
    uint32_t tf = crible_postings_tf(l->p);
    if (tf > *cap) {
        uint32_t nc = tf + 16;
        uint32_t *v = realloc(*buf, nc * sizeof *v);
        if (!v)
            return 0;
        *buf = v;
        *cap = nc;
    }
    return crible_postings_positions_upto(l->p, *buf, *cap, upto);
}

static uint32_t leaf_block(it *i, uint32_t target, double *bound)
{
    leaf *l = (leaf *)i;
    uint32_t last = crible_postings_shallow_advance(l->p, target);
    if (last == NONE) {
        *bound = 0;
        return NONE;
    }
    *bound = rank_bound(l->o, l->idf, l->w, crible_postings_block_max_tf(l->p),
                        crible_postings_block_min_length(l->p), l->avgdl);
    return last;
}

static void leaf_free(it *i)
{
    leaf *l = (leaf *)i;
    crible_postings_close(l->p);
    free(l->pos);
    free(l);
}

static const it_ops leaf_ops = {leaf_advance, leaf_score, leaf_positions, leaf_block, leaf_free};

/* --- disjunction ------------------------------------------------------------ */

typedef struct disj {
    it base;
    size_t n;
    it **c;
    uint32_t *pbuf;            /* merged positions */
    uint32_t pcap;
    uint32_t *tmp;
    uint32_t tcap;
} disj;

static uint32_t disj_advance(it *i, uint32_t target)
{
    disj *d = (disj *)i;
    uint32_t m = NONE;
    for (size_t k = 0; k < d->n; k++) {
        uint32_t x = adv(d->c[k], target);
        if (x < m)
            m = x;
    }
    return m;
}

static double disj_score(it *i)
{
    disj *d = (disj *)i;
    double s = 0;
    for (size_t k = 0; k < d->n; k++)
        if (d->c[k]->doc == i->doc)
            s += d->c[k]->ops->score(d->c[k]);
    return s;
}


static bool grow(uint32_t **buf, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return true;
    uint32_t nc = need * 2;
    uint32_t *v = realloc(*buf, nc * sizeof *v);
    if (!v)
        return false;
    *buf = v;
    *cap = nc;
    return true;
}

/* The union of the positions of the children on the current document,
 * increasing: each child's (already increasing) list merged in. */
static uint32_t disj_positions(it *i, uint32_t **buf, uint32_t *cap, uint32_t upto)
{
    disj *d = (disj *)i;
    uint32_t n = 0;
    for (size_t k = 0; k < d->n; k++) {
        if (d->c[k]->doc != i->doc || !d->c[k]->ops->positions)
            continue;
        uint32_t m = d->c[k]->ops->positions(d->c[k], &d->tmp, &d->tcap, upto);
        if (m == 0 || !grow(buf, cap, n + m))
            continue;
        if (n == 0) {
            memcpy(*buf, d->tmp, m * sizeof *d->tmp);
            n = m;
            continue;
        }
        if (!grow(&d->pbuf, &d->pcap, n + m))
            continue;
        uint32_t a = 0, b = 0, o = 0;
        const uint32_t *x = *buf, *y = d->tmp;
        while (a < n && b < m)
            d->pbuf[o++] = x[a] <= y[b] ? x[a++] : y[b++];
        while (a < n)
            d->pbuf[o++] = x[a++];
        while (b < m)
            d->pbuf[o++] = y[b++];
        memcpy(*buf, d->pbuf, o * sizeof *d->pbuf);
        n = o;
    }
    return n;
}

static uint32_t disj_block(it *i, uint32_t target, double *bound)
{
    disj *d = (disj *)i;
    uint32_t last = NONE;
    double b = 0;
    for (size_t k = 0; k < d->n; k++) {
        double cb;
        uint32_t l;
        if (d->c[k]->ops->block)
            l = d->c[k]->ops->block(d->c[k], target, &cb);
        else
            l = NONE, cb = d->c[k]->maxscore;
        b += cb;
        if (l < last)
            last = l;
    }
    *bound = b;
    return last;
}

static void disj_free(it *i)
{
    disj *d = (disj *)i;
    for (size_t k = 0; k < d->n; k++)
        it_free(d->c[k]);
    free(d->c);
    free(d->pbuf);
    free(d->tmp);
    free(d);
}

static const it_ops disj_ops = {disj_advance, disj_score, disj_positions, disj_block, disj_free};

/* --- conjunction, phrase, near ------------------------------------------- */

typedef struct conj {
    it base;
    size_t nreq, nexcl, nopt;
    it **req, **excl, **opt;
    /* PHRASE / NEAR */
    int mode;                  /* 0 plain, 1 phrase, 2 near */
    int near;                  /* words allowed between, -1 same sentence */
    const crible_index *ix;
    int fnum;
    uint32_t **pos;
    uint32_t *npos, *pcap;
    uint32_t *sent;
    uint32_t sent_cap;
    size_t *order;             /* req in slot order (req[] is sorted by cost) */
    size_t *slot_of;           /* and back: the slot of req[j] */
} conj;

/* Phrases: slot k at p + k for some p.  The candidate starts come from
 * the rarest slot (req[0]); each other slot, rarest first, filters them
 * as soon as its cursor reaches the document (conj_advance), so a frequent
 * word (de, la) is neither advanced to nor has its positions decoded in a
 * document where the rarer words already fail to line up. */
static uint32_t phrase_starts(conj *c)
{
    size_t k0 = c->slot_of[0];
    it *s0 = c->req[0];
    uint32_t ns = s0->ops->positions ? s0->ops->positions(s0, &c->pos[0], &c->pcap[0], UINT32_MAX) : 0;
    uint32_t *cand = c->pos[0], m = 0;
    for (uint32_t a = 0; a < ns; a++)
        if (cand[a] >= k0)
            cand[m++] = cand[a] - (uint32_t)k0;
    return m;
}

/* Keeps the m candidate starts where req[j] is at its slot; how many. */
static uint32_t phrase_filter(conj *c, size_t j, uint32_t m)
{
    it *s = c->req[j];
    size_t k = c->slot_of[j];
    uint32_t *cand = c->pos[0];
    uint32_t last = m ? cand[m - 1] + (uint32_t)k : 0; /* none needed past it */
    uint32_t np = s->ops->positions ? s->ops->positions(s, &c->pos[j], &c->pcap[j], last) : 0;
    const uint32_t *pp = c->pos[j];
    cand = c->pos[0];
    uint32_t keep = 0, b = 0;
    for (uint32_t a = 0; a < m; a++) {
        uint32_t want = cand[a] + (uint32_t)k;
        while (b < np && pp[b] < want)
            b++;
        if (b < np && pp[b] == want)
            cand[keep++] = cand[a];
    }
    return keep;
}

/* NEAR and same-sentence (phrases are matched in conj_advance) in
 * document doc, where every required iterator stands (conj_advance: the
 * conjunction's own doc is not doc yet). */
static bool near_match(conj *c, uint32_t doc)
{
    size_t n = c->nreq;
    for (size_t k = 0; k < n; k++) {
        it *s = c->req[c->order[k]];
        c->npos[k] = s->ops->positions ? s->ops->positions(s, &c->pos[k], &c->pcap[k], UINT32_MAX) : 0;
        if (c->npos[k] == 0)
            return false;
    }
    /* NEAR: a window holding one position of each slot, its span at most
     * near + n - 1 (or all in one sentence). */
    uint32_t nsent = 0;
    if (c->near < 0) {
        nsent = crible_index_sentences(c->ix, c->fnum, doc, c->sent, c->sent_cap);
        if (nsent > c->sent_cap) {
            uint32_t *v = realloc(c->sent, nsent * sizeof *v);
            if (!v)
                return false;
            c->sent = v;
            c->sent_cap = nsent;
            nsent = crible_index_sentences(c->ix, c->fnum, doc, c->sent, c->sent_cap);
        }
    }
    size_t *ix = calloc(n, sizeof *ix);
    if (!ix)
        return false;
    bool found = false;
    for (;;) {
        uint32_t lo = UINT32_MAX, hi = 0;
        size_t lok = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t p = c->pos[k][ix[k]];
            if (c->near < 0) { /* map to the sentence number */
                uint32_t a = 0, b = nsent;
                while (b - a > 1) {
                    uint32_t m = (a + b) / 2;
                    if (c->sent[m] <= p)
                        a = m;
                    else
                        b = m;
                }
                p = a;
            }
            if (p < lo)
                lo = p, lok = k;
            if (p > hi)
                hi = p;
        }
        if (c->near < 0 ? hi == lo : hi - lo <= (uint32_t)c->near + (uint32_t)(n - 1)) {
            found = true;
            break;
        }
        if (++ix[lok] >= c->npos[lok])
            break;
    }
    free(ix);
    return found;
}

static uint32_t conj_advance(it *i, uint32_t target)
{
    conj *c = (conj *)i;
    bool phrase = c->mode == 1;
    uint32_t d = adv(c->req[0], target);
    for (;;) {
        if (d == NONE)
            return NONE;
        bool again = false, out = false;
        uint32_t m = phrase && c->nreq == 1 ? phrase_starts(c) : 0;
        out = phrase && c->nreq == 1 && m == 0;
        for (size_t k = 1; k < c->nreq && !out; k++) {
            uint32_t x = adv(c->req[k], d);
            if (x != d) {
                d = x == NONE ? NONE : adv(c->req[0], x);
                again = true;
                break;
            }
            if (phrase) {
                if (k == 1)
                    m = phrase_starts(c);
                m = phrase_filter(c, k, m);
                out = m == 0;
            }
        }
        if (again)
            continue;
        for (size_t k = 0; k < c->nexcl && !out; k++)
            out = adv(c->excl[k], d) == d;
        if (!out && c->mode == 2 && !near_match(c, d))
            out = true;
        if (!out)
            return d;
        d = adv(c->req[0], d + 1);
    }
}

/* The required clauses' shares are summed in the query's order
 * (c->order), not req[]'s (by cost, which is a shard's): the same bits
 * however the documents fell into shards, so ties stay ties
 * (query_topk.c). */
static double conj_score(it *i)
{
    conj *c = (conj *)i;
    double s = 0;
    for (size_t k = 0; k < c->nreq; k++) {
        it *x = c->req[c->order[k]];
        s += x->ops->score(x);
    }
    for (size_t k = 0; k < c->nopt; k++)
        if (adv(c->opt[k], i->doc) == i->doc)
            s += c->opt[k]->ops->score(c->opt[k]);
    return s;
}

static uint32_t conj_block(it *i, uint32_t target, double *bound)
{
    conj *c = (conj *)i;
    uint32_t last = NONE;
    double b = 0;
    for (size_t k = 0; k < c->nreq + c->nopt; k++) {
        it *x = k < c->nreq ? c->req[k] : c->opt[k - c->nreq];
        double cb;
        uint32_t l = x->ops->block ? x->ops->block(x, target, &cb) : (cb = x->maxscore, NONE);
        b += cb;
        if (l < last)
            last = l;
    }
    *bound = b;
    return last;
}

static void conj_free(it *i)
{
    conj *c = (conj *)i;
    for (size_t k = 0; k < c->nreq; k++)
        it_free(c->req[k]);
    for (size_t k = 0; k < c->nexcl; k++)
        it_free(c->excl[k]);
    for (size_t k = 0; k < c->nopt; k++)
        it_free(c->opt[k]);
    if (c->pos)
        for (size_t k = 0; k < c->nreq; k++)
            free(c->pos[k]);
    free(c->pos);
    free(c->npos);
    free(c->pcap);
    free(c->sent);
    free(c->order);
    free(c->slot_of);
    free(c->req);
    free(c->excl);
    free(c->opt);
    free(c);
}

static const it_ops conj_ops = {conj_advance, conj_score, NULL, conj_block, conj_free};

/* --- bitsets (ranges) and all documents ----------------------------------- */

typedef struct bits_it {
    it base;
    uint64_t *bits;
    uint32_t maxdoc;
    const crible_index *ix;   /* all: skip deleted */
} bits_it;

static uint32_t bits_advance(it *i, uint32_t target)
{
    bits_it *b = (bits_it *)i;
    for (uint32_t d = target; d < b->maxdoc;) {
        if (!b->bits) {
            if (!crible_index_is_deleted(b->ix, d))
                return d;
            d++;
            continue;
        }
        uint64_t w = b->bits[d / 64] >> (d % 64);
        if (w)
            return d + (uint32_t)__builtin_ctzll(w);
        d = (d / 64 + 1) * 64;
    }
    return NONE;
}

static double zero_score(it *i)
{
    (void)i;
    return 0;
}

static void bits_free(it *i)
{
    bits_it *b = (bits_it *)i;
    free(b->bits);
    free(b);
}

static const it_ops bits_ops = {bits_advance, zero_score, NULL, NULL, bits_free};

static uint32_t none_advance(it *i, uint32_t target)
{
    (void)i;
    (void)target;
    return NONE;
}

static void plain_free(it *i)
{
    free(i);
}

static const it_ops none_ops = {none_advance, zero_score, NULL, NULL, plain_free};

/* --- building iterators from the plan ------------------------------------- */

typedef struct bctx {
    crible_searcher *s;
    plan *p;
    uint32_t shard;
    const crible_index *ix;
    uint32_t maxdoc;
    crible_error *err;
    crible_status st;
} bctx;

static it *it_none(bctx *b)
{
    it *i = calloc(1, sizeof *i);
    if (!i) {
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    i->ops = &none_ops;
    return i;
}

static bool is_none(const it *i)
{
    return i && i->ops == &none_ops;
}

static it *open_leaf(bctx *b, uint32_t ti)
{
    qterm *t = &b->p->terms[ti];
    qfield *f = &b->s->fields[t->field];
    int num = f->num[b->shard];
    if (num < 0)
        return NULL;
    crible_postings *pc;
    crible_status st;
    const unsigned char *loc = t->locs;
    uint32_t n = 0;
    for (size_t sh = 0; loc && sh <= b->shard; sh++) { /* this shard's places */
        if ((size_t)(loc - t->locs) + sizeof n > t->locs_len) {
            loc = NULL;
            break;
        }
        memcpy(&n, loc, sizeof n);
        loc += sizeof n;
        if (sh < b->shard)
            loc += n;
    }
    if (t->exact)
        st = crible_postings_open_exact(b->ix, num, t->term, t->len, &pc, b->err);
    else if (loc && (size_t)(loc - t->locs) + n <= t->locs_len)
        st = crible_postings_open_located(b->ix, num, loc, n, &pc, b->err);
    else
        st = crible_postings_open(b->ix, num, t->term, t->len, &pc, b->err);
    if (st != CRIBLE_OK) {
        b->st = st;
        return NULL;
    }
    leaf *l = calloc(1, sizeof *l);
    if (!l) {
        crible_postings_close(pc);
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    l->base.ops = &leaf_ops;
    l->p = pc;
    l->ix = b->ix;
    l->fnum = num;
    l->idf = t->idf;
    l->w = t->weight;
    l->avgdl = f->avgdl;
    l->o = &b->s->opts;
    l->base.maxscore = rank_bound(l->o, t->idf, t->weight, t->max_tf, 0, f->avgdl);
    crible_term_stats ts;
    crible_postings_stats(pc, &ts);
    l->base.cost = ts.df;
    return &l->base;
}

static it *build(bctx *b, const pnode *n);

static it *make_disj(bctx *b, it **c, size_t nc)
{
    size_t k = 0;
    for (size_t i = 0; i < nc; i++)
        if (c[i] && !is_none(c[i]))
            c[k++] = c[i];
        else
            it_free(c[i]);
    if (k == 0) {
        free(c);
        return it_none(b);
    }
    if (k == 1) {
        it *one = c[0];
        free(c);
        return one;
    }
    disj *d = calloc(1, sizeof *d);
    if (!d) {
        for (size_t i = 0; i < k; i++)
            it_free(c[i]);
        free(c);
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    d->base.ops = &disj_ops;
    d->n = k;
    d->c = c;
    for (size_t i = 0; i < k; i++) {
        d->base.maxscore += c[i]->maxscore;
        d->base.cost += c[i]->cost;
    }
    return &d->base;
}

static int cost_cmp(const void *a, const void *b)
{
    const it *x = *(it *const *)a, *y = *(it *const *)b;
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

static it *build_slot(bctx *b, const pnode *n)
{
    it **c = calloc(n->nterm ? n->nterm : 1, sizeof *c);
    if (!c) {
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n->nterm && b->st == CRIBLE_OK; i++)
        c[i] = open_leaf(b, n->term[i]);
    if (b->st != CRIBLE_OK) {
        for (size_t i = 0; i < n->nterm; i++)
            it_free(c[i]);
        free(c);
        return NULL;
    }
    return make_disj(b, c, n->nterm);
}

static it *build_conj(bctx *b, const pnode *n)
{
    conj *c = calloc(1, sizeof *c);
    if (!c) {
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    c->base.ops = &conj_ops;
    c->req = calloc(n->nchild, sizeof *c->req);
    c->excl = calloc(n->nchild, sizeof *c->excl);
    c->opt = calloc(n->nchild, sizeof *c->opt);
    c->order = calloc(n->nchild, sizeof *c->order);
    c->slot_of = calloc(n->nchild, sizeof *c->slot_of);
    bool none = false;
    if (!c->req || !c->excl || !c->opt || !c->order || !c->slot_of) {
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        conj_free(&c->base);
        return NULL;
    }
    for (size_t i = 0; i < n->nchild && b->st == CRIBLE_OK; i++) {
        it *x = build(b, n->child[i]);
        if (!x)
            break;
        uint8_t role = n->kind == PL_AND ? n->role[i] : ROLE_REQ;
        if (is_none(x)) {
            if (role == ROLE_REQ)
                none = true;
            it_free(x);
            continue;
        }
        if (role == ROLE_REQ)
            c->req[c->nreq++] = x;
        else if (role == ROLE_EXCL)
            c->excl[c->nexcl++] = x;
        else
            c->opt[c->nopt++] = x;
    }
    if (b->st != CRIBLE_OK || none || c->nreq == 0) {
        conj_free(&c->base);
        return b->st == CRIBLE_OK ? it_none(b) : NULL;
    }
    if (n->kind == PL_PHRASE || n->kind == PL_NEAR) {
        c->mode = n->kind == PL_PHRASE ? 1 : 2;
        c->near = n->near;
        c->ix = b->ix;
        c->fnum = b->s->fields[n->field].num[b->shard];
        c->pos = calloc(c->nreq, sizeof *c->pos);
        c->npos = calloc(c->nreq, sizeof *c->npos);
        c->pcap = calloc(c->nreq, sizeof *c->pcap);
        if (!c->pos || !c->npos || !c->pcap) {
            b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
            conj_free(&c->base);
            return NULL;
        }
    }
    /* Slot order for phrases, then the cheapest clause leads. */
    it **slot_order = malloc(c->nreq * sizeof *slot_order);
    if (!slot_order) {
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        conj_free(&c->base);
        return NULL;
    }
    memcpy(slot_order, c->req, c->nreq * sizeof *slot_order);
    qsort(c->req, c->nreq, sizeof *c->req, cost_cmp);
    for (size_t k = 0; k < c->nreq; k++)
        for (size_t j = 0; j < c->nreq; j++)
            if (c->req[j] == slot_order[k])
                c->order[k] = j, c->slot_of[j] = k;
    free(slot_order);
    c->base.cost = c->req[0]->cost;
    for (size_t k = 0; k < c->nreq; k++)
        c->base.maxscore += c->req[k]->maxscore;
    for (size_t k = 0; k < c->nopt; k++)
        c->base.maxscore += c->opt[k]->maxscore;
    return &c->base;
}

static it *build_bits(bctx *b, const pnode *n)
{
    bits_it *x = calloc(1, sizeof *x);
    if (!x) {
        b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    x->base.ops = &bits_ops;
    x->maxdoc = b->maxdoc;
    x->ix = b->ix;
    x->base.cost = b->maxdoc;
    if (n->kind == PL_RANGE) {
        int num = b->s->fields[n->field].num[b->shard];
        x->bits = calloc((b->maxdoc + 63) / 64 + 1, sizeof *x->bits);
        if (!x->bits) {
            free(x);
            b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
            return NULL;
        }
        if (num >= 0)
            x->base.cost = crible_index_range(b->ix, num, n->lo, n->hi, x->bits);
        else
            x->base.cost = 0;
    }
    return &x->base;
}

static it *build(bctx *b, const pnode *n)
{
    switch (n->kind) {
    case PL_NONE:
        return it_none(b);
    case PL_ALL:
    case PL_RANGE:
        return build_bits(b, n);
    case PL_SLOT:
        return build_slot(b, n);
    case PL_OR: {
        it **c = calloc(n->nchild, sizeof *c);
        if (!c) {
            b->st = crible_error_set(b->err, CRIBLE_ENOMEM, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < n->nchild && b->st == CRIBLE_OK; i++)
            c[i] = build(b, n->child[i]);
        if (b->st != CRIBLE_OK) {
            for (size_t i = 0; i < n->nchild; i++)
                it_free(c[i]);
            free(c);
            return NULL;
        }
        return make_disj(b, c, n->nchild);
    }
    case PL_AND:
    case PL_PHRASE:
    case PL_NEAR:
        return build_conj(b, n);
    }
    return it_none(b);
}

/* Collects the leaves of nested disjunctions (their scores add up). */
static size_t flatten(it *root, it ***out)
{
    if (root->ops != &disj_ops) {
        *out = malloc(sizeof **out);
        if (*out)
            (*out)[0] = root;
        return *out ? 1 : 0;
    }
    disj *d = (disj *)root;
    size_t n = 0, cap = d->n + 16;   /* the root's children all go on the stack */
    it **v = malloc(cap * sizeof *v);
    it **stack = malloc(cap * sizeof *stack);
    size_t sp = 0;
    if (!v || !stack) {
        free(v);
        free(stack);
        return 0;
    }
    for (size_t i = d->n; i-- > 0;)
        stack[sp++] = d->c[i];
    while (sp) {
        it *x = stack[--sp];
        if (x->ops == &disj_ops) {
            disj *e = (disj *)x;
            if (sp + e->n > cap || n + e->n > cap) {
                cap = (cap + e->n) * 2;
                it **nv = realloc(v, cap * sizeof *v);
                it **ns = nv ? realloc(stack, cap * sizeof *stack) : NULL;
                if (nv)
                    v = nv;
                if (!ns) {
                    free(v);
                    free(stack);
                    return 0;
                }
                stack = ns;
            }
            for (size_t i = e->n; i-- > 0;)
                stack[sp++] = e->c[i];
        } else {
            if (n == cap) {
                cap *= 2;
                it **nv = realloc(v, cap * sizeof *v);
                it **ns = nv ? realloc(stack, cap * sizeof *stack) : NULL;
                if (nv)
                    v = nv;
                if (!ns) {
                    free(v);
                    free(stack);
                    return 0;
                }
                stack = ns;
            }
            v[n++] = x;
        }
    }
    free(stack);
    *out = v;
    return n;
}

typedef struct mchild {
    it *i;
    double bound;
} mchild;

static int mchild_cmp(const void *a, const void *b)
{
    const mchild *x = a, *y = b;
    return x->bound < y->bound ? -1 : x->bound > y->bound;
}

#define EPS(x) ((x) * 1e-9 + 1e-12)

/* Document d's score summed over the leaves in the query's order (c[]),
 * those standing on d: the window's order of the leaves (by their block
 * bounds) depends on how the documents fell into segments, and a sum in
 * another order may differ in its last bits. */
static double leaves_score(it **c, size_t n, uint32_t d)
{
    double sc = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i]->doc == d)
            sc += c[i]->ops->score(c[i]);
    return sc;
}

/* Block-max MaxScore over the leaves of a disjunction.  `from` is where
 * the next window starts: a leaf whose cursor is behind it (a
 * non-essential term never probed there) is not advanced, only its block
 * bounds are read (shallow), so a frequent term costs nothing in windows
 * where it cannot change the top k. */
static crible_status maxscore(it **c, size_t n, uint32_t shard, topk *top)
{
    mchild *m = malloc(n * sizeof *m);
    if (!m)
        return CRIBLE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        adv(c[i], 0);
    uint32_t from = 0;
    for (;;) {
        uint32_t doc = NONE;
        for (size_t i = 0; i < n; i++) {
            uint32_t d = c[i]->doc;
            if (d == NONE)
                continue;
            if (d < from)
                d = from;
            if (d < doc)
                doc = d;
        }
        if (doc == NONE)
            break;
        double theta = topk_threshold(top);
        uint32_t upto = NONE;
        double sum = 0;
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            m[i].i = c[i];
            m[i].bound = 0;
            if (c[i]->doc == NONE)
                continue;
            double b;
            uint32_t last;
            if (c[i]->ops->block) {
                last = c[i]->ops->block(c[i], doc, &b);
                if (last == NONE && c[i]->ops == &leaf_ops)
                    continue; /* nothing left at or after doc */
            } else {
                b = c[i]->maxscore;
                last = NONE;
            }
            any = true;
            m[i].bound = b + EPS(b);
            sum += m[i].bound;
            if (last < upto)
                upto = last;
        }
        if (!any)
            break;
        if (theta >= 0 && sum <= theta) {
            if (upto == NONE)
                break;
            from = upto + 1;
            continue;
        }
        qsort(m, n, sizeof *m, mchild_cmp);
        size_t ess = 0;
        double nonsum = 0;
        while (ess < n && theta >= 0 && nonsum + m[ess].bound <= theta)
            nonsum += m[ess++].bound;
        for (size_t i = ess; i < n; i++)
            adv(m[i].i, doc);
        for (;;) {
            uint32_t d = NONE;
            for (size_t i = ess; i < n; i++)
                if (m[i].i->doc < d)
                    d = m[i].i->doc;
            if (d == NONE || d > upto)
                break;
            double sc = 0;
            size_t nsum = 0;
            for (size_t i = ess; i < n; i++)
                if (m[i].i->doc == d)
                    sc += m[i].i->ops->score(m[i].i), nsum++;
            double rest = nonsum;
            theta = topk_threshold(top);
            for (size_t i = ess; i-- > 0;) {
                if (theta >= 0 && sc + rest <= theta)
                    break;
                rest -= m[i].bound;
                if (adv(m[i].i, d) == d)
                    sc += m[i].i->ops->score(m[i].i), nsum++;
            }
            /* Bounds carry EPS: a skipped document scores less than
             * theta, never as much, so a tie is never lost.  Two shares
             * add up the same in either order; three may not: summed here
             * (essential leaves first, in an order that depends on the
             * window's bounds and on where theta has moved `ess`), a
             * document scoring theta in the query's order may come out
             * a last bit below it, so it is re-summed when within EPS. */
            if (nsum > 2 && (theta < 0 || sc + EPS(sc) >= theta))
                sc = leaves_score(c, n, d);
            if (theta < 0 || sc >= theta) {
                crible_hit h = {shard, d, sc};
                topk_push(top, &h);
                theta = topk_threshold(top);
                /* A higher threshold may make more terms non-essential. */
                while (ess < n && theta >= 0 && nonsum + m[ess].bound <= theta)
                    nonsum += m[ess++].bound;
            }
            for (size_t i = ess; i < n; i++)
                if (m[i].i->doc == d)
                    adv(m[i].i, d + 1);
            if (ess == n)
                break;
        }
        if (upto == NONE)
            break; /* the window was everything: no block data */
        from = upto + 1;
    }
    free(m);
    return CRIBLE_OK;
}

crible_status exec_shard(crible_searcher *s, plan *p, uint32_t shard, topk *top,
                         bool count, uint64_t *total, uint64_t *bits, crible_error *err)
{
    crible_index_info info;
    crible_index_get_info(s->shards[shard], &info);
    bctx b = {s, p, shard, s->shards[shard], info.maxdoc, err, CRIBLE_OK};
    if (count || bits) {
        it *root = build(&b, p->root);
        if (!root)
            return b.st;
        uint64_t n = 0;
        for (uint32_t d = adv(root, 0); d != NONE; d = adv(root, d + 1)) {
            n++;
            if (bits)
                bits[d / 64] |= 1ull << (d % 64);
        }
        it_free(root);
        if (total)
            *total += n;
    }
    if (top->k == 0)
        return CRIBLE_OK;
    it *root = build(&b, p->root);
    if (!root)
        return b.st;
    crible_status st = CRIBLE_OK;
    if (!s->opts.exhaustive && (root->ops == &disj_ops || root->ops == &leaf_ops)) {
        it **leaves;
        size_t n = flatten(root, &leaves);
        if (n == 0)
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        else {
            st = maxscore(leaves, n, shard, top);
            free(leaves);
        }
    } else {
        for (uint32_t d = adv(root, 0); d != NONE; d = adv(root, d + 1)) {
            crible_hit h = {shard, d, root->ops->score(root)};
            topk_push(top, &h);
        }
    }
    it_free(root);
    if (st == CRIBLE_ENOMEM)
        return crible_error_set(err, st, "out of memory");
    return st;
}
