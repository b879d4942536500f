/*
 * test_read_json_scan.c - the JSON Lines fast path (read_json_scan.h) must
 * never accept a line that jansson rejects, and must report the kinds of
 * id, title and text exactly as jansson sees them.  Checked on hand-written
 * traps, then on every single-byte mutation of the corpus's real reviews,
 * then (when ../shared is present) on the 12,488 reviews of reviews.jsonl,
 * which must all take the fast path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "doc.h"
#include "read_json_scan.h"

static crible_read_json_kind kind_of(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return !v ? CRIBLE_READ_JSON_ABSENT
              : json_is_string(v) ? CRIBLE_READ_JSON_STRING : CRIBLE_READ_JSON_OTHER;
}

/* The one-sided contract; returns the scanner's answer. */
static bool agrees(const char *s, size_t n)
{
    crible_read_json_members m;
    bool fast = crible_read_json_scan(s, n, &m);
    if (!fast)
        return false;
    json_error_t e;
    json_t *obj = json_loadb(s, n, 0, &e);
    if (!obj || !json_is_object(obj)) {
        fprintf(stderr, "scanner accepted what jansson rejects (%s): %.*s\n",
                obj ? "not an object" : e.text, (int)n, s);
        fail();
    }
    assert_int_equal(m.id, kind_of(obj, "id"));
    assert_int_equal(m.title, kind_of(obj, "title"));
    assert_int_equal(m.text, kind_of(obj, "text"));
    const char *t = json_string_value(json_object_get(obj, "text"));
    assert_int_equal(m.text_has_cr, t && strchr(t, '\r') != NULL);
    json_decref(obj);
    return true;
}

static bool scan(const char *s)
{
    return agrees(s, strlen(s));
}

static void test_documents(void **state)
{
    (void)state;
    assert_true(scan("{\"id\":\"a\",\"text\":\"L’été\"}"));
    assert_true(scan("  {\"id\": \"r-1\", \"title\": \"Déçu\", \"rating\": 2, \"text\": \"Pas bon.\"}  "));
    assert_true(scan("{\"id\":7,\"text\":null,\"tags\":[1,-0.5,true,false,null,{\"a\":[]}]}"));
    assert_true(scan("{\"id\":\"a\",\"text\":\"ligne\\r\\nsuivante \\u00e9 \\\"q\\\" \\/\"}"));
    assert_true(scan("{}"));
    assert_true(scan("{\"\":\"\"}"));
}

static void test_not_sure(void **state)
{
    (void)state;
    const char *traps[] = {
        "", "   ", "[]", "\"id\"", "{", "{\"id\":\"a\"", "{\"id\":\"a\",}", "{\"id\" \"a\"}",
        "{\"id\":\"a\"} x", "{\"id\":\"a\"}{\"id\":\"b\"}", "{\"id\":01}", "{\"id\":1.}",
        "{\"id\":-}", "{\"id\":.5}", "{\"id\":1e5}", "{\"id\":123456789012345678901}",
        "{\"id\":\"a\\u0000b\"}", "{\"id\":\"\\ud800\"}", "{\"id\":\"\\udc00\\ud800\"}",
        "{\"id\":\"\\x41\"}", "{\"id\":\"\\u12g4\"}", "{\"id\":\"tab\there\"}",
        "{\"id\":tru}", "{\"id\":nul}", "{\"id\":True}", "{'id':'a'}", "{\"\\u0069d\":\"a\"}",
        "{\"id\":\"a\",\"id\":\"b\"}", "{\"text\":\"a\",\"text\":1}", "{\"a\":[1,2,]}",
        "{\"a\":[,1]}", "{\"a\":{\"b\"}}", "{\"id\":\"a\"\x0c}",
    };
    for (size_t i = 0; i < sizeof traps / sizeof traps[0]; i++) {
        if (scan(traps[i]))
            fprintf(stderr, "accepted: %s\n", traps[i]);
        assert_false(scan(traps[i]));
    }
    /* nesting: fine at 60, "not sure" past 64 */
    char deep[400];
    size_t n = 0;
    deep[n++] = '{';
    memcpy(deep + n, "\"a\":", 4), n += 4;
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    for (int i = 0; i < 70; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    assert_false(agrees(deep, n));
}

/* Every deletion, and every replacement by a JSON-significant byte, of every
 * byte of the corpus's reviews: the scanner may say "not sure", never "yes"
 * to something jansson refuses. */
static void test_mutations(void **state)
{
    (void)state;
    FILE *f = fopen("corpus/avis/avis-lecteurs.jsonl", "rb");
    assert_non_null(f);
    static const char bytes[] = "{}[]\":,\\ \t\r\n0-.eEtfnu\x01" "a";
    char *line = NULL, *mut = NULL;
    size_t cap = 0;
    ssize_t len;
    long lines = 0, accepted = 0, checked = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            len--;
        lines++;
        assert_true(agrees(line, (size_t)len));
        mut = realloc(mut, (size_t)len + 1);
        for (ssize_t i = 0; i < len; i++) {
            memcpy(mut, line, (size_t)i);
            memcpy(mut + i, line + i + 1, (size_t)(len - i - 1));
            if (crible_utf8_invalid_offset(mut, (size_t)len - 1) == (size_t)len - 1)
                accepted += agrees(mut, (size_t)len - 1);   /* valid UTF-8 only, as read gives */
            memcpy(mut, line, (size_t)len);
            for (const char *b = bytes; b < bytes + sizeof bytes - 1; b++) {
                if ((unsigned char)line[i] >= 0x80)
                    break;   /* keep the UTF-8 valid: the caller checks it first */
                mut[i] = *b;
                accepted += agrees(mut, (size_t)len);
                checked++;
            }
            checked++;
        }
    }
    fclose(f);
    free(line);
    free(mut);
    assert_int_equal(lines, 7);
    assert_true(checked > 20000);
    assert_true(accepted > 1000);   /* mutations inside strings stay valid */
}

static void test_reviews(void **state)
{
    (void)state;
    const char *shared = getenv("CRIBLE_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/reviews/reviews.jsonl", shared ? shared : "../shared");
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "skipped: shared data absent: %s\n", path);
        skip();
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long fast = 0, lines = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        lines++;
        fast += agrees(line, (size_t)len - (line[len - 1] == '\n'));
    }
    fclose(f);
    free(line);
    assert_true(lines > 12000);
    assert_int_equal(fast, lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_not_sure),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_reviews),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
