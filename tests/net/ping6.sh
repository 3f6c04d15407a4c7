#!/usr/bin/env bash
# tests/net/ping6.sh - the unikernel as the client over IPv6, against the
# Linux kernel and dnsmasq, once per target (suites net-ping6 for unix,
# net-ping6-spt, -hvt): examples/ping pings Linux at 2001:db8:12::1
# (atoll_icmp_ping over ICMPv6, Linux answers), with 4000 bytes too
# (fragmented both ways, the data checked); resolves names through
# dnsmasq asked over IPv6 (--dns-server=2001:db8:12::1, the queries seen
# in dnsmasq's log coming from the unikernel's IPv6 address), and takes
# IPv6 first for a name with both families, IPv4 first when its stack has
# no IPv6; and names a host it cannot reach.  The namespace (kernel side
# of the tap: 198.18.0.1/24 and 2001:db8:12::1/64) is created here and
# always deleted; no traffic leaves it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-ping6.XXXXXX)
NSES=""
cleanup() {
    bg_stop_all
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

need() {
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip dnsmasq; do command -v $c >/dev/null || m="$m $c"; done
    echo "$m"
}

setup() {
    ns_setup tap0=198.18.0.1/24 &&
        ip -n "$NS" addr add 2001:db8:12::1/64 dev tap0 nodad
}

# dnsmasq on the namespace's side of the tap, both families, only the
# names given here (nothing forwarded anywhere).
dns_start() {
    bg_start ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null \
        --user=root --group=root --interface=tap0 --bind-interfaces \
        --except-interface=lo --no-resolv --no-hosts --local=/test/ \
        --host-record=dual.test,198.18.0.1,2001:db8:12::1 \
        --host-record=v4.test,198.18.0.1 \
        --host-record=v6.test,2001:db8:12::1 \
        --log-queries >"$W/dnsmasq.log" 2>&1
    wait_line "$W/dnsmasq.log" "started" 5
}

# ARGS...: examples/ping on the tap with IPv4 198.18.0.2 and the given
# arguments; its output in $W/out.
ping_uk() {
    uk_cmd "$TARGET" "$W/ping/_build/ping" net tap0 --ipv4=198.18.0.2/24 "$@"
    nsx timeout 60 "${UK[@]}" >"$W/out" 2>&1
    local rc=$?
    cat "$W/out"
    return $rc
}

# FROM N SIZE ARGS...: N replies of SIZE + 8 bytes from FROM, and exit 0.
replies() {
    local from=$1 n=$2 size=$3
    shift 3
    ping_uk --count="$n" --size="$size" "$@" || return 1
    [ "$(grep -c "^$((size + 8)) bytes from $from: seq=" "$W/out")" = "$n" ] &&
        grep -q "ping: $n of $n answered" "$W/out"
}

resolved6() { # dual.test over IPv6 to dnsmasq: AAAA first, both asked
    replies 2001:db8:12::1 2 56 --ipv6=2001:db8:12::2/64 \
        --dns-server=2001:db8:12::1 --host=dual.test || return 1
    grep -q "ping: dual.test is 2001:db8:12::1, 198.18.0.1" "$W/out" &&
        grep -q "query\[AAAA\] dual.test from 2001:db8:12::2" "$W/dnsmasq.log" &&
        grep -q "query\[A\] dual.test from 2001:db8:12::2" "$W/dnsmasq.log" ||
        { cat "$W/dnsmasq.log"; return 1; }
}

resolved4() { # the same name from a stack without IPv6: IPv4 first
    replies 198.18.0.1 2 56 --ipv6=off --dns-server=198.18.0.1 \
        --host=dual.test || return 1
    grep -q "ping: dual.test is 198.18.0.1, 2001:db8:12::1" "$W/out"
}

run_target() {
    TARGET=$1
    NS=atoll-ping6-$TARGET-$$
    W=$TMP/$TARGET
    mkdir -p "$W"
    NSES="$NSES $NS"
    t "a namespace with a tap device at 2001:db8:12::1/64, dnsmasq on it" \
        eval 'setup && dns_start'
    t "examples/ping builds for $TARGET" \
        uk_build "$TARGET" "$ROOT/examples/ping" "$W/ping"
    t "ping of Linux over IPv6: 3 echoes answered" \
        replies 2001:db8:12::1 3 56 --ipv6=2001:db8:12::2/64 \
        --host=2001:db8:12::1
    t "ping of 4000 bytes over IPv6 (fragmented both ways), data intact" \
        replies 2001:db8:12::1 3 4000 --ipv6=2001:db8:12::2/64 \
        --host=2001:db8:12::1
    t "a name with A and AAAA, asked over IPv6: IPv6 first, pinged" resolved6
    t "the same name from a stack without IPv6: IPv4 first, pinged" resolved4
    expect_status "an IPv6-only name from a stack without IPv6: unreachable" \
        1 "seq=1: host unreachable" ping_uk --count=1 --ipv6=off \
        --dns-server=198.18.0.1 --host=v6.test
    expect_status "off-link without a router: unreachable, said so" \
        1 "seq=1: host unreachable" ping_uk --count=1 \
        --ipv6=2001:db8:12::2/64 --host=2001:db8:77::1
    bg_stop_all
    ip netns del "$NS" 2>/dev/null
}

missing=$(need)
for target in $INTEROP_TARGETS; do
    if [ "$target" = unix ]; then suite net-ping6; else suite "net-ping6-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "examples/ping over IPv6 against Linux ($target)" "$m"
        continue
    fi
    run_target "$target"
done
