/*
 * stem_options.h - the `stem:` section of the configuration file (read by
 * crible-stem, and by crible-query through analyzer.h so that a query is
 * stemmed like the documents), turned into crible_stem_options.  Its
 * schema is crible_schema_stem (options.h).
 *
 *     stem:
 *       algorithm: french         # default; any libstemmer algorithm or ISO
 *                                 # code (en, de...), libstemmer:french, none
 *       languages: true           # follow each document's "lang" metadata
 *       stopwords: stopwords-fr.txt   # a file (next to this YAML file, or
 *                                 # shipped by crible), a list [le, la, les],
 *                                 # or false for none; default: the shipped
 *                                 # list of the language
 *       protected: [Netflix, Disney+, Canal+]   # never stemmed
 *       overrides:                # word: term, before anything else
 *         séries: série
 *       corrections: true         # the French correction table (default)
 *       corrections_file: my-corrections.tsv    # instead of the shipped one
 *       fold_accents: false       # accent-free terms (default false)
 *       cache: 65536              # stem cache entries (0: none)
 */
#ifndef CRIBLE_STEM_OPTIONS_H
#define CRIBLE_STEM_OPTIONS_H

#include <stdbool.h>

#include "config.h"
#include "stemmer.h"

typedef struct crible_stem_options {
    crible_stemmer_options stemmer;     /* algorithm, corrections, folding... */
    bool languages;                     /* follow documents' "lang" (default true) */
    bool stopwords;                     /* false: no stop word at all */
    const char *stopwords_file;         /* NULL: the shipped list of the language */
    const char *const *stopwords_list;  /* inline list (then no file) */
    size_t nstopwords_list;
    /* storage for the above (paths resolved, override arrays) */
    char stopwords_path_buf[4096];
    char corrections_path_buf[4096];
    const char **override_buf;
} crible_stem_options;

/* Sets every default (see stem_options.h's example). */
void crible_stem_options_init(crible_stem_options *options);

/* Fills *options from `section` (the `stem:` mapping, or NULL: defaults)
 * after validating it against crible_schema_stem.  Strings point into
 * `config` (valid until crible_config_free).  CRIBLE_ECONFIG with
 * file:line:column.  Free with crible_stem_options_free. */
crible_status crible_stem_options_load(const crible_config *config,
                                       const crible_node *section,
                                       crible_stem_options *options,
                                       crible_error *err);

void crible_stem_options_free(crible_stem_options *options);

/* The settings as one JSON object, the `# crible.stem = JSON` comment
 * crible-stem writes at the head of its stream, which crible-index records
 * so that crible-query stems a query the same way:
 *     {"algorithm":"french","corrections":true,"fold_accents":false,
 *      "languages":true,"protected":["netflix"],"overrides":{"séries":"série"},
 *      "stopwords":"/abs/path/stopwords-fr.txt" | ["le","la"] | []}
 * "corrections_file" and "stopwords" appear only when configured ([]: none);
 * absent, the shipped defaults apply.  malloc'ed (caller frees); NULL when
 * out of memory. */
char *crible_stem_options_json(const crible_stem_options *options);

/* The inverse: fills *options (after crible_stem_options_init) from such an
 * object (a jansson json_t *, passed as void * to keep jansson out of this
 * header).  Strings point into the object, which must outlive options.
 * Unknown members are ignored (a newer writer); a member of the wrong type is
 * CRIBLE_EDATA "stem settings: 'x' must be ...". */
crible_status crible_stem_options_from_json(const void *json, crible_stem_options *options,
                                            crible_error *err);

#endif
