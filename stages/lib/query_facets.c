/*
 * query_facets.c - counting field values over a query's matches (see
 * query_facets.h).
 */
#include "query_facets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "index_metadata.h"
#include "index_writer.h"
#include "query_internal.h"

void crible_facet_free(crible_facet *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].value);
    free(f->v);
    free(f->field);
    memset(f, 0, sizeof *f);
}

typedef struct acc {
    crible_facet_value *v;
    size_t n, cap;
} acc;

/* dedupe: the value may be there already (numbers; a later shard). */
static crible_status acc_add(acc *a, const char *value, size_t len, uint64_t count, bool dedupe,
                             crible_error *err)
{
    for (size_t i = 0; dedupe && i < a->n; i++)
        if (strlen(a->v[i].value) == len && memcmp(a->v[i].value, value, len) == 0) {
            a->v[i].count += count;
            return CRIBLE_OK;
        }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        crible_facet_value *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        a->v = v;
        a->cap = cap;
    }
    char *c = strndup(value, len);
    if (!c)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    a->v[a->n].value = c;
    a->v[a->n++].count = count;
    return CRIBLE_OK;
}

static int by_count(const void *x, const void *y)
{
    const crible_facet_value *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->value, b->value);
}

static int by_number(const void *x, const void *y)
{
    double a = atof(((const crible_facet_value *)x)->value);
    double b = atof(((const crible_facet_value *)y)->value);
    return a < b ? 1 : a > b ? -1 : 0; /* highest first: 5, 4.5, 4 ... */
}

static bool bit(const uint64_t *bits, uint32_t d)
{
    return (bits[d / 64] >> (d % 64)) & 1;
}

/* The live documents holding `term` in field number `num` of shard sh:
 * the dictionary's df, or the postings counted when the shard has deleted
 * documents (the dictionaries count them until a merge). */
static crible_status live_df(crible_searcher *s, size_t sh, int num, const char *term, size_t len,
                             uint64_t dict_df, uint64_t *df, crible_error *err)
{
    crible_index_info info;
    crible_index_get_info(s->shards[sh], &info);
    *df = dict_df;
    if (info.live_docs == info.maxdoc)
        return CRIBLE_OK;
    crible_postings *p;
    crible_status st = crible_postings_open(s->shards[sh], num, term, len, &p, err);
    if (st != CRIBLE_OK)
        return st;
    *df = 0;
    while (crible_postings_next(p) != CRIBLE_DOC_NONE)
        (*df)++;
    crible_postings_close(p);
    return CRIBLE_OK;
}

/* The way a folded keyword value was written most often, ties in byte
 * order.  "_display.FIELD" holds "FOLDED\x1fWRITTEN" (or FOLDED, \x1f and
 * the upper-cased code points: index_metadata.h) for each document where
 * folding changed the value (index.h: entities, and metadata values
 * in an index written since index_metadata.c makes them); the documents holding
 * FOLDED without any display term wrote it folded.  Live documents of
 * every shard count, so the form does not depend on how the documents
 * fell into segments or shards.  *known is false when no shard has the
 * display field (an index written before metadata had display terms, or
 * one where folding never changed a value of the field): then NULL. */
static char *display_form(crible_searcher *s, const char *field, int f, const char *folded,
                          bool *known, crible_error *err)
{
    char name[300];
    *known = false;
    if (snprintf(name, sizeof name, "%s%s", CRIBLE_INDEX_DISPLAY_PREFIX, field) >= (int)sizeof name)
        return NULL;
    int g = qs_field(s, name);
    if (g < 0)
        return NULL;
    *known = true;
    char key[CRIBLE_TERM_MAX + 2];
    size_t klen = strlen(folded);
    if (klen + 1 > CRIBLE_TERM_MAX)
        return strdup(folded);
    memcpy(key, folded, klen);
    key[klen++] = CRIBLE_INDEX_DISPLAY_SEP;
    acc variants = {0};
    uint64_t total = 0, shown = 0;
    crible_status st = CRIBLE_OK;
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++) {
        int num = s->fields[g].num[sh], fnum = s->fields[f].num[sh];
        crible_term_stats fs;
        uint64_t df;
        if (fnum >= 0 && crible_index_term(s->shards[sh], fnum, folded, klen - 1, &fs)) {
            st = live_df(s, sh, fnum, folded, klen - 1, fs.df, &df, err);
            total += df;
        }
        if (num < 0 || st != CRIBLE_OK)
            continue;
        crible_terms *it;
        if ((st = crible_terms_open(s->shards[sh], num, &it, err)) != CRIBLE_OK)
            break;
        crible_terms_seek(it, key, klen);
        const char *t;
        size_t tl;
        crible_term_stats ts;
        while (st == CRIBLE_OK && crible_terms_next(it, &t, &tl, &ts) && tl > klen &&
               memcmp(t, key, klen) == 0) {
            char term[CRIBLE_TERM_MAX + 1], written[CRIBLE_TERM_MAX * 2 + 1];
            memcpy(term, t, tl); /* t is only valid until the next call */
            st = live_df(s, sh, num, term, tl, ts.df, &df, err);
            size_t wl = ix_display_written(folded, klen - 1, term + klen, tl - klen, written, sizeof written);
            if (st == CRIBLE_OK && df && wl)
                st = acc_add(&variants, written, wl, df, true, err);
            shown += df;
        }
        crible_terms_close(it);
    }
    if (st == CRIBLE_OK && total > shown) /* written folded */
        st = acc_add(&variants, folded, klen - 1, total - shown, true, err);
    char *best = NULL;
    if (st == CRIBLE_OK && variants.n) {
        qsort(variants.v, variants.n, sizeof *variants.v, by_count);
        best = variants.v[0].value;
        variants.v[0].value = NULL;
    }
    for (size_t i = 0; i < variants.n; i++)
        free(variants.v[i].value);
    free(variants.v);
    return best;
}

/* A metadata value as one of its documents wrote it: the member `field` of
 * the stored JSON of the first document holding the folded term (a string,
 * or a string of an array, that folds to it); NULL if there is none. */
static char *stored_form(crible_searcher *s, const char *field, const char *folded,
                         crible_error *err)
{
    int f = qs_field(s, field);
    size_t flen = strlen(folded);
    char *found = NULL;
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    for (size_t sh = 0; f >= 0 && sh < s->nshards && !found; sh++) {
        int num = s->fields[f].num[sh];
        crible_postings *p;
        if (num < 0 || crible_postings_open(s->shards[sh], num, folded, flen, &p, err) != CRIBLE_OK)
            continue;
        uint32_t d = crible_postings_next(p);
        crible_postings_close(p);
        if (d == CRIBLE_DOC_NONE || crible_index_doc(s->shards[sh], d, &doc, err) != CRIBLE_OK)
            continue;
        json_t *root = json_loadb(doc.json, doc.json_len, 0, NULL);
        json_t *m = root ? json_object_get(root, field) : NULL;
        size_t n = json_is_array(m) ? json_array_size(m) : 1;
        for (size_t i = 0; i < n && m && !found; i++) {
            json_t *v = json_is_array(m) ? json_array_get(m, i) : m;
            char buf[CRIBLE_TERM_MAX * 3 + 1];
            if (json_is_string(v) && crible_index_fold(json_string_value(v), buf, sizeof buf) &&
                !strcmp(buf, folded))
                found = strdup(json_string_value(v));
        }
        json_decref(root);
    }
    crible_stored_doc_free(&doc);
    return found;
}

crible_status crible_facet_compute(crible_searcher *s, const crible_results *r,
                                   const char *field, size_t top, crible_facet *out,
                                   crible_error *err)
{
    memset(out, 0, sizeof *out);
    int f = qs_field(s, field);
    if (f < 0 || s->fields[f].kind == CRIBLE_FIELD_TEXT) {
        char list[512];
        size_t len = 0;
        list[0] = '\0';
        for (size_t i = 0; i < s->nfields && len < sizeof list; i++)
            if (s->fields[i].kind != CRIBLE_FIELD_TEXT && s->fields[i].name[0] != '_')
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                        s->fields[i].name);
        return crible_error_set(err, CRIBLE_EDATA, f < 0 ? "unknown facet field '%s' (fields: %s)"
                                                         : "'%s' is a text field, not a facet "
                                                           "(fields: %s)",
                                field, list);
    }
    if (!r->matches)
        return crible_error_set(err, CRIBLE_EINTERNAL, "facets need the matching documents");
    qfield *qf = &s->fields[f];
    out->field = strdup(field);
    out->numeric = qf->kind == CRIBLE_FIELD_NUMERIC;
    if (!out->field)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    acc a = {0};
    crible_status st = CRIBLE_OK;
    for (size_t sh = 0; sh < s->nshards && st == CRIBLE_OK; sh++) {
        int num = qf->num[sh];
        const uint64_t *bits = r->matches[sh];
        if (num < 0 || !bits)
            continue;
        crible_index *ix = s->shards[sh];
        crible_index_info info;
        crible_index_get_info(ix, &info);
        if (out->numeric) {
            for (uint32_t d = 0; d < info.maxdoc && st == CRIBLE_OK; d++) {
                double v;
                if (!bit(bits, d) || !crible_index_numeric(ix, num, d, &v))
                    continue;
                char buf[64];
                int n = snprintf(buf, sizeof buf, "%.15g", v);
                st = acc_add(&a, buf, (size_t)n, 1, true, err);
            }
            continue;
        }
        crible_terms *it;
        st = crible_terms_open(ix, num, &it, err);
        if (st != CRIBLE_OK)
            break;
        const char *t;
        size_t tl;
        while (st == CRIBLE_OK && crible_terms_next(it, &t, &tl, NULL)) {
            char term[CRIBLE_TERM_MAX + 1];
            if (tl > CRIBLE_TERM_MAX)
                tl = CRIBLE_TERM_MAX;
            memcpy(term, t, tl); /* t is only valid until the next call */
            crible_postings *p;
            st = crible_postings_open(ix, num, term, tl, &p, err);
            if (st != CRIBLE_OK)
                break;
            uint64_t c = 0;
            for (uint32_t d = crible_postings_next(p); d != CRIBLE_DOC_NONE;
                 d = crible_postings_next(p))
                c += bit(bits, d);
            crible_postings_close(p);
            if (c)
                st = acc_add(&a, term, tl, c, sh > 0, err);
        }
        crible_terms_close(it);
    }
    if (st != CRIBLE_OK) {
        for (size_t i = 0; i < a.n; i++)
            free(a.v[i].value);
        free(a.v);
        crible_facet_free(out);
        return st;
    }
    out->distinct = a.n;
    if (a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, by_count);
    if (top && a.n > top) {
        for (size_t i = top; i < a.n; i++)
            free(a.v[i].value);
        a.n = top;
    }
    if (out->numeric && a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, by_number);
    for (size_t i = 0; !out->numeric && i < a.n; i++) {
        bool known;
        char *shown = display_form(s, field, f, a.v[i].value, &known, err);
        if (!known)
            shown = stored_form(s, field, a.v[i].value, err);
        if (shown) {
            free(a.v[i].value);
            a.v[i].value = shown;
        }
    }
    out->v = a.v;
    out->n = a.n;
    return CRIBLE_OK;
}
