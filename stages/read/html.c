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

#define MAX_DEPTH 5000

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

/* Entering an element: false to skip it with its content. */
static bool enter(html *h, const GumboNode *node)
{
    const GumboElement *e = &node->v.element;
    if (h->drop[e->tag] || e->tag == GUMBO_TAG_HEAD)
        return false;
    if (e->tag == GUMBO_TAG_BR) {
        h->text.newlines = h->text.newlines < 2 ? h->text.newlines + 1 : 2;
        if (h->text.n == 0)
            h->text.newlines = 0;
        return false;
    }
    int lines = block_lines(e->tag);
    if (lines)
        want_break(&h->text, lines);
    if (e->tag == GUMBO_TAG_TD || e->tag == GUMBO_TAG_TH)
        h->text.space = true;
    if (e->tag == GUMBO_TAG_H1 && !h->h1 && !h->in_h1)
        h->in_h1 = true;
    return true;
}

static void leave(html *h, const GumboNode *node)
{
    const GumboElement *e = &node->v.element;
    if (e->tag == GUMBO_TAG_H1 && h->in_h1) {
        h->in_h1 = false;
        h->h1 = h->h1_text.s ? h->h1_text.s : "";
    }
    int lines = block_lines(e->tag);
    if (lines)
        want_break(&h->text, lines);
    if (e->tag == GUMBO_TAG_TD || e->tag == GUMBO_TAG_TH)
        h->text.space = true;
}

typedef struct frame {
    const GumboNode *node;
    unsigned next;      /* next child to visit */
    bool pre;           /* inside <pre> */
} frame;

/* Depth-first over the tree with a stack of our own (a page may nest
 * thousands of elements: no recursion).  enter/leave for elements, put_text
 * for text; with `meta`, only meta(element) for every element (scan()). */
static bool walk(html *h, const GumboNode *root, void (*meta)(const GumboNode *, void *),
                 void *data)
{
    size_t n = 0, cap = 64;
    frame *stack = malloc(cap * sizeof *stack);
    if (!stack)
        return false;
    stack[n++] = (frame){root, 0, false};
    if (meta)
        meta(root, data);
    else if (!enter(h, root))
        n = 0;
    while (n > 0) {
        frame *f = &stack[n - 1];
        const GumboVector *children = &f->node->v.element.children;
        if (f->next == children->length) {
            if (!meta)
                leave(h, f->node);
            n--;
            continue;
        }
        const GumboNode *c = children->data[f->next++];
        bool pre = f->pre || f->node->v.element.tag == GUMBO_TAG_PRE;
        if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA ||
            c->type == GUMBO_NODE_WHITESPACE) {
            if (!meta) {
                put_text(&h->text, c->v.text.text, pre);
                if (h->in_h1)
                    put_text(&h->h1_text, c->v.text.text, false);
            }
            continue;
        }
        if (c->type != GUMBO_NODE_ELEMENT && c->type != GUMBO_NODE_TEMPLATE)
            continue;
        if (meta)
            meta(c, data);
        else if (!enter(h, c))
            continue;
        if (n == cap) {
            frame *g = realloc(stack, 2 * cap * sizeof *stack);
            if (!g) {
                free(stack);
                return false;
            }
            stack = g;
            cap *= 2;
        }
        stack[n++] = (frame){c, 0, pre};
    }
    free(stack);
    return true;
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
static void scan(const GumboNode *node, void *data)
{
    found *f = data;
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
    if (!walk(NULL, g->root, scan, &f))
        return CRIBLE_ENOMEM;
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

/* gumbo's tree building is quadratic in the depth of nesting (each new
 * element looks through the stack of open ones): 200,000 nested <div> take
 * minutes.  A quick look at the tags estimates the depth first: opening tags
 * minus closing ones, leaving out void elements, self-closing tags, the
 * elements whose end tag is optional, comments and script/style content.
 * Returns the byte offset where the estimate passes `limit`, or n. */
static size_t too_deep(const char *s, size_t n, long limit)
{
    static const char *const flat[] = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb",
        "rt", "rp", "thead", "tbody", "tfoot", "colgroup", "caption", "html", "head", "body",
        "!doctype", NULL
    };
    long depth = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '<')
            continue;
        size_t j = i + 1;
        if (s[j] == '!' && j + 2 < n && s[j + 1] == '-' && s[j + 2] == '-') {
            const char *end = NULL;
            for (size_t k = j + 3; k + 2 < n && !end; k++)
                if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>')
                    end = s + k;
            if (!end)
                return n;
            i = (size_t)(end - s) + 2;
            continue;
        }
        bool closing = s[j] == '/';
        j += closing;
        size_t k = j;
        while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '!' || s[k] == '-'))
            k++;
        if (k == j || (!isalpha((unsigned char)s[j]) && s[j] != '!'))
            continue;
        bool skip = false;
        for (int f = 0; flat[f] && !skip; f++)
            skip = strlen(flat[f]) == k - j && strncasecmp(s + j, flat[f], k - j) == 0;
        size_t gt = k;
        while (gt < n && s[gt] != '>')
            gt++;
        if (skip || (gt < n && s[gt - 1] == '/'))
            continue;
        if (closing) {
            depth -= depth > 0;
        } else if ((k - j == 6 && strncasecmp(s + j, "script", 6) == 0) ||
                   (k - j == 5 && strncasecmp(s + j, "style", 5) == 0)) {
            /* raw text: jump to its end tag */
            const char *tag = s + j;
            size_t len = k - j, m = gt;
            while (m + len + 2 < n && !(s[m] == '<' && s[m + 1] == '/' &&
                                        strncasecmp(s + m + 2, tag, len) == 0))
                m++;
            i = m;
            continue;
        } else if (++depth > limit) {
            return i;
        }
        i = gt < n ? gt : n;
    }
    return n;
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
    size_t deep = too_deep(buf, len, MAX_DEPTH);
    if (deep < len) {
        free(buf);
        return crible_error_set(err, CRIBLE_EDATA, "%s: elements nested more than %d deep at"
                                " byte offset %zu: not read (a page this deep is broken or"
                                " hostile)", name, MAX_DEPTH, deep);
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
        if (!walk(h, g->root, NULL, NULL) || metadata(g, name, meta, &title) != CRIBLE_OK ||
            h->text.failed)
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
