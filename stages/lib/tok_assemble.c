/*
 * tok_assemble.c - segments joined and cut into tokens: hyphenated words
 * (Royaume-Uni), slashes (4/5, km/h), digit groups (1 000), signs (-0,8),
 * Canal+, n°, abbreviations with their period (M. Dr. J. J.-C.), elisions
 * (l' avion), inverted clitics (dit -il), numbers glued to units (160 km),
 * runs of . ! ? and --, periods glued between two sentences
 * ("domestique.Consternant").  The word lists are in tok_french.c.
 */
#include <string.h>

#include <unicode/uchar.h>

#include "tok_internal.h"

static bool all_digits(const UChar *u, int32_t n, int32_t min, int32_t max)
{
    if (n < min || n > max)
        return false;
    for (int32_t i = 0; i < n; i++)
        if (u[i] < '0' || u[i] > '9')
            return false;
    return true;
}

/* u_isalpha and u_isupper with ASCII answered inline (the same answers) */
static inline bool is_alpha(UChar c)
{
    return c < 0x80 ? (unsigned)((c | 0x20) - 'a') < 26 : u_isalpha(c);
}

static inline bool is_upper(UChar c)
{
    return c < 0x80 ? (unsigned)(c - 'A') < 26 : u_isupper(c);
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
        } else if (is_alpha(u[i])) {
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
        return tok_add(t, s, e, type, flags, gap, err);
    crible_status st = tok_add(t, s, s + cut, type, 0, gap, err);
    if (st == CRIBLE_OK && cut2 < e - s) {
        st = tok_add(t, s + cut, s + cut2, CRIBLE_TOKEN_WORD, 0, 0, err);
        cut = cut2;
    }
    if (st == CRIBLE_OK)
        st = tok_add(t, s + cut, e, CRIBLE_TOKEN_WORD, flags, 0, err);
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
        return tok_add(t, s, e, CRIBLE_TOKEN_WORD, flags, gap, err);
    int32_t c2, c1 = (has & H_DIGIT) ? tok_french_number_unit(u + s, e - s, &c2) : e - s;
    if (c1 < e - s) {   /* 160km, 20h30 */
        st = tok_add(t, s, s + c1, CRIBLE_TOKEN_NUMBER, 0, gap, err);
        if (st == CRIBLE_OK && c2 < e - s) {
            st = tok_add(t, s + c1, s + c2, CRIBLE_TOKEN_WORD, 0, 0, err);
            c1 = c2;
        }
        if (st == CRIBLE_OK)
            st = tok_add(t, s + c1, e, c2 < e - s ? CRIBLE_TOKEN_NUMBER : CRIBLE_TOKEN_WORD, flags, 0,
                     err);
        return st;
    }
    if (t->opt.split_elisions && (has & H_APOS)) {
        int32_t k = tok_french_elision(u + s, e - s, false);
        if (k > 0) {
            st = tok_add(t, s, s + k, CRIBLE_TOKEN_WORD, 0, gap, err);
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
            if (is_alpha(u[p])) {
                run++;
                continue;
            }
            if ((u[p] == '.' || u[p] == ':') && run >= 2 && u_isupper(u[p + 1]) &&
                u_islower(u[p + 2])) {
                st = emit_word(t, s, p, 0, gap, scan_unit(u, s, p), err);
                if (st == CRIBLE_OK)
                    st = tok_add(t, p, p + 1, CRIBLE_TOKEN_PUNCT, u[p] == '.' ? F_BREAK_AFTER : 0,
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
crible_status tok_assemble_word(crible_tokenizer *t, crible_error *err, int *failed)
{
    const UChar *u = t->text.norm;
    const tok_raw r0 = *tok_peek(t, 0, err, failed);
    int32_t s = r0.s, e = r0.e;
    size_t i = 1;
    const tok_raw *a, *b;
    a = tok_peek(t, 1, err, failed);
    if (r0.kind == RAW_WORD && (!a || a->space || a->kind != RAW_OTHER)) {
        tok_consume(t, 1);   /* the common case: a word and a space */
        if (r0.plain)        /* letters alone: no French rule applies */
            return tok_add(t, s, e, CRIBLE_TOKEN_WORD, 0, tok_gap_of(&r0), err);
        return emit_unit(t, s, e, 0, tok_gap_of(&r0), err);
    }
    /* Royaume-Uni, dit-il, a-t-il, 4/5, km/h, 2007-2008 */
    while ((a = tok_peek(t, i, err, failed)) && is_joiner(u, a) &&
           (b = tok_peek(t, i + 1, err, failed)) && is_wordish(b) && !b->space &&
           (u[a->s] != '/' || slash_joins(u, tok_peek(t, i - 1, err, failed), b))) {
        e = b->e;
        i += 2;
    }
    /* Canal+, Disney+, Apple TV+, C++: a capitalised word and its + */
    if (is_upper(u[s]) && (a = tok_peek(t, i, err, failed)) && raw_is(u, a, '+') && !a->space) {
        size_t j = i + 1;
        if ((b = tok_peek(t, j, err, failed)) && raw_is(u, b, '+') && !b->space)
            j++;
        b = tok_peek(t, j, err, failed);
        if (!b || b->space || (b->kind == RAW_OTHER && u[b->s] != '+')) {
            e = tok_peek(t, j - 1, err, failed)->e;
            i = j;
        }
    }
    /* 1 000, 25 785, 1 000 000 */
    if (i == 1 && all_digits(u + s, e - s, 1, 3)) {
        while ((b = tok_peek(t, i, err, failed)) && b->kind == RAW_NUMBER && b->s == e + 1 &&
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
    a = tok_peek(t, i, err, failed);
    if (i == 1 && t->opt.split_elisions && a && a->kind == RAW_OTHER && !a->space &&
        a->e - a->s == 1 && tok_is_apostrophe(u[a->s]) &&
        tok_french_elision(u + s, a->e - s, true) == a->e - s) {
        b = tok_peek(t, i + 1, err, failed);
        if (!b || b->space || !is_wordish(b)) {
            crible_status st = tok_add(t, s, a->e, CRIBLE_TOKEN_WORD, 0, tok_gap_of(&r0), err);
            tok_consume(t, 2);
            return st;
        }
    }
    /* n° 5 */
    if (i == 1 && e - s == 1 && (u[s] == 'n' || u[s] == 'N') && a && a->kind == RAW_OTHER &&
        !a->space && a->e - a->s == 1 && (u[a->s] == 0xB0 || u[a->s] == 0xBA)) {
        e = a->e;
        i++;
        a = tok_peek(t, i, err, failed);
    }
    /* M. Dr. J. R.E.M. etc. */
    unsigned flags = 0;
    if (raw_is(u, a, '.') && !a->space) {
        tok_abbrev ab = tok_french_abbrev(u + s, e - s, t->abbrev, t->abbrev_len, t->nabbrev);
        b = tok_peek(t, i + 1, err, failed);
        bool initial = e - s == 1 && is_upper(u[s]) && (r0.space || r0.s == 0);
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
            const tok_raw *h = tok_peek(t, i, err, failed), *l = tok_peek(t, i + 1, err, failed),
                          *d = tok_peek(t, i + 2, err, failed);
            if (initial && h && l && d && !h->space && h->e - h->s == 1 && tok_is_hyphen(u[h->s]) &&
                !l->space && l->e - l->s == 1 && u_isupper(u[l->s]) && raw_is(u, d, '.') &&
                !d->space) {
                e = d->e;
                i += 3;
            }
        }
    }
    tok_consume(t, i);
    return emit_unit(t, s, e, flags, tok_gap_of(&r0), err);
}

/* Assembles punctuation, symbols and emoji at the window's head. */
crible_status tok_assemble_other(crible_tokenizer *t, crible_error *err, int *failed)
{
    const UChar *u = t->text.norm;
    const tok_raw r0 = *tok_peek(t, 0, err, failed);
    int32_t e = r0.e;
    size_t i = 1;
    const tok_raw *b = tok_peek(t, 1, err, failed);
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
            b = tok_peek(t, i, err, failed);
        }
    }
    tok_consume(t, i);
    return tok_add(t, r0.s, e, type, 0, tok_gap_of(&r0), err);
}
