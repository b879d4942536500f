/* Unit tests of the query language parser (query_parse.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "query_parse.h"

static void check_tree(const char *query, bool default_or, const char *want)
{
    crible_query_parse_options o = {default_or, 10};
    crible_qnode *q = NULL;
    crible_error err;
    crible_query_syntax syn;
    crible_status st = crible_query_parse(query, &o, &q, &syn, &err);
    if (st != CRIBLE_OK)
        fail_msg("%s: %s", query, err.message);
    char buf[1024];
    crible_qnode_print(q, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%s\n  got  %s\n  want %s", query, buf, want);
    crible_qnode_free(q);
}

static size_t check_error(const char *query, const char *msg_part)
{
    crible_qnode *q = NULL;
    crible_error err;
    crible_query_syntax syn;
    crible_status st = crible_query_parse(query, NULL, &q, &syn, &err);
    if (st != CRIBLE_EDATA)
        fail_msg("%s: expected a syntax error, got status %d", query, st);
    assert_null(q);
    if (!strstr(syn.message, msg_part))
        fail_msg("%s: message '%s' lacks '%s'", query, syn.message, msg_part);
    assert_true(syn.hint[0] != '\0');
    return syn.pos;
}

static void test_words(void **state)
{
    (void)state;
    check_tree("harcèlement", false, "(WORD \"harcèlement\")");
    check_tree("harcèlement réseaux sociaux", false,
               "(AND (WORD \"harcèlement\") (WORD \"réseaux\") (WORD \"sociaux\"))");
    check_tree("harcèlement réseaux", true, "(OR (WORD \"harcèlement\") (WORD \"réseaux\"))");
    /* Punctuation in words is not syntax (FTS5 fails on these). */
    check_tree("l'avion arc-en-ciel", false, "(AND (WORD \"l'avion\") (WORD \"arc-en-ciel\"))");
    check_tree("l’enfer chef-d'œuvre 4/5 disney+", false,
               "(AND (WORD \"l’enfer\") (WORD \"chef-d'œuvre\") (WORD \"4/5\") (WORD \"disney+\"))");
    /* Lower-case operators are French words. */
    check_tree("or et not", false, "(AND (WORD \"or\") (WORD \"et\") (WORD \"not\"))");
    check_tree("http://netflix.com", false, "(WORD \"http://netflix.com\")");
}

static void test_operators(void **state)
{
    (void)state;
    check_tree("netflix OR disney", false, "(OR (WORD \"netflix\") (WORD \"disney\"))");
    check_tree("a b OR c", false, "(OR (AND (WORD \"a\") (WORD \"b\")) (WORD \"c\"))");
    check_tree("a AND b OR c", true, "(OR (AND (WORD \"a\") (WORD \"b\")) (WORD \"c\"))");
    check_tree("film NOT navet", false, "(AND (WORD \"film\") (NOT (WORD \"navet\")))");
    check_tree("film -navet", false, "(AND (WORD \"film\") (NOT (WORD \"navet\")))");
    check_tree("(drôle OR hilarant) film", false,
               "(AND (OR (WORD \"drôle\") (WORD \"hilarant\")) (WORD \"film\"))");
    check_tree("enfer NEAR/3 vie", false, "(NEAR/3 (WORD \"enfer\") (WORD \"vie\"))");
    check_tree("enfer NEAR vie NEAR mort", false,
               "(NEAR/10 (WORD \"enfer\") (WORD \"vie\") (WORD \"mort\"))");
    check_tree("enfer NEAR/s vie", false, "(NEAR/s (WORD \"enfer\") (WORD \"vie\"))");
    check_tree("a - b", false, "(AND (WORD \"a\") (WORD \"-\") (WORD \"b\"))");
}

static void test_phrases_and_modifiers(void **state)
{
    (void)state;
    check_tree("\"pas bon\"", false, "(PHRASE \"pas bon\")");
    check_tree("« pas bon » film", false, "(AND (PHRASE \" pas bon \") (WORD \"film\"))");
    check_tree("réalis* acteru~ acteru~2 =victimes", false,
               "(AND (WORD \"réalis\"*) (WORD \"acteru\"~1) (WORD \"acteru\"~2) (WORD = \"victimes\"))");
}

static void test_fields(void **state)
{
    (void)state;
    check_tree("title:enfer", false, "(WORD title \"enfer\")");
    check_tree("person:\"Kevin Anderson\" platform:netflix", false,
               "(AND (PHRASE person \"Kevin Anderson\") (WORD platform \"netflix\"))");
    check_tree("title:(enfer OR paradis)", false,
               "(OR (WORD title \"enfer\") (WORD title \"paradis\"))");
    check_tree("rating>=4", false, "(RANGE rating [4..))");
    check_tree("rating<3", false, "(RANGE rating (..3))");
    check_tree("date:2020..2021", false, "(RANGE date [2020..2021])");
    check_tree("date:..2019", false, "(RANGE date [..2019])");
    check_tree("source:allocine.fr", false, "(WORD source \"allocine.fr\")");
    check_tree("Title:Enfer", false, "(WORD title \"Enfer\")");
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(check_error("(enfer OR vie", "unbalanced parenthesis"), 0);
    assert_int_equal(check_error("enfer)", "unbalanced parenthesis"), 5);
    assert_int_equal(check_error("\"pas bon", "unbalanced quote"), 0);
    assert_int_equal(check_error("enfer OR", "OR without"), 6);
    assert_int_equal(check_error("OR enfer", "OR without"), 0);
    check_error("", "empty query");
    check_error("   ", "empty query");
    check_error("()", "empty parentheses");
    check_error("\"\"", "empty phrase");
    check_error("title:", "without a value");
    check_error("rating>=", "without a value");
    check_error("acteur~3", "1 or 2");
    check_error("enfer NEAR/x vie", "NEAR distance");
    check_error("NOT", "NOT without");
    check_error("*", "prefix");
    /* The caret counts code points, not bytes. */
    crible_qnode *q;
    crible_error err;
    crible_query_syntax syn;
    assert_int_equal(crible_query_parse("éé (", NULL, &q, &syn, &err), CRIBLE_EDATA);
    char buf[512];
    crible_query_syntax_format("éé (", &syn, buf, sizeof buf);
    assert_non_null(strstr(buf, "  éé (\n     ^\n  hint: "));
    assert_non_null(strstr(err.message, "column 4"));
}

static void test_deep_nesting(void **state)
{
    (void)state;
    char q[4096];
    memset(q, '(', 3000);
    q[3000] = '\0';
    check_error(q, "nested too deeply");
    for (int i = 0; i < 3000; i += 2)
        q[i] = '-', q[i + 1] = 'a';
    crible_qnode *n;
    crible_error err;
    crible_query_parse(q, NULL, &n, NULL, &err);
    crible_qnode_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_phrases_and_modifiers),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
