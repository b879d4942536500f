/*
 * query_facets.c - counting field values over a query's matches (see
 * query_facets.h).
 */
#include "query_facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "index_metadata.h"
#include "index_writer.h"
#include "query_internal.h"

void crible_facet_free(crible_facet *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].value);
    free(f->v);
    free(f->field);
    memset(f, 0, sizeof *f);
}

typedef struct acc {
    crible_facet_value *v;
    size_t n, cap;
} acc;

/* dedupe: the value may be there already (numbers; a later shard). */
static crible_status acc_add(acc *a, const char *value, size_t len, uint64_t count, bool dedupe,
                             crible_error *err)
{
    for (size_t i = 0; dedupe && i < a->n; i++)
        if (strlen(a->v[i].value) == len && memcmp(a->v[i].value, value, len) == 0) {
            a->v[i].count += count;
            return CRIBLE_OK;
        }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        crible_facet_value *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        a->v = v;
        a->cap = cap;
    }
    char *c = strndup(value, len);
    if (!c)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    a->v[a->n].value = c;
    a->v[a->n++].count = count;
    return CRIBLE_OK;
}

static int by_count(const void *x, const void *y)
{
    const crible_facet_value *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->value, b->value);
}

static int by_number(const void *x, const void *y)
{
    double a = atof(((const crible_facet_value *)x)->value);
    double b = atof(((const crible_facet_value *)y)->value);
    return a < b ? 1 : a > b ? -1 : 0; /* highest first: 5, 4.5, 4 ... */
}

static bool bit(const uint64_t *bits, uint32_t d)
{
    return (bits[d / 64] >> (d % 64)) & 1;
}

/* The live documents holding `term` in field number `num` of shard sh:
 * the dictionary's df, or the postings counted when the shard has deleted
 * documents (the dictionaries count them until a merge). */
static crible_status live_df(crible_searcher *s, size_t sh, int num, const char *term, size_t len,
                             uint64_t dict_df, uint64_t *df, crible_error *err)
{
    crible_index_info info;
    crible_index_get_info(s->shards[sh], &info);
    *df = dict_df;
    if (info.live_docs == info.maxdoc)
        return CRIBLE_OK;
    crible_postings *p;
    crible_status st = crible_postings_open(s->shards[sh], num, term, len, &p, err);
    if (st != CRIBLE_OK)
        return st;
    *df = 0;
    while (crible_postings_next(p) != CRIBLE_DOC_NONE)
        (*df)++;
    crible_postings_close(p);
    return CRIBLE_OK;
}

/* A value shown: its written forms, counted over the live documents of
 * every shard. */
typedef struct label {
    acc forms;                /* written forms and their documents */
    uint64_t total;           /* live documents holding the value */
    uint64_t counted;         /* those a form other than folded was met for */
    uint64_t cased[2];        /* bit k: its k-th code point (k < 94) has an upper case */
    uint64_t left;            /* documents the patterns not read yet may give it (their dfs) */
} label;

/* The places a pattern may mark in `folded` (label.cased): a document's
 * pattern marks only code points u_toupper changes (index_metadata.c),
 * so a pattern marking another place is no shown value's. */
static void cased_places(const char *folded, uint64_t cased[2])
{
    size_t i = 0, len = strlen(folded);
    cased[0] = cased[1] = 0;
    for (int32_t k = 0; i < len && k < 0x7e - 0x21 + 1; k++) {
        UChar32 c;
        U8_NEXT(folded, i, len, c);
        if (c >= 0 && u_toupper(c) != c)
            cased[k / 64] |= (uint64_t)1 << (k % 64);
    }
}

/* Which of v[0..n) the pattern t[0..tl) (index_metadata.h) may be one
 * of: bit i for value i (i < 64; past 64 values, any bit: some value). */
static uint64_t pattern_fit(const char *t, size_t tl, const label *labels, size_t n)
{
    uint64_t m[2] = {0, 0}, fits = 0;
    for (size_t j = 0; j < tl; j++) {
        int k = (unsigned char)t[j] - 0x21;
        if (k < 0 || k > 0x7e - 0x21)
            return 0;
        m[k / 64] |= (uint64_t)1 << (k % 64);
    }
    for (size_t i = 0; i < n; i++)
        if (!(m[0] & ~labels[i].cased[0]) && !(m[1] & ~labels[i].cased[1]))
            fits |= (uint64_t)1 << (i % 64);
    return fits;
}

typedef struct vdoc {         /* a live document holding shown value v */
    uint32_t doc, v;
} vdoc;

/* Sorts hits[0..start[nruns]) by document, its runs hits[start[r] ..
 * start[r + 1]) each sorted (a value's postings): merged two by two.
 * Returns hits or tmp, whichever holds the result; start is spent. */
static vdoc *merge_runs(vdoc *hits, vdoc *tmp, size_t *start, size_t nruns)
{
    size_t end = start[nruns];
    while (nruns > 1) {
        size_t m = 0;
        for (size_t r = 0; r < nruns; r += 2) {
            size_t lo = start[r], mid = start[r + 1 < nruns ? r + 1 : nruns];
            size_t hi = start[r + 2 < nruns ? r + 2 : nruns], i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                tmp[o++] = hits[j].doc < hits[i].doc ? hits[j++] : hits[i++];
            while (i < mid)
                tmp[o++] = hits[i++];
            while (j < hi)
                tmp[o++] = hits[j++];
            start[m++] = lo;
        }
        start[m] = end;
        nruns = m;
        vdoc *t = hits;
        hits = tmp;
        tmp = t;
    }
    return hits;
}

/* The first place at or after i whose document is >= d (galloping). */
static size_t gallop(const vdoc *h, size_t i, size_t n, uint32_t d)
{
    size_t lo = i, hi = i, step = 1;
    while (hi < n && h[hi].doc < d) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].doc < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The live documents of shard ix holding each value v[0..n) in field
 * number fnum, sorted by document, into *out (*nout of them; the caller
 * frees it); each value's count added to its label's total. */
static crible_status shown_docs(crible_index *ix, int fnum, const crible_facet_value *v, size_t n,
                                label *labels, vdoc **out, size_t *nout, crible_error *err)
{
    vdoc *hits = NULL, *tmp = NULL;
    size_t nh = 0, cap = 0, *start = malloc((n + 1) * sizeof *start);
    crible_status st = start ? CRIBLE_OK : crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++) {
        crible_postings *p;
        start[i] = nh;
        if ((st = crible_postings_open(ix, fnum, v[i].value, strlen(v[i].value), &p, err)) != CRIBLE_OK)
            break;
        for (uint32_t d = crible_postings_next(p); d != CRIBLE_DOC_NONE && st == CRIBLE_OK;
             d = crible_postings_next(p)) {
            if (nh == cap) {
                cap = cap ? cap * 2 : 256;
                vdoc *h = realloc(hits, cap * sizeof *h);
                if (!h) {
                    st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                    break;
                }
                hits = h;
            }
            hits[nh++] = (vdoc){d, (uint32_t)i};
        }
        crible_postings_close(p);
        labels[i].total += nh - start[i];
    }
    if (st == CRIBLE_OK && nh && !(tmp = malloc(nh * sizeof *tmp)))
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (st == CRIBLE_OK && nh) {
        start[n] = nh;
        vdoc *sorted = merge_runs(hits, tmp, start, n);
        if (sorted == tmp)
            tmp = hits;
        hits = sorted;
    }
    free(tmp);
    free(start);
    if (st != CRIBLE_OK) {
        free(hits);
        return st;
    }
    *out = hits;
    *nout = nh;
    return CRIBLE_OK;
}

/* The written forms of hits[0..nh) (a shard's) for the pattern
 * marks[1..1 + len) of "_case.FIELD" (field number cnum of shard ix;
 * marks[0] is \x1f, as ix_display_written reads it): its postings
 * intersected with the hits, the form counted for the value of each
 * document met.  cnt and touched: an entry a value, cnt all 0. */
static crible_status count_pattern(crible_index *ix, int cnum, const char *marks, size_t len,
                                   const crible_facet_value *v, label *labels, const vdoc *hits, size_t nh,
                                   uint64_t *cnt, uint32_t *touched, crible_error *err)
{
    crible_postings *p;
    crible_status st = crible_postings_open(ix, cnum, marks + 1, len, &p, err);
    if (st != CRIBLE_OK)
        return st;
    size_t h = 0, nt = 0;
    uint32_t d = crible_postings_next(p);
    while (d != CRIBLE_DOC_NONE && h < nh) {
        if (hits[h].doc < d) {
            h = gallop(hits, h, nh, d);
        } else if (hits[h].doc > d) {
            d = crible_postings_advance(p, hits[h].doc);
        } else {
            for (; h < nh && hits[h].doc == d; h++)
                if (!cnt[hits[h].v]++)
                    touched[nt++] = hits[h].v;
            d = crible_postings_next(p);
        }
    }
    crible_postings_close(p);
    for (size_t k = 0; k < nt; k++) {
        uint32_t i = touched[k];
        char written[CRIBLE_TERM_MAX * 2 + 1];
        size_t wl = ix_display_written(v[i].value, strlen(v[i].value), marks, len + 1, written, sizeof written);
        labels[i].counted += cnt[i];
        if (wl && st == CRIBLE_OK)
            st = acc_add(&labels[i].forms, written, wl, cnt[i], true, err);
        cnt[i] = 0;
    }
    return st;
}

/* The written forms of `folded` in "_display.FIELD" (field number num of
 * shard sh): its terms "FOLDED\x1fWRITTEN" and "FOLDED\x1f\x1fMARKS",
 * each counted over its live documents. */
static crible_status count_display(crible_searcher *s, size_t sh, int num, const char *folded, label *l,
                                   crible_error *err)
{
    char key[CRIBLE_TERM_MAX + 2];
    size_t klen = strlen(folded);
    if (klen + 1 > CRIBLE_TERM_MAX)
        return CRIBLE_OK;
    memcpy(key, folded, klen);
    key[klen++] = CRIBLE_INDEX_DISPLAY_SEP;
    crible_terms *it;
    crible_status st = crible_terms_open(s->shards[sh], num, &it, err);
    if (st != CRIBLE_OK)
        return st;
    crible_terms_seek(it, key, klen);
    const char *t;
    size_t tl;
    crible_term_stats ts;
    while (st == CRIBLE_OK && crible_terms_next(it, &t, &tl, &ts) && tl > klen && memcmp(t, key, klen) == 0) {
        char term[CRIBLE_TERM_MAX + 1], written[CRIBLE_TERM_MAX * 2 + 1];
        uint64_t df;
        memcpy(term, t, tl); /* t is only valid until the next call */
        st = live_df(s, sh, num, term, tl, ts.df, &df, err);
        size_t wl = ix_display_written(folded, klen - 1, term + klen, tl - klen, written, sizeof written);
        if (st == CRIBLE_OK && df && wl)
            st = acc_add(&l->forms, written, wl, df, true, err);
        l->counted += df;
    }
    crible_terms_close(it);
    return st;
}

/* A pattern of "_case.FIELD" in one shard that may be a shown value's. */
typedef struct pattern {
    size_t sh;
    uint32_t df;              /* its documents, deleted ones too */
    uint64_t fits;            /* pattern_fit */
    size_t off, len;          /* \x1f and its bytes in the pool */
} pattern;

/* What the labels of v[0..n) are counted from. */
typedef struct labelling {
    label *labels;
    uint64_t *cnt;            /* count_pattern's */
    uint32_t *touched;
    vdoc **hits;              /* per shard: the shown values' live documents */
    size_t *nh;
    pattern *pats;
    size_t npats, cap;
    char *pool;
    size_t pool_len, pool_cap;
} labelling;

static crible_status pattern_add(labelling *lb, size_t sh, const char *t, size_t tl, uint32_t df,
                                 uint64_t fits, crible_error *err)
{
    if (lb->npats == lb->cap) {
        size_t cap = lb->cap ? lb->cap * 2 : 64;
        pattern *p = realloc(lb->pats, cap * sizeof *p);
        if (!p)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        lb->pats = p;
        lb->cap = cap;
    }
    if (lb->pool_len + tl + 1 > lb->pool_cap) {
        size_t cap = (lb->pool_cap ? lb->pool_cap * 2 : 4096) + tl + 1;
        char *p = realloc(lb->pool, cap);
        if (!p)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        lb->pool = p;
        lb->pool_cap = cap;
    }
    lb->pats[lb->npats++] = (pattern){sh, df, fits, lb->pool_len, tl};
    lb->pool[lb->pool_len] = CRIBLE_INDEX_DISPLAY_SEP;
    memcpy(lb->pool + lb->pool_len + 1, t, tl);
    lb->pool_len += tl + 1;
    return CRIBLE_OK;
}

/* One shard's share of the labels of v[0..n), values of field f: their
 * live documents, their display terms, and the patterns (field c) that
 * may be theirs, to be read later (label_patterns). */
static crible_status count_shard(crible_searcher *s, size_t sh, int f, int g, int c, const crible_facet_value *v,
                                 size_t n, labelling *lb, crible_error *err)
{
    crible_index *ix = s->shards[sh];
    int fnum = s->fields[f].num[sh], dnum = g >= 0 ? s->fields[g].num[sh] : -1;
    int cnum = c >= 0 ? s->fields[c].num[sh] : -1;
    crible_status st = CRIBLE_OK;
    if (fnum < 0)
        return CRIBLE_OK;
    if (cnum >= 0) {
        st = shown_docs(ix, fnum, v, n, lb->labels, &lb->hits[sh], &lb->nh[sh], err);
        crible_terms *it;
        if (st == CRIBLE_OK && lb->nh[sh] && (st = crible_terms_open(ix, cnum, &it, err)) == CRIBLE_OK) {
            const char *t;
            size_t tl;
            crible_term_stats ts;
            while (st == CRIBLE_OK && crible_terms_next(it, &t, &tl, &ts)) {
                uint64_t fits = tl <= CRIBLE_TERM_MAX ? pattern_fit(t, tl, lb->labels, n) : 0;
                if (fits) /* else no shown value's: its postings are not read */
                    st = pattern_add(lb, sh, t, tl, ts.df, fits, err);
            }
            crible_terms_close(it);
        }
    } else {
        for (size_t i = 0; i < n && st == CRIBLE_OK; i++) {
            crible_term_stats fs;
            uint64_t df;
            if (!crible_index_term(ix, fnum, v[i].value, strlen(v[i].value), &fs))
                continue;
            st = live_df(s, sh, fnum, v[i].value, strlen(v[i].value), fs.df, &df, err);
            lb->labels[i].total += df;
        }
    }
    for (size_t i = 0; i < n && st == CRIBLE_OK && dnum >= 0; i++)
        st = count_display(s, sh, dnum, v[i].value, &lb->labels[i], err);
    return st;
}

static int by_df(const void *x, const void *y)
{
    const pattern *a = x, *b = y;
    if (a->df != b->df)
        return a->df < b->df ? 1 : -1;
    return a->sh != b->sh ? (a->sh < b->sh ? -1 : 1) : (a->off < b->off ? -1 : 1);
}

/* by_count's order: count a of form as before count b of form bs. */
static bool beats(uint64_t a, const char *as, uint64_t b, const char *bs)
{
    return a > b || (a == b && strcmp(as, bs) < 0);
}

/* Whether the label of `folded` is settled: whatever the patterns not
 * read yet give (at most x = min(its documents no form was met for yet,
 * their dfs that may be its), all to one form, the worst case), the form
 * label_best would pick stays. */
static bool settled(const label *l, const char *folded)
{
    uint64_t rem = l->total > l->counted ? l->total - l->counted : 0;
    uint64_t x = rem < l->left ? rem : l->left;
    if (!x)
        return true;
    const crible_facet_value *w = NULL, *f = l->forms.v;
    for (size_t k = 0; k < l->forms.n; k++)
        if (!w || beats(f[k].count, f[k].value, w->count, w->value))
            w = &f[k];
    bool folded_wins = !w || beats(rem, folded, w->count, w->value);
    uint64_t wc = folded_wins ? rem - x : w->count; /* folded can only lose documents */
    const char *ws = folded_wins ? folded : w->value;
    if (wc <= x) /* a form not met yet could get x */
        return false;
    for (size_t k = 0; k < l->forms.n; k++)
        if ((folded_wins || &f[k] != w) && !beats(wc, ws, f[k].count + x, f[k].value))
            return false;
    return true;
}

/* The patterns gathered, most documents first, each intersected with its
 * shard's hits, until every label is settled (with 64 values or fewer;
 * else all of them). */
static crible_status label_patterns(crible_searcher *s, int c, const crible_facet_value *v, size_t n,
                                    labelling *lb, crible_error *err)
{
    bool early = n <= 64;
    for (size_t k = 0; early && k < lb->npats; k++)
        for (size_t i = 0; i < n; i++)
            if (lb->pats[k].fits >> i & 1)
                lb->labels[i].left += lb->pats[k].df;
    if (lb->npats > 1)
        qsort(lb->pats, lb->npats, sizeof *lb->pats, by_df);
    crible_status st = CRIBLE_OK;
    for (size_t k = 0; k < lb->npats && st == CRIBLE_OK; k++) {
        size_t i = 0;
        while (early && i < n && settled(&lb->labels[i], v[i].value))
            i++;
        if (early && i == n)
            break;
        const pattern *p = &lb->pats[k];
        st = count_pattern(s->shards[p->sh], s->fields[c].num[p->sh], lb->pool + p->off, p->len, v, lb->labels,
                           lb->hits[p->sh], lb->nh[p->sh], lb->cnt, lb->touched, err);
        for (i = 0; early && i < n; i++)
            if (p->fits >> i & 1)
                lb->labels[i].left -= p->df;
    }
    return st;
}

/* The form written most often into *best (NULL when none; the caller
 * frees it), ties in byte order: the folded form counts for the documents
 * no other form was met for. */
static crible_status label_best(label *l, const char *folded, char **best, crible_error *err)
{
    *best = NULL;
    if (l->total > l->counted) { /* written folded */
        crible_status st = acc_add(&l->forms, folded, strlen(folded), l->total - l->counted, true, err);
        if (st != CRIBLE_OK)
            return st;
    }
    if (l->forms.n) {
        qsort(l->forms.v, l->forms.n, sizeof *l->forms.v, by_count);
        *best = l->forms.v[0].value;
        l->forms.v[0].value = NULL;
    }
    return CRIBLE_OK;
}

/* A metadata value as one of its documents wrote it: the member `field` of
 * the stored JSON of the first document holding the folded term (a string,
 * or a string of an array, that folds to it); NULL if there is none. */
static char *stored_form(crible_searcher *s, const char *field, const char *folded,
                         crible_error *err)
{
    int f = qs_field(s, field);
    size_t flen = strlen(folded);
    char *found = NULL;
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    for (size_t sh = 0; f >= 0 && sh < s->nshards && !found; sh++) {
        int num = s->fields[f].num[sh];
        crible_postings *p;
        if (num < 0 || crible_postings_open(s->shards[sh], num, folded, flen, &p, err) != CRIBLE_OK)
            continue;
        uint32_t d = crible_postings_next(p);
        crible_postings_close(p);
        if (d == CRIBLE_DOC_NONE || crible_index_doc(s->shards[sh], d, &doc, err) != CRIBLE_OK)
            continue;
        json_t *root = json_loadb(doc.json, doc.json_len, 0, NULL);
        json_t *m = root ? json_object_get(root, field) : NULL;
        size_t n = json_is_array(m) ? json_array_size(m) : 1;
        for (size_t i = 0; i < n && m && !found; i++) {
            json_t *v = json_is_array(m) ? json_array_get(m, i) : m;
            char buf[CRIBLE_TERM_MAX * 3 + 1];
            if (json_is_string(v) && crible_index_fold(json_string_value(v), buf, sizeof buf) &&
                !strcmp(buf, folded))
                found = strdup(json_string_value(v));
        }
        json_decref(root);
    }
    crible_stored_doc_free(&doc);
    return found;
}

/* Replaces each value of v[0..n) (folded) by the form it was written in
 * most often over the live documents of every shard, ties in byte order
 * (query_facets.h): its documents' patterns in "_case.FIELD" (only the
 * shown values' documents are met), its terms in "_display.FIELD", and
 * folded for the rest of its documents.  An index with neither field for
 * `field` (written before metadata had them, or where folding never
 * changed a value of it) shows the stored form. */
static crible_status facet_labels(crible_searcher *s, const char *field, int f, crible_facet_value *v, size_t n,
                                  crible_error *err)
{
    char dname[300], cname[300];
    if (snprintf(dname, sizeof dname, "%s%s", CRIBLE_INDEX_DISPLAY_PREFIX, field) >= (int)sizeof dname ||
        snprintf(cname, sizeof cname, "%s%s", CRIBLE_INDEX_CASE_PREFIX, field) >= (int)sizeof cname)
        return CRIBLE_OK;
    int g = qs_field(s, dname), c = qs_field(s, cname);
    crible_status st = CRIBLE_OK;
    if (g < 0 && c < 0) {
        for (size_t i = 0; i < n; i++) {
            char *shown = stored_form(s, field, v[i].value, err);
            if (shown) {
                free(v[i].value);
                v[i].value = shown;
            }
        }
        return CRIBLE_OK;
    }
    labelling lb = {0};
    lb.labels = calloc(n, sizeof *lb.labels);
    lb.cnt = calloc(n, sizeof *lb.cnt);
    lb.touched = malloc(n * sizeof *lb.touched);
    lb.hits = calloc(s->nshards, sizeof *lb.hits);
    lb.nh = calloc(s->nshards, sizeof *lb.nh);
    if (!lb.labels || !lb.cnt || !lb.touched || !lb.hits || !lb.nh)
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t i = 0; st == CRIBLE_OK && i < n; i++)
        cased_places(v[i].value, lb.labels[i].cased);
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++)
        st = count_shard(s, sh, f, g, c, v, n, &lb, err);
    if (st == CRIBLE_OK && lb.npats)
        st = label_patterns(s, c, v, n, &lb, err);
    for (size_t i = 0; lb.labels && i < n; i++) {
        char *shown = NULL;
        if (st == CRIBLE_OK)
            st = label_best(&lb.labels[i], v[i].value, &shown, err);
        if (shown) {
            free(v[i].value);
            v[i].value = shown;
        }
        for (size_t k = 0; k < lb.labels[i].forms.n; k++)
            free(lb.labels[i].forms.v[k].value);
        free(lb.labels[i].forms.v);
    }
    for (size_t sh = 0; lb.hits && sh < s->nshards; sh++)
        free(lb.hits[sh]);
    free(lb.labels);
    free(lb.cnt);
    free(lb.touched);
    free(lb.hits);
    free(lb.nh);
    free(lb.pats);
    free(lb.pool);
    return st;
}

crible_status crible_facet_compute(crible_searcher *s, const crible_results *r,
                                   const char *field, size_t top, crible_facet *out,
                                   crible_error *err)
{
    memset(out, 0, sizeof *out);
    int f = qs_field(s, field);
    if (f < 0 || s->fields[f].kind == CRIBLE_FIELD_TEXT) {
        char list[512];
        size_t len = 0;
        list[0] = '\0';
        for (size_t i = 0; i < s->nfields && len < sizeof list; i++)
            if (s->fields[i].kind != CRIBLE_FIELD_TEXT && s->fields[i].name[0] != '_')
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                        s->fields[i].name);
        return crible_error_set(err, CRIBLE_EDATA, f < 0 ? "unknown facet field '%s' (fields: %s)"
                                                         : "'%s' is a text field, not a facet "
                                                           "(fields: %s)",
                                field, list);
    }
    if (!r->matches)
        return crible_error_set(err, CRIBLE_EINTERNAL, "facets need the matching documents");
    qfield *qf = &s->fields[f];
    out->field = strdup(field);
    out->numeric = qf->kind == CRIBLE_FIELD_NUMERIC;
    if (!out->field)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    acc a = {0};
    crible_status st = CRIBLE_OK;
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++) {
        int num = qf->num[sh];
        const uint64_t *bits = r->matches[sh];
        if (num < 0 || !bits)
            continue;
        crible_index *ix = s->shards[sh];
        crible_index_info info;
        crible_index_get_info(ix, &info);
        if (out->numeric) {
            for (uint32_t d = 0; d < info.maxdoc && st == CRIBLE_OK; d++) {
                double v;
                if (!bit(bits, d) || !crible_index_numeric(ix, num, d, &v))
                    continue;
                char buf[64];
                int n = snprintf(buf, sizeof buf, "%.15g", v);
                st = acc_add(&a, buf, (size_t)n, 1, true, err);
            }
            continue;
        }
        crible_terms *it;
        st = crible_terms_open(ix, num, &it, err);
        if (st != CRIBLE_OK)
            break;
        const char *t;
        size_t tl;
        while (st == CRIBLE_OK && crible_terms_next(it, &t, &tl, NULL)) {
            char term[CRIBLE_TERM_MAX + 1];
            if (tl > CRIBLE_TERM_MAX)
                tl = CRIBLE_TERM_MAX;
            memcpy(term, t, tl); /* t is only valid until the next call */
            crible_postings *p;
            st = crible_postings_open(ix, num, term, tl, &p, err);
            if (st != CRIBLE_OK)
                break;
            uint64_t c = 0;
            for (uint32_t d = crible_postings_next(p); d != CRIBLE_DOC_NONE;
                 d = crible_postings_next(p))
                c += bit(bits, d);
            crible_postings_close(p);
            if (c)
                st = acc_add(&a, term, tl, c, sh > 0, err);
        }
        crible_terms_close(it);
    }
    if (st != CRIBLE_OK) {
        for (size_t i = 0; i < a.n; i++)
            free(a.v[i].value);
        free(a.v);
        crible_facet_free(out);
        return st;
    }
    out->distinct = a.n;
    if (a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, by_count);
    if (top && a.n > top) {
        for (size_t i = top; i < a.n; i++)
            free(a.v[i].value);
        a.n = top;
    }
    if (out->numeric && a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, by_number);
    if (!out->numeric && a.n && (st = facet_labels(s, field, f, a.v, a.n, err)) != CRIBLE_OK) {
        for (size_t i = 0; i < a.n; i++)
            free(a.v[i].value);
        free(a.v);
        crible_facet_free(out);
        return st;
    }
    out->v = a.v;
    out->n = a.n;
    return CRIBLE_OK;
}
