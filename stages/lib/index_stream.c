/*
 * index_stream.c - reads a token stream (format: conllu.h) into an index
 * writer, document by document.  A document is everything from its
 * `# newdoc id` to the next one; it is handed to the writer only when it is
 * complete, so a malformed or cut document is never indexed.
 *
 * A thread of its own reads the stream up to AHEAD blocks ahead (ahead_*) and
 * does there what needs no index: it parses the blocks and follows the
 * documents as the writer builds them (adoc: their fields in order, each
 * one's offsets), so that when one ends it makes its stored record and
 * metadata values (ix_stored_record, ix_docmeta_values: what the writer's
 * crible_index_doc_end would make, the same bytes) and hands them with the
 * block that ends it.  A document with a `# crible.doc` and an id is
 * followed whole: its tokens' stems and normal forms are numbered by an
 * interner (index_termdict.h) and its fields handed with its end
 * (crible_index_doc_field_terms); another one's blocks are digested one
 * at a time, their stems and normal forms copied into one string area with
 * their byte offsets read (crible_index_doc_tokens takes a block at once).
 * Both ways give the same segment bytes.  The index thread keeps the
 * order of the calls and every decision about a document (a bad field, an
 * empty id, a cut stream): what it was handed only spares it work.
 */
#include "index_stream.h"
#include "index_buffer.h"
#include "index_format.h"
#include "index_metadata.h"
#include "index_termdict.h"

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
static inline uint32_t offset(const crible_sentence *s, size_t t, int c)
{
    if (c < 0) return 0;
    long v = crible_sentence_cell_digits(s, t, (size_t)c);
    return v >= 0 ? (uint32_t)v : num(crible_sentence_cell(s, t, (size_t)c));
}

/* num of cell c of a row of a block read whole, c not its last: 1 to 9
 * digits read here, knowing their count (where the next cell starts):
 * fewer instructions than crible_sentence_cell_digits, which finds it. */
static inline uint32_t row_offset(char *const *row, int c)
{
    const char *v = row[c];
    size_t n = (size_t)(row[c + 1] - v) - 1;
    if (n - 1 >= 9) return num(v);
    uint32_t x = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)v[i] - '0';
        if (d > 9) return num(v);
        x = x * 10 + d;
    }
    return x;
}

/* Copies v[0..n) and a NUL to o, returns the end; `wide`: v and o may be
 * read and written 16 bytes at a time past their end. */
static inline char *put_string(char *o, const char *v, size_t n, bool wide)
{
    if (wide) {
        for (size_t i = 0; i < n; i += 16) memcpy(o + i, v + i, 16);
    } else if (n) {
        memcpy(o, v, n);
    }
    o[n] = 0;
    return o + n + 1;
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

/* Starts document `id` with its JSON `doc` (NULL: none in the stream, the
 * JSON is its id alone). */
static crible_status begin_doc(crible_index_writer *w, const char *doc, const char *id,
                               crible_error *err)
{
    if (doc) return crible_index_doc_begin(w, id, doc, strlen(doc), err);
    json_t *o = json_pack("{ss}", "id", id);
    char *j = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!j) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_status st = crible_index_doc_begin(w, id, j, strlen(j), err);
    free(j);
    return st;
}

/* A block's tokens as crible_index_doc_tokens takes them: their byte
 * offsets, and their stem and norm copied into `strings` (each
 * NUL-terminated), read on the read-ahead thread (the documents not
 * handed whole: those without a `# crible.doc`). */
typedef struct digest {
    crible_index_token *toks;
    size_t cap;
    char *strings;
    size_t len, strings_cap;
} digest;

/* A field of the document the read-ahead thread follows, as the writer
 * would build it. */
#define DOC_FIELDS CRIBLE_INDEX_MAX_FIELDS
typedef struct afield {
    char name[64];
    uint32_t fno;             /* its name's number in the stream (the interner's field) */
    ix_buf toks;              /* crible_index_token, offsets only (stem, norm NULL) */
    ix_buf terms;             /* ix_tokterm per token */
    ix_buf sents;             /* u32 per sentence: its first token */
} afield;

/* A document's fields and its own terms (those not among the interner's
 * lasting ones), handed whole to the index thread with the block that
 * ends the document (crible_index_doc_field_terms): the index thread then
 * neither copies nor hashes a token's strings, it adds each token by its
 * terms' numbers, each term resolved once.  `failed`: out of memory on
 * the way (the index thread says so). */
typedef struct dfields {
    struct dfields *next;     /* in the spare list (ahead.spare) */
    afield fields[DOC_FIELDS];
    size_t nfields;
    ix_termset own;
    ix_buf res;               /* the buffer's resolutions of the own terms */
    ix_termdict dict;
    bool failed;
} dfields;

/* What the read-ahead thread made of a document, handed to the index
 * thread with the block that ends it: its stored record and metadata
 * values (made as the writer would make them at crible_index_doc_end: the
 * same functions, from the same JSON and fields, the same bytes), and its
 * fields whole.  doc 0: no record (the writer makes it, and says what is
 * wrong); whole 0: no fields. */
typedef struct made {
    uint64_t doc;             /* the document's number (1: the first `# newdoc id`) */
    ix_buf rec;
    ix_kvlist kv;
    uint64_t whole;           /* the document whose fields `f` holds */
    dfields *f;
} made;

/* The document the read-ahead thread follows: its fields in the order
 * they come.  A document with a `# crible.doc` and an id is followed
 * whole (`whole`): its tokens go to its fields, their terms numbered by
 * the interner, and to nothing else. */
typedef struct adoc {
    uint64_t doc;             /* its number; 0: none open */
    bool ok;                  /* false: no record made ahead */
    bool whole;
    char id[1024];
    ix_buf json;
    dfields *f;
    int cur;
    ix_docmeta meta;
} adoc;

/* The stream read ahead by a thread of its own, so that parsing it is
 * off the index thread: a ring of AHEAD blocks, each with what
 * crible_conllu_read returned for it, its tokens digested and what was
 * made of the document it ends.  The index thread holds one block at a
 * time (until its next ahead_next).  A thread that waits is woken only
 * when half the ring is there for it (ready blocks, or free slots), not
 * at each block: a wake-up costs more than a block.  256 slots (their
 * buffers bounded by SLOT_KEEP, with their documents' dfields: 10-15 MB
 * in all): on the press stream, 21,000
 * context switches where 64 made 54,000 (128: 32,000); the whole chain 2
 * to 7 % faster than with 128 (4 paired runs). */
#define AHEAD 256

typedef struct slot {
    crible_sentence s;
    int rc;
    crible_error err;
    const char *nid, *doc, *field;   /* its `# newdoc id`, `# crible.doc`, `# crible.field` (or NULL) */
    bool whole;               /* its `# newdoc id` opens a document followed whole */
    digest dg;
    bool digested;            /* dg holds the block's tokens */
    made md;
} slot;

typedef struct ahead {
    crible_conllu_reader *r;
    slot sl[AHEAD];
    cols c;                   /* the read-ahead thread's (known after the first block) */
    bool have_cols;
    adoc d;
    dfields *spare;           /* dfields no slot holds any more, for the next documents */
    size_t spare_bytes;       /* what they hold (dfields_bytes) */
    ix_interner in;           /* the terms of the documents followed whole */
    uint32_t *norm_stem;      /* per lasting normal form: the stem last met with it (UINT32_MAX: none) */
    char (*names)[64];        /* the field names met, numbered (afield.fno) */
    size_t nnames, names_cap;
    ix_dictres lres;          /* the index thread's resolutions of the lasting terms */
    pthread_mutex_t mu;
    pthread_cond_t reader_cv, index_cv;
    uint64_t read, taken;    /* blocks read; blocks handed to the index thread */
    bool reader_waits, index_waits, stop, threaded;
    pthread_t th;
} ahead;

/* The number of field name `name` in the stream (UINT32_MAX: no room). */
static uint32_t name_number(ahead *a, const char *name)
{
    for (size_t i = a->nnames; i-- > 0;)
        if (strcmp(a->names[i], name) == 0) return (uint32_t)i;
    if (a->nnames == a->names_cap) {
        size_t cap = a->names_cap ? 2 * a->names_cap : 8;
        char(*n)[64] = realloc(a->names, cap * sizeof *n);
        if (!n) return UINT32_MAX;
        a->names = n;
        a->names_cap = cap;
    }
    snprintf(a->names[a->nnames], sizeof a->names[0], "%s", name);
    return (uint32_t)a->nnames++;
}

/* Field `name` of the document followed (crible_index_doc_field's rules:
 * a bad name or one too many makes the document one the writer refuses). */
static void adoc_field(ahead *a, const char *name)
{
    adoc *d = &a->d;
    dfields *df = d->f;
    for (size_t i = 0; i < df->nfields; i++)
        if (strcmp(df->fields[i].name, name) == 0) { d->cur = (int)i; return; }
    if (df->nfields >= DOC_FIELDS || !crible_index_field_name_ok(name)) {
        d->ok = false;
        return;
    }
    afield *f = &df->fields[df->nfields];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->toks.len = f->terms.len = f->sents.len = 0;
    if (d->whole && (f->fno = name_number(a, f->name)) == UINT32_MAX) df->failed = true;
    d->cur = (int)df->nfields++;
}

/* The stored record and metadata values of the document followed, into m
 * (m->doc stays 0 if they cannot be made here). */
static void adoc_record(adoc *d, made *m)
{
    const char *names[DOC_FIELDS];
    ix_docfield fs[DOC_FIELDS];
    const char *json = (const char *)d->json.data;
    const dfields *df = d->f;
    crible_error e;
    ix_kvlist_clear(&m->kv);
    /* the reader checked the stream's UTF-8 and that it holds no NUL */
    if (ix_docmeta_read_utf8(&d->meta, d->id, json, d->json.len, &e)) goto done;
    for (size_t i = 0; i < df->nfields; i++) names[i] = df->fields[i].name;
    if (ix_docmeta_values(&d->meta, names, df->nfields, &m->kv, &e)) goto done;
    for (size_t i = 0; i < df->nfields; i++) {
        const afield *f = &df->fields[i];
        const char *text = NULL;
        size_t text_len = 0;
        ix_docmeta_string(&d->meta, f->name, &text, &text_len);
        fs[i] = (ix_docfield){f->name, text, text_len, (const crible_index_token *)(void *)f->toks.data,
                              (uint32_t)(f->toks.len / sizeof(crible_index_token)), NULL, 0, NULL, NULL};
    }
    if (!ix_stored_record(&m->rec, json, d->json.len, fs, df->nfields)) goto done;
    ix_kvlist_pointers(&m->kv, 0);
    m->doc = d->doc;
done:
    ix_docmeta_release(&d->meta);
}

/* The bytes a dfields and its buffers hold (0 for none). */
static size_t dfields_bytes(const dfields *df)
{
    if (!df) return 0;
    size_t n = sizeof *df + df->own.pool.cap + df->own.terms.cap + df->own.field.cap + df->res.cap;
    for (size_t i = 0; i < DOC_FIELDS; i++)
        n += df->fields[i].toks.cap + df->fields[i].terms.cap + df->fields[i].sents.cap;
    return n;
}

/* The spare dfields hold at most this many bytes.  A dfields is in use
 * from its document's first block until the index thread is done with
 * the block that ends it (its slot read again: dfields_recycle); then it
 * is spare, kept for a next document while the spares stay under this
 * bound, else freed.  (Each slot kept the last dfields it was handed
 * until it ended another document: AHEAD of them, each as big as the
 * longest document it had held, 28 MB on the 312 MB of press + reviews +
 * novels.) */
#define SPARE_MAX ((size_t)4 << 20)

/* A slot's buffers grow to the biggest block and record it has held (a
 * document's first block holds its whole JSON twice, the block that ends
 * it the document's stored record): a slot read again gives them back if
 * they hold more than this, so that the ring keeps at most AHEAD times
 * this (8 MiB) beyond the blocks in it (with no bound: 14 MB on the
 * press, 22 MB on the 312 MB of press + reviews + novels).  Instructions
 * on 3,000 press articles (callgrind, -m 4M) against 81f0213: 64 KiB
 * -0.4 %, 32 KiB -0.2 %, 16 KiB +2.4 % (malloc, the reader's buffers
 * grown again); peak RSS at -m 16M on the 312 MB: 57, 50 and 50 MB. */
#define SLOT_KEEP ((size_t)32 << 10)

/* Frees a dfields' buffers, keeping the dfields (for its next document). */
static void dfields_shrink(dfields *df)
{
    for (size_t i = 0; i < DOC_FIELDS; i++) {
        ix_buf_free(&df->fields[i].toks);
        ix_buf_free(&df->fields[i].terms);
        ix_buf_free(&df->fields[i].sents);
    }
    ix_termset_free(&df->own);
    ix_buf_free(&df->res);
}

static void dfields_free(dfields *df)
{
    if (!df) return;
    dfields_shrink(df);
    free(df);
}

/* The document followed ends: what was made of it into m, its fields
 * handed whole (its dfields goes with m; the next document takes a
 * spare one or a new one). */
static void adoc_make(ahead *a, made *m)
{
    adoc *d = &a->d;
    m->doc = 0;
    m->whole = 0;
    if (!d->doc || !d->whole) return;
    if (d->ok) adoc_record(d, m);
    dfields *df = d->f;
    ix_interner_forget(&a->in, &df->own);   /* the next document's own terms are others */
    size_t nown = df->own.terms.len / sizeof(ix_dterm);
    if (!df->failed && !ix_buf_reserve(&df->res, 2 * nown * sizeof(void *) + 1)) df->failed = true;
    ix_interner_dict(&a->in, &df->own, (void **)(void *)df->res.data, &a->lres, &df->dict);
    m->whole = d->doc;
    dfields_free(m->f);   /* none: slot_reuse took the slot's last one */
    m->f = df;
    d->f = NULL;
}

/* The values of the block's comments the index reads, found in one pass
 * (as crible_sentence_comment finds each: the first of each key). */
static void find_comments(slot *sl)
{
    const crible_sentence *s = &sl->s;
    sl->nid = sl->doc = sl->field = NULL;
    for (size_t i = 0; i < s->ncomments; i++) {
        const char *line = s->comments[i], *c = line + 1, *v;
        while (*c == ' ') c++;
        if (*c == 'n') {
            if (!sl->nid && (v = crible_sentence_comment_of(line, "newdoc id", 9))) sl->nid = v;
        } else if (*c == 'c') {
            if (!sl->doc && (v = crible_sentence_comment_of(line, "crible.doc", 10))) sl->doc = v;
            else if (!sl->field && (v = crible_sentence_comment_of(line, "crible.field", 12))) sl->field = v;
        }
    }
}

/* Whether block s's cells of stems, norms and offsets can be read by
 * their row (read_token): a block read whole, none of them last in its
 * row, so that a cell's length is where the next one starts (less its
 * NUL). */
static bool rows_ok(const crible_sentence *s, const cols *c)
{
    const int last = (int)s->ncolumns - 1;
    return s->raw_ok && c->stem >= 0 && c->stem < last && c->norm >= 0 && c->norm < last && c->start >= 0 &&
           c->start < last && c->end >= 0 && c->end < last;
}

/* Token t's stem and normal form cells (NULL, 0: none; no normal form:
 * the stem's) and byte offsets; `rows`: rows_ok(s, c).  Inline in its
 * loops (a call per token cost 5 % of the read-ahead thread). */
__attribute__((always_inline)) static inline void read_token(const crible_sentence *s, const cols *c, bool rows,
                                                            size_t t, const char **stem, size_t *sn,
                                                            const char **norm, size_t *nn, uint32_t *start,
                                                            uint32_t *end)
{
    const char *st, *no;
    size_t sl = 0, nl = 0;
    if (rows) {
        char *const *row = s->cells + t * s->ncolumns;
        st = row[c->stem];
        no = row[c->norm];
        sl = (size_t)(row[c->stem + 1] - st) - 1;
        nl = (size_t)(row[c->norm + 1] - no) - 1;
        if (sl == 1 && st[0] == '_') sl = 0;
        if (nl == 1 && no[0] == '_') nl = 0;
        *start = row_offset(row, c->start);
        *end = row_offset(row, c->end);
    } else {
        char *const *row = s->cells + t * s->ncolumns;
        st = c->stem >= 0 ? row[c->stem] : NULL;
        no = c->norm >= 0 ? row[c->norm] : NULL;
        if (st && !(st[0] == '_' && !st[1])) sl = crible_sentence_cell_len(s, t, (size_t)c->stem);
        if (no && !(no[0] == '_' && !no[1])) nl = crible_sentence_cell_len(s, t, (size_t)c->norm);
        *start = offset(s, t, c->start);
        *end = offset(s, t, c->end);
    }
    *stem = sl ? st : NULL;
    *sn = sl;
    if (nl) {
        *norm = no;
        *nn = nl;
    } else {
        *norm = *stem;
        *nn = sl;
    }
}

/* Block s's tokens into the current field of the document followed
 * whole: their offsets, their terms (ix_tokterm: as the writer takes a
 * token, no stem is not indexed and the normal form is compared with the
 * stem whole), a sentence. */
static bool whole_block(ahead *a, const crible_sentence *s)
{
    dfields *df = a->d.f;
    afield *f = &df->fields[a->d.cur];
    const size_t n = s->ntokens;
    if (!ix_buf_reserve(&f->toks, n * sizeof(crible_index_token)) ||
        !ix_buf_reserve(&f->terms, n * sizeof(ix_tokterm)) ||
        !ix_buf_u32(&f->sents, (uint32_t)(f->toks.len / sizeof(crible_index_token))))
        return false;
    crible_index_token *o = (crible_index_token *)(void *)(f->toks.data + f->toks.len);
    ix_tokterm *tt = (ix_tokterm *)(void *)(f->terms.data + f->terms.len);
    const cols *c = &a->c;
    ix_interner *in = &a->in;
    uint32_t *cache = a->norm_stem;
    const uint32_t fno = f->fno;
    const bool rows = rows_ok(s, c);
    for (size_t t = 0; t < n; t++, o++, tt++) {
        const char *stem, *norm;
        size_t sn, nn;
        *o = (crible_index_token){NULL, NULL, 0, 0};
        read_token(s, c, rows, t, &stem, &sn, &norm, &nn, &o->start, &o->end);
        *tt = (ix_tokterm){UINT32_MAX, UINT32_MAX};
        if (!sn) continue;   /* no stem: not indexed, its position kept */
        if (nn == sn && ix_same_bytes(norm, stem, sn)) {
            if (!ix_intern(in, &df->own, fno, stem, sn, &tt->stem)) return false;
            tt->norm = tt->stem;
            continue;
        }
        /* the normal form first: the stem last met with it, if the same,
         * needs no lookup */
        uint32_t nid, sid;
        if (!ix_intern(in, &df->own, fno, norm, nn, &nid)) return false;
        if (cache && nid < IX_DICT_LASTING && (sid = cache[nid]) != UINT32_MAX &&
            ix_interner_lasting_is(in, sid, stem, sn)) {
            tt->stem = sid;
        } else {
            if (!ix_intern(in, &df->own, fno, stem, sn, &tt->stem)) return false;
            if (cache && nid < IX_DICT_LASTING && tt->stem < IX_DICT_LASTING) cache[nid] = tt->stem;
        }
        tt->norm = nid | IX_TOKTERM_DIFFER;
    }
    f->toks.len += n * sizeof(crible_index_token);
    f->terms.len += n * sizeof(ix_tokterm);
    return true;
}

/* Block s's tokens digested (strings copied, offsets read); false: no
 * room (the index thread reads the cells itself). */
static bool digest_block(ahead *a, slot *sl)
{
    const crible_sentence *s = &sl->s;
    digest *g = &sl->dg;
    /* each token's stem and norm: at most twice the block's bytes, and
     * 16 bytes of room for a copy 16 bytes at a time */
    size_t room = 2 * (s->buf_len + s->ntokens) + 16;
    if (s->ntokens > g->cap || room > g->strings_cap) {
        size_t cap = s->ntokens > g->cap ? s->ntokens + 256 : g->cap;
        crible_index_token *t = realloc(g->toks, cap * sizeof *t);
        if (t) g->toks = t;
        char *p = t ? realloc(g->strings, room) : NULL;
        if (!p) return false;
        g->strings = p;
        g->strings_cap = room;
        g->cap = cap;
    }
    const cols *c = &a->c;
    /* a block read whole has SLACK bytes after it: its cells may be read
     * 16 bytes at a time */
    const bool padded = s->raw_ok, rows = rows_ok(s, c);
    char *o = g->strings;
    for (size_t t = 0; t < s->ntokens; t++) {
        const char *stem, *norm;
        size_t sn, nn;
        crible_index_token *k = &g->toks[t];
        read_token(s, c, rows, t, &stem, &sn, &norm, &nn, &k->start, &k->end);
        k->stem = o;
        o = put_string(o, sn ? stem : "", sn, padded && sn);
        k->norm = o;
        o = put_string(o, nn ? norm : "", nn, padded && nn);
    }
    g->len = (size_t)(o - g->strings);
    return true;
}

/* Digests block `sl` (read-ahead thread): as the index thread will take
 * it, the document it ends made, its tokens' terms numbered (a document
 * followed whole) or their strings and offsets read. */
static void ahead_block(ahead *a, slot *sl)
{
    const crible_sentence *s = &sl->s;
    adoc *d = &a->d;
    sl->md.doc = sl->md.whole = 0;
    sl->digested = sl->whole = false;
    sl->nid = sl->doc = sl->field = NULL;
    if (sl->rc < 0) {   /* the document before a broken block may be whole */
        if (crible_sentence_comment(s, "newdoc id")) adoc_make(a, &sl->md);
        return;
    }
    if (sl->rc > 0) find_comments(sl);
    if (!a->have_cols) {
        a->have_cols = true;
        crible_conllu_reader *r = a->r;
        a->c = (cols){col(r, "FORM"), col(r, "CRIBLE:STEM"), col(r, "CRIBLE:NORM"), col(r, "CRIBLE:START"),
                      col(r, "CRIBLE:END"), col(r, "CRIBLE:NER"), col(r, "CRIBLE:ENTITY")};
    }
    const char *nid = sl->nid;
    if (sl->rc == 0 || nid) adoc_make(a, &sl->md);
    if (sl->rc == 0) return;
    if (nid) {
        d->doc++;
        snprintf(d->id, sizeof d->id, "%s", nid);
        const char *json = sl->doc;
        d->ok = json && d->id[0];
        d->json.len = 0;
        if (json && !ix_buf_add(&d->json, json, strlen(json))) d->ok = false;
        if (!d->f && (d->f = a->spare)) {
            a->spare = d->f->next;
            a->spare_bytes -= dfields_bytes(d->f);
        }
        if (!d->f && !(d->f = calloc(1, sizeof *d->f))) d->ok = false;
        if (d->f) {
            d->f->nfields = 0;
            d->f->failed = false;
            ix_termset_clear(&d->f->own);
        }
        /* the index thread takes the fields whole from here on */
        d->whole = sl->whole = d->ok;
        d->cur = -1;
    }
    if (!d->doc) return;
    if (!d->whole) {
        if (s->ntokens) sl->digested = digest_block(a, sl);
        return;
    }
    if (!d->ok || d->f->failed) return;   /* a document the writer refuses, or no memory */
    if (sl->field) adoc_field(a, sl->field);
    if (s->ntokens == 0 || !d->ok) return;
    if (d->cur < 0) adoc_field(a, "text");
    if (!whole_block(a, s)) d->f->failed = true;
}

/* The bytes slot `sl` holds: its block's buffers, its digest, what was
 * made of the document it ends (not its dfields). */
static size_t slot_bytes(const slot *sl)
{
    const crible_sentence *s = &sl->s;
    return s->buf_cap + s->raw_cap + (s->comments_cap + s->cells_cap + s->rows_cap) * sizeof(void *) +
           sl->dg.cap * sizeof *sl->dg.toks + sl->dg.strings_cap + sl->md.rec.cap + sl->md.kv.pool.cap +
           sl->md.kv.cap * sizeof *sl->md.kv.kvs;
}

/* Slot sl is to be read again (the index thread is done with its
 * block): its dfields becomes spare (or is freed past SPARE_MAX), and
 * its buffers are given back if they hold more than SLOT_KEEP. */
static void slot_reuse(ahead *a, slot *sl)
{
    dfields *df = sl->md.f;
    sl->md.f = NULL;
    sl->md.whole = sl->md.doc = 0;
    if (df) {
        size_t n = dfields_bytes(df);
        if (a->spare_bytes + n > SPARE_MAX) {
            dfields_free(df);
        } else {
            df->next = a->spare;
            a->spare = df;
            a->spare_bytes += n;
        }
    }
    if (slot_bytes(sl) > SLOT_KEEP) {
        crible_sentence_free(&sl->s);
        crible_sentence_init(&sl->s);
        free(sl->dg.toks);
        free(sl->dg.strings);
        sl->dg = (digest){0};
        ix_buf_free(&sl->md.rec);
        ix_kvlist_free(&sl->md.kv);
    }
}

/* Reads the next block into slot sl and digests it (read-ahead thread). */
static int slot_read(ahead *a, slot *sl)
{
    slot_reuse(a, sl);
    int rc = sl->rc = crible_conllu_read(a->r, &sl->s, &sl->err);
    ahead_block(a, sl);
    return rc;
}


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
        slot *sl = &a->sl[k % AHEAD];
        int rc = slot_read(a, sl);
        pthread_mutex_lock(&a->mu);
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
    for (size_t i = 0; i < AHEAD; i++) crible_sentence_init(&a->sl[i].s);
    ix_interner_open(&a->in);
    a->norm_stem = malloc(IX_DICT_LASTING * sizeof *a->norm_stem);   /* none: no cache */
    if (a->norm_stem) memset(a->norm_stem, 0xff, IX_DICT_LASTING * sizeof *a->norm_stem);
    a->lres.epoch = UINT64_MAX;
    if (pthread_mutex_init(&a->mu, NULL)) return crible_error_set(err, CRIBLE_ENOMEM, "cannot make a lock");
    if (pthread_cond_init(&a->reader_cv, NULL) || pthread_cond_init(&a->index_cv, NULL)) {
        pthread_mutex_destroy(&a->mu);
        return crible_error_set(err, CRIBLE_ENOMEM, "cannot make a condition variable");
    }
    a->threaded = pthread_create(&a->th, NULL, ahead_main, a) == 0;   /* else read here */
    return CRIBLE_OK;
}

/* The next block, as crible_conllu_read returns it (*out its slot). */
static int ahead_next(ahead *a, const slot **out, crible_error *err)
{
    slot *sl;
    if (!a->threaded) {
        sl = &a->sl[0];
        slot_read(a, sl);
    } else {
        pthread_mutex_lock(&a->mu);
        while (a->read == a->taken) {
            a->index_waits = true;
            pthread_cond_wait(&a->index_cv, &a->mu);
        }
        sl = &a->sl[a->taken++ % AHEAD];
        if (a->reader_waits && a->read - a->taken <= AHEAD / 2) {
            a->reader_waits = false;
            pthread_cond_signal(&a->reader_cv);
        }
        pthread_mutex_unlock(&a->mu);
    }
    *out = sl;
    if (sl->rc < 0) *err = sl->err;
    return sl->rc;
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
    for (size_t i = 0; i < AHEAD; i++) {
        crible_sentence_free(&a->sl[i].s);
        free(a->sl[i].dg.toks);
        free(a->sl[i].dg.strings);
        ix_buf_free(&a->sl[i].md.rec);
        ix_kvlist_free(&a->sl[i].md.kv);
        dfields_free(a->sl[i].md.f);
    }
    dfields_free(a->d.f);
    while (a->spare) {
        dfields *df = a->spare;
        a->spare = df->next;
        dfields_free(df);
    }
    ix_buf_free(&a->d.json);
    ix_docmeta_free(&a->d.meta);
    ix_interner_free(&a->in);
    free(a->norm_stem);
    free(a->names);
    ix_dictres_free(&a->lres);
    pthread_cond_destroy(&a->reader_cv);
    pthread_cond_destroy(&a->index_cv);
    pthread_mutex_destroy(&a->mu);
}

/* Ends document number `doc` (the writer's current one), with what the
 * read-ahead thread made of it when it is that document's: its record
 * and values, its fields whole (`whole`: the document was followed whole,
 * its tokens were not given one block at a time). */
static crible_status end_doc(crible_index_writer *w, const slot *sl, uint64_t doc, bool whole,
                             crible_error *err)
{
    if (whole) {
        dfields *df = sl->md.f;
        if (sl->md.whole != doc || df->failed) {
            crible_index_doc_abort(w);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory reading the stream ahead");
        }
        for (size_t i = 0; i < df->nfields; i++) {
            const afield *f = &df->fields[i];
            crible_status st = crible_index_doc_field_terms(
                w, f->name, (const crible_index_token *)(void *)f->toks.data,
                (uint32_t)(f->toks.len / sizeof(crible_index_token)), (const uint32_t *)(void *)f->sents.data,
                (uint32_t)(f->sents.len / sizeof(uint32_t)), (const ix_tokterm *)(void *)f->terms.data,
                &df->dict, err);
            if (st) {
                crible_index_doc_abort(w);
                return st;
            }
        }
    }
    if (sl->md.doc == doc) {
        crible_index_doc_stored(w, sl->md.rec.data, sl->md.rec.len);
        crible_index_doc_metadata(w, sl->md.kv.kvs, sl->md.kv.n);
    }
    return crible_index_doc_end(w, err);
}

crible_status crible_index_stream(crible_index_writer *w, crible_conllu_reader *r,
                                  crible_index_stream_stats *stats, crible_error *err)
{
    crible_index_stream_stats local = {0, 0, 0};
    if (!stats) stats = &local;
    ahead *a = malloc(sizeof *a);
    if (!a) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    crible_status st = ahead_start(a, r, err);
    if (st) { free(a); return st; }
    const slot *sl = NULL;
    const crible_sentence *sp = NULL;
    uint64_t docno = 0;       /* `# newdoc id` blocks taken */
    json_t *an = json_object();
    cols c = {-1, -1, -1, -1, -1, -1, -1};
    bool have_cols = false, have_doc = false, settled = false;
    /* whole: the document's fields come whole with its end (end_doc);
     * has_field: it has a current field (else its first token opens
     * "text", as crible_index_doc_token would) */
    bool whole = false, has_field = false;
    char id[1024] = "";
    long doc_line = 0;
    crible_status first_bad = CRIBLE_OK;
    crible_error bad;
    crible_error_clear(&bad);
    const char *name = crible_conllu_reader_name(r);
    for (;;) {
        int rc = ahead_next(a, &sl, err);
        sp = &sl->s;
        if (rc < 0) {
            /* the broken block opens a new document: the one before is whole */
            const char *nid = crible_sentence_comment(sp, "newdoc id");
            if (have_doc && nid) {
                crible_error keep = *err;
                if (end_doc(w, sl, docno, whole, err) == CRIBLE_OK) stats->docs++;
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
                st = end_doc(w, sl, docno, whole, err);
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
        const char *nid = sl->nid;
        if (nid) {
            docno++;
            if (!settled) {
                settled = true;
                if ((st = crible_index_stream_settings(w, an, name, err))) break;
            }
            if (have_doc) {
                crible_status ds = end_doc(w, sl, docno - 1, whole, err);
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
            whole = sl->whole;
            has_field = false;
            crible_status bs = begin_doc(w, sl->doc, id, err);
            if (bs) {
                have_doc = false;
                stats->bad_docs++;
                if (!first_bad) { first_bad = bs; bad = *err; crible_error_prefix(&bad, "%s:%ld", name, doc_line); }
            }
        }
        if (!have_doc) {
            /* after a refused document (empty id, bad field), its blocks
             * until the next `# newdoc id` are skipped with it */
            if (sp->ntokens > 0 && docno == 0) {
                st = crible_error_set(err, CRIBLE_EDATA, "%s:%ld: tokens before the first '# newdoc id'",
                                      name, sp->line);
                break;
            }
            continue;
        }
        const char *field = sl->field;
        if (field && (st = crible_index_doc_field(w, field, err))) {
            crible_index_doc_abort(w);
            have_doc = false;
            stats->bad_docs++;
            if (!first_bad) { first_bad = st; bad = *err; crible_error_prefix(&bad, "%s:%ld: document '%s'", name, sp->line, id); }
            st = CRIBLE_OK;
            continue;
        }
        if (field) has_field = true;
        if (sp->ntokens == 0) continue;
        if (whole) {   /* the tokens come with the document's end */
            if (!has_field && (st = crible_index_doc_field(w, "text", err))) break;
            has_field = true;
            stats->tokens += sp->ntokens;
            if ((st = add_entities(w, sp, &c, err))) break;
            continue;
        }
        crible_index_doc_sentence(w);
        if (sl->digested)
            st = crible_index_doc_tokens(w, sl->dg.toks, sp->ntokens, sl->dg.strings, sl->dg.len, err);
        for (size_t t = 0; t < sp->ntokens && !st && !sl->digested; t++) {
            const char *stem = cell(sp, t, c.stem), *norm = cell(sp, t, c.norm);
            crible_index_token tok = {stem, norm ? norm : stem, offset(sp, t, c.start),
                                      offset(sp, t, c.end)};
            st = crible_index_doc_token(w, &tok, err);
        }
        stats->tokens += sp->ntokens;
        if (!st) st = add_entities(w, sp, &c, err);
        if (st) break;
    }
    ahead_stop(a);
    free(a);
    json_decref(an);
    if (!st && first_bad) {
        *err = bad;
        st = first_bad;
    }
    return st;
}
