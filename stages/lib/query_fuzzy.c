/*
 * query_fuzzy.c - the Levenshtein automaton and its intersection with a
 * sorted dictionary (see query_fuzzy.h for what and why).
 *
 * State: the row R of the edit-distance matrix between the pattern p[0..m)
 * and the prefix read so far, each cell capped at k+1 (k = max_edits):
 *   start      R[i] = i
 *   on c       R'[0] = R[0] + 1
 *              R'[i] = min(R[i-1] + (p[i-1] == c ? 0 : 1), R[i] + 1, R'[i-1] + 1)
 *   accepting  R[m] <= k          dead   min(R) > k
 *            R'[i] = min(R'[i], R2[i-2] + 1) when p[i-1] = c' and p[i-2] = c
 *            (R2, c' the row and letter one step back: a transposition)
 * Example, p = "acteur", k = 1, reading "acteru": the last two letters are
 * swapped, R[6] = 1: accepted (plain Levenshtein would say 2).  No string longer than m + k can be accepted, so the
 * walk never goes deeper than m + k code points.
 */
#include "query_fuzzy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#define MAX_PATTERN 255
#define KEY_MAX 1024

size_t crible_utf8_decode(const char *s, size_t n, uint32_t *c)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0) {
        *c = 0;
        return 0;
    }
    unsigned char b = u[0];
    size_t len;
    uint32_t v;
    if (b < 0x80) {
        *c = b;
        return 1;
    } else if (b >= 0xC2 && b < 0xE0) {
        len = 2, v = b & 0x1F;
    } else if (b >= 0xE0 && b < 0xF0) {
        len = 3, v = b & 0x0F;
    } else if (b >= 0xF0 && b < 0xF5) {
        len = 4, v = b & 0x07;
    } else {
        *c = b;
        return 0;
    }
    if (n < len) {
        *c = b;
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *c = b;
            return 0;
        }
        v = (v << 6) | (u[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF)) {
        *c = b;
        return 0;
    }
    *c = v;
    return len;
}

static uint32_t base_slow(uint32_t c)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
    if (U_SUCCESS(st)) {
        for (int guard = 0; guard < 4; guard++) {
            UChar buf[8];
            UErrorCode e = U_ZERO_ERROR;
            int32_t n = unorm2_getRawDecomposition(nfd, (UChar32)c, buf, 8, &e);
            if (U_FAILURE(e) || n <= 0)
                break;
            UChar32 first;
            int32_t i = 0;
            U16_NEXT(buf, i, n, first);
            if ((uint32_t)first == c)
                break;
            c = (uint32_t)first;
        }
    }
    return (uint32_t)u_foldCase((UChar32)c, U_FOLD_CASE_DEFAULT);
}

#define TABLE 0x2000

/* base[c] for c < TABLE, and the inverse: every code point below TABLE
 * sorted by (base, code point), so the letters equal to a base up to
 * accents are one contiguous run (e: e è é ê ë ē ĕ ė ę ě ...). */
static uint32_t base_tab[TABLE];
static uint32_t inv_tab[TABLE];   /* case-folded code points only: terms are folded */
static size_t ninv;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static int inv_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (base_tab[x] != base_tab[y])
        return base_tab[x] < base_tab[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void tables_init(void)
{
    for (uint32_t i = 0; i < TABLE; i++) {
        base_tab[i] = i < 0x80 ? ((i >= 'A' && i <= 'Z') ? i + 32 : i) : base_slow(i);
        /* Variants sought: lower-case letters of Latin-1 (the accents of
         * French: à â ä ç é è ê ë î ï ô ö ù û ü ÿ ...) and any letter as
         * itself; a consonant then costs no seek for variants. */
        if ((uint32_t)u_foldCase((UChar32)i, U_FOLD_CASE_DEFAULT) == i &&
            (i < 0x100 || base_tab[i] == i))
            inv_tab[ninv++] = i;
    }
    qsort(inv_tab, ninv, sizeof *inv_tab, inv_cmp);
}

uint32_t crible_fuzzy_base(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c < TABLE) {
        pthread_once(&tables_once, tables_init);
        return base_tab[c];
    }
    return base_slow(c);
}

/* The code points below TABLE whose base is b, sorted; *n their count. */
static const uint32_t *variants_of(uint32_t b, size_t *n)
{
    pthread_once(&tables_once, tables_init);
    size_t lo = 0, hi = ninv;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (base_tab[inv_tab[mid]] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < ninv && base_tab[inv_tab[e]] == b)
        e++;
    *n = e - lo;
    return inv_tab + lo;
}

typedef struct walker {
    const crible_term_source *src;
    const crible_fuzzy_options *o;
    uint32_t p[MAX_PATTERN];      /* pattern code points (base forms if folding) */
    size_t m;
    int k;
    uint8_t *rows;                /* (depth + 1) rows of m + 1 cells */
    uint32_t read[MAX_PATTERN + 8]; /* the code point read at each depth (base form) */
    size_t maxdepth;
    char key[KEY_MAX + 8];
    crible_fuzzy_visit visit;
    void *ctx;
    size_t nvisited, seeks;
    bool stop;
    /* The code points equal to each distinct pattern letter, sorted: itself,
     * and with fold_accents every letter of U+0000..U+1FFF of that base. */
    size_t nletters;
    uint32_t letter[MAX_PATTERN];
    uint8_t lidx[MAX_PATTERN];    /* pattern position -> its letter's index */
    const uint32_t *variants[MAX_PATTERN];
    size_t nvariants[MAX_PATTERN];
    uint8_t *tmp;                 /* a scratch row */
    /* A term read but not consumed (the first one past a subtree), so that
     * leaving a subtree costs no seek. */
    char pend[KEY_MAX + 8];
    size_t pendlen;
    bool has_pend;
    /* walk_accents: terms found, kept to be visited in the order of an
     * ascending walk (len-prefixed, with the letter position they were
     * found at) */
    char *defer;
    size_t ndefer, defer_len, defer_cap;
    size_t defer_at;
} walker;

static bool get_next(walker *w, const char **t, size_t *n)
{
    if (w->has_pend) {
        w->has_pend = false;
        *t = w->pend;
        *n = w->pendlen;
        return true;
    }
    return w->src->next(w->src->ctx, t, n);
}

/* Keeps t for the next get_next (or, if too long, seeks back to it). */
static void unread(walker *w, const char *t, size_t n)
{
    if (n <= KEY_MAX) {
        if (t != w->pend)
            memcpy(w->pend, t, n);
        w->pendlen = n;
        w->has_pend = true;
    } else {
        w->seeks++;
        w->src->seek(w->src->ctx, t, n);
    }
}

static uint8_t *row_at(walker *w, size_t depth)
{
    return w->rows + depth * (w->m + 1);
}

/* Computes the row after reading c at `depth` (the row there is r); returns
 * its minimum.  A transposition (ab read as ba) costs one edit, as in
 * Lucene's fuzzy queries: it needs the row and the letter one step back. */
static int step(walker *w, size_t depth, const uint8_t *r, uint8_t *out, uint32_t c)
{
    int cap = w->k + 1;
    if (w->o->fold_accents)
        c = c <= 0x10FFFF ? crible_fuzzy_base(c) : c;
    const uint8_t *rp = depth > 0 ? row_at(w, depth - 1) : NULL;
    uint32_t cprev = depth > 0 ? w->read[depth - 1] : 0;
    int best = out[0] = (uint8_t)(r[0] + 1 > cap ? cap : r[0] + 1);
    for (size_t i = 1; i <= w->m; i++) {
        int v = r[i - 1] + (w->p[i - 1] == c ? 0 : 1);
        if (r[i] + 1 < v)
            v = r[i] + 1;
        if (out[i - 1] + 1 < v)
            v = out[i - 1] + 1;
        if (rp && i >= 2 && w->p[i - 1] == cprev && w->p[i - 2] == c && rp[i - 2] + 1 < v)
            v = rp[i - 2] + 1;
        if (v > cap)
            v = cap;
        out[i] = (uint8_t)v;
        if (v < best)
            best = v;
    }
    return best;
}

/* The smallest code point > c after which the automaton in row r stays
 * alive, or UINT32_MAX if none; 0 if every code point keeps it alive. */
static uint32_t next_alive(walker *w, size_t depth, const uint8_t *r, uint32_t c)
{
    /* A letter absent from the pattern: substitution or insertion only. */
    if (step(w, depth, r, w->tmp, 0x10FFFF + 1) <= w->k)
        return 0;
    uint32_t best = UINT32_MAX;
    for (size_t i = 0; i < w->nletters; i++) {
        if (step(w, depth, r, w->tmp, w->letter[i]) > w->k)
            continue;
        const uint32_t *v = w->variants[i];
        for (size_t j = 0; j < w->nvariants[i]; j++)
            if (v[j] > c) {
                if (v[j] < best)
                    best = v[j];
                break;
            }
    }
    return best;
}

size_t crible_utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static void do_seek(walker *w, const char *key, size_t len)
{
    w->seeks++;
    w->has_pend = false;
    w->src->seek(w->src->ctx, key, len);
}

/* Seeks past every term starting with key[0..len); false if none can. */
static bool seek_past(walker *w, size_t len)
{
    char tmp[KEY_MAX + 8];
    memcpy(tmp, w->key, len);
    while (len > 0) {
        unsigned char b = (unsigned char)tmp[len - 1];
        if (b != 0xFF) {
            tmp[len - 1] = (char)(b + 1);
            do_seek(w, tmp, len);
            return true;
        }
        len--;
    }
    return false;
}

/* Keeps term t (found at letter position w->defer_at) for later. */
static bool defer_add(walker *w, const char *t, size_t n)
{
    size_t need = w->defer_len + 2 * sizeof(size_t) + n;
    if (need > w->defer_cap) {
        size_t cap = need * 2;
        char *v = realloc(w->defer, cap);
        if (!v)
            return false;
        w->defer = v;
        w->defer_cap = cap;
    }
    memcpy(w->defer + w->defer_len, &w->defer_at, sizeof(size_t));
    memcpy(w->defer + w->defer_len + sizeof(size_t), &n, sizeof(size_t));
    memcpy(w->defer + w->defer_len + 2 * sizeof(size_t), t, n);
    w->defer_len = need;
    w->ndefer++;
    return true;
}

static void emit(walker *w, const char *t, size_t n, int dist)
{
    if (w->stop)
        return;
    if (w->defer_at != SIZE_MAX) {
        w->nvisited++;
        if (!defer_add(w, t, n) || (w->o->max_terms && w->nvisited >= w->o->max_terms))
            w->stop = true;
        return;
    }
    w->nvisited++;
    if (!w->visit(w->ctx, t, n, dist) ||
        (w->o->max_terms && w->nvisited >= w->o->max_terms))
        w->stop = true;
}

/* Every term starting with key[0..len): prefix mode, accepted there. */
static void emit_all(walker *w, size_t len, int dist)
{
    const char *t;
    size_t n;
    while (!w->stop && get_next(w, &t, &n)) {
        if (n < len || memcmp(t, w->key, len) != 0) {
            unread(w, t, n);
            break;
        }
        emit(w, t, n, dist);
    }
}

/* Terms starting with key[0..len), the automaton being in row `depth`; the
 * next term read is the first one >= key[0..len).  On return, the next term
 * read is the first one past the prefix. */
static void walk(walker *w, size_t len, size_t depth)
{
    const char *t;
    size_t n;
    const uint8_t *r = row_at(w, depth);
    uint32_t last_child = UINT32_MAX;
    while (!w->stop && get_next(w, &t, &n)) {
        if (n < len || memcmp(t, w->key, len) != 0) {
            unread(w, t, n);
            return;
        }
        if (n == len) {
            if (!w->o->prefix && r[w->m] <= w->k)
                emit(w, t, n, r[w->m]);
            continue;
        }
        uint32_t c;
        size_t cl = crible_utf8_decode(t + len, n - len, &c);
        if (cl == 0)
            cl = 1;
        if (c == last_child) { /* the child walked left terms: skip them */
            memcpy(w->key + len, t + len, cl);
            if (!seek_past(w, len + cl))
                return;
            continue;
        }
        if (len + cl > KEY_MAX || depth + 1 > w->maxdepth) {
            memcpy(w->key + len, t + len, cl);
            if (!seek_past(w, len + cl))
                return;
            continue;
        }
        memcpy(w->key + len, t + len, cl);
        uint8_t *nr = row_at(w, depth + 1);
        int best = step(w, depth, r, nr, c);
        if (best > w->k) {
            /* Jump straight to the next child the automaton accepts. */
            uint32_t na = next_alive(w, depth, r, c);
            if (na == UINT32_MAX) { /* no other child can match: the parent skips the rest */
                unread(w, t, n);
                return;
            }
            if (na == 0) {
                if (!seek_past(w, len + cl))
                    return;
                continue;
            }
            size_t el = crible_utf8_encode(na, w->key + len);
            do_seek(w, w->key, len + el);
            continue;
        }
        w->read[depth] = w->o->fold_accents ? crible_fuzzy_base(c) : c;
        unread(w, t, n); /* the child's first term */
        last_child = c;
        if (w->o->prefix && nr[w->m] <= w->k)
            emit_all(w, len + cl, nr[w->m]);
        else
            walk(w, len + cl, depth + 1);
        if (w->stop)
            return;
    }
}

/* The same walk for max_edits 0 (accent variants, plain prefixes): the
 * automaton is a chain, letter `depth` must be (a variant of) p[depth], so
 * no row is computed and a dead child jumps to the next variant. */
static void walk0(walker *w, size_t len, size_t depth)
{
    const char *t;
    size_t n;
    uint32_t last_child = UINT32_MAX;
    while (!w->stop && get_next(w, &t, &n)) {
        if (n < len || memcmp(t, w->key, len) != 0) {
            unread(w, t, n);
            return;
        }
        if (n == len) {
            if (!w->o->prefix && depth == w->m)
                emit(w, t, n, 0);
            continue;
        }
        if (depth >= w->m) { /* longer than the pattern: skip the rest of this prefix */
            seek_past(w, len);
            return;
        }
        uint32_t c;
        size_t cl = crible_utf8_decode(t + len, n - len, &c);
        if (cl == 0)
            cl = 1;
        if (c == last_child) { /* the child walked left terms: skip them */
            memcpy(w->key + len, t + len, cl);
            if (!seek_past(w, len + cl))
                return;
            continue;
        }
        uint32_t want = w->p[depth];
        uint32_t got = w->o->fold_accents ? crible_fuzzy_base(c) : c;
        if (got != want || len + cl > KEY_MAX) {
            const uint32_t *v = w->variants[w->lidx[depth]];
            size_t nv = w->nvariants[w->lidx[depth]], j = 0;
            while (j < nv && v[j] <= c)
                j++;
            if (j == nv) { /* no other child can match: the parent skips the rest */
                unread(w, t, n);
                return;
            }
            size_t el = crible_utf8_encode(v[j], w->key + len);
            do_seek(w, w->key, len + el);
            continue;
        }
        memcpy(w->key + len, t + len, cl);
        unread(w, t, n);
        last_child = c;
        if (w->o->prefix && depth + 1 == w->m)
            emit_all(w, len + cl, 0);
        else
            walk0(w, len + cl, depth + 1);
        if (w->stop)
            return;
    }
}

/* Accent variants of a whole word (max_edits 0, fold_accents, not a
 * prefix), with far fewer seeks than walk0: a term equal to the pattern up
 * to accents is either the plain pattern itself (one lookup) or has a
 * first accented letter at some position j, after the plain letters
 * p[0..j).  Latin-1's accented lower-case letters are the bytes C3 A0 ..
 * C3 BF, so one seek to p[0..j) + C3 A0 finds them all at j (usually:
 * none), and walk0 takes the rest of each one found.  "anderson": 6 seeks
 * instead of 17. */
static void walk_accents(walker *w)
{
    size_t off[MAX_PATTERN + 1];
    size_t len = 0;
    for (size_t j = 0; j < w->m; j++) {
        off[j] = len;
        if (len + 4 > KEY_MAX) {
            walk0(w, 0, 0);
            return;
        }
        len += crible_utf8_encode(w->p[j], w->key + len);
    }
    off[w->m] = len;
    const char *t;
    size_t n;
    /* The plain pattern. */
    do_seek(w, w->key, len);
    if (get_next(w, &t, &n) && n == len && memcmp(t, w->key, len) == 0)
        emit(w, t, n, 0);
    char plain[KEY_MAX + 8];
    memcpy(plain, w->key, len);
    /* From the last letter to the first, the seeks go forward through
     * the dictionary (p[0..j) + an accented letter sorts after p[0..j+1)
     * + one, the letters being ASCII) and mostly stay in the same block;
     * the terms found are visited as a walk from the first letter would. */
    for (size_t j = w->m; j-- > 0 && !w->stop;) {
        w->defer_at = j;
        const uint32_t *v = w->variants[w->lidx[j]];
        size_t nv = w->nvariants[w->lidx[j]], k = 0;
        while (k < nv && (v[k] < 0xE0 || v[k] > 0xFF))
            k++;
        if (k == nv)
            continue; /* no accented form of this letter */
        size_t pl = off[j];
        memcpy(w->key, plain, pl);
        do_seek(w, w->key, pl + crible_utf8_encode(v[k], w->key + pl));
        while (!w->stop && get_next(w, &t, &n)) {
            if (n <= pl || memcmp(t, plain, pl) != 0)
                break;
            uint32_t c;
            size_t cl = crible_utf8_decode(t + pl, n - pl, &c);
            if (cl == 0 || c < 0xE0 || c > 0xFF)
                break; /* past the accented letters */
            memcpy(w->key, plain, pl);
            memcpy(w->key + pl, t + pl, cl);
            if (crible_fuzzy_base(c) == w->p[j] && c >= v[k]) {
                unread(w, t, n);
                walk0(w, pl + cl, j + 1);
                w->has_pend = false;
            }
            /* On to the next accented form of p[j]. */
            size_t k2 = k;
            while (k2 < nv && v[k2] <= c)
                k2++;
            if (k2 == nv || v[k2] > 0xFF)
                break;
            size_t el = crible_utf8_encode(v[k2], w->key + pl);
            do_seek(w, w->key, pl + el);
        }
    }
    w->defer_at = SIZE_MAX;
    bool stop = false;
    for (size_t j = 0; j < w->m && !stop; j++)
        for (size_t o = 0; o < w->defer_len && !stop;) {
            size_t at, tl;
            memcpy(&at, w->defer + o, sizeof at);
            memcpy(&tl, w->defer + o + sizeof at, sizeof tl);
            if (at == j)
                stop = !w->visit(w->ctx, w->defer + o + 2 * sizeof at, tl, 0);
            o += 2 * sizeof at + tl;
        }
}

crible_status crible_fuzzy_intersect(const char *pattern, size_t len,
                                     const crible_fuzzy_options *opts,
                                     const crible_term_source *source,
                                     crible_fuzzy_visit visit, void *ctx,
                                     size_t *seeks, crible_error *err)
{
    if (opts->max_edits < 0 || opts->max_edits > 2)
        return crible_error_set(err, CRIBLE_EINTERNAL, "edit distance %d out of 0..2",
                                opts->max_edits);
    /* not calloc: the walker's arrays (10 KB) are written before read */
    walker *w = malloc(sizeof *w);
    if (!w)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    w->m = w->nletters = w->nvisited = w->seeks = w->pendlen = 0;
    w->stop = w->has_pend = false;
    w->defer = NULL;
    w->ndefer = w->defer_len = w->defer_cap = 0;
    w->defer_at = SIZE_MAX;
    size_t i = 0;
    while (i < len) {
        uint32_t c;
        size_t cl = crible_utf8_decode(pattern + i, len - i, &c);
        if (cl == 0 || w->m == MAX_PATTERN) {
            free(w);
            return crible_error_set(err, CRIBLE_EDATA, cl == 0 ? "fuzzy pattern is not UTF-8"
                                                               : "fuzzy pattern too long");
        }
        w->p[w->m++] = opts->fold_accents ? crible_fuzzy_base(c) : c;
        i += cl;
    }
    w->src = source;
    w->o = opts;
    w->k = opts->max_edits;
    w->visit = visit;
    w->ctx = ctx;
    w->maxdepth = w->m + (size_t)w->k;
    w->rows = malloc((w->maxdepth + 2) * (w->m + 1));
    if (!w->rows) {
        free(w);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    w->tmp = malloc(w->m + 1);
    if (!w->tmp) {
        free(w->rows);
        free(w);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    for (size_t a = 0; a < w->m; a++) {
        size_t b = 0;
        while (b < w->nletters && w->letter[b] != w->p[a])
            b++;
        w->lidx[a] = (uint8_t)b;
        if (b < w->nletters)
            continue;
        w->letter[w->nletters] = w->p[a];
        size_t nv = 0;
        const uint32_t *v = opts->fold_accents && w->p[a] < TABLE ? variants_of(w->p[a], &nv) : NULL;
        if (!v || nv == 0) { /* the letter itself */
            v = &w->letter[w->nletters];
            nv = 1;
        }
        w->variants[w->nletters] = v;
        w->nvariants[w->nletters++] = nv;
    }
    uint8_t *r0 = row_at(w, 0);
    for (size_t j = 0; j <= w->m; j++)
        r0[j] = (uint8_t)(j > (size_t)w->k ? (size_t)w->k + 1 : j);
    do_seek(w, "", 0);
    if (opts->prefix && r0[w->m] <= w->k)
        emit_all(w, 0, r0[w->m]);
    else if (w->k == 0 && opts->fold_accents && !opts->prefix)
        walk_accents(w);
    else if (w->k == 0)
        walk0(w, 0, 0);
    else
        walk(w, 0, 0);
    if (seeks)
        *seeks = w->seeks;
    free(w->tmp);
    free(w->rows);
    free(w->defer);
    free(w);
    return CRIBLE_OK;
}

int crible_fuzzy_distance(const char *a, size_t an, const char *b, size_t bn,
                          bool fold_accents, int cap)
{
    uint32_t x[MAX_PATTERN], y[MAX_PATTERN];
    size_t m = 0, n = 0;
    for (size_t i = 0; i < an && m < MAX_PATTERN;) {
        size_t l = crible_utf8_decode(a + i, an - i, &x[m]);
        i += l ? l : 1;
        if (fold_accents)
            x[m] = crible_fuzzy_base(x[m]);
        m++;
    }
    for (size_t i = 0; i < bn && n < MAX_PATTERN;) {
        size_t l = crible_utf8_decode(b + i, bn - i, &y[n]);
        i += l ? l : 1;
        if (fold_accents)
            y[n] = crible_fuzzy_base(y[n]);
        n++;
    }
    /* Optimal string alignment: Levenshtein plus adjacent transpositions. */
    int pp[MAX_PATTERN + 1], prev[MAX_PATTERN + 1], cur[MAX_PATTERN + 1];
    for (size_t j = 0; j <= n; j++)
        prev[j] = pp[j] = (int)j;
    for (size_t i = 1; i <= m; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= n; j++) {
            int v = prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i >= 2 && j >= 2 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        memcpy(pp, prev, (n + 1) * sizeof *pp);
        memcpy(prev, cur, (n + 1) * sizeof *prev);
    }
    return prev[n] > cap ? cap + 1 : prev[n];
}
