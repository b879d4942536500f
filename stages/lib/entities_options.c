/*
 * entities_options.c - the `entities:` section (crible-entities): its
 * schema, and the building of the tagger from it (entities_options.h).
 */
#include "entities_options.h"

#include <string.h>

#include "entities_model.h"
#include "options.h"

const char *const crible_entities_default_gazetteers[] = {
    "gazetteers/platforms.tsv", "gazetteers/organisations.tsv", "gazetteers/people.tsv",
    "gazetteers/not-names-fr.tsv",
    "gazetteers/places-fr.tsv", "gazetteers/regions-fr.tsv", "gazetteers/firstnames-fr.tsv",
    "gazetteers/surnames-fr.tsv", "gazetteers/propernouns-fr.tsv", NULL};

static const char *const flag_names[] = {"cap", "ctx", "alias", "common", NULL};

static const crible_schema name_schema[] = {
    {.key = "type", .type = CRIBLE_TYPE_STRING},
    {.key = "value", .type = CRIBLE_TYPE_STRING},
    {.key = "aliases", .type = CRIBLE_TYPE_LIST},
    {.key = "flags", .type = CRIBLE_TYPE_LIST},
    {0}};

static crible_status check_names(const crible_config *config, const crible_node *value,
                                 crible_error *err)
{
    for (size_t i = 0; i < value->count; i++) {
        const crible_node *item = value->items[i];
        if (item->kind != CRIBLE_NODE_MAP)
            return crible_node_error(item, err, CRIBLE_ECONFIG,
                                     "an entry of 'names' must be a mapping: "
                                     "{type: PER, value: Kevin Anderson, aliases: [...]}");
        crible_status st = crible_config_validate(config, item, "entities.names",
                                                  name_schema, err);
        if (st != CRIBLE_OK) return st;
        if (!crible_node_get(item, "type") || !crible_node_get(item, "value"))
            return crible_node_error(item, err, CRIBLE_ECONFIG,
                                     "an entry of 'names' needs 'type' and 'value'");
    }
    return CRIBLE_OK;
}

const crible_schema crible_schema_entities[] = {
    {.key = "rules", .type = CRIBLE_TYPE_BOOL},
    {.key = "articles", .type = CRIBLE_TYPE_BOOL},
    {.key = "defaults", .type = CRIBLE_TYPE_BOOL},
    {.key = "types", .type = CRIBLE_TYPE_LIST},
    {.key = "gazetteers", .type = CRIBLE_TYPE_FILES},
    {.key = "names", .type = CRIBLE_TYPE_SEQUENCE, .check = check_names},
    {.key = "model", .type = CRIBLE_TYPE_FILE},
    {.key = "metadata", .type = CRIBLE_TYPE_MAP},
    {0}};

static crible_status add_inline(crible_gazetteer *g, const crible_node *item,
                                crible_error *err)
{
    const char *type_name = crible_node_get(item, "type")->value;
    const char *value = crible_node_get(item, "value")->value;
    unsigned classes = 0, flags = 0;
    int type = -1;
    if (!strcmp(type_name, "firstname")) classes = CRIBLE_GAZ_FIRSTNAME;
    else if (!strcmp(type_name, "surname")) classes = CRIBLE_GAZ_SURNAME;
    else if (!strcmp(type_name, "propn")) classes = CRIBLE_GAZ_PROPN;
    else if (!strcmp(type_name, "none")) classes = CRIBLE_GAZ_NONE;
    else if ((type = crible_gazetteer_type(g, type_name)) < 0)
        return crible_node_error(crible_node_get(item, "type"), err, CRIBLE_ECONFIG,
                                 "unknown type '%s' (PER, LOC, ORG, PLATFORM, WORK, or "
                                 "one declared under entities: types)", type_name);
    const char **list;
    size_t n;
    list = NULL, n = 0;
    if (crible_node_strings(item, "flags", &list, &n, err) != CRIBLE_OK) return err->status;
    for (size_t i = 0; i < n; i++) {
        int f = 0;
        while (flag_names[f] && strcmp(flag_names[f], list[i])) f++;
        if (!flag_names[f])
            return crible_node_error(crible_node_get(item, "flags"), err, CRIBLE_ECONFIG,
                                     "unknown flag '%s' (cap, ctx, alias, common)", list[i]);
        flags |= 1u << f;
    }
    if (!(flags & CRIBLE_GAZ_ALIAS) &&
        crible_gazetteer_add(g, type, classes, flags, value, value, err) != CRIBLE_OK)
        return crible_node_error(crible_node_get(item, "value"), err, CRIBLE_ECONFIG, "%s",
                                 err->message);
    list = NULL, n = 0;
    if (crible_node_strings(item, "aliases", &list, &n, err) != CRIBLE_OK) return err->status;
    for (size_t i = 0; i < n; i++)
        if (crible_gazetteer_add(g, type, classes, flags & ~CRIBLE_GAZ_ALIAS, value, list[i],
                                 err) != CRIBLE_OK)
            return crible_node_error(crible_node_get(item, "aliases"), err, CRIBLE_ECONFIG,
                                     "%s", err->message);
    return CRIBLE_OK;
}

static crible_status build(const crible_config *config, const crible_node *section,
                           crible_gazetteer *g, crible_error *err)
{
    const char **list = NULL;
    size_t n = 0;
    char path[4096];
    list = NULL, n = 0;
    if (crible_node_strings(section, "types", &list, &n, err) != CRIBLE_OK) return err->status;
    for (size_t i = 0; i < n; i++) {
        int id;
        if (crible_gazetteer_add_type(g, list[i], &id, err) != CRIBLE_OK)
            return crible_node_error(crible_node_get(section, "types"), err, CRIBLE_ECONFIG,
                                     "%s", err->message);
    }
    const crible_node *names = crible_node_get(section, "names");
    for (size_t i = 0; names && i < names->count; i++)
        if (add_inline(g, names->items[i], err) != CRIBLE_OK) return err->status;
    list = NULL, n = 0;
    if (crible_node_strings(section, "gazetteers", &list, &n, err) != CRIBLE_OK)
        return err->status;
    for (size_t i = 0; i < n; i++) {
        if (crible_config_resolve(config, list[i], path, sizeof path, err) != CRIBLE_OK ||
            crible_gazetteer_load_file(g, path, err) != CRIBLE_OK)
            return err->status;
    }
    bool defaults = true;
    if (crible_node_bool(section, "defaults", &defaults, err) != CRIBLE_OK) return err->status;
    for (int i = 0; defaults && crible_entities_default_gazetteers[i]; i++) {
        if (!crible_data_find(crible_entities_default_gazetteers[i], path, sizeof path))
            return crible_error_set(err, CRIBLE_ECONFIG,
                                    "cannot find the default gazetteer '%s' (set "
                                    "CRIBLE_DATA, or entities: defaults: false)",
                                    crible_entities_default_gazetteers[i]);
        if (crible_gazetteer_load_file(g, path, err) != CRIBLE_OK) return err->status;
    }
    return CRIBLE_OK;
}

static const crible_gazetteer *g_of(const crible_entities *e)
{
    return crible_entities_gazetteer(e);
}

/* The type a metadata entry's scalar names, or -1 with err filled. */
static int metadata_type(const crible_entities *e, const char *field, const crible_node *v,
                         crible_error *err)
{
    int type = v->kind == CRIBLE_NODE_SCALAR ? crible_gazetteer_type(g_of(e), v->value) : -1;
    if (type < 0)
        crible_node_error(v, err, CRIBLE_ECONFIG, "metadata field '%s': expected an "
                          "entity type (PER, LOC, ORG, PLATFORM, WORK or a declared one)%s%s",
                          field, v->kind == CRIBLE_NODE_SCALAR ? ", not " : "",
                          v->kind == CRIBLE_NODE_SCALAR ? v->value : "");
    return type;
}

/* One entry of `metadata:`: `field: TYPE`, or `field: {by: MEMBER, VALUE:
 * TYPE, ...}` (the document's MEMBER selects the type). */
static crible_status add_metadata(crible_entities *e, const char *field, const crible_node *v,
                                  crible_error *err)
{
    if (v->kind != CRIBLE_NODE_MAP) {
        int type = metadata_type(e, field, v, err);
        if (type < 0) return err->status;
        return crible_entities_add_metadata_field(e, field, type, err);
    }
    const crible_node *by = crible_node_get(v, "by");
    if (!by)
        return crible_node_error(v, err, CRIBLE_ECONFIG, "metadata field '%s': a mapping needs "
                                 "'by', the member whose value selects the type: {by: "
                                 "item_type, film: WORK, restaurant: ORG}", field);
    if (by->kind != CRIBLE_NODE_SCALAR || !*by->value)
        return crible_node_error(by, err, CRIBLE_ECONFIG, "metadata field '%s': 'by' must be "
                                 "a member name (a string)", field);
    if (v->count < 2)
        return crible_node_error(v, err, CRIBLE_ECONFIG, "metadata field '%s': no value of "
                                 "'%s' is given a type ({by: %s, VALUE: TYPE, ...})", field,
                                 by->value, by->value);
    for (size_t j = 0; j < v->count; j++) {
        if (v->items[j] == by) continue;
        int type = metadata_type(e, field, v->items[j], err);
        if (type < 0 || crible_entities_add_metadata_choice(e, field, by->value,
                                                            v->keys[j]->value, type, err))
            return err->status;
    }
    return CRIBLE_OK;
}

crible_status crible_entities_load(const crible_config *config, const crible_node *section,
                                   const char *model_path, crible_entities **out,
                                   crible_error *err)
{
    if (config && crible_config_validate(config, section, "entities", crible_schema_entities,
                                         err) != CRIBLE_OK)
        return err->status;
    crible_gazetteer *g = crible_gazetteer_new(err);
    if (!g) return err->status;
    if (build(config, section, g, err) != CRIBLE_OK) {
        crible_gazetteer_free(g);
        return err->status;
    }
    crible_entities *e = crible_entities_new(g, err);
    if (!e) return err->status;
    /* metadata fields naming the document's entities */
    const crible_node *meta = crible_node_get(section, "metadata");
    if (!meta) {
        if (crible_entities_add_metadata_field(e, "item_title", CRIBLE_ENT_WORK, err) ||
            crible_entities_add_metadata_field(e, "item_creator", CRIBLE_ENT_PER, err))
            goto fail;
    }
    for (size_t i = 0; meta && i < meta->count; i++)
        if (add_metadata(e, meta->keys[i]->value, meta->items[i], err) != CRIBLE_OK) goto fail;
    bool rules = true, articles = false;
    const char *model = NULL;
    char path[4096];
    if (crible_node_bool(section, "rules", &rules, err) != CRIBLE_OK ||
        crible_node_bool(section, "articles", &articles, err) != CRIBLE_OK ||
        crible_node_string(section, "model", &model, err) != CRIBLE_OK)
        goto fail;
    crible_entities_set_rules(e, rules);
    crible_entities_set_articles(e, articles);
    if (model_path) {
        model = model_path;
    } else if (model && *model) {
        if (crible_config_resolve(config, model, path, sizeof path, err) != CRIBLE_OK) goto fail;
        model = path;
    }
    if (model && *model) {
        crible_entities_model *m;
        if (crible_entities_model_load(model, &m, err) != CRIBLE_OK ||
            crible_entities_set_model(e, m, err) != CRIBLE_OK)
            goto fail;
    }
    *out = e;
    return CRIBLE_OK;
fail:
    crible_entities_free(e);
    return err->status;
}
