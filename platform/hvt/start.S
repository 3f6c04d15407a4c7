/*
 * platform/hvt/start.S - entry point of an hvt unikernel (start_hvt.o).
 *
 * The tender starts us in 64-bit long mode, ring 3, with SSE enabled,
 * %rsp at the top of the stack (16-byte aligned) and the boot info in
 * %rdi.  Before any C code runs we
 *   - clear .bss (guest memory is fresh from the tender, but an image must
 *     not rely on how it was loaded),
 *   - set the stack protector's guard from the tender's random bytes, with
 *     the low byte zeroed so a string overflow cannot copy it intact,
 *   - note how hypercalls are made (the boot info's hypercall entry: a
 *     function call into atoll-spt, or 0 for atoll-hvt's store),
 * and only then call hvt_start (core.c), which never returns.  Written in
 * assembly because none of this may itself be stack-protected.
 */
    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp              /* the end of every backtrace */
    mov %rdi, %rbx              /* boot info, kept across the clearing */
    lea __bss_start(%rip), %rdi
    lea _end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    cld
    rep stosb
    /* random[0..7] of struct atoll_hvt_boot_info (offset 88) */
    mov 88(%rbx), %rax
    xor %al, %al
    mov %rax, __stack_chk_guard(%rip)
    /* hypercall of struct atoll_hvt_boot_info (offset 152) */
    mov 152(%rbx), %rax
    mov %rax, hvt_hypercall_entry(%rip)
    mov %rbx, %rdi
    call hvt_start
1:  jmp 1b                      /* not reached */
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
