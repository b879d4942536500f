/*
 * index_docjson.c - a flat JSON object's members, decoded in one pass
 * (index_docjson.h says which objects; the others go to jansson).
 */
#include "index_docjson.h"

#include "doc.h"

#include <stdlib.h>

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* A string at p (after its opening quote) decoded into out, which has room
 * for it: the end (after the closing quote), or NULL if not sure. */
static const char *string(const char *p, const char *e, char *out, size_t *len, bool key)
{
    char *o = out;
    while (p < e) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"') {
            *o = 0;
            *len = (size_t)(o - out);
            return p;
        }
        if (c < 0x20) return NULL;   /* jansson refuses control characters */
        if (c != '\\') { *o++ = (char)c; continue; }
        if (key || p == e) return NULL;
        switch (*p++) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        default: return NULL;        /* \u (and errors): jansson */
        }
    }
    return NULL;
}

/* A number at p: its end, or NULL if not sure. */
static const char *number(const char *p, const char *e, double *v)
{
    bool neg = p < e && *p == '-';
    if (neg) p++;
    if (p == e || *p < '0' || *p > '9') return NULL;
    if (*p == '0' && p + 1 < e && p[1] >= '0' && p[1] <= '9') return NULL;   /* leading zero */
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (; p < e; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 15) return NULL;
            m = m * 10 + (uint64_t)(*p - '0');
            if (frac >= 0) frac++;
        } else if (*p == '.' && frac < 0) {
            frac = 0;
            if (p + 1 == e || p[1] < '0' || p[1] > '9') return NULL;
        } else {
            break;
        }
    }
    if (p < e && (*p == 'e' || *p == 'E')) return NULL;
    if (frac < 0) {
        /* an integer: jansson's value is (double) of the integer, -0 is 0 */
        *v = (double)(neg ? -(int64_t)m : (int64_t)m);
    } else {
        /* both exact (m < 2^53, 10^frac <= 10^15): one correctly rounded
         * division, as strtod's result */
        double d = 1;
        for (int i = 0; i < frac; i++) d *= 10;
        *v = (double)m / d;
        if (neg) *v = -*v;
    }
    return p;
}

static bool word(const char **p, const char *e, const char *w, size_t n)
{
    if ((size_t)(e - *p) < n || memcmp(*p, w, n) != 0) return false;
    *p += n;
    return true;
}

bool ix_docjson_scan(ix_docjson *d, const char *s, size_t n)
{
    d->n = 0;
    d->buf.len = 0;
    if (crible_utf8_invalid_offset(s, n) != n) return false;
    /* decoded text never outgrows its JSON; + 2 NULs a member (5 bytes or more) */
    if (!ix_buf_reserve(&d->buf, n + n / 2 + 16)) return false;
    char *out = (char *)d->buf.data;
    const char *p = ws(s, s + n), *e = s + n;
    if (p == e || *p++ != '{') return false;
    p = ws(p, e);
    if (p < e && *p == '}') return ws(p + 1, e) == e;
    for (;;) {
        if (p == e || *p++ != '"') return false;
        ix_jmember m = {out, IX_J_NULL, NULL, 0, 0};
        size_t kl;
        if (!(p = string(p, e, out, &kl, true))) return false;
        out += kl + 1;
        for (size_t i = 0; i < d->n; i++)
            if (strcmp(d->m[i].key, m.key) == 0) return false;   /* repeated: jansson */
        p = ws(p, e);
        if (p == e || *p++ != ':') return false;
        p = ws(p, e);
        if (p == e) return false;
        if (*p == '"') {
            m.kind = IX_J_STRING;
            m.str = out;
            if (!(p = string(p + 1, e, out, &m.len, false))) return false;
            out += m.len + 1;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            m.kind = IX_J_NUMBER;
            if (!(p = number(p, e, &m.num))) return false;
        } else if (word(&p, e, "true", 4)) {
            m.kind = IX_J_TRUE;
        } else if (word(&p, e, "false", 5)) {
            m.kind = IX_J_FALSE;
        } else if (!word(&p, e, "null", 4)) {
            return false;   /* objects, arrays, errors: jansson */
        }
        if (d->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 16;
            ix_jmember *nm = realloc(d->m, cap * sizeof *nm);
            if (!nm) return false;
            d->m = nm;
            d->cap = cap;
        }
        d->m[d->n++] = m;
        p = ws(p, e);
        if (p == e) return false;
        if (*p == '}') return ws(p + 1, e) == e;
        if (*p++ != ',') return false;
        p = ws(p, e);
    }
}

const ix_jmember *ix_docjson_string(const ix_docjson *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->m[i].kind == IX_J_STRING && strcmp(d->m[i].key, key) == 0) return &d->m[i];
    return NULL;
}

void ix_docjson_free(ix_docjson *d)
{
    ix_buf_free(&d->buf);
    free(d->m);
    d->m = NULL;
    d->n = d->cap = 0;
}
