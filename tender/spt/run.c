/*
 * tender/spt/run.c - entering the guest and serving its hypercalls.
 *
 * A hypercall under atoll-spt is a function call: the guest calls the
 * entry its boot info names (entry.S), which lands here on the tender's
 * own stack.  The rest is what atoll-hvt does at a VM exit, in the same
 * order: write out the console area first (so the guest's output and the
 * tender's messages keep their order), then check and serve the call with
 * the shared code (tender/common/hypercall.c) - the same checks, the same
 * crash status for a bad pointer.  In a process those checks guard the
 * tender's own memory from mistakes, not from a hostile guest: that guest
 * shares the address space and could skip the entry altogether, which is
 * why the seccomp filter, not this code, is the sandbox.
 */
#include <unistd.h>

#include "spt.h"

struct hvt_guest spt_guest;
volatile sig_atomic_t spt_in_call;
uint64_t spt_calls[16];
uint64_t spt_stack_top;

/* The stack hypercalls (and through them devices, crash checks, messages)
 * run on: the guest's own stack may be a nearly full fiber stack. */
static uint8_t call_stack[256 << 10] __attribute__((aligned(16)));

_Noreturn void spt_stop(void)
{
    (void)hvt_console_drain(&spt_guest);
    _exit(128 + hvt_stop_requested);
}

void spt_hypercall(uint64_t nr, uint64_t arg)
{
    struct hvt_guest *g = &spt_guest;
    spt_in_call = 1;
    spt_calls[nr < 16 ? nr : 0]++;
    if (hvt_console_drain(g) < 0)
        hvt_die(ATOLL_HVT_EXIT_CRASH,
                "guest crashed: bad console area: its length is out of range");
    hvt_trace_deliver(g);
    hvt_hypercall(g, nr > ~0u ? ~0u : (unsigned)nr, arg);
    if (g->exited)
        _exit(g->status);
    /* A stop requested during the call (SIGINT/SIGTERM only set the flag
     * then) is carried out now; one arriving after this line finds
     * spt_in_call clear and stops the guest itself. */
    spt_in_call = 0;
    if (hvt_stop_requested)
        spt_stop();
}

_Noreturn void spt_run(struct hvt_guest *g, uint64_t entry)
{
    spt_stack_top = (uint64_t)(uintptr_t)(call_stack + sizeof call_stack);
    spt_launch(entry, g->mem.stack_top, ATOLL_HVT_BOOT_INFO);
}
