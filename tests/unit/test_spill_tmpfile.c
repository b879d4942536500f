/*
 * test_spill_tmpfile.c - the index writer's temporary files have no name a
 * crash could leave behind (index_spill.c: ix_spill_tmpfile), and the
 * fallback for file systems that refuse O_TMPFILE still works:
 * - made with O_TMPFILE: inotify sees no file created in the directory
 *   (the old create-then-unlink showed IN_CREATE then IN_DELETE: a kill
 *   between the two left the file), even when the name is taken;
 * - refused (EOPNOTSUPP, EISDIR, EINVAL, made up through
 *   ix_spill_tmpfile_refused): the name is created and unlinked at once,
 *   a file a crash left there is replaced, a name taken by a directory
 *   fails naming it; any other errno (ENOSPC) fails, naming the file;
 * - a spill stream and an external sort of French words, in each mode,
 *   give their bytes back and leave the directory empty;
 * - an index built with every structure spilled (ix_segw_memory 64: the
 *   positions, dictionaries, numeric sorts; a forced merge: its sorts) has
 *   the same bytes in both modes and checks clean; only the fallback
 *   names its temporary files.
 */
#define _GNU_SOURCE   /* O_TMPFILE (Linux) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "index_test.h"
#include "index_format.h"
#include "index_segment.h"
#include "index_spill.h"
#include "index_writer.h"
#include "index_xsort.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crible-test-tmpfile-%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    assert_int_equal(system(cmd), 0);
    ix_spill_tmpfile_refused = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ix_spill_tmpfile_refused = 0;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Whether this file system takes O_TMPFILE (else the tests of it skip). */
static bool has_tmpfile(void)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    return fd >= 0;
#else
    return false;
#endif
}

/* Entries of d other than . and .. */
static int entries(const char *d)
{
    DIR *h = opendir(d);
    assert_non_null(h);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(h)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(h);
    return n;
}

/* An inotify watch of the directory's creations and removals. */
static int watch(void)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    assert_true(fd >= 0);
    assert_true(inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE) >= 0);
    return fd;
}

/* The names created since the watch began (each with a suffix among
 * `suffixes`, "" for any), their count; closes the watch. */
static int created(int fd, const char *suffixes)
{
    char buf[1 << 14] __attribute__((aligned(8)));
    int n = 0;
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + got;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if ((e->mask & IN_CREATE) && e->len) {
                const char *dot = strrchr(e->name, '.');
                n += !*suffixes || (dot && strstr(suffixes, dot) && dot[1]);
            }
            p += sizeof *e + e->len;
        }
    }
    close(fd);
    return n;
}

static const char *phrase = "Les victimes de harcèlement sur les réseaux sociaux ne parlent pas, "
                            "dit-elle ; l'enquête du journal montre qu'elles se taisent des années.\n";

/* Writes French text to fd and reads it back. */
static void round_trip(int fd)
{
    size_t n = strlen(phrase);
    for (int i = 0; i < 100; i++) assert_int_equal(write(fd, phrase, n), (ssize_t)n);
    char back[512];
    assert_int_equal(pread(fd, back, n, (off_t)(57 * n)), (ssize_t)n);
    assert_memory_equal(back, phrase, n);
}

static void test_no_name(void **state)
{
    (void)state;
    if (!has_tmpfile()) skip();
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000003.cri.dict", dir);
    assert_int_equal(mkdir(path, 0700), 0);   /* the name taken: not used */
    int w = watch();
    crible_error err = {0};
    int fd = ix_spill_tmpfile(path, &err);
    if (fd < 0) fail_msg("%s", err.message);
    round_trip(fd);
    assert_int_equal(created(w, ""), 0);
    close(fd);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(entries(dir), 0);
}

/* The fallback on errno e: a name made and unlinked at once. */
static void fallback(int e)
{
    ix_spill_tmpfile_refused = e;
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000003.cri.pos", dir);
    int w = watch();
    crible_error err = {0};
    int fd = ix_spill_tmpfile(path, &err);
    if (fd < 0) fail_msg("%s", err.message);
    assert_int_equal(entries(dir), 0);
    round_trip(fd);
    close(fd);
    assert_int_equal(created(w, ".pos"), 1);
    /* a file a crash left under that name is replaced */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(phrase, f);
    fclose(f);
    fd = ix_spill_tmpfile(path, &err);
    if (fd < 0) fail_msg("%s", err.message);
    assert_int_equal(entries(dir), 0);
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    close(fd);
    /* a name taken by a directory: an error naming it */
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(ix_spill_tmpfile(path, &err), -1);
    if (!strstr(err.message, "seg-000003.cri.pos")) fail_msg("'%s' does not name the file", err.message);
    assert_int_equal(rmdir(path), 0);
    ix_spill_tmpfile_refused = 0;
}

static void test_fallback_eopnotsupp(void **state)
{
    (void)state;
    fallback(EOPNOTSUPP);
}

static void test_fallback_eisdir(void **state)
{
    (void)state;
    fallback(EISDIR);
}

static void test_fallback_einval(void **state)
{
    (void)state;
    fallback(EINVAL);
}

/* Another refusal is an error (no fallback), naming the file. */
static void test_refused(void **state)
{
    (void)state;
    ix_spill_tmpfile_refused = ENOSPC;
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000003.cri.xs7", dir);
    crible_error err = {0};
    assert_int_equal(ix_spill_tmpfile(path, &err), -1);
    if (!strstr(err.message, "seg-000003.cri.xs7") || !strstr(err.message, strerror(ENOSPC)))
        fail_msg("'%s'", err.message);
    assert_int_equal(entries(dir), 0);
}

static int cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* A spill stream of 64 bytes in memory and an external sort in chunks of
 * 256 bytes, over French words, in mode e (0: O_TMPFILE). */
static void streams(int e)
{
    ix_spill_tmpfile_refused = e;
    char path[512];
    snprintf(path, sizeof path, "%s/seg-000004.cri", dir);
    int w = watch();
    crible_error err = {0};
    ix_spill s;
    char sp[600];
    snprintf(sp, sizeof sp, "%s.dict", path);
    ix_spill_init(&s, sp, 64);
    ix_xsort *xs;
    assert_int_equal(ix_xsort_open(&xs, path, 3, 256, cmp_bytes, &err), CRIBLE_OK);
    ix_buf all = {0};
    size_t nwords = 0;
    for (int i = 0; i < 20; i++) {
        for (const char *p = phrase; *p;) {
            size_t l = strcspn(p, " ,;.\n");
            if (l) {
                assert_int_equal(ix_spill_add(&s, p, l, &err), CRIBLE_OK);
                assert_true(ix_buf_add(&all, p, l));
                assert_int_equal(ix_xsort_add(xs, p, l, &err), CRIBLE_OK);
                nwords++;
            }
            p += l + (p[l] != 0);
        }
    }
    assert_true(s.flushed > 0);   /* it did spill */
    assert_int_equal(ix_xsort_finish(xs, false, &err), CRIBLE_OK);
    assert_true(ix_xsort_runs(xs) > 1);
    assert_int_equal(entries(dir), 0);
    ix_spill_reader *rd = malloc(sizeof *rd);
    assert_non_null(rd);
    ix_spill_reader_init(rd, &s);
    crible_status st = CRIBLE_OK;
    const uint8_t *p = ix_spill_next(rd, all.len, &st, &err);
    assert_non_null(p);
    assert_memory_equal(p, all.data, all.len);
    free(rd);
    const uint8_t *rec, *prev = NULL;
    size_t len, plen = 0, n = 0;
    uint8_t last[64];
    while (ix_xsort_next(xs, &rec, &len, &err) == 1) {
        if (prev) {
            int c = memcmp(prev, rec, plen < len ? plen : len);
            assert_true(c < 0 || (c == 0 && plen <= len));
        }
        assert_true(len <= sizeof last);
        memcpy(last, rec, len);
        prev = last;
        plen = len;
        n++;
    }
    assert_int_equal(n, nwords);
    ix_xsort_free(xs);
    ix_spill_free(&s);
    ix_buf_free(&all);
    assert_int_equal(created(w, ".dict .xs3"), e ? 2 : 0);
    assert_int_equal(entries(dir), 0);
    ix_spill_tmpfile_refused = 0;
}

static void test_streams(void **state)
{
    (void)state;
    if (has_tmpfile()) streams(0);
    streams(EOPNOTSUPP);
}

/* Builds an index in d: three commits of French sentences with ratings,
 * then a forced merge, every structure spilled.  Returns the temporary
 * files' names created in d. */
static int build(const char *d)
{
    static const char *words[] = {"les", "victimes", "parlent", "pas", "harcèlement", "réseaux",
                                  "sociaux", "enquête", "journal", "années", "silence", "témoins"};
    crible_index_writer_options o;
    crible_index_writer_options_default(&o);
    crible_index_writer *w;
    crible_error err = {0};
    assert_int_equal(mkdir(d, 0700), 0);
    int wd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    assert_true(wd >= 0);
    assert_true(inotify_add_watch(wd, d, IN_CREATE | IN_DELETE) >= 0);
    size_t saved = ix_segw_memory;
    ix_segw_memory = 64;
    assert_int_equal(crible_index_writer_open(d, &o, &w, &err), CRIBLE_OK);
    for (int i = 0; i < 300; i++) {
        char id[32], json[256];
        snprintf(id, sizeof id, "doc-%d", i);
        snprintf(json, sizeof json, "{\"id\":\"%s\",\"rating\":%d.%d}", id, i % 5, i % 2 * 5);
        assert_int_equal(crible_index_doc_begin(w, id, json, strlen(json), &err), CRIBLE_OK);
        assert_int_equal(crible_index_doc_field(w, "text", &err), CRIBLE_OK);
        crible_index_doc_sentence(w);
        uint32_t a = 0;
        for (int k = 0; k < 4 + i % 5; k++) {
            const char *t = words[(i * 7 + k * 5) % 12];
            crible_index_token tok = {t, t, a, a + (uint32_t)strlen(t)};
            assert_int_equal(crible_index_doc_token(w, &tok, &err), CRIBLE_OK);
            a += (uint32_t)strlen(t) + 1;
        }
        assert_int_equal(crible_index_doc_end(w, &err), CRIBLE_OK);
        if (i % 100 == 99) assert_int_equal(crible_index_writer_commit(w, &err), CRIBLE_OK);
    }
    crible_status st = crible_index_writer_force_merge(w, &err);
    if (st) fail_msg("%s", err.message);
    crible_index_writer_close(w);
    ix_segw_memory = saved;
    ix_test_check_clean(d);
    return created(wd, ".pos .dict .offs .nums .xs0 .xs1 .xs2 .xs1000 .xs1001");
}

static void test_index(void **state)
{
    (void)state;
    char a[300], b[300], cmd[800];
    snprintf(a, sizeof a, "%s/tmpfile", dir);
    snprintf(b, sizeof b, "%s/fallback", dir);
    int named = build(a);
    if (has_tmpfile()) assert_int_equal(named, 0);
    ix_spill_tmpfile_refused = EOPNOTSUPP;
    assert_true(build(b) >= 4);   /* positions, dictionary, offsets, sorts */
    ix_spill_tmpfile_refused = 0;
    snprintf(cmd, sizeof cmd, "cd %s && for f in seg-*.cri MANIFEST; do cmp $f ../fallback/$f || exit 1; done", a);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "ls %s %s | grep -v -e '^seg-[0-9]*\\.cri$' -e MANIFEST -e LOCK -e ':$' -e '^$' | grep -q .",
             a, b);
    assert_int_not_equal(system(cmd), 0);   /* nothing else left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallback_eopnotsupp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallback_eisdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallback_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
