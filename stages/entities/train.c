/*
 * train.c - `crible-entities train`: learns an averaged-perceptron model
 * (entities_model.h) from token streams that carry gold BIO labels in a
 * column of their own (GOLD by default; IOB1 is turned into BIO), e.g. the
 * output of crible-tokenize with a column added by the user's script:
 *
 *   # global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE GOLD
 *   1	Kevin	0	5	kevin	word	B-PER
 *   2	Anderson	6	14	anderson	word	I-PER
 *
 * Every sentence is held in memory (about 60 bytes a token) and visited in
 * order (or shuffled with a fixed seed: --shuffle) for --epochs passes.
 */
#include "stage.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conllu.h"
#include "entities_model.h"
#include "entities_options.h"
#include "options.h"

static const char usage[] =
    "Usage: crible-entities train [OPTION]... -o MODEL FILE...\n"
    "Learn a model from token streams with gold BIO labels (B-PER, I-PER, O...)\n"
    "in a column of their own.  Tag with it: crible-entities -m MODEL, or\n"
    "`entities: model: MODEL` in the config.\n"
    "\n"
    "  -o, --output MODEL  the model file to write (required)\n"
    "  -g, --gold COLUMN   the column with the gold labels (default GOLD)\n"
    "  -e, --epochs N      passes over the data (default 8)\n"
    "  -i, --ignore TYPE   read B-TYPE/I-TYPE as O (repeatable: -i MISC)\n"
    "  -s, --shuffle       visit the sentences in a shuffled order (fixed seed);\n"
    "                      by default they are visited in order, so that the\n"
    "                      rules see each document as crible-entities will\n"
    "  -c, --config FILE   gazetteers and rules from the `entities:` section\n"
    "  -q, --quiet         no progress line per epoch on standard error\n"
    "  -h, --help          show this help and exit\n";

typedef struct tok { uint32_t form, norm; long start, end; int kind; uint16_t gold; } tok;
typedef struct sent { size_t first, n; bool newdoc; } sent;

typedef struct corpus {
    tok *toks; size_t ntoks, toks_cap;
    sent *sents; size_t nsents, sents_cap;
    char *pool; size_t pool_len, pool_cap;
    const char *labels[129]; size_t nlabels;
    char label_names[129][64];
    const char *ignore[16]; size_t nignore;
} corpus;

static bool quiet;

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

static bool pool_add(corpus *c, const char *s, uint32_t *off)
{
    size_t n = strlen(s) + 1;
    if (!grow((void **)&c->pool, &c->pool_cap, c->pool_len + n, 1)) return false;
    memcpy(c->pool + c->pool_len, s, n);
    *off = (uint32_t)c->pool_len;
    c->pool_len += n;
    return true;
}

/* The label index of `name` (added if new), after --ignore; -1 if malformed. */
static int label_id(corpus *c, const char *name, int prev)
{
    if (strcmp(name, "O") == 0 || strcmp(name, "_") == 0) return 0;
    if (strlen(name) < 3 || (name[0] != 'B' && name[0] != 'I') || name[1] != '-') return -1;
    for (size_t k = 0; k < c->nignore; k++)
        if (strcmp(name + 2, c->ignore[k]) == 0) return 0;
    char bio[64];
    snprintf(bio, sizeof bio, "%s", name);
    /* IOB1: an I- that does not continue the same type begins an entity */
    if (bio[0] == 'I' && (prev <= 0 || strcmp(c->labels[prev] + 1, bio + 1) != 0)) bio[0] = 'B';
    for (size_t l = 0; l < c->nlabels; l++)
        if (strcmp(c->labels[l], bio) == 0) return (int)l;
    if (c->nlabels == 129) return -1;
    memcpy(c->label_names[c->nlabels], bio, sizeof bio);
    c->labels[c->nlabels] = c->label_names[c->nlabels];
    return (int)c->nlabels++;
}

static crible_status load(corpus *c, FILE *in, const char *name, const char *gold_col,
                          crible_error *err)
{
    crible_conllu_reader *r = NULL;
    crible_sentence s;
    crible_sentence_init(&s);
    crible_status st = crible_conllu_reader_open(in, name, &r, err);
    int form = 0, norm = 0, type = 0, gold = 0, start = -1, end = -1, got = 0;
    bool first = true, newdoc = false;
    while (st == CRIBLE_OK && (got = crible_conllu_read(r, &s, err)) > 0) {
        if (first) {
            first = false;
            const char *hint = "run crible-tokenize first";
            if ((st = crible_conllu_require(r, "FORM", hint, &form, err)) ||
                (st = crible_conllu_require(r, "CRIBLE:NORM", hint, &norm, err)) ||
                (st = crible_conllu_require(r, "CRIBLE:TYPE", hint, &type, err)) ||
                (st = crible_conllu_require(r, gold_col, "add the gold labels (--gold)",
                                            &gold, err)))
                break;
            start = crible_conllu_column(r, "CRIBLE:START");
            end = crible_conllu_column(r, "CRIBLE:END");
        }
        if (crible_sentence_comment(&s, "newdoc id")) newdoc = true;
        if (s.ntokens == 0) continue;
        if (!grow((void **)&c->sents, &c->sents_cap, c->nsents + 1, sizeof *c->sents) ||
            !grow((void **)&c->toks, &c->toks_cap, c->ntoks + s.ntokens, sizeof *c->toks)) {
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            break;
        }
        c->sents[c->nsents++] = (sent){.first = c->ntoks, .n = s.ntokens, .newdoc = newdoc};
        newdoc = false;
        int prev = 0;
        for (size_t i = 0; i < s.ntokens && st == CRIBLE_OK; i++) {
            tok *t = &c->toks[c->ntoks++];
            const char *g = crible_sentence_cell(&s, i, (size_t)gold);
            int l = label_id(c, g, prev);
            if (l < 0) {
                st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: bad gold label '%s' "
                                      "(O, B-TYPE or I-TYPE)", name, s.line, g);
                break;
            }
            prev = l;
            t->gold = (uint16_t)l;
            t->kind = crible_entities_token_kind(crible_sentence_cell(&s, i, (size_t)type));
            t->start = start >= 0 ? atol(crible_sentence_cell(&s, i, (size_t)start)) : -1;
            t->end = end >= 0 ? atol(crible_sentence_cell(&s, i, (size_t)end)) : -1;
            if (!pool_add(c, crible_sentence_cell(&s, i, (size_t)form), &t->form) ||
                !pool_add(c, crible_sentence_cell(&s, i, (size_t)norm), &t->norm))
                st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
    }
    if (st == CRIBLE_OK && got < 0) st = err->status;
    crible_conllu_reader_close(r);
    crible_sentence_free(&s);
    return st;
}

static crible_status train(crible_entities *e, corpus *c, int epochs, bool shuffle,
                           const char *out, crible_error *err)
{
    if (c->nsents == 0) return crible_error_set(err, CRIBLE_EDATA, "no training sentence");
    crible_entities_model *m = crible_entities_model_new(c->labels, c->nlabels, err);
    if (!m) return err->status;
    size_t *order = malloc(c->nsents * sizeof *order);
    size_t maxn = 0;
    for (size_t k = 0; k < c->nsents; k++) maxn = c->sents[k].n > maxn ? c->sents[k].n : maxn;
    crible_entities_token *toks = malloc(maxn * sizeof *toks);
    uint16_t *gold = malloc(maxn * sizeof *gold);
    crible_status st = CRIBLE_OK;
    if (!order || !toks || !gold) st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t k = 0; st == CRIBLE_OK && k < c->nsents; k++) order[k] = k;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (int ep = 0; st == CRIBLE_OK && ep < epochs; ep++) {
        for (size_t k = c->nsents; shuffle && k > 1; k--) {   /* Fisher-Yates */
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            size_t j = seed % k, tmp = order[k - 1];
            order[k - 1] = order[j];
            order[j] = tmp;
        }
        size_t wrong = 0;
        for (size_t k = 0; st == CRIBLE_OK && k < c->nsents; k++) {
            const sent *s = &c->sents[order[k]];
            for (size_t i = 0; i < s->n; i++) {
                const tok *t = &c->toks[s->first + i];
                toks[i] = (crible_entities_token){
                    .form = c->pool + t->form, .form_len = strlen(c->pool + t->form),
                    .norm = c->pool + t->norm, .norm_len = strlen(c->pool + t->norm),
                    .start = t->start, .end = t->end, .kind = t->kind};
                gold[i] = t->gold;
            }
            if (shuffle || s->newdoc) crible_entities_end_document(e);
            size_t w = 0;
            st = crible_entities_learn(e, m, toks, s->n, gold, &w, err);
            wrong += w;
        }
        if (!quiet)
            fprintf(stderr, "crible-entities: train: epoch %d: %.2f%% of %zu tokens wrong\n",
                ep + 1, 100.0 * (double)wrong / (double)c->ntoks, c->ntoks);
    }
    if (st == CRIBLE_OK) {
        crible_entities_model_average(m);
        st = crible_entities_model_save(m, out, err);
    }
    crible_entities_model_free(m);
    free(order);
    free(toks);
    free(gold);
    return st;
}

int entities_train_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"gold", required_argument, NULL, 'g'},
        {"epochs", required_argument, NULL, 'e'}, {"ignore", required_argument, NULL, 'i'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {"shuffle", no_argument, NULL, 's'},      {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *gold = "GOLD", *config_path = NULL;
    int epochs = 8, ch;
    bool shuffle = false;
    static corpus c;
    while ((ch = getopt_long(argc, argv, "o:g:e:i:c:sqh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        case 'g': gold = optarg; break;
        case 'e':
            epochs = atoi(optarg);
            if (epochs < 1 || epochs > 100)
                return crible_cli_usage_error("--epochs wants a number from 1 to 100");
            break;
        case 'i':
            if (c.nignore == 16) return crible_cli_usage_error("at most 16 --ignore");
            c.ignore[c.nignore++] = optarg;
            break;
        case 'c': config_path = optarg; break;
        case 's': shuffle = true; break;
        case 'q': quiet = true; break;
        case 'h': return crible_cli_help(usage);
        default: return crible_cli_usage_error("unknown option or missing argument");
        }
    }
    if (!out) return crible_cli_usage_error("train needs -o MODEL");
    if (optind >= argc) return crible_cli_usage_error("train needs at least one FILE");
    crible_error err = {0};
    crible_config *config = NULL;
    const crible_node *section = NULL;
    crible_entities *e = NULL;
    c.labels[0] = "O";
    c.nlabels = 1;
    crible_status st = crible_config_open_section(config_path, "entities", &config,
                                                  &section, &err);
    if (st == CRIBLE_OK) st = crible_entities_load(config, section, "", &e, &err);
    for (int k = optind; st == CRIBLE_OK && k < argc; k++) {
        FILE *in = crible_cli_open_input(argv[k], &err);
        if (!in) {
            st = err.status;
            break;
        }
        st = load(&c, in, strcmp(argv[k], "-") ? argv[k] : "<stdin>", gold, &err);
        crible_cli_close_input(in);
    }
    if (st == CRIBLE_OK) st = train(e, &c, epochs, shuffle, out, &err);
    crible_entities_free(e);
    crible_config_free(config);
    free(c.toks);
    free(c.sents);
    free(c.pool);
    if (st != CRIBLE_OK) crible_cli_fail(&err);
    return crible_cli_exit(st);
}
