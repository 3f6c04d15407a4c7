/* tests/fuzz/net_nd.c - Neighbor Discovery: router solicitations and
 * advertisements, neighbor solicitations and advertisements, redirects,
 * with hop limit 255 and a right checksum so the parsers and the cache,
 * DAD and SLAAC behind them are reached.  Input: a type byte (low 3 bits
 * pick RS, RA, NS, NA, redirect, or keep the message's own), a steering
 * byte (bits 0-1 destination, 2-3 source, bit 4 the target becomes our
 * address, bit 5 hop limit 254, bit 6 SLAAC on), then the message after
 * its type. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t types[5] = {NET_ICMP6_RS, NET_ICMP6_RA, NET_ICMP6_NS,
                                     NET_ICMP6_NA, NET_ICMP6_REDIRECT};
    static uint8_t msg[4096];
    if (size < 3 || size - 2 > sizeof msg)
        return 0;
    unsigned t = data[0] & 7, sel = data[1];
    size_t n = size - 2;
    memcpy(msg, data + 2, n);
    if (t < 5)
        msg[0] = types[t];
    if ((sel & 0x10) && n >= 24)
        memcpy(msg + 8, fuzz6_ours.b, 16);
    fuzz6_fresh(sel & 0x40);
    fuzz_ip6(NET_IP6_ICMPV6, sel & 0x20 ? 254 : 255, sel & 15, msg, n, true);
    return 0;
}
