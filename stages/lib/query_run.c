/*
 * query_run.c - one query from text to printed hits (query_run.h): search,
 * then each hit's stored fields and snippets, then the facets.
 */
#include "query_run.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "query_facets.h"

crible_status crible_query_run(crible_searcher *s, const char *query,
                               const crible_query_run_options *ro, crible_output *out,
                               bool *matched, crible_query_syntax *syntax, crible_error *err)
{
    double t0 = crible_now();
    crible_search_request req = {
        .limit = ro->count_only ? 0 : ro->limit,
        .offset = ro->offset,
        .count = true,
        .collect = ro->nfacets > 0,
        .explain = ro->explain,
    };
    crible_results r;
    crible_results_init(&r);
    crible_status st = crible_search(s, query, &req, &r, syntax, err);
    *matched = st == CRIBLE_OK && r.total > 0;
    if (st != CRIBLE_OK) {
        crible_results_free(&r);
        return st;
    }
    if (ro->count_only) {
        if (out->format == CRIBLE_OUTPUT_JSON)
            fprintf(out->out, "{\"count\":%llu}\n", (unsigned long long)r.total);
        else
            fprintf(out->out, "%llu\n", (unsigned long long)r.total);
        crible_results_free(&r);
        return ferror(out->out) ? crible_error_set(err, CRIBLE_EIO, "cannot write to standard output")
                                : CRIBLE_OK;
    }
    if (ro->explain)
        st = crible_output_analysis(out, &r, err);
    crible_hit_detail d;
    crible_hit_detail_init(&d);
    double elapsed = (crible_now() - t0) * 1000;
    if (st == CRIBLE_OK)
        st = crible_output_begin(out, query, &r, elapsed, err);
    for (size_t i = 0; i < r.nhits && st == CRIBLE_OK; i++) {
        st = crible_hit_details(s, &r, i, out->snippets || out->format != CRIBLE_OUTPUT_TSV, &d,
                                err);
        if (st == CRIBLE_OK)
            st = crible_output_hit(out, ro->offset + i + 1, &r.hits[i], &d, err);
    }
    crible_hit_detail_free(&d);
    for (size_t i = 0; i < ro->nfacets && st == CRIBLE_OK; i++) {
        crible_facet f;
        st = crible_facet_compute(s, &r, ro->facets[i], ro->facet_top ? ro->facet_top : 10, &f,
                                  err);
        if (st == CRIBLE_OK) {
            st = crible_output_facet(out, &f, err);
            crible_facet_free(&f);
        }
    }
    crible_results_free(&r);
    return st;
}
