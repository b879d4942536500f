/*
 * index_spill.c - a byte stream in memory up to a bound, the rest in an
 * anonymous temporary file (see index_spill.h).  The file holds the
 * stream's first `flushed` bytes, the memory the ones after.  Also the
 * temporary files of the index writer (ix_spill_tmpfile: the spills, the
 * external sorts' runs, a segment's positions): made with O_TMPFILE, so
 * they never have a name a crash could leave behind.
 */
#define _GNU_SOURCE   /* O_TMPFILE (Linux) */
#include "index_spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int ix_spill_tmpfile_refused = 0;

/* The directory part of path ("." when none) into dir. */
static bool dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (slash == path) n = 1;   /* "/name" */
    if (n >= cap) return false;
    memcpy(dir, slash ? path : ".", n);
    dir[n] = 0;
    return true;
}

int ix_spill_tmpfile(const char *path, crible_error *err)
{
    char dir[4200];
    if (!dir_of(path, dir, sizeof dir)) {
        crible_error_set(err, CRIBLE_EIO, "path too long: '%.100s...'", path);
        return -1;
    }
    int fd = -1;
#ifdef O_TMPFILE
    if (ix_spill_tmpfile_refused) errno = ix_spill_tmpfile_refused;
    else fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    /* the file system (or, EISDIR, a kernel before 3.11) refuses it */
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        crible_error_set(err, CRIBLE_EIO, "cannot create '%s' (a temporary file in '%s'): %s", path, dir,
                         strerror(errno));
        return -1;
    }
#endif
    /* a name, unlinked at once; one left by a crash in between is removed */
    const int flags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    fd = open(path, flags, 0600);
    int e = errno;
    if (fd < 0 && e == EEXIST && unlink(path) == 0) {
        fd = open(path, flags, 0600);
        e = errno;
    }
    if (fd < 0) {
        crible_error_set(err, CRIBLE_EIO, "cannot create '%s': %s", path, strerror(e));
        return -1;
    }
    unlink(path);   /* lives until closed */
    return fd;
}

void ix_spill_init(ix_spill *s, const char *path, size_t bound)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->bound = bound;
    snprintf(s->path, sizeof s->path, "%s", path);
}

crible_status ix_spill_flush(ix_spill *s, crible_error *err)
{
    if (s->mem.len == 0) return CRIBLE_OK;
    if (s->fd < 0) {
        s->fd = ix_spill_tmpfile(s->path, err);
        if (s->fd < 0) return CRIBLE_EIO;
    }
    if (lseek(s->fd, (off_t)s->flushed, SEEK_SET) < 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot write '%s': %s", s->path, strerror(errno));
    crible_status st = ix_write_all(s->fd, s->mem.data, s->mem.len, s->path, err);
    if (st) return st;
    s->flushed += s->mem.len;
    s->mem.len = 0;
    return CRIBLE_OK;
}

crible_status ix_spill_add_slow(ix_spill *s, const void *p, size_t n, crible_error *err)
{
    crible_status st = ix_spill_room(s, n, err);
    if (st) return st;
    if (!ix_buf_add(&s->mem, p, n))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while writing '%s'", s->path);
    return s->mem.len > s->bound ? ix_spill_flush(s, err) : CRIBLE_OK;   /* n > bound */
}

crible_status ix_spill_clear(ix_spill *s, crible_error *err)
{
    s->mem.len = 0;
    if (s->flushed && ftruncate(s->fd, 0) != 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot truncate '%s': %s", s->path, strerror(errno));
    s->flushed = 0;
    return CRIBLE_OK;
}

void ix_spill_free(ix_spill *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    ix_buf_free(&s->mem);
    s->flushed = 0;
}

void ix_spill_reader_init(ix_spill_reader *r, ix_spill *s)
{
    r->s = s;
    r->pos = 0;
    r->have = r->at = 0;
}

/* Reads up to len bytes at stream offset off into p: the file's part
 * with pread, the memory's copied.  Returns the bytes read (short only
 * at the end), or -1 (err set). */
static ssize_t spill_read(ix_spill *s, uint64_t off, uint8_t *p, size_t len, crible_error *err)
{
    size_t done = 0;
    while (done < len && off + done < s->flushed) {
        uint64_t left = s->flushed - (off + done);
        size_t want = len - done < left ? len - done : (size_t)left;
        ssize_t got = pread(s->fd, p + done, want, (off_t)(off + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", s->path, got < 0 ? strerror(errno) : "short file");
            return -1;
        }
        done += (size_t)got;
    }
    if (done < len && off + done < ix_spill_len(s)) {
        size_t from = (size_t)(off + done - s->flushed), n = s->mem.len - from;
        if (n > len - done) n = len - done;
        memcpy(p + done, s->mem.data + from, n);
        done += n;
    }
    return (ssize_t)done;
}

const uint8_t *ix_spill_next(ix_spill_reader *r, size_t n, crible_status *st, crible_error *err)
{
    if (r->have - r->at < n) {
        size_t left = r->have - r->at;
        memmove(r->buf, r->buf + r->at, left);
        r->at = 0;
        r->have = left;
        ssize_t got = spill_read(r->s, r->pos, r->buf + left, sizeof r->buf - left, err);
        if (got < 0) { *st = CRIBLE_EIO; return NULL; }
        r->pos += (uint64_t)got;
        r->have += (size_t)got;
        if (r->have < n) return NULL;
    }
    const uint8_t *p = r->buf + r->at;
    r->at += n;
    return p;
}

crible_status ix_spill_copy(ix_spill *s, crible_status (*out)(void *ctx, const void *p, size_t n, crible_error *err),
                            void *ctx, crible_error *err)
{
    uint8_t buf[1 << 16];
    crible_status st = CRIBLE_OK;
    for (uint64_t off = 0; !st && off < s->flushed;) {
        size_t want = s->flushed - off < sizeof buf ? (size_t)(s->flushed - off) : sizeof buf;
        ssize_t got = spill_read(s, off, buf, want, err);
        if (got < 0) return CRIBLE_EIO;
        st = out(ctx, buf, (size_t)got, err);
        off += (uint64_t)got;
    }
    if (!st && s->mem.len) st = out(ctx, s->mem.data, s->mem.len, err);
    return st;
}
