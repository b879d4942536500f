#!/bin/bash
# runner_fuse.sh - what fusion buys: the same documents indexed by
#   piped   crible run with `pipeline: fuse: false` (one process per stage:
#           read | tokenize | stem | entities | index)
#   fused   crible run as shipped (crible-read | crible-index --analyze
#           --entities, the same index bytes)
# at -j 1 and -j 2 (fused: --threads 1 and 2), taking turns, RUNS runs each
# (default 3); medians of the wall time and of the CPU time (user + sys of
# every process), as ratios piped / fused measured in the same run.  Data:
# ../shared/data/reviews/reviews.jsonl with config/reviews-jsonl.yaml, else
# corpus/ with config/crible.yaml.  Also checks that both indexes hold the
# same bytes at -j 1.
#
#   tests/bench/runner_fuse.sh [BUILD_DIR]        (default: build)
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
case $build in
    /*) bin=$build/bin ;;
    *) bin=$PWD/$build/bin ;;
esac
[ -x "$bin/crible" ] || { echo "runner_fuse.sh: crible not built in $build/bin" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "runner_fuse.sh: needs /usr/bin/time (Debian: time)" >&2; exit 1; }
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$PWD/../shared/data/reviews/reviews.jsonl
conf=$PWD/config/reviews-jsonl.yaml
if [ ! -f "$data" ]; then
    echo "runner_fuse.sh: $data absent: corpus/ instead" >&2
    data=$PWD/corpus
    conf=$PWD/config/crible.yaml
fi
sed 's/^pipeline:.*/pipeline:\n  fuse: false/' "$conf" > "$tmp/piped.yaml"

# One run: "WALL CPU" seconds.
one() {
    local cfg=$1 j=$2 out=$3
    rm -rf "$out"
    /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$bin/crible" run -q -j "$j" -c "$cfg" -o "$out" "$data" > /dev/null 2>&1
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$tmp/t"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "crible run piped vs fused: $data, $(nproc) cores, median of $runs runs, load average $(cut -d' ' -f1 /proc/loadavg) at the start"
for _ in $(seq 1 "$runs"); do
    for j in 1 2; do
        one "$tmp/piped.yaml" "$j" "$tmp/piped$j" >> "$tmp/piped$j.times"
        one "$conf" "$j" "$tmp/fused$j" >> "$tmp/fused$j.times"
    done
done
printf '%-10s %8s %8s %8s %8s %12s %12s\n' "-j" "piped s" "fused s" "piped cpu" "fused cpu" "wall ratio" "cpu ratio"
for j in 1 2; do
    pw=$(cut -d' ' -f1 "$tmp/piped$j.times" | median); fw=$(cut -d' ' -f1 "$tmp/fused$j.times" | median)
    pc=$(cut -d' ' -f2 "$tmp/piped$j.times" | median); fc=$(cut -d' ' -f2 "$tmp/fused$j.times" | median)
    awk -v j="$j" -v pw="$pw" -v fw="$fw" -v pc="$pc" -v fc="$fc" \
        'BEGIN { printf "%-10s %8.2f %8.2f %8.2f %8.2f %11.2fx %11.2fx\n", "-j " j, pw, fw, pc, fc, pw / fw, pc / fc }'
done
same=yes
for f in "$tmp"/piped1/MANIFEST "$tmp"/piped1/seg-*; do
    cmp -s "$f" "$tmp/fused1/$(basename "$f")" || same=no
done
echo "same index bytes at -j 1: $same; load average $(cut -d' ' -f1 /proc/loadavg) at the end"
[ "$same" = yes ]
