#!/usr/bin/env bash
# tests/http/fuzz.sh - lib/http's request parsers (tests/fuzz/http_request.c)
# and lib/tls's certificate and key decoding (tests/fuzz/tls_pem.c) under
# libFuzzer, briefly: built with clang -fsanitize=fuzzer,address,undefined
# with the whole runtime, run for a fixed number of inputs from a fixed
# seed, starting from real requests (plain, pipelined, chunked with
# trailers, smuggling shapes) and from real PEM files openssl makes here.
# A crash, a sanitizer report, a leak or a timeout fails it.  BearSSL's
# own objects (the rel build's, mk/tls.mk) are linked uninstrumented.
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

# ---- lib/tls: PEM certificates and keys ----------------------------------
BUILD=${BUILD:-build}
mkdir -p "$TMP/p"
seed() { # NAME CHAIN KEY: the two-byte split, then chain and key
    local n
    n=$(stat -c %s "$2")
    { printf "\\x$(printf %02x $((n >> 8)))\\x$(printf %02x $((n & 255)))"
      cat "$2" "$3"; } >"$TMP/p/$1"
}
if ! command -v openssl >/dev/null; then
    fail "tls_pem: seeds made by openssl" "needs: openssl"
    exit 0
fi
(cd "$TMP" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout ec.key -out ec.pem -days 1 -subj /CN=a.test &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.pem \
        -days 1 -subj /CN=b.test &&
    openssl ec -in ec.key -out ec-sec1.key &&
    openssl rsa -in rsa.key -traditional -out rsa-pkcs1.key) >>"$LOG" 2>&1
seed ec "$TMP/ec.pem" "$TMP/ec.key"
seed rsa "$TMP/rsa.pem" "$TMP/rsa.key"
seed sec1 "$TMP/ec.pem" "$TMP/ec-sec1.key"
seed pkcs1 "$TMP/rsa.pem" "$TMP/rsa-pkcs1.key"

bin=$TMP/tls_pem
mkdir -p "$TMP/tls"
tls_ok=1
for f in lib/tls/*.c; do
    # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of words
    clang $FUZZ_FLAGS -fsanitize=fuzzer-no-link -I"$BUILD/bearssl/src/inc" \
        -c "$f" -o "$TMP/tls/$(basename "$f" .c).o" >>"$LOG" 2>&1 || tls_ok=0
done
# shellcheck disable=SC2086
if [ $built = 0 ] || [ $tls_ok = 0 ] || ! clang $FUZZ_FLAGS -fsanitize=fuzzer \
    tests/fuzz/tls_pem.c "$TMP"/tls/*.o "$TMP/libfuzz.a" \
    "$BUILD"/rel/bearssl/*.o -lm -o "$bin" >>"$LOG" 2>&1; then
    fail "fuzz target tls_pem builds with libFuzzer"
    exit 0
fi
: >"$LOG"
if "$bin" -seed=1 -runs="$RUNS" -max_len=8192 -timeout=10 \
    -artifact_prefix="$TMP/" "$TMP/p" >"$LOG" 2>&1; then
    ok "tls_pem: $RUNS fuzzed inputs, no crash, leak or sanitizer report"
else
    fail "tls_pem: fuzzing found a problem (see log)"
fi
