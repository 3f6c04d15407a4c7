/*
 * tender/spt/entry.S - the two crossings between atoll-spt and its guest.
 *
 * spt_launch(entry, stack, boot_info) enters the guest as atoll-hvt's vCPU
 * would: %rsp at the top of the guest's stack, the boot info in %rdi, and
 * every other general register zero, so no tender address leaks in.
 *
 * spt_hypercall_entry(nr, arg) is what the boot info's hypercall field
 * points at.  The guest calls it on its own stack, which may be a small
 * fiber stack near its guard page; the tender's code must not depend on
 * how much room is left there, so the entry moves to the tender's own
 * stack (spt_stack_top) before calling spt_hypercall in C, and back after.
 * nr and arg are already in %rdi and %rsi; callee-saved registers are the
 * C code's to keep, as in any call.
 */
    .text
    .globl spt_launch
    .type spt_launch, @function
spt_launch:
    mov %rsi, %rsp
    mov %rdi, %rax
    mov %rdx, %rdi
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    jmp *%rax
    .size spt_launch, . - spt_launch

    .globl spt_hypercall_entry
    .type spt_hypercall_entry, @function
spt_hypercall_entry:
    push %rbp                   /* a frame on the guest's stack, so that */
    mov %rsp, %rbp              /* a debugger's backtrace reaches the guest */
    mov spt_stack_top(%rip), %rsp
    push %rbp                   /* the guest's stack, restored below */
    sub $8, %rsp                /* 16-byte alignment at the call */
    call spt_hypercall
    add $8, %rsp
    pop %rsp
    pop %rbp
    ret
    .size spt_hypercall_entry, . - spt_hypercall_entry

    .section .note.GNU-stack, "", @progbits
