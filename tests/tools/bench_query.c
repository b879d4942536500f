/*
 * bench_query.c - crible's query driver for the shared benchmark harness
 * (../shared/bench/peers, crible taking part as a custom peer).
 *
 *   bench_query INDEX QUERIES.tsv WARMUP PASSES     timings
 *   bench_query --count INDEX QUERIES.tsv           exact hit counts
 *
 * QUERIES.tsv: qid<TAB>category<TAB>query (made by peers/run).  Timings
 * print one line per timed execution,
 *   crible<TAB>category<TAB>qid<TAB>pass<TAB>usec<TAB>nreturned
 * and category "top10" runs twice per pass: "top10" (ids) and "top10+snip"
 * (ids and one snippet per hit); --count prints
 *   crible<TAB>category<TAB>qid<TAB>total_hits
 * Each query is timed from building its query string to having the top 10
 * document numbers (BM25), in process, the index opened once, as the other
 * peers' drivers do (BENCH_NO_MEMO=1: the searcher forgets its dictionary
 * lookups between queries, each one costs what a first one does;
 * BENCH_PEER=NAME: the peer name printed, crible by default).
 * Category to crible syntax:
 *   term w · and a b (implicit AND) · or a OR b OR c · phrase "a b c" ·
 *   prefix pre* · top10 a OR b OR c (free text, any word).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query.h"

typedef struct bq {
    char qid[32], cat[32], text[512];
} bq;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static size_t load(const char *path, bq **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t n = 0, cap = 64;
    bq *q = malloc(cap * sizeof *q);
    char line[2048];
    while (q && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *a = strtok(line, "\t"), *b = strtok(NULL, "\t"), *c = strtok(NULL, "");
        if (!a || !b || !c)
            continue;
        if (n == cap)
            q = realloc(q, (cap *= 2) * sizeof *q);
        if (!q)
            break;
        snprintf(q[n].qid, sizeof q[n].qid, "%s", a);
        snprintf(q[n].cat, sizeof q[n].cat, "%s", b);
        snprintf(q[n].text, sizeof q[n].text, "%s", c);
        n++;
    }
    fclose(f);
    *out = q;
    return q ? n : 0;
}

/* The query in crible's language for the category. */
static void build(const bq *q, char *out, size_t n)
{
    const char *cat = q->cat;
    if (strcmp(cat, "phrase") == 0) {
        snprintf(out, n, "\"%s\"", q->text);
        return;
    }
    if (strcmp(cat, "prefix") == 0) {
        snprintf(out, n, "%s*", q->text);
        return;
    }
    if (strcmp(cat, "or") != 0 && strcmp(cat, "top10") != 0) {
        snprintf(out, n, "%s", q->text); /* term, and */
        return;
    }
    size_t len = 0;
    char words[512];
    snprintf(words, sizeof words, "%s", q->text);
    out[0] = '\0';
    for (char *w = strtok(words, " "); w && len < n; w = strtok(NULL, " "))
        len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " OR " : "", w);
}

int main(int argc, char **argv)
{
    bool count = argc > 1 && strcmp(argv[1], "--count") == 0;
    if (count)
        argv++, argc--;
    if (argc < 3) {
        fprintf(stderr, "usage: bench_query [--count] INDEX QUERIES.tsv [WARMUP PASSES]\n");
        return 2;
    }
    int warm = argc > 3 ? atoi(argv[3]) : 2, passes = argc > 4 ? atoi(argv[4]) : 10;
    const char *peer = getenv("BENCH_PEER") ? getenv("BENCH_PEER") : "crible";
    bq *qs;
    size_t nq = load(argv[2], &qs);
    crible_error err;
    crible_searcher *s;
    const char *dirs[1] = {argv[1]};
    crible_query_options qo;
    crible_query_options_init(&qo);
    qo.no_memo = getenv("BENCH_NO_MEMO") != NULL; /* every query as if the first */
    if (crible_searcher_open(dirs, 1, &qo, &s, &err) != CRIBLE_OK) {
        fprintf(stderr, "bench_query: %s\n", err.message);
        return err.status;
    }
    crible_results r;
    crible_results_init(&r);
    crible_hit_detail d;
    crible_hit_detail_init(&d);
    char text[2048];
    if (count) {
        crible_search_request req = {.limit = 0, .count = true};
        for (size_t i = 0; i < nq; i++) {
            build(&qs[i], text, sizeof text);
            unsigned long long total = 0;
            if (crible_search(s, text, &req, &r, NULL, &err) == CRIBLE_OK)
                total = r.total;
            else
                fprintf(stderr, "bench_query: %s: %s\n", text, err.message);
            printf("%s\t%s\t%s\t%llu\n", peer, qs[i].cat, qs[i].qid, total);
        }
    } else {
        crible_search_request req = {.limit = getenv("BENCH_PLAN_ONLY") ? 0 : 10};
        volatile unsigned long sink = 0;
        for (int p = -warm; p < passes; p++)
            for (size_t i = 0; i < nq; i++) {
                int runs = strcmp(qs[i].cat, "top10") == 0 ? 2 : 1;
                for (int snip = 0; snip < runs; snip++) {
                    double t0 = now_us();
                    build(&qs[i], text, sizeof text);
                    size_t n = 0;
                    if (crible_search(s, text, &req, &r, NULL, &err) == CRIBLE_OK) {
                        n = r.nhits;
                        for (size_t h = 0; h < n; h++) {
                            sink += r.hits[h].doc;
                            if (snip && crible_hit_details(s, &r, h, true, &d, &err) == CRIBLE_OK &&
                                d.nsnippets)
                                sink += d.snippets[d.nsnippets - 1].snippet.nmark;
                        }
                    }
                    double us = now_us() - t0;
                    if (p >= 0)
                        printf("%s\t%s\t%s\t%d\t%.1f\t%zu\n", peer, snip ? "top10+snip" : qs[i].cat,
                               qs[i].qid, p, us, n);
                }
            }
        if (sink == 1) /* keeps the work observable */
            fputs("", stderr);
    }
    crible_hit_detail_free(&d);
    crible_results_free(&r);
    crible_searcher_close(s);
    free(qs);
    return 0;
}
