/*
 * tender/common/mem.c - guest memory as both tenders see it: the page
 * permission map, the range checks made on every hypercall argument, the
 * layout above the image (heap, guard pages, stacks) and the boot
 * information.
 *
 * The tender keeps one permission per 4 KiB page (none, R, RW, RX, guard).
 * atoll-hvt turns the map into the guest's page tables (tender/hvt/
 * paging.c), atoll-spt into mprotect calls (tender/spt/mem.c).  The same
 * map answers the hypercall range checks: the tender reads only what the
 * guest could read and writes only what it could write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "tender.h"

#define PAGE ATOLL_HVT_PAGE_SIZE

int hvt_mem_init(struct hvt_mem *m, uint8_t *base, uint64_t size)
{
    memset(m, 0, sizeof *m);
    m->perm = calloc(size / PAGE, 1);
    if (m->perm == NULL) {
        hvt_msg("out of memory");
        return -1;
    }
    m->base = base;
    m->size = size;
    return 0;
}

void hvt_mem_set_perm(struct hvt_mem *m, uint64_t addr, uint64_t len,
                      enum hvt_perm perm)
{
    if (len == 0)
        return;
    for (uint64_t pg = addr / PAGE; pg <= (addr + len - 1) / PAGE; pg++)
        m->perm[pg] = (uint8_t)perm;
}

bool hvt_mem_perm_in(const struct hvt_mem *m, uint64_t gpa, uint64_t len,
                     unsigned perms)
{
    if (gpa > m->size || len > m->size - gpa)
        return false;
    if (len == 0)
        return true;
    for (uint64_t pg = gpa / PAGE; pg <= (gpa + len - 1) / PAGE; pg++)
        if (!(perms & HVT_PERMS(m->perm[pg])))
            return false;
    return true;
}

static bool range_ok(const struct hvt_mem *m, uint64_t gpa, uint64_t len,
                     bool write)
{
    return hvt_mem_perm_in(m, gpa, len,
                           write ? HVT_PERMS(HVT_PERM_RW)
                                 : HVT_PERMS(HVT_PERM_R) |
                                       HVT_PERMS(HVT_PERM_RW) |
                                       HVT_PERMS(HVT_PERM_RX));
}

bool hvt_mem_readable(const struct hvt_mem *m, uint64_t gpa, uint64_t len)
{
    return range_ok(m, gpa, len, false);
}

bool hvt_mem_writable(const struct hvt_mem *m, uint64_t gpa, uint64_t len)
{
    return range_ok(m, gpa, len, true);
}

/* ---- boot info --------------------------------------------------------- */

static int write_boot_info(struct hvt_mem *m, int argc, char **argv,
                           uint64_t ndevices)
{
    struct atoll_hvt_boot_info bi;
    memset(&bi, 0, sizeof bi);
    bi.magic = ATOLL_HVT_BOOT_MAGIC;
    bi.abi_version = ATOLL_HVT_ABI_VERSION;
    bi.mem_size = m->size;
    bi.heap_start = m->heap_start;
    bi.heap_end = m->heap_end;
    bi.stack_top = m->stack_top;
    bi.fiber_stack = m->fiber_stack;
    bi.ndevices = ndevices;
    /* A terminal wants each line as it is written; a pipe or a file can
     * take output at the guest's next exit (abi.h, CONSOLE). */
    if (isatty(1))
        bi.console_flags = ATOLL_HVT_CONSOLE_LINE;
    /* The clock fields and the hypercall entry are the tender's to set
     * (tender_boot_info). */
    if (getrandom(bi.random, sizeof bi.random, 0) != sizeof bi.random) {
        hvt_msg("getrandom failed: %s", strerror(errno));
        return -1;
    }
    /* argv[] then the strings, after the struct, inside the boot area. */
    uint64_t vec = (ATOLL_HVT_BOOT_INFO + sizeof bi + 15) & ~15ULL;
    uint64_t str = vec + (uint64_t)argc * 8;
    if (str > ATOLL_HVT_BOOT_END)
        goto too_long;
    for (int i = 0; i < argc; i++) {
        uint64_t n = strlen(argv[i]) + 1;
        if (n > ATOLL_HVT_BOOT_END - str)
            goto too_long;
        memcpy(hvt_gp(m, str), argv[i], n);
        memcpy(hvt_gp(m, vec + (uint64_t)i * 8), &str, 8);
        str += n;
    }
    bi.argc = (uint64_t)argc;
    bi.argv = vec;
    memcpy(hvt_gp(m, ATOLL_HVT_BOOT_INFO), &bi, sizeof bi);
    hvt_mem_set_perm(m, ATOLL_HVT_BOOT_INFO, str - ATOLL_HVT_BOOT_INFO,
                     HVT_PERM_R);
    return 0;
too_long:
    hvt_msg("guest arguments too long (at most %llu bytes in all)",
            ATOLL_HVT_BOOT_END - vec);
    return -1;
}

int hvt_mem_finish(struct hvt_mem *m, uint64_t image_end, int argc, char **argv,
                   uint64_t ndevices)
{
    /* From the top: boot stack, its guard page, the pre-guarded fiber
     * stack, its guard page, then the heap down to the image. */
    m->stack_top = m->size;
    m->boot_guard = m->size - ATOLL_HVT_STACK_SIZE - PAGE;
    m->fiber_stack = m->boot_guard - ATOLL_HVT_FIBER_STACK_SIZE;
    m->heap_start = (image_end + PAGE - 1) & ~(PAGE - 1);
    m->heap_end = m->fiber_stack - PAGE;
    if (m->heap_start >= m->heap_end) {
        hvt_msg("the image leaves no heap in %llu MiB: give more --mem",
                (unsigned long long)(m->size >> 20));
        return -1;
    }
    hvt_mem_set_perm(m, m->heap_start, m->heap_end - m->heap_start,
                     HVT_PERM_RW);
    hvt_mem_set_perm(m, m->heap_end, PAGE, HVT_PERM_GUARD);
    hvt_mem_set_perm(m, m->fiber_stack, ATOLL_HVT_FIBER_STACK_SIZE,
                     HVT_PERM_RW);
    hvt_mem_set_perm(m, m->size - ATOLL_HVT_STACK_SIZE, ATOLL_HVT_STACK_SIZE,
                     HVT_PERM_RW);
    hvt_mem_set_perm(m, ATOLL_HVT_CONSOLE_AREA,
                     ATOLL_HVT_CONSOLE_END - ATOLL_HVT_CONSOLE_AREA,
                     HVT_PERM_RW);
    return write_boot_info(m, argc, argv, ndevices);
}

/* ATOLL_HVT_GUARD: the checks and the permission map are the same for
 * both tenders; tender_guard_apply changes the real mapping. */
int hvt_mem_guard(struct hvt_mem *m, uint64_t addr, bool on, bool *flush)
{
    if (addr % PAGE != 0 || addr < m->heap_start || addr >= m->heap_end)
        return -ATOLL_EINVAL;
    uint8_t *p = &m->perm[addr / PAGE];
    if (*p != (on ? HVT_PERM_RW : HVT_PERM_GUARD))
        return -ATOLL_EINVAL;
    enum hvt_perm to = on ? HVT_PERM_GUARD : HVT_PERM_RW;
    int r = tender_guard_apply(m, addr, to, flush);
    if (r == 0)
        *p = (uint8_t)to;
    return r;
}
