#!/usr/bin/env bats
# crible-index's peak memory is its --memory budget plus a constant,
# whatever the corpus size (issue 4): on the token stream of the reviews
# (a dozen flushes at -m 4M) and on four copies of it (ids renamed: four
# times the documents, fifty flushes), the peak resident set stays under
# the budget plus the stated constant, and the four copies need no more
# than the one.  tests/tools/peak_mem.py measures: the kernel's peak
# (VmHWM, exact) and the anonymous part sampled every 5 ms.  Skipped
# without ../shared/data and under AddressSanitizer (its allocator and
# shadow memory are not the program's).
bats_require_minimum_version 1.5.0
load common

# The constant of the README (MiB): anonymous memory beyond --memory
# (the read-ahead ring, the interner's tables, the flush's arrays and the
# segment writer's buffers, malloc's own), and the resident total beyond
# it (that, the program's code and libraries, the segments a merge maps).
ANON_CONSTANT=48
TOTAL_CONSTANT=64
BUDGET=4

setup() {
    T=$BATS_TEST_TMPDIR
}

skip_asan() {
    if grep -qa __asan_init "$(command -v crible-index)"; then
        skip "AddressSanitizer build: its allocator's memory is not crible-index's"
    fi
}

# peak NAME STREAM: indexes STREAM at -m ${BUDGET}M into $T/NAME; sets
# hwm and anon (MiB) and segs (segments written)
peak() {
    run python3 "$BATS_TEST_DIRNAME/../tools/peak_mem.py" --stdin "$2" -- \
        crible-index --memory ${BUDGET}M -o "$T/$1"
    echo "$output"
    [ "$status" -eq 0 ]
    hwm=$(echo "$output" | sed -n 's/.*hwm_kb=\([0-9]*\).*/\1/p')
    anon=$(echo "$output" | sed -n 's/.*anon_kb=\([0-9]*\).*/\1/p')
    segs=$(echo "$output" | sed -n 's/.*(\([0-9]*\) segments written.*/\1/p')
    hwm=$((hwm / 1024))
    anon=$((anon / 1024))
    echo "$1: peak RSS $hwm MiB, anonymous $anon MiB, $segs segments written"
}

@test "peak memory: -m 4M on the reviews and on four times them stays under the budget plus the constant" {
    need_shared
    skip_asan
    crible-read "$DATA/reviews/reviews.jsonl" | crible-tokenize | crible-stem > "$T/one.stem"
    {
        cat "$T/one.stem"
        for k in 2 3 4; do
            sed -e '1,/^# newdoc id/{/^# newdoc id/!d}' -e "s/^# newdoc id = /&c$k-/" \
                -e "s/^\(# crible.doc = {\"id\": *\"\)/\1c$k-/" "$T/one.stem"
        done
    } > "$T/four.stem"
    [ "$(grep -c '^# newdoc id = c4-' "$T/four.stem")" -eq "$(grep -c '^# newdoc id = ' "$T/one.stem")" ]

    peak one "$T/one.stem"
    local hwm1=$hwm anon1=$anon
    [ "$segs" -ge 8 ]
    [ "$hwm1" -le $((BUDGET + TOTAL_CONSTANT)) ]
    [ "$anon1" -le $((BUDGET + ANON_CONSTANT)) ]

    peak four "$T/four.stem"
    [ "$segs" -ge 32 ]
    [ "$hwm" -le $((BUDGET + TOTAL_CONSTANT)) ]
    [ "$anon" -le $((BUDGET + ANON_CONSTANT)) ]
    # flat: four times the documents, not more memory (a few MiB of noise:
    # malloc's free lists, the largest document met)
    [ "$hwm" -le $((hwm1 + 6)) ]
    # every document is there
    run crible-index stats "$T/four"
    [ "$status" -eq 0 ]
    local n1 n4
    n1=$(crible-index stats "$T/one" | awk -F'\t' '$1=="documents"{print $2}')
    n4=$(echo "$output" | awk -F'\t' '$1=="documents"{print $2}')
    [ "$n4" -eq $((4 * n1)) ]
}
