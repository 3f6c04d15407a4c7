/*
 * tests/fuzz/net_fuzz.h - the shared body of the network fuzz targets
 * (tests/fuzz/net_*.c, built with clang -fsanitize=fuzzer,address by
 * tests/net/fuzz.sh).
 *
 * Each target feeds bytes into a real stack's input path at one layer: a
 * stack is created once over the "flood" netif (whose send discards, so
 * replies cost nothing) and net_eth_input() gets a frame built from the
 * input, wrapped in whichever valid outer headers the target's layer
 * needs (FUZZ_WRAP).  Parsers, reassembly, ARP and the reply paths all
 * run; a crash, a sanitizer report or a leak fails the run.  The stack's
 * receive fiber is never scheduled: input is driven from here.
 *
 * Checksums: a random input almost never carries a right one, and then
 * every layer behind the check is out of the fuzzer's reach.  So the
 * targets that take whole packets (net_eth, net_ipv4) fix them up with
 * fuzz_fix_ipv4, unless the input's TOS byte says not to (bit 0: leave the
 * header checksum, bit 1: leave the transport's); the stack ignores TOS,
 * so this costs no other path.
 *
 * IPv6 is on (2001:db8::2/64 and the link-local address), and the IPv6
 * targets (net_ipv6, net_icmpv6, net_nd) put our addresses back to
 * PREFERRED before each input: no timer runs here to finish duplicate
 * address detection, and an input that made one a duplicate would
 * otherwise close every later input's way in.
 */
#ifndef ATOLL_TESTS_NET_FUZZ_H
#define ATOLL_TESTS_NET_FUZZ_H

#include <stdint.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/net/ipv6_int.h"
#include "../../lib/net/stack_int.h"
#include "atoll/atoll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct atoll_stack *fuzz_stack;

static struct atoll_stack *fuzz_setup(void)
{
    if (fuzz_stack)
        return fuzz_stack;
    struct atoll_runtime_opts o = {64u << 20, 1024, "quiet"};
    if (atoll_runtime_init(&o) < 0)
        __builtin_trap();
    struct atoll_netif *nif;
    struct atoll_stack_config c = {
        .addr = 0xc6120002, .prefix = 24, .gateway = 0xc6120001};
    if (atoll_netif_open_flood("fuzz", &nif) < 0 ||
        atoll_stack_create("fuzz", nif, &c, &fuzz_stack) < 0)
        __builtin_trap();
    struct atoll_ipv6_config c6 = {{{0x20, 0x01, 0x0d, 0xb8, [15] = 2}},
                                   64,
                                   {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}}};
    if (atoll_stack_ipv6_enable(fuzz_stack, &c6) < 0)
        __builtin_trap();
    struct atoll_udp *u;
    atoll_udp_bind(fuzz_stack, 7, &u); /* a bound port to deliver to */
    return fuzz_stack;
}

/* An Ethernet frame to us carrying `type`, payload `p`. */
static void fuzz_frame(uint16_t type, const uint8_t *p, size_t n)
{
    struct atoll_stack *s = fuzz_setup();
    struct atoll_buf *b = atoll_buf_alloc(ATOLL_BUF_HEADROOM, 14 + n);
    if (!b)
        return;
    uint8_t *f = atoll_buf_put(b, 14 + n);
    struct net_eth_hdr e = {{0}, {0x02, 0, 0, 0, 0, 9}, type};
    memcpy(e.dst, s->info.mac, 6);
    net_eth_write(f, &e);
    memcpy(f + 14, p, n);
    s->in_rx = true;
    net_eth_input(s, b);
    net_eth_flush(s);
    s->in_rx = false;
    /* Reassembly state is bounded; the UDP socket queue is drained so it
     * keeps accepting. */
}

/* The checksum at p[at] made right over [p, p + n) plus `sum`. */
static void fuzz_csum_fix(uint8_t *p, size_t n, size_t at, uint32_t sum)
{
    if (at + 2 > n)
        return;
    p[at] = p[at + 1] = 0;
    net_put16(p + at, net_csum_fold(net_csum_add(sum, p, n)));
}

/* Fix the checksums of the IPv4 packet at p (n bytes) in place: the header
 * checksum, and for an unfragmented TCP, UDP or ICMP packet the
 * transport's, as far as the lengths in the packet allow. */
static void fuzz_fix_ipv4(uint8_t *p, size_t n)
{
    if (n < NET_IP_HLEN || p[0] >> 4 != 4)
        return;
    size_t hl = (size_t)(p[0] & 15) * 4, total = net_get16(p + 2);
    uint8_t tos = p[1];
    if (hl < NET_IP_HLEN || hl > n)
        return;
    if (!(tos & 1))
        fuzz_csum_fix(p, hl, 10, 0);
    if ((tos & 2) || total < hl || total > n || (net_get16(p + 6) & 0x3fff))
        return;
    uint8_t *t = p + hl;
    size_t tl = total - hl;
    atoll_ipv4_t src = net_get32(p + 12), dst = net_get32(p + 16);
    switch (p[9]) {
    case NET_PROTO_ICMP:
        fuzz_csum_fix(t, tl, 2, 0);
        break;
    case NET_PROTO_TCP:
        fuzz_csum_fix(t, tl, 16,
                      net_csum_pseudo(src, dst, NET_PROTO_TCP, (uint16_t)tl));
        break;
    case NET_PROTO_UDP:
        if (tl >= 8 && net_get16(t + 4) >= 8 && net_get16(t + 4) <= tl) {
            uint16_t ul = net_get16(t + 4);
            fuzz_csum_fix(t, ul, 6,
                          net_csum_pseudo(src, dst, NET_PROTO_UDP, ul));
        }
        break;
    }
}

/* An IPv4 packet from 198.18.0.9 to us with protocol `proto`; the first
 * input byte picks fragment bits so reassembly is reached too. */
static void fuzz_ip(uint8_t proto, const uint8_t *p, size_t n, bool fix_csum)
{
    static uint8_t pkt[70000];
    if (n > 65000)
        n = 65000;
    struct net_ipv4_hdr h = {.ttl = 64,
                             .proto = proto,
                             .id = 1,
                             .src = 0xc6120009,
                             .dst = 0xc6120002};
    h.hlen = 20;
    h.total_len = (uint16_t)(20 + n);
    net_ipv4_write(pkt, &h);
    memcpy(pkt + 20, p, n);
    if (fix_csum && proto == NET_PROTO_UDP && n >= 8) {
        struct net_udp_hdr u = {net_get16(p), 7, (uint16_t)n, 0};
        net_udp_write(pkt + 20, h.src, h.dst, &u);
    }
    if (fix_csum && proto == NET_PROTO_ICMP && n >= 8) {
        struct net_icmp_hdr ih = {p[0], p[1], 0, net_get32(p + 4)};
        net_icmp_write(pkt + 20, n, &ih);
    }
    fuzz_frame(NET_ETHTYPE_IPV4, pkt, 20 + n);
}

/* ---- IPv6 ---------------------------------------------------------------- */

/* Addresses a fuzz input picks from by two bits. */
static const atoll_ipv6_t fuzz6_ours = {{0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
static const atoll_ipv6_t fuzz6_peer = {{0x20, 0x01, 0x0d, 0xb8, [15] = 9}};
static const atoll_ipv6_t fuzz6_peer_ll = {
    {0xfe, 0x80, [8] = 2, [13] = 0, [14] = 0, [15] = 9}};

/* Our addresses usable again, and SLAAC on or off (bit of the input). */
static void fuzz6_fresh(bool slaac)
{
    struct atoll_stack *s = fuzz_setup();
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++)
        if (s->v6->addrs[i].used)
            s->v6->addrs[i].state = ATOLL_IPV6_PREFERRED;
    s->v6->slaac = slaac;
}

/* A destination by `sel` (2 bits): our global address, our link-local
 * one, all-nodes, our solicited-node group. */
static void fuzz6_dst(unsigned sel, atoll_ipv6_t *out)
{
    struct atoll_stack *s = fuzz_setup();
    switch (sel & 3) {
    case 0:
        *out = fuzz6_ours;
        break;
    case 1:
        net_ipv6_link_local(s->info.mac, out);
        break;
    case 2:
        *out = net_ipv6_all_nodes;
        break;
    default:
        net_ipv6_solicited_node(&fuzz6_ours, out);
    }
}

/* A source by `sel` (2 bits): a global peer, a link-local one, the
 * unspecified address, or (3) whatever the packet already says. */
static void fuzz6_src(unsigned sel, uint8_t *p)
{
    static const atoll_ipv6_t zero;
    const atoll_ipv6_t *a[3] = {&fuzz6_peer, &fuzz6_peer_ll, &zero};
    if ((sel & 3) < 3)
        memcpy(p + 8, a[sel & 3]->b, 16);
}

/* Fix the ICMPv6 checksum of the packet at p (n bytes, from the IPv6
 * header) if its chain leads to ICMPv6. */
static void fuzz_fix_icmp6(uint8_t *p, size_t n)
{
    struct net_ipv6_chain c;
    if (net_ipv6_walk(p, n, &c) < 0 || c.fragment || c.proto != NET_IP6_ICMPV6)
        return;
    atoll_ipv6_t src, dst;
    memcpy(src.b, p + 8, 16);
    memcpy(dst.b, p + 24, 16);
    fuzz_csum_fix(
        p + c.off, n - c.off, 2,
        net_csum_pseudo6(&src, &dst, NET_IP6_ICMPV6, (uint32_t)(n - c.off)));
}

/* An IPv6 packet to us: header (next header `next`, hop limit `hop`,
 * source and destination chosen by `sel`: bits 0-1 destination, 2-3
 * source) then the n bytes at p; the ICMPv6 checksum fixed when `fix`. */
static void fuzz_ip6(uint8_t next, uint8_t hop, unsigned sel, const uint8_t *p,
                     size_t n, bool fix)
{
    static uint8_t pkt[70000];
    if (n > 65000)
        n = 65000;
    struct net_ipv6_hdr h = {.payload_len = (uint16_t)n,
                             .next = next,
                             .hop_limit = hop,
                             .src = fuzz6_peer};
    fuzz6_dst(sel, &h.dst);
    net_ipv6_write(pkt, &h);
    fuzz6_src((sel >> 2) % 3, pkt);
    memcpy(pkt + NET_IP6_HLEN, p, n);
    if (fix)
        fuzz_fix_icmp6(pkt, NET_IP6_HLEN + n);
    fuzz_frame(NET_ETHTYPE_IPV6, pkt, NET_IP6_HLEN + n);
}

#endif
