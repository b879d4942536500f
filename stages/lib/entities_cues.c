/*
 * entities_cues.c - the French cue words of the tagger's rules
 * (entities_quotes.c, entities_runs.c, entities_rules.c): titles and roles
 * written before a name, head words of organisations and places, articles
 * and prepositions, words that are never a name.  They are compared with
 * token keys (entities_key.h: folded, no accents).  Every word of every set
 * is in one hash table, built once, that gives a key the bits of the sets it
 * belongs to: crible_ent_prepare looks each token's key up once, and a rule
 * asking whether a token is a cue tests a bit.
 */
#include "entities_cues.h"

#include <pthread.h>
#include <string.h>

/* Titles written before a name; they belong to the PER span ("M. Bovary")
 * but not to its value ("Bovary"). */
static const char *const honorifics[] = {
    "m", "mm", "mme", "mmes", "mlle", "mlles", "mr", "mrs", "dr", "pr", "monsieur",
    "madame", "mademoiselle", "messieurs", "docteur", "maitre", "sir", "lord",
    "lady", "milady", "milord", "miss", "mister", "professeur", "abbe", "pere",
    "soeur", "frere", "monseigneur", "mgr", NULL};

/* Titles of nobility, of the clergy and military ranks: part of the name
 * ("le duc de Buckingham", "l'abbé Pirard", "le général de Gaulle"), in the
 * span and in the value, as the 7romans and HIPE annotators do. */
static const char *const titles[] = {
    "duc", "duchesse", "comte", "comtesse", "marquis", "marquise", "baron",
    "baronne", "vicomte", "vicomtesse", "chevalier", "prince", "princesse", "roi",
    "reine", "empereur", "imperatrice", "cardinal", "abbe", "dom", "frere",
    "soeur", "mere", "pere", "compere", "commere", "marechal", "marechale",
    "general", "colonel", "capitaine", "lieutenant", "amiral", "commandant",
    "sergent", "caporal", "eveque", "archeveque", "pape", "saint", "sainte",
    "lord", "lady", "sir", "dame", "infant", "infante", "archiduc", "tsar", NULL};

/* Titles that are kinship words: "la mère Lefrançois" is a name, "la mère de
 * Camille" is Camille's mother. */
static const char *const kinship[] = {
    "mere", "pere", "frere", "soeur", "fils", "fille", "compere", "commere", NULL};

/* Military ranks: in the span ("le capitaine Rameau") but, like an
 * honorific, not in the value ("Rameau") when the name follows them
 * directly; "le général de Gaulle" keeps its "de" and its rank. */
static const char *const ranks[] = {
    "general", "colonel", "capitaine", "lieutenant", "amiral", "commandant", "sergent",
    "caporal", "marechal", NULL};

/* Roles and relations written before a name: "le réalisateur Christopher
 * Nolan", "l'officier de police Kevin Anderson", "sa fille Emma". */
static const char *const roles[] = {
    "realisateur", "realisatrice", "acteur", "actrice", "auteur", "autrice",
    "auteure", "ecrivain", "ecrivaine", "romancier", "romanciere", "cineaste",
    "chanteur", "chanteuse", "comedien", "comedienne", "interprete", "producteur",
    "productrice", "scenariste", "journaliste", "officier", "policier", "policiere",
    "police", "inspecteur", "inspectrice", "commissaire", "enqueteur", "enquetrice",
    "detective", "agent", "president", "presidente", "ministre", "depute",
    "deputee", "senateur", "maire", "roi", "reine", "prince", "princesse",
    "capitaine", "general", "colonel", "lieutenant", "sergent", "juge", "avocat",
    "avocate", "personnage", "heros", "heroine", "joueur", "joueuse",
    "entraineur", "footballeur", "dessinateur", "illustrateur", "traducteur",
    "narrateur", "narratrice", "frere", "soeur", "pere", "mere", "fils", "fille",
    "mari", "femme", "epouse", "epoux", "ami", "amie", "compagnon", "compagne",
    "oncle", "tante", "cousin", "cousine", "neveu", "niece", "pape", "cardinal",
    "eveque", "cure", "chef", "star", "vedette", "youtubeur", "youtubeuse",
    "influenceur", "influenceuse", "suspect", "victime", "harceleur", NULL};

/* Words before a title of a work: "le film Intouchables". */
static const char *const work_cues[] = {
    "film", "films", "serie", "series", "documentaire", "docuserie", "miniserie",
    "roman", "livre", "album", "saga", "telefilm", "feuilleton", "piece", "bd",
    "manga", "essai", "recueil", "opera", "chanson", "emission", "spectacle",
    "biopic", "polar", "thriller", "sitcom", "anime", "tome", "trilogie", NULL};

/* Head words of organisations and of places. */
static const char *const org_heads[] = {
    "ligue", "confederation", "conference", "ordre", "orchestre", "societe",
    "ministere", "universite", "banque", "parti", "assemblee", "conseil",
    "compagnie", "association", "federation", "institut", "lycee", "college",
    "ecole", "academie", "comite", "groupe", "club", "eglise", "tribunal", "cour",
    "chambre", "agence", "fondation", "union", "syndicat", "editions", "studio",
    "studios", "journal", "gouvernement", "parlement", "armee", "police",
    "gendarmerie", "hopital", "fc", "ac", "as", "sa", "sarl", "inc", "ltd",
    "corporation", "entreprise", "service", "direction", "office", "senat",
    "commission", "organisation", "mouvement", "front", "rassemblement", "comptoir",
    "brasserie", "bistrot", "bistro", "restaurant", "pizzeria", "creperie", NULL};
/* Nouns whose "de" + name is someone's: "le personnage de Negan", "la mort
 * de Porthos", "les rêves de Cobb" (and the kinship words: "le fils de
 * Blake"; not the roles: "le curé de Yonville" is a place's). */
static const char *const of_person[] = {
    "personnage", "personnages", "role", "celui", "celle", "ceux", "mort", "arrivee",
    "equipe", "bande", "entourage", "reve", "reves", "souvenirs", "meurtre",
    "assassinat", "disparition", "redemption", "vengeance", "interpretation", "jeu",
    "psychologie", "folie", "passe", "enfance", "subconscient", "groupe", "yeux",
    "regard", "visage", "peau", "mission", "origines", NULL};

/* English words of titles: a capitalised run of two words or more with one
 * of them, and no known name, is the title of a work ("Breaking Bad",
 * "Stranger Things", "Love Actually"), not a person. */
static const char *const english_title_words[] = {
    "bad", "dead", "walking", "breaking", "things", "stranger", "love", "actually",
    "wars", "rises", "begins", "story", "night", "knight", "world", "lost", "last",
    "game", "thrones", "girls", "boys", "rings", "mirror", NULL};

/* Head words of restaurants: an organisation even at a sentence start. */
static const char *const eatery_heads[] = {"comptoir", "brasserie", "bistrot", "bistro",
                                           "restaurant", "pizzeria", "creperie", NULL};
/* Words anywhere in a name that make it an organisation: "American Film
 * Institute", "Royal Society", "Manchester United". */
static const char *const org_words[] = {
    "institute", "society", "university", "college", "school", "foundation",
    "party", "council", "corporation", "company", "records", "club", "united",
    "navy", "airlines", "bank", "group", "association", "agency", "committee",
    "league", "ligue", "federation", "confederation", "orchestre", "orchestra",
    "studios", "pictures", "entertainment", "games", "fc", "sa", "inc", "ltd",
    "gmbh", "ag", "restaurant", "brasserie", "bistrot", NULL};
/* Lower-case nouns of organisations before "de|du|des" + name: "les
 * éditions du Phare", "l'association des Amis de Flaubert"; the noun is in
 * the span and the value ("éditions du Phare"). */
static const char *const org_nouns[] = {
    "editions", "association", "magazine", "restaurant", "brasserie", "bistrot", NULL};
static const char *const loc_heads[] = {
    "rue", "avenue", "boulevard", "place", "quai", "pont", "mont", "lac", "ile",
    "iles", "chateau", "gare", "port", "foret", "vallee", "fleuve", "cap",
    "golfe", "mer", "ocean", "riviere", "montagne", "province", "departement",
    "region", "ville", "village", "faubourg", "porte", "palais", "jardin",
    "cathedrale", "abbaye", "chapelle", "saint", "sainte", "val", "bois", "col",
    "plateau", "pointe", "baie", "canal", "detroit", "desert", "royaume",
    "republique", "comte", "duche", "chemin", "route", "impasse", "allee",
    "cours", "square", "parc", "musee", "theatre", "hotel", "aeroport", NULL};
/* Articles before a place ("la Garonne", "les Pyrénées", "l'Alaska",
 * "du Texas"): French names of people take none. */
static const char *const loc_articles[] = {"le", "la", "l", "les", "du", "des", "au",
                                           "aux", NULL};
/* Geographic nouns before a name: "le lac Léman", "l'île Maurice". */
static const char *const geo_nouns[] = {
    "mer", "lac", "ile", "iles", "ocean", "region", "fleuve", "riviere", "mont",
    "monts", "peninsule", "golfe", "baie", "massif", "departement", "province",
    "comte", "canton", "ville", "village", "commune", "etat", "desert", "vallee",
    "cap", "detroit", "archipel", "plaine", "plateau", "foret", "gave", "rue",
    "avenue", "boulevard", "quai", "pont", "chateau", "musee", "palais", "gare",
    "parc", "jardin", "cathedrale", "abbaye", "col", "pic", "oued", "glacier",
    "volcan", "atoll", "marais", "etang", "source", "lagune", NULL};
/* Nouns of a place in a town before its name, outside the span: "la place
 * Colbert", "le quartier Saint-Michel" find "Colbert", "Saint-Michel" (LOC,
 * not the statesman nor the saint), as WikiNEuRal's annotators mark them. */
static const char *const town_nouns[] = {"place", "quartier", "quartiers", NULL};
/* Events named after a place or a date: "la guerre de Corée", "la bataille
 * de Lexington": the name is the event's, not a place mention. */
static const char *const event_nouns[] = {
    "guerre", "guerres", "bataille", "batailles", "siege", "traite", "revolution",
    "crise", "accords", "paix", "campagne", "expedition", "massacre", "affaire",
    "proces", "concile", "edit", "insurrection", "revolte", NULL};
/* Lower-case words after which "d'" + name is a name with its particle
 * ("répondit d'Artagnan", "le jeune d'Artagnan", "la chambre de
 * d'Artagnan"), not "of" + name ("l'album d'Hergé"): verbs of speech,
 * conjunctions and prepositions, a few adjectives. */
static const char *const particle_before[] = {
    "dit", "repondit", "reprit", "demanda", "secria", "cria", "fit", "continua",
    "ajouta", "murmura", "repliqua", "observa", "pensa", "s", "et", "ou", "que",
    "jeune", "pauvre", "cher", "brave", "bon", "petit", "monsieur", "madame", "a",
    "avec", "pour", "par", "chez", "contre", "vers", "dont", "mais", "car", "donc",
    "alors", "puis", "voila", "voici", "ni", "de", "ecria", "interrompit", "repeta",
    "comme", "si", "quand", "lorsque", "lui", "sur", "ami", "regardant", NULL};
/* Prepositions before a place: "à Paris", "en Normandie". */
static const char *const loc_preps[] = {"a", "en", "au", "aux", "vers", "depuis",
                                        "jusqua", "pres", "outre", NULL};
/* Connectors inside a name: "Charles de Gaulle", "Notre-Dame de Paris". */
static const char *const connectors[] = {"de", "d", "du", "des", "la", "le", "l",
                                         "von", "van", "der", "den", "di", "da",
                                         "del", "della", "dos", "las", "los", NULL};

/* Words that are never a name by themselves, even capitalised. */
static const char *const function_words[] = {
    "il", "ils", "elle", "elles", "je", "j", "tu", "nous", "vous", "on", "le", "la",
    "les", "l", "un", "une", "des", "du", "de", "d", "ce", "cet", "cette", "ces",
    "c", "ca", "cela", "ceci", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa",
    "ses", "notre", "nos", "votre", "vos", "leur", "leurs", "et", "ou", "mais",
    "donc", "or", "ni", "car", "si", "que", "qu", "qui", "quoi", "quand", "comme",
    "dans", "sur", "sous", "avec", "sans", "pour", "par", "en", "a", "au", "aux",
    "chez", "vers", "entre", "apres", "avant", "depuis", "pendant", "puis",
    "alors", "ainsi", "aussi", "enfin", "oui", "non", "ah", "oh", "eh", "he", "o",
    "helas", "bien", "tout", "tous", "toute", "toutes", "rien", "personne",
    "chacun", "quel", "quelle", "quels", "quelles", "pourquoi", "comment",
    "voici", "voila", "y", "ne", "n", "pas", "plus", "moi", "toi", "lui", "eux",
    "se", "s", "me", "m", "te", "t", "cependant", "pourtant", "certes", "meme",
    "encore", "deja", "jamais", "toujours", "ici", "parfois", "souvent",
    "chapitre", "fin", "premiere", "partie", "livre", "tome", "bonjour", "merci",
    "madame", "monsieur", "mademoiselle", "messieurs", "mesdames", NULL};

/* Verbs of speech: what follows them, or the colon after them, is speech. */
static const char *const speech[] = {"dit", "dis", "declare", "explique", "affirme",
                                     "raconte", "lance", "confie", "ajoute", "precise",
                                     "estime", "selon", "repond", "resume", "souffle", "assure",
                                     "temoigne", "reconnait", "poursuit", "conclut",
                                     "insiste", "avoue", "glisse", "admet", "reprend",
                                     "demande", "interroge", "martele", "regrette",
                                     "lancent", "disent", "soupire", NULL};

static const char *const *const cue_sets[CUE_COUNT] = {
    [CUE_HONORIFICS] = honorifics,
    [CUE_TITLES] = titles,
    [CUE_KINSHIP] = kinship,
    [CUE_RANKS] = ranks,
    [CUE_ROLES] = roles,
    [CUE_WORK_CUES] = work_cues,
    [CUE_ORG_HEADS] = org_heads,
    [CUE_OF_PERSON] = of_person,
    [CUE_ENGLISH_TITLE_WORDS] = english_title_words,
    [CUE_EATERY_HEADS] = eatery_heads,
    [CUE_ORG_WORDS] = org_words,
    [CUE_ORG_NOUNS] = org_nouns,
    [CUE_LOC_HEADS] = loc_heads,
    [CUE_LOC_ARTICLES] = loc_articles,
    [CUE_GEO_NOUNS] = geo_nouns,
    [CUE_TOWN_NOUNS] = town_nouns,
    [CUE_EVENT_NOUNS] = event_nouns,
    [CUE_PARTICLE_BEFORE] = particle_before,
    [CUE_LOC_PREPS] = loc_preps,
    [CUE_CONNECTORS] = connectors,
    [CUE_FUNCTION_WORDS] = function_words,
    [CUE_SPEECH] = speech,
};

/* Open addressing, a power of two at least four times the words (about
 * 700): a probe finds its word or an empty slot within a few steps. */
#define CUE_SLOTS 4096
typedef struct cue_slot {
    const char *word;         /* NULL: empty */
    uint32_t len, cues;
} cue_slot;

static cue_slot cue_table[CUE_SLOTS];
static pthread_once_t cue_table_once = PTHREAD_ONCE_INIT;

static uint32_t cue_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)k[i]) * 16777619u;
    return h;
}

static cue_slot *cue_find(const char *k, size_t n)
{
    for (uint32_t i = cue_hash(k, n) & (CUE_SLOTS - 1);; i = (i + 1) & (CUE_SLOTS - 1)) {
        cue_slot *s = &cue_table[i];
        if (!s->word || (s->len == n && !memcmp(s->word, k, n))) return s;
    }
}

static void cue_table_build(void)
{
    for (int c = 0; c < CUE_COUNT; c++)
        for (const char *const *w = cue_sets[c]; *w; w++) {
            cue_slot *s = cue_find(*w, strlen(*w));
            s->word = *w;
            s->len = (uint32_t)strlen(*w);
            s->cues |= 1u << c;
        }
}

uint32_t crible_ent_cues_of(const char *k, size_t n)
{
    pthread_once(&cue_table_once, cue_table_build);
    return n ? cue_find(k, n)->cues : 0;
}

bool crible_ent_in_cue(const char *k, size_t n, enum crible_ent_cue c)
{
    return crible_ent_cues_of(k, n) >> c & 1;
}

bool crible_ent_key_cue(const crible_entities *e, size_t i, enum crible_ent_cue c)
{
    return e->info[i].cues >> c & 1;
}

/* A list's words are short: compared first by their first byte, then up
 * to n bytes (strncmp stops at a shorter word's end) and the word's end.
 * No list has an empty word. */
bool crible_ent_in_set(const char *k, size_t n, const char *const *set)
{
    if (n == 0) return false;
    for (int s = 0; set[s]; s++)
        if (set[s][0] == k[0] && !strncmp(set[s], k, n) && set[s][n] == '\0') return true;
    return false;
}

bool crible_ent_key_in(const crible_entities *e, size_t i, const char *const *set)
{
    return crible_ent_in_set(e->keys + e->info[i].key_off, e->info[i].key_len, set);
}

bool crible_ent_form_is(const crible_entities_token *t, const char *s)
{
    return t->form_len && t->form[0] == s[0] && !strncmp(t->form, s, t->form_len) &&
           s[t->form_len] == '\0';
}
