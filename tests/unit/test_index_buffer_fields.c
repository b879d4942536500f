/*
 * test_index_buffer_fields.c - the fields a document needs, checked by
 * ix_membuf_add (index_buffer.c: fields_can) before it changes anything: a
 * document refused for its fields leaves neither its stored record, nor
 * its id, nor a posting in the buffer, even when the document collides
 * with itself (its text field's NAME.exact also one of its metadata
 * names; a text field's name also a keyword of it) on a buffer that has
 * none of those fields yet; and a metadata name whose numbers and keywords
 * come in one document (either order) gets NAME and NAME#.
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

#include "index_buffer.h"

typedef struct fixture {
    char dir[64], path[96];
    ix_membuf *b;
    ix_segw *w;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_ixbuf_fields.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/seg-000001.cri", f->dir);
    crible_error err;
    assert_int_equal(ix_membuf_new(&f->b, &err), CRIBLE_OK);
    assert_int_equal(ix_segw_open(f->path, 1, &f->w, &err), CRIBLE_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->w) ix_segw_abort(f->w);
    ix_membuf_free(f->b);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* "Une nouvelle étrange." as the field `name`'s tokens. */
static const char TEXT[] = "Une nouvelle étrange.";
static const crible_index_token TOKS[] = {
    {"une", "une", 0, 3}, {"nouvel", "nouvelle", 4, 12}, {"étrang", "étrange", 13, 21}, {NULL, ".", 21, 22}};
static const uint32_t SENTS[] = {0};

static crible_status add(fixture *f, const char *id, const char *name, const ix_kv *kvs, size_t nkvs,
                         crible_error *err)
{
    char json[128];
    snprintf(json, sizeof json, "{\"id\":\"%s\"}", id);
    ix_docfield fd = {name, TEXT, strlen(TEXT), TOKS, 4, SENTS, 1, NULL, NULL};
    return ix_membuf_add(f->b, f->w, id, json, strlen(json), &fd, 1, kvs, nkvs, NULL, 0, err);
}

/* Refused, with nothing of it left: no document, no stored record, no id;
 * the next document is document 0 and the buffer flushes. */
static void refused_leaves_nothing(fixture *f, const char *name, const ix_kv *kvs, size_t nkvs,
                                   const char *what)
{
    crible_error err;
    crible_error_clear(&err);
    assert_int_equal(add(f, "b", name, kvs, nkvs, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, what));
    assert_int_equal(ix_membuf_ndocs(f->b), 0);
    assert_int_equal(ix_segw_ndocs(f->w), 0);
    assert_int_equal(ix_membuf_find(f->b, "b"), UINT32_MAX);
    assert_int_equal(add(f, "c", "text", NULL, 0, &err), CRIBLE_OK);
    assert_int_equal(ix_membuf_ndocs(f->b), 1);
    assert_int_equal(ix_membuf_find(f->b, "c"), 0);
    assert_int_equal(ix_membuf_find(f->b, "b"), UINT32_MAX);
    uint64_t size = 0, *deleted = NULL;
    uint32_t ndeleted = 0;
    assert_int_equal(ix_membuf_flush(f->b, f->w, &size, &deleted, &ndeleted, &err), CRIBLE_OK);
    f->w = NULL;   /* finished by the flush */
    free(deleted);
    assert_int_equal(ndeleted, 0);
}

/* The text field makes text.exact; the document's metadata "text.exact"
 * would be a keyword of it (the first document of the buffer: neither is
 * there before). */
static void test_self_exact(void **state)
{
    const ix_kv kv = {"text.exact", "x", false, 0};
    refused_leaves_nothing(*state, "text", &kv, 1, "'text.exact' used as two kinds (exact forms and keyword)");
}

/* A text field "title" and a keyword "title" in one document. */
static void test_self_text_keyword(void **state)
{
    const ix_kv kv = {"title", "le horla", false, 0};
    refused_leaves_nothing(*state, "title", &kv, 1, "'title' used as two kinds (text and keyword)");
}

/* A keyword, then the numeric field its name makes NAME# (the number
 * planned as NAME#, not as NAME where the keyword will be). */
static void test_self_numeric_after_keyword(void **state)
{
    fixture *f = *state;
    crible_error err;
    const ix_kv kvs[] = {{"item_title", "le horla", false, 0}, {"item_title", "1984", true, 1984}};
    assert_int_equal(add(f, "a", "text", kvs, 2, &err), CRIBLE_OK);
    const ix_kv back[] = {{"item_title", NULL, true, 1887}, {"item_title", "1984", true, 1984}};
    assert_int_equal(add(f, "b", "text", back, 2, &err), CRIBLE_OK);
    assert_int_equal(ix_membuf_ndocs(f->b), 2);
    /* the other order, in a document of its own: numbers first, then a
     * keyword takes the name over */
    const ix_kv other[] = {{"year", NULL, true, 1887}, {"year", "inconnue", false, 0}, {"year", NULL, true, 1888}};
    assert_int_equal(add(f, "c", "text", other, 3, &err), CRIBLE_OK);
    /* a text field named as the keyword: refused, nothing left */
    const ix_kv kv = {"note", "x", false, 0};
    crible_error_clear(&err);
    assert_int_equal(add(f, "d", "year", &kv, 1, &err), CRIBLE_EDATA);
    assert_int_equal(ix_membuf_ndocs(f->b), 3);
    assert_int_equal(ix_segw_ndocs(f->w), 3);
    assert_int_equal(ix_membuf_find(f->b, "d"), UINT32_MAX);
    uint64_t size = 0, *deleted = NULL;
    uint32_t ndeleted = 0;
    assert_int_equal(ix_membuf_flush(f->b, f->w, &size, &deleted, &ndeleted, &err), CRIBLE_OK);
    f->w = NULL;
    free(deleted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_self_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_text_keyword, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_numeric_after_keyword, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
