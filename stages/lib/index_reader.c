/*
 * index_reader.c - opening a snapshot: reads the MANIFEST, maps each live
 * segment (footer, TOC and META checked; every other section bounded and
 * read lazily), merges the segments' field tables into the snapshot's, and
 * answers the per-document questions of index.h: lengths, sentences,
 * numeric values and ranges, tombstones.
 */
#include "index_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

static crible_status bad(crible_error *err, const ix_segment *s, const char *what)
{
    return crible_error_set(err, CRIBLE_EINDEX, "%s: %s", s->name, what);
}

static ix_section *field_section(ix_segfield *f, int kind)
{
    switch (kind) {
    case IX_SEC_DICT: return &f->dict;
    case IX_SEC_POST: return &f->post;
    case IX_SEC_POS: return &f->pos;
    case IX_SEC_LEN: return &f->len;
    case IX_SEC_SENT: return &f->sent;
    case IX_SEC_NUMV: return &f->numv;
    case IX_SEC_NUMS: return &f->nums;
    default: return NULL;
    }
}

static crible_status parse_meta(ix_segment *s, const ix_section *meta, crible_error *err)
{
    const uint8_t *p = meta->p, *end = p + meta->n;
    if (meta->n < 8) return bad(err, s, "META too short");
    s->maxdoc = ix_get32(p);
    s->nfields = ix_get32(p + 4);
    p += 8;
    if (s->maxdoc != s->info.maxdoc) return bad(err, s, "document count differs from the MANIFEST");
    if (s->nfields > IX_MAX_FIELDS) return bad(err, s, "too many fields");
    s->fields = calloc(s->nfields ? s->nfields : 1, sizeof *s->fields);
    if (!s->fields) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < s->nfields; i++) {
        ix_segfield *f = &s->fields[i];
        if (p >= end || (size_t)(end - p) < 1u + *p + 24) return bad(err, s, "META cut short");
        size_t nl = *p++;
        memcpy(f->name, p, nl);
        f->name[nl] = 0;
        p += nl;
        f->kind = p[0];
        f->flags = p[1];
        f->version = (uint8_t)s->version;
        f->link = (int16_t)ix_get16(p + 2);
        f->doc_count = ix_get32(p + 4);
        f->sum_length = ix_get64(p + 8);
        f->nterms = ix_get64(p + 16);
        p += 24;
        if (f->kind < CRIBLE_FIELD_TEXT || f->kind > CRIBLE_FIELD_NUMERIC || nl == 0 ||
            memchr(f->name, 0, nl) || f->link < -1 || f->link >= (int)s->nfields ||
            f->doc_count > s->maxdoc)
            return bad(err, s, "bad field in META");
    }
    return CRIBLE_OK;
}

static crible_status parse_dict_header(ix_segment *s, ix_segfield *f, crible_error *err)
{
    if (!f->dict.present) return CRIBLE_OK;
    if (f->dict.n < 8) return bad(err, s, "term dictionary too short");
    f->dict_nterms = ix_get32(f->dict.p);
    f->dict_nblocks = ix_get32(f->dict.p + 4);
    if (f->dict_nblocks != (f->dict_nterms + IX_DICT_BLOCK - 1) / IX_DICT_BLOCK ||
        (f->dict.n - 8) / 4 < f->dict_nblocks)
        return bad(err, s, "bad term dictionary header");
    f->dict_offs = f->dict.p + 8;
    f->dict_data = f->dict_offs + 4 * (size_t)f->dict_nblocks;
    f->dict_data_len = f->dict.n - 8 - 4 * (size_t)f->dict_nblocks;
    return CRIBLE_OK;
}

/* NUMV's size agrees with its mode's (index_format.c). */
static bool numv_valid(const ix_segment *s, const ix_segfield *f)
{
    const uint8_t *v = f->numv.p;
    size_t n = f->numv.n;
    if (n < 1 || v[0] > (s->version >= 3 ? 2 : 1)) return false;
    if (v[0] == 0) return n == 1 + (size_t)s->maxdoc * 8;
    if (n < 14 || v[13] < 1 || v[13] > 32 || ix_get32(v + 9) == 0) return false;
    if (v[0] == 1) return n == 14 + ((size_t)s->maxdoc + IX_BLOCK - 1) / IX_BLOCK * 16 * v[13];
    if (n < 18) return false;
    uint32_t count = ix_get32(v + 14);
    size_t table = ix_wtable_bytes(v + 18, n - 18, count);
    return count <= s->maxdoc && table && n == 18 + table + ((size_t)count + IX_BLOCK - 1) / IX_BLOCK * 16 * v[13];
}

/* NUMS: a width table of its count, or runs [v3] whose table fits. */
static bool nums_valid(const ix_segment *s, const ix_segfield *f)
{
    const uint8_t *p = f->nums.p;
    size_t n = f->nums.n;
    if (n < 5 || !f->numv.present) return false;
    if (p[4] != IX_NUMS_RUNS || s->version < 3) return ix_wtable_valid(p + 4, n - 4, ix_get32(p));
    return n >= 9 && ix_get32(p + 5) <= ix_get32(p) && (n - 9) / 16 >= ix_get32(p + 5);
}

crible_status ix_segment_open(const char *dir, const ix_seginfo *info, bool with_deletes,
                              ix_segment *s, crible_error *err)
{
    memset(s, 0, sizeof *s);
    s->info = *info;
    ix_segment_name(s->name, sizeof s->name, info->number);
    char path[4096];
    if (!ix_path(path, sizeof path, dir, s->name))
        return crible_error_set(err, CRIBLE_EIO, "path too long: '%s'", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return crible_error_set(err, errno == ENOENT ? CRIBLE_EINDEX : CRIBLE_EIO,
                                "cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) { close(fd); return crible_error_set(err, CRIBLE_EIO, "cannot stat '%s'", path); }
    s->map_len = (size_t)sb.st_size;
    if (s->map_len < IX_HEADER + IX_FOOTER || (uint64_t)sb.st_size != info->size) {
        close(fd);
        return crible_error_set(err, CRIBLE_EINDEX, "%s: size %lld, the MANIFEST says %llu", path,
                                (long long)sb.st_size, (unsigned long long)info->size);
    }
    void *m = mmap(NULL, s->map_len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return crible_error_set(err, CRIBLE_EIO, "cannot map '%s': %s", path, strerror(errno));
    s->map = m;
    const uint8_t *b = s->map, *foot = b + s->map_len - IX_FOOTER;
    crible_status st = CRIBLE_OK;
    if (memcmp(b, IX_SEG_MAGIC, 8) != 0 || memcmp(foot + 16, IX_END_MAGIC, 8) != 0)
        st = bad(err, s, "not a crible segment (bad magic)");
    else if (ix_get32(b + 8) < IX_SEG_VERSION_MIN || ix_get32(b + 8) > IX_SEG_VERSION) {
        char what[96];
        snprintf(what, sizeof what, "format version %u, this crible reads %d to %d", ix_get32(b + 8),
                 IX_SEG_VERSION_MIN, IX_SEG_VERSION);
        st = bad(err, s, what);
    }
    s->version = st ? 0 : ix_get32(b + 8);
    uint64_t toc_off = ix_get64(foot);
    uint32_t ntoc = ix_get32(foot + 8);
    if (!st && (toc_off < IX_HEADER || toc_off > s->map_len - IX_FOOTER ||
                (s->map_len - IX_FOOTER - toc_off) != (uint64_t)ntoc * IX_TOC_ENTRY))
        st = bad(err, s, "bad table of contents");
    if (!st && ix_crc32c(0, b + toc_off, (size_t)ntoc * IX_TOC_ENTRY) != ix_get32(foot + 12))
        st = bad(err, s, "bad checksum of the table of contents");
    if (!st) {
        s->toc = calloc(ntoc + 1, sizeof *s->toc);
        s->toc_kind = calloc(ntoc + 1, sizeof *s->toc_kind);
        s->toc_field = calloc(ntoc + 1, sizeof *s->toc_field);
        if (!s->toc || !s->toc_kind || !s->toc_field) st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        s->ntoc = ntoc;
    }
    ix_section meta = {0};
    for (uint32_t i = 0; !st && i < ntoc; i++) {
        const uint8_t *e = b + toc_off + (size_t)i * IX_TOC_ENTRY;
        uint64_t off = ix_get64(e + 8), len = ix_get64(e + 16);
        if (off < IX_HEADER || off > toc_off || len > toc_off - off) { st = bad(err, s, "section out of bounds"); break; }
        s->toc[i] = (ix_section){b + off, (size_t)len, ix_get32(e + 4), true};
        s->toc_kind[i] = ix_get16(e);
        s->toc_field[i] = ix_get16(e + 2);
        if (s->toc_kind[i] == IX_SEC_META) meta = s->toc[i];
    }
    if (!st && !meta.present) st = bad(err, s, "no META section");
    if (!st && ix_crc32c(0, meta.p, meta.n) != meta.crc) st = bad(err, s, "bad checksum of META");
    if (!st) st = parse_meta(s, &meta, err);
    for (uint32_t i = 0; !st && i < ntoc; i++) {
        int kind = s->toc_kind[i];
        if (kind == IX_SEC_STORED) s->stored = s->toc[i];
        else if (kind == IX_SEC_STIDX) s->stidx = s->toc[i];
        else if (kind == IX_SEC_ZDICT) s->zdict = s->toc[i];
        else if (kind != IX_SEC_META) {
            if (s->toc_field[i] >= s->nfields) { st = bad(err, s, "section of an unknown field"); break; }
            ix_section *sec = field_section(&s->fields[s->toc_field[i]], kind);
            if (!sec) { st = bad(err, s, "unknown section kind"); break; }
            *sec = s->toc[i];
        }
    }
    for (uint32_t i = 0; !st && i < s->nfields; i++) {
        ix_segfield *f = &s->fields[i];
        st = parse_dict_header(s, f, err);
        if (!st && f->len.present && !ix_wtable_valid(f->len.p, f->len.n, s->maxdoc)) st = bad(err, s, "bad length table");
        if (!st && f->numv.present && !numv_valid(s, f)) st = bad(err, s, "bad value table");
        if (!st && f->sent.present && !ix_wtable_bytes(f->sent.p, f->sent.n, s->maxdoc + 1))
            st = bad(err, s, "bad sentence table");
        if (!st && f->nums.present && !nums_valid(s, f)) st = bad(err, s, "bad sorted value table");
    }
    if (!st) {
        if (!s->stidx.present || s->stidx.n < 4 || (s->stidx.n - 4) % 24 ||
            (s->stidx.n - 4) / 24 != ix_get32(s->stidx.p))
            st = bad(err, s, "bad stored index");
        else
            s->nstblocks = ix_get32(s->stidx.p);
    }
    if (!st && s->zdict.present) {
        if (ix_crc32c(0, s->zdict.p, s->zdict.n) != s->zdict.crc) st = bad(err, s, "bad checksum of the zstd dictionary");
        else if (!(s->ddict = ZSTD_createDDict(s->zdict.p, s->zdict.n)))
            st = bad(err, s, "bad zstd dictionary");
    }
    if (!st && with_deletes) st = ix_deletes_read(dir, info, &s->deleted, err);
    else if (!st) {
        s->deleted = calloc(((size_t)s->maxdoc + 63) / 64 + 1, 8);
        if (!s->deleted) st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    if (st) ix_segment_close(s);
    return st;
}

void ix_segment_close(ix_segment *s)
{
    ZSTD_freeDDict(s->ddict);
    if (s->map) munmap(s->map, s->map_len);
    for (uint32_t i = 0; s->fields && i < s->nfields; i++) free(s->fields[i].dict_keys);
    free(s->fields);
    free(s->deleted);
    free(s->toc);
    free(s->toc_kind);
    free(s->toc_field);
    free(s->local);
    memset(s, 0, sizeof *s);
}

void ix_segment_forget_bytes(const ix_segment *s, const uint8_t *from, const uint8_t *to)
{
    if (!s->map) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)from + page - 1) & ~(page - 1), e = (uintptr_t)to & ~(page - 1);
    if (e > a) madvise((void *)a, e - a, MADV_DONTNEED);
}

void ix_segment_forget(const ix_segment *s, const ix_section *sec)
{
    if (sec->present) ix_segment_forget_bytes(s, sec->p, sec->p + sec->n);
}

int ix_segment_field(const ix_segment *s, const char *name)
{
    for (uint32_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].name, name) == 0) return (int)i;
    return -1;
}

void crible_field_table_name(char out[CRIBLE_FIELD_NAME_MAX], const char *name, crible_field_kind kind, bool taken)
{
    snprintf(out, CRIBLE_FIELD_NAME_MAX, "%s%s", name, kind == CRIBLE_FIELD_NUMERIC && taken ? "#" : "");
}

int ix_segment_field_as(const ix_segment *s, const char *table_name, int kind)
{
    int l = ix_segment_field(s, table_name);
    if (l >= 0 && (int)s->fields[l].kind == kind) return l;
    size_t n = strlen(table_name);
    if (kind != CRIBLE_FIELD_NUMERIC || n < 2 || table_name[n - 1] != '#') return -1;
    for (uint32_t i = 0; i < s->nfields; i++)
        if (s->fields[i].kind == CRIBLE_FIELD_NUMERIC && strncmp(s->fields[i].name, table_name, n - 1) == 0 &&
            s->fields[i].name[n - 1] == '\0')
            return (int)i;
    return -1;
}

/* --- the snapshot -------------------------------------------------------- */

static int gfield_find(const crible_index *ix, const char *name)
{
    for (size_t i = 0; i < ix->nfields; i++)
        if (strcmp(ix->fields[i].name, name) == 0) return (int)i;
    return -1;
}

bool ix_segments_name_not_numeric(const ix_segment *segs, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++) {
        int l = ix_segment_field(&segs[k], name);
        if (l >= 0 && segs[k].fields[l].kind != CRIBLE_FIELD_NUMERIC) return true;
    }
    return false;
}

static crible_status build_fields(crible_index *ix, crible_error *err)
{
    for (uint32_t k = 0; k < ix->nsegs; k++) {
        ix_segment *s = &ix->segs[k];
        for (uint32_t i = 0; i < s->nfields; i++) {
            const ix_segfield *f = &s->fields[i];
            char name[CRIBLE_FIELD_NAME_MAX];
            crible_field_table_name(name, f->name, f->kind,
                                f->kind == CRIBLE_FIELD_NUMERIC &&
                                    ix_segments_name_not_numeric(ix->segs, ix->nsegs, f->name));
            int g = gfield_find(ix, name);
            if (g >= 0 && ix->fields[g].kind != f->kind)
                return crible_error_set(err, CRIBLE_EINDEX, "%s: field '%s' has another kind than in the other segments",
                                        s->name, f->name);
            if (g < 0) {
                ix_gfield *nf = realloc(ix->fields, (ix->nfields + 1) * sizeof *nf);
                if (!nf) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                ix->fields = nf;
                g = (int)ix->nfields++;
                memset(&nf[g], 0, sizeof nf[g]);
                nf[g].name = strdup(name);
                if (!nf[g].name) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                nf[g].kind = f->kind;
                nf[g].positions = (f->flags & IX_FIELD_POSITIONS) || f->kind == CRIBLE_FIELD_EXACT;
                nf[g].exact_field = nf[g].stem_field = -1;
            }
            ix_gfield *gf = &ix->fields[g];
            gf->doc_count += f->doc_count;
            gf->sum_length += f->sum_length;
            gf->terms += f->nterms;
        }
    }
    for (uint32_t k = 0; k < ix->nsegs; k++) {
        ix_segment *s = &ix->segs[k];
        s->local = malloc((ix->nfields + 1) * sizeof *s->local);
        if (!s->local) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
        for (size_t g = 0; g < ix->nfields; g++) {
            int l = ix_segment_field_as(s, ix->fields[g].name, ix->fields[g].kind);
            s->local[g] = l;
            if (l >= 0 && s->fields[l].link >= 0) {
                int o = gfield_find(ix, s->fields[s->fields[l].link].name);
                if (ix->fields[g].kind == CRIBLE_FIELD_TEXT) ix->fields[g].exact_field = o;
                if (ix->fields[g].kind == CRIBLE_FIELD_EXACT) ix->fields[g].stem_field = o;
            }
        }
    }
    return CRIBLE_OK;
}

static crible_status open_once(const char *dir, crible_index *ix, crible_error *err)
{
    crible_status st = ix_manifest_read(dir, &ix->man, NULL, err);
    if (st) return st;
    ix->segs = calloc(ix->man.nsegments + 1, sizeof *ix->segs);
    if (!ix->segs) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    uint64_t base = 0;
    for (uint32_t i = 0; i < ix->man.nsegments; i++) {
        st = ix_segment_open(dir, &ix->man.segments[i], true, &ix->segs[i], err);
        if (st) return st;
        ix->nsegs++;
        ix->segs[i].base = (uint32_t)base;
        base += ix->segs[i].maxdoc;
        if (base > IX_MAX_DOCS) return crible_error_set(err, CRIBLE_EINDEX, "'%s': too many documents", dir);
        ix->live += ix->segs[i].maxdoc - ix->segs[i].info.deleted;
        ix->bytes += ix->segs[i].map_len;
    }
    ix->maxdoc = (uint32_t)base;
    return build_fields(ix, err);
}

static void release(crible_index *ix)
{
    for (uint32_t i = 0; i < ix->nsegs; i++) ix_segment_close(&ix->segs[i]);
    free(ix->segs);
    for (size_t i = 0; i < ix->nfields; i++) free(ix->fields[i].name);
    free(ix->fields);
    ix_manifest_free(&ix->man);
    char *dir = ix->dir;
    memset(ix, 0, sizeof *ix);
    ix->dir = dir;
}

crible_status crible_index_open(const char *dir, crible_index **out, crible_error *err)
{
    crible_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->dir = strdup(dir))) {
        free(ix);
        return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    /* A writer may commit and remove an old segment between our reading the
     * MANIFEST and opening it: read the new MANIFEST and try again. */
    crible_status st = CRIBLE_OK;
    for (int attempt = 0; attempt < 20; attempt++) {
        st = open_once(dir, ix, err);
        if (st == CRIBLE_OK) break;
        release(ix);
        if (!strstr(err->message, "No such file") || strstr(err->message, "MANIFEST")) break;   /* a segment or its tombstones went away */
        usleep(1000u << (attempt < 8 ? attempt : 8));
    }
    if (st) { crible_index_close(ix); return st; }
    *out = ix;
    return CRIBLE_OK;
}

void crible_index_close(crible_index *ix)
{
    if (!ix) return;
    release(ix);
    free(ix->dir);
    free(ix);
}

void crible_index_get_info(const crible_index *ix, crible_index_info *info)
{
    info->generation = ix->man.generation;
    info->maxdoc = ix->maxdoc;
    info->live_docs = ix->live;
    info->segments = ix->nsegs;
    info->bytes = ix->bytes;
}

const char *crible_index_analysis(const crible_index *ix)
{
    return ix->man.analysis ? ix->man.analysis : "{}";
}

const ix_segment *ix_index_segment_of(const crible_index *ix, uint32_t doc, uint32_t *local)
{
    if (doc >= ix->maxdoc) return NULL;
    uint32_t lo = 0, hi = ix->nsegs;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (ix->segs[mid].base <= doc) lo = mid; else hi = mid;
    }
    *local = doc - ix->segs[lo].base;
    return &ix->segs[lo];
}

bool crible_index_is_deleted(const crible_index *ix, uint32_t doc)
{
    uint32_t l;
    const ix_segment *s = ix_index_segment_of(ix, doc, &l);
    return !s || ix_seg_deleted(s, l);
}

size_t crible_index_nfields(const crible_index *ix) { return ix->nfields; }

int crible_index_field(const crible_index *ix, const char *name) { return gfield_find(ix, name); }

void crible_index_field_get_info(const crible_index *ix, int field, crible_field_info *info)
{
    memset(info, 0, sizeof *info);
    info->exact_field = info->stem_field = -1;
    if (field < 0 || (size_t)field >= ix->nfields) return;
    const ix_gfield *g = &ix->fields[field];
    info->name = g->name;
    info->kind = g->kind;
    info->positions = g->positions;
    info->doc_count = g->doc_count;
    info->sum_length = g->sum_length;
    info->terms = g->terms;
    info->exact_field = g->exact_field;
    info->stem_field = g->stem_field;
}

double crible_index_avg_length(const crible_index *ix, int field)
{
    if (field < 0 || (size_t)field >= ix->nfields || !ix->fields[field].doc_count) return 0;
    return (double)ix->fields[field].sum_length / ix->fields[field].doc_count;
}

static const ix_segfield *doc_field(const crible_index *ix, int field, uint32_t doc, uint32_t *local)
{
    if (field < 0 || (size_t)field >= ix->nfields) return NULL;
    const ix_segment *s = ix_index_segment_of(ix, doc, local);
    if (!s || s->local[field] < 0) return NULL;
    return &s->fields[s->local[field]];
}

uint32_t crible_index_doc_length(const crible_index *ix, int field, uint32_t doc)
{
    uint32_t l;
    const ix_segfield *f = doc_field(ix, field, doc, &l);
    if (!f || !f->len.present) return 0;
    return ix_wtable_get(f->len.p, l);
}

uint32_t crible_index_sentences(const crible_index *ix, int field, uint32_t doc,
                                uint32_t *starts, uint32_t cap)
{
    uint32_t l;
    const ix_segfield *f = doc_field(ix, field, doc, &l);
    if (!f || !f->sent.present) return 0;
    size_t table = ix_wtable_bytes(f->sent.p, f->sent.n, ix_index_segment_of(ix, doc, &l)->maxdoc + 1);
    uint32_t a = ix_wtable_get(f->sent.p, l), b = ix_wtable_get(f->sent.p, l + 1);
    if (a > b || b > f->sent.n - table) return 0;
    const uint8_t *p = f->sent.p + table + a, *end = f->sent.p + table + b;
    uint32_t n, pos = 0;
    if (!ix_varint_get32(&p, end, &n)) return 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gap;
        if (!ix_varint_get32(&p, end, &gap)) return i < cap ? i : n;
        pos += gap;
        if (i < cap) starts[i] = pos;
    }
    return n;
}

bool ix_num_value(const ix_segfield *f, uint32_t maxdoc, uint32_t d, double *v)
{
    if (!f->numv.present || d >= maxdoc) return false;
    const uint8_t *p = f->numv.p, *codes = p + 14;
    double x;
    if (p[0] == 0) {
        x = ix_getf64(p + 1 + 8 * (size_t)d);
    } else {
        if (p[0] == 2) {   /* sparse: d's rank among the documents with a value */
            uint32_t count = ix_get32(p + 14), a = 0, b = count;
            const uint8_t *docs = p + 18;
            while (a < b) {
                uint32_t mid = a + (b - a) / 2;
                if (ix_wtable_get(docs, mid) < d) a = mid + 1; else b = mid;
            }
            if (a == count || ix_wtable_get(docs, a) != d) return false;
            codes = docs + ix_wtable_bytes(docs, f->numv.n - 18, count);
            d = a;
        }
        unsigned bits = p[13];
        uint64_t bit = (uint64_t)d * bits, acc = 0;
        const uint8_t *q = codes + bit / 8;
        for (unsigned k = 0; k < 5 && q + k < p + f->numv.n; k++) acc |= (uint64_t)q[k] << (8 * k);
        uint64_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
        uint32_t code = (uint32_t)((acc >> (bit % 8)) & mask);
        if (code == mask) return false;
        x = ix_getf64(p + 1) + (double)code / ix_get32(p + 9);
    }
    if (isnan(x)) return false;
    *v = x;
    return true;
}

bool crible_index_numeric(const crible_index *ix, int field, uint32_t doc, double *value)
{
    uint32_t l;
    const ix_segfield *f = doc_field(ix, field, doc, &l);
    const ix_segment *s = ix_index_segment_of(ix, doc, &l);
    return f && ix_num_value(f, s->maxdoc, l, value);
}

/* The value of NUMS entry i (-inf if damaged, so a search goes on). */
static double nums_value(const ix_segment *s, const ix_segfield *f, uint32_t i, uint32_t *doc)
{
    double v;
    *doc = ix_wtable_get(f->nums.p + 4, i);
    return ix_num_value(f, s->maxdoc, *doc, &v) ? v : -INFINITY;
}

bool ix_nums_run(const ix_segfield *f, uint32_t r, double *value, uint32_t *rank, const uint8_t **p,
                 const uint8_t **end)
{
    const uint8_t *b = f->nums.p;
    uint32_t nruns = ix_get32(b + 5);
    const uint8_t *e = b + 9 + (size_t)r * 16, *data = b + 9 + (size_t)nruns * 16;
    size_t len = f->nums.n - 9 - (size_t)nruns * 16;
    uint32_t off = ix_get32(e + 12), next = r + 1 < nruns ? ix_get32(e + 16 + 12) : (uint32_t)len;
    *value = ix_getf64(e);
    *rank = ix_get32(e + 8);
    if (off > next || next > len) return false;
    *p = data + off;
    *end = data + next;
    return true;
}

/* crible_index_range in a segment whose NUMS is in runs. */
static uint32_t range_runs(const ix_segment *s, const ix_segfield *f, double lo, double hi, uint64_t *bits)
{
    uint32_t nruns = ix_get32(f->nums.p + 5), a = 0, b = nruns, set = 0, rank;
    while (a < b) {   /* first run with value >= lo */
        uint32_t mid = a + (b - a) / 2;
        if (ix_getf64(f->nums.p + 9 + (size_t)mid * 16) < lo) a = mid + 1; else b = mid;
    }
    for (uint32_t r = a; r < nruns; r++) {
        double v;
        const uint8_t *p, *end;
        if (!ix_nums_run(f, r, &v, &rank, &p, &end)) continue;
        if (!(v <= hi)) break;
        int64_t d = -1;
        uint64_t gap;
        while (p < end && ix_varint_get(&p, end, &gap)) {
            d += (int64_t)gap + 1;
            if (gap >= s->maxdoc || d >= s->maxdoc) break;
            if (ix_seg_deleted(s, (uint32_t)d)) continue;
            uint32_t g = s->base + (uint32_t)d;
            if (!((bits[g >> 6] >> (g & 63)) & 1)) {
                bits[g >> 6] |= 1ull << (g & 63);
                set++;
            }
        }
    }
    return set;
}

uint32_t crible_index_range(const crible_index *ix, int field, double lo, double hi, uint64_t *bits)
{
    uint32_t set = 0;
    if (field < 0 || (size_t)field >= ix->nfields || !(lo <= hi)) return 0;
    for (uint32_t k = 0; k < ix->nsegs; k++) {
        const ix_segment *s = &ix->segs[k];
        if (s->local[field] < 0) continue;
        const ix_segfield *f = &s->fields[s->local[field]];
        if (!f->nums.present) continue;
        if (f->nums.p[4] == IX_NUMS_RUNS && s->version >= 3) {
            set += range_runs(s, f, lo, hi, bits);
            continue;
        }
        uint32_t n = ix_get32(f->nums.p), d;
        uint32_t a = 0, b = n;   /* first entry with value >= lo */
        while (a < b) {
            uint32_t mid = a + (b - a) / 2;
            if (nums_value(s, f, mid, &d) < lo) a = mid + 1; else b = mid;
        }
        for (uint32_t i = a; i < n; i++) {
            double v = nums_value(s, f, i, &d);
            if (!(v <= hi)) break;
            if (d >= s->maxdoc || ix_seg_deleted(s, d)) continue;
            uint32_t g = s->base + d;
            if (!((bits[g >> 6] >> (g & 63)) & 1)) {
                bits[g >> 6] |= 1ull << (g & 63);
                set++;
            }
        }
    }
    return set;
}
