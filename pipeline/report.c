/*
 * report.c - the summary and the failure message (report.h).
 */
#include "report.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

unsigned long long runner_proc_read_bytes(pid_t pid, unsigned long long fallback)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return fallback;
    unsigned long long v = fallback;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %llu", &v) == 1)
            break;
    fclose(f);
    return v;
}

/* 1234567 -> "1,234,567" */
static const char *grouped(unsigned long long v, char *buf, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static double usage_seconds(const struct rusage *u)
{
    return (double)u->ru_utime.tv_sec + (double)u->ru_utime.tv_usec / 1e6 +
           (double)u->ru_stime.tv_sec + (double)u->ru_stime.tv_usec / 1e6;
}

static double cpu_seconds(const runner_proc *p)
{
    return usage_seconds(&p->usage);
}

static void stage_table(const runner_plan *plan, const runner_result *res, FILE *out)
{
    double best = -1;
    size_t best_stage = 0;
    for (size_t s = 0; s < plan->nstages; s++) {
        double cpu = 0;
        for (size_t i = 0; i < res->nprocs; i++)
            if (res->procs[i].stage == &plan->stages[s])
                cpu += cpu_seconds(&res->procs[i]);
        if (cpu > best) {
            best = cpu;
            best_stage = s;
        }
    }
    int width = 14;   /* the names' column: "index --analyze" is wider */
    for (size_t s = 0; s < plan->nstages; s++)
        if (plan->stages[s].fused && width < (int)strlen(plan->stages[s].name) + 10)
            width = (int)strlen(plan->stages[s].name) + 10;
    fprintf(out, "  %-*s %6s %8s %8s %9s\n", width, "stage", "copies", "cpu s", "wall s", "max RSS");
    for (size_t s = 0; s < plan->nstages; s++) {
        double cpu = 0, wall = 0;
        long rss = 0;
        int copies = 0;
        for (size_t i = 0; i < res->nprocs; i++) {
            const runner_proc *p = &res->procs[i];
            if (p->stage != &plan->stages[s])
                continue;
            copies++;
            cpu += cpu_seconds(p);
            if (p->ended - p->started > wall)
                wall = p->ended - p->started;
            if (p->usage.ru_maxrss > rss)
                rss = p->usage.ru_maxrss;
        }
        const runner_stage *st = &plan->stages[s];
        char name[64];
        snprintf(name, sizeof name, "%s%s", st->name, st->fused ? " --analyze" : "");
        fprintf(out, "  %-*s %6d %8.2f %8.2f %6.0f MB%s", width, name, copies, cpu, wall,
                (double)rss / 1024.0, s == best_stage && plan->nstages > 1 ? "   <- most CPU" : "");
        if (st->fused && plan->fused_threads)   /* what that one process ran */
            fprintf(out, "   (%s in one process, %d analysis thread%s)", st->fused,
                    plan->fused_threads, plan->fused_threads > 1 ? "s" : "");
        else if (st->fused)
            fprintf(out, "   (%s in one process)", st->fused);
        fputc('\n', out);
    }
    /* The runner itself: what carrying the streams (split, merge) costs. */
    fprintf(out, "  %-*s %6s %8.2f %8.2f %6.0f MB\n", width, "(crible)", "", usage_seconds(&res->self_usage),
            res->seconds, (double)res->self_usage.ru_maxrss / 1024.0);
}

/* A fused run's tokens and entities, which no stream carried to the merge:
 * from the sink's own last line, "crible-index: 20 documents, 4534 tokens
 * in ... thread); entities PER 41, PLATFORM 33".  False if it has none. */
static bool fused_counts(const runner_plan *plan, const runner_result *res, runner_counts *c)
{
    for (size_t i = 0; plan->fused && i < res->nprocs; i++) {
        const runner_proc *p = &res->procs[i];
        unsigned long long docs;
        if (p->stage != &plan->stages[plan->nstages - 1] ||
            sscanf(p->last_line, "crible-index: %llu documents, %llu tokens", &docs, &c->tokens) != 2)
            continue;
        const char *e = strstr(p->last_line, "; entities ");
        c->ntypes = 0;
        for (e = e ? e + 11 : NULL; e && c->ntypes < sizeof c->types / sizeof *c->types;) {
            runner_entity_count *t = &c->types[c->ntypes];
            int used = 0;
            if (sscanf(e, "%31[^ ,] %llu%n", t->type, &t->count, &used) != 2)
                break;
            c->ntypes++;
            e = strncmp(e + used, ", ", 2) == 0 ? e + used + 2 : NULL;
        }
        return true;
    }
    return false;
}

void runner_report_summary(const runner_plan *plan, const runner_result *res, FILE *out)
{
    char a[32], b[32];
    runner_counts counts = res->counts;   /* fused: tokens and entities from crible-index */
    bool counted = !plan->fused || fused_counts(plan, res, &counts);
    double mb = (double)res->input_bytes / 1e6;
    fprintf(out, "crible: %s documents (%.*f MB) in %.2f s, %.1f MB/s; %s tokens\n",
            grouped(res->counts.docs, a, sizeof a), mb < 10 ? 2 : 1, mb, res->seconds,
            res->seconds > 0 ? mb / res->seconds : 0.0, counted ? grouped(counts.tokens, b, sizeof b) : "?");
    if (counts.ntypes) {
        /* By count, largest first. */
        size_t order[64];
        for (size_t i = 0; i < counts.ntypes; i++)
            order[i] = i;
        for (size_t i = 1; i < counts.ntypes; i++)
            for (size_t j = i; j > 0 && counts.types[order[j]].count >
                                            counts.types[order[j - 1]].count; j--) {
                size_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        fprintf(out, "  %-14s", "entities");
        for (size_t i = 0; i < counts.ntypes; i++)
            fprintf(out, "%s%s %s", i ? ", " : " ", counts.types[order[i]].type,
                    grouped(counts.types[order[i]].count, a, sizeof a));
        fputc('\n', out);
    }
    if (plan->has_sink && plan->index_path) {
        double size = (double)runner_tree_size(plan->index_path) / 1e6;
        fprintf(out, "  %-14s %s  %.*f MB", "index", plan->index_path, size < 10 ? 2 : 1, size);
        if (plan->input_bytes)
            fprintf(out, " (%.2f x the input)", size * 1e6 / (double)plan->input_bytes);
        fputc('\n', out);
    }
    stage_table(plan, res, out);
}

void runner_report_failure(const runner_plan *plan, const runner_result *res, FILE *out)
{
    const char *index_fate = plan->has_sink ? "; nothing was committed, the index is as it was"
                                            : "";
    if (res->interrupted) {
        fprintf(out, "crible: interrupted (%s): every stage stopped%s\n",
                strsignal(res->exit_status - 128), index_fate);
        return;
    }
    const runner_proc *p = res->failed;
    if (!p && res->stopped_reading) {
        fprintf(out, "crible: stage '%s' stopped reading its input before its end"
                     " (its documents would be lost)%s\n", res->stopped_reading->label,
                index_fate);
        return;
    }
    if (!p) {
        /* Standard output closed early (crible run | head): as quiet as
         * any program killed by SIGPIPE. */
        if (plan->has_sink)
            fprintf(out, "crible: the index stage stopped reading its input before its"
                         " end%s\n", index_fate);
        return;
    }
    char how[128];
    if (WIFSIGNALED(p->status))
        snprintf(how, sizeof how, "killed by signal %d, %s", WTERMSIG(p->status),
                 strsignal(WTERMSIG(p->status)));
    else
        snprintf(how, sizeof how, "exit %d", runner_exit_code(p->status));
    if (p->last_line[0])
        fprintf(out, "crible: stage '%s' failed (%s): %s\n", p->label, how, p->last_line);
    else
        fprintf(out, "crible: stage '%s' failed (%s)\n", p->label, how);
    /* The runner kept the index stage from committing, unless that stage is
     * the one that failed on its own: then its own message says what it did. */
    bool sink_failed = plan->has_sink && p->stage == &plan->stages[plan->nstages - 1] &&
                       !p->signalled_by_us;
    if (plan->has_sink && !sink_failed)
        fprintf(out, "crible: nothing was committed, the index is as it was\n");
}
