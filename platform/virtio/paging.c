/*
 * platform/virtio/paging.c - the guest's page tables, once it runs C.
 *
 * start.S maps the first 4 GiB read+write+execute, which is enough to get
 * here and no more.  paging_init replaces that with tables in which each
 * part of the image has only its own rights, as the hvt tender does for
 * its guests (docs/hvt.md):
 *
 *     below 1 MiB          absent (page 0 included: a NULL dereference
 *                          faults; the start info was read before)
 *     image text           read + execute
 *     image rodata         read only, not executable (the GDT and the
 *                          trap tables included)
 *     image data, bss,     read + write, not executable
 *     boot stack, heap
 *     RAM end .. 4 GiB     device registers: read + write, uncached, not
 *                          executable (PCI windows, the APICs)
 *     above 4 GiB          absent, until paging_map_device maps a device's
 *                          registers there (a 64-bit PCI BAR)
 *
 * The 2 MiB pages that hold the image are split into 4 KiB pages; the
 * heap above them stays in 2 MiB pages until plat_guard_page protects a
 * page of one (a fiber stack's guard page), which splits it.  Page tables
 * come from a fixed pool in .bss (PT_POOL pages): when it runs out, a
 * guard page is refused (-ATOLL_ENOTSUP) and the runtime falls back to
 * its canary check, as on a platform without page protection.
 *
 * Uniprocessor, so a changed entry needs only INVLPG on this CPU.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "atoll/error.h"
#include "io.h"
#include "platform.h"
#include "virtio_int.h"

#define PAGE    4096ULL
#define BIG     (2ULL << 20)
#define P       (1ULL << 0)
#define W       (1ULL << 1)
#define PWT     (1ULL << 3)
#define PCD     (1ULL << 4)
#define PS      (1ULL << 7)
#define NX      (1ULL << 63)
#define ADDR    0x000ffffffffff000ULL
#define PT_POOL 48

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pool[PT_POOL][512] __attribute__((aligned(4096)));
static int pool_used;
static uint64_t nx; /* NX when the CPU has it (EFER.NXE set), else 0 */

static void say(const char *s)
{
    console_write(s, strlen(s));
}

static uint64_t *pool_take(void)
{
    if (pool_used == PT_POOL)
        return NULL;
    uint64_t *t = pool[pool_used++];
    memset(t, 0, PAGE);
    return t;
}

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* The rights of the 4 KiB page at `a` in the low 2 MiB pages. */
static uint64_t image_rights(uint64_t a)
{
    if (a < 0x100000)
        return 0; /* absent */
    if (a >= addr_of(__image_start) && a < addr_of(__rodata_start))
        return P; /* text */
    if (a >= addr_of(__rodata_start) && a < addr_of(__data_start))
        return P | nx; /* rodata */
    return P | W | nx; /* data, bss, boot, heap */
}

static void invlpg(uint64_t a)
{
    __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
}

int paging_init(void)
{
    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        if (r[3] & (1u << 20)) {
            wrmsr(0xc0000080, rdmsr(0xc0000080) | (1u << 11)); /* NXE */
            nx = NX;
        }
    }
    uint64_t ram = virtio_ram_end;
    uint64_t image_top = (addr_of(__image_end) + BIG - 1) & ~(BIG - 1);
    if (ram > (3ULL << 30) || image_top > ram) {
        say("atoll: the RAM region must end below 3 GiB, above the image\n");
        return -1;
    }
    pml4[0] = addr_of(pdpt) | P | W;
    for (int g = 0; g < 4; g++)
        pdpt[g] = addr_of(pd[g]) | P | W;
    for (uint64_t i = 0; i < 2048; i++) {
        uint64_t a = i * BIG, e;
        if (a < image_top) {
            uint64_t *pt = pool_take();
            if (!pt) {
                say("atoll: the image is too large for the page tables\n");
                return -1;
            }
            for (uint64_t j = 0; j < 512; j++) {
                uint64_t pa = a + j * PAGE, rights = image_rights(pa);
                pt[j] = rights ? pa | rights : 0;
            }
            e = addr_of(pt) | P | W;
        } else if (a < ram) {
            e = a | P | W | PS | nx;
        } else {
            e = a | P | W | PS | PCD | PWT | nx;
        }
        pd[i / 512][i % 512] = e;
    }
    __asm__ volatile("mov %0, %%cr3" : : "r"(addr_of(pml4)) : "memory");
    return 0;
}

int paging_map_device(uint64_t phys, uint64_t len)
{
    if (len == 0 || phys + len < phys)
        return -ATOLL_EINVAL;
    uint64_t end = phys + len;
    if (end <= (4ULL << 30))
        return phys >= virtio_ram_end ? 0 : -ATOLL_EINVAL;
    if (phys < (4ULL << 30) || end > (512ULL << 30))
        return -ATOLL_ENOMEM; /* straddles 4 GiB, or beyond one PML4 slot */
    for (uint64_t g = phys >> 30; g <= (end - 1) >> 30; g++) {
        if (pdpt[g] & P)
            continue;
        uint64_t *t = pool_take();
        if (!t)
            return -ATOLL_ENOMEM;
        for (uint64_t i = 0; i < 512; i++)
            t[i] = ((g << 30) + i * BIG) | P | W | PS | PCD | PWT | nx;
        pdpt[g] = addr_of(t) | P | W;
    }
    return 0;
}

/* The page-table entry of the heap page at `a`, splitting its 2 MiB page
 * if `split`; NULL outside the heap or when no table is left. */
static uint64_t *heap_pte(uint64_t a, bool split)
{
    if (a < addr_of(__image_end) || a >= virtio_ram_end || a % PAGE)
        return NULL;
    uint64_t *pde = &pd[a >> 30][(a >> 21) & 511];
    if (*pde & PS) {
        if (!split)
            return NULL;
        uint64_t *pt = pool_take();
        if (!pt)
            return NULL;
        uint64_t base = *pde & ADDR & ~(BIG - 1);
        for (uint64_t j = 0; j < 512; j++)
            pt[j] = (base + j * PAGE) | P | W | nx;
        *pde = addr_of(pt) | P | W;
        invlpg(a);
    }
    uint64_t *pt = (uint64_t *)(uintptr_t)(*pde & ADDR);
    return &pt[(a >> 12) & 511];
}

int plat_guard_page(void *page, bool on)
{
    uint64_t a = addr_of(page);
    uint64_t *pte = heap_pte(a, on);
    if (!pte)
        return on ? -ATOLL_ENOTSUP : 0;
    if (on)
        *pte &= ~P;
    else
        *pte |= P;
    invlpg(a);
    return 0;
}

bool paging_is_guard(uint64_t addr)
{
    uint64_t *pte = heap_pte(addr & ~(PAGE - 1), false);
    return pte && !(*pte & P);
}
