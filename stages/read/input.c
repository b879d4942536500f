/*
 * input.c - a buffered input for crible-read: one file or stdin, read in
 * 256 KiB blocks.  It lets the format detector peek at the first bytes
 * (even on a pipe), hands out lines without copying them, and reads whole
 * files for the formats that are one document per file.  Memory is the
 * longest line (JSON Lines, CSV) or the file (text, HTML), never the input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "read.h"

#define BLOCK (256 * 1024)

crible_status read_input_open(read_input *in, const char *path, crible_error *err)
{
    memset(in, 0, sizeof *in);
    if (strcmp(path, "-") == 0) {
        in->f = stdin;
        in->is_stdin = true;
    } else {
        in->f = fopen(path, "rb");
        if (!in->f)
            return crible_error_set(err, errno == ENOMEM ? CRIBLE_ENOMEM : CRIBLE_EIO,
                                    "cannot open '%s': %s", path, strerror(errno));
    }
    in->cap = BLOCK;
    in->buf = crible_malloc(in->cap, err);
    if (!in->buf) {
        read_input_close(in);
        return CRIBLE_ENOMEM;
    }
    return CRIBLE_OK;
}

void read_input_close(read_input *in)
{
    if (in->f && !in->is_stdin)
        fclose(in->f);
    free(in->buf);
    memset(in, 0, sizeof *in);
}

/* Reads more bytes after buf[end], moving unread bytes to the front and
 * growing the buffer so that at least `room` bytes fit.  -1 on a read error. */
static int fill(read_input *in, size_t room, crible_error *err)
{
    if (in->eof)
        return 0;
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (in->cap - in->end < room) {
        size_t cap = in->cap;
        while (cap - in->end < room)
            cap *= 2;
        char *b = crible_realloc(in->buf, cap, err);
        if (!b)
            return -1;
        in->buf = b;
        in->cap = cap;
    }
    size_t got = fread(in->buf + in->end, 1, in->cap - in->end, in->f);
    in->end += got;
    if (got == 0) {
        if (ferror(in->f)) {
            crible_error_set(err, CRIBLE_EIO, "read error: %s", strerror(errno));
            return -1;
        }
        in->eof = true;
    }
    return got > 0;
}

size_t read_input_peek(read_input *in, size_t want, crible_error *err)
{
    while (in->end - in->start < want && !in->eof)
        if (fill(in, want, err) < 0)
            return 0;
    size_t have = in->end - in->start;
    return have < want ? have : want;
}

int read_input_line(read_input *in, const char **line, size_t *len,
                    unsigned long long max, const char *name, crible_error *err)
{
    size_t scanned = 0;
    for (;;) {
        char *p = in->buf + in->start;
        size_t have = in->end - in->start;
        char *nl = memchr(p + scanned, '\n', have - scanned);
        if (nl || (in->eof && have > 0)) {
            size_t n = nl ? (size_t)(nl - p) + 1 : have;
            *line = p;
            *len = n;
            in->start += n;
            in->offset += n;
            return 1;
        }
        if (in->eof)
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
    while (!in->eof) {
        if (in->end - in->start > max)
            return crible_error_set(err, CRIBLE_EDATA, "%s: larger than max_size (%llu bytes)",
                                    name, max);
        size_t have = in->end - in->start;
        if (fill(in, have < BLOCK ? BLOCK : have, err) < 0)
            return err->status;
    }
    size_t n = in->end - in->start;
    if (n > max)
        return crible_error_set(err, CRIBLE_EDATA, "%s: larger than max_size (%llu bytes)",
                                name, max);
    /* hand the buffer itself over (no second copy of a large file) */
    memmove(in->buf, in->buf + in->start, n);
    if (n + 1 > in->cap) {
        char *b = crible_realloc(in->buf, n + 1, err);
        if (!b)
            return CRIBLE_ENOMEM;
        in->buf = b;
    }
    char *s = in->buf;
    s[n] = '\0';
    in->offset += n;
    in->buf = crible_malloc(BLOCK, err);
    in->cap = BLOCK;
    in->start = in->end = 0;
    if (!in->buf) {
        free(s);
        in->cap = 0;
        return CRIBLE_ENOMEM;
    }
    *out = s;
    *len = n;
    return CRIBLE_OK;
}
