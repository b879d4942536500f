/*
 * print.h - `crible run --print`: the plan as a shell pipeline that does the
 * same work, quoted so that bash or sh runs it as is.
 *
 *     $ crible run --print
 *     set -o pipefail
 *     crible-read -c config/crible.yaml config/../corpus \
 *       | crible-tokenize -c config/crible.yaml \
 *       | crible-stem -c config/crible.yaml \
 *       | crible-entities -c config/crible.yaml \
 *       | crible-index -c config/crible.yaml -o config/../index
 *
 * With -j N > 1 the analysis stages run under GNU parallel --pipe
 * --round-robin, which cuts the document stream at line ends (one document
 * a line) and gives each of N jobs its share, as the runner does.
 */
#ifndef CRIBLE_RUNNER_PRINT_H
#define CRIBLE_RUNNER_PRINT_H

#include <stdio.h>

#include "plan.h"

/* Appends `arg` to buf (size n, NUL-terminated) quoted for a POSIX shell:
 * as is when it only holds safe characters, else in single quotes with
 * each ' written '\''.  Returns false when it does not fit. */
bool runner_shell_quote(const char *arg, char *buf, size_t n);

/* Writes the pipeline to `out`.  Returns false on a write error. */
bool runner_plan_print(const runner_plan *plan, FILE *out);

#endif
