#!/bin/bash
# tokenize_ud.sh - crible's tokenizer against the UD French treebanks (dev),
# with the CoNLL 2018 shared-task metric (tests/tools/ud_score.py): Tokens
# F1 and Sentences F1, character spans matching exactly.
#
# The tokenizer gets raw text: the sentences of each treebank's .txt (one
# sentence a line) joined by single spaces into ONE paragraph, so every
# sentence boundary has to be found (tests/tools/ud_tokenize_eval.c).
#
# Fails when GSD dev Tokens F1 < 99.5 or Sentences F1 < 93; prints
# Sequoia and ParisStories too.  Exits 77 (skipped) without the data.
#   bash tests/eval/tokenize_ud.sh        (CRIBLE_TOOLS: where ud_tokenize_eval is)
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
shared=${CRIBLE_SHARED:-$src/../shared}
tools=${CRIBLE_TOOLS:-$src/build/tests}
ud=$shared/data/ud
if [ ! -f "$ud/fr_gsd/fr_gsd-ud-dev.conllu" ]; then
    echo "skipped: UD treebanks absent ($ud/fr_gsd/fr_gsd-ud-dev.conllu); see README: Test data"
    exit 77
fi
if [ ! -x "$tools/ud_tokenize_eval" ]; then
    echo "tokenize_ud: $tools/ud_tokenize_eval not built" >&2
    exit 1
fi
command -v python3 >/dev/null || { echo "skipped: python3 absent"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
printf '%-28s %8s %8s\n' "treebank (dev)" "Tokens" "Sents"
for tb in fr_gsd fr_sequoia fr_parisstories; do
    gold=$ud/$tb/$tb-ud-dev.conllu
    [ -f "$gold" ] || { echo "$tb: absent, not scored"; continue; }
    if ! "$tools/ud_tokenize_eval" "${gold%.conllu}.txt" > "$work/$tb.conllu"; then
        echo "tokenize_ud: the tokenizer failed on $tb" >&2
        exit 1
    fi
    if ! python3 "$src/tests/tools/ud_score.py" "$gold" "$work/$tb.conllu" --json > "$work/$tb.json"; then
        echo "tokenize_ud: scoring $tb failed" >&2
        exit 1
    fi
    read -r tok sent < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.2f %.2f" % (r["tokens"]["f1"], r["sentences"]["f1"]))' "$work/$tb.json")
    printf '%-28s %8s %8s\n' "$tb" "$tok" "$sent"
    if [ "$tb" = fr_gsd ]; then
        if ! python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 99.5 and float(sys.argv[2]) >= 93 else 1)' "$tok" "$sent"; then
            echo "FAIL: GSD dev Tokens F1 $tok (needs >= 99.5), Sentences F1 $sent (needs >= 93)"
            status=1
        fi
    fi
done
echo "(anchors on GSD: Stanza 99.71 / 95.03, UDPipe 2 about 93.8 sentences)"
exit $status
