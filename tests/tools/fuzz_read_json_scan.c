/*
 * fuzz_read_json_scan.c - fuzzing the JSON Lines fast path of crible-read
 * (read_json_scan.h) against jansson: whatever the bytes (valid UTF-8, as
 * crible-read checks first), the scanner never says "yes" to a line jansson
 * refuses, and reports id, title and text as jansson sees them.
 *
 * libFuzzer (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DCRIBLE_LIBFUZZER \
 *     -Istages/lib tests/tools/fuzz_read_json_scan.c stages/lib/read_json_scan.c \
 *     stages/lib/utf8.c stages/lib/error.c -ljansson -o fuzz_read_json_scan
 *   ./fuzz_read_json_scan -max_total_time=300 -dict=... corpus_dir/
 * Built by ctest's build without libFuzzer, main() replays the files given
 * (one input per line) or, with none, corpus/avis/avis-lecteurs.jsonl.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "read_json_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static crible_read_json_kind kind_of(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return !v ? CRIBLE_READ_JSON_ABSENT
              : json_is_string(v) ? CRIBLE_READ_JSON_STRING : CRIBLE_READ_JSON_OTHER;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (crible_utf8_invalid_offset(s, size) != size || memchr(s, '\0', size))
        return 0;   /* crible-read rejects these before scanning */
    crible_read_json_members m;
    if (!crible_read_json_scan(s, size, &m))
        return 0;
    json_error_t e;
    json_t *obj = json_loadb(s, size, 0, &e);
    if (!obj || !json_is_object(obj) || m.id != kind_of(obj, "id") ||
        m.title != kind_of(obj, "title") || m.text != kind_of(obj, "text")) {
        fprintf(stderr, "scanner and jansson disagree (%s): %.*s\n", obj ? "members" : e.text,
                (int)size, s);
        abort();
    }
    const char *t = json_string_value(json_object_get(obj, "text"));
    if (m.text_has_cr != (t && strchr(t, '\r') != NULL))
        abort();
    json_decref(obj);
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
