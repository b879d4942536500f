/*
 * stemmer.c - the word -> term function of stemmer.h: algorithm names,
 * protected words, overrides, the correction table, the algorithms
 * (crible's Snowball 3 French, libstemmer for the rest), accent folding and
 * the cache.
 */
#include "stemmer.h"

#include <ctype.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "stem_corrections.h"
#include "stem_fold.h"
#include "stem_french.h"
#include "stem_wordmap.h"

#define WORD_MAX 256           /* longer words skip the table and the folding */
#define CACHE_WORD_MAX 64      /* longer words are not cached */

typedef enum engine { ENGINE_FRENCH, ENGINE_LIBSTEMMER, ENGINE_NONE } engine;

struct crible_stemmer {
    const char *algorithm;
    engine engine;
    crible_french_stemmer *french;
    struct sb_stemmer *sb;
    crible_stem_corrections *corrections;
    bool fold_accents;
    crible_wordmap *protected_words, *overrides, *cache;
    char *out;                 /* the result of the last call */
    size_t out_cap;
};

/* --- algorithm names ----------------------------------------------------- */

/* ISO 639-1 / 639-2 codes of libstemmer 2.2's algorithms. */
static const struct { const char *name, *iso1, *iso3a, *iso3b; } languages[] = {
    {"arabic", "ar", "ara", NULL},     {"armenian", "hy", "hye", "arm"},
    {"basque", "eu", "eus", "baq"},    {"catalan", "ca", "cat", NULL},
    {"danish", "da", "dan", NULL},     {"dutch", "nl", "nld", "dut"},
    {"english", "en", "eng", NULL},    {"finnish", "fi", "fin", NULL},
    {"french", "fr", "fra", "fre"},    {"german", "de", "deu", "ger"},
    {"greek", "el", "ell", "gre"},     {"hindi", "hi", "hin", NULL},
    {"hungarian", "hu", "hun", NULL},  {"indonesian", "id", "ind", NULL},
    {"irish", "ga", "gle", NULL},      {"italian", "it", "ita", NULL},
    {"lithuanian", "lt", "lit", NULL}, {"nepali", "ne", "nep", NULL},
    {"norwegian", "no", "nor", "nb"},  {"portuguese", "pt", "por", NULL},
    {"romanian", "ro", "ron", "rum"},  {"russian", "ru", "rus", NULL},
    {"serbian", "sr", "srp", NULL},    {"spanish", "es", "spa", NULL},
    {"swedish", "sv", "swe", NULL},    {"tamil", "ta", "tam", NULL},
    {"turkish", "tr", "tur", NULL},    {"yiddish", "yi", "yid", NULL},
    {"porter", NULL, NULL, NULL},
};

static bool in_libstemmer(const char *name)
{
    for (const char **l = sb_stemmer_list(); *l; l++)
        if (strcmp(*l, name) == 0)
            return true;
    return false;
}

const char *crible_stem_algorithm(const char *name)
{
    char lc[64];
    size_t n = 0;
    if (!name)
        return NULL;
    if (strncmp(name, "libstemmer:", 11) == 0) {
        const char *a = crible_stem_algorithm(name + 11);
        if (!a || strcmp(a, "none") == 0 || !in_libstemmer(a))
            return NULL;
        if (strcmp(a, "french") == 0)
            return "libstemmer:french";
        return a;
    }
    /* lower-case ASCII, cut at a region ("fr-FR", "en_GB") */
    for (; name[n] && name[n] != '-' && name[n] != '_' && n + 1 < sizeof lc; n++)
        lc[n] = (char)tolower((unsigned char)name[n]);
    lc[n] = '\0';
    if (name[n] && name[n] != '-' && name[n] != '_')
        return NULL;
    if (strcmp(lc, "none") == 0)
        return "none";
    if (strcmp(lc, "fran\xc3\xa7" "ais") == 0 || strcmp(lc, "francais") == 0)
        return "french";
    for (size_t i = 0; i < sizeof languages / sizeof *languages; i++) {
        if (strcmp(lc, languages[i].name) == 0 ||
            (languages[i].iso1 && strcmp(lc, languages[i].iso1) == 0) ||
            (languages[i].iso3a && strcmp(lc, languages[i].iso3a) == 0) ||
            (languages[i].iso3b && strcmp(lc, languages[i].iso3b) == 0))
            return strcmp(languages[i].name, "french") == 0 || in_libstemmer(languages[i].name)
                       ? languages[i].name : NULL;
    }
    return NULL;
}

const char *crible_stem_algorithm_iso(const char *algorithm)
{
    if (algorithm && strcmp(algorithm, "libstemmer:french") == 0)
        return "fr";
    for (size_t i = 0; algorithm && i < sizeof languages / sizeof *languages; i++)
        if (strcmp(algorithm, languages[i].name) == 0)
            return languages[i].iso1;
    return NULL;
}

/* --- set-up -------------------------------------------------------------- */

void crible_stemmer_options_init(crible_stemmer_options *o)
{
    memset(o, 0, sizeof *o);
    o->algorithm = "french";
    o->corrections = true;
    o->fold_accents = false;
    o->cache_entries = 65536;
}

/* Enters `word` case-folded (and its term, when given) into map. */
static crible_status put_folded(crible_wordmap *map, const char *word,
                                const char *term, crible_error *err)
{
    char key[WORD_MAX * 3 + 1];
    size_t n = crible_fold_case(word, strlen(word), key, sizeof key);
    if (n == (size_t)-1 || n == 0)
        return crible_error_set(err, CRIBLE_ECONFIG, "word '%.60s' is empty, too long or not UTF-8", word);
    return crible_wordmap_put(map, key, n, term, term ? strlen(term) : 0, err);
}

static crible_status open_corrections(crible_stemmer *s, const crible_stemmer_options *o,
                                      crible_error *err)
{
    char path[4096];
    const char *file = o->corrections_file;
    if (!file) {
        if (!crible_data_find(CRIBLE_STEM_CORRECTIONS_FILE, path, sizeof path))
            return CRIBLE_OK;   /* not installed: plain Snowball */
        file = path;
    }
    return crible_stem_corrections_open(file, &s->corrections, err);
}

crible_status crible_stemmer_new(const crible_stemmer_options *o, crible_stemmer **out,
                                 crible_error *err)
{
    crible_stemmer_options defaults;
    if (!o) {
        crible_stemmer_options_init(&defaults);
        o = &defaults;
    }
    *out = NULL;
    const char *algo = crible_stem_algorithm(o->algorithm);
    if (!algo) {
        char known[1024] = "french";
        for (const char **l = sb_stemmer_list(); *l; l++)
            if (strcmp(*l, "french") != 0 && strlen(known) + strlen(*l) + 3 < sizeof known)
                strcat(strcat(known, ", "), *l);
        return crible_error_set(err, CRIBLE_ECONFIG, "unknown stemming algorithm '%s' (known: %s, none)",
                                o->algorithm ? o->algorithm : "(null)", known);
    }
    crible_stemmer *s = crible_malloc(sizeof *s, err);
    if (!s)
        return CRIBLE_ENOMEM;
    memset(s, 0, sizeof *s);
    s->algorithm = algo;
    s->fold_accents = o->fold_accents;
    crible_status st = CRIBLE_OK;
    if (strcmp(algo, "french") == 0) {
        s->engine = ENGINE_FRENCH;
        if (!(s->french = crible_french_stemmer_new(err)))
            st = CRIBLE_ENOMEM;
        if (st == CRIBLE_OK && o->corrections)
            st = open_corrections(s, o, err);
    } else if (strcmp(algo, "none") == 0) {
        s->engine = ENGINE_NONE;
    } else {
        s->engine = ENGINE_LIBSTEMMER;
        const char *name = strncmp(algo, "libstemmer:", 11) == 0 ? algo + 11 : algo;
        if (!(s->sb = sb_stemmer_new(name, NULL)))
            st = crible_error_set(err, CRIBLE_ENOMEM, "cannot create the '%s' stemmer", name);
    }
    if (st == CRIBLE_OK && (!(s->protected_words = crible_wordmap_new(0, err)) ||
                            !(s->overrides = crible_wordmap_new(0, err))))
        st = CRIBLE_ENOMEM;
    if (st == CRIBLE_OK && o->cache_entries && !(s->cache = crible_wordmap_new(o->cache_entries, err)))
        st = CRIBLE_ENOMEM;
    for (size_t i = 0; st == CRIBLE_OK && i < o->nprotected; i++)
        st = put_folded(s->protected_words, o->protected_words[i], NULL, err);
    for (size_t i = 0; st == CRIBLE_OK && i < o->noverrides; i++)
        st = put_folded(s->overrides, o->override_words[i], o->override_stems[i], err);
    if (st != CRIBLE_OK) {
        crible_stemmer_free(s);
        return st;
    }
    *out = s;
    return CRIBLE_OK;
}

void crible_stemmer_free(crible_stemmer *s)
{
    if (!s)
        return;
    crible_french_stemmer_free(s->french);
    sb_stemmer_delete(s->sb);
    crible_stem_corrections_close(s->corrections);
    crible_wordmap_free(s->protected_words);
    crible_wordmap_free(s->overrides);
    crible_wordmap_free(s->cache);
    free(s->out);
    free(s);
}

const char *crible_stemmer_algorithm_name(const crible_stemmer *s)
{
    return s->algorithm;
}

bool crible_stemmer_has_corrections(const crible_stemmer *s)
{
    return s->corrections != NULL;
}

void crible_stemmer_prepare(crible_stemmer *s)
{
    crible_stem_corrections_prepare(s->corrections);
}

/* --- stemming ------------------------------------------------------------ */

/* Appends b[0..n) to s->out at *len. */
static int out_put(crible_stemmer *s, size_t *len, const char *b, size_t n)
{
    if (*len + n + 1 > s->out_cap) {
        size_t cap = s->out_cap ? s->out_cap : 256;
        while (cap < *len + n + 1)
            cap *= 2;
        char *o = realloc(s->out, cap);
        if (!o)
            return -1;
        s->out = o;
        s->out_cap = cap;
    }
    memcpy(s->out + *len, b, n);
    *len += n;
    s->out[*len] = '\0';
    return 0;
}

/* The algorithm alone on w[0..n), appended to s->out. */
static int run_engine(crible_stemmer *s, const char *w, size_t n, size_t *len)
{
    const char *r = w;
    size_t rn = n;
    if (s->engine == ENGINE_FRENCH) {
        r = crible_french_stem(s->french, w, n, &rn);
    } else if (s->engine == ENGINE_LIBSTEMMER) {
        if (n > (size_t)1 << 24)
            return out_put(s, len, w, n);
        r = (const char *)sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)n);
        rn = r ? (size_t)sb_stemmer_length(s->sb) : 0;
    }
    if (!r)
        return -1;
    return out_put(s, len, r, rn);
}

/* Steps 3 and 4 of stemmer.h for word[0..n), into s->out. */
static int stem_word(crible_stemmer *s, const char *word, size_t n, size_t *len)
{
    char lig[WORD_MAX * 2 + 1];
    if (s->corrections && n <= WORD_MAX) {
        size_t m = crible_fold_ligatures(word, n, lig, sizeof lig);
        if (m != (size_t)-1) {
            word = lig;
            n = m;
        }
        size_t kn;
        const char *k = crible_stem_corrections_lookup(s->corrections, word, n, &kn);
        if (k)
            return out_put(s, len, k, kn);
    }
    return run_engine(s, word, n, len);
}

const char *crible_stemmer_stem(crible_stemmer *s, const char *word, size_t n,
                                size_t *term_len)
{
    size_t len = 0;
    const char *v;
    if (s->cache && n <= CACHE_WORD_MAX && (v = crible_wordmap_get(s->cache, word, n, term_len)))
        return v;
    if (out_put(s, &len, "", 0) < 0)
        return NULL;
    if ((v = crible_wordmap_get(s->protected_words, word, n, NULL))) {
        if (out_put(s, &len, word, n) < 0)
            return NULL;
    } else if ((v = crible_wordmap_get(s->overrides, word, n, &len))) {
        size_t vn = len;
        len = 0;
        if (out_put(s, &len, v, vn) < 0)
            return NULL;
    } else if (stem_word(s, word, n, &len) < 0) {
        return NULL;
    }
    if (s->fold_accents && !crible_is_ascii(s->out, len)) {
        char folded[WORD_MAX * 3 + 1];
        size_t m = crible_fold_accents(s->out, len, folded, sizeof folded);
        if (m != (size_t)-1) {
            len = 0;
            if (out_put(s, &len, folded, m) < 0)
                return NULL;
        }
    }
    *term_len = len;
    if (s->cache && n <= CACHE_WORD_MAX) {
        crible_error ignored;   /* a failed cache insert only costs speed */
        (void)crible_wordmap_put(s->cache, word, n, s->out, len, &ignored);
    }
    return s->out;
}
