/*
 * run.c - the event loop of a run: once spawn.c has started the processes,
 * it carries the stream where the runner sits in it (relay.h), relays every
 * stage's stderr, reaps the stages, and decides whether the sink may commit
 * or everything must stop (run.h says the rules).
 *
 * Wiring, with -j 2 and stages read, tokenize, stem, index:
 *
 *   read ─▶ runner split ─┬─▶ tokenize.1 ─▶ stem.1 ─┬─▶ runner merge ─▶ index
 *                         └─▶ tokenize.2 ─▶ stem.2 ─┘
 *
 * With -j 1 read writes straight into tokenize (unless the progress line
 * is shown: then the split, with one copy, counts what read sends); the
 * merge is always there: it counts documents, tokens and entities for the
 * progress line and the summary, and it is what holds the sink's stdin
 * open until the end.
 */
#define _GNU_SOURCE   /* pipe2 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "run_state.h"

#define KILL_GRACE 3.0        /* seconds between SIGTERM and SIGKILL */

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig != SIGCHLD && !stop_signal)
        stop_signal = sig;
    char c = (char)sig;
    ssize_t w = write(signal_pipe[1], &c, 1);
    (void)w;
    errno = saved;
}

static const int caught[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};

static crible_status install_signals(crible_error *err)
{
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return crible_error_set(err, CRIBLE_EIO, "pipe: %s", strerror(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    for (size_t i = 0; i < sizeof caught / sizeof *caught; i++)
        sigaction(caught[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return CRIBLE_OK;
}

static void restore_signals(void)
{
    for (size_t i = 0; i < sizeof caught / sizeof *caught; i++)
        signal(caught[i], SIG_DFL);
    for (int i = 0; i < 2; i++)
        if (signal_pipe[i] >= 0) {
            close(signal_pipe[i]);
            signal_pipe[i] = -1;
        }
}

int runner_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return CRIBLE_EINTERNAL;
}

static bool proc_failed(const runner_proc *p)
{
    return p->exited && runner_exit_code(p->status) != 0;
}

/* --- during the run ----------------------------------------------------------- */

static void print_stage_line(run_state *r, runner_proc *p, const char *line, size_t len)
{
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (r->progress.enabled)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "[%s] %.*s\n", p->label, (int)len, line);
    fflush(stderr);
    r->progress.last = 0;
    if (len) {
        size_t n = len < sizeof p->last_line - 1 ? len : sizeof p->last_line - 1;
        memcpy(p->last_line, line, n);
        p->last_line[n] = '\0';
    }
}

static void read_stderr(run_state *r, runner_proc *p)
{
    ssize_t got = runner_buf_fill(&p->err, p->err_fd, 65536);
    if (got < 0 && errno == EAGAIN)
        return;
    for (;;) {
        const char *s = p->err.data + p->err.start;
        size_t len = runner_buf_len(&p->err);
        const char *nl = len ? memchr(s, '\n', len) : NULL;
        if (!nl && len < 4096 && got > 0)
            break;
        if (!len)
            break;
        size_t take = nl ? (size_t)(nl - s) + 1 : len;
        print_stage_line(r, p, s, take);
        p->err.start += take;
    }
    if (got <= 0) {
        close(p->err_fd);
        p->err_fd = -1;
    }
}

static void reap(run_state *r)
{
    for (;;) {
        /* Peek first: /proc/PID/io of the source is gone once it is reaped. */
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0)
            return;
        if (si.si_pid == r->procs[r->source].pid)
            r->source_bytes = runner_proc_read_bytes(si.si_pid, r->source_bytes);
        int status;
        struct rusage ru;
        pid_t pid = wait4(si.si_pid, &status, WNOHANG, &ru);
        if (pid <= 0)
            return;
        for (size_t i = 0; i < r->nprocs; i++) {
            runner_proc *p = &r->procs[i];
            if (p->pid != pid)
                continue;
            p->pid = 0;
            p->exited = true;
            p->status = status;
            /* Signalled, but it ended by an exit of its own: the signal came
             * as it was exiting (its failure, reaped after a consequence of
             * it, set off the abort), or it ignored it.  Its own failure. */
            if (p->signalled_by_us && WIFEXITED(status) && WEXITSTATUS(status) < 128)
                p->signalled_by_us = false;
            p->usage = ru;
            p->ended = crible_now();
            p->order = ++r->order;
        }
    }
}

static size_t live_procs(const run_state *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nprocs; i++)
        n += r->procs[i].pid != 0;
    return n;
}

static void signal_all(run_state *r, int sig)
{
    /* The whole group: a stage's own children too (a shell script's). */
    if (r->own_group && r->pgid)
        kill(-r->pgid, sig);
    /* The sink first: it must die before anything could end its input. */
    if (r->sink < r->nprocs && r->procs[r->sink].pid) {
        kill(r->procs[r->sink].pid, sig);
        r->procs[r->sink].signalled_by_us = true;
    }
    for (size_t i = 0; i < r->nprocs; i++) {
        if (r->procs[i].pid) {
            kill(r->procs[i].pid, sig);
            r->procs[i].signalled_by_us = true;
        }
    }
}

static void start_abort(run_state *r)
{
    if (r->aborting)
        return;
    reap(r);
    r->aborting = true;
    r->abort_at = crible_now();
    signal_all(r, SIGTERM);
    /* Stop carrying the stream; keep the sink's stdin open until it is gone. */
    if (r->use_split) {
        if (r->split.in_fd >= 0)
            close(r->split.in_fd);
        r->split.in_fd = -1;
        for (size_t i = 0; i < r->split.nout; i++)
            runner_split_drop(&r->split, i);
    }
    for (size_t i = 0; i < r->merge.n; i++)
        if (r->merge.in[i].fd >= 0) {
            close(r->merge.in[i].fd);
            r->merge.in[i].fd = -1;
            r->merge.in[i].eof = true;
        }
}

static bool any_failed(const run_state *r)
{
    for (size_t i = 0; i < r->nprocs; i++)
        if (proc_failed(&r->procs[i]))
            return true;
    return false;
}

/* Every process but the sink has exited. */
static bool upstream_exited(const run_state *r)
{
    for (size_t i = 0; i < r->nprocs; i++)
        if (i != r->sink && !r->procs[i].exited)
            return false;
    return true;
}

static void close_sink(run_state *r)
{
    if (r->sink_fd >= 0 && r->sink_fd != STDOUT_FILENO)
        close(r->sink_fd);
    r->sink_fd = -1;
}

/* Moves data and decides what comes next; false when the run is over. */
static bool step(run_state *r)
{
    if (stop_signal && !r->aborting)
        start_abort(r);
    if (!r->aborting && (any_failed(r) || r->sink_broken || r->copy_broken >= 0))
        start_abort(r);
    if (!r->aborting) {
        if (r->use_split) {
            runner_split_pump(&r->split);
            runner_split_close_done(&r->split);
        }
        runner_merge_pump(&r->merge);
        if (r->sink_fd >= 0 && runner_merge_done(&r->merge) &&
            runner_buf_len(&r->merge.out) == 0 && upstream_exited(r))
            close_sink(r);          /* all went well: the sink may commit */
    } else {
        if (!r->killed_hard && crible_now() - r->abort_at > KILL_GRACE) {
            signal_all(r, SIGKILL);
            r->killed_hard = true;
        }
        if (r->sink >= r->nprocs || r->procs[r->sink].exited)
            close_sink(r);
    }
    if (live_procs(r) > 0)
        return true;
    for (size_t i = 0; i < r->nprocs; i++)
        if (r->procs[i].err_fd >= 0)
            return true;           /* their last words are still in the pipe */
    return !r->aborting && r->sink_fd >= 0;   /* data still to move */
}

enum { W_SIGNAL, W_STDERR, W_SOURCE, W_COPY_IN, W_MERGE_IN, W_SINK };

typedef struct watch {
    int kind;
    size_t index;
} watch;

/* Progress in input bytes: the source reads ahead of the documents done
 * (pipes hold some), so its position (bytes read) is scaled by the share
 * of the documents it has sent that came out of the last stage. */
static void update_progress(run_state *r)
{
    if (!r->progress.enabled)
        return;
    if (r->procs[r->source].pid)
        r->source_bytes = runner_proc_read_bytes(r->procs[r->source].pid, r->source_bytes);
    unsigned long long done = r->merge.counts.docs, sent = r->use_split ? r->split.docs : 0;
    unsigned long long read = r->source_bytes ? r->source_bytes
                                              : r->use_split ? r->split.bytes : r->merge.counts.bytes;
    if (sent && done < sent)
        read = (unsigned long long)((double)read * (double)done / (double)sent);
    if (r->plan->input_bytes && read > r->plan->input_bytes)
        read = r->plan->input_bytes;
    crible_progress_update(&r->progress, done, read);
}

static void handle(run_state *r, const watch *w, short revents)
{
    if (!revents)
        return;
    switch (w->kind) {
    case W_SIGNAL: {
        char drain[64];
        while (read(signal_pipe[0], drain, sizeof drain) > 0)
            ;
        reap(r);
        break;
    }
    case W_STDERR:
        read_stderr(r, &r->procs[w->index]);
        break;
    case W_SOURCE: {
        ssize_t got = runner_buf_fill(&r->split.in, r->split.in_fd, 65536);
        if (got == 0 || (got < 0 && errno != EAGAIN)) {
            close(r->split.in_fd);
            r->split.in_fd = -1;
        }
        break;
    }
    case W_COPY_IN:
        if (runner_buf_flush(&r->split.out[w->index], r->split.out_fd[w->index]) < 0 &&
            errno != EAGAIN) {
            /* Its documents would be lost: a failure, as a shell's
             * writer dies of SIGPIPE when its reader goes away. */
            runner_split_drop(&r->split, w->index);
            if (r->copy_broken < 0)
                r->copy_broken = (long)w->index;
        }
        break;
    case W_MERGE_IN: {
        runner_merge_input *in = &r->merge.in[w->index];
        ssize_t got = runner_buf_fill(&in->buf, in->fd, 65536);
        if (got == 0 || (got < 0 && errno != EAGAIN)) {
            close(in->fd);
            in->fd = -1;
            in->eof = true;
        }
        break;
    }
    case W_SINK:
        if (runner_buf_flush(&r->merge.out, r->sink_fd) < 0 && errno != EAGAIN) {
            r->merge.out.start = r->merge.out.end = 0;
            r->sink_broken = true;
        }
        break;
    }
}

static crible_status loop(run_state *r, crible_error *err)
{
    size_t cap = 4 + r->nprocs + (r->use_split ? r->split.nout : 0) + r->merge.n;
    struct pollfd *pfd = crible_malloc(cap * sizeof *pfd, err);
    watch *w = crible_malloc(cap * sizeof *w, err);
    if (!pfd || !w) {
        free(pfd);
        free(w);
        return CRIBLE_ENOMEM;
    }
    while (step(r)) {
        size_t n = 0;
#define WATCH(fd_, ev_, kind_, idx_) \
    (pfd[n] = (struct pollfd){.fd = (fd_), .events = (ev_)}, \
     w[n++] = (watch){.kind = (kind_), .index = (idx_)})
        WATCH(signal_pipe[0], POLLIN, W_SIGNAL, 0);
        for (size_t i = 0; i < r->nprocs; i++)
            if (r->procs[i].err_fd >= 0)
                WATCH(r->procs[i].err_fd, POLLIN, W_STDERR, i);
        if (!r->aborting) {
            if (r->use_split && runner_split_wants_input(&r->split))
                WATCH(r->split.in_fd, POLLIN, W_SOURCE, 0);
            for (size_t i = 0; r->use_split && i < r->split.nout; i++)
                if (r->split.out_fd[i] >= 0 && runner_buf_len(&r->split.out[i]))
                    WATCH(r->split.out_fd[i], POLLOUT, W_COPY_IN, i);
            for (size_t i = 0; i < r->merge.n; i++)
                if (runner_merge_wants_input(&r->merge, i))
                    WATCH(r->merge.in[i].fd, POLLIN, W_MERGE_IN, i);
            if (r->sink_fd >= 0 && runner_buf_len(&r->merge.out))
                WATCH(r->sink_fd, POLLOUT, W_SINK, 0);
        }
#undef WATCH
        int timeout = r->progress.enabled ? 250 : r->aborting ? 200 : 1000;
        int ready = poll(pfd, n, timeout);
        if (ready < 0 && errno != EINTR) {
            free(pfd);
            free(w);
            return crible_error_set(err, CRIBLE_EIO, "poll: %s", strerror(errno));
        }
        for (size_t i = 0; ready > 0 && i < n; i++)
            handle(r, &w[i], pfd[i].revents);
        reap(r);    /* SIGCHLD may have come between two polls */
        update_progress(r);
    }
    free(pfd);
    free(w);
    return CRIBLE_OK;
}

/* --- the end -------------------------------------------------------------- */

/* The stage to blame: the most upstream one that failed on its own, not of
 * a broken pipe nor of the runner's signal; failing that, the most upstream
 * that failed at all.  Upstream first, not first in time: when a stage dies,
 * the next one sees its stream cut short and fails too, and on a loaded
 * machine that consequence may be reaped before its cause. */
static const runner_proc *blame(const run_state *r, int *rank_out)
{
    const runner_proc *best = NULL;
    int best_rank = 99;
    for (size_t i = 0; i < r->nprocs; i++) {
        const runner_proc *p = &r->procs[i];
        if (!proc_failed(p))
            continue;
        /* Killed by SIGPIPE, or a shell whose command was (128 + 13). */
        bool pipe_death = runner_exit_code(p->status) == 128 + SIGPIPE;
        int rank = p->signalled_by_us ? 2 : pipe_death ? 1 : 0;
        if (!best || rank < best_rank) {   /* procs are in plan order: upstream first */
            best = p;
            best_rank = rank;
        }
    }
    *rank_out = best_rank;
    return best;
}

crible_status runner_run(const runner_plan *plan, runner_result *result, crible_error *err)
{
    memset(result, 0, sizeof *result);
    run_state r;
    memset(&r, 0, sizeof r);
    r.plan = plan;
    r.sink_fd = -1;
    r.copy_broken = -1;
    stop_signal = 0;
    crible_status st = install_signals(err);
    if (st != CRIBLE_OK)
        return st;
    double t0 = crible_now();
    crible_progress_start(&r.progress, plan->progress, plan->input_bytes);
    /* The stages get a process group of their own, so that a stage's own
     * children are stopped with it; not when stdin is a terminal, which
     * only the foreground group may read (crible run -). */
    r.own_group = !isatty(STDIN_FILENO);
    st = runner_start(&r, err);
    if (st != CRIBLE_OK) {
        /* Some started: stop them (the sink before anything ends its input). */
        r.aborting = true;
        signal_all(&r, SIGTERM);
        while (live_procs(&r) > 0) {
            reap(&r);
            if (live_procs(&r) > 0)
                usleep(10000);
        }
    } else {
        st = loop(&r, err);
    }
    if (r.aborting && r.own_group && r.pgid)
        kill(-r.pgid, SIGKILL);    /* whatever the stages left behind */
    close_sink(&r);
    if (r.progress.enabled)
        crible_progress_end(&r.progress);
    if (r.use_split)
        runner_split_free(&r.split);
    result->counts = r.merge.counts;
    runner_merge_free(&r.merge);
    runner_order_free(&r.order_of_docs);
    restore_signals();
    for (size_t i = 0; i < r.nprocs; i++) {
        if (r.procs[i].err_fd >= 0)
            close(r.procs[i].err_fd);
        runner_buf_free(&r.procs[i].err);
    }
    result->procs = r.procs;
    result->nprocs = r.nprocs;
    result->seconds = crible_now() - t0;
    getrusage(RUSAGE_SELF, &result->self_usage);
    result->input_bytes = r.source_bytes ? r.source_bytes : result->counts.bytes;
    if (st != CRIBLE_OK)
        return st;
    result->interrupted = stop_signal != 0;
    int rank;
    result->failed = blame(&r, &rank);
    bool broken = r.sink_broken || r.copy_broken >= 0;
    if (broken && (!result->failed || rank == 2))
        result->failed = NULL;     /* stopped by the runner because of that */
    if (r.copy_broken >= 0 && !result->failed) {
        size_t nanalysis = plan->end_analysis - plan->first_analysis;
        result->stopped_reading = &r.procs[1 + (size_t)r.copy_broken * nanalysis];
    }
    if (result->interrupted)
        result->exit_status = 128 + stop_signal;
    else if (result->failed)
        result->exit_status = runner_exit_code(result->failed->status);
    else if (r.copy_broken >= 0)
        result->exit_status = 128 + SIGPIPE;
    else if (r.sink_broken)
        result->exit_status = r.sink < r.nprocs ? CRIBLE_EIO : 128 + SIGPIPE;
    return CRIBLE_OK;
}

void runner_result_free(runner_result *result)
{
    free(result->procs);
    memset(result, 0, sizeof *result);
}
