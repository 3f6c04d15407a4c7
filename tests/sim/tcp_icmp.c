/*
 * tests/sim/tcp_icmp.c - ICMP errors about TCP connections (RFC 1122
 * 4.2.3.9, RFC 5927 4.1), sent by a third party on the wire as an attacker
 * or a router would: for an established connection every error is soft
 * (remembered, reported only if the connection then times out, forgotten
 * when an ACK shows the path works), so a forged port unreachable quoting
 * a valid sequence number cannot reset it; a connection still connecting
 * is refused at once; an error quoting a sequence number not in flight is
 * ignored.
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "net_util.h"

#define A_ADDR 0xc6120002u /* 198.18.0.2 */
#define B_ADDR 0xc6120003u /* 198.18.0.3 */
#define NOBODY 0xc6120009u /* 198.18.0.9: nobody answers ARP for it */

/* An ICMP destination unreachable (code) from `from` to stack `s`,
 * quoting a TCP segment s sent: `c`'s ports and addresses, sequence
 * number `seq`. */
static void icmp_about(struct atoll_netif *raw, struct atoll_stack *s,
                       atoll_ipv4_t from, const struct atoll_tcp_conn *c,
                       uint8_t code, uint32_t seq)
{
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x66};
    uint8_t msg[8 + 28] = {0}, f[128];
    struct net_ipv4_hdr in = {.ttl = 64,
                              .proto = NET_PROTO_TCP,
                              .src = c->laddr.v4,
                              .dst = c->raddr.v4,
                              .total_len = 40,
                              .hlen = 20};
    net_ipv4_write(msg + 8, &in);
    net_put16(msg + 28, c->lport);
    net_put16(msg + 30, c->rport);
    net_put32(msg + 32, seq);
    struct net_icmp_hdr h = {.type = NET_ICMP_UNREACH, .code = code};
    net_icmp_write(msg, sizeof msg, &h);
    struct net_ipv4_hdr out = {
        .ttl = 64, .proto = NET_PROTO_ICMP, .src = from, .dst = c->laddr.v4};
    net_raw_send(raw, f,
                 net_ip_frame(f, s->info.mac, mac, &out, msg, sizeof msg));
}

static int accept_fiber(void *arg)
{
    struct atoll_tcp_listener *l = arg;
    struct atoll_tcp_conn *c;
    if (atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &c) < 0)
        return -1;
    char buf[64];
    int n;
    while ((n = atoll_tcp_read(c, buf, sizeof buf, ATOLL_NEVER)) > 0)
        atoll_tcp_write(c, buf, (size_t)n, ATOLL_NEVER);
    atoll_tcp_close(c);
    return 0;
}

static bool echoes(struct atoll_tcp_conn *c)
{
    char buf[8];
    return atoll_tcp_write(c, "ping", 4, atoll_after(ATOLL_SEC(2))) == 4 &&
           atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(2))) == 4 &&
           !memcmp(buf, "ping", 4);
}

static int established_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_stack *b = net_mkstack("b", "w", "198.18.0.3/24", NULL);
    struct atoll_netif *raw = net_raw("evil", "w");
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(b, 7, 0, &l), 0);
    atoll_fiber *srv;
    atoll_fiber_spawn(&srv, "echo", accept_fiber, l, 0);
    struct atoll_tcp_conn *c;
    NCHECK_EQ(atoll_tcp_connect(a, atoll_addr4(B_ADDR), 7,
                                atoll_after(ATOLL_SEC(2)), &c),
              0);
    NCHECK(echoes(c));

    /* Port, protocol, host and net unreachable quoting SND.UNA (nothing in
     * flight: SND.UNA == SND.MAX, the one sequence number RFC 5927 lets
     * through), each from B's address and from a stranger's. */
    for (uint8_t code = 0; code <= 3; code++) {
        icmp_about(raw, a, B_ADDR, c, code, c->snd_una);
        icmp_about(raw, a, 0xc6120077, c, code, c->snd_una);
        atoll_sleep(ATOLL_MS(5));
        NCHECK_EQ(c->state, TCP_ESTABLISHED);
        NCHECK(c->soft_error != 0);
    }
    NCHECK_EQ(c->soft_error, -ATOLL_ECONNREFUSED); /* the last: port */
    /* The connection works, and the ACK of new data clears the error. */
    NCHECK(echoes(c));
    NCHECK_EQ(c->soft_error, 0);
    /* Outside [SND.UNA, SND.MAX]: not even remembered. */
    icmp_about(raw, a, B_ADDR, c, 3, c->snd_una + 100000);
    atoll_sleep(ATOLL_MS(5));
    NCHECK_EQ(c->soft_error, 0);

    /* A soft error is what a timeout reports: then the wire loses every
     * frame, and A's data is retransmitted until it gives up. */
    icmp_about(raw, a, B_ADDR, c, 1, c->snd_una);
    atoll_sleep(ATOLL_MS(5));
    NCHECK_EQ(
        atoll_sim_wire_configure(
            "w", &(struct atoll_sim_wire_opts){.loss = 1, .pcap = net_pcap}),
        0);
    NCHECK_EQ(atoll_tcp_write(c, "lost", 4, atoll_after(ATOLL_SEC(1))), 4);
    char buf[8];
    NCHECK_EQ(atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(3600))),
              -ATOLL_EHOSTUNREACH);
    atoll_tcp_close(c);
    atoll_stack_destroy(a);
    atoll_stack_destroy(b);
    return 0;
}

TEST(tcp_icmp, "ICMP errors are soft for an established connection "
               "(RFC 5927 4.1)")
{
    net_sim_begin("tcp-icmp", 11, (struct atoll_sim_wire_opts){.delay = 50000});
    CHECK_EQ(atoll_test_run(0, established_main, NULL), 0);
    net_sim_end();
}

struct connecting {
    struct atoll_stack *s;
    int result;
};

static int connect_fiber(void *arg)
{
    struct connecting *k = arg;
    struct atoll_tcp_conn *c;
    k->result = atoll_tcp_connect(k->s, atoll_addr4(NOBODY), 80,
                                  atoll_after(ATOLL_SEC(60)), &c);
    if (k->result == 0)
        atoll_tcp_close(c);
    return 0;
}

static int syn_sent_main(void *arg)
{
    struct atoll_stack *a = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    struct atoll_netif *raw = net_raw("router", "w");
    struct connecting k = {a, 1};
    atoll_fiber *f;
    atoll_fiber_spawn(&f, "connect", connect_fiber, &k, 0);
    atoll_sleep(ATOLL_MS(5));
    struct tcp_stack *ts = net_tcp_get(a);
    struct atoll_tcp_conn *c = ts->all;
    NCHECK(c && c->state == TCP_SYN_SENT);
    /* A sequence number not sent: ignored. */
    icmp_about(raw, a, 0xc6120001, c, 1, c->iss + 5000);
    atoll_sleep(ATOLL_MS(5));
    NCHECK_EQ(k.result, 1);
    /* Host unreachable about our SYN: the connect fails at once. */
    icmp_about(raw, a, 0xc6120001, c, 1, c->iss);
    atoll_fiber_join(f, atoll_after(ATOLL_SEC(1)), NULL);
    NCHECK_EQ(k.result, -ATOLL_EHOSTUNREACH);
    atoll_stack_destroy(a);
    return 0;
}

TEST(tcp_icmp, "an ICMP unreachable about our SYN fails the connect")
{
    net_sim_begin("tcp-icmp-syn", 12,
                  (struct atoll_sim_wire_opts){.delay = 50000});
    CHECK_EQ(atoll_test_run(0, syn_sent_main, NULL), 0);
    net_sim_end();
}
