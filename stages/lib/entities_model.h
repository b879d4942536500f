/*
 * entities_model.h - an averaged perceptron (Collins 2002) over token
 * features, trained by `crible-entities train` from the user's own labelled
 * token streams, and used by the tagger when a model file is configured.
 *
 * Decoding is greedy, left to right, with the two previous labels as
 * features (the gold ones while training); the features of a token are
 * its key, shape, prefixes and
 * suffixes, the words around it (their keys, shapes, and the word bigrams),
 * its gazetteer classes, the label the
 * rules give it (so the model learns when to trust the rules), and how the
 * model tagged the same word earlier in the document (entities_seen.c).
 * Feature strings are hashed into 2^20 rows of one weight per label.
 *
 * File format "crible NER model, version 2" (little-endian; version 1 had
 * no document feature: such a file is refused, train it again):
 *   bytes 0-7    magic "CRIBNER\0"
 *   u32          version (2)
 *   u32          nlabels L (2..129); then L label names, each u8 length + bytes
 *                ("O" first, then "B-PER", "I-PER", ...)
 *   u32          log2 of the row count (20)
 *   u32          R, rows written; then R times: u32 row, L float32 weights
 *                (the averaged weights; rows all zero are left out)
 *   u32          CRC32C (ISA-L crc32_iscsi, seed 0) of every byte before it
 */
#ifndef CRIBLE_ENTITIES_MODEL_H
#define CRIBLE_ENTITIES_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "entities.h"
#include "error.h"

/* A fresh model for these labels (labels[0] must be "O"). */
crible_entities_model *crible_entities_model_new(const char *const *labels, size_t n,
                                                 crible_error *err);
/* Reads a model file: a wrong magic, version or checksum is CRIBLE_EDATA. */
crible_status crible_entities_model_load(const char *path, crible_entities_model **out,
                                         crible_error *err);
/* Writes the averaged weights (call crible_entities_model_average first). */
crible_status crible_entities_model_save(const crible_entities_model *m,
                                         const char *path, crible_error *err);
void crible_entities_model_free(crible_entities_model *m);

size_t crible_entities_model_nlabels(const crible_entities_model *m);
const char *crible_entities_model_label(const crible_entities_model *m, size_t i);

/* Tags one sentence: out[i] is a model label index.  `rule` holds the
 * tagger's rule labels mapped to model label indexes (0 where the model has
 * no such label).  `info` is the tagger's token information. */
struct crible_ent_info;
void crible_entities_model_predict(const crible_entities_model *m,
                                   const crible_entities_token *t,
                                   const struct crible_ent_info *info,
                                   const char *keys, const uint16_t *rule,
                                   size_t n, uint16_t *out);
/* One training step on a sentence with gold labels (model indexes); returns
 * the number of tokens predicted wrong. */
size_t crible_entities_model_learn(crible_entities_model *m,
                                   const crible_entities_token *t,
                                   const struct crible_ent_info *info,
                                   const char *keys, const uint16_t *rule,
                                   size_t n, const uint16_t *gold, uint16_t *scratch);
/* Replaces the weights by their averages over every step (end of training). */
void crible_entities_model_average(crible_entities_model *m);

#endif
