/*
 * entities.c - crible-entities: adds named entities (PER LOC ORG PLATFORM
 * WORK and custom types) to a token stream, as BIO tags (CRIBLE:NER) and
 * canonical values (CRIBLE:ENTITY); `--list` prints them as TSV instead;
 * `crible-entities train` learns a model from labelled streams.
 * The tagger is stages/lib/entities*.c; the stream loop is entities/tag.c.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "entities_options.h"
#include "options.h"
#include "entities/stage.h"

static const char usage[] =
    "Usage: crible-entities [OPTION]... [FILE]...\n"
    "       crible-entities train [OPTION]... -o MODEL FILE...\n"
    "Add named entities to a crible token stream (from crible-tokenize or\n"
    "crible-stem): columns CRIBLE:NER (BIO tags: B-PER, I-PER, O...) and\n"
    "CRIBLE:ENTITY (the canonical value on B- tokens).  Types: PER LOC ORG\n"
    "PLATFORM WORK and those declared in the config.  With no FILE, or when\n"
    "FILE is -, read standard input.\n"
    "\n"
    "  -c, --config FILE   read the `entities:` section of FILE\n"
    "  -l, --list          print one TSV line per entity instead of the stream:\n"
    "                      DOC TYPE VALUE TEXT START END FIELD\n"
    "  -m, --model FILE    tag with this model (crible-entities train)\n"
    "      --no-rules      gazetteers only\n"
    "      --conllu        write plain 10-column CoNLL-U\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "`crible-entities train --help` describes training.\n"
    "Exit status: 0 ok, 2 usage, 3 config, 4 bad input, 5 I/O, 7 out of memory.\n"
    "Example: crible-read corpus/ | crible-tokenize | crible-entities --list |\n"
    "         cut -f2,3 | sort | uniq -c | sort -rn\n";

int main(int argc, char **argv)
{
    crible_cli_init("crible-entities");
    if (argc > 1 && strcmp(argv[1], "train") == 0) return entities_train_main(argc - 1, argv + 1);
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"list", no_argument, NULL, 'l'},
        {"model", required_argument, NULL, 'm'},  {"no-rules", no_argument, NULL, 'R'},
        {"conllu", no_argument, NULL, 'P'},       {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *model = NULL;
    bool no_rules = false;
    entities_run run = {0};
    int c;
    while ((c = getopt_long(argc, argv, "c:lm:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'l': run.list = true; break;
        case 'm': model = optarg; break;
        case 'R': no_rules = true; break;
        case 'P': run.plain = true; break;
        case 'h': return crible_cli_help(usage);
        case 'V': return crible_cli_version();
        default: return crible_cli_usage_error("unknown option or missing argument");
        }
    }
    crible_error err = {0};
    crible_config *config = NULL;
    const crible_node *section = NULL;
    crible_entities *e = NULL;
    crible_status st = crible_config_open_section(config_path, "entities", &config,
                                                  &section, &err);
    if (st == CRIBLE_OK) st = crible_entities_load(config, section, model, &e, &err);
    if (st == CRIBLE_OK && no_rules) crible_entities_set_rules(e, false);
    static char *const stdin_only[] = {"-", NULL};
    char *const *files = optind < argc ? argv + optind : stdin_only;
    for (; st == CRIBLE_OK && *files; files++) {
        FILE *in = crible_cli_open_input(*files, &err);
        if (!in) {
            st = err.status;
            break;
        }
        st = entities_tag_stream(e, in, strcmp(*files, "-") ? *files : "<stdin>", &run, &err);
        crible_cli_close_input(in);
    }
    crible_entities_free(e);
    crible_config_free(config);
    if (st != CRIBLE_OK) crible_cli_fail(&err);
    return crible_cli_exit(st);
}
