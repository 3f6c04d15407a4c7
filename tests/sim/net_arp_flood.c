/*
 * tests/sim/net_arp_flood.c - the ARP table under a flood from spoofed
 * on-link addresses (issue 17, D2).
 *
 * A "server" stack A (198.18.0.2/16, gateway 198.18.0.1) is flooded at a
 * bounded rate with pings and SYNs from 250 made-up neighbours
 * (198.18.1.1-250), each of which makes A look up an address nobody
 * answers for.  Meanwhile a real peer B (198.18.0.3) pings A five times a
 * second and holds a TCP transfer to it, a second connection is opened in
 * the middle of the flood, and A pings through its gateway (the test
 * plays the router).  The flood lasts longer than NET_ARP_TTL_NS, so the
 * real entries also expire and are resolved again while it runs.
 *
 * Before the fix a lookup took the slot of a resolved entry, so the flood
 * filled the table with unresolved ones: B lost most of its pings and the
 * transfer stalled.  Now B must lose no ping, both transfers must
 * complete byte-exact, every ping through the gateway must be answered
 * and A must ask for its gateway's address no more than once per TTL.
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "net_util.h"

#define A_ADDR   0xc6120002u /* 198.18.0.2 */
#define B_ADDR   0xc6120003u /* 198.18.0.3 */
#define GW_ADDR  0xc6120001u /* 198.18.0.1 */
#define FAR_ADDR 0xc6330505u /* 198.51.5.5, behind the gateway */
#define SPOOF0   0xc6120100u /* 198.18.1.0 */
#define NSPOOF   250
#define PORT     80

#define FLOOD_NS       (NET_ARP_TTL_NS + ATOLL_SEC(10))
#define FLOOD_EVERY_NS ATOLL_MS(5) /* 200 frames per second */
#define CHUNK          8192

static const struct atoll_sim_wire_opts clean = {.delay = ATOLL_US(50)};

/* ---- the attacker: frames from made-up neighbours -------------------------
 */

struct flood {
    struct atoll_netif *nif;
    uint8_t a_mac[6];
    bool stop;
    int sent, arp_asked; /* frames sent; A's ARP requests for them */
};

static void spoofed_frame(struct flood *f, int i)
{
    uint8_t mac[6] = {0x02, 0x66, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
    struct net_ipv4_hdr h = {.ttl = 64,
                             .id = (uint16_t)i,
                             .src = SPOOF0 + 1 + (atoll_ipv4_t)(i % NSPOOF),
                             .dst = A_ADDR};
    uint8_t p[64] = {0}, frame[128];
    size_t len;
    if (i % 2 == 0) { /* an echo request */
        struct net_icmp_hdr ih = {.type = NET_ICMP_ECHO,
                                  .rest = 0x4242u << 16 | (uint16_t)i};
        len = 16;
        net_icmp_write(p, len, &ih);
        h.proto = NET_PROTO_ICMP;
    } else { /* a SYN, to the listener or (one in four) a closed port */
        struct tcp_hdr th = {.sport = (uint16_t)(1024 + i),
                             .dport = i % 4 == 1 ? PORT + 1 : PORT,
                             .seq = 0x1000u * (uint32_t)i,
                             .hlen = TCP_HLEN,
                             .flags = TCP_SYN,
                             .wnd = 65535};
        len = TCP_HLEN;
        tcp_hdr_write(p, &th);
        uint32_t sum = net_csum_pseudo(h.src, h.dst, NET_PROTO_TCP, 20);
        net_put16(p + 16, net_csum_fold(net_csum_add(sum, p, len)));
        h.proto = NET_PROTO_TCP;
    }
    size_t n = net_ip_frame(frame, f->a_mac, mac, &h, p, len);
    net_raw_send(f->nif, frame, n);
}

static int flood_fiber(void *arg)
{
    struct flood *f = arg;
    atoll_time_t next = atoll_now();
    for (int i = 0; !f->stop; i++) {
        spoofed_frame(f, i);
        f->sent++;
        next += FLOOD_EVERY_NS;
        /* Drain what the hub gives us meanwhile: count A's lookups. */
        struct atoll_buf *b;
        while (atoll_netif_recv(f->nif, &b, 1, next) == 1) {
            struct net_eth_hdr e;
            struct net_arp a;
            if (net_eth_parse(b->data, b->len, &e) == 0 &&
                e.type == NET_ETHTYPE_ARP &&
                net_arp_parse(b->data + 14, b->len - 14, &a) == 0 &&
                a.op == NET_ARP_REQUEST && a.spa == A_ADDR && a.tpa > SPOOF0 &&
                a.tpa <= SPOOF0 + NSPOOF)
                f->arp_asked++;
            atoll_buf_free(b);
        }
    }
    return 0;
}

/* ---- the transfers ---------------------------------------------------------
 */

static uint8_t pattern(uint32_t off, uint32_t salt)
{
    return (uint8_t)((off * 2654435761u + salt) >> 13);
}

struct sink {
    struct atoll_tcp_listener *l;
    uint32_t got[2]; /* bytes verified per connection */
    int bad, done;
};

static int sink_conn(void *arg)
{
    struct sink *k = ((void **)arg)[0];
    struct atoll_tcp_conn *c = ((void **)arg)[1];
    uint8_t salt;
    /* The first byte says which transfer this is (its salt). */
    if (atoll_tcp_read(c, &salt, 1, atoll_after(ATOLL_SEC(30))) != 1 ||
        salt > 1) {
        k->bad++;
        atoll_tcp_close(c);
        return 0;
    }
    static uint8_t buf[2][CHUNK];
    for (;;) {
        int n = atoll_tcp_read(c, buf[salt], CHUNK, atoll_after(ATOLL_SEC(30)));
        if (n <= 0) {
            if (n < 0)
                k->bad++;
            break;
        }
        for (int i = 0; i < n; i++)
            if (buf[salt][i] != pattern(k->got[salt] + (uint32_t)i, salt))
                k->bad++;
        k->got[salt] += (uint32_t)n;
    }
    atoll_tcp_close(c);
    k->done++;
    return 0;
}

static int sink_fiber(void *arg)
{
    struct sink *k = arg;
    static void *args[2][2];
    for (int i = 0; i < 2; i++) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(k->l, ATOLL_NEVER, &c) < 0)
            return 0;
        args[i][0] = k, args[i][1] = c;
        atoll_fiber_spawn(NULL, "sink conn", sink_conn, args[i], 0);
    }
    return 0;
}

/* Send `chunks` chunks of the pattern, `every` apart; 0 or an error. */
static int send_pattern(struct atoll_stack *b, uint8_t salt, int chunks,
                        atoll_time_t every)
{
    struct atoll_tcp_conn *c;
    int r = atoll_tcp_connect(b, atoll_addr4(A_ADDR), PORT,
                              atoll_after(ATOLL_SEC(10)), &c);
    if (r < 0)
        return r;
    r = atoll_tcp_write(c, &salt, 1, atoll_after(ATOLL_SEC(10)));
    static uint8_t buf[CHUNK];
    for (int i = 0; i < chunks && r >= 0; i++) {
        for (uint32_t j = 0; j < CHUNK; j++)
            buf[j] = pattern((uint32_t)i * CHUNK + j, salt);
        r = atoll_tcp_write(c, buf, CHUNK, atoll_after(ATOLL_SEC(30)));
        if (every)
            atoll_sleep(every);
    }
    if (r >= 0)
        r = atoll_tcp_shutdown(c);
    atoll_tcp_close(c);
    return r < 0 ? r : 0;
}

struct xfer {
    struct atoll_stack *b;
    uint8_t salt;
    int chunks;
    atoll_time_t every;
    int result;
};

static int xfer_fiber(void *arg)
{
    struct xfer *x = arg;
    x->result = send_pattern(x->b, x->salt, x->chunks, x->every);
    return 0;
}

/* ---- the case ----------------------------------------------------------- */

static int flood_main(void *arg)
{
    struct atoll_stack *a =
        net_mkstack("a", "w", "198.18.0.2/16", "198.18.0.1");
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/16", NULL);
    struct net_router r = {.mac = {0x02, 0, 0, 0, 0, 0x01},
                           .gw = GW_ADDR,
                           .far = FAR_ADDR,
                           .asker = A_ADDR};
    r.nif = net_raw("router", "w");
    atoll_fiber_spawn(NULL, "router", net_router_fiber, &r, 0);
    struct sink k = {0};
    NCHECK_EQ(atoll_tcp_listen(a, PORT, 0, &k.l), 0);
    atoll_fiber_spawn(NULL, "sink", sink_fiber, &k, 0);

    /* The long transfer starts before the flood and lasts beyond it. */
    int chunks = (int)((FLOOD_NS + ATOLL_SEC(2)) / ATOLL_MS(100));
    struct xfer x1 = {b, 0, chunks, ATOLL_MS(100), 1};
    atoll_fiber *f1;
    atoll_fiber_spawn(&f1, "xfer 1", xfer_fiber, &x1, 0);
    NCHECK(atoll_icmp_ping(a, atoll_addr4(FAR_ADDR), 1, 56,
                           atoll_after(ATOLL_SEC(1))) >= 0);
    atoll_sleep(ATOLL_MS(500));

    struct flood fl = {0};
    fl.nif = net_raw("evil", "w");
    memcpy(fl.a_mac, a->info.mac, 6);
    atoll_fiber *ff;
    atoll_fiber_spawn(&ff, "flood", flood_fiber, &fl, 0);
    int gw_asked0 = r.arp_asked;

    /* B pings A five times a second; A pings through its gateway every
     * two seconds; half-way through B opens a second connection. */
    int lost = 0, pings = 0, far_lost = 0, far = 0;
    struct xfer x2 = {b, 1, 8, 0, 1};
    atoll_fiber *f2 = NULL;
    atoll_time_t start = atoll_now(), tick = start;
    for (uint16_t seq = 1; atoll_now() - start < FLOOD_NS; seq++) {
        pings++;
        if (atoll_icmp_ping(b, atoll_addr4(A_ADDR), seq, 56,
                            atoll_after(ATOLL_SEC(1))) < 0)
            lost++;
        if (seq % 10 == 0) {
            far++;
            if (atoll_icmp_ping(a, atoll_addr4(FAR_ADDR), seq, 56,
                                atoll_after(ATOLL_SEC(1))) < 0)
                far_lost++;
        }
        if (!f2 && atoll_now() - start > FLOOD_NS / 2)
            atoll_fiber_spawn(&f2, "xfer 2", xfer_fiber, &x2, 0);
        tick += ATOLL_MS(200);
        if (tick > atoll_now())
            atoll_sleep(tick - atoll_now());
    }
    fl.stop = true;
    atoll_fiber_join(ff, ATOLL_NEVER, NULL);
    atoll_fiber_join(f1, ATOLL_NEVER, NULL);
    if (f2)
        atoll_fiber_join(f2, ATOLL_NEVER, NULL);
    atoll_sleep(ATOLL_SEC(1));

    printf("       %d spoofed frames drew %d ARP requests; B lost %d of %d "
           "pings, %d of %d through the gateway; gateway asked %d times\n",
           fl.sent, fl.arp_asked, lost, pings, far_lost, far,
           r.arp_asked - gw_asked0);
    NCHECK(fl.sent >= (int)(FLOOD_NS / FLOOD_EVERY_NS) - 1);
    /* The flood did make A look up the spoofed addresses... */
    NCHECK(fl.arp_asked >= fl.sent / 4);
    /* ...and cost the real neighbours nothing. */
    NCHECK_EQ(lost, 0);
    NCHECK_EQ(far_lost, 0);
    NCHECK(r.arp_asked - gw_asked0 <= (int)(FLOOD_NS / NET_ARP_TTL_NS) + 1);
    NCHECK_EQ(x1.result, 0);
    NCHECK_EQ(x2.result, 0);
    NCHECK_EQ(k.done, 2);
    NCHECK_EQ(k.bad, 0);
    NCHECK_EQ(k.got[0], (uint32_t)chunks * CHUNK);
    NCHECK_EQ(k.got[1], 8u * CHUNK);
    atoll_tcp_listener_close(k.l);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(net_arp_flood, "spoofed neighbours cost a real peer no ping and no "
                    "transfer")
{
    net_sim_begin("arpflood", 17, clean);
    CHECK_EQ(atoll_test_run(0, flood_main, NULL), 0);
    net_sim_end();
}
