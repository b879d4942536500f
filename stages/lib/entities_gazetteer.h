/*
 * entities_gazetteer.h - lists of names (people, places, platforms, ...)
 * matched over token sequences in time linear in the input: a byte trie over
 * the matching keys of entities_key.h, walked token by token.
 *
 * File format "crible gazetteer" (UTF-8 text, one entry a line, `#` starts a
 * comment line, blank lines are skipped, CRLF accepted):
 *
 *   TYPE<TAB>CANONICAL[<TAB>ALIASES[<TAB>FLAGS]]
 *
 *   PLATFORM	Disney+	Disney +|Disney plus
 *   PLATFORM	X	Twitter	alias
 *   PLATFORM	X		ctx,cap
 *   LOC	Royaume-Uni		cap
 *   firstname	Kevin
 *
 * - TYPE is an entity type (PER LOC ORG PLATFORM WORK, or a custom type
 *   declared in the configuration) or a word class that is only a clue for the
 *   rules: `firstname`, `surname`, `propn` (a proper noun of unknown type),
 *   `none` (never an entity by itself, even capitalised: Noël, BD, Service).
 * - CANONICAL is the value every match reports (the facet value); it is also
 *   matched itself unless FLAGS has `alias`.  ALIASES are other spellings,
 *   separated by `|`.
 * - FLAGS, separated by commas: `cap` (match only when the words written
 *   with a capital in the gazetteer have one in the text too: "Union
 *   européenne" matches "Union européenne", not "union européenne"), `ctx` (only
 *   after a cue word: "sur", "plateforme", "réseau social", "compte", "appli",
 *   "application", "via"), `alias` (see above), `common` (a class entry that
 *   is also a common word: Rose, Pierre).
 * - Matching is case- and accent-insensitive and ignores spaces, hyphens,
 *   apostrophes and dots (entities_key.h): "DISNEY +" matches "Disney+".  A
 *   match starts and ends at token boundaries.  The longest match wins; when
 *   two entries share a key, the one loaded first wins (so a user's
 *   gazetteers, loaded before the defaults, override them).
 * - Errors (CRIBLE_ECONFIG) name the file, line and column:
 *   "places.tsv:12:5: unknown type 'PLACE' (...)".
 */
#ifndef CRIBLE_ENTITIES_GAZETTEER_H
#define CRIBLE_ENTITIES_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The built-in entity types, in this order, ids 0..4; custom types follow. */
enum {
    CRIBLE_ENT_PER, CRIBLE_ENT_LOC, CRIBLE_ENT_ORG, CRIBLE_ENT_PLATFORM,
    CRIBLE_ENT_WORK, CRIBLE_ENT_BUILTIN
};
#define CRIBLE_ENT_MAX_TYPES 64

/* Word classes (bits), for entries that are clues, not entities. */
enum {
    CRIBLE_GAZ_FIRSTNAME = 1, CRIBLE_GAZ_SURNAME = 2, CRIBLE_GAZ_PROPN = 4,
    CRIBLE_GAZ_NONE = 8
};

/* Entry flags. */
enum {
    CRIBLE_GAZ_CAP = 1, CRIBLE_GAZ_CTX = 2, CRIBLE_GAZ_ALIAS = 4, CRIBLE_GAZ_COMMON = 8
};

typedef struct crible_gazetteer_entry {
    int16_t type;        /* entity type id, or -1 for a class entry */
    uint8_t classes;     /* CRIBLE_GAZ_FIRSTNAME... for class entries */
    uint8_t flags;       /* CRIBLE_GAZ_CAP ... */
    int32_t next;        /* next entry with the same key, or -1 */
    uint32_t canonical;  /* offset of the canonical value (crible_gazetteer_string) */
    uint16_t capmask;    /* bit i: word i of the spelling starts with a capital */
    uint8_t nwords;      /* words of the spelling (split at spaces, - and ') */
} crible_gazetteer_entry;

typedef struct crible_gazetteer crible_gazetteer;

/* A new, empty gazetteer knowing the built-in types; NULL on ENOMEM. */
crible_gazetteer *crible_gazetteer_new(crible_error *err);
void crible_gazetteer_free(crible_gazetteer *g);

/* Declares a custom entity type (letters, digits, '_', starting with an
 * upper-case letter; at most CRIBLE_ENT_MAX_TYPES in all); declaring a known
 * one again is fine.  *id receives its id. */
crible_status crible_gazetteer_add_type(crible_gazetteer *g, const char *name,
                                        int *id, crible_error *err);
/* A type's id, or -1; its name; how many there are. */
int crible_gazetteer_type(const crible_gazetteer *g, const char *name);
const char *crible_gazetteer_type_name(const crible_gazetteer *g, int id);
int crible_gazetteer_ntypes(const crible_gazetteer *g);

/* Adds one spelling: `text` is matched and reports `canonical`.  type is an
 * entity type id, or -1 with `classes` set.  A text whose key is empty is
 * CRIBLE_EDATA. */
crible_status crible_gazetteer_add(crible_gazetteer *g, int type, unsigned classes,
                                   unsigned flags, const char *canonical,
                                   const char *text, crible_error *err);

/* Loads one line of the file format (without its "\n"); `where` is
 * "FILE:LINE" for messages.  Comment and blank lines are accepted. */
crible_status crible_gazetteer_add_line(crible_gazetteer *g, const char *line,
                                        size_t len, const char *where,
                                        crible_error *err);
/* Loads a whole file. */
crible_status crible_gazetteer_load_file(crible_gazetteer *g, const char *path,
                                         crible_error *err);

/* --- matching -----------------------------------------------------------
 * Walk the trie one token key at a time from CRIBLE_GAZ_ROOT:
 *   node = CRIBLE_GAZ_ROOT;
 *   for each token j: node = crible_gazetteer_step(g, node, key_j, len_j);
 *                     if (!node) break;
 *                     for (e = crible_gazetteer_first(g, node); e >= 0; e = entry->next) ...
 * step returns 0 when no entry continues with these bytes. */
#define CRIBLE_GAZ_ROOT 1u
uint32_t crible_gazetteer_step(const crible_gazetteer *g, uint32_t node,
                               const char *key, size_t n);
int32_t crible_gazetteer_first(const crible_gazetteer *g, uint32_t node);
const crible_gazetteer_entry *crible_gazetteer_entry_at(const crible_gazetteer *g,
                                                        int32_t i);
const char *crible_gazetteer_string(const crible_gazetteer *g, uint32_t offset);
/* Number of entries (spellings) loaded. */
size_t crible_gazetteer_size(const crible_gazetteer *g);

#endif
