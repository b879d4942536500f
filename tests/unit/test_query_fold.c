/*
 * test_query_fold.c - the folded keys of the accent-fold filter
 * (query_fold.h) are the accent walk's own folding: accents and case go,
 * ligatures stay, bad UTF-8 and over-long words give no key.  (The filter
 * over a real dictionary is tested through crible-query: tests/cli/query.bats,
 * "accent-fold filter".)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "query_fold.h"

static void key_is(const char *in, const char *want)
{
    char k[QFOLD_KEY_MAX];
    size_t n = qfold_key(in, strlen(in), k, sizeof k);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(k, want, n);
}

static void test_fold(void **state)
{
    (void)state;
    key_is("déçu", "decu");
    key_is("Déçu", "decu");
    key_is("decu", "decu");
    key_is("forêt", "foret");
    key_is("âgé", "age");
    key_is("maïs", "mais");
    key_is("cœur", "cœur");         /* a ligature is a letter of its own */
    key_is("intérêt", "interet");
}

static void test_no_key(void **state)
{
    (void)state;
    char k[QFOLD_KEY_MAX];
    assert_int_equal(qfold_key("d\xC3", 2, k, sizeof k), 0);          /* cut UTF-8 */
    assert_int_equal(qfold_key("d\xFF" "cu", 4, k, sizeof k), 0);     /* not UTF-8 */
    char longw[300];
    memset(longw, 'a', sizeof longw);
    assert_int_equal(qfold_key(longw, 255, k, sizeof k), 255);
    assert_int_equal(qfold_key(longw, 256, k, sizeof k), 0);          /* the walk's limit */
    assert_int_equal(qfold_key("déçu", strlen("déçu"), k, 3), 0);     /* no room */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_no_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
