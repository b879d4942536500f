#!/usr/bin/env bats
# crible-index merge in bounded memory (stages/lib/index_merge.c): many
# segments with tombstones merged into one answer every query as before and
# leave no temporary file; a shard of more than 32 segments is merged in
# rounds; a full disk during a merge leaves the previous index as it was,
# temporary files included; a crash in a round leaves a segment no
# MANIFEST names, which the next writer removes.  Documents: the
# repository's French corpus (corpus/), read by crible-read, one document
# a sentence, analysed by crible-index --analyze.
bats_require_minimum_version 1.5.0
load common

setup() {
    T=$BATS_TEST_TMPDIR
    printf 'index:\n  merge_factor: 100\n' > "$T/nomerge.yaml"
    # one document per sentence of the corpus, with a rating
    crible-read "$CRIBLE_SRC/corpus" | python3 -c '
import json, re, sys
n = 0
for line in sys.stdin:
    d = json.loads(line)
    for s in re.split(r"(?<=[.!?])\s+|\n+", d.get("text", "")):
        if len(s) >= 20:
            print(json.dumps({"id": "%s-%d" % (d["id"], n), "text": s, "rating": n % 5 + 1}, ensure_ascii=False))
            n += 1' > "$T/docs.jsonl"
    [ "$(wc -l < "$T/docs.jsonl")" -gt 200 ]
}

# documents, segments<TAB>N from stats
stat_of() { crible-index stats "$2" | awk -F'\t' -v k="$1" '$1==k{print $2}'; }

# The ids each query finds, sorted, one block per query.
answers() {
    for q in 'streaming' 'prix' '"prime video"' 'abonn*' 'netflix OR disney' 'rating>=4' '=abonnés' 'série NEAR/5 épisode'; do
        echo "== $q"
        crible-query --json -n 1000 "$1" "$q" | python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["id"] for l in sys.stdin)))'
    done
}

@test "index merge: many segments with tombstones merged: the same answers, check clean, no temporary file left" {
    crible-index -q --analyze -c "$T/nomerge.yaml" --memory 16K -o "$T/idx" "$T/docs.jsonl"
    [ "$(stat_of segments "$T/idx")" -gt 32 ]   # merged in rounds of at most 32
    # every third document deleted, the tenth first ones added again
    ids=$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in sys.stdin))' < "$T/docs.jsonl")
    set -- $ids
    n=$#
    del=$(printf '%s\n' $ids | awk 'NR % 3 == 1')
    crible-index delete -q -c "$T/nomerge.yaml" -o "$T/idx" $del
    head -10 "$T/docs.jsonl" | crible-index -q --analyze -c "$T/nomerge.yaml" --memory 16K -o "$T/idx" -
    live=$(stat_of documents "$T/idx")
    [ "$live" -lt "$n" ] && [ "$live" -gt $((n / 2)) ]
    answers "$T/idx" > "$T/before"
    grep -c . "$T/before" | awk '{ exit !($1 > 60) }'   # the queries find something
    run --separate-stderr crible-index merge -q -o "$T/idx"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [ "$(stat_of segments "$T/idx")" = 1 ]
    [ "$(stat_of documents "$T/idx")" = "$live" ]
    [ "$(stat_of deleted "$T/idx")" = 0 ]
    run crible-index check "$T/idx"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    answers "$T/idx" > "$T/after"
    diff "$T/before" "$T/after"
    [ "$(ls "$T/idx" | grep -v -E '^(LOCK|MANIFEST|seg-[0-9]+\.cri)$' | wc -l)" = 0 ]
}

@test "index merge: a full disk during a merge is exit 5; the index and its files stay as they were" {
    crible-index -q --analyze -c "$T/nomerge.yaml" --memory 16K -o "$T/idx" "$T/docs.jsonl"
    ls "$T/idx" > "$T/files"
    before=$(md5sum < "$T/idx/MANIFEST")
    answers "$T/idx" > "$T/before"
    # files limited to 8 KiB (ulimit -f counts 512-byte blocks): the
    # merged segment (48 KB) cannot be written
    run --separate-stderr bash -c "ulimit -f 16; trap '' XFSZ; exec crible-index merge -q -o '$T/idx'"
    [ "$status" -eq 5 ]
    [[ "$stderr" == *"cannot write"* ]]
    [ "$(md5sum < "$T/idx/MANIFEST")" = "$before" ]
    ls "$T/idx" | diff "$T/files" -
    crible-index check "$T/idx"
    answers "$T/idx" | diff "$T/before" -
}

@test "index merge: a shard of more than 32 segments is merged in rounds; a full disk in a round is exit 5, the file named, nothing left" {
    crible-index -q --analyze -c "$T/nomerge.yaml" --memory 16K -o "$T/shard" "$T/docs.jsonl"
    [ "$(stat_of segments "$T/shard")" -gt 32 ]   # read 32 at most at once: a round first
    head -5 "$T/docs.jsonl" | sed 's/"id": "/"id": "other-/' | crible-index -q --analyze -o "$T/idx" -
    ls "$T/idx" > "$T/files"
    before=$(md5sum < "$T/idx/MANIFEST")
    # files limited to 16 KiB (bash counts ulimit -f in KiB): the round's temporary segment cannot be written
    run --separate-stderr bash -c "ulimit -f 16; trap '' XFSZ; exec crible-index merge -q -o '$T/idx' '$T/shard'"
    [ "$status" -eq 5 ]
    [[ "$stderr" == *"cannot write"*"/idx/seg-99999900000"?".cri"* ]] || { echo "$stderr"; false; }
    [ "$(md5sum < "$T/idx/MANIFEST")" = "$before" ]
    ls "$T/idx" | diff "$T/files" -
    crible-index check "$T/idx"
    # killed in a round (SIGXFSZ not ignored: a crash): the round's
    # segment is left behind, named by no MANIFEST; the index reads as
    # before and the next writer removes it (below: nothing else left)
    run bash -c "ulimit -f 16; exec crible-index merge -q -o '$T/idx' '$T/shard'"
    [ "$status" -eq $((128 + 25)) ]
    ls "$T/idx" | grep -qx 'seg-99999900000[0-9]\.cri'
    [ "$(md5sum < "$T/idx/MANIFEST")" = "$before" ]
    crible-index check "$T/idx"
    # with room: one segment, the shard's documents and the index's own
    answers "$T/shard" > "$T/before"
    run --separate-stderr crible-index merge -q -o "$T/idx" "$T/shard"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    [ "$(stat_of segments "$T/idx")" = 1 ]
    [ "$(stat_of documents "$T/idx")" = $(( $(stat_of documents "$T/shard") + 5 )) ]
    run crible-index check "$T/idx"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    answers "$T/idx" | grep -v '^other-' > "$T/after"   # the shard's answers, the index's own aside
    diff "$T/before" "$T/after"
    [ "$(ls "$T/idx" | grep -v -E '^(LOCK|MANIFEST|seg-[0-9]+\.cri)$' | wc -l)" = 0 ]
    [ "$(ls "$T/idx" | grep -c '^seg-')" = 1 ]
}
