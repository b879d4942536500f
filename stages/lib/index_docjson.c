/*
 * index_docjson.c - a document's JSON members, and one level below them,
 * decoded by the member walker of json_fast.h into one buffer
 * (index_docjson.h says which objects; the others go to jansson).
 */
#include "index_docjson.h"

#include "doc.h"

#include <stdlib.h>

typedef struct decode {
    ix_docjson *d;
    char *out;                /* the next free byte of d->buf */
    uint32_t first;           /* the member being read below: its first sub */
    bool object;              /* ... an object (else an array) */
} decode;

static bool push(ix_jmember **a, size_t *n, size_t *cap, const ix_jmember *m)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        ix_jmember *x = realloc(*a, c * sizeof *x);
        if (!x)
            return false;
        *a = x;
        *cap = c;
    }
    (*a)[(*n)++] = *m;
    return true;
}

static const char *decode_string(decode *x, const char *s, size_t n, size_t *len)
{
    const char *str = x->out;
    *len = crible_json_unescape(s, n, x->out);
    x->out += *len + 1;
    return str;
}

/* A member of an object member, or an item of an array member. */
static bool add_sub(const crible_json_member *jm, void *ctx)
{
    decode *x = ctx;
    ix_docjson *d = x->d;
    ix_jmember m = {NULL, jm->kind, NULL, 0, 0, 0, 0};
    if (x->object) {
        size_t kl;
        m.key = decode_string(x, jm->key, jm->key_len, &kl);
        for (size_t i = x->first; i < d->nsub; i++)
            if (strcmp(d->sub[i].key, m.key) == 0)
                return false;   /* repeated: jansson */
    } else if (jm->kind == CRIBLE_JSON_NUMBER) {
        if (!jm->exact)
            return false;
        m.num = jm->number;
    }
    if (jm->kind == CRIBLE_JSON_STRING)
        m.str = decode_string(x, jm->value, jm->value_len, &m.len);
    return push(&d->sub, &d->nsub, &d->subcap, &m);
}

static bool add(const crible_json_member *jm, void *ctx)
{
    decode *x = ctx;
    ix_docjson *d = x->d;
    if (jm->kind == CRIBLE_JSON_NUMBER && !jm->exact)
        return false;   /* jansson */
    ix_jmember m = {x->out, jm->kind, NULL, 0, jm->number, 0, 0};
    x->out += crible_json_unescape(jm->key, jm->key_len, x->out) + 1;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->m[i].key, m.key) == 0)
            return false;   /* repeated: jansson */
    if (jm->kind == CRIBLE_JSON_STRING)
        m.str = decode_string(x, jm->value, jm->value_len, &m.len);
    if (jm->kind == CRIBLE_JSON_OBJECT || jm->kind == CRIBLE_JSON_ARRAY) {
        x->first = (uint32_t)d->nsub;
        x->object = jm->kind == CRIBLE_JSON_OBJECT;
        bool ok = x->object ? crible_json_object_walk(jm->value, jm->value_len, add_sub, x)
                            : crible_json_array_walk(jm->value, jm->value_len, add_sub, x);
        if (!ok)
            return false;
        m.first = x->first;
        m.n = (uint32_t)(d->nsub - x->first);
    }
    return push(&d->m, &d->n, &d->cap, &m);
}

bool ix_docjson_scan(ix_docjson *d, const char *s, size_t n)
{
    d->n = d->nsub = 0;
    d->buf.len = 0;
    return crible_utf8_invalid_offset(s, n) == n && ix_docjson_scan_utf8(d, s, n);
}

bool ix_docjson_scan_utf8(ix_docjson *d, const char *s, size_t n)
{
    d->n = d->nsub = 0;
    d->buf.len = 0;
    /* decoded text never outgrows its JSON; + a NUL per string of 2 bytes
     * or more (its quotes) */
    if (!ix_buf_reserve(&d->buf, n + n / 2 + 16))
        return false;
    decode x = {d, (char *)d->buf.data, 0, false};
    return crible_json_object_walk(s, n, add, &x);
}

const ix_jmember *ix_docjson_string(const ix_docjson *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->m[i].kind == CRIBLE_JSON_STRING && strcmp(d->m[i].key, key) == 0)
            return &d->m[i];
    return NULL;
}

void ix_docjson_free(ix_docjson *d)
{
    ix_buf_free(&d->buf);
    free(d->m);
    free(d->sub);
    d->m = d->sub = NULL;
    d->n = d->cap = d->nsub = d->subcap = 0;
}
