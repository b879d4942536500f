/*
 * tok_internal.h - what the tokenizer's files share and nobody else sees.
 *
 *   tok_text.c      UTF-8 -> UTF-16 with validation, NFC/NFKC with a map
 *                   back to the original offsets, UTF-16 -> byte offsets
 *   tok_special.c   URLs, e-mail addresses, #hashtags, @mentions found in
 *                   the text before ICU cuts them into pieces
 *   tok_french.c    French rules: elisions, inverted clitics, abbreviations
 *   tok_norm.c      character classes, token types, the normal form
 *   tok_lexer.c     segments: ICU's word iterator, or the fast path for
 *                   plain words; a window of segments to look ahead in
 *   tok_assemble.c  segments joined and cut into tokens (French rules)
 *   tok_sentences.c where sentences end; a sentence handed to the callback
 *   tokenizer.c     the API: options, create/free, run
 *
 * All positions here are UTF-16 code unit indexes into the (normalised)
 * text, as int32_t (ICU's index type); texts are at most 1 GiB.
 */
#ifndef CRIBLE_TOK_INTERNAL_H
#define CRIBLE_TOK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/utypes.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "error.h"
#include "tokenizer.h"

#define TOK_MAX_TEXT (1u << 30)

/* ---- tok_text.c ---------------------------------------------------------- */

/* The text being tokenized, in UTF-16, and the way back to byte offsets. */
typedef struct tok_text {
    UChar *u16;          /* the original text in UTF-16 (NUL -> space) */
    int32_t n16;
    int32_t cap16;
    UChar *norm;         /* normalised text; == u16 when nothing changed */
    int32_t nnorm;
    int32_t capnorm;
    /* When norm != u16: map[i] = index in u16 of the start of the
     * normalisation chunk that produced norm[i], with TOK_MAP_INNER set when
     * norm[i] is not the first unit of its chunk; map[nnorm] = n16. */
    int32_t *map;
    int32_t capmap;
    /* u16 indexes of the non-ASCII characters (to compute byte offsets) */
    int32_t *wide;
    size_t nwide, capwide;
    /* u16 indexes where a URL, e-mail, #tag or @mention may be: @ #, ':'
     * of "://", '.' of "www." (valid while norm == u16) */
    int32_t *trig;
    size_t ntrig, captrig;
    bool maybe_unnormalized;   /* a character normalisation may change */
    /* Forward-only cursor from u16 indexes to byte offsets. */
    int32_t cur16;
    size_t cur8, curw;
} tok_text;

#define TOK_MAP_INNER ((int32_t)1 << 30)

void tok_text_free(tok_text *t);

/* Decodes and checks s[0..len) into t->u16.  CRIBLE_EDATA "invalid UTF-8
 * at byte N", CRIBLE_ENOMEM.  Resets the cursor. */
crible_status tok_text_decode(tok_text *t, const char *s, size_t len,
                              crible_error *err);

/* Normalises t->u16 into t->norm with `nz` (NFC or NFKC instance). */
crible_status tok_text_normalize(tok_text *t, const UNormalizer2 *nz,
                                 crible_error *err);

/* Byte offset of the start of normalised unit i (for a token start) or of
 * the end of unit i-1 (for a token end, `is_end`).  Calls must come in
 * non-decreasing order of i between two tok_text_decode. */
size_t tok_text_offset_slow(tok_text *t, int32_t i, bool is_end);
static inline size_t tok_text_offset(tok_text *t, int32_t i, bool is_end)
{
    /* no normalisation and no non-ASCII character since the cursor: as
     * many bytes as units */
    if (t->norm == t->u16 && i >= t->cur16 && (t->curw == t->nwide || t->wide[t->curw] >= i)) {
        t->cur8 += (size_t)(i - t->cur16);
        t->cur16 = i;
        return t->cur8;
    }
    return tok_text_offset_slow(t, i, is_end);
}

/* ---- tok_special.c ------------------------------------------------------- */

typedef struct tok_span {
    int32_t s, e;
    crible_token_type type;   /* URL, EMAIL, HASHTAG or MENTION */
} tok_span;

/* Finds URLs, e-mails, hashtags and mentions in u[0..n), in text order and
 * without overlap, into *spans (grown as needed; *cap its capacity).  Only
 * the positions trig[0..ntrig) are looked at (tok_text's triggers), or every
 * position when trig is NULL. */
crible_status tok_special_find(const UChar *u, int32_t n, const int32_t *trig, size_t ntrig,
                               tok_span **spans, size_t *count, size_t *cap,
                               crible_error *err);

/* Whether u[0..n) ends like a domain name: "netflix.com", "Amazon.fr". */
bool tok_special_is_domain(const UChar *u, int32_t n);

/* ---- tok_french.c -------------------------------------------------------- */

/* Length (in UTF-16 units, apostrophe included) of the elided word that
 * starts u[0..n): 2 for "l'avion", 3 for "qu’il", 6 for "jusqu'à"; 0 when
 * there is none or the word stays whole (aujourd'hui, l'on).  `rest_ok`
 * says the apostrophe may end the text (the "l' Arizona" case). */
int32_t tok_french_elision(const UChar *u, int32_t n, bool rest_ok);

/* For a hyphenated word u[0..n), the start of its trailing inverted clitics
 * ("dit-il" -> 3, "a-t-il" -> 1, "donne-le-moi" -> 5), or n when none:
 * compounds (Royaume-Uni, peut-être, celui-ci, rendez-vous) stay whole.
 * *cut2 receives a second cut inside the clitics ("donne-le-moi": 8), or n. */
int32_t tok_french_clitics(const UChar *u, int32_t n, int32_t *cut2);

/* Words no rule cuts: c'est-à-dire. */
bool tok_french_whole(const UChar *u, int32_t n);

/* A number glued to a unit or an hour, cut as UD does: "160km" -> 3
 * ("160" "km"), "20h30" -> 2 with *cut2 = 3 ("20" "h" "30"); n (no cut)
 * for ordinals "1er" "2e" "109e" and anything else. */
int32_t tok_french_number_unit(const UChar *u, int32_t n, int32_t *cut2);

typedef enum tok_abbrev {
    TOK_ABBREV_NONE = 0,
    TOK_ABBREV_INSIDE,  /* never ends a sentence: M. Dr. p. cf. J. */
    TOK_ABBREV_MAYEND   /* may end one: etc. */
} tok_abbrev;

/* Whether the word u[0..n) (without its period) is an abbreviation that
 * takes the following period; `extra` are user abbreviations (UTF-16,
 * without final period), `nextra` of them. */
tok_abbrev tok_french_abbrev(const UChar *u, int32_t n,
                             UChar *const *extra, const int32_t *extra_len,
                             size_t nextra);

/* ---- tok_norm.c ---------------------------------------------------------- */

/* The code point at u[i] (i < n), surrogate pairs joined. */
static inline UChar32 tok_char_at(const UChar *u, int32_t n, int32_t i)
{
    UChar c = u[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF)
        return (((UChar32)c - 0xD800) << 10) + (u[i + 1] - 0xDC00) + 0x10000;
    return c;
}

/* ' ’ ʼ */
static inline bool tok_is_apostrophe(UChar32 c)
{
    return c == 0x27 || c == 0x2019 || c == 0x02BC;
}

/* - ‐ ‑ */
static inline bool tok_is_hyphen(UChar32 c)
{
    return c == 0x2D || c == 0x2010 || c == 0x2011;
}

/* \n \r \v \f U+0085 U+2028 U+2029 */
static inline bool tok_is_newline(UChar32 c)
{
    return (c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* white space, controls, format characters, NUL */
bool tok_is_space_slow(UChar32 c);
static inline bool tok_is_space(UChar32 c)
{
    if (c <= 0x20)
        return true;
    return c < 0x7F ? false : tok_is_space_slow(c);
}

/* Type of a segment ICU's word iterator gave with status "none" (not a
 * word, not a number): punct, symbol or emoji. */
crible_token_type tok_classify_other(const UChar *u, int32_t n);

/* Whether the word u[0..n) is a number: digits, with , . between digit
 * groups, or spaces/slashes/hyphens crible joined. */
bool tok_is_number(const UChar *u, int32_t n);

typedef struct tok_normalizer {
    const UNormalizer2 *nfd, *nfc;
    bool fold_case, fold_accents;
    UChar *buf, *buf2;
    int32_t cap;
} tok_normalizer;

/* Writes the normal form of u[0..n) of type `type` as UTF-8 at *out (grown
 * as needed, capacity *cap, written from offset *len on, NUL-terminated);
 * adds the bytes written (without the NUL) to *len.  u[0..avail) may be
 * read (avail >= n: an ASCII token is read 8 units at a time).  `wide`:
 * the caller knows u[0..n) is not all ASCII (tok_norm_ascii said so), the
 * ASCII path is not tried again. */
crible_status tok_norm_append(tok_normalizer *nz, const UChar *u, int32_t n, int32_t avail,
                              crible_token_type type, bool wide, char **out, size_t *len,
                              size_t *cap, crible_error *err);
void tok_norm_free(tok_normalizer *nz);

#ifdef __SSE2__
/* ASCII tokens 8 units at a time: u[0..n) must be ASCII for this to
 * succeed, u[0..avail) readable, o writable for n rounded up to 8 bytes.
 * Writes the token (A-Z folded when fold) and returns true; false (nothing
 * to keep) when a unit is not ASCII. */
static inline bool tok_norm_ascii_block(const UChar *u, int32_t n, int32_t avail, bool fold,
                               unsigned char *o)
{
    if (((n + 7) & ~7) > avail)
        return false;
    const __m128i lo = _mm_set1_epi8('A' - 1), hi = _mm_set1_epi8('Z' + 1),
                  bit = _mm_set1_epi8(0x20), high = _mm_set1_epi16((short)0xFF80),
                  zero = _mm_setzero_si128();
    for (int32_t i = 0; i < n; i += 8) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
        /* two mask bits a unit: set where the unit is ASCII */
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(w, high), zero));
        unsigned want = n - i < 8 ? (1u << (2 * (n - i))) - 1 : 0xFFFFu;
        if ((m & want) != want)
            return false;
        __m128i b = _mm_packus_epi16(w, w);     /* the low bytes, ASCII where it counts */
        if (fold) {
            __m128i up = _mm_and_si128(_mm_cmpgt_epi8(b, lo), _mm_cmplt_epi8(b, hi));
            b = _mm_add_epi8(b, _mm_and_si128(up, bit));
        }
        _mm_storel_epi64((__m128i *)(void *)(o + i), b);
    }
    return true;
}
#endif


/* tok_norm_append's ASCII case inline (tok_add calls it for every token):
 * true when done; false (nothing written) when the token is not ASCII
 * (*wide set), folds accents, or the buffer cannot grow: call
 * tok_norm_append. */
static inline bool tok_norm_ascii(const tok_normalizer *nz, const UChar *u, int32_t n,
                                  int32_t avail, crible_token_type type, char **out,
                                  size_t *len, size_t *cap, bool *wide)
{
#ifdef __SSE2__
    if (nz->fold_accents || *len + (size_t)n + 9 > *cap)
        return false;
    bool fold = nz->fold_case && type != CRIBLE_TOKEN_EMOJI && type != CRIBLE_TOKEN_PUNCT &&
                type != CRIBLE_TOKEN_SYMBOL;
    if (((n + 7) & ~7) <= avail)
        *wide = true;   /* the test below runs: its failure says a unit is not ASCII */
    if (!tok_norm_ascii_block(u, n, avail, fold, (unsigned char *)*out + *len))
        return false;
    *wide = false;
    *len += (size_t)n;
    (*out)[*len] = '\0';
    return true;
#else
    (void)nz, (void)u, (void)n, (void)avail, (void)type, (void)out, (void)len, (void)cap, (void)wide;
    return false;
#endif
}

/* ---- the tokenizer's state (tokenizer.c, tok_lexer.c, tok_assemble.c,
 *      tok_sentences.c) ---------------------------------------------------- */

#define TOK_MAX_SENTENCE_TOKENS 10000

enum { RAW_WORD, RAW_NUMBER, RAW_OTHER, RAW_SPECIAL };

typedef struct tok_raw {
    int32_t s, e;
    uint8_t kind;    /* RAW_* */
    uint8_t type;    /* crible_token_type of RAW_OTHER and RAW_SPECIAL */
    uint8_t space;   /* white space before it */
    uint8_t nl;      /* a line break in that space */
    uint8_t plain;   /* RAW_WORD of letters alone (the fast path's): no
                        apostrophe, hyphen, period or digit inside */
} tok_raw;

enum { GAP_SPACE = 1, GAP_NL = 2 };  /* what lies before a token */

enum {
    F_NOBREAK = 1,      /* no sentence ends after it (M. J.) */
    F_BREAK_AFTER = 2   /* a sentence ends after it (glued period) */
};

typedef struct tok_item {
    int32_t s, e;
    uint8_t type, flags;
    size_t norm, norm_len;
} tok_item;

struct crible_tokenizer {
    crible_tokenize_options opt;
    UChar **abbrev;
    int32_t *abbrev_len;
    size_t nabbrev;
    UBreakIterator *words, *sents;
    const UNormalizer2 *nz;
    tok_text text;
    tok_normalizer norm;
    /* lexer */
    tok_span *spans;
    size_t nspans, capspans, next_span;
    tok_raw *raw;
    size_t rhead, rcount, rcap;
    int32_t pos, bend;
    int32_t icu_at;   /* where the word iterator stands */
    int32_t icu_base; /* where the iterator's text starts; -1: none yet */
    int32_t icu_end;  /* and where it ends */
    bool at_boundary; /* pos is a word boundary (not a special's end) */
    int32_t fast_at;  /* a word boundary after a segment of the fast path's own
                         (a punctuation mark, a line feed, a no-break space) */
    uint8_t ascii_class[0x80];   /* tok_classify_other of each ASCII character */
    bool space, nl;
    /* sentence being built */
    tok_item *items;
    size_t nitems, capitems;
    char *nbuf;
    size_t nlen, ncap;
    crible_token *out;
    size_t capout;
    int32_t term_s;   /* start of the last terminal, -1 if none */
    bool pending;
    size_t index;
    crible_sentence_fn fn;
    void *ctx;
};

/* ---- tok_lexer.c --------------------------------------------------------- */

/* Grows the array *p of *cap elements of `size` bytes to hold `need`. */
bool tok_grow(void **p, size_t *cap, size_t need, size_t size, crible_error *err);
static inline bool tok_reserve(void **p, size_t *cap, size_t need, size_t size,
                               crible_error *err)
{
    return need <= *cap || tok_grow(p, cap, need, size, err);
}

/* Lexes until the window holds k + 1 segments (tok_peek's slow path). */
const tok_raw *tok_peek_more(crible_tokenizer *t, size_t k, crible_error *err, int *failed);

/* The k-th segment ahead (0: the next one), or NULL at the end of the text
 * (or on error: *failed is set, err filled). */
static inline const tok_raw *tok_peek(crible_tokenizer *t, size_t k, crible_error *err,
                                      int *failed)
{
    if (t->rcount - t->rhead > k)
        return &t->raw[t->rhead + k];
    return tok_peek_more(t, k, err, failed);
}

/* Drops the k segments at the head of the window. */
static inline void tok_consume(crible_tokenizer *t, size_t k)
{
    t->rhead += k;
    if (t->rhead == t->rcount)
        t->rhead = t->rcount = 0;
}

/* GAP_* bits of what lies before segment r. */
static inline unsigned tok_gap_of(const tok_raw *r)
{
    return (r->space ? GAP_SPACE : 0) | (r->nl ? GAP_NL : 0);
}

/* ---- tok_assemble.c ------------------------------------------------------ */

/* Turn the segment(s) at the window's head into tokens (tok_add). */
crible_status tok_assemble_word(crible_tokenizer *t, crible_error *err, int *failed);
crible_status tok_assemble_other(crible_tokenizer *t, crible_error *err, int *failed);

/* ---- tok_sentences.c ----------------------------------------------------- */

/* Appends the token [s, e) of `type` (F_* flags) to the sentence, its
 * normal form to the sentence's buffer; nothing else (tok_add's last step). */
static inline crible_status tok_item_append(crible_tokenizer *t, int32_t s, int32_t e,
                                            crible_token_type type, unsigned flags,
                                            crible_error *err)
{
    if (!tok_reserve((void **)&t->items, &t->capitems, t->nitems + 1, sizeof *t->items, err))
        return CRIBLE_ENOMEM;
    tok_item *it = &t->items[t->nitems];
    it->s = s;
    it->e = e;
    it->type = (uint8_t)type;
    it->flags = (uint8_t)flags;
    it->norm = t->nlen;
    bool wide = false;
    if (!tok_norm_ascii(&t->norm, t->text.norm + s, e - s, t->text.nnorm - s, type, &t->nbuf,
                        &t->nlen, &t->ncap, &wide)) {
        crible_status st = tok_norm_append(&t->norm, t->text.norm + s, e - s, t->text.nnorm - s,
                                           type, wide, &t->nbuf, &t->nlen, &t->ncap, err);
        if (st != CRIBLE_OK)
            return st;
    }
    it->norm_len = t->nlen - it->norm;
    t->nlen++;   /* keep the NUL */
    t->nitems++;
    return CRIBLE_OK;
}

/* tok_add when the sentence may end before the token, or the token may
 * be a terminal or a closing mark (tok_sentences.c). */
crible_status tok_add_slow(crible_tokenizer *t, int32_t s, int32_t e, crible_token_type type,
                           unsigned flags, unsigned gap, crible_error *err);

/* Appends the token [s, e) of `type` (F_* flags, GAP_* gap before it) to
 * the sentence, ending the sentence before it first if it must.  Inline
 * for most tokens: not punctuation, no terminal before it, no line break
 * nor glued period before it, a sentence not full: no sentence can end
 * there (tok_sentences.c, sentence_ends) and no terminal starts. */
static inline crible_status tok_add(crible_tokenizer *t, int32_t s, int32_t e,
                                    crible_token_type type, unsigned flags, unsigned gap,
                                    crible_error *err)
{
    if (e <= s)
        return CRIBLE_OK;
    if (type != CRIBLE_TOKEN_PUNCT && t->term_s < 0 && !t->pending && !(gap & GAP_NL) &&
        (t->nitems == 0 || (t->nitems < TOK_MAX_SENTENCE_TOKENS &&
                            !(t->items[t->nitems - 1].flags & F_BREAK_AFTER))))
        return tok_item_append(t, s, e, type, flags, err);
    return tok_add_slow(t, s, e, type, flags, gap, err);
}

/* Hands the sentence built so far (if any) to the callback. */
crible_status tok_flush(crible_tokenizer *t, crible_error *err);

#endif
