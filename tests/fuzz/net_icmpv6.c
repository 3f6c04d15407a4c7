/* tests/fuzz/net_icmpv6.c - ICMPv6 messages (echo, errors, MLD queries,
 * any type) right behind a valid IPv6 header.  The first input byte
 * steers: bits 0-1 the destination, 2-3 the source (global, link-local,
 * unspecified), bit 4 hop limit 1 (as MLD wants) instead of 64, bit 5
 * leaves the checksum alone; the rest is the message. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    fuzz6_fresh(false);
    fuzz_ip6(NET_IP6_ICMPV6, sel & 0x10 ? 1 : 64, sel & 15, data + 1, size - 1,
             !(sel & 0x20));
    return 0;
}
