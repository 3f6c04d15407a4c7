/* tests/kvm/guests/calls.c - the cost of one hypercall round trip: makes
 * N monotonic-clock hypercalls in a row (N is its first argument, 1000 by
 * default) and prints "calls N ns T", T being the host's monotonic time
 * they took (read with the same call before and after).  The clock call
 * does next to nothing in the tender, so T / N is the crossing itself: a
 * VM exit under atoll-hvt, a function call into the tender under
 * atoll-spt.  bench/hvt_boot.sh prints the figure; tests/kvm/boot.sh checks
 * that the count and time make sense. */
#include "guest.h"

ATOLL_HVT_MANIFEST();

static void put_u64(uint64_t v)
{
    char buf[24];
    int i = sizeof buf;
    buf[--i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(buf + i);
}

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    const char *a = arg(bi, 0);
    uint64_t n = 0;
    for (; *a >= '0' && *a <= '9'; a++)
        n = n * 10 + (uint64_t)(*a - '0');
    if (n == 0)
        n = 1000;
    uint64_t t0 = mclock(), last = t0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = mclock();
        if (t < last)
            return 1; /* the clock went back */
        last = t;
    }
    uint64_t t1 = mclock();
    puts_("calls ");
    put_u64(n);
    puts_(" ns ");
    put_u64(t1 - t0);
    puts_("\n");
    return 0;
}
