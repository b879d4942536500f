/*
 * stem_words.c - test tool: stems words read one a line (stdin) with
 * crible's stemmer or with bare libstemmer, and times them.
 *
 *   stem_words [--algorithm A] [--raw] [--no-corrections] [--fold|--no-fold]
 *              [--corrections FILE] [--libstemmer] [--bench N]
 *
 * Default: crible's full stemming step (stemmer.h: French, corrections,
 * cache; --fold adds accent folding).  --raw: the bare algorithm (no corrections, no
 * folding, no cache) on exactly the bytes of each line, which is how the
 * Snowball vocabulary is checked.  --libstemmer: Debian's libstemmer
 * (sb_stemmer_stem) instead of crible.  Output: one term a line.
 *
 * --bench N: no output; stems the whole list N times with bare libstemmer
 * and N times with crible's stemmer (as configured by the other options),
 * and prints on stdout
 *     words=W libstemmer_s=T1 crible_s=T2 ratio=R
 * where ratio = (W*N/T2) / (W*N/T1), the throughput of crible relative to
 * bare libstemmer (1.0 = as fast), each time the median of N runs.
 * Used by the eval and bench scripts; see tests/eval/stem_ud.sh.
 */
#include <getopt.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stemmer.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    crible_stemmer_options o;
    crible_stemmer_options_init(&o);
    int raw = 0, use_sb = 0, bench = 0;
    static const struct option longs[] = {
        {"algorithm", required_argument, NULL, 'a'}, {"raw", no_argument, NULL, 'r'},
        {"no-corrections", no_argument, NULL, 'C'}, {"no-fold", no_argument, NULL, 'F'}, {"fold", no_argument, NULL, 'f'},
        {"corrections", required_argument, NULL, 'c'}, {"libstemmer", no_argument, NULL, 'l'},
        {"bench", required_argument, NULL, 'b'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'a': o.algorithm = optarg; break;
        case 'r': raw = 1; break;
        case 'C': o.corrections = false; break;
        case 'F': o.fold_accents = false; break;
        case 'f': o.fold_accents = true; break;
        case 'c': o.corrections_file = optarg; break;
        case 'l': use_sb = 1; break;
        case 'b': bench = atoi(optarg); break;
        default: return 2;
        }
    }
    if (raw) {
        o.corrections = false;
        o.fold_accents = false;
        o.cache_entries = 0;
    }
    crible_error err;
    crible_stemmer *st = NULL;
    if (crible_stemmer_new(&o, &st, &err) != CRIBLE_OK) {
        fprintf(stderr, "stem_words: %s\n", err.message);
        return err.status;
    }
    const char *sbname = crible_stem_algorithm(o.algorithm);
    if (sbname && strncmp(sbname, "libstemmer:", 11) == 0)
        sbname += 11;
    struct sb_stemmer *sb = sb_stemmer_new(sbname ? sbname : "french", NULL);

    /* read all lines (exact bytes, without the final LF) */
    size_t n = 0, cap = 0;
    char **words = NULL;
    size_t *lens = NULL;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    while ((got = getline(&line, &lcap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len && line[len - 1] == '\n')
            len--;
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            words = realloc(words, cap * sizeof *words);
            lens = realloc(lens, cap * sizeof *lens);
            if (!words || !lens)
                return 7;
        }
        words[n] = malloc(len + 1);
        if (!words[n])
            return 7;
        memcpy(words[n], line, len);
        words[n][len] = '\0';
        lens[n++] = len;
    }
    free(line);

    if (bench > 0) {
        double *t1 = calloc((size_t)bench, sizeof *t1), *t2 = calloc((size_t)bench, sizeof *t2);
        size_t sink = 0;
        for (int r = 0; r < bench; r++) {
            double a = crible_now();
            for (size_t i = 0; i < n; i++) {
                sb_stemmer_stem(sb, (const sb_symbol *)words[i], (int)lens[i]);
                sink += (size_t)sb_stemmer_length(sb);
            }
            double b = crible_now();
            for (size_t i = 0; i < n; i++) {
                size_t tl;
                crible_stemmer_stem(st, words[i], lens[i], &tl);
                sink += tl;
            }
            double d = crible_now();
            t1[r] = b - a;
            t2[r] = d - b;
        }
        double m1 = median(t1, bench), m2 = median(t2, bench);
        printf("words=%zu libstemmer_s=%.4f crible_s=%.4f ratio=%.2f (sink %zu)\n",
               n, m1, m2, m2 > 0 ? m1 / m2 : 0.0, sink % 10);
        free(t1);
        free(t2);
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *t;
            size_t tl;
            if (use_sb) {
                t = (const char *)sb_stemmer_stem(sb, (const sb_symbol *)words[i], (int)lens[i]);
                tl = (size_t)sb_stemmer_length(sb);
            } else {
                t = crible_stemmer_stem(st, words[i], lens[i], &tl);
            }
            fwrite(t, 1, tl, stdout);
            putchar('\n');
        }
    }
    for (size_t i = 0; i < n; i++)
        free(words[i]);
    free(words);
    free(lens);
    sb_stemmer_delete(sb);
    crible_stemmer_free(st);
    return fflush(stdout) == 0 ? 0 : 5;
}
