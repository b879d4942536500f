# peers_env.sh - sourced by the benchmarks that drive ../shared/bench/peers
# (index.sh, query.sh): sets SRC (the repository), SHARED (../shared or
# $CRIBLE_SHARED) and BUILD ($CRIBLE_BUILD, else build/), and skips
# (exit 77, saying so) when the peers' harness is absent.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${CRIBLE_SHARED:-$SRC/../shared}
BUILD=${CRIBLE_BUILD:-$SRC/build}
if [ ! -x "$SHARED/bench/peers/run" ]; then
    echo "skipped: $SHARED/bench/peers absent (see README: Test data)"
    exit 77
fi
