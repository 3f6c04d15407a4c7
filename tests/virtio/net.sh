#!/usr/bin/env bash
# tests/virtio/net.sh - virtio-net under QEMU (TCG) against Linux's own
# TCP/IP stack, on q35 (PCI) and microvm (MMIO): examples/echo booted by
# `atoll run` on a tap device (QEMU's -netdev tap) in a network namespace
# this test creates, answers ping (small and fragmented) and echoes 5 MB
# over TCP, checked by SHA-256, with the offloads QEMU's tap backend
# offers taken both ways (docs/virtio.md, virtio-net): the frames the
# host's tap sees average more than a full 1514-byte frame, which only
# segmentation offload frames (sent: HOST_TSO4) and frames handed over
# whole (received: GUEST_TSO4 with merged buffers) can.  The same over
# IPv6 (static 2001:db8:12::2/64): ping -6, and 5 MB echoed over TCP/IPv6
# in offload frames both ways (HOST_TSO6, GUEST_TSO6).  Addresses in
# 198.18.0.0/15 and 2001:db8::/32 only; the namespace is removed at the
# end.
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

tap_stats() { # RX_PACKETS RX_BYTES TX_PACKETS TX_BYTES of tap0, host side
    local d=/sys/class/net/tap0/statistics
    nsx cat $d/rx_packets $d/rx_bytes $d/tx_packets $d/tx_bytes | tr '\n' ' '
}
frame_sizes() { # PACKETS0 BYTES0 PACKETS1 BYTES1: average above 1514?
    local n=$(($3 - $1)) b=$(($4 - $2))
    [ "$n" -gt 0 ] || { echo "no frames"; return 1; }
    echo "$n frames, $b bytes, $((b / n)) bytes on average"
    [ $((b / n)) -gt 1514 ]
}

echo_5m() { # [SOCAT ADDRESS]: the 5 MB through the echo service, by hash
    local got
    got=$(nsx timeout 120 socat -t 30 - "${1:-TCP:198.18.0.2:7}" <"$SCRATCH/5m" |
        sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ] || { echo "sha256 $got, sent $want"; return 1; }
}

ping6_wait() { # answered within 10 s (duplicate address detection first)
    for _ in $(seq 10); do
        nsx ping -6 -c 1 -W 1 2001:db8:12::2 >/dev/null 2>&1 && break
    done
    nsx ping -6 -c 3 -i 0.2 -W 5 2001:db8:12::2
}

for m in $MACHINES; do
    NS=atoll-vnet-$m-$$
    if ! { ns_setup tap0=198.18.0.1/24 &&
        ip -n "$NS" addr add 2001:db8:12::1/64 dev tap0 nodad; }; then
        fail "namespace $NS with tap0"
        continue
    fi
    OUT=$SCRATCH/echo.$m
    (cd "$APP" && exec ip netns exec "$NS" timeout 300 "$ATOLL" run \
        --machine="$m" $ACCEL --net:service=tap0 -- --ipv4=198.18.0.2/24 \
        --ipv6=2001:db8:12::2/64) \
        >"$OUT" 2>&1 &
    QPID=$!
    if wait_echo "$OUT" >"$LOG" 2>&1; then
        ok "echo boots on $m and serves"
        t "ping answers ($m)" nsx ping -c 3 -i 0.2 -W 5 198.18.0.2
        t "ping of 4000 bytes (fragmented both ways) answers ($m)" \
            nsx ping -c 2 -i 0.2 -W 5 -s 4000 198.18.0.2
        read -r -a before <<<"$(tap_stats)"
        t "5 MB TCP echo, SHA-256 checked ($m)" echo_5m
        read -r -a after <<<"$(tap_stats)"
        t "the unikernel sent offload frames (HOST_TSO4; average > 1514 bytes) ($m)" \
            frame_sizes "${before[0]}" "${before[1]}" "${after[0]}" "${after[1]}"
        t "Linux's offload frames reached it whole (GUEST_TSO4; average > 1514 bytes) ($m)" \
            frame_sizes "${before[2]}" "${before[3]}" "${after[2]}" "${after[3]}"
        t "ping -6 answers ($m)" ping6_wait
        read -r -a before <<<"$(tap_stats)"
        t "5 MB TCP echo over IPv6, SHA-256 checked ($m)" \
            echo_5m "TCP6:[2001:db8:12::2]:7"
        read -r -a after <<<"$(tap_stats)"
        t "the unikernel sent IPv6 offload frames (HOST_TSO6; average > 1514 bytes) ($m)" \
            frame_sizes "${before[0]}" "${before[1]}" "${after[0]}" "${after[1]}"
        t "Linux's IPv6 offload frames reached it whole (GUEST_TSO6; average > 1514 bytes) ($m)" \
            frame_sizes "${before[2]}" "${before[3]}" "${after[2]}" "${after[3]}"
    else
        fail "echo boots on $m and serves"
    fi
    kill "$QPID" 2>/dev/null
    wait "$QPID" 2>/dev/null
    QPID=
    ip netns del "$NS"
    NS=
done
