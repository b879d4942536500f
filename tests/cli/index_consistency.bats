#!/usr/bin/env bats
# The same documents, however indexed, answer the same: one segment, many
# segments (-m 64K, merge_factor 100), added in four runs with replacements
# and deletions (then merged), three shards searched together and merged.
# tests/tools/index_diff.py compares every build's hits and scores, counts,
# pages, facets and snippets with the one-segment build's, and checks each
# index; here on a subset of the reviews and press articles (the whole
# reviews and 2,000 articles: tests/tools/index_diff.py without options).
bats_require_minimum_version 1.5.0
load common

@test "reviews and press articles indexed six ways answer every query the same" {
    need_shared "$DATA/reviews/reviews.jsonl"
    run python3 "$CRIBLE_SRC/tests/tools/index_diff.py" --bin "$CRIBLE_BIN" \
        --reviews 800 --press 200 --quick --work "$BATS_TEST_TMPDIR/w"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"6 builds"*", 0 differences"* ]]
}

@test "index_diff.py reports a difference: an index missing a document" {
    need_shared "$DATA/reviews/reviews.jsonl"
    # the tool must be able to fail: its comparison on two indexes that
    # differ by one deleted document
    crible-read "$DATA/reviews/reviews.jsonl" | head -300 > "$BATS_TEST_TMPDIR/d.docs"
    crible-index -q --analyze -o "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/d.docs"
    crible-index -q --analyze -o "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/d.docs"
    crible-index delete -o "$BATS_TEST_TMPDIR/b" babelio-00001 >/dev/null 2>&1
    run -1 python3 "$CRIBLE_SRC/tests/tools/index_diff.py" --bin "$CRIBLE_BIN" \
        --compare "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
    [[ "$output" == *"DIFF 'roman OR film'"*"only in one: ['babelio-00001']"* ]]
}
