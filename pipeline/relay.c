/*
 * relay.c - the split and merge steps the runner does itself (relay.h).
 */
#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A line with no end this long is passed on in pieces instead of held. */
#define PARTIAL_MAX (256u << 10)

/* Makes room for n more bytes after `end`. */
static bool reserve(runner_buf *b, size_t n)
{
    if (b->start == b->end)
        b->start = b->end = 0;
    if (b->end + n > b->cap && b->start > 0) {
        memmove(b->data, b->data + b->start, b->end - b->start);
        b->end -= b->start;
        b->start = 0;
    }
    if (b->end + n <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->end + n)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        return false;
    b->data = d;
    b->cap = cap;
    return true;
}

bool runner_buf_append(runner_buf *b, const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (!reserve(b, n))
        return false;
    memcpy(b->data + b->end, p, n);
    b->end += n;
    return true;
}

void runner_buf_free(runner_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

ssize_t runner_buf_fill(runner_buf *b, int fd, size_t max)
{
    if (!reserve(b, max)) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t r;
    do
        r = read(fd, b->data + b->end, max);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        b->end += (size_t)r;
    return r;
}

ssize_t runner_buf_flush(runner_buf *b, int fd)
{
    size_t total = 0;
    while (b->start < b->end) {
        ssize_t w = write(fd, b->data + b->start, b->end - b->start);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN && total > 0)
                break;
            return -1;
        }
        b->start += (size_t)w;
        total += (size_t)w;
    }
    return (ssize_t)total;
}

/* --- order ---------------------------------------------------------------- */

bool runner_order_push(runner_order *o, size_t copy)
{
    if (o->len == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        unsigned short *c = malloc(cap * sizeof *c);
        if (!c)
            return false;
        for (size_t i = 0; i < o->len; i++)
            c[i] = o->copy[(o->head + i) % o->cap];
        free(o->copy);
        o->copy = c;
        o->cap = cap;
        o->head = 0;
    }
    o->copy[(o->head + o->len++) % o->cap] = (unsigned short)copy;
    return true;
}

void runner_order_free(runner_order *o)
{
    free(o->copy);
    memset(o, 0, sizeof *o);
}

/* --- split ---------------------------------------------------------------- */

bool runner_split_init(runner_split *s, int in_fd, const int *out_fd, size_t nout, runner_order *order)
{
    memset(s, 0, sizeof *s);
    s->order = order;
    s->in_fd = in_fd;
    s->nout = nout;
    s->target = -1;
    s->out_fd = malloc(nout * sizeof *s->out_fd);
    s->out = calloc(nout, sizeof *s->out);
    if (!s->out_fd || !s->out)
        return false;
    memcpy(s->out_fd, out_fd, nout * sizeof *out_fd);
    return true;
}

void runner_split_free(runner_split *s)
{
    runner_buf_free(&s->in);
    for (size_t i = 0; s->out && i < s->nout; i++)
        runner_buf_free(&s->out[i]);
    free(s->out);
    free(s->out_fd);
    memset(s, 0, sizeof *s);
}

/* The open copy with the least waiting, starting the search at `next` so
 * that equal copies take turns; -1 if none is open. */
static long least_busy(const runner_split *s)
{
    long best = -1;
    size_t best_len = 0;
    for (size_t k = 0; k < s->nout; k++) {
        size_t i = (s->next + k) % s->nout;
        if (s->out_fd[i] < 0)
            continue;
        if (best < 0 || runner_buf_len(&s->out[i]) < best_len) {
            best = (long)i;
            best_len = runner_buf_len(&s->out[i]);
        }
    }
    return best;
}

bool runner_split_wants_input(const runner_split *s)
{
    if (s->in_fd < 0 || runner_buf_len(&s->in) >= PARTIAL_MAX)
        return false;
    /* In the middle of a line, read on whatever the target holds: the
     * copies after it must get their next documents even while a long
     * one (50 MB on one line) waits for its copy, or the merge, which
     * waits for one of them to start its next document before it takes
     * from the copy of the long one, would wait forever.  The cost is
     * the rest of that line, held here once. */
    if (s->target >= 0)
        return true;
    long t = least_busy(s);
    return t < 0 || runner_buf_len(&s->out[t]) < RUNNER_HIGH_WATER;
}

void runner_split_pump(runner_split *s)
{
    while (runner_buf_len(&s->in) > 0) {
        if (s->target < 0 || s->out_fd[s->target] < 0) {
            long t = least_busy(s);
            if (t < 0) {        /* every copy is gone: the run is failing */
                s->in.start = s->in.end = 0;
                return;
            }
            if (runner_buf_len(&s->out[t]) >= RUNNER_HIGH_WATER)
                return;
            /* a document (not a blank line): the merge must know its copy */
            if (s->order && s->in.data[s->in.start] != '\n' && !runner_order_push(s->order, (size_t)t))
                return;
            s->target = (int)t;
            s->next = ((size_t)t + 1) % s->nout;
        }
        const char *p = s->in.data + s->in.start;
        size_t len = runner_buf_len(&s->in);
        const char *nl = memchr(p, '\n', len);
        size_t take = nl ? (size_t)(nl - p) + 1 : len;
        if (!runner_buf_append(&s->out[s->target], p, take))
            return;
        s->in.start += take;
        s->bytes += take;
        if (nl) {
            s->target = -1;
            s->docs += take > 1;
        }
    }
}

size_t runner_split_close_done(runner_split *s)
{
    size_t open = 0;
    for (size_t i = 0; i < s->nout; i++) {
        if (s->out_fd[i] < 0)
            continue;
        if (s->in_fd < 0 && runner_buf_len(&s->in) == 0 && runner_buf_len(&s->out[i]) == 0) {
            close(s->out_fd[i]);
            s->out_fd[i] = -1;
        } else {
            open++;
        }
    }
    return open;
}

void runner_split_drop(runner_split *s, size_t i)
{
    if (s->out_fd[i] >= 0)
        close(s->out_fd[i]);
    s->out_fd[i] = -1;
    s->out[i].start = s->out[i].end = 0;
}

/* --- merge ---------------------------------------------------------------- */

bool runner_merge_init(runner_merge *m, const int *in_fd, size_t n, runner_order *order)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->order = n > 1 ? order : NULL;
    m->lock = -1;
    m->ner_column = -1;
    m->in = calloc(n, sizeof *m->in);
    if (!m->in)
        return false;
    for (size_t i = 0; i < n; i++)
        m->in[i].fd = in_fd[i];
    return true;
}

void runner_merge_free(runner_merge *m)
{
    for (size_t i = 0; m->in && i < m->n; i++)
        runner_buf_free(&m->in[i].buf);
    free(m->in);
    runner_buf_free(&m->out);
    for (size_t i = 0; i < m->npreamble; i++)
        free(m->preamble[i]);
    free(m->preamble);
    memset(m, 0, sizeof *m);
}

bool runner_merge_wants_input(const runner_merge *m, size_t i)
{
    return m->in[i].fd >= 0 && runner_buf_len(&m->in[i].buf) < RUNNER_HIGH_WATER;
}

static bool starts(const char *p, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(p, prefix, n) == 0;
}

/* "# global.columns = ID FORM ... CRIBLE:NER ...": where CRIBLE:NER is. */
static void learn_columns(runner_merge *m, const char *p, size_t len)
{
    const char *eq = memchr(p, '=', len);
    m->ner_column = -1;
    if (!eq)
        return;
    const char *q = eq + 1, *end = p + len;
    int col = 0;
    while (q < end) {
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        const char *w = q;
        while (q < end && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
            q++;
        if (q == w)
            break;
        if ((size_t)(q - w) == 10 && memcmp(w, "CRIBLE:NER", 10) == 0) {
            m->ner_column = col;
            return;
        }
        col++;
    }
}

/* A comment line before an input's first document (`# global.columns`,
 * `# crible.version`, `# crible.stem = {...}`: what the stream says about
 * itself): true if it is to be written, false if another input already
 * said exactly that. */
static bool take_preamble(runner_merge *m, const char *p, size_t len)
{
    for (size_t i = 0; i < m->npreamble; i++)
        if (strlen(m->preamble[i]) == len && memcmp(m->preamble[i], p, len) == 0)
            return false;
    char **grown = realloc(m->preamble, (m->npreamble + 1) * sizeof *grown);
    char *copy = malloc(len + 1);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            m->preamble = grown;
        return true;                /* no memory to remember it: write it */
    }
    memcpy(copy, p, len);
    copy[len] = '\0';
    m->preamble = grown;
    m->preamble[m->npreamble++] = copy;
    if (starts(p, len, "# global.columns"))
        learn_columns(m, p, len);
    return true;
}

static void count_entity(runner_counts *c, const char *type, size_t len)
{
    if (len >= sizeof c->types[0].type)
        len = sizeof c->types[0].type - 1;
    for (size_t i = 0; i < c->ntypes; i++) {
        if (strlen(c->types[i].type) == len && memcmp(c->types[i].type, type, len) == 0) {
            c->types[i].count++;
            return;
        }
    }
    if (c->ntypes == sizeof c->types / sizeof c->types[0])
        return;
    memcpy(c->types[c->ntypes].type, type, len);
    c->types[c->ntypes].type[len] = '\0';
    c->types[c->ntypes++].count = 1;
}

/* A token line: ID all digits, then a TAB. */
static void count_line(runner_merge *m, const char *p, size_t len)
{
    size_t i = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i == 0 || i >= len || p[i] != '\t')
        return;
    m->counts.tokens++;
    if (m->ner_column < 0)
        return;
    int col = 0;
    const char *q = p, *end = p + len;
    while (col < m->ner_column && q < end) {
        const char *tab = memchr(q, '\t', (size_t)(end - q));
        if (!tab)
            return;
        q = tab + 1;
        col++;
    }
    if (end - q > 2 && q[0] == 'B' && q[1] == '-') {
        const char *t = q + 2, *e = t;
        while (e < end && *e != '\t' && *e != '\n' && *e != '\r')
            e++;
        count_entity(&m->counts, t, (size_t)(e - t));
    }
}

/* Whether input i's next document is the stream's next one (taking it
 * from the order if so). */
static bool next_in_order(runner_merge *m, size_t i)
{
    runner_order *o = m->order;
    if (!o)
        return true;
    if (o->len == 0 || o->copy[o->head] != i)
        return false;
    o->head = (o->head + 1) % o->cap;
    o->len--;
    return true;
}

/* The order is given up when the copy whose document is next has ended
 * without it: some stage of it dropped documents. */
static void check_order(runner_merge *m)
{
    runner_order *o = m->order;
    if (!o || o->len == 0)
        return;
    const runner_merge_input *in = &m->in[o->copy[o->head]];
    if (in->eof && runner_buf_len(&in->buf) == 0 && m->lock != (long)o->copy[o->head])
        m->order = NULL;
}

/* Moves what it may from input i; true if anything moved. */
static bool pump_one(runner_merge *m, size_t i)
{
    runner_merge_input *in = &m->in[i];
    bool moved = false;
    while (m->lock < 0 || m->lock == (long)i) {
        if (runner_buf_len(&m->out) >= RUNNER_HIGH_WATER)
            break;
        size_t len = runner_buf_len(&in->buf);
        if (len == 0)
            break;
        const char *p = in->buf.data + in->buf.start;
        const char *nl = memchr(p, '\n', len);
        size_t take = nl ? (size_t)(nl - p) + 1 : len;
        if (in->midline) {           /* the rest of a line already started */
            if (!runner_buf_append(&m->out, p, take))
                break;
            in->buf.start += take;
            m->counts.bytes += take;
            in->midline = nl == NULL;
            moved = true;
            continue;
        }
        if (!nl && !in->eof && len < PARTIAL_MAX)
            break;                   /* wait for the end of the line */
        if (starts(p, take, "# crible.end = ")) {
            /* Held back: one end mark for the whole stream, at its end. */
            m->end_docs += strtoull(p + 15, NULL, 10);
            in->ended = in->skip_blank = true;
            in->buf.start += take;
            moved = true;
            continue;
        }
        if (in->skip_blank && take == 1 && p[0] == '\n') {
            in->skip_blank = false;
            in->buf.start += take;
            moved = true;
            continue;
        }
        in->ended = in->skip_blank = false;
        bool doc = starts(p, take, "# newdoc id") || p[0] == '{';
        /* Only crible's own lines: a plain CoNLL-U stream (no `# newdoc`)
         * has `# text = ...` lines that may well repeat. */
        bool preamble = !in->seen_doc && !doc &&
                        (starts(p, take, "# global.columns") || starts(p, take, "# crible."));
        if (doc) {
            if (m->lock == (long)i && m->lock_has_doc) {
                m->lock = -1;        /* this copy's document is whole */
                m->lock_has_doc = false;
                break;
            }
            if (!next_in_order(m, i)) {
                if (m->lock == (long)i)
                    m->lock = -1;    /* its preamble is out; its document waits its turn */
                break;
            }
            m->lock_has_doc = true;
            in->seen_doc = true;
            m->counts.docs++;
        }
        m->lock = (long)i;
        if (!preamble || take_preamble(m, p, take)) {
            if (!runner_buf_append(&m->out, p, take))
                break;
            m->counts.bytes += take;
        } else {
            in->skip_blank = true;  /* the block of an empty share ends here */
        }
        if (!preamble && !doc)
            count_line(m, p, take);
        in->buf.start += take;
        in->midline = nl == NULL && !in->eof;
        moved = true;
    }
    if (m->lock == (long)i && in->eof && runner_buf_len(&in->buf) == 0) {
        m->lock = -1;               /* the others may go on */
        m->lock_has_doc = false;
        moved = true;
    }
    return moved;
}

void runner_merge_pump(runner_merge *m)
{
    bool moved = true;
    while (moved) {
        moved = false;
        check_order(m);
        size_t first = m->rotate;
        for (size_t k = 0; k < m->n; k++) {
            size_t i = (first + k) % m->n;
            if (pump_one(m, i)) {
                moved = true;
                if (m->lock < 0)
                    m->rotate = (i + 1) % m->n;
            }
        }
    }
    if (m->end_written || !runner_merge_done(m))
        return;
    /* Every input ended with its end mark: so does the merged stream.  If
     * one did not, it was cut, and the next stage must see that too. */
    bool all = m->n > 0;
    for (size_t i = 0; i < m->n; i++)
        all = all && m->in[i].ended;
    if (all) {
        char mark[64];
        int len = snprintf(mark, sizeof mark, "# crible.end = %llu\n\n", m->end_docs);
        m->end_written = runner_buf_append(&m->out, mark, (size_t)len);
    }
}

bool runner_merge_done(const runner_merge *m)
{
    for (size_t i = 0; i < m->n; i++)
        if (!m->in[i].eof || runner_buf_len(&m->in[i].buf) > 0)
            return false;
    return true;
}
