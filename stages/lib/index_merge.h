/*
 * index_merge.h - internal: merging segments (of this index, or of another
 * index built apart: a shard) into one new segment, dropping the documents
 * their tombstones mark.
 */
#ifndef CRIBLE_INDEX_MERGE_H
#define CRIBLE_INDEX_MERGE_H

#include "index_reader.h"

/* Writes the live documents of src[0..n) (in that order) into a new segment
 * file at `path` (fsynced, not yet named by any MANIFEST); *size and
 * *maxdoc describe it. */
crible_status ix_merge(ix_segment *src, size_t n, const char *path, int zstd_level,
                       uint64_t *size, uint32_t *maxdoc, crible_error *err);

#endif
