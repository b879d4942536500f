#!/bin/sh
# tests/bench/query.sh - crible-query's latency against Xapian, SQLite FTS5,
# Sphinx and Lucene, all built from the same documents and queried with the
# same query set in one run, through ../shared/bench/peers (crible takes part
# as a custom peer: tests/bench/crible.conf).
#
#   tests/bench/query.sh [CORPUS.jsonl] [QUERIES.txt]
#   env: CRIBLE_BUILD=build (a Release build: programs in bin/, tools in tests/)
#        PEERS="crible xapian sqlite sphinx lucene"  BUILD_RUNS=1  QUERY_PASSES=10
#          (peer crible-cold: crible planning every query as a first one)
#        BENCH_WORK=$CRIBLE_BUILD/bench-query/LABEL (LABEL: the corpus's name)
#        REUSE="xapian lucene" keeps these peers' indexes and build figures
#        from the previous run on the same corpus (only queries are run for
#        them: Xapian takes minutes to build the press); "all" keeps every
#        one that has an index.
# The ~300 MB corpus of the issue (press + reviews + novels): see
# tests/bench/mkcorpus.py.
# Prints the harness's report: median and p95 per category (term, and, or,
# phrase, prefix, top10, top10+snip) in microseconds, the ratio of each peer
# to the first (crible), and each system's total hits per category.
# Exits 77 (skipped) when ../shared/bench is absent.
set -eu
. "$(dirname "$0")/peers_env.sh"
for f in "$BUILD/bin/crible-query" "$BUILD/tests/bench_query"; do
    [ -x "$f" ] || { echo "query.sh: build first: $f missing" >&2; exit 2; }
done
CORPUS=${1:-$SHARED/data/reviews/reviews.jsonl}
QUERIES=${2:-$SHARED/bench/queries-fr.txt}
LABEL=${LABEL:-$(basename "$CORPUS" | sed 's/\.jsonl.*$//')}
WORK=${BENCH_WORK:-$BUILD/bench-query/$LABEL}
mkdir -p "$WORK"
rm -rf "$WORK/harness"
cp -r "$SHARED/bench" "$WORK/harness"
if [ -n "${REUSE:-}" ]; then
    # peers/run rebuilds every index: let it skip the peers in $REUSE whose
    # index and build row the previous run left (its row is copied over).
    awk '
        /^printf .peer.tround/ && !a { print "[ -f \"$OUT/build.tsv\" ] && mv \"$OUT/build.tsv\" \"$OUT/build.prev.tsv\""; a = 1 }
        /rm -rf "\$\{IDXROOT:\?\}\/\$p"/ && !b {
            print "    if { [ \"$REUSE\" = all ] || [[ \" $REUSE \" == *\" $p \"* ]]; } && [ -d \"$IDXROOT/$p\" ] &&"
            print "       awk -v p=\"$p\" \x27$1==p\x27 \"$OUT/build.prev.tsv\" 2>/dev/null | grep -q .; then"
            print "      [ \"$r\" = 1 ] && { log \"build $p: reusing $IDXROOT/$p\"; awk -v p=\"$p\" \x27$1==p\x27 \"$OUT/build.prev.tsv\" >> \"$OUT/build.tsv\"; }"
            print "      continue"
            print "    fi"
            b = 1
        }
        { print }
        END { if (!a || !b) exit 1 }
    ' "$SHARED/bench/peers/run" > "$WORK/harness/peers/run" ||
        { echo "query.sh: REUSE: peers/run changed, cannot patch it" >&2; exit 2; }
    export REUSE
fi
sed -e "s|@BIN@|$BUILD/bin|g" -e "s|@TOOLS@|$BUILD/tests|g" "$SRC/tests/bench/crible.conf" \
    > "$WORK/harness/peers/custom/crible.conf"
# crible-cold: the same, each query planned as if it were the first (the
# searcher forgets its dictionary lookups: bench_query BENCH_NO_MEMO=1)
sed -e 's|^query=|query=BENCH_NO_MEMO=1 BENCH_PEER=crible-cold |' \
    -e 's|^count=|count=BENCH_PEER=crible-cold |' "$WORK/harness/peers/custom/crible.conf" \
    > "$WORK/harness/peers/custom/crible-cold.conf"
export CRIBLE_DATA="${CRIBLE_DATA:-$SRC/config}"
BENCH_WORK="$WORK" PEERS="${PEERS:-crible xapian sqlite sphinx lucene}" \
    BUILD_RUNS="${BUILD_RUNS:-1}" QUERY_PASSES="${QUERY_PASSES:-10}" \
    "$WORK/harness/peers/run" "$CORPUS" "$QUERIES"
cat "$WORK/results/$LABEL/report.md"
