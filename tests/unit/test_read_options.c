/*
 * test_read_options.c - the `read:` section (read_options.h): defaults,
 * every key read into crible_read_options, and the errors a user makes
 * reported with file:line:column (misspelt key, wrong choice, bad regular
 * expression, bad delimiter).  The built-in boilerplate patterns must all
 * be valid ICU regular expressions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/uregex.h>

#include "options.h"
#include "read_options.h"

/* Loads `yaml` and its read: section into *o; *c must be freed by the
 * caller (the strings in *o point into it). */
static crible_status load(const char *yaml, crible_config **c, crible_read_options *o,
                          crible_error *err)
{
    *c = NULL;
    crible_status st = crible_config_load_string(yaml, "t.yaml", c, err);
    const crible_node *section = NULL;
    if (st == CRIBLE_OK)
        st = crible_config_section(*c, "read", &section, err);
    if (st == CRIBLE_OK)
        st = crible_read_options_load(*c, section, o, err);
    return st;
}

static void test_defaults(void **state)
{
    (void)state;
    crible_read_options o;
    crible_error err = {0};
    crible_config *c;
    assert_int_equal(load("tokenize: {}\n", &c, &o, &err), CRIBLE_OK);
    assert_int_equal(o.format, CRIBLE_READ_AUTO);
    assert_false(o.replace_invalid);
    assert_false(o.hidden);
    assert_false(o.boilerplate_defaults);
    assert_int_equal(o.n_boilerplate, 0);
    assert_string_equal(o.id_field, "id");
    assert_string_equal(o.title_field, "title");
    assert_int_equal(o.n_text_fields, 1);
    assert_string_equal(o.text_fields[0], "text");
    assert_int_equal(o.csv_delimiter, ',');
    assert_true(o.n_html_drop >= 10);
    assert_int_equal(o.max_size, 1ULL << 30);
    crible_config_free(c);
}

static void test_every_key(void **state)
{
    (void)state;
    crible_read_options o;
    crible_error err = {0};
    const char *yaml =
        "read:\n"
        "  format: csv\n"
        "  invalid_utf8: replace\n"
        "  hidden: true\n"
        "  title_from_first_line: yes\n"
        "  max_size: 256M\n"
        "  fields:\n"
        "    id: ref\n"
        "    title: item_title\n"
        "    text: [heading, text]\n"
        "  csv_delimiter: \";\"\n"
        "  html_drop: [script, style]\n"
        "  boilerplate:\n"
        "    defaults: true\n"
        "    patterns: ['(?m)^Crédit photo.*$']\n";
    crible_config *c;
    assert_int_equal(load(yaml, &c, &o, &err), CRIBLE_OK);
    assert_int_equal(o.format, CRIBLE_READ_CSV);
    assert_true(o.replace_invalid && o.hidden && o.title_from_first_line && o.boilerplate_defaults);
    assert_int_equal(o.max_size, 256ULL << 20);
    assert_string_equal(o.id_field, "ref");
    assert_string_equal(o.title_field, "item_title");
    assert_int_equal(o.n_text_fields, 2);
    assert_string_equal(o.text_fields[1], "text");
    assert_int_equal(o.csv_delimiter, ';');
    assert_int_equal(o.n_html_drop, 2);
    assert_int_equal(o.n_boilerplate, 1);
    assert_string_equal(o.boilerplate[0], "(?m)^Crédit photo.*$");
    crible_config_free(c);
}

static void expect_error(const char *yaml, const char *message)
{
    crible_read_options o;
    crible_error err = {0};
    crible_config *c;
    assert_int_equal(load(yaml, &c, &o, &err), CRIBLE_ECONFIG);
    crible_config_free(c);
    if (!strstr(err.message, message))
        fail_msg("expected '%s' in '%s'", message, err.message);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("read:\n  fomat: csv\n", "t.yaml:2:3: unknown key 'fomat'");
    expect_error("read:\n  fomat: csv\n", "did you mean 'format'");
    expect_error("read:\n  format: docx\n", "t.yaml:2:11");
    expect_error("read:\n  invalid_utf8: ignore\n", "t.yaml:2:17");
    expect_error("read:\n  hidden: peut-être\n", "t.yaml:2:11");
    expect_error("read:\n  boilerplate:\n    patterns:\n      - ok\n      - '(?m)^[Pp]artager (sur'\n",
                 "t.yaml:5:9: invalid regular expression '(?m)^[Pp]artager (sur': U_REGEX_MISMATCHED_PAREN");
    expect_error("read:\n  csv_delimiter: ';;'\n", "t.yaml:2:18: 'csv_delimiter' must be one");
    expect_error("read:\n  fields:\n    txt: body\n", "t.yaml:3:5: unknown key 'txt'");
    expect_error("read:\n  fields:\n    text: []\n", "'text' must name at least one field");
    expect_error("read: [text]\n", "t.yaml:1:7");
}

static void test_default_patterns_compile(void **state)
{
    (void)state;
    size_t n = 0;
    for (const char *const *p = crible_read_boilerplate_defaults; *p; p++, n++) {
        UErrorCode uerr = U_ZERO_ERROR;
        UParseError perr;
        URegularExpression *re = uregex_openC(*p, 0, &perr, &uerr);
        if (U_FAILURE(uerr))
            fail_msg("default pattern %zu: %s", n, u_errorName(uerr));
        uregex_close(re);
    }
    assert_true(n >= 5);
}

static void test_format_names(void **state)
{
    (void)state;
    crible_read_format f;
    assert_true(crible_read_format_parse("markdown", &f));
    assert_int_equal(f, CRIBLE_READ_MARKDOWN);
    assert_string_equal(crible_read_format_name(CRIBLE_READ_TSV), "tsv");
    assert_false(crible_read_format_parse("docx", &f));
    assert_null(crible_read_format_name((crible_read_format)42));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_default_patterns_compile),
        cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
