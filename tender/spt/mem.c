/*
 * tender/spt/mem.c - guest memory of a sandboxed guest: one mapping at the
 * very addresses the hvt layout gives (the image is linked to run there),
 * its page permissions applied with mprotect, and guard pages.
 *
 * The mapping starts at ATOLL_HVT_LOW_END (64 KiB): Linux refuses process
 * mappings below vm.mmap_min_addr, 64 KiB on most hosts, and the hvt
 * layout keeps everything the guest uses at or above it for this reason.
 * MAP_FIXED_NOREPLACE never takes over an existing mapping: atoll-spt is a
 * static PIE placed far above 4 GiB, so the range is free, and if it ever
 * is not the tender says so instead of corrupting itself.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "spt.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux 4.17 */
#endif

#define PAGE ATOLL_HVT_PAGE_SIZE

int spt_mem_map(struct hvt_mem *m, uint64_t size)
{
    void *want = (void *)(uintptr_t)ATOLL_HVT_LOW_END;
    void *p =
        mmap(want, size - ATOLL_HVT_LOW_END, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
             -1, 0);
    if (p == MAP_FAILED || p != want) {
        hvt_msg("cannot map %llu MiB of guest memory at %#llx: %s",
                (unsigned long long)(size >> 20),
                (unsigned long long)ATOLL_HVT_LOW_END,
                p == MAP_FAILED ? strerror(errno)
                                : "the kernel put it elsewhere");
        return -1;
    }
    /* Guest address == host address: base 0. */
    return hvt_mem_init(m, NULL, size);
}

static int prot_of(uint8_t perm)
{
    switch (perm) {
    case HVT_PERM_R:
        return PROT_READ;
    case HVT_PERM_RW:
        return PROT_READ | PROT_WRITE;
    case HVT_PERM_RX:
        return PROT_READ | PROT_EXEC;
    default:
        return PROT_NONE;
    }
}

int spt_mem_protect(const struct hvt_mem *m)
{
    uint64_t pages = m->size / PAGE;
    uint64_t pg = ATOLL_HVT_LOW_END / PAGE;
    while (pg < pages) {
        uint64_t end = pg + 1;
        while (end < pages && prot_of(m->perm[end]) == prot_of(m->perm[pg]))
            end++;
        void *at = (void *)(uintptr_t)(pg * PAGE);
        if (mprotect(at, (end - pg) * PAGE, prot_of(m->perm[pg])) < 0) {
            hvt_msg("mprotect of guest pages %#llx..%#llx: %s",
                    (unsigned long long)(pg * PAGE),
                    (unsigned long long)(end * PAGE), strerror(errno));
            return -1;
        }
        pg = end;
    }
    return 0;
}

/* ATOLL_HVT_GUARD: one mprotect (the seccomp filter allows exactly this
 * call: one heap page, no access or read-write).  No flush: the kernel
 * keeps the TLB right. */
int tender_guard_apply(struct hvt_mem *m, uint64_t addr, enum hvt_perm perm,
                       bool *flush)
{
    (void)m;
    (void)flush;
    int prot = perm == HVT_PERM_GUARD ? PROT_NONE : PROT_READ | PROT_WRITE;
    if (mprotect((void *)(uintptr_t)addr, PAGE, prot) < 0)
        return -ATOLL_ENOMEM; /* e.g. the process's map count limit */
    return 0;
}

/* A process has no TSC anchor to offer: the boot info's tsc_khz is 0 and
 * the guest reads the clocks with MCLOCK/WCLOCK, which cost a function
 * call and a vDSO read here, not a VM exit. */
int tender_clock_sync(struct atoll_hvt_clock_sync *s)
{
    memset(s, 0, sizeof *s);
    s->ret = -ATOLL_ENOTSUP;
    return -1;
}
