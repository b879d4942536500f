/*
 * conllu_write.c - the token stream's writer (format in conllu.h).
 *
 * Everything written goes through one buffer handed to write(2) when it
 * holds OUT_FLUSH bytes (and at the end): one write a quarter megabyte,
 * not a stdio call per line (write_out).  A block the reader read whole
 * (raw_ok in crible_sentence) is written from the bytes it was read from: its
 * comments in one copy, each token line in one copy followed by the extra
 * cells; a block built otherwise is joined cell by cell.  A caller that
 * makes its extra cells itself hands them as one string per token
 * (crible_conllu_write_tails, crible-stem): a row copied 32 bytes and its
 * cells 16 bytes at a time, nothing checked byte by byte.
 */
#define _GNU_SOURCE   /* F_SETPIPE_SZ (Linux) */
#include "conllu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define OUT_FLUSH (256 * 1024)

struct crible_conllu_writer {
    FILE *out;
    size_t ncolumns;
    char *names[CRIBLE_MAX_COLUMNS];
    bool header_written;
    bool plain;
    unsigned long long docs;
    int col_form, col_start, col_end, col_stem, col_id;
    bool comments_open;       /* comments written since the last block ended */
    char *ob;                 /* what is not written yet */
    size_t ob_len, ob_cap;
};

static crible_status writer_new(FILE *out, crible_conllu_writer **w, crible_error *err)
{
    *w = calloc(1, sizeof **w);
    if (!*w)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    (*w)->out = out;
#ifdef F_SETPIPE_SZ
    /* a pipe to the next stage as large as the writer's buffer (Linux: 64
     * KiB by default, up to /proc/sys/fs/pipe-max-size): one write a flush,
     * the two stages woken 4 times less often; nothing if it is no pipe */
    int fd = fileno(out);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < OUT_FLUSH)
        fcntl(fd, F_SETPIPE_SZ, OUT_FLUSH);
#endif
    return CRIBLE_OK;
}

static int find_name(const crible_conllu_writer *w, const char *name)
{
    for (size_t i = 0; i < w->ncolumns; i++)
        if (strcmp(w->names[i], name) == 0)
            return (int)i;
    return -1;
}

static crible_status writer_add_column(crible_conllu_writer *w, const char *name,
                                       crible_error *err)
{
    if (w->ncolumns == CRIBLE_MAX_COLUMNS)
        return crible_error_set(err, CRIBLE_EDATA, "more than %d columns", CRIBLE_MAX_COLUMNS);
    if (!*name || strpbrk(name, " \t\n"))
        return crible_error_set(err, CRIBLE_EINTERNAL, "bad column name '%s'", name);
    if (find_name(w, name) >= 0)
        return crible_error_set(err, CRIBLE_EDATA,
                                "the token stream already has a column %s "
                                "(did this stage run twice?)", name);
    w->names[w->ncolumns] = strdup(name);
    if (!w->names[w->ncolumns])
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    w->ncolumns++;
    return CRIBLE_OK;
}

static void writer_index_columns(crible_conllu_writer *w)
{
    w->col_id = find_name(w, "ID");
    w->col_form = find_name(w, "FORM");
    w->col_start = find_name(w, "CRIBLE:START");
    w->col_end = find_name(w, "CRIBLE:END");
    w->col_stem = find_name(w, "CRIBLE:STEM");
    if (w->col_stem < 0)
        w->col_stem = find_name(w, "LEMMA");
}

/* The end of opening *w with st: its columns found, or it closed. */
static crible_status writer_ready(crible_conllu_writer **w, crible_status st)
{
    if (st != CRIBLE_OK) {
        crible_conllu_writer_close(*w);
        *w = NULL;
        return st;
    }
    writer_index_columns(*w);
    return CRIBLE_OK;
}

crible_status crible_conllu_writer_open(FILE *out, const char *const *columns, size_t n,
                                        crible_conllu_writer **w, crible_error *err)
{
    crible_status st = writer_new(out, w, err);
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++)
        st = writer_add_column(*w, columns[i], err);
    return writer_ready(w, st);
}

crible_status crible_conllu_writer_extend(FILE *out, const crible_conllu_reader *reader,
                                          const char *const *extra, size_t n,
                                          crible_conllu_writer **w, crible_error *err)
{
    crible_status st = writer_new(out, w, err);
    for (size_t i = 0; i < crible_conllu_ncolumns(reader) && st == CRIBLE_OK; i++)
        st = writer_add_column(*w, crible_conllu_column_name(reader, i), err);
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++)
        st = writer_add_column(*w, extra[i], err);
    return writer_ready(w, st);
}

void crible_conllu_writer_set_plain(crible_conllu_writer *w, bool plain)
{
    w->plain = plain;
}

static crible_status write_failed(crible_error *err)
{
    return crible_error_set(err, CRIBLE_EIO, "cannot write to standard output: %s",
                            strerror(errno ? errno : EIO));
}

/* Writes p[0..n) to f: with write(2) on its descriptor after what stdio
 * holds of f (fflush), not through fwrite, which copies the head and tail
 * of each quarter megabyte through stdio's 4 KiB buffer (glibc: 16.5 M
 * instructions of crible-stem's 801 M on 3,000 press articles); fwrite
 * when f has no descriptor (fmemopen).  A descriptor another program
 * made non-blocking (a pipe or terminal shared with it) is waited for
 * with poll, as a blocking one would be.  False on an error (errno set
 * by write: ENOSPC, EPIPE...). */
static bool write_out(FILE *f, const char *p, size_t n)
{
    int fd = fileno(f);
    if (fd < 0)
        return fwrite(p, 1, n, f) == n;
    if (fflush(f) != 0)
        return false;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                return false;
            continue;   /* writable, or an error the next write reports */
        }
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

static crible_status flush(crible_conllu_writer *w, crible_error *err)
{
    size_t n = w->ob_len;
    w->ob_len = 0;
    errno = 0;
    if (n && !write_out(w->out, w->ob, n))
        return write_failed(err);
    return CRIBLE_OK;
}

void crible_conllu_writer_close(crible_conllu_writer *w)
{
    if (!w)
        return;
    if (w->ob_len)   /* what a failed stage wrote before its error */
        fwrite(w->ob, 1, w->ob_len, w->out);
    for (size_t i = 0; i < w->ncolumns; i++)
        free(w->names[i]);
    free(w->ob);
    free(w);
}

/* Room for n more bytes at w->ob + w->ob_len (what is there handed to
 * write_out first when n does not fit). */
static crible_status room(crible_conllu_writer *w, size_t n, crible_error *err)
{
    if (w->ob_cap - w->ob_len >= n)
        return CRIBLE_OK;
    crible_status st = flush(w, err);
    if (st != CRIBLE_OK || n <= w->ob_cap)
        return st;
    size_t cap = w->ob_cap ? w->ob_cap : 2 * OUT_FLUSH;
    while (cap < n)
        cap *= 2;
    char *nb = realloc(w->ob, cap);
    if (!nb)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    w->ob = nb;
    w->ob_cap = cap;
    return CRIBLE_OK;
}

/* Appends n bytes (room made before). */
static inline void put(crible_conllu_writer *w, const char *p, size_t n)
{
    memcpy(w->ob + w->ob_len, p, n);
    w->ob_len += n;
}

static inline void put_char(crible_conllu_writer *w, char c)
{
    w->ob[w->ob_len++] = c;
}

/* Appends the line `line` and a line feed. */
static crible_status put_line(crible_conllu_writer *w, const char *line, crible_error *err)
{
    size_t n = strlen(line);
    crible_status st = room(w, n + 1, err);
    if (st == CRIBLE_OK) {
        put(w, line, n);
        put_char(w, '\n');
    }
    return st;
}

/* Writes the buffer out once it holds OUT_FLUSH bytes. */
static crible_status block_done(crible_conllu_writer *w, crible_error *err)
{
    w->comments_open = false;
    return w->ob_len >= OUT_FLUSH ? flush(w, err) : CRIBLE_OK;
}

static crible_status write_header(crible_conllu_writer *w, crible_error *err)
{
    if (w->header_written || w->plain)
        return CRIBLE_OK;
    w->header_written = true;
    size_t n = 64;
    for (size_t i = 0; i < w->ncolumns; i++)
        n += strlen(w->names[i]) + 1;
    crible_status st = room(w, n, err);
    if (st != CRIBLE_OK)
        return st;
    put(w, "# global.columns =", 18);
    for (size_t i = 0; i < w->ncolumns; i++) {
        put_char(w, ' ');
        put(w, w->names[i], strlen(w->names[i]));
    }
    w->ob_len += (size_t)snprintf(w->ob + w->ob_len, 32, "\n# crible.version = %d\n",
                                  CRIBLE_STREAM_VERSION);
    return CRIBLE_OK;
}

static bool keep_in_plain(const char *comment)
{
    return crible_conllu_comment_value(comment, "newdoc id") ||
           crible_conllu_comment_value(comment, "sent_id") ||
           crible_conllu_comment_value(comment, "text") ||
           crible_conllu_comment_value(comment, "newpar id");
}

crible_status crible_conllu_write_comment(crible_conllu_writer *w, const char *line,
                                          crible_error *err)
{
    crible_status st = write_header(w, err);
    if (st != CRIBLE_OK)
        return st;
    if (line[0] != '#' || strpbrk(line, "\n\r"))
        return crible_error_set(err, CRIBLE_EINTERNAL, "bad comment line '%.40s'", line);
    if (strncmp(line, "# newdoc", 8) == 0)
        w->docs++;
    if (w->plain && !keep_in_plain(line))
        return CRIBLE_OK;
    w->comments_open = true;
    return put_line(w, line, err);
}

/* Cell `col` of the writer's columns for token t: the block's own cells
 * first, then the extra ones. */
static const char *row_cell(const crible_sentence *s, const char *const *extra, size_t nextra,
                            size_t t, int col)
{
    if (col < 0)
        return "_";
    if ((size_t)col < s->ncolumns)
        return crible_sentence_cell(s, t, (size_t)col);
    const char *v = extra[t * nextra + ((size_t)col - s->ncolumns)];
    return v && *v ? v : "_";
}

static crible_status write_plain(crible_conllu_writer *w, const crible_sentence *s,
                                 const char *const *extra, size_t nextra, crible_error *err)
{
    if (s->ntokens == 0)
        return CRIBLE_OK;
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; i < s->ncomments && st == CRIBLE_OK; i++) {
        if (strncmp(s->comments[i], "# newdoc", 8) == 0)
            w->docs++;
        if (keep_in_plain(s->comments[i]))
            st = put_line(w, s->comments[i], err);
    }
    for (size_t t = 0; t < s->ntokens && st == CRIBLE_OK; t++) {
        const char *form = row_cell(s, extra, nextra, t, w->col_form);
        const char *lemma = row_cell(s, extra, nextra, t, w->col_stem);
        bool glued = false;
        if (t + 1 < s->ntokens && w->col_start >= 0 && w->col_end >= 0)
            glued = strcmp(row_cell(s, extra, nextra, t, w->col_end),
                           row_cell(s, extra, nextra, t + 1, w->col_start)) == 0;
        size_t n = strlen(form) + strlen(lemma) + 64;
        if ((st = room(w, n, err)) == CRIBLE_OK)
            w->ob_len += (size_t)snprintf(w->ob + w->ob_len, n, "%zu\t%s\t%s\t_\t_\t_\t_\t_\t_\t%s\n",
                                          t + 1, form, lemma, glued ? "SpaceAfter=No" : "_");
    }
    if (st == CRIBLE_OK && (st = room(w, 1, err)) == CRIBLE_OK)
        put_char(w, '\n');
    return st == CRIBLE_OK ? block_done(w, err) : st;
}

/* The length of cell v (NULL or empty: "_"), or SIZE_MAX when it holds a
 * TAB or a line break (cells cannot). */
static size_t cell_len(const char **v)
{
    const char *c = *v && **v ? *v : "_";
    size_t n = 0;
    while (!crible_conllu_cell_stop((unsigned char)c[n]))
        n++;
    *v = c;
    return c[n] ? SIZE_MAX : n;
}

static crible_status bad_cell(const char *v, crible_error *err)
{
    return crible_error_set(err, CRIBLE_EINTERNAL,
                            "a cell cannot hold a TAB or a line break: '%.40s'", v);
}

/* put_extra when the cells do not fit in the buffer as it is: their
 * lengths first, then room for them. */
static crible_status put_extra_apart(crible_conllu_writer *w, const char *row, size_t row_len,
                                     const char *const *extra, size_t nextra, crible_error *err)
{
    const char *v[CRIBLE_MAX_COLUMNS];
    size_t len[CRIBLE_MAX_COLUMNS], need = row_len + 1;
    for (size_t k = 0; k < nextra; k++) {
        v[k] = extra[k];
        len[k] = cell_len(&v[k]);
        if (len[k] == SIZE_MAX)
            return bad_cell(v[k], err);
        need += len[k] + 1;
    }
    crible_status st = room(w, need, err);
    if (st != CRIBLE_OK)
        return st;
    put(w, row, row_len);
    for (size_t k = 0; k < nextra; k++) {
        put_char(w, '\t');
        put(w, v[k], len[k]);
    }
    put_char(w, '\n');
    return CRIBLE_OK;
}

/* Copies src[0..n) to dst 16 bytes at a time: both may be read or
 * written up to 15 bytes past n. */
static inline void copy16(char *dst, const char *src, size_t n)
{
    for (size_t k = 0; k < n; k += 16) {
#ifdef __SSE2__
        _mm_storeu_si128((__m128i *)(void *)(dst + k), _mm_loadu_si128((const __m128i *)(const void *)(src + k)));
#else
        memcpy(dst + k, src + k, 16);
#endif
    }
}

/* copy16 with a first round of `first` (16 or 32) bytes without a loop:
 * both may be read or written up to first - 1 bytes past n (a token line
 * is most often under 32 bytes, its extra cells under 16). */
static inline void copy_upto(char *dst, const char *src, size_t n, size_t first)
{
    memcpy(dst, src, first);
    if (n > first)
        copy16(dst + first, src + first, n - first);
}

/* Appends the token line row[0..row_len) (its own cells) followed by its
 * extra cells, each after a TAB, then the line feed.  `slack`: row may be
 * read 16 bytes at a time (a block read whole has room after it). */
static inline crible_status put_extra(crible_conllu_writer *w, const char *row, size_t row_len,
                                      bool slack, const char *const *extra, size_t nextra,
                                      crible_error *err)
{
    if (w->ob_cap - w->ob_len <= row_len + 16)
        return put_extra_apart(w, row, row_len, extra, nextra, err);
    /* the usual case: cells copied as they are checked, while they fit */
    char *o = w->ob + w->ob_len, *lim = w->ob + w->ob_cap - 1;   /* 1: the line feed */
    if (slack)
        copy16(o, row, row_len);
    else
        memcpy(o, row, row_len);
    o += row_len;
    for (size_t k = 0; k < nextra; k++) {
        const char *v = extra[k] && *extra[k] ? extra[k] : "_", *c = v;
        if (o == lim)
            return put_extra_apart(w, row, row_len, extra, nextra, err);
        *o++ = '\t';
        for (; !crible_conllu_cell_stop((unsigned char)*c); c++) {
            if (o == lim)
                return put_extra_apart(w, row, row_len, extra, nextra, err);
            *o++ = *c;
        }
        if (*c)
            return bad_cell(v, err);
    }
    *o++ = '\n';
    w->ob_len = (size_t)(o - w->ob);
    return CRIBLE_OK;
}

/* A block read whole (raw_ok): its comments and token lines as read. */
static crible_status write_raw(crible_conllu_writer *w, const crible_sentence *s,
                               const char *const *extra, size_t nextra, crible_error *err)
{
    for (size_t i = 0; i < s->ncomments; i++)
        if (strncmp(s->comments[i], "# newdoc", 8) == 0)
            w->docs++;
    size_t head = s->rows[0];
    if (nextra == 0) {   /* comments and token lines at once */
        crible_status st = room(w, s->raw_len + 1, err);
        if (st != CRIBLE_OK)
            return st;
        put(w, s->raw, s->raw_len);
    } else {
        /* room for the block if its extra cells are short, at once */
        crible_status st = room(w, s->raw_len + s->ntokens * nextra * 16 + 1, err);
        if (st != CRIBLE_OK)
            return st;
        put(w, s->raw, head);
        for (size_t t = 0; t < s->ntokens; t++) {
            st = put_extra(w, s->raw + s->rows[t], s->rows[t + 1] - s->rows[t] - 1, true,
                           extra + t * nextra, nextra, err);
            if (st != CRIBLE_OK)
                return st;
        }
        if ((st = room(w, 1, err)) != CRIBLE_OK)
            return st;
    }
    put_char(w, '\n');
    return block_done(w, err);
}

crible_status crible_conllu_write(crible_conllu_writer *w, const crible_sentence *s,
                                  const char *const *extra, size_t nextra, crible_error *err)
{
    if (s->ncolumns + nextra != w->ncolumns)
        return crible_error_set(err, CRIBLE_EINTERNAL,
                                "writing %zu + %zu cells to a stream of %zu columns",
                                s->ncolumns, nextra, w->ncolumns);
    if (w->plain)
        return write_plain(w, s, extra, nextra, err);
    crible_status st = write_header(w, err);
    if (st != CRIBLE_OK)
        return st;
    if (s->raw_ok)
        return write_raw(w, s, extra, nextra, err);
    for (size_t i = 0; i < s->ncomments && st == CRIBLE_OK; i++) {
        if (strncmp(s->comments[i], "# newdoc", 8) == 0)
            w->docs++;
        st = put_line(w, s->comments[i], err);
    }
    /* a block built by add_token: its own cells joined by TABs */
    char row[4096];
    for (size_t t = 0; t < s->ntokens && st == CRIBLE_OK; t++) {
        const char *const *own = (const char *const *)s->cells + t * s->ncolumns;
        size_t len = 0;
        for (size_t c = 0; c < s->ncolumns; c++)
            len += strlen(own[c]) + 1;
        char *line = len <= sizeof row ? row : malloc(len);
        if (!line)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        char *o = line;
        for (size_t c = 0; c < s->ncolumns; c++) {
            size_t n = strlen(own[c]);
            if (c)
                *o++ = '\t';
            memcpy(o, own[c], n);
            o += n;
        }
        st = put_extra(w, line, (size_t)(o - line), false, extra ? extra + t * nextra : NULL,
                       nextra, err);
        if (line != row)
            free(line);
    }
    if (st == CRIBLE_OK && (st = room(w, 1, err)) == CRIBLE_OK)
        put_char(w, '\n');
    return st == CRIBLE_OK ? block_done(w, err) : st;
}

/* crible_conllu_write_tails of a block built otherwise, or in plain
 * CoNLL-U: the tails cut into cells (a copy, NUL for each TAB). */
static crible_status write_tails_apart(crible_conllu_writer *w, const crible_sentence *s,
                                       const char *tails, const size_t *offs, size_t nextra,
                                       crible_error *err)
{
    size_t len = offs[s->ntokens] - offs[0], ncells = s->ntokens * nextra;
    char *copy = malloc(len + 1);
    const char **cells = malloc((ncells + 1) * sizeof *cells);
    crible_status st = CRIBLE_OK;
    if (!copy || !cells) {
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(copy, tails + offs[0], len);
    copy[len] = '\0';
    for (size_t t = 0, k = 0; t < s->ntokens; t++) {
        char *p = copy + (offs[t] - offs[0]), *end = copy + (offs[t + 1] - offs[0]);
        for (size_t c = 0; c < nextra; c++) {
            if (p >= end || *p != '\t') {
                st = crible_error_set(err, CRIBLE_EINTERNAL, "a token's extra cells are not %zu", nextra);
                goto done;
            }
            *p++ = '\0';
            cells[k++] = p;
            while (p < end && *p != '\t')
                p++;
        }
        if (p < end)
            *p = '\0';   /* the next token's first TAB */
    }
    st = crible_conllu_write(w, s, cells, nextra, err);
done:
    free(copy);
    free(cells);
    return st;
}

crible_status crible_conllu_write_tails(crible_conllu_writer *w, const crible_sentence *s,
                                        const char *tails, const size_t *offs, size_t nextra,
                                        crible_error *err)
{
    if (w->plain || !s->raw_ok || s->ncolumns + nextra != w->ncolumns)
        return write_tails_apart(w, s, tails, offs, nextra, err);
    crible_status st = write_header(w, err);
    /* the rows and tails copied 32 and 16 bytes at a time: 32 bytes of room */
    if (st == CRIBLE_OK)
        st = room(w, s->raw_len + (offs[s->ntokens] - offs[0]) + s->ntokens + 1 + 32, err);
    if (st != CRIBLE_OK)
        return st;
    for (size_t i = 0; i < s->ncomments; i++)
        if (strncmp(s->comments[i], "# newdoc", 8) == 0)
            w->docs++;
    put(w, s->raw, s->rows[0]);
    /* locals: the bytes stored cannot change them (no reloads) */
    const char *const raw = s->raw;
    const size_t *const rows = s->rows;
    size_t r0 = rows[0], t0 = offs[0];
    char *o = w->ob + w->ob_len;
    for (size_t t = 0, nt = s->ntokens; t < nt; t++) {
        size_t r1 = rows[t + 1], t1 = offs[t + 1];
        copy_upto(o, raw + r0, r1 - r0 - 1, 32);   /* the block read whole has SLACK bytes after it */
        o += r1 - r0 - 1;
        copy_upto(o, tails + t0, t1 - t0, 16);
        o += t1 - t0;
        *o++ = '\n';
        r0 = r1;
        t0 = t1;
    }
    *o++ = '\n';
    w->ob_len = (size_t)(o - w->ob);
    return block_done(w, err);
}

char *crible_conllu_write_space(crible_conllu_writer *w, size_t n, crible_error *err)
{
    crible_status st = write_header(w, err);
    if (st == CRIBLE_OK)
        st = room(w, n + 1, err);   /* 1: the blank line */
    return st == CRIBLE_OK ? w->ob + w->ob_len : NULL;
}

crible_status crible_conllu_write_rows_at(crible_conllu_writer *w, size_t len, crible_error *err)
{
    w->ob_len += len;
    put_char(w, '\n');
    return block_done(w, err);
}

crible_status crible_conllu_write_rows(crible_conllu_writer *w, const char *rows, size_t len,
                                       crible_error *err)
{
    char *o = crible_conllu_write_space(w, len, err);
    if (!o)
        return err->status;
    memcpy(o, rows, len);
    return crible_conllu_write_rows_at(w, len, err);
}

crible_status crible_conllu_writer_finish(crible_conllu_writer *w, crible_error *err)
{
    if (w->plain)
        return flush(w, err);
    crible_status st = write_header(w, err);
    if (st == CRIBLE_OK)
        st = room(w, 64, err);
    if (st != CRIBLE_OK)
        return st;
    w->ob_len += (size_t)snprintf(w->ob + w->ob_len, 64, "%s# crible.end = %llu\n\n",
                                  w->comments_open ? "\n" : "", w->docs);
    return flush(w, err);
}
