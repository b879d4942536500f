/*
 * query_internal.h - what the query engine's files share (not a public API):
 * the searcher, the plan a query compiles to, the iterators that run it.
 *
 *   query_search.c    the searcher (shards, global fields), crible_search, hit details
 *   query_plan.c      syntax tree + analysis + dictionaries -> plan (terms with global stats)
 *   query_analyze.c   a word -> its tokens (norm, stem, stop), with the index's settings
 *   query_exec.c      plan -> iterators over one shard; top-k (block-max MaxScore), count
 *   query_topk.c      the k best hits, ties by document id
 *   query_rank.c      BM25 and its upper bounds, explain lines
 */
#ifndef CRIBLE_QUERY_INTERNAL_H
#define CRIBLE_QUERY_INTERNAL_H

#include "query.h"
#include "query_analyze.h"

/* A field known to at least one shard, by name, with global statistics. */
typedef struct qfield {
    char *name;
    crible_field_kind kind;
    int *num;                 /* per shard: the field's number, or -1 */
    int *exact_num;           /* per shard: its exact field, or -1 */
    uint64_t doc_count, sum_length;
    double avgdl;
    double weight;
} qfield;

struct crible_searcher {
    crible_query_options opts;
    size_t nshards;
    crible_index **shards;
    uint64_t maxdoc;          /* live documents, summed: BM25's N */
    bool deletes;             /* a shard has deleted documents: the
                               * statistics (N, df, lengths) count only
                               * live ones (query_plan.c, add_fields) */
    size_t nfields;
    qfield *fields;
    crible_query_analyzer *analyzer;
    bool index_folds_accents;
    char **dirs;
    struct qcache *cache;     /* dictionary lookups memo (query_cache.h), or NULL */
    /* accent-fold filters (query_fold.h) of the dictionaries walked for
     * accent variants, made after FOLD_AFTER walks of one (query_plan.c) */
    struct qfoldref *folds;
    size_t nfolds;
    /* per shard, its documents' ids in byte order, read at the first tie
     * (query_topk.c), or NULL */
    struct qids *ids;
};

typedef struct qfoldref {
    size_t shard;
    int num;                  /* the field's number in that shard */
    uint32_t walks;
    bool tried;
    struct qfold *f;          /* NULL until made (or if it could not be) */
} qfoldref;

int qs_field(const crible_searcher *s, const char *name); /* -1 if none */

/* A dictionary term of one field, with its global statistics. */
typedef struct qterm {
    int field;                /* into searcher->fields */
    char *term;
    size_t len;
    uint32_t word;            /* the user word it comes from */
    bool weak;                /* a stop word outside a phrase */
    bool exact;               /* `=word`: a NORM, opened with crible_postings_open_exact */
    bool hl_only;             /* only marks snippets (an entity's words in the text) */
    double weight;            /* the field's weight */
    int phrase;               /* the phrase it is a word of (-1: none), */
    uint16_t slot, nslots;    /* its place in it: highlights need whole phrases */
    double idf;
    uint64_t df;
    uint32_t max_tf;
    /* a stem term's places: per shard, a 4-byte length and that many bytes
     * of crible_index_term_locate (NULL: look it up when opening) */
    unsigned char *locs;
    size_t locs_len;
} qterm;

typedef enum pkind {
    PL_NONE,      /* matches nothing (a word absent from every dictionary...) */
    PL_ALL,       /* every live document */
    PL_SLOT,      /* any of terms[] (one word: its fields and expansions) */
    PL_AND,       /* child[] with role[]: required, excluded, optional */
    PL_OR,
    PL_PHRASE,    /* child[] are slots of one field, consecutive positions */
    PL_NEAR,      /* child[] are slots of one field, within `near` (-1 sentence) */
    PL_RANGE      /* field in [lo, hi] */
} pkind;

enum { ROLE_REQ = 0, ROLE_EXCL = 1, ROLE_OPT = 2 };

typedef struct pnode pnode;
struct pnode {
    pkind kind;
    size_t nterm;
    uint32_t *term;           /* SLOT: indexes into plan->terms */
    size_t nchild;
    pnode **child;
    uint8_t *role;            /* AND */
    int field;                /* PHRASE, NEAR, RANGE */
    int near;
    double lo, hi;            /* RANGE */
};

typedef struct plan {
    crible_qnode *tree;
    pnode *root;
    size_t nterms, terms_cap;
    qterm *terms;
    size_t nwords, words_cap;
    crible_query_word *words;
    size_t nphrases;
} plan;

crible_status plan_build(crible_searcher *s, const char *query, plan **out,
                         crible_query_syntax *syntax, crible_error *err);
void plan_free(plan *p);

/* --- execution over one shard (query_exec.c) ---------------------------- */

typedef struct qexec_result {
    uint64_t total;           /* matching documents (when counting) */
} qexec_result;

/* The best hits (query_topk.c): by score, ties by document id.  Zeroed,
 * then h allocated for k hits. */
typedef struct topk {
    crible_hit *h;            /* min-heap on (score, -shard, -doc) */
    size_t n, k;
    crible_hit *tie;          /* hits at the heap's lowest score left out */
    size_t ntie, tie_cap;
    bool nomem;               /* a tie could not be kept */
} topk;

/* Offers a hit: it enters when better than the lowest kept, is kept aside
 * when as good (a tie), else dropped.  True when it entered. */
bool topk_push(topk *t, const crible_hit *hit);
/* The lowest score kept once k are kept (a hit must score at least it),
 * -1 until then. */
double topk_threshold(const topk *t);
/* Settles the ties (ids read from s's shards) and sorts h[0..n) best
 * first: score, then id in byte order.  CRIBLE_ENOMEM, or an index error
 * reading a stored id. */
crible_status topk_finish(topk *t, crible_searcher *s, crible_error *err);
void qids_free(struct qids *ids, size_t nshards);

crible_status exec_shard(crible_searcher *s, plan *p, uint32_t shard, topk *top,
                         bool count, uint64_t *total, uint64_t *bits, crible_error *err);

/* Positions of plan terms in one document, for snippets and explain. */
typedef struct term_match {
    uint32_t term;            /* into plan->terms */
    uint32_t tf;
    uint32_t npos;
    uint32_t *pos;
} term_match;

/* --- ranking (query_rank.c) --------------------------------------------- */

double rank_idf(uint64_t n, uint64_t df);
double rank_bm25(const crible_query_options *o, double idf, double weight, double tf,
                 double dl, double avgdl);
/* The highest score a term can give: tf = max_tf, the shortest length. */
double rank_bound(const crible_query_options *o, double idf, double weight, double max_tf,
                  double min_dl, double avgdl);
crible_status rank_explain(crible_searcher *s, plan *p, uint32_t shard, uint32_t doc,
                           crible_hit_detail *d, crible_error *err);

#endif
