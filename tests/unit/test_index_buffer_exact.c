/*
 * test_index_buffer_exact.c - a normal form met under two stems (the
 * NORM column that `=word` matches: "chanter" stemmed "chant" in some
 * documents, "chanter" in others, both in one document) is found in every
 * document holding it: in one buffer (the stem equal to the form first,
 * whose statistics the buffer counts at flush, then the other stem, also
 * in the middle of a document), in one segment a document then merged,
 * with a document deleted, and in two indexes built apart then merged
 * (shards).  Each time: the documents, their tfs and merged positions,
 * df counting a document once, cf and max tf, the block-max bounds,
 * advance, and a clean check.  Before version 5 of the format, the buffer
 * gave the exact term its first stem only: `=chanter` found one document
 * of three and check failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index_test.h"
#include "index_writer.h"

typedef struct tok { const char *stem, *norm; } tok;

/* The documents, in the order added (stem/norm per token). */
typedef struct tdoc { const char *id; tok t[4]; } tdoc;
static const tdoc DOCS[] = {
    {"b", {{"chanter", "chanter"}, {"chanter", "chanter"}}},           /* the self norm, counted at flush */
    {"x", {{"chant", "chantons"}, {"le", "le"}}},
    {"a", {{"chanter", "chanter"}, {"chant", "chanter"}, {"le", "le"}}}, /* both, the switch mid-document */
    {"c", {{"le", "le"}, {"chant", "chanter"}, {"chanter", "chanter"}}},
    {"d", {{"chant", "chant"}, {"chant", "chanter"}}},
};
#define NDOCS (sizeof DOCS / sizeof *DOCS)

static char *tmpdir(const char *name)
{
    char *d = malloc(128);
    assert_non_null(d);
    snprintf(d, 128, "/tmp/test_ixexact_%s.XXXXXX", name);
    assert_non_null(mkdtemp(d));
    return d;
}

static void rmrf(char *d)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static crible_index_writer *writer(const char *d)
{
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    o.merge_factor = 1000;   /* no merge at commit */
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(d, &o, &w, &err), CRIBLE_OK);
    return w;
}

static void add(crible_index_writer *w, const tdoc *doc)
{
    char json[256], text[200] = "";
    size_t tl = 0;
    crible_index_token toks[4];
    size_t n = 0;
    for (; n < 4 && doc->t[n].stem; n++) {
        size_t l = strlen(doc->t[n].norm);
        toks[n] = (crible_index_token){doc->t[n].stem, doc->t[n].norm, (uint32_t)tl, (uint32_t)(tl + l)};
        tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s ", doc->t[n].norm);
    }
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"text\":\"%s\"}", doc->id, text);
    crible_error err = {0};
    assert_int_equal(crible_index_doc_begin(w, doc->id, json, strlen(json), &err), CRIBLE_OK);
    assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
    crible_index_doc_sentence(w);
    for (size_t i = 0; i < n; i++) assert_int_equal(crible_index_doc_token(w, &toks[i], &err), CRIBLE_OK);
    assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
}

static void commit(crible_index_writer *w, bool merge)
{
    crible_error err = {0};
    crible_status st = merge ? crible_index_writer_force_merge(w, &err) : crible_index_writer_commit(w, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
}

/* What `=norm` must give, from DOCS (deleted: an id left out): per
 * document in id order its positions of the norm. */
static void expected(const crible_index *ix, const char *norm, const char *deleted, uint32_t *docs,
                     uint32_t *tfs, uint32_t pos[][4], size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < NDOCS; i++) {
        if (deleted && !strcmp(DOCS[i].id, deleted)) continue;
        uint32_t tf = 0, p[4];
        for (uint32_t k = 0; k < 4 && DOCS[i].t[k].stem; k++)
            if (!strcmp(DOCS[i].t[k].norm, norm)) p[tf++] = k;
        if (!tf) continue;
        uint32_t d = crible_index_find_id(ix, DOCS[i].id);
        assert_int_not_equal(d, CRIBLE_DOC_NONE);
        size_t j = *n;   /* in document order */
        while (j > 0 && docs[j - 1] > d) {
            docs[j] = docs[j - 1];
            tfs[j] = tfs[j - 1];
            memcpy(pos[j], pos[j - 1], sizeof pos[j]);
            j--;
        }
        docs[j] = d;
        tfs[j] = tf;
        memcpy(pos[j], p, sizeof p);
        (*n)++;
    }
}

static void expect_norm(const char *dir, const char *norm, const char *deleted)
{
    crible_index *ix = ix_test_open(dir);
    int text = crible_index_field(ix, "text");
    assert_true(text >= 0);
    uint32_t docs[NDOCS], tfs[NDOCS], pos[NDOCS][4];
    size_t n;
    expected(ix, norm, deleted, docs, tfs, pos, &n);
    crible_postings *p;
    crible_error err = {0};
    assert_int_equal(crible_postings_open_exact(ix, text, norm, strlen(norm), &p, &err), CRIBLE_OK);
    crible_term_stats st;
    crible_postings_stats(p, &st);
    uint64_t cf = 0;
    uint32_t max_tf = 0;
    for (size_t i = 0; i < n; i++) {
        cf += tfs[i];
        if (tfs[i] > max_tf) max_tf = tfs[i];
    }
    /* block-max: a bound of every document's tf from the first on */
    uint32_t last = crible_postings_shallow_advance(p, 0);
    if (n) {
        assert_true(last != CRIBLE_DOC_NONE && last >= docs[0]);
        assert_true(crible_postings_block_max_tf(p) >= tfs[0]);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t got[8];
        if (crible_postings_next(p) != docs[i]) fail_msg("=%s: document %zu is %u, not %u", norm, i, p ? crible_postings_doc(p) : 0, docs[i]);
        assert_int_equal(crible_postings_tf(p), tfs[i]);
        assert_int_equal(crible_postings_positions(p, got, 8), tfs[i]);
        for (uint32_t k = 0; k < tfs[i]; k++) assert_int_equal(got[k], pos[i][k]);
        /* up to the first position past the first one: 2 of 2, 1 of 1 */
        assert_int_equal(crible_postings_positions_upto(p, got, 8, pos[i][0]), tfs[i] > 1 ? 2 : 1);
    }
    assert_int_equal(crible_postings_next(p), CRIBLE_DOC_NONE);
    assert_int_equal(crible_postings_error(p, &err), CRIBLE_OK);
    if (!deleted) {   /* the statistics are the dictionaries', deletions left in them */
        assert_int_equal(st.df, n);
        assert_int_equal(st.cf, cf);
        assert_int_equal(st.max_tf, max_tf);
    }
    crible_postings_close(p);
    /* advance: straight to the last one */
    assert_int_equal(crible_postings_open_exact(ix, text, norm, strlen(norm), &p, &err), CRIBLE_OK);
    if (n) assert_int_equal(crible_postings_advance(p, docs[n - 1]), docs[n - 1]);
    if (n) assert_int_equal(crible_postings_tf(p), tfs[n - 1]);
    crible_postings_close(p);
    /* one segment's: the one holding the last document */
    if (n) {
        assert_int_equal(crible_postings_open_at(ix, text, norm, strlen(norm), true, docs[n - 1], &p, &err), CRIBLE_OK);
        assert_int_equal(crible_postings_advance(p, docs[n - 1]), docs[n - 1]);
        assert_int_equal(crible_postings_tf(p), tfs[n - 1]);
        crible_postings_close(p);
    }
    crible_index_close(ix);
}

static void expect_all(const char *dir, const char *deleted)
{
    ix_test_check_clean(dir);
    expect_norm(dir, "chanter", deleted);    /* two stems */
    expect_norm(dir, "chantons", deleted);   /* one, another's norm */
    expect_norm(dir, "chant", deleted);      /* the pure... or not: its stem is impure */
    expect_norm(dir, "le", deleted);         /* a pure stem's own norm: no exact entry */
    expect_norm(dir, "chantez", deleted);    /* nowhere */
}

static void test_one_buffer(void **state)
{
    (void)state;
    char *d = tmpdir("one");
    crible_index_writer *w = writer(d);
    for (size_t i = 0; i < NDOCS; i++) add(w, &DOCS[i]);
    commit(w, false);
    crible_index_writer_close(w);
    expect_all(d, NULL);
    rmrf(d);
}

static void test_segments_merged(void **state)
{
    (void)state;
    char *d = tmpdir("segs");
    crible_index_writer *w = writer(d);
    for (size_t i = 0; i < NDOCS; i++) {   /* a segment a document */
        add(w, &DOCS[i]);
        commit(w, false);
    }
    expect_all(d, NULL);
    commit(w, true);
    expect_all(d, NULL);
    crible_error err = {0};
    assert_int_equal(crible_index_writer_delete(w, "a", &err), CRIBLE_OK);
    commit(w, false);
    expect_all(d, "a");
    commit(w, true);   /* "a" held it under both stems: gone from the statistics */
    expect_all(d, "a");
    crible_index *ix = ix_test_open(d);
    crible_postings *p;
    assert_int_equal(crible_postings_open_exact(ix, crible_index_field(ix, "text"), "chanter", 7, &p, &err), CRIBLE_OK);
    crible_term_stats st;
    crible_postings_stats(p, &st);
    assert_int_equal(st.df, 3);   /* b, c, d */
    assert_int_equal(st.cf, 5);
    crible_postings_close(p);
    crible_index_close(ix);
    crible_index_writer_close(w);
    rmrf(d);
}

static void test_shards_merged(void **state)
{
    (void)state;
    char *s1 = tmpdir("shard1"), *s2 = tmpdir("shard2");
    crible_index_writer *w = writer(s1);
    for (size_t i = 0; i < NDOCS; i += 2) add(w, &DOCS[i]);
    commit(w, false);
    crible_index_writer_close(w);
    w = writer(s2);
    for (size_t i = 1; i < NDOCS; i += 2) add(w, &DOCS[i]);
    commit(w, false);
    crible_error err = {0};
    assert_int_equal(crible_index_writer_add_index(w, s1, &err), CRIBLE_OK);
    commit(w, true);
    crible_index_writer_close(w);
    expect_all(s2, NULL);
    rmrf(s1);
    rmrf(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_buffer),
        cmocka_unit_test(test_segments_merged),
        cmocka_unit_test(test_shards_merged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
