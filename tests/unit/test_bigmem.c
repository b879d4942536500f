/*
 * test_bigmem.c - huge pages on the malloc heap (bigmem.h): after the
 * reserve, the memory malloc hands out lies in a mapping the kernel was
 * asked to back with huge pages (VmFlags "hg" in /proc/self/smaps), and so
 * does what the heap grew past it once crible_bigmem_heap_follow ran (not
 * before); a limit on the data segment the reserve would crowd keeps it
 * off.  Under AddressSanitizer (no brk heap) nothing is advised.
 * crible_bigmem_heap_tidy: 48 MiB of the heap in 2,048 blocks of 24 KiB,
 * touched, then three blocks in four freed (holes malloc cannot give back
 * from the top): they stay resident; tidy with a slack of 1 GiB trims
 * nothing (false), with 8 MiB it trims (true): at least 24 MiB less
 * resident, the blocks still held keep their bytes.  Under
 * AddressSanitizer it does nothing.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "bigmem.h"

#if CRIBLE_BIGMEM_BRK_HEAP
/* 1: the mapping holding p is advised huge pages; 0: it is not; -1: no
 * mapping holds p. */
static int advised(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    int found = -1;
    bool in = false;
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = a >= lo && a < hi;
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            found = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}
#endif

/* A limit on the data segment below 4 reserves: nothing advised. */
static void test_limit(void **state)
{
    (void)state;
    struct rlimit old, r;
    assert_int_equal(getrlimit(RLIMIT_DATA, &old), 0);
    r = old;
    r.rlim_cur = 64u << 20;
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < r.rlim_cur) skip();
    assert_int_equal(setrlimit(RLIMIT_DATA, &r), 0);
    size_t got = crible_bigmem_heap_reserve(32u << 20);
    assert_int_equal(setrlimit(RLIMIT_DATA, &old), 0);
    assert_int_equal(got, 0);
}

static void test_reserve_and_follow(void **state)
{
    (void)state;
    size_t got = crible_bigmem_heap_reserve(8u << 20);
#if !CRIBLE_BIGMEM_BRK_HEAP
    assert_int_equal(got, 0);
    crible_bigmem_heap_follow();
    skip();
#else
    /* 8 MiB and the 1 MiB top pad, less the unaligned ends */
    assert_true(got >= (6u << 20) && got <= (10u << 20));
    /* 64 KiB blocks: below the mmap threshold, from the heap */
    enum { BLOCK = 64 << 10, BLOCKS = 320 };   /* 20 MiB: past the reserve */
    char *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(BLOCK);
        assert_non_null(blocks[i]);
        memset(blocks[i], i, BLOCK);   /* real memory: huge pages where advised */
    }
    assert_int_equal(advised(blocks[BLOCKS / 8]), 1);   /* 2.5 MiB in: the reserve */
    char *last = blocks[BLOCKS - 1];
    assert_int_equal(advised(last), 0);                 /* grown past it: not yet */
    crible_bigmem_heap_follow();
    assert_int_equal(advised(blocks[BLOCKS / 8]), 1);
    /* the last 2 MiB below the break may stay small pages: a block well
     * before the end */
    assert_int_equal(advised(blocks[BLOCKS - 64]), 1);
    for (int i = 0; i < BLOCKS; i++) {
        assert_int_equal((unsigned char)blocks[i][BLOCK - 1], (unsigned char)i);   /* contents kept */
        free(blocks[i]);
    }
    crible_bigmem_heap_follow();   /* nothing grew: nothing to do */
#endif
}

/* RssAnon of this process in bytes (/proc/self/status). */
static size_t rss_anon(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    size_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "RssAnon: %zu kB", &kb) == 1) break;
    fclose(f);
    return kb << 10;
}

static void test_tidy(void **state)
{
    (void)state;
    enum { BLOCK = 24 << 10, BLOCKS = 2048 };   /* 48 MiB, from the heap */
    static char *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(BLOCK);
        assert_non_null(blocks[i]);
        memset(blocks[i], 'a' + i % 26, BLOCK);
    }
    size_t full = rss_anon();
    for (int i = 0; i < BLOCKS; i++)
        if (i % 4 != 3) {
            free(blocks[i]);
            blocks[i] = NULL;
        }
    size_t holed = rss_anon();
#if !CRIBLE_BIGMEM_BRK_HEAP
    assert_false(crible_bigmem_heap_tidy(0));
    for (int i = 3; i < BLOCKS; i += 4) free(blocks[i]);
    (void)full;
    (void)holed;
    skip();
#else
    /* the freed blocks' pages are still resident */
    assert_true(holed + ((size_t)8 << 20) > full);
    assert_false(crible_bigmem_heap_tidy((size_t)1 << 30));
    assert_true(rss_anon() + ((size_t)8 << 20) > full);
    assert_true(crible_bigmem_heap_tidy((size_t)8 << 20));
    assert_true(rss_anon() + ((size_t)24 << 20) < holed);
    for (int i = 3; i < BLOCKS; i += 4) {
        assert_int_equal(blocks[i][0], 'a' + i % 26);
        assert_int_equal(blocks[i][BLOCK - 1], 'a' + i % 26);
        free(blocks[i]);
    }
#endif
}

int main(void)
{
    /* as crible-index sets malloc up (stages/index.c) */
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 1 << 20);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_reserve_and_follow),
        cmocka_unit_test(test_tidy),   /* after: its holes would take the reserve test's blocks */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
