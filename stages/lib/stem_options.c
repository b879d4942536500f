/*
 * stem_options.c - the `stem:` section: its schema (crible_schema_stem), its
 * defaults and its loading into crible_stem_options (stem_options.h).
 */
#include "stem_options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "options.h"

static crible_status check_algorithm(const crible_config *config, const crible_node *value,
                                     crible_error *err)
{
    (void)config;
    if (!crible_stem_algorithm(value->value))
        return crible_node_error(value, err, CRIBLE_ECONFIG,
                                 "unknown stemming algorithm '%s' (french, english, german, "
                                 "spanish, ... any libstemmer algorithm or ISO code, "
                                 "libstemmer:NAME, or none)", value->value);
    return CRIBLE_OK;
}

/* A file crible ships is taken when the name is not next to the YAML file. */
static bool find_stopwords(const crible_config *config, const char *name, char *buf,
                           size_t n)
{
    crible_error ignored;
    struct stat sb;
    if (crible_config_resolve(config, name, buf, n, &ignored) == CRIBLE_OK &&
        stat(buf, &sb) == 0 && S_ISREG(sb.st_mode))
        return true;
    return strchr(name, '/') == NULL && crible_data_find(name, buf, n);
}

static crible_status check_stopwords(const crible_config *config, const crible_node *value,
                                     crible_error *err)
{
    char path[4096];
    if (value->kind == CRIBLE_NODE_SEQUENCE) {
        for (size_t i = 0; i < value->count; i++)
            if (value->items[i]->kind != CRIBLE_NODE_SCALAR || !value->items[i]->value[0])
                return crible_node_error(value->items[i], err, CRIBLE_ECONFIG,
                                         "'stopwords' items must be words");
        return CRIBLE_OK;
    }
    if (value->kind != CRIBLE_NODE_SCALAR)
        return crible_node_error(value, err, CRIBLE_ECONFIG,
                                 "'stopwords' must be a file name, a list of words or false");
    if (!value->quoted && (strcmp(value->value, "false") == 0 || strcmp(value->value, "no") == 0 ||
                           strcmp(value->value, "true") == 0))
        return CRIBLE_OK;
    if (!find_stopwords(config, value->value, path, sizeof path))
        return crible_node_error(value, err, CRIBLE_ECONFIG,
                                 "'stopwords': no such file '%s' (next to the configuration "
                                 "file, or shipped with crible)", value->value);
    return CRIBLE_OK;
}

static crible_status check_overrides(const crible_config *config, const crible_node *value,
                                     crible_error *err)
{
    (void)config;
    for (size_t i = 0; i < value->count; i++)
        if (value->items[i]->kind != CRIBLE_NODE_SCALAR || !value->items[i]->value[0])
            return crible_node_error(value->items[i], err, CRIBLE_ECONFIG,
                                     "'overrides': '%s' must map to a term (a word)",
                                     value->keys[i]->value);
    return CRIBLE_OK;
}

const crible_schema crible_schema_stem[] = {
    {"algorithm", CRIBLE_TYPE_STRING, .check = check_algorithm},
    {"languages", CRIBLE_TYPE_BOOL, .check = NULL},
    {"stopwords", CRIBLE_TYPE_ANY, .check = check_stopwords},
    {"protected", CRIBLE_TYPE_LIST, .check = NULL},
    {"overrides", CRIBLE_TYPE_MAP, .check = check_overrides},
    {"corrections", CRIBLE_TYPE_BOOL, .check = NULL},
    {"corrections_file", CRIBLE_TYPE_FILE, .check = NULL},
    {"fold_accents", CRIBLE_TYPE_BOOL, .check = NULL},
    {"cache", CRIBLE_TYPE_INT, .check = NULL},
    {0}
};

void crible_stem_options_init(crible_stem_options *o)
{
    memset(o, 0, sizeof *o);
    crible_stemmer_options_init(&o->stemmer);
    o->languages = true;
    o->stopwords = true;
}

void crible_stem_options_free(crible_stem_options *o)
{
    free(o->override_buf);
    o->override_buf = NULL;
}

crible_status crible_stem_options_load(const crible_config *config, const crible_node *section,
                                       crible_stem_options *o, crible_error *err)
{
    crible_stem_options_init(o);
    if (!section)
        return CRIBLE_OK;
    crible_status st = crible_config_validate(config, section, "stem", crible_schema_stem, err);
    long long cache = (long long)o->stemmer.cache_entries;
    const char *corrections_file = NULL;
    if (st == CRIBLE_OK) st = crible_node_string(section, "algorithm", &o->stemmer.algorithm, err);
    if (st == CRIBLE_OK) st = crible_node_bool(section, "languages", &o->languages, err);
    if (st == CRIBLE_OK) st = crible_node_bool(section, "corrections", &o->stemmer.corrections, err);
    if (st == CRIBLE_OK) st = crible_node_bool(section, "fold_accents", &o->stemmer.fold_accents, err);
    if (st == CRIBLE_OK) st = crible_node_int(section, "cache", 0, 1 << 24, &cache, err);
    if (st == CRIBLE_OK) st = crible_node_strings(section, "protected", (const char ***)&o->stemmer.protected_words,
                                                  &o->stemmer.nprotected, err);
    if (st == CRIBLE_OK) st = crible_node_string(section, "corrections_file", &corrections_file, err);
    if (st != CRIBLE_OK)
        return st;
    o->stemmer.cache_entries = (size_t)cache;
    if (corrections_file) {
        st = crible_config_resolve(config, corrections_file, o->corrections_path_buf,
                                   sizeof o->corrections_path_buf, err);
        if (st != CRIBLE_OK)
            return st;
        o->stemmer.corrections_file = o->corrections_path_buf;
    }
    const crible_node *sw = crible_node_get(section, "stopwords");
    if (sw && sw->kind == CRIBLE_NODE_SEQUENCE) {
        st = crible_node_strings(section, "stopwords", (const char ***)&o->stopwords_list,
                                 &o->nstopwords_list, err);
        if (st != CRIBLE_OK)
            return st;
    } else if (sw && !sw->quoted && (strcmp(sw->value, "false") == 0 || strcmp(sw->value, "no") == 0)) {
        o->stopwords = false;
    } else if (sw && !(!sw->quoted && strcmp(sw->value, "true") == 0)) {
        if (!find_stopwords(config, sw->value, o->stopwords_path_buf, sizeof o->stopwords_path_buf))
            return crible_node_error(sw, err, CRIBLE_ECONFIG, "'stopwords': no such file '%s'", sw->value);
        o->stopwords_file = o->stopwords_path_buf;
    }
    const crible_node *ov = crible_node_get(section, "overrides");
    if (ov && ov->count) {
        o->override_buf = crible_malloc(2 * ov->count * sizeof *o->override_buf, err);
        if (!o->override_buf)
            return CRIBLE_ENOMEM;
        for (size_t i = 0; i < ov->count; i++) {
            o->override_buf[i] = ov->keys[i]->value;
            o->override_buf[ov->count + i] = ov->items[i]->value;
        }
        o->stemmer.override_words = o->override_buf;
        o->stemmer.override_stems = o->override_buf + ov->count;
        o->stemmer.noverrides = ov->count;
    }
    return CRIBLE_OK;
}

char *crible_stem_options_json(const crible_stem_options *o)
{
    const crible_stemmer_options *so = &o->stemmer;
    const char *algo = crible_stem_algorithm(so->algorithm);
    json_t *j = json_pack("{s:s, s:b, s:b, s:b}", "algorithm", algo ? algo : so->algorithm,
                          "corrections", so->corrections, "fold_accents", so->fold_accents,
                          "languages", o->languages);
    json_t *prot = json_array(), *ov = json_object();
    if (!j || !prot || !ov) {
        json_decref(j);
        json_decref(prot);
        json_decref(ov);
        return NULL;
    }
    if (so->corrections_file)
        json_object_set_new(j, "corrections_file", json_string(so->corrections_file));
    for (size_t i = 0; i < so->nprotected; i++)
        json_array_append_new(prot, json_string(so->protected_words[i]));
    for (size_t i = 0; i < so->noverrides; i++)
        json_object_set_new(ov, so->override_words[i], json_string(so->override_stems[i]));
    json_object_set_new(j, "protected", prot);
    json_object_set_new(j, "overrides", ov);
    if (!o->stopwords || o->stopwords_list) {
        json_t *sw = json_array();
        for (size_t i = 0; o->stopwords && sw && i < o->nstopwords_list; i++)
            json_array_append_new(sw, json_string(o->stopwords_list[i]));
        json_object_set_new(j, "stopwords", sw);
    } else if (o->stopwords_file) {
        json_object_set_new(j, "stopwords", json_string(o->stopwords_file));
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static crible_status json_type_error(const char *key, const char *what, crible_error *err)
{
    return crible_error_set(err, CRIBLE_EDATA, "stem settings: '%s' must be %s", key, what);
}

crible_status crible_stem_options_from_json(const void *json, crible_stem_options *o,
                                            crible_error *err)
{
    const json_t *j = json;
    crible_stemmer_options *so = &o->stemmer;
    if (!json_is_object(j))
        return json_type_error("stem", "an object", err);
    const json_t *v;
    if ((v = json_object_get(j, "algorithm"))) {
        if (!json_is_string(v) || !crible_stem_algorithm(json_string_value(v)))
            return json_type_error("algorithm", "a known algorithm", err);
        so->algorithm = json_string_value(v);
    }
    static const char *const bools[] = {"corrections", "fold_accents", "languages"};
    bool *targets[] = {&so->corrections, &so->fold_accents, &o->languages};
    for (size_t i = 0; i < 3; i++) {
        if ((v = json_object_get(j, bools[i]))) {
            if (!json_is_boolean(v))
                return json_type_error(bools[i], "true or false", err);
            *targets[i] = json_is_true(v);
        }
    }
    if ((v = json_object_get(j, "corrections_file"))) {
        if (!json_is_string(v))
            return json_type_error("corrections_file", "a file name", err);
        so->corrections_file = json_string_value(v);
    }
    const json_t *prot = json_object_get(j, "protected");
    const json_t *ov = json_object_get(j, "overrides");
    const json_t *sw = json_object_get(j, "stopwords");
    if (prot && !json_is_array(prot))
        return json_type_error("protected", "a list of words", err);
    if (ov && !json_is_object(ov))
        return json_type_error("overrides", "an object", err);
    if (sw && !json_is_array(sw) && !json_is_string(sw))
        return json_type_error("stopwords", "a file name or a list of words", err);
    size_t np = json_array_size(prot), no = json_object_size(ov), ns = json_array_size(sw);
    if (np + 2 * no + ns) {
        o->override_buf = crible_malloc((np + 2 * no + ns) * sizeof *o->override_buf, err);
        if (!o->override_buf)
            return CRIBLE_ENOMEM;
    }
    const char **buf = o->override_buf;
    for (size_t i = 0; i < np; i++) {
        if (!json_is_string(json_array_get(prot, i)))
            return json_type_error("protected", "a list of words", err);
        buf[i] = json_string_value(json_array_get(prot, i));
    }
    so->protected_words = buf;
    so->nprotected = np;
    const char *key;
    const json_t *val;
    size_t k = 0;
    json_object_foreach((json_t *)ov, key, val) {
        if (!json_is_string(val))
            return json_type_error("overrides", "an object of words", err);
        buf[np + k] = key;
        buf[np + no + k] = json_string_value(val);
        k++;
    }
    so->override_words = buf ? buf + np : NULL;
    so->override_stems = buf ? buf + np + no : NULL;
    so->noverrides = no;
    if (json_is_string(sw)) {
        o->stopwords_file = json_string_value(sw);
    } else if (sw) {
        for (size_t i = 0; i < ns; i++) {
            if (!json_is_string(json_array_get(sw, i)))
                return json_type_error("stopwords", "a list of words", err);
            buf[np + 2 * no + i] = json_string_value(json_array_get(sw, i));
        }
        o->stopwords_list = buf + np + 2 * no;
        o->nstopwords_list = ns;
        o->stopwords = ns > 0;
    }
    return CRIBLE_OK;
}
