/* tests/kvm/guests/hello.c - the smallest guest: one console write, exit 0.
 * Also the boot-time benchmark's subject. */
#include "guest.h"

ATOLL_HVT_MANIFEST();

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    puts_("Hello from hvt\n");
    return 0;
}
