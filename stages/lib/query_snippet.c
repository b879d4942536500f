/*
 * query_snippet.c - choosing a hit's passages and highlights (see
 * query_snippet.h).
 *
 * A sentence's worth: 10 per distinct strong query term in it, 1 per
 * distinct weak term, plus 1 per further match (at most 5).  The best
 * sentence is the first passage; if it is longer than the budget, a window
 * of whole tokens around its first strong match is cut from it ("…" on the
 * cut sides).  A second passage is the next best sentence with a match that
 * fits what is left of the budget; when the first passage is short and
 * alone, the following sentence is added for context.  Two passages that
 * touch become one.
 */
#include "query_snippet.h"

#include <stdlib.h>
#include <string.h>

void crible_snippet_init(crible_snippet *s)
{
    memset(s, 0, sizeof *s);
}

void crible_snippet_free(crible_snippet *s)
{
    free(s->mark);
    memset(s, 0, sizeof *s);
}

static int hit_cmp(const void *a, const void *b)
{
    const crible_snippet_hit *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return (int)x->weak - (int)y->weak;
}

typedef struct ctx {
    const crible_snippet_input *in;
    uint32_t nsent;
    crible_snippet_hit *hits;
    size_t nhits;
} ctx;

static uint32_t sent_first(const ctx *c, uint32_t i)
{
    return c->in->nsent ? c->in->sent_start[i] : 0;
}

static uint32_t sent_last(const ctx *c, uint32_t i) /* exclusive */
{
    if (!c->in->nsent || i + 1 >= c->in->nsent)
        return c->in->ntokens;
    return c->in->sent_start[i + 1];
}

static size_t span_bytes(const ctx *c, uint32_t a, uint32_t b) /* tokens [a, b) */
{
    if (b <= a)
        return 0;
    return c->in->tok_end[b - 1] - c->in->tok_start[a];
}

/* novel: terms of sentence `novel_of` count 1 instead of 10 (the second
 * passage should show what the first one does not). */
static int sentence_score_x(const ctx *c, uint32_t i, uint32_t novel_of);

static int sentence_score(const ctx *c, uint32_t i)
{
    return sentence_score_x(c, i, UINT32_MAX);
}

static bool sentence_has(const ctx *c, uint32_t i, uint32_t term)
{
    uint32_t a = sent_first(c, i), b = sent_last(c, i);
    for (size_t h = 0; h < c->nhits; h++)
        if (c->hits[h].pos >= a && c->hits[h].pos < b && c->hits[h].term == term &&
            !c->hits[h].weak)
            return true;
    return false;
}

static int sentence_score_x(const ctx *c, uint32_t i, uint32_t novel_of)
{
    uint32_t a = sent_first(c, i), b = sent_last(c, i);
    uint32_t seen_strong[32], seen_weak[32];
    int ns = 0, nw = 0, extra = 0;
    for (size_t h = 0; h < c->nhits; h++) {
        const crible_snippet_hit *x = &c->hits[h];
        if (x->pos < a || x->pos >= b)
            continue;
        uint32_t *seen = x->weak ? seen_weak : seen_strong;
        int *n = x->weak ? &nw : &ns;
        int k = 0;
        while (k < *n && seen[k] != x->term)
            k++;
        if (k == *n && *n < 32)
            seen[(*n)++] = x->term;
        else if (extra < 5)
            extra++;
    }
    int strong = 0;
    for (int k = 0; k < ns; k++)
        strong += novel_of != UINT32_MAX && sentence_has(c, novel_of, seen_strong[k]) ? 1 : 10;
    return strong + nw + (ns + nw ? extra : 0);
}

/* Cuts tokens [a, b) to about max bytes around token `center`. */
static void window(const ctx *c, uint32_t *a, uint32_t *b, uint32_t center, size_t max)
{
    uint32_t lo = center, hi = center + 1;
    bool grew = true;
    while (grew) {
        grew = false;
        /* Prefer context after the match, but show some before it. */
        if (hi < *b && span_bytes(c, lo, hi + 1) <= max) {
            hi++;
            grew = true;
        }
        if (lo > *a && span_bytes(c, lo - 1, hi) <= max &&
            (center - lo < 6 || hi == *b)) {
            lo--;
            grew = true;
        }
    }
    *a = lo;
    *b = hi;
}

static crible_status add_mark(crible_snippet *s, size_t start, size_t end, crible_error *err)
{
    if (s->nmark && start <= s->mark[s->nmark - 1].end) {
        if (end > s->mark[s->nmark - 1].end)
            s->mark[s->nmark - 1].end = end;
        return CRIBLE_OK;
    }
    if (s->nmark == s->mark_cap) {
        size_t cap = s->mark_cap ? s->mark_cap * 2 : 16;
        crible_span *m = realloc(s->mark, cap * sizeof *m);
        if (!m)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        s->mark = m;
        s->mark_cap = cap;
    }
    s->mark[s->nmark].start = start;
    s->mark[s->nmark].end = end;
    s->nmark++;
    return CRIBLE_OK;
}

/* Whether the token's text ends with an apostrophe (an elided l' d' qu'). */
static bool is_elision(const ctx *c, uint32_t pos)
{
    const char *t = c->in->text + c->in->tok_start[pos];
    size_t n = c->in->tok_end[pos] - c->in->tok_start[pos];
    if (n >= 1 && t[n - 1] == '\'')
        return true;
    return n >= 3 && memcmp(t + n - 3, "\xE2\x80\x99", 3) == 0;
}

crible_status crible_snippet_build(const crible_snippet_input *in,
                                   const crible_snippet_options *opts,
                                   crible_snippet *s, crible_error *err)
{
    size_t max = opts && opts->max_bytes ? opts->max_bytes : 220;
    int maxfrag = opts && opts->max_fragments == 1 ? 1 : 2;
    s->nfrag = 0;
    s->nmark = 0;
    memset(s->cut_before, 0, sizeof s->cut_before);
    memset(s->cut_after, 0, sizeof s->cut_after);
    if (in->ntokens == 0) {
        if (in->text_len) {
            s->nfrag = 1;
            s->frag[0].start = 0;
            s->frag[0].end = in->text_len < max ? in->text_len : max;
            s->cut_after[0] = in->text_len > max;
        }
        return CRIBLE_OK;
    }
    ctx c = {in, in->nsent ? in->nsent : 1, NULL, 0};
    if (in->nhits) {
        c.hits = malloc(in->nhits * sizeof *c.hits);
        if (!c.hits)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        for (size_t i = 0; i < in->nhits; i++)
            if (in->hits[i].pos < in->ntokens)
                c.hits[c.nhits++] = in->hits[i];
        qsort(c.hits, c.nhits, sizeof *c.hits, hit_cmp);
    }
    /* The best sentence, then the best of the others for what it adds. */
    uint32_t best = 0, second = UINT32_MAX;
    int bs = -1, ss = 0;
    for (uint32_t i = 0; i < c.nsent; i++) {
        if (sent_last(&c, i) <= sent_first(&c, i))
            continue;
        int sc = sentence_score(&c, i);
        if (sc > bs)
            best = i, bs = sc;
    }
    for (uint32_t i = 0; i < c.nsent && bs > 0; i++) {
        if (i == best || sent_last(&c, i) <= sent_first(&c, i))
            continue;
        int sc = sentence_score_x(&c, i, best);
        if (sc > ss)
            second = i, ss = sc;
    }
    uint32_t a[2], b[2];
    a[0] = sent_first(&c, best);
    b[0] = sent_last(&c, best);
    if (span_bytes(&c, a[0], b[0]) > max) {
        uint32_t center = a[0];
        for (size_t h = 0; h < c.nhits; h++)
            if (c.hits[h].pos >= a[0] && c.hits[h].pos < b[0] && !c.hits[h].weak) {
                center = c.hits[h].pos;
                break;
            }
        uint32_t oa = a[0], ob = b[0];
        window(&c, &a[0], &b[0], center, max);
        s->cut_before[0] = a[0] > oa;
        s->cut_after[0] = b[0] < ob;
    }
    int n = 1;
    size_t used = span_bytes(&c, a[0], b[0]);
    if (maxfrag == 2 && max > used + 40) {
        uint32_t pick = UINT32_MAX;
        if (second != UINT32_MAX && ss > 0)
            pick = second;
        else if (!s->cut_after[0] && best + 1 < c.nsent)
            pick = best + 1; /* context after a short lone passage */
        if (pick != UINT32_MAX) {
            uint32_t pa = sent_first(&c, pick), pb = sent_last(&c, pick);
            bool cut = false;
            if (span_bytes(&c, pa, pb) > max - used) {
                uint32_t center = pa;
                for (size_t h = 0; h < c.nhits; h++)
                    if (c.hits[h].pos >= pa && c.hits[h].pos < pb && !c.hits[h].weak) {
                        center = c.hits[h].pos;
                        break;
                    }
                uint32_t oa = pa;
                window(&c, &pa, &pb, center, max - used);
                cut = true;
                s->cut_before[1] = pa > oa;
            }
            a[1] = pa, b[1] = pb;
            s->cut_after[1] = cut && pb < sent_last(&c, pick);
            n = 2;
            if (a[1] < a[0]) { /* text order */
                uint32_t t = a[0]; a[0] = a[1]; a[1] = t;
                t = b[0]; b[0] = b[1]; b[1] = t;
                bool x = s->cut_before[0]; s->cut_before[0] = s->cut_before[1]; s->cut_before[1] = x;
                x = s->cut_after[0]; s->cut_after[0] = s->cut_after[1]; s->cut_after[1] = x;
            }
            if (b[0] == a[1]) { /* they touch: one passage */
                b[0] = b[1];
                s->cut_after[0] = s->cut_after[1];
                n = 1;
            }
        }
    }
    s->nfrag = (size_t)n;
    crible_status st = CRIBLE_OK;
    for (int f = 0; f < n; f++) {
        s->frag[f].start = in->tok_start[a[f]];
        s->frag[f].end = in->tok_end[b[f] - 1];
        for (size_t h = 0; h < c.nhits && st == CRIBLE_OK; h++) {
            uint32_t p = c.hits[h].pos;
            if (p < a[f] || p >= b[f] || c.hits[h].weak)
                continue;
            if (is_elision(&c, p))
                continue; /* never a bare l': it comes with the word it is glued to */
            size_t ms = in->tok_start[p], me = in->tok_end[p];
            /* The elision glued before a word is part of the surface word. */
            if (p > a[f] && in->tok_end[p - 1] == ms && is_elision(&c, p - 1))
                ms = in->tok_start[p - 1];
            st = add_mark(s, ms, me, err);
        }
    }
    free(c.hits);
    return st;
}
