/*
 * tests/sim/fw_forward.c - the firewall between two simulated wires, on
 * virtual time: four inside hosts reach an outside server through
 * masquerade (TCP echo, UDP echo, ping) and the server sees only the
 * firewall's address; port forwarding lets the server reach an inside
 * host; a reject rule answers with a reset and a drop rule stays silent;
 * an ICMP error from the server reaches its connection; a rule change
 * keeps an established connection.  The firewall's stacks (atoll/forward.h)
 * carry it; failing cases print their seed and keep the pcap of the
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
#define C1     0xc6120102u
#define NCLI   4

static const char rules[] =
    "accept state established,related\n"
    "accept in inside out outside state new\n"
    "reject in outside proto tcp to any port 23\n"
    "drop in outside proto tcp to any port 24\n"
    "accept in outside proto tcp to 198.18.1.2 port 7 state new\n"
    "masquerade out outside from 198.18.1.0/24\n"
    "forward in outside proto tcp port 8080 to 198.18.1.2 port 7\n";

static struct atoll_firewall *fw;
static struct atoll_stack *cli[NCLI], *fi, *fo, *srv;

static void topology(void)
{
    if (atoll_sim_wire_configure(
            "out", &(struct atoll_sim_wire_opts){.delay = ATOLL_MS(2)}) < 0)
        harness_fail(__FILE__, __LINE__, "wire out");
    for (int k = 0; k < NCLI; k++) {
        char name[16], addr[32];
        snprintf(name, sizeof name, "c%d", k + 1);
        snprintf(addr, sizeof addr, "198.18.1.%d/24", k + 2);
        cli[k] = net_mkstack(name, "w", addr, "198.18.1.1");
    }
    fi = net_mkstack("fi", "w", "198.18.1.1/24", NULL);
    fo = net_mkstack("fo", "out", "198.18.2.1/24", NULL);
    srv = net_mkstack("srv", "out", "198.18.2.9/24", "198.18.2.1");
    struct atoll_fw_iface ifs[2] = {
        {"inside", FW_IN, 24, 0, atoll_stack_mtu(fi)},
        {"outside", FW_OUT, 24, 0, atoll_stack_mtu(fo)},
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
    atoll_ipv4_t peer;
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
    int r = atoll_tcp_connect(s, dst, port, atoll_after(ATOLL_SEC(10)), &c);
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
    topology();
    struct srv_state out = {srv, NULL, 0, 0}, in = {cli[0], NULL, 0, 0};
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
        NCHECK_EQ(out.peer, FW_OUT);
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
    NCHECK_EQ(in.peer, SRV);
    /* straight to c1:7 from outside: the rule allows it */
    NCHECK_EQ(echo_through(srv, C1, 7, NULL), 0);
    /* reject: a reset at once; drop: nothing until the deadline */
    atoll_time_t t0 = atoll_now();
    struct atoll_tcp_conn *c;
    NCHECK_EQ(atoll_tcp_connect(srv, C1, 23, atoll_after(ATOLL_SEC(5)), &c),
              -ATOLL_ECONNREFUSED);
    NCHECK(atoll_now() - t0 < ATOLL_MS(100));
    NCHECK_EQ(atoll_tcp_connect(srv, C1, 24, atoll_after(ATOLL_SEC(3)), &c),
              -ATOLL_ETIMEDOUT);
    /* a new connection from outside to anything else: the policy */
    NCHECK_EQ(atoll_tcp_connect(srv, C1, 25, atoll_after(ATOLL_SEC(3)), &c),
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
    NCHECK_EQ(atoll_tcp_connect(cli[3], SRV, 7, atoll_after(ATOLL_SEC(3)), &c),
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
