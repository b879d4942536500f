/*
 * stem_bank.c - per-language stemmers and stop words (stem_bank.h).  The
 * languages met are kept in a small array (a corpus has few); index 0 is
 * the default.
 *
 * Each language caches what a word gets, its term and its stop flag, in two
 * levels: the memo of stem_memo.h (one cache line a word, direct-mapped),
 * then one word map (value: the word's number, '0' or '1', then the term)
 * for the words the memo has no room for, so that a word met before costs
 * one lookup; its stemmer is made without a cache of its own.  The words
 * are numbered in the order they enter the word map (1, 2...); when it is
 * full it is emptied (and the memo with it) and the numbering restarts:
 * crible_stem_bank_epoch changes.
 */
#include "stem_bank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "stem_memo.h"
#include "stem_wordmap.h"
#include "stopwords.h"

#define MAX_LANGS 32
#define CACHE_WORD_MAX 64      /* longer words are not cached */
#define CACHE_TERM_MAX 256     /* nor words with longer terms */

typedef struct lang {
    const char *algorithm;      /* canonical, static */
    crible_stemmer *stemmer;
    crible_stopwords *stop;
    crible_stem_memo *memo;     /* first level; NULL: no cache */
    crible_wordmap *cache;      /* word -> number, stop flag, term; NULL: none */
    size_t cache_max;           /* its bound */
} lang;

/* A cache value: 1 + the word's number (native 32 bits), '0' or '1' (stop
 * flag), the term. */
#define VALUE_TERM 5

struct crible_stem_bank {
    crible_stemmer_options stemmer_options;   /* for languages made later */
    bool languages;
    lang langs[MAX_LANGS];
    size_t nlangs, current;
    uint64_t clears;            /* caches emptied so far (crible_stem_bank_epoch) */
};

static crible_status load_shipped_stopwords(crible_stopwords *sw, const char *algorithm,
                                            crible_error *err)
{
    const char *iso = crible_stem_algorithm_iso(algorithm);
    char name[64], path[4096];
    if (!iso)
        return CRIBLE_OK;
    snprintf(name, sizeof name, "stopwords-%s.txt", iso);
    if (!crible_data_find(name, path, sizeof path))
        return CRIBLE_OK;
    return crible_stopwords_load(sw, path, err);
}

/* A named file: as given, else (a bare name) among the files crible ships. */
static crible_status load_stopwords_file(crible_stopwords *sw, const char *file, crible_error *err)
{
    char path[4096];
    if (file[0] != '/' && access(file, R_OK) != 0 && !strchr(file, '/') &&
        crible_data_find(file, path, sizeof path))
        file = path;
    return crible_stopwords_load(sw, file, err);
}

/* Adds a language; options give its stemmer (algorithm set by the caller). */
static crible_status add_lang(crible_stem_bank *b, const crible_stemmer_options *so,
                              const crible_stem_options *o, crible_error *err)
{
    if (b->nlangs == MAX_LANGS)
        return crible_error_set(err, CRIBLE_EDATA, "more than %d languages", MAX_LANGS);
    lang *l = &b->langs[b->nlangs];
    memset(l, 0, sizeof *l);
    crible_stemmer_options uncached = *so;
    uncached.cache_entries = 0;
    crible_status st = crible_stemmer_new(&uncached, &l->stemmer, err);
    if (st != CRIBLE_OK)
        return st;
    if (so->cache_entries && (!(l->cache = crible_wordmap_new(so->cache_entries, err)) ||
                              !(l->memo = crible_stem_memo_new(err)))) {
        crible_stemmer_free(l->stemmer);
        crible_wordmap_free(l->cache);
        return CRIBLE_ENOMEM;
    }
    l->cache_max = so->cache_entries;
    l->algorithm = crible_stemmer_algorithm_name(l->stemmer);
    if (!(l->stop = crible_stopwords_new(err))) {
        crible_stemmer_free(l->stemmer);
        crible_wordmap_free(l->cache);
        crible_stem_memo_free(l->memo);
        return CRIBLE_ENOMEM;
    }
    if (o && !o->stopwords)
        st = CRIBLE_OK;
    else if (o && o->stopwords_list)
        for (size_t i = 0; i < o->nstopwords_list && st == CRIBLE_OK; i++)
            st = crible_stopwords_add(l->stop, o->stopwords_list[i], strlen(o->stopwords_list[i]), err);
    else if (o && o->stopwords_file)
        st = load_stopwords_file(l->stop, o->stopwords_file, err);
    else
        st = load_shipped_stopwords(l->stop, l->algorithm, err);
    if (st != CRIBLE_OK) {
        crible_stemmer_free(l->stemmer);
        crible_stopwords_free(l->stop);
        crible_wordmap_free(l->cache);
        crible_stem_memo_free(l->memo);
        return st;
    }
    b->nlangs++;
    return CRIBLE_OK;
}

crible_status crible_stem_bank_open(const crible_stem_options *o, crible_stem_bank **out,
                                    crible_error *err)
{
    crible_stem_options defaults;
    if (!o) {
        crible_stem_options_init(&defaults);
        o = &defaults;
    }
    *out = NULL;
    crible_stem_bank *b = crible_malloc(sizeof *b, err);
    if (!b)
        return CRIBLE_ENOMEM;
    memset(b, 0, sizeof *b);
    b->stemmer_options = o->stemmer;
    b->languages = o->languages;
    crible_status st = add_lang(b, &o->stemmer, o, err);
    if (st != CRIBLE_OK) {
        free(b);
        return st;
    }
    /* later languages do not reuse the default's stop words or table file */
    b->stemmer_options.corrections_file = NULL;
    b->stemmer_options.override_words = NULL;
    b->stemmer_options.override_stems = NULL;
    b->stemmer_options.noverrides = 0;
    b->stemmer_options.protected_words = NULL;
    b->stemmer_options.nprotected = 0;
    *out = b;
    return CRIBLE_OK;
}

void crible_stem_bank_free(crible_stem_bank *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nlangs; i++) {
        crible_stemmer_free(b->langs[i].stemmer);
        crible_stopwords_free(b->langs[i].stop);
        crible_wordmap_free(b->langs[i].cache);
        crible_stem_memo_free(b->langs[i].memo);
    }
    free(b);
}

crible_status crible_stem_bank_select(crible_stem_bank *b, const char *name, crible_error *err)
{
    b->current = 0;
    if (!b->languages || !name || !name[0])
        return CRIBLE_OK;
    const char *algo = crible_stem_algorithm(name);
    if (!algo)
        return crible_error_set(err, CRIBLE_EDATA, "unknown language '%s'", name);
    for (size_t i = 0; i < b->nlangs; i++) {
        if (strcmp(b->langs[i].algorithm, algo) == 0) {
            b->current = i;
            return CRIBLE_OK;
        }
    }
    crible_stemmer_options so = b->stemmer_options;
    so.algorithm = algo;
    crible_status st = add_lang(b, &so, NULL, err);
    if (st == CRIBLE_OK)
        b->current = b->nlangs - 1;
    return st;
}

const char *crible_stem_bank_language(const crible_stem_bank *b)
{
    return b->langs[b->current].algorithm;
}

bool crible_stem_bank_is_stop(const crible_stem_bank *b, const char *norm, size_t len)
{
    return crible_stopwords_contains(b->langs[b->current].stop, norm, len);
}

/* A word's term and stop flag, through the language's memo and cache;
 * *number gets 1 + its number in the cache (0: not cached).  Inlined in
 * both callers: a memo hit is a few dozen instructions, a call's register
 * saving a third as many again. */
static inline __attribute__((always_inline)) const char *
word_term(crible_stem_bank *b, const char *norm, size_t len, size_t *term_len, bool *stop,
          uint32_t *number)
{
    lang *l = &b->langs[b->current];
    crible_stem_memo_entry *me = NULL;
    uint64_t h = 0;
    *number = 0;
    if (l->memo && len - 1 < CRIBLE_STEM_MEMO_MAX) {   /* 1 <= len <= MAX */
        h = crible_bytes_hash(norm, len);
        me = crible_stem_memo_slot(l->memo, h);
        if (crible_stem_memo_holds(me, norm, len, h)) {
            *stop = me->stop;
            *term_len = me->term_len;
            *number = me->word;
            return me->term;
        }
    }
    bool cached = l->cache && len <= CACHE_WORD_MAX;
    size_t vn;
    const char *v;
    if (cached && (v = crible_wordmap_get(l->cache, norm, len, &vn))) {
        memcpy(number, v, sizeof *number);
        *stop = v[VALUE_TERM - 1] == '1';
        *term_len = vn - VALUE_TERM;
        if (me)
            crible_stem_memo_fill(me, norm, len, h, v + VALUE_TERM, vn - VALUE_TERM, *stop, *number);
        return v + VALUE_TERM;
    }
    *stop = crible_stopwords_contains(l->stop, norm, len);
    const char *term = crible_stemmer_stem(l->stemmer, norm, len, term_len);
    if (term && cached && *term_len <= CACHE_TERM_MAX) {
        char value[VALUE_TERM + CACHE_TERM_MAX];
        if (crible_wordmap_count(l->cache) >= l->cache_max) {   /* full: every number restarts */
            crible_wordmap_clear(l->cache);
            if (l->memo)
                crible_stem_memo_clear(l->memo);
            b->clears++;
        }
        uint32_t n = (uint32_t)crible_wordmap_count(l->cache) + 1;
        memcpy(value, &n, sizeof n);
        value[VALUE_TERM - 1] = *stop ? '1' : '0';
        memcpy(value + VALUE_TERM, term, *term_len);
        crible_error ignored;   /* a failed cache insert only costs speed */
        if (crible_wordmap_put(l->cache, norm, len, value, *term_len + VALUE_TERM, &ignored) == CRIBLE_OK)
            *number = n;
    }
    if (term && me)
        crible_stem_memo_fill(me, norm, len, h, term, *term_len, *stop, *number);
    return term;
}

const char *crible_stem_bank_word(crible_stem_bank *b, const char *norm, size_t len,
                                  size_t *term_len)
{
    bool stop;
    uint32_t number;
    return word_term(b, norm, len, term_len, &stop, &number);
}

const char *crible_stem_bank_token(crible_stem_bank *b, const char *norm, size_t len,
                                   crible_token_type type, size_t *term_len, bool *stop)
{
    uint32_t number;
    return crible_stem_bank_token_numbered(b, norm, len, type, term_len, stop, &number);
}

const crible_stem_memo *crible_stem_bank_memo(const crible_stem_bank *b)
{
    return b->langs[b->current].memo;
}

void crible_stem_bank_prepare(crible_stem_bank *b)
{
    crible_stemmer_prepare(b->langs[0].stemmer);
}

uint64_t crible_stem_bank_epoch(const crible_stem_bank *b)
{
    return b->clears * MAX_LANGS + b->current;
}

const char *crible_stem_bank_token_numbered(crible_stem_bank *b, const char *norm, size_t len,
                                            crible_token_type type, size_t *term_len, bool *stop,
                                            uint32_t *number)
{
    *number = 0;
    if (stop)
        *stop = false;
    switch (type) {
    case CRIBLE_TOKEN_WORD: {
        bool is_stop;
        const char *term = word_term(b, norm, len, term_len, &is_stop, number);
        if (stop)
            *stop = is_stop;
        return term;
    }
    case CRIBLE_TOKEN_PUNCT:
    case CRIBLE_TOKEN_SYMBOL:
        *term_len = 0;
        return "";
    default:
        *term_len = len;
        return norm;
    }
}
