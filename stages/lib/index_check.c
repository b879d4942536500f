/*
 * index_check.c - `crible-index check`: verifies, without trusting it, every
 * checksum and structural invariant of an index (layout: index_format.c):
 * the MANIFEST, each segment's footer, TOC and every section's CRC, every
 * stored block (CRC, decompression, records), every term dictionary (terms
 * strictly increasing, counts), every term's postings (documents increasing
 * and in range, df, cf, max tf, skip data, positions increasing and within
 * the document's length), the length and value tables, the tombstones.
 * Each problem is reported with its place; the check goes on after one.
 */
#include "index_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct checker {
    void (*report)(void *, const char *);
    void *ctx;
    unsigned long problems;
} checker;

__attribute__((format(printf, 2, 3))) static void problem(checker *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->problems++;
    if (c->report && c->problems <= 1000) c->report(c->ctx, msg);
}

static void check_stored(checker *c, const ix_segment *s)
{
    ix_buf buf = {0};
    uint32_t expect = 0, cblock = 0;
    const void *cseg = NULL;
    for (uint32_t b = 0; b < s->nstblocks; b++) {
        const uint8_t *e = s->stidx.p + 4 + 24 * (size_t)b;
        uint32_t first = ix_get32(e), ndocs = ix_get32(e + 4);
        if (first != expect || ndocs == 0) {
            problem(c, "%s: stored block %u starts at document %u, expected %u", s->name, b, first, expect);
            break;
        }
        crible_error err;
        for (uint32_t d = first; d < first + ndocs && d < s->maxdoc; d++) {
            const uint8_t *rec;
            size_t len;
            if (ix_stored_block(s, d, &buf, &cseg, &cblock, &rec, &len, &err)) {
                problem(c, "%s", err.message);
                break;
            }
            if (d == first + ndocs - 1 && rec + len != buf.data + buf.len)
                problem(c, "%s: stored block %u has bytes after its last record", s->name, b);
        }
        expect = first + ndocs;
    }
    if (expect != s->maxdoc)
        problem(c, "%s: %u stored documents, the segment has %u", s->name, expect, s->maxdoc);
    ix_buf_free(&buf);
}

/* Version 4's layout of one term, checked during the one walk of its
 * postings: the positions' blocks and last values fill the term's bytes
 * exactly (checked before the walk), and each skip entry says where its
 * block starts, its largest tf, a length no larger than its documents'
 * and where its positions start (their block, its offset, the index in
 * it). */
typedef struct layout {
    bool on, skips, positions, ok;
    uint64_t *offs;           /* where each positions block starts */
    uint64_t cum;             /* positions before the current document */
    uint32_t n, b, max_tf, min_len, last;
    ix_skipinfo e;
    const ix_segfield *lf;    /* the field's own lengths, if it has them */
} layout;

static void report_term(checker *c, const ix_segment *s, const ix_segfield *f, const ix_term *t, const char *what)
{
    problem(c, "%s: %s:%.*s: %s", s->name, f->name, (int)t->len, (const char *)t->bytes, what);
}

/* False (reported) when the blocks themselves are damaged: the walk is
 * then not made. */
static bool layout_open(checker *c, const ix_segment *s, const ix_segfield *f, const ix_term *t, ix_pcur *p,
                        layout *l)
{
    *l = (layout){.on = s->version >= 4, .ok = true, .min_len = UINT32_MAX};
    if (!l->on) return true;
    if (!ix_pcur_blocks_valid(p)) {
        report_term(c, s, f, t, "damaged postings block");
        return false;
    }
    ix_pcur_init(p, s, f, t, false);
    /* without a POS section (reported by check_field) the walk reports
     * each document's missing positions */
    l->positions = (f->flags & IX_FIELD_POSITIONS) && f->pos.present;
    if (l->positions) {
        l->offs = malloc((t->cf / IX_BLOCK + 1) * sizeof *l->offs);
        if (!l->offs) {   /* a count no segment can have: a damaged dictionary */
            problem(c, "%s: %s:%.*s: %llu positions claimed, more than can be checked", s->name, f->name,
                    (int)t->len, (const char *)t->bytes, (unsigned long long)t->cf);
            return false;
        }
        if (ix_pcur_pos_walk(p, l->offs) != t->pos_len) {
            report_term(c, s, f, t, "damaged positions");
            free(l->offs);
            return false;
        }
    }
    l->lf = f->len.present ? f : NULL;
    l->skips = ix_pcur_skip(p, 0, &l->e);
    return true;
}

static void layout_doc(layout *l, const ix_pcur *p, const ix_term *t, uint32_t d, uint32_t tf)
{
    if (!l->on || !l->ok) return;
    uint32_t len = l->lf ? ix_wtable_get(l->lf->len.p, d) : 0;
    if (l->skips && l->n % IX_BLOCK == 0) {   /* block b starts */
        uint64_t cum = l->cum;
        l->ok = ix_pcur_skip(p, l->b, &l->e) &&
                (!l->positions || (l->e.block == cum / IX_BLOCK && l->e.upto == cum % IX_BLOCK &&
                                   l->e.pos_off == l->offs[cum / IX_BLOCK]));
        l->max_tf = 0;
        l->min_len = UINT32_MAX;
    }
    l->max_tf = tf > l->max_tf ? tf : l->max_tf;
    l->min_len = len < l->min_len ? len : l->min_len;
    l->last = d;
    l->cum += tf;
    l->n++;
    if (l->skips && (l->n % IX_BLOCK == 0 || l->n == t->df)) {   /* block b ends */
        l->ok = l->ok && l->e.last == l->last && l->e.max_tf == l->max_tf && l->e.min_len <= l->min_len;
        l->b++;
    }
}

/* False (reported) when a skip entry disagrees with the walk. */
static bool layout_close(checker *c, const ix_segment *s, const ix_segfield *f, const ix_term *t, layout *l)
{
    free(l->offs);
    if (!l->on || l->ok) return true;
    problem(c, "%s: %s:%.*s: bad skip entry %u", s->name, f->name, (int)t->len, (const char *)t->bytes, l->b);
    return false;
}

/* One walk of a term's postings: documents increasing, positions
 * increasing and within the document's length, the layout above, and the
 * dictionary's df, cf and max tf against what the walk counted. */
static void check_postings(checker *c, const ix_segment *s, const ix_segfield *f, const ix_term *t,
                           uint32_t **pos, size_t *cap, uint64_t *pos_total)
{
    ix_pcur p;
    layout l;
    ix_pcur_init(&p, s, f, t, false);
    if (!layout_open(c, s, f, t, &p, &l)) return;
    uint32_t n = 0, max_tf = 0;
    uint64_t cf = 0;
    int64_t prev = -1;
    const ix_segfield *lf = f->kind == CRIBLE_FIELD_EXACT && f->link >= 0 ? &s->fields[f->link] : f;
    for (uint32_t d; (d = ix_pcur_next(&p)) != CRIBLE_DOC_NONE;) {
        uint32_t tf = ix_pcur_tf(&p);
        if ((int64_t)d <= prev) {
            report_term(c, s, f, t, "documents out of order");
            free(l.offs);
            return;
        }
        prev = d;
        n++;
        cf += tf;
        if (tf > max_tf) max_tf = tf;
        layout_doc(&l, &p, t, d, tf);
        if (f->flags & IX_FIELD_POSITIONS) {
            if (tf > *cap) {
                uint32_t *np = realloc(*pos, (size_t)tf * sizeof *np);
                if (!np) {   /* a tf no document can have */
                    report_term(c, s, f, t, "a term frequency too large to check");
                    free(l.offs);
                    return;
                }
                *pos = np;
                *cap = tf;
            }
            uint32_t got = ix_pcur_positions(&p, *pos, tf);
            if (p.bad) break;   /* reported below */
            if (got != tf) {   /* short: no POS section, or its bytes end first */
                problem(c, "%s: %s:%.*s: document %u has %u of its %u positions", s->name, f->name, (int)t->len,
                        (const char *)t->bytes, d, got, tf);
                free(l.offs);
                return;
            }
            *pos_total += tf;
            uint32_t len = lf->len.present ? ix_wtable_get(lf->len.p, d) : UINT32_MAX;
            for (uint32_t k = 0; k < tf; k++) {
                if ((k && (*pos)[k] <= (*pos)[k - 1]) || (*pos)[k] >= len) {
                    problem(c, "%s: %s:%.*s: bad position %u in document %u", s->name, f->name, (int)t->len,
                            (const char *)t->bytes, (*pos)[k], d);
                    free(l.offs);
                    return;
                }
            }
        }
    }
    if (p.bad) {
        report_term(c, s, f, t, "damaged postings");
        free(l.offs);
        return;
    }
    if (!layout_close(c, s, f, t, &l)) return;
    if (n != t->df || cf != t->cf || max_tf != t->max_tf)
        problem(c, "%s: %s:%.*s: postings hold %u documents (%llu occurrences, max tf %u), the dictionary "
                "says %u (%llu, %u)", s->name, f->name, (int)t->len, (const char *)t->bytes, n,
                (unsigned long long)cf, max_tf, t->df, (unsigned long long)t->cf, t->max_tf);
}

/* NUMS in runs: values increasing, each run's documents increasing, with
 * that value, as many as the ranks say, all the documents with a value. */
static void check_runs(checker *c, const ix_segment *s, const ix_segfield *f)
{
    uint32_t nruns = ix_get32(f->nums.p + 5), np = ix_get32(f->nums.p), total = 0;
    double pv = 0;
    for (uint32_t r = 0; r < nruns; r++) {
        double rv, v;
        uint32_t rank;
        const uint8_t *p, *end;
        if (!ix_nums_run(f, r, &rv, &rank, &p, &end) || (r && !(rv > pv)) || rank != total) {
            problem(c, "%s: field %s: sorted value runs wrong at run %u", s->name, f->name, r);
            return;
        }
        int64_t d = -1;
        uint64_t gap;
        while (p < end) {
            if (!ix_varint_get(&p, end, &gap) || gap >= s->maxdoc || (d += (int64_t)gap + 1) >= s->maxdoc ||
                !ix_num_value(f, s->maxdoc, (uint32_t)d, &v) || v != rv) {
                problem(c, "%s: field %s: sorted value runs wrong at run %u", s->name, f->name, r);
                return;
            }
            total++;
        }
        pv = rv;
    }
    if (total != np) problem(c, "%s: field %s: %u sorted values in runs, %u counted", s->name, f->name, total, np);
}

/* An exact term: each (stem, variant) pair's stem is in the linked field
 * with that variant, in stem order; its df is at most its stems' (a
 * document holding the norm holds one of them), its cf too. */
static void check_exact(checker *c, const ix_segment *s, const ix_segfield *f, const ix_term *t)
{
    const char *tf = f->link >= 0 ? s->fields[f->link].name : "?";
    ix_pairit pi;
    uint8_t stem[CRIBLE_TERM_MAX + 1], prev[CRIBLE_TERM_MAX + 1];
    size_t sl, prev_len = 0;
    uint32_t v, k = 0;
    uint64_t df = 0, cf = 0;
    ix_pairs_init(&pi, f->version, t);
    while (ix_pairs_next(&pi, stem, &sl, &v)) {
        ix_term st;
        if (f->link < 0 || !ix_dict_lookup(&s->fields[f->link], stem, sl, &st) ||
            (st.vbits ? v >> st.vbits : v)) {
            problem(c, "%s: %s:%.*s: its stem %.*s is not in field %s, or not with variant %u", s->name, f->name,
                    (int)t->len, (const char *)t->bytes, (int)sl, (const char *)stem, tf, v);
            return;
        }
        if (k++ && ix_term_order(prev, prev_len, stem, sl) >= 0)
            problem(c, "%s: %s:%.*s: its stems are out of order at %.*s", s->name, f->name, (int)t->len,
                    (const char *)t->bytes, (int)sl, (const char *)stem);
        memcpy(prev, stem, sl);
        prev_len = sl;
        df += st.df;
        cf += st.cf;
    }
    if (pi.bad) problem(c, "%s: %s:%.*s: damaged stems", s->name, f->name, (int)t->len, (const char *)t->bytes);
    else if (t->df > df || t->cf > cf)
        problem(c, "%s: %s:%.*s: in %u documents (%llu times), more than its %u stems together (%llu, %llu)",
                s->name, f->name, (int)t->len, (const char *)t->bytes, t->df, (unsigned long long)t->cf, k,
                (unsigned long long)df, (unsigned long long)cf);
}

static void check_field(checker *c, const ix_segment *s, const ix_segfield *f)
{
    ix_dictit it;
    ix_dictit_init(&it, f);
    uint32_t n = 0;
    uint8_t prev[CRIBLE_TERM_MAX + 1];
    size_t prev_len = 0;
    uint32_t *pos = NULL;
    size_t cap = 0;
    uint64_t pos_total = 0, post_end = 0, pos_end = 0;
    while (ix_dictit_next(&it)) {
        if (n > 0) {
            int cmp = memcmp(prev, it.t.bytes, prev_len < it.t.len ? prev_len : it.t.len);
            if (cmp > 0 || (cmp == 0 && prev_len >= it.t.len))
                problem(c, "%s: field %s: terms out of order at term %u", s->name, f->name, n);
        }
        if (it.t.post_off != post_end || it.t.pos_off != pos_end)
            problem(c, "%s: field %s: term %u does not follow the one before it", s->name, f->name, n);
        post_end = it.t.post_off + it.t.post_len;
        pos_end = it.t.pos_off + it.t.pos_len;
        memcpy(prev, it.t.bytes, it.t.len);
        prev_len = it.t.len;
        if (f->kind == CRIBLE_FIELD_EXACT) {
            check_exact(c, s, f, &it.t);
        } else {
            check_postings(c, s, f, &it.t, &pos, &cap, &pos_total);
        }
        n++;
    }
    free(pos);
    if (it.bad) problem(c, "%s: field %s: damaged term dictionary after term %u", s->name, f->name, n);
    else if (n != f->dict_nterms || n != f->nterms)
        problem(c, "%s: field %s: %u terms, the headers say %u and %llu", s->name, f->name, n,
                f->dict_nterms, (unsigned long long)f->nterms);
    if ((f->flags & IX_FIELD_POSITIONS) && f->kind != CRIBLE_FIELD_EXACT && !f->pos.present)
        problem(c, "%s: field %s: has positions but no positions section", s->name, f->name);
    if (!it.bad && (post_end != f->post.n || pos_end != f->pos.n))
        problem(c, "%s: field %s: postings sections have bytes no term uses", s->name, f->name);
    if (f->kind == CRIBLE_FIELD_TEXT) {
        if (!f->len.present || !f->sent.present) {
            problem(c, "%s: field %s: no length or sentence table", s->name, f->name);
            return;
        }
        uint64_t sum = 0;
        for (uint32_t d = 0; d < s->maxdoc; d++) sum += ix_wtable_get(f->len.p, d);
        if (sum != f->sum_length)
            problem(c, "%s: field %s: lengths add up to %llu, META says %llu", s->name, f->name,
                    (unsigned long long)sum, (unsigned long long)f->sum_length);
        size_t table = ix_wtable_bytes(f->sent.p, f->sent.n, s->maxdoc + 1);
        for (uint32_t d = 0; d < s->maxdoc; d++) {
            uint32_t a = ix_wtable_get(f->sent.p, d), b = ix_wtable_get(f->sent.p, d + 1);
            if (a > b || b > f->sent.n - table) {
                problem(c, "%s: field %s: bad sentence table at document %u", s->name, f->name, d);
                break;
            }
        }
    }
    if (f->kind == CRIBLE_FIELD_NUMERIC) {
        if (!f->numv.present || !f->nums.present) {
            problem(c, "%s: field %s: no value tables", s->name, f->name);
            return;
        }
        const uint8_t *nv = f->numv.p;
        if (nv[0] == 2) {   /* sparse: the documents with a value, increasing */
            uint32_t count = ix_get32(nv + 14);
            for (uint32_t i = 0; i < count; i++) {
                uint32_t d = ix_wtable_get(nv + 18, i);
                if (d >= s->maxdoc || (i && d <= ix_wtable_get(nv + 18, i - 1))) {
                    problem(c, "%s: field %s: sparse values' documents wrong at entry %u", s->name, f->name, i);
                    break;
                }
            }
        }
        uint32_t np = ix_get32(f->nums.p), have = 0;
        double pv = 0, v;
        for (uint32_t d = 0; d < s->maxdoc; d++) have += ix_num_value(f, s->maxdoc, d, &v);
        if (have != np) problem(c, "%s: field %s: %u values, %u sorted", s->name, f->name, have, np);
        if (f->nums.p[4] == IX_NUMS_RUNS && s->version >= 3) {
            check_runs(c, s, f);
            return;
        }
        for (uint32_t i = 0; i < np; i++) {
            uint32_t d = ix_wtable_get(f->nums.p + 4, i);
            if (d >= s->maxdoc || !ix_num_value(f, s->maxdoc, d, &v) || (i && v < pv)) {
                problem(c, "%s: field %s: sorted values wrong at entry %u", s->name, f->name, i);
                break;
            }
            pv = v;
        }
    }
}

static void check_segment(checker *c, const char *dir, const ix_seginfo *info)
{
    ix_segment s;
    crible_error err;
    if (ix_segment_open(dir, info, true, &s, &err)) {
        problem(c, "%s", err.message);
        return;
    }
    for (uint32_t i = 0; i < s.ntoc; i++)
        if (ix_crc32c(0, s.toc[i].p, s.toc[i].n) != s.toc[i].crc)
            problem(c, "%s: bad checksum of section %u (kind %u, field %u)", s.name, i, s.toc_kind[i],
                    s.toc_field[i]);
    check_stored(c, &s);
    for (uint32_t f = 0; f < s.nfields; f++) check_field(c, &s, &s.fields[f]);
    ix_segment_close(&s);
}

crible_status crible_index_check(const char *dir, void (*report)(void *ctx, const char *message),
                                 void *ctx, crible_error *err)
{
    checker c = {report, ctx, 0};
    ix_manifest m;
    crible_status st = ix_manifest_read(dir, &m, NULL, err);
    if (st == CRIBLE_EINDEX) {
        problem(&c, "%s", err->message);
        return st;
    }
    if (st) return st;
    for (uint32_t i = 0; i < m.nsegments; i++) {
        for (uint32_t j = 0; j < i; j++)
            if (m.segments[j].number == m.segments[i].number)
                problem(&c, "MANIFEST: segment %llu listed twice", (unsigned long long)m.segments[i].number);
        check_segment(&c, dir, &m.segments[i]);
    }
    ix_manifest_free(&m);
    if (c.problems)
        return crible_error_set(err, CRIBLE_EINDEX, "%s: %lu problem%s found", dir, c.problems,
                                c.problems > 1 ? "s" : "");
    return CRIBLE_OK;
}
