/* tests/fuzz/net_arp.c - ARP payloads, so the cache, replies and the
 * merge rule see arbitrary senders and targets. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_frame(NET_ETHTYPE_ARP, data, size);
    return 0;
}
