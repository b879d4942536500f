/*
 * fuzz_json_fast.c - fuzzing the plain-JSON fast path (json_fast.h) and its
 * uses against jansson: whatever the bytes (valid UTF-8 without NUL, as the
 * callers check first), the differential oracle of json_fast_oracle.h must
 * find no difference (nothing accepted that jansson rejects, everything
 * accepted read as jansson reads it).
 *
 * libFuzzer (clang), from the source tree:
 *   L=stages/lib
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DCRIBLE_LIBFUZZER \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -std=c17 -I$L \
 *     tests/tools/fuzz_json_fast.c $L/json_fast.c $L/index_docjson.c \
 *     $L/index_format.c $L/utf8.c $L/error.c -ljansson -lisal -o fuzz_json_fast
 *   mkdir -p corpus-json && split -l 1 corpus/avis/avis-lecteurs.jsonl corpus-json/
 *   ./fuzz_json_fast -max_total_time=300 corpus-json/
 * Built by ctest's build without libFuzzer, main() replays the files given
 * (one input per line) or, with none, corpus/avis/avis-lecteurs.jsonl.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "json_fast_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (crible_utf8_invalid_offset(s, size) != size || memchr(s, '\0', size))
        return 0;   /* the callers reject these first */
    const char *why = json_fast_oracle(s, size, NULL);
    if (why) {
        fprintf(stderr, "the fast path and jansson disagree on %s: %.*s\n", why, (int)size, s);
        abort();
    }
    return 0;
}

#ifndef CRIBLE_LIBFUZZER
int main(int argc, char **argv)
{
    const char *def[] = {argv[0], "corpus/avis/avis-lecteurs.jsonl"};
    if (argc < 2) {
        argv = (char **)def;
        argc = 2;
    }
    long lines = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 5;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            LLVMFuzzerTestOneInput((const uint8_t *)line, (size_t)n);
            lines++;
        }
        free(line);
        fclose(f);
    }
    printf("%ld inputs replayed\n", lines);
    return 0;
}
#endif
