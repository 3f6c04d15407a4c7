/*
 * platform/virtio/virtio_int.h - internals of the virtio guest platform, shared
 * by its files (one concern each):
 *
 *     start.S     PVH entry: 32-bit protected mode to 64-bit C
 *     core.c      boot (the start info, the command line, memory), options,
 *                 memory, randomness, exit, libc hooks
 *     console.c   the serial console (a 16550 UART at COM1)
 *     clock.c     the clocks: the TSC calibrated against the PIT, the CMOS
 *                 real-time clock for the wall time
 *     intr.c      the IDT, the local APIC and its timer, the I/O APIC,
 *                 traps (a crash report); traps.S the entry stubs
 *     wait.c      plat_wait: halt until an interrupt or the deadline
 *     paging.c    the page tables: W^X for the image, guard pages, device
 *                 registers
 *     pci.c       the virtio PCI transport (q35): capabilities, MSI-X
 *     mmio.c      the virtio MMIO transport (microvm, Firecracker)
 *     vdev.c      attachment specs, finding and starting a device
 *                 (status, feature negotiation), the device table
 *     virtq.c     split virtqueues, checking what the device writes
 *     net.c       virtio-net
 *     block.c     virtio-blk
 *
 * docs/virtio.md describes the target: boot, devices, interrupts, the
 * security model.
 */
#ifndef ATOLL_PLATFORM_VIRTIO_INT_H
#define ATOLL_PLATFORM_VIRTIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

/* ---- exit (core.c) ------------------------------------------------------ */

/*
 * The guest ends QEMU with isa-debug-exit (I/O port VIRTIO_EXIT_PORT,
 * 4 bytes wide): writing v makes QEMU exit with (v << 1) | 1.  The guest
 * writes status + 1, so that QEMU's own failures (status 1) and a guest
 * that stopped without a status (a reset: QEMU exits 0) cannot be taken
 * for one of the guest's: `atoll run` turns an odd status s >= 3 back
 * into (s - 3) / 2.  Without that device the machine is turned off the
 * ACPI way (acpi.c), else reset.  Statuses above VIRTIO_EXIT_MAX are reserved,
 * as on hvt: VIRTIO_EXIT_CRASH is a guest fault (a trap).
 */
#define VIRTIO_EXIT_PORT  0xf4
#define VIRTIO_EXIT_MAX   111
#define VIRTIO_EXIT_CRASH 114

/* Stops the machine with `status` (not checked), without flushing
 * anything: debug-exit, else ACPI S5 (QEMU started by others), else a
 * reset through the keyboard controller (Firecracker ends the VM on it),
 * else halts for good. */
_Noreturn void virtio_poweroff(int status);

/* ---- ACPI poweroff (acpi.c) -----------------------------------------------
 */

struct pvh_start_info;
/* Finds the PM1a control port and the S5 sleep type in the firmware's
 * ACPI tables; at boot, before paging_init (low memory) and before the
 * heap is used (the tables may lie where it will be). */
void acpi_init(const struct pvh_start_info *si);
/* Enters S5 (the machine turns off) when acpi_init found how; else
 * returns. */
void acpi_poweroff(void);

/* ---- boot (core.c) ------------------------------------------------------ */

/* C entry, called by start.S with the start info's physical address. */
_Noreturn void virtio_start(uint32_t start_info);

/* The image's extent (virtio.ld) and the end of the RAM the heap is in. */
extern char __image_start[], __rodata_start[], __data_start[], __bss_start[],
    _end[], __image_end[];
extern char boot_stack_bottom[];
extern uint64_t virtio_ram_end;

/* A virtio-mmio transport named on the command line
 * (virtio_mmio.device=SIZE@ADDR:IRQ, as QEMU's microvm and Firecracker
 * write it for Linux). */
struct mmio_slot {
    uint64_t addr, size;
    int irq; /* GSI, -1 if not given */
};
#define VIRTIO_MMIO_SLOTS 32
extern struct mmio_slot virtio_mmio_slots[VIRTIO_MMIO_SLOTS];
extern int virtio_mmio_nslots;

/* The stack protector's reference value, set by start.S. */
extern uintptr_t __stack_chk_guard;
_Noreturn void __stack_chk_fail(void);

/* ---- console (console.c) ----------------------------------------------- */

void console_init(void);
/* Writes every byte (a full UART transmitter is waited for). */
void console_write(const char *buf, size_t len);
/* Waits (bounded) until the UART has sent every byte written. */
void console_drain(void);

/* ---- clocks (clock.c) ---------------------------------------------------- */

/* Calibrates the TSC, reads the wall clock; before anything reads a clock.
 * Returns 0, or -1 with the reason printed (no usable TSC). */
int clock_init(void);
/* TSC ticks per second, as calibrated. */
extern uint64_t clock_tsc_hz;
/* Nanoseconds since clock_init (the monotonic clock). */
uint64_t clock_now_ns(void);
/* Spins for `ns` nanoseconds of TSC time. */
void clock_delay_ns(uint64_t ns);

/* ---- interrupts (intr.c, traps.S) ---------------------------------------- */

/* Vectors: one for the timer, one shared by every device (an interrupt
 * only wakes the CPU: wait.c then looks at every ring), and the local
 * APIC's spurious vector. */
#define VEC_TIMER    0x20
#define VEC_DEVICE   0x21
#define VEC_SPURIOUS 0xff

/* The IDT, the legacy PIC masked, the local APIC on and its timer
 * calibrated against the TSC.  0, or -1 with the reason printed. */
int intr_init(void);
/* One-shot timer interrupt in `ns` (clamped to what the counter holds;
 * an early wake-up is harmless, the caller re-checks). */
void intr_timer_arm(uint64_t ns);
void intr_timer_stop(void);
/* Routes I/O APIC input `gsi` to VEC_DEVICE (edge-triggered).  0 or -1. */
int intr_route_gsi(int gsi);
/* The MSI message that delivers VEC_DEVICE to this CPU. */
uint64_t intr_msi_addr(void);
uint32_t intr_msi_data(void);
/* Enables interrupts and halts until one arrives; the handlers return
 * with interrupts off again, so this returns with them off.  Atomic: an
 * interrupt pending at the call ends the halt at once. */
void intr_halt(void);
/* While a device whose interrupts do not reach us is open: the longest
 * halt of a wait on it, in ns (0: every device interrupts). */
extern uint64_t virtio_wait_poll_ns;
/* Halts with interrupts off for good. */
_Noreturn void intr_die(void);

/* What the entry stubs push before calling virtio_trap (traps.S). */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};
/* Every exception lands here: a report, then VIRTIO_EXIT_CRASH. */
_Noreturn void virtio_trap(struct trap_frame *f);

/* ---- paging (paging.c) --------------------------------------------------- */

/* The final page tables: the image's text read+execute, its rodata
 * read-only, data and heap read+write and not executable, page 0 absent,
 * the rest of the first 4 GiB as device memory (uncached, not
 * executable).  0, or -1 with the reason printed. */
int paging_init(void);
/* Makes [phys, phys+len) reachable as device memory (identity-mapped,
 * uncached): a no-op below 4 GiB, page tables of its own above.  0 or
 * -ATOLL_ENOMEM. */
int paging_map_device(uint64_t phys, uint64_t len);
/* Whether `addr` lies on a guard page set with plat_guard_page. */
bool paging_is_guard(uint64_t addr);

/* ---- devices (vdev.c, pci.c, mmio.c) --------------------------------------
 */

/* Virtio device types (virtio 1.x, 5: Device Types). */
#define VIRTIO_ID_NET   1
#define VIRTIO_ID_BLOCK 2

/* Device status bits (virtio 1.x, 2.1). */
#define VIRTIO_S_ACK         1
#define VIRTIO_S_DRIVER      2
#define VIRTIO_S_DRIVER_OK   4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 64
#define VIRTIO_S_FAILED      128

/* Feature bits every device type shares. */
#define VIRTIO_F_VERSION_1 32

struct vdev;

/* Queues a driver uses at most (net: receive and send). */
#define VDEV_QUEUES 2

/* What a transport does for a device (pci.c, mmio.c).  Every value read
 * from the device is the device's word: callers check it. */
struct vtransport {
    const char *name; /* "pci", "mmio" */
    /* Virtio device type at the location, 0 if none.  Probing only reads
     * identification registers. */
    uint32_t (*device_type)(struct vdev *d);
    /* Finds the registers (PCI capabilities and BARs), maps them, sets up
     * the interrupt.  0 or -ATOLL_ENODEV with a message in d->why. */
    int (*setup)(struct vdev *d);
    uint8_t (*status)(struct vdev *d);
    void (*set_status)(struct vdev *d, uint8_t s);
    uint64_t (*features)(struct vdev *d);
    void (*set_features)(struct vdev *d, uint64_t f);
    uint32_t (*generation)(struct vdev *d);
    /* Device-specific configuration, `len` (1, 2, 4) bytes at `off`. */
    uint32_t (*config)(struct vdev *d, uint32_t off, uint32_t len);
    /* Largest size of queue q (0: no such queue). */
    uint16_t (*queue_max)(struct vdev *d, uint16_t q);
    /* Gives queue q its size and ring addresses, enables it.  0 or
     * -ATOLL_EIO. */
    int (*queue_setup)(struct vdev *d, uint16_t q, uint16_t size, uint64_t desc,
                       uint64_t avail, uint64_t used);
    void (*notify)(struct vdev *d, uint16_t q);
    /* Acknowledges the device's interrupt (MMIO: InterruptStatus ->
     * InterruptACK; nothing with MSI-X). */
    void (*ack)(struct vdev *d);
};

extern const struct vtransport vtransport_pci, vtransport_mmio;

/* A virtio device as the platform knows it: where it is, how to reach
 * it, what was negotiated. */
struct vdev {
    const struct vtransport *t;
    uint32_t type;         /* VIRTIO_ID_* it must be */
    char name[64];         /* the declared device name */
    uint8_t bus, slot, fn; /* PCI location */
    uint64_t base;         /* MMIO transport address */
    int irq;               /* MMIO: GSI, -1 unknown */
    /* PCI: mapped register windows (virtio 1.x, 4.1.4), their lengths,
     * and each queue's notification address. */
    uintptr_t common, notify, isr, devcfg;
    uint32_t notify_mult, notify_len, devcfg_len;
    uintptr_t qnotify[VDEV_QUEUES];
    bool msix;
    bool interrupts;   /* its interrupts reach VEC_DEVICE */
    bool broken;       /* wrote something impossible: not used again */
    uint64_t features; /* negotiated */
    char why[160];     /* the last problem, for messages */
};

/* A feature the driver takes only together with others: `feature` is
 * given up when the device does not offer all of `needs` (bit masks). */
struct vdev_need {
    unsigned feature;
    uint64_t needs;
};

/* Starts device d (located, t set): reset, acknowledge, negotiate
 * `wanted` features (VIRTIO_F_VERSION_1 is required) less those whose
 * companions in `needs` (n entries, may be 0) the device lacks, leaving
 * FEATURES_OK set; the caller sets up its queues, then calls
 * vdev_ready.  0 or -ATOLL_ENODEV with d->why. */
int vdev_start(struct vdev *d, uint64_t wanted, const struct vdev_need *needs,
               int n);
void vdev_ready(struct vdev *d);
/* Whether feature bit `feature` was negotiated. */
bool vdev_has(const struct vdev *d, unsigned feature);
/* `len` bytes of the device-specific configuration at `off`, read as one
 * value (under the configuration generation).  0 or -ATOLL_EIO (d->why). */
int vdev_config(struct vdev *d, uint32_t off, void *buf, uint32_t len);
/* Marks d broken (once; the reason on the console) and tells the device
 * (FAILED).  Every later request on it fails with -ATOLL_EIO. */
void vdev_fail(struct vdev *d, const char *why);

/* Finds and starts the attached device `name` of virtio type `type`:
 * the device number (>= 0) and *out, or -ATOLL_ENOENT (not attached),
 * -ATOLL_ENODEV (message in err). */
int vdev_open(const char *name, uint32_t type, struct vdev **out, char *err,
              size_t errlen);
/* Records --net:/--block:NAME=SPEC (SPEC: pci:BB:DD.F, mmio:ADDR or
 * auto).  0 or -ATOLL_EINVAL with a message in err. */
int vdev_attach(const char *name, uint32_t type, const char *spec, char *err,
                size_t errlen);

/* ---- virtqueues (virtq.c) ------------------------------------------------ */

/* A split virtqueue.  The shared parts (desc, avail, used) are what the
 * device sees; everything else is the guest's own record, which is what
 * the guest believes (virtq.c). */
struct virtq {
    struct vdev *dev;
    uint16_t index, size;      /* queue number; entries (a power of 2) */
    void *desc, *avail, *used; /* shared with the device */
    uint16_t avail_idx;        /* next available slot to fill */
    uint16_t published;        /* available index the device was given */
    uint16_t used_seen;        /* used entries consumed */
    uint16_t nfree, *free;     /* stack of free descriptors */
    uint16_t *next;            /* chain links, as we wrote them */
    uint16_t *chain;           /* per head: descriptors, 0 = not in flight */
    uint32_t *wlen;            /* per head: bytes the device may write */
    void **cookie;             /* per head: the caller's */
};

/* One buffer of a chain: `write` if the device writes it. */
struct vbuf {
    void *addr;
    uint32_t len;
    bool write;
};

/* Allocates queue `index` of d with at most `want` entries (and what the
 * device allows, a power of 2) and gives it to the device.  0 or a
 * negative error with d->why. */
int virtq_init(struct virtq *q, struct vdev *d, uint16_t index, uint16_t want);
/* Puts a chain of n buffers in the available ring (not yet published):
 * its head, or -ATOLL_EAGAIN (not enough free descriptors), -ATOLL_EIO
 * (device broken). */
int virtq_add(struct virtq *q, const struct vbuf *b, int n, void *cookie);
/* Publishes the chains added and notifies the device unless it said it
 * needs no notification.  Whether anything was published. */
bool virtq_kick(struct virtq *q);
/* The device has returned something (cheap: one read). */
bool virtq_pending(struct virtq *q);
/* The next returned chain: its head (and the bytes written, the cookie),
 * -ATOLL_EAGAIN (none), -ATOLL_EIO (the device broke a rule, now or
 * before). */
int virtq_get(struct virtq *q, uint32_t *len, void **cookie);
/* Lets the device interrupt when it returns a chain, or asks it not to
 * (a hint it may ignore: wait.c only wakes more often then). */
void virtq_interrupts(struct virtq *q, bool on);

/* ---- the net and block drivers, for wait.c and exit ------------------ */

/* Devices with something for their reader now (a used receive buffer);
 * publishes buffers given back since the last call.  Also the one place
 * that lets devices interrupt: only those in `interest` may. */
uint64_t virtio_net_poll(uint64_t interest);
/* Hands every queued frame to its device and waits (bounded) until the
 * devices have taken them: before the guest stops. */
void virtio_net_flush_all(void);

#endif
