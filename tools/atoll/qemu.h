/*
 * tools/atoll/qemu.h - `atoll run` for target virtio: the unikernel as a
 * QEMU virtual machine.
 *
 *     atoll run [--machine=q35|microvm] [--accel=kvm|tcg] [--gdb[=PORT]]
 *               [--mem=MiB] [--net:NAME=TAP]... [--block:NAME=FILE]...
 *               [RUNTIME-OPTIONS] [-- APP-ARGS]
 *
 * starts qemu-system-x86_64 (or $ATOLL_QEMU) with the image as its
 * -kernel (PVH boot), the serial console on standard output, an
 * isa-debug-exit device for the exit status, and one virtio device per
 * attachment, in the manifest's order:
 *
 *     q35 (default)  virtio-net-pci / virtio-blk-pci at PCI 00:SS.0,
 *                    SS = QEMU_PCI_SLOT0 + the device's index
 *     microvm        virtio-net-device / virtio-blk-device on
 *                    virtio-mmio-bus.K, K = the device's index, which
 *                    QEMU places at QEMU_MMIO_BASE + K * QEMU_MMIO_SIZE
 *
 * and tells the guest where each one is on its command line
 * (--net:NAME=pci:00:SS.0, --block:NAME=mmio:0xADDR; docs/virtio.md).
 * The manifest checks are the runtime's, made before QEMU starts, with
 * its messages: an attachment the application does not declare, one
 * given twice or one missing is refused by name with status 64; a tap
 * device or file that is not there, with status 65.  A block file must be
 * a whole number of 512-byte sectors.  KVM is used when /dev/kvm can be
 * opened, QEMU's TCG otherwise (--accel= decides).
 *
 * --gdb starts QEMU's gdb stub on 127.0.0.1:PORT (default 1234) with the
 * machine stopped before its first instruction, and prints the gdb
 * command that attaches.
 *
 * The status is the guest's: the guest writes status + 1 to the
 * debug-exit port and QEMU exits with 2 * (status + 1) + 1 (virtio_int.h),
 * which is turned back here.  QEMU's own failure (its status 1) is 113, a guest
 * that stopped without a status (a reset) or crashed (its report is on the
 * console) 114, a signal 128 + N.
 */
#ifndef ATOLL_TOOL_QEMU_H
#define ATOLL_TOOL_QEMU_H

#include "manifest.h"
#include "targets.h"

#define QEMU_PCI_SLOT0 4
#define QEMU_MMIO_BASE 0xfeb00000ULL
#define QEMU_MMIO_SIZE 0x200
#define QEMU_MMIO_MAX  24 /* microvm's virtio-mmio transports */

/* Statuses of the runner itself (as atoll-hvt's, platform/hvt/abi.h). */
#define QEMU_EXIT_TENDER 113
#define QEMU_EXIT_CRASH  114

/* Runs image `bin` of manifest `m` under QEMU as above; argv[1..argc-1]
 * are the run arguments.  Returns the status for the tool. */
int qemu_run(const struct target *t, const char *root, const char *bin,
             const struct manifest *m, int argc, char **argv);

#endif
