/*
 * query_parse.h - crible's query language: its syntax tree and its parser.
 *
 * The language (README "Query language"), by example:
 *
 *   harcèlement réseaux        both words (implicit AND; `default_or` makes it OR)
 *   netflix OR disney+         either word
 *   film NOT navet, film -navet   without
 *   (drôle OR hilarant) film   grouping
 *   "pas bon"                  phrase: these words, in this order, side by side
 *   enfer NEAR/3 vie           within 3 words of each other (either order)
 *   enfer NEAR/s vie           in the same sentence
 *   réalis*                    every dictionary term with this prefix
 *   acteru~  acteru~2          within edit distance 1 (2) in the dictionary
 *   =victimes                  exact form: this word is not stemmed
 *   title:enfer  person:"Kevin Anderson"  platform:netflix  org:  place:  work:
 *                              a field (text, title, an entity type, metadata)
 *   rating>=4  rating<3  date:2020..2021  rating:3..5  source:allocine.fr
 *                              metadata filters
 *
 * Operators are upper case (AND OR NOT NEAR): "or" and "et" are French words.
 * Punctuation inside a word is part of the word and goes to the analyser:
 * l'avion, arc-en-ciel, chef-d'œuvre, 4/5, disney+ are words, never errors.
 * Precedence, loosest first: OR, AND (explicit or implicit), NEAR, unary.
 *
 * A malformed query is CRIBLE_EDATA with a crible_query_syntax telling the
 * byte offset and a hint, which crible_query_syntax_format() draws as
 *
 *     crible-query: syntax error at column 8: unbalanced parenthesis
 *       (enfer OR vie
 *       ^
 *       hint: close it with ')' or quote it: "("
 *
 * The parser never crashes on any input (fuzzed: tests/tools/fuzz_query.c).
 */
#ifndef CRIBLE_QUERY_PARSE_H
#define CRIBLE_QUERY_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum crible_qkind {
    CRIBLE_Q_WORD,     /* text: one user word (may analyse into several terms) */
    CRIBLE_Q_PHRASE,   /* text: the words between the quotes */
    CRIBLE_Q_AND,      /* children: all */
    CRIBLE_Q_OR,       /* children: any */
    CRIBLE_Q_NOT,      /* child[0]: must not match (only inside AND, or alone) */
    CRIBLE_Q_NEAR,     /* children (2+): within `near` words; near < 0: same sentence */
    CRIBLE_Q_RANGE     /* field op value: lo..hi (either may be NULL: open) */
} crible_qkind;

enum {
    CRIBLE_QF_EXACT = 1,   /* =word: no stemming */
    CRIBLE_QF_PREFIX = 2,  /* word*: prefix over the dictionary */
    CRIBLE_QF_FUZZY = 4    /* word~N: edit distance `fuzzy` */
};

typedef struct crible_qnode crible_qnode;
struct crible_qnode {
    crible_qkind kind;
    char *field;            /* NULL: the default fields (title and text) */
    char *text;             /* WORD, PHRASE: the user's text, unanalysed */
    unsigned flags;         /* CRIBLE_QF_* */
    int fuzzy;              /* WORD with FUZZY: 1 or 2 */
    int near;               /* NEAR: max words between; -1 = same sentence */
    char *lo, *hi;          /* RANGE: bounds as written (NULL: open) */
    bool lo_incl, hi_incl;  /* RANGE: whether the bounds are included */
    size_t pos, len;        /* where in the query string (bytes) */
    size_t nchild;
    crible_qnode **child;
};

typedef struct crible_query_syntax {
    size_t pos;             /* byte offset of the problem in the query */
    char message[160];      /* "unbalanced parenthesis" */
    char hint[200];         /* "close it with ')' ..." ("" if none) */
} crible_query_syntax;

typedef struct crible_query_parse_options {
    bool default_or;        /* words without operator are OR'ed (default AND) */
    int near_default;       /* NEAR without /n (default 10) */
} crible_query_parse_options;

/* Parses `query` (UTF-8, NUL-terminated).  On success *out is the tree (free
 * with crible_qnode_free).  On a syntax error returns CRIBLE_EDATA, fills
 * *syntax (may be NULL) and err with "syntax error at column N: MESSAGE".
 * opts NULL means the defaults.  An empty query is an error too. */
crible_status crible_query_parse(const char *query, const crible_query_parse_options *opts,
                                 crible_qnode **out, crible_query_syntax *syntax,
                                 crible_error *err);

void crible_qnode_free(crible_qnode *node);

/* Draws the error as three lines (the query, a caret under the column, the
 * hint) into buf; returns buf.  Columns count code points, not bytes. */
char *crible_query_syntax_format(const char *query, const crible_query_syntax *syntax,
                                 char *buf, size_t n);

/* Writes the tree in a Lisp-like form for --explain and tests:
 *   (AND (WORD "enfer") (NOT (WORD "vie")) (PHRASE title "pas bon"))
 * Returns the length it needed (snprintf-like). */
size_t crible_qnode_print(const crible_qnode *node, char *buf, size_t n);

#endif
