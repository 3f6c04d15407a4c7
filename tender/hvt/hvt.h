/*
 * tender/hvt/hvt.h - internals of atoll-hvt, the KVM tender, shared by its
 * files (one concern each):
 *
 *     main.c       command line, the order of setup, exit status
 *     elf.c        loads and checks the guest ELF image
 *     manifest.c   reads the image's device manifest, matches attachments
 *     devices.c    host side of devices: tap (net), file (block), epoll
 *     mem.c        guest memory, page tables, boot info
 *     vcpu.c       KVM VM + vCPU setup (long mode) and the run loop
 *     hypercall.c  checks and serves the guest's hypercalls
 *     seccomp.c    the system call filter installed before the guest runs
 *     crash.c      the report of a crashed guest (exception, registers,
 *                  backtrace)
 *     symbols.c    the image's function names, for that backtrace
 *
 * The guest ABI (layout, hypercalls, manifest) is platform/hvt/abi.h.
 */
#ifndef ATOLL_TENDER_HVT_H
#define ATOLL_TENDER_HVT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvt/abi.h"

/* ---- messages and exits (main.c) ---------------------------------------- */
/* Prints "atoll-hvt: MESSAGE" on stderr (with write(2): usable after the
 * seccomp filter is in place, no stdio buffering). */
void hvt_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* hvt_msg, then _exit(status). */
void hvt_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* ---- guest memory (mem.c) ------------------------------------------------ */
enum hvt_perm {
    HVT_PERM_NONE = 0,  /* not mapped */
    HVT_PERM_R = 1,     /* read-only, no-execute */
    HVT_PERM_RW = 2,    /* read-write, no-execute */
    HVT_PERM_RX = 3,    /* read-only, executable */
    HVT_PERM_GUARD = 4, /* not mapped: a guard page the guest asked for */
};

struct hvt_mem {
    uint8_t *base; /* host address of guest-physical 0 */
    uint64_t size; /* bytes */
    uint8_t *perm; /* one enum hvt_perm per 4 KiB page */
    uint64_t heap_start, heap_end, stack_top;
    uint64_t fiber_stack; /* the pre-guarded fiber stack (abi.h) */
    uint64_t boot_guard;  /* the boot stack's guard page */
    uint64_t pml4;        /* guest-physical address of the top page table */
    uint64_t pt_next;     /* next free page of the page-table area */
    /* Translations are cached only through entries whose accessed bit is
     * set (Intel CPUs and KVM's shadow MMU; see hvt_mem_guard).  Set by
     * hvt_vcpu_init from the CPU vendor; false: flush after every
     * guard-page change. */
    bool a_bit_caching;
};

/* Allocates `size` bytes of zeroed guest memory, every page unmapped.
 * 0 or -1 (message printed). */
int hvt_mem_init(struct hvt_mem *m, uint64_t size);
/* Marks pages [addr, addr+len) with `perm` (addr/len need not be aligned:
 * whole pages are covered). */
void hvt_mem_set_perm(struct hvt_mem *m, uint64_t addr, uint64_t len,
                      enum hvt_perm perm);
/* Lays out heap, guard page and stack above `image_end`, writes the GDT,
 * the boot info (argv, random bytes, clocks) and the page tables.  0 or -1
 * (message printed). */
int hvt_mem_finish(struct hvt_mem *m, uint64_t image_end, int argc, char **argv,
                   uint64_t ndevices);

/* ATOLL_HVT_GUARD: make the heap page `addr` a guard page (on) or
 * read-write again, in the permission map and the page tables.  Sets
 * *flush when the guest may hold a cached translation the change makes
 * stale: the caller then flushes before the guest runs again.  0 or
 * -ATOLL_E... (*flush untouched). */
int hvt_mem_guard(struct hvt_mem *m, uint64_t addr, bool on, bool *flush);

/* Guest range checks, overflow-safe.  True when [gpa, gpa+len) lies above
 * the reserved low area, inside guest memory, in pages the guest may read
 * (readable) or write (writable).  len 0 is allowed anywhere in memory. */
bool hvt_mem_readable(const struct hvt_mem *m, uint64_t gpa, uint64_t len);
bool hvt_mem_writable(const struct hvt_mem *m, uint64_t gpa, uint64_t len);

/* ---- ELF image (elf.c) --------------------------------------------------- */
struct hvt_image {
    uint64_t entry;
    uint64_t end;         /* highest byte of any segment + 1 */
    const void *manifest; /* the manifest note's descriptor, or NULL */
    uint64_t manifest_size;
};

/* Checks the ELF file `data`/`size`, copies its segments into `m` and
 * sets their page permissions.  0, or -1 with a message naming the
 * problem. */
int hvt_elf_load(const uint8_t *data, uint64_t size, struct hvt_mem *m,
                 struct hvt_image *out);

/* ---- devices (devices.c, manifest.c) ------------------------------------- */
struct hvt_device {
    uint32_t kind; /* enum atoll_hvt_device_kind */
    char name[ATOLL_HVT_NAME_MAX];
    const char *host; /* TAP name or file path from the command line */
    int fd;
    /* block */
    uint64_t sectors;
    bool read_only;
    /* net */
    uint8_t mac[6];
    bool gro; /* the tap's offloads are on (the first packed read) */
};

struct hvt_attach {
    uint32_t kind;
    const char *name; /* NUL-terminated name from --net:NAME=... */
    const char *host;
};

struct hvt_devices {
    struct hvt_device dev[ATOLL_HVT_MAX_DEVICES];
    uint32_t count;
    int epoll_fd, timer_fd;
    uint64_t armed; /* net devices currently registered for EPOLLIN */
};

/* Parses the manifest note and matches it with the attachments given on
 * the command line: every declared device attached, every attachment
 * declared.  Fills `d` (without opening anything).  Returns 0, -1 for a
 * malformed manifest (bad image) or -2 for a mismatch (message printed). */
int hvt_manifest_match(const void *desc, uint64_t size,
                       const struct hvt_attach *att, int natt,
                       struct hvt_devices *d);
/* Opens the host side of every device, the epoll set and the timerfd.
 * 0 or -1 (message printed). */
int hvt_devices_open(struct hvt_devices *d);
/* Host side of the device hypercalls (buffers already checked). */
int64_t hvt_net_write(struct hvt_devices *d, uint32_t dev,
                      struct atoll_hvt_frame *f, uint32_t n, uint8_t *base);
int64_t hvt_net_read(struct hvt_devices *d, uint32_t dev,
                     struct atoll_hvt_frame *f, uint32_t n, uint8_t *base);
/* ATOLL_HVT_NET_READ_PACKED into [area, area+size) (guest memory the
 * caller checked); *used gets the bytes filled.  Frames or -ATOLL_E... */
int64_t hvt_net_read_packed(struct hvt_devices *d, uint32_t dev, uint8_t *area,
                            uint64_t size, uint64_t *used);
int64_t hvt_block_io(struct hvt_devices *d, uint32_t dev, bool write,
                     uint64_t sector, uint64_t count, void *buf);
int64_t hvt_block_flush(struct hvt_devices *d, uint32_t dev);
/* Waits until a device in `mask` is readable or the deadline passes;
 * returns the ready subset. */
uint64_t hvt_devices_wait(struct hvt_devices *d, uint64_t deadline_ns,
                          uint64_t mask);

/* Set by SIGINT/SIGTERM when ATOLL_HVT_STATS is on (main.c): the run loop
 * stops the guest and the statistics are printed, so a benchmark can end
 * a server guest and still read them. */
extern volatile sig_atomic_t hvt_stop_requested;

/* Counts the guest pages the MMU marked accessed: 4 KiB pages and 2 MiB
 * pages (ATOLL_HVT_STATS). */
void hvt_mem_touched(const struct hvt_mem *m, uint64_t *small, uint64_t *large);

/* ---- clocks (clock.c) ---------------------------------------------------- */
uint64_t hvt_mono_ns(void); /* host CLOCK_MONOTONIC, ns */
uint64_t hvt_wall_ns(void); /* host CLOCK_REALTIME, ns */
/* Once the vCPU `vcpu_fd` exists: decides whether the guest may read its
 * TSC and sets the boot info's clock fields (mono/wall base, tsc_khz,
 * tsc_base) to one anchor. */
void hvt_clock_boot(int vcpu_fd, struct atoll_hvt_boot_info *bi);
/* A fresh anchor for ATOLL_HVT_CLOCK_SYNC: 0, or -1 with s->ret set
 * (no usable TSC). */
int hvt_clock_sync(struct atoll_hvt_clock_sync *s);

/* ---- hypercalls (hypercall.c) -------------------------------------------- */
struct hvt_guest {
    struct hvt_mem mem;
    struct hvt_devices devs;
    bool exited;
    int status;
    bool flush; /* page tables changed: drop the guest's translations */
};

/* Serves hypercall `nr` with its argument struct at `gpa`.  Bad arguments
 * stop the tender with ATOLL_HVT_EXIT_CRASH. */
void hvt_hypercall(struct hvt_guest *g, unsigned nr, uint64_t gpa);

/* Writes out and empties the guest's console area (abi.h, CONSOLE); the
 * vCPU loop calls it at every VM exit, before anything else.  -1: the
 * area's length is out of range (the caller stops the guest). */
int hvt_console_drain(struct hvt_guest *g);

/* ---- vCPU (vcpu.c) ------------------------------------------------------- */
struct hvt_vcpu {
    int kvm_fd, vm_fd, vcpu_fd;
    void *run; /* struct kvm_run */
    uint64_t exits;
    /* ATOLL_HVT_STATS=1 (main.c): where boot time goes, in ns. */
    bool stats;
    uint64_t first_run_ns; /* the first KVM_RUN (boot up to the first exit) */
    uint64_t run_ns;       /* every KVM_RUN */
    uint64_t flush_ns;     /* hvt_vcpu_flush (not counting the re-faults) */
    uint64_t flushes;
    uint64_t calls[16]; /* exits per hypercall number (numbers >= 16: [0]) */
};

/* The host's `cpuid` (sub-leaf 0) into r[] = eax, ebx, ecx, edx. */
void hvt_host_cpuid(uint32_t leaf, uint32_t r[4]);

/* Creates the VM over `m` and one vCPU in 64-bit long mode at `entry`.
 * 0 or -1 (message printed). */
int hvt_vcpu_init(struct hvt_vcpu *v, struct hvt_mem *m, uint64_t entry);
/* Makes the guest see changed page tables (after ATOLL_HVT_GUARD). */
void hvt_vcpu_flush(struct hvt_vcpu *v, struct hvt_mem *m);
/* Runs the guest until it exits; returns its status.  Crashes and bad
 * exits stop the tender with ATOLL_HVT_EXIT_CRASH. */
int hvt_vcpu_run(struct hvt_vcpu *v, struct hvt_guest *g);

/* ---- crash reports (crash.c, symbols.c) --------------------------------- */
/* Keeps the function symbols of the ELF image `data` (best effort: a
 * missing or malformed symbol table just means no names). */
void hvt_symbols_load(const uint8_t *data, uint64_t size);
/* The function containing guest address `addr` and the offset in it, or
 * NULL. */
const char *hvt_symbol(uint64_t addr, uint64_t *off);
/* Reports a crashed guest on stderr - `what` happened, or with
 * `exception` the CPU exception KVM recorded - with its registers and a
 * backtrace, and exits with ATOLL_HVT_EXIT_CRASH. */
void hvt_crash_report(int vcpu_fd, const struct hvt_mem *m, uint64_t exits,
                      const char *what, bool exception)
    __attribute__((noreturn));

/* ---- seccomp (seccomp.c) ------------------------------------------------- */
/* Confines the process to the system calls the run loop needs.  0 or -1. */
int hvt_seccomp_install(void);

#endif
