/*
 * test_doc_lazy.c - the lazy document reader (doc.h, json_fast.h): the
 * string members it reads from a JSON line without a tree must be exactly
 * jansson's, line by line, on French documents with escapes, duplicate
 * keys, nested values holding quotes and braces, and \u escapes, whether
 * the reader kept the line's members (crible_doc_strings: up to 32) or
 * reads it again; and the lines it does not vouch for must get jansson's
 * checks and messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "json_fast.h"

static const char *const lines[] = {
    "{\"id\":\"rev-1\",\"title\":\"Déçu\",\"rating\":2,\"text\":\"Pas bon du tout.\"}",
    "{\"id\":\"rev-2\",\"text\":\"L\\u2019enfer, \\\"dit-il\\\" :\\n\\ta-t-il \\\\ fini \\/ ?\"}",
    "  {\"text\":\"avant\",\"meta\":{\"text\":\"piège \\\"}\",\"a\":[1,{\"b\":\"]\"}]},\"id\":\"x\"}  ",
    "{\"id\":\"d\",\"text\":\"premier\",\"summary\":\"un\",\"summary\":\"deux\"}",
    "{\"id\":\"e\",\"text\":\"\",\"title\":null,\"summary\":\"s\",\"summary\":3}",
    "{\"id\":\"f\",\"text\":\"\\u00e9t\\u00C9 \\\\\\\" \\b\\f\\r fin\\\\\",\"n\":-1.5e3}",
    "{ \"id\" : \"g\" , \"text\" : \"espaces 😍 \\ud83d\\ude0d\" , \"x\" : true }",
};

/* A lazy reader of in[0..n) (*f: to close after it). */
static crible_doc_reader *lazy_reader(const char *in, size_t n, FILE **f)
{
    *f = fmemopen((void *)in, n, "r");
    assert_non_null(*f);
    crible_doc_reader *r;
    crible_error err = {0};
    assert_int_equal(crible_doc_reader_open(*f, "t.jsonl", &r, &err), CRIBLE_OK);
    crible_doc_reader_set_lazy(r, true);
    return r;
}

static void check_line(const char *line, bool lazy)
{
    static const char *const names[] = {"id", "text", "title", "summary", "meta", "absent"};
    FILE *f;
    crible_doc_reader *r = lazy_reader(line, strlen(line), &f);
    crible_error err = {0};
    crible_doc d;
    if (crible_doc_read(r, &d, &err) != 1)
        fail_msg("%s: %s", line, err.message);
    if ((d.json == NULL) != lazy)
        fail_msg("%s: read %s", line, lazy ? "with a tree" : "lazily");
    json_error_t jerr;
    json_t *j = json_loads(line, 0, &jerr);
    assert_non_null(j);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        json_t *v = json_object_get(j, names[i]);
        size_t n = 0;
        const char *got = crible_doc_string(&d, names[i], &n);
        if (!json_is_string(v)) {
            if (got)
                fail_msg("%s: member %s: got '%s', jansson has no string", line, names[i], got);
            continue;
        }
        if (!got)
            fail_msg("%s: member %s missing", line, names[i]);
        assert_int_equal(n, json_string_length(v));
        assert_memory_equal(got, json_string_value(v), n);
        assert_int_equal(got[n], '\0');
    }
    assert_string_equal(d.id, json_string_value(json_object_get(j, "id")));
    if (lazy) {   /* the members the reader kept, or the line read again: the same spans */
        const char *a[6], *b[6];
        size_t al[6], bl[6];
        crible_doc_strings(&d, names, 6, a, al);
        crible_json_doc_strings(d.raw, d.raw_len, names, 6, b, bl);
        for (size_t i = 0; i < 6; i++)
            if (a[i] != b[i] || (a[i] && al[i] != bl[i])) fail_msg("%s: crible_doc_strings on %s", line, names[i]);
    }
    json_decref(j);
    crible_doc_free(&d);
    crible_doc_reader_close(r);
    fclose(f);
}

static void test_members_as_jansson(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        check_line(lines[i], i < 5);   /* the last two go to jansson (exponent, surrogates) */
}

static void test_lazy_documents(void **state)
{
    (void)state;
    const char in[] = "{\"id\":\"a\",\"text\":\"Très bien.\"}\n"
                      "{\"id\":7,\"text\":\"entier\"}\n"
                      "{\"id\":\"\",\"text\":\"vide\"}\n";
    FILE *f;
    crible_doc_reader *r = lazy_reader(in, sizeof in - 1, &f);
    crible_error err = {0};
    crible_doc d;
    assert_int_equal(crible_doc_read(r, &d, &err), 1);
    assert_null(d.json);                       /* no tree */
    assert_string_equal(d.id, "a");
    assert_string_equal(d.text, "Très bien.");
    assert_memory_equal(d.raw, in, d.raw_len);
    crible_doc_free(&d);
    assert_int_equal(crible_doc_read(r, &d, &err), 1);
    assert_non_null(d.json);                   /* an integer id: jansson's path */
    assert_string_equal(d.id, "7");
    size_t n;
    assert_string_equal(crible_doc_string(&d, "text", &n), "entier");
    crible_doc_free(&d);
    assert_int_equal(crible_doc_read(r, &d, &err), -1);   /* the same message either way */
    assert_non_null(strstr(err.message, "t.jsonl:3: the document has no \"id\""));
    crible_doc_reader_close(r);
    fclose(f);
}

/* A line of more members than the reader keeps is read again, with the
 * same answers; one of up to 32 is not. */
static void test_many_members(void **state)
{
    (void)state;
    char line[4096];
    for (int members = 30; members <= 40; members += 10) {
        size_t n = (size_t)snprintf(line, sizeof line, "{\"id\":\"m\",\"summary\":\"premier\"");
        for (int i = 0; i < members - 4; i++)
            n += (size_t)snprintf(line + n, sizeof line - n, ",\"k%d\":\"valeur n\\u00b0%d\"", i, i);
        snprintf(line + n, sizeof line - n, ",\"text\":\"Été\",\"summary\":\"d\\u00e9rnier\"}");
        check_line(line, true);
        FILE *f;
        crible_doc_reader *r = lazy_reader(line, strlen(line), &f);
        crible_error err = {0};
        crible_doc d;
        assert_int_equal(crible_doc_read(r, &d, &err), 1);
        assert_null(d.json);
        assert_int_equal(d.spans != NULL, members <= 32);
        size_t len;
        assert_string_equal(crible_doc_string(&d, "summary", &len), "dérnier");   /* the last one */
        assert_string_equal(crible_doc_string(&d, "k3", &len), "valeur n°3");
        crible_doc_free(&d);
        crible_doc_reader_close(r);
        fclose(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_as_jansson),
        cmocka_unit_test(test_lazy_documents),
        cmocka_unit_test(test_many_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
