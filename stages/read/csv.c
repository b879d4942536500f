/*
 * csv.c - CSV and TSV with a header line, through libcsv in strict RFC 4180
 * mode: fields may be quoted with ", a quote inside is doubled (""), a quoted
 * field may hold the delimiter and line breaks; spaces are part of fields.
 * Input is fed to libcsv one line at a time, so memory is one record and
 * every message can name the line a record starts on.  The first record
 * names the columns; then each record is one document, mapped like JSON
 * Lines (`read: {fields: {id, title, text}}`): the other non-empty cells are
 * metadata, as numbers when a cell is a JSON number ("4.5", "12"; not "3,5",
 * not "007"), else as strings.  No id column, or an empty cell: the id is
 * "SOURCE:LINE" (the line the record starts on).  Example:
 *     id,titre,note,text                      (with fields: {title: titre})
 *     c1,"Le Bureau ""des"" légendes",4.5,"Haletant,
 *     de bout en bout."
 *  -> {"id":"c1","title":"Le Bureau \"des\" légendes","text":"Haletant,\nde bout
 *      en bout.","note":4.5}
 * A record with more or fewer cells than the header, bad quoting, or an input
 * ending inside a quoted field ("cut in the middle") is an error.
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "read.h"

typedef struct cell {
    char *s;
    size_t n;
} cell;

typedef struct state {
    read_ctx *ctx;
    const char *name, *sid;
    crible_error *err;
    crible_status st;
    cell *cells;               /* the current record */
    size_t ncells, cap;
    char **header;             /* column names */
    size_t ncols;
    long lineno, start;        /* current line; line the record started on */
    unsigned long replaced;    /* in the current record */
    char *text;
    size_t text_cap;
} state;

static void on_cell(void *s, size_t n, void *data)
{
    state *x = data;
    if (x->st != CRIBLE_OK)
        return;
    if (x->ncells == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 16;
        cell *g = realloc(x->cells, cap * sizeof *g);
        if (!g) {
            x->st = crible_error_set(x->err, CRIBLE_ENOMEM, "out of memory");
            return;
        }
        memset(g + x->cap, 0, (cap - x->cap) * sizeof *g);
        x->cells = g;
        x->cap = cap;
    }
    cell *c = &x->cells[x->ncells];
    char *g = realloc(c->s, n + 1);
    if (!g) {
        x->st = crible_error_set(x->err, CRIBLE_ENOMEM, "out of memory");
        return;
    }
    memcpy(g, s ? s : "", n);
    g[n] = '\0';
    c->s = g;
    c->n = read_crlf(g, n);
    x->ncells++;
}

/* Whether s is a JSON number (RFC 8259 grammar): -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static bool json_number(const char *s, bool *integer)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return false;
    *integer = true;
    if (*p == '.') {
        *integer = false;
        if (!(*++p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        *integer = false;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0' && (!*integer || p - s <= 15);   /* exact in a double */
}

static json_t *cell_value(const cell *c)
{
    bool integer;
    if (json_number(c->s, &integer))
        return integer ? json_integer(strtoll(c->s, NULL, 10)) : json_real(strtod(c->s, NULL));
    return json_stringn_nocheck(c->s, c->n);
}

static bool mapped(const crible_read_options *o, const char *col)
{
    if (strcmp(col, o->id_field) == 0 || strcmp(col, o->title_field) == 0)
        return true;
    for (size_t i = 0; i < o->n_text_fields; i++)
        if (strcmp(col, o->text_fields[i]) == 0)
            return true;
    return false;
}

static crible_status header(state *x)
{
    const crible_read_options *o = x->ctx->opt;
    x->header = calloc(x->ncells, sizeof *x->header);
    if (!x->header)
        return crible_error_set(x->err, CRIBLE_ENOMEM, "out of memory");
    x->ncols = x->ncells;
    bool text = false;
    for (size_t i = 0; i < x->ncells; i++) {
        x->header[i] = x->cells[i].s;   /* taken over */
        x->cells[i].s = NULL;
        for (size_t k = 0; k < o->n_text_fields; k++)
            text |= strcmp(x->header[i], o->text_fields[k]) == 0;
    }
    if (!text)
        return crible_error_set(x->err, CRIBLE_EDATA,
                                "%s:%ld: no column '%s' for the text in the header (set"
                                " read.fields.text to the column that holds it)",
                                x->name, x->start, o->text_fields[0]);
    return CRIBLE_OK;
}

static crible_status row(state *x)
{
    const crible_read_options *o = x->ctx->opt;
    if (x->ncells != x->ncols)
        return crible_error_set(x->err, CRIBLE_EDATA,
                                "%s:%ld: the record has %zu fields, the header has %zu", x->name,
                                x->start, x->ncells, x->ncols);
    const char *id = NULL, *title = NULL;
    size_t tn = 0;
    json_t *meta = json_object();
    if (!meta)
        return crible_error_set(x->err, CRIBLE_ENOMEM, "out of memory");
    int fail = 0;
    for (size_t i = 0; i < x->ncols; i++) {
        const char *col = x->header[i];
        const cell *c = &x->cells[i];
        if (strcmp(col, o->id_field) == 0 && c->n)
            id = c->s;
        if (strcmp(col, o->title_field) == 0)
            title = c->s;
        if (!mapped(o, col) && c->n && *col)
            fail |= json_object_set_new(meta, col, cell_value(c));
    }
    /* the text columns, in the order of the mapping, joined by a blank line */
    for (size_t k = 0; k < o->n_text_fields; k++)
        for (size_t i = 0; i < x->ncols; i++) {
            const cell *c = &x->cells[i];
            if (strcmp(x->header[i], o->text_fields[k]) != 0 || c->n == 0)
                continue;
            if (tn + c->n + 3 > x->text_cap) {
                size_t cap = 2 * (tn + c->n + 3);
                char *g = realloc(x->text, cap);
                if (!g) {
                    fail = 1;
                    break;
                }
                x->text = g;
                x->text_cap = cap;
            }
            if (tn) {
                memcpy(x->text + tn, "\n\n", 2);
                tn += 2;
            }
            memcpy(x->text + tn, c->s, c->n + 1);
            tn += c->n;
            break;
        }
    if (!x->text && !fail) {
        x->text = calloc(1, 1);
        fail = !x->text;
    }
    if (fail) {
        json_decref(meta);
        return crible_error_set(x->err, CRIBLE_ENOMEM, "out of memory");
    }
    x->text[tn] = '\0';
    char idbuf[64 + 4096];
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "%s:%ld", x->sid, x->start);
        id = idbuf;
    }
    return read_emit(x->ctx, id, title, x->text, tn, meta, x->replaced, x->err);
}

static void on_record(int c, void *data)
{
    (void)c;
    state *x = data;
    if (x->st == CRIBLE_OK)
        x->st = x->header ? row(x) : header(x);
    x->ncells = 0;
    x->start = 0;
    x->replaced = 0;
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

crible_status read_csv(read_ctx *ctx, read_input *in, const char *name, const char *id,
                       char delimiter, crible_error *err)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    csv_set_delim(&p, (unsigned char)delimiter);
    csv_set_space_func(&p, no_space);
    state x = {.ctx = ctx, .name = name, .sid = id, .err = err};
    const char *line;
    size_t len;
    int r = 0;
    while (x.st == CRIBLE_OK &&
           (r = read_input_line(in, &line, &len, ctx->opt->max_size, name, err)) > 0) {
        x.lineno++;
        unsigned long long base = in->offset - len;
        char *fixed = NULL;
        x.st = read_clean_utf8(line, len, ctx->opt->replace_invalid, name, base, x.lineno,
                               &fixed, &len, &x.replaced, err);
        if (x.st != CRIBLE_OK)
            break;
        if (fixed)
            line = fixed;
        bool blank = (len == 1 && line[0] == '\n') || (len == 2 && line[0] == '\r' && line[1] == '\n');
        if (x.start == 0 && !blank)
            x.start = x.lineno;
        if (csv_parse(&p, line, len, on_cell, on_record, &x) != len && x.st == CRIBLE_OK)
            x.st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: %s (RFC 4180: a field with"
                                    " quotes must be quoted whole, its quotes doubled)",
                                    name, x.lineno, csv_strerror(csv_error(&p)));
        free(fixed);
    }
    if (x.st == CRIBLE_OK && r < 0)
        x.st = err->status;
    if (x.st == CRIBLE_OK && csv_fini(&p, on_cell, on_record, &x) != 0 && x.st == CRIBLE_OK)
        x.st = crible_error_set(err, CRIBLE_EDATA,
                                "%s:%ld: the input ends inside a quoted field (cut in the"
                                " middle of a record?)", name, x.start ? x.start : x.lineno);
    csv_free(&p);
    for (size_t i = 0; i < x.cap; i++)
        free(x.cells[i].s);
    free(x.cells);
    for (size_t i = 0; i < x.ncols; i++)
        free(x.header[i]);
    free(x.header);
    free(x.text);
    return x.st;
}
