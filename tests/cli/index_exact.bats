#!/usr/bin/env bats
# `=word` finds every document holding the normal form (index_format.c,
# DICT [v5]): "chanter" stemmed "chant" in one document and "chanter" in two
# others (crible-stem's stem of a form may depend on the document: a review
# detected as English, a word protected between two builds, shards built
# apart with other settings) is found in the three, with df 3, whether the
# documents are in one segment, in several (incremental adds, flushes of a
# small --memory) merged or not, or in shards merged into one index; check
# stays clean.  Before version 5, `=chanter` found the first stem's
# document only and check reported the norm's stem.
bats_require_minimum_version 1.5.0
load common

HEAD='# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE CRIBLE:STEM CRIBLE:STOP
# crible.version = 1'

# A document: id, then stem/norm pairs of its tokens ("chant/chanter").
doc() {
    local id=$1 i=1 start=0
    shift
    printf '# newdoc id = %s\n' "$id"
    for t in "$@"; do
        local stem=${t%%/*} norm=${t#*/}
        printf '%d\t%s\t%d\t%d\t%s\tword\t%s\t0\n' "$i" "$norm" "$start" $((start + ${#norm})) "$norm" "$stem"
        start=$((start + ${#norm} + 1))
        i=$((i + 1))
    done
    printf '\n'
}

stream() { printf '%s\n' "$HEAD"; cat; printf '# crible.end = %s\n\n' "$1"; }

# The ids `crible-query IDX QUERY` finds, sorted, on one line.
ids() { crible-query --json -n 5000 "$1" "$2" | python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["id"] for l in sys.stdin)))'; }

# What every build must answer.
answers_right() {
    run crible-index check "$1"
    [ "$status" -eq 0 ]
    [ "$(ids "$1" '=chanter')" = "a b c" ]
    [ "$(ids "$1" 'chanter')" = "b c" ]       # the stem: its own documents
}

# The same on the three documents alone.
answers_right3() {
    answers_right "$1"
    [ "$(ids "$1" 'chant')" = "a" ]
    # df 3 of 3 documents: idf ln(1 + 0.5 / 3.5) (with df 1: 0.98)
    crible-query --explain "$1" '=chanter' | grep -q '× 0.134 idf'
}

setup() {
    T=$BATS_TEST_TMPDIR
    doc a le/le chant/chanter > "$T/a"
    doc b le/le chanter/chanter > "$T/b"
    doc c le/le chanter/chanter > "$T/c"
    printf 'index:\n  merge_factor: 100\n' > "$T/nomerge.yaml"
}

@test "index exact: the issue's stream in one segment: =chanter finds a, b and c; check clean" {
    cat "$T/a" "$T/b" "$T/c" | stream 3 > "$T/s.conllu"
    crible-index -q -o "$T/ix" "$T/s.conllu"
    answers_right3 "$T/ix"
    crible-query "$T/ix" '=chanter' | grep -q '^3 hits'
}

@test "index exact: the stems in two segments (incremental adds), then merged" {
    stream 1 < "$T/a" > "$T/1.conllu"
    cat "$T/b" "$T/c" | stream 2 > "$T/2.conllu"
    crible-index -q -c "$T/nomerge.yaml" -o "$T/ix" "$T/1.conllu"
    crible-index -q -c "$T/nomerge.yaml" -o "$T/ix" "$T/2.conllu"
    [ "$(crible-index stats "$T/ix" | awk -F'\t' '$1=="segments"{print $2}')" = 2 ]
    answers_right3 "$T/ix"
    crible-index merge -o "$T/ix"
    [ "$(crible-index stats "$T/ix" | awk -F'\t' '$1=="segments"{print $2}')" = 1 ]
    answers_right3 "$T/ix"
}

@test "index exact: the stems apart in the flushes of -m 64K, then merged" {
    {
        cat "$T/a"
        for i in $(seq 1 1500); do doc "f$i" le/le "mot$((i % 97))/mots$i" "chant/chantons"; done
        cat "$T/b"
        for i in $(seq 1501 3000); do doc "f$i" le/le "mot$((i % 89))/mot$i"; done
        cat "$T/c"
    } | stream 3003 > "$T/s.conllu"
    crible-index -q -m 64K -c "$T/nomerge.yaml" -o "$T/ix" "$T/s.conllu"
    [ "$(crible-index stats "$T/ix" | awk -F'\t' '$1=="segments"{print $2}')" -gt 2 ]
    answers_right "$T/ix"
    [ "$(ids "$T/ix" '=chantons' | wc -w)" = 1500 ]
    crible-index merge -o "$T/ix"
    answers_right "$T/ix"
    [ "$(ids "$T/ix" '=chantons' | wc -w)" = 1500 ]
}

@test "index exact: two shards built apart, merged into one index" {
    stream 1 < "$T/a" > "$T/1.conllu"
    cat "$T/b" "$T/c" | stream 2 > "$T/2.conllu"
    crible-index -q -o "$T/s1" "$T/1.conllu"
    crible-index -q -o "$T/s2" "$T/2.conllu"
    crible-index merge -o "$T/ix" "$T/s1" "$T/s2"
    answers_right3 "$T/ix"
    # a document holding the form under both stems counts once
    doc d chant/chanter chanter/chanter | stream 1 > "$T/d.conllu"
    crible-index -q -o "$T/s3" "$T/d.conllu"
    crible-index merge -o "$T/ix" "$T/s3"
    run crible-index check "$T/ix"
    [ "$status" -eq 0 ]
    [ "$(ids "$T/ix" '=chanter')" = "a b c d" ]
    crible-index dump "$T/ix" --field text.exact --term chanter | grep -q $'^term\tchanter\tdf 4\tcf 5\tmax tf 2'
}

# tests/cli/index_exact-v4: an index written by crible in segment format 4
# (before the fix) from "chanter" stemmed "chant" in a, and "chanter" in b
# (with "chantera") and c: b's and c's "chanter" tokens had stem chanter's
# "orphan" variant (no norm's).
@test "index exact: a version 4 index of the bug: check names it; merged twice with version 5 shards, its orphan tokens stay no norm's" {
    cp -r "$CRIBLE_SRC/tests/cli/index_exact-v4" "$T/v4"
    run crible-index check "$T/v4"
    [ "$status" -ne 0 ]
    [[ "$output" == *"text.exact:chanter: in 3 documents (3 times), more than its 1 stems together (1, 1)"* ]]
    doc d chanter/chantera chant/chanter | stream 1 | crible-index -q -o "$T/s5" -
    doc e chanter/chantera | stream 1 | crible-index -q -o "$T/s6" -
    crible-index merge -o "$T/m1" "$T/v4" "$T/s5"
    run crible-index check "$T/m1"
    [ "$status" -eq 0 ]
    # m1 is version 5 with orphan variants (IX_FIELD_ORPHANS): merged
    # again, they must not become "chantera" (c would match =chantera)
    crible-index merge -o "$T/m2" "$T/m1" "$T/s6"
    run crible-index check "$T/m2"
    [ "$status" -eq 0 ]
    [ "$(ids "$T/m2" '=chantera')" = "b d e" ]
    [ "$(ids "$T/m2" '=chanter')" = "a d" ]     # b's and c's were lost by version 4
    [ "$(ids "$T/m2" 'chanter')" = "b c d e" ]
    crible-index dump "$T/m2" --term chanter | grep -q $'^2\tc\ttf 1\t1$'   # its position kept
}

@test "index exact: =word* and =word~N walk the written forms, each form with every stem it was met with" {
    doc a chant/chanter > "$T/a"
    doc b chanter/chanter > "$T/b"
    doc c chan/chanter > "$T/c"
    doc d chan/chanter chant/chanter chanter/chanter > "$T/d"
    doc e chan/chant > "$T/e"
    cat "$T/a" "$T/b" "$T/c" "$T/d" "$T/e" | stream 5 > "$T/s.conllu"
    crible-index -q -o "$T/ix" "$T/s.conllu"
    # before: the bare norm looked up ("chante", "chantr"), the * and ~ ignored
    [ "$(ids "$T/ix" '=chante*')" = "a b c d" ]
    [ "$(ids "$T/ix" '=chant*')" = "a b c d e" ]
    [ "$(ids "$T/ix" '=chantr~1')" = "a b c d e" ]
    [ "$(ids "$T/ix" '=chanter')" = "a b c d" ]
    [ "$(ids "$T/ix" '=chant')" = "e" ]
}
