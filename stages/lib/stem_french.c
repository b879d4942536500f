/*
 * stem_french.c - the Snowball 3 French stemmer (see stem_french.h for why).
 *
 * Owns: decoding a word into code points, the five steps of the algorithm
 * (elisions, prelude, mark_regions, the backward suffix routines,
 * postlude), and encoding the result.  Each routine below carries the name
 * it has in Snowball's french.sbl and follows it statement by statement:
 *
 *   - A word is w[0..n) (code points).  "Backward" routines look at its end;
 *     `bra` is where the matched suffix starts.
 *   - Regions: RV is pV <= position, R1 is p1 <= position, R2 p2 <= position.
 *   - `[substring] among (...)` picks the LONGEST listed suffix ending at the
 *     cursor and not starting before the limit (pV inside `setlimit tomark
 *     pV`); if that suffix's action fails, the whole among fails.
 *   - Changes to the word are never undone when a later test fails (Snowball
 *     semantics: `try` and `or` restore the cursor, not the string).
 *   - Upper-case U, I, Y, H are markers set by the prelude (u/i/y between
 *     vowels, ë and ï) and removed by the postlude.
 *
 * Worked example, "généreusement" (g é n é r e u s e m e n t, 13 code
 * points): the prelude marks nothing (the u at 6 is not between vowels).
 * pV = 2 (just past the first vowel after the first letter), p1 = 3
 * ("gén|"), p2 = 5 ("génér|").  standard_suffix finds "ement" at 8, in RV,
 * and deletes it: "généreus"; its sub-among finds "eus" at 5, in R2, and
 * deletes it: "génér".  un_double finds nothing; un_accent walks back over
 * the non-vowel "r", finds é and makes it e: "géner", Snowball's answer.
 */
#include "stem_french.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A suffix of an among list, decoded once (crible_french_stemmer_new). */
typedef struct suffix {
    uint32_t cp[12];
    int len;
} suffix;

enum { LIST_STANDARD, LIST_I_VERB, LIST_VERB, LIST_RESIDUAL, LIST_UN_DOUBLE, NLISTS };
#define LIST_MAX 48
#define BUCKETS 32              /* a list's suffixes by their last code point % 32 */
#define BUCKET_END 0xFF

struct crible_french_stemmer {
    uint32_t *w;
    int n, cap;
    int pV, p1, p2;
    char *out;
    size_t out_cap;
    suffix lists[NLISTS][LIST_MAX];
    int list_len[NLISTS];
    /* by_last[id][b]: the indexes of list id's suffixes whose last code
     * point is b modulo BUCKETS, longest first (in list order among equal
     * lengths), ended by BUCKET_END */
    uint8_t by_last[NLISTS][BUCKETS][LIST_MAX + 1];
};

/* --- code points --------------------------------------------------------- */

enum {
    A_CIRC = 0xE2, A_GRAVE = 0xE0, C_CED = 0xE7, E_DIAER = 0xEB, E_ACUTE = 0xE9,
    E_CIRC = 0xEA, E_GRAVE = 0xE8, I_DIAER = 0xEF, I_CIRC = 0xEE, O_CIRC = 0xF4,
    U_CIRC = 0xFB, U_GRAVE = 0xF9,
    RAW_BYTE = 0xDC00   /* an invalid byte b is kept as RAW_BYTE + b */
};

/* define v 'aeiouyâàëéêèïîôûù' */
static int is_v(uint32_t c)
{
    switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y':
    case A_CIRC: case A_GRAVE: case E_DIAER: case E_ACUTE: case E_CIRC:
    case E_GRAVE: case I_DIAER: case I_CIRC: case O_CIRC: case U_CIRC:
    case U_GRAVE:
        return 1;
    default:
        return 0;
    }
}

/* Decodes one UTF-8 sequence of s[0..n); returns its length (>= 1). */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    int len;
    uint32_t c;
    if (b < 0x80) { *cp = b; return 1; }
    if (b >= 0xC2 && b <= 0xDF) { len = 2; c = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { len = 3; c = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { len = 4; c = b & 0x07; }
    else { *cp = RAW_BYTE + b; return 1; }
    if ((size_t)len > n) { *cp = RAW_BYTE + b; return 1; }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { *cp = RAW_BYTE + b; return 1; }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (len == 4 && (c < 0x10000 || c > 0x10FFFF))) {
        *cp = RAW_BYTE + b;
        return 1;
    }
    *cp = c;
    return len;
}

static size_t utf8_encode(uint32_t c, char *o)
{
    if (c >= RAW_BYTE && c < RAW_BYTE + 0x100) { o[0] = (char)(c - RAW_BYTE); return 1; }
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Number of code points of `s` if it is a suffix of w[lim..c), else -1. */
static int suffix_at(const crible_french_stemmer *z, int c, int lim, const char *s)
{
    uint32_t cps[16];
    int k = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && k < 16;) {
        i += (size_t)utf8_decode((const unsigned char *)s + i, len - i, &cps[k++]);
    }
    if (c - k < lim)
        return -1;
    for (int i = 0; i < k; i++)
        if (z->w[c - k + i] != cps[i])
            return -1;
    return k;
}

/* [substring] among (...) at the end: the longest suffix of list `id`
 * ending at c and starting at or after lim.  Returns its index or -1, and
 * sets *bra to where it starts.  Only the suffixes ending with w[c - 1]'s
 * bucket are tried, longest first, so the first match is the longest (the
 * one a scan of the whole list keeps). */
static int among_b(const crible_french_stemmer *z, int c, int lim, int id, int *bra)
{
    if (c <= lim)
        return -1;   /* every suffix has a code point */
    const suffix *l = z->lists[id];
    const uint8_t *b = z->by_last[id][z->w[c - 1] % BUCKETS];
    for (; *b != BUCKET_END; b++) {
        const suffix *x = &l[*b];
        int k = x->len;
        if (c - k < lim)
            continue;
        int j = k - 1;
        while (j >= 0 && z->w[c - k + j] == x->cp[j])
            j--;
        if (j < 0) {
            *bra = c - k;
            return *b;
        }
    }
    return -1;
}

static void decode_list(crible_french_stemmer *z, int id, const char *const *list)
{
    int i = 0;
    for (; list[i] && i < LIST_MAX; i++) {
        size_t len = strlen(list[i]);
        int k = 0;
        for (size_t b = 0; b < len && k < 12;)
            b += (size_t)utf8_decode((const unsigned char *)list[i] + b, len - b, &z->lists[id][i].cp[k++]);
        z->lists[id][i].len = k;
    }
    z->list_len[id] = i;
    for (int bk = 0; bk < BUCKETS; bk++) {
        int n = 0;
        for (int len = 12; len >= 1; len--)
            for (int x = 0; x < i; x++)
                if (z->lists[id][x].len == len && z->lists[id][x].cp[len - 1] % BUCKETS == (uint32_t)bk)
                    z->by_last[id][bk][n++] = (uint8_t)x;
        z->by_last[id][bk][n] = BUCKET_END;
    }
}

/* Replaces w[bra..ket) with the code points of s. */
static int slice_from(crible_french_stemmer *z, int bra, int ket, const char *s)
{
    uint32_t cps[16];
    int k = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && k < 16;)
        i += (size_t)utf8_decode((const unsigned char *)s + i, len - i, &cps[k++]);
    int n = z->n - (ket - bra) + k;
    if (n > z->cap) {
        uint32_t *w = realloc(z->w, (size_t)n * 2 * sizeof *w);
        if (!w)
            return -1;
        z->w = w;
        z->cap = n * 2;
    }
    memmove(z->w + bra + k, z->w + ket, (size_t)(z->n - ket) * sizeof *z->w);
    memcpy(z->w + bra, cps, (size_t)k * sizeof *cps);
    z->n = n;
    return 0;
}

static void slice_del(crible_french_stemmer *z, int bra, int ket)
{
    (void)slice_from(z, bra, ket, "");   /* never grows: cannot fail */
}

#define R1(z, c) ((z)->p1 <= (c))
#define R2(z, c) ((z)->p2 <= (c))
#define RV(z, c) ((z)->pV <= (c))

/* --- forward steps ------------------------------------------------------- */

/* define elisions as ( [ (elision_char or 'qu') ''' ] not atlimit delete ) */
static void elisions(crible_french_stemmer *z)
{
    const uint32_t *w = z->w;
    if (z->n > 2 && w[1] == '\'' &&
        (w[0] == 'c' || w[0] == 'd' || w[0] == 'j' || w[0] == 'l' ||
         w[0] == 'm' || w[0] == 'n' || w[0] == 's' || w[0] == 't'))
        slice_del(z, 0, 2);
    else if (z->n > 3 && w[0] == 'q' && w[1] == 'u' && w[2] == '\'')
        slice_del(z, 0, 3);
}

/* define prelude as repeat goto ( ... ): the markers U I Y H.  After each
 * change the scan starts again where the change's match began. */
static int prelude(crible_french_stemmer *z)
{
    int start = 0;
again:
    for (int c = start; c < z->n; c++) {
        uint32_t *w = z->w;
        if (is_v(w[c]) && c + 1 < z->n) {
            uint32_t x = w[c + 1];
            if (x == 'u' && c + 2 < z->n && is_v(w[c + 2])) { w[c + 1] = 'U'; start = c; goto again; }
            if (x == 'i' && c + 2 < z->n && is_v(w[c + 2])) { w[c + 1] = 'I'; start = c; goto again; }
            if (x == 'y') { w[c + 1] = 'Y'; start = c; goto again; }
        }
        if (w[c] == E_DIAER) {
            if (slice_from(z, c, c + 1, "He") < 0) return -1;
            start = c;
            goto again;
        }
        if (w[c] == I_DIAER) {
            if (slice_from(z, c, c + 1, "Hi") < 0) return -1;
            start = c;
            goto again;
        }
        if (w[c] == 'y' && c + 1 < z->n && is_v(w[c + 1])) { w[c] = 'Y'; start = c; goto again; }
        if (w[c] == 'q' && c + 1 < z->n && w[c + 1] == 'u') { w[c + 1] = 'U'; start = c; goto again; }
    }
    return 0;
}

static int starts_with(const crible_french_stemmer *z, const char *s)
{
    int k = (int)strlen(s);   /* ASCII only */
    if (z->n < k)
        return 0;
    for (int i = 0; i < k; i++)
        if (z->w[i] != (uint32_t)(unsigned char)s[i])
            return 0;
    return 1;
}

/* define mark_regions: pV, p1, p2 (the limit, n, when not found). */
static void mark_regions(crible_french_stemmer *z)
{
    const uint32_t *w = z->w;
    int n = z->n;
    z->pV = z->p1 = z->p2 = n;

    if (n >= 3 && is_v(w[0]) && is_v(w[1]))
        z->pV = 3;                                   /* v v next */
    else if (starts_with(z, "par") || starts_with(z, "col") || starts_with(z, "tap"))
        z->pV = 3;                                   /* exception list */
    else if (starts_with(z, "ni") && n > 2 && is_v(w[2]))
        z->pV = 3;                                   /* 'ni' (v) */
    else {
        for (int i = 1; i < n; i++)                  /* next gopast v */
            if (is_v(w[i])) { z->pV = i + 1; break; }
    }

    int c = 0, i;
    for (int round = 0; round < 2; round++) {        /* gopast v gopast non-v */
        for (i = c; i < n && !is_v(w[i]); i++) {}
        if (i >= n) return;
        for (i = i + 1; i < n && is_v(w[i]); i++) {}
        if (i >= n) return;
        c = i + 1;
        if (round == 0) z->p1 = c; else z->p2 = c;
    }
}

/* define postlude: I U Y -> i u y, He -> ë, Hi -> ï, H deleted. */
static void postlude(crible_french_stemmer *z)
{
    int o = 0;
    for (int c = 0; c < z->n; c++) {
        uint32_t x = z->w[c];
        if (x == 'I') x = 'i';
        else if (x == 'U') x = 'u';
        else if (x == 'Y') x = 'y';
        else if (x == 'H') {
            if (c + 1 < z->n && z->w[c + 1] == 'e') { x = E_DIAER; c++; }
            else if (c + 1 < z->n && z->w[c + 1] == 'i') { x = I_DIAER; c++; }
            else continue;
        }
        z->w[o++] = x;
    }
    z->n = o;
}

/* --- backward routines --------------------------------------------------- */

/* try ( ['ic'] (R2 delete) or <-'iqU' ) with the cursor at the word's end. */
static int try_ic(crible_french_stemmer *z)
{
    int c = z->n;
    if (suffix_at(z, c, 0, "ic") < 0)
        return 0;
    if (R2(z, c - 2)) { slice_del(z, c - 2, c); return 0; }
    return slice_from(z, c - 2, c, "iqU");
}

/* The among of a rare path (after a suffix was removed), from UTF-8. */
static int among_small(const crible_french_stemmer *z, int c, const char *const *list, int *bra)
{
    int best = -1, best_len = -1;
    for (int i = 0; list[i]; i++) {
        int k = suffix_at(z, c, 0, list[i]);
        if (k > best_len) { best_len = k; best = i; }
    }
    if (best >= 0)
        *bra = c - best_len;
    return best;
}

static const char *const standard_list[] = {
    /* 0-10 */ "ance", "iqUe", "isme", "able", "iste", "eux",
    "ances", "iqUes", "ismes", "ables", "istes",
    /* 11-16 */ "atrice", "ateur", "ation", "atrices", "ateurs", "ations",
    /* 17-18 */ "logie", "logies",
    /* 19-22 */ "usion", "ution", "usions", "utions",
    /* 23-24 */ "ence", "ences",
    /* 25-26 */ "ement", "ements",
    /* 27-28 */ "it\u00e9", "it\u00e9s",
    /* 29-32 */ "if", "ive", "ifs", "ives",
    /* 33-35 */ "eaux", "aux", "oux",
    /* 36-37 */ "euse", "euses",
    /* 38-39 */ "issement", "issements",
    /* 40-41 */ "amment", "emment",
    /* 42-43 */ "ment", "ments",
    NULL
};

/* Returns 1 (success), 0 (failure) or -1 (out of memory). */
static int standard_suffix(crible_french_stemmer *z)
{
    int ket = z->n, bra, c;
    int a = among_b(z, ket, 0, LIST_STANDARD, &bra);
    if (a < 0)
        return 0;
    if (a <= 10) {                                   /* R2 delete */
        if (!R2(z, bra)) return 0;
        slice_del(z, bra, ket);
    } else if (a <= 16) {
        if (!R2(z, bra)) return 0;
        slice_del(z, bra, ket);
        if (try_ic(z) < 0) return -1;
    } else if (a <= 18) {
        if (!R2(z, bra)) return 0;
        if (slice_from(z, bra, ket, "log") < 0) return -1;
    } else if (a <= 22) {
        if (!R2(z, bra)) return 0;
        if (slice_from(z, bra, ket, "u") < 0) return -1;
    } else if (a <= 24) {
        if (!R2(z, bra)) return 0;
        if (slice_from(z, bra, ket, "ent") < 0) return -1;
    } else if (a <= 26) {                            /* ement(s) */
        static const char *const sub[] = {"iv", "eus", "abl", "iqU",
                                          "i\u00e8r", "I\u00e8r", NULL};
        if (!RV(z, bra)) return 0;
        slice_del(z, bra, ket);
        c = z->n;
        int b2, s = among_small(z, c, sub, &b2);
        if (s == 0) {                                /* iv: R2 delete ['at'] R2 delete */
            if (R2(z, b2)) {
                slice_del(z, b2, c);
                c = z->n;
                if (suffix_at(z, c, 0, "at") > 0 && R2(z, c - 2))
                    slice_del(z, c - 2, c);
            }
        } else if (s == 1) {                         /* eus */
            if (R2(z, b2)) slice_del(z, b2, c);
            else if (R1(z, b2) && slice_from(z, b2, c, "eux") < 0) return -1;
        } else if (s == 2 || s == 3) {
            if (R2(z, b2)) slice_del(z, b2, c);
        } else if (s == 4 || s == 5) {
            if (RV(z, b2) && slice_from(z, b2, c, "i") < 0) return -1;
        }
    } else if (a <= 28) {                            /* ité(s) */
        static const char *const sub[] = {"abil", "ic", "iv", NULL};
        if (!R2(z, bra)) return 0;
        slice_del(z, bra, ket);
        c = z->n;
        int b2, s = among_small(z, c, sub, &b2);
        if (s == 0) {
            if (R2(z, b2)) slice_del(z, b2, c);
            else if (slice_from(z, b2, c, "abl") < 0) return -1;
        } else if (s == 1) {
            if (R2(z, b2)) slice_del(z, b2, c);
            else if (slice_from(z, b2, c, "iqU") < 0) return -1;
        } else if (s == 2) {
            if (R2(z, b2)) slice_del(z, b2, c);
        }
    } else if (a <= 32) {                            /* if ive ifs ives */
        if (!R2(z, bra)) return 0;
        slice_del(z, bra, ket);
        c = z->n;                                    /* try (['at'] R2 delete ['ic'] ...) */
        if (suffix_at(z, c, 0, "at") > 0 && R2(z, c - 2)) {
            slice_del(z, c - 2, c);
            if (try_ic(z) < 0) return -1;
        }
    } else if (a == 33) {
        if (slice_from(z, bra, ket, "eau") < 0) return -1;
    } else if (a == 34) {
        if (!R1(z, bra)) return 0;
        if (slice_from(z, bra, ket, "al") < 0) return -1;
    } else if (a == 35) {                            /* oux_ending <- 'ou' */
        uint32_t x = bra >= 1 ? z->w[bra - 1] : 0;
        if (!(x == 'b' || x == 'h' || x == 'j' || x == 'l' || x == 'n' || x == 'p'))
            return 0;
        if (slice_from(z, bra, ket, "ou") < 0) return -1;
    } else if (a <= 37) {                            /* euse(s) */
        if (R2(z, bra)) slice_del(z, bra, ket);
        else if (R1(z, bra)) { if (slice_from(z, bra, ket, "eux") < 0) return -1; }
        else return 0;
    } else if (a <= 39) {                            /* R1 non-v delete */
        if (!R1(z, bra) || bra < 1 || is_v(z->w[bra - 1])) return 0;
        slice_del(z, bra, ket);
    } else if (a <= 41) {                            /* RV fail(<- 'ant' / 'ent') */
        if (RV(z, bra) && slice_from(z, bra, ket, a == 40 ? "ant" : "ent") < 0)
            return -1;
        return 0;
    } else {                                         /* test(v RV) fail(delete) */
        if (bra >= 1 && is_v(z->w[bra - 1]) && RV(z, bra - 1))
            slice_del(z, bra, ket);
        return 0;
    }
    return 1;
}

static const char *const i_verb_list[] = {
    "\u00eemes", "\u00eet", "\u00eetes", "i", "ie", "ies", "ir", "ira", "irai",
    "iraIent", "irais", "irait", "iras", "irent", "irez", "iriez",
    "irions", "irons", "iront", "is", "issaIent", "issais", "issait",
    "issant", "issante", "issantes", "issants", "isse", "issent", "isses",
    "issez", "issiez", "issions", "issons", "it", NULL
};

/* setlimit tomark pV for ([substring] among (... (not 'H' non-v delete))) */
static int i_verb_suffix(crible_french_stemmer *z)
{
    int ket = z->n, bra;
    if (ket < z->pV)
        return 0;
    if (among_b(z, ket, z->pV, LIST_I_VERB, &bra) < 0)
        return 0;
    if (bra - 1 < z->pV)                             /* non-v needs a char in RV */
        return 0;
    if (z->w[bra - 1] == 'H' || is_v(z->w[bra - 1]))
        return 0;
    slice_del(z, bra, ket);
    return 1;
}

static const char *const verb_list[] = {
    /* 0 */ "ions",
    /* 1-19 delete */ "\u00e9", "\u00e9e", "\u00e9es", "\u00e9s", "\u00e8rent", "er", "era",
    "erai", "eraIent", "erais", "erait", "eras", "erez", "eriez", "erions",
    "erons", "eront", "ez", "iez",
    /* 20-36 try('e' RV]) delete */ "\u00e2mes", "\u00e2t", "\u00e2tes", "a", "ai", "aIent",
    "ait", "ant", "ante", "antes", "ants", "as", "asse", "assent", "asses",
    "assiez", "assions",
    /* 37-39 */ "ais", "aise", "aises",
    /* 40 */ "eais",
    NULL
};

static int verb_suffix(crible_french_stemmer *z)
{
    int ket = z->n, bra;
    if (ket < z->pV)
        return 0;
    int a = among_b(z, ket, z->pV, LIST_VERB, &bra);  /* only the match is limited */
    if (a < 0)
        return 0;
    if (a == 0) {
        if (!R2(z, bra)) return 0;
    } else if (a >= 20 && a <= 36) {
        if (bra >= 1 && z->w[bra - 1] == 'e' && RV(z, bra - 1))
            bra--;
    } else if (a >= 37 && a <= 39) {
        /* not among ('al' (next atlimit) 'auv' 'épl' ()) */
        if (suffix_at(z, bra, 0, "auv") > 0 || suffix_at(z, bra, 0, "\u00e9pl") > 0)
            return 0;
        if (suffix_at(z, bra, 0, "al") > 0 && bra == 3)
            return 0;
    }
    slice_del(z, bra, ket);
    return 1;
}

static const char *const residual_list[] = {
    "ion", "ier", "i\u00e8re", "Ier", "I\u00e8re", "e", NULL
};

static int residual_suffix(crible_french_stemmer *z)
{
    int n = z->n;
    /* try(['s'] test('Hi' or non-keep_with_s) delete) */
    if (n >= 1 && z->w[n - 1] == 's') {
        int ok = suffix_at(z, n - 1, 0, "Hi") > 0;
        if (!ok && n >= 2) {
            uint32_t x = z->w[n - 2];
            ok = !(x == 'a' || x == 'i' || x == 'o' || x == 'u' || x == E_GRAVE || x == 's');
        }
        if (ok)
            slice_del(z, n - 1, n);
    }
    int ket = z->n, bra;
    if (ket < z->pV)
        return 0;
    int a = among_b(z, ket, z->pV, LIST_RESIDUAL, &bra);
    if (a < 0)
        return 0;
    if (a == 0) {                                    /* R2 ('s' or 't') delete */
        if (!R2(z, bra) || bra - 1 < z->pV) return 0;
        if (z->w[bra - 1] != 's' && z->w[bra - 1] != 't') return 0;
        slice_del(z, bra, ket);
    } else if (a <= 4) {
        if (slice_from(z, bra, ket, "i") < 0) return -1;
    } else {
        slice_del(z, bra, ket);
    }
    return 1;
}

/* test among('enn' 'onn' 'ett' 'ell' 'eill') [next] delete */
static void un_double(crible_french_stemmer *z)
{
    int bra;
    if (among_b(z, z->n, 0, LIST_UN_DOUBLE, &bra) >= 0)
        z->n--;
}

/* atleast 1 non-v [ 'é' or 'è' ] <- 'e' */
static void un_accent(crible_french_stemmer *z)
{
    int i = z->n - 1;
    while (i >= 0 && !is_v(z->w[i]))
        i--;
    if (i < z->n - 1 && i >= 0 && (z->w[i] == E_ACUTE || z->w[i] == E_GRAVE))
        z->w[i] = 'e';
}

/* --- the whole ----------------------------------------------------------- */

crible_french_stemmer *crible_french_stemmer_new(crible_error *err)
{
    static const char *const un_double_list[] = {"enn", "onn", "ett", "ell", "eill", NULL};
    crible_french_stemmer *z = crible_malloc(sizeof *z, err);
    if (!z)
        return NULL;
    memset(z, 0, sizeof *z);
    decode_list(z, LIST_STANDARD, standard_list);
    decode_list(z, LIST_I_VERB, i_verb_list);
    decode_list(z, LIST_VERB, verb_list);
    decode_list(z, LIST_RESIDUAL, residual_list);
    decode_list(z, LIST_UN_DOUBLE, un_double_list);
    return z;
}

void crible_french_stemmer_free(crible_french_stemmer *z)
{
    if (!z)
        return;
    free(z->w);
    free(z->out);
    free(z);
}

static int stem_backward(crible_french_stemmer *z)
{
    int r = standard_suffix(z);
    if (r == 0) r = i_verb_suffix(z);
    if (r == 0) r = verb_suffix(z);
    if (r < 0) return -1;
    if (r > 0) {
        int n = z->n;
        if (n >= 1 && z->w[n - 1] == 'Y') z->w[n - 1] = 'i';
        else if (n >= 1 && z->w[n - 1] == C_CED) z->w[n - 1] = 'c';
    } else if (residual_suffix(z) < 0) {
        return -1;
    }
    un_double(z);
    un_accent(z);
    return 0;
}

const char *crible_french_stem(crible_french_stemmer *z, const char *word,
                               size_t len, size_t *out_len)
{
    /* Decode: at most one code point per byte, plus room for He/Hi. */
    if ((size_t)z->cap < len * 2 + 8) {
        if (len > (size_t)1 << 28)
            return NULL;
        int cap = (int)(len * 2 + 8);
        uint32_t *w = realloc(z->w, (size_t)cap * sizeof *w);
        if (!w)
            return NULL;
        z->w = w;
        z->cap = cap;
    }
    z->n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += (size_t)utf8_decode((const unsigned char *)word + i, len - i, &cp);
        z->w[z->n++] = cp;
    }

    elisions(z);
    if (prelude(z) < 0)
        return NULL;
    mark_regions(z);
    if (stem_backward(z) < 0)
        return NULL;
    postlude(z);

    size_t need = (size_t)z->n * 4 + 1;
    if (z->out_cap < need) {
        char *o = realloc(z->out, need);
        if (!o)
            return NULL;
        z->out = o;
        z->out_cap = need;
    }
    size_t o = 0;
    for (int i = 0; i < z->n; i++)
        o += utf8_encode(z->w[i], z->out + o);
    z->out[o] = '\0';
    *out_len = o;
    return z->out;
}
