/*
 * tests/sim/tcp_poll.c - holding many TCP connections cheaply (issue 17,
 * D3): pollers (one-shot hand-over, one waiter per connection, readable,
 * writable, deadlines, disarm on close), idle connections giving their
 * buffers back, and what happens at the limits: SYNs refused with one RST
 * each while the heap is down to its reserve, a full accept queue that
 * resets nobody, and the established connections working throughout.
 */
#include "../../lib/net/tcp_int.h"
#include "atoll/tcp.h"
#include "net_util.h"

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

/* Connect n clients of sa to port on sb and accept them: cli[i] <-> srv[i]. */
static void pairs(struct atoll_tcp_listener *l, uint16_t port, int n,
                  struct atoll_tcp_conn **cli, struct atoll_tcp_conn **srv)
{
    for (int i = 0; i < n; i++) {
        NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), port,
                                    atoll_after(ATOLL_SEC(10)), &cli[i]),
                  0);
        NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(10)), &srv[i]), 0);
    }
}

/* ---- hand-over ------------------------------------------------------------
 */

struct waiter {
    struct atoll_tcp_poller *p;
    struct atoll_tcp_ready r;
    int n;
};

static int wait_one(void *arg)
{
    struct waiter *w = arg;
    w->n = atoll_tcp_poller_wait(w->p, &w->r, 1, atoll_after(ATOLL_SEC(10)));
    return 0;
}

static int handover_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *cli[3], *srv[3];
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    pairs(l, 80, 3, cli, srv);
    struct atoll_tcp_poller *p;
    NCHECK_EQ(atoll_tcp_poller_create(&p), 0);
    int tag[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++)
        NCHECK_EQ(atoll_tcp_poller_arm(p, srv[i], ATOLL_TCP_READABLE,
                                       ATOLL_NEVER, &tag[i]),
                  0);
    NCHECK_EQ(atoll_tcp_poller_arm(p, srv[0], 0, ATOLL_NEVER, NULL),
              -ATOLL_EINVAL);
    struct atoll_tcp_ready r[4];
    /* Nothing to read yet. */
    NCHECK_EQ(atoll_tcp_poller_wait(p, r, 4, atoll_after(ATOLL_MS(100))),
              -ATOLL_ETIMEDOUT);

    /* Data on one: handed back once, with its tag, then disarmed. */
    NCHECK_EQ(atoll_tcp_write(cli[1], "x", 1, atoll_after(ATOLL_SEC(1))), 1);
    NCHECK_EQ(atoll_tcp_poller_wait(p, r, 4, atoll_after(ATOLL_SEC(1))), 1);
    NCHECK(r[0].conn == srv[1] && r[0].user == &tag[1]);
    NCHECK_EQ(r[0].events, ATOLL_TCP_READABLE);
    NCHECK_EQ(atoll_tcp_poller_wait(p, r, 4, atoll_after(ATOLL_MS(100))),
              -ATOLL_ETIMEDOUT); /* one-shot: not again, though unread */
    /* Armed again while its data waits: ready at once. */
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(atoll_tcp_poller_arm(p, srv[1], ATOLL_TCP_READABLE, ATOLL_NEVER,
                                   &tag[1]),
              0);
    NCHECK_EQ(atoll_tcp_poller_wait(p, r, 4, atoll_after(ATOLL_SEC(1))), 1);
    NCHECK(r[0].conn == srv[1] && atoll_now() == t0);
    char c;
    NCHECK_EQ(atoll_tcp_read(srv[1], &c, 1, 0), 1);
    NCHECK_EQ(atoll_tcp_read(srv[1], &c, 1, 0), -ATOLL_ETIMEDOUT);

    /* Two waiters, two ready connections: one each. */
    struct waiter w1 = {p, {0}, 0}, w2 = {p, {0}, 0};
    atoll_fiber *f1, *f2;
    atoll_fiber_spawn(&f1, "waiter 1", wait_one, &w1, 0);
    atoll_fiber_spawn(&f2, "waiter 2", wait_one, &w2, 0);
    atoll_yield();
    NCHECK_EQ(atoll_tcp_write(cli[0], "a", 1, atoll_after(ATOLL_SEC(1))), 1);
    NCHECK_EQ(atoll_tcp_write(cli[2], "c", 1, atoll_after(ATOLL_SEC(1))), 1);
    atoll_fiber_join(f1, ATOLL_NEVER, NULL);
    atoll_fiber_join(f2, ATOLL_NEVER, NULL);
    NCHECK(w1.n == 1 && w2.n == 1);
    NCHECK((w1.r.conn == srv[0] && w2.r.conn == srv[2]) ||
           (w1.r.conn == srv[2] && w2.r.conn == srv[0]));

    /* End of stream and a reset are readable too. */
    NCHECK_EQ(
        atoll_tcp_poller_arm(p, srv[0], ATOLL_TCP_READABLE, ATOLL_NEVER, NULL),
        0);
    NCHECK_EQ(
        atoll_tcp_poller_arm(p, srv[2], ATOLL_TCP_READABLE, ATOLL_NEVER, NULL),
        0);
    NCHECK_EQ(atoll_tcp_read(srv[0], &c, 1, 0), 1); /* "a", armed meanwhile */
    NCHECK_EQ(atoll_tcp_read(srv[2], &c, 1, 0), 1);
    NCHECK_EQ(atoll_tcp_shutdown(cli[0]), 0);
    atoll_tcp_abort(cli[2]);
    int got = 0;
    while (got < 2) {
        int n = atoll_tcp_poller_wait(p, r, 4, atoll_after(ATOLL_SEC(1)));
        NCHECK(n > 0);
        got += n;
    }
    NCHECK_EQ(atoll_tcp_read(srv[0], &c, 1, 0), 0);
    NCHECK_EQ(atoll_tcp_read(srv[2], &c, 1, 0), -ATOLL_ECONNRESET);

    /* Closing disarms; the poller goes only when nothing is armed. */
    NCHECK_EQ(
        atoll_tcp_poller_arm(p, srv[1], ATOLL_TCP_READABLE, ATOLL_NEVER, NULL),
        0);
    NCHECK_EQ(atoll_tcp_poller_destroy(p), -ATOLL_EBUSY);
    atoll_tcp_close(srv[0]);
    atoll_tcp_close(srv[2]);
    atoll_tcp_close(srv[1]);
    NCHECK_EQ(atoll_tcp_poller_destroy(p), 0);
    atoll_tcp_close(cli[0]);
    atoll_tcp_close(cli[1]); /* cli[2] was aborted: released already */
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_poll, "a poller hands each ready connection to one waiter, once")
{
    net_sim_begin("tcp-poll", 21,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, handover_main, NULL), 0);
    net_sim_end();
}

/* ---- writable and deadlines
 * ---------------------------------------------------------- */

static int writable_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *cli, *srv;
    NCHECK_EQ(atoll_tcp_listen(sb, 80, 0, &l), 0);
    pairs(l, 80, 1, &cli, &srv);
    struct atoll_tcp_poller *p;
    NCHECK_EQ(atoll_tcp_poller_create(&p), 0);
    struct atoll_tcp_ready r;
    /* An empty send buffer is writable. */
    NCHECK_EQ(
        atoll_tcp_poller_arm(p, srv, ATOLL_TCP_WRITABLE, ATOLL_NEVER, NULL), 0);
    NCHECK_EQ(atoll_tcp_poller_wait(p, &r, 1, atoll_after(ATOLL_SEC(1))), 1);
    NCHECK_EQ(r.events, ATOLL_TCP_WRITABLE);

    /* The client reads nothing: fill everything without ever blocking. */
    static uint8_t chunk[16384];
    uint64_t sent = 0;
    for (;;) {
        int room = atoll_tcp_write_room(srv, sizeof chunk);
        NCHECK(room >= 0);
        if (room == 0) {
            atoll_sleep(ATOLL_MS(500)); /* in flight: let it land */
            if ((room = atoll_tcp_write_room(srv, sizeof chunk)) == 0)
                break;
        }
        NCHECK_EQ(atoll_tcp_write(srv, chunk, (size_t)room, 0), room);
        sent += (uint64_t)room;
    }
    NCHECK(sent >= TCP_SNDBUF_MAX);
    /* Not writable: the deadline passes first, at its time. */
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(atoll_tcp_poller_arm(p, srv, ATOLL_TCP_WRITABLE,
                                   atoll_after(ATOLL_SEC(2)), NULL),
              0);
    NCHECK_EQ(atoll_tcp_poller_wait(p, &r, 1, atoll_after(ATOLL_SEC(10))), 1);
    NCHECK_EQ(r.events, ATOLL_TCP_EXPIRED);
    NCHECK_EQ(atoll_now() - t0, ATOLL_SEC(2));
    /* The client reads: room comes back. */
    NCHECK_EQ(
        atoll_tcp_poller_arm(p, srv, ATOLL_TCP_WRITABLE, ATOLL_NEVER, NULL), 0);
    static uint8_t in[65536];
    uint64_t got = 0;
    while (got < 256 * 1024) {
        int n = atoll_tcp_read(cli, in, sizeof in, atoll_after(ATOLL_SEC(5)));
        NCHECK(n > 0);
        got += (uint64_t)n;
    }
    NCHECK_EQ(atoll_tcp_poller_wait(p, &r, 1, atoll_after(ATOLL_SEC(5))), 1);
    NCHECK_EQ(r.events, ATOLL_TCP_WRITABLE);
    NCHECK(atoll_tcp_write_room(srv, sizeof chunk) >= TCP_SND_LOWAT);
    atoll_tcp_abort(srv);
    atoll_tcp_abort(cli);
    NCHECK_EQ(atoll_tcp_poller_destroy(p), 0);
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_poll, "writable waits for room; a deadline expires on time")
{
    net_sim_begin("tcp-poll-wr", 22,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(64u << 20, writable_main, NULL), 0);
    net_sim_end();
}

/* ---- idle connections give their buffers back
 * ---------------------------------------- */

#define IDLE_N 500

/* `len` bytes each way on every pair, read in full. */
static void exchange(struct atoll_tcp_conn **cli, struct atoll_tcp_conn **srv,
                     size_t len)
{
    static uint8_t buf[8192];
    NCHECK(len <= sizeof buf);
    for (int i = 0; i < IDLE_N; i++) {
        NCHECK_EQ(atoll_tcp_write(cli[i], buf, len, 0), (int)len);
        NCHECK_EQ(atoll_tcp_write(srv[i], buf, len, 0), (int)len);
    }
    for (int i = 0; i < IDLE_N; i++)
        for (int side = 0; side < 2; side++)
            for (size_t got = 0; got < len;) {
                int n = atoll_tcp_read(side ? cli[i] : srv[i], buf, len - got,
                                       atoll_after(ATOLL_SEC(5)));
                NCHECK(n > 0);
                got += (size_t)n;
            }
    atoll_sleep(ATOLL_MS(100)); /* the last ACKs land */
}

static int idle_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    static struct atoll_tcp_conn *cli[IDLE_N], *srv[IDLE_N];
    NCHECK_EQ(atoll_tcp_listen(sb, 80, IDLE_N, &l), 0);
    atoll_sleep(ATOLL_SEC(2)); /* ARP and the like settle first */
    struct atoll_mem_stats m0, m1, m2, m3;
    atoll_mem_stats(&m0);
    pairs(l, 80, IDLE_N, cli, srv);
    /* Short exchanges: the small rings go as soon as they are empty. */
    exchange(cli, srv, 16);
    atoll_mem_stats(&m1);
    /* Bulkier ones: the grown rings stay while the connection is busy,
     * and go once it has been quiet for TCP_BUF_IDLE_NS. */
    exchange(cli, srv, 8192);
    atoll_mem_stats(&m2);
    atoll_sleep(TCP_BUF_IDLE_NS + ATOLL_SEC(1));
    atoll_mem_stats(&m3);
    size_t small = (m1.in_use - m0.in_use) / (2 * IDLE_N);
    size_t busy = (m2.in_use - m0.in_use) / (2 * IDLE_N);
    size_t idle = (m3.in_use - m0.in_use) / (2 * IDLE_N);
    printf("       per connection: %zu bytes after 16-byte exchanges, %zu "
           "after 8 KiB ones, %zu once quiet (record %zu)\n",
           small, busy, idle, sizeof(struct atoll_tcp_conn));
    NCHECK(small < 1024);
    NCHECK(busy >= 2 * 8192); /* both grown rings were kept */
    NCHECK(idle < 1024);      /* and then went */
    /* Traffic again: the buffers come back. */
    NCHECK_EQ(atoll_tcp_write(cli[7], "again", 5, 0), 5);
    char buf[8];
    NCHECK_EQ(
        atoll_tcp_read(srv[7], buf, sizeof buf, atoll_after(ATOLL_SEC(5))), 5);
    for (int i = 0; i < IDLE_N; i++) {
        atoll_tcp_abort(cli[i]);
        atoll_tcp_abort(srv[i]);
    }
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_poll, "a quiet connection gives its buffers back")
{
    net_sim_begin("tcp-idle", 23,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(100)});
    CHECK_EQ(atoll_test_run(64u << 20, idle_main, NULL), 0);
    net_sim_end();
}

/* ---- limits
 * ------------------------------------------------------------------------ */

/* 64 KiB through the echo on `c`, every byte checked. */
static void echo_check(struct atoll_tcp_conn *c, uint8_t seed)
{
    static uint8_t out[65536], in[65536];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 7 + seed);
    NCHECK_EQ(atoll_tcp_write(c, out, sizeof out, atoll_after(ATOLL_SEC(10))),
              (int)sizeof out);
    size_t got = 0;
    while (got < sizeof in) {
        int n = atoll_tcp_read(c, in + got, sizeof in - got,
                               atoll_after(ATOLL_SEC(10)));
        NCHECK(n > 0);
        got += (size_t)n;
    }
    NCHECK(memcmp(in, out, sizeof in) == 0);
}

static int reserve_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *cli, *srv;
    NCHECK_EQ(atoll_tcp_listen(sb, 7, 0, &l), 0);
    pairs(l, 7, 1, &cli, &srv);
    atoll_fiber_spawn(NULL, "echo", net_echo_conn, srv, 0);
    echo_check(cli, 1);

    /* Less free than the reserve: SYNs are refused, one RST each. */
    struct atoll_mem_stats m;
    atoll_mem_stats(&m);
    void *ballast =
        net_ballast_fill(m.region_size / 100 * TCP_ACCEPT_MEM_RESERVE_PCT / 2);
    struct atoll_tcp_stats b0, b1;
    atoll_tcp_stats(sb, &b0);
    for (int i = 0; i < 10; i++) {
        struct atoll_tcp_conn *x;
        atoll_time_t t0 = atoll_now();
        NCHECK_EQ(atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 7,
                                    atoll_after(ATOLL_SEC(10)), &x),
                  -ATOLL_ECONNREFUSED);
        NCHECK(atoll_now() - t0 < ATOLL_MS(10)); /* at once: no retries */
    }
    atoll_tcp_stats(sb, &b1);
    NCHECK_EQ(b1.refused - b0.refused, 10);
    NCHECK_EQ(b1.rst_sent - b0.rst_sent, 10);
    NCHECK_EQ(b1.conns, b0.conns); /* no half-open record kept */
    /* The established connection is untouched and still echoes. */
    echo_check(cli, 2);
    atoll_tcp_stats(sb, &b1);
    NCHECK_EQ(b1.rst_sent - b0.rst_sent, 10);

    /* Memory back: a new client is served. */
    net_ballast_free(ballast);
    struct atoll_tcp_conn *c2, *s2;
    pairs(l, 7, 1, &c2, &s2);
    atoll_fiber_spawn(NULL, "echo", net_echo_conn, s2, 0);
    echo_check(c2, 3);
    atoll_tcp_close(c2);
    atoll_tcp_close(cli);
    atoll_sleep(ATOLL_SEC(1));
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_poll, "at the memory reserve SYNs are refused, connections go on")
{
    net_sim_begin("tcp-reserve", 24,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(16u << 20, reserve_main, NULL), 0);
    net_sim_end();
}

struct dialer {
    struct atoll_tcp_conn *c;
    int err;
};

static int dial(void *arg)
{
    struct dialer *d = arg;
    d->err = atoll_tcp_connect(sa, atoll_addr4(B_ADDR), 7,
                               atoll_after(ATOLL_SEC(30)), &d->c);
    if (d->err == 0)
        d->err = atoll_tcp_write(d->c, "hi", 2, atoll_after(ATOLL_SEC(30)));
    return 0;
}

static int backlog_main(void *arg)
{
    two_stacks();
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen(sb, 7, 1, &l), 0);
    /* Two clients at once: both SYNs find room, but the accept queue
     * holds one.  The second's handshake waits; nobody is reset. */
    struct dialer d[2] = {{NULL, 1}, {NULL, 1}};
    atoll_fiber *f[2];
    atoll_fiber_spawn(&f[0], "dial 0", dial, &d[0], 0);
    atoll_fiber_spawn(&f[1], "dial 1", dial, &d[1], 0);
    atoll_sleep(ATOLL_SEC(3));
    struct atoll_tcp_conn *s[2];
    for (int i = 0; i < 2; i++) {
        NCHECK_EQ(atoll_tcp_accept(l, atoll_after(ATOLL_SEC(30)), &s[i]), 0);
        char buf[4];
        NCHECK_EQ(
            atoll_tcp_read(s[i], buf, sizeof buf, atoll_after(ATOLL_SEC(30))),
            2);
    }
    for (int i = 0; i < 2; i++) {
        atoll_fiber_join(f[i], ATOLL_NEVER, NULL);
        NCHECK_EQ(d[i].err, 2);
    }
    struct atoll_tcp_stats st;
    atoll_tcp_stats(sb, &st);
    NCHECK_EQ(st.rst_sent, 0);
    NCHECK(st.syn_dropped >= 1);
    for (int i = 0; i < 2; i++) {
        atoll_tcp_close(s[i]);
        atoll_tcp_close(d[i].c);
    }
    atoll_sleep(ATOLL_SEC(1));
    atoll_tcp_listener_close(l);
    finish();
    return 0;
}

TEST(tcp_poll, "a full accept queue delays a handshake and resets nobody")
{
    net_sim_begin("tcp-backlog", 25,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(0, backlog_main, NULL), 0);
    net_sim_end();
}
