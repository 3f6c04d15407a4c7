/* tests/kvm/guests/exitcode.c - exits 42 (or the status given as its first
 * argument): the tender's exit status must be the guest's. */
#include "guest.h"

ATOLL_HVT_MANIFEST();

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    const char *a = arg(bi, 0);
    if (a[0] == '\0')
        return 42;
    int64_t v = 0;
    for (; *a; a++)
        v = v * 10 + (*a - '0');
    struct atoll_hvt_exit e = {v};
    hypercall(ATOLL_HVT_EXIT, &e);
    return 1;
}
