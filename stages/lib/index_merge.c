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
    uint32_t *pos;
    size_t pos_cap;
} merger;

static crible_status nomem(crible_error *err) { return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while merging"); }

/* Length of the stored record at p (bounded), 0 if damaged. */
static size_t record_len(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *q = p;
    uint64_t jl, nf, nt, v;
    if (!ix_varint_get(&q, end, &jl) || jl > (uint64_t)(end - q)) return 0;
    q += jl;
    if (!ix_varint_get(&q, end, &nf) || nf > 64) return 0;
    for (uint64_t f = 0; f < nf; f++) {
        if (q >= end || (size_t)(end - q) < 1u + *q) return 0;
        q += 1 + *q;
        if (!ix_varint_get(&q, end, &nt)) return 0;
        for (uint64_t t = 0; t < 2 * nt; t++)
            if (!ix_varint_get(&q, end, &v)) return 0;
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
            st = ix_stored_block(s, d, &buf, &rec, &len, err);
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
    }
    ix_buf_free(&buf);
    m->maxdoc = ix_segw_ndocs(m->w);
    return st;
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
static crible_status copy_postings(merger *m, size_t k, const ix_segfield *f, const ix_term *t,
                                   bool positions, crible_error *err)
{
    ix_pcur c;
    ix_pcur_init(&c, &m->src[k], f, t, false);
    crible_status st = CRIBLE_OK;
    for (uint32_t d; !st && (d = ix_pcur_next(&c)) != CRIBLE_DOC_NONE;) {
        uint32_t nd = m->map[k][d];
        if (nd == UINT32_MAX) continue;
        uint32_t tf = c.tfs[c.i];
        if (positions) {
            if (tf > m->pos_cap) {
                uint32_t *p = realloc(m->pos, (size_t)tf * sizeof *p);
                if (!p) return nomem(err);
                m->pos = p;
                m->pos_cap = tf;
            }
            if (ix_pcur_positions(&c, m->pos, tf) != tf || c.bad) break;
        }
        m->seen[nd >> 6] |= 1ull << (nd & 63);
        st = ix_segw_term_doc(m->w, nd, tf, positions ? m->pos : NULL, err);
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

/* Merges the dictionaries of output field o. */
static crible_status merge_terms(merger *m, size_t o, crible_error *err)
{
    const ofield *of = &m->fields[o];
    bool exact = of->kind == CRIBLE_FIELD_EXACT && of->link;
    size_t nit = m->n * (exact ? 2 : 1);
    ix_dictit *its = calloc(nit + 1, sizeof *its);
    bool *has = calloc(nit + 1, sizeof *has);
    if (!its || !has) { free(its); free(has); return nomem(err); }
    for (size_t k = 0; k < m->n; k++) {
        const ix_segfield *f = src_field(m, k, of->name);
        ix_dictit_init(&its[k], f);
        has[k] = f && ix_dictit_next(&its[k]);
        if (exact) {
            const ix_segfield *sf = src_field(m, k, of->link);
            ix_dictit_init(&its[m->n + k], sf);
            has[m->n + k] = sf && ix_dictit_next(&its[m->n + k]);
        }
    }
    crible_status st = CRIBLE_OK;
    bool positions = of->flags & IX_FIELD_POSITIONS;
    for (;;) {
        int best = -1;
        for (size_t i = 0; i < nit; i++) {
            if (!has[i]) continue;
            /* stem terms stand for exact ones only when pure */
            if (i >= m->n && !its[i].t.pure) { has[i] = ix_dictit_next(&its[i]); i--; continue; }
            if (best < 0 || tcmp(&its[i].t, &its[best].t) < 0) best = (int)i;
        }
        if (best < 0) break;
        ix_term cur = its[best].t;
        bool pure = true, stem_exists = false, stem_pure = true;
        for (size_t i = 0; i < nit; i++)
            if (has[i] && i < m->n && tcmp(&its[i].t, &cur) == 0) pure &= its[i].t.pure;
        if (exact) {
            for (size_t k = 0; k < m->n; k++) {
                const ix_segfield *sf = src_field(m, k, of->link);
                ix_term st2;
                if (sf && ix_dict_lookup(sf, cur.bytes, cur.len, &st2)) {
                    stem_exists = true;
                    stem_pure &= st2.pure;
                }
            }
        }
        bool skip = exact && pure && stem_exists && stem_pure;
        if (!skip) st = ix_segw_term_begin(m->w, cur.bytes, cur.len, pure, err);
        for (size_t k = 0; !st && !skip && k < m->n; k++) {
            if (has[k] && tcmp(&its[k].t, &cur) == 0)
                st = copy_postings(m, k, its[k].f, &its[k].t, positions, err);
            else if (exact && has[m->n + k] && tcmp(&its[m->n + k].t, &cur) == 0)
                st = copy_postings(m, k, its[m->n + k].f, &its[m->n + k].t, positions, err);
        }
        if (!st && !skip) st = ix_segw_term_end(m->w, err);
        if (skip) {
            /* the exact term stays left out: its documents are the stem's */
            for (size_t k = 0; k < m->n; k++) {
                if (has[k] && tcmp(&its[k].t, &cur) == 0) {
                    ix_pcur c;
                    ix_pcur_init(&c, &m->src[k], its[k].f, &its[k].t, false);
                    for (uint32_t d; (d = ix_pcur_next(&c)) != CRIBLE_DOC_NONE;)
                        if (m->map[k][d] != UINT32_MAX) m->seen[m->map[k][d] >> 6] |= 1ull << (m->map[k][d] & 63);
                }
            }
        }
        if (st) break;
        for (size_t i = 0; i < nit; i++)
            if (has[i] && tcmp(&its[i].t, &cur) == 0) has[i] = ix_dictit_next(&its[i]);
    }
    for (size_t i = 0; !st && i < nit; i++)
        if (its[i].bad) st = crible_error_set(err, CRIBLE_EINDEX, "%s: damaged term dictionary of '%s'",
                                             m->src[i % m->n].name, of->name);
    free(its);
    free(has);
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
            size_t table = ((size_t)m->src[k].maxdoc + 1) * 4;
            for (uint32_t d = 0; !st && d < m->src[k].maxdoc; d++) {
                uint32_t nd = m->map[k][d];
                if (nd == UINT32_MAX) continue;
                offs[nd] = (uint32_t)data.len;
                uint32_t a = 0, e = 0;
                if (f && f->sent.present) {
                    a = ix_get32(f->sent.p + 4 * (size_t)d);
                    e = ix_get32(f->sent.p + 4 * (size_t)d + 4);
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
            for (uint32_t d = 0; d < m->src[k].maxdoc; d++)
                if (m->map[k][d] != UINT32_MAX) vals[m->map[k][d]] = ix_getf64(f->numv.p + 8 * (size_t)d);
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
                if (m->map[k][d] != UINT32_MAX) m->lengths[o][m->map[k][d]] = ix_get32(f->len.p + 4 * (size_t)d);
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
                for (uint32_t d = 0; d < m->src[k].maxdoc; d++)
                    doc_count += m->map[k][d] != UINT32_MAX && !isnan(ix_getf64(f->numv.p + 8 * (size_t)d));
            }
        }
        if (!st) st = ix_segw_field_end(m->w, doc_count, sum, err);
        if (!st) st = write_tables(m, o, err);
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
    return st;
}
