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
 * *maxdoc describe it.  It reads at most IX_MERGE_MAX_AT_ONCE sources at
 * once: more (a shard of many segments) are merged in rounds, the first
 * n - 31 into a temporary segment beside `path` (seg-999999000000.cri and
 * up, unlinked once mapped; one a crash leaves behind is garbage the next
 * writer removes), then it and the 31 others.  Temporary files beside it
 * (`path`.xsN, .pos, .dict, .offs, .nums) are unlinked as soon as
 * created.  The sources' stored documents cannot be
 * read afterwards (their zstd dictionaries are freed once copied): close
 * them.  Memory: index_merge.c's top comment. */
crible_status ix_merge(ix_segment *src, size_t n, const char *path, int zstd_level,
                       uint64_t *size, uint32_t *maxdoc, crible_error *err);

/* The most segments one merge reads (a merge policy makes rounds; so does
 * ix_merge): each source costs its cursors and the pages they have mapped
 * (~0.2 to 0.7 MB measured: index_merge.c gives them back as it goes). */
#define IX_MERGE_MAX_AT_ONCE 32

/* The memory of the merge's external sorts (index_xsort.h): a field's
 * exact terms, each source's exact dictionary by stem.  4 MiB; tests make
 * it small to exercise the temporary files. */
extern size_t ix_merge_sort_memory;

#endif
