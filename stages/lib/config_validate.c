/*
 * config_validate.c - checks a configuration section against a crible_schema
 * and says what is wrong where: unknown keys (with "did you mean"), wrong
 * types, values not among the choices, files that do not exist.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int crible_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 100;
    int d[66][66];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* The known key closest to `key`, if close enough to be a likely typo. */
static const char *closest_key(const crible_schema *schema, const char *key)
{
    const char *best = NULL;
    int best_d = 100;
    for (const crible_schema *s = schema; s->key; s++) {
        int d = crible_edit_distance(key, s->key);
        if (d < best_d) {
            best_d = d;
            best = s->key;
        }
    }
    size_t len = strlen(key);
    int limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best_d <= limit ? best : NULL;
}

static void list_keys(const crible_schema *schema, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const crible_schema *s = schema; s->key && used + 1 < n; s++) {
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", s->key);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static crible_status check_file(const crible_config *config, const crible_node *n,
                                const char *key, crible_error *err)
{
    if (n->kind != CRIBLE_NODE_SCALAR)
        return crible_node_error(n, err, CRIBLE_ECONFIG, "'%s' must be a file name", key);
    char path[4096];
    crible_status st = crible_config_resolve(config, n->value, path, sizeof path, err);
    if (st != CRIBLE_OK)
        return st;
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return crible_node_error(n, err, CRIBLE_ECONFIG, "'%s': no such file '%s'%s", key,
                                 path, n->value[0] == '/' ? "" :
                                 " (relative paths start from the config file's folder)");
    return CRIBLE_OK;
}

static crible_status check_value(const crible_config *config, const crible_node *map,
                                 const crible_schema *s, const crible_node *value,
                                 crible_error *err)
{
    crible_status st = CRIBLE_OK;
    bool b;
    long long ll;
    double d;
    unsigned long long size;
    const char **strings;
    size_t count;
    switch (s->type) {
    case CRIBLE_TYPE_ANY:
        break;
    case CRIBLE_TYPE_STRING: {
        const char *str = NULL;
        st = crible_node_string(map, s->key, &str, err);
        if (st == CRIBLE_OK && s->choices) {
            bool found = false;
            char hint[512] = "";
            size_t used = 0;
            for (const char *const *c = s->choices; *c; c++) {
                if (strcmp(*c, str) == 0)
                    found = true;
                int w = snprintf(hint + used, sizeof hint - used, "%s%s", used ? ", " : "", *c);
                if (w > 0 && (size_t)w < sizeof hint - used)
                    used += (size_t)w;
            }
            if (!found)
                return crible_node_error(value, err, CRIBLE_ECONFIG,
                                         "'%s' cannot be '%s' (one of: %s)", s->key, str, hint);
        }
        break;
    }
    case CRIBLE_TYPE_BOOL:
        st = crible_node_bool(map, s->key, &b, err);
        break;
    case CRIBLE_TYPE_INT:
        st = crible_node_int(map, s->key, -(1LL << 62), 1LL << 62, &ll, err);
        break;
    case CRIBLE_TYPE_NUMBER:
        st = crible_node_double(map, s->key, -1e300, 1e300, &d, err);
        break;
    case CRIBLE_TYPE_SIZE:
        st = crible_node_size(map, s->key, &size, err);
        break;
    case CRIBLE_TYPE_LIST:
        st = crible_node_strings(map, s->key, &strings, &count, err);
        break;
    case CRIBLE_TYPE_FILE:
        st = check_file(config, value, s->key, err);
        break;
    case CRIBLE_TYPE_FILES:
        if (value->kind == CRIBLE_NODE_SCALAR) {
            st = check_file(config, value, s->key, err);
            break;
        }
        if (value->kind != CRIBLE_NODE_SEQUENCE)
            return crible_node_error(value, err, CRIBLE_ECONFIG,
                                     "'%s' must be a list of files", s->key);
        for (size_t i = 0; i < value->count && st == CRIBLE_OK; i++)
            st = check_file(config, value->items[i], s->key, err);
        break;
    case CRIBLE_TYPE_MAP:
        if (value->kind != CRIBLE_NODE_MAP)
            return crible_node_error(value, err, CRIBLE_ECONFIG,
                                     "'%s' must be a mapping (key: value lines)", s->key);
        if (s->children)
            st = crible_config_validate(config, value, s->key, s->children, err);
        break;
    case CRIBLE_TYPE_SEQUENCE:
        if (value->kind != CRIBLE_NODE_SEQUENCE)
            return crible_node_error(value, err, CRIBLE_ECONFIG,
                                     "'%s' must be a list ('- item' lines)", s->key);
        break;
    }
    if (st == CRIBLE_OK && s->check)
        st = s->check(config, value, err);
    return st;
}

crible_status crible_config_validate(const crible_config *config, const crible_node *section,
                                     const char *name, const crible_schema *schema,
                                     crible_error *err)
{
    if (!section)
        return CRIBLE_OK;
    if (section->kind != CRIBLE_NODE_MAP)
        return crible_node_error(section, err, CRIBLE_ECONFIG,
                                 "'%s' must be a mapping of settings", name);
    for (size_t i = 0; i < section->count; i++) {
        const char *key = section->keys[i]->value;
        const crible_schema *s = schema;
        while (s->key && strcmp(s->key, key) != 0)
            s++;
        if (!s->key) {
            const char *hint = closest_key(schema, key);
            if (hint)
                return crible_node_error(section->keys[i], err, CRIBLE_ECONFIG,
                                         "unknown key '%s' in '%s' (did you mean '%s'?)",
                                         key, name, hint);
            char known[512];
            list_keys(schema, known, sizeof known);
            return crible_node_error(section->keys[i], err, CRIBLE_ECONFIG,
                                     "unknown key '%s' in '%s' (known keys: %s)", key, name,
                                     known[0] ? known : "none");
        }
        crible_status st = check_value(config, section, s, section->items[i], err);
        if (st != CRIBLE_OK)
            return st;
    }
    return CRIBLE_OK;
}
