#!/usr/bin/env bash
# tests/debug/live_trace.sh - a live trace file without stopping: on unix
# (SIGUSR1 to the process) and on spt (SIGUSR1 to atoll-spt, which hands
# the request to the guest; tender/common/trace.c), examples/echo runs
# with --trace=FILE in a namespace this test creates and deletes
# (198.18.0.1 kernel, 198.18.0.2 the unikernel).  Under a bounded load
# (3 TCP echo connections of 32 KiB each, checked byte for byte) the
# test sends SIGUSR1 twice; each must give a file FILE.1, FILE.2 that
# `atoll trace summary` reads, the second holding more records than the
# first, and the unikernel must keep serving: an echo after the second
# signal, then a clean stop at SIGTERM.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$ROOT/tests/net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-livetrace.XXXXXX)
NS=atoll-ltr-$$
cleanup() {
    bg_stop_all
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT
suite live-trace

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip socat; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    fail "live trace of examples/echo" "needs:$missing (scripts/install-deps.sh)"
    exit 0
fi
ns_setup tap0=198.18.0.1/24 || { fail "namespace setup"; exit 0; }
head -c 32768 /dev/urandom >"$TMP/blob"

echo_once() {
    nsx socat -t 5 -T 10 - TCP:198.18.0.2:7 <"$TMP/blob" >"$TMP/back" &&
        cmp "$TMP/blob" "$TMP/back"
}
load() { echo_once && echo_once && echo_once; }

# summary FILE: atoll trace summary reads it, and it names fibers.
summary() {
    "$ATOLL" trace summary "$1" >"$1.txt" || return 1
    cat "$1.txt"
    grep -q main "$1.txt"
}
# records FILE: trace events in FILE (one per line of the export).
records() { grep -c '"ph"' "$1"; }

run_target() { # TARGET
    local t=$1 dir=$TMP/$1 img pid
    if ! uk_build "$t" "$ROOT/examples/echo" "$dir" >"$LOG" 2>&1; then
        fail "examples/echo builds ($t)"
        return
    fi
    img=$dir/_build/echo
    case $t in
    unix) bg_start ip netns exec "$NS" "$img" --net:service=tap0 \
        --trace="$TMP/$t.json" -- --ipv4=198.18.0.2/24 >"$TMP/$t.log" 2>&1 ;;
    spt) bg_start ip netns exec "$NS" "$SPT" --net:service=tap0 \
        --trace="$TMP/$t.json" "$img" -- -- --ipv4=198.18.0.2/24 \
        >"$TMP/$t.log" 2>&1 ;;
    esac
    pid=${BG_PIDS##* }
    if ! wait_echo "$TMP/$t.log" >"$LOG" 2>&1; then
        fail "$t: echo serves with --trace"
        bg_stop_all
        return
    fi
    t "$t: load before the first signal" load
    kill -USR1 "$pid"
    t "$t: SIGUSR1 writes live trace 1" \
        wait_line "$TMP/$t.log" "live trace 1 written" 10
    t "$t: load between the signals" load
    kill -USR1 "$pid"
    t "$t: a second SIGUSR1 writes live trace 2" \
        wait_line "$TMP/$t.log" "live trace 2 written" 10
    t "$t: atoll trace summary reads trace 1" summary "$TMP/$t.json.1"
    t "$t: atoll trace summary reads trace 2" summary "$TMP/$t.json.2"
    local r1 r2
    r1=$(records "$TMP/$t.json.1") r2=$(records "$TMP/$t.json.2")
    echo "records: $r1, then $r2" >"$LOG"
    if [ "${r2:-0}" -gt "${r1:-0}" ] && [ "${r1:-0}" -gt 0 ]; then
        ok "$t: trace 2 holds more records than trace 1 ($r1 < $r2)"
    else
        fail "$t: trace 2 holds more records than trace 1 ($r1, $r2)"
    fi
    t "$t: the unikernel still echoes after both signals" echo_once
    if kill -0 "$pid" 2>/dev/null; then
        ok "$t: still running after both signals"
    else
        fail "$t: still running after both signals"
    fi
    bg_stop_all
    cp "$TMP/$t.log" "$LOG"
    if grep -q "not written\|crash" "$TMP/$t.log"; then
        fail "$t: no trace refused, no crash in the log"
    else
        ok "$t: no trace refused, no crash in the log"
    fi
}

run_target unix
run_target spt
