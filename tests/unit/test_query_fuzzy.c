/* Unit tests of the Levenshtein automaton (query_fuzzy.c): its result over a
 * real French lexicon (hunspell-fr's fr.dic) must equal a brute-force scan,
 * with far fewer seeks than terms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query_fuzzy.h"

typedef struct dict {
    char **w;
    size_t n, pos;
} dict;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void d_seek(void *ctx, const char *key, size_t len)
{
    dict *d = ctx;
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t wl = strlen(d->w[mid]);
        int c = memcmp(d->w[mid], key, wl < len ? wl : len);
        if (c < 0 || (c == 0 && wl < len))
            lo = mid + 1;
        else
            hi = mid;
    }
    d->pos = lo;
}

static bool d_next(void *ctx, const char **t, size_t *n)
{
    dict *d = ctx;
    if (d->pos >= d->n)
        return false;
    *t = d->w[d->pos++];
    *n = strlen(*t);
    return true;
}

static bool lower_case(const char *s)
{
    for (const unsigned char *u = (const unsigned char *)s; *u; u++)
        if ((*u >= 'A' && *u <= 'Z') || (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E) ||
            (*u >= 0xC4 && *u < 0xE0 && !(u[0] == 0xC5 && u[1] == 0x93)))
            return false; /* index terms are folded; variants are Latin-1's (and œ) */
    return true;
}

static dict *load(void)
{
    static const char *small[] = {"acteur", "acteurs", "actrice", "action", "déçu", "décu",
                                  "deçu", "harcèlement", "harcel", "réalis", "réalisateur",
                                  "realis", "cœur", "coeur", "chœur", "enfer", "enfers", "l'", "vie"};
    dict *d = calloc(1, sizeof *d);
    FILE *f = fopen("/usr/share/hunspell/fr.dic", "r");
    size_t cap = 1024;
    d->w = malloc(cap * sizeof *d->w);
    char line[512];
    if (f && fgets(line, sizeof line, f)) {
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "/\t\r\n")] = '\0';
            if (!line[0] || !lower_case(line))
                continue; /* index terms are case-folded */
            if (d->n == cap)
                d->w = realloc(d->w, (cap *= 2) * sizeof *d->w);
            d->w[d->n++] = strdup(line);
        }
    }
    if (f)
        fclose(f);
    else
        fprintf(stderr, "note: /usr/share/hunspell/fr.dic absent, small lexicon only\n");
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        if (d->n == cap)
            d->w = realloc(d->w, (cap *= 2) * sizeof *d->w);
        d->w[d->n++] = strdup(small[i]);
    }
    qsort(d->w, d->n, sizeof *d->w, cmp);
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        if (k == 0 || strcmp(d->w[k - 1], d->w[i]) != 0)
            d->w[k++] = d->w[i];
        else
            free(d->w[i]);
    d->n = k;
    return d;
}

typedef struct got {
    char **t;
    size_t n;
} got;

static bool collect(void *ctx, const char *t, size_t n, int dist)
{
    (void)dist;
    got *g = ctx;
    g->t = realloc(g->t, (g->n + 1) * sizeof *g->t);
    g->t[g->n++] = strndup(t, n);
    return true;
}

static bool brute_ok(const char *w, const char *pat, int k, bool fold, bool prefix)
{
    size_t wl = strlen(w), pl = strlen(pat);
    if (!prefix)
        return crible_fuzzy_distance(pat, pl, w, wl, fold, k) <= k;
    for (size_t cut = 0; cut <= wl; cut++) {
        if (cut < wl && (((unsigned char)w[cut]) & 0xC0) == 0x80)
            continue;
        if (crible_fuzzy_distance(pat, pl, w, cut, fold, k) <= k)
            return true;
    }
    return false;
}

static void compare(dict *d, const char *pat, int k, bool fold, bool prefix)
{
    crible_fuzzy_options o = {k, fold, prefix, 0};
    crible_term_source src = {d, d_seek, d_next};
    got g = {NULL, 0};
    size_t seeks = 0;
    crible_error err;
    assert_int_equal(crible_fuzzy_intersect(pat, strlen(pat), &o, &src, collect, &g, &seeks, &err),
                     CRIBLE_OK);
    if (g.n > 1)
        qsort(g.t, g.n, sizeof *g.t, cmp);
    size_t j = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (!brute_ok(d->w[i], pat, k, fold, prefix))
            continue;
        if (j >= g.n || strcmp(g.t[j], d->w[i]) != 0)
            fail_msg("%s~%d fold=%d prefix=%d: missing or wrong '%s' (got '%s')", pat, k, fold,
                     prefix, d->w[i], j < g.n ? g.t[j] : "(end)");
        j++;
    }
    if (j != g.n)
        fail_msg("%s~%d: extra term '%s'", pat, k, g.t[j]);
    if (getenv("FUZZY_VERBOSE"))
        fprintf(stderr, "%s~%d fold=%d prefix=%d: %zu terms, %zu seeks of %zu\n", pat, k, fold,
                prefix, g.n, seeks, d->n);
    if (d->n > 10000 && strlen(pat) >= 4)
        assert_true(seeks < d->n / (k == 2 ? 10 : 50)); /* not a scan */
    for (size_t i = 0; i < g.n; i++)
        free(g.t[i]);
    free(g.t);
}

static dict *D;

static void test_against_brute_force(void **state)
{
    (void)state;
    static const char *pats[] = {"acteru", "decu", "harcelement", "coeur", "enfer", "l",
                                 "réalisateur", "victime", "cinema", "a", "xyzzy"};
    for (size_t i = 0; i < sizeof pats / sizeof *pats; i++)
        for (int k = 0; k <= 2; k++) {
            compare(D, pats[i], k, false, false);
            compare(D, pats[i], k, true, false);
        }
    compare(D, "realis", 0, true, true);
    compare(D, "scénar", 0, false, true);
    compare(D, "magnifi", 1, true, true);
}

static void test_examples(void **state)
{
    (void)state;
    assert_int_equal(crible_fuzzy_base(0xE9), 'e');   /* é */
    assert_int_equal(crible_fuzzy_base(0xC7), 'c');   /* Ç */
    assert_int_equal(crible_fuzzy_base(0x153), 0x153); /* œ stays */
    assert_int_equal(crible_fuzzy_distance("acteur", 6, "acteru", 6, false, 2), 1);
    assert_int_equal(crible_fuzzy_distance("acteur", 6, "atceru", 6, false, 2), 2);
    assert_int_equal(crible_fuzzy_distance("déçu", 6, "decu", 4, true, 2), 0);
    assert_int_equal(crible_fuzzy_distance("déçu", 6, "decu", 4, false, 2), 2);
}

int main(void)
{
    D = load();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_against_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
