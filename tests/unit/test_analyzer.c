/*
 * test_analyzer.c - the whole analysis chain (analyzer.h) on real French:
 * offsets, terms, stop flags, languages, the settings JSON round trip, and
 * that a query-like string is analysed like the same words in a document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

/* Collects "FORM/term/stop" (stop as '+') for every token, sentences
 * separated by " | ". */
typedef struct collect {
    const char *text;
    char out[4096];
    size_t used;
    size_t sentences;
} collect;

static crible_status on_sentence(void *ctx, const crible_analyzed_token *t, size_t n,
                                 size_t sentence, crible_error *err)
{
    (void)err;
    collect *c = ctx;
    assert_int_equal(sentence, c->sentences);
    c->sentences++;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(t[i].term), t[i].term_len);
        c->used += (size_t)snprintf(c->out + c->used, sizeof c->out - c->used, "%s%.*s/%s%s",
                                    c->used && i == 0 ? " | " : i ? " " : "",
                                    (int)(t[i].end - t[i].start), c->text + t[i].start,
                                    t[i].term, t[i].stop ? "+" : "");
    }
    return CRIBLE_OK;
}

static const char *run(crible_analyzer *a, const char *lang, const char *text, collect *c)
{
    crible_error err;
    memset(c, 0, sizeof *c);
    c->text = text;
    if (crible_analyzer_run(a, lang, text, strlen(text), on_sentence, c, &err) != CRIBLE_OK)
        fail_msg("%s", err.message);
    return c->out;
}

static void test_chain(void **state)
{
    (void)state;
    crible_error err;
    crible_analyzer *a;
    collect c;
    assert_int_equal(crible_analyzer_open(NULL, NULL, &a, &err), CRIBLE_OK);
    assert_string_equal(run(a, NULL, "L’enfer, déçue !", &c),
                        "L’/l'+ enfer/enfer ,/ déçue/décev !/");
    /* the words that carry a review's meaning are not stop words */
    assert_string_equal(run(a, NULL, "Pas bon du tout. Mais nul, très nul.", &c),
                        "Pas/pas bon/bon du/du+ tout/tout ./ | Mais/mais nul/nul ,/ très/tres "
                        "nul/nul ./");
    /* inflections the correction layer joins, accent-less spelling */
    assert_string_equal(run(a, NULL, "Les jeux étaient longs et les séries nulles, decue", &c),
                        "Les/le+ jeux/jeu étaient/étaient+ longs/long et/et+ les/le+ "
                        "séries/ser nulles/nul ,/ decue/décev");
    /* numbers, hashtags, mentions, URLs are their own terms */
    run(a, NULL, "Note : 3,5 sur 5 #JePeuxTeDireUnSecret @netflixfr https://netflix.com/fr", &c);
    assert_non_null(strstr(c.out, "3,5/3,5"));
    assert_non_null(strstr(c.out, "#JePeuxTeDireUnSecret/#jepeuxtedireunsecret"));
    assert_non_null(strstr(c.out, "@netflixfr/@netflixfr"));
    assert_non_null(strstr(c.out, "https://netflix.com/fr/https://netflix.com/fr"));
    /* a document in English */
    assert_string_equal(run(a, "en", "The dogs were running.", &c),
                        "The/the dogs/dog were/were running/run ./");
    /* an unknown language falls back to French, as crible-stem does */
    assert_string_equal(run(a, "tlh", "Les victimes", &c), "Les/le+ victimes/victim");
    crible_analyzer_free(a);
}

static void test_settings_round_trip(void **state)
{
    (void)state;
    crible_error err;
    crible_config *config;
    crible_analyzer *a, *b;
    collect c1, c2;
    assert_int_equal(crible_config_load_string("tokenize:\n  fold_accents: false\n"
                                               "stem:\n  protected: [Netflix]\n"
                                               "  overrides: {séries: série}\n"
                                               "  stopwords: [le, la]\n", "t.yaml", &config, &err),
                     CRIBLE_OK);
    assert_int_equal(crible_analyzer_open_config(config, true, &a, &err), CRIBLE_OK);
    char *settings = crible_analyzer_settings(a);
    assert_non_null(settings);
    assert_non_null(strstr(settings, "\"tokenize\":{"));
    assert_non_null(strstr(settings, "\"protected\":[\"Netflix\"]"));
    /* a query analyser made from the recorded settings agrees term for term */
    assert_int_equal(crible_analyzer_open_json(settings, false, &b, &err), CRIBLE_OK);
    const char *text = "Les séries de Netflix, la déception.";
    run(a, NULL, text, &c1);
    run(b, NULL, text, &c2);
    assert_string_equal(c1.out, "Les/le séries/série de/de Netflix/netflix ,/ la/la+ "
                                "déception/décev ./");
    assert_string_equal(c1.out, c2.out);
    crible_analyzer_free(a);
    crible_analyzer_free(b);
    crible_config_free(config);
    free(settings);

    /* no sentence splitting for queries: one sentence */
    assert_int_equal(crible_analyzer_open_json(NULL, false, &a, &err), CRIBLE_OK);
    run(a, NULL, "Déçu. Très déçu.", &c1);
    assert_int_equal(c1.sentences, 1);
    crible_analyzer_free(a);
    assert_int_equal(crible_analyzer_open_json("[1]", false, &a, &err), CRIBLE_EDATA);
    assert_int_equal(crible_analyzer_open_json("{\"stem\":{\"algorithm\":\"xx\"}}", false, &a, &err),
                     CRIBLE_EDATA);
    assert_non_null(strstr(err.message, "'algorithm'"));
}

static void test_bad_text(void **state)
{
    (void)state;
    crible_error err;
    crible_analyzer *a;
    collect c = {0};
    assert_int_equal(crible_analyzer_open(NULL, NULL, &a, &err), CRIBLE_OK);
    c.text = "d\xe9\xe7u";
    assert_int_equal(crible_analyzer_run(a, NULL, c.text, 4, on_sentence, &c, &err), CRIBLE_EDATA);
    assert_int_equal(crible_analyzer_run(a, NULL, "", 0, on_sentence, &c, &err), CRIBLE_OK);
    assert_int_equal(c.sentences, 0);
    crible_analyzer_free(a);
}

int main(void)
{
    if (!getenv("CRIBLE_DATA"))
        setenv("CRIBLE_DATA", CRIBLE_SOURCE_DIR "/config", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_settings_round_trip),
        cmocka_unit_test(test_bad_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
