/*
 * json_fast_oracle.h - the differential oracle of the plain-JSON fast path
 * (json_fast.h) against jansson, shared by its unit test
 * (tests/unit/test_json_fast.c) and its libFuzzer driver
 * (tests/tools/fuzz_json_fast.c).
 *
 * json_fast_oracle(s, n), for any valid UTF-8 s[0..n): NULL when every
 * reading of the fast path agrees with jansson's json_loadb, else what
 * differs.  "Agrees": whatever the member walker, crible_json_doc_scan or
 * ix_docjson_scan accepts, jansson accepts as an object; each top-level
 * member it reports (the last of a repeated key) has jansson's kind, its
 * unescaped string is jansson's bytes, an exact number is jansson's double
 * bit for bit; the document's id, title and text kinds and spans, and
 * crible_json_member_find, are jansson's; ix_docjson has jansson's members
 * in jansson's order, and below an object or array member jansson's
 * members (keys, kinds, strings) or items (kinds, strings, numbers).  *accepted (if not NULL) is set when the member
 * walker accepted s.
 */
#ifndef CRIBLE_JSON_FAST_ORACLE_H
#define CRIBLE_JSON_FAST_ORACLE_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_docjson.h"
#include "json_fast.h"

#define ORACLE_MAX 256

typedef struct oracle_walk {
    crible_json_member m[ORACLE_MAX];
    size_t n;
} oracle_walk;

static bool oracle_collect(const crible_json_member *m, void *ctx)
{
    oracle_walk *w = ctx;
    if (w->n < ORACLE_MAX)
        w->m[w->n] = *m;
    w->n++;
    return true;
}

static crible_json_kind oracle_kind(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT: return CRIBLE_JSON_OBJECT;
    case JSON_ARRAY: return CRIBLE_JSON_ARRAY;
    case JSON_STRING: return CRIBLE_JSON_STRING;
    case JSON_INTEGER:
    case JSON_REAL: return CRIBLE_JSON_NUMBER;
    case JSON_TRUE: return CRIBLE_JSON_TRUE;
    case JSON_FALSE: return CRIBLE_JSON_FALSE;
    default: return v ? CRIBLE_JSON_NULL : CRIBLE_JSON_ABSENT;
    }
}

/* A string span, unescaped, against jansson's string v: true when equal. */
static bool oracle_same_string(const char *span, size_t n, const json_t *v)
{
    char *u = malloc(n + 1);
    if (!u)
        abort();
    size_t len = crible_json_unescape(span, n, u);
    bool same = json_is_string(v) && len == json_string_length(v) &&
                memcmp(u, json_string_value(v), len) == 0 && u[len] == '\0';
    free(u);
    return same;
}

/* A member's value against jansson's v: NULL or what differs. */
static const char *oracle_same_value(crible_json_kind kind, const char *span, size_t n, bool exact,
                                     double num, const json_t *v)
{
    if (kind != oracle_kind(v))
        return "a member's kind";
    if (kind == CRIBLE_JSON_STRING && !oracle_same_string(span, n, v))
        return "a member's string";
    if (kind == CRIBLE_JSON_NUMBER && exact) {
        double j = json_number_value(v);
        if (memcmp(&j, &num, sizeof j) != 0)
            return "a member's number";
    }
    return NULL;
}

static const char *oracle_members(const oracle_walk *w, json_t *obj)
{
    if (w->n > ORACLE_MAX)
        return NULL;   /* too many to check one by one */
    size_t distinct = 0;
    char *keys[ORACLE_MAX];
    for (size_t i = 0; i < w->n; i++) {
        keys[i] = malloc(w->m[i].key_len + 1);
        if (!keys[i])
            abort();
        crible_json_unescape(w->m[i].key, w->m[i].key_len, keys[i]);
    }
    const char *why = NULL;
    for (size_t i = 0; i < w->n && !why; i++) {
        bool last = true;
        for (size_t j = i + 1; j < w->n && last; j++)
            last = strcmp(keys[i], keys[j]) != 0;
        if (!last)
            continue;   /* jansson keeps the last */
        distinct++;
        const crible_json_member *m = &w->m[i];
        why = oracle_same_value(m->kind, m->value, m->value_len, m->exact, m->number,
                                json_object_get(obj, keys[i]));
        if (!why && m->kind == CRIBLE_JSON_STRING) {
            const char *t = json_string_value(json_object_get(obj, keys[i]));
            if (m->has_cr != (memchr(t, '\r', json_string_length(json_object_get(obj, keys[i]))) != NULL) ||
                m->escaped != (memchr(m->value, '\\', m->value_len) != NULL))
                why = "a string's flags";
        }
    }
    if (!why && distinct != json_object_size(obj))
        why = "the number of members";
    for (size_t i = 0; i < w->n; i++)
        free(keys[i]);
    return why;
}

static const char *oracle_doc(const char *s, size_t n, json_t *obj)
{
    crible_json_doc d;
    if (!crible_json_doc_scan(s, n, &d))
        return NULL;
    if (!obj)
        return "crible_json_doc_scan accepted what jansson rejects";
    static const char *const names[] = {"id", "title", "text"};
    crible_json_kind kinds[] = {d.id, d.title, d.text};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(obj, names[i]);
        if (kinds[i] != oracle_kind(v))
            return "the kind of id, title or text";
        const char *str;
        size_t len;
        bool found = crible_json_member_find(s, n, names[i], &str, &len);
        if (found != json_is_string(v) || (found && !oracle_same_string(str, len, v)))
            return "crible_json_member_find";
    }
    json_t *id = json_object_get(obj, "id"), *text = json_object_get(obj, "text");
    if ((d.id_str != NULL) != json_is_string(id) || (d.id_str && !oracle_same_string(d.id_str, d.id_len, id)))
        return "the id's span";
    if ((d.text_str != NULL) != json_is_string(text) ||
        (d.text_str && !oracle_same_string(d.text_str, d.text_len, text)))
        return "the text's span";
    if (d.text_has_cr != (json_is_string(text) &&
                          memchr(json_string_value(text), '\r', json_string_length(text)) != NULL))
        return "text_has_cr";
    return NULL;
}

/* One member (or item) of ix_docjson against jansson's value; `number`:
 * its number must be jansson's (not in an object member). */
static const char *oracle_jmember(const ix_jmember *m, json_t *v, bool number)
{
    if (m->kind != oracle_kind(v))
        return "ix_docjson: a kind";
    if (m->kind == CRIBLE_JSON_STRING &&
        (m->len != json_string_length(v) || m->str[m->len] != '\0' ||
         memcmp(m->str, json_string_value(v), m->len) != 0))
        return "ix_docjson: a string";
    if (m->kind == CRIBLE_JSON_NUMBER && number) {
        double j = json_number_value(v);
        if (memcmp(&j, &m->num, sizeof j) != 0)
            return "ix_docjson: a number";
    }
    return NULL;
}

/* An object or array member's members or items, one level down. */
static const char *oracle_below(const ix_docjson *d, const ix_jmember *m, json_t *v)
{
    if (m->kind == CRIBLE_JSON_ARRAY) {
        if (m->n != json_array_size(v))
            return "ix_docjson: the number of items";
        for (uint32_t k = 0; k < m->n; k++) {
            const char *why = oracle_jmember(&d->sub[m->first + k], json_array_get(v, k), true);
            if (why)
                return why;
        }
    } else if (m->kind == CRIBLE_JSON_OBJECT) {
        if (m->n != json_object_size(v))
            return "ix_docjson: the number of an object's members";
        uint32_t k = 0;
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x) {
            const ix_jmember *sm = &d->sub[m->first + k++];
            if (strcmp(sm->key, key) != 0)
                return "ix_docjson: an object's keys or their order";
            const char *why = oracle_jmember(sm, x, false);
            if (why)
                return why;
        }
    }
    return NULL;
}

static const char *oracle_index(const char *s, size_t n, json_t *obj)
{
    ix_docjson d = {0};
    const char *why = NULL;
    if (ix_docjson_scan(&d, s, n)) {
        if (!obj)
            why = "ix_docjson_scan accepted what jansson rejects";
        else if (d.n != json_object_size(obj))
            why = "ix_docjson: the number of members";
        size_t i = 0;
        const char *key;
        json_t *v;
        if (!why)
            json_object_foreach(obj, key, v) {
                const ix_jmember *m = &d.m[i++];
                if (strcmp(m->key, key) != 0)
                    why = "ix_docjson: the keys or their order";
                else
                    why = oracle_jmember(m, v, true);
                if (!why)
                    why = oracle_below(&d, m, v);
                if (why)
                    break;
            }
    }
    ix_docjson_free(&d);
    return why;
}

static const char *json_fast_oracle(const char *s, size_t n, bool *accepted)
{
    json_error_t e;
    json_t *obj = json_loadb(s, n, 0, &e);
    if (obj && !json_is_object(obj)) {
        json_decref(obj);
        obj = NULL;
    }
    oracle_walk *w = malloc(sizeof *w);
    if (!w)
        abort();
    w->n = 0;
    bool ok = crible_json_object_walk(s, n, oracle_collect, w);
    if (accepted)
        *accepted = ok;
    const char *why = NULL;
    if (ok)
        why = obj ? oracle_members(w, obj) : "the member walker accepted what jansson rejects";
    free(w);
    if (!why)
        why = oracle_doc(s, n, obj);
    if (!why)
        why = oracle_index(s, n, obj);
    json_decref(obj);
    return why;
}

#endif
