/*
 * index_docjson.c - a flat JSON object's members, decoded by the member
 * walker of json_fast.h into one buffer (index_docjson.h says which
 * objects; the others go to jansson).
 */
#include "index_docjson.h"

#include "doc.h"

#include <stdlib.h>

typedef struct decode {
    ix_docjson *d;
    char *out;                /* the next free byte of d->buf */
} decode;

static bool add(const crible_json_member *jm, void *ctx)
{
    decode *x = ctx;
    ix_docjson *d = x->d;
    if (jm->kind == CRIBLE_JSON_ARRAY || jm->kind == CRIBLE_JSON_OBJECT ||
        (jm->kind == CRIBLE_JSON_NUMBER && !jm->exact))
        return false;   /* jansson */
    ix_jmember m = {x->out, jm->kind, NULL, 0, jm->number};
    x->out += crible_json_unescape(jm->key, jm->key_len, x->out) + 1;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->m[i].key, m.key) == 0)
            return false;   /* repeated: jansson */
    if (jm->kind == CRIBLE_JSON_STRING) {
        m.str = x->out;
        m.len = crible_json_unescape(jm->value, jm->value_len, x->out);
        x->out += m.len + 1;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        ix_jmember *nm = realloc(d->m, cap * sizeof *nm);
        if (!nm)
            return false;
        d->m = nm;
        d->cap = cap;
    }
    d->m[d->n++] = m;
    return true;
}

bool ix_docjson_scan(ix_docjson *d, const char *s, size_t n)
{
    d->n = 0;
    d->buf.len = 0;
    if (crible_utf8_invalid_offset(s, n) != n)
        return false;
    /* decoded text never outgrows its JSON; + 2 NULs a member (5 bytes or more) */
    if (!ix_buf_reserve(&d->buf, n + n / 2 + 16))
        return false;
    decode x = {d, (char *)d->buf.data};
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
    d->m = NULL;
    d->n = d->cap = 0;
}
