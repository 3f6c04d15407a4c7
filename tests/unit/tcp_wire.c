/*
 * tests/unit/tcp_wire.c - TCP's pure parts: header and option
 * marshal/unmarshal (with the seed's option cases: broken MSS, bogus and
 * zero lengths, simple options, stopping at EOL, unknown values, padding,
 * the empty list, random bytes), the pseudo-header sums of both families
 * and the MSS an MTU allows, sequence arithmetic, SipHash, the SACK
 * scoreboard and out-of-order ranges, the RTO estimator and the
 * congestion windows.
 */
#include <string.h>

#include "../../lib/net/siphash.h"
#include "../../lib/net/tcp_int.h"
#include "../harness.h"
#include "atoll/error.h"

/* ---- options
 * -------------------------------------------------------------------------- */

TEST(tcp_options, "unmarshal a broken MSS")
{
    struct tcp_opts o;
    const uint8_t bad_len[] = {2, 3, 5};   /* MSS with length 3 */
    const uint8_t truncated[] = {2, 4, 5}; /* length beyond the area */
    CHECK_EQ(tcp_opts_parse(bad_len, sizeof bad_len, &o), -ATOLL_EBADMSG);
    CHECK_EQ(tcp_opts_parse(truncated, sizeof truncated, &o), -ATOLL_EBADMSG);
}

TEST(tcp_options, "unmarshal an option with a bogus length")
{
    struct tcp_opts o;
    const uint8_t bogus[] = {0x4a, 0xff, 1, 2}; /* unknown kind, len 255 */
    CHECK_EQ(tcp_opts_parse(bogus, sizeof bogus, &o), -ATOLL_EBADMSG);
    const uint8_t one[] = {0x4a, 1, 0, 0}; /* length 1 can't hold itself */
    CHECK_EQ(tcp_opts_parse(one, sizeof one, &o), -ATOLL_EBADMSG);
    const uint8_t nolen[] = {1, 1, 1, 8}; /* kind with no length byte */
    CHECK_EQ(tcp_opts_parse(nolen, sizeof nolen, &o), -ATOLL_EBADMSG);
}

TEST(tcp_options, "unmarshal an option with zero length")
{
    struct tcp_opts o;
    const uint8_t zero[] = {5, 0, 0, 0};
    CHECK_EQ(tcp_opts_parse(zero, sizeof zero, &o), -ATOLL_EBADMSG);
}

TEST(tcp_options, "unmarshal simple options")
{
    struct tcp_opts o;
    const uint8_t opts[] = {2,  4,  0x05, 0xb4,                   /* MSS 1460 */
                            1,  3,  3,    7,                      /* WS 7 */
                            4,  2,                                /* SACK ok */
                            8,  10, 0,    0,    0, 1, 0, 0, 0, 2, /* TS */
                            99, 4,  0xaa, 0xbb,                   /* unknown */
                            1,  1};
    CHECK_EQ(tcp_opts_parse(opts, sizeof opts, &o), 0);
    CHECK_EQ(o.present,
             TCP_HAS_MSS | TCP_HAS_WSCALE | TCP_HAS_SACK_OK | TCP_HAS_TS);
    CHECK_EQ(o.mss, 1460);
    CHECK_EQ(o.wscale, 7);
    CHECK_EQ(o.tsval, 1);
    CHECK_EQ(o.tsecr, 2);
    CHECK_EQ(o.unknown, 1);
    const uint8_t sack[] = {1, 1,  5, 18, 0, 0,  0, 10, 0, 0,
                            0, 20, 0, 0,  0, 30, 0, 0,  0, 40};
    CHECK_EQ(tcp_opts_parse(sack, sizeof sack, &o), 0);
    CHECK_EQ(o.nsack, 2);
    CHECK_EQ(o.sack[0].left, 10);
    CHECK_EQ(o.sack[1].right, 40);
    const uint8_t sack_bad[] = {5, 7, 0, 0, 0, 1, 0}; /* not 2 + 8n */
    CHECK_EQ(tcp_opts_parse(sack_bad, sizeof sack_bad, &o), -ATOLL_EBADMSG);
}

TEST(tcp_options, "unmarshal stops at EOL")
{
    struct tcp_opts o;
    /* MSS, EOL, then garbage that would be an error if parsed. */
    const uint8_t opts[] = {2, 4, 0x02, 0x18, 0, 2, 0, 0xff};
    CHECK_EQ(tcp_opts_parse(opts, sizeof opts, &o), 0);
    CHECK_EQ(o.present, TCP_HAS_MSS);
    CHECK_EQ(o.mss, 536);
    CHECK_EQ(tcp_opts_parse(opts, 0, &o), 0); /* no options at all */
    CHECK_EQ(o.present, 0);
}

TEST(tcp_options, "marshal an unknown value is rejected")
{
    uint8_t buf[40];
    memset(buf, 255, sizeof buf);
    struct tcp_opts o = {0};
    o.present = 0x80; /* not an option we can write */
    CHECK_EQ(tcp_opts_write(buf, sizeof buf, &o), -ATOLL_EINVAL);
    CHECK_EQ(buf[0], 255); /* nothing written */
    o.present = TCP_HAS_SACK;
    o.nsack = 5;
    CHECK_EQ(tcp_opts_write(buf, sizeof buf, &o), -ATOLL_EINVAL);
}

TEST(tcp_options, "marshal pads to 4 bytes")
{
    uint8_t buf[8];
    memset(buf, 255, sizeof buf);
    struct tcp_opts o = {0};
    o.present = TCP_HAS_SACK_OK;
    CHECK_EQ(tcp_opts_write(buf, sizeof buf, &o), 4);
    const uint8_t want[] = {4, 2, 0, 0, 255};
    CHECK_MEM(buf, want, 5);
}

TEST(tcp_options, "marshal the empty list")
{
    uint8_t buf[4];
    memset(buf, 255, sizeof buf);
    struct tcp_opts o = {0};
    CHECK_EQ(tcp_opts_write(buf, sizeof buf, &o), 0);
    CHECK_EQ(buf[0], 255);
}

TEST(tcp_options, "marshal then unmarshal every option; too small a buffer")
{
    struct tcp_opts o = {0}, p;
    o.present = TCP_HAS_MSS | TCP_HAS_WSCALE | TCP_HAS_SACK_OK | TCP_HAS_TS;
    o.mss = 1448, o.wscale = 9, o.tsval = 0xdeadbeef, o.tsecr = 7;
    uint8_t buf[40];
    int n = tcp_opts_write(buf, sizeof buf, &o);
    CHECK_EQ(n, 20);
    CHECK_EQ(n % 4, 0);
    CHECK_EQ(tcp_opts_parse(buf, (size_t)n, &p), 0);
    CHECK_EQ(p.present, o.present);
    CHECK_EQ(p.mss, 1448);
    CHECK_EQ(p.wscale, 9);
    CHECK_EQ(p.tsval, 0xdeadbeef);
    CHECK_EQ(p.tsecr, 7);
    CHECK_EQ(tcp_opts_write(buf, 8, &o), -ATOLL_ENOSPC);
    /* TS + 3 SACK blocks: the most a data segment carries (12 + 28). */
    struct tcp_opts s = {0};
    s.present = TCP_HAS_TS | TCP_HAS_SACK;
    s.nsack = 3;
    for (int i = 0; i < 3; i++)
        s.sack[i].left = 100u * i, s.sack[i].right = 100u * i + 50;
    n = tcp_opts_write(buf, sizeof buf, &s);
    CHECK_EQ(n, 40);
    CHECK_EQ(tcp_opts_parse(buf, (size_t)n, &p), 0);
    CHECK_EQ(p.nsack, 3);
    CHECK_EQ(p.sack[2].right, 250);
}

TEST(tcp_options, "random bytes never crash the parser")
{
    uint64_t x = 88172645463325252ULL;
    uint8_t buf[40];
    struct tcp_opts o;
    int ok = 0;
    for (int i = 0; i < 200000; i++) {
        size_t len = (size_t)(x % 41);
        for (size_t j = 0; j < sizeof buf; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[j] = (uint8_t)x;
            if (x % 5 == 0) /* make plausible kinds common */
                buf[j] = (uint8_t)(x % 9);
        }
        int r = tcp_opts_parse(buf, len, &o);
        CHECK(r == 0 || r == -ATOLL_EBADMSG);
        ok += r == 0;
        if (r == 0)
            CHECK(o.nsack <= TCP_SACK_BLOCKS);
    }
    CHECK(ok > 0);
}

/* ---- header
 * ---------------------------------------------------------------------------
 */

TEST(tcp_header, "marshal and unmarshal the header")
{
    struct tcp_hdr h = {1234,       80,     0x01020304,
                        0xa0b0c0d0, 32,     TCP_SYN | TCP_ACK,
                        65535,      0xbeef, 7};
    uint8_t buf[32] = {0};
    tcp_hdr_write(buf, &h);
    const uint8_t want[] = {0x04, 0xd2, 0x00, 0x50, 1,    2,    3,
                            4,    0xa0, 0xb0, 0xc0, 0xd0, 0x80, 0x12,
                            0xff, 0xff, 0xbe, 0xef, 0,    7};
    CHECK_MEM(buf, want, sizeof want);
    struct tcp_hdr g;
    CHECK_EQ(tcp_hdr_parse(buf, sizeof buf, &g), 0);
    CHECK(memcmp(&g, &h, sizeof g) == 0);
    CHECK_EQ(tcp_hdr_parse(buf, 19, &g), -ATOLL_EBADMSG); /* short */
    CHECK_EQ(tcp_hdr_parse(buf, 24, &g), -ATOLL_EBADMSG); /* offset > len */
    buf[12] = 0x40;                                       /* offset 4 */
    CHECK_EQ(tcp_hdr_parse(buf, sizeof buf, &g), -ATOLL_EBADMSG);
}

/* ---- below TCP: pseudo-headers and the MSS
 * ------------------------------------------------------- */

/* A SYN from 49152 to 80, seq 1, window 65535, no options: its checksum
 * worked by hand from RFC 8200 8.1 (source, destination, 32-bit length,
 * three zero bytes and next header 6) and from RFC 9293 3.1 over IPv4. */
static const uint8_t syn[20] = {0xc0, 0x00, 0x00, 0x50, 0,    0,    0,    1,
                                0,    0,    0,    0,    0x50, 0x02, 0xff, 0xff};

TEST(tcp_pseudo, "IPv6: 2001:db8::1 to ::2, a 20-byte SYN sums to 941c")
{
    atoll_addr_t a, b;
    CHECK_EQ(atoll_addr_parse("2001:db8::1", &a), 0);
    CHECK_EQ(atoll_addr_parse("2001:db8::2", &b), 0);
    /* the pseudo-header alone: 2001+0db8+1 + 2001+0db8+2 + 20 + 6 */
    CHECK_EQ(net_csum_fold(tcp_pseudo(&a, &b, 20)), 0xa470);
    uint8_t seg[20];
    memcpy(seg, syn, sizeof seg);
    uint16_t c = net_csum_fold(net_csum_add(tcp_pseudo(&a, &b, 20), seg, 20));
    CHECK_EQ(c, 0x941c);
    seg[16] = (uint8_t)(c >> 8), seg[17] = (uint8_t)c;
    CHECK_EQ(net_csum_fold(net_csum_add(tcp_pseudo(&a, &b, 20), seg, 20)), 0);
    /* the other direction checks the same (the sum is symmetric), another
     * address does not */
    CHECK_EQ(net_csum_fold(net_csum_add(tcp_pseudo(&b, &a, 20), seg, 20)), 0);
    atoll_addr_t other;
    CHECK_EQ(atoll_addr_parse("2001:db8::3", &other), 0);
    CHECK(net_csum_fold(net_csum_add(tcp_pseudo(&a, &other, 20), seg, 20)) !=
          0);
    /* a length beyond 16 bits counts in the 32-bit field (jumbo-free
     * IPv6 never sends one, but the sum must not truncate) */
    CHECK(tcp_pseudo(&a, &b, 0x10014) != tcp_pseudo(&a, &b, 0x14));
}

TEST(tcp_pseudo, "IPv4: 198.18.0.1 to .2 through the same call")
{
    atoll_addr_t a = atoll_addr4(0xc6120001), b = atoll_addr4(0xc6120002);
    CHECK_EQ(tcp_pseudo(&a, &b, 20),
             net_csum_pseudo(0xc6120001, 0xc6120002, 6, 20));
    /* c612+0001 + c612+0002 + 6 + 20, folded and complemented */
    CHECK_EQ(net_csum_fold(tcp_pseudo(&a, &b, 20)), 0x73bd);
}

TEST(tcp_mss, "MSS from the MTU: 40 bytes of headers over IPv4, 60 over IPv6")
{
    CHECK_EQ(tcp_mss_of_mtu(1500, ATOLL_AF_INET), 1460);
    CHECK_EQ(tcp_mss_of_mtu(1500, ATOLL_AF_INET6), 1440);
    CHECK_EQ(tcp_mss_of_mtu(1280, ATOLL_AF_INET6), 1220); /* the minimum */
    CHECK_EQ(tcp_mss_of_mtu(9000, ATOLL_AF_INET6), 8940);
    CHECK_EQ(tcp_mss_of_mtu(65535, ATOLL_AF_INET), 65495);
    CHECK_EQ(tcp_mss_of_mtu(1u << 20, ATOLL_AF_INET6), 65475); /* clamped */
    CHECK_EQ(tcp_mss_of_mtu(100, ATOLL_AF_INET6), 64); /* never below 64 */
    CHECK_EQ(tcp_mss_of_mtu(0, ATOLL_AF_INET), 64);
}

TEST(tcp_seq, "sequence comparisons wrap around")
{
    CHECK(seq_lt(0xfffffff0u, 0x10));
    CHECK(seq_gt(0x10, 0xfffffff0u));
    CHECK(seq_le(5, 5) && seq_ge(5, 5));
    CHECK(!seq_lt(5, 5));
    CHECK_EQ(seq_max(0xfffffff0u, 0x10), 0x10);
    CHECK_EQ(seq_min(0xfffffff0u, 0x10), 0xfffffff0u);
}

TEST(tcp_isn, "SipHash-2-4 reference vector")
{
    uint8_t k[16], m[15];
    for (int i = 0; i < 16; i++)
        k[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        m[i] = (uint8_t)i;
    CHECK(net_siphash24(k, m, sizeof m) == 0xa129ca6149be45e5ULL);
    CHECK(net_siphash24(k, m, 0) == 0x726fdb47dd0e0e31ULL);
}

/* ---- SACK
 * -------------------------------------------------------------------------------
 */

TEST(tcp_sack, "scoreboard merges, advances and finds holes")
{
    struct tcp_scoreboard sb = {0};
    uint32_t una = 0xfffff000u, max = una + 100000;
    CHECK(tcp_sb_add(&sb, una + 3000, una + 4000, una, max));
    CHECK(tcp_sb_add(&sb, una + 1000, una + 2000, una, max));
    CHECK(!tcp_sb_add(&sb, una + 1000, una + 2000, una, max)); /* known */
    CHECK(!tcp_sb_add(&sb, una - 10, una, una, max));          /* old */
    CHECK(!tcp_sb_add(&sb, una + 1, max + 1, una, max));       /* unsent */
    CHECK_EQ(sb.n, 2);
    CHECK_EQ(sb.bytes, 2000);
    CHECK_EQ(tcp_sb_high(&sb, una), una + 4000);
    uint32_t l, r;
    CHECK(tcp_sb_next_hole(&sb, una, una, &l, &r));
    CHECK_EQ(l, una);
    CHECK_EQ(r, una + 1000);
    CHECK(tcp_sb_next_hole(&sb, una, una + 1000, &l, &r));
    CHECK_EQ(l, una + 2000);
    CHECK_EQ(r, una + 3000);
    CHECK(!tcp_sb_next_hole(&sb, una, una + 3500, &l, &r));
    CHECK_EQ(tcp_sb_holes_below(&sb, una, una + 4000), 2000);
    CHECK_EQ(tcp_sb_holes_below(&sb, una, una + 1500), 1000);
    /* Bridging block merges all three. */
    CHECK(tcp_sb_add(&sb, una + 1500, una + 3500, una, max));
    CHECK_EQ(sb.n, 1);
    CHECK_EQ(sb.bytes, 3000);
    tcp_sb_advance(&sb, una + 2500);
    CHECK_EQ(sb.n, 1);
    CHECK_EQ(sb.bytes, 1500);
    tcp_sb_advance(&sb, una + 5000);
    CHECK_EQ(sb.n, 0);
    /* Bounded: a flood of disjoint blocks never exceeds the array. */
    for (uint32_t i = 0; i < 1000; i++)
        tcp_sb_add(&sb, una + 6000 + 20 * i, una + 6010 + 20 * i, una, max);
    CHECK_EQ(sb.n, TCP_SACK_RANGES_MAX);
}

TEST(tcp_sack, "out-of-order ranges: reassembly and SACK blocks")
{
    struct tcp_ooo q = {0};
    CHECK(tcp_ooo_add(&q, 2000, 3000));
    CHECK(tcp_ooo_add(&q, 5000, 6000));
    struct tcp_sack_block b[4];
    CHECK_EQ(tcp_ooo_blocks(&q, b, 4), 2);
    CHECK_EQ(b[0].left, 5000); /* the most recent first */
    CHECK(tcp_ooo_add(&q, 2500, 3500));
    CHECK_EQ(tcp_ooo_blocks(&q, b, 4), 2);
    CHECK_EQ(b[0].left, 2000);
    CHECK_EQ(b[0].right, 3500);
    CHECK_EQ(tcp_ooo_pull(&q, 1000), 1000); /* hole still there */
    CHECK_EQ(tcp_ooo_pull(&q, 2000), 3500);
    CHECK_EQ(q.n, 1);
    for (uint32_t i = 0; i < TCP_OOO_RANGES_MAX - 1; i++)
        CHECK(tcp_ooo_add(&q, 10000 + 100 * i, 10050 + 100 * i));
    CHECK(!tcp_ooo_add(&q, 90000, 90050)); /* the limit */
}

/* ---- RTO and congestion control
 * ---------------------------------------------------------- */

TEST(tcp_rto, "RFC 6298 estimator, floor, backoff")
{
    struct tcp_rto r;
    tcp_rto_init(&r);
    CHECK_EQ(r.rto, TCP_RTO_INITIAL_NS);
    tcp_rto_sample(&r, ATOLL_MS(100));
    CHECK_EQ(r.srtt, ATOLL_MS(100));
    CHECK_EQ(r.rttvar, ATOLL_MS(50));
    CHECK_EQ(r.rto, ATOLL_MS(300));
    tcp_rto_sample(&r, ATOLL_MS(100));
    CHECK_EQ(r.srtt, ATOLL_MS(100));
    CHECK_EQ(r.rttvar, ATOLL_MS(75) / 2 * 1); /* 3/4 * 50 ms */
    CHECK_EQ(tcp_rto_backed_off(&r, 1), 2 * r.rto);
    CHECK_EQ(tcp_rto_backed_off(&r, 40), TCP_RTO_MAX_NS);
    struct tcp_rto f;
    tcp_rto_init(&f);
    tcp_rto_sample(&f, ATOLL_US(10));
    CHECK_EQ(f.rto, TCP_RTO_MIN_NS);
}

TEST(tcp_cc, "NewReno: slow start, avoidance, loss, timeout")
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, ATOLL_TCP_NEWRENO, 1000);
    CHECK_EQ(cc.cwnd, 10000);
    tcp_cc_on_ack(&cc, 1000, 10000, 0, 0);
    CHECK_EQ(cc.cwnd, 11000);
    tcp_cc_on_loss(&cc, 20000);
    CHECK_EQ(cc.ssthresh, 10000);
    cc.cwnd = 10000;
    for (int i = 0; i < 10; i++) /* one window acknowledged: + 1 MSS */
        tcp_cc_on_ack(&cc, 1000, 10000, 0, 0);
    CHECK_EQ(cc.cwnd, 11000);
    tcp_cc_on_timeout(&cc, 3000);
    CHECK_EQ(cc.cwnd, 1000);
    CHECK_EQ(cc.ssthresh, 2000); /* at least 2 MSS */
}

TEST(tcp_cc, "fast recovery: enter, inflate, partial ACK, leave")
{
    struct tcp_cc cc;
    /* NewReno (RFC 5681 3.2, RFC 6582): 20 segments in flight. */
    tcp_cc_init(&cc, ATOLL_TCP_NEWRENO, 1000);
    cc.cwnd = 20000;
    tcp_cc_enter_recovery(&cc, 20000, false);
    CHECK_EQ(cc.ssthresh, 10000);
    CHECK_EQ(cc.cwnd, 13000); /* ssthresh + 3 SMSS */
    tcp_cc_on_dupack_in_recovery(&cc);
    CHECK_EQ(cc.cwnd, 14000);
    tcp_cc_on_partial_ack(&cc, 3000); /* deflate 3000, add back 1 SMSS */
    CHECK_EQ(cc.cwnd, 12000);
    tcp_cc_on_partial_ack(&cc, 500); /* less than a segment: no add-back */
    CHECK_EQ(cc.cwnd, 11500);
    tcp_cc_on_partial_ack(&cc, 50000); /* never below one segment */
    CHECK_EQ(cc.cwnd, 1000);
    tcp_cc_on_recovery_end(&cc, 4000, false); /* min(ssthresh, F + SMSS) */
    CHECK_EQ(cc.cwnd, 5000);
    tcp_cc_on_recovery_end(&cc, 40000, false);
    CHECK_EQ(cc.cwnd, 10000);
    /* SACK (RFC 6675): cwnd = ssthresh on entry and exit. */
    tcp_cc_init(&cc, ATOLL_TCP_NEWRENO, 1000);
    cc.cwnd = 20000;
    tcp_cc_enter_recovery(&cc, 16000, true);
    CHECK_EQ(cc.cwnd, 8000);
    tcp_cc_on_recovery_end(&cc, 30000, true);
    CHECK_EQ(cc.cwnd, 8000);
}

TEST(tcp_cc, "CUBIC: beta 0.7, concave growth back to W_max")
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, ATOLL_TCP_CUBIC, 1000);
    cc.cwnd = 100000;
    cc.ssthresh = 50000;
    tcp_cc_on_loss(&cc, 100000);
    CHECK_EQ(cc.ssthresh, 70000);
    cc.cwnd = cc.ssthresh;
    /* Ack a window per 100 ms RTT for 10 s: cwnd climbs back near and
     * past W_max = 100000, growing slowly around it. */
    atoll_time_t t = ATOLL_SEC(1);
    uint32_t at_k = 0;
    for (int rtt = 0; rtt < 100; rtt++) {
        uint32_t w = cc.cwnd;
        for (uint32_t a = 0; a < w; a += 1000)
            tcp_cc_on_ack(&cc, 1000, w, t, ATOLL_MS(100));
        t += ATOLL_MS(100);
        if (rtt == 40)
            at_k = cc.cwnd;
    }
    CHECK(at_k > 90000 && at_k < 110000); /* K = cbrt(30/0.4) = 4.2 s */
    CHECK(cc.cwnd > 110000);
}
