/*
 * query_analyze.h - a query's words through the documents' analysis chain.
 *
 * The settings come from the index (crible_index_analysis: the tokenizer's
 * and the stemmer's options the documents were analysed with), and the code
 * is the library's own analysis chain (analyzer.h), so `victime` becomes the
 * stem "victim" exactly as "victimes" did in the documents.
 *
 * Example: "L’enfer" -> [{norm "l'", stem "l'", stop}, {norm "enfer", stem "enfer"}].
 */
#ifndef CRIBLE_QUERY_ANALYZE_H
#define CRIBLE_QUERY_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct crible_qtoken {
    char *norm;               /* normal form (case-folded, ' for ’, accents as configured) */
    char *stem;               /* what the TEXT fields index */
    bool stop;                /* a stop word */
    bool word;                /* a word or number (not punctuation or a symbol) */
} crible_qtoken;

typedef struct crible_qtokens {
    size_t n, cap;
    crible_qtoken *t;
} crible_qtokens;

typedef struct crible_query_analyzer crible_query_analyzer;

/* Builds the chain from the index's analysis settings (a JSON object; "{}"
 * or NULL: the defaults).  CRIBLE_EINDEX if the settings are not
 * understood. */
crible_status crible_query_analyzer_open(const char *analysis_json,
                                         crible_query_analyzer **out, crible_error *err);
void crible_query_analyzer_close(crible_query_analyzer *a);

/* Whether the analysis folds accents (then the dictionaries hold no accents). */
bool crible_query_analyzer_folds_accents(const crible_query_analyzer *a);

/* Analyses text[0..len) into out (reset first; reused).  Punctuation and
 * symbols are dropped; every other token is kept with its stop flag. */
crible_status crible_query_analyze(crible_query_analyzer *a, const char *text, size_t len,
                                   crible_qtokens *out, crible_error *err);
void crible_qtokens_free(crible_qtokens *t);

/* Case-folds s (ICU full case folding) into a malloc'ed string; NULL on
 * failure.  For keyword fields (person, platform, source). */
char *crible_query_fold_case(const char *s, size_t len, size_t *out_len);

#endif
