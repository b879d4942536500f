#!/usr/bin/env python3
"""Runs a command and prints its peak memory, split into anonymous memory
(the heap, the stacks: what the program allocated) and file-backed pages
(the program's code and libraries, the segments a merge maps: pages the
kernel can drop and read again), for benchmarks and memory tests.

  peak_mem.py [--stdin FILE] [--interval SECONDS] -- COMMAND [ARG]...

Prints one line on standard output:

  wall=S hwm_kb=N anon_kb=N file_kb=N rc=N

  wall     seconds from start to exit
  hwm_kb   the peak resident set (getrusage's ru_maxrss, the kernel's
           VmHWM: anonymous + file, exact)
  anon_kb  the highest RssAnon seen (sampled every --interval, 5 ms by
           default: a peak shorter than that can be missed, never
           overstated)
  file_kb  RssFile at that moment

and exits with the command's status.  Linux only (/proc/PID/status).
"""
import os
import subprocess
import sys
import time


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0])
    return out


def main():
    args = sys.argv[1:]
    stdin, interval = None, 0.005
    while args and args[0] != "--":
        if args[0] == "--stdin" and len(args) > 1:
            stdin = open(args[1], "rb")
            args = args[2:]
        elif args[0] == "--interval" and len(args) > 1:
            interval = float(args[1])
            args = args[2:]
        else:
            sys.exit("usage: peak_mem.py [--stdin FILE] [--interval S] -- COMMAND [ARG]...")
    if len(args) < 2:
        sys.exit("usage: peak_mem.py [--stdin FILE] [--interval S] -- COMMAND [ARG]...")
    t0 = time.monotonic()
    p = subprocess.Popen(args[1:], stdin=stdin)
    anon = file_at = 0
    while True:
        pid, st, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        try:
            s = status(p.pid)
        except (OSError, ValueError):
            s = {}
        if s.get("RssAnon", 0) > anon:
            anon, file_at = s["RssAnon"], s.get("RssFile", 0)
        time.sleep(interval)
    p.returncode = rc = os.waitstatus_to_exitcode(st)
    # ru_maxrss: the child's peak resident set (its VmHWM at exit)
    print("wall=%.2f hwm_kb=%d anon_kb=%d file_kb=%d rc=%d" %
          (time.monotonic() - t0, usage.ru_maxrss, anon, file_at, rc))
    sys.exit(rc if rc >= 0 else 128 - rc)


if __name__ == "__main__":
    main()
