/*
 * json_fast.h - the plain-JSON fast path in front of jansson.
 *
 * jansson reads JSON at about 75 MB/s, most of it building the tree.  The
 * stages mostly need less: crible-read must know that a line already is a
 * document, crible-tokenize wants its "id" and "text", the index writer a
 * flat object's members.  This module reads one JSON object straight from
 * its bytes (SSE2 string scanning, no allocation) and answers "not sure"
 * (false) for everything outside the plain case; the caller then parses
 * with jansson, which decides, with its own error messages.
 *
 * The contract, checked against jansson on every one-byte mutation of real
 * documents (tests/unit/test_json_fast.c) and by libFuzzer
 * (tests/tools/fuzz_json_fast.c):
 *   - it never accepts what jansson rejects;
 *   - what it accepts, it gives as jansson would: the same members, the
 *     same kinds, the same unescaped strings, the same numbers bit for bit.
 *
 * Accepted ("sure"): exactly one object, blank space (space, tab, LF, CR)
 * around it, RFC 8259 grammar, nesting at most 64 deep, whose
 *   - strings hold no control byte (< 0x20) and no \u escape of U+0000 or
 *     of a surrogate (jansson's checks of those are left to jansson);
 *   - numbers have at most 18 integer digits and no exponent (jansson's
 *     overflow checks).
 * The input must be valid UTF-8 (the callers check it first).  Duplicate
 * keys, escaped keys and nested values are reported as they are: each
 * caller decides what it is sure of (see the functions below).
 *
 * Worked example: {"id":"r-1","text":"L\u2019enfer\n","note":4.5}
 *   member 1: key `id`, STRING, span `r-1`
 *   member 2: key `text`, STRING, span `L\u2019enfer\n` (escaped),
 *             unescaped "L’enfer" + LF
 *   member 3: key `note`, NUMBER, span `4.5`, number 4.5, exact
 */
#ifndef CRIBLE_JSON_FAST_H
#define CRIBLE_JSON_FAST_H

#include <stdbool.h>
#include <stddef.h>

typedef enum crible_json_kind {
    CRIBLE_JSON_ABSENT = 0,
    CRIBLE_JSON_STRING,
    CRIBLE_JSON_NUMBER,
    CRIBLE_JSON_TRUE,
    CRIBLE_JSON_FALSE,
    CRIBLE_JSON_NULL,
    CRIBLE_JSON_ARRAY,
    CRIBLE_JSON_OBJECT
} crible_json_kind;

/* One top-level member, pointing into the scanned bytes. */
typedef struct crible_json_member {
    const char *key;          /* the key between its quotes, still escaped */
    size_t key_len;
    bool key_escaped;         /* the key holds a backslash */
    crible_json_kind kind;
    const char *value;        /* STRING: between the quotes, still escaped; */
    size_t value_len;         /* else the value's bytes */
    bool escaped;             /* STRING: holds a backslash */
    bool has_cr;              /* STRING: holds a \r or \u000d escape (a CR) */
    bool exact;               /* NUMBER: `number` is jansson's json_number_value */
    double number;            /* (every integer; a decimal when its digits, as an
                               * integer m, make m <= 2^53, with at most 22
                               * decimals) */
} crible_json_member;

/* Called for each top-level member in order; false stops the walk, which
 * then answers "not sure". */
typedef bool (*crible_json_member_fn)(const crible_json_member *m, void *ctx);

/* The member walker: scans s[0..n) (no NUL needed, valid UTF-8), every byte
 * of it, nested values included, and calls each(m, ctx) for every top-level
 * member.  true: s is accepted (above) and every call returned true. */
bool crible_json_object_walk(const char *s, size_t n, crible_json_member_fn each, void *ctx);

/* The items of an array, as the member walker reports an object's
 * members (key NULL): s[0..n) is an array, e.g. the span of an ARRAY
 * member the walker gave (nesting counts from that array).  true: s is an
 * accepted array and every call returned true. */
bool crible_json_array_walk(const char *s, size_t n, crible_json_member_fn each, void *ctx);

/* A JSON Lines document, as crible-read and the lazy document reader see
 * it: the kinds of its top-level "id", "title" and "text" and the spans of
 * the string ones (still escaped). */
typedef struct crible_json_doc {
    crible_json_kind id, title, text;
    const char *id_str, *text_str;  /* the STRING spans, else NULL */
    size_t id_len, text_len;
    bool text_has_cr;               /* the text holds a CR (\r, \u000d) */
} crible_json_doc;

/* crible_json_object_walk for a document, also "not sure" when a top-level
 * key has a backslash ("\u0069d" is "id": jansson reads it) or "id",
 * "title" or "text" is given twice.  So on a line it accepts, top-level
 * keys compare as bytes.  *d is undefined when false. */
bool crible_json_doc_scan(const char *s, size_t n, crible_json_doc *d);

/* A top-level member of a line crible_json_doc_scan accepted: its key's
 * bytes (never escaped there) and its value's span as the walker gives it
 * (a STRING's between its quotes, still escaped). */
typedef struct crible_json_span {
    const char *key, *value;
    size_t key_len, value_len;
    crible_json_kind kind;
} crible_json_span;

/* crible_json_doc_scan that also keeps the spans of the first `cap`
 * top-level members, in their order, into spans[]; *nspans gets how many
 * members the line has (more than cap: the rest not kept).  So a caller
 * that needs several members does not read the line again. */
bool crible_json_doc_scan_spans(const char *s, size_t n, crible_json_doc *d, crible_json_span *spans, size_t cap,
                                size_t *nspans);

/* crible_json_doc_strings on the spans crible_json_doc_scan_spans kept of
 * all of a line's members: the same answers, without reading the line. */
void crible_json_spans_strings(const crible_json_span *spans, size_t nspans, const char *const *names, size_t k,
                               const char **strs, size_t *lens);

/* On a line crible_json_doc_scan accepted: the span (between the quotes,
 * still escaped) of the last top-level member `name` if its value is a
 * string (jansson keeps the last of duplicate keys); false when absent or
 * not a string. */
bool crible_json_member_find(const char *s, size_t n, const char *name, const char **str,
                             size_t *len);

/* crible_json_member_find for several names in one pass, on a line
 * crible_json_doc_scan accepted (so every string is well formed and no
 * key is escaped: values are skipped, not checked again): strs[i] and
 * lens[i] get the span of the last top-level member names[i] if its value
 * is a string, else strs[i] is NULL.  names[0..k) are NUL-terminated, k at
 * most CRIBLE_JSON_DOC_STRINGS_MAX (the names past it are not looked for:
 * their strs[i] are NULL).
 * Worked example: on {"id":"a","lang":"fr","title":7,"lang":"de"} with
 * names {"lang", "title", "note"}: `de`, NULL, NULL. */
#define CRIBLE_JSON_DOC_STRINGS_MAX 64
void crible_json_doc_strings(const char *s, size_t n, const char *const *names, size_t k,
                             const char **strs, size_t *lens);

/* The unescaper: the string span src[0..n), as the walker gave it, into dst
 * (room for n + 1 bytes; dst may be src itself: the text never outgrows its
 * escapes), NUL-terminated; returns the length.  Only for spans the walker
 * accepted (no \u0000, no surrogate escape). */
size_t crible_json_unescape(const char *src, size_t n, char *dst);

#endif
