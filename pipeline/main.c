/*
 * main.c - `crible`, the runner: reads the command line, loads and checks
 * the configuration, then prints the plan (--print), checks it (--check) or
 * runs it; `crible query ...` and the other stage names run the stage
 * program itself (a convenience, as git runs git-NAME).
 */
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "plan.h"
#include "print.h"
#include "report.h"
#include "run.h"

static const char usage[] =
    "Usage: crible run [OPTION]... [PATH]...\n"
    "  or:  crible query INDEX QUERY...      (runs crible-query)\n"
    "  or:  crible STAGE [ARG]...            (runs crible-STAGE, any stage)\n"
    "Run the pipeline a YAML file describes: each stage is its own process,\n"
    "connected to the next by a pipe; the index is committed only if every stage\n"
    "succeeds.  PATHs (files, folders, - for stdin) replace the file's input paths.\n"
    "The standard chain (read, tokenize, stem, [entities,] index) runs as\n"
    "crible-read | crible-index --analyze: the same index, about half the CPU\n"
    "(`pipeline: fuse: false` runs one process per stage).\n"
    "\n"
    "  -c, --config FILE   the configuration (default: $CRIBLE_CONFIG, else\n"
    "                      config/crible.yaml or crible.yaml here, else the\n"
    "                      installed one)\n"
    "  -j, --jobs N        run N copies of the analysis stages, each on its share\n"
    "                      of the documents (default: pipeline.jobs, else 1);\n"
    "                      fused: N analysis threads in crible-index (at most 16)\n"
    "  -o, --index DIR     the index folder (default: pipeline.index)\n"
    "      --print         print the equivalent shell pipeline and exit\n"
    "      --check         check the configuration and the programs, and exit\n"
    "      --progress      show progress on stderr even when it is not a terminal\n"
    "      --no-progress   never show progress\n"
    "  -q, --quiet         no progress and no summary (errors still shown)\n"
    "      --no-summary    no summary at the end\n"
    "      --help          show this help and exit\n"
    "      --version       show the version and exit\n"
    "\n"
    "Every stage's stderr is shown behind its name: [tokenize] ...\n"
    "Exit status: 0 success; 2 usage; 3 configuration; a failing stage's own\n"
    "status (128+N if signal N killed it); 130 interrupted.\n";

static char *self_dir(void)
{
    static char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    return buf;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *default_config(void)
{
    static char found[4096];
    const char *env = getenv("CRIBLE_CONFIG");
    if (env && *env)
        return env;
    if (is_file("config/crible.yaml"))
        return "config/crible.yaml";
    if (is_file("crible.yaml"))
        return "crible.yaml";
    if (crible_data_find("crible.yaml", found, sizeof found))
        return found;
    return "config/crible.yaml";
}

/* `crible NAME ARGS...` runs crible-NAME ARGS... */
static int run_stage_program(const char *name, char **argv)
{
    char path[4096];
    if (!runner_find_stage(self_dir(), name, path, sizeof path)) {
        fprintf(stderr, "crible: program crible-%s not found next to crible nor on PATH\n",
                name);
        return CRIBLE_ECONFIG;
    }
    char prog[256];
    snprintf(prog, sizeof prog, "crible-%s", name);
    argv[0] = prog;
    execv(path, argv);
    perror("crible: execv");
    return 127;
}

enum { OPT_PRINT = 256, OPT_CHECK, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_NO_SUMMARY,
       OPT_HELP, OPT_VERSION };

static const struct option long_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"jobs", required_argument, NULL, 'j'},
    {"index", required_argument, NULL, 'o'},
    {"print", no_argument, NULL, OPT_PRINT},
    {"check", no_argument, NULL, OPT_CHECK},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"no-summary", no_argument, NULL, OPT_NO_SUMMARY},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

typedef struct run_args {
    const char *config;
    bool print, check, quiet;
    runner_overrides over;
} run_args;

/* Parses `run`'s options; returns -1 to go on, else the exit status. */
static int parse_run(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->over.progress = 2;
    a->over.summary = -1;
    int c;
    while ((c = getopt_long(argc, argv, "c:j:o:q", long_options, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return crible_cli_usage_error("-j wants a number from 1 to 256, not '%s'",
                                              optarg);
            a->over.jobs = (int)n;
            break;
        }
        case 'o': a->over.index_path = optarg; break;
        case OPT_PRINT: a->print = true; break;
        case OPT_CHECK: a->check = true; break;
        case OPT_PROGRESS: a->over.progress = 1; break;
        case OPT_NO_PROGRESS: a->over.progress = -1; break;
        case 'q': a->quiet = true; a->over.progress = -1; a->over.summary = 0; break;
        case OPT_NO_SUMMARY: a->over.summary = 0; break;
        case OPT_HELP: return crible_cli_help(usage);
        case OPT_VERSION: return crible_cli_version();
        default: return crible_cli_usage_error("unknown option");
        }
    }
    a->over.inputs = (const char *const *)argv + optind;
    a->over.ninputs = (size_t)(argc - optind);
    if (!a->config)
        a->config = default_config();
    return -1;
}

static int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run(argc, argv, &a);
    if (rc >= 0)
        return rc;
    crible_error err;
    crible_error_clear(&err);
    crible_config *config = NULL;
    runner_plan plan;
    memset(&plan, 0, sizeof plan);
    crible_status st = crible_config_load(a.config, &config, &err);
    if (st == CRIBLE_OK)
        st = runner_plan_load(config, a.config, self_dir(), &a.over, &plan, &err);
    if (st != CRIBLE_OK) {
        runner_plan_free(&plan);
        crible_config_free(config);
        return crible_cli_fail(&err);
    }
    if (a.print || a.check) {
        if (a.print && !runner_plan_print(&plan, stdout))
            rc = CRIBLE_EIO;
        else if (a.check)
            printf("%s: OK, %zu stages%s%s%s\n", a.config, plan.nstages,
                   plan.fused ? " (read | index --analyze: " : "",
                   plan.fused ? plan.stages[plan.nstages - 1].fused : "", plan.fused ? ")" : "");
        runner_plan_free(&plan);
        crible_config_free(config);
        return crible_cli_exit(rc < 0 ? CRIBLE_OK : rc);
    }
    runner_result res;
    st = runner_run(&plan, &res, &err);
    if (st != CRIBLE_OK) {
        rc = crible_cli_fail(&err);
    } else {
        rc = res.exit_status;
        if (rc != 0)
            runner_report_failure(&plan, &res, stderr);
        else if (plan.summary)
            runner_report_summary(&plan, &res, stderr);
    }
    runner_result_free(&res);
    runner_plan_free(&plan);
    crible_config_free(config);
    return crible_cli_exit(rc);
}

/* Pipes must never get descriptors 0, 1 or 2 (a stage's dup2 onto its own
 * number would keep close-on-exec): open what the caller left closed. */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd ? O_WRONLY : O_RDONLY) < 0)
            _exit(CRIBLE_EIO);
}

int main(int argc, char **argv)
{
    ensure_std_fds();
    crible_cli_init("crible");
    if (argc < 2)
        return crible_cli_usage_error("what to do? (crible run, crible query ...)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return crible_cli_help(usage);
    if (strcmp(cmd, "--version") == 0)
        return crible_cli_version();
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    static const char *const stages[] = {"query", "read", "tokenize", "stem", "entities",
                                         "index", NULL};
    for (const char *const *s = stages; *s; s++)
        if (strcmp(cmd, *s) == 0)
            return run_stage_program(cmd, argv + 1);
    return crible_cli_usage_error("unknown command '%s' (run, query, read, tokenize, stem,"
                                  " entities, index)", cmd);
}
