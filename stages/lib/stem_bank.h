/*
 * stem_bank.h - the stemming step of a run: one stemmer and one stop-word
 * set per language met, the default one from the `stem:` section and the
 * others made on demand when a document's metadata says `"lang": "en"`.
 * crible-stem and the analyzer (analyzer.h, hence crible-query) both go
 * through it, so a token gets the same CRIBLE:STEM and CRIBLE:STOP
 * wherever it is analysed.
 *
 * What a token gets, by CRIBLE:TYPE (crible_stem_bank_token):
 *   word                 the stemmer's term of its normal form; STOP from
 *                        the language's stop words
 *   number url email     its normal form itself, so that "3,5", a URL, an
 *   hashtag mention      address, "#jepeuxtedireunsecret", "@netflixfr" or
 *   emoji                "😍" can be searched as written; never a stop word
 *   punct symbol         no term ("_" in the stream); never a stop word
 *
 * Languages other than the default get the configuration's protected
 * words, overrides and accent folding, and the stop words crible ships for
 * them ("stopwords-LL.txt", LL the ISO 639-1 code) if any.
 */
#ifndef CRIBLE_STEM_BANK_H
#define CRIBLE_STEM_BANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stem_memo.h"
#include "stem_options.h"
#include "tokenizer.h"

typedef struct crible_stem_bank crible_stem_bank;

/* Opens the default language's stemmer and stop words (options NULL: every
 * default).  CRIBLE_ECONFIG for an unknown algorithm, CRIBLE_EIO or
 * CRIBLE_EDATA for a stop-word or correction file that cannot be read.
 * The options need not outlive the bank. */
crible_status crible_stem_bank_open(const crible_stem_options *options,
                                    crible_stem_bank **out, crible_error *err);
void crible_stem_bank_free(crible_stem_bank *bank);

/* Makes `lang` (a document's "lang": "fr", "en-GB", "german"...) the
 * language of the following words; NULL, "" or languages off (the option)
 * mean the default.  An unknown language is CRIBLE_EDATA ("unknown
 * language 'xx'"): the default stays selected and the caller may go on. */
crible_status crible_stem_bank_select(crible_stem_bank *bank, const char *lang,
                                      crible_error *err);

/* The canonical algorithm of the selected language ("french"). */
const char *crible_stem_bank_language(const crible_stem_bank *bank);

/* The term of a token (see the table above), NUL-terminated, "" for no
 * term; valid until the next call.  *stop (may be NULL) gets its stop flag.
 * NULL only when out of memory. */
const char *crible_stem_bank_token(crible_stem_bank *bank, const char *norm,
                                   size_t len, crible_token_type type,
                                   size_t *term_len, bool *stop);

/* The same, and *number gets a number of the token's word: 1 + its
 * number in the selected language's cache of words (0: none, for a token
 * that is not a word or a word not cached).  While crible_stem_bank_epoch
 * stays the same, tokens given the same nonzero number had the same
 * normal form, hence the same term and stop flag; the numbers are dense
 * (at most the stemmer's cache_entries), so a caller can keep what it
 * made of a word in an array indexed by them. */
const char *crible_stem_bank_token_numbered(crible_stem_bank *bank, const char *norm,
                                            size_t len, crible_token_type type,
                                            size_t *term_len, bool *stop, uint32_t *number);
/* The selected language's first-level memo (stem_memo.h), NULL when it
 * has none: a word (type CRIBLE_TOKEN_WORD) it holds
 * (crible_stem_memo_get) gets the term, stop flag and number
 * crible_stem_bank_token_numbered would give it, without the call.
 * Valid until the next crible_stem_bank_select. */
const crible_stem_memo *crible_stem_bank_memo(const crible_stem_bank *bank);

/* crible_stem_bank_token_numbered, a word the memo holds (memo: the
 * bank's crible_stem_bank_memo, fetched once for many tokens) read inline
 * without the call.  (A caller with many words may instead hash them
 * ahead, prefetch their slots, crible_stem_memo_prefetch, and read them
 * with crible_stem_memo_get_hashed, as the analyzer does.) */
static inline const char *crible_stem_bank_token_memo(crible_stem_bank *bank, const crible_stem_memo *memo,
                                                      const char *norm, size_t len, crible_token_type type,
                                                      size_t *term_len, bool *stop, uint32_t *number)
{
    const char *term = memo && type == CRIBLE_TOKEN_WORD
                           ? crible_stem_memo_get(memo, norm, len, term_len, stop, number)
                           : NULL;
    return term ? term : crible_stem_bank_token_numbered(bank, norm, len, type, term_len, stop, number);
}

/* Changes when the numbers above start over (another language selected,
 * or a cache full and emptied): numbers given before mean nothing after. */
uint64_t crible_stem_bank_epoch(const crible_stem_bank *bank);

/* crible_stemmer_prepare for the default language's stemmer: safe while
 * another thread uses the bank (it touches only the shared correction
 * table). */
void crible_stem_bank_prepare(crible_stem_bank *bank);

/* The term of one word (type word), e.g. an exact query word. */
const char *crible_stem_bank_word(crible_stem_bank *bank, const char *norm,
                                  size_t len, size_t *term_len);

/* Whether a word is a stop word in the selected language. */
bool crible_stem_bank_is_stop(const crible_stem_bank *bank, const char *norm,
                              size_t len);

#endif
