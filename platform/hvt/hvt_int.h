/*
 * platform/hvt/hvt_int.h - internals of the hvt guest platform, shared by
 * its files (one concern each):
 *
 *     start.S     entry point: BSS, stack canary, then hvt_start
 *     core.c      boot (argv from the boot info), console, clocks,
 *                 memory, waiting, randomness, exit, libc hooks
 *     net.c       net devices: batched receive and send
 *     net_direct.c  net devices when hypercalls are cheap (atoll-spt):
 *                 one frame at a time, no copies
 *     block.c     block devices
 *
 * The ABI with the tender is hvt/abi.h.
 */
#ifndef ATOLL_PLATFORM_HVT_INT_H
#define ATOLL_PLATFORM_HVT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvt/abi.h"

/* How this guest makes hypercalls: the boot info's `hypercall` field,
 * copied by start.S before any C code runs (hvt/abi.h, HYPERCALLS). */
extern uint64_t hvt_hypercall_entry;

/* One hypercall: a VM exit under atoll-hvt, a function call into the
 * tender under atoll-spt - the same image runs under both. */
static inline void hvt_call(unsigned nr, void *arg)
{
    atoll_hvt_hypercall(hvt_hypercall_entry, nr, arg);
}

/* The boot information, set by hvt_start before anything else runs. */
extern const struct atoll_hvt_boot_info *hvt_boot_info;

/* The image's own manifest (the note the tool generates into every hvt
 * image, see tools/atoll/build.c). */
extern const struct atoll_hvt_manifest_note atoll_hvt_manifest_note;

/* The manifest index of device `name` of `kind`, or -1. */
int hvt_device_find(const char *name, uint32_t kind);

/* C entry, called by start.S with the boot info.  Never returns. */
_Noreturn void hvt_start(const struct atoll_hvt_boot_info *bi);

/* True when hypercalls are function calls (atoll-spt): frames then move
 * one at a time straight from and into the caller's buffers
 * (net_direct.c), not through the batches of net.c. */
bool hvt_net_direct(void);
/* plat_net_read(_gro) and plat_net_write(_tso) for that case; csum_ok
 * NULL: an ordinary read (no offload frames). */
int hvt_net_direct_read(int dev, void *buf, size_t len, bool *csum_ok);
int hvt_net_direct_write(int dev, const void *buf, size_t len, uint16_t gso);

/* What the rest of the platform asks of net.c, through pointers that net.c
 * sets when the first device opens: an image without a network device
 * then links no network code at all (hello is ~4 KiB smaller).
 *   flush_all      sends frames queued by plat_net_write; called before
 *                  the guest exits, so no frame stays behind.
 *   wait_prepare   fills the wait's tx list (every queued frame: the
 *                  tender sends them before it waits) and rx list (an
 *                  empty batch for each device in `interest`, filled after
 *                  the wait) - see hvt/abi.h.  Returns the devices that
 *                  still have received frames buffered: they are ready
 *                  now, so the caller must not sleep.
 *   wait_done      after the wait: the queues it sent are empty, the
 *                  batches it filled are served by plat_net_read. */
struct hvt_net_hooks {
    void (*flush_all)(void);
    uint64_t (*wait_prepare)(struct atoll_hvt_wait *w, uint64_t interest);
    void (*wait_done)(const struct atoll_hvt_wait *w);
};
/* NULL until a net device opens. */
extern const struct hvt_net_hooks *hvt_net_hooks;

/* The stack protector's reference value, set from the tender's random
 * bytes by start.S before any protected function runs. */
extern uintptr_t __stack_chk_guard;
_Noreturn void __stack_chk_fail(void);

#endif
