#!/usr/bin/env bats
# Beyond one machine with GNU parallel, no distribution layer of our own:
# the stages read stdin and write stdout, so GNU parallel cuts the document
# stream into blocks and runs the analysis and the index stage on each (on
# this machine with -S :, on others with -S host1,host2), each job building
# one shard; the shards are then queried together or merged.  The README's
# "Beyond one machine" section shows the same commands.
bats_require_minimum_version 1.5.0
load common
load pipeline_common

setup() {
    command -v parallel > /dev/null || skip "GNU parallel not installed (Debian: parallel)"
    need_pipeline
    T=$BATS_TEST_TMPDIR
    CONF=$CRIBLE_SRC/config/crible.yaml
    # crible-read once; the shards then take disjoint shares of its lines.
    crible-read -c "$CONF" "$CRIBLE_SRC/corpus" > "$T/docs.jsonl"
    crible run -c "$CONF" -q -o "$T/whole"
}

hits() {
    crible-query "$@" --json -n 10000 --no-snippet | jq -r '"\(.id)\t\(.score * 1000000 | round)"' | sort
}

QUERIES=(netflix 'harcèlement' '"prime video"' 'série OR film' 'platform:netflix')

all_hits() {
    for q in "${QUERIES[@]}"; do echo "== $q"; hits "$@" "$q" || true; done
}

build_shards() {
    # -N 4: four documents a job; {#}: the job's number names its shard.
    # --sshlogin : is this machine; --sshlogin host1,host2 (with the
    # programs installed there) runs the very same jobs on other machines,
    # and --return brings each shard back.
    parallel --pipe -N 4 -j 2 --sshlogin : --return "$T/shard-{#}" \
        "crible-tokenize -c $CONF | crible-stem -c $CONF | crible-entities -c $CONF | crible-index -q -c $CONF -o $T/shard-{#}" \
        < "$T/docs.jsonl"
}

@test "GNU parallel builds shards that, queried together, answer as one index" {
    run build_shards
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    nshards=$(ls -d "$T"/shard-* | wc -l)
    [ "$nshards" -ge 3 ]
    # Every document is in exactly one shard.
    total=0
    for s in "$T"/shard-*; do
        n=$(crible-query "$s" 'netflix OR le OR la OR de' --count || true)
        total=$((total + n))
    done
    whole=$(crible-query "$T/whole" 'netflix OR le OR la OR de' --count)
    [ "$total" -eq "$whole" ]
    # Searched together with global statistics: the same hits and scores.
    diff <(all_hits "$T/whole") <(all_hits "$T"/shard-*)
}

@test "shards built by GNU parallel merge into one index" {
    run build_shards
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run crible-index merge -o "$T/merged" "$T"/shard-*
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run crible-index check "$T/merged"
    [ "$status" -eq 0 ]
    diff <(all_hits "$T/whole") <(all_hits "$T/merged")
}

@test "crible run --print -j 2 (GNU parallel --round-robin) builds the same index" {
    unfused_config "$CONF" "$T/piped.yaml"
    out=$(crible run -c "$T/piped.yaml" -o "$T/rr" -j 2 --print "$CRIBLE_SRC/corpus")
    [[ "$out" == *"parallel --pipe --round-robin"* ]]
    run --separate-stderr bash -c "$out"
    [ "$status" -eq 0 ] || { echo "$stderr"; false; }
    diff <(all_hits "$T/whole") <(all_hits "$T/rr")
}
