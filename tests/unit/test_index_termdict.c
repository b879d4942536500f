/*
 * test_index_termdict.c - the interner of terms (index_termdict.h): the
 * same number for the same term of a field, another for another field;
 * the lasting terms first, then a dictionary's own ones, which it forgets
 * (a few of them, or after its table grew); terms cut at CRIBLE_TERM_MAX
 * on a character; ix_same_bytes at every length and every difference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_termdict.h"

static uint32_t intern(ix_interner *in, ix_termset *own, uint32_t f, const char *s)
{
    uint32_t id = 0;
    assert_true(ix_intern(in, own, f, s, strlen(s), &id));
    return id;
}

static void test_same_term(void **state)
{
    (void)state;
    ix_interner in = {0};
    ix_termset own = {0};
    ix_interner_open(&in);
    uint32_t a = intern(&in, &own, 0, "grève"), b = intern(&in, &own, 1, "grève"),
             c = intern(&in, &own, 0, "grev"), d = intern(&in, &own, 0, "grève");
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);   /* another field: another term */
    assert_int_equal(c, 2);
    assert_int_equal(d, a);
    assert_int_equal(in.nlasting, 3);
    assert_int_equal(own.terms.len, 0);
    /* the dictionary says each term's bytes and hash as the buffer reads them */
    ix_termdict dict;
    ix_interner_dict(&in, &own, NULL, NULL, &dict);
    assert_int_equal(dict.nlasting, 3);
    assert_int_equal(dict.n, 0);
    assert_string_equal(dict.lpool + dict.lasting[c].off, "grev");
    assert_int_equal(dict.lasting[c].len, 4);
    assert_int_equal(dict.lasting[c].hash, ix_term_hash("grev", 4));
    assert_true(ix_interner_lasting_is(&in, a, "grève", strlen("grève")));
    assert_false(ix_interner_lasting_is(&in, a, "grèves", strlen("grèves")));
    ix_interner_free(&in);
    ix_termset_free(&own);
}

/* Past IX_DICT_LASTING terms, the dictionary's own, numbered from
 * IX_DICT_LASTING; forgotten, they are numbered again from there, and the
 * lasting ones keep their numbers. */
static void test_own_terms(void **state)
{
    (void)state;
    ix_interner in = {0};
    ix_termset own = {0};
    ix_interner_open(&in);
    char w[32];
    for (uint32_t i = 0; i < IX_DICT_LASTING; i++) {
        snprintf(w, sizeof w, "mot%u", i);
        assert_int_equal(intern(&in, &own, 0, w), i);
    }
    for (int round = 0; round < 3; round++) {
        /* round 0: a few own terms (freed one by one); round 1: 5,000 (the
         * table grows: cleared whole); round 2: a few again */
        uint32_t n = round == 1 ? 5000 : 40;
        for (uint32_t i = 0; i < n; i++) {
            snprintf(w, sizeof w, "neuf%u-%u", round, n - 1 - i);
            assert_int_equal(intern(&in, &own, 2, w), IX_DICT_LASTING + i);
        }
        for (uint32_t i = 0; i < n; i++) {
            snprintf(w, sizeof w, "neuf%u-%u", round, n - 1 - i);
            assert_int_equal(intern(&in, &own, 2, w), IX_DICT_LASTING + i);
        }
        assert_int_equal(intern(&in, &own, 0, "mot77"), 77);
        assert_int_equal(own.terms.len, n * sizeof(ix_dterm));
        ix_termdict dict;
        ix_interner_dict(&in, &own, NULL, NULL, &dict);
        assert_int_equal(dict.n, n);
        assert_string_equal(dict.pool + dict.terms[0].off, round == 1 ? "neuf1-4999" : round ? "neuf2-39" : "neuf0-39");
        ix_interner_forget(&in, &own);
        ix_termset_clear(&own);
        /* forgotten: the last one is a new term, first of the next dictionary */
        snprintf(w, sizeof w, "neuf%u-%u", round, 0u);
        assert_int_equal(intern(&in, &own, 2, w), IX_DICT_LASTING);
        ix_interner_forget(&in, &own);
        ix_termset_clear(&own);
    }
    assert_int_equal(in.nlasting, IX_DICT_LASTING);
    ix_interner_free(&in);
    ix_termset_free(&own);
}

/* Without the lasting terms' memory every term is the dictionary's. */
static void test_no_lasting(void **state)
{
    (void)state;
    ix_interner in = {0};
    ix_termset own = {0};
    assert_int_equal(intern(&in, &own, 0, "chat"), IX_DICT_LASTING);
    assert_int_equal(intern(&in, &own, 0, "chien"), IX_DICT_LASTING + 1);
    assert_int_equal(intern(&in, &own, 0, "chat"), IX_DICT_LASTING);
    ix_interner_free(&in);
    ix_termset_free(&own);
}

/* A term longer than CRIBLE_TERM_MAX is cut on a character: two that
 * differ after the cut are one term. */
static void test_cut(void **state)
{
    (void)state;
    ix_interner in = {0};
    ix_termset own = {0};
    ix_interner_open(&in);
    char a[400] = "", b[400];
    for (int i = 0; i < 130; i++) strcat(a, "é");   /* 260 bytes */
    memcpy(b, a, sizeof a);
    strcat(a, "x");
    strcat(b, "y");
    uint32_t ia = intern(&in, &own, 0, a), ib = intern(&in, &own, 0, b);
    assert_int_equal(ia, ib);
    assert_int_equal(in.lterms[ia].len, 254);   /* 255 would split an é */
    ix_interner_free(&in);
    ix_termset_free(&own);
}

static void test_same_bytes(void **state)
{
    (void)state;
    char a[40], b[40];
    for (size_t n = 0; n <= 24; n++) {
        for (size_t i = 0; i < n; i++) a[i] = b[i] = (char)('a' + i);
        assert_true(ix_same_bytes(a, b, n));
        for (size_t k = 0; k < n; k++) {
            b[k] ^= 1;
            assert_false(ix_same_bytes(a, b, n));
            b[k] ^= 1;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_term), cmocka_unit_test(test_own_terms), cmocka_unit_test(test_no_lasting),
        cmocka_unit_test(test_cut), cmocka_unit_test(test_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
