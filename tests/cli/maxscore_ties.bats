#!/usr/bin/env bats
# Block-max MaxScore (query_exec.c, maxscore) and ties (query_topk.c):
# a document scoring the k-th best score comes into the top k, where ties
# go by id.  Its score is summed first in the window's order (essential
# leaves, then the others as their bounds allow: an order that depends on
# the blocks' bounds and on how far the threshold has moved), which may
# differ in its last bit from the sum in the query's order that every
# kept hit gets.  Five identical documents (x000..x009, in two runs of
# document numbers) tie under a six-word OR among thirty other documents:
# `-n K` must give the first K hits of the full ranking.  Before the fix,
# -n 5 gave x001 (its run came first) instead of x000: x000's sum in its
# window's order was a bit below the threshold and it was never re-summed.
bats_require_minimum_version 1.5.0
load common

Q='chat OR chien OR loup OR renard OR souris OR cheval'

setup() {
    T=$BATS_TEST_TMPDIR
    # id then text, one document a line (the first ten in shard 1)
    cat > "$T/docs" <<'DOCS'
x001 souris chat chien loup cheval cheval cheval chien
x003 souris chat chien loup cheval cheval cheval chien
x005 souris chat chien loup cheval cheval cheval chien
x007 souris chat chien loup cheval cheval cheval chien
x009 souris chat chien loup cheval cheval cheval chien
f799024 souris porte chat loup chat renard
f649676 porte chat loup cheval chien souris cheval loup chien table chat cheval
f766447 renard loup souris loup souris souris
f484254 renard porte table
f541410 loup renard
x000 souris chat chien loup cheval cheval cheval chien
x002 souris chat chien loup cheval cheval cheval chien
x004 souris chat chien loup cheval cheval cheval chien
x006 souris chat chien loup cheval cheval cheval chien
x008 souris chat chien loup cheval cheval cheval chien
f832422 chat chien porte souris chien renard renard porte porte chien
f494291 cheval porte souris renard chien chat loup table loup porte chien
f882087 table renard chat table porte renard renard porte renard loup loup souris
f265019 chien loup cheval loup renard chat renard loup chat renard renard
f439538 table porte souris souris renard chat table chat loup loup souris
f793792 souris
f380496 table cheval chat souris porte souris chat
f553344 chat cheval souris chien
f38499 chat souris chat souris chien loup loup chat chat cheval
f801169 cheval table porte chat
f719623 loup souris chat porte chien renard porte porte souris porte renard porte
f627712 cheval porte porte chat renard table cheval
f677190 loup table table chat renard chat chat loup cheval chien renard cheval
f458188 cheval chat renard chien loup loup table chien chien renard
f446472 chien chat chien souris souris chat renard porte
f391424 loup table renard chien table loup chien chat porte
f587398 porte table chien souris
f662264 porte renard porte loup souris porte porte cheval
f438334 chat chien chien chat
f121065 renard porte
DOCS
    python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for n, name in ((0, "all"), (1, "p1"), (2, "p2")):
    with open(sys.argv[2] + "/" + name + ".jsonl", "w") as f:
        for k, l in enumerate(lines):
            if n == 0 or (k < 10) == (n == 1):
                i, t = l.split(" ", 1)
                f.write(json.dumps({"id": i, "text": t}) + "\n")
' "$T/docs" "$T"
}

# The ids of `crible-query -n K INDEX... QUERY`, one line.
top() { local k=$1; shift; crible-query --json --no-snippet -n "$k" "$@" | python3 -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in sys.stdin))'; }

check_tops() {
    local full
    full=$(top 100 "$@" "$Q")
    [ "$(echo "$full" | wc -w)" -eq 35 ]
    for k in 1 2 3 4 5 6 7 8 9 10 12 14; do
        got=$(top "$k" "$@" "$Q")
        want=$(echo "$full" | cut -d' ' -f1-"$k")
        echo "-n $k: $got / $want"
        [ "$got" = "$want" ]
    done
    [ "$(top 5 "$@" "$Q" | cut -d' ' -f5)" = x000 ]
}

@test "maxscore ties: one segment, -n K gives the full ranking's first K (x000 before x001)" {
    crible-index -q -a -o "$T/ix" "$T/all.jsonl"
    check_tops "$T/ix"
}

@test "maxscore ties: two shards, the same" {
    crible-index -q -a -o "$T/s1" "$T/p1.jsonl"
    crible-index -q -a -o "$T/s2" "$T/p2.jsonl"
    check_tops "$T/s1" "$T/s2"
}
