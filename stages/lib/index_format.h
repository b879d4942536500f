/*
 * index_format.h - internal to the index modules: the constants of the
 * on-disk format (described byte by byte at the top of index_format.c), the
 * little-endian, varint and bit-packing codecs, CRC32C, and the bounded
 * buffer every writer module appends to.  Not for other stages: they use
 * index.h (reading) and index_writer.h (writing).
 */
#ifndef CRIBLE_INDEX_FORMAT_H
#define CRIBLE_INDEX_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "index.h"

#define IX_SEG_MAGIC "CRIBSEG1"     /* 8 bytes */
#define IX_END_MAGIC "CRIBEND1"
#define IX_MAN_MAGIC "CRIBMAN1"
#define IX_DEL_MAGIC "CRIBDEL1"
#define IX_VERSION 2                /* MANIFEST and tombstones */
#define IX_SEG_VERSION 5            /* segments written */
#define IX_SEG_VERSION_MIN 2        /* oldest segment version read */
#define IX_BLOCK 128                /* documents per postings block */
#define IX_DICT_BLOCK 32            /* terms per front-coded dictionary block */
#define IX_STORED_BLOCK (32 * 1024) /* raw bytes per stored block (at least) */
#define IX_DICT_SAMPLES (1 << 20)   /* stored bytes a zstd dictionary is trained on */
#define IX_DICT_MIN_SAMPLES (256 << 10) /* fewer: no dictionary */
#define IX_DICT_MAX (64 << 10)      /* dictionary size at most */
#define IX_DICT_K 100               /* fastCover segment size of the training */
#define IX_DICT_D 6                 /* and its d-mer size */
#define IX_NUMS_RUNS 0x40           /* NUMS in runs of one value [v3] */
#define IX_SKIP_ENTRY 24            /* bytes of one skip entry (versions 2, 3) */
#define IX_SKIP_HEAD 6              /* bytes of a bit-packed skip table's widths [v4] */
#define IX_POS_EXC 0x80             /* a positions block with exceptions [v4] */
#define IX_TOC_ENTRY 24
#define IX_FOOTER 24
#define IX_HEADER 16
#define IX_MAX_FIELDS 4096
#define IX_MAX_DOCS 0x7fffffffu

/* Section kinds (the TOC's kind field). */
enum {
    IX_SEC_META = 1,     /* segment: maxdoc, fields */
    IX_SEC_DICT = 2,     /* per field: term dictionary */
    IX_SEC_POST = 3,     /* per field: doc/tf blocks with skip tables */
    IX_SEC_POS = 4,      /* per field: positions */
    IX_SEC_LEN = 5,      /* per TEXT field: u32 length per document */
    IX_SEC_SENT = 6,     /* per TEXT field: sentence starts */
    IX_SEC_NUMV = 7,     /* per NUMERIC field: f64 value per document */
    IX_SEC_NUMS = 8,     /* per NUMERIC field: (f64, u32 doc) sorted */
    IX_SEC_STORED = 9,   /* segment: zstd blocks of stored documents */
    IX_SEC_STIDX = 10,   /* segment: stored block index */
    IX_SEC_ZDICT = 11    /* segment: zstd dictionary of the stored blocks */
};

/* Term flags (low bits of the dictionary's df word). */
#define IX_TERM_PURE 1u   /* stem term: every token had NORM == the stem */
#define IX_MAX_VBITS 16   /* at most 65536 norms per stem keep their identity */
/* The dictionaries' order of terms: bytes, then the shorter first. */
static inline int ix_term_order(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}
/* The bits of a stem term's variant numbers for its nvar norms. */
static inline unsigned ix_var_bits(uint32_t nvar)
{
    unsigned b = 0;
    while (nvar > 1 && (1u << b) < nvar && b < IX_MAX_VBITS) b++;
    return b;
}

/* Field flags. */
#define IX_FIELD_POSITIONS 1u
#define IX_FIELD_ORPHANS 2u   /* [v5] text field: a variant may be no norm's (index_format.c, META) */

/* --- CRC32C (Castagnoli), the standard one: "123456789" -> 0xE3069283.
 * crc = ix_crc32c(0, a, n); crc = ix_crc32c(crc, b, m) chains. */
uint32_t ix_crc32c(uint32_t crc, const void *buf, size_t len);

/* --- little-endian fixed-width ------------------------------------------- */
static inline void ix_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void ix_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void ix_put64(uint8_t *p, uint64_t v) { ix_put32(p, (uint32_t)v); ix_put32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t ix_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t ix_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ix_get64(const uint8_t *p) { return ix_get32(p) | ((uint64_t)ix_get32(p + 4) << 32); }
static inline double ix_getf64(const uint8_t *p) { uint64_t u = ix_get64(p); double d; memcpy(&d, &u, 8); return d; }
static inline void ix_putf64(uint8_t *p, double d) { uint64_t u; memcpy(&u, &d, 8); ix_put64(p, u); }

/* --- varints (LEB128, at most 10 bytes) ---------------------------------- */
static inline size_t ix_varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) { p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    p[n++] = (uint8_t)v;
    return n;
}
/* Reads a varint from [*p, end); false (and *p unchanged) if cut or too long. */
static inline bool ix_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    const uint8_t *q = *p;
    if (q < end && *q < 0x80) { *v = *q; *p = q + 1; return true; }
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64 && q < end; shift += 7) {
        uint8_t b = *q++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *v = r; *p = q; return true; }
    }
    return false;
}
static inline bool ix_varint_get32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
    uint64_t x;
    if (!ix_varint_get(p, end, &x) || x > UINT32_MAX) return false;
    *v = (uint32_t)x;
    return true;
}

/* --- a streaming bit writer ---------------------------------------------- *
 * Values of 1..64 bits one after the other, low bits first (value k at the
 * bit after value k - 1), as the packed blocks, skip tables and width
 * tables of index_format.c lay them out.  Whole 64-bit words are stored as
 * they fill; ix_bitw_end stores the last ceil(have / 8) bytes.  Nothing is
 * read from the output: it need not be zeroed.
 *   ix_bitw w = {out, 0, 0};
 *   ix_bitw_put(&w, 5, 3); ix_bitw_put(&w, 1, 2); ix_bitw_end(&w);
 *   -> out[0] = 0x0d (101, then 01), w.p = out + 1 */
typedef struct ix_bitw {
    uint8_t *p;                       /* the next word's first byte */
    uint64_t acc;                     /* the bits not stored yet */
    unsigned have;                    /* how many (0..63) */
} ix_bitw;
/* v: below 2^bits (bits 1..64). */
static inline void ix_bitw_put(ix_bitw *w, uint64_t v, unsigned bits)
{
    w->acc |= v << w->have;
    w->have += bits;
    if (w->have >= 64) {
        ix_put64(w->p, w->acc);
        w->p += 8;
        w->have -= 64;
        w->acc = w->have ? v >> (bits - w->have) : 0;
    }
}
static inline void ix_bitw_end(ix_bitw *w)
{
    for (; w->have; w->have = w->have > 8 ? w->have - 8 : 0) {
        *w->p++ = (uint8_t)w->acc;
        w->acc >>= 8;
    }
}

/* --- bit packing of IX_BLOCK values -------------------------------------- */
/* Bits needed for the largest of v[0..n). */
unsigned ix_bits_needed(const uint32_t *v, size_t n);
/* Packs 128 values of `bits` bits (0..32) into out (16 * bits bytes). */
void ix_pack128(const uint32_t *v, unsigned bits, uint8_t *out);
void ix_unpack128(const uint8_t *in, unsigned bits, uint32_t *v);

/* The w bits (0..57) at bit `bit` of the n bytes at p, low bits first;
 * bytes past n read as 0. */
static inline uint64_t ix_bits_get(const uint8_t *p, size_t n, uint64_t bit, unsigned w)
{
    size_t o = (size_t)(bit >> 3);
    uint64_t x = 0;
    if (o + 8 <= n) {
        memcpy(&x, p + o, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x);
#endif
    } else {
        for (size_t k = 0; o + k < n && k < 8; k++) x |= (uint64_t)p[o + k] << (8 * k);
    }
    return w ? (x >> (bit & 7)) & (~0ull >> (64 - w)) : 0;
}

/* --- a growable byte buffer ---------------------------------------------- */
typedef struct ix_buf {
    uint8_t *data;
    size_t len, cap;
} ix_buf;

bool ix_buf_reserve(ix_buf *b, size_t extra);
void ix_buf_free(ix_buf *b);
static inline bool ix_buf_add(ix_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len < n && !ix_buf_reserve(b, n)) return false;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}
static inline bool ix_buf_varint(ix_buf *b, uint64_t v)
{
    if (b->cap - b->len < 10 && !ix_buf_reserve(b, 10)) return false;
    b->len += ix_varint_put(b->data + b->len, v);
    return true;
}
static inline bool ix_buf_u32(ix_buf *b, uint32_t v)
{
    uint8_t t[4]; ix_put32(t, v); return ix_buf_add(b, t, 4);
}
static inline bool ix_buf_u64(ix_buf *b, uint64_t v)
{
    uint8_t t[8]; ix_put64(t, v); return ix_buf_add(b, t, 8);
}
/* Appends s[0..n) and a NUL to a string pool; *off is where it starts
 * (false: out of memory, or the pool would pass 4 GiB). */
static inline bool ix_buf_string(ix_buf *b, const char *s, size_t n, uint32_t *off)
{
    if (b->len + n + 1 > UINT32_MAX) return false;
    *off = (uint32_t)b->len;
    return ix_buf_add(b, s, n) && ix_buf_add(b, "", 1);
}

/* --- an exact term's (stem, variant) pairs (index_format.c, DICT [v5]) --
 * A normal form met under several stems names each (stem, variant) pair,
 * in increasing stem order (ix_term_order), no stem twice.  The first pair
 * of a version 4 entry is coded as a version 5 entry of one pair:
 *   ix_pair p = {(const uint8_t *)"victim", 6, 0};
 *   ix_pair_put(&b, (const uint8_t *)"victimes", 8, &p, true, false);
 *   -> b holds 0x40 (C = 2, S = 0, variant 0: (2 << 3 | 0) << 2 | 0). */
typedef struct ix_pair {
    const uint8_t *stem;
    size_t stem_len;                  /* at most CRIBLE_TERM_MAX */
    uint32_t variant;                 /* below 1 << IX_MAX_VBITS */
} ix_pair;
/* Appends pair p of norm[0..len) to b: the entry's first pair (`first`,
 * then `more`: other pairs follow it) or one of the others.  false: out
 * of memory. */
static inline bool ix_pair_put(ix_buf *b, const uint8_t *norm, size_t len, const ix_pair *p, bool first, bool more)
{
    const uint8_t *stem = p->stem;
    size_t shared = 0, most = len < p->stem_len ? len : p->stem_len;
    uint64_t x, y;
    for (; shared + 8 <= most; shared += 8) {   /* the common prefix, 8 bytes at a time */
        memcpy(&x, norm + shared, 8);
        memcpy(&y, stem + shared, 8);
        if (x != y) break;
    }
    while (shared < most && norm[shared] == stem[shared]) shared++;
    size_t ssl = p->stem_len - shared;
    uint64_t cut = len - shared + (first && more ? len + 1 : 0);
    uint64_t head = (cut << 3 | (ssl < 7 ? ssl : 7)) << 2 | (p->variant < 3 ? p->variant : 3);
    if (b->cap - b->len < 30 + ssl && !ix_buf_reserve(b, 30 + ssl)) return false;   /* 3 varints, the bytes */
    uint8_t *o = b->data + b->len;
    o += ix_varint_put(o, head);
    if (ssl >= 7) o += ix_varint_put(o, ssl - 7);
    if (ssl) memcpy(o, stem + shared, ssl);   /* mostly none: the stem is the norm's prefix */
    o += ssl;
    if (p->variant >= 3) o += ix_varint_put(o, p->variant - 3);
    b->len = (size_t)(o - b->data);
    return true;
}
/* Reads a pair of norm[0..len) from [*p, end) as a segment of format
 * `version` writes it: its stem into stem (CRIBLE_TERM_MAX + 1 bytes),
 * *stem_len, *variant; *more (the first pair of a version 5 entry: others
 * follow, may be NULL otherwise).  false if damaged (*p then undefined). */
bool ix_pair_get(const uint8_t **p, const uint8_t *end, const uint8_t *norm, size_t len, unsigned version,
                 bool first, uint8_t *stem, size_t *stem_len, uint32_t *variant, bool *more);

/* --- files --------------------------------------------------------------- */
/* Writes all of buf to fd (retrying short writes); CRIBLE_EIO naming path. */
crible_status ix_write_all(int fd, const void *buf, size_t len, const char *path,
                           crible_error *err);
/* fsync of a file and of a directory. */
crible_status ix_fsync(int fd, const char *path, crible_error *err);
crible_status ix_fsync_dir(const char *dir, crible_error *err);
/* "DIR/NAME" into out (size n); false if too long. */
bool ix_path(char *out, size_t n, const char *dir, const char *name);
/* "seg-000012.cri", "seg-000012.del-000003". */
void ix_segment_name(char *out, size_t n, uint64_t seg);
void ix_deletes_name(char *out, size_t n, uint64_t seg, uint64_t gen);

/* --- token offsets of a stored field --------------------------------------
 * Each token is coded against what splitting the text at white space would
 * give (index_format.c, STORED): runs of tokens that are exactly that, each
 * other one by its length or its gap and length (version 4; version 3
 * coded each token, 0 for a default one: ix_offsets_upgrade).  Encoding
 * and decoding need the field's text. */
bool ix_offsets_encode(ix_buf *out, const char *text, size_t text_len, const uint32_t *start,
                       const uint32_t *end, uint32_t n);
/* The same with token i's offsets at start[i * stride] and end[i *
 * stride] (the start and end members of an array of structures). */
bool ix_offsets_encode_stride(ix_buf *out, const char *text, size_t text_len, const uint32_t *start,
                              const uint32_t *end, size_t stride, uint32_t n);
/* Skips n coded tokens; false if cut or damaged. */
bool ix_offsets_skip(const uint8_t **p, const uint8_t *end, uint64_t n);
/* Decodes n tokens into start[], end[] (always within the text); false if
 * cut or damaged (start[], end[] then partly set). */
bool ix_offsets_decode(const uint8_t **p, const uint8_t *end, const char *text, size_t text_len,
                       uint32_t n, uint32_t *starts, uint32_t *ends);
/* Appends the version 4 coding of n tokens coded as version 3 at *p
 * (moved past them); false if cut or out of memory. */
bool ix_offsets_upgrade(ix_buf *out, const uint8_t **p, const uint8_t *end, uint64_t n);

/* A table of u8 width W then the values (LEN, SENT's offsets, NUMS after
 * its count, NUMV's sparse documents): W = 1, 2 or 4: W-byte values; W =
 * 0x80 | B (version 3): B-bit values (1..32) bit-packed, low bits first,
 * then 7 bytes of padding.  Value d, and whether n bytes at p are such a
 * table of count values (checked before any get). */
static inline uint32_t ix_wtable_get(const uint8_t *p, uint32_t d)
{
    unsigned w = p[0];
    if (w & 0x80) {
        unsigned b = w & 0x3f;
        uint64_t bit = (uint64_t)d * b;
        return (uint32_t)((ix_get64(p + 1 + (bit >> 3)) >> (bit & 7)) & ((1ull << b) - 1));
    }
    const uint8_t *v = p + 1 + (size_t)d * w;
    return w == 1 ? v[0] : w == 2 ? (uint32_t)v[0] | (uint32_t)v[1] << 8 : ix_get32(v);
}
/* W of the smallest table of n values whose largest is max: 1, 2, 4, or
 * 0x80 | B when bit-packed is smaller. */
uint8_t ix_wtable_head(uint32_t n, uint32_t max);
/* The smallest table of n values v (its W by ix_wtable_head). */
bool ix_wtable_put(ix_buf *out, const uint32_t *v, uint32_t n);
bool ix_wtable_valid(const uint8_t *p, size_t n, uint32_t count);
/* The bytes of such a table of count values at the start of n bytes (SENT:
 * data follows), 0 if they cannot hold it. */
size_t ix_wtable_bytes(const uint8_t *p, size_t n, uint32_t count);

/* A date "YYYY", "YYYY-MM" or "YYYY-MM-DD" as YYYYMMDD; false if not one. */
bool ix_parse_date(const char *s, double *out);

#endif
