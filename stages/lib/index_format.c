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
 *   8   4  format version (2; version 1 coded stored offsets against
 *          a default token that ran to the next white space; segments
 *          have their own version, below)
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
 *   8   4  version (2), 12 4 maxdoc, 16 4 deleted count
 *   20  .. ceil(maxdoc/64) little-endian u64 words, bit d = doc d deleted
 *   ..  4  CRC of every byte before it
 *
 * ==== seg-N.cri (a segment) ===============================================
 *   header (16):  "CRIBSEG1", u32 version (5), u32 flags (0)
 *   Version 5 (written now) changed from version 4 (still read, as are
 *   versions 2 and 3): an exact entry names every (stem, variant) pair
 *   its norm was met with, marked [v5] below (version 4 named the first
 *   one; its tokens under another stem had that stem's "orphan" variant,
 *   no norm's).  Version 4 changed from version 3: bit-packed skip tables
 *   and positions in blocks of 128, each marked [v4] below (postings
 *   blocks with exceptions, a term of one document without postings,
 *   stored token offsets in runs).  Version 3 changed from 2:
 *   the dictionary's term header and statistics word, the width tables'
 *   bit-packed mode, NUMV's sparse mode and NUMS's runs, each marked [v3].
 *   Another version is refused: "seg-N.cri: format version V, this crible
 *   reads 2 to 5".
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
 *   3 keyword, 4 numeric; a keyword field named "_display.F" holds the
 *   written forms of F's folded values as "folded\x1fWritten" or
 *   "folded\x1f\x1fMARKS", one named "_case.F" the case patterns MARKS of
 *   the documents whose one value of F was upper-cased: index.h),
 *   u8 flags (1: positions; 2 [v5], ORPHANS: a text field some of whose
 *   positions may have a variant number that is no norm's: a merge of
 *   version 2 to 4 segments, whose tokens of a norm met under another stem
 *   had such an "orphan" variant, writes it; the buffer never does, so
 *   without it every variant of a stem term is a norm's), i16 linked field (the
 *   exact field of a text field and back, -1), u32 doc_count,
 *   u64 sum_length, u64 nterms
 *
 * DICT (kind 2, per field) - the term dictionary, front-coded blocks
 *   u32 nterms, u32 nblocks, nblocks x u32 block offset (from the start of
 *   the block data, which follows), then the blocks.  A block holds up to 32
 *   terms in byte order; the first term is whole, the others share a prefix
 *   with the one before:
 *     first:  varint len, bytes
 *     others [v3]: u8 min(shared, 15) | min(suffix len, 15) << 4, then
 *             varint shared - 15 if the low nibble is 15, varint suffix
 *             len - 15 if the high one is, then the suffix bytes
 *             (version 2: varint shared, varint suffix len, suffix bytes)
 *   each term followed by its entry.  Its statistics first, a varint word
 *   [v3] whose low bits depend on the field (ONES: every tf is 1):
 *     text (positions):  (df - 1) << 7 | ONES << 6 | V << 1 | PURE
 *     keyword (none):    (df - 1) << 2 | ONES << 1 | PURE   (V = 0)
 *     exact:             (df - 1) << 1 | ONES               (V = PURE = 0)
 *   then, unless ONES (cf = df, max_tf = 1): if df = 1, varint tf (= cf =
 *   max_tf), else varint cf - df, varint max_tf.  (Version 2: the word is
 *   df << 6 | V << 1 | PURE in every field, and no ONES.)
 *   In a text or keyword field, then:
 *     varint postings length, varint positions length (text fields only)
 *   [v4] A term of one document (df = 1) has its document in place of its
 *   postings length: it has no postings (length 0; its tf is in its
 *   statistics), only positions.  The block's first such term has the
 *   document's number, the next ones its zigzag difference from the one
 *   before (2d for d >= 0, -2d - 1 below): the ids of "_id", in the order
 *   documents came, take a byte.
 *   The postings (and positions) of a field's terms follow each other in
 *   term order: a term's offset is the sum of the lengths before it; the
 *   block's first entry adds two varints after its lengths: the absolute
 *   postings offset and positions offset of its first term.
 *   PURE: every token of this stem term had NORM equal to the stem.
 *   V (0..16): bits of variant number in each of its positions (below).
 *   In an exact field (the NORM forms of a text field; no postings of its
 *   own), after the statistics (V = PURE = 0), the (stem, variant) pairs
 *   the norm was met with: its stem terms and its variant number among
 *   each one's norms.  Most norms have one pair [v4]:
 *     varint (C << 3 | min(S, 7)) << 2 | min(variant, 3),
 *     [varint S - 7 if S >= 7], S bytes, [varint variant - 3 if >= 3]
 *   the stem front-coded against the norm: the norm without its last C
 *   bytes, plus the S bytes ("victimes" -> "victim" variant 0 is C = 2,
 *   S = 0: one byte, 0x40).  (Versions 2 and 3: varint C << 3 | min(S, 7),
 *   [varint S - 7 if S >= 7], S bytes, varint variant.)
 *   [v5] A norm met under P >= 2 stems (the stem of a form may depend on
 *   the document: a review stemmed in English, a word protected between
 *   two builds, shards built apart) names them all.  Its first pair is
 *   coded as above with C + L + 1 in place of C (L: the norm's length; C
 *   <= L always, so a value above L says that pairs follow), then:
 *     varint P - 2, then the P - 1 other pairs, each coded as above (C).
 *   The pairs go in increasing stem order (the dictionaries' order), no
 *   stem twice; an entry of one pair costs what it did in version 4.
 *   Example: "chanter" (L = 7) met as stem "chant" (its variant 1) in
 *   one document and as stem "chanter" (variant 0) in two others:
 *     c1 02   (2 + 7 + 1 = 10: (10 << 3 | 0) << 2 | 1 = 321), "chant"
 *     00      P - 2 = 0
 *     00      "chanter": C = 0, S = 0, variant 0
 *   A norm equal to its stem whose stem term is PURE and which has no
 *   other stem has no exact entry (the stem term's postings are its
 *   postings).  The `=norm` postings are, for each pair, the stem term's
 *   positions whose variant is the pair's (all of them when the stem term
 *   has V = 0), merged in document order; the entry's statistics count
 *   the documents holding the norm under any of its stems once (df), and
 *   cf and max_tf over all its tokens.
 *
 * POST (kind 3, per field) - for each term, in term order:
 *   if df > 128: a skip table of nblocks = ceil(df/128) entries, one per
 *   block below.  [v4] Six u8 column widths W0..W5 (0..32 bits each), then
 *   the entries bit-packed, low bits first, entry b at bit b x E where E =
 *   W0 + W1 + W2 + W3 + U + W4 + W5 (U = 7 in a field with positions, else
 *   0), ceil(nblocks x E / 8) bytes in all.  An entry's columns, in order:
 *     W0 last doc of the block, W1 offset of the block (from the end of
 *     the skip table), W2 offset of the positions block (POS) holding the
 *     block's first position, from the term's positions start, W3 that
 *     positions block's number (0: the first; the term's full blocks
 *     then its last values), U the index of the block's first position
 *     in it (0..127), W4 max tf, W5 min field length.
 *   Example: 300 documents in 3 blocks, last docs 4000, 9000, 12000, block
 *   offsets 0, 1700, 3900, max tf 3, 5, 2, min lengths 12, 30, 8 (no
 *   positions): widths 14 12 0 0 3 5, E = 34, 13 bytes of entries.
 *   (Versions 2 and 3: entries of 24 bytes: u32 last doc, u32 block offset,
 *   u64 offset of the block's first positions, u32 max tf, u32 min field
 *   length.)
 *   Then the blocks.  A full block (128 docs) is two blocks of 128 values
 *   [v4] coded as POS's full blocks (below: a width, exceptions): first
 *   the 128 doc deltas (the first delta is from the previous block's last
 *   doc + 1, or from 0), then the 128 values tf - 1.  (Versions 2 and 3:
 *   u8 bits B, 16*B bytes: the deltas bit-packed, low bits first, then u8
 *   bits F, 16*F bytes: the values tf - 1; no exceptions.)
 *   The last block (1..128 docs) is varints:
 *     varint delta << 1 | (tf == 1), then varint tf - 1 unless tf == 1
 *   (doc = previous doc + delta + 1, the first previous being -1);
 *   [v4] a term whose every tf is 1 (ONES) has varint delta alone.
 *
 * POS (kind 4, per field with positions) - for each term, the values of
 *   its documents in order: per document tf values, its first position
 *   then the gaps to the next, each shifted left by the term's V bits and
 *   or'ed with the variant number of the token's NORM (which norm of the
 *   stem it was; V = 0: none).  [v4] The term's cf values go in
 *   floor(cf / 128) full blocks of 128, then the cf % 128 last ones as
 *   varints.  A full block:
 *     u8 h: W = h & 0x3f bits (0..32), h & 0x80: exceptions (h & 0x40 = 0);
 *     with exceptions: u8 N - 1 (N = 1..128 exceptions), u8 X (1..32 bits);
 *     16*W bytes: the 128 values' low W bits, bit-packed as POST's blocks;
 *     with exceptions: N u8 indexes (increasing) of the values wider than
 *     W bits, then their high parts (value >> W), X bits each, bit-packed
 *     low bits first (ceil(N x X / 8) bytes).
 *   The writer takes the W that makes the block smallest.  Example: 127
 *   gaps under 16 and one first position 700: W = 4, N = 1, X = 6: 3 +
 *   64 + 1 + 1 = 69 bytes (W = 10 without exceptions: 161).  A document's
 *   first value is number S of the term's, S the sum of the tfs before it:
 *   the cursor counts it from its block's skip entry (block number and
 *   index), so documents it skips cost no decoding.
 *   (Versions 2 and 3: every value a varint, no blocks.)
 *
 * A width table of N values: u8 W, then
 *   W = 1, 2 or 4: N x W bytes, little-endian;
 *   W = 0x80 | B [v3] (B = 1..32 bits): the N values bit-packed, B bits
 *     each, low bits first (value i at bit i x B), then 7 zero bytes (a
 *     value is read with one 8-byte load);
 *   the writer takes the smaller (bytes when equal).
 * LEN (kind 5, per text field): the document's tokens: a width table of
 *   maxdoc values.
 * SENT (kind 6, per text field): a width table of maxdoc + 1 values:
 *   offsets into the data that follows; a document's data is varint
 *   nsentences, then nsentences varints: start gaps (the first start is 0
 *   and is written as 0).
 * NUMV (kind 7, per numeric field): the value of each document.
 *   u8 mode 0: maxdoc x f64 (IEEE 754 LE), NaN: none.
 *   u8 mode 1: f64 base, u32 scale, u8 bits B (1..32), then maxdoc codes of
 *     B bits, bit-packed low bits first (padded to a multiple of 128 codes):
 *     value = base + code / scale; code 2^B - 1: none.  Ratings (0.5 steps,
 *     scale 2) take 4 bits a document, dates YYYYMMDD 19 bits.
 *   u8 mode 2 [v3] (sparse: written when smaller than mode 1, for a field
 *     most documents lack): f64 base, u32 scale, u8 bits B as in mode 1,
 *     u32 count N, a width table of the N documents with a value in
 *     increasing order, then their N codes of B bits, bit-packed as in
 *     mode 1 (padded to a multiple of 128 codes).  A document's value is
 *     found by binary search of the documents.
 * NUMS (kind 8, per numeric field): u32 count, then either
 *   a width table of count values: the documents with a value, sorted by
 *   value then doc (a range is found by binary search through NUMV); or
 *   [v3] runs, written when smaller (a field of few distinct values):
 *   u8 0x40, u32 nruns, nruns entries of 16 bytes in increasing value:
 *   f64 value, u32 rank of the run's first document among the count, u32
 *   offset of its documents in the data that follows; then the data: per
 *   run, its documents in increasing order as varint gaps (doc - previous
 *   doc - 1, the first previous being -1).  A range is found by binary
 *   search of the runs' values; its documents are read in order.
 * STORED (kind 9): compressed blocks back to back (32 KiB of records or
 *   more each, zstd, with the segment's dictionary when it has one; such
 *   a frame may carry no dictionary ID: the segment has one dictionary).
 * ZDICT (kind 11, optional): a zstd dictionary (ZDICT_trainFromBuffer on the
 *   segment's first 1 MiB of records, at most 64 KiB; none under 256 KiB).
 * STIDX (kind 10): u32 nblocks, then per block 24 bytes:
 *   u32 first doc, u32 ndocs, u64 offset in STORED, u32 compressed length,
 *   u32 CRC of the compressed bytes.
 *   A block decompresses (zstd, one frame, content size in the frame) to
 *   ndocs records:
 *     varint json length, json bytes (the document object as given, with
 *     its id, text and metadata), varint nfields, then per field:
 *     u8 name length, name, varint ntokens, the ntokens tokens' codes.
 *   The offsets are bytes in the field's string as JSON decodes it.  A
 *   token's code says where it is against the "default" token.  It starts
 *   after the white space (ASCII space, tab, CR, LF, FF, VT, U+00A0, U+2009,
 *   U+202F) that follows the previous token's end (0 for the first).  If
 *   its first character is a letter or digit (ASCII letters and digits, and
 *   every code point from U+00C0 on except U+00D7, U+00F7, U+2000-U+2BFF,
 *   U+3000-U+303F and U+1F000-U+1FAFF), it runs over the letters and digits
 *   that follow, plus one apostrophe (' or U+2019) right after them; else
 *   it is the run of that one character (not crossing white space).  Bytes
 *   that are not whole UTF-8 sequences count as one character each, not
 *   letters; a whole sequence is its code point even in an overlong form
 *   ("\xc0\xa7" is an apostrophe, "\xc0\xa0" not white space but a
 *   character U+0020 whose run a space ends).  A token's code:
 *     varint 0          the default token
 *     varint 2(L+1)     the default start, length L
 *     varint 2G+1, L    start G bytes after the previous end, length L
 *   [v4] The codes go as runs: varint R, R default tokens (not empty), then
 *   if tokens are left one coded token, then varint R again, and so on (no
 *   R after the last token when it is a coded one).  A default token that
 *   is empty (at the text's end) is coded (0): every token takes a byte of
 *   the text or of its codes, so a reader bounds ntokens by the block's
 *   size before it allocates per token.  Version 2 and 3 blocks coded
 *   every token (0 for a default one); a reader upgrades them to runs when
 *   it decompresses one (a merge copies records in the new coding).
 *   French text is mostly default tokens: "Pas bon du tout, l'été..."
 *   codes as 8 ("l'" and "été" and "..." are defaults too); the
 *   tokenizer's hyphenated words ("peut-être", "dit" "-il") are not: "Pas
 *   bon du tout, l'été... « peut-être » dit-il !!" codes as 9 22 2 8 1.
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
    uint64_t mask = ~0ull >> (64 - bits);
    ix_bitw w = {out, 0, 0};
    for (size_t i = 0; i < IX_BLOCK; i++) ix_bitw_put(&w, v[i] & mask, bits);
    /* 128 * bits is a multiple of 64: no bits left for ix_bitw_end */
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

/* --- an exact term's pairs ------------------------------------------------ */

bool ix_pair_get(const uint8_t **p, const uint8_t *end, const uint8_t *norm, size_t len, unsigned version,
                 bool first, uint8_t *stem, size_t *stem_len, uint32_t *variant, bool *more)
{
    uint64_t cut, sl, var = 0, vmore = 0;
    if (more) *more = false;
    if (!ix_varint_get(p, end, &cut)) return false;
    if (version >= 4) {   /* the variant's first values in the low 2 bits */
        var = cut & 3;
        cut >>= 2;
    }
    uint64_t c = cut >> 3;
    if (c > len && version >= 5 && first && c <= 2 * (uint64_t)len + 1) {   /* pairs follow */
        c -= len + 1;
        if (more) *more = true;
    } else if (c > len) {
        return false;
    }
    sl = cut & 7;
    if (sl == 7) {
        uint64_t extra;
        if (!ix_varint_get(p, end, &extra) || extra > CRIBLE_TERM_MAX) return false;
        sl += extra;
    }
    size_t common = len - (size_t)c;
    if (common + sl > CRIBLE_TERM_MAX || sl > (uint64_t)(end - *p)) return false;
    memmove(stem, norm, common);
    memcpy(stem + common, *p, (size_t)sl);
    *p += sl;
    *stem_len = (size_t)(common + sl);
    if ((version < 4 || var == 3) && !ix_varint_get(p, end, &vmore)) return false;
    var += vmore;
    if (var >= (1u << IX_MAX_VBITS)) return false;
    *variant = (uint32_t)var;
    return true;
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

size_t ix_wtable_bytes(const uint8_t *p, size_t n, uint32_t count)
{
    if (n < 1) return 0;
    size_t need;
    if (p[0] & 0x80) {
        unsigned b = p[0] & 0x7f;
        if (b < 1 || b > 32) return 0;
        need = 1 + ((size_t)count * b + 7) / 8 + 7;
    } else {
        if (p[0] != 1 && p[0] != 2 && p[0] != 4) return 0;
        need = 1 + (size_t)count * p[0];
    }
    return n < need ? 0 : need;
}

uint8_t ix_wtable_head(uint32_t n, uint32_t max)
{
    uint8_t width = max <= 0xff ? 1 : max <= 0xffff ? 2 : 4;
    unsigned b = 1;
    while (b < 32 && (max >> b)) b++;
    size_t bytes = 1 + (size_t)n * width, packed = 1 + ((size_t)n * b + 7) / 8 + 7;
    return bytes <= packed ? width : (uint8_t)(0x80 | b);
}

bool ix_wtable_put(ix_buf *out, const uint32_t *v, uint32_t n)
{
    uint32_t max = 0;
    for (uint32_t d = 0; d < n; d++) max = v[d] > max ? v[d] : max;
    uint8_t head = ix_wtable_head(n, max), width = head & 0x80 ? 0 : head;
    unsigned b = head & 0x3f;
    if (width) {
        size_t bytes = 1 + (size_t)n * width;
        if (!ix_buf_reserve(out, bytes)) return false;
        uint8_t *o = out->data + out->len;
        *o++ = width;
        for (uint32_t d = 0; d < n; d++, o += width) {
            if (width == 1) o[0] = (uint8_t)v[d];
            else if (width == 2) ix_put16(o, (uint16_t)v[d]);
            else ix_put32(o, v[d]);
        }
        out->len += bytes;
        return true;
    }
    size_t packed = 1 + ((size_t)n * b + 7) / 8 + 7;
    if (!ix_buf_reserve(out, packed)) return false;
    uint8_t *o = out->data + out->len;
    memset(o, 0, packed);   /* the 7 bytes after the values */
    *o = head;
    ix_bitw w = {o + 1, 0, 0};
    for (uint32_t d = 0; d < n; d++) ix_bitw_put(&w, v[d], b);
    ix_bitw_end(&w);
    out->len += packed;
    return true;
}

bool ix_wtable_valid(const uint8_t *p, size_t n, uint32_t count)
{
    return ix_wtable_bytes(p, n, count) == n;
}

void ix_segment_name(char *out, size_t n, uint64_t seg)
{
    snprintf(out, n, "seg-%06llu.cri", (unsigned long long)seg);
}

void ix_deletes_name(char *out, size_t n, uint64_t seg, uint64_t gen)
{
    snprintf(out, n, "seg-%06llu.del-%06llu", (unsigned long long)seg, (unsigned long long)gen);
}

/* Length of the white space at text[i] (0: none). */
static size_t space_at(const char *t, size_t n, size_t i)
{
    unsigned char c = (unsigned char)t[i];
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (c == 0xc2 && i + 1 < n && (unsigned char)t[i + 1] == 0xa0) return 2;
    if (c == 0xe2 && i + 2 < n && (unsigned char)t[i + 1] == 0x80 &&
        ((unsigned char)t[i + 2] == 0xaf || (unsigned char)t[i + 2] == 0x89))
        return 3;
    return 0;
}

/* The code point at t[i] (bytes in *len, at least 1, never past n); a byte
 * that does not begin a whole UTF-8 sequence is itself (0x80..0xff). */
static uint32_t code_at(const char *t, size_t n, size_t i, size_t *len)
{
    const unsigned char *u = (const unsigned char *)t + i;
    size_t k = u[0] < 0x80 ? 1 : u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
    *len = 1;
    if (k <= 1 || k > n - i) return u[0];
    uint32_t c = u[0] & (0x7f >> k);
    for (size_t j = 1; j < k; j++) {
        if ((u[j] & 0xc0) != 0x80) return u[0];
        c = c << 6 | (u[j] & 0x3f);
    }
    *len = k;
    return c;
}

/* Letters and digits, by a fixed rule (the format must not move with a
 * Unicode version): ASCII letters and digits, and every code point from
 * U+00C0 on but for the multiplication and division signs, the general
 * punctuation, currency, arrow, mathematical and technical blocks, the
 * CJK punctuation and the emoji planes. */
/* 1: an ASCII letter or digit (a byte from 0x80 on is 0: not alone). */
static const uint8_t ascii_word[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

/* Whether p[0..2) is a letter of U+00C0..U+00FF (not the multiplication
 * and division signs): a word character, in two bytes. */
static inline bool latin1_letter(const unsigned char *p)
{
    return p[0] == 0xc3 && (p[1] & 0xc0) == 0x80 && p[1] != 0x97 && p[1] != 0xb7;
}

static bool word_char(uint32_t c)
{
    if (c < 0x80) return ascii_word[c];
    if (c < 0xc0 || c == 0xd7 || c == 0xf7) return false;
    if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0x1f000 && c <= 0x1faff))
        return false;
    return true;
}

/* The default token after position prev: [*a, *e).  ASCII bytes take
 * short ways (a byte below 0x80 is its own code point, of length 1); the
 * rest goes through code_at and word_char.  Inline in its loops: a call
 * per token cost a sixth of it. */
__attribute__((always_inline)) static inline void default_token(const char *t, size_t n, size_t prev, size_t *a,
                                                                 size_t *e)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t i = prev, k;
    while (i < n) {
        if (u[i] == ' ') { i++; continue; }
        if (!(k = space_at(t, n, i))) break;
        i += k;
    }
    *a = i;
    if (i == n) { *e = i; return; }
    uint32_t c0 = u[i];
    bool word;
    if (ascii_word[c0]) {
        i++;
        word = true;
    } else {
        c0 = code_at(t, n, i, &k);
        i += k;
        word = word_char(c0);
    }
    if (word) {
        /* a word, with the apostrophe of an elision ("l'", "qu'") */
        for (;;) {
            while (i < n && ascii_word[u[i]]) i++;
            if (i == n) break;
            if (u[i] < 0x80) {
                if (u[i] == '\'') i++;
                break;
            }
            /* U+00C0..U+00FF (French accented letters) but for the
             * multiplication and division signs: word characters */
            if (i + 1 < n && latin1_letter(u + i)) {
                i += 2;
                continue;
            }
            uint32_t c = code_at(t, n, i, &k);
            if (word_char(c)) { i += k; continue; }
            if (c == '\'' || c == 0x2019) i += k;   /* '\'': in two bytes (overlong) */
            break;
        }
    } else {
        /* punctuation: a run of one character ("...", "!!"), not white
         * space.  c0 is not white space, but an overlong form of it may
         * be: "\xc0\xa0" (U+0020 in two bytes) is a run that a space
         * ends, as code_at and space_at say */
        bool c0_space = c0 == ' ' || (c0 >= '\t' && c0 <= '\r');
        while (i < n) {
            if (u[i] < 0x80) {
                if (u[i] != c0 || c0_space) break;
                i++;
            } else {
                if (code_at(t, n, i, &k) != c0 || space_at(t, n, i)) break;
                i += k;
            }
        }
    }
    *e = i;
}

bool ix_offsets_encode_stride(ix_buf *out, const char *text, size_t tl, const uint32_t *start,
                              const uint32_t *end, size_t stride, uint32_t n)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t prev = 0;
    uint64_t run = 0;   /* default tokens not written yet */
    for (uint32_t i = 0; i < n; i++) {
        size_t a = start[i * stride], e = end[i * stride], da, de;
        /* the short way, for most tokens: a word of ASCII letters and
         * digits and U+00C0..U+00FF letters right after prev or one space
         * after it, followed by an ASCII byte that does not go on with it,
         * is the default token (as default_token finds) */
        if (a >= prev && a - prev <= 1 && e > a && e <= tl && (a == prev || u[prev] == ' ')) {
            size_t k = a;
            for (;;) {
                if (k < e && ascii_word[u[k]]) k++;
                else if (k + 1 < e && latin1_letter(u + k)) k += 2;
                else break;
            }
            if (k == e && (e == tl || (u[e] < 0x80 && !ascii_word[u[e]] && u[e] != '\''))) {
                run++;
                prev = e;
                continue;
            }
        }
        if (a < prev) a = prev;   /* offsets only go forward, within the text */
        if (e < a) e = a;
        if (e > tl) e = tl;
        if (a > e) a = e;
        default_token(text, tl, prev, &da, &de);
        if (a == da && e == de && de > da) {   /* an empty one is coded: see the bound */
            run++;
            prev = e;
            continue;
        }
        bool ok = ix_buf_varint(out, run);
        run = 0;
        if (a == da && e == de) ok = ok && ix_buf_varint(out, 0);
        else if (a == da) ok = ok && ix_buf_varint(out, 2 * ((uint64_t)(e - a) + 1));
        else ok = ok && ix_buf_varint(out, 2 * (uint64_t)(a - prev) + 1) && ix_buf_varint(out, e - a);
        if (!ok) return false;
        prev = e;
    }
    return !run || ix_buf_varint(out, run);
}

bool ix_offsets_encode(ix_buf *out, const char *text, size_t tl, const uint32_t *start,
                       const uint32_t *end, uint32_t n)
{
    return ix_offsets_encode_stride(out, text, tl, start, end, 1, n);
}

/* Reads the codes of n tokens (version 4: runs of default tokens, each
 * but the last followed by one coded token); calls tok(ctx, code, len)
 * per token, code 0 for a default one.  False if cut or damaged. */
static bool offsets_walk(const uint8_t **p, const uint8_t *end, uint64_t n,
                         void (*tok)(void *ctx, uint64_t code, uint64_t len, uint64_t times), void *ctx)
{
    for (uint64_t i = 0; i < n;) {
        uint64_t r, c, l = 0;
        if (!ix_varint_get(p, end, &r) || r > n - i) return false;
        if (r && tok) tok(ctx, 0, 0, r);
        i += r;
        if (i == n) break;
        if (!ix_varint_get(p, end, &c) || ((c & 1) && !ix_varint_get(p, end, &l))) return false;
        if (tok) tok(ctx, c, l, 1);
        i++;
    }
    return true;
}

bool ix_offsets_skip(const uint8_t **p, const uint8_t *end, uint64_t n)
{
    return offsets_walk(p, end, n, NULL, NULL);
}

typedef struct decoder {
    const char *text;
    size_t tl, prev;
    uint32_t *starts, *ends, i;
} decoder;

static void decode_token(void *ctx, uint64_t c, uint64_t l, uint64_t times)
{
    decoder *d = ctx;
    for (uint64_t k = 0; k < times; k++, d->i++) {
        size_t a, e, tl = d->tl, prev = d->prev;
        if (c & 1) {
            a = (c >> 1) > tl - prev ? tl : prev + (size_t)(c >> 1);
            e = l > tl - a ? tl : a + (size_t)l;
        } else {
            default_token(d->text, tl, prev, &a, &e);
            if (c) e = (c >> 1) - 1 > tl - a ? tl : a + (size_t)((c >> 1) - 1);
        }
        d->starts[d->i] = (uint32_t)a;
        d->ends[d->i] = (uint32_t)e;
        d->prev = e;
    }
}

bool ix_offsets_decode(const uint8_t **p, const uint8_t *end, const char *text, size_t tl,
                       uint32_t n, uint32_t *starts, uint32_t *ends)
{
    decoder d = {text, tl, 0, starts, ends, 0};
    return offsets_walk(p, end, n, decode_token, &d);
}

bool ix_offsets_upgrade(ix_buf *out, const uint8_t **p, const uint8_t *end, uint64_t n)
{
    uint64_t run = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t c, l = 0;
        if (!ix_varint_get(p, end, &c) || ((c & 1) && !ix_varint_get(p, end, &l))) return false;
        if (c == 0) { run++; continue; }
        if (!ix_buf_varint(out, run) || !ix_buf_varint(out, c) || ((c & 1) && !ix_buf_varint(out, l)))
            return false;
        run = 0;
    }
    return !run || ix_buf_varint(out, run);
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
