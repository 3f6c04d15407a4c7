/*
 * bench/apps/netbench/main.c - the unikernel under test in
 * bench/net_bench.sh: a TCP sink, source, echo and idle-connection holder,
 * plus a stats port that reports the allocator's in-use bytes so the
 * benchmark can compute memory per idle connection.  Or, with
 * --mode=idle-client, a client that opens many idle connections to a Linux
 * server (to measure the kernel's memory per connection the same way).
 *
 * Each service is an accept loop in its own fiber; each connection gets a
 * fiber, except the idle ones: those are watched by one poller (atoll/tcp.h)
 * and cost only what TCP keeps for them.  Every fiber reads into a buffer
 * of its own; the sources share one constant pattern, which nobody writes.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/net_tunables.h"
#include "atoll_app.h"

enum { SINK = 5001, SOURCE = 5002, ECHO = 5003, IDLE = 5004, STATS = 5005 };

#define CHUNK (64 * 1024)

static uint8_t txbuf[CHUNK]; /* a constant pattern, read only */

/* Read and discard until the peer finishes (the Linux sender measures). */
static int sink_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    uint8_t *rxbuf = atoll_malloc(CHUNK);
    while (rxbuf && atoll_tcp_read(c, rxbuf, CHUNK, ATOLL_NEVER) > 0)
        ;
    atoll_free(rxbuf);
    atoll_tcp_close(c);
    return 0;
}

/* Write until the peer stops reading and resets (the Linux reader
 * measures); the deadline only ends a write to a vanished peer.  The
 * pattern is queued by reference (atoll_tcp_write_ref: it never changes
 * and outlives the connection), as lwIP's source queues its pattern
 * without TCP_WRITE_FLAG_COPY: each side copies it once, into frames. */
static int source_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    while (atoll_tcp_write_ref(c, txbuf, sizeof txbuf, NULL, NULL,
                               atoll_after(ATOLL_SEC(10))) == 0)
        ;
    atoll_tcp_abort(c);
    return 0;
}

/* Request/response: answer every byte at once. */
static int echo_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    uint8_t b[64];
    atoll_tcp_set_nodelay(c, true);
    for (;;) {
        int n = atoll_tcp_read(c, b, sizeof b, ATOLL_NEVER);
        if (n <= 0 || atoll_tcp_write(c, b, (size_t)n, ATOLL_NEVER) != n)
            break;
    }
    atoll_tcp_close(c);
    return 0;
}

/* One line for the benchmark: allocator bytes in use and live
 * connections (this one included). */
static int stats_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    struct atoll_mem_stats m;
    atoll_mem_stats(&m);
    char line[128];
    int n = snprintf(line, sizeof line, "in_use=%zu allocs=%llu frees=%llu\n",
                     m.in_use, (unsigned long long)m.allocs,
                     (unsigned long long)m.frees);
    atoll_tcp_write(c, line, (size_t)n, atoll_after(ATOLL_SEC(5)));
    atoll_tcp_close(c);
    return 0;
}

/* The idle connections: held without a fiber, armed in one poller; this
 * fiber discards what they send and closes those the peer finished. */
static struct atoll_tcp_poller *idle_poller;

static int idle_reaper(void *arg)
{
    (void)arg;
    uint8_t b[512];
    for (;;) {
        struct atoll_tcp_ready r[16];
        int n = atoll_tcp_poller_wait(idle_poller, r, 16, ATOLL_NEVER);
        for (int i = 0; i < n; i++) {
            /* Handed over readable: this read does not wait. */
            if (atoll_tcp_read(r[i].conn, b, sizeof b, 0) <= 0 ||
                atoll_tcp_poller_arm(idle_poller, r[i].conn, ATOLL_TCP_READABLE,
                                     ATOLL_NEVER, NULL) < 0)
                atoll_tcp_close(r[i].conn);
        }
    }
    return 0;
}

struct service {
    struct atoll_stack *stack;
    uint16_t port;
    int (*conn)(void *); /* NULL: an idle connection (idle_reaper) */
};

static int serve(void *arg)
{
    const struct service *sv = arg;
    struct atoll_tcp_listener *l;
    int err = atoll_tcp_listen(sv->stack, sv->port, TCP_BACKLOG_MAX, &l);
    if (err < 0)
        return err;
    for (;;) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(l, ATOLL_NEVER, &c) < 0)
            continue;
        if (!sv->conn) { /* no fiber, no buffers */
            if (atoll_tcp_poller_arm(idle_poller, c, ATOLL_TCP_READABLE,
                                     ATOLL_NEVER, NULL) < 0)
                atoll_tcp_abort(c);
        } else if (atoll_fiber_spawn(NULL, "bench conn", sv->conn, c, 0) < 0) {
            atoll_tcp_abort(c);
        }
    }
}

static int idle_client(struct app *app)
{
    atoll_ipv4_t host;
    if (atoll_ipv4_parse(app->args.host, &host, NULL) < 0)
        return 1;
    int64_t i;
    for (i = 0; i < app->args.count; i++) {
        struct atoll_tcp_conn *c;
        int err = atoll_tcp_connect(app->net, atoll_addr4(host),
                                    (uint16_t)app->args.port,
                                    atoll_after(ATOLL_SEC(10)), &c);
        if (err < 0) {
            atoll_console_printf(app->console, "netbench: connect %lld: %s\n",
                                 (long long)i, atoll_strerror(err));
            return 1;
        }
    }
    atoll_console_printf(app->console, "netbench: %lld connected\n",
                         (long long)i);
    for (;;)
        atoll_sleep(ATOLL_SEC(3600));
}

int app_main(struct app *app)
{
    if (!strcmp(app->args.mode, "idle-client"))
        return idle_client(app);
    memset(txbuf, 'x', sizeof txbuf);
    if (atoll_tcp_poller_create(&idle_poller) < 0 ||
        atoll_fiber_spawn(NULL, "idle reaper", idle_reaper, NULL, 0) < 0)
        return 1;
    static struct service sv[] = {
        {NULL, SINK, sink_conn},   {NULL, SOURCE, source_conn},
        {NULL, ECHO, echo_conn},   {NULL, IDLE, NULL},
        {NULL, STATS, stats_conn},
    };
    atoll_fiber *f[5];
    for (int i = 0; i < 5; i++) {
        sv[i].stack = app->net;
        if (atoll_fiber_spawn(&f[i], "bench listener", serve, &sv[i], 0) < 0)
            return 1;
    }
    atoll_console_printf(app->console, "netbench: serving\n");
    for (int i = 0; i < 5; i++)
        atoll_fiber_join(f[i], ATOLL_NEVER, NULL);
    return 0;
}
