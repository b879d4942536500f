/*
 * stem_wordmap.c - the word -> word hash map of stem_wordmap.h.
 *
 * Layout: `slots` is the table itself, 8 bytes a position: the key's
 * 32-bit hash and 1 + the offset of its entry in `arena` (0: an empty
 * slot).  An entry is the key's length and the value's length (two
 * native 32-bit words), the key and a NUL, then the value and a NUL, so a
 * lookup that hits touches one slot and one arena line, and a stem cache of
 * 65,536 words has 1 MB of slots (16-byte slots made it 2 MB: every other
 * access was a cache miss).  The table is kept at most half full (it
 * doubles), so probes are short.  There is no deletion except clearing
 * everything.
 *
 * Keys are hashed and compared with stem_hash.h (8 bytes at a time, no
 * call to memcmp): most keys are French words of 2 to 12 bytes.
 */
#include "stem_wordmap.h"

#include "stem_hash.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint32_t hash, entry1;     /* entry1: offset in arena + 1; 0: empty */
} slot;

typedef struct entry_head {
    uint32_t key_len, value_len;
} entry_head;

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
    return crible_bytes_hash(s, len);
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

/* The entry of slot e: its head (copied out) and its key. */
static inline const char *entry_at(const crible_wordmap *m, const slot *e, entry_head *h)
{
    const char *p = m->arena + e->entry1 - 1;
    memcpy(h, p, sizeof *h);
    return p + sizeof *h;
}

/* The slot where key is, or the empty slot where it would go. */
static inline size_t find_slot(const crible_wordmap *m, const char *key, size_t len, uint32_t h)
{
    size_t i = (size_t)h & m->mask;
    for (;;) {
        const slot *e = &m->slots[i];
        if (e->entry1 == 0)
            return i;
        if (e->hash == h) {
            entry_head eh;
            const char *k = entry_at(m, e, &eh);
            if (eh.key_len == len && crible_bytes_same(k, key, len))
                return i;
        }
        i = (i + 1) & m->mask;
    }
}

const char *crible_wordmap_get(const crible_wordmap *m, const char *key,
                               size_t len, size_t *value_len)
{
    uint32_t h = (uint32_t)crible_bytes_hash(key, len);
    const slot *e = &m->slots[find_slot(m, key, len, h)];
    if (e->entry1 == 0)
        return NULL;
    entry_head eh;
    const char *k = entry_at(m, e, &eh);
    if (value_len)
        *value_len = eh.value_len;
    return k + eh.key_len + 1;
}

static int grow_table(crible_wordmap *m)
{
    size_t size = (m->mask + 1) * 2;
    slot *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k <= m->mask; k++) {
        if (m->slots[k].entry1 == 0)
            continue;
        size_t i = (size_t)m->slots[k].hash & (size - 1);
        while (slots[i].entry1)
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
    uint32_t h = (uint32_t)crible_bytes_hash(key, len);
    if (m->slots[find_slot(m, key, len, h)].entry1)
        return CRIBLE_OK;
    if ((m->count + 1) * 2 > m->mask + 1 && grow_table(m) < 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    /* entries start on 4-byte boundaries (their head is two 32-bit words) */
    size_t at = (m->arena_len + 3) & ~(size_t)3;
    size_t need = at + sizeof(entry_head) + len + value_len + 2;
    if (need >= UINT32_MAX)
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
    entry_head eh = {(uint32_t)len, (uint32_t)value_len};
    char *p = m->arena + at;
    memcpy(p, &eh, sizeof eh);
    char *k = p + sizeof eh;
    memcpy(k, key, len);
    k[len] = '\0';
    if (value_len)
        memcpy(k + len + 1, value, value_len);
    k[len + 1 + value_len] = '\0';
    slot *e = &m->slots[find_slot(m, key, len, h)];
    e->hash = h;
    e->entry1 = (uint32_t)at + 1;
    m->arena_len = need;
    m->count++;
    return CRIBLE_OK;
}
