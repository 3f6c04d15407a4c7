#!/usr/bin/env bash
# tests/dhcp/dnsmasq.sh - DHCP and DNS against dnsmasq, a server nobody
# here wrote, in a network namespace: examples/fetch (unix target) is run
# without --ipv4, so its stack is configured by DHCP from dnsmasq (address,
# gateway and DNS server); it then resolves a host name through dnsmasq as
# its upstream DNS server (a plain name, and a CNAME to it) and fetches
# from a socat server there.  The same application built against the
# forged resolver double (--impl resolver=forged) reaches the "attacker"
# for any name.
#
# The namespace is created and always deleted here: 198.18.0.1/24 on the
# kernel side of the tap device, leases from 198.18.0.100-150.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-dhcp.XXXXXX)
NS=atoll-dhcp-$$
cleanup() {
    bg_stop_all
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite dhcp-dns-interop

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip dnsmasq socat; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    skip "DHCP and DNS against dnsmasq" "needs:$missing"
    exit 0
fi

ip netns add "$NS" && ip -n "$NS" link set lo up &&
    ip -n "$NS" tuntap add dev tap0 mode tap &&
    ip -n "$NS" addr add 198.18.0.1/24 dev tap0 &&
    ip -n "$NS" link set tap0 up || { fail "namespace setup"; exit 0; }
nsx() { ip netns exec "$NS" "$@"; }

bg_start ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null \
    --user=root --group=root \
    --interface=tap0 --bind-interfaces --except-interface=lo \
    --dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,10m \
    --dhcp-option=3,198.18.0.1 --dhcp-option=6,198.18.0.1 \
    --dhcp-leasefile="$TMP/leases" --no-resolv --no-hosts \
    --host-record=web.test,198.18.0.1 --cname=alias.test,web.test \
    --local=/test/ \
    --log-dhcp --log-queries >"$TMP/dnsmasq.log" 2>&1
# A TCP server for fetch to reach: one answer per connection.
bg_start ip netns exec "$NS" socat TCP-LISTEN:8080,bind=198.18.0.1,fork,reuseaddr \
    SYSTEM:'read l; echo "hello from the server: $l"' >/dev/null 2>&1
sleep 0.5

build() { # DIR [configure args]
    local d=$1
    shift
    mkdir -p "$d" && cp "$ROOT"/examples/fetch/atoll.manifest \
        "$ROOT"/examples/fetch/*.[ch] "$d/" &&
        "$ATOLL" -C "$d" configure -t unix "$@" && "$ATOLL" -C "$d" build
}
t "examples/fetch builds for unix (default resolver)" build "$TMP/fetch"
t "examples/fetch builds against the forged resolver" \
    build "$TMP/forged" --impl resolver=forged

run_fetch() { # NAME: fetch NAME:8080 with a DHCP-configured stack
    nsx timeout 60 "$TMP/fetch/_build/fetch" --net:net=tap0 -- \
        --host="$1" --port=8080 --request="GET $1" --timeout=20 \
        >"$TMP/out" 2>&1
    local rc=$?
    cat "$TMP/out"
    return $rc
}
dhcp_and_name() {
    run_fetch web.test || return 1
    grep -q "lease 198.18.0.1[0-5][0-9]/24 from 198.18.0.1" "$TMP/out" &&
        grep -q "fetch: web.test is 198.18.0.1" "$TMP/out" &&
        grep -q "hello from the server: GET web.test" "$TMP/out"
}
t "no --ipv4: a DHCP lease from dnsmasq, then web.test resolved and fetched" \
    dhcp_and_name
lease_file() { grep -q "198.18.0.1[0-5][0-9]" "$TMP/leases" || { cat "$TMP/dnsmasq.log"; return 1; }; }
t "dnsmasq recorded the lease" lease_file
logged() { grep -q "DHCPACK(tap0) 198.18.0.1" "$TMP/dnsmasq.log" &&
    grep -q "query\[A\] web.test from 198.18.0.1" "$TMP/dnsmasq.log"; }
t "dnsmasq saw the DHCP exchange and the query from the leased address" logged
cname() {
    run_fetch alias.test || return 1
    grep -q "fetch: alias.test is 198.18.0.1" "$TMP/out"
}
t "a CNAME (alias.test -> web.test) through dnsmasq" cname
nx() {
    run_fetch nosuch.test && return 1
    grep -q "fetch: nosuch.test: no such entry" "$TMP/out"
}
t "a name dnsmasq does not know fails with 'no such entry'" nx

forged() {
    nsx timeout 30 "$TMP/forged/_build/fetch" --net:net=tap0 -- \
        --ipv4=198.18.0.2/24 --dns-forged=198.18.0.1 --host=bank.example \
        --port=8080 --request="my password" --timeout=10 >"$TMP/out" 2>&1
    cat "$TMP/out"
    grep -q "fetch: bank.example is 198.18.0.1" "$TMP/out" &&
        grep -q "hello from the server: my password" "$TMP/out"
}
t "built against the forged resolver, fetch sends to the attacker's address" \
    forged
forged_unsafe() {
    nsx timeout 30 "$TMP/forged/_build/fetch" --net:net=tap0 -- \
        --ipv4=198.18.0.2/24 --dns-forged=8.8.8.8 --host=x.example 2>&1
}
expect_fail "the forged resolver refuses an address outside 198.18.0.0/15" \
    "198.18.0.0/15" forged_unsafe
