/*
 * tender/hvt/vcpu.c - the KVM virtual machine, its one vCPU, and the run
 * loop.
 *
 * The vCPU starts directly in 64-bit long mode (no real-mode or BIOS
 * stage, which is most of the boot time saved): paging on with the
 * tender's page tables (CR3), CR0.WP so read-only pages would bind even
 * ring-0 code, EFER.NXE so no-execute pages are honoured, SSE usable, a
 * flat 64-bit code segment and a TSS taken from the tender's GDT.  The
 * guest runs in ring 3 (see hvt/abi.h: native speed on PVM as well as on
 * hardware-assisted KVM).  There is no IDT: any exception in the guest
 * escalates to a triple fault, which KVM reports as a shutdown and the
 * tender as a guest crash (crash.c: vector, registers, backtrace).  The run
 * loop turns stores to the hypercall page (MMIO exits) into hypercalls and
 * everything else into a crash report with the guest's RIP.  With --gdb,
 * the debugger gets the guest before its first instruction, at every
 * KVM_EXIT_DEBUG (a breakpoint, a single step) and at its end
 * (gdb_kvm.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvt.h"

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)

#define CR4_PAE        (1ULL << 5)
#define CR4_OSFXSR     (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)

#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

static int fail(const char *what)
{
    hvt_msg("KVM: %s: %s", what, strerror(errno));
    return -1;
}

/* The guest's CPUID table, built here from the host's own `cpuid` for the
 * few leaves the guest needs, instead of KVM_GET_SUPPORTED_CPUID: that
 * ioctl executes `cpuid` for every leaf and sub-leaf the host has, and
 * under a nested or software KVM (PVM) each one traps to the outer
 * hypervisor - 0.4-0.6 ms, a tenth of a boot.  Six host `cpuid`s cost
 * a few microseconds each.
 *
 * Only features are passed on that every x86_64 KVM supports and that
 * need no extra state or control bit from KVM, masked bit by bit (host
 * values outside the masks are dropped):
 *   - leaf 0: the vendor, max basic leaf capped at 7;
 *   - leaf 1: family/model/stepping; EDX: FPU, TSC, CX8, CMOV, CLFLUSH,
 *     MMX, FXSR, SSE, SSE2; ECX: SSE3, PCLMULQDQ, SSSE3, CX16, SSE4.1/4.2,
 *     MOVBE, POPCNT, AES, RDRAND (bit 30, read by lib/crypto/entropy.c;
 *     KVM on VMX turns RDRAND into #UD when the guest's CPUID lacks it).
 *     Not XSAVE/OSXSAVE/AVX (no leaf 0xD: the guest's XCR0 stays legacy),
 *     PCID, VMX, x2APIC, TSC-deadline, MONITOR: KVM gates CR4 bits or
 *     devices on them and the guest uses none;
 *   - leaf 7.0: EBX BMI1, BMI2, ERMS, RDSEED (bit 18, entropy.c), ADX;
 *   - 0x80000000: max extended leaf capped at 0x80000008;
 *   - 0x80000001: EDX NX and LM (KVM refuses EFER.NXE/LME without them),
 *     ECX LAHF/SAHF, LZCNT, PREFETCHW;
 *   - 0x80000008: EAX, the physical/virtual address widths (KVM derives
 *     the guest's reserved page-table bits from it).
 * A missing leaf reads as zeros in the guest. */
#define B(n) (1u << (n))
static const struct cpuid_mask {
    uint32_t leaf, eax, ebx, ecx, edx;
} cpuid_masks[] = {
    {0x0, ~0u, ~0u, ~0u, ~0u},
    {0x1, ~0u, 0xffff, /* brand index, CLFLUSH size; no APIC id */
     B(0) | B(1) | B(9) | B(13) | B(19) | B(20) | B(22) | B(23) | B(25) | B(30),
     B(0) | B(4) | B(8) | B(15) | B(19) | B(23) | B(24) | B(25) | B(26)},
    {0x7, 0, B(3) | B(8) | B(9) | B(18) | B(19), 0, 0},
    {0x80000000, ~0u, ~0u, ~0u, ~0u},
    {0x80000001, 0, 0, B(0) | B(5) | B(8), B(20) | B(29)},
    {0x80000008, 0xffff, 0, 0, 0},
};
#undef B
#define NCPUID (sizeof cpuid_masks / sizeof cpuid_masks[0])

void hvt_host_cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ __volatile__("cpuid"
                         : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(0));
}

static int set_cpuid(struct hvt_vcpu *v, struct hvt_mem *m)
{
    struct kvm_cpuid2 *c =
        calloc(1, sizeof *c + NCPUID * sizeof(struct kvm_cpuid_entry2));
    if (c == NULL)
        return fail("CPUID table");
    uint32_t max_basic = 0, max_ext = 0;
    for (size_t i = 0; i < NCPUID; i++) {
        const struct cpuid_mask *k = &cpuid_masks[i];
        bool ext = k->leaf >= 0x80000000u;
        if (k->leaf != 0 && k->leaf != 0x80000000u &&
            k->leaf > (ext ? max_ext : max_basic))
            continue; /* the host has no such leaf */
        uint32_t r[4];
        hvt_host_cpuid(k->leaf, r);
        if (k->leaf == 0) {
            r[0] = max_basic = r[0] < 7 ? r[0] : 7;
            /* "GenuineIntel": see hvt_mem_guard (mem.c). */
            m->a_bit_caching =
                r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;
        }
        if (k->leaf == 0x80000000u)
            r[0] = max_ext = r[0] < 0x80000008u ? r[0] : 0x80000008u;
        struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];
        e->function = k->leaf;
        e->index = 0;
        /* Leaf 7 has sub-leaves: this is sub-leaf 0 (EAX 0: the only). */
        e->flags = k->leaf == 7 ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
        e->eax = r[0] & k->eax;
        e->ebx = r[1] & k->ebx;
        e->ecx = r[2] & k->ecx;
        e->edx = r[3] & k->edx;
    }
    int err = ioctl(v->vcpu_fd, KVM_SET_CPUID2, c);
    free(c);
    return err < 0 ? fail("KVM_SET_CPUID2") : 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
    memset(s, 0, sizeof *s);
    s->base = 0;
    s->limit = 0xffffffff;
    s->selector = sel;
    s->type = type;
    s->present = 1;
    s->s = 1;
    s->g = 1;
    s->l = code;
    s->dpl = 3;
    s->db = !code;
}

static int set_long_mode(struct hvt_vcpu *v, struct hvt_mem *m, uint64_t entry)
{
    struct kvm_sregs sr;
    if (ioctl(v->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return fail("KVM_GET_SREGS");
    sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sr.cr3 = m->pml4;
    sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    sr.efer = EFER_LME | EFER_LMA | EFER_NXE;
    seg(&sr.cs, 0x23, 0xb, true);
    seg(&sr.ds, 0x1b, 0x3, false);
    sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
    /* %fs:0x28 must be readable.  The guest's code takes its stack
     * canary from a global (-mstack-protector-guard=global), but GCC
     * drops that option in functions with a target attribute (BearSSL's
     * AES-NI, PCLMUL and SSE2 code), which read the canary at %fs:0x28 as
     * in a Linux process.  With a base of 0 that was address 0x28, not
     * mapped: the first TLS handshake on a CPU with AES-NI crashed.  The
     * base makes %fs:0x28 the last 8 of the boot info's random bytes
     * (abi.h), which the guest only reads. */
    sr.fs.base = ATOLL_HVT_BOOT_INFO +
                 offsetof(struct atoll_hvt_boot_info, random) + 24 - 0x28;
    memset(&sr.tr, 0, sizeof sr.tr);
    sr.tr.base = ATOLL_HVT_GDT_ADDR + 0x80;
    sr.tr.limit = 0x67;
    sr.tr.selector = 0x28;
    sr.tr.type = 0xb; /* busy 64-bit TSS */
    sr.tr.present = 1;
    memset(&sr.ldt, 0, sizeof sr.ldt);
    sr.ldt.type = 0x2;
    sr.ldt.present = 1;
    sr.ldt.limit = 0xffff;
    sr.gdt.base = ATOLL_HVT_GDT_ADDR;
    sr.gdt.limit = 7 * 8 - 1;
    sr.idt.base = 0;
    sr.idt.limit = 0; /* no IDT: exceptions end in a triple fault */
    if (ioctl(v->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
        return fail("KVM_SET_SREGS");

    struct kvm_regs r;
    memset(&r, 0, sizeof r);
    r.rip = entry;
    r.rsp = m->stack_top;
    r.rdi = ATOLL_HVT_BOOT_INFO;
    r.rflags = 0x3202; /* IOPL 3: ring 3 may use `out` */
    if (ioctl(v->vcpu_fd, KVM_SET_REGS, &r) < 0)
        return fail("KVM_SET_REGS");
    return 0;
}

int hvt_vcpu_init(struct hvt_vcpu *v, struct hvt_mem *m, uint64_t entry)
{
    bool stats = v->stats;
    memset(v, 0, sizeof *v);
    v->stats = stats;
    v->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (v->kvm_fd < 0) {
        /* The same image runs without KVM: say so. */
        hvt_msg("KVM: cannot open /dev/kvm: %s; without KVM, run the same "
                "image sandboxed: atoll-spt takes this command line",
                strerror(errno));
        return -1;
    }
    if (ioctl(v->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        hvt_msg("KVM: unsupported API version");
        return -1;
    }
    v->vm_fd = ioctl(v->kvm_fd, KVM_CREATE_VM, 0);
    if (v->vm_fd < 0)
        return fail("KVM_CREATE_VM");
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = m->size,
        .userspace_addr = (uint64_t)(uintptr_t)m->base,
    };
    if (ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return fail("KVM_SET_USER_MEMORY_REGION");
    v->vcpu_fd = ioctl(v->vm_fd, KVM_CREATE_VCPU, 0);
    if (v->vcpu_fd < 0)
        return fail("KVM_CREATE_VCPU");
    int size = ioctl(v->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run))
        return fail("KVM_GET_VCPU_MMAP_SIZE");
    v->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
                  v->vcpu_fd, 0);
    if (v->run == MAP_FAILED)
        return fail("mmap vcpu");
    if (set_cpuid(v, m) < 0)
        return -1;
    return set_long_mode(v, m, entry);
}

/* Stops with a crash report (crash.c). */
#define crash(v, g, what)                                                      \
    hvt_crash_report((v)->vcpu_fd, &(g)->mem, (v)->exits, what, false)

/* The guest's translations are cached by KVM (shadow page tables on
 * PVM, the TLB elsewhere) and the tender changed the page tables behind
 * the guest's back.  Removing and re-adding the memory slot makes KVM drop
 * every cached translation of it; the vCPU rebuilds them on demand. */
void hvt_vcpu_flush(struct hvt_vcpu *v, struct hvt_mem *m)
{
    uint64_t t0 = v->stats ? hvt_mono_ns() : 0;
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = 0,
        .userspace_addr = (uint64_t)(uintptr_t)m->base,
    };
    if (ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM: removing memory: %s",
                strerror(errno));
    region.memory_size = m->size;
    if (ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM: re-adding memory: %s",
                strerror(errno));
    if (v->stats) {
        v->flush_ns += hvt_mono_ns() - t0;
        v->flushes++;
    }
}

int hvt_vcpu_run(struct hvt_vcpu *v, struct hvt_guest *g)
{
    struct kvm_run *run = v->run;
    char what[96];
    hvt_gdb_start();
    for (;;) {
        uint64_t t0 = v->stats ? hvt_mono_ns() : 0;
        if (hvt_gdb_requested)
            hvt_gdb_poll();
        if (hvt_stop_requested) {
            (void)hvt_console_drain(g);
            hvt_gdb_terminated((int)hvt_stop_requested);
            return -1;
        }
        if (ioctl(v->vcpu_fd, KVM_RUN, 0) < 0) {
            /* immediate_exit: set by gdb_kvm.c's SIGIO handler. */
            run->immediate_exit = 0;
            if (errno == EINTR || errno == EAGAIN)
                continue;
            hvt_die(ATOLL_HVT_EXIT_TENDER, "KVM_RUN: %s", strerror(errno));
        }
        if (v->stats) {
            uint64_t dt = hvt_mono_ns() - t0;
            if (v->exits == 0)
                v->first_run_ns = dt;
            v->run_ns += dt;
        }
        v->exits++;
        if (hvt_console_drain(g) < 0)
            crash(v, g, "bad console area: its length is out of range");
        hvt_trace_deliver(g);
        switch (run->exit_reason) {
        case KVM_EXIT_MMIO: {
            /* A hypercall is an aligned 8-byte store into the hypercall
             * page; anything else there (or elsewhere outside memory) is a
             * guest bug. */
            uint64_t addr = run->mmio.phys_addr;
            uint64_t off = addr - ATOLL_HVT_HYPERCALL_BASE;
            if (addr < ATOLL_HVT_HYPERCALL_BASE || off >= ATOLL_HVT_PAGE_SIZE ||
                !run->mmio.is_write || run->mmio.len != 8 || off % 8 != 0) {
                snprintf(what, sizeof what,
                         "bad hypercall: %u-byte %s at %#llx", run->mmio.len,
                         run->mmio.is_write ? "write" : "read",
                         (unsigned long long)addr);
                crash(v, g, what);
            }
            uint64_t gpa;
            memcpy(&gpa, run->mmio.data, sizeof gpa);
            v->calls[off / 8 < 16 ? off / 8 : 0]++;
            hvt_hypercall(g, (unsigned)(off / 8), gpa);
            if (g->exited) {
                hvt_gdb_exited(g->status);
                return g->status;
            }
            if (g->flush) {
                hvt_vcpu_flush(v, &g->mem);
                g->flush = false;
            }
            break;
        }
        case KVM_EXIT_DEBUG:
            /* A breakpoint or a single step gdb asked for. */
            if (!hvt_gdb_debug_exit())
                crash(v, g, "debug exit without a debugger");
            break;
        case KVM_EXIT_IO:
            snprintf(what, sizeof what, "bad hypercall: port I/O %#x",
                     run->io.port);
            crash(v, g, what);
        case KVM_EXIT_SHUTDOWN:
            /* An exception the guest did not handle (it has no IDT). */
            if (hvt_gdb_shutdown_exit())
                break;
            hvt_crash_report(v->vcpu_fd, &g->mem, v->exits, "triple fault",
                             true);
        case KVM_EXIT_HLT:
            crash(v, g, "halted with interrupts off");
        case KVM_EXIT_FAIL_ENTRY:
            snprintf(what, sizeof what, "VM entry failed (reason %#llx)",
                     (unsigned long long)
                         run->fail_entry.hardware_entry_failure_reason);
            crash(v, g, what);
        case KVM_EXIT_INTERNAL_ERROR:
            snprintf(what, sizeof what,
                     "KVM internal error %u (data %#llx %#llx %#llx)",
                     run->internal.suberror,
                     (unsigned long long)run->internal.data[0],
                     (unsigned long long)run->internal.data[1],
                     (unsigned long long)run->internal.data[2]);
            crash(v, g, what);
        default:
            snprintf(what, sizeof what, "unexpected VM exit %u",
                     run->exit_reason);
            crash(v, g, what);
        }
    }
}
