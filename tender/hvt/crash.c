/*
 * tender/hvt/crash.c - the report of a crashed guest.
 *
 * The guest has no exception handlers of its own: on PVM its ring-0 code
 * would be emulated instruction by instruction, and a handler running in
 * the guest could not be trusted to report anything once its memory is
 * corrupt.  Instead every CPU exception escalates to a triple fault (the
 * guest has no IDT), KVM stops the vCPU, and the tender - which still has
 * the registers and the guest's memory - writes the report:
 *
 *   - the exception: vector, name and error code, from KVM's vCPU events
 *     (the exception that started the escalation); for a page fault the
 *     faulting address (cr2) and what the access was;
 *   - a stack overflow is named as one when cr2 is in the guard page under
 *     the boot stack;
 *   - the general registers;
 *   - a backtrace (tender/common/backtrace.c), walking the frame
 *     pointers through guest memory, with function names.
 *
 * With --gdb, the debugger then gets the crashed guest to look at
 * (gdb_kvm.c).  Then the tender exits with ATOLL_HVT_EXIT_CRASH.
 */
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvt.h"

void hvt_crash_report(int vcpu_fd, const struct hvt_mem *m, uint64_t exits,
                      const char *what, bool exception)
{
    struct kvm_regs r;
    struct kvm_sregs sr;
    struct kvm_vcpu_events ev;
    memset(&r, 0, sizeof r);
    memset(&sr, 0, sizeof sr);
    memset(&ev, 0, sizeof ev);
    (void)ioctl(vcpu_fd, KVM_GET_REGS, &r);
    (void)ioctl(vcpu_fd, KVM_GET_SREGS, &sr);
    char buf[160];
    if (exception && ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) == 0) {
        unsigned vec = ev.exception.nr;
        if (ev.exception.has_error_code)
            snprintf(buf, sizeof buf, "CPU exception %u (%s, error code %#x)",
                     vec, hvt_vector_name(vec), ev.exception.error_code);
        else
            snprintf(buf, sizeof buf, "CPU exception %u (%s)", vec,
                     hvt_vector_name(vec));
        what = buf;
    }
    hvt_msg("guest crashed: %s at rip=%#llx rsp=%#llx cr2=%#llx (after %llu "
            "exits)",
            what, (unsigned long long)r.rip, (unsigned long long)r.rsp,
            (unsigned long long)sr.cr2, (unsigned long long)exits);
    if (exception && ev.exception.nr == 14) {
        uint32_t e = ev.exception.error_code;
        hvt_msg("page fault: %s of %#llx, %s",
                e & 16  ? "instruction fetch"
                : e & 2 ? "write"
                        : "read",
                (unsigned long long)sr.cr2,
                e & 1 ? "the page does not allow it"
                      : "the page is not mapped");
        hvt_report_overflow(m, sr.cr2);
    }
    hvt_msg("rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
            (unsigned long long)r.rax, (unsigned long long)r.rbx,
            (unsigned long long)r.rcx, (unsigned long long)r.rdx);
    hvt_msg("rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx",
            (unsigned long long)r.rsi, (unsigned long long)r.rdi,
            (unsigned long long)r.rbp, (unsigned long long)r.rsp);
    hvt_msg("r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx",
            (unsigned long long)r.r8, (unsigned long long)r.r9,
            (unsigned long long)r.r10, (unsigned long long)r.r11);
    hvt_msg("r12=%016llx r13=%016llx r14=%016llx r15=%016llx",
            (unsigned long long)r.r12, (unsigned long long)r.r13,
            (unsigned long long)r.r14, (unsigned long long)r.r15);
    hvt_msg("rip=%016llx rflags=%08llx cr2=%016llx", (unsigned long long)r.rip,
            (unsigned long long)r.rflags, (unsigned long long)sr.cr2);
    hvt_backtrace(m, r.rip, r.rbp);
    /* For the core file and gdb: the signal a process would have got. */
    unsigned vec = exception ? ev.exception.nr : 14;
    int sig = vec == 0   ? SIGFPE
              : vec == 6 ? SIGILL
              : vec == 3 ? SIGTRAP
                         : SIGSEGV;
    if (hvt_core.fd >= 0) {
        struct hvt_core_regs c = {r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
                                  r.rbp, r.rsp, r.r8,  r.r9,  r.r10, r.r11,
                                  r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags};
        if (hvt_core_write(m, &c, sig) == 0)
            hvt_msg("core dumped: %s (gdb IMAGE %s)", hvt_core.path,
                    hvt_core.path);
        else
            hvt_msg("core dump to %s failed", hvt_core.path);
    }
    /* --gdb: the debugger sees the guest stopped at the fault. */
    hvt_gdb_crashed(sig);
    hvt_die(ATOLL_HVT_EXIT_CRASH, "guest crashed (status %d)",
            ATOLL_HVT_EXIT_CRASH);
}
