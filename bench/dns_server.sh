#!/usr/bin/env bash
# bench/dns_server.sh - `make bench` (mk/dnsbench.mk): examples/dns-server
# against NSD and Knot DNS, queries per second measured by dnsperf in the
# same run, printed as ratios (goals, issues 6 and 11: >= 1x NSD and
# >= 1x Knot on the unix target).
#
# All serve the same zone.  The unikernel (unix target) sits behind a tap
# device, 198.18.20.2 (kernel side 198.18.20.1); NSD and Knot run in a
# second namespace behind a veth pair, 198.18.21.2 and 198.18.21.3, each
# configured fairly for a single-core server: NSD server-count: 1,
# rrl-ratelimit: 0 (response rate limiting would otherwise cap it per
# source); Knot udp-workers: 1, tcp-workers: 1, background-workers: 1, no
# modules (so no rate limiting).  dnsperf runs in the first namespace with
# the same query mix (A, AAAA, MX, CNAME, NXDOMAIN) and $DNSBENCH_CLIENTS
# clients for $DNSBENCH_SECS s against each, one server at a time.
# Everything is in namespaces this script creates and deletes, on
# 198.18.0.0/15.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
export ATOLL_BUILD=$BUILD
ATOLL=$ROOT/bin/atoll
SECS=${DNSBENCH_SECS:-5}
CLIENTS=${DNSBENCH_CLIENTS:-4}

echo "== DNS server benchmark (bench/dns_server.sh)"
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip nsd knotd dnsperf; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    echo "DNS benchmark skipped: need$missing (scripts/install-deps.sh, scripts/install-bench-deps.sh)"
    exit 0
fi

TMP=$(mktemp -d /tmp/atoll-dnsbench.XXXXXX)
NS1=atoll-dnsb1-$$
NS2=atoll-dnsb2-$$
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    ip netns del "$NS1" 2>/dev/null
    ip netns del "$NS2" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$TMP/example.test.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 3600
@     IN SOA ns1 hostmaster ( 1 7200 3600 1209600 300 )
      IN NS  ns1
      IN MX  10 mail
ns1   IN A   198.18.21.2
www   IN A   198.18.0.80
      IN AAAA 2001:db8::80
mail  IN A   198.18.0.25
web   IN CNAME www
txt   IN TXT "hello from atoll"
ZONE
for i in $(seq 1 200); do echo "h$i IN A 198.18.2.$((i % 250 + 1))"; done \
    >>"$TMP/example.test.zone"
{
    for i in $(seq 1 200); do echo "h$i.example.test A"; done
    for _ in $(seq 1 20); do
        echo "www.example.test A"
        echo "www.example.test AAAA"
        echo "example.test MX"
        echo "web.example.test A"
        echo "nope$RANDOM.example.test A"
    done
} >"$TMP/queries"

ip netns add "$NS1" && ip netns add "$NS2" &&
    ip -n "$NS1" link set lo up && ip -n "$NS2" link set lo up &&
    ip -n "$NS1" tuntap add dev tap0 mode tap &&
    ip -n "$NS1" addr add 198.18.20.1/24 dev tap0 &&
    ip -n "$NS1" link set tap0 up &&
    ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2" &&
    ip -n "$NS1" addr add 198.18.21.1/24 dev veth1 &&
    ip -n "$NS2" addr add 198.18.21.2/24 dev veth2 &&
    ip -n "$NS2" addr add 198.18.21.3/24 dev veth2 &&
    ip -n "$NS1" link set veth1 up && ip -n "$NS2" link set veth2 up ||
    { echo "DNS benchmark: namespace setup failed"; exit 0; }

# The unikernel.
mkdir -p "$TMP/app"
cp -r "$ROOT"/examples/dns-server/atoll.manifest "$ROOT"/examples/dns-server/*.c \
    "$ROOT"/examples/dns-server/zones "$TMP/app/"
if ! { "$ATOLL" -C "$TMP/app" configure -t unix &&
    "$ATOLL" -C "$TMP/app" build; } >"$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    echo "DNS benchmark: examples/dns-server did not build"
    exit 0
fi
ip netns exec "$NS1" "$TMP/app/_build/dns_server" --net:net=tap0 -- \
    --ipv4=198.18.20.2/24 --zone="$(cat "$TMP/example.test.zone")" \
    >"$TMP/uk.log" 2>&1 &
PIDS="$PIDS $!"

# NSD, one server process, no rate limiting, no chroot or user switch.
cat >"$TMP/nsd.conf" <<CONF
server:
    server-count: 1
    ip-address: 198.18.21.2
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$TMP"
    database: ""
    zonelistfile: "$TMP/zone.list"
    xfrdfile: "$TMP/xfrd.state"
    pidfile: "$TMP/nsd.pid"
    logfile: "$TMP/nsd.log"
    rrl-ratelimit: 0
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: example.test
    zonefile: "$TMP/example.test.zone"
CONF
ip netns exec "$NS2" nsd -d -c "$TMP/nsd.conf" >"$TMP/nsd.out" 2>&1 &
PIDS="$PIDS $!"

# Knot DNS: one UDP and one TCP worker, nothing written back to the zone
# file or a journal, no rate limiting (no modules), no privilege drop.
mkdir -p "$TMP/knot"
cat >"$TMP/knot.conf" <<CONF
server:
    rundir: "$TMP/knot"
    listen: 198.18.21.3@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$TMP"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: example.test
    file: "$TMP/example.test.zone"
CONF
ip netns exec "$NS2" knotd -c "$TMP/knot.conf" >"$TMP/knot.out" 2>&1 &
PIDS="$PIDS $!"

ready() { # ADDR
    for _ in $(seq 50); do
        ip netns exec "$NS1" dig @"$1" +time=1 +tries=1 +short www.example.test \
            2>/dev/null | grep -q 198.18.0.80 && return 0
        sleep 0.2
    done
    return 1
}
ready 198.18.20.2 || { cat "$TMP/uk.log"; echo "DNS benchmark: dns-server not answering"; exit 0; }
ready 198.18.21.2 || { cat "$TMP/nsd.out" "$TMP/nsd.log" 2>/dev/null; echo "DNS benchmark: nsd not answering"; exit 0; }
ready 198.18.21.3 || { cat "$TMP/knot.out" 2>/dev/null; echo "DNS benchmark: knotd not answering"; exit 0; }

qps() { # ADDR
    ip netns exec "$NS1" dnsperf -s "$1" -d "$TMP/queries" -l "$SECS" \
        -c "$CLIENTS" -q 200 >"$TMP/perf.$1" 2>&1
    awk '/Queries per second/ {print $4}' "$TMP/perf.$1"
}
A=$(qps 198.18.20.2)
N=$(qps 198.18.21.2)
K=$(qps 198.18.21.3)
lost() { awk '/Queries lost/ {print $3}' "$TMP/perf.$1"; }
printf "  %-34s %12.0f queries/s  (lost %s)\n" "atoll examples/dns-server (tap)" "${A:-0}" "$(lost 198.18.20.2)"
printf "  %-34s %12.0f queries/s  (lost %s)\n" "NSD, server-count 1 (veth)" "${N:-0}" "$(lost 198.18.21.2)"
printf "  %-34s %12.0f queries/s  (lost %s)\n" "Knot $(knotd --version | awk '{print $NF}'), 1 UDP worker (veth)" "${K:-0}" "$(lost 198.18.21.3)"
ratio() { # NAME PEER-QPS
    if [ -n "$A" ] && [ -n "$2" ]; then
        awk -v a="$A" -v n="$2" -v p="$1" 'BEGIN { printf "  dns-server / %s: %.2fx (goal >= 1x)\n", p, a / n }'
    else
        echo "  dns-server / $1: not measured"
        cat "$TMP"/perf.* 2>/dev/null | tail -20
    fi
}
ratio NSD "$N"
ratio Knot "$K"
