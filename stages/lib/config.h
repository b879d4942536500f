/*
 * config.h - the one YAML configuration file, read with libyaml.
 *
 * Every program reads its own top-level section of the same file
 * (crible-stem reads `stem:`, crible-index `index:`, the runner `pipeline:`
 * and `input:`), so a script and the runner behave alike.  Example:
 *
 *     tokenize:
 *       normalization: nfc        # or nfkc
 *       fold_accents: false
 *     stem:
 *       algorithm: french
 *       stopwords: stopwords-fr.txt   # relative to this file's folder
 *
 * A loaded file is a tree of crible_node; each node knows its file, line and
 * column (1-based, from libyaml's marks) so that every error can say
 * "config/crible.yaml:12:5: unknown key 'stopword' (did you mean 'stopwords'?)".
 * A section is checked against a crible_schema (what keys, what types) before
 * it is used: crible_config_validate().  The runner validates every section
 * before it starts any process.
 *
 * Ownership: everything a crible_config hands out (nodes, strings) lives until
 * crible_config_free().
 */
#ifndef CRIBLE_CONFIG_H
#define CRIBLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum crible_node_kind {
    CRIBLE_NODE_SCALAR,
    CRIBLE_NODE_SEQUENCE,
    CRIBLE_NODE_MAP
} crible_node_kind;

typedef struct crible_node crible_node;
struct crible_node {
    crible_node_kind kind;
    const char *value;          /* SCALAR: its text, NUL-terminated; else NULL */
    bool quoted;                /* SCALAR: written in quotes ("yes" is a string) */
    size_t count;               /* SEQUENCE: items; MAP: key/value pairs */
    const crible_node **items;  /* SEQUENCE: the items; MAP: the values */
    const crible_node **keys;   /* MAP: the keys (scalar nodes); else NULL */
    const char **scalars;       /* SEQUENCE of scalars only: their values; else NULL */
    const char *file;           /* the file it was read from ("<string>" for tests) */
    int line, column;           /* 1-based position of the node's first character */
};

typedef struct crible_config crible_config;

/* Loads and parses a YAML file.  A syntax error, a duplicate key or a
 * top level that is not a mapping is CRIBLE_ECONFIG with file:line:column.
 * A missing file is CRIBLE_ECONFIG too ("cannot open 'x.yaml': ...").
 * An empty file is an empty configuration (every default applies). */
crible_status crible_config_load(const char *path, crible_config **out,
                                 crible_error *err);

/* The same from a string (tests, built-in defaults); `name` stands for the
 * file in messages.  Relative paths resolve against the current folder. */
crible_status crible_config_load_string(const char *yaml, const char *name,
                                        crible_config **out, crible_error *err);

void crible_config_free(crible_config *config);

/* The top-level mapping (never NULL once loaded). */
const crible_node *crible_config_root(const crible_config *config);

/* The file name given to load, or the name given to load_string. */
const char *crible_config_file(const crible_config *config);

/* The top-level section `name` (a mapping), or NULL when absent.  A section
 * that is present but is not a mapping is an error. */
crible_status crible_config_section(const crible_config *config, const char *name,
                                    const crible_node **out, crible_error *err);

/* Resolves a path written in the config: absolute paths are kept, relative
 * ones are taken from the config file's folder.  Writes into buf (size n);
 * CRIBLE_ECONFIG if it does not fit. */
crible_status crible_config_resolve(const crible_config *config, const char *path,
                                    char *buf, size_t n, crible_error *err);

/* Finds a data file crible ships (stop words, gazetteers: "stopwords-fr.txt")
 * in $CRIBLE_DATA, then CRIBLE_DATADIR (installed), then the source tree's
 * config/ folder.  Writes the full path into buf; false if none exists. */
bool crible_data_find(const char *name, char *buf, size_t n);

/* --- reading values ------------------------------------------------------
 * Each getter looks up `key` in the mapping `map` (which may be NULL: an
 * absent section).  When the key is absent, *out is left as it was (so the
 * caller presets the default) and CRIBLE_OK is returned.  When it is present
 * but of the wrong type or out of range, CRIBLE_ECONFIG with file:line:column.
 */
const crible_node *crible_node_get(const crible_node *map, const char *key);

crible_status crible_node_string(const crible_node *map, const char *key,
                                 const char **out, crible_error *err);
crible_status crible_node_bool(const crible_node *map, const char *key,
                               bool *out, crible_error *err);
crible_status crible_node_int(const crible_node *map, const char *key,
                              long long min, long long max, long long *out,
                              crible_error *err);
crible_status crible_node_double(const crible_node *map, const char *key,
                                 double min, double max, double *out,
                                 crible_error *err);
/* A byte size: 1048576, 512K, 256M, 2G (powers of 1024). */
crible_status crible_node_size(const crible_node *map, const char *key,
                               unsigned long long *out, crible_error *err);
/* A sequence of scalars (or one scalar, taken as a list of one).  *out points
 * into the config (valid until crible_config_free); *n is its length. */
crible_status crible_node_strings(const crible_node *map, const char *key,
                                  const char ***out, size_t *n, crible_error *err);

/* Parses a size string like "256M"; false if it is not one. */
bool crible_parse_size(const char *s, unsigned long long *out);

/* Formats "FILE:LINE:COL: message" into err with the given status. */
crible_status crible_node_error(const crible_node *node, crible_error *err,
                                crible_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* --- validation ----------------------------------------------------------
 * A schema is an array of crible_schema ending with {0}.  Validation reports
 * the first problem: an unknown key (with "did you mean 'x'?" when a known
 * key is close), a wrong type, a value not among `choices`, or what `check`
 * says.  Example:
 *
 *     static const char *const algos[] = {"french", "english", NULL};
 *     static const crible_schema stem_schema[] = {
 *         {"algorithm", CRIBLE_TYPE_STRING, .choices = algos},
 *         {"stopwords", CRIBLE_TYPE_FILE},
 *         {"protected", CRIBLE_TYPE_LIST},
 *         {0}
 *     };
 */
typedef enum crible_type {
    CRIBLE_TYPE_ANY = 0,
    CRIBLE_TYPE_STRING,
    CRIBLE_TYPE_BOOL,
    CRIBLE_TYPE_INT,
    CRIBLE_TYPE_NUMBER,
    CRIBLE_TYPE_SIZE,
    CRIBLE_TYPE_LIST,   /* a sequence of scalars, or one scalar */
    CRIBLE_TYPE_FILE,   /* a string naming a file that must exist (resolved) */
    CRIBLE_TYPE_FILES,  /* a list of such files */
    CRIBLE_TYPE_MAP,    /* a mapping checked against `children` (NULL: any keys) */
    CRIBLE_TYPE_SEQUENCE /* a sequence of anything (items checked by `check`) */
} crible_type;

typedef struct crible_schema crible_schema;
struct crible_schema {
    const char *key;
    crible_type type;
    const crible_schema *children;       /* for CRIBLE_TYPE_MAP */
    const char *const *choices;          /* for STRING: allowed values, NULL-ended */
    crible_status (*check)(const crible_config *config, const crible_node *value,
                           crible_error *err);
};

/* Validates `section` (a mapping, or NULL: nothing to check) against schema.
 * `name` is the section's name, used in messages. */
crible_status crible_config_validate(const crible_config *config,
                                     const crible_node *section, const char *name,
                                     const crible_schema *schema, crible_error *err);

/* Damerau-Levenshtein distance between two short ASCII strings (for the
 * "did you mean" hints); capped at 100. */
int crible_edit_distance(const char *a, const char *b);

#endif
