/*
 * test_index_metadata.c - a document's metadata values (index_metadata.h),
 * read by the fast path (index_docjson.h) and by jansson, must be the same
 * list: the same fields, keywords and numbers in the same order.  Checked
 * on hand-written documents (dates, long strings, URLs, arrays of every
 * kind, nested objects, escaped and long keys, text fields left out) and
 * on every line of ../shared/data/reviews/reviews.jsonl when present (the
 * TripAdvisor reviews' nested "aspects" objects), which the fast path must
 * all read.  And the case pattern or display terms a keyword changed by
 * folding gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "index_metadata.h"

static const char *const text_fields[] = {"title", "summary"};

/* The values of s read by the fast path (*fast: whether it could) and by
 * jansson must agree; returns how many. */
static size_t agree(const char *s, size_t n, bool *fast)
{
    crible_error err;
    ix_docmeta a = {0}, b = {0};
    ix_kvlist la = {0}, lb = {0};
    assert_int_equal(ix_docmeta_read(&a, "d", s, n, &err), CRIBLE_OK);
    *fast = a.obj == NULL;
    json_error_t je;
    b.obj = json_loadb(s, n, 0, &je);   /* jansson, forced */
    assert_non_null(b.obj);
    assert_int_equal(ix_docmeta_values(&a, text_fields, 2, &la, &err), CRIBLE_OK);
    assert_int_equal(ix_docmeta_values(&b, text_fields, 2, &lb, &err), CRIBLE_OK);
    ix_kvlist_pointers(&la, 0);
    ix_kvlist_pointers(&lb, 0);
    if (la.n != lb.n) fail_msg("%zu values, jansson %zu: %.*s", la.n, lb.n, (int)n, s);
    for (size_t i = 0; i < la.n; i++) {
        const ix_kv *x = &la.kvs[i], *y = &lb.kvs[i];
        if (strcmp(x->field, y->field) != 0 || !x->term != !y->term || (x->term && strcmp(x->term, y->term) != 0) ||
            x->numeric != y->numeric || (x->numeric && memcmp(&x->value, &y->value, sizeof x->value) != 0))
            fail_msg("value %zu differs (%s=%s / %s=%s): %.*s", i, x->field, x->term ? x->term : "#", y->field,
                     y->term ? y->term : "#", (int)n, s);
    }
    size_t count = la.n;
    ix_kvlist_free(&la);
    ix_kvlist_free(&lb);
    ix_docmeta_free(&a);
    ix_docmeta_free(&b);
    return count;
}

static size_t agree_str(const char *s, bool want_fast)
{
    bool fast;
    size_t n = agree(s, strlen(s), &fast);
    if (fast != want_fast) fail_msg("fast path %s: %s", fast ? "took" : "refused", s);
    return n;
}

static void test_documents(void **state)
{
    (void)state;
    /* id, text, title and summary (text fields), _hidden: no values */
    assert_int_equal(agree_str("{\"id\":\"a\",\"text\":\"t\",\"title\":\"T\",\"summary\":\"s\",\"_x\":\"h\"}", true), 0);
    assert_int_equal(agree_str("{\"id\":\"a\",\"source\":\"TripAdvisor\",\"date\":\"2020-07-02\",\"year\":\"2019\","
                               "\"url\":\"https://ex.fr/a\",\"rating\":4.5,\"ok\":true,\"no\":false,\"x\":null}",
                               true),
                     7); /* TripAdvisor's display term */
    /* arrays: strings, numbers, booleans; nulls, objects and arrays left out; 64 items at most */
    assert_int_equal(agree_str("{\"tags\":[\"Été\",\"B\",3,-0.25,true,null,{\"a\":\"b\"},[\"c\"],\"2021-01\"]}", true), 8);
    char big[2048];
    size_t n = (size_t)snprintf(big, sizeof big, "{\"many\":[");
    for (int i = 0; i < 80; i++) n += (size_t)snprintf(big + n, sizeof big - n, "%s%d", i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "]}");
    assert_int_equal(agree_str(big, true), 64);
    /* nested objects: each string member, KEY.KEY2, case-folded, whole (no date, no length limit) */
    assert_int_equal(agree_str("{\"aspects\":{\"prix\":\"NE\",\"cadre\":\"Très Bien\",\"note\":4,\"d\":\"2020\","
                               "\"\\u00e9t\\u00e9\":\"x\",\"o\":{\"p\":\"q\"},\"long\":\"" "https://ex.fr/" "\"},\"z\":{}}",
                               true),
                     7);
    /* a key longer than 100 bytes: left out, top-level or nested */
    char key[300];
    memset(key, 'k', 101);
    key[101] = 0;
    char doc[1024];
    snprintf(doc, sizeof doc, "{\"%s\":\"v\",\"o\":{\"%s\":\"v\",\"k\":\"v\"}}", key, key);
    assert_int_equal(agree_str(doc, true), 1);
    /* what the fast path refuses, jansson reads: the same rule */
    assert_int_equal(agree_str("{\"a\":\"1\",\"a\":\"2\"}", false), 1);
    assert_int_equal(agree_str("{\"o\":{\"b\":\"x\",\"b\":\"y\"}}", false), 1);
    assert_int_equal(agree_str("{\"n\":1e3,\"m\":[0.12345678901234567891]}", false), 2);
    /* not an object */
    ix_docmeta m = {0};
    crible_error err;
    assert_int_equal(ix_docmeta_read(&m, "bad", "[1]", 3, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, "document 'bad': crible.doc is not a JSON object"));
    assert_int_equal(ix_docmeta_read(&m, "bad", "{\"a\":", 5, &err), CRIBLE_EDATA);
    ix_docmeta_free(&m);
}

/* The values of document s, "FIELD=TERM" each, '|' between, the display
 * separator written '^'. */
static void values_of(const char *s, char *out, size_t cap)
{
    crible_error err;
    ix_docmeta m = {0};
    ix_kvlist l = {0};
    assert_int_equal(ix_docmeta_read(&m, "d", s, strlen(s), &err), CRIBLE_OK);
    assert_int_equal(ix_docmeta_values(&m, text_fields, 2, &l, &err), CRIBLE_OK);
    ix_kvlist_pointers(&l, 0);
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < l.n && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", i ? "|" : "", l.kvs[i].field,
                              l.kvs[i].term ? l.kvs[i].term : "#");
    for (char *p = out; *p; p++)
        if (*p == CRIBLE_INDEX_DISPLAY_SEP) *p = '^';
    ix_kvlist_free(&l);
    ix_docmeta_free(&m);
}

/* A keyword that folding changes is followed by what facets need to show
 * it as written: its case pattern in "_case.FIELD" when only letters were
 * upper-cased and the value is its field's only keyword value in the
 * document, else its display term in "_display.FIELD", compact
 * ("FOLDED\x1f\x1fMARKS") or whole ("FOLDED\x1fWRITTEN"); one that
 * folding leaves alone, a number, a date get none; nor a value holding
 * the separator, nor one whose display term would pass CRIBLE_TERM_MAX. */
static void test_display_terms(void **state)
{
    (void)state;
    char got[4096];
    values_of("{\"id\":\"a\",\"author\":\"Mélissa DA COSTA\",\"lang\":\"fr\",\"rating\":4,"
              "\"tags\":[\"Été\",\"b\"],\"o\":{\"k\":\"X\"},\"d\":\"2020-01-02\",\"t\":true}",
              got, sizeof got);
    assert_string_equal(got, "author=mélissa da costa|_case.author=!)*,-./0|"
                             "lang=fr|rating=#|tags=été|_display.tags=été^^!|tags=b|o.k=x|_case.o.k=!|"
                             "d=#|t=true");
    /* title case: the marks of each word's first letter, nothing of the value */
    values_of("{\"t\":\"Le Démon de la Colline aux Loups\",\"c\":\"ÉTÉ\",\"u\":\"l'Été\"}", got, sizeof got);
    assert_string_equal(got, "t=le démon de la colline aux loups|_case.t=!$0<|"
                             "c=été|_case.c=!\"#|u=l'été|_case.u=#");
    /* several keyword values of a field (an array, true beside a string,
     * "a.b" beside "a": {"b"}): the patterns would not say whose, so each
     * value gets a compact display term; an array of one value, or a
     * value beside numbers, keeps its pattern */
    values_of("{\"x\":[\"Musso\",\"da costa\"],\"y\":[\"Abc\",true],\"a.b\":\"Xy\",\"a\":{\"b\":\"xY\"},"
              "\"z\":[\"Zola\"],\"w\":[\"2020\",\"Hugo\",3]}",
              got, sizeof got);
    assert_string_equal(got, "x=musso|_display.x=musso^^!|x=da costa|y=abc|_display.y=abc^^!|y=true|"
                             "a.b=xy|_display.a.b=xy^^!|a.b=xy|_display.a.b=xy^^\"|z=zola|_case.z=!|"
                             "w=#|w=hugo|_case.w=!|w=#");
    /* not only upper-cased code points: the written form whole */
    values_of("{\"a\":\"Straße\",\"b\":\"ÉTÉ ﬁ\"}", got, sizeof got);
    assert_string_equal(got, "a=strasse|_display.a=strasse^Straße|b=été fi|_display.b=été fi^ÉTÉ ﬁ");
    /* ix_display_written gives each written form back, from a pattern
     * (read as "\x1fMARKS", as a facet does) or a display term */
    static const char *const forms[] = {"Mélissa DA COSTA", "ÉTÉ", "L'Étranger", "Straße", "x Y z", "ǅ"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char doc[128], term[512], out[512];
        snprintf(doc, sizeof doc, "{\"f\":\"%s\"}", forms[i]);
        values_of(doc, got, sizeof got);
        const char *disp = strstr(got, "|_display.f="), *cased = strstr(got, "|_case.f=");
        assert_true(!disp != !cased);
        if (cased) /* f=FOLDED|_case.f=MARKS */
            snprintf(term, sizeof term, "%.*s^^%s", (int)(cased - got - 2), got + 2, cased + strlen("|_case.f="));
        else
            snprintf(term, sizeof term, "%s", disp + strlen("|_display.f="));
        char *sep = strchr(term, '^');
        assert_non_null(sep);
        *sep = '\0';
        for (char *p = sep + 1; *p; p++)
            if (*p == '^') *p = CRIBLE_INDEX_DISPLAY_SEP;
        size_t n = ix_display_written(term, strlen(term), sep + 1, strlen(sep + 1), out, sizeof out);
        assert_int_equal(n, strlen(forms[i]));
        assert_string_equal(out, forms[i]);
    }
    /* marks that do not fit the folded form: refused, not read past it */
    char out[64];
    assert_int_equal(ix_display_written("ab", 2, "\x1f!$", 3, out, sizeof out), 0);
    assert_int_equal(ix_display_written("ab", 2, "\x1f!\"", 3, out, sizeof out), 2);
    assert_string_equal(out, "AB");
    values_of("{\"a\":\"A\\u001fB\"}", got, sizeof got);
    assert_string_equal(got, "a=a^b");
    char doc[512], want[512];
    char long_value[201];
    memset(long_value, 'A', 200);
    long_value[200] = 0;
    snprintf(doc, sizeof doc, "{\"o\":{\"k\":\"%s\"}}", long_value);
    values_of(doc, got, sizeof got);
    for (int i = 0; i < 200; i++) long_value[i] = 'a';
    snprintf(want, sizeof want, "o.k=%s", long_value);
    assert_string_equal(got, want);
    /* a pattern whose compact display term would pass CRIBLE_TERM_MAX
     * (254 bytes, two values of "a.b"): neither */
    char big[255];
    memset(big, 'b', 254);
    big[0] = 'B';
    big[254] = 0;
    snprintf(doc, sizeof doc, "{\"a\":{\"b\":\"%s\"}}", big);
    values_of(doc, got, sizeof got);
    big[0] = 'b';
    snprintf(want, sizeof want, "a.b=%s|_case.a.b=!", big);
    assert_string_equal(got, want);
    big[0] = 'B';
    snprintf(doc, sizeof doc, "{\"a.b\":\"x\",\"a\":{\"b\":\"%s\"}}", big);
    values_of(doc, got, sizeof got);
    big[0] = 'b';
    snprintf(want, sizeof want, "a.b=x|a.b=%s", big);
    assert_string_equal(got, want);
}

static void test_reviews(void **state)
{
    (void)state;
    const char *shared = getenv("CRIBLE_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/reviews/reviews.jsonl", shared ? shared : "../shared");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "skipped: shared data absent: %s\n", path);
        skip();
    }
    char *line = NULL;
    size_t cap = 0, values = 0;
    ssize_t len;
    long lines = 0, fast = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        bool ok;
        values += agree(line, (size_t)len, &ok);
        fast += ok;
        lines++;
    }
    fclose(f);
    free(line);
    assert_true(lines > 12000);
    assert_int_equal(fast, lines);
    assert_true(values > (size_t)lines * 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_display_terms),
        cmocka_unit_test(test_reviews),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
