/*
 * analyzer.c - tokenizer + stem bank behind one call (analyzer.h).  Per
 * sentence, the terms are copied into one buffer (a stemmer's result lives
 * only until its next call) and the tokens handed over together.  A word
 * the bank's memo holds (most words) is read from the memo here, inline,
 * without a call to the bank (stem_bank.h, crible_stem_bank_memo).
 */
#include "analyzer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stem_bank.h"
#include "tokenize_options.h"

struct crible_analyzer {
    crible_tokenizer *tokenizer;
    crible_stem_bank *bank;
    crible_tokenize_options topt;
    char *stem_settings;            /* crible_stem_options_json at open */
    /* per run */
    crible_analyzed_fn fn;
    void *ctx;
    crible_analyzed_token *tokens;
    size_t *term_offs;              /* each token's term in `terms` */
    size_t tokens_cap;
    char *terms;
    size_t terms_cap;
};

crible_status crible_analyzer_open(const crible_tokenize_options *t, const crible_stem_options *s,
                                   crible_analyzer **out, crible_error *err)
{
    *out = NULL;
    crible_analyzer *a = crible_malloc(sizeof *a, err);
    if (!a)
        return CRIBLE_ENOMEM;
    memset(a, 0, sizeof *a);
    crible_stem_options defaults;
    if (!s) {
        crible_stem_options_init(&defaults);
        s = &defaults;
    }
    if (t)
        a->topt = *t;
    else
        crible_tokenize_options_init(&a->topt);
    crible_status st = crible_tokenizer_create(&a->topt, &a->tokenizer, err);
    if (st == CRIBLE_OK)
        st = crible_stem_bank_open(s, &a->bank, err);
    if (st == CRIBLE_OK && !(a->stem_settings = crible_stem_options_json(s)))
        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (st != CRIBLE_OK) {
        crible_analyzer_free(a);
        return st;
    }
    /* the strings of the options need not outlive this call */
    a->topt.abbreviations = NULL;
    a->topt.nabbreviations = 0;
    a->topt.fields = NULL;
    a->topt.nfields = 0;
    *out = a;
    return CRIBLE_OK;
}

crible_status crible_analyzer_open_config(const crible_config *config, bool sentences,
                                          crible_analyzer **out, crible_error *err)
{
    crible_tokenize_options t;
    crible_stem_options s;
    const crible_node *ts = NULL, *ss = NULL;
    crible_stem_options_init(&s);
    crible_status st = CRIBLE_OK;
    if (config) {
        st = crible_config_section(config, "tokenize", &ts, err);
        if (st == CRIBLE_OK)
            st = crible_config_section(config, "stem", &ss, err);
    }
    if (st == CRIBLE_OK)
        st = crible_tokenize_options_load(config, ts, &t, err);
    if (st == CRIBLE_OK)
        st = crible_stem_options_load(config, ss, &s, err);
    if (st == CRIBLE_OK) {
        t.sentences = sentences;
        st = crible_analyzer_open(&t, &s, out, err);
    }
    crible_stem_options_free(&s);
    return st;
}

static bool get_bool(const json_t *o, const char *key, bool def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

crible_status crible_analyzer_open_json(const char *settings, bool sentences,
                                        crible_analyzer **out, crible_error *err)
{
    *out = NULL;
    json_error_t je;
    json_t *j = json_loads(settings && *settings ? settings : "{}", 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return crible_error_set(err, CRIBLE_EDATA, "analysis settings: not a JSON object (%s)", je.text);
    }
    const json_t *tk = json_object_get(j, "tokenize"), *sm = json_object_get(j, "stem");
    crible_tokenize_options t;
    crible_tokenize_options_init(&t);
    const char *norm = json_string_value(json_object_get(tk, "normalization"));
    if (norm && strcmp(norm, "nfkc") == 0)
        t.normalization = CRIBLE_NORMALIZE_NFKC;
    t.fold_case = get_bool(tk, "fold_case", t.fold_case);
    t.fold_accents = get_bool(tk, "fold_accents", t.fold_accents);
    t.split_elisions = get_bool(tk, "split_elisions", t.split_elisions);
    t.split_clitics = get_bool(tk, "split_clitics", t.split_clitics);
    t.sentences = sentences;
    crible_stem_options s;
    crible_stem_options_init(&s);
    crible_status st = sm ? crible_stem_options_from_json(sm, &s, err) : CRIBLE_OK;
    if (st == CRIBLE_OK)
        st = crible_analyzer_open(&t, &s, out, err);
    crible_stem_options_free(&s);
    json_decref(j);
    return st;
}

void crible_analyzer_free(crible_analyzer *a)
{
    if (!a)
        return;
    crible_tokenizer_free(a->tokenizer);
    crible_stem_bank_free(a->bank);
    free(a->stem_settings);
    free(a->tokens);
    free(a->term_offs);
    free(a->terms);
    free(a);
}

/* Copies src[0..n) to dst, reading and writing those bytes only: a term
 * of up to 16 bytes (most are) as two overlapping loads and stores, not a
 * call to memcpy. */
static inline void copy_short(char *dst, const char *src, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
    } else {
        memcpy(dst, src, n);
    }
}

/* Words hashed and their memo slots prefetched a block at a time: one
 * sentence's lookups then wait for memory together, not one by one. */
#define MEMO_AHEAD 32

static crible_status on_sentence(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    crible_analyzer *a = ctx;
    if (s->ntokens > a->tokens_cap) {
        crible_analyzed_token *t = crible_realloc(a->tokens, s->ntokens * 2 * sizeof *t, err);
        if (t)
            a->tokens = t;
        size_t *o = t ? crible_realloc(a->term_offs, s->ntokens * 2 * sizeof *o, err) : NULL;
        if (!o)
            return CRIBLE_ENOMEM;
        a->term_offs = o;
        a->tokens_cap = s->ntokens * 2;
    }
    size_t used = 0;
    uint64_t epoch = crible_stem_bank_epoch(a->bank);
    /* in locals: the terms' stores would make the compiler read them again */
    crible_analyzed_token *o = a->tokens;
    size_t *offs = a->term_offs;
    char *terms = a->terms;
    size_t terms_cap = a->terms_cap;
    const crible_stem_memo *memo = crible_stem_bank_memo(a->bank);
    uint64_t hs[MEMO_AHEAD];   /* the words' hashes, their memo slots asked for a block ahead */
    for (size_t i = 0; i < s->ntokens; i++) {
        const crible_token *tk = &s->tokens[i];
        if (i % MEMO_AHEAD == 0)
            for (size_t k = i; k < s->ntokens && k < i + MEMO_AHEAD; k++) {
                const crible_token *w = &s->tokens[k];
                uint64_t h = 0;
                if (memo && w->type == CRIBLE_TOKEN_WORD && w->norm_len - 1 < CRIBLE_STEM_MEMO_MAX) {
                    h = crible_bytes_hash(w->norm, w->norm_len);
                    crible_stem_memo_prefetch(memo, h);
                }
                hs[k - i] = h;
            }
        size_t tl;
        bool stop;
        uint32_t word;
        /* a word the memo holds (most): the bank's answer without its call
         * (hash 0: not a word the memo may hold, or one in 2^64) */
        uint64_t h = hs[i % MEMO_AHEAD];
        const char *term = h ? crible_stem_memo_get_hashed(memo, tk->norm, tk->norm_len, h, &tl, &stop, &word) : NULL;
        if (!term)
            term = crible_stem_bank_token_numbered(a->bank, tk->norm, tk->norm_len, tk->type, &tl, &stop, &word);
        if (!term)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        if (used + tl + 1 > terms_cap) {
            size_t cap = (used + tl + 1) * 2 + 256;
            char *b = crible_realloc(a->terms, cap, err);
            if (!b)
                return CRIBLE_ENOMEM;
            a->terms = terms = b;
            a->terms_cap = terms_cap = cap;
        }
        if (tl)   /* terms are NUL-terminated: copied with their NUL */
            copy_short(terms + used, term, tl + 1);
        else      /* punctuation */
            terms[used] = '\0';
        o[i] = (crible_analyzed_token){.start = tk->start, .end = tk->end, .norm = tk->norm,
                                       .norm_len = tk->norm_len, .type = tk->type,
                                       .term = NULL /* below */, .term_len = tl, .stop = stop,
                                       .word = word};
        offs[i] = used;   /* pointers once the buffer stops moving */
        used += tl + 1;
    }
    bool renumbered = crible_stem_bank_epoch(a->bank) != epoch;   /* rare: the numbers void */
    for (size_t i = 0; i < s->ntokens; i++) {
        o[i].term = terms + offs[i];
        if (renumbered)
            o[i].word = 0;
    }
    return a->fn(a->ctx, a->tokens, s->ntokens, s->index, err);
}

crible_status crible_analyzer_run(crible_analyzer *a, const char *lang, const char *text,
                                  size_t len, crible_analyzed_fn fn, void *ctx, crible_error *err)
{
    crible_error ignored;
    if (crible_stem_bank_select(a->bank, lang, &ignored) == CRIBLE_ENOMEM)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    a->fn = fn;
    a->ctx = ctx;
    return crible_tokenizer_run(a->tokenizer, text, len, on_sentence, a, err);
}

void crible_analyzer_prepare(crible_analyzer *a)
{
    crible_stem_bank_prepare(a->bank);
}

uint64_t crible_analyzer_word_epoch(const crible_analyzer *a)
{
    return crible_stem_bank_epoch(a->bank);
}

char *crible_analyzer_settings(const crible_analyzer *a)
{
    char *tok = crible_tokenize_options_json(&a->topt);
    json_t *tk = tok ? json_loads(tok, 0, NULL) : NULL;
    json_t *stem = json_loads(a->stem_settings, 0, NULL);
    free(tok);
    json_t *j = tk ? json_pack("{s:o, s:o}", "tokenize", tk, "stem", stem ? stem : json_object())
                   : NULL;
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}
