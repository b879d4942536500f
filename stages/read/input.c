/*
 * input.c - a buffered input for crible-read: one file or stdin, read in
 * 256 KiB blocks (the refill is inbuf.h's, shared with the token stream's
 * reader).  It lets the format detector peek at the first bytes
 * (even on a pipe), hands out lines without copying them, and reads whole
 * files for the formats that are one document per file.  Memory is the
 * longest line (JSON Lines, CSV) or the file (text, HTML), never the input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "read.h"

#define BLOCK CRIBLE_INBUF_BLOCK

/* A first buffer (never NULL: a caller may look at an empty input). */
static crible_status buf_new(read_input *in, crible_error *err)
{
    in->b.buf = crible_malloc(BLOCK, err);
    if (!in->b.buf)
        return CRIBLE_ENOMEM;
    in->b.cap = BLOCK;
    in->b.start = in->b.end = 0;
    return CRIBLE_OK;
}

crible_status read_input_open(read_input *in, const char *path, crible_error *err)
{
    memset(in, 0, sizeof *in);
    FILE *f = stdin;
    if (strcmp(path, "-") == 0) {
        in->is_stdin = true;
    } else {
        f = fopen(path, "rb");
        if (!f)
            return crible_error_set(err, errno == ENOMEM ? CRIBLE_ENOMEM : CRIBLE_EIO,
                                    "cannot open '%s': %s", path, strerror(errno));
    }
    crible_inbuf_init(&in->b, f, 0);
    if (buf_new(in, err) != CRIBLE_OK) {
        read_input_close(in);
        return CRIBLE_ENOMEM;
    }
    return CRIBLE_OK;
}

void read_input_close(read_input *in)
{
    if (in->b.f && !in->is_stdin)
        fclose(in->b.f);
    crible_inbuf_free(&in->b);
    memset(in, 0, sizeof *in);
}

/* Reads more bytes (inbuf.h), at least `room` of them fitting: 1 if some
 * came, 0 at the end, -1 on an error. */
static int fill(read_input *in, size_t room, crible_error *err)
{
    long long got = crible_inbuf_fill(&in->b, room, err);
    return got < 0 ? -1 : got > 0;
}

size_t read_input_peek(read_input *in, size_t want, crible_error *err)
{
    while (in->b.end - in->b.start < want && !in->b.eof)
        if (fill(in, want, err) < 0)
            return 0;
    size_t have = in->b.end - in->b.start;
    return have < want ? have : want;
}

int read_input_line(read_input *in, const char **line, size_t *len,
                    unsigned long long max, const char *name, crible_error *err)
{
    size_t scanned = 0;
    for (;;) {
        char *p = in->b.buf + in->b.start;
        size_t have = in->b.end - in->b.start;
        char *nl = memchr(p + scanned, '\n', have - scanned);
        if (nl || (in->b.eof && have > 0)) {
            size_t n = nl ? (size_t)(nl - p) + 1 : have;
            *line = p;
            *len = n;
            in->b.start += n;
            in->offset += n;
            return 1;
        }
        if (in->b.eof)
            return 0;
        if (have > max) {
            crible_error_set(err, CRIBLE_EDATA, "%s: the line at byte offset %llu is longer"
                             " than max_size (%llu bytes)", name, in->offset, max);
            return -1;
        }
        scanned = have;
        if (fill(in, have < BLOCK ? BLOCK : have, err) < 0)
            return -1;
    }
}

crible_status read_input_all(read_input *in, char **out, size_t *len,
                             unsigned long long max, const char *name, crible_error *err)
{
    while (!in->b.eof) {
        if (in->b.end - in->b.start > max)
            return crible_error_set(err, CRIBLE_EDATA, "%s: larger than max_size (%llu bytes)",
                                    name, max);
        size_t have = in->b.end - in->b.start;
        if (fill(in, have < BLOCK ? BLOCK : have, err) < 0)
            return err->status;
    }
    size_t n = in->b.end - in->b.start;
    if (n > max)
        return crible_error_set(err, CRIBLE_EDATA, "%s: larger than max_size (%llu bytes)",
                                name, max);
    /* hand the buffer itself over (no second copy of a large file) */
    if (n + 1 > in->b.cap) {
        char *b = crible_realloc(in->b.buf, n + 1, err);
        if (!b)
            return CRIBLE_ENOMEM;
        in->b.buf = b;
        in->b.cap = n + 1;
    }
    memmove(in->b.buf, in->b.buf + in->b.start, n);
    char *s = in->b.buf;
    s[n] = '\0';
    in->offset += n;
    crible_status st = buf_new(in, err);
    if (st != CRIBLE_OK) {
        free(s);
        return st;
    }
    *out = s;
    *len = n;
    return CRIBLE_OK;
}
