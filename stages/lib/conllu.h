/*
 * conllu.h - the token stream: CoNLL-U Plus, read and written between stages.
 *
 * Format "crible tokens, version 1" (a CoNLL-U Plus file,
 * https://universaldependencies.org/ext-format.html):
 *
 *   # global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE
 *   # crible.version = 1
 *   # newdoc id = rev-1
 *   # crible.doc = {"id":"rev-1","title":"Déçu","rating":2,"text":"Pas bon du tout."}
 *   # crible.field = title
 *   # sent_id = rev-1/title/1
 *   # text = Déçu
 *   1	Déçu	0	5	déçu	word
 *
 *   # crible.field = text
 *   # sent_id = rev-1/text/1
 *   # text = Pas bon du tout.
 *   1	Pas	0	3	pas	word
 *   2	bon	4	7	bon	word
 *   3	du	8	10	du	word
 *   4	tout	11	15	tout	word
 *   5	.	15	16	.	punct
 *
 * - Line 1 is `# global.columns = ...`: the column names, tab-free, space
 *   separated.  A stream without it is read as plain CoNLL-U (the 10 UD
 *   columns).  `# crible.version = N` follows; a reader refuses a version
 *   newer than it knows.  Concatenated streams may repeat both lines if the
 *   columns are the same.
 * - A block is comment lines, then token lines (one per token, cells
 *   separated by one TAB, `_` for an empty cell), then one blank line.  A
 *   block may have no token line (an empty document keeps its place).
 * - `# newdoc id = ID` opens a document; `# crible.doc = JSON` right after it
 *   carries the whole document object of doc.h (text and metadata, one
 *   line), so the index can store it and snippets can quote it.
 * - `# crible.field = NAME` says which member of the document the following
 *   sentences come from (title, text); it holds until the next one.
 * - `# sent_id` and `# text` are per sentence (UD); `# text` is the
 *   sentence's text with line breaks turned into spaces.
 * - Columns crible's stages add (each stage appends its own and passes every
 *   other column and comment through unchanged, so awk, a user's script or a
 *   UD tool can sit between two stages):
 *     crible-tokenize  CRIBLE:START CRIBLE:END  byte offsets of FORM in the
 *                      field's string in `# crible.doc` (END exclusive);
 *                      FORM is exactly those bytes.
 *                      CRIBLE:NORM  the normal form (ICU case folding,
 *                      ’ → ', accents folded if configured).
 *                      CRIBLE:TYPE  word number punct symbol emoji url email
 *                      hashtag mention
 *     crible-stem      CRIBLE:STEM  the stem of NORM (or NORM itself for
 *                      protected words, `_` for punctuation)
 *                      CRIBLE:STOP  1 for a stop word, 0 otherwise
 *     crible-entities  CRIBLE:NER   BIO tag: B-PER I-PER O ...
 *                      CRIBLE:ENTITY  canonical value on B- tokens, else `_`
 * - Cells never contain TAB or line breaks; the writer refuses them.
 * - The stream ends with a block made of the one comment
 *   `# crible.end = N` (N documents).  A reader that reaches the end of its
 *   input without it knows the stream was cut (its writer died): the last
 *   document may be incomplete.  Streams without `# crible.version` (plain
 *   CoNLL-U from elsewhere) need no end mark.
 */
#ifndef CRIBLE_CONLLU_H
#define CRIBLE_CONLLU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define CRIBLE_STREAM_VERSION 1
#define CRIBLE_MAX_COLUMNS 64

/* One block: its comments and its tokens.  Reused from read to read.
 * Comments and cells are read-only for the caller: the writer writes a
 * block the reader read from the bytes it read (conllu_write.c). */
typedef struct crible_sentence {
    size_t ncomments;
    char **comments;      /* whole lines without "\n", each starting with '#' */
    size_t ntokens;
    size_t ncolumns;      /* cells per token (the stream's column count) */
    char **cells;         /* ntokens * ncolumns, row-major, NUL-terminated */
    long line;            /* input line of the block's first line */
    /* private storage: the strings (cells and comments point into buf) */
    char *buf;
    size_t buf_len, buf_cap, comments_cap, cells_cap;
    /* private: a block the reader read whole, as its bytes: raw[0..raw_len)
     * its lines (each ending "\n"), token t's line raw[rows[t]..rows[t + 1]
     * - 1); buf then holds the same bytes with each cell and comment ended
     * by a NUL in place of its TAB or line feed, and cells[ntokens *
     * ncolumns] (one past the last) is buf + rows[ntokens]: each cell
     * ends one byte before the next one starts.  raw_ok false: built
     * otherwise (add_comment, add_token, a block read line by line). */
    char *raw;
    size_t raw_len, raw_cap, *rows, rows_cap;
    bool raw_ok;
} crible_sentence;

/* Cell `col` of token `tok` (0-based both). */
static inline const char *crible_sentence_cell(const crible_sentence *s,
                                               size_t tok, size_t col)
{
    return s->cells[tok * s->ncolumns + col];
}

/* The length of cell `col` of token `tok`: its strlen, found without
 * reading it in a block the reader read whole. */
static inline size_t crible_sentence_cell_len(const crible_sentence *s, size_t tok, size_t col)
{
    size_t i = tok * s->ncolumns + col;
    if (!s->raw_ok)
        return strlen(s->cells[i]);
    return (size_t)(s->cells[i + 1] - s->cells[i]) - 1;   /* the next cell, or one past the last */
}

/* The value of cell `col` of token `tok` when it is 1 to 8 decimal digits
 * (the byte offsets crible-tokenize writes), else -1 (the caller reads it
 * its own way).  Fast in a block the reader read whole (one 8-byte load,
 * no branch on the digits: inline). */
static inline long crible_sentence_cell_digits(const crible_sentence *s, size_t tok, size_t col)
{
    const char *v = crible_sentence_cell(s, tok, col);
    size_t n = crible_sentence_cell_len(s, tok, col);
    if (n - 1 >= 8)
        return -1;
    uint64_t w = 0;
    if (s->raw_ok) {   /* the buffer has slack bytes after the block */
        memcpy(&w, v, 8);
        w <<= 8 * (8 - n);                                      /* "123" -> "00000123" */
    } else {
        memcpy((char *)&w + 8 - n, v, n);
    }
    w |= n < 8 ? 0x3030303030303030ull >> (8 * n) : 0;
    if ((w & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull ||
        ((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull)
        return -1;
    /* eight digits at once (simdjson's parse_eight_digits_unrolled) */
    w = (w & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    w = (w & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    return (long)((w & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32);
}

/* The value of comment "# KEY = VALUE" in s, or NULL.  "newdoc id" is a key. */
const char *crible_sentence_comment(const crible_sentence *s, const char *key);
/* The same for one comment line of a sentence (key: klen bytes): its
 * value if it is that key's, else NULL. */
const char *crible_sentence_comment_of(const char *comment, const char *key, size_t klen);

/* The value of comment line `line` if it is "# KEY = VALUE" (spaces
 * around '=' and after '#' skipped), else NULL. */
const char *crible_conllu_comment_value(const char *line, const char *key);

void crible_sentence_init(crible_sentence *s);
void crible_sentence_free(crible_sentence *s);

/* Clears s and adds comment lines / token rows to it (used by tokenize,
 * which makes sentences, and by tests).  add_token copies the cells. */
void crible_sentence_clear(crible_sentence *s, size_t ncolumns);
crible_status crible_sentence_add_comment(crible_sentence *s, const char *line,
                                          crible_error *err);
crible_status crible_sentence_add_token(crible_sentence *s, const char *const *cells,
                                        crible_error *err);

typedef struct crible_conllu_reader crible_conllu_reader;

/* A reader of `in` (borrowed; `name` is how messages call it).  It reads
 * `in` 256 KiB or more at a time (fread): nothing else should read `in`
 * while the reader is open. */
crible_status crible_conllu_reader_open(FILE *in, const char *name,
                                        crible_conllu_reader **out,
                                        crible_error *err);
void crible_conllu_reader_close(crible_conllu_reader *reader);

/* Reads the next block into s.  Returns 1, 0 at the end of input, -1 on
 * error: "NAME:LINE: ..." for a wrong number of cells, invalid UTF-8, a NUL
 * byte, a stream cut inside a block (no blank line after the last block is
 * accepted only if the last line is complete), a newer stream version. */
int crible_conllu_read(crible_conllu_reader *reader, crible_sentence *s,
                       crible_error *err);

/* The stream's columns (known after the first read, or from the header). */
size_t crible_conllu_ncolumns(const crible_conllu_reader *reader);
const char *crible_conllu_column_name(const crible_conllu_reader *reader, size_t i);
/* Index of a column by name, or -1. */
int crible_conllu_column(const crible_conllu_reader *reader, const char *name);
/* Like crible_conllu_column, but a missing column is CRIBLE_EDATA:
 * "NAME: the token stream has no column CRIBLE:NORM (run crible-tokenize first)". */
crible_status crible_conllu_require(const crible_conllu_reader *reader,
                                    const char *column, const char *hint,
                                    int *out, crible_error *err);
/* After read returned 0: whether the stream ended with its end mark (or is
 * plain CoNLL-U, which has none).  False means it was cut: the caller
 * reports "NAME: the stream ends without its end mark: cut short?". */
bool crible_conllu_reader_complete(const crible_conllu_reader *reader);
/* CRIBLE_OK if complete, else CRIBLE_EDATA with
 * "NAME: the stream ends without its end mark: it was cut short (did the
 * stage before this one fail?)". */
crible_status crible_conllu_reader_check_complete(const crible_conllu_reader *reader,
                                                  crible_error *err);
/* Documents announced by end marks seen so far (sum of their N). */
unsigned long long crible_conllu_reader_end_count(const crible_conllu_reader *reader);
/* Name of the input as shown in messages. */
const char *crible_conllu_reader_name(const crible_conllu_reader *reader);
/* Reads ahead until the header is known (the first block stays buffered):
 * lets a stage learn the columns before it writes its own header. */
crible_status crible_conllu_reader_peek_header(crible_conllu_reader *reader,
                                               crible_error *err);

typedef struct crible_conllu_writer crible_conllu_writer;

/* A writer whose columns are `columns` (n names).  The header is written
 * before the first block. */
crible_status crible_conllu_writer_open(FILE *out, const char *const *columns,
                                        size_t n, crible_conllu_writer **w,
                                        crible_error *err);
/* A writer whose columns are the reader's followed by `extra` (n names):
 * the usual case for a stage that appends columns.  A column already in
 * the input is an error (the stage ran twice). */
crible_status crible_conllu_writer_extend(FILE *out,
                                          const crible_conllu_reader *reader,
                                          const char *const *extra, size_t n,
                                          crible_conllu_writer **w,
                                          crible_error *err);
/* Writes the end mark (`# crible.end = N`, N the documents written) after
 * the last block: call it when the input ended cleanly, never after an
 * error (so the next stage knows).  Writes out everything written (the
 * writer keeps up to a quarter megabyte before it does: write(2) on the
 * FILE's descriptor after fflush, fwrite if it has none); does not close
 * the FILE. */
crible_status crible_conllu_writer_finish(crible_conllu_writer *w, crible_error *err);
/* Frees w; what it still holds (blocks written before an error) is handed
 * to fwrite first, its error left to the caller's check of the FILE. */
void crible_conllu_writer_close(crible_conllu_writer *w);

/* Writes s with its cells followed, for each token t, by the `nextra` cells
 * extra[t * nextra + k].  An empty string or NULL cell is written `_`.
 * The block's comments are written first, unchanged. */
crible_status crible_conllu_write(crible_conllu_writer *w, const crible_sentence *s,
                                  const char *const *extra, size_t nextra,
                                  crible_error *err);
/* Writes s with, after each token t's own cells, the bytes
 * tails[offs[t]..offs[t + 1]): its `nextra` extra cells formatted by the
 * caller, each after a TAB ("\tcell\tcell"; no cell empty nor holding a
 * NUL, a TAB or a line break: not checked, see crible_conllu_cell_stop).
 * `tails` must be readable 16 bytes past offs[s->ntokens] (copied 16 bytes
 * at a time).  The same output as crible_conllu_write given those cells
 * (crible-stem's call: its cells made once, in place). */
crible_status crible_conllu_write_tails(crible_conllu_writer *w, const crible_sentence *s,
                                        const char *tails, const size_t *offs, size_t nextra,
                                        crible_error *err);
/* Whether byte c cannot be in a cell: NUL, TAB, LF, CR. */
static inline bool crible_conllu_cell_stop(unsigned char c)
{
    return c <= '\r' && ((0x2601u >> c) & 1);
}
/* Writes lines formatted by the caller, rows[0..len) (each ending "\n":
 * comments other than `# newdoc`, then token lines of the writer's columns,
 * no cell holding a TAB or a line break: not checked), and the blank line
 * that ends their block, after the comments written before them
 * (crible-tokenize's own lines, tok_stream.c). */
crible_status crible_conllu_write_rows(crible_conllu_writer *w, const char *rows, size_t len,
                                       crible_error *err);
/* crible_conllu_write_rows without the copy: the caller formats its lines
 * in the writer's own buffer.  crible_conllu_write_space returns where up
 * to n bytes may be written (NULL on an error: err set), valid until the
 * next call on w; crible_conllu_write_rows_at then ends the block whose
 * lines are the first len of them (len <= n).
 *   char *o = crible_conllu_write_space(w, need, err);
 *   ... o[0..len) = "# sent_id = a/text/1\n1\tBof\t0\t3\tbof\tword\n" ...
 *   crible_conllu_write_rows_at(w, len, err); */
char *crible_conllu_write_space(crible_conllu_writer *w, size_t n, crible_error *err);
crible_status crible_conllu_write_rows_at(crible_conllu_writer *w, size_t len, crible_error *err);
/* Writes one comment line ("# key = value" or any "# ..."), before a block. */
crible_status crible_conllu_write_comment(crible_conllu_writer *w, const char *line,
                                          crible_error *err);

/* Switches the writer to plain 10-column CoNLL-U, the --conllu option of
 * every stage: ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC, with
 * LEMMA from CRIBLE:STEM when the stream has it, MISC SpaceAfter=No from the
 * offsets, no global.columns header, and empty blocks dropped.  Comments
 * other than newdoc id, sent_id and text are dropped (crible.doc is long). */
void crible_conllu_writer_set_plain(crible_conllu_writer *w, bool plain);

#endif
