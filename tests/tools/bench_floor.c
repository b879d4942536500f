/*
 * bench_floor - the floors crible's stages are measured against
 * (tests/bench/analysis.sh), and the tokenizer library on the same input.
 *
 *   bench_floor break FILE.jsonl      ICU's word break iterator alone
 *   bench_floor tokenize FILE.jsonl   crible_tokenizer_run (the library)
 *   bench_floor stem FILE.conllu      libstemmer (french, UTF-8) alone
 *   bench_floor same FILE.jsonl       checks that the tokenizer's fast path
 *                                     (plain words cut without ICU) gives
 *                                     exactly what ICU alone gives
 *
 * break/tokenize: the "title" and "text" strings of every document are
 * loaded first (jansson), then timed: for break, UTF-8 -> UTF-16
 * (u_strFromUTF8WithSub) and a ubrk_next loop counting the segments whose
 * rule status is not UBRK_WORD_NONE, exactly the method of
 * ../shared/bench/limits/limits.c ("break" mode); for tokenize, the whole
 * tokenizer with a callback counting tokens.
 * stem: the CRIBLE:NORM cells of the word tokens of a token stream are
 * loaded first, then timed through sb_stemmer_stem one by one.
 *
 * Prints one line: "MODE bytes tokens seconds" (bytes: text bytes, or the
 * bytes of the stemmed words; seconds: the timed part only, monotonic).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#include "tokenizer.h"

typedef struct texts {
    char **s;
    size_t *len;
    size_t n, cap, bytes;
} texts;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void push(texts *t, const char *s, size_t n)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->s = realloc(t->s, t->cap * sizeof *t->s);
        t->len = realloc(t->len, t->cap * sizeof *t->len);
        if (!t->s || !t->len)
            exit(7);
    }
    t->s[t->n] = malloc(n + 1);
    if (!t->s[t->n])
        exit(7);
    memcpy(t->s[t->n], s, n);
    t->s[t->n][n] = '\0';
    t->len[t->n++] = n;
    t->bytes += n;
}

static void load_docs(const char *path, texts *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        perror(path), exit(5);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        if (!j)
            continue;
        static const char *const fields[] = {"title", "text"};
        for (int k = 0; k < 2; k++) {
            json_t *v = json_object_get(j, fields[k]);
            if (json_is_string(v))
                push(t, json_string_value(v), json_string_length(v));
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
}

static void load_norms(const char *path, texts *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        perror(path), exit(5);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int norm = 4, type = 5;   /* CRIBLE:NORM, CRIBLE:TYPE after crible-tokenize */
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[n - 1] = line[n - 1] == '\n' ? '\0' : line[n - 1];
        char *cells[16];
        int nc = 0;
        for (char *p = line; nc < 16;) {
            cells[nc++] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        if (nc > type && strcmp(cells[type], "word") == 0)
            push(t, cells[norm], strlen(cells[norm]));
    }
    free(line);
    fclose(f);
}

/* Every token of a text, flattened, to compare two tokenizers. */
typedef struct flat {
    char *buf;
    size_t len, cap;
} flat;

static crible_status flatten(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    (void)err;
    flat *f = ctx;
    for (size_t k = 0; k < s->ntokens; k++) {
        const crible_token *t = &s->tokens[k];
        size_t need = f->len + t->norm_len + 64;
        if (need > f->cap) {
            f->cap = need * 2;
            f->buf = realloc(f->buf, f->cap);
            if (!f->buf)
                exit(7);
        }
        f->len += (size_t)sprintf(f->buf + f->len, "%zu %zu %zu %d %s\n", s->index, t->start,
                                  t->end, (int)t->type, t->norm);
    }
    return CRIBLE_OK;
}

static int same(texts *t)
{
    crible_tokenize_options o;
    crible_tokenize_options_init(&o);
    crible_tokenizer *fast, *slow;
    crible_error err = {0};
    if (crible_tokenizer_create(&o, &fast, &err) != CRIBLE_OK)
        return fprintf(stderr, "bench_floor: %s\n", err.message), err.status;
    o.icu_only = true;
    if (crible_tokenizer_create(&o, &slow, &err) != CRIBLE_OK)
        return fprintf(stderr, "bench_floor: %s\n", err.message), err.status;
    flat a = {0}, b = {0};
    size_t diff = 0;
    for (size_t i = 0; i < t->n; i++) {
        a.len = b.len = 0;
        if (crible_tokenizer_run(fast, t->s[i], t->len[i], flatten, &a, &err) != CRIBLE_OK ||
            crible_tokenizer_run(slow, t->s[i], t->len[i], flatten, &b, &err) != CRIBLE_OK)
            return fprintf(stderr, "bench_floor: %s\n", err.message), err.status;
        if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) {
            if (diff++ < 5)
                fprintf(stderr, "bench_floor: text %zu differs: %.200s\n", i, t->s[i]);
        }
    }
    printf("same %zu texts %zu differ\n", t->n, diff);
    crible_tokenizer_free(fast);
    crible_tokenizer_free(slow);
    free(a.buf);
    free(b.buf);
    return diff ? 1 : 0;
}

static crible_status count_tokens(void *ctx, const crible_token_sentence *s, crible_error *err)
{
    (void)err;
    *(size_t *)ctx += s->ntokens;
    return CRIBLE_OK;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return fprintf(stderr, "usage: bench_floor break|tokenize|stem|same FILE\n"), 2;
    const char *mode = argv[1];
    texts t = {0};
    size_t tokens = 0;
    double t0, t1;
    if (strcmp(mode, "stem") == 0) {
        load_norms(argv[2], &t);
        struct sb_stemmer *st = sb_stemmer_new("french", "UTF_8");
        if (!st)
            return 7;
        size_t sum = 0;
        t0 = now();
        for (size_t i = 0; i < t.n; i++) {
            const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)t.s[i], (int)t.len[i]);
            sum += r ? (size_t)sb_stemmer_length(st) : 0;
        }
        t1 = now();
        tokens = t.n;
        sb_stemmer_delete(st);
        if (sum == 0 && t.n)
            return 1;
    } else if (strcmp(mode, "break") == 0) {
        load_docs(argv[2], &t);
        UErrorCode e = U_ZERO_ERROR;
        UBreakIterator *bi = ubrk_open(UBRK_WORD, "fr", NULL, 0, &e);
        UChar *u = NULL;
        int32_t ucap = 0;
        t0 = now();
        for (size_t i = 0; i < t.n; i++) {
            if ((int32_t)t.len[i] + 1 > ucap) {
                ucap = (int32_t)(t.len[i] + 1) * 2;
                u = realloc(u, sizeof(UChar) * (size_t)ucap);
            }
            int32_t ulen = 0;
            e = U_ZERO_ERROR;
            u_strFromUTF8WithSub(u, ucap, &ulen, t.s[i], (int32_t)t.len[i], 0xFFFD, NULL, &e);
            ubrk_setText(bi, u, ulen, &e);
            ubrk_first(bi);
            while (ubrk_next(bi) != UBRK_DONE)
                if (ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT)
                    tokens++;
        }
        t1 = now();
        if (U_FAILURE(e))
            return fprintf(stderr, "bench_floor: ICU: %s\n", u_errorName(e)), 70;
        ubrk_close(bi);
        free(u);
    } else if (strcmp(mode, "same") == 0) {
        load_docs(argv[2], &t);
        int rc = same(&t);
        for (size_t i = 0; i < t.n; i++)
            free(t.s[i]);
        free(t.s);
        free(t.len);
        return rc;
    } else if (strcmp(mode, "tokenize") == 0) {
        load_docs(argv[2], &t);
        crible_tokenizer *tz;
        crible_error err = {0};
        if (crible_tokenizer_create(NULL, &tz, &err) != CRIBLE_OK)
            return fprintf(stderr, "bench_floor: %s\n", err.message), err.status;
        t0 = now();
        for (size_t i = 0; i < t.n; i++)
            if (crible_tokenizer_run(tz, t.s[i], t.len[i], count_tokens, &tokens, &err) != CRIBLE_OK)
                return fprintf(stderr, "bench_floor: %s\n", err.message), err.status;
        t1 = now();
        crible_tokenizer_free(tz);
    } else {
        return fprintf(stderr, "bench_floor: unknown mode '%s'\n", mode), 2;
    }
    printf("%s %zu %zu %.6f\n", mode, t.bytes, tokens, t1 - t0);
    for (size_t i = 0; i < t.n; i++)
        free(t.s[i]);
    free(t.s);
    free(t.len);
    return 0;
}
