/*
 * examples/ping/main.c - ping(8) as a unikernel, for either family.  The
 * host may be a name: atoll_dns_resolve gives its addresses in the order
 * to try them, and the first is pinged (printed with the rest, so the
 * order can be seen).  atoll_icmp_ping sends ICMP or ICMPv6 by the
 * address's family, fragments what does not fit the link, and checks
 * that the reply carries the data sent.
 */
#include "atoll_app.h"

static int fail(struct app *app, const char *what, int err)
{
    atoll_console_printf(app->console, "ping: %s: %s\n", what,
                         atoll_strerror(err));
    return 1;
}

int app_main(struct app *app)
{
    if (app->args.count < 1 || app->args.count > 10000)
        return fail(app, "--count (1..10000)", -ATOLL_EINVAL);
    if (app->args.size < 0 || app->args.size > 65527)
        return fail(app, "--size (0..65527)", -ATOLL_EINVAL);
    if (app->args.timeout < 1)
        return fail(app, "--timeout", -ATOLL_EINVAL);
    atoll_time_t wait = ATOLL_SEC(app->args.timeout);
    /* Nothing leaves a tentative IPv6 address: wait for duplicate
     * address detection (a second after start) to pass. */
    atoll_stack_ipv6_settle(app->net, atoll_after(ATOLL_SEC(3)));
    atoll_addr_t addrs[ATOLL_DNS_RESOLVE_MAX];
    int n = atoll_dns_resolve(app->resolver, app->args.host, addrs,
                              ATOLL_DNS_RESOLVE_MAX, atoll_after(wait));
    if (n < 0)
        return fail(app, app->args.host, n);
    char a[ATOLL_ADDR_TEXT];
    atoll_console_printf(app->console, "ping: %s is", app->args.host);
    for (int i = 0; i < n; i++)
        atoll_console_printf(app->console, "%s%s", i ? ", " : " ",
                             atoll_addr_format(&addrs[i], a));
    atoll_console_printf(app->console, "\n");
    atoll_addr_format(&addrs[0], a);
    int count = (int)app->args.count, size = (int)app->args.size, got = 0;
    for (int seq = 1; seq <= count; seq++) {
        int64_t rtt =
            atoll_icmp_ping(app->net, addrs[0], (uint16_t)seq,
                            (size_t)app->args.size, atoll_after(wait));
        if (rtt < 0) {
            atoll_console_printf(app->console, "ping: seq=%d: %s\n", seq,
                                 atoll_strerror((int)rtt));
        } else {
            got++;
            atoll_console_printf(app->console,
                                 "%d bytes from %s: seq=%d time=%lld.%03lld "
                                 "ms\n",
                                 size + 8, a, seq, (long long)(rtt / 1000000),
                                 (long long)(rtt / 1000 % 1000));
        }
        if (seq < count)
            atoll_sleep(ATOLL_SEC(1));
    }
    atoll_console_printf(app->console, "ping: %d of %d answered\n", got, count);
    return got == count ? 0 : 1;
}
