#!/bin/sh
# tests/bench/memory.sh - peak memory of crible-index as the corpus grows:
# for each corpus and each --memory budget, the peak RSS (/usr/bin/time
# %M) of a whole build, the final merges at commit included, and the
# segments left.  The issue's target: the peak stays within the budget
# plus a constant, whatever the corpus size (flat down each column).
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

# One build: prints "peak-MB segments".
measure() {   # build mode memory corpus
    idx=$WORK/idx
    b=$1
    rm -rf "$idx"
    if [ "$2" = stream ]; then
        set -- /usr/bin/time -f '%M' -o "$WORK/time" "$1/bin/crible-index" -q --memory "$3" -o "$idx" "$WORK/$4.tok"
    else
        set -- /usr/bin/time -f '%M' -o "$WORK/time" "$1/bin/crible-index" -q --analyze --memory "$3" -o "$idx" "$WORK/$4.docs"
    fi
    if ! "$@"; then echo "failed: $*" >&2; echo "- -"; return 0; fi
    segs=$("$b/bin/crible-index" stats "$idx" | awk -F'\t' '$1=="segments"{print $2}')
    echo "$(( $(tail -1 "$WORK/time") / 1024 )) $segs"
}

if [ -n "$REF" ]; then
    echo "crible-index peak RSS in MB (segments left), $REF -> $BUILD:"
else
    echo "crible-index peak RSS in MB (segments left), $BUILD:"
fi
for mode in $MODES; do
    printf '%-8s %-8s %8s' mode corpus "MB docs"
    for m in $MEMORY; do printf ' %22s' "--memory $m"; done
    echo
    for c in $CORPORA; do
        if [ "$mode" = stream ]; then stream "$c"; else docs "$c"; fi
        printf '%-8s %-8s %8s' "$mode" "$c" "$(du -m "$WORK/$c.docs" | cut -f1)"
        for m in $MEMORY; do
            set -- $(measure "$BUILD" "$mode" "$m" "$c")
            cell="$1 ($2)"
            if [ -n "$REF" ]; then
                set -- $(measure "$REF" "$mode" "$m" "$c") "$cell"
                cell="$1 ($2) -> $3"
            fi
            printf ' %22s' "$cell"
        done
        echo
        rm -f "$WORK/$c.tok"
    done
done
