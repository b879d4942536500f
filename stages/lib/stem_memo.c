/*
 * stem_memo.c - allocation of the stem memo of stem_memo.h (the lookups
 * are inline there): one zeroed block of line-aligned entries.
 */
#include "stem_memo.h"

#include <stdlib.h>

_Static_assert(sizeof(crible_stem_memo_entry) == 64, "a memo entry is one cache line");

crible_stem_memo *crible_stem_memo_new(crible_error *err)
{
    crible_stem_memo *m = crible_malloc(sizeof *m, err);
    if (!m)
        return NULL;
    size_t bytes = CRIBLE_STEM_MEMO_SLOTS * sizeof *m->slots;
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
    memset(m->slots, 0, CRIBLE_STEM_MEMO_SLOTS * sizeof *m->slots);
}

void crible_stem_memo_free(crible_stem_memo *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m);
}
