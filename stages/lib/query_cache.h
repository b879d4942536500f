/*
 * query_cache.h - internal: a bounded memo of byte strings by byte key,
 * for what a searcher looks up in its (immutable) dictionaries again and
 * again from one query to the next: the terms an accent-variant, prefix or
 * fuzzy walk found for a pattern, a term's summed statistics.  The
 * indexes a searcher opened never change under it, so a memo is exact
 * for the searcher's life.  One searcher, one thread (as the searcher).
 *
 *     qcache *c = qcache_new(4 << 20);
 *     qcache_put(c, "k", 1, "value", 5);
 *     size_t n;
 *     const void *v = qcache_get(c, "k", 1, &n);   // "value", 5 (until the next put)
 *     qcache_free(c);
 *
 * When the keys and values held pass the budget, everything is dropped
 * (the next queries fill it again): no per-entry bookkeeping.
 */
#ifndef CRIBLE_QUERY_CACHE_H
#define CRIBLE_QUERY_CACHE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct qcache qcache;

/* An empty memo holding at most about max_bytes; NULL if out of memory. */
qcache *qcache_new(size_t max_bytes);
void qcache_free(qcache *c);
/* The value stored under key (its length in *vlen), or NULL.  Valid until
 * the next qcache_put. */
const void *qcache_get(const qcache *c, const void *key, size_t klen, size_t *vlen);
/* Stores copies of key and value (replacing a value under the same key);
 * false if out of memory (the memo is then left as it was, or empty). */
bool qcache_put(qcache *c, const void *key, size_t klen, const void *val, size_t vlen);

#endif
