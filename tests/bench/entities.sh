#!/bin/bash
# tests/bench/entities.sh - crible-entities' throughput in tokens/s, median
# of RUNS runs (default 5), on token streams made once (crible-read |
# crible-tokenize, outside the timing) from:
#   reviews   ../shared/data/reviews/reviews.jsonl (12,488 reviews)
#   press     the first PRESS_DOCS (default 8000) OrangeSum articles
# Each figure is also given as a ratio to a floor measured in the same run:
#   floor     crible-entities --no-rules with no gazetteer at all
#             (entities: {defaults: false}): reading the stream, writing the
#             two columns, nothing found: the cost of the stream format.
# and the peak memory (max RSS) on the reviews and on the reviews four
# times over, to show it is flat.  Target (issue 3): >= 1 M tokens/s.
#
#   tests/bench/entities.sh [BUILD_DIR]   (default: build; use a Release build)
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
runs=${RUNS:-5}
shared=${CRIBLE_SHARED:-../shared}
export CRIBLE_DATA=${CRIBLE_DATA:-$PWD/config}
bin=$build/bin
for p in crible-read crible-tokenize crible-entities; do
    [ -x "$bin/$p" ] || { echo "entities.sh: build first: $bin/$p missing" >&2; exit 2; }
done
reviews=$shared/data/reviews/reviews.jsonl
press=$shared/data/press/orangesum.jsonl.zst
if [ ! -f "$reviews" ] || [ ! -f "$press" ]; then
    echo "entities.sh: skipped: $shared/data absent (see README: Test data)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/crible-read" "$reviews" | "$bin/crible-tokenize" > "$tmp/reviews.tok"
zstd -dc "$press" | head -n "${PRESS_DOCS:-8000}" > "$tmp/press.jsonl"
"$bin/crible-read" "$tmp/press.jsonl" | "$bin/crible-tokenize" > "$tmp/press.tok"
for i in 1 2 3 4; do cat "$tmp/reviews.tok"; done > "$tmp/reviews4.tok"
printf 'entities:\n  defaults: false\n' > "$tmp/floor.yaml"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
seconds() {  # command... : median wall time of $runs runs
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" > /dev/null
        t1=$(date +%s.%N)
        echo "$t1 - $t0" | bc -l
    done | median
}
tokens() { grep -c $'^[0-9][0-9]*\t' "$1"; }

printf '%-8s %10s %12s %12s %12s %8s\n' input tokens "entities s" "tokens/s" "floor tok/s" ratio
for name in reviews press; do
    f=$tmp/$name.tok
    n=$(tokens "$f")
    t=$(seconds "$bin/crible-entities" "$f")
    fl=$(seconds "$bin/crible-entities" --no-rules -c "$tmp/floor.yaml" "$f")
    printf '%-8s %10d %12.3f %12.0f %12.0f %8.2f\n' "$name" "$n" "$t" \
        "$(echo "$n / $t" | bc -l)" "$(echo "$n / $fl" | bc -l)" "$(echo "$fl / $t" | bc -l)"
done
rss() { /usr/bin/time -f %M "$bin/crible-entities" "$1" 2>&1 > /dev/null | tail -1; }
echo "peak memory: reviews $(rss "$tmp/reviews.tok") KB, reviews x4 $(rss "$tmp/reviews4.tok") KB"
