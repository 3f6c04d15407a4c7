#!/usr/bin/env bash
# tests/fw/ipv6.sh - examples/firewall routing IPv6 between two Linux
# hosts, once per target (suites fw-ipv6 for unix, fw-ipv6-spt): the
# namespaces of tests/fw/topo.bash with a client at fd00:1::2 (its
# default route the firewall's fd00:1::1) and a server at fd00:2::9 (its
# route to fd00:1::/64 the firewall's fd00:2::1).  IPv6 is routed, not
# translated, so the server sees the client's own address.  Through the
# unikernel, which answers Neighbor Discovery for its addresses and
# resolves the hosts it forwards to: ping -6, with 3000 bytes too (in
# fragments); curl -6 to a web server;
# 8 MiB downloaded byte for byte (the taps' TCP/IPv6 offload frames cross
# it); a UDP exchange; a new connection from the outside dropped (the
# rules let in only what is established); a rejected port refused at
# once with a reset; hop limit 1 answered with ICMPv6 time exceeded from
# the firewall.  IPv4 runs beside it on the same interfaces.  Namespaces
# (unique per run) are always deleted; no traffic leaves them.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
. "$ROOT/tests/fw/topo.bash"
export ATOLL_BUILD=${BUILD:-build}
IPV6_TARGETS=${FW_TARGETS:-unix spt}
TMP=$(mktemp -d /tmp/atoll-fwipv6.XXXXXX)
NSES=""
trap fw_cleanup EXIT

RULES='accept state established,related
accept in inside out outside state new
reject in outside proto tcp to any port 23
masquerade out outside from 198.18.1.0/24'

# The IPv6 half of the topology: addresses without duplicate address
# detection (the namespaces are new), routes both ways.
topology6() {
    ip -n "$NC" addr add fd00:1::2/64 dev eth0 nodad &&
        ip -n "$NC" -6 route add default via fd00:1::1 &&
        ip -n "$NSV" addr add fd00:2::9/64 dev eth0 nodad &&
        ip -n "$NSV" -6 route add fd00:1::/64 via fd00:2::1
}

# The firewall's addresses answer once its duplicate address detection
# is over (about a second): ping until one echo comes back (10 s).
ping6_through() {
    for _ in $(seq 10); do
        ip netns exec "$NC" ping -6 -c 1 -W 1 fd00:2::9 && break
    done
    ip netns exec "$NC" ping -6 -c 3 -i 0.2 -W 2 fd00:2::9
}

# 3000 bytes of echo each way: the hosts fragment them, and the later
# fragments follow their first through the firewall.
ping6_fragments() {
    ip netns exec "$NC" ping -6 -c 2 -i 0.3 -W 3 -s 3000 fd00:2::9
}

curl6_out() {
    ip netns exec "$NC" curl -6 -s --max-time 10 'http://[fd00:2::9]:8000/' |
        grep -q "hello from $NSV" &&
        grep -q '^fd00:1::2 ' "$W/web-out.log"
}

big6_out() {
    head -c 8388608 /dev/urandom >"$W/www-out/big"
    ip netns exec "$NC" curl -6 -s --max-time 60 -o "$W/big.got" \
        'http://[fd00:2::9]:8000/big' &&
        cmp "$W/www-out/big" "$W/big.got"
}

udp6_out() {
    bg_start ip netns exec "$NSV" socat -T 5 UDP6-RECVFROM:7000,fork EXEC:cat
    sleep 0.3
    echo datagram6 |
        ip netns exec "$NC" socat -T 3 - 'UDP6:[fd00:2::9]:7000' |
        grep -q datagram6
}

inbound_dropped() {
    local out
    out=$(ip netns exec "$NSV" curl -6 -sS --max-time 2 \
        'http://[fd00:1::2]:8000/' 2>&1)
    echo "$out"
    echo "$out" | grep -q "timed out"
}

rejected_at_once() {
    local out t0=$SECONDS
    out=$(ip netns exec "$NSV" socat -T 5 - 'TCP6:[fd00:1::2]:23' \
        </dev/null 2>&1)
    echo "$out"
    echo "$out" | grep -q "Connection refused" && [ $((SECONDS - t0)) -lt 3 ]
}

hop_limit_exceeded() {
    local out
    out=$(ip netns exec "$NC" ping -6 -c 1 -t 1 -W 2 fd00:2::9 2>&1)
    echo "$out"
    echo "$out" | grep -q "fd00:1::1.*Time exceeded"
}

counters() {
    local line
    line=$(grep "^firewall: forwarded=" "$W/uk.log" | tail -n 1)
    echo "$line"
    [ -n "$line" ] && ! echo "$line" | grep -q "forwarded=0 "
}

web() { # NS PORT DIR LOG
    mkdir -p "$3"
    echo "hello from $1" >"$3/index.html"
    bg_start ip netns exec "$1" python3 -m http.server "$2" --bind :: \
        --directory "$3" >"$4" 2>&1
}

run_target() {
    local target=$1
    NS=atoll-fw6-$target-$$
    NC=atoll-fw6c-$target-$$
    NSV=atoll-fw6s-$target-$$
    W=$TMP/$target
    mkdir -p "$W"
    NSES="$NSES $NS $NC $NSV"
    t "namespaces: client, firewall, server, with IPv6 addresses" \
        eval 'topology && topology6'
    t "examples/firewall builds for $target" \
        uk_build "$target" "$ROOT/examples/firewall" "$W/fw"
    local image=$W/fw/_build/firewall
    truncate -s 4M "$W/history.img"
    local args=(--inside-ipv4=198.18.1.1/24 --outside-ipv4=198.18.2.1/24
        --inside-ipv6=fd00:1::1/64 --outside-ipv6=fd00:2::1/64
        --rules="$RULES" --stats=1)
    local devs=(--net:inside=tap0 --net:outside=tap1
        --block:history="$W/history.img")
    case $target in
    unix) UK=("$image" "${devs[@]}" -- "${args[@]}") ;;
    spt) UK=("$SPT" "${devs[@]}" "$image" -- -- "${args[@]}") ;;
    esac
    bg_start ip netns exec "$NS" "${UK[@]}" >"$W/uk.log" 2>&1
    t "the firewall starts with IPv6 on both sides" \
        wait_line "$W/uk.log" "firewall: forwarding .* and fd00:1::1/64 .* and fd00:2::1/64" 10
    web "$NSV" 8000 "$W/www-out" "$W/web-out.log"
    web "$NC" 8000 "$W/www-in" "$W/web-in.log"
    t "web servers listen" wait_port "$NSV" 8000
    wait_port "$NC" 8000 >/dev/null
    t "ping -6 from the client through the firewall" ping6_through
    t "ping -6 with 3000 bytes: fragments each way through it" \
        ping6_fragments
    t "curl -6 through it; the server sees the client's own address" \
        curl6_out
    t "8 MiB downloaded over IPv6, byte for byte" big6_out
    t "a UDP exchange over IPv6" udp6_out
    t "a new connection from outside is dropped (established only)" \
        inbound_dropped
    t "a rejected port: connection refused at once (TCP reset)" \
        rejected_at_once
    t "hop limit 1: ICMPv6 time exceeded from the firewall" \
        hop_limit_exceeded
    t "the firewall counts what it forwarded" counters
    bg_stop_all
    BG_PIDS=""
    ip netns del "$NS" 2>/dev/null
    ip netns del "$NC" 2>/dev/null
    ip netns del "$NSV" 2>/dev/null
}

missing=$(need)
# shellcheck disable=SC2086 # the targets, one word each
fw_each_target fw-ipv6 "the firewall routing IPv6 between namespaces" "$missing" $IPV6_TARGETS
