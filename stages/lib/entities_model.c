/*
 * entities_model.c - owns the averaged perceptron of entities_model.h: its
 * features, greedy decoding, training step, averaging, and model file.
 * Feature numbers (the first hash input) are part of the model file's
 * meaning: a model trained with other features gives other labels.
 */
#include "entities_model.h"

#include <errno.h>
#include <isa-l.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entities_impl.h"

#define ROWS_LOG2 20
#define ROWS (1u << ROWS_LOG2)
#define MAX_FEATS 48
#define MAX_LABELS 129

static const char magic[8] = "CRIBNER";
#define MODEL_VERSION 2   /* 2: with the document's record (entities_seen.c) */

struct crible_entities_model {
    size_t nlabels;
    char *labels[MAX_LABELS];
    float *w;            /* ROWS * nlabels */
    /* training only: sums for averaging, and when each weight last changed */
    double *total;
    uint32_t *stamp;
    uint32_t step;
};

/* --- features -------------------------------------------------------------- */

static uint32_t h_begin(uint32_t tmpl)
{
    return 2166136261u ^ (tmpl * 16777619u);
}
static uint32_t h_bytes(uint32_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}
static uint32_t h_int(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 16777619u;
    return h;
}
static uint32_t row(uint32_t h)
{
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return h & (ROWS - 1);
}

/* A word's shape: Xxxx → "Xx", SNCF → "X", 1626 → "d", M. → "X." ... */
static uint32_t shape_hash(uint32_t h, const char *s, size_t n)
{
    char last = 0;
    int len = 0;
    for (size_t i = 0; i < n && len < 6; i++) {
        unsigned char c = (unsigned char)s[i];
        char k = c >= 'A' && c <= 'Z' ? 'X' : c >= 'a' && c <= 'z' ? 'x'
               : c >= '0' && c <= '9' ? 'd' : c >= 0x80 ? 'u' : (char)c;
        if (c >= 0x80 && (c & 0xC0) == 0x80) continue;   /* continuation byte */
        if (k != last) h = h_bytes(h, &k, 1), last = k, len++;
    }
    return h;
}

/* The static features of token i (those that do not depend on the labels
 * chosen before it); returns how many rows were written. */
static size_t features(const crible_entities_token *t, const crible_ent_info *in,
                       const char *keys, const uint16_t *rule, size_t n, size_t i,
                       uint32_t *rows)
{
    size_t k = 0;
#define KEY(j) (keys + in[j].key_off), in[j].key_len
    rows[k++] = row(h_begin(1));
    rows[k++] = row(h_bytes(h_begin(2), KEY(i)));
    if (i > 0) rows[k++] = row(h_bytes(h_begin(3), KEY(i - 1)));
    else rows[k++] = row(h_begin(4));
    if (i + 1 < n) rows[k++] = row(h_bytes(h_begin(5), KEY(i + 1)));
    else rows[k++] = row(h_begin(6));
    if (i > 1) rows[k++] = row(h_bytes(h_begin(7), KEY(i - 2)));
    if (i + 2 < n) rows[k++] = row(h_bytes(h_begin(8), KEY(i + 2)));
    size_t len = in[i].key_len;
    const char *key = keys + in[i].key_off;
    for (size_t s = 2; s <= 4; s++) {
        if (len >= s) {
            rows[k++] = row(h_bytes(h_begin(10 + (uint32_t)s), key + len - s, s));
            rows[k++] = row(h_bytes(h_begin(20 + (uint32_t)s), key, s));
        }
    }
    rows[k++] = row(shape_hash(h_begin(30), t[i].form, t[i].form_len));
    uint32_t flags = (uint32_t)in[i].word | (uint32_t)in[i].cap << 1 |
                     (uint32_t)in[i].allcaps << 2 | (uint32_t)in[i].init << 3;
    rows[k++] = row(h_int(h_begin(31), flags));
    rows[k++] = row(h_int(h_begin(32), (uint32_t)in[i].classes | (uint32_t)in[i].common << 4));
    rows[k++] = row(h_bytes(h_int(h_begin(33), flags), KEY(i)));
    if (i > 0) {
        uint32_t pf = (uint32_t)in[i - 1].cap | (uint32_t)in[i - 1].word << 1;
        rows[k++] = row(h_int(h_int(h_begin(34), pf), flags));
        rows[k++] = row(h_int(h_begin(35), in[i - 1].classes));
    }
    if (i + 1 < n) {
        uint32_t nf = (uint32_t)in[i + 1].cap | (uint32_t)in[i + 1].word << 1;
        rows[k++] = row(h_int(h_int(h_begin(36), nf), flags));
        rows[k++] = row(h_int(h_begin(37), in[i + 1].classes));
    }
    rows[k++] = row(h_int(h_begin(40), rule[i]));
    rows[k++] = row(h_bytes(h_int(h_begin(41), rule[i]), KEY(i)));
    rows[k++] = row(h_int(h_begin(42), i > 0 ? rule[i - 1] : 999));
    rows[k++] = row(h_int(h_begin(43), i + 1 < n ? rule[i + 1] : 999));
    rows[k++] = row(h_int(h_int(h_begin(44), in[i].reason), rule[i]));
    rows[k++] = row(h_int(h_begin(47), flags | (uint32_t)in[i].classes << 4 |
                                           (uint32_t)in[i].common << 8));
    /* the shapes and rule reasons of the neighbours */
    if (i > 0) {
        rows[k++] = row(shape_hash(h_begin(70), t[i - 1].form, t[i - 1].form_len));
        rows[k++] = row(h_int(h_int(h_begin(72), in[i - 1].reason), rule[i]));
    }
    if (i + 1 < n) {
        rows[k++] = row(shape_hash(h_begin(71), t[i + 1].form, t[i + 1].form_len));
        rows[k++] = row(h_int(h_int(h_begin(73), in[i + 1].reason), rule[i]));
    }
    /* word bigrams */
    if (i > 0) rows[k++] = row(h_bytes(h_bytes(h_begin(74), KEY(i - 1)), KEY(i)));
    if (i + 1 < n) rows[k++] = row(h_bytes(h_bytes(h_begin(75), KEY(i)), KEY(i + 1)));
    /* how the document tagged this word so far (entities_seen.c) */
    if (in[i].seen) {
        rows[k++] = row(h_int(h_begin(60), in[i].seen));
        rows[k++] = row(h_int(h_int(h_begin(61), in[i].seen), rule[i]));
        rows[k++] = row(h_int(h_int(h_begin(62), in[i].seen), flags));
    }
    /* the gazetteer span over i, with its type */
    int gt = -1;
    for (size_t j = i + 1; j-- > 0 && i - j < 8;)
        if (in[j].gtype >= 0 && j + in[j].gend > i) {
            gt = in[j].gtype * 2 + (j == i ? 1 : 2);
            break;
        }
    rows[k++] = row(h_int(h_begin(45), (uint32_t)(gt + 1)));
    if (i > 0 && i + 1 < n)
        rows[k++] = row(h_bytes(h_bytes(h_begin(46), KEY(i - 1)), KEY(i + 1)));
#undef KEY
    return k;
}

/* The rows that depend on the previous labels (and the word). */
static size_t history(uint16_t p1, uint16_t p2, const crible_ent_info *in,
                      const char *keys, size_t i, uint32_t *rows)
{
    rows[0] = row(h_int(h_begin(50), p1));
    rows[1] = row(h_int(h_int(h_begin(51), p1), p2));
    rows[2] = row(h_bytes(h_int(h_begin(52), p1), keys + in[i].key_off, in[i].key_len));
    rows[3] = row(h_int(h_int(h_begin(53), p1), (uint32_t)in[i].cap));
    return 4;
}

/* Whether label l may follow label prev (no I-X after anything but B-X, I-X). */
static bool allowed(const crible_entities_model *m, uint16_t prev, uint16_t l)
{
    const char *ln = m->labels[l];
    if (ln[0] != 'I') return true;
    const char *pn = m->labels[prev];
    return pn[0] != 'O' && strcmp(pn + 1, ln + 1) == 0;
}

static uint16_t best(const crible_entities_model *m, const uint32_t *rows, size_t nrows,
                     uint16_t prev)
{
    float score[MAX_LABELS] = {0};
    for (size_t r = 0; r < nrows; r++) {
        const float *w = m->w + (size_t)rows[r] * m->nlabels;
        for (size_t l = 0; l < m->nlabels; l++) score[l] += w[l];
    }
    uint16_t b = 0;
    for (uint16_t l = 1; l < m->nlabels; l++)
        if (allowed(m, prev, l) && score[l] > score[b]) b = l;
    return b;
}

void crible_entities_model_predict(const crible_entities_model *m,
                                   const crible_entities_token *t,
                                   const crible_ent_info *info, const char *keys,
                                   const uint16_t *rule, size_t n, uint16_t *out)
{
    uint32_t rows[MAX_FEATS + 8];
    for (size_t i = 0; i < n; i++) {
        size_t k = features(t, info, keys, rule, n, i, rows);
        uint16_t p1 = i > 0 ? out[i - 1] : 0, p2 = i > 1 ? out[i - 2] : 0;
        k += history(p1, p2, info, keys, i, rows + k);
        out[i] = best(m, rows, k, p1);
    }
}

/* --- training -------------------------------------------------------------- */

static void update(crible_entities_model *m, const uint32_t *rows, size_t nrows,
                   uint16_t label, float delta)
{
    for (size_t r = 0; r < nrows; r++) {
        size_t idx = (size_t)rows[r] * m->nlabels + label;
        m->total[idx] += (double)(m->step - m->stamp[idx]) * m->w[idx];
        m->stamp[idx] = m->step;
        m->w[idx] += delta;
    }
}

size_t crible_entities_model_learn(crible_entities_model *m, const crible_entities_token *t,
                                   const crible_ent_info *info, const char *keys,
                                   const uint16_t *rule, size_t n, const uint16_t *gold,
                                   uint16_t *out)
{
    uint32_t rows[MAX_FEATS + 8];
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        m->step++;
        size_t k = features(t, info, keys, rule, n, i, rows);
        /* the history is the gold labels (teacher forcing): with the
         * predicted ones, one early mistake makes every later gold I- label
         * impossible and the updates are noise (F1 0.71 against 0.83 on
         * Madame Bovary, trained on the 4 other novels) */
        uint16_t p1 = i > 0 ? gold[i - 1] : 0, p2 = i > 1 ? gold[i - 2] : 0;
        k += history(p1, p2, info, keys, i, rows + k);
        out[i] = best(m, rows, k, p1);
        if (out[i] != gold[i]) {
            wrong++;
            update(m, rows, k, gold[i], 1.0f);
            update(m, rows, k, out[i], -1.0f);
        }
    }
    return wrong;
}

void crible_entities_model_average(crible_entities_model *m)
{
    if (!m->total || m->step == 0) return;
    size_t n = (size_t)ROWS * m->nlabels;
    for (size_t i = 0; i < n; i++) {
        double tot = m->total[i] + (double)(m->step - m->stamp[i]) * m->w[i];
        m->w[i] = (float)(tot / m->step);
    }
    free(m->total);
    free(m->stamp);
    m->total = NULL;
    m->stamp = NULL;
}

/* --- life cycle and file --------------------------------------------------- */

static crible_entities_model *model_alloc(size_t nlabels, bool training, crible_error *err)
{
    crible_entities_model *m = calloc(1, sizeof *m);
    if (!m) {
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        return NULL;
    }
    m->nlabels = nlabels;
    m->w = calloc((size_t)ROWS * nlabels, sizeof *m->w);
    if (training) {
        m->total = calloc((size_t)ROWS * nlabels, sizeof *m->total);
        m->stamp = calloc((size_t)ROWS * nlabels, sizeof *m->stamp);
    }
    if (!m->w || (training && (!m->total || !m->stamp))) {
        crible_entities_model_free(m);
        crible_error_set(err, CRIBLE_ENOMEM, "out of memory (model weights)");
        return NULL;
    }
    return m;
}

crible_entities_model *crible_entities_model_new(const char *const *labels, size_t n,
                                                 crible_error *err)
{
    if (n < 2 || n > MAX_LABELS || strcmp(labels[0], "O") != 0) {
        crible_error_set(err, CRIBLE_EDATA, "a model needs the label O first and 1 to %d "
                         "other labels", MAX_LABELS - 1);
        return NULL;
    }
    crible_entities_model *m = model_alloc(n, true, err);
    if (!m) return NULL;
    for (size_t i = 0; i < n; i++) {
        m->labels[i] = crible_strdup(labels[i], err);
        if (!m->labels[i]) {
            crible_entities_model_free(m);
            return NULL;
        }
    }
    return m;
}

void crible_entities_model_free(crible_entities_model *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nlabels; i++) free(m->labels[i]);
    free(m->w);
    free(m->total);
    free(m->stamp);
    free(m);
}

size_t crible_entities_model_nlabels(const crible_entities_model *m) { return m->nlabels; }
const char *crible_entities_model_label(const crible_entities_model *m, size_t i)
{
    return i < m->nlabels ? m->labels[i] : "O";
}

typedef struct wbuf { unsigned char *p; size_t len, cap; bool oom; } wbuf;

static void wput(wbuf *b, const void *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->len + n) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void wu32(wbuf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                           (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    wput(b, le, 4);
}

crible_status crible_entities_model_save(const crible_entities_model *m, const char *path,
                                         crible_error *err)
{
    wbuf b = {0};
    wput(&b, magic, 8);
    wu32(&b, MODEL_VERSION);
    wu32(&b, (uint32_t)m->nlabels);
    for (size_t l = 0; l < m->nlabels; l++) {
        unsigned char n = (unsigned char)strlen(m->labels[l]);
        wput(&b, &n, 1);
        wput(&b, m->labels[l], n);
    }
    wu32(&b, ROWS_LOG2);
    size_t count_at = b.len;
    wu32(&b, 0);
    uint32_t count = 0;
    for (uint32_t r = 0; r < ROWS; r++) {
        const float *w = m->w + (size_t)r * m->nlabels;
        bool any = false;
        for (size_t l = 0; l < m->nlabels && !any; l++) any = w[l] != 0.0f;
        if (!any) continue;
        wu32(&b, r);
        for (size_t l = 0; l < m->nlabels; l++) {
            uint32_t bits;
            memcpy(&bits, &w[l], 4);
            wu32(&b, bits);
        }
        count++;
    }
    if (b.oom) {
        free(b.p);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    for (int i = 0; i < 4; i++) b.p[count_at + i] = (unsigned char)(count >> (8 * i));
    wu32(&b, crc32_iscsi(b.p, (int)b.len, 0));
    FILE *f = fopen(path, "wb");
    crible_status st = CRIBLE_OK;
    if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0) {
        st = crible_error_set(err, CRIBLE_EIO, "cannot write '%s': %s", path, strerror(errno));
        if (f) fclose(f);
    }
    free(b.p);
    return st;
}

static uint32_t ru32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

crible_status crible_entities_model_load(const char *path, crible_entities_model **out,
                                         crible_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return crible_error_set(err, CRIBLE_EIO, "cannot open '%s': %s", path, strerror(errno));
    wbuf b = {0};
    unsigned char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) wput(&b, chunk, got);
    bool rerr = ferror(f);
    fclose(f);
    if (rerr || b.oom) {
        free(b.p);
        return crible_error_set(err, rerr ? CRIBLE_EIO : CRIBLE_ENOMEM, "cannot read '%s'", path);
    }
    crible_status st = crible_error_set(err, CRIBLE_EDATA, "%s: not a crible NER model "
                                        "(bad magic, version, size or checksum)", path);
    crible_entities_model *m = NULL;
    size_t p = 16;
    if (b.len < 32 || memcmp(b.p, magic, 8) != 0 || ru32(b.p + 8) != MODEL_VERSION ||
        crc32_iscsi(b.p, (int)(b.len - 4), 0) != ru32(b.p + b.len - 4))
        goto done;
    uint32_t nl = ru32(b.p + 12);
    if (nl < 2 || nl > MAX_LABELS) goto done;
    if (!(m = model_alloc(nl, false, err))) {
        st = CRIBLE_ENOMEM;
        goto done;
    }
    for (uint32_t l = 0; l < nl; l++) {
        if (p + 1 > b.len - 4 || p + 1 + b.p[p] > b.len - 4) goto done;
        size_t n = b.p[p];
        m->labels[l] = malloc(n + 1);
        if (!m->labels[l]) goto done;
        memcpy(m->labels[l], b.p + p + 1, n);
        m->labels[l][n] = '\0';
        p += 1 + n;
    }
    if (strcmp(m->labels[0], "O") != 0 || p + 8 > b.len - 4 || ru32(b.p + p) != ROWS_LOG2)
        goto done;
    uint32_t count = ru32(b.p + p + 4);
    p += 8;
    if ((b.len - 4 - p) != (size_t)count * (4 + 4 * nl)) goto done;
    for (uint32_t r = 0; r < count; r++) {
        uint32_t rw = ru32(b.p + p);
        if (rw >= ROWS) goto done;
        p += 4;
        for (uint32_t l = 0; l < nl; l++, p += 4) {
            uint32_t bits = ru32(b.p + p);
            memcpy(&m->w[(size_t)rw * nl + l], &bits, 4);
        }
    }
    *out = m;
    m = NULL;
    st = CRIBLE_OK;
    crible_error_clear(err);
done:
    crible_entities_model_free(m);
    free(b.p);
    return st;
}
