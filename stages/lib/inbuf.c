/*
 * inbuf.c - an input read in large blocks into one growing buffer
 * (inbuf.h).
 */
#include "inbuf.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Whether a read that failed with errno e is to be tried again: a
 * descriptor another program made non-blocking (a pipe or terminal
 * shared with it) has nothing yet, or a signal came. */
static bool again(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

/* Whether a read of f that failed with errno e is to be tried again, once
 * f's descriptor has something to read (or its end, or an error the next
 * read reports); false when not (errno set if poll failed). */
static bool wait_again(FILE *f, int e)
{
    if (!again(e))
        return false;
    struct pollfd pfd = {.fd = fileno(f), .events = POLLIN};
    if (pfd.fd < 0)
        return false;
    while (poll(&pfd, 1, -1) < 0)
        if (errno != EINTR)
            return false;
    return true;
}

/* Reads what the input has now, up to n bytes: one read(2) on its
 * descriptor, so that a line a slow writer gives (`tail -f`, a terminal)
 * is taken when it comes, not once 256 KiB have; through stdio when f has
 * no descriptor (a memory stream).  The bytes read, 0 at the end, -1 on an
 * error (errno). */
static long long read_some(FILE *f, char *p, size_t n)
{
    int fd = fileno(f);
    if (fd < 0) {
        size_t got = fread(p, 1, n, f);
        return got > 0 || !ferror(f) ? (long long)got : -1;
    }
    for (;;) {
        ssize_t got = read(fd, p, n);
        if (got >= 0)
            return got;
        if (!wait_again(f, errno))
            return -1;
    }
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
    long long n = read_some(in->f, in->buf + in->end, in->cap - in->end);
    if (n < 0) {
        crible_error_set(err, CRIBLE_EIO, "read error: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    in->end += (size_t)n;
    memset(in->buf + in->end, 0, in->slack);
    if (n == 0)
        in->eof = true;
    return n;
}
