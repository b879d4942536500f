/*
 * clean.c - what crible-read checks and repairs in every input's bytes:
 *   - a UTF-8 byte order mark (EF BB BF) at the start is dropped; a UTF-16 or
 *     UTF-32 one is an error (convert with iconv first);
 *   - invalid UTF-8 (RFC 3629: overlong forms, surrogates, past U+10FFFF,
 *     truncated sequences) and NUL bytes are an error naming the file, the
 *     line and the byte offset in the file, or, with `invalid_utf8: replace`,
 *     each maximal bad subpart (Unicode ch. 3, "U+FFFD substitution of
 *     maximal subparts", as browsers do) becomes one U+FFFD, counted;
 *   - CRLF and lone CR become LF.
 * Example: "caf\xC3 ok" is an error "x.txt:1: invalid UTF-8 (byte 0xC3) at
 * byte offset 3", or becomes "caf\xEF\xBF\xBD ok" with 1 replacement.
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "read.h"

crible_status read_bom(const char *str, size_t n, size_t *bom, const char *name,
                       crible_error *err)
{
    const unsigned char *s = (const unsigned char *)str;
    *bom = 0;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        *bom = 3;
    } else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s:1: UTF-16 or UTF-32 byte order mark: crible reads UTF-8"
                                " (convert with 'iconv -f UTF-16 -t UTF-8')", name);
    } else if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF) {
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s:1: UTF-32 byte order mark: crible reads UTF-8", name);
    }
    return CRIBLE_OK;
}

/* The first NUL or invalid UTF-8 byte in s[0..n), or n. */
static size_t first_bad(const char *s, size_t n)
{
    size_t bad = crible_utf8_invalid_offset(s, n);
    const char *nul = memchr(s, '\0', bad);
    return nul ? (size_t)(nul - s) : bad;
}

/* Length of the maximal subpart starting at a bad byte: the longest prefix
 * of a well-formed sequence (a truncated one), or 1. */
static size_t bad_length(const unsigned char *s, size_t n)
{
    size_t bad = 1;
    return crible_utf8_char(s, n, &bad) ? 1 : bad;
}

static long count_lines(const char *s, size_t n)
{
    long lines = 0;
    for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    return lines;
}

crible_status read_clean_utf8(const char *s, size_t n, bool replace, const char *name,
                              unsigned long long base, long line,
                              char **out, size_t *out_len, unsigned long *replaced,
                              crible_error *err)
{
    *out = NULL;
    size_t bad = first_bad(s, n);
    if (bad == n)
        return CRIBLE_OK;
    if (!replace) {
        unsigned char c = (unsigned char)s[bad];
        if (c == 0)
            return crible_error_set(err, CRIBLE_EDATA, "%s:%ld: NUL byte at byte offset %llu",
                                    name, line + count_lines(s, bad), base + bad);
        return crible_error_set(err, CRIBLE_EDATA,
                                "%s:%ld: invalid UTF-8 (byte 0x%02X) at byte offset %llu"
                                " (set 'read: {invalid_utf8: replace}' to replace it with U+FFFD)",
                                name, line + count_lines(s, bad), c, base + bad);
    }
    /* each bad subpart (>= 1 byte) becomes 3 bytes: at most 3n + 1 */
    char *r = crible_malloc(3 * n + 1, err);
    if (!r)
        return CRIBLE_ENOMEM;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t ok = bad;
        memcpy(r + o, s + i, ok);
        o += ok;
        i += ok;
        if (i >= n)
            break;
        i += bad_length((const unsigned char *)s + i, n - i);
        memcpy(r + o, "\xEF\xBF\xBD", 3);
        o += 3;
        ++*replaced;
        bad = first_bad(s + i, n - i);
    }
    r[o] = '\0';
    *out = r;
    *out_len = o;
    return CRIBLE_OK;
}

size_t read_crlf(char *s, size_t n)
{
    char *cr = memchr(s, '\r', n);
    if (!cr)
        return n;
    size_t o = (size_t)(cr - s);
    for (size_t i = o; i < n; i++) {
        if (s[i] == '\r') {
            s[o++] = '\n';
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
    return o;
}

crible_status read_clean_whole(read_input *in, const crible_read_options *o, const char *name,
                               char **buf, size_t *len, unsigned long *replaced,
                               crible_error *err)
{
    unsigned long long base = in->offset;
    char *fixed = NULL;
    *buf = NULL;
    crible_status st = read_input_all(in, buf, len, o->max_size, name, err);
    if (st == CRIBLE_OK)
        st = read_clean_utf8(*buf, *len, o->replace_invalid, name, base, 1, &fixed, len,
                             replaced, err);
    if (fixed) {
        free(*buf);
        *buf = fixed;
    }
    if (st != CRIBLE_OK) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}
