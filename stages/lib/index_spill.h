/*
 * index_spill.h - internal: a byte stream written once, read back later,
 * kept in memory up to a bound and beyond it in a temporary file (the
 * segment writer's term dictionary, its numeric field's sorted pairs).
 * Memory: at most `bound` bytes (the buffer grows by doubling from 64, so
 * a bound of 64 x 2^k bytes is never passed), plus a 64 KiB read buffer in
 * a reader.  A stream that stays under the bound never touches a file.
 *
 *   ix_spill s;
 *   ix_spill_init(&s, "IDX/seg-000009.cri.dict", 4 << 20);
 *   ix_spill_add(&s, bytes, n, &err) ...         (or into s.mem, then
 *                                                  ix_spill_check between records)
 *   ix_spill_reader r;  ix_spill_reader_init(&r, &s);
 *   while ((p = ix_spill_next(&r, 12, &err))) ...  (or ix_spill_copy)
 *   ix_spill_free(&s);
 *
 * The temporary file is created at the first spill in the directory of the
 * path given (the index directory: the space provisioned for the index,
 * where TMPDIR may be a tmpfs that takes its bytes from memory) by
 * ix_spill_tmpfile: without a name, a crash leaves nothing behind.  A write
 * error (ENOSPC) names the file by the path given.
 */
#ifndef CRIBLE_INDEX_SPILL_H
#define CRIBLE_INDEX_SPILL_H

#include "index_format.h"

/* A temporary file for reading and writing in the directory of `path`,
 * that no name reaches: O_TMPFILE (Linux 3.11, ext4, xfs, btrfs, tmpfs),
 * or where the file system refuses it (EOPNOTSUPP, EISDIR, EINVAL) `path`
 * itself created and unlinked at once (a name that a crash in between can
 * leave behind; one found there is removed first).  Returns the descriptor
 * (the caller closes it: its space is freed then), or -1 with err naming
 * `path`. */
int ix_spill_tmpfile(const char *path, crible_error *err);
/* For tests: an errno O_TMPFILE is made to fail with (0: none), to take
 * the fallback (EOPNOTSUPP) or to fail (ENOSPC). */
extern int ix_spill_tmpfile_refused;

typedef struct ix_spill {
    ix_buf mem;            /* the bytes after the first `flushed` */
    uint64_t flushed;      /* bytes in the file */
    int fd;                /* -1 until the first spill */
    size_t bound;
    char path[4200];
} ix_spill;

/* An empty stream whose temporary file would be `path` (copied). */
void ix_spill_init(ix_spill *s, const char *path, size_t bound);
/* Appends n bytes (inline while they fit in the buffer's room). */
static inline crible_status ix_spill_add(ix_spill *s, const void *p, size_t n, crible_error *err);
crible_status ix_spill_add_slow(ix_spill *s, const void *p, size_t n, crible_error *err);
/* For writers that append to s->mem themselves: moves the bytes in
 * memory to the file once they come within `room` bytes of the bound
 * (called before a record of at most `room` bytes). */
static inline crible_status ix_spill_room(ix_spill *s, size_t room, crible_error *err);
/* Moves the bytes in memory to the file. */
crible_status ix_spill_flush(ix_spill *s, crible_error *err);
static inline uint64_t ix_spill_len(const ix_spill *s) { return s->flushed + s->mem.len; }
/* Empties the stream (its file, if any, truncated and kept). */
crible_status ix_spill_clear(ix_spill *s, crible_error *err);
void ix_spill_free(ix_spill *s);

/* Sequential reading from the start. */
typedef struct ix_spill_reader {
    ix_spill *s;
    uint64_t pos;          /* stream offset of buf[have] */
    size_t have, at;
    uint8_t buf[1 << 16];
} ix_spill_reader;

void ix_spill_reader_init(ix_spill_reader *r, ix_spill *s);
/* The next n bytes (n <= 4 KiB), valid until the next call; NULL at the
 * end (fewer than n bytes left) or on a read error (*st set). */
const uint8_t *ix_spill_next(ix_spill_reader *r, size_t n, crible_status *st, crible_error *err);
/* Hands the whole stream to out(ctx, bytes, len) in pieces. */
crible_status ix_spill_copy(ix_spill *s, crible_status (*out)(void *ctx, const void *p, size_t n, crible_error *err),
                            void *ctx, crible_error *err);

static inline crible_status ix_spill_room(ix_spill *s, size_t room, crible_error *err)
{
    return s->mem.len + room > s->bound ? ix_spill_flush(s, err) : CRIBLE_OK;
}

static inline crible_status ix_spill_add(ix_spill *s, const void *p, size_t n, crible_error *err)
{
    if (s->mem.cap - s->mem.len < n || s->mem.len + n > s->bound) return ix_spill_add_slow(s, p, n, err);
    memcpy(s->mem.data + s->mem.len, p, n);
    s->mem.len += n;
    return CRIBLE_OK;
}

#endif
