/*
 * options.c - the table of every configuration section and the validation
 * of a whole file (what the runner does before it starts anything) or of
 * one section (what a stage started alone does).
 */
#include "options.h"

#include <string.h>

const crible_section crible_sections[] = {
    {"input", crible_schema_input},
    {"pipeline", crible_schema_pipeline},
    {"read", crible_schema_read},
    {"tokenize", crible_schema_tokenize},
    {"stem", crible_schema_stem},
    {"entities", crible_schema_entities},
    {"index", crible_schema_index},
    {"query", crible_schema_query},
    {NULL, NULL},
};

static const crible_section *find_section(const char *name)
{
    for (const crible_section *s = crible_sections; s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static crible_status unknown_section(const crible_node *key, crible_error *err)
{
    const char *best = NULL;
    int best_d = 100;
    for (const crible_section *s = crible_sections; s->name; s++) {
        int d = crible_edit_distance(key->value, s->name);
        if (d < best_d) {
            best_d = d;
            best = s->name;
        }
    }
    if (best && best_d <= 2)
        return crible_node_error(key, err, CRIBLE_ECONFIG,
                                 "unknown section '%s' (did you mean '%s'?)", key->value, best);
    return crible_node_error(key, err, CRIBLE_ECONFIG,
                             "unknown section '%s' (sections: input, pipeline, read, tokenize, "
                             "stem, entities, index, query)", key->value);
}

crible_status crible_config_validate_all(const crible_config *config, crible_error *err)
{
    const crible_node *root = crible_config_root(config);
    for (size_t i = 0; i < root->count; i++) {
        const crible_section *s = find_section(root->keys[i]->value);
        if (!s)
            return unknown_section(root->keys[i], err);
        const crible_node *section;
        crible_status st = crible_config_section(config, s->name, &section, err);
        if (st == CRIBLE_OK)
            st = crible_config_validate(config, section, s->name, s->schema, err);
        if (st != CRIBLE_OK)
            return st;
    }
    return CRIBLE_OK;
}

crible_status crible_config_open_section(const char *path, const char *name,
                                         crible_config **config_out,
                                         const crible_node **section_out, crible_error *err)
{
    *config_out = NULL;
    *section_out = NULL;
    crible_config *config;
    crible_status st = path ? crible_config_load(path, &config, err)
                            : crible_config_load_string("", "<defaults>", &config, err);
    if (st != CRIBLE_OK)
        return st;
    const crible_section *s = find_section(name);
    const crible_node *section = NULL;
    st = crible_config_section(config, name, &section, err);
    if (st == CRIBLE_OK && s)
        st = crible_config_validate(config, section, name, s->schema, err);
    if (st != CRIBLE_OK) {
        crible_config_free(config);
        return st;
    }
    *config_out = config;
    *section_out = section;
    return CRIBLE_OK;
}
