#!/bin/bash
# runner.sh - what the runner costs and what -j buys, in wall time, on this
# machine: the same documents indexed by
#   shell     the --print pipeline run by bash (no runner: the baseline)
#   -j 1      crible run (one copy of tokenize | stem | entities)
#   -j 2      crible run -j 2 (two copies, the runner splitting and merging)
# Median of RUNS runs each (default 3), as ratios to the shell pipeline
# measured in the same run.  Data: ../shared/data/reviews/reviews.jsonl
# (12,488 reviews, 8.9 MB) when present, else corpus/ copied until it is
# about 5 MB.
#
#   tests/bench/runner.sh [BUILD_DIR]        (default: build)
#   RUNS=5 tests/bench/runner.sh build
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
case $build in
    /*) PATH="$build/bin:$PATH" ;;
    *) PATH="$PWD/$build/bin:$PATH" ;;
esac
for p in crible crible-read crible-tokenize crible-stem crible-entities crible-index; do
    command -v "$p" > /dev/null || { echo "runner.sh: $p not built in $build/bin" >&2; exit 1; }
done
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

data=../shared/data/reviews/reviews.jsonl
conf=config/reviews-jsonl.yaml
if [ ! -f "$data" ]; then
    echo "runner.sh: $data absent: using corpus/ copied to about 5 MB" >&2
    crible-read corpus > "$tmp/one.jsonl"
    size=$(stat -c %s "$tmp/one.jsonl")
    copies=$(( 5000000 / size + 1 ))
    for i in $(seq 1 "$copies"); do
        jq -c --arg i "$i" '.id = "\(.id)#\($i)"' "$tmp/one.jsonl"
    done > "$tmp/docs.jsonl"
    data=$tmp/docs.jsonl
    conf=config/crible.yaml
fi
# One process per stage (the runner fuses the standard chain by default:
# tests/bench/runner_fuse.sh measures that).
sed 's/^pipeline:.*/pipeline:\n  fuse: false/' "$conf" > "$tmp/piped.yaml"
conf=$tmp/piped.yaml
mb=$(awk -v s="$(stat -c %s "$data")" 'BEGIN { printf "%.1f", s / 1e6 }')
docs=$(wc -l < "$data")

# Seconds taken by "$@" (its output thrown away).
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

shell_run() { rm -rf "$tmp/idx"; bash -c "$(crible run -c "$conf" -o "$tmp/idx" -j 1 --print "$data")"; }
crible_run() { rm -rf "$tmp/idx"; crible run -c "$conf" -o "$tmp/idx" -q -j "$1" "$data"; }

load() { cut -d' ' -f1 /proc/loadavg; }
echo "crible run: $docs documents, $mb MB ($data), $(nproc) cores, median of $runs runs, load average $(load) at the start"
# The three take turns, run after run, so that a change in the machine's
# load (it is shared) weighs on all three alike.
for _ in $(seq 1 "$runs"); do
    seconds shell_run >> "$tmp/shell.times"
    seconds crible_run 1 >> "$tmp/j1.times"
    seconds crible_run 2 >> "$tmp/j2.times"
done
declare -A med
for what in shell j1 j2; do
    med[$what]=$(median < "$tmp/$what.times")
done
printf '%-34s %8s %8s %10s\n' "how" "wall s" "MB/s" "vs shell"
for what in shell j1 j2; do
    case $what in
        shell) label="bash (crible run --print)" ;;
        j1) label="crible run -j 1" ;;
        j2) label="crible run -j 2" ;;
    esac
    awk -v l="$label" -v t="${med[$what]}" -v b="${med[shell]}" -v mb="$mb" \
        'BEGIN { printf "%-34s %8.2f %8.2f %9.2fx\n", l, t, mb / t, b / t }'
done
awk -v a="${med[j1]}" -v b="${med[j2]}" 'BEGIN { printf "speed-up of -j 2 over -j 1: %.2fx\n", a / b }'
echo "load average $(load) at the end (other processes share the cores: a load above $(nproc) slows every row)"
echo "time per stage (one crible run -j 2):"
rm -rf "$tmp/idx"
crible run -c "$conf" -o "$tmp/idx" -j 2 --no-progress "$data" 2>&1 >/dev/null | sed -n '/stage /,$p'
