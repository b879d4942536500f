/*
 * index_terms.c - the term dictionary: decoding a segment's front-coded
 * blocks (layout: DICT in index_format.c), exact lookup by binary search over
 * the blocks' first terms, seek/next enumeration, and the snapshot-wide
 * enumeration that merges the segments' dictionaries in byte order
 * (crible_terms_*, for prefix and fuzzy queries).
 */
#include "index_reader.h"

#include <stdlib.h>

/* Positions the iterator at the start of block b. */
static bool block_start(ix_dictit *it, uint32_t b)
{
    const ix_segfield *f = it->f;
    it->block = b;
    it->in_block = 0;
    it->doc1_have = false;
    if (b >= f->dict_nblocks) { it->p = it->end = NULL; return false; }
    uint32_t off = ix_get32(f->dict_offs + 4 * (size_t)b);
    uint32_t next = b + 1 < f->dict_nblocks ? ix_get32(f->dict_offs + 4 * (size_t)(b + 1))
                                            : (uint32_t)f->dict_data_len;
    if (off > next || next > f->dict_data_len) { it->bad = true; it->p = it->end = NULL; return false; }
    it->p = f->dict_data + off;
    it->end = f->dict_data + next;
    it->done = b * IX_DICT_BLOCK;
    return true;
}

void ix_dictit_init(ix_dictit *it, const ix_segfield *f)
{
    memset(it, 0, sizeof *it);
    it->f = f;
    if (f && f->dict.present) block_start(it, 0);
}

/* ix_varint_get with the one- and two-byte cases inline (lengths and
 * offsets of a dictionary entry are mostly under 16384). */
static inline bool vget(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    const uint8_t *q = *p;
    if (end - q >= 2) {
        if (q[0] < 0x80) { *v = q[0]; *p = q + 1; return true; }
        if (q[1] < 0x80) { *v = (uint64_t)(q[0] & 0x7f) | ((uint64_t)q[1] << 7); *p = q + 2; return true; }
    }
    return ix_varint_get(p, end, v);
}

/* Decodes the term at it->p within the current block. */
static bool decode(ix_dictit *it)
{
    ix_term *t = &it->t;
    const ix_segfield *f = it->f;
    uint64_t shared = 0, len, df, cfx, mtf, plen, poslen;
    bool v3 = f->version >= 3;
    if (it->in_block == 0) {
        if (!vget(&it->p, it->end, &len)) goto damaged;
    } else if (v3) {   /* one byte: shared | suffix << 4, 15: a varint adds */
        if (it->p == it->end) goto damaged;
        unsigned h = *it->p++;
        shared = h & 15;
        len = h >> 4;
        uint64_t more;
        if (shared == 15) {
            if (!vget(&it->p, it->end, &more) || more > CRIBLE_TERM_MAX) goto damaged;
            shared += more;
        }
        if (len == 15) {
            if (!vget(&it->p, it->end, &more) || more > CRIBLE_TERM_MAX) goto damaged;
            len += more;
        }
    } else if (!vget(&it->p, it->end, &shared) || !vget(&it->p, it->end, &len)) {
        goto damaged;
    }
    if (shared > t->len || shared + len > CRIBLE_TERM_MAX || len > (uint64_t)(it->end - it->p))
        goto damaged;
    if (len <= 16) /* most suffixes: no call */
        for (size_t k = 0; k < len; k++) t->bytes[shared + k] = it->p[k];
    else
        memcpy(t->bytes + shared, it->p, len);
    it->p += len;
    t->len = (size_t)(shared + len);
    if (!vget(&it->p, it->end, &df)) goto damaged;
    bool ones = false;
    if (!v3) {   /* df << 6 | V << 1 | PURE */
        if ((df >> 6) == 0 || (df >> 6) > UINT32_MAX || ((df >> 1) & 31) > IX_MAX_VBITS) goto damaged;
        t->df = (uint32_t)(df >> 6);
        t->pure = df & IX_TERM_PURE;
        t->vbits = (unsigned)((df >> 1) & 31);
    } else if (f->kind == CRIBLE_FIELD_EXACT) {   /* df - 1 << 1 | ONES */
        if ((df >> 1) >= UINT32_MAX) goto damaged;
        t->df = (uint32_t)(df >> 1) + 1;
        ones = df & 1;
        t->pure = false;
        t->vbits = 0;
    } else if (f->flags & IX_FIELD_POSITIONS) {   /* df - 1 << 7 | ONES << 6 | V << 1 | PURE */
        if ((df >> 7) >= UINT32_MAX || ((df >> 1) & 31) > IX_MAX_VBITS) goto damaged;
        t->df = (uint32_t)(df >> 7) + 1;
        ones = (df >> 6) & 1;
        t->pure = df & IX_TERM_PURE;
        t->vbits = (unsigned)((df >> 1) & 31);
    } else {   /* df - 1 << 2 | ONES << 1 | PURE */
        if ((df >> 2) >= UINT32_MAX) goto damaged;
        t->df = (uint32_t)(df >> 2) + 1;
        ones = (df >> 1) & 1;
        t->pure = df & IX_TERM_PURE;
        t->vbits = 0;
    }
    if (ones) {   /* every tf is 1 */
        t->cf = t->df;
        t->max_tf = 1;
    } else if (t->df == 1) {   /* its one document's tf */
        if (!vget(&it->p, it->end, &cfx) || cfx == 0 || cfx > UINT32_MAX) goto damaged;
        t->cf = cfx;
        t->max_tf = (uint32_t)cfx;
    } else {
        if (!vget(&it->p, it->end, &cfx) || !vget(&it->p, it->end, &mtf) || mtf == 0 ||
            mtf > UINT32_MAX)
            goto damaged;
        t->cf = t->df + cfx;
        t->max_tf = (uint32_t)mtf;
    }
    if (f->kind == CRIBLE_FIELD_EXACT) {
        bool more;
        if (!ix_pair_get(&it->p, it->end, t->bytes, t->len, f->version, true, t->stem, &t->stem_len, &t->variant,
                         &more))
            goto damaged;
        t->npairs = 1;
        t->pairs = t->pairs_end = it->p;
        if (more) {   /* [v5] P - 2, then the other pairs (read through once: bounded) */
            uint64_t np;
            uint8_t stem[CRIBLE_TERM_MAX + 1];
            size_t sl;
            uint32_t v;
            if (!vget(&it->p, it->end, &np) || np > (uint64_t)(it->end - it->p)) goto damaged;
            t->pairs = it->p;
            for (uint64_t k = 0; k < np + 1; k++)
                if (!ix_pair_get(&it->p, it->end, t->bytes, t->len, f->version, false, stem, &sl, &v, NULL))
                    goto damaged;
            t->npairs = (uint32_t)np + 2;
            t->pairs_end = it->p;
        }
        t->post_off = t->post_len = t->pos_off = t->pos_len = 0;
        it->in_block++;
        return true;
    }
    poslen = 0;
    /* version 4: a term of one document has it here, no postings */
    t->inline_doc = f->version >= 4 && t->df == 1;
    if (!vget(&it->p, it->end, &plen) ||
        ((it->f->flags & IX_FIELD_POSITIONS) && !vget(&it->p, it->end, &poslen)))
        goto damaged;
    if (t->inline_doc) {   /* zigzag from the block's previous one */
        int64_t doc = it->doc1_have ? (int64_t)it->doc1 + ((plen & 1) ? -(int64_t)(plen >> 1) - 1 : (int64_t)(plen >> 1))
                                    : (int64_t)plen;
        if (plen > UINT32_MAX || doc < 0 || doc > UINT32_MAX) goto damaged;
        t->doc1 = it->doc1 = (uint32_t)doc;
        it->doc1_have = true;
        plen = 0;
    }
    uint64_t post_off = t->post_off + t->post_len, pos_off = t->pos_off + t->pos_len;
    if (it->in_block == 0) {
        if (!vget(&it->p, it->end, &post_off) || !vget(&it->p, it->end, &pos_off))
            goto damaged;
    }
    t->post_off = post_off;
    t->post_len = plen;
    t->pos_off = pos_off;
    t->pos_len = poslen;
    if (post_off > it->f->post.n || plen > it->f->post.n - post_off) goto damaged;
    if (pos_off > it->f->pos.n || poslen > it->f->pos.n - pos_off) goto damaged;
    it->in_block++;
    return true;
damaged:
    it->bad = true;
    it->p = it->end = NULL;
    return false;
}

bool ix_dictit_next(ix_dictit *it)
{
    if (it->pending) { it->pending = false; return true; }
    if (!it->f || it->bad || !it->p) return false;
    if (it->in_block == IX_DICT_BLOCK || it->done + it->in_block >= it->f->dict_nterms) {
        if (it->done + it->in_block >= it->f->dict_nterms) { it->p = NULL; return false; }
        if (!block_start(it, it->block + 1)) return false;
    }
    if (it->in_block == 0) it->t.len = 0;
    return decode(it);
}

/* The first term of block b (decoded into t), false if damaged. */
static bool block_first(const ix_segfield *f, uint32_t b, const uint8_t **term, size_t *len)
{
    uint32_t off = ix_get32(f->dict_offs + 4 * (size_t)b);
    if (off >= f->dict_data_len) return false;
    const uint8_t *p = f->dict_data + off, *end = f->dict_data + f->dict_data_len;
    uint64_t l;
    if (!ix_varint_get(&p, end, &l) || l > CRIBLE_TERM_MAX || l > (uint64_t)(end - p)) return false;
    *term = p;
    *len = (size_t)l;
    return true;
}

/* A term's first 8 bytes as a big-endian number (zeros after a shorter
 * one): keys compare as the terms' first 8 bytes do. */
static uint64_t key8(const uint8_t *t, size_t len)
{
    uint64_t k = 0;
    for (size_t i = 0; i < 8; i++) k = k << 8 | (i < len ? t[i] : 0);
    return k;
}

/* The blocks' keys of f, made once (NULL if damaged or out of memory:
 * seeks then read the blocks' first terms). */
static const uint64_t *dict_keys(const ix_segfield *cf)
{
    ix_segfield *f = (ix_segfield *)cf; /* a cache beside the mapping */
    if (f->dict_keys || f->dict_keys_tried) return f->dict_keys;
    if (++f->dict_seeks < 64) return NULL;
    f->dict_keys_tried = true;
    uint64_t *k = malloc((size_t)f->dict_nblocks * sizeof *k + 1);
    for (uint32_t b = 0; k && b < f->dict_nblocks; b++) {
        const uint8_t *t;
        size_t tl;
        if (!block_first(f, b, &t, &tl)) { free(k); return NULL; }
        k[b] = key8(t, tl);
    }
    return f->dict_keys = k;
}

/* The last block from lo whose first term <= target (lo if none after). */
static bool find_block(const ix_segfield *f, uint32_t *lo_io, const uint8_t *target, size_t len)
{
    uint32_t lo = *lo_io, hi = f->dict_nblocks;
    const uint64_t *keys = f->dict_nblocks > 64 ? dict_keys(f) : NULL;
    uint64_t tk = key8(target, len);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c;
        if (keys && keys[mid] != tk) {
            c = keys[mid] < tk ? -1 : 1;
        } else {
            const uint8_t *t;
            size_t tl;
            if (!block_first(f, mid, &t, &tl)) return false;
            c = ix_term_order(t, tl, target, len);
        }
        if (c <= 0) lo = mid; else hi = mid;
    }
    *lo_io = lo;
    return true;
}

void ix_dictit_seek(ix_dictit *it, const uint8_t *target, size_t len)
{
    const ix_segfield *f = it->f;
    it->pending = false;
    if (!f || !f->dict.present || f->dict_nblocks == 0 || it->bad) { it->p = NULL; return; }
    uint32_t lo = 0;
    const uint8_t *t;
    size_t tl;
    /* Forward from the current term when the target is after it (a
     * dictionary walk seeks mostly forward, to nearby terms): on in this
     * block if the next one starts after the target, else a search of the
     * blocks from here. */
    if (it->p && it->in_block > 0 && ix_term_order(it->t.bytes, it->t.len, target, len) < 0) {
        lo = it->block;
        if (lo + 1 >= f->dict_nblocks) goto scan;
        if (!block_first(f, lo + 1, &t, &tl)) { it->bad = true; it->p = NULL; return; }
        if (ix_term_order(t, tl, target, len) > 0) goto scan;
        lo++;
    }
    /* last block whose first term <= target */
    if (!find_block(f, &lo, target, len)) { it->bad = true; it->p = NULL; return; }
    if (!block_start(it, lo)) return;
    it->t.len = 0;
scan:
    while (ix_dictit_next(it)) {
        if (ix_term_order(it->t.bytes, it->t.len, target, len) >= 0) { it->pending = true; return; }
    }
}

void ix_pairs_init(ix_pairit *it, unsigned version, const ix_term *t)
{
    *it = (ix_pairit){t, t->pairs, t->pairs_end, version, 0, false};
}

bool ix_pairs_next(ix_pairit *it, uint8_t *stem, size_t *stem_len, uint32_t *variant)
{
    const ix_term *t = it->t;
    if (it->bad || it->k >= t->npairs) return false;
    if (it->k++ == 0) {
        memcpy(stem, t->stem, t->stem_len);
        *stem_len = t->stem_len;
        *variant = t->variant;
        return true;
    }
    if (!ix_pair_get(&it->p, it->end, t->bytes, t->len, it->version, false, stem, stem_len, variant, NULL)) {
        it->bad = true;
        return false;
    }
    return true;
}

bool ix_dict_lookup(const ix_segfield *f, const uint8_t *term, size_t len, ix_term *out)
{
    ix_dictit it;
    ix_dictit_init(&it, f);
    ix_dictit_seek(&it, term, len);
    if (!it.pending || ix_term_order(it.t.bytes, it.t.len, term, len) != 0) return false;
    *out = it.t;
    return true;
}

/* --- snapshot-wide ------------------------------------------------------- */

bool crible_index_term(const crible_index *ix, int field, const char *term, size_t len,
                       crible_term_stats *stats)
{
    crible_term_stats s = {0, 0, 0};
    bool found = false;
    if (field < 0 || (size_t)field >= ix->nfields) return false;
    for (uint32_t k = 0; k < ix->nsegs; k++) {
        const ix_segment *seg = &ix->segs[k];
        if (seg->local[field] < 0) continue;
        ix_term t;
        if (!ix_dict_lookup(&seg->fields[seg->local[field]], (const uint8_t *)term, len, &t)) continue;
        found = true;
        s.df += t.df;
        s.cf += t.cf;
        if (t.max_tf > s.max_tf) s.max_tf = t.max_tf;
    }
    if (stats) *stats = s;
    return found;
}

struct crible_terms {
    const crible_index *ix;
    int field;
    uint32_t n;
    ix_dictit *its;     /* one per segment having the field */
    bool *has;          /* its[i] holds a term not yet returned */
    uint8_t cur[CRIBLE_TERM_MAX + 1];
};

crible_status crible_terms_open(const crible_index *ix, int field, crible_terms **out,
                                crible_error *err)
{
    crible_terms *it = calloc(1, sizeof *it);
    if (!it) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    it->ix = ix;
    it->field = field;
    it->its = calloc(ix->nsegs + 1, sizeof *it->its);
    it->has = calloc(ix->nsegs + 1, sizeof *it->has);
    if (!it->its || !it->has) { crible_terms_close(it); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
    if (field >= 0 && (size_t)field < ix->nfields) {
        for (uint32_t k = 0; k < ix->nsegs; k++) {
            const ix_segment *s = &ix->segs[k];
            if (s->local[field] < 0) continue;
            ix_dictit_init(&it->its[it->n++], &s->fields[s->local[field]]);
        }
    }
    crible_terms_seek(it, "", 0);
    *out = it;
    return CRIBLE_OK;
}

void crible_terms_close(crible_terms *it)
{
    if (!it) return;
    free(it->its);
    free(it->has);
    free(it);
}

void crible_terms_seek(crible_terms *it, const char *target, size_t len)
{
    for (uint32_t i = 0; i < it->n; i++) {
        ix_dictit_seek(&it->its[i], (const uint8_t *)target, len);
        it->has[i] = it->its[i].pending;
        it->its[i].pending = false;
    }
}

bool crible_terms_next(crible_terms *it, const char **term, size_t *len, crible_term_stats *stats)
{
    int best = -1;
    for (uint32_t i = 0; i < it->n; i++) {
        if (!it->has[i]) continue;
        if (best < 0 || ix_term_order(it->its[i].t.bytes, it->its[i].t.len, it->its[best].t.bytes,
                                 it->its[best].t.len) < 0)
            best = (int)i;
    }
    if (best < 0) return false;
    size_t bl = it->its[best].t.len;
    memcpy(it->cur, it->its[best].t.bytes, bl);
    crible_term_stats s = {0, 0, 0};
    for (uint32_t i = 0; i < it->n; i++) {
        if (!it->has[i] || ix_term_order(it->its[i].t.bytes, it->its[i].t.len, it->cur, bl) != 0) continue;
        s.df += it->its[i].t.df;
        s.cf += it->its[i].t.cf;
        if (it->its[i].t.max_tf > s.max_tf) s.max_tf = it->its[i].t.max_tf;
        it->has[i] = ix_dictit_next(&it->its[i]);
    }
    *term = (const char *)it->cur;
    *len = bl;
    if (stats) *stats = s;
    return true;
}
