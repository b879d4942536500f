/*
 * test_tokenizer.c - the tokenizer (tokenizer.h) on French text: forms,
 * offsets, normal forms, types and sentences.
 *
 * Each check tokenizes a text and compares a compact rendering:
 * tokens separated by " ", sentences by " | "; see render().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tokenizer.h"

typedef struct rendering {
    const char *text;
    char forms[4096], norms[4096], types[4096];
    size_t nsent;
    size_t spans[256][2];
    size_t ntok;
    crible_status fail_with;   /* returned by the callback at the 2nd sentence */
} rendering;

static void append(char *buf, const char *s, size_t n)
{
    size_t l = strlen(buf);
    assert_true(l + n + 1 < 4096);
    memcpy(buf + l, s, n);
    buf[l + n] = '\0';
}

static crible_status collect(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    rendering *r = ctx;
    if (r->fail_with && r->nsent == 1)
        return crible_error_set(err, r->fail_with, "stop");
    assert_int_equal(s->index, r->nsent);
    assert_true(s->ntokens > 0);
    if (r->nsent) {
        append(r->forms, " | ", 3);
        append(r->norms, " | ", 3);
        append(r->types, " | ", 3);
    }
    r->nsent++;
    assert_int_equal(s->start, s->tokens[0].start);
    assert_int_equal(s->end, s->tokens[s->ntokens - 1].end);
    for (size_t k = 0; k < s->ntokens; k++) {
        const crible_token *t = &s->tokens[k];
        assert_true(t->start < t->end);
        assert_int_equal(t->sentence, s->index);
        assert_int_equal(strlen(t->norm), t->norm_len);
        assert_true(t->norm_len > 0);
        if (k) {
            append(r->forms, " ", 1);
            append(r->norms, " ", 1);
            append(r->types, " ", 1);
            assert_true(t->start >= s->tokens[k - 1].end);
        }
        append(r->forms, r->text + t->start, t->end - t->start);
        append(r->norms, t->norm, t->norm_len);
        const char *tn = crible_token_type_name(t->type);
        append(r->types, tn, strlen(tn));
        if (r->ntok < 256) {
            r->spans[r->ntok][0] = t->start;
            r->spans[r->ntok][1] = t->end;
        }
        r->ntok++;
    }
    return CRIBLE_OK;
}

static crible_tokenizer *tokenizer(const crible_tokenize_options *o)
{
    crible_tokenizer *t = NULL;
    crible_error err = {0};
    assert_int_equal(crible_tokenizer_create(o, &t, &err), CRIBLE_OK);
    return t;
}

static rendering *run_with(const crible_tokenize_options *o, const char *text, size_t len)
{
    static rendering r;
    memset(&r, 0, sizeof r);
    r.text = text;
    crible_tokenizer *t = tokenizer(o);
    crible_error err = {0};
    crible_status st = crible_tokenizer_run(t, text, len, collect, &r, &err);
    if (st != CRIBLE_OK)
        fail_msg("tokenizing '%s': %s", text, err.message);
    crible_tokenizer_free(t);
    return &r;
}

static rendering *run(const char *text)
{
    return run_with(NULL, text, strlen(text));
}

#define FORMS(text, expected) assert_string_equal(run(text)->forms, expected)

static void test_elisions(void **state)
{
    (void)state;
    FORMS("L'avion d’Air France qu'il a pris jusqu'à Lyon",
          "L' avion d’ Air France qu' il a pris jusqu' à Lyon");
    FORMS("lorsqu'on puisqu’elle quoiqu'il s'en c'est j'ai n'a m'a t'as",
          "lorsqu' on puisqu’ elle quoiqu' il s' en c' est j' ai n' a m' a t' as");
    FORMS("aujourd'hui, presqu'île, prud'homme, quelqu'un, d'aujourd'hui",
          "aujourd'hui , presqu'île , prud'homme , quelqu'un , d' aujourd'hui");
    FORMS("si l'on veut", "si l'on veut");
    /* an elision whose apostrophe is followed by a space or a guillemet */
    FORMS("l' Arizona et d'« Hamlet »", "l' Arizona et d' « Hamlet »");
    rendering *r = run("L’enfer");
    assert_string_equal(r->norms, "l' enfer");
}

static void test_clitics_and_compounds(void **state)
{
    (void)state;
    FORMS("dit-il", "dit -il");
    FORMS("a-t-il", "a -t-il");
    FORMS("Donne-le-moi", "Donne -le -moi");
    FORMS("Qu'est-ce que c'est ?", "Qu' est -ce que c' est ?");
    FORMS("ce jour-là", "ce jour -là");
    FORMS("Royaume-Uni peut-être c'est-à-dire celui-ci rendez-vous Saint-Jean-de-Luz",
          "Royaume-Uni peut-être c'est-à-dire celui-ci rendez-vous Saint-Jean-de-Luz");
    FORMS("sur Canal+, Disney+ et Apple TV+. En C++ ou en 3+2, bien+", "sur Canal+ , Disney+ et Apple TV+ . | En C++ ou en 3 + 2 , bien +");
    /* a zero width space separates words and is no token */
    FORMS("fin\xE2\x80\x8B\ndébut\xE2\x80\x8Bsuite", "fin | début suite");
    rendering *r = run("la Marne-la-Vallée");
    assert_string_equal(r->forms, "la Marne-la-Vallée");
    r = run_with(&(crible_tokenize_options){.fold_case = true, .split_elisions = false,
                                             .split_clitics = false, .sentences = true},
                 "L'avion, dit-il", 15);
    assert_string_equal(r->forms, "L'avion , dit-il");
}

static void test_numbers(void **state)
{
    (void)state;
    rendering *r = run("3,5 sur 4/5, 1 000 euros, 25 785 entrées, -0,8 %, 2007-2008, 1er et 2e");
    assert_string_equal(r->forms,
                        "3,5 sur 4/5 , 1 000 euros , 25 785 entrées , -0,8 % , 2007-2008 , 1er et 2e");
    assert_string_equal(r->types, "number word number punct number word punct number word punct "
                                  "number symbol punct number punct word word word");
    /* a no-break space between thousands */
    FORMS("12\u00A0000 vues", "12\u00A0000 vues");
    /* not thousands: a year then a count */
    FORMS("en 2010 500 personnes", "en 2010 500 personnes");
    FORMS("à 20h30, 160km", "à 20 h 30 , 160 km");
}

static void test_emoji(void **state)
{
    (void)state;
    /* skin tone, ZWJ family, flag, heart with VS16, keycap */
    const char *text = "Top 👍🏽 👨\u200D👩\u200D👧 🇫🇷 ❤️ 😂😂";
    rendering *r = run(text);
    assert_string_equal(r->forms, "Top 👍🏽 👨\u200D👩\u200D👧 🇫🇷 ❤️ 😂 😂");
    assert_string_equal(r->types, "word emoji emoji emoji emoji emoji emoji");
    r = run("© 2024 ™");
    assert_string_equal(r->types, "symbol number symbol");
}

static void test_specials(void **state)
{
    (void)state;
    rendering *r = run("Voir https://fr.wikipedia.org/wiki/Netflix_(entreprise). Écrivez à "
                       "Contact.Presse@Crible.fr ou @netflixfr #JePeuxTeDireUnSecret www.allocine.fr, "
                       "Amazon.fr.");
    assert_string_equal(r->forms,
                        "Voir https://fr.wikipedia.org/wiki/Netflix_(entreprise) . | Écrivez à "
                        "Contact.Presse@Crible.fr ou @netflixfr #JePeuxTeDireUnSecret www.allocine.fr "
                        ", Amazon.fr .");
    assert_string_equal(r->types, "word url punct | word word email word mention hashtag url punct "
                                  "url punct");
    assert_string_equal(r->norms, "voir https://fr.wikipedia.org/wiki/netflix_(entreprise) . | écrivez "
                                  "à contact.presse@crible.fr ou @netflixfr #jepeuxtedireunsecret "
                                  "www.allocine.fr , amazon.fr .");
    /* not tags: "#1", "C#" and an address-like word without a dot */
    FORMS("le #1 en C# sur a@b", "le # 1 en C # sur a@b");
}

static void test_normal_form(void **state)
{
    (void)state;
    rendering *r = run("ÉTÉ Straße ŒUVRE L’Été");
    assert_string_equal(r->norms, "été strasse œuvre l' été");
    crible_tokenize_options o;
    crible_tokenize_options_init(&o);
    o.fold_accents = true;
    const char *text = "Déçu, naïveté ÀÇÉ œuvre";
    r = run_with(&o, text, strlen(text));
    assert_string_equal(r->norms, "decu , naivete ace œuvre");
    o.fold_accents = false;
    o.fold_case = false;
    r = run_with(&o, text, strlen(text));
    assert_string_equal(r->norms, "Déçu , naïveté ÀÇÉ œuvre");
}

static void test_offsets_refer_to_original(void **state)
{
    (void)state;
    /* "été" written decomposed (e + U+0301): analysed as NFC, offsets in
     * the given bytes */
    const char *text = "L'e\xCC\x81te\xCC\x81 fut be\xCC\x81ni.";
    rendering *r = run(text);
    assert_string_equal(r->norms, "l' été fut béni .");
    assert_string_equal(r->forms, "L' e\xCC\x81te\xCC\x81 fut be\xCC\x81ni .");
    assert_int_equal(r->spans[1][0], 2);
    assert_int_equal(r->spans[1][1], 9);
    assert_int_equal(r->spans[4][0], 20);
    assert_int_equal(r->spans[4][1], 21);
    /* NFKC by configuration: the ligature ﬁ and a superscript */
    crible_tokenize_options o;
    crible_tokenize_options_init(&o);
    o.normalization = CRIBLE_NORMALIZE_NFKC;
    const char *t2 = "un \xEF\xAC\x81lm m\xC2\xB2";
    r = run_with(&o, t2, strlen(t2));
    assert_string_equal(r->norms, "un film m2");
    assert_string_equal(r->forms, "un \xEF\xAC\x81lm m\xC2\xB2");
}

static void test_sentences(void **state)
{
    (void)state;
    FORMS("M. Dupont et Mme Durand sont là. Le Dr. House aussi, p. ex. ici.",
          "M. Dupont et Mme Durand sont là . | Le Dr. House aussi , p. ex. ici .");
    FORMS("la violence domestique.Consternant, ce film.",
          "la violence domestique . | Consternant , ce film .");
    FORMS("« Tu viens ? » demanda-t-il. Non.",
          "« Tu viens ? » demanda -t-il . | Non .");
    FORMS("Il a dit « non. » Puis il est parti.",
          "Il a dit « non . » | Puis il est parti .");
    FORMS("J. K. Rowling écrit. Elle publie.", "J. K. Rowling écrit . | Elle publie .");
    FORMS("des pommes, etc. Puis des poires, etc. et du vin",
          "des pommes , etc . | Puis des poires , etc. et du vin");
    FORMS("Génial !!! À voir... ou pas", "Génial !!! | À voir ... | ou pas");
    FORMS("Première ligne\nseconde ligne", "Première ligne | seconde ligne");
    crible_tokenize_options o;
    crible_tokenize_options_init(&o);
    o.sentences = false;
    const char *q = "Bon. Mauvais ? Bof";
    assert_string_equal(run_with(&o, q, strlen(q))->forms, "Bon . Mauvais ? Bof");
    const char *abbr[] = {"Vol.", "cf"};
    o.sentences = true;
    o.abbreviations = abbr;
    o.nabbreviations = 2;
    const char *q2 = "tome 2. Vol. Trois";
    assert_string_equal(run_with(&o, q2, strlen(q2))->forms, "tome 2 . | Vol. Trois");
}

static void test_bad_and_empty_input(void **state)
{
    (void)state;
    crible_tokenizer *t = tokenizer(NULL);
    rendering r = {0};
    crible_error err = {0};
    r.text = "";
    assert_int_equal(crible_tokenizer_run(t, "", 0, collect, &r, &err), CRIBLE_OK);
    assert_int_equal(r.nsent, 0);
    assert_int_equal(crible_tokenizer_run(t, " \n\t\u00A0 ", 6, collect, &r, &err), CRIBLE_OK);
    assert_int_equal(r.nsent, 0);
    /* invalid UTF-8: a stray continuation byte, an overlong form, a surrogate */
    assert_int_equal(crible_tokenizer_run(t, "bon \x80 film", 10, collect, &r, &err), CRIBLE_EDATA);
    assert_string_equal(err.message, "invalid UTF-8 at byte 4");
    assert_int_equal(crible_tokenizer_run(t, "\xC0\xAF", 2, collect, &r, &err), CRIBLE_EDATA);
    assert_int_equal(crible_tokenizer_run(t, "a\xED\xA0\x80", 4, collect, &r, &err), CRIBLE_EDATA);
    assert_string_equal(err.message, "invalid UTF-8 at byte 1");
    assert_int_equal(crible_tokenizer_run(t, "caf\xC3", 4, collect, &r, &err), CRIBLE_EDATA);
    /* NUL bytes are spaces */
    memset(&r, 0, sizeof r);
    r.text = "bon\0film";
    assert_int_equal(crible_tokenizer_run(t, "bon\0film", 8, collect, &r, &err), CRIBLE_OK);
    assert_string_equal(r.forms, "bon film");
    /* the callback's status stops the run */
    memset(&r, 0, sizeof r);
    r.text = "Un. Deux. Trois.";
    r.fail_with = CRIBLE_EIO;
    assert_int_equal(crible_tokenizer_run(t, r.text, strlen(r.text), collect, &r, &err), CRIBLE_EIO);
    assert_string_equal(err.message, "stop");
    /* the same tokenizer still works afterwards */
    memset(&r, 0, sizeof r);
    r.text = "Encore un.";
    assert_int_equal(crible_tokenizer_run(t, r.text, strlen(r.text), collect, &r, &err), CRIBLE_OK);
    assert_string_equal(r.forms, "Encore un .");
    crible_tokenizer_free(t);
}

static crible_status count(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    (void)err;
    size_t *c = ctx;
    c[0]++;
    c[1] += s->ntokens;
    c[2] = s->end;
    return CRIBLE_OK;
}

static void test_long_text(void **state)
{
    (void)state;
    /* 200 000 sentences in one text: every token comes back, in order */
    size_t n = 200000;
    const char *unit = "Le film m'a plu, dit-il. ";
    size_t ul = strlen(unit);
    char *text = malloc(n * ul + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * ul, unit, ul);
    text[n * ul] = '\0';
    crible_tokenizer *t = tokenizer(NULL);
    size_t counts[3] = {0, 0, 0};
    crible_error err = {0};
    assert_int_equal(crible_tokenizer_run(t, text, n * ul, count, counts, &err), CRIBLE_OK);
    assert_int_equal(counts[0], n);
    assert_int_equal(counts[1], 9 * n);   /* Le film m' a plu , dit -il . */
    assert_int_equal(counts[2], n * ul - 1);
    crible_tokenizer_free(t);
    free(text);
}

/* The plain words the tokenizer cuts without ICU come out exactly as ICU
 * cuts them, on text made to trap a fast path: combining marks after
 * spaces, tabs, no-break spaces, letters next to digits and marks. */
static void test_fast_path_is_icu(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Le film   m'a plu ,  dit-il . Très bien",
        "un \xCC\x81" "accent flottant, e\xCC\x81te\xCC\x81 et \xE2\x80\x8B" "zwsp",
        "tab\tnbsp\xC2\xA0; fin\nligne  \n  suite\r\nfin",
        "abc123 123abc Œuvre ŒUVRE ÿ Ÿ ĳ ǅ ß İstanbul ﬁn",
        "mot\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD mot #tag @men https://x.fr/a mail@x.fr www.a.fr",
        "élan« guillemets »fin — tiret – court… ça?Oui!Non",
        "a×b ÷ c\xCC\xA7" "a   \xE2\x80\xAF" " x",
        /* letters_end's 8 units at a time, next to the non-letters of
         * Latin-1: × ÷ ¿ · ª and past Latin Extended-A (ƀ) */
        ("abcdefghij×klmnopqrst ABCDEFGHIJ÷KLMNOPQR abcdefghij¿klmnopqr "
         "abcdefghij·klmnopqr abcdefghijªklm abcdefghijƀklmnop ŒUVRESCOMPLÈTES ÿÿÿÿÿÿÿÿÿ×"),
        /* a word before ASCII punctuation: ICU joins '@' as a letter */
        "soir.@ refaire l'@x tout.@ a,@ b:@c fin;@ d'@ x.1 y,2 A.B 3.a mot_sous",
        "mot-trait mot(par mot\"q mot)\n\nmot\r\nmot\tx mot/y mot!? mot.\xCC\x81 fin:",
        /* French punctuation and no-break spaces at a boundary, with what
         * could attach to them (marks, soft hyphen, joiners) */
        "« mot »\xCC\x81 «\xC2\xAD x »\xE2\x80\x8D y …\xCC\x81 –\xC2\xA0— “a”b «",
        "nbsp\xC2\xA0\xC2\xA0x\xC2\xA0\xCC\x81y \xC2\xA0\xC2\xAD z\xC2\xA0é\xC2\xA0",
    };
    crible_tokenize_options o;
    crible_tokenize_options_init(&o);
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        char fast[3 * 4096 + 4], slow[3 * 4096 + 4];
        o.icu_only = false;
        rendering *r = run_with(&o, texts[k], strlen(texts[k]));
        snprintf(fast, sizeof fast, "%s\n%s\n%s", r->forms, r->norms, r->types);
        o.icu_only = true;
        r = run_with(&o, texts[k], strlen(texts[k]));
        snprintf(slow, sizeof slow, "%s\n%s\n%s", r->forms, r->norms, r->types);
        assert_string_equal(fast, slow);
    }
}

/* Every token as "sentence start end", to compare two tokenizers' cuts. */
typedef struct flat {
    char *buf;
    size_t len, cap;
} flat;

static crible_status flatten(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    (void)err;
    flat *f = ctx;
    for (size_t k = 0; k < s->ntokens; k++) {
        if (f->len + 64 > f->cap) {
            f->cap = (f->len + 64) * 2;
            f->buf = realloc(f->buf, f->cap);
            assert_non_null(f->buf);
        }
        f->len += (size_t)sprintf(f->buf + f->len, "%zu %zu %zu\n", s->index, s->tokens[k].start,
                                  s->tokens[k].end);
    }
    return CRIBLE_OK;
}

/* Where a sentence ends after . ? ! is decided without ICU when UAX #29
 * alone decides it (tok_sentences.c, icu_answer): the same sentences as
 * ICU's (icu_only) for every character before the terminal, terminal
 * run, closing mark, space and next character among those its classes
 * name, and their neighbours that they do not.  A letter, then a
 * zero-width space (Format) or a combining acute (Extend), then one
 * period: SB7 still sees a letter before the period ("Mot\u200B.Axy" is
 * one sentence), which only ICU knows (fails if icu_answer decides after
 * any character but ASCII ones). */
static void test_sentence_shortcut_is_icu(void **state)
{
    (void)state;
    static const char *const before[] = {"e", "E", "9", ")", "\xC3\xA9", " ", "%", "\xE2\x80\x8B",
                                         "\xCC\x81"};
    static const char *const terms[] = {".", "?", "!", "..", "?!", ".?", "\xE2\x80\xA6"};
    static const char *const closes[] = {"", "\"", "'", ")", "]", "}", "\xC2\xAB", "\xC2\xBB",
                                         "\xE2\x80\x98", "\xE2\x80\x99", "\xE2\x80\x9C",
                                         "\xE2\x80\x9D", ")\"", "\xC2\xBB)"};
    static const char *const spaces[] = {"", " ", "\xC2\xA0", "\xE2\x80\xAF", "  ", "\t"};
    static const char *const next[] = {"A", "Z", "\xC3\x89", "\xC3\x9E", "\xC3\x97", "a", "\xC3\xA9", ",",
                                       "-", ":", "\xE2\x80\x93", "\xE2\x80\x94", "\"", "\xC2\xBB", "1",
                                       ";", "(", "\xC5\x92", "'", "\xE2\x80\x99"};
#define N(a) (sizeof a / sizeof *a)
    crible_tokenize_options o;
    crible_tokenize_options_init(&o);
    crible_tokenizer *fast = tokenizer(&o);
    o.icu_only = true;
    crible_tokenizer *slow = tokenizer(&o);
    size_t texts = 0;
    for (size_t b = 0; b < N(before); b++)
        for (size_t tm = 0; tm < N(terms); tm++) {
            /* one text a terminal: its combinations apart, line by line */
            char *text = malloc(N(closes) * N(spaces) * N(next) * 64);
            assert_non_null(text);
            size_t len = 0;
            for (size_t c = 0; c < N(closes); c++)
                for (size_t sp = 0; sp < N(spaces); sp++)
                    for (size_t nx = 0; nx < N(next); nx++)
                        len += (size_t)sprintf(text + len, "Mot%s%s%s%s%sxy fin\n\n", before[b], terms[tm],
                                               closes[c], spaces[sp], next[nx]);
            flat x = {0}, y = {0};
            crible_error err = {0};
            assert_int_equal(crible_tokenizer_run(fast, text, len, flatten, &x, &err), CRIBLE_OK);
            assert_int_equal(crible_tokenizer_run(slow, text, len, flatten, &y, &err), CRIBLE_OK);
            assert_int_equal(x.len, y.len);
            if (memcmp(x.buf, y.buf, x.len) != 0) {
                size_t i = 0;
                while (x.buf[i] == y.buf[i])
                    i++;
                fail_msg("sentences differ from ICU's near '%.60s'", x.buf + (i > 20 ? i - 20 : 0));
            }
            free(x.buf);
            free(y.buf);
            free(text);
            texts++;
        }
    crible_tokenizer_free(fast);
    crible_tokenizer_free(slow);
    assert_int_equal(texts, N(before) * N(terms));
#undef N
}

static void test_type_names(void **state)
{
    (void)state;
    crible_token_type ty;
    for (int k = 0; k < CRIBLE_TOKEN_NTYPES; k++) {
        assert_true(crible_token_type_parse(crible_token_type_name((crible_token_type)k), &ty));
        assert_int_equal(ty, k);
    }
    assert_false(crible_token_type_parse("mot", &ty));
    assert_string_equal(crible_token_type_name((crible_token_type)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elisions),
        cmocka_unit_test(test_clitics_and_compounds),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_emoji),
        cmocka_unit_test(test_specials),
        cmocka_unit_test(test_normal_form),
        cmocka_unit_test(test_offsets_refer_to_original),
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_bad_and_empty_input),
        cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_fast_path_is_icu),
        cmocka_unit_test(test_sentence_shortcut_is_icu),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
