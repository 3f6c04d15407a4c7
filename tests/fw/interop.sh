#!/usr/bin/env bash
# tests/fw/interop.sh - examples/firewall between two Linux hosts, once per
# target (suites fw-interop for unix, fw-interop-spt): a client namespace
# (198.18.1.2, its default route the firewall's 198.18.1.1) and a server
# namespace (198.18.2.9), each joined by a bridge to one tap device of the
# firewall's namespace.  Through the unikernel: ping; curl to a web server
# that sees only the firewall's address (masquerade); 8 MiB each way
# compared byte for byte; a UDP exchange, and a datagram that crosses in
# fragments; curl
# from the server side through port forwarding to a web server inside; a
# rejected port (refused at once) and a dropped one (silence); ICMP errors
# reaching the client (port unreachable of a UDP datagram, time exceeded
# for TTL 1).  The management interface: refused without its token, a
# malformed set refused at its line and column (the old rules still
# work), a live change that keeps an established connection, a revert;
# then `atoll store log` of the firewall's disk shows every change.  Namespaces (unique per run) are always deleted; no traffic
# leaves them.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
. "$ROOT/tests/fw/topo.bash"
export ATOLL_BUILD=${BUILD:-build}
INTEROP_TARGETS=${FW_TARGETS:-unix spt}
TMP=$(mktemp -d /tmp/atoll-fwinterop.XXXXXX)
NSES=""
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    for ns in $NSES; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

RULES='accept state established,related
accept in inside out outside state new
reject in outside proto tcp to any port 23
drop in outside proto tcp to any port 24
accept in outside proto tcp to 198.18.1.2 port 8000 state new
masquerade out outside from 198.18.1.0/24
forward in outside proto tcp port 8080 to 198.18.1.2 port 8000'

# A web server in namespace $1 on port $2 serving $3, its log in $4.
web() {
    mkdir -p "$3"
    echo "hello from $1" >"$3/index.html"
    ip netns exec "$1" python3 -m http.server "$2" --bind 0.0.0.0 \
        --directory "$3" >"$4" 2>&1 &
    PIDS="$PIDS $!"
}

ping_through() { ip netns exec "$NC" ping -c 3 -i 0.2 -W 2 198.18.2.9; }

curl_out() {
    ip netns exec "$NC" curl -s --max-time 10 http://198.18.2.9:8000/ |
        grep -q "hello from $NSV" &&
        grep -q '^198\.18\.2\.1 ' "$W/web-out.log" &&
        ! grep -q '^198\.18\.1\.' "$W/web-out.log"
}

# 8 MiB both ways through the translation: the taps' offload frames
# (64 KiB receive offload in, segmentation offload out) cross it whole.
big_out() {
    head -c 8388608 /dev/urandom >"$W/www-out/big"
    ip netns exec "$NC" curl -s --max-time 60 -o "$W/big.got" \
        http://198.18.2.9:8000/big &&
        cmp "$W/www-out/big" "$W/big.got"
}

big_in() {
    head -c 8388608 /dev/urandom >"$W/up"
    ip netns exec "$NSV" socat -u TCP-LISTEN:7001,reuseaddr \
        OPEN:"$W/up.got",creat,trunc &
    local p=$!
    PIDS="$PIDS $p"
    wait_port "$NSV" 7001 >/dev/null || return 1
    ip netns exec "$NC" socat -u OPEN:"$W/up" TCP:198.18.2.9:7001 &&
        wait "$p" && cmp "$W/up" "$W/up.got"
}

udp_out() {
    ip netns exec "$NSV" socat -T 5 UDP-RECVFROM:7000,fork EXEC:cat &
    PIDS="$PIDS $!"
    sleep 0.3
    echo datagram | ip netns exec "$NC" socat -T 3 - UDP:198.18.2.9:7000 |
        grep -q datagram
}

# A 4000-byte datagram each way through masquerade: fragments, the
# later ones following their first (the echo server of udp_out answers).
udp_fragments() {
    head -c 3000 /dev/urandom | base64 -w0 >"$W/dgram"
    ip netns exec "$NC" socat -T 3 -b 8192 - UDP:198.18.2.9:7000 \
        <"$W/dgram" >"$W/dgram.got" &&
        cmp "$W/dgram" "$W/dgram.got"
}

curl_forwarded() {
    ip netns exec "$NSV" curl -s --max-time 10 http://198.18.2.1:8080/ |
        grep -q "hello from $NC" &&
        grep -q '^198\.18\.2\.9 ' "$W/web-in.log"
}

refused_at_once() {
    local out
    ip -n "$NSV" route replace 198.18.1.0/24 via 198.18.2.1 || return 1
    local t0=$SECONDS
    out=$(ip netns exec "$NSV" socat -T 5 - TCP:198.18.1.2:23 </dev/null 2>&1)
    echo "$out"
    echo "$out" | grep -q "Connection refused" && [ $((SECONDS - t0)) -lt 3 ]
}

dropped_silently() {
    local out
    ip -n "$NSV" route replace 198.18.1.0/24 via 198.18.2.1 || return 1
    out=$(ip netns exec "$NSV" curl -sS --max-time 2 http://198.18.1.2:24/ 2>&1)
    echo "$out"
    echo "$out" | grep -q "timed out"
}

port_unreachable_inside() {
    local out
    out=$(echo x | ip netns exec "$NC" socat -T 2 - UDP:198.18.2.9:9999 2>&1)
    echo "$out"
    echo "$out" | grep -q "Connection refused"
}

time_exceeded_inside() {
    local out
    out=$(ip netns exec "$NC" ping -c 1 -t 1 -W 2 198.18.2.9 2>&1)
    echo "$out"
    echo "$out" | grep -q "198.18.1.1.*Time to live exceeded"
}

TOKEN=fw-test-token-$$-0123456789
MGMT=http://198.18.1.1:8443

mgmt() { # CURL-ARGS...: from the client, with the token
    ip netns exec "$NC" curl -sS --max-time 10 \
        -H "Authorization: Bearer $TOKEN" "$@"
}

mgmt_no_token() {
    local a b
    a=$(ip netns exec "$NC" curl -s -o /dev/null -w '%{http_code}' \
        --max-time 10 "$MGMT/rules")
    b=$(ip netns exec "$NC" curl -s -o /dev/null -w '%{http_code}' \
        --max-time 10 -H "Authorization: Bearer wrong-$TOKEN" "$MGMT/rules")
    echo "without: $a, wrong: $b"
    [ "$a" = 401 ] && [ "$b" = 401 ]
}

mgmt_get() { mgmt "$MGMT/rules" | grep -q "^masquerade out outside"; }

mgmt_bad() {
    local out
    out=$(mgmt -w ' %{http_code}' -X PUT -H "X-Author: Test <t@atoll.invalid>" \
        --data-binary $'accept state established\naccept in nowhere' \
        "$MGMT/rules")
    echo "$out"
    [ "$(echo "$out" | tr '\n' ' ')" = "2:11: unknown interface 'nowhere'  400 " ]
}

# A TCP connection from the client kept open across the change: a python
# client that echoes a line, waits for $W/go, echoes another.
start_long_lived() {
    ip netns exec "$NSV" socat TCP-LISTEN:7002,reuseaddr,fork EXEC:cat &
    PIDS="$PIDS $!"
    wait_port "$NSV" 7002 >/dev/null
    rm -f "$W/go"
    ip netns exec "$NC" python3 -c '
import os, socket, sys, time
s = socket.create_connection(("198.18.2.9", 7002), timeout=10)
s.sendall(b"one\n"); assert s.recv(100) == b"one\n"
print("first", flush=True)
for _ in range(300):
    if os.path.exists(sys.argv[1]): break
    time.sleep(0.1)
s.sendall(b"two\n"); assert s.recv(100) == b"two\n"
print("second", flush=True)' "$W/go" >"$W/long.log" 2>&1 &
    LONG=$!
    wait_line "$W/long.log" first 10 >/dev/null
}

long_lived_still() {
    touch "$W/go"
    wait "$LONG" && grep -q second "$W/long.log"
}

STRICT='accept state established,related
masquerade out outside from 198.18.1.0/24'

mgmt_strict() {
    local out
    out=$(mgmt -X PUT -H "X-Author: Operator <op@atoll.invalid>" \
        -H "X-Message: no new connections out" --data-binary "$STRICT" \
        "$MGMT/rules")
    echo "put: $out"
    STRICT_COMMIT=$out
    [ ${#out} = 64 ] && ! ip netns exec "$NC" curl -s --max-time 2 \
        http://198.18.2.9:8000/ >/dev/null
}

mgmt_counters() {
    local out
    out=$(mgmt "$MGMT/counters")
    echo "$out"
    echo "$out" | grep -q "^rule line 1: [1-9][0-9]* packets" &&
        echo "$out" | grep -q "^forwarded [1-9]"
}

mgmt_revert() {
    local first
    first=$(mgmt "$MGMT/log" | tail -n 1 | cut -d' ' -f1)
    echo "boot commit: $first"
    [ -n "$first" ] && mgmt -X POST -H "X-Author: Operator <op@atoll.invalid>" \
        "$MGMT/revert?to=$first" | grep -Eq '^[0-9a-f]{64}$' &&
        mgmt "$MGMT/rules" | grep -q "forward in outside"
}

store_log() {
    local out
    out=$("$ATOLL" store log "$IMG" 2>&1)
    echo "$out"
    echo "$out" | grep -q "rules given at boot" &&
        echo "$out" | grep -q "no new connections out" &&
        echo "$out" | grep -q "Operator <op@atoll.invalid>" &&
        echo "$out" | grep -q "revert the rules to"
}

run_target() {
    local target=$1
    NS=atoll-fw-$target-$$
    NC=atoll-fwc-$target-$$
    NSV=atoll-fws-$target-$$
    W=$TMP/$target
    mkdir -p "$W"
    NSES="$NSES $NS $NC $NSV"
    t "namespaces: client, firewall (two taps, two bridges), server" topology
    t "examples/firewall builds for $target" \
        uk_build "$target" "$ROOT/examples/firewall" "$W/fw"
    local image=$W/fw/_build/firewall
    IMG=$W/history.img
    truncate -s 4M "$IMG"
    local args=(--inside-ipv4=198.18.1.1/24 --outside-ipv4=198.18.2.1/24
        --inside-ipv6=off --outside-ipv6=off --rules="$RULES"
        --token="$TOKEN")
    local devs=(--net:inside=tap0 --net:outside=tap1 --block:history="$IMG")
    case $target in
    unix) UK=("$image" "${devs[@]}" -- "${args[@]}") ;;
    spt) UK=("$SPT" "${devs[@]}" "$image" -- -- "${args[@]}") ;;
    esac
    ip netns exec "$NS" "${UK[@]}" >"$W/uk.log" 2>&1 &
    local pid=$!
    PIDS="$PIDS $pid"
    t "the firewall starts on both taps" \
        wait_line "$W/uk.log" "firewall: forwarding" 10
    web "$NSV" 8000 "$W/www-out" "$W/web-out.log"
    web "$NC" 8000 "$W/www-in" "$W/web-in.log"
    t "web servers listen" wait_port "$NSV" 8000
    wait_port "$NC" 8000 >/dev/null
    t "ping from the client through the firewall" ping_through
    t "curl through masquerade; the server sees only 198.18.2.1" curl_out
    t "8 MiB downloaded through masquerade, byte for byte" big_out
    t "8 MiB uploaded through masquerade, byte for byte" big_in
    t "a UDP exchange through masquerade" udp_out
    t "a 4000-byte UDP datagram each way, in fragments, through masquerade" \
        udp_fragments
    t "curl from outside through port forwarding (8080 -> inside 8000)" \
        curl_forwarded
    t "a rejected port (reject rule): connection refused at once" \
        refused_at_once
    t "a dropped port (drop rule): silence until the timeout" \
        dropped_silently
    t "ICMP port unreachable from the server reaches the client" \
        port_unreachable_inside
    t "ICMP time exceeded from the firewall for TTL 1" time_exceeded_inside
    t "the management interface refuses a request without its token" \
        mgmt_no_token
    t "GET /rules with the token: the rules in force" mgmt_get
    t "a malformed rule set is refused at its line and column" mgmt_bad
    t "... and the rules in force still work" curl_out
    start_long_lived
    t "a live change (PUT): new connections out are now refused" mgmt_strict
    t "... an established connection the new rules allow keeps working" \
        long_lived_still
    t "GET /counters counts per rule" mgmt_counters
    t "a revert brings the earlier rule set back" mgmt_revert
    t "... and new connections out work again" curl_out
    t "the firewall is still running" kill -0 "$pid"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    t "atoll store log of its disk: every change a commit with its author" \
        store_log
    for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    PIDS=""
    ip netns del "$NS" 2>/dev/null
    ip netns del "$NC" 2>/dev/null
    ip netns del "$NSV" 2>/dev/null
}

missing=$(need)
for target in $INTEROP_TARGETS; do
    if [ "$target" = unix ]; then suite fw-interop; else suite "fw-interop-$target"; fi
    m="$missing$(target_missing "$target")"
    if [ -n "$m" ]; then
        skip_target "the firewall between Linux namespaces ($target)" "$m"
        continue
    fi
    run_target "$target"
done
