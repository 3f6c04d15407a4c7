#!/usr/bin/env bash
# tests/tcp/fuzz.sh - TCP's input path under libFuzzer
# (tests/fuzz/tcp_input.c), briefly: built with clang
# -fsanitize=fuzzer,address,undefined with the whole runtime and the sim
# platform, run for a fixed number of inputs from a fixed seed, starting
# from a few real segments (SYN with every option, SYN-ACK, data with
# SACK).  A crash, a sanitizer report or a timeout fails it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-tcpfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-30000}
suite tcp-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
fuzz_runtime "$TMP" && built=1 || built=0
bin=$TMP/tcp_input
if [ $built = 0 ] || ! fuzz_link "$TMP" tests/fuzz/tcp_input.c "$bin"; then
    fail "fuzz target tcp_input builds with libFuzzer"
    exit 0
fi
: >"$LOG"
# Seeds: mode byte 3 (fix checksum, to port 80) then a TCP header.
mkdir -p "$TMP/corpus"
printf '\x03\x30\x39\x00\x50\x00\x00\x00\x01\x00\x00\x00\x00\xa0\x02\xff\xff\x00\x00\x00\x00\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x03\x03\x07' >"$TMP/corpus/syn"
printf '\x07\x30\x39\x00\x50\x00\x00\x00\x02\x00\x00\x00\x00\x80\x18\xff\xff\x00\x00\x00\x00\x01\x01\x05\x0a\x00\x00\x00\x10\x00\x00\x00\x20hello' >"$TMP/corpus/data"
if "$bin" -seed=1 -runs="$RUNS" -max_len=2048 -timeout=10 "$TMP/corpus" \
    >"$LOG" 2>&1; then
    ok "tcp_input: $RUNS fuzzed segments, no crash or sanitizer report"
else
    fail "tcp_input: fuzzing found a problem (see log)"
fi
