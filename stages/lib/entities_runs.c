/*
 * entities_runs.c - step 3 of the rules (entities.h): capitalised
 * sequences ("Charles de Gaulle", "d'Artagnan", "Ligue nationale de
 * hockey"), typed PER, LOC, ORG or WORK by the words around them
 * (entities_cues.c) and by the document's memory, with their span (a title
 * before a name, a geographic noun before a place) and their canonical
 * value.  Sentence starts, shouted headlines, demonyms, Roman numerals and
 * headings are not names.
 */
#include "entities_cues.h"

#include <string.h>

/* --- step 3: capitalised sequences ---------------------------------------- */

static bool evidence(const crible_entities *e, size_t i)
{
    const crible_ent_info *in = &e->info[i];
    if ((in->classes & ~CRIBLE_GAZ_NONE) && !in->common) return true;
    if (in->gtype >= 0) return true;
    return crible_ent_memo_get(e, e->keys + in->key_off, in->key_len) != NULL;
}

static bool after_work(const uint16_t *labels, size_t i)
{
    for (size_t k = i; k-- > 0 && i - k <= 8;)
        if (labels[k] == 2 * CRIBLE_ENT_WORK + 2 || labels[k] == 2 * CRIBLE_ENT_WORK + 1)
            return true;
    return false;
}

/* Whether word i is a compound whose first part is a place's head word:
 * "Mont-Saint-Michel", "Saint-Malo", "Port-Royal" (ASCII heads). */
static bool compound_place(const crible_entities_token *t, size_t i)
{
    const char *f = t[i].form, *dash = memchr(f, '-', t[i].form_len);
    char head[16];
    size_t n = dash ? (size_t)(dash - f) : 0;
    if (n == 0 || n >= sizeof head) return false;
    for (size_t k = 0; k < n; k++)
        head[k] = f[k] >= 'A' && f[k] <= 'Z' ? (char)(f[k] - 'A' + 'a') : f[k];
    return crible_ent_in_cue(head, n, CUE_LOC_HEADS);
}

/* The type of the capitalised run [a, b) from the words around it (-1: not
 * an entity), with the
 * reason in *reason.  *span_a is where the span starts (before a title). */
#define BECAUSE(r, type) return (*reason = (r), (type))
static int run_type(crible_entities *e, const crible_entities_token *t, const uint16_t *labels,
                    size_t a, size_t b, size_t *span_a, int *reason)
{
    const crible_ent_info *in = e->info;
    size_t p = a;   /* the word before the run, skipping "." of "M ." */
    while (p > 0 && !in[p - 1].word && crible_ent_form_is(&t[p - 1], ".")) p--;
    bool has_prev = p > 0;
    size_t prev = p - 1;
    *span_a = a;
    /* forms of address: "Votre Majesté", "Son Éminence", "Leurs Altesses" */
    static const char *const possessive[] = {"sa", "son", "votre", "vos", "leur", "leurs",
                                             "ses", NULL};
    static const char *const address[] = {"majeste", "majestes", "eminence", "eminences",
                                          "altesse", "altesses", "saintete", "excellence",
                                          "excellences", "seigneurie", "grandeur", "grace",
                                          NULL};
    if (has_prev && in[prev].word && !labels[prev] && crible_ent_key_in(e, prev, possessive) &&
        crible_ent_key_in(e, a, address)) {
        *span_a = prev;
        BECAUSE(R_TITLE, CRIBLE_ENT_PER);
    }
    if (b - a >= 2 && crible_ent_key_in(e, a, possessive) && crible_ent_key_in(e, a + 1, address))
        BECAUSE(R_TITLE, CRIBLE_ENT_PER);
    if (has_prev && in[prev].word && crible_ent_key_cue(e, prev, CUE_HONORIFICS) &&
        !labels[prev]) {
        *span_a = prev;
        BECAUSE(R_HONORIFIC, CRIBLE_ENT_PER);
    }
    if (b - a >= 2 && crible_ent_key_cue(e, a, CUE_HONORIFICS))
        BECAUSE(R_HONORIFIC, CRIBLE_ENT_PER);
    if (has_prev && in[prev].word && !in[prev].cap &&
        crible_ent_key_cue(e, prev, CUE_TITLES) && !labels[prev] &&
        !crible_ent_key_cue(e, a, CUE_LOC_HEADS)) {
        *span_a = prev;
        BECAUSE(R_TITLE, CRIBLE_ENT_PER);
    }
    /* "le duc de Buckingham", but not "la mère de Camille": a kinship word
     * before "de" says whose relative, and the name stands alone */
    if (has_prev && prev > 0 &&
        crible_ent_key_in(e, prev, (const char *const[]){"de", "d", NULL}) && in[prev - 1].word &&
        !in[prev - 1].cap && crible_ent_key_cue(e, prev - 1, CUE_TITLES) &&
        !crible_ent_key_cue(e, prev - 1, CUE_KINSHIP) && !labels[prev - 1] && !labels[prev]) {
        *span_a = prev - 1;
        BECAUSE(R_TITLE, CRIBLE_ENT_PER);
    }
    if (has_prev && in[prev].word && crible_ent_key_cue(e, prev, CUE_WORK_CUES) &&
        !in[a].init)
        BECAUSE(R_WORKCUE, CRIBLE_ENT_WORK);
    if (has_prev && in[prev].word && crible_ent_key_cue(e, prev, CUE_ROLES))
        BECAUSE(R_ROLE, CRIBLE_ENT_PER);
    if (has_prev && (crible_ent_key_in(e, prev, (const char *const[]){"de", "par", "d", NULL})) &&
        after_work(labels, prev))
        BECAUSE(R_AFTERWORK, CRIBLE_ENT_PER);
    const crible_ent_memo *m = crible_ent_memo_get(e, e->keys + in[a].key_off, in[a].key_len);
    if (m && b - a == 1 && m->type != CRIBLE_ENT_WORK) BECAUSE(R_MEMO, m->type);
    if (in[a].classes & CRIBLE_GAZ_FIRSTNAME && (b - a >= 2 || !in[a].common))
        BECAUSE(R_FIRSTNAME, CRIBLE_ENT_PER);
    /* "Restaurant", "Brasserie" alone: a heading's word, no name */
    if (b - a == 1 && crible_ent_key_cue(e, a, CUE_EATERY_HEADS)) BECAUSE(R_NOTNAME, -1);
    if (crible_ent_key_cue(e, a, CUE_ORG_HEADS)) BECAUSE(R_ORGHEAD, CRIBLE_ENT_ORG);
    for (size_t k = a; k < b; k++)
        if (in[k].cap && crible_ent_key_cue(e, k, CUE_ORG_WORDS))
            BECAUSE(R_ORGHEAD, CRIBLE_ENT_ORG);
    /* a team: "les Canadiens de Montréal", "les Red Wings de Détroit" */
    if (has_prev && in[prev].word &&
        crible_ent_key_in(e, prev, (const char *const[]){"les", "aux", "des", NULL}) &&
        !crible_ent_key_cue(e, a, CUE_LOC_HEADS))
        for (size_t k = a + 1; k + 1 < b; k++)
            if (crible_ent_key_cue(e, k, CUE_CONNECTORS) && !in[k].cap &&
                (in[k + 1].gtype == CRIBLE_ENT_LOC || in[k + 1].classes & CRIBLE_GAZ_PROPN ||
                 e->keys[in[k - 1].key_off + in[k - 1].key_len - 1] == 's'))
                BECAUSE(R_TEAM, CRIBLE_ENT_ORG);
    if (crible_ent_key_cue(e, a, CUE_LOC_HEADS)) BECAUSE(R_LOCHEAD, CRIBLE_ENT_LOC);
    if (has_prev && in[prev].word && !in[prev].cap &&
        crible_ent_key_cue(e, prev, CUE_GEO_NOUNS) && !labels[prev]) {
        *span_a = prev;   /* the noun is part of the name: "le lac Léman" */
        BECAUSE(R_GEONOUN, CRIBLE_ENT_LOC);
    }
    if (has_prev && in[prev].word && !in[prev].cap &&
        crible_ent_key_cue(e, prev, CUE_TOWN_NOUNS) && !labels[prev] && prev > 0 &&
        crible_ent_key_cue(e, prev - 1, CUE_LOC_ARTICLES))
        BECAUSE(R_GEONOUN, CRIBLE_ENT_LOC);
    if (has_prev && prev > 1 &&
        crible_ent_key_in(e, prev, (const char *const[]){"la", "l", NULL}) &&
        crible_ent_key_in(e, prev - 1, (const char *const[]){"de", NULL}) && in[prev - 2].word &&
        !in[prev - 2].cap && crible_ent_key_cue(e, prev - 2, CUE_GEO_NOUNS) &&
        !labels[prev - 2]) {
        *span_a = prev - 2;   /* "la rue de la Harpe" */
        BECAUSE(R_GEONOUN, CRIBLE_ENT_LOC);
    }
    if (has_prev && prev > 0 &&
        crible_ent_key_in(e, prev, (const char *const[]){"de", "d", "du", "des", "aux", NULL}) &&
        in[prev - 1].word && !in[prev - 1].cap) {
        if (crible_ent_key_cue(e, prev - 1, CUE_GEO_NOUNS) && !labels[prev - 1] &&
            !labels[prev]) {
            *span_a = prev - 1;   /* "la baie d'Hudson", "le canal de Panama" */
            BECAUSE(R_GEONOUN, CRIBLE_ENT_LOC);
        }
        if (crible_ent_key_cue(e, prev - 1, CUE_ORG_NOUNS) && !labels[prev - 1] &&
            !labels[prev] && !evidence(e, a)) {
            *span_a = prev - 1;   /* "les éditions du Phare", not "un bistrot de Lyon" */
            BECAUSE(R_ORGHEAD, CRIBLE_ENT_ORG);
        }
        if (crible_ent_key_cue(e, prev - 1, CUE_EVENT_NOUNS) &&
            !(in[a].classes & CRIBLE_GAZ_FIRSTNAME))
            BECAUSE(R_NOTNAME, -1);
    }
    if (in[a].allcaps && t[a].form_len <= 6 && !(in[a].classes & CRIBLE_GAZ_FIRSTNAME)) {
        /* "TRÈS", "DÉJÀ": shouted words; acronyms are ASCII */
        for (size_t k = 0; k < t[a].form_len; k++)
            if ((unsigned char)t[a].form[k] >= 0x80) BECAUSE(R_NOTNAME, -1);
        BECAUSE(R_ACRONYM, CRIBLE_ENT_ORG);   /* "SNCF", "UGC de Lyon" */
    }
    /* "Une Semaine sur Deux", "Les 3 Brasseurs": a capital after an
     * indefinite article or a number, without a gazetteer's word, is the
     * capital of a title or a heading, not a name */
    if (has_prev && !evidence(e, a) && !in[a].classes &&
        ((in[prev].word && crible_ent_key_in(e, prev, (const char *const[]){"un", "une", NULL})) ||
         (t[prev].kind == CRIBLE_ETOK_NUMBER && b - a == 1 && in[a].key_len > 3 &&
          strchr("sx", e->keys[in[a].key_off + in[a].key_len - 1]))))
        BECAUSE(R_NOTNAME, -1);
    /* a word of a title the document wrote is no place by the words around
     * it ("les Heures" after « Les Heures sombres ») */
    if (b - a == 1 && crible_ent_work_word(e, a)) BECAUSE(R_NOTNAME, -1);
    /* "Le Crible Culture" after a dash, "Les Heures" of a headline: a
     * capital article opening the sentence says nothing of what follows;
     * without a gazetteer's word, no place */
    if (has_prev && in[prev].word && in[prev].init && in[prev].cap &&
        crible_ent_key_cue(e, prev, CUE_LOC_ARTICLES) && !evidence(e, a) && !in[a].classes &&
        !compound_place(t, a))
        BECAUSE(R_NOTNAME, -1);
    if (has_prev && in[prev].word && crible_ent_key_cue(e, prev, CUE_LOC_ARTICLES) &&
        !(in[a].classes & CRIBLE_GAZ_FIRSTNAME))
        BECAUSE(R_ARTICLE, CRIBLE_ENT_LOC);
    /* "à Simenon", "à Zola": a known surname that is no place is a writer
     * compared to, not a destination */
    if (has_prev && in[prev].word && crible_ent_key_cue(e, prev, CUE_LOC_PREPS) &&
        !(in[a].classes & CRIBLE_GAZ_FIRSTNAME) &&
        !((in[a].classes & CRIBLE_GAZ_SURNAME) && !in[a].common &&
          !(in[a].classes & CRIBLE_GAZ_PROPN)))
        BECAUSE(R_LOCPREP, CRIBLE_ENT_LOC);
    for (size_t k = a; k < b; k++)
        if (in[k].classes & (CRIBLE_GAZ_FIRSTNAME | CRIBLE_GAZ_SURNAME) && !in[k].common)
            BECAUSE(R_NAMECLASS, CRIBLE_ENT_PER);

    if (in[a].classes & CRIBLE_GAZ_PROPN) BECAUSE(R_PROPN, CRIBLE_ENT_LOC);
    /* "sortie sur PlayStation", "noté 90 sur Metacritic": products and sites */
    if (has_prev && in[prev].word && b - a == 1 && !in[a].classes &&
        crible_ent_key_in(e, prev, (const char *const[]){"sur", "version", NULL}))
        BECAUSE(R_NOTNAME, -1);
    if (has_prev && in[prev].word && !in[prev].cap && b - a == 1 && !in[a].classes &&
        crible_ent_key_in(e, prev, (const char *const[]){"de", "d", NULL}) &&
        !(prev > 0 && in[prev - 1].word &&
          (crible_ent_key_cue(e, prev - 1, CUE_OF_PERSON) ||
           crible_ent_key_cue(e, prev - 1, CUE_KINSHIP))))
        BECAUSE(R_DEPLACE, CRIBLE_ENT_LOC);
    BECAUSE(R_DEFAULT, CRIBLE_ENT_PER);
}

static bool has_digit(const crible_entities *e, size_t i)
{
    const char *k = e->keys + e->info[i].key_off;
    for (size_t j = 0; j < e->info[i].key_len; j++)
        if (k[j] >= '0' && k[j] <= '9') return true;
    return false;
}

/* Whether k[0..n) is a well-formed Roman numeral (i to mmmm: "xix", "iv";
 * not "lidl", "midi", "civil"), in lower case. */
static bool roman_numeral(const char *k, size_t n)
{
    static const char *const units[] = {"ix", "iv", "viii", "vii", "vi", "v", "iii", "ii", "i",
                                        ""};
    static const char *const tens[] = {"xc", "xl", "lxxx", "lxx", "lx", "l", "xxx", "xx", "x",
                                       ""};
    static const char *const hundreds[] = {"cm", "cd", "dccc", "dcc", "dc", "d", "ccc", "cc",
                                           "c", ""};
    const char *const *groups[] = {hundreds, tens, units};
    size_t p = 0;
    while (p < n && p < 4 && k[p] == 'm') p++;
    for (int g = 0; g < 3; g++)
        for (int x = 0;; x++) {
            size_t m = strlen(groups[g][x]);
            if (p + m <= n && !memcmp(k + p, groups[g][x], m)) {
                p += m;
                break;
            }
        }
    return n > 0 && p == n;
}

/* A Roman numeral in capitals, or a century written with one: "XIX", "III",
 * "XXème", "XVIIIe" (with an I, V or X: "DC", "CD", "MC" stay acronyms). */
static bool roman(const crible_entities *e, const crible_entities_token *t, size_t i)
{
    const char *k = e->keys + e->info[i].key_off;
    size_t n = e->info[i].key_len, r = 0;
    while (r < n && strchr("ivxlcdm", k[r])) r++;
    while (r > 0 && !roman_numeral(k, r)) r--;
    if (!r || (!memchr(k, 'i', r) && !memchr(k, 'v', r) && !memchr(k, 'x', r))) return false;
    if (r < n &&
        !crible_ent_in_set(k + r, n - r,
                           (const char *const[]){"e", "er", "eme", "ieme", "em", "nd", NULL}))
        return false;
    for (size_t j = 0; j < r && j < t[i].form_len; j++)   /* "Vic", "Mix" are words */
        if (t[i].form[j] < 'A' || t[i].form[j] > 'Z') return false;
    return true;
}

/* "les Français", "des Américains", "l'Européen": people of a place after an
 * article, a word ending like a French demonym; not a name. */
static bool demonym(const crible_entities *e, const crible_entities_token *t, size_t i)
{
    static const char *const endings[] = {"ais", "aise", "aises", "ois", "oise", "oises",
                                          "ains", "aine", "aines", "iens", "ienne",
                                          "iennes", "eens", "eenne", "eennes", "ens", NULL};
    (void)t;
    if (i == 0 || !crible_ent_key_cue(e, i - 1, CUE_LOC_ARTICLES)) return false;
    const crible_ent_info *in = &e->info[i];
    if (in->classes & (CRIBLE_GAZ_FIRSTNAME | CRIBLE_GAZ_SURNAME)) return false;
    const char *k = e->keys + in->key_off;
    for (int x = 0; endings[x]; x++) {
        size_t m = strlen(endings[x]);
        if (in->key_len > m + 2 && !memcmp(k + in->key_len - m, endings[x], m)) return true;
    }
    return false;
}

/* Remembers a name found by the rules so that it is found again in the
 * document: the whole name, and the surname of a person ("Anderson" of
 * "Kevin Anderson", value "Kevin Anderson"). */
static void remember(crible_entities *e, int type, size_t a, size_t b, uint32_t value)
{
    if (type != CRIBLE_ENT_PER && type != CRIBLE_ENT_ORG && type != CRIBLE_ENT_LOC) return;
    const char *v = e->arena + value;
    const crible_ent_info *in = e->info;
    if (b - a == 1 && in[a].key_len >= 3 && !crible_ent_key_cue(e, a, CUE_FUNCTION_WORDS))
        crible_ent_memo_put(e, type, e->keys + in[a].key_off, in[a].key_len, v);
    if (type == CRIBLE_ENT_PER && b - a >= 2 && in[b - 1].key_len >= 3 &&
        !crible_ent_key_cue(e, b - 1, CUE_CONNECTORS) && in[b - 1].cap)
        crible_ent_memo_put(e, type, e->keys + in[b - 1].key_off, in[b - 1].key_len, v);
}

/* Whether a lower-case word looks like an adjective (nationale, américaine,
 * majeure, française, populaire, olympique, fédéral). */
static bool adjective(const crible_entities *e, size_t i)
{
    static const char *const endings[] = {"ale", "al", "aux", "aine", "ain", "aise",
                                          "ique", "ienne", "ien", "eure", "elle", "ee",
                                          "aire", "oise", NULL};
    const crible_ent_info *in = &e->info[i];
    if (!in->word || in->cap || in->key_len < 4) return false;
    const char *k = e->keys + in->key_off;
    for (int x = 0; endings[x]; x++) {
        size_t m = strlen(endings[x]);
        if (in->key_len > m && !memcmp(k + in->key_len - m, endings[x], m)) return true;
    }
    return false;
}

/* An organisation named by a head word goes on over its adjectives and one
 * "de" + noun: "Ligue nationale de hockey", "Organisation mondiale de la
 * santé" (stops at "de" + capital: that is the run's business). */
static size_t org_name_end(crible_entities *e, const uint16_t *labels, size_t n, size_t b)
{
    const crible_ent_info *in = e->info;
    size_t k = b;
    while (k < n && !labels[k] && adjective(e, k)) k++;
    if (k + 1 < n && crible_ent_key_in(e, k, (const char *const[]){"de", "du", "des", NULL}) &&
        !labels[k + 1] && in[k + 1].word && !in[k + 1].cap &&
        !crible_ent_key_cue(e, k + 1, CUE_FUNCTION_WORDS) && in[k + 1].key_len >= 4)
        k += 2;
    else if (k + 2 < n && crible_ent_key_in(e, k, (const char *const[]){"de", NULL}) &&
             crible_ent_key_in(e, k + 1, (const char *const[]){"la", "l", NULL}) &&
             !labels[k + 2] && in[k + 2].word && !in[k + 2].cap && in[k + 2].key_len >= 4)
        k += 3;
    return k;
}

/* Whether the document's memory holds word i as a name written with "d'"
 * ("Artagnan" after "d'Artagnan"). */
static bool with_particle(const crible_entities *e, size_t i)
{
    const crible_ent_memo *m = crible_ent_memo_get(e, e->keys + e->info[i].key_off,
                                                   e->info[i].key_len);
    if (!m) return false;
    const char *v = e->memo_pool + m->value_off;
    return (v[0] == 'd' || v[0] == 'D') && v[1] == '\'';
}

/* Whether the document's memory holds word i as the end of a name written
 * with "de" before it ("Wardes" after "le comte de Wardes"): the value's
 * last two words are "de" and this one. */
static bool with_de(const crible_entities *e, size_t i)
{
    const crible_ent_memo *m = crible_ent_memo_get(e, e->keys + e->info[i].key_off,
                                                   e->info[i].key_len);
    if (!m) return false;
    const char *v = e->memo_pool + m->value_off, *sp = strrchr(v, ' ');
    return sp && sp - v >= 3 && !memcmp(sp - 3, " de", 3);
}

/* A run in capitals with a function word in it ("COUP DE COEUR", "LE
 * MEILLEUR") is shouting, not a name, unless a gazetteer knows it. */
static bool shouted(const crible_entities *e, size_t a, size_t b)
{
    const crible_ent_info *in = e->info;
    bool fw = false;
    for (size_t k = a; k < b; k++) {
        if (!in[k].word || !in[k].cap) continue;   /* "du" of "COUP DE COEUR du XX" */
        if (!in[k].allcaps || in[k].gtype >= 0) return false;
        fw |= crible_ent_key_cue(e, k, CUE_FUNCTION_WORDS) && in[k].key_len >= 2;
    }
    return fw;
}

/* A headline that opens on a title: "Les Heures sombres : Canal+ frappe
 * fort", "La Promesse de juillet : une comédie familiale".  The article
 * opens the sentence, the word after it is capitalised and no known name,
 * and at most 8 words, capitalised as a French title is (only its first
 * noun, and names), run to a colon that no verb of speech is before.
 * Returns the end of the title (the colon), or 0. */
static size_t headline_title(const crible_entities *e, const crible_entities_token *t,
                             const uint16_t *labels, size_t n, size_t art)
{
    const crible_ent_info *in = e->info;
    size_t a = art + 1;
    if (a >= n || !in[art].word || !in[art].init || !in[art].cap || labels[art] ||
        !crible_ent_key_in(e, art, (const char *const[]){"le", "la", "les", "l", NULL}) ||
        !in[a].word || !in[a].cap || in[a].allcaps || in[a].classes ||
        (evidence(e, a) && !crible_ent_work_word(e, a)))
        return 0;
    for (size_t c = a + 1; c < n && c <= a + 8; c++) {
        if (labels[c]) return 0;
        if (crible_ent_form_is(&t[c], ":"))
            return crible_ent_key_cue(e, c - 1, CUE_SPEECH) ||
                           crible_ent_key_cue(e, c - 1, CUE_PARTICLE_BEFORE)
                       ? 0
                       : c;
        if (!in[c].word && in[c].key_len) return 0;   /* punctuation: no title */
        if (in[c].cap && in[c].gtype < 0 && !crible_ent_key_cue(e, c, CUE_CONNECTORS))
            return 0;
    }
    return 0;
}

/* Labels [a, b) a WORK found by the shape of its words (a headline, "The
 * ...", English title words) and remembers its words. */
static void put_work(crible_entities *e, const crible_entities_token *t, uint16_t *labels,
                     size_t a, size_t b)
{
    uint32_t value = crible_ent_arena_text(e, t, a, b);
    if (!crible_ent_put_span(e, labels, a, b, CRIBLE_ENT_WORK, value)) return;
    for (size_t k = a; k < b; k++) e->info[k].reason = R_WORKCUE;
    crible_ent_remember_work(e, a, b, value);
}

void crible_ent_capitalised_runs(crible_entities *e, const crible_entities_token *t, size_t n,
                                 uint16_t *labels)
{
    crible_ent_info *in = e->info;
    size_t words = 0, caps = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i].word) words++, caps += in[i].cap && !in[i].init;
    if (words >= 4 && caps * 3 > words * 2) return;   /* a headline in capitals */
    for (size_t i = 0; i < n; i++) {
        if (labels[i] || !in[i].word || !in[i].cap) continue;
        size_t a = i, b = i + 1;
        while (b < n && !labels[b]) {
            if (in[b].word && in[b].cap && !in[b].init) {
                b++;
            } else if (b + 1 < n && crible_ent_key_cue(e, b, CUE_CONNECTORS) &&
                       in[b + 1].word && in[b + 1].cap && !labels[b + 1]) {
                b += 2;
            } else if (b + 1 < n && crible_ent_key_cue(e, b, CUE_CONNECTORS) &&
                       !in[b + 1].word && in[b + 1].key_len == 0 && b + 2 < n && in[b + 2].cap &&
                       !labels[b + 2]) {
                b += 3;   /* "d" "'" "Artagnan" */
            } else {
                break;
            }
        }
        i = b - 1;
        if (shouted(e, a, b)) continue;   /* "COUP DE COEUR" */
        /* "la Seconde Guerre mondiale", "les Jeux olympiques": events; "les
         * Gascons": people; but "l'océan Indien", "les Canadiens de Montréal" */
        if ((in[a].classes & CRIBLE_GAZ_NONE) && !(in[a].classes & CRIBLE_GAZ_FIRSTNAME) &&
            in[a].gtype < 0) {
            size_t sa;
            int why = R_NONE;
            run_type(e, t, labels, a, b, &sa, &why);
            if (why != R_GEONOUN && why != R_TEAM) continue;
        }
        /* "The Dark Knight", "The Walking Dead": an English article opens
         * the title of a work in French text */
        if (b - a >= 2 && in[a].gtype < 0 && crible_ent_form_is(&t[a], "The") && in[a + 1].cap) {
            put_work(e, t, labels, a, b);
            continue;
        }
        bool english = false, known = false;
        size_t nwords = 0;
        for (size_t k = a; k < b; k++) {
            if (!in[k].word) continue;
            nwords++;
            english |= in[k].cap && crible_ent_key_cue(e, k, CUE_ENGLISH_TITLE_WORDS);
            known |= in[k].gtype >= 0 || (in[k].classes & CRIBLE_GAZ_FIRSTNAME);
        }
        if (nwords >= 2 && english && !known) {
            put_work(e, t, labels, a, b);
            continue;
        }
        /* at a sentence start, a capital is not evidence by itself, but a
         * restaurant's head word is ("Brasserie Chavant") */
        while (a < b && in[a].init && !evidence(e, a) &&
               !(b - a >= 2 && (crible_ent_key_cue(e, a, CUE_HONORIFICS) ||
                                crible_ent_key_cue(e, a, CUE_EATERY_HEADS)))) {
            a++;
            while (a < b &&
                   (!in[a].word || crible_ent_key_cue(e, a, CUE_CONNECTORS) || !in[a].cap))
                a++;
        }
        if (a >= b) continue;
        size_t title_end = a > 0 ? headline_title(e, t, labels, n, a - 1) : 0;
        if (title_end) {
            put_work(e, t, labels, a - 1, title_end);
            i = title_end;
            continue;
        }
        /* inside a gazetteer span that starts on a small word before it
         * ("l'Oréal", "prix Goncourt"): the span stands */
        bool covered = false;
        for (size_t j = a; j-- > 0 && a - j < 8 && !covered;)
            covered = in[j].gtype >= 0 && j + in[j].gend > a && !labels[j];
        if (covered) continue;
        if (b - a == 1 && in[a].gtype < 0 &&
            (crible_ent_key_cue(e, a, CUE_FUNCTION_WORDS) ||
             crible_ent_key_cue(e, a, CUE_HONORIFICS) || in[a].key_len <= 1 ||
             (in[a].classes & CRIBLE_GAZ_NONE) || has_digit(e, a) || demonym(e, t, a) ||
             roman(e, t, a) ||
             (crible_ent_key_in(e, a, (const char *const[]){"grace", NULL}) && b < n &&
              crible_ent_key_in(e, b, (const char *const[]){"a", "au", "aux", NULL}))))
            continue;   /* "Il", "Madame", "X raisons", "Noël", "V8", "les Français",
                           "XIXe", "Grâce à" */
        /* a gazetteer span covering the whole run decides */
        if (in[a].gtype >= 0 && a + in[a].gend == b) {
            if (crible_ent_put_span(e, labels, a, b, in[a].gtype,
                                    crible_ent_arena_string(e, crible_ent_gaz_value(e, a))))
                for (size_t k = a; k < b; k++) in[k].reason = R_GAZ;
            continue;
        }
        size_t span_a;
        int reason = R_DEFAULT;
        int type = run_type(e, t, labels, a, b, &span_a, &reason);
        if (type < 0) continue;
        bool named =
            type == CRIBLE_ENT_PER && (span_a < a || (in[a].classes & CRIBLE_GAZ_FIRSTNAME));
        bool gaz_inside = false;
        for (size_t k = a; k < b; k++) gaz_inside |= in[k].gtype >= 0;
        /* a capitalised article inside a sentence belongs to the place
         * after it: "La Rochelle", "Le Havre", "Les Sables" */
        if (gaz_inside && !in[a].init && b - a >= 2 &&
            crible_ent_key_in(e, a, (const char *const[]){"le", "la", "les", "l", NULL}) &&
            in[a + 1].gtype == CRIBLE_ENT_LOC && a + 1 + in[a + 1].gend == b) {
            if (crible_ent_put_span(e, labels, a, b, CRIBLE_ENT_LOC,
                                    crible_ent_arena_text(e, t, a, b)))
                for (size_t k = a; k < b; k++) in[k].reason = R_GAZ;
            continue;
        }
        /* an unknown given name before a place or a company: "Joaquin
         * Phoenix", "Jack London", "Harrison Ford" */
        if (gaz_inside && !named && type == CRIBLE_ENT_PER && b - a == 2 && in[a].gtype < 0 &&
            !(in[a].classes & CRIBLE_GAZ_NONE) && !in[a].init && !in[a].allcaps &&
            !crible_ent_key_cue(e, a, CUE_FUNCTION_WORDS) &&
            (in[a + 1].gtype == CRIBLE_ENT_LOC || in[a + 1].gtype == CRIBLE_ENT_ORG) &&
            in[a + 1].gend == 1 && (reason == R_DEFAULT || reason == R_NAMECLASS) &&
            !crible_ent_key_cue(e, a, CUE_LOC_HEADS) &&
            !crible_ent_key_cue(e, a, CUE_ORG_HEADS))
            named = true, reason = R_NAMECLASS;
        if (gaz_inside && !named) continue;   /* the gazetteer spans stand */
        size_t name_a = a;   /* the name without its particle */
        /* the particle of a name: "d'Artagnan", "M. de Tréville"; after any
         * word once the document wrote the name with it ("regarda
         * d'Artagnan") */
        if (type == CRIBLE_ENT_PER && span_a == a && a > 0 && !labels[a - 1] && in[a - 1].word &&
            (in[a - 1].key_len == 1 && e->keys[in[a - 1].key_off] == 'd') &&
            (reason == R_DEFAULT || reason == R_MEMO || reason == R_NAMECLASS) &&
            (a < 2 || !in[a - 2].word || in[a - 2].cap ||
             crible_ent_key_cue(e, a - 2, CUE_PARTICLE_BEFORE) ||
             (reason == R_MEMO && b - a == 1 && with_particle(e, a))))
            span_a = --a;
        else if (type == CRIBLE_ENT_PER && a >= 2 && span_a == a &&
                 crible_ent_key_cue(e, a - 1, CUE_CONNECTORS) && in[a - 2].word &&
                 crible_ent_key_cue(e, a - 2, CUE_HONORIFICS) && !labels[a - 2])
            span_a = a - 2;
        else if (type == CRIBLE_ENT_PER && reason == R_MEMO && b - a == 1 && span_a == a && a > 0 &&
                 !labels[a - 1] && crible_ent_key_in(e, a - 1, (const char *const[]){"de", NULL}) &&
                 with_de(e, a))
            span_a = --a;   /* "de Wardes" after "le comte de Wardes" */
        /* an honorific before the particle: "monsieur d'Artagnan" */
        if (type == CRIBLE_ENT_PER && name_a != a && span_a == a && a > 0 && !labels[a - 1] &&
            in[a - 1].word && crible_ent_key_cue(e, a - 1, CUE_HONORIFICS))
            span_a = a - 1;
        size_t va = reason == R_TITLE || reason == R_GEONOUN ||
                            (reason == R_ORGHEAD && span_a < a)
                        ? span_a
                        : a;
        if (reason == R_TITLE && span_a + 1 == a && crible_ent_key_cue(e, span_a, CUE_RANKS))
            va = a;   /* "le capitaine Rameau": "Rameau" */
        while (va + 1 < b && crible_ent_key_cue(e, va, CUE_HONORIFICS)) va++;
        const crible_ent_memo *m =
            b - name_a == 1 ? crible_ent_memo_get(e, e->keys + in[name_a].key_off,
                                                  in[name_a].key_len)
                            : NULL;
        uint32_t value = m ? crible_ent_arena_string(e, e->memo_pool + m->value_off)
                           : crible_ent_arena_text(e, t, va, b);
        if (type == CRIBLE_ENT_LOC && b - a == 1 &&
            crible_ent_key_in(e, a,
                              (const char *const[]){"empire", "republique", "royaume", "massif",
                                                    "confederation", "principaute", "emirats",
                                                    "sultanat", "federation", NULL})) {
            while (b < n && !labels[b] && adjective(e, b)) b++;
            value = crible_ent_arena_text(e, t, va, b);
            i = b - 1;
        }
        if (reason == R_ORGHEAD && crible_ent_key_cue(e, a, CUE_ORG_HEADS)) {
            b = org_name_end(e, labels, n, b);
            value = crible_ent_arena_text(e, t, va, b);
            i = b - 1;
        }
        if (!crible_ent_put_span(e, labels, span_a, b, type, value)) continue;
        for (size_t k = span_a; k < b; k++) in[k].reason = (uint8_t)reason;
        if (type == CRIBLE_ENT_WORK) crible_ent_remember_work(e, span_a, b, value);
        if (!m && type == CRIBLE_ENT_PER && (span_a < va || b - va >= 2))
            remember(e, type, va, b, value);
    }
}

