/*
 * cli.c - the edges every crible program shares: messages on stderr,
 * --help/--version, inputs, a checked stdout at exit, colour, progress.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *program_name = "crible";

void crible_cli_init(const char *program)
{
    program_name = program;
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
}

const char *crible_cli_program(void)
{
    return program_name;
}

int crible_cli_fail(const crible_error *err)
{
    fprintf(stderr, "%s: %s\n", program_name,
            err->message[0] ? err->message : crible_status_name(err->status));
    return err->status == CRIBLE_OK ? CRIBLE_EINTERNAL : (int)err->status;
}

void crible_cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", program_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int crible_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", program_name);
    va_end(ap);
    return CRIBLE_EUSAGE;
}

static bool needs_argument(int opt, const char *optstring, const struct option *longopts)
{
    if (opt > 0 && opt < 256 && opt != ':') {
        const char *p = strchr(optstring, opt);
        if (p && p[1] == ':')
            return true;
    }
    for (const struct option *o = longopts; o && o->name; o++)
        if (!o->flag && o->val == opt && o->has_arg == required_argument)
            return true;
    return false;
}

int crible_cli_bad_option(char *const *argv, const char *optstring,
                          const struct option *longopts)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (optopt && needs_argument(optopt, optstring, longopts))
        return crible_cli_usage_error("option '%s' needs an argument", arg);
    if (optopt > 0 && optopt < 256)
        return crible_cli_usage_error("unknown option '-%c'", optopt);
    return crible_cli_usage_error("unknown option '%s'", arg);
}

int crible_cli_stage_args(int argc, char **argv, const char *usage, crible_stage_args *out)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"conllu", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    out->config_path = NULL;
    out->plain = false;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': out->config_path = optarg; break;
        case 'u': out->plain = true; break;
        case 'h': return crible_cli_help(usage);
        case 'V': return crible_cli_version();
        default: return crible_cli_bad_option(argv, "c:hV", longopts);
        }
    }
    return -1;
}

int crible_cli_help(const char *usage)
{
    fputs(usage, stdout);
    return crible_cli_exit(CRIBLE_OK);
}

int crible_cli_version(void)
{
    printf("%s (crible) %s\n", program_name, CRIBLE_VERSION);
    return crible_cli_exit(CRIBLE_OK);
}

int crible_cli_exit(int status)
{
    errno = 0;
    bool failed = fflush(stdout) != 0 || ferror(stdout);
    int saved = errno;
    if (fclose(stdout) != 0 && !failed) {
        failed = true;
        saved = errno;
    }
    if (failed && saved != EPIPE) {
        fprintf(stderr, "%s: cannot write to standard output: %s\n", program_name,
                strerror(saved ? saved : EIO));
        return status == CRIBLE_OK ? CRIBLE_EIO : status;
    }
    if (failed) /* the reader went away (head, grep -q): not our failure */
        return status;
    return status;
}

FILE *crible_cli_open_input(const char *path, crible_error *err)
{
    if (strcmp(path, "-") == 0)
        return stdin;
    FILE *f = fopen(path, "rb");
    if (!f)
        crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    return f;
}

void crible_cli_close_input(FILE *f)
{
    if (f && f != stdin)
        fclose(f);
}

bool crible_cli_use_color(FILE *stream, int force)
{
    if (force < 0)
        return false;
    if (force > 0)
        return true;
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(stream));
}

double crible_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void crible_progress_start(crible_progress *p, int force, unsigned long long total_bytes)
{
    memset(p, 0, sizeof *p);
    p->enabled = force > 0 || (force == 0 && isatty(STDERR_FILENO));
    p->start = p->last = crible_now();
    p->total_bytes = total_bytes;
}

static void progress_print(const crible_progress *p, double now)
{
    double elapsed = now - p->start;
    double mb = (double)p->bytes / 1e6;
    double rate = elapsed > 0 ? mb / elapsed : 0;
    fprintf(stderr, "\r%s: %llu documents, %.1f MB, %.1f MB/s, %.0f s", program_name,
            p->docs, mb, rate, elapsed);
    if (p->total_bytes && p->bytes && rate > 0) {
        double left = ((double)p->total_bytes / 1e6 - mb) / rate;
        fprintf(stderr, ", ETA %.0f s", left > 0 ? left : 0);
    }
    fputs("\033[K", stderr);
}

void crible_progress_update(crible_progress *p, unsigned long long docs,
                            unsigned long long bytes)
{
    p->docs = docs;
    p->bytes = bytes;
    if (!p->enabled)
        return;
    double now = crible_now();
    if (now - p->last < 0.25)
        return;
    p->last = now;
    progress_print(p, now);
}

void crible_progress_end(crible_progress *p)
{
    if (!p->enabled)
        return;
    progress_print(p, crible_now());
    fputc('\n', stderr);
}
