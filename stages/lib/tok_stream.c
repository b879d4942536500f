/*
 * tok_stream.c - documents into token-stream blocks (format and worked
 * example in tok_stream.h and conllu.h).
 */
#include "tok_stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

const char *const crible_tokenize_columns[] = {"ID", "FORM", "CRIBLE:START", "CRIBLE:END",
                                               "CRIBLE:NORM", "CRIBLE:TYPE"};

/* The numbers below 10,000 (most byte offsets), written once when the
 * stream opens: their digits NUL-padded to 4 bytes, and their lengths. */
typedef struct num_table {
    char digits[10000][4];
    uint8_t len[10000];
} num_table;

static void num_table_fill(num_table *t)
{
    for (unsigned n = 0; n < 10000; n++) {
        unsigned len = 1 + (n >= 10) + (n >= 100) + (n >= 1000), v = n;
        memset(t->digits[n], 0, 4);
        for (unsigned i = len; i-- > 0; v /= 10)
            t->digits[n][i] = (char)('0' + v % 10);
        t->len[n] = (uint8_t)len;
    }
}

/* Writes n in decimal at o (20 bytes are enough; 4 written below 10,000:
 * the digits then NULs), without a NUL; returns the end of the digits.
 * Below 10,000 one 4-byte copy from the table: no division, no loop
 * (snprintf was a third of crible-tokenize's time once). */
static inline __attribute__((always_inline)) char *put_num(const num_table *t, char *o, size_t n)
{
    if (n < 10000) {
        memcpy(o, t->digits[n], 4);
        return o + t->len[n];
    }
    char tmp[20], *p = tmp + sizeof tmp;
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    size_t len = (size_t)(tmp + sizeof tmp - p);
    memcpy(o, p, len);
    return o + len;
}

/* put_num with a NUL after the digits; returns their length. */
static size_t utoa(const num_table *t, size_t n, char *out)
{
    char *e = put_num(t, out, n);
    *e = '\0';
    return (size_t)(e - out);
}

struct crible_tok_stream {
    crible_tokenizer *tz;
    const crible_tokenize_options *opt;
    crible_conllu_writer *w;
    bool out;              /* false: every block goes through crible_conllu_write */
    crible_sentence block;
    char *line;            /* a comment being built */
    size_t line_cap;
    size_t type_len[CRIBLE_TOKEN_NTYPES];   /* strlen of each type's name */
    char type8[CRIBLE_TOKEN_NTYPES][8];     /* the names, NUL-padded: one 8-byte copy */
    num_table *nums;       /* the numbers below 10,000 (put_num) */
    char *sent_id;         /* ID/FIELD/N being built */
    size_t sent_id_cap;
    char *cells;           /* FORM, START, END of a token (writer path) */
    size_t cells_cap;
    /* per document */
    const crible_doc *doc;
    const char *field;
    const char *text;
    char *doc_line;        /* `# crible.doc = ...` until it is written */
    bool field_pending;
    size_t sentences;
};

crible_status crible_tok_stream_open(crible_tokenizer *tz, const crible_tokenize_options *options,
                                     crible_conllu_writer *w, bool direct,
                                     crible_tok_stream **out, crible_error *err)
{
    crible_tok_stream *s = calloc(1, sizeof *s);
    if (!s)
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    s->tz = tz;
    s->opt = options;
    s->w = w;
    s->out = direct;
    for (int t = 0; t < CRIBLE_TOKEN_NTYPES; t++) {
        const char *name = crible_token_type_name((crible_token_type)t);
        s->type_len[t] = strlen(name);
        if (s->type_len[t] < sizeof s->type8[t])
            memcpy(s->type8[t], name, s->type_len[t]);
    }
    crible_sentence_init(&s->block);
    s->nums = malloc(sizeof *s->nums);
    if (!s->nums) {
        crible_tok_stream_close(s);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    num_table_fill(s->nums);
    *out = s;
    return CRIBLE_OK;
}

void crible_tok_stream_close(crible_tok_stream *s)
{
    if (!s)
        return;
    crible_sentence_free(&s->block);
    free(s->line);
    free(s->sent_id);
    free(s->nums);
    free(s->cells);
    free(s->doc_line);
    free(s);
}

static bool grow(char **p, size_t *cap, size_t need, crible_error *err)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need)
        ncap *= 2;
    char *q = crible_realloc(*p, ncap, err);
    if (!q)
        return false;
    *p = q;
    *cap = ncap;
    return true;
}

/* Writes or adds to the block the comment line (s->line): directly after
 * the previous block on the direct path, in the block otherwise. */
static crible_status put_comment(crible_tok_stream *s, const char *line, crible_error *err)
{
    if (s->out)
        return crible_conllu_write_comment(s->w, line, err);
    return crible_sentence_add_comment(&s->block, line, err);
}

/* The character at v[*i] written at o as comment_at writes it; moves *i
 * past it, returns the end. */
static char *comment_char(char *o, const unsigned char *v, size_t n, size_t *pi)
{
    size_t i = *pi;
    unsigned char c = v[i];
    if (c < 0x20 || c == 0x7F) {
        *o++ = ' ';
    } else if (c == 0xE2 && i + 2 < n && v[i + 1] == 0x80 &&
               (v[i + 2] == 0xA8 || v[i + 2] == 0xA9)) {
        *o++ = ' ';   /* U+2028, U+2029 */
        i += 2;
    } else if (c == 0xC2 && i + 1 < n && v[i + 1] == 0x85) {
        *o++ = ' ';   /* U+0085 */
        i += 1;
    } else {
        *o++ = (char)c;
    }
    *pi = i + 1;
    return o;
}

/* Writes at o (room: klen + n + 5 bytes), without line break nor NUL:
 * "# KEY = VALUE" (value[0..n)), line breaks, TABs and controls of the
 * value turned into spaces; returns the end. */
static char *comment_at(char *o, const char *key, size_t klen, const char *value, size_t n)
{
    *o++ = '#';
    *o++ = ' ';
    memcpy(o, key, klen);
    o += klen;
    memcpy(o, " = ", 3);
    o += 3;
    const unsigned char *v = (const unsigned char *)value;
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time up to one that may be turned into a space (a
     * control, DEL, the lead byte of U+0085 or of U+2028/U+2029), which is
     * then dealt with by the loop below, one character (there is room: the
     * value is never longer once written). */
    while (i + 16 <= n) {
        __m128i b = _mm_loadu_si128((const __m128i *)(v + i));
        __m128i hit = _mm_or_si128(
            _mm_cmpeq_epi8(_mm_min_epu8(b, _mm_set1_epi8(0x1F)), b),
            _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(0x7F)),
                         _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8((char)0xC2)),
                                      _mm_cmpeq_epi8(b, _mm_set1_epi8((char)0xE2)))));
        unsigned stop = (unsigned)_mm_movemask_epi8(hit);
        _mm_storeu_si128((__m128i *)o, b);
        unsigned k = stop ? (unsigned)__builtin_ctz(stop) : 16;
        i += k;
        o += k;
        if (k < 16)
            o = comment_char(o, v, n, &i);
    }
#endif
    while (i < n)
        o = comment_char(o, v, n, &i);
    return o;
}

/* The comment "# KEY = VALUE" (comment_at) written or added to the block. */
static crible_status comment(crible_tok_stream *s, const char *key, const char *value,
                             size_t n, crible_error *err)
{
    size_t klen = strlen(key);
    if (!grow(&s->line, &s->line_cap, klen + n + 6, err))
        return CRIBLE_ENOMEM;
    *comment_at(s->line, key, klen, value, n) = '\0';
    return put_comment(s, s->line, err);
}

static crible_status doc_comments(crible_tok_stream *s, crible_error *err)
{
    crible_status st = comment(s, "newdoc id", s->doc->id, strlen(s->doc->id), err);
    if (st == CRIBLE_OK)
        st = put_comment(s, s->doc_line, err);
    free(s->doc_line);
    s->doc_line = NULL;
    return st;
}

/* Copies src[0..n) to o, w <= n <= 2w, as two copies of w bytes, one
 * at each end (they may overlap): no call once w is a constant. */
static inline __attribute__((always_inline)) void copy_ends(char *o, const char *src, size_t n,
                                                            size_t w)
{
    char a[8], b[8];
    memcpy(a, src, w);
    memcpy(b, src + n - w, w);
    memcpy(o, a, w);
    memcpy(o + n - w, b, w);
}

/* Copies src[0..n) to o without a call for the short cells most tokens
 * have (copy_ends of 8, 4 or 1 byte), memcpy past 16 bytes; returns the
 * end. */
static inline __attribute__((always_inline)) char *put_bytes(char *o, const char *src, size_t n)
{
    if (n > 16) {
        memcpy(o, src, n);
    } else if (n >= 8) {
        copy_ends(o, src, n, 8);
    } else if (n >= 4) {
        copy_ends(o, src, n, 4);
    } else if (n > 0) {
        char a = src[0], b = src[n / 2], c = src[n - 1];
        o[0] = a;
        o[n / 2] = b;
        o[n - 1] = c;
    }
    return o + n;
}

/* The direct path: the block's `# sent_id` (sent_id[0..id_len)) and
 * `# text` comments and its token lines formatted in the writer's buffer
 * (crible_conllu_write_space) after the comments it wrote (cells never
 * hold TAB or line breaks: tokens hold no white space but the spaces of
 * "1 000"; NORM never is empty).  Room: a token line is its FORM, its
 * NORM and at most 80 bytes. */
static crible_status write_rows(crible_tok_stream *s, const crible_token_sentence *sent,
                                const char *sent_id, size_t id_len, crible_error *err)
{
    size_t text_len = sent->end - sent->start;
    size_t need = id_len + text_len + 32 + 80 * sent->ntokens;
    for (size_t k = 0; k < sent->ntokens; k++)
        need += sent->tokens[k].end - sent->tokens[k].start + sent->tokens[k].norm_len;
    char *const start = crible_conllu_write_space(s->w, need, err);
    if (!start)
        return err->status;
    char *o = comment_at(start, "sent_id", 7, sent_id, id_len);
    *o++ = '\n';
    o = comment_at(o, "text", 4, s->text + sent->start, text_len);
    *o++ = '\n';
    const crible_token *const tokens = sent->tokens;   /* not reloaded after each store */
    const char *const text = s->text;
    const num_table *const nums = s->nums;
    for (size_t k = 0, nt = sent->ntokens; k < nt; k++) {
        const crible_token *t = &tokens[k];
        if (k < 9) {   /* the ID: most are one digit */
            *o++ = (char)('1' + k);
        } else {
            o = put_num(nums, o, k + 1);
        }
        *o++ = '\t';
        o = put_bytes(o, text + t->start, t->end - t->start);
        *o++ = '\t';
        o = put_num(nums, o, t->start);
        *o++ = '\t';
        o = put_num(nums, o, t->end);
        *o++ = '\t';
        o = put_bytes(o, t->norm, t->norm_len);
        *o++ = '\t';
        if ((size_t)t->type < CRIBLE_TOKEN_NTYPES && s->type_len[t->type] < 8) {
            memcpy(o, s->type8[t->type], 8);   /* room: 80 bytes a token */
            o += s->type_len[t->type];
        } else {
            const char *type = crible_token_type_name(t->type);
            size_t tl = strlen(type);
            memcpy(o, type, tl);
            o += tl;
        }
        *o++ = '\n';
    }
    return crible_conllu_write_rows_at(s->w, (size_t)(o - start), err);
}

/* The writer path (--conllu): the block built as a crible_sentence. */
static crible_status write_block(crible_tok_stream *s, const crible_token_sentence *sent,
                                 crible_error *err)
{
    crible_status st = CRIBLE_OK;
    char id[24];
    for (size_t k = 0; k < sent->ntokens && st == CRIBLE_OK; k++) {
        const crible_token *t = &sent->tokens[k];
        size_t flen = t->end - t->start;
        if (!grow(&s->cells, &s->cells_cap, flen + 64, err))
            return CRIBLE_ENOMEM;
        char *form = s->cells, *start = form + flen + 1, *end = start + 22;
        memcpy(form, s->text + t->start, flen);
        form[flen] = '\0';
        utoa(s->nums, t->start, start);
        utoa(s->nums, t->end, end);
        utoa(s->nums, k + 1, id);
        const char *cells[CRIBLE_TOKENIZE_NCOLUMNS] = {id, form, start, end, t->norm,
                                                       crible_token_type_name(t->type)};
        st = crible_sentence_add_token(&s->block, cells, err);
    }
    if (st == CRIBLE_OK)
        st = crible_conllu_write(s->w, &s->block, NULL, 0, err);
    return st;
}

static crible_status on_sentence(void *ctx, const crible_token_sentence *sent, crible_error *err)
{
    crible_tok_stream *s = ctx;
    crible_status st = CRIBLE_OK;
    if (!s->out)
        crible_sentence_clear(&s->block, CRIBLE_TOKENIZE_NCOLUMNS);
    if (s->doc_line)
        st = doc_comments(s, err);
    if (st == CRIBLE_OK && s->field_pending) {
        st = comment(s, "crible.field", s->field, strlen(s->field), err);
        s->field_pending = false;
    }
    s->sentences++;
    if (st == CRIBLE_OK) {   /* ID/FIELD/N */
        size_t il = strlen(s->doc->id), fl = strlen(s->field);
        if (!grow(&s->sent_id, &s->sent_id_cap, il + fl + 24, err))
            return CRIBLE_ENOMEM;
        char *v = s->sent_id;
        memcpy(v, s->doc->id, il);
        v[il] = '/';
        memcpy(v + il + 1, s->field, fl);
        v[il + 1 + fl] = '/';
        size_t len = il + fl + 2 + utoa(s->nums, s->sentences, v + il + fl + 2);
        if (s->out)
            return write_rows(s, sent, v, len, err);
        st = comment(s, "sent_id", v, len, err);
    }
    if (st == CRIBLE_OK)
        st = comment(s, "text", s->text + sent->start, sent->end - sent->start, err);
    if (st == CRIBLE_OK)
        st = write_block(s, sent, err);
    return st;
}

crible_status crible_tok_stream_doc(crible_tok_stream *s, const crible_doc *doc,
                                    crible_error *err)
{
    s->doc = doc;
    /* The document as read, when the reader kept it: no second encoding. */
    char *json = doc->raw ? NULL : crible_json_line(doc->json);
    if (!doc->raw && !json)
        return crible_error_set(err, CRIBLE_ENOMEM, "cannot write document '%s' as JSON", doc->id);
    size_t json_len = doc->raw ? doc->raw_len : strlen(json);
    free(s->doc_line);
    s->doc_line = crible_malloc(json_len + 16, err);
    if (!s->doc_line) {
        free(json);
        return CRIBLE_ENOMEM;
    }
    memcpy(s->doc_line, "# crible.doc = ", 15);
    memcpy(s->doc_line + 15, doc->raw ? doc->raw : json, json_len);
    s->doc_line[15 + json_len] = '\0';
    free(json);
    crible_status st = CRIBLE_OK;
    for (size_t f = 0; f < s->opt->nfields && st == CRIBLE_OK; f++) {
        size_t len;
        const char *v = crible_doc_string(doc, s->opt->fields[f], &len);
        if (!v)
            continue;
        s->field = s->opt->fields[f];
        s->text = v;
        s->field_pending = true;
        s->sentences = 0;
        st = crible_tokenizer_run(s->tz, s->text, len, on_sentence, s, err);
        if (st != CRIBLE_OK && st != CRIBLE_EIO)
            crible_error_prefix(err, "document '%s', field '%s'", doc->id, s->field);
    }
    if (st == CRIBLE_OK && s->doc_line) {   /* no token at all: an empty block */
        crible_sentence_clear(&s->block, CRIBLE_TOKENIZE_NCOLUMNS);
        st = doc_comments(s, err);
        if (st == CRIBLE_OK && s->out)
            st = crible_conllu_write_rows(s->w, "", 0, err);
        else if (st == CRIBLE_OK)
            st = crible_conllu_write(s->w, &s->block, NULL, 0, err);
    }
    free(s->doc_line);
    s->doc_line = NULL;
    return st;
}
