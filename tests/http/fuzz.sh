#!/usr/bin/env bash
# tests/http/fuzz.sh - lib/http's request parsers under libFuzzer
# (tests/fuzz/http_request.c), briefly: built with clang
# -fsanitize=fuzzer,address,undefined with the whole runtime, run for a
# fixed number of inputs from a fixed seed, starting from real requests
# (plain, pipelined, chunked with trailers, smuggling shapes).  A crash, a
# sanitizer report, a leak or a timeout fails it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-httpfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-50000}
suite http-fuzz
cd "$ROOT"

. "$ROOT/tests/fuzz/runtime.bash"
fuzz_runtime "$TMP" && built=1 || built=0

mkdir -p "$TMP/c"
printf '\x03GET /a%%20b?x=1 HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n' >"$TMP/c/get"
printf '\x05POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x="y"\r\nhello\r\n0\r\nT: v\r\n\r\n' >"$TMP/c/chunked"
printf '\x01POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' >"$TMP/c/smuggle"
printf '\x07GET http://h/x HTTP/1.0\r\nConnection: keep-alive\r\nX: a\r\n b\r\n\r\n' >"$TMP/c/fold"

bin=$TMP/http_request
if [ $built = 0 ] || ! fuzz_link "$TMP" tests/fuzz/http_request.c "$bin"; then
    fail "fuzz target http_request builds with libFuzzer"
    exit 0
fi
: >"$LOG"
if "$bin" -seed=1 -runs="$RUNS" -max_len=4096 -timeout=10 \
    -artifact_prefix="$TMP/" "$TMP/c" >"$LOG" 2>&1; then
    ok "http_request: $RUNS fuzzed inputs, no crash, leak or sanitizer report"
else
    fail "http_request: fuzzing found a problem (see log)"
fi
