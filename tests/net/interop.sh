#!/usr/bin/env bash
# tests/net/interop.sh - examples/echo (unix target) against the Linux
# kernel's own stack: ping (56 bytes, -s 4000 and -s 30000, fragmented
# both ways), UDP echo through socat (short and fragmented datagrams,
# verified by checksum) and ICMP port unreachable seen by Linux as
# "connection refused".
#
# Everything happens in a network namespace this test creates and always
# deletes: the kernel side of a tap device there is 198.18.0.1/24, the
# unikernel runs inside the namespace as 198.18.0.2.  No traffic leaves it.
# (The same for the hvt target, when KVM is there, is still to come.)
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-netinterop.XXXXXX)
NS=atoll-n1-$$
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite net-interop

need() { # what is missing, for the skip message
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip ping socat; do command -v $c >/dev/null || m="$m $c"; done
    echo "$m"
}
missing=$(need)
if [ -n "$missing" ]; then
    skip "interop with Linux" "needs:$missing"
    exit 0
fi

# ---- the namespace and the unikernel ------------------------------------
setup() {
    ip netns add "$NS" &&
        ip -n "$NS" link set lo up &&
        ip -n "$NS" tuntap add dev tap0 mode tap &&
        ip -n "$NS" addr add 198.18.0.1/24 dev tap0 &&
        ip -n "$NS" link set tap0 up
}
t "a namespace with a tap device at 198.18.0.1/24" setup

mkdir -p "$TMP/echo"
cp "$ROOT"/examples/echo/atoll.manifest "$ROOT"/examples/echo/*.c "$TMP/echo/"
t "examples/echo builds for unix" \
    bash -c "'$ATOLL' -C '$TMP/echo' configure -t unix && '$ATOLL' -C '$TMP/echo' build"

ip netns exec "$NS" "$TMP/echo/_build/echo" --net:service=tap0 -- \
    --ipv4=198.18.0.2/24 >"$TMP/uk.log" 2>&1 &
PID=$!
up() {
    for _ in $(seq 50); do
        grep -q "echo: port 7" "$TMP/uk.log" && return 0
        sleep 0.1
    done
    cat "$TMP/uk.log"
    return 1
}
t "the unikernel starts on the tap device" up

nsx() { ip netns exec "$NS" "$@"; }

# ---- ping --------------------------------------------------------------------
t "ping (56 bytes) gets every reply" \
    nsx ping -c 3 -i 0.2 -W 2 198.18.0.2
t "ping -s 4000 (fragmented both ways) gets every reply" \
    nsx ping -c 3 -i 0.2 -W 2 -s 4000 198.18.0.2
t "ping -s 30000 gets every reply" \
    nsx ping -c 2 -i 0.2 -W 2 -s 30000 198.18.0.2

# ---- UDP echo ------------------------------------------------------------------
udp_short() {
    local got
    got=$(echo "hello atoll" | nsx timeout 5 socat -T 2 - UDP:198.18.0.2:7)
    [ "$got" = "hello atoll" ] || { echo "got '$got'"; return 1; }
}
t "UDP echo through socat returns the datagram" udp_short

udp_big() { # SIZE: one datagram of random bytes, echoed, same checksum
    head -c "$1" /dev/urandom >"$TMP/udp.in"
    nsx timeout 5 socat -T 2 -b 65536 - UDP:198.18.0.2:7 \
        <"$TMP/udp.in" >"$TMP/udp.out" || return 1
    [ "$(sha256sum <"$TMP/udp.in")" = "$(sha256sum <"$TMP/udp.out")" ] ||
        { ls -l "$TMP/udp.in" "$TMP/udp.out"; return 1; }
}
t "UDP echo of a 1400-byte datagram, checksum verified" udp_big 1400
t "UDP echo of an 8000-byte datagram (fragmented), checksum verified" \
    udp_big 8000

udp_refused() { # nothing on port 9: ICMP port unreachable
    local out
    out=$(echo x | nsx timeout 5 socat -T 2 - UDP:198.18.0.2:9 2>&1)
    echo "$out"
    echo "$out" | grep -qi "refused"
}
t "UDP to a closed port: Linux sees ICMP port unreachable (refused)" \
    udp_refused

alive() { kill -0 "$PID"; }
t "the unikernel is still running afterwards" alive
