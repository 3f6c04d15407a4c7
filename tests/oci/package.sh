#!/usr/bin/env bash
# tests/oci/package.sh - `atoll package` (docs/deploy.md):
#   - a plain image (target spt): umoci reads the layout and unpacks it
#     (checking every digest; a tampered layer is refused), and runc runs
#     the bundle in a network namespace this test made, with eth0 on a
#     veth pair as a CNI plugin would leave it: atoll-oci-net hands eth0 to
#     the unikernel (examples/echo), which answers ping and TCP echo (1 MB
#     by SHA-256) at eth0's address;
#   - an image for urunc (target virtio): umoci unpacks it, its manifest
#     and urunc.json carry urunc's annotations (type mirage, hypervisor
#     qemu), and the unpacked image boots under QEMU invoked the way
#     urunc's QEMU backend invokes it (machine pc, no debug-exit device,
#     --ipv4/--ipv4-gateway first on the command line, then the image's):
#     echo answers ping, hello prints its greeting and the machine turns
#     itself off (ACPI) instead of rebooting;
#   - refusals: a unix target, a urunc image with a block device.
# Addresses in 198.18.0.0/15 only; namespaces, containers and taps are
# removed at the end.
. "$(dirname "$0")/../lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export ATOLL_BUILD=$BUILD
suite oci
SCRATCH=$(mktemp -d /tmp/atoll-oci.XXXXXX)
CTR=atoll-oci-$$
NC=atoll-oci-c-$$
NH=atoll-oci-h-$$
QPID=
cleanup() {
    runc delete -f "$CTR" >/dev/null 2>&1
    [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
    ip netns del "$NC" 2>/dev/null
    ip netns del "$NH" 2>/dev/null
    rm -rf "$SCRATCH" "$LOG"
}
trap cleanup EXIT
for tool in umoci runc jq ip ping socat qemu-system-x86_64 base64; do
    command -v $tool >/dev/null ||
        { fail "$tool is installed" "scripts/install-deps.sh installs it"; exit 1; }
done

build_app() { # SRC TARGET
    APP=$SCRATCH/$(basename "$1")-$2
    rm -rf "$APP"
    cp -r "$1" "$APP"
    rm -rf "$APP/_build"
    "$ATOLL" -C "$APP" configure -t "$2" >"$LOG" 2>&1 &&
        "$ATOLL" -C "$APP" build >>"$LOG" 2>&1
}
E=$ROOT/examples

# ---- a plain image, run by runc ----------------------------------------------
if ! build_app "$E/echo" spt; then fail "echo builds for spt"; exit 1; fi
IMG=$SCRATCH/echo-plain
expect_out "atoll package writes a layout (spt)" "packaged 'echo' \(target spt\) as a plain image" \
    "$ATOLL" -C "$APP" package -o "$IMG" --tag=v1
expect_out "umoci lists its tag" "^v1$" umoci ls --layout "$IMG"
BUNDLE=$SCRATCH/bundle
t "umoci unpacks it (every digest checked)" umoci unpack --image "$IMG:v1" "$BUNDLE"
t "the bundle holds the tender, the launcher and the image" \
    test -x "$BUNDLE/rootfs/atoll/bin/atoll-spt" -a \
    -x "$BUNDLE/rootfs/atoll/bin/atoll-oci-net" -a -f "$BUNDLE/rootfs/atoll/echo"
expect_out "its entry point hands eth0 to the unikernel" \
    '^\["/atoll/bin/atoll-oci-net","eth0","/atoll/bin/atoll-spt","--net:service=\{tap\}","/atoll/echo","--","--","--ipv4=\{ipv4\}","--ipv4-gateway=\{gateway\}"\]$' \
    jq -c .process.args "$BUNDLE/config.json"
# A layout whose layer lost a byte is refused.
cp -r "$IMG" "$SCRATCH/tampered"
layer=$(jq -r '.layers[0].digest' "$SCRATCH/tampered/blobs/sha256/$(jq -r '.manifests[0].digest' "$SCRATCH/tampered/index.json" | cut -d: -f2)" | cut -d: -f2)
# (a byte in the middle: inside a file's contents, past every header)
size=$(stat -c %s "$SCRATCH/tampered/blobs/sha256/$layer")
printf 'X' | dd of="$SCRATCH/tampered/blobs/sha256/$layer" bs=1 \
    seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_fail "umoci refuses a tampered layer" "digest|mismatch|verif" \
    umoci unpack --image "$SCRATCH/tampered:v1" "$SCRATCH/bundle2"

# The pod's network as a CNI plugin leaves it: eth0 on a veth pair,
# addressed, with a default route; the peer in a namespace of its own.
ip netns add "$NC" && ip netns add "$NH" &&
    ip link add "oc$$" type veth peer name "oh$$" &&
    ip link set "oc$$" netns "$NC" && ip link set "oh$$" netns "$NH" &&
    ip -n "$NC" link set "oc$$" name eth0 &&
    ip -n "$NC" addr add 198.18.0.2/24 dev eth0 &&
    ip -n "$NC" link set eth0 up && ip -n "$NC" link set lo up &&
    ip -n "$NC" route add default via 198.18.0.1 &&
    ip -n "$NH" addr add 198.18.0.1/24 dev "oh$$" &&
    ip -n "$NH" link set "oh$$" up || { fail "namespaces and veth pair"; exit 1; }
# What the orchestrator adds: the pod's network namespace, CAP_NET_ADMIN
# and /dev/net/tun (docs/deploy.md), and no terminal.
jq --arg ns "/var/run/netns/$NC" '
    .process.terminal = false
  | .linux.namespaces |= map(if .type == "network" then {type: "network", path: $ns} else . end)
  | .process.capabilities.bounding += ["CAP_NET_ADMIN"]
  | .process.capabilities.effective += ["CAP_NET_ADMIN"]
  | .process.capabilities.permitted += ["CAP_NET_ADMIN"]
  | .linux.devices = [{path: "/dev/net/tun", type: "c", major: 10, minor: 200, fileMode: 438, uid: 0, gid: 0}]
  | .linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 200, access: "rwm"}]' \
    "$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
RUNLOG=$SCRATCH/runc.log
(cd "$BUNDLE" && exec timeout 300 runc run "$CTR") >"$RUNLOG" 2>&1 &
QPID=$!
if wait_line "$RUNLOG" "echo: port 7" 20 >"$LOG" 2>&1; then
    ok "runc runs the image: echo serves"
    t "the launcher gave eth0's address to the unikernel" \
        grep -q "eth0 is the unikernel's (198.18.0.2/24 via 198.18.0.1)" "$RUNLOG"
    t "the unikernel in the container answers ping" \
        ip netns exec "$NH" ping -c 3 -i 0.2 -W 5 198.18.0.2
    head -c 1000000 /dev/urandom >"$SCRATCH/1m"
    echo_1m() {
        local got want
        want=$(sha256sum <"$SCRATCH/1m" | cut -d' ' -f1)
        got=$(ip netns exec "$NH" timeout 60 socat -t 20 - TCP:198.18.0.2:7 \
            <"$SCRATCH/1m" | sha256sum | cut -d' ' -f1)
        [ "$got" = "$want" ]
    }
    t "it echoes 1 MB over TCP (SHA-256 checked)" echo_1m
else
    fail "runc runs the image: echo serves"
fi
runc delete -f "$CTR" >/dev/null 2>&1
wait "$QPID" 2>/dev/null
QPID=

# ---- an image for urunc -------------------------------------------------------
if ! build_app "$E/echo" virtio; then fail "echo builds for virtio"; exit 1; fi
UIMG=$SCRATCH/echo-urunc
expect_out "atoll package writes a layout (virtio, for urunc)" \
    "packaged 'echo' \(target virtio\) as an image for urunc" \
    "$ATOLL" -C "$APP" package -o "$UIMG"
UB=$SCRATCH/ubundle
t "umoci unpacks it" umoci unpack --image "$UIMG:latest" "$UB"
manifest=$UIMG/blobs/sha256/$(jq -r '.manifests[0].digest' "$UIMG/index.json" | cut -d: -f2)
annotation() { jq -r --arg k "com.urunc.unikernel.$1" '.annotations[$k]' "$manifest"; }
t "the manifest says: type mirage, hypervisor qemu, binary /atoll/echo" \
    test "$(annotation unikernelType) $(annotation hypervisor) $(annotation binary)" = \
    "mirage qemu /atoll/echo"
t "urunc.json carries the same, base64-encoded" \
    test "$(jq -r '."com.urunc.unikernel.unikernelType"' "$UB/rootfs/urunc.json" | base64 -d) $(jq -r '."com.urunc.unikernel.binary"' "$UB/rootfs/urunc.json" | base64 -d)" = \
    "mirage /atoll/echo"
CMDLINE=$(jq -r '.process.args | join(" ")' "$UB/config.json")
t "the process arguments are the guest's command line" \
    test "$CMDLINE" = "--net:service=auto --" -a "$(annotation cmdline)" = "$CMDLINE"

# QEMU as urunc's backend runs it (hypervisors/qemu.go), TCG for KVM.
urunc_qemu() { # BINARY TAP CMDLINE
    qemu-system-x86_64 -m 64M -L /usr/share/qemu -cpu max -accel tcg \
        -display none -vga none -monitor null -serial stdio -kernel "$1" \
        ${2:+-netdev tap,id=net0,script=no,downscript=no,ifname=$2} \
        ${2:+-device virtio-net-pci,netdev=net0,host_mtu=1500,mac=02:00:c6:12:00:02} \
        -append "$3"
}
ip netns del "$NC"
ip netns add "$NC" && ip -n "$NC" link set lo up &&
    ip -n "$NC" tuntap add dev tap0 mode tap &&
    ip -n "$NC" addr add 198.18.0.1/24 dev tap0 && ip -n "$NC" link set tap0 up ||
    { fail "namespace with tap0"; exit 1; }
QLOG=$SCRATCH/qemu.log
(exec ip netns exec "$NC" timeout 300 bash -c "$(declare -f urunc_qemu); urunc_qemu '$UB/rootfs/atoll/echo' tap0 '--ipv4=198.18.0.2/24 --ipv4-gateway=198.18.0.1 $CMDLINE'") \
    >"$QLOG" 2>&1 &
QPID=$!
if wait_line "$QLOG" "echo: port 7 on 198.18.0.2/24" 30 >"$LOG" 2>&1; then
    ok "urunc's QEMU invocation boots it with urunc's network arguments"
    t "it answers ping" ip netns exec "$NC" ping -c 3 -i 0.2 -W 5 198.18.0.2
else
    fail "urunc's QEMU invocation boots it with urunc's network arguments"
fi
kill "$QPID" 2>/dev/null
wait "$QPID" 2>/dev/null
QPID=
if build_app "$E/hello" virtio && "$ATOLL" -C "$APP" package -o "$SCRATCH/hello-urunc" >"$LOG" 2>&1 &&
    umoci unpack --image "$SCRATCH/hello-urunc:latest" "$SCRATCH/hb" >>"$LOG" 2>&1; then
    HCMD=$(jq -r '.process.args | join(" ")' "$SCRATCH/hb/config.json")
    expect_out "a guest that exits turns urunc's QEMU off (no reboot)" \
        "^Hello World!" timeout 60 bash -c "$(declare -f urunc_qemu); urunc_qemu '$SCRATCH/hb/rootfs/atoll/hello' '' '$HCMD --count=1'"
else
    fail "hello packages for urunc"
fi

# ---- refusals -------------------------------------------------------------------
build_app "$E/hello" unix
expect_status "a unix program is not packaged" 1 "target unix makes a Linux program" \
    "$ATOLL" -C "$APP" package
build_app "$E/block" virtio
expect_status "a urunc image with a block device is refused" 1 \
    "urunc gives a unikernel of type mirage under QEMU no block device" \
    "$ATOLL" -C "$APP" package
