/* Unit tests of snippets (query_snippet.c, query_output.c's rendering): the
 * passages chosen and the surface words highlighted, on French text cut by
 * crible's own tokenizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query_output.h"
#include "query_snippet.h"
#include "tokenizer.h"

typedef struct doc {
    const char *text;
    uint32_t n, nsent;
    uint32_t start[512], end[512], sent[64];
    char norm[512][48];
} doc;

static crible_status on_sent(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    (void)err;
    doc *d = ctx;
    d->sent[d->nsent++] = d->n;
    for (size_t i = 0; i < s->ntokens && d->n < 512; i++) {
        d->start[d->n] = (uint32_t)s->tokens[i].start;
        d->end[d->n] = (uint32_t)s->tokens[i].end;
        snprintf(d->norm[d->n], sizeof d->norm[0], "%s", s->tokens[i].norm);
        d->n++;
    }
    return CRIBLE_OK;
}

static void tokenize(doc *d, const char *text)
{
    memset(d, 0, sizeof *d);
    d->text = text;
    crible_tokenizer *t;
    crible_error err;
    assert_int_equal(crible_tokenizer_create(NULL, &t, &err), CRIBLE_OK);
    assert_int_equal(crible_tokenizer_run(t, text, strlen(text), on_sent, d, &err), CRIBLE_OK);
    crible_tokenizer_free(t);
}

/* Hits on every token whose norm is one of words (term = its index). */
static size_t hits_for(const doc *d, const char *const *words, crible_snippet_hit *h)
{
    size_t n = 0;
    for (uint32_t p = 0; p < d->n; p++)
        for (uint32_t w = 0; words[w]; w++)
            if (strcmp(d->norm[p], words[w]) == 0)
                h[n++] = (crible_snippet_hit){p, w, false};
    return n;
}

static char *render(const doc *d, const char *const *words, size_t max, crible_snippet *s)
{
    crible_snippet_hit h[512];
    size_t nh = hits_for(d, words, h);
    crible_snippet_input in = {d->text, strlen(d->text), d->n, d->start, d->end,
                               d->sent, d->nsent, h, nh};
    crible_snippet_options o = {max, 2};
    crible_error err;
    assert_int_equal(crible_snippet_build(&in, &o, s, &err), CRIBLE_OK);
    return crible_snippet_render(d->text, s, "[", "]", NULL, NULL);
}

static const char TEXT[] =
    "Déçu. Franchement déçu par le premier épisode, trop lent. "
    "L’enfer du harcèlement en ligne est raconté par cinq victimes, sans fard. "
    "La réalisation reste sobre et la musique discrète.";

static void test_best_sentence_and_surface_words(void **state)
{
    (void)state;
    doc d;
    tokenize(&d, TEXT);
    crible_snippet s;
    crible_snippet_init(&s);
    const char *const q1[] = {"enfer", "harcèlement", NULL};
    char *r = render(&d, q1, 220, &s);
    /* The sentence holding both words; the elision is part of the word. */
    assert_non_null(strstr(r, "[L’enfer] du [harcèlement] en ligne"));
    assert_null(strstr(r, "[l"));
    free(r);
    const char *const q2[] = {"déçu", NULL};
    r = render(&d, q2, 220, &s);
    assert_non_null(strstr(r, "[Déçu]. Franchement [déçu] par"));
    free(r);
    crible_snippet_free(&s);
}

static void test_never_a_bare_elision(void **state)
{
    (void)state;
    doc d;
    tokenize(&d, TEXT);
    crible_snippet s;
    crible_snippet_init(&s);
    const char *const q[] = {"l'", NULL};
    char *r = render(&d, q, 220, &s);
    assert_null(strchr(r, '['));
    free(r);
    crible_snippet_free(&s);
}

static void test_long_sentence_is_cut_around_the_match(void **state)
{
    (void)state;
    char text[4096] = "Introduction. ";
    for (int i = 0; i < 40; i++)
        strcat(text, "un film long ");
    strcat(text, "mais le harcèlement y est montré ");
    for (int i = 0; i < 40; i++)
        strcat(text, "sans aucune pudeur ");
    strcat(text, "fin.");
    doc d;
    tokenize(&d, text);
    crible_snippet s;
    crible_snippet_init(&s);
    const char *const q[] = {"harcèlement", NULL};
    char *r = render(&d, q, 120, &s);
    assert_int_equal(s.nfrag, 1);
    assert_true(s.cut_before[0] && s.cut_after[0]);
    assert_true(strlen(r) < 140);
    assert_non_null(strstr(r, "[harcèlement]"));
    assert_true(r[0] != ' ');
    free(r);
    crible_snippet_free(&s);
}

static void test_no_hit_shows_the_beginning(void **state)
{
    (void)state;
    doc d;
    tokenize(&d, TEXT);
    crible_snippet s;
    crible_snippet_init(&s);
    const char *const q[] = {NULL};
    char *r = render(&d, q, 220, &s);
    assert_true(strncmp(r, "Déçu.", 6) == 0);
    free(r);
    crible_snippet_free(&s);
}

static void test_two_passages(void **state)
{
    (void)state;
    doc d;
    tokenize(&d, TEXT);
    crible_snippet s;
    crible_snippet_init(&s);
    const char *const q[] = {"déçu", "musique", NULL};
    char *r = render(&d, q, 220, &s);
    assert_int_equal(s.nfrag, 2);
    assert_non_null(strstr(r, " … "));
    assert_non_null(strstr(r, "[musique]"));
    /* Highlights as byte offsets of the rendered snippet. */
    size_t *hl, nhl;
    char *plain = crible_snippet_render(d.text, &s, NULL, NULL, &hl, &nhl);
    assert_true(nhl >= 2);
    assert_memory_equal(plain + hl[2 * (nhl - 1)], "musique", 7);
    free(hl);
    free(plain);
    free(r);
    crible_snippet_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_sentence_and_surface_words),
        cmocka_unit_test(test_never_a_bare_elision),
        cmocka_unit_test(test_long_sentence_is_cut_around_the_match),
        cmocka_unit_test(test_no_hit_shows_the_beginning),
        cmocka_unit_test(test_two_passages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
