/*
 * test_query_topk.c - the top k (query_topk.c): hits with equal scores
 * come by document id in byte order, whatever the documents' numbers and
 * shards, and the k kept are the first k of that order even when the tie
 * at the k-th score is larger than k.  Two small indexes whose document
 * numbers run against their ids' order; random hits (scores drawn from a
 * few values, so ties abound) pushed in a random order into tops of every
 * size, each compared with a brute-force sort; on a fresh searcher (ids
 * from stored documents, the "_id" dictionary walked for a large tie),
 * on one that has met many ties (ids from the ranks it read), and with
 * no_memo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "index_writer.h"
#include "query_internal.h"

#define NDOCS 300 /* a shard */

static char dirs[2][256];
static char ids[2][NDOCS][16];

/* Shard k's document d has id ids[k][d]: numbers and ids in other orders,
 * the two shards' ids interleaved. */
static void build(int k)
{
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(dirs[k], &o, &w, &err), CRIBLE_OK);
    for (int d = 0; d < NDOCS; d++) {
        int n = (d * 7919 + k * 131) % (2 * NDOCS); /* 7919 = 119 (mod 600), prime to 600 */
        snprintf(ids[k][d], sizeof ids[k][d], "doc-%04d%c", n, k ? 'b' : 'a');
        char json[128];
        snprintf(json, sizeof json, "{\"id\":\"%s\",\"text\":\"mot\"}", ids[k][d]);
        assert_int_equal(crible_index_doc_begin(w, ids[k][d], json, strlen(json), &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
        crible_index_doc_sentence(w);
        crible_index_token t = {"mot", "mot", 0, 3};
        assert_int_equal(crible_index_doc_token(w, &t, &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
    }
    crible_status st = crible_index_writer_commit(w, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
    crible_index_writer_close(w);
}

static int setup(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        snprintf(dirs[k], sizeof dirs[k], "/tmp/crible-test-topk-%d-%d", (int)getpid(), k);
        char cmd[sizeof dirs + 16];   /* gcc -O2 sizes a row of dirs as all of it */
        snprintf(cmd, sizeof cmd, "rm -rf %s", dirs[k]);
        assert_int_equal(system(cmd), 0);
        build(k);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        char cmd[sizeof dirs + 16];   /* gcc -O2 sizes a row of dirs as all of it */
        snprintf(cmd, sizeof cmd, "rm -rf %s", dirs[k]);
        assert_int_equal(system(cmd), 0);
    }
    return 0;
}

static int brute_cmp(const void *a, const void *b)
{
    const crible_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(ids[x->shard][x->doc], ids[y->shard][y->doc]);
}

/* One search: n random hits of the shards asked, k kept. */
static void one(crible_searcher *s, size_t nshards, size_t n, size_t k, int nscores)
{
    static crible_hit all[2 * NDOCS];
    size_t m = 0;
    for (uint32_t sh = 0; sh < nshards; sh++)
        for (uint32_t d = 0; d < NDOCS; d++)
            all[m++] = (crible_hit){sh, d, 1.0 + rand() % nscores};
    for (size_t i = m; i > 1; i--) { /* shuffled: the order of a search */
        size_t j = (size_t)rand() % i;
        crible_hit x = all[i - 1];
        all[i - 1] = all[j];
        all[j] = x;
    }
    if (n > m)
        n = m;
    topk t = {0};
    t.k = k;
    t.h = malloc(k * sizeof *t.h);
    assert_non_null(t.h);
    for (size_t i = 0; i < n; i++)
        if (topk_threshold(&t) < 0 || all[i].score >= topk_threshold(&t))
            topk_push(&t, &all[i]);
    crible_error err = {0};
    assert_int_equal(topk_finish(&t, s, &err), CRIBLE_OK);
    qsort(all, n, sizeof *all, brute_cmp);
    assert_int_equal(t.n, n < k ? n : k);
    for (size_t i = 0; i < t.n; i++)
        if (t.h[i].shard != all[i].shard || t.h[i].doc != all[i].doc || t.h[i].score != all[i].score)
            fail_msg("n %zu k %zu: place %zu: %s %.0f, want %s %.0f", n, k, i, ids[t.h[i].shard][t.h[i].doc],
                     t.h[i].score, ids[all[i].shard][all[i].doc], all[i].score);
    free(t.h);
    free(t.tie);
}

static crible_searcher *open_searcher(size_t n, bool no_memo)
{
    crible_query_options o;
    crible_query_options_init(&o);
    o.no_memo = no_memo;
    const char *d[2] = {dirs[0], dirs[1]};
    crible_searcher *s;
    crible_error err = {0};
    crible_status st = crible_searcher_open(d, n, &o, &s, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
    return s;
}

static void test_ties_by_id(void **state)
{
    (void)state;
    static const size_t ks[] = {1, 2, 5, 10, 37, 300, 700};
    static const size_t ns[] = {3, 20, 150, 600};
    srand(7);
    for (size_t nsh = 1; nsh <= 2; nsh++)
        for (int memo = 0; memo < 2; memo++) {
            crible_searcher *s = open_searcher(nsh, !memo);
            /* the first searches find ids in stored documents or by a walk;
             * later ones (with memo) in the ranks read */
            for (int round = 0; round < 3; round++)
                for (size_t a = 0; a < sizeof ks / sizeof *ks; a++)
                    for (size_t b = 0; b < sizeof ns / sizeof *ns; b++)
                        for (int sc = 1; sc <= 3; sc += 2)
                            one(s, nsh, ns[b], ks[a], sc);
            crible_searcher_close(s);
        }
}

/* Every hit ties (a filter without text): the first k ids, whichever
 * documents the heap happened to keep. */
static void test_all_tied(void **state)
{
    (void)state;
    srand(11);
    crible_searcher *s = open_searcher(2, true);
    for (size_t k = 1; k <= 64; k *= 2)
        one(s, 2, 2 * NDOCS, k, 1);
    crible_searcher_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_by_id),
        cmocka_unit_test(test_all_tied),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
