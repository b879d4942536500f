/*
 * read.h - the parts of crible-read, shared between the files of stages/read/ only.
 *
 *   input.c    a buffered input: peek for sniffing, lines, whole file
 *   walk.c     arguments to files: folders recursively, sorted by bytes
 *   detect.c   which format a file is (extension, then content)
 *   clean.c    BOM, UTF-8 checking or repair, CRLF, NUL bytes
 *   boiler.c   boilerplate removal with ICU regular expressions
 *   emit.c     a finished document to the JSON Lines stream
 *   text.c     plain text and Markdown: one file, one document
 *   html.c     HTML through gumbo: text, title, url, date, lang
 *   jsonl.c    JSON Lines with a field mapping, streamed
 *   csv.c      CSV/TSV with a header (RFC 4180) through libcsv, streamed
 *
 * A "source" is one file (or stdin) being read; its `id` is the path
 * relative to the command-line argument it was found under (for a file
 * given directly, the argument itself; "stdin" for "-").
 */
#ifndef CRIBLE_READ_H
#define CRIBLE_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "inbuf.h"
#include "read_options.h"

/* --- input.c ------------------------------------------------------------ */
typedef struct read_input {
    crible_inbuf b;            /* unread bytes are b.buf[b.start..b.end) */
    unsigned long long offset; /* file offset of b.buf[b.start] */
    bool is_stdin;
} read_input;

crible_status read_input_open(read_input *in, const char *path, crible_error *err);
void read_input_close(read_input *in);
/* Makes at least `want` bytes available (fewer at end of file); returns how
 * many are, at buf + start. */
size_t read_input_peek(read_input *in, size_t want, crible_error *err);
/* The next line, '\n' included (the last may lack it): *line points into the
 * input's buffer until the next call.  Returns 1, 0 at end, -1 on error.
 * A line longer than max is an error. */
int read_input_line(read_input *in, const char **line, size_t *len,
                    unsigned long long max, const char *name, crible_error *err);
/* The rest of the input into a malloc'ed buffer (NUL-terminated). */
crible_status read_input_all(read_input *in, char **out, size_t *len,
                             unsigned long long max, const char *name, crible_error *err);

/* --- clean.c ------------------------------------------------------------ */
/* Length of a UTF-8 BOM at s (0 or 3); a UTF-16/32 BOM is an error. */
crible_status read_bom(const char *s, size_t n, size_t *bom, const char *name,
                       crible_error *err);
/* Checks s[0..n) (a part of the input starting at file offset `base`, on
 * line `line`): invalid UTF-8 and NUL bytes.  In replace mode, *out is a new
 * malloc'ed string with each bad sequence (or NUL) replaced by U+FFFD and
 * *replaced counts them; otherwise *out = NULL and any bad byte is
 * CRIBLE_EDATA "NAME:LINE: invalid UTF-8 at byte offset N".  When nothing is
 * wrong *out stays NULL. */
crible_status read_clean_utf8(const char *s, size_t n, bool replace, const char *name,
                              unsigned long long base, long line,
                              char **out, size_t *out_len, unsigned long *replaced,
                              crible_error *err);
/* The rest of `in` (a whole-file format) read and checked: *buf is
 * malloc'ed and NUL-terminated, bad bytes replaced or reported. */
crible_status read_clean_whole(read_input *in, const crible_read_options *o, const char *name,
                               char **buf, size_t *len, unsigned long *replaced,
                               crible_error *err);
/* CRLF and lone CR to LF, in place; returns the new length. */
size_t read_crlf(char *s, size_t n);

/* --- boiler.c ----------------------------------------------------------- */
typedef struct read_boiler read_boiler;
crible_status read_boiler_open(const crible_read_options *o, read_boiler **out,
                               crible_error *err);
void read_boiler_close(read_boiler *b);
/* Cuts every match from text[0..*n) in place and updates *n; when anything
 * was cut, runs of blank lines left behind shrink to one and the text is
 * trimmed.  `where` names the document in messages. */
crible_status read_boiler_apply(read_boiler *b, char *text, size_t *n, const char *where,
                                crible_error *err);

/* --- emit.c ------------------------------------------------------------- */
typedef struct read_ctx {
    const crible_read_options *opt;
    read_boiler *boiler;         /* NULL when no pattern is configured */
    FILE *out;
    unsigned long long docs, bytes;   /* written so far; bytes of text */
    unsigned long replaced_total;
    crible_progress progress;         /* on stderr when it is a terminal */
} read_ctx;

/* Writes a document: `meta` (owned, may be NULL) gets id, title (when not
 * NULL and not empty), text, then its own members.  text is modified
 * (CRLF, boilerplate).  `replaced` > 0 adds "_invalid_utf8". */
crible_status read_emit(read_ctx *ctx, const char *id, const char *title, char *text,
                        size_t len, json_t *meta, unsigned long replaced,
                        crible_error *err);
/* Writes a raw line as is (JSON Lines pass-through). */
crible_status read_emit_raw(read_ctx *ctx, const char *line, size_t len, crible_error *err);

/* --- detect.c ----------------------------------------------------------- */
/* By extension; CRIBLE_READ_AUTO when unknown. */
crible_read_format read_detect_extension(const char *path);
/* By the first bytes of a file. */
crible_read_format read_detect_content(const char *s, size_t n);

/* --- walk.c ------------------------------------------------------------- */
/* Calls fn for each file under `arg` (itself if a file), folders walked
 * recursively in byte order of names; `rel` is the path relative to arg
 * (arg itself for a file).  Hidden names are skipped unless `hidden`; in a
 * folder, files whose extension is no known format are skipped. */
typedef crible_status (*read_walk_fn)(void *data, const char *path, const char *rel,
                                      crible_read_format format, crible_error *err);
crible_status read_walk(const char *arg, bool hidden, read_walk_fn fn, void *data,
                        crible_error *err);

/* --- the formats -------------------------------------------------------- */
/* Each reads `in` (after the BOM) to the end and writes its documents.
 * `name` is the path for messages, `id` the source's id. */
crible_status read_text(read_ctx *ctx, read_input *in, const char *name, const char *id,
                        bool markdown, crible_error *err);
crible_status read_html(read_ctx *ctx, read_input *in, const char *name, const char *id,
                        crible_error *err);
crible_status read_jsonl(read_ctx *ctx, read_input *in, const char *name, const char *id,
                         crible_error *err);
crible_status read_csv(read_ctx *ctx, read_input *in, const char *name, const char *id,
                       char delimiter, crible_error *err);

/* source.c: one file or stdin, any format (detects, strips the BOM). */
crible_status read_source(read_ctx *ctx, const char *path, const char *id,
                          crible_read_format format, crible_error *err);

#endif
