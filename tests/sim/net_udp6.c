/*
 * tests/sim/net_udp6.c - UDP and ping over IPv6 between two stacks on a
 * simulated wire that loses, duplicates and reorders frames: one socket
 * echoes to whatever address recvfrom gave, so the same socket serves an
 * IPv6 and an IPv4 client; datagrams larger than the MTU travel in IPv6
 * fragments; an off-link destination without a router is unreachable.
 * atoll_icmp_ping reaches the other stack's global and link-local
 * addresses at every size up to the largest, and IPv4 through the same
 * call.
 */
#include "../../lib/net/ipv6_int.h"
#include "atoll/addr.h"
#include "atoll/icmp.h"
#include "net_util.h"

/* Echo `count` datagrams through cli to dst:7, each retried until its
 * echo comes back intact from dst:7; returns the tries, or -1. */
static int echo_rounds(struct atoll_udp *cli, atoll_addr_t dst, int count,
                       size_t max)
{
    static uint8_t out[9000], in[9000];
    int tries = 0;
    for (int i = 0; i < count; i++) {
        size_t len = (size_t)(i * 211 % max) + 1;
        for (size_t k = 0; k < len; k++)
            out[k] = (uint8_t)(i ^ k ^ dst.family);
        int n = -1;
        while (n < 0 && tries < 20 * count) {
            tries++;
            if (atoll_udp_sendto(cli, dst, 7, out, len) < 0)
                return -1;
            atoll_addr_t src;
            uint16_t port;
            n = atoll_udp_recvfrom(cli, in, sizeof in, &src, &port,
                                   atoll_after(ATOLL_MS(50)));
            /* a late echo of an earlier try: skip it */
            if (n >= 0 && ((size_t)n != len || memcmp(in, out, len)))
                n = -1;
            else if (n >= 0 && (!atoll_addr_equal(&src, &dst) || port != 7))
                return -1;
        }
        if ((size_t)n != len)
            return -1;
    }
    return tries;
}

static int udp6_main(void *arg)
{
    struct atoll_stack *a =
        net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
    struct atoll_stack *b =
        net_mkstack6("b", "198.18.0.3/24", "2001:db8::3/64");
    atoll_sleep(ATOLL_MS(1200)); /* duplicate address detection */
    struct atoll_udp *srv, *cli;
    NCHECK_EQ(atoll_udp_bind(b, 7, &srv), 0);
    atoll_fiber_spawn(NULL, "echo", net_udp_echo, srv, 0);
    NCHECK_EQ(atoll_udp_bind(a, 0, &cli), 0);
    atoll_addr_t b6, b4 = atoll_addr4(0xc6120003), far;
    NCHECK_EQ(atoll_addr_parse("2001:db8::3", &b6), 0);
    NCHECK_EQ(b6.family, ATOLL_AF_INET6);
    /* Up to 8000 bytes: fragmented over the 1500-byte link. */
    int t6 = echo_rounds(cli, b6, 100, 8000);
    NCHECK(t6 >= 100);
    int t4 = echo_rounds(cli, b4, 20, 3000);
    NCHECK(t4 >= 20);
    printf("       100 datagrams over IPv6 in %d tries, 20 over IPv4 in %d\n",
           t6, t4);
    /* No router, off-link: unreachable; no address: invalid. */
    NCHECK_EQ(atoll_addr_parse("2001:db8:99::1", &far), 0);
    NCHECK_EQ(atoll_udp_sendto(cli, far, 7, "x", 1), -ATOLL_EHOSTUNREACH);
    atoll_addr_t none = {0};
    NCHECK_EQ(atoll_udp_sendto(cli, none, 7, "x", 1), -ATOLL_EINVAL);
    atoll_udp_close(cli);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_udp6, "UDP echo over IPv6 and IPv4 on one socket, loss/dup/reorder")
{
    net_sim_begin("udp6", 21,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(200),
                                               .loss = 0.05,
                                               .duplicate = 0.05,
                                               .reorder = 0.05});
    CHECK_EQ(atoll_test_run(0, udp6_main, NULL), 0);
    net_sim_end();
}

/* One ping that comes back, retried (with a new seq) past lost frames;
 * the tries, or the last error. */
static int64_t ping_until(struct atoll_stack *s, atoll_addr_t dst, size_t size,
                          uint16_t *seq)
{
    int64_t r = -ATOLL_ETIMEDOUT;
    for (int tries = 1; tries <= 20; tries++) {
        r = atoll_icmp_ping(s, dst, (*seq)++, size, atoll_after(ATOLL_MS(500)));
        if (r >= 0)
            return tries;
        if (r != -ATOLL_ETIMEDOUT)
            return r;
    }
    return r;
}

static int ping6_main(void *arg)
{
    (void)arg;
    struct atoll_stack *a =
        net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
    struct atoll_stack *b =
        net_mkstack6("b", "198.18.0.3/24", "2001:db8::3/64");
    atoll_sleep(ATOLL_MS(1200)); /* duplicate address detection */
    atoll_addr_t g, ll, far, off, v4 = atoll_addr4(0xc6120003);
    NCHECK_EQ(atoll_addr_parse("2001:db8::3", &g), 0);
    NCHECK_EQ(atoll_addr_parse("2001:db8::99", &off), 0);
    NCHECK_EQ(atoll_addr_parse("2001:db8:99::1", &far), 0);
    ll.family = ATOLL_AF_INET6;
    net_ipv6_link_local(b->info.mac, &ll.v6);
    /* 0 bytes up to the largest ICMPv6 echo (65527 bytes of data in a
     * 65535-byte payload: 45 fragments), to the global and the
     * link-local address, and over IPv4 by the same call. */
    static const size_t sizes[] = {0, 56, 1452, 1453, 4000, 30000, 65527};
    uint16_t seq = 1;
    int tries = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int64_t r = ping_until(a, g, sizes[i], &seq);
        NCHECK(r > 0);
        tries += (int)r;
        r = ping_until(a, ll, sizes[i] > 4000 ? 4000 : sizes[i], &seq);
        NCHECK(r > 0);
        tries += (int)r;
    }
    NCHECK(ping_until(a, v4, 4000, &seq) > 0);
    printf("       14 pings over IPv6 (up to 65527 bytes) in %d tries\n",
           tries);
    /* What cannot be sent fails at once, with its reason. */
    NCHECK_EQ(atoll_icmp_ping(a, g, seq, 65528, atoll_after(ATOLL_SEC(1))),
              -ATOLL_EMSGSIZE);
    NCHECK_EQ(atoll_icmp_ping(a, v4, seq, 65500, atoll_after(ATOLL_SEC(1))),
              -ATOLL_EMSGSIZE);
    NCHECK_EQ(atoll_icmp_ping(a, far, seq, 8, atoll_after(ATOLL_SEC(1))),
              -ATOLL_EHOSTUNREACH);
    atoll_addr_t none = {0};
    NCHECK_EQ(atoll_icmp_ping(a, none, seq, 8, atoll_after(ATOLL_SEC(1))),
              -ATOLL_EINVAL);
    /* An on-link address nobody has: neighbour discovery gives up, the
     * deadline ends the ping. */
    NCHECK_EQ(atoll_icmp_ping(a, off, seq, 8, atoll_after(ATOLL_SEC(5))),
              -ATOLL_ETIMEDOUT);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_udp6, "ping over IPv6: every size to 65527, global and link-local, "
               "under loss/dup/reorder; failures named")
{
    net_sim_begin("ping6", 22,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(200),
                                               .loss = 0.02,
                                               .duplicate = 0.05,
                                               .reorder = 0.05});
    CHECK_EQ(atoll_test_run(0, ping6_main, NULL), 0);
    net_sim_end();
}

TEST(net_udp6, "addresses of either family: text both ways, equality")
{
    atoll_addr_t a, b;
    char t[ATOLL_ADDR_TEXT];
    CHECK_EQ(atoll_addr_parse("198.18.0.7", &a), 0);
    CHECK_EQ(a.family, ATOLL_AF_INET);
    CHECK_EQ(a.v4, 0xc6120007);
    CHECK(!strcmp(atoll_addr_format(&a, t), "198.18.0.7"));
    CHECK_EQ(atoll_addr_parse("2001:DB8:0:0::7", &b), 0);
    CHECK_EQ(b.family, ATOLL_AF_INET6);
    CHECK(!strcmp(atoll_addr_format(&b, t), "2001:db8::7"));
    CHECK(!atoll_addr_equal(&a, &b));
    atoll_addr_t c = atoll_addr6(&b.v6);
    CHECK(atoll_addr_equal(&b, &c));
    CHECK_EQ(atoll_addr_parse("198.18.0", &a), -ATOLL_EINVAL);
    CHECK_EQ(atoll_addr_parse("2001:db8:::1", &a), -ATOLL_EINVAL);
    CHECK_EQ(atoll_addr_parse("", &a), -ATOLL_EINVAL);
}
