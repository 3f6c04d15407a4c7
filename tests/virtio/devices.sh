#!/usr/bin/env bash
# tests/virtio/devices.sh - virtio-blk under QEMU (TCG) on q35 (PCI) and
# microvm (MMIO), and the device checks of `atoll run`:
#   - examples/block writes, reads back and verifies a 1 MiB disk, as on
#     unix, and its writes reach the host file;
#   - examples/notes keeps its history across reboots, alternating the
#     machines, and the host's `atoll store log` reads it;
#   - two disks land where their names say (each gets its own name
#     written into its first sector);
#   - refused configurations, by name: an undeclared device, one given
#     twice, one missing, a missing file, a file that is not whole
#     sectors, a missing tap device;
#   - a legacy-only virtio device (no VIRTIO_F_VERSION_1) is refused.
. "$(dirname "$0")/common.bash"
suite virtio-devices
virtio_preflight
E=$ROOT/examples
DISK=$SCRATCH/disk.img
fresh_disk() { rm -f "$1"; truncate -s "${2:-1M}" "$1"; }
nonzero() { [ "$(tr -d '\0' <"$1" | wc -c)" -gt 0 ]; }

# ---- examples/block ----------------------------------------------------------
if build_app "$E/block" unix; then
    fresh_disk "$DISK"
    (cd "$APP" && "$ATOLL" run --block:disk="$DISK") 2>&1 |
        grep -v '^atoll: ' >"$SCRATCH/block.unix"
else
    fail "block builds for unix"
fi
if build_app "$E/block" virtio; then
    for m in $MACHINES; do
        fresh_disk "$DISK"
        vrun "$m" --block:disk="$DISK" >"$LOG" 2>&1
        st=$?
        grep -v '^atoll: ' "$LOG" >"$SCRATCH/block.$m"
        if [ $st -ne 0 ]; then fail "block on $m exits 0" "status $st"
        elif ! grep -qx 'verified 2048 sectors' "$SCRATCH/block.$m"; then
            fail "block on $m verifies 2048 sectors"
        elif ! diff -u "$SCRATCH/block.unix" "$SCRATCH/block.$m" >"$LOG"; then
            fail "block on $m prints what it prints on unix"
        else ok "block verifies a 1 MiB disk on $m, as on unix"; fi
        t "block's writes reached the file ($m)" nonzero "$DISK"
    done
else
    fail "block builds for virtio"
fi

# ---- examples/notes: history across reboots ----------------------------------
if build_app "$E/notes" virtio; then
    fresh_disk "$DISK" 4M
    i=0
    for m in q35 microvm q35; do
        i=$((i + 1))
        expect_status "notes boot $i on $m commits" 0 "^boot $i: commit [0-9a-f]{12}$" \
            vrun "$m" --block:disk="$DISK" -- --note="note $i"
    done
    cp "$LOG" "$SCRATCH/notes.3"
    t "the third boot lists all three notes in its history" \
        grep -q '^  [0-9a-f]\{12\} boot 1: note 1$' "$SCRATCH/notes.3"
    expect_out "the host reads the history (atoll store log)" \
        "boot 3: note 3" "$ATOLL" store log "$DISK"
else
    fail "notes builds for virtio"
fi

# ---- two disks, each where its name says --------------------------------------
mkdir -p "$SCRATCH/two"
cat >"$SCRATCH/two/atoll.manifest" <<'M'
name   two
device block first
device block second
M
cat >"$SCRATCH/two/main.c" <<'C'
#include "atoll_app.h"
#include <string.h>
/* Writes each device's own name into its first sector. */
static int mark(struct atoll_block *b, const char *name)
{
    static char sector[512];
    memset(sector, 0, sizeof sector);
    strcpy(sector, name);
    return atoll_block_write(b, 0, sector, 1) || atoll_block_flush(b);
}
int app_main(struct app *app)
{
    return mark(app->first, "first") || mark(app->second, "second");
}
C
first_is() { [ "$(head -c 16 "$1" | tr -d '\0')" = "$2" ]; }
if build_app "$SCRATCH/two" virtio; then
    for m in $MACHINES; do
        fresh_disk "$SCRATCH/a.img"
        fresh_disk "$SCRATCH/b.img"
        vrun "$m" --block:second="$SCRATCH/b.img" --block:first="$SCRATCH/a.img" \
            >"$LOG" 2>&1
        t "two disks on $m: each file got its own device's writes" \
            eval 'first_is "$SCRATCH/a.img" first && first_is "$SCRATCH/b.img" second'
    done
else
    fail "the two-disk application builds for virtio"
fi

# ---- refused configurations ---------------------------------------------------------
build_app "$E/block" virtio
fresh_disk "$DISK"
expect_status "an undeclared device is refused by name" 64 \
    "--block:other: the application declares no block device 'other' \(declared: disk\)" \
    vrun q35 --block:disk="$DISK" --block:other="$DISK"
expect_status "a device attached twice is refused" 64 "--block:disk: attached twice" \
    vrun q35 --block:disk="$DISK" --block:disk="$DISK"
expect_status "a declared device left unattached is refused" 64 \
    "block device 'disk' is not attached \(give --block:disk=...\)" vrun microvm
expect_status "a missing disk file is refused" 65 \
    "--block:disk: cannot use '$SCRATCH/none.img'" \
    vrun q35 --block:disk="$SCRATCH/none.img"
head -c 1000 /dev/zero >"$SCRATCH/odd.img"
expect_status "a file that is not whole sectors is refused" 65 \
    "is 1000 bytes, not a whole number of 512-byte sectors" \
    vrun q35 --block:disk="$SCRATCH/odd.img"
build_app "$E/echo" virtio
expect_status "a tap device that does not exist is refused" 65 \
    "--net:service: no tap device 'atollnone$$' on this host" \
    vrun q35 --net:service=atollnone$$ -- --ipv4=198.18.0.2/24
expect_status "a net device given as a block device is refused" 64 \
    "--block:service: the application declares no block device 'service' \(declared: none\)" \
    vrun q35 --block:service="$DISK" -- --ipv4=198.18.0.2/24

# ---- a legacy device is refused ------------------------------------------------------------
# A wrapper around QEMU turns the devices `atoll run` asks for into legacy
# ones (PCI: modern interface off; MMIO: version 1).
cat >"$SCRATCH/legacy-qemu" <<'SH'
#!/bin/sh
for a in "$@"; do
    shift
    case $a in
    *disable-legacy=on*) a=$(echo "$a" | sed 's/disable-legacy=on/disable-legacy=off,disable-modern=on/') ;;
    virtio-mmio.force-legacy=false) a=virtio-mmio.force-legacy=true ;;
    esac
    set -- "$@" "$a"
done
exec qemu-system-x86_64 "$@"
SH
chmod +x "$SCRATCH/legacy-qemu"
build_app "$E/block" virtio
expect_status "a legacy virtio-blk-pci device is refused (q35)" 65 \
    "virtio block device 'disk': no virtio 1.x capabilities: a legacy device" \
    env ATOLL_QEMU="$SCRATCH/legacy-qemu" bash -c \
    "cd '$APP' && timeout 120 '$ATOLL' run --machine=q35 $ACCEL --block:disk='$DISK'"
expect_status "a legacy virtio-mmio device is refused (microvm)" 65 \
    "virtio-mmio version 1: Atoll speaks version 2" \
    env ATOLL_QEMU="$SCRATCH/legacy-qemu" bash -c \
    "cd '$APP' && timeout 120 '$ATOLL' run --machine=microvm $ACCEL --block:disk='$DISK'"

# The default accelerator (tools/atoll/qemu.c, kvm_usable): KVM where
# /dev/kvm can be opened, but TCG under kvm-pvm, which runs no QEMU guest
# (a /sys with module/kvm_pvm, given by ATOLL_SYSFS).  The command line is
# shown (ATOLL_QEMU_SHOW) and QEMU is `true`: nothing boots.
mkdir -p "$SCRATCH/sys-pvm/module/kvm_pvm" "$SCRATCH/sys-plain/module"
t "under kvm-pvm the default accelerator is TCG (-accel tcg -cpu max)" \
    bash -c "[ \"\$(cd '$APP' && ATOLL_SYSFS='$SCRATCH/sys-pvm' ATOLL_QEMU=true ATOLL_QEMU_SHOW=1 timeout 60 '$ATOLL' run --block:disk='$DISK' 2>&1 | grep -o -- '-accel [a-z]* -cpu [a-z]*')\" = '-accel tcg -cpu max' ]"
if have_kvm; then want='-accel kvm -cpu host'; else want='-accel tcg -cpu max'; fi
t "elsewhere KVM when /dev/kvm opens, else TCG ($want here)" \
    bash -c "[ \"\$(cd '$APP' && ATOLL_SYSFS='$SCRATCH/sys-plain' ATOLL_QEMU=true ATOLL_QEMU_SHOW=1 timeout 60 '$ATOLL' run --block:disk='$DISK' 2>&1 | grep -o -- '-accel [a-z]* -cpu [a-z]*')\" = '$want' ]"
