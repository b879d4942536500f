/*
 * index_manifest.c - the MANIFEST and tombstone files (layouts at the top of
 * index_format.c), the commit that replaces the MANIFEST atomically, and
 * the single-writer lock.
 */
#include "index_manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

crible_status ix_read_file(const char *path, uint8_t **data, size_t *len, crible_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > (1 << 30)) {
        close(fd);
        return crible_error_set(err, CRIBLE_EINDEX, "'%s' is not a crible index file", path);
    }
    size_t n = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(n + 1);
    if (!buf) { close(fd); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    *data = buf;
    *len = got;
    return CRIBLE_OK;
}

crible_status ix_manifest_parse(const uint8_t *p, size_t n, const char *name, ix_manifest *m,
                                crible_error *err)
{
    memset(m, 0, sizeof *m);
    if (n < 44 || memcmp(p, IX_MAN_MAGIC, 8) != 0)
        return crible_error_set(err, CRIBLE_EINDEX, "'%s' is not a crible MANIFEST", name);
    if (ix_get32(p + 8) != IX_VERSION)
        return crible_error_set(err, CRIBLE_EINDEX, "'%s': format version %u, this crible reads %d",
                                name, ix_get32(p + 8), IX_VERSION);
    if (ix_crc32c(0, p, n - 4) != ix_get32(p + n - 4))
        return crible_error_set(err, CRIBLE_EINDEX, "'%s': bad checksum", name);
    m->generation = ix_get64(p + 16);
    m->next_segment = ix_get64(p + 24);
    uint32_t ns = ix_get32(p + 32);
    if (ns > (n - 44) / 32)
        return crible_error_set(err, CRIBLE_EINDEX, "'%s': bad segment count", name);
    size_t off = 36;
    m->segments = calloc(ns ? ns : 1, sizeof *m->segments);
    if (!m->segments) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < ns; i++, off += 32) {
        ix_seginfo *s = &m->segments[i];
        s->number = ix_get64(p + off);
        s->maxdoc = ix_get32(p + off + 8);
        s->deleted = ix_get32(p + off + 12);
        s->del_gen = ix_get64(p + off + 16);
        s->size = ix_get64(p + off + 24);
        if (s->deleted > s->maxdoc || s->maxdoc > IX_MAX_DOCS || s->number >= m->next_segment) {
            free(m->segments);
            m->segments = NULL;
            return crible_error_set(err, CRIBLE_EINDEX, "'%s': bad entry for segment %u", name, i);
        }
    }
    m->nsegments = ns;
    uint32_t alen = ix_get32(p + off);
    if (alen != n - off - 8) {
        ix_manifest_free(m);
        return crible_error_set(err, CRIBLE_EINDEX, "'%s': bad length", name);
    }
    m->analysis = malloc(alen + 1);
    if (!m->analysis) { ix_manifest_free(m); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
    memcpy(m->analysis, p + off + 4, alen);
    m->analysis[alen] = 0;
    return CRIBLE_OK;
}

crible_status ix_manifest_read(const char *dir, ix_manifest *m, bool *missing, crible_error *err)
{
    char path[4096];
    if (missing) *missing = false;
    if (!ix_path(path, sizeof path, dir, "MANIFEST"))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%s'", dir);
    uint8_t *data;
    size_t n;
    crible_status st = ix_read_file(path, &data, &n, err);
    if (st) {
        if (missing && errno == ENOENT) *missing = true;
        struct stat sb;
        if (errno == ENOENT && stat(dir, &sb) == 0)
            return crible_error_set(err, CRIBLE_EINDEX, "'%s' is not a crible index (no MANIFEST)", dir);
        return st;
    }
    st = ix_manifest_parse(data, n, path, m, err);
    free(data);
    return st;
}

crible_status ix_manifest_write(const char *dir, const ix_manifest *m, crible_error *err)
{
    char tmp[4096], path[4096];
    if (!ix_path(tmp, sizeof tmp, dir, "MANIFEST.tmp") || !ix_path(path, sizeof path, dir, "MANIFEST"))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%s'", dir);
    ix_buf b = {0};
    const char *an = m->analysis ? m->analysis : "{}";
    size_t alen = strlen(an);
    bool ok = ix_buf_add(&b, IX_MAN_MAGIC, 8) && ix_buf_u32(&b, IX_VERSION) && ix_buf_u32(&b, 0) &&
              ix_buf_u64(&b, m->generation) && ix_buf_u64(&b, m->next_segment) &&
              ix_buf_u32(&b, m->nsegments);
    for (uint32_t i = 0; ok && i < m->nsegments; i++) {
        const ix_seginfo *s = &m->segments[i];
        ok = ix_buf_u64(&b, s->number) && ix_buf_u32(&b, s->maxdoc) && ix_buf_u32(&b, s->deleted) &&
             ix_buf_u64(&b, s->del_gen) && ix_buf_u64(&b, s->size);
    }
    ok = ok && ix_buf_u32(&b, (uint32_t)alen) && ix_buf_add(&b, an, alen);
    ok = ok && ix_buf_u32(&b, ix_crc32c(0, b.data, b.len));
    if (!ok) { ix_buf_free(&b); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ix_buf_free(&b);
        return crible_error_set(err, CRIBLE_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    }
    crible_status st = ix_write_all(fd, b.data, b.len, tmp, err);
    ix_buf_free(&b);
    if (!st) st = ix_fsync(fd, tmp, err);
    if (close(fd) != 0 && !st)
        st = crible_error_set(err, CRIBLE_EIO, "cannot close '%s': %s", tmp, strerror(errno));
    if (!st && rename(tmp, path) != 0)
        st = crible_error_set(err, CRIBLE_EIO, "cannot rename '%s': %s", tmp, strerror(errno));
    if (st) { unlink(tmp); return st; }
    return ix_fsync_dir(dir, err);
}

void ix_manifest_free(ix_manifest *m)
{
    free(m->segments);
    free(m->analysis);
    m->segments = NULL;
    m->analysis = NULL;
    m->nsegments = 0;
}

static size_t words(uint32_t maxdoc) { return ((size_t)maxdoc + 63) / 64; }

crible_status ix_deletes_parse(const uint8_t *p, size_t n, const char *name, uint32_t maxdoc,
                               uint64_t *bits, uint32_t *count, crible_error *err)
{
    size_t nw = words(maxdoc);
    if (n != 20 + nw * 8 + 4 || memcmp(p, IX_DEL_MAGIC, 8) != 0 || ix_get32(p + 8) != IX_VERSION ||
        ix_get32(p + 12) != maxdoc)
        return crible_error_set(err, CRIBLE_EINDEX, "'%s' is not the tombstone file of its segment", name);
    if (ix_crc32c(0, p, n - 4) != ix_get32(p + n - 4))
        return crible_error_set(err, CRIBLE_EINDEX, "'%s': bad checksum", name);
    uint32_t c = 0;
    for (size_t i = 0; i < nw; i++) {
        bits[i] = ix_get64(p + 20 + 8 * i);
        if (i == nw - 1 && maxdoc % 64) bits[i] &= (1ull << (maxdoc % 64)) - 1;
        c += (uint32_t)__builtin_popcountll(bits[i]);
    }
    if (c != ix_get32(p + 16))
        return crible_error_set(err, CRIBLE_EINDEX, "'%s': deleted count does not match", name);
    if (count) *count = c;
    return CRIBLE_OK;
}

crible_status ix_deletes_read(const char *dir, const ix_seginfo *s, uint64_t **bits,
                              crible_error *err)
{
    *bits = calloc(words(s->maxdoc) + 1, 8);
    if (!*bits) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (!s->del_gen) return CRIBLE_OK;
    char name[64], path[4096];
    ix_deletes_name(name, sizeof name, s->number, s->del_gen);
    if (!ix_path(path, sizeof path, dir, name))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%s'", dir);
    uint8_t *data;
    size_t n;
    crible_status st = ix_read_file(path, &data, &n, err);
    uint32_t count = 0;
    if (!st) {
        st = ix_deletes_parse(data, n, path, s->maxdoc, *bits, &count, err);
        free(data);
    }
    if (!st && count != s->deleted)
        st = crible_error_set(err, CRIBLE_EINDEX, "'%s': %u deletions, the MANIFEST says %u",
                              path, count, s->deleted);
    if (st) { free(*bits); *bits = NULL; }
    return st;
}

crible_status ix_deletes_write(const char *dir, uint64_t seg, uint64_t gen, uint32_t maxdoc,
                               const uint64_t *bits, uint32_t *count, crible_error *err)
{
    char name[64], path[4096];
    ix_deletes_name(name, sizeof name, seg, gen);
    if (!ix_path(path, sizeof path, dir, name))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%s'", dir);
    size_t nw = words(maxdoc);
    ix_buf b = {0};
    uint32_t c = 0;
    for (size_t i = 0; i < nw; i++) c += (uint32_t)__builtin_popcountll(bits[i]);
    bool ok = ix_buf_add(&b, IX_DEL_MAGIC, 8) && ix_buf_u32(&b, IX_VERSION) &&
              ix_buf_u32(&b, maxdoc) && ix_buf_u32(&b, c);
    for (size_t i = 0; ok && i < nw; i++) ok = ix_buf_u64(&b, bits[i]);
    ok = ok && ix_buf_u32(&b, ix_crc32c(0, b.data, b.len));
    if (!ok) { ix_buf_free(&b); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    crible_status st = fd < 0 ? crible_error_set(err, CRIBLE_EIO, "cannot create '%s': %s", path,
                                                 strerror(errno))
                              : ix_write_all(fd, b.data, b.len, path, err);
    ix_buf_free(&b);
    if (fd >= 0) {
        if (!st) st = ix_fsync(fd, path, err);
        close(fd);
    }
    if (st) unlink(path);
    if (count) *count = c;
    return st;
}

crible_status ix_lock(const char *dir, int *fd_out, crible_error *err)
{
    char path[4096];
    if (!ix_path(path, sizeof path, dir, "LOCK"))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%s'", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        if (n > 0) pid[n] = 0;
        pid[strcspn(pid, "\n")] = 0;
        close(fd);
        return crible_error_set(err, CRIBLE_EINDEX,
                                "index '%s' is locked by another writer (pid %s)", dir,
                                *pid ? pid : "unknown");
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0) {
        /* the pid is only for the message of a second writer */
    }
    *fd_out = fd;
    return CRIBLE_OK;
}

void ix_unlock(int fd)
{
    if (fd >= 0) close(fd);   /* releases the flock */
}
