/*
 * index_merge.c - merges segments into one: stored records copied block by
 * block (live documents only, renumbered in source order), every field's
 * dictionaries merged term by term in byte order with their postings
 * concatenated and renumbered, and the per-document tables (lengths,
 * sentences, values) carried over.  The exact field is rebuilt with the
 * rule of index_format.c (PURE): a source may have left an exact term out
 * because its stem term stood for it; if the merged stem term is no longer
 * pure, the exact term is written from that source's stem postings.
 */
#include "index_merge.h"

#include <math.h>
#include <stdlib.h>

#include "index_segment.h"

typedef struct ofield {
    const char *name;      /* points into a source's META */
    int kind;
    unsigned flags;
    const char *link;      /* linked field's name or NULL */
    int out_link;
} ofield;

/* A source stem's norms: variant number -> norm and its stats. */
typedef struct vnorm {         /* 12 bytes: a merge holds one per norm and source */
    uint32_t variant;
    uint32_t off;               /* the norm's bytes in the vmap's pool */
    uint8_t len;
} vnorm;

typedef struct vlist {          /* one (source, stem) */
    size_t stem_off;            /* in the pool */
    uint8_t stem_len;
    vnorm *v;
    uint32_t n, cap;
} vlist;

typedef struct vmap {           /* stem -> vlist, per source */
    vlist **slots;
    size_t cap, n;
    ix_buf pool;                /* strings: memory is what the dictionary holds */
} vmap;

/* A merged exact entry; strings in the merger's xpool. */
typedef struct xentry {
    size_t norm_off, stem_off;
    const char *norm, *stem;    /* resolved before sorting */
    uint8_t len, stem_len;
    uint32_t variant, df, max_tf;
    uint64_t cf;
    bool skip;
} xentry;

typedef struct merger {
    ix_segment *src;
    size_t n;
    uint32_t **map;        /* per source: local -> new doc, UINT32_MAX if deleted */
    uint32_t maxdoc;
    ix_segw *w;
    ofield *fields;
    size_t nfields;
    uint32_t **lengths;    /* per output field (TEXT), new numbering */
    uint64_t *seen;        /* docs having the current field */
    uint32_t *pos, *var;
    size_t pos_cap;
    vmap *vmaps;           /* per source, for the text field being merged */
    xentry *xs;            /* merged exact entries of that field */
    size_t nxs, xs_cap;
    ix_buf xpool;
    uint32_t remap[1 << 12];   /* source variant -> merged, per copy */
    uint32_t nremap;
    /* live statistics of the merged term's variants (for its exact entries) */
    uint32_t *vdf, *vmax, *vtf;
    uint64_t *vcf;
    uint32_t vcap;
} merger;

static crible_status nomem(crible_error *err) { return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while merging"); }

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

static crible_status copy_stored(merger *m, crible_error *err)
{
    ix_buf buf = {0};
    crible_status st = CRIBLE_OK;
    for (size_t k = 0; !st && k < m->n; k++) {
        ix_segment *s = &m->src[k];
        uint32_t d = 0;
        while (!st && d < s->maxdoc) {
            const uint8_t *rec;
            size_t len;
            st = ix_stored_block(s, d, &buf, NULL, NULL, &rec, &len, err);
            if (st) break;
            const uint8_t *end = buf.data + buf.len;
            /* the block's records from d on */
            const uint8_t *p = rec;
            do {
                size_t rl = record_len(p, end);
                if (!rl) { st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged stored block", s->name); break; }
                if (!ix_seg_deleted(s, d)) {
                    m->map[k][d] = ix_segw_ndocs(m->w);
                    st = ix_segw_stored_doc(m->w, p, rl, err);
                }
                p += rl;
                d++;
            } while (!st && p < end && d < s->maxdoc);
        }
        ix_segment_forget(s, &s->stored);
    }
    ix_buf_free(&buf);
    m->maxdoc = ix_segw_ndocs(m->w);
    return st;
}

static uint32_t hash_str(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
    return h;
}

static vlist *vmap_get(vmap *m, const void *stem, size_t len, bool create)
{
    if (create && (m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        vlist **t = calloc(cap, sizeof *t);
        if (!t) return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i]) continue;
            size_t j = hash_str(m->pool.data + m->slots[i]->stem_off, m->slots[i]->stem_len) & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = t;
        m->cap = cap;
    }
    if (!m->cap) return NULL;
    size_t j = hash_str(stem, len) & (m->cap - 1);
    for (; m->slots[j]; j = (j + 1) & (m->cap - 1))
        if (m->slots[j]->stem_len == len && !memcmp(m->pool.data + m->slots[j]->stem_off, stem, len))
            return m->slots[j];
    if (!create) return NULL;
    vlist *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->stem_off = m->pool.len;
    if (!ix_buf_add(&m->pool, stem, len)) { free(v); return NULL; }
    v->stem_len = (uint8_t)len;
    m->slots[j] = v;
    m->n++;
    return v;
}

static void vmap_free(vmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i]) { free(m->slots[i]->v); free(m->slots[i]); }
    free(m->slots);
    ix_buf_free(&m->pool);
    memset(m, 0, sizeof *m);
}

/* Reads source k's exact dictionary `name` into its vmap. */
static crible_status vmap_load(merger *m, size_t k, const char *name, crible_error *err)
{
    int l = ix_segment_field(&m->src[k], name);
    if (l < 0) return CRIBLE_OK;
    ix_dictit it;
    ix_dictit_init(&it, &m->src[k].fields[l]);
    while (ix_dictit_next(&it)) {
        vlist *v = vmap_get(&m->vmaps[k], it.t.stem, it.t.stem_len, true);
        if (!v) return nomem(err);
        if (v->n == v->cap) {
            uint32_t cap = v->cap ? v->cap * 2 : 4;
            vnorm *n = realloc(v->v, cap * sizeof *n);
            if (!n) return nomem(err);
            v->v = n;
            v->cap = cap;
        }
        vnorm *e = &v->v[v->n++];
        e->variant = it.t.variant;
        e->len = (uint8_t)it.t.len;
        if (m->vmaps[k].pool.len > UINT32_MAX - 512) return crible_error_set(err, CRIBLE_EINDEX, "dictionary too large");
        e->off = (uint32_t)m->vmaps[k].pool.len;
        if (!ix_buf_add(&m->vmaps[k].pool, it.t.bytes, it.t.len)) return nomem(err);
    }
    if (it.bad) return crible_error_set(err, CRIBLE_EINDEX, "%s: damaged term dictionary of '%s'", m->src[k].name, name);
    return CRIBLE_OK;
}

static crible_status add_xentry(merger *m, const ix_term *stem, const char *norm, size_t len, uint32_t variant,
                                crible_error *err)
{
    /* the same norm of the same stem from an earlier source: already there */
    for (size_t i = m->nxs; i-- > 0;) {
        xentry *x = &m->xs[i];
        if (x->stem_len != stem->len || memcmp(m->xpool.data + x->stem_off, stem->bytes, stem->len)) break;
        if (x->len == len && !memcmp(m->xpool.data + x->norm_off, norm, len)) return CRIBLE_OK;
    }
    if (m->nxs == m->xs_cap) {
        size_t cap = m->xs_cap ? m->xs_cap * 2 : 1024;
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
    x->skip = false;
    return CRIBLE_OK;
}

/* Before copying source k's postings of stem term t into the merged term:
 * gives each of its norms a merged variant number (m->remap), recording the
 * merged exact entries; *nvar counts the merged term's variants. */
static crible_status remap_variants(merger *m, size_t k, const ix_term *t, size_t first_x, uint32_t *nvar,
                                    bool record, crible_error *err)
{
    vlist *v = m->vmaps ? vmap_get(&m->vmaps[k], t->bytes, t->len, false) : NULL;
    m->nremap = t->vbits ? 1u << t->vbits : 1;
    if (m->nremap > sizeof m->remap / sizeof *m->remap) m->nremap = sizeof m->remap / sizeof *m->remap;
    for (uint32_t i = 0; i < m->nremap; i++) m->remap[i] = UINT32_MAX;
    vnorm implicit;
    vnorm *list = v ? v->v : &implicit;
    const uint8_t *pool = v ? m->vmaps[k].pool.data : t->bytes;
    uint32_t n = v ? v->n : 0;
    if (!v && t->pure) {   /* a pure stem: its one norm is itself */
        implicit = (vnorm){0, 0, (uint8_t)t->len};
        n = 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        vnorm *e = &list[i];
        uint32_t merged = UINT32_MAX;
        for (size_t x = first_x; x < m->nxs; x++)
            if (m->xs[x].len == e->len && !memcmp(m->xpool.data + m->xs[x].norm_off, pool + e->off, e->len))
                merged = m->xs[x].variant;
        if (record) {
            if (merged == UINT32_MAX) merged = (*nvar)++;
            crible_status st = add_xentry(m, t, (const char *)pool + e->off, e->len, merged, err);
            if (st) return st;
        }
        if (e->variant < m->nremap) m->remap[e->variant] = merged;
    }
    return CRIBLE_OK;
}

static int cmp_xentry(const void *a, const void *b)
{
    const xentry *x = a, *y = b;
    int c = memcmp(x->norm, y->norm, x->len < y->len ? x->len : y->len);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return 0;
}

static int find_ofield(const merger *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].name, name) == 0) return (int)i;
    return -1;
}

static crible_status collect_fields(merger *m, crible_error *err)
{
    for (size_t k = 0; k < m->n; k++) {
        for (uint32_t i = 0; i < m->src[k].nfields; i++) {
            const ix_segfield *f = &m->src[k].fields[i];
            int o = find_ofield(m, f->name);
            if (o >= 0) {
                if (m->fields[o].kind != f->kind)
                    return crible_error_set(err, CRIBLE_EINDEX, "field '%s' has two kinds in the merged segments", f->name);
                continue;
            }
            ofield *nf = realloc(m->fields, (m->nfields + 1) * sizeof *nf);
            if (!nf) return nomem(err);
            m->fields = nf;
            nf[m->nfields++] = (ofield){f->name, f->kind, f->flags,
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

static const ix_segfield *src_field(const merger *m, size_t k, const char *name)
{
    int l = ix_segment_field(&m->src[k], name);
    return l < 0 ? NULL : &m->src[k].fields[l];
}

/* Copies one source term's postings into the open output term. */
/* Copies one source term's postings into the open output term, the
 * positions' variants renumbered through m->remap (orphans: `orphan`). */
static crible_status copy_postings(merger *m, size_t k, const ix_segfield *f, const ix_term *t,
                                   bool positions, uint32_t orphan, crible_error *err)
{
    ix_pcur c;
    ix_pcur_init(&c, &m->src[k], f, t, false);
    crible_status st = CRIBLE_OK;
    for (uint32_t d; !st && (d = ix_pcur_next(&c)) != CRIBLE_DOC_NONE;) {
        uint32_t nd = m->map[k][d];
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

static int tcmp(const ix_term *a, const ix_term *b)
{
    int c = memcmp(a->bytes, b->bytes, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static unsigned var_bits(uint32_t nvar)
{
    unsigned b = 0;
    while (nvar > 1 && (1u << b) < nvar && b < IX_MAX_VBITS) b++;
    return b;
}

/* Writes the exact field o from the entries gathered with its text field. */
static crible_status write_exact(merger *m, crible_error *err)
{
    for (size_t i = 0; i < m->nxs; i++) {
        m->xs[i].norm = (const char *)m->xpool.data + m->xs[i].norm_off;
        m->xs[i].stem = (const char *)m->xpool.data + m->xs[i].stem_off;
    }
    qsort(m->xs, m->nxs, sizeof *m->xs, cmp_xentry);
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; !st && i < m->nxs; i++) {
        xentry *x = &m->xs[i];
        if (i > 0 && !cmp_xentry(x, &m->xs[i - 1])) continue;   /* one norm, two stems: the first */
        if (x->skip) continue;
        st = ix_segw_exact_term(m->w, (const uint8_t *)x->norm, x->len, x->df, x->cf, x->max_tf,
                                (const uint8_t *)x->stem, x->stem_len, x->variant, err);
    }
    m->nxs = 0;
    m->xpool.len = 0;
    return st;
}

/* Merges the dictionaries of output field o. */
static crible_status merge_terms(merger *m, size_t o, crible_error *err)
{
    const ofield *of = &m->fields[o];
    if (of->kind == CRIBLE_FIELD_EXACT) return write_exact(m, err);
    bool variants = of->kind == CRIBLE_FIELD_TEXT && of->out_link >= 0;
    crible_status st = CRIBLE_OK;
    m->nxs = 0;
    if (variants) {
        m->vmaps = calloc(m->n + 1, sizeof *m->vmaps);
        if (!m->vmaps) return nomem(err);
        for (size_t k = 0; !st && k < m->n; k++) st = vmap_load(m, k, m->fields[of->out_link].name, err);
    }
    ix_dictit *its = calloc(m->n + 1, sizeof *its);
    bool *has = calloc(m->n + 1, sizeof *has);
    if (!its || !has) st = st ? st : nomem(err);
    for (size_t k = 0; !st && k < m->n; k++) {
        const ix_segfield *f = src_field(m, k, of->name);
        ix_dictit_init(&its[k], f);
        has[k] = f && ix_dictit_next(&its[k]);
    }
    bool positions = of->flags & IX_FIELD_POSITIONS;
    while (!st) {
        int best = -1;
        for (size_t i = 0; i < m->n; i++)
            if (has[i] && (best < 0 || tcmp(&its[i].t, &its[best].t) < 0)) best = (int)i;
        if (best < 0) break;
        ix_term cur = its[best].t;
        bool pure = true;
        uint32_t nvar = 0, orphan;
        size_t first_x = m->nxs;
        for (size_t k = 0; k < m->n; k++)
            if (has[k] && tcmp(&its[k].t, &cur) == 0) {
                pure &= its[k].t.pure;
                if (variants) st = remap_variants(m, k, &its[k].t, first_x, &nvar, true, err);
            }
        orphan = nvar;   /* tokens whose norm has no exact entry here */
        bool any_orphan = false;
        for (size_t k = 0; variants && !st && k < m->n; k++)
            if (has[k] && tcmp(&its[k].t, &cur) == 0 && its[k].t.vbits) any_orphan = true;
        if (variants && any_orphan) nvar++;
        /* a merged pure stem with its one norm (itself) needs no exact entry */
        if (variants && pure && m->nxs == first_x + 1 && m->xs[first_x].len == cur.len &&
            !memcmp(m->xpool.data + m->xs[first_x].norm_off, cur.bytes, cur.len))
            m->xs[first_x].skip = true;
        if (variants && nvar > m->vcap) {
            uint32_t cap = nvar * 2;
            uint32_t *a = realloc(m->vdf, cap * sizeof *a), *b = a ? realloc(m->vmax, cap * sizeof *b) : NULL;
            if (a) m->vdf = a;
            if (b) m->vmax = b;
            uint32_t *c = b ? realloc(m->vtf, cap * sizeof *c) : NULL;
            if (c) m->vtf = c;
            uint64_t *d = c ? realloc(m->vcf, cap * sizeof *d) : NULL;
            if (!d) { st = nomem(err); break; }
            m->vcf = d;
            m->vcap = cap;
        }
        if (variants) {
            memset(m->vdf, 0, nvar * sizeof *m->vdf);
            memset(m->vmax, 0, nvar * sizeof *m->vmax);
            memset(m->vtf, 0, nvar * sizeof *m->vtf);
            memset(m->vcf, 0, nvar * sizeof *m->vcf);
        }
        if (!st) st = ix_segw_term_begin(m->w, cur.bytes, cur.len, pure, variants ? var_bits(nvar) : 0, err);
        for (size_t k = 0; !st && k < m->n; k++) {
            if (!has[k] || tcmp(&its[k].t, &cur) != 0) continue;
            if (variants) {
                st = remap_variants(m, k, &its[k].t, first_x, &nvar, false, err);
                if (st) break;
            } else {
                m->nremap = 0;
            }
            st = copy_postings(m, k, its[k].f, &its[k].t, positions, orphan, err);
        }
        if (!st) st = ix_segw_term_end(m->w, err);
        /* the exact entries of this stem get their live statistics; a norm
         * left with no live document goes */
        for (size_t x = first_x; variants && x < m->nxs; x++) {
            uint32_t v = m->xs[x].variant;
            m->xs[x].df = v < m->vcap ? m->vdf[v] : 0;
            m->xs[x].cf = v < m->vcap ? m->vcf[v] : 0;
            m->xs[x].max_tf = v < m->vcap ? m->vmax[v] : 0;
            if (!m->xs[x].df) m->xs[x].skip = true;
        }
        for (size_t i = 0; i < m->n; i++)
            if (has[i] && tcmp(&its[i].t, &cur) == 0) has[i] = ix_dictit_next(&its[i]);
    }
    for (size_t i = 0; !st && i < m->n; i++)
        if (its[i].bad) st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged term dictionary of '%s'",
                                             m->src[i].name, of->name);
    free(its);
    free(has);
    if (m->vmaps) {
        for (size_t k = 0; k < m->n; k++) vmap_free(&m->vmaps[k]);
        free(m->vmaps);
        m->vmaps = NULL;
    }
    return st;
}

static crible_status write_tables(merger *m, size_t o, crible_error *err)
{
    const ofield *of = &m->fields[o];
    crible_status st = CRIBLE_OK;
    if (of->kind == CRIBLE_FIELD_TEXT) {
        st = ix_segw_lengths(m->w, (int)o, m->lengths[o], m->maxdoc, err);
        /* SENT: offsets then data, copied per document */
        ix_buf data = {0};
        uint32_t *offs = malloc(((size_t)m->maxdoc + 1) * sizeof *offs);
        if (!offs) return nomem(err);
        for (size_t k = 0; !st && k < m->n; k++) {
            const ix_segfield *f = src_field(m, k, of->name);
            size_t table = f && f->sent.present ? ix_wtable_bytes(f->sent.p, f->sent.n, m->src[k].maxdoc + 1) : 0;
            for (uint32_t d = 0; !st && d < m->src[k].maxdoc; d++) {
                uint32_t nd = m->map[k][d];
                if (nd == UINT32_MAX) continue;
                offs[nd] = (uint32_t)data.len;
                uint32_t a = 0, e = 0;
                if (f && f->sent.present) {
                    a = ix_wtable_get(f->sent.p, d);
                    e = ix_wtable_get(f->sent.p, d + 1);
                    if (a > e || e > f->sent.n - table) a = e = 0;
                }
                bool ok = a < e ? ix_buf_add(&data, f->sent.p + table + a, e - a) : ix_buf_varint(&data, 0);
                if (!ok) st = nomem(err);
            }
        }
        offs[m->maxdoc] = (uint32_t)data.len;
        if (!st) st = ix_segw_sentences(m->w, (int)o, offs, &data, m->maxdoc, err);
        free(offs);
        ix_buf_free(&data);
    }
    if (of->kind == CRIBLE_FIELD_NUMERIC) {
        double *vals = malloc(((size_t)m->maxdoc + 1) * sizeof *vals);
        if (!vals) return nomem(err);
        for (uint32_t d = 0; d < m->maxdoc; d++) vals[d] = NAN;
        for (size_t k = 0; k < m->n; k++) {
            const ix_segfield *f = src_field(m, k, of->name);
            if (!f || !f->numv.present) continue;
            for (uint32_t d = 0; d < m->src[k].maxdoc; d++) {
                double v;
                if (m->map[k][d] != UINT32_MAX && ix_num_value(f, m->src[k].maxdoc, d, &v)) vals[m->map[k][d]] = v;
            }
        }
        st = ix_segw_numeric(m->w, (int)o, vals, m->maxdoc, err);
        free(vals);
    }
    return st;
}

static crible_status merge_fields(merger *m, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    m->lengths = calloc(m->nfields + 1, sizeof *m->lengths);
    m->seen = malloc(((size_t)m->maxdoc / 64 + 1) * 8);
    if (!m->lengths || !m->seen) return nomem(err);
    for (size_t o = 0; o < m->nfields; o++) {
        if (m->fields[o].kind != CRIBLE_FIELD_TEXT) continue;
        m->lengths[o] = calloc((size_t)m->maxdoc + 1, sizeof **m->lengths);
        if (!m->lengths[o]) return nomem(err);
        for (size_t k = 0; k < m->n; k++) {
            const ix_segfield *f = src_field(m, k, m->fields[o].name);
            if (!f || !f->len.present) continue;
            for (uint32_t d = 0; d < m->src[k].maxdoc; d++)
                if (m->map[k][d] != UINT32_MAX) m->lengths[o][m->map[k][d]] = ix_wtable_get(f->len.p, d);
        }
    }
    for (size_t o = 0; !st && o < m->nfields; o++) {
        const ofield *of = &m->fields[o];
        const uint32_t *lengths = of->kind == CRIBLE_FIELD_TEXT ? m->lengths[o]
                                : of->kind == CRIBLE_FIELD_EXACT && of->out_link >= 0 ? m->lengths[of->out_link]
                                : NULL;
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
                    doc_count += m->map[k][d] != UINT32_MAX && ix_num_value(f, m->src[k].maxdoc, d, &v);
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

crible_status ix_merge(ix_segment *src, size_t n, const char *path, int zstd_level, uint64_t *size,
                       uint32_t *maxdoc, crible_error *err)
{
    merger m = {0};
    m.src = src;
    m.n = n;
    crible_status st = ix_segw_open(path, zstd_level, &m.w, err);
    if (st) return st;
    m.map = calloc(n + 1, sizeof *m.map);
    if (!m.map) st = nomem(err);
    for (size_t k = 0; !st && k < n; k++) {
        m.map[k] = malloc(((size_t)src[k].maxdoc + 1) * sizeof **m.map);
        if (!m.map[k]) { st = nomem(err); break; }
        for (uint32_t d = 0; d < src[k].maxdoc; d++) m.map[k][d] = UINT32_MAX;
    }
    if (!st) st = copy_stored(&m, err);
    if (!st) st = collect_fields(&m, err);
    if (!st) st = merge_fields(&m, err);
    if (!st) {
        *maxdoc = m.maxdoc;
        st = ix_segw_finish(m.w, m.maxdoc, size, err);
    } else {
        ix_segw_abort(m.w);
    }
    for (size_t k = 0; m.map && k < n; k++) free(m.map[k]);
    free(m.map);
    for (size_t o = 0; m.lengths && o < m.nfields; o++) free(m.lengths[o]);
    free(m.lengths);
    free(m.seen);
    free(m.fields);
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
