/*
 * error.h - crible's status codes (which are also its exit codes) and the
 * error object every library call fills instead of printing.
 *
 * The library never prints and never exits: a function that can fail returns
 * a crible_status and, when it is not CRIBLE_OK, leaves a one-line message in
 * the crible_error the caller passed.  The program prints it in one place, as
 *     crible-stem: corpus/a.txt:12: invalid UTF-8 at byte 4031
 * (crible_cli_fail() in cli.h does exactly that).
 *
 * The exit-code table of README.md is this enum; keep them in step.
 */
#ifndef CRIBLE_ERROR_H
#define CRIBLE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum crible_status {
    CRIBLE_OK = 0,
    CRIBLE_ENOMATCH = 1,   /* crible-query: ran fine, no document matched (like grep) */
    CRIBLE_EUSAGE = 2,     /* bad command line: unknown option, missing argument */
    CRIBLE_ECONFIG = 3,    /* configuration: broken YAML, unknown key, wrong type */
    CRIBLE_EDATA = 4,      /* bad input data: invalid UTF-8, malformed stream, bad query */
    CRIBLE_EIO = 5,        /* I/O: cannot open, read, write (disk full, /dev/full) */
    CRIBLE_EINDEX = 6,     /* index: corrupt, wrong version, locked by another writer */
    CRIBLE_ENOMEM = 7,     /* out of memory */
    CRIBLE_EINTERNAL = 70  /* a bug: an invariant of crible itself was broken */
} crible_status;

/* What went wrong, in one line, without the program name and without a final
 * period: "corpus/a.txt:12: invalid UTF-8 at byte 4031". */
typedef struct crible_error {
    crible_status status;
    char message[1024];
} crible_error;

/* Sets err (if not NULL) and returns status, so that callers can write
 *     return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: ...", path, line);
 * A message longer than the buffer is cut. */
crible_status crible_error_set(crible_error *err, crible_status status,
                               const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
crible_status crible_error_setv(crible_error *err, crible_status status,
                                const char *fmt, va_list ap);

/* Puts "prefix: " in front of the message already in err (to add a file
 * name or a document id on the way up) and returns err->status. */
crible_status crible_error_prefix(crible_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets err to CRIBLE_OK with an empty message. */
void crible_error_clear(crible_error *err);

/* A short English name for a status: "config error", "I/O error", ... */
const char *crible_status_name(crible_status status);

/* Allocation that reports CRIBLE_ENOMEM through err; NULL on failure. */
void *crible_malloc(size_t size, crible_error *err);
void *crible_realloc(void *ptr, size_t size, crible_error *err);
char *crible_strdup(const char *s, crible_error *err);

#endif
