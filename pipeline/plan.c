/*
 * plan.c - from the configuration file to the list of processes `crible
 * run` starts (plan.h).  Everything that can be known wrong before a
 * process starts is found here and reported with the file, line and column
 * of the value at fault: the schemas of every section (options.c), then
 * what only the runner can check: that each stage's program exists, that
 * the input paths exist, that the stemmer algorithm is one libstemmer has.
 */
#define _XOPEN_SOURCE 700   /* nftw */
#include "plan.h"

#include <errno.h>
#include <ftw.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index_analyze.h"
#include "options.h"

/* The stages crible ships, for "did you mean" when a name is unknown. */
static const char *const known_stages[] = {"read", "tokenize", "stem", "entities",
                                           "index", NULL};

/* The stages run when the file has no `pipeline: stages:`. */
static const char *const default_stages[] = {"read", "tokenize", "stem", "entities",
                                             "index", NULL};

static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool runner_find_program(const char *prog, const char *cwd, char *buf, size_t n)
{
    if (strchr(prog, '/')) {
        int len = (prog[0] == '/' || !cwd) ? snprintf(buf, n, "%s", prog)
                                           : snprintf(buf, n, "%s/%s", cwd, prog);
        return len > 0 && (size_t)len < n && is_executable_file(buf);
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t dlen = end ? (size_t)(end - path) : strlen(path);
        int len = dlen ? snprintf(buf, n, "%.*s/%s", (int)dlen, path, prog)
                       : snprintf(buf, n, "./%s", prog);
        if (len > 0 && (size_t)len < n && is_executable_file(buf))
            return true;
        path += dlen;
        if (*path == ':')
            path++;
    }
    return false;
}

bool runner_find_stage(const char *self_dir, const char *name, char *buf, size_t n)
{
    char prog[256];
    snprintf(prog, sizeof prog, "crible-%s", name);
    if (self_dir) {
        int len = snprintf(buf, n, "%s/%s", self_dir, prog);
        if (len > 0 && (size_t)len < n && is_executable_file(buf))
            return true;
    }
    return runner_find_program(prog, NULL, buf, n);
}

/* --- building stages ------------------------------------------------------ */

static char *xstrdup(const char *s, crible_error *err)
{
    return crible_strdup(s, err);
}

static crible_status argv_push(runner_stage *st, const char *arg, crible_error *err)
{
    char **grown = crible_realloc(st->argv, (st->argc + 2) * sizeof *grown, err);
    if (!grown)
        return CRIBLE_ENOMEM;
    st->argv = grown;
    if (!(st->argv[st->argc] = xstrdup(arg, err)))
        return CRIBLE_ENOMEM;
    st->argv[++st->argc] = NULL;
    return CRIBLE_OK;
}

/* The display name: the bare name when PATH finds the very same file. */
static crible_status set_display(runner_stage *st, const char *bare, crible_error *err)
{
    char found[4096];
    struct stat a, b;
    bool same = !strchr(bare, '/') && runner_find_program(bare, NULL, found, sizeof found) &&
                stat(found, &a) == 0 && stat(st->program, &b) == 0 &&
                a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    st->display = xstrdup(same || strchr(bare, '/') ? bare : st->program, err);
    return st->display ? CRIBLE_OK : CRIBLE_ENOMEM;
}

static crible_status unknown_stage(const crible_node *at, const char *name,
                                   const char *self_dir, crible_error *err)
{
    const char *best = NULL;
    int best_d = 100;
    for (const char *const *k = known_stages; *k; k++) {
        int d = crible_edit_distance(name, *k);
        if (d < best_d) {
            best_d = d;
            best = *k;
        }
    }
    if (best && best_d <= 2 && strcmp(best, name) != 0)
        return crible_node_error(at, err, CRIBLE_ECONFIG,
                                 "unknown stage '%s' (did you mean '%s'?)", name, best);
    bool builtin = false;
    for (const char *const *k = known_stages; *k; k++)
        builtin = builtin || strcmp(*k, name) == 0;
    if (builtin)
        return crible_node_error(at, err, CRIBLE_ECONFIG,
                                 "stage '%s': program crible-%s not found in %s nor on PATH"
                                 " (is it built?)", name, name, self_dir ? self_dir : "?");
    return crible_node_error(at, err, CRIBLE_ECONFIG,
                             "unknown stage '%s': no program crible-%s in %s nor on PATH"
                             " (for your own program write: - name: %s / exec: [program,"
                             " args])", name, name, self_dir ? self_dir : "?", name);
}

static crible_status add_named_stage(runner_plan *plan, runner_stage *st,
                                     const crible_node *at, const char *name,
                                     const crible_node *args, const char *self_dir,
                                     crible_error *err)
{
    char path[4096];
    if (!runner_find_stage(self_dir, name, path, sizeof path))
        return unknown_stage(at, name, self_dir, err);
    char bare[256];
    snprintf(bare, sizeof bare, "crible-%s", name);
    crible_status s;
    if (!(st->name = xstrdup(name, err)) || !(st->program = xstrdup(path, err)))
        return CRIBLE_ENOMEM;
    if ((s = set_display(st, bare, err)) != CRIBLE_OK ||
        (s = argv_push(st, bare, err)) != CRIBLE_OK ||
        (s = argv_push(st, "-c", err)) != CRIBLE_OK ||
        (s = argv_push(st, plan->config_path, err)) != CRIBLE_OK)
        return s;
    for (size_t i = 0; args && i < args->count; i++)
        if ((s = argv_push(st, args->items[i]->value, err)) != CRIBLE_OK)
            return s;
    if (args && args->kind == CRIBLE_NODE_SCALAR)
        return argv_push(st, args->value, err);
    return CRIBLE_OK;
}

static crible_status add_user_stage(runner_plan *plan, runner_stage *st,
                                    const crible_node *item, const crible_node *exec,
                                    crible_error *err)
{
    const crible_node *name = crible_node_get(item, "name");
    const char *prog = exec->kind == CRIBLE_NODE_SCALAR ? exec->value : exec->items[0]->value;
    const crible_node *prog_node = exec->kind == CRIBLE_NODE_SCALAR ? exec : exec->items[0];
    char path[4096];
    st->user = true;
    st->cwd = strcmp(plan->config_dir, ".") == 0 ? NULL : plan->config_dir;
    if (!runner_find_program(prog, st->cwd, path, sizeof path))
        return crible_node_error(prog_node, err, CRIBLE_ECONFIG,
                                 "program '%s' not found%s", prog,
                                 strchr(prog, '/') ? " (relative to the config file's folder)"
                                                   : " on PATH");
    if (!(st->name = xstrdup(name ? name->value : prog, err)) ||
        !(st->program = xstrdup(path, err)) || !(st->display = xstrdup(prog, err)))
        return CRIBLE_ENOMEM;
    if (exec->kind == CRIBLE_NODE_SCALAR)
        return argv_push(st, prog, err);
    for (size_t i = 0; i < exec->count; i++) {
        crible_status s = argv_push(st, exec->items[i]->value, err);
        if (s != CRIBLE_OK)
            return s;
    }
    return CRIBLE_OK;
}

static crible_status add_stage(runner_plan *plan, const crible_node *item, const char *self_dir,
                               crible_error *err)
{
    runner_stage *st = &plan->stages[plan->nstages++];
    if (item->kind == CRIBLE_NODE_SCALAR)
        return add_named_stage(plan, st, item, item->value, NULL, self_dir, err);
    const crible_node *exec = crible_node_get(item, "exec");
    if (exec)
        return add_user_stage(plan, st, item, exec, err);
    const crible_node *name = crible_node_get(item, "name");
    return add_named_stage(plan, st, name, name->value, crible_node_get(item, "args"),
                           self_dir, err);
}

static crible_status add_default_stages(runner_plan *plan, const char *self_dir,
                                        crible_error *err)
{
    for (const char *const *k = default_stages; *k; k++) {
        runner_stage *st = &plan->stages[plan->nstages++];
        char path[4096];
        if (!runner_find_stage(self_dir, *k, path, sizeof path))
            return crible_error_set(err, CRIBLE_ECONFIG,
                                    "%s: no 'pipeline: stages:' and the default stage"
                                    " crible-%s is not found in %s nor on PATH",
                                    plan->config_path, *k, self_dir ? self_dir : "?");
        crible_node fake = {.kind = CRIBLE_NODE_SCALAR, .value = *k,
                            .file = plan->config_path, .line = 1, .column = 1};
        crible_status s = add_named_stage(plan, st, &fake, *k, NULL, self_dir, err);
        if (s != CRIBLE_OK)
            return s;
    }
    return CRIBLE_OK;
}

/* A path as the config resolves it, "config/../corpus", written the way a
 * user would: "corpus".  Each leading "DIR/../" is dropped when DIR is one
 * real folder (not a symbolic link, not "." or ".."), which names the same
 * place.  The path is what crible-read stores as a document's source and
 * what --print and the summary show. */
static void tidy_path(char *path)
{
    char *p = path;
    while ((p = strstr(p, "/../")) != NULL) {
        char *dir = p;                 /* the component before "/../" */
        while (dir > path && dir[-1] != '/')
            dir--;
        size_t n = (size_t)(p - dir);
        bool dots = n == 0 || (n == 1 && dir[0] == '.') ||
                    (n == 2 && dir[0] == '.' && dir[1] == '.');
        struct stat st;
        *p = '\0';
        bool plain = !dots && lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
        *p = '/';
        if (!plain) {
            p += 3;
            continue;
        }
        memmove(dir, p + 4, strlen(p + 4) + 1);
        if (!*path)
            strcpy(path, ".");
        p = path;
    }
}

/* --- inputs ----------------------------------------------------------------- */

static unsigned long long walk_total;

static int walk_add(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (type == FTW_F && S_ISREG(sb->st_mode))
        walk_total += (unsigned long long)sb->st_size;
    return 0;
}

unsigned long long runner_tree_size(const char *path)
{
    walk_total = 0;
    nftw(path, walk_add, 16, FTW_PHYS);
    return walk_total;
}

static crible_status add_input(runner_plan *plan, const char *path, const crible_node *at,
                               crible_error *err)
{
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) != 0) {
        if (at)
            return crible_node_error(at, err, CRIBLE_ECONFIG, "input '%s': %s%s", path,
                                     strerror(errno), at->value[0] == '/' ? "" :
                                     " (relative paths start from the config file's folder)");
        return crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", path, strerror(errno));
    }
    char **grown = crible_realloc(plan->inputs, (plan->ninputs + 1) * sizeof *grown, err);
    if (!grown)
        return CRIBLE_ENOMEM;
    plan->inputs = grown;
    if (!(plan->inputs[plan->ninputs++] = xstrdup(path, err)))
        return CRIBLE_ENOMEM;
    if (strcmp(path, "-") == 0) {
        plan->input_bytes = 0;
        return CRIBLE_OK;
    }
    if (plan->ninputs == 1 || plan->input_bytes)
        plan->input_bytes += runner_tree_size(path);
    return CRIBLE_OK;
}

static crible_status load_inputs(runner_plan *plan, const crible_config *config,
                                 const runner_overrides *over, crible_error *err)
{
    crible_status s = CRIBLE_OK;
    if (over->ninputs) {
        for (size_t i = 0; i < over->ninputs && s == CRIBLE_OK; i++)
            s = add_input(plan, over->inputs[i], NULL, err);
        return s;
    }
    const crible_node *input = NULL;
    if ((s = crible_config_section(config, "input", &input, err)) != CRIBLE_OK)
        return s;
    const crible_node *paths = crible_node_get(input, "paths");
    if (!paths)
        return add_input(plan, "-", NULL, err);
    size_t n = paths->kind == CRIBLE_NODE_SEQUENCE ? paths->count : 1;
    for (size_t i = 0; i < n && s == CRIBLE_OK; i++) {
        const crible_node *p = paths->kind == CRIBLE_NODE_SEQUENCE ? paths->items[i] : paths;
        char buf[4096];
        if (strcmp(p->value, "-") == 0)
            s = add_input(plan, "-", p, err);
        else if ((s = crible_config_resolve(config, p->value, buf, sizeof buf, err)) ==
                 CRIBLE_OK) {
            tidy_path(buf);
            s = add_input(plan, buf, p, err);
        }
    }
    return s;
}

/* --- the stemmer ------------------------------------------------------------ */

/* Checks one algorithm name against what libstemmer has. */
static crible_status check_algorithm(const crible_node *n, crible_error *err)
{
    if (n->kind != CRIBLE_NODE_SCALAR)
        return CRIBLE_OK;   /* the schema has said what it thinks of it */
    /* crible's own names (stemmer.h): "none", "french" (its Snowball 3
     * port), "libstemmer:NAME", a language tag "fr-CA" (its language). */
    char name[64];
    const char *v = n->value;
    if (strncmp(v, "libstemmer:", 11) == 0)
        v += 11;
    else if (strcmp(v, "none") == 0)
        return CRIBLE_OK;
    snprintf(name, sizeof name, "%.*s", (int)strcspn(v, "-_"), v);
    const char **list = sb_stemmer_list();
    const char *best = NULL;
    int best_d = 100;
    for (const char **a = list; *a; a++) {
        if (strcmp(*a, name) == 0)
            return CRIBLE_OK;
        int d = crible_edit_distance(name, *a);
        if (d < best_d) {
            best_d = d;
            best = *a;
        }
    }
    /* libstemmer also knows ISO codes ("fr", "fre", "fra"): ask it. */
    struct sb_stemmer *s = sb_stemmer_new(name, "UTF_8");
    if (s) {
        sb_stemmer_delete(s);
        return CRIBLE_OK;
    }
    if (best && best_d <= 2)
        return crible_node_error(n, err, CRIBLE_ECONFIG,
                                 "unknown stemmer algorithm '%s' (did you mean '%s'?)",
                                 n->value, best);
    char names[1024] = "";
    size_t used = 0;
    for (const char **a = list; *a; a++) {
        int w = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", *a);
        if (w < 0 || (size_t)w >= sizeof names - used)
            break;
        used += (size_t)w;
    }
    return crible_node_error(n, err, CRIBLE_ECONFIG,
                             "unknown stemmer algorithm '%s' (libstemmer has: %s)",
                             n->value, names);
}

/* stem.algorithm, and the values of stem.languages (lang -> algorithm). */
static crible_status check_stemmer(const crible_config *config, crible_error *err)
{
    const crible_node *stem = NULL;
    crible_status s = crible_config_section(config, "stem", &stem, err);
    if (s != CRIBLE_OK || !stem)
        return s;
    const crible_node *algo = crible_node_get(stem, "algorithm");
    if (algo && (s = check_algorithm(algo, err)) != CRIBLE_OK)
        return s;
    const crible_node *langs = crible_node_get(stem, "languages");
    for (size_t i = 0; langs && langs->kind == CRIBLE_NODE_MAP && i < langs->count; i++)
        if ((s = check_algorithm(langs->items[i], err)) != CRIBLE_OK)
            return s;
    return CRIBLE_OK;
}

/* --- fusion (plan.h) ------------------------------------------------------ */

static void stage_free(runner_stage *st)
{
    for (size_t k = 0; k < st->argc; k++)
        free(st->argv[k]);
    free(st->argv);
    free(st->name);
    free(st->program);
    free(st->display);
    free(st->fused);
    memset(st, 0, sizeof *st);
}

/* Whether the stages are read, tokenize, stem, [entities,] index, each a
 * named stage without args (its argv: crible-NAME -c CONFIG). */
static bool standard_chain(const runner_plan *plan, bool *entities)
{
    static const char *const chain[] = {"read", "tokenize", "stem", "entities", "index"};
    size_t n = plan->nstages;
    if (n != 4 && n != 5)
        return false;
    *entities = n == 5;
    for (size_t i = 0, k = 0; i < n; i++, k++) {
        if (n == 4 && k == 3)
            k++;   /* no entities */
        const runner_stage *st = &plan->stages[i];
        if (st->user || st->argc != 3 || strcmp(st->name, chain[k]) != 0)
            return false;
    }
    return true;
}

/* Turns the standard chain into read | index --analyze, unless the file
 * says `fuse: false`. */
static crible_status fuse(runner_plan *plan, const crible_node *pipe,
                          const runner_overrides *over, crible_error *err)
{
    bool on = true, entities = false;
    crible_status s = crible_node_bool(pipe, "fuse", &on, err);
    if (s != CRIBLE_OK || !on || !plan->has_sink || !standard_chain(plan, &entities))
        return s;
    runner_stage *sink = &plan->stages[plan->nstages - 1];
    if (!(sink->fused = xstrdup(entities ? "tokenize+stem+entities+index" : "tokenize+stem+index",
                                err)))
        return CRIBLE_ENOMEM;
    if ((s = argv_push(sink, "--analyze", err)) != CRIBLE_OK ||
        (entities && (s = argv_push(sink, "--entities", err)) != CRIBLE_OK))
        return s;
    if (over->jobs > 0 || crible_node_get(pipe, "jobs")) {
        char n[16];
        plan->fused_threads = plan->jobs < CRIBLE_INDEX_ANALYZE_MAX_THREADS
                                  ? plan->jobs : CRIBLE_INDEX_ANALYZE_MAX_THREADS;
        snprintf(n, sizeof n, "%d", plan->fused_threads);
        if ((s = argv_push(sink, "--threads", err)) != CRIBLE_OK ||
            (s = argv_push(sink, n, err)) != CRIBLE_OK)
            return s;
    }
    /* the analysis stages were checked (their programs exist); none starts */
    for (size_t i = 1; i + 1 < plan->nstages; i++)
        stage_free(&plan->stages[i]);
    plan->stages[1] = *sink;
    memset(sink, 0, sizeof *sink);
    plan->nstages = 2;
    plan->first_analysis = plan->end_analysis = 1;
    plan->jobs = 1;
    plan->fused = true;
    return CRIBLE_OK;
}

/* --- the plan ------------------------------------------------------------- */

static char *dir_of(const char *path, crible_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".", err);
    if (slash == path)
        return xstrdup("/", err);
    char *d = crible_malloc((size_t)(slash - path) + 1, err);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

static crible_status load_settings(runner_plan *plan, const crible_config *config,
                                   const crible_node *pipe, const runner_overrides *over,
                                   crible_error *err)
{
    long long jobs = 1;
    const char *progress = "auto";
    bool summary = true;
    crible_status s;
    if ((s = crible_node_int(pipe, "jobs", 1, 256, &jobs, err)) != CRIBLE_OK ||
        (s = crible_node_string(pipe, "progress", &progress, err)) != CRIBLE_OK ||
        (s = crible_node_bool(pipe, "summary", &summary, err)) != CRIBLE_OK)
        return s;
    plan->jobs = over->jobs > 0 ? over->jobs : (int)jobs;
    plan->progress = strcmp(progress, "always") == 0 ? 1 : strcmp(progress, "never") == 0 ? -1 : 0;
    if (over->progress != 2)
        plan->progress = over->progress;
    plan->summary = over->summary >= 0 ? over->summary != 0 : summary;
    if (!plan->has_sink && over->index_path)
        return crible_error_set(err, CRIBLE_EUSAGE, "-o %s: the pipeline of %s has no index"
                                " stage (its last stage is '%s')", over->index_path,
                                plan->config_path, plan->stages[plan->nstages - 1].name);
    if (!plan->has_sink)
        return CRIBLE_OK;
    if (over->index_path)
        return (plan->index_path = xstrdup(over->index_path, err)) ? CRIBLE_OK : CRIBLE_ENOMEM;
    const crible_node *index = crible_node_get(pipe, "index");
    if (!index)
        return crible_error_set(err, CRIBLE_ECONFIG,
                                "%s: the pipeline ends with the index stage but says not"
                                " where the index goes: add 'index: DIR' under 'pipeline:'"
                                " or give -o DIR", plan->config_path);
    char buf[4096];
    if ((s = crible_config_resolve(config, index->value, buf, sizeof buf, err)) != CRIBLE_OK)
        return s;
    tidy_path(buf);
    return (plan->index_path = xstrdup(buf, err)) ? CRIBLE_OK : CRIBLE_ENOMEM;
}

crible_status runner_plan_load(const crible_config *config, const char *config_path,
                               const char *self_dir, const runner_overrides *over,
                               runner_plan *plan, crible_error *err)
{
    memset(plan, 0, sizeof *plan);
    crible_status s = crible_config_validate_all(config, err);
    if (s != CRIBLE_OK)
        return s;
    if ((s = check_stemmer(config, err)) != CRIBLE_OK)
        return s;
    if (!(plan->config_path = xstrdup(config_path, err)) ||
        !(plan->config_dir = dir_of(config_path, err)))
        return CRIBLE_ENOMEM;
    const crible_node *pipe = NULL;
    if ((s = crible_config_section(config, "pipeline", &pipe, err)) != CRIBLE_OK)
        return s;
    const crible_node *stages = crible_node_get(pipe, "stages");
    size_t n = stages ? stages->count : sizeof default_stages / sizeof *default_stages - 1;
    if (!(plan->stages = crible_malloc(n * sizeof *plan->stages, err)))
        return CRIBLE_ENOMEM;
    memset(plan->stages, 0, n * sizeof *plan->stages);
    for (size_t i = 0; stages && i < n && s == CRIBLE_OK; i++)
        s = add_stage(plan, stages->items[i], self_dir, err);
    if (!stages)
        s = add_default_stages(plan, self_dir, err);
    if (s != CRIBLE_OK)
        return s;
    const runner_stage *last = &plan->stages[plan->nstages - 1];
    plan->has_sink = plan->nstages > 1 && !last->user && strcmp(last->name, "index") == 0;
    plan->first_analysis = 1;
    plan->end_analysis = plan->nstages - (plan->has_sink ? 1 : 0);
    if (plan->end_analysis < plan->first_analysis)
        plan->end_analysis = plan->first_analysis;
    if ((s = load_settings(plan, config, pipe, over, err)) != CRIBLE_OK ||
        (s = fuse(plan, pipe, over, err)) != CRIBLE_OK)
        return s;
    if ((s = load_inputs(plan, config, over, err)) != CRIBLE_OK)
        return s;
    runner_stage *src = &plan->stages[0];
    if (!src->user && strcmp(src->name, "read") == 0)
        for (size_t i = 0; i < plan->ninputs && s == CRIBLE_OK; i++)
            s = argv_push(src, plan->inputs[i], err);
    if (s == CRIBLE_OK && plan->has_sink) {
        runner_stage *sink = &plan->stages[plan->nstages - 1];
        if ((s = argv_push(sink, "-o", err)) == CRIBLE_OK)
            s = argv_push(sink, plan->index_path, err);
    }
    return s;
}

void runner_plan_free(runner_plan *plan)
{
    for (size_t i = 0; i < plan->nstages; i++)
        stage_free(&plan->stages[i]);
    free(plan->stages);
    for (size_t i = 0; i < plan->ninputs; i++)
        free(plan->inputs[i]);
    free(plan->inputs);
    free(plan->config_path);
    free(plan->config_dir);
    free(plan->index_path);
    memset(plan, 0, sizeof *plan);
}
