/*
 * query.h - searching one or several crible indexes: the engine behind
 * crible-query and its benchmark driver.
 *
 *     crible_searcher *s;
 *     crible_searcher_open(dirs, ndirs, &opts, &s, &err);   // opts: query_options.c
 *     crible_results r;
 *     crible_results_init(&r);
 *     crible_search(s, "harcèlement réseaux", &req, &r, &syntax, &err);
 *     for (size_t i = 0; i < r.nhits; i++) ... r.hits[i].shard, .doc, .score
 *     crible_hit_detail(s, &r, i, ...)       // stored fields, snippet, explain
 *     crible_results_free(&r);
 *     crible_searcher_close(s);
 *
 * A query is parsed (query_parse.h), each word analysed with the analysis
 * settings stored in the index (the same library code that analysed the
 * documents), expanded over the dictionaries (prefixes, fuzzy words, accent
 * variants when the index keeps accents), then matched document at a time.
 * Ranking is BM25 (k1, b) summed over fields, each field's score multiplied
 * by its weight (title above text); the top k are found with block-max
 * MaxScore over the postings' skip data, so a frequent word does not make a
 * query slow.
 *
 * Shards: all the indexes named are searched together with global
 * statistics (document counts, document frequencies and average lengths
 * summed over the snapshots), so N shards rank exactly as one index holding
 * the same documents.
 */
#ifndef CRIBLE_QUERY_H
#define CRIBLE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "index.h"
#include "query_parse.h"
#include "query_snippet.h"

#define CRIBLE_QUERY_MAX_WEIGHTS 16

typedef struct crible_field_weight {
    const char *field;      /* "title" */
    double weight;          /* 2.0 */
} crible_field_weight;

/* The `query:` section of the configuration (query_options.c). */
typedef struct crible_query_options {
    bool default_or;            /* words without operator: OR (default AND) */
    double k1, b;               /* BM25 (1.2, 0.75) */
    size_t nweights;            /* per-field weights (title 2.0, text 1.0; others 1.0) */
    crible_field_weight weights[CRIBLE_QUERY_MAX_WEIGHTS];
    const char *default_fields[4]; /* fields searched by a word without field: title, text */
    size_t ndefault_fields;
    int near_default;           /* NEAR without /n (10) */
    size_t max_expansions;      /* terms a prefix or fuzzy word may expand to (256) */
    bool stop_optional;         /* stop words outside phrases only rank (true) */
    bool accent_variants;       /* match accent variants when the index keeps accents (true) */
    size_t snippet_bytes;       /* passage length (220) */
    int snippet_fragments;      /* 1 or 2 (2) */
    bool exhaustive;            /* score every match, no pruning (tests compare) */
    bool no_memo;               /* forget dictionary lookups between queries (the
                                   searcher keeps up to 4 MB of them: benchmarks
                                   of a first query) */
} crible_query_options;

void crible_query_options_init(crible_query_options *o);

typedef struct crible_searcher crible_searcher;

/* Opens every index directory (a snapshot each).  CRIBLE_EIO / CRIBLE_EINDEX
 * as crible_index_open says, prefixed with the directory; CRIBLE_EINDEX too
 * when the shards were analysed with different settings.  The options are
 * copied (the strings they point to must outlive the searcher). */
crible_status crible_searcher_open(const char *const *dirs, size_t ndirs,
                                   const crible_query_options *opts,
                                   crible_searcher **out, crible_error *err);
void crible_searcher_close(crible_searcher *s);

size_t crible_searcher_nshards(const crible_searcher *s);
crible_index *crible_searcher_shard(const crible_searcher *s, size_t i);
const crible_query_options *crible_searcher_options(const crible_searcher *s);

typedef struct crible_search_request {
    size_t limit;           /* hits wanted (10); 0: none (count or facets only) */
    size_t offset;          /* hits skipped first (0) */
    bool count;             /* compute the exact number of matching documents */
    bool collect;           /* keep the set of matching documents (facets) */
    bool explain;           /* keep what explain needs */
} crible_search_request;

typedef struct crible_hit {
    uint32_t shard, doc;
    double score;
} crible_hit;

/* One user word after analysis (for --explain and the snippets). */
typedef struct crible_query_word {
    const char *text;           /* as the user wrote it */
    const char *field;          /* NULL: the default fields */
    size_t nterms;
    const char **terms;         /* "field:term" after analysis and expansion */
    const char *note;           /* "prefix: 12 terms", "stop word: ranks only", ... or NULL */
} crible_query_word;

typedef struct crible_results {
    size_t nhits;
    crible_hit *hits;           /* best first, after offset, at most limit */
    uint64_t total;             /* matching documents (exact when count was asked) */
    bool total_exact;
    size_t nwords;
    crible_query_word *words;   /* the analysis of the query's words */
    char *tree;                 /* the parsed query (crible_qnode_print) */
    uint64_t **matches;         /* collect: per shard, a bitset of maxdoc bits */
    bool explain;               /* the request asked for explanations */
    /* private */
    void *plan;
} crible_results;

void crible_results_init(crible_results *r);
void crible_results_free(crible_results *r);

/* Parses, analyses and runs `query`.  A syntax error is CRIBLE_EDATA with
 * *syntax filled (may be NULL); an unknown field is CRIBLE_EDATA too, its
 * position in *syntax.  No match is CRIBLE_OK with nhits = 0 (the program
 * turns it into exit 1).  r is reset first. */
crible_status crible_search(crible_searcher *s, const char *query,
                            const crible_search_request *req, crible_results *r,
                            crible_query_syntax *syntax, crible_error *err);

/* --- a hit's details ----------------------------------------------------- */

typedef struct crible_field_snippet {
    const char *field;              /* "text", "title" */
    const char *text;               /* the stored text (in the detail's doc) */
    size_t text_len;
    crible_snippet snippet;
} crible_field_snippet;

typedef struct crible_explain_line {
    char *field, *term;
    double score, idf, tf, dl, avgdl, weight;
} crible_explain_line;

typedef struct crible_hit_detail {
    crible_stored_doc doc;          /* id, json, stored fields */
    size_t nsnippets;
    crible_field_snippet snippets[2]; /* title (whole, marked), text (passages) */
    size_t nexplain;
    crible_explain_line *explain;   /* when the request asked for it */
    size_t explain_cap;
} crible_hit_detail;

void crible_hit_detail_init(crible_hit_detail *d);
void crible_hit_detail_free(crible_hit_detail *d);

/* Reads hit i's stored document and builds its snippets (and, if the
 * request asked, its score broken down by term and field).  Reuses d. */
crible_status crible_hit_details(crible_searcher *s, const crible_results *r, size_t i,
                                 bool snippets, crible_hit_detail *d, crible_error *err);

#endif
