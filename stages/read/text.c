/*
 * text.c - plain text and Markdown: a whole file is one document.  The text
 * is kept as written (Markdown marks included: "as text"), with LF line ends.
 * Title: for Markdown the first heading of level 1 ("# Titre" or "Titre"
 * underlined with "==="); for plain text the first non-blank line when
 * `title_from_first_line: true` (that line then leaves the text).
 * Metadata: "source" (the path read) and "format" ("text" or "markdown").
 *   corpus/livres/x.md -> {"id":"livres/x.md","title":"…","text":"…",
 *                          "source":"corpus/livres/x.md","format":"markdown"}
 */
#include <stdlib.h>
#include <string.h>

#include "read.h"

/* The first level-1 heading of a Markdown text, into a malloc'ed string. */
static char *markdown_title(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && q - p < 3 && *q == ' ')
            q++;
        const char *t = NULL, *te = eol;
        if (q + 1 < eol && q[0] == '#' && (q[1] == ' ' || q[1] == '\t')) {
            t = q + 2;
            while (te > t && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '#' || te[-1] == '\r'))
                te--;
        } else if (eol < end) {
            /* setext: this line, then a line of "=" */
            const char *u = eol + 1, *ue = memchr(u, '\n', (size_t)(end - u));
            if (!ue)
                ue = end;
            const char *v = u;
            while (v < ue && *v == '=')
                v++;
            while (v < ue && (*v == ' ' || *v == '\r'))
                v++;
            if (v == ue && u < ue && *u == '=' && q < eol && *q != '=') {
                t = q;
                while (te > t && (te[-1] == ' ' || te[-1] == '\r'))
                    te--;
            }
        }
        if (t) {
            while (t < te && (*t == ' ' || *t == '\t'))
                t++;
            return strndup(t, (size_t)(te - t));
        }
        p = eol + 1;
    }
    return NULL;
}

crible_status read_text(read_ctx *ctx, read_input *in, const char *name, const char *id,
                        bool markdown, crible_error *err)
{
    char *buf = NULL, *title = NULL;
    size_t len = 0;
    unsigned long replaced = 0;
    crible_status st = read_clean_whole(in, ctx->opt, name, &buf, &len, &replaced, err);
    char *text = buf;
    if (st == CRIBLE_OK) {
        len = read_crlf(buf, len);
        if (markdown) {
            title = markdown_title(buf, len);
        } else if (ctx->opt->title_from_first_line) {
            while (*text == '\n' || *text == ' ' || *text == '\t')
                text++;
            char *eol = strchr(text, '\n');
            size_t tl = eol ? (size_t)(eol - text) : strlen(text);
            title = strndup(text, tl);
            text += tl;
            while (*text == '\n')
                text++;
            len -= (size_t)(text - buf);
        }
    }
    json_t *meta = NULL;
    if (st == CRIBLE_OK) {
        meta = json_pack("{s:s, s:s}", "source", name, "format", markdown ? "markdown" : "text");
        if (!meta)
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    if (st == CRIBLE_OK)
        st = read_emit(ctx, id, title, text, len, meta, replaced, err);
    free(title);
    free(buf);
    return st;
}
