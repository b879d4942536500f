/*
 * read_json_scan.h - a validating scanner for one line of JSON Lines, the
 * fast path of crible-read's JSON Lines pass-through.
 *
 * jansson reads JSON at about 75 MB/s; most of that is building the tree.
 * A line that already is a crible document (doc.h) needs no tree: only the
 * certainty that jansson would accept it and the kind of its "id", "title"
 * and "text" members.  This scanner gives exactly that, at several hundred
 * MB/s, and answers "not sure" (false) for everything outside the plain
 * case, so that the caller parses those lines with jansson, which then
 * decides, with its own error messages.  It never accepts a line jansson
 * rejects (tests/unit/test_read_json_scan.c checks this against jansson on
 * real and mutated lines); it may send a valid line to jansson.
 *
 * Not sure (false) when: not exactly one object with optional blank space
 * around it; a syntax error; a control character in a string; a \u escape
 * of U+0000 or of a surrogate; an integer of more than 18 digits or a number
 * with an exponent (jansson's overflow checks); nesting deeper than 64; a
 * top-level key with a backslash; "id", "title" or "text" given twice.
 * Input must be valid UTF-8 (checked before).
 */
#ifndef CRIBLE_READ_JSON_SCAN_H
#define CRIBLE_READ_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum crible_read_json_kind {
    CRIBLE_READ_JSON_ABSENT = 0,
    CRIBLE_READ_JSON_STRING,
    CRIBLE_READ_JSON_OTHER      /* number, object, array, true, false, null */
} crible_read_json_kind;

typedef struct crible_read_json_members {
    crible_read_json_kind id, title, text;
    bool text_has_cr;           /* the text holds a "\r" escape */
} crible_read_json_members;

/* Scans s[0..n) (no NUL needed).  true: jansson accepts it as one object
 * and *m says what its top-level id, title and text are; false: not sure,
 * ask jansson (*m is then undefined). */
bool crible_read_json_scan(const char *s, size_t n, crible_read_json_members *m);

#endif
