/*
 * spawn.c - starting the processes of a run: pipe(), fork(), execv(), each
 * stage's stdin, stdout and stderr wired as run.c's top comment draws, the
 * stages in a process group of their own when they may be, and an execv
 * that fails reported by the child through a close-on-exec pipe (so
 * "cannot run stage 'x': No such file or directory" is known before the
 * run goes on).
 */
#define _GNU_SOURCE   /* pipe2 */
#include "run_state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In the child: never returns. */
static void child_exec(const runner_proc *p, pid_t pgid, int in_fd, int out_fd, int err_fd,
                       int report_fd)
{
    int e = 0;
    if (pgid >= 0)
        setpgid(0, pgid);
    if ((in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0) ||
        (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
        dup2(err_fd, STDERR_FILENO) < 0)
        e = errno;
    if (!e && p->stage->cwd && chdir(p->stage->cwd) != 0)
        e = errno;
    if (!e) {
        for (int sig = 1; sig < NSIG; sig++)
            signal(sig, SIG_DFL);     /* the runner's handlers, SIGPIPE ignored */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(p->stage->program, p->stage->argv);
        e = errno;
    }
    ssize_t w = write(report_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* Starts p with the given stdin/stdout (-1: the runner's own). */
static crible_status spawn(run_state *r, runner_proc *p, int in_fd, int out_fd,
                           crible_error *err)
{
    int errp[2], rep[2];
    if (pipe2(errp, O_CLOEXEC) != 0)
        return crible_error_set(err, CRIBLE_EIO, "pipe: %s", strerror(errno));
    if (pipe2(rep, O_CLOEXEC) != 0) {
        close(errp[0]);
        close(errp[1]);
        return crible_error_set(err, CRIBLE_EIO, "pipe: %s", strerror(errno));
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid == 0)
        child_exec(p, r->own_group ? r->pgid : -1, in_fd, out_fd, errp[1], rep[1]);
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(errp[1]);
    close(rep[1]);
    if (pid < 0) {
        close(errp[0]);
        close(rep[0]);
        return crible_error_set(err, CRIBLE_EIO, "cannot start stage '%s': fork: %s",
                                p->label, strerror(fork_errno));
    }
    p->pid = pid;
    if (r->own_group) {
        setpgid(pid, r->pgid);     /* as the child does: whoever runs first */
        if (!r->pgid)
            r->pgid = pid;
    }
    p->started = crible_now();
    p->err_fd = errp[0];
    set_nonblock(p->err_fd);
    int child_errno = 0;
    ssize_t got;
    do
        got = read(rep[0], &child_errno, sizeof child_errno);
    while (got < 0 && errno == EINTR);
    close(rep[0]);
    if (got == (ssize_t)sizeof child_errno)
        return crible_error_set(err, CRIBLE_ECONFIG, "cannot run stage '%s' (%s): %s",
                                p->label, p->stage->program, strerror(child_errno));
    return CRIBLE_OK;
}

static crible_status make_pipe(int fds[2], crible_error *err)
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        return crible_error_set(err, CRIBLE_EIO, "pipe: %s", strerror(errno));
    return CRIBLE_OK;
}

static void init_proc(runner_proc *p, const runner_stage *st, int copy, int jobs)
{
    memset(p, 0, sizeof *p);
    p->stage = st;
    p->copy = copy;
    p->err_fd = -1;
    if (jobs > 1)
        snprintf(p->label, sizeof p->label, "%s.%d", st->name, copy + 1);
    else
        snprintf(p->label, sizeof p->label, "%s", st->name);
}

crible_status runner_start(run_state *r, crible_error *err)
{
    const runner_plan *plan = r->plan;
    size_t nanalysis = plan->end_analysis - plan->first_analysis;
    int jobs = nanalysis ? plan->jobs : 1;
    /* With one copy the source writes straight into it, unless progress
     * is shown: then the runner counts what the source sends (relay.h). */
    r->use_split = nanalysis && (jobs > 1 || r->progress.enabled);
    r->nprocs = 1 + nanalysis * (size_t)jobs + (plan->has_sink ? 1 : 0);
    if (!(r->procs = crible_malloc(r->nprocs * sizeof *r->procs, err)))
        return CRIBLE_ENOMEM;
    size_t k = 0;
    r->source = k;
    init_proc(&r->procs[k++], &plan->stages[0], 0, 1);
    for (int c = 0; c < jobs; c++)
        for (size_t s = plan->first_analysis; s < plan->end_analysis; s++)
            init_proc(&r->procs[k++], &plan->stages[s], c, jobs);
    r->sink = plan->has_sink ? k : r->nprocs;
    if (plan->has_sink)
        init_proc(&r->procs[k++], &plan->stages[plan->nstages - 1], 0, 1);

    /* The sink first, so that its stdin exists; its stdout is ours. */
    crible_status st;
    int fds[2];
    r->sink_fd = STDOUT_FILENO;
    if (plan->has_sink) {
        if ((st = make_pipe(fds, err)) != CRIBLE_OK)
            return st;
        st = spawn(r, &r->procs[r->sink], fds[0], -1, err);
        close(fds[0]);
        r->sink_fd = fds[1];
        set_nonblock(r->sink_fd);
        if (st != CRIBLE_OK)
            return st;
    }
    int *outs = crible_malloc((size_t)jobs * sizeof *outs, err);
    int *ins = crible_malloc((size_t)jobs * sizeof *ins, err);
    if (!outs || !ins) {
        free(outs);
        free(ins);
        return CRIBLE_ENOMEM;
    }
    /* Each copy of the analysis chain, from its end backwards. */
    st = CRIBLE_OK;
    for (int c = 0; c < jobs && st == CRIBLE_OK; c++) {
        ins[c] = outs[c] = -1;
        if (!nanalysis)
            break;
        if ((st = make_pipe(fds, err)) != CRIBLE_OK)
            break;
        outs[c] = fds[0];
        int next_in = fds[1];          /* what the stage being started writes to */
        for (size_t s = nanalysis; s-- > 0 && st == CRIBLE_OK;) {
            runner_proc *p = &r->procs[1 + (size_t)c * nanalysis + s];
            if ((st = make_pipe(fds, err)) != CRIBLE_OK)
                break;
            st = spawn(r, p, fds[0], next_in, err);
            close(fds[0]);
            close(next_in);
            next_in = fds[1];
        }
        ins[c] = next_in;
    }
    /* The source: straight into the only copy, or into the split. */
    if (st == CRIBLE_OK) {
        int src_out;
        if (nanalysis && !r->use_split) {
            src_out = ins[0];
            ins[0] = -1;
        } else {
            if ((st = make_pipe(fds, err)) == CRIBLE_OK) {
                src_out = fds[1];
                if (r->use_split) {
                    set_nonblock(fds[0]);
                    for (int c = 0; c < jobs; c++)
                        set_nonblock(ins[c]);
                    if (!runner_split_init(&r->split, fds[0], ins, (size_t)jobs, &r->order_of_docs))
                        st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
                } else {
                    outs[0] = fds[0];  /* no analysis: the merge reads the source */
                }
            }
        }
        if (st == CRIBLE_OK) {
            st = spawn(r, &r->procs[r->source], -1, src_out, err);
            close(src_out);
        }
    }
    if (st == CRIBLE_OK) {
        for (int c = 0; c < jobs; c++)
            set_nonblock(outs[c]);
        if (!runner_merge_init(&r->merge, outs, (size_t)jobs, r->use_split ? &r->order_of_docs : NULL))
            st = crible_error_set(err, CRIBLE_ENOMEM, "out of memory");
    }
    free(outs);
    free(ins);
    return st;
}

