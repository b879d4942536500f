/*
 * query_parse.c - the query language's parser: a string into a crible_qnode
 * tree, or a syntax error with its position and a hint.  The grammar:
 *
 *   query   := or
 *   or      := and ( "OR" and )*
 *   and     := near ( ["AND"] near )*          (implicit operator: AND or OR)
 *   near    := unary ( ("NEAR" | "NEAR/" N | "NEAR/s") unary )*
 *   unary   := "NOT" unary | "-" unary | "+" unary | primary
 *   primary := "(" or ")" | phrase | FIELD ":" ( phrase | "(" or ")" | value )
 *            | NAME ( ">=" | ">" | "<=" | "<" ) VALUE | word
 *   phrase  := '"' ... '"' | '«' ... '»' | '“' ... '”'
 *   word    := ["="] CHARS ["*" | "~" | "~1" | "~2"]
 *
 * CHARS is any run of bytes other than white space, parentheses and double
 * quotes: punctuation inside a word belongs to the word (l'avion, 4/5).
 * This file owns no analysis: words stay as the user wrote them.
 */
#include "query_parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct parser {
    const char *s;
    size_t n, p;
    int depth;
    const crible_query_parse_options *opts;
    crible_query_syntax *syn;
    bool failed, oom;
} parser;

static crible_qnode *parse_or(parser *ps, const char *field);

static bool fail(parser *ps, size_t pos, const char *msg, const char *hint)
{
    if (!ps->failed) {
        ps->failed = true;
        ps->syn->pos = pos;
        snprintf(ps->syn->message, sizeof ps->syn->message, "%s", msg);
        snprintf(ps->syn->hint, sizeof ps->syn->hint, "%s", hint ? hint : "");
    }
    return false;
}

static crible_qnode *node_new(parser *ps, crible_qkind kind, size_t pos)
{
    crible_qnode *q = calloc(1, sizeof *q);
    if (!q) {
        ps->oom = true;
        fail(ps, pos, "out of memory", NULL);
        return NULL;
    }
    q->kind = kind;
    q->pos = pos;
    return q;
}

static char *dup_range(parser *ps, size_t a, size_t b)
{
    char *t = malloc(b - a + 1);
    if (!t) {
        ps->oom = true;
        fail(ps, a, "out of memory", NULL);
        return NULL;
    }
    memcpy(t, ps->s + a, b - a);
    t[b - a] = '\0';
    return t;
}

static bool add_child(parser *ps, crible_qnode *q, crible_qnode *c)
{
    crible_qnode **v = realloc(q->child, (q->nchild + 1) * sizeof *v);
    if (!v) {
        ps->oom = true;
        crible_qnode_free(c);
        return fail(ps, q->pos, "out of memory", NULL);
    }
    q->child = v;
    q->child[q->nchild++] = c;
    return true;
}

void crible_qnode_free(crible_qnode *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nchild; i++)
        crible_qnode_free(q->child[i]);
    free(q->child);
    free(q->field);
    free(q->text);
    free(q->lo);
    free(q->hi);
    free(q);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* U+00A0 (NBSP) and U+202F (narrow NBSP) count as spaces: French typing. */
static size_t space_len(const parser *ps, size_t p)
{
    const unsigned char *u = (const unsigned char *)ps->s + p;
    size_t left = ps->n - p;
    if (left >= 1 && is_space(u[0]))
        return 1;
    if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF)
        return 3;
    return 0;
}

static void skip_space(parser *ps)
{
    size_t k;
    while (ps->p < ps->n && (k = space_len(ps, ps->p)) > 0)
        ps->p += k;
}

/* An opening quote at p: its length and the closing quote. */
static size_t open_quote(const parser *ps, size_t p, const char **close)
{
    const char *s = ps->s + p;
    size_t left = ps->n - p;
    if (left >= 1 && s[0] == '"') {
        *close = "\"";
        return 1;
    }
    if (left >= 2 && memcmp(s, "\xC2\xAB", 2) == 0) {   /* « */
        *close = "\xC2\xBB";
        return 2;
    }
    if (left >= 3 && memcmp(s, "\xE2\x80\x9C", 3) == 0) { /* “ */
        *close = "\xE2\x80\x9D";
        return 3;
    }
    return 0;
}

/* Where a bare word starting at p ends. */
static size_t word_end(const parser *ps, size_t p)
{
    const char *close;
    while (p < ps->n) {
        char c = ps->s[p];
        if (c == '(' || c == ')' || space_len(ps, p) || open_quote(ps, p, &close))
            break;
        p++;
    }
    return p;
}

/* The keyword at the current position, if any (only as a whole word). */
static bool at_keyword(const parser *ps, const char *kw)
{
    size_t k = strlen(kw);
    if (ps->n - ps->p < k || memcmp(ps->s + ps->p, kw, k) != 0)
        return false;
    size_t e = ps->p + k;
    if (strcmp(kw, "NEAR") == 0 && e < ps->n && ps->s[e] == '/')
        return true;
    return e == ps->n || space_len(ps, e) || ps->s[e] == '(' || ps->s[e] == ')' ||
           ps->s[e] == '"';
}

static bool at_binary_op(const parser *ps)
{
    return at_keyword(ps, "OR") || at_keyword(ps, "AND") || at_keyword(ps, "NEAR");
}

static bool at_end_of_operand(const parser *ps)
{
    return ps->p >= ps->n || ps->s[ps->p] == ')';
}

static const char OP_HINT[] =
    "an operator needs a query on each side; to search the word itself, "
    "write it in lower case or quote it";

/* Reads a quoted phrase at ps->p (an opening quote is there). */
static crible_qnode *parse_phrase(parser *ps, const char *field)
{
    const char *close = "\"";
    size_t start = ps->p, ql = open_quote(ps, ps->p, &close);
    size_t a = start + ql;
    const char *end = NULL;
    size_t cl = strlen(close);
    for (size_t i = a; i + cl <= ps->n; i++)
        if (memcmp(ps->s + i, close, cl) == 0) {
            end = ps->s + i;
            break;
        }
    if (!end) {
        fail(ps, start, "unbalanced quote",
             "close the phrase with a quote, or remove the quote to search the words");
        return NULL;
    }
    size_t b = (size_t)(end - ps->s);
    ps->p = b + cl;
    bool blank = true;
    for (size_t i = a; i < b; i++)
        if (!is_space((unsigned char)ps->s[i]))
            blank = false;
    if (blank) {
        fail(ps, start, "empty phrase", "put words between the quotes, or remove them");
        return NULL;
    }
    crible_qnode *q = node_new(ps, CRIBLE_Q_PHRASE, start);
    if (!q)
        return NULL;
    q->len = ps->p - start;
    q->text = dup_range(ps, a, b);
    if (field)
        q->field = strdup(field);
    if (!q->text || (field && !q->field)) {
        crible_qnode_free(q);
        return NULL;
    }
    return q;
}

static bool looks_numeric(const char *s, size_t n)
{
    return n > 0 && (isdigit((unsigned char)s[0]) ||
                     (n > 1 && (s[0] == '-' || s[0] == '+') &&
                      isdigit((unsigned char)s[1])));
}

static crible_qnode *make_range(parser *ps, size_t pos, const char *field,
                                size_t lo_a, size_t lo_b, bool lo_incl,
                                size_t hi_a, size_t hi_b, bool hi_incl)
{
    crible_qnode *q = node_new(ps, CRIBLE_Q_RANGE, pos);
    if (!q)
        return NULL;
    q->field = strdup(field);
    q->lo_incl = lo_incl;
    q->hi_incl = hi_incl;
    if (lo_b > lo_a)
        q->lo = dup_range(ps, lo_a, lo_b);
    if (hi_b > hi_a)
        q->hi = dup_range(ps, hi_a, hi_b);
    q->len = ps->p - pos;
    if (!q->field || (lo_b > lo_a && !q->lo) || (hi_b > hi_a && !q->hi)) {
        crible_qnode_free(q);
        fail(ps, pos, "out of memory", NULL);
        return NULL;
    }
    return q;
}

/* A bare word at ps->p (already known not to be an operator). */
static crible_qnode *parse_word(parser *ps, const char *field)
{
    size_t start = ps->p, e = word_end(ps, ps->p);
    size_t a = start, b = e;
    unsigned flags = 0;
    int fuzzy = 0;
    ps->p = e;
    if (a < b && ps->s[a] == '=') {
        flags |= CRIBLE_QF_EXACT;
        a++;
    }
    /* word~ word~1 word~2 */
    for (size_t t = b; t > a; t--) {
        if (ps->s[t - 1] != '~')
            continue;
        size_t digits = b - t;
        if (digits == 0 || (digits == 1 && isdigit((unsigned char)ps->s[t]))) {
            fuzzy = digits ? ps->s[t] - '0' : 1;
            if (fuzzy < 1 || fuzzy > 2) {
                fail(ps, t - 1, "fuzzy distance must be 1 or 2",
                     "write word~ (one edit) or word~2 (two edits)");
                return NULL;
            }
            flags |= CRIBLE_QF_FUZZY;
            b = t - 1;
        }
        break;
    }
    if (!(flags & CRIBLE_QF_FUZZY) && b > a && ps->s[b - 1] == '*') {
        while (b > a && ps->s[b - 1] == '*')
            b--;
        flags |= CRIBLE_QF_PREFIX;
    }
    if (b == a) {
        if (flags & (CRIBLE_QF_PREFIX | CRIBLE_QF_FUZZY)) {
            fail(ps, start, (flags & CRIBLE_QF_PREFIX) ? "a prefix needs at least one letter"
                                                      : "fuzzy matching needs a word",
                 "write it after a word: réalis*, acteru~");
            return NULL;
        }
        if (flags & CRIBLE_QF_EXACT) {
            fail(ps, start, "'=' needs a word after it", "write =victimes");
            return NULL;
        }
    }
    crible_qnode *q = node_new(ps, CRIBLE_Q_WORD, start);
    if (!q)
        return NULL;
    q->flags = flags;
    q->fuzzy = fuzzy;
    q->len = e - start;
    q->text = dup_range(ps, a, b);
    if (field)
        q->field = strdup(field);
    if (!q->text || (field && !q->field)) {
        crible_qnode_free(q);
        fail(ps, start, "out of memory", NULL);
        return NULL;
    }
    return q;
}

/* NAME at ps->p followed by ':' or a comparison: the name's end, or 0. */
static size_t field_name_end(const parser *ps)
{
    size_t p = ps->p;
    if (p >= ps->n || !(isalpha((unsigned char)ps->s[p]) || ps->s[p] == '_'))
        return 0;
    while (p < ps->n && (isalnum((unsigned char)ps->s[p]) || ps->s[p] == '_' ||
                         ps->s[p] == '-' || ps->s[p] == '.'))
        p++;
    return p;
}

static crible_qnode *parse_field(parser *ps, bool *matched)
{
    size_t start = ps->p, ne = field_name_end(ps);
    *matched = false;
    if (ne == 0 || ne >= ps->n)
        return NULL;
    char c = ps->s[ne];
    size_t oplen = 0;
    bool cmp = false;
    if (c == ':')
        oplen = 1;
    else if (c == '>' || c == '<') {
        cmp = true;
        oplen = (ne + 1 < ps->n && ps->s[ne + 1] == '=') ? 2 : 1;
    } else
        return NULL;
    size_t v = ne + oplen;
    if (!cmp && v < ps->n && ps->s[v] == '/')
        return NULL; /* a URL: http://..., a word */
    *matched = true;
    char name[64];
    size_t nl = ne - start;
    if (nl >= sizeof name) {
        fail(ps, start, "field name too long", "field names are short: title, person, rating");
        return NULL;
    }
    memcpy(name, ps->s + start, nl);
    name[nl] = '\0';
    for (char *t = name; *t; t++)
        *t = (char)tolower((unsigned char)*t);
    ps->p = v;
    if (v >= ps->n || space_len(ps, v) || ps->s[v] == ')') {
        char hint[200]; /* name is under 64 bytes: it fits */
        if (cmp)
            snprintf(hint, sizeof hint, "give a value: %.63s>=4", name);
        else
            snprintf(hint, sizeof hint, "give a value: %.63s:word or %.63s:\"two words\"", name,
                     name);
        fail(ps, v, cmp ? "comparison without a value" : "field without a value", hint);
        return NULL;
    }
    if (cmp) {
        size_t e = word_end(ps, v);
        ps->p = e;
        bool ge = ps->s[ne] == '>', incl = oplen == 2;
        return ge ? make_range(ps, start, name, v, e, incl, 0, 0, false)
                  : make_range(ps, start, name, 0, 0, false, v, e, incl);
    }
    const char *close;
    if (open_quote(ps, v, &close))
        return parse_phrase(ps, name);
    if (ps->s[v] == '(') {
        size_t open = v;
        ps->p = v + 1;
        if (++ps->depth > MAX_DEPTH) {
            fail(ps, open, "query nested too deeply", "use fewer parentheses");
            return NULL;
        }
        crible_qnode *q = parse_or(ps, name);
        ps->depth--;
        if (!q)
            return NULL;
        skip_space(ps);
        if (ps->p >= ps->n || ps->s[ps->p] != ')') {
            crible_qnode_free(q);
            fail(ps, open, "unbalanced parenthesis", "close it with ')'");
            return NULL;
        }
        ps->p++;
        return q;
    }
    /* field:lo..hi ranges */
    size_t e = word_end(ps, v);
    const char *dots = NULL;
    for (size_t i = v; i + 1 < e; i++)
        if (ps->s[i] == '.' && ps->s[i + 1] == '.') {
            dots = ps->s + i;
            break;
        }
    if (dots) {
        size_t d = (size_t)(dots - ps->s);
        bool lo_ok = d == v || looks_numeric(ps->s + v, d - v);
        bool hi_ok = d + 2 == e || looks_numeric(ps->s + d + 2, e - d - 2);
        if (lo_ok && hi_ok) {
            if (d == v && d + 2 == e) {
                fail(ps, v, "range without bounds", "write date:2020..2021, rating:3.. or date:..2019");
                return NULL;
            }
            ps->p = e;
            return make_range(ps, start, name, v, d, true, d + 2, e, true);
        }
    }
    crible_qnode *q = parse_word(ps, name);
    if (q)
        q->pos = start, q->len = ps->p - start;
    return q;
}

static crible_qnode *parse_unary(parser *ps, const char *field);

static crible_qnode *parse_primary(parser *ps, const char *field)
{
    skip_space(ps);
    if (ps->p >= ps->n) {
        fail(ps, ps->p, "the query ends where a word was expected", OP_HINT);
        return NULL;
    }
    const char *close;
    char c = ps->s[ps->p];
    if (c == '(') {
        size_t open = ps->p++;
        if (++ps->depth > MAX_DEPTH) {
            fail(ps, open, "query nested too deeply", "use fewer parentheses");
            return NULL;
        }
        skip_space(ps);
        if (ps->p >= ps->n) {
            fail(ps, open, "unbalanced parenthesis",
                 "close it with ')', or quote it to search it: \"(\"");
            return NULL;
        }
        if (ps->s[ps->p] == ')') {
            fail(ps, open, "empty parentheses", "put a query between them, or remove them");
            return NULL;
        }
        crible_qnode *q = parse_or(ps, field);
        ps->depth--;
        if (!q)
            return NULL;
        skip_space(ps);
        if (ps->p >= ps->n || ps->s[ps->p] != ')') {
            crible_qnode_free(q);
            fail(ps, open, "unbalanced parenthesis",
                 "close it with ')', or quote it to search it: \"(\"");
            return NULL;
        }
        ps->p++;
        return q;
    }
    if (c == ')') {
        fail(ps, ps->p, "unbalanced parenthesis",
             "remove it, or open it with '(' earlier in the query");
        return NULL;
    }
    if (open_quote(ps, ps->p, &close))
        return parse_phrase(ps, field);
    if (!field) {
        bool matched;
        crible_qnode *q = parse_field(ps, &matched);
        if (matched || ps->failed)
            return q;
    }
    return parse_word(ps, field);
}

static crible_qnode *parse_unary(parser *ps, const char *field)
{
    skip_space(ps);
    size_t start = ps->p;
    bool neg = false;
    if (at_keyword(ps, "NOT")) {
        ps->p += 3;
        neg = true;
    } else if (ps->p + 1 < ps->n && ps->s[ps->p] == '-' && !space_len(ps, ps->p + 1) &&
               ps->s[ps->p + 1] != '-' && ps->s[ps->p + 1] != ')') {
        ps->p++;
        neg = true;
    } else if (ps->p + 1 < ps->n && ps->s[ps->p] == '+' && !space_len(ps, ps->p + 1) &&
               ps->s[ps->p + 1] != ')') {
        ps->p++;
    } else if (at_binary_op(ps)) {
        size_t e = word_end(ps, ps->p);
        char msg[96];
        snprintf(msg, sizeof msg, "%.*s without a query on its left", (int)(e - ps->p), ps->s + ps->p);
        fail(ps, ps->p, msg, OP_HINT);
        return NULL;
    }
    if (!neg)
        return parse_primary(ps, field);
    skip_space(ps);
    if (at_end_of_operand(ps) || at_binary_op(ps)) {
        fail(ps, start, "NOT without a query after it", "write NOT word, or -word");
        return NULL;
    }
    if (++ps->depth > MAX_DEPTH) {
        fail(ps, start, "query nested too deeply", "use fewer operators");
        return NULL;
    }
    crible_qnode *c = parse_unary(ps, field);
    ps->depth--;
    if (!c)
        return NULL;
    crible_qnode *q = node_new(ps, CRIBLE_Q_NOT, start);
    if (!q) {
        crible_qnode_free(c);
        return NULL;
    }
    q->len = ps->p - start;
    if (!add_child(ps, q, c)) {
        crible_qnode_free(q);
        return NULL;
    }
    return q;
}

/* Reads NEAR, NEAR/n or NEAR/s at ps->p; the distance, or INT_MIN on error. */
static bool parse_near_op(parser *ps, int *dist)
{
    size_t start = ps->p;
    ps->p += 4;
    *dist = ps->opts->near_default > 0 ? ps->opts->near_default : 10;
    if (ps->p < ps->n && ps->s[ps->p] == '/') {
        size_t a = ++ps->p, e = word_end(ps, a);
        ps->p = e;
        if (e - a == 1 && (ps->s[a] == 's' || ps->s[a] == 'S')) {
            *dist = -1;
            return true;
        }
        if (e - a == 8 && strncmp(ps->s + a, "sentence", 8) == 0) {
            *dist = -1;
            return true;
        }
        long v = 0;
        size_t i = a;
        for (; i < e && isdigit((unsigned char)ps->s[i]) && v < 100000; i++)
            v = v * 10 + (ps->s[i] - '0');
        if (i == a || i != e || v < 0 || v > 1000)
            return fail(ps, start, "bad NEAR distance",
                        "write NEAR/3 (within 3 words, 0..1000) or NEAR/s (same sentence)");
        *dist = (int)v;
    }
    return true;
}

static crible_qnode *parse_near(parser *ps, const char *field)
{
    crible_qnode *left = parse_unary(ps, field);
    if (!left)
        return NULL;
    for (;;) {
        skip_space(ps);
        if (!at_keyword(ps, "NEAR"))
            return left;
        size_t op = ps->p;
        int dist;
        if (!parse_near_op(ps, &dist)) {
            crible_qnode_free(left);
            return NULL;
        }
        skip_space(ps);
        if (at_end_of_operand(ps) || at_binary_op(ps)) {
            crible_qnode_free(left);
            fail(ps, op, "NEAR without a query on its right", OP_HINT);
            return NULL;
        }
        crible_qnode *right = parse_unary(ps, field);
        if (!right) {
            crible_qnode_free(left);
            return NULL;
        }
        if (left->kind == CRIBLE_Q_NEAR && left->near == dist) {
            if (!add_child(ps, left, right)) {
                crible_qnode_free(left);
                return NULL;
            }
            continue;
        }
        crible_qnode *q = node_new(ps, CRIBLE_Q_NEAR, left->pos);
        if (!q || !add_child(ps, q, left)) {
            crible_qnode_free(q ? NULL : left);
            crible_qnode_free(q);
            crible_qnode_free(right);
            return NULL;
        }
        q->near = dist;
        if (!add_child(ps, q, right)) {
            crible_qnode_free(q);
            return NULL;
        }
        left = q;
    }
}

/* or := and (("OR" | implicit-if-default-or) and)*
 * and := near (("AND" | implicit-if-default-and) near)* */
static crible_qnode *parse_list(parser *ps, const char *field, bool is_or)
{
    crible_qnode *first = is_or ? parse_list(ps, field, false) : parse_near(ps, field);
    crible_qnode *list = NULL;
    if (!first)
        return NULL;
    bool implicit = is_or ? ps->opts->default_or : !ps->opts->default_or;
    for (;;) {
        skip_space(ps);
        if (at_end_of_operand(ps))
            break;
        size_t op = ps->p;
        const char *kw = is_or ? "OR" : "AND";
        if (at_keyword(ps, kw))
            ps->p += strlen(kw);
        else if (!implicit || at_keyword(ps, is_or ? "AND" : "OR"))
            break;
        skip_space(ps);
        if (ps->p != op && (at_end_of_operand(ps) || at_keyword(ps, "OR") ||
                            at_keyword(ps, "AND"))) {
            char msg[64];
            snprintf(msg, sizeof msg, "%s without a query on its right", kw);
            fail(ps, op, msg, OP_HINT);
            goto fail;
        }
        crible_qnode *next = is_or ? parse_list(ps, field, false) : parse_near(ps, field);
        if (!next)
            goto fail;
        if (!list) {
            list = node_new(ps, is_or ? CRIBLE_Q_OR : CRIBLE_Q_AND, first->pos);
            if (!list) {
                crible_qnode_free(next);
                goto fail;
            }
            crible_qnode *f = first;
            first = NULL;
            if (!add_child(ps, list, f)) {
                crible_qnode_free(next);
                goto fail;
            }
        }
        if (!add_child(ps, list, next))
            goto fail;
    }
    return list ? list : first;
fail:
    crible_qnode_free(first);
    crible_qnode_free(list);
    return NULL;
}

static crible_qnode *parse_or(parser *ps, const char *field)
{
    return parse_list(ps, field, true);
}

crible_status crible_query_parse(const char *query, const crible_query_parse_options *opts,
                                 crible_qnode **out, crible_query_syntax *syntax,
                                 crible_error *err)
{
    static const crible_query_parse_options defaults = {false, 10};
    crible_query_syntax local;
    parser ps = {query, strlen(query), 0, 0, opts ? opts : &defaults,
                 syntax ? syntax : &local, false, false};
    memset(ps.syn, 0, sizeof *ps.syn);
    *out = NULL;
    skip_space(&ps);
    if (ps.p >= ps.n) {
        fail(&ps, ps.p, "empty query", "give at least one word: crible-query IDX 'enfer'");
        return crible_error_set(err, CRIBLE_EDATA, "syntax error at column 1: empty query");
    }
    crible_qnode *q = parse_or(&ps, NULL);
    if (q && !ps.failed) {
        skip_space(&ps);
        if (ps.p < ps.n) /* only a stray ')' stops parse_or before the end */
            fail(&ps, ps.p, "unbalanced parenthesis",
                 "remove it, or open it with '(' earlier in the query");
    }
    if (ps.failed) {
        crible_qnode_free(q);
        if (ps.oom)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory parsing the query");
        size_t col = 1;
        for (size_t i = 0; i < ps.syn->pos && i < ps.n; i++)
            if (((unsigned char)query[i] & 0xC0) != 0x80)
                col++;
        return crible_error_set(err, CRIBLE_EDATA, "syntax error at column %zu: %s", col,
                                ps.syn->message);
    }
    *out = q;
    return CRIBLE_OK;
}

char *crible_query_syntax_format(const char *query, const crible_query_syntax *syntax,
                                 char *buf, size_t n)
{
    if (n == 0)
        return buf;
    size_t len = 0, qn = strlen(query);
    /* The query on one line (line breaks shown as spaces), then the caret. */
    char *line = malloc(qn + 1);
    if (!line) {
        snprintf(buf, n, "%s", syntax->message);
        return buf;
    }
    size_t col = 0;
    for (size_t i = 0; i < qn; i++) {
        char c = query[i];
        line[i] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
        if (i < syntax->pos && ((unsigned char)c & 0xC0) != 0x80)
            col++;
    }
    line[qn] = '\0';
    len += (size_t)snprintf(buf + len, n - len, "  %s\n  ", line);
    free(line);
    for (size_t i = 0; i < col && len + 1 < n; i++)
        buf[len++] = ' ';
    if (len < n)
        len += (size_t)snprintf(buf + len, n - len, "^");
    if (syntax->hint[0] && len < n)
        snprintf(buf + len, n - len, "\n  hint: %s", syntax->hint);
    buf[n - 1] = '\0';
    return buf;
}

typedef struct sbuf {
    char *b;
    size_t n, len;
} sbuf;

static void sb_put(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_put(sbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = s->len < s->n ? s->n - s->len : 0;
    int k = vsnprintf(room ? s->b + s->len : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        s->len += (size_t)k;
}

static void print_node(sbuf *s, const crible_qnode *q)
{
    static const char *const names[] = {"WORD", "PHRASE", "AND", "OR", "NOT", "NEAR", "RANGE"};
    sb_put(s, "(%s", names[q->kind]);
    if (q->kind == CRIBLE_Q_NEAR) {
        if (q->near < 0)
            sb_put(s, "/s");
        else
            sb_put(s, "/%d", q->near);
    }
    if (q->field)
        sb_put(s, " %s", q->field);
    if (q->flags & CRIBLE_QF_EXACT)
        sb_put(s, " =");
    if (q->text)
        sb_put(s, " \"%s\"", q->text);
    if (q->flags & CRIBLE_QF_PREFIX)
        sb_put(s, "*");
    if (q->flags & CRIBLE_QF_FUZZY)
        sb_put(s, "~%d", q->fuzzy);
    if (q->kind == CRIBLE_Q_RANGE)
        sb_put(s, " %s%s..%s%s", q->lo_incl ? "[" : "(", q->lo ? q->lo : "",
               q->hi ? q->hi : "", q->hi_incl ? "]" : ")");
    for (size_t i = 0; i < q->nchild; i++) {
        sb_put(s, " ");
        print_node(s, q->child[i]);
    }
    sb_put(s, ")");
}

size_t crible_qnode_print(const crible_qnode *node, char *buf, size_t n)
{
    sbuf s = {buf, n, 0};
    if (n)
        buf[0] = '\0';
    print_node(&s, node);
    if (n)
        buf[s.len < n ? s.len : n - 1] = '\0';
    return s.len;
}
