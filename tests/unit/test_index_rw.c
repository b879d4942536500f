/*
 * test_index_rw.c - writing an index (index_writer.h) and reading it back
 * (index.h) on French sentences: terms and prefixes, postings over many
 * blocks with skips and block-max data, positions for phrases, `=exact`,
 * lengths and sentences, stored text with token offsets, numeric ranges,
 * replacement and deletion by id, segments flushed by a tiny --memory,
 * merges (policy, forced, shards), the second writer's lock; fields given
 * whole with a stored record made by the caller (crible-index --analyze's
 * calls) write the same bytes as token by token.
 *
 * Documents are tokenized here by a toy analyser (split on spaces, lower
 * case, a final "s" stripped as the "stem"), enough to know every answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index.h"
#include "index_test.h"
#include "index_buffer.h"
#include "index_metadata.h"
#include "index_writer.h"

static char dir[256], dir2[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crible-test-index-%d", (int)getpid());
    snprintf(dir2, sizeof dir2, "/tmp/crible-test-index-%d-b", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", dir, dir2);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int teardown(void **state) { return setup(state); }

/* Adds a document: text split on spaces; '.' ends a sentence. */
static void add_field(crible_index_writer *w, const char *field, const char *text)
{
    crible_error err = {0};
    assert_int_equal(crible_index_doc_field(w, field, &err), CRIBLE_OK);
    crible_index_doc_sentence(w);
    size_t i = 0, n = strlen(text);
    while (i < n) {
        while (i < n && text[i] == ' ') i++;
        if (i >= n) break;
        size_t a = i;
        while (i < n && text[i] != ' ' && text[i] != '.') i++;
        if (i == a) i++;   /* the '.' alone */
        char norm[128], stem[128];
        size_t l = i - a < 127 ? i - a : 127;
        for (size_t k = 0; k < l; k++) norm[k] = (char)tolower((unsigned char)text[a + k]);
        norm[l] = 0;
        strcpy(stem, norm);
        if (l > 3 && stem[l - 1] == 's') stem[l - 1] = 0;
        bool punct = norm[0] == '.';
        crible_index_token t = {punct ? NULL : stem, punct ? NULL : norm, (uint32_t)a, (uint32_t)i};
        assert_int_equal(crible_index_doc_token(w, &t, &err), CRIBLE_OK);
        if (punct) crible_index_doc_sentence(w);
    }
}

static void add(crible_index_writer *w, const char *id, const char *text, const char *meta)
{
    char json[4096];
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"text\":\"%s\"%s%s}", id, text, meta ? "," : "", meta ? meta : "");
    crible_error err = {0};
    assert_int_equal(crible_index_doc_begin(w, id, json, strlen(json), &err), CRIBLE_OK);
    add_field(w, "text", text);
    assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
}

static crible_index_writer *writer(const char *d, unsigned long long memory)
{
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    if (memory) o.memory = memory;
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(d, &o, &w, &err), CRIBLE_OK);
    return w;
}

static void commit(crible_index_writer *w)
{
    crible_error err = {0};
    crible_status st = crible_index_writer_commit(w, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
}

static uint32_t count(crible_index *ix, const char *field, const char *term)
{
    crible_postings *p;
    crible_error err = {0};
    assert_int_equal(crible_postings_open(ix, crible_index_field(ix, field), term, strlen(term), &p, &err),
                     CRIBLE_OK);
    uint32_t n = 0;
    while (crible_postings_next(p) != CRIBLE_DOC_NONE) n++;
    crible_postings_close(p);
    return n;
}

static void test_basic(void **state)
{
    (void)state;
    crible_index_writer *w = writer(dir, 0);
    add(w, "rev-1", "Pas bon du tout. Les victimes parlent enfin", "\"rating\":2,\"date\":\"2020-05-03\",\"source\":\"AlloCine.fr\"");
    add(w, "rev-2", "La victime est bonne", "\"rating\":5,\"date\":\"2021\"");
    add(w, "rev-3", "bon film mais pas bon scenario", "\"rating\":4");
    commit(w);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);

    crible_index *ix = ix_test_open(dir);
    crible_index_info info;
    crible_index_get_info(ix, &info);
    assert_int_equal(info.maxdoc, 3);
    assert_int_equal(info.live_docs, 3);
    int text = crible_index_field(ix, "text");
    assert_true(text >= 0);
    crible_term_stats ts;
    assert_true(crible_index_term(ix, text, "victime", 7, &ts));
    assert_int_equal(ts.df, 2);
    assert_true(crible_index_term(ix, text, "bon", 3, &ts));
    assert_int_equal(ts.df, 2);
    assert_int_equal(ts.max_tf, 2);
    assert_false(crible_index_term(ix, text, "netflix", 7, NULL));

    /* positions: "pas bon" is a phrase in rev-1 (0,1) and rev-3 (3,4) */
    crible_postings *p;
    crible_error err = {0};
    assert_int_equal(crible_postings_open(ix, text, "bon", 3, &p, &err), CRIBLE_OK);
    assert_int_equal(crible_postings_next(p), 0);
    uint32_t pos[8];
    assert_int_equal(crible_postings_positions(p, pos, 8), 1);
    assert_int_equal(pos[0], 1);
    assert_int_equal(crible_postings_next(p), 2);
    assert_int_equal(crible_postings_tf(p), 2);
    assert_int_equal(crible_postings_positions(p, pos, 8), 2);
    assert_int_equal(pos[0], 0);
    assert_int_equal(pos[1], 4);
    assert_int_equal(crible_postings_next(p), CRIBLE_DOC_NONE);
    crible_postings_close(p);

    /* =exact: "victimes" only in rev-1, "victime" only in rev-2, "bon" (pure) everywhere */
    int exact_checks[][2] = {{0}};
    (void)exact_checks;
    assert_int_equal(crible_postings_open_exact(ix, text, "victimes", 8, &p, &err), CRIBLE_OK);
    assert_int_equal(crible_postings_next(p), 0);
    assert_int_equal(crible_postings_next(p), CRIBLE_DOC_NONE);
    crible_postings_close(p);
    assert_int_equal(crible_postings_open_exact(ix, text, "victime", 7, &p, &err), CRIBLE_OK);
    assert_int_equal(crible_postings_next(p), 1);
    assert_int_equal(crible_postings_next(p), CRIBLE_DOC_NONE);
    crible_postings_close(p);
    assert_int_equal(crible_postings_open_exact(ix, text, "bon", 3, &p, &err), CRIBLE_OK);
    assert_int_equal(crible_postings_next(p), 0);
    assert_int_equal(crible_postings_next(p), 2);
    crible_postings_close(p);

    /* prefix enumeration */
    crible_terms *it;
    assert_int_equal(crible_terms_open(ix, text, &it, &err), CRIBLE_OK);
    crible_terms_seek(it, "p", 1);
    const char *t;
    size_t len;
    assert_true(crible_terms_next(it, &t, &len, &ts));
    assert_int_equal(len, 7);
    assert_memory_equal(t, "parlent", 7);
    assert_true(crible_terms_next(it, &t, &len, &ts));
    assert_memory_equal(t, "pas", 3);
    assert_int_equal(ts.df, 2);
    assert_true(crible_terms_next(it, &t, &len, &ts));
    assert_memory_equal(t, "scenario", 8);
    crible_terms_close(it);

    /* lengths and sentences: rev-1 has 9 tokens, the '.' included, 2 sentences */
    assert_int_equal(crible_index_doc_length(ix, text, 0), 9);
    assert_true(crible_index_avg_length(ix, text) > 5);
    uint32_t starts[4];
    assert_int_equal(crible_index_sentences(ix, text, 0, starts, 4), 2);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[1], 5);

    /* stored text and offsets */
    crible_stored_doc d;
    crible_stored_doc_init(&d);
    assert_int_equal(crible_index_doc(ix, 0, &d, &err), CRIBLE_OK);
    assert_string_equal(d.id, "rev-1");
    const crible_stored_field *sf = crible_stored_doc_field(&d, "text");
    assert_non_null(sf);
    assert_int_equal(sf->ntokens, 9);
    assert_int_equal(sf->end[6] - sf->start[6], 8);
    assert_memory_equal(sf->text + sf->start[6], "victimes", 8);
    assert_non_null(strstr(d.json, "\"rating\":2"));
    crible_stored_doc_free(&d);

    /* numeric ranges and keywords */
    int rating = crible_index_field(ix, "rating"), date = crible_index_field(ix, "date");
    uint64_t bits[1] = {0};
    assert_int_equal(crible_index_range(ix, rating, 4, 5, bits), 2);
    assert_int_equal(bits[0], 6);
    bits[0] = 0;
    assert_int_equal(crible_index_range(ix, date, 20200000, 20201231, bits), 1);
    assert_int_equal(bits[0], 1);
    double v;
    assert_true(crible_index_numeric(ix, rating, 2, &v));
    assert_true(v == 4);
    assert_int_equal(count(ix, "source", "allocine.fr"), 1);   /* case-folded */
    assert_int_equal(crible_index_find_id(ix, "rev-3"), 2);
    assert_string_equal(crible_index_analysis(ix), "{}");
    crible_index_close(ix);
}

static void test_blocks(void **state)
{
    (void)state;
    /* 1000 documents: "commun" everywhere (8 blocks), "rare" every 97th */
    crible_index_writer *w = writer(dir, 0);
    char id[32], text[256];
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "d%04d", i);
        snprintf(text, sizeof text, "commun %s mot%d%s", i % 97 == 0 ? "rare" : "x", i,
                 i % 10 == 0 ? " commun commun" : "");
        add(w, id, text, NULL);
    }
    commit(w);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    crible_index *ix = ix_test_open(dir);
    int text_f = crible_index_field(ix, "text");
    crible_postings *p;
    crible_error err = {0};
    assert_int_equal(crible_postings_open(ix, text_f, "commun", 6, &p, &err), CRIBLE_OK);
    assert_int_equal(crible_postings_advance(p, 500), 500);
    assert_int_equal(crible_postings_tf(p), 3);
    uint32_t pos[4];
    assert_int_equal(crible_postings_positions(p, pos, 4), 3);
    assert_int_equal(pos[2], 4);
    assert_int_equal(crible_postings_advance(p, 501), 501);
    assert_int_equal(crible_postings_tf(p), 1);
    assert_int_equal(crible_postings_advance(p, 999), 999);
    assert_int_equal(crible_postings_next(p), CRIBLE_DOC_NONE);
    crible_postings_close(p);
    /* block-max: the block of doc 300 ends at 383 with max tf 3 */
    assert_int_equal(crible_postings_open(ix, text_f, "commun", 6, &p, &err), CRIBLE_OK);
    assert_int_equal(crible_postings_shallow_advance(p, 300), 383);
    assert_int_equal(crible_postings_block_last(p), 383);
    assert_int_equal(crible_postings_block_max_tf(p), 3);
    assert_int_equal(crible_postings_block_min_length(p), 3);
    assert_int_equal(crible_postings_shallow_advance(p, 999), 999);
    crible_postings_close(p);
    assert_int_equal(count(ix, "text", "rare"), 11);
    assert_int_equal(count(ix, "text", "commun"), 1000);
    crible_index_close(ix);
}

static void test_replace_delete(void **state)
{
    (void)state;
    crible_index_writer *w = writer(dir, 0);
    add(w, "a", "premier texte", NULL);
    add(w, "b", "second texte", NULL);
    add(w, "a", "premier texte corrige", NULL);   /* replaces in the buffer */
    commit(w);
    crible_index_writer_close(w);
    crible_index *ix = ix_test_open(dir);
    crible_index_info info;
    crible_index_get_info(ix, &info);
    assert_int_equal(info.live_docs, 2);
    assert_int_equal(count(ix, "text", "corrige"), 1);
    assert_int_equal(count(ix, "text", "premier"), 1);
    crible_index_close(ix);

    /* a new session: replace b (committed), delete a, add c */
    w = writer(dir, 0);
    add(w, "b", "second texte revu", NULL);
    crible_error err = {0};
    assert_int_equal(crible_index_writer_delete(w, "a", &err), CRIBLE_OK);
    add(w, "c", "troisieme", NULL);
    /* readers see the old snapshot until the commit */
    ix = ix_test_open(dir);
    assert_int_equal(count(ix, "text", "revu"), 0);
    commit(w);
    assert_int_equal(count(ix, "text", "premier"), 1);   /* still the old snapshot */
    crible_index_close(ix);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    ix = ix_test_open(dir);
    crible_index_get_info(ix, &info);
    assert_int_equal(info.live_docs, 2);
    assert_int_equal(count(ix, "text", "premier"), 0);
    assert_int_equal(count(ix, "text", "second"), 1);
    assert_int_equal(count(ix, "text", "revu"), 1);
    assert_int_equal(crible_index_find_id(ix, "a"), CRIBLE_DOC_NONE);
    assert_true(crible_index_find_id(ix, "c") != CRIBLE_DOC_NONE);
    crible_index_close(ix);

    /* force merge drops the tombstones */
    w = writer(dir, 0);
    assert_int_equal(crible_index_writer_force_merge(w, &err), CRIBLE_OK);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    ix = ix_test_open(dir);
    crible_index_get_info(ix, &info);
    assert_int_equal(info.segments, 1);
    assert_int_equal(info.maxdoc, 2);
    assert_int_equal(count(ix, "text", "texte"), 1);
    assert_int_equal(count(ix, "text", "revu"), 1);
    crible_index_close(ix);
}

static void test_memory_and_merge(void **state)
{
    (void)state;
    /* a 64 KiB buffer: many segments, merged by the policy */
    crible_index_writer *w = writer(dir, 64 * 1024);
    char id[32], text[256];
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof id, "d%d", i % 2500);   /* the last 500 replace */
        snprintf(text, sizeof text, "harcelement reseaux sociaux numero%d %s", i, i >= 2500 ? "nouveau" : "ancien");
        add(w, id, text, "\"rating\":3");
    }
    crible_index_writer_stats ws;
    crible_index_writer_get_stats(w, &ws);
    assert_true(ws.segments_flushed > 3);
    if (ws.peak_buffer >= 64 * 1024 + 16 * 1024) fprintf(stderr, "peak %llu\n", (unsigned long long)ws.peak_buffer);
    assert_true(ws.peak_buffer < 64 * 1024 + 16 * 1024);
    commit(w);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    crible_index *ix = ix_test_open(dir);
    crible_index_info info;
    crible_index_get_info(ix, &info);
    assert_int_equal(info.live_docs, 2500);
    assert_true(info.segments < 8 + 8);
    assert_int_equal(count(ix, "text", "harcelement"), 2500);
    assert_int_equal(count(ix, "text", "nouveau"), 500);
    assert_int_equal(count(ix, "text", "ancien"), 2000);
    int rating = crible_index_field(ix, "rating");
    uint64_t *bits = calloc(info.maxdoc / 64 + 1, 8);
    assert_int_equal(crible_index_range(ix, rating, 3, 3, bits), 2500);
    free(bits);
    crible_index_close(ix);

    /* a shard built apart, merged in: its documents replace ours by id */
    w = writer(dir2, 0);
    add(w, "d7", "venu du shard", NULL);
    add(w, "z1", "seulement dans le shard", NULL);
    commit(w);
    crible_index_writer_close(w);
    w = writer(dir, 0);
    crible_error err = {0};
    assert_int_equal(crible_index_writer_add_index(w, dir2, &err), CRIBLE_OK);
    assert_int_equal(crible_index_writer_force_merge(w, &err), CRIBLE_OK);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    ix = ix_test_open(dir);
    crible_index_get_info(ix, &info);
    assert_int_equal(info.live_docs, 2501);
    assert_int_equal(info.segments, 1);
    assert_int_equal(count(ix, "text", "shard"), 2);
    assert_int_equal(count(ix, "text", "harcelement"), 2499);
    crible_index_close(ix);
}

static uint32_t exact_docs(crible_index *ix, const char *norm, uint32_t *first)
{
    crible_postings *p;
    crible_error err = {0};
    assert_int_equal(crible_postings_open_exact(ix, crible_index_field(ix, "text"), norm, strlen(norm), &p, &err),
                     CRIBLE_OK);
    uint32_t n = 0, d;
    while ((d = crible_postings_next(p)) != CRIBLE_DOC_NONE) {
        if (n == 0 && first) *first = d;
        n++;
        uint32_t pos[16];
        assert_int_equal(crible_postings_positions(p, pos, 16), crible_postings_tf(p));
    }
    crible_postings_close(p);
    return n;
}

static void test_exact_across_merges(void **state)
{
    (void)state;
    /* segment 1: "bon" only (a pure stem); segment 2: "bons" and "bon" */
    crible_index_writer *w = writer(dir, 0);
    add(w, "a", "bon bon film", NULL);
    commit(w);
    crible_index_writer_close(w);
    w = writer(dir, 0);
    add(w, "b", "des films bons", NULL);
    add(w, "c", "bon et bons", NULL);
    commit(w);
    crible_index_writer_close(w);
    for (int round = 0; round < 2; round++) {
        ix_test_check_clean(dir);
        crible_index *ix = ix_test_open(dir);
        uint32_t first = 0;
        assert_int_equal(exact_docs(ix, "bon", &first), 2);   /* a, c */
        assert_int_equal(first, 0);
        assert_int_equal(exact_docs(ix, "bons", &first), 2);  /* b, c */
        assert_int_equal(first, 1);
        assert_int_equal(exact_docs(ix, "films", NULL), 1);
        assert_int_equal(exact_docs(ix, "film", NULL), 1);
        assert_int_equal(count(ix, "text", "bon"), 3);
        /* tf of =bon in c is 1, of the stem 2 */
        crible_postings *p;
        crible_error err = {0};
        assert_int_equal(crible_postings_open_exact(ix, crible_index_field(ix, "text"), "bon", 3, &p, &err), CRIBLE_OK);
        assert_int_equal(crible_postings_advance(p, 2), 2);
        assert_int_equal(crible_postings_tf(p), 1);
        uint32_t pos[4];
        assert_int_equal(crible_postings_positions(p, pos, 4), 1);
        assert_int_equal(pos[0], 0);
        crible_postings_close(p);
        crible_index_close(ix);
        w = writer(dir, 0);
        assert_int_equal(crible_index_writer_force_merge(w, &err), CRIBLE_OK);
        crible_index_writer_close(w);
    }
}

/* The same documents through crible_index_doc_field_tokens and
 * crible_index_doc_stored (whole fields, the record made here) as through
 * doc_field / doc_sentence / doc_token: the same segment, byte for byte. */
static void test_whole_fields(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Les victimes du harcèlement. Les réseaux sociaux aussi.",
        "Un documentaire sur les victimes. Pas bon du tout.",
        "Harcèlement en ligne et réseaux sociaux."};
    crible_index_writer *a = writer(dir, 0), *b = writer(dir2, 0);
    crible_error err = {0};
    for (int d = 0; d < 3; d++) {
        char id[16], json[512];
        snprintf(id, sizeof id, "w%d", d);
        add(a, id, texts[d], NULL);
        /* the toy analysis of add_field, as arrays */
        crible_index_token toks[64];
        uint32_t sent[16], nt = 0, ns = 1;
        char terms[64][2][64];
        sent[0] = 0;
        const char *t = texts[d];
        size_t i = 0, n = strlen(t);
        while (i < n) {
            while (i < n && t[i] == ' ') i++;
            if (i >= n) break;
            size_t s0 = i;
            while (i < n && t[i] != ' ' && t[i] != '.') i++;
            if (i == s0) i++;
            size_t l = i - s0;
            for (size_t k = 0; k < l; k++) terms[nt][0][k] = (char)tolower((unsigned char)t[s0 + k]);
            terms[nt][0][l] = 0;
            strcpy(terms[nt][1], terms[nt][0]);
            if (l > 3 && terms[nt][1][l - 1] == 's') terms[nt][1][l - 1] = 0;
            bool punct = terms[nt][0][0] == '.';
            toks[nt] = (crible_index_token){punct ? NULL : terms[nt][1], punct ? NULL : terms[nt][0],
                                            (uint32_t)s0, (uint32_t)i};
            nt++;
            if (punct) sent[ns++] = nt;   /* as add_field's doc_sentence after '.' */
        }
        /* add() stores {"id","text"} only: the same JSON here */
        snprintf(json, sizeof json, "{\"id\":\"%s\",\"text\":\"%s\"}", id, texts[d]);
        assert_int_equal(crible_index_doc_begin(b, id, json, strlen(json), &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_field_tokens(b, "text", toks, nt, sent, ns, &err), CRIBLE_OK);
        /* nothing can be added to a field given whole */
        assert_int_equal(crible_index_doc_token(b, &toks[0], &err), CRIBLE_EINTERNAL);
        crible_index_doc_abort(b);
        assert_int_equal(crible_index_doc_begin(b, id, json, strlen(json), &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_field_tokens(b, "text", toks, nt, sent, ns, &err), CRIBLE_OK);
        ix_docfield f = {"text", texts[d], n, toks, nt, sent, ns, NULL, NULL};
        ix_buf rec = {0};
        assert_true(ix_stored_record(&rec, json, strlen(json), &f, 1));
        crible_index_doc_stored(b, rec.data, rec.len);
        assert_int_equal(crible_index_doc_end(b, &err), CRIBLE_OK);
        ix_buf_free(&rec);
    }
    commit(a);
    commit(b);
    crible_index_writer_close(a);
    crible_index_writer_close(b);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cmp -s %s/seg-000001.cri %s/seg-000001.cri && cmp -s %s/MANIFEST %s/MANIFEST", dir,
             dir2, dir, dir2);
    assert_int_equal(system(cmd), 0);
    ix_test_check_clean(dir2);
    crible_index *ix = ix_test_open(dir2);
    assert_int_equal(count(ix, "text", "victime"), 2);
    crible_index_close(ix);
}

/* Metadata values handed to the writer (crible_index_doc_metadata, as the
 * --analyze workers do) hold for their document only: the next document,
 * without them, gets its own from its JSON, not the last ones. */
static void test_handed_metadata(void **state)
{
    (void)state;
    crible_index_writer *w = writer(dir, 0);
    crible_error err = {0};
    crible_index_token tok = {"avis", "avis", 0, 4};
    uint32_t sent = 0;
    static const char *const docs[][2] = {{"m1", "{\"id\":\"m1\",\"text\":\"Avis\",\"source\":\"Allociné\",\"aspects\":{\"prix\":\"NE\"}}"},
                                          {"m2", "{\"id\":\"m2\",\"text\":\"Avis\",\"source\":\"Babelio\"}"},
                                          {"m3", "{\"id\":\"m3\",\"text\":\"Avis\",\"source\":\"Babelio\"}"}};
    ix_docmeta m = {0};
    ix_kvlist kv = {0};
    const char *names[] = {"text"};
    for (int d = 0; d < 3; d++) {
        const char *json = docs[d][1];
        assert_int_equal(crible_index_doc_begin(w, docs[d][0], json, strlen(json), &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_field_tokens(w, "text", &tok, 1, &sent, 1, &err), CRIBLE_OK);
        if (d != 1) {   /* m1 and m3 handed, m2 read by the writer */
            ix_kvlist_clear(&kv);
            assert_int_equal(ix_docmeta_read(&m, docs[d][0], json, strlen(json), &err), CRIBLE_OK);
            assert_int_equal(ix_docmeta_values(&m, names, 1, &kv, &err), CRIBLE_OK);
            ix_kvlist_pointers(&kv, 0);
            crible_index_doc_metadata(w, kv.kvs, kv.n);
        }
        assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
    }
    ix_docmeta_free(&m);
    ix_kvlist_free(&kv);
    commit(w);
    crible_index_writer_close(w);
    crible_index *ix = ix_test_open(dir);
    assert_int_equal(count(ix, "source", "allociné"), 1);
    assert_int_equal(count(ix, "source", "babelio"), 2);
    assert_int_equal(count(ix, "aspects.prix", "ne"), 1);
    crible_index_close(ix);
}

static void test_lock(void **state)
{
    (void)state;
    crible_index_writer *w = writer(dir, 0);
    crible_index_writer *w2;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(dir, NULL, &w2, &err), CRIBLE_EINDEX);
    assert_non_null(strstr(err.message, "locked by another writer"));
    crible_index_writer_close(w);
    assert_int_equal(crible_index_writer_open(dir, NULL, &w2, &err), CRIBLE_OK);
    crible_index_writer_close(w2);
    /* nothing committed: not an index yet */
    crible_index *ix;
    assert_int_equal(crible_index_open(dir, &ix, &err), CRIBLE_EINDEX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_and_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exact_across_merges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handed_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
