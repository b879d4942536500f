/*
 * index_termdict.h - internal to the index modules: making a dictionary of
 * distinct terms (ix_termdict, index_buffer.h) off the index thread.
 *
 * An interner numbers the distinct terms of one field or another (a stem
 * or a normal form, cut by ix_term_len, hashed by ix_term_hash) as it
 * meets them.  Its first IX_DICT_LASTING terms (while their bytes fit in
 * IX_LASTING_POOL) are its lasting terms, numbered from 0, kept from
 * dictionary to dictionary and never moved nor changed, so that the index
 * thread resolves each of them once per buffer epoch (ix_dictres); the
 * others are the current dictionary's own, numbered from IX_DICT_LASTING,
 * kept in an ix_termset the caller hands over with the dictionary and
 * forgets with ix_interner_forget.
 *
 *   ix_interner in = {0};  ix_termset own = {0};  uint32_t a, b, c;
 *   ix_interner_open(&in);
 *   ix_intern(&in, &own, 0, "chat", 4, &a);      a = 0 (lasting)
 *   ix_intern(&in, &own, 1, "chat", 4, &b);      b = 1 (another field)
 *   ix_intern(&in, &own, 0, "chat", 4, &c);      c = 0
 *
 * One thread writes an interner; a thread handed a dictionary made from
 * it reads its lasting terms below the count handed (ix_interner_dict)
 * and may do so while more are added: they are written past that count
 * and the arrays never move.
 */
#ifndef CRIBLE_INDEX_TERMDICT_H
#define CRIBLE_INDEX_TERMDICT_H

#include "index_buffer.h"
#include "index_format.h"

#define IX_LASTING_POOL (2u << 20)    /* bytes of the lasting terms at most */

/* A dictionary's own terms: their bytes (each NUL-terminated), their
 * ix_dterms and the field of each (u32). */
typedef struct ix_termset {
    ix_buf pool, terms, field;
} ix_termset;

typedef struct ix_interner {
    ix_dterm *lterms;                 /* the lasting terms: IX_DICT_LASTING */
    uint32_t *lfield;                 /* the field of each */
    char *lpool;                      /* their bytes: IX_LASTING_POOL */
    uint64_t *lslots;                 /* 2 IX_DICT_LASTING: key << 32 | number + 1, 0 free */
    uint32_t nlasting;
    size_t lpool_len;
    uint64_t *slots;                  /* the own terms', the same way */
    size_t cap;
    bool moved;                       /* the own terms' table grew since the last forget */
} ix_interner;

/* Allocates the lasting terms' arrays (pages not reached are never
 * touched); when that fails every term is a dictionary's own. */
void ix_interner_open(ix_interner *in);
void ix_interner_free(ix_interner *in);

/* Whether a[0..n) and b[0..n) are the same bytes (short terms: inline,
 * no byte read twice but in overlapping loads). */
static inline bool ix_same_bytes(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return false;
    }
    if (n >= 4) {
        uint32_t x1, y1, x2, y2;
        memcpy(&x1, a, 4);
        memcpy(&y1, b, 4);
        memcpy(&x2, a + n - 4, 4);
        memcpy(&y2, b + n - 4, 4);
        return x1 == y1 && x2 == y2;
    }
    return !n || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);   /* n <= 3: all */
}

/* A term's key in the interner's tables: its hash, its field mixed in. */
static inline uint32_t ix_term_key(uint32_t h, uint32_t f) { return h ^ f * 0x85ebca6bu; }

/* ix_intern's term not among the lasting ones (len: cut; h its hash; lj
 * the free slot its probe of the lasting terms ended at). */
bool ix_intern_new(ix_interner *in, ix_termset *own, uint32_t f, const char *s, size_t len, uint32_t h,
                   size_t lj, uint32_t *id);

/* The number of field f's term s[0..n) (cut by ix_term_len) into *id,
 * added if new: a lasting term if there is room, else one of `own`.
 * false: out of memory (or 2^31 own terms).  A lasting term found is
 * found inline. */
static inline bool ix_intern(ix_interner *in, ix_termset *own, uint32_t f, const char *s, size_t n,
                             uint32_t *id)
{
    size_t len = ix_term_len(s, n), j = 0;
    uint32_t h = ix_term_hash(s, len), key = ix_term_key(h, f);
    if (in->lslots) {
        const size_t mask = 2 * IX_DICT_LASTING - 1;
        for (j = key & mask;; j = (j + 1) & mask) {
            uint64_t v = in->lslots[j];
            if (!v) break;
            if ((uint32_t)(v >> 32) != key) continue;
            uint32_t e = (uint32_t)v - 1;
            const ix_dterm *t = &in->lterms[e];
            if (t->len == len && in->lfield[e] == f && ix_same_bytes(in->lpool + t->off, s, len)) {
                *id = e;
                return true;
            }
        }
    }
    return ix_intern_new(in, own, f, s, len, h, j, id);
}

/* Whether lasting term id is s[0..n) (cut by ix_term_len), whatever its
 * field. */
static inline bool ix_interner_lasting_is(const ix_interner *in, uint32_t id, const char *s, size_t n)
{
    const ix_dterm *t = &in->lterms[id];
    return t->len == ix_term_len(s, n) && ix_same_bytes(in->lpool + t->off, s, t->len);
}

/* The interner forgets `own`'s terms (`own` unchanged: it stays the
 * dictionary's, the next one's own terms go to another, or to it emptied
 * by ix_termset_clear). */
void ix_interner_forget(ix_interner *in, const ix_termset *own);

static inline void ix_termset_clear(ix_termset *s) { s->pool.len = s->terms.len = s->field.len = 0; }

/* The dictionary of `own`'s terms and the interner's lasting ones, into
 * d; `res` (2 pointers per own term, not zeroed: the buffer does it) and
 * `lres` (the index thread's, the interner's for as long as it lives) are
 * the buffer's resolutions.  Both sets must stay as they are until the
 * buffer is done with d (own until ix_interner_forget; the lasting terms
 * never change). */
void ix_interner_dict(const ix_interner *in, const ix_termset *own, void **res, ix_dictres *lres,
                      ix_termdict *d);

void ix_termset_free(ix_termset *s);

#endif
