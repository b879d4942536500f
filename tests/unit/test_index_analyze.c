/*
 * test_index_analyze.c - the in-process analysis path (index_analyze.h) on
 * French reviews: 1, 2 and 3 analysis threads write the same bytes, the
 * documents in input order across many batches and segments, with the
 * analysis settings the piped chain records; a bad line ends the reading
 * after the documents before it; the thread count is checked; with the
 * entity tagger, the same bytes at any thread count, the entities counted
 * by type, and the metadata names of entities_document.h.  (That the
 * index equals the piped chain's, byte for byte, is
 * tests/cli/index_analyze.bats: it needs the programs.)
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

#include "entities_document.h"
#include "index.h"
#include "index_analyze.h"
#include "stem_options.h"
#include "tokenize_options.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crible-test-analyze-%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s-*", dir, dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int teardown(void **state) { return setup(state); }

static const char *const reviews[] = {
    "Pas bon du tout. Les victimes du harcèlement méritaient mieux !",
    "L’enfer du cyberharcèlement, sur Netflix : un documentaire qu’il faut voir.",
    "Déçue… La série s’essouffle dès l’épisode 3, dit-elle.",
    "Très bon film ; les acteurs sont justes, la musique aussi.",
};

/* n documents as JSON Lines in a file (ids d0, d1...; a title every third). */
static char *documents(int n, const char *name)
{
    static char path[300];
    snprintf(path, sizeof path, "%s-%s.jsonl", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < n; i++) {
        if (i % 3 == 0)
            fprintf(f, "{\"id\":\"d%d\",\"title\":\"Avis %d sur la série\",\"rating\":%d,\"text\":\"%s\"}\n", i, i,
                    i % 5, reviews[i % 4]);
        else
            fprintf(f, "{\"id\":\"d%d\",\"rating\":%d,\"text\":\"%s\"}\n", i, i % 5, reviews[i % 4]);
    }
    fclose(f);
    return path;
}

/* Builds index `out` from `docs` with `threads` analysis threads, and the
 * entity tagger of the `entities:` section of `yaml` unless it is NULL;
 * returns the status, *ndocs the documents added, *per (if not NULL) the
 * entities of type "PER" it counted. */
static crible_status build_with(const char *docs, const char *out, int threads, const char *yaml,
                                unsigned long long *ndocs, unsigned long long *per, crible_error *err)
{
    crible_config *c = NULL;
    const crible_node *section = NULL;
    if (yaml) {
        assert_int_equal(crible_config_load_string(yaml, "<test>", &c, err), CRIBLE_OK);
        assert_int_equal(crible_config_section(c, "entities", &section, err), CRIBLE_OK);
    }
    crible_tokenize_options t;
    crible_stem_options s;
    assert_int_equal(crible_tokenize_options_load(NULL, NULL, &t, err), CRIBLE_OK);
    crible_stem_options_init(&s);
    crible_index_writer *w;
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    o.memory = 256 << 10;   /* several segments (8 flushes), */
    o.merge_factor = 100;   /* not merged into one at the commit */
    assert_int_equal(crible_index_writer_open(out, &o, &w, err), CRIBLE_OK);
    crible_index_analyze_options ao = {&t, &s, threads, yaml != NULL, c, section};
    crible_index_analyze *a;
    crible_status st = crible_index_analyze_open(&ao, &a, err);
    crible_index_stream_stats stats = {0, 0, 0};
    if (!st) {
        FILE *in = fopen(docs, "r");
        assert_non_null(in);
        st = crible_index_analyze_run(a, w, in, docs, &stats, err);
        fclose(in);
        const crible_index_entity_count *ec;
        size_t ne = crible_index_analyze_entities(a, &ec);
        for (size_t i = 0; per && i < ne; i++)
            if (!strcmp(ec[i].type, "PER")) *per = ec[i].count;
        crible_index_analyze_free(a);
    }
    crible_error cerr = {0};
    assert_int_equal(crible_index_writer_commit(w, &cerr), CRIBLE_OK);
    crible_index_writer_close(w);
    crible_stem_options_free(&s);
    crible_config_free(c);
    *ndocs = stats.docs;
    return st;
}

static crible_status build(const char *docs, const char *out, int threads, unsigned long long *ndocs,
                           crible_error *err)
{
    return build_with(docs, out, threads, NULL, ndocs, NULL, err);
}

static void same_files(const char *a, const char *b)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd %s && for f in MANIFEST seg-*; do cmp -s $f %s/$f || exit 1; done", a, b);
    assert_int_equal(system(cmd), 0);
}

static void test_threads_same_bytes(void **state)
{
    (void)state;
    const char *docs = documents(3000, "many");
    char out[3][300];
    crible_error err = {0};
    for (int j = 0; j < 3; j++) {
        snprintf(out[j], sizeof out[j], "%s-j%d", dir, j + 1);
        unsigned long long n;
        crible_status st = build(docs, out[j], j + 1, &n, &err);
        if (st) fprintf(stderr, "%s\n", err.message);
        assert_int_equal(st, CRIBLE_OK);
        assert_int_equal(n, 3000);
    }
    same_files(out[0], out[1]);
    same_files(out[0], out[2]);
    /* in input order: document d2999 is the last one */
    crible_index *ix;
    assert_int_equal(crible_index_open(out[2], &ix, &err), CRIBLE_OK);
    crible_index_info info;
    crible_index_get_info(ix, &info);
    assert_int_equal(info.live_docs, 3000);
    assert_true(info.segments > 1);
    assert_int_equal(crible_index_find_id(ix, "d2999"), info.maxdoc - 1);
    assert_int_equal(crible_index_find_id(ix, "d0"), 0);
    /* the analysis settings the streams would carry */
    assert_non_null(strstr(crible_index_analysis(ix), "\"tokenize\":{"));
    assert_non_null(strstr(crible_index_analysis(ix), "CRIBLE:STEM CRIBLE:STOP"));
    crible_index_close(ix);
}

static void test_bad_line(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s-bad.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"id\":\"a\",\"text\":\"%s\"}\n{\"id\":\"b\",\"text\":\"%s\"}\n{\"id\":\"c\",\"text\":3}\n"
               "{\"id\":\"d\",\"text\":\"jamais lu\"}\n", reviews[0], reviews[1]);
    fclose(f);
    char out[300];
    snprintf(out, sizeof out, "%s-b", dir);
    crible_error err = {0};
    unsigned long long n;
    assert_int_equal(build(path, out, 2, &n, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, ":3"));
    assert_int_equal(n, 2);
}

static void test_options(void **state)
{
    (void)state;
    crible_tokenize_options t;
    crible_stem_options s;
    crible_error err = {0};
    assert_int_equal(crible_tokenize_options_load(NULL, NULL, &t, &err), CRIBLE_OK);
    crible_stem_options_init(&s);
    crible_index_analyze_options o = {.tokenize = &t, .stem = &s, .threads = 0};
    crible_index_analyze *a = NULL;
    assert_int_equal(crible_index_analyze_open(&o, &a, &err), CRIBLE_EUSAGE);
    assert_null(a);
    o.threads = CRIBLE_INDEX_ANALYZE_MAX_THREADS + 1;
    assert_int_equal(crible_index_analyze_open(&o, &a, &err), CRIBLE_EUSAGE);
    crible_stem_options_free(&s);
}

/* n reviews naming people, places and the reviewed work (its metadata
 * item_title: a WORK for the tagger, entities_options.h). */
static char *entity_documents(int n)
{
    static const char *const texts[] = {
        "Marie Curie aurait aimé ce film tourné à Lyon.",
        "Le Festin est une réussite, dit Kevin Anderson.",
        "Rien à signaler sur Netflix.",
    };
    static char path[300];
    snprintf(path, sizeof path, "%s-ent.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < n; i++)
        fprintf(f, "{\"id\":\"e%d\",\"item_title\":\"%s\",\"text\":\"%s\"}\n", i,
                i % 2 ? "Le Festin" : "Autre chose", texts[i % 3]);
    fclose(f);
    return path;
}

static void test_entities(void **state)
{
    (void)state;
    const char *docs = entity_documents(600);
    static const char yaml[] = "entities:\n  names:\n    - {type: PER, value: Marie Curie}\n";
    char out[2][300];
    crible_error err = {0};
    unsigned long long per[2] = {0, 0};
    for (int j = 0; j < 2; j++) {
        snprintf(out[j], sizeof out[j], "%s-e%d", dir, j);
        unsigned long long n;
        crible_status st = build_with(docs, out[j], 1 + 2 * j, yaml, &n, &per[j], &err);
        if (st) fprintf(stderr, "%s\n", err.message);
        assert_int_equal(st, CRIBLE_OK);
        assert_int_equal(n, 600);
    }
    same_files(out[0], out[1]);
    assert_int_equal(per[0], per[1]);
    assert_true(per[0] >= 400);   /* Marie Curie, Kevin Anderson: 2 reviews in 3 */
    crible_index *ix;
    assert_int_equal(crible_index_open(out[1], &ix, &err), CRIBLE_OK);
    assert_non_null(strstr(crible_index_analysis(ix), "CRIBLE:STOP CRIBLE:NER CRIBLE:ENTITY\""));
    crible_index_close(ix);
    /* without the tagger: other bytes (no entity fields) */
    char plain[300];
    snprintf(plain, sizeof plain, "%s-plain", dir);
    unsigned long long n;
    assert_int_equal(build(docs, plain, 2, &n, &err), CRIBLE_OK);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cmp -s %s/MANIFEST %s/MANIFEST", plain, out[0]);
    assert_int_not_equal(system(cmd), 0);
}

static void test_document_names(void **state)
{
    (void)state;
    /* the member, not the same words inside a string */
    const char *json = "{\"id\":\"r1\",\"text\":\"il dit \\\"item_title\\\": non\",\"item_title\":\"Le Festin\"}";
    char *v = crible_entities_member_string(json, "item_title");
    assert_non_null(v);
    assert_string_equal(v, "Le Festin");
    free(v);
    assert_null(crible_entities_member_string(json, "item_creator"));
    assert_null(crible_entities_member_string("{\"rating\":4}", "rating"));   /* not a string */
    v = crible_entities_member_string("{\"item_title\":\"L\\u2019Été\"}", "item_title");
    assert_string_equal(v, "L\u2019Été");
    free(v);
    /* a top-level member: not a nested one of the same name, spaces around
     * the colon, the last of a key given twice (as jansson) */
    v = crible_entities_member_string("{\"aspects\":{\"title\":\"prix\"}, \"title\" : \"Le Festin\"}", "title");
    assert_non_null(v);
    assert_string_equal(v, "Le Festin");
    free(v);
    v = crible_entities_member_string("{\"id\":\"a\",\"item_title\":\"A\",\"item_title\":\"B\"}", "item_title");
    assert_string_equal(v, "B");
    free(v);
    /* a line the fast path leaves to jansson (a surrogate pair) */
    v = crible_entities_member_string("{\"item_title\":\"Coco \\ud83d\\ude00\",\"text\":\"x\"}", "item_title");
    assert_non_null(v);
    assert_string_equal(v, "Coco \U0001F600");
    free(v);
    assert_null(crible_entities_member_string("[\"item_title\"]", "item_title"));
    assert_null(crible_entities_member_string("{\"item_title\":", "item_title"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_threads_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_document_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
