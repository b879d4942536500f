/*
 * tok_french.c - the French rules of the tokenizer, as the Universal
 * Dependencies French treebanks (GSD, Sequoia, ParisStories) apply them:
 *
 * Elisions: the elided word keeps its apostrophe and becomes a token:
 *   l' d' j' m' n' s' t' c' ç' y' qu' jusqu' lorsqu' puisqu' quoiqu'
 *   (any case, ' ’ or ʼ): "L'avion" -> "L'" "avion", "jusqu’à" -> "jusqu’"
 *   "à".  Words whose apostrophe is no elision stay whole because their
 *   first part is not in the list: aujourd'hui, presqu'île, prud'homme,
 *   quelqu'un, entr'ouvert.  "l'on" stays whole, as in UD French-GSD.
 *
 * Inverted clitics: a hyphenated word ending with subject or object
 * pronouns after a verb is cut before them, the hyphen going with the
 * pronoun:  "dit-il" -> "dit" "-il", "a-t-il" -> "a" "-t-il",
 * "donne-le-moi" -> "donne" "-le" "-moi", "ce jour-là" -> "jour" "-là".
 * Pronouns: je tu il ils elle elles on nous vous ce moi toi le la les lui
 * leur y en, and the adverbs ci là.  Compounds stay whole: anything not
 * ending with one of those (Royaume-Uni, peut-être, c'est-à-dire), the
 * demonstratives (celui-ci, ceux-là), and rendez-vous, jusque-là, etc.
 *
 * Abbreviations that take the following period ("M." is one token): the
 * list below; TOK_ABBREV_MAYEND ones (etc.) leave the period alone when the
 * sentence ends on them, as UD does ("etc" ".").
 */
#include "tok_internal.h"

#include <pthread.h>
#include <string.h>

/* Compares u[0..n) with the UTF-8 string s (Latin-1 range only); `fold`
 * folds ASCII and Latin-1 capitals of u. */
static bool equals(const UChar *u, int32_t n, const char *s, bool fold)
{
    const unsigned char *p = (const unsigned char *)s;
    int32_t i = 0;
    while (*p) {
        UChar32 c = *p++;
        if (c >= 0xC0)
            c = ((c & 0x1F) << 6) | (*p++ & 0x3F);
        if (i >= n)
            return false;
        UChar32 d = u[i++];
        if (fold && ((d >= 'A' && d <= 'Z') || (d >= 0xC0 && d <= 0xDE && d != 0xD7)))
            d += 32;
        if (d != c)
            return false;
    }
    return i == n;
}

static int find(const UChar *u, int32_t n, const char *const *list, bool fold)
{
    if (n <= 0)
        return -1;
    UChar f = u[0];
    if (fold && f >= 'A' && f <= 'Z')
        f = (UChar)(f + 32);
    for (int k = 0; list[k]; k++) {
        unsigned char l0 = (unsigned char)list[k][0];
        if (l0 < 0x80 && l0 != f)   /* most words differ at once */
            continue;
        if (equals(u, n, list[k], fold))
            return k;
    }
    return -1;
}

static const char *const elided[] = {
    "l", "d", "j", "m", "n", "s", "t", "c", "ç", "y", "qu",
    "jusqu", "lorsqu", "puisqu", "quoiqu", NULL};

int32_t tok_french_elision(const UChar *u, int32_t n, bool rest_ok)
{
    int32_t a = 0;
    while (a < n && a < 7 && !tok_is_apostrophe(u[a]))
        a++;
    if (a == 0 || a >= n || !tok_is_apostrophe(u[a]))
        return 0;
    if (find(u, a, elided, true) < 0)
        return 0;
    int32_t rest = n - a - 1;
    if (rest == 0)
        return rest_ok ? a + 1 : 0;
    if (equals(u, a, "l", true) && equals(u + a + 1, rest, "on", true))
        return 0;   /* "l'on" is one token in UD French-GSD */
    return a + 1;
}

static const char *const clitics[] = {
    "je", "tu", "il", "ils", "elle", "elles", "on", "nous", "vous", "ce",
    "moi", "toi", "le", "la", "les", "lui", "leur", "y", "en", "ci", "là", NULL};

/* Clitics that can come before another one: "donne-le-moi", "va-t-en". */
static const char *const inner_clitics[] = {
    "le", "la", "les", "moi", "toi", "lui", "leur", "nous", "vous", "en", NULL};

static const char *const demonstratives[] = {
    "celui", "celle", "ceux", "celles", "ce", "ci", "là", "jusque", "de", "par", NULL};

static const char *const whole[] = {
    "rendez-vous", "vis-à-vis", "m'as-tu-vu", "qu'en-dira-t-on", "sauve-qui-peut",
    "va-et-vient", "ci-là", NULL};

int32_t tok_french_clitics(const UChar *u, int32_t n, int32_t *cut2)
{
    *cut2 = n;
    int32_t h[8], nh = 0;   /* hyphen positions */
    for (int32_t i = 0; i < n; i++) {
        if (tok_is_hyphen(u[i])) {
            if (nh == 8)
                return n;
            h[nh++] = i;
        } else if (u[i] >= '0' && u[i] <= '9') {
            return n;
        }
    }
    if (nh == 0 || h[0] == 0 || find(u, n, whole, true) >= 0)
        return n;
    int32_t last = h[nh - 1];
    const UChar *lw = u + last + 1;
    int32_t ln = n - last - 1;
    int k = find(lw, ln, clitics, true);
    if (k < 0)
        return n;
    int32_t cut = last;
    if (nh >= 2) {
        int32_t prev = h[nh - 2];
        const UChar *pw = u + prev + 1;
        int32_t pn = last - prev - 1;
        if (pn == 1 && (pw[0] == 't' || pw[0] == 'T')) {
            return prev;   /* a-t-il: the euphonic t goes with the pronoun */
        }
        if (find(pw, pn, inner_clitics, true) >= 0 && prev > 0) {
            /* the word before both must not be a clitic compound itself */
            *cut2 = last;
            cut = prev;
        }
    }
    /* the part before the clitics: "celui" in celui-ci stays whole */
    int32_t head_start = 0;
    for (int32_t i = cut - 1; i > 0; i--)
        if (tok_is_hyphen(u[i])) {
            head_start = i + 1;
            break;
        }
    const UChar *hw = u + head_start;
    int32_t hn = cut - head_start;
    if (hn <= 0) {
        *cut2 = n;
        return n;
    }
    if (find(hw, hn, demonstratives, true) >= 0) {
        *cut2 = n;
        return n;
    }
    return cut;
}

static const char *const abbrev_inside[] = {
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Mgr", "Me", "Dr", "Drs", "Pr", "Prof",
    "Mr", "Mrs", "Ms", "St", "Ste", "Sts", "Jr", "Sr", "Cie", "Gal", "Gén", "Col", "Lt",
    "Cdt", "Cpt", "Capt", "av", "Av", "apr", "bd", "Bd", "boul", "p", "pp", "cf",
    "Cf", "vol", "Vol", "No", "éd", "Éd", "coll", "chap", "fig", "env", "art", "al", "resp",
    "tél", "Tél", "hab", "janv", "févr", "avr", "juil", "oct", "déc", "sq", "sqq", "op", "cit",
    "ibid", "Ibid", "id", "vs", "approx", "c.-à-d", "ca", "ms", NULL};

static const char *const abbrev_mayend[] = {"etc", "Etc", "ex", "min", "max", "cie", NULL};

/* For each length in UTF-16 units, the first characters of the listed
 * abbreviations of that length: bit c - 'A' for ASCII A..z, bit 63 for
 * anything else.  Most words before a period are no abbreviation and are
 * told so by one test instead of a walk through the lists. */
static uint64_t abbrev_first[9];
static pthread_once_t abbrev_once = PTHREAD_ONCE_INIT;

static void abbrev_index(void)
{
    for (const char *const *l = abbrev_inside; l; l = l == abbrev_inside ? abbrev_mayend : NULL)
        for (int k = 0; l[k]; k++) {
            unsigned char f = (unsigned char)l[k][0];
            int units = 0;   /* the lists are in the BMP: one unit a code point */
            for (const char *p = l[k]; *p; p++)
                units += ((unsigned char)*p & 0xC0) != 0x80;
            if (units < 9)
                abbrev_first[units] |= (uint64_t)1 << (f >= 'A' && f <= 'z' ? f - 'A' : 63);
        }
}

tok_abbrev tok_french_abbrev(const UChar *u, int32_t n,
                             UChar *const *extra, const int32_t *extra_len,
                             size_t nextra)
{
    if (n == 0 || n > 8)
        goto user;
    pthread_once(&abbrev_once, abbrev_index);
    if (!(abbrev_first[n] >> (u[0] >= 'A' && u[0] <= 'z' ? u[0] - 'A' : 63) & 1))
        goto user;
    if (find(u, n, abbrev_inside, false) >= 0)
        return TOK_ABBREV_INSIDE;
    if (find(u, n, abbrev_mayend, false) >= 0)
        return TOK_ABBREV_MAYEND;
user:
    for (size_t k = 0; k < nextra; k++)
        if (extra_len[k] == n && memcmp(extra[k], u, sizeof(UChar) * (size_t)n) == 0)
            return TOK_ABBREV_INSIDE;
    return TOK_ABBREV_NONE;
}

static const char *const never_split[] = {"c'est-à-dire", "c’est-à-dire", NULL};

bool tok_french_whole(const UChar *u, int32_t n)
{
    return n >= 12 && n <= 12 && find(u, n, never_split, true) >= 0;
}

static const char *const ordinals[] = {
    "e", "er", "re", "ère", "ème", "eme", "me", "es", "ers", "res", "ères", "èmes", "emes",
    "nd", "nde", "nds", "ndes", "è", "ième", "ieme", "ièmes", "bis", "ter", "aine", "aines",
    "s", NULL};

int32_t tok_french_number_unit(const UChar *u, int32_t n, int32_t *cut2)
{
    *cut2 = n;
    int32_t p = 0;
    while (p < n && u[p] >= '0' && u[p] <= '9')
        p++;
    if (p == 0 || p == n || !((u[p] >= 'a' && u[p] <= 'z') || (u[p] >= 'A' && u[p] <= 'Z')))
        return n;
    if ((u[p] == 'h' || u[p] == 'H') && p + 1 < n) {   /* 20h30 */
        for (int32_t k = p + 1; k < n; k++)
            if (u[k] < '0' || u[k] > '9')
                return n;
        *cut2 = p + 1;
        return p;
    }
    for (int32_t k = p; k < n; k++)
        if (!((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= 'A' && u[k] <= 'Z')))
            return n;   /* 4x4, 1ère (ordinal, below) */
    if (find(u + p, n - p, ordinals, false) >= 0 || n - p > 3)
        return n;       /* 1er 2e 109e; 3ans is a typo, keep it */
    return p;           /* 160km 2m 23h */
}
