#!/usr/bin/env bash
# tests/dns/fuzz.sh - the DNS message parsers (resolver and server side),
# the DHCP reply checker and the zone-file parser under libFuzzer
# (tests/fuzz/dns_message.c, dhcp_packet.c, zone_parse.c), briefly: built
# with clang -fsanitize=fuzzer,address,undefined with the whole runtime
# and the sim platform, run for a fixed number of inputs from a fixed
# seed, starting from a few real messages (tests/fuzz/targets.bash).  A
# crash, a sanitizer report, a leak or a timeout fails it; each line says
# how many edges of the code the run reached.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-dnsfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-20000}
suite dns-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
fuzz_runtime "$TMP" && built=1 || built=0

for target in dns_message dhcp_packet zone_parse; do
    if [ $built = 0 ] || ! fuzz_build "$TMP" $target; then
        fail "fuzz target $target builds with libFuzzer"
        continue
    fi
    : >"$LOG"
    fuzz_seeds $target "$TMP/c-$target"
    if "$TMP/$target" -seed=1 -runs="$RUNS" -max_len="$(fuzz_max_len $target)" \
        -timeout=10 -artifact_prefix="$TMP/" "$TMP/c-$target" \
        >"$LOG" 2>&1; then
        ok "$target: $(fuzz_report "$LOG"), no crash, leak or sanitizer report"
    else
        fail "$target: fuzzing found a problem (see log)"
    fi
done
