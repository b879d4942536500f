/*
 * index_format.c - the on-disk format of a crible index, byte by byte, and
 * the small codecs every index module shares (CRC32C, varints, bit packing,
 * buffers, file helpers).  Readers: index_reader.c, index_postings.c,
 * index_terms.c, index_stored.c, index_check.c.  Writers: index_segment.c,
 * index_manifest.c.
 *
 * All integers are little-endian.  "varint" is LEB128 (7 bits a byte, low
 * bits first, high bit set on every byte but the last).  CRC is CRC32C
 * (Castagnoli, init ~0, final xor ~0: "123456789" -> 0xE3069283).
 *
 * ==== The directory ======================================================
 *   MANIFEST                 the commit: names the live segments
 *   LOCK                     the writer's lock (flock), holds its pid
 *   seg-000001.cri           an immutable segment (6 decimal digits or more)
 *   seg-000001.del-000004    its tombstones as of commit generation 4
 * Any other seg-* file is garbage from an interrupted writer; the next
 * writer removes the files the MANIFEST does not name.
 *
 * ==== MANIFEST ============================================================
 *   0   8  "CRIBMAN1"
 *   8   4  format version (1)
 *   12  4  flags (0)
 *   16  8  generation: 1 for the first commit, +1 each commit
 *   24  8  next segment number to allocate
 *   32  4  nsegments
 *   36  .. nsegments entries of 32 bytes:
 *          8 segment number, 4 maxdoc, 4 deleted count,
 *          8 tombstone generation (0: no deletions), 8 segment file size
 *   ..  4  analysis length A, then A bytes of JSON (the analysis settings)
 *   ..  4  CRC of every byte before it
 * A commit writes MANIFEST.tmp, fsyncs it, renames it over MANIFEST and
 * fsyncs the directory: a reader sees the old or the new one, whole.
 *
 * ==== seg-N.del-G (tombstones) ============================================
 *   0   8  "CRIBDEL1"
 *   8   4  version, 12 4 maxdoc, 16 4 deleted count
 *   20  .. ceil(maxdoc/64) little-endian u64 words, bit d = doc d deleted
 *   ..  4  CRC of every byte before it
 *
 * ==== seg-N.cri (a segment) ===============================================
 *   header (16):  "CRIBSEG1", u32 version, u32 flags (0)
 *   sections, in any order, each at an offset the TOC gives
 *   TOC:          nsections entries of 24 bytes:
 *                 u16 kind, u16 field (0 for segment-wide sections),
 *                 u32 CRC of the section's bytes, u64 offset, u64 length
 *   footer (24):  u64 TOC offset, u32 nsections, u32 CRC of the TOC,
 *                 "CRIBEND1"
 * Opening reads the footer, checks the TOC's CRC and bounds, and checks the
 * CRC of the META section; other sections are checked by `check` (every
 * one) and bounds-checked by every read.  Stored blocks carry their own CRC,
 * verified when a block is decompressed.
 *
 * META (kind 1)
 *   u32 maxdoc, u32 nfields, then per field:
 *   u8 name length, name bytes (UTF-8, no NUL), u8 kind (1 text, 2 exact,
 *   3 keyword, 4 numeric), u8 flags (1: positions), i16 linked field (the
 *   exact field of a text field and back, -1), u32 doc_count,
 *   u64 sum_length, u64 nterms
 *
 * DICT (kind 2, per field) - the term dictionary, front-coded blocks
 *   u32 nterms, u32 nblocks, nblocks x u32 block offset (from the start of
 *   the block data, which follows), then the blocks.  A block holds up to 32
 *   terms in byte order; the first term is whole, the others share a prefix
 *   with the one before:
 *     first:  varint len, bytes
 *     others: varint shared, varint suffix len, suffix bytes
 *   each term followed by its entry.  In a text or keyword field:
 *     varint df << 6 | V << 1 | PURE, varint cf - df, varint max_tf,
 *     varint postings length, varint positions length
 *   The postings (and positions) of a field's terms follow each other in
 *   term order: a term's offset is the sum of the lengths before it; the
 *   block's first entry adds two varints after its lengths: the absolute
 *   postings offset and positions offset of its first term.
 *   PURE: every token of this stem term had NORM equal to the stem.
 *   V (0..16): bits of variant number in each of its positions (below).
 *   In an exact field (the NORM forms of a text field; no postings of its
 *   own):
 *     varint df << 6, varint cf - df, varint max_tf,
 *     varint shared, varint suffix len, suffix bytes: its stem, front-coded
 *       against the norm, then varint variant: the norm's number among the
 *       stem term's variants.
 *   A norm equal to its stem whose stem term is PURE has no exact entry
 *   (the stem term's postings are its postings).  Its `=norm` postings are
 *   the stem term's positions whose variant is its number.
 *
 * POST (kind 3, per field) - for each term, in term order:
 *   if df > 128: a skip table, nblocks = ceil(df/128) entries of 24 bytes:
 *     u32 last doc of the block, u32 offset of the block (from the end of
 *     the skip table), u64 offset of the block's first positions (from the
 *     term's positions start), u32 max tf, u32 min field length
 *   then the blocks.  A full block (128 docs):
 *     u8 bits B, 16*B bytes: 128 doc deltas bit-packed (the first delta is
 *     from the previous block's last doc + 1, or from 0), low bits first
 *     u8 bits F, 16*F bytes: 128 values tf-1 bit-packed
 *   The last block (1..128 docs) is varints:
 *     varint delta << 1 | (tf == 1), then varint tf - 1 unless tf == 1
 *   (doc = previous doc + delta + 1, the first previous being -1).
 *
 * POS (kind 4, per field with positions) - for each term, each document in
 *   order: tf varints, the first position, then the gaps to the next, each
 *   shifted left by the term's V bits and or'ed with the variant number of
 *   the token's NORM (which norm of the stem it was; V = 0: none).
 *
 * LEN (kind 5, per text field): maxdoc x u32, the document's tokens.
 * SENT (kind 6, per text field): (maxdoc + 1) x u32 offsets into the data
 *   that follows; a document's data is varint nsentences, then nsentences
 *   varints: start gaps (the first start is 0 and is written as 0).
 * NUMV (kind 7, per numeric field): maxdoc x f64 (IEEE 754 LE), NaN: none.
 * NUMS (kind 8, per numeric field): u32 count, then count x (f64 value,
 *   u32 doc), sorted by value then doc.
 * STORED (kind 9): compressed blocks back to back.
 * STIDX (kind 10): u32 nblocks, then per block 24 bytes:
 *   u32 first doc, u32 ndocs, u64 offset in STORED, u32 compressed length,
 *   u32 CRC of the compressed bytes.
 *   A block decompresses (zstd, one frame, content size in the frame) to
 *   ndocs records:
 *     varint json length, json bytes (the document object as given, with
 *     its id, text and metadata), varint nfields, then per field:
 *     u8 name length, name, varint ntokens, ntokens x (varint gap from the
 *     previous token's end (the first: from 0), varint token length)
 *   The offsets are bytes in the field's string as JSON decodes it.
 */
#include "index_format.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/crc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

uint32_t ix_crc32c(uint32_t crc, const void *buf, size_t len)
{
    return ~crc32_iscsi((unsigned char *)(uintptr_t)buf, (int)len, ~crc);
}

unsigned ix_bits_needed(const uint32_t *v, size_t n)
{
    uint32_t o = 0;
    for (size_t i = 0; i < n; i++) o |= v[i];
    unsigned b = 0;
    while (o) { b++; o >>= 1; }
    return b;
}

void ix_pack128(const uint32_t *v, unsigned bits, uint8_t *out)
{
    if (bits == 0) return;
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    for (size_t i = 0; i < IX_BLOCK; i++) {
        acc |= (uint64_t)v[i] << have;
        have += bits;
        while (have >= 8) { out[o++] = (uint8_t)acc; acc >>= 8; have -= 8; }
    }
    /* 128 * bits is a multiple of 8: nothing left over. */
}

void ix_unpack128(const uint8_t *in, unsigned bits, uint32_t *v)
{
    if (bits == 0) { memset(v, 0, IX_BLOCK * sizeof *v); return; }
    uint64_t mask = bits == 32 ? 0xffffffffu : ((1u << bits) - 1);
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    for (size_t i = 0; i < IX_BLOCK; i++) {
        while (have < bits) { acc |= (uint64_t)in[o++] << have; have += 8; }
        v[i] = (uint32_t)(acc & mask);
        acc >>= bits;
        have -= bits;
    }
}

bool ix_buf_reserve(ix_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) return false;
        cap *= 2;
    }
    uint8_t *d = realloc(b->data, cap);
    if (!d) return false;
    b->data = d;
    b->cap = cap;
    return true;
}

void ix_buf_free(ix_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

crible_status ix_write_all(int fd, const void *buf, size_t len, const char *path,
                           crible_error *err)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return crible_error_set(err, CRIBLE_EIO, "cannot write '%s': %s", path, strerror(errno));
        }
        if (n == 0)
            return crible_error_set(err, CRIBLE_EIO, "cannot write '%s': no space left", path);
        p += n;
        len -= (size_t)n;
    }
    return CRIBLE_OK;
}

crible_status ix_fsync(int fd, const char *path, crible_error *err)
{
    if (fsync(fd) != 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot sync '%s': %s", path, strerror(errno));
    return CRIBLE_OK;
}

crible_status ix_fsync_dir(const char *dir, crible_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", dir, strerror(errno));
    crible_status st = ix_fsync(fd, dir, err);
    close(fd);
    return st;
}

bool ix_path(char *out, size_t n, const char *dir, const char *name)
{
    int k = snprintf(out, n, "%s/%s", dir, name);
    return k > 0 && (size_t)k < n;
}

void ix_segment_name(char *out, size_t n, uint64_t seg)
{
    snprintf(out, n, "seg-%06llu.cri", (unsigned long long)seg);
}

void ix_deletes_name(char *out, size_t n, uint64_t seg, uint64_t gen)
{
    snprintf(out, n, "seg-%06llu.del-%06llu", (unsigned long long)seg, (unsigned long long)gen);
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool ix_parse_date(const char *s, double *out)
{
    size_t n = strlen(s);
    if (!(n == 4 || n == 7 || n == 10) || !digits(s, 4)) return false;
    int y = atoi(s), m = 0, d = 0;
    if (n >= 7) {
        if (s[4] != '-' || !digits(s + 5, 2)) return false;
        m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m < 1 || m > 12) return false;
    }
    if (n == 10) {
        if (s[7] != '-' || !digits(s + 8, 2)) return false;
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (d < 1 || d > 31) return false;
    }
    *out = (double)y * 10000 + m * 100 + d;
    return true;
}
