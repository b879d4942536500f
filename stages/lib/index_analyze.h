/*
 * index_analyze.h - crible-index's in-process analysis path (--analyze):
 * the document stream (doc.h: JSON Lines from crible-read) in, each
 * document analysed by the library chain of analyzer.h (the very code
 * crible-tokenize | crible-stem run: same fields, chosen by the
 * tokenize options' `fields` as crible_tok_stream_doc chooses them, same
 * tokens, terms, offsets and sentences), fed to the index writer in input
 * order.  No token stream is written nor parsed: Lucene, Xapian and FTS5
 * analyse in-process too.
 *
 * The index it builds is the one the piped chain
 *     crible-read | crible-tokenize | crible-stem | crible-index
 * builds from the same documents with the same configuration (the same
 * terms, positions, offsets, sentences, stored documents and recorded
 * analysis settings; tests/cli/index_analyze.bats compares both).  With
 * `entities`, each worker also runs the entity tagger of crible-entities
 * (entities.h, loaded from the `entities:` section as crible-entities
 * loads it, the document's metadata names by entities_document.h), and the
 * index is the one of
 *     crible-read | crible-tokenize | crible-stem | crible-entities | crible-index
 * (the same entity fields and values, the columns of that stream recorded).
 *
 * Threads: `threads` analysis workers each read a batch of documents (about
 * CRIBLE_INDEX_ANALYZE_BATCH bytes of text, under a lock: reading is cheap)
 * and analyse it on their own analyzer, while the calling thread indexes
 * the batches in the order they were read.  At most
 * CRIBLE_INDEX_ANALYZE_SLOTS(threads) batches exist at once, so the memory
 * this path adds to the writer's --memory budget is bounded: per batch
 * about 10x its text, 640 KB (the documents and their fields copied, 32
 * bytes a token, the dictionary of its distinct terms and normal forms,
 * metadata values, stored records), so about 2.5 MB for one thread's 4
 * batches (64 KiB of text a batch: 256 KiB cost 12 MB more peak RSS on
 * the reviews and 2,500 more page faults, for the same instructions); per
 * worker one analyzer (the stem bank, its cache and correction table:
 * ~20 MB), what its words gave, by the
 * stem cache's word numbers (16 bytes a word: 1 MB at the default 65,536
 * words), and its lasting terms (the first 65,536 distinct terms of the
 * dictionary it met, kept from batch to batch so that neither side looks
 * them up again: at most 4 MB with the index thread's resolutions, 1.4
 * MB more peak RSS on the press articles).  A single document larger than a
 * batch makes a batch of its own (and the writer holds it whole anyway).
 */
#ifndef CRIBLE_INDEX_ANALYZE_H
#define CRIBLE_INDEX_ANALYZE_H

#include <stdio.h>

#include "config.h"
#include "index_stream.h"
#include "index_writer.h"
#include "stem_options.h"
#include "tokenizer.h"

#define CRIBLE_INDEX_ANALYZE_BATCH (64u << 10)
#define CRIBLE_INDEX_ANALYZE_SLOTS(threads) (2 * (threads) + 2)
#define CRIBLE_INDEX_ANALYZE_MAX_THREADS 16

typedef struct crible_index_analyze_options {
    const crible_tokenize_options *tokenize;   /* the `tokenize:` section (fields...) */
    const crible_stem_options *stem;           /* the `stem:` section */
    int threads;                               /* analysis workers, 1 to 16 */
    bool entities;                             /* tag entities as crible-entities does */
    const crible_config *entities_config;      /* with entities: the configuration, */
    const crible_node *entities_section;       /* its `entities:` section (NULL: defaults) */
} crible_index_analyze_options;

typedef struct crible_index_analyze crible_index_analyze;

/* The analyzers of the workers, and their entity taggers (options borrowed:
 * they must outlive it).  CRIBLE_EUSAGE for a thread count out of range;
 * errors of crible_analyzer_open and crible_entities_load. */
crible_status crible_index_analyze_open(const crible_index_analyze_options *o,
                                         crible_index_analyze **out, crible_error *err);
void crible_index_analyze_free(crible_index_analyze *a);

/* Reads the document stream `in` (named `name` in messages: "-" is
 * "<stdin>") into w, without committing.  At its first document it
 * records the analysis settings in the writer, exactly as
 * crible_index_stream does for a stream analysed with the same options (an
 * index analysed otherwise is CRIBLE_EDATA).  A bad line (invalid JSON or
 * UTF-8, a NUL byte, a document without id or text) or a document the
 * analysis refuses ends the reading there, as it ends crible-tokenize: the
 * documents before it stay added (the caller commits them and reports the
 * error, "NAME:LINE: ...").  A document the writer refuses (CRIBLE_EDATA)
 * is left out and the rest indexed, as crible_index_stream does. */
/* Entities tagged so far (with `entities`), by NER type ("PER"), in the
 * order first seen; at most CRIBLE_INDEX_ANALYZE_TYPES types. */
#define CRIBLE_INDEX_ANALYZE_TYPES 64
typedef struct crible_index_entity_count {
    char type[32];
    unsigned long long count;
} crible_index_entity_count;
size_t crible_index_analyze_entities(const crible_index_analyze *a, const crible_index_entity_count **out);

crible_status crible_index_analyze_run(crible_index_analyze *a, crible_index_writer *w, FILE *in,
                                        const char *name, crible_index_stream_stats *stats,
                                        crible_error *err);

#endif
