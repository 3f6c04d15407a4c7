/*
 * tests/sim/tcp_basic.c - TCP between stacks on a simulated wire, on
 * virtual time: connect/accept/read/write/close, negotiated options,
 * simultaneous open and close, RST cases, keepalive, the flow interface,
 * connections in numbers and a SYN flood.  Failing cases print their seed
 * and keep their pcap (tests/sim/net_util.h).
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "net_util.h"

#define A_ADDR 0xc6120002u /* 198.18.0.2 */
#define B_ADDR 0xc6120003u /* 198.18.0.3 */

static struct atoll_stack *sa, *sb;

static void two_stacks(void)
{
    sa = net_mkstack("a", "w", "198.18.0.2/24", NULL);
    sb = net_mkstack("b", "w", "198.18.0.3/24", NULL);
}

static void finish(void)
{
    atoll_stack_destroy(sa);
    atoll_stack_destroy(sb);
}

/* ---- connect, echo, orderly close
 * ------------------------------------------------ */

struct echo_srv {
    struct atoll_tcp_listener *l;
    int conns; /* how many to serve */
    int served;
};

static int echo_server(void *arg)
{
    struct echo_srv *e = arg;
    while (e->served < e->conns) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(e->l, atoll_after(ATOLL_SEC(120)), &c) < 0)
            break;
        e->served++;
        atoll_fiber_spawn(NULL, "echo conn", net_echo_conn, c, 0);
    }
    return 0;
}

static int basic_main(void *arg)
{
    two_stacks();
    struct echo_srv e = {NULL, 1, 0};
    NCHECK_EQ(atoll_tcp_listen(sb, 7, 0, &e.l), 0);
    struct atoll_tcp_listener *dup;
    NCHECK_EQ(atoll_tcp_listen(sb, 7, 0, &dup), -ATOLL_EADDRINUSE);
    atoll_fiber *srv;
    atoll_fiber_spawn(&srv, "echo", echo_server, &e, 0);

    struct atoll_tcp_conn *c;
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 7,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    struct atoll_tcp_info ti;
    atoll_tcp_info(c, &ti);
    NCHECK(strcmp(ti.state, "ESTABLISHED") == 0);
    NCHECK(ti.sack && ti.timestamps);
    NCHECK(ti.snd_wscale != 0xff && ti.rcv_wscale != 0xff);
    NCHECK_EQ(ti.mss, 1460 - 12);
    atoll_addr_t pa;
    uint16_t pp;
    atoll_tcp_peer(c, &pa, &pp);
    NCHECK_EQ(pa.family, ATOLL_AF_INET);
    NCHECK_EQ(pa.v4, B_ADDR);
    NCHECK_EQ(pp, 7);

    struct atoll_flow *f = atoll_tcp_flow(c);
    const char *msg = "hello, atoll\n";
    NCHECK_EQ(atoll_flow_write(f, msg, strlen(msg), atoll_after(ATOLL_SEC(5))),
              (int)strlen(msg));
    char buf[64] = {0};
    size_t got = 0;
    while (got < strlen(msg)) {
        int n = atoll_flow_read(f, buf + got, sizeof buf - 1 - got,
                                atoll_after(ATOLL_SEC(5)));
        NCHECK(n > 0);
        got += (size_t)n;
    }
    NCHECK(strcmp(buf, msg) == 0);
    /* A read with nothing to read times out at its deadline. */
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_MS(300))),
              -ATOLL_ETIMEDOUT);
    NCHECK(atoll_now() - t0 >= ATOLL_MS(300));
    /* We close first: the server sees end of stream and closes too. */
    NCHECK_EQ(atoll_tcp_shutdown(c), 0);
    NCHECK_EQ(atoll_tcp_write(c, "x", 1, ATOLL_NEVER), -ATOLL_ECLOSED);
    NCHECK_EQ(atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(5))), 0);
    atoll_tcp_info(c, &ti);
    NCHECK(strcmp(ti.state, "TIME_WAIT") == 0);
    NCHECK_EQ(atoll_tcp_close(c), 0);
    atoll_fiber_join(srv, ATOLL_NEVER, NULL);
    atoll_sleep(ATOLL_SEC(1));
    struct atoll_tcp_stats st;
    atoll_tcp_stats(sb, &st);
    NCHECK_EQ(st.conns, 0); /* the server side is fully closed */
    atoll_tcp_stats(sa, &st);
    NCHECK_EQ(st.conns, 1); /* TIME_WAIT */
    atoll_sleep(2 * TCP_MSL_NS + ATOLL_SEC(1));
    atoll_tcp_stats(sa, &st);
    NCHECK_EQ(st.conns, 0);
    atoll_tcp_listener_close(e.l);
    finish();
    return 0;
}

TEST(tcp_sim, "connect, echo through the flow interface, close, TIME_WAIT")
{
    net_sim_begin("tcp-basic", 1,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, basic_main, NULL), 0);
    net_sim_end();
}

/* ---- simultaneous open and close
 * ----------------------------------------------------- */

struct simul {
    struct atoll_stack *s;
    atoll_ipv4_t peer;
    uint16_t lport, rport;
    int result;
    struct atoll_tcp_conn *c;
};

static int simul_connect(void *arg)
{
    struct simul *m = arg;
    m->result =
        atoll_tcp_connect_from(m->s, m->lport, atoll_addr4(m->peer), m->rport,
                               atoll_after(ATOLL_SEC(10)), &m->c);
    return 0;
}

static int simul_main(void *arg)
{
    two_stacks();
    /* Let ARP settle so both SYNs leave at the same instant. */
    atoll_sleep(ATOLL_SEC(1));
    struct simul ma = {sa, B_ADDR, 4000, 5000, 1, NULL};
    struct simul mb = {sb, A_ADDR, 5000, 4000, 1, NULL};
    atoll_fiber *fa, *fb;
    atoll_fiber_spawn(&fa, "open a", simul_connect, &ma, 0);
    atoll_fiber_spawn(&fb, "open b", simul_connect, &mb, 0);
    atoll_fiber_join(fa, ATOLL_NEVER, NULL);
    atoll_fiber_join(fb, ATOLL_NEVER, NULL);
    NCHECK_EQ(ma.result, 0);
    NCHECK_EQ(mb.result, 0);
    struct atoll_tcp_stats st;
    atoll_tcp_stats(sa, &st);
    NCHECK_EQ(st.passive_opens, 0); /* nobody listened: a true
                                       simultaneous open */
    /* Data both ways over it. */
    NCHECK_EQ(atoll_tcp_write(ma.c, "ping", 4, atoll_after(ATOLL_SEC(5))), 4);
    NCHECK_EQ(atoll_tcp_write(mb.c, "pong", 4, atoll_after(ATOLL_SEC(5))), 4);
    char buf[8] = {0};
    NCHECK_EQ(atoll_tcp_read(mb.c, buf, 4, atoll_after(ATOLL_SEC(5))), 4);
    NCHECK(memcmp(buf, "ping", 4) == 0);
    NCHECK_EQ(atoll_tcp_read(ma.c, buf, 4, atoll_after(ATOLL_SEC(5))), 4);
    NCHECK(memcmp(buf, "pong", 4) == 0);
    /* Simultaneous close: both FINs cross, both go through CLOSING. */
    NCHECK_EQ(atoll_tcp_shutdown(ma.c), 0);
    NCHECK_EQ(atoll_tcp_shutdown(mb.c), 0);
    atoll_sleep(ATOLL_MS(100));
    struct atoll_tcp_info ia, ib;
    atoll_tcp_info(ma.c, &ia);
    atoll_tcp_info(mb.c, &ib);
    NCHECK(strcmp(ia.state, "TIME_WAIT") == 0);
    NCHECK(strcmp(ib.state, "TIME_WAIT") == 0);
    NCHECK_EQ(atoll_tcp_read(ma.c, buf, 4, atoll_after(ATOLL_SEC(1))), 0);
    atoll_tcp_close(ma.c);
    atoll_tcp_close(mb.c);
    finish();
    return 0;
}

TEST(tcp_sim, "simultaneous open and simultaneous close")
{
    net_sim_begin("tcp-simul", 2,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(5)});
    CHECK_EQ(atoll_test_run(0, simul_main, NULL), 0);
    net_sim_end();
}

/* ---- RST cases
 * ------------------------------------------------------------------------ */

/* Hand a crafted segment from `src` to stack `s` as if IPv4 delivered
 * it (the checksum is made right). */
static void inject(struct atoll_stack *s, atoll_ipv4_t src, atoll_ipv4_t dst,
                   uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                   uint8_t flags, uint16_t wnd)
{
    struct atoll_buf *b = atoll_buf_alloc(NET_TCP_HEADROOM, TCP_HLEN);
    uint8_t *p = atoll_buf_put(b, TCP_HLEN);
    struct tcp_hdr h = {sport, dport, seq, ack, TCP_HLEN, flags, wnd, 0, 0};
    tcp_hdr_write(p, &h);
    uint16_t cs = net_csum_fold(net_csum_add(
        net_csum_pseudo(src, dst, NET_PROTO_TCP, TCP_HLEN), p, TCP_HLEN));
    p[16] = (uint8_t)(cs >> 8), p[17] = (uint8_t)cs;
    struct net_ip_info ip = {src, dst, NET_PROTO_TCP, 64, 0, NULL, 0};
    net_tcp_input(s, b, &ip);
}

static int rst_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_conn *c, *d;
    /* Connecting to a port nobody listens on: RST, refused. */
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 9,
                                atoll_after(ATOLL_SEC(5)), &c),
              -ATOLL_ECONNREFUSED);

    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d), 0);
    uint16_t cport;
    atoll_tcp_local(c, NULL, &cport);

    /* RFC 5961: a RST inside the window but not at RCV.NXT, and a SYN,
     * get challenge ACKs; the connection survives. */
    struct atoll_tcp_stats st0, st1;
    atoll_tcp_stats(sb, &st0);
    inject(sb, A_ADDR, B_ADDR, cport, 80, d->rcv_nxt + 1000, 0, TCP_RST, 0);
    inject(sb, A_ADDR, B_ADDR, cport, 80, d->rcv_nxt + 5, 0, TCP_SYN, 1000);
    /* An ACK for data never sent: challenge ACK, dropped. */
    inject(sb, A_ADDR, B_ADDR, cport, 80, d->rcv_nxt, d->snd_max + 100000,
           TCP_ACK, 1000);
    atoll_tcp_stats(sb, &st1);
    NCHECK_EQ(st1.challenge_acks - st0.challenge_acks, 3);
    atoll_sleep(ATOLL_MS(50));
    NCHECK_EQ(atoll_tcp_write(c, "ok", 2, atoll_after(ATOLL_SEC(5))), 2);
    char buf[8];
    NCHECK_EQ(atoll_tcp_read(d, buf, sizeof buf, atoll_after(ATOLL_SEC(5))), 2);
    /* A RST out of the window is ignored (and ACKed). */
    inject(sb, A_ADDR, B_ADDR, cport, 80, d->rcv_nxt + 0x40000000u, 0, TCP_RST,
           0);
    NCHECK(strcmp(tcp_state_name(d->state), "ESTABLISHED") == 0);
    /* The exact RST resets. */
    inject(sb, A_ADDR, B_ADDR, cport, 80, d->rcv_nxt, 0, TCP_RST, 0);
    NCHECK_EQ(atoll_tcp_read(d, buf, sizeof buf, atoll_after(ATOLL_SEC(5))),
              -ATOLL_ECONNRESET);
    atoll_tcp_close(d);
    atoll_tcp_abort(c);

    /* abort: the peer's reader sees ECONNRESET. */
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d), 0);
    atoll_tcp_abort(c);
    NCHECK_EQ(atoll_tcp_read(d, buf, sizeof buf, atoll_after(ATOLL_SEC(5))),
              -ATOLL_ECONNRESET);
    NCHECK_EQ(atoll_tcp_write(d, "x", 1, atoll_after(ATOLL_SEC(5))),
              -ATOLL_ECONNRESET);
    atoll_tcp_close(d);

    /* Closing with unread data resets the peer (RFC 9293 3.10.4). */
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d), 0);
    NCHECK_EQ(atoll_tcp_write(c, "unread", 6, atoll_after(ATOLL_SEC(5))), 6);
    atoll_sleep(ATOLL_MS(50));
    atoll_tcp_close(d);
    NCHECK_EQ(atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(5))),
              -ATOLL_ECONNRESET);
    atoll_tcp_close(c);
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_sim, "RST: closed port, RFC 5961 challenge ACKs, exact RST, abort")
{
    net_sim_begin("tcp-rst", 3,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, rst_main, NULL), 0);
    net_sim_end();
}

/* ---- keepalive
 * ------------------------------------------------------------------------- */

static int keepalive_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *c, *d;
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d), 0);
    NCHECK_EQ(atoll_tcp_set_keepalive(c, true, ATOLL_SEC(10), ATOLL_SEC(2), 3),
              0);
    char buf[8];
    /* While the peer is alive, probes are answered: still there after
     * a minute of silence. */
    NCHECK_EQ(atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(60))),
              -ATOLL_ETIMEDOUT);
    NCHECK(strcmp(tcp_state_name(c->state), "ESTABLISHED") == 0);
    /* The peer dies (the wire goes dark): detected within idle + 3
     * probes, not at the read's own deadline. */
    struct atoll_sim_wire_opts dark = {.loss = 1.0, .delay = ATOLL_MS(1)};
    atoll_sim_wire_configure("w", &dark);
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(600))),
              -ATOLL_ETIMEDOUT);
    atoll_time_t took = atoll_now() - t0;
    NCHECK(took >= ATOLL_SEC(6) && took <= ATOLL_SEC(17));
    atoll_tcp_close(c);
    atoll_tcp_abort(d);
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_sim, "keepalive detects a dead peer")
{
    net_sim_begin("tcp-keepalive", 4,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, keepalive_main, NULL), 0);
    net_sim_end();
}

/* ---- many connections
 * -------------------------------------------------------------------- */

#define NCONN 1000

struct many {
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *srv[NCONN];
    int accepted;
};

static int many_server(void *arg)
{
    struct many *m = arg;
    while (m->accepted < NCONN) {
        if (atoll_tcp_accept(m->l, atoll_after(ATOLL_SEC(60)),
                             &m->srv[m->accepted]) < 0)
            return -1;
        m->accepted++;
    }
    /* Echo one message on each, in turn. */
    for (int i = 0; i < NCONN; i++) {
        char buf[32];
        int n = atoll_tcp_read(m->srv[i], buf, sizeof buf,
                               atoll_after(ATOLL_SEC(60)));
        if (n <= 0 || atoll_tcp_write(m->srv[i], buf, (size_t)n,
                                      atoll_after(ATOLL_SEC(60))) != n)
            return -2;
    }
    return 0;
}

static int many_main(void *arg)
{
    two_stacks();
    static struct many m;
    static struct atoll_tcp_conn *cli[NCONN];
    NCHECK_EQ(atoll_tcp_listen(sb, 80, NCONN, &m.l), 0);
    atoll_fiber *srv;
    atoll_fiber_spawn(&srv, "many", many_server, &m, 0);
    for (int i = 0; i < NCONN; i++)
        NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                    atoll_after(ATOLL_SEC(10)), &cli[i]),
                  0);
    struct atoll_tcp_stats st;
    atoll_tcp_stats(sa, &st);
    NCHECK_EQ(st.conns, NCONN);
    for (int i = 0; i < NCONN; i++) {
        char msg[32];
        int n = snprintf(msg, sizeof msg, "conn %d", i);
        NCHECK_EQ(
            atoll_tcp_write(cli[i], msg, (size_t)n, atoll_after(ATOLL_SEC(10))),
            n);
    }
    for (int i = 0; i < NCONN; i++) {
        char msg[32], buf[32] = {0};
        int n = snprintf(msg, sizeof msg, "conn %d", i);
        NCHECK_EQ(atoll_tcp_read(cli[i], buf, sizeof buf - 1,
                                 atoll_after(ATOLL_SEC(10))),
                  n);
        NCHECK(strcmp(buf, msg) == 0);
    }
    int r;
    atoll_fiber_join(srv, ATOLL_NEVER, &r);
    NCHECK_EQ(r, 0);
    atoll_tcp_stats(sb, &st);
    NCHECK_EQ(st.conns, NCONN);
    for (int i = 0; i < NCONN; i++) {
        atoll_tcp_close(cli[i]);
        atoll_tcp_close(m.srv[i]);
    }
    atoll_sleep(2 * TCP_MSL_NS + ATOLL_SEC(2));
    atoll_tcp_stats(sa, &st);
    NCHECK_EQ(st.conns, 0);
    atoll_tcp_stats(sb, &st);
    NCHECK_EQ(st.conns, 0);
    atoll_tcp_listener_close(m.l);
    finish();
    return 0;
}

TEST(tcp_sim, "1000 concurrent connections")
{
    net_sim_begin("tcp-many", 5,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(100)});
    CHECK_EQ(atoll_test_run(128u << 20, many_main, NULL), 0);
    net_sim_end();
}

/* ---- SYN flood
 * ------------------------------------------------------------------------------
 */

static int flood_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *c, *d;
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d), 0);
    struct atoll_mem_stats m0, m1;
    atoll_mem_stats(&m0);
    /* 20000 SYNs from spoofed addresses (198.19.x.x: off-link, no
     * gateway, so the SYN-ACKs go nowhere). */
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        inject(sb, 0xc6130000u | (x >> 16), B_ADDR,
               (uint16_t)(1024 + (x & 0x7fff)), 80, x, 0, TCP_SYN, 65535);
        if (i % 500 == 0)
            atoll_yield();
    }
    struct atoll_tcp_stats st;
    atoll_tcp_stats(sb, &st);
    NCHECK(st.conns <= TCP_SYN_BACKLOG_MAX + 1);
    NCHECK(st.syn_dropped >= 20000 - TCP_SYN_BACKLOG_MAX);
    atoll_mem_stats(&m1);
    NCHECK(m1.in_use - m0.in_use < (size_t)(TCP_SYN_BACKLOG_MAX + 8) * 2048);
    /* The established connection still works, and a new one gets in. */
    NCHECK_EQ(atoll_tcp_write(c, "alive", 5, atoll_after(ATOLL_SEC(5))), 5);
    char buf[8];
    NCHECK_EQ(atoll_tcp_read(d, buf, sizeof buf, atoll_after(ATOLL_SEC(5))), 5);
    struct atoll_tcp_conn *c2, *d2;
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(30)), &c2),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d2), 0);
    /* Half-open connections give up after their SYN-ACK retries. */
    atoll_sleep(ATOLL_SEC(200));
    atoll_tcp_stats(sb, &st);
    NCHECK_EQ(st.conns, 2);
    atoll_tcp_abort(c);
    atoll_tcp_abort(c2);
    atoll_tcp_abort(d);
    atoll_tcp_abort(d2);
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_sim, "a SYN flood leaves established connections working")
{
    net_sim_begin("tcp-synflood", 6,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(64u << 20, flood_main, NULL), 0);
    net_sim_end();
}

/* ---- closing a listener that fibers wait on
 * ------------------------------------------------ */

static int accept_waiter(void *arg)
{
    struct atoll_tcp_conn *c;
    return atoll_tcp_accept(arg, atoll_after(ATOLL_SEC(60)), &c);
}

static int close_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    atoll_fiber *w[3];
    for (int i = 0; i < 3; i++)
        NCHECK_EQ(atoll_fiber_spawn(&w[i], "accept", accept_waiter, l, 0), 0);
    atoll_sleep(ATOLL_MS(10)); /* all three block in accept */
    atoll_time_t t0 = atoll_now();
    atoll_tcp_listener_close(l);
    for (int i = 0; i < 3; i++) {
        int rc = 0;
        NCHECK_EQ(atoll_fiber_join(w[i], atoll_after(ATOLL_SEC(1)), &rc), 0);
        NCHECK_EQ(rc, -ATOLL_ECLOSED);
    }
    NCHECK(atoll_now() - t0 < ATOLL_SEC(1)); /* woken, not timed out */
    /* The port is free again: a new listener takes it and serves. */
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    struct atoll_tcp_conn *c, *d;
    NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 80,
                                atoll_after(ATOLL_SEC(5)), &c),
              0);
    NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(5)), &d), 0);
    atoll_tcp_abort(c);
    atoll_tcp_abort(d);
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_sim, "closing a listener wakes the fibers in accept with ECLOSED")
{
    net_sim_begin("tcp-lclose", 7, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(16u << 20, close_main, NULL), 0);
    net_sim_end();
}
