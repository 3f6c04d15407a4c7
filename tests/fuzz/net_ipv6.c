/* tests/fuzz/net_ipv6.c - whole IPv6 packets, header and extension-header
 * chain included.  The first input byte steers: bits 0-1 the destination
 * (ours, link-local, all-nodes, solicited-node), 2-3 the source, bit 4
 * keeps the input's own header (else version, payload length and the
 * addresses are made right), bit 5 leaves the ICMPv6 checksum alone,
 * bit 6 SLAAC on; the rest is the packet from its IPv6 header on. */
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pkt[70000];
    if (size < 1 + NET_IP6_HLEN || size > 1 + 65000)
        return 0;
    unsigned sel = data[0];
    size_t n = size - 1;
    memcpy(pkt, data + 1, n);
    fuzz6_fresh(sel & 0x40);
    if (!(sel & 0x10)) {
        atoll_ipv6_t dst;
        pkt[0] = (uint8_t)(0x60 | (pkt[0] & 15));
        net_put16(pkt + 4, (uint16_t)(n - NET_IP6_HLEN));
        fuzz6_dst(sel, &dst);
        memcpy(pkt + 24, dst.b, 16);
        fuzz6_src(sel >> 2, pkt);
    }
    if (!(sel & 0x20))
        fuzz_fix_icmp6(pkt, n);
    fuzz_frame(NET_ETHTYPE_IPV6, pkt, n);
    return 0;
}
