/*
 * test_index_format_pairs.c - the (stem, variant) pairs of an exact entry
 * (index_format.c, DICT [v5]): an entry of one pair is the bytes version 4
 * wrote (read back by the version 4 reader too); an entry of several pairs
 * is the documented example byte for byte, its first pair says that others
 * follow (C + L + 1), which a version 4 reader refuses; long stems,
 * variants past the 2 bits, versions 2 and 3, and cut or damaged bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "index_format.h"

#define U8(s) ((const uint8_t *)(s))

/* Reads one pair of norm from bytes b[0..n) (version, first) and checks
 * it is (stem, variant), `more` and every byte read. */
static void read_back(const uint8_t *b, size_t n, const char *norm, unsigned version, bool first,
                      const char *stem, uint32_t variant, bool more)
{
    const uint8_t *p = b;
    uint8_t got[CRIBLE_TERM_MAX + 1];
    size_t gl;
    uint32_t v;
    bool m;
    assert_true(ix_pair_get(&p, b + n, U8(norm), strlen(norm), version, first, got, &gl, &v, &m));
    assert_int_equal(gl, strlen(stem));
    assert_memory_equal(got, stem, gl);
    assert_int_equal(v, variant);
    assert_int_equal(m, more);
    assert_ptr_equal(p, b + n);
}

static void test_one_pair_as_version_4(void **state)
{
    (void)state;
    ix_buf b = {0};
    ix_pair p = {U8("victim"), 6, 0};
    assert_true(ix_pair_put(&b, U8("victimes"), 8, &p, true, false));
    assert_int_equal(b.len, 1);
    assert_int_equal(b.data[0], 0x40);   /* (2 << 3 | 0) << 2 | 0 */
    read_back(b.data, b.len, "victimes", 5, true, "victim", 0, false);
    read_back(b.data, b.len, "victimes", 4, true, "victim", 0, false);
    /* the stem longer than the norm's prefix: S = 2, C = 0, variant 1 */
    b.len = 0;
    p = (ix_pair){U8("chanteur"), 8, 1};
    assert_true(ix_pair_put(&b, U8("chante"), 6, &p, true, false));
    uint8_t want[] = {(0 << 3 | 2) << 2 | 1, 'u', 'r'};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    read_back(b.data, b.len, "chante", 4, true, "chanteur", 1, false);
    ix_buf_free(&b);
}

static void test_several_pairs(void **state)
{
    (void)state;
    /* index_format.c's example: "chanter" under "chant" (1), "chanter" (0) */
    ix_buf b = {0};
    ix_pair a = {U8("chant"), 5, 1}, c = {U8("chanter"), 7, 0};
    assert_true(ix_pair_put(&b, U8("chanter"), 7, &a, true, true) && ix_buf_varint(&b, 0) &&
                ix_pair_put(&b, U8("chanter"), 7, &c, false, false));
    uint8_t want[] = {0xc1, 0x02, 0x00, 0x00};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    read_back(b.data, 2, "chanter", 5, true, "chant", 1, true);
    read_back(b.data + 3, 1, "chanter", 5, false, "chanter", 0, false);
    /* version 4 has no pairs after the first: C > L is damage there */
    const uint8_t *p = b.data;
    uint8_t stem[CRIBLE_TERM_MAX + 1];
    size_t sl;
    uint32_t v;
    assert_false(ix_pair_get(&p, b.data + 2, U8("chanter"), 7, 4, true, stem, &sl, &v, NULL));
    /* nor does a pair after the first say so */
    p = b.data;
    assert_false(ix_pair_get(&p, b.data + 2, U8("chanter"), 7, 5, false, stem, &sl, &v, NULL));
    /* C past 2L + 1: damaged even as a first pair */
    b.len = 0;
    assert_true(ix_buf_varint(&b, (uint64_t)(2 * 7 + 2) << 5));
    p = b.data;
    assert_false(ix_pair_get(&p, b.data + b.len, U8("chanter"), 7, 5, true, stem, &sl, &v, NULL));
    ix_buf_free(&b);
}

static void test_long_stem_big_variant(void **state)
{
    (void)state;
    ix_buf b = {0};
    ix_pair p = {U8("zzzzzzzzzzzzzzzzzzzz"), 20, 300};
    assert_true(ix_pair_put(&b, U8("a"), 1, &p, true, true));
    /* C = 1 + 1 + 1, S = 20: (3 << 3 | 7) << 2 | 3 = 127, 13, 20 bytes, 297 */
    assert_int_equal(b.len, 1 + 1 + 20 + 2);
    assert_int_equal(b.data[0], 127);
    assert_int_equal(b.data[1], 13);
    read_back(b.data, b.len, "a", 5, true, "zzzzzzzzzzzzzzzzzzzz", 300, true);
    /* every cut of it is refused */
    for (size_t n = 0; n < b.len; n++) {
        const uint8_t *q = b.data;
        uint8_t stem[CRIBLE_TERM_MAX + 1];
        size_t sl;
        uint32_t v;
        assert_false(ix_pair_get(&q, b.data + n, U8("a"), 1, 5, true, stem, &sl, &v, NULL));
    }
    /* a variant past 16 bits is refused */
    b.len = 0;
    p.variant = 1u << 16;
    assert_true(ix_pair_put(&b, U8("a"), 1, &p, true, false));
    const uint8_t *q = b.data;
    uint8_t stem[CRIBLE_TERM_MAX + 1];
    size_t sl;
    uint32_t v;
    assert_false(ix_pair_get(&q, b.data + b.len, U8("a"), 1, 5, true, stem, &sl, &v, NULL));
    ix_buf_free(&b);
}

static void test_versions_2_and_3(void **state)
{
    (void)state;
    /* varint C << 3 | min(S, 7), S bytes, varint variant */
    uint8_t old[] = {(2 << 3 | 0), 5};
    read_back(old, sizeof old, "victimes", 3, true, "victim", 5, false);
    read_back(old, sizeof old, "victimes", 2, true, "victim", 5, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_pair_as_version_4),
        cmocka_unit_test(test_several_pairs),
        cmocka_unit_test(test_long_stem_big_variant),
        cmocka_unit_test(test_versions_2_and_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
