/*
 * doc.c - the document stream (JSON Lines), read and written with jansson.
 * The format is described in doc.h.
 *
 * The reader keeps its input in one buffer (inbuf.h: 256 KiB reads, read(2)
 * straight into it, doubled for a longer line) and hands each line where it
 * lies, not through stdio's 4 KiB buffer and getline's copy (crible-tokenize
 * on a pipe made 19,322 reads of the press's 79 MB that way, 4 KiB each).
 * A non-blocking input (O_NONBLOCK set by another program on a pipe it
 * shares) is waited for there, the part of a line read before kept.
 */
#include "doc.h"

#include "inbuf.h"
#include "json_fast.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define READER_SPANS 32
#define READER_SLACK 64   /* zero bytes after the input's last line */

struct crible_doc_reader {
    crible_inbuf in;      /* in.buf[in.start..in.end) not read yet */
    char *name;
    char *line;           /* the current line, in in.buf: valid until the next read */
    long lineno;
    bool lazy;
    char *work;           /* lazy documents: a copy of the line (json_fast.h) */
    size_t work_cap;
    crible_json_span spans[READER_SPANS];   /* a lazy document's members (crible_doc.spans) */
};

void crible_doc_reader_set_lazy(crible_doc_reader *r, bool lazy)
{
    r->lazy = lazy;
}

/* The string span s[0..n) of doc->raw, unescaped into the same place of
 * doc->work: it fits in its span, the closing quote takes the NUL. */
static const char *lazy_string(const crible_doc *doc, const char *s, size_t n, size_t *len)
{
    char *dst = doc->work + (s - doc->raw);
    *len = crible_json_unescape(s, n, dst);
    return dst;
}

const char *crible_doc_string(const crible_doc *doc, const char *name, size_t *len)
{
    if (doc->json) {
        json_t *v = json_object_get(doc->json, name);
        if (!json_is_string(v))
            return NULL;
        *len = json_string_length(v);
        return json_string_value(v);
    }
    if (doc->work && doc->text && strcmp(name, "text") == 0) {
        *len = doc->text_len;   /* unescaped by the reader already */
        return doc->text;
    }
    const char *s;
    size_t n;
    if (!doc->work)
        return NULL;
    if (doc->spans) {
        crible_json_spans_strings(doc->spans, doc->nspans, &name, 1, &s, &n);
        if (!s)
            return NULL;
    } else if (!crible_json_member_find(doc->raw, doc->raw_len, name, &s, &n)) {
        return NULL;
    }
    return lazy_string(doc, s, n, len);
}

void crible_doc_strings(const crible_doc *doc, const char *const *names, size_t k, const char **strs,
                        size_t *lens)
{
    if (doc->spans)
        crible_json_spans_strings(doc->spans, doc->nspans, names, k, strs, lens);
    else
        crible_json_doc_strings(doc->raw, doc->raw_len, names, k, strs, lens);
}

/* raw[0..len) without the blank space around it. */
static const char *trim(const char *raw, size_t *len)
{
    while (*len > 0 && (raw[*len - 1] == ' ' || raw[*len - 1] == '\t' || raw[*len - 1] == '\r'))
        (*len)--;
    while (*len > 0 && (*raw == ' ' || *raw == '\t' || *raw == '\r')) {
        raw++;
        (*len)--;
    }
    return raw;
}

/* The lazy path for a line the scanner vouched for (*m: its id and text
 * spans): 1, or 0 to parse it with jansson after all (an empty id:
 * jansson's path says why). */
static int read_lazy(crible_doc_reader *r, size_t len, const crible_json_doc *m, crible_doc *doc)
{
    const char *raw = trim(r->line, &len);
    if (len + 1 > r->work_cap) {
        char *w = realloc(r->work, len + 1);
        if (!w)
            return 0;
        r->work = w;
        r->work_cap = len + 1;
    }
    memcpy(r->work, raw, len);
    r->work[len] = '\0';
    doc->raw = raw;
    doc->raw_len = len;
    doc->work = r->work;
    size_t id_len;
    doc->id = lazy_string(doc, m->id_str, m->id_len, &id_len);
    doc->text = lazy_string(doc, m->text_str, m->text_len, &doc->text_len);
    if (id_len == 0) {
        memset(doc, 0, sizeof *doc);
        return 0;
    }
    doc->line = r->lineno;
    return 1;
}

char *crible_input_name(const char *name)
{
    return strdup(!name || strcmp(name, "-") == 0 ? "<stdin>" : name);
}

crible_status crible_doc_reader_open(FILE *in, const char *name, crible_doc_reader **out,
                                     crible_error *err)
{
    crible_doc_reader *r = calloc(1, sizeof *r);
    if (!r)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_inbuf_init(&r->in, in, READER_SLACK);
    r->name = crible_input_name(name);
    if (!r->name) {
        free(r);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    *out = r;
    return CRIBLE_OK;
}

void crible_doc_reader_close(crible_doc_reader *r)
{
    if (!r)
        return;
    crible_inbuf_free(&r->in);
    free(r->work);
    free(r->name);
    free(r);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

crible_status crible_doc_from_json(json_t *json, const char *where, crible_doc *doc,
                                   crible_error *err)
{
    memset(doc, 0, sizeof *doc);
    if (!json_is_object(json)) {
        json_decref(json);
        return crible_error_set(err, CRIBLE_EDATA, "%s: a document must be a JSON object",
                                where);
    }
    json_t *id = json_object_get(json, "id");
    if (json_is_integer(id)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        json_object_set_new(json, "id", json_string(buf));
        id = json_object_get(json, "id");
    }
    if (!json_is_string(id) || json_string_length(id) == 0) {
        json_decref(json);
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s: the document has no \"id\" (a non-empty string)", where);
    }
    json_t *text = json_object_get(json, "text");
    if (!json_is_string(text)) {
        crible_error_set(err, CRIBLE_EDATA, "%s: document '%s' has no \"text\" string", where,
                         json_string_value(id));
        json_decref(json);
        return CRIBLE_EDATA;
    }
    doc->json = json;
    doc->id = json_string_value(id);
    doc->text = json_string_value(text);
    doc->text_len = json_string_length(text);
    return CRIBLE_OK;
}

/* The next line, where it lies in the input buffer: r->line, its length
 * with its line feed (none for a last line without one), as getline
 * gives it; 0 at the end of the input, -1 on an error (err set: a read
 * error, out of memory). */
static long long read_line(crible_doc_reader *r, crible_error *err)
{
    size_t scanned = 0;
    for (;;) {
        char *s = r->in.buf ? r->in.buf + r->in.start : NULL;   /* NULL: nothing read yet */
        size_t avail = r->in.end - r->in.start;
        const char *nl = avail > scanned ? memchr(s + scanned, '\n', avail - scanned) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - s) + 1;
            r->line = s;
            r->in.start += n;
            return (long long)n;
        }
        scanned = avail;
        /* more after it (the buffer doubled when less than half is free:
         * a line longer than the buffer read in O(its length)) */
        long long got = crible_inbuf_fill(&r->in, r->in.cap / 2, err);
        if (got < 0) {
            if (err->status == CRIBLE_EIO)
                crible_error_prefix(err, "%s", r->name);
            return -1;
        }
        if (got == 0) {   /* the end: the last line has no line feed */
            r->line = r->in.buf + r->in.start;
            r->in.start = r->in.end;
            return (long long)avail;
        }
    }
}

int crible_doc_read(crible_doc_reader *r, crible_doc *doc, crible_error *err)
{
    memset(doc, 0, sizeof *doc);
    for (;;) {
        long long n = read_line(r, err);
        if (n <= 0)
            return (int)n;
        r->lineno++;
        bool complete = n > 0 && r->line[n - 1] == '\n';
        size_t len = (size_t)n - complete;
        const char *nul = memchr(r->line, '\0', len);
        if (nul) {
            crible_error_set(err, CRIBLE_EDATA, "%s:%ld: NUL byte at byte %ld of the line",
                             r->name, r->lineno, (long)(nul - r->line) + 1);
            return -1;
        }
        if (blank(r->line, len))
            continue;
        size_t bad = crible_utf8_invalid_offset(r->line, len);
        if (bad < len) {
            crible_error_set(err, CRIBLE_EDATA,
                             "%s:%ld: invalid UTF-8 at byte %zu of the line (0x%02X)",
                             r->name, r->lineno, bad + 1, (unsigned char)r->line[bad]);
            return -1;
        }
        crible_json_doc m;
        size_t nspans;
        if (r->lazy && crible_json_doc_scan_spans(r->line, len, &m, r->spans, READER_SPANS, &nspans) &&
            m.id == CRIBLE_JSON_STRING && m.text == CRIBLE_JSON_STRING && read_lazy(r, len, &m, doc)) {
            if (nspans <= READER_SPANS) {   /* the spans point into r->line, which raw is a part of */
                doc->spans = r->spans;
                doc->nspans = nspans;
            }
            return 1;
        }
        json_error_t jerr;
        json_t *json = json_loadb(r->line, len, 0, &jerr);
        char where[512];
        snprintf(where, sizeof where, "%s:%ld", r->name, r->lineno);
        if (!json) {
            crible_error_set(err, CRIBLE_EDATA, "%s: invalid JSON at column %d: %s%s", where,
                             jerr.column, jerr.text,
                             complete ? "" : " (the input ends in the middle of a line: "
                                             "was the stream cut?)");
            return -1;
        }
        bool string_id = json_is_string(json_object_get(json, "id"));
        if (crible_doc_from_json(json, where, doc, err) != CRIBLE_OK)
            return -1;
        doc->line = r->lineno;
        if (string_id) {
            doc->raw = trim(r->line, &len);
            doc->raw_len = len;
        }
        return 1;
    }
}

char *crible_json_line(const json_t *json)
{
    return json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static int write_to_file(const char *buffer, size_t size, void *data)
{
    return fwrite(buffer, 1, size, data) == size ? 0 : -1;
}

crible_status crible_doc_write(FILE *out, const crible_doc *doc, crible_error *err)
{
    if (json_dump_callback(doc->json, write_to_file, out,
                           JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
        putc('\n', out) == EOF)
        return crible_error_set(err, CRIBLE_EIO, "cannot write to standard output: %s",
                                strerror(errno ? errno : EIO));
    return CRIBLE_OK;
}

void crible_doc_free(crible_doc *doc)
{
    if (doc && doc->json) {
        json_decref(doc->json);
        memset(doc, 0, sizeof *doc);
    }
}
