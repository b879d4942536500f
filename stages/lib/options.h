/*
 * options.h - the schema of every section of the configuration file, so that
 * the runner can validate the whole file before it starts any process, and
 * each stage can validate its own section when started alone.
 *
 * Each stage defines its schema in stages/lib/<stage>_options.c (next to the
 * code that turns the section into its options struct); crible_sections
 * (options.c) lists them all.
 */
#ifndef CRIBLE_OPTIONS_H
#define CRIBLE_OPTIONS_H

#include "config.h"

extern const crible_schema crible_schema_input[];     /* input:    the runner's inputs */
extern const crible_schema crible_schema_pipeline[];  /* pipeline: stages, -j, index path */
extern const crible_schema crible_schema_read[];      /* read:     crible-read */
extern const crible_schema crible_schema_tokenize[];  /* tokenize: crible-tokenize */
extern const crible_schema crible_schema_stem[];      /* stem:     crible-stem */
extern const crible_schema crible_schema_entities[];  /* entities: crible-entities */
extern const crible_schema crible_schema_index[];     /* index:    crible-index */
extern const crible_schema crible_schema_query[];     /* query:    crible-query */

typedef struct crible_section {
    const char *name;
    const crible_schema *schema;
} crible_section;

/* Every known top-level section, ending with {NULL, NULL}. */
extern const crible_section crible_sections[];

/* Validates the whole file: no unknown top-level section ("did you mean"),
 * and each section against its schema. */
crible_status crible_config_validate_all(const crible_config *config, crible_error *err);

/* Loads the file `path` and validates `section` only (what a stage started
 * alone does); path NULL gives an empty configuration (all defaults).
 * *section_out is NULL when the file has no such section. */
crible_status crible_config_open_section(const char *path, const char *section,
                                         crible_config **config_out,
                                         const crible_node **section_out,
                                         crible_error *err);

#endif
