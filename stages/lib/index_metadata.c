/*
 * index_metadata.c - a document's metadata values (index_metadata.h says
 * which), from the fast path's members or from jansson's object: two
 * readings of one rule, each value made by the same helpers
 * (metadata_key, add_string, add_keyword, ix_kvlist_add), in the members'
 * order.  A keyword value whose folding changes it also gets its display
 * term (add_keyword), right after its own.
 */
#include "index_metadata.h"

#include <stdio.h>
#include <stdlib.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "index_writer.h"

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
}

crible_status ix_kvlist_add(ix_kvlist *l, const char *field, const char *term, bool fold, bool numeric,
                            double value, crible_error *err)
{
    char folded[CRIBLE_TERM_MAX * 3 + 1];
    if (term && fold && crible_index_fold(term, folded, sizeof folded)) term = folded;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        ix_kv *k = realloc(l->kvs, cap * sizeof *k);
        if (!k) return nomem(err);
        l->kvs = k;
        l->cap = cap;
    }
    uint32_t fo, to = 0;
    if (!ix_buf_string(&l->pool, field, strlen(field), &fo) ||
        (term && !ix_buf_string(&l->pool, term, strlen(term), &to)))
        return nomem(err);
    l->kvs[l->n++] = (ix_kv){(const char *)(uintptr_t)fo, term ? (const char *)(uintptr_t)to : NULL,
                             numeric, value};
    return CRIBLE_OK;
}

void ix_kvlist_pointers(ix_kvlist *l, size_t from)
{
    const char *pool = (const char *)l->pool.data;
    for (size_t i = from; i < l->n; i++) {
        l->kvs[i].field = pool + (uintptr_t)l->kvs[i].field;
        if (l->kvs[i].term) l->kvs[i].term = pool + (uintptr_t)l->kvs[i].term;
    }
}

crible_status ix_kvlist_append(ix_kvlist *l, const ix_kv *kvs, size_t n, crible_error *err)
{
    if (l->n + n > l->cap) {
        size_t cap = l->cap ? l->cap : 16;
        while (cap < l->n + n) cap *= 2;
        ix_kv *k = realloc(l->kvs, cap * sizeof *k);
        if (!k) return nomem(err);
        l->kvs = k;
        l->cap = cap;
    }
    memcpy(l->kvs + l->n, kvs, n * sizeof *kvs);
    l->n += n;
    return CRIBLE_OK;
}

void ix_kvlist_clear(ix_kvlist *l)
{
    l->n = 0;
    l->pool.len = 0;
}

void ix_kvlist_free(ix_kvlist *l)
{
    ix_buf_free(&l->pool);
    free(l->kvs);
    memset(l, 0, sizeof *l);
}

static crible_status docmeta_read(ix_docmeta *m, const char *id, const char *json, size_t len, bool utf8,
                                  crible_error *err)
{
    ix_docmeta_release(m);
    if (utf8 ? ix_docjson_scan_utf8(&m->dj, json, len) : ix_docjson_scan(&m->dj, json, len)) return CRIBLE_OK;
    json_error_t je;
    m->obj = json_loadb(json, len, 0, &je);
    if (m->obj && json_is_object(m->obj)) return CRIBLE_OK;
    bool parsed = m->obj != NULL;
    ix_docmeta_release(m);
    return crible_error_set(err, CRIBLE_EDATA, "document '%s': crible.doc is not a JSON object: %s", id,
                            parsed ? "" : je.text);
}

crible_status ix_docmeta_read(ix_docmeta *m, const char *id, const char *json, size_t len, crible_error *err)
{
    return docmeta_read(m, id, json, len, false, err);
}

crible_status ix_docmeta_read_utf8(ix_docmeta *m, const char *id, const char *json, size_t len,
                                   crible_error *err)
{
    return docmeta_read(m, id, json, len, true, err);
}

/* Whether a top-level member is metadata (not the id, a text field...). */
static bool metadata_key(const char *key, const char *const *fields, size_t nfields)
{
    if (!strcmp(key, "id") || !strcmp(key, "text") || key[0] == '_' || strlen(key) > 100) return false;
    for (size_t i = 0; i < nfields; i++)
        if (!strcmp(fields[i], key)) return false;
    return true;
}

/* The marks of `written` against `folded` (index_metadata.h): false when
 * it is not `folded` with some of its first 94 code points upper-cased. */
static bool display_marks(const char *folded, const char *written, char *marks, size_t cap)
{
    size_t fi = 0, wi = 0, n = 0, fl = strlen(folded), wl = strlen(written);
    for (int32_t k = 0; fi < fl || wi < wl; k++) {
        if (fi >= fl || wi >= wl) return false;
        UChar32 f, w;
        U8_NEXT(folded, fi, fl, f);
        U8_NEXT(written, wi, wl, w);
        if (f < 0 || w < 0) return false;
        if (f == w) continue;
        if (u_toupper(f) != w || k > 0x7e - 0x21 || n + 1 >= cap) return false;
        marks[n++] = (char)(0x21 + k);
    }
    marks[n] = '\0';
    return true;
}

size_t ix_display_written(const char *folded, size_t flen, const char *rest, size_t rlen, char *out, size_t cap)
{
    if (rlen == 0 || rest[0] != CRIBLE_INDEX_DISPLAY_SEP) { /* the written form itself */
        if (rlen >= cap) return 0;
        memcpy(out, rest, rlen);
        out[rlen] = '\0';
        return rlen;
    }
    size_t fi = 0, o = 0, m = 1;
    for (int32_t k = 0; fi < flen; k++) {
        UChar32 c;
        U8_NEXT(folded, fi, flen, c);
        if (c < 0) return 0;
        if (m < rlen && rest[m] == (char)(0x21 + k)) {
            c = u_toupper(c);
            m++;
        }
        if (o + 4 >= cap) return 0;
        U8_APPEND_UNSAFE(out, o, c);
    }
    if (m != rlen) return 0;
    out[o] = '\0';
    return o;
}

/* A keyword value: its term, case-folded; and, when folding changed it,
 * what a facet needs to show the form written most often, whatever
 * document comes first in the index (index_metadata.h): MARKS in
 * "_case.FIELD" when only letters were upper-cased (case_settle may turn
 * it into a "_display.FIELD" term), else "FOLDED\x1fWRITTEN" in
 * "_display.FIELD".  A value holding the separator, or whose display term
 * would be longer than CRIBLE_TERM_MAX, gets none (a facet then counts it
 * written folded). */
static crible_status add_keyword(ix_kvlist *out, const char *field, const char *s, crible_error *err)
{
    char folded[CRIBLE_TERM_MAX * 3 + 1];
    if (!crible_index_fold(s, folded, sizeof folded)) return ix_kvlist_add(out, field, s, false, false, 0, err);
    crible_status st = ix_kvlist_add(out, field, folded, false, false, 0, err);
    if (st || !strcmp(folded, s) || strchr(s, CRIBLE_INDEX_DISPLAY_SEP)) return st;
    char name[300], shown[CRIBLE_TERM_MAX + 1], marks[96];
    bool cased = display_marks(folded, s, marks, sizeof marks);
    int n = snprintf(name, sizeof name, "%s%s", cased ? CRIBLE_INDEX_CASE_PREFIX : CRIBLE_INDEX_DISPLAY_PREFIX,
                     field);
    int m = cased ? snprintf(shown, sizeof shown, "%s", marks)
                  : snprintf(shown, sizeof shown, "%s%c%s", folded, CRIBLE_INDEX_DISPLAY_SEP, s);
    if (n < 0 || (size_t)n >= sizeof name || m < 0 || (size_t)m >= sizeof shown) return CRIBLE_OK; /* never cut */
    if (cased) out->ncase++;
    return ix_kvlist_add(out, name, shown, false, false, 0, err);
}

/* A keyword value's field name, for case_settle: a "_case.FIELD" term is
 * sorted with FIELD's values. */
typedef struct named {
    const char *field;
    size_t i;                 /* the value's place in the list */
    bool mark;                /* a "_case." term */
} named;

static int by_field(const void *x, const void *y)
{
    const named *a = x, *b = y;
    int c = strcmp(a->field, b->field);
    return c ? c : a->i < b->i ? -1 : 1;
}

/* The "_case.FIELD" term of a value of a FIELD that has other keyword
 * values in the document becomes "FOLDED\x1f\x1fMARKS" in "_display.FIELD"
 * (FOLDED the value before it: add_keyword), or goes when that does not
 * fit CRIBLE_TERM_MAX: a document's patterns are its one value's, so a
 * facet counts them against that value alone (index_metadata.h). */
static crible_status case_settle(ix_kvlist *out, size_t from, crible_error *err)
{
    const size_t plen = sizeof CRIBLE_INDEX_CASE_PREFIX - 1;
    named little[64], *v = little;
    size_t nv = 0;
    for (size_t i = from; i < out->n; i++) nv += out->kvs[i].term != NULL;
    if (nv > 64 && !(v = malloc(nv * sizeof *v))) return nomem(err);
    const char *pool = (const char *)out->pool.data;
    nv = 0;
    for (size_t i = from; i < out->n; i++) {
        if (!out->kvs[i].term) continue;
        const char *f = pool + (uintptr_t)out->kvs[i].field;
        bool mark = !strncmp(f, CRIBLE_INDEX_CASE_PREFIX, plen);
        v[nv++] = (named){mark ? f + plen : f, i, mark};
    }
    qsort(v, nv, sizeof *v, by_field);
    for (size_t a = 0, b; a < nv; a = b) { /* a run: FIELD's values and patterns */
        size_t values = 0;
        for (b = a; b < nv && !strcmp(v[b].field, v[a].field); b++) values += !v[b].mark;
        for (size_t k = a; k < b; k++) v[k].mark = v[k].mark && values > 1;
    }
    crible_status st = CRIBLE_OK;
    bool gone = false;
    for (size_t k = 0; k < nv && !st; k++) {
        if (!v[k].mark) continue;
        ix_kv *kv = &out->kvs[v[k].i];
        pool = (const char *)out->pool.data; /* it moves as it grows: v[].field is stale */
        char name[300], shown[CRIBLE_TERM_MAX + 1];
        int n = snprintf(name, sizeof name, "%s%s", CRIBLE_INDEX_DISPLAY_PREFIX,
                         pool + (uintptr_t)kv->field + plen);
        int m = snprintf(shown, sizeof shown, "%s%c%c%s", pool + (uintptr_t)kv[-1].term, CRIBLE_INDEX_DISPLAY_SEP,
                         CRIBLE_INDEX_DISPLAY_SEP, pool + (uintptr_t)kv->term);
        uint32_t fo, to;
        if (n < 0 || (size_t)n >= sizeof name || m < 0 || (size_t)m >= sizeof shown) {
            kv->term = NULL; /* neither a term nor a number: dropped below */
            gone = true;
        } else if (!ix_buf_string(&out->pool, name, (size_t)n, &fo) ||
                   !ix_buf_string(&out->pool, shown, (size_t)m, &to)) {
            st = nomem(err);
        } else {
            kv->field = (const char *)(uintptr_t)fo;
            kv->term = (const char *)(uintptr_t)to;
        }
    }
    if (v != little) free(v);
    if (gone) {
        size_t w = from;
        for (size_t i = from; i < out->n; i++)
            if (out->kvs[i].term || out->kvs[i].numeric) out->kvs[w++] = out->kvs[i];
        out->n = w;
    }
    return st;
}

/* A string metadata value: a date is numeric, a short string a keyword. */
static crible_status add_string(ix_kvlist *out, const char *key, const char *s, crible_error *err)
{
    double d;
    if (ix_parse_date(s, &d)) return ix_kvlist_add(out, key, NULL, false, true, d, err);
    if (strlen(s) <= 80 && !strstr(s, "://")) return add_keyword(out, key, s, err);
    return CRIBLE_OK;
}

/* An object member's string member: "KEY.KEY2". */
static crible_status add_member(ix_kvlist *out, const char *key, const char *k2, const char *s, crible_error *err)
{
    char name[256];
    if (strlen(k2) > 100) return CRIBLE_OK;
    snprintf(name, sizeof name, "%s.%s", key, k2);
    return add_keyword(out, name, s, err);
}

/* A scalar (a member or an array's item). */
static crible_status add_scalar(ix_kvlist *out, const char *key, crible_json_kind kind, const char *s, double num,
                                crible_error *err)
{
    if (kind == CRIBLE_JSON_STRING) return add_string(out, key, s, err);
    if (kind == CRIBLE_JSON_NUMBER) return ix_kvlist_add(out, key, NULL, false, true, num, err);
    if (kind == CRIBLE_JSON_TRUE || kind == CRIBLE_JSON_FALSE)
        return ix_kvlist_add(out, key, kind == CRIBLE_JSON_TRUE ? "true" : "false", false, false, 0, err);
    return CRIBLE_OK;
}

static crible_json_kind kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return CRIBLE_JSON_STRING;
    case JSON_INTEGER:
    case JSON_REAL: return CRIBLE_JSON_NUMBER;
    case JSON_TRUE: return CRIBLE_JSON_TRUE;
    case JSON_FALSE: return CRIBLE_JSON_FALSE;
    case JSON_OBJECT: return CRIBLE_JSON_OBJECT;
    case JSON_ARRAY: return CRIBLE_JSON_ARRAY;
    default: return CRIBLE_JSON_NULL;
    }
}

static crible_status jansson_values(json_t *obj, const char *const *fields, size_t nfields, ix_kvlist *out,
                                    crible_error *err)
{
    crible_status st = CRIBLE_OK;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (st) break;
        if (!metadata_key(key, fields, nfields)) continue;
        if (json_is_object(v)) {
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2)
                if (!st && json_is_string(v2)) st = add_member(out, key, k2, json_string_value(v2), err);
            continue;
        }
        json_t *items = json_is_array(v) ? v : NULL;
        size_t n = items ? json_array_size(items) : 1;
        for (size_t i = 0; !st && i < n && i < 64; i++) {
            json_t *x = items ? json_array_get(items, i) : v;
            if (!json_is_object(x) && !json_is_array(x))
                st = add_scalar(out, key, kind_of(x), json_string_value(x), json_number_value(x), err);
        }
    }
    return st;
}

static crible_status fast_values(const ix_docjson *d, const char *const *fields, size_t nfields, ix_kvlist *out,
                                 crible_error *err)
{
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; !st && i < d->n; i++) {
        const ix_jmember *m = &d->m[i];
        if (!metadata_key(m->key, fields, nfields)) continue;
        if (m->kind == CRIBLE_JSON_OBJECT) {
            for (uint32_t k = 0; !st && k < m->n; k++) {
                const ix_jmember *s = &d->sub[m->first + k];
                if (s->kind == CRIBLE_JSON_STRING) st = add_member(out, m->key, s->key, s->str, err);
            }
        } else if (m->kind == CRIBLE_JSON_ARRAY) {
            for (uint32_t k = 0; !st && k < m->n && k < 64; k++) {
                const ix_jmember *s = &d->sub[m->first + k];
                st = add_scalar(out, m->key, s->kind, s->str, s->num, err);
            }
        } else {
            st = add_scalar(out, m->key, m->kind, m->str, m->num, err);
        }
    }
    return st;
}

crible_status ix_docmeta_values(const ix_docmeta *m, const char *const *fields, size_t nfields, ix_kvlist *out,
                                crible_error *err)
{
    size_t from = out->n;
    out->ncase = 0;
    crible_status st = m->obj ? jansson_values(m->obj, fields, nfields, out, err)
                              : fast_values(&m->dj, fields, nfields, out, err);
    return st || !out->ncase ? st : case_settle(out, from, err);
}

bool ix_docmeta_string(const ix_docmeta *m, const char *key, const char **s, size_t *len)
{
    if (!m->obj) {
        const ix_jmember *jm = ix_docjson_string(&m->dj, key);
        if (!jm) return false;
        *s = jm->str;
        *len = jm->len;
        return true;
    }
    json_t *str = json_object_get(m->obj, key);
    if (!json_is_string(str)) return false;
    *s = json_string_value(str);
    *len = json_string_length(str);
    return true;
}

void ix_docmeta_release(ix_docmeta *m)
{
    json_decref(m->obj);
    m->obj = NULL;
}

void ix_docmeta_free(ix_docmeta *m)
{
    ix_docmeta_release(m);
    ix_docjson_free(&m->dj);
}
