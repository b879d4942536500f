/*
 * query_options.h - the `query:` section of the configuration file
 * (crible-query), loaded into crible_query_options (query.h).
 *
 *     query:
 *       default_operator: and      # or: words without operator match any
 *       k1: 1.2                    # BM25 term-frequency saturation
 *       b: 0.75                    # BM25 length normalisation
 *       weights: {title: 2.0, text: 1.0, person: 1.5}
 *       fields: [title, text]      # what a word without field: searches
 *       near: 10                   # NEAR without /n
 *       max_expansions: 256        # terms a word* or word~ may become
 *       stop_words_optional: true  # a stop word alone in an AND only ranks
 *       accent_variants: true      # decu finds déçu when the index keeps accents
 *       snippet_length: 220        # bytes of passage under each hit
 *       snippet_fragments: 2       # 1 or 2 passages
 *       limit: 10                  # hits shown when --limit is not given
 */
#ifndef CRIBLE_QUERY_OPTIONS_H
#define CRIBLE_QUERY_OPTIONS_H

#include "config.h"
#include "query.h"

/* Reads `section` (NULL: defaults only) into *o, which the caller has set
 * with crible_query_options_init; *limit gets `limit` when present.  The
 * strings point into the config (valid until crible_config_free).
 * CRIBLE_ECONFIG with file:line:column on a bad value. */
crible_status crible_query_options_load(const crible_node *section, crible_query_options *o,
                                        size_t *limit, crible_error *err);

#endif
