/*
 * tokenize_options.h - the `tokenize:` section of the configuration file,
 * turned into crible_tokenize_options (tokenizer.h).  Its schema is
 * crible_schema_tokenize (options.h).
 *
 *     tokenize:
 *       normalization: nfc       # nfc (default) or nfkc
 *       fold_case: true          # ICU case folding of the normal form
 *       fold_accents: false      # "été" -> "ete" in the normal form
 *       split_elisions: true     # l'avion -> l' avion (as UD)
 *       split_clitics: true      # dit-il -> dit -il (as UD)
 *       sentences: true          # split sentences
 *       abbreviations: [cf., vol., Mgr]   # no sentence break after these
 *       fields: [title, text]    # document members crible-tokenize reads
 */
#ifndef CRIBLE_TOKENIZE_OPTIONS_H
#define CRIBLE_TOKENIZE_OPTIONS_H

#include "config.h"
#include "tokenizer.h"

/* Fills *options from `section` (the `tokenize:` mapping, or NULL: every
 * default), after crible_tokenize_options_init and validation against
 * crible_schema_tokenize.  The strings in *options point into `config` and
 * live until crible_config_free.  CRIBLE_ECONFIG with file:line:column. */
crible_status crible_tokenize_options_load(const crible_config *config,
                                           const crible_node *section,
                                           crible_tokenize_options *options,
                                           crible_error *err);

/* The settings that decide the tokens, as one JSON object (malloc'ed, caller
 * frees; NULL when out of memory):
 *   {"fold_accents":false,"fold_case":true,"normalization":"nfc",
 *    "split_clitics":true,"split_elisions":true}
 * crible-tokenize writes it as `# crible.tokenize = JSON` at the head of its
 * stream; the index records it, and queries are analysed with it
 * (analyzer.h, crible_analyzer_open_json). */
char *crible_tokenize_options_json(const crible_tokenize_options *options);

#endif
