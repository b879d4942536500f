/*
 * inbuf.c - an input read in large blocks into one growing buffer
 * (inbuf.h).
 */
#include "inbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void crible_inbuf_init(crible_inbuf *in, FILE *f, size_t slack)
{
    memset(in, 0, sizeof *in);
    in->f = f;
    in->slack = slack;
}

void crible_inbuf_free(crible_inbuf *in)
{
    free(in->buf);
    in->buf = NULL;
    in->start = in->end = in->cap = 0;
}

long long crible_inbuf_fill(crible_inbuf *in, size_t room, crible_error *err)
{
    if (in->eof)
        return 0;
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (in->cap - in->end < room || !in->buf) {
        size_t cap = in->cap ? in->cap : CRIBLE_INBUF_BLOCK;
        while (cap - in->end < room)
            cap *= 2;
        char *nb = realloc(in->buf, cap + in->slack);
        if (!nb) {
            crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            return -1;
        }
        in->buf = nb;
        in->cap = cap;
    }
    errno = 0;
    size_t n = fread(in->buf + in->end, 1, in->cap - in->end, in->f);
    in->end += n;
    memset(in->buf + in->end, 0, in->slack);
    if (n == 0) {
        if (ferror(in->f)) {
            crible_error_set(err, CRIBLE_EIO, "read error: %s", strerror(errno ? errno : EIO));
            return -1;
        }
        in->eof = true;
    }
    return (long long)n;
}
