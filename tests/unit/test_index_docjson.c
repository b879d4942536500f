/*
 * test_index_docjson.c - the index writer's fast reading of a document's
 * JSON (index_docjson.h): it takes the plain documents crible-read writes,
 * decodes them exactly as jansson does, and answers "not sure" for the
 * rest; never accepts what jansson refuses (every one-byte mutation of
 * real French documents is checked against jansson).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index_docjson.h"

static const char *docs[] = {
    "{\"id\":\"babelio-00001\",\"title\":\"Le D\xc3\xa9mon de la Colline aux Loups\",\"text\":\"Ce n'est pas "
    "le premier roman \xc3\xa0 aborder les th\xc3\xa8mes lourds, on sent \\\"faire quelque chose\\\",\\n\\tla "
    "v\xc3\xa9rit\xc3\xa9 \xc2\xab  tu ne me feras pas peur \xc2\xbb.\",\"source\":\"babelio.com\","
    "\"item_type\":\"book\",\"rating\":4.5,\"rating_max\":5.0,\"votes\":-12,\"ok\":true,\"no\":false,\"x\":null}",
    "{ \"id\": \"orangesum-00002\", \"source\": \"actu.orange.fr\", \"date\": \"2020-07-02\", \"title\": "
    "\"Olivier V\xc3\xa9ran : 400 millions d'euros\", \"text\": \"Cette d\xc3\xa9" "cision a \xc3\xa9t\xc3\xa9 "
    "annonc\xc3\xa9" "e.\\r\\nUn\\/deux.\", \"url\": \"https://actu.orange.fr/a\" }\n",
    "{}",
};

/* jansson's reading of s, compared member by member with the scanner's. */
static void same_as_jansson(const ix_docjson *d, const char *s, size_t n)
{
    json_error_t je;
    json_t *o = json_loadb(s, n, 0, &je);
    assert_non_null(o);
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), d->n);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        const ix_jmember *m = &d->m[i++];
        assert_string_equal(m->key, key);
        switch (m->kind) {
        case IX_J_STRING:
            assert_true(json_is_string(v));
            assert_int_equal(m->len, json_string_length(v));
            assert_memory_equal(m->str, json_string_value(v), m->len);
            assert_int_equal(m->str[m->len], 0);
            break;
        case IX_J_NUMBER: {
            assert_true(json_is_number(v));
            double a = m->num, b = json_number_value(v);
            assert_memory_equal(&a, &b, sizeof a);   /* bit for bit, -0 included */
            break;
        }
        case IX_J_TRUE: assert_true(json_is_true(v)); break;
        case IX_J_FALSE: assert_true(json_is_false(v)); break;
        case IX_J_NULL: assert_true(json_is_null(v)); break;
        }
    }
    json_decref(o);
}

static void test_plain_documents(void **state)
{
    (void)state;
    ix_docjson d = {0};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        assert_true(ix_docjson_scan(&d, docs[i], strlen(docs[i])));
        same_as_jansson(&d, docs[i], strlen(docs[i]));
    }
    assert_true(ix_docjson_scan(&d, docs[0], strlen(docs[0])));
    const ix_jmember *t = ix_docjson_string(&d, "text");
    assert_non_null(t);
    assert_non_null(strstr(t->str, "\"faire quelque chose\",\n\tla"));
    assert_null(ix_docjson_string(&d, "rating"));
    assert_null(ix_docjson_string(&d, "absent"));
    ix_docjson_free(&d);
}

static void test_numbers(void **state)
{
    (void)state;
    const char *yes[] = {"0", "-0", "4.5", "0.1", "123.456", "-2.25", "999999999999999", "20200702",
                         "0.00000000000001", "-0.0"};
    const char *no[] = {"1e5", "1E-2", "0123", "1.", ".5", "-", "1.2.3", "9007199254740993", "0.1234567890123456",
                        "+1", "--1", "1x"};
    ix_docjson d = {0};
    char s[100];
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        snprintf(s, sizeof s, "{\"n\":%s}", yes[i]);
        assert_true(ix_docjson_scan(&d, s, strlen(s)));
        same_as_jansson(&d, s, strlen(s));
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        snprintf(s, sizeof s, "{\"n\":%s}", no[i]);
        assert_false(ix_docjson_scan(&d, s, strlen(s)));
    }
    ix_docjson_free(&d);
}

static void test_not_sure(void **state)
{
    (void)state;
    const char *no[] = {
        "",  "[]", "{\"a\":[1,2]}", "{\"a\":{\"b\":1}}", "{\"a\":1,\"a\":2}", "{\"k\\u00e9\":1}",
        "{\"a\":\"\\u00e9t\\u00e9\"}", "{\"a\":\"x\ty\"}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1} x",
        "{\"a\":1}{}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":\"cut", "{\"a\":\"\\x\"}", "{'a':1}", "{a:1}", "{\"a\":1",
    };
    ix_docjson d = {0};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) assert_false(ix_docjson_scan(&d, no[i], strlen(no[i])));
    /* a NUL byte inside: jansson refuses it, so must the scanner */
    assert_false(ix_docjson_scan(&d, "{\"a\":\"x\0y\"}", 11));
    ix_docjson_free(&d);
}

/* Every one-byte deletion and replacement of the real documents: what the
 * scanner accepts, jansson accepts with the same members. */
static void test_mutations(void **state)
{
    (void)state;
    const char repl[] = {'"', '\\', '{', '}', '[', ',', ':', ' ', '0', '.', 'e', '-', 'a', '\n', '\x01', '\xc3'};
    ix_docjson d = {0};
    size_t accepted = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t n = strlen(docs[k]);
        char *s = malloc(n + 1);
        assert_non_null(s);
        for (size_t i = 0; i < n; i++) {
            memcpy(s, docs[k], i);
            memcpy(s + i, docs[k] + i + 1, n - i - 1);
            if (ix_docjson_scan(&d, s, n - 1)) { same_as_jansson(&d, s, n - 1); accepted++; }
            for (size_t r = 0; r < sizeof repl; r++) {
                memcpy(s, docs[k], n);
                s[i] = repl[r];
                if (ix_docjson_scan(&d, s, n)) { same_as_jansson(&d, s, n); accepted++; }
            }
        }
        free(s);
    }
    assert_true(accepted > 1000);   /* most mutations of the text stay plain */
    ix_docjson_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_documents),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_not_sure),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
