#!/usr/bin/env bats
# What every crible program does the same way (coreutils' help-version and
# write-errors tests): --help, --version, a bad option, an unwritable
# stdout, a broken config file.
load common
bats_require_minimum_version 1.5.0

setup() {
    printf 'stem:\n  algorithm: [french\n' > "$BATS_TEST_TMPDIR/broken.yaml"
}

@test "every program answers --help on stdout with its name, exit 0" {
    for p in $CRIBLE_PROGRAMS; do
        run --separate-stderr "$p" --help
        [ "$status" -eq 0 ] || { echo "$p --help: $status"; false; }
        [[ "$output" == *"$p"* ]] || { echo "$p --help does not name itself"; false; }
        [ -z "$stderr" ] || { echo "$p --help wrote to stderr: $stderr"; false; }
    done
}

@test "every program answers --version with crible's version" {
    version=$(sed -n 's/^project(crible VERSION \([0-9.]*\).*/\1/p' "$CRIBLE_SRC/CMakeLists.txt")
    for p in $CRIBLE_PROGRAMS; do
        run "$p" --version
        [ "$status" -eq 0 ]
        [ "$output" = "$p (crible) $version" ] || { echo "$p: $output"; false; }
    done
}

@test "a bad option fails with exit 2 and a hint, nothing on stdout" {
    for p in $CRIBLE_PROGRAMS; do
        run --separate-stderr "$p" --no-such-option
        [ "$status" -eq 2 ] || { echo "$p: status $status"; false; }
        [ -z "$output" ] || { echo "$p wrote to stdout: $output"; false; }
        [[ "$stderr" == *"Try '$p --help'"* ]] || { echo "$p: $stderr"; false; }
    done
}

@test "writing to a full disk (/dev/full) fails with exit 5" {
    for p in $CRIBLE_PROGRAMS; do
        run bash -c "'$p' --help > /dev/full"
        [ "$status" -eq 5 ] || { echo "$p: status $status"; false; }
        [[ "$output" == *"cannot write to standard output"* ]] || { echo "$p: $output"; false; }
    done
}

@test "every stage reports broken YAML with file, line and column, exit 3" {
    for p in crible-read crible-tokenize crible-stem crible-entities crible-index crible-query; do
        args=(-); [ "$p" = crible-query ] && args=("$BATS_TEST_TMPDIR/none.idx" mot)
        run --separate-stderr "$p" -c "$BATS_TEST_TMPDIR/broken.yaml" "${args[@]}" < /dev/null
        [ "$status" -eq 3 ] || { echo "$p: status $status: $stderr"; false; }
        [[ "$stderr" == "$p: $BATS_TEST_TMPDIR/broken.yaml:3:1: "* ]] || { echo "$p: $stderr"; false; }
    done
}

@test "a missing config file is a config error naming it" {
    for p in crible-read crible-tokenize crible-stem crible-entities crible-index crible-query; do
        args=(-); [ "$p" = crible-query ] && args=("$BATS_TEST_TMPDIR/none.idx" mot)
        run --separate-stderr "$p" -c /nonexistent/crible.yaml "${args[@]}" < /dev/null
        [ "$status" -eq 3 ] || { echo "$p: status $status: $stderr"; false; }
        [[ "$stderr" == *"cannot open '/nonexistent/crible.yaml'"* ]] || { echo "$p: $stderr"; false; }
    done
}

@test "a stage started alone checks its own section: a typo gets 'did you mean'" {
    printf 'stem:\n  stopwrods: []\n' > "$BATS_TEST_TMPDIR/typo.yaml"
    run --separate-stderr crible-stem -c "$BATS_TEST_TMPDIR/typo.yaml" - < /dev/null
    [ "$status" -eq 3 ]
    [ "$stderr" = "crible-stem: $BATS_TEST_TMPDIR/typo.yaml:2:3: unknown key 'stopwrods' in 'stem' (did you mean 'stopwords'?)" ]
}
