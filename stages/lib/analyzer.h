/*
 * analyzer.h - the whole analysis chain as one library call: normalize,
 * tokenize, split elisions and clitics, fold (tokenizer.h), then stem and
 * flag stop words (stem_bank.h).  crible-tokenize | crible-stem compute,
 * token by token, exactly what crible_analyzer_run hands its callback, so a
 * query analysed here matches the documents' terms (SQLite FTS5 runs one
 * tokenizer for both; tantivy users were hurt when the two drifted apart).
 *
 * Settings come from the configuration file's `tokenize:` and `stem:`
 * sections, or from the settings JSON the streams carry and the index
 * records: {"tokenize": {...}, "stem": {...}} (stem_options.h shows the
 * "stem" object; "tokenize" has normalization, fold_case, fold_accents,
 * split_elisions, split_clitics).
 *
 * Worked example (defaults): "L’enfer, déçue !" gives one sentence
 *     L’     0-4    norm "l'"      word   term "l'"      stop
 *     enfer  4-9    norm "enfer"   word   term "enfer"
 *     ,      9-10   norm ","       punct  term ""
 *     déçue  11-17  norm "déçue"   word   term "décev"
 *     !      18-19  norm "!"       punct  term ""
 */
#ifndef CRIBLE_ANALYZER_H
#define CRIBLE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "stem_options.h"
#include "tokenizer.h"

typedef struct crible_analyzed_token {
    size_t start, end;        /* byte offsets into the text given, end exclusive */
    const char *norm;         /* normal form (tokenizer.h), NUL-terminated */
    size_t norm_len;
    crible_token_type type;
    const char *term;         /* index term (CRIBLE:STEM); "" for none */
    size_t term_len;
    bool stop;                /* CRIBLE:STOP */
    uint32_t word;            /* a number of its word (0: none): tokens of the
                                 same nonzero number in one word epoch
                                 (crible_analyzer_word_epoch) have the same
                                 norm and term; at most the stemmer's
                                 cache_entries (stem_bank.h) */
} crible_analyzed_token;

/* Called once per sentence with its tokens (valid during the call only).
 * Returning anything but CRIBLE_OK stops the run with that status. */
typedef crible_status (*crible_analyzed_fn)(void *ctx, const crible_analyzed_token *tokens,
                                            size_t ntokens, size_t sentence,
                                            crible_error *err);

typedef struct crible_analyzer crible_analyzer;

/* From options (NULL: every default).  Errors of crible_tokenizer_create
 * and crible_stem_bank_open. */
crible_status crible_analyzer_open(const crible_tokenize_options *tokenize,
                                   const crible_stem_options *stem,
                                   crible_analyzer **out, crible_error *err);

/* From a configuration file's `tokenize:` and `stem:` sections (config
 * NULL: defaults); with `sentences` false the whole text is one sentence
 * (what a query wants). */
crible_status crible_analyzer_open_config(const crible_config *config, bool sentences,
                                          crible_analyzer **out, crible_error *err);

/* From the settings JSON (see above; NULL or "{}": defaults).
 * CRIBLE_EDATA when it is not such an object. */
crible_status crible_analyzer_open_json(const char *settings, bool sentences,
                                        crible_analyzer **out, crible_error *err);

void crible_analyzer_free(crible_analyzer *analyzer);

/* Analyses text[0..len) (UTF-8) in the language `lang` (a document's
 * "lang", NULL for the default; an unknown one falls back to the default,
 * as crible-stem does) and calls fn once per sentence.  Errors of
 * crible_tokenizer_run, or what fn returned. */
crible_status crible_analyzer_run(crible_analyzer *analyzer, const char *lang,
                                  const char *text, size_t len,
                                  crible_analyzed_fn fn, void *ctx, crible_error *err);

/* The epoch of the word numbers the tokens handed to the callback have
 * (the same during a callback: read it there); numbers of other epochs
 * mean nothing. */
uint64_t crible_analyzer_word_epoch(const crible_analyzer *analyzer);

/* Readies the analyzer for a stream, on the calling thread, while another
 * thread may already run it: the stemmer's correction table's lookup index
 * (crible_stemmer_prepare), built here instead of in the middle of a run. */
void crible_analyzer_prepare(crible_analyzer *analyzer);

/* The settings in use, as the JSON object described above (malloc'ed,
 * caller frees; NULL when out of memory). */
char *crible_analyzer_settings(const crible_analyzer *analyzer);

#endif
