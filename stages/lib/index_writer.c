/*
 * index_writer.c - the writing session of an index directory: the lock, the
 * document being built, the in-memory buffer flushed to a new segment when
 * it outgrows --memory, deletions by id (tombstones), the merge policy and
 * the commit (index_format.c says what a commit writes and in what order).
 *
 * Deletions and replacements.  Every document added in this session has a
 * sequence number; a delete remembers the number of documents added before
 * it.  At commit, each segment S gets tombstones for (1) the explicit
 * deletes issued after S's documents, (2) the ids of the documents of the
 * segments written after S in this session (a newer document replaces an
 * older one).  Inside the buffer, a replaced document is marked at once.
 *
 * Merge policy: segments are sorted into size classes (live documents,
 * powers of merge_factor); when merge_factor segments share a class they
 * are merged into one, so an index of N documents has O(log N) segments.
 * A merge reads at most IX_MERGE_MAX_AT_ONCE segments (index_merge.h): a
 * session that flushed more segments of one class merges them in rounds,
 * so that its memory does not grow with their number.
 */
#include "index_writer.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicode/ucasemap.h>

#include "bigmem.h"
#include "index_buffer.h"
#include "index_metadata.h"
#include "index_merge.h"
#include "index_reader.h"

typedef struct wseg {
    ix_seginfo info;
    uint64_t seq_end;       /* documents of the session added before its end */
    uint64_t *deleted;      /* loaded bitset, or NULL (not loaded yet) */
    bool dirty, is_new;
} wseg;

typedef struct wtoken { uint32_t stem, norm, start, end; } wtoken;

typedef struct wfield {
    char name[64];
    wtoken *tokens;
    uint32_t n, cap;
    uint32_t *sent;
    uint32_t nsent, sent_cap;
    /* given whole by crible_index_doc_field_tokens (borrowed), or NULL */
    const crible_index_token *ext;
    const uint32_t *ext_sent;
    const ix_tokterm *ext_terms;   /* and its terms in a dictionary, or NULL */
    ix_termdict *dict;
} wfield;

typedef struct wdelete { char *id; uint64_t seq; } wdelete;

struct crible_index_writer {
    char *dir;
    int lock;
    crible_index_writer_options o;
    ix_manifest man;
    wseg *segs;
    size_t nsegs;
    ix_membuf *buf;
    ix_segw *segw;
    uint64_t segw_number;
    uint64_t seq;
    wdelete *dels;
    size_t ndels;
    char *analysis;
    crible_index_writer_stats stats;
    /* the document being built */
    bool in_doc;
    ix_buf id, json, pool;
    ix_docmeta meta;          /* the document's JSON, read (piped path) */
    wfield *fields;
    size_t nfields, fields_cap;
    int cur;
    ix_kvlist kv;             /* its entity values, then its metadata values */
    const ix_kv *mkv;         /* crible_index_doc_metadata's values (borrowed), */
    size_t nmkv;
    bool has_mkv;             /* if given */
    const uint8_t *rec;       /* crible_index_doc_stored's record (borrowed), or NULL */
    size_t rec_len;
    crible_index_token *toks; /* doc_end's tokens of every field */
    size_t toks_cap;
};

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
}

/* Removes seg-* files and MANIFEST.tmp that the MANIFEST does not name. */
static void remove_garbage(crible_index_writer *w)
{
    DIR *d = opendir(w->dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        bool keep = true;
        if (strncmp(e->d_name, "seg-", 4) == 0) {
            keep = false;
            for (size_t i = 0; i < w->nsegs && !keep; i++) {
                char n[64];
                ix_segment_name(n, sizeof n, w->segs[i].info.number);
                keep = strcmp(n, e->d_name) == 0;
                if (w->segs[i].info.del_gen && !keep) {
                    ix_deletes_name(n, sizeof n, w->segs[i].info.number, w->segs[i].info.del_gen);
                    keep = strcmp(n, e->d_name) == 0;
                }
            }
            /* the segment being written now */
            if (!keep && w->segw) {
                char n[64];
                ix_segment_name(n, sizeof n, w->segw_number);
                keep = strncmp(n, e->d_name, strlen(n)) == 0;
            }
        } else if (strcmp(e->d_name, "MANIFEST.tmp") == 0) {
            keep = false;
        }
        if (!keep) {
            char p[4096];
            if (ix_path(p, sizeof p, w->dir, e->d_name)) unlink(p);
        }
    }
    closedir(d);
}

crible_status crible_index_writer_open(const char *dir, const crible_index_writer_options *o,
                                       crible_index_writer **out, crible_error *err)
{
    crible_index_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->dir = strdup(dir))) { free(w); return nomem(err); }
    w->lock = -1;
    w->cur = -1;
    if (o) w->o = *o; else crible_index_writer_options_default(&w->o);
    crible_status st = CRIBLE_OK;
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || !w->o.create)
            st = crible_error_set(err, CRIBLE_EIO, "cannot open index '%s': %s", dir, strerror(errno));
        else if (mkdir(dir, 0755) != 0)
            st = crible_error_set(err, CRIBLE_EIO, "cannot create index '%s': %s", dir, strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        st = crible_error_set(err, CRIBLE_EIO, "'%s' is not a directory", dir);
    }
    if (!st) st = ix_lock(dir, &w->lock, err);
    bool missing = false;
    if (!st) {
        st = ix_manifest_read(dir, &w->man, &missing, err);
        if (st && missing && w->o.create) {
            crible_error_clear(err);
            memset(&w->man, 0, sizeof w->man);
            w->man.next_segment = 1;
            st = CRIBLE_OK;
        }
    }
    if (!st) {
        w->segs = calloc(w->man.nsegments + 1, sizeof *w->segs);
        if (!w->segs) st = nomem(err);
        for (uint32_t i = 0; !st && i < w->man.nsegments; i++) {
            w->segs[i].info = w->man.segments[i];
            w->nsegs++;
        }
        if (w->man.analysis && strcmp(w->man.analysis, "{}") != 0) {
            w->analysis = strdup(w->man.analysis);
            if (!w->analysis) st = nomem(err);
        }
    }
    if (!st) st = ix_membuf_new(&w->buf, err);
    if (st) { crible_index_writer_close(w); return st; }
    if (!missing) remove_garbage(w);
    *out = w;
    return CRIBLE_OK;
}

static void free_doc(crible_index_writer *w)
{
    for (size_t i = 0; i < w->fields_cap; i++) {
        free(w->fields[i].tokens);
        free(w->fields[i].sent);
    }
    free(w->fields);
    ix_buf_free(&w->id);
    ix_buf_free(&w->json);
    ix_docmeta_free(&w->meta);
    ix_buf_free(&w->pool);
    ix_kvlist_free(&w->kv);
    free(w->toks);
}

void crible_index_writer_close(crible_index_writer *w)
{
    if (!w) return;
    if (w->segw) ix_segw_abort(w->segw);
    /* segments written in this session and never committed */
    for (size_t i = 0; i < w->nsegs; i++) {
        if (w->segs[i].is_new) {
            char n[64], p[4096];
            ix_segment_name(n, sizeof n, w->segs[i].info.number);
            if (ix_path(p, sizeof p, w->dir, n)) unlink(p);
        }
        free(w->segs[i].deleted);
    }
    free(w->segs);
    for (size_t i = 0; i < w->ndels; i++) free(w->dels[i].id);
    free(w->dels);
    ix_membuf_free(w->buf);
    ix_manifest_free(&w->man);
    free(w->analysis);
    free_doc(w);
    ix_unlock(w->lock);
    free(w->dir);
    free(w);
}

crible_status crible_index_writer_set_analysis(crible_index_writer *w, const char *json, crible_error *err)
{
    char *a = strdup(json);
    if (!a) return nomem(err);
    free(w->analysis);
    w->analysis = a;
    return CRIBLE_OK;
}

const char *crible_index_writer_analysis(const crible_index_writer *w) { return w->analysis; }

void crible_index_writer_get_stats(const crible_index_writer *w, crible_index_writer_stats *s)
{
    *s = w->stats;
}

/* --- documents ----------------------------------------------------------- */

crible_status crible_index_doc_begin(crible_index_writer *w, const char *id, const char *json,
                                     size_t json_len, crible_error *err)
{
    w->in_doc = true;
    w->id.len = w->json.len = w->pool.len = 0;
    ix_kvlist_clear(&w->kv);
    w->rec = NULL;
    w->has_mkv = false;
    w->mkv = NULL;
    w->nmkv = 0;
    for (size_t i = 0; i < w->nfields; i++) {
        w->fields[i].n = w->fields[i].nsent = 0;
        w->fields[i].ext = NULL;
    }
    w->nfields = 0;
    w->cur = -1;
    if (!*id) return crible_error_set(err, CRIBLE_EDATA, "a document has an empty id");
    if (!ix_buf_add(&w->id, id, strlen(id) + 1) || !ix_buf_add(&w->json, json, json_len))
        return nomem(err);
    return CRIBLE_OK;
}

bool crible_index_field_name_ok(const char *field)
{
    return *field && field[0] != '_' && strlen(field) < sizeof ((wfield *)0)->name;
}

crible_status crible_index_doc_field(crible_index_writer *w, const char *field, crible_error *err)
{
    for (size_t i = 0; i < w->nfields; i++)
        if (strcmp(w->fields[i].name, field) == 0) { w->cur = (int)i; return CRIBLE_OK; }
    if (w->nfields >= CRIBLE_INDEX_MAX_FIELDS || !crible_index_field_name_ok(field))
        return crible_error_set(err, CRIBLE_EDATA, "bad field name '%.60s'", field);
    if (w->nfields == w->fields_cap) {
        size_t cap = w->fields_cap ? w->fields_cap * 2 : 4;
        wfield *f = realloc(w->fields, cap * sizeof *f);
        if (!f) return nomem(err);
        memset(f + w->fields_cap, 0, (cap - w->fields_cap) * sizeof *f);
        w->fields = f;
        w->fields_cap = cap;
    }
    wfield *f = &w->fields[w->nfields];
    snprintf(f->name, sizeof f->name, "%s", field);
    f->n = f->nsent = 0;
    f->ext = NULL;
    w->cur = (int)w->nfields++;
    return CRIBLE_OK;
}

crible_status crible_index_doc_field_tokens(crible_index_writer *w, const char *field,
                                            const crible_index_token *tokens, uint32_t ntokens,
                                            const uint32_t *sentences, uint32_t nsentences,
                                            crible_error *err)
{
    crible_status st = crible_index_doc_field(w, field, err);
    if (st) return st;
    wfield *f = &w->fields[w->cur];
    if (f->n || f->ext)
        return crible_error_set(err, CRIBLE_EINTERNAL, "field '%s' given whole after tokens", field);
    f->ext = tokens;
    f->n = ntokens;
    f->ext_sent = sentences;
    f->nsent = nsentences;
    f->ext_terms = NULL;
    f->dict = NULL;
    w->cur = -1;   /* no more tokens for it */
    return CRIBLE_OK;
}

crible_status crible_index_doc_field_terms(crible_index_writer *w, const char *field,
                                           const crible_index_token *tokens, uint32_t ntokens,
                                           const uint32_t *sentences, uint32_t nsentences,
                                           const struct ix_tokterm *terms, struct ix_termdict *dict,
                                           crible_error *err)
{
    crible_status st = crible_index_doc_field_tokens(w, field, tokens, ntokens, sentences, nsentences, err);
    if (st) return st;
    for (size_t i = 0; i < w->nfields; i++)
        if (w->fields[i].ext == tokens && !strcmp(w->fields[i].name, field)) {
            w->fields[i].ext_terms = terms;
            w->fields[i].dict = dict;
        }
    return CRIBLE_OK;
}

void crible_index_doc_stored(crible_index_writer *w, const uint8_t *record, size_t len)
{
    w->rec = record;
    w->rec_len = len;
}

void crible_index_doc_metadata(crible_index_writer *w, const struct ix_kv *kvs, size_t n)
{
    w->mkv = kvs;
    w->nmkv = n;
    w->has_mkv = true;
}

void crible_index_doc_sentence(crible_index_writer *w)
{
    if (w->cur < 0 || w->fields[w->cur].ext) return;
    wfield *f = &w->fields[w->cur];
    if (f->nsent && f->sent[f->nsent - 1] == f->n) return;   /* empty sentence */
    if (f->nsent == f->sent_cap) {
        uint32_t cap = f->sent_cap ? f->sent_cap * 2 : 16;
        uint32_t *s = realloc(f->sent, cap * sizeof *s);
        if (!s) return;
        f->sent = s;
        f->sent_cap = cap;
    }
    f->sent[f->nsent++] = f->n;
}

/* A token's string in the document's pool (NULL: empty). */
static bool pool_add(ix_buf *pool, const char *s, uint32_t *off)
{
    return ix_buf_string(pool, s ? s : "", s ? strlen(s) : 0, off);
}

/* The current field (the text field if none), with room for n more
 * tokens. */
static crible_status token_room(crible_index_writer *w, size_t n, wfield **out, crible_error *err)
{
    if (w->cur < 0) {
        crible_status st = crible_index_doc_field(w, "text", err);
        if (st) return st;
    }
    wfield *f = &w->fields[w->cur];
    if (f->ext) return crible_error_set(err, CRIBLE_EINTERNAL, "a token after field '%s' given whole", f->name);
    if (n > UINT32_MAX / 2 - f->n) return nomem(err);
    if (f->nsent == 0) crible_index_doc_sentence(w);
    if (f->n + n > f->cap) {
        uint32_t cap = f->cap ? f->cap : 256;
        while (cap < f->n + n) cap *= 2;
        wtoken *t = realloc(f->tokens, cap * sizeof *t);
        if (!t) return nomem(err);
        f->tokens = t;
        f->cap = cap;
    }
    *out = f;
    return CRIBLE_OK;
}

crible_status crible_index_doc_token(crible_index_writer *w, const crible_index_token *tok,
                                     crible_error *err)
{
    wfield *f = NULL;
    crible_status st = token_room(w, 1, &f, err);
    if (st) return st;
    wtoken *t = &f->tokens[f->n];
    if (!pool_add(&w->pool, tok->stem, &t->stem) || !pool_add(&w->pool, tok->norm, &t->norm))
        return nomem(err);
    t->start = tok->start;
    t->end = tok->end;
    f->n++;
    return CRIBLE_OK;
}

crible_status crible_index_doc_tokens(crible_index_writer *w, const crible_index_token *toks, size_t n,
                                      const char *strings, size_t len, crible_error *err)
{
    wfield *f = NULL;
    crible_status st = token_room(w, n, &f, err);
    if (st) return st;
    size_t base = w->pool.len;
    if (base + len > UINT32_MAX || !ix_buf_add(&w->pool, strings, len)) return nomem(err);
    wtoken *t = &f->tokens[f->n];
    for (size_t i = 0; i < n; i++)
        t[i] = (wtoken){(uint32_t)(base + (size_t)(toks[i].stem - strings)),
                        (uint32_t)(base + (size_t)(toks[i].norm - strings)), toks[i].start, toks[i].end};
    f->n += (uint32_t)n;
    return CRIBLE_OK;
}

/* One case map for the process, opened at the first non-ASCII value:
 * opening one costs more than folding a value, and ucasemap_utf8FoldCase
 * only reads it (a const UCaseMap), so the analysis workers and the index
 * thread share it.  It lives until the process ends. */
static UCaseMap *fold_map;
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void fold_open(void)
{
    UErrorCode e = U_ZERO_ERROR;
    UCaseMap *cm = ucasemap_open(NULL, U_FOLD_CASE_DEFAULT, &e);
    if (U_SUCCESS(e)) fold_map = cm;
}

bool crible_index_fold(const char *s, char *out, size_t n)
{
    /* ASCII (most metadata: sources, ids, tags) folds to lower case: no ICU */
    size_t i = 0;
    for (; s[i] && !((unsigned char)s[i] & 0x80) && i < n; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    if (!s[i] && i < n) { out[i] = 0; return true; }
    pthread_once(&fold_once, fold_open);
    if (!fold_map) return false;
    UErrorCode e = U_ZERO_ERROR;
    int32_t len = ucasemap_utf8FoldCase(fold_map, out, (int32_t)n, s, -1, &e);
    return U_SUCCESS(e) && e != U_STRING_NOT_TERMINATED_WARNING && len >= 0 && (size_t)len < n;
}

static crible_status add_kv_exact(crible_index_writer *w, const char *field, const char *term,
                                  bool numeric, double value, crible_error *err)
{
    return ix_kvlist_add(&w->kv, field, term, false, numeric, value, err);
}

/* An entity value is indexed case-folded (person:"kevin anderson" finds
 * "Kevin Anderson"); when folding changed it, the value as written is also
 * indexed in the hidden field "_display.FIELD" as "FOLDED\x1fWRITTEN" (index.h),
 * so facets show "Kevin Anderson", the way it was written most often.
 * (Metadata values get theirs from index_metadata.c, in a more compact form.) */
static crible_status add_entity_display(crible_index_writer *w, const char *field, const char *value,
                                        const char *folded, crible_error *err)
{
    char name[128], shown[CRIBLE_TERM_MAX + 1];
    if (!strcmp(folded, value) || strchr(value, CRIBLE_INDEX_DISPLAY_SEP)) return CRIBLE_OK;
    int n = snprintf(name, sizeof name, "%s%s", CRIBLE_INDEX_DISPLAY_PREFIX, field);
    int m = snprintf(shown, sizeof shown, "%s%c%s", folded, CRIBLE_INDEX_DISPLAY_SEP, value);
    if (n < 0 || (size_t)n >= sizeof name || m < 0 || (size_t)m >= sizeof shown) return CRIBLE_OK; /* never cut */
    return add_kv_exact(w, name, shown, false, 0, err);
}

crible_status crible_index_doc_entity(crible_index_writer *w, const char *type, const char *value,
                                      crible_error *err)
{
    if (!*type || !*value) return CRIBLE_OK;
    char folded[CRIBLE_TERM_MAX * 3 + 1];
    if (!crible_index_fold(value, folded, sizeof folded))
        return add_kv_exact(w, type, value, false, 0, err);
    crible_status st = add_kv_exact(w, type, folded, false, 0, err);
    return st ? st : add_entity_display(w, type, value, folded, err);
}

static crible_status open_segw(crible_index_writer *w, crible_error *err)
{
    char n[64], p[4096];
    w->segw_number = w->man.next_segment++;
    ix_segment_name(n, sizeof n, w->segw_number);
    if (!ix_path(p, sizeof p, w->dir, n)) return crible_error_set(err, CRIBLE_EIO, "path too long");
    return ix_segw_open(p, w->o.zstd_level, &w->segw, err);
}

static crible_status add_segment(crible_index_writer *w, uint64_t number, uint32_t maxdoc,
                                 uint64_t size, uint64_t *deleted, uint32_t ndeleted, crible_error *err)
{
    wseg *s = realloc(w->segs, (w->nsegs + 1) * sizeof *s);
    if (!s) { free(deleted); return nomem(err); }
    w->segs = s;
    s = &w->segs[w->nsegs++];
    memset(s, 0, sizeof *s);
    s->info = (ix_seginfo){number, maxdoc, ndeleted, 0, size};
    s->seq_end = w->seq;
    s->deleted = deleted;
    s->dirty = ndeleted > 0;
    s->is_new = true;
    return CRIBLE_OK;
}

/* The anonymous memory beyond what malloc hands out (free pages of the
 * heap, thread stacks, libraries' data) let pile up before a flush gives
 * the heap's free pages back. */
#define HEAP_SLACK ((size_t)12 << 20)

static crible_status flush(crible_index_writer *w, crible_error *err)
{
    if (!w->segw) return CRIBLE_OK;
    uint32_t maxdoc = ix_membuf_ndocs(w->buf);
    uint64_t size = 0, *deleted = NULL;
    uint32_t nd = 0;
    ix_segw *segw = w->segw;
    w->segw = NULL;
    /* the buffer is full: what the heap holds beyond what is in use is
     * pages freed and not reused, given back if they pile up (bigmem.h);
     * not after the flush, when the buffer's own pages are free and
     * about to be used again */
    crible_bigmem_heap_tidy(HEAP_SLACK);
    crible_status st = ix_membuf_flush(w->buf, segw, &size, &deleted, &nd, err);
    if (st) return st;
    w->stats.segments_flushed++;
    return add_segment(w, w->segw_number, maxdoc, size, deleted, nd, err);
}

crible_status crible_index_doc_end(crible_index_writer *w, crible_error *err)
{
    if (!w->in_doc) return crible_error_set(err, CRIBLE_EINTERNAL, "doc_end without doc_begin");
    w->in_doc = false;
    const char *id = (const char *)w->id.data;
    /* the JSON is read unless the caller made both the metadata values and
     * the stored record (--analyze: its workers did) */
    crible_status st = CRIBLE_OK;
    if (!w->has_mkv || !w->rec) st = ix_docmeta_read(&w->meta, id, (const char *)w->json.data, w->json.len, err);
    if (!st && !w->has_mkv) {
        const char *names[64];
        size_t nn = 0;
        for (size_t i = 0; i < w->nfields && nn < 64; i++) names[nn++] = w->fields[i].name;
        st = ix_docmeta_values(&w->meta, names, nn, &w->kv, err);
    }
    ix_kvlist_pointers(&w->kv, 0);
    if (!st && w->has_mkv && w->nmkv) st = ix_kvlist_append(&w->kv, w->mkv, w->nmkv, err);
    if (!st && !w->segw) st = open_segw(w, err);
    if (st) { ix_docmeta_release(&w->meta); return st; }
    uint32_t old = ix_membuf_find(w->buf, id);
    ix_docfield fs[64];
    size_t total = 0;
    for (size_t i = 0; i < w->nfields; i++)
        if (!w->fields[i].ext) total += w->fields[i].n;
    if (total + 1 > w->toks_cap) {
        crible_index_token *t = realloc(w->toks, (total + 1) * sizeof *t);
        if (!t) { ix_docmeta_release(&w->meta); return nomem(err); }
        w->toks = t;
        w->toks_cap = total + 1;
    }
    crible_index_token *toks = w->toks;
    const char *pool = (const char *)w->pool.data;
    size_t k = 0;
    for (size_t i = 0; i < w->nfields; i++) {
        wfield *f = &w->fields[i];
        const char *text = NULL;
        size_t text_len = 0;
        if (!w->rec)   /* else the stored record is made: the text is not needed */
            ix_docmeta_string(&w->meta, f->name, &text, &text_len);
        if (f->ext) {
            fs[i] = (ix_docfield){f->name, text, text_len, f->ext, f->n, f->ext_sent, f->nsent, f->ext_terms, f->dict};
            continue;
        }
        fs[i] = (ix_docfield){f->name, text, text_len, toks + k, f->n, f->sent, f->nsent, NULL, NULL};
        for (uint32_t t = 0; t < f->n; t++, k++)
            toks[k] = (crible_index_token){pool + f->tokens[t].stem, pool + f->tokens[t].norm,
                                           f->tokens[t].start, f->tokens[t].end};
    }
    st = ix_membuf_add(w->buf, w->segw, id, (const char *)w->json.data, w->json.len, fs, w->nfields,
                       w->kv.kvs, w->kv.n, w->rec, w->rec_len, err);
    ix_docmeta_release(&w->meta);
    if (st) return crible_error_prefix(err, "document '%s'", id);
    if (old != UINT32_MAX) ix_membuf_delete(w->buf, old);
    w->seq++;
    w->stats.docs_added++;
    size_t bytes = ix_membuf_bytes(w->buf);
    if (bytes > w->stats.peak_buffer) w->stats.peak_buffer = bytes;
    if (bytes >= w->o.memory) return flush(w, err);
    return CRIBLE_OK;
}

void crible_index_doc_abort(crible_index_writer *w) { w->in_doc = false; }

crible_status crible_index_writer_delete(crible_index_writer *w, const char *id, crible_error *err)
{
    for (uint32_t d; (d = ix_membuf_find(w->buf, id)) != UINT32_MAX;) ix_membuf_delete(w->buf, d);
    wdelete *n = realloc(w->dels, (w->ndels + 1) * sizeof *n);
    if (!n) return nomem(err);
    w->dels = n;
    n[w->ndels].id = strdup(id);
    if (!n[w->ndels].id) return nomem(err);
    n[w->ndels++].seq = w->seq;
    w->stats.docs_deleted++;
    return CRIBLE_OK;
}

/* --- commit -------------------------------------------------------------- */

static crible_status load_deletes(crible_index_writer *w, wseg *s, crible_error *err)
{
    if (s->deleted) return CRIBLE_OK;
    return ix_deletes_read(w->dir, &s->info, &s->deleted, err);
}

/* Marks in s every live document whose id is `id`. */
static void delete_id(wseg *s, const ix_segment *seg, int idf, const uint8_t *id, size_t len)
{
    ix_term t;
    if (idf < 0 || !ix_dict_lookup(&seg->fields[idf], id, len, &t)) return;
    ix_pcur c;
    ix_pcur_init(&c, seg, &seg->fields[idf], &t, false);
    for (uint32_t d; (d = ix_pcur_next(&c)) != CRIBLE_DOC_NONE;) {
        if ((s->deleted[d >> 6] >> (d & 63)) & 1) continue;
        s->deleted[d >> 6] |= 1ull << (d & 63);
        s->info.deleted++;
        s->dirty = true;
    }
}

/* Gives back the pages of segment s's ids read through (a session of many
 * segments reads every one's ids against every older one's). */
static void forget_ids(const ix_segment *s)
{
    int f = ix_segment_field(s, "_id");
    if (f < 0) return;
    ix_segment_forget(s, &s->fields[f].dict);
    ix_segment_forget(s, &s->fields[f].post);
}

static crible_status apply_deletes(crible_index_writer *w, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    ix_segment *open = calloc(w->nsegs + 1, sizeof *open);
    if (!open) return nomem(err);
    size_t nopen = 0;
    for (size_t i = 0; !st && i < w->nsegs; i++, nopen++) {
        st = ix_segment_open(w->dir, &w->segs[i].info, false, &open[i], err);
        if (!st)   /* the pages the opening touched (~0.5 MB, the kernel's fault-around) */
            ix_segment_forget_bytes(&open[i], open[i].map, open[i].map + open[i].map_len);
        if (!st) st = load_deletes(w, &w->segs[i], err);
    }
    for (size_t i = 0; !st && i < w->nsegs; i++) {
        wseg *s = &w->segs[i];
        int idf = ix_segment_field(&open[i], "_id");
        for (size_t k = 0; k < w->ndels; k++)
            if (!s->is_new || s->seq_end <= w->dels[k].seq)
                delete_id(s, &open[i], idf, (const uint8_t *)w->dels[k].id, strlen(w->dels[k].id));
        for (size_t j = i + 1; j < w->nsegs; j++) {
            if (!w->segs[j].is_new) continue;
            int jf = ix_segment_field(&open[j], "_id");
            if (jf < 0) continue;
            ix_dictit it;
            ix_dictit_init(&it, &open[j].fields[jf]);
            while (ix_dictit_next(&it)) delete_id(s, &open[i], idf, it.t.bytes, it.t.len);
            forget_ids(&open[j]);
        }
        forget_ids(&open[i]);
    }
    for (size_t i = 0; i < nopen; i++) ix_segment_close(&open[i]);
    free(open);
    return st;
}

static int size_class(const wseg *s, int factor)
{
    uint32_t live = s->info.maxdoc - s->info.deleted;
    int c = 0;
    for (double x = live; x >= factor; x /= factor) c++;
    return c;
}

/* Merges segments segs[idx[0..n)] into one that takes the first's place. */
static crible_status merge_some(crible_index_writer *w, const size_t *idx, size_t n, crible_error *err)
{
    ix_segment *src = calloc(n + 1, sizeof *src);
    if (!src) return nomem(err);
    crible_status st = CRIBLE_OK;
    size_t nopen = 0;
    for (size_t i = 0; !st && i < n; i++, nopen++) {
        wseg *s = &w->segs[idx[i]];
        st = load_deletes(w, s, err);
        if (!st) st = ix_segment_open(w->dir, &s->info, false, &src[i], err);
        if (!st) memcpy(src[i].deleted, s->deleted, ((size_t)s->info.maxdoc + 63) / 64 * 8);
        if (st) { nopen--; }
    }
    uint64_t number = w->man.next_segment++, size = 0;
    uint32_t maxdoc = 0;
    if (!st) {
        char name[64], path[4096];
        ix_segment_name(name, sizeof name, number);
        ix_path(path, sizeof path, w->dir, name);
        st = ix_merge(src, n, path, w->o.zstd_level, &size, &maxdoc, err);
    }
    for (size_t i = 0; i < nopen; i++) ix_segment_close(&src[i]);
    free(src);
    if (st) return st;
    /* replace: the first takes the merged segment, the others go */
    wseg merged = {{number, maxdoc, 0, 0, size}, w->segs[idx[n - 1]].seq_end, NULL, false, true};
    merged.deleted = calloc(((size_t)maxdoc + 63) / 64 + 1, 8);
    if (!merged.deleted) return nomem(err);
    size_t out = 0;
    for (size_t i = 0; i < w->nsegs; i++) {
        bool gone = false;
        for (size_t k = 0; k < n; k++) gone |= idx[k] == i;
        if (gone) {
            wseg old = w->segs[i];
            if (i == idx[0]) w->segs[out++] = merged;
            if (old.is_new) {
                char nm[64], p[4096];
                ix_segment_name(nm, sizeof nm, old.info.number);
                if (ix_path(p, sizeof p, w->dir, nm)) unlink(p);   /* never committed */
            }
            free(old.deleted);
            continue;
        }
        w->segs[out++] = w->segs[i];
    }
    w->nsegs = out;
    return CRIBLE_OK;
}

/* The live documents of segment s. */
static uint32_t live_docs(const wseg *s) { return s->info.maxdoc - s->info.deleted; }

/* Sorts idx[0..n) by live documents, fewest first (stable). */
static void by_size(const crible_index_writer *w, size_t *idx, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && live_docs(&w->segs[idx[j]]) < live_docs(&w->segs[idx[j - 1]]); j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

static int cmp_size_t(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static crible_status merge_policy(crible_index_writer *w, bool force, crible_error *err)
{
    size_t *idx = malloc((w->nsegs + 1) * sizeof *idx);
    if (!idx) return nomem(err);
    crible_status st = CRIBLE_OK;
    for (bool again = true; again && !st;) {
        again = false;
        if (force) {
            /* to one segment, IX_MERGE_MAX_AT_ONCE at a time: first the
             * smallest, as few as leave a last merge of the most at once
             * (36 segments: the 5 smallest, then 32), so few documents are
             * copied twice */
            size_t n = 0;
            for (size_t i = 0; i < w->nsegs; i++) idx[n++] = i;
            bool any_deleted = w->nsegs == 1 && w->segs[0].info.deleted;
            if (n > IX_MERGE_MAX_AT_ONCE) {
                by_size(w, idx, n);
                n = n - IX_MERGE_MAX_AT_ONCE + 1;
                if (n > IX_MERGE_MAX_AT_ONCE) n = IX_MERGE_MAX_AT_ONCE;
                qsort(idx, n, sizeof *idx, cmp_size_t);   /* in index order */
                again = true;
            }
            if (n > 1 || any_deleted) st = merge_some(w, idx, n, err);
            continue;
        }
        for (int c = 0; c < 12 && !again; c++) {
            size_t n = 0;
            for (size_t i = 0; i < w->nsegs; i++)
                if (size_class(&w->segs[i], w->o.merge_factor) == c) idx[n++] = i;
            if (n >= (size_t)w->o.merge_factor) {
                st = merge_some(w, idx, n < IX_MERGE_MAX_AT_ONCE ? n : IX_MERGE_MAX_AT_ONCE, err);
                again = !st;
            }
        }
        /* segments with every document deleted simply go */
    }
    free(idx);
    return st;
}

static crible_status commit(crible_index_writer *w, bool force, crible_error *err)
{
    if (w->in_doc) crible_index_doc_abort(w);
    crible_status st = flush(w, err);
    if (!st && w->nsegs > 1) {
        /* merges may follow: the empty buffer's arrays (sized for the
         * last fill) back first.  A new buffer starts its flush epoch
         * anew: no analysis holds resolutions across a commit
         * (crible_index_analyze_run drops them at its start). */
        ix_membuf_free(w->buf);
        w->buf = NULL;
        st = ix_membuf_new(&w->buf, err);
    }
    if (!st) st = apply_deletes(w, err);
    if (!st) st = merge_policy(w, force, err);
    ix_manifest m = w->man;
    m.generation = w->man.generation + 1;
    m.analysis = w->analysis ? w->analysis : (char *)"{}";
    m.segments = calloc(w->nsegs + 1, sizeof *m.segments);
    if (!st && !m.segments) st = nomem(err);
    m.nsegments = 0;
    for (size_t i = 0; !st && i < w->nsegs; i++) {
        wseg *s = &w->segs[i];
        if (s->info.deleted == s->info.maxdoc) continue;   /* nothing left alive */
        if (s->dirty) {
            st = ix_deletes_write(w->dir, s->info.number, m.generation, s->info.maxdoc, s->deleted,
                                  &s->info.deleted, err);
            if (st) break;
            s->info.del_gen = m.generation;
        }
        m.segments[m.nsegments++] = s->info;
    }
    if (!st) st = ix_manifest_write(w->dir, &m, err);
    if (st) { free(m.segments); return st; }
    /* committed: the session's state becomes the committed state */
    free(w->man.segments);
    w->man.segments = m.segments;
    w->man.nsegments = m.nsegments;
    w->man.generation = m.generation;
    size_t out = 0;
    for (size_t i = 0; i < w->nsegs; i++) {
        wseg *s = &w->segs[i];
        if (s->info.deleted == s->info.maxdoc) { free(s->deleted); s->is_new = false; continue; }
        s->is_new = false;
        s->dirty = false;
        s->seq_end = 0;
        w->segs[out++] = *s;
    }
    w->nsegs = out;
    for (size_t i = 0; i < w->ndels; i++) free(w->dels[i].id);
    w->ndels = 0;
    w->seq = 0;
    remove_garbage(w);
    return CRIBLE_OK;
}

crible_status crible_index_writer_commit(crible_index_writer *w, crible_error *err)
{
    return commit(w, false, err);
}

crible_status crible_index_writer_force_merge(crible_index_writer *w, crible_error *err)
{
    return commit(w, true, err);
}

crible_status crible_index_writer_add_index(crible_index_writer *w, const char *other, crible_error *err)
{
    crible_status st = flush(w, err);
    if (st) return st;
    crible_index *ix;
    st = crible_index_open(other, &ix, err);
    if (st) return st;
    if (ix->nsegs == 0) { crible_index_close(ix); return CRIBLE_OK; }
    if (!w->analysis && strcmp(crible_index_analysis(ix), "{}") != 0)
        st = crible_index_writer_set_analysis(w, crible_index_analysis(ix), err);
    uint64_t number = w->man.next_segment++, size = 0;
    uint32_t maxdoc = 0;
    char name[64], path[4096];
    ix_segment_name(name, sizeof name, number);
    ix_path(path, sizeof path, w->dir, name);
    if (!st) st = ix_merge(ix->segs, ix->nsegs, path, w->o.zstd_level, &size, &maxdoc, err);
    crible_index_close(ix);
    if (st) return crible_error_prefix(err, "cannot add index '%s'", other);
    w->seq++;   /* its documents replace older ones with the same ids */
    uint64_t *del = calloc(((size_t)maxdoc + 63) / 64 + 1, 8);
    if (!del) return nomem(err);
    w->stats.docs_added += maxdoc;
    return add_segment(w, number, maxdoc, size, del, 0, err);
}
