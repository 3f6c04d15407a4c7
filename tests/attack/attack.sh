#!/usr/bin/env bash
# tests/attack/attack.sh - examples/echo and examples/dns-server under
# hostile traffic (issue 17), once per target in ATTACK_TARGETS (suite
# attack for unix, attack-spt for the sandbox): each
# attack is sent by tests/attack/hostile.py from the Linux side of the
# unikernels' tap devices, bounded in frames and seconds, and each is
# followed by the same check that both still serve: every ping answered,
# a TCP echo, a dig query.  The attacks:
#
#   malformed IPv4 headers; IP options, well-formed and not; teardrop and
#   overlapping fragments (also same-place copies that disagree); ping of
#   death; 20000 fragment trains that never complete; a SYN flood from
#   spoofed neighbours; RFC 5961 blind RST/SYN/data on a live connection
#   (which must survive); bad TCP options; bad UDP; bad ICMP; an ARP
#   storm; DNS names that loop through compression pointers; random
#   datagrams to port 53; pings and SYNs from 250 spoofed on-link
#   neighbours while Linux pings both unikernels and holds a TCP
#   transfer, which must lose no ping and no byte (issue 17, D2); and ICMP
#   port unreachable quoting a live connection's own sequence number,
#   which must not reset it (RFC 5927 4.1).
#
# Everything happens in a network namespace this test creates per target
# and always deletes: tap0 198.18.0.1/22 with examples/echo at 198.18.0.2
# (the made-up neighbours are 198.18.1.x, on its link), tap1 198.18.4.1/24
# with examples/dns-server at 198.18.4.2.  How each target builds and
# starts is in tests/net/targets.bash.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
# The targets the attacks run on: unix (a Linux process) and spt (the hvt
# image under the sandboxed tender bin/atoll-spt).  Add one here when it
# can run examples/echo and examples/dns-server behind a tap.
ATTACK_TARGETS=${ATTACK_TARGETS:-unix spt}
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-attack.XXXXXX)
HOSTILE=$ROOT/tests/attack/hostile.py
# The system's python3 when there is one: a version manager's shim (pyenv)
# can take seconds to start, and hostile.py starts once per attack.
PY=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}
NSES=""
PIDS=""
cleanup() {
    stop_all
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
stop_all() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    PIDS=""
}
trap cleanup EXIT

need() { # what is missing, for the skip message
    local m=""
    [ "$(id -u)" = 0 ] || m="$m root"
    [ -e /dev/net/tun ] || m="$m /dev/net/tun"
    for c in ip ping socat dig "$PY"; do
        command -v "$c" >/dev/null || m="$m $c"
    done
    echo "$m"
}

# ---- the two unikernels -------------------------------------------------
start() { # TARGET EXAMPLE NET TAP LOG ARGS...: build and run in $NS
    local target=$1 ex=$2 net=$3 tap=$4 log=$5
    shift 5
    uk_build "$target" "$ROOT/examples/$ex" "$W/$ex" >>"$LOG" 2>&1 || return 1
    uk_cmd "$target" "$W/$ex/_build/$(echo "$ex" | tr - _)" "$net" "$tap" "$@"
    ip netns exec "$NS" "${UK[@]}" >"$log" 2>&1 &
    PIDS="$PIDS $!"
}

up() {
    start "$1" echo service tap0 "$W/echo.log" \
        --ipv4=198.18.0.2/22 --ipv4-gateway=198.18.0.1 &&
        start "$1" dns-server net tap1 "$W/dns.log" --ipv4=198.18.4.2/24 &&
        wait_echo "$W/echo.log" && wait_line "$W/dns.log" "dns-server: zone" 5
}

# ---- is everything still served? ---------------------------------------
every_ping() { # ADDR COUNT
    local out
    out=$(nsx ping -c "$2" -i 0.2 -W 1 "$1" 2>&1)
    echo "$out" | grep -q " 0% packet loss" || { echo "$out"; return 1; }
}

serves() {
    local p got
    for p in $PIDS; do
        kill -0 "$p" 2>/dev/null || { echo "process $p is gone"; return 1; }
    done
    every_ping 198.18.0.2 2 && every_ping 198.18.4.2 2 || return 1
    got=$(echo "still here" | nsx timeout 5 socat -T 2 - TCP:198.18.0.2:7)
    [ "$got" = "still here" ] || { echo "TCP echo: '$got'"; return 1; }
    got=$(nsx dig @198.18.4.2 +time=1 +tries=3 +short www.example.test A)
    [ "$got" = 198.18.0.80 ] || { echo "dig: '$got'"; return 1; }
}

# attack NAME CMD...: CMD (an attack) succeeds and both still serve.
attack() {
    local name=$1
    shift
    : >"$LOG"
    if ! "$@" >>"$LOG" 2>&1; then
        fail "$name" "the attack itself failed: $*"
    elif ! serves >>"$LOG" 2>&1; then
        fail "$name" "afterwards the unikernels no longer serve"
    else
        ok "$name; both still serve"
    fi
}

mac_of() { # ADDR TAP: the MAC Linux learnt for ADDR
    ip -n "$NS" neigh show "$1" dev "$2" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'
}

# ---- the spoofed-neighbour flood, with a real peer (D2) -----------------
# Both unikernels are flooded at 200 frames/s from 250 made-up neighbours
# each for 6 s; meanwhile Linux pings both five times a second and holds a
# TCP transfer through the echo.  Every ping must be answered and every
# byte echoed.
neighbour_flood() {
    local f1 f2 st=0
    "${H[@]}" neighbour-flood --seconds 6 --rate 200 &
    f1=$!
    "${HD[@]}" neighbour-flood --seconds 6 --rate 200 --port 53 &
    f2=$!
    sleep 0.5
    "${H[@]}" transfer --seconds 4 &
    local x=$!
    every_ping 198.18.0.2 25 || st=1
    every_ping 198.18.4.2 5 || st=1
    wait $x || { echo "the transfer failed"; st=1; }
    wait $f1 || st=1
    wait $f2 || st=1
    return $st
}

run_target() { # TARGET
    local target=$1
    NS=atoll-atk-$target-$$
    W=$TMP/$target
    mkdir -p "$W"
    NSES="$NSES $NS"
    : >"$LOG"
    if ! ns_setup tap0=198.18.0.1/22 tap1=198.18.4.1/24 >>"$LOG" 2>&1 ||
        ! up "$target" >>"$LOG" 2>&1; then
        fail "examples/echo and examples/dns-server start ($target)"
        return
    fi
    t "both serve before any attack" serves
    local uk_mac dns_mac
    uk_mac=$(mac_of 198.18.0.2 tap0)
    dns_mac=$(mac_of 198.18.4.2 tap1)
    H=(ip netns exec "$NS" "$PY" "$HOSTILE" --iface tap0 --uk 198.18.0.2
        --uk-mac "$uk_mac" --me 198.18.0.1)
    HD=(ip netns exec "$NS" "$PY" "$HOSTILE" --iface tap1 --uk 198.18.4.2
        --uk-mac "$dns_mac" --me 198.18.4.1 --spoof 198.18.4.0/24 --pool 200
        --broadcast 198.18.4.255)

    attack "malformed IPv4 headers (4000)" "${H[@]}" malformed-ip --count 4000
    attack "IP options, good and bad (1200 pings)" \
        "${H[@]}" ip-options --count 1200
    attack "teardrop, bonk and overlapping fragments (3500 datagrams)" \
        "${H[@]}" fragments --count 3500
    attack "ping of death: fragments past 65535 bytes (50)" \
        "${H[@]}" ping-of-death --count 50
    attack "20000 fragment trains that never complete" \
        "${H[@]}" fragment-trains --count 20000
    attack "SYN flood: 20000 from 250 spoofed neighbours" \
        "${H[@]}" syn-flood --count 20000
    attack "bad TCP options (3000 segments)" "${H[@]}" tcp-options --count 3000
    attack "RFC 5961 blind RST/SYN/data (6000) on a live connection, which survives" \
        "${H[@]}" blind --count 6000
    attack "ICMP unreachable quoting a live connection's sequence: soft, it survives" \
        "${H[@]}" soft-icmp
    attack "bad UDP (3000)" "${H[@]}" bad-udp --count 3000
    attack "bad ICMP (3500)" "${H[@]}" bad-icmp --count 3500
    attack "an ARP storm (5000)" "${H[@]}" arp-storm --count 5000
    attack "the DNS server: an ARP storm (2000)" "${HD[@]}" arp-storm --count 2000
    attack "the DNS server: compression loops and long names (3000)" \
        "${HD[@]}" dns-loops --count 3000
    attack "the DNS server: 20000 random datagrams to port 53" \
        "${HD[@]}" dns-random --count 20000
    attack "the DNS server: bad UDP to port 53 (2000)" \
        "${HD[@]}" bad-udp --count 2000 --port 53
    attack "spoofed-neighbour flood: no ping lost, the transfer complete (D2)" \
        neighbour_flood

    stop_all
    ip netns del "$NS" 2>/dev/null
}

missing=$(need)
for target in $ATTACK_TARGETS; do
    if [ "$target" = unix ]; then suite attack; else suite "attack-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "attacks on examples/echo and examples/dns-server ($target)" "$m"
        continue
    fi
    run_target "$target"
done
