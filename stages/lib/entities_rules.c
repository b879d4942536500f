/*
 * entities_rules.c - the rules of the tagger (steps 1-3 of entities.h) as a
 * whole: a WORK in guillemets (entities_quotes.c), capitalised sequences
 * (entities_runs.c), names in lists ("Lyon, Grenoble et Tarrare"), the
 * gazetteer spans no rule took, the articles joining spans; and the span
 * helpers the steps share.
 */
#include "entities_cues.h"

#include <string.h>

/* Labels tokens [a, b) with type and value unless one of them is taken. */
bool crible_ent_put_span(crible_entities *e, uint16_t *labels, size_t a, size_t b, int type,
                         uint32_t value)
{
    if (a >= b || value == CRIBLE_ENT_NOVALUE) return false;
    for (size_t i = a; i < b; i++)
        if (labels[i]) return false;
    labels[a] = (uint16_t)(2 * type + 1);
    for (size_t i = a + 1; i < b; i++) labels[i] = (uint16_t)(2 * type + 2);
    e->value_off[a] = value;
    return true;
}

uint32_t crible_ent_arena_string(crible_entities *e, const char *s)
{
    crible_entities_token tok = {.form = s, .form_len = strlen(s), .start = -1, .end = -1};
    return crible_ent_arena_text(e, &tok, 0, 1);
}

/* Remembers the capitalised words of a title of a work [a, b) found in the
 * document ("Heures" of "Les Heures sombres"), so that the word alone is not
 * taken for a place by the words around it ("les Heures" of a headline).
 * Known names (gazetteers, given names, surnames) are not remembered: they
 * keep their own evidence. */
void crible_ent_remember_work(crible_entities *e, size_t a, size_t b, uint32_t value)
{
    const crible_ent_info *in = e->info;
    for (size_t k = a; k < b; k++)
        if (in[k].word && in[k].cap && in[k].key_len >= 3 && in[k].gtype < 0 &&
            !in[k].classes && !crible_ent_key_cue(e, k, CUE_FUNCTION_WORDS))
            crible_ent_memo_put(e, CRIBLE_ENT_WORK, e->keys + in[k].key_off, in[k].key_len,
                                e->arena + value);
}

/* Whether the document's memory holds word i as a word of a title. */
bool crible_ent_work_word(const crible_entities *e, size_t i)
{
    const crible_ent_memo *m = crible_ent_memo_get(e, e->keys + e->info[i].key_off,
                                                   e->info[i].key_len);
    return m && m->type == CRIBLE_ENT_WORK;
}

/* In a list ("Lyon, Grenoble et Tarrare"), a name typed by default takes
 * the type of a neighbour typed with evidence.  Two passes, both ways. */
static void coordinations(crible_entities *e, const crible_entities_token *t, size_t n,
                          uint16_t *labels)
{
    crible_ent_info *in = e->info;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t a = 0; a < n; a++) {
            if (labels[a] % 2 != 1 || in[a].reason != R_DEFAULT) continue;
            size_t b = a + 1;
            while (b < n && labels[b] == labels[a] + 1) b++;
            uint16_t other = 0;
            /* left: "X , [a" or "X et [a" with X the end of a span */
            if (a >= 2 && (crible_ent_form_is(&t[a - 1], ",") ||
                           crible_ent_key_in(e, a - 1, (const char *const[]){"et", "ou", NULL})) &&
                labels[a - 2] && in[a - 2].reason != R_DEFAULT) {
                size_t s0 = a - 2;
                while (s0 > 0 && labels[s0] % 2 == 0) s0--;
                other = labels[s0];
            }
            /* right: "b] , Y" or "b] et Y" */
            if (!other && b + 1 < n && labels[b + 1] % 2 == 1 && in[b + 1].reason != R_DEFAULT &&
                (crible_ent_form_is(&t[b], ",") ||
                 crible_ent_key_in(e, b, (const char *const[]){"et", "ou", NULL})))
                other = labels[b + 1];
            if (!other || other == labels[a]) continue;
            int type = (other - 1) / 2;
            if (type != CRIBLE_ENT_LOC && type != CRIBLE_ENT_ORG) continue;
            labels[a] = other;
            for (size_t k = a + 1; k < b; k++) labels[k] = (uint16_t)(other + 1);
            for (size_t k = a; k < b; k++) in[k].reason = R_LIST;
        }
    }
}

/* With crible_entities_set_articles: the article before a place, or before
 * a title that begins a person's span, joins the span ("la France", "au
 * Louvre", "le duc de Buckingham", "l'abbé Pirard"). */
static void article_spans(crible_entities *e, size_t n, uint16_t *labels)
{
    static const char *const articles[] = {"le", "la", "l", "les", "du", "au", "aux", NULL};
    crible_ent_info *in = e->info;
    for (size_t a = 1; a < n; a++) {
        if (labels[a] % 2 != 1 || labels[a - 1] || !in[a - 1].word ||
            !crible_ent_key_in(e, a - 1, articles))
            continue;
        int type = (labels[a] - 1) / 2;
        bool title = type == CRIBLE_ENT_PER && in[a].word && !in[a].cap &&
                     (crible_ent_key_cue(e, a, CUE_TITLES) ||
                      crible_ent_key_cue(e, a, CUE_HONORIFICS));
        if (type != CRIBLE_ENT_LOC && !title) continue;
        labels[a - 1] = labels[a];
        labels[a] = (uint16_t)(labels[a] + 1);
        e->value_off[a - 1] = e->value_off[a];
        e->value_off[a] = CRIBLE_ENT_NOVALUE;
        in[a - 1].reason = in[a].reason;
    }
}

/* --- the whole ------------------------------------------------------------ */

crible_status crible_entities_rules(crible_entities *e, const crible_entities_token *t,
                                    size_t n, uint16_t *labels, crible_error *err)
{
    e->arena_len = 0;
    if (crible_ent_prepare(e, t, n, err) != CRIBLE_OK) return err->status;
    for (size_t i = 0; i < n; i++) {
        labels[i] = 0;
        e->value_off[i] = CRIBLE_ENT_NOVALUE;
    }
    if (e->rules) {
        crible_ent_quoted_works(e, t, n, labels);
        crible_ent_capitalised_runs(e, t, n, labels);
        coordinations(e, t, n, labels);
    }
    /* the gazetteer spans no rule has taken */
    for (size_t i = 0; i < n; i++) {
        const crible_ent_info *in = &e->info[i];
        if (in->gtype < 0) continue;
        if (crible_ent_put_span(e, labels, i, i + in->gend, in->gtype,
                     crible_ent_arena_string(e, crible_ent_gaz_value(e, i))))
            for (size_t k = i; k < i + in->gend; k++) e->info[k].reason = R_GAZ;
    }
    if (e->rules && e->articles) article_spans(e, n, labels);
    if (e->arena_len && !e->arena) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    return CRIBLE_OK;
}