#!/usr/bin/env bash
# The Snowball project's French vocabulary (snowball-data french/voc.txt ->
# output.txt, ../shared/data/snowball-fr/) through crible's French stemmer
# with corrections off (stem_words --raw: the bare algorithm on exactly the
# bytes of each line): every line must give the expected stem.  Debian's
# libstemmer 2.2.0 is measured beside it, for the record (it predates
# Snowball 3 and is expected to fail some lines).
#   bash tests/eval/snowball_vocab.sh
set -u
src=${CRIBLE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tools=${CRIBLE_TOOLS:-$src/build/tests}
dir=${CRIBLE_SHARED:-$src/../shared}/data/snowball-fr
if [ ! -f "$dir/voc.txt" ] || [ ! -f "$dir/output.txt" ]; then
    echo "skipped: $dir/voc.txt absent (shared data, see README: Test data)"
    exit 77
fi
[ -x "$tools/stem_words" ] || { echo "stem_words not built in $tools"; exit 1; }
total=$(wc -l < "$dir/voc.txt")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$tools/stem_words" --raw < "$dir/voc.txt" > "$tmp/crible" || exit 1
"$tools/stem_words" --raw --libstemmer < "$dir/voc.txt" > "$tmp/libstemmer" || exit 1
bad=$(paste -d '\t' "$dir/voc.txt" "$dir/output.txt" "$tmp/crible" | awk -F'\t' '$2 != $3' | wc -l)
old=$(paste -d '\t' "$dir/voc.txt" "$dir/output.txt" "$tmp/libstemmer" | awk -F'\t' '$2 != $3' | wc -l)
printf 'crible (Snowball 3 French, corrections off): %d/%d lines right (%.2f %%)\n' \
    $((total - bad)) "$total" "$(echo "100 * ($total - $bad) / $total" | bc -l)"
printf 'Debian libstemmer 2.2.0 french:              %d/%d lines right (%.2f %%)\n' \
    $((total - old)) "$total" "$(echo "100 * ($total - $old) / $total" | bc -l)"
if [ "$bad" -ne 0 ]; then
    echo "first differences (word, expected, crible):"
    paste -d '\t' "$dir/voc.txt" "$dir/output.txt" "$tmp/crible" | awk -F'\t' '$2 != $3' | head -20
    exit 1
fi
