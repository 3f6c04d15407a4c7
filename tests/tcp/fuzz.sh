#!/usr/bin/env bash
# tests/tcp/fuzz.sh - TCP's input path under libFuzzer
# (tests/fuzz/tcp_input.c), briefly: built with clang
# -fsanitize=fuzzer,address,undefined with the whole runtime and the sim
# platform, run for a fixed number of inputs from a fixed seed, starting
# from a few real segments (SYN with every option, data with SACK;
# tests/fuzz/targets.bash).  A crash, a sanitizer report or a timeout
# fails it; the line says how many edges of the code the run reached.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-tcpfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-30000}
suite tcp-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
if ! fuzz_runtime "$TMP" || ! fuzz_build "$TMP" tcp_input; then
    fail "fuzz target tcp_input builds with libFuzzer"
    exit 0
fi
: >"$LOG"
fuzz_seeds tcp_input "$TMP/corpus"
if "$TMP/tcp_input" -seed=1 -runs="$RUNS" -max_len="$(fuzz_max_len tcp_input)" \
    -timeout=10 "$TMP/corpus" >"$LOG" 2>&1; then
    ok "tcp_input: $(fuzz_report "$LOG"), no crash or sanitizer report"
else
    fail "tcp_input: fuzzing found a problem (see log)"
fi
