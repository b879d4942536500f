#!/bin/sh
# tests/bench/memory.sh - peak memory of crible-index as the corpus grows:
# for each corpus and each --memory budget, the peak RSS (/usr/bin/time
# %M) of a whole build, the final merges at commit included, and the
# segments left; then (MERGE) of `crible-index merge` of that index to one
# segment, and (SHARDS) of merging SHARDS indexes built apart, each of many
# segments (the corpus cut in SHARDS, each built at --memory SHARD_MEMORY
# with merge_factor 100 so that nothing merges), into a new index:
# `crible-index merge -o NEW SHARD...`.  The merges of 128k documents are
# press4's: at 64M its build ends with one (1 segment left).  The issue's target: the
# peak stays within the budget plus a constant, whatever the corpus size
# (flat down each column).
#
#   tests/bench/memory.sh [BUILD [REF_BUILD]]
#
# BUILD: a build directory (default build-rel: a Release build is what
# users run).  REF_BUILD: another build measured on the same inputs in the
# same run (e.g. of an older commit: `git worktree add /tmp/wt HEAD~3`),
# its figures beside BUILD's.  Settings (environment):
#   CORPORA  press press2 all  (default "press press2 press4 all")
#            press:  the 32,187 press articles (68 MB of documents)
#            pressN: the press N times over, ids renamed (the same
#                    vocabulary: only the documents grow)
#            all:    press + reviews + novels (tests/bench/mkcorpus.py,
#                    330 MB: the vocabulary grows too)
#   MEMORY   budgets (default "16M 64M")
#   MODES    analyze (crible-index --analyze on the documents) and/or
#            stream (crible-index on the token stream of crible-tokenize |
#            crible-stem, made once per corpus: 8x the text on disk)
#            (default "analyze")
#   MERGE    1: also `merge` the built index to one segment (default 1)
#   SHARDS   N: also the merge of N shards (default 8; 0: none), each
#            built at --memory SHARD_MEMORY (default 2M: many segments
#            each, more than 32 for the larger corpora; `merge` has no
#            buffer: its column's budget is not used)
#   WORK     scratch directory (default a new one under /tmp, removed)
# Exits 77 (skipped) when ../shared/data/press is absent.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${1:-build-rel}
REF=${2:-}
SHARED=${CRIBLE_SHARED:-$ROOT/../shared}
PRESS=$SHARED/data/press/orangesum.jsonl.zst
CORPORA=${CORPORA:-press press2 press4 all}
MEMORY=${MEMORY:-16M 64M}
MODES=${MODES:-analyze}
MERGE=${MERGE:-1}
SHARDS=${SHARDS:-8}
SHARD_MEMORY=${SHARD_MEMORY:-2M}
export CRIBLE_DATA=${CRIBLE_DATA:-$ROOT/config}
if [ ! -f "$PRESS" ]; then
    echo "memory.sh: $PRESS absent: skipped" >&2
    exit 77
fi
for b in "$BUILD" $REF; do
    [ -x "$b/bin/crible-index" ] || { echo "memory.sh: no $b/bin/crible-index" >&2; exit 2; }
done
OWN_WORK=
if [ -z "${WORK:-}" ]; then WORK=$(mktemp -d /tmp/crible-memory.XXXXXX); OWN_WORK=1; fi
cleanup() { [ -n "$OWN_WORK" ] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT

# The documents of a corpus in $WORK/$1.docs (made once).
docs() {
    d_out=$WORK/$1.docs
    [ -f "$d_out" ] && return 0
    [ -f "$WORK/press.docs" ] || zstd -dc "$PRESS" | "$BUILD/bin/crible-read" - > "$WORK/press.docs"
    case $1 in
        press) ;;
        press[0-9]*)
            n=${1#press}
            cp "$WORK/press.docs" "$d_out"
            k=2
            while [ "$k" -le "$n" ]; do
                sed "s/^{\"id\": \"/&c$k-/" "$WORK/press.docs" >> "$d_out"
                k=$((k + 1))
            done ;;
        all)
            python3 tests/bench/mkcorpus.py --shared "$SHARED" "$WORK/all.jsonl" 2>/dev/null
            "$BUILD/bin/crible-read" "$WORK/all.jsonl" > "$d_out"
            rm -f "$WORK/all.jsonl" ;;
        *) echo "memory.sh: unknown corpus '$1'" >&2; exit 2 ;;
    esac
}

# The token stream of corpus $1 in $WORK/$1.tok (made once, with BUILD).
stream() {
    t_out=$WORK/$1.tok
    [ -f "$t_out" ] && return 0
    docs "$1"
    "$BUILD/bin/crible-tokenize" "$WORK/$1.docs" | "$BUILD/bin/crible-stem" > "$t_out"
}

segments() { "$1/bin/crible-index" stats "$2" | awk -F'\t' '$1=="segments"{print $2}'; }

# Runs a command under /usr/bin/time: its peak RSS in MB in $peak ("-" if
# it failed).
timed() {
    if /usr/bin/time -f '%M' -o "$WORK/time" "$@"; then peak=$(( $(tail -1 "$WORK/time") / 1024 ))
    else echo "failed: $*" >&2; peak=-; fi
}

# One measure: prints "peak-MB segments".  what: build (the index of the
# corpus), merge (that index merged to one segment afterwards), shards (the
# merge of SHARDS shards of the corpus into a new index).
measure() {   # build mode memory corpus what
    b=$1
    idx=$WORK/idx-$(echo "$b" | tr / _)   # the build's, merged in the next row
    case $5 in
    build)
        rm -rf "$idx"
        if [ "$2" = stream ]; then
            timed "$1/bin/crible-index" -q --memory "$3" -o "$idx" "$WORK/$4.tok"
        else
            timed "$1/bin/crible-index" -q --analyze --memory "$3" -o "$idx" "$WORK/$4.docs"
        fi ;;
    merge)
        timed "$1/bin/crible-index" merge -q -o "$idx" ;;
    shards)
        rm -rf "$idx"
        printf 'index:\n  merge_factor: 100\n' > "$WORK/nomerge.yaml"
        shards=
        k=1
        while [ "$k" -le "$SHARDS" ]; do
            awk -v k="$k" -v n="$SHARDS" '(NR - 1) % n == k - 1' "$WORK/$4.docs" > "$WORK/shard.docs"
            rm -rf "$WORK/shard$k"
            "$b/bin/crible-index" -q --analyze -c "$WORK/nomerge.yaml" --memory "$SHARD_MEMORY" -o "$WORK/shard$k" "$WORK/shard.docs"
            shards="$shards $WORK/shard$k"
            k=$((k + 1))
        done
        rm -f "$WORK/shard.docs"
        timed "$b/bin/crible-index" merge -q -o "$idx" $shards
        rm -rf $shards ;;
    esac
    if [ "$peak" = - ]; then echo "- -"; return 0; fi
    echo "$peak $(segments "$b" "$idx")"
}

if [ -n "$REF" ]; then
    echo "crible-index peak RSS in MB (segments left), $REF -> $BUILD:"
else
    echo "crible-index peak RSS in MB (segments left), $BUILD:"
fi
WHATS=build
[ "$MERGE" = 1 ] && WHATS="$WHATS merge"
[ "$SHARDS" -gt 0 ] && WHATS="$WHATS shards"
for mode in $MODES; do
    printf '%-8s %-8s %-7s %8s' mode corpus what "MB docs"
    for m in $MEMORY; do printf ' %22s' "--memory $m"; done
    echo
    for c in $CORPORA; do
        if [ "$mode" = stream ]; then stream "$c"; else docs "$c"; fi
        # a budget's build, then its merge (of that index), then the shards
        : > "$WORK/cells"
        for m in $MEMORY; do
            for what in $WHATS; do
                [ "$what" = shards ] && [ "$mode" = stream ] && continue
                set -- $(measure "$BUILD" "$mode" "$m" "$c" "$what")
                cell="$1 ($2)"
                if [ -n "$REF" ]; then
                    set -- $(measure "$REF" "$mode" "$m" "$c" "$what") "$cell"
                    cell="$1 ($2) -> $3"
                fi
                printf '%s\t%s\t%s\n' "$what" "$m" "$cell" >> "$WORK/cells"
            done
        done
        for what in $WHATS; do
            [ "$what" = shards ] && [ "$mode" = stream ] && continue
            printf '%-8s %-8s %-7s %8s' "$mode" "$c" "$what" "$(du -m "$WORK/$c.docs" | cut -f1)"
            for m in $MEMORY; do
                printf ' %22s' "$(awk -F'\t' -v w="$what" -v m="$m" '$1==w && $2==m {print $3}' "$WORK/cells")"
            done
            echo
        done
        rm -f "$WORK/$c.tok"
    done
done
