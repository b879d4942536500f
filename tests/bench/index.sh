#!/bin/sh
# tests/bench/index.sh - crible's index build against Lucene 4.10 (its
# FrenchAnalyzer), SQLite FTS5 and Xapian, all built from the same documents
# in one run by ../shared/bench/peers (crible takes part as a custom peer:
# the build= line of tests/bench/crible.conf, the whole pipeline
# read | tokenize | stem | index; and as "crible-an", read | index
# --analyze: the same analysis in-process, the same index).  Then crible-index alone on the same token
# stream with several --memory budgets, to show its peak memory is flat,
# and crible-index --analyze on the documents with the same budgets.
#
#   tests/bench/index.sh [CORPUS.jsonl[.zst]]
#   env: CRIBLE_BUILD=build (a Release build)  BUILD_RUNS=3
#        PEERS="crible lucene sqlite xapian"  BENCH_WORK=$CRIBLE_BUILD/bench-index
#        (crible-an runs beside crible unless PEERS names it or FUSED=0)
#        BUDGETS="16M 64M 256M"  MEMORY_ONLY=1: only crible-index's memory
# Prints, per system: median wall time, MB of text per second, index size
# and its ratio to the text and to Lucene's, peak RSS; then crible-index's
# peak memory per --memory: the peak RSS (exact: getrusage) and its
# anonymous part (sampled every 5 ms by tests/tools/peak_mem.py: what
# the process allocated; the rest is file pages, its code and libraries
# and the segments a merge maps, which the kernel can drop), each less
# the budget: the constant of the README.  Exits 77 (skipped) when
# ../shared/bench is absent.
set -eu
. "$(dirname "$0")/peers_env.sh"
for p in crible-read crible-tokenize crible-stem crible-index; do
    [ -x "$BUILD/bin/$p" ] || { echo "index.sh: build first: $BUILD/bin/$p missing" >&2; exit 2; }
done
CORPUS=${1:-$SHARED/data/reviews/reviews.jsonl}
WORK=${BENCH_WORK:-$BUILD/bench-index}
LABEL=${LABEL:-$(basename "$CORPUS" | sed 's/\.jsonl.*$//')}
mkdir -p "$WORK"
case "$CORPUS" in   # compressed corpora: decompressed once, not timed
    *.zst) zstd -q -dc "$CORPUS" > "$WORK/$LABEL.jsonl"; CORPUS=$WORK/$LABEL.jsonl ;;
esac
if [ "${MEMORY_ONLY:-0}" != 1 ]; then
rm -rf "$WORK/harness"
cp -r "$SHARED/bench" "$WORK/harness"
# the build= line is what this benchmark times; queries are tests/bench/query.sh's
sed -e "s|@BIN@|$BUILD/bin|g" -e "s|@TOOLS@|$BUILD/tests|g" "$SRC/tests/bench/crible.conf" \
    > "$WORK/harness/peers/custom/crible.conf"
# the same documents analysed in-process: crible-index --analyze
sed -e 's/^build=.*$/build=@BIN@\/crible-read {corpus} | @BIN@\/crible-index -q --analyze -o {idx}/' \
    -e "s|@BIN@|$BUILD/bin|g" -e "s|@TOOLS@|$BUILD/tests|g" "$SRC/tests/bench/crible.conf" \
    > "$WORK/harness/peers/custom/crible-an.conf"
PEERS=${PEERS:-crible lucene sqlite xapian}
case " $PEERS " in
    *" crible-an "*) ;;
    *" crible "*) [ "${FUSED:-1}" = 0 ] || PEERS=$(echo "$PEERS" | sed 's/\bcrible\b/crible crible-an/') ;;
esac
export CRIBLE_DATA="${CRIBLE_DATA:-$SRC/config}"
BENCH_WORK="$WORK" PEERS="$PEERS" BUILD_RUNS="${BUILD_RUNS:-3}" \
    QUERY_WARMUP=0 QUERY_PASSES=1 \
    "$WORK/harness/peers/run" "$CORPUS" > "$WORK/harness.log" 2>&1 || {
    tail -20 "$WORK/harness.log" >&2
    exit 1
}
OUT=$WORK/results/$LABEL
echo "Index build on $LABEL ($(basename "$CORPUS")), medians of ${BUILD_RUNS:-3} runs:"
python3 - "$OUT/build.tsv" "$OUT/corpus.tsv" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
stats = next(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
text = float(stats.get("text_bytes", 0) or 0)
peers = []
for r in rows:
    if r["peer"] not in peers:
        peers.append(r["peer"])
med = {}
for p in peers:
    rs = [r for r in rows if r["peer"] == p]
    med[p] = (statistics.median(float(r["wall_s"]) for r in rs),
              statistics.median(int(r["index_bytes"]) for r in rs),
              max(int(r["maxrss_kb"]) for r in rs))
print("text: %.1f MB (title + text, UTF-8)" % (text / 1e6))
print("%-8s %9s %9s %12s %10s %10s %10s %11s" % ("system", "wall s", "MB/s", "index bytes",
      "index/text", "vs Lucene", "vs FTS5", "peak RSS MB"))
for p in peers:
    wall, size, rss = med[p]
    rel = lambda q: "%.2f" % (size / med[q][1]) if q in med else "-"
    print("%-8s %9.2f %9.2f %12d %10.2f %10s %10s %11.0f" % (p, wall, text / 1e6 / wall if wall else 0,
          size, size / text if text else 0, rel("lucene"), rel("sqlite"), rss / 1024))
for c in ("crible", "crible-an"):
    if c not in med:
        continue
    for q, name in (("lucene", "Lucene"), ("sqlite", "FTS5"), ("xapian", "Xapian")):
        if q in med:
            print("%s build throughput = %.2fx %s's" % (c, med[q][0] / med[c][0], name))
if "crible" in med and "crible-an" in med:
    print("crible-an (read | index --analyze) = %.2fx the piped chain" % (med["crible"][0] / med["crible-an"][0]))
EOF
fi
# crible-index alone: peak memory by budget, on one token stream; and
# crible-index --analyze on the documents (its analysis threads and queue
# on top of the budget)
STREAM=$WORK/stream.conllu
"$BUILD/bin/crible-read" "$CORPUS" | "$BUILD/bin/crible-tokenize" | "$BUILD/bin/crible-stem" > "$STREAM"
DOCS=$WORK/docs.jsonl
"$BUILD/bin/crible-read" "$CORPUS" > "$DOCS"
echo
echo "crible-index alone on the token stream ($(du -m "$STREAM" | cut -f1) MB), and --analyze on the documents"
echo "(MiB; +: beyond the budget; anon: the anonymous part, sampled; segs: segments written):"
printf '%-7s|%7s %6s %6s %6s %6s %5s |%7s %6s %6s %6s %6s %5s\n' memory "wall s" "peak" "+" "anon" "+" segs \
    "wall s" "peak" "+" "anon" "+" segs
for m in ${BUDGETS:-16M 64M 256M}; do
    line=$(printf '%-7s|' "$m")
    mib=$(echo "$m" | awk '/[Gg]$/{print $0*1024; next} /[Mm]$/{print $0+0; next} /[Kk]$/{print $0/1024; next} {print $0/1048576}')
    for mode in stream analyze; do
        rm -rf "$WORK/idx-$m"
        if [ $mode = stream ]; then
            python3 "$SRC/tests/tools/peak_mem.py" -- "$BUILD/bin/crible-index" --memory "$m" -o "$WORK/idx-$m" \
                "$STREAM" > "$WORK/peak" 2> "$WORK/summary"
        else
            python3 "$SRC/tests/tools/peak_mem.py" -- "$BUILD/bin/crible-index" --analyze --memory "$m" \
                -o "$WORK/idx-$m" "$DOCS" > "$WORK/peak" 2> "$WORK/summary"
        fi
        line="$line$(awk -v mib="$mib" -v s="$(sed -n 's/.*(\([0-9]*\) segments written.*/\1/p' "$WORK/summary")" '{
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            printf "%7.2f %6.0f %6.0f %6.0f %6.0f %5s |", v["wall"], v["hwm_kb"] / 1024, v["hwm_kb"] / 1024 - mib,
                   v["anon_kb"] / 1024, v["anon_kb"] / 1024 - mib, s }' "$WORK/peak")"
    done
    echo "$line"
done
rm -f "$STREAM" "$DOCS"
