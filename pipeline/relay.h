/*
 * relay.h - the two places where the runner itself carries the stream, in
 * its own process, with poll() and non-blocking pipes:
 *
 *   source ──▶ [split] ──▶ N copies of the analysis stages ──▶ [merge] ──▶ sink
 *
 * split  cuts the document stream (JSON Lines: one document a line) at line
 *        ends and gives each line to the copy with the least data waiting,
 *        so that a slow copy gets less.  A line is given whole to one
 *        copy, however long: its queue may hold the rest of a long line
 *        while the next lines go to the other copies (see
 *        runner_split_wants_input for why).
 * merge  reads the N outputs and writes them to the sink one whole
 *        document at a time, so that documents never interleave: a
 *        document starts at a `# newdoc id = ...` line (token stream) or at
 *        a line starting with `{` (document stream), and once a copy has
 *        started a document the merge takes only from that copy until its
 *        next document starts.  Documents leave in the order they came in:
 *        the split notes which copy got each document (runner_order) and
 *        the merge takes the next document only from that copy, so -j N
 *        hands the sink the same stream as -j 1.  A copy that ends with
 *        fewer documents than it was given (a custom stage that drops
 *        some) turns the order off: from then on the merge takes whole
 *        documents from whichever copy has one.  What a stream says about itself before
 *        its first document (`# global.columns`, `# crible.version`,
 *        `# crible.stem = {...}`) is written once, before anything else;
 *        an identical line from another copy is dropped.  The end marks
 *        (`# crible.end = N`, conllu.h) are held back: when every input
 *        ended with one, the merged stream ends with one, N the sum; when
 *        one did not (it was cut), neither does the merged stream.
 *        On the way it counts what the summary shows: documents, tokens
 *        (lines whose ID is a number), and entities by type (B- tags in
 *        the CRIBLE:NER column).
 * With -j 1 there is one copy; with no analysis stage the merge reads the
 * source directly.  Neither ever blocks: the event loop (run.c) polls the
 * descriptors these structures say they want.
 */
#ifndef CRIBLE_RUNNER_RELAY_H
#define CRIBLE_RUNNER_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A byte queue: data[start..end) is waiting. */
typedef struct runner_buf {
    char *data;
    size_t start, end, cap;
} runner_buf;

static inline size_t runner_buf_len(const runner_buf *b)
{
    return b->end - b->start;
}
bool runner_buf_append(runner_buf *b, const char *p, size_t n);
void runner_buf_free(runner_buf *b);
/* read() up to `max` bytes from fd into b: >0 bytes, 0 end of file, -1 with
 * errno (EAGAIN: nothing now). */
ssize_t runner_buf_fill(runner_buf *b, int fd, size_t max);
/* write() what is waiting to fd: bytes written, or -1 with errno. */
ssize_t runner_buf_flush(runner_buf *b, int fd);

/* How much may wait in one queue before the relay stops reading. */
#define RUNNER_HIGH_WATER (1u << 20)

/* Which copy got each document, oldest first (shared by the split, which
 * appends, and the merge, which takes). */
typedef struct runner_order {
    unsigned short *copy;     /* ring of cap entries */
    size_t head, len, cap;
} runner_order;

bool runner_order_push(runner_order *o, size_t copy);
void runner_order_free(runner_order *o);

typedef struct runner_split {
    int in_fd;                /* the source's stdout; -1 once at its end */
    runner_buf in;
    size_t nout;
    int *out_fd;              /* each copy's stdin; -1 once closed */
    runner_buf *out;
    int target;               /* the copy receiving the unfinished line, or -1 */
    size_t next;              /* where the search for the least busy copy starts */
    unsigned long long docs, bytes;   /* lines (documents) and bytes passed on */
    runner_order *order;      /* where each document went, or NULL */
} runner_split;

/* order: where to note which copy gets each document (NULL: nowhere). */
bool runner_split_init(runner_split *s, int in_fd, const int *out_fd, size_t nout, runner_order *order);
void runner_split_free(runner_split *s);
/* Whether in_fd should be read now (open, and room to take more). */
bool runner_split_wants_input(const runner_split *s);
/* Moves whole lines (or a long line's next bytes) from `in` to the copies. */
void runner_split_pump(runner_split *s);
/* Closes the copies' inputs that have nothing more to get (the source is
 * at its end and their queue is empty).  Returns how many are still open. */
size_t runner_split_close_done(runner_split *s);
/* A copy's stdin is gone (EPIPE): drops its queue and sends it nothing more. */
void runner_split_drop(runner_split *s, size_t i);

typedef struct runner_entity_count {
    char type[32];
    unsigned long long count;
} runner_entity_count;

typedef struct runner_counts {
    unsigned long long docs, tokens, bytes;
    size_t ntypes;
    runner_entity_count types[64];
} runner_counts;

typedef struct runner_merge_input {
    int fd;                   /* -1 once at its end */
    runner_buf buf;
    bool eof;
    bool seen_doc;            /* a document has started: no preamble after it */
    bool midline;             /* the bytes waiting continue a line already sent */
    bool ended;               /* its last block was an end mark (# crible.end) */
    bool skip_blank;          /* the blank line after that mark is dropped */
} runner_merge_input;

typedef struct runner_merge {
    size_t n;
    runner_merge_input *in;
    long lock;                /* the input whose document is being written, or -1 */
    bool lock_has_doc;
    size_t rotate;
    runner_buf out;           /* waiting for the sink */
    char **preamble;          /* the comment lines sent from before a first document */
    size_t npreamble;
    int ner_column;           /* CRIBLE:NER's column (0-based), or -1 */
    unsigned long long end_docs;  /* the sum of the inputs' end marks */
    bool end_written;
    runner_order *order;      /* the copy of each next document, or NULL: any */
    runner_counts counts;
} runner_merge;

/* order: the split's (documents leave in input order), or NULL. */
bool runner_merge_init(runner_merge *m, const int *in_fd, size_t n, runner_order *order);
void runner_merge_free(runner_merge *m);
/* Whether input i should be read now. */
bool runner_merge_wants_input(const runner_merge *m, size_t i);
/* Moves whole documents from the inputs to `out`, counting on the way. */
void runner_merge_pump(runner_merge *m);
/* True when every input is at its end and everything was moved to `out`. */
bool runner_merge_done(const runner_merge *m);

#endif
