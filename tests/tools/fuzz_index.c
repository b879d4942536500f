/*
 * fuzz_index.c - the index reader against damaged segment files.
 *
 * The input is the bytes of one segment file (seg-000001.cri).  It is put in
 * a scratch index directory with a MANIFEST naming it, then opened and read
 * through every function of index.h (every field's terms, every term's
 * postings with positions, skips and block-max data, exact forms, lengths,
 * sentences, values and ranges, every stored document) and checked with
 * crible_index_check.  Nothing may crash, hang or read out of bounds.
 *
 * libFuzzer (built with -DCRIBLE_FUZZING -fsanitize=fuzzer,address, see
 * tests/fuzz/README): LLVMFuzzerTestOneInput.  Otherwise (as ctest builds it)
 * a main() replays the files or folders given as arguments:
 *     fuzz_index tests/fuzz/index/
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "index_format.h"
#include "index_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];

static void write_file(const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    if (n && fwrite(data, 1, n, f) != n) { perror(path); exit(1); }
    fclose(f);
}

static void ignore(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static void read_everything(crible_index *ix)
{
    crible_index_info info;
    crible_index_get_info(ix, &info);
    (void)crible_index_analysis(ix);
    uint32_t pos[64], starts[64];
    crible_error err;
    for (size_t f = 0; f < crible_index_nfields(ix); f++) {
        crible_field_info fi;
        crible_index_field_get_info(ix, (int)f, &fi);
        (void)crible_index_avg_length(ix, (int)f);
        crible_terms *it;
        if (crible_terms_open(ix, (int)f, &it, &err)) continue;
        const char *t;
        size_t len;
        crible_term_stats ts;
        int nterms = 0;
        while (crible_terms_next(it, &t, &len, &ts) && nterms++ < 2000) {
            char term[CRIBLE_TERM_MAX + 1];
            memcpy(term, t, len);
            for (int exact = 0; exact < 2; exact++) {
                crible_postings *p;
                if ((exact ? crible_postings_open_exact : crible_postings_open)(ix, (int)f, term, len, &p, &err))
                    continue;
                uint32_t d, n = 0;
                while ((d = crible_postings_next(p)) != CRIBLE_DOC_NONE && n++ < 5000) {
                    (void)crible_postings_tf(p);
                    (void)crible_postings_positions(p, pos, 64);
                    (void)crible_index_doc_length(ix, (int)f, d);
                    (void)crible_index_sentences(ix, (int)f, d, starts, 64);
                    if (d + 3 < info.maxdoc && crible_postings_advance(p, d + 3) == CRIBLE_DOC_NONE) break;
                }
                (void)crible_postings_error(p, &err);
                crible_postings_close(p);
            }
            crible_postings *p;
            if (!crible_postings_open(ix, (int)f, term, len, &p, &err)) {
                for (uint32_t target = 0; target < info.maxdoc && target < 2000; target += 97) {
                    uint32_t last = crible_postings_shallow_advance(p, target);
                    (void)crible_postings_block_max_tf(p);
                    (void)crible_postings_block_min_length(p);
                    if (last == CRIBLE_DOC_NONE) break;
                }
                crible_postings_close(p);
            }
            (void)crible_index_term(ix, (int)f, term, len, NULL);
        }
        crible_terms_seek(it, "b", 1);
        (void)crible_terms_next(it, &t, &len, NULL);
        crible_terms_close(it);
        if (fi.kind == CRIBLE_FIELD_NUMERIC) {
            uint64_t *bits = calloc(info.maxdoc / 64 + 1, 8);
            if (bits) {
                (void)crible_index_range(ix, (int)f, -1e18, 1e18, bits);
                free(bits);
            }
            double v;
            for (uint32_t d = 0; d < info.maxdoc && d < 1000; d++) (void)crible_index_numeric(ix, (int)f, d, &v);
        }
    }
    crible_stored_doc doc;
    crible_stored_doc_init(&doc);
    for (uint32_t d = 0; d < info.maxdoc && d < 2000; d++) {
        (void)crible_index_is_deleted(ix, d);
        if (crible_index_doc(ix, d, &doc, &err) == CRIBLE_OK) {
            for (size_t k = 0; k < doc.nfields; k++) {
                const crible_stored_field *sf = &doc.fields[k];
                for (uint32_t t = 0; t < sf->ntokens; t++)
                    if (sf->start[t] > sf->end[t] || sf->end[t] > sf->text_len) abort();
            }
        }
    }
    crible_stored_doc_free(&doc);
    (void)crible_index_find_id(ix, "rev-1");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/crible-fuzz-index-%d", (int)getpid());
        mkdir(dir, 0755);
    }
    /* a MANIFEST naming the segment, whatever its document count says */
    uint32_t maxdoc = 0;
    if (size >= 40) {
        /* the META section's maxdoc, found through the footer and TOC if sane */
        const uint8_t *foot = data + size - IX_FOOTER;
        uint64_t toc = ix_get64(foot);
        uint32_t n = ix_get32(foot + 8);
        uint64_t room = toc <= size - IX_FOOTER ? (size - IX_FOOTER - toc) / IX_TOC_ENTRY : 0;
        for (uint32_t i = 0; i < n && i < room; i++) {
            const uint8_t *e = data + toc + (size_t)i * IX_TOC_ENTRY;
            uint64_t off = ix_get64(e + 8);
            if (ix_get16(e) == IX_SEC_META && off <= size - 4) maxdoc = ix_get32(data + off);
        }
    }
    if (maxdoc > 1000000) maxdoc = 1000000;
    ix_seginfo s = {1, maxdoc, 0, 0, size};
    ix_manifest m = {1, 2, 1, &s, (char *)"{}"};
    crible_error err;
    if (ix_manifest_write(dir, &m, &err)) return 0;
    write_file("seg-000001.cri", data, size);
    crible_index *ix;
    if (crible_index_open(dir, &ix, &err) == CRIBLE_OK) {
        read_everything(ix);
        crible_index_close(ix);
    }
    (void)crible_index_check(dir, ignore, NULL, &err);
    return 0;
}

#ifndef CRIBLE_FUZZING
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *b = realloc(buf, cap);
            if (!b) { fclose(f); free(buf); return 1; }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.') continue;
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
                bad |= run_file(p);
                files++;
            }
            if (d) closedir(d);
        } else {
            bad |= run_file(argv[i]);
            files++;
        }
    }
    if (dir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) bad = 1;
    }
    printf("fuzz_index: %d inputs replayed\n", files);
    return bad;
}
#endif
