/*
 * query_run.h - one query from text to printed hits: what crible-query does
 * for its query argument and for each line of --stdin.
 */
#ifndef CRIBLE_QUERY_RUN_H
#define CRIBLE_QUERY_RUN_H

#include "query.h"
#include "query_output.h"

typedef struct crible_query_run_options {
    size_t limit, offset;
    bool count_only;            /* --count: print the number of matches only */
    bool explain;
    const char *const *facets;  /* --facets person,platform,rating */
    size_t nfacets;
    size_t facet_top;           /* values per facet (10) */
} crible_query_run_options;

/* Runs `query` and prints its results through `out`.  *matched tells
 * whether any document matched.  A syntax error is CRIBLE_EDATA with
 * *syntax filled, for the caller to draw; nothing is printed then. */
crible_status crible_query_run(crible_searcher *s, const char *query,
                               const crible_query_run_options *ro, crible_output *out,
                               bool *matched, crible_query_syntax *syntax, crible_error *err);

#endif
