/*
 * platform/unix/mem.c - the memory region, stack guard pages, and the
 * fault handler that turns a hit on a guard page into "stack overflow in
 * fiber NAME".
 *
 * The region is one anonymous private mapping.  Guard pages are
 * mprotect(PROT_NONE); taking the region installs the fault handler
 * (fault.h) that names the fiber whose guard page was hit.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "platform.h"
#include "fault.h"
#include "unixint.h"

int plat_mem_region(size_t want, void **base, size_t *len)
{
    long page = sysconf(_SC_PAGESIZE);
    if (want == 0 || page <= 0 || want % (size_t)page != 0)
        return -ATOLL_ENOMEM;
    fault_handler_install();
    void *p = mmap(NULL, want, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -ATOLL_ENOMEM;
    *base = p;
    *len = want;
    return 0;
}

int plat_guard_page(void *page, bool on)
{
    long sz = sysconf(_SC_PAGESIZE);
    if (mprotect(page, (size_t)sz, on ? PROT_NONE : PROT_READ | PROT_WRITE))
        return -ATOLL_EINVAL;
    return 0;
}
