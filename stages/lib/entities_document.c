/*
 * entities_document.c - a document's metadata names for the entity tagger
 * (entities_document.h).  The values of the metadata fields are joined,
 * each with the type it names (fixed, or chosen by another member: `by`),
 * separated by 0x1F, into a key; while the key stays that of the previous
 * document, the tagger keeps its names.
 */
#include "entities_document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_fast.h"

char *crible_entities_member_string(const char *json, const char *field)
{
    size_t n = strlen(json), len;
    const char *span;
    crible_json_doc doc;
    if (crible_json_doc_scan(json, n, &doc)) {   /* the plain case: no tree */
        if (!crible_json_member_find(json, n, field, &span, &len)) return NULL;
        char *out = malloc(len + 1);
        if (out) crible_json_unescape(span, len, out);
        return out;
    }
    json_t *root = json_loads(json, 0, NULL);    /* not sure: jansson decides */
    json_t *v = json_object_get(root, field);
    char *out = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
    json_decref(root);
    return out;
}

crible_status crible_entities_document_names(crible_entities *e, const char *doc_json,
                                             crible_entities_doc_names *names, crible_error *err)
{
    size_t nmeta = crible_entities_nmetadata(e);
    if (nmeta == 0) return CRIBLE_OK;
    char *values[16] = {0};
    int types[16];
    char key[sizeof names->last];
    size_t len = 0;
    key[0] = '\0';
    for (size_t i = 0; i < nmeta; i++) {
        int type;
        const char *field = crible_entities_metadata_field(e, i, &type);
        const char *by = crible_entities_metadata_by(e, i);
        char *by_value = by && doc_json ? crible_entities_member_string(doc_json, by) : NULL;
        types[i] = crible_entities_metadata_choice(e, i, by_value);
        free(by_value);
        if (types[i] >= 0 && doc_json) values[i] = crible_entities_member_string(doc_json, field);
        /* the key holds each name with its type: a title that stays while
         * its type changes is given again */
        len += (size_t)snprintf(key + len, len < sizeof key ? sizeof key - len : 0, "%d:%s\x1f",
                                values[i] ? types[i] : -1, values[i] ? values[i] : "");
        if (len >= sizeof key) len = sizeof key - 1;
    }
    crible_status st = CRIBLE_OK;
    if (strcmp(key, names->last) != 0) {
        snprintf(names->last, sizeof names->last, "%s", key);
        crible_entities_clear_document_names(e);
        for (size_t i = 0; st == CRIBLE_OK && i < nmeta; i++)
            if (values[i] && *values[i])
                st = crible_entities_add_document_name(e, types[i], values[i], err);
    }
    for (size_t i = 0; i < nmeta; i++) free(values[i]);
    return st;
}
