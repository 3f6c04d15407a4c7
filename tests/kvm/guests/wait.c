/* tests/kvm/guests/wait.c - the wait hypercall with no devices: sleeps until
 * a deadline 50 ms ahead (or argument 0 ms) and checks it woke neither
 * early nor very late. */
#include "guest.h"

ATOLL_HVT_MANIFEST();

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    uint64_t ms = 50;
    const char *a = arg(bi, 0);
    if (a[0]) {
        ms = 0;
        for (; *a; a++)
            ms = ms * 10 + (uint64_t)(*a - '0');
    }
    uint64_t start = mclock();
    struct atoll_hvt_wait w = {.deadline_ns = start + ms * 1000000ULL};
    hypercall(ATOLL_HVT_WAIT, &w);
    uint64_t now = mclock();
    if (now < w.deadline_ns) {
        puts_("wait: FAIL woke before the deadline\n");
        return 1;
    }
    if (now > w.deadline_ns + 200000000ULL) {
        puts_("wait: FAIL woke more than 200 ms late\n");
        return 1;
    }
    if (w.ready != 0) {
        puts_("wait: FAIL ready set without devices\n");
        return 1;
    }
    /* A deadline in the past returns at once. */
    struct atoll_hvt_wait p = {.deadline_ns = 0, .devices = ~0ULL};
    hypercall(ATOLL_HVT_WAIT, &p);
    puts_("wait ok\n");
    return 0;
}
