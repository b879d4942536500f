/*
 * test_index_format.c - the index's codecs (index_format.h): CRC32C against
 * the standard check value, varints at their limits and cut short, bit
 * packing of blocks of 128 at every width, dates as numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "index_format.h"

static void test_crc32c(void **state)
{
    (void)state;
    assert_int_equal(ix_crc32c(0, "123456789", 9), 0xE3069283u);
    /* chaining equals one pass */
    uint32_t c = ix_crc32c(0, "1234", 4);
    assert_int_equal(ix_crc32c(c, "56789", 5), 0xE3069283u);
    assert_int_equal(ix_crc32c(0, "", 0), 0);
}

static void test_varint(void **state)
{
    (void)state;
    const uint64_t vals[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        uint8_t b[10];
        size_t n = ix_varint_put(b, vals[i]);
        const uint8_t *p = b;
        uint64_t v;
        assert_true(ix_varint_get(&p, b + n, &v));
        assert_true(v == vals[i]);
        assert_ptr_equal(p, b + n);
        /* cut short: refused, pointer unchanged */
        if (n > 1) {
            p = b;
            assert_false(ix_varint_get(&p, b + n - 1, &v));
            assert_ptr_equal(p, b);
        }
    }
    /* 11 continuation bytes: refused */
    uint8_t bad[11];
    memset(bad, 0xff, sizeof bad);
    const uint8_t *p = bad;
    uint64_t v;
    assert_false(ix_varint_get(&p, bad + sizeof bad, &v));
    uint32_t v32;
    uint8_t big[10];
    size_t n = ix_varint_put(big, (uint64_t)UINT32_MAX + 1);
    p = big;
    assert_false(ix_varint_get32(&p, big + n, &v32));
}

static void test_pack(void **state)
{
    (void)state;
    uint32_t in[128], out[128];
    uint8_t buf[16 * 32];
    for (unsigned bits = 0; bits <= 32; bits++) {
        uint64_t max = bits == 32 ? UINT32_MAX : (1ull << bits) - 1;
        for (int i = 0; i < 128; i++) in[i] = (uint32_t)((i * 2654435761u) & max);
        in[7] = (uint32_t)max;
        assert_int_equal(ix_bits_needed(in, 128), bits);
        ix_pack128(in, bits, buf);
        ix_unpack128(buf, bits, out);
        assert_memory_equal(in, out, sizeof in);
    }
}

static void test_dates(void **state)
{
    (void)state;
    double d;
    assert_true(ix_parse_date("2020-05-03", &d));
    assert_true(d == 20200503);
    assert_true(ix_parse_date("2020-05", &d));
    assert_true(d == 20200500);
    assert_true(ix_parse_date("2020", &d));
    assert_true(d == 20200000);
    assert_false(ix_parse_date("2020-13-01", &d));
    assert_false(ix_parse_date("20-05-03", &d));
    assert_false(ix_parse_date("le 3 mai", &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_varint),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
