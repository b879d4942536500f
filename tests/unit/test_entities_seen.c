/*
 * test_entities_seen.c - the document's record of tagged words
 * (entities_seen.c): what it counts, how it reads back into info[i].seen,
 * that it forgets at the end of a document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "entities_impl.h"

static crible_entities_token toks[8];

/* Prepares a sentence of words (offsets unknown) in tagger e. */
static size_t sentence(crible_entities *e, const char *const *words)
{
    size_t n = 0;
    for (; words[n]; n++)
        toks[n] = (crible_entities_token){.form = words[n], .form_len = strlen(words[n]),
                                          .norm = words[n], .norm_len = strlen(words[n]),
                                          .start = -1, .end = -1, .kind = CRIBLE_ETOK_WORD};
    crible_error err = {0};
    assert_int_equal(crible_ent_prepare(e, toks, n, &err), CRIBLE_OK);
    crible_ent_seen_read(e, n);
    return n;
}

static void test_seen(void **state)
{
    (void)state;
    crible_error err = {0};
    crible_gazetteer *g = crible_gazetteer_new(&err);
    assert_non_null(g);
    crible_entities *e = crible_entities_new(g, &err);
    assert_non_null(e);
    const uint16_t PER = 2 * CRIBLE_ENT_PER + 1, LOC = 2 * CRIBLE_ENT_LOC + 1;
    const char *const s1[] = {"Tréville", "arrive", NULL};
    const char *const s2[] = {"de", "Tréville", NULL};
    size_t n = sentence(e, s1);
    assert_int_equal(e->info[0].seen, 0);   /* nothing recorded yet */
    crible_ent_seen_add(e, (const uint16_t[]){PER, 0}, n);
    n = sentence(e, s2);
    assert_int_equal(e->info[0].seen, 0);   /* "de": lower case, tagged O: not recorded */
    /* PER (slot 1) + 1, counted once, unanimous */
    assert_int_equal(e->info[1].seen, 2 | 0 << 3 | 1 << 5);
    crible_ent_seen_add(e, (const uint16_t[]){0, LOC}, n);
    n = sentence(e, s2);
    assert_int_equal(e->info[1].seen, 2 | 0 << 3);   /* a tie: PER first, no longer unanimous */
    for (int k = 0; k < 4; k++) crible_ent_seen_add(e, (const uint16_t[]){0, PER}, n);
    n = sentence(e, s2);
    assert_int_equal(e->info[1].seen, 2 | 2 << 3);   /* five times PER */
    crible_entities_end_document(e);
    n = sentence(e, s2);
    assert_int_equal(e->info[1].seen, 0);
    (void)n;
    crible_entities_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_seen)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
