/*
 * platform/hvt/abi.h - the hvt hypercall ABI, shared by the tender
 * (tender/hvt, a Linux program) and guests (platform/hvt, tests/kvm/guests).
 *
 * Everything the two sides agree on lives here and nowhere else: the guest
 * memory layout, the boot information the tender hands the guest, the
 * hypercall numbers and argument structs, and the device manifest note.
 * Two tenders speak it: atoll-hvt runs the image as a KVM virtual machine,
 * atoll-spt runs the very same image as a sandboxed Linux process (see
 * HYPERCALLS and docs/spt.md).
 * The header is freestanding (only <stdint.h> and atoll/error.h), so a
 * guest can include it without any host header.
 *
 * MEMORY LAYOUT (guest-physical == guest-virtual, identity mapped)
 *
 *     0..0x10000        never used by the guest: page 0 is never mapped (NULL
 *                       dereferences fault), and Linux hosts refuse process
 *                       mappings below 64 KiB (vm.mmap_min_addr), which the
 *                       sandboxed tender would need; atoll-hvt keeps its
 *                       GDT + TSS at 0x1000 (read-only, no-execute)
 *     0x10000..0x1c000  boot info, argv pointers and strings (read-only, NX)
 *     0x1c000..0x20000  the console area (read-write, NX; see CONSOLE)
 *     0x20000..1 MiB    atoll-hvt's page tables (not mapped: the guest
 *                       cannot edit them; atoll-spt leaves it inaccessible)
 *     1 MiB             the ELF image's PT_LOAD segments: code R+X,
 *                       read-only data R+NX, data/bss RW+NX
 *     heap_start..heap_end   free memory (RW+NX)
 *     one guard page    never mapped: a stack overflow faults
 *     fiber stack       ATOLL_HVT_FIBER_STACK_SIZE bytes (RW+NX): a stack
 *                       with its guard page already in place, which the
 *                       guest's first fiber takes without a guard call
 *     one guard page    never mapped
 *     stack             ATOLL_HVT_STACK_SIZE bytes ending at mem_size
 *
 * HYPERCALLS
 *     The guest runs in ring 3 (CPL 3) of 64-bit long mode: that is where
 *     KVM runs it natively on every host we target, including software
 *     (shadow-paging) KVM such as PVM, which emulates guest ring-0 code
 *     instruction by instruction.
 *
 *     The boot info's `hypercall` field says how to make a call.  Nonzero
 *     (atoll-spt): it is the address of the tender's entry, and a call is
 *     an ordinary function call, entry(nr, argument struct address) - the
 *     guest is a process and the tender lives in the same address space.
 *     A call then costs nanoseconds, not a VM exit, so such a guest need
 *     not batch: it reads and writes frames one at a time straight from
 *     and into its own buffers (ATOLL_HVT_RX_GRO), saving the copies that
 *     batching through shared areas takes.
 *     Zero (atoll-hvt): a hypercall is one 8-byte store of the
 *     guest-physical address of the call's argument struct to
 *     ATOLL_HVT_HYPERCALL_BASE + 8 * nr: a page mapped in the guest's page
 *     tables with no memory behind it, so the store exits to the tender
 *     (KVM_EXIT_MMIO).  This plays the part of Solo5's `outl` to a port,
 *     which ring 3 cannot use on PVM (it does not virtualise IOPL).  The
 *     vCPU is stopped while the tender handles the call, which reads the
 *     struct, checks it, does the work and writes the results back into it.
 *
 *     Every guest address and length the tender touches is checked first:
 *     it must lie in guest memory above the reserved low area, inside pages
 *     the guest itself may read (for data the tender reads) or write (for
 *     data the tender writes).  A bad one stops the guest with
 *     ATOLL_HVT_EXIT_CRASH and a message naming the call.  Errors that are
 *     not memory-safety problems (unknown device, sector out of range,
 *     EAGAIN) come back as a negative ATOLL_E... code in `ret`.
 *
 * CONSOLE
 *     Output needs no exit of its own: the guest appends it to the console
 *     area (struct atoll_hvt_console_area at ATOLL_HVT_CONSOLE_AREA) and
 *     the tender writes out whatever is there at every VM exit, before it
 *     handles the exit - a hypercall, a crash or a stop - so output and
 *     the tender's own messages keep their order.  The guest makes an exit
 *     for it only when the area is full (ATOLL_HVT_CONSOLE_WRITE, which
 *     drains the area first) or, when the boot info has
 *     ATOLL_HVT_CONSOLE_LINE (the tender's output is a terminal), at the
 *     end of each line.  Otherwise output waits for the guest's next exit:
 *     the next wait (an idle guest exits at once), I/O, or clock sync
 *     (about once a second on a busy one).
 */
#ifndef ATOLL_HVT_ABI_H
#define ATOLL_HVT_ABI_H

#include <stdint.h>

#include "atoll/error.h"

#define ATOLL_HVT_ABI_VERSION 5

/* ---- memory layout ------------------------------------------------------ */
#define ATOLL_HVT_PAGE_SIZE        0x1000ULL
#define ATOLL_HVT_GDT_ADDR         0x1000ULL  /* atoll-hvt only */
#define ATOLL_HVT_LOW_END          0x10000ULL /* the guest uses nothing below */
#define ATOLL_HVT_BOOT_INFO        0x10000ULL /* struct atoll_hvt_boot_info */
#define ATOLL_HVT_BOOT_END         0x1c000ULL /* end of boot info + argv area */
#define ATOLL_HVT_CONSOLE_AREA     0x1c000ULL /* struct atoll_hvt_console_area */
#define ATOLL_HVT_CONSOLE_END      0x20000ULL
#define ATOLL_HVT_PT_START         0x20000ULL  /* page tables (unmapped) */
#define ATOLL_HVT_RESERVED_END     0x100000ULL /* images load at or above */
#define ATOLL_HVT_STACK_SIZE       0x20000ULL  /* 128 KiB, top = mem_size */
#define ATOLL_HVT_FIBER_STACK_SIZE 0x10000ULL  /* 64 KiB, below the stack */
#define ATOLL_HVT_MEM_MIN_MIB      2
#define ATOLL_HVT_MEM_MAX_MIB      4096

/* Handed to the guest's entry point in %rdi.  Read-only for the guest. */
#define ATOLL_HVT_BOOT_MAGIC 0x41544f4c4c425431ULL /* "ATOLLBT1" */
struct atoll_hvt_boot_info {
    uint64_t magic; /* ATOLL_HVT_BOOT_MAGIC */
    uint64_t abi_version;
    uint64_t mem_size;     /* bytes of guest memory */
    uint64_t heap_start;   /* first free byte after the image (page aligned) */
    uint64_t heap_end;     /* end of free memory (start of the guard page) */
    uint64_t stack_top;    /* initial %rsp (== mem_size) */
    uint64_t argc;         /* arguments after `--` on the tender's line */
    uint64_t argv;         /* guest address of argc NUL-terminated strings'
                              addresses (uint64_t[argc]) */
    uint64_t mono_base_ns; /* monotonic clock when the guest started */
    uint64_t wall_base_ns; /* wall clock (ns since 1970) at the same time */
    uint64_t ndevices;     /* number of manifest entries (device indices
                              0..ndevices-1, in manifest order) */
    uint8_t random[32];    /* fresh random bytes: stack canary, PRNG seed */
    /* The clocks without a VM exit (a hypercall costs tens of
     * microseconds on software KVM, and the runtime reads the clock on
     * every scheduler round).  When tsc_khz != 0 the guest's TSC is
     * invariant and runs at tsc_khz kHz, and it read tsc_base at the
     * instant mono_base_ns/wall_base_ns describe: the guest's monotonic
     * clock is mono_base_ns + (rdtsc - tsc_base) / tsc_khz ms.  The guest
     * re-anchors now and then with ATOLL_HVT_CLOCK_SYNC so that it follows
     * the host's clock (which NTP may slew) and the deadlines it hands the
     * wait call mean the same instant to both sides.  tsc_khz == 0: no
     * usable TSC, read the clocks with ATOLL_HVT_MCLOCK/WCLOCK. */
    uint64_t tsc_khz;
    uint64_t tsc_base;
    uint64_t console_flags; /* ATOLL_HVT_CONSOLE_LINE */
    /* [fiber_stack, fiber_stack + ATOLL_HVT_FIBER_STACK_SIZE): a fiber
     * stack whose guard page (the page below) the tender has made. */
    uint64_t fiber_stack;
    /* How to make a hypercall (HYPERCALLS above): 0 = the store to the
     * hypercall page (atoll-hvt); otherwise the address of the tender's
     * entry, void entry(uint64_t nr, uint64_t arg) (atoll-spt). */
    uint64_t hypercall;
};

/* Console output the guest has not handed over yet (CONSOLE above): `len`
 * bytes in data[].  The guest appends and raises len; the tender writes
 * data[0, len) and sets len to 0 at a VM exit.  A len above
 * ATOLL_HVT_CONSOLE_CAP is a guest bug: the tender stops the guest.
 * `requests` is the other way: the tender sets ATOLL_HVT_REQ_* bits in it
 * (an atomic or, at a VM exit or hypercall) for the guest to act on when
 * it next looks; the guest takes them with an atomic exchange to 0. */
struct atoll_hvt_console_area {
    uint32_t len;
    uint32_t requests;
    uint8_t data[];
};
/* requests: write the trace now (the tender got SIGUSR1; the guest answers
 * with ATOLL_HVT_TRACE_WRITE, file = its count of such requests). */
#define ATOLL_HVT_REQ_TRACE 0x1u
#define ATOLL_HVT_CONSOLE_CAP                                                  \
    (ATOLL_HVT_CONSOLE_END - ATOLL_HVT_CONSOLE_AREA -                          \
     sizeof(struct atoll_hvt_console_area))
/* console_flags: the tender's output is a terminal - hand over each
 * complete line at once. */
#define ATOLL_HVT_CONSOLE_LINE 0x1u

/* ---- hypercalls --------------------------------------------------------- */
/* Guest-physical (and virtual) address of the hypercall page: just above
 * the largest guest memory, mapped RW+NX, not backed by memory. */
#define ATOLL_HVT_HYPERCALL_BASE 0x100000000ULL

/* The call itself, for every guest (the runtime's platform/hvt and the
 * bare test guests): `entry` is the boot info's hypercall field.  The
 * store is one plain `mov`, so the host's instruction decoder always
 * understands it; "memory": the tender reads and writes the struct while
 * the guest is stopped.  The function call needs no barrier of its own:
 * the struct's address escapes into it. */
static inline void atoll_hvt_hypercall(uint64_t entry, unsigned nr, void *arg)
{
    if (entry != 0) {
        ((void (*)(uint64_t, uint64_t))(uintptr_t)entry)(
            nr, (uint64_t)(uintptr_t)arg);
        return;
    }
    volatile uint64_t *slot =
        (volatile uint64_t *)(uintptr_t)(ATOLL_HVT_HYPERCALL_BASE + 8 * nr);
    __asm__ volatile("movq %0, (%1)"
                     :
                     : "r"((uint64_t)(uintptr_t)arg), "r"(slot)
                     : "memory");
}

enum atoll_hvt_call {
    ATOLL_HVT_CONSOLE_WRITE = 1, /* struct atoll_hvt_console */
    ATOLL_HVT_MCLOCK = 2,        /* struct atoll_hvt_clock */
    ATOLL_HVT_WCLOCK = 3,        /* struct atoll_hvt_clock */
    ATOLL_HVT_WAIT = 4,          /* struct atoll_hvt_wait */
    ATOLL_HVT_DEVICE_INFO = 5,   /* struct atoll_hvt_device_info */
    ATOLL_HVT_NET_WRITE = 6,     /* struct atoll_hvt_net_io */
    ATOLL_HVT_NET_READ = 7,      /* struct atoll_hvt_net_io */
    ATOLL_HVT_BLOCK_READ = 8,    /* struct atoll_hvt_block_io */
    ATOLL_HVT_BLOCK_WRITE = 9,   /* struct atoll_hvt_block_io */
    ATOLL_HVT_BLOCK_FLUSH = 10,  /* struct atoll_hvt_block_io (device only) */
    ATOLL_HVT_EXIT = 11,         /* struct atoll_hvt_exit */
    ATOLL_HVT_GUARD = 12,        /* struct atoll_hvt_guard */
    ATOLL_HVT_CLOCK_SYNC = 13,   /* struct atoll_hvt_clock_sync */
    ATOLL_HVT_NET_READ_PACKED = 14, /* struct atoll_hvt_net_packed */
    ATOLL_HVT_TRACE_WRITE = 15,     /* struct atoll_hvt_trace */
    ATOLL_HVT_CALL_MAX
};

/* Writes `len` bytes at `data` to the tender's standard output, after
 * what the console area holds (len 0: only drains the area). */
struct atoll_hvt_console {
    uint64_t data, len;
    int64_t ret; /* out: 0 or -ATOLL_EIO */
};

/* MCLOCK: nanoseconds of a clock that never goes back (the host's
 * CLOCK_MONOTONIC).  WCLOCK: nanoseconds since 1970-01-01 UTC. */
struct atoll_hvt_clock {
    uint64_t ns; /* out */
};

/* CLOCK_SYNC: a fresh anchor for the TSC clock (see the boot info): the
 * guest's TSC `tsc` and the host's clocks `mono_ns`/`wall_ns` at one
 * instant (to within a few microseconds).  `ret` is 0, or -ATOLL_ENOTSUP
 * when the boot info's tsc_khz is 0. */
struct atoll_hvt_clock_sync {
    uint64_t tsc;     /* out */
    uint64_t mono_ns; /* out */
    uint64_t wall_ns; /* out */
    int64_t ret;      /* out */
};

/* Blocks the guest until one of the devices in `devices` (bit i = device
 * index i) has input, or the monotonic clock reaches `deadline_ns`.
 * Block devices are always ready.  `ready` gets the subset that is ready
 * (0 when the deadline passed first).
 *
 * The same exit also moves frames, so that a guest that sends, sleeps and
 * receives pays one VM exit, not three: `tx` (when ntx > 0) is the guest
 * address of struct atoll_hvt_net_io[ntx], each done exactly as
 * ATOLL_HVT_NET_WRITE before waiting; `rx` (nrx > 0) likewise
 * struct atoll_hvt_net_io[nrx], each done as ATOLL_HVT_NET_READ after
 * waiting, for the devices found ready (the others get ret = 0 and nothing
 * is read).  A device whose read brought frames is in `ready`.  ntx and
 * nrx are at most ATOLL_HVT_MAX_DEVICES; every address in them is checked
 * as for the single calls.  `rxp` (nrxp > 0) is the same for packed
 * reads: struct atoll_hvt_net_packed[nrxp], each done as
 * ATOLL_HVT_NET_READ_PACKED for a ready device. */
struct atoll_hvt_wait {
    uint64_t deadline_ns;
    uint64_t devices;
    uint64_t ready; /* out */
    uint64_t tx, rx;
    uint32_t ntx, nrx;
    uint64_t rxp;
    uint32_t nrxp, reserved;
};

enum atoll_hvt_device_kind {
    ATOLL_HVT_DEV_NONE = 0,
    ATOLL_HVT_DEV_NET = 1,
    ATOLL_HVT_DEV_BLOCK = 2,
};

/* Geometry of device `index` (its position in the manifest). */
struct atoll_hvt_device_info {
    uint32_t index;
    uint32_t kind;        /* out: enum atoll_hvt_device_kind */
    uint64_t sectors;     /* out, block: number of sectors */
    uint32_t sector_size; /* out, block: bytes per sector */
    uint32_t read_only;   /* out, block: 1 when the file is read-only */
    uint8_t mac[6];       /* out, net: the guest's MAC address */
    uint16_t mtu;         /* out, net: payload bytes after the header */
    uint32_t offloads;    /* out, net: ATOLL_HVT_NET_* the tender does */
    int64_t ret;          /* out: 0 or -ATOLL_ENODEV */
};

/* Net offloads (device info `offloads`).  TSO4: a frame written with a
 * nonzero gso_size is a TCP/IPv4 frame of up to ATOLL_HVT_FRAME_MAX bytes
 * that the host cuts into segments of gso_size payload bytes, completing
 * their checksums (the guest leaves the pseudo-header sum in the TCP
 * checksum field) - atoll/netif.h, ATOLL_NETIF_TSO4. */
#define ATOLL_HVT_NET_TSO4 0x1u
/* GRO4: packed reads (ATOLL_HVT_NET_READ_PACKED) may bring TCP/IPv4
 * frames of up to ATOLL_HVT_FRAME_MAX bytes - a local sender's offload
 * frames, passed on whole - flagged ATOLL_HVT_RX_CSUM_OK when the host
 * vouches for their TCP checksum (which may then be partial).  The first
 * packed read on a device turns this on for it; frame-by-frame reads
 * must not follow (their buffers may be too small). */
#define ATOLL_HVT_NET_GRO4 0x2u
/* TSO6: the same for TCP/IPv6 (no extension headers): such frames may be
 * written with a gso_size (the pseudo-header sum RFC 8200 8.1's in the
 * checksum field), and once receive offload is on, reads may bring them
 * (atoll/netif.h, ATOLL_NETIF_TSO6).  Since ABI version 5. */
#define ATOLL_HVT_NET_TSO6 0x4u

/* One frame of a batch: the buffer and its length (for reads: capacity);
 * `result` gets the frame's length or a negative ATOLL_E... code.  For
 * writes, gso_size != 0 asks for segmentation offload (ATOLL_HVT_NET_TSO4;
 * ignored on reads).  For reads, `flags` in: ATOLL_HVT_RX_GRO; out:
 * ATOLL_HVT_RX_CSUM_OK (0 on writes). */
struct atoll_hvt_frame {
    uint64_t addr;
    uint32_t len;
    int32_t result; /* out */
    uint32_t gso_size;
    uint32_t flags;
};

#define ATOLL_HVT_NET_BATCH_MAX 256
#define ATOLL_HVT_FRAME_MAX     65550

/* Moves up to `count` frames with one VM exit.  `frames` is the guest
 * address of struct atoll_hvt_frame[count].  `ret` gets the number of
 * frames moved (write: taken by the host; read: received, 0 when none is
 * waiting), or a negative ATOLL_E... code. */
struct atoll_hvt_net_io {
    uint32_t device;
    uint32_t count;
    uint64_t frames;
    int64_t ret; /* out */
};

/* Packed read: frames from device `device` into the area [area,
 * area + size), one record after another at 8-byte-aligned offsets, each
 * a struct atoll_hvt_packed_frame and then `len` bytes of frame.  The
 * tender reads while a frame of ATOLL_HVT_FRAME_MAX bytes still fits (so
 * a full area, size - used < sizeof record + ATOLL_HVT_FRAME_MAX, means
 * more may be waiting).  `ret`: frames read (0: none waiting) or a
 * negative ATOLL_E... code; `used`: bytes of the area filled. */
struct atoll_hvt_net_packed {
    uint32_t device;
    uint32_t reserved;
    uint64_t area;
    uint64_t size;
    int64_t ret;   /* out */
    uint64_t used; /* out */
};

struct atoll_hvt_packed_frame {
    uint32_t len;
    uint32_t flags; /* ATOLL_HVT_RX_* */
};
#define ATOLL_HVT_RX_CSUM_OK 0x1u /* the host vouches for the TCP checksum */
/* A frame-by-frame read (NET_READ) whose buffer takes receive offload
 * frames: at least ATOLL_HVT_RX_GRO_MIN bytes (a whole IPv4 datagram and
 * its Ethernet header).  Turns the device's receive offload on, as the
 * first packed read does; the frame read may then be a TCP/IPv4 offload
 * frame, flagged ATOLL_HVT_RX_CSUM_OK when the host vouches for its TCP
 * checksum.  This is how a guest whose hypercalls are cheap (the boot
 * info's hypercall field set: atoll-spt) reads straight into its own
 * buffers, without the packed area and a copy out of it. */
#define ATOLL_HVT_RX_GRO     0x2u
#define ATOLL_HVT_RX_GRO_MIN (14 + 65535)

/* Reads or writes `count` consecutive sectors starting at `sector` to or
 * from `data` (count * sector_size bytes) with one VM exit.  `ret` gets 0
 * or -ATOLL_ERANGE / -ATOLL_EPERM / -ATOLL_EIO / -ATOLL_ENODEV. */
struct atoll_hvt_block_io {
    uint32_t device;
    uint32_t reserved;
    uint64_t sector;
    uint64_t count;
    uint64_t data;
    int64_t ret; /* out */
};

/* Ends the guest; the tender exits with `status` (0..ATOLL_HVT_EXIT_MAX).
 * Any other value counts as a bad hypercall. */
struct atoll_hvt_exit {
    int64_t status;
};

/* Makes the heap page at `addr` (page-aligned, between heap_start and
 * heap_end) inaccessible (`on` = 1: a fiber stack's guard page) or
 * read-write again (`on` = 0; only a page made a guard before).  The
 * tender changes its page tables and flushes the guest's translations, so
 * the next access faults; a crash report names a hit as a stack overflow.
 * `ret` gets 0, -ATOLL_EINVAL (not such a page) or -ATOLL_ENOMEM (no room
 * left for page tables). */
struct atoll_hvt_guard {
    uint64_t addr;
    uint64_t on;
    int64_t ret; /* out */
};

/* A piece of a trace file (Chrome trace-event JSON) for the tender to
 * write: `len` bytes at `data` (at most ATOLL_HVT_TRACE_PIECE_MAX), then
 * len 0 to end the file.  `file` 0 is the trace at exit, n >= 1 the
 * answer to the n-th ATOLL_HVT_REQ_TRACE (n no more than the requests the
 * tender made).  The tender names the file itself, from its own
 * --trace=FILE: FILE or FILE.n; the guest never names a host file.  `ret`
 * gets 0, -ATOLL_ENOTSUP (no --trace=FILE), -ATOLL_EPERM (a file never
 * asked for), -ATOLL_ENOSPC (a file larger than four times guest memory)
 * or -ATOLL_EIO (the file could not be written; known at the end). */
#define ATOLL_HVT_TRACE_PIECE_MAX 0x10000u
struct atoll_hvt_trace {
    uint64_t data, len;
    uint64_t file;
    int64_t ret; /* out */
};

/* Exit statuses of atoll-hvt.  0..111 are the guest's own; the tender keeps
 * the rest. */
#define ATOLL_HVT_EXIT_MAX       111
#define ATOLL_HVT_EXIT_BAD_IMAGE 112 /* the image failed a check */
#define ATOLL_HVT_EXIT_TENDER    113 /* usage, devices, host or KVM failure */
#define ATOLL_HVT_EXIT_CRASH     114 /* guest fault or bad hypercall */

/* ---- the device manifest ------------------------------------------------ */
/* An ELF note (in a PT_NOTE segment) named "ATOLL" of this type whose
 * descriptor is a struct atoll_hvt_manifest.  Entries are used up to the
 * first one of kind ATOLL_HVT_DEV_NONE; the rest must be all zero.  Names
 * are 1..ATOLL_HVT_NAME_MAX-1 characters of [A-Za-z0-9_-], unique. */
#define ATOLL_HVT_NOTE_NAME          "ATOLL"
#define ATOLL_HVT_NOTE_TYPE_MANIFEST 0x41544f4cU /* "ATOL" */
#define ATOLL_HVT_MAX_DEVICES        16
#define ATOLL_HVT_NAME_MAX           28

struct atoll_hvt_device_decl {
    uint32_t kind; /* enum atoll_hvt_device_kind */
    char name[ATOLL_HVT_NAME_MAX];
};

struct atoll_hvt_manifest {
    uint32_t version; /* ATOLL_HVT_ABI_VERSION */
    uint32_t reserved;
    struct atoll_hvt_device_decl devices[ATOLL_HVT_MAX_DEVICES];
};

struct atoll_hvt_manifest_note {
    uint32_t namesz, descsz, type;
    char name[8]; /* "ATOLL" padded to 4 bytes */
    struct atoll_hvt_manifest desc;
};

/* Emits the image's manifest, e.g.
 *     ATOLL_HVT_MANIFEST({ATOLL_HVT_DEV_NET, "service"},
 *                        {ATOLL_HVT_DEV_BLOCK, "disk"});
 * or ATOLL_HVT_MANIFEST() for an image without devices.  Exactly one per
 * image; the linker script puts .note.atoll in a PT_NOTE segment. */
#define ATOLL_HVT_MANIFEST(...)                                                \
    __attribute__((section(".note.atoll"), aligned(4), used))                  \
    const struct atoll_hvt_manifest_note atoll_hvt_manifest_note = {           \
        sizeof(ATOLL_HVT_NOTE_NAME),                                           \
        sizeof(struct atoll_hvt_manifest),                                     \
        ATOLL_HVT_NOTE_TYPE_MANIFEST,                                          \
        ATOLL_HVT_NOTE_NAME,                                                   \
        {ATOLL_HVT_ABI_VERSION, 0, {__VA_ARGS__}}}

#endif
