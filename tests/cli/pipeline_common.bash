# Shared by the pipeline*.bats files (load pipeline_common after common).

# Starts `crible run ARGS...` in the background, waits until a process whose
# command line starts with "sleep SECS" runs (a stage reached its pause),
# checks that $ALSO_RUNNING (a pgrep -f pattern), if set, runs too, sends
# SIGINT to the runner and sets $status to the runner's exit status.  Its
# stderr is left in $T/err.
interrupt_run() {
    local secs=$1; shift
    crible run "$@" > "$T/out" 2> "$T/err" < /dev/null &
    local pid=$!
    for _ in $(seq 1 300); do pgrep -f "^sleep $secs" > /dev/null && break; sleep 0.1; done
    pgrep -f "^sleep $secs" > /dev/null || { cat "$T/err"; return 1; }
    [ -z "${ALSO_RUNNING:-}" ] || pgrep -f "$ALSO_RUNNING" > /dev/null ||
        { echo "not running: $ALSO_RUNNING"; return 1; }
    kill -INT "$pid"
    status=0
    wait "$pid" || status=$?
    # let the kernel finish tearing the grandchildren down (a loaded machine
    # may take a while; a process still there after 10 s is a real leak)
    for _ in $(seq 1 100); do pgrep -f "^sleep $secs" > /dev/null || break; sleep 0.1; done
}

# Writes FILE: the default stages on corpus/ with the index in idx (next to
# FILE), and one user stage NAME running EXEC (a YAML flow list) put before
# the stage BEFORE.
config_with() {
    local file=$1 before=$2 name=$3 exec=$4
    {
        printf 'input:\n  paths: [%s]\npipeline:\n  index: idx\n  stages:\n' "$CRIBLE_SRC/corpus"
        for s in read tokenize stem entities index; do
            [ "$s" = "$before" ] && printf '    - name: %s\n      exec: %s\n' "$name" "$exec"
            printf '    - %s\n' "$s"
        done
    } > "$file"
}

# Skips the test, saying why, unless every stage program is built and the
# analysis chain ends its stream with the end mark crible-index needs to
# commit (`# crible.end = N`, conllu.h).
need_pipeline() {
    local s
    for s in read tokenize stem entities index query; do
        [ -x "$CRIBLE_BIN/crible-$s" ] || skip "crible-$s not built yet"
    done
    printf 'Un essai.\n' > "$BATS_TEST_TMPDIR/probe.txt"
    crible-read "$BATS_TEST_TMPDIR/probe.txt" | crible-tokenize | crible-stem | crible-entities |
        tail -n 2 | grep -q '^# crible.end = 1$' ||
        skip "the stream crible-entities writes has no end mark yet: crible-index would not commit"
}

# Writes FILE: the configuration SRC with `fuse: false` under `pipeline:`
# (one process per stage, not crible-read | crible-index --analyze).  Its
# relative paths would start from FILE's folder: give the runner the input
# PATH and -o DIR.
unfused_config() {
    sed 's/^pipeline:.*/pipeline:\n  fuse: false/' "$1" > "$2"
    grep -q '^  fuse: false' "$2"
}
