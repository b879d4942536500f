/*
 * read.c - crible-read: files, folders and stdin into the document stream
 * (JSON Lines, doc.h).  The work is in stages/read/ (read.h lists the parts);
 * this main parses options, loads the `read:` section, walks its arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "read/read.h"
#include "read_options.h"

static const char usage[] =
    "Usage: crible-read [OPTION]... [FILE|FOLDER|-]...\n"
    "Turn French texts into crible documents: one JSON object a line with\n"
    "id, title, text and metadata, on standard output.\n"
    "\n"
    "Folders are walked recursively in byte order of names; hidden names and\n"
    "files of unknown extension are skipped there.  With no argument, or '-',\n"
    "standard input is read.  Formats, by extension then by content:\n"
    "  .txt (text), .md (Markdown, as text), .html, .jsonl (JSON Lines with a\n"
    "  field mapping), .csv and .tsv (with a header line, RFC 4180 quoting).\n"
    "Ids: the path relative to the folder given (the path itself for a file);\n"
    "in JSON Lines and CSV the id field, or SOURCE:LINE when absent.\n"
    "\n"
    "  -c, --config FILE     read the 'read:' section of this YAML file\n"
    "  -f, --format FORMAT   auto, text, markdown, html, jsonl, csv or tsv\n"
    "      --replace-invalid replace invalid UTF-8 with U+FFFD (counted on\n"
    "                        stderr) instead of failing\n"
    "      --progress        show progress on stderr even when it is not a\n"
    "                        terminal (shown by default when it is)\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "Exit status: 0 ok, 2 usage, 3 config, 4 bad input (invalid UTF-8, NUL\n"
    "byte, bad JSON or CSV), 5 I/O (cannot open or write), 7 out of memory.\n"
    "Example: crible-read corpus/ | crible-tokenize | crible-stem\n";

static crible_status on_file(void *data, const char *path, const char *rel,
                             crible_read_format format, crible_error *err)
{
    return read_source(data, path, rel, format, err);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'f'},
        {"replace-invalid", no_argument, NULL, 'r'},
        {"progress", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *format = NULL;
    bool replace = false, progress = false;
    crible_cli_init("crible-read");
    opterr = 0;   /* one message, ours */
    int c;
    while ((c = getopt_long(argc, argv, "c:f:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'f': format = optarg; break;
        case 'r': replace = true; break;
        case 'p': progress = true; break;
        case 'h': return crible_cli_help(usage);
        case 'V': return crible_cli_version();
        default: return crible_cli_bad_option(argv, "c:f:hV", longopts);
        }
    }
    crible_read_options opt;
    crible_read_options_init(&opt);
    if (format && !crible_read_format_parse(format, &opt.format))
        return crible_cli_usage_error("unknown format '%s' (auto, text, markdown, html,"
                                      " jsonl, csv or tsv)", format);
    crible_error err = {0};
    crible_config *config = NULL;
    const crible_node *section = NULL;
    read_ctx ctx = {.opt = &opt, .out = stdout};
    crible_status st = crible_config_open_section(config_path, "read", &config, &section, &err);
    if (st == CRIBLE_OK) {
        crible_read_format forced = opt.format;
        st = crible_read_options_load(config, section, &opt, &err);
        if (format)
            opt.format = forced;
        opt.replace_invalid |= replace;
    }
    if (st == CRIBLE_OK)
        st = read_boiler_open(&opt, &ctx.boiler, &err);
    crible_progress_start(&ctx.progress, progress ? 1 : 0, 0);
    if (st == CRIBLE_OK && optind == argc)
        st = read_walk("-", opt.hidden, on_file, &ctx, &err);
    for (int i = optind; i < argc && st == CRIBLE_OK; i++)
        st = read_walk(argv[i], opt.hidden, on_file, &ctx, &err);
    crible_progress_end(&ctx.progress);
    read_boiler_close(ctx.boiler);
    crible_config_free(config);
    if (st != CRIBLE_OK)
        crible_cli_fail(&err);
    return crible_cli_exit(st);
}
