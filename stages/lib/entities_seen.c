/*
 * entities_seen.c - owns the document's record of how the model tagged each
 * word so far (a feature of the model, entities_model.c): a name is tagged
 * the same way throughout a document more often than not, so "Tréville"
 * tagged PER ten times after "M. de Tréville" is evidence for the next
 * "de Tréville" the rules would call a place.
 *
 * The record is a hash table from a word's key (entities_key.h) to counts
 * by slot: 0 the word capitalised and tagged O, 1 PER, 2 LOC, 3 ORG, 4 any
 * other type.  It holds at most 65,536 words (then it stops growing: the
 * memory stays flat however long the document) and is emptied by
 * crible_entities_end_document.  The tagger reads it into info[i].seen
 * before the model tags a sentence and adds the sentence's labels after;
 * training does the same with the labels the model predicted, so that the
 * feature means the same thing in both.
 *
 * info[i].seen: 0 when the word has no record (or is no word); else
 *   bits 0-2  the slot with the largest count, plus 1
 *   bits 3-4  that count: 0 once, 1 two to four times, 2 five or more
 *   bit  5    every count is in that slot (the document never disagreed)
 */
#include "entities_impl.h"

#include <stdlib.h>
#include <string.h>

#define SEEN_MAX 65536u

static uint64_t seen_hash(const char *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)k[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

static int slot_of(uint16_t label)
{
    if (label == 0) return 0;
    int type = (label - 1) / 2;
    if (type == CRIBLE_ENT_PER) return 1;
    if (type == CRIBLE_ENT_LOC) return 2;
    if (type == CRIBLE_ENT_ORG) return 3;
    return 4;
}

/* Whether token i is recorded: a word of two or more key bytes, written
 * with a capital or inside an entity. */
static bool recorded(const crible_entities *e, size_t i, uint16_t label)
{
    const crible_ent_info *in = &e->info[i];
    return in->word && in->key_len >= 2 && (in->cap || label != 0);
}

static crible_ent_seen *find(const crible_entities *e, uint64_t h)
{
    if (!e->seen_cap) return NULL;
    for (size_t k = h & (e->seen_cap - 1);; k = (k + 1) & (e->seen_cap - 1)) {
        if (e->seen[k].hash == h) return &e->seen[k];
        if (!e->seen[k].hash) return NULL;
    }
}

static bool grow(crible_entities *e)
{
    size_t cap = e->seen_cap ? e->seen_cap * 2 : 1024;
    crible_ent_seen *s = calloc(cap, sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < e->seen_cap; i++) {
        if (!e->seen[i].hash) continue;
        size_t k = e->seen[i].hash & (cap - 1);
        while (s[k].hash) k = (k + 1) & (cap - 1);
        s[k] = e->seen[i];
    }
    free(e->seen);
    e->seen = s;
    e->seen_cap = cap;
    return true;
}

void crible_ent_seen_read(crible_entities *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crible_ent_info *in = &e->info[i];
        in->seen = 0;
        if (!e->nseen || !in->word || in->key_len < 2) continue;
        const crible_ent_seen *s = find(e, seen_hash(e->keys + in->key_off, in->key_len));
        if (!s) continue;
        int best = 0;
        unsigned total = 0;
        for (int k = 0; k < CRIBLE_ENT_SEEN_SLOTS; k++) {
            total += s->count[k];
            if (s->count[k] > s->count[best]) best = k;
        }
        if (!s->count[best]) continue;
        unsigned c = s->count[best], bucket = c >= 5 ? 2 : c >= 2 ? 1 : 0;
        in->seen = (uint8_t)((unsigned)(best + 1) | bucket << 3 | (total == c) << 5);
    }
}

void crible_ent_seen_add(crible_entities *e, const uint16_t *labels, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!recorded(e, i, labels[i])) continue;
        const crible_ent_info *in = &e->info[i];
        uint64_t h = seen_hash(e->keys + in->key_off, in->key_len);
        crible_ent_seen *s = find(e, h);
        if (!s) {
            if (e->nseen >= SEEN_MAX) continue;
            if ((e->nseen + 1) * 2 > e->seen_cap && !grow(e)) return;
            size_t k = h & (e->seen_cap - 1);
            while (e->seen[k].hash) k = (k + 1) & (e->seen_cap - 1);
            s = &e->seen[k];
            s->hash = h;
            e->nseen++;
        }
        uint16_t *c = &s->count[slot_of(labels[i])];
        if (*c < UINT16_MAX) (*c)++;
    }
}

void crible_ent_seen_clear(crible_entities *e)
{
    if (e->seen) memset(e->seen, 0, e->seen_cap * sizeof *e->seen);
    e->nseen = 0;
}
