/*
 * report.h - what the runner tells the user at the end: the summary table
 * (documents, tokens, entities by type, index size, time per stage), or
 * which stage failed and why.  Everything goes to stderr: stdout belongs to
 * the stream when the pipeline has no index stage.
 *
 *     crible: 12 documents (0.1 MB) in 0.42 s, 0.3 MB/s; 3,456 tokens
 *       entities  PER 23, PLATFORM 5, LOC 4, WORK 2
 *       index     config/../index  1.2 MB
 *       stage        copies   cpu s  wall s   max RSS
 *       read              1    0.01    0.05      5 MB
 *       tokenize          1    0.20    0.38     30 MB   <- most CPU
 */
#ifndef CRIBLE_RUNNER_REPORT_H
#define CRIBLE_RUNNER_REPORT_H

#include <stdio.h>
#include <sys/types.h>

#include "plan.h"
#include "run.h"

/* Bytes process `pid` has read so far (rchar in /proc/PID/io), or
 * `fallback` when that cannot be read. */
unsigned long long runner_proc_read_bytes(pid_t pid, unsigned long long fallback);

void runner_report_summary(const runner_plan *plan, const runner_result *result, FILE *out);

/* "crible: stage 'x' failed (exit 3): LAST LINE" and what became of the
 * index; or the interruption. */
void runner_report_failure(const runner_plan *plan, const runner_result *result, FILE *out);

#endif
