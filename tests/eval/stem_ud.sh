#!/usr/bin/env bash
# Over- and under-stemming on the UD French dev treebanks (LEMMA is the
# truth), for Debian's libstemmer 2.2.0, crible's bare Snowball 3 French and
# crible's default stemming (with the correction table); see
# tests/tools/stem_ud_score.py for the exact definitions (Paice's GUMT and
# GWMT over distinct (form, lemma) pairs).  Fails unless crible is lower
# than raw libstemmer on BOTH counts for every treebank.  The correction
# table is built from the hunspell-fr lexicon only: these files were never
# used to build it.
#   bash tests/eval/stem_ud.sh
set -u
src=${CRIBLE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tools=${CRIBLE_TOOLS:-$src/build/tests}
ud=${CRIBLE_SHARED:-$src/../shared}/data/ud
shopt -s nullglob
files=("$ud"/*/*-dev.conllu)
if [ ${#files[@]} -eq 0 ]; then
    echo "skipped: no UD dev treebank in $ud (shared data, see README: Test data)"
    exit 77
fi
[ -x "$tools/stem_words" ] || { echo "stem_words not built in $tools"; exit 1; }
export CRIBLE_DATA=${CRIBLE_DATA:-$src/config}
out=$(python3 "$src/tests/tools/stem_ud_score.py" --stem-words "$tools/stem_words" \
      --system "libstemmer-2.2=--libstemmer --raw" --system "snowball-3=--raw" \
      --system "crible=" --system "crible-fold=--fold" "${files[@]}") || exit 1
echo "$out"
echo "$out" | awk '
    $2 == "libstemmer-2.2" { u[$1] = $4; o[$1] = $5 }
    $2 == "crible" { cu[$1] = $4; co[$1] = $5 }
    END {
        bad = 0
        for (t in u) {
            if (!(t in cu)) { print "missing crible figures for " t; bad = 1; continue }
            if (cu[t] >= u[t]) { printf "%s: crible under-stems %d pairs, libstemmer %d\n", t, cu[t], u[t]; bad = 1 }
            if (co[t] >= o[t]) { printf "%s: crible over-stems %d pairs, libstemmer %d\n", t, co[t], o[t]; bad = 1 }
        }
        exit bad
    }'
