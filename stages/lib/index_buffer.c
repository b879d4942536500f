/*
 * index_buffer.c - the in-memory inverted index of the documents added since
 * the last flush, and its flush into a segment.
 *
 * Terms live in one open-addressing hash table keyed by (field, bytes).  A
 * term's postings are two growable byte streams in the on-disk varint style:
 * `docs` (doc gap, tf) and `pos` (per document: tf positions, the first
 * absolute then gaps).  Terms are allocated from chunks (up to 1 MiB, freed
 * whole at a flush), each with its streams' first INLINE bytes right after it:
 * most terms are rare and never need more (no malloc, no free, and the
 * bytes are next to the term in the cache); a stream that outgrows them
 * moves to the heap.  Per field: the documents' lengths, sentence starts
 * and numeric values.  Every allocation is counted in `bytes`, which the
 * writer compares with --memory.
 *
 * The exact field of a text field gets the NORM of every token here; the
 * flush leaves out an exact term that only ever came from a stem equal to
 * itself whose stem term only ever had that norm (see PURE, index_format.c).
 * A norm has a variant number in each stem it comes with: its first (stem,
 * variant) pair in its exact term, the others (the stem of a form may
 * depend on the document: a review stemmed in English) in a list.
 * A big flush decodes the postings' streams on a thread of its own, ahead
 * of the segment writer (see "a flush's postings decoded").
 */
#include "index_buffer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct mterm {
    uint32_t hash, last_doc, cur_doc, cur_tf, last_pos, df;
    uint16_t field;
    uint8_t len;
    bool impure;              /* stem: a token of it had another NORM */
    ix_buf docs, pos;         /* pos: per position varint gap, varint variant */
    /* stem terms: how many norms (variants) it has had */
    uint32_t nvar;
    /* the variant of the norm equal to the stem, while that norm's
     * statistics are counted from the positions at flush (its exact term
     * self_exact has no other stem: its tokens take one lookup) */
    uint32_t self_variant;
    struct mterm *self_exact;
    struct mterm *last_exact;   /* the exact term of its last other norm (a cache) */
    /* exact terms (no postings of their own): stats, the first (stem,
     * variant) pair, the others (a norm met under other stems) */
    struct mterm *stem;
    struct mpair *more;
    uint32_t variant, max_tf;
    uint64_t cf;
    char bytes[];
} mterm;

/* Another (stem, variant) pair of an exact term, from the chunks. */
typedef struct mpair {
    mterm *stem;
    uint32_t variant;
    struct mpair *next;
} mpair;

typedef struct mfield {
    char name[256];
    uint32_t hash;            /* of the name (compared first by field_get) */
    int kind;
    unsigned flags;
    int link;
    uint32_t *lengths;        /* TEXT: cap entries */
    double *numv;             /* NUMERIC */
    ix_buf sent;              /* TEXT: per doc: u32 doc, then varints */
    ix_buf sent_offs;         /* TEXT: u32 offset per doc (ndocs + 1 at flush) */
    uint32_t cap, doc_count, last_doc;
    uint64_t sum_length;
} mfield;

/* A hash table slot: the hash beside the pointer, so that a probe reads
 * the term only when the hashes agree. */
typedef struct slot {
    uint32_t hash;
    uint16_t field;           /* its term's (the flush groups by field from the slots) */
    mterm *t;
} slot;

#define INLINE 16            /* bytes of each stream kept beside its term */
#define CHUNK (1u << 20)     /* terms are allocated in chunks of at most this size */

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    uint8_t data[];
} chunk;

struct ix_membuf {
    slot *table;
    size_t table_cap, nterms;
    mfield *fields;
    size_t nfields;
    uint32_t ndocs, doc_cap;
    uint64_t *deleted;
    /* ids of the buffered documents */
    ix_buf id_pool;
    uint32_t *id_off;         /* per doc */
    uint32_t *id_table;       /* hash of doc numbers + 1 */
    size_t id_cap;
    mterm **touched;
    size_t ntouched, touched_cap;
    size_t bytes;
    ix_buf rec;
    chunk *chunks;            /* the terms' memory */
    uint64_t epoch;           /* flushes so far (ix_termdict.epoch) */
};

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory in the index buffer");
}

crible_status ix_membuf_new(ix_membuf **out, crible_error *err)
{
    ix_membuf *b = calloc(1, sizeof *b);
    if (!b) return nomem(err);
    b->table_cap = 1 << 10;
    b->table = calloc(b->table_cap, sizeof *b->table);
    if (!b->table) { free(b); return nomem(err); }
    b->bytes = b->table_cap * sizeof *b->table + sizeof *b;
    *out = b;
    return CRIBLE_OK;
}

static void clear(ix_membuf *b)
{
    for (size_t i = 0; i < b->table_cap; i++) {
        mterm *t = b->table[i].t;
        if (!t) continue;
        if (t->docs.cap > INLINE) free(t->docs.data);
        if (t->pos.cap > INLINE) free(t->pos.data);
        b->table[i] = (slot){0, 0, NULL};
    }
    while (b->chunks) {
        chunk *c = b->chunks;
        b->chunks = c->next;
        free(c);
    }
    for (size_t i = 0; i < b->nfields; i++) {
        free(b->fields[i].lengths);
        free(b->fields[i].numv);
        ix_buf_free(&b->fields[i].sent);
        ix_buf_free(&b->fields[i].sent_offs);
    }
    free(b->fields);
    b->fields = NULL;
    b->nfields = 0;
    b->nterms = 0;
    b->ndocs = b->doc_cap = 0;
    free(b->deleted);
    b->deleted = NULL;
    ix_buf_free(&b->id_pool);
    free(b->id_off);
    free(b->id_table);
    b->id_off = NULL;
    b->id_table = NULL;
    b->id_cap = 0;
    b->bytes = b->table_cap * sizeof *b->table + sizeof *b;
    b->epoch++;   /* the terms are gone: so are the dictionaries' resolutions */
}

void ix_membuf_free(ix_membuf *b)
{
    if (!b) return;
    clear(b);
    free(b->table);
    free(b->touched);
    ix_buf_free(&b->rec);
    free(b);
}

/* What the buffer holds, and what its flush will allocate beside it:
 * `all` and `sorted` (ix_membuf_flush) and sort_terms' two key arrays
 * (sortkey: a u64 key and a term), for every term (the fields partition
 * them), so that --memory bounds the flush too. */
size_t ix_membuf_bytes(const ix_membuf *b)
{
    return b->bytes + b->nterms * (sizeof(slot) + sizeof(mterm *) + 2 * (sizeof(uint64_t) + sizeof(mterm *)));
}
uint32_t ix_membuf_ndocs(const ix_membuf *b) { return b->ndocs; }

/* --- fields -------------------------------------------------------------- */

/* A field's index by name, -1 if none.  The names' hashes are compared
 * first (a document asks for each of its fields: one strcmp a lookup). */
static int field_find(const ix_membuf *b, const char *name, uint32_t h)
{
    for (size_t i = 0; i < b->nfields; i++)
        if (b->fields[i].hash == h && strcmp(b->fields[i].name, name) == 0) return (int)i;
    return -1;
}

static const char *kind_name(int kind)
{
    return kind == CRIBLE_FIELD_TEXT ? "text" : kind == CRIBLE_FIELD_EXACT ? "exact forms"
         : kind == CRIBLE_FIELD_KEYWORD ? "keyword" : "number or date";
}

/* The fields a document will create, as fields_can plans them before it
 * changes anything: each name (NUL-terminated in `names`) with its kind,
 * the later ones first in a lookup (a keyword name that takes over a
 * numeric one shadows it; the numbers' NAME# follows it); `created`: how
 * many field_get will add to the buffer. */
typedef struct fplan {
    ix_buf names, ents;               /* ents: fplan_ent */
    size_t created;
} fplan;
typedef struct fplan_ent { uint32_t off; int kind; } fplan_ent;

/* The kind field `name` will have when the document's fields planned so
 * far are made, -1 if none. */
static int plan_kind(const ix_membuf *b, const fplan *p, const char *name)
{
    const fplan_ent *e = (const fplan_ent *)(void *)p->ents.data;
    for (size_t k = p->ents.len / sizeof *e; k-- > 0;)
        if (strcmp((const char *)p->names.data + e[k].off, name) == 0) return e[k].kind;
    int i = field_find(b, name, ix_hash_bytes(name, strlen(name), 3));
    return i < 0 ? -1 : b->fields[i].kind;
}

static bool plan_put(fplan *p, const char *name, int kind)
{
    fplan_ent e = {0, kind};
    return ix_buf_string(&p->names, name, strlen(name), &e.off) && ix_buf_add(&p->ents, &e, sizeof e);
}

/* Whether field_get(name, kind) will succeed once the fields planned
 * before it are made (then planned too), looked at before a document
 * changes anything: a document refused for its fields leaves nothing of
 * itself in the buffer, even when it collides with itself ('text.exact'
 * as metadata of a document whose text makes it).  A keyword name held by
 * a numeric field takes it over (the numbers move to NAME#,
 * crible_field_table_name in index.h); a number of a text or keyword name
 * goes to NAME# (numeric_name). */
static crible_status field_can(const ix_membuf *b, fplan *p, const char *name, int kind, crible_error *err)
{
    int have = plan_kind(b, p, name);
    if (have == kind) return CRIBLE_OK;
    char alt[300];
    bool take = false;
    if (have >= 0) {
        snprintf(alt, sizeof alt, "%s#", name);
        if (kind != CRIBLE_FIELD_KEYWORD || have != CRIBLE_FIELD_NUMERIC || plan_kind(b, p, alt) >= 0)
            return crible_error_set(err, CRIBLE_EDATA, "field '%s' used as two kinds (%s and %s)", name,
                                    kind_name(have), kind_name(kind));
        take = true;
    }
    if (strlen(name) > 200 || b->nfields + p->created >= IX_MAX_FIELDS - 1)
        return crible_error_set(err, CRIBLE_EDATA, "field name too long or too many fields: '%.40s'", name);
    if ((take && !plan_put(p, alt, CRIBLE_FIELD_NUMERIC)) || !plan_put(p, name, kind)) return nomem(err);
    p->created++;
    return CRIBLE_OK;
}

/* The name a number of metadata name goes under: NAME, or NAME# when NAME
 * is a text or keyword field (in the buffer, or planned: p; nothing
 * planned: the buffer's fields as they are). */
static const char *numeric_name(const ix_membuf *b, const fplan *p, const char *name, char alt[300])
{
    int kind = plan_kind(b, p, name);
    if (kind < 0 || kind == CRIBLE_FIELD_NUMERIC) return name;
    snprintf(alt, 300, "%s#", name);
    return alt;
}

/* field_can for all of a document's fields, in the order ix_membuf_add
 * gets them. */
static crible_status fields_can(const ix_membuf *b, const ix_docfield *fields, size_t nfields, const ix_kv *kvs,
                                size_t nkvs, crible_error *err)
{
    fplan p = {{0}, {0}, 0};
    char ename[300], alt[300];
    crible_status st = field_can(b, &p, "_id", CRIBLE_FIELD_KEYWORD, err);
    for (size_t i = 0; !st && i < nfields; i++) {
        snprintf(ename, sizeof ename, "%s.exact", fields[i].name);
        if (!(st = field_can(b, &p, fields[i].name, CRIBLE_FIELD_TEXT, err)))
            st = field_can(b, &p, ename, CRIBLE_FIELD_EXACT, err);
    }
    for (size_t i = 0; !st && i < nkvs; i++) {
        if (kvs[i].term) st = field_can(b, &p, kvs[i].field, CRIBLE_FIELD_KEYWORD, err);
        if (!st && kvs[i].numeric)
            st = field_can(b, &p, numeric_name(b, &p, kvs[i].field, alt), CRIBLE_FIELD_NUMERIC, err);
    }
    ix_buf_free(&p.names);
    ix_buf_free(&p.ents);
    return st;
}

/* A field's index by name (created at its first use; fields_can said it
 * can be had); -1 with err set when the name has another kind.  A keyword
 * name held by a numeric field takes it over: the numeric field becomes
 * NAME#, as if the keyword had come first. */
static int field_get(ix_membuf *b, const char *name, int kind, crible_error *err)
{
    size_t nl = strlen(name);
    uint32_t h = ix_hash_bytes(name, nl, 3);
    int i = field_find(b, name, h);
    if (i >= 0 && b->fields[i].kind == CRIBLE_FIELD_NUMERIC && kind == CRIBLE_FIELD_KEYWORD) {
        mfield *nf = &b->fields[i];
        snprintf(nf->name, sizeof nf->name, "%s#", name);
        nf->hash = ix_hash_bytes(nf->name, strlen(nf->name), 3);
        i = -1;
    }
    if (i >= 0) {
        if (b->fields[i].kind == kind) return i;
        crible_error_set(err, CRIBLE_EDATA, "field '%s' used as two kinds (%s and %s)", name,
                         kind_name(b->fields[i].kind), kind_name(kind));
        return -1;
    }
    if (nl > 200 || b->nfields >= IX_MAX_FIELDS - 1) {
        crible_error_set(err, CRIBLE_EDATA, "field name too long or too many fields: '%.40s'", name);
        return -1;
    }
    mfield *f = realloc(b->fields, (b->nfields + 1) * sizeof *f);
    if (!f) { nomem(err); return -1; }
    b->fields = f;
    f = &b->fields[b->nfields];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->hash = h;
    f->kind = kind;
    f->flags = kind == CRIBLE_FIELD_TEXT ? IX_FIELD_POSITIONS : 0;
    f->link = -1;
    f->last_doc = UINT32_MAX;
    return (int)b->nfields++;
}

static bool field_reserve(ix_membuf *b, mfield *f, uint32_t doc)
{
    if (doc < f->cap) return true;
    uint32_t cap = f->cap ? f->cap : 256;
    while (cap <= doc) cap *= 2;
    if (f->kind == CRIBLE_FIELD_TEXT) {
        uint32_t *l = realloc(f->lengths, cap * sizeof *l);
        if (!l) return false;
        memset(l + f->cap, 0, (cap - f->cap) * sizeof *l);
        f->lengths = l;
        b->bytes += (cap - f->cap) * sizeof *l;
    }
    if (f->kind == CRIBLE_FIELD_NUMERIC) {
        double *v = realloc(f->numv, cap * sizeof *v);
        if (!v) return false;
        for (uint32_t i = f->cap; i < cap; i++) v[i] = NAN;
        f->numv = v;
        b->bytes += (cap - f->cap) * sizeof *v;
    }
    f->cap = cap;
    return true;
}

/* --- terms --------------------------------------------------------------- */

static bool grow_table(ix_membuf *b)
{
    size_t cap = b->table_cap * 2;
    slot *t = calloc(cap, sizeof *t);
    if (!t) return false;
    for (size_t i = 0; i < b->table_cap; i++) {
        if (!b->table[i].t) continue;
        size_t j = b->table[i].hash & (cap - 1);
        while (t[j].t) j = (j + 1) & (cap - 1);
        t[j] = b->table[i];
    }
    free(b->table);
    b->bytes += (cap - b->table_cap) * sizeof *t;
    b->table = t;
    b->table_cap = cap;
    return true;
}

/* n zeroed bytes (8-aligned) from the chunks. */
static void *arena_alloc(ix_membuf *b, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    chunk *c = b->chunks;
    if (!c || c->size - c->used < n) {
        /* an eighth of the buffer (so that --memory is not overshot by
         * more), between 4 KiB and CHUNK */
        size_t size = b->bytes / 8 < 4096 ? 4096 : b->bytes / 8 > CHUNK ? CHUNK : b->bytes / 8;
        if (size < n) size = n;
        c = calloc(1, sizeof *c + size);
        if (!c) return NULL;
        c->size = size;
        c->next = b->chunks;
        b->chunks = c;
        b->bytes += sizeof *c + size;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* Room for `need` more bytes in a term's stream, on the heap once it
 * outgrows its INLINE bytes. */
static bool stream_grow(ix_membuf *b, ix_buf *x, size_t need)
{
    bool heap = x->cap > INLINE;
    size_t cap = heap ? x->cap * 2 : 64;
    while (cap - x->len < need) cap *= 2;
    uint8_t *d = heap ? realloc(x->data, cap) : malloc(cap);
    if (!d) return false;
    if (!heap && x->len) memcpy(d, x->data, x->len);
    b->bytes += cap - (heap ? x->cap : 0);
    x->data = d;
    x->cap = cap;
    return true;
}

static inline bool stream_varint(ix_membuf *b, ix_buf *x, uint64_t v)
{
    if (x->cap - x->len < 10) {
        size_t n = 1;
        for (uint64_t w = v; w >= 128; w >>= 7) n++;
        if (x->cap - x->len < n && !stream_grow(b, x, 10)) return false;
    }
    x->len += ix_varint_put(x->data + x->len, v);
    return true;
}

/* The hash of a term of `field` whose ix_term_hash is h. */
static inline uint32_t field_hash(uint32_t h, int field)
{
    uint32_t r = h ^ (uint32_t)field * 0x9e3779b9u;
    return r ? r : 1;
}

/* The term (field, s[0..len)) whose hash is h (len from ix_term_len). */
static mterm *term_find(ix_membuf *b, int field, const char *s, size_t len, uint32_t h, bool create)
{
    size_t j = h & (b->table_cap - 1);
    for (; b->table[j].t; j = (j + 1) & (b->table_cap - 1)) {
        mterm *t = b->table[j].t;
        if (b->table[j].hash == h && t->field == field && t->len == len && memcmp(t->bytes, s, len) == 0) return t;
    }
    if (!create) return NULL;
    if ((b->nterms + 1) * 4 > b->table_cap * 3) {   /* at most 3/4 full: a smaller table misses the cache less */
        if (!grow_table(b)) return NULL;
        return term_find(b, field, s, len, h, create);
    }
    int kind = b->fields[field].kind;
    size_t inl = kind == CRIBLE_FIELD_TEXT ? 2 * INLINE : kind == CRIBLE_FIELD_KEYWORD ? INLINE : 0;
    size_t at = (sizeof(mterm) + len + 1 + 7) & ~(size_t)7;
    mterm *t = arena_alloc(b, at + inl);
    if (!t) return NULL;
    if (inl) t->docs = (ix_buf){(uint8_t *)t + at, 0, INLINE};
    if (inl > INLINE) t->pos = (ix_buf){(uint8_t *)t + at + INLINE, 0, INLINE};
    t->hash = h;
    t->field = (uint16_t)field;
    t->len = (uint8_t)len;
    t->last_doc = t->cur_doc = t->self_variant = UINT32_MAX;
    memcpy(t->bytes, s, len);
    b->table[j] = (slot){h, (uint16_t)field, t};
    b->nterms++;
    return t;
}

static mterm *term_get(ix_membuf *b, int field, const char *s, size_t len, bool create)
{
    len = ix_term_len(s, len);
    return term_find(b, field, s, len, field_hash(ix_hash_bytes(s, len, 0), field), create);
}

/* Room for more touched terms (the rare part of touch). */
static bool touched_grow(ix_membuf *b)
{
    size_t cap = b->touched_cap ? b->touched_cap * 2 : 1024;
    mterm **n = realloc(b->touched, cap * sizeof *n);
    if (!n) return false;
    b->touched = n;
    b->touched_cap = cap;
    return true;
}

static inline bool touch(ix_membuf *b, mterm *t, uint32_t doc)
{
    if (t->cur_doc == doc) return true;
    t->cur_doc = doc;
    t->cur_tf = 0;
    t->last_pos = 0;
    if (b->ntouched == b->touched_cap && !touched_grow(b)) return false;
    b->touched[b->ntouched++] = t;
    return true;
}

/* Two varints on a stream: in one go when both take a byte and fit (as
 * two stream_varint calls would write them). */
static inline bool stream_varint2(ix_membuf *b, ix_buf *x, uint64_t v, uint64_t w)
{
    if ((v | w) < 128 && x->cap - x->len >= 2) {
        x->data[x->len] = (uint8_t)v;
        x->data[x->len + 1] = (uint8_t)w;
        x->len += 2;
        return true;
    }
    return stream_varint(b, x, v) && stream_varint(b, x, w);
}

/* An occurrence of a term of a positional field: its position and the
 * variant number of its norm. */
static inline bool occurrence_pos(ix_membuf *b, mterm *t, uint32_t doc, uint32_t pos, uint32_t variant,
                                  bool impure)
{
    if (!touch(b, t, doc)) return false;
    if (impure) t->impure = true;
    if (!stream_varint2(b, &t->pos, t->cur_tf ? pos - t->last_pos : pos, variant)) return false;
    t->last_pos = pos;
    t->cur_tf++;
    return true;
}

/* One occurrence of a term; positional fields record pos and the variant. */
static mterm *occurrence(ix_membuf *b, mterm *t, uint32_t doc, bool positions, uint32_t pos,
                         uint32_t variant, bool impure)
{
    if (!t) return NULL;
    if (positions) return occurrence_pos(b, t, doc, pos, variant, impure) ? t : NULL;
    if (!touch(b, t, doc)) return NULL;
    if (impure) t->impure = true;
    if (t->cur_tf && b->fields[t->field].kind == CRIBLE_FIELD_KEYWORD) return t;   /* keywords: tf 1 */
    t->cur_tf++;
    return t;
}

static mterm *add_occurrence(ix_membuf *b, int field, const char *s, size_t len, uint32_t doc,
                             bool positions, uint32_t pos, uint32_t variant, bool impure)
{
    return occurrence(b, term_get(b, field, s, len, true), doc, positions, pos, variant, impure);
}

static bool add_variant(ix_membuf *b, mterm *st, mterm *et, bool differ, uint32_t doc, uint32_t pos);

/* A token of a text field: its stem term (with the norm's variant number)
 * and its norm in the exact field. */
static bool add_token(ix_membuf *b, int tf, int ef, const char *stem, size_t sl, uint32_t sh,
                      const char *norm, uint32_t doc, uint32_t pos)
{
    mterm *st = term_find(b, tf, stem, sl, sh, true);
    if (!st) return false;
    bool differ = strcmp(stem, norm) != 0;
    if (!differ && st->self_variant != UINT32_MAX)   /* the common case: one lookup */
        return occurrence_pos(b, st, doc, pos, st->self_variant, false);
    size_t nl = strlen(norm);
    mterm *et = st->last_exact;
    if (!et || et->len != nl || memcmp(et->bytes, norm, nl) != 0) {
        et = term_get(b, ef, norm, nl, true);
        if (!et) return false;
        st->last_exact = et;
    }
    return add_variant(b, st, et, differ, doc, pos);
}

/* Where the buffer's resolution of dictionary term id (as a stem: +0, as
 * a normal form: +1) is kept. */
static inline void **dict_res(const ix_termdict *d, uint32_t id)
{
    return id < IX_DICT_LASTING ? &d->lres->v[2 * (size_t)id] : &d->res[2 * (size_t)(id - IX_DICT_LASTING)];
}

/* Dictionary term id, and its bytes. */
static inline const ix_dterm *dict_term(const ix_termdict *d, uint32_t id, const char **bytes)
{
    const ix_dterm *x = id < IX_DICT_LASTING ? &d->lasting[id] : &d->terms[id - IX_DICT_LASTING];
    *bytes = (id < IX_DICT_LASTING ? d->lpool : d->pool) + x->off;
    return x;
}

/* Room in d->lres for the dictionary's lasting terms, all forgotten when
 * the buffer flushed since. */
static bool lasting_begin(ix_termdict *d, uint64_t epoch)
{
    ix_dictres *r = d->lres;
    if (r->epoch != epoch) {
        if (r->cap) memset(r->v, 0, 2 * r->cap * sizeof *r->v);
        r->epoch = epoch;
    }
    if (d->nlasting <= r->cap) return true;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < d->nlasting) cap *= 2;
    void **v = realloc(r->v, 2 * cap * sizeof *v);
    if (!v) return false;
    memset(v + 2 * r->cap, 0, 2 * (cap - r->cap) * sizeof *v);
    r->v = v;
    r->cap = cap;
    return true;
}

/* Whether token tt's stem term is to be looked up in the table: the
 * dictionary has not resolved it yet. */
static inline bool must_find(const ix_termdict *d, ix_tokterm tt)
{
    return tt.stem != UINT32_MAX && !*dict_res(d, tt.stem);
}

/* Token tt's stem slot in the table, prefetched, if it must be found
 * (must_find); SIZE_MAX if not. */
static inline size_t slot_ahead(const ix_membuf *b, const ix_termdict *d, ix_tokterm tt, int tf)
{
    if (!must_find(d, tt)) return SIZE_MAX;
    const char *bytes;
    size_t j = field_hash(dict_term(d, tt.stem, &bytes)->hash, tf) & (b->table_cap - 1);
    __builtin_prefetch(&b->table[j]);
    return j;
}

void ix_dictres_free(ix_dictres *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* A dictionary term's term in field f, found in the table. */
static mterm *resolve(ix_membuf *b, const ix_termdict *d, uint32_t id, int f)
{
    const char *bytes;
    const ix_dterm *x = dict_term(d, id, &bytes);
    return term_find(b, f, bytes, x->len, field_hash(x->hash, f), true);
}

/* A token of a text field given by a dictionary (ix_docfield.terms): its
 * terms resolved once per dictionary (a worker's lasting terms: once per
 * buffer epoch), then as add_token. */
static bool add_dict_token(ix_membuf *b, int tf, int ef, ix_termdict *d, ix_tokterm tt, uint32_t doc, uint32_t pos)
{
    mterm **sres = (mterm **)dict_res(d, tt.stem), *st = *sres;
    if (!st && !(st = *sres = resolve(b, d, tt.stem, tf))) return false;
    bool differ = tt.norm & IX_TOKTERM_DIFFER;
    if (!differ && st->self_variant != UINT32_MAX) return occurrence_pos(b, st, doc, pos, st->self_variant, false);
    uint32_t n = tt.norm & ~IX_TOKTERM_DIFFER;
    mterm **eres = (mterm **)dict_res(d, n) + 1, *et = *eres;
    if (!et && !(et = *eres = resolve(b, d, n, ef))) return false;
    st->last_exact = et;
    return add_variant(b, st, et, differ, doc, pos);
}

/* One document of a term's postings stream (*p moved on): *doc moved to
 * it, its tf returned. */
static uint64_t decode_doc_tf(const uint8_t **p, const uint8_t *end, int64_t *doc)
{
    uint64_t gap = 0, tf = 0;
    const uint8_t *r = *p;
    if (end - r >= 2 && (r[0] | r[1]) < 0x80) {   /* both a byte */
        gap = r[0];
        tf = r[1];
        *p = r + 2;
    } else {
        ix_varint_get(p, end, &gap);
        ix_varint_get(p, end, &tf);
    }
    *doc += (int64_t)gap + 1;
    return tf;
}

/* The self norm's statistics so far (exact term et, the norm of stem st
 * equal to it, variant v), which the fast path of add_token leaves to the
 * flush, counted now from st's streams into et (the documents done) and
 * et's counts of document doc (the one being added); then st's tokens of
 * it take the slow path, which counts them: et is getting another stem. */
static bool self_count(ix_membuf *b, mterm *st, mterm *et, uint32_t doc)
{
    const uint8_t *p = st->docs.data, *end = p + st->docs.len;
    const uint8_t *q = st->pos.data, *qend = q + st->pos.len;
    int64_t d = -1;
    et->df = et->max_tf = 0;
    et->cf = 0;
    uint64_t v, var;
    while (p < end) {
        uint64_t tf = decode_doc_tf(&p, end, &d), n = 0;
        for (uint64_t k = 0; k < tf; k++) {
            ix_varint_get(&q, qend, &v);
            ix_varint_get(&q, qend, &var);
            n += var == st->self_variant;
        }
        if (!n) continue;
        et->df++;
        et->cf += n;
        if (n > et->max_tf) et->max_tf = (uint32_t)n;
    }
    uint32_t n = 0;   /* the current document's, after the ones done */
    if (st->cur_doc == doc)
        for (uint32_t k = 0; k < st->cur_tf; k++) {
            ix_varint_get(&q, qend, &v);
            ix_varint_get(&q, qend, &var);
            n += var == st->self_variant;
        }
    if (et->cur_doc == doc) et->cur_tf = n;
    else if (n && !touch(b, et, doc)) return false;
    else if (n) et->cur_tf = n;
    st->self_variant = UINT32_MAX;
    st->self_exact = NULL;
    return true;
}

/* Exact term et's variant in stem st, a new pair if st is a new stem of
 * it (UINT32_MAX: out of memory). */
__attribute__((noinline, cold)) static uint32_t pair_variant(ix_membuf *b, mterm *st, mterm *et, uint32_t doc)
{
    for (mpair *x = et->more; x; x = x->next)
        if (x->stem == st) return x->variant;
    mterm *first = et->stem;
    if (first->self_exact == et && !self_count(b, first, et, doc)) return UINT32_MAX;
    mpair *x = arena_alloc(b, sizeof *x);
    if (!x) return UINT32_MAX;
    *x = (mpair){st, st->nvar++, et->more};
    et->more = x;
    return x->variant;
}

/* The rest of a token once its stem term st and its norm's exact term et
 * are known: et's variant number in st, the occurrences. */
static bool add_variant(ix_membuf *b, mterm *st, mterm *et, bool differ, uint32_t doc, uint32_t pos)
{
    if (!et->stem) {
        et->stem = st;
        et->variant = st->nvar++;
        if (!differ) {
            st->self_variant = et->variant;
            st->self_exact = et;
        }
    }
    uint32_t variant = et->variant;
    if (et->stem != st && (variant = pair_variant(b, st, et, doc)) == UINT32_MAX)   /* a norm of two stems (or more) */
        return false;
    if (!occurrence_pos(b, st, doc, pos, variant, differ) || !touch(b, et, doc)) return false;
    et->cur_tf++;   /* an exact term: its statistics only */
    return true;
}

static bool end_doc_terms(ix_membuf *b, uint32_t doc)
{
    for (size_t i = 0; i < b->ntouched; i++) {
        mterm *t = b->touched[i];
        mfield *f = &b->fields[t->field];
        if (f->last_doc != doc) { f->last_doc = doc; f->doc_count++; }
        t->df++;
        if (f->kind == CRIBLE_FIELD_EXACT) {   /* stats only */
            t->cf += t->cur_tf;
            if (t->cur_tf > t->max_tf) t->max_tf = t->cur_tf;
            continue;
        }
        uint32_t gap = t->last_doc == UINT32_MAX ? doc : doc - t->last_doc - 1;
        if (!stream_varint2(b, &t->docs, gap, t->cur_tf)) return false;
        t->last_doc = doc;
    }
    b->ntouched = 0;
    return true;
}

/* --- documents ----------------------------------------------------------- */

bool ix_stored_record(ix_buf *out, const char *json, size_t json_len, const ix_docfield *fields,
                      size_t nfields)
{
    out->len = 0;
    if (!ix_buf_varint(out, json_len) || !ix_buf_add(out, json, json_len) || !ix_buf_varint(out, nfields))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < nfields; i++) {
        const ix_docfield *f = &fields[i];
        uint8_t nl = (uint8_t)strlen(f->name);
        if (!ix_buf_add(out, &nl, 1) || !ix_buf_add(out, f->name, nl) || !ix_buf_varint(out, f->ntokens))
            return false;
        const crible_index_token *t = f->tokens;
        ok = !f->ntokens || ix_offsets_encode_stride(out, f->text ? f->text : "", f->text ? f->text_len : 0,
                                                     &t->start, &t->end, sizeof *t / sizeof t->start, f->ntokens);
    }
    return ok;
}

/* Makes room for document doc's id (table at most half full). */
static bool id_reserve(ix_membuf *b, uint32_t doc)
{
    if ((size_t)(doc + 1) * 2 <= b->id_cap) return true;
    size_t cap = b->id_cap ? b->id_cap * 2 : 1024;
    uint32_t *o = realloc(b->id_off, cap / 2 * sizeof *o);
    if (!o) return false;
    b->id_off = o;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t) return false;
    for (uint32_t d = 0; d < doc; d++) {
        const char *id = (const char *)b->id_pool.data + b->id_off[d];
        size_t j = ix_hash_bytes(id, strlen(id), 7) & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = d + 1;
    }
    free(b->id_table);
    b->bytes += (cap - b->id_cap) * (sizeof *t + sizeof *o / 2);
    b->id_table = t;
    b->id_cap = cap;
    return true;
}

static void id_insert(ix_membuf *b, uint32_t doc)
{
    const char *id = (const char *)b->id_pool.data + b->id_off[doc];
    size_t j = ix_hash_bytes(id, strlen(id), 7) & (b->id_cap - 1);
    while (b->id_table[j]) j = (j + 1) & (b->id_cap - 1);
    b->id_table[j] = doc + 1;
}

uint32_t ix_membuf_find(const ix_membuf *b, const char *id)
{
    if (!b->id_cap) return UINT32_MAX;
    size_t j = ix_hash_bytes(id, strlen(id), 7) & (b->id_cap - 1);
    uint32_t found = UINT32_MAX;
    for (; b->id_table[j]; j = (j + 1) & (b->id_cap - 1)) {
        uint32_t d = b->id_table[j] - 1;
        if (strcmp((const char *)b->id_pool.data + b->id_off[d], id) == 0 &&
            !((b->deleted[d >> 6] >> (d & 63)) & 1))
            found = d;
    }
    return found;
}

void ix_membuf_delete(ix_membuf *b, uint32_t local)
{
    if (local < b->ndocs) b->deleted[local >> 6] |= 1ull << (local & 63);
}

#define AHEAD 8   /* a power of two */

/* Hashes token k's stem into hs/ls[k % AHEAD] (length UINT32_MAX: no stem)
 * and prefetches its slot. */
static void prehash(const ix_membuf *b, int field, const crible_index_token *toks, uint32_t k, uint32_t *hs,
                    uint32_t *ls)
{
    const char *stem = toks[k].stem;
    if (!stem || !*stem) { ls[k % AHEAD] = UINT32_MAX; return; }
    size_t len = ix_term_len(stem, strlen(stem));
    uint32_t h = field_hash(ix_hash_bytes(stem, len, 0), field);
    hs[k % AHEAD] = h;
    ls[k % AHEAD] = (uint32_t)len;
    __builtin_prefetch(&b->table[h & (b->table_cap - 1)]);
}

crible_status ix_membuf_add(ix_membuf *b, ix_segw *segw, const char *id, const char *json,
                            size_t json_len, const ix_docfield *fields, size_t nfields,
                            const ix_kv *kvs, size_t nkvs, const uint8_t *rec, size_t rec_len,
                            crible_error *err)
{
    uint32_t doc = b->ndocs;
    if (doc >= IX_MAX_DOCS - 1) return crible_error_set(err, CRIBLE_EINDEX, "too many documents in one segment");
    crible_status st = fields_can(b, fields, nfields, kvs, nkvs, err);
    if (st) return st;
    if (doc >= b->doc_cap) {
        uint32_t cap = b->doc_cap ? b->doc_cap * 2 : 1024;
        size_t ow = b->doc_cap ? b->doc_cap / 64 + 1 : 0, nw = (size_t)cap / 64 + 1;
        uint64_t *d = realloc(b->deleted, nw * 8);
        if (!d) return nomem(err);
        memset(d + ow, 0, (nw - ow) * 8);
        b->deleted = d;
        b->bytes += (cap - b->doc_cap) / 8;
        b->doc_cap = cap;
    }
    /* the stored record first: it is the document's number in the segment */
    if (!rec) {
        if (!ix_stored_record(&b->rec, json, json_len, fields, nfields)) return nomem(err);
        rec = b->rec.data;
        rec_len = b->rec.len;
    }
    st = ix_segw_stored_doc(segw, rec, rec_len, err);
    if (st) return st;
    b->ndocs++;
    size_t idl = strlen(id), pcap = b->id_pool.cap;
    if (!ix_buf_reserve(&b->id_pool, idl + 1)) return nomem(err);
    b->bytes += b->id_pool.cap - pcap;
    if (!id_reserve(b, doc)) return nomem(err);
    b->id_off[doc] = (uint32_t)b->id_pool.len;
    ix_buf_add(&b->id_pool, id, idl + 1);
    id_insert(b, doc);
    /* the id, as a keyword */
    int idf = field_get(b, "_id", CRIBLE_FIELD_KEYWORD, err);
    if (idf < 0) return err->status;
    if (!add_occurrence(b, idf, id, idl, doc, false, 0, 0, false)) return nomem(err);
    for (size_t i = 0; i < nfields; i++) {
        const ix_docfield *df = &fields[i];
        int tf = field_get(b, df->name, CRIBLE_FIELD_TEXT, err);
        if (tf < 0) return err->status;
        int ef = b->fields[tf].link;   /* its exact field, once found */
        if (ef < 0) {
            char ename[300];
            snprintf(ename, sizeof ename, "%s.exact", df->name);
            if ((ef = field_get(b, ename, CRIBLE_FIELD_EXACT, err)) < 0) return err->status;
        }
        b->fields[tf].link = ef;
        b->fields[ef].link = tf;
        mfield *f = &b->fields[tf];
        if (!field_reserve(b, f, doc)) return nomem(err);
        /* The table is far larger than the caches: each stem is hashed
         * AHEAD tokens early and its slot prefetched, then its term half
         * that early, so that the lookups' cache misses overlap. */
        if (df->terms) {
            ix_termdict *d = df->dict;
            if (d->epoch != b->epoch) {   /* a new dictionary, or the buffer flushed since */
                memset(d->res, 0, 2 * (size_t)d->n * sizeof *d->res);
                d->epoch = b->epoch;
            }
            if (!lasting_begin(d, b->epoch)) return nomem(err);
            /* a stem not resolved yet (by its word or the dictionary) is
             * looked up in the table: its slot is prefetched AHEAD tokens
             * early (a cache miss), and its slot's number kept (SIZE_MAX:
             * none) to prefetch its term half that early */
            size_t ring[AHEAD];
            for (uint32_t k = AHEAD / 2; k < AHEAD; k++)
                ring[k] = k < df->ntokens ? slot_ahead(b, d, df->terms[k], tf) : SIZE_MAX;
            for (uint32_t k = 0; k < df->ntokens; k++) {
                ring[k % AHEAD] = k + AHEAD < df->ntokens ? slot_ahead(b, d, df->terms[k + AHEAD], tf) : SIZE_MAX;
                size_t j = ring[(k + AHEAD / 2) % AHEAD];
                if (j < b->table_cap && b->table[j].t) __builtin_prefetch(b->table[j].t);   /* the table may have grown since: j is a slot still */
                ix_tokterm tt = df->terms[k];
                if (tt.stem != UINT32_MAX && !add_dict_token(b, tf, ef, d, tt, doc, k)) return nomem(err);
            }
        }
        uint32_t hs[AHEAD];
        uint32_t ls[AHEAD];
        for (uint32_t k = 0; !df->terms && k < df->ntokens && k < AHEAD; k++) prehash(b, tf, df->tokens, k, hs, ls);
        for (uint32_t k = 0; !df->terms && k < df->ntokens; k++) {
            const crible_index_token *t = &df->tokens[k];
            uint32_t h = hs[k % AHEAD], sl = ls[k % AHEAD];
            if (k + AHEAD < df->ntokens) prehash(b, tf, df->tokens, k + AHEAD, hs, ls);
            if (k + AHEAD / 2 < df->ntokens && ls[(k + AHEAD / 2) % AHEAD] != UINT32_MAX) {
                const slot *sp = &b->table[hs[(k + AHEAD / 2) % AHEAD] & (b->table_cap - 1)];
                if (sp->t) __builtin_prefetch(sp->t);
            }
            if (sl == UINT32_MAX) continue;   /* punctuation keeps its position, not indexed */
            const char *norm = t->norm && *t->norm ? t->norm : t->stem;
            if (!add_token(b, tf, ef, t->stem, sl, h, norm, doc, k)) return nomem(err);
        }
        f->lengths[doc] += df->ntokens;
        f->sum_length += df->ntokens;
        /* sentences: u32 doc, varint n, varint gaps */
        size_t c1 = f->sent.cap, c2 = f->sent_offs.cap;
        uint32_t prev = 0;
        if (!ix_buf_u32(&f->sent_offs, doc) || !ix_buf_u32(&f->sent_offs, (uint32_t)f->sent.len) ||
            !ix_buf_varint(&f->sent, df->nsentences))
            return nomem(err);
        for (uint32_t s = 0; s < df->nsentences; s++) {
            uint32_t v = df->sentences[s] < prev ? prev : df->sentences[s];
            if (!ix_buf_varint(&f->sent, v - prev)) return nomem(err);
            prev = v;
        }
        b->bytes += f->sent.cap - c1 + f->sent_offs.cap - c2;
    }
    for (size_t i = 0; i < nkvs; i++) {
        const ix_kv *kv = &kvs[i];
        if (kv->term) {
            int kf = field_get(b, kv->field, CRIBLE_FIELD_KEYWORD, err);
            if (kf < 0) return err->status;
            if (!add_occurrence(b, kf, kv->term, strlen(kv->term), doc, false, 0, 0, false)) return nomem(err);
        }
        if (kv->numeric) {
            static const fplan as_is;
            char alt[300];
            int nf = field_get(b, numeric_name(b, &as_is, kv->field, alt), CRIBLE_FIELD_NUMERIC, err);
            if (nf < 0) return err->status;
            mfield *f = &b->fields[nf];
            if (!field_reserve(b, f, doc)) return nomem(err);
            if (isnan(f->numv[doc]) && !isnan(kv->value)) {
                f->numv[doc] = kv->value;
                f->doc_count++;
            }
        }
    }
    if (!end_doc_terms(b, doc)) return nomem(err);
    return CRIBLE_OK;
}

/* --- flush --------------------------------------------------------------- */

static int cmp_term(const void *a, const void *b)
{
    const mterm *x = *(mterm *const *)a, *y = *(mterm *const *)b;
    int c = memcmp(x->bytes, y->bytes, x->len < y->len ? x->len : y->len);
    return c ? c : (int)x->len - (int)y->len;
}

/* Sorts terms in byte order: a radix sort on their first 8 bytes (no
 * pointer chased per comparison), then each run of terms sharing those
 * on their next 8 (the ids of "_id" share long prefixes), and so on; a
 * short run by insertion.  qsort alone when out of memory. */
typedef struct sortkey {
    uint64_t key;
    mterm *t;
} sortkey;

#define TIES_INSERT 32   /* runs of at most this many terms: by insertion */

/* Bytes [from, from + 8) of t, big-endian, 0 past its end. */
static inline uint64_t term_key(const mterm *t, size_t from)
{
    uint64_t k = 0;
    for (size_t j = from; j < from + 8; j++) k = k << 8 | (j < t->len ? (uint8_t)t->bytes[j] : 0);
    return k;
}

/* Terms sharing their first `from` bytes, few: an insertion sort on the
 * bytes after those (a term shorter than `from` has no peer: no term holds
 * a NUL). */
static void sort_ties(mterm **t, size_t n, size_t from)
{
    for (size_t i = 1; i < n; i++) {
        mterm *x = t[i];
        size_t j = i;
        for (; j > 0; j--) {
            const mterm *y = t[j - 1];
            size_t o = x->len >= from && y->len >= from ? from : 0;
            if (ix_term_order((const uint8_t *)y->bytes + o, y->len - o, (const uint8_t *)x->bytes + o, x->len - o) <= 0)
                break;
            t[j] = t[j - 1];
        }
        t[j] = x;
    }
}

/* terms[0..n), sharing their first `from` bytes, sorted on the next 8
 * then (runs of equal ones) the rest; a and tmp: room for n keys. */
static void sort_from(mterm **terms, size_t n, size_t from, sortkey *a, sortkey *tmp)
{
    for (size_t i = 0; i < n; i++) {
        if (!from && i + 8 < n) __builtin_prefetch(terms[i + 8]->bytes);   /* a term: a cache miss */
        a[i] = (sortkey){term_key(terms[i], from), terms[i]};
    }
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) count[((a[i].key >> shift) & 255) + 1]++;
        if (count[((a[0].key >> shift) & 255) + 1] == n) continue;   /* one byte value: in order */
        for (int c = 0; c < 256; c++) count[c + 1] += count[c];
        for (size_t i = 0; i < n; i++) tmp[count[(a[i].key >> shift) & 255]++] = a[i];
        sortkey *x = a;
        a = tmp;
        tmp = x;
    }
    for (size_t k = 0; k < n; k++) terms[k] = a[k].t;
    for (size_t i = 0; i < n;) {
        size_t e = i + 1;
        while (e < n && a[e].key == a[i].key) e++;
        if (e - i > TIES_INSERT && from + 8 < CRIBLE_TERM_MAX) sort_from(terms + i, e - i, from + 8, a + i, tmp + i);
        else if (e - i > 1) sort_ties(terms + i, e - i, from + 8);
        i = e;
    }
}

static void sort_terms(mterm **terms, size_t n)
{
    sortkey *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    if (a && tmp) sort_from(terms, n, 0, a, tmp);
    else qsort(terms, n, sizeof *terms, cmp_term);
    free(a);
    free(tmp);
}


/* That document's tf positions then tf variants from term t's positions
 * stream (*q moved on) into out (room for 2 tf: the caller checks, with
 * the tf first).  The pure stem's own exact term gets its statistics
 * counted, as its postings are its exact term's. */
static inline void decode_positions(const mterm *t, const uint8_t **q, const uint8_t *qend, uint64_t tf, uint32_t *out)
{
    uint32_t pos = 0, nself = 0;
    for (uint64_t k = 0; k < tf; k++) {
        uint64_t v = 0, var = 0;
        const uint8_t *r = *q;
        if (qend - r >= 2 && (r[0] | r[1]) < 0x80) {   /* both a byte: most positions */
            v = r[0];
            var = r[1];
            *q = r + 2;
        } else {
            ix_varint_get(q, qend, &v);
            ix_varint_get(q, qend, &var);
        }
        pos = k ? pos + (uint32_t)v : (uint32_t)v;
        out[k] = pos;
        out[tf + k] = (uint32_t)var;
        nself += var == t->self_variant;
    }
    mterm *self = t->self_exact;
    if (self && nself) {
        self->df++;
        self->cf += nself;
        if (nself > self->max_tf) self->max_tf = nself;
    }
}

static void self_reset(const mterm *t)
{
    mterm *self = t->self_exact;
    if (self) { self->df = self->max_tf = 0; self->cf = 0; }
}

static crible_status write_term(ix_segw *w, const mterm *t, bool positions, uint32_t **posbuf,
                                size_t *poscap, crible_error *err)
{
    crible_status st = ix_segw_term_begin(w, (const uint8_t *)t->bytes, t->len, !t->impure,
                                          ix_var_bits(t->nvar), err);
    const uint8_t *p = t->docs.data, *end = p + t->docs.len;
    const uint8_t *q = t->pos.data, *qend = q ? q + t->pos.len : q;  /* no positions: NULL */
    int64_t doc = -1;
    self_reset(t);
    while (!st && p < end) {
        uint64_t tf = decode_doc_tf(&p, end, &doc);
        if (positions) {
            if (2 * tf > *poscap) {
                uint32_t *n = realloc(*posbuf, 2 * tf * sizeof *n);
                if (!n) return nomem(err);
                *posbuf = n;
                *poscap = 2 * tf;
            }
            decode_positions(t, &q, qend, tf, *posbuf);
        }
        st = ix_segw_term_doc(w, (uint32_t)doc, (uint32_t)tf, positions ? *posbuf : NULL,
                              positions ? *posbuf + tf : NULL, err);
    }
    return st ? st : ix_segw_term_end(w, err);
}

/* --- a flush's postings decoded on a second thread ------------------------
 *
 * A big flush hands the decoding of the terms' postings (the varint
 * streams, write_term's loop) to a thread of its own, which runs ahead of
 * the flushing thread and the segment writer: the final flush of a build
 * otherwise runs alone on one core.  It fills chunks of 32-bit numbers,
 * for every term of the fields with postings in flush order, and per
 * document: doc, tf, then (positional fields) tf positions and tf
 * variants; the flushing thread reads a term's df documents from them.
 * At most NCHUNKS chunks of CHUNK_U32 numbers (768 KB; a chunk grows for
 * a document of more than 32 K occurrences).  The exact terms' statistics
 * counted from the positions are written by the decoder before the chunk
 * holding them is handed over, hence before the exact field is written. */
#define CHUNK_U32 (64u << 10)
#define NCHUNKS 3
#define DECODE_MIN_TERMS 16384   /* smaller flushes decode in line */

typedef struct dchunk { uint32_t *v; size_t len, cap; } dchunk;

typedef struct decoder {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    dchunk ch[NCHUNKS];
    uint64_t made, used;       /* chunks filled; chunks the reader is done with */
    bool done, stop, nomem;
    const ix_membuf *b;
    mterm **sorted;            /* the terms by field (each sorted by the decoder
                                  or, an exact field, the flushing thread) */
    const size_t *start;       /* field f's terms: sorted[start[f] .. start[f + 1]) */
    size_t nsorted;            /* the fields below nsorted are sorted */
    /* the reader's place: chunk `used` (cur), at `at` */
    const dchunk *cur;
    size_t at;
} decoder;

/* Hands chunk `made` over and waits for a free one; false: stopped. */
static bool decoder_publish(decoder *d)
{
    pthread_mutex_lock(&d->mu);
    d->made++;
    pthread_cond_broadcast(&d->cv);
    while (!d->stop && d->made - d->used >= NCHUNKS) pthread_cond_wait(&d->cv, &d->mu);
    bool go = !d->stop;
    pthread_mutex_unlock(&d->mu);
    if (go) d->ch[d->made % NCHUNKS].len = 0;
    return go;
}

static void *decoder_run(void *arg)
{
    decoder *d = arg;
    const ix_membuf *b = d->b;
    bool ok = true;
    dchunk *c = &d->ch[0];   /* the one being filled: chunk `made` */
    c->len = 0;
    for (size_t f = 0; ok && f < b->nfields; f++) {
        if (b->fields[f].kind == CRIBLE_FIELD_EXACT) continue;   /* no postings */
        if (d->start[f + 1] > d->start[f]) sort_terms(d->sorted + d->start[f], d->start[f + 1] - d->start[f]);
        pthread_mutex_lock(&d->mu);   /* the flushing thread may write field f */
        d->nsorted = f + 1;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
        bool positions = b->fields[f].flags & IX_FIELD_POSITIONS;
        for (size_t i = d->start[f]; ok && i < d->start[f + 1]; i++) {
            const mterm *t = d->sorted[i];
            const uint8_t *p = t->docs.data, *end = p + t->docs.len;
            const uint8_t *q = t->pos.data, *qend = q ? q + t->pos.len : q;
            int64_t doc = -1;
            self_reset(t);
            while (ok && p < end) {
                uint64_t tf = decode_doc_tf(&p, end, &doc);
                size_t need = 2 + (positions ? 2 * (size_t)tf : 0);
                if (c->cap - c->len < need && c->len) {
                    ok = decoder_publish(d);
                    c = &d->ch[d->made % NCHUNKS];
                }
                if (ok && c->cap < need) {
                    uint32_t *v = realloc(c->v, need * sizeof *v);
                    if (!v) { d->nomem = true; ok = false; break; }
                    c->v = v;
                    c->cap = need;
                }
                if (!ok) break;
                c->v[c->len] = (uint32_t)doc;
                c->v[c->len + 1] = (uint32_t)tf;
                if (positions) decode_positions(t, &q, qend, tf, c->v + c->len + 2);
                c->len += need;
            }
        }
    }
    pthread_mutex_lock(&d->mu);
    if (ok) d->made++;   /* the last chunk */
    d->done = true;   /* stopped early: the flushing thread sorts the rest */
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Starts a decoder over the groups of sorted, which it sorts but for the
 * exact fields' (decoder_sorted); false: none (sort and decode in line). */
static bool decoder_start(decoder *d, const ix_membuf *b, mterm **sorted, const size_t *start)
{
    memset(d, 0, sizeof *d);
    d->b = b;
    d->sorted = sorted;
    d->start = start;
    for (size_t i = 0; i < NCHUNKS; i++) {
        if (!(d->ch[i].v = malloc(CHUNK_U32 * sizeof *d->ch[i].v))) goto fail;
        d->ch[i].cap = CHUNK_U32;
    }
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    if (pthread_create(&d->th, NULL, decoder_run, d) == 0) return true;
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
fail:
    for (size_t i = 0; i < NCHUNKS; i++) free(d->ch[i].v);
    return false;
}

static void decoder_end(decoder *d)
{
    pthread_mutex_lock(&d->mu);
    d->stop = true;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->th, NULL);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    for (size_t i = 0; i < NCHUNKS; i++) free(d->ch[i].v);
}

/* Waits until the decoder has sorted field f's terms; false if it
 * stopped before (they are then the caller's to sort).  A decoder done
 * with every field has sorted them all: nothing is sorted twice. */
static bool decoder_sorted(decoder *d, size_t f)
{
    pthread_mutex_lock(&d->mu);
    while (d->nsorted <= f && !d->done) pthread_cond_wait(&d->cv, &d->mu);
    bool sorted = d->nsorted > f;
    pthread_mutex_unlock(&d->mu);
    return sorted;
}

/* The next document of the decoded stream (2 + its numbers), or NULL
 * when the decoder ran out of memory. */
static const uint32_t *decoder_next(decoder *d, bool positions)
{
    while (!d->cur || d->at >= d->cur->len) {
        pthread_mutex_lock(&d->mu);
        if (d->cur) {   /* done with this chunk */
            d->used++;
            pthread_cond_broadcast(&d->cv);
            d->cur = NULL;
        }
        while (d->made <= d->used && !d->done) pthread_cond_wait(&d->cv, &d->mu);
        bool ready = d->made > d->used;
        pthread_mutex_unlock(&d->mu);
        if (!ready) return NULL;
        d->cur = &d->ch[d->used % NCHUNKS];
        d->at = 0;
    }
    const uint32_t *r = d->cur->v + d->at;
    d->at += 2 + (positions ? 2 * (size_t)r[1] : 0);
    return r;
}

/* write_term from the decoder. */
static crible_status write_decoded(ix_segw *w, const mterm *t, bool positions, decoder *d, crible_error *err)
{
    crible_status st = ix_segw_term_begin(w, (const uint8_t *)t->bytes, t->len, !t->impure,
                                          ix_var_bits(t->nvar), err);
    for (uint32_t k = 0; !st && k < t->df; k++) {
        const uint32_t *r = decoder_next(d, positions);
        if (!r) return nomem(err);
        st = ix_segw_term_doc(w, r[0], r[1], positions ? r + 2 : NULL, positions ? r + 2 + r[1] : NULL, err);
    }
    return st ? st : ix_segw_term_end(w, err);
}

/* An exact term's entry: its statistics and its (stem, variant) pairs
 * (*pairs: room for *cap of them, grown here). */
static crible_status write_exact(ix_segw *w, const mterm *t, ix_pair **pairs, size_t *cap, crible_error *err)
{
    size_t n = 0;
    for (const mpair *x = t->more; x; x = x->next) n++;
    if (n + 1 > *cap) {
        ix_pair *p = realloc(*pairs, (n + 1) * sizeof *p);
        if (!p) return nomem(err);
        *pairs = p;
        *cap = n + 1;
    }
    ix_pair *p = *pairs;
    p[0] = (ix_pair){(const uint8_t *)t->stem->bytes, t->stem->len, t->variant};
    n = 1;
    for (const mpair *x = t->more; x; x = x->next)
        p[n++] = (ix_pair){(const uint8_t *)x->stem->bytes, x->stem->len, x->variant};
    return ix_segw_exact_term(w, (const uint8_t *)t->bytes, t->len, t->df, t->cf, t->max_tf, p, n, err);
}

static crible_status flush_field(ix_membuf *b, ix_segw *w, size_t fi, mterm **terms, size_t nt,
                                 decoder *dec, crible_error *err)
{
    mfield *f = &b->fields[fi];
    uint32_t n = b->ndocs;
    if ((f->kind == CRIBLE_FIELD_TEXT || f->kind == CRIBLE_FIELD_NUMERIC) && !field_reserve(b, f, n))
        return nomem(err);
    const uint32_t *lengths = f->kind == CRIBLE_FIELD_TEXT ? f->lengths
                            : f->kind == CRIBLE_FIELD_EXACT ? b->fields[f->link].lengths : NULL;
    crible_status st = ix_segw_field_begin(w, f->name, f->kind, f->flags, f->link, lengths, err);
    uint32_t *posbuf = NULL;
    size_t poscap = 0, npcap = 0;
    ix_pair *pairs = NULL;
    for (size_t i = 0; !st && i < nt; i++) {
        const mterm *t = terms[i];
        if (i + 4 < nt) {   /* the terms are far apart: the next ones' lines early */
            __builtin_prefetch(terms[i + 4]);
            __builtin_prefetch((const char *)terms[i + 4] + 64);
        }
        if (f->kind == CRIBLE_FIELD_EXACT) {
            const mterm *s = t->stem;
            if (!s || (!t->more && s->len == t->len && !memcmp(s->bytes, t->bytes, t->len) && !s->impure))
                continue;   /* the pure stem term's postings are its postings */
            st = write_exact(w, t, &pairs, &npcap, err);
            continue;
        }
        st = dec ? write_decoded(w, t, f->flags & IX_FIELD_POSITIONS, dec, err)
                 : write_term(w, t, f->flags & IX_FIELD_POSITIONS, &posbuf, &poscap, err);
    }
    free(posbuf);
    free(pairs);
    if (!st) st = ix_segw_field_end(w, f->doc_count, f->sum_length, err);
    if (!st && f->kind == CRIBLE_FIELD_TEXT) st = ix_segw_lengths(w, (int)fi, f->lengths, n, err);
    if (!st && f->kind == CRIBLE_FIELD_TEXT) {
        /* SENT: offsets table then data; docs without the field get "0" */
        ix_buf data = {0};
        uint32_t *offs = malloc(((size_t)n + 1) * sizeof *offs);
        if (!offs) st = nomem(err);
        const uint8_t *so = f->sent_offs.data;
        size_t k = 0, nk = f->sent_offs.len / 8;
        for (uint32_t d = 0; !st && d < n; d++) {
            offs[d] = (uint32_t)data.len;
            if (k < nk && ix_get32(so + 8 * k) == d) {
                uint32_t a = ix_get32(so + 8 * k + 4);
                uint32_t e = k + 1 < nk ? ix_get32(so + 8 * (k + 1) + 4) : (uint32_t)f->sent.len;
                if (!ix_buf_add(&data, f->sent.data + a, e - a)) st = nomem(err);
                k++;
            } else if (!ix_buf_varint(&data, 0)) {
                st = nomem(err);
            }
        }
        if (!st) {
            offs[n] = (uint32_t)data.len;
            st = ix_segw_sentences(w, (int)fi, offs, &data, n, err);
        }
        free(offs);
        ix_buf_free(&data);
    }
    if (!st && f->kind == CRIBLE_FIELD_NUMERIC) st = ix_segw_numeric(w, (int)fi, f->numv, n, err);
    return st;
}

crible_status ix_membuf_flush(ix_membuf *b, ix_segw *w, uint64_t *size, uint64_t **deleted,
                              uint32_t *ndeleted, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    slot *all = malloc((b->nterms + 1) * sizeof *all);
    if (!all) { ix_segw_abort(w); return nomem(err); }
    size_t n = 0;
    for (size_t i = 0; i < b->table_cap; i++)   /* the slots, not the terms: no cache miss a term */
        if (b->table[i].t) all[n++] = b->table[i];
    /* group by field, each group sorted */
    size_t *count = calloc(b->nfields + 1, sizeof *count);
    mterm **sorted = malloc((n + 1) * sizeof *sorted);
    if (!count || !sorted) st = nomem(err);
    for (size_t i = 0; !st && i < n; i++) count[all[i].field + 1]++;
    for (size_t f = 0; !st && f < b->nfields; f++) count[f + 1] += count[f];
    for (size_t i = 0; !st && i < n; i++) sorted[count[all[i].field]++] = all[i].t;
    free(all);   /* not read again: 16 bytes a term less at the flush's peak */
    all = NULL;
    for (size_t f = b->nfields; !st && f > 0; f--) count[f] = count[f - 1];
    if (!st) count[0] = 0;   /* field f's terms: sorted[count[f] .. count[f + 1]) */
    /* a big flush's decoder sorts the fields it decodes, each before it
     * decodes it, while this thread sorts the exact ones */
    decoder dec;
    bool decoding = !st && n >= DECODE_MIN_TERMS && decoder_start(&dec, b, sorted, count);
    for (size_t f = 0; !st && f < b->nfields; f++)
        if (count[f + 1] > count[f] && (!decoding || b->fields[f].kind == CRIBLE_FIELD_EXACT))
            sort_terms(sorted + count[f], count[f + 1] - count[f]);
    for (size_t f = 0; !st && f < b->nfields; f++) {
        if (decoding && b->fields[f].kind != CRIBLE_FIELD_EXACT && !decoder_sorted(&dec, f) &&
            count[f + 1] > count[f])
            sort_terms(sorted + count[f], count[f + 1] - count[f]);   /* the decoder stopped (out of memory) */
        st = flush_field(b, w, f, sorted + count[f], count[f + 1] - count[f], decoding ? &dec : NULL, err);
    }
    if (decoding) decoder_end(&dec);
    free(all);
    free(sorted);
    free(count);
    uint32_t nd = b->ndocs;
    if (!st) st = ix_segw_finish(w, nd, size, err);
    else ix_segw_abort(w);
    if (!st) {
        uint32_t c = 0;
        for (uint32_t d = 0; d < nd; d++) c += (b->deleted[d >> 6] >> (d & 63)) & 1;
        *ndeleted = c;
        *deleted = b->deleted;
        b->deleted = NULL;
    }
    clear(b);
    return st;
}
