#!/usr/bin/env bash
# tests/http/capacity.sh - examples/website (unix) holds 1000 kept-alive
# HTTP connections in --mem=16 (MiB) and still serves a new client (issue
# 13: idle connections wait in a poller without a fiber or buffers,
# lib/http/listen.c).
#
# Linux side: tests/http/hold.py opens 1000 connections and asks for
# /index.html on each, reads the 1000 answers with all of them open, asks
# on a new connection, then asks again on every one of the 1000 (so they
# were held, not closed).  Then a 1 MiB file is fetched while they are
# held.  In a network namespace this test creates and deletes; the site
# is 198.18.0.2.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-httpcap.XXXXXX)
NS=atoll-hcap-$$
MEM=${HTTP_CAPACITY_MEM:-16}
N=1000
cleanup() {
    bg_stop_all
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

suite http-capacity
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip python3 curl; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    skip "$N kept-alive connections in --mem=$MEM (unix)" "needs:$missing"
    exit 0
fi

site() { # the repository's site and a 1 MiB file
    cp -r "$ROOT/examples/website" "$TMP/src" && rm -rf "$TMP/src/_build" &&
        head -c 1048576 /dev/urandom >"$TMP/src/site/big.bin"
}
hold() { ulimit -n 4096 && nsx python3 "$ROOT/tests/http/hold.py" 198.18.0.2 $N; }
big() { # the 1 MiB file, whole and intact, while the connections are held
    nsx curl -sf --max-time 30 -o "$TMP/got.bin" http://198.18.0.2/big.bin &&
        cmp "$TMP/got.bin" "$TMP/src/site/big.bin"
}
alive() { kill -0 "$UPID"; }
memory() { # the unikernel's own count, printed for the record
    wait_line "$TMP/uk.log" "memory in use" 5 && grep "memory in use" "$TMP/uk.log" | tail -n 1
}

t "a namespace with tap0 at 198.18.0.1/24" ns_setup tap0=198.18.0.1/24
t "examples/website with a 1 MiB file builds for unix" \
    eval 'site && uk_build unix "$TMP/src" "$TMP/app"'
uk_cmd unix "$TMP/app/_build/website" net tap0 --ipv4=198.18.0.2/24 --no-log \
    --max_conns=2000 --stats_every=1
bg_start ip netns exec "$NS" "${UK[0]}" --mem="$MEM" "${UK[@]:1}" >"$TMP/uk.log" 2>&1
UPID=${BG_PIDS##* }
t "the website starts with --mem=$MEM" wait_line "$TMP/uk.log" "serving http on port 80" 10
t "$N connections each answered, all held open; a new one answered; the $N answered again" hold
t "with them held, a 1 MiB file is served intact" big
t "the website is still running" alive
memory 2>&1 | sed -n 's/^/       /p' | tail -n 1
