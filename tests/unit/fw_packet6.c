/*
 * tests/unit/fw_packet6.c - the firewall's IPv6 path (lib/fw/firewall6.c)
 * on packets built here: TCP, UDP and ICMPv6 echo routed between two
 * prefixes with their connections tracked (no translation), "established
 * only" inbound, the TCP windows, ICMPv6 errors matched through their
 * quote and forged ones dropped, rejects with a reset and with ICMPv6
 * unreachable, hop limit 1 and Packet Too Big answers, extension headers
 * walked to the ports, later fragments following their first, and what
 * never leaves its link going to the
 * firewall's own stack.  Every checksum is checked here by a sum of its
 * own over the pseudo-header.
 */
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/fw/pkt4.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/firewall.h"
#include "atoll/ipv6.h"

#define S 1000000000LL

/* inside fd00:1::1/64 (0); outside fd00:2::1/64, MTU 1280, default
 * router fe80::fe (1) */
static atoll_ipv6_t IN6, OUT6, GW6, C1, C2, SRV, FAR, LL;

static void addr(const char *text, atoll_ipv6_t *a)
{
    CHECK_EQ(atoll_ipv6_parse(text, a, NULL), 0);
}

static const char rules[] =
    "policy drop\n"
    "accept state established,related\n"
    "reject in outside proto tcp to any port 23\n"
    "reject with icmp-admin in outside proto udp to any port 9\n"
    "accept in inside out outside state new\n"
    "accept in outside proto tcp to fd00:1::2 port 80 state new\n";

static struct atoll_firewall *make_fw(uint32_t ct_max)
{
    struct atoll_runtime_opts o = {64u << 20, 0, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
    addr("fd00:1::1", &IN6);
    addr("fd00:2::1", &OUT6);
    addr("fe80::fe", &GW6);
    addr("fd00:1::2", &C1);
    addr("fd00:1::3", &C2);
    addr("fd00:2::9", &SRV);
    addr("2001:db8:77::5", &FAR);
    addr("fe80::2", &LL);
    struct atoll_fw_iface ifs[2] = {
        {.name = "inside",
         .addr = 0xc6120101u,
         .prefix = 24,
         .mtu = 1500,
         .addr6 = IN6,
         .prefix6 = 64},
        {.name = "outside",
         .addr = 0xc6120201u,
         .prefix = 24,
         .mtu = 1280,
         .addr6 = OUT6,
         .prefix6 = 64,
         .gateway6 = GW6},
    };
    static const uint8_t key[16] = "fw-packet6-test!";
    struct atoll_firewall *fw;
    CHECK_EQ(atoll_firewall_create(ifs, 2, ct_max, key, &fw), 0);
    struct atoll_fw_error e;
    if (atoll_firewall_set_rules(fw, rules, strlen(rules), &e) < 0)
        harness_fail(__FILE__, __LINE__, "rules %d:%d %s", e.line, e.column,
                     e.msg);
    return fw;
}

static uint8_t pkt[2048];
static size_t pkt_len;

/* The upper-layer checksum of an IPv6 packet whose upper layer `proto`
 * starts at `off`, summed over a copy with the pseudo-header in front
 * (RFC 8200 8.1): 0 when right. */
static uint16_t l4_sum(const uint8_t *p, size_t len, size_t off, uint8_t proto)
{
    static uint8_t b[4096];
    size_t n = len - off;
    memcpy(b, p + 8, 32);
    fw_wr32(b + 32, (uint32_t)n);
    b[36] = b[37] = b[38] = 0;
    b[39] = proto;
    memcpy(b + 40, p + off, n);
    return fw_csum(b, 40 + n);
}

/* An IPv6 packet src -> dst, hop limit 64, of `proto` with body l4 (its
 * checksum field at csum_at computed here), after `ext` bytes of
 * extension headers (their next-header chain the caller's). */
static void build(const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                  uint8_t next, const uint8_t *ext, size_t ext_len,
                  uint8_t proto, const uint8_t *l4, size_t n, int csum_at)
{
    uint8_t *p = pkt;
    memset(p, 0, 40);
    p[0] = 0x60;
    fw_wr16(p + 4, (uint16_t)(ext_len + n));
    p[6] = next;
    p[7] = 64;
    memcpy(p + 8, src->b, 16);
    memcpy(p + 24, dst->b, 16);
    if (ext_len)
        memcpy(p + 40, ext, ext_len);
    uint8_t *t = p + 40 + ext_len;
    memcpy(t, l4, n);
    pkt_len = 40 + ext_len + n;
    fw_wr16(t + csum_at, 0);
    fw_wr16(t + csum_at, l4_sum(p, pkt_len, 40 + ext_len, proto));
}

static void tcp(const atoll_ipv6_t *src, uint16_t sp, const atoll_ipv6_t *dst,
                uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack,
                const char *data)
{
    uint8_t t[1500];
    size_t dl = data ? strlen(data) : 0;
    memset(t, 0, 20);
    fw_wr16(t, sp);
    fw_wr16(t + 2, dp);
    fw_wr32(t + 4, seq);
    fw_wr32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    fw_wr16(t + 14, 65535);
    memcpy(t + 20, data ? data : "", dl);
    build(src, dst, 6, NULL, 0, 6, t, 20 + dl, 16);
}

static void udp(const atoll_ipv6_t *src, uint16_t sp, const atoll_ipv6_t *dst,
                uint16_t dp)
{
    uint8_t u[12] = {0};
    fw_wr16(u, sp);
    fw_wr16(u + 2, dp);
    fw_wr16(u + 4, 12);
    memcpy(u + 8, "ping", 4);
    build(src, dst, 17, NULL, 0, 17, u, 12, 6);
}

static void echo(const atoll_ipv6_t *src, const atoll_ipv6_t *dst, uint8_t type,
                 uint16_t id, size_t n)
{
    uint8_t e[1500];
    memset(e, 'x', n);
    e[0] = type;
    e[1] = 0;
    fw_wr16(e + 4, id);
    fw_wr16(e + 6, 1);
    build(src, dst, 58, NULL, 0, 58, e, n, 2);
}

/* An ICMPv6 error src -> dst of type/code quoting the packet in pkt. */
static void error_about(const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                        uint8_t type, uint8_t code)
{
    uint8_t e[8 + 2048] = {type, code};
    memcpy(e + 8, pkt, pkt_len);
    build(src, dst, 58, NULL, 0, 58, e, 8 + pkt_len, 2);
}

static struct atoll_fw_result res;

static int run(struct atoll_firewall *fw, int in_if, atoll_time_t now)
{
    return atoll_firewall_packet(fw, in_if, pkt, pkt_len, 0, now, &res);
}

/* A forwarded packet: out of out_if to hop, hop limit 63, the
 * addresses and the upper-layer checksum as they were. */
#define forwarded(v, o, h) forwarded_(v, o, h, __LINE__)
static void forwarded_(int verdict, int out_if, const atoll_ipv6_t *hop,
                       int line)
{
    if (verdict != ATOLL_FW_FORWARD)
        harness_fail(__FILE__, line, "verdict %d: %s", verdict,
                     res.why ? res.why : "-");
    if (res.out_if != out_if || memcmp(res.next_hop6.b, hop->b, 16))
        harness_fail(__FILE__, line, "out of %d, not %d, or another hop",
                     res.out_if, out_if);
    /* one 8-byte extension header at most here: destination options or
     * a fragment header */
    size_t off = pkt[6] == 60 || pkt[6] == 44 ? 48 : 40;
    if (pkt[7] != 63 || l4_sum(pkt, pkt_len, off, off == 48 ? pkt[40] : pkt[6]))
        harness_fail(__FILE__, line, "hop limit %u or checksum wrong", pkt[7]);
}

/* The answer is an IPv6 packet from `from` to `to` with a right checksum
 * of its upper layer; its first byte after the IPv6 header returned. */
#define answered(from, to, proto) answered_(from, to, proto, __LINE__)
static uint8_t answered_(const atoll_ipv6_t *from, const atoll_ipv6_t *to,
                         uint8_t proto, int line)
{
    const uint8_t *a = res.answer;
    if (res.answer_len < 48 || a[0] >> 4 != 6 || a[6] != proto ||
        fw_rd16(a + 4) != res.answer_len - 40 || memcmp(a + 8, from->b, 16) ||
        memcmp(a + 24, to->b, 16) || l4_sum(a, res.answer_len, 40, proto))
        harness_fail(__FILE__, line, "no right answer (%zu bytes)",
                     res.answer_len);
    return a[40];
}

static void stats(struct atoll_firewall *fw, struct atoll_fw_stats *st)
{
    atoll_firewall_stats(fw, st);
}

TEST(fw_packet6, "TCP routed and tracked; inbound only when established")
{
    struct atoll_firewall *fw = make_fw(0);
    tcp(&C1, 40000, &SRV, 8000, FW_TCP_SYN, 1000, 0, NULL);
    forwarded(run(fw, 0, 0), 1, &SRV);
    CHECK_EQ(fw_rd16(pkt + 40), 40000); /* not translated */
    CHECK(!memcmp(pkt + 8, C1.b, 16));
    tcp(&SRV, 8000, &C1, 40000, FW_TCP_SYN | FW_TCP_ACK, 7000, 1001, NULL);
    forwarded(run(fw, 1, S), 0, &C1);
    tcp(&C1, 40000, &SRV, 8000, FW_TCP_ACK, 1001, 7001, "GET / HTTP/1.0\r\n");
    forwarded(run(fw, 0, S), 1, &SRV);
    tcp(&SRV, 8000, &C1, 40000, FW_TCP_ACK, 7001, 1017, "HTTP/1.0 200");
    forwarded(run(fw, 1, S), 0, &C1);
    /* beyond the server's window: dropped and counted, nothing changed */
    tcp(&SRV, 8000, &C1, 40000, FW_TCP_ACK, 7001 + 1000000, 1017, "x");
    CHECK_EQ(run(fw, 1, S), ATOLL_FW_DROPPED);
    /* a new connection from outside: refused by the policy ... */
    tcp(&SRV, 5000, &C1, 40001, FW_TCP_SYN, 1, 0, NULL);
    CHECK_EQ(run(fw, 1, S), ATOLL_FW_DROPPED);
    CHECK_EQ(res.answer_len, 0);
    /* ... but to the one port a rule opens */
    tcp(&SRV, 5000, &C1, 80, FW_TCP_SYN, 1, 0, NULL);
    forwarded(run(fw, 1, S), 0, &C1);
    /* far away: by the default router */
    tcp(&C2, 40000, &FAR, 443, FW_TCP_SYN, 1, 0, NULL);
    forwarded(run(fw, 0, S), 1, &GW6);
    struct atoll_fw_stats st;
    stats(fw, &st);
    CHECK_EQ(st.forwarded, 6);
    CHECK_EQ(st.window, 1);
    CHECK_EQ(st.policy, 1);
    uint32_t n, max;
    uint64_t refused;
    atoll_firewall_ct_usage(fw, &n, &max, &refused);
    CHECK_EQ(n, 3);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "UDP both ways; ICMPv6 echo tracked by identifier")
{
    struct atoll_firewall *fw = make_fw(0);
    udp(&C1, 5353, &SRV, 7000);
    forwarded(run(fw, 0, 0), 1, &SRV);
    udp(&SRV, 7000, &C1, 5353);
    forwarded(run(fw, 1, 0), 0, &C1);
    udp(&SRV, 7000, &C1, 5354); /* another port: no such flow */
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);

    echo(&C1, &SRV, 128, 77, 16);
    forwarded(run(fw, 0, 0), 1, &SRV);
    echo(&SRV, &C1, 129, 77, 16);
    forwarded(run(fw, 1, 0), 0, &C1);
    echo(&SRV, &C1, 129, 78, 16); /* a reply to nothing sent */
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    echo(&SRV, &C1, 128, 77, 16); /* a request is not a reply */
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "ICMPv6 errors through their quote; forged ones dropped")
{
    struct atoll_firewall *fw = make_fw(0);
    udp(&C1, 5353, &SRV, 9999);
    forwarded(run(fw, 0, 0), 1, &SRV);
    /* the server's port unreachable, quoting the datagram as it came */
    pkt[7] = 63;
    error_about(&SRV, &C1, 1, 4);
    forwarded(run(fw, 1, 0), 0, &C1);
    /* the quote of a flow that does not exist */
    udp(&C1, 5353, &SRV, 9998);
    error_about(&SRV, &C1, 1, 4);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    /* the right quote, aimed at another inside host */
    udp(&C1, 5353, &SRV, 9999);
    error_about(&SRV, &C2, 1, 4);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    struct atoll_fw_stats st;
    stats(fw, &st);
    CHECK_EQ(st.related, 1);
    CHECK_EQ(st.invalid, 2);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "reject: a reset, or ICMPv6 administratively prohibited")
{
    struct atoll_firewall *fw = make_fw(0);
    tcp(&SRV, 5555, &C1, 23, FW_TCP_SYN, 100, 0, NULL);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    answered(&C1, &SRV, 6); /* from where it was sent */
    CHECK_EQ(res.answer_len, 60);
    CHECK_EQ(res.answer_if, 1);
    CHECK(!memcmp(res.answer_hop6.b, SRV.b, 16));
    const uint8_t *t = res.answer + 40;
    CHECK_EQ(fw_rd16(t), 23);
    CHECK_EQ(fw_rd16(t + 2), 5555);
    CHECK_EQ(t[13], 0x14);         /* RST+ACK */
    CHECK_EQ(fw_rd32(t + 8), 101); /* the SYN counted */

    udp(&SRV, 5555, &C1, 9);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(answered(&OUT6, &SRV, 58), 1);
    CHECK_EQ(res.answer[41], 1); /* administratively prohibited */
    CHECK_EQ(res.answer_len, 48 + pkt_len);
    CHECK(!memcmp(res.answer + 48, pkt, pkt_len));
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "hop limit 1: time exceeded; too big: Packet Too Big")
{
    struct atoll_firewall *fw = make_fw(0);
    echo(&C1, &SRV, 128, 1, 16);
    pkt[7] = 1;
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(answered(&IN6, &C1, 58), 3);
    CHECK_EQ(res.answer[41], 0);
    CHECK_EQ(res.answer_if, 0);
    CHECK(!memcmp(res.answer_hop6.b, C1.b, 16));

    echo(&C1, &SRV, 128, 2, 1400); /* 1440 > the outside's 1280 */
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    CHECK_EQ(answered(&IN6, &C1, 58), 2);
    CHECK_EQ(fw_rd32(res.answer + 44), 1280);
    CHECK_EQ(res.answer_len, 1280); /* as much as fits, RFC 4443 2.4 c */
    CHECK(!memcmp(res.answer + 48, pkt, 1280 - 48));
    /* an offload frame is the interface's to cut */
    CHECK_EQ(
        atoll_firewall_packet(fw, 0, pkt, pkt_len, ATOLL_FW_PKT_GSO, 0, &res),
        ATOLL_FW_FORWARD);
    /* no error about an error */
    udp(&C1, 1, &SRV, 2);
    error_about(&C1, &SRV, 1, 4);
    pkt[7] = 1;
    run(fw, 0, 0);
    CHECK_EQ(res.answer_len, 0);
    struct atoll_fw_stats st;
    stats(fw, &st);
    CHECK_EQ(st.ttl_exceeded, 1);
    CHECK_EQ(st.too_big, 1);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "extension headers walked to the ports; fragments follow")
{
    struct atoll_firewall *fw = make_fw(0);
    /* destination options (PadN) before TCP */
    uint8_t opts[8] = {6, 0, 1, 4, 0, 0, 0, 0};
    uint8_t t[20] = {0};
    fw_wr16(t, 40000);
    fw_wr16(t + 2, 8000);
    t[12] = 5 << 4;
    t[13] = FW_TCP_SYN;
    build(&C1, &SRV, 60, opts, 8, 6, t, 20, 16);
    forwarded(run(fw, 0, 0), 1, &SRV);
    /* the answer comes back as a plain segment of that connection */
    tcp(&SRV, 8000, &C1, 40000, FW_TCP_SYN | FW_TCP_ACK, 1, 1, NULL);
    forwarded(run(fw, 1, 0), 0, &C1);
    /* a chain that runs past the packet: malformed */
    build(&C1, &SRV, 60, opts, 8, 6, t, 20, 16);
    pkt[41] = 9; /* (9 + 1) * 8 bytes */
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    /* a first fragment, its UDP header in it: tracked and forwarded */
    uint8_t frag[8] = {17, 0, 0, 1, 0, 0, 0, 42}; /* offset 0, M, id 42 */
    uint8_t u[16] = {0};
    fw_wr16(u, 5353);
    fw_wr16(u + 2, 7000);
    fw_wr16(u + 4, 3000);
    build(&C1, &SRV, 44, frag, 8, 17, u, 16, 6);
    forwarded(run(fw, 0, 0), 1, &SRV);
    /* a later fragment of it (offset 1448) follows; no checksum here */
    uint8_t later[8] = {17, 0, 0x05, 0xa8, 0, 0, 0, 42};
    build(&C1, &SRV, 44, later, 8, 17, u, 16, 6);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_FORWARD);
    CHECK_EQ(res.out_if, 1);
    CHECK(!memcmp(res.next_hop6.b, SRV.b, 16));
    CHECK_EQ(pkt[7], 63);
    /* one of another datagram (id 43), whose first never came: dropped */
    later[7] = 43;
    build(&C1, &SRV, 44, later, 8, 17, u, 16, 6);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    /* a first fragment the rules drop (new from outside): its later
     * fragments are dropped too */
    frag[7] = later[7] = 44;
    build(&SRV, &C1, 44, frag, 8, 17, u, 16, 6);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    build(&SRV, &C1, 44, later, 8, 17, u, 16, 6);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    struct atoll_fw_stats st;
    stats(fw, &st);
    CHECK_EQ(st.bad, 1);
    CHECK_EQ(st.fragment, 2);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "link scope, multicast and own addresses: the stack's own")
{
    struct atoll_firewall *fw = make_fw(0);
    atoll_ipv6_t sn;
    addr("ff02::1:ff00:1", &sn); /* a solicited-node group */
    echo(&LL, &sn, 135, 0, 24);  /* a neighbour solicitation */
    pkt[7] = 255;
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_LOCAL);
    echo(&LL, &C1, 128, 1, 16); /* link-local source: never routed */
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_LOCAL);
    echo(&C1, &IN6, 128, 1, 16);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_LOCAL);
    echo(&C1, &OUT6, 128, 1, 16);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_LOCAL);
    /* an inside source arriving from outside */
    echo(&C2, &C1, 128, 1, 16);
    CHECK_EQ(run(fw, 1, 0), ATOLL_FW_DROPPED);
    struct atoll_fw_stats st;
    stats(fw, &st);
    CHECK_EQ(st.local, 4);
    CHECK_EQ(st.spoofed, 1);
    atoll_firewall_destroy(fw);
}

TEST(fw_packet6, "a full table refuses new IPv6 flows and keeps the old")
{
    struct atoll_firewall *fw = make_fw(2);
    udp(&C1, 1, &SRV, 7000);
    forwarded(run(fw, 0, 0), 1, &SRV);
    udp(&SRV, 7000, &C1, 1);
    forwarded(run(fw, 1, 0), 0, &C1);
    udp(&C1, 2, &SRV, 7000);
    forwarded(run(fw, 0, 0), 1, &SRV);
    udp(&SRV, 7000, &C1, 2);
    forwarded(run(fw, 1, 0), 0, &C1);
    udp(&C1, 3, &SRV, 7000);
    CHECK_EQ(run(fw, 0, 0), ATOLL_FW_DROPPED);
    udp(&SRV, 7000, &C1, 1);
    forwarded(run(fw, 1, 0), 0, &C1);
    struct atoll_fw_stats st;
    stats(fw, &st);
    CHECK_EQ(st.refused_full, 1);
    atoll_firewall_destroy(fw);
}
