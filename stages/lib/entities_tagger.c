/*
 * entities_tagger.c - owns the tagger object of entities.h: its buffers,
 * label names, the per-sentence preparation (keys, capitals, gazetteer
 * spans), the document memory, and the choice between rules and model.
 * The rules themselves are in entities_rules.c, the model in
 * entities_model.c.
 */
#include "entities_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entities_cues.h"
#include "entities_key.h"

int crible_entities_token_kind(const char *type)
{
    if (strcmp(type, "word") == 0 || strcmp(type, "hashtag") == 0 ||
        strcmp(type, "mention") == 0)
        return CRIBLE_ETOK_WORD;
    if (strcmp(type, "number") == 0) return CRIBLE_ETOK_NUMBER;
    if (strcmp(type, "punct") == 0) return CRIBLE_ETOK_PUNCT;
    return CRIBLE_ETOK_OTHER;
}

static void name_labels(crible_entities *e)
{
    strcpy(e->label_names[0], "O");
    int n = crible_gazetteer_ntypes(e->g);
    for (int t = 0; t < n; t++) {
        const char *name = crible_gazetteer_type_name(e->g, t);
        snprintf(e->label_names[2 * t + 1], 40, "B-%s", name);
        snprintf(e->label_names[2 * t + 2], 40, "I-%s", name);
    }
}

crible_entities *crible_entities_new(crible_gazetteer *g, crible_error *err)
{
    crible_entities *e = crible_malloc(sizeof *e, err);
    if (!e) {
        crible_gazetteer_free(g);
        return NULL;
    }
    memset(e, 0, sizeof *e);
    e->g = g;
    e->rules = true;
    name_labels(e);
    return e;
}

void crible_entities_free(crible_entities *e)
{
    if (!e) return;
    crible_gazetteer_free(e->g);
    crible_gazetteer_free(e->doc_names);
    for (size_t i = 0; i < e->nmeta; i++) {
        crible_ent_meta *m = &e->meta[i];
        for (size_t j = 0; j < m->nchoices; j++) free(m->choices[j]);
        free(m->choices);
        free(m->choice_types);
        free(m->field);
        free(m->by);
    }
    crible_entities_model_free(e->model);
    free(e->labels);
    free(e->rule_labels);
    free(e->rule_own);
    free(e->value_off);
    free(e->values);
    free(e->info);
    free(e->keys);
    free(e->arena);
    free(e->memo);
    free(e->memo_pool);
    free(e->seen);
    free(e);
}

const crible_gazetteer *crible_entities_gazetteer(const crible_entities *e) { return e->g; }

void crible_entities_set_rules(crible_entities *e, bool on) { e->rules = on; }
void crible_entities_set_articles(crible_entities *e, bool on) { e->articles = on; }

crible_status crible_entities_set_model(crible_entities *e, crible_entities_model *m,
                                        crible_error *err)
{
    if (m) {
        for (size_t i = 1; i < crible_entities_model_nlabels(m); i++) {
            const char *l = crible_entities_model_label(m, i);
            int id;
            if (strlen(l) < 3 || (l[0] != 'B' && l[0] != 'I') || l[1] != '-' ||
                crible_gazetteer_add_type(e->g, l + 2, &id, err) != CRIBLE_OK) {
                crible_entities_model_free(m);
                return crible_error_set(err, CRIBLE_EDATA,
                                        "the model has a label '%s' that is not B-TYPE "
                                        "or I-TYPE", l);
            }
        }
        name_labels(e);
    }
    crible_entities_model_free(e->model);
    e->model = m;
    return CRIBLE_OK;
}

const uint16_t *crible_entities_labels(const crible_entities *e) { return e->labels; }
const char *const *crible_entities_values(const crible_entities *e)
{
    return (const char *const *)e->values;
}

uint16_t crible_entities_nlabels(const crible_entities *e)
{
    return (uint16_t)(2 * crible_gazetteer_ntypes(e->g) + 1);
}

const char *crible_entities_label_name(const crible_entities *e, uint16_t label)
{
    return label < crible_entities_nlabels(e) ? e->label_names[label] : NULL;
}

int crible_entities_label_parse(const crible_entities *e, const char *name)
{
    for (uint16_t l = 0; l < crible_entities_nlabels(e); l++)
        if (strcmp(e->label_names[l], name) == 0) return l;
    return -1;
}

/* --- buffers -------------------------------------------------------------- */

#define GROW(ptr, n, err)                                                    \
    do {                                                                     \
        void *p_ = crible_realloc((ptr), (n) * sizeof *(ptr), (err));        \
        if (!p_) return CRIBLE_ENOMEM;                                       \
        (ptr) = p_;                                                          \
    } while (0)

crible_status crible_ent_reserve(crible_entities *e, size_t n, crible_error *err)
{
    if (n <= e->cap) return CRIBLE_OK;
    size_t cap = e->cap ? e->cap : 64;
    while (cap < n) cap *= 2;
    GROW(e->labels, cap, err);
    GROW(e->rule_labels, cap, err);
    GROW(e->rule_own, cap, err);
    GROW(e->value_off, cap, err);
    GROW(e->values, cap, err);
    GROW(e->info, cap, err);
    e->cap = cap;
    return CRIBLE_OK;
}

/* The first character of f[0..len) as it is written in a value, and its
 * length in bytes: ’ (U+2019) and ʼ (U+02BC) as ', no-break spaces (U+00A0,
 * U+202F), tabs and line ends as a space, every other byte as itself. */
static size_t display_char(const unsigned char *f, size_t len, char *c)
{
    if (len >= 3 && f[0] == 0xE2 && f[1] == 0x80 && (f[2] == 0x99 || f[2] == 0xAF)) {
        *c = f[2] == 0x99 ? '\'' : ' ';
        return 3;
    }
    if (len >= 2 && ((f[0] == 0xC2 && f[1] == 0xA0) || (f[0] == 0xCA && f[1] == 0xBC))) {
        *c = f[0] == 0xC2 ? ' ' : '\'';
        return 2;
    }
    *c = f[0] == '\t' || f[0] == '\n' || f[0] == '\r' ? ' ' : (char)f[0];
    return 1;
}

uint32_t crible_ent_arena_text(crible_entities *e, const crible_entities_token *t,
                               size_t a, size_t b)
{
    size_t need = 1;
    for (size_t i = a; i < b; i++) need += t[i].form_len + 1;
    if (e->arena_len + need > e->arena_cap) {
        size_t cap = e->arena_cap ? e->arena_cap : 4096;
        while (cap < e->arena_len + need) cap *= 2;
        char *p = realloc(e->arena, cap);
        if (!p) return CRIBLE_ENT_NOVALUE;
        e->arena = p;
        e->arena_cap = cap;
    }
    uint32_t off = (uint32_t)e->arena_len;
    char *start = e->arena + off, *o = start;
    /* the display form written one way: one space between words however
     * the text spaced them, ’ as ' ("l’Oréal" and "l'Oréal" are one value) */
    for (size_t i = a; i < b; i++) {
        if (i > a && (t[i].start < 0 || t[i - 1].end < 0 || t[i].start > t[i - 1].end) &&
            o > start && o[-1] != ' ')
            *o++ = ' ';
        const unsigned char *f = (const unsigned char *)t[i].form;
        for (size_t k = 0; k < t[i].form_len;) {
            char c;
            k += display_char(f + k, t[i].form_len - k, &c);
            if (c != ' ' || (o > start && o[-1] != ' ')) *o++ = c;
        }
    }
    while (o > start && o[-1] == ' ') o--;
    if (o == start) return CRIBLE_ENT_NOVALUE;   /* nothing but spaces: no value */
    *o++ = '\0';
    e->arena_len = (size_t)(o - e->arena);
    return off;
}

/* --- preparation ---------------------------------------------------------- */

static bool opens_sentence(const crible_entities_token *t)
{
    static const char *const marks[] = {".", "!", "?", "…", ":", "«", "\"", "“",
                                        "—", "–", "-", "(", "[", "...", NULL};
    if (t->kind != CRIBLE_ETOK_PUNCT && t->kind != CRIBLE_ETOK_OTHER) return false;
    for (int i = 0; marks[i]; i++)
        if (t->form_len == strlen(marks[i]) && memcmp(t->form, marks[i], t->form_len) == 0)
            return true;
    return false;
}

/* Whether a gazetteer entry may match tokens [a, b): its flags checked. */
static bool entry_fits(const crible_entities *e, const crible_gazetteer_entry *en,
                       const crible_entities_token *t, size_t n, size_t a, size_t b)
{
    const crible_ent_info *in = e->info;
    /* "L'une" is not "Lune": a match that starts with an elided word must
     * have as many words as the spelling ("L'Équipe" has two) */
    size_t words = 0;
    for (size_t i = a; i < b; i++) words += in[i].word;
    if (words != en->nwords && t[a].form_len >= 2 &&
        (t[a].form[t[a].form_len - 1] == '\'' ||
         (t[a].form_len >= 4 && !memcmp(t[a].form + t[a].form_len - 3, "\xe2\x80\x99", 3))))
        return false;
    if (en->flags & CRIBLE_GAZ_CAP) {
        /* the words of the text against the words of the spelling; when the
         * tokenizer cut them otherwise, the first word must be capitalised */
        size_t w = 0;
        for (size_t i = a; i < b; i++) {
            if (!in[i].word) continue;
            bool want = words == en->nwords ? (w < 16 && (en->capmask >> w & 1)) : w == 0;
            if (want && !in[i].cap) return false;
            w++;
        }
    }
    if (en->flags & CRIBLE_GAZ_CTX) {
        static const char *const cues[] = {"sur", "plateforme", "reseau", "social",
                                           "compte", "appli", "application", "via",
                                           "service", "abonnement", NULL};
        bool ok = false;
        for (size_t p = a; p-- > 0 && !ok && a - p <= 2;) {
            if (!in[p].word) continue;
            for (int c = 0; cues[c]; c++)
                if (in[p].key_len == strlen(cues[c]) &&
                    !memcmp(e->keys + in[p].key_off, cues[c], in[p].key_len))
                    ok = true;
            break;
        }
        for (size_t q = b; q < b + 3 && q < n && !ok; q++)
            if (in[q].key_len >= 7 &&
                !memcmp(e->keys + in[q].key_off, "twitter", 7))
                ok = true;
        if (!ok) return false;
    }
    return true;
}

/* Walks gazetteer g from token i: the token's classes, and (when `spans`)
 * the longest entity span starting there that fits the text. */
static void walk(crible_entities *e, const crible_entities_token *t, const crible_gazetteer *g,
                 size_t i, size_t n, bool spans)
{
    crible_ent_info *in = e->info;
    uint32_t node = CRIBLE_GAZ_ROOT;
    for (size_t j = i; j < n; j++) {
        node = crible_gazetteer_step(g, node, e->keys + in[j].key_off, in[j].key_len);
        if (!node) break;
        if (in[j].key_len == 0) continue;
        /* every entry of the node: its first entity entry that fits, and
         * the word's classes wherever they are in the list ("Dominique" is
         * a country and a first name) */
        bool found = false;
        for (int32_t k = crible_gazetteer_first(g, node); k >= 0;) {
            const crible_gazetteer_entry *en = crible_gazetteer_entry_at(g, k);
            if (en->type < 0) {
                if (j == i) {
                    in[i].classes = en->classes;
                    in[i].common = (en->flags & CRIBLE_GAZ_COMMON) != 0;
                }
            } else if (spans && !found && entry_fits(e, en, t, n, i, j + 1)) {
                in[i].gtype = en->type;
                in[i].gend = (uint16_t)(j + 1 - i);
                in[i].gentry = k;
                in[i].gdoc = g == e->doc_names;
                found = true;
            }
            k = en->next;
        }
    }
}

const char *crible_ent_gaz_value(const crible_entities *e, size_t i)
{
    const crible_gazetteer *g = e->info[i].gdoc ? e->doc_names : e->g;
    return crible_gazetteer_string(g, crible_gazetteer_entry_at(g, e->info[i].gentry)->canonical);
}

/* Adds `alias` (its first n bytes) for the document name `text`. */
static crible_status add_document_alias(crible_entities *e, int type, const char *text,
                                        const char *alias, size_t n, crible_error *err)
{
    char *a = strndup(alias, n);
    if (!a) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_status st = crible_gazetteer_add(e->doc_names, type, 0, CRIBLE_GAZ_CAP, text, a, err);
    free(a);
    return st == CRIBLE_ECONFIG ? CRIBLE_OK : st;   /* nothing to match: nothing to do */
}

/* The length of a leading French article ("Le ", "La ", "Les ", "L'",
 * "L’"), or 0. */
static size_t article_length(const char *s)
{
    static const char *const articles[] = {"Le ", "La ", "Les ", "L'", "L\xe2\x80\x99"};
    for (size_t i = 0; i < sizeof articles / sizeof *articles; i++)
        if (!strncmp(s, articles[i], strlen(articles[i]))) return strlen(articles[i]);
    return 0;
}

crible_status crible_entities_add_document_name(crible_entities *e, int type,
                                                const char *text, crible_error *err)
{
    if (!e->doc_names && !(e->doc_names = crible_gazetteer_new(err))) return err->status;
    /* "Les Grands Buffets - Narbonne", "Dune – Tome 1": the text also names
     * it by the part before the last dash, and without its article ("aux
     * Grands Buffets"); each reports the whole title */
    const char *dash = NULL;
    for (const char *p = strstr(text, " - "); p; p = strstr(p + 1, " - ")) dash = p;
    for (const char *p = strstr(text, " \xe2\x80\x93 "); p; p = strstr(p + 1, " \xe2\x80\x93 "))
        if (p > dash) dash = p;
    size_t head = dash && dash - text >= 3 ? (size_t)(dash - text) : strlen(text);
    size_t art = article_length(text);
    crible_status st = add_document_alias(e, type, text, text, strlen(text), err);
    if (!st && head < strlen(text)) st = add_document_alias(e, type, text, text, head, err);
    /* without the article only when a capital follows it: "Les rats" must
     * not make every "rats" a title */
    bool capital = art && (unsigned char)text[art] < 0x80 ? (text[art] >= 'A' && text[art] <= 'Z')
                                                         : art && (unsigned char)text[art] == 0xc3 &&
                                                               (unsigned char)text[art + 1] >= 0x80 &&
                                                               (unsigned char)text[art + 1] <= 0x9e;
    if (!st && capital && head > art + 2)
        st = add_document_alias(e, type, text, text + art, head - art, err);
    return st;
}

crible_status crible_entities_add_metadata_field(crible_entities *e, const char *field,
                                                 int type, crible_error *err)
{
    if (e->nmeta == 16) return crible_error_set(err, CRIBLE_ECONFIG, "at most 16 metadata fields");
    crible_ent_meta *m = &e->meta[e->nmeta];
    *m = (crible_ent_meta){.type = type};
    if (!(m->field = crible_strdup(field, err))) return CRIBLE_ENOMEM;
    e->nmeta++;
    return CRIBLE_OK;
}

crible_status crible_entities_add_metadata_choice(crible_entities *e, const char *field,
                                                  const char *by, const char *value, int type,
                                                  crible_error *err)
{
    crible_ent_meta *m = e->nmeta ? &e->meta[e->nmeta - 1] : NULL;
    if (!m || !m->by || strcmp(m->field, field) || strcmp(m->by, by)) {
        if (crible_entities_add_metadata_field(e, field, -1, err) != CRIBLE_OK) return err->status;
        m = &e->meta[e->nmeta - 1];
        if (!(m->by = crible_strdup(by, err))) return CRIBLE_ENOMEM;
    }
    char **choices = realloc(m->choices, (m->nchoices + 1) * sizeof *choices);
    if (choices) m->choices = choices;
    int *types = realloc(m->choice_types, (m->nchoices + 1) * sizeof *types);
    if (types) m->choice_types = types;
    if (!choices || !types) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (!(m->choices[m->nchoices] = crible_strdup(value, err))) return CRIBLE_ENOMEM;
    m->choice_types[m->nchoices++] = type;
    return CRIBLE_OK;
}

size_t crible_entities_nmetadata(const crible_entities *e) { return e->nmeta; }

const char *crible_entities_metadata_field(const crible_entities *e, size_t i, int *type)
{
    *type = e->meta[i].type;
    return e->meta[i].field;
}

const char *crible_entities_metadata_by(const crible_entities *e, size_t i)
{
    return e->meta[i].by;
}

int crible_entities_metadata_choice(const crible_entities *e, size_t i, const char *value)
{
    const crible_ent_meta *m = &e->meta[i];
    if (!m->by) return m->type;
    for (size_t j = 0; value && j < m->nchoices; j++)
        if (!strcmp(m->choices[j], value)) return m->choice_types[j];
    return -1;
}

crible_status crible_ent_prepare(crible_entities *e, const crible_entities_token *t,
                                 size_t n, crible_error *err)
{
    if (crible_ent_reserve(e, n + 1, err) != CRIBLE_OK) return CRIBLE_ENOMEM;
    size_t need = 0;
    for (size_t i = 0; i < n; i++) need += 4 * t[i].norm_len + 8;
    if (need > e->keys_cap) {
        size_t cap = e->keys_cap ? e->keys_cap : 4096;
        while (cap < need) cap *= 2;
        char *k = crible_realloc(e->keys, cap, err);
        if (!k) return CRIBLE_ENOMEM;
        e->keys = k;
        e->keys_cap = cap;
    }
    crible_ent_info *in = e->info;
    size_t off = 0;
    bool at_start = true;
    for (size_t i = 0; i < n; i++) {
        size_t room = 4 * t[i].norm_len + 8;
        if (room > UINT16_MAX) room = UINT16_MAX;
        size_t len = crible_entities_key(t[i].norm, t[i].norm_len, e->keys + off, room);
        in[i] = (crible_ent_info){.key_off = (uint32_t)off, .key_len = (uint16_t)len,
                                  .cues = crible_ent_cues_of(e->keys + off, len), .gtype = -1};
        off += len;
        in[i].word = t[i].kind == CRIBLE_ETOK_WORD;
        if (in[i].word) {
            in[i].cap = crible_entities_is_capitalized(t[i].form, t[i].form_len);
            in[i].allcaps = in[i].cap && crible_entities_is_all_caps(t[i].form, t[i].form_len);
            in[i].init = at_start;
        }
        if (in[i].word || t[i].kind == CRIBLE_ETOK_NUMBER) at_start = false;
        if (opens_sentence(&t[i])) at_start = true;
        /* "art." as one token ends a sentence too (not "M." nor "J.") */
        if (in[i].word && t[i].form_len > 2 && t[i].form[t[i].form_len - 1] == '.' &&
            !in[i].cap)
            at_start = true;
    }
    /* gazetteers: leftmost-longest entity spans (the document's names
     * first, then the configured ones), and each token's classes */
    size_t cover = 0;   /* tokens before this are inside an entity span */
    for (size_t i = 0; i < n; i++) {
        if (in[i].key_len == 0) continue;
        if (e->doc_names && i >= cover) walk(e, t, e->doc_names, i, n, true);
        walk(e, t, e->g, i, n, i >= cover && in[i].gtype < 0);
        if (in[i].gtype >= 0) cover = i + in[i].gend;
    }
    return CRIBLE_OK;
}

/* --- document memory ------------------------------------------------------ */

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)k[i]) * 1099511628211ULL;
    return h ? h : 1;
}

static bool memo_pool_add(crible_entities *e, const char *s, size_t n, uint32_t *off)
{
    if (e->memo_len + n + 1 > e->memo_pool_cap) {
        size_t cap = e->memo_pool_cap ? e->memo_pool_cap : 4096;
        while (cap < e->memo_len + n + 1) cap *= 2;
        char *p = realloc(e->memo_pool, cap);
        if (!p) return false;
        e->memo_pool = p;
        e->memo_pool_cap = cap;
    }
    memcpy(e->memo_pool + e->memo_len, s, n);
    e->memo_pool[e->memo_len + n] = '\0';
    *off = (uint32_t)e->memo_len;
    e->memo_len += n + 1;
    return true;
}

void crible_ent_memo_put(crible_entities *e, int type, const char *key, size_t key_len,
                         const char *value)
{
    if (key_len == 0 || e->nmemo >= 4096) return;   /* a bounded memory */
    if ((e->nmemo + 1) * 2 > e->memo_cap) {
        size_t cap = e->memo_cap ? e->memo_cap * 2 : 256;
        crible_ent_memo *m = calloc(cap, sizeof *m);
        if (!m) return;
        for (size_t i = 0; i < e->memo_cap; i++) {
            if (!e->memo[i].hash) continue;
            size_t k = e->memo[i].hash & (cap - 1);
            while (m[k].hash) k = (k + 1) & (cap - 1);
            m[k] = e->memo[i];
        }
        free(e->memo);
        e->memo = m;
        e->memo_cap = cap;
    }
    uint64_t h = hash_key(key, key_len);
    size_t k = h & (e->memo_cap - 1);
    while (e->memo[k].hash) {
        crible_ent_memo *m = &e->memo[k];
        if (m->hash == h && m->key_len == key_len &&
            !memcmp(e->memo_pool + m->key_off, key, key_len))
            return;   /* first one wins */
        k = (k + 1) & (e->memo_cap - 1);
    }
    crible_ent_memo m = {.hash = h, .type = (int16_t)type, .key_len = (uint32_t)key_len};
    if (!memo_pool_add(e, key, key_len, &m.key_off) ||
        !memo_pool_add(e, value, strlen(value), &m.value_off))
        return;
    e->memo[k] = m;
    e->nmemo++;
}

const crible_ent_memo *crible_ent_memo_get(const crible_entities *e, const char *key,
                                           size_t key_len)
{
    if (!e->nmemo) return NULL;
    uint64_t h = hash_key(key, key_len);
    for (size_t k = h & (e->memo_cap - 1); e->memo[k].hash; k = (k + 1) & (e->memo_cap - 1)) {
        const crible_ent_memo *m = &e->memo[k];
        if (m->hash == h && m->key_len == key_len &&
            !memcmp(e->memo_pool + m->key_off, key, key_len))
            return m;
    }
    return NULL;
}

void crible_entities_clear_document_names(crible_entities *e)
{
    crible_gazetteer_free(e->doc_names);
    e->doc_names = NULL;
}

void crible_entities_end_document(crible_entities *e)
{
    if (e->memo) memset(e->memo, 0, e->memo_cap * sizeof *e->memo);
    e->nmemo = 0;
    e->memo_len = 0;
    crible_ent_seen_clear(e);
}

/* --- tagging -------------------------------------------------------------- */

/* Maps the tagger's labels to model m's (0 where m has no such label). */
static void label_map(const crible_entities *e, const crible_entities_model *m, int *map)
{
    size_t nl = crible_entities_model_nlabels(m);
    for (uint16_t l = 0; l < crible_entities_nlabels(e); l++) {
        map[l] = 0;
        for (size_t k = 1; k < nl; k++)
            if (!strcmp(crible_entities_model_label(m, k), e->label_names[l])) map[l] = (int)k;
    }
}

/* The rules' spans of a type the model does not know stand over what the
 * model says there (a model trained without PLATFORM keeps the rules'
 * platforms: it could only call them something else).  Keeping every rule
 * span where the model says O was measured and lowers F1 (0.808 against
 * 0.832 on Bel-Ami), so spans of known types are the model's call. */
static void keep_rule_spans(crible_entities *e, const int *map, size_t n)
{
    for (size_t a = 0; a < n; a++) {
        uint16_t l = e->rule_own[a];
        if (l % 2 != 1) continue;
        size_t b = a + 1;
        while (b < n && e->rule_own[b] == l + 1) b++;
        if (map[l] == 0) {
            for (size_t k = a; k < b; k++) e->labels[k] = e->rule_own[k];
            if (b < n && e->labels[b] % 2 == 0 && e->labels[b] != 0)
                e->labels[b]--;   /* an I- cut from its B- begins a span */
        }
        a = b - 1;
    }
}

/* A name's particle is the rules' call: where the rules' span is the
 * model's span with a particle in front ("d'" "Artagnan" against the model's
 * "Artagnan"), the particle joins the model's span.  The model cannot learn
 * it from text where particles are rare (a model trained on four novels
 * without a d'Artagnan took 1,000 of Les Trois Mousquetaires' 1,750 as
 * "Artagnan"). */
static void keep_particles(crible_entities *e, size_t n)
{
    for (size_t a = 0; a + 1 < n; a++) {
        uint16_t l = e->rule_own[a];
        if (l % 2 != 1 || e->rule_own[a + 1] != l + 1 || e->labels[a] != 0 ||
            e->labels[a + 1] != l || e->info[a].reason == R_TITLE ||
            e->info[a].reason == R_HONORIFIC)
            continue;
        const char *k = e->keys + e->info[a].key_off;
        size_t len = e->info[a].key_len;
        if ((len == 1 && k[0] == 'd') || (len == 2 && !memcmp(k, "de", 2)) ||
            (len == 2 && !memcmp(k, "du", 2))) {
            e->labels[a] = l;
            e->labels[a + 1] = (uint16_t)(l + 1);
        }
    }
}

crible_status crible_entities_learn(crible_entities *e, crible_entities_model *m,
                                    const crible_entities_token *t, size_t n,
                                    const uint16_t *gold, size_t *wrong, crible_error *err)
{
    if (crible_ent_reserve(e, n + 1, err) != CRIBLE_OK ||
        crible_entities_rules(e, t, n, e->labels, err) != CRIBLE_OK)
        return err->status;
    int map[CRIBLE_ENT_NLABELS];
    label_map(e, m, map);
    for (size_t i = 0; i < n; i++) e->rule_labels[i] = (uint16_t)map[e->labels[i]];
    crible_ent_seen_read(e, n);
    *wrong = crible_entities_model_learn(m, t, e->info, e->keys, e->rule_labels, n, gold,
                                         e->labels);
    /* the document's record gets what the model predicted, as when tagging */
    for (size_t i = 0; i < n; i++) {
        int l = crible_entities_label_parse(e, crible_entities_model_label(m, e->labels[i]));
        e->rule_own[i] = (uint16_t)(l < 0 ? 0 : l);
    }
    crible_ent_seen_add(e, e->rule_own, n);
    return CRIBLE_OK;
}

crible_status crible_entities_tag(crible_entities *e, const crible_entities_token *t,
                                  size_t n, crible_error *err)
{
    if (crible_ent_reserve(e, n + 1, err) != CRIBLE_OK ||
        crible_entities_rules(e, t, n, e->labels, err) != CRIBLE_OK)
        return err->status;
    if (e->model) {
        /* the model sees the rule labels as features, mapped to its labels */
        int map[CRIBLE_ENT_NLABELS];
        label_map(e, e->model, map);
        for (size_t i = 0; i < n; i++) {
            e->rule_own[i] = e->labels[i];
            e->rule_labels[i] = (uint16_t)map[e->labels[i]];
        }
        crible_ent_seen_read(e, n);
        crible_entities_model_predict(e->model, t, e->info, e->keys, e->rule_labels, n,
                                      e->labels);
        for (size_t i = 0; i < n; i++) {
            int l = crible_entities_label_parse(
                e, crible_entities_model_label(e->model, e->labels[i]));
            e->labels[i] = (uint16_t)(l < 0 ? 0 : l);
        }
        keep_rule_spans(e, map, n);
        keep_particles(e, n);
        crible_ent_seen_add(e, e->labels, n);
        /* values: keep the rules' value when the rules found the same span */
        for (size_t i = 0; i < n; i++) {
            if (e->labels[i] % 2 == 1) {
                size_t j = i + 1;
                while (j < n && e->labels[j] == e->labels[i] + 1) j++;
                if (e->value_off[i] == CRIBLE_ENT_NOVALUE || e->rule_labels[i] == 0 ||
                    map[e->labels[i]] != e->rule_labels[i])
                    e->value_off[i] = crible_ent_arena_text(e, t, i, j);
            } else {
                e->value_off[i] = CRIBLE_ENT_NOVALUE;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        e->values[i] = e->value_off[i] == CRIBLE_ENT_NOVALUE ? NULL
                                                             : e->arena + e->value_off[i];
    return CRIBLE_OK;
}
