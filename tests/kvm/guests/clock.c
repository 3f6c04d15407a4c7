/* tests/kvm/guests/clock.c - the clock hypercalls: monotonic advances and is
 * consistent with the boot info, wall clock is plausible.  Also checks the
 * boot info the tender wrote (magic, layout, random bytes). */
#include "guest.h"

ATOLL_HVT_MANIFEST();

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
        bi->heap_end + ATOLL_HVT_PAGE_SIZE + ATOLL_HVT_STACK_SIZE !=
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
    puts_("clock ok\n");
    return 0;
}
