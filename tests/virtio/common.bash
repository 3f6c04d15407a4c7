# tests/virtio/common.bash - shared by the tests/virtio/*.sh scripts (not a
# test itself: tests/run.sh runs only *.sh).  Sources tests/lib.sh and
# adds what the virtio tests need: a scratch folder, build_app (a copy of
# an application folder configured and built for a target; its path in
# $APP), QEMU's presence, and the machines every test runs on.
#
# The machines: q35 (virtio over PCI) and microvm (virtio over MMIO, the
# transport Firecracker offers).  Under QEMU's TCG (no /dev/kvm here) a
# boot costs a few hundred milliseconds, so the tests keep guest work
# small.  --accel=tcg is given explicitly, so a host with KVM runs the
# same emulation as CI unless ATOLL_VIRTIO_ACCEL says otherwise.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export ATOLL_BUILD=$BUILD
SCRATCH=$(mktemp -d /tmp/atoll-virtio.XXXXXX)
trap 'rm -rf "$SCRATCH" "$LOG"' EXIT
MACHINES=${VIRTIO_MACHINES:-q35 microvm}
ACCEL=--accel=${ATOLL_VIRTIO_ACCEL:-tcg}

build_app() { # SRC TARGET [CONFIGURE-ARGS...]
    local src=$1 target=$2; shift 2
    APP=$SCRATCH/$(basename "$src")-$target
    rm -rf "$APP"
    cp -r "$src" "$APP"
    rm -rf "$APP/_build"
    "$ATOLL" -C "$APP" configure -t "$target" "$@" >"$LOG" 2>&1 &&
        "$ATOLL" -C "$APP" build >>"$LOG" 2>&1
}

# vrun MACHINE ARGS...: atoll run in $APP on MACHINE (bounded in time).
vrun() {
    local m=$1; shift
    (cd "$APP" && timeout 120 "$ATOLL" run --machine="$m" $ACCEL "$@")
}

# QEMU is installed by scripts/install-deps.sh: its absence is a failure.
virtio_preflight() {
    if ! command -v qemu-system-x86_64 >/dev/null; then
        fail "preflight" "qemu-system-x86_64 is missing: scripts/install-deps.sh installs it"
        exit 1
    fi
    if [ ! -f "$BUILD/virtio/libatoll_virtio.a" ]; then
        fail "preflight" "build first: make BUILD=... virtio-libs"
        exit 1
    fi
}
