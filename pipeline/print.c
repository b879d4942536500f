/*
 * print.c - the plan as a shell pipeline (print.h).
 */
#include "print.h"

#include <stdlib.h>
#include <string.h>

static bool is_safe(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_@%+=:,./-", c) != NULL;
}

bool runner_shell_quote(const char *arg, char *buf, size_t n)
{
    size_t used = strlen(buf);
    bool safe = *arg != '\0';
    for (const char *p = arg; *p && safe; p++)
        safe = is_safe(*p);
    /* A leading '=' or '~' is fine for sh but not as a command in zsh. */
    if (safe && (arg[0] == '~' || arg[0] == '='))
        safe = false;
    size_t need = safe ? strlen(arg) : 2 + strlen(arg) * 4;
    if (used + need + 1 > n)
        return false;
    char *o = buf + used;
    if (safe) {
        memcpy(o, arg, strlen(arg) + 1);
        return true;
    }
    *o++ = '\'';
    for (const char *p = arg; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return true;
}

/* One stage as shell words; a user's program in its folder: (cd D && exec ...). */
static bool stage_command(const runner_stage *st, char *buf, size_t n)
{
    buf[0] = '\0';
    if (st->cwd) {
        strcat(buf, "(cd ");
        if (!runner_shell_quote(st->cwd, buf, n) || strlen(buf) + 16 >= n)
            return false;
        strcat(buf, " && exec ");
    }
    if (!runner_shell_quote(st->display, buf, n))
        return false;
    for (size_t i = 1; i < st->argc; i++) {
        if (strlen(buf) + 2 >= n)
            return false;
        strcat(buf, " ");
        if (!runner_shell_quote(st->argv[i], buf, n))
            return false;
    }
    if (st->cwd) {
        if (strlen(buf) + 2 >= n)
            return false;
        strcat(buf, ")");
    }
    return true;
}

bool runner_plan_print(const runner_plan *plan, FILE *out)
{
    size_t cap = 1 << 16;
    char *cmd = malloc(cap), *group = malloc(cap), *quoted = malloc(cap * 4 + 8);
    bool ok = cmd && group && quoted;
    bool parallel = plan->jobs > 1 && plan->end_analysis > plan->first_analysis;
    if (ok)
        ok = fputs("set -o pipefail\n", out) >= 0;
    if (ok && stage_command(&plan->stages[0], cmd, cap))
        ok = fputs(cmd, out) >= 0;
    else
        ok = false;
    group[0] = '\0';
    for (size_t i = plan->first_analysis; ok && i < plan->end_analysis; i++) {
        if (!(ok = stage_command(&plan->stages[i], cmd, cap)))
            break;
        if (!parallel) {
            ok = fprintf(out, " \\\n  | %s", cmd) >= 0;
            continue;
        }
        if (group[0] && (ok = strlen(group) + 3 < cap))
            strcat(group, " | ");
        if (ok && (ok = strlen(group) + strlen(cmd) < cap))
            strcat(group, cmd);
    }
    if (ok && parallel) {
        quoted[0] = '\0';
        ok = runner_shell_quote(group, quoted, cap * 4 + 8) &&
             fprintf(out, " \\\n  | parallel --pipe --round-robin --block 1M -j %d %s",
                     plan->jobs, quoted) >= 0;
    }
    if (ok && plan->has_sink) {
        ok = stage_command(&plan->stages[plan->nstages - 1], cmd, cap) &&
             fprintf(out, " \\\n  | %s", cmd) >= 0;
    }
    if (ok)
        ok = fputc('\n', out) != EOF;
    free(cmd);
    free(group);
    free(quoted);
    return ok;
}
