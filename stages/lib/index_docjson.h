/*
 * index_docjson.h - the fast reading of a document's JSON object for the
 * index writer: its top-level members, decoded, and one level below them
 * (an object's members, an array's items), without building a jansson
 * tree (jansson's tree was a tenth of crible-index's time).  A thin use of
 * the plain-JSON fast path (json_fast.h).
 *
 * Read: an object whose top-level values are strings, numbers, true,
 * false, null, objects or arrays; keys (top-level, and of each object
 * member) not repeated; top-level numbers and the numbers an array holds
 * that json_fast.h reads exactly.  An object member's members and an array
 * member's items are given too (one level: deeper values by their kind
 * only; a number in an object member by its kind only).  Anything else,
 * including every syntax error and invalid UTF-8, answers "not sure"
 * (false): the caller then parses with jansson, which decides, with its
 * own error messages.  A document it accepts gives the same members, in
 * the same order, with the same values as jansson would, and the same
 * members and items below them (tests/unit/test_json_fast.c).
 */
#ifndef CRIBLE_INDEX_DOCJSON_H
#define CRIBLE_INDEX_DOCJSON_H

#include "index_format.h"
#include "json_fast.h"

typedef struct ix_jmember {
    const char *key;          /* decoded, NUL-terminated (an array's item: NULL) */
    crible_json_kind kind;
    const char *str;          /* STRING: decoded, NUL-terminated */
    size_t len;               /* its bytes */
    double num;               /* NUMBER (not in an object member) */
    uint32_t first, n;        /* OBJECT, ARRAY (top-level): its members or items, d->sub[first..+n) */
} ix_jmember;

typedef struct ix_docjson {
    ix_buf buf;               /* the decoded keys and strings */
    ix_jmember *m;            /* the top-level members */
    size_t n, cap;
    ix_jmember *sub;          /* the members and items one level below */
    size_t nsub, subcap;
} ix_docjson;

/* Reads s[0..n) into d (members in their order).  true: it is an object
 * read as above and jansson would accept it; false: not sure (d then
 * holds nothing useful). */
bool ix_docjson_scan(ix_docjson *d, const char *s, size_t n);
/* The same for s known to be valid UTF-8 without a NUL byte (a line
 * crible_doc_read accepted): not checked again. */
bool ix_docjson_scan_utf8(ix_docjson *d, const char *s, size_t n);

/* The string member called key, or NULL. */
const ix_jmember *ix_docjson_string(const ix_docjson *d, const char *key);

void ix_docjson_free(ix_docjson *d);

#endif
