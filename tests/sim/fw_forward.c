/*
 * tests/sim/fw_forward.c - the firewall between two simulated wires, on
 * virtual time: four inside hosts reach an outside server through
 * masquerade (TCP echo, UDP echo, ping) and the server sees only the
 * firewall's address; port forwarding lets the server reach an inside
 * host; a reject rule answers with a reset and a drop rule stays silent;
 * an ICMP error from the server reaches its connection; a rule change
 * keeps an established connection.  The firewall's stacks (atoll/forward.h)
 * carry it.  Then eight inside hosts at once, each with TCP transfers to
 * two servers, UDP and ping, over a lossy outside wire: every byte comes
 * back, each server sees one firewall port per connection and only the
 * firewall's address.  Failing cases print their seed and keep the pcap of the
 * inside wire (tests/sim/net_util.h).
 */
#include "atoll/firewall.h"
#include "atoll/forward.h"
#include "atoll/icmp.h"
#include "atoll/tcp.h"
#include "atoll/udp.h"
#include "net_util.h"

#define FW_IN  0xc6120101u /* 198.18.1.1 */
#define FW_OUT 0xc6120201u /* 198.18.2.1 */
#define SRV    0xc6120209u /* 198.18.2.9 */
#define SRV2   0xc612020au /* 198.18.2.10 */
#define C1     0xc6120102u
#define NCLI   4 /* hosts inside in the first test */
#define NMANY  8 /* ... and in the second */

static const char rules[] =
    "accept state established,related\n"
    "accept in inside out outside state new\n"
    "reject in outside proto tcp to any port 23\n"
    "drop in outside proto tcp to any port 24\n"
    "accept in outside proto tcp to 198.18.1.2 port 7 state new\n"
    "masquerade out outside from 198.18.1.0/24\n"
    "forward in outside proto tcp port 8080 to 198.18.1.2 port 7\n";

static struct atoll_firewall *fw;
static struct atoll_stack *cli[NMANY], *fi, *fo, *srv, *srv2;

/* ncli hosts inside (198.18.1.2 up), the firewall, the server 198.18.2.9
 * outside, and with `two` a second one, 198.18.2.10; the outside wire
 * loses frames with probability `loss`. */
static void topology(int ncli, bool two, double loss)
{
    if (atoll_sim_wire_configure(
            "out", &(struct atoll_sim_wire_opts){.delay = ATOLL_MS(2),
                                                 .loss = loss}) < 0)
        harness_fail(__FILE__, __LINE__, "wire out");
    for (int k = 0; k < ncli; k++) {
        char name[16], addr[32];
        snprintf(name, sizeof name, "c%d", k + 1);
        snprintf(addr, sizeof addr, "198.18.1.%d/24", k + 2);
        cli[k] = net_mkstack(name, "w", addr, "198.18.1.1");
    }
    fi = net_mkstack("fi", "w", "198.18.1.1/24", NULL);
    fo = net_mkstack("fo", "out", "198.18.2.1/24", NULL);
    srv = net_mkstack("srv", "out", "198.18.2.9/24", "198.18.2.1");
    if (two)
        srv2 = net_mkstack("srv2", "out", "198.18.2.10/24", "198.18.2.1");
    struct atoll_fw_iface ifs[2] = {
        {.name = "inside",
         .addr = FW_IN,
         .prefix = 24,
         .gateway = 0,
         .mtu = atoll_stack_mtu(fi)},
        {.name = "outside",
         .addr = FW_OUT,
         .prefix = 24,
         .gateway = 0,
         .mtu = atoll_stack_mtu(fo)},
    };
    static const uint8_t key[16] = "sim-firewall-key";
    NCHECK_EQ(atoll_firewall_create(ifs, 2, 0, key, &fw), 0);
    struct atoll_fw_error e;
    NCHECK_EQ(atoll_firewall_set_rules(fw, rules, sizeof rules - 1, &e), 0);
    struct atoll_stack *st[2] = {fi, fo};
    NCHECK_EQ(atoll_firewall_attach(fw, st, 2), 0);
}

/* A TCP echo server on `s`:`port` that remembers its last peer. */
struct srv_state {
    struct atoll_stack *s;
    struct atoll_tcp_listener *l;
    atoll_addr_t peer;
    int served;
};

static int serve(void *arg)
{
    struct srv_state *st = arg;
    for (;;) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(st->l, atoll_after(ATOLL_SEC(600)), &c) < 0)
            return 0;
        uint16_t pp;
        atoll_tcp_peer(c, &st->peer, &pp);
        st->served++;
        atoll_fiber_spawn(NULL, "echo conn", net_echo_conn, c, 0);
    }
}

static int udp_echo(void *arg)
{
    struct atoll_udp *u = arg;
    char buf[512];
    atoll_addr_t from;
    uint16_t port;
    for (;;) {
        int n = atoll_udp_recvfrom(u, buf, sizeof buf, &from, &port,
                                   atoll_after(ATOLL_SEC(600)));
        if (n < 0)
            return 0;
        atoll_udp_sendto(u, from, port, buf, (size_t)n);
    }
}

/* Connect s to dst:port, send a line, read it back; 0 when it echoed. */
static int echo_through(struct atoll_stack *s, atoll_ipv4_t dst, uint16_t port,
                        struct atoll_tcp_conn **keep)
{
    struct atoll_tcp_conn *c;
    int r = atoll_tcp_connect(s, atoll_addr4(dst), port,
                              atoll_after(ATOLL_SEC(10)), &c);
    if (r < 0)
        return r;
    char msg[] = "through the firewall\n", back[64];
    if (atoll_tcp_write(c, msg, sizeof msg - 1, atoll_after(ATOLL_SEC(5))) !=
        (int)sizeof msg - 1)
        return -ATOLL_EIO;
    size_t got = 0;
    while (got < sizeof msg - 1) {
        int n = atoll_tcp_read(c, back + got, sizeof back - got,
                               atoll_after(ATOLL_SEC(5)));
        if (n <= 0)
            return -ATOLL_EIO;
        got += (size_t)n;
    }
    if (memcmp(back, msg, sizeof msg - 1) != 0)
        return -ATOLL_EBADMSG;
    if (keep)
        *keep = c;
    else
        atoll_tcp_close(c);
    return 0;
}

static int forward_main(void *arg)
{
    topology(NCLI, false, 0);
    struct srv_state out = {.s = srv}, in = {.s = cli[0]};
    NCHECK_EQ(atoll_tcp_listen(srv, 7, 0, &out.l), 0);
    NCHECK_EQ(atoll_tcp_listen(cli[0], 7, 0, &in.l), 0);
    atoll_fiber_spawn(NULL, "srv", serve, &out, 0);
    atoll_fiber_spawn(NULL, "c1 srv", serve, &in, 0);
    struct atoll_udp *u;
    NCHECK_EQ(atoll_udp_bind(srv, 7, &u), 0);
    atoll_fiber_spawn(NULL, "udp echo", udp_echo, u, 0);

    /* every inside host, through masquerade */
    for (int k = 0; k < NCLI; k++) {
        NCHECK_EQ(echo_through(cli[k], SRV, 7, NULL), 0);
        NCHECK_EQ(out.peer.v4, FW_OUT);
    }
    NCHECK_EQ(out.served, NCLI);
    struct atoll_udp *cu;
    NCHECK_EQ(atoll_udp_bind(cli[1], 0, &cu), 0);
    NCHECK_EQ(atoll_udp_sendto(cu, atoll_addr4(SRV), 7, "datagram", 8), 0);
    char buf[64];
    atoll_addr_t from;
    uint16_t fport;
    NCHECK_EQ(atoll_udp_recvfrom(cu, buf, sizeof buf, &from, &fport,
                                 atoll_after(ATOLL_SEC(5))),
              8);
    NCHECK_EQ(from.v4, SRV);
    NCHECK_EQ(fport, 7);
    NCHECK(atoll_icmp_ping(cli[2], atoll_addr4(SRV), 1, 56,
                           atoll_after(ATOLL_SEC(5))) >= 0);
    /* the firewall itself answers ping from inside */
    NCHECK(atoll_icmp_ping(cli[2], atoll_addr4(FW_IN), 2, 56,
                           atoll_after(ATOLL_SEC(5))) >= 0);

    /* port forwarding from outside to c1:7 */
    NCHECK_EQ(echo_through(srv, FW_OUT, 8080, NULL), 0);
    NCHECK_EQ(in.peer.v4, SRV);
    /* straight to c1:7 from outside: the rule allows it */
    NCHECK_EQ(echo_through(srv, C1, 7, NULL), 0);
    /* reject: a reset at once; drop: nothing until the deadline */
    atoll_time_t t0 = atoll_now();
    struct atoll_tcp_conn *c;
    NCHECK_EQ(atoll_tcp_connect(srv, atoll_addr4(C1), 23,
                                atoll_after(ATOLL_SEC(5)), &c),
              -ATOLL_ECONNREFUSED);
    NCHECK(atoll_now() - t0 < ATOLL_MS(100));
    NCHECK_EQ(atoll_tcp_connect(srv, atoll_addr4(C1), 24,
                                atoll_after(ATOLL_SEC(3)), &c),
              -ATOLL_ETIMEDOUT);
    /* a new connection from outside to anything else: the policy */
    NCHECK_EQ(atoll_tcp_connect(srv, atoll_addr4(C1), 25,
                                atoll_after(ATOLL_SEC(3)), &c),
              -ATOLL_ETIMEDOUT);

    /* an ICMP error from the server (port unreachable) about a
     * masqueraded datagram is related and goes back inside */
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    uint64_t related = st.related;
    NCHECK_EQ(atoll_udp_sendto(cu, atoll_addr4(SRV), 9999, "nobody", 6), 0);
    atoll_sleep_until(atoll_after(ATOLL_MS(100)));
    atoll_firewall_stats(fw, &st);
    NCHECK_EQ(st.related, related + 1);

    /* a live rule change keeps an allowed established connection */
    struct atoll_tcp_conn *kept;
    NCHECK_EQ(echo_through(cli[3], SRV, 7, &kept), 0);
    static const char strict[] = "accept state established\n"
                                 "masquerade out outside\n";
    NCHECK_EQ(atoll_firewall_set_rules(fw, strict, sizeof strict - 1, NULL), 0);
    NCHECK_EQ(atoll_tcp_write(kept, "again", 5, atoll_after(ATOLL_SEC(5))), 5);
    NCHECK_EQ(atoll_tcp_read(kept, buf, sizeof buf, atoll_after(ATOLL_SEC(5))),
              5);
    NCHECK_EQ(atoll_tcp_connect(cli[3], atoll_addr4(SRV), 7,
                                atoll_after(ATOLL_SEC(3)), &c),
              -ATOLL_ETIMEDOUT);
    atoll_firewall_stats(fw, &st);
    NCHECK(st.forwarded > 40);
    NCHECK_EQ(st.spoofed + st.bad, 0);
    return 0;
}

TEST(fw_sim, "masquerade, port forwarding, reject and drop, ICMP errors, "
             "live rule change, between simulated wires")
{
    net_sim_begin("fw-forward", 1,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, forward_main, NULL), 0);
    net_sim_end();
}

/* ---- many hosts at once ----------------------------------------------------
 */

#define BULK 32768 /* bytes each connection sends and reads back */

struct many {
    int done, failed;
    uint16_t ports[2][NMANY * 2]; /* firewall ports each server saw */
    int nports[2];
};

struct many_srv {
    struct many *m;
    int which;
    struct atoll_tcp_listener *l;
};

static int many_serve(void *arg)
{
    struct many_srv *ms = arg;
    for (;;) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(ms->l, atoll_after(ATOLL_SEC(600)), &c) < 0)
            return 0;
        atoll_addr_t a;
        uint16_t p;
        atoll_tcp_peer(c, &a, &p);
        struct many *m = ms->m;
        if (a.v4 != FW_OUT || m->nports[ms->which] >= NMANY * 2)
            m->failed++;
        else
            m->ports[ms->which][m->nports[ms->which]++] = p;
        atoll_fiber_spawn(NULL, "echo conn", net_echo_conn, c, 0);
    }
}

/* BULK bytes to dst:7 and back, the pattern of host k. */
static int bulk(struct atoll_stack *s, atoll_ipv4_t dst, int k)
{
    struct atoll_tcp_conn *c;
    int r = atoll_tcp_connect(s, atoll_addr4(dst), 7,
                              atoll_after(ATOLL_SEC(30)), &c);
    if (r < 0)
        return r;
    static uint8_t out[NMANY][BULK];
    uint8_t back[4096];
    for (size_t i = 0; i < BULK; i++)
        out[k][i] = (uint8_t)(i * 7 + (size_t)k);
    size_t sent = 0, got = 0;
    while (got < BULK) {
        if (sent < BULK) {
            size_t n = BULK - sent < 8192 ? BULK - sent : 8192;
            if (atoll_tcp_write(c, out[k] + sent, n,
                                atoll_after(ATOLL_SEC(60))) != (int)n)
                return -ATOLL_EIO;
            sent += n;
        }
        while (got < sent) {
            int n = atoll_tcp_read(c, back, sizeof back,
                                   atoll_after(ATOLL_SEC(60)));
            if (n <= 0 || memcmp(back, out[k] + got, (size_t)n) != 0)
                return -ATOLL_EIO;
            got += (size_t)n;
        }
    }
    atoll_tcp_close(c);
    return 0;
}

struct host {
    struct many *m;
    int k;
};

/* One inside host: a transfer to each server, a datagram, a ping. */
static int host_main(void *arg)
{
    struct host *h = arg;
    struct atoll_stack *s = cli[h->k];
    int bad = 0;
    bad += bulk(s, SRV, h->k) < 0;
    bad += bulk(s, SRV2, h->k) < 0;
    /* A datagram and a ping have no retransmission, and the wire loses
     * 1 %: each gets three tries, as an application would give them (a
     * firewall that drops them fails all three). */
    struct atoll_udp *u;
    char buf[32];
    atoll_addr_t from;
    uint16_t port;
    bool bound = atoll_udp_bind(s, 0, &u) == 0, echoed = false, pinged = false;
    for (int t = 0; t < 3 && bound && !echoed; t++)
        echoed = atoll_udp_sendto(u, atoll_addr4(SRV2), 7, "many", 4) >= 0 &&
                 atoll_udp_recvfrom(u, buf, sizeof buf, &from, &port,
                                    atoll_after(ATOLL_SEC(2))) == 4 &&
                 from.v4 == SRV2;
    for (int t = 0; t < 3 && !pinged; t++)
        pinged = atoll_icmp_ping(s, atoll_addr4(SRV), (uint16_t)h->k, 56,
                                 atoll_after(ATOLL_SEC(2))) >= 0;
    bad += !echoed + !pinged;
    h->m->failed += bad;
    h->m->done++;
    return 0;
}

static bool distinct(const uint16_t *p, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (p[i] == p[j])
                return false;
    return true;
}

static int many_main(void *arg)
{
    topology(NMANY, true, 0.01);
    static struct many m;
    static struct many_srv ms[2];
    struct atoll_stack *servers[2] = {srv, srv2};
    for (int k = 0; k < 2; k++) {
        ms[k] = (struct many_srv){&m, k, NULL};
        NCHECK_EQ(atoll_tcp_listen(servers[k], 7, 0, &ms[k].l), 0);
        atoll_fiber_spawn(NULL, "srv", many_serve, &ms[k], 0);
    }
    struct atoll_udp *u;
    NCHECK_EQ(atoll_udp_bind(srv2, 7, &u), 0);
    atoll_fiber_spawn(NULL, "udp echo", udp_echo, u, 0);
    static struct host hosts[NMANY];
    for (int k = 0; k < NMANY; k++) {
        hosts[k] = (struct host){&m, k};
        atoll_fiber_spawn(NULL, "host", host_main, &hosts[k], 0);
    }
    atoll_time_t end = atoll_after(ATOLL_SEC(300));
    while (m.done < NMANY && atoll_now() < end)
        atoll_sleep(ATOLL_MS(100));
    NCHECK_EQ(m.done, NMANY);
    NCHECK_EQ(m.failed, 0);
    /* one connection from each host to each server, each on its own
     * firewall port */
    NCHECK_EQ(m.nports[0], NMANY);
    NCHECK_EQ(m.nports[1], NMANY);
    NCHECK(distinct(m.ports[0], NMANY));
    NCHECK(distinct(m.ports[1], NMANY));
    uint32_t n, max;
    uint64_t refused;
    atoll_firewall_ct_usage(fw, &n, &max, &refused);
    /* 16 TCP (closing or closed), 8 UDP flows, 8 echo exchanges */
    NCHECK_EQ(n, 4 * NMANY);
    NCHECK_EQ(refused, 0);
    struct atoll_fw_stats st;
    atoll_firewall_stats(fw, &st);
    NCHECK_EQ(st.spoofed + st.bad + st.window + st.nat_exhausted, 0);
    struct atoll_sim_wire_stats ws;
    NCHECK_EQ(atoll_sim_wire_stats("out", &ws), 0);
    NCHECK(ws.lost > 0); /* the transfers met loss and recovered */
    return 0;
}

TEST(fw_sim, "eight inside hosts at once: TCP to two servers over a lossy "
             "wire, UDP, ping; one firewall port per connection")
{
    net_sim_begin("fw-many", 2,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, many_main, NULL), 0);
    net_sim_end();
}
