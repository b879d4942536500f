/*
 * test_query_cache.c - the searcher's memo of dictionary lookups
 * (query_cache.h): values come back by key, a put replaces, the budget
 * drops everything rather than growing, the table grows past its first
 * size with every key still found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "query_cache.h"

static void test_get_put(void **state)
{
    (void)state;
    qcache *c = qcache_new(1 << 20);
    assert_non_null(c);
    size_t n = 99;
    assert_null(qcache_get(c, "décu", strlen("décu"), &n));
    static const char two[] = "déçu\0déçue"; /* two forms, NUL between */
    assert_true(qcache_put(c, "decu", 4, two, sizeof two));
    const char *v = qcache_get(c, "decu", 4, &n);
    assert_non_null(v);
    assert_int_equal(n, sizeof two);
    assert_memory_equal(v, two, sizeof two);
    /* a key that is a prefix of another is another key */
    assert_null(qcache_get(c, "dec", 3, &n));
    /* an empty value is a value (a walk that found nothing) */
    assert_true(qcache_put(c, "xyzzy", 5, NULL, 0));
    assert_non_null(qcache_get(c, "xyzzy", 5, &n));
    assert_int_equal(n, 0);
    /* replaced */
    assert_true(qcache_put(c, "decu", 4, "déçu", sizeof "déçu"));
    v = qcache_get(c, "decu", 4, &n);
    assert_int_equal(n, sizeof "déçu");
    assert_string_equal(v, "déçu");
    qcache_free(c);
}

static void test_grow_and_budget(void **state)
{
    (void)state;
    qcache *c = qcache_new(1 << 20);
    char key[32], val[32];
    for (int i = 0; i < 5000; i++) {
        int kl = snprintf(key, sizeof key, "harcèlement-%d", i);
        int vl = snprintf(val, sizeof val, "v%d", i * 7);
        assert_true(qcache_put(c, key, (size_t)kl, val, (size_t)vl));
    }
    for (int i = 0; i < 5000; i++) {
        int kl = snprintf(key, sizeof key, "harcèlement-%d", i);
        int vl = snprintf(val, sizeof val, "v%d", i * 7);
        size_t n;
        const char *v = qcache_get(c, key, (size_t)kl, &n);
        assert_non_null(v);
        assert_int_equal(n, (size_t)vl);
        assert_memory_equal(v, val, n);
    }
    qcache_free(c);
    /* a small budget: older entries are dropped, the newest is there */
    c = qcache_new(4096);
    for (int i = 0; i < 1000; i++) {
        int kl = snprintf(key, sizeof key, "k%d", i);
        assert_true(qcache_put(c, key, (size_t)kl, "value", 5));
    }
    size_t n;
    assert_null(qcache_get(c, "k0", 2, &n));
    assert_non_null(qcache_get(c, "k999", 4, &n));
    /* a value larger than a quarter of the budget is not kept */
    char big[2048] = {0};
    assert_true(qcache_put(c, "big", 3, big, sizeof big));
    assert_null(qcache_get(c, "big", 3, &n));
    qcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put),
        cmocka_unit_test(test_grow_and_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
