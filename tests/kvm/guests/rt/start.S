/*
 * tests/kvm/guests/rt/start.S - entry point of the hvt test guests.
 *
 * The tender starts us in long mode with %rsp at the top of the stack
 * (16-byte aligned) and the boot info in %rdi.  Call guest_main(bi) and
 * hand its return value to the exit hypercall; the `call` leaves %rsp as
 * the C ABI expects at function entry.  .bss needs no clearing: guest
 * memory is fresh from the tender.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    xor %ebp, %ebp
    call guest_main
    mov %rax, exit_arg(%rip)
    lea exit_arg(%rip), %rax
    /* the exit hypercall: ATOLL_HVT_HYPERCALL_BASE + 8 * ATOLL_HVT_EXIT */
    movabs $0x100000058, %rdx
    movq %rax, (%rdx)
1:  hlt                         /* not reached */
    jmp 1b

    .section .bss
    .balign 8
exit_arg:
    .quad 0
    .section .note.GNU-stack, "", @progbits
