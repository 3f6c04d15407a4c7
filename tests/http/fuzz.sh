#!/usr/bin/env bash
# tests/http/fuzz.sh - lib/http's request parsers (tests/fuzz/http_request.c)
# and lib/tls's certificate and key decoding (tests/fuzz/tls_pem.c) under
# libFuzzer, briefly: built with clang -fsanitize=fuzzer,address,undefined
# with the whole runtime, run for a fixed number of inputs from a fixed
# seed, starting from the seeds of tests/fuzz/targets.bash (real requests,
# smuggling shapes, real PEM files openssl makes here).  A crash, a
# sanitizer report, a leak or a timeout fails it.  BearSSL's own objects
# (the rel build's, mk/tls.mk) are linked uninstrumented.  `make fuzz-long`
# runs the same targets for longer.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
TMP=$(mktemp -d /tmp/atoll-httpfuzz.XXXXXX)
trap 'rm -rf "$TMP" "$LOG"' EXIT
RUNS=${ATOLL_FUZZ_RUNS:-50000}
suite http-fuzz
cd "$ROOT"
export BUILD=${BUILD:-build}

. "$ROOT/tests/fuzz/runtime.bash"
. "$ROOT/tests/fuzz/targets.bash"
fuzz_runtime "$TMP" && built=1 || built=0

for t in http_request tls_pem; do
    fuzz_short "$TMP" $t "$RUNS"
done
