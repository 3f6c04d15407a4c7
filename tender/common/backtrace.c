/*
 * tender/common/backtrace.c - the parts of a crash report that read guest
 * memory: the backtrace and the stack-overflow diagnosis.
 *
 * Every unikernel is built with -fno-omit-frame-pointer, so the frames are
 * a chain of (saved rbp, return address) pairs up the stack.  The guest is
 * crashed and its memory untrusted: each read is checked against the pages
 * the guest may read, and the walk stops at a frame that does not go up
 * the stack.  Function names come from the image's symbol table
 * (symbols.c).  Both tenders describe the fault the same way - the CPU
 * exception (from KVM's record, or from the signal's trap number in the
 * sandbox) - and then call these.
 */
#include <string.h>

#include "tender.h"
#include "x86_vectors.h"

#define BACKTRACE_MAX 32

const char *hvt_vector_name(unsigned v)
{
    return x86_vector_name(v);
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

void hvt_backtrace(const struct hvt_mem *m, uint64_t rip, uint64_t rbp)
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
        memcpy(fr, hvt_gp(m, rbp), sizeof fr);
        if (fr[1] == 0)
            return;
        /* return address - 1: the call, for the function name */
        frame_line(i, fr[1], fr[1] - 1);
        if (fr[0] <= rbp)
            return; /* frames go up the stack; anything else is the end */
        rbp = fr[0];
    }
}

void hvt_report_overflow(const struct hvt_mem *m, uint64_t addr)
{
    if (addr < m->size && m->perm[addr / ATOLL_HVT_PAGE_SIZE] == HVT_PERM_GUARD)
        hvt_msg("stack overflow: a fiber's stack ran into its guard page "
                "%#llx",
                (unsigned long long)(addr & ~(ATOLL_HVT_PAGE_SIZE - 1)));
    if (addr >= m->boot_guard && addr < m->boot_guard + ATOLL_HVT_PAGE_SIZE)
        hvt_msg("stack overflow: the boot stack ran into its guard page "
                "%#llx..%#llx",
                (unsigned long long)m->boot_guard,
                (unsigned long long)(m->boot_guard + ATOLL_HVT_PAGE_SIZE));
}
