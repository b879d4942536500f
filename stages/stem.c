/*
 * stem.c - crible-stem: the token stream (CoNLL-U Plus, conllu.h) in, the
 * same stream with CRIBLE:STEM and CRIBLE:STOP appended out.  The work is
 * in stages/lib/stem_bank.h (which term and stop flag a token gets, per
 * language) and stemmer.h; this main parses options, loads the `stem:`
 * section, follows each document's "lang" and copies blocks through: a
 * block's new cells are made as the text written after each token line
 * ("\tSTEM\tSTOP", checked as they are made), handed to the writer at
 * once (crible_conllu_write_tails).
 *
 * Each distinct token is made once: a memo per language (stem_memo.h's
 * table of 64-byte entries, 8 MB of them, here keyed by the bytes
 * "NORM\0TYPE" the reader holds in a row, its value the cells
 * "\tSTEM\tSTOP" as written, each key with two slots: the one of its
 * hash, then the one of the hash's high half; a block's lines are asked
 * for before the first is read) gives a token met before its cells in one hash, one
 * or two lines and one copy, without reading its type nor asking the
 * stem bank; a token it does not hold (both slots taken, NORM and TYPE
 * not side by side in a block read whole, or too long) goes the bank's
 * way and is kept for the next time.
 */
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conllu.h"
#include "options.h"
#include "stem_bank.h"
#include "stem_options.h"

static const char usage[] =
    "Usage: crible-stem [OPTION]... [FILE|-]...\n"
    "Add the stem and the stop-word flag of every token to a crible token\n"
    "stream (CoNLL-U Plus, from crible-tokenize): columns CRIBLE:STEM (the\n"
    "index term of CRIBLE:NORM: its stem for a word, the normal form itself\n"
    "for numbers, URLs, e-mails, hashtags, mentions and emoji, '_' for\n"
    "punctuation and symbols) and CRIBLE:STOP (1 for a stop word, else 0).\n"
    "Every other column and comment is passed through.  French by default\n"
    "(Snowball 3 French with crible's measured corrections); a document whose\n"
    "metadata has \"lang\" (fr, en, de...) is stemmed in that language.\n"
    "With no FILE, or '-', standard input is read.\n"
    "\n"
    "  -c, --config FILE   read the 'stem:' section of this YAML file\n"
    "      --conllu        write plain 10-column CoNLL-U (LEMMA = the stem)\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 config, 4 bad input (no CRIBLE:NORM or\n"
    "CRIBLE:TYPE column, invalid UTF-8, a NUL byte, a cut stream), 5 I/O\n"
    "(cannot open or write), 7 out of memory.\n"
    "Example: crible-read corpus/ | crible-tokenize | crible-stem\n";

/* The slots of each memo: 128 K lines, 8 MB (made when its language is
 * first met: 64 MB if a stream had 8 languages).  The bank's memo, which
 * the analyzer's threads each have, holds 16 K, a core's L2; this process
 * does nothing else, asks for a block's lines ahead (stem_block) and can
 * wait on L3 rather than go the bank's way (a second memo, a word map, the
 * stemmer).  crible-stem alone on the press's 529 MB token stream, user +
 * sys, medians of 4 runs: 16 K slots 1.12 s, 32 K 1.02, 64 K 0.89, 128 K
 * 0.84, 256 K 0.82 (peak RSS 29 MB at 128 K). */
#define STEM_MEMO_SLOTS 131072

typedef struct stem_run {
    crible_stem_bank *bank;
    crible_conllu_writer *w;
    crible_sentence s;
    char *tails;              /* this block's extra cells: "\tSTEM\tSTOP" per token */
    size_t tails_cap;
    size_t *offs;             /* where each token's starts in tails (ntokens + 1) */
    uint64_t *hashes;         /* each token's NORM hash (the memo's), offs_cap of them */
    size_t offs_cap;
    char columns[2048];       /* the first input's columns, to check the others */
    char *settings;           /* "# crible.stem = JSON", for the index and queries */
    char warned[8][32];       /* unknown languages already reported */
    int nwarned;
    /* the cells made of each "NORM\0TYPE", a memo per language met */
    const char *memo_lang[8]; /* crible_stem_bank_language's pointer */
    crible_stem_memo *memos[8];
    int nmemos;
    crible_stem_memo *memo;   /* the selected language's; NULL: none (a 9th language) */
} stem_run;

/* The memo of the language the bank has selected (made on its first
 * use); past 8 languages, none: their tokens all go the bank's way. */
static crible_status select_memo(stem_run *r, crible_error *err)
{
    const char *lang = crible_stem_bank_language(r->bank);
    for (int i = 0; i < r->nmemos; i++) {
        if (r->memo_lang[i] == lang) {
            r->memo = r->memos[i];
            return CRIBLE_OK;
        }
    }
    r->memo = NULL;
    if (r->nmemos == 8)
        return CRIBLE_OK;
    r->memo = crible_stem_memo_new_sized(STEM_MEMO_SLOTS, err);
    if (!r->memo)
        return CRIBLE_ENOMEM;
    r->memo_lang[r->nmemos] = lang;
    r->memos[r->nmemos++] = r->memo;
    return CRIBLE_OK;
}

/* Follows "lang" in the document object of a `# newdoc` block. */
static crible_status select_language(stem_run *r, const crible_sentence *s, crible_error *err)
{
    if (!crible_sentence_comment(s, "newdoc id"))
        return CRIBLE_OK;
    const char *doc = crible_sentence_comment(s, "crible.doc");
    const char *lang = NULL;
    json_t *j = NULL;
    if (doc && strstr(doc, "\"lang\"")) {
        j = json_loads(doc, JSON_DISABLE_EOF_CHECK, NULL);
        lang = json_string_value(json_object_get(j, "lang"));
    }
    crible_status st = crible_stem_bank_select(r->bank, lang, err);
    if (st == CRIBLE_EDATA) {
        int seen = 0;
        for (int i = 0; i < r->nwarned; i++)
            seen |= strncmp(r->warned[i], lang, sizeof r->warned[i] - 1) == 0;
        if (!seen) {
            crible_cli_warn("document '%s': %s: stemmed as %s", crible_sentence_comment(s, "newdoc id"),
                            err->message, crible_stem_bank_language(r->bank));
            if (r->nwarned < 8)
                snprintf(r->warned[r->nwarned++], sizeof r->warned[0], "%s", lang);
        }
        st = CRIBLE_OK;
    }
    json_decref(j);
    return st == CRIBLE_OK ? select_memo(r, err) : st;
}

/* Room for n more bytes of tails after `len` (and 16 bytes past them:
 * the writer copies 16 bytes at a time). */
static bool tails_room(stem_run *r, size_t len, size_t n, crible_error *err)
{
    if (len + n + 16 <= r->tails_cap)
        return true;
    size_t cap = (len + n + 16) * 2;
    char *b = crible_realloc(r->tails, cap, err);
    if (!b)
        return false;
    r->tails = b;
    r->tails_cap = cap;
    return true;
}

/* The cells of token t of block b not in the memo, made through the bank
 * (its stem and stop flag) at r->tails + *len, *len moved past them; kept
 * in memo entry e (NULL: none) under the key norm[0..kl), hash h. */
static crible_status new_cells(stem_run *r, const crible_sentence *b, size_t t, int col_norm,
                               int col_type, crible_stem_memo_entry *e, size_t kl, uint64_t h,
                               size_t *len, crible_error *err)
{
    const char *norm = crible_sentence_cell(b, t, (size_t)col_norm);
    const char *tn = crible_sentence_cell(b, t, (size_t)col_type);
    crible_token_type type = CRIBLE_TOKEN_WORD;
    if (tn[0] == 'w' && tn[1] == 'o' && tn[2] == 'r' && tn[3] == 'd' && !tn[4])
        ;   /* the two usual types without a search */
    else if (tn[0] == 'p' && tn[1] == 'u' && tn[2] == 'n' && tn[3] == 'c' && tn[4] == 't' && !tn[5])
        type = CRIBLE_TOKEN_PUNCT;
    else if (!crible_token_type_parse(tn, &type))
        type = CRIBLE_TOKEN_NUMBER;   /* a type this version does not know: kept as is */
    size_t tl;
    bool stop;
    uint32_t word;
    const char *term = crible_stem_bank_token_memo(r->bank, crible_stem_bank_memo(r->bank), norm,
                                                   crible_sentence_cell_len(b, t, (size_t)col_norm),
                                                   type, &tl, &stop, &word);
    if (!term)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (!tails_room(r, *len, tl + 4, err))
        return CRIBLE_ENOMEM;
    /* "\tSTEM\tSTOP", an empty stem written "_" */
    char *o = r->tails + *len;
    *o++ = '\t';
    unsigned bad = 0;
    for (size_t i = 0; i < tl; i++) {
        bad |= crible_conllu_cell_stop((unsigned char)term[i]);
        o[i] = term[i];
    }
    if (bad)
        return crible_error_set(err, CRIBLE_EINTERNAL,
                                "a cell cannot hold a TAB or a line break: '%.40s'", term);
    if (!tl)
        *o++ = '_';
    o += tl;
    *o++ = '\t';
    *o++ = stop ? '1' : '0';
    size_t made = (size_t)(o - r->tails);
    if (e && made - *len <= CRIBLE_STEM_MEMO_MAX) {
        /* kept for the next time in its first slot, what was there moved
         * to its own second one (the slot of the hash's high half, which
         * the entry keeps) */
        crible_stem_memo_entry *second = crible_stem_memo_slot(r->memo, e->hash);
        if (e->key_len && second != e)
            *second = *e;
        crible_stem_memo_fill(e, norm, kl, h, r->tails + *len, made - *len, false, 0);
    }
    *len = made;
    return CRIBLE_OK;
}

static crible_status stem_block(stem_run *r, int col_norm, int col_type, crible_error *err)
{
    crible_status st = select_language(r, &r->s, err);
    if (st != CRIBLE_OK)
        return st;
    if (r->s.ntokens + 1 > r->offs_cap) {
        size_t cap = r->s.ntokens + 64;
        size_t *o = crible_realloc(r->offs, cap * sizeof *o, err);
        if (!o)
            return CRIBLE_ENOMEM;
        r->offs = o;
        uint64_t *h = crible_realloc(r->hashes, cap * sizeof *h, err);
        if (!h)
            return CRIBLE_ENOMEM;
        r->hashes = h;
        r->offs_cap = cap;
    }
    /* copies: the bytes the loop stores cannot change them (no reloads) */
    const crible_sentence b = r->s;
    crible_stem_memo *memo = r->memo;
    size_t *offs = r->offs, len = 0;
    /* the memo's key "NORM\0TYPE" read from the cells' places when NORM
     * and TYPE are side by side in a block read whole (each cell ends one
     * byte before the next one starts, conllu.h) */
    const bool keyed = memo && b.raw_ok && col_type == col_norm + 1;
    uint64_t *const hashes = r->hashes;
    if (keyed) {
        /* every token's two memo lines asked for before the first is
         * read: their cache misses overlap instead of coming one by one */
        for (size_t t = 0; t < b.ntokens; t++) {
            char *const *row = b.cells + t * b.ncolumns;
            const char *norm = row[col_norm];
            hashes[t] = crible_bytes_hash(norm, (size_t)(row[col_type] - 1 - norm));
            __builtin_prefetch(crible_stem_memo_slot(memo, hashes[t]));
            __builtin_prefetch(crible_stem_memo_slot(memo, hashes[t] >> 32));
        }
    }
    for (size_t t = 0; t < b.ntokens; t++) {
        if (!tails_room(r, len, CRIBLE_STEM_MEMO_MAX + 1, err))
            return CRIBLE_ENOMEM;
        offs[t] = len;
        crible_stem_memo_entry *e = NULL;
        size_t kl = 0;
        uint64_t h = 0;
        if (keyed) {
            /* "NORM\0TYPE" met before: its cells at once (the slot is the
             * hash of NORM alone: most are short, a hash of 8 bytes or less) */
            char *const *row = b.cells + t * b.ncolumns;
            const char *norm = row[col_norm];
            kl = (size_t)(row[col_type + 1] - 1 - norm);
            if (kl <= CRIBLE_STEM_MEMO_MAX) {
                h = hashes[t];
                e = crible_stem_memo_slot(memo, h);
                const crible_stem_memo_entry *f = e;
                if (crible_stem_memo_holds(f, norm, kl, h) ||
                    crible_stem_memo_holds(f = crible_stem_memo_slot(memo, h >> 32), norm, kl, h)) {
                    memcpy(r->tails + len, f->term, CRIBLE_STEM_MEMO_MAX + 1);
                    len += f->term_len;
                    continue;
                }
            }
        }
        if ((st = new_cells(r, &b, t, col_norm, col_type, e, kl, h, &len, err)) != CRIBLE_OK)
            return st;
    }
    offs[b.ntokens] = len;
    if (!tails_room(r, len, 0, err))
        return CRIBLE_ENOMEM;
    return crible_conllu_write_tails(r->w, &r->s, r->tails, r->offs, 2, err);
}

/* Every input must have the first one's columns: the output has one header. */
static crible_status check_columns(stem_run *r, const crible_conllu_reader *reader,
                                   crible_error *err)
{
    char cols[sizeof r->columns] = "";
    size_t used = 0;
    for (size_t i = 0; i < crible_conllu_ncolumns(reader); i++) {
        int n = snprintf(cols + used, sizeof cols - used, "%s ", crible_conllu_column_name(reader, i));
        if (n < 0 || (size_t)n >= sizeof cols - used)
            break;
        used += (size_t)n;
    }
    if (!r->columns[0])
        memcpy(r->columns, cols, sizeof cols);
    else if (strcmp(r->columns, cols) != 0)
        return crible_error_set(err, CRIBLE_EDATA, "%s: its columns (%s) differ from the first "
                                "input's (%s)", crible_conllu_reader_name(reader), cols, r->columns);
    return CRIBLE_OK;
}

static crible_status stem_input(stem_run *r, const char *path, bool plain, crible_error *err)
{
    static const char *const extra[] = {"CRIBLE:STEM", "CRIBLE:STOP"};
    FILE *in = crible_cli_open_input(path, err);
    if (!in)
        return err->status;
    crible_conllu_reader *reader = NULL;
    int col_norm = -1, col_type = -1, got;
    crible_status st = crible_conllu_reader_open(in, path, &reader, err);
    if (st == CRIBLE_OK)
        st = crible_conllu_reader_peek_header(reader, err);
    if (st == CRIBLE_OK && crible_conllu_column(reader, "CRIBLE:NORM") < 0) {
        /* no token stream header: an error, unless the input holds no block
         * at all (empty input, whose columns the reader takes for plain
         * CoNLL-U's: nothing to add to, as crible-entities) */
        got = crible_conllu_read(reader, &r->s, err);
        if (got < 0)
            st = err->status;
        else if (got == 0)
            goto done;
    }
    if (st == CRIBLE_OK)
        st = crible_conllu_require(reader, "CRIBLE:NORM", "run crible-tokenize first", &col_norm, err);
    if (st == CRIBLE_OK)
        st = crible_conllu_require(reader, "CRIBLE:TYPE", "run crible-tokenize first", &col_type, err);
    if (st == CRIBLE_OK)
        st = check_columns(r, reader, err);
    if (st == CRIBLE_OK && !r->w) {
        st = crible_conllu_writer_extend(stdout, reader, extra, 2, &r->w, err);
        if (st == CRIBLE_OK)
            crible_conllu_writer_set_plain(r->w, plain);
        if (st == CRIBLE_OK && !plain)
            st = crible_conllu_write_comment(r->w, r->settings, err);
    }
    while (st == CRIBLE_OK && (got = crible_conllu_read(reader, &r->s, err)) != 0)
        st = got < 0 ? err->status : stem_block(r, col_norm, col_type, err);
    if (st == CRIBLE_OK)
        st = crible_conllu_reader_check_complete(reader, err);
done:
    crible_conllu_reader_close(reader);
    crible_cli_close_input(in);
    return st;
}

/* The `# crible.stem = JSON` line written before the first block. */
static crible_status settings_comment(const crible_stem_options *o, char **out, crible_error *err)
{
    char *json = crible_stem_options_json(o);
    size_t n = json ? strlen(json) + 32 : 0;
    *out = json ? malloc(n) : NULL;
    if (*out)
        snprintf(*out, n, "# crible.stem = %s", json);
    free(json);
    return *out ? CRIBLE_OK : crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
}

int main(int argc, char **argv)
{
    crible_cli_init("crible-stem");
    crible_stage_args args;
    int done = crible_cli_stage_args(argc, argv, usage, &args);
    if (done >= 0)
        return done;
    crible_error err = {0};
    crible_config *config = NULL;
    const crible_node *section = NULL;
    crible_stem_options opt;
    stem_run run = {0};
    crible_sentence_init(&run.s);
    crible_stem_options_init(&opt);
    crible_status st = crible_config_open_section(args.config_path, "stem", &config, &section, &err);
    if (st == CRIBLE_OK)
        st = crible_stem_options_load(config, section, &opt, &err);
    if (st == CRIBLE_OK)
        st = crible_stem_bank_open(&opt, &run.bank, &err);
    if (st == CRIBLE_OK)
        st = select_memo(&run, &err);
    if (st == CRIBLE_OK)
        st = settings_comment(&opt, &run.settings, &err);
    if (st == CRIBLE_OK && optind == argc)
        st = stem_input(&run, "-", args.plain, &err);
    for (int i = optind; i < argc && st == CRIBLE_OK; i++)
        st = stem_input(&run, argv[i], args.plain, &err);
    if (st == CRIBLE_OK && run.w)
        st = crible_conllu_writer_finish(run.w, &err);
    crible_conllu_writer_close(run.w);
    crible_sentence_free(&run.s);
    free(run.tails);
    free(run.settings);
    free(run.offs);
    free(run.hashes);
    for (int i = 0; i < run.nmemos; i++)
        crible_stem_memo_free(run.memos[i]);
    crible_stem_bank_free(run.bank);
    crible_stem_options_free(&opt);
    crible_config_free(config);
    if (st != CRIBLE_OK)
        crible_cli_fail(&err);
    return crible_cli_exit(st);
}
