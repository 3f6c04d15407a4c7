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
 *
 * The guest ABI (layout, hypercalls, manifest) is platform/hvt/abi.h.
 */
#ifndef ATOLL_TENDER_HVT_H
#define ATOLL_TENDER_HVT_H

#include "../common/tender.h"

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

/* ---- seccomp (seccomp.c) ------------------------------------------------- */
/* Confines the process to the system calls the run loop needs.  0 or -1. */
int hvt_seccomp_install(void);

#endif
