#!/usr/bin/env bash
# tests/net/fuzz.sh - the Ethernet, ARP, IPv4, ICMP, UDP, IPv6 (header
# chain), ICMPv6 and Neighbor Discovery input paths
# under libFuzzer (tests/fuzz/net_*.c), briefly: each target is built with
# clang -fsanitize=fuzzer,address,undefined together with the whole
# runtime and the sim platform, and run for a fixed number of inputs from
# a fixed seed and a few real packets (tests/fuzz/targets.bash).  A crash,
# a sanitizer report or a timeout fails it; each line says how many
# edges of the code the run reached.  `make fuzz-long` runs them for
# longer.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-netfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-20000}
suite net-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
fuzz_runtime "$TMP" && built=1 || built=0

for t in net_eth net_arp net_ipv4 net_icmp net_udp net_ipv6 net_icmpv6 net_nd; do
    if [ $built = 0 ] || ! fuzz_build "$TMP" $t; then
        fail "fuzz target $t builds with libFuzzer"
        continue
    fi
    : >"$LOG"
    fuzz_seeds $t "$TMP/corpus_$t"
    if "$TMP/$t" -seed=1 -runs="$RUNS" -max_len="$(fuzz_max_len $t)" \
        -timeout=10 "$TMP/corpus_$t" >"$LOG" 2>&1; then
        ok "$t: $(fuzz_report "$LOG"), no crash or sanitizer report"
    else
        fail "$t: fuzzing found a problem (see log)"
    fi
    : >"$LOG"
done
