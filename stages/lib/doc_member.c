/*
 * doc_member.c - top-level string members of a JSON line already
 * validated by read_json_scan.h (what may be assumed: doc_member.h).
 */
#include "doc_member.h"

#include <stdint.h>
#include <string.h>
#include <unicode/utf8.h>

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* s[i] is an opening quote: the index of the closing one (the next quote
 * not escaped: after an even run of backslashes), found with memchr. */
static size_t string_end(const char *s, size_t i, size_t n)
{
    for (i++; i < n;) {
        const char *q = memchr(s + i, '"', n - i);
        if (!q)
            return n;
        size_t k = (size_t)(q - s), b = k;
        while (b > i && s[b - 1] == '\\')
            b--;
        if ((k - b) % 2 == 0)
            return k;
        i = k + 1;
    }
    return n;
}

/* The index just past the value starting at s[i]. */
static size_t skip_value(const char *s, size_t i, size_t n)
{
    if (s[i] == '"')
        return string_end(s, i, n) + 1;
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"')
                i = string_end(s, i, n);
            else if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
           s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

bool crible_doc_member_find(const char *s, size_t n, const char *name, size_t *start,
                            size_t *len)
{
    size_t name_len = strlen(name);
    bool found = false;
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{')
        return false;
    i++;
    for (;;) {
        i = skip_ws(s, i, n);
        if (i >= n || s[i] != '"')
            return found;
        size_t key_end = string_end(s, i, n);
        bool match = key_end - i - 1 == name_len && memcmp(s + i + 1, name, name_len) == 0;
        i = skip_ws(s, key_end + 1, n);
        if (i >= n || s[i] != ':')
            return found;
        i = skip_ws(s, i + 1, n);
        if (i >= n)
            return found;
        size_t end = skip_value(s, i, n);
        if (match) {
            found = s[i] == '"';   /* the last one counts, string or not */
            if (found) {
                *start = i + 1;
                *len = end - i - 2;
            }
        }
        i = skip_ws(s, end, n);
        if (i >= n || s[i] != ',')
            return found;
        i++;
    }
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

size_t crible_doc_member_unescape(const char *src, size_t n, char *dst)
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
            uint32_t cp = hex4(src + i);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && src[i] == '\\' && src[i + 1] == 'u') {
                uint32_t lo = hex4(src + i + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            U8_APPEND_UNSAFE(dst, o, cp);   /* never longer than its escape */
            break;
        }
        default: dst[o++] = e; break;     /* " \ / */
        }
    }
    dst[o] = '\0';
    return o;
}
