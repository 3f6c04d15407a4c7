/*
 * examples/fetch/connect.c - resolving the server and connecting to it
 * (fetch.h): every address the name has, tried IPv6 first with IPv4
 * racing it a moment later (RFC 8305), so a host whose IPv6 is broken
 * still gets its answer quickly.
 */
#include "fetch.h"

#include "atoll/error.h"

int fetch_connect(struct atoll_stack *net, struct atoll_dns *resolver,
                  struct atoll_console *console, const char *host,
                  uint16_t port, atoll_time_t deadline,
                  struct atoll_tcp_conn **out)
{
    /* A name goes through whichever resolver the build chose (the stub
     * resolver, or a test double): this code cannot tell them apart.  It
     * gives the addresses in the order to try them, IPv6 first when the
     * stack has a route for it, else IPv4; an address is taken as is. */
    atoll_addr_t addrs[ATOLL_DNS_RESOLVE_MAX];
    int n = atoll_dns_resolve(resolver, host, addrs, ATOLL_DNS_RESOLVE_MAX,
                              deadline);
    if (n < 0) {
        atoll_console_printf(console, "fetch: %s: %s\n", host,
                             atoll_strerror(n));
        return n;
    }
    if (n > ATOLL_TCP_RACE_MAX)
        n = ATOLL_TCP_RACE_MAX;
    char a[ATOLL_ADDR_TEXT];
    for (int i = 0; i < n; i++)
        atoll_console_printf(console, "fetch: %s is %s\n", host,
                             atoll_addr_format(&addrs[i], a));
    /* The attempts race (IPv6 first, the next 250 ms later or when one
     * fails); the first to connect wins, the others are dropped. */
    int which = 0;
    int err =
        atoll_tcp_connect_race(net, addrs, n, port, 0, deadline, out, &which);
    if (err == 0)
        atoll_console_printf(console, "fetch: connected to %s\n",
                             atoll_addr_format(&addrs[which], a));
    else
        atoll_console_printf(console, "fetch: connect: %s\n",
                             atoll_strerror(err));
    return err;
}
