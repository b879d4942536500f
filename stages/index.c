/*
 * index.c - crible-index: builds, updates, merges, checks and shows a crible
 * index (the library's index_writer.h and index.h do the work; the format is
 * at the top of stages/lib/index_format.c; stats and dump are in
 * stages/index/inspect.c).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bigmem.h"
#include "cli.h"
#include "index.h"
#include "index/inspect.h"
#include "index_analyze.h"
#include "index_stream.h"
#include "index_writer.h"
#include "options.h"
#include "stem_options.h"
#include "tokenize_options.h"

static const char usage[] =
    "Usage: crible-index [OPTION]... -o INDEX [FILE|-]...     add a token stream\n"
    "  or:  crible-index delete -o INDEX ID...                 delete documents\n"
    "  or:  crible-index merge -o INDEX [SHARD]...             merge to one segment\n"
    "  or:  crible-index check INDEX                           verify everything\n"
    "  or:  crible-index stats INDEX                           documents, terms, sizes\n"
    "  or:  crible-index dump INDEX [--field F] [--term T|--prefix P] [--doc ID]\n"
    "Build or update a crible index from the token stream of crible-stem (or\n"
    "crible-entities) on standard input or in FILEs; with --analyze, from the\n"
    "documents of crible-read (JSON Lines), analysed in-process by the same\n"
    "code as crible-tokenize | crible-stem (| crible-entities with --entities):\n"
    "the same index, faster.  A document whose id is\n"
    "already in the index replaces it.  The index is committed at the end:\n"
    "readers see all of it or none of it, whatever happens to this process.\n"
    "\n"
    "  -o, --output INDEX    the index directory (created if absent)\n"
    "  -m, --memory SIZE     buffer before a segment is written (default 256M)\n"
    "  -c, --config FILE     read the 'index:' section of this YAML file (and,\n"
    "                        with --analyze, 'tokenize:', 'stem:', 'entities:')\n"
    "  -a, --analyze         read documents (JSONL) and analyse them here\n"
    "  -e, --entities        with --analyze, also tag entities as crible-entities\n"
    "                        does (its 'entities:' section)\n"
    "  -j, --threads N       analysis threads with --analyze (default: the\n"
    "                        cores but one, 1 to 4; one more thread indexes)\n"
    "      --field F         dump: the field (default text)\n"
    "      --term T          dump: one term's postings with positions\n"
    "      --prefix P        dump: the terms starting with P\n"
    "      --doc ID          dump: one stored document with its tokens\n"
    "      --top N           stats: top terms and entities shown (default 10)\n"
    "  -q, --quiet           no progress on standard error\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "merge with SHARDs adds the documents of those indexes (built apart) and\n"
    "merges everything into one segment; without, it merges INDEX's segments.\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 config, 4 bad input (a malformed or cut\n"
    "document: the others are committed), 5 I/O (disk full...), 6 index\n"
    "(corrupt, locked by another writer), 7 out of memory.\n"
    "Example: crible-read corpus/ | crible-tokenize | crible-stem | crible-index -o idx\n";

typedef struct args {
    const char *cmd, *output, *config, *memory, *field, *term, *prefix, *doc, *threads;
    int top;
    bool quiet, analyze, entities;
} args;

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", crible_cli_program(), msg);
}

/* The analysis settings of --analyze: the configuration's `tokenize:` and
 * `stem:` sections, read as crible-tokenize and crible-stem read them. */
typedef struct analysis {
    bool on, entities;
    const crible_node *entities_section;
    long long threads;
    crible_tokenize_options tokenize;
    crible_stem_options stem;
} analysis;

static crible_status load_options(const args *a, crible_config **config, crible_index_writer_options *o,
                                  analysis *an, crible_error *err)
{
    const crible_node *section = NULL, *ts = NULL, *ss = NULL;
    crible_index_writer_options_default(o);
    /* one core for the index thread, the others analyse (at most 4: the
     * index thread cannot take more) */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    an->threads = cores > 2 ? (cores - 1 < 4 ? cores - 1 : 4) : 1;
    crible_status st = crible_config_open_section(a->config, "index", config, &section, err);
    if (!st) st = crible_index_writer_options_load(section, o, err);
    if (!st) st = crible_node_bool(section, "analyze", &an->on, err);
    if (!st) st = crible_node_bool(section, "analyze_entities", &an->entities, err);
    if (!st) st = crible_node_int(section, "analyze_threads", 1, CRIBLE_INDEX_ANALYZE_MAX_THREADS, &an->threads, err);
    if (!st && a->memory && !crible_parse_size(a->memory, &o->memory))
        st = crible_error_set(err, CRIBLE_EUSAGE, "bad size '%s' for --memory (like 256M)", a->memory);
    if (!st && a->threads) {
        char *end;
        an->threads = strtoll(a->threads, &end, 10);
        if (*end || end == a->threads || an->threads < 1 || an->threads > CRIBLE_INDEX_ANALYZE_MAX_THREADS)
            st = crible_error_set(err, CRIBLE_EUSAGE, "bad thread count '%s' for --threads (1 to %d)", a->threads,
                                  CRIBLE_INDEX_ANALYZE_MAX_THREADS);
    }
    an->on |= a->analyze;
    an->entities |= a->entities;
    if (!st && an->entities && !an->on)
        st = crible_error_set(err, CRIBLE_EUSAGE, "--entities goes with --analyze (else pipe through crible-entities)");
    if (!st && an->on && *config) {
        st = crible_config_section(*config, "tokenize", &ts, err);
        if (!st) st = crible_config_section(*config, "stem", &ss, err);
        if (!st && an->entities) st = crible_config_section(*config, "entities", &an->entities_section, err);
    }
    if (!st && an->on) st = crible_tokenize_options_load(*config, ts, &an->tokenize, err);
    if (!st && an->on) st = crible_stem_options_load(*config, ss, &an->stem, err);
    return st;
}

static crible_status add_streams(const args *a, const analysis *an, const crible_config *config,
                                 crible_index_writer *w, int n, char **files, crible_error *err)
{
    crible_status st = CRIBLE_OK, bad = CRIBLE_OK;
    crible_error first;
    crible_index_stream_stats stats = {0, 0, 0};
    double t0 = crible_now();
    crible_index_analyze *ia = NULL;
    if (an->on) {
        crible_index_analyze_options ao = {&an->tokenize, &an->stem, (int)an->threads, an->entities, config,
                                           an->entities_section};
        if ((st = crible_index_analyze_open(&ao, &ia, err))) return st;
    }
    for (int i = 0; i < (n ? n : 1) && !st; i++) {
        const char *path = n ? files[i] : "-";
        FILE *in = crible_cli_open_input(path, err);
        if (!in) { st = err->status; break; }
        if (ia) {
            st = crible_index_analyze_run(ia, w, in, path, &stats, err);
        } else {
            crible_conllu_reader *r;
            st = crible_conllu_reader_open(in, path, &r, err);
            if (!st) {
                st = crible_index_stream(w, r, &stats, err);
                crible_conllu_reader_close(r);
            }
        }
        crible_cli_close_input(in);
        if (st == CRIBLE_EDATA) {   /* that document is out; keep the rest */
            if (!bad) { bad = st; first = *err; }
            st = CRIBLE_OK;
        }
    }
    /* the analysis' memory (its threads' analyzers, stem memos, batches:
     * ~20-30 MB) back before the commit's merges; its entity counts kept
     * for the summary line */
    crible_index_entity_count counts[CRIBLE_INDEX_ANALYZE_TYPES];
    size_t ncounts = 0;
    if (ia) {
        const crible_index_entity_count *ec = NULL;
        ncounts = crible_index_analyze_entities(ia, &ec);
        memcpy(counts, ec, ncounts * sizeof *counts);
        crible_index_analyze_free(ia);
    }
    if (!st) st = crible_index_writer_commit(w, err);
    if (!st && !a->quiet) {
        crible_index_writer_stats ws;
        crible_index_writer_get_stats(w, &ws);
        struct timespec th, pr;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &th);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &pr);
        fprintf(stderr, "%s: %llu documents, %llu tokens in %.2f s (%llu segments written, buffer peak %.1f MiB; "
                "CPU %.2f s, %.2f s of it in the index thread)",
                crible_cli_program(), stats.docs, stats.tokens, crible_now() - t0,
                (unsigned long long)ws.segments_flushed, ws.peak_buffer / 1048576.0,
                (double)pr.tv_sec + pr.tv_nsec / 1e9, (double)th.tv_sec + th.tv_nsec / 1e9);
        /* --analyze --entities: the entities by type, as `crible run` counts
         * them in a token stream (it reads them here when fused) */
        for (size_t i = 0; i < ncounts; i++)
            fprintf(stderr, "%s%s %llu", i ? ", " : "; entities ", counts[i].type, counts[i].count);
        fputc('\n', stderr);
    }
    if (!st && bad) { *err = first; st = bad; }
    return st;
}

static int run(const args *a, int n, char **rest, crible_error *err)
{
    const char *cmd = a->cmd;
    if (!strcmp(cmd, "check") || !strcmp(cmd, "stats") || !strcmp(cmd, "dump")) {
        const char *dir = a->output ? a->output : n ? rest[0] : NULL;
        if (!dir) return crible_cli_usage_error("%s needs an INDEX", cmd);
        if (!strcmp(cmd, "check")) {
            crible_status st = crible_index_check(dir, report, NULL, err);
            if (!st) printf("%s: ok\n", dir);
            return st;
        }
        crible_index *ix;
        crible_status st = crible_index_open(dir, &ix, err);
        if (st) return st;
        if (!strcmp(cmd, "stats")) st = index_stats_write(ix, stdout, a->top, err);
        if (!st && !strcmp(cmd, "stats")) st = index_sizes_write(dir, stdout, err);
        else st = index_dump_write(ix, stdout, a->field, a->term, a->prefix, a->doc, err);
        crible_index_close(ix);
        return st;
    }
    crible_index_writer_options o;
    crible_config *config = NULL;
    analysis an = {0};
    crible_stem_options_init(&an.stem);
    crible_status st = load_options(a, &config, &o, &an, err);
    crible_index_writer *w = NULL;
    if (!st && !a->output) st = (crible_status)crible_cli_usage_error("missing -o INDEX");
    if (!st) st = crible_index_writer_open(a->output, &o, &w, err);
    if (st) {
        crible_stem_options_free(&an.stem);
        crible_config_free(config);
        return st;
    }
    if (!strcmp(cmd, "delete")) {
        for (int i = 0; i < n && !st; i++) st = crible_index_writer_delete(w, rest[i], err);
        if (!st) st = crible_index_writer_commit(w, err);
    } else if (!strcmp(cmd, "merge")) {
        for (int i = 0; i < n && !st; i++) st = crible_index_writer_add_index(w, rest[i], err);
        if (!st) st = crible_index_writer_force_merge(w, err);
    } else {
        /* --analyze: the heap's address space for the buffer (about half
         * the budget at its peak: 156 MB RSS at 256M on the press), the
         * analysis and the segment writer, in transparent huge pages: one
         * page fault a 2 MiB instead of 512 (the reviews: 14,000 -> 600
         * faults, ~10 % less CPU; peak RSS the same on the press at 256M).
         * Not on a token stream: its read-ahead ring and buffers took 6 MB
         * more peak RSS there at 256M for 0.3 s less CPU.  Below the trim
         * threshold set in main(), which would give it back. */
        unsigned long long reserve = o.memory / 2 + (64ull << 20);
        if (an.on) crible_bigmem_heap_reserve((size_t)(reserve < 768ull << 20 ? reserve : 768ull << 20));
        st = add_streams(a, &an, config, w, n, rest, err);
    }
    crible_index_writer_close(w);
    crible_stem_options_free(&an.stem);
    crible_config_free(config);
    return st;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"memory", required_argument, NULL, 'm'},
        {"config", required_argument, NULL, 'c'}, {"field", required_argument, NULL, 'F'},
        {"term", required_argument, NULL, 'T'},   {"prefix", required_argument, NULL, 'P'},
        {"doc", required_argument, NULL, 'D'},    {"top", required_argument, NULL, 'N'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"analyze", no_argument, NULL, 'a'},      {"threads", required_argument, NULL, 'j'},
        {"entities", no_argument, NULL, 'e'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0}};
    args a = {.cmd = "add", .field = "text", .top = 10};
    crible_cli_init("crible-index");
    /* The buffer grows by many small reallocations, is freed whole at each
     * flush and grows again: keep the freed memory (no trimming, heap grown
     * 64 MiB at a time) instead of giving it back and faulting it in anew
     * (3 % of the CPU on the press).  Peak memory is unchanged. */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
    /* One malloc arena for every thread: the segment writer's compressing
     * thread (zstd's dictionary training) otherwise keeps an arena of its
     * own, ~10 MB of peak RSS, for no measurable speed (press: 177 -> 167
     * MB with --analyze, wall the same or better, 3 alternating runs). */
    mallopt(M_ARENA_MAX, 1);
    static const char *const cmds[] = {"add", "build", "delete", "merge", "check", "stats", "dump", NULL};
    int first = 1;
    if (argc > 1)
        for (int i = 0; cmds[i]; i++)
            if (!strcmp(argv[1], cmds[i])) { a.cmd = cmds[i]; first = 2; }
    opterr = 0;
    optind = first;
    int c;
    while ((c = getopt_long(argc, argv, "o:m:c:aej:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': a.output = optarg; break;
        case 'm': a.memory = optarg; break;
        case 'c': a.config = optarg; break;
        case 'F': a.field = optarg; break;
        case 'T': a.term = optarg; break;
        case 'P': a.prefix = optarg; break;
        case 'D': a.doc = optarg; break;
        case 'N': a.top = atoi(optarg); break;
        case 'q': a.quiet = true; break;
        case 'a': a.analyze = true; break;
        case 'e': a.entities = true; break;
        case 'j': a.threads = optarg; break;
        case 'h': return crible_cli_help(usage);
        case 'V': return crible_cli_version();
        default:
            if (optopt && strchr("omcjFTPDN", optopt))
                return crible_cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
            return crible_cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    crible_error err = {0};
    int st = run(&a, argc - optind, argv + optind, &err);
    if (st == CRIBLE_EUSAGE && err.message[0]) return crible_cli_usage_error("%s", err.message);
    if (st != CRIBLE_OK && st != CRIBLE_EUSAGE) crible_cli_fail(&err);
    return crible_cli_exit(st);
}
