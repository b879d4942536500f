#!/bin/bash
# ner.sh - named-entity quality of crible-entities against the gold sets of
# ../shared/data/ner (DATA.md section 5), span-level P/R/F1 by the conlleval
# definition (tests/tools/ner_eval.py says how labels map: gold MISC -> O,
# scored on PER LOC ORG).  Skips (77) when the data is absent.
#
# Two configurations are measured on each set:
#   rules   the default: rules + the gazetteers crible ships, nothing learned;
#           on 7romans also with `entities: articles: true`, the convention
#           of its annotators ("la France" is the place's span);
#   model   an averaged perceptron (crible-entities train) stacked on the
#           rules, always tested on sentences it was not trained on:
#             7romans     leave one novel out (the target): each novel is
#                         tagged by a model trained on the four others, so
#                         its names and its annotators' habits are unseen.
#                         Also reported, easier: 2 folds, the first half of
#                         each novel trains the model for the second halves
#                         and back.
#             WikiNEuRal  2 folds: first half of val / second half; pooled.
#             HIPE        tagged by a model trained on all 5 novels and all of
#                         WikiNEuRal val (reported, no target).
#           No model is shipped: WikiNEuRal and HIPE are CC BY-NC-SA, 7romans
#           states no licence; users train on their own data.
# Targets (issue 3), micro-F1 on PER/LOC/ORG: >= 0.80 on the novels (the
# leave-one-novel-out model) and >= 0.75 on WikiNEuRal.  Besides the
# targets, floors a little under the figures measured when this was written
# (README) catch a regression of the rules or the model: see `floors` below.
# A missed target or floor fails the test.  Usage: tests/eval/ner.sh (after
# a build; CRIBLE_BIN names the programs' directory).
set -u
src=${CRIBLE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${CRIBLE_BIN:-$src/build/bin}
shared=${CRIBLE_SHARED:-$src/../shared}
export CRIBLE_DATA=${CRIBLE_DATA:-$src/config}
ner=$shared/data/ner
if [ ! -d "$ner/7romans" ] || [ ! -f "$ner/wikineural-fr/val.conllu" ] || [ ! -d "$ner/hipe2020-fr" ]; then
    echo "ner.sh: skipped: gold NER data absent ($ner, see DATA.md)"
    exit 77
fi
tool="python3 $src/tests/tools/ner_eval.py"
ent=$bin/crible-entities
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -e

micro() { $tool score --json "$1" | python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["micro"]["f1"])'; }
report() {  # name file
    echo "--- $1"
    $tool score "$2"
}

novels="BelAmi LeRougeEtLeNoir LesTroisMousquetaires MadameBovary NotreDameDeParis"
for n in $novels; do $tool stream 7romans "$ner/7romans/$n.conll" > "$tmp/r_$n.stream"; done
$tool stream wikineural "$ner/wikineural-fr/val.conllu" > "$tmp/wn.stream"
$tool stream hipe "$ner"/hipe2020-fr/*.tsv > "$tmp/hipe.stream"
$tool split "$tmp/wn.stream" "$tmp/wn_a.stream" "$tmp/wn_b.stream"
for n in $novels; do $tool split "$tmp/r_$n.stream" "$tmp/h1_$n.stream" "$tmp/h2_$n.stream"; done

echo "=== rules + gazetteers (the default)"
cat "$tmp"/r_*.stream | "$ent" > "$tmp/7r.rules"
"$ent" "$tmp/wn.stream" > "$tmp/wn.rules"
"$ent" "$tmp/hipe.stream" > "$tmp/hipe.rules"
printf 'entities:\n  articles: true\n' > "$tmp/articles.yaml"
cat "$tmp"/r_*.stream | "$ent" -c "$tmp/articles.yaml" > "$tmp/7r.articles"
report "7romans, rules" "$tmp/7r.rules"
report "7romans, rules with articles: true (the novels' convention: \"la France\")" "$tmp/7r.articles"
report "WikiNEuRal, rules" "$tmp/wn.rules"
report "HIPE-2020 fr, rules" "$tmp/hipe.rules"

echo "=== model stacked on the rules, tested on sentences it was not trained on"
twofold() {  # out train-a... -- train-b...: a tags b, b tags a
    local out=$1 a=() b=() side=a
    shift
    for f in "$@"; do
        if [ "$f" = -- ]; then side=b; elif [ $side = a ]; then a+=("$f"); else b+=("$f"); fi
    done
    "$ent" train -q -o "$tmp/ma.bin" "${a[@]}"
    "$ent" train -q -o "$tmp/mb.bin" "${b[@]}"
    { cat "${b[@]}" | "$ent" -m "$tmp/ma.bin"; cat "${a[@]}" | "$ent" -m "$tmp/mb.bin"; } > "$out"
}
twofold "$tmp/7r.model" "$tmp"/h1_*.stream -- "$tmp"/h2_*.stream
twofold "$tmp/wn.model" "$tmp/wn_a.stream" -- "$tmp/wn_b.stream"
# Leave one novel out (five more models): the target.
: > "$tmp/7r.lono"
for n in $novels; do
    train=()
    for m in $novels; do [ "$m" = "$n" ] || train+=("$tmp/r_$m.stream"); done
    "$ent" train -q -o "$tmp/m.bin" "${train[@]}"
    "$ent" -m "$tmp/m.bin" "$tmp/r_$n.stream" >> "$tmp/7r.lono"
done
"$ent" train -q -o "$tmp/mall.bin" "$tmp"/r_*.stream "$tmp/wn.stream"
"$ent" -m "$tmp/mall.bin" "$tmp/hipe.stream" > "$tmp/hipe.model"
report "7romans, model (leave one novel out: the target)" "$tmp/7r.lono"
report "7romans, model (2 folds: halves of each novel)" "$tmp/7r.model"
report "WikiNEuRal, model (2 folds)" "$tmp/wn.model"
report "HIPE-2020 fr, model (trained on 7romans + WikiNEuRal)" "$tmp/hipe.model"

# name  file  floor: the issue's targets (0.80, 0.75) and, under them, the
# figures of the README less about half a point
floors="7romans-lono $tmp/7r.lono 0.835
7romans-2folds $tmp/7r.model 0.876
wikineural-model $tmp/wn.model 0.855
wikineural-rules $tmp/wn.rules 0.757
7romans-rules $tmp/7r.rules 0.751
7romans-articles $tmp/7r.articles 0.821
hipe-rules $tmp/hipe.rules 0.535"
echo "=== targets: 7romans (leave one novel out) >= 0.80, WikiNEuRal (model) >= 0.75; floors:"
fail=0
while read -r name file floor; do
    f=$(micro "$file")
    ok=$(python3 -c "print('ok' if $f >= $floor else 'BELOW')")
    printf '  %-18s %s  (floor %s) %s\n' "$name" "$f" "$floor" "$ok"
    [ "$ok" = ok ] || fail=1
done <<< "$floors"
python3 -c "import sys; sys.exit(0 if $(micro "$tmp/7r.lono") >= 0.80 and $(micro "$tmp/wn.model") >= 0.75 else 1)" || fail=1
if [ $fail = 1 ]; then
    echo "ner.sh: FAILED: a target or a floor is missed"
    exit 1
fi
echo "ner.sh: ok"
