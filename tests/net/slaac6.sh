#!/usr/bin/env bash
# tests/net/slaac6.sh - SLAAC of examples/echo from a Linux router running
# radvd (Debian's), once per target (suites net-slaac6 for unix,
# net-slaac6-spt, -hvt).  The unikernel starts with no IPv6 address
# given, so it configures itself (RFC 4862): it must form
# 2001:db8:5a::IID from radvd's prefix, take Linux as its default router
# with the advertised MTU of 1400, answer ping -6 at that address, answer
# one from an off-link source (2001:db8:5b::1 on the namespace's
# loopback: the reply must go through the router it learnt), and answer a
# 1400-byte echo (its reply fragmented to the advertised MTU).  The
# namespace, with forwarding on so that radvd advertises a default route,
# is created here and always deleted; no traffic leaves it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-slaac6.XXXXXX)
NSES=""
PID=
RADVD=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    [ -n "$RADVD" ] && kill "$RADVD" 2>/dev/null && wait "$RADVD" 2>/dev/null
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

need() {
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip ping radvd; do command -v $c >/dev/null || m="$m $c"; done
    echo "$m"
}

setup() {
    ns_setup tap0=198.18.0.1/24 &&
        ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
        ip -n "$NS" addr add 2001:db8:5a::1/64 dev tap0 nodad &&
        ip -n "$NS" addr add 2001:db8:5b::1/128 dev lo
}

radvd_start() { # CONF
    cat >"$1" <<'CONF'
interface tap0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvDefaultLifetime 600;
    AdvLinkMTU 1400;
    prefix 2001:db8:5a::/64 {
        AdvOnLink on;
        AdvAutonomous on;
    };
};
CONF
    ip netns exec "$NS" radvd -n -m stderr -C "$1" -p "$W/radvd.pid" \
        >"$W/radvd.log" 2>&1 &
    RADVD=$!
    sleep 0.5
    kill -0 "$RADVD" || { cat "$W/radvd.log"; return 1; }
}

# Linux's link-local address on tap0: what radvd advertises from.
router_ll() {
    ip -n "$NS" -6 addr show dev tap0 scope link |
        sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -n 1
}

ping6_ok() { # ARGS...: three echoes, every one answered
    ip netns exec "$NS" ping -6 -i 0.2 -c 3 -W 2 "$@"
}

run_target() {
    local target=$1
    NS=atoll-slaac-$target-$$
    W=$TMP/$target
    mkdir -p "$W"
    NSES="$NSES $NS"
    t "a namespace with a tap device, forwarding on" setup
    t "examples/echo builds for $target" \
        uk_build "$target" "$ROOT/examples/echo" "$W/echo"
    uk_cmd "$target" "$W/echo/_build/echo" service tap0 --ipv4=198.18.0.2/24
    ip netns exec "$NS" "${UK[@]}" >"$W/uk.log" 2>&1 &
    PID=$!
    t "the unikernel starts on the tap device" wait_echo "$W/uk.log"
    t "radvd starts in the namespace" radvd_start "$W/radvd.conf"
    local addr
    addr=2001:db8:5a:0:$(uk_ipv6_iid "$W/uk.log")
    t "the unikernel forms $addr from radvd's prefix" \
        wait_line "$W/uk.log" "ipv6 $addr/64" 20
    t "it takes Linux ($(router_ll)) as its router, with MTU 1400" \
        wait_line "$W/uk.log" "ipv6 router $(router_ll), mtu 1400" 1
    t "ping -6 of its SLAAC address gets every reply" ping6_ok "$addr"
    t "ping -6 from an off-link source gets every reply (via the router)" \
        ping6_ok -I 2001:db8:5b::1 "$addr"
    t "ping -6 -s 1400 gets every reply (fragmented to the MTU of 1400)" \
        ping6_ok -s 1400 "$addr"
    t "the unikernel is still running afterwards" kill -0 "$PID"
    kill "$PID" "$RADVD" 2>/dev/null
    wait "$PID" "$RADVD" 2>/dev/null
    PID=
    RADVD=
    ip netns del "$NS" 2>/dev/null
}

missing=$(need)
for target in $INTEROP_TARGETS; do
    if [ "$target" = unix ]; then suite net-slaac6; else suite "net-slaac6-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "SLAAC from radvd ($target)" "$m"
        continue
    fi
    run_target "$target"
done
