/*
 * examples/fetch/main.c - a TCP client in a few lines: the seed's
 * `TCP.create_connection : t -> ipaddr * int -> (flow, error) result io`
 * in C.  Resolve the host name if it is one (IPv6 first when routed),
 * connect to its addresses in turn until one answers, write a request
 * line, read the answer to the end, print it.  Every call takes one deadline
 * for the whole exchange, and every failure is a value printed by name.
 */
#include <string.h>

#include "atoll_app.h"

static int fail(struct app *app, const char *what, int err)
{
    atoll_console_printf(app->console, "fetch: %s: %s\n", what,
                         atoll_strerror(err));
    return 1;
}

int app_main(struct app *app)
{
    if (app->args.port <= 0 || app->args.port > 65535)
        return fail(app, "--port", -ATOLL_EINVAL);
    atoll_time_t deadline = atoll_after(ATOLL_SEC(app->args.timeout));
    /* Our IPv6 addresses are usable once duplicate address detection is
     * over (a second after start): before, IPv6 has no route. */
    atoll_stack_ipv6_settle(app->net, atoll_after(ATOLL_SEC(3)));
    /* A name goes through whichever resolver the build chose (the stub
     * resolver, or a test double): this code cannot tell them apart.  It
     * gives the addresses in the order to try them, IPv6 first when the
     * stack has a route for it, else IPv4; an address is taken as is. */
    atoll_addr_t addrs[ATOLL_DNS_RESOLVE_MAX];
    int n = atoll_dns_resolve(app->resolver, app->args.host, addrs,
                              ATOLL_DNS_RESOLVE_MAX, deadline);
    if (n < 0)
        return fail(app, app->args.host, n);
    char a[ATOLL_ADDR_TEXT];
    struct atoll_tcp_conn *c = NULL;
    int err = -ATOLL_EHOSTUNREACH;
    for (int i = 0; i < n && !c; i++) {
        atoll_console_printf(app->console, "fetch: %s is %s\n", app->args.host,
                             atoll_addr_format(&addrs[i], a));
        err = atoll_tcp_connect(app->net, addrs[i], (uint16_t)app->args.port,
                                deadline, &c);
        if (err < 0) {
            /* the next address, if any: the other family may work */
            atoll_console_printf(app->console, "fetch: connect %s: %s\n", a,
                                 atoll_strerror(err));
            c = NULL;
        }
    }
    if (!c)
        return fail(app, "connect", err);
    struct atoll_flow *f = atoll_tcp_flow(c);

    const char *req = app->args.request;
    if ((err = atoll_flow_write(f, req, strlen(req), deadline)) < 0 ||
        (err = atoll_flow_write(f, "\n", 1, deadline)) < 0)
        return fail(app, "write", err);
    /* Some servers answer only once the request stream ends. */
    if (app->args.half_close && (err = atoll_flow_shutdown(f)) < 0)
        return fail(app, "shutdown", err);
    char buf[4096]; /* this fiber's own: never share one across fibers */
    for (;;) {
        int n = atoll_flow_read(f, buf, sizeof buf - 1, deadline);
        if (n < 0)
            return fail(app, "read", n);
        if (n == 0)
            break; /* the server closed: the answer is complete */
        buf[n] = 0;
        atoll_console_printf(app->console, "%s", buf);
    }
    atoll_flow_close(f);
    return 0;
}
