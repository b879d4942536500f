/*
 * test_index_segment.c - the segment format's version 3 against version 2:
 * a numeric field few documents have is written sparse (NUMV mode 2) and
 * answers values and ranges as a dense one does, through a merge too, and
 * a field of few values keeps its sorted documents in runs (NUMS); a
 * dictionary in the version 3 coding (one-byte term headers, the ONES flag,
 * df - 1) gives back every term's statistics; a version 2 segment (the
 * fuzz corpus's seed, written before version 3) still opens, reads and
 * checks clean; a segment of an unknown version is refused with its file
 * and version named.  Version 4: the version 2 and 3 seeds give the same
 * postings and positions as their merge (written as version 4); positions
 * in blocks of 128 with exceptions and bit-packed skip tables read back
 * whole and after skips, through several segments and their merge.
 * Bounded memory: a segment writer whose structures spill to temporary
 * files (ix_segw_memory made tiny: the dictionaries, their block offsets,
 * the numeric sorts in every NUMV and NUMS mode, the per-document tables)
 * writes the same bytes as one that keeps them in memory, in a flush and
 * in a merge, checks clean and leaves no temporary file; a spill that
 * cannot be written (the dictionary's, a numeric field's sort) fails the
 * commit naming its file, the index intact.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "index_test.h"
#include "index_format.h"
#include "index_manifest.h"
#include "index_segment.h"
#include "index_spill.h"
#include "index_writer.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crible-test-segment-%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int teardown(void **state) { return setup(state); }

static void add_text(crible_index_writer *w, const char *id, const char *text, int i, const char *meta);

static void add(crible_index_writer *w, int i, const char *meta)
{
    static const char *words[] = {"les", "victimes", "parlent", "pas", "bon", "du", "tout",
                                  "netflix", "série", "harcèlement", "réseaux", "sociaux"};
    char text[512] = "", id[32];
    snprintf(id, sizeof id, "doc-%d", i);
    for (int k = 0; k < 3 + i % 4; k++) {
        strcat(text, k ? " " : "");
        strcat(text, words[(i * 5 + k * 3) % 12]);
    }
    add_text(w, id, text, i, meta);
}

/* Document `id` of text `text` (words between single spaces, each its own
 * stem), rating i % 5 + 1, more metadata `meta` (JSON members or NULL). */
static void add_text(crible_index_writer *w, const char *id, const char *text, int i, const char *meta)
{
    char json[2048];
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"text\":\"%s\",\"rating\":%d%s%s}", id, text, i % 5 + 1,
             meta ? "," : "", meta ? meta : "");
    crible_error err = {0};
    assert_int_equal(crible_index_doc_begin(w, id, json, strlen(json), &err), CRIBLE_OK);
    assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
    crible_index_doc_sentence(w);
    uint32_t a = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char t[64];
        memcpy(t, p, l);
        t[l] = 0;
        crible_index_token tok = {t, t, a, a + (uint32_t)l};
        assert_int_equal(crible_index_doc_token(w, &tok, &err), CRIBLE_OK);
        a += (uint32_t)l + 1;
        p += l + (e != NULL);
    }
    assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
}

/* Byte `at` of the section of kind `kind` of field `name` in the segment
 * file seg (NUMV's mode at 0, NUMS's table width or runs mark at 4). */
static int section_byte(const char *seg, const char *name, int kind, size_t at)
{
    uint8_t *data;
    size_t n;
    crible_error err;
    assert_int_equal(ix_read_file(seg, &data, &n, &err), CRIBLE_OK);
    uint64_t toc = ix_get64(data + n - IX_FOOTER);
    uint32_t ntoc = ix_get32(data + n - IX_FOOTER + 8);
    int field = -1, mode = -1;
    for (uint32_t i = 0; i < ntoc; i++) {   /* META: the field's number */
        const uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
        if (ix_get16(e) != IX_SEC_META) continue;
        const uint8_t *p = data + ix_get64(e + 8);
        uint32_t nf = ix_get32(p + 4);
        p += 8;
        for (uint32_t f = 0; f < nf; f++) {
            if (p[0] == strlen(name) && memcmp(p + 1, name, p[0]) == 0) field = (int)f;
            p += 1 + p[0] + 24;
        }
    }
    for (uint32_t i = 0; i < ntoc; i++) {
        const uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
        if (ix_get16(e) == kind && ix_get16(e + 2) == field) mode = data[ix_get64(e + 8) + at];
    }
    free(data);
    return mode;
}

/* Merges the index to one segment, commits, checks it. */
static void merge_all(crible_index_writer *w)
{
    crible_error err = {0};
    assert_int_equal(crible_index_writer_force_merge(w, &err), CRIBLE_OK);
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    ix_test_check_clean(dir);
}

static uint32_t range(crible_index *ix, const char *field, double lo, double hi)
{
    crible_index_info info;
    crible_index_get_info(ix, &info);
    uint64_t *bits = calloc(info.maxdoc / 64 + 1, 8);
    assert_non_null(bits);
    uint32_t n = crible_index_range(ix, crible_index_field(ix, field), lo, hi, bits);
    free(bits);
    return n;
}

static crible_index_writer *open_writer(void)
{
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(dir, &o, &w, &err), CRIBLE_OK);
    return w;
}

static void test_sparse_numeric(void **state)
{
    (void)state;
    crible_index_writer *w = open_writer();
    crible_error err = {0};
    /* 600 documents, 3 with a year, 2 with a date: sparse; ratings dense */
    for (int i = 0; i < 600; i++) {
        char meta[64];
        if (i == 17 || i == 301 || i == 599) snprintf(meta, sizeof meta, "\"year\":%d", 1990 + i / 10);
        else if (i == 5 || i == 450) snprintf(meta, sizeof meta, "\"date\":\"2021-0%d-15\"", 1 + i % 9);
        add(w, i, i == 17 || i == 301 || i == 599 || i == 5 || i == 450 ? meta : NULL);
    }
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    /* a second segment, then one merged from both */
    for (int i = 600; i < 700; i++) add(w, i, i == 650 ? "\"year\":2024" : NULL);
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    char seg[512];
    snprintf(seg, sizeof seg, "%s/seg-000001.cri", dir);
    assert_int_equal(section_byte(seg, "year", IX_SEC_NUMV, 0), 2);   /* sparse */
    assert_int_equal(section_byte(seg, "date", IX_SEC_NUMV, 0), 2);
    assert_int_equal(section_byte(seg, "rating", IX_SEC_NUMV, 0), 1);   /* dense */
    assert_int_equal(section_byte(seg, "rating", IX_SEC_NUMS, 4), IX_NUMS_RUNS);   /* 5 values */
    assert_int_equal(section_byte(seg, "year", IX_SEC_NUMS, 4), 2);   /* 3 documents: a table of u16 */
    ix_test_check_clean(dir);
    for (int merged = 0; merged < 2; merged++) {
        crible_index *ix;
        assert_int_equal(crible_index_open(dir, &ix, &err), CRIBLE_OK);
        int year = crible_index_field(ix, "year"), date = crible_index_field(ix, "date");
        assert_true(year >= 0 && date >= 0);
        double v;
        int have = 0;
        for (uint32_t d = 0; d < 700; d++) have += crible_index_numeric(ix, year, d, &v);
        assert_int_equal(have, 4);
        static const int with[] = {17, 301, 599, 650};
        for (int k = 0; k < 4; k++) {
            char id[32];
            snprintf(id, sizeof id, "doc-%d", with[k]);
            uint32_t d = crible_index_find_id(ix, id);
            assert_true(crible_index_numeric(ix, year, d, &v));
            assert_true(v == (with[k] == 650 ? 2024 : 1990 + with[k] / 10));
            assert_false(crible_index_numeric(ix, year, d == 0 ? 1 : d - 1, &v));
        }
        assert_int_equal(range(ix, "year", 1990, 2050), 4);
        assert_int_equal(range(ix, "year", 1990, 2030), 3);
        assert_int_equal(range(ix, "year", 2020, 2025), 2);   /* 2020 (doc-301), 2024 (doc-650) */
        assert_int_equal(range(ix, "year", 1991, 1991), 1);   /* doc-17 */
        assert_int_equal(range(ix, "date", 20210000, 20211231), 2);
        assert_int_equal(range(ix, "rating", 5, 5), 140);
        crible_index_close(ix);
        if (!merged) merge_all(w);
    }
    crible_index_writer_close(w);
}

static void test_dictionary_stats(void **state)
{
    (void)state;
    crible_index_writer *w = open_writer();
    crible_error err = {0};
    for (int i = 0; i < 300; i++) add(w, i, i % 7 == 0 ? "\"source\":\"allocine.fr\"" : NULL);
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    crible_index *ix;
    assert_int_equal(crible_index_open(dir, &ix, &err), CRIBLE_OK);
    crible_term_stats s;
    /* a keyword in 43 documents, tf 1 each (ONES) */
    assert_true(crible_index_term(ix, crible_index_field(ix, "source"), "allocine.fr", 11, &s));
    assert_int_equal(s.df, 43);
    assert_int_equal(s.cf, 43);
    assert_int_equal(s.max_tf, 1);
    /* an id: df 1, tf 1 */
    assert_true(crible_index_term(ix, crible_index_field(ix, "_id"), "doc-299", 7, &s));
    assert_int_equal(s.df, 1);
    assert_int_equal(s.max_tf, 1);
    /* a word twice in some documents: i*5+k*3 mod 12 repeats for k = 0, 4 */
    int text = crible_index_field(ix, "text");
    uint64_t total = 0;
    crible_terms *it;
    assert_int_equal(crible_terms_open(ix, text, &it, &err), CRIBLE_OK);
    const char *t;
    size_t tl;
    int nterms = 0;
    uint32_t max_tf = 0;
    while (crible_terms_next(it, &t, &tl, &s)) {
        nterms++;
        total += s.cf;
        if (s.max_tf > max_tf) max_tf = s.max_tf;
    }
    crible_terms_close(it);
    assert_int_equal(nterms, 12);
    assert_int_equal(max_tf, 2);
    uint64_t tokens = 0;
    for (int i = 0; i < 300; i++) tokens += 3 + i % 4;
    assert_int_equal(total, tokens);
    crible_index_close(ix);
}

/* A MANIFEST naming the segment file seg as segment 1 of dir. */
static void install(const char *seg_path, uint32_t version_patch)
{
    uint8_t *data;
    size_t n;
    crible_error err;
    assert_int_equal(ix_read_file(seg_path, &data, &n, &err), CRIBLE_OK);
    if (version_patch) ix_put32(data + 8, version_patch);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    uint64_t toc = ix_get64(data + n - IX_FOOTER);
    uint32_t maxdoc = 0, ntoc = ix_get32(data + n - IX_FOOTER + 8);
    for (uint32_t i = 0; i < ntoc; i++) {
        const uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
        if (ix_get16(e) == IX_SEC_META) maxdoc = ix_get32(data + ix_get64(e + 8));
    }
    ix_seginfo s = {1, maxdoc, 0, 0, n};
    ix_manifest m = {1, 2, 1, &s, (char *)"{}"};
    assert_int_equal(ix_manifest_write(dir, &m, &err), CRIBLE_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000001.cri", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
}

static void test_version_2(void **state)
{
    (void)state;
    const char *src = getenv("CRIBLE_SRC");
    char seed[1024];
    snprintf(seed, sizeof seed, "%s/tests/fuzz/index/seed-300docs.cri", src ? src : ".");
    uint8_t *data;
    size_t n;
    crible_error err;
    assert_int_equal(ix_read_file(seed, &data, &n, &err), CRIBLE_OK);
    assert_int_equal(ix_get32(data + 8), 2);   /* the seed is a version 2 segment */
    free(data);
    install(seed, 0);
    ix_test_check_clean(dir);
    crible_index *ix;
    assert_int_equal(crible_index_open(dir, &ix, &err), CRIBLE_OK);
    crible_term_stats s;
    int text = crible_index_field(ix, "text");
    assert_true(text >= 0);
    assert_true(crible_index_term(ix, text, "victime", 7, &s));
    assert_true(s.df > 0 && s.cf >= s.df);
    uint64_t *bits = calloc(300 / 64 + 1, 8);
    assert_true(crible_index_range(ix, crible_index_field(ix, "rating"), 0, 10, bits) > 0);
    free(bits);
    crible_index_close(ix);

    /* an unknown version: refused, the file and the version named */
    install(seed, 6);
    crible_status st = crible_index_open(dir, &ix, &err);
    assert_int_equal(st, CRIBLE_EINDEX);
    assert_non_null(strstr(err.message, "seg-000001.cri"));
    assert_non_null(strstr(err.message, "format version 6, this crible reads 2 to 5"));
}

/* A digest of every text term's documents, tfs, positions and variants
 * (through the `=norm` cursors too): equal digests, equal postings. */
static uint64_t digest(crible_index *ix, uint64_t *npos)
{
    crible_error err = {0};
    int text = crible_index_field(ix, "text"), exact = crible_index_field(ix, "text.exact");
    uint64_t h = 1469598103934665603ull;
    *npos = 0;
    for (int field = text; field >= 0; field = field == text ? exact : -1) {
        crible_terms *it;
        assert_int_equal(crible_terms_open(ix, field, &it, &err), CRIBLE_OK);
        const char *t;
        size_t tl;
        crible_term_stats s;
        static uint32_t pos[1 << 16];
        while (crible_terms_next(it, &t, &tl, &s)) {
            crible_postings *p;
            assert_int_equal(crible_postings_open(ix, field, t, tl, &p, &err), CRIBLE_OK);
            for (uint32_t d; (d = crible_postings_next(p)) != CRIBLE_DOC_NONE;) {
                uint32_t tf = crible_postings_tf(p), n = crible_postings_positions(p, pos, 1 << 16);
                assert_int_equal(n, tf);
                h = (h ^ d ^ (uint64_t)tf << 32) * 1099511628211ull;
                for (uint32_t k = 0; k < n; k++) h = (h ^ pos[k]) * 1099511628211ull;
                *npos += n;
            }
            assert_int_equal(crible_postings_error(p, &err), CRIBLE_OK);
            crible_postings_close(p);
        }
        crible_terms_close(it);
    }
    return h;
}

/* Versions 2 and 3 read as version 4 writes: the seeds of the fuzz corpus
 * (the same 300 documents) give the same postings and positions, and a
 * merge of each (written as version 4) the same again. */
static void test_versions_agree(void **state)
{
    (void)state;
    const char *src = getenv("CRIBLE_SRC");
    static const char *seeds[] = {"seed-300docs.cri", "seed-300docs-v3.cri"};
    uint64_t first = 0;
    for (int k = 0; k < 2; k++) {
        char seed[1024];
        snprintf(seed, sizeof seed, "%s/tests/fuzz/index/%s", src ? src : ".", seeds[k]);
        setup(NULL);
        install(seed, 0);
        ix_test_check_clean(dir);
        crible_error err = {0};
        crible_index *ix;
        uint64_t n0, n1;
        assert_int_equal(crible_index_open(dir, &ix, &err), CRIBLE_OK);
        uint64_t h = digest(ix, &n0);
        crible_index_close(ix);
        assert_true(n0 > 1000);
        if (k == 0) first = h;
        assert_true(h == first);
        /* the seed added to an empty index (a shard): written anew */
        char dir2[300], cmd[700];
        snprintf(dir2, sizeof dir2, "%s-b", dir);
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir2);
        assert_int_equal(system(cmd), 0);
        crible_index_writer_options o;
        crible_index_writer_options_default(&o);
        crible_index_writer *w;
        assert_int_equal(crible_index_writer_open(dir2, &o, &w, &err), CRIBLE_OK);
        assert_int_equal(crible_index_writer_add_index(w, dir, &err), CRIBLE_OK);
        assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
        crible_index_writer_close(w);
        ix_test_check_clean(dir2);
        ix_manifest man;
        bool missing;
        assert_int_equal(ix_manifest_read(dir2, &man, &missing, &err), CRIBLE_OK);
        assert_int_equal(man.nsegments, 1);
        char seg[600], name[64];
        ix_segment_name(name, sizeof name, man.segments[0].number);
        ix_manifest_free(&man);
        snprintf(seg, sizeof seg, "%s/%s", dir2, name);
        uint8_t *data;
        size_t n;
        assert_int_equal(ix_read_file(seg, &data, &n, &err), CRIBLE_OK);
        assert_int_equal(ix_get32(data + 8), IX_SEG_VERSION);
        free(data);
        assert_int_equal(crible_index_open(dir2, &ix, &err), CRIBLE_OK);
        assert_true(digest(ix, &n1) == first);
        assert_int_equal(n1, n0);
        crible_index_close(ix);
        assert_int_equal(system(cmd), 0);
    }
}
/* Version 4 positions: blocks of 128 values with exceptions, the last
 * values as varints, found from the sum of the tfs before a document.
 * Word "a" is in every document, "b" (as "b" and "bs", two variants) in
 * every third with gaps up to a few thousand (exceptions), "c" once in
 * a long document at a position far from 0; a cursor that skips
 * documents (advance) reads the same positions as one that reads them
 * all, and the merge of several segments gives them back too. */
static void test_positions_blocks(void **state)
{
    (void)state;
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    o.memory = 40 << 10;   /* several segments */
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(dir, &o, &w, &err), CRIBLE_OK);
    enum { N = 700 };
    static uint32_t len[N];
    for (int i = 0; i < N; i++) {
        char id[32], json[64];
        snprintf(id, sizeof id, "doc-%d", i);
        snprintf(json, sizeof json, "{\"id\":\"%s\"}", id);
        assert_int_equal(crible_index_doc_begin(w, id, json, strlen(json), &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
        crible_index_doc_sentence(w);
        len[i] = i == 500 ? 70000 : 5 + (uint32_t)(i * 7919) % 900;
        for (uint32_t k = 0; k < len[i]; k++) {
            const char *word = "x", *norm = "x";
            if (k % 3 == 0) word = norm = "a";
            else if (i % 3 == 0 && (k * 31 + (uint32_t)i) % 97 == 1) { word = "b"; norm = k % 2 ? "bs" : "b"; }
            else if (i == 500 && k == 69001) word = norm = "c";
            crible_index_token tok = {word, norm, k, k + 1};
            assert_int_equal(crible_index_doc_token(w, &tok, &err), CRIBLE_OK);
        }
        assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
    }
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    ix_test_check_clean(dir);
    static uint32_t pos[1 << 17];
    for (int merged = 0; merged < 2; merged++) {
        crible_index *ix;
        assert_int_equal(crible_index_open(dir, &ix, &err), CRIBLE_OK);
        crible_index_info info;
        crible_index_get_info(ix, &info);
        assert_true(merged ? info.segments == 1 : info.segments > 1);
        int text = crible_index_field(ix, "text");
        static uint32_t which[N];   /* document number -> i */
        for (int i = 0; i < N; i++) {
            char id[32];
            snprintf(id, sizeof id, "doc-%d", i);
            uint32_t d = crible_index_find_id(ix, id);
            assert_true(d < N);
            which[d] = (uint32_t)i;
        }
        for (int skip = 0; skip < 2; skip++) {
            crible_postings *p;
            uint64_t got = 0;
            /* "a": every third position */
            assert_int_equal(crible_postings_open(ix, text, "a", 1, &p, &err), CRIBLE_OK);
            for (uint32_t d = 0; (d = skip ? crible_postings_advance(p, d + 5) : crible_postings_next(p)) != CRIBLE_DOC_NONE;) {
                uint32_t i = which[d];
                uint32_t n = crible_postings_positions(p, pos, 1 << 17);
                assert_int_equal(n, (len[i] + 2) / 3);
                for (uint32_t k = 0; k < n; k++) assert_int_equal(pos[k], 3 * k);
                got++;
            }
            assert_int_equal(got, skip ? (N - 1) / 5 : N);   /* 5, 10, ... 695 */
            crible_postings_close(p);
            /* "b": its positions; "=bs" only the odd ones */
            for (int ex = 0; ex < 2; ex++) {
                if (ex) assert_int_equal(crible_postings_open_exact(ix, text, "bs", 2, &p, &err), CRIBLE_OK);
                else assert_int_equal(crible_postings_open(ix, text, "b", 1, &p, &err), CRIBLE_OK);
                got = 0;
                for (uint32_t d = 0; (d = skip ? crible_postings_advance(p, d + 2) : crible_postings_next(p)) != CRIBLE_DOC_NONE;) {
                    uint32_t i = which[d], n = crible_postings_positions(p, pos, 1 << 17), m = 0;
                    for (uint32_t k = 0; k < len[i]; k++)
                        if (k % 3 && (k * 31 + i) % 97 == 1 && (!ex || k % 2)) {
                            assert_true(m < n);
                            assert_int_equal(pos[m], k);
                            m++;
                        }
                    assert_int_equal(m, n);
                    got += n;
                }
                assert_true(got > (skip ? 100u : 300u));
                crible_postings_close(p);
            }
            assert_int_equal(crible_postings_open(ix, text, "c", 1, &p, &err), CRIBLE_OK);
            assert_int_equal(crible_postings_next(p), crible_index_find_id(ix, "doc-500"));
            assert_int_equal(crible_postings_positions(p, pos, 4), 1);
            assert_int_equal(pos[0], 69001);
            crible_postings_close(p);
        }
        crible_index_close(ix);
        if (!merged) merge_all(w);
    }
    crible_index_writer_close(w);
}

static void test_wtable(void **state)
{
    (void)state;
    static const uint32_t maxes[] = {0, 1, 200, 255, 256, 3000, 65535, 65536, 300000, 0xffffffffu};
    for (size_t k = 0; k < sizeof maxes / sizeof *maxes; k++) {
        for (uint32_t n = 0; n < 300; n += 37) {
            uint32_t v[300];
            for (uint32_t i = 0; i < n; i++) v[i] = (uint32_t)(((uint64_t)i * 2654435761u) % ((uint64_t)maxes[k] + 1));
            if (n) v[n - 1] = maxes[k];
            ix_buf b = {0};
            assert_true(ix_wtable_put(&b, v, n));
            assert_int_equal(ix_wtable_bytes(b.data, b.len, n), b.len);
            assert_true(ix_wtable_valid(b.data, b.len, n));
            for (uint32_t i = 0; i < n; i++) assert_int_equal(ix_wtable_get(b.data, i), v[i]);
            /* never larger than the byte widths */
            size_t bytes = 1 + (size_t)n * (maxes[k] <= 0xff ? 1 : maxes[k] <= 0xffff ? 2 : 4);
            assert_true(b.len <= bytes);
            if (n == 296 && maxes[k] == 3000) assert_int_equal(b.data[0], 0x80 | 12);
            ix_buf_free(&b);
        }
    }
}

/* Builds index d: 3,000 documents in one flush (a ~3,000-term _id
 * dictionary), numeric fields of each kind: rating (5 values: NUMS runs),
 * page (integers, many values: a NUMS table), score (not integers at any
 * scale: NUMV mode 0), year (1 document in 40: sparse), neg (negative,
 * -0 and 0, halves: scale 2); then 1,000 more in a second segment, and the
 * two merged. */
static void build_numeric(const char *d)
{
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(d, &o, &w, &err), CRIBLE_OK);
    for (int i = 0; i < 4000; i++) {
        char meta[256];
        int n = snprintf(meta, sizeof meta, "\"page\":%d,\"score\":%.6f,\"neg\":%s", (i * 7919) % 2500,
                         (i % 97) / 7.0 + 0.1, i % 3 == 0 ? "-0.0" : i % 3 == 1 ? "0" : i % 2 ? "-3.5" : "-1");
        if (i % 40 == 7) snprintf(meta + n, sizeof meta - (size_t)n, ",\"year\":%d", 1900 + i % 123);
        add(w, i, meta);
        if (i == 2999) assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    }
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    char path[600];
    snprintf(path, sizeof path, "cp %s/seg-000001.cri %s/flushed.cri", d, d);
    assert_int_equal(system(path), 0);
    assert_int_equal(crible_index_writer_force_merge(w, &err), CRIBLE_OK);
    crible_index_writer_close(w);
}

/* The flush's term sort (index_buffer.c: a radix sort on 8 bytes at a
 * time, runs of equal keys on the next 8, short runs by insertion) in
 * byte order, as the dictionary must be (check: "terms out of order"):
 * terms sharing 8, 14 and 16 bytes in runs of more and fewer than 32
 * (20 terms of 16 bytes sharing 8: sorted by insertion on the next 8),
 * ending on an 8-byte boundary or one byte before or after, a term that
 * is another's prefix, bytes from 0x80 on (unsigned), and enough terms
 * (25,000 with the ids) for the flush's decoder thread to sort the text field while
 * this one sorts the exact ones; then looked up one by one. */
static void test_term_order(void **state)
{
    (void)state;
    static const char *const forms[] = {"prefixeprefixe%05d", "prefixeprefixe%d", "prefixeprefixe%05dz",
                                        "prefixe%d", "abcdefgh%d", "abcdefg%d", "prefixeprefix\xc3\xa9%d",
                                        "ab%dcdefghijklmnop", "prefixeprefixeprefixe%d", "\xc3\xa9t\xc3\xa9%d",
                                        "groupe08%08d"};
    const int nforms = (int)(sizeof forms / sizeof *forms);
    crible_index_writer *w = open_writer();
    char text[1024], id[32], word[64];
    for (int i = 0; i < 3000; i++) {
        text[0] = 0;
        for (int k = 0; k < nforms; k++) {
            snprintf(word, sizeof word, forms[k], (i * 7 + k) % (k < 3 ? 3000 : k < 10 ? 300 * (k + 1) : 20));
            strcat(text, k ? " " : "");
            strcat(text, word);
        }
        strcat(text, i % 2 ? " prefixeprefixe abcdefgh abcdefg" : " prefixeprefixeprefixe");
        snprintf(id, sizeof id, "doc-%d", i);
        add_text(w, id, text, i, NULL);
    }
    crible_error err = {0};
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);
    crible_index *ix = ix_test_open(dir);
    static const char *const found[] = {"prefixeprefixe02999", "prefixeprefixe", "abcdefgh", "abcdefg",
                                        "abcdefgh99", "prefixeprefix\303\2516", "prefixeprefixeprefixe",
                                        "ab0cdefghijklmnop", "prefixeprefixe00000z", "groupe0800000019"};
    int tf = crible_index_field(ix, "text");
    for (size_t k = 0; k < sizeof found / sizeof *found; k++) {
        crible_term_stats ts;
        if (!crible_index_term(ix, tf, found[k], strlen(found[k]), &ts)) fail_msg("'%s' not found", found[k]);
    }
    crible_index_close(ix);
}

static void test_spill(void **state)
{
    (void)state;
    char dir2[300];
    snprintf(dir2, sizeof dir2, "%s-spilled", dir);
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir2);
    assert_int_equal(system(cmd), 0);
    build_numeric(dir);
    size_t saved = ix_segw_memory;
    ix_segw_memory = 64;   /* every structure spills */
    build_numeric(dir2);
    ix_segw_memory = saved;
    ix_test_check_clean(dir);
    ix_test_check_clean(dir2);
    /* the same files, the flushed segment and the merged one; nothing
     * else (no temporary file left) */
    snprintf(cmd, sizeof cmd, "cd %s && for f in *; do cmp \"$f\" \"%s/$f\" || exit 1; done && "
             "test \"$(ls)\" = \"$(ls %s)\" && ls | grep -c 'cri$' | grep -qx 2 && ! ls | grep -q '[.]cri[.]'",
             dir, dir2, dir2);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/flushed.cri", dir);
    assert_int_equal(section_byte(cmd, "rating", IX_SEC_NUMS, 4), IX_NUMS_RUNS);
    assert_int_equal(section_byte(cmd, "score", IX_SEC_NUMV, 0), 0);
    assert_int_equal(section_byte(cmd, "neg", IX_SEC_NUMV, 0), 1);
    assert_int_equal(section_byte(cmd, "year", IX_SEC_NUMV, 0), 2);
    assert_int_not_equal(section_byte(cmd, "page", IX_SEC_NUMS, 4), IX_NUMS_RUNS);
    /* the merged index answers ranges */
    crible_index *ix = ix_test_open(dir2);
    assert_int_equal(range(ix, "rating", 5, 5), 800);
    assert_int_equal(range(ix, "year", 1900, 3000), 100);
    assert_int_equal(range(ix, "neg", -0.0, 0.0), 2667);
    crible_index_close(ix);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir2);
    assert_int_equal(system(cmd), 0);
}

/* A spill that cannot be written (its temporary file's name taken by a
 * directory, O_TMPFILE refused so that the name is used: as a full disk
 * would, it fails): the commit fails naming the file, the committed index
 * stays as it was, nothing is left behind.
 * suffix: the term dictionary's file (.dict) or a numeric field's sorted
 * pairs' (.nums: the field "rating" is streamed, not built in memory). */
static void spill_error(const char *suffix)
{
    crible_index_writer *w = open_writer();
    crible_error err = {0};
    for (int i = 0; i < 10; i++) add(w, i, NULL);
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    char path[600], name[64];
    snprintf(name, sizeof name, "seg-000002.cri%s", suffix);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
    size_t saved = ix_segw_memory;
    ix_segw_memory = 64;
    ix_spill_tmpfile_refused = EOPNOTSUPP;
    for (int i = 10; i < 100; i++) add(w, i, NULL);
    crible_status st = crible_index_writer_commit(w, &err);
    ix_spill_tmpfile_refused = 0;
    ix_segw_memory = saved;
    assert_int_equal(st, CRIBLE_EIO);
    if (!strstr(err.message, name)) fail_msg("'%s' does not name %s", err.message, name);
    crible_index_writer_close(w);
    assert_int_equal(rmdir(path), 0);
    ix_test_check_clean(dir);
    crible_index *ix = ix_test_open(dir);
    crible_index_info info;
    crible_index_get_info(ix, &info);
    assert_int_equal(info.live_docs, 10);
    crible_index_close(ix);
    snprintf(path, sizeof path, "test ! -e %s/seg-000002.cri && ls %s | grep -c '^seg-' | grep -qx 1", dir, dir);
    assert_int_equal(system(path), 0);
}

static void test_spill_error_dict(void **state)
{
    (void)state;
    spill_error(".dict");
}

static void test_spill_error_nums(void **state)
{
    (void)state;
    spill_error(".nums");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sparse_numeric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dictionary_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positions_blocks, setup, teardown),
        cmocka_unit_test(test_wtable),
        cmocka_unit_test_setup_teardown(test_term_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spill_error_dict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spill_error_nums, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
