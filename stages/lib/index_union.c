/*
 * index_union.c - `=norm` in one segment: the postings of a normal form
 * are, for each (stem, variant) pair of its exact entry (index_format.c,
 * DICT [v5]), its stem term's postings kept to that variant; a norm met
 * under several stems (a review stemmed in English, a word protected
 * between two builds, shards built apart) is the union of several such
 * cursors, in document order, its positions merged.  The snapshot cursor
 * (index_postings.c) and the merge's statistics (index_merge.c) read a
 * norm through here; check (index_check.c) reads only its pairs (each
 * stem in the linked field, df and cf at most their stems' together).
 *
 * Example: "chanter" under stems "chant" (variant 1) and "chanter"
 * (variant 0), documents 0 and 1, 2: two cursors, ix_union_next gives 0,
 * 1, 2, each document's tf and positions from the cursors on it.
 */
#include "index_reader.h"

#include <stdlib.h>

/* Room for one more cursor in *c (*cap of them). */
static bool grow(ix_pcur **c, uint32_t n, uint32_t *cap)
{
    if (n < *cap) return true;
    uint32_t ncap = *cap ? *cap * 2 : 4;
    ix_pcur *x = realloc(*c, (size_t)ncap * sizeof *x);
    if (!x) return false;
    *c = x;
    *cap = ncap;
    return true;
}

bool ix_exact_open(const ix_segment *s, const ix_segfield *sf, const ix_segfield *ef, const uint8_t *norm,
                   size_t len, bool skip_deleted, ix_pcur **c, uint32_t *n, uint32_t *cap, ix_term *stats)
{
    ix_term e, t;
    if (ef && ix_dict_lookup(ef, norm, len, &e)) {
        ix_pairit pi;
        uint8_t stem[CRIBLE_TERM_MAX + 1];
        size_t sl;
        uint32_t v;
        bool any = false;
        ix_pairs_init(&pi, ef->version, &e);
        while (ix_pairs_next(&pi, stem, &sl, &v)) {
            if (!ix_dict_lookup(sf, stem, sl, &t)) continue;
            if (!grow(c, *n, cap)) return false;
            ix_pcur *x = &(*c)[(*n)++];
            ix_pcur_init(x, s, sf, &t, skip_deleted);
            if (t.vbits || v) ix_pcur_filter(x, v);
            any = true;
        }
        if (any) *stats = e;
    } else if (ix_dict_lookup(sf, norm, len, &t) && t.pure) {   /* the pure stem stands for it */
        if (!grow(c, *n, cap)) return false;
        ix_pcur_init(&(*c)[(*n)++], s, sf, &t, skip_deleted);
        *stats = t;
    }
    return true;
}

/* The smallest document of the cursors (CRIBLE_DOC_NONE: all ended). */
static uint32_t least(ix_union *u)
{
    uint32_t m = CRIBLE_DOC_NONE;
    for (uint32_t k = 0; k < u->n; k++)
        if (u->c[k].doc < m) m = u->c[k].doc;
    return u->doc = m;
}

uint32_t ix_union_next(ix_union *u)
{
    for (uint32_t k = 0; k < u->n; k++)
        if (!u->started || (u->c[k].doc == u->doc && u->doc != CRIBLE_DOC_NONE)) ix_pcur_next(&u->c[k]);
    u->started = true;
    return least(u);
}

uint32_t ix_union_advance(ix_union *u, uint32_t target)
{
    for (uint32_t k = 0; k < u->n; k++) {
        ix_pcur *c = &u->c[k];
        if (!u->started || (c->doc != CRIBLE_DOC_NONE && c->doc < target)) ix_pcur_advance(c, target);
    }
    u->started = true;
    return least(u);
}

uint32_t ix_union_tf(ix_union *u)
{
    uint32_t tf = 0;
    for (uint32_t k = 0; k < u->n && u->doc != CRIBLE_DOC_NONE; k++)
        if (u->c[k].doc == u->doc) tf += ix_pcur_tf(&u->c[k]);
    return tf;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t ix_union_positions(ix_union *u, uint32_t *pos, uint32_t cap, uint32_t upto, uint32_t **tmp, size_t *tcap)
{
    if (u->doc == CRIBLE_DOC_NONE) return 0;
    uint32_t on = 0, one = 0, tf = 0;
    for (uint32_t k = 0; k < u->n; k++)
        if (u->c[k].doc == u->doc) { on++; one = k; tf += ix_pcur_tf(&u->c[k]); }
    if (on == 1) return ix_pcur_positions_upto(&u->c[one], pos, NULL, cap, upto);
    if (tf > *tcap) {
        uint32_t *x = realloc(*tmp, (size_t)tf * sizeof *x);
        if (!x) return 0;
        *tmp = x;
        *tcap = tf;
    }
    uint32_t n = 0;
    for (uint32_t k = 0; k < u->n; k++) {
        ix_pcur *c = &u->c[k];
        if (c->doc != u->doc) continue;
        uint32_t got = ix_pcur_positions_upto(c, *tmp + n, NULL, tf - n, UINT32_MAX);
        n += got < tf - n ? got : tf - n;
    }
    qsort(*tmp, n, sizeof **tmp, cmp_u32);   /* each cursor's in order: a few runs */
    uint32_t m = 0;
    while (m < n) {
        if (m < cap) pos[m] = (*tmp)[m];
        if ((*tmp)[m++] > upto) break;
    }
    return m;
}

uint32_t ix_union_shallow(ix_union *u, uint32_t target, uint32_t *max_tf, uint32_t *min_len)
{
    uint32_t last = CRIBLE_DOC_NONE, mt = 0, ml = UINT32_MAX;
    for (uint32_t k = 0; k < u->n; k++) {
        ix_pcur *c = &u->c[k];
        if (ix_pcur_shallow(c, target) == CRIBLE_DOC_NONE) continue;
        uint32_t l, t, len;
        ix_pcur_block_info(c, &l, &t, &len);
        if (l < last) last = l;
        mt += t;   /* a document on several cursors: their tfs add up */
        if (len < ml) ml = len;
    }
    *max_tf = last == CRIBLE_DOC_NONE ? 0 : mt;
    *min_len = last == CRIBLE_DOC_NONE ? 0 : ml;
    return last;
}
