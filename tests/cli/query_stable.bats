#!/usr/bin/env bats
# The same documents, however indexed (one segment, many segments, shards
# in another order), show the same facet labels and give tied hits in the
# same order: score, then document id in byte order (query_topk.c), and a
# keyword value as it was written most often (query_facets.c,
# index_metadata.c's case patterns and display terms), ties of that count
# in byte order.
bats_require_minimum_version 1.5.0
load common

# index_of DIR DOCS [crible-index options]: an index of a crible-read stream
index_of() {
    local dir=$1 docs=$2
    shift 2
    crible-index -q --analyze "$@" -o "$dir" "$docs"
}

# ids DIR... QUERY [options]: the hits' ids in order, one line
ids() {
    crible-query --json --no-snippet "$@" |
        python3 -c 'import sys, json; print(" ".join(json.loads(l)["id"] for l in sys.stdin if "\"id\"" in l))'
}

# Four small documents with equal scores (the same text) written in an
# order that is not their ids' order, and three ways to index them.
small_builds() {
    local d=$BATS_TEST_TMPDIR
    cat > "$d/docs" <<'EOF'
{"id": "d-3", "author": "Da Costa", "city": "paris", "text": "Un roman très touchant."}
{"id": "d-1", "author": "DA COSTA", "city": "Paris", "text": "Un roman très touchant."}
{"id": "d-4", "author": "Da Costa", "city": "paris", "text": "Un roman très touchant."}
{"id": "d-2", "author": "da costa", "city": "paris", "text": "Un roman très touchant."}
{"id": "d-0", "author": "DA COSTA", "city": "PARIS", "text": "Un film."}
EOF
    index_of "$d/one" "$d/docs"
    tac "$d/docs" > "$d/rev"
    index_of "$d/back" "$d/rev"
    head -2 "$d/docs" > "$d/a"
    tail -n +3 "$d/docs" > "$d/b"
    index_of "$d/sa" "$d/a"
    index_of "$d/sb" "$d/b"
}

@test "equal scores come in document id order, whatever the order of indexing or the shards" {
    small_builds
    d=$BATS_TEST_TMPDIR
    [ "$(ids "$d/one" roman)" = "d-1 d-2 d-3 d-4" ]
    [ "$(ids "$d/back" roman)" = "d-1 d-2 d-3 d-4" ]
    [ "$(ids "$d/sb" "$d/sa" roman)" = "d-1 d-2 d-3 d-4" ]
    # a top k smaller than the tie: the first ids, not the first indexed
    [ "$(ids -n 2 "$d/back" roman)" = "d-1 d-2" ]
    [ "$(ids -n 2 "$d/sb" "$d/sa" roman)" = "d-1 d-2" ]
    # paging follows the same order
    [ "$(ids -n 2 --offset 1 "$d/back" roman)" = "d-2 d-3" ]
    [ "$(ids -n 1 --offset 3 "$d/sb" "$d/sa" roman)" = "d-4" ]
    # a filter without text: every hit ties
    [ "$(ids -n 3 "$d/back" 'author:"da costa"')" = "d-0 d-1 d-2" ]
}

@test "a metadata value is shown as written most often, whatever document comes first" {
    small_builds
    d=$BATS_TEST_TMPDIR
    # 'Da Costa' twice, 'DA COSTA' twice, 'da costa' once: a tie of two,
    # broken in byte order ('DA COSTA' < 'Da Costa'); 'paris' three times
    # (written folded: no display term) beats 'Paris' and 'PARIS'
    for ix in "$d/one" "$d/back" "$d/sa $d/sb" "$d/sb $d/sa"; do
        # shellcheck disable=SC2086
        run crible-query -n 0 --facets author,city $ix 'roman OR film'
        [ "$status" -eq 0 ]
        [[ "$output" == *"author (1 value): DA COSTA (5)"* ]] || { echo "$ix: $output"; false; }
        [[ "$output" == *"city (1 value): paris (5)"* ]] || { echo "$ix: $output"; false; }
    done
    # one more 'Da Costa' makes it the most written
    printf '%s\n' '{"id": "d-5", "author": "Da Costa", "text": "Un film."}' >> "$d/docs"
    index_of "$d/more" "$d/docs"
    run crible-query -n 0 --facets author "$d/more" 'roman OR film'
    [[ "$output" == *"author (1 value): Da Costa (6)"* ]]
}

@test "a value among several of its field counts as written, not as another value's case" {
    d=$BATS_TEST_TMPDIR
    # 'Musso' upper-cases its first letter beside 'da costa' (written
    # folded) in d-1 and d-2: had their documents the pattern "!" in
    # _case.author, 'da costa' would count 'Da costa' twice there
    cat > "$d/docs" <<'EOF'
{"id": "d-1", "author": ["Musso", "da costa"], "text": "Un roman."}
{"id": "d-2", "author": ["Musso", "da costa"], "text": "Un roman."}
{"id": "d-3", "author": "Da Costa", "text": "Un roman."}
{"id": "d-4", "author": ["MUSSO"], "text": "Un roman."}
{"id": "d-5", "author": ["Da Costa", "Zola"], "text": "Un roman."}
{"id": "d-6", "author": "Da Costa", "text": "Un roman."}
EOF
    index_of "$d/one" "$d/docs"
    head -3 "$d/docs" > "$d/a"
    tail -n +4 "$d/docs" > "$d/b"
    index_of "$d/sa" "$d/a"
    index_of "$d/sb" "$d/b"
    # the arrays' values in _display.author, the lone ones' patterns in _case.author
    run crible-index stats "$d/one"
    [[ "$output" == *"_case.author	keyword	docs 3	terms 2"* ]] || { echo "$output"; false; }
    [[ "$output" == *"_display.author	keyword	docs 3	terms 3"* ]] || { echo "$output"; false; }
    # da costa: folded twice, 'Da Costa' three times; musso: 'Musso' twice
    for ix in "$d/one" "$d/sa $d/sb" "$d/sb $d/sa"; do
        # shellcheck disable=SC2086
        run crible-query -n 0 --facets author $ix roman
        [ "$status" -eq 0 ]
        [[ "$output" == *"author (3 values): Da Costa (5), Musso (3), Zola (1)"* ]] || { echo "$ix: $output"; false; }
    done
    # one more 'da costa' alone, two in an array: folded wins (5 to 3)
    printf '%s\n' '{"id": "d-7", "author": "da costa", "text": "Un roman."}' \
        '{"id": "d-8", "author": ["da costa", "HUGO"], "text": "Un roman."}' \
        '{"id": "d-9", "author": ["x", "da costa"], "text": "Un roman."}' >> "$d/docs"
    index_of "$d/more" "$d/docs"
    run crible-query -n 0 --facets author "$d/more" roman
    [[ "$output" == *"author (5 values): da costa (8), Musso (3)"* ]] || { echo "$output"; false; }
}

@test "a label that the rarest patterns decide: every pattern that may change it is read" {
    d=$BATS_TEST_TMPDIR
    # patterns are read most documents first until no label can change:
    # 'x y' is written 'X y', 'x Y', 'X Y' and 'x y' once each, so the
    # patterns "#" and "!#" (one document each) decide it against "!"
    # (six): a tie of four, 'X Y' first in byte order
    {
        for i in 1 2 3 4 5; do
            printf '{"id": "f-%s", "k": "Foo", "text": "Un roman."}\n' "$i"
        done
        printf '{"id": "x-%s", "k": "%s", "text": "Un roman."}\n' 1 'X y' 2 'x Y' 3 'X Y' 4 'x y'
    } > "$d/docs"
    index_of "$d/one" "$d/docs"
    head -6 "$d/docs" > "$d/a"
    tail -n +7 "$d/docs" > "$d/b"
    index_of "$d/sa" "$d/a"
    index_of "$d/sb" "$d/b"
    for ix in "$d/one" "$d/sa $d/sb" "$d/sb $d/sa"; do
        # shellcheck disable=SC2086
        run crible-query -n 0 --facets k $ix roman
        [[ "$output" == *"k (2 values): Foo (5), X Y (4)"* ]] || { echo "$ix: $output"; false; }
    done
    # one more 'x Y': it leads, found in the rarest pattern but one
    printf '{"id": "x-5", "k": "x Y", "text": "Un roman."}\n' >> "$d/docs"
    index_of "$d/more" "$d/docs"
    run crible-query -n 0 --facets k "$d/more" roman
    [[ "$output" == *"k (2 values): Foo (5), x Y (5)"* ]] || { echo "$output"; false; }
}

@test "the piped chain and --analyze write the same display terms" {
    d=$BATS_TEST_TMPDIR
    small_builds
    crible-tokenize "$d/docs" | crible-stem | crible-index -q -o "$d/piped"
    for f in "$d"/one/seg-*.cri; do
        cmp "$f" "$d/piped/$(basename "$f")"
    done
}

# The reviews (DATA.md): the first 4,000 as one segment, as many -m 64K
# segments (merge_factor 100), and as two shards (220 and 3,780) given in
# the other order.
reviews_builds() {
    need_shared "$DATA/reviews/reviews.jsonl"
    local d=$BATS_TEST_TMPDIR
    crible-read "$DATA/reviews/reviews.jsonl" | head -n 4000 > "$d/rev"
    printf 'index:\n  merge_factor: 100\n' > "$d/mf.yaml"
    index_of "$d/one" "$d/rev"
    index_of "$d/m64" "$d/rev" -m 64K -c "$d/mf.yaml"
    [ "$(ls "$d"/m64/seg-*.cri | wc -l)" -gt 20 ]
    # the first 'Mélissa Da Costa' (line 217) in one, the first 'Mélissa
    # DA COSTA' (line 225) in the other, given first
    head -n 220 "$d/rev" > "$d/a"
    tail -n +221 "$d/rev" > "$d/b"
    index_of "$d/sa" "$d/a"
    index_of "$d/sb" "$d/b"
}

@test "reviews: facet labels are the same in one segment, -m 64K segments and two shards" {
    reviews_builds
    d=$BATS_TEST_TMPDIR
    for q in roman 'livre OR film' 'rating>=4'; do
        one=$(crible-query --json -n 0 --facets item_creator,item_title "$d/one" "$q")
        many=$(crible-query --json -n 0 --facets item_creator,item_title "$d/m64" "$q")
        two=$(crible-query --json -n 0 --facets item_creator,item_title "$d/sb" "$d/sa" "$q")
        [ "$one" = "$many" ] || { echo "$q: one/m64"; diff <(echo "$one") <(echo "$many"); false; }
        [ "$one" = "$two" ] || { echo "$q: one/shards"; diff <(echo "$one") <(echo "$two"); false; }
    done
    # 'Mélissa Da Costa' 8 times, 'Mélissa DA COSTA' 5 times in these reviews
    for ix in "$d/one" "$d/m64" "$d/sb $d/sa"; do
        # shellcheck disable=SC2086
        run crible-query -n 0 --facets item_creator $ix 'item_creator:"mélissa da costa"'
        [[ "$output" == *"item_creator (1 value): Mélissa Da Costa (13)"* ]] || { echo "$ix: $output"; false; }
    done
}

@test "reviews: tied hits in the same order in one segment, -m 64K segments and two shards" {
    reviews_builds
    d=$BATS_TEST_TMPDIR
    for q in 'source:babelio.com' 'rating>=4' 'super' 'très bon livre' '"un bon"' 'rating<3 -roman'; do
        one=$(ids -n 60 --offset 5 "$d/one" "$q")
        [ -n "$one" ]
        [ "$(ids -n 60 --offset 5 "$d/m64" "$q")" = "$one" ] || { echo "$q: m64"; false; }
        [ "$(ids -n 60 --offset 5 "$d/sb" "$d/sa" "$q")" = "$one" ] || { echo "$q: shards"; false; }
    done
    # a filter without text: the first ids of all, in byte order
    [ "$(ids -n 3 "$d/sb" "$d/sa" 'source:babelio.com')" = "babelio-00001 babelio-00002 babelio-00003" ]
    # pages cut one order: two pages of 7 are the first 14
    all=$(ids -n 14 "$d/sb" "$d/sa" 'rating>=4')
    [ "$(ids -n 7 "$d/sb" "$d/sa" 'rating>=4') $(ids -n 7 --offset 7 "$d/sb" "$d/sa" 'rating>=4')" = "$all" ]
}
