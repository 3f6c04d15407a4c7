/*
 * examples/fetch/main.c - a TCP client in a few lines: the seed's
 * `TCP.create_connection : t -> ipaddr * int -> (flow, error) result io`
 * in C.  Resolve the host name if it is one and connect to the first of
 * its addresses that answers, IPv6 first with IPv4 racing it a moment
 * later (connect.c), write a request line, read the answer to the end,
 * print it.  Every call takes one deadline for the whole exchange, and
 * every failure is a value printed by name.
 */
#include <string.h>

#include "atoll_app.h"
#include "fetch.h"

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
    struct atoll_tcp_conn *c;
    int err =
        fetch_connect(app->net, app->resolver, app->console, app->args.host,
                      (uint16_t)app->args.port, deadline, &c);
    if (err < 0)
        return 1; /* fetch_connect said what failed */
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
