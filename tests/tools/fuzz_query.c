/*
 * fuzz_query.c - fuzzing the query parser: whatever the bytes, parsing
 * never crashes, never reads out of bounds, and either gives a tree or a
 * syntax error whose position lies inside the query.
 *
 * libFuzzer (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DCRIBLE_LIBFUZZER \
 *     -Istages/lib tests/tools/fuzz_query.c stages/lib/query_parse.c stages/lib/error.c \
 *     -o fuzz_query && ./fuzz_query -max_total_time=300 corpus_dir/
 * Built by ctest's build without libFuzzer, main() replays the files given
 * (a corpus, crash reproducers) or, with none, a built-in set of nasty
 * queries, through the same entry point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0'; /* the parser reads C strings: an embedded NUL ends it */
    size_t len = strlen(q);
    for (int mode = 0; mode < 2; mode++) {
        crible_query_parse_options o = {mode == 1, 5};
        crible_qnode *tree = NULL;
        crible_query_syntax syn;
        crible_error err;
        crible_status st = crible_query_parse(q, &o, &tree, &syn, &err);
        if (st == CRIBLE_OK) {
            if (!tree)
                abort();
            char buf[256];
            crible_qnode_print(tree, buf, sizeof buf);
            crible_qnode_free(tree);
        } else {
            if (tree || syn.pos > len || (st != CRIBLE_EDATA && st != CRIBLE_ENOMEM))
                abort();
            char drawn[512];
            crible_query_syntax_format(q, &syn, drawn, sizeof drawn);
        }
    }
    free(q);
    return 0;
}

#ifndef CRIBLE_LIBFUZZER
static const char *const nasty[] = {
    "", " ", "(", ")", "\"", "((((", "))))", "\"\"", "« »", "«", "“", "-", "--", "+", "=",
    "*", "~", "~3", "a~9", "NOT", "NOT NOT", "OR", "AND", "NEAR", "NEAR/", "NEAR/s",
    "a NEAR/99999999999 b", "a NEAR/-1 b", "title:", "title:\"", "title:(", "rating>=",
    "rating>", "date:..", "date:2020..", "a:b:c", "http://x.y/z", "l'avion arc-en-ciel",
    "(a OR (b AND (c NEAR/2 d))) -e", "\xff\xfe", "\xc3", "é\xe2\x80", "title:(a OR", "a OR OR b",
    "a AND", "AND a", "-(a)", "=\"x\"", "person:\"Kevin Anderson\" platform:netflix rating>=4",
    NULL};

int main(int argc, char **argv)
{
    if (argc < 2) {
        for (size_t i = 0; nasty[i]; i++)
            LLVMFuzzerTestOneInput((const uint8_t *)nasty[i], strlen(nasty[i]));
        /* Deep nesting must be refused, not recursed into. */
        char deep[20001];
        memset(deep, '(', 20000);
        deep[20000] = '\0';
        LLVMFuzzerTestOneInput((const uint8_t *)deep, 20000);
        memset(deep, '-', 20000);
        LLVMFuzzerTestOneInput((const uint8_t *)deep, 20000);
        for (int i = 0; i < 20000; i += 2)
            deep[i] = 'a', deep[i + 1] = ' ';
        LLVMFuzzerTestOneInput((const uint8_t *)deep, 20000);
        puts("fuzz_query: built-in cases passed");
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("fuzz_query: %d file(s) passed\n", argc - 1);
    return 0;
}
#endif
