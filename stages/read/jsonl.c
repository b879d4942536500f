/*
 * jsonl.c - JSON Lines in, documents out, one line at a time (memory is the
 * longest line).  The mapping `read: {fields: {id, title, text}}` says which
 * members are the id, the title and the text; every other member is kept as
 * metadata, unchanged.  The text may be several members, joined by a blank
 * line (`text: [heading, text]`).  Worked example with
 * `fields: {title: item_title}`:
 *     {"id": "r-1", "item_title": "Dune", "rating": 4.5, "text": "Superbe."}
 *  -> {"id":"r-1","title":"Dune","text":"Superbe.","rating":4.5}
 * The id: a string as is, an integer in decimal, absent or null: "SOURCE:LINE"
 * where SOURCE is the file's id ("reviews.jsonl:12", "stdin:3").
 * Lines may end in LF or CRLF; blank lines are skipped.  A line that already
 * is a document (the default mapping, string id and text, no CR in the text,
 * nothing replaced, no boilerplate patterns) is copied through byte for byte,
 * checked by the plain-JSON fast path of json_fast.h (several times
 * faster than building it with jansson); any line the scanner is not sure
 * of goes through jansson.
 * Errors: "NAME:LINE: invalid JSON at column C: ...", with "the last line is
 * cut in the middle of a record" when the input ends inside one.
 */
#include <stdlib.h>
#include <string.h>

#include "read.h"
#include "json_fast.h"

typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static bool append(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->n + n + 1 > cap)
            cap *= 2;
        char *g = realloc(b->s, cap);
        if (!g)
            return false;
        b->s = g;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return true;
}

static bool identity_mapping(const crible_read_options *o)
{
    return strcmp(o->id_field, "id") == 0 && strcmp(o->title_field, "title") == 0 &&
           o->n_text_fields == 1 && strcmp(o->text_fields[0], "text") == 0;
}

/* Builds and writes the document of one parsed record (takes obj). */
static crible_status record(read_ctx *ctx, json_t *obj, const char *line, size_t len,
                            bool fixed, unsigned long replaced, const char *name,
                            const char *sid, long lineno, buf *text, crible_error *err)
{
    const crible_read_options *o = ctx->opt;
    json_t *id = json_object_get(obj, o->id_field);
    json_t *title = json_object_get(obj, o->title_field);
    char idbuf[64];
    char *idalloc = NULL;
    const char *idstr = NULL;
    if (json_is_string(id)) {
        idstr = json_string_value(id);
    } else if (json_is_integer(id)) {
        snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        idstr = idbuf;
    } else if (!id || json_is_null(id)) {
        size_t n = strlen(sid) + 24;
        if (!(idalloc = malloc(n)))
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        snprintf(idalloc, n, "%s:%ld", sid, lineno);
        idstr = idalloc;
    } else {
        json_decref(obj);
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s:%ld: the id member '%s' must be a string or an integer",
                                name, lineno, o->id_field);
    }
    /* the text: one member, or several joined by a blank line */
    text->n = 0;
    bool any = false, cr = false;
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; i < o->n_text_fields && st == CRIBLE_OK; i++) {
        json_t *t = json_object_get(obj, o->text_fields[i]);
        if (!t)
            continue;
        any = true;
        if (json_is_null(t))
            continue;
        if (!json_is_string(t)) {
            st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: the text member '%s' must be a string",
                                  name, lineno, o->text_fields[i]);
            break;
        }
        size_t n = json_string_length(t);
        const char *s = json_string_value(t);
        if (n == 0)
            continue;
        if (memchr(s, '\r', n))
            cr = true;
        if ((text->n && !append(text, "\n\n", 2)) || !append(text, s, n))
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    if (st == CRIBLE_OK && !any)
        st = crible_error_set(err, CRIBLE_EDATA,
                              "%s:%ld: no member '%s' for the text (set read.fields.text to the"
                              " member that holds it)", name, lineno, o->text_fields[0]);
    if (st == CRIBLE_OK && !append(text, "", 0))
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (st != CRIBLE_OK) {
        free(idalloc);
        json_decref(obj);
        return st;
    }
    if (!fixed && !cr && !ctx->boiler && json_is_string(id) && identity_mapping(o) &&
        (!title || json_is_string(title)) && o->n_text_fields == 1 &&
        json_is_string(json_object_get(obj, "text"))) {
        json_decref(obj);
        return read_emit_raw(ctx, line, len, err);
    }
    char numbuf[64];
    const char *tstr = NULL;
    if (json_is_string(title)) {
        tstr = json_string_value(title);
    } else if (json_is_number(title)) {
        snprintf(numbuf, sizeof numbuf, "%g", json_number_value(title));
        tstr = numbuf;
    }
    /* idstr and tstr point into these: keep them alive past the deletions */
    json_incref(id);
    json_incref(title);
    json_object_del(obj, o->id_field);
    json_object_del(obj, o->title_field);
    for (size_t i = 0; i < o->n_text_fields; i++)
        json_object_del(obj, o->text_fields[i]);
    st = read_emit(ctx, idstr, tstr, text->s, text->n, obj, replaced, err);
    json_decref(id);
    json_decref(title);
    free(idalloc);
    return st;
}

crible_status read_jsonl(read_ctx *ctx, read_input *in, const char *name, const char *id,
                         crible_error *err)
{
    const char *line;
    size_t len;
    long lineno = 0;
    int r = 0;
    buf text = {0};
    crible_status st = CRIBLE_OK;
    while (st == CRIBLE_OK &&
           (r = read_input_line(in, &line, &len, ctx->opt->max_size, name, err)) > 0) {
        lineno++;
        unsigned long long base = in->offset - len;
        bool cut = line[len - 1] != '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k == len)
            continue;
        char *fixed = NULL;
        unsigned long replaced = 0;
        st = read_clean_utf8(line, len, ctx->opt->replace_invalid, name, base, lineno, &fixed,
                             &len, &replaced, err);
        if (st != CRIBLE_OK)
            break;
        if (fixed)
            line = fixed;
        crible_json_doc m;
        if (!fixed && !ctx->boiler && identity_mapping(ctx->opt) &&
            crible_json_doc_scan(line, len, &m) && m.id == CRIBLE_JSON_STRING &&
            m.text == CRIBLE_JSON_STRING && !m.text_has_cr &&
            (m.title == CRIBLE_JSON_ABSENT || m.title == CRIBLE_JSON_STRING)) {
            st = read_emit_raw(ctx, line, len, err);   /* already a document */
            continue;
        }
        json_error_t jerr;
        json_t *obj = json_loadb(line, len, 0, &jerr);
        if (!obj) {
            st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: %sinvalid JSON at column %d: %s",
                                  name, lineno,
                                  cut ? "the last line is cut in the middle of a record: " : "",
                                  jerr.column, jerr.text);
        } else if (!json_is_object(obj)) {
            json_decref(obj);
            st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: a record must be a JSON object",
                                  name, lineno);
        } else {
            st = record(ctx, obj, line, len, fixed != NULL, replaced, name, id, lineno, &text,
                        err);
        }
        free(fixed);
    }
    if (st == CRIBLE_OK && r < 0)
        st = err->status;
    free(text.s);
    return st;
}
