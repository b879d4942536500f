/*
 * query_fold.c - the accent-fold filter of a term dictionary
 * (query_fold.h): a Bloom filter of 16 bits per folded form, 3 probes
 * from one 64-bit FNV-1a hash (about 0.2 % false "maybe", which only cost
 * the walk they would have cost anyway).
 */
#include "query_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query_fuzzy.h"

struct qfold {
    uint64_t *bits;
    uint64_t mask;            /* bit count - 1 (a power of two) */
};

static uint64_t hash_of(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

size_t qfold_key(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0, chars = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t cl = crible_utf8_decode(s + i, len - i, &c);
        if (cl == 0 || ++chars > 255 || n + 4 > cap)
            return 0;
        n += crible_utf8_encode(crible_fuzzy_base(c), out + n);
        i += cl;
    }
    return n;
}

static void probes(uint64_t h, uint64_t mask, uint64_t p[3])
{
    uint64_t a = h, b = (h >> 32) | (h << 32) | 1;
    for (int k = 0; k < 3; k++)
        p[k] = (a + (uint64_t)k * b) & mask;
}

qfold *qfold_build(const crible_index *ix, int field)
{
    crible_terms *it;
    crible_error err;
    if (crible_terms_open(ix, field, &it, &err) != CRIBLE_OK)
        return NULL;
    size_t n = 0, cap = 1024;
    uint64_t *h = malloc(cap * sizeof *h);
    const char *t;
    size_t tl;
    char key[QFOLD_KEY_MAX];
    while (h && crible_terms_next(it, &t, &tl, NULL)) {
        bool ascii = true;
        for (size_t i = 0; i < tl && ascii; i++)
            ascii = (unsigned char)t[i] < 0x80;
        size_t kl = ascii ? 0 : qfold_key(t, tl, key, sizeof key);
        if (!kl)
            continue;
        if (n == cap) {
            uint64_t *v = realloc(h, (cap *= 2) * sizeof *h);
            if (!v) {
                free(h);
                h = NULL;
                break;
            }
            h = v;
        }
        h[n++] = hash_of(key, kl);
    }
    crible_terms_close(it);
    qfold *f = h ? calloc(1, sizeof *f) : NULL;
    uint64_t nbits = 1024;
    while (nbits < 16 * (uint64_t)n)
        nbits *= 2;
    if (f && !(f->bits = calloc(nbits / 64, sizeof *f->bits))) {
        free(f);
        f = NULL;
    }
    if (f) {
        f->mask = nbits - 1;
        for (size_t i = 0; i < n; i++) {
            uint64_t p[3];
            probes(h[i], f->mask, p);
            for (int k = 0; k < 3; k++)
                f->bits[p[k] / 64] |= 1ull << (p[k] % 64);
        }
    }
    free(h);
    return f;
}

void qfold_free(qfold *f)
{
    if (!f)
        return;
    free(f->bits);
    free(f);
}

bool qfold_maybe(const qfold *f, const char *folded, size_t len)
{
    uint64_t p[3];
    probes(hash_of(folded, len), f->mask, p);
    for (int k = 0; k < 3; k++)
        if (!(f->bits[p[k] / 64] >> (p[k] % 64) & 1))
            return false;
    return true;
}
