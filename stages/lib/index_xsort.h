/*
 * index_xsort.h - internal: an external sort of byte records in bounded
 * memory, for merges (index_merge.c) whose inputs come in one order and
 * must be written in another (a field's exact terms arrive by stem and are
 * written by norm).  Records are gathered in a chunk of at most `budget`
 * bytes; a full chunk is sorted and written to a temporary file as a run;
 * reading merges the runs.  The sort is stable: records that compare equal
 * come out in the order they were added.
 *
 *   ix_xsort *s;
 *   ix_xsort_open(&s, "IDX/seg-000009.cri", 1, 4 << 20, cmp, &err);
 *   ix_xsort_add(s, rec, len, &err) ...
 *   ix_xsort_finish(s, false, &err);
 *   while (ix_xsort_next(s, &rec, &len, &err) == 1) ...
 *   ix_xsort_free(s);
 *
 * Memory: the chunk (`budget`: the records, 16 bytes of index each) while
 * adding; while reading, a buffer per run (`budget` shared among the runs,
 * at least 4 KiB each) or the last chunk itself when nothing was spilled.
 * The temporary file has no name (index_spill.h: ix_spill_tmpfile): a
 * crash leaves nothing behind.
 */
#ifndef CRIBLE_INDEX_XSORT_H
#define CRIBLE_INDEX_XSORT_H

#include "index_format.h"

typedef struct ix_xsort ix_xsort;

/* Orders two records (negative, zero, positive as memcmp). */
typedef int (*ix_xsort_cmp)(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* A sorter whose runs go to the temporary file `path_prefix`.xs<tag>
 * (created when the first run is written). */
crible_status ix_xsort_open(ix_xsort **out, const char *path_prefix, unsigned tag, size_t budget,
                            ix_xsort_cmp cmp, crible_error *err);
/* Adds one record (copied). */
crible_status ix_xsort_add(ix_xsort *s, const void *rec, size_t len, crible_error *err);
/* Ends the adding: the records can be read.  spill: write even the last
 * chunk to the file (its memory freed), so that several sorters read at
 * once hold only their read buffers. */
crible_status ix_xsort_finish(ix_xsort *s, bool spill, crible_error *err);
/* The next record in order: 1 (*rec valid until the next call), 0 at the
 * end, -1 on error (err set). */
int ix_xsort_next(ix_xsort *s, const uint8_t **rec, size_t *len, crible_error *err);
/* Runs written so far (for tests and statistics). */
unsigned ix_xsort_runs(const ix_xsort *s);
void ix_xsort_free(ix_xsort *s);

#endif
