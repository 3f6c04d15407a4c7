/*
 * platform/virtio/traps.S - the interrupt descriptor table's entry stubs
 * (intr.c builds the table from intr_stubs).
 *
 * Exceptions (vectors 0-31) save every register as a struct trap_frame
 * (virtio_int.h) and call virtio_trap, which reports the crash and stops the
 * machine; they never return.  Page faults, double faults, general
 * protection and stack faults run on their own stack (the TSS's IST1,
 * intr.c) so that a fiber that overflowed its stack into the guard page
 * is still reported.
 *
 * Interrupts (32-254) only wake the CPU out of intr_halt: the stub
 * acknowledges the local APIC (EOI) and returns with interrupts off again
 * (it clears IF in the saved RFLAGS), so the code after the halt runs
 * with them off and an interrupt can never land anywhere else.  All the
 * work - which device has what - is done by wait.c looking at the rings.
 * Vector 255 is the local APIC's spurious vector, which takes no EOI.
 */
#define RFLAGS_IF 0x200

    .text
    .code64

.macro TRAP n
    .p2align 4
trap_\n:
    /* The CPU pushes an error code for these; the others get a zero. */
    .if !((\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30))
    pushq $0
    .endif
    pushq $\n
    jmp trap_common
.endm

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    TRAP \n
    .endr

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    and $-16, %rsp
    call virtio_trap
1:  hlt
    jmp 1b

    .p2align 4
    .globl intr_wake
intr_wake:
    push %rax
    mov intr_lapic_eoi(%rip), %rax
    movl $0, (%rax)
    pop %rax
    andq $~RFLAGS_IF, 16(%rsp)
    iretq

    .p2align 4
    .globl intr_spurious
intr_spurious:
    andq $~RFLAGS_IF, 16(%rsp)
    iretq

/* The addresses of the 32 exception stubs, for intr.c. */
    .section .rodata
    .p2align 3
    .globl intr_traps
intr_traps:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_\n
    .endr

    .section .note.GNU-stack, "", @progbits
