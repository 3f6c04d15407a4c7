/*
 * tests/sim/net_arp.c - Ethernet and ARP between stacks on a simulated
 * wire: resolution, the gratuitous ARP at start, cache expiry, the bounded
 * resolution queue and giving up, routing through a gateway, and bad
 * frames counted and dropped.
 */
#include "net_util.h"

static const struct atoll_sim_wire_opts clean = {.delay = ATOLL_US(50)};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool is_garp(const uint8_t *p, size_t len, void *ctx)
{
    atoll_ipv4_t addr = *(atoll_ipv4_t *)ctx;
    struct net_eth_hdr e;
    struct net_arp a;
    return net_eth_parse(p, len, &e) == 0 && e.type == NET_ETHTYPE_ARP &&
           !memcmp(e.dst, bcast, 6) &&
           net_arp_parse(p + 14, len - 14, &a) == 0 &&
           a.op == NET_ARP_REQUEST && a.spa == addr && a.tpa == addr;
}

static int garp_main(void *arg)
{
    struct atoll_netif *raw = net_raw("watch", "w");
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    atoll_ipv4_t addr = 0xc6120002;
    int n =
        net_raw_wait(raw, is_garp, &addr, NULL, 0, atoll_after(ATOLL_MS(100)));
    NCHECK(n >= 42);
    atoll_stack_destroy(a);
    return 0;
}

TEST(net_arp, "a stack announces itself with a gratuitous ARP at start")
{
    net_sim_begin("garp", 1, clean);
    CHECK_EQ(atoll_test_run(0, garp_main, NULL), 0);
    net_sim_end();
}

static int resolve_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    uint8_t mac[6];
    NCHECK_EQ(net_arp_lookup(a, 0xc6120003, mac), -ATOLL_ENOENT);
    int64_t rtt =
        atoll_icmp_ping(a, 0xc6120003, 1, 56, atoll_after(ATOLL_SEC(2)));
    NCHECK(rtt >= 0);
    NCHECK_EQ(net_arp_lookup(a, 0xc6120003, mac), 0);
    NCHECK(!memcmp(mac, b->info.mac, 6));
    /* b learned a from the request aimed at it. */
    NCHECK_EQ(net_arp_lookup(b, 0xc6120002, mac), 0);
    NCHECK(!memcmp(mac, a->info.mac, 6));
    /* Expiry: after the TTL the entry is no longer trusted... */
    atoll_sleep(NET_ARP_TTL_NS + ATOLL_SEC(1));
    NCHECK_EQ(net_arp_lookup(a, 0xc6120003, mac), -ATOLL_ETIMEDOUT);
    /* ...and the next packet resolves it again. */
    NCHECK(atoll_icmp_ping(a, 0xc6120003, 2, 56, atoll_after(ATOLL_SEC(2))) >=
           0);
    NCHECK_EQ(net_arp_lookup(a, 0xc6120003, mac), 0);
    struct atoll_stack_stats st;
    atoll_stack_stats(a, &st);
    NCHECK_EQ(st.arp_drop + st.ip_drop + st.icmp_drop, 0);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

static bool is_probe_reply(const uint8_t *p, size_t len, void *ctx)
{
    atoll_ipv4_t addr = *(atoll_ipv4_t *)ctx;
    struct net_eth_hdr e;
    struct net_arp a;
    return net_eth_parse(p, len, &e) == 0 && e.type == NET_ETHTYPE_ARP &&
           net_arp_parse(p + 14, len - 14, &a) == 0 && a.op == NET_ARP_REPLY &&
           a.spa == addr && a.tpa == 0;
}

/* A probe as a DHCP client sends it before taking an address (RFC 5227):
 * sender address 0, target the address in question. */
static void send_probe(struct atoll_netif *raw, atoll_ipv4_t target)
{
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x99};
    uint8_t f[60] = {0};
    struct net_eth_hdr e;
    memcpy(e.dst, bcast, 6);
    memcpy(e.src, mac, 6);
    e.type = NET_ETHTYPE_ARP;
    net_eth_write(f, &e);
    struct net_arp a = {.op = NET_ARP_REQUEST, .spa = 0, .tpa = target};
    memcpy(a.sha, mac, 6);
    net_arp_write(f + 14, &a);
    net_raw_send(raw, f, sizeof f);
}

static int probe_main(void *arg)
{
    struct atoll_netif *raw = net_raw("prober", "w");
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    atoll_ipv4_t ours = 0xc6120002, other = 0xc6120003;
    atoll_sleep(ATOLL_MS(1)); /* let the gratuitous ARP pass */
    send_probe(raw, ours);
    NCHECK(net_raw_wait(raw, is_probe_reply, &ours, NULL, 0,
                        atoll_after(ATOLL_MS(50))) >= 42);
    /* A probe for an address that is not ours gets no answer. */
    send_probe(raw, other);
    NCHECK(net_raw_wait(raw, is_probe_reply, &other, NULL, 0,
                        atoll_after(ATOLL_MS(50))) == -ATOLL_ETIMEDOUT);
    atoll_stack_destroy(a);
    return 0;
}

TEST(net_arp, "an ARP probe for our address is answered (RFC 5227)")
{
    net_sim_begin("probe", 1, clean);
    CHECK_EQ(atoll_test_run(0, probe_main, NULL), 0);
    net_sim_end();
}

TEST(net_arp, "ARP resolves a neighbour, learns the asker, expires entries")
{
    net_sim_begin("resolve", 2, clean);
    CHECK_EQ(atoll_test_run(0, resolve_main, NULL), 0);
    net_sim_end();
}

static int queue_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_udp *u;
    NCHECK_EQ(atoll_udp_bind(a, 0, &u), 0);
    /* Nobody has 198.18.0.99: the packets wait, up to the bound. */
    int ok = 0, again = 0;
    for (int i = 0; i < 100; i++) {
        int r = atoll_udp_sendto(u, 0xc6120063, 9, "x", 1);
        ok += r == 0;
        again += r == -ATOLL_EAGAIN;
    }
    NCHECK_EQ(ok, NET_ARP_QUEUE_PER_ENTRY);
    NCHECK_EQ(again, 100 - NET_ARP_QUEUE_PER_ENTRY);
    NCHECK_EQ(a->arp_queued, NET_ARP_QUEUE_PER_ENTRY);
    /* After the retries the entry is given up and its queue dropped. */
    atoll_sleep(NET_ARP_RETRY_NS * (NET_ARP_TRIES + 1));
    NCHECK_EQ(a->arp_queued, 0);
    struct atoll_stack_stats st;
    atoll_stack_stats(a, &st);
    NCHECK_EQ(st.arp_queue_drop, 100);
    /* The table itself is bounded too: many unresolvable addresses. */
    for (int i = 0; i < NET_ARP_CACHE_MAX + 10; i++)
        atoll_udp_sendto(u, 0xc6120100 + (atoll_ipv4_t)i, 9, "x", 1);
    NCHECK(a->arp_queued <= NET_ARP_CACHE_MAX);
    atoll_udp_close(u);
    atoll_stack_destroy(a);
    return 0;
}

TEST(net_arp, "the resolution queue is bounded and dropped on give-up")
{
    net_sim_begin("queue", 3, clean);
    CHECK_EQ(atoll_test_run(0, queue_main, NULL), 0);
    net_sim_end();
}

/* ---- a gateway: the test plays the router ---------------------------------
 */

struct router {
    struct atoll_netif *nif;
    uint8_t mac[6];
    int echoes;
    uint8_t ttl_seen;
};

static int router_fiber(void *arg)
{
    struct router *r = arg;
    for (;;) {
        struct atoll_buf *b;
        if (atoll_netif_recv(r->nif, &b, 1, ATOLL_NEVER) < 0)
            return 0;
        struct net_eth_hdr e;
        struct net_arp a;
        struct net_ipv4_hdr h;
        if (net_eth_parse(b->data, b->len, &e) < 0) {
            atoll_buf_free(b);
            continue;
        }
        if (e.type == NET_ETHTYPE_ARP &&
            net_arp_parse(b->data + 14, b->len - 14, &a) == 0 &&
            a.op == NET_ARP_REQUEST && a.tpa == 0xc6120001) {
            uint8_t f[60] = {0};
            struct net_eth_hdr re;
            memcpy(re.dst, a.sha, 6);
            memcpy(re.src, r->mac, 6);
            re.type = NET_ETHTYPE_ARP;
            net_eth_write(f, &re);
            struct net_arp ra = {NET_ARP_REPLY, {0}, 0xc6120001, {0}, a.spa};
            memcpy(ra.sha, r->mac, 6);
            memcpy(ra.tha, a.sha, 6);
            net_arp_write(f + 14, &ra);
            net_raw_send(r->nif, f, 60);
        } else if (e.type == NET_ETHTYPE_IPV4 && !memcmp(e.dst, r->mac, 6) &&
                   net_ipv4_parse(b->data + 14, b->len - 14, &h) == 0 &&
                   h.dst == 0xc6120505 && h.proto == NET_PROTO_ICMP) {
            /* "Forward" to 198.18.5.5, which answers: an echo reply
             * coming back through us with the TTL one lower. */
            r->echoes++;
            r->ttl_seen = h.ttl;
            uint8_t *icmp = b->data + 14 + h.hlen;
            size_t ilen = h.total_len - h.hlen;
            struct net_icmp_hdr ih;
            net_icmp_parse(icmp, ilen, &ih);
            ih.type = NET_ICMP_ECHO_REPLY;
            net_icmp_write(icmp, ilen, &ih);
            uint8_t f[1600];
            struct net_ipv4_hdr rh = {.ttl = 63,
                                      .proto = NET_PROTO_ICMP,
                                      .src = 0xc6120505,
                                      .dst = h.src,
                                      .id = 7};
            size_t n = net_ip_frame(f, e.src, r->mac, &rh, icmp, ilen);
            net_raw_send(r->nif, f, n);
        }
        atoll_buf_free(b);
    }
}

static int gateway_main(void *arg)
{
    struct router r = {.mac = {0x02, 0, 0, 0, 0, 0x01}};
    r.nif = net_raw("router", "w");
    atoll_fiber_spawn(NULL, "router", router_fiber, &r, 0);
    struct atoll_stack *a =
        net_mkstack("a", "w", "198.18.0.2/24", "198.18.0.1");
    int64_t rtt =
        atoll_icmp_ping(a, 0xc6120505, 1, 100, atoll_after(ATOLL_SEC(2)));
    NCHECK(rtt >= 0);
    NCHECK_EQ(r.echoes, 1);
    NCHECK_EQ(r.ttl_seen, NET_IP_TTL);
    uint8_t mac[6];
    NCHECK_EQ(net_arp_lookup(a, 0xc6120001, mac), 0);
    NCHECK(!memcmp(mac, r.mac, 6));
    /* Off-subnet without a gateway: no route. */
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    NCHECK_EQ(atoll_icmp_ping(b, 0xc6120505, 1, 10, atoll_after(ATOLL_SEC(1))),
              -ATOLL_EHOSTUNREACH);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_arp, "off-subnet traffic goes through the gateway, resolved by ARP")
{
    net_sim_begin("gateway", 4, clean);
    CHECK_EQ(atoll_test_run(0, gateway_main, NULL), 0);
    net_sim_end();
}

/* ---- bad frames
 * ---------------------------------------------------------------- */

static int bad_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct atoll_netif *raw = net_raw("evil", "w");
    const uint8_t me[6] = {0x02, 0, 0, 0, 0, 0x66};
    uint8_t f[200];
    struct atoll_stack_stats st0, st;
    atoll_sleep(ATOLL_MS(10));
    atoll_stack_stats(a, &st0);
    /* Ethernet: too short; unknown EtherType. */
    memset(f, 0xff, 13);
    net_raw_send(raw, f, 13); /* refused by the wire? then not counted */
    struct net_eth_hdr e;
    memcpy(e.dst, a->info.mac, 6);
    memcpy(e.src, me, 6);
    e.type = 0x88b5;
    net_eth_write(f, &e);
    net_raw_send(raw, f, 60);
    /* ARP: wrong hardware type, truncated. */
    e.type = NET_ETHTYPE_ARP;
    net_eth_write(f, &e);
    memset(f + 14, 0, 46);
    f[15] = 9;
    net_raw_send(raw, f, 60);
    net_raw_send(raw, f, 14 + 20);
    /* IPv4: bad version, bad checksum, total length beyond the frame,
     * header length below 20, TTL 0. */
    struct net_ipv4_hdr h = {.ttl = 64,
                             .proto = NET_PROTO_UDP,
                             .src = 0xc6120009,
                             .dst = 0xc6120002};
    size_t n = net_ip_frame(f, a->info.mac, me, &h, "12345678", 8);
    f[14] = 0x65;
    net_raw_send(raw, f, n);
    n = net_ip_frame(f, a->info.mac, me, &h, "12345678", 8);
    f[14 + 10] ^= 1;
    net_raw_send(raw, f, n);
    n = net_ip_frame(f, a->info.mac, me, &h, "12345678", 8);
    net_raw_send(raw, f, n - 4);
    n = net_ip_frame(f, a->info.mac, me, &h, "12345678", 8);
    f[14] = 0x44;
    net_raw_send(raw, f, n);
    h.ttl = 0;
    n = net_ip_frame(f, a->info.mac, me, &h, "12345678", 8);
    net_raw_send(raw, f, n);
    h.ttl = 64;
    /* ICMP with a bad checksum; UDP with a bad checksum and a bad length. */
    h.proto = NET_PROTO_ICMP;
    uint8_t icmp[16] = {8, 0, 0x12, 0x34};
    n = net_ip_frame(f, a->info.mac, me, &h, icmp, sizeof icmp);
    net_raw_send(raw, f, n);
    h.proto = NET_PROTO_UDP;
    uint8_t udp[12] = {0, 9, 0, 7, 0, 12, 0xde, 0xad, 1, 2, 3, 4};
    n = net_ip_frame(f, a->info.mac, me, &h, udp, sizeof udp);
    net_raw_send(raw, f, n);
    udp[5] = 40; /* longer than the packet */
    n = net_ip_frame(f, a->info.mac, me, &h, udp, sizeof udp);
    net_raw_send(raw, f, n);
    atoll_sleep(ATOLL_MS(10));
    atoll_stack_stats(a, &st);
    NCHECK_EQ(st.eth_drop - st0.eth_drop, 1);
    NCHECK_EQ(st.arp_drop - st0.arp_drop, 2);
    NCHECK_EQ(st.ip_drop - st0.ip_drop, 5);
    NCHECK_EQ(st.icmp_drop - st0.icmp_drop, 1);
    NCHECK_EQ(st.udp_drop - st0.udp_drop, 2);
    /* And the stack still works. */
    NCHECK(atoll_icmp_ping(b, 0xc6120002, 1, 56, atoll_after(ATOLL_SEC(1))) >=
           0);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_arp, "malformed frames at every layer are counted and dropped")
{
    net_sim_begin("bad", 5, clean);
    CHECK_EQ(atoll_test_run(0, bad_main, NULL), 0);
    net_sim_end();
}
