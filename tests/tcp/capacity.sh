#!/usr/bin/env bash
# tests/tcp/capacity.sh - examples/echo on the unix target holds 10,000
# idle TCP connections from Linux in --mem=32 (MiB), still serves a new
# client, and frees the connections of clients that vanish (issue 17, D3).
#
# Linux side: tests/tcp/clients/hold.c, twice.  One opens 9,600
# connections from 198.18.0.1, the other 400 from 198.18.0.3 (a second
# address on the same tap); each connection has 16 bytes echoed, then
# stays idle.  A third client has 64 KiB echoed while the 10,000 are
# held.  Then 198.18.0.3 is removed from the tap: its 400 sockets stay
# open in Linux, but nothing they are sent arrives and nothing answers,
# which is what the echo sees of hosts that vanished.  The echo runs with
# --keepalive=3, so it must find those 400 gone and free them (its --stats
# line says dead=400) while the 9,600 others still echo.
#
# In a network namespace this test creates and deletes; the echo runs as
# 198.18.0.2.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-capacity.XXXXXX)
NS=atoll-cap-$$
PIDS=""
cleanup() {
    exec 7>&- 8>&- 2>/dev/null
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

suite tcp-capacity
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
command -v ip >/dev/null || missing="$missing ip"
if [ -n "$missing" ]; then
    skip "10,000 idle connections in 32 MiB (unix, Linux clients)" "needs:$missing"
    exit 0
fi

LIVE=9600 GONE=400
build_client() {
    cc -std=gnu11 -O2 -Wall -Wextra -Werror "$ROOT/tests/tcp/clients/hold.c" \
        -o "$TMP/hold"
}
setup() {
    ns_setup tap0=198.18.0.1/24 &&
        ip -n "$NS" addr add 198.18.0.3/24 dev tap0
}
alive() { kill -0 "$EPID"; }
# hold_start NAME N FROM: a client holding N connections, commands on fd
# 7 (a) or 8 (b).
hold_start() {
    mkfifo "$TMP/$1.in"
    ip netns exec "$NS" "$TMP/hold" 198.18.0.2 7 "$2" "$3" \
        <"$TMP/$1.in" >"$TMP/$1.log" 2>&1 &
    PIDS="$PIDS $!"
}
held() { # NAME N SECONDS: the client says it holds all N (or fails)
    wait_line "$TMP/$1.log" "^(held|failed)" "$3" &&
        grep -q "^held $2 " "$TMP/$1.log" || { cat "$TMP/$1.log"; return 1; }
}
last_stats() { grep "^echo: tcp" "$TMP/echo.log" | tail -n 1; }
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
# The heap the 10,000 idle connections take, once their buffers are back
# (TCP_BUF_IDLE_NS): printed for the record, bounded by --mem anyway.
report_memory() {
    sleep 3
    local base now
    base=$(grep "^echo: tcp open=0 " "$TMP/echo.log" | head -n 1 | field heap_in_use)
    now=$(last_stats | field heap_in_use)
    last_stats
    [ -n "$base" ] && [ -n "$now" ] || return 1
    echo "       10000 idle connections: $(((now - base) / 10000)) bytes each," \
        "heap $((now / 1024)) KiB in use of 32768" >&2
}
new_client() { nsx timeout 30 "$TMP/hold" 198.18.0.2 7 1 - 65536 </dev/null; }
vanish() { ip -n "$NS" addr del 198.18.0.3/24 dev tap0; }
check_live() {
    echo check >&7
    wait_line "$TMP/a.log" "^checked $LIVE 0$" 60
}

t "the Linux client builds" build_client
t "a namespace with tap0 at 198.18.0.1/24 and 198.18.0.3/24" setup
t "examples/echo builds for unix" uk_build unix "$ROOT/examples/echo" "$TMP/echo"
uk_cmd unix "$TMP/echo/_build/echo" service tap0 --ipv4=198.18.0.2/24 \
    --keepalive=3 --stats=1
ip netns exec "$NS" "${UK[0]}" --mem=32 "${UK[@]:1}" >"$TMP/echo.log" 2>&1 &
EPID=$!
PIDS="$PIDS $EPID"
t "the echo unikernel starts (--mem=32, --keepalive=3)" wait_echo "$TMP/echo.log"

hold_start a $LIVE 198.18.0.1
exec 7>"$TMP/a.in"
t "$LIVE connections from 198.18.0.1 served and held" held a $LIVE 180
hold_start b $GONE 198.18.0.3
exec 8>"$TMP/b.in"
t "$GONE more from 198.18.0.3 served and held" held b $GONE 60
t "the echo holds 10000 connections in 32 MiB, none refused" \
    wait_line "$TMP/echo.log" "open=10000 .*refused=0 " 20
report_memory 2>&1 | grep "idle connections" || true
t "with 10000 held, a new client is served (64 KiB echoed)" new_client
t "198.18.0.3 vanishes from the link" vanish
t "keepalive finds its $GONE connections dead and frees them; $LIVE stay" \
    wait_line "$TMP/echo.log" "open=$LIVE .*dead=$GONE " 60
t "the $LIVE others still echo" check_live
t "a new client is still served" new_client
t "the echo unikernel is still running" alive
