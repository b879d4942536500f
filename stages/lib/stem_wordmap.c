/*
 * stem_wordmap.c - the word -> word hash map of stem_wordmap.h.
 *
 * Layout: `slots` is the table itself, 16 bytes a position: the key's
 * 32-bit hash, its offset in `arena` and its length + 1 (0: an empty
 * slot), and the value's length.  Each key is stored in the arena followed
 * by a NUL, then its value and a NUL, so a lookup that hits touches one slot
 * and one arena line (a stem cache of 65,536 words is 2 MB of slots: every
 * other memory access was a cache miss).  The table is kept at most half
 * full (it doubles), so probes are short.  There is no deletion except
 * clearing everything.
 */
#include "stem_wordmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint32_t hash, key, key_len1, value_len;
} slot;

struct crible_wordmap {
    slot *slots;
    size_t mask;               /* table size - 1 */
    size_t count;
    char *arena;
    size_t arena_len, arena_cap;
    size_t max_entries;        /* 0: unbounded */
};

uint64_t crible_wordmap_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

crible_wordmap *crible_wordmap_new(size_t max_entries, crible_error *err)
{
    crible_wordmap *m = crible_malloc(sizeof *m, err);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->max_entries = max_entries;
    m->mask = 63;
    m->slots = calloc(m->mask + 1, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    return m;
}

void crible_wordmap_free(crible_wordmap *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->arena);
    free(m);
}

size_t crible_wordmap_count(const crible_wordmap *m)
{
    return m->count;
}

void crible_wordmap_clear(crible_wordmap *m)
{
    memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
    m->count = 0;
    m->arena_len = 0;
}

/* The slot where key is, or the empty slot where it would go. */
static size_t find_slot(const crible_wordmap *m, const char *key, size_t len, uint32_t h)
{
    size_t i = (size_t)h & m->mask;
    for (;;) {
        const slot *e = &m->slots[i];
        if (e->key_len1 == 0)
            return i;
        if (e->hash == h && e->key_len1 == len + 1 && memcmp(m->arena + e->key, key, len) == 0)
            return i;
        i = (i + 1) & m->mask;
    }
}

const char *crible_wordmap_get(const crible_wordmap *m, const char *key,
                               size_t len, size_t *value_len)
{
    uint32_t h = (uint32_t)crible_wordmap_hash(key, len);
    const slot *e = &m->slots[find_slot(m, key, len, h)];
    if (e->key_len1 == 0)
        return NULL;
    if (value_len)
        *value_len = e->value_len;
    return m->arena + e->key + e->key_len1;
}

static int grow_table(crible_wordmap *m)
{
    size_t size = (m->mask + 1) * 2;
    slot *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k <= m->mask; k++) {
        if (m->slots[k].key_len1 == 0)
            continue;
        size_t i = (size_t)m->slots[k].hash & (size - 1);
        while (slots[i].key_len1)
            i = (i + 1) & (size - 1);
        slots[i] = m->slots[k];
    }
    free(m->slots);
    m->slots = slots;
    m->mask = size - 1;
    return 0;
}

crible_status crible_wordmap_put(crible_wordmap *m, const char *key, size_t len,
                                 const char *value, size_t value_len,
                                 crible_error *err)
{
    if (len > UINT32_MAX / 4 || value_len > UINT32_MAX / 4)
        return crible_error_set(err, CRIBLE_EDATA, "word too long for a word map");
    if (m->max_entries && m->count >= m->max_entries)
        crible_wordmap_clear(m);
    uint32_t h = (uint32_t)crible_wordmap_hash(key, len);
    if (m->slots[find_slot(m, key, len, h)].key_len1)
        return CRIBLE_OK;
    if ((m->count + 1) * 2 > m->mask + 1 && grow_table(m) < 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    size_t need = m->arena_len + len + value_len + 2;
    if (need > UINT32_MAX)
        return crible_error_set(err, CRIBLE_ENOMEM, "word map arena full");
    if (need > m->arena_cap) {
        size_t cap = m->arena_cap ? m->arena_cap : 1024;
        while (cap < need)
            cap *= 2;
        char *a = realloc(m->arena, cap);
        if (!a)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        m->arena = a;
        m->arena_cap = cap;
    }
    char *k = m->arena + m->arena_len;
    memcpy(k, key, len);
    k[len] = '\0';
    if (value_len)
        memcpy(k + len + 1, value, value_len);
    k[len + 1 + value_len] = '\0';
    slot *e = &m->slots[find_slot(m, key, len, h)];
    e->hash = h;
    e->key = (uint32_t)m->arena_len;
    e->key_len1 = (uint32_t)len + 1;
    e->value_len = (uint32_t)value_len;
    m->arena_len = need;
    m->count++;
    return CRIBLE_OK;
}
