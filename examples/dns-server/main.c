/*
 * examples/dns-server/main.c - an authoritative DNS server on the
 * lib/net server library (atoll/dns.h): parse the zone once, then answer
 * UDP queries in the main fiber and TCP connections in one fiber each.
 * The zone's text comes from --zone, or from the file --zone_file of the
 * read-only store `zones` (baked in, or a tar archive on a block device).
 * atoll_dns_answer does all the DNS work (and the truncation that sends
 * clients to TCP); this file only moves bytes.
 */
#include <string.h>

#include "atoll_app.h"

static const char example_zone[] =
    "$ORIGIN example.test.\n"
    "$TTL 3600\n"
    "@     IN SOA ns1 hostmaster ( 1 7200 3600 1209600 300 )\n"
    "      IN NS  ns1\n"
    "      IN MX  10 mail\n"
    "ns1   IN A   198.18.0.2\n"
    "www   IN A   198.18.0.80\n"
    "      IN AAAA 2001:db8::80\n"
    "mail  IN A   198.18.0.25\n"
    "web   IN CNAME www\n"
    "txt   IN TXT \"hello from atoll\"\n";

static struct atoll_dns_zone *zone;
static struct app *the_app;

/* One TCP connection: length-prefixed queries until the client closes or
 * is idle for 10 s (RFC 7766 allows several queries per connection). */
static int conn_main(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    struct atoll_flow *f = atoll_tcp_flow(c);
    /* Buffers of this connection's own: a read or write blocks, and other
     * connections' fibers run meanwhile (a shared buffer would mix their
     * queries and answers).  Too big for the stack, so from the heap. */
    uint8_t *q = atoll_malloc(2 * (65535 + 2));
    if (!q) {
        atoll_tcp_abort(c);
        return 0;
    }
    uint8_t *r = q + 65535 + 2;
    for (;;) {
        atoll_time_t deadline = atoll_after(ATOLL_SEC(10));
        size_t got = 0, want = 2;
        while (got < want) {
            int n = atoll_flow_read(f, q + got, want - got, deadline);
            if (n <= 0)
                goto done;
            got += (size_t)n;
            if (got == 2 && want == 2)
                want = 2 + ((size_t)q[0] << 8 | q[1]);
        }
        int n = atoll_dns_answer(zone, q + 2, want - 2, r + 2, 65535, true);
        if (n <= 0)
            goto done;
        r[0] = (uint8_t)(n >> 8);
        r[1] = (uint8_t)n;
        if (atoll_flow_write(f, r, (size_t)n + 2, deadline) < 0)
            goto done;
    }
done:
    atoll_free(q);
    atoll_flow_close(f);
    return 0;
}

static int tcp_main(void *arg)
{
    struct atoll_tcp_listener *l = arg;
    for (;;) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(l, ATOLL_NEVER, &c) < 0)
            continue;
        if (atoll_fiber_spawn(NULL, "dns tcp", conn_main, c, 0) < 0)
            atoll_tcp_abort(c);
    }
    return 0;
}

int app_main(struct app *app)
{
    the_app = app;
    const char *text = *app->args.zone ? app->args.zone : example_zone;
    size_t len = strlen(text);
    void *file = NULL;
    int e;
    if (!*app->args.zone && *app->args.zone_file) {
        e = atoll_kv_ro_read_all(app->zones, app->args.zone_file, &file, &len);
        if (e < 0) {
            atoll_console_printf(app->console, "dns-server: zone file %s: %s\n",
                                 app->args.zone_file, atoll_strerror(e));
            return 1;
        }
        text = file;
    }
    char err[160];
    /* The file's text is kept for the server's life, like --zone's. */
    e = atoll_dns_zone_parse(text, len, NULL, &zone, err, sizeof err);
    if (e < 0) {
        atoll_console_printf(app->console, "dns-server: zone: %s\n",
                             *err ? err : atoll_strerror(e));
        return 1;
    }
    if (app->args.port <= 0 || app->args.port > 65535) {
        atoll_console_printf(app->console, "dns-server: bad --port\n");
        return 1;
    }
    uint16_t port = (uint16_t)app->args.port;
    struct atoll_udp *u;
    struct atoll_tcp_listener *l;
    if ((e = atoll_udp_bind(app->net, port, &u)) < 0 ||
        (e = atoll_tcp_listen(app->net, port, 64, &l)) < 0 ||
        (e = atoll_fiber_spawn(NULL, "dns accept", tcp_main, l, 0)) < 0) {
        atoll_console_printf(app->console, "dns-server: port %d: %s\n",
                             (int)port, atoll_strerror(e));
        return 1;
    }
    atoll_console_printf(
        app->console, "dns-server: zone %s, %zu records, port %d\n",
        atoll_dns_zone_origin(zone), atoll_dns_zone_count(zone), (int)port);
    uint8_t q[4096], r[4096]; /* this fiber's own */
    for (;;) {
        atoll_addr_t from;
        uint16_t fport;
        int n = atoll_udp_recvfrom(u, q, sizeof q, &from, &fport, ATOLL_NEVER);
        if (n < 0)
            continue;
        int len = atoll_dns_answer(zone, q, (size_t)n, r, sizeof r, false);
        if (len > 0)
            atoll_udp_sendto(u, from, fport, r, (size_t)len);
    }
    return 0;
}
