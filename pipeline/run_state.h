/*
 * run_state.h - the state of one run, shared by run.c (the event loop and
 * its decisions) and spawn.c (starting the processes and wiring their
 * pipes).  Private to the runner.
 */
#ifndef CRIBLE_RUNNER_RUN_STATE_H
#define CRIBLE_RUNNER_RUN_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"
#include "plan.h"
#include "relay.h"
#include "run.h"

typedef struct run_state {
    const runner_plan *plan;
    runner_proc *procs;
    size_t nprocs;
    size_t source, sink;      /* indexes in procs; sink == nprocs: none */
    bool use_split;
    runner_split split;
    runner_merge merge;
    runner_order order_of_docs;   /* which copy got each document (split -> merge) */
    int sink_fd;              /* the sink's stdin, or STDOUT_FILENO; -1 closed */
    bool sink_broken;         /* the sink stopped reading before the end */
    long copy_broken;         /* a copy that stopped reading its share, or -1 */
    bool aborting;
    double abort_at;
    bool killed_hard;
    pid_t pgid;               /* the stages' process group (0: the runner's own) */
    bool own_group;           /* whether they have one of their own */
    unsigned order;
    crible_progress progress;
    unsigned long long source_bytes;
} run_state;

/* Creates every process of r->plan (r->procs, in plan order: the source,
 * each copy's analysis stages, the sink), the pipes between them and the
 * runner's ends (r->split, r->merge, r->sink_fd), as run.c's top comment
 * draws.  r->progress must be started (it decides whether the runner
 * counts the source's documents).  On failure, the processes already
 * started are left for the caller to stop. */
crible_status runner_start(run_state *r, crible_error *err);

#endif
