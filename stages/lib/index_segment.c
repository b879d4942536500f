/*
 * index_segment.c - writes one segment file (layout: index_format.c): the
 * postings codec (bit-packed blocks of 128 with skip tables, varint tail),
 * the front-coded term dictionary, stored blocks compressed with zstd, the
 * TOC and footer (a numeric field's NUMV and NUMS: index_numeric.c).
 * Positions go to a temporary file while a field's postings are written,
 * and are appended after them; a field's dictionary goes to temporary
 * files past ix_segw_memory (index_spill.c).  Temporary files are in the
 * index directory (the space provisioned for the index: TMPDIR may be a
 * tmpfs, memory), without a name (O_TMPFILE, else unlinked as soon as
 * created: ix_spill_tmpfile).  Stored blocks are compressed and written
 * by a worker thread while the next block fills.
 */
#include "index_segment.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY    /* ZSTD_c_forceAttachDict */
#define ZDICT_STATIC_LINKING_ONLY   /* ZDICT_trainFromBuffer_fastCover */
#include <zdict.h>
#include <zstd.h>

#include "index_spill.h"

size_t ix_segw_memory = 4u << 20;

/* The most bytes one term adds to the dictionary's block data (its bytes,
 * its stem's, varints): the dictionary is spilled before a block of
 * IX_DICT_BLOCK terms when it would come within that many of these of
 * ix_segw_memory. */
#define DICT_TERM_ROOM 1024

/* Jobs queued for the compressing thread at most (raw blocks of 32 KiB or
 * more each, or the training): while it trains the dictionary and
 * compresses the 1 MiB of samples, the writer goes on with the next
 * blocks. */
#define IX_JOBS 16

/* A buffered output file that tracks its offset and the CRC of the
 * current section.  The CRC is folded over the buffer's bytes when they
 * leave it (or are asked for: out_crc), not per write: one CRC32C call per
 * 64 KiB, not per varint.  A file whose CRC nobody reads (the positions'
 * temporary file) has none. */
typedef struct ix_out {
    int fd;
    bool no_crc;
    char path[4200];
    uint8_t buf[1 << 16];
    size_t len;
    size_t crc_from;       /* buf[crc_from, len) is not yet in crc */
    uint64_t offset;       /* bytes written or buffered so far */
    uint32_t crc;
} ix_out;

/* The CRC of the current section's bytes so far. */
static uint32_t out_crc(ix_out *o)
{
    if (o->len > o->crc_from && !o->no_crc) o->crc = ix_crc32c(o->crc, o->buf + o->crc_from, o->len - o->crc_from);
    o->crc_from = o->len;
    return o->crc;
}

/* Starts a CRC from crc for the bytes written from now on. */
static void out_crc_set(ix_out *o, uint32_t crc)
{
    o->crc_from = o->len;
    o->crc = crc;
}

static crible_status out_flush(ix_out *o, crible_error *err)
{
    out_crc(o);
    crible_status st = ix_write_all(o->fd, o->buf, o->len, o->path, err);
    o->len = o->crc_from = 0;
    return st;
}

static crible_status out_write(ix_out *o, const void *p, size_t n, crible_error *err)
{
    if (n == 0) return CRIBLE_OK;   /* p may be NULL (an empty buffer) */
    o->offset += n;
    if (n >= sizeof o->buf) {
        crible_status st = out_flush(o, err);
        if (!o->no_crc) o->crc = ix_crc32c(o->crc, p, n);
        return st ? st : ix_write_all(o->fd, p, n, o->path, err);
    }
    if (sizeof o->buf - o->len < n) {
        crible_status st = out_flush(o, err);
        if (st) return st;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return CRIBLE_OK;
}

typedef struct toc_entry {
    uint16_t kind, field;
    uint32_t crc;
    uint64_t offset, length;
} toc_entry;

/* A skip entry before packing (index_format.c, POST). */
typedef struct skip_entry {
    uint32_t last, off, block, upto, max_tf, min_len;
    uint64_t pos_off;
} skip_entry;

typedef struct field_meta {
    char name[256];
    uint8_t kind, flags;
    int16_t link;
    uint32_t doc_count;
    uint64_t sum_length, nterms;
} field_meta;

struct ix_segw {
    ix_out out;            /* the segment file */
    ix_out *pos;           /* the field's positions (temporary file) */
    char pos_path[4300];
    int zstd_level;
    ZSTD_CCtx *cctx;
    toc_entry *toc;
    size_t ntoc, toc_cap;
    field_meta *fields;
    size_t nfields, fields_cap;
    /* open section */
    int sec_kind, sec_field;
    uint64_t sec_start;
    /* stored documents */
    ix_buf raw, comp, stidx;
    uint32_t ndocs, block_first, nblocks;
    uint32_t raw_docs;        /* records in raw */
    /* blocks are compressed and written by a worker thread, in order,
     * while the next ones fill: a queue of jobs q[head..tail) (modulo
     * IX_JOBS); a job is a raw block, or the training of the dictionary on
     * the samples (the blocks after it wait for the dictionary) */
    struct job { ix_buf raw; uint32_t ndocs; bool train; } q[IX_JOBS];
    uint32_t head, tail;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool th_started, th_failed, quit;
    crible_status th_st;
    crible_error th_err;
    /* a zstd dictionary trained on the first records (index_format.c) */
    bool training;
    ix_buf samples;
    size_t *sample_sizes;
    uint32_t nsamples, samples_cap;
    ZSTD_CDict *cdict;
    ix_buf zdict;
    uint64_t stored_start, stored_len;
    uint32_t stored_crc;
    /* field being written */
    const uint32_t *lengths;
    ix_spill dict;         /* block data (spilled past ix_segw_memory) */
    ix_spill dict_offs;    /* u32 per block (the same) */
    uint32_t dict_nterms, dict_nblocks;
    uint8_t last_term[CRIBLE_TERM_MAX + 1];
    uint32_t dict_doc1;    /* the block's last term of one document: its doc */
    bool dict_doc1_have;
    size_t last_len;
    uint64_t post_off, pos_off;   /* offsets of the term being written */
    uint64_t post_start, field_pos_len;
    /* term being written */
    uint8_t term[CRIBLE_TERM_MAX + 1];
    size_t term_len;
    bool term_pure;
    unsigned vbits;
    uint32_t df, max_tf, last_doc;
    uint64_t cf, term_pos_bytes;
    uint32_t bdocs[IX_BLOCK], btfs[IX_BLOCK], bn, bmin_len;
    uint64_t bpos_start;   /* the block's first positions: their block's offset */
    uint32_t bpos_block, bpos_upto;   /* that block's number, the index in it */
    int64_t prev_doc;      /* last doc of the previous block (-1) */
    ix_buf blocks, skips;  /* skips: skip_entry[] until the term ends */
    ix_buf skiptab;        /* the packed skip table */
    /* the term's positions: values not yet in a full block (index_format.c, POS) */
    uint64_t pvals[IX_BLOCK];
    uint32_t pn, pblocks;  /* pvals[0..pn), full blocks written */
    uint8_t ptmp[10 * IX_BLOCK + 16];   /* a positions block, or the last values */
};

static crible_status nomem(crible_error *err)
{
    return crible_error_set(err, CRIBLE_ENOMEM, "out of memory while writing a segment");
}

/* Creates the file; a temporary one (tmp) is opened for reading too and
 * has no name (ix_spill_tmpfile: `path` names it in errors). */
static crible_status out_open(ix_out *o, const char *path, bool tmp, crible_error *err)
{
    size_t n = strlen(path);
    if (n >= sizeof o->path) return crible_error_set(err, CRIBLE_EIO, "path too long: '%.100s...'", path);
    memcpy(o->path, path, n + 1);
    if (tmp) {
        o->fd = ix_spill_tmpfile(path, err);
        if (o->fd < 0) return CRIBLE_EIO;
    } else {
        o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (o->fd < 0) return crible_error_set(err, CRIBLE_EIO, "cannot create '%s': %s", path, strerror(errno));
    }
    o->len = o->crc_from = 0;
    o->offset = 0;
    o->crc = 0;
    o->no_crc = false;
    return CRIBLE_OK;
}

crible_status ix_segw_open(const char *path, int zstd_level, ix_segw **out, crible_error *err)
{
    ix_segw *w = calloc(1, sizeof *w);
    if (!w) return nomem(err);
    w->out.fd = -1;
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.dict", path);
    ix_spill_init(&w->dict, tmp, ix_segw_memory);
    snprintf(tmp, sizeof tmp, "%s.offs", path);
    ix_spill_init(&w->dict_offs, tmp, ix_segw_memory);
    w->zstd_level = zstd_level;
    w->cctx = ZSTD_createCCtx();
    if (!w->cctx) { free(w); return nomem(err); }
    w->training = true;
    crible_status st = out_open(&w->out, path, false, err);
    if (st) { ZSTD_freeCCtx(w->cctx); free(w); return st; }
    uint8_t h[IX_HEADER];
    memcpy(h, IX_SEG_MAGIC, 8);
    ix_put32(h + 8, IX_SEG_VERSION);
    ix_put32(h + 12, 0);
    st = out_write(&w->out, h, sizeof h, err);
    w->stored_start = w->out.offset;
    out_crc_set(&w->out, 0);
    w->sec_kind = -1;
    if (st) { ix_segw_abort(w); return st; }
    *out = w;
    return CRIBLE_OK;
}

uint32_t ix_segw_ndocs(const ix_segw *w) { return w->ndocs; }

const char *ix_segw_path(const ix_segw *w) { return w->out.path; }

static crible_status add_toc(ix_segw *w, int kind, int field, uint32_t crc, uint64_t off,
                             uint64_t len, crible_error *err)
{
    if (w->ntoc == w->toc_cap) {
        size_t cap = w->toc_cap ? w->toc_cap * 2 : 32;
        toc_entry *t = realloc(w->toc, cap * sizeof *t);
        if (!t) return nomem(err);
        w->toc = t;
        w->toc_cap = cap;
    }
    w->toc[w->ntoc++] = (toc_entry){(uint16_t)kind, (uint16_t)field, crc, off, len};
    return CRIBLE_OK;
}

/* --- stored documents ---------------------------------------------------- */

/* Compresses src (ndocs records) into a block and writes it. */
static crible_status compress_block(ix_segw *w, const ix_buf *src, uint32_t ndocs, crible_error *err)
{
    if (src->len == 0) return CRIBLE_OK;
    size_t bound = ZSTD_compressBound(src->len);
    w->comp.len = 0;
    if (!ix_buf_reserve(&w->comp, bound)) return nomem(err);
    size_t n = w->cdict ? ZSTD_compress2(w->cctx, w->comp.data, bound, src->data, src->len)   /* use_dict */
                        : ZSTD_compressCCtx(w->cctx, w->comp.data, bound, src->data, src->len, w->zstd_level);
    if (ZSTD_isError(n))
        return crible_error_set(err, CRIBLE_EINTERNAL, "zstd: %s", ZSTD_getErrorName(n));
    uint8_t e[24];
    ix_put32(e, w->block_first);
    ix_put32(e + 4, ndocs);
    ix_put64(e + 8, w->stored_len);
    ix_put32(e + 16, (uint32_t)n);
    ix_put32(e + 20, ix_crc32c(0, w->comp.data, n));
    if (!ix_buf_add(&w->stidx, e, sizeof e)) return nomem(err);
    out_crc_set(&w->out, w->stored_crc);
    crible_status st = out_write(&w->out, w->comp.data, n, err);
    w->stored_crc = out_crc(&w->out);
    w->stored_len += n;
    w->nblocks++;
    w->block_first += ndocs;
    return st;
}

/* Trains the dictionary on the samples (when there are enough). */
/* The blocks to come are compressed with the dictionary ATTACHED: zstd
 * searches the dictionary's own tables in place, where by default, for a
 * block above 16 KiB, it copies them into the context for every block
 * (a quarter of the compressing thread's instructions).  The frames carry
 * no dictionary ID: a segment has one dictionary, which the reader hands
 * to zstd itself.  The parameters last for every ZSTD_compress2 call. */
static crible_status use_dict(ix_segw *w, crible_error *err)
{
    size_t r = ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_refCDict(w->cctx, w->cdict);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_forceAttachDict, ZSTD_dictForceAttach);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_dictIDFlag, 0);
    if (ZSTD_isError(r)) return crible_error_set(err, CRIBLE_EINTERNAL, "zstd: %s", ZSTD_getErrorName(r));
    return CRIBLE_OK;
}

static crible_status train_dict(ix_segw *w, crible_error *err)
{
    if (w->samples.len < IX_DICT_MIN_SAMPLES) return CRIBLE_OK;
    size_t cap = w->samples.len / 16 < IX_DICT_MAX ? w->samples.len / 16 : IX_DICT_MAX;
    if (!ix_buf_reserve(&w->zdict, cap)) return nomem(err);
    /* fastCover with fixed parameters: ZDICT_trainFromBuffer searches
     * over k (several trainings and test compressions), which cost more
     * than the whole segment's compression for a gain of under 1 % */
    ZDICT_fastCover_params_t p;
    memset(&p, 0, sizeof p);
    p.k = IX_DICT_K;
    p.d = IX_DICT_D;
    p.f = 20;
    p.steps = 0;
    p.splitPoint = 1.0;
    p.accel = 1;
    p.zParams.compressionLevel = w->zstd_level;
    size_t n = ZDICT_trainFromBuffer_fastCover(w->zdict.data, cap, w->samples.data, w->sample_sizes,
                                               w->nsamples, p);
    if (!ZDICT_isError(n)) {
        w->zdict.len = n;
        w->cdict = ZSTD_createCDict(w->zdict.data, n, w->zstd_level);
        if (!w->cdict) return nomem(err);
        return use_dict(w, err);
    }
    return CRIBLE_OK;
}

/* The samples' records up to the end of the last full block, cut into
 * blocks as block_add cuts them: *nrec records, *bytes bytes. */
static void samples_cut(const ix_segw *w, uint32_t *nrec, size_t *bytes)
{
    size_t off = 0, start = 0;
    *nrec = 0;
    for (uint32_t i = 0; i < w->nsamples; i++) {
        off += w->sample_sizes[i];
        if (off - start >= IX_STORED_BLOCK) { start = off; *nrec = i + 1; }
    }
    *bytes = start;
}

/* Trains the dictionary, compresses the samples' full blocks with it and
 * frees the samples (the records after the last full block were copied
 * into raw). */
static crible_status train_samples(ix_segw *w, crible_error *err)
{
    crible_status st = train_dict(w, err);
    uint32_t nrec, first = 0;
    size_t end, off = 0, start = 0;
    samples_cut(w, &nrec, &end);
    for (uint32_t i = 0; !st && i < nrec; i++) {
        off += w->sample_sizes[i];
        if (off - start >= IX_STORED_BLOCK) {
            ix_buf view = {w->samples.data + start, off - start, off - start};
            st = compress_block(w, &view, i + 1 - first, err);
            start = off;
            first = i + 1;
        }
    }
    ix_buf_free(&w->samples);
    free(w->sample_sizes);
    w->sample_sizes = NULL;
    w->nsamples = 0;
    return st;
}

static void *worker(void *arg)
{
    ix_segw *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->head == w->tail && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit) break;   /* drained, or aborted: the jobs left are dropped */
        struct job *j = &w->q[w->head % IX_JOBS];
        crible_status st = w->th_st;
        pthread_mutex_unlock(&w->mu);
        crible_error e;
        if (!st) st = j->train ? train_samples(w, &e) : compress_block(w, &j->raw, j->ndocs, &e);
        pthread_mutex_lock(&w->mu);
        if (st && !w->th_st) { w->th_st = st; w->th_err = e; }
        j->raw.len = 0;
        w->head++;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Starts the worker if it is not; false if no thread can be had. */
static bool start_worker(ix_segw *w)
{
    if (w->th_started) return true;
    if (w->th_failed) return false;
    if (pthread_mutex_init(&w->mu, NULL) != 0) { w->th_failed = true; return false; }
    if (pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        w->th_failed = true;
        return false;
    }
    if (pthread_create(&w->th, NULL, worker, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        w->th_failed = true;
        return false;
    }
    return w->th_started = true;
}

/* Waits for the worker to be idle; its error, if any. */
static crible_status drain(ix_segw *w, crible_error *err)
{
    if (!w->th_started) return CRIBLE_OK;
    pthread_mutex_lock(&w->mu);
    while (w->head != w->tail) pthread_cond_wait(&w->cv, &w->mu);
    crible_status st = w->th_st;
    if (st) *err = w->th_err;
    pthread_mutex_unlock(&w->mu);
    return st;
}

static void stop_worker(ix_segw *w)
{
    if (!w->th_started) return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->th_started = false;
}

/* Queues a job for the worker (waiting while the queue is full): the
 * training, or the block in raw (raw gets an empty buffer back); its
 * error if it failed before. */
static crible_status enqueue(ix_segw *w, bool train, crible_error *err)
{
    pthread_mutex_lock(&w->mu);
    while (w->tail - w->head == IX_JOBS && !w->th_st) pthread_cond_wait(&w->cv, &w->mu);
    crible_status st = w->th_st;
    if (st) {
        *err = w->th_err;
    } else {
        struct job *j = &w->q[w->tail % IX_JOBS];
        j->train = train;
        j->ndocs = train ? 0 : w->raw_docs;
        if (!train) {   /* the slot's buffer is empty: swap */
            ix_buf t = j->raw;
            j->raw = w->raw;
            w->raw = t;
            w->raw.len = 0;
            w->raw_docs = 0;
        }
        w->tail++;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return st;
}

/* Hands the full block in raw to the worker (compressing it here if no
 * thread can be had). */
static crible_status stored_block(ix_segw *w, crible_error *err)
{
    if (w->raw.len == 0) return CRIBLE_OK;
    if (start_worker(w)) return enqueue(w, false, err);
    crible_status st = compress_block(w, &w->raw, w->raw_docs, err);
    w->raw.len = 0;
    w->raw_docs = 0;
    return st;
}

static crible_status block_add(ix_segw *w, const uint8_t *rec, size_t len, crible_error *err)
{
    if (!ix_buf_add(&w->raw, rec, len)) return nomem(err);
    w->raw_docs++;
    if (w->raw.len >= IX_STORED_BLOCK) return stored_block(w, err);
    return CRIBLE_OK;
}

/* The dictionary is trained on the samples and their full blocks are
 * compressed with it in the worker (here without one); the records after
 * them go on in raw. */
static crible_status train(ix_segw *w, crible_error *err)
{
    w->training = false;
    uint32_t nrec;
    size_t off;
    samples_cut(w, &nrec, &off);
    crible_status st = CRIBLE_OK;
    for (uint32_t i = nrec; !st && i < w->nsamples; i++) {   /* under a block: raw is not sent */
        st = block_add(w, w->samples.data + off, w->sample_sizes[i], err);
        off += w->sample_sizes[i];
    }
    if (st) return st;
    return start_worker(w) ? enqueue(w, true, err) : train_samples(w, err);
}

crible_status ix_segw_stored_doc(ix_segw *w, const uint8_t *rec, size_t len, crible_error *err)
{
    if (w->nfields || w->sec_kind >= 0)
        return crible_error_set(err, CRIBLE_EINTERNAL, "stored document after the fields");
    if (w->ndocs >= IX_MAX_DOCS)
        return crible_error_set(err, CRIBLE_EINDEX, "too many documents in one segment");
    w->ndocs++;
    if (!w->training) return block_add(w, rec, len, err);
    if (w->nsamples == w->samples_cap) {
        uint32_t cap = w->samples_cap ? w->samples_cap * 2 : 1024;
        size_t *n = realloc(w->sample_sizes, cap * sizeof *n);
        if (!n) return nomem(err);
        w->sample_sizes = n;
        w->samples_cap = cap;
    }
    if (!ix_buf_add(&w->samples, rec, len)) return nomem(err);
    w->sample_sizes[w->nsamples++] = len;
    if (w->samples.len >= IX_DICT_SAMPLES) return train(w, err);
    return CRIBLE_OK;
}

static crible_status stored_end(ix_segw *w, crible_error *err)
{
    crible_status st = w->training ? train(w, err) : CRIBLE_OK;
    if (!st) st = drain(w, err);
    if (!st) st = compress_block(w, &w->raw, w->raw_docs, err);   /* the last block, here */
    stop_worker(w);
    w->raw.len = 0;
    w->raw_docs = 0;
    ix_buf_free(&w->samples);
    free(w->sample_sizes);
    w->sample_sizes = NULL;
    for (size_t i = 0; i < IX_JOBS; i++) ix_buf_free(&w->q[i].raw);
    if (st) return st;
    st = add_toc(w, IX_SEC_STORED, 0, w->stored_crc, w->stored_start, w->stored_len, err);
    if (st) return st;
    out_crc_set(&w->out, 0);
    uint64_t off = w->out.offset;
    uint8_t n[4];
    ix_put32(n, w->nblocks);
    st = out_write(&w->out, n, 4, err);
    if (!st) st = out_write(&w->out, w->stidx.data, w->stidx.len, err);
    if (!st) st = add_toc(w, IX_SEC_STIDX, 0, out_crc(&w->out), off, 4 + w->stidx.len, err);
    if (!st && w->zdict.len) {
        out_crc_set(&w->out, 0);
        off = w->out.offset;
        st = out_write(&w->out, w->zdict.data, w->zdict.len, err);
        if (!st) st = add_toc(w, IX_SEC_ZDICT, 0, out_crc(&w->out), off, w->zdict.len, err);
    }
    ix_buf_free(&w->raw);
    ix_buf_free(&w->comp);
    ix_buf_free(&w->stidx);
    w->stored_start = UINT64_MAX;   /* marks: done */
    return st;
}

/* --- generic sections ---------------------------------------------------- */

crible_status ix_segw_section_begin(ix_segw *w, int kind, int field, crible_error *err)
{
    if (w->stored_start != UINT64_MAX) {
        crible_status st = stored_end(w, err);
        if (st) return st;
    }
    w->sec_kind = kind;
    w->sec_field = field;
    w->sec_start = w->out.offset;
    out_crc_set(&w->out, 0);
    return CRIBLE_OK;
}

crible_status ix_segw_section_write(ix_segw *w, const void *data, size_t len, crible_error *err)
{
    return out_write(&w->out, data, len, err);
}

crible_status ix_segw_section_end(ix_segw *w, crible_error *err)
{
    crible_status st = add_toc(w, w->sec_kind, w->sec_field, out_crc(&w->out), w->sec_start,
                               w->out.offset - w->sec_start, err);
    w->sec_kind = 0;
    return st;
}

/* --- fields and terms ---------------------------------------------------- */

crible_status ix_segw_field_begin(ix_segw *w, const char *name, int kind, unsigned flags,
                                  int link, const uint32_t *lengths, crible_error *err)
{
    if (w->nfields >= IX_MAX_FIELDS)
        return crible_error_set(err, CRIBLE_EINDEX, "too many fields (more than %d)", IX_MAX_FIELDS);
    if (w->nfields == w->fields_cap) {
        size_t cap = w->fields_cap ? w->fields_cap * 2 : 16;
        field_meta *f = realloc(w->fields, cap * sizeof *f);
        if (!f) return nomem(err);
        w->fields = f;
        w->fields_cap = cap;
    }
    field_meta *f = &w->fields[w->nfields];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->kind = (uint8_t)kind;
    f->flags = (uint8_t)flags;
    f->link = (int16_t)link;
    w->lengths = lengths;
    w->dict_nterms = w->dict_nblocks = 0;
    w->pos_off = 0;
    crible_status st = ix_spill_clear(&w->dict, err);
    if (!st) st = ix_spill_clear(&w->dict_offs, err);
    if (!st) st = ix_segw_section_begin(w, IX_SEC_POST, (int)w->nfields, err);
    if (st) return st;
    w->post_start = w->out.offset;
    w->post_off = 0;
    if (flags & IX_FIELD_POSITIONS) {
        if (!w->pos) {
            w->pos = malloc(sizeof *w->pos);
            if (!w->pos) return nomem(err);
            size_t n = strlen(w->out.path);
            if (n + 5 > sizeof w->pos_path) { free(w->pos); w->pos = NULL; return nomem(err); }
            memcpy(w->pos_path, w->out.path, n);
            memcpy(w->pos_path + n, ".pos", 5);
            st = out_open(w->pos, w->pos_path, true, err);
            if (st) { free(w->pos); w->pos = NULL; return st; }
        } else {
            if (ftruncate(w->pos->fd, 0) != 0 || lseek(w->pos->fd, 0, SEEK_SET) != 0)
                return crible_error_set(err, CRIBLE_EIO, "cannot truncate '%s': %s",
                                        w->pos_path, strerror(errno));
            w->pos->len = w->pos->crc_from = 0;
            w->pos->offset = 0;
        }
        w->pos->no_crc = true;   /* copy_positions makes the section's CRC */
    }
    w->nfields++;
    return CRIBLE_OK;
}

crible_status ix_segw_term_begin(ix_segw *w, const uint8_t *term, size_t len, bool pure,
                                 unsigned vbits, crible_error *err)
{
    if (len > CRIBLE_TERM_MAX) len = CRIBLE_TERM_MAX;
    memcpy(w->term, term, len);
    w->term_len = len;
    w->term_pure = pure;
    w->vbits = vbits > IX_MAX_VBITS ? IX_MAX_VBITS : vbits;
    if (w->nfields && !(w->fields[w->nfields - 1].flags & IX_FIELD_POSITIONS)) w->vbits = 0;
    w->df = w->max_tf = 0;
    w->cf = 0;
    w->bn = 0;
    w->bmin_len = UINT32_MAX;
    w->prev_doc = -1;
    w->blocks.len = w->skips.len = 0;
    w->term_pos_bytes = 0;
    w->bpos_start = 0;
    w->bpos_block = w->bpos_upto = 0;
    w->pn = w->pblocks = 0;
    (void)err;
    return CRIBLE_OK;
}

static size_t pfor_block(const uint64_t *v, uint8_t *o);

/* Encodes the buffered docs as a block: packed when full, varints when not. */
static crible_status flush_block(ix_segw *w, bool last, crible_error *err)
{
    uint32_t deltas[IX_BLOCK], tfm[IX_BLOCK], btf = 0;
    int64_t prev = w->prev_doc;
    for (uint32_t i = 0; i < w->bn; i++) {
        deltas[i] = (uint32_t)((int64_t)w->bdocs[i] - prev - 1);
        prev = w->bdocs[i];
        tfm[i] = w->btfs[i] - 1;
        if (w->btfs[i] > btf) btf = w->btfs[i];
    }
    skip_entry e = {w->bdocs[w->bn - 1], (uint32_t)w->blocks.len, w->bpos_block, w->bpos_upto, btf,
                    w->bmin_len == UINT32_MAX ? 0 : w->bmin_len, w->bpos_start};
    if (!ix_buf_add(&w->skips, &e, sizeof e)) return nomem(err);
    if (w->blocks.len > UINT32_MAX - 4096)
        return crible_error_set(err, CRIBLE_EINDEX, "postings of one term too large");
    if (w->bn == IX_BLOCK && !last) {   /* two blocks of 128: deltas, tf - 1 */
        uint64_t v[IX_BLOCK];
        for (int k = 0; k < 2; k++) {
            for (uint32_t i = 0; i < IX_BLOCK; i++) v[i] = k ? tfm[i] : deltas[i];
            if (!ix_buf_add(&w->blocks, w->ptmp, pfor_block(v, w->ptmp))) return nomem(err);
        }
    } else {
        /* the last block, at the term's end: when every tf is 1 (the
         * dictionary's ONES) the gaps alone */
        bool ones = w->cf == w->df;
        for (uint32_t i = 0; i < w->bn; i++) {
            if (!ix_buf_varint(&w->blocks, ones ? deltas[i] : (uint64_t)deltas[i] << 1 | (tfm[i] == 0)))
                return nomem(err);
            if (tfm[i] && !ix_buf_varint(&w->blocks, tfm[i])) return nomem(err);
        }
    }
    w->prev_doc = prev;
    w->bn = 0;
    w->bmin_len = UINT32_MAX;
    w->bpos_start = w->term_pos_bytes;
    w->bpos_block = w->pblocks;
    w->bpos_upto = w->pn;
    return CRIBLE_OK;
}

/* Bits of x (0 for 0). */
static unsigned bit_width(uint64_t x) { return x ? 64u - (unsigned)__builtin_clzll(x) : 0; }

/* Appends the w low bits of v at bit *bit of o (zeroed beforehand). */
static void put_bits(uint8_t *o, uint64_t *bit, uint64_t v, unsigned w)
{
    for (unsigned k = 0; k < w;) {
        unsigned sh = (unsigned)(*bit & 7), take = 8 - sh < w - k ? 8 - sh : w - k;
        o[*bit >> 3] |= (uint8_t)(((v >> k) & ((1u << take) - 1)) << sh);
        *bit += take;
        k += take;
    }
}

/* Codes 128 values as a block of index_format.c (POS, POST [v4]): the
 * width W that makes it smallest, the values above W bits as exceptions
 * (high parts of at most 32 bits).  o: room for 3 + 16 x 32 + 128 + 4 x
 * 128 bytes; returns the bytes written. */
static size_t pfor_block(const uint64_t *v, uint8_t *o)
{
    uint64_t all = 0;
    for (uint32_t i = 0; i < IX_BLOCK; i++) all |= v[i];
    unsigned maxb = bit_width(all), best_w = maxb, nx = 0;
    size_t best = maxb <= 32 ? 1 + 16 * (size_t)maxb : SIZE_MAX;
    if (maxb) {   /* the widths' histogram: how many values above each */
        unsigned hist[65] = {0}, above = 0;
        for (uint32_t i = 0; i < IX_BLOCK; i++) hist[bit_width(v[i])]++;
        for (unsigned b = maxb; b-- > 0 && maxb - b <= 32;) {
            above += hist[b + 1];
            size_t c = 3 + 16 * (size_t)b + above + (above * (maxb - b) + 7) / 8;
            if (b <= 32 && c < best) { best = c; best_w = b; nx = above; }
        }
    }
    unsigned xw = maxb - best_w;
    size_t h = 1;
    o[0] = (uint8_t)best_w;
    if (nx) {
        o[0] |= IX_POS_EXC;
        o[1] = (uint8_t)(nx - 1);
        o[2] = (uint8_t)xw;
        h = 3;
    }
    uint32_t low[IX_BLOCK];
    uint64_t mask = best_w ? ~0ull >> (64 - best_w) : 0;
    for (uint32_t i = 0; i < IX_BLOCK; i++) low[i] = (uint32_t)(v[i] & mask);
    ix_pack128(low, best_w, o + h);
    if (!nx) return best;
    uint8_t *idx = o + h + 16 * best_w, *hi = idx + nx;
    memset(hi, 0, (nx * (size_t)xw + 7) / 8);
    uint64_t bit = 0;
    for (uint32_t i = 0, k = 0; i < IX_BLOCK; i++)
        if (v[i] >> best_w) {
            idx[k++] = (uint8_t)i;
            put_bits(hi, &bit, v[i] >> best_w, xw);
        }
    return best;
}

/* The full positions block pvals[0..128) to the positions file. */
static crible_status flush_positions(ix_segw *w, crible_error *err)
{
    size_t n = pfor_block(w->pvals, w->ptmp);
    if (w->pblocks == UINT32_MAX) return crible_error_set(err, CRIBLE_EINDEX, "positions of one term too many");
    w->pblocks++;
    w->pn = 0;
    w->term_pos_bytes += n;
    return out_write(w->pos, w->ptmp, n, err);
}

/* The term's skip table (index_format.c, POST): six widths, then the
 * entries bit-packed. */
static crible_status pack_skips(ix_segw *w, bool positions, crible_error *err)
{
    const skip_entry *e = (const skip_entry *)(const void *)w->skips.data;
    size_t n = w->skips.len / sizeof *e;
    uint32_t m[6] = {0};
    uint64_t mpos = 0;
    for (size_t i = 0; i < n; i++) {
        m[0] |= e[i].last; m[1] |= e[i].off; m[3] |= e[i].block; m[4] |= e[i].max_tf; m[5] |= e[i].min_len;
        mpos |= e[i].pos_off;
    }
    if (mpos > UINT32_MAX) return crible_error_set(err, CRIBLE_EINDEX, "positions of one term too large");
    m[2] = (uint32_t)mpos;
    uint8_t wd[6];
    unsigned ebits = positions ? 7 : 0;
    for (int k = 0; k < 6; k++) { wd[k] = (uint8_t)bit_width(m[k]); ebits += wd[k]; }
    size_t bytes = IX_SKIP_HEAD + (n * ebits + 7) / 8;
    w->skiptab.len = 0;
    if (!ix_buf_reserve(&w->skiptab, bytes)) return nomem(err);
    uint8_t *o = w->skiptab.data;
    memset(o, 0, bytes);
    memcpy(o, wd, 6);
    uint64_t bit = 0;
    for (size_t i = 0; i < n; i++) {
        put_bits(o + 6, &bit, e[i].last, wd[0]);
        put_bits(o + 6, &bit, e[i].off, wd[1]);
        put_bits(o + 6, &bit, e[i].pos_off, wd[2]);
        put_bits(o + 6, &bit, e[i].block, wd[3]);
        if (positions) put_bits(o + 6, &bit, e[i].upto, 7);
        put_bits(o + 6, &bit, e[i].max_tf, wd[4]);
        put_bits(o + 6, &bit, e[i].min_len, wd[5]);
    }
    w->skiptab.len = bytes;
    return CRIBLE_OK;
}

crible_status ix_segw_term_doc(ix_segw *w, uint32_t doc, uint32_t tf, const uint32_t *pos,
                               const uint32_t *var, crible_error *err)
{
    if (tf == 0) tf = 1;
    if (w->df && doc <= w->last_doc)
        return crible_error_set(err, CRIBLE_EINTERNAL, "postings out of order");
    if (w->bn == IX_BLOCK) {
        crible_status st = flush_block(w, false, err);
        if (st) return st;
    }
    w->bdocs[w->bn] = doc;
    w->btfs[w->bn] = tf;
    w->bn++;
    uint32_t len = w->lengths ? w->lengths[doc] : 0;
    if (len < w->bmin_len) w->bmin_len = len;
    w->df++;
    w->cf += tf;
    if (tf > w->max_tf) w->max_tf = tf;
    w->last_doc = doc;
    if (pos && w->pos) {
        /* values gap << V | variant, 128 to a block */
        uint32_t prev = 0, vmask = var && w->vbits ? (1u << w->vbits) - 1 : 0;
        unsigned vb = w->vbits;
        for (uint32_t i = 0; i < tf; i++) {
            w->pvals[w->pn++] = (uint64_t)(pos[i] - prev) << vb | (vmask ? var[i] & vmask : 0);
            prev = pos[i];
            if (w->pn == IX_BLOCK) {
                crible_status st = flush_positions(w, err);
                if (st) return st;
            }
        }
    }
    return CRIBLE_OK;
}

/* A new dictionary block: room for its terms (else the dictionary so far
 * goes to its file), its offset.  Apart from dict_term (once every
 * IX_DICT_BLOCK terms): the path of the other terms stays as short. */
static __attribute__((noinline)) crible_status dict_block(ix_segw *w, crible_error *err)
{
    crible_status st = ix_spill_room(&w->dict, IX_DICT_BLOCK * DICT_TERM_ROOM, err);
    if (st) return st;
    uint64_t at = ix_spill_len(&w->dict);
    if (at > UINT32_MAX - DICT_TERM_ROOM)
        return crible_error_set(err, CRIBLE_EINDEX, "term dictionary too large");
    uint8_t o[4];
    ix_put32(o, (uint32_t)at);
    st = ix_spill_add(&w->dict_offs, o, 4, err);
    if (st) return st;
    w->dict_nblocks++;
    return CRIBLE_OK;
}

/* The term's bytes into the front-coded block (a new block every 32). */
static crible_status dict_term(ix_segw *w, bool *first_out, crible_error *err)
{
    ix_buf *d = &w->dict.mem;
    bool first = w->dict_nterms % IX_DICT_BLOCK == 0;
    if (first) {
        crible_status st = dict_block(w, err);
        if (st) return st;
        if (!ix_buf_varint(d, w->term_len) || !ix_buf_add(d, w->term, w->term_len))
            return nomem(err);
    } else {
        size_t shared = 0, max = w->term_len < w->last_len ? w->term_len : w->last_len;
        while (shared < max && w->term[shared] == w->last_term[shared]) shared++;
        size_t suffix = w->term_len - shared;
        uint8_t h = (uint8_t)((shared < 15 ? shared : 15) | (suffix < 15 ? suffix : 15) << 4);
        if (!ix_buf_add(d, &h, 1) || (shared >= 15 && !ix_buf_varint(d, shared - 15)) ||
            (suffix >= 15 && !ix_buf_varint(d, suffix - 15)) || !ix_buf_add(d, w->term + shared, suffix))
            return nomem(err);
    }
    memcpy(w->last_term, w->term, w->term_len);
    w->last_len = w->term_len;
    w->dict_nterms++;
    *first_out = first;
    return CRIBLE_OK;
}

/* A term's statistics (index_format.c, DICT): its df word, then its tf,
 * or cf - df and max_tf, unless every tf is 1. */
static bool dict_stats(ix_buf *d, const field_meta *f, uint32_t df, uint64_t cf, uint32_t max_tf,
                       unsigned vbits, bool pure)
{
    uint64_t ones = cf == df, word = (uint64_t)df - 1;
    if (f->kind == CRIBLE_FIELD_EXACT) word = word << 1 | ones;
    else if (f->flags & IX_FIELD_POSITIONS) word = word << 7 | ones << 6 | vbits << 1 | (pure ? IX_TERM_PURE : 0);
    else word = word << 2 | ones << 1 | (pure ? IX_TERM_PURE : 0);
    if (!ix_buf_varint(d, word)) return false;
    if (ones) return true;
    if (df == 1) return ix_buf_varint(d, cf);
    return ix_buf_varint(d, cf - df) && ix_buf_varint(d, max_tf);
}

static crible_status dict_add(ix_segw *w, uint64_t post_len, crible_error *err)
{
    ix_buf *d = &w->dict.mem;
    bool first;
    crible_status st = dict_term(w, &first, err);
    if (st) return st;
    /* a term of one document: the document in place of the postings, as
     * a zigzag difference from the block's previous such document */
    uint64_t plen = post_len;
    if (w->df == 1) {
        int64_t delta = (int64_t)w->last_doc - (first || !w->dict_doc1_have ? 0 : (int64_t)w->dict_doc1);
        plen = first || !w->dict_doc1_have ? w->last_doc : (uint64_t)(delta < 0 ? -2 * delta - 1 : 2 * delta);
        w->dict_doc1 = w->last_doc;
        w->dict_doc1_have = true;
    } else if (first) {
        w->dict_doc1_have = false;
    }
    if (!dict_stats(d, &w->fields[w->nfields - 1], w->df, w->cf, w->max_tf, w->vbits, w->term_pure) ||
        !ix_buf_varint(d, plen) ||
        (w->pos && w->fields[w->nfields - 1].flags & IX_FIELD_POSITIONS && !ix_buf_varint(d, w->term_pos_bytes)))
        return nomem(err);
    if (first && (!ix_buf_varint(d, w->post_off) || !ix_buf_varint(d, w->pos_off)))
        return nomem(err);
    return CRIBLE_OK;
}

/* An exact entry's pairs after the first, sorted by stem (in place; a
 * few: insertion), then written (a stem twice: EINTERNAL). */
static __attribute__((noinline)) crible_status more_pairs(ix_buf *d, const uint8_t *norm, size_t len, ix_pair *pairs,
                                                          size_t npairs, bool write, crible_error *err)
{
    for (size_t i = 0; !write && i < npairs; i++) {
        if (pairs[i].stem_len > CRIBLE_TERM_MAX) pairs[i].stem_len = CRIBLE_TERM_MAX;
        ix_pair x = pairs[i];
        size_t j = i;
        for (; j > 0 && ix_term_order(pairs[j - 1].stem, pairs[j - 1].stem_len, x.stem, x.stem_len) > 0; j--)
            pairs[j] = pairs[j - 1];
        pairs[j] = x;
    }
    for (size_t i = 1; !write && i < npairs; i++)
        if (ix_term_order(pairs[i - 1].stem, pairs[i - 1].stem_len, pairs[i].stem, pairs[i].stem_len) == 0)
            return crible_error_set(err, CRIBLE_EINTERNAL, "exact term '%.*s' with stem '%.*s' twice", (int)len,
                                    (const char *)norm, (int)pairs[i].stem_len, (const char *)pairs[i].stem);
    if (write && !ix_buf_varint(d, npairs - 2)) return nomem(err);
    for (size_t i = 1; write && i < npairs; i++)
        if (!ix_pair_put(d, norm, len, &pairs[i], false, false)) return nomem(err);
    return CRIBLE_OK;
}

crible_status ix_segw_exact_term(ix_segw *w, const uint8_t *norm, size_t len, uint32_t df,
                                 uint64_t cf, uint32_t max_tf, ix_pair *pairs, size_t npairs,
                                 crible_error *err)
{
    if (len > CRIBLE_TERM_MAX) len = CRIBLE_TERM_MAX;
    if (npairs == 0) return crible_error_set(err, CRIBLE_EINTERNAL, "exact term without a stem");
    if (pairs[0].stem_len > CRIBLE_TERM_MAX) pairs[0].stem_len = CRIBLE_TERM_MAX;
    crible_status st = npairs > 1 ? more_pairs(NULL, norm, len, pairs, npairs, false, err) : CRIBLE_OK;
    if (st) return st;
    memcpy(w->term, norm, len);
    w->term_len = len;
    bool first;
    st = dict_term(w, &first, err);
    if (st) return st;
    ix_buf *d = &w->dict.mem;
    if (!dict_stats(d, &w->fields[w->nfields - 1], df, cf, max_tf, 0, false) ||
        !ix_pair_put(d, norm, len, &pairs[0], true, npairs > 1))
        return nomem(err);
    return npairs > 1 ? more_pairs(d, norm, len, pairs, npairs, true, err) : CRIBLE_OK;
}

crible_status ix_segw_term_end(ix_segw *w, crible_error *err)
{
    if (w->df == 0) return CRIBLE_OK;
    crible_status st = flush_block(w, true, err);
    if (st) return st;
    bool positions = w->pos && (w->fields[w->nfields - 1].flags & IX_FIELD_POSITIONS);
    if (positions && w->pn) {   /* the last values: varints */
        uint8_t *q = w->ptmp;
        for (uint32_t i = 0; i < w->pn; i++) q += ix_varint_put(q, w->pvals[i]);
        size_t n = (size_t)(q - w->ptmp);
        w->term_pos_bytes += n;
        w->pn = 0;
        st = out_write(w->pos, w->ptmp, n, err);
        if (st) return st;
    }
    uint64_t post_len = w->df == 1 ? 0 : w->blocks.len;   /* df 1: in the dictionary */
    if (w->df > IX_BLOCK) {
        st = pack_skips(w, positions, err);
        if (!st) st = out_write(&w->out, w->skiptab.data, w->skiptab.len, err);
        if (st) return st;
        post_len += w->skiptab.len;
    }
    st = out_write(&w->out, w->blocks.data, post_len - (w->df > IX_BLOCK ? w->skiptab.len : 0), err);
    if (st) return st;
    st = dict_add(w, post_len, err);
    w->post_off += post_len;
    w->pos_off += w->term_pos_bytes;
    w->df = 0;
    return st;
}

/* Appends the positions temporary file to the segment as a section. */
static crible_status copy_positions(ix_segw *w, crible_error *err)
{
    ix_out *p = w->pos;
    crible_status st = out_flush(p, err);
    if (st) return st;
    st = ix_segw_section_begin(w, IX_SEC_POS, (int)w->nfields - 1, err);
    uint8_t buf[1 << 16];
    for (uint64_t at = 0; !st && at < p->offset;) {
        ssize_t n = pread(p->fd, buf, p->offset - at < sizeof buf ? (size_t)(p->offset - at) : sizeof buf, (off_t)at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            st = crible_error_set(err, CRIBLE_EIO, "cannot read '%s': %s", p->path,
                                  n < 0 ? strerror(errno) : "short file");
            break;
        }
        st = out_write(&w->out, buf, (size_t)n, err);
        at += (uint64_t)n;
    }
    if (!st) st = ix_segw_section_end(w, err);
    return st;
}

/* ix_spill_copy's output: the segment file. */
static crible_status section_out(void *ctx, const void *p, size_t n, crible_error *err)
{
    return out_write(&((ix_segw *)ctx)->out, p, n, err);
}

void ix_segw_field_flag(ix_segw *w, unsigned flag)
{
    if (w->nfields) w->fields[w->nfields - 1].flags |= (uint8_t)flag;
}

crible_status ix_segw_field_end(ix_segw *w, uint32_t doc_count, uint64_t sum_length,
                                crible_error *err)
{
    field_meta *f = &w->fields[w->nfields - 1];
    f->doc_count = doc_count;
    f->sum_length = sum_length;
    f->nterms = w->dict_nterms;
    crible_status st = ix_segw_section_end(w, err);   /* POST */
    if (!st && (f->flags & IX_FIELD_POSITIONS)) st = copy_positions(w, err);
    if (!st) st = ix_segw_section_begin(w, IX_SEC_DICT, (int)w->nfields - 1, err);
    uint8_t h[8];
    ix_put32(h, w->dict_nterms);
    ix_put32(h + 4, w->dict_nblocks);
    if (!st) st = out_write(&w->out, h, 8, err);
    if (!st) st = ix_spill_copy(&w->dict_offs, section_out, w, err);
    if (!st) st = ix_spill_copy(&w->dict, section_out, w, err);
    if (!st) st = ix_segw_section_end(w, err);
    w->lengths = NULL;
    return st;
}

/* --- per-document tables ----------------------------------------------- */

void ix_segw_wt_begin(ix_segw_wt *t, uint32_t n, uint32_t max)
{
    uint8_t head = ix_wtable_head(n, max);
    t->len = 0;
    t->acc = 0;
    t->have = 0;
    t->bits = head & 0x3f;
    t->width = head & 0x80 ? 0 : head;
    t->buf[t->len++] = head;
}

crible_status ix_segw_wt_put(ix_segw *w, ix_segw_wt *t, uint32_t v, crible_error *err)
{
    uint8_t *o = t->buf + t->len;
    if (t->width == 1) *o = (uint8_t)v;
    else if (t->width == 2) ix_put16(o, (uint16_t)v);
    else if (t->width == 4) ix_put32(o, v);
    if (t->width) {
        t->len += t->width;
    } else {
        t->acc |= (uint64_t)v << t->have;
        t->have += t->bits;
        while (t->have >= 8) { t->buf[t->len++] = (uint8_t)t->acc; t->acc >>= 8; t->have -= 8; }
    }
    if (sizeof t->buf - t->len >= 16) return CRIBLE_OK;
    crible_status st = out_write(&w->out, t->buf, t->len, err);
    t->len = 0;
    return st;
}

crible_status ix_segw_wt_end(ix_segw *w, ix_segw_wt *t, crible_error *err)
{
    if (!t->width) {
        if (t->have) t->buf[t->len++] = (uint8_t)t->acc;
        memset(t->buf + t->len, 0, 7);
        t->len += 7;
    }
    return out_write(&w->out, t->buf, t->len, err);
}

/* Values v[0..n) as a width table (index_format.h: ix_wtable_put): built
 * in memory when small, else streamed (no copy of the table). */
static crible_status write_wtable(ix_segw *w, const uint32_t *v, uint32_t n, crible_error *err)
{
    if ((size_t)n * 4 > ix_segw_memory) {
        uint32_t max = 0;
        for (uint32_t d = 0; d < n; d++) max = v[d] > max ? v[d] : max;
        ix_segw_wt t;
        ix_segw_wt_begin(&t, n, max);
        crible_status st = CRIBLE_OK;
        for (uint32_t d = 0; !st && d < n; d++) st = ix_segw_wt_put(w, &t, v[d], err);
        return st ? st : ix_segw_wt_end(w, &t, err);
    }
    ix_buf b = {0};
    crible_status st = ix_wtable_put(&b, v, n) ? out_write(&w->out, b.data, b.len, err) : nomem(err);
    ix_buf_free(&b);
    return st;
}

crible_status ix_segw_lengths(ix_segw *w, int field, const uint32_t *lengths, uint32_t n,
                              crible_error *err)
{
    crible_status st = ix_segw_section_begin(w, IX_SEC_LEN, field, err);
    if (!st) st = write_wtable(w, lengths, n, err);
    return st ? st : ix_segw_section_end(w, err);
}

crible_status ix_segw_sentences(ix_segw *w, int field, const uint32_t *offs, const ix_buf *data,
                                uint32_t n, crible_error *err)
{
    crible_status st = ix_segw_section_begin(w, IX_SEC_SENT, field, err);
    if (!st) st = write_wtable(w, offs, n + 1, err);
    if (!st) st = out_write(&w->out, data->data, data->len, err);
    return st ? st : ix_segw_section_end(w, err);
}

/* --- finishing ----------------------------------------------------------- */

static void segw_free(ix_segw *w)
{
    if (w->pos) {
        if (w->pos->fd >= 0) close(w->pos->fd);
        free(w->pos);
    }
    stop_worker(w);
    for (size_t i = 0; i < IX_JOBS; i++) ix_buf_free(&w->q[i].raw);
    ZSTD_freeCCtx(w->cctx);
    ZSTD_freeCDict(w->cdict);
    ix_buf_free(&w->samples);
    ix_buf_free(&w->zdict);
    free(w->sample_sizes);
    free(w->toc);
    free(w->fields);
    ix_buf_free(&w->raw);
    ix_buf_free(&w->comp);
    ix_buf_free(&w->stidx);
    ix_spill_free(&w->dict);
    ix_spill_free(&w->dict_offs);
    ix_buf_free(&w->blocks);
    ix_buf_free(&w->skips);
    ix_buf_free(&w->skiptab);
    free(w);
}

crible_status ix_segw_finish(ix_segw *w, uint32_t maxdoc, uint64_t *size, crible_error *err)
{
    crible_status st = CRIBLE_OK;
    if (maxdoc != w->ndocs)
        st = crible_error_set(err, CRIBLE_EINTERNAL, "segment has %u stored documents, not %u",
                              w->ndocs, maxdoc);
    if (!st) st = ix_segw_section_begin(w, IX_SEC_META, 0, err);
    ix_buf m = {0};
    if (!st && (!ix_buf_u32(&m, maxdoc) || !ix_buf_u32(&m, (uint32_t)w->nfields))) st = nomem(err);
    for (size_t i = 0; !st && i < w->nfields; i++) {
        field_meta *f = &w->fields[i];
        uint8_t h[3 + 2] = {0};
        size_t nl = strlen(f->name);
        h[0] = (uint8_t)nl;
        if (!ix_buf_add(&m, h, 1) || !ix_buf_add(&m, f->name, nl)) { st = nomem(err); break; }
        h[0] = f->kind;
        h[1] = f->flags;
        ix_put16(h + 2, (uint16_t)f->link);
        if (!ix_buf_add(&m, h, 4) || !ix_buf_u32(&m, f->doc_count) ||
            !ix_buf_u64(&m, f->sum_length) || !ix_buf_u64(&m, f->nterms))
            st = nomem(err);
    }
    if (!st) st = ix_segw_section_write(w, m.data, m.len, err);
    if (!st) st = ix_segw_section_end(w, err);
    ix_buf_free(&m);
    /* TOC and footer */
    uint64_t toc_off = w->out.offset;
    out_crc_set(&w->out, 0);
    for (size_t i = 0; !st && i < w->ntoc; i++) {
        uint8_t e[IX_TOC_ENTRY];
        ix_put16(e, w->toc[i].kind);
        ix_put16(e + 2, w->toc[i].field);
        ix_put32(e + 4, w->toc[i].crc);
        ix_put64(e + 8, w->toc[i].offset);
        ix_put64(e + 16, w->toc[i].length);
        st = out_write(&w->out, e, sizeof e, err);
    }
    if (!st) {
        uint8_t f[IX_FOOTER];
        ix_put64(f, toc_off);
        ix_put32(f + 8, (uint32_t)w->ntoc);
        ix_put32(f + 12, out_crc(&w->out));
        memcpy(f + 16, IX_END_MAGIC, 8);
        st = out_write(&w->out, f, sizeof f, err);
    }
    if (!st) st = out_flush(&w->out, err);
    if (!st) st = ix_fsync(w->out.fd, w->out.path, err);
    if (!st && size) *size = w->out.offset;
    if (close(w->out.fd) != 0 && !st)
        st = crible_error_set(err, CRIBLE_EIO, "cannot close '%s': %s", w->out.path, strerror(errno));
    w->out.fd = -1;
    if (st) unlink(w->out.path);
    segw_free(w);
    return st;
}

void ix_segw_abort(ix_segw *w)
{
    if (!w) return;
    stop_worker(w);   /* before the file it writes to is closed */
    if (w->out.fd >= 0) {
        close(w->out.fd);
        unlink(w->out.path);
    }
    segw_free(w);
}
