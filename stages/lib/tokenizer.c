/*
 * tokenizer.c - the tokenizer's driver (API in tokenizer.h).
 *
 * A text goes through three layers:
 *
 *   lexer      ICU's word break iterator (locale fr) over the normalised
 *              UTF-16 text gives segments; spaces are dropped (remembered
 *              as "space before" / "line break before" on the next one);
 *              the URLs, e-mails, #hashtags and @mentions tok_special_find
 *              found are one segment each.  Segments wait in a small window
 *              (peek/consume), so memory does not grow with the text.
 *   assembler  joins and cuts segments into tokens: hyphenated words
 *              (Royaume-Uni), slashes (4/5, km/h), digit groups (1 000),
 *              signs (-0,8), abbreviations with their period (M. Dr. J.),
 *              elisions (l' avion), inverted clitics (dit -il), runs of
 *              . ! ? and --, periods glued between two sentences
 *              ("domestique.Consternant").  See tok_french.c.
 *   sentences  ICU's sentence break iterator proposes boundaries; French
 *              rules veto some (after an abbreviation or an initial, before
 *              a lower-case word: "« Tu viens ? » demanda-t-il"), move some
 *              past closing marks (". »" with a no-break space) and add the
 *              glued ones.  A line break always ends a sentence.
 *              A sentence is handed to the callback when the next one
 *              starts (or at the end); one that reaches
 *              TOK_MAX_SENTENCE_TOKENS is cut there (degenerate input).
 */
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "tok_internal.h"

#define TOK_MAX_SENTENCE_TOKENS 10000

enum { RAW_WORD, RAW_NUMBER, RAW_OTHER, RAW_SPECIAL };

typedef struct tok_raw {
    int32_t s, e;
    uint8_t kind;    /* RAW_* */
    uint8_t type;    /* crible_token_type of RAW_OTHER and RAW_SPECIAL */
    uint8_t space;   /* white space before it */
    uint8_t nl;      /* a line break in that space */
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

static const char *const type_names[CRIBLE_TOKEN_NTYPES] = {
    "word", "number", "punct", "symbol", "emoji", "url", "email", "hashtag", "mention"};

const char *crible_token_type_name(crible_token_type type)
{
    return (unsigned)type < CRIBLE_TOKEN_NTYPES ? type_names[type] : "?";
}

bool crible_token_type_parse(const char *name, crible_token_type *out)
{
    for (int k = 0; k < CRIBLE_TOKEN_NTYPES; k++)
        if (strcmp(name, type_names[k]) == 0) {
            *out = (crible_token_type)k;
            return true;
        }
    return false;
}

void crible_tokenize_options_init(crible_tokenize_options *o)
{
    memset(o, 0, sizeof *o);
    o->normalization = CRIBLE_NORMALIZE_NFC;
    o->fold_case = true;
    o->split_elisions = true;
    o->split_clitics = true;
    o->sentences = true;
}

static crible_status icu_error(crible_error *err, const char *what, UErrorCode e)
{
    return crible_error_set(err, CRIBLE_EINTERNAL, "ICU %s: %s", what, u_errorName(e));
}

/* Copies the user's abbreviations as UTF-16 without their final period. */
static crible_status copy_abbrevs(crible_tokenizer *t, crible_error *err)
{
    size_t n = t->opt.nabbreviations;
    t->opt.abbreviations = NULL;
    t->opt.nabbreviations = 0;
    t->opt.fields = NULL;
    t->opt.nfields = 0;
    if (n == 0)
        return CRIBLE_OK;
    t->abbrev = calloc(n, sizeof *t->abbrev);
    t->abbrev_len = calloc(n, sizeof *t->abbrev_len);
    if (!t->abbrev || !t->abbrev_len)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    return CRIBLE_OK;
}

crible_status crible_tokenizer_create(const crible_tokenize_options *options,
                                      crible_tokenizer **out, crible_error *err)
{
    *out = NULL;
    crible_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (options)
        t->opt = *options;
    else
        crible_tokenize_options_init(&t->opt);
    const char *const *abbrevs = t->opt.abbreviations;
    size_t nabbrevs = t->opt.nabbreviations;
    crible_status st = copy_abbrevs(t, err);
    for (size_t k = 0; st == CRIBLE_OK && k < nabbrevs; k++) {
        UErrorCode e = U_ZERO_ERROR;
        int32_t len = 0;
        const char *a = abbrevs[k];
        int32_t alen = (int32_t)strlen(a);
        if (alen > 0 && a[alen - 1] == '.')
            alen--;
        u_strFromUTF8(NULL, 0, &len, a, alen, &e);
        t->abbrev[k] = malloc(sizeof(UChar) * (size_t)(len + 1));
        if (!t->abbrev[k]) {
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            break;
        }
        e = U_ZERO_ERROR;
        u_strFromUTF8(t->abbrev[k], len + 1, &len, a, alen, &e);
        if (U_FAILURE(e)) {
            st = crible_error_set(err, CRIBLE_ECONFIG, "abbreviation '%s' is not valid UTF-8", a);
            break;
        }
        t->abbrev_len[k] = len;
        t->nabbrev = k + 1;
    }
    UErrorCode e = U_ZERO_ERROR;
    if (st == CRIBLE_OK) {
        t->words = ubrk_open(UBRK_WORD, "fr", NULL, 0, &e);
        if (U_SUCCESS(e))
            t->sents = ubrk_open(UBRK_SENTENCE, "fr", NULL, 0, &e);
        if (U_FAILURE(e))
            st = icu_error(err, "break iterator", e);
    }
    if (st == CRIBLE_OK) {
        e = U_ZERO_ERROR;
        t->nz = t->opt.normalization == CRIBLE_NORMALIZE_NFKC ? unorm2_getNFKCInstance(&e)
                                                              : unorm2_getNFCInstance(&e);
        t->norm.nfc = unorm2_getNFCInstance(&e);
        t->norm.nfd = unorm2_getNFDInstance(&e);
        if (U_FAILURE(e))
            st = icu_error(err, "normalizer", e);
        t->norm.fold_case = t->opt.fold_case;
        t->norm.fold_accents = t->opt.fold_accents;
    }
    if (st != CRIBLE_OK) {
        crible_tokenizer_free(t);
        return st;
    }
    *out = t;
    return CRIBLE_OK;
}

void crible_tokenizer_free(crible_tokenizer *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->nabbrev; k++)
        free(t->abbrev[k]);
    free(t->abbrev);
    free(t->abbrev_len);
    if (t->words)
        ubrk_close(t->words);
    if (t->sents)
        ubrk_close(t->sents);
    tok_text_free(&t->text);
    tok_norm_free(&t->norm);
    free(t->spans);
    free(t->raw);
    free(t->items);
    free(t->nbuf);
    free(t->out);
    free(t);
}

/* Grows the array *p of *cap elements of `size` bytes to hold `need`. */
static bool reserve(void **p, size_t *cap, size_t need, size_t size, crible_error *err)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *q = crible_realloc(*p, ncap * size, err);
    if (!q)
        return false;
    *p = q;
    *cap = ncap;
    return true;
}

/* ---- lexer ------------------------------------------------------------- */

static bool raw_push(crible_tokenizer *t, tok_raw r, crible_error *err)
{
    if (t->rcount == t->rcap) {
        if (t->rhead > 0) {
            memmove(t->raw, t->raw + t->rhead, (t->rcount - t->rhead) * sizeof *t->raw);
            t->rcount -= t->rhead;
            t->rhead = 0;
        } else if (!reserve((void **)&t->raw, &t->rcap, t->rcount + 1, sizeof *t->raw, err)) {
            return false;
        }
    }
    r.space = t->space;
    r.nl = t->nl;
    t->space = t->nl = false;
    t->raw[t->rcount++] = r;
    return true;
}

/* Letters that are Word_Break=ALetter and nothing else: ASCII, Latin-1
 * and Latin Extended-A letters. */
static inline bool fast_letter(UChar c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= 0xC0 && c < 0x180 && c != 0xD7 && c != 0xF7);
}

/* Lexes one more segment into the window: 1, 0 at the end, -1 on error. */
static int lex_one(crible_tokenizer *t, crible_error *err)
{
    const UChar *u = t->text.norm;
    int32_t n = t->text.nnorm;
    for (;;) {
        if (t->pos >= n)
            return 0;
        while (t->next_span < t->nspans && t->spans[t->next_span].s < t->pos)
            t->next_span++;
        const tok_span *sp = t->next_span < t->nspans ? &t->spans[t->next_span] : NULL;
        if (sp && sp->s == t->pos) {
            tok_raw r = {sp->s, sp->e, RAW_SPECIAL, (uint8_t)sp->type, 0, 0};
            t->pos = sp->e;
            t->next_span++;
            return raw_push(t, r, err) ? 1 : -1;
        }
        if (t->bend <= t->pos && !t->opt.icu_only) {
            /* The fast path: a run of spaces, or a word of Latin letters
             * between spaces, is exactly what ICU would give (UAX #29: WB3d
             * joins spaces, WB5 letters, nothing joins a letter to a space)
             * and is cut here without it; ICU does the rest. */
            UChar c = u[t->pos];
            if (c == ' ') {
                int32_t q = t->pos + 1;
                while (q < n && u[q] == ' ')
                    q++;
                if (q == n || u[q] < 0x80 || fast_letter(u[q])) {
                    t->space = true;
                    t->pos = q;
                    continue;
                }
            } else if (fast_letter(c) && (t->pos == 0 || u[t->pos - 1] == ' ')) {
                int32_t q = t->pos + 1;
                while (q < n && fast_letter(u[q]))
                    q++;
                if ((q == n || u[q] == ' ') && !(sp && sp->s < q)) {
                    tok_raw r = {t->pos, q, RAW_WORD, CRIBLE_TOKEN_WORD, 0, 0};
                    t->pos = q;
                    return raw_push(t, r, err) ? 1 : -1;
                }
            }
        }
        if (t->bend <= t->pos) {
            t->bend = t->icu_at == t->pos ? ubrk_next(t->words) : ubrk_following(t->words, t->pos);
            if (t->bend == UBRK_DONE || t->bend > n)
                t->bend = n;
            t->icu_at = t->bend;
        }
        int32_t status = ubrk_getRuleStatus(t->words);
        int32_t s = t->pos, e = t->bend;
        if (sp && sp->s < e)
            e = sp->s;
        t->pos = e;
        tok_raw r = {s, e, RAW_OTHER, CRIBLE_TOKEN_PUNCT, 0, 0};
        if (status >= UBRK_WORD_NUMBER && tok_char_at(u, n, s) != '_') {
            r.kind = status < UBRK_WORD_LETTER ? RAW_NUMBER : RAW_WORD;
            if (u[e - 1] == 0x20E3) {
                r.kind = RAW_OTHER;
                r.type = CRIBLE_TOKEN_EMOJI;
            }
        } else {
            if (tok_is_space(tok_char_at(u, n, s))) {
                t->space = true;
                for (int32_t i = s; i < e; i++)
                    if (tok_is_newline(u[i]))
                        t->nl = true;
                continue;
            }
            r.type = (uint8_t)tok_classify_other(u + s, e - s);
        }
        return raw_push(t, r, err) ? 1 : -1;
    }
}

/* The k-th segment ahead (0: the next one), or NULL at the end. */
static const tok_raw *peek(crible_tokenizer *t, size_t k, crible_error *err, int *failed)
{
    while (t->rcount - t->rhead <= k) {
        int r = lex_one(t, err);
        if (r < 0)
            *failed = 1;
        if (r <= 0)
            return NULL;
    }
    return &t->raw[t->rhead + k];
}

static unsigned gap_of(const tok_raw *r)
{
    return (r->space ? GAP_SPACE : 0) | (r->nl ? GAP_NL : 0);
}

static void consume(crible_tokenizer *t, size_t k)
{
    t->rhead += k;
    if (t->rhead == t->rcount)
        t->rhead = t->rcount = 0;
}

/* ---- sentences ----------------------------------------------------------- */

static bool is_closing(UChar32 c)
{
    int8_t ct = u_charType(c);
    return ct == U_END_PUNCTUATION || ct == U_FINAL_PUNCTUATION || c == '"' || c == '\'';
}

static crible_status flush(crible_tokenizer *t, crible_error *err)
{
    if (t->nitems == 0)
        return CRIBLE_OK;
    if (!reserve((void **)&t->out, &t->capout, t->nitems, sizeof *t->out, err))
        return CRIBLE_ENOMEM;
    for (size_t k = 0; k < t->nitems; k++) {
        const tok_item *it = &t->items[k];
        crible_token *o = &t->out[k];
        o->start = tok_text_offset(&t->text, it->s, false);
        o->end = tok_text_offset(&t->text, it->e, true);
        if (o->end <= o->start)   /* inside one normalisation chunk */
            o->end = tok_text_offset(&t->text, it->e < t->text.nnorm ? it->e + 1 : it->e, true);
        o->norm = t->nbuf + it->norm;
        o->norm_len = it->norm_len;
        o->type = (crible_token_type)it->type;
        o->sentence = t->index;
    }
    crible_token_sentence s = {t->index, t->out[0].start, t->out[t->nitems - 1].end, t->out,
                               t->nitems};
    size_t n = t->nitems;
    t->nitems = 0;
    t->nlen = 0;
    t->term_s = -1;
    t->index++;
    (void)n;
    return t->fn(t->ctx, &s, err);
}

/* Whether the token a is a sentence terminal: . ? ! … and runs of them. */
static bool is_terminal(const crible_tokenizer *t, const tok_item *a)
{
    if (a->type != CRIBLE_TOKEN_PUNCT)
        return false;
    UChar c = t->text.norm[a->e - 1];
    return c == '.' || c == '?' || c == '!' || c == 0x2026;
}

/* Whether ICU's sentence break iterator puts a boundary in [from, to].
 * It is asked only there, after a terminal, over a window from a little
 * before the terminal (its rules look back: "U.S.") to a little after `to`
 * (they look ahead to the next letter's case): the rest of the text cannot
 * hold a sentence boundary that French rules would keep, and a full pass
 * would cost half as much as the word iterator. */
static bool icu_boundary(crible_tokenizer *t, int32_t from, int32_t to)
{
    const UChar *u = t->text.norm;
    int32_t n = t->text.nnorm;
    int32_t ws = t->term_s > 16 ? t->term_s - 16 : 0, we = to + 48 < n ? to + 48 : n;
    if (ws > 0 && U16_IS_TRAIL(u[ws]))
        ws--;
    if (we < n && U16_IS_TRAIL(u[we]))
        we++;
    UErrorCode e = U_ZERO_ERROR;
    ubrk_setText(t->sents, u + ws, we - ws, &e);
    if (U_FAILURE(e))
        return false;
    int32_t b = ubrk_following(t->sents, from - ws - 1);
    return b != UBRK_DONE && b + ws <= to;
}

/* Whether a sentence ends between the last token and the one starting at
 * s, of `type`, after `gap` (GAP_* bits). */
static bool sentence_ends(crible_tokenizer *t, int32_t s, uint8_t type, unsigned gap)
{
    const tok_item *a = &t->items[t->nitems - 1];
    if (!t->opt.sentences)
        return false;
    if (t->nitems >= TOK_MAX_SENTENCE_TOKENS)
        return true;
    if ((gap & GAP_NL) || (a->flags & F_BREAK_AFTER)) {
        t->pending = false;
        return true;
    }
    if (!t->pending && t->term_s < 0)
        return false;   /* no terminal before: no sentence can end here */
    const UChar *u = t->text.norm;
    UChar32 c = tok_char_at(u, t->text.nnorm, s);
    bool closing = type == CRIBLE_TOKEN_PUNCT && is_closing(c) &&
                   !((c == '"' || c == '\'') && (gap & GAP_SPACE));  /* ' "L'ambiguïté' opens */
    bool lower = u_islower(c);
    if (t->pending) {   /* "Non. »" then: a sentence ends after the » */
        if (closing)
            return false;
        t->pending = false;
        return !lower;  /* "« Viens ! » dit-il" */
    }
    /* ICU does not break before a lower-case word; UD French does, after
     * . ? ! … and a space (speech transcripts have no capitals). */
    bool terminal = is_terminal(t, a);
    if (a->flags & F_NOBREAK)
        return false;
    if (!((terminal && (gap & GAP_SPACE)) || icu_boundary(t, a->e, s)))
        return false;
    if (closing) {
        t->pending = true;
        return false;
    }
    return terminal || !lower;
}

/* Appends the token [s, e) of `type` to the sentence (ending the sentence
 * before it first if it must). */
static crible_status add(crible_tokenizer *t, int32_t s, int32_t e, crible_token_type type,
                         unsigned flags, unsigned gap, crible_error *err)
{
    if (e <= s)
        return CRIBLE_OK;
    if (t->nitems > 0 && sentence_ends(t, s, (uint8_t)type, gap)) {
        crible_status st = flush(t, err);
        if (st != CRIBLE_OK)
            return st;
    }
    if (!reserve((void **)&t->items, &t->capitems, t->nitems + 1, sizeof *t->items, err))
        return CRIBLE_ENOMEM;
    tok_item *it = &t->items[t->nitems];
    it->s = s;
    it->e = e;
    it->type = (uint8_t)type;
    it->flags = (uint8_t)flags;
    it->norm = t->nlen;
    crible_status st = tok_norm_append(&t->norm, t->text.norm + s, e - s, type, &t->nbuf,
                                       &t->nlen, &t->ncap, err);
    if (st != CRIBLE_OK)
        return st;
    it->norm_len = t->nlen - it->norm;
    t->nlen++;   /* keep the NUL */
    t->nitems++;
    /* where the last terminal is, while only closing marks follow it */
    if (type == CRIBLE_TOKEN_PUNCT && is_terminal(t, it))
        t->term_s = s;
    else if (!(type == CRIBLE_TOKEN_PUNCT && t->term_s >= 0 && is_closing(t->text.norm[s])))
        t->term_s = -1;
    return CRIBLE_OK;
}

/* ---- assembler ----------------------------------------------------------- */

static bool all_digits(const UChar *u, int32_t n, int32_t min, int32_t max)
{
    if (n < min || n > max)
        return false;
    for (int32_t i = 0; i < n; i++)
        if (u[i] < '0' || u[i] > '9')
            return false;
    return true;
}

static bool thousands_space(UChar c)
{
    return c == ' ' || c == 0xA0 || c == 0x202F || c == 0x2009;
}

/* "R.E.M", "B.I.P": letters in groups of one or two between periods. */
static bool is_acronym(const UChar *u, int32_t n)
{
    int32_t run = 0, dots = 0;
    for (int32_t i = 0; i < n; i++) {
        if (u[i] == '.') {
            if (run == 0 || run > 2)
                return false;
            dots++;
            run = 0;
        } else if (u_isalpha(u[i])) {
            run++;
        } else {
            return false;
        }
    }
    return dots > 0 && run > 0 && run <= 2;
}

/* What a word unit holds, found in one pass (so that the French rules run
 * only where they can apply). */
enum { H_APOS = 1, H_HYPHEN = 2, H_DOT = 4, H_DIGIT = 8 };

static unsigned scan_unit(const UChar *u, int32_t s, int32_t e)
{
    static const uint8_t ascii[0x80] = {['\''] = H_APOS, ['-'] = H_HYPHEN, ['.'] = H_DOT,
                                        [':'] = H_DOT};
    unsigned has = u[s] >= '0' && u[s] <= '9' ? H_DIGIT : 0;
    for (int32_t p = s; p < e; p++) {
        UChar c = u[p];
        if (c < 0x80) {
            has |= ascii[c];
        } else if (c == 0x2019 || c == 0x02BC) {
            has |= H_APOS;
        } else if (c == 0x2010 || c == 0x2011) {
            has |= H_HYPHEN;
        }
    }
    return has;
}

/* Emits a word (no elision, no glued period left): clitics, then type. */
static crible_status emit_word(crible_tokenizer *t, int32_t s, int32_t e, unsigned flags,
                               unsigned gap, unsigned has, crible_error *err)
{
    const UChar *u = t->text.norm;
    int32_t cut = e - s, cut2 = e - s;
    if (t->opt.split_clitics && (has & H_HYPHEN))
        cut = tok_french_clitics(u + s, e - s, &cut2);
    crible_token_type type = CRIBLE_TOKEN_WORD;
    if ((has & H_DIGIT) && tok_is_number(u + s, cut))
        type = CRIBLE_TOKEN_NUMBER;
    else if ((has & H_DOT) && tok_special_is_domain(u + s, cut))
        type = CRIBLE_TOKEN_URL;
    if (cut == e - s)
        return add(t, s, e, type, flags, gap, err);
    crible_status st = add(t, s, s + cut, type, 0, gap, err);
    if (st == CRIBLE_OK && cut2 < e - s) {
        st = add(t, s + cut, s + cut2, CRIBLE_TOKEN_WORD, 0, 0, err);
        cut = cut2;
    }
    if (st == CRIBLE_OK)
        st = add(t, s + cut, e, CRIBLE_TOKEN_WORD, flags, 0, err);
    return st;
}

/* Emits the word unit [s, e): elision, glued periods, clitics. */
static crible_status emit_unit(crible_tokenizer *t, int32_t s, int32_t e, unsigned flags,
                               unsigned gap, crible_error *err)
{
    const UChar *u = t->text.norm;
    crible_status st;
    unsigned has = scan_unit(u, s, e);
    if ((has & (H_APOS | H_HYPHEN)) == (H_APOS | H_HYPHEN) && tok_french_whole(u + s, e - s))
        return add(t, s, e, CRIBLE_TOKEN_WORD, flags, gap, err);
    int32_t c2, c1 = (has & H_DIGIT) ? tok_french_number_unit(u + s, e - s, &c2) : e - s;
    if (c1 < e - s) {   /* 160km, 20h30 */
        st = add(t, s, s + c1, CRIBLE_TOKEN_NUMBER, 0, gap, err);
        if (st == CRIBLE_OK && c2 < e - s) {
            st = add(t, s + c1, s + c2, CRIBLE_TOKEN_WORD, 0, 0, err);
            c1 = c2;
        }
        if (st == CRIBLE_OK)
            st = add(t, s + c1, e, c2 < e - s ? CRIBLE_TOKEN_NUMBER : CRIBLE_TOKEN_WORD, flags, 0,
                     err);
        return st;
    }
    if (t->opt.split_elisions && (has & H_APOS)) {
        int32_t k = tok_french_elision(u + s, e - s, false);
        if (k > 0) {
            st = add(t, s, s + k, CRIBLE_TOKEN_WORD, 0, gap, err);
            if (st != CRIBLE_OK)
                return st;
            s += k;
            gap = 0;
            has &= ~H_DIGIT;
            if (u[s] >= '0' && u[s] <= '9')
                has |= H_DIGIT;
        }
    }
    /* "domestique.Consternant": a period between a word of 2+ letters and
     * a capitalised word is the end of a sentence whose space was lost. */
    if ((has & H_DOT) && !tok_special_is_domain(u + s, e - s)) {
        int32_t run = 0;
        for (int32_t p = s; p + 2 < e; p++) {
            if (u_isalpha(u[p])) {
                run++;
                continue;
            }
            if ((u[p] == '.' || u[p] == ':') && run >= 2 && u_isupper(u[p + 1]) &&
                u_islower(u[p + 2])) {
                st = emit_word(t, s, p, 0, gap, scan_unit(u, s, p), err);
                if (st == CRIBLE_OK)
                    st = add(t, p, p + 1, CRIBLE_TOKEN_PUNCT, u[p] == '.' ? F_BREAK_AFTER : 0,
                             0, err);
                if (st != CRIBLE_OK)
                    return st;
                return emit_unit(t, p + 1, e, flags, 0, err);
            }
            run = 0;
        }
    }
    return emit_word(t, s, e, flags, gap, has, err);
}

static bool raw_is(const UChar *u, const tok_raw *r, UChar c)
{
    return r && r->kind == RAW_OTHER && r->e - r->s == 1 && u[r->s] == c;
}

static bool is_joiner(const UChar *u, const tok_raw *r)
{
    return r && r->kind == RAW_OTHER && !r->space && r->e - r->s == 1 &&
           (tok_is_hyphen(u[r->s]) || u[r->s] == '/');
}

/* Whether x "/" y is one token: 4/5, 17/20, 25/01/06 (numbers of one or
 * two digits) and units (km/h); UD French-GSD splits the rest: et / ou. */
static bool slash_joins(const UChar *u, const tok_raw *x, const tok_raw *y)
{
    static const char *const units[] = {"km", "h", "m", "s", "min", "tr", NULL};
    if (x->kind == RAW_NUMBER && y->kind == RAW_NUMBER)
        return x->e - x->s <= 2 && y->e - y->s <= 2;
    int ok = 0;
    for (const tok_raw *r = x; r; r = r == x ? y : NULL)
        for (int k = 0; units[k]; k++) {
            int32_t l = (int32_t)strlen(units[k]), j = 0;
            while (j < l && r->s + j < r->e && u[r->s + j] == (UChar)units[k][j])
                j++;
            if (j == l && r->e - r->s == l) {
                ok++;
                break;
            }
        }
    return ok == 2;
}

static bool is_wordish(const tok_raw *r)
{
    return r && (r->kind == RAW_WORD || r->kind == RAW_NUMBER);
}

/* Whether the word r is one that often starts a sentence (so a period
 * before it is no initial's): "Dagobert I. Ils", "Mac OS X. Une". */
static bool starts_sentence(const UChar *u, const tok_raw *r)
{
    static const char *const words[] = {
        "Il", "Ils", "Elle", "Elles", "On", "Le", "La", "Les", "L", "Un", "Une", "Des", "Ce",
        "Cet", "Cette", "Ces", "En", "Dans", "Pour", "Mais", "Et", "Je", "Nous", "Vous", "Au",
        "Aux", "Du", "De", "Sa", "Son", "Ses", "Leur", "Leurs", "Depuis", "Après", "Avant",
        "Puis", "Si", "Par", "Sur", "Avec", "C", "Qu", "D", NULL};
    if (r->kind != RAW_WORD)
        return false;
    int32_t n = r->e - r->s;
    for (int32_t k = 0; k < n; k++)
        if (tok_is_apostrophe(u[r->s + k])) {
            n = k;
            break;
        }
    for (int w = 0; words[w]; w++) {
        int32_t l = (int32_t)strlen(words[w]);
        if (l != n)
            continue;
        int32_t j = 0;
        while (j < l && u[r->s + j] == (UChar)(unsigned char)words[w][j])
            j++;
        if (j == l)
            return true;
    }
    return false;
}

/* Assembles the word or number starting at the window's head. */
static crible_status assemble_word(crible_tokenizer *t, crible_error *err, int *failed)
{
    const UChar *u = t->text.norm;
    const tok_raw r0 = *peek(t, 0, err, failed);
    int32_t s = r0.s, e = r0.e;
    size_t i = 1;
    const tok_raw *a, *b;
    a = peek(t, 1, err, failed);
    if (r0.kind == RAW_WORD && (!a || a->space || a->kind != RAW_OTHER)) {
        consume(t, 1);   /* the common case: a word and a space */
        return emit_unit(t, s, e, 0, gap_of(&r0), err);
    }
    /* Royaume-Uni, dit-il, a-t-il, 4/5, km/h, 2007-2008 */
    while ((a = peek(t, i, err, failed)) && is_joiner(u, a) &&
           (b = peek(t, i + 1, err, failed)) && is_wordish(b) && !b->space &&
           (u[a->s] != '/' || slash_joins(u, peek(t, i - 1, err, failed), b))) {
        e = b->e;
        i += 2;
    }
    /* Canal+, Disney+, Apple TV+, C++: a capitalised word and its + */
    if (u_isupper(u[s]) && (a = peek(t, i, err, failed)) && raw_is(u, a, '+') && !a->space) {
        size_t j = i + 1;
        if ((b = peek(t, j, err, failed)) && raw_is(u, b, '+') && !b->space)
            j++;
        b = peek(t, j, err, failed);
        if (!b || b->space || (b->kind == RAW_OTHER && u[b->s] != '+')) {
            e = peek(t, j - 1, err, failed)->e;
            i = j;
        }
    }
    /* 1 000, 25 785, 1 000 000 */
    if (i == 1 && all_digits(u + s, e - s, 1, 3)) {
        while ((b = peek(t, i, err, failed)) && b->kind == RAW_NUMBER && b->s == e + 1 &&
               thousands_space(u[e]) && !b->nl) {
            int32_t d = 0;
            while (b->s + d < b->e && u[b->s + d] >= '0' && u[b->s + d] <= '9')
                d++;
            if (d != 3 || (b->s + d < b->e && u[b->s + d] != ',' && u[b->s + d] != '.'))
                break;
            e = b->e;
            i++;
            if (b->s + d < b->e)
                break;
        }
    }
    /* l' Arizona, d'« Hamlet »: elided word whose apostrophe ICU left alone */
    a = peek(t, i, err, failed);
    if (i == 1 && t->opt.split_elisions && a && a->kind == RAW_OTHER && !a->space &&
        a->e - a->s == 1 && tok_is_apostrophe(u[a->s]) &&
        tok_french_elision(u + s, a->e - s, true) == a->e - s) {
        b = peek(t, i + 1, err, failed);
        if (!b || b->space || !is_wordish(b)) {
            crible_status st = add(t, s, a->e, CRIBLE_TOKEN_WORD, 0, gap_of(&r0), err);
            consume(t, 2);
            return st;
        }
    }
    /* n° 5 */
    if (i == 1 && e - s == 1 && (u[s] == 'n' || u[s] == 'N') && a && a->kind == RAW_OTHER &&
        !a->space && a->e - a->s == 1 && (u[a->s] == 0xB0 || u[a->s] == 0xBA)) {
        e = a->e;
        i++;
        a = peek(t, i, err, failed);
    }
    /* M. Dr. J. R.E.M. etc. */
    unsigned flags = 0;
    if (raw_is(u, a, '.') && !a->space) {
        tok_abbrev ab = tok_french_abbrev(u + s, e - s, t->abbrev, t->abbrev_len, t->nabbrev);
        b = peek(t, i + 1, err, failed);
        bool initial = e - s == 1 && u_isupper(u[s]) && (r0.space || r0.s == 0);
        if (ab == TOK_ABBREV_NONE && (initial || is_acronym(u + s, e - s)) &&
            !(b && b->space && starts_sentence(u, b)))
            ab = TOK_ABBREV_INSIDE;   /* "J. K. Rowling", but "Dagobert I. Ils" */
        if (ab != TOK_ABBREV_NONE && raw_is(u, b, '.') && !b->space)
            ab = TOK_ABBREV_NONE;   /* "etc..." : the run of periods is punctuation */
        if (ab == TOK_ABBREV_MAYEND &&
            !(b && b->space && !b->nl &&
              (u_islower(tok_char_at(u, t->text.nnorm, b->s)) || b->kind == RAW_NUMBER)))
            ab = TOK_ABBREV_NONE;   /* "..., etc. Puis": the period ends the sentence */
        if (ab != TOK_ABBREV_NONE) {
            e = a->e;
            i++;
            flags = F_NOBREAK;
            /* J.-C. J.-P. */
            const tok_raw *h = peek(t, i, err, failed), *l = peek(t, i + 1, err, failed),
                          *d = peek(t, i + 2, err, failed);
            if (initial && h && l && d && !h->space && h->e - h->s == 1 && tok_is_hyphen(u[h->s]) &&
                !l->space && l->e - l->s == 1 && u_isupper(u[l->s]) && raw_is(u, d, '.') &&
                !d->space) {
                e = d->e;
                i += 3;
            }
        }
    }
    consume(t, i);
    return emit_unit(t, s, e, flags, gap_of(&r0), err);
}

/* Assembles punctuation, symbols and emoji at the window's head. */
static crible_status assemble_other(crible_tokenizer *t, crible_error *err, int *failed)
{
    const UChar *u = t->text.norm;
    const tok_raw r0 = *peek(t, 0, err, failed);
    int32_t e = r0.e;
    size_t i = 1;
    const tok_raw *b = peek(t, 1, err, failed);
    UChar c = u[r0.s];
    crible_token_type type = (crible_token_type)r0.type;
    if (r0.e - r0.s == 1 && (c == '-' || c == 0x2212) && b && b->kind == RAW_NUMBER &&
        !b->space && (r0.space || t->nitems == 0)) {
        e = b->e;   /* -0,8 */
        i = 2;
        type = CRIBLE_TOKEN_NUMBER;
    } else if (r0.e - r0.s == 1 && (c == '.' || c == '!' || c == '?' || c == '-')) {
        /* ... !!! -- (UD keeps "?" "..." apart) */
        while (b && b->kind == RAW_OTHER && !b->space && b->e - b->s == 1 && u[b->s] == c) {
            e = b->e;
            i++;
            b = peek(t, i, err, failed);
        }
    }
    consume(t, i);
    return add(t, r0.s, e, type, 0, gap_of(&r0), err);
}

crible_status crible_tokenizer_run(crible_tokenizer *t, const char *text, size_t len,
                                   crible_sentence_fn fn, void *ctx, crible_error *err)
{
    crible_status st = tok_text_decode(&t->text, text, len, err);
    if (st == CRIBLE_OK)
        st = tok_text_normalize(&t->text, t->nz, err);
    if (st == CRIBLE_OK)
        st = tok_special_find(t->text.norm, t->text.nnorm,
                              t->text.norm == t->text.u16 ? t->text.trig : NULL, t->text.ntrig,
                              &t->spans, &t->nspans, &t->capspans, err);
    if (st != CRIBLE_OK)
        return st;
    UErrorCode e = U_ZERO_ERROR;
    ubrk_setText(t->words, t->text.norm, t->text.nnorm, &e);
    if (U_FAILURE(e))
        return icu_error(err, "break iterator", e);
    ubrk_first(t->words);
    t->term_s = -1;
    t->next_span = 0;
    t->rhead = t->rcount = 0;
    t->pos = t->bend = 0;
    t->icu_at = 0;
    t->space = t->nl = t->pending = false;
    t->nitems = t->nlen = 0;
    t->index = 0;
    t->fn = fn;
    t->ctx = ctx;
    int failed = 0;
    const tok_raw *r;
    while (st == CRIBLE_OK && (r = peek(t, 0, err, &failed))) {
        if (r->kind == RAW_SPECIAL) {
            tok_raw sp = *r;
            consume(t, 1);
            st = add(t, sp.s, sp.e, (crible_token_type)sp.type, 0, gap_of(&sp), err);
        } else if (r->kind == RAW_OTHER) {
            st = assemble_other(t, err, &failed);
        } else {
            st = assemble_word(t, err, &failed);
        }
        if (failed)
            st = err ? err->status : CRIBLE_ENOMEM;
    }
    if (st == CRIBLE_OK && failed)
        st = err ? err->status : CRIBLE_ENOMEM;
    if (st == CRIBLE_OK)
        st = flush(t, err);
    t->nitems = 0;
    return st;
}
