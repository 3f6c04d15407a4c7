/*
 * tests/sim/echo_idle.c - examples/echo's own TCP service
 * (examples/echo/tcp_echo.c, linked in by the Makefile) holding many idle
 * connections (issue 17, D3): they cost only TCP's record, a new client is
 * still served, peers that vanish are found by keepalive and their
 * connections freed, and with an idle deadline quiet connections are reset
 * while busy ones stay.
 *
 * A vanished peer is a client stack behind a network interface the test
 * unplugs (every frame dropped both ways): to the echo it is a host that
 * stopped answering, not one that said goodbye.
 */
#include "../../examples/echo/echo.h"
#include "atoll/tcp.h"
#include "net_util.h"

#define SRV_ADDR 0xc6120003u /* 198.18.0.3 */
#define N_LIVE   2000
#define N_GONE   200

/* ---- a network interface that can be unplugged
 * -------------------------------- */

struct plug {
    struct atoll_netif *inner;
    bool unplugged;
    struct atoll_netif nif;
};

static int plug_recv(void *st, struct atoll_buf **frames, int max,
                     atoll_time_t deadline)
{
    struct plug *p = st;
    for (;;) {
        int n = atoll_netif_recv(p->inner, frames, max, deadline);
        if (n <= 0 || !p->unplugged)
            return n;
        for (int i = 0; i < n; i++)
            atoll_buf_free(frames[i]);
    }
}

static int plug_send(void *st, struct atoll_buf *const *frames, int n)
{
    struct plug *p = st;
    return p->unplugged ? n : atoll_netif_send(p->inner, frames, n);
}

static void plug_info(void *st, struct atoll_netif_info *out)
{
    struct plug *p = st;
    atoll_netif_info(p->inner, out);
}

static void plug_stats(void *st, struct atoll_netif_stats *out)
{
    struct plug *p = st;
    atoll_netif_stats(p->inner, out);
}

static const struct atoll_netif_ops plug_ops = {plug_recv, plug_send, plug_info,
                                                plug_stats};

static struct atoll_stack *plugged_stack(struct plug *p, const char *port,
                                         const char *addr)
{
    char err[256] = "";
    if (plat_net_attach(port, "w", err, sizeof err) < 0 ||
        atoll_netif_open_default(port, &p->inner) < 0)
        harness_fail(__FILE__, __LINE__, "port %s: %s", port, err);
    p->nif.ops = &plug_ops;
    p->nif.state = p;
    struct atoll_stack_config c = {0};
    atoll_ipv4_parse(addr, &c.addr, &c.prefix);
    struct atoll_stack *s;
    if (atoll_stack_create(port, &p->nif, &c, &s) < 0)
        harness_fail(__FILE__, __LINE__, "stack %s", port);
    return s;
}

/* ---- helpers
 * ----------------------------------------------------------------- */

static struct echo_tcp echo;

static void start_echo(struct atoll_stack *srv, atoll_time_t idle,
                       atoll_time_t keepalive)
{
    echo =
        (struct echo_tcp){.stack = srv, .idle = idle, .keepalive = keepalive};
    NCHECK_EQ(atoll_fiber_spawn(NULL, "echo tcp", echo_tcp, &echo, 0), 0);
}

/* `len` bytes there and back on `c`, checked. */
static void echo_bytes(struct atoll_tcp_conn *c, size_t len, uint8_t seed)
{
    static uint8_t out[65536], in[65536];
    NCHECK(len <= sizeof out);
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 13 + seed);
    NCHECK_EQ(atoll_tcp_write(c, out, len, atoll_after(ATOLL_SEC(10))),
              (int)len);
    size_t got = 0;
    while (got < len) {
        int n =
            atoll_tcp_read(c, in + got, len - got, atoll_after(ATOLL_SEC(10)));
        NCHECK(n > 0);
        got += (size_t)n;
    }
    NCHECK(memcmp(in, out, len) == 0);
}

static void open_many(struct atoll_stack *s, struct atoll_tcp_conn **c, int n)
{
    for (int i = 0; i < n; i++) {
        NCHECK_EQ(atoll_tcp_connect(s, atoll_addr4(SRV_ADDR), ECHO_PORT,
                                    atoll_after(ATOLL_SEC(10)), &c[i]),
                  0);
        echo_bytes(c[i], 16, (uint8_t)i);
    }
}

/* ---- keepalive: vanished peers go, the others stay
 * ---------------------------- */

static int keepalive_main(void *arg)
{
    struct atoll_stack *srv = net_mkstack("srv", "w", "198.18.0.3/24", NULL);
    struct atoll_stack *live = net_mkstack("live", "w", "198.18.0.2/24", NULL);
    static struct plug plug;
    struct atoll_stack *gone = plugged_stack(&plug, "gone", "198.18.0.4/24");
    start_echo(srv, 0, ATOLL_SEC(10));
    atoll_sleep(ATOLL_SEC(2));
    struct atoll_mem_stats m0, m1, m2;
    atoll_mem_stats(&m0);
    static struct atoll_tcp_conn *lc[N_LIVE], *gc[N_GONE];
    open_many(live, lc, N_LIVE);
    open_many(gone, gc, N_GONE);
    NCHECK_EQ(echo.open, N_LIVE + N_GONE);

    /* Idle: what they cost.  Both ends are in this process; their idle
     * records are alike, so the cost of one end is half of a pair's. */
    atoll_sleep(TCP_BUF_IDLE_NS + ATOLL_SEC(1));
    atoll_mem_stats(&m1);
    size_t per = (m1.in_use - m0.in_use) / (2 * (N_LIVE + N_GONE));
    printf("       %d idle connections: %zu bytes each\n", N_LIVE + N_GONE,
           per);
    NCHECK(per < 1024);

    /* A new client is served. */
    struct atoll_tcp_conn *nc;
    NCHECK_EQ(atoll_tcp_connect(live, atoll_addr4(SRV_ADDR), ECHO_PORT,
                                atoll_after(ATOLL_SEC(5)), &nc),
              0);
    echo_bytes(nc, 65536, 99);
    NCHECK_EQ(atoll_tcp_close(nc), 0);

    /* Some peers vanish: within keepalive's idle + 3 probes (40 s) their
     * connections end, and only theirs. */
    plug.unplugged = true;
    atoll_sleep(ATOLL_SEC(45));
    NCHECK_EQ(echo.dead, N_GONE);
    NCHECK_EQ(echo.open, N_LIVE);
    NCHECK_EQ(echo.finished, 1);
    NCHECK_EQ(echo.expired + echo.failed, 0);
    atoll_sleep(ATOLL_SEC(2));
    atoll_mem_stats(&m2);
    /* Their memory came back (the client ends still hold theirs). */
    NCHECK(m1.in_use - m2.in_use >= (size_t)N_GONE * per * 9 / 10);
    for (int i = 0; i < N_LIVE; i += 97)
        echo_bytes(lc[i], 100, (uint8_t)i);
    return 0;
}

TEST(echo_idle, "2200 idle connections: cheap, a new client served, vanished "
                "peers' connections freed by keepalive")
{
    net_sim_begin("echo-keepalive", 31,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_US(100)});
    CHECK_EQ(atoll_test_run(64u << 20, keepalive_main, NULL), 0);
    net_sim_end();
}

/* ---- the idle deadline
 * ------------------------------------------------------- */

static int deadline_main(void *arg)
{
    struct atoll_stack *srv = net_mkstack("srv", "w", "198.18.0.3/24", NULL);
    struct atoll_stack *cli = net_mkstack("cli", "w", "198.18.0.2/24", NULL);
    start_echo(srv, ATOLL_SEC(5), 0);
    static struct atoll_tcp_conn *c[100];
    open_many(cli, c, 100);
    /* c[0] talks every 2 s; the others say nothing. */
    for (int i = 0; i < 5; i++) {
        atoll_sleep(ATOLL_SEC(2));
        echo_bytes(c[0], 10, (uint8_t)i);
    }
    NCHECK_EQ(echo.expired, 99);
    NCHECK_EQ(echo.open, 1);
    char b;
    NCHECK_EQ(atoll_tcp_read(c[1], &b, 1, atoll_after(ATOLL_SEC(1))),
              -ATOLL_ECONNRESET);
    struct atoll_tcp_stats st;
    atoll_tcp_stats(srv, &st);
    NCHECK_EQ(st.conns, 1);
    return 0;
}

TEST(echo_idle, "an idle deadline resets quiet connections and keeps busy ones")
{
    net_sim_begin("echo-deadline", 32,
                  (struct atoll_sim_wire_opts){.delay = ATOLL_MS(1)});
    CHECK_EQ(atoll_test_run(64u << 20, deadline_main, NULL), 0);
    net_sim_end();
}
