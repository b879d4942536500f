/*
 * config.c - loads the YAML configuration with libyaml into a tree of
 * crible_node, reads typed values from it, and validates sections against a
 * crible_schema.  Everything is allocated in one arena owned by the
 * crible_config and freed with it.  libyaml's "1 is success" convention
 * stays inside this file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* --- arena: every node and string of a config ---------------------------- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
} arena_block;

struct crible_config {
    arena_block *blocks;
    const crible_node *root;
    char *file;
    char *dir;  /* folder of the file, for relative paths */
};

static void *arena_alloc(crible_config *c, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    arena_block *b = c->blocks;
    if (!b || b->size - b->used < n) {
        size_t size = n > 16384 ? n : 16384;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = c->blocks;
        c->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static char *arena_strdup(crible_config *c, const char *s, size_t n)
{
    char *p = arena_alloc(c, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void crible_config_free(crible_config *config)
{
    if (!config)
        return;
    for (arena_block *b = config->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(config->file);
    free(config->dir);
    free(config);
}

/* --- building the tree from libyaml's document --------------------------- */

static crible_status node_error_at(const char *file, int line, int col,
                                   crible_error *err, crible_status st,
                                   const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static crible_status node_error_at(const char *file, int line, int col,
                                   crible_error *err, crible_status st,
                                   const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return crible_error_set(err, st, "%s:%d:%d: %s", file, line, col, msg);
}

static crible_status convert(crible_config *c, yaml_document_t *doc,
                             yaml_node_t *yn, int depth,
                             const crible_node **out, crible_error *err)
{
    if (depth > 64)
        return node_error_at(c->file, (int)yn->start_mark.line + 1,
                             (int)yn->start_mark.column + 1, err, CRIBLE_ECONFIG,
                             "nesting deeper than 64 levels");
    crible_node *n = arena_alloc(c, sizeof *n);
    if (!n)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    memset(n, 0, sizeof *n);
    n->file = c->file;
    n->line = (int)yn->start_mark.line + 1;
    n->column = (int)yn->start_mark.column + 1;
    switch (yn->type) {
    case YAML_SCALAR_NODE:
        n->kind = CRIBLE_NODE_SCALAR;
        n->value = arena_strdup(c, (const char *)yn->data.scalar.value,
                                yn->data.scalar.length);
        if (!n->value)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        if (strlen(n->value) != yn->data.scalar.length)
            return node_error_at(c->file, n->line, n->column, err, CRIBLE_ECONFIG,
                                 "NUL character in a value");
        n->quoted = yn->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    yn->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        break;
    case YAML_SEQUENCE_NODE: {
        n->kind = CRIBLE_NODE_SEQUENCE;
        size_t count = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
        n->items = arena_alloc(c, (count ? count : 1) * sizeof *n->items);
        if (!n->items)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        for (size_t i = 0; i < count; i++) {
            yaml_node_t *item = yaml_document_get_node(doc, yn->data.sequence.items.start[i]);
            crible_status st = convert(c, doc, item, depth + 1, &n->items[i], err);
            if (st != CRIBLE_OK)
                return st;
        }
        n->count = count;
        bool all_scalars = true;
        for (size_t i = 0; i < count; i++)
            all_scalars = all_scalars && n->items[i]->kind == CRIBLE_NODE_SCALAR;
        if (all_scalars) {
            n->scalars = arena_alloc(c, (count ? count : 1) * sizeof *n->scalars);
            if (!n->scalars)
                return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            for (size_t i = 0; i < count; i++)
                n->scalars[i] = n->items[i]->value;
        }
        break;
    }
    case YAML_MAPPING_NODE: {
        n->kind = CRIBLE_NODE_MAP;
        size_t count = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
        n->items = arena_alloc(c, (count ? count : 1) * sizeof *n->items);
        n->keys = arena_alloc(c, (count ? count : 1) * sizeof *n->keys);
        if (!n->items || !n->keys)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        for (size_t i = 0; i < count; i++) {
            yaml_node_pair_t *pair = &yn->data.mapping.pairs.start[i];
            yaml_node_t *k = yaml_document_get_node(doc, pair->key);
            yaml_node_t *v = yaml_document_get_node(doc, pair->value);
            crible_status st = convert(c, doc, k, depth + 1, &n->keys[i], err);
            if (st != CRIBLE_OK)
                return st;
            if (n->keys[i]->kind != CRIBLE_NODE_SCALAR)
                return node_error_at(c->file, n->keys[i]->line, n->keys[i]->column, err,
                                     CRIBLE_ECONFIG, "a key must be a plain word, not a %s",
                                     n->keys[i]->kind == CRIBLE_NODE_MAP ? "mapping" : "list");
            for (size_t j = 0; j < i; j++)
                if (strcmp(n->keys[j]->value, n->keys[i]->value) == 0)
                    return node_error_at(c->file, n->keys[i]->line, n->keys[i]->column,
                                         err, CRIBLE_ECONFIG,
                                         "duplicate key '%s' (first at line %d)",
                                         n->keys[i]->value, n->keys[j]->line);
            st = convert(c, doc, v, depth + 1, &n->items[i], err);
            if (st != CRIBLE_OK)
                return st;
        }
        n->count = count;
        break;
    }
    default:
        return node_error_at(c->file, n->line, n->column, err, CRIBLE_ECONFIG,
                             "empty YAML node");
    }
    *out = n;
    return CRIBLE_OK;
}

static crible_status parse_error(crible_config *c, yaml_parser_t *p, crible_error *err)
{
    const char *what = p->problem ? p->problem : "invalid YAML";
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->context)
        return node_error_at(c->file, line, col, err, CRIBLE_ECONFIG, "%s %s (opened at line %d)",
                             what, p->context, (int)p->context_mark.line + 1);
    return node_error_at(c->file, line, col, err, CRIBLE_ECONFIG, "%s", what);
}

static crible_status load_from_parser(crible_config *c, yaml_parser_t *parser,
                                      crible_error *err)
{
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc))
        return parse_error(c, parser, err);
    crible_status st = CRIBLE_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        /* empty file: an empty mapping */
        crible_node *n = arena_alloc(c, sizeof *n);
        if (!n) {
            yaml_document_delete(&doc);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        memset(n, 0, sizeof *n);
        n->kind = CRIBLE_NODE_MAP;
        n->file = c->file;
        n->line = n->column = 1;
        c->root = n;
    } else {
        st = convert(c, &doc, root, 0, &c->root, err);
        if (st == CRIBLE_OK && c->root->kind != CRIBLE_NODE_MAP)
            st = crible_node_error(c->root, err, CRIBLE_ECONFIG,
                                   "the configuration must be a mapping of sections "
                                   "(read:, tokenize:, stem:, ...)");
    }
    yaml_document_delete(&doc);
    if (st != CRIBLE_OK)
        return st;
    /* a second document in the same file is a mistake worth reporting */
    yaml_document_t extra;
    if (!yaml_parser_load(parser, &extra))
        return parse_error(c, parser, err);
    yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
    if (extra_root) {
        int line = (int)extra_root->start_mark.line + 1;
        int col = (int)extra_root->start_mark.column + 1;
        yaml_document_delete(&extra);
        return node_error_at(c->file, line, col, err, CRIBLE_ECONFIG,
                             "a second YAML document ('---'): put everything in one");
    }
    yaml_document_delete(&extra);
    return CRIBLE_OK;
}

static crible_config *config_new(const char *name, crible_error *err)
{
    crible_config *c = calloc(1, sizeof *c);
    if (!c) {
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    c->file = strdup(name);
    const char *slash = strrchr(name, '/');
    c->dir = slash ? strndup(name, (size_t)(slash - name) + (slash == name)) : strdup(".");
    if (!c->file || !c->dir) {
        crible_config_free(c);
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    return c;
}

crible_status crible_config_load(const char *path, crible_config **out, crible_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return crible_error_set(err, CRIBLE_ECONFIG, "cannot open '%s': %s", path,
                                strerror(errno));
    crible_config *c = config_new(path, err);
    if (!c) {
        fclose(f);
        return CRIBLE_ENOMEM;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    crible_status st = load_from_parser(c, &parser, err);
    yaml_parser_delete(&parser);
    if (st == CRIBLE_OK && ferror(f))
        st = crible_error_set(err, CRIBLE_ECONFIG, "cannot read '%s': %s", path,
                              strerror(errno));
    fclose(f);
    if (st != CRIBLE_OK) {
        crible_config_free(c);
        return st;
    }
    *out = c;
    return CRIBLE_OK;
}

crible_status crible_config_load_string(const char *yaml, const char *name,
                                        crible_config **out, crible_error *err)
{
    *out = NULL;
    crible_config *c = config_new(name, err);
    if (!c)
        return CRIBLE_ENOMEM;
    free(c->dir);
    c->dir = strdup(".");
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
    crible_status st = c->dir ? load_from_parser(c, &parser, err)
                              : crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    yaml_parser_delete(&parser);
    if (st != CRIBLE_OK) {
        crible_config_free(c);
        return st;
    }
    *out = c;
    return CRIBLE_OK;
}

const crible_node *crible_config_root(const crible_config *config)
{
    return config->root;
}

const char *crible_config_file(const crible_config *config)
{
    return config->file;
}

crible_status crible_config_section(const crible_config *config, const char *name,
                                    const crible_node **out, crible_error *err)
{
    *out = NULL;
    const crible_node *n = crible_node_get(config->root, name);
    if (!n)
        return CRIBLE_OK;
    if (n->kind == CRIBLE_NODE_SCALAR && n->value[0] == '\0' && !n->quoted)
        return CRIBLE_OK; /* "stem:" with nothing under it */
    if (n->kind != CRIBLE_NODE_MAP)
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "section '%s' must be a mapping of settings", name);
    *out = n;
    return CRIBLE_OK;
}

crible_status crible_config_resolve(const crible_config *config, const char *path,
                                    char *buf, size_t n, crible_error *err)
{
    int len;
    if (path[0] == '/' || !config->dir || strcmp(config->dir, ".") == 0)
        len = snprintf(buf, n, "%s", path);
    else
        len = snprintf(buf, n, "%s/%s", config->dir, path);
    if (len < 0 || (size_t)len >= n)
        return crible_error_set(err, CRIBLE_ECONFIG, "path too long: '%s'", path);
    return CRIBLE_OK;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool crible_data_find(const char *name, char *buf, size_t n)
{
    const char *dirs[4] = {getenv("CRIBLE_DATA"), CRIBLE_DATADIR,
                           CRIBLE_SOURCE_DIR "/config", NULL};
    for (int i = 0; i < 3; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        int len = snprintf(buf, n, "%s/%s", dirs[i], name);
        if (len > 0 && (size_t)len < n && file_exists(buf))
            return true;
    }
    return false;
}

/* --- reading values ------------------------------------------------------ */

crible_status crible_node_error(const crible_node *node, crible_error *err,
                                crible_status status, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!node)
        return crible_error_set(err, status, "%s", msg);
    return crible_error_set(err, status, "%s:%d:%d: %s", node->file, node->line,
                            node->column, msg);
}

const crible_node *crible_node_get(const crible_node *map, const char *key)
{
    if (!map || map->kind != CRIBLE_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->items[i];
    return NULL;
}

static const char *kind_name(const crible_node *n)
{
    switch (n->kind) {
    case CRIBLE_NODE_SCALAR: return "a single value";
    case CRIBLE_NODE_SEQUENCE: return "a list";
    case CRIBLE_NODE_MAP: return "a mapping";
    }
    return "?";
}

static crible_status want_scalar(const crible_node *n, const char *key, const char *what,
                                 crible_error *err)
{
    if (n->kind != CRIBLE_NODE_SCALAR)
        return crible_node_error(n, err, CRIBLE_ECONFIG, "'%s' must be %s, not %s",
                                 key, what, kind_name(n));
    return CRIBLE_OK;
}

crible_status crible_node_string(const crible_node *map, const char *key,
                                 const char **out, crible_error *err)
{
    const crible_node *n = crible_node_get(map, key);
    if (!n)
        return CRIBLE_OK;
    crible_status st = want_scalar(n, key, "a string", err);
    if (st == CRIBLE_OK)
        *out = n->value;
    return st;
}

static int parse_bool(const char *s)
{
    static const char *const yes[] = {"true", "yes", "on", "True", "Yes", "On", "TRUE", "YES", "ON"};
    static const char *const no[] = {"false", "no", "off", "False", "No", "Off", "FALSE", "NO", "OFF"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcmp(s, yes[i]) == 0)
            return 1;
        if (strcmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

crible_status crible_node_bool(const crible_node *map, const char *key, bool *out,
                               crible_error *err)
{
    const crible_node *n = crible_node_get(map, key);
    if (!n)
        return CRIBLE_OK;
    crible_status st = want_scalar(n, key, "true or false", err);
    if (st != CRIBLE_OK)
        return st;
    int b = n->quoted ? -1 : parse_bool(n->value);
    if (b < 0)
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "'%s' must be true or false, not '%s'", key, n->value);
    *out = b;
    return CRIBLE_OK;
}

static bool parse_ll(const char *s, long long *out)
{
    if (!*s)
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    if (!*s)
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

crible_status crible_node_int(const crible_node *map, const char *key, long long min,
                              long long max, long long *out, crible_error *err)
{
    const crible_node *n = crible_node_get(map, key);
    if (!n)
        return CRIBLE_OK;
    crible_status st = want_scalar(n, key, "a whole number", err);
    if (st != CRIBLE_OK)
        return st;
    long long v;
    if (n->quoted || !parse_ll(n->value, &v))
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "'%s' must be a whole number, not '%s'", key, n->value);
    if (v < min || v > max)
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "'%s' must be between %lld and %lld, not %lld", key, min,
                                 max, v);
    *out = v;
    return CRIBLE_OK;
}

crible_status crible_node_double(const crible_node *map, const char *key, double min,
                                 double max, double *out, crible_error *err)
{
    const crible_node *n = crible_node_get(map, key);
    if (!n)
        return CRIBLE_OK;
    crible_status st = want_scalar(n, key, "a number", err);
    if (st != CRIBLE_OK)
        return st;
    double v;
    if (n->quoted || !parse_double(n->value, &v))
        return crible_node_error(n, err, CRIBLE_ECONFIG, "'%s' must be a number, not '%s'",
                                 key, n->value);
    if (v < min || v > max)
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "'%s' must be between %g and %g, not %g", key, min, max, v);
    *out = v;
    return CRIBLE_OK;
}

bool crible_parse_size(const char *s, unsigned long long *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case '\0': break;
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    case 'T': shift = 40; end++; break;
    default: return false;
    }
    if (shift && (*end == 'i' || *end == 'I'))
        end++;
    if (shift && (*end == 'B' || *end == 'b'))
        end++;
    if (*end)
        return false;
    if (shift && v > (ULLONG_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

crible_status crible_node_size(const crible_node *map, const char *key,
                               unsigned long long *out, crible_error *err)
{
    const crible_node *n = crible_node_get(map, key);
    if (!n)
        return CRIBLE_OK;
    crible_status st = want_scalar(n, key, "a size", err);
    if (st != CRIBLE_OK)
        return st;
    if (!crible_parse_size(n->value, out))
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "'%s' must be a size like 256M or 2G, not '%s'", key,
                                 n->value);
    return CRIBLE_OK;
}

crible_status crible_node_strings(const crible_node *map, const char *key,
                                  const char ***out, size_t *count, crible_error *err)
{
    const crible_node *n = crible_node_get(map, key);
    if (!n)
        return CRIBLE_OK;
    if (n->kind == CRIBLE_NODE_SCALAR) {
        *out = &((crible_node *)n)->value; /* a list of one, pointing into the node */
        *count = 1;
        return CRIBLE_OK;
    }
    if (n->kind != CRIBLE_NODE_SEQUENCE)
        return crible_node_error(n, err, CRIBLE_ECONFIG, "'%s' must be a list, not %s",
                                 key, kind_name(n));
    for (size_t i = 0; i < n->count; i++)
        if (n->items[i]->kind != CRIBLE_NODE_SCALAR)
            return crible_node_error(n->items[i], err, CRIBLE_ECONFIG,
                                     "items of '%s' must be single values, not %s", key,
                                     kind_name(n->items[i]));
    *out = n->scalars;
    *count = n->count;
    return CRIBLE_OK;
}
