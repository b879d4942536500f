# Shared by every bats file: where the programs and the data are.
#   load common
# CRIBLE_BIN, CRIBLE_SRC, CRIBLE_SHARED come from ctest (tests/CMakeLists.txt);
# defaults let `bats tests/cli/x.bats` work from the source tree after a build.
: "${CRIBLE_SRC:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${CRIBLE_BIN:=$CRIBLE_SRC/build/bin}"
: "${CRIBLE_TOOLS:=$CRIBLE_SRC/build/tests}"
: "${CRIBLE_SHARED:=$CRIBLE_SRC/../shared}"
: "${CRIBLE_DATA:=$CRIBLE_SRC/config}"
export CRIBLE_DATA NO_COLOR=1
PATH="$CRIBLE_BIN:$PATH"

# Every program crible installs (help-version and write-error tests loop on it).
CRIBLE_PROGRAMS="crible-read crible-tokenize crible-stem crible-entities crible-index crible-query crible"

SEED="$CRIBLE_SHARED/seed/article.txt"
DATA="$CRIBLE_SHARED/data"

# Skips the test, saying why, when ../shared (or one file of it) is absent.
need_shared() {
    local f="${1:-$SEED}"
    [ -e "$f" ] || skip "shared data absent: $f (see README: Test data)"
}

