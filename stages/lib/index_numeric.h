/*
 * index_numeric.h - internal: a numeric field's NUMV and NUMS tables
 * (layout: index_format.c), written into the segment being written
 * (index_segment.h) after the field's other sections, in memory or, past
 * ix_segw_memory, streamed (index_numeric.c).
 */
#ifndef CRIBLE_INDEX_NUMERIC_H
#define CRIBLE_INDEX_NUMERIC_H

#include <stdbool.h>
#include <stdint.h>

#include "index_format.h"

typedef struct ix_segw ix_segw;

/* NUMV and NUMS of field `field` from values[n] (n = maxdoc documents;
 * NaN: no value).  In memory while that takes at most ix_segw_memory
 * (~40 bytes a value), else streamed from the array. */
crible_status ix_segw_numeric(ix_segw *w, int field, const double *values, uint32_t n,
                              crible_error *err);

/* The values of a numeric field read in passes: rewind, then next until
 * it returns false gives the documents having a value, in increasing
 * order, and their values (not NaN). */
typedef struct ix_numsrc {
    void *ctx;
    void (*rewind)(void *ctx);
    bool (*next)(void *ctx, uint32_t *doc, double *value);
} ix_numsrc;

/* NUMV and NUMS of field `field` (n documents) from a source: the same
 * bytes as ix_segw_numeric on the same values, in memory when they take
 * at most ix_segw_memory, else streamed (an external sort, several passes
 * over the source: three, four for a sparse NUMV).  Temporary files beside
 * the segment (`path`.xsN, .nums). */
crible_status ix_segw_numeric_src(ix_segw *w, int field, uint32_t n, const ix_numsrc *src,
                                  crible_error *err);

#endif
