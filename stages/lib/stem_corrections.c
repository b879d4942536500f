/*
 * stem_corrections.c - the correction table of stem_corrections.h: mmap,
 * magic check, binary search over sorted lines, full check for tests.
 *
 * The binary search works on byte ranges: take the middle byte of the
 * range, back up to the start of its line, compare that line's FORM with
 * the word, and keep the half that can still hold it (as look(1) does).
 */
#include "stem_corrections.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct crible_stem_corrections {
    const char *map;        /* the whole file */
    size_t size;
    size_t data, end;       /* entry lines are map[data..end) */
    char *path;
};

crible_status crible_stem_corrections_open(const char *path,
                                           crible_stem_corrections **out,
                                           crible_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int e = errno;
        close(fd);
        return crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", path, strerror(e));
    }
    size_t magic = strlen(CRIBLE_STEM_CORRECTIONS_MAGIC);
    size_t size = (size_t)sb.st_size;
    const char *map = NULL;
    if (size > magic) {
        void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            return crible_error_set(err, CRIBLE_EIO, "cannot map '%s': %s", path, strerror(e));
        }
        map = m;
    }
    close(fd);
    if (!map || memcmp(map, CRIBLE_STEM_CORRECTIONS_MAGIC, magic) != 0 ||
        map[magic] != '\n' || map[size - 1] != '\n') {
        if (map)
            munmap((void *)map, size);
        return crible_error_set(err, CRIBLE_ECONFIG,
                                "%s: not a crible stem corrections file (version 1)", path);
    }
    crible_stem_corrections *c = crible_malloc(sizeof *c, err);
    char *p = crible_strdup(path, err);
    if (!c || !p) {
        free(c);
        free(p);
        munmap((void *)map, size);
        return CRIBLE_ENOMEM;
    }
    c->map = map;
    c->size = size;
    c->path = p;
    size_t i = 0;
    while (i < size && map[i] == '#') {   /* skip the comment lines */
        const char *nl = memchr(map + i, '\n', size - i);
        i = (size_t)(nl - map) + 1;
    }
    c->data = i;
    c->end = size;
    madvise((void *)map, size, MADV_RANDOM);
    *out = c;
    return CRIBLE_OK;
}

void crible_stem_corrections_close(crible_stem_corrections *c)
{
    if (!c)
        return;
    munmap((void *)c->map, c->size);
    free(c->path);
    free(c);
}

/* Compares the FORM of the line starting at `line` with word; sets *tab. */
static int compare_line(const crible_stem_corrections *c, size_t line,
                        const char *word, size_t len, size_t *tab)
{
    const char *s = c->map + line;
    size_t n = 0, max = c->end - line;
    while (n < max && s[n] != '\t' && s[n] != '\n')
        n++;
    *tab = line + n;
    size_t k = n < len ? n : len;
    int r = memcmp(s, word, k);
    if (r != 0)
        return r;
    return n < len ? -1 : n > len ? 1 : 0;
}

const char *crible_stem_corrections_lookup(const crible_stem_corrections *c,
                                           const char *word, size_t len,
                                           size_t *key_len)
{
    size_t lo = c->data, hi = c->end;     /* line starts in [lo, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        while (mid > lo && c->map[mid - 1] != '\n')
            mid--;
        size_t tab;
        int r = compare_line(c, mid, word, len, &tab);
        if (r == 0) {
            if (tab >= c->end || c->map[tab] != '\t')
                return NULL;
            const char *key = c->map + tab + 1;
            const char *nl = memchr(key, '\n', c->end - tab - 1);
            *key_len = (size_t)(nl - key);
            return key;
        }
        if (r > 0) {
            hi = mid;
        } else {
            const char *nl = memchr(c->map + mid, '\n', c->end - mid);
            lo = (size_t)(nl - c->map) + 1;
        }
    }
    return NULL;
}

crible_status crible_stem_corrections_check(const crible_stem_corrections *c,
                                            size_t *entries, crible_error *err)
{
    size_t count = 0, prev = 0, prev_len = 0;
    long lineno = 1;
    for (size_t i = 0; i < c->data; i++)
        lineno += c->map[i] == '\n';
    for (size_t i = c->data; i < c->end; lineno++) {
        const char *s = c->map + i;
        const char *nl = memchr(s, '\n', c->end - i);
        size_t n = (size_t)(nl - s);
        const char *tab = memchr(s, '\t', n);
        if (!tab || tab == s || (size_t)(tab - s) + 1 == n || memchr(tab + 1, '\t', n - (size_t)(tab - s) - 1))
            return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: expected FORM<TAB>KEY",
                                    c->path, lineno);
        size_t flen = (size_t)(tab - s);
        if (count > 0) {
            size_t k = flen < prev_len ? flen : prev_len;
            int r = memcmp(c->map + prev, s, k);
            if (r > 0 || (r == 0 && flen <= prev_len))
                return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: '%.*s' is out of order or repeated",
                                        c->path, lineno, (int)flen, s);
        }
        prev = i;
        prev_len = flen;
        count++;
        i += n + 1;
    }
    if (entries)
        *entries = count;
    return CRIBLE_OK;
}
