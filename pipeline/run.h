/*
 * run.h - running a plan: the processes, their pipes, and what happens when
 * one of them fails or the user presses Ctrl-C.
 *
 * Processes.  Each stage (and each copy of an analysis stage under -j N) is
 * one process made with pipe(), fork() and execv(): no shell ever sees a
 * value from the configuration.  Its stderr is a pipe the runner reads: each
 * line is written to the runner's stderr behind the stage's name in
 * brackets ("[tokenize.2] crible-tokenize: ...").  The stages share a
 * process group of their own (unless stdin is a terminal, which only the
 * foreground group may read), so that stopping them stops their own
 * children too; Ctrl-C reaches the runner, which stops them.
 *
 * Commit.  The sink (crible-index) commits when its input ends cleanly.  The
 * runner holds the sink's stdin open until every other stage has exited, and
 * closes it only if they all exited 0.  If any stage fails, or the runner is
 * interrupted (SIGINT, SIGTERM, SIGHUP), it sends SIGTERM to every stage
 * still running (the sink first, while its input is still open, so it never
 * sees an end of input), SIGKILL to those still there 3 s later, waits for
 * all of them, and exits: nothing was committed and no child is left.
 *
 * Exit status.  0 when every stage exited 0.  Otherwise the status of the
 * stage that failed first (128+N if a signal N killed it), not counting the
 * ones that only died of a broken pipe or of the runner's SIGTERM, and the
 * message names the stage and its last line on stderr.  130 when
 * interrupted (143 for SIGTERM, 129 for SIGHUP).
 */
#ifndef CRIBLE_RUNNER_RUN_H
#define CRIBLE_RUNNER_RUN_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "plan.h"
#include "relay.h"

/* One process of the run. */
typedef struct runner_proc {
    const runner_stage *stage;
    int copy;                 /* 0-based copy number (analysis stages under -j) */
    char label[96];           /* "tokenize", "tokenize.2" under -j */
    pid_t pid;                /* 0 once reaped */
    int err_fd;               /* its stderr pipe, -1 once at its end */
    runner_buf err;           /* an unfinished stderr line */
    char last_line[512];      /* its last line on stderr */
    bool signalled_by_us;     /* the runner sent it SIGTERM/SIGKILL */
    int status;               /* from wait4 */
    bool exited;
    unsigned order;           /* 1, 2, ...: the order in which processes ended */
    double started, ended;    /* crible_now() */
    struct rusage usage;      /* CPU time, max RSS (wait4) */
} runner_proc;

typedef struct runner_result {
    int exit_status;          /* what crible exits with */
    bool interrupted;
    const runner_proc *failed;   /* the stage blamed, or NULL */
    const runner_proc *stopped_reading;  /* a copy's first stage that exited
                                          * before reading its share (141) */
    runner_proc *procs;       /* every process, in plan order (owned) */
    size_t nprocs;
    runner_counts counts;     /* what went through the merge */
    double seconds;           /* wall time of the run */
    struct rusage self_usage; /* the runner's own (it carries the streams) */
    unsigned long long input_bytes;  /* what the source read (or the stream size) */
} runner_result;

/* Runs the plan to its end.  CRIBLE_OK when the run took place (even if a
 * stage failed: see result->exit_status); another status when it could not
 * start (pipes, fork), with err set, after cleaning up. */
crible_status runner_run(const runner_plan *plan, runner_result *result, crible_error *err);
void runner_result_free(runner_result *result);

/* The exit status a wait status stands for: N for exit(N), 128+N for
 * signal N. */
int runner_exit_code(int wait_status);

#endif
