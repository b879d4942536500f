/*
 * stem_memo.c - allocation of the stem memo of stem_memo.h (the lookups
 * are inline there): one zeroed block of line-aligned entries.
 */
#include "stem_memo.h"

#include <stdlib.h>

_Static_assert(sizeof(crible_stem_memo_entry) == 64, "a memo entry is one cache line");

crible_stem_memo *crible_stem_memo_new(crible_error *err)
{
    return crible_stem_memo_new_sized(CRIBLE_STEM_MEMO_SLOTS, err);
}

crible_stem_memo *crible_stem_memo_new_sized(size_t slots, crible_error *err)
{
    if (slots == 0 || (slots & (slots - 1)) != 0) {
        crible_error_set(err, CRIBLE_EINTERNAL, "a stem memo of %zu slots: not a power of two", slots);
        return NULL;
    }
    crible_stem_memo *m = crible_malloc(sizeof *m, err);
    if (!m)
        return NULL;
    m->mask = slots - 1;
    size_t bytes = slots * sizeof *m->slots;
    m->slots = aligned_alloc(64, bytes);
    if (!m->slots) {
        free(m);
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    memset(m->slots, 0, bytes);
    return m;
}

void crible_stem_memo_clear(crible_stem_memo *m)
{
    memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
}

void crible_stem_memo_free(crible_stem_memo *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m);
}
