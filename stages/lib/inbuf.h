/*
 * inbuf.h - an input read in large blocks into one growing buffer: the
 * refill that crible-read's input (stages/read/input.c), the token
 * stream's reader (conllu.c) and the document reader (doc.c) share.  The
 * caller reads buf[start..end) as it likes (lines, blocks, in place) and
 * asks for more when it needs it.
 *
 *   crible_inbuf in;
 *   crible_inbuf_init(&in, stdin, 32);            // 32 zero bytes after end
 *   while (crible_inbuf_fill(&in, 256 * 1024, &err) > 0) ...
 *   crible_inbuf_free(&in);
 */
#ifndef CRIBLE_INBUF_H
#define CRIBLE_INBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

#define CRIBLE_INBUF_BLOCK (256 * 1024)   /* the buffer's first size */

typedef struct crible_inbuf {
    FILE *f;                  /* borrowed */
    char *buf;                /* buf[start..end) not read yet; then `slack` zero bytes */
    size_t start, end, cap;   /* cap: bytes the buffer holds, slack not counted */
    size_t slack;
    bool eof;                 /* the input ended (no more fill) */
} crible_inbuf;

/* An empty buffer over f, `slack` zero bytes kept after the data (so
 * that a reader may load a few bytes past its end); nothing allocated. */
void crible_inbuf_init(crible_inbuf *in, FILE *f, size_t slack);
void crible_inbuf_free(crible_inbuf *in);

/* Reads more after buf[end): the unread bytes moved to the front (start
 * becomes 0), the buffer doubled until at least `room` bytes are free after
 * them, then what the input has, as many bytes as are free at most (one
 * read(2): on a pipe, what is in it; a slow writer's line is taken when
 * it comes).  Returns the bytes read, 0 at the end of
 * the input (eof set), -1 with CRIBLE_ENOMEM "out of memory" or
 * CRIBLE_EIO "read error: ..." in err.  A descriptor another program made
 * non-blocking (a pipe or terminal shared with it) is waited for with poll
 * where a read says EAGAIN, as a blocking one would be. */
long long crible_inbuf_fill(crible_inbuf *in, size_t room, crible_error *err);

#endif
