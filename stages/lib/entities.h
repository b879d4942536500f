/*
 * entities.h - the named-entity tagger of crible-entities: finds people,
 * places, organisations, platforms, works and custom types in a sentence of
 * tokens, with a canonical value for each (the facet value).
 *
 *   crible_entities *e = crible_entities_new(gazetteer, &err);  // takes it
 *   for each sentence:
 *       crible_entities_tag(e, tokens, n, &err);
 *       crible_entities_labels(e)[i]  → 0 (O), or a B-/I- label of a type
 *       crible_entities_values(e)[i]  → the canonical value on B- tokens, else NULL
 *   crible_entities_end_document(e);  // forgets the names of this document
 *   crible_entities_free(e);
 *
 * How (in this order; a later step never overrides an earlier one):
 *   1. WORK from « guillemets » (a capitalised title of at most 15 tokens,
 *      not speech after "dit-il :"; a closing « after ? ! is taken as »).
 *   2. the gazetteers (entities_gazetteer.h), longest match, with the cap and
 *      ctx flags checked against the text; the document's own names (from
 *      its metadata: crible_entities_add_document_name) first;
 *   3. rules over capitalised sequences: honorifics (M., Mme, madame...) and
 *      roles (le réalisateur, l'officier de police...) before a name, first
 *      names and surnames from the gazetteers, "le film|la série X", "de|par"
 *      + name after a work, organisation and place head words (Université,
 *      rue...), places after articles, geographic nouns, "à|en|au" and
 *      "de", teams, acronyms, lists ("Lyon, Grenoble et Tarrare"), events
 *      that are no names; a capitalised word at the start of a sentence
 *      counts only with evidence from the gazetteers.
 *      Names already found in the document are found again (Anderson after
 *      Kevin Anderson, with canonical value "Kevin Anderson"), with their
 *      particle once the document wrote it (d'Artagnan, de Wardes).
 *      With crible_entities_set_articles, places and titles take the
 *      article before them into their span.
 *   4. with a model (entities_model.h), an averaged perceptron whose
 *      features include steps 1-3 and how it tagged the same word earlier
 *      in the document (entities_seen.c) decides the labels instead; the
 *      rules keep the spans of types the model does not know and the
 *      particles of names.
 * Canonical values are the display form: the entity's words joined by one
 * space, ’ and ʼ written ' ("lac d'Annecy" for "lac d’Annecy").
 * Labels: 0 is O; for type t, 2t+1 is B-t and 2t+2 is I-t.
 */
#ifndef CRIBLE_ENTITIES_H
#define CRIBLE_ENTITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entities_gazetteer.h"
#include "error.h"

/* Token kinds, from the CRIBLE:TYPE column. */
enum { CRIBLE_ETOK_WORD, CRIBLE_ETOK_NUMBER, CRIBLE_ETOK_PUNCT, CRIBLE_ETOK_OTHER };

typedef struct crible_entities_token {
    const char *form;   /* the surface text (FORM), not NUL-terminated needed */
    size_t form_len;
    const char *norm;   /* the normal form (CRIBLE:NORM) */
    size_t norm_len;
    long start, end;    /* byte offsets (CRIBLE:START/END), or -1 when unknown */
    int kind;           /* CRIBLE_ETOK_* */
} crible_entities_token;

/* The kind for a CRIBLE:TYPE value ("word", "punct", ...). */
int crible_entities_token_kind(const char *type);

typedef struct crible_entities crible_entities;
typedef struct crible_entities_model crible_entities_model;

/* A tagger over gazetteer g, which it takes (and frees); NULL on ENOMEM
 * (g is freed then too). */
crible_entities *crible_entities_new(crible_gazetteer *g, crible_error *err);
void crible_entities_free(crible_entities *e);

const crible_gazetteer *crible_entities_gazetteer(const crible_entities *e);

/* Rules on (the default) or off (gazetteers only). */
void crible_entities_set_rules(crible_entities *e, bool on);
/* Off (the default): "la [France]", "le [duc de Guise]" — the convention of
 * WikiNEuRal, HIPE and most press annotation.  On: the article before a
 * place, or before a title the rules put in a person's span, begins the
 * span ("[la France]", "[au Louvre]", "[le duc de Guise]"), as the
 * annotators of literary corpora (7 romans) do.  Values are unchanged. */
void crible_entities_set_articles(crible_entities *e, bool on);
/* Uses model m (taken, freed with e; NULL: none).  The model's labels must
 * name types the gazetteer knows: CRIBLE_ECONFIG otherwise. */
crible_status crible_entities_set_model(crible_entities *e, crible_entities_model *m,
                                        crible_error *err);

/* Tags one sentence.  The results stay valid until the next call. */
crible_status crible_entities_tag(crible_entities *e, const crible_entities_token *t,
                                  size_t n, crible_error *err);
const uint16_t *crible_entities_labels(const crible_entities *e);
const char *const *crible_entities_values(const crible_entities *e);
/* "O", "B-PER", "I-PER", ... for a label; NULL if out of range. */
const char *crible_entities_label_name(const crible_entities *e, uint16_t label);
/* The label for a name such as "B-PER", or -1. */
int crible_entities_label_parse(const crible_entities *e, const char *name);
uint16_t crible_entities_nlabels(const crible_entities *e);

/* Adds a name this document is known to contain (from its metadata: the
 * title of the reviewed film is a WORK, a book's author a PER), matched like
 * a gazetteer entry with the `cap` flag until
 * crible_entities_clear_document_names (the caller decides: consecutive
 * reviews of one film keep the same names); it wins over the gazetteers.
 * A title with a dash ("Les Grands Buffets - Narbonne", "Dune – Tome 1")
 * is also found by the part before its last dash, with the whole title as
 * its value.  A text with nothing to match is ignored. */
crible_status crible_entities_add_document_name(crible_entities *e, int type,
                                                const char *text, crible_error *err);
void crible_entities_clear_document_names(crible_entities *e);

/* Metadata fields whose string value names an entity of the document
 * (`entities: metadata:`): crible-entities reads them from `# crible.doc`
 * and calls crible_entities_add_document_name.  field is copied. */
crible_status crible_entities_add_metadata_field(crible_entities *e, const char *field,
                                                 int type, crible_error *err);
/* A metadata field whose type another member of the document selects:
 * `field` names a `type` when member `by` has the value `value` (called
 * once per value, consecutively for one field; another value of `by`, or
 * none: the field names nothing).  Strings are copied. */
crible_status crible_entities_add_metadata_choice(crible_entities *e, const char *field,
                                                  const char *by, const char *value, int type,
                                                  crible_error *err);
size_t crible_entities_nmetadata(const crible_entities *e);
/* Field i's name; *type its fixed type, -1 when chosen by another member. */
const char *crible_entities_metadata_field(const crible_entities *e, size_t i, int *type);
/* The member choosing field i's type, or NULL (a fixed type). */
const char *crible_entities_metadata_by(const crible_entities *e, size_t i);
/* Field i's type when its `by` member has `value` (NULL: absent), -1 for
 * none; a fixed type whatever the value. */
int crible_entities_metadata_choice(const crible_entities *e, size_t i, const char *value);

/* Called between documents: names remembered from the text are dropped
 * (not those of crible_entities_add_document_name). */
void crible_entities_end_document(crible_entities *e);

/* --- the rule tagger alone (used as features by the model) --------------- */
/* Fills labels[n] (0 = O) and values[n] by steps 1-3 above.  Scratch lives
 * in e. */
crible_status crible_entities_rules(crible_entities *e, const crible_entities_token *t,
                                    size_t n, uint16_t *labels, crible_error *err);

/* One training step of model m (entities_model.h) on a sentence whose gold
 * labels are m's label indexes; *wrong receives the tokens it got wrong. */
crible_status crible_entities_learn(crible_entities *e, crible_entities_model *m,
                                    const crible_entities_token *t, size_t n,
                                    const uint16_t *gold, size_t *wrong,
                                    crible_error *err);

#endif
