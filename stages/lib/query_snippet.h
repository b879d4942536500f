/*
 * query_snippet.h - the passages shown under a hit: one or two of the best
 * sentences of a field, cut at sentence boundaries, with the surface words
 * that matched marked by their byte offsets in the original text.
 *
 * Input is what the index stores (index.h): the field's original text, each
 * token's byte span, each sentence's first token, and the positions of the
 * tokens the query matched.  Output spans refer to the original bytes, so a
 * highlight is exactly what the document says: "l’enfer" (the elision is
 * part of the word it is glued to), "Déçu" — never the stem, never a bare
 * "l'" on its own.
 *
 * Example: text "Déçu. L’enfer du harcèlement, vu par Netflix.", query
 * `enfer harcelement`, max_bytes 200: one fragment, the second sentence
 * (it holds both words), highlights "L’enfer" and "harcèlement".
 */
#ifndef CRIBLE_QUERY_SNIPPET_H
#define CRIBLE_QUERY_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct crible_span {
    size_t start, end;      /* byte offsets in the field's text, end exclusive */
} crible_span;

/* One matched token: its position and which query term it matched (so that
 * a passage holding several different words ranks above one repeating a
 * word).  `weak`: a stop word matched outside a phrase (counted, not shown
 * alone). */
typedef struct crible_snippet_hit {
    uint32_t pos;
    uint32_t term;
    bool weak;
} crible_snippet_hit;

typedef struct crible_snippet_input {
    const char *text;
    size_t text_len;
    uint32_t ntokens;
    const uint32_t *tok_start, *tok_end;   /* byte spans, by position */
    const uint32_t *sent_start;            /* first position of each sentence */
    uint32_t nsent;                        /* 0: the whole text is one sentence */
    const crible_snippet_hit *hits;        /* any order; positions < ntokens */
    size_t nhits;
} crible_snippet_input;

typedef struct crible_snippet {
    size_t nfrag;
    crible_span frag[2];          /* passages in text order */
    bool cut_before[2], cut_after[2]; /* passage cut inside a sentence ("…") */
    size_t nmark;
    crible_span *mark;            /* highlights, increasing, inside the passages */
    size_t mark_cap;
} crible_snippet;

typedef struct crible_snippet_options {
    size_t max_bytes;       /* total passage length target (default 220) */
    int max_fragments;      /* 1 or 2 (default 2) */
} crible_snippet_options;

void crible_snippet_init(crible_snippet *s);
void crible_snippet_free(crible_snippet *s);

/* Chooses the passages and the highlights.  Without hits, the passage is the
 * beginning of the text.  Reuses s's buffers.  CRIBLE_ENOMEM only. */
crible_status crible_snippet_build(const crible_snippet_input *in,
                                   const crible_snippet_options *opts,
                                   crible_snippet *s, crible_error *err);

#endif
