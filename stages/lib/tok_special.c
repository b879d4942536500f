/*
 * tok_special.c - tokens ICU's word iterator would cut into pieces, found
 * in the text first so that each becomes one token:
 *
 *   url      http:// https:// ftp:// or www. after a non-letter, up to the
 *            next space or < > " « » { } | \ ^ `; final . , ; : ! ? ' ’ and
 *            an unbalanced ) or ] are left out:
 *            "(voir https://fr.wikipedia.org/wiki/Netflix)." -> the URL alone
 *   email    local@domain.tld in ASCII: [A-Za-z0-9._%+-]+ @ labels with a
 *            final label of 2+ letters: "contact@crible.fr"
 *   mention  @ after a non-letter, then letters, digits or _: "@netflixfr"
 *   hashtag  # after a non-letter, then letters, digits or _ with at least
 *            one letter: "#JePeuxTeDireUnSecret" ("#1" is no hashtag)
 *
 * Bare domains ("Amazon.fr") stay words for ICU and the tokenizer; the
 * tokenizer types them url with tok_special_is_domain.
 */
#include "tok_internal.h"

#include <stdlib.h>

#include <unicode/uchar.h>

static bool ascii_alnum(UChar c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool word_char(const UChar *u, int32_t n, int32_t i)
{
    UChar32 c = tok_char_at(u, n, i);
    return c == '_' || u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK;
}

static bool prefix_ci(const UChar *u, int32_t n, int32_t i, const char *p)
{
    for (; *p; p++, i++) {
        if (i >= n)
            return false;
        UChar c = u[i];
        if (c >= 'A' && c <= 'Z')
            c = (UChar)(c + 32);
        if (c != (UChar)*p)
            return false;
    }
    return true;
}

static bool url_stop(UChar32 c)
{
    return tok_is_space(c) || c == '<' || c == '>' || c == '"' || c == 0xAB || c == 0xBB ||
           c == '{' || c == '}' || c == '|' || c == '\\' || c == '^' || c == '`' ||
           c == 0x201C || c == 0x201D;
}

static int32_t url_end(const UChar *u, int32_t n, int32_t i)
{
    int32_t e = i;
    while (e < n && !url_stop(tok_char_at(u, n, e)))
        e++;
    for (;;) {
        if (e <= i)
            return e;
        UChar c = u[e - 1];
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
            c == '\'' || c == 0x2019) {
            e--;
            continue;
        }
        if (c == ')' || c == ']') {
            UChar open = c == ')' ? '(' : '[';
            int depth = 0;
            for (int32_t k = i; k < e; k++)
                depth += u[k] == open ? 1 : u[k] == c ? -1 : 0;
            if (depth < 0) {
                e--;
                continue;
            }
        }
        return e;
    }
}

/* The URL starting at i, or 0. */
static int32_t find_url(const UChar *u, int32_t n, int32_t i)
{
    int32_t body;
    if (prefix_ci(u, n, i, "https://"))
        body = i + 8;
    else if (prefix_ci(u, n, i, "http://"))
        body = i + 7;
    else if (prefix_ci(u, n, i, "ftp://"))
        body = i + 6;
    else if (prefix_ci(u, n, i, "www.") && i + 4 < n && ascii_alnum(u[i + 4]))
        body = i + 4;
    else
        return 0;
    if (i > 0 && word_char(u, n, i - 1))
        return 0;
    int32_t e = url_end(u, n, i);
    return e > body ? e : 0;
}

/* An e-mail whose @ is at `at`: sets *s and returns its end, or 0. */
static int32_t find_email(const UChar *u, int32_t n, int32_t at, int32_t floor, int32_t *s)
{
    int32_t l = at;
    while (l > floor && (ascii_alnum(u[l - 1]) || u[l - 1] == '.' || u[l - 1] == '_' ||
                         u[l - 1] == '%' || u[l - 1] == '+' || u[l - 1] == '-'))
        l--;
    while (l < at && !ascii_alnum(u[l]))
        l++;
    if (l == at || (l > 0 && word_char(u, n, l - 1)))
        return 0;
    int32_t r = at + 1, dot = -1;
    while (r < n && (ascii_alnum(u[r]) || u[r] == '.' || u[r] == '-')) {
        if (u[r] == '.')
            dot = r;
        r++;
    }
    while (r > at + 1 && (u[r - 1] == '.' || u[r - 1] == '-'))
        r--;
    if (dot < 0 || dot >= r - 2 || dot == at + 1)
        return 0;
    /* re-find the last dot inside [at, r) and check the TLD is letters */
    for (dot = r - 1; u[dot] != '.'; dot--)
        ;
    for (int32_t k = dot + 1; k < r; k++)
        if (!((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= 'A' && u[k] <= 'Z')))
            return 0;
    if (r < n && word_char(u, n, r))
        return 0;
    *s = l;
    return r;
}

/* A hashtag or mention whose sign is at i, or 0. */
static int32_t find_tag(const UChar *u, int32_t n, int32_t i, bool hashtag)
{
    if (i > 0 && (word_char(u, n, i - 1) || u[i - 1] == '&' || u[i - 1] == '.'))
        return 0;
    int32_t e = i + 1;
    bool letter = false;
    while (e < n && word_char(u, n, e)) {
        UChar32 c = tok_char_at(u, n, e);
        if (u_isalpha(c))
            letter = true;
        e += c > 0xFFFF ? 2 : 1;
    }
    if (e == i + 1 || (hashtag && !letter))
        return 0;
    /* "@netflix.fr" is not an e-mail; a mention ends at its word */
    return e;
}

static bool push(tok_span **spans, size_t *count, size_t *cap, int32_t s, int32_t e,
                 crible_token_type type, crible_error *err)
{
    if (*count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        tok_span *p = crible_realloc(*spans, ncap * sizeof *p, err);
        if (!p)
            return false;
        *spans = p;
        *cap = ncap;
    }
    (*spans)[(*count)++] = (tok_span){s, e, type};
    return true;
}

crible_status tok_special_find(const UChar *u, int32_t n, const int32_t *trig, size_t ntrig,
                               tok_span **spans, size_t *count, size_t *cap,
                               crible_error *err)
{
    *count = 0;
    int32_t floor = 0;   /* end of the last span found */
    size_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        if (trig) {
            while (k < ntrig && trig[k] < i)
                k++;
            if (k == ntrig)
                break;
            i = trig[k];
        }
        UChar c = u[i];
        int32_t s = i, e = 0;
        crible_token_type type;
        if (c == ':' || c == '.') {
            /* scanned for ':' of "://" and '.' of "www.", rarer than h f w */
            if (c == ':' && i + 2 < n && u[i + 1] == '/' && u[i + 2] == '/')
                s = i >= 5 && prefix_ci(u, n, i - 5, "https") ? i - 5
                    : i >= 4 && prefix_ci(u, n, i - 4, "http") ? i - 4
                    : i >= 3 && prefix_ci(u, n, i - 3, "ftp") ? i - 3 : -1;
            else if (c == '.' && i >= 3 && prefix_ci(u, n, i - 3, "www"))
                s = i - 3;
            else
                continue;
            if (s < floor)
                continue;
            e = find_url(u, n, s);
            type = CRIBLE_TOKEN_URL;
        } else if (c == '@') {
            e = find_email(u, n, i, floor, &s);
            type = CRIBLE_TOKEN_EMAIL;
            if (!e) {
                e = find_tag(u, n, i, false);
                type = CRIBLE_TOKEN_MENTION;
            }
        } else if (c == '#') {
            e = find_tag(u, n, i, true);
            type = CRIBLE_TOKEN_HASHTAG;
        } else {
            continue;
        }
        if (!e)
            continue;
        /* an e-mail's local part may cover a span found just before */
        while (*count > 0 && (*spans)[*count - 1].e > s)
            (*count)--;
        if (!push(spans, count, cap, s, e, type, err))
            return CRIBLE_ENOMEM;
        floor = e;
        i = e - 1;
    }
    return CRIBLE_OK;
}

bool tok_special_is_domain(const UChar *u, int32_t n)
{
    static const char *const tlds[] = {"com", "fr", "org", "net", "io", "be", "ch", "ca",
                                       "eu", "tv", "info", "co", "uk", "de", "gouv.fr", NULL};
    int32_t dot = -1;
    for (int32_t i = n - 1; i > 0; i--)
        if (u[i] == '.') {
            dot = i;
            break;
        }
    if (dot <= 0)
        return false;
    for (int k = 0; tlds[k]; k++) {
        int32_t l = 0;
        while (tlds[k][l])
            l++;
        if (n - dot - 1 != l)
            continue;
        bool same = true;
        for (int32_t j = 0; j < l && same; j++) {
            UChar c = u[dot + 1 + j];
            if (c >= 'A' && c <= 'Z')
                c = (UChar)(c + 32);
            same = c == (UChar)tlds[k][j];
        }
        if (same)
            return true;
    }
    return false;
}
