/*
 * entities_impl.h - private to the entities_*.c files of libcrible: the
 * tagger's object and its per-sentence scratch (grown, never shrunk, so that
 * tagging a sentence allocates nothing once the buffers are warm).
 */
#ifndef CRIBLE_ENTITIES_IMPL_H
#define CRIBLE_ENTITIES_IMPL_H

#include "entities.h"
#include "entities_model.h"

#define CRIBLE_ENT_NLABELS (2 * CRIBLE_ENT_MAX_TYPES + 1)
#define CRIBLE_ENT_NOVALUE UINT32_MAX

/* What the rules know about one token. */
typedef struct crible_ent_info {
    uint32_t key_off;     /* its key in scratch.keys */
    uint16_t key_len;
    uint32_t cues;        /* the cue sets its key is a word of (entities_cues.h) */
    uint8_t word, cap, allcaps, init;   /* booleans; init: starts a sentence */
    uint8_t classes;      /* CRIBLE_GAZ_FIRSTNAME... of the token alone */
    uint8_t common;       /* its class entry is also a common word */
    int16_t gtype;        /* gazetteer span starting here: its type, or -1 */
    uint16_t gend;        /* ... and its end (exclusive) */
    int32_t gentry;       /* ... and its entry */
    uint8_t quote;        /* inside a WORK quote */
    uint8_t reason;       /* why the rules labelled it: enum crible_ent_reason */
    uint8_t gdoc;         /* its gazetteer span is from the document's names */
    uint8_t seen;         /* how the document tagged this word so far (entities_seen.c) */
} crible_ent_info;

/* Why a rule labelled a token (a feature of the model). */
enum crible_ent_reason {
    R_NONE, R_QUOTE, R_GAZ, R_HONORIFIC, R_WORKCUE, R_ROLE, R_AFTERWORK, R_MEMO,
    R_FIRSTNAME, R_ORGHEAD, R_LOCHEAD, R_NAMECLASS, R_LOCPREP, R_ACRONYM, R_PROPN,
    R_DEFAULT, R_GEONOUN, R_ARTICLE, R_TEAM, R_NOTNAME, R_TITLE, R_DEPLACE, R_LIST
};

/* A word of the document and how often it was tagged O (capitalised), PER,
 * LOC, ORG or another type (entities_seen.c). */
#define CRIBLE_ENT_SEEN_SLOTS 5
typedef struct crible_ent_seen {
    uint64_t hash;        /* 0: empty slot */
    uint16_t count[CRIBLE_ENT_SEEN_SLOTS];
} crible_ent_seen;

/* A name remembered for the rest of the document. */
typedef struct crible_ent_memo {
    uint64_t hash;        /* 0: empty slot */
    int16_t type;
    uint32_t key_off, key_len, value_off;   /* in memo_pool */
} crible_ent_memo;

/* A metadata field naming an entity of the document: of type `type`, or,
 * when `by` is set, of the type the value of member `by` selects
 * (choices[i] -> choice_types[i]; another value: no name). */
typedef struct crible_ent_meta {
    char *field;
    char *by;
    int type;
    char **choices;
    int *choice_types;
    size_t nchoices;
} crible_ent_meta;

struct crible_entities {
    crible_gazetteer *g;
    crible_gazetteer *doc_names;   /* this document's names (metadata), or NULL */
    crible_ent_meta meta[16];      /* `entities: metadata:` fields */
    size_t nmeta;
    bool rules;
    bool articles;        /* spans begin at the article (crible_entities_set_articles) */
    crible_entities_model *model;
    char label_names[CRIBLE_ENT_NLABELS][40];
    /* results and scratch, cap tokens each */
    size_t cap;
    uint16_t *labels, *rule_labels, *rule_own;   /* rule_own: the rules' labels */
    uint32_t *value_off;
    const char **values;
    crible_ent_info *info;
    char *keys;
    size_t keys_cap;
    char *arena;          /* rule-made canonical values, this sentence */
    size_t arena_len, arena_cap;
    /* the document's memory */
    crible_ent_memo *memo;
    size_t nmemo, memo_cap;
    char *memo_pool;
    size_t memo_len, memo_pool_cap;
    /* how the model tagged the document's words (entities_seen.c) */
    crible_ent_seen *seen;
    size_t nseen, seen_cap;
};

/* Appends the display text of tokens [a, b) to e->arena (tokens joined by
 * one space where the offsets show a gap, ’ written ', runs of spaces as
 * one) and returns its offset, or CRIBLE_ENT_NOVALUE on ENOMEM or when the
 * text is only spaces. */
uint32_t crible_ent_arena_text(crible_entities *e, const crible_entities_token *t,
                               size_t a, size_t b);
/* Makes room for n tokens in every per-token buffer. */
crible_status crible_ent_reserve(crible_entities *e, size_t n, crible_error *err);
/* Computes e->info[0..n) (keys, capitals, gazetteer spans). */
crible_status crible_ent_prepare(crible_entities *e, const crible_entities_token *t,
                                 size_t n, crible_error *err);

/* The canonical value of the gazetteer span starting at token i. */
const char *crible_ent_gaz_value(const crible_entities *e, size_t i);

/* The document memory: remember a found name; look one up by key. */
void crible_ent_memo_put(crible_entities *e, int type, const char *key, size_t key_len,
                         const char *value);
const crible_ent_memo *crible_ent_memo_get(const crible_entities *e, const char *key,
                                           size_t key_len);

/* The document's record of tagged words: info[0..n).seen from it; the
 * sentence's labels (the tagger's label numbers) into it; emptied. */
void crible_ent_seen_read(crible_entities *e, size_t n);
void crible_ent_seen_add(crible_entities *e, const uint16_t *labels, size_t n);
void crible_ent_seen_clear(crible_entities *e);

/* The rules (entities_rules.c): labels tokens [a, b) with type and value
 * unless one of them is taken (false then); a string copied into the arena
 * (its offset); the words of a title [a, b) remembered for the document;
 * whether the document remembers word i as a word of a title. */
bool crible_ent_put_span(crible_entities *e, uint16_t *labels, size_t a, size_t b, int type,
                         uint32_t value);
uint32_t crible_ent_arena_string(crible_entities *e, const char *s);
void crible_ent_remember_work(crible_entities *e, size_t a, size_t b, uint32_t value);
bool crible_ent_work_word(const crible_entities *e, size_t i);
/* Step 1, a WORK in guillemets (entities_quotes.c), and step 3, the
 * capitalised sequences (entities_runs.c): label tokens [0, n) in labels. */
void crible_ent_quoted_works(crible_entities *e, const crible_entities_token *t, size_t n,
                             uint16_t *labels);
void crible_ent_capitalised_runs(crible_entities *e, const crible_entities_token *t, size_t n,
                                 uint16_t *labels);

#endif
