/*
 * query_output.h - how crible-query prints hits, facets and explanations.
 *
 * Terminal (default): a summary line, then per hit
 *     1. allocine-00042  4.5/5  2013-10-17  allocine.fr               12.41
 *        Breaking Bad
 *        … une descente aux enfers, le meilleur rôle de sa vie. …
 *   with the matched words in bold (colour only on a terminal, NO_COLOR
 *   honoured: cli.h's crible_cli_use_color decides).
 *
 * --json: JSON Lines, one object per hit, for jq:
 *     {"rank":1,"id":"allocine-00042","score":12.41,"title":"Breaking Bad",
 *      "meta":{"rating":4.5,"date":"2013-10-17","source":"allocine.fr"},
 *      "snippet":"… une descente aux enfers …","highlights":[[8,15]],
 *      "matches":[{"field":"text","start":731,"end":738}]}
 *   highlights: byte offsets in "snippet"; matches: byte offsets in the
 *   document's own field (what a program reopening the text needs).
 *   Facets add {"facet":"platform","values":[{"value":"netflix","count":12}]}
 *   lines; --explain adds "explain" members.  Members only ever get added.
 *
 * --tsv: a header line, then id, score, title, the --fields columns,
 *   snippet; tabs and line breaks inside values become spaces.  A --fields
 *   member that is already a column (id, score, title, snippet) or named
 *   twice gets no second column (nor a second mention on a terminal).
 */
#ifndef CRIBLE_QUERY_OUTPUT_H
#define CRIBLE_QUERY_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "query.h"
#include "query_facets.h"

typedef enum crible_output_format {
    CRIBLE_OUTPUT_TERMINAL,
    CRIBLE_OUTPUT_JSON,
    CRIBLE_OUTPUT_TSV
} crible_output_format;

typedef struct crible_output {
    FILE *out;
    crible_output_format format;
    bool color;
    bool snippets;
    bool explain;
    const char *const *fields;  /* metadata members to show (NULL: rating, date, source) */
    size_t nfields;
    bool header_done;
} crible_output;

/* The line before the hits (terminal: "12 hits for ..."; TSV: the header). */
crible_status crible_output_begin(crible_output *o, const char *query, const crible_results *r,
                                  double elapsed_ms, crible_error *err);

/* One hit: rank is 1-based over all hits (offset included). */
crible_status crible_output_hit(crible_output *o, size_t rank, const crible_hit *hit,
                                const crible_hit_detail *d, crible_error *err);

/* How the query was analysed (--explain), before the hits. */
crible_status crible_output_analysis(crible_output *o, const crible_results *r,
                                     crible_error *err);

crible_status crible_output_facet(crible_output *o, const crible_facet *f, crible_error *err);

/* Renders a snippet as text: passages joined by " … ", line breaks as
 * spaces, each highlight between on and off (NULL: nothing).  Returns a
 * malloc'ed string; *hl (may be NULL) gets the highlights' byte offsets in
 * it (2 per highlight, malloc'ed), *nhl their count. */
char *crible_snippet_render(const char *text, const crible_snippet *s, const char *on,
                            const char *off, size_t **hl, size_t *nhl);

#endif
