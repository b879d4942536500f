/*
 * conllu.c - the token stream (CoNLL-U Plus): blocks read and written
 * between stages.  The format is described in conllu.h.
 *
 * A block is kept in one growing buffer (crible_sentence.buf) where every
 * TAB and line end becomes a NUL; cells and comments point into it.  The
 * offsets are kept beside the pointers so that a buffer that moves when it
 * grows is cheap to re-point.
 */
#include "conllu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

static const char *const ud_columns[] = {"ID", "FORM", "LEMMA", "UPOS", "XPOS",
                                         "FEATS", "HEAD", "DEPREL", "DEPS", "MISC"};

/* --- sentences ----------------------------------------------------------- */

typedef struct sentence_private {
    size_t *comment_off;
    size_t *cell_off;
} sentence_private;

/* The offsets live right after the pointer arrays, in the same allocation:
 * comments[comments_cap] then comment offsets; cells[cells_cap] then cell
 * offsets. */
static size_t *comment_offsets(crible_sentence *s)
{
    return s->comments ? (size_t *)(s->comments + s->comments_cap) : NULL;
}

static size_t *cell_offsets(crible_sentence *s)
{
    return s->cells ? (size_t *)(s->cells + s->cells_cap) : NULL;
}

void crible_sentence_init(crible_sentence *s)
{
    memset(s, 0, sizeof *s);
}

void crible_sentence_free(crible_sentence *s)
{
    free(s->comments);
    free(s->cells);
    free(s->buf);
    crible_sentence_init(s);
}

void crible_sentence_clear(crible_sentence *s, size_t ncolumns)
{
    s->ncomments = 0;
    s->ntokens = 0;
    s->ncolumns = ncolumns;
    s->buf_len = 0;
    s->line = 0;
}

static void repoint(crible_sentence *s)
{
    size_t *co = comment_offsets(s);
    for (size_t i = 0; i < s->ncomments; i++)
        s->comments[i] = s->buf + co[i];
    size_t *ce = cell_offsets(s);
    size_t ncells = s->ntokens * s->ncolumns;
    for (size_t i = 0; i < ncells; i++)
        s->cells[i] = s->buf + ce[i];
}

/* Appends n bytes and a NUL to the buffer; returns the offset or -1. */
static long long buf_append(crible_sentence *s, const char *p, size_t n)
{
    if (s->buf_len + n + 1 > s->buf_cap) {
        size_t cap = s->buf_cap ? s->buf_cap : 4096;
        while (cap < s->buf_len + n + 1)
            cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb)
            return -1;
        s->buf = nb;
        s->buf_cap = cap;
        repoint(s);
    }
    size_t off = s->buf_len;
    memcpy(s->buf + off, p, n);
    s->buf[off + n] = '\0';
    s->buf_len += n + 1;
    return (long long)off;
}

static bool grow_comments(crible_sentence *s)
{
    if (s->ncomments < s->comments_cap)
        return true;
    size_t cap = s->comments_cap ? s->comments_cap * 2 : 16;
    char **nc = malloc(cap * (sizeof(char *) + sizeof(size_t)));
    if (!nc)
        return false;
    if (s->comments) {
        memcpy(nc, s->comments, s->ncomments * sizeof(char *));
        memcpy(nc + cap, comment_offsets(s), s->ncomments * sizeof(size_t));
        free(s->comments);
    }
    s->comments = nc;
    s->comments_cap = cap;
    return true;
}

static bool grow_cells(crible_sentence *s, size_t need)
{
    if (need <= s->cells_cap)
        return true;
    size_t cap = s->cells_cap ? s->cells_cap : 256;
    while (cap < need)
        cap *= 2;
    char **nc = malloc(cap * (sizeof(char *) + sizeof(size_t)));
    if (!nc)
        return false;
    size_t ncells = s->ntokens * s->ncolumns;
    if (s->cells) {
        memcpy(nc, s->cells, ncells * sizeof(char *));
        memcpy(nc + cap, cell_offsets(s), ncells * sizeof(size_t));
        free(s->cells);
    }
    s->cells = nc;
    s->cells_cap = cap;
    return true;
}

crible_status crible_sentence_add_comment(crible_sentence *s, const char *line,
                                          crible_error *err)
{
    if (strpbrk(line, "\n\r"))
        return crible_error_set(err, CRIBLE_EINTERNAL, "a comment cannot hold a line break");
    if (!grow_comments(s))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    long long off = buf_append(s, line, strlen(line));
    if (off < 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    comment_offsets(s)[s->ncomments] = (size_t)off;
    s->comments[s->ncomments++] = s->buf + off;
    return CRIBLE_OK;
}

crible_status crible_sentence_add_token(crible_sentence *s, const char *const *cells,
                                        crible_error *err)
{
    size_t base = s->ntokens * s->ncolumns;
    if (!grow_cells(s, base + s->ncolumns))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->ncolumns; c++) {
        const char *v = cells[c] && cells[c][0] ? cells[c] : "_";
        long long off = buf_append(s, v, strlen(v));
        if (off < 0)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        cell_offsets(s)[base + c] = (size_t)off;
    }
    /* point the row's cells only now: an append may have moved the buffer */
    for (size_t c = 0; c < s->ncolumns; c++)
        s->cells[base + c] = s->buf + cell_offsets(s)[base + c];
    s->ntokens++;
    return CRIBLE_OK;
}

const char *crible_sentence_comment(const crible_sentence *s, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < s->ncomments; i++) {
        const char *c = s->comments[i] + 1;
        while (*c == ' ')
            c++;
        if (strncmp(c, key, klen) != 0)
            continue;
        c += klen;
        while (*c == ' ')
            c++;
        if (*c != '=')
            continue;
        c++;
        if (*c == ' ')
            c++;
        return c;
    }
    return NULL;
}

/* --- reader -------------------------------------------------------------- */

struct crible_conllu_reader {
    FILE *in;
    char *name;
    char *line;
    size_t cap;
    ssize_t len;          /* length of the line in `line` (without "\n") */
    bool line_complete;   /* it ended with "\n" */
    bool pushed_back;     /* `line` is to be read again */
    long lineno;
    size_t ncolumns;
    char *names[CRIBLE_MAX_COLUMNS];
    bool header_known;
    bool crible_stream;   /* saw "# crible.version": an end mark is due */
    bool ended;           /* the last block read was an end mark */
    unsigned long long end_count;
};

crible_status crible_conllu_reader_open(FILE *in, const char *name,
                                        crible_conllu_reader **out, crible_error *err)
{
    crible_conllu_reader *r = calloc(1, sizeof *r);
    if (!r)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    r->in = in;
    r->name = crible_input_name(name);
    if (!r->name) {
        free(r);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    *out = r;
    return CRIBLE_OK;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

void crible_conllu_reader_close(crible_conllu_reader *r)
{
    if (!r)
        return;
    free_names(r->names, r->ncolumns);
    free(r->line);
    free(r->name);
    free(r);
}

/* Reads the next line into r->line.  1: a line, 0: end, -1: error. */
static int next_line(crible_conllu_reader *r, crible_error *err)
{
    if (r->pushed_back) {
        r->pushed_back = false;
        return 1;
    }
    errno = 0;
    ssize_t n = getline(&r->line, &r->cap, r->in);
    if (n < 0) {
        if (ferror(r->in)) {
            crible_error_set(err, CRIBLE_EIO, "%s: read error: %s", r->name,
                             strerror(errno ? errno : EIO));
            return -1;
        }
        return 0;
    }
    r->lineno++;
    r->line_complete = n > 0 && r->line[n - 1] == '\n';
    if (r->line_complete)
        n--;
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    r->line[n] = '\0';
    r->len = n;
    if (!r->line_complete && r->crible_stream) {
        crible_error_set(err, CRIBLE_EDATA,
                         "%s:%ld: the stream ends in the middle of a line: it was cut short",
                         r->name, r->lineno);
        return -1;
    }
    if (memchr(r->line, '\0', (size_t)n)) {
        crible_error_set(err, CRIBLE_EDATA, "%s:%ld: NUL byte at byte %ld of the line",
                         r->name, r->lineno, (long)strlen(r->line) + 1);
        return -1;
    }
    size_t bad = crible_utf8_invalid_offset(r->line, (size_t)n);
    if (bad < (size_t)n) {
        crible_error_set(err, CRIBLE_EDATA, "%s:%ld: invalid UTF-8 at byte %zu of the line",
                         r->name, r->lineno, bad + 1);
        return -1;
    }
    return 1;
}

static bool starts_with_key(const char *line, const char *key, const char **value)
{
    if (line[0] != '#')
        return false;
    line++;
    while (*line == ' ')
        line++;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0)
        return false;
    line += k;
    while (*line == ' ')
        line++;
    if (*line != '=')
        return false;
    line++;
    while (*line == ' ')
        line++;
    *value = line;
    return true;
}

static crible_status parse_columns(crible_conllu_reader *r, const char *value,
                                   char **names, size_t *n, crible_error *err)
{
    *n = 0;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*n == CRIBLE_MAX_COLUMNS) {
            free_names(names, *n);
            return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: more than %d columns",
                                    r->name, r->lineno, CRIBLE_MAX_COLUMNS);
        }
        names[*n] = strndup(start, (size_t)(p - start));
        if (!names[*n]) {
            free_names(names, *n);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        (*n)++;
    }
    if (*n == 0)
        return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: global.columns names no column",
                                r->name, r->lineno);
    return CRIBLE_OK;
}

/* Handles the stream-level lines (global.columns, crible.version).  Returns
 * 1 if the line was one (consumed), 0 if not, -1 on error. */
static int stream_line(crible_conllu_reader *r, crible_error *err)
{
    const char *value;
    if (starts_with_key(r->line, "global.columns", &value)) {
        char *names[CRIBLE_MAX_COLUMNS];
        size_t n;
        if (parse_columns(r, value, names, &n, err) != CRIBLE_OK)
            return -1;
        if (r->header_known) {
            bool same = n == r->ncolumns;
            for (size_t i = 0; same && i < n; i++)
                same = strcmp(names[i], r->names[i]) == 0;
            free_names(names, n);
            if (!same) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: a second stream with other columns "
                                 "(global.columns differs from line 1)", r->name, r->lineno);
                return -1;
            }
            return 1;
        }
        memcpy(r->names, names, n * sizeof *names);
        r->ncolumns = n;
        r->header_known = true;
        return 1;
    }
    if (starts_with_key(r->line, "crible.version", &value)) {
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || v < 1) {
            crible_error_set(err, CRIBLE_EDATA, "%s:%ld: bad crible.version '%s'", r->name,
                             r->lineno, value);
            return -1;
        }
        if (v > CRIBLE_STREAM_VERSION) {
            crible_error_set(err, CRIBLE_EDATA,
                             "%s:%ld: token stream version %ld is newer than this "
                             "program reads (%d): upgrade crible", r->name, r->lineno, v,
                             CRIBLE_STREAM_VERSION);
            return -1;
        }
        r->crible_stream = true;
        return 1;
    }
    return 0;
}

static crible_status default_header(crible_conllu_reader *r, crible_error *err)
{
    for (size_t i = 0; i < 10; i++) {
        r->names[i] = strdup(ud_columns[i]);
        if (!r->names[i]) {
            free_names(r->names, i);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
    }
    r->ncolumns = 10;
    r->header_known = true;
    return CRIBLE_OK;
}

crible_status crible_conllu_reader_peek_header(crible_conllu_reader *r, crible_error *err)
{
    while (!r->header_known) {
        int got = next_line(r, err);
        if (got < 0)
            return err->status;
        if (got == 0)
            return default_header(r, err);
        int s = stream_line(r, err);
        if (s < 0)
            return err->status;
        if (s == 0) {
            r->pushed_back = true;
            return default_header(r, err);
        }
    }
    /* a crible.version line right after the header */
    int got = next_line(r, err);
    if (got < 0)
        return err->status;
    if (got > 0) {
        int kind = stream_line(r, err);
        if (kind < 0)
            return err->status;
        if (kind == 0)
            r->pushed_back = true;
    }
    return CRIBLE_OK;
}

static crible_status split_token(crible_conllu_reader *r, crible_sentence *s,
                                 crible_error *err)
{
    size_t base = s->ntokens * s->ncolumns;
    if (!grow_cells(s, base + s->ncolumns))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    long long off = buf_append(s, r->line, (size_t)r->len);
    if (off < 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    char *p = s->buf + off, *end = p + r->len;
    size_t *offs = cell_offsets(s);
    offs[base] = (size_t)off;
    s->cells[base] = p;
    size_t c = 1;
    for (; p < end; p++) {   /* one pass over the line, no call per cell */
        if (*p != '\t')
            continue;
        if (c == s->ncolumns)
            return crible_error_set(err, CRIBLE_EDATA,
                                    "%s:%ld: more than %zu cells on a token line "
                                    "(the stream's columns: see global.columns)",
                                    r->name, r->lineno, s->ncolumns);
        *p = '\0';
        offs[base + c] = (size_t)(p + 1 - s->buf);
        s->cells[base + c] = p + 1;
        c++;
    }
    if (c != s->ncolumns)
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s:%ld: %zu cells on a token line where the stream has "
                                "%zu columns", r->name, r->lineno, c, s->ncolumns);
    s->ntokens++;
    return CRIBLE_OK;
}

int crible_conllu_read(crible_conllu_reader *r, crible_sentence *s, crible_error *err)
{
    if (!r->header_known && crible_conllu_reader_peek_header(r, err) != CRIBLE_OK)
        return -1;
    crible_sentence_clear(s, r->ncolumns);
    bool in_block = false;
    for (;;) {
        int got = next_line(r, err);
        if (got < 0)
            return -1;
        if (got == 0) {
            if (!in_block)
                return 0;
            if (r->crible_stream) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: the stream ends inside a block (no blank line "
                                 "after it): it was cut short", r->name, r->lineno);
                return -1;
            }
            if (!r->line_complete) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: the stream ends in the middle of a line: it was "
                                 "cut short", r->name, r->lineno);
                return -1;
            }
            return 1; /* plain CoNLL-U without a final blank line */
        }
        if (r->len == 0) {
            if (in_block)
                return 1;
            continue; /* blank lines between blocks */
        }
        if (!in_block) {
            in_block = true;
            s->line = r->lineno;
            r->ended = false;
        }
        if (r->line[0] == '#') {
            if (s->ntokens > 0) {
                crible_error_set(err, CRIBLE_EDATA,
                                 "%s:%ld: a comment after token lines (a blank line is "
                                 "missing before it)", r->name, r->lineno);
                return -1;
            }
            int st = stream_line(r, err);
            if (st < 0)
                return -1;
            if (st > 0) {
                if (s->ncomments == 0)
                    in_block = false;
                continue;
            }
            const char *value;
            if (starts_with_key(r->line, "crible.end", &value)) {
                if (s->ncomments > 0) {
                    /* comments with no token and no blank line before the
                     * end mark (settings of an empty stream): a block */
                    r->pushed_back = true;
                    return 1;
                }
                r->end_count += strtoull(value, NULL, 10);
                r->ended = true;
                in_block = false;
                continue;
            }
            r->ended = false;
            if (crible_sentence_add_comment(s, r->line, err) != CRIBLE_OK)
                return -1;
            continue;
        }
        r->ended = false;
        if (split_token(r, s, err) != CRIBLE_OK)
            return -1;
    }
}

bool crible_conllu_reader_complete(const crible_conllu_reader *r)
{
    return !r->crible_stream || r->ended;
}

crible_status crible_conllu_reader_check_complete(const crible_conllu_reader *r,
                                                  crible_error *err)
{
    if (crible_conllu_reader_complete(r))
        return CRIBLE_OK;
    return crible_error_set(err, CRIBLE_EDATA,
                            "%s: the stream ends without its end mark: it was cut short "
                            "(did the stage before this one fail?)", r->name);
}

unsigned long long crible_conllu_reader_end_count(const crible_conllu_reader *r)
{
    return r->end_count;
}

size_t crible_conllu_ncolumns(const crible_conllu_reader *r)
{
    return r->ncolumns;
}

const char *crible_conllu_column_name(const crible_conllu_reader *r, size_t i)
{
    return i < r->ncolumns ? r->names[i] : NULL;
}

int crible_conllu_column(const crible_conllu_reader *r, const char *name)
{
    for (size_t i = 0; i < r->ncolumns; i++)
        if (strcmp(r->names[i], name) == 0)
            return (int)i;
    return -1;
}

crible_status crible_conllu_require(const crible_conllu_reader *r, const char *column,
                                    const char *hint, int *out, crible_error *err)
{
    *out = crible_conllu_column(r, column);
    if (*out >= 0)
        return CRIBLE_OK;
    return crible_error_set(err, CRIBLE_EDATA, "%s: the token stream has no column %s%s%s%s",
                            r->name, column, hint ? " (" : "", hint ? hint : "",
                            hint ? ")" : "");
}

const char *crible_conllu_reader_name(const crible_conllu_reader *r)
{
    return r->name;
}

/* --- writer -------------------------------------------------------------- */

struct crible_conllu_writer {
    FILE *out;
    size_t ncolumns;
    char *names[CRIBLE_MAX_COLUMNS];
    bool header_written;
    bool plain;
    unsigned long long docs;
    int col_form, col_start, col_end, col_stem, col_id;
    bool comments_open;       /* comments written since the last block ended */
    char *line;               /* one block's token lines, written at once */
    size_t line_len, line_cap;
};

static crible_status writer_new(FILE *out, crible_conllu_writer **w, crible_error *err)
{
    *w = calloc(1, sizeof **w);
    if (!*w)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    (*w)->out = out;
    return CRIBLE_OK;
}

static crible_status writer_add_column(crible_conllu_writer *w, const char *name,
                                       crible_error *err)
{
    if (w->ncolumns == CRIBLE_MAX_COLUMNS)
        return crible_error_set(err, CRIBLE_EDATA, "more than %d columns", CRIBLE_MAX_COLUMNS);
    if (!*name || strpbrk(name, " \t\n"))
        return crible_error_set(err, CRIBLE_EINTERNAL, "bad column name '%s'", name);
    for (size_t i = 0; i < w->ncolumns; i++)
        if (strcmp(w->names[i], name) == 0)
            return crible_error_set(err, CRIBLE_EDATA,
                                    "the token stream already has a column %s "
                                    "(did this stage run twice?)", name);
    w->names[w->ncolumns] = strdup(name);
    if (!w->names[w->ncolumns])
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    w->ncolumns++;
    return CRIBLE_OK;
}

static int find_name(const crible_conllu_writer *w, const char *name)
{
    for (size_t i = 0; i < w->ncolumns; i++)
        if (strcmp(w->names[i], name) == 0)
            return (int)i;
    return -1;
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

crible_status crible_conllu_writer_open(FILE *out, const char *const *columns, size_t n,
                                        crible_conllu_writer **w, crible_error *err)
{
    crible_status st = writer_new(out, w, err);
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++)
        st = writer_add_column(*w, columns[i], err);
    if (st != CRIBLE_OK) {
        crible_conllu_writer_close(*w);
        *w = NULL;
        return st;
    }
    writer_index_columns(*w);
    return CRIBLE_OK;
}

crible_status crible_conllu_writer_extend(FILE *out, const crible_conllu_reader *reader,
                                          const char *const *extra, size_t n,
                                          crible_conllu_writer **w, crible_error *err)
{
    crible_status st = writer_new(out, w, err);
    for (size_t i = 0; i < reader->ncolumns && st == CRIBLE_OK; i++)
        st = writer_add_column(*w, reader->names[i], err);
    for (size_t i = 0; i < n && st == CRIBLE_OK; i++)
        st = writer_add_column(*w, extra[i], err);
    if (st != CRIBLE_OK) {
        crible_conllu_writer_close(*w);
        *w = NULL;
        return st;
    }
    writer_index_columns(*w);
    return CRIBLE_OK;
}

void crible_conllu_writer_set_plain(crible_conllu_writer *w, bool plain)
{
    w->plain = plain;
}

void crible_conllu_writer_close(crible_conllu_writer *w)
{
    if (!w)
        return;
    free_names(w->names, w->ncolumns);
    free(w->line);
    free(w);
}

static crible_status write_failed(crible_error *err)
{
    return crible_error_set(err, CRIBLE_EIO, "cannot write to standard output: %s",
                            strerror(errno ? errno : EIO));
}

static crible_status write_header(crible_conllu_writer *w, crible_error *err)
{
    if (w->header_written || w->plain)
        return CRIBLE_OK;
    w->header_written = true;
    fputs("# global.columns =", w->out);
    for (size_t i = 0; i < w->ncolumns; i++) {
        putc(' ', w->out);
        fputs(w->names[i], w->out);
    }
    if (fprintf(w->out, "\n# crible.version = %d\n", CRIBLE_STREAM_VERSION) < 0)
        return write_failed(err);
    return CRIBLE_OK;
}

static bool keep_in_plain(const char *comment);

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
    if (fputs(line, w->out) == EOF || putc('\n', w->out) == EOF)
        return write_failed(err);
    return CRIBLE_OK;
}

static bool keep_in_plain(const char *comment)
{
    const char *v;
    return starts_with_key(comment, "newdoc id", &v) || starts_with_key(comment, "sent_id", &v) ||
           starts_with_key(comment, "text", &v) || starts_with_key(comment, "newpar id", &v);
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
    for (size_t i = 0; i < s->ncomments; i++) {
        if (strncmp(s->comments[i], "# newdoc", 8) == 0)
            w->docs++;
        if (keep_in_plain(s->comments[i]) &&
            (fputs(s->comments[i], w->out) == EOF || putc('\n', w->out) == EOF))
            return write_failed(err);
    }
    for (size_t t = 0; t < s->ntokens; t++) {
        const char *form = row_cell(s, extra, nextra, t, w->col_form);
        const char *lemma = row_cell(s, extra, nextra, t, w->col_stem);
        bool glued = false;
        if (t + 1 < s->ntokens && w->col_start >= 0 && w->col_end >= 0)
            glued = strcmp(row_cell(s, extra, nextra, t, w->col_end),
                           row_cell(s, extra, nextra, t + 1, w->col_start)) == 0;
        if (fprintf(w->out, "%zu\t%s\t%s\t_\t_\t_\t_\t_\t_\t%s\n", t + 1, form, lemma,
                    glued ? "SpaceAfter=No" : "_") < 0)
            return write_failed(err);
    }
    if (putc('\n', w->out) == EOF)
        return write_failed(err);
    return CRIBLE_OK;
}

/* Appends v to the writer's line buffer; false if it holds a TAB or a line
 * break (cells cannot). */
static bool line_add(crible_conllu_writer *w, const char *v, size_t n)
{
    if (w->line_len + n + 2 > w->line_cap) {
        size_t cap = w->line_cap ? w->line_cap : 1024;
        while (cap < w->line_len + n + 2)
            cap *= 2;
        char *nb = realloc(w->line, cap);
        if (!nb)
            return false;
        w->line = nb;
        w->line_cap = cap;
    }
    memcpy(w->line + w->line_len, v, n);
    w->line_len += n;
    return true;
}

/* Turns the NULs ending cells 0..n-2 in `o`, the copy of a row starting at
 * `first`, into TABs; false if one of them is not a NUL. */
static bool nuls_to_tabs(char *o, const char *first, char *const *cells, size_t n)
{
    for (size_t c = 1; c < n; c++) {
        char *sep = o + (cells[c] - first - 1);
        if (*sep != '\0')
            return false;
        *sep = '\t';
    }
    return true;
}

/* The block's own cells of token t appended at once, when they still lie
 * in the sentence's buffer as the reader or add_token left them: one after
 * the other, each ended by a NUL, which become TABs.  false (nothing
 * appended, or out of memory: the caller's path reports it) when a caller
 * re-pointed a cell or cut one with a NUL of its own. */
static bool add_own_row(crible_conllu_writer *w, const crible_sentence *s, size_t t)
{
    size_t n = s->ncolumns, base = t * n;
    const size_t *offs = (const size_t *)(s->cells + s->cells_cap);
    if (n == 0)
        return false;
    for (size_t c = 0; c < n; c++)
        if (s->cells[base + c] != s->buf + offs[base + c] ||
            (c && offs[base + c] <= offs[base + c - 1]))
            return false;
    const char *first = s->cells[base], *last = s->cells[base + n - 1];
    size_t len = (size_t)(last - first) + strlen(last);
    size_t at = w->line_len;
    if (!line_add(w, first, len))
        return false;
    char *o = w->line + at;
    if (!nuls_to_tabs(o, first, s->cells + base, n) || memchr(o, '\0', len)) {
        w->line_len = at;
        return false;
    }
    return true;
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
    for (size_t i = 0; i < s->ncomments; i++) {
        if (strncmp(s->comments[i], "# newdoc", 8) == 0)
            w->docs++;
        if (fputs(s->comments[i], w->out) == EOF || putc('\n', w->out) == EOF)
            return write_failed(err);
    }
    /* A block is built in one buffer and written with one fwrite. */
    w->line_len = 0;
    for (size_t t = 0; t < s->ntokens; t++) {
        const char *const *row = (const char *const *)s->cells + t * s->ncolumns;
        if (!add_own_row(w, s, t)) {
            for (size_t c = 0; c < s->ncolumns; c++) {
                if ((c && !line_add(w, "\t", 1)) || !line_add(w, row[c], strlen(row[c])))
                    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            }
        }
        for (size_t k = 0; k < nextra; k++) {
            const char *v = extra[t * nextra + k];
            if (!v || !*v)
                v = "_";
            size_t n = 0;
            bool clean = true;   /* no TAB nor line break, in the same pass as the length */
            for (unsigned char ch; (ch = (unsigned char)v[n]) != 0; n++)
                clean &= ch != '\t' && ch != '\n' && ch != '\r';
            if (!clean)
                return crible_error_set(err, CRIBLE_EINTERNAL,
                                        "a cell cannot hold a TAB or a line break: '%.40s'", v);
            if (!line_add(w, "\t", 1) || !line_add(w, v, n))
                return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        if (!line_add(w, "\n", 1))
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    if (!line_add(w, "\n", 1))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (fwrite(w->line, 1, w->line_len, w->out) != w->line_len)
        return write_failed(err);
    w->comments_open = false;
    return CRIBLE_OK;
}

crible_status crible_conllu_writer_finish(crible_conllu_writer *w, crible_error *err)
{
    if (w->plain)
        return CRIBLE_OK;
    crible_status st = write_header(w, err);
    if (st != CRIBLE_OK)
        return st;
    if (fprintf(w->out, "%s# crible.end = %llu\n\n", w->comments_open ? "\n" : "", w->docs) < 0)
        return write_failed(err);
    return CRIBLE_OK;
}
