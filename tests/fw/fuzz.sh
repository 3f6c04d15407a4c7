#!/usr/bin/env bash
# tests/fw/fuzz.sh - the firewall's parsers and packet paths under
# libFuzzer (tests/fuzz/fw_*.c), briefly: built with clang
# -fsanitize=fuzzer,address,undefined against the whole runtime, run for a
# fixed number of inputs from a fixed seed and the seeds of
# tests/fuzz/targets.bash.  A crash, a sanitizer report, a broken round
# trip or a timeout fails it.  `make fuzz-long` runs them for longer.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-fwfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-20000}
suite fw-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
fuzz_runtime "$TMP" && built=1 || built=0

for t in fw_rules fw_packet; do
    fuzz_short "$TMP" $t "$RUNS"
done
