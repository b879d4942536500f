/*
 * stem_wordmap.c - the word -> word hash map of stem_wordmap.h.
 *
 * Layout: `slots` holds, per table position, 0 (empty) or 1 + the index of
 * an entry; `entries` is an array of {hash, key offset, key length, value
 * offset, value length} into `arena`, where each key and value is stored
 * followed by a NUL.  The table is kept at most half full (it doubles), so
 * probes are short.  There is no deletion except clearing everything.
 */
#include "stem_wordmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint64_t hash;
    uint32_t key, key_len, value, value_len;
} entry;

struct crible_wordmap {
    uint32_t *slots;
    size_t mask;               /* table size - 1 */
    entry *entries;
    size_t count, entries_cap;
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
    free(m->entries);
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
static size_t find_slot(const crible_wordmap *m, const char *key, size_t len,
                        uint64_t h)
{
    size_t i = (size_t)h & m->mask;
    for (;;) {
        uint32_t s = m->slots[i];
        if (s == 0)
            return i;
        const entry *e = &m->entries[s - 1];
        if (e->hash == h && e->key_len == len && memcmp(m->arena + e->key, key, len) == 0)
            return i;
        i = (i + 1) & m->mask;
    }
}

const char *crible_wordmap_get(const crible_wordmap *m, const char *key,
                               size_t len, size_t *value_len)
{
    uint64_t h = crible_wordmap_hash(key, len);
    uint32_t s = m->slots[find_slot(m, key, len, h)];
    if (s == 0)
        return NULL;
    const entry *e = &m->entries[s - 1];
    if (value_len)
        *value_len = e->value_len;
    return m->arena + e->value;
}

static int grow_table(crible_wordmap *m)
{
    size_t size = (m->mask + 1) * 2;
    uint32_t *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    free(m->slots);
    m->slots = slots;
    m->mask = size - 1;
    for (size_t k = 0; k < m->count; k++) {
        size_t i = (size_t)m->entries[k].hash & m->mask;
        while (m->slots[i])
            i = (i + 1) & m->mask;
        m->slots[i] = (uint32_t)(k + 1);
    }
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
    uint64_t h = crible_wordmap_hash(key, len);
    if (m->slots[find_slot(m, key, len, h)])
        return CRIBLE_OK;
    if ((m->count + 1) * 2 > m->mask + 1 && grow_table(m) < 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (m->count == m->entries_cap) {
        size_t cap = m->entries_cap ? m->entries_cap * 2 : 64;
        entry *e = realloc(m->entries, cap * sizeof *e);
        if (!e)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        m->entries = e;
        m->entries_cap = cap;
    }
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
    entry *e = &m->entries[m->count];
    e->hash = h;
    e->key = (uint32_t)m->arena_len;
    e->key_len = (uint32_t)len;
    memcpy(m->arena + m->arena_len, key, len);
    m->arena[m->arena_len + len] = '\0';
    e->value = (uint32_t)(m->arena_len + len + 1);
    e->value_len = (uint32_t)value_len;
    if (value_len)
        memcpy(m->arena + e->value, value, value_len);
    m->arena[e->value + value_len] = '\0';
    m->arena_len = need;
    m->slots[find_slot(m, key, len, h)] = (uint32_t)(m->count + 1);
    m->count++;
    return CRIBLE_OK;
}
