/*
 * index_merge.c - merges segments into one: stored records copied block by
 * block (live documents only, renumbered in source order), every field's
 * dictionaries merged term by term in byte order with their postings
 * concatenated and renumbered, and the per-document tables (lengths,
 * sentences, values) carried over.  The exact field is rebuilt with the
 * rule of index_format.c (PURE): a source may have left an exact term out
 * because its stem term stood for it; if the merged stem term is no longer
 * pure, the exact term is written from that source's stem postings.  A
 * norm met under several stems (in a source, or in sources built apart)
 * gets one entry naming each (stem, variant) pair; its statistics are
 * counted over the sources' unions of its pairs' postings (a document
 * holding it under two stems counts once).
 *
 * Memory does not grow with the terms merged, and with the documents only
 * by what the segment writer's interface asks for:
 * - a document's new number is computed, not stored: sources are copied in
 *   order, so it is the source's first new number + d - the tombstones
 *   before d (a binary search in the source's sorted tombstones: 4 bytes a
 *   tombstone);
 * - a field's exact terms arrive by stem (with the text field's merge, which
 *   counts their live statistics) and are written by norm: an external sort
 *   (index_xsort.c) in a chunk of ix_merge_sort_memory bytes, spilled to a
 *   temporary file when larger.  Each source's exact dictionary (by norm) is
 *   read back by stem the same way, each source then holding a 4 KiB read
 *   buffer and the norms of the stem being merged;
 * - SENT is written as the sources are read (its offset table in a first
 *   pass over their tables), never gathered;
 * - the sources' pages read through are given back as the merge goes
 *   (every 256 KiB of a field's dictionary, postings and positions, shared
 *   among the sources, at least every 16 KiB of each; within a long term
 *   every 1,024 of its documents), with the 2 MiB before (forget_upto);
 * - a NUMERIC field's values are read from the sources in passes by the
 *   segment writer (ix_segw_numeric_src: in memory only while they take
 *   less than ix_segw_memory);
 * - at most IX_MERGE_MAX_AT_ONCE sources are read at once: more are merged
 *   in a tree of merges through temporary segments (merge_tree), each
 *   document copied once per level (two levels up to 1,024 sources).
 * What is left per document: the lengths of the TEXT field being merged (4
 * bytes a document: ix_segw_field_begin reads them for its blocks' minimum
 * lengths, ix_segw_lengths writes them) and a bit a document (has the
 * field).  Per term: the positions of one document (8 bytes a position)
 * and the norms of one stem.
 */
#include "index_merge.h"

#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <zstd.h>

#include "index_segment.h"
#include "index_xsort.h"

size_t ix_merge_sort_memory = 4u << 20;
uint64_t ix_merge_docs_written;

/* Pages of the sources read through are given back every this many bytes
 * of a section (divided among the sources, at least FORGET_MIN). */
#define FORGET_STEP (256u << 10)
#define FORGET_MIN (16u << 10)
/* The bytes before the last point given back that are given back again. */
#define FORGET_BACK (2u << 20)
/* A term's copy gives back what it read every this many documents. */
#define FORGET_DOCS 1024u
/* The temporary segments of a merge in a tree are seg-ROUND_SEGMENT+k,
 * k = 0, 1, ... in the order written (numbers no index reaches; a crash
 * leaves one behind, named by no MANIFEST: the next writer to open the
 * index removes it as garbage). */
#define ROUND_SEGMENT 999999000000ull

typedef struct ofield {
    const char *name;      /* points into a source's META */
    int kind;
    unsigned flags;
    const char *link;      /* linked field's name or NULL */
    int out_link;
} ofield;

/* A source stem's norm: its variant number there, its bytes. */
typedef struct vnorm {
    uint32_t variant;
    uint32_t off;               /* the norm's bytes in the source's pool */
    uint8_t len;
} vnorm;

/* Per source: its tombstones, and while a text field is merged, its exact
 * dictionary sorted by stem and the norms of the current stem. */
typedef struct msrc {
    uint32_t base;              /* new number of its first live document */
    uint32_t *tomb, ntomb;      /* deleted documents, increasing */
    ix_xsort *bystem;           /* records: stem_len, stem, len, norm, variant */
    const uint8_t *rec;         /* bystem's current record, or NULL */
    size_t rec_len;
    vnorm *v;                   /* the current stem's norms */
    uint32_t nv, vcap;
    ix_buf pool;
    uint64_t forgot_dict, forgot_post, forgot_pos;   /* bytes given back */
} msrc;

/* A merged exact entry of the current stem; strings in the merger's xpool. */
typedef struct xentry {
    size_t norm_off, stem_off;
    uint8_t len, stem_len;
    uint32_t variant, df, max_tf;
    uint64_t cf;
    uint8_t skip;               /* SKIP_SELF, SKIP_DEAD or 0 */
} xentry;
/* An exact entry left out: the merged pure stem's one norm, itself (unless
 * the norm has other stems), or a norm of no live document of the stem. */
#define SKIP_SELF 1
#define SKIP_DEAD 2

typedef struct merger {
    ix_segment *src;
    size_t n;
    msrc *ms;
    const char *path;      /* the new segment's (temporary files beside it) */
    uint32_t maxdoc;
    ix_segw *w;
    ofield *fields;
    size_t nfields;
    ix_buf names;          /* the NAME# of numeric fields renamed (crible_field_table_name) */
    uint32_t *lengths;     /* TEXT field len_field's, new numbering */
    int len_field;
    uint64_t *seen;        /* docs having the current field */
    uint32_t *pos, *var;
    size_t pos_cap;
    bool variants;         /* the text field being merged has an exact field */
    xentry *xs;            /* the current stem's exact entries */
    size_t nxs, xs_cap;
    ix_buf xpool;
    ix_xsort *xout;        /* every exact entry of that field, by norm */
    uint32_t remap[1 << 12];   /* source variant -> merged, per copy */
    uint32_t nremap;
    /* live statistics of the merged term's variants (for its exact entries) */
    uint32_t *vdf, *vmax, *vtf;
    uint64_t *vcf;
    uint32_t vcap;
} merger;

static crible_status nomem(crible_error *err) { return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while merging"); }

/* Source k's document d in the new numbering, UINT32_MAX if deleted.
 * *j: a hint into the tombstones (the count before the last d asked,
 * smaller d's restart it at 0). */
static uint32_t renumber(const merger *m, size_t k, uint32_t d, uint32_t *j)
{
    const msrc *s = &m->ms[k];
    if (!s->ntomb) return s->base + d;
    if (ix_seg_deleted(&m->src[k], d)) return UINT32_MAX;
    uint32_t lo = *j, hi = s->ntomb;
    if (lo > 0 && s->tomb[lo - 1] > d) lo = 0;
    if (lo < hi && s->tomb[lo] < d) {   /* the first tombstone after d */
        lo++;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (s->tomb[mid] < d) lo = mid + 1;
            else hi = mid;
        }
    }
    *j = lo;
    return s->base + d - lo;
}

/* Each source's sorted tombstones (4 bytes each: only the deleted). */
static crible_status load_tombstones(merger *m, crible_error *err)
{
    for (size_t k = 0; k < m->n; k++) {
        const ix_segment *s = &m->src[k];
        uint32_t n = 0;
        for (uint32_t d = 0; d < s->maxdoc; d++) n += ix_seg_deleted(s, d);
        if (!n) continue;
        m->ms[k].tomb = malloc((size_t)n * sizeof *m->ms[k].tomb);
        if (!m->ms[k].tomb) return nomem(err);
        for (uint32_t d = 0; d < s->maxdoc; d++)
            if (ix_seg_deleted(s, d)) m->ms[k].tomb[m->ms[k].ntomb++] = d;
    }
    return CRIBLE_OK;
}

/* Length of the stored record at p (bounded), 0 if damaged. */
static size_t record_len(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *q = p;
    uint64_t jl, nf, nt;
    if (!ix_varint_get(&q, end, &jl) || jl > (uint64_t)(end - q)) return 0;
    q += jl;
    if (!ix_varint_get(&q, end, &nf) || nf > 64) return 0;
    for (uint64_t f = 0; f < nf; f++) {
        if (q >= end || (size_t)(end - q) < 1u + *q) return 0;
        q += 1 + *q;
        if (!ix_varint_get(&q, end, &nt) || !ix_offsets_skip(&q, end, nt)) return 0;
    }
    return (size_t)(q - p);
}

/* Gives back the pages of sec before offset `upto` when a step more was
 * read since *done.  The kernel maps more than the page read (the
 * fault-around window, 64 KiB, or a whole large folio of the page cache,
 * up to 2 MiB), pages before `upto` too: each call gives back again the
 * FORGET_BACK bytes before *done, and leaves *done at the start of the page
 * holding `upto` (only whole pages are given back), so that nothing is
 * left behind at each step (what was left grew with the sources' size). */
static void forget_upto(const merger *m, const ix_segment *s, const ix_section *sec, uint64_t upto, uint64_t *done)
{
    uint64_t step = FORGET_STEP / m->n > FORGET_MIN ? FORGET_STEP / m->n : FORGET_MIN;
    if (!sec->present || !s->map || upto > sec->n || upto < *done + step) return;
    uint64_t from = *done > FORGET_BACK ? *done - FORGET_BACK : 0;
    ix_segment_forget_bytes(s, sec->p + from, sec->p + upto);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), at = (uintptr_t)(sec->p + upto) & ~(page - 1);
    *done = at > (uintptr_t)sec->p ? (uint64_t)(at - (uintptr_t)sec->p) : 0;
}

static crible_status copy_stored(merger *m, crible_error *err)
{
    ix_buf buf = {0};
    crible_status st = CRIBLE_OK;
    for (size_t k = 0; !st && k < m->n; k++) {
        ix_segment *s = &m->src[k];
        m->ms[k].base = ix_segw_ndocs(m->w);
        uint32_t d = 0, blk = 0;
        uint64_t done = 0;
        while (!st && d < s->maxdoc) {
            const uint8_t *rec;
            size_t len;
            st = ix_stored_block(s, d, &buf, NULL, NULL, &rec, &len, err);
            if (st) break;
            /* the compressed blocks before this one are read through
             * (STIDX, index_format.c: 24-byte entries, the block's
             * offset in the section at 8) */
            while (blk + 1 < s->nstblocks && ix_get32(s->stidx.p + 4 + 24 * ((size_t)blk + 1)) <= d) blk++;
            forget_upto(m, s, &s->stored, ix_get64(s->stidx.p + 4 + 24 * (size_t)blk + 8), &done);
            const uint8_t *end = buf.data + buf.len;
            /* the block's records from d on */
            const uint8_t *p = rec;
            do {
                size_t rl = record_len(p, end);
                if (!rl) { st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged stored block", s->name); break; }
                if (!ix_seg_deleted(s, d)) st = ix_segw_stored_doc(m->w, p, rl, err);
                p += rl;
                d++;
            } while (!st && p < end && d < s->maxdoc);
        }
        /* no stored block is read again: its index, its dictionary (the
         * copy ZSTD_createDDict made: ~140 KB a source) go */
        ix_segment_forget(s, &s->stored);
        ix_segment_forget(s, &s->stidx);
        ix_segment_forget(s, &s->zdict);
        ZSTD_freeDDict(s->ddict);
        s->ddict = NULL;
    }
    ix_buf_free(&buf);
    m->maxdoc = ix_segw_ndocs(m->w);
    return st;
}

/* --- exact terms by stem, from each source ------------------------------ */

/* Compares two records by the length-prefixed string they start with:
 * bytes, then the shorter first (the dictionaries' order). */
static int cmp_lstring(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t la = alen ? a[0] : 0, lb = blen ? b[0] : 0;
    if (la > alen - 1) la = alen ? alen - 1 : 0;
    if (lb > blen - 1) lb = blen ? blen - 1 : 0;
    return ix_term_order(a + 1, la, b + 1, lb);
}

/* Sorts source k's exact dictionary `name` by stem (in norm order for one
 * stem: the sort is stable) into its bystem sorter, spilled. */
static crible_status bystem_load(merger *m, size_t k, const char *name, crible_error *err)
{
    msrc *s = &m->ms[k];
    int l = ix_segment_field(&m->src[k], name);
    if (l < 0) return CRIBLE_OK;
    crible_status st = ix_xsort_open(&s->bystem, m->path, (unsigned)k + 1, ix_merge_sort_memory, cmp_lstring, err);
    ix_dictit it;
    ix_dictit_init(&it, &m->src[k].fields[l]);
    uint8_t rec[2 * (CRIBLE_TERM_MAX + 1) + 10];
    uint8_t stem[CRIBLE_TERM_MAX + 1];
    size_t sl;
    uint32_t variant;
    bool bad = false;
    while (!st && ix_dictit_next(&it)) {
        ix_pairit pi;   /* a record per (stem, variant) pair of the norm */
        ix_pairs_init(&pi, it.f->version, &it.t);
        size_t nl = it.t.len > CRIBLE_TERM_MAX ? CRIBLE_TERM_MAX : it.t.len;
        while (!st && ix_pairs_next(&pi, stem, &sl, &variant)) {
            size_t n = 0;
            rec[n++] = (uint8_t)sl;
            memcpy(rec + n, stem, sl);
            n += sl;
            rec[n++] = (uint8_t)nl;
            memcpy(rec + n, it.t.bytes, nl);
            n += nl;
            n += ix_varint_put(rec + n, variant);
            st = ix_xsort_add(s->bystem, rec, n, err);
        }
        bad |= pi.bad;
    }
    if (!st && (it.bad || bad)) st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged term dictionary of '%s'", m->src[k].name, name);
    if (!st) st = ix_xsort_finish(s->bystem, true, err);
    ix_segment_forget(&m->src[k], &m->src[k].fields[l].dict);
    if (!st && ix_xsort_next(s->bystem, &s->rec, &s->rec_len, err) < 0) st = CRIBLE_EIO;
    return st;
}

/* Source k's norms of stem t into s->v (none: s->nv = 0). */
static crible_status bystem_norms(merger *m, size_t k, const ix_term *t, crible_error *err)
{
    msrc *s = &m->ms[k];
    s->nv = 0;
    s->pool.len = 0;
    uint8_t key[CRIBLE_TERM_MAX + 2];
    size_t tl = t->len > CRIBLE_TERM_MAX ? CRIBLE_TERM_MAX : t->len;
    key[0] = (uint8_t)tl;
    memcpy(key + 1, t->bytes, tl);
    while (s->rec) {
        int c = cmp_lstring(s->rec, s->rec_len, key, tl + 1);
        if (c > 0) break;
        if (c == 0) {
            const uint8_t *p = s->rec + 1 + s->rec[0], *end = s->rec + s->rec_len;
            uint64_t variant;
            if (p >= end || (size_t)(end - p) < 1u + *p) return crible_error_set(err, CRIBLE_EINTERNAL, "bad sort record");
            uint8_t nl = *p++;
            const uint8_t *norm = p;
            p += nl;
            if (!ix_varint_get(&p, end, &variant)) return crible_error_set(err, CRIBLE_EINTERNAL, "bad sort record");
            if (s->nv == s->vcap) {
                uint32_t cap = s->vcap ? s->vcap * 2 : 16;
                vnorm *v = realloc(s->v, cap * sizeof *v);
                if (!v) return nomem(err);
                s->v = v;
                s->vcap = cap;
            }
            s->v[s->nv++] = (vnorm){(uint32_t)variant, (uint32_t)s->pool.len, nl};
            if (!ix_buf_add(&s->pool, norm, nl)) return nomem(err);
        }
        int r = ix_xsort_next(s->bystem, &s->rec, &s->rec_len, err);
        if (r < 0) return CRIBLE_EIO;
        if (r == 0) s->rec = NULL;
    }
    return CRIBLE_OK;
}

static crible_status add_xentry(merger *m, const ix_term *stem, const uint8_t *norm, size_t len, uint32_t variant,
                                crible_error *err)
{
    /* the same norm of this stem from an earlier source: already there */
    for (size_t i = 0; i < m->nxs; i++) {
        xentry *x = &m->xs[i];
        if (x->len == len && !memcmp(m->xpool.data + x->norm_off, norm, len)) return CRIBLE_OK;
    }
    if (m->nxs == m->xs_cap) {
        size_t cap = m->xs_cap ? m->xs_cap * 2 : 64;
        xentry *n = realloc(m->xs, cap * sizeof *n);
        if (!n) return nomem(err);
        m->xs = n;
        m->xs_cap = cap;
    }
    xentry *x = &m->xs[m->nxs++];
    x->norm_off = m->xpool.len;
    x->stem_off = m->xpool.len + len;
    if (!ix_buf_add(&m->xpool, norm, len) || !ix_buf_add(&m->xpool, stem->bytes, stem->len)) return nomem(err);
    x->len = (uint8_t)len;
    x->stem_len = (uint8_t)stem->len;
    x->variant = variant;
    x->df = x->max_tf = 0;   /* counted over the live documents as they are copied */
    x->cf = 0;
    x->skip = 0;
    return CRIBLE_OK;
}

/* Before copying source k's postings of stem term t into the merged term:
 * gives each of its norms (m->ms[k].v, loaded by bystem_norms) a merged
 * variant number (m->remap), recording the merged exact entries; *nvar
 * counts the merged term's variants. */
static crible_status remap_variants(merger *m, size_t k, const ix_term *t, uint32_t *nvar, bool record,
                                    crible_error *err)
{
    const msrc *s = &m->ms[k];
    m->nremap = t->vbits ? 1u << t->vbits : 1;
    if (m->nremap > sizeof m->remap / sizeof *m->remap) m->nremap = sizeof m->remap / sizeof *m->remap;
    for (uint32_t i = 0; i < m->nremap; i++) m->remap[i] = UINT32_MAX;
    vnorm implicit;
    const vnorm *list = s->nv ? s->v : &implicit;
    const uint8_t *pool = s->nv ? s->pool.data : t->bytes;
    uint32_t n = s->nv;
    if (!n && t->pure) {   /* a pure stem: its one norm is itself */
        implicit = (vnorm){0, 0, (uint8_t)t->len};
        n = 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        const vnorm *e = &list[i];
        uint32_t merged = UINT32_MAX;
        for (size_t x = 0; x < m->nxs; x++)
            if (m->xs[x].len == e->len && !memcmp(m->xpool.data + m->xs[x].norm_off, pool + e->off, e->len))
                merged = m->xs[x].variant;
        if (record) {
            if (merged == UINT32_MAX) merged = (*nvar)++;
            crible_status st = add_xentry(m, t, pool + e->off, e->len, merged, err);
            if (st) return st;
        }
        if (e->variant < m->nremap) m->remap[e->variant] = merged;
    }
    return CRIBLE_OK;
}

/* The current stem's exact entries (their statistics counted) go to the
 * sorter by norm: len, norm, stem_len, stem, skip, variant, df, cf, max_tf. */
static crible_status emit_xentries(merger *m, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    uint8_t rec[2 * (CRIBLE_TERM_MAX + 1) + 1 + 4 * 10];
    for (size_t i = 0; !st && i < m->nxs; i++) {
        const xentry *x = &m->xs[i];
        size_t n = 0;
        rec[n++] = x->len;
        memcpy(rec + n, m->xpool.data + x->norm_off, x->len);
        n += x->len;
        rec[n++] = x->stem_len;
        memcpy(rec + n, m->xpool.data + x->stem_off, x->stem_len);
        n += x->stem_len;
        rec[n++] = x->skip;
        n += ix_varint_put(rec + n, x->variant);
        n += ix_varint_put(rec + n, x->df);
        n += ix_varint_put(rec + n, x->cf);
        n += ix_varint_put(rec + n, x->max_tf);
        st = ix_xsort_add(m->xout, rec, n, err);
    }
    m->nxs = 0;
    m->xpool.len = 0;
    return st;
}

static int find_ofield(const merger *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].name, name) == 0) return (int)i;
    return -1;
}

/* The output fields: each source field under its table name (a numeric
 * NAME whose name another source gives keywords is written as NAME#). */
static crible_status collect_fields(merger *m, crible_error *err)
{
    /* first the renamed ones' names, in one buffer that no longer moves */
    for (size_t k = 0; k < m->n; k++)
        for (uint32_t i = 0; i < m->src[k].nfields; i++) {
            const ix_segfield *f = &m->src[k].fields[i];
            if (f->kind == CRIBLE_FIELD_NUMERIC && ix_segments_name_not_numeric(m->src, m->n, f->name) &&
                (!ix_buf_add(&m->names, f->name, strlen(f->name)) || !ix_buf_add(&m->names, "#", 2)))
                return nomem(err);
        }
    size_t renamed = 0;
    for (size_t k = 0; k < m->n; k++) {
        for (uint32_t i = 0; i < m->src[k].nfields; i++) {
            const ix_segfield *f = &m->src[k].fields[i];
            const char *name = f->name;
            if (f->kind == CRIBLE_FIELD_NUMERIC && ix_segments_name_not_numeric(m->src, m->n, f->name)) {
                name = (const char *)m->names.data + renamed;
                renamed += strlen(name) + 1;
            }
            int o = find_ofield(m, name);
            if (o >= 0) {
                if (m->fields[o].kind != f->kind)
                    return crible_error_set(err, CRIBLE_EINDEX, "field '%s' has two kinds in the merged segments", f->name);
                continue;
            }
            ofield *nf = realloc(m->fields, (m->nfields + 1) * sizeof *nf);
            if (!nf) return nomem(err);
            m->fields = nf;
            nf[m->nfields++] = (ofield){name, f->kind, f->flags,
                                        f->link >= 0 ? m->src[k].fields[f->link].name : NULL, -1};
        }
    }
    /* each text field right before its exact field (written from it) */
    ofield *order = malloc((m->nfields + 1) * sizeof *order);
    if (!order) return nomem(err);
    size_t n = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        if (m->fields[i].kind == CRIBLE_FIELD_EXACT && m->fields[i].link &&
            find_ofield(m, m->fields[i].link) >= 0)
            continue;
        order[n++] = m->fields[i];
        int x = m->fields[i].kind == CRIBLE_FIELD_TEXT && m->fields[i].link ? find_ofield(m, m->fields[i].link) : -1;
        if (x >= 0) order[n++] = m->fields[x];
    }
    free(m->fields);
    m->fields = order;
    m->nfields = n;
    for (size_t i = 0; i < m->nfields; i++)
        m->fields[i].out_link = m->fields[i].link ? find_ofield(m, m->fields[i].link) : -1;
    return CRIBLE_OK;
}

/* Source k's field that output field `name` is made of (by kind: a
 * numeric NAME# may be a source's NAME, ix_segment_field_as). */
static const ix_segfield *src_field(const merger *m, size_t k, const char *name)
{
    int o = find_ofield(m, name);
    int l = o >= 0 ? ix_segment_field_as(&m->src[k], name, m->fields[o].kind) : ix_segment_field(&m->src[k], name);
    return l < 0 ? NULL : &m->src[k].fields[l];
}

/* During a long term's copy: gives back the pages of source k's postings
 * and positions its cursor c has read through (a frequent word's
 * positions in a large segment are megabytes).  Where the postings are is
 * estimated from the block (pages given back too early are only read
 * again). */
static void forget_within(merger *m, size_t k, const ix_segfield *f, const ix_pcur *c)
{
    msrc *s = &m->ms[k];
    const ix_segment *seg = &m->src[k];
    const uint8_t *pos = c->pos4 ? c->pblk_p : c->pos_p;
    if (pos && f->pos.present && pos >= f->pos.p && pos <= f->pos.p + f->pos.n)
        forget_upto(m, seg, &f->pos, (uint64_t)(pos - f->pos.p), &s->forgot_pos);
    if (c->nblocks && c->blocks >= f->post.p && c->bend <= f->post.p + f->post.n) {
        const uint8_t *at = c->blocks + (size_t)(c->bend - c->blocks) / c->nblocks * c->block;
        forget_upto(m, seg, &f->post, (uint64_t)(at - f->post.p), &s->forgot_post);
    }
}

/* Copies one source term's postings into the open output term, the
 * positions' variants renumbered through m->remap (orphans: `orphan`). */
static crible_status copy_postings(merger *m, size_t k, const ix_segfield *f, const ix_term *t,
                                   bool positions, uint32_t orphan, crible_error *err)
{
    ix_pcur c;
    ix_pcur_init(&c, &m->src[k], f, t, false);
    crible_status st = CRIBLE_OK;
    uint32_t hint = 0, seen = 0;
    for (uint32_t d; !st && (d = ix_pcur_next(&c)) != CRIBLE_DOC_NONE;) {
        if ((++seen & (FORGET_DOCS - 1)) == 0) forget_within(m, k, f, &c);
        uint32_t nd = renumber(m, k, d, &hint);
        if (nd == UINT32_MAX) continue;
        uint32_t tf = ix_pcur_tf(&c);
        if (positions) {
            if (tf > m->pos_cap) {
                uint32_t *p = realloc(m->pos, (size_t)tf * sizeof *p), *v;
                if (p) m->pos = p;
                v = p ? realloc(m->var, (size_t)tf * sizeof *v) : NULL;
                if (!p || !v) return nomem(err);
                m->var = v;
                m->pos_cap = tf;
            }
            if (ix_pcur_positions_var(&c, m->pos, m->var, tf) != tf || c.bad) break;
            for (uint32_t i = 0; i < tf; i++) {
                m->var[i] = m->var[i] < m->nremap && m->remap[m->var[i]] != UINT32_MAX ? m->remap[m->var[i]] : orphan;
                if (m->var[i] < m->vcap) m->vtf[m->var[i]]++;
            }
            for (uint32_t i = 0; i < tf; i++) {
                uint32_t v = m->var[i];
                if (v >= m->vcap || !m->vtf[v]) continue;
                m->vdf[v]++;
                m->vcf[v] += m->vtf[v];
                if (m->vtf[v] > m->vmax[v]) m->vmax[v] = m->vtf[v];
                m->vtf[v] = 0;
            }
        }
        m->seen[nd >> 6] |= 1ull << (nd & 63);
        st = ix_segw_term_doc(m->w, nd, tf, positions ? m->pos : NULL, positions ? m->var : NULL, err);
    }
    if (!st && c.bad)
        st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged postings in field '%s'", m->src[k].name, f->name);
    return st;
}

static int tcmp(const ix_term *a, const ix_term *b) { return ix_term_order(a->bytes, a->len, b->bytes, b->len); }

/* The statistics of a norm met under several stems: its documents in
 * every source (each source's cursors over its pairs, in a union: a
 * document holding it under two stems counts once), live ones only. */
static crible_status union_stats(merger *m, const ofield *of, const uint8_t *norm, size_t len, uint64_t *df,
                                 uint64_t *cf, uint64_t *max_tf, crible_error *err)
{
    ix_pcur *c = NULL;
    uint32_t cap = 0;
    *df = *cf = *max_tf = 0;
    for (size_t k = 0; of->link && k < m->n; k++) {
        const ix_segfield *sf = src_field(m, k, of->link), *ef = src_field(m, k, of->name);
        uint32_t n = 0;
        ix_term stats;
        if (!sf) continue;
        if (!ix_exact_open(&m->src[k], sf, ef, norm, len, true, &c, &n, &cap, &stats)) {
            free(c);
            return nomem(err);
        }
        ix_union u = {c, n, CRIBLE_DOC_NONE, false};
        bool bad = false;
        while (ix_union_next(&u) != CRIBLE_DOC_NONE) {
            uint32_t tf = ix_union_tf(&u);
            (*df)++;
            *cf += tf;
            if (tf > *max_tf) *max_tf = tf;
        }
        for (uint32_t i = 0; i < n; i++) {
            bad |= c[i].bad;
            ix_pcur_release(&c[i]);
        }
        if (bad) {
            free(c);
            return crible_error_set(err, CRIBLE_EINDEX, "%s: damaged postings in field '%s'", m->src[k].name, of->link);
        }
    }
    free(c);
    return CRIBLE_OK;
}

/* One norm's records (write_exact gathers them), written as one exact entry. */
typedef struct xgroup {
    uint8_t norm[CRIBLE_TERM_MAX + 1];
    size_t len;
    ix_buf stems;              /* the live pairs' stems, back to back */
    ix_pair *pairs;
    size_t n, cap;
    bool self;                 /* one of them is the merged pure stem's own */
    uint64_t df, cf, max_tf;   /* of its one pair */
} xgroup;

static crible_status xgroup_write(merger *m, const ofield *of, xgroup *g, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    size_t off = 0;
    for (size_t i = 0; i < g->n; i++) {   /* the stems' bytes no longer move */
        g->pairs[i].stem = g->stems.data + off;
        off += g->pairs[i].stem_len;
    }
    if (g->n > 1) st = union_stats(m, of, g->norm, g->len, &g->df, &g->cf, &g->max_tf, err);
    if (!st && g->n > 0 && !(g->n == 1 && g->self) && g->df)
        st = ix_segw_exact_term(m->w, g->norm, g->len, (uint32_t)g->df, g->cf, (uint32_t)g->max_tf, g->pairs, g->n,
                                err);
    g->n = 0;
    g->stems.len = 0;
    g->self = false;
    return st;
}

/* Writes the exact field `of` from the entries its text field sorted: in
 * norm order, a norm's pairs (one a stem it was met with) in one entry. */
static crible_status write_exact(merger *m, const ofield *of, crible_error *err)
{
    if (!m->xout) return CRIBLE_OK;
    crible_status st = ix_xsort_finish(m->xout, false, err);
    xgroup g = {.len = 0};
    bool have = false;
    const uint8_t *r;
    size_t rl;
    int got = 0;
    while (!st && (got = ix_xsort_next(m->xout, &r, &rl, err)) == 1) {
        const uint8_t *end = r + rl, *norm = r + 1, *stem, *p;
        uint8_t len = r[0], stem_len;
        uint64_t variant, df, cf, max_tf;
        if (have && (g.len != len || memcmp(g.norm, norm, len) != 0)) st = xgroup_write(m, of, &g, err);
        if (st) break;
        have = true;
        memcpy(g.norm, norm, len);
        g.len = len;
        p = norm + len;
        stem_len = *p++;
        stem = p;
        p += stem_len;
        uint8_t skip = *p++;
        if (p > end || !ix_varint_get(&p, end, &variant) || !ix_varint_get(&p, end, &df) ||
            !ix_varint_get(&p, end, &cf) || !ix_varint_get(&p, end, &max_tf)) {
            st = crible_error_set(err, CRIBLE_EINTERNAL, "bad sort record");
            break;
        }
        if (skip == SKIP_DEAD) continue;
        if (g.n == g.cap) {
            size_t cap = g.cap ? g.cap * 2 : 4;
            ix_pair *x = realloc(g.pairs, cap * sizeof *x);
            if (!x) { st = nomem(err); break; }
            g.pairs = x;
            g.cap = cap;
        }
        if (!ix_buf_add(&g.stems, stem, stem_len)) { st = nomem(err); break; }
        g.pairs[g.n++] = (ix_pair){NULL, stem_len, (uint32_t)variant};
        g.self |= skip == SKIP_SELF;
        g.df = df;
        g.cf = cf;
        g.max_tf = max_tf;
    }
    if (!st && got < 0) st = CRIBLE_EIO;
    if (!st && have) st = xgroup_write(m, of, &g, err);
    free(g.pairs);
    ix_buf_free(&g.stems);
    ix_xsort_free(m->xout);
    m->xout = NULL;
    return st;
}

/* Grows the merged term's variant statistics to nvar, zeroed. */
static crible_status variant_stats(merger *m, uint32_t nvar, crible_error *err)
{
    if (nvar > m->vcap) {
        uint32_t cap = nvar * 2;
        uint32_t *a = realloc(m->vdf, cap * sizeof *a), *b = a ? realloc(m->vmax, cap * sizeof *b) : NULL;
        if (a) m->vdf = a;
        if (b) m->vmax = b;
        uint32_t *c = b ? realloc(m->vtf, cap * sizeof *c) : NULL;
        if (c) m->vtf = c;
        uint64_t *d = c ? realloc(m->vcf, cap * sizeof *d) : NULL;
        if (!d) return nomem(err);
        m->vcf = d;
        m->vcap = cap;
    }
    memset(m->vdf, 0, nvar * sizeof *m->vdf);
    memset(m->vmax, 0, nvar * sizeof *m->vmax);
    memset(m->vtf, 0, nvar * sizeof *m->vtf);
    memset(m->vcf, 0, nvar * sizeof *m->vcf);
    return CRIBLE_OK;
}

/* Merges one stem (text) or term: cur, which the sources `has` hold as
 * their its[k].t. */
static crible_status merge_term(merger *m, const ix_term *cur, ix_dictit *its, const bool *has, bool positions,
                                crible_error *err)
{
    bool variants = m->variants, pure = true, any_orphan = false;
    uint32_t nvar = 0, orphan;
    crible_status st = CRIBLE_OK;
    for (size_t k = 0; !st && k < m->n; k++) {
        if (!has[k] || tcmp(&its[k].t, cur) != 0) continue;
        pure &= its[k].t.pure;
        if (!variants) continue;
        /* a version 5 source's variants are all its norms' unless it says
         * otherwise (IX_FIELD_ORPHANS); a variant number past remap's is
         * an orphan here */
        any_orphan |= its[k].t.vbits != 0 &&
                      (its[k].f->version < 5 || (its[k].f->flags & IX_FIELD_ORPHANS) || its[k].t.vbits > 12);
        st = bystem_norms(m, k, &its[k].t, err);
        if (!st) st = remap_variants(m, k, &its[k].t, &nvar, true, err);
    }
    orphan = nvar;   /* tokens whose norm has no exact entry here */
    if (variants && any_orphan) {
        nvar++;
        ix_segw_field_flag(m->w, IX_FIELD_ORPHANS);   /* so that its merges keep them apart too */
    }
    /* a merged pure stem with its one norm (itself) needs no exact entry */
    if (variants && pure && m->nxs == 1 && m->xs[0].len == cur->len &&
        !memcmp(m->xpool.data + m->xs[0].norm_off, cur->bytes, cur->len))
        m->xs[0].skip = SKIP_SELF;
    if (!st && variants) st = variant_stats(m, nvar, err);
    if (!st) st = ix_segw_term_begin(m->w, cur->bytes, cur->len, pure, variants ? ix_var_bits(nvar) : 0, err);
    for (size_t k = 0; !st && k < m->n; k++) {
        if (!has[k] || tcmp(&its[k].t, cur) != 0) continue;
        if (variants) st = remap_variants(m, k, &its[k].t, &nvar, false, err);
        else m->nremap = 0;
        if (!st) st = copy_postings(m, k, its[k].f, &its[k].t, positions, orphan, err);
    }
    if (!st) st = ix_segw_term_end(m->w, err);
    if (st || !variants) return st;
    /* the exact entries of this stem get their live statistics; a norm
     * left with no live document goes */
    for (size_t x = 0; x < m->nxs; x++) {
        uint32_t v = m->xs[x].variant;
        m->xs[x].df = v < m->vcap ? m->vdf[v] : 0;
        m->xs[x].cf = v < m->vcap ? m->vcf[v] : 0;
        m->xs[x].max_tf = v < m->vcap ? m->vmax[v] : 0;
        if (!m->xs[x].df) m->xs[x].skip = SKIP_DEAD;
    }
    return emit_xentries(m, err);
}

/* Merges the dictionaries of output field o. */
static crible_status merge_terms(merger *m, size_t o, crible_error *err)
{
    const ofield *of = &m->fields[o];
    if (of->kind == CRIBLE_FIELD_EXACT) return write_exact(m, of, err);
    m->variants = of->kind == CRIBLE_FIELD_TEXT && of->out_link >= 0;
    crible_status st = CRIBLE_OK;
    m->nxs = 0;
    if (m->variants) {
        ix_xsort_free(m->xout);   /* a linked field that was not an exact one */
        st = ix_xsort_open(&m->xout, m->path, 0, ix_merge_sort_memory, cmp_lstring, err);
        for (size_t k = 0; !st && k < m->n; k++) st = bystem_load(m, k, m->fields[of->out_link].name, err);
    }
    ix_dictit *its = calloc(m->n + 1, sizeof *its);
    bool *has = calloc(m->n + 1, sizeof *has);
    if (!its || !has) st = st ? st : nomem(err);
    for (size_t k = 0; !st && k < m->n; k++) {
        const ix_segfield *f = src_field(m, k, of->name);
        ix_dictit_init(&its[k], f);
        has[k] = f && ix_dictit_next(&its[k]);
        m->ms[k].forgot_dict = m->ms[k].forgot_post = m->ms[k].forgot_pos = 0;
    }
    bool positions = of->flags & IX_FIELD_POSITIONS;
    while (!st) {
        int best = -1;
        for (size_t i = 0; i < m->n; i++)
            if (has[i] && (best < 0 || tcmp(&its[i].t, &its[best].t) < 0)) best = (int)i;
        if (best < 0) break;
        ix_term cur = its[best].t;
        st = merge_term(m, &cur, its, has, positions, err);
        for (size_t i = 0; !st && i < m->n; i++) {
            if (!has[i] || tcmp(&its[i].t, &cur) != 0) continue;
            const ix_segfield *f = its[i].f;
            msrc *s = &m->ms[i];
            forget_upto(m, &m->src[i], &f->post, its[i].t.post_off, &s->forgot_post);
            forget_upto(m, &m->src[i], &f->pos, its[i].t.pos_off, &s->forgot_pos);
            if (its[i].p >= f->dict.p && its[i].p <= f->dict.p + f->dict.n)
                forget_upto(m, &m->src[i], &f->dict, (uint64_t)(its[i].p - f->dict.p), &s->forgot_dict);
            has[i] = ix_dictit_next(&its[i]);
        }
    }
    for (size_t i = 0; !st && i < m->n; i++)
        if (its[i].bad) st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged term dictionary of '%s'",
                                             m->src[i].name, of->name);
    free(its);
    free(has);
    for (size_t k = 0; k < m->n; k++) {
        ix_xsort_free(m->ms[k].bystem);
        m->ms[k].bystem = NULL;
        m->ms[k].rec = NULL;
    }
    m->variants = false;
    return st;
}

/* Document d's sentence data in source field f (NULL: none): [*a, *e)
 * in the data after the table (empty: none). */
static void sent_range(const ix_segfield *f, uint32_t maxdoc, uint32_t d, const uint8_t **data, uint32_t *a,
                       uint32_t *e)
{
    *a = *e = 0;
    *data = NULL;
    if (!f || !f->sent.present) return;
    size_t table = ix_wtable_bytes(f->sent.p, f->sent.n, maxdoc + 1);
    *a = ix_wtable_get(f->sent.p, d);
    *e = ix_wtable_get(f->sent.p, d + 1);
    if (*a > *e || *e > f->sent.n - table) *a = *e = 0;
    *data = f->sent.p + table;
}

/* One pass over the live documents' sentence data of field `name`: pass
 * 0 counts its bytes in *off, pass 1 writes each document's offset (*off
 * on), pass 2 writes the data. */
static crible_status sent_pass(merger *m, const char *name, int pass, ix_segw_wt *t, uint64_t *off,
                               crible_error *err)
{
    static const uint8_t zero = 0;
    crible_status st = CRIBLE_OK;
    for (size_t k = 0; !st && k < m->n; k++) {
        const ix_segfield *f = src_field(m, k, name);
        for (uint32_t d = 0; !st && d < m->src[k].maxdoc; d++) {
            const uint8_t *data;
            uint32_t a, e;
            if (ix_seg_deleted(&m->src[k], d)) continue;
            sent_range(f, m->src[k].maxdoc, d, &data, &a, &e);
            if (pass == 1) st = ix_segw_wt_put(m->w, t, (uint32_t)*off, err);
            if (pass == 2) st = ix_segw_section_write(m->w, a < e ? data + a : &zero, a < e ? e - a : 1, err);
            *off += a < e ? e - a : 1;
        }
        if (f) ix_segment_forget(&m->src[k], &f->sent);
    }
    return st;
}

/* SENT of output field o (the layout of ix_segw_sentences: the offsets
 * of maxdoc + 1 documents, then the data; a document without sentences
 * has a varint 0), streamed: the data's size first, then the offsets,
 * then the data. */
static crible_status write_sentences(merger *m, size_t o, crible_error *err)
{
    const char *name = m->fields[o].name;
    uint64_t total = 0, off = 0, data = 0;
    ix_segw_wt t;
    crible_status st = sent_pass(m, name, 0, NULL, &total, err);
    if (total > UINT32_MAX) return crible_error_set(err, CRIBLE_EINDEX, "sentence table of '%s' too large", name);
    if (!st) st = ix_segw_section_begin(m->w, IX_SEC_SENT, (int)o, err);
    ix_segw_wt_begin(&t, m->maxdoc + 1, (uint32_t)total);
    if (!st) st = sent_pass(m, name, 1, &t, &off, err);
    if (!st) st = ix_segw_wt_put(m->w, &t, (uint32_t)off, err);
    if (!st) st = ix_segw_wt_end(m->w, &t, err);
    if (!st) st = sent_pass(m, name, 2, NULL, &data, err);
    return st ? st : ix_segw_section_end(m->w, err);
}

/* The live values of a numeric field over the sources, in the new
 * numbering (an ix_numsrc: the segment writer reads them in passes). */
typedef struct numsrc {
    const merger *m;
    const char *name;
    size_t k;                   /* source */
    uint32_t d, hint;           /* its next document, renumber's hint */
    const ix_segfield *f;       /* the field there (NULL: none) */
} numsrc;

static void numsrc_rewind(void *ctx)
{
    numsrc *s = ctx;
    s->k = 0;
    s->d = s->hint = 0;
    s->f = s->m->n ? src_field(s->m, 0, s->name) : NULL;
}

static bool numsrc_next(void *ctx, uint32_t *doc, double *value)
{
    numsrc *s = ctx;
    const merger *m = s->m;
    while (s->k < m->n) {
        const ix_segment *seg = &m->src[s->k];
        if (s->f && s->f->numv.present) {
            while (s->d < seg->maxdoc) {
                uint32_t d = s->d++, nd = renumber(m, s->k, d, &s->hint);
                if (nd != UINT32_MAX && ix_num_value(s->f, seg->maxdoc, d, value)) {
                    *doc = nd;
                    return true;
                }
            }
        }
        if (++s->k < m->n) s->f = src_field(m, s->k, s->name);
        s->d = s->hint = 0;
    }
    return false;
}

static crible_status write_tables(merger *m, size_t o, crible_error *err)
{
    const ofield *of = &m->fields[o];
    crible_status st = CRIBLE_OK;
    if (of->kind == CRIBLE_FIELD_TEXT) {
        st = ix_segw_lengths(m->w, (int)o, m->lengths, m->maxdoc, err);
        if (!st) st = write_sentences(m, o, err);
    }
    if (of->kind == CRIBLE_FIELD_NUMERIC) {
        numsrc ns = {m, of->name, 0, 0, 0, NULL};
        ix_numsrc src = {&ns, numsrc_rewind, numsrc_next};
        st = ix_segw_numeric_src(m->w, (int)o, m->maxdoc, &src, err);
    }
    return st;
}

/* The lengths of TEXT output field t in the new numbering (m->lengths). */
static crible_status field_lengths(merger *m, int t, crible_error *err)
{
    if (m->len_field == t) return CRIBLE_OK;
    if (!m->lengths) {
        m->lengths = calloc((size_t)m->maxdoc + 1, sizeof *m->lengths);
        if (!m->lengths) return nomem(err);
    } else {
        memset(m->lengths, 0, ((size_t)m->maxdoc + 1) * sizeof *m->lengths);
    }
    for (size_t k = 0; k < m->n; k++) {
        const ix_segfield *f = src_field(m, k, m->fields[t].name);
        if (!f || !f->len.present) continue;
        uint32_t hint = 0;
        for (uint32_t d = 0; d < m->src[k].maxdoc; d++) {
            uint32_t nd = renumber(m, k, d, &hint);
            if (nd != UINT32_MAX) m->lengths[nd] = ix_wtable_get(f->len.p, d);
        }
        ix_segment_forget(&m->src[k], &f->len);   /* not read again: 64 KB of fault-around each */
    }
    m->len_field = t;
    return CRIBLE_OK;
}

static crible_status merge_fields(merger *m, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    m->len_field = -1;
    m->seen = malloc(((size_t)m->maxdoc / 64 + 1) * 8);
    if (!m->seen) return nomem(err);
    for (size_t o = 0; !st && o < m->nfields; o++) {
        const ofield *of = &m->fields[o];
        int lf = of->kind == CRIBLE_FIELD_TEXT ? (int)o
               : of->kind == CRIBLE_FIELD_EXACT && of->out_link >= 0 &&
                 m->fields[of->out_link].kind == CRIBLE_FIELD_TEXT ? of->out_link : -1;
        if (lf >= 0) st = field_lengths(m, lf, err);
        if (st) break;
        const uint32_t *lengths = lf >= 0 ? m->lengths : NULL;
        memset(m->seen, 0, ((size_t)m->maxdoc / 64 + 1) * 8);
        st = ix_segw_field_begin(m->w, of->name, of->kind, of->flags, of->out_link, lengths, err);
        if (!st) st = merge_terms(m, o, err);
        uint32_t doc_count = 0;
        uint64_t sum = 0;
        for (uint32_t d = 0; d < m->maxdoc; d++) {
            if (lengths && of->kind == CRIBLE_FIELD_TEXT) sum += lengths[d];
            doc_count += (m->seen[d >> 6] >> (d & 63)) & 1;
        }
        if (of->kind == CRIBLE_FIELD_NUMERIC) {
            doc_count = 0;
            for (size_t k = 0; k < m->n; k++) {
                const ix_segfield *f = src_field(m, k, of->name);
                if (!f || !f->numv.present) continue;
                double v;
                for (uint32_t d = 0; d < m->src[k].maxdoc; d++)
                    doc_count += !ix_seg_deleted(&m->src[k], d) && ix_num_value(f, m->src[k].maxdoc, d, &v);
            }
        }
        if (!st) st = ix_segw_field_end(m->w, doc_count, sum, err);
        if (!st) st = write_tables(m, o, err);
        for (size_t k = 0; k < m->n; k++) {   /* this field is read through */
            const ix_segfield *f = src_field(m, k, of->name);
            if (!f) continue;
            const ix_section *secs[] = {&f->dict, &f->post, &f->pos, &f->len, &f->sent, &f->numv, &f->nums};
            for (size_t i = 0; i < sizeof secs / sizeof *secs; i++) ix_segment_forget(&m->src[k], secs[i]);
        }
    }
    return st;
}

/* One merge of at most IX_MERGE_MAX_AT_ONCE sources. */
static crible_status merge_once(ix_segment *src, size_t n, const char *path, int zstd_level, uint64_t *size,
                                uint32_t *maxdoc, crible_error *err)
{
    merger m = {0};
    m.src = src;
    m.n = n;
    m.path = path;
#ifdef __GLIBC__
    /* the memory freed before (an index writer's buffer, flushed at
     * commit: tens of MB) goes back to the system, so that a merge's peak
     * adds to what is in use, not to what the allocator kept */
    malloc_trim(0);
#endif
    crible_status st = ix_segw_open(path, zstd_level, &m.w, err);
    if (st) return st;
    m.ms = calloc(n + 1, sizeof *m.ms);
    if (!m.ms) st = nomem(err);
    if (!st) st = load_tombstones(&m, err);
    if (!st) st = copy_stored(&m, err);
    if (!st) st = collect_fields(&m, err);
    if (!st) st = merge_fields(&m, err);
    if (!st) {
        *maxdoc = m.maxdoc;
        st = ix_segw_finish(m.w, m.maxdoc, size, err);
        if (!st) __atomic_fetch_add(&ix_merge_docs_written, m.maxdoc, __ATOMIC_RELAXED);
    } else {
        ix_segw_abort(m.w);
    }
    for (size_t k = 0; m.ms && k < n; k++) {
        free(m.ms[k].tomb);
        ix_xsort_free(m.ms[k].bystem);
        free(m.ms[k].v);
        ix_buf_free(&m.ms[k].pool);
    }
    free(m.ms);
    ix_xsort_free(m.xout);
    free(m.lengths);
    free(m.seen);
    free(m.fields);
    ix_buf_free(&m.names);
    free(m.pos);
    free(m.var);
    free(m.xs);
    ix_buf_free(&m.xpool);
    free(m.vdf);
    free(m.vmax);
    free(m.vtf);
    free(m.vcf);
    return st;
}

/* The groups of one level of a merge of m > IX_MERGE_MAX_AT_ONCE (F)
 * sources, consecutive, into g[0..ng): a group of one is carried up to the
 * next level as it is, a larger one merged into a temporary segment.  Up
 * to F x F sources, one level leaves exactly F for the last merge with the
 * fewest documents copied: as many groups of F as that takes and one
 * smaller, first, the other sources alone (m - F sources must go, a group
 * of k takes k - 1 away).  Past F x F, groups of F all along, level after
 * level.  So every document is copied once per level, ceil(log_F m) times
 * at most (2 up to 1,024 sources, 3 up to 32,768), and up to 63 sources
 * exactly as a chain of rounds did: the first m - 31 merged, then with
 * the 31 others.  Example, 100 sources: groups 7, 32, 32 and 29 alone; the
 * last merge reads the 3 temporary segments and the 29: 171 sources'
 * documents written in all, where a chain (69 merged first, itself from
 * 38, from 7) wrote 214, and n^2 / 62 for large n. */
static size_t level_groups(size_t m, size_t *g)
{
    const size_t F = IX_MERGE_MAX_AT_ONCE;
    size_t ng = 0, left = m;
    if (m > F * F) {
        for (size_t i = 0; i < m; i += F) g[ng++] = m - i < F ? m - i : F;
        return ng;
    }
    size_t cut = m - F, full = cut / (F - 1), part = cut % (F - 1);
    if (part) { g[ng++] = part + 1; left -= part + 1; }
    for (size_t i = 0; i < full; i++) { g[ng++] = F; left -= F; }
    while (left--) g[ng++] = 1;
    return ng;
}

/* What an entry of a level is: a caller's source (its index in src),
 * a temporary segment of ours, or gone (merged, or carried up). */
#define TEMP SIZE_MAX
#define GONE (SIZE_MAX - 1)

/* Merges group[0..n) into the temporary segment number `number` in dir,
 * opened into *out (its file unlinked once mapped). */
static crible_status merge_temp(ix_segment *group, size_t n, const char *dir, uint64_t number, int zstd_level,
                                ix_segment *out, crible_error *err)
{
    char name[64], tpath[4200];
    ix_seginfo info = {number, 0, 0, 0, 0};
    ix_segment_name(name, sizeof name, number);
    if (!ix_path(tpath, sizeof tpath, dir, name))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%.100s...'", dir);
    crible_status st = merge_once(group, n, tpath, zstd_level, &info.size, &info.maxdoc, err);
    if (st) return st;   /* the partial file removed */
    st = ix_segment_open(dir, &info, false, out, err);
    unlink(tpath);   /* mapped: lives until closed */
    if (st) return st;
    ix_segment_forget_bytes(out, out->map, out->map + out->map_len);
    return CRIBLE_OK;
}

/* After a merge of lvl[at..at+n): the caller's sources given back to src
 * (the merge freed their zstd dictionaries), our temporary ones closed. */
static void release(ix_segment *src, ix_segment *lvl, size_t *from, size_t at, size_t n)
{
    for (size_t i = at; i < at + n; i++) {
        if (from[i] == TEMP) ix_segment_close(&lvl[i]);
        else if (from[i] != GONE) src[from[i]] = lvl[i];
        from[i] = GONE;
    }
}

/* Merges src[0..n) in a tree of merges of at most IX_MERGE_MAX_AT_ONCE
 * sources (level_groups), level by level; the temporary segments are
 * seg-ROUND_SEGMENT+k.cri beside `path`, each unlinked once mapped and
 * closed once merged.  At most one is being written at a time: a crash
 * leaves it behind, named by no MANIFEST. */
static crible_status merge_tree(ix_segment *src, size_t n, const char *path, int zstd_level, uint64_t *size,
                                uint32_t *maxdoc, crible_error *err)
{
    if (n <= IX_MERGE_MAX_AT_ONCE) return merge_once(src, n, path, zstd_level, size, maxdoc, err);
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 1;
    if (dl >= sizeof dir) return crible_error_set(err, CRIBLE_EIO, "path too long: '%.100s...'", path);
    memcpy(dir, slash ? path : ".", dl);
    dir[dl] = 0;
    ix_segment *lvl = malloc(n * sizeof *lvl), *next = malloc(n * sizeof *next);
    size_t *from = malloc(n * sizeof *from), *nfrom = malloc(n * sizeof *nfrom), *g = malloc(n * sizeof *g);
    crible_status st = lvl && next && from && nfrom && g ? CRIBLE_OK : nomem(err);
    size_t m = 0;
    if (!st) {
        memcpy(lvl, src, n * sizeof *lvl);
        for (size_t i = 0; i < n; i++) from[i] = i;
        m = n;
    }
    uint64_t number = ROUND_SEGMENT;
    while (!st && m > IX_MERGE_MAX_AT_ONCE) {
        size_t ng = level_groups(m, g), at = 0, j = 0;
        for (size_t k = 0; !st && k < ng; at += g[k++]) {
            if (g[k] == 1) {   /* carried up */
                next[j] = lvl[at];
                nfrom[j++] = from[at];
                from[at] = GONE;
                continue;
            }
            st = merge_temp(lvl + at, g[k], dir, number++, zstd_level, &next[j], err);
            release(src, lvl, from, at, g[k]);
            if (!st) nfrom[j++] = TEMP;
        }
        release(src, lvl, from, 0, m);   /* on an error, what this level had left */
        ix_segment *t = lvl;
        lvl = next;
        next = t;
        size_t *f = from;
        from = nfrom;
        nfrom = f;
        m = j;
    }
    if (!st) st = merge_once(lvl, m, path, zstd_level, size, maxdoc, err);
    if (from) release(src, lvl, from, 0, m);
    free(lvl);
    free(next);
    free(from);
    free(nfrom);
    free(g);
    return st;
}

crible_status ix_merge(ix_segment *src, size_t n, const char *path, int zstd_level, uint64_t *size,
                       uint32_t *maxdoc, crible_error *err)
{
    /* the pages their opening touched (with the kernel's fault-around,
     * ~0.5 MB a source), read again as needed */
    for (size_t k = 0; k < n; k++)
        ix_segment_forget_bytes(&src[k], src[k].map, src[k].map + src[k].map_len);
    return merge_tree(src, n, path, zstd_level, size, maxdoc, err);
}
