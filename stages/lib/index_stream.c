/*
 * index_stream.c - reads a token stream (format: conllu.h) into an index
 * writer, document by document.  A document is everything from its
 * `# newdoc id` to the next one; it is handed to the writer only when it is
 * complete, so a malformed or cut document is never indexed.  A thread of
 * its own reads the stream a few blocks ahead (ahead_*).
 */
#include "index_stream.h"
#include "index_format.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cols {
    int form, stem, norm, start, end, ner, entity;
} cols;

static int col(crible_conllu_reader *r, const char *name) { return crible_conllu_column(r, name); }

static const char *cell(const crible_sentence *s, size_t t, int c)
{
    if (c < 0) return NULL;
    const char *v = crible_sentence_cell(s, t, (size_t)c);
    return v[0] == '_' && !v[1] ? NULL : v;
}

/* A byte offset cell: leading decimal digits, saturated at UINT32_MAX (as
 * strtoul then a clamp, without its locale and sign handling). */
static uint32_t num(const char *v)
{
    if (!v) return 0;
    while (*v == ' ' || *v == '+') v++;
    uint64_t x = 0;
    for (; *v >= '0' && *v <= '9'; v++) {
        x = x * 10 + (uint64_t)(*v - '0');
        if (x > UINT32_MAX) return UINT32_MAX;
    }
    return (uint32_t)x;
}

/* num of cell c of token t, the usual digits read at once. */
static uint32_t offset(const crible_sentence *s, size_t t, int c)
{
    if (c < 0) return 0;
    long v = crible_sentence_cell_digits(s, t, (size_t)c);
    return v >= 0 ? (uint32_t)v : num(cell(s, t, c));
}

void crible_index_entity_field(const char *type, char *out, size_t n)
{
    if (!strcmp(type, "PER")) type = "person";
    else if (!strcmp(type, "LOC")) type = "place";
    else if (!strcmp(type, "ORG")) type = "org";
    size_t i = 0;
    for (; type[i] && i + 1 < n; i++) out[i] = (char)(type[i] >= 'A' && type[i] <= 'Z' ? type[i] + 32 : type[i]);
    out[i] = 0;
}

void crible_index_entity_word(char *value, size_t cap, size_t *len, const char *word)
{
    size_t n = *len;
    n += (size_t)snprintf(value + n, cap - n, "%s%s", n ? " " : "", word);
    if (n >= cap) n = cap - 1;
    *len = n;
}

static crible_status add_entities(crible_index_writer *w, const crible_sentence *s, const cols *c,
                                  crible_error *err)
{
    if (c->ner < 0) return CRIBLE_OK;
    for (size_t t = 0; t < s->ntokens; t++) {
        const char *tag = cell(s, t, c->ner);
        if (!tag || strncmp(tag, "B-", 2) != 0 || !tag[2]) continue;
        char field[64], value[1024];
        crible_index_entity_field(tag + 2, field, sizeof field);
        const char *v = cell(s, t, c->entity);
        if (v) {
            snprintf(value, sizeof value, "%s", v);
        } else {
            /* no canonical value: the surface words of the entity */
            size_t n = 0;
            value[0] = 0;
            for (size_t k = t; k < s->ntokens && n < sizeof value - 1; k++) {
                const char *tk = cell(s, k, c->ner);
                if (k > t && (!tk || strncmp(tk, "I-", 2) != 0)) break;
                const char *f = cell(s, k, c->form);
                if (!f) continue;
                crible_index_entity_word(value, sizeof value, &n, f);
            }
        }
        crible_status st = crible_index_doc_entity(w, field, value, err);
        if (st) return st;
    }
    return CRIBLE_OK;
}

/* Collects `# crible.<key> = value` settings (not doc/field/version/end). */
static void settings(const crible_sentence *s, json_t *an)
{
    for (size_t i = 0; i < s->ncomments; i++) {
        const char *line = s->comments[i];
        if (strncmp(line, "# crible.", 9) != 0) continue;
        const char *k = line + 9, *eq = strstr(k, " = ");
        if (!eq) continue;
        size_t kl = (size_t)(eq - k);
        if ((kl == 3 && !strncmp(k, "doc", 3)) || (kl == 5 && !strncmp(k, "field", 5)) ||
            (kl == 7 && !strncmp(k, "version", 7)) || (kl == 3 && !strncmp(k, "end", 3)) || kl > 60)
            continue;
        char key[64];
        memcpy(key, k, kl);
        key[kl] = 0;
        if (json_object_get(an, key)) continue;
        json_t *v = json_loads(eq + 3, JSON_DECODE_ANY, NULL);
        json_object_set_new(an, key, v ? v : json_string(eq + 3));
    }
}

crible_status crible_index_stream_settings(crible_index_writer *w, json_t *an, const char *name,
                                          crible_error *err)
{
    const char *old = crible_index_writer_analysis(w);
    json_t *o = old ? json_loads(old, 0, NULL) : NULL;
    crible_status st = CRIBLE_OK;
    if (o) {
        const char *key;
        json_t *v;
        json_object_foreach(an, key, v) {
            json_t *ov = json_object_get(o, key);
            if (strcmp(key, "columns") != 0 && ov && !json_equal(ov, v)) {
                st = crible_error_set(err, CRIBLE_EDATA,
                                      "%s: the stream was analysed with other '%s' settings than the "
                                      "documents of the index (analyse it the same way, or use a new index)",
                                      name, key);
                break;
            }
        }
        json_decref(o);
    }
    if (!st && (!old || json_object_size(an) > 1)) {
        char *s = json_dumps(an, JSON_COMPACT | JSON_SORT_KEYS);
        if (s && (!old || !o)) st = crible_index_writer_set_analysis(w, s, err);
        free(s);
    }
    return st;
}

static crible_status begin_doc(crible_index_writer *w, const crible_sentence *s, const char *id,
                               crible_error *err)
{
    const char *doc = crible_sentence_comment(s, "crible.doc");
    if (doc) return crible_index_doc_begin(w, id, doc, strlen(doc), err);
    json_t *o = json_pack("{ss}", "id", id);
    char *j = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!j) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_status st = crible_index_doc_begin(w, id, j, strlen(j), err);
    free(j);
    return st;
}

/* The stream read ahead by a thread of its own, so that parsing it is
 * off the index thread: a ring of AHEAD blocks, each with what
 * crible_conllu_read returned for it.  The index thread holds one block
 * at a time (until its next ahead_next).  A thread that waits is woken
 * only when half the ring is there for it (ready blocks, or free slots),
 * not at each block: a wake-up costs more than a block. */
#define AHEAD 64

typedef struct ahead {
    crible_conllu_reader *r;
    crible_sentence s[AHEAD];
    int rc[AHEAD];
    crible_error err[AHEAD];
    pthread_mutex_t mu;
    pthread_cond_t reader_cv, index_cv;
    uint64_t read, taken;    /* blocks read; blocks handed to the index thread */
    bool reader_waits, index_waits, stop, threaded;
    pthread_t th;
} ahead;

static void *ahead_main(void *arg)
{
    ahead *a = arg;
    for (uint64_t k = 0;; k++) {
        pthread_mutex_lock(&a->mu);
        /* the slot of block k is free once block k - AHEAD + 1 is taken:
         * the index thread is done with block k - AHEAD */
        while (k >= a->taken + AHEAD - 1 && !a->stop) {
            a->reader_waits = true;
            pthread_cond_wait(&a->reader_cv, &a->mu);
        }
        bool stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (stop) break;
        size_t i = k % AHEAD;
        int rc = crible_conllu_read(a->r, &a->s[i], &a->err[i]);
        pthread_mutex_lock(&a->mu);
        a->rc[i] = rc;
        a->read = k + 1;
        if (a->index_waits && (a->read - a->taken >= AHEAD / 2 || rc <= 0)) {
            a->index_waits = false;
            pthread_cond_signal(&a->index_cv);
        }
        pthread_mutex_unlock(&a->mu);
        if (rc <= 0) break;
    }
    return NULL;
}

static crible_status ahead_start(ahead *a, crible_conllu_reader *r, crible_error *err)
{
    memset(a, 0, sizeof *a);
    a->r = r;
    for (size_t i = 0; i < AHEAD; i++) crible_sentence_init(&a->s[i]);
    if (pthread_mutex_init(&a->mu, NULL)) return crible_error_set(err, CRIBLE_ENOMEM, "cannot make a lock");
    if (pthread_cond_init(&a->reader_cv, NULL) || pthread_cond_init(&a->index_cv, NULL)) {
        pthread_mutex_destroy(&a->mu);
        return crible_error_set(err, CRIBLE_ENOMEM, "cannot make a condition variable");
    }
    a->threaded = pthread_create(&a->th, NULL, ahead_main, a) == 0;   /* else read here */
    return CRIBLE_OK;
}

/* The next block, as crible_conllu_read returns it (*s its sentence). */
static int ahead_next(ahead *a, const crible_sentence **s, crible_error *err)
{
    if (!a->threaded) {
        *s = &a->s[0];
        return crible_conllu_read(a->r, &a->s[0], err);
    }
    pthread_mutex_lock(&a->mu);
    while (a->read == a->taken) {
        a->index_waits = true;
        pthread_cond_wait(&a->index_cv, &a->mu);
    }
    size_t i = a->taken++ % AHEAD;
    if (a->reader_waits && a->read - a->taken <= AHEAD / 2) {
        a->reader_waits = false;
        pthread_cond_signal(&a->reader_cv);
    }
    pthread_mutex_unlock(&a->mu);
    *s = &a->s[i];
    if (a->rc[i] < 0) *err = a->err[i];
    return a->rc[i];
}

static void ahead_stop(ahead *a)
{
    if (a->threaded) {
        pthread_mutex_lock(&a->mu);
        a->stop = true;
        pthread_cond_signal(&a->reader_cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->th, NULL);
    }
    for (size_t i = 0; i < AHEAD; i++) crible_sentence_free(&a->s[i]);
    pthread_cond_destroy(&a->reader_cv);
    pthread_cond_destroy(&a->index_cv);
    pthread_mutex_destroy(&a->mu);
}

crible_status crible_index_stream(crible_index_writer *w, crible_conllu_reader *r,
                                  crible_index_stream_stats *stats, crible_error *err)
{
    crible_index_stream_stats local = {0, 0, 0};
    if (!stats) stats = &local;
    ahead a;
    crible_status st = ahead_start(&a, r, err);
    if (st) return st;
    const crible_sentence *sp = NULL;
    json_t *an = json_object();
    cols c = {-1, -1, -1, -1, -1, -1, -1};
    bool have_cols = false, have_doc = false, settled = false;
    char id[1024] = "";
    long doc_line = 0;
    crible_status first_bad = CRIBLE_OK;
    crible_error bad;
    crible_error_clear(&bad);
    const char *name = crible_conllu_reader_name(r);
    for (;;) {
        int rc = ahead_next(&a, &sp, err);
        if (rc < 0) {
            /* the broken block opens a new document: the one before is whole */
            const char *nid = crible_sentence_comment(sp, "newdoc id");
            if (have_doc && nid) {
                crible_error keep = *err;
                if (crible_index_doc_end(w, err) == CRIBLE_OK) stats->docs++;
                else stats->bad_docs++;
                *err = keep;
                snprintf(id, sizeof id, "%s", nid);
                doc_line = sp->line;
            } else if (have_doc) {
                crible_index_doc_abort(w);
            }
            if (have_doc || nid) {
                stats->bad_docs++;
                crible_error_prefix(err, "document '%s' (line %ld) not indexed", nid ? nid : id, nid ? sp->line : doc_line);
            }
            st = err->status;
            break;
        }
        if (rc == 0) {
            if (have_doc && !crible_conllu_reader_complete(r)) {
                crible_index_doc_abort(w);
                stats->bad_docs++;
                st = crible_error_set(err, CRIBLE_EDATA,
                                      "%s: the stream ends without its end mark: document '%s' (line %ld) "
                                      "was cut short and is not indexed", name, id, doc_line);
            } else if (have_doc) {
                st = crible_index_doc_end(w, err);
                if (st == CRIBLE_EDATA) { stats->bad_docs++; st = CRIBLE_OK; }
                else if (!st) stats->docs++;
                if (st) break;
            }
            break;
        }
        if (!have_cols) {
            have_cols = true;
            c.form = col(r, "FORM");
            c.norm = col(r, "CRIBLE:NORM");
            c.start = col(r, "CRIBLE:START");
            c.end = col(r, "CRIBLE:END");
            c.ner = col(r, "CRIBLE:NER");
            c.entity = col(r, "CRIBLE:ENTITY");
            if ((st = crible_conllu_require(r, "CRIBLE:STEM", "run crible-stem first", &c.stem, err))) break;
            ix_buf cn = {0};
            for (size_t i = 0; i < crible_conllu_ncolumns(r); i++) {
                const char *n = crible_conllu_column_name(r, i);
                ix_buf_add(&cn, i ? " " : "", i ? 1 : 0);
                ix_buf_add(&cn, n, strlen(n));
            }
            ix_buf_add(&cn, "", 1);
            json_object_set_new(an, "columns", json_string(cn.data ? (char *)cn.data : ""));
            ix_buf_free(&cn);
        }
        if (!settled) settings(sp, an);
        const char *nid = crible_sentence_comment(sp, "newdoc id");
        if (nid) {
            if (!settled) {
                settled = true;
                if ((st = crible_index_stream_settings(w, an, name, err))) break;
            }
            if (have_doc) {
                crible_status ds = crible_index_doc_end(w, err);
                if (ds == CRIBLE_EDATA) {
                    stats->bad_docs++;
                    if (!first_bad) { first_bad = ds; bad = *err; crible_error_prefix(&bad, "%s:%ld", name, doc_line); }
                } else if (ds) {
                    st = ds;
                    break;
                } else {
                    stats->docs++;
                }
            }
            snprintf(id, sizeof id, "%s", nid);
            doc_line = sp->line;
            have_doc = true;
            crible_status bs = begin_doc(w, sp, id, err);
            if (bs) {
                have_doc = false;
                stats->bad_docs++;
                if (!first_bad) { first_bad = bs; bad = *err; crible_error_prefix(&bad, "%s:%ld", name, doc_line); }
            }
        }
        if (!have_doc) {
            if (sp->ntokens > 0 && !nid) {
                st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: tokens before the first '# newdoc id'",
                                      name, sp->line);
                break;
            }
            continue;
        }
        const char *field = crible_sentence_comment(sp, "crible.field");
        if (field && (st = crible_index_doc_field(w, field, err))) {
            crible_index_doc_abort(w);
            have_doc = false;
            stats->bad_docs++;
            if (!first_bad) { first_bad = st; bad = *err; crible_error_prefix(&bad, "%s:%ld: document '%s'", name, sp->line, id); }
            st = CRIBLE_OK;
            continue;
        }
        if (sp->ntokens == 0) continue;
        crible_index_doc_sentence(w);
        for (size_t t = 0; t < sp->ntokens && !st; t++) {
            const char *stem = cell(sp, t, c.stem), *norm = cell(sp, t, c.norm);
            crible_index_token tok = {stem, norm ? norm : stem, offset(sp, t, c.start),
                                      offset(sp, t, c.end)};
            st = crible_index_doc_token(w, &tok, err);
        }
        stats->tokens += sp->ntokens;
        if (!st) st = add_entities(w, sp, &c, err);
        if (st) break;
    }
    ahead_stop(&a);
    json_decref(an);
    if (!st && first_bad) {
        *err = bad;
        st = first_bad;
    }
    return st;
}
