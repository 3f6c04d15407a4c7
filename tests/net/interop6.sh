#!/usr/bin/env bash
# tests/net/interop6.sh - IPv6 of examples/echo against the Linux kernel,
# once per target (suites net-interop6 for unix, net-interop6-spt, -hvt):
# ping -6 of the unikernel's link-local address (made from its MAC) and
# of its static address 2001:db8:12::2, and from an off-link source on
# the namespace's loopback (the reply must go to
# --ipv6-gateway=2001:db8:12::1, Linux); Linux's neighbour entry for it
# reaching REACHABLE; 4000- and 30000-byte echoes (fragmented both ways:
# reassembly and fragmentation on send); UDP echo over IPv6 through socat
# (1200 and 8000 bytes, hash checked) and port unreachable over ICMPv6;
# TCP over IPv6: 20 MB echoed through socat (hash checked; in
# segmentation and receive offload frames both ways, on every target), a closed port
# refused with RST, examples/website answering curl -6, its log naming
# the client [2001:db8:12::1]:port, and examples/fetch (dual-stack)
# connecting to a Linux server over IPv6.
# The namespace (kernel side of the tap 2001:db8:12::1/64 and
# 198.18.0.1/24) is created here and always deleted; no traffic leaves it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-netinterop6.XXXXXX)
NSES=""
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

need() {
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip ping socat curl sha256sum; do command -v $c >/dev/null || m="$m $c"; done
    echo "$m"
}

setup() {
    ns_setup tap0=198.18.0.1/24 &&
        ip -n "$NS" addr add 2001:db8:12::1/64 dev tap0 nodad &&
        ip -n "$NS" addr add 2001:db8:99::1/128 dev lo
}

ping6_until() { # [PING ARGS...] ADDR: answered within 5 s (DAD takes 1 s)
    for _ in $(seq 10); do
        ip netns exec "$NS" ping -6 -c 1 -W 1 "$@" >/dev/null 2>&1 && break
    done
    ip netns exec "$NS" ping -6 -i 0.2 -c 3 -W 2 "$@"
}

# SIZE: Linux sends the echo in fragments, the unikernel reassembles it
# and sends the reply in fragments; ping checks the reply's data.
ping6_big() {
    local out
    out=$(ip netns exec "$NS" ping -6 -s "$1" -i 0.2 -c 3 -W 2 \
        2001:db8:12::2 2>&1)
    echo "$out"
    grep -q " 0% packet loss" <<<"$out" && ! grep -qi "wrong data" <<<"$out"
}

# SIZE: one datagram of random bytes to [2001:db8:12::2]:7 through socat,
# echoed by the unikernel's UDP service, the same hash back.
udp6_echo() {
    head -c "$1" /dev/urandom >"$W/udp.in"
    ip netns exec "$NS" timeout 5 socat -T 2 -b 65536 - \
        "UDP6:[2001:db8:12::2]:7" <"$W/udp.in" >"$W/udp.out" || return 1
    [ "$(sha256sum <"$W/udp.in")" = "$(sha256sum <"$W/udp.out")" ] ||
        { ls -l "$W/udp.in" "$W/udp.out"; return 1; }
}

udp6_refused() { # nothing on port 9: ICMPv6 port unreachable
    local out
    out=$(echo x | ip netns exec "$NS" timeout 5 socat -T 2 - \
        "UDP6:[2001:db8:12::2]:9" 2>&1)
    echo "$out"
    grep -qi "refused" <<<"$out"
}

tcp6_echo() { # 20 MB to [2001:db8:12::2]:7 and back; Linux closes first
    local t0
    t0=$(date +%s%N)
    head -c $((20 * 1024 * 1024)) /dev/urandom >"$W/tcp.in"
    ip netns exec "$NS" timeout 120 socat -T 20 -b 65536 - \
        "TCP6:[2001:db8:12::2]:7" <"$W/tcp.in" >"$W/tcp.out" || return 1
    [ "$(sha256sum <"$W/tcp.in")" = "$(sha256sum <"$W/tcp.out")" ] ||
        { ls -l "$W/tcp.in" "$W/tcp.out"; return 1; }
    echo "took $((($(date +%s%N) - t0) / 1000000)) ms" >&2
}

tcp6_refused() { # nothing on port 9: RST over IPv6, Linux sees refused
    local out
    out=$(echo x | ip netns exec "$NS" timeout 5 socat -T 2 - \
        "TCP6:[2001:db8:12::2]:9" 2>&1)
    echo "$out"
    grep -qi "refused" <<<"$out"
}

curl6() { # examples/website's hello.txt over IPv6, within 5 s (DAD)
    local out
    for _ in $(seq 10); do
        out=$(ip netns exec "$NS" curl -6 -s --max-time 2 \
            "http://[2001:db8:12::2]/hello.txt") && break
        sleep 0.5
    done
    [ "$out" = "$(cat "$ROOT/examples/website/site/hello.txt")" ] ||
        { echo "got '$out'"; return 1; }
}

fetch6() { # examples/fetch to [2001:db8:12::1]:8086 (socat), over IPv6
    ip netns exec "$NS" timeout 20 socat -T 10 \
        TCP6-LISTEN:8086,bind=[2001:db8:12::1],reuseaddr \
        SYSTEM:"head -n 1 >$W/req6; echo answer over ipv6" &
    local spid=$! out
    wait_listen 8086 || return 1
    uk_cmd "$TARGET" "$W/fetch/_build/fetch" net tap0 \
        --ipv4=198.18.0.2/24 --ipv6=2001:db8:12::2/64 \
        --host=2001:db8:12::1 --port=8086 --request="GET /six HTTP/1.0"
    out=$(ip netns exec "$NS" timeout 30 "${UK[@]}" 2>&1)
    wait $spid
    echo "$out"
    grep -q "answer over ipv6" <<<"$out" && grep -q "GET /six" "$W/req6"
}

reachable() {
    ip -n "$NS" -6 neigh show dev tap0 | tee /dev/stderr |
        grep -q "2001:db8:12::2 .*REACHABLE"
}

run_target() {
    local target=$1
    NS=atoll-v6-$target-$$
    W=$TMP/$target
    mkdir -p "$W"
    NSES="$NSES $NS"
    t "a namespace with a tap device at 2001:db8:12::1/64" setup
    t "examples/echo builds for $target" \
        uk_build "$target" "$ROOT/examples/echo" "$W/echo"
    uk_cmd "$target" "$W/echo/_build/echo" service tap0 \
        --ipv4=198.18.0.2/24 --ipv6=2001:db8:12::2/64 \
        --ipv6-gateway=2001:db8:12::1
    ip netns exec "$NS" "${UK[@]}" >"$W/uk.log" 2>&1 &
    PID=$!
    t "the unikernel starts on the tap device" wait_echo "$W/uk.log"
    local ll
    ll=fe80::$(uk_ipv6_iid "$W/uk.log")
    t "ping -6 of its link-local address ($ll) gets every reply" \
        ping6_until "$ll%tap0"
    t "ping -6 of its static address gets every reply" \
        ping6_until 2001:db8:12::2
    t "Linux's neighbour entry for it is REACHABLE" reachable
    t "ping -6 from off-link 2001:db8:99::1 is answered through --ipv6-gateway" \
        ping6_until -I 2001:db8:99::1 2001:db8:12::2
    t "ping -6 -s 4000 (fragments both ways) gets every reply, intact" \
        ping6_big 4000
    t "ping -6 -s 30000 gets every reply, intact" ping6_big 30000
    t "UDP echo over IPv6 through socat, 1200 bytes, hash checked" \
        udp6_echo 1200
    t "UDP echo over IPv6 of 8000 bytes (fragmented both ways), hash checked" \
        udp6_echo 8000
    t "UDP over IPv6 to a closed port: Linux sees port unreachable (refused)" \
        udp6_refused
    local b a
    read -r -a b <<<"$(tap_stats)"
    t "TCP echo over IPv6 through socat, 20 MB, hash checked" tcp6_echo
    read -r -a a <<<"$(tap_stats)"
    # TSO6 and receive offload: the unix tap, and the tender's for spt/hvt.
    t "the unikernel's IPv6 frames were segmentation offload frames (average > 1514 bytes)" \
        frame_sizes "${b[0]}" "${b[1]}" "${a[0]}" "${a[1]}"
    t "Linux's IPv6 frames reached the unikernel as offload frames (average > 1514 bytes)" \
        frame_sizes "${b[2]}" "${b[3]}" "${a[2]}" "${a[3]}"
    echo "       tap0 during the echo: unikernel -> Linux" \
        "$(((a[1] - b[1]) / (a[0] - b[0] + 1))) bytes a frame, Linux ->" \
        "unikernel $(((a[3] - b[3]) / (a[2] - b[2] + 1)))"
    t "TCP over IPv6 to a closed port: RST, Linux sees refused" tcp6_refused
    t "the unikernel is still running afterwards" kill -0 "$PID"
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
    t "examples/website builds for $target" \
        uk_build "$target" "$ROOT/examples/website" "$W/website"
    uk_cmd "$target" "$W/website/_build/website" net tap0 \
        --ipv4=198.18.0.2/24 --ipv6=2001:db8:12::2/64
    ip netns exec "$NS" "${UK[@]}" >"$W/web.log" 2>&1 &
    PID=$!
    t "curl -6 gets hello.txt from examples/website over IPv6" curl6
    t "the website logs the client as [2001:db8:12::1]:port" \
        grep -q "\[2001:db8:12::1\]:[0-9]* \"GET /hello.txt" "$W/web.log"
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
    t "examples/fetch builds for $target" \
        uk_build "$target" "$ROOT/examples/fetch" "$W/fetch"
    TARGET=$target
    t "examples/fetch connects to Linux over IPv6 and reads its answer" fetch6
    ip netns del "$NS" 2>/dev/null
}

missing=$(need)
for target in $INTEROP_TARGETS; do
    if [ "$target" = unix ]; then suite net-interop6; else suite "net-interop6-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "IPv6 interop with Linux ($target)" "$m"
        continue
    fi
    run_target "$target"
done
