#!/usr/bin/env bash
# tests/net/interop.sh - examples/echo against the Linux kernel's own
# stack, once per target (suite net-interop for unix, net-interop-hvt for
# hvt, where the unikernel is a KVM guest under bin/atoll-hvt): ping (56
# bytes, -s 4000 and -s 30000, fragmented both ways), UDP echo through
# socat (short and fragmented datagrams, verified by checksum) and ICMP
# port unreachable seen by Linux as "connection refused".
#
# Everything happens in a network namespace this test creates (one per
# target) and always deletes: the kernel side of a tap device there is
# 198.18.0.1/24, the unikernel runs inside the namespace as 198.18.0.2.  No
# traffic leaves it.  How each target builds and starts is in
# tests/net/targets.bash; INTEROP_TARGETS="unix" (say) runs fewer.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-netinterop.XXXXXX)
NSES=""
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

need() { # what is missing, for the skip message
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip ping socat; do command -v $c >/dev/null || m="$m $c"; done
    echo "$m"
}

# ---- the namespace and the unikernel ------------------------------------
setup() { ns_setup tap0=198.18.0.1/24; }
up() { wait_echo "$W/uk.log"; }

# ---- ping --------------------------------------------------------------------
ping_all() { # ARGS...: every echo request answered
    nsx ping -i 0.2 -W 2 "$@" 198.18.0.2
}

# ---- UDP echo ------------------------------------------------------------------
udp_short() {
    local got
    got=$(echo "hello atoll" | nsx timeout 5 socat -T 2 - UDP:198.18.0.2:7)
    [ "$got" = "hello atoll" ] || { echo "got '$got'"; return 1; }
}

udp_big() { # SIZE: one datagram of random bytes, echoed, same checksum
    head -c "$1" /dev/urandom >"$W/udp.in"
    nsx timeout 5 socat -T 2 -b 65536 - UDP:198.18.0.2:7 \
        <"$W/udp.in" >"$W/udp.out" || return 1
    [ "$(sha256sum <"$W/udp.in")" = "$(sha256sum <"$W/udp.out")" ] ||
        { ls -l "$W/udp.in" "$W/udp.out"; return 1; }
}

udp_refused() { # nothing on port 9: ICMP port unreachable
    local out
    out=$(echo x | nsx timeout 5 socat -T 2 - UDP:198.18.0.2:9 2>&1)
    echo "$out"
    echo "$out" | grep -qi "refused"
}

alive() { kill -0 "$PID"; }

stop() { # the unikernel of this target, before the next one starts
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
}

run_target() { # TARGET: every check, on its own namespace
    local target=$1
    NS=atoll-n1-$target-$$
    W=$TMP/$target
    mkdir -p "$W"
    NSES="$NSES $NS"
    t "a namespace with a tap device at 198.18.0.1/24" setup

    t "examples/echo builds for $target" \
        uk_build "$target" "$ROOT/examples/echo" "$W/echo"
    uk_cmd "$target" "$W/echo/_build/echo" service tap0 --ipv4=198.18.0.2/24
    # Not through the function nsx: a backgrounded function is a subshell,
    # and $! would be that shell, not the unikernel to stop.
    ip netns exec "$NS" "${UK[@]}" >"$W/uk.log" 2>&1 &
    PID=$!
    t "the unikernel starts on the tap device" up

    t "ping (56 bytes) gets every reply" ping_all -c 3
    t "ping -s 4000 (fragmented both ways) gets every reply" \
        ping_all -c 3 -s 4000
    t "ping -s 30000 gets every reply" ping_all -c 2 -s 30000

    t "UDP echo through socat returns the datagram" udp_short
    t "UDP echo of a 1400-byte datagram, checksum verified" udp_big 1400
    t "UDP echo of an 8000-byte datagram (fragmented), checksum verified" \
        udp_big 8000
    t "UDP to a closed port: Linux sees ICMP port unreachable (refused)" \
        udp_refused

    t "the unikernel is still running afterwards" alive
    # A tender whose tap is deleted under it stops the guest with a tender
    # error naming the device (it used to spin on the tap's error).
    if [ "$target" != unix ]; then
        t "deleting the tap stops the tender: status 113, device named" \
            tap_deleted
        PID=
    fi
    stop
    ip netns del "$NS" 2>/dev/null
}

tap_deleted() {
    ip -n "$NS" link del tap0 || return 1
    local i
    for i in $(seq 100); do alive 2>/dev/null || break; sleep 0.1; done
    wait "$PID"
    local st=$?
    [ "$st" -eq 113 ] &&
        grep -q "net device 'service': tap 'tap0' is gone" "$W/uk.log"
}

missing=$(need)
for target in $INTEROP_TARGETS; do
    if [ "$target" = unix ]; then suite net-interop; else suite "net-interop-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "interop with Linux ($target)" "$m"
        continue
    fi
    run_target "$target"
done
