/*
 * index_manifest.h - internal: the MANIFEST (which segments are live), the
 * tombstone files, the writer's lock and the atomic commit.  Layouts at the
 * top of index_format.c.
 */
#ifndef CRIBLE_INDEX_MANIFEST_H
#define CRIBLE_INDEX_MANIFEST_H

#include <stdint.h>

#include "index_format.h"

typedef struct ix_seginfo {
    uint64_t number;       /* seg-NUMBER.cri */
    uint32_t maxdoc;
    uint32_t deleted;
    uint64_t del_gen;      /* 0: no tombstone file */
    uint64_t size;
} ix_seginfo;

typedef struct ix_manifest {
    uint64_t generation;
    uint64_t next_segment;
    uint32_t nsegments;
    ix_seginfo *segments;  /* malloc'ed */
    char *analysis;        /* malloc'ed, NUL-terminated JSON */
} ix_manifest;

/* Reads DIR/MANIFEST.  CRIBLE_EIO when absent (err says so; *missing set
 * true if not NULL), CRIBLE_EINDEX when damaged. */
crible_status ix_manifest_read(const char *dir, ix_manifest *m, bool *missing, crible_error *err);
/* Parses a manifest image (used by read and by check). */
crible_status ix_manifest_parse(const uint8_t *p, size_t n, const char *name, ix_manifest *m,
                                crible_error *err);
/* The atomic commit: MANIFEST.tmp, fsync, rename, fsync of the directory. */
crible_status ix_manifest_write(const char *dir, const ix_manifest *m, crible_error *err);
void ix_manifest_free(ix_manifest *m);

/* Tombstones: a bitset of maxdoc bits (uint64 words). */
crible_status ix_deletes_read(const char *dir, const ix_seginfo *s, uint64_t **bits,
                              crible_error *err);
crible_status ix_deletes_write(const char *dir, uint64_t seg, uint64_t gen, uint32_t maxdoc,
                               const uint64_t *bits, uint32_t *count, crible_error *err);
/* Parses a tombstone file image for a segment of maxdoc documents. */
crible_status ix_deletes_parse(const uint8_t *p, size_t n, const char *name, uint32_t maxdoc,
                               uint64_t *bits, uint32_t *count, crible_error *err);

/* Reads a whole small file into a malloc'ed buffer. */
crible_status ix_read_file(const char *path, uint8_t **data, size_t *len, crible_error *err);

/* The writer's lock: DIR/LOCK, flock'ed.  A second writer gets CRIBLE_EINDEX
 * "index 'DIR' is locked by another writer (pid N)". */
crible_status ix_lock(const char *dir, int *fd, crible_error *err);
void ix_unlock(int fd);

#endif
