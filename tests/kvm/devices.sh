#!/usr/bin/env bash
# tests/kvm/devices.sh - a guest with a net device "service" and a block
# device "disk": batched frames out to a tap and back in, a block write +
# flush + read round trip, all through the tender.  The tap lives in a
# network namespace this test creates (198.18.0.0/15 addresses only).
. "$(dirname "$0")/common.bash"
suite "$TENDER-devices"
hvt_preflight
NS=atoll-$TENDER-$$
TMP=$(mktemp -d)
cleanup() { ip netns del "$NS" 2>/dev/null; rm -rf "$TMP" "$LOG"; }
trap cleanup EXIT

ip netns add "$NS" &&
    ip netns exec "$NS" ip tuntap add dev tap0 mode tap &&
    ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
    ip netns exec "$NS" ip addr add 198.18.0.1/24 dev tap0 &&
    ip netns exec "$NS" ip link set tap0 up
t "namespace with a tap device" ip netns exec "$NS" ip link show tap0
dd if=/dev/zero of="$TMP/disk.img" bs=512 count=128 2>/dev/null

# The host side sends frames of the guest's EtherType until the guest is
# done (at most 20 s: a loaded machine may start python slowly; the guest
# waits up to 10 s a phase), from the namespace, through a packet socket
# on tap0.
ip netns exec "$NS" timeout 40 "$HVT" --net:service=tap0 \
    --block:disk="$TMP/disk.img" "$G/devices.elf" >"$TMP/out" 2>&1 &
pid=$!
ip netns exec "$NS" python3 - "$pid" <<'PY' &
import os, socket, sys, time
pid = int(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("tap0", 0))
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5"
frame += b"hello guest".ljust(50, b".")
for _ in range(400):
    try:
        os.kill(pid, 0)
    except OSError:
        break
    s.send(frame)
    time.sleep(0.05)
PY
sender=$!
wait $pid
st=$?
wait $sender
cp "$TMP/out" "$LOG"
if [ $st -eq 0 ] && grep -q '^devices ok$' "$LOG"; then
    ok "guest: block round trip, batched net write, wait + batched read, frames moved inside waits"
else
    fail "guest: block round trip, batched net write, wait + batched read, frames moved inside waits" \
        "status $st"
fi
rx=$(ip netns exec "$NS" cat /sys/class/net/tap0/statistics/rx_packets)
t "the host saw the guest's 4 + 1 + 2 frames on tap0 (rx_packets=$rx)" \
    test "$rx" -ge 7
t "the guest sent (tx list) and received (rx list) within single wait exits" \
    grep -q 'sent and received in single wait exits' "$TMP/out"
# Sector 1 holds byte i*7+3 for i = 0..1023.
python3 - "$TMP/disk.img" >"$LOG" 2>&1 <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
want = bytes((i * 7 + 3) & 255 for i in range(1024))
assert d[512:1536] == want, "sectors 1-2 differ"
assert d[:512] == bytes(512) and d[1536:] == bytes(len(d) - 1536)
PY
t "the block writes landed in the file (sectors 1-2 only)" test $? -eq 0
