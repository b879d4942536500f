/*
 * query_rank.c - BM25 with field weights, its upper bounds for dynamic
 * pruning, and --explain's breakdown of a hit's score.
 *
 * A document's score is the sum, over the query's terms t and the fields f
 * they were found in, of
 *
 *   w_f * idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl_f))
 *   idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))         (Lucene's, never < 0)
 *
 * with N the documents of all shards, df the documents of all shards having
 * t in f, dl the document's length in f and avgdl_f the average length of f
 * over all shards: shards rank exactly as one index.  A term's bound in a
 * block of postings is the same formula at (block max tf, block min dl): it
 * grows with tf and falls with dl, so no document of the block scores more.
 */
#include "query_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double rank_idf(uint64_t n, uint64_t df)
{
    double N = (double)n, d = (double)df;
    if (d > N)
        N = d;
    return log(1.0 + (N - d + 0.5) / (d + 0.5));
}

static double norm(const crible_query_options *o, double dl, double avgdl)
{
    if (avgdl <= 0)
        return 1.0;
    return 1.0 - o->b + o->b * dl / avgdl;
}

double rank_bm25(const crible_query_options *o, double idf, double weight, double tf,
                 double dl, double avgdl)
{
    if (tf <= 0)
        return 0;
    return weight * idf * tf * (o->k1 + 1.0) / (tf + o->k1 * norm(o, dl, avgdl));
}

double rank_bound(const crible_query_options *o, double idf, double weight, double max_tf,
                  double min_dl, double avgdl)
{
    if (max_tf <= 0)
        max_tf = 1;
    return rank_bm25(o, idf, weight, max_tf, min_dl, avgdl);
}

static crible_status add_line(crible_hit_detail *d, const char *field, const char *term,
                              double score, double idf, double tf, double dl, double avgdl,
                              double weight, crible_error *err)
{
    if (d->nexplain == d->explain_cap) {
        size_t cap = d->explain_cap ? d->explain_cap * 2 : 8;
        crible_explain_line *v = realloc(d->explain, cap * sizeof *v);
        if (!v)
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        d->explain = v;
        d->explain_cap = cap;
    }
    crible_explain_line *l = &d->explain[d->nexplain];
    l->field = strdup(field);
    l->term = strdup(term);
    if (!l->field || !l->term) {
        free(l->field);
        free(l->term);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    l->score = score;
    l->idf = idf;
    l->tf = tf;
    l->dl = dl;
    l->avgdl = avgdl;
    l->weight = weight;
    d->nexplain++;
    return CRIBLE_OK;
}

/* One line per plan term present in the document (its BM25 share). */
crible_status rank_explain(crible_searcher *s, plan *p, uint32_t shard, uint32_t doc,
                           crible_hit_detail *d, crible_error *err)
{
    for (size_t i = 0; i < d->nexplain; i++) {
        free(d->explain[i].field);
        free(d->explain[i].term);
    }
    d->nexplain = 0;
    const crible_index *ix = s->shards[shard];
    for (size_t i = 0; i < p->nterms; i++) {
        qterm *t = &p->terms[i];
        qfield *f = &s->fields[t->field];
        int num = f->num[shard];
        if (num < 0 || t->hl_only)
            continue;
        crible_postings *pc;
        crible_status st = crible_postings_open_at(ix, num, t->term, t->len, t->exact, doc, &pc, err);
        if (st != CRIBLE_OK)
            return st;
        if (crible_postings_advance(pc, doc) == doc) {
            double tf = crible_postings_tf(pc);
            double dl = crible_index_doc_length(ix, num, doc);
            double sc = rank_bm25(&s->opts, t->idf, t->weight, tf, dl, f->avgdl);
            char term[300];
            snprintf(term, sizeof term, "%s%s", t->exact ? "=" : "", t->term);
            st = add_line(d, f->name, term, sc, t->idf, tf, dl, f->avgdl, t->weight, err);
        }
        crible_postings_close(pc);
        if (st != CRIBLE_OK)
            return st;
    }
    return CRIBLE_OK;
}
