/*
 * tests/sim/net_ip.c - IPv4, ICMP and UDP between stacks on a simulated
 * wire: ping at small and large sizes (fragmented) under reordering,
 * reassembly limits (overlaps, time, count, fragments per datagram,
 * memory), TTL, UDP echo under loss, port unreachable, bounded UDP queues,
 * and the fault-injecting netif.
 */
#include "net_util.h"

static const uint8_t evil_mac[6] = {0x02, 0, 0, 0, 0, 0x66};

/* ---- ping ------------------------------------------------------------------
 */

static int ping_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    static const size_t sizes[] = {0,    1,    56,    1472,     1473,
                                   4000, 9000, 30000, 65507 - 8};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int64_t r = -1;
        /* Reordering may hold a fragment back, never lose it; ARP
         * traffic at the start may race, so allow a retry. */
        for (int t = 0; t < 3 && r < 0; t++)
            r = atoll_icmp_ping(a, atoll_addr4(0xc6120003),
                                (uint16_t)(i * 4 + t), sizes[i],
                                atoll_after(ATOLL_SEC(1)));
        if (r < 0)
            printf("       size %zu: %s\n", sizes[i], atoll_strerror((int)r));
        NCHECK(r >= 0);
    }
    struct atoll_stack_stats st;
    atoll_stack_stats(b, &st);
    NCHECK_EQ(st.ip_drop + st.icmp_drop, 0);
    NCHECK_EQ(b->reasm_mem, 0);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_ip, "ping at every size, fragmented up to 65507 bytes, reordered")
{
    net_sim_begin("ping", 11,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(100),
                                               .jitter = ATOLL_US(300),
                                               .reorder = 0.2});
    CHECK_EQ(atoll_test_run(64 << 20, ping_main, NULL), 0);
    net_sim_end();
}

/* ---- reassembly limits
 * ----------------------------------------------------------- */

struct frag_env {
    struct atoll_stack *a;
    struct atoll_netif *raw;
};

/* Send one fragment of an ICMP echo datagram `id` from the evil host. */
static void frag(struct frag_env *e, uint16_t id, uint16_t off, bool more,
                 const uint8_t *data, size_t len)
{
    uint8_t f[1600];
    struct net_ipv4_hdr h = {.ttl = 64,
                             .proto = NET_PROTO_ICMP,
                             .id = id,
                             .frag =
                                 (uint16_t)(off / 8 | (more ? NET_IP_MF : 0)),
                             .src = 0xc6120009,
                             .dst = 0xc6120002};
    size_t n = net_ip_frame(f, e->a->info.mac, evil_mac, &h, data, len);
    net_raw_send(e->raw, f, n);
}

/* The evil host asks for a's address, so a learns its MAC (RFC 826's
 * merge rule) and can answer without resolving. */
static void introduce(struct frag_env *e)
{
    uint8_t f[60] = {0};
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct net_eth_hdr eh;
    memcpy(eh.dst, bcast, 6);
    memcpy(eh.src, evil_mac, 6);
    eh.type = NET_ETHTYPE_ARP;
    net_eth_write(f, &eh);
    struct net_arp a = {NET_ARP_REQUEST, {0}, 0xc6120009, {0}, 0xc6120002};
    memcpy(a.sha, evil_mac, 6);
    net_arp_write(f + 14, &a);
    net_raw_send(e->raw, f, 60);
}

/* An echo request of 8 + 16 bytes split as [0,8) [8,24). */
static void echo_bytes(uint8_t *p, uint16_t seq)
{
    memset(p, 0xab, 24);
    struct net_icmp_hdr h = {.type = NET_ICMP_ECHO,
                             .rest = 0x4242u << 16 | seq};
    net_icmp_write(p, 24, &h);
}

static bool is_reply(const uint8_t *p, size_t len, void *ctx)
{
    struct net_ipv4_hdr h;
    return len > 34 && net_ipv4_parse(p + 14, len - 14, &h) == 0 &&
           h.proto == NET_PROTO_ICMP && p[14 + h.hlen] == NET_ICMP_ECHO_REPLY &&
           net_get16(p + 14 + h.hlen + 6) == *(uint16_t *)ctx;
}

/* An ICMP time exceeded (any code) to the evil host. */
static bool is_time_exceeded(const uint8_t *p, size_t len, void *ctx)
{
    struct net_ipv4_hdr h;
    (void)ctx;
    return len > 34 && net_ipv4_parse(p + 14, len - 14, &h) == 0 &&
           h.proto == NET_PROTO_ICMP && h.dst == 0xc6120009 &&
           p[14 + h.hlen] == NET_ICMP_TIME_EXCEED;
}

static int reasm_main(void *arg)
{
    struct frag_env e;
    e.raw = net_raw("evil", "w");
    e.a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    introduce(&e);
    uint8_t m[24];
    struct atoll_stack_stats st;
    /* Good: two fragments, out of order, answered. */
    uint16_t seq = 1;
    echo_bytes(m, seq);
    frag(&e, 100, 8, false, m + 8, 16);
    frag(&e, 100, 0, true, m, 8);
    NCHECK(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                        atoll_after(ATOLL_MS(100))) > 0);
    /* Overlap: [0,16) then [8,24) - the datagram is dropped. */
    seq = 2;
    echo_bytes(m, seq);
    frag(&e, 101, 0, true, m, 16);
    frag(&e, 101, 8, false, m + 8, 16);
    NCHECK_EQ(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                           atoll_after(ATOLL_MS(100))),
              -ATOLL_ETIMEDOUT);
    atoll_stack_stats(e.a, &st);
    NCHECK_EQ(st.ip_reasm_drop, 2);
    NCHECK_EQ(e.a->reasm_mem, 0);
    /* An exact duplicate is harmless. */
    seq = 3;
    echo_bytes(m, seq);
    frag(&e, 102, 0, true, m, 8);
    frag(&e, 102, 0, true, m, 8);
    frag(&e, 102, 8, false, m + 8, 16);
    NCHECK(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                        atoll_after(ATOLL_MS(100))) > 0);
    /* Same place, other bytes: which copy to believe is not ours to
     * guess; the datagram is dropped, whichever copy came first.  The other
     * copy keeps the ICMP checksum right (one 16-bit word up by one,
     * another down by one), so either would make a valid echo request.
     * The [0,8) that would have completed it starts a new datagram, which
     * the right [8,24) then completes. */
    for (int second_differs = 0; second_differs < 2; second_differs++) {
        seq = (uint16_t)(4 + second_differs);
        uint16_t id = (uint16_t)(104 + second_differs);
        echo_bytes(m, seq);
        uint8_t other[16];
        memcpy(other, m + 8, 16);
        other[1]++, other[3]--;
        frag(&e, id, 8, false, second_differs ? m + 8 : other, 16);
        frag(&e, id, 8, false, second_differs ? other : m + 8, 16);
        frag(&e, id, 0, true, m, 8);
        NCHECK_EQ(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                               atoll_after(ATOLL_MS(100))),
                  -ATOLL_ETIMEDOUT);
        frag(&e, id, 8, false, m + 8, 16);
        NCHECK(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                            atoll_after(ATOLL_MS(100))) > 0);
    }
    /* A last fragment that ends before data already here: dropped with
     * everything that came before it, so the [0,8) after it is alone, and
     * the right end completes the datagram. */
    seq = 6;
    echo_bytes(m, seq);
    frag(&e, 106, 16, true, m + 16, 8);
    frag(&e, 106, 8, false, m + 8, 8);
    frag(&e, 106, 0, true, m, 8);
    atoll_sleep(ATOLL_MS(10));
    for (int i = 0; i < NET_REASM_MAX; i++)
        NCHECK(!e.a->reasm[i].used || e.a->reasm[i].id != 106 ||
               e.a->reasm[i].nfrags == 1);
    frag(&e, 106, 8, false, m + 8, 16);
    NCHECK(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                        atoll_after(ATOLL_MS(100))) > 0);
    /* Time: a lone first fragment is dropped after the timeout. */
    atoll_stack_stats(e.a, &st);
    uint64_t before = st.ip_reasm_drop;
    frag(&e, 103, 0, true, m, 8);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(e.a->reasm_mem > 0);
    atoll_sleep(NET_REASM_TIMEOUT_NS + NET_RX_POLL_NS);
    NCHECK_EQ(e.a->reasm_mem, 0);
    atoll_stack_stats(e.a, &st);
    NCHECK_EQ(st.ip_reasm_drop, before + 1);
    /* ...and its source hears of it: time exceeded, code 1 (fragment
     * reassembly, RFC 792), quoting its header and first 8 bytes. */
    uint8_t te[128];
    NCHECK_EQ(net_raw_wait(e.raw, is_time_exceeded, NULL, te, sizeof te,
                           atoll_after(ATOLL_MS(10))),
              14 + 20 + 8 + 20 + 8);
    NCHECK_EQ(te[34 + 1], 1);
    NCHECK_EQ(net_get16(te + 34 + 8 + 4), 103);
    NCHECK(!memcmp(te + 34 + 8 + 20, m, 8));
    /* A lone later fragment expires without a word. */
    frag(&e, 104, 8, false, m + 8, 16);
    atoll_sleep(NET_REASM_TIMEOUT_NS + NET_RX_POLL_NS);
    atoll_stack_stats(e.a, &st);
    NCHECK_EQ(st.ip_reasm_drop, before + 2);
    NCHECK_EQ(net_raw_wait(e.raw, is_time_exceeded, NULL, NULL, 0,
                           atoll_after(ATOLL_MS(10))),
              -ATOLL_ETIMEDOUT);
    before++;
    introduce(&e); /* a minute on: a's ARP entry for us has expired */
    /* Count: more datagrams than contexts evict the oldest. */
    for (int i = 0; i < NET_REASM_MAX + 5; i++)
        frag(&e, (uint16_t)(200 + i), 0, true, m, 8);
    atoll_sleep(ATOLL_MS(10));
    int used = 0;
    for (int i = 0; i < NET_REASM_MAX; i++)
        used += e.a->reasm[i].used;
    NCHECK_EQ(used, NET_REASM_MAX);
    atoll_stack_stats(e.a, &st);
    NCHECK_EQ(st.ip_reasm_drop, before + 1 + 5);
    /* Fragments per datagram: 8-byte pieces beyond the limit. */
    for (int i = 0; i <= NET_REASM_FRAGS_MAX; i++)
        frag(&e, 300, (uint16_t)(8 * i), true, m, 8);
    atoll_sleep(ATOLL_MS(10));
    for (int i = 0; i < NET_REASM_MAX; i++)
        NCHECK(!e.a->reasm[i].used || e.a->reasm[i].id != 300 ||
               e.a->reasm[i].nfrags < NET_REASM_FRAGS_MAX);
    /* Memory: the total held stays under the bound whatever comes. */
    for (int i = 0; i < 2000; i++)
        frag(&e, (uint16_t)(1000 + i % 40), (uint16_t)(8 * (i / 40 + 1)), true,
             m, 8);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(e.a->reasm_mem <= NET_REASM_MEM_MAX);
    /* Still fine afterwards. */
    seq = 9;
    echo_bytes(m, seq);
    frag(&e, 400, 8, false, m + 8, 16);
    frag(&e, 400, 0, true, m, 8);
    NCHECK(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                        atoll_after(ATOLL_MS(100))) > 0);
    atoll_stack_destroy(e.a);
    return 0;
}

TEST(net_ip, "reassembly limits: overlap, duplicates, disagreeing copies, "
             "time (with time exceeded), count, memory")
{
    net_sim_begin("reasm", 12, (struct atoll_sim_wire_opts){.delay = 1000});
    CHECK_EQ(atoll_test_run(0, reasm_main, NULL), 0);
    net_sim_end();
}

/* ---- TTL --------------------------------------------------------------------
 */

static int ttl_main(void *arg)
{
    struct frag_env e;
    e.raw = net_raw("evil", "w");
    e.a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    introduce(&e);
    uint8_t m[24], f[1600], got[200];
    uint16_t seq = 5;
    echo_bytes(m, seq);
    /* TTL 1 is still ours to answer (a host does not decrement)... */
    struct net_ipv4_hdr h = {.ttl = 1,
                             .proto = NET_PROTO_ICMP,
                             .id = 1,
                             .src = 0xc6120009,
                             .dst = 0xc6120002};
    net_raw_send(e.raw, f, net_ip_frame(f, e.a->info.mac, evil_mac, &h, m, 24));
    int n = net_raw_wait(e.raw, is_reply, &seq, got, sizeof got,
                         atoll_after(ATOLL_MS(100)));
    NCHECK(n > 0);
    /* ...and our reply leaves with our own TTL. */
    NCHECK_EQ(got[14 + 8], NET_IP_TTL);
    /* TTL 0 cannot have been forwarded legally: dropped. */
    h.ttl = 0;
    net_raw_send(e.raw, f, net_ip_frame(f, e.a->info.mac, evil_mac, &h, m, 24));
    NCHECK_EQ(net_raw_wait(e.raw, is_reply, &seq, NULL, 0,
                           atoll_after(ATOLL_MS(100))),
              -ATOLL_ETIMEDOUT);
    struct atoll_stack_stats st;
    atoll_stack_stats(e.a, &st);
    NCHECK_EQ(st.ip_drop, 1);
    atoll_stack_destroy(e.a);
    return 0;
}

TEST(net_ip, "TTL: replies carry ours, TTL 0 is dropped")
{
    net_sim_begin("ttl", 13, (struct atoll_sim_wire_opts){.delay = 1000});
    CHECK_EQ(atoll_test_run(0, ttl_main, NULL), 0);
    net_sim_end();
}

/* ---- UDP --------------------------------------------------------------------
 */

static int udp_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct atoll_udp *srv, *cli;
    NCHECK_EQ(atoll_udp_bind(b, 7, &srv), 0);
    NCHECK_EQ(atoll_udp_bind(b, 7, &cli), -ATOLL_EADDRINUSE);
    atoll_fiber_spawn(NULL, "echo", net_udp_echo, srv, 0);
    NCHECK_EQ(atoll_udp_bind(a, 0, &cli), 0);
    NCHECK(atoll_udp_port(cli) >= NET_UDP_EPHEMERAL_LO);
    /* 200 datagrams of varied sizes, each retried until its echo comes
     * back intact (the wire loses 10% of frames each way). */
    static uint8_t out[5000], in[5000];
    int tries = 0;
    for (int i = 0; i < 200; i++) {
        size_t len = (size_t)(i * 37 % 3000) + 1;
        for (size_t k = 0; k < len; k++)
            out[k] = (uint8_t)(i ^ k);
        int n = -1;
        while (n < 0 && tries < 2000) {
            tries++;
            NCHECK_EQ(
                atoll_udp_sendto(cli, atoll_addr4(0xc6120003), 7, out, len), 0);
            atoll_addr_t src;
            uint16_t port;
            n = atoll_udp_recvfrom(cli, in, sizeof in, &src, &port,
                                   atoll_after(ATOLL_MS(50)));
            /* a late echo of an earlier try: skip it */
            if (n >= 0 && ((size_t)n != len || memcmp(in, out, len)))
                n = -1;
            else if (n >= 0) {
                NCHECK_EQ(src.v4, 0xc6120003);
                NCHECK_EQ(port, 7);
            }
        }
        NCHECK((size_t)n == len);
    }
    printf("       200 datagrams echoed in %d tries\n", tries);
    NCHECK(tries > 200); /* the loss was real */
    atoll_udp_close(cli);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_ip, "UDP echo under 10% loss, fragmented datagrams included")
{
    net_sim_begin(
        "udp", 14,
        (struct atoll_sim_wire_opts){.delay = ATOLL_US(200), .loss = 0.1});
    CHECK_EQ(atoll_test_run(0, udp_main, NULL), 0);
    net_sim_end();
}

static bool is_port_unreach(const uint8_t *p, size_t len, void *ctx)
{
    struct net_ipv4_hdr h;
    struct net_icmp_hdr ih;
    return len > 34 && net_ipv4_parse(p + 14, len - 14, &h) == 0 &&
           h.proto == NET_PROTO_ICMP &&
           net_icmp_parse(p + 14 + h.hlen, h.total_len - h.hlen, &ih) == 0 &&
           ih.type == NET_ICMP_UNREACH && ih.code == NET_ICMP_PORT_UNREACH;
}

static int unreach_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct atoll_netif *watch = net_raw("watch", "w");
    struct atoll_udp *u, *sink;
    NCHECK_EQ(atoll_udp_bind(a, 4000, &u), 0);
    /* No socket on b's port 9: ICMP port unreachable comes back. */
    NCHECK_EQ(atoll_udp_sendto(u, atoll_addr4(0xc6120003), 9, "hello", 5), 0);
    uint8_t got[200];
    int n = net_raw_wait(watch, is_port_unreach, NULL, got, sizeof got,
                         atoll_after(ATOLL_MS(100)));
    NCHECK(n > 0);
    /* It quotes our datagram: IP header + the UDP header (ports). */
    NCHECK_EQ(net_get16(got + 14 + 20 + 8 + 20), 4000);
    NCHECK_EQ(net_get16(got + 14 + 20 + 8 + 22), 9);
    /* A bound socket nobody reads holds NET_UDP_RXQ_MAX datagrams. */
    NCHECK_EQ(atoll_udp_bind(b, 9, &sink), 0);
    for (int i = 0; i < NET_UDP_RXQ_MAX + 20; i++)
        atoll_udp_sendto(u, atoll_addr4(0xc6120003), 9, "x", 1);
    atoll_sleep(ATOLL_MS(10));
    NCHECK_EQ(atoll_udp_dropped(sink), 20);
    int got_n = 0;
    while (atoll_udp_recvfrom(sink, got, sizeof got, NULL, NULL,
                              atoll_after(0)) == 1)
        got_n++;
    NCHECK_EQ(got_n, NET_UDP_RXQ_MAX);
    /* Truncation: recvfrom reports the datagram's length. */
    atoll_udp_sendto(u, atoll_addr4(0xc6120003), 9, "0123456789", 10);
    NCHECK_EQ(
        atoll_udp_recvfrom(sink, got, 4, NULL, NULL, atoll_after(ATOLL_SEC(1))),
        10);
    NCHECK(!memcmp(got, "0123", 4));
    NCHECK_EQ(atoll_udp_sendto(u, atoll_addr4(0xc6120003), 9, got, 65508),
              -ATOLL_EMSGSIZE);
    atoll_udp_close(u);
    atoll_udp_close(sink);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_ip, "UDP: port unreachable, bounded receive queue, truncation")
{
    net_sim_begin("unreach", 15, (struct atoll_sim_wire_opts){.delay = 1000});
    CHECK_EQ(atoll_test_run(0, unreach_main, NULL), 0);
    net_sim_end();
}

/* ---- the faulty netif
 * --------------------------------------------------------- */

struct faulty_run {
    struct atoll_netif_faults f;
    int pings_ok;
    uint64_t rx_dropped;
};

static int faulty_main(void *arg)
{
    struct faulty_run *fr = arg;
    char err[200];
    plat_net_attach("a", "w", err, sizeof err);
    struct atoll_netif *inner, *nif;
    NCHECK_EQ(atoll_netif_open_default("a", &inner), 0);
    NCHECK_EQ(atoll_netif_faulty_wrap(inner, &fr->f, &nif), 0);
    struct atoll_stack_config c = {.addr = 0xc6120002, .prefix = 24};
    struct atoll_stack *a;
    NCHECK_EQ(atoll_stack_create("a", nif, &c, &a), 0);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    for (int i = 0; i < 100; i++)
        fr->pings_ok += atoll_icmp_ping(a, atoll_addr4(0xc6120003), (uint16_t)i,
                                        3000, atoll_after(ATOLL_MS(20))) >= 0;
    struct atoll_netif_stats ns;
    atoll_netif_stats(nif, &ns);
    fr->rx_dropped = ns.rx_dropped + ns.tx_dropped;
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_ip, "the faulty netif injects faults, reproducibly from its seed")
{
    struct faulty_run none = {{0, 0, 0, 0, 1}, 0, 0};
    net_sim_begin("faulty", 16, (struct atoll_sim_wire_opts){.delay = 1000});
    CHECK_EQ(atoll_test_run(0, faulty_main, &none), 0);
    NCHECK_EQ(none.pings_ok, 100);
    NCHECK_EQ(none.rx_dropped, 0);
    net_sim_end();
}

TEST(net_ip, "the faulty netif: loss, dup, reorder, corruption still ping")
{
    struct faulty_run r1 = {{0.05, 0.05, 0.1, 0.02, 42}, 0, 0};
    net_sim_begin("faulty2", 17, (struct atoll_sim_wire_opts){.delay = 1000});
    CHECK_EQ(atoll_test_run(0, faulty_main, &r1), 0);
    printf("       %d/100 pings of 3000 bytes, %llu frames lost\n", r1.pings_ok,
           (unsigned long long)r1.rx_dropped);
    NCHECK(r1.pings_ok > 40 && r1.pings_ok < 100);
    NCHECK(r1.rx_dropped > 0);
    net_sim_end();
}

TEST(net_ip, "the faulty netif: loss=1 drops everything")
{
    struct faulty_run all = {{1, 0, 0, 0, 7}, 0, 0};
    net_sim_begin("faulty3", 18, (struct atoll_sim_wire_opts){.delay = 1000});
    CHECK_EQ(atoll_test_run(0, faulty_main, &all), 0);
    NCHECK_EQ(all.pings_ok, 0);
    net_sim_end();
}

TEST(net_ip, "fault specs parse, and bad ones are refused with a reason")
{
    struct atoll_netif_faults f;
    char err[200] = "";
    CHECK_EQ(atoll_netif_faults_parse("loss=0.01,dup=0.02,reorder=0.05,"
                                      "corrupt=0.001,seed=9",
                                      &f, err, sizeof err),
             0);
    CHECK(f.loss == 0.01 && f.duplicate == 0.02 && f.reorder == 0.05 &&
          f.corrupt == 0.001 && f.seed == 9);
    CHECK_EQ(atoll_netif_faults_parse("", &f, err, sizeof err), 0);
    CHECK(f.loss == 0);
    CHECK_EQ(atoll_netif_faults_parse("loss=2", &f, err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "loss") != NULL);
    CHECK_EQ(atoll_netif_faults_parse("jam=0.1", &f, err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "jam") != NULL);
    CHECK_EQ(atoll_netif_faults_parse("loss", &f, err, sizeof err),
             -ATOLL_EINVAL);
    CHECK_EQ(atoll_netif_faults_set("x", "dup=0.5", err, sizeof err), 0);
}
