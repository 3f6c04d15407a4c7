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
 *   - a backtrace, walking the frame pointers (every unikernel is built
 *     with -fno-omit-frame-pointer) through guest memory - each read is
 *     checked against the pages the guest may read, and the walk stops at
 *     a frame that does not go up the stack - with function names from the
 *     image's symbol table (symbols.c).
 *
 * Then the tender exits with ATOLL_HVT_EXIT_CRASH.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvt.h"

#define BACKTRACE_MAX 32

static const char *vector_name(unsigned v)
{
    static const char *const names[] = {
        "divide error",
        "debug",
        "NMI",
        "breakpoint",
        "overflow",
        "bound range exceeded",
        "invalid opcode",
        "device not available",
        "double fault",
        "coprocessor segment overrun",
        "invalid TSS",
        "segment not present",
        "stack-segment fault",
        "general protection fault",
        "page fault",
        "reserved",
        "x87 floating-point",
        "alignment check",
        "machine check",
        "SIMD floating-point",
        "virtualization",
        "control protection",
    };
    return v < sizeof names / sizeof names[0] ? names[v] : "exception";
}

static void frame_line(int i, uint64_t pc, uint64_t lookup)
{
    uint64_t off;
    const char *name = hvt_symbol(lookup, &off);
    if (name)
        hvt_msg("  #%-2d %#llx %s+%#llx", i, (unsigned long long)pc, name,
                (unsigned long long)(off + (pc - lookup)));
    else
        hvt_msg("  #%-2d %#llx", i, (unsigned long long)pc);
}

static void backtrace(const struct hvt_mem *m, uint64_t rip, uint64_t rbp)
{
    hvt_msg("backtrace:");
    frame_line(0, rip, rip);
    for (int i = 1; i < BACKTRACE_MAX && rbp != 0; i++) {
        uint64_t fr[2];
        if (!hvt_mem_readable(m, rbp, sizeof fr) || rbp % 8 != 0) {
            hvt_msg("  (frame pointer %#llx is not in readable guest memory)",
                    (unsigned long long)rbp);
            return;
        }
        memcpy(fr, m->base + rbp, sizeof fr);
        if (fr[1] == 0)
            return;
        /* return address - 1: the call, for the function name */
        frame_line(i, fr[1], fr[1] - 1);
        if (fr[0] <= rbp)
            return; /* frames go up the stack; anything else is the end */
        rbp = fr[0];
    }
}

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
                     vec, vector_name(vec), ev.exception.error_code);
        else
            snprintf(buf, sizeof buf, "CPU exception %u (%s)", vec,
                     vector_name(vec));
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
        if (sr.cr2 < m->size &&
            m->perm[sr.cr2 / ATOLL_HVT_PAGE_SIZE] == HVT_PERM_GUARD)
            hvt_msg("stack overflow: a fiber's stack ran into its guard page "
                    "%#llx",
                    (unsigned long long)(sr.cr2 & ~(ATOLL_HVT_PAGE_SIZE - 1)));
        if (sr.cr2 >= m->boot_guard &&
            sr.cr2 < m->boot_guard + ATOLL_HVT_PAGE_SIZE)
            hvt_msg("stack overflow: the boot stack ran into its guard page "
                    "%#llx..%#llx",
                    (unsigned long long)m->boot_guard,
                    (unsigned long long)(m->boot_guard + ATOLL_HVT_PAGE_SIZE));
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
    backtrace(m, r.rip, r.rbp);
    hvt_die(ATOLL_HVT_EXIT_CRASH, "guest crashed (status %d)",
            ATOLL_HVT_EXIT_CRASH);
}
