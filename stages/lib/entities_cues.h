/*
 * entities_cues.h - private to the entities_*.c files of libcrible: the
 * French cue words of the rules (entities_cues.c): named sets of keys
 * (folded, no accents: "abbe" for "abbé"), and the tests on them.
 */
#ifndef CRIBLE_ENTITIES_CUES_H
#define CRIBLE_ENTITIES_CUES_H

#include "entities_impl.h"

/* The named cue sets (entities_cues.c), each a bit of a token's `cues`
 * (crible_ent_info), found by one hash lookup of its key per token. */
enum crible_ent_cue {
    CUE_HONORIFICS, CUE_TITLES, CUE_KINSHIP, CUE_RANKS, CUE_ROLES, CUE_WORK_CUES,
    CUE_ORG_HEADS, CUE_OF_PERSON, CUE_ENGLISH_TITLE_WORDS, CUE_EATERY_HEADS,
    CUE_ORG_WORDS, CUE_ORG_NOUNS, CUE_LOC_HEADS, CUE_LOC_ARTICLES, CUE_GEO_NOUNS,
    CUE_TOWN_NOUNS, CUE_EVENT_NOUNS, CUE_PARTICLE_BEFORE, CUE_LOC_PREPS, CUE_CONNECTORS,
    CUE_FUNCTION_WORDS, CUE_SPEECH, CUE_COUNT
};

/* The bits (1 << CUE_...) of the cue sets k[0..n) is a word of. */
uint32_t crible_ent_cues_of(const char *k, size_t n);
/* Whether k[0..n) is a word of cue set c. */
bool crible_ent_in_cue(const char *k, size_t n, enum crible_ent_cue c);
/* Whether token i's key is a word of cue set c (its bit, from
 * crible_ent_prepare). */
bool crible_ent_key_cue(const crible_entities *e, size_t i, enum crible_ent_cue c);
/* Whether k[0..n) is one of set's words (a short NULL-terminated list
 * written where it is used). */
bool crible_ent_in_set(const char *k, size_t n, const char *const *set);
/* Whether token i's key is one of set's words. */
bool crible_ent_key_in(const crible_entities *e, size_t i, const char *const *set);
/* Whether token t's form is exactly s. */
bool crible_ent_form_is(const crible_entities_token *t, const char *s);

#endif
