#!/usr/bin/env bash
# tests/tcp/interop.sh - TCP (unix target) against the Linux kernel's
# stack: examples/echo on the tap device with Linux connecting to it (20 MB
# through socat each way, verified by checksum; Linux closes first), and
# examples/fetch connecting from the unikernel to Linux servers (Linux
# closes first; the unikernel closes first), a connect to a closed port
# answered with RST on both sides, and a tshark capture showing window
# scaling, SACK and timestamps negotiated with Linux.
#
# Everything happens in a network namespace this test creates and always
# deletes: the kernel side of tap0 there is 198.18.0.1/24 (echo runs as
# 198.18.0.2), of tap1 198.18.1.1/24 (fetch runs as 198.18.1.2).  No
# traffic leaves the namespace.
# (The hvt target is not covered yet.)
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-tcpinterop.XXXXXX)
NS=atoll-n2-$$
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite tcp-interop

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip socat tshark sha256sum; do
    command -v $c >/dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
    skip "TCP interop with Linux" "needs:$missing"
    exit 0
fi
nsx() { ip netns exec "$NS" "$@"; }

setup() {
    ip netns add "$NS" &&
        ip -n "$NS" link set lo up &&
        ip -n "$NS" tuntap add dev tap0 mode tap &&
        ip -n "$NS" addr add 198.18.0.1/24 dev tap0 &&
        ip -n "$NS" link set tap0 up &&
        ip -n "$NS" tuntap add dev tap1 mode tap &&
        ip -n "$NS" addr add 198.18.1.1/24 dev tap1 &&
        ip -n "$NS" link set tap1 up
}
t "a namespace with tap devices at 198.18.0.1/24 and 198.18.1.1/24" setup

build() { # EXAMPLE
    mkdir -p "$TMP/$1"
    cp "$ROOT/examples/$1/atoll.manifest" "$ROOT/examples/$1"/*.c "$TMP/$1/"
    "$ATOLL" -C "$TMP/$1" configure -t unix && "$ATOLL" -C "$TMP/$1" build
}
t "examples/echo builds for unix" build echo
t "examples/fetch builds for unix" build fetch

# A capture of the handshakes, for the option check at the end.
nsx tshark -q -i tap0 -i tap1 -f "tcp[tcpflags] & tcp-syn != 0" -w "$TMP/syn.pcap" \
    >/dev/null 2>&1 &
PIDS="$PIDS $!"

nsx "$TMP/echo/_build/echo" --net:service=tap0 -- --ipv4=198.18.0.2/24 \
    >"$TMP/echo.log" 2>&1 &
EPID=$!
PIDS="$PIDS $EPID"
up() {
    for _ in $(seq 50); do
        grep -q "echo: port 7" "$TMP/echo.log" && return 0
        sleep 0.1
    done
    cat "$TMP/echo.log"
    return 1
}
t "the echo unikernel starts on the tap device" up
sleep 1 # the capture is listening

echo_small() {
    local got
    got=$(echo "hello tcp" | nsx timeout 10 socat -T 5 - TCP:198.18.0.2:7)
    [ "$got" = "hello tcp" ] || { echo "got '$got'"; return 1; }
}
t "Linux connects to the unikernel: TCP echo of a line" echo_small

echo_big() { # 20 MB to the unikernel and back; Linux closes first
    local t0=$(date +%s%N)
    head -c $((20 * 1024 * 1024)) /dev/urandom >"$TMP/in"
    nsx timeout 120 socat -T 20 -b 65536 - TCP:198.18.0.2:7 \
        <"$TMP/in" >"$TMP/out" || return 1
    [ "$(sha256sum <"$TMP/in")" = "$(sha256sum <"$TMP/out")" ] ||
        { ls -l "$TMP/in" "$TMP/out"; return 1; }
    echo "took $((($(date +%s%N) - t0) / 1000000)) ms" >&2
}
t "20 MB echoed through socat both ways, checksum verified" echo_big

refused_linux() { # nothing listens on port 9: RST, Linux sees refused
    local out
    out=$(echo x | nsx timeout 5 socat -T 2 - TCP:198.18.0.2:9 2>&1)
    echo "$out"
    echo "$out" | grep -qi "refused"
}
t "Linux connecting to a closed port of the unikernel gets RST" refused_linux

alive() { kill -0 "$EPID"; }
t "the echo unikernel is still running" alive

# ---- the unikernel as client ------------------------------------------------
fetch() { # ARGS...: run fetch as 198.18.1.2 on tap1
    nsx timeout 30 "$TMP/fetch/_build/fetch" --net:net=tap1 -- \
        --ipv4=198.18.1.2/24 --host=198.18.1.1 "$@"
}

fetch_linux_closes() {
    printf 'HTTP/1.0 200 OK\r\n\r\nanswer from linux\n' >"$TMP/resp"
    nsx timeout 20 socat -T 10 TCP-LISTEN:8080,bind=198.18.1.1,reuseaddr \
        SYSTEM:"head -n 1 >$TMP/req; cat $TMP/resp" &
    local spid=$!
    sleep 0.5
    local out
    out=$(fetch --port=8080 --request="GET /hello HTTP/1.0")
    wait $spid
    echo "$out"
    echo "$out" | grep -q "answer from linux" &&
        grep -q "GET /hello HTTP/1.0" "$TMP/req"
}
t "the unikernel connects to a Linux server (fetch vs socat), Linux closes first" \
    fetch_linux_closes

fetch_uk_closes() { # the server answers only after the unikernel's FIN
    nsx timeout 20 socat -T 10 TCP-LISTEN:8081,bind=198.18.1.1,reuseaddr \
        SYSTEM:"cat >$TMP/req2; echo got-your-fin" &
    local spid=$!
    sleep 0.5
    local out
    out=$(fetch --port=8081 --request=bye --half_close)
    wait $spid
    echo "$out"
    echo "$out" | grep -q "got-your-fin" && grep -qx "bye" "$TMP/req2"
}
t "the unikernel closes first (half-close), then reads Linux's answer" \
    fetch_uk_closes

fetch_refused() {
    local out
    out=$(fetch --port=8099 --request=x 2>&1)
    echo "$out"
    echo "$out" | grep -qi "refused"
}
t "the unikernel connecting to a closed Linux port gets RST (refused)" \
    fetch_refused

# ---- what was negotiated ------------------------------------------------------------
sleep 1
for p in $PIDS; do kill -INT "$p" 2>/dev/null; done
sleep 1
options() {
    # Every SYN and SYN-ACK to or from the unikernel carries window
    # scale, SACK-permitted and timestamps.
    tshark -r "$TMP/syn.pcap" -Y "tcp.flags.syn==1 && (ip.addr==198.18.0.2 || ip.addr==198.18.1.2)" \
        -T fields -e ip.src -e tcp.flags.ack -e tcp.options.wscale.shift \
        -e tcp.options.sack_perm -e tcp.options.timestamp.tsval \
        >"$TMP/opts" 2>/dev/null
    cat "$TMP/opts"
    local n
    n=$(wc -l <"$TMP/opts")
    [ "$n" -ge 4 ] || return 1
    # every line: 5 non-empty fields
    ! awk -F'\t' 'NF < 5 || $3 == "" || $4 == "" || $5 == "" {bad=1} END {exit !bad}' "$TMP/opts" &&
        grep -q "^198.18.0.2" "$TMP/opts" && grep -q "^198.18.0.1" "$TMP/opts" &&
        grep -q "^198.18.1.2" "$TMP/opts" && grep -q "^198.18.1.1" "$TMP/opts"
}
t "tshark: window scaling, SACK and timestamps negotiated with Linux" options
