/*
 * query_analyze.c - a query's words through the documents' analysis chain
 * (query_analyze.h).  This file adds nothing to the analysis itself: it
 * opens the library's analyzer (analyzer.h: tokenizer, stemmer, stop words,
 * the term each token type gets) from the settings the index recorded
 * (`# crible.tokenize` and `# crible.stem` of the stream), so a query and
 * the documents agree term for term, and keeps the tokens a query plan
 * needs (punctuation and symbols dropped).
 */
#include "query_analyze.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucasemap.h>

#include "analyzer.h"

struct crible_query_analyzer {
    crible_analyzer *analyzer;
    bool fold_accents;          /* the terms carry no accents */
};

static bool folds_accents(const char *settings)
{
    json_t *j = json_loads(settings && *settings ? settings : "{}", 0, NULL);
    bool fold = json_is_true(json_object_get(json_object_get(j, "tokenize"), "fold_accents")) ||
                json_is_true(json_object_get(json_object_get(j, "stem"), "fold_accents"));
    json_decref(j);
    return fold;
}

crible_status crible_query_analyzer_open(const char *analysis_json,
                                         crible_query_analyzer **out, crible_error *err)
{
    *out = NULL;
    crible_query_analyzer *a = calloc(1, sizeof *a);
    if (!a)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_status st = crible_analyzer_open_json(analysis_json, false, &a->analyzer, err);
    if (st != CRIBLE_OK) {
        free(a);
        if (st == CRIBLE_EDATA || st == CRIBLE_ECONFIG) {
            crible_error_prefix(err, "the index's analysis settings");
            err->status = CRIBLE_EINDEX;
            return CRIBLE_EINDEX;
        }
        return st;
    }
    a->fold_accents = folds_accents(analysis_json);
    *out = a;
    return CRIBLE_OK;
}

void crible_query_analyzer_close(crible_query_analyzer *a)
{
    if (!a)
        return;
    crible_analyzer_free(a->analyzer);
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

static crible_status on_sentence(void *ctx, const crible_analyzed_token *tokens, size_t n,
                                 size_t sentence, crible_error *err)
{
    (void)sentence;
    crible_qtokens *out = ctx;
    for (size_t i = 0; i < n; i++) {
        const crible_analyzed_token *t = &tokens[i];
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
        crible_qtoken *q = &out->t[out->n];
        q->norm = strndup(t->norm, t->norm_len);
        q->stem = strndup(t->term, t->term_len);
        if (!q->norm || !q->stem) {
            free(q->norm);
            free(q->stem);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        q->stop = t->stop;
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
    return crible_analyzer_run(a->analyzer, NULL, text, len, on_sentence, out, err);
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
