/*
 * query_cache.c - the searcher's memo of dictionary lookups (query_cache.h):
 * an open-addressing hash table (FNV-1a, linear probing, at most half
 * full) of entries that own one allocation each: key bytes then value
 * bytes.
 */
#include "query_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct qentry {
    uint64_t hash;
    size_t klen, vlen;
    unsigned char *kv;        /* NULL: empty slot */
} qentry;

struct qcache {
    qentry *slots;
    size_t cap, n;            /* cap: a power of two */
    size_t bytes, max_bytes;
};

static uint64_t hash_of(const void *key, size_t n)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

qcache *qcache_new(size_t max_bytes)
{
    qcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cap = 256;
    c->slots = calloc(c->cap, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    c->max_bytes = max_bytes;
    return c;
}

static void clear(qcache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].kv);
        c->slots[i].kv = NULL;
    }
    c->n = 0;
    c->bytes = 0;
}

void qcache_free(qcache *c)
{
    if (!c)
        return;
    clear(c);
    free(c->slots);
    free(c);
}

/* The slot holding key, or the empty one where it would go. */
static qentry *find(const qcache *c, uint64_t h, const void *key, size_t klen)
{
    for (size_t i = (size_t)h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        qentry *e = &c->slots[i];
        if (!e->kv || (e->hash == h && e->klen == klen && memcmp(e->kv, key, klen) == 0))
            return e;
    }
}

const void *qcache_get(const qcache *c, const void *key, size_t klen, size_t *vlen)
{
    const qentry *e = find(c, hash_of(key, klen), key, klen);
    if (!e->kv)
        return NULL;
    *vlen = e->vlen;
    return e->kv + e->klen;
}

static bool grow(qcache *c)
{
    size_t cap = c->cap * 2;
    qentry *v = calloc(cap, sizeof *v), *old = c->slots;
    if (!v)
        return false;
    size_t ocap = c->cap;
    c->slots = v;
    c->cap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].kv)
            *find(c, old[i].hash, old[i].kv, old[i].klen) = old[i];
    free(old);
    return true;
}

bool qcache_put(qcache *c, const void *key, size_t klen, const void *val, size_t vlen)
{
    size_t size = klen + vlen + sizeof(qentry);
    if (size > c->max_bytes / 4)
        return true; /* too big to be worth keeping */
    if (c->bytes + size > c->max_bytes)
        clear(c);
    if ((c->n + 1) * 2 > c->cap && !grow(c))
        return false;
    uint64_t h = hash_of(key, klen);
    qentry *e = find(c, h, key, klen);
    unsigned char *kv = malloc(klen + vlen + 1);
    if (!kv)
        return false;
    memcpy(kv, key, klen);
    if (vlen)
        memcpy(kv + klen, val, vlen);
    if (e->kv) {
        c->bytes -= e->klen + e->vlen + sizeof(qentry);
        free(e->kv);
    } else
        c->n++;
    *e = (qentry){h, klen, vlen, kv};
    c->bytes += size;
    return true;
}
