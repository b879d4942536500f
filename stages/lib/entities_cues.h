/*
 * entities_cues.h - private to the entities_*.c files of libcrible: the
 * French cue words of the rules (entities_cues.c), NULL-terminated sets of
 * keys (folded, no accents: "abbe" for "abbé"), and the tests on them.
 */
#ifndef CRIBLE_ENTITIES_CUES_H
#define CRIBLE_ENTITIES_CUES_H

#include "entities_impl.h"

extern const char *const crible_ent_honorifics[];
extern const char *const crible_ent_titles[];
extern const char *const crible_ent_kinship[];
extern const char *const crible_ent_ranks[];
extern const char *const crible_ent_roles[];
extern const char *const crible_ent_work_cues[];
extern const char *const crible_ent_org_heads[];
extern const char *const crible_ent_of_person[];
extern const char *const crible_ent_english_title_words[];
extern const char *const crible_ent_eatery_heads[];
extern const char *const crible_ent_org_words[];
extern const char *const crible_ent_org_nouns[];
extern const char *const crible_ent_loc_heads[];
extern const char *const crible_ent_loc_articles[];
extern const char *const crible_ent_geo_nouns[];
extern const char *const crible_ent_town_nouns[];
extern const char *const crible_ent_event_nouns[];
extern const char *const crible_ent_particle_before[];
extern const char *const crible_ent_loc_preps[];
extern const char *const crible_ent_connectors[];
extern const char *const crible_ent_function_words[];
extern const char *const crible_ent_speech[];

/* Whether k[0..n) is one of set's words. */
bool crible_ent_in_set(const char *k, size_t n, const char *const *set);
/* Whether token i's key is one of set's words. */
bool crible_ent_key_in(const crible_entities *e, size_t i, const char *const *set);
/* Whether token t's form is exactly s. */
bool crible_ent_form_is(const crible_entities_token *t, const char *s);

#endif
