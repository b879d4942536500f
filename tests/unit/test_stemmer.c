/*
 * test_stemmer.c - the stemming side of the analysis chain: crible's
 * Snowball 3 French (stem_french.h), the word map, the correction table,
 * the stemmer (protected words, overrides, folding, cache, languages), stop
 * words, the `stem:` section and the per-language bank.  Real French words
 * throughout; the expected stems are Snowball's own (snowball-data) or the
 * corrections the issue asks for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "options.h"
#include "stem_bank.h"
#include "stem_corrections.h"
#include "stem_fold.h"
#include "stem_french.h"
#include "stem_options.h"
#include "stem_memo.h"
#include "stem_wordmap.h"
#include "stemmer.h"
#include "stopwords.h"

/* --- Snowball 3 French --------------------------------------------------- */

static void test_french_snowball3(void **state)
{
    (void)state;
    /* word, Snowball 3 stem (lines of snowball-data french/output.txt, and
     * the changes since libstemmer 2.2 that Debian ships) */
    static const char *const cases[][2] = {
        {"abandonnée", "abandon"}, {"généreusement", "géner"}, {"continuellement", "continuel"},
        {"harcèlement", "harcel"}, {"c'est", "est"}, {"qu'il", "il"}, {"d'accès", "acces"},
        {"bijoux", "bijou"}, {"genoux", "genou"}, {"mauvais", "mauvais"}, {"palais", "palais"},
        {"japonaise", "japon"}, {"françaises", "franc"}, {"niées", "nié"}, {"nie", "nie"},
        {"aujourd'hui", "aujourd'hui"}, {"victimes", "victim"}, {"réseaux", "réseau"},
        {"sociaux", "social"}, {"naïveté", "naïvet"}, {"noël", "noël"}, {"payer", "pai"},
        {"", ""}, {"a", "a"},
    };
    crible_error err;
    crible_french_stemmer *fs = crible_french_stemmer_new(&err);
    assert_non_null(fs);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n;
        const char *s = crible_french_stem(fs, cases[i][0], strlen(cases[i][0]), &n);
        assert_non_null(s);
        if (strcmp(s, cases[i][1]) != 0)
            fail_msg("%s -> %s, expected %s", cases[i][0], s, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
    }
    /* invalid UTF-8 bytes go through untouched, one opaque character each */
    size_t n;
    const char *s = crible_french_stem(fs, "ab\xff" "ement", 8, &n);
    assert_non_null(s);
    assert_memory_equal(s, "ab\xff", 3);
    crible_french_stemmer_free(fs);
}

/* --- word map ------------------------------------------------------------ */

static void test_wordmap(void **state)
{
    (void)state;
    crible_error err;
    crible_wordmap *m = crible_wordmap_new(0, &err);
    char k[32], v[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "mot%d", i);
        snprintf(v, sizeof v, "val%d", i * 7);
        assert_int_equal(crible_wordmap_put(m, k, strlen(k), v, strlen(v), &err), CRIBLE_OK);
    }
    assert_int_equal(crible_wordmap_count(m), 5000);
    for (int i = 0; i < 5000; i += 37) {
        snprintf(k, sizeof k, "mot%d", i);
        snprintf(v, sizeof v, "val%d", i * 7);
        size_t n;
        const char *got = crible_wordmap_get(m, k, strlen(k), &n);
        assert_non_null(got);
        assert_string_equal(got, v);
        assert_int_equal(n, strlen(v));
    }
    assert_null(crible_wordmap_get(m, "mot5000", 7, NULL));
    /* first definition wins */
    assert_int_equal(crible_wordmap_put(m, "mot1", 4, "autre", 5, &err), CRIBLE_OK);
    assert_string_equal(crible_wordmap_get(m, "mot1", 4, NULL), "val7");
    crible_wordmap_free(m);

    /* a bounded map (a cache) empties itself instead of growing */
    m = crible_wordmap_new(100, &err);
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof k, "w%d", i);
        assert_int_equal(crible_wordmap_put(m, k, strlen(k), k, strlen(k), &err), CRIBLE_OK);
        assert_true(crible_wordmap_count(m) <= 100);
    }
    assert_string_equal(crible_wordmap_get(m, "w999", 4, NULL), "w999");
    crible_wordmap_free(m);
}

/* Words of every length from 1 to 40 bytes, differing in one byte only at
 * each place: the 8-byte hash and compare of stem_hash.h tell them apart
 * (the overlapping loads of a 4-to-8-byte word cover every byte). */
static void test_hash_and_compare(void **state)
{
    (void)state;
    char a[48], b[48];
    for (size_t len = 1; len <= 40; len++) {
        memset(a, 'e', len);
        assert_true(crible_bytes_same(a, a, len));
        for (size_t i = 0; i < len; i++) {
            memcpy(b, a, len);
            b[i] = 'f';
            assert_false(crible_bytes_same(a, b, len));
            assert_true(crible_bytes_hash(a, len) != crible_bytes_hash(b, len));
        }
        assert_true(crible_bytes_hash(a, len) != crible_bytes_hash(a, len - 1));
    }
    crible_error err;   /* a map of such near-twins finds each one */
    crible_wordmap *m = crible_wordmap_new(0, &err);
    for (size_t len = 1; len <= 40; len++)
        for (size_t i = 0; i < len; i++) {
            memset(a, 'e', len);
            a[i] = 'f';
            assert_int_equal(crible_wordmap_put(m, a, len, a + i, len - i, &err), CRIBLE_OK);
        }
    for (size_t len = 1; len <= 40; len++)
        for (size_t i = 0; i < len; i++) {
            memset(a, 'e', len);
            a[i] = 'f';
            size_t n;
            const char *v = crible_wordmap_get(m, a, len, &n);
            assert_non_null(v);
            assert_int_equal(n, len - i);
            assert_memory_equal(v, a + i, n);
        }
    crible_wordmap_free(m);
}

/* The stem memo: a slot holds one word; another word of the same slot
 * replaces it; a term longer than CRIBLE_STEM_MEMO_MAX is not kept. */
static void test_stem_memo(void **state)
{
    (void)state;
    crible_error err;
    crible_stem_memo *m = crible_stem_memo_new(&err);
    assert_non_null(m);
    uint64_t h = crible_bytes_hash("déçue", 7);
    crible_stem_memo_entry *e = crible_stem_memo_slot(m, h);
    assert_false(crible_stem_memo_holds(e, "déçue", 7, h));
    crible_stem_memo_fill(e, "déçue", 7, h, "décev", 6, false, 0);
    assert_true(crible_stem_memo_holds(e, "déçue", 7, h));
    assert_string_equal(e->term, "décev");
    assert_int_equal(e->term_len, 6);
    assert_false(crible_stem_memo_holds(e, "déçu", 6, crible_bytes_hash("déçu", 6)));
    /* a word with the same slot but another hash is not taken for it */
    assert_false(crible_stem_memo_holds(e, "déçue", 7, h ^ ((uint64_t)1 << 40)));
    crible_stem_memo_fill(e, "les", 3, h, "le", 2, true, 0);
    assert_false(crible_stem_memo_holds(e, "déçue", 7, h));
    assert_true(crible_stem_memo_holds(e, "les", 3, h) && e->stop);
    static const char longterm[] = "anticonstitutionnellementxyz";   /* 28 bytes */
    crible_stem_memo_fill(e, "x", 1, h, longterm, sizeof longterm - 1, false, 0);
    assert_true(crible_stem_memo_holds(e, "les", 3, h));   /* unchanged */
    crible_stem_memo_free(m);
}

/* --- folding ------------------------------------------------------------- */

static void test_fold(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(crible_fold_accents("déçu", strlen("déçu"), out, sizeof out), 4);
    assert_string_equal(out, "decu");
    crible_fold_accents("œuvr", strlen("œuvr"), out, sizeof out);
    assert_string_equal(out, "oeuvr");
    crible_fold_case("ÉTÉ Netflix’s", strlen("ÉTÉ Netflix’s"), out, sizeof out);
    assert_string_equal(out, "été netflix's");
    crible_fold_case("Straße", strlen("Straße"), out, sizeof out);
    assert_string_equal(out, "strasse");
    crible_fold_ligatures("cœur et Æsop", strlen("cœur et Æsop"), out, sizeof out);
    assert_string_equal(out, "coeur et AEsop");
    assert_int_equal(crible_fold_accents("déçu", strlen("déçu"), out, 3), (size_t)-1);
}

/* --- correction table ---------------------------------------------------- */

static crible_stem_corrections *shipped_table(void)
{
    char path[4096];
    crible_error err;
    crible_stem_corrections *c = NULL;
    assert_true(crible_data_find(CRIBLE_STEM_CORRECTIONS_FILE, path, sizeof path));
    assert_int_equal(crible_stem_corrections_open(path, &c, &err), CRIBLE_OK);
    return c;
}

static void test_corrections_table(void **state)
{
    (void)state;
    crible_error err;
    crible_stem_corrections *c = shipped_table();
    size_t entries = 0;
    if (crible_stem_corrections_check(c, &entries, &err) != CRIBLE_OK)
        fail_msg("%s", err.message);
    assert_true(entries > 10000);
    size_t n;
    const char *k = crible_stem_corrections_lookup(c, "nulle", 5, &n);
    assert_non_null(k);
    assert_int_equal(n, 3);
    assert_memory_equal(k, "nul", 3);
    assert_null(crible_stem_corrections_lookup(c, "zzzzzzzz", 8, &n));
    assert_null(crible_stem_corrections_lookup(c, "", 0, &n));
    assert_null(crible_stem_corrections_lookup(c, "nul", 3, &n));   /* its stem is itself */
    /* past a few thousand lookups a hash index answers: the same answers
     * as the binary search, for words in the table and words not in it */
    static const char *const words[] = {"nulle", "longue", "jeux", "mauvais", "mauve",
                                        "décevante", "zzzzzzzz", "nul", "", "netflix",
                                        "harcèlement", "yeux", "a", "ée"};
    size_t nw = sizeof words / sizeof *words;
    char before[sizeof words / sizeof *words][64];
    for (size_t i = 0; i < nw; i++) {
        const char *v = crible_stem_corrections_lookup(c, words[i], strlen(words[i]), &n);
        snprintf(before[i], sizeof before[i], "%.*s", v ? (int)n : 1, v ? v : "-");
    }
    for (int round = 0; round < 400; round++) {
        for (size_t i = 0; i < nw; i++) {
            const char *v = crible_stem_corrections_lookup(c, words[i], strlen(words[i]), &n);
            char now[64];
            snprintf(now, sizeof now, "%.*s", v ? (int)n : 1, v ? v : "-");
            assert_string_equal(now, before[i]);
        }
    }
    crible_stem_corrections_close(c);

    /* a file that is not a table */
    char tmp[] = "/tmp/crible-corrXXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "jeux\tjeu\n", 9), 9);
    close(fd);
    assert_int_equal(crible_stem_corrections_open(tmp, &c, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "not a crible stem corrections file"));
    /* out of order entries are found by the check */
    FILE *f = fopen(tmp, "w");
    fputs(CRIBLE_STEM_CORRECTIONS_MAGIC "\n# test\njeux\tjeu\nabc\tab\n", f);
    fclose(f);
    assert_int_equal(crible_stem_corrections_open(tmp, &c, &err), CRIBLE_OK);
    assert_int_equal(crible_stem_corrections_check(c, NULL, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, ":4: 'abc' is out of order"));
    crible_stem_corrections_close(c);
    unlink(tmp);
    assert_int_equal(crible_stem_corrections_open("/nonexistent/x.tsv", &c, &err), CRIBLE_EIO);
}

/* Threads sharing one table: each looks words up (binary search, then
 * the index once published) while the main thread builds the index. */
typedef struct shared_lookups {
    crible_stem_corrections *c;
    int wrong;
} shared_lookups;

static void *lookup_many(void *arg)
{
    shared_lookups *s = arg;
    static const char *const words[][2] = {{"nulle", "nul"}, {"longue", "long"}, {"jeux", "jeu"},
                                           {"zzzzzzzz", NULL}, {"nul", NULL}};
    for (int round = 0; round < 3000; round++)
        for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
            size_t n;
            const char *k = crible_stem_corrections_lookup(s->c, words[i][0], strlen(words[i][0]), &n);
            if (words[i][1] ? !k || n != strlen(words[i][1]) || memcmp(k, words[i][1], n) : k != NULL)
                s->wrong++;
        }
    return NULL;
}

static void test_corrections_shared(void **state)
{
    (void)state;
    /* the same file opened twice: one table, counted */
    crible_stem_corrections *a = shipped_table(), *b = shipped_table();
    assert_ptr_equal(a, b);
    crible_stem_corrections_close(b);
    shared_lookups s[2] = {{a, 0}, {a, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, lookup_many, &s[i]), 0);
    crible_stem_corrections_prepare(a);
    crible_stem_corrections_prepare(a);   /* built once */
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(s[i].wrong, 0);
    }
    size_t n;
    assert_non_null(crible_stem_corrections_lookup(a, "nulle", 5, &n));
    crible_stem_corrections_close(a);   /* the last close frees it */
    crible_stem_corrections_prepare(NULL);
}

/* --- the stemmer --------------------------------------------------------- */

static const char *stem(crible_stemmer *s, const char *w)
{
    size_t n;
    const char *t = crible_stemmer_stem(s, w, strlen(w), &n);
    assert_non_null(t);
    assert_int_equal(strlen(t), n);
    return t;
}

static void assert_same(crible_stemmer *s, const char *a, const char *b)
{
    char ta[256];
    snprintf(ta, sizeof ta, "%s", stem(s, a));
    if (strcmp(ta, stem(s, b)) != 0)
        fail_msg("%s -> %s but %s -> %s: expected one term", a, ta, b, stem(s, b));
}

static void assert_apart(crible_stemmer *s, const char *a, const char *b)
{
    char ta[256];
    snprintf(ta, sizeof ta, "%s", stem(s, a));
    if (strcmp(ta, stem(s, b)) == 0)
        fail_msg("%s and %s both -> %s: expected two terms", a, b, ta);
}

static void test_stemmer_corrections(void **state)
{
    (void)state;
    crible_error err;
    crible_stemmer *s;
    assert_int_equal(crible_stemmer_new(NULL, &s, &err), CRIBLE_OK);
    assert_true(crible_stemmer_has_corrections(s));
    /* what Debian's libstemmer 2.2 splits or conflates (the list) */
    assert_apart(s, "mauvais", "mauve");
    assert_apart(s, "mauvaise", "mauves");
    assert_apart(s, "génie", "gens");
    assert_apart(s, "généreux", "générique");
    assert_same(s, "nul", "nulle");
    assert_same(s, "nulles", "nuls");
    assert_same(s, "long", "longue");
    assert_same(s, "jeu", "jeux");
    assert_same(s, "œuvre", "oeuvre");
    assert_same(s, "œuvres", "oeuvre");
    assert_same(s, "déçu", "décevant");
    assert_same(s, "déçue", "déception");
    /* accent-less spellings of lexicon words (reviews are full of them) */
    assert_same(s, "decu", "déçu");
    assert_same(s, "etage", "étage");
    assert_same(s, "abandonnee", "abandonnée");
    assert_same(s, "harcelement", "harcèlement");
    /* ...but words that differ by an accent stay apart */
    assert_apart(s, "côte", "côté");
    assert_same(s, "victime", "victimes");
    /* the cache answers the same thing twice */
    char first[64];
    snprintf(first, sizeof first, "%s", stem(s, "longues"));
    assert_string_equal(stem(s, "longues"), first);
    crible_stemmer_free(s);

    /* corrections off: plain Snowball 3 */
    crible_stemmer_options o;
    crible_stemmer_options_init(&o);
    o.corrections = false;
    assert_int_equal(crible_stemmer_new(&o, &s, &err), CRIBLE_OK);
    assert_false(crible_stemmer_has_corrections(s));
    assert_string_equal(stem(s, "nulle"), "null");
    assert_string_equal(stem(s, "mauve"), "mauv");
    assert_string_equal(stem(s, "œuvre"), "œuvr");
    crible_stemmer_free(s);
}

static void test_stemmer_options(void **state)
{
    (void)state;
    crible_error err;
    crible_stemmer *s;
    crible_stemmer_options o;
    crible_stemmer_options_init(&o);
    static const char *const prot[] = {"Netflix", "Disney+"};
    static const char *const ow[] = {"Séries"}, *const os[] = {"série"};
    o.protected_words = prot;
    o.nprotected = 2;
    o.override_words = ow;
    o.override_stems = os;
    o.noverrides = 1;
    o.fold_accents = true;
    o.cache_entries = 4;   /* a tiny cache, emptied again and again */
    assert_int_equal(crible_stemmer_new(&o, &s, &err), CRIBLE_OK);
    for (int round = 0; round < 3; round++) {
        assert_string_equal(stem(s, "netflix"), "netflix");
        assert_string_equal(stem(s, "disney+"), "disney+");
        assert_string_equal(stem(s, "séries"), "serie");
        assert_string_equal(stem(s, "déçu"), "decev");
        assert_string_equal(stem(s, "harcèlement"), "harcel");
        assert_string_equal(stem(s, "œuvres"), "oeuvr");
        assert_string_equal(stem(s, ""), "");
    }
    crible_stemmer_free(s);

    /* other algorithms, through libstemmer */
    crible_stemmer_options_init(&o);
    o.algorithm = "en_GB";
    assert_int_equal(crible_stemmer_new(&o, &s, &err), CRIBLE_OK);
    assert_string_equal(crible_stemmer_algorithm_name(s), "english");
    assert_string_equal(stem(s, "running"), "run");
    crible_stemmer_free(s);
    o.algorithm = "libstemmer:french";
    assert_int_equal(crible_stemmer_new(&o, &s, &err), CRIBLE_OK);
    assert_string_equal(stem(s, "c'est"), "c'est");   /* 2.2 keeps elisions */
    crible_stemmer_free(s);
    o.algorithm = "none";
    assert_int_equal(crible_stemmer_new(&o, &s, &err), CRIBLE_OK);
    assert_string_equal(stem(s, "victimes"), "victimes");
    crible_stemmer_free(s);
    o.algorithm = "klingon";
    assert_int_equal(crible_stemmer_new(&o, &s, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "unknown stemming algorithm 'klingon'"));
}

static void test_algorithm_names(void **state)
{
    (void)state;
    static const char *const fr[] = {"fr", "FR", "fr-FR", "fr_CA", "fra", "fre", "French",
                                     "français", "francais"};
    for (size_t i = 0; i < sizeof fr / sizeof *fr; i++)
        assert_string_equal(crible_stem_algorithm(fr[i]), "french");
    assert_string_equal(crible_stem_algorithm("en-US"), "english");
    assert_string_equal(crible_stem_algorithm("de"), "german");
    assert_string_equal(crible_stem_algorithm("libstemmer:fr"), "libstemmer:french");
    assert_string_equal(crible_stem_algorithm("none"), "none");
    assert_null(crible_stem_algorithm("xx"));
    assert_null(crible_stem_algorithm("frx"));
    assert_null(crible_stem_algorithm(NULL));
    assert_string_equal(crible_stem_algorithm_iso("french"), "fr");
}

/* --- stop words ---------------------------------------------------------- */

static void test_stopwords(void **state)
{
    (void)state;
    char path[4096];
    crible_error err;
    crible_stopwords *sw = crible_stopwords_new(&err);
    assert_true(crible_data_find("stopwords-fr.txt", path, sizeof path));
    assert_int_equal(crible_stopwords_load(sw, path, &err), CRIBLE_OK);
    static const char *const stop[] = {"le", "l'", "de", "du", "est", "étaient", "qu'", "-il",
                                       "même", "meme", "ete"};
    static const char *const kept[] = {"ne", "n'", "n", "pas", "sans", "mais", "bon", "nul",
                                       "très", "trop", "plus", "jamais", "rien", "netflix"};
    for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
        if (!crible_stopwords_contains(sw, stop[i], strlen(stop[i])))
            fail_msg("'%s' should be a stop word", stop[i]);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        if (crible_stopwords_contains(sw, kept[i], strlen(kept[i])))
            fail_msg("'%s' carries meaning: it must not be a stop word", kept[i]);
    assert_int_equal(crible_stopwords_add(sw, "Quand", 5, &err), CRIBLE_OK);
    assert_true(crible_stopwords_contains(sw, "quand", 5));
    assert_int_equal(crible_stopwords_add(sw, "", 0, &err), CRIBLE_EDATA);
    crible_stopwords_free(sw);

    char tmp[] = "/tmp/crible-stopXXXXXX";
    int fd = mkstemp(tmp);
    assert_int_equal(write(fd, "# c\nle\n  la  \nbad\xff\n", 19), 19);
    close(fd);
    sw = crible_stopwords_new(&err);
    assert_int_equal(crible_stopwords_load(sw, tmp, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, ":4: invalid UTF-8"));
    assert_true(crible_stopwords_contains(sw, "la", 2));
    crible_stopwords_free(sw);
    unlink(tmp);
    sw = crible_stopwords_new(&err);
    assert_int_equal(crible_stopwords_load(sw, "/nonexistent", &err), CRIBLE_EIO);
    crible_stopwords_free(sw);
}

/* --- the stem: section and the bank -------------------------------------- */

static crible_status load_section(const char *yaml, crible_stem_options *o, crible_config **c,
                                  crible_error *err)
{
    const crible_node *section;
    assert_int_equal(crible_config_load_string(yaml, "t.yaml", c, err), CRIBLE_OK);
    assert_int_equal(crible_config_section(*c, "stem", &section, err), CRIBLE_OK);
    return crible_stem_options_load(*c, section, o, err);
}

static void test_options_section(void **state)
{
    (void)state;
    crible_error err;
    crible_config *c;
    crible_stem_options o;
    assert_int_equal(load_section("stem:\n  algorithm: fr\n  protected: [Netflix]\n"
                                  "  overrides:\n    séries: série\n  stopwords: [le, la]\n"
                                  "  fold_accents: true\n  cache: 0\n", &o, &c, &err), CRIBLE_OK);
    assert_int_equal(o.stemmer.nprotected, 1);
    assert_int_equal(o.stemmer.noverrides, 1);
    assert_int_equal(o.nstopwords_list, 2);
    assert_true(o.stemmer.fold_accents);
    assert_int_equal(o.stemmer.cache_entries, 0);
    char *json = crible_stem_options_json(&o);
    assert_non_null(strstr(json, "\"overrides\":{\"séries\":\"série\"}"));
    assert_non_null(strstr(json, "\"stopwords\":[\"le\",\"la\"]"));
    crible_stem_bank *b;
    assert_int_equal(crible_stem_bank_open(&o, &b, &err), CRIBLE_OK);
    size_t n;
    bool stop;
    assert_string_equal(crible_stem_bank_token(b, "séries", strlen("séries"), CRIBLE_TOKEN_WORD,
                                               &n, &stop), "serie");
    assert_true(crible_stem_bank_is_stop(b, "la", 2));
    assert_false(crible_stem_bank_is_stop(b, "du", 2));   /* the list replaced the default */
    crible_stem_bank_free(b);
    crible_stem_options_free(&o);
    crible_config_free(c);
    free(json);

    assert_int_equal(load_section("stem:\n  algoritm: french\n", &o, &c, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "t.yaml:2:3: unknown key 'algoritm' in 'stem' (did you mean 'algorithm'?)"));
    crible_config_free(c);
    assert_int_equal(load_section("stem:\n  algorithm: klingon\n", &o, &c, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "t.yaml:2:14: unknown stemming algorithm 'klingon'"));
    crible_config_free(c);
    assert_int_equal(load_section("stem:\n  stopwords: nowhere.txt\n", &o, &c, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, "no such file 'nowhere.txt'"));
    crible_config_free(c);
    assert_int_equal(load_section("stem:\n  stopwords: false\n", &o, &c, &err), CRIBLE_OK);
    assert_false(o.stopwords);
    crible_stem_options_free(&o);
    crible_config_free(c);
}

static void test_bank(void **state)
{
    (void)state;
    crible_error err;
    crible_stem_bank *b;
    assert_int_equal(crible_stem_bank_open(NULL, &b, &err), CRIBLE_OK);
    size_t n;
    bool stop;
    const char *t = crible_stem_bank_token(b, "victimes", 8, CRIBLE_TOKEN_WORD, &n, &stop);
    assert_string_equal(t, "victim");
    assert_false(stop);
    t = crible_stem_bank_token(b, "du", 2, CRIBLE_TOKEN_WORD, &n, &stop);
    assert_true(stop);
    t = crible_stem_bank_token(b, "pas", 3, CRIBLE_TOKEN_WORD, &n, &stop);
    assert_false(stop);
    t = crible_stem_bank_token(b, ",", 1, CRIBLE_TOKEN_PUNCT, &n, &stop);
    assert_string_equal(t, "");
    assert_int_equal(n, 0);
    t = crible_stem_bank_token(b, "3,5", 3, CRIBLE_TOKEN_NUMBER, &n, &stop);
    assert_string_equal(t, "3,5");
    t = crible_stem_bank_token(b, "#déçues", strlen("#déçues"), CRIBLE_TOKEN_HASHTAG, &n, &stop);
    assert_string_equal(t, "#déçues");
    assert_int_equal(crible_stem_bank_select(b, "en", &err), CRIBLE_OK);
    assert_string_equal(crible_stem_bank_language(b), "english");
    assert_string_equal(crible_stem_bank_word(b, "dogs", 4, &n), "dog");
    assert_false(crible_stem_bank_is_stop(b, "du", 2));
    assert_int_equal(crible_stem_bank_select(b, "klingon", &err), CRIBLE_EDATA);
    assert_string_equal(err.message, "unknown language 'klingon'");
    assert_string_equal(crible_stem_bank_language(b), "french");
    assert_int_equal(crible_stem_bank_select(b, "fr-FR", &err), CRIBLE_OK);
    assert_string_equal(crible_stem_bank_word(b, "jeux", 4, &n), "jeu");
    crible_stem_bank_free(b);
}

/* Word numbers: the same word the same number (from the memo, from the
 * word map), other words other numbers, none for non-words; a cache of 3
 * words full: emptied, a new epoch, the numbers start over. */
static uint32_t number_of(crible_stem_bank *b, const char *w, crible_token_type type)
{
    size_t n;
    bool stop;
    uint32_t number = 99;
    assert_non_null(crible_stem_bank_token_numbered(b, w, strlen(w), type, &n, &stop, &number));
    return number;
}

static void test_bank_numbers(void **state)
{
    (void)state;
    crible_error err;
    crible_stem_options o;
    crible_stem_options_init(&o);
    o.stemmer.cache_entries = 3;
    crible_stem_bank *b;
    assert_int_equal(crible_stem_bank_open(&o, &b, &err), CRIBLE_OK);
    uint64_t e0 = crible_stem_bank_epoch(b);
    uint32_t v = number_of(b, "victimes", CRIBLE_TOKEN_WORD), d = number_of(b, "déçues", CRIBLE_TOKEN_WORD);
    uint32_t l = number_of(b, "anticonstitutionnellement", CRIBLE_TOKEN_WORD);   /* past the memo */
    assert_true(v && d && l && v != d && d != l && v != l);
    assert_int_equal(number_of(b, "victimes", CRIBLE_TOKEN_WORD), v);
    assert_int_equal(number_of(b, "anticonstitutionnellement", CRIBLE_TOKEN_WORD), l);
    assert_int_equal(number_of(b, "3,5", CRIBLE_TOKEN_NUMBER), 0);
    assert_int_equal(number_of(b, ",", CRIBLE_TOKEN_PUNCT), 0);
    assert_true(crible_stem_bank_epoch(b) == e0);
    uint32_t j = number_of(b, "jeux", CRIBLE_TOKEN_WORD);   /* a fourth word: the cache starts over */
    assert_true(crible_stem_bank_epoch(b) != e0);
    assert_int_equal(j, 1);
    assert_int_equal(number_of(b, "jeux", CRIBLE_TOKEN_WORD), 1);
    assert_int_equal(number_of(b, "victimes", CRIBLE_TOKEN_WORD), 2);   /* renumbered */
    size_t n;
    assert_string_equal(crible_stem_bank_word(b, "victimes", 8, &n), "victim");
    /* the memo, read inline, answers as the bank does; not past its length */
    const crible_stem_memo *memo = crible_stem_bank_memo(b);
    assert_non_null(memo);
    static const char *const words[] = {"victimes", "jeux", "les", "déçues"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t wl = strlen(words[i]), tl, ml;
        bool stop, mstop;
        uint32_t num, mnum;
        const char *t = crible_stem_bank_token_numbered(b, words[i], wl, CRIBLE_TOKEN_WORD, &tl, &stop, &num);
        const char *m = crible_stem_memo_get(memo, words[i], wl, &ml, &mstop, &mnum);
        assert_non_null(m);
        assert_int_equal(ml, tl);
        assert_memory_equal(m, t, tl);
        assert_int_equal(mstop, stop);
        assert_int_equal(mnum, num);
    }
    assert_null(crible_stem_memo_get(memo, "anticonstitutionnellement", 25 + 1, &n, &(bool){0}, &(uint32_t){0}));
    assert_null(crible_stem_memo_get(memo, "neverseen", 9, &n, &(bool){0}, &(uint32_t){0}));
    uint64_t e1 = crible_stem_bank_epoch(b);
    assert_int_equal(crible_stem_bank_select(b, "en", &err), CRIBLE_OK);
    assert_true(crible_stem_bank_epoch(b) != e1);
    crible_stem_bank_free(b);
    crible_stem_options_free(&o);
}

int main(void)
{
    if (!getenv("CRIBLE_DATA"))
        setenv("CRIBLE_DATA", CRIBLE_SOURCE_DIR "/config", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french_snowball3),
        cmocka_unit_test(test_wordmap),
        cmocka_unit_test(test_hash_and_compare),
        cmocka_unit_test(test_stem_memo),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_corrections_table),
        cmocka_unit_test(test_corrections_shared),
        cmocka_unit_test(test_stemmer_corrections),
        cmocka_unit_test(test_stemmer_options),
        cmocka_unit_test(test_algorithm_names),
        cmocka_unit_test(test_stopwords),
        cmocka_unit_test(test_options_section),
        cmocka_unit_test(test_bank),
        cmocka_unit_test(test_bank_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
