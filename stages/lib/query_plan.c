/*
 * query_plan.c - from a parsed query to a plan: every user word analysed
 * with the index's settings and resolved to dictionary terms of each field
 * it searches, each term with its global statistics (summed over shards).
 *
 * A word searching a TEXT field (title, text) becomes a slot: its stem, and
 * when the index keeps accents, every stem of the dictionary equal to it up
 * to accents (`decu` -> "déçu", `coeur` -> "cœur" via oe -> œ); when none
 * exists, the NORM dictionary is searched the same way and the forms found
 * are stemmed.  `word*` and `word~N` walk the dictionaries with the
 * Levenshtein automaton (query_fuzzy.h), the forms found mapped to their
 * stems.  A word that analyses into several tokens (l'avion, arc-en-ciel)
 * is a phrase of them.  A KEYWORD field (person, platform, source) takes the
 * case-folded value whole; a NUMERIC field (rating, date) a range.
 *
 * Stop words stay searchable (phrases need them: "pas bon"), but a stop
 * word alone in an AND only ranks (it is optional), as in Lucene and
 * Xapian, unless the option stop_optional is off.
 */
#include "query_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "query_cache.h"
#include "query_fold.h"
#include "query_fuzzy.h"

typedef struct builder {
    crible_searcher *s;
    plan *p;
    crible_query_syntax *syn;
    crible_error *err;
    crible_qtokens toks;
    const char *toks_of;      /* the text toks holds the analysis of (or NULL) */
    crible_status st;
} builder;

/* Analyses text into b->toks, unless it already holds it. */
static crible_status analyze(builder *b, const char *text, crible_error *e)
{
    if (b->toks_of == text)
        return CRIBLE_OK;
    b->toks_of = NULL;
    crible_status st = crible_query_analyze(b->s->analyzer, text, strlen(text), &b->toks, e);
    if (st == CRIBLE_OK)
        b->toks_of = text;
    return st;
}

static bool failed(builder *b)
{
    return b->st != CRIBLE_OK;
}

static void set_fail(builder *b, crible_status st, size_t pos, const char *hint,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void set_fail(builder *b, crible_status st, size_t pos, const char *hint,
                     const char *fmt, ...)
{
    if (failed(b))
        return;
    va_list ap;
    va_start(ap, fmt);
    crible_error_setv(b->err, st, fmt, ap);
    va_end(ap);
    b->st = st;
    if (b->syn) {
        b->syn->pos = pos;
        size_t l = strlen(b->err->message);
        if (l >= sizeof b->syn->message)
            l = sizeof b->syn->message - 1;
        memcpy(b->syn->message, b->err->message, l);
        b->syn->message[l] = '\0';
        snprintf(b->syn->hint, sizeof b->syn->hint, "%s", hint ? hint : "");
    }
}

static void oom(builder *b)
{
    set_fail(b, CRIBLE_ENOMEM, 0, NULL, "out of memory");
}

static pnode *pnode_new(builder *b, pkind kind)
{
    pnode *n = calloc(1, sizeof *n);
    if (!n) {
        oom(b);
        return NULL;
    }
    n->kind = kind;
    n->field = -1;
    return n;
}

static void pnode_free(pnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nchild; i++)
        pnode_free(n->child[i]);
    free(n->child);
    free(n->role);
    free(n->term);
    free(n);
}

static bool pnode_add(builder *b, pnode *n, pnode *c, uint8_t role)
{
    pnode **v = realloc(n->child, (n->nchild + 1) * sizeof *v);
    uint8_t *r = v ? realloc(n->role, n->nchild + 1) : NULL;
    if (v)
        n->child = v;
    if (!v || !r) {
        pnode_free(c);
        oom(b);
        return false;
    }
    n->role = r;
    n->child[n->nchild] = c;
    n->role[n->nchild++] = role;
    return true;
}

/* --- terms ------------------------------------------------------------- */

/* The live documents holding term t of field f in every shard: a
 * segment's df counts deleted documents until a merge, a postings cursor
 * skips them.  Read only when a shard has deletions, so that the scores
 * are the same however the documents were added, replaced and deleted
 * (tests/tools/index_diff.py); df (the dictionaries' sum) if a cursor
 * cannot open. */
static uint64_t live_df(const crible_searcher *s, const qfield *qf, const char *t, size_t len,
                        bool exact, uint64_t df)
{
    uint64_t live = 0;
    for (size_t sh = 0; sh < s->nshards; sh++) {
        int num = qf->num[sh];
        if (num < 0)
            continue;
        crible_postings *pc;
        crible_error e;
        crible_status st = exact ? crible_postings_open_exact(s->shards[sh], num, t, len, &pc, &e)
                                 : crible_postings_open(s->shards[sh], num, t, len, &pc, &e);
        if (st != CRIBLE_OK)
            return df;
        while (crible_postings_next(pc) != CRIBLE_DOC_NONE)
            live++;
        crible_postings_close(pc);
    }
    return live;
}

/* Adds (or finds) term `t` of field f; returns its index, or -1 if no
 * shard has it (then nothing is added) or on error. */
/* Appends n bytes to the growable *v (len *n_, capacity *cap; on the stack
 * at first: `stack`). */
static bool bytes_add(unsigned char **v, size_t *len, size_t *cap, unsigned char *stack,
                      const void *data, size_t n)
{
    if (*len + n > *cap) {
        size_t c = (*len + n) * 2;
        unsigned char *w = *v == stack ? malloc(c) : realloc(*v, c);
        if (!w)
            return false;
        if (*v == stack)
            memcpy(w, stack, *len);
        *v = w;
        *cap = c;
    }
    memcpy(*v + *len, data, n);
    *len += n;
    return true;
}

/* Adds (or finds) term `t` of field f; returns its index, or -1 if no
 * shard has it (then nothing is added) or on error.  A stem term keeps
 * where each shard's segments hold it (crible_index_term_locate), so the
 * search opens its postings without a second dictionary lookup; the
 * statistics and places are in the searcher's memo for the next query:
 *   df (8 bytes), max_tf (4), then per shard: length (4), its places. */
static long add_term(builder *b, int f, const char *t, size_t len, bool exact, uint32_t word,
                     bool weak)
{
    plan *p = b->p;
    for (size_t i = 0; i < p->nterms; i++) {
        qterm *q = &p->terms[i];
        if (q->field == f && q->len == len && q->exact == exact && q->word == word &&
            memcmp(q->term, t, len) == 0)
            return (long)i;
    }
    crible_searcher *s = b->s;
    qfield *qf = &s->fields[f];
    uint64_t df = 0;
    uint32_t max_tf = 0;
    unsigned char stack[512], *val = stack;
    size_t vlen = 0, vcap = sizeof stack;
    const unsigned char *hit = NULL;
    /* memo key: 'T', field, exact, term */
    unsigned char key[CRIBLE_TERM_MAX + 16];
    size_t klen = 0;
    bool memo = s->cache && len <= CRIBLE_TERM_MAX;
    if (memo) {
        key[0] = 'T';
        key[1] = exact;
        memcpy(key + 2, &f, sizeof f);
        memcpy(key + 2 + sizeof f, t, len);
        klen = 2 + sizeof f + len;
        hit = qcache_get(s->cache, key, klen, &vlen);
        if (hit && vlen < sizeof df + sizeof max_tf)
            hit = NULL;
    }
    if (!hit) {
        vlen = sizeof df + sizeof max_tf;
        for (size_t sh = 0; sh < s->nshards && !exact; sh++) {
            unsigned char here[16 * CRIBLE_TERM_LOC], *lp = here;
            uint32_t n = 0;
            crible_term_stats st;
            if (qf->num[sh] >= 0) {
                size_t need = crible_index_term_locate(s->shards[sh], qf->num[sh], t, len, &st,
                                                       here, sizeof here);
                if (need > sizeof here && (lp = malloc(need)) != NULL)
                    crible_index_term_locate(s->shards[sh], qf->num[sh], t, len, &st, lp, need);
                if (!lp) {
                    oom(b);
                    goto fail;
                }
                n = (uint32_t)need;
                if (n) {
                    df += st.df;
                    if (st.max_tf > max_tf)
                        max_tf = st.max_tf;
                }
            }
            bool ok = bytes_add(&val, &vlen, &vcap, stack, &n, sizeof n) &&
                      bytes_add(&val, &vlen, &vcap, stack, lp, n);
            if (lp != here)
                free(lp);
            if (!ok) {
                oom(b);
                goto fail;
            }
        }
        for (size_t sh = 0; sh < s->nshards && exact; sh++) {
            int num = qf->exact_num[sh];
            if (num < 0) {
                if (qf->num[sh] >= 0)
                    num = qf->num[sh]; /* no exact field: norm == stem everywhere */
                else
                    continue;
            }
            crible_term_stats st;
            if (crible_index_term(s->shards[sh], num, t, len, &st)) {
                df += st.df;
                if (st.max_tf > max_tf)
                    max_tf = st.max_tf;
            }
            /* a segment without the norm may hold it as its pure stem:
             * that stem's tf bounds it there too */
            if (num != qf->num[sh] && qf->num[sh] >= 0 &&
                crible_index_term(s->shards[sh], qf->num[sh], t, len, &st) && st.max_tf > max_tf)
                max_tf = st.max_tf;
        }
        if (exact && df == 0) {
            /* The exact field omits a norm equal to its stem: look there. */
            for (size_t sh = 0; sh < s->nshards; sh++) {
                crible_term_stats st;
                if (qf->num[sh] >= 0 && crible_index_term(s->shards[sh], qf->num[sh], t, len, &st)) {
                    df += st.df;
                    if (st.max_tf > max_tf)
                        max_tf = st.max_tf;
                }
            }
        }
        /* =word: a segment leaves out of its exact field a norm equal to
         * its pure stem, so the exact dictionaries' df depends on how the
         * documents fell into segments: count the documents instead */
        if ((s->deletes || exact) && df)
            df = live_df(s, qf, t, len, exact, df);
        memcpy(val, &df, sizeof df);
        memcpy(val + sizeof df, &max_tf, sizeof max_tf);
        if (memo)
            qcache_put(s->cache, key, klen, val, vlen); /* out of memory: not kept, no harm */
        hit = val;
    }
    memcpy(&df, hit, sizeof df);
    memcpy(&max_tf, hit + sizeof df, sizeof max_tf);
    if (df == 0)
        goto fail;
    if (p->nterms == p->terms_cap) {
        size_t cap = p->terms_cap ? p->terms_cap * 2 : 16;
        qterm *v = realloc(p->terms, cap * sizeof *v);
        if (!v) {
            oom(b);
            goto fail;
        }
        p->terms = v;
        p->terms_cap = cap;
    }
    qterm *q = &p->terms[p->nterms];
    memset(q, 0, sizeof *q);
    q->term = malloc(len + 1);
    size_t nloc = vlen - sizeof df - sizeof max_tf;
    q->locs = !exact && nloc ? malloc(nloc) : NULL;
    if (!q->term || (!exact && nloc && !q->locs)) {
        free(q->term);
        free(q->locs);
        oom(b);
        goto fail;
    }
    if (q->locs) {
        memcpy(q->locs, hit + sizeof df + sizeof max_tf, nloc);
        q->locs_len = nloc;
    }
    if (val != stack)
        free(val);
    memcpy(q->term, t, len);
    q->term[len] = '\0';
    q->len = len;
    q->field = f;
    q->exact = exact;
    q->word = word;
    q->weak = weak;
    q->weight = qf->weight;
    q->df = df;
    q->max_tf = max_tf;
    q->idf = rank_idf(s->maxdoc, df);
    q->phrase = -1;
    return (long)p->nterms++;
fail:
    if (val != stack)
        free(val);
    return -1;
}

static bool slot_add(builder *b, pnode *slot, long t)
{
    if (t < 0)
        return !failed(b);
    for (size_t i = 0; i < slot->nterm; i++)
        if (slot->term[i] == (uint32_t)t)
            return true;
    uint32_t *v = realloc(slot->term, (slot->nterm + 1) * sizeof *v);
    if (!v) {
        oom(b);
        return false;
    }
    slot->term = v;
    slot->term[slot->nterm++] = (uint32_t)t;
    return true;
}

/* --- dictionary walks --------------------------------------------------- */

typedef struct tsrc {
    crible_terms *it;
} tsrc;

static void ts_seek(void *ctx, const char *key, size_t len)
{
    crible_terms_seek(((tsrc *)ctx)->it, key, len);
}

static bool ts_next(void *ctx, const char **t, size_t *n)
{
    return crible_terms_next(((tsrc *)ctx)->it, t, n, NULL);
}

typedef struct strset {
    size_t n, cap;
    char **v;
    size_t *len;
    size_t limit;
} strset;

static void strset_free(strset *ss)
{
    for (size_t i = 0; i < ss->n; i++)
        free(ss->v[i]);
    free(ss->v);
    free(ss->len);
    memset(ss, 0, sizeof *ss);
}

static bool strset_add(strset *ss, const char *t, size_t n)
{
    for (size_t i = 0; i < ss->n; i++)
        if (ss->len[i] == n && memcmp(ss->v[i], t, n) == 0)
            return true;
    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? ss->cap * 2 : 8;
        char **v = realloc(ss->v, cap * sizeof *v);
        if (!v)
            return false;
        ss->v = v;
        size_t *l = realloc(ss->len, cap * sizeof *l);
        if (!l)
            return false;
        ss->len = l;
        ss->cap = cap;
    }
    char *c = malloc(n + 1);
    if (!c)
        return false;
    memcpy(c, t, n);
    c[n] = '\0';
    ss->v[ss->n] = c;
    ss->len[ss->n++] = n;
    return true;
}

static bool visit_add(void *ctx, const char *t, size_t n, int dist)
{
    (void)dist;
    strset *ss = ctx;
    if (!strset_add(ss, t, n))
        return false;
    return !ss->limit || ss->n < ss->limit;
}

/* The terms a walk visited, in order: (length, bytes) records. */
typedef struct walkrec {
    unsigned char *v;
    size_t n, cap;
} walkrec;

static bool rec_visit(void *ctx, const char *t, size_t n, int dist)
{
    (void)dist;
    walkrec *r = ctx;
    uint32_t l = (uint32_t)n;
    if (r->n + sizeof l + n > r->cap) {
        size_t cap = (r->n + sizeof l + n) * 2 + 64;
        unsigned char *v = realloc(r->v, cap);
        if (!v)
            return false;
        r->v = v;
        r->cap = cap;
    }
    memcpy(r->v + r->n, &l, sizeof l);
    memcpy(r->v + r->n + sizeof l, t, n);
    r->n += sizeof l + n;
    return true;
}

/* Gives the recorded terms to visit_add as the walk did, until it says stop. */
static void replay(const unsigned char *v, size_t n, strset *out)
{
    for (size_t o = 0; o + sizeof(uint32_t) <= n;) {
        uint32_t l;
        memcpy(&l, v + o, sizeof l);
        if (o + sizeof l + l > n || !visit_add(out, (const char *)v + o + sizeof l, l, 0))
            return;
        o += sizeof l + l;
    }
}

/* The accent-fold filter of dictionary `num` of shard sh, counting the
 * walk: made at the FOLD_AFTER-th (reading a dictionary whole costs
 * what a few hundred walks do: a searcher kept open makes it, one query
 * does not); NULL before, or if it could not be made. */
#define FOLD_AFTER 32
static qfold *fold_filter(crible_searcher *s, size_t sh, int num)
{
    qfoldref *r = NULL;
    for (size_t i = 0; i < s->nfolds && !r; i++)
        if (s->folds[i].shard == sh && s->folds[i].num == num)
            r = &s->folds[i];
    if (!r) {
        qfoldref *v = realloc(s->folds, (s->nfolds + 1) * sizeof *v);
        if (!v)
            return NULL;
        s->folds = v;
        r = &s->folds[s->nfolds++];
        *r = (qfoldref){sh, num, 0, false, NULL};
    }
    if (!r->tried && ++r->walks >= FOLD_AFTER) {
        r->tried = true;
        r->f = qfold_build(s->shards[sh], num);
    }
    return r->f;
}

/* Walks the dictionary of field f (its exact field if `exact`) in every
 * shard with the automaton, adding the terms found to out.  A walk's
 * terms are kept in the searcher's memo: the same pattern again (the
 * next query with this word) costs no seek.  What the walk visits does
 * not depend on what out holds, only where it stops (visit_add says when
 * out is full), so replaying the record is the walk. */
static void walk_dicts(builder *b, int f, bool exact, const char *pat, size_t len,
                       const crible_fuzzy_options *fo, strset *out)
{
    crible_searcher *s = b->s;
    for (size_t sh = 0; sh < s->nshards && !failed(b); sh++) {
        int num = exact ? s->fields[f].exact_num[sh] : s->fields[f].num[sh];
        if (num < 0)
            continue;
        crible_fuzzy_options o = *fo;
        o.max_terms = out->limit ? out->limit : 0;
        /* memo key: 'W', shard, field number, the walk's options, pattern */
        unsigned char key[64 + 1024];
        size_t klen = 0;
        bool memo = s->cache && len <= 1024;
        if (memo) {
            unsigned char opts[4] = {'W', (unsigned char)o.max_edits, o.fold_accents, o.prefix};
            memcpy(key, opts, 4);
            memcpy(key + 4, &sh, sizeof sh);
            memcpy(key + 4 + sizeof sh, &num, sizeof num);
            memcpy(key + 4 + sizeof sh + sizeof num, &o.max_terms, sizeof o.max_terms);
            klen = 4 + sizeof sh + sizeof num + sizeof o.max_terms;
            memcpy(key + klen, pat, len);
            klen += len;
            size_t vlen;
            const unsigned char *v = qcache_get(s->cache, key, klen, &vlen);
            if (v) {
                replay(v, vlen, out);
                continue;
            }
        }
        /* Accent variants: when no accented term folds to the word, the
         * walk would find the folded word alone, if it is there. */
        qfold *ff = o.max_edits == 0 && o.fold_accents && !o.prefix ? fold_filter(s, sh, num) : NULL;
        char fk[QFOLD_KEY_MAX];
        size_t fl = ff ? qfold_key(pat, len, fk, sizeof fk) : 0;
        if (fl && !qfold_maybe(ff, fk, fl)) {
            walkrec rec = {0};
            if (crible_index_term(s->shards[sh], num, fk, fl, NULL) && !rec_visit(&rec, fk, fl, 0)) {
                oom(b);
                return;
            }
            if (memo)
                qcache_put(s->cache, key, klen, rec.v, rec.n);
            replay(rec.v, rec.n, out);
            free(rec.v);
            continue;
        }
        crible_terms *it;
        crible_error e;
        if (crible_terms_open(s->shards[sh], num, &it, &e) != CRIBLE_OK) {
            set_fail(b, e.status, 0, NULL, "%s", e.message);
            return;
        }
        tsrc ts = {it};
        crible_term_source src = {&ts, ts_seek, ts_next};
        walkrec rec = {0};
        crible_status st = crible_fuzzy_intersect(pat, len, &o, &src, rec_visit, &rec, NULL, &e);
        crible_terms_close(it);
        if (st != CRIBLE_OK && st != CRIBLE_EDATA) {
            free(rec.v);
            set_fail(b, st, 0, NULL, "%s", e.message);
            return;
        }
        if (memo && st == CRIBLE_OK)
            qcache_put(s->cache, key, klen, rec.v, rec.n); /* out of memory: not kept */
        replay(rec.v, rec.n, out);
        free(rec.v);
    }
}

/* Whether norm is a written form somewhere: an exact field (or, where a
 * segment leaves out a norm equal to its pure stem, that stem) holds it. */
static bool is_form(const crible_searcher *s, const qfield *qf, const char *t, size_t len)
{
    for (size_t sh = 0; sh < s->nshards; sh++) {
        crible_postings *pc;
        crible_error e;
        if (qf->num[sh] < 0 ||
            crible_postings_open_exact(s->shards[sh], qf->num[sh], t, len, &pc, &e) != CRIBLE_OK)
            continue;
        bool any = crible_postings_next(pc) != CRIBLE_DOC_NONE;
        crible_postings_close(pc);
        if (any)
            return true;
    }
    return false;
}

/* The written forms (NORM) near pat: the exact fields' terms, and the stem
 * terms near pat that are forms.  A segment's exact field leaves out a
 * norm whose stem term is pure (only ever written that way in it), so
 * whether "homme" is in it depends on which documents share the segment:
 * without the second walk, hotle~2 found "homme" on one segment and not on
 * 180 (tests/tools/index_diff.py). */
static void walk_forms(builder *b, int f, const char *pat, size_t len,
                       const crible_fuzzy_options *fo, strset *forms)
{
    walk_dicts(b, f, true, pat, len, fo, forms);
    strset stems = {.limit = forms->limit};
    walk_dicts(b, f, false, pat, len, fo, &stems);
    for (size_t i = 0; i < stems.n && !failed(b); i++) {
        bool known = false;
        for (size_t j = 0; j < forms->n && !known; j++)
            known = forms->len[j] == stems.len[i] && !memcmp(forms->v[j], stems.v[i], stems.len[i]);
        if (!known && is_form(b->s, &b->s->fields[f], stems.v[i], stems.len[i]) &&
            !strset_add(forms, stems.v[i], stems.len[i]))
            oom(b);
    }
    strset_free(&stems);
}

/* The stem of a form found in a NORM dictionary (analysed like a word). */
static void add_stems_of_forms(builder *b, pnode *slot, int f, const strset *forms,
                               uint32_t word, bool weak)
{
    crible_qtokens t = {0};
    for (size_t i = 0; i < forms->n && !failed(b); i++) {
        crible_error e;
        if (crible_query_analyze(b->s->analyzer, forms->v[i], forms->len[i], &t, &e) != CRIBLE_OK)
            continue;
        if (t.n == 1)
            slot_add(b, slot, add_term(b, f, t.t[0].stem, strlen(t.t[0].stem), false, word, weak));
    }
    crible_qtokens_free(&t);
}

/* Replaces "oe" by "œ" and "ae" by "æ" (coeur -> cœur); NULL if none. */
static char *ligatures(const char *s)
{
    if (!strstr(s, "oe") && !strstr(s, "ae"))
        return NULL;
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] == 'o' || s[i] == 'a') && s[i + 1] == 'e') {
            o[j++] = '\xC5' + (s[i] == 'a' ? -2 : 0); /* œ C5 93, æ C3 A6 */
            o[j++] = s[i] == 'a' ? '\xA6' : '\x93';
            i++;
        } else
            o[j++] = s[i];
    }
    o[j] = '\0';
    return o;
}

/* The terms of one analysed token in TEXT field f, into slot. */
static void text_token_terms(builder *b, pnode *slot, int f, const crible_qtoken *tok,
                             const crible_qnode *q, uint32_t word, bool weak)
{
    crible_searcher *s = b->s;
    const crible_query_options *o = &s->opts;
    bool fold = o->accent_variants && !s->index_folds_accents;
    if (q->flags & CRIBLE_QF_EXACT) {
        if (q->flags & (CRIBLE_QF_PREFIX | CRIBLE_QF_FUZZY)) {
            /* =chant*, =chantr~1: each written form (NORM) the walk finds,
             * as an exact term (every stem it was met with, DICT [v5]) */
            bool prefix = q->flags & CRIBLE_QF_PREFIX;
            crible_fuzzy_options fo = {prefix ? 0 : q->fuzzy, false, prefix, 0};
            strset forms = {.limit = o->max_expansions};
            walk_forms(b, f, tok->norm, strlen(tok->norm), &fo, &forms);
            for (size_t i = 0; i < forms.n && !failed(b); i++)
                slot_add(b, slot, add_term(b, f, forms.v[i], forms.len[i], true, word, weak));
            strset_free(&forms);
            return;
        }
        slot_add(b, slot, add_term(b, f, tok->norm, strlen(tok->norm), true, word, weak));
        return;
    }
    if (q->flags & (CRIBLE_QF_PREFIX | CRIBLE_QF_FUZZY)) {
        bool prefix = q->flags & CRIBLE_QF_PREFIX;
        crible_fuzzy_options fo = {prefix ? 0 : q->fuzzy, fold, prefix, 0};
        strset stems = {.limit = o->max_expansions}, forms = {.limit = o->max_expansions};
        if (prefix) {
            /* Stems starting with the prefix as typed, and with its own stem
             * (magnifi* -> "magnif", the stem of magnifique). */
            walk_dicts(b, f, false, tok->norm, strlen(tok->norm), &fo, &stems);
            if (strcmp(tok->stem, tok->norm) != 0)
                walk_dicts(b, f, false, tok->stem, strlen(tok->stem), &fo, &stems);
        } else {
            walk_dicts(b, f, false, tok->stem, strlen(tok->stem), &fo, &stems);
            walk_forms(b, f, tok->norm, strlen(tok->norm), &fo, &forms);
        }
        for (size_t i = 0; i < stems.n && !failed(b); i++)
            slot_add(b, slot, add_term(b, f, stems.v[i], stems.len[i], false, word, weak));
        add_stems_of_forms(b, slot, f, &forms, word, weak);
        strset_free(&stems);
        strset_free(&forms);
        return;
    }
    slot_add(b, slot, add_term(b, f, tok->stem, strlen(tok->stem), false, word, weak));
    if (!fold || weak || tok->stop)
        return; /* stop words (le, de, à): no spelling variants worth a walk */
    /* Accent variants: decu -> déçu, harcelement -> harcèlement, coeur -> cœur. */
    crible_fuzzy_options fo = {0, true, false, 0};
    strset stems = {.limit = 64}, forms = {.limit = 64};
    walk_dicts(b, f, false, tok->stem, strlen(tok->stem), &fo, &stems);
    char *lig = ligatures(tok->stem);
    if (lig)
        walk_dicts(b, f, false, lig, strlen(lig), &fo, &stems);
    free(lig);
    bool found_other = false;
    for (size_t i = 0; i < stems.n && !failed(b); i++) {
        size_t before = slot->nterm;
        slot_add(b, slot, add_term(b, f, stems.v[i], stems.len[i], false, word, weak));
        found_other |= slot->nterm > before;
    }
    if (slot->nterm == 0 && !failed(b)) {
        walk_forms(b, f, tok->norm, strlen(tok->norm), &fo, &forms);
        lig = ligatures(tok->norm);
        if (lig)
            walk_forms(b, f, lig, strlen(lig), &fo, &forms);
        free(lig);
        add_stems_of_forms(b, slot, f, &forms, word, weak);
    }
    (void)found_other;
    strset_free(&stems);
    strset_free(&forms);
}

/* --- words ---------------------------------------------------------------- */

static crible_query_word *word_new(builder *b, const crible_qnode *q)
{
    plan *p = b->p;
    if (p->nwords == p->words_cap) {
        size_t cap = p->words_cap ? p->words_cap * 2 : 8;
        crible_query_word *v = realloc(p->words, cap * sizeof *v);
        if (!v) {
            oom(b);
            return NULL;
        }
        p->words = v;
        p->words_cap = cap;
    }
    crible_query_word *w = &p->words[p->nwords++];
    memset(w, 0, sizeof *w);
    w->text = q->text;
    w->field = q->field;
    return w;
}

/* Fills the word's "field:term" list from the terms it produced. */
static void word_finish(builder *b, uint32_t wi, const char *note)
{
    plan *p = b->p;
    crible_query_word *w = &p->words[wi];
    size_t n = 0;
    for (size_t i = 0; i < p->nterms; i++)
        n += p->terms[i].word == wi && !p->terms[i].hl_only;
    w->terms = calloc(n ? n : 1, sizeof *w->terms);
    if (!w->terms) {
        oom(b);
        return;
    }
    for (size_t i = 0; i < p->nterms; i++) {
        qterm *t = &p->terms[i];
        if (t->word != wi || t->hl_only)
            continue;
        const char *fn = b->s->fields[t->field].name;
        size_t len = strlen(fn) + t->len + 4;
        char *x = malloc(len);
        if (!x) {
            oom(b);
            return;
        }
        snprintf(x, len, "%s:%s%s", fn, t->exact ? "=" : "", t->term);
        w->terms[w->nterms++] = x;
    }
    w->note = note;
}

static const char *field_kind_hint(builder *b, const char *name, char *buf, size_t n)
{
    const char *best = NULL;
    int bd = 3;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < b->s->nfields; i++) {
        const char *fn = b->s->fields[i].name;
        if (strchr(fn, '.') || fn[0] == '_')
            continue;
        int d = crible_edit_distance(name, fn);
        if (d < bd)
            bd = d, best = fn;
    }
    if (best)
        len += (size_t)snprintf(buf, n, "did you mean '%s'? ", best);
    if (len < n)
        len += (size_t)snprintf(buf + len, n - len, "fields of this index:");
    for (size_t i = 0; i < b->s->nfields && len < n; i++) {
        const char *fn = b->s->fields[i].name;
        if (!strchr(fn, '.') && fn[0] != '_')
            len += (size_t)snprintf(buf + len, n - len, " %s", fn);
    }
    return buf;
}

static int resolve_field(builder *b, const crible_qnode *q)
{
    int f = qs_field(b->s, q->field);
    if (f < 0) {
        char hint[200];
        set_fail(b, CRIBLE_EDATA, q->pos, field_kind_hint(b, q->field, hint, sizeof hint),
                 "unknown field '%s'", q->field);
    }
    return f;
}

/* Dates "YYYY", "YYYY-MM", "YYYY-MM-DD" as YYYYMMDD; hi fills with 99. */
static bool parse_value(const char *v, bool hi, double *out)
{
    if (!v)
        return false;
    size_t n = strlen(v);
    if ((n == 4 || n == 7 || n == 10) && isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[3]) &&
        (n == 4 || (v[4] == '-' && isdigit((unsigned char)v[5]) && isdigit((unsigned char)v[6]))) &&
        (n < 10 || (v[7] == '-' && isdigit((unsigned char)v[8]) && isdigit((unsigned char)v[9])))) {
        double y = atoi(v), m = n >= 7 ? atoi(v + 5) : (hi ? 99 : 0),
               d = n == 10 ? atoi(v + 8) : (hi ? 99 : 0);
        if (n == 4 && !hi && y < 1000)
            goto number;
        *out = y * 10000 + m * 100 + d;
        return true;
    }
number:;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0')
        return false;
    *out = x;
    return true;
}

static pnode *compile_range(builder *b, const crible_qnode *q, int f, const char *lo_s,
                            const char *hi_s, bool lo_incl, bool hi_incl)
{
    double lo = -INFINITY, hi = INFINITY;
    if (lo_s && !parse_value(lo_s, false, &lo)) {
        set_fail(b, CRIBLE_EDATA, q->pos, "give a number (rating>=4) or a date (date:2020..2021)",
                 "'%s' is not a number or a date", lo_s);
        return NULL;
    }
    if (hi_s && !parse_value(hi_s, true, &hi)) {
        set_fail(b, CRIBLE_EDATA, q->pos, "give a number (rating<3) or a date (date:..2019)",
                 "'%s' is not a number or a date", hi_s);
        return NULL;
    }
    if (lo_s && !lo_incl)
        lo = nextafter(lo, INFINITY);
    if (hi_s && !hi_incl)
        hi = nextafter(hi, -INFINITY);
    pnode *n = pnode_new(b, PL_RANGE);
    if (n) {
        n->field = f;
        n->lo = lo;
        n->hi = hi;
    }
    return n;
}

/* The fields a node searches: its own, or the default ones. */
static size_t node_fields(builder *b, const crible_qnode *q, int *out, size_t cap)
{
    if (q->field) {
        int f = resolve_field(b, q);
        if (f < 0)
            return 0;
        out[0] = f;
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < b->s->opts.ndefault_fields && n < cap; i++) {
        int f = qs_field(b->s, b->s->opts.default_fields[i]);
        if (f >= 0 && b->s->fields[f].kind == CRIBLE_FIELD_TEXT)
            out[n++] = f;
    }
    return n;
}

static pnode *slot_or_none(builder *b, pnode *slot)
{
    if (slot && slot->nterm == 0) {
        pnode_free(slot);
        return pnode_new(b, PL_NONE);
    }
    return slot;
}

/* A phrase of the analysed tokens in TEXT field f (one token: a slot). */
static pnode *text_phrase(builder *b, const crible_qnode *q, int f, uint32_t wi, bool weak)
{
    const crible_qtokens *t = &b->toks;
    if (t->n == 1) {
        pnode *slot = pnode_new(b, PL_SLOT);
        if (slot)
            text_token_terms(b, slot, f, &t->t[0], q, wi, weak);
        return slot_or_none(b, slot);
    }
    pnode *ph = pnode_new(b, PL_PHRASE);
    if (!ph)
        return NULL;
    ph->field = f;
    for (size_t i = 0; i < t->n && !failed(b); i++) {
        pnode *slot = pnode_new(b, PL_SLOT);
        if (!slot)
            break;
        crible_qnode plain = *q;
        plain.flags &= CRIBLE_QF_EXACT;
        if (i + 1 == t->n)
            plain.flags = q->flags; /* a prefix or fuzzy mark applies to the last word */
        text_token_terms(b, slot, f, &t->t[i], &plain, wi, false);
        for (size_t k = 0; k < slot->nterm; k++) {
            qterm *qt = &b->p->terms[slot->term[k]];
            if (qt->phrase < 0) { /* highlights: only where the whole phrase is */
                qt->phrase = (int)b->p->nphrases;
                qt->slot = (uint16_t)i;
                qt->nslots = (uint16_t)t->n;
            }
        }
        if (slot->nterm == 0) { /* a word found nowhere: the phrase cannot match */
            pnode_free(slot);
            pnode_free(ph);
            return pnode_new(b, PL_NONE);
        }
        pnode_add(b, ph, slot, ROLE_REQ);
    }
    b->p->nphrases++;
    if (failed(b)) {
        pnode_free(ph);
        return NULL;
    }
    return ph;
}

static pnode *or_of(builder *b, pnode **parts, size_t n)
{
    size_t live = 0;
    pnode *one = NULL;
    for (size_t i = 0; i < n; i++)
        if (parts[i] && parts[i]->kind != PL_NONE)
            live++, one = parts[i];
    if (live <= 1) {
        for (size_t i = 0; i < n; i++)
            if (parts[i] != one)
                pnode_free(parts[i]);
        return one ? one : pnode_new(b, PL_NONE);
    }
    /* Slots of one word in several fields merge into one slot. */
    bool all_slots = true;
    for (size_t i = 0; i < n; i++)
        if (parts[i] && parts[i]->kind != PL_SLOT && parts[i]->kind != PL_NONE)
            all_slots = false;
    if (all_slots) {
        pnode *slot = pnode_new(b, PL_SLOT);
        for (size_t i = 0; i < n; i++) {
            if (parts[i] && slot)
                for (size_t j = 0; j < parts[i]->nterm; j++)
                    slot_add(b, slot, parts[i]->term[j]);
            pnode_free(parts[i]);
        }
        return slot;
    }
    pnode *o = pnode_new(b, PL_OR);
    for (size_t i = 0; i < n; i++) {
        if (!parts[i])
            continue;
        if (parts[i]->kind == PL_NONE || !o)
            pnode_free(parts[i]);
        else
            pnode_add(b, o, parts[i], ROLE_REQ);
    }
    return o;
}

static bool is_elision_norm(const char *norm)
{
    size_t n = strlen(norm);
    return n >= 2 && norm[n - 1] == '\'';
}

/* person:"Lina Benali" matches through the entity field, which has no
 * positions: its words in the text fields are added as terms that only
 * mark the snippet (a phrase of them), never match or rank. */
static void highlight_terms(builder *b, const crible_qnode *q, uint32_t wi)
{
    crible_error e;
    b->toks_of = NULL;
    if (analyze(b, q->text, &e) != CRIBLE_OK || b->toks.n == 0 || b->toks.n > 16)
        return;
    for (size_t fi = 0; fi < b->s->opts.ndefault_fields; fi++) {
        int f = qs_field(b->s, b->s->opts.default_fields[fi]);
        if (f < 0 || b->s->fields[f].kind != CRIBLE_FIELD_TEXT)
            continue;
        for (size_t i = 0; i < b->toks.n && !failed(b); i++) {
            const char *stem = b->toks.t[i].stem;
            long t = add_term(b, f, stem, strlen(stem), false, wi, false);
            if (t < 0)
                continue;
            qterm *qt = &b->p->terms[t];
            qt->hl_only = true;
            if (b->toks.n > 1 && qt->phrase < 0) {
                qt->phrase = (int)b->p->nphrases;
                qt->slot = (uint16_t)i;
                qt->nslots = (uint16_t)b->toks.n;
            }
        }
        b->p->nphrases++;
    }
}

static pnode *compile_word(builder *b, const crible_qnode *q, bool in_and)
{
    int fields[8];
    size_t nf = node_fields(b, q, fields, 8);
    if (failed(b))
        return NULL;
    if (nf == 0)
        return pnode_new(b, PL_NONE);
    qfield *f0 = &b->s->fields[fields[0]];
    if (q->field && f0->kind == CRIBLE_FIELD_NUMERIC) /* rating:4, date:2020 */
        return compile_range(b, q, fields[0], q->text, q->text, true, true);
    crible_query_word *w = word_new(b, q);
    if (!w)
        return NULL;
    uint32_t wi = (uint32_t)(w - b->p->words);
    const char *note = NULL;
    pnode *result = NULL;
    if (q->field && f0->kind == CRIBLE_FIELD_KEYWORD) {
        size_t fl;
        char *folded = crible_query_fold_case(q->text, strlen(q->text), &fl);
        if (!folded) {
            oom(b);
            return NULL;
        }
        pnode *slot = pnode_new(b, PL_SLOT);
        if (slot) {
            slot_add(b, slot, add_term(b, fields[0], folded, fl, false, wi, false));
            bool fold = b->s->opts.accent_variants;
            crible_fuzzy_options fo = {q->flags & CRIBLE_QF_FUZZY ? q->fuzzy : 0, fold,
                                       (q->flags & CRIBLE_QF_PREFIX) != 0, 0};
            if (fold || (q->flags & (CRIBLE_QF_PREFIX | CRIBLE_QF_FUZZY))) {
                strset ss = {.limit = b->s->opts.max_expansions};
                walk_dicts(b, fields[0], false, folded, fl, &fo, &ss);
                for (size_t i = 0; i < ss.n && !failed(b); i++)
                    slot_add(b, slot, add_term(b, fields[0], ss.v[i], ss.len[i], false, wi, false));
                strset_free(&ss);
            }
        }
        free(folded);
        result = slot_or_none(b, slot);
        if (!(q->flags & (CRIBLE_QF_PREFIX | CRIBLE_QF_FUZZY)))
            highlight_terms(b, q, wi);
    } else if (q->field && f0->kind != CRIBLE_FIELD_TEXT) {
        set_fail(b, CRIBLE_EDATA, q->pos, "search the text field itself: text:word",
                 "field '%s' cannot be searched directly", q->field);
        return NULL;
    } else {
        crible_error e;
        crible_status st = analyze(b, q->text, &e);
        if (st != CRIBLE_OK) {
            set_fail(b, st == CRIBLE_EDATA ? CRIBLE_EDATA : st, q->pos, NULL, "%s", e.message);
            return NULL;
        }
        if (b->toks.n == 0) {
            word_finish(b, wi, "no word to search (punctuation only)");
            return NULL; /* dropped */
        }
        /* A bare word's leading elisions go, as Lucene's ElisionFilter does:
         * l'enfer searches enfer (the snippet still shows "l'enfer"); in
         * quotes, "l'enfer" stays a phrase. */
        bool elided = false;
        if (q->kind == CRIBLE_Q_WORD && !(q->flags & CRIBLE_QF_EXACT))
            while (b->toks.n > 1 && b->toks.t[0].stop && is_elision_norm(b->toks.t[0].norm)) {
                free(b->toks.t[0].norm);
                free(b->toks.t[0].stem);
                memmove(b->toks.t, b->toks.t + 1, (b->toks.n - 1) * sizeof *b->toks.t);
                b->toks.n--;
                elided = true;
            }
        bool weak = q->kind == CRIBLE_Q_WORD && b->toks.n == 1 && b->toks.t[0].stop &&
                    !(q->flags & (CRIBLE_QF_EXACT | CRIBLE_QF_PREFIX | CRIBLE_QF_FUZZY));
        pnode *parts[8];
        for (size_t i = 0; i < nf; i++)
            parts[i] = failed(b) ? NULL : text_phrase(b, q, fields[i], wi, weak);
        if (failed(b)) {
            for (size_t i = 0; i < nf; i++)
                pnode_free(parts[i]);
            return NULL;
        }
        result = or_of(b, parts, nf);
        if (weak && in_and && b->s->opts.stop_optional)
            note = "stop word: optional, it only ranks";
        else if (b->toks.n > 1)
            note = "several words: a phrase";
        else if (elided)
            note = "elision dropped";
        else if (q->flags & CRIBLE_QF_PREFIX)
            note = "prefix over the dictionary";
        else if (q->flags & CRIBLE_QF_FUZZY)
            note = q->fuzzy == 1 ? "fuzzy: edit distance 1" : "fuzzy: edit distance 2";
        else if (q->flags & CRIBLE_QF_EXACT)
            note = "exact form, not stemmed";
    }
    if (!failed(b))
        word_finish(b, wi, note);
    return result;
}

static bool is_weak_word(builder *b, const crible_qnode *q)
{
    if (q->kind != CRIBLE_Q_WORD || q->field || q->flags)
        return false;
    crible_error e;
    if (analyze(b, q->text, &e) != CRIBLE_OK)
        return false;
    return b->toks.n == 1 && b->toks.t[0].stop;
}

static pnode *compile(builder *b, const crible_qnode *q, bool in_and);

static pnode *compile_near(builder *b, const crible_qnode *q)
{
    int fields[8];
    size_t nf = 0;
    /* The fields: those of the first child (its field or the defaults). */
    nf = node_fields(b, q->child[0], fields, 8);
    if (failed(b))
        return NULL;
    pnode *parts[8] = {0};
    uint32_t *wids = calloc(q->nchild, sizeof *wids);
    if (!wids) {
        oom(b);
        return NULL;
    }
    for (size_t fi = 0; fi < nf; fi++) {
        if (b->s->fields[fields[fi]].kind != CRIBLE_FIELD_TEXT)
            continue;
        pnode *nr = pnode_new(b, PL_NEAR);
        if (!nr)
            break;
        nr->field = fields[fi];
        nr->near = q->near;
        bool none = false;
        for (size_t c = 0; c < q->nchild && !failed(b); c++) {
            const crible_qnode *k = q->child[c];
            if (k->kind != CRIBLE_Q_WORD && k->kind != CRIBLE_Q_PHRASE) {
                set_fail(b, CRIBLE_EDATA, k->pos, "write words or phrases around NEAR: a NEAR/5 b",
                         "NEAR joins words and phrases only");
                break;
            }
            crible_error e;
            b->toks_of = NULL;
            if (analyze(b, k->text, &e) != CRIBLE_OK) {
                set_fail(b, e.status, k->pos, NULL, "%s", e.message);
                break;
            }
            crible_query_word *w = fi == 0 ? word_new(b, k) : NULL;
            if (w)
                wids[c] = (uint32_t)(w - b->p->words);
            uint32_t wi = wids[c];
            crible_qtokens toks = b->toks;
            b->toks = (crible_qtokens){0};
            for (size_t t = 0; t < toks.n && !failed(b); t++) {
                pnode *slot = pnode_new(b, PL_SLOT);
                if (!slot)
                    break;
                text_token_terms(b, slot, fields[fi], &toks.t[t], k, wi, false);
                if (slot->nterm == 0)
                    none = true;
                pnode_add(b, nr, slot, ROLE_REQ);
            }
            crible_qtokens_free(&b->toks);
            b->toks = toks;
            b->toks_of = NULL;
        }
        if (none || nr->nchild == 0) {
            pnode_free(nr);
            nr = pnode_new(b, PL_NONE);
        }
        parts[fi] = nr;
    }
    for (size_t c = 0; c < q->nchild && nf > 0 && !failed(b); c++)
        word_finish(b, wids[c], q->near < 0 ? "NEAR/s: same sentence" : "NEAR: within a window");
    free(wids);
    if (failed(b)) {
        for (size_t i = 0; i < nf; i++)
            pnode_free(parts[i]);
        return NULL;
    }
    return or_of(b, parts, nf);
}

static pnode *compile_bool(builder *b, const crible_qnode *q, bool in_and)
{
    (void)in_and;
    bool is_and = q->kind == CRIBLE_Q_AND;
    pnode *n = pnode_new(b, is_and ? PL_AND : PL_OR);
    if (!n)
        return NULL;
    size_t nreq = 0;
    bool none_required = false;
    for (size_t i = 0; i < q->nchild && !failed(b); i++) {
        const crible_qnode *k = q->child[i];
        uint8_t role = ROLE_REQ;
        const crible_qnode *target = k;
        if (k->kind == CRIBLE_Q_NOT) {
            role = ROLE_EXCL;
            target = k->child[0];
        } else if (is_and && b->s->opts.stop_optional && is_weak_word(b, k))
            role = ROLE_OPT;
        if (!is_and && role == ROLE_EXCL) {
            /* a OR NOT b: everything but b, or a */
            pnode *c = compile(b, k, false);
            if (c)
                pnode_add(b, n, c, ROLE_REQ);
            continue;
        }
        pnode *c = compile(b, target, is_and);
        if (!c)
            continue; /* dropped (punctuation only) */
        if (c->kind == PL_NONE) {
            if (is_and && role == ROLE_REQ)
                none_required = true;
            pnode_free(c);
            continue;
        }
        if (role == ROLE_REQ)
            nreq++;
        pnode_add(b, n, c, role);
    }
    if (failed(b)) {
        pnode_free(n);
        return NULL;
    }
    if (none_required) {
        pnode_free(n);
        return pnode_new(b, PL_NONE);
    }
    if (is_and && nreq == 0) /* only stop words: they are the query */
        for (size_t i = 0; i < n->nchild; i++)
            if (n->role[i] == ROLE_OPT)
                n->role[i] = ROLE_REQ, nreq++;
    if (is_and && nreq == 0 && n->nchild > 0) { /* only exclusions */
        pnode *all = pnode_new(b, PL_ALL);
        if (all)
            pnode_add(b, n, all, ROLE_REQ);
    }
    if (n->nchild == 0) {
        pnode_free(n);
        return NULL;
    }
    if (n->nchild == 1 && n->role[0] == ROLE_REQ) {
        pnode *c = n->child[0];
        n->nchild = 0;
        pnode_free(n);
        return c;
    }
    return n;
}

/* NAME:VALUE where NAME holds keywords and, in its numeric field NAME#,
 * numbers or dates (crible_field_table_name): a VALUE that reads as a
 * number or a date is looked for in both ("item_title:1984"). */
static pnode *compile_word_or_number(builder *b, const crible_qnode *q, bool in_and)
{
    pnode *w = compile_word(b, q, in_and);
    double v;
    int kf = q->field && q->kind == CRIBLE_Q_WORD ? qs_field(b->s, q->field) : -1;
    if (!w || failed(b) || kf < 0 || b->s->fields[kf].kind != CRIBLE_FIELD_KEYWORD || !parse_value(q->text, false, &v))
        return w;
    char num[CRIBLE_FIELD_NAME_MAX];
    crible_field_table_name(num, q->field, CRIBLE_FIELD_NUMERIC, true);
    int nf = qs_field(b->s, num);
    if (nf < 0 || b->s->fields[nf].kind != CRIBLE_FIELD_NUMERIC)
        return w;
    pnode *r = compile_range(b, q, nf, q->text, q->text, true, true);
    pnode *o = r ? pnode_new(b, PL_OR) : NULL;
    if (!o) {
        pnode_free(r);
        return w;
    }
    if (w->kind != PL_NONE)
        pnode_add(b, o, w, ROLE_REQ);
    else
        pnode_free(w);
    pnode_add(b, o, r, ROLE_REQ);
    return o;
}

static pnode *compile(builder *b, const crible_qnode *q, bool in_and)
{
    switch (q->kind) {
    case CRIBLE_Q_WORD:
    case CRIBLE_Q_PHRASE:
        return compile_word_or_number(b, q, in_and);
    case CRIBLE_Q_AND:
    case CRIBLE_Q_OR:
        return compile_bool(b, q, in_and);
    case CRIBLE_Q_NEAR:
        return compile_near(b, q);
    case CRIBLE_Q_RANGE: {
        int f = resolve_field(b, q);
        if (f < 0)
            return NULL;
        if (b->s->fields[f].kind != CRIBLE_FIELD_NUMERIC) {
            /* its numbers and dates, where the name also holds keywords */
            char num[CRIBLE_FIELD_NAME_MAX];
            crible_field_table_name(num, q->field, CRIBLE_FIELD_NUMERIC, true);
            int nf = qs_field(b->s, num);
            if (nf >= 0 && b->s->fields[nf].kind == CRIBLE_FIELD_NUMERIC)
                return compile_range(b, q, nf, q->lo, q->hi, q->lo_incl, q->hi_incl);
            set_fail(b, CRIBLE_EDATA, q->pos, "ranges apply to numbers and dates: rating, date",
                     "field '%s' is not a number or a date", q->field);
            return NULL;
        }
        return compile_range(b, q, f, q->lo, q->hi, q->lo_incl, q->hi_incl);
    }
    case CRIBLE_Q_NOT: {
        pnode *n = pnode_new(b, PL_AND);
        pnode *all = pnode_new(b, PL_ALL);
        pnode *c = compile(b, q->child[0], false);
        if (!n || !all) {
            pnode_free(n);
            pnode_free(all);
            pnode_free(c);
            return NULL;
        }
        pnode_add(b, n, all, ROLE_REQ);
        if (c && c->kind != PL_NONE)
            pnode_add(b, n, c, ROLE_EXCL);
        else
            pnode_free(c);
        return n;
    }
    }
    return NULL;
}

crible_status plan_build(crible_searcher *s, const char *query, plan **out,
                         crible_query_syntax *syntax, crible_error *err)
{
    *out = NULL;
    plan *p = calloc(1, sizeof *p);
    if (!p)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_query_parse_options po = {s->opts.default_or, s->opts.near_default};
    crible_status st = crible_query_parse(query, &po, &p->tree, syntax, err);
    if (st != CRIBLE_OK) {
        free(p);
        return st;
    }
    builder b = {s, p, syntax, err, {0}, NULL, CRIBLE_OK};
    p->root = compile(&b, p->tree, false);
    crible_qtokens_free(&b.toks);
    if (failed(&b)) {
        plan_free(p);
        return b.st;
    }
    if (!p->root) {
        p->root = pnode_new(&b, PL_NONE);
        if (!p->root) {
            plan_free(p);
            return b.st;
        }
    }
    *out = p;
    return CRIBLE_OK;
}

void plan_free(plan *p)
{
    if (!p)
        return;
    pnode_free(p->root);
    for (size_t i = 0; i < p->nterms; i++) {
        free(p->terms[i].term);
        free(p->terms[i].locs);
    }
    free(p->terms);
    for (size_t i = 0; i < p->nwords; i++) {
        for (size_t j = 0; j < p->words[i].nterms; j++)
            free((char *)p->words[i].terms[j]);
        free(p->words[i].terms);
    }
    free(p->words);
    crible_qnode_free(p->tree);
    free(p);
}
