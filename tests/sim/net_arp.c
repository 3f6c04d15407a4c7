/*
 * tests/sim/net_arp.c - Ethernet and ARP between stacks on a simulated
 * wire: resolution, the gratuitous ARP at start, cache expiry, the bounded
 * resolution queue and giving up, routing through a gateway, and bad
 * frames counted and dropped.
 */
#include "atoll/tcp.h"
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
    /* RFC 5227 2.3: the second ANNOUNCE_INTERVAL (2 s) later, then no
     * more. */
    atoll_time_t first = atoll_now();
    n = net_raw_wait(raw, is_garp, &addr, NULL, 0, atoll_after(ATOLL_SEC(3)));
    NCHECK(n >= 42);
    NCHECK(atoll_now() - first >= NET_ARP_ANNOUNCE_INTERVAL_NS - ATOLL_MS(100));
    NCHECK(net_raw_wait(raw, is_garp, &addr, NULL, 0,
                        atoll_after(ATOLL_SEC(10))) < 0);
    atoll_stack_destroy(a);
    return 0;
}

TEST(net_arp,
     "a stack announces itself with two gratuitous ARPs 2 s apart at start")
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
    int64_t rtt = atoll_icmp_ping(a, atoll_addr4(0xc6120003), 1, 56,
                                  atoll_after(ATOLL_SEC(2)));
    NCHECK(rtt >= 0);
    NCHECK_EQ(net_arp_lookup(a, 0xc6120003, mac), 0);
    NCHECK(!memcmp(mac, b->info.mac, 6));
    /* b learned a from the request aimed at it. */
    NCHECK_EQ(net_arp_lookup(b, 0xc6120002, mac), 0);
    NCHECK(!memcmp(mac, a->info.mac, 6));
    /* Expiry: after the TTL the entry is no longer trusted (counted from
     * b's second announcement, which refreshed it)... */
    atoll_sleep(NET_ARP_TTL_NS + NET_ARP_ANNOUNCE_INTERVAL_NS + ATOLL_SEC(1));
    NCHECK_EQ(net_arp_lookup(a, 0xc6120003, mac), -ATOLL_ETIMEDOUT);
    /* ...and the next packet resolves it again. */
    NCHECK(atoll_icmp_ping(a, atoll_addr4(0xc6120003), 2, 56,
                           atoll_after(ATOLL_SEC(2))) >= 0);
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
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x99}, zero[6] = {0};
    uint8_t f[60];
    net_raw_send(
        raw, f, net_arp_frame(f, bcast, NET_ARP_REQUEST, mac, 0, zero, target));
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
        int r = atoll_udp_sendto(u, atoll_addr4(0xc6120063), 9, "x", 1);
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
        atoll_udp_sendto(u, atoll_addr4(0xc6120100 + (atoll_ipv4_t)i), 9, "x",
                         1);
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

static int gateway_main(void *arg)
{
    struct net_router r = {
        .mac = {0x02, 0, 0, 0, 0, 0x01}, .gw = 0xc6120001, .far = 0xc6120505};
    r.nif = net_raw("router", "w");
    atoll_fiber_spawn(NULL, "router", net_router_fiber, &r, 0);
    struct atoll_stack *a =
        net_mkstack("a", "w", "198.18.0.2/24", "198.18.0.1");
    int64_t rtt = atoll_icmp_ping(a, atoll_addr4(0xc6120505), 1, 100,
                                  atoll_after(ATOLL_SEC(2)));
    NCHECK(rtt >= 0);
    NCHECK_EQ(r.echoes, 1);
    NCHECK_EQ(r.ttl_seen, NET_IP_TTL);
    uint8_t mac[6];
    NCHECK_EQ(net_arp_lookup(a, 0xc6120001, mac), 0);
    NCHECK(!memcmp(mac, r.mac, 6));
    /* Off-subnet without a gateway: no route. */
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    NCHECK_EQ(atoll_icmp_ping(b, atoll_addr4(0xc6120505), 1, 10,
                              atoll_after(ATOLL_SEC(1))),
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
    NCHECK(atoll_icmp_ping(b, atoll_addr4(0xc6120002), 1, 56,
                           atoll_after(ATOLL_SEC(1))) >= 0);
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

/* ---- who may take whose slot (docs/net.md, ARP) ---------------------------
 */

static int entries(struct atoll_stack *s, enum arp_state st, bool newcomer)
{
    int n = 0;
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++)
        n += s->arp[i].state == st && (!newcomer || s->arp[i].newcomer);
    return n;
}

static enum arp_state state_of(struct atoll_stack *s, atoll_ipv4_t ip)
{
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++)
        if (s->arp[i].state != ARP_FREE && s->arp[i].ip == ip)
            return s->arp[i].state;
    return ARP_FREE;
}

/* An ARP request for `tpa` from a made-up neighbour `spa`. */
static void send_request(struct atoll_netif *raw, atoll_ipv4_t spa,
                         atoll_ipv4_t tpa)
{
    uint8_t mac[6] = {0x02, 0x77, 0, 0, (uint8_t)(spa >> 8), (uint8_t)spa};
    static const uint8_t zero[6] = {0};
    uint8_t f[60];
    net_raw_send(raw, f,
                 net_arp_frame(f, bcast, NET_ARP_REQUEST, mac, spa, zero, tpa));
}

static int accept_one(void *arg)
{
    struct atoll_tcp_listener *l = arg;
    struct atoll_tcp_conn *c;
    if (atoll_tcp_accept(l, ATOLL_NEVER, &c) < 0)
        return -1;
    char buf[8];
    int n;
    while ((n = atoll_tcp_read(c, buf, sizeof buf, ATOLL_NEVER)) > 0)
        atoll_tcp_write(c, buf, (size_t)n, ATOLL_NEVER);
    atoll_tcp_close(c);
    return 0;
}

static int policy_main(void *arg)
{
    const atoll_ipv4_t A = 0xc6120002, B = 0xc6120003, C = 0xc6120004,
                       GW = 0xc6120001;
    struct net_router r = {
        .mac = {0x02, 0, 0, 0, 0, 0x01}, .gw = 0xc6120001, .far = 0xc6120505};
    r.nif = net_raw("router", "w");
    atoll_fiber_spawn(NULL, "router", net_router_fiber, &r, 0);
    /* A /22: the made-up neighbours below are on-link, 198.18.5.5 (what
     * router answers for) is not. */
    struct atoll_stack *a =
        net_mkstack("a", "w", "198.18.0.2/22", "198.18.0.1");
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/22", NULL);
    struct atoll_stack *c = net_mkstack("c", "w", "198.18.0.4/22", NULL);
    struct atoll_netif *raw = net_raw("evil", "w");
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(a, 7, 0, &l), 0);
    atoll_fiber *srv;
    atoll_fiber_spawn(&srv, "echo", accept_one, l, 0);

    /* The gateway, then a connection from C that goes quiet for longer
     * than NET_ARP_IDLE_NS, then B, which A pings just before the storm. */
    NCHECK(atoll_icmp_ping(a, atoll_addr4(0xc6120505), 1, 56,
                           atoll_after(ATOLL_SEC(1))) >= 0);
    struct atoll_tcp_conn *cc;
    NCHECK_EQ(
        atoll_tcp_connect(c, atoll_addr4(A), 7, atoll_after(ATOLL_SEC(2)), &cc),
        0);
    atoll_sleep(NET_ARP_IDLE_NS + ATOLL_SEC(1));
    NCHECK(atoll_icmp_ping(a, atoll_addr4(B), 1, 56,
                           atoll_after(ATOLL_SEC(1))) >= 0);

    /* An ARP storm aimed at us from 300 made-up neighbours (RFC 826 has us
     * learn them), then 300 lookups of addresses nobody answers for. */
    for (atoll_ipv4_t i = 0; i < 300; i++)
        send_request(raw, 0xc6120100 + i, A);
    atoll_sleep(ATOLL_MS(10));
    struct atoll_udp *u;
    NCHECK_EQ(atoll_udp_bind(a, 0, &u), 0);
    for (atoll_ipv4_t i = 0; i < 300; i++)
        atoll_udp_sendto(u, atoll_addr4(0xc6120264 + i), 9, "x", 1);
    for (atoll_ipv4_t i = 0; i < 300; i++) /* more than a queue holds */
        atoll_udp_sendto(u, atoll_addr4(0xc6120264 + 299 - i % 20), 9, "x", 1);

    /* Unresolved entries and their packets stay within their own bounds. */
    NCHECK_EQ(entries(a, ARP_RESOLVING, true), NET_ARP_UNRESOLVED_MAX);
    NCHECK_EQ(entries(a, ARP_RESOLVING, false), NET_ARP_UNRESOLVED_MAX);
    NCHECK(a->arp_queued <= NET_ARP_UNRESOLVED_QUEUE_MAX);
    /* The storm filled the rest of the table... */
    NCHECK(entries(a, ARP_RESOLVED, false) >=
           NET_ARP_CACHE_MAX - NET_ARP_UNRESOLVED_MAX - 3);
    /* ...but the gateway, the quiet connection's peer and B stayed. */
    NCHECK_EQ(state_of(a, GW), ARP_RESOLVED);
    NCHECK_EQ(state_of(a, C), ARP_RESOLVED);
    NCHECK_EQ(state_of(a, B), ARP_RESOLVED);
    /* And all three still work. */
    NCHECK(atoll_icmp_ping(a, atoll_addr4(0xc6120505), 2, 56,
                           atoll_after(ATOLL_SEC(1))) >= 0);
    NCHECK(atoll_icmp_ping(b, atoll_addr4(A), 2, 56,
                           atoll_after(ATOLL_SEC(1))) >= 0);
    char buf[8];
    NCHECK_EQ(atoll_tcp_write(cc, "ping", 4, atoll_after(ATOLL_SEC(1))), 4);
    NCHECK_EQ(atoll_tcp_read(cc, buf, sizeof buf, atoll_after(ATOLL_SEC(1))),
              4);
    NCHECK(!memcmp(buf, "ping", 4));

    /* The connection gone, C's entry is an ordinary one again: it no
     * longer outlives a failed resolution. */
    atoll_tcp_close(cc);
    atoll_fiber_join(srv, atoll_after(ATOLL_SEC(5)), NULL);
    atoll_sleep(ATOLL_MS(10)); /* the last ACK */
    int users = 0;
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++)
        users += a->arp[i].users;
    NCHECK_EQ(users, 0);
    atoll_udp_close(u);
    atoll_tcp_listener_close(l);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    atoll_stack_destroy(c);
    return 0;
}

TEST(net_arp, "lookups and learning never evict the gateway, a connection's "
              "peer or a neighbour in use")
{
    net_sim_begin("policy", 6, clean);
    CHECK_EQ(atoll_test_run(0, policy_main, NULL), 0);
    net_sim_end();
}

/* The gateway's entry, or a connection's, is kept when a resolution gives
 * up; any other is forgotten. */
static int stale_main(void *arg)
{
    struct atoll_stack *a =
        net_mkstack("a", "w", "198.18.0.2/24", "198.18.0.1");
    /* Nobody answers for the gateway here. */
    NCHECK_EQ(atoll_icmp_ping(a, atoll_addr4(0xc6120505), 1, 56,
                              atoll_after(ATOLL_SEC(1))),
              -ATOLL_ETIMEDOUT);
    atoll_ipv4_t held = net_neigh_hold(a, 0xc6120009);
    NCHECK_EQ(held, 0xc6120009);
    NCHECK_EQ(net_neigh_hold(a, 0xc6330505), 0); /* off-link: the gateway */
    struct atoll_udp *u;
    NCHECK_EQ(atoll_udp_bind(a, 0, &u), 0);
    NCHECK_EQ(atoll_udp_sendto(u, atoll_addr4(0xc6120009), 9, "x", 1), 0);
    NCHECK_EQ(atoll_udp_sendto(u, atoll_addr4(0xc612000a), 9, "x", 1), 0);
    atoll_sleep(NET_ARP_RETRY_NS * (NET_ARP_TRIES + 1));
    NCHECK_EQ(state_of(a, 0xc6120001), ARP_STALE);
    NCHECK_EQ(state_of(a, 0xc6120009), ARP_STALE);
    NCHECK_EQ(state_of(a, 0xc612000a), ARP_FREE);
    NCHECK_EQ(a->arp_queued, 0);
    /* A stale entry resolves again on the next packet. */
    NCHECK_EQ(atoll_udp_sendto(u, atoll_addr4(0xc6120009), 9, "x", 1), 0);
    NCHECK_EQ(state_of(a, 0xc6120009), ARP_RESOLVING);
    net_neigh_release(a, held);
    atoll_sleep(NET_ARP_RETRY_NS * (NET_ARP_TRIES + 1));
    NCHECK_EQ(state_of(a, 0xc6120009), ARP_FREE);
    atoll_udp_close(u);
    atoll_stack_destroy(a);
    return 0;
}

TEST(net_arp, "a held or gateway entry outlives a failed resolution")
{
    net_sim_begin("stale", 7, clean);
    CHECK_EQ(atoll_test_run(0, stale_main, NULL), 0);
    net_sim_end();
}
