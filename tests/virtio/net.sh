#!/usr/bin/env bash
# tests/virtio/net.sh - virtio-net under QEMU (TCG) against Linux's own
# TCP/IP stack, on q35 (PCI) and microvm (MMIO): examples/echo booted by
# `atoll run` on a tap device (QEMU's -netdev tap) in a network namespace
# this test creates, answers ping (small and fragmented) and echoes 5 MB
# over TCP, checked by SHA-256.  Addresses in 198.18.0.0/15 only; the
# namespace is removed at the end.
. "$(dirname "$0")/common.bash"
. "$ROOT/tests/net/targets.bash"
suite virtio-net
virtio_preflight
for tool in ip ping socat sha256sum; do
    command -v $tool >/dev/null || { fail "$tool is installed"; exit 1; }
done

QPID=
cleanup() {
    [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
    [ -n "${NS:-}" ] && ip netns del "$NS" 2>/dev/null
    rm -rf "$SCRATCH" "$LOG"
}
trap cleanup EXIT

if ! build_app "$ROOT/examples/echo" virtio; then
    fail "echo builds for virtio"
    exit 1
fi
head -c 5000000 /dev/urandom >"$SCRATCH/5m"
want=$(sha256sum <"$SCRATCH/5m" | cut -d' ' -f1)

echo_5m() { # the 5 MB through the echo service, compared by hash
    local got
    got=$(nsx timeout 120 socat -t 30 - TCP:198.18.0.2:7 <"$SCRATCH/5m" |
        sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ] || { echo "sha256 $got, sent $want"; return 1; }
}

for m in $MACHINES; do
    NS=atoll-vnet-$m-$$
    if ! ns_setup tap0=198.18.0.1/24; then
        fail "namespace $NS with tap0"
        continue
    fi
    OUT=$SCRATCH/echo.$m
    (cd "$APP" && exec ip netns exec "$NS" timeout 300 "$ATOLL" run \
        --machine="$m" $ACCEL --net:service=tap0 -- --ipv4=198.18.0.2/24) \
        >"$OUT" 2>&1 &
    QPID=$!
    if wait_echo "$OUT" >"$LOG" 2>&1; then
        ok "echo boots on $m and serves"
        t "ping answers ($m)" nsx ping -c 3 -i 0.2 -W 5 198.18.0.2
        t "ping of 4000 bytes (fragmented both ways) answers ($m)" \
            nsx ping -c 2 -i 0.2 -W 5 -s 4000 198.18.0.2
        t "5 MB TCP echo, SHA-256 checked ($m)" echo_5m
    else
        fail "echo boots on $m and serves"
    fi
    kill "$QPID" 2>/dev/null
    wait "$QPID" 2>/dev/null
    QPID=
    ip netns del "$NS"
    NS=
done
