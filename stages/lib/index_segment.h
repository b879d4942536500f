/*
 * index_segment.h - internal: writing one segment file, streamed, in the
 * layout of index_format.c.  Used by the in-memory buffer's flush
 * (index_writer.c) and by merges (index_merge.c), which feed it the same way:
 *
 *   ix_segw_open(path)
 *   ix_segw_stored_doc(record) ... for doc 0, 1, ... (the stored records)
 *   for each field:  ix_segw_field_begin(...)
 *                      for each term in byte order: term_begin, term_doc..., term_end
 *                    ix_segw_field_end(...)
 *                    ix_segw_section_begin/write/end for LEN, SENT, NUMV, NUMS
 *                    (or ix_segw_lengths, ix_segw_sentences, ix_segw_numeric)
 *   ix_segw_finish()   (fsyncs; the file is complete) or ix_segw_abort()
 *
 * Nothing is visible to readers until a MANIFEST names the file.
 *
 * Memory: fixed buffers (the file's 64 KiB, the stored blocks being
 * compressed: IX_JOBS x 32 KiB and more, the zstd dictionary's samples),
 * the term being written (its postings and skips), and at most
 * ix_segw_memory for each of a field's dictionary, its block offsets and
 * a numeric field's sort, whatever the segment's size.  The caller's
 * per-document arrays (lengths) are the caller's.
 */
#ifndef CRIBLE_INDEX_SEGMENT_H
#define CRIBLE_INDEX_SEGMENT_H

#include <stdint.h>

#include "index_format.h"

typedef struct ix_segw ix_segw;

/* The memory a segment writer holds of a structure that grows with the
 * segment before it goes to a temporary file in the segment's directory
 * (named `path`.dict, .offs, .nums, .xsN in errors; without a name on
 * disk: index_spill.h, ix_spill_tmpfile): a field's term
 * dictionary and its block offsets, a numeric field's sorted values, a
 * per-document table larger than it.  4 MiB; tests make it small to make
 * a writer spill.  Below it nothing is spilled. */
extern size_t ix_segw_memory;

crible_status ix_segw_open(const char *path, int zstd_level, ix_segw **out, crible_error *err);
/* Appends one stored-document record (layout in index_format.c). */
crible_status ix_segw_stored_doc(ix_segw *w, const uint8_t *rec, size_t len, crible_error *err);
/* Number of stored records so far (the next document number). */
uint32_t ix_segw_ndocs(const ix_segw *w);

/* Starts field number `field` (the next one: 0, 1, ...).  `lengths` (maxdoc
 * entries, may be NULL) gives the block minimum lengths; it must stay valid
 * until field_end. */
crible_status ix_segw_field_begin(ix_segw *w, const char *name, int kind, unsigned flags,
                                  int link, const uint32_t *lengths, crible_error *err);
/* vbits: bits of variant number per position (0: none). */
crible_status ix_segw_term_begin(ix_segw *w, const uint8_t *term, size_t len, bool pure,
                                 unsigned vbits, crible_error *err);
/* Documents in increasing order; pos: tf positions (increasing) when the
 * field has positions, else NULL; var: their variant numbers (NULL: 0). */
crible_status ix_segw_term_doc(ix_segw *w, uint32_t doc, uint32_t tf, const uint32_t *pos,
                               const uint32_t *var, crible_error *err);
/* A term of an exact field: its stats (over every document holding the
 * norm, whatever its stem) and its npairs >= 1 (stem, variant) pairs, in
 * any order (sorted here, in place, by stem; a stem twice is an error). */
crible_status ix_segw_exact_term(ix_segw *w, const uint8_t *norm, size_t len, uint32_t df,
                                 uint64_t cf, uint32_t max_tf, ix_pair *pairs, size_t npairs,
                                 crible_error *err);
/* Ends the term (a term with no document is dropped). */
crible_status ix_segw_term_end(ix_segw *w, crible_error *err);
/* Adds flag (IX_FIELD_ORPHANS) to the current field's. */
void ix_segw_field_flag(ix_segw *w, unsigned flag);
crible_status ix_segw_field_end(ix_segw *w, uint32_t doc_count, uint64_t sum_length,
                                crible_error *err);

/* A whole section of the current field (or field 0 for segment-wide ones),
 * written in pieces. */
crible_status ix_segw_section_begin(ix_segw *w, int kind, int field, crible_error *err);
crible_status ix_segw_section_write(ix_segw *w, const void *data, size_t len, crible_error *err);
crible_status ix_segw_section_end(ix_segw *w, crible_error *err);

/* The per-document tables of field `field` (n = maxdoc documents):
 * LEN from lengths[n]; SENT from offs[n + 1] into data.  A numeric
 * field's NUMV and NUMS: index_numeric.h. */
crible_status ix_segw_lengths(ix_segw *w, int field, const uint32_t *lengths, uint32_t n,
                              crible_error *err);
crible_status ix_segw_sentences(ix_segw *w, int field, const uint32_t *offs, const ix_buf *data,
                                uint32_t n, crible_error *err);

/* The segment file's path (temporary files are named after it). */
const char *ix_segw_path(const ix_segw *w);

/* A width table (index_format.h: ix_wtable_put) written into the open
 * section as its values come, their count and largest known beforehand. */
typedef struct ix_segw_wt {
    uint8_t buf[1 << 12];
    size_t len;
    uint8_t width;         /* 1, 2, 4: bytes; 0: packed in `bits` */
    unsigned bits, have;
    uint64_t acc;
} ix_segw_wt;
void ix_segw_wt_begin(ix_segw_wt *t, uint32_t n, uint32_t max);
crible_status ix_segw_wt_put(ix_segw *w, ix_segw_wt *t, uint32_t v, crible_error *err);
crible_status ix_segw_wt_end(ix_segw *w, ix_segw_wt *t, crible_error *err);

/* Writes the stored index, META, TOC and footer, fsyncs and closes.  *size
 * gets the file size.  w is freed either way. */
crible_status ix_segw_finish(ix_segw *w, uint32_t maxdoc, uint64_t *size, crible_error *err);
/* Closes and removes the partial file. */
void ix_segw_abort(ix_segw *w);

/* The numeric tables are index_numeric.c's: every writer of a segment
 * writes them. */
#include "index_numeric.h"

#endif
