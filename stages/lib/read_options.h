/*
 * read_options.h - the `read:` section of the configuration file, turned into
 * crible_read_options for crible-read.  Its schema is crible_schema_read
 * (options.h).  Every key is optional; the defaults are shown:
 *
 *     read:
 *       format: auto            # auto | text | markdown | html | jsonl | csv | tsv
 *       invalid_utf8: error     # error: stop at the first invalid byte;
 *                               # replace: U+FFFD for each bad sequence, counted
 *       hidden: false           # walk files and folders whose name starts with "."
 *       title_from_first_line: false   # text files: first line is the title
 *       max_size: 1G            # largest file or record accepted
 *       fields:                 # JSON Lines and CSV/TSV: which member is what
 *         id: id                # absent in a record: the id is FILE:LINE
 *         title: title
 *         text: text            # or a list, joined by a blank line: [heading, text]
 *       csv_delimiter: ","      # one character; TSV files always use a tab
 *       html_drop: [script, style, noscript, template, iframe, svg, canvas,
 *                   object, embed, nav, aside, footer, form, button, select,
 *                   textarea]   # elements whose content is not text
 *       boilerplate:
 *         defaults: false       # true: French web boilerplate (comment forms,
 *                               # e-mail notices, captchas, share buttons)
 *         patterns: []          # ICU regular expressions; each match is cut
 */
#ifndef CRIBLE_READ_OPTIONS_H
#define CRIBLE_READ_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

typedef enum crible_read_format {
    CRIBLE_READ_AUTO = 0,   /* by extension, then by content */
    CRIBLE_READ_TEXT,
    CRIBLE_READ_MARKDOWN,
    CRIBLE_READ_HTML,
    CRIBLE_READ_JSONL,
    CRIBLE_READ_CSV,
    CRIBLE_READ_TSV
} crible_read_format;

typedef struct crible_read_options {
    crible_read_format format;
    bool replace_invalid;            /* invalid_utf8: replace */
    bool hidden;
    bool title_from_first_line;
    unsigned long long max_size;
    const char *id_field;
    const char *title_field;
    const char **text_fields;        /* at least one */
    size_t n_text_fields;
    char csv_delimiter;
    const char **html_drop;
    size_t n_html_drop;
    bool boilerplate_defaults;
    const char **boilerplate;        /* ICU regular expressions */
    size_t n_boilerplate;
} crible_read_options;

/* The built-in boilerplate patterns (NULL-terminated), used when
 * `boilerplate: {defaults: true}`.  Each is an ICU regular expression. */
extern const char *const crible_read_boilerplate_defaults[];

/* Sets every default (format auto, invalid UTF-8 is an error, ...). */
void crible_read_options_init(crible_read_options *options);

/* Fills *options from `section` (the `read:` mapping, or NULL: every default)
 * after validating it against crible_schema_read.  The strings and arrays in
 * *options point into `config` or into static defaults; they live until
 * crible_config_free.  CRIBLE_ECONFIG with file:line:column. */
crible_status crible_read_options_load(const crible_config *config,
                                       const crible_node *section,
                                       crible_read_options *options,
                                       crible_error *err);

/* "auto", "text", ...; NULL for an unknown value. */
const char *crible_read_format_name(crible_read_format format);
/* The format named `name`; false if there is none. */
bool crible_read_format_parse(const char *name, crible_read_format *out);

#endif
