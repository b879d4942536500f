/*
 * cli.h - what every crible program does the same way at its edges:
 * messages on stderr, --help/--version, inputs ("-" is stdin), stdout
 * checked at exit, colour only on a terminal, progress on stderr.
 *
 * A stage's main() looks like:
 *
 *     crible_cli_init("crible-stem", argc, argv);
 *     ... getopt_long; on --help: crible_cli_help(usage_text) ...
 *     if (status != CRIBLE_OK) return crible_cli_fail(&err);
 *     return crible_cli_exit(CRIBLE_OK);   // flushes and checks stdout
 */
#ifndef CRIBLE_CLI_H
#define CRIBLE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* Remembers the program name for messages; sets stdout fully buffered. */
void crible_cli_init(const char *program);
const char *crible_cli_program(void);

/* Prints "PROGRAM: MESSAGE" on stderr and returns err->status (so main can
 * `return crible_cli_fail(&err);`). */
int crible_cli_fail(const crible_error *err);

/* Prints "PROGRAM: warning: ..." on stderr. */
void crible_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "PROGRAM: MESSAGE" and "Try 'PROGRAM --help' for more information."
 * on stderr; returns CRIBLE_EUSAGE. */
int crible_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The `default:` case of a getopt_long loop run with opterr = 0: says which
 * option was unknown or lacks its argument ("option '--limit' needs an
 * argument", "unknown option '--bogus'"), with the --help hint, and returns
 * CRIBLE_EUSAGE.  optstring and longopts are the ones given to getopt_long. */
struct option;
int crible_cli_bad_option(char *const *argv, const char *optstring,
                          const struct option *longopts);

/* The options of a stage that reads and writes the token stream and has no
 * other: -c/--config FILE, --conllu, -h/--help, -V/--version.  Returns -1
 * to go on (optind is then the first input), or the status to exit with
 * (after --help, --version or a bad option). */
typedef struct crible_stage_args {
    const char *config_path;   /* NULL: every default */
    bool plain;                /* --conllu */
} crible_stage_args;
int crible_cli_stage_args(int argc, char **argv, const char *usage,
                          crible_stage_args *out);

/* Prints the usage text to stdout and returns the exit status (0, or 5 if
 * stdout cannot be written). */
int crible_cli_help(const char *usage);

/* Prints "PROGRAM (crible) VERSION" to stdout; returns the exit status. */
int crible_cli_version(void);

/* Flushes and closes stdout; if that fails (disk full, /dev/full, closed
 * pipe) prints "PROGRAM: cannot write to standard output: ..." and returns
 * CRIBLE_EIO; otherwise returns status unchanged. */
int crible_cli_exit(int status);

/* Opens an input: "-" is stdin (not closed by crible_cli_close_input). */
FILE *crible_cli_open_input(const char *path, crible_error *err);
void crible_cli_close_input(FILE *f);

/* Whether to use colour on `stream`: a terminal, NO_COLOR unset or empty,
 * TERM not "dumb"; `force` is the --color option: -1 never, 0 auto, 1 always. */
bool crible_cli_use_color(FILE *stream, int force);

/* Progress on stderr: shown when stderr is a terminal (or forced), at most
 * a few times a second, erased by crible_progress_end. */
typedef struct crible_progress {
    bool enabled;
    double start, last;
    unsigned long long docs, bytes, total_bytes;  /* total 0: unknown */
} crible_progress;
void crible_progress_start(crible_progress *p, int force /* -1 no, 0 auto, 1 yes */,
                           unsigned long long total_bytes);
void crible_progress_update(crible_progress *p, unsigned long long docs,
                            unsigned long long bytes);
void crible_progress_end(crible_progress *p);

/* Seconds since an arbitrary start (monotonic clock). */
double crible_now(void);

#endif
