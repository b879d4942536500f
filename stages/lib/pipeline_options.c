/*
 * pipeline_options.c - the schemas of the two sections only the runner
 * (`crible run`, pipeline/) reads: `input:` and `pipeline:`.
 *
 *     input:
 *       paths: [../corpus]      # files, folders or "-" (stdin), relative to
 *                               # this file's folder; `crible run PATH...`
 *                               # replaces them
 *     pipeline:
 *       index: ../index         # the index folder crible-index writes (-o)
 *       jobs: 1                 # copies of the analysis stages (-j N)
 *       progress: auto          # auto (on a terminal) | always | never
 *       summary: true           # the table printed at the end
 *       fuse: true              # the standard chain read, tokenize, stem,
 *                               # (entities,) index runs as crible-read |
 *                               # crible-index --analyze (pipeline/plan.h);
 *                               # false: one process per stage
 *       stages:                 # in order; the first reads, the last indexes
 *         - read                # a name: the program crible-read, started
 *         - tokenize            #   with -c THIS-FILE so it reads its section
 *         - stem
 *         - entities
 *         - name: no-urls       # any program that speaks the stream
 *           exec: [awk, -f, no-urls.awk]   # argv as is, no shell, started
 *                               # in this file's folder
 *         - name: index
 *           args: [--memory, 256M]  # extra arguments for a named stage
 *
 * Only the shape is checked here (each stage a name or a mapping with
 * name/exec/args, names unique); whether programs exist is the runner's
 * business (pipeline/plan.c), since only it knows where it is installed.
 */
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const char *const progress_choices[] = {"auto", "always", "never", NULL};

const crible_schema crible_schema_input[] = {
    {"paths", CRIBLE_TYPE_LIST, NULL, NULL, NULL},
    {0}
};

static const crible_schema stage_schema[] = {
    {"name", CRIBLE_TYPE_STRING, NULL, NULL, NULL},
    {"exec", CRIBLE_TYPE_LIST, NULL, NULL, NULL},
    {"args", CRIBLE_TYPE_LIST, NULL, NULL, NULL},
    {0}
};

/* A stage name: what messages call it, and for a named stage the NAME of
 * crible-NAME.  Letters, digits, '-', '_' and '.', starting with a letter. */
static crible_status check_name(const crible_node *n, crible_error *err)
{
    const char *s = n->value;
    bool ok = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z');
    for (const char *p = s; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
             (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
    if (!ok || strlen(s) > 64)
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "bad stage name '%s' (letters, digits, '-', '_', '.';"
                                 " a letter first)", s);
    return CRIBLE_OK;
}

static const crible_node *stage_name_node(const crible_node *item)
{
    return item->kind == CRIBLE_NODE_SCALAR ? item : crible_node_get(item, "name");
}

static crible_status check_stage(const crible_config *config, const crible_node *item,
                                 crible_error *err)
{
    if (item->kind == CRIBLE_NODE_SCALAR)
        return check_name(item, err);
    if (item->kind != CRIBLE_NODE_MAP)
        return crible_node_error(item, err, CRIBLE_ECONFIG,
                                 "a stage is a name (- tokenize) or a mapping"
                                 " (- name: x / exec: [prog, arg])");
    crible_status st = crible_config_validate(config, item, "stage", stage_schema, err);
    if (st != CRIBLE_OK)
        return st;
    const crible_node *name = crible_node_get(item, "name");
    const crible_node *exec = crible_node_get(item, "exec");
    if (!name && !exec)
        return crible_node_error(item, err, CRIBLE_ECONFIG,
                                 "a stage needs 'name' (a crible stage) or 'exec'"
                                 " (a program and its arguments)");
    if (exec && exec->kind == CRIBLE_NODE_SEQUENCE && exec->count == 0)
        return crible_node_error(exec, err, CRIBLE_ECONFIG,
                                 "'exec' needs at least the program to run");
    if (exec && crible_node_get(item, "args"))
        return crible_node_error(crible_node_get(item, "args"), err, CRIBLE_ECONFIG,
                                 "'args' is for named stages; put the arguments in 'exec'");
    return name ? check_name(name, err) : CRIBLE_OK;
}

static crible_status check_stages(const crible_config *config, const crible_node *value,
                                  crible_error *err)
{
    if (value->count == 0)
        return crible_node_error(value, err, CRIBLE_ECONFIG,
                                 "'stages' is empty: name at least one stage");
    for (size_t i = 0; i < value->count; i++) {
        crible_status st = check_stage(config, value->items[i], err);
        if (st != CRIBLE_OK)
            return st;
        const crible_node *ni = stage_name_node(value->items[i]);
        for (size_t j = 0; ni && j < i; j++) {
            const crible_node *nj = stage_name_node(value->items[j]);
            if (nj && strcmp(ni->value, nj->value) == 0)
                return crible_node_error(ni, err, CRIBLE_ECONFIG,
                                         "stage '%s' appears twice (line %d); give one"
                                         " of them another 'name'", ni->value, nj->line);
        }
    }
    return CRIBLE_OK;
}

static crible_status check_jobs(const crible_config *config, const crible_node *value,
                                crible_error *err)
{
    (void)config;
    char *end;
    long n = value->kind == CRIBLE_NODE_SCALAR ? strtol(value->value, &end, 10) : 0;
    if (n < 1 || n > 256)
        return crible_node_error(value, err, CRIBLE_ECONFIG,
                                 "'jobs' must be a whole number from 1 to 256");
    return CRIBLE_OK;
}

const crible_schema crible_schema_pipeline[] = {
    {"stages", CRIBLE_TYPE_SEQUENCE, NULL, NULL, check_stages},
    {"index", CRIBLE_TYPE_STRING, NULL, NULL, NULL},
    {"jobs", CRIBLE_TYPE_INT, NULL, NULL, check_jobs},
    {"progress", CRIBLE_TYPE_STRING, NULL, progress_choices, NULL},
    {"summary", CRIBLE_TYPE_BOOL, NULL, NULL, NULL},
    {"fuse", CRIBLE_TYPE_BOOL, NULL, NULL, NULL},
    {0}
};
