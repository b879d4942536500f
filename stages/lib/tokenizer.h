/*
 * tokenizer.h - crible's French tokenizer: UTF-8 text in, sentences of typed,
 * normalised tokens out, with byte offsets into the text as it was given.
 *
 * Used by crible-tokenize (documents) and by the analysis chain of
 * analyzer.h (documents and queries alike), so a query is cut exactly like
 * the text it searches.
 *
 * What it does to a field, in order:
 *   1. checks the UTF-8 (an invalid byte is CRIBLE_EDATA with its offset);
 *   2. normalises to NFC (or NFKC) for analysis only: offsets still refer to
 *      the bytes given (see "Offsets" below);
 *   3. cuts words with ICU's word break iterator (locale fr) and sentences
 *      with ICU's sentence break iterator, then applies French rules:
 *      - elisions split as Universal Dependencies does, the apostrophe kept
 *        on the first token: "L'avion" -> "L'" "avion", "qu’il" -> "qu’" "il",
 *        for l' d' j' m' n' s' t' c' ç' y' qu' jusqu' lorsqu' puisqu' quoiqu'
 *        (' ’ or ʼ); aujourd'hui, presqu'île, prud'homme, l'on stay whole;
 *      - "Canal+", "Disney+", "C++" are one token (a capitalised word and
 *        its +);
 *      - numbers: "1 000" (groups of three after a space or no-break space),
 *        "4/5", "-0,8" are one token; a number glued to a unit or an hour
 *        is cut as UD does: "160km" -> "160" "km", "20h30" -> "20" "h" "30";
 *      - inverted clitics split as UD French-GSD does: "dit-il" -> "dit"
 *        "-il", "a-t-il" -> "a" "-t-il", "donne-moi" -> "donne" "-moi";
 *        compounds stay whole: Royaume-Uni, peut-être, c'est-à-dire;
 *      - glued tokens ICU leaves whole are cut: "domestique.Consternant"
 *        (press text with paragraphs joined) -> "domestique" "." and a new
 *        sentence "Consternant";
 *      - no sentence break after a French abbreviation (M. Mme Dr p. cf.
 *        ...; more by configuration) or an initial ("J. K. Rowling");
 *        "etc." ends a sentence only before a capital; a sentence ends
 *        after . ? ! … and a space even before a lower-case word (as UD
 *        does; speech transcripts have no capitals), but not in an incise
 *        ("« Tu viens ? » demanda-t-il"); closing marks stay with the
 *        sentence they close (". »" with a no-break space);
 *      - a line break always ends a sentence;
 *      Speed: plain words between spaces are cut without ICU (the result
 *      is ICU's, checked by test_tokenizer and `bench_floor same`), and
 *      the sentence iterator is asked only after a terminal;
 *   4. types each token (enum below) and computes its normal form.
 *
 * The normal form (token.norm): the NFC/NFKC text, ICU full case folding
 * (u_strFoldCase, never byte-wise tolower: "ÉTÉ" -> "été", "Straße" ->
 * "strasse"), ’ and ʼ -> ', and, when fold_accents is set, accents removed
 * (NFD, drop nonspacing marks, NFC: "été" -> "ete", "œuvre" stays "œuvre").
 * URLs and e-mail addresses are case-folded only.
 *
 * Worked example: "L’été, dit-il, a coûté 3,5 M€. Bof 😞 #déçu"
 *   sentence 0:  L’ 0-4 "l'" word | été 4-9 "été" word | , 9-10 punct |
 *                dit 11-14 word | -il 14-17 "-il" word | , 17-18 punct |
 *                a 19-20 word | coûté 21-28 word | 3,5 29-32 number |
 *                M 33-34 "m" word | € 34-37 symbol | . 37-38 punct
 *   sentence 1:  Bof 39-42 "bof" word | 😞 43-47 emoji | #déçu 48-55 hashtag
 *
 * Offsets: token.start and token.end are byte offsets into the string given
 * to crible_tokenizer_run (end exclusive), so text[start..end) is the
 * token's surface form exactly as written.  When normalisation changed the
 * text (rare: the data crible reads is NFC), a token boundary that falls
 * inside a sequence normalisation recomposed is widened to the whole
 * sequence; spans never shrink to nothing.
 *
 * Memory: a tokenizer owns its buffers and reuses them from call to call; in
 * steady state tokenizing allocates nothing per token.  Not thread-safe: use
 * one tokenizer per thread.
 */
#ifndef CRIBLE_TOKENIZER_H
#define CRIBLE_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum crible_token_type {
    CRIBLE_TOKEN_WORD = 0,  /* letters, digits mixed with letters, clitics "-il" */
    CRIBLE_TOKEN_NUMBER,    /* 42  3,5  1 000  4/5  -0,8  2007-2008 ("1er" is a word) */
    CRIBLE_TOKEN_PUNCT,     /* . , ; : ! ? « » ( ) - … " ' */
    CRIBLE_TOKEN_SYMBOL,    /* € $ % + = © ° and other symbols */
    CRIBLE_TOKEN_EMOJI,     /* a whole grapheme cluster: 👍🏽 👨‍👩‍👧 🇫🇷 */
    CRIBLE_TOKEN_URL,       /* https://example.org/a?b=c  www.netflix.com */
    CRIBLE_TOKEN_EMAIL,     /* contact@example.fr */
    CRIBLE_TOKEN_HASHTAG,   /* #JePeuxTeDireUnSecret */
    CRIBLE_TOKEN_MENTION    /* @netflixfr */
} crible_token_type;

#define CRIBLE_TOKEN_NTYPES 9

/* "word", "number", "punct", "symbol", "emoji", "url", "email", "hashtag",
 * "mention" (the CRIBLE:TYPE column); "?" for an out-of-range value. */
const char *crible_token_type_name(crible_token_type type);

/* The type named `name` (one of the strings above); false if unknown. */
bool crible_token_type_parse(const char *name, crible_token_type *out);

typedef struct crible_token {
    size_t start, end;       /* byte offsets into the given text, end exclusive */
    const char *norm;        /* normal form, NUL-terminated UTF-8, never empty */
    size_t norm_len;         /* strlen(norm) */
    crible_token_type type;
    size_t sentence;         /* 0-based index of its sentence in the text */
} crible_token;

/* One sentence, handed to the callback.  Everything it points to belongs to
 * the tokenizer and is valid only during the callback. */
typedef struct crible_token_sentence {
    size_t index;                /* 0-based, in the text */
    size_t start, end;           /* byte span of the sentence (first token's
                                    start to last token's end) */
    const crible_token *tokens;  /* ntokens >= 1 tokens, in text order */
    size_t ntokens;
} crible_token_sentence;

/* Called once per sentence, in order.  Returning anything but CRIBLE_OK
 * (with err filled) stops crible_tokenizer_run, which returns that status. */
typedef crible_status (*crible_sentence_fn)(void *ctx,
                                            const crible_token_sentence *sentence,
                                            crible_error *err);

typedef enum crible_normalization {
    CRIBLE_NORMALIZE_NFC = 0,
    CRIBLE_NORMALIZE_NFKC
} crible_normalization;

/* The tokenizer's settings: the `tokenize:` section of the configuration
 * (tokenize_options.h loads it).  Start from crible_tokenize_options_init. */
typedef struct crible_tokenize_options {
    crible_normalization normalization;  /* nfc (default) or nfkc */
    bool fold_case;         /* ICU case folding in norm (default true) */
    bool fold_accents;      /* strip accents in norm (default false) */
    bool split_elisions;    /* l'avion -> l' avion (default true) */
    bool split_clitics;     /* dit-il -> dit -il (default true) */
    bool sentences;         /* split sentences (default true); false: the
                               whole text is one sentence (queries) */
    /* More abbreviations after which a period ends no sentence, on top of
     * the built-in French list: "cf.", "vol.", "Mgr" (with or without the
     * final period; matched case-sensitively).  Strings are copied by
     * crible_tokenizer_create. */
    const char *const *abbreviations;
    size_t nabbreviations;
    /* Tests and benchmarks: cut every segment with ICU, even the plain
     * words between spaces the tokenizer otherwise cuts itself (the result
     * is the same; test_tokenizer checks it). */
    bool icu_only;
    /* crible-tokenize only: the document members to tokenize, in order
     * (default "title", "text").  Not used by the tokenizer itself. */
    const char *const *fields;
    size_t nfields;
} crible_tokenize_options;

/* Sets every default (see each member above). */
void crible_tokenize_options_init(crible_tokenize_options *options);

typedef struct crible_tokenizer crible_tokenizer;

/* Creates a tokenizer (opens ICU's iterators and normalizers).  options NULL
 * means every default.  CRIBLE_EINTERNAL if ICU's data cannot be loaded,
 * CRIBLE_ENOMEM.  Free with crible_tokenizer_free. */
crible_status crible_tokenizer_create(const crible_tokenize_options *options,
                                      crible_tokenizer **out, crible_error *err);

/* NULL is a no-op. */
void crible_tokenizer_free(crible_tokenizer *tokenizer);

/* Tokenizes text[0..len) (UTF-8, NUL bytes allowed: they are treated as
 * spaces) and calls fn once per sentence that has tokens.  A text of only
 * spaces calls fn zero times.  Returns CRIBLE_OK, CRIBLE_EDATA for invalid
 * UTF-8 ("invalid UTF-8 at byte N"), CRIBLE_EDATA if the text is longer than
 * 1 GiB, CRIBLE_ENOMEM, or what fn returned. */
crible_status crible_tokenizer_run(crible_tokenizer *tokenizer,
                                   const char *text, size_t len,
                                   crible_sentence_fn fn, void *ctx,
                                   crible_error *err);

#endif
