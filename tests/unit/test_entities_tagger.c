/*
 * test_entities_tagger.c - the tagger (entities.h): rules over hand-made
 * token sentences with the default gazetteers, the document memory, the
 * `entities:` section (entities_options.h), a document's metadata names
 * (entities_document.h, a type chosen by `by:`), and the perceptron model
 * (entities_model.h): learning, saving, loading, a damaged file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "entities.h"
#include "entities_document.h"
#include "entities_model.h"
#include "entities_options.h"

/* Tokens from a space-separated sentence (offsets as if joined by spaces). */
typedef struct sent { crible_entities_token t[64]; char norm[64][64]; size_t n; } sent;

static void make(sent *s, char *text)
{
    s->n = 0;
    long pos = 0;
    for (char *w = strtok(text, " "); w && s->n < 64; w = strtok(NULL, " ")) {
        crible_entities_token *t = &s->t[s->n];
        size_t len = strlen(w);
        for (size_t i = 0; i <= len && i < 63; i++)
            s->norm[s->n][i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] + 32) : w[i];
        t->form = w;
        t->form_len = len;
        t->norm = s->norm[s->n];
        t->norm_len = strlen(s->norm[s->n]);
        t->start = pos;
        t->end = pos + (long)len;
        t->kind = (w[0] == '.' || w[0] == ',' || !strcmp(w, "«") || !strcmp(w, "»") ||
                   w[0] == '?' || w[0] == '+') ? CRIBLE_ETOK_PUNCT : CRIBLE_ETOK_WORD;
        pos += (long)len + 1;
        s->n++;
    }
}

/* "B-PER:Kevin Anderson I-PER O ..." for the sentence. */
static void tag(crible_entities *e, const char *text, char *out, size_t cap)
{
    static char buf[1024];
    static sent s;
    crible_error err = {0};
    snprintf(buf, sizeof buf, "%s", text);
    make(&s, buf);
    assert_int_equal(crible_entities_tag(e, s.t, s.n, &err), CRIBLE_OK);
    const uint16_t *l = crible_entities_labels(e);
    const char *const *v = crible_entities_values(e);
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s.n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s%s%s", i ? " " : "",
                                crible_entities_label_name(e, l[i]), v[i] ? ":" : "",
                                v[i] ? v[i] : "");
}

static crible_entities *tagger(const char *yaml)
{
    crible_error err = {0};
    crible_config *c = NULL;
    assert_int_equal(crible_config_load_string(yaml, "<test>", &c, &err), CRIBLE_OK);
    const crible_node *section = NULL;
    assert_int_equal(crible_config_section(c, "entities", &section, &err), CRIBLE_OK);
    crible_entities *e = NULL;
    if (crible_entities_load(c, section, NULL, &e, &err) != CRIBLE_OK) fail_msg("%s", err.message);
    crible_config_free(c);
    return e;
}

/* Loading the section of yaml fails with a message holding where and what. */
static void load_error(const char *yaml, const char *where, const char *what)
{
    crible_error err = {0};
    crible_config *c = NULL;
    assert_int_equal(crible_config_load_string(yaml, "<t>", &c, &err), CRIBLE_OK);
    const crible_node *section = NULL;
    crible_config_section(c, "entities", &section, &err);
    crible_entities *e = NULL;
    assert_int_equal(crible_entities_load(c, section, NULL, &e, &err), CRIBLE_ECONFIG);
    assert_non_null(strstr(err.message, where));
    assert_non_null(strstr(err.message, what));
    crible_config_free(c);
}

static void test_rules(void **state)
{
    (void)state;
    crible_entities *e = tagger("entities: {}\n");
    char out[2048];
    tag(e, "l' officier de police Kevin Anderson enquête .", out, sizeof out);
    assert_string_equal(out, "O O O O B-PER:Kevin Anderson I-PER O O");
    tag(e, "Anderson a trouvé .", out, sizeof out);
    assert_string_equal(out, "B-PER:Kevin Anderson O O O");
    crible_entities_end_document(e);
    tag(e, "Anderson a trouvé .", out, sizeof out);   /* sentence start, memory gone */
    assert_string_equal(out, "O O O O");
    tag(e, "Netflix dévoile « Je peux te dire un secret ? « , un documentaire", out, sizeof out);
    assert_string_equal(out, "B-PLATFORM:Netflix O O B-WORK:Je peux te dire un secret ? "
                             "I-WORK I-WORK I-WORK I-WORK I-WORK I-WORK O O O O");
    tag(e, "la police les dit « sans danger imminent » .", out, sizeof out);
    assert_string_equal(out, "O O O O O O O O O O");
    tag(e, "Direction le Royaume-Uni et la Chine .", out, sizeof out);
    assert_string_equal(out, "O O B-LOC:Royaume-Uni O O B-LOC:Chine O");
    tag(e, "vu sur disney plus et sur X .", out, sizeof out);
    assert_string_equal(out, "O O B-PLATFORM:Disney+ I-PLATFORM O O B-PLATFORM:X O");
    tag(e, "L' une d' elles regarde la Lune .", out, sizeof out);   /* not "Lune" */
    assert_string_equal(out, "O O O O O O O O");
    tag(e, "Il y a X raisons .", out, sizeof out);
    assert_string_equal(out, "O O O O O O");
    tag(e, "chez M. Dupont et Mme Durand", out, sizeof out);
    assert_string_equal(out, "O B-PER:Dupont I-PER O B-PER:Durand I-PER");
    tag(e, "la série Breaking Bad", out, sizeof out);
    assert_string_equal(out, "O O B-WORK:Breaking Bad I-WORK");
    /* a name's particle: after a verb of speech, then after any word once
     * the document wrote the name with it; "de" the same after a title */
    crible_entities_end_document(e);
    tag(e, "et M. d' Artagnan répondit .", out, sizeof out);
    assert_string_equal(out, "O B-PER:d' Artagnan I-PER I-PER O O");
    tag(e, "répondit d' Artagnan .", out, sizeof out);
    assert_string_equal(out, "O B-PER:d' Artagnan I-PER O");
    tag(e, "regarda d' Artagnan .", out, sizeof out);
    assert_string_equal(out, "O B-PER:d' Artagnan I-PER O");
    tag(e, "salue monsieur d' Artagnan .", out, sizeof out);
    assert_string_equal(out, "O B-PER:d' Artagnan I-PER I-PER O");
    tag(e, "il voit le comte de Wardes .", out, sizeof out);
    assert_string_equal(out, "O O O B-PER:comte de Wardes I-PER I-PER O");
    tag(e, "il parle avec de Wardes .", out, sizeof out);
    assert_string_equal(out, "O O O B-PER:comte de Wardes I-PER O");
    /* a capitalised article inside a sentence is part of the place */
    tag(e, "il part pour La Rochelle .", out, sizeof out);
    assert_string_equal(out, "O O O B-LOC:La Rochelle I-LOC O");
    /* forms of address name a person */
    tag(e, "il salue Votre Majesté .", out, sizeof out);
    assert_string_equal(out, "O O B-PER:Votre Majesté I-PER O");
    crible_entities_end_document(e);   /* in the same document: the value seen first */
    tag(e, "il parle à sa Majesté .", out, sizeof out);
    assert_string_equal(out, "O O O B-PER:sa Majesté I-PER O");
    /* a kinship word before "de" is no title */
    tag(e, "la mère de Camille Berthier .", out, sizeof out);
    assert_string_equal(out, "O O O B-PER:Camille Berthier I-PER O");
    crible_entities_end_document(e);
    assert_int_equal(crible_entities_label_parse(e, "I-LOC"), 2 * CRIBLE_ENT_LOC + 2);
    assert_int_equal(crible_entities_label_parse(e, "B-NOPE"), -1);
    crible_entities_free(e);
}

static void test_options(void **state)
{
    (void)state;
    crible_entities *e = tagger("entities:\n  rules: false\n  types: [DISH]\n  names:\n"
                                "    - {type: DISH, value: bœuf bourguignon, aliases: [bourguignon]}\n");
    char out[2048];
    tag(e, "Un Bourguignon chez Marcel Proust .", out, sizeof out);
    assert_string_equal(out, "O B-DISH:bœuf bourguignon O O O O");
    crible_entities_free(e);
    /* articles: true, the convention of literary annotation */
    e = tagger("entities:\n  articles: true\n");
    tag(e, "il quitte la France pour voir le duc de Buckingham au Louvre .", out, sizeof out);
    assert_string_equal(out, "O O B-LOC:France I-LOC O O B-PER:duc de Buckingham I-PER I-PER "
                             "I-PER B-LOC:Louvre I-LOC O");
    tag(e, "chez M. Dupont", out, sizeof out);   /* no article: as before */
    assert_string_equal(out, "O B-PER:Dupont I-PER");
    crible_entities_free(e);
    /* errors carry file:line:column */
    load_error("entities:\n  names:\n    - {type: DISHES, value: x}\n", "<t>:3:",
               "unknown type 'DISHES'");
}

/* `metadata:` with a type chosen by another member of the document. */
static void test_metadata(void **state)
{
    (void)state;
    crible_entities *e = tagger("entities:\n  metadata:\n"
                                "    title: {by: item_type, film: WORK, restaurant: ORG}\n"
                                "    author: PER\n");
    assert_int_equal(crible_entities_nmetadata(e), 2);
    int type;
    assert_string_equal(crible_entities_metadata_field(e, 0, &type), "title");
    assert_int_equal(type, -1);
    assert_string_equal(crible_entities_metadata_by(e, 0), "item_type");
    assert_int_equal(crible_entities_metadata_choice(e, 0, "film"), CRIBLE_ENT_WORK);
    assert_int_equal(crible_entities_metadata_choice(e, 0, "restaurant"), CRIBLE_ENT_ORG);
    assert_int_equal(crible_entities_metadata_choice(e, 0, "book"), -1);
    assert_int_equal(crible_entities_metadata_choice(e, 0, NULL), -1);
    assert_null(crible_entities_metadata_by(e, 1));
    assert_int_equal(crible_entities_metadata_choice(e, 1, NULL), CRIBLE_ENT_PER);
    /* one title, three documents: the names follow the type */
    static const struct { const char *json, *want; } docs[] = {
        {"{\"id\":\"a\",\"item_type\":\"film\",\"title\":\"Petit Pierre\"}",
         "O B-WORK:Petit Pierre I-WORK O"},
        {"{\"id\":\"b\",\"item_type\":\"restaurant\",\"title\":\"Petit Pierre\"}",
         "O B-ORG:Petit Pierre I-ORG O"},
        {"{\"id\":\"c\",\"item_type\":\"jeu\",\"title\":\"Petit Pierre\"}",
         "O B-PER:Petit Pierre I-PER O"},
        {"{\"id\":\"d\",\"title\":\"Petit Pierre\",\"author\":\"Petit Pierre\"}",
         "O B-PER:Petit Pierre I-PER O"},
    };
    crible_entities_doc_names names = {0};
    crible_error err = {0};
    char out[512];
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        crible_entities_end_document(e);
        assert_int_equal(crible_entities_document_names(e, docs[i].json, &names, &err), CRIBLE_OK);
        tag(e, "voir Petit Pierre .", out, sizeof out);
        assert_string_equal(out, docs[i].want);
    }
    crible_entities_free(e);
    /* a mapping without by, an unknown type: file:line:column */
    load_error("entities:\n  metadata:\n    title: {film: WORK}\n", "<t>:3:12: ", "needs 'by'");
    load_error("entities:\n  metadata:\n    title: {by: type, film: FILM}\n", "<t>:3:29: ",
               "not FILM");
}

static void test_model(void **state)
{
    (void)state;
    crible_entities *e = tagger("entities: {}\n");
    crible_error err = {0};
    const char *labels[] = {"O", "B-DINO", "I-DINO"};
    crible_entities_model *m = crible_entities_model_new(labels, 3, &err);
    assert_non_null(m);
    static char buf[256];
    static sent s;
    uint16_t gold[8] = {0, 1, 2, 0, 0};
    size_t wrong = 0;
    for (int ep = 0; ep < 5; ep++) {
        snprintf(buf, sizeof buf, "Un grand stégosaure dort .");
        make(&s, buf);
        uint16_t g[5] = {0, 1, 2, 0, 0};
        memcpy(gold, g, sizeof g);
        assert_int_equal(crible_entities_learn(e, m, s.t, s.n, gold, &wrong, &err), CRIBLE_OK);
    }
    assert_int_equal(wrong, 0);
    crible_entities_model_average(m);
    char path[] = "/tmp/crible-test-model-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(crible_entities_model_save(m, path, &err), CRIBLE_OK);
    crible_entities_model_free(m);
    assert_int_equal(crible_entities_model_load(path, &m, &err), CRIBLE_OK);
    assert_int_equal(crible_entities_model_nlabels(m), 3);
    assert_string_equal(crible_entities_model_label(m, 1), "B-DINO");
    assert_int_equal(crible_entities_set_model(e, m, &err), CRIBLE_OK);
    char out[1024];
    tag(e, "Un grand stégosaure dort .", out, sizeof out);
    assert_string_equal(out, "O B-DINO:grand stégosaure I-DINO O O");
    /* one flipped byte: refused */
    FILE *f = fopen(path, "r+b");
    fseek(f, 40, SEEK_SET);
    fputc('!', f);
    fclose(f);
    assert_int_equal(crible_entities_model_load(path, &m, &err), CRIBLE_EDATA);
    assert_non_null(strstr(err.message, "not a crible NER model"));
    unlink(path);
    crible_entities_free(e);
}

int main(void)
{
    if (!getenv("CRIBLE_DATA")) setenv("CRIBLE_DATA", CRIBLE_SOURCE_DIR "/config", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
