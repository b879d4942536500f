/*
 * stem_corrections.c - the correction table of stem_corrections.h: mmap,
 * magic check, binary search over sorted lines, full check for tests.
 *
 * The first lookups are binary searches on byte ranges: take the middle
 * byte of the range, back up to the start of its line, compare that line's
 * FORM with the word, and keep the half that can still hold it (as look(1)
 * does).  Each probe lands on a cold page of the 5 MB file (about 18 cache
 * and TLB misses a word), so after INDEX_AFTER lookups (a stream, not a
 * query) a hash index of the lines is built once: open addressing over
 * {32-bit hash of FORM, line offset} slots, at most half full (4 MB for the
 * shipped table's 253,553 lines), one probe of the file a word; the build
 * finds TABs and line ends 16 bytes at a time (SSE2).  A table the index cannot
 * hold (more than 2^31 bytes) keeps the binary search.
 *
 * One table a file in the process: opening a file already open (the same
 * device, inode, size and modification time) gives the same table, counted,
 * so that the analysis threads of crible-index --analyze share one map and
 * one index.  Lookups are thread-safe: the index is built once, by the
 * first thread past INDEX_AFTER lookups or by crible_stem_corrections_prepare
 * (crible-index's index thread calls it while its workers start), and
 * published whole (an atomic pointer); until then every thread keeps the
 * binary search, nobody waits.
 */
#include "stem_corrections.h"

#include "stem_hash.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct slot { uint32_t hash, line; };   /* line + 1; 0: empty */

struct crible_stem_corrections {
    const char *map;        /* the whole file */
    size_t size;
    size_t data, end;       /* entry lines are map[data..end) */
    char *path;
    /* the hash index, built on the INDEX_AFTER-th lookup */
    atomic_size_t lookups;
    _Atomic(struct slot *) index;
    size_t mask;            /* written before index is published */
    atomic_bool building;   /* a thread builds it, or built it, or failed to */
    /* the open tables (one a file) */
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    size_t refs;            /* under `tables_mu` */
    crible_stem_corrections *next;
};

#define INDEX_AFTER 2048

static pthread_mutex_t tables_mu = PTHREAD_MUTEX_INITIALIZER;
static crible_stem_corrections *tables;

/* The table already open for the file of sb (tables_mu held), counted. */
static crible_stem_corrections *table_find(const struct stat *sb)
{
    for (crible_stem_corrections *c = tables; c; c = c->next)
        if (c->dev == sb->st_dev && c->ino == sb->st_ino && c->size == (size_t)sb->st_size &&
            c->mtime.tv_sec == sb->st_mtim.tv_sec && c->mtime.tv_nsec == sb->st_mtim.tv_nsec) {
            c->refs++;
            return c;
        }
    return NULL;
}

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
    pthread_mutex_lock(&tables_mu);
    crible_stem_corrections *shared = table_find(&sb);
    pthread_mutex_unlock(&tables_mu);
    if (shared) {
        close(fd);
        *out = shared;
        return CRIBLE_OK;
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
    memset(c, 0, sizeof *c);
    /* memset does not make an atomic object valid (C17 7.17.2.1) */
    atomic_init(&c->lookups, 0);
    atomic_init(&c->index, NULL);
    atomic_init(&c->building, false);
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
    c->dev = sb.st_dev;
    c->ino = sb.st_ino;
    c->mtime = sb.st_mtim;
    c->refs = 1;
    pthread_mutex_lock(&tables_mu);
    /* another thread may have opened it meanwhile: keep one */
    if ((shared = table_find(&sb))) {
        pthread_mutex_unlock(&tables_mu);
        munmap((void *)map, size);
        free(c->path);
        free(c);
        *out = shared;
        return CRIBLE_OK;
    }
    c->next = tables;
    tables = c;
    pthread_mutex_unlock(&tables_mu);
    *out = c;
    return CRIBLE_OK;
}

void crible_stem_corrections_close(crible_stem_corrections *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&tables_mu);
    bool last = --c->refs == 0;
    if (last)
        for (crible_stem_corrections **p = &tables; *p; p = &(*p)->next)
            if (*p == c) {
                *p = c->next;
                break;
            }
    pthread_mutex_unlock(&tables_mu);
    if (!last)
        return;
    munmap((void *)c->map, c->size);
    free(atomic_load(&c->index));
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

/* The key of the line whose FORM ends at `tab`, or NULL (no TAB). */
static const char *line_key(const crible_stem_corrections *c, size_t tab, size_t *key_len)
{
    if (tab >= c->end || c->map[tab] != '\t')
        return NULL;
    const char *key = c->map + tab + 1;
    const char *nl = memchr(key, '\n', c->end - tab - 1);
    *key_len = (size_t)(nl - key);
    return key;
}

static const char *binary_search(const crible_stem_corrections *c, const char *word,
                                 size_t len, size_t *key_len)
{
    size_t lo = c->data, hi = c->end;     /* line starts in [lo, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        while (mid > lo && c->map[mid - 1] != '\n')
            mid--;
        size_t tab;
        int r = compare_line(c, mid, word, len, &tab);
        if (r == 0)
            return line_key(c, tab, key_len);
        if (r > 0) {
            hi = mid;
        } else {
            const char *nl = memchr(c->map + mid, '\n', c->end - mid);
            lo = (size_t)(nl - c->map) + 1;
        }
    }
    return NULL;
}

/* Enters the line at `line` whose FORM is flen bytes into the index. */
static inline void index_line(struct slot *index, size_t mask, const char *map, size_t line,
                              size_t flen)
{
    uint32_t h = (uint32_t)crible_bytes_hash(map + line, flen);
    size_t k = h & mask;
    while (index[k].line)
        k = (k + 1) & mask;
    index[k].hash = h;
    index[k].line = (uint32_t)line + 1;
}

#ifdef __SSE2__
/* Bit i set where p[i] == c, for the 16 bytes at p. */
static inline unsigned bytes_eq(const char *p, char c)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}
#endif

static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 0, i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16)
        for (unsigned m = bytes_eq(p + i, '\n'); m; m &= m - 1)   /* no popcnt in x86-64 v1 */
            lines++;
#endif
    for (; i < n; i++)
        lines += p[i] == '\n';
    return lines;
}

/* Builds the hash index of every line's FORM (the bytes before its first
 * TAB, or the whole line), finding the TABs and line ends 16 bytes at a
 * time, and publishes it.  false when out of memory or the file is too
 * large for 32-bit offsets.  Called once (c->building). */
static bool build_index(crible_stem_corrections *c)
{
    if (c->end >= (size_t)1 << 31)
        return false;
    size_t lines = count_lines(c->map + c->data, c->end - c->data);
    size_t size = 64;
    while (size < 2 * lines + 2)
        size *= 2;
    struct slot *index = calloc(size, sizeof *index);
    if (!index)
        return false;
    size_t mask = size - 1;
    const char *map = c->map;
    size_t line = c->data, tab = SIZE_MAX, i = c->data;
#ifdef __SSE2__
    for (; i + 16 <= c->end; i += 16) {
        unsigned nl = bytes_eq(map + i, '\n'), m = nl | bytes_eq(map + i, '\t');
        while (m) {
            unsigned b = (unsigned)__builtin_ctz(m);
            m &= m - 1;
            if (!(nl >> b & 1)) {
                if (tab == SIZE_MAX)
                    tab = i + b;
                continue;
            }
            index_line(index, mask, map, line, (tab == SIZE_MAX ? i + b : tab) - line);
            line = i + b + 1;
            tab = SIZE_MAX;
        }
    }
#endif
    for (; i < c->end; i++) {
        if (map[i] == '\t' && tab == SIZE_MAX) {
            tab = i;
        } else if (map[i] == '\n') {
            index_line(index, mask, map, line, (tab == SIZE_MAX ? i : tab) - line);
            line = i + 1;
            tab = SIZE_MAX;
        }
    }
    c->mask = mask;
    atomic_store_explicit(&c->index, index, memory_order_release);
    return true;
}

void crible_stem_corrections_prepare(crible_stem_corrections *c)
{
    if (c && !atomic_load_explicit(&c->building, memory_order_relaxed) &&
        !atomic_exchange(&c->building, true))
        (void)build_index(c);   /* out of memory: the binary search */
}

const char *crible_stem_corrections_lookup(crible_stem_corrections *c,
                                           const char *word, size_t len,
                                           size_t *key_len)
{
    struct slot *index = atomic_load_explicit(&c->index, memory_order_acquire);
    if (!index) {
        if (!atomic_load_explicit(&c->building, memory_order_relaxed) &&
            atomic_fetch_add_explicit(&c->lookups, 1, memory_order_relaxed) + 1 >= INDEX_AFTER) {
            crible_stem_corrections_prepare(c);
            index = atomic_load_explicit(&c->index, memory_order_acquire);
        }
        if (!index)
            return binary_search(c, word, len, key_len);
    }
    /* the file is sorted without duplicates (crible_stem_corrections_check):
     * the first line whose FORM matches is the one the search would find */
    uint32_t h = (uint32_t)crible_bytes_hash(word, len);
    for (size_t k = h & c->mask; index[k].line; k = (k + 1) & c->mask) {
        if (index[k].hash != h)
            continue;
        size_t tab;
        if (compare_line(c, index[k].line - 1, word, len, &tab) == 0)
            return line_key(c, tab, key_len);
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
