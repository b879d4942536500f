/*
 * entities_options.h - the `entities:` section of the configuration file,
 * turned into a ready tagger (entities.h) for crible-entities.  Its schema
 * is crible_schema_entities (options.h).  Every key is optional; defaults:
 *
 *     entities:
 *       rules: true            # false: gazetteers only, no rules
 *       articles: false        # true: a place's span and a title's begin at
 *                              # the article before them ("la France", "le
 *                              # duc de Guise"), as literary annotation does
 *       defaults: true         # load the gazetteers crible ships
 *                              # (config/gazetteers/NAME.tsv)
 *       types: []              # custom entity types: [DISH, TEAM]
 *       gazetteers: []         # files in the gazetteer format
 *                              # (entities_gazetteer.h), relative to this file
 *       names:                 # inline entries
 *         - {type: DISH, value: bœuf bourguignon, aliases: [bourguignon]}
 *         - {type: PLATFORM, value: Molotov, flags: [cap]}
 *       model: ""              # a model from `crible-entities train`
 *       metadata:              # document fields that name an entity of it
 *         item_title: WORK     # (default: these two; `metadata: {}` for none)
 *         item_creator: PER
 *                              # or a type chosen by another member's value:
 *                              #   title: {by: item_type, film: WORK,
 *                              #           restaurant: ORG}
 *                              # (another value, or no item_type: no name)
 *
 * The user's entries (names, then gazetteers) are loaded before the
 * defaults, so they win when both list the same spelling.
 */
#ifndef CRIBLE_ENTITIES_OPTIONS_H
#define CRIBLE_ENTITIES_OPTIONS_H

#include "config.h"
#include "entities.h"

/* The default gazetteers, found with crible_data_find(), NULL-terminated. */
extern const char *const crible_entities_default_gazetteers[];

/* Validates `section` (NULL: every default) and builds the tagger.
 * `model_path`, when not NULL, replaces the section's model (the --model
 * option).  Errors: CRIBLE_ECONFIG with file:line:column for the YAML,
 * and for a malformed gazetteer line (file:line:column too). */
crible_status crible_entities_load(const crible_config *config, const crible_node *section,
                                   const char *model_path, crible_entities **out,
                                   crible_error *err);

#endif
