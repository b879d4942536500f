#!/bin/bash
# stream.sh - what the token stream (CoNLL-U Plus, stages/lib/conllu.h)
# costs the piped chain: the CPU of each stage on its input (crible-tokenize
# on the documents, crible-stem on its stream, crible-entities and
# crible-index on crible-stem's), against crible-index --analyze on the
# same documents (the same analysis and the same index in one process, no
# stream: the baseline, measured in the same run), and the wall time of the
# chain read | tokenize | stem | index against read | index --analyze.
# Medians of RUNS runs, the commands interleaved run by run; CPU is user +
# sys of the processes (getrusage).  It also checks that the chain and
# --analyze build the same segment bytes.
#
# usage: tests/bench/stream.sh [DOCS.jsonl]
#   default: the first PRESS_DOCS (3000) press articles of
#   ../shared/data/press/orangesum.jsonl.zst; RUNS (3); CRIBLE_BIN
#   (build/bin, a Release build); CRIBLE_SHARED.
# Not a test: it prints figures, it never fails on them (but on different
# index bytes).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CRIBLE_BIN:-$src/build/bin}
shared=${CRIBLE_SHARED:-$src/../shared}
runs=${RUNS:-3}
export CRIBLE_DATA=${CRIBLE_DATA:-$src/config}
for p in crible-read crible-tokenize crible-stem crible-entities crible-index; do
    [ -x "$bin/$p" ] || { echo "stream.sh: $bin/$p not built" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
    cp "$1" "$work/in.jsonl"
else
    [ -f "$shared/data/press/orangesum.jsonl.zst" ] ||
        { echo "skipped: $shared/data/press absent and no corpus given"; exit 77; }
    { zstd -dc "$shared/data/press/orangesum.jsonl.zst" 2>/dev/null || true; } |
        head -n "${PRESS_DOCS:-3000}" > "$work/in.jsonl"
fi
b=$bin
"$b/crible-read" "$work/in.jsonl" > "$work/docs"
"$b/crible-tokenize" < "$work/docs" > "$work/tok"
"$b/crible-stem" < "$work/tok" > "$work/stem"

# cpu NAME CMD...: appends the user + sys (of every process of CMD, from
# getrusage: microseconds, where /usr/bin/time prints hundredths) and the
# wall time of CMD (a shell command, its stdout dropped) to $work/times/NAME
mkdir "$work/times"
cpu() {
    local name=$1; shift
    python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(["sh", "-c", sys.argv[1]], stdout=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f" % (r.ru_utime + r.ru_stime, time.monotonic() - t))' "$*" >> "$work/times/$name"
}
for r in $(seq "$runs"); do
    cpu tokenize "'$b/crible-tokenize' < '$work/docs'"
    cpu stem "'$b/crible-stem' < '$work/tok'"
    cpu entities "'$b/crible-entities' < '$work/stem'"
    rm -rf "$work/ix"; cpu index "'$b/crible-index' -q -o '$work/ix' < '$work/stem'"
    rm -rf "$work/ixa"; cpu analyze "'$b/crible-index' -q --analyze -o '$work/ixa' < '$work/docs'"
    rm -rf "$work/ixc"
    cpu chain "'$b/crible-read' '$work/in.jsonl' | '$b/crible-tokenize' | '$b/crible-stem' | '$b/crible-index' -q -o '$work/ixc'"
    rm -rf "$work/ixf"
    cpu fused "'$b/crible-read' '$work/in.jsonl' | '$b/crible-index' -q --analyze -o '$work/ixf'"
done
same=yes
for f in "$work"/ixc/seg-*; do cmp -s "$f" "$work/ixf/$(basename "$f")" || same=NO; done

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
cpu_of() { awk '{print $1}' "$work/times/$1" | median; }
wall_of() { awk '{print $2}' "$work/times/$1" | median; }
mb() { awk -v n="$(stat -c %s "$1")" 'BEGIN {printf "%.1f", n / 1e6}'; }
an=$(cpu_of analyze)
echo "documents $(mb "$work/docs") MB, token stream $(mb "$work/tok") MB after tokenize, $(mb "$work/stem") MB after stem; medians of $runs runs"
printf '%-28s %8s %12s %14s\n' "stage (its input)" "CPU s" "stream MB/s" "CPU / --analyze"
row() {   # NAME LABEL INPUT
    local c; c=$(cpu_of "$1")
    printf '%-28s %8.3f %12s %14.2f\n' "$2" "$c" "$(awk -v n="$(stat -c %s "$3")" -v c="$c" 'BEGIN {printf "%.0f", n / 1e6 / c}')" \
        "$(awk -v c="$c" -v a="$an" 'BEGIN {print c / a}')"
}
row tokenize "crible-tokenize (documents)" "$work/docs"
row stem "crible-stem (tokens)" "$work/tok"
row entities "crible-entities (stems)" "$work/stem"
row index "crible-index (stems)" "$work/stem"
row analyze "crible-index --analyze" "$work/docs"
cw=$(wall_of chain); fw=$(wall_of fused)
awk -v c="$cw" -v f="$fw" -v cc="$(cpu_of chain)" -v fc="$(cpu_of fused)" 'BEGIN {
    printf "chain read|tokenize|stem|index: wall %.3f s, CPU %.3f s; read|index --analyze: wall %.3f s, CPU %.3f s; wall chain/--analyze %.2f\n", c, cc, f, fc, c / f }'
echo "same index bytes (chain, --analyze): $same"
[ "$same" = yes ]
