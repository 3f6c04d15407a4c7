#!/usr/bin/env bash
# tests/net/fuzz.sh - the Ethernet, ARP, IPv4, ICMP and UDP input paths
# under libFuzzer (tests/fuzz/net_*.c), briefly: each target is built with
# clang -fsanitize=fuzzer,address,undefined together with the whole
# runtime and the sim platform, and run for a fixed number of inputs from
# a fixed seed.  A crash, a sanitizer report or a timeout fails it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-netfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-20000}
suite net-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
fuzz_runtime "$TMP" && built=1 || built=0

for t in eth arp ipv4 icmp udp; do
    bin=$TMP/net_$t
    if [ $built = 0 ] || ! fuzz_link "$TMP" "tests/fuzz/net_$t.c" "$bin"; then
        fail "fuzz target net_$t builds with libFuzzer"
        continue
    fi
    : >"$LOG"
    mkdir -p "$TMP/corpus_$t"
    if "$bin" -seed=1 -runs="$RUNS" -max_len=4096 -timeout=10 \
        "$TMP/corpus_$t" >"$LOG" 2>&1; then
        ok "net_$t: $RUNS fuzzed inputs, no crash or sanitizer report"
    else
        fail "net_$t: fuzzing found a problem (see log)"
    fi
    : >"$LOG"
done
