/*
 * entities_quotes.c - step 1 of the rules (entities.h): the title of a
 * work in guillemets ("« Les Heures sombres »", "“Dune”"), told apart from
 * quoted speech (a verb of speech or a colon before or after it) and from
 * a quoted single known name.
 */
#include "entities_cues.h"

/* --- step 1: WORK in guillemets ------------------------------------------ */


static bool is_open_quote(const crible_entities_token *t)
{
    return crible_ent_form_is(t, "«") || crible_ent_form_is(t, "“") ||
           crible_ent_form_is(t, "\"");
}

static bool is_close_quote(const crible_entities_token *t, const crible_entities_token *prev,
                           const crible_entities_token *next)
{
    if (crible_ent_form_is(t, "»") || crible_ent_form_is(t, "”") || crible_ent_form_is(t, "\""))
        return true;
    /* a « used as a closing mark: «Titre ?« , ...» */
    if (crible_ent_form_is(t, "«") && prev &&
        (crible_ent_form_is(prev, "?") || crible_ent_form_is(prev, "!") ||
         crible_ent_form_is(prev, "…")))
        return true;
    return crible_ent_form_is(t, "«") && (!next || next->kind == CRIBLE_ETOK_PUNCT);
}

void crible_ent_quoted_works(crible_entities *e, const crible_entities_token *t, size_t n,
                             uint16_t *labels)
{
    for (size_t i = 0; i + 2 < n; i++) {
        if (!is_open_quote(&t[i])) continue;
        size_t c = i + 1;
        while (c < n && c <= i + 16 &&
               !is_close_quote(&t[c], &t[c - 1], c + 1 < n ? &t[c + 1] : NULL))
            c++;
        if (c >= n || c > i + 16 || c == i + 1) continue;
        size_t a = i + 1, b = c;
        bool ok = e->info[a].word && e->info[a].cap;
        for (size_t k = a; k < b && ok; k++)
            if (crible_ent_form_is(&t[k], ".") || crible_ent_form_is(&t[k], ";") ||
                is_open_quote(&t[k]))
                ok = false;
        if (ok && i > 0 &&
            (crible_ent_form_is(&t[i - 1], ":") || crible_ent_key_cue(e, i - 1, CUE_SPEECH)))
            ok = false;
        /* « ... », dit-elle ; « ... ? » lance-t-il: speech, the verb after it */
        size_t v = c + 1;
        if (v < n && crible_ent_form_is(&t[v], ",")) v++;
        if (ok && v < n && e->info[v].word && !e->info[v].cap &&
            crible_ent_key_cue(e, v, CUE_SPEECH))
            ok = false;
        /* one quoted word: not speech (« Bof »), not a known name ("Dunkerque") */
        if (ok && b - a == 1 && (e->info[a].gtype >= 0 || e->info[a].classes ||
                                 crible_ent_key_cue(e, a, CUE_FUNCTION_WORDS)))
            ok = false;
        uint32_t value = ok ? crible_ent_arena_text(e, t, a, b) : CRIBLE_ENT_NOVALUE;
        if (ok && crible_ent_put_span(e, labels, a, b, CRIBLE_ENT_WORK, value)) {
            for (size_t k = a; k < b; k++) e->info[k].quote = 1, e->info[k].reason = R_QUOTE;
            if (b - a <= 8) crible_ent_remember_work(e, a, b, value);   /* a title, not a speech */
        }
        i = c;
    }
}
