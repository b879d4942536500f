#!/bin/bash
# analysis.sh - throughput of crible-read, crible-tokenize and crible-stem on
# real French text, each as a ratio to a floor measured in the same run:
#   read, tokenize  ICU's word break iterator alone over the same text
#                   (bench_floor break: UTF-8 -> UTF-16 and a ubrk_next loop,
#                   the method of ../shared/bench/limits/limits.c)
#   stem            libstemmer alone over the same words (bench_floor stem)
# and the tokenizer library alone (bench_floor tokenize) against the same
# floor.  Medians of RUNS runs, the commands interleaved run by run.  Peak
# memory (/usr/bin/time -f %M) of crible-tokenize and crible-stem on the
# corpus once and four times over shows whether it stays flat.
#
# usage: tests/bench/analysis.sh [CORPUS.jsonl]
#   default corpus: ../shared/data/reviews/reviews.jsonl and the first
#   PRESS_DOCS (3000) press articles; RUNS (5); CRIBLE_BIN, CRIBLE_TOOLS.
# Not a test: it prints figures, it never fails on them.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CRIBLE_BIN:-$src/build/bin}
tools=${CRIBLE_TOOLS:-$src/build/tests}
shared=${CRIBLE_SHARED:-$src/../shared}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -ge 1 ]; then
    cp "$1" "$work/corpus.jsonl"
else
    [ -f "$shared/data/reviews/reviews.jsonl" ] || { echo "analysis.sh: no corpus given and $shared/data absent" >&2; exit 77; }
    cat "$shared/data/reviews/reviews.jsonl" > "$work/corpus.jsonl"
    if [ -f "$shared/data/press/orangesum.jsonl.zst" ]; then
        { zstd -dc "$shared/data/press/orangesum.jsonl.zst" 2>/dev/null || true; } | head -n "${PRESS_DOCS:-3000}" >> "$work/corpus.jsonl"
    fi
fi
for p in crible-read crible-tokenize; do
    [ -x "$bin/$p" ] || { echo "analysis.sh: $bin/$p not built" >&2; exit 1; }
done
[ -x "$tools/bench_floor" ] || { echo "analysis.sh: $tools/bench_floor not built" >&2; exit 1; }
have_stem=0
[ -x "$bin/crible-stem" ] && have_stem=1

# one warm-up pass, which also makes the inputs of the later stages
"$bin/crible-read" "$work/corpus.jsonl" > "$work/docs.jsonl"
"$bin/crible-tokenize" "$work/docs.jsonl" > "$work/tokens.conllu"
[ $have_stem = 1 ] && "$bin/crible-stem" "$work/tokens.conllu" > /dev/null
read -r _ text_bytes icu_tokens _ < <("$tools/bench_floor" break "$work/docs.jsonl")
tokens=$(grep -c $'^[0-9]' "$work/tokens.conllu" || true)
words=$(awk -F'\t' '$0 !~ /^#/ && $6 == "word"' "$work/tokens.conllu" | wc -l)

# elapsed seconds of a command (stdout to /dev/null)
elapsed() { /usr/bin/time -f %e -o "$work/time" "$@" > /dev/null; cat "$work/time"; }
floor_s() { "$tools/bench_floor" "$@" | awk '{print $4}'; }

: > "$work/samples"
for ((r = 1; r <= runs; r++)); do
    echo "read $(elapsed "$bin/crible-read" "$work/corpus.jsonl")" >> "$work/samples"
    echo "tokenize $(elapsed "$bin/crible-tokenize" "$work/docs.jsonl")" >> "$work/samples"
    [ $have_stem = 1 ] && echo "stem $(elapsed "$bin/crible-stem" "$work/tokens.conllu")" >> "$work/samples"
    echo "icu $(floor_s break "$work/docs.jsonl")" >> "$work/samples"
    echo "lib $(floor_s tokenize "$work/docs.jsonl")" >> "$work/samples"
    echo "snowball $(floor_s stem "$work/tokens.conllu")" >> "$work/samples"
done
median() { grep "^$1 " "$work/samples" | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

icu=$(median icu); snowball=$(median snowball)
mb=$(awk -v b="$text_bytes" 'BEGIN{printf "%.2f", b/1e6}')
echo "corpus: $(wc -l < "$work/docs.jsonl") documents, $mb MB of title+text, $tokens tokens ($words words), medians of $runs runs"
printf '%-30s %9s %10s %12s %8s\n' "what" "seconds" "MB/s" "tokens/s" "ratio"
row() {  # name seconds floor-seconds count
    awk -v n="$1" -v s="$2" -v f="$3" -v b="$text_bytes" -v t="$4" \
        'BEGIN{printf "%-30s %9.3f %10.1f %12.0f %7.0f%%\n", n, s, b/1e6/s, t/s, 100*f/s}'
}
row "floor: ICU word breaks alone" "$icu" "$icu" "$icu_tokens"
row "tokenizer library" "$(median lib)" "$icu" "$tokens"
row "crible-read (program)" "$(median read)" "$icu" "$tokens"
row "crible-tokenize (program)" "$(median tokenize)" "$icu" "$tokens"
awk -v s="$snowball" -v w="$words" 'BEGIN{printf "%-30s %9.3f %10s %12.0f %7.0f%%\n", "floor: libstemmer alone", s, "-", w/s, 100}'
if [ $have_stem = 1 ]; then
    awk -v s="$(median stem)" -v f="$snowball" -v w="$words" -v b="$text_bytes" \
        'BEGIN{printf "%-30s %9.3f %10.1f %12.0f %7.0f%%\n", "crible-stem (program)", s, b/1e6/s, w/s, 100*f/s}'
fi
echo "(ratio: the floor's time over this one's; tokenize target >= 50 %, stem >= 70 %)"

# memory: the same documents once and four times over
for k in 1 2 3 4; do cat "$work/docs.jsonl"; done > "$work/docs4.jsonl"
rss() { /usr/bin/time -f %M -o "$work/time" "$@" > /dev/null; cat "$work/time"; }
t1=$(rss "$bin/crible-tokenize" "$work/docs.jsonl"); t4=$(rss "$bin/crible-tokenize" "$work/docs4.jsonl")
echo "peak RSS crible-tokenize: ${t1} KiB (x1), ${t4} KiB (x4 input)"
if [ $have_stem = 1 ]; then
    "$bin/crible-tokenize" "$work/docs4.jsonl" > "$work/tokens4.conllu"
    s1=$(rss "$bin/crible-stem" "$work/tokens.conllu"); s4=$(rss "$bin/crible-stem" "$work/tokens4.conllu")
    echo "peak RSS crible-stem: ${s1} KiB (x1), ${s4} KiB (x4 input)"
fi
