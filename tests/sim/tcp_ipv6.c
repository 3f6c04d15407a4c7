/*
 * tests/sim/tcp_ipv6.c - TCP over IPv6 between two dual-stack stacks on a
 * simulated wire, through the API IPv4 uses: one listener takes both
 * families and each connection reports its own ends; a listener for one
 * family leaves the other refused; closed ports and unreachable
 * destinations answer as over IPv4; the MSS comes from the IPv6 MTU, and
 * a Packet Too Big (played by the test's own host on the wire) lowers it
 * mid-transfer, after which no frame exceeds the new path MTU and every
 * byte still arrives.  (The 50 MB transfers under faults are in
 * tcp_transfer.c, tcp_xfer6.)
 */
#include "../../lib/net/ipv6_int.h"
#include "../../lib/net/stack_int.h"
#include "../../lib/net/tcp_int.h"
#include "../../lib/net/wire.h"
#include "atoll/tcp.h"
#include "net_util.h"

static atoll_addr_t addr(const char *t)
{
    atoll_addr_t a;
    if (atoll_addr_parse(t, &a) < 0)
        harness_fail(__FILE__, __LINE__, "bad address %s", t);
    return a;
}

/* Write `msg` on c and read it back from the accepted end d, then the
 * other way. */
static bool exchange(struct atoll_tcp_conn *c, struct atoll_tcp_conn *d)
{
    char buf[64] = {0};
    const char *msg = "over either family\n";
    int n = (int)strlen(msg);
    atoll_time_t dl = atoll_after(ATOLL_SEC(5));
    return atoll_tcp_write(c, msg, (size_t)n, dl) == n &&
           atoll_tcp_read(d, buf, sizeof buf, dl) == n &&
           !memcmp(buf, msg, (size_t)n) &&
           atoll_tcp_write(d, buf, (size_t)n, dl) == n &&
           atoll_tcp_read(c, buf, sizeof buf, dl) == n;
}

static int families_main(void *arg)
{
    struct atoll_stack *a =
        net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
    struct atoll_stack *b =
        net_mkstack6("b", "198.18.0.3/24", "2001:db8::3/64");
    atoll_sleep(ATOLL_MS(1200)); /* duplicate address detection */
    atoll_addr_t b6 = addr("2001:db8::3"), b4 = addr("198.18.0.3");
    atoll_time_t dl = atoll_after(ATOLL_SEC(5));

    /* One listener, both families. */
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(b, 80, 0, &l), 0);
    struct atoll_tcp_conn *c6, *c4, *d6, *d4;
    NCHECK_EQ(atoll_tcp_connect(a, b6, 80, dl, &c6), 0);
    NCHECK_EQ(atoll_tcp_accept(l, dl, &d6), 0);
    NCHECK_EQ(atoll_tcp_connect(a, b4, 80, dl, &c4), 0);
    NCHECK_EQ(atoll_tcp_accept(l, dl, &d4), 0);
    NCHECK(exchange(c6, d6));
    NCHECK(exchange(c4, d4));

    /* Each end as its own family sees it. */
    atoll_addr_t x;
    uint16_t port, cport;
    atoll_tcp_peer(d6, &x, &port);
    atoll_addr_t a6 = addr("2001:db8::2");
    NCHECK(atoll_addr_equal(&x, &a6));
    atoll_tcp_local(c6, NULL, &cport);
    NCHECK_EQ(port, cport);
    atoll_tcp_local(d6, &x, &port);
    NCHECK(atoll_addr_equal(&x, &b6));
    NCHECK_EQ(port, 80);
    atoll_tcp_peer(d4, &x, NULL);
    NCHECK_EQ(x.family, ATOLL_AF_INET);
    NCHECK_EQ(x.v4, 0xc6120002u);

    /* The MSS from each family's MTU: 1500 - 60 over IPv6, - 40 over
     * IPv4, each less 12 for timestamps. */
    struct atoll_tcp_info i6, i4;
    atoll_tcp_info(c6, &i6);
    atoll_tcp_info(c4, &i4);
    NCHECK_EQ(i6.mss, 1440 - 12);
    NCHECK_EQ(i4.mss, 1460 - 12);
    NCHECK(i6.sack && i6.timestamps && i6.snd_wscale != 0xff);

    /* A closed port answers with RST over IPv6 too. */
    struct atoll_tcp_conn *z;
    struct atoll_tcp_stats st0, st1;
    atoll_tcp_stats(b, &st0);
    NCHECK_EQ(atoll_tcp_connect(a, b6, 9, dl, &z), -ATOLL_ECONNREFUSED);
    atoll_tcp_stats(b, &st1);
    NCHECK_EQ(st1.rst_sent, st0.rst_sent + 1);

    /* A listener for one family: the other is refused, and the port's
     * other family may still get a listener of its own. */
    struct atoll_tcp_listener *l6, *l4, *lx;
    NCHECK_EQ(atoll_tcp_listen_family(b, ATOLL_AF_INET6, 81, 0, &l6), 0);
    NCHECK_EQ(atoll_tcp_connect(a, b4, 81, dl, &z), -ATOLL_ECONNREFUSED);
    NCHECK_EQ(atoll_tcp_connect(a, b6, 81, dl, &z), 0);
    atoll_tcp_close(z);
    NCHECK_EQ(atoll_tcp_listen(b, 81, 0, &lx), -ATOLL_EADDRINUSE);
    NCHECK_EQ(atoll_tcp_listen_family(b, ATOLL_AF_INET6, 81, 0, &lx),
              -ATOLL_EADDRINUSE);
    NCHECK_EQ(atoll_tcp_listen_family(b, ATOLL_AF_INET, 81, 0, &l4), 0);
    NCHECK_EQ(atoll_tcp_connect(a, b4, 81, dl, &z), 0);
    atoll_tcp_close(z);
    NCHECK_EQ(atoll_tcp_listen(b, 80, 0, &lx), -ATOLL_EADDRINUSE);
    NCHECK_EQ(atoll_tcp_listen_family(b, 5, 82, 0, &lx), -ATOLL_EINVAL);

    /* Off-link with no router, and addresses that are no destination. */
    NCHECK_EQ(atoll_tcp_connect(a, addr("2001:db8:99::1"), 80, dl, &z),
              -ATOLL_EHOSTUNREACH);
    NCHECK_EQ(atoll_tcp_connect(a, addr("::"), 80, dl, &z), -ATOLL_EINVAL);
    NCHECK_EQ(atoll_tcp_connect(a, addr("ff02::1"), 80, dl, &z), -ATOLL_EINVAL);
    NCHECK_EQ(atoll_tcp_connect(a, (atoll_addr_t){0}, 80, dl, &z),
              -ATOLL_EINVAL);

    atoll_tcp_close(c6);
    atoll_tcp_close(d6);
    atoll_tcp_close(c4);
    atoll_tcp_close(d4);
    atoll_tcp_listener_close(l);
    atoll_tcp_listener_close(l6);
    atoll_tcp_listener_close(l4);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(tcp_ipv6, "one listener for both families; one-family listeners; RST")
{
    net_sim_begin("tcp6-families", 41,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(200)});
    CHECK_EQ(atoll_test_run(0, families_main, NULL), 0);
    net_sim_end();
}

/* ---- Packet Too Big ------------------------------------------------------ */

#define PTB_BYTES (2u << 20)

struct ptb {
    struct atoll_netif *host;
    uint8_t a_mac[6];
    bool armed;      /* the MSS changed: look for the first segment since */
    uint32_t first;  /* its sequence number (A went back to snd_una) */
    bool watching;   /* count A's frames from now on */
    size_t max_len;  /* the largest IPv6 frame A sent since */
    uint64_t frames; /* how many */
    struct atoll_tcp_conn *c, *d;
    uint32_t got;
    int wr, rd;
};

static int ptb_host(void *arg)
{
    struct ptb *p = arg;
    for (;;) {
        struct atoll_buf *b;
        if (atoll_netif_recv(p->host, &b, 1, atoll_after(ATOLL_SEC(30))) < 1)
            return 0;
        bool from_a = b->len >= 14 + 40 + 20 &&
                      !memcmp(b->data + 6, p->a_mac, 6) &&
                      net_get16(b->data + 12) == NET_ETHTYPE_IPV6;
        /* The wire delivers in the order frames were sent: everything A
         * sent before it learned the new MTU comes first, then its go-back
         * from snd_una as whole (unfragmented) segments. */
        if (from_a && p->armed && !p->watching && b->data[14 + 6] == 6 &&
            net_get32(b->data + 14 + 40 + 4) == p->first)
            p->watching = true;
        if (p->watching && from_a) {
            p->frames++;
            if (b->len > p->max_len)
                p->max_len = b->len;
        }
        atoll_buf_free(b);
    }
}

static int ptb_writer(void *arg)
{
    struct ptb *p = arg;
    static uint8_t chunk[32768];
    for (uint32_t off = 0; off < PTB_BYTES; off += sizeof chunk) {
        for (uint32_t i = 0; i < sizeof chunk; i++)
            chunk[i] = (uint8_t)((off + i) * 7 >> 3);
        int w = atoll_tcp_write(p->c, chunk, sizeof chunk,
                                atoll_after(ATOLL_SEC(60)));
        if (w != (int)sizeof chunk) {
            p->wr = w < 0 ? w : -ATOLL_EIO;
            return 0;
        }
    }
    p->wr = atoll_tcp_shutdown(p->c);
    return 0;
}

static int ptb_reader(void *arg)
{
    struct ptb *p = arg;
    static uint8_t buf[65536];
    for (;;) {
        int n =
            atoll_tcp_read(p->d, buf, sizeof buf, atoll_after(ATOLL_SEC(60)));
        if (n <= 0) {
            p->rd = n < 0 ? n : (p->got == PTB_BYTES ? 0 : -ATOLL_EIO);
            return 0;
        }
        for (int i = 0; i < n; i++)
            if (buf[i] != (uint8_t)((p->got + (uint32_t)i) * 7 >> 3)) {
                p->rd = -ATOLL_ECORRUPT;
                return 0;
            }
        p->got += (uint32_t)n;
    }
}

/* A Packet Too Big from the host (link-local `from`) to A, saying `mtu`,
 * quoting the IPv6 and TCP headers of A's segment at seq. */
static void send_ptb(struct ptb *p, struct atoll_stack *a, uint32_t mtu,
                     uint32_t seq)
{
    const struct atoll_tcp_conn *c = p->c;
    struct atoll_netif_info info;
    atoll_netif_info(p->host, &info);
    atoll_ipv6_t from;
    net_ipv6_link_local(info.mac, &from);
    uint8_t f[14 + 40 + 8 + 60];
    struct net_eth_hdr e;
    memcpy(e.dst, a->info.mac, 6);
    memcpy(e.src, info.mac, 6);
    e.type = NET_ETHTYPE_IPV6;
    net_eth_write(f, &e);
    uint8_t *m = f + 14 + 40;
    memset(m, 0, 8 + 60);
    m[0] = NET_ICMP6_PKT_TOO_BIG;
    net_put32(m + 4, mtu);
    struct net_ipv6_hdr q = {.payload_len = 1448 + 32,
                             .next = NET_IP6_TCP,
                             .hop_limit = 64,
                             .src = c->laddr.v6,
                             .dst = c->raddr.v6};
    net_ipv6_write(m + 8, &q);
    net_put16(m + 48, c->lport);
    net_put16(m + 50, c->rport);
    net_put32(m + 52, seq);
    m[60] = 0x80; /* data offset 8 words, as A's segments */
    struct net_ipv6_hdr ip = {.payload_len = 8 + 60,
                              .next = NET_IP6_ICMPV6,
                              .hop_limit = 64,
                              .src = from,
                              .dst = c->laddr.v6};
    net_ipv6_write(f + 14, &ip);
    net_icmp6_finish(m, 8 + 60, &ip.src, &ip.dst);
    net_raw_send(p->host, f, sizeof f);
}

static int ptb_main(void *arg)
{
    struct ptb *p = arg;
    struct atoll_stack *a =
        net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
    struct atoll_stack *b =
        net_mkstack6("b", "198.18.0.3/24", "2001:db8::3/64");
    p->host = net_raw("host", "w");
    memcpy(p->a_mac, a->info.mac, 6);
    atoll_fiber *fh;
    atoll_fiber_spawn(&fh, "host", ptb_host, p, 0);
    atoll_sleep(ATOLL_MS(1200));
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(b, 80, 0, &l), 0);
    atoll_time_t dl = atoll_after(ATOLL_SEC(5));
    NCHECK_EQ(atoll_tcp_connect(a, addr("2001:db8::3"), 80, dl, &p->c), 0);
    NCHECK_EQ(atoll_tcp_accept(l, dl, &p->d), 0);
    atoll_fiber *fw, *fr;
    atoll_fiber_spawn(&fw, "writer", ptb_writer, p, 0);
    atoll_fiber_spawn(&fr, "reader", ptb_reader, p, 0);
    while (p->got < PTB_BYTES / 4 && p->rd == 0)
        atoll_sleep(ATOLL_MS(1));
    struct atoll_tcp_info ti;
    atoll_tcp_info(p->c, &ti);
    NCHECK_EQ(ti.mss, 1440 - 12);

    /* Not about data in flight (RFC 5927 4.1): ignored by TCP, though
     * the IPv6 layer still takes the lower MTU for the path (and
     * fragments what TCP sends meanwhile).  The wire serializes frames,
     * so the message arrives behind what A queued: wait for it. */
    atoll_addr_t b6 = addr("2001:db8::3");
    send_ptb(p, a, 1400, p->c->snd_una - 100000);
    while (net_ipv6_path_mtu(a, &b6.v6) != 1400 && p->rd == 0)
        atoll_sleep(ATOLL_US(100));
    atoll_tcp_info(p->c, &ti);
    NCHECK_EQ(ti.mss, 1440 - 12);

    /* About data in flight (the newest segment, behind which the message
     * travels): the MSS follows the path MTU at once, and what was in
     * flight goes again in the new size. */
    send_ptb(p, a, 1280, p->c->snd_max - 1);
    while (net_ipv6_path_mtu(a, &b6.v6) != 1280 && p->rd == 0)
        atoll_sleep(ATOLL_US(100));
    atoll_tcp_info(p->c, &ti);
    NCHECK_EQ(ti.mss, 1280 - 60 - 12);
    p->first = p->c->snd_una;
    p->armed = true;
    NCHECK_EQ(atoll_fiber_join(fw, ATOLL_NEVER, NULL), 0);
    NCHECK_EQ(atoll_fiber_join(fr, ATOLL_NEVER, NULL), 0);
    NCHECK_EQ(p->wr, 0);
    NCHECK_EQ(p->rd, 0);
    printf("       after Packet Too Big: %llu frames from A, largest %zu "
           "bytes (1280 + 14 allowed)\n",
           (unsigned long long)p->frames, p->max_len);
    NCHECK(p->frames > 500);
    NCHECK(p->max_len <= 14 + 1280);
    atoll_tcp_close(p->c);
    atoll_tcp_close(p->d);
    atoll_tcp_listener_close(l);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(tcp_ipv6, "Packet Too Big lowers the MSS mid-transfer; every byte arrives")
{
    static struct ptb p;
    net_sim_begin("tcp6-ptb", 42,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(500),
                                               .bandwidth = 10000000});
    CHECK_EQ(atoll_test_run(0, ptb_main, &p), 0);
    net_sim_end();
}
