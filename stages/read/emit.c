/*
 * emit.c - a finished document onto the document stream (doc.h, "crible
 * documents, version 1"): members in the order id, title, text, then the
 * source's metadata, then "_invalid_utf8" (how many bad sequences were
 * replaced by U+FFFD, only when there were any).  The text gets LF line
 * ends and its boilerplate cut here, whatever format it came from.
 *   {"id":"films/dune.txt","text":"…","source":"corpus/films/dune.txt","format":"text"}
 */
#include <errno.h>
#include <string.h>

#include "doc.h"
#include "read.h"

static crible_status set(json_t *obj, const char *key, json_t *value, crible_error *err)
{
    if (!value || json_object_set_new(obj, key, value) != 0)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    return CRIBLE_OK;
}

crible_status read_emit(read_ctx *ctx, const char *id, const char *title, char *text,
                        size_t len, json_t *meta, unsigned long replaced, crible_error *err)
{
    len = read_crlf(text, len);
    crible_status st = CRIBLE_OK;
    if (ctx->boiler)
        st = read_boiler_apply(ctx->boiler, text, &len, id, err);
    json_t *doc = json_object();
    if (!doc)
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (st == CRIBLE_OK)
        st = set(doc, "id", json_string(id), err);
    if (st == CRIBLE_OK && title && *title)
        st = set(doc, "title", json_string(title), err);
    if (st == CRIBLE_OK)
        st = set(doc, "text", json_stringn_nocheck(text, len), err);
    if (st == CRIBLE_OK && meta) {
        const char *key;
        json_t *value;
        json_object_foreach(meta, key, value) {
            if (strcmp(key, "id") == 0 || strcmp(key, "title") == 0 || strcmp(key, "text") == 0)
                continue;
            if ((st = set(doc, key, json_incref(value), err)) != CRIBLE_OK)
                break;
        }
    }
    if (st == CRIBLE_OK && replaced)
        st = set(doc, "_invalid_utf8", json_integer((json_int_t)replaced), err);
    if (st == CRIBLE_OK) {
        crible_doc d = {.json = doc, .id = id, .text = text, .text_len = len};
        st = crible_doc_write(ctx->out, &d, err);
    }
    json_decref(doc);
    json_decref(meta);
    if (st == CRIBLE_OK) {
        ctx->docs++;
        ctx->bytes += len;
        ctx->replaced_total += replaced;
        crible_progress_update(&ctx->progress, ctx->docs, ctx->bytes);
    }
    return st;
}

crible_status read_emit_raw(read_ctx *ctx, const char *line, size_t len, crible_error *err)
{
    if (fwrite(line, 1, len, ctx->out) != len || putc('\n', ctx->out) == EOF)
        return crible_error_set(err, CRIBLE_EIO, "cannot write to standard output: %s",
                                strerror(errno ? errno : EIO));
    ctx->docs++;
    ctx->bytes += len;
    crible_progress_update(&ctx->progress, ctx->docs, ctx->bytes);
    return CRIBLE_OK;
}
