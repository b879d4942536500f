/*
 * index_xsort.c - external sort of byte records in bounded memory (see
 * index_xsort.h).  A run in the temporary file is its records one after
 * the other, each a varint length and its bytes, in order; the sorter
 * keeps each run's [start, end) offsets.  Nothing of it outlives the
 * sorter (the file has no name: ix_spill_tmpfile).
 */
#include "index_xsort.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "index_spill.h"

#define XS_MIN_BUF 4096

typedef struct xs_ent {
    uint64_t off;          /* in the pool */
    uint32_t len, seq;     /* seq: order of addition in the chunk */
} xs_ent;

typedef struct xs_run {
    uint64_t pos, end;     /* next byte to read, end of the run */
    uint8_t *buf;
    size_t cap, have, at;  /* buf[at, have) not consumed yet */
    const uint8_t *rec;    /* current record */
    size_t len;
} xs_run;

struct ix_xsort {
    char path[4200];
    int fd;
    ix_xsort_cmp cmp;
    size_t budget;
    ix_buf pool;
    xs_ent *ents;
    size_t n, cap, next;   /* next: reading the chunk from memory */
    uint64_t file_len;
    xs_run *runs;
    unsigned nruns, runs_cap;
    unsigned *heap, nheap;
    bool reading, in_memory;
    bool top_out;          /* the heap's top record was handed out */
};

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while sorting a merge's terms");
}

crible_status ix_xsort_open(ix_xsort **out, const char *path_prefix, unsigned tag, size_t budget,
                            ix_xsort_cmp cmp, crible_error *err)
{
    ix_xsort *s = calloc(1, sizeof *s);
    if (!s) return nomem(err);
    int n = snprintf(s->path, sizeof s->path, "%s.xs%u", path_prefix, tag);
    if (n < 0 || (size_t)n >= sizeof s->path) {
        free(s);
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%.100s...'", path_prefix);
    }
    s->fd = -1;
    s->cmp = cmp;
    s->budget = budget < 2 * XS_MIN_BUF ? 2 * XS_MIN_BUF : budget;
    *out = s;
    return CRIBLE_OK;
}

/* The comparison's context: qsort has none (C17). */
static _Thread_local const ix_xsort *sorting;

static int cmp_ent(const void *a, const void *b)
{
    const xs_ent *x = a, *y = b;
    const uint8_t *p = sorting->pool.data;
    int c = sorting->cmp(p + x->off, x->len, p + y->off, y->len);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void sort_chunk(ix_xsort *s)
{
    if (s->n < 2) return;   /* ents may be NULL */
    sorting = s;
    qsort(s->ents, s->n, sizeof *s->ents, cmp_ent);
    sorting = NULL;
}

/* Sorts the chunk and writes it as a run; the chunk is emptied. */
static crible_status spill(ix_xsort *s, crible_error *err)
{
    if (s->n == 0) return CRIBLE_OK;
    if (s->fd < 0) {
        s->fd = ix_spill_tmpfile(s->path, err);
        if (s->fd < 0) return CRIBLE_EIO;
    }
    if (s->nruns == s->runs_cap) {
        unsigned cap = s->runs_cap ? s->runs_cap * 2 : 8;
        xs_run *r = realloc(s->runs, cap * sizeof *r);
        if (!r) return nomem(err);
        s->runs = r;
        s->runs_cap = cap;
    }
    sort_chunk(s);
    uint8_t buf[1 << 15];
    size_t bl = 0;
    uint64_t start = s->file_len;
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; !st && i < s->n; i++) {
        const xs_ent *e = &s->ents[i];
        if (sizeof buf - bl < 10 + (size_t)e->len) {
            st = ix_write_all(s->fd, buf, bl, s->path, err);
            s->file_len += bl;
            bl = 0;
        }
        bl += ix_varint_put(buf + bl, e->len);
        if (!st && e->len > sizeof buf - bl) {   /* larger than the buffer: straight out */
            st = ix_write_all(s->fd, buf, bl, s->path, err);
            if (!st) st = ix_write_all(s->fd, s->pool.data + e->off, e->len, s->path, err);
            s->file_len += bl + e->len;
            bl = 0;
            continue;
        }
        memcpy(buf + bl, s->pool.data + e->off, e->len);
        bl += e->len;
    }
    if (!st && bl) st = ix_write_all(s->fd, buf, bl, s->path, err);
    s->file_len += bl;
    if (st) return st;
    s->runs[s->nruns++] = (xs_run){.pos = start, .end = s->file_len};
    s->n = 0;
    s->pool.len = 0;
    return CRIBLE_OK;
}

crible_status ix_xsort_add(ix_xsort *s, const void *rec, size_t len, crible_error *err)
{
    if (s->reading) return crible_error_set(err, CRIBLE_EINTERNAL, "record added to a sorter being read");
    if (len > UINT32_MAX) return crible_error_set(err, CRIBLE_EINTERNAL, "record too large to sort");
    if (s->n && s->pool.len + len + (s->n + 1) * sizeof *s->ents > s->budget) {
        crible_status st = spill(s, err);
        if (st) return st;
    }
    if (!s->pool.cap && !ix_buf_reserve(&s->pool, s->budget / 4 * 3)) return nomem(err);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        xs_ent *e = realloc(s->ents, cap * sizeof *e);
        if (!e) return nomem(err);
        s->ents = e;
        s->cap = cap;
    }
    s->ents[s->n] = (xs_ent){s->pool.len, (uint32_t)len, (uint32_t)s->n};
    if (!ix_buf_add(&s->pool, rec, len)) return nomem(err);
    s->n++;
    return CRIBLE_OK;
}

/* Reads run r's next record into r->rec; false at its end or on error. */
static bool run_next(ix_xsort *s, xs_run *r, crible_error *err, crible_status *st)
{
    for (;;) {
        const uint8_t *p = r->buf + r->at, *end = r->buf + r->have;
        uint64_t len;
        if (ix_varint_get(&p, end, &len) && len <= (uint64_t)(end - p)) {
            r->rec = p;
            r->len = (size_t)len;
            r->at = (size_t)(p + len - r->buf);
            return true;
        }
        if (r->pos >= r->end) {
            if (r->at != r->have) *st = crible_error_set(err, CRIBLE_EIO, "'%s': cut record", s->path);
            return false;
        }
        /* keep what is left, make room for the record, read more */
        size_t left = r->have - r->at, need = left + XS_MIN_BUF;
        if (ix_varint_get(&p, end, &len) && len + 10 > r->cap) need = (size_t)len + 10;
        if (need > r->cap) {
            uint8_t *b = realloc(r->buf, need);
            if (!b) { *st = nomem(err); return false; }
            r->buf = b;
            r->cap = need;
        }
        memmove(r->buf, r->buf + r->at, left);
        r->at = 0;
        r->have = left;
        size_t want = r->cap - left;
        if (want > r->end - r->pos) want = (size_t)(r->end - r->pos);
        ssize_t got = pread(s->fd, r->buf + left, want, (off_t)r->pos);
        if (got <= 0) {
            *st = crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", s->path,
                                   got < 0 ? strerror(errno) : "short file");
            return false;
        }
        r->pos += (uint64_t)got;
        r->have += (size_t)got;
    }
}

/* Heap order: the smaller record, then the earlier run (stability). */
static bool heap_less(const ix_xsort *s, unsigned a, unsigned b)
{
    int c = s->cmp(s->runs[a].rec, s->runs[a].len, s->runs[b].rec, s->runs[b].len);
    return c < 0 || (c == 0 && a < b);
}

static void heap_down(ix_xsort *s, unsigned i)
{
    for (;;) {
        unsigned l = 2 * i + 1, m = i;
        if (l < s->nheap && heap_less(s, s->heap[l], s->heap[m])) m = l;
        if (l + 1 < s->nheap && heap_less(s, s->heap[l + 1], s->heap[m])) m = l + 1;
        if (m == i) return;
        unsigned t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

crible_status ix_xsort_finish(ix_xsort *s, bool spill_all, crible_error *err)
{
    if (s->reading) return CRIBLE_OK;
    s->reading = true;
    if (s->nruns == 0 && !spill_all) {
        sort_chunk(s);
        s->in_memory = true;
        return CRIBLE_OK;
    }
    crible_status st = spill(s, err);
    if (st) return st;
    free(s->ents);
    s->ents = NULL;
    s->cap = 0;
    ix_buf_free(&s->pool);
    size_t share = s->nruns ? s->budget / s->nruns : 0;
    if (spill_all || share < XS_MIN_BUF) share = XS_MIN_BUF;
    s->heap = malloc((s->nruns + 1) * sizeof *s->heap);
    if (!s->heap) return nomem(err);
    for (unsigned i = 0; i < s->nruns; i++) {
        xs_run *r = &s->runs[i];
        r->buf = malloc(share);
        if (!r->buf) return nomem(err);
        r->cap = share;
        if (run_next(s, r, err, &st)) s->heap[s->nheap++] = i;
        if (st) return st;
    }
    for (unsigned i = s->nheap / 2; i-- > 0;) heap_down(s, i);
    return CRIBLE_OK;
}

int ix_xsort_next(ix_xsort *s, const uint8_t **rec, size_t *len, crible_error *err)
{
    if (!s->reading) {
        crible_error_set(err, CRIBLE_EINTERNAL, "sorter read before it was finished");
        return -1;
    }
    if (s->in_memory) {
        if (s->next >= s->n) return 0;
        const xs_ent *e = &s->ents[s->next++];
        *rec = s->pool.data + e->off;
        *len = e->len;
        return 1;
    }
    if (s->top_out) {   /* the record handed out last time: its run moves on */
        s->top_out = false;
        crible_status st = CRIBLE_OK;
        if (!run_next(s, &s->runs[s->heap[0]], err, &st)) {
            if (st) return -1;
            s->heap[0] = s->heap[--s->nheap];
        }
        if (s->nheap) heap_down(s, 0);
    }
    if (s->nheap == 0) return 0;
    const xs_run *r = &s->runs[s->heap[0]];
    *rec = r->rec;
    *len = r->len;
    s->top_out = true;
    return 1;
}

unsigned ix_xsort_runs(const ix_xsort *s) { return s->nruns; }

void ix_xsort_free(ix_xsort *s)
{
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    for (unsigned i = 0; i < s->nruns; i++) free(s->runs[i].buf);
    free(s->runs);
    free(s->heap);
    free(s->ents);
    ix_buf_free(&s->pool);
    free(s);
}
