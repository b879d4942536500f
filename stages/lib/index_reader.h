/*
 * index_reader.h - internal: an opened, memory-mapped segment (its TOC and
 * META checked, its sections bounded), the per-segment term dictionary
 * iterator and postings cursor.  index_reader.c opens segments and
 * snapshots; index_terms.c and index_postings.c decode them; index_merge.c
 * and index_check.c read segments through the same code.
 */
#ifndef CRIBLE_INDEX_READER_H
#define CRIBLE_INDEX_READER_H

#include "index.h"
#include "index_format.h"
#include "index_manifest.h"

typedef struct ix_section {
    const uint8_t *p;
    size_t n;
    uint32_t crc;     /* from the TOC */
    bool present;
} ix_section;

typedef struct ix_segfield {
    char name[256];
    uint8_t kind, flags;
    uint8_t version;   /* the segment's format version (2 to 5) */
    int link;
    uint32_t doc_count;
    uint64_t sum_length, nterms;
    ix_section dict, post, pos, len, sent, numv, nums;
    uint32_t dict_nterms, dict_nblocks;
    const uint8_t *dict_offs, *dict_data;
    size_t dict_data_len;
    /* made after 64 seeks (index_terms.c: worth it for a searcher that
     * stays open, not for one query), freed with the segment: the first 8
     * bytes of each dictionary block's first term, big-endian, so a
     * seek's binary search reads one small array, not the mapping */
    uint64_t *dict_keys;
    uint32_t dict_seeks;
    bool dict_keys_tried;
} ix_segfield;

typedef struct ix_segment {
    ix_seginfo info;
    char name[64];
    uint32_t base;          /* first snapshot document number */
    uint32_t maxdoc, nfields;
    uint32_t version;       /* IX_SEG_VERSION_MIN..IX_SEG_VERSION */
    uint8_t *map;
    size_t map_len;
    uint64_t *deleted;      /* bitset, never NULL once opened */
    ix_segfield *fields;
    ix_section stored, stidx, zdict;
    uint32_t nstblocks;
    void *ddict;            /* ZSTD_DDict of zdict, or NULL */
    ix_section *toc;        /* every section (for check) */
    uint16_t *toc_kind, *toc_field;
    uint32_t ntoc;
    int *local;             /* snapshot field number -> local field, -1 */
} ix_segment;

/* Maps DIR/seg-N.cri, checks its footer, TOC and META.  The tombstones are
 * read when with_deletes. */
crible_status ix_segment_open(const char *dir, const ix_seginfo *info, bool with_deletes,
                              ix_segment *seg, crible_error *err);
void ix_segment_close(ix_segment *seg);
/* Gives back the memory pages of a section read through (a merge reading
 * every segment keeps its resident memory small); it can be read again. */
void ix_segment_forget(const ix_segment *seg, const ix_section *sec);
/* The same for the pages wholly within bytes [from, to) of seg's map. */
void ix_segment_forget_bytes(const ix_segment *seg, const uint8_t *from, const uint8_t *to);
int ix_segment_field(const ix_segment *seg, const char *name);

/* Whether one of segments segs[0..n) has a text, keyword or exact field
 * called name: its numeric field of that name is then known as NAME#
 * (crible_field_table_name). */
bool ix_segments_name_not_numeric(const ix_segment *segs, size_t n, const char *name);
/* The field of seg known in a table as table_name with kind `kind`
 * (crible_field_table_name): the field of that name and kind, or, for a
 * numeric NAME#, the segment's numeric field NAME.  -1: none. */
int ix_segment_field_as(const ix_segment *seg, const char *table_name, int kind);
static inline bool ix_seg_deleted(const ix_segment *s, uint32_t d)
{
    return (s->deleted[d >> 6] >> (d & 63)) & 1;
}

/* One term's dictionary entry. */
typedef struct ix_term {
    uint8_t bytes[CRIBLE_TERM_MAX + 1];
    size_t len;
    uint32_t df, max_tf;
    uint64_t cf;
    bool pure;
    unsigned vbits;          /* variant bits in its positions */
    uint64_t post_off, post_len, pos_off, pos_len;
    /* version 4, df = 1: the document, in the dictionary (post_len = 0) */
    bool inline_doc;
    uint32_t doc1;
    /* exact fields only: the first (stem, variant) pair (the stem term and
     * the norm's variant number among its norms), how many pairs, and
     * where the others are coded (index_format.c, DICT [v5]: read them
     * with ix_pairs_next; they stay readable while the segment is open) */
    uint8_t stem[CRIBLE_TERM_MAX + 1];
    size_t stem_len;
    uint32_t variant;
    uint32_t npairs;
    const uint8_t *pairs, *pairs_end;
} ix_term;

/* The (stem, variant) pairs of an exact term t, in stem order, the first
 * one t's own:
 *   ix_pairit pi; uint8_t stem[CRIBLE_TERM_MAX + 1]; size_t sl; uint32_t v;
 *   ix_pairs_init(&pi, seg->version, &t);
 *   while (ix_pairs_next(&pi, stem, &sl, &v)) ...
 * pi.bad says whether it stopped on damaged bytes (the dictionary's
 * decoding read them once: it cannot, unless t was changed). */
typedef struct ix_pairit {
    const ix_term *t;
    const uint8_t *p, *end;
    unsigned version;
    uint32_t k;
    bool bad;
} ix_pairit;
void ix_pairs_init(ix_pairit *it, unsigned version, const ix_term *t);
bool ix_pairs_next(ix_pairit *it, uint8_t *stem, size_t *stem_len, uint32_t *variant);

/* Iterates a field's dictionary in order. */
typedef struct ix_dictit {
    const ix_segfield *f;
    uint32_t block, in_block, done;   /* terms read in the current block */
    const uint8_t *p, *end;
    ix_term t;
    bool pending;       /* t is already the next term (after a seek) */
    bool doc1_have;     /* the block has had a term of one document: */
    uint32_t doc1;      /* its document (the next one's is coded from it) */
    bool bad;           /* damaged data met */
} ix_dictit;

void ix_dictit_init(ix_dictit *it, const ix_segfield *f);
/* Next term into it->t; false at the end or on damage (it->bad). */
bool ix_dictit_next(ix_dictit *it);
/* Positions before the first term >= target. */
void ix_dictit_seek(ix_dictit *it, const uint8_t *target, size_t len);
/* Exact lookup. */
bool ix_dict_lookup(const ix_segfield *f, const uint8_t *term, size_t len, ix_term *out);

/* A postings cursor over one segment's term (local document numbers). */
/* 128 values bit-packed, some with high bits as exceptions (index_format.c,
 * POS and POST [v4]): the low bits, the exceptions' indexes and high bits;
 * next: the first exception not applied yet. */
typedef struct ix_packed {
    const uint8_t *low, *idx, *hi;
    unsigned bits, nx, xw, next;
} ix_packed;

typedef struct ix_pcur {
    const ix_segment *seg;
    const ix_segfield *f;
    const uint8_t *skips, *blocks, *bend;   /* within the POST section */
    /* version 4: the skip table's entries are bit-packed (skips: after
     * the widths, skip_bytes long): entry b's column k is skip_w[k] bits
     * at bit b * skip_e + skip_at[k]; skip_e = 0: 24-byte entries */
    size_t skip_bytes;
    uint32_t skip_e;
    uint8_t skip_w[7], skip_at[7];
    const uint8_t *pos_base, *pos_end;      /* the term's positions */
    uint32_t nblocks, block;                /* current decoded block */
    uint32_t block_last;                    /* its last doc (a packed block) */
    uint32_t bn, i;
    uint32_t doc;                           /* current, or CRIBLE_DOC_NONE */
    const uint8_t *pos_p;                   /* positions of docs[pos_i] */
    uint32_t pos_i;
    /* version 4 positions (index_format.c, POS): docs[pos_i]'s first
     * value is number pcum of the term's; pblk_p is the start of full
     * block pblk_k; block pdec_k (ppk)'s values [plo, phi) are decoded in
     * pv32 (without their exceptions' high bits if pwide: they pass 32
     * bits); the last values
     * (varints after pfull blocks) are read on from ptail_p, value
     * number ptail_j of them */
    bool pos4;
    uint64_t pcum, ptail_j;
    const uint8_t *pblk_p, *ptail_p;
    uint64_t pblk_k, pdec_k, pfull;
    ix_packed ppk;
    uint32_t plo, phi;
    bool pwide;
    uint32_t sblock;                        /* shallow block */
    bool s_valid;                           /* its entry: */
    int64_t s_prev;                         /* the last doc of the one before (-1) */
    uint32_t s_last, s_max_tf, s_min_len;
    bool skip_deleted, bad, started;
    /* a packed block's tfs are unpacked when first needed (a cursor
     * advanced past a document rarely needs them): from tf_packed */
    uint32_t tn;                            /* tfs[0..tn) are */
    ix_packed tf_packed;
    /* a packed block's documents are decoded as far as needed: docs[0..dn)
     * are, the next one is dsum + its gap (from doc_packed) */
    uint32_t dn;
    ix_packed doc_packed;
    uint64_t dsum;
    /* `=norm`: only positions of this variant (-1: all) */
    int64_t filter;
    uint32_t ftf, *fpos, *fvar;             /* the current document's, filtered */
    size_t fcap;
    ix_term t;
    /* last: ix_pcur_init leaves them unset until a block is decoded */
    uint32_t docs[IX_BLOCK], tfs[IX_BLOCK];
    uint32_t pv32[IX_BLOCK];
} ix_pcur;

void ix_pcur_init(ix_pcur *c, const ix_segment *seg, const ix_segfield *f, const ix_term *t,
                  bool skip_deleted);
/* Keeps only the documents and positions whose variant is `variant`. */
void ix_pcur_filter(ix_pcur *c, uint32_t variant);
/* Frees what a filtered cursor allocated. */
void ix_pcur_release(ix_pcur *c);
/* The current document's tf (filtered when filtering). */
uint32_t ix_pcur_tf(ix_pcur *c);
/* Positions and their variant numbers (var may be NULL). */
uint32_t ix_pcur_positions_var(ix_pcur *c, uint32_t *pos, uint32_t *var, uint32_t cap);
/* The same up to the first position past `upto` (included): how many. */
uint32_t ix_pcur_positions_upto(ix_pcur *c, uint32_t *pos, uint32_t *var, uint32_t cap,
                                uint32_t upto);
uint32_t ix_pcur_next(ix_pcur *c);
uint32_t ix_pcur_advance(ix_pcur *c, uint32_t target);
uint32_t ix_pcur_positions(ix_pcur *c, uint32_t *pos, uint32_t cap);
uint32_t ix_pcur_shallow(ix_pcur *c, uint32_t target);
void ix_pcur_block_info(const ix_pcur *c, uint32_t *last, uint32_t *max_tf, uint32_t *min_len);

/* For check (version 4).  Skip entry b of the cursor's term (false: it
 * has no bit-packed skip table, or b is past it). */
typedef struct ix_skipinfo {
    uint32_t last, off, block, upto, max_tf, min_len;
    uint64_t pos_off;
} ix_skipinfo;
bool ix_pcur_skip(const ix_pcur *c, uint32_t b, ix_skipinfo *e);
/* Whether every packed block's exceptions are in order (a cursor just
 * initialised, left moved). */
bool ix_pcur_blocks_valid(ix_pcur *c);
/* Walks the term's positions (a cursor just initialised): the offset of
 * full block into offs[0..cf / 128), of the last values into offs[cf /
 * 128] (offs may be NULL), each block's header and exceptions verified,
 * then the cf % 128 last values: the bytes they take, UINT64_MAX if
 * damaged. */
uint64_t ix_pcur_pos_walk(const ix_pcur *c, uint64_t *offs);

/* `=norm` in one segment (index_union.c): appends to (*c)[*n..] (grown,
 * *cap cursors) a cursor per (stem, variant) pair of norm's entry in exact
 * field ef (NULL: none) whose stem term is in stem field sf, each kept to
 * its variant, or the pure stem term equal to norm when ef has no entry;
 * *stats gets the entry's statistics (untouched when no cursor was
 * added).  false: out of memory.  The caller releases the cursors
 * (ix_pcur_release) and frees *c. */
bool ix_exact_open(const ix_segment *s, const ix_segfield *sf, const ix_segfield *ef, const uint8_t *norm,
                   size_t len, bool skip_deleted, ix_pcur **c, uint32_t *n, uint32_t *cap, ix_term *stats);
/* The union of n cursors of one segment in document order (a norm's
 * pairs): zero it but for c and n before the first next or advance. */
typedef struct ix_union {
    ix_pcur *c;
    uint32_t n;
    uint32_t doc;            /* current, CRIBLE_DOC_NONE before and after */
    bool started;
} ix_union;
uint32_t ix_union_next(ix_union *u);
/* The first document >= target (greater than the current one). */
uint32_t ix_union_advance(ix_union *u, uint32_t target);
/* The current document's tf: the cursors' on it added. */
uint32_t ix_union_tf(ix_union *u);
/* Its positions, merged, into pos[0..cap), up to the first one past upto
 * (included): how many (*tmp: scratch of *tcap values, grown here). */
uint32_t ix_union_positions(ix_union *u, uint32_t *pos, uint32_t cap, uint32_t upto, uint32_t **tmp, size_t *tcap);
/* Block-max data of the union from target on: the last document up to
 * which *max_tf and *min_len bound the documents (the fewest of the
 * cursors' blocks), CRIBLE_DOC_NONE if none holds anything >= target. */
uint32_t ix_union_shallow(ix_union *u, uint32_t target, uint32_t *max_tf, uint32_t *min_len);

/* The value of document d in a numeric field (false: none, or damaged). */
bool ix_num_value(const ix_segfield *f, uint32_t maxdoc, uint32_t d, double *v);
/* Run r of a NUMS in runs (index_format.c): its value, the rank of its
 * first document, its documents' gaps in [*p, *end); false if damaged. */
bool ix_nums_run(const ix_segfield *f, uint32_t r, double *value, uint32_t *rank, const uint8_t **p,
                 const uint8_t **end);

/* The snapshot. */
typedef struct ix_gfield {
    char *name;
    crible_field_kind kind;
    bool positions;
    uint32_t doc_count;
    uint64_t sum_length, terms;
    int exact_field, stem_field;
} ix_gfield;

struct crible_index {
    char *dir;
    ix_manifest man;
    ix_segment *segs;
    uint32_t nsegs, maxdoc, live;
    uint64_t bytes;
    ix_gfield *fields;
    size_t nfields;
};

/* The segment holding snapshot document doc (its local number in *local). */
const ix_segment *ix_index_segment_of(const crible_index *ix, uint32_t doc, uint32_t *local);

/* Reads one stored record of a segment: decompresses its block into buf
 * (unless *cache_seg and *cache_block say buf holds it already: both may be
 * NULL; they are updated). */
crible_status ix_stored_block(const ix_segment *seg, uint32_t local, ix_buf *buf,
                              const void **cache_seg, uint32_t *cache_block,
                              const uint8_t **rec, size_t *rec_len, crible_error *err);

#endif
