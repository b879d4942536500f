/*
 * index_numeric.c - a numeric field's two tables of a segment, NUMV (each
 * document's value: its byte layout, modes 0, 1 and 2, is index_format.c's)
 * and NUMS (the documents sorted by value: a width table, or runs of one
 * value; index_format.c too), written into the segment being written
 * through the segment writer's section calls (index_segment.h).
 *
 * The same bytes come two ways:
 * - in memory (numeric_mem): the (value, document) pairs sorted with qsort
 *   and the tables made whole, ~40 bytes a value, while that takes at most
 *   ix_segw_memory;
 * - streamed (numeric_stream), past that bound: the pairs go through an
 *   external sort (index_xsort.c, ix_segw_memory of memory, temporary
 *   files beside the segment) while a pass over the values tells which
 *   scale NUMV's mode 1 can take; NUMV is then written from the source read
 *   again, NUMS from the sorted pairs (kept in a spill stream of
 *   SORTED_MEMORY: read once for a width table, twice for runs).
 * Which of mode 1 (dense) or 2 (sparse), and of a width table or runs, is
 * the smaller is decided from sizes computed beforehand, never by writing
 * both, so the streamed path holds nothing per document.
 *
 * What it needs of the segment writer: a section opened, written, closed
 * (ix_segw_section_*), a width table written as its values come
 * (ix_segw_wt_*), and the segment's path for its temporary files
 * (ix_segw_path).
 */
#include "index_numeric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_segment.h"
#include "index_spill.h"
#include "index_xsort.h"

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while writing a segment");
}

/* The bytes of a width table of n values whose largest is max. */
static size_t wtable_size(uint32_t n, uint32_t max)
{
    uint8_t head = ix_wtable_head(n, max);
    return head & 0x80 ? 1 + ((size_t)n * (head & 0x3f) + 7) / 8 + 7 : 1 + (size_t)n * head;
}

/* --- numeric tables in memory ------------------------------------------- */

typedef struct numpair { double v; uint32_t d; } numpair;

static int cmp_num(const void *a, const void *b)
{
    const numpair *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->d > y->d) - (x->d < y->d);
}

/* The scales NUMV's mode 1 tries, in this order. */
static const uint32_t num_scales[] = {1, 2, 4, 10, 100, 1000};
#define NSCALES (sizeof num_scales / sizeof *num_scales)

/* The bits of mode 1's codes when the largest is top (+ the "none" code). */
static unsigned code_bits(double top)
{
    uint32_t maxcode = (uint32_t)nearbyint(top) + 1;
    unsigned b = 1;
    while (b < 32 && (maxcode >> b)) b++;
    return b;
}

/* Mode 1 of NUMV when every value is base + an integer / scale. */
static bool scaled(const numpair *p, uint32_t np, uint32_t *scale, unsigned *bits)
{
    if (np == 0) { *scale = 1; *bits = 1; return true; }
    double base = p[0].v, range = p[np - 1].v - base;
    for (size_t k = 0; k < NSCALES; k++) {
        double top = range * num_scales[k];
        if (!(top < 2147483646.0)) return false;
        bool ok = true;
        for (uint32_t i = 0; ok && i < np; i++) {
            double r = (p[i].v - base) * num_scales[k];
            ok = fabs(r - nearbyint(r)) < 1e-6;
        }
        if (!ok) continue;
        *scale = num_scales[k];
        *bits = code_bits(top);
        return true;
    }
    return false;
}

/* NUMS's runs (index_format.c): the sorted pairs as runs of one value,
 * each run's documents as gaps. */
static bool nums_runs(ix_buf *b, const numpair *p, uint32_t np)
{
    uint32_t nruns = 0;
    for (uint32_t i = 0; i < np; i++) nruns += i == 0 || p[i].v != p[i - 1].v;
    uint8_t h[16] = {IX_NUMS_RUNS};
    ix_put32(h + 1, nruns);
    if (!ix_buf_add(b, h, 5) || !ix_buf_reserve(b, (size_t)nruns * 16)) return false;
    size_t table = b->len;
    b->len += (size_t)nruns * 16;
    uint32_t r = 0;
    int64_t prev = -1;
    for (uint32_t i = 0; i < np; i++) {
        if (i == 0 || p[i].v != p[i - 1].v) {
            if (b->len - table - (size_t)nruns * 16 > UINT32_MAX) return false;
            ix_putf64(h, p[i].v);
            ix_put32(h + 8, i);
            ix_put32(h + 12, (uint32_t)(b->len - table - (size_t)nruns * 16));
            memcpy(b->data + table + (size_t)r++ * 16, h, 16);
            prev = -1;
        }
        if (!ix_buf_varint(b, (uint64_t)((int64_t)p[i].d - prev - 1))) return false;
        prev = p[i].d;
    }
    return true;
}

/* The head of a scaled NUMV (modes 1 and 2, index_format.c) into h (*len
 * bytes): sparse (mode 2, true) when the documents with a value (their
 * table: dt_len bytes) and their codes take fewer bytes than a code for
 * every document. */
static bool numv_head(uint8_t *h, size_t *len, uint32_t n, uint32_t np, size_t dt_len, double base, uint32_t scale,
                      unsigned bits)
{
    size_t dense = ((size_t)n + IX_BLOCK - 1) / IX_BLOCK * 16 * bits,
           sparse = 4 + dt_len + ((size_t)np + IX_BLOCK - 1) / IX_BLOCK * 16 * bits;
    bool sp = sparse < dense;
    h[0] = sp ? 2 : 1;
    ix_putf64(h + 1, base);
    ix_put32(h + 9, scale);
    h[13] = (uint8_t)bits;
    ix_put32(h + 14, np);
    *len = sp ? 18 : 14;
    return sp;
}

/* NUMV and NUMS built in memory from values[n] (NaN: none): the pairs
 * sorted, the tables made whole (~40 bytes a value). */
static crible_status numeric_mem(ix_segw *w, int field, const double *values, uint32_t n,
                                 crible_error *err)
{
    numpair *pairs = malloc(((size_t)n + 1) * sizeof *pairs);
    if (!pairs) return nomem(err);
    uint32_t np = 0;
    for (uint32_t d = 0; d < n; d++)
        if (!isnan(values[d])) pairs[np++] = (numpair){values[d], d};
    qsort(pairs, np, sizeof *pairs, cmp_num);
    uint32_t scale;
    unsigned bits;
    uint8_t buf[16 * 33];
    crible_status st = ix_segw_section_begin(w, IX_SEC_NUMV, field, err);
    if (!st && scaled(pairs, np, &scale, &bits)) {
        double base = np ? pairs[0].v : 0;
        uint32_t none = bits == 32 ? UINT32_MAX : (1u << bits) - 1, codes[IX_BLOCK];
        uint32_t *docs = malloc(((size_t)np + 1) * sizeof *docs);
        if (!docs) { free(pairs); return nomem(err); }
        uint32_t k = 0;
        for (uint32_t d = 0; d < n; d++)
            if (!isnan(values[d])) docs[k++] = d;
        ix_buf dt = {0};
        if (!ix_wtable_put(&dt, docs, np)) st = nomem(err);
        size_t hl;
        bool sp = numv_head(buf, &hl, n, np, dt.len, base, scale, bits);
        if (!st) st = ix_segw_section_write(w, buf, hl, err);
        if (!st && sp) st = ix_segw_section_write(w, dt.data, dt.len, err);
        uint32_t m = sp ? np : n;
        for (uint32_t d = 0; !st && d < m; d += IX_BLOCK) {
            for (uint32_t i = 0; i < IX_BLOCK; i++) {
                double x = d + i >= m ? NAN : values[sp ? docs[d + i] : d + i];
                codes[i] = isnan(x) ? none : (uint32_t)nearbyint((x - base) * scale);
            }
            ix_pack128(codes, bits, buf);
            st = ix_segw_section_write(w, buf, 16 * bits, err);
        }
        ix_buf_free(&dt);
        free(docs);
    } else if (!st) {
        buf[0] = 0;
        st = ix_segw_section_write(w, buf, 1, err);
        for (uint32_t d = 0; !st && d < n; d++) {
            ix_putf64(buf, values[d]);
            st = ix_segw_section_write(w, buf, 8, err);
        }
    }
    if (!st) st = ix_segw_section_end(w, err);
    if (!st) st = ix_segw_section_begin(w, IX_SEC_NUMS, field, err);
    ix_put32(buf, np);
    if (!st) st = ix_segw_section_write(w, buf, 4, err);
    uint32_t *docs = malloc(((size_t)np + 1) * sizeof *docs);
    if (!docs && !st) st = nomem(err);
    for (uint32_t i = 0; !st && i < np; i++) docs[i] = pairs[i].d;
    ix_buf table = {0}, runs = {0};
    if (!st && (!ix_wtable_put(&table, docs, np) || !nums_runs(&runs, pairs, np))) st = nomem(err);
    if (!st) st = runs.len < table.len ? ix_segw_section_write(w, runs.data, runs.len, err)
                                       : ix_segw_section_write(w, table.data, table.len, err);
    ix_buf_free(&table);
    ix_buf_free(&runs);
    free(docs);
    if (!st) st = ix_segw_section_end(w, err);
    free(pairs);
    return st;
}

/* --- numeric tables in bounded memory ------------------------------------ */

/* The sorted pairs are written while the sort is read (its chunk still in
 * memory): what they keep in memory before their file. */
#define SORTED_MEMORY (256u << 10)

/* A (value, document) pair of the external sort: f64, u32. */
#define NUMREC 12

static int cmp_numrec(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    (void)alen;
    (void)blen;
    double x = ix_getf64(a), y = ix_getf64(b);
    if (x != y) return x < y ? -1 : 1;
    uint32_t c = ix_get32(a + 8), d = ix_get32(b + 8);
    return (c > d) - (c < d);
}

/* What the passes over a numeric field's values learn. */
typedef struct numscan {
    uint32_t np, maxd;     /* documents with a value, the last of them */
    double base, top;      /* the pairs' first and last value (cmp_num order) */
} numscan;

/* The first pass: np, maxd, base (the smallest value, of the first
 * document having it) and top (the largest, of the last). */
static void num_scan(const ix_numsrc *src, numscan *sc)
{
    memset(sc, 0, sizeof *sc);
    uint32_t d;
    double v;
    src->rewind(src->ctx);
    while (src->next(src->ctx, &d, &v)) {
        if (sc->np == 0 || v < sc->base) sc->base = v;
        if (sc->np == 0 || v >= sc->top) sc->top = v;
        sc->np++;
        sc->maxd = d;
    }
}

/* Pass 2 over src: the (value, document) pairs to the sort xs, and
 * ok[k]: every value is base + an integer / num_scales[k]. */
static crible_status num_sort(ix_xsort *xs, const ix_numsrc *src, const numscan *sc, bool *ok, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    uint32_t d;
    double v;
    for (size_t k = 0; k < NSCALES; k++) ok[k] = true;
    src->rewind(src->ctx);
    while (!st && src->next(src->ctx, &d, &v)) {
        uint8_t rec[NUMREC];
        ix_putf64(rec, v);
        ix_put32(rec + 8, d);
        st = ix_xsort_add(xs, rec, NUMREC, err);
        for (size_t k = 0; k < NSCALES; k++) {
            double r = (v - sc->base) * num_scales[k];
            ok[k] = ok[k] && fabs(r - nearbyint(r)) < 1e-6;
        }
    }
    return st;
}

/* scaled()'s choice from num_sort's ok[]. */
static bool num_scale(const numscan *sc, const bool *ok, uint32_t *scale, unsigned *bits)
{
    *scale = 1;
    *bits = 1;
    if (sc->np == 0) return true;
    for (size_t k = 0; k < NSCALES; k++) {
        double top = (sc->top - sc->base) * num_scales[k];
        if (!(top < 2147483646.0)) return false;
        if (!ok[k]) continue;
        *scale = num_scales[k];
        *bits = code_bits(top);
        return true;
    }
    return false;
}

/* NUMV streamed from src (numeric_mem's bytes): mode 1 or 2 when
 * is_scaled (the documents with a value read once more for mode 2's
 * table), else mode 0; the values read once more for the codes. */
static crible_status numv_stream(ix_segw *w, int field, uint32_t n, const ix_numsrc *src, const numscan *sc,
                                 bool is_scaled, uint32_t scale, unsigned bits, crible_error *err)
{
    uint8_t buf[16 * 33];
    uint32_t np = sc->np, d, vd = 0;
    double v, vv = NAN;
    crible_status st = ix_segw_section_begin(w, IX_SEC_NUMV, field, err);
    if (!st && is_scaled) {
        double base = np ? sc->base : 0;
        uint32_t none = bits == 32 ? UINT32_MAX : (1u << bits) - 1, codes[IX_BLOCK];
        size_t hl;
        bool sp = numv_head(buf, &hl, n, np, wtable_size(np, sc->maxd), base, scale, bits);
        st = ix_segw_section_write(w, buf, hl, err);
        if (!st && sp) {   /* the documents with a value */
            ix_segw_wt t;
            ix_segw_wt_begin(&t, np, sc->maxd);
            src->rewind(src->ctx);
            while (!st && src->next(src->ctx, &d, &v)) st = ix_segw_wt_put(w, &t, d, err);
            if (!st) st = ix_segw_wt_end(w, &t, err);
        }
        /* the codes: of every document (dense) or of those with a value */
        uint32_t m = sp ? np : n;
        src->rewind(src->ctx);
        bool have = src->next(src->ctx, &vd, &vv);
        for (uint32_t b0 = 0; !st && b0 < m; b0 += IX_BLOCK) {
            for (uint32_t i = 0; i < IX_BLOCK; i++) {
                double x = NAN;
                if (b0 + i < m && have && (sp || vd == b0 + i)) {
                    x = vv;
                    have = src->next(src->ctx, &vd, &vv);
                }
                codes[i] = isnan(x) ? none : (uint32_t)nearbyint((x - base) * scale);
            }
            ix_pack128(codes, bits, buf);
            st = ix_segw_section_write(w, buf, 16 * bits, err);
        }
    } else if (!st) {
        buf[0] = 0;
        st = ix_segw_section_write(w, buf, 1, err);
        src->rewind(src->ctx);
        bool have = src->next(src->ctx, &vd, &vv);
        for (uint32_t i = 0; !st && i < n; i++) {
            double x = NAN;
            if (have && vd == i) {
                x = vv;
                have = src->next(src->ctx, &vd, &vv);
            }
            ix_putf64(buf, x);
            st = ix_segw_section_write(w, buf, 8, err);
        }
    }
    return st ? st : ix_segw_section_end(w, err);
}

/* NUMS from the finished sort xs (numeric_mem's bytes): the sorted pairs
 * into a spill stream, counting the runs of one value and their gaps'
 * bytes, then read back once (a table of the documents in value order) or
 * twice (nums_runs: the runs' table, then their gaps). */
static crible_status nums_stream(ix_segw *w, int field, const numscan *sc, ix_xsort *xs, crible_error *err)
{
    ix_spill sorted;
    char path[4300];
    snprintf(path, sizeof path, "%s.nums", ix_segw_path(w));
    ix_spill_init(&sorted, path, SORTED_MEMORY < ix_segw_memory ? SORTED_MEMORY : ix_segw_memory);
    uint32_t np = sc->np, nruns = 0;
    uint64_t gaps = 0;
    crible_status st = CRIBLE_OK;
    const uint8_t *r, *prev = NULL;
    uint8_t last[NUMREC], buf[16];
    size_t rl;
    int got = 0;
    int64_t pd = -1;
    while (!st && (got = ix_xsort_next(xs, &r, &rl, err)) == 1) {
        if (!prev || ix_getf64(r) != ix_getf64(prev)) { nruns++; pd = -1; }
        uint8_t vb[10];
        gaps += ix_varint_put(vb, (uint64_t)((int64_t)ix_get32(r + 8) - pd - 1));
        pd = ix_get32(r + 8);
        memcpy(last, r, NUMREC);
        prev = last;
        st = ix_spill_add(&sorted, r, NUMREC, err);
    }
    if (!st && got < 0) st = CRIBLE_EIO;
    if (!st && gaps > UINT32_MAX) st = crible_error_set(err, CRIBLE_EINDEX, "numeric table of field %d too large", field);
    if (!st) st = ix_segw_section_begin(w, IX_SEC_NUMS, field, err);
    ix_put32(buf, np);
    if (!st) st = ix_segw_section_write(w, buf, 4, err);
    ix_spill_reader *rd = malloc(sizeof *rd);
    if (!rd && !st) st = nomem(err);
    bool runs = 5 + (uint64_t)nruns * 16 + gaps < wtable_size(np, sc->maxd);
    if (!st && !runs) {   /* the documents in value order */
        ix_segw_wt t;
        ix_segw_wt_begin(&t, np, sc->maxd);
        ix_spill_reader_init(rd, &sorted);
        while (!st && (r = ix_spill_next(rd, NUMREC, &st, err))) st = ix_segw_wt_put(w, &t, ix_get32(r + 8), err);
        if (!st) st = ix_segw_wt_end(w, &t, err);
    } else if (!st) {   /* nums_runs: the runs' table, then their gaps */
        buf[0] = IX_NUMS_RUNS;
        ix_put32(buf + 1, nruns);
        st = ix_segw_section_write(w, buf, 5, err);
        for (int pass = 0; pass < 2 && !st; pass++) {
            uint32_t i = 0;
            uint64_t off = 0;
            pd = -1;
            prev = NULL;
            ix_spill_reader_init(rd, &sorted);
            while (!st && (r = ix_spill_next(rd, NUMREC, &st, err))) {
                bool start = !prev || ix_getf64(r) != ix_getf64(prev);
                memcpy(last, r, NUMREC);
                prev = last;
                if (start) pd = -1;
                uint8_t vb[16];
                size_t k = ix_varint_put(vb, (uint64_t)((int64_t)ix_get32(r + 8) - pd - 1));
                pd = ix_get32(r + 8);
                if (pass == 0 && start) {
                    ix_putf64(vb, ix_getf64(r));
                    ix_put32(vb + 8, i);
                    ix_put32(vb + 12, (uint32_t)off);
                    st = ix_segw_section_write(w, vb, 16, err);
                }
                if (pass == 1) st = ix_segw_section_write(w, vb, k, err);
                off += k;
                i++;
            }
        }
    }
    free(rd);
    ix_spill_free(&sorted);
    return st ? st : ix_segw_section_end(w, err);
}

/* NUMV and NUMS streamed from src (the layout numeric_mem writes, byte
 * for byte): the pairs sorted by an external sort (index_xsort.h), the
 * values read again for each table.  Memory: ix_segw_memory for the sort,
 * SORTED_MEMORY for nums_stream's stream, and fixed buffers. */
static crible_status numeric_stream(ix_segw *w, int field, uint32_t n, const ix_numsrc *src, const numscan *sc,
                                    crible_error *err)
{
    ix_xsort *xs = NULL;
    bool ok[NSCALES];
    crible_status st = ix_xsort_open(&xs, ix_segw_path(w), 1000u + (unsigned)field, ix_segw_memory, cmp_numrec, err);
    if (!st) st = num_sort(xs, src, sc, ok, err);
    uint32_t scale = 1;
    unsigned bits = 1;
    bool is_scaled = !st && num_scale(sc, ok, &scale, &bits);
    if (!st) st = numv_stream(w, field, n, src, sc, is_scaled, scale, bits, err);
    if (!st) st = ix_xsort_finish(xs, false, err);
    if (!st) st = nums_stream(w, field, sc, xs, err);
    ix_xsort_free(xs);
    return st;
}

/* An array of values as a source (NaN: none). */
typedef struct arraysrc { const double *v; uint32_t n, at; } arraysrc;

static void array_rewind(void *ctx) { ((arraysrc *)ctx)->at = 0; }

static bool array_next(void *ctx, uint32_t *doc, double *v)
{
    arraysrc *a = ctx;
    while (a->at < a->n && isnan(a->v[a->at])) a->at++;
    if (a->at >= a->n) return false;
    *doc = a->at;
    *v = a->v[a->at++];
    return true;
}

/* What numeric_mem takes for n documents, np of them with a value. */
static size_t numeric_mem_bytes(uint32_t n, uint32_t np) { return (size_t)np * 40 + (size_t)n / 4; }

crible_status ix_segw_numeric(ix_segw *w, int field, const double *values, uint32_t n,
                              crible_error *err)
{
    if (numeric_mem_bytes(n, n) <= ix_segw_memory) return numeric_mem(w, field, values, n, err);
    arraysrc a = {values, n, 0};
    ix_numsrc src = {&a, array_rewind, array_next};
    numscan sc;
    num_scan(&src, &sc);
    if (numeric_mem_bytes(n, sc.np) <= ix_segw_memory) return numeric_mem(w, field, values, n, err);
    return numeric_stream(w, field, n, &src, &sc, err);
}

crible_status ix_segw_numeric_src(ix_segw *w, int field, uint32_t n, const ix_numsrc *src, crible_error *err)
{
    numscan sc;
    num_scan(src, &sc);
    if (numeric_mem_bytes(n, sc.np) + (size_t)n * 8 > ix_segw_memory) return numeric_stream(w, field, n, src, &sc, err);
    double *values = malloc(((size_t)n + 1) * sizeof *values);
    if (!values) return nomem(err);
    for (uint32_t d = 0; d < n; d++) values[d] = NAN;
    uint32_t d;
    double v;
    src->rewind(src->ctx);
    while (src->next(src->ctx, &d, &v))
        if (d < n) values[d] = v;
    crible_status st = numeric_mem(w, field, values, n, err);
    free(values);
    return st;
}
