/*
 * tests/kvm/guests/rt/start.S - entry point of the hvt test guests.
 *
 * The tender starts us in long mode with %rsp at the top of the stack
 * (16-byte aligned) and the boot info in %rdi.  Note how hypercalls are
 * made (the boot info's hypercall field, offset 152), call guest_main(bi)
 * and hand its return value to guest_exit; the `call` leaves %rsp as the
 * C ABI expects at function entry.  .bss needs no clearing: guest memory
 * is fresh from the tender.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    xor %ebp, %ebp
    mov 152(%rdi), %rax
    mov %rax, guest_hypercall_entry(%rip)
    call guest_main
    mov %eax, %edi
    call guest_exit
1:  hlt                         /* not reached */
    jmp 1b

    .section .bss
    .balign 8
    .globl guest_hypercall_entry
guest_hypercall_entry:
    .quad 0
    .section .note.GNU-stack, "", @progbits
