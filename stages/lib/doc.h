/*
 * doc.h - the document stream: JSON Lines, read and written with jansson.
 *
 * crible-read writes it; crible-tokenize reads it.  Users may bring their own
 * JSONL or filter it with jq between the two.
 *
 * Format "crible documents, version 1":
 *   - UTF-8, one JSON object per line, "\n" after each (a final line without
 *     "\n" is accepted).  Blank lines are skipped.
 *   - "id" (string, required; a number is accepted and turned into its
 *     decimal text): unique within an index; a document whose id is already
 *     indexed replaces the old one.
 *   - "text" (string, required, may be empty): the body.
 *   - Any other member is metadata, carried along to the index unchanged:
 *     "title" (string; analysed as its own field), "rating" (number),
 *     "date" ("YYYY-MM-DD", or a prefix "YYYY-MM", "YYYY"), "source", "url",
 *     "lang" (a libstemmer algorithm or ISO code: "fr", "en", ...), anything.
 *   - Members whose name starts with "_" are reserved for crible.
 *   A later version only adds optional members; these keep their meaning.
 *
 * Worked example (two documents):
 *   {"id":"rev-1","title":"Déçu","rating":2,"text":"Pas bon du tout."}
 *   {"id":"rev-2","text":"L’enfer du cyberharcèlement, sur Netflix."}
 */
#ifndef CRIBLE_DOC_H
#define CRIBLE_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"

typedef struct crible_doc {
    json_t *json;      /* the whole object; owned by the doc */
    const char *id;    /* borrowed from json */
    const char *text;  /* borrowed from json; may contain NUL only if text_len says so */
    size_t text_len;
    long line;         /* line number in the input (1-based) */
    /* The object exactly as it was read (one line, no line end, no leading
     * or trailing white space), so a stage can pass it on without writing
     * it again; valid until the next read on the reader.  NULL when the
     * reader changed the object (an integer id made a string) or the doc
     * did not come from a reader. */
    const char *raw;
    size_t raw_len;
    /* Private: the lazy reader's copy of raw, where crible_doc_string
     * unescapes members in place; NULL for a document with a JSON tree. */
    char *work;
    /* Private: a lazy document's top-level members in raw, as its scan
     * found them (crible_json_span, json_fast.h); NULL when it has more
     * than the reader keeps. */
    const struct crible_json_span *spans;
    size_t nspans;
} crible_doc;

typedef struct crible_doc_reader crible_doc_reader;

/* Reads documents from `in` (not closed by the reader); `name` names the
 * input in messages ("-" is shown as "<stdin>"). */
crible_status crible_doc_reader_open(FILE *in, const char *name,
                                     crible_doc_reader **out, crible_error *err);
void crible_doc_reader_close(crible_doc_reader *reader);

/* Lazy reading (crible-tokenize): a line that the plain-JSON fast path
 * vouches for (crible_json_doc_scan in json_fast.h), with string "id" and
 * "text", gets no JSON tree (doc->json NULL): its members are read from
 * doc->raw by
 * crible_doc_string.  Other lines are parsed as usual; the checks and the
 * messages are the same either way. */
void crible_doc_reader_set_lazy(crible_doc_reader *reader, bool lazy);

/* The string member `name` of the document (unescaped, NUL-terminated;
 * *len its length, which counts any \u0000), or NULL if absent or not a
 * string.  Valid until the document is freed or the reader reads again. */
const char *crible_doc_string(const crible_doc *doc, const char *name, size_t *len);

/* For a lazy document (doc->work not NULL): the spans in doc->raw of its
 * top-level string members names[0..k) (still escaped: strs[i] NULL when
 * absent or not a string), as crible_json_doc_strings (json_fast.h) gives
 * them, without reading the line again when the reader kept its members
 * (documents of up to 32 members). */
void crible_doc_strings(const crible_doc *doc, const char *const *names, size_t k, const char **strs,
                        size_t *lens);

/* Reads the next document into *doc (which the caller frees with
 * crible_doc_free).  Returns 1 for a document, 0 at the end of input, -1 on
 * error (err says "NAME:LINE: ..." for invalid UTF-8 with its byte offset,
 * NUL bytes, invalid JSON with its column, a missing id or text, a last
 * line cut in the middle of an object). */
int crible_doc_read(crible_doc_reader *reader, crible_doc *doc, crible_error *err);

/* Makes a document from a parsed object (takes ownership of json); checks
 * id and text.  `where` names it in messages. */
crible_status crible_doc_from_json(json_t *json, const char *where,
                                   crible_doc *doc, crible_error *err);

/* Writes doc->json as one compact line (UTF-8, not ASCII-escaped). */
crible_status crible_doc_write(FILE *out, const crible_doc *doc, crible_error *err);

/* Writes any JSON value compactly on one line into a malloc'ed string
 * (caller frees); NULL on failure. */
char *crible_json_line(const json_t *json);

void crible_doc_free(crible_doc *doc);

/* The name an input is shown by in messages, malloc'ed: "<stdin>" for NULL
 * or "-", else a copy of name.  NULL when out of memory.  Shared by the
 * document and token stream readers. */
char *crible_input_name(const char *name);

/* The character starting at s[0] (n > 0 bytes there): its length (1-4) when
 * it is well-formed UTF-8; otherwise 0, with *bad set to the length of its
 * maximal subpart (the bytes one U+FFFD replaces, Unicode 15 section 3.9),
 * at least 1. */
size_t crible_utf8_char(const unsigned char *s, size_t n, size_t *bad);

/* The first byte offset in s[0..n) that is not valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF are invalid), or n if none. */
size_t crible_utf8_invalid_offset(const char *s, size_t n);

#endif
