/*
 * read_json_scan.c - the validating scanner of read_json_scan.h: RFC 8259
 * grammar, recursive descent over the bytes, no allocation.  Its contract
 * is one-sided: true only for lines jansson accepts (see the header).
 */
#include "read_json_scan.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <string.h>

typedef struct scan {
    const unsigned char *p, *end;
    int depth;
} scan;

#define MAX_DEPTH 64

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
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

/* A string, at its opening quote.  *backslash: it had an escape; *cr: a \r. */
static bool string(scan *s, bool *backslash, bool *cr)
{
    const unsigned char *p = s->p + 1, *end = s->end;
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
            return false;
        if (*p == '"')
            break;
        *backslash = true;
        if (p + 1 >= end)
            return false;
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
                return false;
            int v = 0;
            for (int k = 2; k < 6; k++) {
                int h = hex(p[k]);
                if (h < 0)
                    return false;
                v = v * 16 + h;
            }
            if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
                return false;   /* NUL, surrogates: let jansson judge */
            p += 6;
            break;
        }
        default:
            return false;
        }
    }
    s->p = p + 1;
    return true;
}

static bool number(scan *s)
{
    const unsigned char *p = s->p, *end = s->end;
    if (p < end && *p == '-')
        p++;
    const unsigned char *digits = p;
    if (p < end && *p == '0')
        p++;
    else if (p < end && *p >= '1' && *p <= '9')
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (p - digits > 18)
        return false;   /* may overflow jansson's json_int_t */
    if (p < end && *p == '.') {
        p++;
        if (!(p < end && *p >= '0' && *p <= '9'))
            return false;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E'))
        return false;   /* may overflow a double */
    s->p = p;
    return true;
}

static bool literal(scan *s, const char *word, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool value(scan *s, crible_read_json_members *m, bool top);

static bool array(scan *s)
{
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return true;
    }
    for (;;) {
        if (!value(s, NULL, false))
            return false;
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == ']') {
            s->p++;
            return true;
        }
        if (*s->p++ != ',')
            return false;
        ws(s);
    }
}

static crible_read_json_kind kind_at(const scan *s)
{
    return *s->p == '"' ? CRIBLE_READ_JSON_STRING : CRIBLE_READ_JSON_OTHER;
}

/* An object, at its "{".  m is not NULL for the top-level object only. */
static bool object(scan *s, crible_read_json_members *m)
{
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return true;
    }
    for (;;) {
        if (s->p >= s->end || *s->p != '"')
            return false;
        const unsigned char *key = s->p + 1;
        bool esc = false, cr = false;
        if (!string(s, &esc, &cr))
            return false;
        size_t klen = (size_t)(s->p - 1 - key);
        ws(s);
        if (s->p >= s->end || *s->p++ != ':')
            return false;
        ws(s);
        if (s->p >= s->end)
            return false;
        crible_read_json_kind *slot = NULL;
        bool is_text = false;
        if (m) {
            if (esc)
                return false;   /* "\u0069d" is "id": let jansson read it */
            if (klen == 2 && memcmp(key, "id", 2) == 0)
                slot = &m->id;
            else if (klen == 5 && memcmp(key, "title", 5) == 0)
                slot = &m->title;
            else if (klen == 4 && memcmp(key, "text", 4) == 0)
                slot = &m->text, is_text = true;
            if (slot && *slot != CRIBLE_READ_JSON_ABSENT)
                return false;   /* given twice */
            if (slot)
                *slot = kind_at(s);
        }
        if (is_text && *s->p == '"') {
            bool e2 = false;
            if (!string(s, &e2, &m->text_has_cr))
                return false;
        } else if (!value(s, NULL, false)) {
            return false;
        }
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == '}') {
            s->p++;
            return true;
        }
        if (*s->p++ != ',')
            return false;
        ws(s);
    }
}

static bool value(scan *s, crible_read_json_members *m, bool top)
{
    if (s->p >= s->end)
        return false;
    bool esc = false, cr = false, ok;
    switch (*s->p) {
    case '{':
        if (++s->depth > MAX_DEPTH)
            return false;
        ok = object(s, top ? m : NULL);
        s->depth--;
        return ok;
    case '[':
        if (top || ++s->depth > MAX_DEPTH)
            return false;
        ok = array(s);
        s->depth--;
        return ok;
    case '"':
        return !top && string(s, &esc, &cr);
    case 't':
        return !top && literal(s, "true", 4);
    case 'f':
        return !top && literal(s, "false", 5);
    case 'n':
        return !top && literal(s, "null", 4);
    default:
        return !top && number(s);
    }
}

bool crible_read_json_scan(const char *str, size_t n, crible_read_json_members *m)
{
    scan s = {(const unsigned char *)str, (const unsigned char *)str + n, 0};
    memset(m, 0, sizeof *m);
    ws(&s);
    if (s.p >= s.end || *s.p != '{' || !value(&s, m, true))
        return false;
    ws(&s);
    return s.p == s.end;
}
