/*
 * index_postings.c - the postings cursor: decodes a term's blocks (layout:
 * POST and POS in index_format.c), skips with the skip table, reads
 * positions lazily, exposes block-max data; and the snapshot cursor that
 * chains the segments' cursors (crible_postings_*), including the `=exact`
 * resolution of the exact field (a norm met under several stems in a
 * segment: the union of its pairs' cursors there, index_union.c).  Every read is bounded: damaged data ends
 * the cursor with its `bad` flag set, never a read outside the mapping.
 */
#include "index_reader.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void ix_pcur_init(ix_pcur *c, const ix_segment *seg, const ix_segfield *f, const ix_term *t,
                  bool skip_deleted)
{
    /* docs[] and tfs[] (1 KB) are written by decode_block before any read */
    memset(c, 0, offsetof(ix_pcur, docs));
    c->seg = seg;
    c->f = f;
    c->t = *t;
    c->skip_deleted = skip_deleted;
    c->filter = -1;
    c->doc = CRIBLE_DOC_NONE;
    c->nblocks = (t->df + IX_BLOCK - 1) / IX_BLOCK;
    const uint8_t *p = f->post.p + t->post_off, *end = p + t->post_len;
    size_t skip_len = t->df > IX_BLOCK ? (size_t)c->nblocks * IX_SKIP_ENTRY : 0;
    c->pos4 = f->version >= 4;
    if (c->pos4 && skip_len) {   /* widths, then the packed entries */
        if (t->post_len < IX_SKIP_HEAD) { c->bad = true; c->nblocks = 0; return; }
        unsigned at = 0;
        for (int k = 0; k < 7; k++) {
            /* columns: last doc, block offset, positions offset, their
             * block, the index in it (7 bits, positions only), max tf,
             * min length */
            unsigned w = k == 4 ? (f->flags & IX_FIELD_POSITIONS ? 7 : 0) : p[k < 4 ? k : k - 1];
            if (w > 32) { c->bad = true; c->nblocks = 0; return; }
            c->skip_w[k] = (uint8_t)w;
            c->skip_at[k] = (uint8_t)at;
            at += w;
        }
        if (at == 0) { c->bad = true; c->nblocks = 0; return; }
        c->skip_e = at;
        c->skip_bytes = ((uint64_t)c->nblocks * at + 7) / 8;
        skip_len = IX_SKIP_HEAD + c->skip_bytes;
        p += IX_SKIP_HEAD;
        skip_len -= IX_SKIP_HEAD;
        if (t->post_len < IX_SKIP_HEAD || skip_len > t->post_len - IX_SKIP_HEAD) {
            c->bad = true;
            c->nblocks = 0;
            return;
        }
    } else if (skip_len > t->post_len) {
        c->bad = true;
        c->nblocks = 0;
        return;
    }
    c->skips = skip_len || c->skip_e ? p : NULL;
    c->blocks = p + skip_len;
    c->bend = end;
    c->pos_base = f->pos.present ? f->pos.p + t->pos_off : NULL;
    c->pos_end = c->pos_base ? c->pos_base + t->pos_len : NULL;
    c->pfull = t->cf / IX_BLOCK;
    c->pdec_k = UINT64_MAX;
    c->block = UINT32_MAX;
}

/* Column k of skip entry b (a version 4 table; k as in ix_pcur_init).  The
 * term's blocks follow the table: 8-byte loads run into them (bits past the
 * entry are masked off), so all but the last entries take the fast path. */
static inline uint32_t skip_col(const ix_pcur *c, uint32_t b, unsigned k)
{
    return (uint32_t)ix_bits_get(c->skips, (size_t)(c->bend - c->skips),
                                 (uint64_t)b * c->skip_e + c->skip_at[k], c->skip_w[k]);
}

/* Eight bytes from p as a little-endian number. */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Eight values of B bits from in (B bytes), each with one 8-byte load and
 * constant shifts: value k is bits k * B .. k * B + B - 1 of the
 * little-endian stream.  Reads up to in + 7 * B / 8 + 8. */
#define UNPACK8(B)                                                                      \
    static void unpack8_##B(const uint8_t *in, uint32_t *v)                            \
    {                                                                                   \
        for (unsigned k = 0; k < 8; k++)                                                \
            v[k] = (uint32_t)((load64(in + k * B / 8) >> (k * B % 8)) &                 \
                              (B == 32 ? 0xffffffffull : ((1ull << B) - 1)));           \
    }
UNPACK8(1) UNPACK8(2) UNPACK8(3) UNPACK8(4) UNPACK8(5) UNPACK8(6) UNPACK8(7) UNPACK8(8)
UNPACK8(9) UNPACK8(10) UNPACK8(11) UNPACK8(12) UNPACK8(13) UNPACK8(14) UNPACK8(15)
UNPACK8(16) UNPACK8(17) UNPACK8(18) UNPACK8(19) UNPACK8(20) UNPACK8(21) UNPACK8(22)
UNPACK8(23) UNPACK8(24) UNPACK8(25) UNPACK8(26) UNPACK8(27) UNPACK8(28) UNPACK8(29)
UNPACK8(30) UNPACK8(31) UNPACK8(32)
#undef UNPACK8

static void (*const unpack8[33])(const uint8_t *, uint32_t *) = {
    NULL, unpack8_1, unpack8_2, unpack8_3, unpack8_4, unpack8_5, unpack8_6, unpack8_7,
    unpack8_8, unpack8_9, unpack8_10, unpack8_11, unpack8_12, unpack8_13, unpack8_14,
    unpack8_15, unpack8_16, unpack8_17, unpack8_18, unpack8_19, unpack8_20, unpack8_21,
    unpack8_22, unpack8_23, unpack8_24, unpack8_25, unpack8_26, unpack8_27, unpack8_28,
    unpack8_29, unpack8_30, unpack8_31, unpack8_32};

/* Values [from, to) (multiples of 8) of a block packed by ix_pack128
 * (index_format.c, 16 * bits bytes at in): value i is the `bits` bits
 * from bit i * bits of the little-endian stream.  Eight at a time with
 * 8-byte loads that may read past the block but never past end (the
 * term's postings); by ix_bits_get within the block where they would. */
static void unpack_range(const uint8_t *in, unsigned bits, uint32_t from, uint32_t to,
                         uint32_t *v, const uint8_t *end)
{
    if (bits == 0) { memset(v + from, 0, (to - from) * sizeof *v); return; }
    const size_t total = 16 * (size_t)bits;
    for (uint32_t g = from; g < to; g += 8) {
        const uint8_t *p = in + (size_t)g / 8 * bits;
        if ((size_t)(end - p) >= 7 * bits / 8 + 8) {
            unpack8[bits](p, v + g);
            continue;
        }
        for (uint32_t i = g; i < g + 8; i++) v[i] = (uint32_t)ix_bits_get(in, total, (uint64_t)i * bits, bits);
    }
}

/* The bytes of the block of 128 values at p (index_format.c, POS and POST
 * [v4]; a version 3 block has no exceptions), 0 if it does not fit
 * before end; its parts into *k (exceptions from the first). */
static size_t pfor_size(const uint8_t *p, const uint8_t *end, bool v4, ix_packed *k)
{
    if (p >= end) return 0;
    size_t h = 1;
    k->bits = p[0] & 0x3f;
    k->nx = k->xw = k->next = 0;
    if (p[0] & IX_POS_EXC) {
        if (end - p < 3 || !v4) return 0;
        k->nx = p[1] + 1u;
        k->xw = p[2];
        h = 3;
        if (k->xw < 1 || k->xw > 32) return 0;
    }
    if (k->bits > 32 || (p[0] & 0x40)) return 0;
    size_t n = h + 16 * (size_t)k->bits + k->nx + (k->nx * (size_t)k->xw + 7) / 8;
    if ((size_t)(end - p) < n) return 0;
    k->low = p + h;
    k->idx = k->low + 16 * (size_t)k->bits;
    k->hi = k->idx + k->nx;
    return n;
}

/* The high bits of a block's exception j (above its `bits` low bits). */
static inline uint64_t exc_high(const ix_packed *k, uint32_t j)
{
    return ix_bits_get(k->hi, (k->nx * (size_t)k->xw + 7) / 8, (uint64_t)j * k->xw, k->xw) << k->bits;
}

/* The exceptions of a block among values [from, to): their high bits. */
static void patch_block(ix_packed *k, uint32_t from, uint32_t to, uint32_t *v)
{
    for (; k->next < k->nx && k->idx[k->next] < to; k->next++)
        if (k->idx[k->next] >= from) v[k->idx[k->next]] |= (uint32_t)exc_high(k, k->next);
}

/* Values [from, to) of a block (multiples of 8, from where the last call
 * ended) into v: their low bits, then their exceptions' high bits. */
static inline void unpack_block(ix_packed *k, uint32_t from, uint32_t to, uint32_t *v, const uint8_t *end)
{
    unpack_range(k->low, k->bits, from, to, v, end);
    if (k->next < k->nx) patch_block(k, from, to, v);
}

static uint32_t skip_last(const ix_pcur *c, uint32_t b);

static bool decode_docs(ix_pcur *c, uint32_t upto);

/* Decodes the current block's documents up to docs[upto - 1] (a packed
 * block: 16 at a time); false (and bad) if damaged. */
static inline bool need_docs(ix_pcur *c, uint32_t upto)
{
    return upto <= c->dn || decode_docs(c, upto);
}

static bool decode_docs(ix_pcur *c, uint32_t upto)
{
    upto = (upto + 15) & ~15u;
    if (upto > c->bn) upto = c->bn;
    uint32_t i = c->dn;
    unpack_block(&c->doc_packed, i, upto, c->docs, c->bend);
    uint64_t sum = c->dsum;
    for (; i < upto; i++) {
        sum += c->docs[i];
        c->docs[i] = (uint32_t)sum;
        sum++;
    }
    c->dsum = sum;
    c->dn = upto;
    /* gaps >= 0: the last decoded is the largest; the skip entry bounds it */
    if (sum - 1 > c->block_last || (upto == c->bn && sum - 1 != c->block_last)) {
        c->bad = true;
        c->doc = CRIBLE_DOC_NONE;
        return false;
    }
    return true;
}

/* The current block's tfs up to tfs[upto - 1] (a packed block's are
 * unpacked on first use); false (and bad) if damaged. */
static bool decode_tfs(ix_pcur *c, uint32_t upto);

static inline bool need_tfs(ix_pcur *c, uint32_t upto)
{
    return upto <= c->tn || decode_tfs(c, upto);
}

static bool decode_tfs(ix_pcur *c, uint32_t upto)
{
    upto = (upto + 7) & ~7u;   /* a packed block: 128 */
    uint32_t i = c->tn;
    unpack_block(&c->tf_packed, i, upto, c->tfs, c->bend);
    for (; i < upto; i++) {
        if (c->tfs[i] == UINT32_MAX) { c->bad = true; c->doc = CRIBLE_DOC_NONE; return false; }
        c->tfs[i]++;
    }
    c->tn = upto;
    return true;
}

static uint32_t skip_last(const ix_pcur *c, uint32_t b)
{
    if (c->skip_e) return skip_col(c, b, 0);
    return ix_get32(c->skips + (size_t)b * IX_SKIP_ENTRY);
}

/* Decodes block b; false (and bad) if damaged. */
static bool decode_block(ix_pcur *c, uint32_t b)
{
    const uint8_t *p, *end = c->bend;
    int64_t prev = -1;
    uint32_t n = b + 1 < c->nblocks ? IX_BLOCK : c->t.df - b * IX_BLOCK;
    if (c->skips && c->skip_e) {
        uint32_t off = skip_col(c, b, 1);
        if (off > (size_t)(end - c->blocks)) goto damaged;
        p = c->blocks + off;
        if (b > 0) prev = skip_last(c, b - 1);
        uint64_t pos_off = skip_col(c, b, 2);
        if (c->pos_base) {
            if (pos_off > (uint64_t)(c->pos_end - c->pos_base)) goto damaged;
            c->pblk_p = c->pos_p = c->pos_base + pos_off;
            c->pblk_k = skip_col(c, b, 3);
            c->pcum = c->pblk_k * IX_BLOCK + skip_col(c, b, 4);
            c->ptail_p = NULL;
        }
    } else if (c->skips) {
        uint32_t off = ix_get32(c->skips + (size_t)b * IX_SKIP_ENTRY + 4);
        if (off > (size_t)(end - c->blocks)) goto damaged;
        p = c->blocks + off;
        if (b > 0) prev = skip_last(c, b - 1);
        uint64_t pos_off = ix_get64(c->skips + (size_t)b * IX_SKIP_ENTRY + 8);
        if (c->pos_base) {
            if (pos_off > (uint64_t)(c->pos_end - c->pos_base)) goto damaged;
            c->pos_p = c->pos_base + pos_off;
        }
    } else {
        if (b != 0) goto damaged;
        p = c->blocks;
        c->pblk_p = c->pos_p = c->pos_base;
        c->pblk_k = c->pcum = 0;
        c->ptail_p = NULL;
        if (c->t.inline_doc) {   /* its one document from the dictionary */
            if (c->t.doc1 >= c->seg->maxdoc) goto damaged;
            c->docs[0] = c->block_last = c->t.doc1;
            c->tfs[0] = c->t.max_tf;
            c->tn = c->dn = 1;
            goto decoded;
        }
    }
    if (b + 1 < c->nblocks) {
        size_t k = pfor_size(p, end, c->pos4, &c->doc_packed);
        if (!k || !pfor_size(p + k, end, c->pos4, &c->tf_packed)) goto damaged;
        c->block_last = skip_last(c, b);
        if (c->block_last >= c->seg->maxdoc) goto damaged;
        c->dsum = (uint64_t)(prev + 1);
        c->dn = 0;
        c->tn = 0;
    } else {
        bool ones = c->pos4 && c->t.cf == c->t.df;   /* version 4: the gaps alone */
        for (uint32_t i = 0; i < n; i++) {
            uint64_t v, tf = 1;
            if (!ix_varint_get(&p, end, &v)) goto damaged;
            if (ones) {
                if (v >= UINT64_MAX / 2) goto damaged;
                v = v << 1 | 1;
            } else if (!(v & 1)) {
                if (!ix_varint_get(&p, end, &tf) || tf >= UINT32_MAX) goto damaged;
                tf++;
            }
            int64_t d = prev + 1 + (int64_t)(v >> 1);
            if ((v >> 1) >= c->seg->maxdoc || d >= c->seg->maxdoc) goto damaged;
            c->docs[i] = (uint32_t)d;
            c->tfs[i] = (uint32_t)tf;
            prev = d;
        }
        c->tn = n;
        c->dn = n;
        c->block_last = c->docs[n - 1];
        if (c->skips && c->block_last != skip_last(c, b)) goto damaged;
    }
decoded:
    c->block = b;
    c->bn = n;
    c->i = 0;
    c->pos_i = 0;
    /* a packed block with exceptions is decoded whole, its exceptions
     * patched in one pass (patching them as documents are needed costs
     * more than the documents not needed) */
    if (c->dn < n && c->doc_packed.nx && !decode_docs(c, n)) return false;
    if (c->tn < n && c->tf_packed.nx && !decode_tfs(c, n)) return false;
    return true;
damaged:
    c->bad = true;
    c->doc = CRIBLE_DOC_NONE;
    return false;
}

static bool filter_match(ix_pcur *c);

/* Moves to entry i of the current block or beyond, skipping deleted docs. */
static uint32_t settle(ix_pcur *c)
{
    for (;;) {
        if (c->i >= c->bn) {
            if (c->block + 1 >= c->nblocks || !decode_block(c, c->block + 1)) {
                c->doc = CRIBLE_DOC_NONE;
                c->i = c->bn;
                return c->doc;
            }
        }
        if (!need_docs(c, c->i + 1)) return CRIBLE_DOC_NONE;
        uint32_t d = c->docs[c->i];
        if ((!c->skip_deleted || !ix_seg_deleted(c->seg, d)) && (c->filter < 0 || filter_match(c)))
            return c->doc = d;
        if (c->bad) return c->doc = CRIBLE_DOC_NONE;
        c->i++;
    }
}

uint32_t ix_pcur_next(ix_pcur *c)
{
    if (c->bad || c->nblocks == 0) return c->doc = CRIBLE_DOC_NONE;
    if (!c->started) {
        c->started = true;
        if (!decode_block(c, 0)) return CRIBLE_DOC_NONE;
        return settle(c);
    }
    if (c->doc == CRIBLE_DOC_NONE) return CRIBLE_DOC_NONE;
    c->i++;
    return settle(c);
}

uint32_t ix_pcur_advance(ix_pcur *c, uint32_t target)
{
    if (c->bad || c->nblocks == 0) return c->doc = CRIBLE_DOC_NONE;
    if (c->started && c->doc == CRIBLE_DOC_NONE) return CRIBLE_DOC_NONE;
    if (c->started && c->doc >= target) return c->doc;
    uint32_t b = c->started ? c->block : 0;
    /* the current block's last document is kept: most targets are in it */
    if (c->skips && !(c->started && target <= c->block_last)) {
        while (b < c->nblocks && skip_last(c, b) < target) b++;
        if (b >= c->nblocks) { c->started = true; c->i = c->bn; return c->doc = CRIBLE_DOC_NONE; }
    }
    if (!c->started || b != c->block) {
        c->started = true;
        if (!decode_block(c, b)) return CRIBLE_DOC_NONE;
    }
    for (;;) {
        /* documents before target need no deleted or filter check */
        uint32_t i = c->i, n = c->bn;
        while (i < n) {
            if (i >= c->dn && !need_docs(c, i + 1)) return CRIBLE_DOC_NONE;
            uint32_t dn = c->dn;
            if (c->docs[dn - 1] < target) { /* the whole decoded run is before target */
                i = dn;
                if (i >= n) break;
                continue;
            }
            while (c->docs[i] < target) i++;
            break;
        }
        c->i = i;
        uint32_t d = settle(c);
        if (d == CRIBLE_DOC_NONE || d >= target) return d;
        c->i++;
    }
}

/* Past n varints from p (their last bytes have the high bit clear): 64
 * bytes at a time while they hold fewer than n last bytes (SSE2), then
 * eight at a time; NULL if the data ends first. */
static const uint8_t *skip_varints(const uint8_t *p, const uint8_t *end, uint64_t n)
{
#ifdef __SSE2__
    const __m128i high = _mm_set1_epi8((char)0x80), zero = _mm_setzero_si128();
    while (n > 64 && end - p >= 64) {
        __m128i sum = zero;
        for (int k = 0; k < 4; k++) {   /* 0xFF (-1) where a varint ends */
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
            sum = _mm_sub_epi8(sum, _mm_cmpeq_epi8(_mm_and_si128(x, high), zero));
        }
        __m128i sad = _mm_sad_epu8(sum, zero);
        uint64_t k = (uint64_t)_mm_cvtsi128_si32(sad) + (uint64_t)_mm_extract_epi16(sad, 4);
        if (k >= n) break;
        n -= k;
        p += 64;
    }
#endif
    while (n && end - p >= 8) {
        uint64_t last = ~ix_get64(p) & 0x8080808080808080ull;
        uint64_t k = ((last >> 7) * 0x0101010101010101ull) >> 56;
        if (k < n) {
            n -= k;
            p += 8;
            continue;
        }
        while (--n) last &= last - 1;     /* the n-th last byte */
        return p + (__builtin_ctzll(last) >> 3) + 1;
    }
    for (; n && p < end; p++)
        n -= !(*p & 0x80);
    return n ? NULL : p;
}

/* Moves pblk_p to the start of full block k (>= pblk_k) or, k = pfull, of
 * the last values; false if damaged. */
static bool pos_seek(ix_pcur *c, uint64_t k)
{
    if (k < c->pblk_k) return false;
    ix_packed x;
    while (c->pblk_k < k) {
        size_t n = pfor_size(c->pblk_p, c->pos_end, true, &x);
        if (!n) return false;
        c->pblk_p += n;
        c->pblk_k++;
    }
    return true;
}

/* Makes full block k the cursor's, none of its values decoded yet; false
 * if damaged. */
static bool pos_block(ix_pcur *c, uint64_t k)
{
    ix_packed *x = &c->ppk;
    if (!pos_seek(c, k) || !pfor_size(c->pblk_p, c->pos_end, true, x)) return false;
    c->pwide = x->bits + x->xw > 32;
    c->plo = c->phi = 0;
    c->pdec_k = k;
    return true;
}

/* Decodes values [i, i + n) of the cursor's block into pv32 (8 at a time;
 * a document reads few of a block's values, the next document further
 * on): every value with its exceptions' high bits, unless they would pass
 * 32 bits (pwide: pos_value adds them). */
static void pos_range(ix_pcur *c, uint32_t i, uint32_t n)
{
    uint32_t a = i & ~7u, b = (i + n + 7) & ~7u;
    if (a >= c->plo && b <= c->phi) return;
    if (a < c->plo) { c->plo = c->phi = 0; c->ppk.next = 0; }   /* back: again from the start */
    uint32_t from = a <= c->phi ? c->phi : a;
    if (from == a) c->plo = a;
    unpack_range(c->ppk.low, c->ppk.bits, from, b, c->pv32, c->pos_end);
    if (!c->pwide && c->ppk.next < c->ppk.nx) patch_block(&c->ppk, from, b, c->pv32);
    c->phi = b;
}

/* Value number x of the term's positions (version 4) into *v; false if
 * damaged. */
static bool pos_value(ix_pcur *c, uint64_t x, uint64_t *v)
{
    uint64_t k = x / IX_BLOCK;
    if (k < c->pfull) {
        if (k != c->pdec_k && !pos_block(c, k)) return false;
        unsigned i = (unsigned)(x % IX_BLOCK);
        const ix_packed *p = &c->ppk;
        pos_range(c, i, 1);
        *v = c->pv32[i];
        for (unsigned j = 0; c->pwide && j < p->nx; j++)
            if (p->idx[j] == i) *v |= exc_high(p, j);
        return true;
    }
    uint64_t j = x - c->pfull * IX_BLOCK;
    if (!c->ptail_p || c->ptail_j > j) {
        if (!pos_seek(c, c->pfull)) return false;
        c->ptail_p = c->pblk_p;
        c->ptail_j = 0;
    }
    if (c->ptail_j < j) {
        c->ptail_p = skip_varints(c->ptail_p, c->pos_end, j - c->ptail_j);
        if (!c->ptail_p) return false;
        c->ptail_j = j;
    }
    if (!ix_varint_get(&c->ptail_p, c->pos_end, v)) { c->ptail_p = NULL; return false; }
    c->ptail_j++;
    return true;
}

/* Adds value v (number k of the document's) to the positions: 0 to go on,
 * 1 past `upto`, -1 if damaged. */
static inline int take(uint64_t v, uint32_t k, unsigned vb, uint32_t *p, uint32_t *pos, uint32_t *var,
                       uint32_t cap, uint32_t upto)
{
    if ((v >> vb) > UINT32_MAX || (k && (uint64_t)*p + (v >> vb) > UINT32_MAX)) return -1;
    *p = k ? *p + (uint32_t)(v >> vb) : (uint32_t)(v >> vb);
    if (k < cap) {
        pos[k] = *p;
        if (var) var[k] = vb ? (uint32_t)(v & ((1u << vb) - 1)) : 0;
    }
    return *p > upto;
}

/* Decodes the positions (and variants) of the block's document c->i, up
 * to the first one past `upto`: how many were decoded (tf when upto is
 * UINT32_MAX). */
static uint32_t raw_positions(ix_pcur *c, uint32_t *pos, uint32_t *var, uint32_t cap,
                              uint32_t upto)
{
    if (!c->pos_p || !need_tfs(c, c->i + 1)) return 0;
    /* skip the positions of the block's documents before the current one:
     * version 4 counts them (its first value is number pcum of the term's) */
    if (c->pos4) {
        for (uint32_t k = c->pos_i; k < c->i; k++) c->pcum += c->tfs[k];
        c->pos_i = c->i;
    } else if (c->pos_i < c->i) {
        uint64_t n = 0;
        for (uint32_t k = c->pos_i; k < c->i; k++) n += c->tfs[k];
        c->pos_p = skip_varints(c->pos_p, c->pos_end, n);
        if (!c->pos_p) { c->bad = true; return 0; }
        c->pos_i = c->i;
    }
    uint32_t tf = c->tfs[c->i], p = 0, vb = c->t.vbits;
    const uint8_t *q = c->pos_p;
    for (uint32_t k = 0; k < tf;) {
        uint64_t v, x = c->pcum + k, blk = x / IX_BLOCK;
        int r;
        if (c->pos4 && blk < c->pfull && (blk == c->pdec_k || pos_block(c, blk)) && !c->pwide) {
            /* the document's values in this block, straight from it */
            uint32_t i = (uint32_t)(x % IX_BLOCK), n = tf - k < IX_BLOCK - i ? tf - k : IX_BLOCK - i;
            pos_range(c, i, n);
            for (uint32_t e = k + n; k < e; k++, i++)
                if ((r = take(c->pv32[i], k, vb, &p, pos, var, cap, upto))) goto done;
            continue;
        }
        if (!(c->pos4 ? pos_value(c, x, &v) : ix_varint_get(&q, c->pos_end, &v))) r = -1;
        else r = take(v, k, vb, &p, pos, var, cap, upto);
        if (r) goto done;
        k++;
        continue;
    done:
        if (r < 0) { c->bad = true; return 0; }
        return k + 1;
    }
    /* positions of this document stay readable until the cursor moves */
    return tf;
}

/* The exceptions' indexes increase, under 128. */
static bool pfor_valid(const ix_packed *x)
{
    for (unsigned j = 0; j < x->nx; j++)
        if (x->idx[j] >= IX_BLOCK || (j && x->idx[j] <= x->idx[j - 1])) return false;
    return true;
}

bool ix_pcur_blocks_valid(ix_pcur *c)
{
    if (c->bad) return false;
    for (uint32_t b = 0; b + 1 < c->nblocks; b++) {
        if (!decode_block(c, b) || !pfor_valid(&c->doc_packed) || !pfor_valid(&c->tf_packed)) return false;
    }
    return true;
}

bool ix_pcur_skip(const ix_pcur *c, uint32_t b, ix_skipinfo *e)
{
    if (!c->skips || !c->skip_e || b >= c->nblocks) return false;
    e->last = skip_col(c, b, 0);
    e->off = skip_col(c, b, 1);
    e->pos_off = skip_col(c, b, 2);
    e->block = skip_col(c, b, 3);
    e->upto = skip_col(c, b, 4);
    e->max_tf = skip_col(c, b, 5);
    e->min_len = skip_col(c, b, 6);
    return true;
}

uint64_t ix_pcur_pos_walk(const ix_pcur *c, uint64_t *offs)
{
    if (!c->pos_base) return UINT64_MAX;
    const uint8_t *p = c->pos_base;
    for (uint64_t k = 0; k < c->pfull; k++) {
        ix_packed x;
        size_t n = pfor_size(p, c->pos_end, true, &x);
        if (!n || !pfor_valid(&x)) return UINT64_MAX;
        if (offs) offs[k] = (uint64_t)(p - c->pos_base);
        p += n;
    }
    if (offs) offs[c->pfull] = (uint64_t)(p - c->pos_base);
    uint64_t v;
    for (uint64_t j = c->pfull * IX_BLOCK; j < c->t.cf; j++)
        if (!ix_varint_get(&p, c->pos_end, &v)) return UINT64_MAX;
    return (uint64_t)(p - c->pos_base);
}

uint32_t ix_pcur_positions_var(ix_pcur *c, uint32_t *pos, uint32_t *var, uint32_t cap)
{
    return ix_pcur_positions_upto(c, pos, var, cap, UINT32_MAX);
}

uint32_t ix_pcur_positions_upto(ix_pcur *c, uint32_t *pos, uint32_t *var, uint32_t cap,
                                uint32_t upto)
{
    if (c->doc == CRIBLE_DOC_NONE) return 0;
    if (c->filter < 0) return raw_positions(c, pos, var, cap, upto);
    for (uint32_t k = 0; k < c->ftf && k < cap; k++) {
        pos[k] = c->fpos[k];
        if (var) var[k] = (uint32_t)c->filter;
    }
    return c->ftf;
}

uint32_t ix_pcur_positions(ix_pcur *c, uint32_t *pos, uint32_t cap)
{
    return ix_pcur_positions_var(c, pos, NULL, cap);
}

uint32_t ix_pcur_tf(ix_pcur *c)
{
    if (c->doc == CRIBLE_DOC_NONE) return 0;
    if (c->filter < 0 && !need_tfs(c, c->i + 1)) return 0;
    return c->filter < 0 ? c->tfs[c->i] : c->ftf;
}

void ix_pcur_filter(ix_pcur *c, uint32_t variant) { c->filter = variant; }

void ix_pcur_release(ix_pcur *c)
{
    free(c->fpos);
    free(c->fvar);
    c->fpos = c->fvar = NULL;
    c->fcap = 0;
}

/* Filtered cursors: whether document c->i has positions of the variant
 * (and keeps them in fpos). */
static bool filter_match(ix_pcur *c)
{
    if (!need_tfs(c, c->i + 1)) return false;
    uint32_t tf = c->tfs[c->i];
    if (tf > c->fcap) {
        uint32_t *a = realloc(c->fpos, (size_t)tf * sizeof *a), *b;
        if (a) c->fpos = a;
        b = a ? realloc(c->fvar, (size_t)tf * sizeof *b) : NULL;
        if (!a || !b) { c->bad = true; return false; }
        c->fvar = b;
        c->fcap = tf;
    }
    uint32_t n = raw_positions(c, c->fpos, c->fvar, tf, UINT32_MAX), m = 0;
    if (c->bad) return false;
    for (uint32_t k = 0; k < n; k++)
        if (c->fvar[k] == (uint32_t)c->filter) c->fpos[m++] = c->fpos[k];
    c->ftf = m;
    return m > 0;
}

uint32_t ix_pcur_shallow(ix_pcur *c, uint32_t target)
{
    if (c->bad || c->nblocks == 0) return CRIBLE_DOC_NONE;
    if (!c->skips) {
        c->sblock = 0;
        return c->seg->maxdoc - 1;   /* one block: no skip data, bounded by the segment */
    }
    /* the shallow block's entry is kept (a version 4 entry takes bit
     * extractions): most targets stay in it */
    uint32_t b = c->sblock;
    if (c->s_valid && b < c->nblocks && c->s_prev < (int64_t)target && target <= c->s_last) return c->s_last;
    if (b >= c->nblocks || (b > 0 && skip_last(c, b - 1) >= target)) b = 0;
    while (b < c->nblocks && skip_last(c, b) < target) b++;
    c->sblock = b;
    c->s_valid = false;
    if (b >= c->nblocks) return CRIBLE_DOC_NONE;
    c->s_prev = b > 0 ? (int64_t)skip_last(c, b - 1) : -1;
    ix_pcur_block_info(c, &c->s_last, &c->s_max_tf, &c->s_min_len);
    c->s_valid = true;
    return c->s_last;
}

void ix_pcur_block_info(const ix_pcur *c, uint32_t *last, uint32_t *max_tf, uint32_t *min_len)
{
    if (!c->skips || c->sblock >= c->nblocks) {
        *last = c->nblocks && !c->skips ? c->seg->maxdoc - 1 : CRIBLE_DOC_NONE;
        *max_tf = c->t.max_tf;
        *min_len = 0;
        return;
    }
    if (c->s_valid) {
        *last = c->s_last;
        *max_tf = c->s_max_tf;
        *min_len = c->s_min_len;
    } else if (c->skip_e) {
        *last = skip_col(c, c->sblock, 0);
        *max_tf = skip_col(c, c->sblock, 5);
        *min_len = skip_col(c, c->sblock, 6);
    } else {
        const uint8_t *e = c->skips + (size_t)c->sblock * IX_SKIP_ENTRY;
        *last = ix_get32(e);
        *max_tf = ix_get32(e + 16);
        *min_len = ix_get32(e + 20);
    }
}

/* --- the snapshot cursor ------------------------------------------------- */

/* The cursors of a snapshot cursor go by segment, each segment's one
 * cursor, or (`=norm` of a norm met under several stems there) a union of
 * its pairs' cursors: a group.  While every group has one cursor (unions
 * false), group k is cursor k. */
typedef struct pgroup {
    uint32_t first;           /* its cursors: c[first .. first + u.n) */
    ix_union u;               /* u.c is set from first before each use */
    uint32_t s_last, s_max_tf, s_min_len;   /* a union's shallow block */
} pgroup;

struct crible_postings {
    const crible_index *ix;
    uint32_t n, cur;          /* groups, the current one */
    ix_pcur *c;               /* cursors */
    uint32_t nc, ccap;
    pgroup *g;                /* NULL while every group has one cursor */
    bool unions;
    crible_term_stats stats;
    uint32_t doc;
    uint32_t sdoc_seg;        /* shallow: group of the shallow block */
    uint32_t *tmp;            /* a union's positions */
    size_t tcap;
};

static crible_status postings_new(const crible_index *ix, crible_postings **out, crible_error *err)
{
    crible_postings *p = calloc(1, sizeof *p);
    /* not calloc: ix_pcur_init clears what a cursor reads before decoding */
    if (!p || !(p->c = malloc((ix->nsegs + 1) * sizeof *p->c))) {
        free(p);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    p->ccap = ix->nsegs + 1;
    p->ix = ix;
    p->doc = CRIBLE_DOC_NONE;
    *out = p;
    return CRIBLE_OK;
}

static void add_stats(crible_postings *p, const ix_term *stats)
{
    p->stats.df += stats->df;
    p->stats.cf += stats->cf;
    if (stats->max_tf > p->stats.max_tf) p->stats.max_tf = stats->max_tf;
}

/* Makes cursors c[first .. nc) the next group (one cursor a group
 * before the first union: then g gets one entry a group). */
static bool add_group(crible_postings *p, uint32_t first)
{
    uint32_t n = p->nc - first;
    if (n > 1 && !p->unions) {
        p->unions = true;
        p->g = calloc(p->n + 1, sizeof *p->g);
        if (!p->g) return false;
        for (uint32_t k = 0; k < p->n; k++) p->g[k] = (pgroup){.first = k, .u = {NULL, 1, CRIBLE_DOC_NONE, false}};
    }
    if (p->unions) {
        pgroup *g = realloc(p->g, (p->n + 1) * sizeof *g);
        if (!g) return false;
        p->g = g;
        g[p->n] = (pgroup){.first = first, .u = {NULL, n, CRIBLE_DOC_NONE, false}};
    }
    p->n++;
    return true;
}

static void add_cursor(crible_postings *p, const ix_segment *s, const ix_segfield *f, const ix_term *t)
{
    ix_pcur_init(&p->c[p->nc++], s, f, t, true);
    add_stats(p, t);
    add_group(p, p->nc - 1);   /* one cursor: no allocation when no union */
}

/* `=norm` in one segment: the exact entry's pairs (index_union.c); a norm
 * without one whose stem term is pure is that stem term (index_format.c). */
static crible_status add_exact(crible_postings *p, const ix_segment *s, int field, int exact,
                               const uint8_t *norm, size_t len, crible_error *err)
{
    if (field < 0 || s->local[field] < 0) return CRIBLE_OK;
    const ix_segfield *sf = &s->fields[s->local[field]];
    const ix_segfield *ef = exact >= 0 && s->local[exact] >= 0 ? &s->fields[s->local[exact]] : NULL;
    uint32_t first = p->nc;
    ix_term stats;
    if (!ix_exact_open(s, sf, ef, norm, len, true, &p->c, &p->nc, &p->ccap, &stats) ||
        (p->nc > first && !add_group(p, first)))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (p->nc > first) add_stats(p, &stats);
    return CRIBLE_OK;
}

crible_status crible_postings_open(const crible_index *ix, int field, const char *term, size_t len,
                                   crible_postings **out, crible_error *err)
{
    if (field >= 0 && (size_t)field < ix->nfields && ix->fields[field].kind == CRIBLE_FIELD_EXACT)
        return crible_postings_open_exact(ix, field, term, len, out, err);
    crible_status st = postings_new(ix, out, err);
    if (st || field < 0 || (size_t)field >= ix->nfields) return st;
    for (uint32_t k = 0; k < ix->nsegs; k++) {
        const ix_segment *s = &ix->segs[k];
        if (s->local[field] < 0) continue;
        const ix_segfield *f = &s->fields[s->local[field]];
        ix_term t;
        if (ix_dict_lookup(f, (const uint8_t *)term, len, &t)) add_cursor(*out, s, f, &t);
    }
    return CRIBLE_OK;
}

/* crible_index_term_locate's record of one segment's entry. */
typedef struct ix_termloc {
    uint32_t seg, df, max_tf;
    uint8_t pure, vbits, pad[2];
    uint64_t cf, post_off, post_len, pos_off, pos_len;
} ix_termloc;
_Static_assert(sizeof(ix_termloc) == CRIBLE_TERM_LOC, "CRIBLE_TERM_LOC is an ix_termloc");

size_t crible_index_term_locate(const crible_index *ix, int field, const char *term, size_t len,
                                crible_term_stats *stats, void *loc, size_t cap)
{
    crible_term_stats st = {0, 0, 0};
    size_t need = 0;
    if (field >= 0 && (size_t)field < ix->nfields && ix->fields[field].kind != CRIBLE_FIELD_EXACT) {
        for (uint32_t k = 0; k < ix->nsegs; k++) {
            const ix_segment *s = &ix->segs[k];
            ix_term t;
            if (s->local[field] < 0 ||
                !ix_dict_lookup(&s->fields[s->local[field]], (const uint8_t *)term, len, &t))
                continue;
            st.df += t.df;
            st.cf += t.cf;
            if (t.max_tf > st.max_tf) st.max_tf = t.max_tf;
            if (need + sizeof(ix_termloc) <= cap) {
                ix_termloc r = {k, t.df, t.max_tf, t.pure, (uint8_t)t.vbits, {t.inline_doc, 0},
                                t.cf, t.inline_doc ? t.doc1 : t.post_off, t.post_len, t.pos_off, t.pos_len};
                memcpy((uint8_t *)loc + need, &r, sizeof r);
            }
            need += sizeof(ix_termloc);
        }
    }
    if (stats) *stats = st;
    return need;
}

crible_status crible_postings_open_located(const crible_index *ix, int field, const void *loc,
                                           size_t n, crible_postings **out, crible_error *err)
{
    crible_status st = postings_new(ix, out, err);
    if (st) return st;
    if (field < 0 || (size_t)field >= ix->nfields || n % sizeof(ix_termloc)) goto bad;
    for (size_t o = 0; o < n; o += sizeof(ix_termloc)) {
        ix_termloc r;
        memcpy(&r, (const uint8_t *)loc + o, sizeof r);
        if (r.seg >= ix->nsegs || ix->segs[r.seg].local[field] < 0) goto bad;
        const ix_segment *s = &ix->segs[r.seg];
        const ix_segfield *f = &s->fields[s->local[field]];
        bool inl = r.pad[0];   /* post_off: the document (index_reader.h, ix_term) */
        if (r.df == 0 || r.vbits > IX_MAX_VBITS || (inl && (r.df != 1 || r.post_len || r.post_off >= s->maxdoc)) ||
            (!inl && (r.post_off > f->post.n || r.post_len > f->post.n - r.post_off)) ||
            (f->pos.present && (r.pos_off > f->pos.n || r.pos_len > f->pos.n - r.pos_off)))
            goto bad;
        ix_term t = {.df = r.df};
        t.max_tf = r.max_tf;
        t.cf = r.cf;
        t.pure = r.pure;
        t.vbits = r.vbits;
        t.inline_doc = inl;
        t.doc1 = inl ? (uint32_t)r.post_off : 0;
        t.post_off = inl ? 0 : r.post_off;
        t.post_len = r.post_len;
        t.pos_off = r.pos_off;
        t.pos_len = r.pos_len;
        add_cursor(*out, s, f, &t);
    }
    return CRIBLE_OK;
bad:
    crible_postings_close(*out);
    *out = NULL;
    return crible_error_set(err, CRIBLE_EINDEX, "a term located in another snapshot");
}

crible_status crible_postings_open_exact(const crible_index *ix, int field, const char *norm,
                                         size_t len, crible_postings **out, crible_error *err)
{
    crible_status st = postings_new(ix, out, err);
    if (st || field < 0 || (size_t)field >= ix->nfields) return st;
    if (ix->fields[field].kind == CRIBLE_FIELD_EXACT) field = ix->fields[field].stem_field;
    if (field < 0) return CRIBLE_OK;
    int exact = ix->fields[field].exact_field;
    for (uint32_t k = 0; !st && k < ix->nsegs; k++)
        st = add_exact(*out, &ix->segs[k], field, exact, (const uint8_t *)norm, len, err);
    if (st) {
        crible_postings_close(*out);
        *out = NULL;
    }
    return st;
}

crible_status crible_postings_open_at(const crible_index *ix, int field, const char *term, size_t len,
                                      bool exact, uint32_t doc, crible_postings **out, crible_error *err)
{
    crible_status st = postings_new(ix, out, err);
    uint32_t local;
    const ix_segment *s = doc < ix->maxdoc ? ix_index_segment_of(ix, doc, &local) : NULL;
    if (st || !s || field < 0 || (size_t)field >= ix->nfields) return st;
    if (ix->fields[field].kind == CRIBLE_FIELD_EXACT) {
        exact = true;
        field = ix->fields[field].stem_field;
        if (field < 0) return CRIBLE_OK;
    }
    if (exact) {
        st = add_exact(*out, s, field, ix->fields[field].exact_field, (const uint8_t *)term, len, err);
        if (st) {
            crible_postings_close(*out);
            *out = NULL;
        }
    } else if (s->local[field] >= 0) {
        const ix_segfield *f = &s->fields[s->local[field]];
        ix_term t;
        if (ix_dict_lookup(f, (const uint8_t *)term, len, &t)) add_cursor(*out, s, f, &t);
    }
    return st;
}

void crible_postings_close(crible_postings *p)
{
    if (!p) return;
    for (uint32_t k = 0; k < p->nc; k++) ix_pcur_release(&p->c[k]);
    free(p->c);
    free(p->g);
    free(p->tmp);
    free(p);
}

/* Group k as a union (its cursors' place set). */
static ix_union *group(const crible_postings *p, uint32_t k)
{
    pgroup *g = &p->g[k];
    g->u.c = p->c + g->first;
    return &g->u;
}

static uint32_t global(const crible_postings *p, uint32_t d)
{
    if (d == CRIBLE_DOC_NONE) return d;
    return (p->unions ? p->c[p->g[p->cur].first] : p->c[p->cur]).seg->base + d;
}

uint32_t crible_postings_next(crible_postings *p)
{
    while (p->cur < p->n) {
        uint32_t d = p->unions ? ix_union_next(group(p, p->cur)) : ix_pcur_next(&p->c[p->cur]);
        if (d != CRIBLE_DOC_NONE) return p->doc = global(p, d);
        p->cur++;
    }
    return p->doc = CRIBLE_DOC_NONE;
}

uint32_t crible_postings_advance(crible_postings *p, uint32_t target)
{
    while (p->cur < p->n) {
        ix_pcur *c = &p->c[p->unions ? p->g[p->cur].first : p->cur];
        uint32_t base = c->seg->base;
        if (target < base + c->seg->maxdoc) {
            uint32_t t = target > base ? target - base : 0;
            uint32_t d = p->unions ? ix_union_advance(group(p, p->cur), t) : ix_pcur_advance(c, t);
            if (d != CRIBLE_DOC_NONE) return p->doc = base + d;
        }
        p->cur++;
    }
    return p->doc = CRIBLE_DOC_NONE;
}

uint32_t crible_postings_doc(const crible_postings *p) { return p->doc; }

uint32_t crible_postings_tf(const crible_postings *p)
{
    if (p->doc == CRIBLE_DOC_NONE) return 0;
    return p->unions ? ix_union_tf(group(p, p->cur)) : ix_pcur_tf(&p->c[p->cur]);
}

uint32_t crible_postings_positions(crible_postings *p, uint32_t *pos, uint32_t cap)
{
    return crible_postings_positions_upto(p, pos, cap, UINT32_MAX);
}

uint32_t crible_postings_positions_upto(crible_postings *p, uint32_t *pos, uint32_t cap,
                                        uint32_t upto)
{
    if (p->doc == CRIBLE_DOC_NONE) return 0;
    if (p->unions) return ix_union_positions(group(p, p->cur), pos, cap, upto, &p->tmp, &p->tcap);
    return ix_pcur_positions_upto(&p->c[p->cur], pos, NULL, cap, upto);
}

void crible_postings_stats(const crible_postings *p, crible_term_stats *stats) { *stats = p->stats; }

uint32_t crible_postings_shallow_advance(crible_postings *p, uint32_t target)
{
    for (uint32_t k = p->cur; k < p->n; k++) {
        pgroup *g = p->unions ? &p->g[k] : NULL;
        ix_pcur *c = &p->c[g ? g->first : k];
        uint32_t base = c->seg->base;
        if (target >= base + c->seg->maxdoc) continue;
        uint32_t t = target > base ? target - base : 0, last;
        if (g && g->u.n > 1) last = g->s_last = ix_union_shallow(group(p, k), t, &g->s_max_tf, &g->s_min_len);
        else last = ix_pcur_shallow(c, t);
        if (last == CRIBLE_DOC_NONE) continue;
        p->sdoc_seg = k;
        return base + last;
    }
    p->sdoc_seg = p->n;
    return CRIBLE_DOC_NONE;
}

static void block_info(const crible_postings *p, uint32_t *last, uint32_t *max_tf, uint32_t *min_len)
{
    if (p->sdoc_seg >= p->n) { *last = CRIBLE_DOC_NONE; *max_tf = 0; *min_len = 0; return; }
    const pgroup *g = p->unions ? &p->g[p->sdoc_seg] : NULL;
    const ix_pcur *c = &p->c[g ? g->first : p->sdoc_seg];
    if (g && g->u.n > 1) {
        *last = g->s_last;
        *max_tf = g->s_max_tf;
        *min_len = g->s_min_len;
    } else {
        ix_pcur_block_info(c, last, max_tf, min_len);
    }
    if (*last != CRIBLE_DOC_NONE) *last += c->seg->base;
}

uint32_t crible_postings_block_last(const crible_postings *p)
{
    uint32_t a, b, c;
    block_info(p, &a, &b, &c);
    return a;
}

uint32_t crible_postings_block_max_tf(const crible_postings *p)
{
    uint32_t a, b, c;
    block_info(p, &a, &b, &c);
    return b;
}

uint32_t crible_postings_block_min_length(const crible_postings *p)
{
    uint32_t a, b, c;
    block_info(p, &a, &b, &c);
    return c;
}

crible_status crible_postings_error(const crible_postings *p, crible_error *err)
{
    for (uint32_t k = 0; k < p->nc; k++)
        if (p->c[k].bad)
            return crible_error_set(err, CRIBLE_EINDEX, "%s: damaged postings (run crible-index check)",
                                    p->c[k].seg->name);
    return CRIBLE_OK;
}
