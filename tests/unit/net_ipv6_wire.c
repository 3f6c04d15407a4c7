/*
 * tests/unit/net_ipv6_wire.c - the IPv6 wire formats as pure functions:
 * address text both ways, the header, the extension-header walk (every
 * header and the option rules of RFC 8200 4), ND message parsing and the
 * ICMPv6 checksum.  Packets are built byte by byte here, so a mistake in
 * a writer cannot hide the same mistake in its parser.
 */
#include <string.h>

#include "../../lib/net/ipv6_int.h"
#include "../../lib/net/net.h"
#include "../../lib/net/wire.h"
#include "../harness.h"
#include "atoll/error.h"

static atoll_ipv6_t A(const char *t)
{
    atoll_ipv6_t a;
    if (atoll_ipv6_parse(t, &a, NULL) < 0)
        memset(&a, 0xee, sizeof a);
    return a;
}

TEST(ipv6_ext, "address text: RFC 4291 forms in, RFC 5952 out")
{
    static const char *const round[][2] = {
        {"2001:db8::1", "2001:db8::1"},
        {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
        {"::", "::"},
        {"::1", "::1"},
        {"fe80::", "fe80::"},
        {"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, /* first run wins */
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},       /* longest wins */
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"}, /* one 0 stays */
    };
    for (size_t i = 0; i < sizeof round / sizeof round[0]; i++) {
        atoll_ipv6_t a;
        char buf[ATOLL_IPV6_TEXT];
        CHECK_EQ(atoll_ipv6_parse(round[i][0], &a, NULL), 0);
        CHECK_STR(atoll_ipv6_format(&a, buf), round[i][1]);
    }
    static const char *const bad[] = {
        "",        ":",           ":::",  "1::2::3",       "1:2:3:4:5:6:7:8:9",
        "12345::", "1:",          "g::1", "1:2:3:4:5:6:7", "::1/64",
        "1.2.3.4", "fe80::1%eth0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        atoll_ipv6_t a;
        CHECK_EQ(atoll_ipv6_parse(bad[i], &a, NULL), -ATOLL_EINVAL);
    }
    atoll_ipv6_t a;
    uint8_t len = 0;
    CHECK_EQ(atoll_ipv6_parse("2001:db8::2/64", &a, &len), 0);
    CHECK_EQ(len, 64);
    CHECK_EQ(atoll_ipv6_parse("2001:db8::2/129", &a, &len), -ATOLL_EINVAL);
    CHECK_EQ(atoll_ipv6_parse("2001:db8::2/", &a, &len), -ATOLL_EINVAL);
}

TEST(ipv6_ext, "link-local, solicited-node and multicast MAC addresses")
{
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    atoll_ipv6_t ll, sn;
    uint8_t m[6];
    net_ipv6_link_local(mac, &ll);
    atoll_ipv6_t want = A("fe80::5054:ff:fe12:3456");
    CHECK_MEM(&ll, &want, 16);
    net_ipv6_solicited_node(&ll, &sn);
    want = A("ff02::1:ff12:3456");
    CHECK_MEM(&sn, &want, 16);
    net_ipv6_multicast_mac(&sn, m);
    static const uint8_t wm[6] = {0x33, 0x33, 0xff, 0x12, 0x34, 0x56};
    CHECK_MEM(m, wm, 6);
    atoll_ipv6_t p = A("2001:db8:1:2::");
    atoll_ipv6_t p9 = A("2001:db8:1:2::9");
    CHECK(net_ipv6_same_prefix(&p, &p9, 64));
    atoll_ipv6_t q = A("2001:db8:1:3::");
    CHECK(!net_ipv6_same_prefix(&p, &q, 64));
    CHECK(net_ipv6_same_prefix(&p, &q, 47));
    CHECK(!net_ipv6_same_prefix(&p, &q, 129));
}

/* A 40-byte header from fe80::1 to 2001:db8::2 with `next` and a payload
 * length that covers `plen` bytes. */
static size_t hdr(uint8_t *p, uint8_t next, size_t plen)
{
    memset(p, 0, 40);
    p[0] = 0x60;
    net_put16(p + 4, (uint16_t)plen);
    p[6] = next;
    p[7] = 64;
    atoll_ipv6_t s = A("fe80::1"), d = A("2001:db8::2");
    memcpy(p + 8, s.b, 16);
    memcpy(p + 24, d.b, 16);
    return 40;
}

TEST(ipv6_ext, "header parse and write round trip; bad version and length")
{
    uint8_t p[64];
    struct net_ipv6_hdr h;
    hdr(p, 58, 8);
    p[1] = 0xab; /* traffic class 0x0a, flow 0xb0000 */
    CHECK_EQ(net_ipv6_parse(p, 48, &h), 0);
    CHECK_EQ(h.tclass, 0x0a);
    CHECK_EQ(h.flow, 0xb0000);
    CHECK_EQ(h.payload_len, 8);
    CHECK_EQ(h.next, 58);
    CHECK_EQ(h.hop_limit, 64);
    uint8_t q[40];
    net_ipv6_write(q, &h);
    CHECK_MEM(q, p, 40);
    CHECK_EQ(net_ipv6_parse(p, 47, &h), -ATOLL_EBADMSG); /* payload cut */
    CHECK_EQ(net_ipv6_parse(p, 39, &h), -ATOLL_EBADMSG);
    p[0] = 0x40;
    CHECK_EQ(net_ipv6_parse(p, 48, &h), -ATOLL_EBADMSG);
}

TEST(ipv6_ext, "hop-by-hop, destination options, routing, fragment walked")
{
    uint8_t p[128];
    struct net_ipv6_chain c;
    /* HBH (Pad1, router alert, Pad1) -> DST (PadN 4) -> routing with
     * no segments left -> atomic fragment -> ICMPv6. */
    size_t n = hdr(p, NET_IP6_HOPOPTS, 0);
    const uint8_t hbh[8] = {NET_IP6_DSTOPTS, 0, 0, 5, 2, 0, 0, 0};
    const uint8_t dst[8] = {NET_IP6_ROUTING, 0, 1, 4, 0, 0, 0, 0};
    const uint8_t rt[8] = {NET_IP6_FRAGMENT, 0, 4, 0, 0, 0, 0, 0};
    const uint8_t fr[8] = {NET_IP6_ICMPV6, 0, 0, 0, 0, 0, 0, 9};
    memcpy(p + n, hbh, 8), n += 8;
    memcpy(p + n, dst, 8), n += 8;
    memcpy(p + n, rt, 8), n += 8;
    memcpy(p + n, fr, 8), n += 8;
    memset(p + n, 0, 8), n += 8;
    CHECK_EQ(net_ipv6_walk(p, n, &c), 0);
    CHECK_EQ(c.proto, NET_IP6_ICMPV6);
    CHECK_EQ(c.off, 72);
    CHECK(!c.fragment);

    /* A real fragment: offset 8, more fragments. */
    p[40 + 24 + 3] = 8 | 1;
    CHECK_EQ(net_ipv6_walk(p, n, &c), 0);
    CHECK(c.fragment);
    CHECK_EQ(c.frag_off, 8);
    CHECK(c.frag_more);
    CHECK_EQ(c.frag_id, 9);
    p[40 + 24 + 3] = 0;

    /* Cut anywhere inside the chain: malformed, never read past. */
    for (size_t cut = 40; cut < 72; cut++) {
        CHECK_EQ(net_ipv6_walk(p, cut, &c), -ATOLL_EBADMSG);
        CHECK_EQ(c.reject, ATOLL_IP6R_TRUNCATED);
    }

    /* An option that runs past its header. */
    p[40 + 4] = 9;
    CHECK_EQ(net_ipv6_walk(p, n, &c), -ATOLL_EBADMSG);
    p[40 + 4] = 0;
}

TEST(ipv6_ext, "routing header type 0 refused, unknown options by type bits")
{
    uint8_t p[96];
    struct net_ipv6_chain c;
    size_t n = hdr(p, NET_IP6_ROUTING, 0);
    const uint8_t rh0[24] = {NET_IP6_ICMPV6, 2, 0, 1};
    memcpy(p + n, rh0, 24), n += 24;
    CHECK_EQ(net_ipv6_walk(p, n, &c), -ATOLL_ENOTSUP);
    CHECK(c.send_error);
    CHECK_EQ(c.pp_code, 0);
    CHECK_EQ(c.pp_ptr, 42); /* the routing type field */
    CHECK_EQ(c.reject, ATOLL_IP6R_ROUTING);

    /* Destination options with an unknown option of each kind. */
    static const struct {
        uint8_t type;
        int r;
        bool err;
    } opt[] = {{0x1e, 0, false},
               {0x5e, -ATOLL_ENOTSUP, false},
               {0x9e, -ATOLL_ENOTSUP, true},
               {0xde, -ATOLL_ENOTSUP, true}};
    for (size_t i = 0; i < 4; i++) {
        n = hdr(p, NET_IP6_DSTOPTS, 0);
        const uint8_t d[8] = {NET_IP6_NONE, 0, opt[i].type, 4, 0, 0, 0, 0};
        memcpy(p + n, d, 8), n += 8;
        CHECK_EQ(net_ipv6_walk(p, n, &c), opt[i].r);
        if (opt[i].r < 0) {
            CHECK_EQ(c.send_error, opt[i].err);
            CHECK_EQ(c.reject, ATOLL_IP6R_OPTION);
        }
        if (opt[i].err) {
            CHECK_EQ(c.pp_code, 2);
            CHECK_EQ(c.pp_ptr, 42);
        }
    }
    /* 11xxxxxx to a multicast destination: discarded without an error. */
    p[24] = 0xff;
    CHECK_EQ(net_ipv6_walk(p, n, &c), -ATOLL_ENOTSUP);
    CHECK(!c.send_error);
}

TEST(ipv6_ext, "hop-by-hop only first; chains longer than the limit refused")
{
    uint8_t p[40 + 8 * (NET_IPV6_EXT_MAX + 2)];
    struct net_ipv6_chain c;
    size_t n = hdr(p, NET_IP6_DSTOPTS, 0);
    const uint8_t d[8] = {NET_IP6_HOPOPTS, 0, 1, 4, 0, 0, 0, 0};
    memcpy(p + n, d, 8), n += 8;
    memcpy(p + n, d, 8), n += 8;
    CHECK_EQ(net_ipv6_walk(p, n, &c), -ATOLL_ENOTSUP);
    CHECK_EQ(c.pp_code, 1);
    CHECK_EQ(c.pp_ptr, 40); /* the next header field naming it */
    CHECK_EQ(c.reject, ATOLL_IP6R_HBH_PLACE);

    n = hdr(p, NET_IP6_DSTOPTS, 0);
    for (int i = 0; i < NET_IPV6_EXT_MAX + 2; i++) {
        const uint8_t e[8] = {NET_IP6_DSTOPTS, 0, 1, 4, 0, 0, 0, 0};
        memcpy(p + n, e, 8), n += 8;
    }
    CHECK_EQ(net_ipv6_walk(p, n, &c), -ATOLL_EBADMSG);
    CHECK_EQ(c.reject, ATOLL_IP6R_CHAIN_LONG);
    /* Every reason has a name for logs. */
    for (int r = 0; r < ATOLL_IP6R_COUNT; r++)
        CHECK(atoll_ip6_reject_name(r) && *atoll_ip6_reject_name(r) != '?');
}

TEST(ipv6_ext, "ND messages parsed; zero-length and misplaced options refused")
{
    struct net_nd_msg m;
    /* An RA: hop limit 64, lifetime 1800, an MTU and a prefix option. */
    uint8_t ra[16 + 8 + 32 + 8] = {NET_ICMP6_RA, 0, 0, 0, 64, 0, 0x07, 0x08};
    uint8_t *o = ra + 16;
    o[0] = NET_ND_OPT_MTU, o[1] = 1;
    net_put32(o + 4, 1400);
    o += 8;
    o[0] = NET_ND_OPT_PREFIX, o[1] = 4, o[2] = 64, o[3] = 0xc0;
    net_put32(o + 4, 86400);
    net_put32(o + 8, 14400);
    atoll_ipv6_t pre = A("2001:db8:1::");
    memcpy(o + 16, pre.b, 16);
    o += 32;
    o[0] = NET_ND_OPT_SLLA, o[1] = 1, o[2] = 2, o[7] = 7;
    CHECK_EQ(net_nd_parse(ra, sizeof ra, &m), 0);
    CHECK_EQ(m.flags >> 24, 64);
    CHECK_EQ(m.flags & 0xffff, 1800);
    CHECK(m.has_mtu);
    CHECK_EQ(m.mtu, 1400);
    CHECK_EQ(m.nprefix, 1);
    CHECK_EQ(m.prefix[0].len, 64);
    CHECK_EQ(m.prefix[0].valid_s, 86400);
    CHECK_MEM(&m.prefix[0].prefix, &pre, 16);
    CHECK(m.has_lla);
    CHECK_EQ(m.lla[5], 7);
    /* Every truncation is refused. */
    for (size_t cut = 0; cut < sizeof ra; cut++)
        if (cut != 16 && cut != 24 && cut != 56)
            CHECK_EQ(net_nd_parse(ra, cut, &m), -ATOLL_EBADMSG);
    ra[16 + 1] = 0; /* a zero-length option */
    CHECK_EQ(net_nd_parse(ra, sizeof ra, &m), -ATOLL_EBADMSG);
    ra[16 + 1] = 1;
    ra[16 + 8 + 1] = 3; /* a prefix option of the wrong length */
    CHECK_EQ(net_nd_parse(ra, sizeof ra, &m), -ATOLL_EBADMSG);
    ra[16 + 8 + 1] = 4;
    ra[1] = 1; /* code not 0 */
    CHECK_EQ(net_nd_parse(ra, sizeof ra, &m), -ATOLL_EBADMSG);

    /* An NS for a multicast target is refused; a unicast one parsed. */
    uint8_t ns[24] = {NET_ICMP6_NS};
    atoll_ipv6_t t = A("ff02::1");
    memcpy(ns + 8, t.b, 16);
    CHECK_EQ(net_nd_parse(ns, sizeof ns, &m), -ATOLL_EBADMSG);
    t = A("2001:db8::2");
    memcpy(ns + 8, t.b, 16);
    CHECK_EQ(net_nd_parse(ns, sizeof ns, &m), 0);
    CHECK_MEM(&m.target, &t, 16);
    CHECK(!m.has_lla);
}

TEST(ipv6_ext, "ICMPv6 checksum over the pseudo-header")
{
    /* An echo request from fe80::1 to fe80::2, id 1 seq 1, no data:
     * checksum worked by hand (pseudo-header sum + message). */
    atoll_ipv6_t s = A("fe80::1"), d = A("fe80::2");
    uint8_t m[8] = {NET_ICMP6_ECHO, 0, 0, 0, 0, 1, 0, 1};
    net_icmp6_finish(m, sizeof m, &s, &d);
    /* fe80 + 0001 + fe80 + 0002 + len 0008 + next 003a + 8000 + 0001 +
     * 0001 = 0x27d47, folded 0x7d49, complemented 0x82b6. */
    CHECK_EQ(net_get16(m + 2), 0x82b6);
    CHECK_EQ(net_icmp6_csum(&s, &d, m, sizeof m), 0);
    m[7] ^= 1;
    CHECK(net_icmp6_csum(&s, &d, m, sizeof m) != 0);
}
