/*
 * tender/spt/spt.h - internals of atoll-spt, the sandboxed-process tender.
 *
 * atoll-spt runs an hvt image - the very file `atoll build` makes for
 * target hvt, unchanged - as an ordinary Linux process, for hosts without
 * KVM.  The image is loaded at the addresses it was linked for, in the
 * tender's own address space (atoll-spt is a static PIE, so it lives far
 * above the 4 GiB the guest may use), with the same layout and page
 * permissions atoll-hvt gives it, enforced by mprotect instead of page
 * tables.  The boot info's hypercall field points at the tender's entry,
 * so a hypercall is a function call, not a VM exit; a seccomp filter
 * installed before the guest's first instruction is the sandbox: it lets
 * the process make only the system calls the declared devices need, on
 * their file descriptors.  docs/spt.md has the security model.
 *
 * What both tenders share (image checks, manifest, devices, hypercalls,
 * permission map, messages) is tender/common/tender.h.  Files here:
 *
 *     main.c       the order of setup, exit status
 *     mem.c        guest memory at fixed addresses, mprotect, guard pages
 *     run.c        entering the guest and serving its hypercalls
 *     entry.S      the two crossings: into the guest, and back for a call
 *     signals.c    guest faults (crash reports), refused system calls,
 *                  SIGINT/SIGTERM
 *     seccomp.c    the filter
 */
#ifndef ATOLL_TENDER_SPT_H
#define ATOLL_TENDER_SPT_H

#include "../common/tender.h"

/* ---- memory (mem.c) ------------------------------------------------------ */
/* Maps guest memory [ATOLL_HVT_LOW_END, size) at those very addresses and
 * sets up `m` with base 0.  0 or -1 (message printed). */
int spt_mem_map(struct hvt_mem *m, uint64_t size);
/* Applies the permission map to the mapping (after hvt_mem_finish).  0 or
 * -1 (message printed). */
int spt_mem_protect(const struct hvt_mem *m);

/* ---- running (run.c, entry.S) -------------------------------------------- */
/* The guest and its devices, for the hypercall entry and the handlers. */
extern struct hvt_guest spt_guest;
/* True while the tender serves a hypercall (the handlers of SIGINT and
 * SIGTERM then leave the stop to the call's return). */
extern volatile sig_atomic_t spt_in_call;
/* ATOLL_HVT_STATS: hypercalls made, by number (>= 16: [0]). */
extern uint64_t spt_calls[16];

/* The entry the boot info hands the guest: switches to the tender's own
 * stack and calls spt_hypercall (entry.S). */
void spt_hypercall_entry(uint64_t nr, uint64_t arg);
/* Serves one hypercall (run.c). */
void spt_hypercall(uint64_t nr, uint64_t arg);
/* Jumps to the guest: %rsp = stack, %rdi = boot info, every other
 * register cleared (entry.S).  Never returns. */
__attribute__((noreturn)) void spt_launch(uint64_t entry, uint64_t stack,
                                          uint64_t boot_info);
/* The stack hypercalls run on, set before the guest starts. */
extern uint64_t spt_stack_top;
/* Runs the guest: sets its boot info's hypercall entry, then
 * spt_launch.  Never returns (the guest ends with the exit call). */
__attribute__((noreturn)) void spt_run(struct hvt_guest *g, uint64_t entry);
/* Writes out what the guest left in its console area and exits with
 * 128 + the stop signal. */
__attribute__((noreturn)) void spt_stop(void);

/* ---- signals (signals.c) ------------------------------------------------- */
/* Installs the handlers (on an alternate stack): guest faults, refused
 * system calls, SIGINT/SIGTERM.  0 or -1. */
int spt_signals_install(void);

/* ---- seccomp (seccomp.c) ------------------------------------------------- */
/* Confines the process to what serving this guest needs (see seccomp.c).
 * 0 or -1. */
int spt_seccomp_install(const struct hvt_guest *g);

#endif
