/*
 * lib/core/context_x86_64.S - the fiber context switch for x86-64 (SysV).
 *
 * A suspended context is just a stack pointer: everything the SysV ABI
 * says a callee must preserve is pushed on the suspended stack - rbx, rbp,
 * r12-r15, the MXCSR (SSE rounding/exception masks) and the x87 control
 * word.  Caller-saved registers need no saving: the switch is an ordinary
 * function call as far as the compiler is concerned.
 *
 * Frame layout at the saved stack pointer (low to high addresses):
 *     +0  x87 control word (2 bytes used)
 *     +8  MXCSR (4 bytes used)
 *    +16  r15, r14, r13, r12, rbx, rbp
 *    +64  return address
 *
 * lib/core/context.h builds the same frame for a fiber that has never run,
 * with its return address pointing at atoll_ctx_start below.
 */
    .text

/* void atoll_ctx_switch(void **save_sp, void *load_sp) */
    .globl  atoll_ctx_switch
    .type   atoll_ctx_switch, @function
atoll_ctx_switch:
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    subq    $16, %rsp
    stmxcsr 8(%rsp)
    fnstcw  (%rsp)
    movq    %rsp, (%rdi)
    movq    %rsi, %rsp
    fldcw   (%rsp)
    ldmxcsr 8(%rsp)
    addq    $16, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret
    .size   atoll_ctx_switch, .-atoll_ctx_switch

/*
 * First instruction of a new fiber, reached by the `ret` above.  The
 * initial frame put the argument in r12 and the entry function in r13;
 * rbp is 0 so that debuggers' backtraces stop here.  The stack pointer is
 * 16-byte aligned at this point (context.h arranges it), so the call below
 * enters the function with the alignment the ABI promises.  The entry
 * function never returns: a fiber's end is a switch away for good.
 */
    .globl  atoll_ctx_start
    .type   atoll_ctx_start, @function
atoll_ctx_start:
    movq    %r12, %rdi
    callq   *%r13
    ud2
    .size   atoll_ctx_start, .-atoll_ctx_start

    .section .note.GNU-stack,"",@progbits
