/*
 * plan.h - what `crible run` will start, worked out from the configuration
 * before anything starts: each stage's program (found and checked), its
 * argument vector, the input paths and the index.
 *
 * A stage is either
 *   - named (`- tokenize`): the program crible-tokenize, looked up next to
 *     the crible executable, then on PATH, started as
 *         crible-tokenize -c CONFIG [args...]
 *     so that it reads its own section of the same file; or
 *   - a user's program (`- name: x / exec: [awk, -f, x.awk]`): argv exactly
 *     as written (no shell ever sees it), started in the config file's
 *     folder so that relative file names in it are relative to the YAML,
 *     like every other path the file holds.
 * The first stage is the source: it gets the input paths as arguments when
 * it is crible-read.  A last stage named `index` is the sink: it gets
 * `-o INDEX` and is the only one that commits.  The stages between are the
 * analysis stages, which `-j N` runs as N copies.
 *
 * Fusion.  When the stages are exactly the standard chain
 *     read, tokenize, stem, [entities,] index
 * (named stages, none with `args:`, in that order) and `pipeline: fuse:`
 * is not false, the plan is the two processes
 *     crible-read -c CONFIG INPUTS | crible-index -c CONFIG --analyze
 *         [--entities] [--threads N] -o INDEX
 * which build the same index byte for byte (crible-index --analyze runs
 * the code of tokenize, stem and entities in its analysis threads; the
 * sections it reads are those the stages read) in about half the CPU.  The
 * sink's `fused` then names the stages it runs, for --print, the stage
 * table and messages.  -j N (or `pipeline: jobs: N`) becomes --threads N
 * (at most 16): N analysis threads instead of N copies of the analysis
 * processes; with neither, crible-index picks (`index: analyze_threads:`,
 * else the cores but one, at most 4).
 */
#ifndef CRIBLE_RUNNER_PLAN_H
#define CRIBLE_RUNNER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "error.h"

typedef struct runner_stage {
    char *name;          /* as in messages: "tokenize", "no-urls" */
    char *program;       /* the file execv() runs (absolute or ./relative) */
    char *display;       /* argv[0] for --print: "crible-stem" if PATH finds
                          * the same file, else the program's path */
    char **argv;         /* NULL-terminated; argv[0] is the program's name */
    size_t argc;
    const char *cwd;     /* folder to start in (user programs), or NULL */
    bool user;           /* an `exec:` stage */
    char *fused;         /* the sink of a fused plan: the stages it runs,
                          * "tokenize+stem+entities+index"; else NULL */
} runner_stage;

typedef struct runner_plan {
    runner_stage *stages;
    size_t nstages;
    bool has_sink;               /* the last stage is the index stage */
    size_t first_analysis;       /* analysis stages: [first_analysis, end_analysis) */
    size_t end_analysis;
    int jobs;                    /* copies of the analysis stages (>= 1) */
    char *config_path;           /* as given: what every stage gets after -c */
    char *config_dir;            /* its folder */
    char *index_path;            /* the index folder, or NULL (no sink) */
    char **inputs;               /* the input paths the source gets */
    size_t ninputs;
    unsigned long long input_bytes;  /* their total size; 0 if unknown (stdin) */
    int progress;                /* -1 never, 0 auto, 1 always */
    bool summary;
    bool fused;                  /* the standard chain as read | index --analyze */
    int fused_threads;           /* its --threads N, or 0 (crible-index picks) */
} runner_plan;

/* What the command line says on top of the file (NULL / 0: the file's). */
typedef struct runner_overrides {
    int jobs;                    /* -j N, 0: pipeline.jobs or 1 */
    const char *index_path;      /* -o DIR */
    const char *const *inputs;   /* PATH... */
    size_t ninputs;
    int progress;                /* 2: not given */
    int summary;                 /* -1: not given */
} runner_overrides;

/* Validates the whole file (every section's schema, then the runner's own
 * checks: programs exist, input paths exist, the stemmer algorithm is one
 * libstemmer has) and fills *plan.  `self_dir` is the folder the crible
 * executable is in (stage programs are looked up there first).  Errors are
 * CRIBLE_ECONFIG with "FILE:LINE:COL: ..." whenever a place is known. */
crible_status runner_plan_load(const crible_config *config, const char *config_path,
                               const char *self_dir, const runner_overrides *over,
                               runner_plan *plan, crible_error *err);
void runner_plan_free(runner_plan *plan);

/* Total size of the regular files under `path` (a file: its size; 0 if
 * none can be read). */
unsigned long long runner_tree_size(const char *path);

/* Looks for the program crible-NAME next to crible (self_dir), then on PATH.
 * Writes its path into buf; false if there is none. */
bool runner_find_stage(const char *self_dir, const char *name, char *buf, size_t n);

/* Looks a program up the way execvp does (a name with '/' is taken as is,
 * relative to `cwd` when not absolute and cwd is not NULL).  Writes the path
 * into buf; false if it is not an executable file. */
bool runner_find_program(const char *prog, const char *cwd, char *buf, size_t n);

#endif
