/*
 * entities_document.h - the names a document's own metadata gives the
 * entity tagger (`entities: metadata:`, entities_options.h): the title of
 * the reviewed film is a WORK, a book's author a PER.  crible-entities
 * (reading `# crible.doc`) and crible-index --analyze (reading the
 * document line of crible-read) call the same function, so both tag a
 * document with the same names.
 *
 *   crible_entities_doc_names names = {0};
 *   for each document:
 *       crible_entities_end_document(e);
 *       crible_entities_document_names(e, json_line, &names, &err);
 *       ... crible_entities_tag each sentence ...
 */
#ifndef CRIBLE_ENTITIES_DOCUMENT_H
#define CRIBLE_ENTITIES_DOCUMENT_H

#include "entities.h"

/* The previous document's metadata values (a run of reviews of one film
 * builds its names once).  Zero-initialised: no document yet. */
typedef struct crible_entities_doc_names {
    char last[4096];
} crible_entities_doc_names;

/* The string value of the top-level member `field` of the one-line JSON
 * object `json` (the last one if the key is given twice, as jansson keeps
 * it), decoded, or NULL (absent, not a string, not an object, out of
 * memory); the caller frees.  Read by the plain-JSON fast path
 * (json_fast.h) without a tree; jansson reads the lines it is not sure of. */
char *crible_entities_member_string(const char *json, const char *field);

/* Gives e the names of the document whose JSON line is doc_json (NULL:
 * none) for each metadata field e declares, replacing the previous
 * document's unless the values are the same.  Errors of
 * crible_entities_add_document_name. */
crible_status crible_entities_document_names(crible_entities *e, const char *doc_json,
                                             crible_entities_doc_names *names, crible_error *err);

#endif
