/*
 * query_analyze.c - a query's words through the documents' analysis chain
 * (query_analyze.h): the library's tokenizer (tokenizer.h), stop words
 * (stopwords.h) and stemmer (stemmer.h), set up from the analysis settings
 * the index recorded, so query and documents agree term for term.
 *
 * The settings object (crible_index_analysis), every member optional:
 *   {"tokenize": {"normalization": "nfc", "fold_case": true,
 *                 "fold_accents": false, "split_elisions": true,
 *                 "split_clitics": true},
 *    "stem": {"algorithm": "french", "corrections": true,
 *             "fold_accents": true, "protected": ["netflix"],
 *             "overrides": {"oeuvres": "oeuvr"},
 *             "stopwords": "stopwords-fr.txt" | ["le", "la", ...]}}
 */
#include "query_analyze.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucasemap.h>

#include "config.h"
#include "stemmer.h"
#include "stopwords.h"
#include "tokenizer.h"

struct crible_query_analyzer {
    crible_tokenizer *tok;
    crible_stemmer *stem;
    crible_stopwords *stop;
    bool fold_accents;          /* the terms carry no accents */
    json_t *settings;           /* keeps the strings the options point to */
    const char **protected_words;
    const char **ov_words, **ov_stems;
    crible_qtokens *out;        /* during crible_query_analyze */
    crible_status st;
    crible_error *err;
};

static bool jbool(const json_t *o, const char *key, bool def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static crible_status load_stopwords(crible_query_analyzer *a, const json_t *stem,
                                    const char *algorithm, crible_error *err)
{
    a->stop = crible_stopwords_new(err);
    if (!a->stop)
        return CRIBLE_ENOMEM;
    const json_t *sw = json_object_get(stem, "stopwords");
    if (json_is_array(sw)) {
        size_t i;
        const json_t *w;
        json_array_foreach(sw, i, w) {
            const char *s = json_string_value(w);
            if (s && *s) {
                crible_status st = crible_stopwords_add(a->stop, s, strlen(s), err);
                if (st != CRIBLE_OK)
                    return st;
            }
        }
        return CRIBLE_OK;
    }
    char path[4096];
    const char *name = json_string_value(sw);
    if (!name) {
        const char *iso = crible_stem_algorithm_iso(algorithm ? algorithm : "french");
        static char def[64];
        snprintf(def, sizeof def, "stopwords-%s.txt", iso ? iso : "fr");
        name = def;
    }
    if (name[0] == '/')
        snprintf(path, sizeof path, "%s", name);
    else if (!crible_data_find(name, path, sizeof path))
        return CRIBLE_OK; /* no list shipped for this language: no stop words */
    crible_error e;
    if (crible_stopwords_load(a->stop, path, &e) != CRIBLE_OK)
        return CRIBLE_OK; /* ranking only: a missing list must not stop searching */
    return CRIBLE_OK;
}

crible_status crible_query_analyzer_open(const char *analysis_json,
                                         crible_query_analyzer **out, crible_error *err)
{
    *out = NULL;
    crible_query_analyzer *a = calloc(1, sizeof *a);
    if (!a)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    json_error_t je;
    a->settings = json_loads(analysis_json && *analysis_json ? analysis_json : "{}", 0, &je);
    if (!json_is_object(a->settings)) {
        crible_query_analyzer_close(a);
        return crible_error_set(err, CRIBLE_EINDEX, "the index's analysis settings are not a JSON object");
    }
    const json_t *tk = json_object_get(a->settings, "tokenize");
    const json_t *sm = json_object_get(a->settings, "stem");
    crible_tokenize_options to;
    crible_tokenize_options_init(&to);
    const char *norm = jstr(tk, "normalization");
    if (norm && strcmp(norm, "nfkc") == 0)
        to.normalization = CRIBLE_NORMALIZE_NFKC;
    to.fold_case = jbool(tk, "fold_case", to.fold_case);
    to.fold_accents = jbool(tk, "fold_accents", to.fold_accents);
    to.split_elisions = jbool(tk, "split_elisions", to.split_elisions);
    to.split_clitics = jbool(tk, "split_clitics", to.split_clitics);
    to.sentences = false;
    crible_status st = crible_tokenizer_create(&to, &a->tok, err);
    crible_stemmer_options so;
    crible_stemmer_options_init(&so);
    const char *algo = jstr(sm, "algorithm");
    if (algo)
        so.algorithm = algo;
    so.corrections = jbool(sm, "corrections", so.corrections);
    so.fold_accents = jbool(sm, "fold_accents", so.fold_accents);
    const char *cf = jstr(sm, "corrections_file");
    if (cf)
        so.corrections_file = cf;
    const json_t *prot = json_object_get(sm, "protected");
    if (st == CRIBLE_OK && json_is_array(prot) && json_array_size(prot)) {
        a->protected_words = calloc(json_array_size(prot), sizeof *a->protected_words);
        if (!a->protected_words)
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        size_t i;
        const json_t *w;
        json_array_foreach(prot, i, w) if (a->protected_words && json_string_value(w))
            a->protected_words[so.nprotected++] = json_string_value(w);
        so.protected_words = a->protected_words;
    }
    const json_t *ov = json_object_get(sm, "overrides");
    if (st == CRIBLE_OK && json_is_object(ov) && json_object_size(ov)) {
        size_t n = json_object_size(ov);
        a->ov_words = calloc(n, sizeof *a->ov_words);
        a->ov_stems = calloc(n, sizeof *a->ov_stems);
        if (!a->ov_words || !a->ov_stems)
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)ov, k, v) if (st == CRIBLE_OK && json_string_value(v)) {
            a->ov_words[so.noverrides] = k;
            a->ov_stems[so.noverrides++] = json_string_value(v);
        }
        so.override_words = a->ov_words;
        so.override_stems = a->ov_stems;
    }
    so.cache_entries = 4096;
    if (st == CRIBLE_OK)
        st = crible_stemmer_new(&so, &a->stem, err);
    if (st == CRIBLE_OK)
        st = load_stopwords(a, sm, crible_stemmer_algorithm_name(a->stem), err);
    if (st != CRIBLE_OK) {
        crible_query_analyzer_close(a);
        return st == CRIBLE_ECONFIG ? crible_error_prefix(err, "the index's analysis settings")
                                    : st;
    }
    a->fold_accents = to.fold_accents || so.fold_accents;
    *out = a;
    return CRIBLE_OK;
}

void crible_query_analyzer_close(crible_query_analyzer *a)
{
    if (!a)
        return;
    crible_tokenizer_free(a->tok);
    crible_stemmer_free(a->stem);
    crible_stopwords_free(a->stop);
    free(a->protected_words);
    free(a->ov_words);
    free(a->ov_stems);
    json_decref(a->settings);
    free(a);
}

bool crible_query_analyzer_folds_accents(const crible_query_analyzer *a)
{
    return a->fold_accents;
}

void crible_qtokens_free(crible_qtokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->t[i].norm);
        free(t->t[i].stem);
    }
    free(t->t);
    memset(t, 0, sizeof *t);
}

static crible_status on_sentence(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    crible_query_analyzer *a = ctx;
    crible_qtokens *out = a->out;
    for (size_t i = 0; i < s->ntokens; i++) {
        const crible_token *t = &s->tokens[i];
        if (t->type == CRIBLE_TOKEN_PUNCT || t->type == CRIBLE_TOKEN_SYMBOL)
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 8;
            crible_qtoken *v = realloc(out->t, cap * sizeof *v);
            if (!v)
                return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            out->t = v;
            out->cap = cap;
        }
        size_t sl;
        const char *stem = crible_stemmer_stem(a->stem, t->norm, t->norm_len, &sl);
        if (!stem)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        crible_qtoken *q = &out->t[out->n];
        q->norm = strndup(t->norm, t->norm_len);
        q->stem = strndup(stem, sl);
        if (!q->norm || !q->stem) {
            free(q->norm);
            free(q->stem);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        q->stop = crible_stopwords_contains(a->stop, t->norm, t->norm_len);
        q->word = t->type == CRIBLE_TOKEN_WORD || t->type == CRIBLE_TOKEN_NUMBER;
        out->n++;
    }
    return CRIBLE_OK;
}

crible_status crible_query_analyze(crible_query_analyzer *a, const char *text, size_t len,
                                   crible_qtokens *out, crible_error *err)
{
    for (size_t i = 0; i < out->n; i++) {
        free(out->t[i].norm);
        free(out->t[i].stem);
    }
    out->n = 0;
    a->out = out;
    crible_status st = crible_tokenizer_run(a->tok, text, len, on_sentence, a, err);
    a->out = NULL;
    return st;
}

char *crible_query_fold_case(const char *s, size_t len, size_t *out_len)
{
    UErrorCode e = U_ZERO_ERROR;
    UCaseMap *cm = ucasemap_open("", U_FOLD_CASE_DEFAULT, &e);
    if (U_FAILURE(e))
        return NULL;
    size_t cap = len * 3 + 16;
    char *o = malloc(cap);
    if (o) {
        int32_t n = ucasemap_utf8FoldCase(cm, o, (int32_t)cap, s, (int32_t)len, &e);
        if (U_FAILURE(e) || n < 0 || (size_t)n >= cap) {
            free(o);
            o = NULL;
        } else {
            o[n] = '\0';
            if (out_len)
                *out_len = (size_t)n;
        }
    }
    ucasemap_close(cm);
    return o;
}
