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

src="$(ls lib/core/*.c lib/core/*.S lib/dev/*.c lib/crypto/*.c lib/store/*.c \
    lib/net/*.c 2>/dev/null) $(ls platform/sim/*.c platform/host/*.c | grep -v start.c)"
FLAGS="-std=gnu11 -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=all -Iinclude -Iplatform -D_GNU_SOURCE"
mkdir -p "$TMP/obj"
for f in $src; do
    clang $FLAGS -fsanitize=fuzzer-no-link -c "$f" \
        -o "$TMP/obj/$(echo "$f" | tr / _).o" >>"$LOG" 2>&1 &
done
wait
built=1
for f in $src; do
    [ -f "$TMP/obj/$(echo "$f" | tr / _).o" ] || built=0
done
ar rcs "$TMP/lib.a" "$TMP"/obj/*.o 2>>"$LOG" || built=0
bin=$TMP/tcp_input
if [ $built = 0 ] || ! clang $FLAGS -fsanitize=fuzzer tests/fuzz/tcp_input.c \
    "$TMP/lib.a" -lm -o "$bin" >>"$LOG" 2>&1; then
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
