/*
 * entities_gazetteer.c - owns the gazetteer trie and the gazetteer file
 * format (described in entities_gazetteer.h).
 *
 * The trie is over key bytes.  Node 1 is the root, 0 means "none".  The
 * root's children sit in a 256-entry array; every other edge (node, byte) →
 * child lives in one open-addressing hash table, so a step costs one hash
 * probe per byte and memory stays proportional to the total key length.
 * Each node has the head of its entry list (-1 when no entry ends there).
 */
#include "entities_gazetteer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "entities_key.h"

typedef struct edge { uint64_t key; uint32_t child; } edge;

struct crible_gazetteer {
    /* nodes */
    int32_t *head;
    uint32_t nnodes, nodes_cap;
    uint32_t root_child[256];
    /* edges, hash table (key 0 = empty slot) */
    edge *edges;
    size_t nedges, edges_cap;   /* cap is a power of two */
    /* entries and their canonical strings */
    crible_gazetteer_entry *entries;
    size_t nentries, entries_cap;
    char *pool;
    size_t pool_len, pool_cap;
    /* types */
    char *types[CRIBLE_ENT_MAX_TYPES];
    int ntypes;
};

static const char *const builtin_types[CRIBLE_ENT_BUILTIN] = {
    "PER", "LOC", "ORG", "PLATFORM", "WORK"
};

crible_gazetteer *crible_gazetteer_new(crible_error *err)
{
    crible_gazetteer *g = crible_malloc(sizeof *g, err);
    if (!g) return NULL;
    memset(g, 0, sizeof *g);
    g->nodes_cap = 64;      /* small: a document's own names are a few */
    g->head = crible_malloc(g->nodes_cap * sizeof *g->head, err);
    g->edges_cap = 256;
    g->edges = calloc(g->edges_cap, sizeof *g->edges);
    if (!g->head || !g->edges) {
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        crible_gazetteer_free(g);
        return NULL;
    }
    g->head[0] = g->head[1] = -1;
    g->nnodes = 2;
    for (int i = 0; i < CRIBLE_ENT_BUILTIN; i++) {
        int id;
        if (crible_gazetteer_add_type(g, builtin_types[i], &id, err) != CRIBLE_OK) {
            crible_gazetteer_free(g);
            return NULL;
        }
    }
    return g;
}

void crible_gazetteer_free(crible_gazetteer *g)
{
    if (!g) return;
    for (int i = 0; i < g->ntypes; i++) free(g->types[i]);
    free(g->head);
    free(g->edges);
    free(g->entries);
    free(g->pool);
    free(g);
}

/* --- types ---------------------------------------------------------------- */

int crible_gazetteer_type(const crible_gazetteer *g, const char *name)
{
    for (int i = 0; i < g->ntypes; i++)
        if (strcmp(g->types[i], name) == 0) return i;
    return -1;
}

const char *crible_gazetteer_type_name(const crible_gazetteer *g, int id)
{
    return id >= 0 && id < g->ntypes ? g->types[id] : NULL;
}

int crible_gazetteer_ntypes(const crible_gazetteer *g) { return g->ntypes; }

crible_status crible_gazetteer_add_type(crible_gazetteer *g, const char *name,
                                        int *id, crible_error *err)
{
    int known = crible_gazetteer_type(g, name);
    if (known >= 0) {
        *id = known;
        return CRIBLE_OK;
    }
    bool ok = name[0] >= 'A' && name[0] <= 'Z' && strlen(name) <= 32;
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
             (*p >= '0' && *p <= '9') || *p == '_';
    if (!ok)
        return crible_error_set(err, CRIBLE_ECONFIG,
                                "invalid entity type '%s' (letters, digits and _, "
                                "starting with a capital, at most 32)", name);
    if (g->ntypes == CRIBLE_ENT_MAX_TYPES)
        return crible_error_set(err, CRIBLE_ECONFIG, "too many entity types (at most %d)",
                                CRIBLE_ENT_MAX_TYPES);
    g->types[g->ntypes] = crible_strdup(name, err);
    if (!g->types[g->ntypes]) return CRIBLE_ENOMEM;
    *id = g->ntypes++;
    return CRIBLE_OK;
}

/* --- trie ----------------------------------------------------------------- */

static inline size_t edge_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key;
}

static inline uint64_t edge_key(uint32_t node, uint8_t byte)
{
    return ((uint64_t)node << 8 | byte) + 1;   /* never 0 */
}

static uint32_t edge_find(const crible_gazetteer *g, uint32_t node, uint8_t byte)
{
    if (node == CRIBLE_GAZ_ROOT) return g->root_child[byte];
    uint64_t key = edge_key(node, byte);
    size_t mask = g->edges_cap - 1;
    for (size_t i = edge_hash(key) & mask;; i = (i + 1) & mask) {
        if (g->edges[i].key == key) return g->edges[i].child;
        if (g->edges[i].key == 0) return 0;
    }
}

static crible_status edges_grow(crible_gazetteer *g, crible_error *err)
{
    size_t cap = g->edges_cap * 2;
    edge *e = calloc(cap, sizeof *e);
    if (!e) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t k = 0; k < g->edges_cap; k++) {
        if (!g->edges[k].key) continue;
        size_t i = edge_hash(g->edges[k].key) & (cap - 1);
        while (e[i].key) i = (i + 1) & (cap - 1);
        e[i] = g->edges[k];
    }
    free(g->edges);
    g->edges = e;
    g->edges_cap = cap;
    return CRIBLE_OK;
}

static crible_status node_child(crible_gazetteer *g, uint32_t node, uint8_t byte,
                                uint32_t *child, crible_error *err)
{
    uint32_t c = edge_find(g, node, byte);
    if (c) {
        *child = c;
        return CRIBLE_OK;
    }
    if (g->nnodes == g->nodes_cap) {
        int32_t *h = crible_realloc(g->head, 2 * g->nodes_cap * sizeof *h, err);
        if (!h) return CRIBLE_ENOMEM;
        g->head = h;
        g->nodes_cap *= 2;
    }
    c = g->nnodes++;
    g->head[c] = -1;
    if (node == CRIBLE_GAZ_ROOT) {
        g->root_child[byte] = c;
    } else {
        if ((g->nedges + 1) * 2 > g->edges_cap && edges_grow(g, err) != CRIBLE_OK)
            return CRIBLE_ENOMEM;
        uint64_t key = edge_key(node, byte);
        size_t mask = g->edges_cap - 1, i = edge_hash(key) & mask;
        while (g->edges[i].key) i = (i + 1) & mask;
        g->edges[i].key = key;
        g->edges[i].child = c;
        g->nedges++;
    }
    *child = c;
    return CRIBLE_OK;
}

uint32_t crible_gazetteer_step(const crible_gazetteer *g, uint32_t node,
                               const char *key, size_t n)
{
    for (size_t i = 0; i < n && node; i++) node = edge_find(g, node, (uint8_t)key[i]);
    return node;
}

int32_t crible_gazetteer_first(const crible_gazetteer *g, uint32_t node)
{
    return node && node < g->nnodes ? g->head[node] : -1;
}

const crible_gazetteer_entry *crible_gazetteer_entry_at(const crible_gazetteer *g,
                                                        int32_t i)
{
    return &g->entries[i];
}

const char *crible_gazetteer_string(const crible_gazetteer *g, uint32_t offset)
{
    return g->pool + offset;
}

size_t crible_gazetteer_size(const crible_gazetteer *g) { return g->nentries; }

/* --- entries -------------------------------------------------------------- */

static crible_status pool_add(crible_gazetteer *g, const char *s, uint32_t *off,
                              crible_error *err)
{
    size_t n = strlen(s) + 1;
    if (g->pool_len + n > g->pool_cap) {
        size_t cap = g->pool_cap ? g->pool_cap * 2 : 4096;
        while (cap < g->pool_len + n) cap *= 2;
        char *p = crible_realloc(g->pool, cap, err);
        if (!p) return CRIBLE_ENOMEM;
        g->pool = p;
        g->pool_cap = cap;
    }
    memcpy(g->pool + g->pool_len, s, n);
    *off = (uint32_t)g->pool_len;
    g->pool_len += n;
    return CRIBLE_OK;
}

/* Which words of `text` start with a capital (for the `cap` flag). */
static void cap_signature(const char *text, crible_gazetteer_entry *e)
{
    e->capmask = 0;
    e->nwords = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '-' || *p == '\'') p++;
        if (!strncmp(p, "\xe2\x80\x99", 3)) {   /* ’ */
            p += 3;
            continue;
        }
        if (!*p) break;
        const char *w = p;
        while (*p && *p != ' ' && *p != '-' && *p != '\'' && strncmp(p, "\xe2\x80\x99", 3)) p++;
        if (e->nwords < 16 && crible_entities_is_capitalized(w, (size_t)(p - w)))
            e->capmask |= (uint16_t)(1u << e->nwords);
        if (e->nwords < 255) e->nwords++;
    }
}

crible_status crible_gazetteer_add(crible_gazetteer *g, int type, unsigned classes,
                                   unsigned flags, const char *canonical,
                                   const char *text, crible_error *err)
{
    char key[1024];
    size_t n = crible_entities_key(text, strlen(text), key, sizeof key);
    if (n == 0)
        return crible_error_set(err, CRIBLE_ECONFIG, "'%s' has nothing to match "
                                "(only spaces, hyphens, apostrophes or dots)", text);
    uint32_t node = CRIBLE_GAZ_ROOT;
    for (size_t i = 0; i < n; i++)
        if (node_child(g, node, (uint8_t)key[i], &node, err) != CRIBLE_OK)
            return CRIBLE_ENOMEM;
    /* a duplicate (same type, or same classes) changes nothing: first wins */
    int32_t last = -1;   /* the entry the new one is linked after, -1: the node */
    for (int32_t k = g->head[node]; k >= 0; k = g->entries[k].next) {
        crible_gazetteer_entry *e = &g->entries[k];
        if (type >= 0 && e->type == type) return CRIBLE_OK;
        if (type < 0 && e->type < 0) {
            e->classes |= (uint8_t)classes;
            if (!(flags & CRIBLE_GAZ_COMMON)) e->flags &= (uint8_t)~CRIBLE_GAZ_COMMON;
            return CRIBLE_OK;
        }
        last = k;
    }
    if (g->nentries == g->entries_cap) {
        size_t cap = g->entries_cap ? g->entries_cap * 2 : 1024;
        crible_gazetteer_entry *e = crible_realloc(g->entries, cap * sizeof *e, err);
        if (!e) return CRIBLE_ENOMEM;
        g->entries = e;
        g->entries_cap = cap;
    }
    crible_gazetteer_entry *e = &g->entries[g->nentries];
    e->type = (int16_t)type;
    e->classes = (uint8_t)classes;
    e->flags = (uint8_t)flags;
    e->next = -1;
    cap_signature(text, e);
    if (pool_add(g, canonical, &e->canonical, err) != CRIBLE_OK) return CRIBLE_ENOMEM;
    int32_t *link = last < 0 ? &g->head[node] : &g->entries[last].next;
    *link = (int32_t)g->nentries++;
    return CRIBLE_OK;
}

/* --- the file format ------------------------------------------------------ */

static bool field_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static crible_status parse_flags(const char *s, size_t n, const char *where,
                                 size_t col, unsigned *flags, crible_error *err)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',') j++;
        const char *w = s + i;
        size_t len = j - i;
        while (len && *w == ' ') w++, len--, i++;
        while (len && w[len - 1] == ' ') len--;
        if (len == 0) {
        } else if (field_is(w, len, "cap")) *flags |= CRIBLE_GAZ_CAP;
        else if (field_is(w, len, "ctx")) *flags |= CRIBLE_GAZ_CTX;
        else if (field_is(w, len, "alias")) *flags |= CRIBLE_GAZ_ALIAS;
        else if (field_is(w, len, "common")) *flags |= CRIBLE_GAZ_COMMON;
        else
            return crible_error_set(err, CRIBLE_ECONFIG,
                                    "%s:%zu: unknown flag '%.*s' (expected cap, ctx, "
                                    "alias or common)", where, col + i, (int)len, w);
        i = j + 1;
    }
    return CRIBLE_OK;
}

crible_status crible_gazetteer_add_line(crible_gazetteer *g, const char *line,
                                        size_t len, const char *where,
                                        crible_error *err)
{
    if (len && line[len - 1] == '\r') len--;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i == len || line[i] == '#') return CRIBLE_OK;
    for (int32_t k = 0; k < (int32_t)len;) {
        int32_t at = k;
        UChar32 ch;
        U8_NEXT((const uint8_t *)line, k, (int32_t)len, ch);
        if (ch <= 0)
            return crible_error_set(err, CRIBLE_ECONFIG, "%s:%d: %s", where, at + 1,
                                    ch == 0 ? "NUL byte" : "invalid UTF-8");
    }
    /* split into at most 4 fields */
    const char *f[4] = {0};
    size_t flen[4] = {0}, fcol[4] = {0}, nf = 0, start = 0;
    for (size_t k = 0; k <= len; k++) {
        if (k == len || line[k] == '\t') {
            if (nf == 4)
                return crible_error_set(err, CRIBLE_ECONFIG, "%s:%zu: too many fields "
                                        "(expected TYPE, CANONICAL, ALIASES, FLAGS "
                                        "separated by tabs)", where, start + 1);
            f[nf] = line + start;
            flen[nf] = k - start;
            fcol[nf] = start + 1;
            nf++;
            start = k + 1;
        }
    }
    if (nf < 2 || flen[1] == 0)
        return crible_error_set(err, CRIBLE_ECONFIG, "%s:%zu: expected TYPE<TAB>CANONICAL",
                                where, nf < 2 ? len + 1 : fcol[1]);
    char type_name[64];
    if (flen[0] >= sizeof type_name)
        return crible_error_set(err, CRIBLE_ECONFIG, "%s:1: type name too long", where);
    memcpy(type_name, f[0], flen[0]);
    type_name[flen[0]] = '\0';
    int type = -1;
    unsigned classes = 0;
    if (strcmp(type_name, "firstname") == 0) classes = CRIBLE_GAZ_FIRSTNAME;
    else if (strcmp(type_name, "surname") == 0) classes = CRIBLE_GAZ_SURNAME;
    else if (strcmp(type_name, "propn") == 0) classes = CRIBLE_GAZ_PROPN;
    else if (strcmp(type_name, "none") == 0) classes = CRIBLE_GAZ_NONE;
    else if ((type = crible_gazetteer_type(g, type_name)) < 0)
        return crible_error_set(err, CRIBLE_ECONFIG,
                                "%s:%zu: unknown type '%s' (PER, LOC, ORG, PLATFORM, "
                                "WORK, firstname, surname, propn, none, or a type declared "
                                "under entities: types)", where, fcol[0], type_name);
    unsigned flags = 0;
    if (nf == 4 && parse_flags(f[3], flen[3], where, fcol[3], &flags, err) != CRIBLE_OK)
        return err->status;
    char canonical[1024], text[1024];
    if (flen[1] >= sizeof canonical)
        return crible_error_set(err, CRIBLE_ECONFIG, "%s:%zu: value longer than %zu bytes",
                                where, fcol[1], sizeof canonical - 1);
    memcpy(canonical, f[1], flen[1]);
    canonical[flen[1]] = '\0';
    if (!(flags & CRIBLE_GAZ_ALIAS) &&
        crible_gazetteer_add(g, type, classes, flags, canonical, canonical, err) != CRIBLE_OK)
        return crible_error_prefix(err, "%s:%zu", where, fcol[1]);
    if (nf >= 3) {
        size_t a = 0;
        while (a <= flen[2]) {
            size_t b = a;
            while (b < flen[2] && f[2][b] != '|') b++;
            if (b > a) {
                if (b - a >= sizeof text)
                    return crible_error_set(err, CRIBLE_ECONFIG, "%s:%zu: alias too long",
                                            where, fcol[2] + a);
                memcpy(text, f[2] + a, b - a);
                text[b - a] = '\0';
                if (crible_gazetteer_add(g, type, classes, flags & ~CRIBLE_GAZ_ALIAS,
                                         canonical, text, err) != CRIBLE_OK)
                    return crible_error_prefix(err, "%s:%zu", where, fcol[2] + a);
            }
            a = b + 1;
        }
    }
    return CRIBLE_OK;
}

crible_status crible_gazetteer_load_file(crible_gazetteer *g, const char *path,
                                         crible_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path,
                                strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    crible_status st = CRIBLE_OK;
    char where[4200];
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n && line[n - 1] == '\n') n--;
        snprintf(where, sizeof where, "%s:%ld", path, lineno);
        st = crible_gazetteer_add_line(g, line, (size_t)n, where, err);
        if (st != CRIBLE_OK) break;
    }
    if (st == CRIBLE_OK && ferror(f))
        st = crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", path, strerror(errno));
    free(line);
    fclose(f);
    return st;
}
