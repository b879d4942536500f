/*
 * json_fast.c - the plain-JSON fast path (json_fast.h says what it accepts
 * and its contract with jansson): one string scanner, one number reader,
 * one recursive descent over the values, one member walker (and its
 * twin for an array's items), one unescaper; and, for lines the document
 * scan accepted, a walk that skips values without checking them again
 * (crible_json_doc_strings).  No allocation.
 */
#include "json_fast.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdint.h>
#include <string.h>
#include <unicode/utf8.h>

typedef const unsigned char *ptr;

typedef struct walk {
    ptr p, end;
    int depth;
} walk;

#define MAX_DEPTH 64

static void ws(walk *w)
{
    while (w->p < w->end && (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r'))
        w->p++;
}

static int hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The string scanner: p after an opening quote; the closing quote, or NULL
 * if not sure.  *escaped: it holds a backslash; *cr: a \r or \u000d escape
 * (a raw CR is a control byte: refused). */
static ptr string(ptr p, ptr end, bool *escaped, bool *cr)
{
    for (;;) {
#ifdef __SSE2__
        /* 16 bytes at a time to the next quote, backslash or control byte */
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        const __m128i ctl = _mm_set1_epi8(0x1F);
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                    _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
            int mask = _mm_movemask_epi8(hit);
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                break;
            }
            p += 16;
        }
#endif
        while (p < end && *p != '"' && *p != '\\' && *p >= 0x20)
            p++;
        if (p >= end || *p < 0x20)
            return NULL;
        if (*p == '"')
            return p;
        *escaped = true;
        if (p + 1 >= end)
            return NULL;
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 't':
            p += 2;
            break;
        case 'r':
            *cr = true;
            p += 2;
            break;
        case 'u': {
            if (end - p < 6)
                return NULL;
            int v = 0;
            for (int k = 2; k < 6; k++) {
                int h = hex(p[k]);
                if (h < 0)
                    return NULL;
                v = v * 16 + h;
            }
            if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
                return NULL;   /* NUL, surrogates: let jansson judge */
            if (v == '\r')
                *cr = true;    /* \u000d is a CR too */
            p += 6;
            break;
        }
        default:
            return NULL;
        }
    }
}

static bool digit(ptr p, ptr end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* The number reader: p at the number; its end, or NULL if not sure.  *v is
 * jansson's value when *exact: an integer (json_int_t, then double) or a
 * decimal m / 10^k with m < 2^53 and k <= 22, both exact doubles, so one
 * correctly rounded division, as strtod's result. */
static ptr number(ptr p, ptr end, double *v, bool *exact)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    bool neg = p < end && *p == '-';
    if (neg)
        p++;
    ptr start = p;
    if (p < end && *p == '0')
        p++;
    else if (p < end && *p >= '1' && *p <= '9')
        while (digit(p, end))
            p++;
    else
        return NULL;
    if (p - start > 18)
        return NULL;   /* may overflow jansson's json_int_t */
    uint64_t m = 0;
    for (ptr q = start; q < p; q++)
        m = m * 10 + (uint64_t)(*q - '0');
    ptr frac = NULL;
    if (p < end && *p == '.') {
        frac = ++p;
        if (!digit(p, end))
            return NULL;
        while (digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E'))
        return NULL;   /* may overflow a double */
    *exact = true;
    if (!frac) {
        /* an integer: jansson's value is (double) of the integer, -0 is 0 */
        *v = (double)(neg ? -(int64_t)m : (int64_t)m);
        return p;
    }
    size_t k = (size_t)(p - frac);
    *exact = k <= 22 && (size_t)(frac - 1 - start) + k <= 19;   /* m fits in 64 bits */
    if (*exact) {
        for (ptr q = frac; q < p; q++)
            m = m * 10 + (uint64_t)(*q - '0');
        *exact = m <= (UINT64_C(1) << 53);
        *v = (double)m / pow10[k];
        if (neg)
            *v = -*v;
    }
    return p;
}

static bool literal(walk *w, const char *word, size_t n)
{
    if ((size_t)(w->end - w->p) < n || memcmp(w->p, word, n) != 0)
        return false;
    w->p += n;
    return true;
}

static bool value(walk *w, crible_json_member *m);

/* An array or an object, at its opening bracket; members not reported. */
static bool container(walk *w, bool object)
{
    if (++w->depth > MAX_DEPTH)
        return false;
    char close = object ? '}' : ']';
    w->p++;
    ws(w);
    if (w->p < w->end && *w->p == close) {
        w->p++;
        w->depth--;
        return true;
    }
    crible_json_member m;
    for (;;) {
        if (object) {
            bool esc = false, cr = false;
            if (w->p >= w->end || *w->p != '"' || !(w->p = string(w->p + 1, w->end, &esc, &cr)))
                return false;
            w->p++;
            ws(w);
            if (w->p >= w->end || *w->p++ != ':')
                return false;
            ws(w);
        }
        if (!value(w, &m))
            return false;
        ws(w);
        if (w->p >= w->end)
            return false;
        if (*w->p == close) {
            w->p++;
            w->depth--;
            return true;
        }
        if (*w->p++ != ',')
            return false;
        ws(w);
    }
}

/* Any value at w->p: its kind, span and, for a string or a number, what
 * crible_json_member says. */
static bool value(walk *w, crible_json_member *m)
{
    if (w->p >= w->end)
        return false;
    ptr start = w->p;
    bool ok;
    switch (*w->p) {
    case '"':
        m->kind = CRIBLE_JSON_STRING;
        m->escaped = m->has_cr = false;
        if (!(w->p = string(start + 1, w->end, &m->escaped, &m->has_cr)))
            return false;
        m->value = (const char *)start + 1;
        m->value_len = (size_t)(w->p - start - 1);
        w->p++;
        return true;
    case '{':
    case '[':
        m->kind = *w->p == '{' ? CRIBLE_JSON_OBJECT : CRIBLE_JSON_ARRAY;
        ok = container(w, *w->p == '{');
        break;
    case 't':
        m->kind = CRIBLE_JSON_TRUE;
        ok = literal(w, "true", 4);
        break;
    case 'f':
        m->kind = CRIBLE_JSON_FALSE;
        ok = literal(w, "false", 5);
        break;
    case 'n':
        m->kind = CRIBLE_JSON_NULL;
        ok = literal(w, "null", 4);
        break;
    default:
        m->kind = CRIBLE_JSON_NUMBER;
        ok = (w->p = number(start, w->end, &m->number, &m->exact)) != NULL;
        break;
    }
    m->value = (const char *)start;
    m->value_len = ok ? (size_t)(w->p - start) : 0;
    return ok;
}

/* The members of an object (with their keys) or the items of an array. */
static bool walk_top(const char *s, size_t n, bool object, crible_json_member_fn each, void *ctx)
{
    char open = object ? '{' : '[', close = object ? '}' : ']';
    walk w = {(ptr)s, (ptr)s + n, 1};
    ws(&w);
    if (w.p >= w.end || *w.p++ != open)
        return false;
    ws(&w);
    if (w.p < w.end && *w.p == close) {
        w.p++;
        ws(&w);
        return w.p == w.end;
    }
    for (;;) {
        crible_json_member m = {0};
        if (object) {
            if (w.p >= w.end || *w.p != '"')
                return false;
            ptr key = w.p + 1;
            bool cr = false;
            if (!(w.p = string(key, w.end, &m.key_escaped, &cr)))
                return false;
            m.key = (const char *)key;
            m.key_len = (size_t)(w.p - key);
            w.p++;
            ws(&w);
            if (w.p >= w.end || *w.p++ != ':')
                return false;
            ws(&w);
        }
        if (!value(&w, &m) || !each(&m, ctx))
            return false;
        ws(&w);
        if (w.p >= w.end)
            return false;
        if (*w.p == close) {
            w.p++;
            ws(&w);
            return w.p == w.end;
        }
        if (*w.p++ != ',')
            return false;
        ws(&w);
    }
}

bool crible_json_object_walk(const char *s, size_t n, crible_json_member_fn each, void *ctx)
{
    return walk_top(s, n, true, each, ctx);
}

bool crible_json_array_walk(const char *s, size_t n, crible_json_member_fn each, void *ctx)
{
    return walk_top(s, n, false, each, ctx);
}

static bool is_key(const crible_json_member *m, const char *name, size_t len)
{
    return m->key_len == len && memcmp(m->key, name, len) == 0;
}

/* crible_json_doc_scan_spans' walk: the document, and the spans kept. */
typedef struct doc_walk {
    crible_json_doc *d;
    crible_json_span *spans;
    size_t cap, n;
} doc_walk;

static bool doc_member(const crible_json_member *m, void *ctx)
{
    doc_walk *w = ctx;
    crible_json_doc *d = w->d;
    if (m->key_escaped)
        return false;   /* "\u0069d" is "id": let jansson read it */
    if (w->n < w->cap)
        w->spans[w->n] = (crible_json_span){m->key, m->value, m->key_len, m->value_len, m->kind};
    w->n++;
    crible_json_kind *slot;
    if (is_key(m, "id", 2)) {
        slot = &d->id;
        d->id_str = m->value;
        d->id_len = m->value_len;
    } else if (is_key(m, "text", 4)) {
        slot = &d->text;
        d->text_str = m->value;
        d->text_len = m->value_len;
        d->text_has_cr = m->kind == CRIBLE_JSON_STRING && m->has_cr;
    } else if (is_key(m, "title", 5)) {
        slot = &d->title;
    } else {
        return true;
    }
    if (*slot != CRIBLE_JSON_ABSENT)
        return false;   /* given twice */
    *slot = m->kind;
    return true;
}

bool crible_json_doc_scan_spans(const char *s, size_t n, crible_json_doc *d, crible_json_span *spans, size_t cap,
                                size_t *nspans)
{
    memset(d, 0, sizeof *d);
    doc_walk w = {d, spans, cap, 0};
    *nspans = 0;
    if (!crible_json_object_walk(s, n, doc_member, &w))
        return false;
    *nspans = w.n;
    if (d->id != CRIBLE_JSON_STRING)
        d->id_str = NULL;
    if (d->text != CRIBLE_JSON_STRING)
        d->text_str = NULL;
    return true;
}

bool crible_json_doc_scan(const char *s, size_t n, crible_json_doc *d)
{
    size_t nspans;
    return crible_json_doc_scan_spans(s, n, d, NULL, 0, &nspans);
}

void crible_json_spans_strings(const crible_json_span *spans, size_t nspans, const char *const *names, size_t k,
                               const char **strs, size_t *lens)
{
    for (size_t i = 0; i < k; i++)
        strs[i] = NULL;
    if (k > CRIBLE_JSON_DOC_STRINGS_MAX)
        k = CRIBLE_JSON_DOC_STRINGS_MAX;
    for (size_t i = 0; i < k; i++) {
        size_t len = strlen(names[i]);
        for (size_t j = nspans; j-- > 0;)   /* the last one counts */
            if (spans[j].key_len == len && memcmp(spans[j].key, names[i], len) == 0) {
                if (spans[j].kind == CRIBLE_JSON_STRING) {
                    strs[i] = spans[j].value;
                    lens[i] = spans[j].value_len;
                }
                break;
            }
    }
}

typedef struct find {
    const char *name;
    size_t name_len;
    const char *str;
    size_t len;
} find;

static bool find_member(const crible_json_member *m, void *ctx)
{
    find *f = ctx;
    if (is_key(m, f->name, f->name_len)) {
        f->str = m->kind == CRIBLE_JSON_STRING ? m->value : NULL;   /* the last one counts */
        f->len = m->value_len;
    }
    return true;
}

bool crible_json_member_find(const char *s, size_t n, const char *name, const char **str,
                             size_t *len)
{
    find f = {name, strlen(name), NULL, 0};
    if (!crible_json_object_walk(s, n, find_member, &f) || !f.str)
        return false;
    *str = f.str;
    *len = f.len;
    return true;
}

/* The closing quote of the well-formed string whose body starts at p (an
 * accepted line's: a backslash escapes the next byte, \uXXXX holds no
 * quote), or end. */
static ptr skip_string(ptr p, ptr end)
{
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                break;
            }
            p += 16;
        }
#endif
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p >= end || *p == '"')
            return p;
        if (end - p < 2)   /* a backslash last: p + 2 would point past end + 1 */
            return end;
        p += 2;   /* the escape's backslash and the byte it escapes */
    }
}

/* The end of the value of an accepted line at p: a string, a container
 * (strings inside skipped whole), or a number or literal (up to the
 * next , } ] or blank). */
static ptr skip_value(ptr p, ptr end)
{
    if (p >= end)
        return end;
    if (*p == '"') {
        p = skip_string(p + 1, end);
        return p < end ? p + 1 : end;
    }
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        for (; p < end; p++) {
            if (*p == '"') {
                if ((p = skip_string(p + 1, end)) >= end)
                    return end;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if ((*p == '}' || *p == ']') && --depth == 0) {
                return p + 1;
            }
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' &&
           *p != '\r')
        p++;
    return p;
}

void crible_json_doc_strings(const char *s, size_t n, const char *const *names, size_t k,
                             const char **strs, size_t *lens)
{
    size_t name_len[CRIBLE_JSON_DOC_STRINGS_MAX];
    for (size_t i = 0; i < k; i++)
        strs[i] = NULL;
    if (k > CRIBLE_JSON_DOC_STRINGS_MAX)
        k = CRIBLE_JSON_DOC_STRINGS_MAX;
    for (size_t i = 0; i < k; i++)
        name_len[i] = strlen(names[i]);
    walk w = {(ptr)s, (ptr)s + n, 0};
    ws(&w);
    if (w.p >= w.end || *w.p++ != '{')
        return;
    for (;;) {
        ws(&w);
        if (w.p >= w.end || *w.p != '"')
            return;   /* the closing brace of {} */
        ptr key = w.p + 1;
        if ((w.p = skip_string(key, w.end)) >= w.end)
            return;
        size_t key_len = (size_t)(w.p - key);
        w.p++;
        ws(&w);
        if (w.p >= w.end || *w.p++ != ':')
            return;
        ws(&w);
        ptr v = w.p;
        w.p = skip_value(v, w.end);
        for (size_t i = 0; i < k; i++)
            if (key_len == name_len[i] && memcmp(key, names[i], key_len) == 0) {
                /* the last one counts */
                strs[i] = *v == '"' && w.p > v + 1 ? (const char *)v + 1 : NULL;
                lens[i] = strs[i] ? (size_t)(w.p - v - 2) : 0;
            }
        ws(&w);
        if (w.p >= w.end || *w.p++ != ',')
            return;
    }
}

size_t crible_json_unescape(const char *src, size_t n, char *dst)
{
    const char *bs = memchr(src, '\\', n);
    if (!bs) {
        memmove(dst, src, n);
        dst[n] = '\0';
        return n;
    }
    size_t o = (size_t)(bs - src);
    memmove(dst, src, o);
    for (size_t i = o; i < n;) {
        if (src[i] != '\\') {   /* the run up to the next escape, at once */
            const char *next = memchr(src + i, '\\', n - i);
            size_t run = next ? (size_t)(next - src) - i : n - i;
            memmove(dst + o, src + i, run);
            o += run;
            i += run;
            continue;
        }
        char e = src[i + 1];
        i += 2;
        switch (e) {
        case 'b': dst[o++] = '\b'; break;
        case 'f': dst[o++] = '\f'; break;
        case 'n': dst[o++] = '\n'; break;
        case 'r': dst[o++] = '\r'; break;
        case 't': dst[o++] = '\t'; break;
        case 'u': {
            uint32_t cp = 0;
            for (int k = 0; k < 4; k++)
                cp = cp * 16 + (uint32_t)hex((unsigned char)src[i + k]);
            i += 4;
            U8_APPEND_UNSAFE(dst, o, cp);   /* never longer than its escape */
            break;
        }
        default: dst[o++] = e; break;     /* " \ / */
        }
    }
    dst[o] = '\0';
    return o;
}
