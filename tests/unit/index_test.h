/*
 * index_test.h - what the index unit tests share (test_index_rw.c,
 * test_index_merge.c, test_index_segment.c): opening an index that must
 * open, and a check that must find nothing, each problem printed.
 * Include it after <cmocka.h>.
 */
#ifndef CRIBLE_TESTS_INDEX_TEST_H
#define CRIBLE_TESTS_INDEX_TEST_H

#include <stdio.h>

#include "index.h"

static inline crible_index *ix_test_open(const char *dir)
{
    crible_index *ix;
    crible_error err = {0};
    crible_status st = crible_index_open(dir, &ix, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
    return ix;
}

static inline void ix_test_report(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "%s\n", message);
}

static inline void ix_test_check_clean(const char *dir)
{
    crible_error err = {0};
    crible_status st = crible_index_check(dir, ix_test_report, NULL, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
}

#endif
