/*
 * error.c - crible_error: status codes and one-line error messages.
 */
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

crible_status crible_error_setv(crible_error *err, crible_status status,
                                const char *fmt, va_list ap)
{
    if (err) {
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return status;
}

crible_status crible_error_set(crible_error *err, crible_status status,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crible_error_setv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

crible_status crible_error_prefix(crible_error *err, const char *fmt, ...)
{
    if (!err)
        return CRIBLE_EINTERNAL;
    char prefix[512], old[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    char joined[sizeof prefix + sizeof old + 2];
    snprintf(joined, sizeof joined, "%s: %s", prefix, old);
    memcpy(err->message, joined, sizeof err->message - 1);
    err->message[sizeof err->message - 1] = '\0';
    return err->status;
}

void crible_error_clear(crible_error *err)
{
    if (err) {
        err->status = CRIBLE_OK;
        err->message[0] = '\0';
    }
}

const char *crible_status_name(crible_status status)
{
    switch (status) {
    case CRIBLE_OK: return "success";
    case CRIBLE_ENOMATCH: return "no match";
    case CRIBLE_EUSAGE: return "usage error";
    case CRIBLE_ECONFIG: return "config error";
    case CRIBLE_EDATA: return "data error";
    case CRIBLE_EIO: return "I/O error";
    case CRIBLE_EINDEX: return "index error";
    case CRIBLE_ENOMEM: return "out of memory";
    case CRIBLE_EINTERNAL: return "internal error";
    }
    return "unknown error";
}

void *crible_malloc(size_t size, crible_error *err)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory (%zu bytes)", size);
    return p;
}

void *crible_realloc(void *ptr, size_t size, crible_error *err)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory (%zu bytes)", size);
    return p;
}

char *crible_strdup(const char *s, crible_error *err)
{
    size_t n = strlen(s) + 1;
    char *p = crible_malloc(n, err);
    if (p)
        memcpy(p, s, n);
    return p;
}
