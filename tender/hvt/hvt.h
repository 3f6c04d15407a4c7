/*
 * tender/hvt/hvt.h - internals of atoll-hvt, the KVM tender.  What it
 * shares with the sandboxed tender (image, devices, hypercalls, memory
 * map, messages) is tender/common/tender.h; the KVM-only files are:
 *
 *     main.c       the order of setup, statistics, exit status
 *     paging.c     the guest's page tables and GDT, guard pages in them
 *     vcpu.c       KVM VM + vCPU setup (long mode) and the run loop
 *     clock.c      the TSC anchor that lets the guest read the clocks
 *                  without a VM exit
 *     seccomp.c    the system call filter installed before the guest runs
 *     crash.c      the report of a crashed guest (exception, registers)
 *     gdb_guest.c  the guest as the gdb stub sees it: registers, memory,
 *                  breakpoints (no KVM calls: unit-tested anywhere)
 *     gdb_kvm.c    --gdb[=PORT]: the connection, the stub's KVM backend
 *                  and its place in the run loop
 *
 * The guest ABI (layout, hypercalls, manifest) is platform/hvt/abi.h.
 */
#ifndef ATOLL_TENDER_HVT_H
#define ATOLL_TENDER_HVT_H

#include "../common/gdb.h"
#include "../common/tender.h"

struct kvm_regs;
struct kvm_sregs;

/* ---- page tables (paging.c) ---------------------------------------------- */
/* Writes the GDT and the page tables from the permission map (after
 * hvt_mem_finish), and backs the pages the guest touches first with host
 * pages.  0 or -1 (message printed). */
int hvt_paging_build(struct hvt_mem *m);
/* Counts the guest pages the MMU marked accessed: 4 KiB pages and 2 MiB
 * pages (ATOLL_HVT_STATS). */
void hvt_mem_touched(const struct hvt_mem *m, uint64_t *small, uint64_t *large);

/* ---- clocks (clock.c) ---------------------------------------------------- */
/* Once the vCPU `vcpu_fd` exists: decides whether the guest may read its
 * TSC and sets the boot info's clock fields (mono/wall base, tsc_khz,
 * tsc_base) to one anchor. */
void hvt_clock_boot(int vcpu_fd, struct atoll_hvt_boot_info *bi);

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
    bool gdb;           /* --gdb: a debugger is (or was) attached */
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

/* ---- crash reports (crash.c) --------------------------------------------- */
/* Reports a crashed guest on stderr - `what` happened, or with
 * `exception` the CPU exception KVM recorded - with its registers and a
 * backtrace, and exits with ATOLL_HVT_EXIT_CRASH. */
void hvt_crash_report(int vcpu_fd, const struct hvt_mem *m, uint64_t exits,
                      const char *what, bool exception)
    __attribute__((noreturn));

/* ---- gdb: the guest as the stub sees it (gdb_guest.c) -------------------- */
#define HVT_GDB_HW_MAX 4 /* hardware breakpoints: DR0-DR3 */

struct hvt_gdb_guest {
    struct hvt_mem *mem;
    struct {
        uint64_t addr;
        uint8_t saved; /* the byte the int3 replaced */
    } sw[GDB_BP_MAX];
    unsigned nsw;
    uint64_t hw[HVT_GDB_HW_MAX];
    uint8_t hw_used; /* bit n: slot n holds hw[n] */
};

/* KVM's registers in gdb's order, and back: hvt_gdb_regs_to_kvm updates
 * `r` (the vCPU's current registers) from `g`, changing only the eflags
 * bits a program could change itself; -1 when `g` changes a segment
 * selector (`sr` holds the current ones), which the stub cannot do. */
void hvt_gdb_regs_from_kvm(const struct kvm_regs *r, const struct kvm_sregs *sr,
                           struct gdb_regs *g);
int hvt_gdb_regs_to_kvm(const struct gdb_regs *g, const struct kvm_sregs *sr,
                        struct kvm_regs *r);

void hvt_gdb_guest_init(struct hvt_gdb_guest *d, struct hvt_mem *m);
/* gdb's memory accesses: 0, or -1 when any byte lies outside the pages
 * the guest can see.  Reads show the bytes breakpoints replaced. */
int hvt_gdb_read(const struct hvt_gdb_guest *d, uint64_t addr, void *buf,
                 size_t len);
int hvt_gdb_write(struct hvt_gdb_guest *d, uint64_t addr, const void *buf,
                  size_t len);
/* Plants (on) or lifts a software breakpoint: an int3 at `addr`, which
 * must be in executable pages.  0, or -1 (not code, table full, lifting
 * one that is not there). */
int hvt_gdb_swbp(struct hvt_gdb_guest *d, uint64_t addr, bool on);
bool hvt_gdb_is_swbp(const struct hvt_gdb_guest *d, uint64_t addr);
/* Takes (on) or frees a hardware breakpoint slot for `addr`.  0 or -1. */
int hvt_gdb_hwbp(struct hvt_gdb_guest *d, uint64_t addr, bool on);
/* DR0-DR7 for KVM_SET_GUEST_DEBUG from the slots in use. */
void hvt_gdb_debugregs(const struct hvt_gdb_guest *d, uint64_t dr[8]);
/* Why a KVM_EXIT_DEBUG stopped the guest: its exception (1 #DB, 3 #BP),
 * DR6 and rip. */
enum gdb_stop_reason hvt_gdb_why(const struct hvt_gdb_guest *d,
                                 uint32_t exception, uint64_t dr6,
                                 uint64_t rip);

/* ---- gdb: the connection and the run loop (gdb_kvm.c) --------------------
 * Each is a no-op when no debugger is attached. */
/* --gdb=PORT, after hvt_vcpu_init and before the seccomp filter: listens
 * on 127.0.0.1:PORT, waits for gdb to connect and turns on KVM's guest
 * debugging.  0 or -1 (message printed). */
int hvt_gdb_attach(struct hvt_vcpu *v, struct hvt_mem *m, unsigned port);
/* Before the guest's first instruction: serves gdb until it resumes. */
void hvt_gdb_start(void);
/* In the run loop, when hvt_gdb_requested is set: bytes from gdb while
 * the guest runs (a ^C stops it and serves gdb). */
void hvt_gdb_poll(void);
/* A KVM_EXIT_DEBUG: tells gdb why and serves it until it resumes.
 * false: no debugger (the caller reports an unexpected exit). */
bool hvt_gdb_debug_exit(void);
/* A triple fault (KVM_EXIT_SHUTDOWN) while gdb is attached: if it began
 * as gdb's breakpoint or step on a KVM that ignores KVM_SET_GUEST_DEBUG,
 * the guest is taken back from it and gdb told; true if so. */
bool hvt_gdb_shutdown_exit(void);
/* The guest exited with `status`, or the tender is stopping on signal
 * `sig`: gdb hears it (W / X) and is let go. */
void hvt_gdb_exited(int status);
void hvt_gdb_terminated(int sig);
/* The guest crashed (signal `sig` a process would have got): gdb sees it
 * stopped at the fault and may look around; when it resumes, detaches or
 * kills, it hears the guest is gone. */
void hvt_gdb_crashed(int sig);

/* ---- seccomp (seccomp.c) ------------------------------------------------- */
/* Confines the process to the system calls the run loop needs; with
 * `gdb`, also those the gdb stub needs (KVM_SET_REGS, KVM_SET_GUEST_DEBUG,
 * poll).  0 or -1. */
int hvt_seccomp_install(bool gdb);

#endif
