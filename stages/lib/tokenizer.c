/*
 * tokenizer.c - the tokenizer's API (tokenizer.h): options, create, free,
 * run.  The work is in tok_lexer.c, tok_assemble.c and tok_sentences.c
 * (tok_internal.h lists the files).
 *
 * A text goes through three layers, each in its file:
 *   tok_lexer.c      segments (ICU's word iterator, or the fast path);
 *   tok_assemble.c   segments joined and cut into tokens;
 *   tok_sentences.c  sentences, handed to the callback.
 * Before them, tok_text.c decodes and normalises the text and
 * tok_special.c finds URLs, e-mails, #hashtags and @mentions.
 */
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "tok_internal.h"

static const char *const type_names[CRIBLE_TOKEN_NTYPES] = {
    "word", "number", "punct", "symbol", "emoji", "url", "email", "hashtag", "mention"};

const char *crible_token_type_name(crible_token_type type)
{
    return (unsigned)type < CRIBLE_TOKEN_NTYPES ? type_names[type] : "?";
}

bool crible_token_type_parse(const char *name, crible_token_type *out)
{
    for (int k = 0; k < CRIBLE_TOKEN_NTYPES; k++)
        if (strcmp(name, type_names[k]) == 0) {
            *out = (crible_token_type)k;
            return true;
        }
    return false;
}

void crible_tokenize_options_init(crible_tokenize_options *o)
{
    memset(o, 0, sizeof *o);
    o->normalization = CRIBLE_NORMALIZE_NFC;
    o->fold_case = true;
    o->split_elisions = true;
    o->split_clitics = true;
    o->sentences = true;
}

static crible_status icu_error(crible_error *err, const char *what, UErrorCode e)
{
    return crible_error_set(err, CRIBLE_EINTERNAL, "ICU %s: %s", what, u_errorName(e));
}

/* Copies the user's abbreviations as UTF-16 without their final period. */
static crible_status copy_abbrevs(crible_tokenizer *t, crible_error *err)
{
    size_t n = t->opt.nabbreviations;
    t->opt.abbreviations = NULL;
    t->opt.nabbreviations = 0;
    t->opt.fields = NULL;
    t->opt.nfields = 0;
    if (n == 0)
        return CRIBLE_OK;
    t->abbrev = calloc(n, sizeof *t->abbrev);
    t->abbrev_len = calloc(n, sizeof *t->abbrev_len);
    if (!t->abbrev || !t->abbrev_len)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    return CRIBLE_OK;
}

crible_status crible_tokenizer_create(const crible_tokenize_options *options,
                                      crible_tokenizer **out, crible_error *err)
{
    *out = NULL;
    crible_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    if (options)
        t->opt = *options;
    else
        crible_tokenize_options_init(&t->opt);
    const char *const *abbrevs = t->opt.abbreviations;
    size_t nabbrevs = t->opt.nabbreviations;
    crible_status st = copy_abbrevs(t, err);
    for (size_t k = 0; st == CRIBLE_OK && k < nabbrevs; k++) {
        UErrorCode e = U_ZERO_ERROR;
        int32_t len = 0;
        const char *a = abbrevs[k];
        int32_t alen = (int32_t)strlen(a);
        if (alen > 0 && a[alen - 1] == '.')
            alen--;
        u_strFromUTF8(NULL, 0, &len, a, alen, &e);
        t->abbrev[k] = malloc(sizeof(UChar) * (size_t)(len + 1));
        if (!t->abbrev[k]) {
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
            break;
        }
        e = U_ZERO_ERROR;
        u_strFromUTF8(t->abbrev[k], len + 1, &len, a, alen, &e);
        if (U_FAILURE(e)) {
            st = crible_error_set(err, CRIBLE_ECONFIG, "abbreviation '%s' is not valid UTF-8", a);
            break;
        }
        t->abbrev_len[k] = len;
        t->nabbrev = k + 1;
    }
    UErrorCode e = U_ZERO_ERROR;
    if (st == CRIBLE_OK) {
        t->words = ubrk_open(UBRK_WORD, "fr", NULL, 0, &e);
        if (U_SUCCESS(e))
            t->sents = ubrk_open(UBRK_SENTENCE, "fr", NULL, 0, &e);
        if (U_FAILURE(e))
            st = icu_error(err, "break iterator", e);
    }
    if (st == CRIBLE_OK) {
        e = U_ZERO_ERROR;
        t->nz = t->opt.normalization == CRIBLE_NORMALIZE_NFKC ? unorm2_getNFKCInstance(&e)
                                                              : unorm2_getNFCInstance(&e);
        t->norm.nfc = unorm2_getNFCInstance(&e);
        t->norm.nfd = unorm2_getNFDInstance(&e);
        if (U_FAILURE(e))
            st = icu_error(err, "normalizer", e);
        t->norm.fold_case = t->opt.fold_case;
        t->norm.fold_accents = t->opt.fold_accents;
        for (UChar c = 0; c < 0x80; c++)
            t->ascii_class[c] = (uint8_t)tok_classify_other(&c, 1);
    }
    if (st != CRIBLE_OK) {
        crible_tokenizer_free(t);
        return st;
    }
    *out = t;
    return CRIBLE_OK;
}

void crible_tokenizer_free(crible_tokenizer *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->nabbrev; k++)
        free(t->abbrev[k]);
    free(t->abbrev);
    free(t->abbrev_len);
    if (t->words)
        ubrk_close(t->words);
    if (t->sents)
        ubrk_close(t->sents);
    tok_text_free(&t->text);
    tok_norm_free(&t->norm);
    free(t->spans);
    free(t->raw);
    free(t->items);
    free(t->nbuf);
    free(t->out);
    free(t);
}

/* The segments, taken in turn: a special (URL...) is a token; so is a
 * plain word followed by a space, the end or a segment that is not
 * RAW_OTHER (tok_assemble_word's common case, inline); the rest goes to
 * tok_assemble_other and tok_assemble_word. */
crible_status crible_tokenizer_run(crible_tokenizer *t, const char *text, size_t len,
                                   crible_sentence_fn fn, void *ctx, crible_error *err)
{
    crible_status st = tok_text_decode(&t->text, text, len, err);
    if (st == CRIBLE_OK)
        st = tok_text_normalize(&t->text, t->nz, err);
    if (st == CRIBLE_OK)
        st = tok_special_find(t->text.norm, t->text.nnorm,
                              t->text.norm == t->text.u16 ? t->text.trig : NULL, t->text.ntrig,
                              &t->spans, &t->nspans, &t->capspans, err);
    if (st != CRIBLE_OK)
        return st;
    t->icu_base = t->icu_end = -1;   /* the word iterator gets its text when needed */
    t->at_boundary = true;
    t->term_s = -1;
    t->next_span = 0;
    t->rhead = t->rcount = 0;
    t->pos = t->bend = 0;
    t->icu_at = 0;
    t->fast_at = -1;
    t->space = t->nl = t->pending = false;
    t->nitems = t->nlen = 0;
    t->index = 0;
    t->fn = fn;
    t->ctx = ctx;
    int failed = 0;
    const tok_raw *r;
    while (st == CRIBLE_OK && (r = tok_peek(t, 0, err, &failed))) {
        if (r->kind == RAW_SPECIAL) {
            tok_raw sp = *r;
            tok_consume(t, 1);
            st = tok_add(t, sp.s, sp.e, (crible_token_type)sp.type, 0, tok_gap_of(&sp), err);
        } else if (r->kind == RAW_OTHER) {
            st = tok_assemble_other(t, err, &failed);
        } else if (r->plain) {
            /* tok_assemble_word's common case inline: a word of letters
             * alone, then a space or what is not punctuation */
            tok_raw w = *r;
            const tok_raw *a = tok_peek(t, 1, err, &failed);
            if (!a || a->space || a->kind != RAW_OTHER) {
                tok_consume(t, 1);
                st = tok_add(t, w.s, w.e, CRIBLE_TOKEN_WORD, 0, tok_gap_of(&w), err);
            } else {
                st = tok_assemble_word(t, err, &failed);
            }
        } else {
            st = tok_assemble_word(t, err, &failed);
        }
        if (failed)
            st = err ? err->status : CRIBLE_ENOMEM;
    }
    if (st == CRIBLE_OK && failed)
        st = err ? err->status : CRIBLE_ENOMEM;
    if (st == CRIBLE_OK)
        st = tok_flush(t, err);
    t->nitems = 0;
    return st;
}
