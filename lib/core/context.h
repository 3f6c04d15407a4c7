/*
 * lib/core/context.h - the machine context switch (context_x86_64.S) and
 * the preparation of a new fiber's first frame.
 *
 * Internal to lib/core: the scheduler is its only user.
 */
#ifndef ATOLL_CORE_CONTEXT_H
#define ATOLL_CORE_CONTEXT_H

#include <stdint.h>

/* Save the callee-saved state on the current stack, store the stack
 * pointer in *save_sp, and resume the context whose stack pointer is
 * load_sp. */
void atoll_ctx_switch(void **save_sp, void *load_sp);

/* Entry trampoline for fresh contexts (see the .S file). */
void atoll_ctx_start(void);

/*
 * Build the first frame of a context on the stack [lo, hi) so that
 * switching to the returned stack pointer calls entry(arg) on that stack.
 * entry must never return.
 */
static inline void *atoll_ctx_make(void *lo, void *hi, void (*entry)(void *),
                                   void *arg)
{
    (void)lo;
    uintptr_t top = (uintptr_t)hi & ~(uintptr_t)15;
    /* The return-address slot sits 8 bytes below a 16-byte boundary, so
     * that after `ret` pops it the stack pointer is 16-byte aligned. */
    uint64_t *ret_slot = (uint64_t *)(top - 24);
    uint64_t *frame = ret_slot - 8;
    frame[0] = 0x037f;                     /* x87 control word: default */
    frame[1] = 0x1f80;                     /* MXCSR: default */
    frame[2] = 0;                          /* r15 */
    frame[3] = 0;                          /* r14 */
    frame[4] = (uint64_t)(uintptr_t)entry; /* r13 */
    frame[5] = (uint64_t)(uintptr_t)arg;   /* r12 */
    frame[6] = 0;                          /* rbx */
    frame[7] = 0;                          /* rbp: end of backtraces */
    ret_slot[0] = (uint64_t)(uintptr_t)atoll_ctx_start;
    ret_slot[1] = 0; /* a fake return address above, for debuggers */
    return frame;
}

#endif
