#!/usr/bin/env bats
# One metadata name that holds keywords in some documents and numbers or
# dates in others: the reviews' "item_title" is "Le Horla" for one book and
# "1984" (a date) for another.  A segment keeps them as the keyword field
# item_title and the numeric field item_title#, whichever came first; a
# segment (or shard) where only dates came has the numeric field
# item_title.  Opening, merging and searching such segments together must
# work (crible_field_table_name, index.h), and a document the buffer
# refuses must leave nothing of itself behind.
bats_require_minimum_version 1.5.0
load common

setup() {
    T=$BATS_TEST_TMPDIR
    DATE='{"id":"orwell","text":"Un roman sur la surveillance de masse.","item_title":"1984","rating":5}'
    BOOK='{"id":"maupassant","text":"Une nouvelle fantastique et angoissante.","item_title":"Le Horla","rating":4}'
}

# hits of QUERY on the index (or shards) $1...: the ids, sorted, one line
ids() {
    local q=$1
    shift
    crible-query --tsv --no-snippet -n 100000 "$@" "$q" | tail -n +2 | cut -f1 | sort | tr '\n' ' '
}

answers() {
    [ "$(ids 'item_title:1984' "$@")" = "orwell " ]
    [ "$(ids 'item_title:"le horla"' "$@")" = "maupassant " ]
    [ "$(ids 'item_title>=1980' "$@")" = "orwell " ]
    [ "$(ids 'item_title:1984 OR item_title:"le horla"' "$@")" = "maupassant orwell " ]
    [ "$(ids 'rating>=4 roman' "$@")" = "orwell " ]
}

@test "a date first in one segment, a keyword in the next: opens, answers, merges, checks" {
    echo "$DATE" | crible-index -q --analyze -o "$T/ix" -
    echo "$BOOK" | crible-index -q --analyze -o "$T/ix" -
    run -0 crible-index stats "$T/ix"
    [[ "$output" == *$'field\titem_title#\tnumeric'* ]]
    [[ "$output" == *$'field\titem_title\tkeyword'* ]]
    answers "$T/ix"
    run -0 crible-index merge -o "$T/ix"
    run -0 crible-index check "$T/ix"
    run -0 crible-index stats "$T/ix"
    [[ "$output" == *$'segments\t1'* ]]
    answers "$T/ix"
}

@test "a date then a keyword in one segment, and the other order: the same fields" {
    printf '%s\n%s\n' "$DATE" "$BOOK" | crible-index -q --analyze -o "$T/a" -
    printf '%s\n%s\n' "$BOOK" "$DATE" | crible-index -q --analyze -o "$T/b" -
    for ix in "$T/a" "$T/b"; do
        run -0 crible-index check "$ix"
        run -0 crible-index stats "$ix"
        [[ "$output" == *$'documents\t2'* ]]
        [[ "$output" == *$'field\titem_title#\tnumeric\tdocs 1'* ]]
        answers "$ix"
    done
}

@test "shards searched together: one with only dates under the name, one with keywords" {
    echo "$DATE" | crible-index -q --analyze -o "$T/s1" -
    echo "$BOOK" | crible-index -q --analyze -o "$T/s2" -
    run -0 crible-index stats "$T/s1"
    [[ "$output" == *$'field\titem_title\tnumeric'* ]]
    answers "$T/s1" "$T/s2"
    answers "$T/s2" "$T/s1"
    run -0 crible-index merge -o "$T/all" "$T/s1" "$T/s2"
    run -0 crible-index check "$T/all"
    answers "$T/all"
}

@test "a document refused for a field's kind leaves nothing behind; the others are indexed" {
    # "text.exact" as metadata collides with the text field's exact forms
    printf '%s\n' '{"id":"a","text":"Un roman policier."}' \
        '{"id":"b","text":"Une nouvelle étrange.","text.exact":"x"}' \
        '{"id":"c","text":"Un conte de fées."}' > "$T/docs.jsonl"
    run -4 crible-index -q --analyze -o "$T/ix" "$T/docs.jsonl"
    [[ "$output" == *"docs.jsonl:2: document 'b': field 'text.exact' used as two kinds"* ]]
    run -0 crible-index check "$T/ix"
    run -0 crible-index stats "$T/ix"
    [[ "$output" == *$'documents\t2'* ]]
    [ "$(ids 'roman' "$T/ix")" = "a " ]
    [ "$(ids 'nouvelle' "$T/ix")" = "" ]
    [ "$(ids 'étrange' "$T/ix")" = "" ]
    [ "$(ids 'conte' "$T/ix")" = "c " ]
    [ "$(ids 'un' "$T/ix")" = "a c " ]
}

@test "the reviews with a tiny buffer: every flush's segment opens, merges and checks" {
    need_shared "$DATA/reviews/reviews.jsonl"
    head -2000 "$DATA/reviews/reviews.jsonl" > "$T/r.jsonl"
    grep -q '"item_title": "1984"' "$T/r.jsonl"
    printf 'index:\n  merge_factor: 100\n' > "$T/nomerge.yaml"
    crible-read "$T/r.jsonl" | crible-index -q --analyze -c "$T/nomerge.yaml" -m 64K -o "$T/small" -
    crible-read "$T/r.jsonl" | crible-index -q --analyze -o "$T/one" -
    run -0 crible-index check "$T/small"
    run -0 crible-index stats "$T/small"
    [[ "$output" == *$'documents\t2000'* ]]
    [[ "$output" != *$'segments\t1\n'* ]]
    for q in 'item_title:1984' 'item_title>=1980' 'rating>=4 roman' 'polar'; do
        [ "$(ids "$q" "$T/small")" = "$(ids "$q" "$T/one")" ]
    done
    [ -n "$(ids 'item_title:1984' "$T/small")" ]
    run -0 crible-index merge -o "$T/small"
    run -0 crible-index check "$T/small"
    [ "$(ids 'item_title>=1980' "$T/small")" = "$(ids 'item_title>=1980' "$T/one")" ]
}
