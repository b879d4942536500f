/*
 * tok_sentences.c - where sentences end, and handing them to the callback.
 *
 * A sentence may end only after a terminal (. ? ! … and runs of them,
 * possibly followed by closing marks) or at a line break.  There, ICU's
 * sentence break iterator is asked over a small window (unless UAX #29
 * decides from the few characters since the terminal: icu_answer, which
 * gives ICU's answer without it), and French rules decide: no break after
 * an abbreviation or an initial (F_NOBREAK), a break after a terminal and
 * a space even before a lower-case word (UD French does; speech
 * transcripts have no capitals) but not in an incise ("« Tu viens ? »
 * demanda-t-il"), closing marks kept with the sentence they close (". »"
 * with a no-break space), glued periods (F_BREAK_AFTER).  A sentence that
 * reaches TOK_MAX_SENTENCE_TOKENS is cut there (degenerate input).
 * tok_add (tok_internal.h) appends most tokens inline, where no sentence
 * can end; the others come to tok_add_slow here.
 */
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

#include "tok_internal.h"

static bool is_closing(UChar32 c)
{
    int8_t ct = u_charType(c);
    return ct == U_END_PUNCTUATION || ct == U_FINAL_PUNCTUATION || c == '"' || c == '\'';
}

crible_status tok_flush(crible_tokenizer *t, crible_error *err)
{
    if (t->nitems == 0)
        return CRIBLE_OK;
    if (!tok_reserve((void **)&t->out, &t->capout, t->nitems, sizeof *t->out, err))
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
    t->nitems = 0;
    t->nlen = 0;
    t->term_s = -1;
    t->index++;
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
    /* The rules look ahead from `to` no further than the first letter (SB8:
     * ATerm Close* Sp* x (not a letter, separator or terminal)* Lower): the
     * window may end after the first ASCII letter from `to` on, when no
     * Extend or Format character (U+0300 and above, the soft hyphen) may
     * attach to it.  ICU fills its cache with the boundaries up to the
     * window's end: a shorter one saves it most of its work here. */
    for (int32_t j = to; j + 1 < we; j++) {
        if ((unsigned)((u[j] | 0x20) - 'a') < 26) {
            if (u[j + 1] < 0x300 && u[j + 1] != 0xAD)
                we = j + 2;
            break;
        }
    }
    if (we < n && U16_IS_TRAIL(u[we]))
        we++;
    UErrorCode e = U_ZERO_ERROR;
    ubrk_setText(t->sents, u + ws, we - ws, &e);
    if (U_FAILURE(e))
        return false;
    int32_t b = ubrk_following(t->sents, from - ws - 1);
    return b != UBRK_DONE && b + ws <= to;
}

/* The Sentence_Break classes (UAX #29) of the few characters
 * icu_answer knows, checked against ICU by test_tokenizer. */
static inline bool sb_term(UChar c)   /* ATerm, STerm */
{
    return c == '.' || c == '?' || c == '!';
}

static inline bool sb_close(UChar c)   /* Close: " ' ) ] } « » ‘ ’ “ ” */
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == 0xAB || c == 0xBB ||
           c == 0x2018 || c == 0x2019 || c == 0x201C || c == 0x201D;
}

static inline bool sb_sp(UChar c)   /* Sp: space, no-break spaces */
{
    return c == ' ' || c == 0xA0 || c == 0x202F;
}

static inline bool sb_upper(UChar c)   /* Upper: A-Z, À-Þ but × */
{
    return (unsigned)(c - 'A') < 26 || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

static inline bool sb_scontinue(UChar c)   /* SContinue: , - : – — */
{
    return c == ',' || c == '-' || c == ':' || c == 0x2013 || c == 0x2014;
}

/* What icu_boundary(t, from, to) answers, when UAX #29's rules decide it
 * from the text since the last terminal alone: 1 (a boundary at `to`), 0
 * (none in [from, to], from == to), -1 (ask ICU).  The text from the last
 * terminal to `to` must be . ? ! (ATerm, STerm), closing marks (Close),
 * spaces (Sp), i.e. "SATerm+ Close* Sp*"; then
 *   - an upper-case letter at `to`: SB11 breaks there ("2030.Le",
 *     "personnes.\"Nous", "fin. » Il"); nothing keeps it: SB6 wants a
 *     digit, SB8 a lower-case letter, SB8a a continuation or a terminal,
 *     SB9 and SB10 a closing mark, a space or a separator, and SB7 ("U.S",
 *     letter ATerm × Upper) is ruled out by asking ICU when one period
 *     follows a letter, or what may be one, right before `to`;
 *   - with nothing between the tokens (from == to), a closing mark (SB9:
 *     SATerm Close* × Close) or a continuation , - : – — (SB8a) at `to`:
 *     no boundary there, the only place in [from, to].
 * ICU's rules chain over such text exactly so (its sent.txt: rule 998
 * cannot start on a terminal, a closing mark or a space).  Not with
 * icu_only (the reference test_tokenizer and `bench_floor same` compare
 * with). */
static int icu_answer(const crible_tokenizer *t, int32_t from, int32_t to)
{
    if (t->opt.icu_only || t->term_s < 0)
        return -1;
    const UChar *u = t->text.norm;
    int32_t i = t->term_s;
    while (i < to && sb_term(u[i]))
        i++;
    int32_t run_end = i;
    while (i < to && sb_close(u[i]))
        i++;
    int32_t close_end = i;
    while (i < to && sb_sp(u[i]))
        i++;
    if (run_end == t->term_s || i != to || to >= t->text.nnorm || from < run_end)
        return -1;
    UChar c = u[to];
    if (sb_upper(c)) {
        /* SB7 may keep "x.Y": one period right after what may be a letter */
        if (i == run_end && u[run_end - 1] == '.' && (run_end - 1 == t->term_s) &&
            (t->term_s == 0 || u[t->term_s - 1] >= 0x80 ||
             (unsigned)((u[t->term_s - 1] | 0x20) - 'a') < 26))
            return -1;
        return 1;
    }
    if (from == to && i == close_end && (sb_close(c) || sb_scontinue(c)))
        return 0;
    return -1;
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
    int known = terminal && (gap & GAP_SPACE) ? 1 : icu_answer(t, a->e, s);
    if (!(known == 1 || (known < 0 && icu_boundary(t, a->e, s))))
        return false;
    if (closing) {
        t->pending = true;
        return false;
    }
    return terminal || !lower;
}

/* tok_add's general case (tok_internal.h): the sentence may end before
 * the token (sentence_ends), which may be a terminal or a closing mark. */
crible_status tok_add_slow(crible_tokenizer *t, int32_t s, int32_t e, crible_token_type type,
                           unsigned flags, unsigned gap, crible_error *err)
{
    if (t->nitems > 0 && sentence_ends(t, s, (uint8_t)type, gap)) {
        crible_status st = tok_flush(t, err);
        if (st != CRIBLE_OK)
            return st;
    }
    crible_status st = tok_item_append(t, s, e, type, flags, err);
    if (st != CRIBLE_OK)
        return st;
    const tok_item *it = &t->items[t->nitems - 1];
    /* where the last terminal is, while only closing marks follow it */
    if (type == CRIBLE_TOKEN_PUNCT && is_terminal(t, it))
        t->term_s = s;
    else if (!(type == CRIBLE_TOKEN_PUNCT && t->term_s >= 0 && is_closing(t->text.norm[s])))
        t->term_s = -1;
    return CRIBLE_OK;
}
