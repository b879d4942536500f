#!/usr/bin/env bats
# crible run, the runner: processes and pipes, stderr prefixes, exit status
# of a failing stage, Ctrl-C, -j N.  These tests use stages made of cat, awk
# and sh only, so they test the runner itself; pipeline_index.bats runs the
# real stages end to end.
bats_require_minimum_version 1.5.0
load common
load pipeline_common

setup() {
    T=$BATS_TEST_TMPDIR
    # Six documents, one a line, as crible-read writes them.
    for i in 1 2 3 4 5 6; do
        printf '{"id":"d%d","text":"Document %d : Netflix et Canal+ à Lyon."}\n' "$i" "$i"
    done > "$T/docs.jsonl"
    # A "tokenizer" in awk: the id and the words of each document as a
    # CoNLL-U Plus stream (ID FORM), one sentence a document.
    cat > "$T/tok.awk" <<'EOF'
BEGIN { print "# global.columns = ID FORM"; print "# crible.version = 1" }
{
    match($0, /"id":"[^"]*"/); id = substr($0, RSTART + 6, RLENGTH - 7)
    match($0, /"text":"[^"]*"/); text = substr($0, RSTART + 8, RLENGTH - 9)
    print "# newdoc id = " id
    n = split(text, w, " ")
    for (i = 1; i <= n; i++) print i "\t" w[i]
    print ""
}
EOF
}

# A config file whose stages are given as YAML lines ("- ..." items).
config() {
    local name=$1; shift
    {
        echo "pipeline:"
        echo "  stages:"
        for s in "$@"; do echo "    $s"; done
    } > "$T/$name.yaml"
}

@test "crible --help and --version" {
    run crible --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"crible run"* ]]
    [[ "$output" == *"--print"* ]]
    run crible run --help
    [ "$status" -eq 0 ]
    run crible --version
    [[ "$output" == "crible (crible) "* ]]
}

@test "user programs as stages: argv as written, no shell, output on stdout without a sink" {
    config p '- name: src' '  exec: [cat, docs.jsonl]' \
             '- name: tok' '  exec: [awk, -f, tok.awk]'
    run --separate-stderr crible run -c "$T/p.yaml" -q
    [ "$status" -eq 0 ]
    expected=$(awk -f "$T/tok.awk" "$T/docs.jsonl")
    [ "$output" = "$expected" ]
    # A value with shell syntax in it stays one argument.
    config q '- name: src' "  exec: [printf, '%s\\n', '\$(touch $T/pwned); *']"
    run --separate-stderr crible run -c "$T/q.yaml" -q
    [ "$status" -eq 0 ]
    [ "$output" = "\$(touch $T/pwned); *" ]
    [ ! -e "$T/pwned" ]
}

@test "--progress forces the progress line; -q shows nothing; the summary counts" {
    config p '- name: src' '  exec: [cat, docs.jsonl]' '- name: tok' '  exec: [awk, -f, tok.awk]'
    run --separate-stderr crible run -c "$T/p.yaml" --progress --no-summary
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"crible: 6 documents, "*" MB/s"* ]]
    run --separate-stderr crible run -c "$T/p.yaml" -q
    [ -z "$stderr" ]
    run --separate-stderr crible run -c "$T/p.yaml"
    ntokens=$(awk -f "$T/tok.awk" "$T/docs.jsonl" | grep -c '^[0-9]')
    [[ "$stderr" == "crible: 6 documents ("*"; $ntokens tokens"* ]]
    [[ "$stderr" == *"src "*"tok "* ]]
}

@test "each stage's stderr is shown behind its name" {
    config p '- name: src' '  exec: [cat, docs.jsonl]' \
             '- name: talk' "  exec: [sh, -c, 'echo hello from talk >&2; cat']"
    run --separate-stderr crible run -c "$T/p.yaml" -q
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"[talk] hello from talk"* ]]
    [ "$(printf '%s\n' "$output" | wc -l)" -eq 6 ]
}

@test "a stage that exits 3 fails the run with status 3, naming it and its last line" {
    config p '- name: src' '  exec: [cat, docs.jsonl]' \
             '- name: broken' "  exec: [sh, -c, 'head -n 2; echo \"broken: disk on fire\" >&2; exit 3']" \
             '- name: tok' '  exec: [awk, -f, tok.awk]'
    run --separate-stderr crible run -c "$T/p.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == *"crible: stage 'broken' failed (exit 3): broken: disk on fire"* ]]
}

@test "a stage killed by a signal fails the run with 128+N" {
    config p '- name: src' '  exec: [cat, docs.jsonl]' \
             '- name: crash' "  exec: [sh, -c, 'head -n 1; kill -SEGV \$\$']" \
             '- name: tok' '  exec: [awk, -f, tok.awk]'
    run --separate-stderr crible run -c "$T/p.yaml"
    [ "$status" -eq 139 ]
    [[ "$stderr" == *"stage 'crash' failed (killed by signal 11"* ]]
}

# Runs src (200,000 documents) | stop (sh -c "$1", which exits 4) | tail
# and expects the run to blame 'stop' and exit 4.
blames_stop() {
    seq 1 200000 | sed 's/.*/{"id":"&","text":"x"}/' > "$T/many.jsonl"
    config p '- name: src' '  exec: [cat, many.jsonl]' \
             '- name: stop' "  exec: [sh, -c, '$1']" \
             '- name: tail' '  exec: [cat]'
    run --separate-stderr crible run -c "$T/p.yaml"
    [ "$status" -eq 4 ]
    [[ "$stderr" == *"stage 'stop' failed (exit 4)"* ]]
}

@test "the stage blamed is the one that failed, not the ones its failure broke" {
    # 'stop' exits 4 at once; its neighbours die of a broken pipe or read a
    # cut stream, but the run says 'stop' and exits 4.
    blames_stop 'read x; exit 4'
}

@test "a stage that fails on its own after the runner signalled it is blamed, not the broken pipe it caused" {
    # 'stop' closes its input (so 'src' dies of SIGPIPE and the runner
    # aborts), ignores the runner's SIGTERM and exits 4 a moment later: as
    # a stage does when its failure is reaped after its consequence.
    blames_stop 'trap "" TERM; read x; exec 0<&-; sleep 0.5; exit 4'
}

@test "standard output closed early (crible run | head): quiet, status 141" {
    seq 1 100000 | sed 's/.*/{"id":"&","text":"un deux trois"}/' > "$T/many.jsonl"
    config p '- name: src' '  exec: [cat, many.jsonl]' '- name: tok' '  exec: [awk, -f, tok.awk]'
    run bash -c "crible run -c '$T/p.yaml' -q 2>&1 | head -n 3; echo \${PIPESTATUS[0]}"
    [ "${lines[0]}" = "# global.columns = ID FORM" ]
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[3]}" = 141 ]
}

@test "-j 2: a copy that stops reading its share fails the run (141), nothing is lost silently" {
    seq 1 100000 | sed 's/.*/{"id":"&","text":"un deux trois"}/' > "$T/many.jsonl"
    config p '- name: src' '  exec: [cat, many.jsonl]' '- name: head' '  exec: [head, -n, 5]'
    run --separate-stderr crible run -c "$T/p.yaml" -j 2
    [ "$status" -eq 141 ]
    [[ "$stderr" == *"crible: stage 'head."?"' stopped reading its input before its end"* ]]
}

@test "exec stages run in the config file's folder" {
    mkdir -p "$T/sub"
    cp "$T/tok.awk" "$T/sub/"
    cp "$T/docs.jsonl" "$T/sub/"
    config sub/p '- name: src' '  exec: [cat, docs.jsonl]' '- name: tok' '  exec: [awk, -f, tok.awk]'
    cd /
    run --separate-stderr crible run -c "$T/sub/p.yaml" -q
    [ "$status" -eq 0 ]
    [[ "$output" == *"# newdoc id = d6"* ]]
}

@test "SIGINT stops every stage, their children too, and exits 130" {
    secs="60.$$$RANDOM"      # a sleep nobody else runs: its command line is the marker
    config p '- name: src' '  exec: [cat, docs.jsonl]' \
             '- name: slow' "  exec: [sh, -c, 'cat; sleep $secs; true']" \
             '- name: tok' '  exec: [awk, -f, tok.awk]'
    interrupt_run "$secs" -c "$T/p.yaml"
    [ "$status" -eq 130 ]
    grep -q "crible: interrupted" "$T/err"
    ! pgrep -f "sleep $secs"
}

@test "-j 3 gives each copy a share and the merge keeps documents whole" {
    seq 1 3000 | awk '{printf "{\"id\":\"d%d\",\"text\":\"mot%d un deux trois quatre\"}\n", $1, $1}' > "$T/many.jsonl"
    config p '- name: src' '  exec: [cat, many.jsonl]' \
             '- name: tok' '  exec: [awk, -f, tok.awk]' \
             '- name: slow' "  exec: [awk, '{ print; fflush() }']"
    run --separate-stderr crible run -c "$T/p.yaml" -q -j 1
    [ "$status" -eq 0 ]
    one=$output
    run --separate-stderr crible run -c "$T/p.yaml" -j 3
    [ "$status" -eq 0 ]
    three=$output
    [[ "$stderr" == *"tok "*"3"* ]]          # the summary counts 3 copies
    # One header, at the top.
    [ "$(grep -c '^# global.columns' <<< "$three")" -eq 1 ]
    [ "$(head -n 1 <<< "$three")" = "# global.columns = ID FORM" ]
    # Each document whole: its block is the same as with -j 1.
    doc_blocks() {
        grep -v -e '^# global.columns' -e '^# crible.version' |
            awk 'BEGIN{RS=""} /# newdoc/ {gsub(/\n/, "|"); print}' | sort
    }
    diff <(doc_blocks <<< "$one") <(doc_blocks <<< "$three")
    [ "$(doc_blocks <<< "$three" | wc -l)" -eq 3000 ]
}

@test "bad input passes through the runner unchanged: a 50 MB line, NUL bytes, invalid UTF-8, no input" {
    # The runner carries bytes, whatever they are; judging them is the stages' job.
    {
        printf '{"id":"small","text":"un"}\n'
        printf '{"id":"big","text":"'; head -c 50000000 /dev/zero | tr '\0' 'a'; printf '"}\n'
        printf '{"id":"nul","text":"a\0b"}\n'
        printf '{"id":"bad","text":"\xff\xfe"}\n'
        printf '{"id":"last","text":"fin"}'          # no final newline
    } > "$T/bad.jsonl"
    config p '- name: src' '  exec: [cat, bad.jsonl]' '- name: copy' '  exec: [cat]'
    for j in 1 2 3; do
        crible run -c "$T/p.yaml" -q -j "$j" > "$T/out.$j"
        cmp <(sort "$T/bad.jsonl") <(sort "$T/out.$j")
    done
    : > "$T/empty.jsonl"
    config e '- name: src' '  exec: [cat, empty.jsonl]' '- name: copy' '  exec: [cat]'
    run --separate-stderr crible run -c "$T/e.yaml" -j 2
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [[ "$stderr" == "crible: 0 documents"* ]]
}

@test "--print quotes for the shell; bash runs it to the same output" {
    config p '- name: src' '  exec: [cat, docs.jsonl]' \
             "- name: odd" "  exec: [awk, '{ print \$0 }  # it''s \"quoted\"']" \
             '- name: tok' '  exec: [awk, -f, tok.awk]'
    run --separate-stderr crible run -c "$T/p.yaml" --print
    [ "$status" -eq 0 ]
    [[ "$output" == *"it'\\''s"* ]]
    printed=$output
    run --separate-stderr crible run -c "$T/p.yaml" -q
    direct=$output
    cd /tmp
    run --separate-stderr bash -c "$printed"
    [ "$status" -eq 0 ]
    [ "$output" = "$direct" ]
}

@test "--print -j 2 uses GNU parallel and gives the same documents" {
    command -v parallel > /dev/null || skip "GNU parallel not installed"
    seq 1 500 | awk '{printf "{\"id\":\"d%d\",\"text\":\"a b c\"}\n", $1}' > "$T/many.jsonl"
    config p '- name: src' '  exec: [cat, many.jsonl]' '- name: tok' '  exec: [awk, -f, tok.awk]'
    run --separate-stderr crible run -c "$T/p.yaml" --print -j 2
    [[ "$output" == *"parallel --pipe --round-robin"*"-j 2"* ]]
    run --separate-stderr bash -c "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^# newdoc id' <<< "$output")" -eq 500 ]
}

# --- configuration errors: each with file:line:column, exit 3, nothing run ---

@test "config: an unknown key gets its line, column and a suggestion" {
    printf 'pipeline:\n  jobs: 2\n  stages: [read]\n  indx: x\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [ "$stderr" = "crible: $T/c.yaml:4:3: unknown key 'indx' in 'pipeline' (did you mean 'index'?)" ]
}

@test "config: an unknown section gets a suggestion" {
    printf 'tokenise:\n  fold_accents: true\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:1:1: unknown section 'tokenise' (did you mean 'tokenize'?)" ]]
}

@test "config: a wrong type is reported where it is" {
    printf 'pipeline:\n  stages: [read]\n  jobs: many\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:3:9: "* ]]
}

@test "config: an unknown stage name gets a suggestion" {
    printf 'pipeline:\n  index: x\n  stages:\n    - read\n    - tokenise\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [ "$stderr" = "crible: $T/c.yaml:5:7: unknown stage 'tokenise' (did you mean 'tokenize'?)" ]
}

@test "config: a program that does not exist is reported before anything starts" {
    printf 'pipeline:\n  stages:\n    - name: src\n      exec: [cat, /etc/hostname]\n    - name: x\n      exec: [no-such-program-here, -v]\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [ "$stderr" = "crible: $T/c.yaml:6:14: program 'no-such-program-here' not found on PATH" ]
    [ -z "$output" ]    # the first stage never ran
}

@test "config: a missing input path" {
    printf 'input:\n  paths: [here, nowhere]\npipeline:\n  stages:\n    - name: src\n      exec: [cat]\n' > "$T/c.yaml"
    mkdir "$T/here"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:2:17: input '$T/nowhere': No such file or directory"* ]]
}

@test "config: an unknown stemmer algorithm, asked of libstemmer" {
    printf 'stem:\n  algorithm: frensh\npipeline:\n  stages:\n    - name: src\n      exec: [cat]\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:2:14: "*"'frensh'"*"french"* ]]
}

@test "-o without an index stage is a usage error" {
    config p '- name: src' '  exec: [cat, docs.jsonl]'
    run --separate-stderr crible run -c "$T/p.yaml" -o "$T/idx"
    [ "$status" -eq 2 ]
    [[ "$stderr" == "crible: -o $T/idx: the pipeline of $T/p.yaml has no index stage"* ]]
    [ ! -e "$T/idx" ]
}

@test "config: broken YAML, a duplicate stage, exec with args, an empty list" {
    printf 'pipeline:\n  stages: [read\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:3:1: "* ]]
    printf 'pipeline:\n  stages:\n    - name: a\n      exec: [cat]\n    - name: a\n      exec: [cat]\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:5:13: stage 'a' appears twice (line 3)"* ]]
    printf 'pipeline:\n  stages:\n    - name: a\n      exec: [cat]\n      args: [-n]\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:5:13: 'args' is for named stages"* ]]
    printf 'pipeline:\n  stages: []\n' > "$T/c.yaml"
    run --separate-stderr crible run -c "$T/c.yaml"
    [ "$status" -eq 3 ]
    [[ "$stderr" == "crible: $T/c.yaml:2:11: 'stages' is empty"* ]]
}

@test "the shipped configurations are valid" {
    for s in read tokenize stem entities index; do
        [ -x "$CRIBLE_BIN/crible-$s" ] || skip "crible-$s not built yet"
    done
    configs="crible custom-stage"
    # Its input is the shared reviews: checked when they are there.
    [ -e "$DATA/reviews/reviews.jsonl" ] && configs="$configs reviews-jsonl"
    for c in $configs; do
        run --separate-stderr crible run -c "$CRIBLE_SRC/config/$c.yaml" --check
        [ "$status" -eq 0 ] || { echo "$c: $stderr"; false; }
    done
}

@test "crible query runs crible-query" {
    [ -x "$CRIBLE_BIN/crible-query" ] || skip "crible-query not built yet"
    run crible query --version
    [ "$output" = "$(crible-query --version)" ]
}
