#!/usr/bin/env bash
# tests/dns/server.sh - examples/dns-server (unix target) queried by `dig`
# from the Linux side of a tap device: A, AAAA, MX, TXT, CNAME chains,
# NXDOMAIN and NODATA with the SOA, over UDP and +tcp, and a truncated
# answer (TC over UDP without EDNS; dig then retries over TCP and gets
# every record), BADVERS for an EDNS version we do not implement, and A
# and AAAA over UDP over IPv6 (dig -6).
#
# Everything happens in a network namespace this test creates and always
# deletes (198.18.0.1 and 2001:db8:53::1 kernel side, 198.18.0.2 and
# 2001:db8:53::2 the unikernel).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-dnsserver.XXXXXX)
NS=atoll-dns-$$
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite dns-server

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip dig; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    skip "dig against examples/dns-server" "needs:$missing"
    exit 0
fi

cat >"$TMP/zone" <<'ZONE'
$ORIGIN example.test.
$TTL 3600
@       IN SOA ns1 hostmaster.example.test. (
            2024010101 7200 3600 1209600
            300 )
        IN NS   ns1
        IN MX   10 mail
ns1     IN A    198.18.0.2
www     IN A    198.18.0.80
        IN AAAA 2001:db8::80
mail    300 IN A 198.18.0.25
web     IN CNAME www
chain   IN CNAME web
txt     IN TXT  "hello from atoll" "two strings"
ZONE
for i in $(seq 1 60); do echo "many IN A 198.18.1.$i" >>"$TMP/zone"; done

ip netns add "$NS" && ip -n "$NS" link set lo up &&
    ip -n "$NS" tuntap add dev tap0 mode tap &&
    ip -n "$NS" addr add 198.18.0.1/24 dev tap0 &&
    ip -n "$NS" addr add 2001:db8:53::1/64 dev tap0 nodad &&
    ip -n "$NS" link set tap0 up || { fail "namespace setup"; exit 0; }

mkdir -p "$TMP/app"
cp -r "$ROOT"/examples/dns-server/atoll.manifest "$ROOT"/examples/dns-server/*.c \
    "$ROOT"/examples/dns-server/zones "$TMP/app/"
t "examples/dns-server builds for unix" \
    bash -c "'$ATOLL' -C '$TMP/app' configure -t unix && '$ATOLL' -C '$TMP/app' build"

ip netns exec "$NS" "$TMP/app/_build/dns_server" --net:net=tap0 -- \
    --ipv4=198.18.0.2/24 --ipv6=2001:db8:53::2/64 --zone="$(cat "$TMP/zone")" >"$TMP/uk.log" 2>&1 &
PID=$!
loaded() {
    wait_line "$TMP/uk.log" "dns-server: zone" 5 &&
        grep -q '70 records' "$TMP/uk.log"
}
t "the server starts and loads the zone (70 records)" loaded

D() { ip netns exec "$NS" dig @198.18.0.2 +time=2 +tries=2 "$@"; }
same() { # WANT CMD...: output of CMD equals WANT
    local want=$1 got
    shift
    got=$("$@" 2>&1)
    [ "$got" = "$want" ] || { echo "want: $want"; echo "got:  $got"; return 1; }
}
t "A over UDP" same "198.18.0.80" D +short www.example.test A
t "AAAA over UDP" same "2001:db8::80" D +short www.example.test AAAA
t "MX" same "10 mail.example.test." D +short example.test MX
t "TXT with two strings" same '"hello from atoll" "two strings"' \
    D +short txt.example.test TXT
t "a CNAME chain (chain -> web -> www)" \
    same "$(printf 'web.example.test.\nwww.example.test.\n198.18.0.80')" \
    D +short chain.example.test A
t "A over TCP (+tcp)" same "198.18.0.25" D +tcp +short mail.example.test
t "the answer is authoritative (aa)" \
    bash -c "ip netns exec $NS dig @198.18.0.2 www.example.test | grep -q 'flags: qr aa rd'"
nx() {
    local out
    out=$(D nope.example.test A)
    echo "$out" | grep -q "status: NXDOMAIN" &&
        echo "$out" | grep -A2 "AUTHORITY SECTION" | grep -q "IN	SOA"
}
t "NXDOMAIN with the SOA in the authority section" nx
nodata() {
    local out
    out=$(D mail.example.test AAAA)
    echo "$out" | grep -q "status: NOERROR" &&
        echo "$out" | grep -q "ANSWER: 0, AUTHORITY: 1" || { echo "$out"; return 1; }
}
t "NODATA: NOERROR, no answer, the SOA" nodata
refused() { D example.org A | grep -q "status: REFUSED"; }
t "a name outside the zone is REFUSED" refused
trunc() {
    local out
    out=$(D +noedns +ignore many.example.test A)
    echo "$out" | grep -q "flags: qr aa tc rd" || { echo "$out"; return 1; }
}
t "60 A records over UDP without EDNS: truncated (tc)" trunc
retry_tcp() {
    local n
    n=$(D +noedns +short many.example.test A | wc -l)
    [ "$n" = 60 ] || { echo "got $n records"; return 1; }
}
t "dig retries the truncated answer over TCP and gets all 60" retry_tcp
t "60 A records over +tcp" bash -c \
    "[ \$(ip netns exec $NS dig @198.18.0.2 +tcp +short many.example.test | wc -l) = 60 ]"
badvers() { # RFC 6891 6.1.3
    local out
    out=$(D +edns=1 +noednsnegotiation www.example.test A)
    echo "$out" | grep -q "status: BADVERS" &&
        echo "$out" | grep -q "ANSWER: 0," &&
        echo "$out" | grep -q "EDNS: version: 0" || { echo "$out"; return 1; }
}
t "EDNS version 1: BADVERS, no answer, our OPT says version 0" badvers
ednsok() { D +edns=0 www.example.test A | grep -q "status: NOERROR"; }
t "EDNS version 0 is answered" ednsok
D6() { ip netns exec "$NS" dig -6 @2001:db8:53::2 +time=2 +tries=3 "$@"; }
t "A over UDP over IPv6 (dig -6)" same "198.18.0.80" D6 +short www.example.test A
t "AAAA over UDP over IPv6" same "2001:db8::80" D6 +short www.example.test AAAA
alive() { kill -0 "$PID"; }
t "the server is still running" alive

# ---- the zone from a file: baked into the image, or a tar archive ----------
stop_server() { kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; PID=; }
stop_server
ip netns exec "$NS" "$TMP/app/_build/dns_server" --net:net=tap0 -- \
    --ipv4=198.18.0.2/24 --zone_file=example.test.zone >"$TMP/uk.log" 2>&1 &
PID=$!
t "--zone_file from the baked store zones: loaded" \
    wait_line "$TMP/uk.log" "dns-server: zone example.test" 5
t "--zone_file: the file's records are served" \
    same '"hello from a zone file"' D +short txt.example.test TXT
stop_server

mkdir -p "$TMP/zdir" "$TMP/tapp"
cp "$TMP/zone" "$TMP/zdir/big.zone"
tar -C "$TMP/zdir" -cf "$TMP/zones.tar" .
cp -r "$TMP/app/atoll.manifest" "$TMP/app/"*.c "$TMP/app/zones" "$TMP/tapp/"
t "examples/dns-server builds with --impl zones=tar" \
    bash -c "'$ATOLL' -C '$TMP/tapp' configure -t unix --impl zones=tar && '$ATOLL' -C '$TMP/tapp' build"
ip netns exec "$NS" "$TMP/tapp/_build/dns_server" --net:net=tap0 \
    --block:zones="$TMP/zones.tar" -- --ipv4=198.18.0.2/24 \
    --zone_file=big.zone >"$TMP/uk.log" 2>&1 &
PID=$!
t "--zone_file from a tar archive on a block device: 70 records" loaded
t "the tar's zone is served (60 A records over TCP)" bash -c \
    "[ \$(ip netns exec $NS dig @198.18.0.2 +tcp +short many.example.test | wc -l) = 60 ]"
stop_server
ip netns exec "$NS" "$TMP/app/_build/dns_server" --net:net=tap0 -- \
    --ipv4=198.18.0.2/24 --zone_file=missing.zone >"$TMP/uk.log" 2>&1
t "a missing zone file: a clear error" \
    grep -q "dns-server: zone file missing.zone: no such entry" "$TMP/uk.log"
