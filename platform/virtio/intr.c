/*
 * platform/virtio/intr.c - interrupts and traps: the GDT with a TSS (for
 * the trap stack), the IDT, the legacy PIC put out of the way, the local
 * APIC and its one-shot timer, the I/O APIC for virtio-mmio's lines, and
 * the crash report of an exception.
 *
 * The design (docs/virtio.md, "Waiting"): the guest runs with interrupts
 * off, always.  Only intr_halt enables them, for the one instruction that
 * halts the CPU, and every interrupt stub returns with them off again
 * (traps.S).  An interrupt therefore does nothing but end a halt: the timer
 * when the scheduler's deadline comes, a device when it has used a buffer
 * (MSI-X on PCI, an I/O APIC input on MMIO).  No handler ever touches a
 * ring or a fiber, so there is no concurrency to reason about.
 *
 * The local APIC timer counts the APIC bus clock through a divider; its
 * rate is measured against the TSC at boot (2 ms), not assumed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/fiber.h"
#include "io.h"
#include "virtio_int.h"
#include "x86_vectors.h"

/* ---- the GDT and the TSS ---------------------------------------------------
 */

/* A trap stack of its own (IST1), for faults that may come from a broken
 * stack: a fiber's overflow into its guard page. */
#define TRAP_STACK_SIZE 16384
static uint8_t trap_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap;
} __attribute__((packed));

static struct tss tss;
/* null, code 0x08, data 0x10, TSS 0x18 (two slots). */
static uint64_t gdt[5] __attribute__((aligned(16)));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static void gdt_load(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffULL; /* 64-bit code, ring 0, accessed */
    gdt[2] = 0x00cf93000000ffffULL; /* data, ring 0, accessed */
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
             0x89ULL << 40 /* present, 64-bit TSS (available) */ |
             ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[4] = base >> 32;
    tss.ist[0] = (uint64_t)(uintptr_t)(trap_stack + TRAP_STACK_SIZE);
    tss.iomap = sizeof tss; /* no I/O permission bitmap */
    struct desc_ptr p = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq $0x08\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw $0x10, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "movw $0x18, %%ax\n\t"
                     "ltr %%ax"
                     :
                     : "m"(p)
                     : "rax", "memory");
}

/* ---- the IDT
 * ----------------------------------------------------------------- */

struct idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t intr_traps[32];
void intr_wake(void);
void intr_spurious(void);
/* The local APIC's EOI register, for intr_wake. */
uintptr_t intr_lapic_eoi;

static void idt_set(int v, uint64_t handler, uint8_t ist)
{
    idt[v] = (struct idt_gate){
        .off0 = (uint16_t)handler,
        .sel = 0x08,
        .ist = ist,
        .type = 0x8e, /* present, ring 0, interrupt gate */
        .off1 = (uint16_t)(handler >> 16),
        .off2 = (uint32_t)(handler >> 32),
    };
}

static void idt_load(void)
{
    for (int v = 0; v < 32; v++) {
        /* #DF, #SS, #GP, #PF on the trap stack. */
        bool ist = v == 8 || v == 12 || v == 13 || v == 14;
        idt_set(v, intr_traps[v], ist ? 1 : 0);
    }
    for (int v = 32; v < 255; v++)
        idt_set(v, (uint64_t)(uintptr_t)intr_wake, 0);
    idt_set(255, (uint64_t)(uintptr_t)intr_spurious, 0);
    struct desc_ptr p = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p));
}

/* ---- the legacy PIC
 * ------------------------------------------------------------ */

/* Remapped to vectors 0x30-0x3f (clear of the exceptions) and masked:
 * nothing here uses it, and its spurious interrupts must not look like
 * faults. */
static void pic_disable(void)
{
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x30);
    outb(0xa1, 0x38);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* ---- the local APIC
 * ---------------------------------------------------------- */

#define MSR_APIC_BASE  0x1b
#define APIC_ID        0x20
#define APIC_TPR       0x80
#define APIC_EOI       0xb0
#define APIC_SVR       0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_MASKED    0x10000

static uintptr_t lapic;
static uint32_t lapic_id;
static uint64_t lapic_hz; /* timer ticks per second (after the divider) */

static uint32_t lapic_read(uint32_t reg)
{
    return mmio_read32(lapic + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(lapic + reg, v);
}

static void say(const char *s)
{
    console_write(s, strlen(s));
}

/* Measures the timer's rate against the TSC over CAL_NS.  The start
 * and the end of the count are each bracketed by two TSC readings; a
 * measurement where either bracket is wider than CAL_SLACK (the vCPU was
 * descheduled right there, as happens under TCG on a busy host) is
 * thrown away: it would make every timer fire early or, worse, late. */
#define CAL_NS    2000000
#define CAL_SLACK 50 /* a bracket may be 1/50 of CAL_NS */
#define CAL_TRIES 20

static bool lapic_calibrate(void)
{
    uint64_t slack = clock_tsc_hz / 1000000 * (CAL_NS / 1000) / CAL_SLACK;
    uint64_t a0 = rdtsc();
    lapic_write(APIC_TIMER_ICR, 0xffffffff);
    uint64_t a1 = rdtsc();
    clock_delay_ns(CAL_NS);
    uint64_t b0 = rdtsc();
    uint32_t left = lapic_read(APIC_TIMER_CCR);
    uint64_t b1 = rdtsc();
    lapic_write(APIC_TIMER_ICR, 0);
    uint64_t ticks = 0xffffffffULL - left;
    if (a1 - a0 > slack || b1 - b0 > slack || ticks == 0)
        return false;
    uint64_t tsc = (b0 + b1) / 2 - (a0 + a1) / 2;
    lapic_hz = (uint64_t)((unsigned __int128)ticks * clock_tsc_hz / tsc);
    return lapic_hz != 0;
}

static int lapic_init(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[3] & (1u << 9))) {
        say("atoll: this CPU has no local APIC\n");
        return -1;
    }
    uint64_t base = rdmsr(MSR_APIC_BASE);
    base |= 1u << 11; /* globally enabled */
    wrmsr(MSR_APIC_BASE, base);
    lapic = (uintptr_t)(base & 0xfffff000ULL);
    if (lapic >= 1ULL << 32) {
        say("atoll: the local APIC is above 4 GiB\n");
        return -1;
    }
    intr_lapic_eoi = lapic + APIC_EOI;
    lapic_id = lapic_read(APIC_ID) >> 24;
    lapic_write(APIC_TPR, 0);
    lapic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
    lapic_write(APIC_TIMER_DCR, 0x3); /* divide by 16 */
    lapic_write(APIC_LVT_TIMER, APIC_MASKED | VEC_TIMER);
    for (int tries = 0; tries < CAL_TRIES; tries++)
        if (lapic_calibrate())
            return 0;
    say("atoll: cannot measure the local APIC timer against the TSC\n");
    return -1;
}

void intr_timer_arm(uint64_t ns)
{
    unsigned __int128 t = (unsigned __int128)ns * lapic_hz / 1000000000ULL + 1;
    uint32_t count = t > 0xffffffffULL ? 0xffffffffu : (uint32_t)t;
    lapic_write(APIC_LVT_TIMER, VEC_TIMER); /* one-shot */
    lapic_write(APIC_TIMER_ICR, count);
}

void intr_timer_stop(void)
{
    lapic_write(APIC_TIMER_ICR, 0);
}

uint64_t intr_msi_addr(void)
{
    return 0xfee00000ULL | (uint64_t)(lapic_id & 0xff) << 12;
}

uint32_t intr_msi_data(void)
{
    return VEC_DEVICE; /* fixed delivery, edge */
}

/* ---- the I/O APIC -----------------------------------------------------------
 */

/* At its usual address on the machines that have virtio-mmio (QEMU's
 * microvm, Firecracker; both describe it there in their MP/ACPI tables). */
#define IOAPIC_BASE 0xfec00000u

static uint32_t ioapic_read(uint32_t reg)
{
    mmio_write32(IOAPIC_BASE, reg);
    return mmio_read32(IOAPIC_BASE + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(IOAPIC_BASE, reg);
    mmio_write32(IOAPIC_BASE + 0x10, v);
}

int intr_route_gsi(int gsi)
{
    uint32_t ver = ioapic_read(0x01);
    int max = (int)((ver >> 16) & 0xff);
    if (ver == 0xffffffffu || gsi < 0 || gsi > max)
        return -1;
    ioapic_write(0x11 + 2 * (uint32_t)gsi, (lapic_id & 0xff) << 24);
    /* fixed, physical destination, active high, edge, unmasked */
    ioapic_write(0x10 + 2 * (uint32_t)gsi, VEC_DEVICE);
    return 0;
}

/* ---- halting
 * ------------------------------------------------------------------ */

void intr_halt(void)
{
    /* STI takes effect after the next instruction, so an interrupt
     * already pending ends the HLT instead of slipping in before it. */
    __asm__ volatile("sti; hlt" ::: "memory");
}

_Noreturn void intr_die(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

int intr_init(void)
{
    gdt_load();
    idt_load();
    pic_disable();
    return lapic_init();
}

/* ---- traps
 * ---------------------------------------------------------------------- */

/* `label` then v in hex, without leading zeros. */
static void put_hex(const char *label, uint64_t v)
{
    char b[20];
    int n = 0, sh = 60;
    while (sh > 0 && !((v >> sh) & 0xf))
        sh -= 4;
    b[n++] = '0';
    b[n++] = 'x';
    for (; sh >= 0; sh -= 4)
        b[n++] = "0123456789abcdef"[(v >> sh) & 0xf];
    say(label);
    console_write(b, (size_t)n);
}

/* Whether [a, a+16) is RAM the guest owns (a frame-pointer walk must not
 * follow a wild pointer into device memory). */
static bool frame_ok(uint64_t a)
{
    return a >= (uint64_t)(uintptr_t)__image_start && a % 8 == 0 &&
           a + 16 <= virtio_ram_end;
}

_Noreturn void virtio_trap(struct trap_frame *f)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    if (f->vector == 14 && paging_is_guard(cr2)) {
        const char *who = atoll_fiber_guard_owner((const void *)cr2);
        say("atoll: stack overflow in fiber ");
        say(who ? who : "(unknown)");
        say("\n");
    }
    say("atoll: guest crash: ");
    say(x86_vector_name((unsigned)f->vector));
    put_hex(" (vector ", f->vector);
    put_hex(", error ", f->error);
    put_hex(") at rip ", f->rip);
    if (f->vector == 14)
        put_hex(", address ", cr2);
    put_hex("\natoll: rsp ", f->rsp);
    put_hex(" rbp ", f->rbp);
    put_hex(" rax ", f->rax);
    say("\natoll: backtrace (addr2line -e IMAGE ADDRESS...):");
    put_hex("\n  ", f->rip);
    uint64_t fp = f->rbp;
    for (int i = 0; i < 32 && frame_ok(fp); i++) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
        if (frame[1] == 0)
            break;
        put_hex("\n  ", frame[1]);
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
    say("\n");
    virtio_poweroff(VIRTIO_EXIT_CRASH);
}
