/*
 * tests/fuzz/tcp_input.c - TCP segments into a real stack's TCP input
 * (header and option parsing, the listener, the state machine, SACK and
 * reassembly), built with libFuzzer by tests/tcp/fuzz.sh.
 *
 * The first input byte chooses: bit 0 fix the checksum (so parsing goes
 * past it), bit 1 aim at the listening port 80, bits 2-3 one of four
 * source addresses (so several connections form and later inputs hit
 * them in SYN_RCVD and ESTABLISHED), bit 4 the family: IPv4 from
 * 198.18.0.16-19 to 198.18.0.2, or IPv6 from 2001:db8::10-13 to
 * 2001:db8::2 (the checksum then over the IPv6 pseudo-header), so the
 * same listener takes both and replies go out through either family's
 * output.
 */
#include "../../lib/net/tcp_int.h"
#include "net_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct atoll_tcp_listener *l;
    if (size < 1)
        return 0;
    struct atoll_stack *s = fuzz_setup();
    if (!l && atoll_tcp_listen(s, 80, 4, &l) < 0)
        __builtin_trap();
    uint8_t mode = data[0];
    data++, size--;
    if (size > 65000)
        size = 65000;
    struct atoll_buf *b = atoll_buf_alloc(NET_TCP_HEADROOM, size);
    if (!b)
        return 0;
    uint8_t *p = atoll_buf_put(b, size);
    memcpy(p, data, size);
    unsigned peer = (mode >> 2) & 3;
    bool v6 = (mode & 16) != 0;
    atoll_ipv4_t src = 0xc6120010u + peer;
    struct net_ipv6_hdr ip6 = {.payload_len = (uint16_t)size,
                               .next = NET_IP6_TCP,
                               .hop_limit = 64,
                               .src = fuzz6_peer,
                               .dst = fuzz6_ours};
    ip6.src.b[15] = (uint8_t)(0x10 + peer);
    if (v6)
        fuzz6_fresh(false); /* our address usable: replies have a source */
    if ((mode & 2) && size >= 4)
        p[2] = 0, p[3] = 80;
    if ((mode & 1) && size >= TCP_HLEN) {
        p[16] = p[17] = 0;
        uint32_t sum = v6 ? net_csum_pseudo6(&ip6.src, &ip6.dst, NET_IP6_TCP,
                                             (uint32_t)size)
                          : net_csum_pseudo(src, 0xc6120002u, NET_PROTO_TCP,
                                            (uint16_t)size);
        uint16_t cs = net_csum_fold(net_csum_add(sum, p, size));
        p[16] = (uint8_t)(cs >> 8), p[17] = (uint8_t)cs;
    }
    struct net_ip_info ip = {src, 0xc6120002u, NET_PROTO_TCP, 64, 0, NULL, 0};
    s->in_rx = true;
    if (v6)
        net_tcp6_input(s, b, &ip6);
    else
        net_tcp_input(s, b, &ip);
    net_eth_flush(s);
    s->in_rx = false;
    return 0;
}
