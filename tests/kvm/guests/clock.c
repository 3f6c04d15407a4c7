/* tests/kvm/guests/clock.c - the clock hypercalls: monotonic advances and is
 * consistent with the boot info, wall clock is plausible.  Also checks the
 * boot info the tender wrote (magic, layout, random bytes), and the TSC
 * clock: with tsc_khz != 0, CLOCK_SYNC's anchor lies between readings
 * taken around it, and the TSC converted to ns agrees with the monotonic
 * hypercall to within 1 ms over a ~50 ms interval; with tsc_khz == 0
 * (ATOLL_HVT_NO_TSC), CLOCK_SYNC says -ATOLL_ENOTSUP.  Prints
 * "clock ok (tsc)" or "clock ok (no tsc)". */
#include "guest.h"

ATOLL_HVT_MANIFEST();

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static int fail(const char *why)
{
    puts_("clock: FAIL ");
    puts_(why);
    puts_("\n");
    return 1;
}

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    if (bi->magic != ATOLL_HVT_BOOT_MAGIC ||
        bi->abi_version != ATOLL_HVT_ABI_VERSION)
        return fail("boot info magic");
    if (bi->heap_start < ATOLL_HVT_RESERVED_END ||
        bi->heap_end <= bi->heap_start || bi->stack_top != bi->mem_size ||
        bi->fiber_stack != bi->heap_end + ATOLL_HVT_PAGE_SIZE ||
        bi->fiber_stack + ATOLL_HVT_FIBER_STACK_SIZE + ATOLL_HVT_PAGE_SIZE +
                ATOLL_HVT_STACK_SIZE !=
            bi->mem_size)
        return fail("boot info layout");
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= bi->random[i];
    if (!any)
        return fail("no random bytes");
    uint64_t m1 = mclock();
    if (m1 < bi->mono_base_ns)
        return fail("monotonic clock before boot");
    uint64_t m2 = m1;
    for (int i = 0; i < 1000000 && m2 == m1; i++)
        m2 = mclock();
    if (m2 <= m1)
        return fail("monotonic clock does not advance");
    /* 2020-01-01 .. 2200-01-01 */
    uint64_t w = wclock();
    if (w < 1577836800ULL * 1000000000ULL || w > 7258118400ULL * 1000000000ULL)
        return fail("wall clock implausible");
    if (w < bi->wall_base_ns)
        return fail("wall clock before boot");

    struct atoll_hvt_clock_sync cs = {0};
    if (bi->tsc_khz == 0) {
        hypercall(ATOLL_HVT_CLOCK_SYNC, &cs);
        if (cs.ret != -ATOLL_ENOTSUP)
            return fail("clock sync without a TSC did not say ENOTSUP");
        puts_("clock ok (no tsc)\n");
        return 0;
    }
    if (bi->tsc_khz < 100000 || bi->tsc_khz > 20000000)
        return fail("implausible tsc_khz");
    if (rdtsc() < bi->tsc_base)
        return fail("TSC behind the boot anchor");
    uint64_t t0 = rdtsc(), n0 = mclock();
    hypercall(ATOLL_HVT_CLOCK_SYNC, &cs);
    uint64_t n1 = mclock(), t1 = rdtsc();
    if (cs.ret != 0 || cs.tsc < t0 || cs.tsc > t1 || cs.mono_ns < n0 ||
        cs.mono_ns > n1 || cs.wall_ns < bi->wall_base_ns)
        return fail("clock sync anchor outside the readings around it");
    /* ~50 ms later: the TSC's count, converted, against the host's. */
    uint64_t until = cs.mono_ns + 50000000ULL, n2, t2;
    do {
        t2 = rdtsc();
        n2 = mclock();
    } while (n2 < until);
    uint64_t by_tsc = cs.mono_ns + (t2 - cs.tsc) * 1000000ULL / bi->tsc_khz;
    uint64_t diff = by_tsc > n2 ? by_tsc - n2 : n2 - by_tsc;
    if (diff > 1000000ULL)
        return fail("TSC clock and host clock disagree by more than 1 ms");
    puts_("clock ok (tsc)\n");
    return 0;
}
