/*
 * examples/echo/main.c - the echo service (RFC 862) on port 7, over the
 * network stack the manifest declares (`device stack service`).
 *
 * Each service is one function running in its own fiber: udp_echo and
 * tcp_echo (which gives each connection a fiber of its own).  Ping needs no
 * code: the stack answers echo requests itself, at any size.  app_main starts
 * the services and waits for them; they run until the unikernel is stopped.
 */
#include "atoll_app.h"

#define ECHO_PORT 7

/* UDP echo: every datagram goes back to its sender, unchanged. */
static int udp_echo(void *arg)
{
    struct atoll_stack *s = arg;
    struct atoll_udp *u;
    int err = atoll_udp_bind(s, ECHO_PORT, &u);
    if (err < 0)
        return err;
    static uint8_t buf[ATOLL_UDP_MAX_PAYLOAD];
    for (;;) {
        atoll_ipv4_t src;
        uint16_t port;
        int n =
            atoll_udp_recvfrom(u, buf, sizeof buf, &src, &port, ATOLL_NEVER);
        if (n < 0)
            continue;
        atoll_udp_sendto(u, src, port, buf, (size_t)n);
    }
}

/* One TCP connection: send back what arrives until the peer finishes,
 * then close our side too. */
static int tcp_echo_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    static uint8_t buf[16384]; /* fibers take turns: one buffer serves all */
    for (;;) {
        int n = atoll_tcp_read(c, buf, sizeof buf, ATOLL_NEVER);
        if (n <= 0)
            break;
        if (atoll_tcp_write(c, buf, (size_t)n, atoll_after(ATOLL_SEC(60))) != n)
            break;
    }
    atoll_tcp_close(c);
    return 0;
}

/* TCP echo: accept connections on port 7, each served by its own fiber. */
static int tcp_echo(void *arg)
{
    struct atoll_stack *s = arg;
    struct atoll_tcp_listener *l;
    int err = atoll_tcp_listen(s, ECHO_PORT, 0, &l);
    if (err < 0)
        return err;
    for (;;) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(l, ATOLL_NEVER, &c) < 0)
            continue;
        if (atoll_fiber_spawn(NULL, "tcp echo conn", tcp_echo_conn, c, 0) < 0)
            atoll_tcp_abort(c);
    }
}

int app_main(struct app *app)
{
    struct atoll_stack_config c;
    char addr[16];
    atoll_stack_config(app->service, &c);
    atoll_console_printf(app->console, "echo: port %d on %s/%u\n", ECHO_PORT,
                         atoll_ipv4_format(c.addr, addr), c.prefix);
    atoll_fiber *udp;
    int err = atoll_fiber_spawn(&udp, "udp echo", udp_echo, app->service, 0);
    if (err < 0)
        return 1;
    atoll_fiber *tcp;
    err = atoll_fiber_spawn(&tcp, "tcp echo", tcp_echo, app->service, 0);
    if (err < 0)
        return 1;
    int result = 0, tresult = 0;
    atoll_fiber_join(udp, ATOLL_NEVER, &result);
    atoll_fiber_join(tcp, ATOLL_NEVER, &tresult);
    return result < 0 || tresult < 0 ? 1 : 0;
}
