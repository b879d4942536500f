/*
 * tokenize_options.c - the `tokenize:` section (crible-tokenize, and the
 * analysis chain of crible-stem and crible-query): its schema and its
 * loading into crible_tokenize_options (tokenize_options.h lists the keys).
 */
#include "tokenize_options.h"

#include <jansson.h>

#include <string.h>

#include "options.h"

static const char *const normalizations[] = {"nfc", "nfkc", NULL};

const crible_schema crible_schema_tokenize[] = {
    {.key = "normalization", .type = CRIBLE_TYPE_STRING, .choices = normalizations},
    {.key = "fold_case", .type = CRIBLE_TYPE_BOOL},
    {.key = "fold_accents", .type = CRIBLE_TYPE_BOOL},
    {.key = "split_elisions", .type = CRIBLE_TYPE_BOOL},
    {.key = "split_clitics", .type = CRIBLE_TYPE_BOOL},
    {.key = "sentences", .type = CRIBLE_TYPE_BOOL},
    {.key = "abbreviations", .type = CRIBLE_TYPE_LIST},
    {.key = "fields", .type = CRIBLE_TYPE_LIST},
    {0}
};

static const char *const default_fields[] = {"title", "text"};

crible_status crible_tokenize_options_load(const crible_config *config,
                                           const crible_node *section,
                                           crible_tokenize_options *o,
                                           crible_error *err)
{
    crible_tokenize_options_init(o);
    o->fields = default_fields;
    o->nfields = 2;
    if (!section)
        return CRIBLE_OK;
    crible_status st = crible_config_validate(config, section, "tokenize",
                                              crible_schema_tokenize, err);
    const char *norm = NULL;
    const char **list;
    size_t n;
    if (st == CRIBLE_OK)
        st = crible_node_string(section, "normalization", &norm, err);
    if (st == CRIBLE_OK && norm)
        o->normalization = strcmp(norm, "nfkc") == 0 ? CRIBLE_NORMALIZE_NFKC
                                                     : CRIBLE_NORMALIZE_NFC;
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "fold_case", &o->fold_case, err);
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "fold_accents", &o->fold_accents, err);
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "split_elisions", &o->split_elisions, err);
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "split_clitics", &o->split_clitics, err);
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "sentences", &o->sentences, err);
    if (st == CRIBLE_OK && crible_node_get(section, "abbreviations")) {
        st = crible_node_strings(section, "abbreviations", &list, &n, err);
        if (st == CRIBLE_OK) {
            o->abbreviations = list;
            o->nabbreviations = n;
        }
    }
    if (st == CRIBLE_OK && crible_node_get(section, "fields")) {
        const crible_node *node = crible_node_get(section, "fields");
        st = crible_node_strings(section, "fields", &list, &n, err);
        if (st == CRIBLE_OK && n == 0)
            st = crible_node_error(node, err, CRIBLE_ECONFIG,
                                   "'fields' must name at least one document member"
                                   " (like [title, text])");
        if (st == CRIBLE_OK) {
            o->fields = list;
            o->nfields = n;
        }
    }
    return st;
}

static json_t *tokenize_options_object(const crible_tokenize_options *o)
{
    return json_pack("{s:s, s:b, s:b, s:b, s:b}", "normalization",
                     o->normalization == CRIBLE_NORMALIZE_NFKC ? "nfkc" : "nfc",
                     "fold_case", o->fold_case, "fold_accents", o->fold_accents,
                     "split_elisions", o->split_elisions, "split_clitics", o->split_clitics);
}

char *crible_tokenize_options_json(const crible_tokenize_options *options)
{
    json_t *j = tokenize_options_object(options);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}
