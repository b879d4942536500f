#!/usr/bin/env bats
# crible-query on indexes built by the real pipeline: French that just works
# (on the shared reviews when present, on corpus/ otherwise), the query
# language, outputs, facets, shards, errors and exit codes.
load common
bats_require_minimum_version 1.5.0

index_of() { # index_of OUT INPUT...
    local out=$1; shift
    crible-read "$@" | crible-tokenize | crible-stem | crible-index -q -o "$out"
}

setup_file() {
    export CORPUS_IDX="$BATS_FILE_TMPDIR/corpus-idx"
    index_of "$CORPUS_IDX" "$CRIBLE_SRC/corpus"
    export REVIEWS="$CRIBLE_SHARED/data/reviews/reviews.jsonl"
    export REVIEWS_IDX="$BATS_FILE_TMPDIR/reviews-idx"
    if [ -e "$REVIEWS" ]; then
        index_of "$REVIEWS_IDX" "$REVIEWS"
    fi
}

need_reviews() { need_shared "$REVIEWS"; }

# The surface words highlighted in the JSON hits of a query, one a line.
highlights() {
    crible-query --json "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    b = j.get("snippet", "").encode()
    for s, e in j.get("highlights", []):
        print(b[s:e].decode())'
}

count() { crible-query --count "$@" || true; }

@test "harcelement (no accent) finds harcèlement, highlighted as written" {
    need_reviews
    run highlights -n 20 "$REVIEWS_IDX" harcelement
    [ "$status" -eq 0 ]
    echo "$output" | grep -qx 'harcèlement'
}

@test "enfer finds l'enfer and highlights the whole surface word, never a bare l'" {
    need_reviews
    run highlights -n 50 "$REVIEWS_IDX" enfer
    [ "$status" -eq 0 ]
    echo "$output" | grep -Eqx "[lL]['’]enfer"
    ! echo "$output" | grep -Eqx "[lL]['’]"
}

@test "l'enfer (with the elision) finds it too; in quotes it is a phrase" {
    need_reviews
    run highlights -n 50 "$REVIEWS_IDX" "l'enfer"
    [ "$status" -eq 0 ]
    echo "$output" | grep -Eqx "[lL]['’]enfer"
    run highlights -n 50 "$REVIEWS_IDX" "l’enfer"
    echo "$output" | grep -Eqx "[lL]['’]enfer"
    run highlights -n 50 "$REVIEWS_IDX" "\"l'enfer\""
    echo "$output" | grep -Eqx "[lL]['’]enfer"
    ! echo "$output" | grep -Eqvix "l['’]enfers?"
}

@test "decu finds déçu, coeur finds cœur, victime finds victimes" {
    need_reviews
    run highlights -n 200 "$REVIEWS_IDX" decu
    echo "$output" | grep -qix 'déçu'
    run highlights -n 200 "$REVIEWS_IDX" coeur
    echo "$output" | grep -qix 'cœur'
    run highlights -n 100 "$REVIEWS_IDX" victime
    echo "$output" | grep -qix 'victimes'
}

@test "=victimes is the exact form: fewer hits than victime, only 'victimes' marked" {
    need_reviews
    exact=$(count "$REVIEWS_IDX" =victimes)
    stemmed=$(count "$REVIEWS_IDX" victime)
    [ "$exact" -gt 0 ] && [ "$exact" -lt "$stemmed" ]
    run highlights -n 100 "$REVIEWS_IDX" =victimes
    ! echo "$output" | grep -qvix 'victimes'
}

@test "\"pas bon\" is not bon: a phrase of two meaningful words" {
    need_reviews
    phrase=$(count "$REVIEWS_IDX" '"pas bon"')
    bon=$(count "$REVIEWS_IDX" bon)
    [ "$phrase" -gt 0 ] && [ "$phrase" -lt "$((bon / 5))" ]
    # every hit shows the phrase itself highlighted
    run crible-query --json -n 100 "$REVIEWS_IDX" '"pas bon"'
    n=$(echo "$output" | wc -l)
    [ "$n" -eq "$phrase" ] || [ "$n" -eq 100 ]
    run highlights -n 100 "$REVIEWS_IDX" '"pas bon"'
    ! echo "$output" | grep -qvi -e '^pas$' -e '^bons\?$' -e '^bonnes\?$'
}

@test "punctuation in words is not a syntax error: l'avion, arc-en-ciel, 4/5, disney+" {
    for q in "l'avion" "arc-en-ciel" "4/5" "disney+" "chef-d'œuvre" "c'est-à-dire"; do
        run --separate-stderr crible-query "$CORPUS_IDX" "$q"
        [ "$status" -eq 0 ] || [ "$status" -eq 1 ] || { echo "$q: $status $stderr"; false; }
    done
}

@test "a malformed query: exit 4, the column marked with ^ and a hint, nothing on stdout" {
    run --separate-stderr crible-query "$CORPUS_IDX" '(netflix OR disney'
    [ "$status" -eq 4 ]
    [ -z "$output" ]
    [[ "$stderr" == *"syntax error at column 1: unbalanced parenthesis"* ]]
    [[ "$stderr" == *"  (netflix OR disney"*"  ^"* ]]
    [[ "$stderr" == *"hint:"* ]]
    run --separate-stderr crible-query "$CORPUS_IDX" 'série OR'
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"column 7"* ]]
    run --separate-stderr crible-query "$CORPUS_IDX" 'tittle:enfer'
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"unknown field 'tittle'"* ]]
}

@test "no match exits 1 like grep, with nothing wrong said" {
    run --separate-stderr crible-query "$CORPUS_IDX" 'zzxqwv'
    [ "$status" -eq 1 ]
    [ -z "$stderr" ]
}

@test "boolean operators: OR adds, NOT removes, AND intersects" {
    need_reviews
    a=$(count "$REVIEWS_IDX" netflix); b=$(count "$REVIEWS_IDX" amazon)
    both=$(count "$REVIEWS_IDX" 'netflix amazon'); any=$(count "$REVIEWS_IDX" 'netflix OR amazon')
    not=$(count "$REVIEWS_IDX" 'netflix -amazon'); not2=$(count "$REVIEWS_IDX" 'netflix NOT amazon')
    [ "$any" -eq $((a + b - both)) ]
    [ "$not" -eq $((a - both)) ] && [ "$not2" -eq "$not" ]
    [ "$(count -o "$REVIEWS_IDX" 'netflix amazon')" -eq "$any" ]
}

@test "prefix and fuzzy words walk the dictionary: réalis*, acteru~" {
    need_reviews
    run highlights -n 200 "$REVIEWS_IDX" 'réalis*'
    echo "$output" | grep -qix 'réalisateur'
    echo "$output" | grep -qix 'réalisation'
    run highlights -n 50 "$REVIEWS_IDX" 'acteru~'
    echo "$output" | grep -qix 'acteur'
    [ "$(count "$REVIEWS_IDX" 'acteru')" = 0 ] || [ "$status" -eq 1 ]
}

@test "top k with block-max MaxScore equals exhaustive scoring" {
    need_reviews
    for q in 'film' 'meilleur OR film OR de OR année' 'humour OR rire OR drôle' 'service' \
             'un OR film OR ennuyeux OR et OR trop OR long' 'réalis*'; do
        for n in 1 10 50; do
            a=$(crible-query --tsv --no-snippet --fields '' -n $n "$REVIEWS_IDX" "$q" | cut -f1,2)
            b=$(CRIBLE_QUERY_EXHAUSTIVE=1 crible-query --tsv --no-snippet --fields '' -n $n "$REVIEWS_IDX" "$q" | cut -f1,2)
            [ "$a" = "$b" ] || { echo "$q -n $n differs"; false; }
        done
    done
}

@test "NEAR/n and NEAR/s narrow a conjunction" {
    need_reviews
    and=$(count "$REVIEWS_IDX" 'service accueil')
    near=$(count "$REVIEWS_IDX" 'service NEAR/2 accueil')
    sent=$(count "$REVIEWS_IDX" 'service NEAR/s accueil')
    [ "$near" -gt 0 ] && [ "$near" -le "$sent" ] && [ "$sent" -le "$and" ] && [ "$near" -lt "$and" ]
}

@test "NEAR/s reads each candidate's own sentences, not the previous document's" {
    # a: chat and chien in two sentences; b: in one.  b was checked against
    # a's sentence starts (the conjunction's previous document): no hit.
    printf '%s\n' '{"id":"a","text":"Le chat dort. Le chien aboie."}' \
        '{"id":"b","text":"Un chat noir et un chien blanc jouent ensemble dans le jardin."}' \
        '{"id":"c","text":"Rien ici. Un chat noir et un chien blanc. Fin."}' > "$BATS_TEST_TMPDIR/d.jsonl"
    index_of "$BATS_TEST_TMPDIR/ix" "$BATS_TEST_TMPDIR/d.jsonl"
    run -0 crible-query --tsv --no-snippet "$BATS_TEST_TMPDIR/ix" 'chat NEAR/s chien'
    [ "$(echo "$output" | tail -n +2 | cut -f1 | sort | tr '\n' ' ')" = "b c " ]
    run -0 crible-query --count "$BATS_TEST_TMPDIR/ix" 'chat NEAR/s chien'
    [ "$output" = 2 ]
}

@test "deleted and replaced documents count in no statistic: the scores of the live documents indexed at once" {
    # N, df and the fields' lengths counted the tombstones until a merge:
    # the same four documents scored otherwise when two more had been
    # added and deleted, or one replaced (tests/tools/index_diff.py).
    local T=$BATS_TEST_TMPDIR
    printf '%s\n' '{"id":"a","title":"Le chat","text":"Le chat dort sur le canapé du salon."}' \
        '{"id":"b","text":"Un chat noir et un chien blanc jouent dans le jardin."}' \
        '{"id":"c","text":"Les chiens aboient quand passe la caravane."}' \
        '{"id":"d","text":"Une souris verte qui courait dans l'"'"'herbe."}' > "$T/live.jsonl"
    printf '%s\n' '{"id":"x","text":"Chat chat chat, encore un chat et des chats partout dans la longue maison du vieux chat."}' \
        '{"id":"y","title":"Chien","text":"Le chien du voisin, un très gros chien."}' > "$T/gone.jsonl"
    crible-index -q --analyze -o "$T/once" "$T/live.jsonl"
    cat "$T/live.jsonl" "$T/gone.jsonl" | crible-index -q --analyze -o "$T/churn" -
    head -1 "$T/live.jsonl" | crible-index -q --analyze -o "$T/churn" -
    crible-index delete -o "$T/churn" x y >/dev/null 2>&1
    for q in chat chien 'chat OR chien' '=chat' 'title:chat' '"chat noir"'; do
        a=$(crible-query --tsv --no-snippet "$T/once" "$q")
        b=$(crible-query --tsv --no-snippet "$T/churn" "$q")
        [ -n "$a" ]
        [ "$a" = "$b" ] || { printf '%s\n--\n%s\n' "$a" "$b"; false; }
    done
    # --explain: idf and average lengths (its timing line left out)
    a=$(crible-query --explain "$T/once" chat | grep idf)
    b=$(crible-query --explain "$T/churn" chat | grep idf)
    [ -n "$a" ]
    [ "$a" = "$b" ]
}

@test "=word and fuzzy forms answer the same whether a norm's stem is pure in its segment or not" {
    # A segment leaves out of its exact field a norm equal to its pure stem:
    # "homme" alone in a segment is there as the stem term only, next to
    # "hommes" it is an exact term too.  =homme took its df from the exact
    # dictionaries (29 or 23 on the press, other scores), and hotle~2, which
    # reaches "homme" by its written form, missed it on the two segments.
    local T=$BATS_TEST_TMPDIR
    printf '%s\n' '{"id":"a","text":"Un homme marche dans la rue."}' \
        '{"id":"b","text":"Des hommes courent dans le parc."}' \
        '{"id":"c","text":"Le même homme revient, un homme fatigué."}' \
        '{"id":"d","text":"Une femme lit au soleil."}' > "$T/h.jsonl"
    crible-index -q --analyze -o "$T/one" "$T/h.jsonl"
    head -1 "$T/h.jsonl" | crible-index -q --analyze -o "$T/two" -
    tail -n +2 "$T/h.jsonl" | crible-index -q --analyze -o "$T/two" -
    tail -n +2 "$T/h.jsonl" | crible-index -q --analyze -o "$T/s2" -
    head -1 "$T/h.jsonl" | crible-index -q --analyze -o "$T/s1" -
    run -0 crible-index stats "$T/two"
    [[ "$output" == *$'segments\t2'* ]]
    for q in '=homme' 'hotle~2' '=hommes' 'homme'; do
        a=$(crible-query --tsv --no-snippet "$T/one" "$q")
        b=$(crible-query --tsv --no-snippet "$T/two" "$q")
        c=$(crible-query --tsv --no-snippet "$T/s1" "$T/s2" "$q")
        [[ "$a" == *$'\na\t'* || "$a" == *$'\nb\t'* ]]
        [ "$a" = "$b" ] || { printf '%s\n--\n%s\n' "$a" "$b"; false; }
        [ "$a" = "$c" ] || { printf '%s\n--\n%s\n' "$a" "$c"; false; }
    done
    [ "$(crible-query --count "$T/two" 'hotle~2')" = 3 ]
}

@test "NEAR/s answers the same on one segment and on many (reviews, -m 512K)" {
    need_reviews
    crible-read "$REVIEWS" | crible-index -q --analyze -m 512K -o "$BATS_TEST_TMPDIR/many"
    run -0 crible-index stats "$BATS_TEST_TMPDIR/many"
    [[ "$output" != *$'segments\t1\n'* ]]
    for q in 'hôtel NEAR/s propre' 'film NEAR/s nul' 'personnel NEAR/s accueillant' '"très bon" NEAR/s film'; do
        a=$(crible-query --tsv --no-snippet -n 1000 "$REVIEWS_IDX" "$q" | tail -n +2 | cut -f1 | sort)
        b=$(crible-query --tsv --no-snippet -n 1000 "$BATS_TEST_TMPDIR/many" "$q" | tail -n +2 | cut -f1 | sort)
        [ -n "$a" ] && [ "$a" = "$b" ] || { echo "$q differs"; false; }
    done
    # tripadvisor-03662: "L'hôtel ... les chambres ... sont propres et correctes."
    [[ "$(crible-query --tsv --no-snippet -n 1000 "$REVIEWS_IDX" 'hôtel NEAR/s propre')" == *tripadvisor-03662* ]]
}

@test "NEAR takes prefix and fuzzy words: réalis* NEAR/3 film, film NEAR/5 acteru~" {
    need_reviews
    and=$(count "$REVIEWS_IDX" 'réalis* film')
    near=$(count "$REVIEWS_IDX" 'réalis* NEAR/3 film')
    one=$(count "$REVIEWS_IDX" 'réalisateur NEAR/3 film')
    [ "$one" -gt 0 ] && [ "$one" -lt "$near" ] && [ "$near" -lt "$and" ]
    fand=$(count "$REVIEWS_IDX" 'film acteru~')
    fnear=$(count "$REVIEWS_IDX" 'film NEAR/5 acteru~')
    [ "$fnear" -gt 0 ] && [ "$fnear" -lt "$fand" ]
    # a phrase around NEAR, a prefix on the other side
    [ "$(count "$REVIEWS_IDX" '"très bon" NEAR/5 réalis*')" -gt 0 ]
    # what NEAR cannot join is an error with its place marked, not a crash
    run --separate-stderr crible-query "$REVIEWS_IDX" '(drôle OR hilarant) NEAR/3 film'
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"NEAR joins words and phrases only"*"^"*"hint:"* ]]
}

@test "source: matches the whole value, any case, and adds up as sets" {
    need_reviews
    a=$(count "$REVIEWS_IDX" 'source:allocine.fr')
    b=$(count "$REVIEWS_IDX" 'source:babelio.com')
    [ "$a" -eq 1089 ] && [ "$b" -eq 7163 ]
    [ "$(count "$REVIEWS_IDX" 'source:Allocine.FR')" -eq "$a" ]
    [ "$(count "$REVIEWS_IDX" 'source:allocine.fr OR source:babelio.com')" -eq $((a + b)) ]
    with=$(count "$REVIEWS_IDX" 'film source:allocine.fr')
    without=$(count "$REVIEWS_IDX" 'source:allocine.fr -film')
    [ "$with" -gt 0 ] && [ $((with + without)) -eq "$a" ]
    [ "$(count "$REVIEWS_IDX" 'source:allocine')" -eq 0 ]     # not a part of the value
    [ "$(count "$REVIEWS_IDX" 'source:allocine*')" -eq "$a" ] # unless asked
    [ "$(count "$REVIEWS_IDX" 'item_type:film')" -eq 595 ]
}

@test "metadata filters: rating>=4, date ranges, source:" {
    need_reviews
    run crible-query --json -n 1000 "$REVIEWS_IDX" 'film rating>=4.5'
    [ "$status" -eq 0 ]
    echo "$output" | python3 -c '
import json, sys
r = [json.loads(l)["meta"]["rating"] for l in sys.stdin]
assert r and min(r) >= 4.5, r'
    run crible-query --json -n 1000 --fields date "$REVIEWS_IDX" 'film date:2012..2013'
    echo "$output" | python3 -c '
import json, sys
d = [json.loads(l)["meta"]["date"] for l in sys.stdin]
assert d and all("2012" <= x[:4] <= "2013" for x in d), d'
    [ "$(count "$REVIEWS_IDX" 'source:allocine.fr')" -eq 1089 ]
}

@test "--json: one valid object a line with id, score, snippet and offsets" {
    need_reviews
    run crible-query --json -n 5 "$REVIEWS_IDX" 'scénario original'
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | wc -l)" -eq 5 ]
    echo "$output" | python3 -c '
import json, sys
for l in sys.stdin:
    j = json.loads(l)
    assert j["id"] and j["score"] > 0 and "snippet" in j and j["matches"], j'
}

@test "--limit and --offset page through the same ranking" {
    need_reviews
    all=$(crible-query --tsv -n 4 "$REVIEWS_IDX" 'ennuyeux' | cut -f1 | tail -n +2)
    page=$(crible-query --tsv -n 2 --offset 2 "$REVIEWS_IDX" 'ennuyeux' | cut -f1 | tail -n +2)
    [ "$page" = "$(echo "$all" | tail -n 2)" ]
}

@test "--tsv: a header, then id, score, title, fields, snippet" {
    need_reviews
    run crible-query --tsv --fields rating,source -n 3 "$REVIEWS_IDX" musique
    [ "${lines[0]}" = $'id\tscore\ttitle\trating\tsource\tsnippet' ]
    [ "$(echo "${lines[1]}" | awk -F'\t' '{print NF}')" -eq 6 ]
}

@test "--tsv --fields id,source,id: each column once, in the header and in every row" {
    run crible-query --tsv --no-snippet --fields id,source,id,title "$CORPUS_IDX" netflix
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = $'id\tscore\ttitle\tsource' ]
    local n
    for l in "${lines[@]}"; do
        n=$(printf '%s' "$l" | awk -F'\t' '{print NF}')
        [ "$n" -eq 4 ]
    done
    [ "${#lines[@]}" -ge 2 ]
}

@test "colour only on a terminal or when asked; NO_COLOR honoured" {
    run crible-query "$CORPUS_IDX" netflix
    [[ "$output" != *$'\e['* ]]
    run crible-query --color=always "$CORPUS_IDX" netflix
    [[ "$output" == *$'\e[1;33m'* ]]
}

@test "--stdin: one query a line in one process, errors named by line" {
    run --separate-stderr bash -c "printf 'netflix\n\n(oops\nzzxqwv\n' | crible-query --count --stdin '$CORPUS_IDX'"
    [ "$status" -eq 4 ]
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[1]}" = 0 ]
    [[ "$stderr" == *"<stdin>:3: syntax error"* ]]
}

@test "--stdin: a word met again (its dictionary lookups remembered) finds what it found the first time" {
    need_reviews
    local qs=(decu 'réalis*' '"tres bon film"' 'acteru~' coeur harcelement)
    local f="$BATS_TEST_TMPDIR"
    : > "$f/one"
    for q in "${qs[@]}"; do
        crible-query --tsv --no-snippet -n 5 "$REVIEWS_IDX" "$q" | tail -n +2 >> "$f/one"
    done
    printf '%s\n' "${qs[@]}" "${qs[@]}" "${qs[@]}" |
        crible-query --tsv --no-snippet -n 5 --stdin "$REVIEWS_IDX" | tail -n +2 > "$f/stdin"
    cat "$f/one" "$f/one" "$f/one" > "$f/three"
    [ "$(wc -l < "$f/one")" -ge 25 ]
    cmp "$f/three" "$f/stdin"
}

@test "--stdin: after many words (the dictionary's accent-fold filter made), accent variants are found as by one query" {
    need_reviews
    local f="$BATS_TEST_TMPDIR"
    # 40 other words first: past the walks after which the filter is made
    printf '%s\n' film livre acteur histoire roman auteur personnage fin scenario musique \
        image serie saison episode netflix restaurant service plat cuisine accueil \
        prix table vin dessert serveur ambiance cadre terrasse menu carte \
        lecture ecriture style page chapitre intrigue suspense drole triste emotion > "$f/warm"
    # cote, peche, age, foret: a plain stem and accented ones (côt, pêch, âge, forêt)
    local qs=(decu harcelement coeur tres 'tres bon film' cote peche age foret crème)
    : > "$f/one"
    for q in "${qs[@]}"; do
        crible-query --tsv --no-snippet -n 5 "$REVIEWS_IDX" "$q" | tail -n +2 >> "$f/one"
    done
    { cat "$f/warm"; printf '%s\n' "${qs[@]}"; } |
        crible-query --tsv --no-snippet -n 5 --stdin "$REVIEWS_IDX" | tail -n +2 > "$f/all"
    tail -n "$(wc -l < "$f/one")" "$f/all" > "$f/last"
    [ "$(wc -l < "$f/one")" -ge 30 ]
    cmp "$f/one" "$f/last"
    # and the variants are there: cote finds côté as well as cote
    [ "$(count "$REVIEWS_IDX" cote)" -gt "$(count "$REVIEWS_IDX" '=cote')" ]
}

@test "--facets: top values of entity and metadata fields among all matches" {
    need_reviews
    run crible-query --json --facets source,rating -n 0 "$REVIEWS_IDX" 'film'
    [ "$status" -eq 0 ]
    echo "$output" | python3 -c '
import json, sys
f = {j["facet"]: j for j in map(json.loads, sys.stdin) if "facet" in j}
src = {v["value"]: v["count"] for v in f["source"]["values"]}
assert src.get("allocine.fr", 0) > 100, src
assert sum(v["count"] for v in f["rating"]["values"]) > 0'
}

@test "--explain shows each word's terms and each hit's score by term and field" {
    need_reviews
    run crible-query --explain -n 1 "$REVIEWS_IDX" 'victimes harcelement'
    [ "$status" -eq 0 ]
    [[ "$output" == *"victimes → text:"* ]]
    [[ "$output" == *"text:harcel"*"idf"* ]]
}

@test "shards searched together rank exactly as one index" {
    need_reviews
    head -n 6000 "$REVIEWS" > "$BATS_TEST_TMPDIR/a.jsonl"
    tail -n +6001 "$REVIEWS" > "$BATS_TEST_TMPDIR/b.jsonl"
    index_of "$BATS_TEST_TMPDIR/sa" "$BATS_TEST_TMPDIR/a.jsonl"
    index_of "$BATS_TEST_TMPDIR/sb" "$BATS_TEST_TMPDIR/b.jsonl"
    for q in 'film ennuyeux' 'service OR accueil' '"très bon"'; do
        one=$(crible-query --tsv --no-snippet --fields '' -n 10 "$REVIEWS_IDX" "$q" | cut -f1,2)
        two=$(crible-query --tsv --no-snippet --fields '' -n 10 "$BATS_TEST_TMPDIR/sa" "$BATS_TEST_TMPDIR/sb" "$q" | cut -f1,2)
        [ "$one" = "$two" ] || { echo "$q"; echo "$one"; echo "$two"; false; }
    done
}

@test "bad input: invalid UTF-8 and a huge query are errors, not crashes" {
    run --separate-stderr crible-query "$CORPUS_IDX" $'caf\xe9'
    [ "$status" -eq 4 ]
    head -c 2000000 /dev/zero | tr '\0' 'a' > "$BATS_TEST_TMPDIR/big"
    printf ' OR (netflix' >> "$BATS_TEST_TMPDIR/big"
    run --separate-stderr crible-query --count --stdin "$CORPUS_IDX" < "$BATS_TEST_TMPDIR/big"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"<stdin>:1: syntax error"*"unbalanced parenthesis"* ]]
}

@test "empty input, NUL bytes, a full disk: no crash, the right exit code" {
    run --separate-stderr crible-query --stdin "$CORPUS_IDX" < /dev/null
    [ "$status" -eq 1 ] && [ -z "$output" ]
    run --separate-stderr bash -c "printf 'netflix\\0junk\\n' | crible-query --count --stdin '$CORPUS_IDX'"
    [ "$status" -eq 0 ] && [ "$output" -gt 0 ]
    run --separate-stderr bash -c "crible-query '$CORPUS_IDX' netflix > /dev/full"
    [ "$status" -eq 5 ]
    [[ "$stderr" == *"cannot write"* ]]
}

@test "a missing or damaged index is exit 5 or 6, named; never a crash" {
    run --separate-stderr crible-query "$BATS_TEST_TMPDIR/nothing" netflix
    [ "$status" -eq 5 ] || [ "$status" -eq 6 ]
    [[ "$stderr" == *"nothing"* ]]
    for off in 100 2000 9000 20000; do
        rm -rf "$BATS_TEST_TMPDIR/bad"
        cp -r "$CORPUS_IDX" "$BATS_TEST_TMPDIR/bad"
        seg=$(ls "$BATS_TEST_TMPDIR"/bad/seg-*.cri | head -1)
        printf '\377\377\377\377' | dd of="$seg" bs=1 seek=$off conv=notrunc status=none
        run --separate-stderr crible-query "$BATS_TEST_TMPDIR/bad" 'netflix OR série OR film'
        [ "$status" -le 6 ] || { echo "offset $off: status $status"; false; }
    done
}

@test "the query: section of the config: default operator and weights" {
    printf 'query:\n  default_operator: or\n  weights: {title: 3}\n' > "$BATS_TEST_TMPDIR/q.yaml"
    or=$(count -c "$BATS_TEST_TMPDIR/q.yaml" "$CORPUS_IDX" 'netflix zzxqwv')
    [ "$or" -gt 0 ]
    printf 'query:\n  default_operater: or\n' > "$BATS_TEST_TMPDIR/bad.yaml"
    run --separate-stderr crible-query -c "$BATS_TEST_TMPDIR/bad.yaml" "$CORPUS_IDX" netflix
    [ "$status" -eq 3 ]
    [[ "$stderr" == *"default_operator"* ]]
}

@test "entity fields: person:\"…\" and platform: filters, person and platform facets" {
    idx="$BATS_TEST_TMPDIR/ent"
    crible-read "$CRIBLE_SRC/corpus" | crible-tokenize | crible-stem | crible-entities |
        crible-index -q -o "$idx" || true   # a document the entity stage cuts is reported, not fatal here
    [ -e "$idx/MANIFEST" ] || skip "no entity index built"
    run crible-query --json "$idx" 'person:"Lina Benali"'
    [ "$status" -eq 0 ]
    n=$(crible-query --count "$idx" 'platform:netflix')
    [ "$n" -gt 0 ]
    [ "$(crible-query --count "$idx" 'platform:NETFLIX')" -eq "$n" ]
    run crible-query --facets person,platform -n 0 "$idx" 'série OR film'
    [[ "$output" == *"person ("*"Lina Benali (2)"* ]]
    [[ "$output" == *"platform ("*"Prime Video (4)"*"Netflix"* ]]
    [[ "$output" != *"lina benali"* && "$output" != *"prime video"* ]]
}

@test "facets show values as the documents wrote them, not folded: entities, metadata, after a merge, over shards" {
    idx="$BATS_TEST_TMPDIR/ent"
    crible-read "$CRIBLE_SRC/corpus" | crible-tokenize | crible-stem | crible-entities | crible-index -q -o "$idx"
    run crible-query --tsv --facets person,item_title -n 0 "$idx" 'série OR film'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Camille Berthier"* && "$output" == *"L’Ombre du lac"* ]]
    # person:"camille berthier" (folded) still matches what is shown
    [ "$(crible-query --count "$idx" 'person:"camille berthier"')" -eq \
      "$(crible-query --count "$idx" 'person:"Camille Berthier"')" ]
    # two shards and then one merged index show the same values
    crible-read "$CRIBLE_SRC/corpus/films" | crible-tokenize | crible-stem | crible-entities | crible-index -q -o "$BATS_TEST_TMPDIR/s1"
    crible-read "$CRIBLE_SRC/corpus/series" | crible-tokenize | crible-stem | crible-entities | crible-index -q -o "$BATS_TEST_TMPDIR/s2"
    run crible-query --facets platform -n 0 "$BATS_TEST_TMPDIR/s1" "$BATS_TEST_TMPDIR/s2" 'film OR série'
    [[ "$output" == *"Prime Video"* && "$output" != *"prime video"* ]]
    crible-index merge -q -o "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/s1" "$BATS_TEST_TMPDIR/s2"
    run crible-query --facets platform -n 0 "$BATS_TEST_TMPDIR/m" 'film OR série'
    [[ "$output" == *"Prime Video"* && "$output" != *"prime video"* ]]
}

@test "a query is analysed by the documents' own chain: #hashtags and URLs as indexed, tokenize settings from the index" {
    printf '{"id":"a","text":"Soutien aux #victimes du harcèlement."}\n{"id":"b","text":"Les victimes témoignent."}\n' > "$BATS_TEST_TMPDIR/d.jsonl"
    crible-tokenize "$BATS_TEST_TMPDIR/d.jsonl" | crible-stem | crible-index -q -o "$BATS_TEST_TMPDIR/i"
    run crible-query "$BATS_TEST_TMPDIR/i" '#victimes' --tsv --fields id
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[1]}" == a$'\t'* ]]
    printf 'tokenize:\n  fold_accents: true\n' > "$BATS_TEST_TMPDIR/fold.yaml"
    crible-tokenize -c "$BATS_TEST_TMPDIR/fold.yaml" "$BATS_TEST_TMPDIR/d.jsonl" | crible-stem | crible-index -q -o "$BATS_TEST_TMPDIR/f"
    run crible-query "$BATS_TEST_TMPDIR/f" 'HARCELEMENT' --count
    [ "$output" = 1 ]
}

@test "a prefix that expands to many terms (a disjunction of more than 16) is searched whole" {
    seq 1 40 | awk '{printf "{\"id\":\"d%d\",\"text\":\"le mot%04dx revient\"}\n", $1, $1}' > "$BATS_TEST_TMPDIR/many.jsonl"
    crible-tokenize "$BATS_TEST_TMPDIR/many.jsonl" | crible-stem | crible-index -q -o "$BATS_TEST_TMPDIR/m"
    run crible-query "$BATS_TEST_TMPDIR/m" 'mot*' --count
    [ "$status" -eq 0 ]
    [ "$output" = 40 ]
    run crible-query "$BATS_TEST_TMPDIR/m" 'mot*' --limit 50 --tsv --fields id
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 41 ]
    run crible-query "$BATS_TEST_TMPDIR/m" 'mot* OR revient' --limit 3 --tsv --fields id
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
}
