#!/usr/bin/env bats
# crible run end to end with the real stages on corpus/ (and the seed article
# and the reviews of ../shared when present): the index answers known
# queries, --print builds the same index, a failing stage or Ctrl-C leaves
# the previous index as it was, -j 2 answers like -j 1; the standard chain
# runs fused (crible-read | crible-index --analyze) and builds the same
# index bytes as one process per stage (`pipeline: fuse: false`).
bats_require_minimum_version 1.5.0
load common
load pipeline_common

setup() {
    need_pipeline
    T=$BATS_TEST_TMPDIR
    CONF=$CRIBLE_SRC/config/crible.yaml
}

# The hits of a query as sorted "id<TAB>score" lines (scores to 1e-6).
hits() {
    crible-query "$@" --json -n 10000 --no-snippet |
        jq -r '"\(.id)\t\(.score * 1000000 | round)"' | sort
}

QUERIES=(netflix 'harcèlement' '"prime video"' 'série OR film' 'platform:netflix' 'lyon -paris' 'réalis*')

# Every query's hits, one block per query: what two indexes must agree on.
all_hits() {
    for q in "${QUERIES[@]}"; do
        echo "== $q"
        hits "$@" "$q"
    done
}

# What must not change when a run fails: the files of the index and what
# it answers.
fingerprint() {
    (cd "$1" && find . -type f ! -name '*.lock' ! -name LOCK -printf '%p %s\n' | sort && cat MANIFEST* 2>/dev/null | md5sum)
    all_hits "$1"
}

@test "crible run builds an index of corpus/ that answers known queries" {
    run --separate-stderr crible run -c "$CONF" -o "$T/idx"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    # The summary: documents, tokens, entities by type, time per stage
    # (fused: the index stage says what it ran).
    [[ "$stderr" == *"crible: "*" documents"* ]]
    [[ "$stderr" == *"PLATFORM"* ]]
    [[ "$stderr" == *"index --analyze "*"(tokenize+stem+entities+index in one process"* ]]
    ndocs=$(crible-read "$CRIBLE_SRC/corpus" | wc -l)
    [[ "$stderr" == *"crible: $ndocs documents"* ]]
    run crible-index check "$T/idx"
    [ "$status" -eq 0 ]
    # Netflix: exactly the documents that name it in their text or title.
    expected=$(crible-read -c "$CONF" "$CRIBLE_SRC/corpus" |
               jq -r 'select((.text + " " + (.title // "")) | test("netflix"; "i")) | .id' | sort)
    [ -n "$expected" ]
    diff <(echo "$expected") <(hits "$T/idx" netflix | cut -f1)
    hits "$T/idx" 'harcèlement' | grep -q 'cyberharcelement'
    hits "$T/idx" 'harcelement' | grep -q 'cyberharcelement'
}

@test "the seed article: its title and its people are found" {
    need_shared "$SEED"
    run --separate-stderr crible run -c "$CONF" -o "$T/idx" -q "$SEED"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [ "$(hits "$T/idx" '"dire un secret"' | wc -l)" -eq 1 ]
    [ "$(hits "$T/idx" 'platform:netflix' | wc -l)" -eq 1 ]
}

@test "--print run by bash builds the same index" {
    run --separate-stderr crible run -c "$CONF" -o "$T/a" -q
    [ "$status" -eq 0 ]
    run --separate-stderr crible run -c "$CONF" -o "$T/b" --print
    [ "$status" -eq 0 ]
    [[ "$output" == *"crible-read -c "*" | "*"crible-index -c "*" -o $T/b"* ]]
    run --separate-stderr bash -c "$output"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    diff <(crible-index stats "$T/a" | grep -Evi 'generation|bytes|size|MB|time') \
         <(crible-index stats "$T/b" | grep -Evi 'generation|bytes|size|MB|time')
    diff <(all_hits "$T/a") <(all_hits "$T/b")
}

@test "-j 2 gives the same search results as -j 1" {
    run --separate-stderr crible run -c "$CONF" -o "$T/one" -q -j 1
    [ "$status" -eq 0 ]
    # one process per stage: two copies of the analysis stages
    unfused_config "$CONF" "$T/piped.yaml"
    run --separate-stderr crible run -c "$T/piped.yaml" -o "$T/two" -j 2 "$CRIBLE_SRC/corpus"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [[ "$stderr" == *"tokenize "*" 2 "* ]]
    diff <(all_hits "$T/one") <(all_hits "$T/two")
    # the merge hands the documents on in input order: the same bytes
    cmp "$T/one/MANIFEST" "$T/two/MANIFEST"
    for f in "$T"/one/seg-*; do cmp "$f" "$T/two/$(basename "$f")"; done
    [ "$(hits "$T/two" netflix | wc -l)" -gt 0 ]
    # fused: two analysis threads in crible-index
    run --separate-stderr crible run -c "$CONF" -o "$T/two-fused" -j 2
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [[ "$stderr" == *"2 analysis threads)"* ]]
    diff <(all_hits "$T/one") <(all_hits "$T/two-fused")
}

@test "fused (read | index --analyze) and one process per stage (fuse: false): the same index bytes" {
    unfused_config "$CONF" "$T/piped.yaml"
    run --separate-stderr crible run -c "$T/piped.yaml" -o "$T/piped" "$CRIBLE_SRC/corpus"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    for s in tokenize stem entities; do [[ "$stderr" == *"  $s "* ]]; done
    [[ "$stderr" != *"--analyze"* ]]
    piped_summary=$(grep -E '^crible: |^  entities +[A-Z]' <<< "$stderr")
    run --separate-stderr crible run -c "$CONF" -o "$T/fused" "$CRIBLE_SRC/corpus"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [[ "$stderr" == *"index --analyze "* ]]
    [[ "$stderr" != *"  tokenize "* ]]
    # the same documents, tokens and entities by type in both summaries
    diff <(sed 's/ in [0-9.]* s, [0-9.]* MB\/s//' <<< "$piped_summary") \
         <(grep -E '^crible: |^  entities +[A-Z]' <<< "$stderr" | sed 's/ in [0-9.]* s, [0-9.]* MB\/s//')
    cmp "$T/piped/MANIFEST" "$T/fused/MANIFEST"
    for f in "$T"/piped/seg-*; do cmp "$f" "$T/fused/$(basename "$f")"; done
    # --print and --check say what runs
    run crible run -c "$CONF" --print -j 3
    [[ "$output" == *"crible-read -c "*" | "*"crible-index -c "*" --analyze --entities --threads 3 -o "* ]]
    [[ "$output" != *crible-tokenize* ]]
    run crible run -c "$T/piped.yaml" --print -o "$T/x" "$CRIBLE_SRC/corpus"
    [[ "$output" == *crible-tokenize*crible-stem*crible-entities* && "$output" != *--analyze* ]]
    run crible run -c "$CONF" --check
    [[ "$output" == *"OK, 2 stages (read | index --analyze: tokenize+stem+entities+index)"* ]]
    # not fused: a stage with args, a user stage, no entities stage still is
    printf 'pipeline:\n  index: idx\n  stages: [read, tokenize, stem, index]\n' > "$T/noent.yaml"
    run crible run -c "$T/noent.yaml" --print "$CRIBLE_SRC/corpus"
    [[ "$output" == *"--analyze -o "* && "$output" != *--entities* ]]
    printf 'pipeline:\n  index: idx\n  stages:\n    - read\n    - tokenize\n    - {name: stem, args: [--conllu]}\n    - index\n' > "$T/args.yaml"
    run crible run -c "$T/args.yaml" --print "$CRIBLE_SRC/corpus"
    [[ "$output" == *crible-tokenize* && "$output" != *--analyze* ]]
    config_with "$T/user.yaml" index cat "[cat]"
    run crible run -c "$T/user.yaml" --print
    [[ "$output" == *crible-tokenize* && "$output" != *--analyze* ]]
}

@test "a stage that fails (exit 3) mid-document: status 3, the index as it was" {
    run --separate-stderr crible run -c "$CONF" -o "$T/idx" -q
    [ "$status" -eq 0 ]
    before=$(fingerprint "$T/idx")
    # More documents, and a stage that dies in the middle of a document's
    # token stream after passing some of it on.
    mkdir "$T/more"
    cp -r "$CRIBLE_SRC/corpus/." "$T/more/"
    printf 'Un nouveau document sur Netflix et Disney+.\n' > "$T/more/nouveau.txt"
    config_with "$T/fail.yaml" entities boom \
        "[sh, -c, 'head -n 700; echo \"boom: cannot go on\" >&2; exit 3']"
    run --separate-stderr crible run -c "$T/fail.yaml" "$T/more"
    [ "$status" -eq 3 ]
    [[ "$stderr" == *"crible: stage 'boom' failed (exit 3): boom: cannot go on"* ]]
    [[ "$stderr" == *"nothing was committed"* ]]
    after=$(fingerprint "$T/idx")
    [ "$before" = "$after" ]
    run crible-index check "$T/idx"
    [ "$status" -eq 0 ]
    # The same run without the failing stage commits: the test can fail.
    sed -i '/name: boom/,+1d' "$T/fail.yaml"
    run --separate-stderr crible run -c "$T/fail.yaml" -q "$T/more"
    [ "$status" -eq 0 ]
    [ "$(fingerprint "$T/idx")" != "$before" ]
}

@test "a stage killed by a signal: status 128+9, the index as it was" {
    run --separate-stderr crible run -c "$CONF" -o "$T/idx" -q
    [ "$status" -eq 0 ]
    before=$(fingerprint "$T/idx")
    config_with "$T/kill.yaml" stem crash "[sh, -c, 'head -n 500; kill -KILL \$\$']"
    run --separate-stderr crible run -c "$T/kill.yaml" -j 2
    [ "$status" -eq 137 ]
    [[ "$stderr" == *"stage 'crash."?"' failed (killed by signal 9"* ]]
    [ "$(fingerprint "$T/idx")" = "$before" ]
}

@test "SIGINT: no child left, no partial commit" {
    run --separate-stderr crible run -c "$CONF" -o "$T/idx" -q
    [ "$status" -eq 0 ]
    before=$(fingerprint "$T/idx")
    secs="60.$$$RANDOM"
    config_with "$T/slow.yaml" index slow \
        "[awk, '{ print } NR == 400 { fflush(); system(\"sleep $secs\") }']"
    # When the runner is interrupted, the index stage runs and has read
    # 400 lines of the token stream.
    ALSO_RUNNING="crible-index -c $T/slow.yaml" interrupt_run "$secs" -c "$T/slow.yaml"
    [ "$status" -eq 130 ]
    grep -q "interrupted" "$T/err"
    ! pgrep -f "sleep $secs"
    ! pgrep -f "crible-index -c $T/slow.yaml"
    ! pgrep -f "crible-(read|tokenize|stem|entities) -c $T/slow.yaml"
    [ "$(fingerprint "$T/idx")" = "$before" ]
}

@test "the user-stage configuration runs its awk programs" {
    run --separate-stderr crible run -c "$CRIBLE_SRC/config/custom-stage.yaml" -o "$T/idx"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [[ "$stderr" == *"short-docs "* ]]
    [[ "$stderr" == *"no-urls "* ]]
    [ "$(hits "$T/idx" netflix | wc -l)" -gt 0 ]
}

@test "the reviews (JSON Lines with metadata): filters and facets" {
    need_shared "$DATA/reviews/reviews.jsonl"
    head -n 1500 "$DATA/reviews/reviews.jsonl" > "$T/r.jsonl"
    grep '"source": *"allocine.fr"' "$DATA/reviews/reviews.jsonl" | head -n 300 >> "$T/r.jsonl"
    run --separate-stderr crible run -c "$CRIBLE_SRC/config/reviews-jsonl.yaml" -o "$T/r" -q "$T/r.jsonl"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    n=$(crible-query "$T/r" 'source:allocine.fr' --count)
    [ "$n" -eq 300 ]
    run crible-query "$T/r" 'rating>=4 intouchables' --json -n 1
    [ "$status" -eq 0 ]
    [ "$(jq -r '.meta.rating >= 4' <<< "$output")" = true ]
    # The title comes from item_title.
    run crible-query "$T/r" 'title:intouchables' --count
    [ "$output" -gt 0 ]
}

@test "-j 2 with a stage that drops documents: every other document is indexed" {
    # an awk stage in each copy drops the documents whose id ends in 3 or 7
    printf '%s\n' '{ if ($0 !~ /"id": *"[^"]*[37]"/) print }' > "$T/drop.awk"
    printf 'pipeline:\n  fuse: false\n  stages:\n    - read\n    - name: drop\n      exec: [awk, -f, %s]\n    - tokenize\n    - stem\n    - index\n' \
        "$T/drop.awk" > "$T/drop.yaml"
    crible-read "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    kept=$(awk -f "$T/drop.awk" "$T/docs.jsonl" | wc -l)
    [ "$kept" -lt "$(wc -l < "$T/docs.jsonl")" ]
    run --separate-stderr crible run -c "$T/drop.yaml" -o "$T/d2" -j 2 "$CRIBLE_SRC/corpus"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    run --separate-stderr crible run -c "$T/drop.yaml" -o "$T/d1" -j 1 "$CRIBLE_SRC/corpus"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [ "$(crible-index stats "$T/d2" | awk '$1 == "documents" {print $2}')" -eq "$kept" ]
    diff <(crible-index dump "$T/d1" --field _id | sort) <(crible-index dump "$T/d2" --field _id | sort)
}
