/*
 * test_entities_gazetteer.c - the matching key (entities_key.h) and the
 * gazetteer trie and file format (entities_gazetteer.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "entities_gazetteer.h"
#include "entities_key.h"

static void assert_key(const char *text, const char *want)
{
    char buf[256];
    size_t n = crible_entities_key(text, strlen(text), buf, sizeof buf);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_key(void **state)
{
    (void)state;
    assert_key("Royaume-Uni", "royaumeuni");
    assert_key("Disney +", "disney+");
    assert_key("d’Artagnan", "dartagnan");
    assert_key("ÉTATS-UNIS", "etatsunis");
    assert_key("Warner Bros.", "warnerbros");
    assert_key("Œuvre", "oeuvre");
    assert_key("Zoë", "zoe");
    assert_key("Straße", "strasse");
    assert_key("İstanbul", "istanbul");
    assert_key("Ça", "ca");
    assert_key("Москва", "москва");
    assert_key("", "");
    /* invalid UTF-8 is copied (it then matches nothing) */
    char buf[8];
    assert_int_equal(crible_entities_key("a\xff", 2, buf, sizeof buf), 2);
    /* a key is cut at the buffer, on a character boundary */
    assert_int_equal(crible_entities_key("ééé", 6, buf, 2), 2);
}

static void test_capitals(void **state)
{
    (void)state;
    assert_true(crible_entities_is_capitalized("Émile", 6));
    assert_false(crible_entities_is_capitalized("émile", 6));
    assert_false(crible_entities_is_capitalized("1er", 3));
    assert_true(crible_entities_is_all_caps("SNCF", 4));
    assert_true(crible_entities_is_all_caps("ÉTÉ", 5));
    assert_false(crible_entities_is_all_caps("A", 1));
    assert_false(crible_entities_is_all_caps("Paris", 5));
}

/* Walks the trie over the given token keys; returns the entry at the end. */
static const crible_gazetteer_entry *walk(const crible_gazetteer *g, const char *const *toks)
{
    uint32_t node = CRIBLE_GAZ_ROOT;
    for (int i = 0; toks[i]; i++) {
        char k[128];
        size_t n = crible_entities_key(toks[i], strlen(toks[i]), k, sizeof k);
        node = crible_gazetteer_step(g, node, k, n);
        if (!node) return NULL;
    }
    int32_t e = crible_gazetteer_first(g, node);
    return e >= 0 ? crible_gazetteer_entry_at(g, e) : NULL;
}

static void test_trie(void **state)
{
    (void)state;
    crible_error err = {0};
    crible_gazetteer *g = crible_gazetteer_new(&err);
    assert_non_null(g);
    assert_int_equal(crible_gazetteer_type(g, "PLATFORM"), CRIBLE_ENT_PLATFORM);
    const char *line = "PLATFORM\tDisney+\tDisney +|Disney plus";
    assert_int_equal(crible_gazetteer_add_line(g, line, strlen(line), "t:1", &err), CRIBLE_OK);
    line = "LOC\tRoyaume-Uni\t\tcap";
    assert_int_equal(crible_gazetteer_add_line(g, line, strlen(line), "t:2", &err), CRIBLE_OK);
    line = "firstname\tKevin";
    assert_int_equal(crible_gazetteer_add_line(g, line, strlen(line), "t:3", &err), CRIBLE_OK);
    /* "Disney+" and "Disney +" have one key: four spellings */
    assert_int_equal(crible_gazetteer_size(g), 4);

    const crible_gazetteer_entry *e = walk(g, (const char *const[]){"DISNEY", "PLUS", NULL});
    assert_non_null(e);
    assert_int_equal(e->type, CRIBLE_ENT_PLATFORM);
    assert_string_equal(crible_gazetteer_string(g, e->canonical), "Disney+");
    e = walk(g, (const char *const[]){"disney", "+", NULL});
    assert_non_null(e);
    e = walk(g, (const char *const[]){"Royaume", "-", "Uni", NULL});
    assert_non_null(e);
    assert_true(e->flags & 1);   /* cap */
    e = walk(g, (const char *const[]){"kevin", NULL});
    assert_non_null(e);
    assert_int_equal(e->type, -1);
    assert_int_equal(e->classes, CRIBLE_GAZ_FIRSTNAME);
    /* a prefix of an entry is no entry */
    assert_null(walk(g, (const char *const[]){"disney", NULL}));
    assert_null(walk(g, (const char *const[]){"netflix", NULL}));
    /* the first spelling loaded wins */
    line = "PLATFORM\tDisney Plus Inc\tdisney plus";
    assert_int_equal(crible_gazetteer_add_line(g, line, strlen(line), "t:4", &err), CRIBLE_OK);
    e = walk(g, (const char *const[]){"disney", "plus", NULL});
    assert_string_equal(crible_gazetteer_string(g, e->canonical), "Disney+");
    crible_gazetteer_free(g);
}

static void test_many(void **state)
{
    (void)state;
    crible_error err = {0};
    crible_gazetteer *g = crible_gazetteer_new(&err);
    char name[64];
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "Nom%d Famille%d", i, i * 7);
        assert_int_equal(crible_gazetteer_add(g, CRIBLE_ENT_PER, 0, 0, name, name, &err),
                         CRIBLE_OK);
    }
    const crible_gazetteer_entry *e =
        walk(g, (const char *const[]){"nom4242", "famille29694", NULL});
    assert_non_null(e);
    assert_string_equal(crible_gazetteer_string(g, e->canonical), "Nom4242 Famille29694");
    assert_null(walk(g, (const char *const[]){"nom4242", "famille29695", NULL}));
    crible_gazetteer_free(g);
}

static void expect_error(const char *line, const char *want)
{
    crible_error err = {0};
    crible_gazetteer *g = crible_gazetteer_new(&err);
    assert_int_equal(crible_gazetteer_add_line(g, line, strlen(line), "g.tsv:7", &err),
                     CRIBLE_ECONFIG);
    if (!strstr(err.message, want)) fail_msg("'%s' lacks '%s'", err.message, want);
    crible_gazetteer_free(g);
}

static void test_format_errors(void **state)
{
    (void)state;
    expect_error("PLACE\tParis", "g.tsv:7:1: unknown type 'PLACE'");
    expect_error("PER", "g.tsv:7:4: expected TYPE<TAB>CANONICAL");
    expect_error("PER\t", "g.tsv:7:5: expected TYPE<TAB>CANONICAL");
    expect_error("PER\tA\tB\tcap\textra", "g.tsv:7:");
    expect_error("PER\tAbby\t\tcap,wat", "g.tsv:7:15: unknown flag 'wat'");
    expect_error("PER\tAb\xff", "g.tsv:7:7: invalid UTF-8");
    expect_error("PER\t- . '", "g.tsv:7:5: '- . '' has nothing to match");
    crible_error err = {0};
    crible_gazetteer *g = crible_gazetteer_new(&err);
    assert_int_equal(crible_gazetteer_add_line(g, "# comment", 9, "x", &err), CRIBLE_OK);
    assert_int_equal(crible_gazetteer_add_line(g, "  ", 2, "x", &err), CRIBLE_OK);
    assert_int_equal(crible_gazetteer_add_line(g, "PER\tAbby\r", 9, "x", &err), CRIBLE_OK);
    assert_int_equal(crible_gazetteer_load_file(g, "/nonexistent/g.tsv", &err), CRIBLE_EIO);
    int id;
    assert_int_equal(crible_gazetteer_add_type(g, "DISH", &id, &err), CRIBLE_OK);
    assert_int_equal(id, CRIBLE_ENT_BUILTIN);
    assert_int_equal(crible_gazetteer_add_type(g, "dish", &id, &err), CRIBLE_ECONFIG);
    crible_gazetteer_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_capitals),
        cmocka_unit_test(test_trie),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_format_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
