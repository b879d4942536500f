/*
 * query_facets.h - the top values of a field among all the documents a
 * query matched: `--facets person,platform,rating` tells which people and
 * platforms the hits talk about, and the rating histogram.
 *
 * KEYWORD fields (entities, string metadata): each value of the field's
 * dictionary is counted over the matching documents (its postings probed
 * against the match bitset), summed over shards.  NUMERIC fields (rating,
 * date): each matching document's value is counted.
 *
 * A keyword value is indexed case-folded; it is shown as written most
 * often over the live documents of all shards, ties in byte order:
 * 'Mélissa Da Costa' however the documents fell into segments or shards.
 * Only the values kept (top) are labelled, each from (index.h,
 * index_metadata.h):
 *   - "_case.FIELD": the case patterns ("!" a capital first letter...)
 *     of the documents whose one value of FIELD was written with letters
 *     upper-cased: the value's postings (live documents) intersected with
 *     each pattern's, the patterns that cannot fit any kept value (a mark
 *     where it has no letter) left unread;
 *   - "_display.FIELD": its terms "FOLDED\x1fWRITTEN" and
 *     "FOLDED\x1f\x1fMARKS", each counting its live documents;
 *   - written folded: the value's live documents less those.
 * An index with neither field for a metadata field (written before they
 * existed) shows the value as the first document holding it wrote it
 * (its stored JSON).
 */
#ifndef CRIBLE_QUERY_FACETS_H
#define CRIBLE_QUERY_FACETS_H

#include "query.h"

typedef struct crible_facet_value {
    char *value;              /* "netflix", "4.5", "20200517" */
    uint64_t count;
} crible_facet_value;

typedef struct crible_facet {
    char *field;
    bool numeric;
    size_t n;                 /* values kept (most frequent first; numbers: by value) */
    crible_facet_value *v;
    uint64_t distinct;        /* distinct values among the matches */
} crible_facet;

/* Counts the values of `field` over r->matches (the request must have asked
 * for collect).  top: values kept (0: all).  An unknown field is
 * CRIBLE_EDATA ("unknown field 'x' (fields: ...)"). */
crible_status crible_facet_compute(crible_searcher *s, const crible_results *r,
                                   const char *field, size_t top, crible_facet *out,
                                   crible_error *err);
void crible_facet_free(crible_facet *f);

#endif
