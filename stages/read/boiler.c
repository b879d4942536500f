/*
 * boiler.c - boilerplate removal: ICU regular expressions from the config
 * (`read: {boilerplate: {patterns: [...], defaults: true}}`), matched over
 * the UTF-8 text itself through a UText, so match positions are byte
 * offsets and nothing is converted to UTF-16.  Every match is cut; if
 * anything was cut, the blank lines left behind shrink to one and the
 * text's ends are trimmed.  Example with the defaults:
 *     "Des vies changées.\n\nLaisser un commentaire\n\nRésoudre : *\n28 ⁄ 4 ="
 *  -> "Des vies changées."
 */
#include <stdlib.h>
#include <string.h>
#include <unicode/uregex.h>
#include <unicode/utext.h>

#include "read.h"

struct read_boiler {
    URegularExpression **re;
    size_t n;
    UText *ut;
    int64_t *ranges;   /* start, end pairs of the matches of one expression */
    size_t cap;
};

void read_boiler_close(read_boiler *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        uregex_close(b->re[i]);
    free(b->re);
    free(b->ranges);
    utext_close(b->ut);
    free(b);
}

static crible_status add(read_boiler *b, const char *pattern, crible_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UParseError perr;
    UText *ut = utext_openUTF8(NULL, pattern, -1, &uerr);
    URegularExpression *re = uregex_openUText(ut, 0, &perr, &uerr);
    utext_close(ut);
    if (U_FAILURE(uerr)) {
        uregex_close(re);
        return crible_error_set(err, CRIBLE_ECONFIG, "invalid regular expression '%s': %s",
                                pattern, u_errorName(uerr));
    }
    b->re[b->n++] = re;
    return CRIBLE_OK;
}

crible_status read_boiler_open(const crible_read_options *o, read_boiler **out,
                               crible_error *err)
{
    *out = NULL;
    size_t ndef = 0;
    if (o->boilerplate_defaults)
        while (crible_read_boilerplate_defaults[ndef])
            ndef++;
    if (ndef + o->n_boilerplate == 0)
        return CRIBLE_OK;
    read_boiler *b = calloc(1, sizeof *b);
    if (b)
        b->re = calloc(ndef + o->n_boilerplate, sizeof *b->re);
    if (!b || !b->re) {
        read_boiler_close(b);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    crible_status st = CRIBLE_OK;
    for (size_t i = 0; i < ndef && st == CRIBLE_OK; i++)
        st = add(b, crible_read_boilerplate_defaults[i], err);
    for (size_t i = 0; i < o->n_boilerplate && st == CRIBLE_OK; i++)
        st = add(b, o->boilerplate[i], err);
    if (st != CRIBLE_OK) {
        read_boiler_close(b);
        return st;
    }
    *out = b;
    return CRIBLE_OK;
}

/* Cuts the matches of one expression; returns the new length or -1.  The
 * matches are all found first: the engine looks behind a match start (^, \b),
 * so the text must not move while it runs. */
static long long cut(read_boiler *b, URegularExpression *re, char *text, size_t n,
                     const char *where, crible_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    b->ut = utext_openUTF8(b->ut, text, (int64_t)n, &uerr);
    uregex_setUText(re, b->ut, &uerr);
    size_t count = 0;
    while (U_SUCCESS(uerr) && uregex_findNext(re, &uerr)) {
        int64_t s = uregex_start64(re, 0, &uerr), e = uregex_end64(re, 0, &uerr);
        if (U_FAILURE(uerr) || e <= s)
            continue;
        if (count == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 16;
            int64_t *r = crible_realloc(b->ranges, cap * 2 * sizeof *r, err);
            if (!r)
                return -1;
            b->ranges = r;
            b->cap = cap;
        }
        b->ranges[2 * count] = s;
        b->ranges[2 * count + 1] = e;
        count++;
    }
    if (U_FAILURE(uerr)) {
        crible_error_set(err, CRIBLE_EDATA, "%s: boilerplate pattern failed: %s", where,
                         u_errorName(uerr));
        return -1;
    }
    uerr = U_ZERO_ERROR;
    uregex_reset64(re, 0, &uerr);
    size_t o = 0, from = 0;   /* text[from..) not yet copied to text[o..) */
    for (size_t i = 0; i < count; i++) {
        size_t s = (size_t)b->ranges[2 * i], e = (size_t)b->ranges[2 * i + 1];
        memmove(text + o, text + from, s - from);
        o += s - from;
        from = e;
    }
    memmove(text + o, text + from, n - from);
    return (long long)(o + n - from);
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Shrinks runs of 3+ newlines (with spaces between) to 2; trims both ends. */
static size_t tidy(char *t, size_t n)
{
    size_t o = 0, i = 0;
    while (i < n && space(t[i]))
        i++;
    while (i < n) {
        if (t[i] == '\n') {
            size_t j = i, nl = 0;
            while (j < n && space(t[j]))
                nl += t[j++] == '\n';
            if (nl >= 2) {
                t[o++] = '\n';
                t[o++] = '\n';
                i = j;
                continue;
            }
        }
        t[o++] = t[i++];
    }
    while (o > 0 && space(t[o - 1]))
        o--;
    t[o] = '\0';
    return o;
}

crible_status read_boiler_apply(read_boiler *b, char *text, size_t *n, const char *where,
                                crible_error *err)
{
    size_t len = *n;
    for (size_t i = 0; i < b->n; i++) {
        long long r = cut(b, b->re[i], text, len, where, err);
        if (r < 0)
            return err->status;
        len = (size_t)r;
    }
    if (len != *n)
        len = tidy(text, len);
    *n = len;
    return CRIBLE_OK;
}
