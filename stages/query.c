/*
 * query.c - crible-query: search one or several crible indexes from the
 * shell.  The engine is query.h (parse, analyse, match, rank); printing is
 * query_output.h; one query's run is query_run.h.  This main parses
 * options, opens the indexes, runs the query (or each line of --stdin).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "query_options.h"
#include "query_run.h"

static const char usage[] =
    "Usage: crible-query [OPTION]... INDEX [INDEX]... QUERY\n"
    "       crible-query [OPTION]... --stdin INDEX [INDEX]...\n"
    "Search crible indexes: ranked hits with snippets, matched words in bold.\n"
    "Several indexes (shards) are searched together with global statistics.\n"
    "\n"
    "Query language (operators in capitals; see README):\n"
    "  enfer vie          both words (-o: either)   \"pas bon\"   a phrase\n"
    "  netflix OR disney  either word               film -navet / NOT navet\n"
    "  (a OR b) c         grouping                  enfer NEAR/3 vie, NEAR/s (sentence)\n"
    "  réalis*            prefix                    acteru~ acteru~2  fuzzy\n"
    "  =victimes          exact form, not stemmed\n"
    "  title:enfer  person:\"Kevin Anderson\"  platform:netflix  source:allocine.fr\n"
    "  rating>=4  rating<3  date:2020..2021  date:2019\n"
    "\n"
    "  -n, --limit N        hits to show (default 10)\n"
    "      --offset N       skip the first N hits\n"
    "      --count          print the number of matching documents only\n"
    "      --json           JSON Lines: one hit a line (id, score, metadata,\n"
    "                       snippet, highlight and match offsets)\n"
    "      --tsv            tab-separated values with a header line\n"
    "      --fields LIST    metadata to show (default rating,date,source)\n"
    "      --no-snippet     no passages under the hits\n"
    "      --facets LIST    top values of these fields among all matches\n"
    "                       (person,platform,rating ...)\n"
    "      --explain        how each word was analysed, each hit's score by\n"
    "                       term and field\n"
    "      --stdin          read one query a line from standard input\n"
    "  -o, --or             words without operator match any (default: all)\n"
    "      --color WHEN     auto (default: only on a terminal, NO_COLOR\n"
    "                       honoured), always or never\n"
    "  -c, --config FILE    read the 'query:' section of this YAML file\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Exit status: 0 hits found, 1 no match (like grep), 2 usage, 3 config,\n"
    "4 malformed query, 5 I/O, 6 index missing or damaged, 7 out of memory.\n"
    "Example: crible-query idx 'harcèlement \"réseaux sociaux\" rating>=4'\n";

/* Splits "a,b,c" in place into list (at most max items). */
static size_t split_list(char *s, const char **list, size_t max)
{
    size_t n = 0;
    for (char *t = strtok(s, ","); t && n < max; t = strtok(NULL, ","))
        list[n++] = t;
    return n;
}

static int report_syntax(const char *query, const crible_query_syntax *syn, const crible_error *err)
{
    char drawn[2048];
    crible_cli_fail(err);
    fprintf(stderr, "%s\n", crible_query_syntax_format(query, syn, drawn, sizeof drawn));
    return err->status;
}

int main(int argc, char **argv)
{
    enum { O_OFFSET = 256, O_COUNT, O_JSON, O_TSV, O_FIELDS, O_NOSNIP, O_FACETS, O_EXPLAIN,
           O_STDIN, O_COLOR };
    static const struct option longopts[] = {
        {"limit", required_argument, NULL, 'n'}, {"offset", required_argument, NULL, O_OFFSET},
        {"count", no_argument, NULL, O_COUNT}, {"json", no_argument, NULL, O_JSON},
        {"tsv", no_argument, NULL, O_TSV}, {"fields", required_argument, NULL, O_FIELDS},
        {"no-snippet", no_argument, NULL, O_NOSNIP}, {"facets", required_argument, NULL, O_FACETS},
        {"explain", no_argument, NULL, O_EXPLAIN}, {"stdin", no_argument, NULL, O_STDIN},
        {"or", no_argument, NULL, 'o'}, {"color", required_argument, NULL, O_COLOR},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *fields[32], *facets[32];
    long limit = -1, offset = 0;
    bool use_stdin = false, default_or = false;
    int color = 0;
    crible_output out = {stdout, CRIBLE_OUTPUT_TERMINAL, false, true, false, NULL, 0, false};
    crible_query_run_options ro = {10, 0, false, false, NULL, 0, 10};
    crible_cli_init("crible-query");
    opterr = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "n:oc:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': limit = strtol(optarg, &end, 10);
            if (*end || limit < 0) return crible_cli_usage_error("bad --limit '%s'", optarg);
            break;
        case O_OFFSET: offset = strtol(optarg, &end, 10);
            if (*end || offset < 0) return crible_cli_usage_error("bad --offset '%s'", optarg);
            break;
        case O_COUNT: ro.count_only = true; break;
        case O_JSON: out.format = CRIBLE_OUTPUT_JSON; break;
        case O_TSV: out.format = CRIBLE_OUTPUT_TSV; break;
        case O_FIELDS: out.nfields = split_list(optarg, fields, 32); out.fields = fields; break;
        case O_NOSNIP: out.snippets = false; break;
        case O_FACETS: ro.nfacets = split_list(optarg, facets, 32); ro.facets = facets; break;
        case O_EXPLAIN: ro.explain = out.explain = true; break;
        case O_STDIN: use_stdin = true; break;
        case 'o': default_or = true; break;
        case O_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
                return crible_cli_usage_error("bad --color '%s' (auto, always or never)", optarg);
            color = optarg[1] == 'l' ? 1 : optarg[1] == 'e' ? -1 : 0;
            break;
        case 'c': config_path = optarg; break;
        case 'h': return crible_cli_help(usage);
        case 'V': return crible_cli_version();
        default:
            if (optopt && (strchr("nc", optopt) || optopt >= O_OFFSET))
                return crible_cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
            return crible_cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    int npos = argc - optind - (use_stdin ? 0 : 1);
    if (npos < 1)
        return crible_cli_usage_error(use_stdin ? "no index given" : "give an index and a query");
    crible_error err = {0};
    crible_config *config = NULL;
    const crible_node *section = NULL;
    crible_query_options qo;
    crible_query_options_init(&qo);
    size_t cfg_limit = 10;
    crible_status st = crible_config_open_section(config_path, "query", &config, &section, &err);
    if (st == CRIBLE_OK)
        st = crible_query_options_load(section, &qo, &cfg_limit, &err);
    if (st != CRIBLE_OK) {
        crible_config_free(config);
        return crible_cli_fail(&err);
    }
    if (default_or)
        qo.default_or = true;
    /* Tests check that pruning never changes the top k against this. */
    qo.exhaustive = getenv("CRIBLE_QUERY_EXHAUSTIVE") != NULL;
    ro.limit = limit >= 0 ? (size_t)limit : cfg_limit;
    ro.offset = (size_t)offset;
    out.color = out.format == CRIBLE_OUTPUT_TERMINAL && crible_cli_use_color(stdout, color);
    crible_searcher *s = NULL;
    st = crible_searcher_open((const char *const *)argv + optind, (size_t)npos, &qo, &s, &err);
    if (st != CRIBLE_OK) {
        crible_config_free(config);
        return crible_cli_fail(&err);
    }
    bool any = false, matched = false;
    crible_query_syntax syn;
    if (!use_stdin) {
        const char *q = argv[argc - 1];
        st = crible_query_run(s, q, &ro, &out, &matched, &syn, &err);
        if (st == CRIBLE_EDATA)
            report_syntax(q, &syn, &err);
        else if (st != CRIBLE_OK)
            crible_cli_fail(&err);
        any = matched;
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        long lineno = 0;
        crible_status worst = CRIBLE_OK;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            lineno++;
            line[strcspn(line, "\r\n")] = '\0';
            if (!line[0])
                continue;
            st = crible_query_run(s, line, &ro, &out, &matched, &syn, &err);
            any |= matched;
            if (st == CRIBLE_EDATA) {
                crible_error_prefix(&err, "<stdin>:%ld", lineno);
                report_syntax(line, &syn, &err);
                worst = st;
                continue;
            }
            if (st != CRIBLE_OK) {
                crible_cli_fail(&err);
                break;
            }
            fflush(stdout);
        }
        free(line);
        if (st == CRIBLE_OK)
            st = worst;
    }
    crible_searcher_close(s);
    crible_config_free(config);
    if (st == CRIBLE_OK && !any)
        st = CRIBLE_ENOMATCH;
    return crible_cli_exit(st);
}
