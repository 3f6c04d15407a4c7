/*
 * tests/unit/net_wire.c - marshal and unmarshal of the Ethernet, ARP,
 * IPv4, ICMP and UDP headers (lib/net/wire.h), address text, and the
 * Internet checksum against known vectors and a byte-at-a-time reference.
 */
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/net.h"
#include "../../lib/net/wire.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/stack.h"

/* RFC 1071 section 3's straightforward algorithm, one 16-bit word at a
 * time: the reference the fast version must agree with. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

TEST(net_csum, "the RFC 1071 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2")
{
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_EQ(net_csum_fold(net_csum_add(0, b, sizeof b)), (uint16_t)~0xddf2);
}

TEST(net_csum, "a real IPv4 header checks out (checksum b861)")
{
    uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                     0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
                     0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK_EQ(net_csum_fold(net_csum_add(0, h, 20)), 0);
    h[10] = h[11] = 0;
    CHECK_EQ(net_csum_fold(net_csum_add(0, h, 20)), 0xb861);
}

TEST(net_csum, "odd lengths, chunks and every alignment match the reference")
{
    static uint8_t buf[2100];
    srand(7);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rand();
    for (size_t len = 0; len < 300; len++)
        for (size_t off = 0; off < 8; off++)
            CHECK_EQ(net_csum_fold(net_csum_add(0, buf + off, len)),
                     ref_csum(buf + off, len));
    CHECK_EQ(net_csum_fold(net_csum_add(0, buf, 2048)), ref_csum(buf, 2048));
    /* Even-length chunks chain into the same sum. */
    uint32_t s = net_csum_add(0, buf, 64);
    s = net_csum_add(s, buf + 64, 1000);
    s = net_csum_add(s, buf + 1064, 77);
    CHECK_EQ(net_csum_fold(s), ref_csum(buf, 1141));
    /* All ones and all zeros. */
    memset(buf, 0xff, 1500);
    CHECK_EQ(net_csum_fold(net_csum_add(0, buf, 1500)), ref_csum(buf, 1500));
    memset(buf, 0, 1500);
    CHECK_EQ(net_csum_fold(net_csum_add(0, buf, 1500)), 0xffff);
}

TEST(net_csum, "the pseudo-header of a known UDP datagram")
{
    /* 198.18.0.1:1234 -> 198.18.0.2:7, "hi": computed independently with
     * the reference over pseudo-header + datagram. */
    uint8_t d[10] = {0x04, 0xd2, 0x00, 0x07, 0x00, 0x0a, 0, 0, 'h', 'i'};
    uint8_t ph[12 + 10] = {198, 18, 0, 1, 198, 18, 0, 2, 0, 17, 0, 10};
    memcpy(ph + 12, d, 10);
    uint16_t want = ref_csum(ph, sizeof ph);
    uint32_t s = net_csum_pseudo(0xc6120001, 0xc6120002, 17, 10);
    CHECK_EQ(net_csum_fold(net_csum_add(s, d, 10)), want);
    struct net_udp_hdr h = {1234, 7, 10, 0};
    net_udp_write(d, 0xc6120001, 0xc6120002, &h);
    CHECK_EQ(net_get16(d + 6), want);
    CHECK_EQ(net_udp_parse(d, 10, 0xc6120001, 0xc6120002, &h), 0);
    CHECK_EQ(h.sport, 1234);
    CHECK_EQ(h.dport, 7);
    CHECK_EQ(h.len, 10);
    d[9] ^= 1;
    CHECK_EQ(net_udp_parse(d, 10, 0xc6120001, 0xc6120002, &h), -ATOLL_ECORRUPT);
    d[6] = d[7] = 0; /* no checksum: accepted */
    CHECK_EQ(net_udp_parse(d, 10, 0xc6120001, 0xc6120002, &h), 0);
}

TEST(net_wire, "Ethernet II: exact bytes both ways, short frames refused")
{
    const uint8_t want[14] = {1,   2,   3,   4,   5,   6,    0xa,
                              0xb, 0xc, 0xd, 0xe, 0xf, 0x08, 0x06};
    struct net_eth_hdr h = {
        {1, 2, 3, 4, 5, 6}, {0xa, 0xb, 0xc, 0xd, 0xe, 0xf}, NET_ETHTYPE_ARP};
    uint8_t p[14];
    net_eth_write(p, &h);
    CHECK_MEM(p, want, 14);
    struct net_eth_hdr g;
    CHECK_EQ(net_eth_parse(p, 14, &g), 0);
    CHECK_MEM(g.dst, h.dst, 6);
    CHECK_MEM(g.src, h.src, 6);
    CHECK_EQ(g.type, NET_ETHTYPE_ARP);
    CHECK_EQ(net_eth_parse(p, 13, &g), -ATOLL_EBADMSG);
}

TEST(net_wire, "ARP: RFC 826 layout, wrong types and ops refused")
{
    struct net_arp a = {
        NET_ARP_REQUEST, {2, 0, 0, 0, 0, 1}, 0xc6120001, {0}, 0xc6120002};
    uint8_t p[28];
    net_arp_write(p, &a);
    const uint8_t want[28] = {0,   1,  8, 0, 6, 4, 0, 1, 2, 0, 0,   0,  0, 1,
                              198, 18, 0, 1, 0, 0, 0, 0, 0, 0, 198, 18, 0, 2};
    CHECK_MEM(p, want, 28);
    struct net_arp g;
    CHECK_EQ(net_arp_parse(p, 28, &g), 0);
    CHECK_EQ(g.op, NET_ARP_REQUEST);
    CHECK_EQ(g.spa, 0xc6120001);
    CHECK_EQ(g.tpa, 0xc6120002);
    CHECK_MEM(g.sha, a.sha, 6);
    CHECK_EQ(net_arp_parse(p, 27, &g), -ATOLL_EBADMSG);
    p[1] = 6; /* IEEE 802 hardware */
    CHECK_EQ(net_arp_parse(p, 28, &g), -ATOLL_EBADMSG);
    p[1] = 1;
    p[5] = 16; /* IPv6-sized protocol addresses */
    CHECK_EQ(net_arp_parse(p, 28, &g), -ATOLL_EBADMSG);
    p[5] = 4;
    p[7] = 3; /* RARP */
    CHECK_EQ(net_arp_parse(p, 28, &g), -ATOLL_EBADMSG);
}

TEST(net_wire, "IPv4: round trip, checksum, lengths, options skipped")
{
    struct net_ipv4_hdr h = {.tos = 0x10,
                             .total_len = 28,
                             .id = 0x1234,
                             .frag = NET_IP_MF | 3,
                             .ttl = 64,
                             .proto = 17,
                             .src = 0xc6120001,
                             .dst = 0xc6120002};
    uint8_t p[64] = {0};
    net_ipv4_write(p, &h);
    CHECK_EQ(p[0], 0x45);
    CHECK_EQ(net_get16(p + 2), 28);
    CHECK_EQ(net_get16(p + 6), 0x2003);
    struct net_ipv4_hdr g;
    CHECK_EQ(net_ipv4_parse(p, 28, &g), 0);
    CHECK_EQ(g.hlen, 20);
    CHECK_EQ(g.id, 0x1234);
    CHECK_EQ(net_ipv4_frag_offset(&g), 24);
    CHECK_EQ(g.src, 0xc6120001);
    CHECK_EQ(g.dst, 0xc6120002);
    CHECK_EQ(g.ttl, 64);
    /* Frame shorter than total length; shorter than a header. */
    CHECK_EQ(net_ipv4_parse(p, 27, &g), -ATOLL_EBADMSG);
    CHECK_EQ(net_ipv4_parse(p, 19, &g), -ATOLL_EBADMSG);
    /* Ethernet padding after total length is fine. */
    CHECK_EQ(net_ipv4_parse(p, 46, &g), 0);
    /* Bad checksum. */
    p[8] = 63;
    CHECK_EQ(net_ipv4_parse(p, 28, &g), -ATOLL_ECORRUPT);
    p[8] = 64;
    /* Version 6; header length 4 words. */
    p[0] = 0x65;
    CHECK_EQ(net_ipv4_parse(p, 28, &g), -ATOLL_EBADMSG);
    p[0] = 0x44;
    CHECK_EQ(net_ipv4_parse(p, 28, &g), -ATOLL_EBADMSG);
    /* Options: a 24-byte header (NOP NOP NOP EOL) is accepted and its
     * length reported, so the payload starts after it. */
    uint8_t o[32] = {0x46, 0,  0, 32, 0,   1,  0, 0, 64, 17, 0, 0,
                     198,  18, 0, 1,  198, 18, 0, 2, 1,  1,  1, 0};
    net_put16(o + 10, net_csum_fold(net_csum_add(0, o, 24)));
    CHECK_EQ(net_ipv4_parse(o, 32, &g), 0);
    CHECK_EQ(g.hlen, 24);
    /* Header length beyond total length. */
    o[0] = 0x4f;
    net_put16(o + 10, 0);
    CHECK_EQ(net_ipv4_parse(o, 32, &g), -ATOLL_EBADMSG);
}

TEST(net_wire, "ICMP: echo round trip and checksum over the whole message")
{
    uint8_t p[16] = {0};
    memcpy(p + 8, "abcdefgh", 8);
    struct net_icmp_hdr h = {NET_ICMP_ECHO, 0, 0, 0x00010002};
    net_icmp_write(p, 16, &h);
    CHECK_EQ(p[0], 8);
    CHECK_EQ(net_get16(p + 4), 1);
    CHECK_EQ(net_get16(p + 6), 2);
    CHECK_EQ(net_get16(p + 2),
             ref_csum((uint8_t[16]){8, 0, 0, 0, 0, 1, 0, 2, 'a', 'b', 'c', 'd',
                                    'e', 'f', 'g', 'h'},
                      16));
    struct net_icmp_hdr g;
    CHECK_EQ(net_icmp_parse(p, 16, &g), 0);
    CHECK_EQ(g.type, NET_ICMP_ECHO);
    CHECK_EQ(g.rest, 0x00010002);
    p[15] ^= 0x40;
    CHECK_EQ(net_icmp_parse(p, 16, &g), -ATOLL_ECORRUPT);
    CHECK_EQ(net_icmp_parse(p, 7, &g), -ATOLL_EBADMSG);
}

TEST(net_wire, "UDP: lengths below 8 or beyond the packet are refused")
{
    uint8_t d[12] = {0, 1, 0, 2, 0, 12, 0, 0};
    struct net_udp_hdr h;
    CHECK_EQ(net_udp_parse(d, 7, 1, 2, &h), -ATOLL_EBADMSG);
    CHECK_EQ(net_udp_parse(d, 12, 1, 2, &h), 0);
    d[5] = 13;
    CHECK_EQ(net_udp_parse(d, 12, 1, 2, &h), -ATOLL_EBADMSG);
    d[5] = 7;
    CHECK_EQ(net_udp_parse(d, 12, 1, 2, &h), -ATOLL_EBADMSG);
    /* A computed checksum of 0 is sent as ffff (RFC 768). */
    uint8_t z[8];
    for (uint16_t port = 0; port < 65535; port++) {
        struct net_udp_hdr w = {port, 1, 8, 0};
        net_udp_write(z, 0, 0, &w);
        CHECK(net_get16(z + 6) != 0);
        CHECK_EQ(net_udp_parse(z, 8, 0, 0, &h), 0);
    }
}

TEST(net_wire, "addresses: parse and format, with and without prefix")
{
    atoll_ipv4_t a;
    uint8_t p;
    CHECK_EQ(atoll_ipv4_parse("198.18.0.2", &a, NULL), 0);
    CHECK_EQ(a, 0xc6120002);
    CHECK_EQ(atoll_ipv4_parse("198.18.0.2/24", &a, &p), 0);
    CHECK_EQ(p, 24);
    CHECK_EQ(atoll_ipv4_parse("10.0.0.1", &a, &p), 0);
    CHECK_EQ(p, 32);
    const char *bad[] = {"",           "1.2.3",    "1.2.3.4.5", "256.1.1.1",
                         "1.2.3.4/33", "1.2.3.4/", "a.b.c.d",   "1.2.3.4 ",
                         "-1.2.3.4",   "1..2.3",   "0001.2.3.4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(atoll_ipv4_parse(bad[i], &a, &p), -ATOLL_EINVAL);
    CHECK_EQ(atoll_ipv4_parse("1.2.3.4/8", &a, NULL), -ATOLL_EINVAL);
    char buf[16];
    CHECK_STR(atoll_ipv4_format(0xc6120002, buf), "198.18.0.2");
    CHECK_STR(atoll_ipv4_format(0xffffffff, buf), "255.255.255.255");
}
