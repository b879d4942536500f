/*
 * stopwords.c - the stop-word set of stopwords.h: a word map used as a set,
 * filled from files or lists, each word entered as written (case-folded)
 * and without accents.
 */
#include "stopwords.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "stem_fold.h"
#include "stem_wordmap.h"

struct crible_stopwords {
    crible_wordmap *set;
    size_t words;      /* words added (not counting accent-less twins) */
};

crible_stopwords *crible_stopwords_new(crible_error *err)
{
    crible_stopwords *sw = crible_malloc(sizeof *sw, err);
    if (!sw)
        return NULL;
    sw->words = 0;
    sw->set = crible_wordmap_new(0, err);
    if (!sw->set) {
        free(sw);
        return NULL;
    }
    return sw;
}

void crible_stopwords_free(crible_stopwords *sw)
{
    if (!sw)
        return;
    crible_wordmap_free(sw->set);
    free(sw);
}

crible_status crible_stopwords_add(crible_stopwords *sw, const char *word,
                                   size_t len, crible_error *err)
{
    char folded[512], bare[512];
    if (len == 0)
        return crible_error_set(err, CRIBLE_EDATA, "empty stop word");
    if (crible_utf8_invalid_offset(word, len) != len)
        return crible_error_set(err, CRIBLE_EDATA, "stop word is not valid UTF-8");
    size_t n = crible_fold_case(word, len, folded, sizeof folded);
    if (n == (size_t)-1)
        return crible_error_set(err, CRIBLE_EDATA, "stop word too long: '%.*s'",
                                (int)(len > 40 ? 40 : len), word);
    crible_status st = crible_wordmap_put(sw->set, folded, n, NULL, 0, err);
    if (st != CRIBLE_OK)
        return st;
    sw->words++;
    size_t m = crible_fold_accents(folded, n, bare, sizeof bare);
    if (m != (size_t)-1 && (m != n || memcmp(bare, folded, n) != 0))
        st = crible_wordmap_put(sw->set, bare, m, NULL, 0, err);
    return st;
}

crible_status crible_stopwords_load(crible_stopwords *sw, const char *path,
                                    crible_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    crible_status st = CRIBLE_OK;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)got;
        if (crible_utf8_invalid_offset(line, n) != n) {
            st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: invalid UTF-8", path, lineno);
            break;
        }
        if (memchr(line, '\0', n)) {
            st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: NUL byte", path, lineno);
            break;
        }
        char *s = line;
        while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        if (n == 0 || *s == '#')
            continue;
        if ((st = crible_stopwords_add(sw, s, n, err)) != CRIBLE_OK) {
            crible_error_prefix(err, "%s:%ld", path, lineno);
            break;
        }
    }
    if (st == CRIBLE_OK && ferror(f))
        st = crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", path, strerror(errno));
    free(line);
    fclose(f);
    return st;
}

bool crible_stopwords_contains(const crible_stopwords *sw, const char *word, size_t len)
{
    return crible_wordmap_get(sw->set, word, len, NULL) != NULL;
}

size_t crible_stopwords_count(const crible_stopwords *sw)
{
    return sw->words;
}
