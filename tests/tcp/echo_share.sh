#!/usr/bin/env bash
# tests/tcp/echo_share.sh - examples/echo on the unix target keeps each
# client's bytes to that client (issue 17, D1), against Linux clients:
# tests/tcp/clients/window.c sends a pattern from a socket with a tiny
# receive buffer and reads nothing until the echo is stuck writing to it,
# has 64 KiB of 'B' echoed on a second connection meanwhile, then reads
# its pattern back; every byte of both is checked.  (The sim target runs
# the same reproduction in tests/sim/echo_share.c.)
#
# In a network namespace this test creates and deletes: the kernel side of
# tap0 is 198.18.0.1/24, the echo runs as 198.18.0.2.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../net/targets.bash"
export ATOLL_BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/atoll-echoshare.XXXXXX)
NS=atoll-share-$$
EPID=""
cleanup() {
    [ -n "$EPID" ] && kill "$EPID" 2>/dev/null && wait "$EPID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP" "$LOG"
}
trap cleanup EXIT

suite echo-share
missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
command -v ip >/dev/null || missing="$missing ip"
if [ -n "$missing" ]; then
    skip "echo keeps each client's bytes (unix, Linux clients)" "needs:$missing"
    exit 0
fi

build_client() {
    cc -std=gnu11 -O2 -Wall -Wextra -Werror "$ROOT/tests/tcp/clients/window.c" \
        -o "$TMP/window"
}
alive() { kill -0 "$EPID"; }

t "the Linux client builds" build_client
t "a namespace with tap0 at 198.18.0.1/24" ns_setup tap0=198.18.0.1/24
t "examples/echo builds for unix" uk_build unix "$ROOT/examples/echo" "$TMP/echo"
uk_cmd unix "$TMP/echo/_build/echo" service tap0 --ipv4=198.18.0.2/24
ip netns exec "$NS" "${UK[@]}" >"$TMP/echo.log" 2>&1 &
EPID=$!
t "the echo unikernel starts on the tap device" wait_echo "$TMP/echo.log"
t "a stuck echo to a closed window keeps each client's bytes (64 KiB B, all of A)" \
    nsx timeout 120 "$TMP/window" 198.18.0.2 7
t "the echo unikernel is still running" alive
