/*
 * index_docjson.h - the fast reading of a document's JSON object for the
 * index writer: its top-level members, decoded, without building a jansson
 * tree (jansson's tree was a tenth of crible-index's time).  A thin use of
 * the plain-JSON fast path (json_fast.h).
 *
 * Only a flat object is read: values that are strings, numbers, true,
 * false or null (no array, no object), keys not repeated, numbers that
 * json_fast.h reads exactly.  Anything else, including every syntax error
 * and invalid UTF-8, answers "not sure" (false): the caller then parses
 * with jansson, which decides, with its own error messages.  A document it
 * accepts gives the same members, in the same order, with the same values
 * as jansson would (tests/unit/test_json_fast.c).
 */
#ifndef CRIBLE_INDEX_DOCJSON_H
#define CRIBLE_INDEX_DOCJSON_H

#include "index_format.h"
#include "json_fast.h"

typedef struct ix_jmember {
    const char *key;          /* decoded, NUL-terminated */
    crible_json_kind kind;    /* STRING, NUMBER, TRUE, FALSE or NULL */
    const char *str;          /* STRING: decoded, NUL-terminated */
    size_t len;               /* its bytes */
    double num;               /* NUMBER */
} ix_jmember;

typedef struct ix_docjson {
    ix_buf buf;               /* the decoded keys and strings */
    ix_jmember *m;
    size_t n, cap;
} ix_docjson;

/* Reads s[0..n) into d (members in their order).  true: it is a flat
 * object (above) and jansson would accept it; false: not sure (d then
 * holds nothing useful). */
bool ix_docjson_scan(ix_docjson *d, const char *s, size_t n);

/* The string member called key, or NULL. */
const ix_jmember *ix_docjson_string(const ix_docjson *d, const char *key);

void ix_docjson_free(ix_docjson *d);

#endif
