/*
 * tok_lexer.c - the tokenizer's segments: ICU's word break iterator (locale
 * fr) over the normalised UTF-16 text, or, for a run of spaces or a word of
 * Latin letters or ASCII digits between spaces, the same cut made without it
 * (UAX #29: WB3d joins spaces, WB5 letters, WB8 digits, WB6/WB7 ' and ’
 * between letters, nothing joins a letter or a digit to a space or to
 * , . ; ! ? ) before a space; checked against ICU alone by test_tokenizer
 * and `bench_floor same`).  Spaces are
 * dropped and remembered as "space before" / "line break before" on the next
 * segment; the URLs, e-mails, #hashtags and @mentions tok_special_find found
 * are one segment each.  Segments wait in a small window (tok_peek,
 * tok_consume) so that memory does not grow with the text.
 *
 * ICU is asked only where the fast path stops.  There, when the position is
 * a word boundary (the fast path cuts where ICU does; ICU's own segments
 * end on one), the iterator is given the text from that position to the
 * next boundary a space forces (window_end) with ubrk_setText, instead of
 * being moved there in the whole text (ubrk_following backs up to a safe
 * point, re-runs its rules and fills its cache ahead: ~2,400 instructions
 * and more): ICU runs its rules afresh from every boundary (the state
 * machine starts over, with its start-of-text category, at each one), so
 * the boundaries after a boundary do not depend on the text before it.
 * Only after a URL, e-mail, #tag or @mention, whose end need not be a
 * boundary, is ubrk_following used, over the whole text.  With icu_only
 * (the reference the fast path is checked against) ICU always has the
 * whole text.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utypes.h>

#include "tok_internal.h"

bool tok_grow(void **p, size_t *cap, size_t need, size_t size, crible_error *err)
{
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

/* Makes room for one more segment in the window. */
static bool raw_room(crible_tokenizer *t, crible_error *err)
{
    if (t->rhead > 0) {
        memmove(t->raw, t->raw + t->rhead, (t->rcount - t->rhead) * sizeof *t->raw);
        t->rcount -= t->rhead;
        t->rhead = 0;
        return true;
    }
    return tok_reserve((void **)&t->raw, &t->rcap, t->rcount + 1, sizeof *t->raw, err);
}

static inline bool raw_push(crible_tokenizer *t, tok_raw r, crible_error *err)
{
    if (t->rcount == t->rcap && !raw_room(t, err))
        return false;
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
    return ((unsigned)((c | 0x20) - 'a') < 26) ||
           ((unsigned)(c - 0xC0) < 0xC0 && c != 0xD7 && c != 0xF7);
}

/* Whether nothing can attach to the character before u[i] (WB4: Extend,
 * Format, ZWJ; all at U+0300 or above but the soft hyphen). */
static inline bool attaches_nothing(const UChar *u, int32_t n, int32_t i)
{
    return i == n || u[i] < 0x80 || (u[i] >= 0xA0 && u[i] < 0x300 && u[i] != 0xAD);
}

/* French punctuation outside ASCII that UAX #29 joins to nothing
 * (Word_Break Other): « » … – — “ ” */
static inline bool fast_alone_wide(UChar c)
{
    return c == 0xAB || c == 0xBB || c == 0x2026 || c == 0x2013 || c == 0x2014 ||
           c == 0x201C || c == 0x201D;
}

/* Characters outside ASCII that no UAX #29 rule joins to a letter, a digit
 * or a space before them (Word_Break Other: neither Extend, Format, ZWJ,
 * WSegSpace, MidLetter, MidNum, MidNumLet nor ExtendNumLet): the no-break
 * space, fast_alone_wide's punctuation, the euro sign. */
static inline bool fast_other_wide(UChar c)
{
    return c == 0xA0 || c == 0x20AC || fast_alone_wide(c);
}

/* The end of the run of fast_letter units from u[q] on (8 at a time).
 * x = c | 0x20 folds A-Z onto a-z and U+00C0..U+017F onto U+00E0..U+017F
 * (no other unit lands there), × and ÷ onto U+00F7; an unsigned range
 * test is one signed compare once the range's start is moved to -32768:
 * a letter is x - 'a' < 26 or (x - 0xE0 < 0xA0 and x != 0xF7), which is
 * fast_letter (checked on all 65,536 units when written). */
static inline int32_t letters_end(const UChar *u, int32_t q, int32_t n)
{
#ifdef __SSE2__
    const __m128i case_bit = _mm_set1_epi16(0x20),
                  ascii_bias = _mm_set1_epi16((short)(0x8000 - 'a')),
                  ascii_lim = _mm_set1_epi16((short)(-0x8000 + 26)),
                  latin_bias = _mm_set1_epi16((short)(0x8000 - 0xE0)),
                  latin_lim = _mm_set1_epi16((short)(-0x8000 + 0xA0)),
                  divide = _mm_set1_epi16(0xF7);
    while (q + 8 <= n) {
        __m128i x = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(u + q)), case_bit);
        __m128i ascii = _mm_cmplt_epi16(_mm_add_epi16(x, ascii_bias), ascii_lim);
        __m128i latin = _mm_andnot_si128(_mm_cmpeq_epi16(x, divide),
                                         _mm_cmplt_epi16(_mm_add_epi16(x, latin_bias), latin_lim));
        unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_or_si128(ascii, latin)) & 0xFFFFu;
        if (m)
            return q + (int32_t)(__builtin_ctz(m) / 2);
        q += 8;
    }
#endif
    while (q < n && fast_letter(u[q]))
        q++;
    return q;
}

/* Punctuation that ICU's word iterator leaves alone between a letter and
 * a space: , . ; ! ? ) */
static inline bool fast_punct(UChar c)
{
    return c == ',' || c == '.' || c == ';' || c == '!' || c == '?' || c == ')';
}

/* ASCII characters that are a segment of their own after a word boundary
 * when what follows attaches nothing (attaches_nothing: ASCII, Latin-1 and
 * Latin Extended letters, or the end): UAX #29 joins none of them to what
 * follows (WB6/WB7/WB11/WB12 join . , : ; ' only to a letter or digit
 * BEFORE them, and a boundary is there; no rule starts with them); what
 * could attach to them (WB4: Extend, Format, ZWJ), make '"' join (WB7c:
 * Hebrew letters) or join as ExtendNumLet (U+202F) is at U+0300 or above,
 * or the soft hyphen.  A word boundary is thus after them too: a word of
 * letters may start there ("peut-être").  Not '_' (WB13b joins it to a
 * following letter), nor '@' (ICU gives a lone '@' the status of a word),
 * nor letters, digits, spaces and controls. */
static inline bool fast_alone(UChar c)
{
    return (c > ' ' && c < '0') || (c > '9' && c < '@') || (c > 'Z' && c < 'a' && c != '_') ||
           (c > 'z' && c < 0x7F);
}

/* Whether a word of letters ending at q (q < n) ends a segment of ICU's:
 * a character that no rule joins to a letter before it (fast_other_wide
 * outside ASCII: "article :" with a no-break space, "mot »").  A line
 * feed, TAB, or punctuation other than . , : ; ' (WB3a, WB999); those
 * four and ' only when no letter or digit follows them (WB6, WB7, WB11,
 * WB12 join them between two; ICU counts '@' as a letter there).  Not
 * '_' (WB13a) nor '@' and '#'. */
static inline bool word_ends_before(const UChar *u, int32_t n, int32_t q)
{
    UChar c = u[q];
    if (c >= 0x80)
        return fast_other_wide(c);
    if ((unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10 ||
        c == '_' || c == '@' || c == '#')
        return false;
    if (c == '.' || c == ',' || c == ':' || c == ';' || c == '\'') {
        if (q + 1 == n)
            return true;
        UChar d = u[q + 1];
        return d < 0x80 && (unsigned)((d | 0x20) - 'a') >= 26 && (unsigned)(d - '0') >= 10 &&
               d != '_' && d != '@';
    }
    return true;
}

/* Where ICU may stop when asked from the boundary `from`: the first
 * U+0020 after a character that is not one.  There is always a word
 * boundary before such a space (only WB3d joins a space to what precedes
 * it, and only to a space; nothing attaches a space as Extend or Format
 * do), and no rule looks past a space to decide a boundary before it, so
 * ICU cuts [from, end) as it cuts it in the whole text; it then fills its
 * cache of boundaries ahead only up to there, not with segments the fast
 * path would cut anyway. */
static int32_t window_end(const UChar *u, int32_t n, int32_t from)
{
    for (int32_t i = from + 1; i < n; i++)
        if (u[i] == ' ' && u[i - 1] != ' ')
            return i;
    return n;
}

/* Lexes one more segment (or two) into the window: 1, 0 at the end, -1 on error. */
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
            t->at_boundary = false;
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
                if (attaches_nothing(u, n, q) || fast_other_wide(u[q])) {
                    t->space = true;
                    t->pos = q;
                    t->at_boundary = true;
                    continue;
                }
            } else if ((fast_letter(c) || (c >= '0' && c <= '9')) &&
                       (t->pos == 0 || u[t->pos - 1] == ' ' || t->pos == t->icu_at ||
                        t->pos == t->fast_at)) {
                /* after a space, where ICU itself put a boundary, or after
                 * a segment the fast path knows one ends ("peut-être") */
                int32_t q = t->pos + 1;
                tok_raw r = {t->pos, 0, RAW_WORD, CRIBLE_TOKEN_WORD, 0, 0};
                if (c <= '9') {   /* ASCII digits (WB8), status "number" */
                    while (q < n && u[q] >= '0' && u[q] <= '9')
                        q++;
                    r.kind = RAW_NUMBER;
                    r.type = CRIBLE_TOKEN_PUNCT;   /* as lex_one's ICU path leaves it */
                } else {
                    r.plain = 1;
                    for (;;) {   /* letters, and ' ’ between letters (WB6, WB7) */
                        q = letters_end(u, q, n);
                        if (q + 1 < n && (u[q] == '\'' || u[q] == 0x2019) &&
                            fast_letter(u[q + 1])) {
                            q += 2;
                            r.plain = 0;
                        } else {
                            break;
                        }
                    }
                }
                r.e = q;
                if ((q == n || u[q] == ' ') && !(sp && sp->s < q)) {
                    t->pos = q;
                    t->at_boundary = true;
                    return raw_push(t, r, err) ? 1 : -1;
                }
                /* the word, then one punctuation mark that joins nothing
                 * before a space or the end (WB6/WB7 need a letter after
                 * . and ', WB11/WB12 digits around , and ;) */
                if (q < n && fast_punct(u[q]) && (q + 1 == n || u[q + 1] == ' ') &&
                    !(sp && sp->s <= q)) {
                    tok_raw pr = {q, q + 1, RAW_OTHER, t->ascii_class[u[q]], 0, 0};
                    t->pos = q + 1;
                    t->at_boundary = true;
                    return raw_push(t, r, err) && raw_push(t, pr, err) ? 1 : -1;
                }
                /* a word of letters before other ASCII punctuation or a
                 * line break, a word or a number before a no-break space,
                 * « » … – — “ ” €: the word alone, the rest on the next call */
                if (q < n &&
                    (r.kind == RAW_WORD ? word_ends_before(u, n, q) : fast_other_wide(u[q])) &&
                    !(sp && sp->s < q)) {
                    t->pos = q;
                    t->at_boundary = true;
                    return raw_push(t, r, err) ? 1 : -1;
                }
            } else if (!t->at_boundary) {
                /* after a special: ICU */
            } else if (c == 0xA0 && attaches_nothing(u, n, t->pos + 1)) {
                /* a no-break space is a segment of its own (Word_Break
                 * Other, not WSegSpace), white space for the next token */
                t->space = true;
                t->fast_at = ++t->pos;
                continue;
            } else if (fast_alone_wide(c) && attaches_nothing(u, n, t->pos + 1) &&
                       !(sp && sp->s <= t->pos + 1)) {
                tok_raw r = {t->pos, t->pos + 1, RAW_OTHER, CRIBLE_TOKEN_PUNCT, 0, 0};
                t->fast_at = ++t->pos;
                return raw_push(t, r, err) ? 1 : -1;
            } else if (c == '\n') {
                /* a line feed at a boundary is a segment of its own
                 * (WB3a, WB3b), white space for the next token */
                t->space = t->nl = true;
                t->fast_at = ++t->pos;
                continue;
            } else if (fast_alone(c) && attaches_nothing(u, n, t->pos + 1) &&
                       !(sp && sp->s <= t->pos + 1)) {
                tok_raw r = {t->pos, t->pos + 1, RAW_OTHER, t->ascii_class[c], 0, 0};
                t->fast_at = ++t->pos;
                return raw_push(t, r, err) ? 1 : -1;
            }
        }
        if (t->bend <= t->pos) {
            int32_t b;
            if (t->icu_base >= 0 && t->icu_at == t->pos && t->pos < t->icu_end) {
                b = ubrk_next(t->words);
            } else if (t->icu_base == 0 && t->icu_end == n && !t->at_boundary) {
                b = ubrk_following(t->words, t->pos);
            } else {
                /* from a boundary to the next one a space forces (or the
                 * whole text when pos is none, or for icu_only) */
                int32_t base = 0, end = n;
                if (t->at_boundary && !t->opt.icu_only) {
                    base = t->pos;
                    end = window_end(u, n, base);
                }
                UErrorCode ue = U_ZERO_ERROR;
                ubrk_setText(t->words, u + base, end - base, &ue);
                if (U_FAILURE(ue)) {
                    crible_error_set(err, CRIBLE_EINTERNAL, "ICU break iterator: %s", u_errorName(ue));
                    return -1;
                }
                t->icu_base = base;
                t->icu_end = end;
                b = base == t->pos ? ubrk_next(t->words) : ubrk_following(t->words, t->pos);
            }
            t->bend = b == UBRK_DONE ? t->icu_end : b + t->icu_base;
            if (t->bend > n)
                t->bend = n;
            t->icu_at = t->bend;
        }
        int32_t status = ubrk_getRuleStatus(t->words);
        int32_t s = t->pos, e = t->bend;
        if (sp && sp->s < e)
            e = sp->s;
        t->pos = e;
        t->at_boundary = true;   /* a boundary, or a special's start */
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
const tok_raw *tok_peek_more(crible_tokenizer *t, size_t k, crible_error *err, int *failed)
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
