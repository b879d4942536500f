#!/usr/bin/env bats
# crible-index: building, updating, deleting, merging, checking, showing an
# index; and what it must survive: kill -9 at any moment, a full disk, cut
# and malformed streams, a second writer, corrupted bytes.  Streams come
# from tests/tools/index_stream.py (no analysis stage needed) and, when the
# stages are built, from the real pipeline on the seed article.
bats_require_minimum_version 1.5.0
load common

setup() {
    T=$BATS_TEST_TMPDIR
    GEN="python3 $CRIBLE_SRC/tests/tools/index_stream.py"
}

# documents<TAB>N from stats
ndocs() { crible-index stats "$1" | awk -F'\t' '$1=="documents"{print $2}'; }

@test "index: builds from a stream; check is clean; stats and dump show it" {
    $GEN 300 > "$T/s.conllu"
    run --separate-stderr crible-index -o "$T/idx" "$T/s.conllu"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [[ "$stderr" == *"300 documents"* ]]
    run crible-index check "$T/idx"
    [ "$status" -eq 0 ]
    [ "$output" = "$T/idx: ok" ]
    [ "$(ndocs "$T/idx")" = 300 ]
    run crible-index stats "$T/idx"
    [[ "$output" == *$'field\tperson\tkeyword'* ]]
    [[ "$output" == *$'top\tperson\tkevin anderson\t100'* ]]
    # a term's postings with positions: "kevin" is the first word of d0, d3...
    run crible-index dump "$T/idx" --term kevin
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == $'0\td0\ttf 1\t0' ]]
    [[ "${lines[2]}" == $'3\td3\ttf 1\t0' ]]
    # a stored document with its tokens' offsets in the original text
    run crible-index dump "$T/idx" --doc d1
    [[ "$output" == *'"id": "d1"'* ]]
    [[ "$output" == *$'  3\t22-30\tvictimes'* ]]
    run crible-index dump "$T/idx" --prefix vic
    [[ "$output" == victime$'\t'* ]]
}

@test "index: the real pipeline on the seed article finds its words" {
    need_shared
    command -v crible-tokenize && command -v crible-stem || skip "analysis stages not built"
    crible-read "$SEED" | crible-tokenize | crible-stem | crible-index -q -o "$T/idx"
    crible-index check "$T/idx"
    # "l’enfer": the elision is its own token, "enfer" a term with positions
    run crible-index dump "$T/idx" --term enfer
    [[ "${lines[0]}" == $'term\tenfer\tdf 1\t'* ]]
    # the stored offsets give back the surface word, curly apostrophe kept
    run crible-index dump "$T/idx" --doc "$(crible-read "$SEED" | jq -r .id)"
    [[ "$output" == *$'\tl’\n'* || "$output" == *$'\tl’'* ]]
    [[ "$output" == *$'\tcyberharcèlement'* ]]
}

@test "index: adding to an index replaces documents by id; delete leaves tombstones; merge drops them" {
    $GEN 50 | crible-index -q -o "$T/idx"
    $GEN 10 | crible-index -q -o "$T/idx"      # d0..d9 again: replaced, not doubled
    [ "$(ndocs "$T/idx")" = 50 ]
    run crible-index delete -o "$T/idx" d1 d2 nosuchid
    [ "$status" -eq 0 ]
    [ "$(ndocs "$T/idx")" = 48 ]
    run crible-index stats "$T/idx"
    [[ "$output" == *$'deleted\t12'* ]]
    run crible-index dump "$T/idx" --doc d1
    [ "$status" -eq 4 ]
    crible-index merge -o "$T/idx"
    run crible-index stats "$T/idx"
    [[ "$output" == *$'segments\t1'* ]]
    [[ "$output" == *$'deleted\t0'* ]]
    [ "$(ndocs "$T/idx")" = 48 ]
    crible-index check "$T/idx"
}

@test "index: shards built apart merge into one index" {
    $GEN 40 --prefix a | crible-index -q -o "$T/a"
    $GEN 30 --prefix b | crible-index -q -o "$T/b"
    $GEN 5 --prefix a | crible-index -q -o "$T/c"   # a0..a4 again
    run crible-index merge -o "$T/all" "$T/a" "$T/b" "$T/c"
    [ "$status" -eq 0 ]
    [ "$(ndocs "$T/all")" = 70 ]
    crible-index check "$T/all"
    run crible-index stats "$T/all"
    [[ "$output" == *$'segments\t1'* ]]
}

@test "index: a small --memory writes many segments, merged to a logarithmic number" {
    $GEN 3000 > "$T/s.conllu"
    run --separate-stderr crible-index --memory 64K -o "$T/idx" "$T/s.conllu"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    flushed=$(echo "$stderr" | sed -n 's/.*(\([0-9]*\) segments written.*/\1/p')
    [ "$flushed" -gt 8 ]
    segs=$(crible-index stats "$T/idx" | awk -F'\t' '$1=="segments"{print $2}')
    [ "$segs" -lt 16 ]
    [ "$(ndocs "$T/idx")" = 3000 ]
    crible-index check "$T/idx"
    run crible-index --memory lots -o "$T/idx" /dev/null
    [ "$status" -eq 2 ]
}

@test "index: a stream cut in a document: that document is out, named; the others are committed" {
    $GEN 20 | crible-index -q -o "$T/idx"
    $GEN 25 --prefix n --cut > "$T/cut.conllu"
    run --separate-stderr crible-index -q -o "$T/idx" "$T/cut.conllu"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"document 'n24'"* ]]
    [ "$(ndocs "$T/idx")" = 44 ]
    crible-index check "$T/idx"
    run crible-index dump "$T/idx" --doc n24
    [ "$status" -eq 4 ]
    # cut between blocks (no end mark): the last document is not trusted
    $GEN 5 --prefix m --no-end > "$T/noend.conllu"
    run --separate-stderr crible-index -q -o "$T/idx" "$T/noend.conllu"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"document 'm4'"*"cut short"* ]]
    [ "$(ndocs "$T/idx")" = 48 ]
}

@test "index: malformed input: a bad document is named and skipped, bad streams refused" {
    $GEN 3 | sed 's/^# crible.doc = {"id": "d1"/# crible.doc = {"id" "d1"/' > "$T/bad.conllu"
    run --separate-stderr crible-index -q -o "$T/idx" "$T/bad.conllu"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"document 'd1'"* ]]
    [ "$(ndocs "$T/idx")" = 2 ]
    # no stem column: the hint says which stage is missing
    printf '# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE\n# crible.version = 1\n# newdoc id = x\n1\ta\t0\t1\ta\tword\n\n' > "$T/nostem.conllu"
    run --separate-stderr crible-index -o "$T/idx2" "$T/nostem.conllu"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"CRIBLE:STEM"*"crible-stem"* ]]
    # NUL bytes and invalid UTF-8 in a stream
    printf '# global.columns = ID FORM CRIBLE:STEM\n# crible.version = 1\n# newdoc id = x\n1\ta\0b\tab\n\n' > "$T/nul.conllu"
    run crible-index -o "$T/idx3" "$T/nul.conllu"
    [ "$status" -eq 4 ]
    printf '# global.columns = ID FORM CRIBLE:STEM\n# crible.version = 1\n# newdoc id = x\n1\ta\xffb\tab\n\n' > "$T/utf.conllu"
    run crible-index -o "$T/idx4" "$T/utf.conllu"
    [ "$status" -eq 4 ]
    # empty input: an empty, valid index
    run crible-index -q -o "$T/empty" /dev/null
    [ "$status" -eq 0 ]
    [ "$(ndocs "$T/empty")" = 0 ]
    crible-index check "$T/empty"
}

@test "index: a 5 MB one-line document is indexed" {
    python3 - "$T/big.conllu" <<'EOF'
import json, sys
words = ("bon " * 600000).strip()
with open(sys.argv[1], "w") as f:
    f.write("# global.columns = ID FORM CRIBLE:START CRIBLE:END CRIBLE:NORM CRIBLE:TYPE CRIBLE:STEM CRIBLE:STOP\n# crible.version = 1\n")
    f.write("# newdoc id = big\n# crible.doc = %s\n# crible.field = text\n" % json.dumps({"id": "big", "text": words}))
    for i in range(600000):
        f.write("%d\tbon\t%d\t%d\tbon\tword\tbon\t1\n" % (i + 1, 4 * i, 4 * i + 3))
    f.write("\n# crible.end = 1\n")
EOF
    run crible-index -q -o "$T/idx" "$T/big.conllu"
    [ "$status" -eq 0 ]
    crible-index check "$T/idx"
    run crible-index dump "$T/idx" --prefix bon
    [ "$output" = $'bon\t1\t600000' ]
}

@test "index: a second writer gets a clear error while the first holds the lock" {
    $GEN 5 | crible-index -q -o "$T/idx"
    command -v flock || skip "flock(1) absent"
    flock "$T/idx/LOCK" sleep 3 &
    sleep 0.5
    run --separate-stderr crible-index -q -o "$T/idx" /dev/null
    [ "$status" -eq 6 ]
    [[ "$stderr" == *"is locked by another writer"* ]]
    wait
    run crible-index -q -o "$T/idx" /dev/null
    [ "$status" -eq 0 ]
}

@test "index: kill -9 at any moment of a build leaves the last commit whole" {
    $GEN 200 | crible-index -q -o "$T/idx"
    $GEN 6000 --prefix k > "$T/big.conllu"
    for delay in 0.01 0.05 0.1 0.2 0.3 0.45 0.6 0.8 1.0 1.3; do
        crible-index -q --memory 128K -o "$T/idx" "$T/big.conllu" &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" || true
        run crible-index check "$T/idx"
        [ "$status" -eq 0 ] || { echo "after $delay s: $output"; false; }
        n=$(ndocs "$T/idx")
        [ "$n" = 200 ] || [ "$n" = 6200 ] || { echo "after $delay s: $n documents"; false; }
        crible-index dump "$T/idx" --doc d7 > /dev/null
    done
    # and the next writer cleans what the killed ones left
    crible-index -q -o "$T/idx" /dev/null
    run bash -c "ls '$T/idx' | grep -c '^seg-'"
    [ "$output" -le 12 ]
}

@test "index: readers are never blocked and always see a whole commit while a writer commits" {
    $GEN 100 | crible-index -q -o "$T/idx"
    for i in 1 2 3 4 5 6; do $GEN 50 --prefix "w$i" > "$T/s$i.conllu"; done
    (for i in 1 2 3 4 5 6; do crible-index -q -o "$T/idx" "$T/s$i.conllu"; crible-index delete -o "$T/idx" "w${i}3"; done) &
    writer=$!
    for k in $(seq 1 40); do
        run crible-index stats "$T/idx"
        [ "$status" -eq 0 ] || { echo "read $k: $output"; false; }
        n=$(echo "$output" | awk -F'\t' '$1=="documents"{print $2}')
        # a commit adds 50 documents or deletes one: never anything between
        [ $(( (n - 100) % 49 )) -eq 0 ] || [ $(( (n - 100) % 49 )) -eq 1 ] || { echo "read $k: $n documents"; false; }
    done
    wait "$writer"
    [ "$(ndocs "$T/idx")" = $((100 + 6 * 49)) ]
    crible-index check "$T/idx"
}

@test "index: a full disk is a clear error, exit 5, and the previous index is intact" {
    $GEN 100 | crible-index -q -o "$T/idx"
    before=$(cat "$T/idx/MANIFEST" | md5sum)
    $GEN 20000 --prefix f > "$T/big.conllu"
    # files limited to 64 KiB (ulimit -f counts 512-byte blocks)
    run --separate-stderr bash -c "ulimit -f 128; trap '' XFSZ; exec crible-index -q -o '$T/idx' '$T/big.conllu'"
    [ "$status" -eq 5 ]
    [[ "$stderr" == *"cannot write"* ]]
    [ "$(cat "$T/idx/MANIFEST" | md5sum)" = "$before" ]
    crible-index check "$T/idx"
    [ "$(ndocs "$T/idx")" = 100 ]
}

@test "index: every corrupted byte is found by check; reading never crashes" {
    $GEN 300 | crible-index -q -o "$T/idx"
    seg=$(ls "$T/idx"/seg-*.cri)
    size=$(stat -c %s "$seg")
    for off in 0 9 20 100 1000 $((size / 3)) $((size / 2)) $((size - 100)) $((size - 30)) $((size - 3)); do
        rm -rf "$T/bad"; cp -r "$T/idx" "$T/bad"
        f=$(ls "$T/bad"/seg-*.cri)
        printf '\x5a' | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
        cmp -s "$f" "$seg" && continue   # the byte was already 0x5a
        run crible-index check "$T/bad"
        [ "$status" -eq 6 ] || { echo "byte $off: $output"; false; }
        run crible-index stats "$T/bad"
        [ "$status" -eq 0 ] || [ "$status" -eq 6 ]
    done
    # a truncated segment, a damaged MANIFEST
    rm -rf "$T/bad"; cp -r "$T/idx" "$T/bad"
    truncate -s $((size - 1)) "$T/bad"/seg-*.cri
    run crible-index check "$T/bad"
    [ "$status" -eq 6 ]
    run crible-index stats "$T/bad"
    [ "$status" -eq 6 ]
    rm -rf "$T/bad"; cp -r "$T/idx" "$T/bad"
    printf 'X' | dd of="$T/bad/MANIFEST" bs=1 seek=20 conv=notrunc status=none
    run crible-index check "$T/bad"
    [ "$status" -eq 6 ]
    [[ "$output" == *"MANIFEST"*"checksum"* ]]
}

@test "index: the fuzz regression corpus replays without a crash" {
    [ -x "$CRIBLE_TOOLS/fuzz_index" ] || skip "fuzz_index not built"
    run "$CRIBLE_TOOLS/fuzz_index" "$CRIBLE_SRC/tests/fuzz/index"
    [ "$status" -eq 0 ]
    [[ "$output" == *"inputs replayed"* ]]
}

@test "index: stats to a full stdout fails with exit 5" {
    $GEN 3 | crible-index -q -o "$T/idx"
    run bash -c "crible-index stats '$T/idx' > /dev/full"
    [ "$status" -eq 5 ]
}
