/*
 * html.c - HTML through gumbo (Google's HTML5 parser, libgumbo): the text
 * content of <body>, entities decoded by the parser, the elements of
 * `html_drop` skipped with their content (script, style, nav, form, ...).
 * Whitespace follows the rendering: runs of spaces and line breaks collapse
 * to one space (NBSP is not whitespace and stays), <pre> keeps its own,
 * block elements (p, h1-h6, div, li, blockquote, table rows...) start new
 * lines, paragraphs are separated by a blank line, <br> breaks a line.
 * Metadata:
 *   title   <title>, else the first <h1>, else <meta property="og:title">
 *   url     <link rel="canonical" href>, else <meta property="og:url">
 *   date    <meta property="article:published_time">, else the first
 *           <time datetime>; kept when it starts with YYYY, YYYY-MM or
 *           YYYY-MM-DD (that prefix is kept)
 *   lang    <html lang="fr-FR"> -> "fr"
 *   source, format ("html")
 * Example: <title>Critique &amp; avis</title><p>Très&nbsp;bien&nbsp;!</p>
 *   -> title "Critique & avis", text "Très bien !" (with U+00A0)
 */
#include <ctype.h>
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "read.h"

typedef struct out {
    char *s;
    size_t n, cap;
    int newlines;      /* line breaks wanted before the next text (0, 1, 2) */
    bool space;        /* a space wanted before the next text */
    bool failed;
} out;

typedef struct html {
    out text;
    bool drop[GUMBO_TAG_LAST + 1];
    const char *h1;           /* first <h1>: its text is taken on the way */
    out h1_text;
    bool in_h1;
} html;

static void put(out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->n + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (o->n + n + 1 > cap)
            cap *= 2;
        char *g = realloc(o->s, cap);
        if (!g) {
            o->failed = true;
            return;
        }
        o->s = g;
        o->cap = cap;
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
    o->s[o->n] = '\0';
}

static void flush(out *o)
{
    if (o->n > 0) {
        if (o->newlines)
            put(o, "\n\n", (size_t)o->newlines);
        else if (o->space)
            put(o, " ", 1);
    }
    o->newlines = 0;
    o->space = false;
}

static bool html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text as rendered: whitespace runs collapse to one space. */
static void put_text(out *o, const char *s, bool pre)
{
    if (pre) {
        flush(o);
        put(o, s, strlen(s));
        return;
    }
    while (*s) {
        if (html_space(*s)) {
            o->space = true;
            s++;
            continue;
        }
        size_t k = 0;
        while (s[k] && !html_space(s[k]))
            k++;
        flush(o);
        put(o, s, k);
        s += k;
    }
}

static void want_break(out *o, int lines)
{
    if (o->newlines < lines)
        o->newlines = lines;
}

static int block_lines(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_MAIN: case GUMBO_TAG_FIGURE: case GUMBO_TAG_HR:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_DETAILS: case GUMBO_TAG_FIELDSET:
        return 2;
    case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_TR: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_SUMMARY: case GUMBO_TAG_LEGEND:
        return 1;
    default:
        return 0;
    }
}

static void walk(html *h, const GumboNode *node, bool pre)
{
    switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
    case GUMBO_NODE_WHITESPACE:
        put_text(&h->text, node->v.text.text, pre);
        if (h->in_h1)
            put_text(&h->h1_text, node->v.text.text, false);
        return;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        break;
    default:
        return;
    }
    const GumboElement *e = &node->v.element;
    if (h->drop[e->tag] || e->tag == GUMBO_TAG_HEAD)
        return;
    if (e->tag == GUMBO_TAG_BR) {
        h->text.newlines = h->text.newlines < 2 ? h->text.newlines + 1 : 2;
        if (h->text.n == 0)
            h->text.newlines = 0;
        return;
    }
    int lines = block_lines(e->tag);
    bool cell = e->tag == GUMBO_TAG_TD || e->tag == GUMBO_TAG_TH;
    if (lines)
        want_break(&h->text, lines);
    if (cell)
        h->text.space = true;
    bool h1 = e->tag == GUMBO_TAG_H1 && !h->h1;
    if (h1)
        h->in_h1 = true;
    for (unsigned i = 0; i < e->children.length; i++)
        walk(h, e->children.data[i], pre || e->tag == GUMBO_TAG_PRE);
    if (h1) {
        h->in_h1 = false;
        h->h1 = h->h1_text.s ? h->h1_text.s : "";
    }
    if (lines)
        want_break(&h->text, lines);
    if (cell)
        h->text.space = true;
}

static const char *attr(const GumboNode *n, const char *name)
{
    const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

static bool has_token(const char *list, const char *word)
{
    size_t k = strlen(word);
    for (const char *p = list; p && *p;) {
        while (*p && html_space(*p))
            p++;
        size_t n = 0;
        while (p[n] && !html_space(p[n]))
            n++;
        if (n == k && strncasecmp(p, word, k) == 0)
            return true;
        p += n;
    }
    return false;
}

/* The YYYY[-MM[-DD]] prefix of an ISO 8601 date, or 0 if it has none. */
static size_t date_prefix(const char *s)
{
    size_t n = 0;
    while (n < 4 && isdigit((unsigned char)s[n]))
        n++;
    if (n < 4)
        return 0;
    if (s[4] == '-' && isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[6])) {
        n = 7;
        if (s[7] == '-' && isdigit((unsigned char)s[8]) && isdigit((unsigned char)s[9]))
            n = 10;
    }
    return isdigit((unsigned char)s[n]) ? 0 : n;
}

typedef struct found {
    const char *title, *og_title, *canonical, *og_url, *published, *time, *lang;
} found;

/* Metadata anywhere in the tree (head and body). */
static void scan(const GumboNode *node, found *f)
{
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
        return;
    const GumboElement *e = &node->v.element;
    const char *v;
    switch (e->tag) {
    case GUMBO_TAG_HTML:
        if (!f->lang)
            f->lang = attr(node, "lang");
        break;
    case GUMBO_TAG_TITLE:
        if (!f->title && e->children.length > 0) {
            const GumboNode *t = e->children.data[0];
            if (t->type == GUMBO_NODE_TEXT)
                f->title = t->v.text.text;
        }
        break;
    case GUMBO_TAG_LINK:
        if (!f->canonical && has_token(attr(node, "rel"), "canonical"))
            f->canonical = attr(node, "href");
        break;
    case GUMBO_TAG_META:
        v = attr(node, "property");
        if (!v)
            v = attr(node, "name");
        if (v && strcasecmp(v, "og:url") == 0 && !f->og_url)
            f->og_url = attr(node, "content");
        else if (v && strcasecmp(v, "og:title") == 0 && !f->og_title)
            f->og_title = attr(node, "content");
        else if (v && strcasecmp(v, "article:published_time") == 0 && !f->published)
            f->published = attr(node, "content");
        break;
    case GUMBO_TAG_TIME:
        if (!f->time)
            f->time = attr(node, "datetime");
        break;
    default:
        break;
    }
    for (unsigned i = 0; i < e->children.length; i++)
        scan(e->children.data[i], f);
}

/* Whitespace collapsed and trimmed, into a malloc'ed string. */
static char *collapse(const char *s)
{
    out o = {0};
    put_text(&o, s ? s : "", false);
    if (!o.s)
        return strdup("");
    return o.failed ? NULL : o.s;
}

static crible_status metadata(const GumboOutput *g, const char *name, json_t *meta,
                              char **title)
{
    found f = {0};
    scan(g->root, &f);
    *title = f.title ? collapse(f.title) : NULL;
    int fail = json_object_set_new(meta, "source", json_string(name));
    fail |= json_object_set_new(meta, "format", json_string("html"));
    const char *url = f.canonical && *f.canonical ? f.canonical : f.og_url;
    if (url && *url)
        fail |= json_object_set_new(meta, "url", json_string(url));
    const char *date = f.published && date_prefix(f.published) ? f.published : f.time;
    size_t dn = date ? date_prefix(date) : 0;
    if (dn)
        fail |= json_object_set_new(meta, "date", json_stringn(date, dn));
    if (f.lang && isalpha((unsigned char)f.lang[0])) {
        char lang[9];
        size_t k = 0;
        while (k < 8 && isalpha((unsigned char)f.lang[k])) {
            lang[k] = (char)tolower((unsigned char)f.lang[k]);
            k++;
        }
        lang[k] = '\0';
        fail |= json_object_set_new(meta, "lang", json_string(lang));
    }
    if (f.og_title && (!*title || !**title)) {
        free(*title);
        *title = collapse(f.og_title);
    }
    return fail ? CRIBLE_ENOMEM : CRIBLE_OK;
}

crible_status read_html(read_ctx *ctx, read_input *in, const char *name, const char *id,
                        crible_error *err)
{
    char *buf = NULL, *title = NULL;
    size_t len = 0;
    unsigned long replaced = 0;
    crible_status st = read_clean_whole(in, ctx->opt, name, &buf, &len, &replaced, err);
    if (st != CRIBLE_OK) {
        free(buf);
        return st;
    }
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, buf, len);
    if (!g) {
        free(buf);
        return crible_error_set(err, CRIBLE_ENOMEM, "%s: out of memory parsing HTML", name);
    }
    html *h = calloc(1, sizeof *h);
    json_t *meta = json_object();
    if (!h || !meta)
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (st == CRIBLE_OK) {
        for (size_t i = 0; i < ctx->opt->n_html_drop; i++) {
            GumboTag t = gumbo_tag_enum(ctx->opt->html_drop[i]);
            if (t != GUMBO_TAG_UNKNOWN)
                h->drop[t] = true;
        }
        walk(h, g->root, false);
        if (metadata(g, name, meta, &title) != CRIBLE_OK || h->text.failed)
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    if (st == CRIBLE_OK && (!title || !*title) && h->h1) {
        free(title);
        title = collapse(h->h1);
    }
    if (st == CRIBLE_OK) {
        if (!h->text.s)
            put(&h->text, "", 0);
        st = h->text.failed ? crible_error_set(err, CRIBLE_ENOMEM, "out of memory")
                            : read_emit(ctx, id, title, h->text.s, h->text.n, meta, replaced,
                                        err);
        meta = NULL;
    }
    json_decref(meta);
    if (h) {
        free(h->text.s);
        free(h->h1_text.s);
    }
    free(h);
    free(title);
    gumbo_destroy_output(&kGumboDefaultOptions, g);
    free(buf);
    return st;
}
