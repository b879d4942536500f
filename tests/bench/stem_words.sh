#!/usr/bin/env bash
# Stemming throughput of crible's stemming step (stemmer.h: Snowball 3
# French, correction table, stem cache) against bare libstemmer
# (sb_stemmer_stem, Debian's 2.2.0) over the same tokens: the word tokens
# of the reviews (../shared/data/reviews), cut by crible-tokenize.  Prints
# each as the median of 5 runs and the ratio crible / libstemmer in
# tokens per second (1.0 = as fast; above 1 = faster).
#   bash tests/bench/stem_words.sh [BUILD_DIR]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
reviews=${CRIBLE_SHARED:-$src/../shared}/data/reviews/reviews.jsonl
[ -f "$reviews" ] || { echo "skipped: $reviews absent"; exit 77; }
export CRIBLE_DATA=${CRIBLE_DATA:-$src/config}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$build/bin/crible-tokenize" "$reviews" \
    | awk -F'\t' '!/^#/ && NF >= 6 && $6 == "word" { print $5 }' > "$tmp/words"
echo "tokens: $(wc -l < "$tmp/words") word tokens of the reviews"
echo "crible default (corrections, cache):"
"$build/tests/stem_words" --bench 5 < "$tmp/words"
echo "crible Snowball 3 alone (no table, no cache):"
"$build/tests/stem_words" --bench 5 --raw < "$tmp/words"
