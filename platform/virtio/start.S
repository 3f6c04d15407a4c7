/*
 * platform/virtio/start.S - entry point of a virtio unikernel
 * (start_virtio.o): from the PVH boot state to C.
 *
 * PVH (the Xen "direct boot" ABI that QEMU's -kernel and Firecracker
 * implement) enters at the 32-bit address of the XEN_ELFNOTE_PHYS32_ENTRY
 * note below, in 32-bit protected mode with paging off, flat segments
 * whose descriptors we must not rely on, interrupts off, no stack, and
 * %ebx holding the physical address of struct hvm_start_info (pvh.h).
 * Before any C code runs we
 *   - load our own GDT (a 64-bit code segment and a data segment),
 *   - identity-map the first 4 GiB with 2 MiB pages (the .boot tables;
 *     paging.c replaces them with tables that give each part of the
 *     image only its own rights),
 *   - enable PAE, long mode, paging, write protection in ring 0, and
 *     SSE (the compiler uses it for copies and the fiber switch saves
 *     MXCSR),
 *   - switch to 64-bit code and the boot stack, clear .bss,
 *   - set the stack protector's guard from RDRAND when the CPU has it,
 *     else from the TSC (low byte zeroed, so a string overflow cannot
 *     copy it intact),
 * and only then call virtio_start (core.c) with the start info; it never
 * returns.  Assembly because none of this may itself be stack-protected.
 */
#define CR0_PE   (1 << 0)
#define CR0_MP   (1 << 1)
#define CR0_EM   (1 << 2)
#define CR0_WP   (1 << 16)
#define CR0_PG   (1 << 31)
#define CR4_PAE  (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define PTE_P    1
#define PTE_W    2
#define PTE_PWT  8
#define PTE_PCD  16
#define PTE_PS   0x80
#define BOOT_STACK_SIZE 65536

/* The PVH note: name "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY), the
 * 32-bit physical entry address. */
    .section .note.Xen, "a"
    .p2align 2
    .long 4, 4, 18
    .asciz "Xen"
    .long virtio_start32

    .section .text.start, "ax"
    .code32
    .globl virtio_start32
    .type virtio_start32, @function
virtio_start32:
    cli
    cld
    lgdt boot_gdt_ptr
    /* PML4: one entry, the PDPT; everything else absent. */
    mov $boot_pml4, %edi
    xor %eax, %eax
    mov $1024, %ecx
    rep stosl
    movl $(boot_pdpt + PTE_P + PTE_W), boot_pml4
    /* PDPT: four entries, the four page directories. */
    mov $boot_pdpt, %edi
    mov $1024, %ecx
    rep stosl
    mov $boot_pd, %eax
    or $(PTE_P + PTE_W), %eax
    mov $boot_pdpt, %edi
    mov $4, %ecx
1:  mov %eax, (%edi)
    movl $0, 4(%edi)
    add $4096, %eax
    add $8, %edi
    loop 1b
    /* 2048 entries of 2 MiB: 0..4 GiB, uncached from 3 GiB up (where
     * the machines put their device registers). */
    mov $boot_pd, %edi
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_P + PTE_W + PTE_PS), %eax
    cmp $1536, %ecx
    jb 3f
    or $(PTE_PCD + PTE_PWT), %eax
3:  mov %eax, (%edi,%ecx,8)
    movl $0, 4(%edi,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jb 2b
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(CR4_PAE + CR4_OSFXSR + CR4_OSXMMEXCPT), %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    and $~CR0_EM, %eax
    or $(CR0_PE + CR0_MP + CR0_WP + CR0_PG), %eax
    mov %eax, %cr0
    ljmp $0x08, $start64
    .size virtio_start32, . - virtio_start32

    .code64
start64:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp              /* the end of every backtrace */
    mov %ebx, %r12d             /* start info (zero-extended), kept */
    fninit
    lea __bss_start(%rip), %rdi
    lea _end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    /* The stack protector's guard: RDRAND (CPUID.01H:ECX bit 30, up to
     * ten tries as the manuals advise), else the TSC. */
    mov $1, %eax
    cpuid
    bt $30, %ecx
    jnc 5f
    mov $10, %ecx
4:  rdrand %rax
    jc 6f
    loop 4b
5:  rdtsc
    shl $32, %rdx
    or %rdx, %rax
    mov $0x9e3779b97f4a7c15, %rdx
    imul %rdx, %rax
6:  xor %al, %al
    mov %rax, __stack_chk_guard(%rip)
    mov %r12, %rdi
    call virtio_start
7:  hlt                         /* not reached */
    jmp 7b

    .section .rodata
    .p2align 3
/* The accessed bits are set: the CPU would otherwise write them when it
 * loads a segment, and this table is read-only once paging.c is done. */
boot_gdt:
    .quad 0                     /* null */
    .quad 0x00af9b000000ffff    /* 0x08: 64-bit code, ring 0, accessed */
    .quad 0x00cf93000000ffff    /* 0x10: data, ring 0, accessed */
boot_gdt_end:
    .globl virtio_gdt_ptr
virtio_gdt_ptr:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .section .boot, "aw", @nobits
    .p2align 12
    .globl boot_pml4
boot_pml4:
    .skip 4096
boot_pdpt:
    .skip 4096
boot_pd:
    .skip 4 * 4096
    .globl boot_stack_bottom
boot_stack_bottom:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
