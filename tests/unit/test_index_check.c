/*
 * test_index_check.c - `check` reports a term whose positions come back
 * short without the postings cursor finding them damaged (index_check.c):
 * a field flagged with positions whose POS section is gone from the TOC
 * (its CRCs all right: the TOC's own recomputed, as a writer that forgot
 * the section would leave it).  The positions cursor then hands back none
 * and says nothing is wrong; check used to stop walking that term without a
 * word, so a segment of version 2 (tests/fuzz/index/seed-300docs.cri)
 * whose positions had been lost checked with only a field-wide remark, and
 * the last document of a term was never named.  Now each term names its
 * first such document, with the file, the field and the term, and the
 * field says its positions section is missing (on a segment of version 2
 * too, where the terms' dictionary is found damaged as well).
 */
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
#include "index_writer.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crible-test-check-%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int teardown(void **state) { return setup(state); }

/* The problems check reports, one a line. */
static ix_buf reports;

static void collect(void *ctx, const char *message)
{
    (void)ctx;
    assert_true(ix_buf_add(&reports, message, strlen(message)) && ix_buf_add(&reports, "\n", 1));
}

/* Runs check on dir: its status; the problems in `reports` (a C string). */
static crible_status check(void)
{
    reports.len = 0;
    crible_error err = {0};
    crible_status st = crible_index_check(dir, collect, NULL, &err);
    assert_true(ix_buf_add(&reports, "", 1));
    return st;
}

/* The manifest of dir naming seg-000001.cri of `size` bytes, maxdoc documents. */
static void manifest(uint32_t maxdoc, uint64_t size)
{
    crible_error err;
    ix_seginfo s = {1, maxdoc, 0, 0, size};
    ix_manifest m = {1, 2, 1, &s, (char *)"{}"};
    assert_int_equal(ix_manifest_write(dir, &m, &err), CRIBLE_OK);
}

/* A segment (version 4) of three French articles whose field "text" is
 * flagged with positions but got none (its terms' positions take 0
 * bytes): what a writer that forgot them would leave.  "dernier" is in the
 * last document alone. */
static void build(void)
{
    static const char *json[] = {"{\"id\":\"a-0\",\"text\":\"les victimes de harcèlement\"}",
                                 "{\"id\":\"a-1\",\"text\":\"les victimes parlent\"}",
                                 "{\"id\":\"a-2\",\"text\":\"le harcèlement dernier\"}"};
    static const struct { const char *term; uint32_t docs[3], n; } terms[] = {
        {"de", {0}, 1}, {"dernier", {2}, 1}, {"harcèlement", {0, 2}, 2}, {"le", {2}, 1},
        {"les", {0, 1}, 2}, {"parlent", {1}, 1}, {"victimes", {0, 1}, 2},
    };
    uint32_t lengths[3] = {4, 3, 3}, offs[4] = {0, 2, 4, 6};
    assert_int_equal(mkdir(dir, 0700), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000001.cri", dir);
    crible_error err = {0};
    ix_segw *w;
    assert_int_equal(ix_segw_open(path, 3, &w, &err), CRIBLE_OK);
    for (int d = 0; d < 3; d++) {
        uint8_t rec[256];
        size_t jl = strlen(json[d]);
        rec[0] = (uint8_t)jl;   /* varint json length, json, no token fields */
        memcpy(rec + 1, json[d], jl);
        rec[1 + jl] = 0;
        assert_int_equal(ix_segw_stored_doc(w, rec, jl + 2, &err), CRIBLE_OK);
    }
    assert_int_equal(ix_segw_field_begin(w, "text", CRIBLE_FIELD_TEXT, IX_FIELD_POSITIONS, -1, lengths, &err),
                     CRIBLE_OK);
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++) {
        assert_int_equal(ix_segw_term_begin(w, (const uint8_t *)terms[t].term, strlen(terms[t].term), true, 0, &err),
                         CRIBLE_OK);
        for (uint32_t k = 0; k < terms[t].n; k++)
            assert_int_equal(ix_segw_term_doc(w, terms[t].docs[k], 1, NULL, NULL, &err), CRIBLE_OK);
        assert_int_equal(ix_segw_term_end(w, &err), CRIBLE_OK);
    }
    assert_int_equal(ix_segw_field_end(w, 3, 10, &err), CRIBLE_OK);
    assert_int_equal(ix_segw_lengths(w, 0, lengths, 3, &err), CRIBLE_OK);
    ix_buf sent = {0};
    assert_true(ix_buf_add(&sent, "\x01\x00\x01\x00\x01\x00", 6));
    assert_int_equal(ix_segw_sentences(w, 0, offs, &sent, 3, &err), CRIBLE_OK);
    ix_buf_free(&sent);
    uint64_t size;
    assert_int_equal(ix_segw_finish(w, 3, &size, &err), CRIBLE_OK);
    manifest(3, size);
}

/* Installs the segment file src as dir's only segment. */
static void install(const char *src)
{
    uint8_t *data;
    size_t n;
    crible_error err;
    assert_int_equal(ix_read_file(src, &data, &n, &err), CRIBLE_OK);
    assert_int_equal(mkdir(dir, 0700), 0);
    uint64_t toc = ix_get64(data + n - IX_FOOTER);
    uint32_t maxdoc = 0, ntoc = ix_get32(data + n - IX_FOOTER + 8);
    for (uint32_t i = 0; i < ntoc; i++) {
        const uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
        if (ix_get16(e) == IX_SEC_META) maxdoc = ix_get32(data + ix_get64(e + 8));
    }
    manifest(maxdoc, n);
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000001.cri", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
}

/* Takes the POS section (of the field "text": the only one with
 * positions) out of seg-000001.cri's TOC and recomputes the TOC's CRC
 * (the footer's): every CRC stays right. */
static void drop_positions(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000001.cri", dir);
    uint8_t *data;
    size_t n;
    crible_error err;
    assert_int_equal(ix_read_file(path, &data, &n, &err), CRIBLE_OK);
    uint8_t *foot = data + n - IX_FOOTER;
    uint64_t toc = ix_get64(foot);
    uint32_t ntoc = ix_get32(foot + 8), k = 0;
    for (uint32_t i = 0; i < ntoc; i++) {
        uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
        if (ix_get16(e) == IX_SEC_POS) continue;
        memmove(data + toc + (size_t)k++ * IX_TOC_ENTRY, e, IX_TOC_ENTRY);
    }
    assert_int_equal(k, ntoc - 1);
    /* the TOC one entry shorter, the footer right after it */
    uint8_t *nfoot = data + toc + (size_t)k * IX_TOC_ENTRY;
    memmove(nfoot, foot, IX_FOOTER);
    ix_put32(nfoot + 8, k);
    ix_put32(nfoot + 12, ix_crc32c(0, data + toc, (size_t)k * IX_TOC_ENTRY));
    n -= IX_TOC_ENTRY;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
    /* the MANIFEST's size of the segment */
    ix_manifest m;
    assert_int_equal(ix_manifest_read(dir, &m, NULL, &err), CRIBLE_OK);
    m.segments[0].size = n;
    assert_int_equal(ix_manifest_write(dir, &m, &err), CRIBLE_OK);
    ix_manifest_free(&m);
}

static void expect(const char *what)
{
    if (!strstr((const char *)reports.data, what))
        fail_msg("check did not report '%s'; it reported:\n%s", what, (const char *)reports.data);
}

static void test_new_segment(void **state)
{
    (void)state;
    build();
    drop_positions();
    assert_int_equal(check(), CRIBLE_EINDEX);
    expect("seg-000001.cri: field text: has positions but no positions section");
    /* the term of the last document alone, the others at their first */
    expect("seg-000001.cri: text:dernier: document 2 has 0 of its 1 positions");
    expect("seg-000001.cri: text:harcèlement: document 0 has 0 of its 1 positions");
    expect("seg-000001.cri: text:parlent: document 1 has 0 of its 1 positions");
    ix_buf_free(&reports);
}

static void test_version_2_segment(void **state)
{
    (void)state;
    const char *src = getenv("CRIBLE_SRC");
    char seed[1024];
    snprintf(seed, sizeof seed, "%s/tests/fuzz/index/seed-300docs.cri", src ? src : ".");
    install(seed);
    ix_test_check_clean(dir);
    drop_positions();
    assert_int_equal(check(), CRIBLE_EINDEX);
    /* its terms say they have positions: their dictionary is found damaged */
    expect("seg-000001.cri: field text: damaged term dictionary after term 0");
    expect("seg-000001.cri: field text: has positions but no positions section");
    ix_buf_free(&reports);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_2_segment, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
