/*
 * query_options.c - the `query:` section: its schema (validated by the
 * runner before anything starts, and by crible-query) and its loading into
 * crible_query_options (the keys and an example are in query_options.h).
 */
#include "query_options.h"

#include <string.h>

#include "options.h"

static const char *const operators[] = {"and", "or", NULL};

static crible_status check_weights(const crible_config *config, const crible_node *v,
                                   crible_error *err)
{
    (void)config;
    if (v->kind != CRIBLE_NODE_MAP)
        return crible_node_error(v, err, CRIBLE_ECONFIG,
                                 "weights must be a mapping: {title: 2.0, text: 1.0}");
    if (v->count > CRIBLE_QUERY_MAX_WEIGHTS)
        return crible_node_error(v, err, CRIBLE_ECONFIG, "at most %d field weights",
                                 CRIBLE_QUERY_MAX_WEIGHTS);
    for (size_t i = 0; i < v->count; i++) {
        double w = -1;
        crible_status st = crible_node_double(v, v->keys[i]->value, 0, 1000, &w, err);
        if (st != CRIBLE_OK)
            return st;
    }
    return CRIBLE_OK;
}

const crible_schema crible_schema_query[] = {
    {"default_operator", CRIBLE_TYPE_STRING, .choices = operators},
    {"k1", CRIBLE_TYPE_NUMBER, .children = NULL},
    {"b", CRIBLE_TYPE_NUMBER, .children = NULL},
    {"weights", CRIBLE_TYPE_ANY, .check = check_weights},
    {"fields", CRIBLE_TYPE_LIST, .children = NULL},
    {"near", CRIBLE_TYPE_INT, .children = NULL},
    {"max_expansions", CRIBLE_TYPE_INT, .children = NULL},
    {"stop_words_optional", CRIBLE_TYPE_BOOL, .children = NULL},
    {"accent_variants", CRIBLE_TYPE_BOOL, .children = NULL},
    {"snippet_length", CRIBLE_TYPE_INT, .children = NULL},
    {"snippet_fragments", CRIBLE_TYPE_INT, .children = NULL},
    {"limit", CRIBLE_TYPE_INT, .children = NULL},
    {0}
};

crible_status crible_query_options_load(const crible_node *section, crible_query_options *o,
                                        size_t *limit, crible_error *err)
{
    if (!section)
        return CRIBLE_OK;
    const char *op = NULL;
    long long v;
    crible_status st = crible_node_string(section, "default_operator", &op, err);
    if (st == CRIBLE_OK && op)
        o->default_or = strcmp(op, "or") == 0;
    if (st == CRIBLE_OK)
        st = crible_node_double(section, "k1", 0, 100, &o->k1, err);
    if (st == CRIBLE_OK)
        st = crible_node_double(section, "b", 0, 1, &o->b, err);
    const crible_node *w = crible_node_get(section, "weights");
    if (st == CRIBLE_OK && w && w->kind == CRIBLE_NODE_MAP) {
        for (size_t i = 0; i < w->count && st == CRIBLE_OK; i++) {
            const char *name = w->keys[i]->value;
            double x = 1.0;
            st = crible_node_double(w, name, 0, 1000, &x, err);
            size_t k = 0;
            while (k < o->nweights && strcmp(o->weights[k].field, name) != 0)
                k++;
            if (k == o->nweights) {
                if (k == CRIBLE_QUERY_MAX_WEIGHTS)
                    return crible_node_error(w, err, CRIBLE_ECONFIG, "too many field weights");
                o->nweights++;
            }
            o->weights[k] = (crible_field_weight){name, x};
        }
    }
    const char **fields = NULL;
    size_t nf = 0;
    if (st == CRIBLE_OK)
        st = crible_node_strings(section, "fields", &fields, &nf, err);
    if (st == CRIBLE_OK && fields) {
        if (nf == 0 || nf > 4)
            return crible_node_error(crible_node_get(section, "fields"), err, CRIBLE_ECONFIG,
                                     "fields: give 1 to 4 text fields (title, text)");
        for (size_t i = 0; i < nf; i++)
            o->default_fields[i] = fields[i];
        o->ndefault_fields = nf;
    }
    v = o->near_default;
    if (st == CRIBLE_OK && (st = crible_node_int(section, "near", 0, 1000, &v, err)) == CRIBLE_OK)
        o->near_default = (int)v;
    v = (long long)o->max_expansions;
    if (st == CRIBLE_OK &&
        (st = crible_node_int(section, "max_expansions", 1, 100000, &v, err)) == CRIBLE_OK)
        o->max_expansions = (size_t)v;
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "stop_words_optional", &o->stop_optional, err);
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "accent_variants", &o->accent_variants, err);
    v = (long long)o->snippet_bytes;
    if (st == CRIBLE_OK &&
        (st = crible_node_int(section, "snippet_length", 40, 100000, &v, err)) == CRIBLE_OK)
        o->snippet_bytes = (size_t)v;
    v = o->snippet_fragments;
    if (st == CRIBLE_OK &&
        (st = crible_node_int(section, "snippet_fragments", 1, 2, &v, err)) == CRIBLE_OK)
        o->snippet_fragments = (int)v;
    v = limit ? (long long)*limit : 10;
    if (st == CRIBLE_OK && (st = crible_node_int(section, "limit", 0, 1000000, &v, err)) == CRIBLE_OK &&
        limit)
        *limit = (size_t)v;
    return st;
}
