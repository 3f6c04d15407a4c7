/*
 * tender/spt/signals.c - what atoll-spt does when the guest faults, makes
 * a system call the sandbox refuses, or the tender is asked to stop.
 *
 * A guest fault is a signal: SIGSEGV (page faults, and the general
 * protection faults of privileged instructions), SIGFPE (divide error),
 * SIGILL (invalid opcode), SIGBUS, SIGTRAP (int3).  The kernel hands the
 * handler the CPU's own account - the exception vector (REG_TRAPNO), the
 * error code (REG_ERR), the faulting address (REG_CR2) and every
 * register - so the report is atoll-hvt's, line for line: the exception
 * with its name and error code, what a page fault was, a stack overflow
 * named as one when the address is in a guard page, the registers, and a
 * backtrace with function names.  Then the tender exits with
 * ATOLL_HVT_EXIT_CRASH.  A fault while the tender serves a hypercall is the
 * tender's own bug (every guest pointer is checked first): the same
 * report, said to be the tender's, with ATOLL_HVT_EXIT_TENDER; so is a
 * fault at an address outside guest memory.
 *
 * A system call outside the filter raises SIGSYS (SECCOMP_RET_TRAP, not a
 * silent kill): the report names the call ("system call 41 (socket) is
 * not allowed in the sandbox") and the exit status is ATOLL_HVT_EXIT_CRASH
 * (ATOLL_HVT_EXIT_TENDER when the tender's own code made it).
 *
 * SIGINT and SIGTERM stop the guest in order: its console area is written
 * out and the tender exits with 128 + the signal, as atoll-hvt does.  If
 * the tender is inside a hypercall, the call's return does that instead
 * (run.c), so output is never written twice or cut in the middle.
 *
 * Every handler runs on an alternate stack: a guest that overflowed its
 * stack has none left, and a handler must not write into guest memory.
 * They use only write(2) and _exit, which the filter allows.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "spt.h"

static uint8_t alt_stack[64 << 10] __attribute__((aligned(16)));

static void registers(const greg_t *r)
{
    hvt_msg("rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
            (unsigned long long)r[REG_RAX], (unsigned long long)r[REG_RBX],
            (unsigned long long)r[REG_RCX], (unsigned long long)r[REG_RDX]);
    hvt_msg("rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx",
            (unsigned long long)r[REG_RSI], (unsigned long long)r[REG_RDI],
            (unsigned long long)r[REG_RBP], (unsigned long long)r[REG_RSP]);
    hvt_msg("r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx",
            (unsigned long long)r[REG_R8], (unsigned long long)r[REG_R9],
            (unsigned long long)r[REG_R10], (unsigned long long)r[REG_R11]);
    hvt_msg("r12=%016llx r13=%016llx r14=%016llx r15=%016llx",
            (unsigned long long)r[REG_R12], (unsigned long long)r[REG_R13],
            (unsigned long long)r[REG_R14], (unsigned long long)r[REG_R15]);
    hvt_msg("rip=%016llx rflags=%08llx cr2=%016llx",
            (unsigned long long)r[REG_RIP], (unsigned long long)r[REG_EFL],
            (unsigned long long)r[REG_CR2]);
}

/* --dumpcore: the guest's registers and readable memory as an ELF core
 * file (tender/common/core.c). */
static void dump_core(const greg_t *r, int sig)
{
    if (hvt_core.fd < 0)
        return;
    struct hvt_core_regs c = {
        (uint64_t)r[REG_RAX], (uint64_t)r[REG_RBX], (uint64_t)r[REG_RCX],
        (uint64_t)r[REG_RDX], (uint64_t)r[REG_RSI], (uint64_t)r[REG_RDI],
        (uint64_t)r[REG_RBP], (uint64_t)r[REG_RSP], (uint64_t)r[REG_R8],
        (uint64_t)r[REG_R9],  (uint64_t)r[REG_R10], (uint64_t)r[REG_R11],
        (uint64_t)r[REG_R12], (uint64_t)r[REG_R13], (uint64_t)r[REG_R14],
        (uint64_t)r[REG_R15], (uint64_t)r[REG_RIP], (uint64_t)r[REG_EFL],
    };
    if (hvt_core_write(&spt_guest.mem, &c, sig) == 0)
        hvt_msg("core dumped: %s (gdb IMAGE %s)", hvt_core.path, hvt_core.path);
    else
        hvt_msg("core dump to %s failed", hvt_core.path);
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    const struct hvt_mem *m = &spt_guest.mem;
    const greg_t *r = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    unsigned vec = (unsigned)r[REG_TRAPNO];
    uint64_t err = (uint64_t)r[REG_ERR];
    uint64_t cr2 = (uint64_t)r[REG_CR2];
    /* The tender's own fault: in a hypercall, or outside guest memory. */
    uint64_t rip = (uint64_t)r[REG_RIP];
    bool tender = spt_in_call || rip < ATOLL_HVT_LOW_END || rip >= m->size;
    char what[160];
    /* What the guest printed comes out before the report, as at every
     * VM exit under atoll-hvt. */
    (void)hvt_console_drain(&spt_guest);
    if (sig == SIGSYS) {
        const char *name = hvt_syscall_name(si->si_syscall);
        snprintf(what, sizeof what,
                 "system call %d (%s) is not allowed in the sandbox",
                 si->si_syscall, name ? name : "unknown");
        vec = ~0u;
    } else if (sig == SIGBUS) {
        snprintf(what, sizeof what, "bus error (signal %d) at %#llx", sig,
                 (unsigned long long)(uintptr_t)si->si_addr);
        vec = ~0u;
    } else if (vec == 14 || vec == 13 || vec == 17) {
        snprintf(what, sizeof what, "CPU exception %u (%s, error code %#llx)",
                 vec, hvt_vector_name(vec), (unsigned long long)err);
    } else {
        snprintf(what, sizeof what, "CPU exception %u (%s)", vec,
                 hvt_vector_name(vec));
    }
    uint64_t calls = 0;
    for (int i = 0; i < 16; i++)
        calls += spt_calls[i];
    hvt_msg("%s crashed: %s at rip=%#llx rsp=%#llx cr2=%#llx (after %llu "
            "hypercalls)",
            tender ? "tender" : "guest", what, (unsigned long long)rip,
            (unsigned long long)r[REG_RSP], (unsigned long long)cr2,
            (unsigned long long)calls);
    if (vec == 14) {
        hvt_msg("page fault: %s of %#llx, %s",
                err & 16  ? "instruction fetch"
                : err & 2 ? "write"
                          : "read",
                (unsigned long long)cr2,
                err & 1 ? "the page does not allow it"
                        : "the page is not mapped");
        hvt_report_overflow(m, cr2);
    }
    registers(r);
    if (!tender) {
        hvt_backtrace(m, (uint64_t)r[REG_RIP], (uint64_t)r[REG_RBP]);
        dump_core(r, sig);
    }
    hvt_die(tender ? ATOLL_HVT_EXIT_TENDER : ATOLL_HVT_EXIT_CRASH,
            "%s crashed (status %d)", tender ? "tender" : "guest",
            tender ? ATOLL_HVT_EXIT_TENDER : ATOLL_HVT_EXIT_CRASH);
}

static void on_stop(int sig)
{
    hvt_stop_requested = sig;
    if (!spt_in_call)
        spt_stop();
}

int spt_signals_install(void)
{
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
    if (sigaltstack(&ss, NULL) < 0) {
        hvt_msg("sigaltstack failed");
        return -1;
    }
    static const int faults[] = {SIGSEGV, SIGBUS,  SIGFPE,
                                 SIGILL,  SIGTRAP, SIGSYS};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESETHAND;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        if (sigaction(faults[i], &sa, NULL) < 0)
            return -1;
    /* Without SA_RESTART: a stop interrupts the wait (epoll_wait returns
     * EINTR), so a sleeping guest stops at once. */
    struct sigaction st;
    memset(&st, 0, sizeof st);
    st.sa_handler = on_stop;
    st.sa_flags = SA_ONSTACK;
    sigfillset(&st.sa_mask);
    if (sigaction(SIGINT, &st, NULL) < 0 || sigaction(SIGTERM, &st, NULL) < 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}
