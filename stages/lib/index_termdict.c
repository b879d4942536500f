/*
 * index_termdict.c - an interner of terms (index_termdict.h): the distinct
 * terms of a stream of tokens numbered as they come, into the dictionaries
 * (ix_termdict) the index buffer resolves once per term instead of hashing
 * and comparing every token's bytes.
 *
 * Two open-addressing tables of 64-bit slots, at most half full: a slot
 * holds a term's key (its hash with its field mixed in) above its number
 * + 1 (0: free), so that a probe reads a term's bytes only when the keys
 * agree.  The lasting terms' table has a fixed size (2 IX_DICT_LASTING
 * slots); the own terms' grows.
 */
#include "index_termdict.h"

#include <stdlib.h>

void ix_interner_free(ix_interner *in)
{
    free(in->lterms);
    free(in->lfield);
    free(in->lpool);
    free(in->lslots);
    free(in->slots);
    memset(in, 0, sizeof *in);
}

void ix_interner_open(ix_interner *in)
{
    in->lterms = malloc(IX_DICT_LASTING * sizeof *in->lterms);
    in->lfield = malloc(IX_DICT_LASTING * sizeof *in->lfield);
    in->lpool = malloc(IX_LASTING_POOL);
    in->lslots = calloc(2 * IX_DICT_LASTING, sizeof *in->lslots);
    if (!in->lterms || !in->lfield || !in->lpool || !in->lslots) {
        free(in->lterms);
        free(in->lfield);
        free(in->lpool);
        free(in->lslots);
        in->lterms = NULL;
        in->lfield = NULL;
        in->lpool = NULL;
        in->lslots = NULL;
    }
    in->nlasting = 0;
    in->lpool_len = 0;
}

void ix_termset_free(ix_termset *s)
{
    ix_buf_free(&s->pool);
    ix_buf_free(&s->terms);
    ix_buf_free(&s->field);
}

/* Room in the own terms' table for count + 1 terms (at most half full). */
static bool slots_grow(ix_interner *in, size_t count)
{
    if ((count + 1) * 2 <= in->cap) return true;
    size_t cap = in->cap ? in->cap * 2 : 4096;
    uint64_t *t = calloc(cap, sizeof *t);
    if (!t) return false;
    for (size_t i = 0; i < in->cap; i++) {
        if (!in->slots[i]) continue;
        size_t j = (in->slots[i] >> 32) & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = in->slots[i];
    }
    free(in->slots);
    in->slots = t;
    in->cap = cap;
    in->moved = true;
    return true;
}

bool ix_intern_new(ix_interner *in, ix_termset *own, uint32_t f, const char *s, size_t len, uint32_t h,
                   size_t lj, uint32_t *id)
{
    uint32_t key = ix_term_key(h, f);
    if (in->lslots && in->nlasting < IX_DICT_LASTING && in->lpool_len + len + 1 <= IX_LASTING_POOL) {
        uint32_t e = in->nlasting;
        in->lterms[e] = (ix_dterm){(uint32_t)in->lpool_len, (uint32_t)len, h};
        memcpy(in->lpool + in->lpool_len, s, len);
        in->lpool[in->lpool_len + len] = 0;
        in->lpool_len += len + 1;
        in->lfield[e] = f;
        in->lslots[lj] = (uint64_t)key << 32 | (e + 1);
        *id = e;
        in->nlasting = e + 1;
        return true;
    }
    size_t count = own->terms.len / sizeof(ix_dterm);
    if (!slots_grow(in, count)) return false;
    const char *pool = (const char *)own->pool.data;
    const ix_dterm *terms = (const ix_dterm *)(void *)own->terms.data;
    const uint32_t *field = (const uint32_t *)(void *)own->field.data;
    size_t j = key & (in->cap - 1);
    for (uint64_t v; (v = in->slots[j]); j = (j + 1) & (in->cap - 1)) {
        if ((uint32_t)(v >> 32) != key) continue;
        uint32_t e = (uint32_t)v - 1;
        if (terms[e].len == len && field[e] == f && ix_same_bytes(pool + terms[e].off, s, len)) {
            *id = IX_DICT_LASTING + e;
            return true;
        }
    }
    ix_dterm t = {0, (uint32_t)len, h};
    if (count >= IX_TOKTERM_DIFFER - IX_DICT_LASTING - 1 || !ix_buf_string(&own->pool, s, len, &t.off) ||
        !ix_buf_add(&own->terms, &t, sizeof t) || !ix_buf_add(&own->field, &f, sizeof f))
        return false;
    in->slots[j] = (uint64_t)key << 32 | ((uint32_t)count + 1);
    *id = IX_DICT_LASTING + (uint32_t)count;
    return true;
}

void ix_interner_forget(ix_interner *in, const ix_termset *own)
{
    size_t count = own->terms.len / sizeof(ix_dterm);
    if (in->moved || count * 16 > in->cap) {
        if (in->cap) memset(in->slots, 0, in->cap * sizeof *in->slots);
    } else {
        /* a few terms, none moved since they were put: each freed where
         * it was put, the last first (the table is then as it was just
         * after it was put, so probing from its home finds it) */
        const ix_dterm *terms = (const ix_dterm *)(void *)own->terms.data;
        const uint32_t *field = (const uint32_t *)(void *)own->field.data;
        for (size_t e = count; e-- > 0;) {
            uint32_t key = ix_term_key(terms[e].hash, field[e]);
            size_t j = key & (in->cap - 1);
            while (in->slots[j] && (uint32_t)in->slots[j] != e + 1) j = (j + 1) & (in->cap - 1);
            in->slots[j] = 0;
        }
    }
    in->moved = false;
}

void ix_interner_dict(const ix_interner *in, const ix_termset *own, void **res, ix_dictres *lres,
                      ix_termdict *d)
{
    *d = (ix_termdict){(const char *)own->pool.data, (const ix_dterm *)(void *)own->terms.data,
                       (uint32_t)(own->terms.len / sizeof(ix_dterm)), res, UINT64_MAX,
                       in->lpool, in->lterms, in->nlasting, lres};
}
