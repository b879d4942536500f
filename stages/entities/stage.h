/*
 * stage.h - the parts of crible-entities that only it needs: running the
 * tagger over a token stream (tag.c) and training a model (train.c).
 */
#ifndef CRIBLE_ENTITIES_STAGE_H
#define CRIBLE_ENTITIES_STAGE_H

#include <stdbool.h>
#include <stdio.h>

#include "entities.h"

typedef struct entities_run {
    bool list;    /* --list: TSV of entities instead of the stream */
    bool plain;   /* --conllu: plain CoNLL-U out */
} entities_run;

/* Tags the token stream `in` (named `name`) onto stdout. */
crible_status entities_tag_stream(crible_entities *e, FILE *in, const char *name,
                                  const entities_run *run, crible_error *err);

/* `crible-entities train ...`: its own options (argv[0] is "train"). */
int entities_train_main(int argc, char **argv);

#endif
