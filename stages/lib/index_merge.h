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
 * once: more (a shard of many segments) are merged in a tree of rounds,
 * groups of at most 32 consecutive sources into temporary segments beside
 * `path` (seg-999999000000.cri and up, unlinked once mapped; one a crash
 * leaves behind is garbage the next writer removes), then those: every
 * document is copied once a level, ceil(log32 n) times at most (twice up
 * to 1,024 sources; up to 63, the first n - 31 merged first, then with
 * the 31 others).  Temporary files beside it
 * (`path`.xsN, .pos, .dict, .offs, .nums in errors) have no name on disk
 * (index_spill.h: ix_spill_tmpfile).  The sources' stored documents cannot be
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

/* The documents every merge of this process has written, its rounds'
 * temporary segments included (for tests and statistics: a tree of
 * rounds writes each document once a level). */
extern uint64_t ix_merge_docs_written;

#endif
