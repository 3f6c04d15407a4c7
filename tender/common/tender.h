/*
 * tender/common/tender.h - the host side of the hvt ABI, shared by both
 * tenders that run hvt images:
 *
 *     atoll-hvt   (tender/hvt)  the image as a KVM virtual machine
 *     atoll-spt   (tender/spt)  the same image as a sandboxed Linux process
 *                               (seccomp), for hosts without KVM
 *
 * What is the same for both lives in tender/common, one concern a file:
 *
 *     msg.c        messages and exits ("atoll-hvt: ..." / "atoll-spt: ...")
 *     options.c    the command line (both tenders take the same one)
 *     image.c      maps the image file while it is loaded
 *     load.c       the setup both share: image, manifest, devices, memory
 *     elf.c        checks the guest ELF image and copies its segments
 *     manifest.c   reads the image's device manifest, matches attachments
 *     devices.c    host side of devices: tap (net), file (block), epoll
 *     mem.c        the page permission map, range checks, layout, boot info
 *     hypercall.c  checks and serves the guest's hypercalls
 *     symbols.c    the image's function names, for backtraces
 *     backtrace.c  the frame-pointer walk of a crash report
 *     core.c       core files of crashed guests (--dumpcore=DIR)
 *     clock.c      the host's clocks
 *
 * Each tender supplies the few functions below marked "(per tender)": how
 * a guard page really changes, where a clock anchor comes from.  The
 * guest ABI (layout, hypercalls, manifest) is platform/hvt/abi.h.
 */
#ifndef ATOLL_TENDER_H
#define ATOLL_TENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvt/abi.h"

/* ---- messages and exits (msg.c) ----------------------------------------- */
/* The tender's name in messages: "atoll-hvt" or "atoll-spt" (set by main). */
extern const char *hvt_progname;
/* Prints "PROGNAME: MESSAGE" on stderr (with write(2): usable after the
 * seccomp filter is in place and inside signal handlers, no stdio). */
void hvt_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* hvt_msg, then _exit(status); a negative status exits with 128 + the
 * stop signal (SIGINT/SIGTERM). */
void hvt_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Set by SIGINT/SIGTERM to the signal's number: the tender stops the
 * guest in order (its pending console output written first). */
extern volatile sig_atomic_t hvt_stop_requested;
/* Set by SIGIO when gdb sent something while the guest runs (atoll-hvt
 * --gdb, tender/hvt/gdb_kvm.c): a device wait returns so that the run
 * loop reads it. */
extern volatile sig_atomic_t hvt_gdb_requested;

/* ---- the command line (options.c) --------------------------------------- */
struct hvt_attach {
    uint32_t kind;
    const char *name; /* NUL-terminated name from --net:NAME=... */
    const char *host;
};

struct hvt_options {
    uint64_t mem_mib;
    struct hvt_attach att[ATOLL_HVT_MAX_DEVICES];
    int natt;
    const char *kernel;
    int guest_argc; /* arguments after the tender's `--` */
    char **guest_argv;
    bool selftest;        /* --x-seccomp-selftest (tests) */
    const char *dumpcore; /* --dumpcore=DIR, or NULL */
    const char *trace;    /* --trace=FILE, or NULL */
    unsigned gdb_port;    /* --gdb[=PORT] (atoll-hvt only), or 0 */
};

/* Parses `TENDER [--mem=MiB] [--net:NAME=TAP]... [--block:NAME=FILE]...
 * [--dumpcore=DIR] [--trace=FILE] [--gdb[=PORT]] KERNEL [-- ARGS...]`; a
 * usage error exits with ATOLL_HVT_EXIT_TENDER. */
void hvt_options_parse(int argc, char **argv, struct hvt_options *o);

/* ---- the image file (image.c) ------------------------------------------- */
/* Maps KERNEL read-only (a file that shrinks while mapped is a bad image,
 * not a crash); unmap once it is loaded. */
uint8_t *hvt_image_map(const char *path, uint64_t *size);
void hvt_image_unmap(uint8_t *file, uint64_t size);

/* ---- guest memory (mem.c) ------------------------------------------------ */
enum hvt_perm {
    HVT_PERM_NONE = 0,  /* not mapped */
    HVT_PERM_R = 1,     /* read-only, no-execute */
    HVT_PERM_RW = 2,    /* read-write, no-execute */
    HVT_PERM_RX = 3,    /* read-only, executable */
    HVT_PERM_GUARD = 4, /* not mapped: a guard page the guest asked for */
};

struct hvt_mem {
    /* Host address of guest-physical 0.  atoll-hvt: wherever its mapping
     * landed; atoll-spt: 0 (NULL), because the guest runs in the tender's
     * own address space at the addresses it was linked for.  Always go
     * through hvt_gp. */
    uint8_t *base;
    uint64_t size; /* bytes */
    uint8_t *perm; /* one enum hvt_perm per 4 KiB page */
    uint64_t heap_start, heap_end, stack_top;
    uint64_t fiber_stack; /* the pre-guarded fiber stack (abi.h) */
    uint64_t boot_guard;  /* the boot stack's guard page */
    /* atoll-hvt's page tables (tender/hvt/paging.c). */
    uint64_t pml4;    /* guest-physical address of the top page table */
    uint64_t pt_next; /* next free page of the page-table area */
    /* Translations are cached only through entries whose accessed bit is
     * set (Intel CPUs and KVM's shadow MMU; see tender/hvt/paging.c).
     * false: flush after every guard-page change. */
    bool a_bit_caching;
};

/* The host address of guest address `gpa` (integer arithmetic: base may
 * be NULL). */
static inline void *hvt_gp(const struct hvt_mem *m, uint64_t gpa)
{
    return (void *)((uintptr_t)m->base + (uintptr_t)gpa);
}

/* Takes `size` bytes of zeroed guest memory at host address `base` (the
 * caller mapped it), every page unmapped in the permission map.  0 or -1
 * (message printed). */
int hvt_mem_init(struct hvt_mem *m, uint8_t *base, uint64_t size);
/* Marks pages [addr, addr+len) with `perm` (addr/len need not be aligned:
 * whole pages are covered). */
void hvt_mem_set_perm(struct hvt_mem *m, uint64_t addr, uint64_t len,
                      enum hvt_perm perm);
/* Lays out heap, guard pages and stacks above `image_end` and writes the
 * boot info (argv, random bytes); the tender then sets its own fields
 * (clocks, hypercall entry).  0 or -1 (message printed). */
int hvt_mem_finish(struct hvt_mem *m, uint64_t image_end, int argc, char **argv,
                   uint64_t ndevices);
/* The boot info inside guest memory. */
static inline struct atoll_hvt_boot_info *hvt_boot_info(struct hvt_mem *m)
{
    return (struct atoll_hvt_boot_info *)hvt_gp(m, ATOLL_HVT_BOOT_INFO);
}

/* ATOLL_HVT_GUARD: make the heap page `addr` a guard page (on) or
 * read-write again.  Sets *flush when the guest may hold a cached
 * translation the change makes stale (atoll-hvt flushes before the guest
 * runs again).  0 or -ATOLL_E... (*flush untouched). */
int hvt_mem_guard(struct hvt_mem *m, uint64_t addr, bool on, bool *flush);
/* (per tender) Applies a guard-page change to the real mapping; the
 * permission map still holds the old permission.  0 or -ATOLL_ENOMEM. */
int tender_guard_apply(struct hvt_mem *m, uint64_t addr, enum hvt_perm perm,
                       bool *flush);

/* Guest range checks, overflow-safe.  True when [gpa, gpa+len) lies
 * inside guest memory, in pages the guest may read (readable) or write
 * (writable).  len 0 is allowed anywhere in memory. */
bool hvt_mem_readable(const struct hvt_mem *m, uint64_t gpa, uint64_t len);
bool hvt_mem_writable(const struct hvt_mem *m, uint64_t gpa, uint64_t len);
/* The same for any set of permissions: true when [gpa, gpa+len) lies
 * inside guest memory and every page of it has one of `perms`, a mask of
 * HVT_PERMS(HVT_PERM_...). */
#define HVT_PERMS(p) (1u << (p))
bool hvt_mem_perm_in(const struct hvt_mem *m, uint64_t gpa, uint64_t len,
                     unsigned perms);

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

/* ---- setup (load.c) ------------------------------------------------------ */
struct hvt_guest;
/* With guest memory in place (hvt_mem_init): checks and loads the mapped
 * image `file`, matches its manifest with o's attachments, keeps its
 * symbols, unmaps it, opens the devices and writes the layout and boot
 * info.  Any failure exits with the reserved status (112 or 113) and a
 * message. */
void hvt_guest_load(struct hvt_guest *g, const struct hvt_options *o,
                    uint8_t *file, uint64_t size, struct hvt_image *img);

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
                      struct atoll_hvt_frame *f, uint32_t n,
                      const struct hvt_mem *m);
int64_t hvt_net_read(struct hvt_devices *d, uint32_t dev,
                     struct atoll_hvt_frame *f, uint32_t n,
                     const struct hvt_mem *m);
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

/* ---- clocks (clock.c) ---------------------------------------------------- */
uint64_t hvt_mono_ns(void); /* host CLOCK_MONOTONIC, ns */
uint64_t hvt_wall_ns(void); /* host CLOCK_REALTIME, ns */
/* (per tender) A fresh anchor for ATOLL_HVT_CLOCK_SYNC: 0, or -1 with
 * s->ret set (no usable TSC). */
int tender_clock_sync(struct atoll_hvt_clock_sync *s);

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
/* The call's name for messages ("console write"), or "unknown". */
const char *hvt_call_name(unsigned nr);

/* Writes out and empties the guest's console area (abi.h, CONSOLE); the
 * tenders call it at every exit or hypercall, before anything else.  -1:
 * the area's length is out of range (the caller stops the guest). */
int hvt_console_drain(struct hvt_guest *g);

/* ---- crash reports (symbols.c, backtrace.c) ----------------------------- */
/* Keeps the function symbols of the ELF image `data` (best effort: a
 * missing or malformed symbol table just means no names). */
void hvt_symbols_load(const uint8_t *data, uint64_t size);
/* The function containing guest address `addr` and the offset in it, or
 * NULL. */
const char *hvt_symbol(uint64_t addr, uint64_t *off);
/* The name of x86 exception vector `v` ("page fault"). */
const char *hvt_vector_name(unsigned v);
/* Prints "backtrace:" and the frames from rip up the frame-pointer chain
 * at rbp, each read checked against the pages the guest may read. */
void hvt_backtrace(const struct hvt_mem *m, uint64_t rip, uint64_t rbp);
/* Says which stack overflowed when `addr` (a faulting access) lies in a
 * guard page: a fiber's or the boot stack's.  Prints nothing otherwise. */
void hvt_report_overflow(const struct hvt_mem *m, uint64_t addr);

/* ---- core files (core.c) ------------------------------------------------ */
/* The core writer started by hvt_core_start: the pipe's write end (-1:
 * no --dumpcore), its process, and the file it will create. */
struct hvt_core {
    int fd;
    int pid;  /* the writer's */
    int self; /* the tender's, for the core's NT_PRSTATUS */
    char name[96];
    char path[1024];
};
extern struct hvt_core hvt_core;

/* The guest's general registers at a crash. */
struct hvt_core_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

/* --dumpcore=DIR, during setup (before the seccomp filter): starts the
 * writer process that will create DIR/core.IMAGE.PID if the guest
 * crashes.  0 or -1 (message printed). */
int hvt_core_start(const char *dir, const char *image);
/* Streams the core of the crashed guest (registers `r`, signal `signo`,
 * every page the guest could read) to the writer and waits for it to
 * finish the file (it then allows write, close and wait4 on the pipe and
 * the writer only).  0, or -1 (no --dumpcore, or it failed). */
int hvt_core_write(const struct hvt_mem *m, const struct hvt_core_regs *r,
                   int signo);

/* ---- trace files (trace.c) --------------------------------------------- */
struct hvt_trace {
    int fd, ack; /* pipes to and from the writer (-1: no --trace) */
    int pid;     /* the writer's */
    const char *path;
    uint64_t delivered; /* ATOLL_HVT_REQ_TRACE requests handed over */
    bool open;          /* a file is under way: `file`, `bytes` so far */
    uint64_t file, bytes;
};
extern struct hvt_trace hvt_trace;
/* Set by SIGUSR1; hvt_trace_deliver hands it to the guest. */
extern volatile sig_atomic_t hvt_trace_requested;

/* --trace=FILE, during setup (before the seccomp filter): starts the
 * writer process.  0, or -1 after a message. */
int hvt_trace_start(const char *path);
/* Serves one ATOLL_HVT_TRACE_WRITE piece (abi.h): the `ret` value. */
int64_t hvt_trace_put(uint64_t file, const void *data, uint64_t len,
                      uint64_t mem_size);
/* SIGUSR1 asks the guest for a live trace; 0 or -1. */
int hvt_trace_signal_install(void);
/* At every hypercall or VM exit: a pending SIGUSR1 becomes
 * ATOLL_HVT_REQ_TRACE in the guest's console area. */
void hvt_trace_deliver(struct hvt_guest *g);

/* ---- seccomp (shared BPF pieces; each tender has its own filter) -------- */
/* The name of x86_64 system call `nr` ("socket"), or NULL. */
const char *hvt_syscall_name(long nr);

#endif
