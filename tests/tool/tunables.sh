#!/usr/bin/env bash
# tests/tool/tunables.sh - a tunable given to `atoll build` in CFLAGS
# reaches the libraries (tools/atoll/tune.c): the probe of
# tests/tool/tunables/ is built once as is and once with
# CFLAGS=-DATOLL_NET_FRAME_MAX=9018, and both receive 4000-byte pings
# from Linux over a tap device of MTU 9000.  The library sizes its
# receive buffers by its own ATOLL_NET_FRAME_MAX: built as is it drops
# the jumbo frames, built for 9018 it hands them over whole.  A
# misspelt tunable is refused.
#
# The traffic stays in a network namespace this test creates and
# deletes; Linux's side of the tap is 198.18.0.1/24, the pings go to
# 198.18.0.2 (a static neighbour entry, the probe answers nothing).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-tunables.XXXXXX)
NS=atoll-tune-$$
cleanup() {
    bg_stop_all
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

suite tunables

app=$TMP/probe
cp -r "$ROOT/tests/tool/tunables" "$app"
t "configure the probe for unix" "$ATOLL" -C "$app" configure -t unix
expect_fail "a misspelt tunable is refused" \
    "CFLAGS: ATOLL_NET_FRAM_MAX is not one of Atoll's tunables" \
    env CFLAGS=-DATOLL_NET_FRAM_MAX=9018 "$ATOLL" -C "$app" build
t "built as is" "$ATOLL" -C "$app" build
cp "$app/_build/probe" "$TMP/stock"
t "built with CFLAGS=-DATOLL_NET_FRAME_MAX=9018: the libraries too" \
    env CFLAGS=-DATOLL_NET_FRAME_MAX=9018 "$ATOLL" -C "$app" build
cp "$app/_build/probe" "$TMP/tuned"
t "the tuned libraries are the application's own" \
    bash -c "ls '$app'/_build/libs-*/rel/libatoll.a"
t "BearSSL, which no tunable reaches, is not compiled again" \
    bash -c "! ls -d '$app'/_build/libs-*/bearssl '$app'/_build/libs-*/rel/bearssl"
t "back to no tunables: the unikernel is built again" \
    bash -c "'$ATOLL' -C '$app' build 2>&1 | grep -q 'building _build/probe' &&
             cmp -s '$app/_build/probe' '$TMP/stock'"

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
for c in ip ping; do command -v $c >/dev/null || missing="$missing $c"; done
if [ -n "$missing" ]; then
    skip "jumbo frames reach the application" "needs$missing"
    exit 0
fi

ip netns add "$NS" && ip -n "$NS" link set lo up &&
    ip -n "$NS" tuntap add dev tap0 mode tap &&
    ip -n "$NS" link set tap0 mtu 9000 &&
    ip -n "$NS" addr add 198.18.0.1/24 dev tap0 &&
    ip -n "$NS" link set tap0 up &&
    ip -n "$NS" neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev tap0 ||
    { fail "namespace setup"; exit 0; }

# probe BINARY: run it on tap0 (no offload: frames as they are), send it
# three 4000-byte pings, print what it reports.
probe() {
    local out=$TMP/$(basename "$1").log
    bg_start ip netns exec "$NS" "$1" --net:wire=tap0 --net-offload=off \
        -- --seconds=3 >"$out" 2>&1
    wait_line "$out" "ready" 5 >/dev/null || { cat "$out"; return 1; }
    ip netns exec "$NS" ping -c 3 -i 0.2 -W 1 -s 4000 198.18.0.2 >/dev/null
    wait "${BG_PIDS##* }"
    BG_PIDS=""
    cat "$out"
}
probe "$TMP/stock" >"$TMP/stock.out" 2>&1
probe "$TMP/tuned" >"$TMP/tuned.out" 2>&1
cat "$TMP/stock.out" "$TMP/tuned.out" >"$LOG"
t "as is: 1518 in the application and the library: the jumbo frames are dropped, none larger reaches the application" \
    bash -c "cat '$TMP/stock.out'; grep -q 'ATOLL_NET_FRAME_MAX 1518' '$TMP/stock.out' &&
             grep -Eq 'largest ([0-9]{1,3}|1[0-4][0-9]{2}|150[0-9]|151[0-8]) dropped [1-9]' '$TMP/stock.out'"
t "tuned: 9018 in the application, and the library hands over 4042-byte frames" \
    bash -c "cat '$TMP/tuned.out'; grep -q 'ATOLL_NET_FRAME_MAX 9018' '$TMP/tuned.out' &&
             grep -q 'largest 4042 dropped 0' '$TMP/tuned.out'"
