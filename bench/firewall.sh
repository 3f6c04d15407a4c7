#!/usr/bin/env bash
# bench/firewall.sh - `make bench` (mk/fwbench.mk): examples/firewall
# (unix target) against Linux doing the same job, measured by iperf3 in
# one run and printed as ratios (goal, issue 14: >= 0.5x Linux for TCP).
#
# Both route between a client namespace (198.18.x.2/24) and a server
# namespace, masquerading the client.  The unikernel sits in a namespace
# of its own behind two taps bridged to the hosts' veths (the topology of
# tests/fw/interop.sh); Linux is a namespace with net.ipv4.ip_forward=1
# and an nftables ruleset that matches the unikernel's rules: forward
# accept for established/related and new from inside, policy drop,
# masquerade out of the outside interface; for IPv6 (fd00:x::/64, routed,
# not translated, on both) forwarding on and the same filter in an ip6
# table.  Measured: TCP throughput with one flow and with 8 (iperf3 -P),
# the same over IPv6, and 64-byte UDP datagrams per second
# the server received (iperf3 -u -l 64 -b $FWBENCH_UDP_RATE).  Each test
# runs $FWBENCH_SECS s.  Then the memory the unikernel needs: the
# smallest --mem that still forwards one TCP flow at full speed with
# 10 000 tracked connections (below).  FWBENCH_SPEED=0 or FWBENCH_MEM=0
# leaves a part out.  Everything stays in namespaces this script
# creates (unique names) and deletes, on 198.18.0.0/15.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
export ATOLL_BUILD=$BUILD
ATOLL=$ROOT/bin/atoll
SECS=${FWBENCH_SECS:-5}
UDP_RATE=${FWBENCH_UDP_RATE:-200M}
MEM_FLOWS=${FWBENCH_MEM_FLOWS:-10000}
MEM_BASE=${FWBENCH_MEM_BASE:-256}
MEM_SIZES=${FWBENCH_MEM_SIZES:-4 6 8 12 16 24 32}
MEM_FULL=${FWBENCH_MEM_FULL:-0.8}

echo "== firewall benchmark (bench/firewall.sh)"
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip iperf3 nft python3; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    echo "firewall benchmark skipped: need$missing (apt-get install iperf3 nftables)"
    exit 0
fi

TMP=$(mktemp -d /tmp/atoll-fwbench.XXXXXX)
TAG=$$
NSES=""
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    for n in $NSES; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# hosts NAME-PREFIX NET: client and server namespaces on 198.18.NET.0/24
# (inside) and 198.18.NET+1.0/24 (outside), their routers' ends named
# v0/v1 in namespace $3.
hosts() {
    local c=$1-c s=$1-s in=$2 out=$(($2 + 1)) r=$3
    ip netns add "$c" && ip netns add "$s" || return 1
    NSES="$NSES $c $s"
    ip -n "$c" link set lo up && ip -n "$s" link set lo up
    ip -n "$r" link add v0 type veth peer name eth0 netns "$c" &&
        ip -n "$r" link add v1 type veth peer name eth0 netns "$s" &&
        ip -n "$c" addr add 198.18.$in.2/24 dev eth0 &&
        ip -n "$c" link set eth0 up &&
        ip -n "$c" route add default via 198.18.$in.1 &&
        ip -n "$s" addr add 198.18.$out.9/24 dev eth0 &&
        ip -n "$s" link set eth0 up &&
        ip -n "$c" addr add fd00:$in::2/64 dev eth0 nodad &&
        ip -n "$c" -6 route add default via fd00:$in::1 &&
        ip -n "$s" addr add fd00:$out::9/64 dev eth0 nodad &&
        ip -n "$s" -6 route add fd00:$in::/64 via fd00:$out::1
}

# The unikernel's side: namespace $FW with tap0/tap1 bridged to v0/v1.
setup_atoll() {
    FW=atoll-fwb-$TAG
    ip netns add "$FW" && NSES="$NSES $FW" && ip -n "$FW" link set lo up
    hosts "atoll-fwb-a-$TAG" 30 "$FW" || return 1
    local n
    for n in 0 1; do
        ip -n "$FW" tuntap add dev tap$n mode tap &&
            ip -n "$FW" link add br$n type bridge &&
            ip -n "$FW" link set tap$n master br$n &&
            ip -n "$FW" link set v$n master br$n &&
            ip -n "$FW" link set tap$n up && ip -n "$FW" link set v$n up &&
            ip -n "$FW" link set br$n up || return 1
    done
    mkdir -p "$TMP/fw" && cp -r "$ROOT/examples/firewall"/* "$TMP/fw/" &&
        "$ATOLL" -C "$TMP/fw" configure -t unix >/dev/null &&
        "$ATOLL" -C "$TMP/fw" build >/dev/null || return 1
    truncate -s 4M "$TMP/fw.img"
    start_atoll
}

# start_atoll [RUNTIME-OPTIONS...]: (re)start the unikernel in $FW, with
# --stats=1 (its log says how many connections it tracks); fails when it
# does not come up in 10 s.
start_atoll() {
    if [ -n "${UK_PID:-}" ]; then
        kill "$UK_PID" 2>/dev/null
        wait "$UK_PID" 2>/dev/null
    fi
    ip netns exec "$FW" "$TMP/fw/_build/firewall" "$@" --net:inside=tap0 \
        --net:outside=tap1 --block:history="$TMP/fw.img" -- \
        --inside-ipv4=198.18.30.1/24 --outside-ipv4=198.18.31.1/24 \
        --inside-ipv6=fd00:30::1/64 --outside-ipv6=fd00:31::1/64 --stats=1 \
        --rules='accept state established,related
accept in inside out outside state new
masquerade out outside from 198.18.30.0/24' >"$TMP/fw.log" 2>&1 &
    UK_PID=$!
    PIDS="$PIDS $UK_PID"
    for _ in $(seq 100); do
        grep -q "firewall: forwarding" "$TMP/fw.log" && return 0
        kill -0 "$UK_PID" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}

# Linux's side: namespace $LX forwarding with nftables masquerade.
setup_linux() {
    LX=atoll-fwb-lx-$TAG
    ip netns add "$LX" && NSES="$NSES $LX" && ip -n "$LX" link set lo up
    hosts "atoll-fwb-l-$TAG" 40 "$LX" || return 1
    ip -n "$LX" addr add 198.18.40.1/24 dev v0 &&
        ip -n "$LX" addr add 198.18.41.1/24 dev v1 &&
        ip -n "$LX" addr add fd00:40::1/64 dev v0 nodad &&
        ip -n "$LX" addr add fd00:41::1/64 dev v1 nodad &&
        ip -n "$LX" link set v0 up && ip -n "$LX" link set v1 up &&
        ip netns exec "$LX" sysctl -qw net.ipv4.ip_forward=1 &&
        ip netns exec "$LX" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
        ip netns exec "$LX" nft -f - <<'NFT'
table ip fw {
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "v0" oifname "v1" ct state new accept
    }
    chain post {
        type nat hook postrouting priority 100;
        oifname "v1" ip saddr 198.18.40.0/24 masquerade
    }
}
table ip6 fw6 {
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "v0" oifname "v1" ct state new accept
    }
}
NFT
}

# iperf3 from client namespace $1 to server $2 (in namespace $3), extra
# args after: prints bits/s (TCP: received) or datagrams/s (UDP).
measure() {
    local c=$1 srv=$2 sns=$3
    shift 3
    # bounded: a router that forwards nothing must not hang the bench
    ip netns exec "$sns" timeout $((SECS + 20)) iperf3 -s -1 -p 5201 \
        >/dev/null 2>&1 &
    local sp=$!
    sleep 0.5
    ip netns exec "$c" timeout $((SECS + 15)) iperf3 -c "$srv" -p 5201 \
        -t "$SECS" --connect-timeout 3000 -J "$@" >"$TMP/iperf.json" 2>/dev/null
    wait "$sp" 2>/dev/null
    python3 - "$TMP/iperf.json" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
    e = j["end"]
    if j["start"]["test_start"]["protocol"] == "UDP":
        s = e["sum"]  # packets sent, lost as the server counted them
        got = s["packets"] - s["lost_packets"]
        print(int(got / s["seconds"]))
    else:
        print(int(e["sum_received"]["bits_per_second"]))
except Exception:
    print(0)
PY
}

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b) if b else 'n/a')" "$1" "$2"; }

if ! setup_atoll; then
    echo "firewall benchmark: the unikernel did not start"
    exit 1
fi
if ! setup_linux; then
    echo "firewall benchmark: the Linux router could not be set up"
    exit 1
fi
AC=atoll-fwb-a-$TAG-c AS=atoll-fwb-a-$TAG-s
LC=atoll-fwb-l-$TAG-c LS=atoll-fwb-l-$TAG-s

row() { # NAME UNIT ATOLL LINUX
    printf '%-28s %13s %s %13s %s %8s\n' "$1" "$3" "$2" "$4" "$2" \
        "$(ratio "$3" "$4")"
}
mbit() { echo $(($1 / 1000000)); }
if [ "${FWBENCH_SPEED:-1}" = 1 ]; then
    printf '%-28s %16s %16s %8s\n' test atoll linux ratio
    a=$(measure "$AC" 198.18.31.9 "$AS")
    l=$(measure "$LC" 198.18.41.9 "$LS")
    row "TCP, 1 flow (Mbit/s)" "" "$(mbit "$a")" "$(mbit "$l")"
    a=$(measure "$AC" 198.18.31.9 "$AS" -P 8)
    l=$(measure "$LC" 198.18.41.9 "$LS" -P 8)
    row "TCP, 8 flows (Mbit/s)" "" "$(mbit "$a")" "$(mbit "$l")"
    # the unikernel's IPv6 addresses answer once its duplicate address
    # detection is over (about a second)
    for _ in $(seq 10); do
        ip netns exec "$AC" ping -6 -c 1 -W 1 fd00:31::9 >/dev/null 2>&1 && break
    done
    a=$(measure "$AC" fd00:31::9 "$AS")
    l=$(measure "$LC" fd00:41::9 "$LS")
    row "TCP/IPv6, 1 flow (Mbit/s)" "" "$(mbit "$a")" "$(mbit "$l")"
    a=$(measure "$AC" fd00:31::9 "$AS" -P 8)
    l=$(measure "$LC" fd00:41::9 "$LS" -P 8)
    row "TCP/IPv6, 8 flows (Mbit/s)" "" "$(mbit "$a")" "$(mbit "$l")"
    a=$(measure "$AC" 198.18.31.9 "$AS" -u -l 64 -b "$UDP_RATE")
    l=$(measure "$LC" 198.18.41.9 "$LS" -u -l 64 -b "$UDP_RATE")
    row "UDP 64 B (datagrams/s)" "" "$a" "$l"
    echo "(goal: TCP >= 0.5x Linux; $SECS s each; load average $(cut -d' ' -f1 /proc/loadavg))"
fi

# ---- memory: the smallest --mem that forwards at full speed with
# $MEM_FLOWS tracked connections (goal, issue 14: <= 16 MiB).  Each trial
# restarts the unikernel with --mem=M, opens MEM_FLOWS UDP flows from the
# client (one datagram to each of MEM_FLOWS ports of the server, which
# drops them: unanswered flows live 30 s, longer than a trial), checks the
# firewall tracks them (its --stats line), and measures one TCP flow with
# iperf3.  Full speed: at least MEM_FULL of the throughput at
# $MEM_BASE MiB, measured first in the same run.

# tracked: the connections the unikernel's last --stats line counts.
tracked() {
    sed -n 's/.* conns=\([0-9]*\)\/.*/\1/p' "$TMP/fw.log" | tail -n 1
}

# mem_trial MiB: sets T_START (yes/no), T_N (connections tracked, the
# fewer of before and after the throughput run) and T_BPS.  Not to be run
# in a subshell: it restarts the unikernel, whose pid this shell keeps.
mem_trial() {
    T_START=no T_N=0 T_BPS=0
    if ! start_atoll --mem="$1"; then
        tail -n 2 "$TMP/fw.log" >&2
        return
    fi
    T_START=yes
    # every port again until all are tracked (a busy machine drops some
    # of a burst at the taps); flows already tracked are only refreshed
    local pass n
    for pass in 1 2 3; do
        ip netns exec "$AC" python3 - "$MEM_FLOWS" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for k in range(int(sys.argv[1])):
    s.sendto(b"flow", ("198.18.31.9", 20000 + k))
    if k % 100 == 99:
        time.sleep(0.005)
PY
        sleep 1.5
        n=$(tracked)
        [ "${n:-0}" -ge "$MEM_FLOWS" ] && break
    done
    T_BPS=$(measure "$AC" 198.18.31.9 "$AS")
    sleep 1.2
    T_N=$(tracked)
    [ "${T_N:-0}" -gt "${n:-0}" ] && T_N=$n
    T_N=${T_N:-0}
}

if [ "${FWBENCH_MEM:-1}" = 1 ]; then
    ip netns exec "$AS" nft -f - <<NFT
table ip sink {
    chain input {
        type filter hook input priority 0;
        udp dport 20000-$((20000 + MEM_FLOWS - 1)) drop
    }
}
NFT
    echo
    echo "memory: the smallest --mem forwarding one TCP flow at full speed with $MEM_FLOWS tracked connections"
    printf '%-10s %8s %9s %12s %8s\n' --mem starts tracked Mbit/s "x base"
    mem_trial "$MEM_BASE"
    base=$T_BPS
    printf '%-10s %8s %9s %12s %8s\n' "$MEM_BASE MiB" "$T_START" "$T_N" \
        "$(mbit "$base")" 1.00
    smallest=""
    for m in $MEM_SIZES; do
        mem_trial "$m"
        r=$(ratio "$T_BPS" "$base")
        printf '%-10s %8s %9s %12s %8s\n' "$m MiB" "$T_START" "$T_N" \
            "$(mbit "$T_BPS")" "$r"
        if [ -z "$smallest" ] && [ "$T_START" = yes ] &&
            [ "$T_N" -ge "$MEM_FLOWS" ] &&
            python3 -c "import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))" \
                "${r/n\/a/0}" "$MEM_FULL"; then
            smallest=$m
        fi
    done
    echo "smallest --mem at >= $MEM_FULL x the $MEM_BASE MiB speed with $MEM_FLOWS connections: ${smallest:-none of $MEM_SIZES} MiB (goal <= 16 MiB)"
fi
