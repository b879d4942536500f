/*
 * inspect.c - `crible-index stats` and `dump`, through the reader API only
 * (index.h): what a user of the index can see, shown as text.
 */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

#include "index_manifest.h"
#include "index_reader.h"

typedef struct top_entry {
    uint32_t df;
    char term[CRIBLE_TERM_MAX + 1];
} top_entry;

/* Keeps the n terms of highest df in t (sorted, highest first). */
static void top_add(top_entry *t, int n, int *have, const char *term, size_t len, uint32_t df)
{
    if (*have == n && t[n - 1].df >= df) return;
    int i = *have < n ? (*have)++ : n - 1;
    while (i > 0 && t[i - 1].df < df) { t[i] = t[i - 1]; i--; }
    t[i].df = df;
    memcpy(t[i].term, term, len);
    t[i].term[len] = 0;
}

static const char *kind_name(crible_field_kind k)
{
    switch (k) {
    case CRIBLE_FIELD_TEXT: return "text";
    case CRIBLE_FIELD_EXACT: return "exact";
    case CRIBLE_FIELD_KEYWORD: return "keyword";
    case CRIBLE_FIELD_NUMERIC: return "numeric";
    }
    return "?";
}

crible_status index_stats_write(const crible_index *ix, FILE *out, int top, crible_error *err)
{
    crible_index_info info;
    crible_index_get_info(ix, &info);
    fprintf(out, "generation\t%llu\ndocuments\t%u\ndeleted\t%u\nsegments\t%u\nbytes\t%llu\n",
            (unsigned long long)info.generation, info.live_docs, info.maxdoc - info.live_docs,
            info.segments, (unsigned long long)info.bytes);
    fprintf(out, "analysis\t%s\n", crible_index_analysis(ix));
    if (top < 1) top = 1;
    top_entry *t = calloc((size_t)top, sizeof *t);
    if (!t) return crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    for (size_t f = 0; f < crible_index_nfields(ix); f++) {
        crible_field_info fi;
        crible_index_field_get_info(ix, (int)f, &fi);
        fprintf(out, "field\t%s\t%s\tdocs %u\tterms %llu", fi.name, kind_name(fi.kind), fi.doc_count,
                (unsigned long long)fi.terms);
        if (fi.kind == CRIBLE_FIELD_TEXT)
            fprintf(out, "\ttokens %llu\tavg length %.1f", (unsigned long long)fi.sum_length,
                    crible_index_avg_length(ix, (int)f));
        fputc('\n', out);
        if (fi.kind == CRIBLE_FIELD_EXACT || fi.kind == CRIBLE_FIELD_NUMERIC || !strcmp(fi.name, "_id"))
            continue;
        crible_terms *it;
        crible_status st = crible_terms_open(ix, (int)f, &it, err);
        if (st) { free(t); return st; }
        int have = 0;
        const char *term;
        size_t len;
        crible_term_stats ts;
        while (crible_terms_next(it, &term, &len, &ts)) top_add(t, top, &have, term, len, ts.df);
        crible_terms_close(it);
        for (int i = 0; i < have; i++) fprintf(out, "  top\t%s\t%s\t%u\n", fi.name, t[i].term, t[i].df);
    }
    free(t);
    return CRIBLE_OK;
}

crible_status index_sizes_write(const char *dir, FILE *out, crible_error *err)
{
    static const char *const names[] = {"other", "meta", "dictionary", "postings", "positions",
                                        "lengths", "sentences", "numeric values", "numeric sorted",
                                        "stored", "stored index", "stored zstd dictionary"};
    enum { NKINDS = sizeof names / sizeof *names };
    uint64_t sum[NKINDS] = {0};
    ix_manifest m;
    bool missing;
    crible_status st = ix_manifest_read(dir, &m, &missing, err);
    if (st) return st;
    for (uint32_t i = 0; !st && i < m.nsegments; i++) {
        ix_segment seg;
        st = ix_segment_open(dir, &m.segments[i], false, &seg, err);
        if (st) break;
        for (uint32_t k = 0; k < seg.ntoc; k++)
            sum[seg.toc_kind[k] < NKINDS ? seg.toc_kind[k] : 0] += seg.toc[k].n;
        ix_segment_close(&seg);
    }
    ix_manifest_free(&m);
    for (int k = 1; !st && k < NKINDS; k++)
        if (sum[k]) fprintf(out, "size\t%s\t%llu\n", names[k], (unsigned long long)sum[k]);
    return st;
}

static crible_status dump_doc(const crible_index *ix, FILE *out, const char *id, crible_error *err)
{
    uint32_t d = crible_index_find_id(ix, id);
    if (d == CRIBLE_DOC_NONE) return crible_error_set(err, CRIBLE_EDATA, "no document '%s' in the index", id);
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    crible_status st = crible_index_doc(ix, d, &doc, err);
    if (!st) {
        fprintf(out, "doc\t%u\nid\t%s\njson\t%s\n", d, doc.id, doc.json);
        for (size_t f = 0; f < doc.nfields; f++) {
            const crible_stored_field *sf = &doc.fields[f];
            int fn = crible_index_field(ix, sf->name);
            uint32_t starts[4096];
            uint32_t ns = crible_index_sentences(ix, fn, d, starts, 4096);
            fprintf(out, "field\t%s\ttokens %u\tsentences %u\tlength %u\n", sf->name, sf->ntokens, ns,
                    crible_index_doc_length(ix, fn, d));
            for (uint32_t p = 0; p < sf->ntokens; p++)
                fprintf(out, "  %u\t%u-%u\t%.*s\n", p, sf->start[p], sf->end[p], (int)(sf->end[p] - sf->start[p]),
                        sf->text + sf->start[p]);
        }
    }
    crible_stored_doc_free(&doc);
    return st;
}

static crible_status dump_term(const crible_index *ix, FILE *out, int f, const char *term, crible_error *err)
{
    crible_postings *p;
    crible_status st = crible_postings_open(ix, f, term, strlen(term), &p, err);
    if (st) return st;
    crible_term_stats ts;
    crible_postings_stats(p, &ts);
    fprintf(out, "term\t%s\tdf %u\tcf %llu\tmax tf %u\n", term, ts.df, (unsigned long long)ts.cf, ts.max_tf);
    uint32_t *pos = NULL, cap = 0;
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    for (uint32_t d; (d = crible_postings_next(p)) != CRIBLE_DOC_NONE;) {
        uint32_t tf = crible_postings_tf(p);
        if (tf > cap) {
            uint32_t *n = realloc(pos, tf * sizeof *n);
            if (!n) break;
            pos = n;
            cap = tf;
        }
        uint32_t np = crible_postings_positions(p, pos, cap);
        const char *id = crible_index_doc(ix, d, &doc, err) == CRIBLE_OK ? doc.id : "?";
        fprintf(out, "%u\t%s\ttf %u\t", d, id, tf);
        for (uint32_t k = 0; k < np && k < cap; k++) fprintf(out, "%s%u", k ? "," : "", pos[k]);
        fputc('\n', out);
    }
    crible_stored_doc_free(&doc);
    free(pos);
    st = crible_postings_error(p, err);
    crible_postings_close(p);
    return st;
}

crible_status index_dump_write(const crible_index *ix, FILE *out, const char *field, const char *term,
                               const char *prefix, const char *doc_id, crible_error *err)
{
    if (doc_id) return dump_doc(ix, out, doc_id, err);
    int f = crible_index_field(ix, field);
    if (f < 0) return crible_error_set(err, CRIBLE_EDATA, "no field '%s' in the index", field);
    if (term) return dump_term(ix, out, f, term, err);
    crible_terms *it;
    crible_status st = crible_terms_open(ix, f, &it, err);
    if (st) return st;
    size_t plen = prefix ? strlen(prefix) : 0;
    crible_terms_seek(it, prefix ? prefix : "", plen);
    const char *t;
    size_t len;
    crible_term_stats ts;
    while (crible_terms_next(it, &t, &len, &ts)) {
        if (plen && (len < plen || memcmp(t, prefix, plen) != 0)) break;
        fprintf(out, "%.*s\t%u\t%llu\n", (int)len, t, ts.df, (unsigned long long)ts.cf);
    }
    crible_terms_close(it);
    return CRIBLE_OK;
}
