/*
 * test_config.c - the YAML configuration: loading, typed values, errors
 * with file:line:column, schema validation with "did you mean".
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

#include "config.h"
#include "options.h"

static crible_config *load(const char *yaml)
{
    crible_config *c = NULL;
    crible_error err = {0};
    assert_int_equal(crible_config_load_string(yaml, "t.yaml", &c, &err), CRIBLE_OK);
    return c;
}

static void test_values(void **state)
{
    (void)state;
    crible_config *c = load("stem:\n  algorithm: french\n  cache: 4096\n  fold: yes\n"
                            "  memory: 256M\n  k1: 1.2\n  protected: [Netflix, Disney+]\n"
                            "  one: seul\n");
    crible_error err = {0};
    const crible_node *stem;
    assert_int_equal(crible_config_section(c, "stem", &stem, &err), CRIBLE_OK);
    assert_non_null(stem);
    const char *algo = "english";
    assert_int_equal(crible_node_string(stem, "algorithm", &algo, &err), CRIBLE_OK);
    assert_string_equal(algo, "french");
    long long cache = 0;
    assert_int_equal(crible_node_int(stem, "cache", 0, 1 << 20, &cache, &err), CRIBLE_OK);
    assert_int_equal(cache, 4096);
    bool fold = false;
    assert_int_equal(crible_node_bool(stem, "fold", &fold, &err), CRIBLE_OK);
    assert_true(fold);
    unsigned long long mem = 0;
    assert_int_equal(crible_node_size(stem, "memory", &mem, &err), CRIBLE_OK);
    assert_int_equal(mem, 256ULL << 20);
    double k1 = 0;
    assert_int_equal(crible_node_double(stem, "k1", 0, 10, &k1, &err), CRIBLE_OK);
    assert_true(k1 > 1.19 && k1 < 1.21);
    const char **list;
    size_t n = 0;
    assert_int_equal(crible_node_strings(stem, "protected", &list, &n, &err), CRIBLE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[1], "Disney+");
    assert_int_equal(crible_node_strings(stem, "one", &list, &n, &err), CRIBLE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0], "seul");
    /* absent keys leave the default */
    const char *dflt = "x";
    assert_int_equal(crible_node_string(stem, "absent", &dflt, &err), CRIBLE_OK);
    assert_string_equal(dflt, "x");
    crible_config_free(c);
}

static void test_type_errors_name_line_and_column(void **state)
{
    (void)state;
    crible_config *c = load("stem:\n  cache: beaucoup\n  fold: peut-être\n");
    crible_error err = {0};
    const crible_node *stem;
    crible_config_section(c, "stem", &stem, &err);
    long long v;
    assert_int_equal(crible_node_int(stem, "cache", 0, 10, &v, &err), CRIBLE_ECONFIG);
    assert_string_equal(err.message, "t.yaml:2:10: 'cache' must be a whole number, not 'beaucoup'");
    bool b;
    assert_int_equal(crible_node_bool(stem, "fold", &b, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "t.yaml:3:9:"));
    crible_config_free(c);
}

static void test_broken_yaml(void **state)
{
    (void)state;
    crible_config *c = NULL;
    crible_error err = {0};
    assert_int_equal(crible_config_load_string("stem:\n  algorithm: [french\n", "b.yaml", &c, &err),
                     CRIBLE_ECONFIG);
    assert_null(c);
    assert_non_null(strstr(err.message, "b.yaml:"));
    assert_int_equal(crible_config_load_string("a: 1\na: 2\n", "d.yaml", &c, &err),
                     CRIBLE_ECONFIG);
    assert_string_equal(err.message, "d.yaml:2:1: duplicate key 'a' (first at line 1)");
    assert_int_equal(crible_config_load_string("- a\n- b\n", "l.yaml", &c, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "l.yaml:1:1: the configuration must be a mapping"));
    assert_int_equal(crible_config_load("/nonexistent/x.yaml", &c, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "cannot open '/nonexistent/x.yaml'"));
}

static const char *const algos[] = {"french", "english", NULL};
static const crible_schema inner[] = {{"path", CRIBLE_TYPE_STRING}, {0}};
static const crible_schema schema[] = {
    {"stopwords", CRIBLE_TYPE_LIST},
    {"algorithm", CRIBLE_TYPE_STRING, .choices = algos},
    {"cache", CRIBLE_TYPE_INT},
    {"memory", CRIBLE_TYPE_SIZE},
    {"list", CRIBLE_TYPE_FILE},
    {"sub", CRIBLE_TYPE_MAP, .children = inner},
    {0}};

static void test_validation(void **state)
{
    (void)state;
    crible_error err = {0};
    crible_config *c = load("stem:\n  stopword: [a]\n");
    const crible_node *s;
    crible_config_section(c, "stem", &s, &err);
    assert_int_equal(crible_config_validate(c, s, "stem", schema, &err), CRIBLE_ECONFIG);
    assert_string_equal(err.message,
                        "t.yaml:2:3: unknown key 'stopword' in 'stem' (did you mean 'stopwords'?)");
    crible_config_free(c);

    c = load("stem:\n  algorithm: klingon\n");
    crible_config_section(c, "stem", &s, &err);
    assert_int_equal(crible_config_validate(c, s, "stem", schema, &err), CRIBLE_ECONFIG);
    assert_string_equal(err.message,
                        "t.yaml:2:14: 'algorithm' cannot be 'klingon' (one of: french, english)");
    crible_config_free(c);

    c = load("stem:\n  memory: lots\n");
    crible_config_section(c, "stem", &s, &err);
    assert_int_equal(crible_config_validate(c, s, "stem", schema, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "t.yaml:2:11: 'memory' must be a size"));
    crible_config_free(c);

    c = load("stem:\n  list: /nonexistent/stop.txt\n");
    crible_config_section(c, "stem", &s, &err);
    assert_int_equal(crible_config_validate(c, s, "stem", schema, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "no such file '/nonexistent/stop.txt'"));
    crible_config_free(c);

    c = load("stem:\n  sub:\n    paht: x\n");
    crible_config_section(c, "stem", &s, &err);
    assert_int_equal(crible_config_validate(c, s, "stem", schema, &err), CRIBLE_ECONFIG);
    assert_string_equal(err.message,
                        "t.yaml:3:5: unknown key 'paht' in 'sub' (did you mean 'path'?)");
    crible_config_free(c);

    c = load("stem:\n  algorithm: english\n  cache: 3\n  memory: 1G\n  sub: {path: a}\n");
    crible_config_section(c, "stem", &s, &err);
    assert_int_equal(crible_config_validate(c, s, "stem", schema, &err), CRIBLE_OK);
    crible_config_free(c);
}

static void test_unknown_section(void **state)
{
    (void)state;
    crible_error err = {0};
    crible_config *c = load("tokenise:\n  fold_accents: true\n");
    assert_int_equal(crible_config_validate_all(c, &err), CRIBLE_ECONFIG);
    assert_string_equal(err.message,
                        "t.yaml:1:1: unknown section 'tokenise' (did you mean 'tokenize'?)");
    crible_config_free(c);
}

static void test_sizes_and_distance(void **state)
{
    (void)state;
    unsigned long long v;
    assert_true(crible_parse_size("512K", &v) && v == 512 * 1024);
    assert_true(crible_parse_size("2GiB", &v) && v == 2ULL << 30);
    assert_true(crible_parse_size("100", &v) && v == 100);
    assert_false(crible_parse_size("-1M", &v));
    assert_false(crible_parse_size("12Q", &v));
    assert_int_equal(crible_edit_distance("stopwords", "stopwrods"), 1);
    assert_int_equal(crible_edit_distance("", "abc"), 3);
}

static void test_resolve_relative_to_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/crible-config-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("stem:\n  stopwords: stop.txt\n", f);
    fclose(f);
    crible_config *c;
    crible_error err = {0};
    assert_int_equal(crible_config_load(path, &c, &err), CRIBLE_OK);
    char out[512];
    assert_int_equal(crible_config_resolve(c, "stop.txt", out, sizeof out, &err), CRIBLE_OK);
    char want[512];
    snprintf(want, sizeof want, "%s/stop.txt", dir);
    assert_string_equal(out, want);
    assert_int_equal(crible_config_resolve(c, "/abs/x", out, sizeof out, &err), CRIBLE_OK);
    assert_string_equal(out, "/abs/x");
    crible_config_free(c);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_type_errors_name_line_and_column),
        cmocka_unit_test(test_broken_yaml),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_unknown_section),
        cmocka_unit_test(test_sizes_and_distance),
        cmocka_unit_test(test_resolve_relative_to_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
