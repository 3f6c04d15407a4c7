/*
 * examples/echo/main.c - the echo service (RFC 862) on port 7, over the
 * network stack the manifest declares (`device stack service`), for IPv4
 * and IPv6 clients alike (one UDP socket and one TCP listener take both
 * families).
 *
 * Each service runs in fibers of its own: echo_udp (udp_echo.c) and
 * echo_tcp (tcp_echo.c, a poller and a few workers for any number of
 * connections).  Ping needs no code: the stack answers echo requests
 * itself, at any size.  app_main starts the services, prints counters if
 * asked (--stats), serves them as Prometheus metrics if asked (--metrics=
 * PORT), and waits; they run until the unikernel is stopped.
 */
#include <string.h>

#include "atoll/metrics.h"
#include "atoll_app.h"
#include "echo.h"

static struct echo_tcp tcp_echo;

/* --stats=S: one line every S seconds when something changed. */
static void report(struct app *app, int64_t every)
{
    uint64_t last[5] = {0, 0, 0, 0, 0};
    atoll_yield(); /* the services start first: the first line is the base */
    for (;; atoll_sleep(ATOLL_SEC(every))) {
        struct atoll_tcp_stats ts;
        struct atoll_mem_stats m;
        atoll_tcp_stats(app->service, &ts);
        atoll_mem_stats(&m);
        const struct echo_tcp *e = &tcp_echo;
        uint64_t now[5] = {e->accepted, e->open, ts.conns, ts.refused,
                           m.in_use};
        if (!memcmp(now, last, sizeof now))
            continue;
        memcpy(last, now, sizeof now);
        atoll_console_printf(
            app->console,
            "echo: tcp open=%llu accepted=%llu finished=%llu expired=%llu "
            "dead=%llu failed=%llu conns=%llu refused=%llu heap_in_use=%zu\n",
            (unsigned long long)e->open, (unsigned long long)e->accepted,
            (unsigned long long)e->finished, (unsigned long long)e->expired,
            (unsigned long long)e->dead, (unsigned long long)e->failed,
            (unsigned long long)ts.conns, (unsigned long long)ts.refused,
            m.in_use);
    }
}

int app_main(struct app *app)
{
    int64_t idle = app->args.idle, keepalive = app->args.keepalive;
    int64_t workers = app->args.workers, stats = app->args.stats;
    if (idle < 0 || keepalive < 0 || workers < 1 || stats < 0 || idle > 86400 ||
        keepalive > 86400 || stats > 86400 || workers > 1024) {
        atoll_console_printf(app->console,
                             "echo: --idle, --keepalive and --stats are "
                             "seconds (0 to 86400), --workers 1 to 1024\n");
        return 1;
    }
    struct atoll_stack_config c;
    char addr[16];
    atoll_stack_config(app->service, &c);
    atoll_console_printf(app->console, "echo: port %d on %s/%u\n", ECHO_PORT,
                         atoll_ipv4_format(c.addr, addr), c.prefix);
    atoll_fiber *udp;
    int err = atoll_fiber_spawn(&udp, "udp echo", echo_udp, app->service, 0);
    if (err < 0)
        return 1;
    tcp_echo.stack = app->service;
    tcp_echo.idle = ATOLL_SEC(idle);
    tcp_echo.keepalive = ATOLL_SEC(keepalive);
    tcp_echo.workers = (int)workers;
    atoll_fiber *tcp;
    err = atoll_fiber_spawn(&tcp, "tcp echo", echo_tcp, &tcp_echo, 0);
    if (err < 0)
        return 1;
    if (app->args.metrics < 0 || app->args.metrics > 65535) {
        atoll_console_printf(app->console, "echo: --metrics is a TCP port\n");
        return 1;
    }
    if (app->args.metrics > 0) {
        static struct atoll_metrics metrics;
        metrics.stack = app->service;
        err = atoll_metrics_serve(&metrics, (uint16_t)app->args.metrics);
        if (err < 0) {
            atoll_console_printf(app->console, "echo: metrics: %s\n",
                                 atoll_strerror(err));
            return 1;
        }
        atoll_console_printf(app->console, "echo: metrics on port %lld\n",
                             (long long)app->args.metrics);
    }
    if (stats > 0)
        report(app, stats); /* does not return */
    int result = 0, tresult = 0;
    atoll_fiber_join(udp, ATOLL_NEVER, &result);
    atoll_fiber_join(tcp, ATOLL_NEVER, &tresult);
    return result < 0 || tresult < 0 ? 1 : 0;
}
