/*
 * bench/apps/netbench/main.c - the unikernel under test in
 * bench/net_bench.sh: a TCP sink, source, echo and idle-connection holder,
 * plus a stats port that reports the allocator's in-use bytes so the
 * benchmark can compute memory per idle connection.  Or, with
 * --mode=idle-client, a client that opens many idle connections to a Linux
 * server (to measure the kernel's memory per connection the same way).
 *
 * Each service is an accept loop in its own fiber; each connection gets a
 * fiber.  The buffers are static and shared: fibers never run at once, and
 * the data is thrown away or is a constant pattern.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/net_tunables.h"
#include "atoll_app.h"

enum { SINK = 5001, SOURCE = 5002, ECHO = 5003, IDLE = 5004, STATS = 5005 };

#define CHUNK (64 * 1024)

static uint8_t rxbuf[CHUNK];
static uint8_t txbuf[CHUNK];

/* Read and discard until the peer finishes (the Linux sender measures). */
static int sink_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    while (atoll_tcp_read(c, rxbuf, sizeof rxbuf, ATOLL_NEVER) > 0)
        ;
    atoll_tcp_close(c);
    return 0;
}

/* Write until the peer stops reading and resets (the Linux reader
 * measures); the deadline only ends a write to a vanished peer. */
static int source_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    while (atoll_tcp_write(c, txbuf, sizeof txbuf, atoll_after(ATOLL_SEC(10))) >
           0)
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

struct service {
    struct atoll_stack *stack;
    uint16_t port;
    int (*conn)(void *); /* NULL: hold the connection, never touch it */
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
        /* Idle connections are only held: no fiber, no buffers. */
        if (sv->conn &&
            atoll_fiber_spawn(NULL, "bench conn", sv->conn, c, 0) < 0)
            atoll_tcp_abort(c);
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
        int err = atoll_tcp_connect(app->net, host, (uint16_t)app->args.port,
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
