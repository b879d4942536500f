/*
 * index_stored.c - stored documents: finds a document's zstd block with the
 * stored index (STIDX), checks the block's CRC, decompresses it (the last
 * block stays cached in the caller's crible_stored_doc) and decodes the
 * record: the document JSON and each field's token offsets (layout: STORED
 * in index_format.c).  Also the id lookup through the "_id" field.
 */
#include "index_reader.h"

#include <jansson.h>
#include <stdlib.h>
#include <zstd.h>

typedef struct stored_priv {
    const void *seg;          /* the block in raw (a cache) */
    uint32_t block;
    ix_buf raw;
    ix_buf json;              /* NUL-terminated copy of the document JSON */
    ix_buf texts;             /* field texts, NUL-terminated each */
    uint32_t *offs;           /* start/end arrays of every field */
    size_t offs_cap;
    crible_stored_field *fields;
    size_t fields_cap;
    char names[64][256];
} stored_priv;

void crible_stored_doc_init(crible_stored_doc *d) { memset(d, 0, sizeof *d); }

void crible_stored_doc_free(crible_stored_doc *d)
{
    stored_priv *p = d->priv;
    if (p) {
        ix_buf_free(&p->raw);
        ix_buf_free(&p->json);
        ix_buf_free(&p->texts);
        free(p->offs);
        free(p->fields);
        free(p);
    }
    memset(d, 0, sizeof *d);
}

/* One decompression context per thread, kept; and the buffer a version 3
 * block is decompressed into before its records are upgraded. */
static _Thread_local ZSTD_DCtx *dctx;
static _Thread_local ix_buf old_block;

/* Rewrites the records of a version 2 or 3 block (in[0..n)) into out with
 * the token offsets coded as version 4 writes them (index_format.c,
 * STORED), so that every reader, and a merge copying them, sees one
 * coding.  False if damaged (or out of memory). */
static bool upgrade_block(const uint8_t *p, size_t n, ix_buf *out)
{
    const uint8_t *end = p + n;
    out->len = 0;
    while (p < end) {
        uint64_t jl, nf, nt;
        if (!ix_varint_get(&p, end, &jl) || jl > (uint64_t)(end - p) || !ix_buf_varint(out, jl) ||
            !ix_buf_add(out, p, (size_t)jl))
            return false;
        p += jl;
        if (!ix_varint_get(&p, end, &nf) || nf > 64 || !ix_buf_varint(out, nf)) return false;
        for (uint64_t f = 0; f < nf; f++) {
            if ((size_t)(end - p) < 1u + *p || !ix_buf_add(out, p, 1u + *p)) return false;
            p += 1 + *p;
            if (!ix_varint_get(&p, end, &nt) || nt > (uint64_t)(end - p) || !ix_buf_varint(out, nt) ||
                !ix_offsets_upgrade(out, &p, end, nt))
                return false;
        }
    }
    return true;
}

crible_status ix_stored_block(const ix_segment *s, uint32_t local, ix_buf *buf, const void **cache_seg,
                              uint32_t *cache_block, const uint8_t **rec, size_t *rec_len, crible_error *err)
{
    /* the block holding local: last block whose first doc <= local */
    uint32_t lo = 0, hi = s->nstblocks;
    const uint8_t *idx = s->stidx.p + 4;
    if (hi == 0) return crible_error_set(err, CRIBLE_EINDEX, "%s: no stored block", s->name);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix_get32(idx + 24 * (size_t)mid) <= local) lo = mid; else hi = mid;
    }
    const uint8_t *e = idx + 24 * (size_t)lo;
    uint32_t first = ix_get32(e), ndocs = ix_get32(e + 4), clen = ix_get32(e + 16);
    uint64_t off = ix_get64(e + 8);
    if (local < first || local - first >= ndocs || off > s->stored.n || clen > s->stored.n - off)
        return crible_error_set(err, CRIBLE_EINDEX, "%s: bad stored index entry %u", s->name, lo);
    const uint8_t *c = s->stored.p + off;
    unsigned long long raw = ZSTD_getFrameContentSize(c, clen);
    if (raw == ZSTD_CONTENTSIZE_ERROR || raw == ZSTD_CONTENTSIZE_UNKNOWN || raw > (1ull << 34))
        return crible_error_set(err, CRIBLE_EINDEX, "%s: bad stored block %u", s->name, lo);
    if (!(cache_seg && *cache_seg == s && *cache_block == lo)) {
        if (cache_seg) *cache_seg = NULL;
        if (ix_crc32c(0, c, clen) != ix_get32(e + 20))
            return crible_error_set(err, CRIBLE_EINDEX, "%s: bad checksum of stored block %u", s->name, lo);
        ix_buf *dst = s->version >= 4 ? buf : &old_block;
        dst->len = 0;
        if (!ix_buf_reserve(dst, (size_t)raw + 1) || (!dctx && !(dctx = ZSTD_createDCtx())))
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        size_t n = s->ddict ? ZSTD_decompress_usingDDict(dctx, dst->data, (size_t)raw, c, clen, s->ddict)
                            : ZSTD_decompressDCtx(dctx, dst->data, (size_t)raw, c, clen);
        if (ZSTD_isError(n) || n != raw)
            return crible_error_set(err, CRIBLE_EINDEX, "%s: stored block %u does not decompress", s->name, lo);
        dst->len = n;
        if (dst != buf && !upgrade_block(dst->data, n, buf))
            return crible_error_set(err, CRIBLE_EINDEX, "%s: damaged stored block %u", s->name, lo);
        if (cache_seg) { *cache_seg = s; *cache_block = lo; }
    }
    /* walk to the record */
    const uint8_t *p = buf->data, *end = p + buf->len;
    for (uint32_t d = first;; d++) {
        const uint8_t *start = p;
        uint64_t jl, nf;
        if (!ix_varint_get(&p, end, &jl) || jl > (uint64_t)(end - p)) goto damaged;
        p += jl;
        if (!ix_varint_get(&p, end, &nf) || nf > 64) goto damaged;
        for (uint64_t f = 0; f < nf; f++) {
            uint64_t nt;
            if (p >= end || (size_t)(end - p) < 1u + *p) goto damaged;
            p += 1 + *p;
            /* a bound on the tokens, for who allocates per token: each
             * one takes a byte of the block, of its text (in the JSON) or
             * of its code (the writer codes empty ones; index_format.c) */
            if (!ix_varint_get(&p, end, &nt) || nt > raw ||
                !ix_offsets_skip(&p, end, nt))
                goto damaged;
        }
        if (d == local) {
            *rec = start;
            *rec_len = (size_t)(p - start);
            return CRIBLE_OK;
        }
    }
damaged:
    return crible_error_set(err, CRIBLE_EINDEX, "%s: damaged stored block %u", s->name, lo);
}

crible_status crible_index_doc(const crible_index *ix, uint32_t doc, crible_stored_doc *out,
                               crible_error *err)
{
    uint32_t local;
    const ix_segment *s = ix_index_segment_of(ix, doc, &local);
    if (!s) return crible_error_set(err, CRIBLE_EINDEX, "no document %u (the index has %u)", doc, ix->maxdoc);
    stored_priv *pv = out->priv;
    if (!pv) {
        pv = calloc(1, sizeof *pv);
        if (!pv) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        out->priv = pv;
    }
    const uint8_t *rec;
    size_t rlen;
    crible_status st = ix_stored_block(s, local, &pv->raw, &pv->seg, &pv->block, &rec, &rlen, err);
    if (st) return st;
    const uint8_t *p = rec, *end = rec + rlen;
    uint64_t jl = 0, nf = 0;
    ix_varint_get(&p, end, &jl);   /* checked by ix_stored_block */
    pv->json.len = 0;
    if (!ix_buf_add(&pv->json, p, (size_t)jl) || !ix_buf_add(&pv->json, "", 1))
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    p += jl;
    ix_varint_get(&p, end, &nf);
    json_error_t je;
    json_t *obj = json_loadb((const char *)pv->json.data, (size_t)jl, 0, &je);
    if (!obj || !json_is_object(obj)) {
        json_decref(obj);
        return crible_error_set(err, CRIBLE_EINDEX, "%s: stored document %u is not JSON", s->name, local);
    }
    /* first pass: sizes */
    size_t ntok_total = 0;
    const uint8_t *q = p;
    for (uint64_t f = 0; f < nf; f++) {
        uint64_t nt = 0;
        q += 1 + *q;
        ix_varint_get(&q, end, &nt);
        ntok_total += (size_t)nt;
        ix_offsets_skip(&q, end, nt);
    }
    if (pv->offs_cap < 2 * ntok_total + 1) {
        uint32_t *o = realloc(pv->offs, (2 * ntok_total + 1) * sizeof *o);
        if (!o) { json_decref(obj); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
        pv->offs = o;
        pv->offs_cap = 2 * ntok_total + 1;
    }
    if (pv->fields_cap < nf + 1) {
        crible_stored_field *fs = realloc(pv->fields, (nf + 1) * sizeof *fs);
        if (!fs) { json_decref(obj); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
        pv->fields = fs;
        pv->fields_cap = nf + 1;
    }
    pv->texts.len = 0;
    size_t *text_off = calloc(nf + 1, sizeof *text_off);
    if (!text_off) { json_decref(obj); return crible_error_set(err, CRIBLE_ENOMEM, "out of memory"); }
    uint32_t *o = pv->offs;
    for (uint64_t f = 0; f < nf; f++) {
        crible_stored_field *sf = &pv->fields[f];
        size_t nl = *p++;
        memcpy(pv->names[f], p, nl);
        pv->names[f][nl] = 0;
        p += nl;
        uint64_t nt = 0;
        ix_varint_get(&p, end, &nt);
        json_t *str = json_object_get(obj, pv->names[f]);
        const char *text = json_is_string(str) ? json_string_value(str) : "";
        size_t tl = json_is_string(str) ? json_string_length(str) : 0;
        text_off[f] = pv->texts.len;
        if (!ix_buf_add(&pv->texts, text, tl) || !ix_buf_add(&pv->texts, "", 1)) {
            free(text_off);
            json_decref(obj);
            return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        }
        sf->name = pv->names[f];
        sf->text_len = tl;
        sf->ntokens = (uint32_t)nt;
        uint32_t *starts = o, *ends = o + nt;
        ix_offsets_decode(&p, end, text, tl, (uint32_t)nt, starts, ends);   /* bounded by the text */
        sf->start = starts;
        sf->end = ends;
        o += 2 * nt;
    }
    for (uint64_t f = 0; f < nf; f++) pv->fields[f].text = (const char *)pv->texts.data + text_off[f];
    free(text_off);
    json_t *id = json_object_get(obj, "id");
    /* the id is kept in the JSON buffer after the document's own bytes */
    const char *idv = json_is_string(id) ? json_string_value(id) : "";
    size_t idoff = pv->json.len;
    if (!ix_buf_add(&pv->json, idv, strlen(idv) + 1)) {
        json_decref(obj);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    json_decref(obj);
    out->json = (const char *)pv->json.data;
    out->json_len = (size_t)jl;
    out->id = (const char *)pv->json.data + idoff;
    out->nfields = (size_t)nf;
    out->fields = pv->fields;
    return CRIBLE_OK;
}

const crible_stored_field *crible_stored_doc_field(const crible_stored_doc *d, const char *name)
{
    for (size_t i = 0; i < d->nfields; i++)
        if (strcmp(d->fields[i].name, name) == 0) return &d->fields[i];
    return NULL;
}

uint32_t crible_index_find_id(const crible_index *ix, const char *id)
{
    int f = crible_index_field(ix, "_id");
    if (f < 0) return CRIBLE_DOC_NONE;
    size_t len = strlen(id);
    for (uint32_t k = ix->nsegs; k-- > 0;) {
        const ix_segment *s = &ix->segs[k];
        if (s->local[f] < 0) continue;
        ix_term t;
        if (!ix_dict_lookup(&s->fields[s->local[f]], (const uint8_t *)id, len, &t)) continue;
        ix_pcur c;
        ix_pcur_init(&c, s, &s->fields[s->local[f]], &t, true);
        uint32_t d = ix_pcur_next(&c);
        if (d != CRIBLE_DOC_NONE) return s->base + d;
    }
    return CRIBLE_DOC_NONE;
}
