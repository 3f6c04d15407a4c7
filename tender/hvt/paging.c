/*
 * tender/hvt/paging.c - the KVM guest's page tables and GDT, built from
 * the permission map (tender/common/mem.c), and guard pages in them.
 *
 * One permission per 4 KiB page (none, R, RW, RX) becomes page-table
 * entries: a 2 MiB region whose pages all share one permission becomes a
 * single large page, every other region gets a 4 KiB page table.  The
 * tables live in the reserved low area (ATOLL_HVT_PT_START..1 MiB) and are
 * themselves unmapped, so the guest cannot edit them.  The sandboxed
 * tender (tender/spt) turns the same map into mprotect calls instead.
 */
#include <string.h>
#include <sys/mman.h>

#include "hvt.h"

#define PTE_P    0x1ULL
#define PTE_RW   0x2ULL
#define PTE_US   0x4ULL
#define PTE_A    0x20ULL
#define PTE_D    0x40ULL
#define PTE_PS   0x80ULL
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define PAGE  ATOLL_HVT_PAGE_SIZE
#define LARGE 0x200000ULL
/* 4 KiB-mapped start of the heap (see build_page_tables): 8 page-table
 * pages of the reserved area's 224. */
#define HEAP_4K (16ULL << 20)
/* The top of the boot stack and of the pre-guarded fiber stack, which
 * every guest uses (populate). */
#define BOOT_STACK_HOT (32ULL << 10)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* ---- GDT ---------------------------------------------------------------- */

/* Flat 64-bit code (0x08) and data (0x10) segments plus a TSS (0x18, a
 * 16-byte system descriptor): VMX entry insists on a usable TR.  Accessed
 * bits are preset so the CPU never writes to this read-only page. */
static void write_gdt(struct hvt_mem *m)
{
    uint64_t *gdt = (uint64_t *)(m->base + ATOLL_HVT_GDT_ADDR);
    uint64_t tss = ATOLL_HVT_GDT_ADDR + 0x80, tss_limit = 0x67;
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffULL; /* 0x08 code, ring 0 */
    gdt[2] = 0x00cf93000000ffffULL; /* 0x10 data, ring 0 */
    gdt[3] = 0x00cff3000000ffffULL; /* 0x1b data, ring 3 */
    gdt[4] = 0x00affb000000ffffULL; /* 0x23 code, ring 3 */
    gdt[5] = (tss_limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x8bULL << 40) |
             ((tss & 0xff000000ULL) << 32);
    gdt[6] = tss >> 32;
    /* TSS: I/O map base past the limit = no I/O bitmap. */
    uint16_t iomap = 0x68;
    memcpy(m->base + tss + 0x66, &iomap, sizeof iomap);
    hvt_mem_set_perm(m, ATOLL_HVT_GDT_ADDR, PAGE, HVT_PERM_R);
}

/* ---- page tables ------------------------------------------------------- */

struct pt_alloc {
    struct hvt_mem *m;
    uint64_t next;
};

static uint64_t *pt_new(struct pt_alloc *a, uint64_t *gpa)
{
    if (a->next + PAGE > ATOLL_HVT_RESERVED_END)
        return NULL;
    *gpa = a->next;
    a->next += PAGE;
    return (uint64_t *)(a->m->base + *gpa); /* memory is zeroed */
}

static uint64_t leaf_bits(uint8_t perm)
{
    switch (perm) {
    case HVT_PERM_RX:
        return PTE_P | PTE_US;
    case HVT_PERM_R:
        return PTE_P | PTE_US | PTE_NX;
    case HVT_PERM_RW:
        return PTE_P | PTE_RW | PTE_US | PTE_NX;
    default:
        return 0;
    }
}

/* The leaf entry of the 4 KiB page at gpa.  Pages outside the heap (the
 * image, boot information and boot stack) get their accessed bit - and
 * dirty bit when writable - set up front.  Why: under shadow paging
 * (PVM here) each first touch of a page is a fault costing ~23 us, and
 * KVM's fault handler also maps up to 7 neighbours of the faulting page
 * in the same go ("prefetch"), but only neighbours whose guest entry has
 * A set (and only writably if D is set) and whose host page is present
 * (hvt_mem_finish populates them).  Hello's image then costs 3 faults
 * instead of ~20.  Heap entries keep A clear: hvt_mem_guard relies on
 * that to skip flushes. */
static uint64_t leaf_at(const struct hvt_mem *m, uint64_t gpa)
{
    uint8_t perm = m->perm[gpa / PAGE];
    uint64_t bits = leaf_bits(perm);
    if (bits != 0 && (gpa < m->heap_start || gpa >= m->heap_end))
        bits |= PTE_A | (perm == HVT_PERM_RW ? PTE_D : 0);
    return gpa | bits;
}

static int build_page_tables(struct hvt_mem *m)
{
    struct pt_alloc a = {m, ATOLL_HVT_PT_START};
    uint64_t pml4_gpa, pdpt_gpa;
    uint64_t *pml4 = pt_new(&a, &pml4_gpa);
    uint64_t *pdpt = pt_new(&a, &pdpt_gpa);
    uint64_t *pd = NULL;
    uint64_t npages = m->size / PAGE;
    if (pml4 == NULL || pdpt == NULL)
        return -1;
    pml4[0] = pdpt_gpa | PTE_P | PTE_RW | PTE_US;
    for (uint64_t r = 0; r < m->size; r += LARGE) {
        if (r % (1ULL << 30) == 0) {
            uint64_t pd_gpa;
            pd = pt_new(&a, &pd_gpa);
            if (pd == NULL)
                return -1;
            pdpt[r >> 30] = pd_gpa | PTE_P | PTE_RW | PTE_US;
        }
        uint64_t first = r / PAGE;
        uint8_t p0 = m->perm[first];
        /* The heap's first HEAP_4K bytes always get 4 KiB page tables:
         * fiber stacks (the main fiber's first of all) are carved from
         * there, and a 4 KiB PTE's accessed bit tells whether a guard
         * page going on needs a flush (hvt_mem_guard), where a large
         * page's bit covers 2 MiB the guest has long used. */
        bool uniform = first + 512 <= npages && (r + LARGE <= m->heap_start ||
                                                 r >= m->heap_start + HEAP_4K);
        for (uint64_t i = 1; uniform && i < 512; i++)
            uniform = m->perm[first + i] == p0;
        uint64_t *pde = &pd[(r >> 21) & 511];
        if (uniform) {
            if (p0 != HVT_PERM_NONE)
                *pde = r | PTE_PS | leaf_bits(p0);
            continue;
        }
        uint64_t pt_gpa;
        uint64_t *pt = pt_new(&a, &pt_gpa);
        if (pt == NULL)
            return -1;
        *pde = pt_gpa | PTE_P | PTE_RW | PTE_US;
        for (uint64_t i = 0; i < 512 && first + i < npages; i++)
            pt[i] = leaf_at(m, r + i * PAGE);
    }
    /* The hypercall page at 4 GiB: mapped, but with no memory behind it,
     * so each store to it exits to the tender.  Guest memory ends at or
     * below 4 GiB, so PDPT entry 4 is free. */
    uint64_t pd_gpa, pt_gpa;
    uint64_t *hpd = pt_new(&a, &pd_gpa), *hpt = pt_new(&a, &pt_gpa);
    if (hpd == NULL || hpt == NULL)
        return -1;
    pdpt[ATOLL_HVT_HYPERCALL_BASE >> 30] = pd_gpa | PTE_P | PTE_RW | PTE_US;
    hpd[(ATOLL_HVT_HYPERCALL_BASE >> 21) & 511] =
        pt_gpa | PTE_P | PTE_RW | PTE_US;
    hpt[(ATOLL_HVT_HYPERCALL_BASE >> 12) & 511] =
        ATOLL_HVT_HYPERCALL_BASE | PTE_P | PTE_RW | PTE_US | PTE_NX;
    m->pml4 = pml4_gpa;
    m->pt_next = a.next;
    return 0;
}

/* When must a guard-page change be followed by a flush (vcpu.c: drop
 * every cached translation, ~0.3 ms plus re-faults on PVM)?  The tender
 * edits the tables from outside, so KVM and the CPU are not told.  A
 * change that only REMOVES access is stale only if a translation for
 * that page may be cached somewhere; granting access (guard off) is
 * always flushed, as before.
 *
 * The argument for skipping: a translation is cached only through
 * entries whose accessed (A) bit is set, and it is set before caching.
 *   - Hardware TLBs, Intel: SDM vol. 3A 4.10.2.3 - the processor does
 *     not cache a translation unless the A flag is 1 in each
 *     paging-structure entry used, and sets it before caching (also for
 *     speculative walks).  The vCPU is stopped during a hypercall, so
 *     its A-bit stores are visible to us.
 *   - KVM's shadow MMU (PVM here): a shadow PTE is created only by a
 *     fault-time walk, which sets the guest PTE's A bit first, or by
 *     prefetch, which skips guest PTEs whose A bit is clear; syncing an
 *     unsync shadow page only updates shadow PTEs that exist.
 * The tender writes every heap PTE with A clear (pages outside the heap
 * get A preset, see leaf_at, but guards only go on heap pages).
 * Invariant: a heap PTE of ours with A clear has no cached translation
 * once the pending flush (if any) is done.  It holds at boot (nothing
 * cached), after a split (the new PTEs; flushed if the old large page had
 * A set), and after each change here (guard on: flush unless A was
 * clear; guard off: the old entry was not present, which neither TLBs nor
 * shadow PTEs cache, and we flush anyway).  So guard on with the PTE's A bit
 * clear - a heap page the guest has never touched, like the boot stack's guard
 * page - needs no flush.  The hardware rule is relied on for Intel only (the
 * CPU vendor the guest sees); elsewhere (m->a_bit_caching false) every change
 * is flushed. */
int tender_guard_apply(struct hvt_mem *m, uint64_t addr, enum hvt_perm perm,
                       bool *flush)
{
    bool stale = perm != HVT_PERM_GUARD || !m->a_bit_caching;
    /* Walk to the page directory entry (the tables are the tender's own,
     * built by build_page_tables: every level below is present). */
    uint64_t *pml4 = (uint64_t *)(m->base + m->pml4);
    uint64_t *pdpt = (uint64_t *)(m->base + (pml4[0] & ~0xfffULL));
    uint64_t *pd = (uint64_t *)(m->base + (pdpt[addr >> 30] & ~0xfffULL));
    uint64_t *pde = &pd[(addr >> 21) & 511];
    if (*pde & PTE_PS || *pde == 0) {
        /* A large page (or an unmapped 2 MiB region, which the heap never
         * is): split it into a page table of the same permissions. */
        struct pt_alloc a = {m, m->pt_next};
        uint64_t pt_gpa;
        uint64_t *pt = pt_new(&a, &pt_gpa);
        if (pt == NULL)
            return -ATOLL_ENOMEM;
        m->pt_next = a.next;
        if (*pde & PTE_A)
            stale = true; /* the large page may be cached */
        uint64_t r = addr & ~(LARGE - 1);
        for (uint64_t i = 0; i < 512 && r / PAGE + i < m->size / PAGE; i++)
            pt[i] = leaf_at(m, r + i * PAGE);
        *pde = pt_gpa | PTE_P | PTE_RW | PTE_US;
    }
    uint64_t *pt = (uint64_t *)(m->base + (*pde & ~0xfffULL));
    uint64_t *pte = &pt[(addr >> 12) & 511];
    if (*pte & PTE_A)
        stale = true;
    *pte = addr | leaf_bits((uint8_t)perm);
    if (stale)
        *flush = true;
    return 0;
}

/* Heap pages whose accessed bit the guest's MMU set (a 2 MiB page counts
 * once, as one large page), for ATOLL_HVT_STATS: every page a guest
 * touches first costs a shadow-paging fault on software KVM.  Pages
 * outside the heap have A preset (leaf_at), so they are not counted. */
void hvt_mem_touched(const struct hvt_mem *m, uint64_t *small, uint64_t *large)
{
    *small = *large = 0;
    const uint64_t *pml4 = (const uint64_t *)(m->base + m->pml4);
    const uint64_t *pdpt = (const uint64_t *)(m->base + (pml4[0] & PTE_ADDR));
    for (uint64_t g = 0; g < 4 && g < (m->size + (1ULL << 30) - 1) >> 30; g++) {
        if (!(pdpt[g] & 1))
            continue;
        const uint64_t *pd = (const uint64_t *)(m->base + (pdpt[g] & PTE_ADDR));
        for (uint64_t i = 0; i < 512; i++) {
            uint64_t r = (g << 30) | (i << 21);
            if (!(pd[i] & 1))
                continue;
            if (pd[i] & PTE_PS) {
                *large += (pd[i] & PTE_A) != 0;
                continue;
            }
            const uint64_t *pt =
                (const uint64_t *)(m->base + (pd[i] & PTE_ADDR));
            for (uint64_t j = 0; j < 512; j++) {
                uint64_t gpa = r + j * PAGE;
                *small += (pt[j] & (PTE_A | 1)) == (PTE_A | 1) &&
                          gpa >= m->heap_start && gpa < m->heap_end;
            }
        }
    }
}

/* Backs [gpa, gpa + len) with host pages now, so that KVM's prefetch
 * (see leaf_at) can map them: it only maps pages already present.  The
 * image's file-backed parts are present once copied; this covers .bss
 * and the top of the boot stack.  Best effort: older kernels lack
 * MADV_POPULATE_WRITE and the guest then just takes more faults. */
static void populate(struct hvt_mem *m, uint64_t gpa, uint64_t len)
{
    if (len != 0)
        (void)madvise(m->base + gpa, len, MADV_POPULATE_WRITE);
}

int hvt_paging_build(struct hvt_mem *m)
{
    populate(m, ATOLL_HVT_RESERVED_END, m->heap_start - ATOLL_HVT_RESERVED_END);
    populate(m, m->size - BOOT_STACK_HOT, BOOT_STACK_HOT);
    populate(m, m->boot_guard - BOOT_STACK_HOT, BOOT_STACK_HOT);
    write_gdt(m);
    if (build_page_tables(m) < 0) {
        hvt_msg("page tables do not fit in the reserved area");
        return -1;
    }
    return 0;
}
