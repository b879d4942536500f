/*
 * read_jansson_floor.c - the floor tests/bench/read.sh compares crible-read
 * with: every line of a JSON Lines file parsed by jansson (json_loadb) and
 * freed, nothing written.  Prints the number of objects read.
 *   read_jansson_floor FILE.jsonl
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: read_jansson_floor FILE.jsonl\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 5;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long objects = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t e;
        json_t *j = json_loadb(line, (size_t)n, 0, &e);
        objects += j != NULL;
        json_decref(j);
    }
    free(line);
    fclose(f);
    printf("%ld\n", objects);
    return 0;
}
