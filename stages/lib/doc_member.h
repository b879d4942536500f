/*
 * doc_member.h - the string members of a JSON Lines document read without
 * building a JSON tree: crible-tokenize's fast path (doc.h, the lazy
 * reader).
 *
 * Only for a line that the validating scanner of read_json_scan.h accepted
 * (jansson would parse it as one object, top-level keys without a
 * backslash, no \u0000 nor surrogate escape): the functions below then walk
 * the object's top level, skip every value they are not asked for, and
 * unescape the string asked for, giving what jansson's json_string_value
 * would.  A key given twice: the last one, as jansson keeps it.
 *
 * Example: in {"id":"a","text":"L\u2019enfer\n"}, member "text" is the
 * span `L\u2019enfer\n` (between the quotes), unescaped "L’enfer" + LF.
 */
#ifndef CRIBLE_DOC_MEMBER_H
#define CRIBLE_DOC_MEMBER_H

#include <stdbool.h>
#include <stddef.h>

/* The span (between the quotes, still escaped) of the last top-level member
 * `name` of line[0..n) if its value is a string: *start, *len; false when
 * absent or not a string. */
bool crible_doc_member_find(const char *line, size_t n, const char *name,
                            size_t *start, size_t *len);

/* Unescapes the string span src[0..n) into dst (room for n + 1 bytes; dst
 * may be src itself) and NUL-terminates it; returns the length. */
size_t crible_doc_member_unescape(const char *src, size_t n, char *dst);

#endif
