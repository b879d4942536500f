/*
 * test_index_segment_exact.c - an exact entry of several (stem, variant)
 * pairs in a segment: the writer sorts the pairs by stem and refuses a
 * stem twice; check verifies each pair's stem and that the entry's df and
 * cf are at most its stems' together: an entry whose df was raised by one
 * (its dictionary byte changed, the CRCs made right again) is reported as
 * "text.exact:chanter: in 4 documents (4 times), more than its 2 stems
 * together (3, 3)".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index_reader.h"
#include "index_segment.h"
#include "index_test.h"
#include "index_writer.h"

static void add(crible_index_writer *w, const char *id, const char *stem)
{
    char json[128];
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"text\":\"chanter\"}", id);
    crible_error err = {0};
    crible_index_token t = {stem, "chanter", 0, 7};
    assert_int_equal(crible_index_doc_begin(w, id, json, strlen(json), &err), CRIBLE_OK);
    assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
    crible_index_doc_sentence(w);
    assert_int_equal(crible_index_doc_token(w, &t, &err), CRIBLE_OK);
    assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
}

typedef struct msgs { char text[4096]; size_t n; } msgs;

static void collect(void *ctx, const char *message)
{
    msgs *m = ctx;
    m->n++;
    size_t l = strlen(m->text);
    snprintf(m->text + l, sizeof m->text - l, "%s\n", message);
}

/* The three documents: "chanter" stemmed "chant" in a, "chanter"
 * in b and c; the exact entry's df raised from 3 to 4. */
static void test_check_df_above_stems(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_ixsegexact.XXXXXX";
    assert_non_null(mkdtemp(dir));
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(dir, &o, &w, &err), CRIBLE_OK);
    add(w, "a", "chant");
    add(w, "b", "chanter");
    add(w, "c", "chanter");
    assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    crible_index_writer_close(w);
    ix_test_check_clean(dir);

    char path[128];
    snprintf(path, sizeof path, "%s/seg-000001.cri", dir);
    uint8_t *data;
    size_t n;
    assert_int_equal(ix_read_file(path, &data, &n, &err), CRIBLE_OK);
    /* the exact field's DICT: its one term "chanter", then its word
     * (df - 1) << 1 | ONES = 5 */
    ix_seginfo info = {1, 3, 0, 0, n};
    ix_segment seg;
    assert_int_equal(ix_segment_open(dir, &info, false, &seg, &err), CRIBLE_OK);
    int ef = ix_segment_field(&seg, "text.exact");
    assert_true(ef >= 0);
    const ix_segfield *f = &seg.fields[ef];
    size_t at = (size_t)(f->dict_data - seg.map);
    ix_segment_close(&seg);
    assert_int_equal(data[at], 7);
    assert_memory_equal(data + at + 1, "chanter", 7);
    assert_int_equal(data[at + 8], 5);
    data[at + 8] = 7;   /* df 4 */
    /* the DICT section's CRC in the TOC, then the TOC's */
    uint64_t toc = ix_get64(data + n - IX_FOOTER);
    uint32_t ntoc = ix_get32(data + n - IX_FOOTER + 8);
    bool patched = false;
    for (uint32_t i = 0; i < ntoc; i++) {
        uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
        uint64_t off = ix_get64(e + 8), len = ix_get64(e + 16);
        if (ix_get16(e) != IX_SEC_DICT || off > at || at >= off + len) continue;
        ix_put32(e + 4, ix_crc32c(0, data + off, len));
        patched = true;
    }
    assert_true(patched);
    ix_put32(data + n - IX_FOOTER + 12, ix_crc32c(0, data + toc, (size_t)ntoc * IX_TOC_ENTRY));
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
    free(data);

    msgs m = {{0}, 0};
    assert_int_not_equal(crible_index_check(dir, collect, &m, &err), CRIBLE_OK);
    if (!strstr(m.text, "text.exact:chanter: in 4 documents (4 times), more than its 2 stems together (3, 3)"))
        fail_msg("check said: %s", m.text);
    assert_int_equal(m.n, 1);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ix_segw_exact_term: the pairs sorted by stem in place; a stem twice is
 * refused. */
static void test_writer_pairs(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_ixsegpairs.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/seg-000001.cri", dir);
    ix_segw *w;
    crible_error err = {0};
    assert_int_equal(ix_segw_open(path, 1, &w, &err), CRIBLE_OK);
    assert_int_equal(ix_segw_field_begin(w, "text.exact", CRIBLE_FIELD_EXACT, 0, -1, NULL, &err), CRIBLE_OK);
    ix_pair p[3] = {{(const uint8_t *)"chanter", 7, 0}, {(const uint8_t *)"chant", 5, 1},
                    {(const uint8_t *)"chanta", 6, 2}};
    assert_int_equal(ix_segw_exact_term(w, (const uint8_t *)"chanter", 7, 3, 3, 1, p, 3, &err), CRIBLE_OK);
    assert_memory_equal(p[0].stem, "chant", 5);
    assert_memory_equal(p[1].stem, "chanta", 6);
    assert_memory_equal(p[2].stem, "chanter", 7);
    ix_pair twice[2] = {{(const uint8_t *)"chant", 5, 0}, {(const uint8_t *)"chant", 5, 1}};
    assert_int_equal(ix_segw_exact_term(w, (const uint8_t *)"chantez", 7, 1, 1, 1, twice, 2, &err), CRIBLE_EINTERNAL);
    assert_non_null(strstr(err.message, "with stem 'chant' twice"));
    ix_segw_abort(w);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_df_above_stems),
        cmocka_unit_test(test_writer_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
