#!/bin/bash
# tests/bench/read.sh - crible-read's throughput in MB/s of input, median of
# RUNS runs (default 5), each as a ratio to floors measured in the same run:
#   wc -l          reading the bytes and finding the lines (the I/O floor)
#   jansson        parsing every line with jansson and freeing it
#                  (tests/tools/read_jansson_floor.c)
# on ../shared/data/reviews/reviews.jsonl (8.9 MB) repeated 4 times, and on
# the OrangeSum press articles (zstd, decompressed: 32,187 lines, 66 MB of
# text), for: JSON Lines pass-through (the default mapping), JSON Lines with
# a mapping (title from item_title: every line through jansson), and the
# corpus folder (text, Markdown, HTML, CSV).  Also the peak memory (max RSS)
# on the small and the large input, to show it is flat.
#
#   tests/bench/read.sh [BUILD_DIR]      (default: build; use a Release build)
#   RUNS=9 tests/bench/read.sh build-release
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
READ=$build/bin/crible-read
FLOOR=$build/tests/read_jansson_floor
SHARED=${CRIBLE_SHARED:-../shared}
RUNS=${RUNS:-5}
for f in "$READ" "$FLOOR"; do
    [ -x "$f" ] || { echo "read.sh: build first: $f missing" >&2; exit 2; }
done
reviews=$SHARED/data/reviews/reviews.jsonl
press=$SHARED/data/press/orangesum.jsonl.zst
if [ ! -f "$reviews" ]; then
    echo "skipped: $reviews absent (see README: Test data)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in 1 2 3 4; do cat "$reviews"; done > "$work/reviews4.jsonl"
printf 'read:\n  fields:\n    title: item_title\n' > "$work/map.yaml"
inputs="$work/reviews4.jsonl"
if [ -f "$press" ] && command -v zstd > /dev/null; then
    zstd -dc "$press" > "$work/press.jsonl"
    inputs="$inputs $work/press.jsonl"
fi

# median wall time of a command, in seconds
median() {
    local times=() t0 t1
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s.%N)
        "$@" > /dev/null
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
rss() { /usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -1; }

printf '%-28s %10s %9s %10s %10s %9s\n' input "MB" "MB/s" "x wc -l" "x jansson" "max RSS"
for f in $inputs; do
    mb=$(echo "$(stat -c %s "$f") / 1000000" | bc -l)
    wc_t=$(median wc -l "$f")
    js_t=$(median "$FLOOR" "$f")
    for mode in pass-through mapped; do
        if [ $mode = mapped ]; then cmd=("$READ" -c "$work/map.yaml" "$f"); else cmd=("$READ" "$f"); fi
        t=$(median "${cmd[@]}")
        printf '%-28s %10.1f %9.0f %10.2f %10.2f %7s KB\n' "$(basename "$f") $mode" "$mb" \
            "$(echo "$mb / $t" | bc -l)" "$(echo "$wc_t / $t" | bc -l)" \
            "$(echo "$js_t / $t" | bc -l)" "$(rss "${cmd[@]}")"
    done
done
# the corpus folder: 11 files, every format (too small for a rate: wall time)
t=$(median "$READ" corpus/)
printf '%-28s %10.2f %8.3fs (wall time, median of %s)\n' "corpus/ (all formats)" \
    "$(echo "$(du -sb corpus | cut -f1) / 1000000" | bc -l)" "$t" "$RUNS"
