/*
 * index_stream.h - feeding a token stream (conllu.h) to an index writer:
 * one document per `# newdoc id`, its JSON from `# crible.doc`, its fields
 * from `# crible.field`, tokens from the STEM/NORM/START/END columns,
 * entities from CRIBLE:NER/CRIBLE:ENTITY, analysis settings from the
 * stream's `# crible.<stage> = {json}` comments.
 */
#ifndef CRIBLE_INDEX_STREAM_H
#define CRIBLE_INDEX_STREAM_H

#include <jansson.h>

#include "conllu.h"
#include "index_writer.h"

typedef struct crible_index_stream_stats {
    unsigned long long docs, tokens, bad_docs;
} crible_index_stream_stats;

/* Reads the whole stream into w (no commit).  A malformed document or a
 * stream cut in the middle of one is not indexed: the error names it
 * ("<stdin>:120: document 'rev-7': ..."); the documents before it stay
 * added, so the caller can commit them and then report the error.  A
 * stream analysed otherwise than the index (different settings) is
 * CRIBLE_EDATA. */
crible_status crible_index_stream(crible_index_writer *w, crible_conllu_reader *r,
                                  crible_index_stream_stats *stats, crible_error *err);

/* Checks the analysis settings of a stream, `an` (a JSON object: "columns"
 * then one member per `# crible.<stage> = {json}` comment, "tokenize",
 * "stem"...), against those the index recorded (a difference other than
 * "columns" is CRIBLE_EDATA naming the stream `name`), then records them
 * when the index had none.  Shared with the in-process analysis path
 * (index_analyze.h), so both record the same settings. */
crible_status crible_index_stream_settings(crible_index_writer *w, json_t *an, const char *name,
                                          crible_error *err);

/* An entity of NER type `type` (the tag without "B-") is indexed in the
 * field: PER person, LOC place, ORG org, any other type in lower case
 * (WORK work); out[n] receives it, cut to n - 1 bytes. */
void crible_index_entity_field(const char *type, char *out, size_t n);

/* An entity without canonical value is indexed as its surface words joined
 * by one space: appends `word` to value[0..*len) (cap bytes, kept
 * NUL-terminated, cut when full).  Both paths call it. */
void crible_index_entity_word(char *value, size_t cap, size_t *len, const char *word);

#endif
