/*
 * index_docjson.h - the fast reading of a document's JSON object for the
 * index writer: its top-level members, decoded, without building a jansson
 * tree (jansson's tree was a tenth of crible-index's time).
 *
 * Only the plain case is read: one object whose values are strings,
 * numbers, true, false or null, keys without escapes and not repeated,
 * strings without \u escapes, numbers of at most 15 significant digits and
 * no exponent.  Anything else, including every syntax error, answers "not
 * sure" (false): the caller then parses with jansson, which decides, with
 * its own error messages.  A document it accepts gives the same members
 * and values as jansson would (tests/unit/test_index_docjson.c).
 */
#ifndef CRIBLE_INDEX_DOCJSON_H
#define CRIBLE_INDEX_DOCJSON_H

#include "index_format.h"

typedef enum ix_jkind { IX_J_STRING, IX_J_NUMBER, IX_J_TRUE, IX_J_FALSE, IX_J_NULL } ix_jkind;

typedef struct ix_jmember {
    const char *key;          /* NUL-terminated */
    ix_jkind kind;
    const char *str;          /* IX_J_STRING: decoded, NUL-terminated */
    size_t len;               /* its bytes */
    double num;               /* IX_J_NUMBER */
} ix_jmember;

typedef struct ix_docjson {
    ix_buf buf;               /* the decoded keys and strings */
    ix_jmember *m;
    size_t n, cap;
} ix_docjson;

/* Reads s[0..n) into d (members in their order).  true: it is a plain
 * object (above) and jansson would accept it; false: not sure (d then
 * holds nothing useful). */
bool ix_docjson_scan(ix_docjson *d, const char *s, size_t n);

/* The string member called key, or NULL. */
const ix_jmember *ix_docjson_string(const ix_docjson *d, const char *key);

void ix_docjson_free(ix_docjson *d);

#endif
