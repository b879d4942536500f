/*
 * test_index_merge.c - merges in bounded memory (index_merge.c and its
 * external sort, index_xsort.c):
 * - the sorter gives records in order, stably, from memory and from many
 *   runs in its temporary file, and leaves no file behind;
 * - a forced merge of 61 small segments (in rounds: a merge reads at most
 *   IX_MERGE_MAX_AT_ONCE) with many tombstones (every third document
 *   deleted, some replaced) writes the same bytes whether its sorts fit in
 *   memory or spill to dozens of runs (the segment writer's dictionaries
 *   and numeric sorts too), checks clean, and answers every stem
 *   and every exact form (documents by id, term frequencies, positions) as
 *   an index built in one segment from the surviving documents alone does;
 * - so does the merge policy at commit, with a merge factor of 2 (classes
 *   of more than IX_MERGE_MAX_AT_ONCE segments merged in rounds);
 * - so does a shard of more than IX_MERGE_MAX_AT_ONCE segments added to
 *   another index (ix_merge's own rounds through a temporary segment), and
 *   one of about a hundred, whose rounds make a tree: each document is
 *   written twice at most (ix_merge_docs_written).
 *
 * Documents: the paragraphs of the repository's French corpus (corpus/),
 * tokenized here (split on what is not a letter, ASCII lower-cased) with a
 * toy stemmer that strips a final -es, -s or -e, so that most stems have
 * several forms ("grand", "grande", "grands") and the exact field is
 * rebuilt from many variants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index.h"
#include "index_test.h"
#include "index_merge.h"
#include "index_segment.h"
#include "index_writer.h"
#include "index_xsort.h"

static char dir[256], dir2[256], dir3[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crible-test-merge-%d-a", (int)getpid());
    snprintf(dir2, sizeof dir2, "/tmp/crible-test-merge-%d-b", (int)getpid());
    snprintf(dir3, sizeof dir3, "/tmp/crible-test-merge-%d-c", (int)getpid());
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s", dir, dir2, dir3);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int teardown(void **state) { return setup(state); }

/* --- the sorter ----------------------------------------------------------- */

/* Records: a 1-byte key length, the key; then a 4-byte serial (not part of
 * the order: it shows stability). */
static int cmp_key(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    (void)alen;
    (void)blen;
    int c = memcmp(a + 1, b + 1, a[0] < b[0] ? a[0] : b[0]);
    return c ? c : (a[0] > b[0]) - (a[0] < b[0]);
}

typedef struct rec { uint8_t bytes[64]; size_t len; uint32_t serial; } rec;

static int cmp_rec(const void *x, const void *y)
{
    const rec *a = x, *b = y;
    int c = cmp_key(a->bytes, a->len, b->bytes, b->len);
    return c ? c : (a->serial > b->serial) - (a->serial < b->serial);
}

static unsigned sort_and_check(size_t budget, bool spill, uint32_t n)
{
    rec *r = calloc(n, sizeof *r);
    assert_non_null(r);
    srand(7);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t kl = (uint8_t)(1 + rand() % 6);   /* few distinct keys: many ties */
        r[i].bytes[0] = kl;
        for (uint8_t k = 0; k < kl; k++) r[i].bytes[1 + k] = (uint8_t)("aeé"[rand() % 3]);
        memcpy(r[i].bytes + 1 + kl, &i, 4);
        r[i].len = 1u + kl + 4 + (size_t)(rand() % 20);   /* trailing bytes of any value */
        r[i].serial = i;
    }
    ix_xsort *s;
    crible_error err = {0};
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s-sort", dir);
    assert_int_equal(ix_xsort_open(&s, prefix, 3, budget, cmp_key, &err), CRIBLE_OK);
    for (uint32_t i = 0; i < n; i++) assert_int_equal(ix_xsort_add(s, r[i].bytes, r[i].len, &err), CRIBLE_OK);
    assert_int_equal(ix_xsort_finish(s, spill, &err), CRIBLE_OK);
    qsort(r, n, sizeof *r, cmp_rec);
    const uint8_t *p;
    size_t len;
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(ix_xsort_next(s, &p, &len, &err), 1);
        assert_int_equal(len, r[i].len);
        assert_memory_equal(p, r[i].bytes, len);
    }
    assert_int_equal(ix_xsort_next(s, &p, &len, &err), 0);
    assert_int_equal(ix_xsort_next(s, &p, &len, &err), 0);
    unsigned runs = ix_xsort_runs(s);
    char path[400];
    snprintf(path, sizeof path, "%s.xs3", prefix);
    assert_int_not_equal(access(path, F_OK), 0);   /* unlinked from the start */
    ix_xsort_free(s);
    free(r);
    return runs;
}

static void test_xsort(void **state)
{
    (void)state;
    assert_int_equal(sort_and_check(4u << 20, false, 20000), 0);   /* in memory */
    assert_int_equal(sort_and_check(4u << 20, true, 20000), 1);    /* one run, read back */
    assert_true(sort_and_check(8192, false, 20000) > 50);          /* many runs merged */
    assert_int_equal(sort_and_check(8192, false, 0), 0);
    assert_int_equal(sort_and_check(8192, true, 1), 1);
}

/* --- merges --------------------------------------------------------------- */

typedef struct para { char id[64]; char *text; } para;

/* The sentences and short lines (30 bytes or more) of corpus/. */
static para *load_corpus(size_t *n)
{
    const char *src = getenv("CRIBLE_SRC");
    char root[1024];
    snprintf(root, sizeof root, "%s/corpus", src ? src : ".");
    para *ps = NULL;
    size_t np = 0, cap = 0;
    DIR *top = opendir(root);
    assert_non_null(top);
    struct dirent *e, *f;
    char **names = NULL;
    size_t nn = 0;
    while ((e = readdir(top))) {
        if (e->d_name[0] == '.') continue;
        char sub[1300];
        snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
        DIR *d = opendir(sub);
        if (!d) continue;
        while ((f = readdir(d))) {
            if (f->d_name[0] == '.') continue;
            names = realloc(names, (nn + 1) * sizeof *names);
            size_t l = strlen(sub) + strlen(f->d_name) + 2;
            names[nn] = malloc(l);
            snprintf(names[nn++], l, "%s/%s", sub, f->d_name);
        }
        closedir(d);
    }
    closedir(top);
    qsort(names, nn, sizeof *names, (int (*)(const void *, const void *))strcmp);   /* readdir's order varies */
    for (size_t i = 0; i < nn; i++) {
        FILE *fp = fopen(names[i], "rb");
        assert_non_null(fp);
        char *buf = malloc(1 << 20);
        size_t len = fread(buf, 1, (1 << 20) - 1, fp);
        fclose(fp);
        buf[len] = 0;
        char *p = buf;
        for (int k = 0; *p; k++) {
            size_t l = 0;   /* up to a line's end or a sentence's */
            while (p[l] && p[l] != '\n' && !(l >= 40 && p[l] == '.' && p[l + 1] == ' ')) l++;
            if (p[l] == '.') l++;
            if (l >= 30) {
                if (np == cap) ps = realloc(ps, (cap = cap ? cap * 2 : 256) * sizeof *ps);
                snprintf(ps[np].id, sizeof ps[np].id, "%zu-%d", i, k);
                ps[np].text = strndup(p, l);
                for (char *c = ps[np].text; *c; c++)
                    if (*c == '\n' || *c == '"' || *c == '\\' || *c == '\t' || *c == '\r') *c = ' ';
                np++;
            }
            p += l;
            while (*p == '\n' || *p == ' ') p++;
        }
        free(buf);
        free(names[i]);
    }
    free(names);
    *n = np;
    return ps;
}

static bool letter(unsigned char c) { return isalnum(c) || c >= 0x80; }

/* The toy stem of a lower-cased form. */
static void stem_of(const char *norm, char *stem)
{
    size_t l = strlen(norm);
    strcpy(stem, norm);
    if (l > 4 && !strcmp(norm + l - 2, "es")) stem[l - 2] = 0;
    else if (l > 3 && (norm[l - 1] == 's' || norm[l - 1] == 'e')) stem[l - 1] = 0;
}

static void add(crible_index_writer *w, const char *id, const char *text)
{
    size_t n = strlen(text);
    char *json = malloc(n + 200);
    /* numbers: few values (runs), many (a table), not integers at any
     * scale, and one few documents have (sparse) */
    unsigned h = 0;
    for (const char *c = id; *c; c++) h = h * 31 + (unsigned char)*c;
    int jl = snprintf(json, n + 200, "{\"id\":\"%s\",\"text\":\"%s\",\"rating\":%u,\"page\":%u,\"score\":%.5f",
                     id, text, h % 5, h % 4099, (h % 1000) / 7.0);
    if (h % 17 == 0) jl += snprintf(json + jl, n + 200 - (size_t)jl, ",\"year\":%u", 1900 + h % 120);
    snprintf(json + jl, n + 200 - (size_t)jl, "}");
    crible_error err = {0};
    assert_int_equal(crible_index_doc_begin(w, id, json, strlen(json), &err), CRIBLE_OK);
    assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
    crible_index_doc_sentence(w);
    for (size_t i = 0; i < n;) {
        while (i < n && !letter((unsigned char)text[i])) {
            if (text[i] == '.') crible_index_doc_sentence(w);
            i++;
        }
        size_t a = i;
        while (i < n && letter((unsigned char)text[i])) i++;
        if (i == a || i - a > 60) continue;
        char norm[64], stem[64];
        for (size_t k = a; k < i; k++) norm[k - a] = (char)tolower((unsigned char)text[k]);
        norm[i - a] = 0;
        stem_of(norm, stem);
        crible_index_token t = {stem, norm, (uint32_t)a, (uint32_t)i};
        assert_int_equal(crible_index_doc_token(w, &t, &err), CRIBLE_OK);
    }
    assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
    free(json);
}

static crible_index_writer *writer(const char *d, unsigned long long memory, int factor)
{
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    o.memory = memory;
    o.merge_factor = factor;
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(crible_index_writer_open(d, &o, &w, &err), CRIBLE_OK);
    return w;
}

static void commit(crible_index_writer *w, bool merge)
{
    crible_error err = {0};
    crible_status st = merge ? crible_index_writer_force_merge(w, &err) : crible_index_writer_commit(w, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
}

/* The one segment file of index d (its bytes, malloc'd). */
static uint8_t *segment_bytes(const char *d, size_t *n)
{
    DIR *dd = opendir(d);
    assert_non_null(dd);
    struct dirent *e;
    char path[1300] = "";
    int segs = 0;
    while ((e = readdir(dd)))
        if (!strncmp(e->d_name, "seg-", 4) && strstr(e->d_name, ".cri")) {
            snprintf(path, sizeof path, "%s/%s", d, e->d_name);
            segs++;
        }
    closedir(dd);
    assert_int_equal(segs, 1);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*n + 1);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* What a term answers, independent of document numbers: its documents by
 * id, with their tfs and positions, folded into a sum. */
typedef struct answer { uint32_t df; uint64_t sum; } answer;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static answer ask(const crible_index *ix, bool exact, const char *term)
{
    crible_postings *p;
    crible_error err = {0};
    int field = crible_index_field(ix, "text");
    crible_status st = exact ? crible_postings_open_exact(ix, field, term, strlen(term), &p, &err)
                             : crible_postings_open(ix, field, term, strlen(term), &p, &err);
    assert_int_equal(st, CRIBLE_OK);
    answer a = {0, 0};
    crible_stored_doc sd;
    crible_stored_doc_init(&sd);
    for (uint32_t d; (d = crible_postings_next(p)) != CRIBLE_DOC_NONE;) {
        assert_int_equal(crible_index_doc(ix, d, &sd, &err), CRIBLE_OK);
        uint32_t pos[4096], tf = crible_postings_tf(p);
        uint32_t got = crible_postings_positions(p, pos, 4096);
        assert_int_equal(got, tf < 4096 ? tf : 4096);
        uint64_t h = hash_str(sd.id) * (tf + 1);
        for (uint32_t i = 0; i < got; i++) h = h * 31 + pos[i];
        a.df++;
        a.sum += h;
    }
    crible_stored_doc_free(&sd);
    crible_postings_close(p);
    return a;
}

/* Index d: one segment per ~4 paragraphs (61 segments), then every third
 * deleted and every seventh added again with another paragraph's text;
 * merge_factor `factor` at both commits. */
static void build_in(const char *d, const para *ps, size_t np, int factor, unsigned long long memory)
{
    crible_index_writer *w = writer(d, memory, factor);
    for (size_t i = 0; i < np; i++) add(w, ps[i].id, ps[i].text);
    commit(w, false);
    for (size_t i = 0; i < np; i += 3) {
        crible_error err = {0};
        assert_int_equal(crible_index_writer_delete(w, ps[i].id, &err), CRIBLE_OK);
    }
    for (size_t i = 1; i < np; i += 7) add(w, ps[i].id, ps[(i * 5) % np].text);
    commit(w, false);
    crible_index_writer_close(w);
}

static void build(const char *d, const para *ps, size_t np, int factor)
{
    build_in(d, ps, np, factor, 16u << 10);
}

/* Index d3: the documents build() leaves alive, in one segment. */
static void build_survivors(const char *d3, const para *ps, size_t np)
{
    crible_index_writer *w = writer(d3, 256u << 20, 8);
    for (size_t i = 0; i < np; i++) {
        if (i % 3 == 0 && i % 7 != 1) continue;   /* deleted, not added again */
        add(w, ps[i].id, i % 7 == 1 ? ps[(i * 5) % np].text : ps[i].text);
    }
    commit(w, false);
    crible_index_writer_close(w);
}

static crible_index_info info_of(const char *d)
{
    crible_index *ix = ix_test_open(d);
    crible_index_info info;
    crible_index_get_info(ix, &info);
    crible_index_close(ix);
    return info;
}

/* Every form of every paragraph (deleted or not) and its stem answer the
 * same in index d as in d3. */
static void same_answers(const char *d, const char *d3, const para *ps, size_t np)
{
    crible_index *merged = ix_test_open(d), *fresh = ix_test_open(d3);
    crible_index_info a, b;
    crible_index_get_info(merged, &a);
    crible_index_get_info(fresh, &b);
    assert_int_equal(a.live_docs, b.live_docs);
    size_t asked = 0;
    for (size_t i = 0; i < np; i++) {
        const char *t = ps[i].text;
        for (size_t k = 0, n = strlen(t); k < n;) {
            while (k < n && !letter((unsigned char)t[k])) k++;
            size_t s = k;
            while (k < n && letter((unsigned char)t[k])) k++;
            if (k == s || k - s > 60) continue;
            char norm[64], stem[64];
            for (size_t j = s; j < k; j++) norm[j - s] = (char)tolower((unsigned char)t[j]);
            norm[k - s] = 0;
            stem_of(norm, stem);
            answer x = ask(merged, true, norm), y = ask(fresh, true, norm);
            assert_int_equal(x.df, y.df);
            assert_true(x.sum == y.sum);
            x = ask(merged, false, stem);
            y = ask(fresh, false, stem);
            assert_int_equal(x.df, y.df);
            assert_true(x.sum == y.sum);
            asked++;
        }
    }
    assert_true(asked > 3000);
    /* a deleted paragraph's id is gone, a replaced one's is there */
    assert_int_equal(crible_index_find_id(merged, ps[0].id), CRIBLE_DOC_NONE);
    assert_int_not_equal(crible_index_find_id(merged, ps[1].id), CRIBLE_DOC_NONE);
    crible_index_close(merged);
    crible_index_close(fresh);
}

static void free_corpus(para *ps, size_t np)
{
    for (size_t i = 0; i < np; i++) free(ps[i].text);
    free(ps);
}

static void test_merge_tombstones(void **state)
{
    (void)state;
    size_t np;
    para *ps = load_corpus(&np);
    assert_true(np > 200);
    build(dir, ps, np, 100);   /* no merge until asked */
    assert_true(info_of(dir).segments > IX_MERGE_MAX_AT_ONCE);   /* forced: in rounds */
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "cp -r %s %s", dir, dir2);
    assert_int_equal(system(cmd), 0);

    /* the same merge in 4 MiB and in 8 KiB (sorts spilled to many runs),
     * the segment writer's dictionaries and numeric sorts spilled too */
    size_t saved = ix_merge_sort_memory, saved_segw = ix_segw_memory;
    crible_index_writer *w = writer(dir, 1u << 20, 8);
    commit(w, true);
    crible_index_writer_close(w);
    ix_merge_sort_memory = 1;   /* the sorter's minimum, 8 KiB */
    ix_segw_memory = 64;
    w = writer(dir2, 1u << 20, 8);
    commit(w, true);
    crible_index_writer_close(w);
    ix_merge_sort_memory = saved;
    ix_segw_memory = saved_segw;
    size_t n1, n2;
    uint8_t *b1 = segment_bytes(dir, &n1), *b2 = segment_bytes(dir2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    ix_test_check_clean(dir);
    crible_index_info info = info_of(dir);
    assert_int_equal(info.segments, 1);
    assert_int_equal(info.maxdoc, info.live_docs);   /* the tombstones are gone */

    build_survivors(dir3, ps, np);
    same_answers(dir, dir3, ps, np);
    free_corpus(ps, np);
}

/* The merge policy with more than IX_MERGE_MAX_AT_ONCE segments of one
 * class: merged in rounds at commit, the answers unchanged. */
static void test_merge_policy_rounds(void **state)
{
    (void)state;
    size_t np;
    para *ps = load_corpus(&np);
    build(dir, ps, np, 2);
    uint32_t n = info_of(dir).segments;
    assert_true(n >= 2 && n < 12);
    ix_test_check_clean(dir);
    build_survivors(dir3, ps, np);
    same_answers(dir, dir3, ps, np);
    free_corpus(ps, np);
}

/* The shard `shard` (built by build_in from ps) added to the empty index
 * dir2: one segment in the end, no file left behind, checks clean, the
 * same answers as the survivors built in one segment.  Returns the
 * documents the merges wrote (ix_merge_docs_written). */
static uint64_t add_shard(const char *shard, const para *ps, size_t np)
{
    crible_index_writer *w = writer(dir2, 1u << 20, 8);
    crible_error err = {0};
    uint64_t before = ix_merge_docs_written;
    crible_status st = crible_index_writer_add_index(w, shard, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, CRIBLE_OK);
    commit(w, false);
    crible_index_writer_close(w);
    uint64_t written = ix_merge_docs_written - before;
    ix_test_check_clean(dir2);
    crible_index_info info = info_of(dir2);
    assert_int_equal(info.segments, 1);
    assert_int_equal(info.maxdoc, info.live_docs);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls %s | grep -c '^seg-') -eq 1", dir2);
    assert_int_equal(system(cmd), 0);
    build_survivors(dir3, ps, np);
    same_answers(dir2, dir3, ps, np);
    return written;
}

/* A shard of more than IX_MERGE_MAX_AT_ONCE segments (with tombstones)
 * added to another index: merged in rounds through a temporary segment
 * (index_merge.c). */
static void test_shard_rounds(void **state)
{
    (void)state;
    size_t np;
    para *ps = load_corpus(&np);
    build(dir, ps, np, 100);
    assert_true(info_of(dir).segments > IX_MERGE_MAX_AT_ONCE);
    add_shard(dir, ps, np);
    free_corpus(ps, np);
}

/* A shard of more than a hundred segments added to another index: merged
 * in a tree of rounds (index_merge.c, level_groups), so that every
 * document is written twice at most (once in a round's temporary segment,
 * once in the end), where a chain of rounds (each round's segment a
 * source of the next) wrote the first ones once a round: 2.1 times the
 * documents for 100 sources, n^2 / 62 sources' worth for n (166
 * one-document segments: 531 written by the chain, 305 by the tree). */
static void test_shard_tree(void **state)
{
    (void)state;
    size_t np;
    para *ps = load_corpus(&np);
    build_in(dir, ps, np, 1000, 8u << 10);   /* no merge at commit */
    uint32_t nsegs = info_of(dir).segments;
    if (nsegs < 100 || nsegs > 1024) fail_msg("%u segments in the shard, not about 100", nsegs);
    uint64_t written = add_shard(dir, ps, np);
    uint32_t live = info_of(dir2).live_docs;
    fprintf(stderr, "%u segments, %u documents: %llu written by the merge\n", nsegs, live,
            (unsigned long long)written);
    assert_true(written > live);          /* rounds first */
    assert_true(written <= 2ull * live);  /* each document twice at most */
    free_corpus(ps, np);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_xsort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_tombstones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_policy_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shard_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shard_tree, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
