/*
 * test_json_fast.c - the plain-JSON fast path (json_fast.h) and its three
 * uses (crible-read's pass-through and the lazy document reader through
 * crible_json_doc_scan, the index writer through index_docjson.h) against
 * jansson, through one differential oracle (tests/tools/json_fast_oracle.h):
 * never accept what jansson rejects, give what jansson gives.  Checked on
 * hand-written traps, on numbers, then on every one-byte deletion and
 * replacement by a JSON-significant byte of real French documents (the
 * first reviews of ../shared/data/reviews/reviews.jsonl when present, the
 * corpus's reviews otherwise), then on all 12,488 reviews, which must all
 * take the fast path (the index writer's too: the 3,709 TripAdvisor
 * reviews' nested "aspects" objects included).  On every line the
 * document scan accepts, crible_json_doc_strings (one pass, values
 * skipped) gives what crible_json_member_find gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../tools/json_fast_oracle.h"
#include "doc.h"

typedef struct keys {
    char names[8][32];
    size_t n;
} keys;

static bool collect_key(const crible_json_member *m, void *ctx)
{
    keys *k = ctx;
    if (k->n < 6 && m->key_len < 32) {
        memcpy(k->names[k->n], m->key, m->key_len);
        k->names[k->n++][m->key_len] = '\0';
    }
    return true;
}

/* On a line crible_json_doc_scan accepts, crible_json_doc_strings gives
 * what crible_json_member_find gives, for the first keys and two names
 * absent (or present: "lang", "title"); and so does
 * crible_json_spans_strings on the spans crible_json_doc_scan_spans kept
 * (which accepts the same lines, with the same document, and keeps the
 * first members only when there are more than it has room for). */
static void strings_agree(const char *s, size_t n)
{
    crible_json_doc d;
    keys k = {{{0}}, 0};
    if (!crible_json_doc_scan(s, n, &d) || !crible_json_object_walk(s, n, collect_key, &k))
        return;
    strcpy(k.names[k.n++], "lang");
    strcpy(k.names[k.n++], "title");
    const char *names[8], *strs[8];
    size_t lens[8];
    for (size_t i = 0; i < k.n; i++)
        names[i] = k.names[i];
    crible_json_doc_strings(s, n, names, k.n, strs, lens);
    for (size_t i = 0; i < k.n; i++) {
        const char *str;
        size_t len;
        bool found = crible_json_member_find(s, n, names[i], &str, &len);
        if (found != (strs[i] != NULL) || (found && (str != strs[i] || len != lens[i])))
            fail_msg("crible_json_doc_strings and crible_json_member_find disagree on '%s': %.*s", names[i],
                     (int)n, s);
    }
    crible_json_span spans[64], few[2];
    size_t nspans = 0, nfew = 0;
    crible_json_doc d2, d3;
    if (!crible_json_doc_scan_spans(s, n, &d2, spans, 64, &nspans) ||
        !crible_json_doc_scan_spans(s, n, &d3, few, 2, &nfew))
        fail_msg("crible_json_doc_scan_spans refuses what crible_json_doc_scan accepts: %.*s", (int)n, s);
    if (memcmp(&d, &d2, sizeof d) != 0 || memcmp(&d, &d3, sizeof d) != 0 || nfew != nspans)
        fail_msg("crible_json_doc_scan_spans reads another document: %.*s", (int)n, s);
    for (size_t i = 0; i < nfew && i < 2; i++)
        if (few[i].key != spans[i].key || few[i].key_len != spans[i].key_len || few[i].value != spans[i].value ||
            few[i].value_len != spans[i].value_len || few[i].kind != spans[i].kind)
            fail_msg("the first spans differ: %.*s", (int)n, s);
    if (nspans > 64)
        return;
    const char *sstrs[8];
    size_t slens[8];
    crible_json_spans_strings(spans, nspans, names, k.n, sstrs, slens);
    for (size_t i = 0; i < k.n; i++)
        if (sstrs[i] != strs[i] || (strs[i] && slens[i] != lens[i]))
            fail_msg("crible_json_spans_strings and crible_json_doc_strings disagree on '%s': %.*s", names[i],
                     (int)n, s);
}

/* The oracle must agree; returns whether the member walker accepted. */
static bool agrees(const char *s, size_t n)
{
    bool accepted;
    const char *why = json_fast_oracle(s, n, &accepted);
    if (why)
        fail_msg("the fast path and jansson disagree on %s: %.*s", why, (int)n, s);
    strings_agree(s, n);
    return accepted;
}

static bool doc_scan(const char *s)
{
    crible_json_doc d;
    agrees(s, strlen(s));
    return crible_json_doc_scan(s, strlen(s), &d);
}

static bool index_scan(const char *s, size_t n)
{
    ix_docjson d = {0};
    agrees(s, n);
    bool ok = ix_docjson_scan(&d, s, n);
    ix_docjson_free(&d);
    return ok;
}

static const char *docs[] = {
    "{\"id\":\"babelio-00001\",\"title\":\"Le D\xc3\xa9mon de la Colline aux Loups\",\"text\":\"Ce n'est pas "
    "le premier roman \xc3\xa0 aborder les th\xc3\xa8mes lourds, on sent \\\"faire quelque chose\\\",\\n\\tla "
    "v\xc3\xa9rit\xc3\xa9 \xc2\xab  tu ne me feras pas peur \xc2\xbb.\",\"source\":\"babelio.com\","
    "\"item_type\":\"book\",\"rating\":4.5,\"rating_max\":5.0,\"votes\":-12,\"ok\":true,\"no\":false,\"x\":null}",
    "{ \"id\": \"orangesum-00002\", \"source\": \"actu.orange.fr\", \"date\": \"2020-07-02\", \"title\": "
    "\"Olivier V\xc3\xa9ran : 400 millions d'euros\", \"text\": \"Cette d\xc3\xa9" "cision a \xc3\xa9t\xc3\xa9 "
    "annonc\xc3\xa9" "e.\\r\\nUn\\/deux L\\u2019\\u00e9t\\u00C9.\", \"url\": \"https://actu.orange.fr/a\" }\n",
    "{}",
};

static void test_documents(void **state)
{
    (void)state;
    assert_true(doc_scan("{\"id\":\"a\",\"text\":\"L’été\"}"));
    assert_true(doc_scan("  {\"id\": \"r-1\", \"title\": \"Déçu\", \"rating\": 2, \"text\": \"Pas bon.\"}  "));
    assert_true(doc_scan("{\"id\":7,\"text\":null,\"tags\":[1,-0.5,true,false,null,{\"a\":[]}]}"));
    assert_true(doc_scan("{\"id\":\"a\",\"text\":\"ligne\\r\\nsuivante \\u00e9 \\\"q\\\" \\/\"}"));
    crible_json_doc d0;
    const char *cr = "{\"id\":\"a\",\"text\":\"ligne\\u000Dsuivante\"}";   /* a CR too */
    assert_true(doc_scan(cr));
    assert_true(crible_json_doc_scan(cr, strlen(cr), &d0) && d0.text_has_cr);
    assert_true(doc_scan("{\"id\":\"d\",\"text\":\"x\",\"summary\":\"un\",\"summary\":\"deux\"}"));
    assert_true(doc_scan("{}"));
    assert_true(doc_scan("{\"\":\"\"}"));
    /* the index writer's flat objects, decoded */
    ix_docjson d = {0};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        assert_true(doc_scan(docs[i]) || i == 2);
        assert_true(index_scan(docs[i], strlen(docs[i])));
    }
    assert_true(ix_docjson_scan(&d, docs[0], strlen(docs[0])));
    const ix_jmember *t = ix_docjson_string(&d, "text");
    assert_non_null(t);
    assert_non_null(strstr(t->str, "\"faire quelque chose\",\n\tla"));
    assert_null(ix_docjson_string(&d, "rating"));
    assert_null(ix_docjson_string(&d, "absent"));
    assert_true(ix_docjson_scan(&d, docs[1], strlen(docs[1])));
    assert_non_null(strstr(ix_docjson_string(&d, "text")->str, "\r\nUn/deux L\xe2\x80\x99\xc3\xa9t\xc3\x89."));
    ix_docjson_free(&d);
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
        "{\"a\":[,1]}", "{\"a\":{\"b\"}}", "{\"id\":\"a\"\x0c}", "{\"a\":\"cut", "{a:1}", "{\"a\":1",
        "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":\"\\x\"}",
    };
    for (size_t i = 0; i < sizeof traps / sizeof traps[0]; i++) {
        if (doc_scan(traps[i]))
            fail_msg("accepted: %s", traps[i]);
    }
    /* the walker gives an escaped key, the document scan is not sure of it */
    assert_true(agrees("{\"\\u0069d\":\"a\"}", 15));
    /* the index writer reads one level below the top (an object's members,
     * an array's items), not repeated keys, valid UTF-8, no NUL */
    const char *below[] = {"{\"a\":[1,2]}", "{\"a\":{\"b\":1}}", "{\"a\":{\"b\":0.12345678901234567891}}",
                           "{\"aspects\":{\"prix\":\"NE\",\"cadre\":\"4\"},\"tags\":[\"a\",[1],{\"b\":2},null,true]}",
                           "{\"a\":{\"b\":{\"c\":[{}]}},\"\\u0062\":[]}"};
    for (size_t i = 0; i < sizeof below / sizeof *below; i++)
        assert_true(index_scan(below[i], strlen(below[i])));
    const char *unsure[] = {"{\"a\":1,\"a\":2}", "{\"a\":{\"b\":\"x\",\"b\":\"y\"}}",
                            "{\"a\":{\"b\":\"x\",\"\\u0062\":1}}", "{\"a\":[0.12345678901234567891]}"};
    for (size_t i = 0; i < sizeof unsure / sizeof *unsure; i++)
        assert_false(index_scan(unsure[i], strlen(unsure[i])));
    ix_docjson d = {0};
    const char *aspects = below[3];
    assert_true(ix_docjson_scan(&d, aspects, strlen(aspects)));
    assert_int_equal(d.n, 2);
    assert_int_equal(d.m[0].kind, CRIBLE_JSON_OBJECT);
    assert_int_equal(d.m[0].n, 2);
    assert_string_equal(d.sub[d.m[0].first + 1].key, "cadre");
    assert_string_equal(d.sub[d.m[0].first + 1].str, "4");
    assert_int_equal(d.m[1].n, 5);
    assert_null(d.sub[d.m[1].first].key);
    assert_int_equal(d.sub[d.m[1].first + 2].kind, CRIBLE_JSON_OBJECT);
    assert_false(ix_docjson_scan(&d, "{\"a\":\"\xc3\"}", 8));
    assert_false(ix_docjson_scan(&d, "{\"a\":\"\xed\xa0\x80\"}", 10));
    assert_false(ix_docjson_scan(&d, "{\"a\":\"x\0y\"}", 11));
    ix_docjson_free(&d);
    /* nesting: fine at 60, "not sure" past 64 */
    char deep[400];
    for (int depth = 60; depth <= 70; depth += 10) {
        size_t n = 0;
        memcpy(deep, "{\"a\":", 5), n += 5;
        for (int i = 0; i < depth; i++)
            deep[n++] = '[';
        for (int i = 0; i < depth; i++)
            deep[n++] = ']';
        deep[n++] = '}';
        assert_int_equal(agrees(deep, n), depth == 60);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    const char *exact[] = {"0", "-0", "4.5", "0.1", "123.456", "-2.25", "999999999999999", "20200702",
                           "0.00000000000001", "-0.0", "9007199254740993", "0.1234567890123456",
                           "123456789012345678", "-123456789012345678", "0.000000000000000001"};
    const char *inexact[] = {"0.0000000000000000000001", "1234567890.1234567", "12345678901234567.8"};
    const char *no[] = {"1e5", "1E-2", "0123", "1.", ".5", "-", "1.2.3", "+1", "--1", "1x",
                        "1234567890123456789"};
    char s[100];
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        snprintf(s, sizeof s, "{\"n\":%s}", exact[i]);
        if (!index_scan(s, strlen(s)))
            fail_msg("not exact: %s", s);
    }
    for (size_t i = 0; i < sizeof inexact / sizeof *inexact; i++) {
        snprintf(s, sizeof s, "{\"n\":%s}", inexact[i]);
        assert_true(agrees(s, strlen(s)));
        assert_false(index_scan(s, strlen(s)));
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        snprintf(s, sizeof s, "{\"n\":%s}", no[i]);
        if (agrees(s, strlen(s)))
            fail_msg("accepted: %s", s);
    }
}

static void test_unescape_and_find(void **state)
{
    (void)state;
    char s[] = "a\\u00e9\\n\\\"b\\u20AC";
    size_t n = crible_json_unescape(s, strlen(s), s);
    assert_int_equal(n, 9);
    assert_string_equal(s, "aé\n\"b€");
    const char *line = "{\"k\":\"v\\\\\",\"id\":\"z\",\"m\":{\"id\":\"piège\"},\"n\":1}";
    const char *str;
    size_t len;
    assert_true(crible_json_member_find(line, strlen(line), "id", &str, &len));
    assert_int_equal(len, 1);
    assert_int_equal(*str, 'z');
    assert_false(crible_json_member_find(line, strlen(line), "v", &str, &len));
    assert_false(crible_json_member_find(line, strlen(line), "n", &str, &len));
    assert_false(crible_json_member_find(line, strlen(line), "m", &str, &len));
    /* several names in one pass: the last "lang" counts, a nested "id" is not one */
    const char *twice = "{\"id\":\"a\",\"lang\":\"fr\",\"m\":[{\"id\":\"x\\\"}\"}],\"title\":7,\"lang\":\"d\\u00e9\"}";
    const char *names[] = {"lang", "title", "note", "id"}, *strs[4];
    size_t lens[4];
    crible_json_doc_strings(twice, strlen(twice), names, 4, strs, lens);
    assert_non_null(strs[0]);
    assert_int_equal(lens[0], 7);
    assert_memory_equal(strs[0], "d\\u00e9", 7);
    assert_null(strs[1]);
    assert_null(strs[2]);
    assert_non_null(strs[3]);
    assert_int_equal(lens[3], 1);
    assert_int_equal(*strs[3], 'a');
    /* more names than it looks for: the ones past the limit get NULL */
    const char *many[CRIBLE_JSON_DOC_STRINGS_MAX + 1], *got[CRIBLE_JSON_DOC_STRINGS_MAX + 1];
    size_t glens[CRIBLE_JSON_DOC_STRINGS_MAX + 1];
    for (size_t i = 0; i <= CRIBLE_JSON_DOC_STRINGS_MAX; i++) {
        many[i] = "id";
        got[i] = twice;   /* not NULL: must be overwritten */
    }
    crible_json_doc_strings(twice, strlen(twice), many, CRIBLE_JSON_DOC_STRINGS_MAX + 1, got, glens);
    assert_non_null(got[CRIBLE_JSON_DOC_STRINGS_MAX - 1]);
    assert_int_equal(*got[CRIBLE_JSON_DOC_STRINGS_MAX - 1], 'a');
    assert_null(got[CRIBLE_JSON_DOC_STRINGS_MAX]);
}

/* Every deletion, and every replacement by a JSON-significant byte, of every
 * byte of real documents (valid UTF-8 only, as the callers check it
 * first); returns the number of mutations the walker accepted. */
static long mutate(const char *line, size_t len, long *checked)
{
    static const char bytes[] = "{}[]\":,\\ \t\r\n0-.eEtfnu\x01" "a/r";
    char *mut = malloc(len + 1);
    assert_non_null(mut);
    long accepted = 0;
    for (size_t i = 0; i < len; i++) {
        memcpy(mut, line, i);
        memcpy(mut + i, line + i + 1, len - i - 1);
        if (crible_utf8_invalid_offset(mut, len - 1) == len - 1)
            accepted += agrees(mut, len - 1);
        (*checked)++;
        if ((unsigned char)line[i] >= 0x80)
            continue;   /* keep the UTF-8 valid */
        memcpy(mut, line, len);
        for (const char *b = bytes; b < bytes + sizeof bytes - 1; b++) {
            mut[i] = *b;
            accepted += agrees(mut, len);
            (*checked)++;
        }
    }
    free(mut);
    return accepted;
}

static FILE *open_reviews(char *path, size_t size)
{
    const char *shared = getenv("CRIBLE_SHARED");
    snprintf(path, size, "%s/data/reviews/reviews.jsonl", shared ? shared : "../shared");
    return fopen(path, "rb");
}

static void test_mutations(void **state)
{
    (void)state;
    char path[4096];
    FILE *f = open_reviews(path, sizeof path);
    long want = 12;   /* reviews of the shared data */
    if (!f) {
        fprintf(stderr, "shared data absent (%s): the corpus's reviews instead\n", path);
        f = fopen("corpus/avis/avis-lecteurs.jsonl", "rb");
        want = 7;
    }
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lines = 0, accepted = 0, checked = 0;
    while (lines < want && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            len--;
        lines++;
        assert_true(agrees(line, (size_t)len));
        accepted += mutate(line, (size_t)len, &checked);
    }
    fclose(f);
    free(line);
    for (size_t i = 0; i < 2; i++)
        accepted += mutate(docs[i], strlen(docs[i]), &checked);
    fprintf(stderr, "%ld one-byte mutations of %ld real documents, %ld accepted, all as jansson\n",
            checked, lines + 2, accepted);
    assert_int_equal(lines, want);
    assert_true(checked > 20000);
    assert_true(accepted > 1000);   /* mutations inside strings stay valid */
}

/* Inputs that once made the fuzzer (tests/tools/fuzz_json_fast.c) find a
 * difference: tests/fuzz/json/, one input a file. */
static void test_fuzz_regressions(void **state)
{
    (void)state;
    static const char *const files[] = {"tests/fuzz/json/crash-u000d-cr"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        FILE *f = fopen(files[i], "rb");
        assert_non_null(f);
        char buf[65536];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        agrees(buf, n);
    }
}

static void test_reviews(void **state)
{
    (void)state;
    char path[4096];
    FILE *f = open_reviews(path, sizeof path);
    if (!f) {
        fprintf(stderr, "skipped: shared data absent: %s\n", path);
        skip();
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long fast = 0, lines = 0, index_fast = 0;
    crible_json_doc d;
    ix_docjson dj = {0};
    while ((len = getline(&line, &cap, f)) > 0) {
        size_t n = (size_t)len - (line[len - 1] == '\n');
        lines++;
        agrees(line, n);
        fast += crible_json_doc_scan(line, n, &d) && d.id == CRIBLE_JSON_STRING &&
                d.text == CRIBLE_JSON_STRING;
        index_fast += ix_docjson_scan(&dj, line, n);
    }
    fclose(f);
    free(line);
    ix_docjson_free(&dj);
    assert_true(lines > 12000);
    assert_int_equal(fast, lines);
    assert_int_equal(index_fast, lines);   /* the TripAdvisor reviews' "aspects" objects too */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_not_sure),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_unescape_and_find),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_fuzz_regressions),
        cmocka_unit_test(test_reviews),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
