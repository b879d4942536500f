#!/usr/bin/env bash
# The shipped correction table (config/stem-corrections-fr.tsv) is what its
# generator makes today from Debian's hunspell-fr lexicon with today's
# stemmer: rebuilt in a temporary file and compared byte for byte, so a
# change to the stemmer or the generator without a new table fails here.
#   bash tests/eval/stem_table_fresh.sh
set -u
src=${CRIBLE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tools=${CRIBLE_TOOLS:-$src/build/tests}
dic=/usr/share/hunspell/fr.dic
if [ ! -f "$dic" ]; then
    echo "skipped: $dic absent (Debian package hunspell-fr-comprehensive)"
    exit 77
fi
[ -x "$tools/stem_words" ] || { echo "stem_words not built in $tools"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$src/config/gen/stem_corrections.py" --stem-words "$tools/stem_words" \
    -o "$tmp/table.tsv" || exit 1
if ! cmp -s "$tmp/table.tsv" "$src/config/stem-corrections-fr.tsv"; then
    echo "config/stem-corrections-fr.tsv is stale; rebuild it with:"
    echo "  python3 config/gen/stem_corrections.py --stem-words $tools/stem_words"
    diff "$tmp/table.tsv" "$src/config/stem-corrections-fr.tsv" | head -20
    exit 1
fi
echo "config/stem-corrections-fr.tsv is up to date ($(grep -vc '^#' "$tmp/table.tsv") entries)"
