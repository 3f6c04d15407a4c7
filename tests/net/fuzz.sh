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

# The library as it stands: TCP's real hooks if present, else the stub.
net_src=$(ls lib/net/*.c)
if [ -f lib/net/tcp_stub.c ]; then
    net_src=$(ls lib/net/*.c | grep -v '/tcp_' ; echo lib/net/tcp_stub.c)
fi
src="$(ls lib/core/*.c lib/core/*.S lib/dev/*.c lib/crypto/*.c lib/store/*.c \
    2>/dev/null) $net_src $(ls platform/sim/*.c platform/host/*.c | grep -v start.c)"
FLAGS="-std=gnu11 -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=all -Iinclude -Iplatform -D_GNU_SOURCE"

# The library once, as an archive (so only what the targets use is linked:
# boot.c's atoll_app, for one, is an application's).
mkdir -p "$TMP/obj"
built=1
for f in $src; do
    o=$TMP/obj/$(echo "$f" | tr / _).o
    clang $FLAGS -fsanitize=fuzzer-no-link -c "$f" -o "$o" >>"$LOG" 2>&1 &
done
wait
for f in $src; do
    [ -f "$TMP/obj/$(echo "$f" | tr / _).o" ] || built=0
done
ar rcs "$TMP/libnet.a" "$TMP"/obj/*.o 2>>"$LOG" || built=0

for t in eth arp ipv4 icmp udp; do
    bin=$TMP/net_$t
    if [ $built = 0 ] || ! clang $FLAGS -fsanitize=fuzzer tests/fuzz/net_$t.c "$TMP/libnet.a" \
        -lm -o "$bin" >>"$LOG" 2>&1; then
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
