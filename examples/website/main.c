/*
 * examples/website/main.c - a static website: every GET and HEAD is
 * answered from the read-only store `site` by lib/http's file handler
 * (content types, ETag and Last-Modified, conditional requests, byte
 * ranges), under the server's limits, which the arguments can tighten.
 *
 * The code does not know where the files live: baked into the image, or
 * (--impl site=tar) a tar archive on a block device.  Last-Modified is the
 * time the appliance started: the store keeps no dates, and what it serves
 * cannot have changed since.
 *
 * With --https_port the same server also answers over TLS (lib/tls), with
 * the certificate chain and key of the store `certs`; --redirect turns
 * the HTTP side into redirects to HTTPS.
 */
#include <stdio.h>
#include <string.h>

#include <atoll/http.h>
#include <atoll/tls.h>

#include "atoll_app.h"

static struct atoll_http_files files;
static struct app *the_app;

/* --redirect: 301 to the same path over HTTPS, on the host the client
 * named (without its port), or our address. */
static int to_https(void *arg, struct atoll_http_req *r)
{
    (void)arg;
    char host[256], loc[1024];
    const char *h = atoll_http_header(r, "Host");
    if (h && *h && h[0] != '[') {
        snprintf(host, sizeof host, "%.*s", (int)strcspn(h, ":"), h);
    } else {
        struct atoll_stack_config c;
        atoll_stack_config(the_app->net, &c);
        atoll_ipv4_format(c.addr, host);
    }
    int port = (int)the_app->args.https_port;
    char ps[16] = "";
    if (port != 443)
        snprintf(ps, sizeof ps, ":%d", port);
    int n = snprintf(loc, sizeof loc, "https://%s%s%s", host, ps, r->target);
    if (n < 0 || (size_t)n >= sizeof loc || r->target[0] != '/')
        return atoll_http_send(r, 414, "text/plain", "too long\n", 9);
    int e = atoll_http_add_header(r, "Location", loc);
    return e < 0 ? e : atoll_http_send(r, 301, "text/plain", "HTTPS\n", 6);
}

/* The HTTPS listener: credentials from the store `certs`. */
static int start_https(struct app *app, struct atoll_http_server *srv)
{
    struct atoll_tls_creds *creds;
    struct atoll_tls_server *tls;
    struct atoll_tcp_listener *l;
    char err[160];
    int port = (int)app->args.https_port;
    int e = atoll_tls_creds_from_kv(app->certs, "server.pem", "server.key",
                                    &creds, err, sizeof err);
    if (e < 0) {
        atoll_console_printf(app->console, "website: https: certs store: %s\n",
                             err);
        return e;
    }
    if ((e = atoll_tls_server_create(creds, app->random, &tls)) < 0 ||
        (e = atoll_tcp_listen(app->net, (uint16_t)port, 0, &l)) < 0 ||
        (e = atoll_http_listen(srv, l, atoll_tls_http_wrap, tls)) < 0) {
        atoll_console_printf(app->console, "website: https port %d: %s\n", port,
                             atoll_strerror(e));
        return e;
    }
    atoll_console_printf(app->console, "website: serving https on port %d\n",
                         port);
    return 0;
}

int app_main(struct app *app)
{
    struct atoll_http_limits lim;
    atoll_http_limits_default(&lim);
    const struct {
        int64_t v;
        const char *name;
    } checks[] = {{app->args.http_port, "--http_port"},
                  {app->args.https_port, "--https_port"},
                  {app->args.max_conns, "--max_conns"},
                  {app->args.max_header, "--max_header"},
                  {app->args.max_body, "--max_body"},
                  {app->args.header_timeout, "--header_timeout"},
                  {app->args.idle_timeout, "--idle_timeout"},
                  {app->args.stats_every, "--stats_every"}};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].v < 0 || checks[i].v > 0x7fffffff ||
            (i < 2 && checks[i].v > 65535) || (i == 0 && checks[i].v == 0)) {
            atoll_console_printf(app->console, "website: bad %s\n",
                                 checks[i].name);
            return 1;
        }
    if (app->args.max_conns)
        lim.conns_max = (int)app->args.max_conns;
    if (app->args.max_header)
        lim.header_max = (size_t)app->args.max_header;
    if (app->args.max_body)
        lim.body_max = (size_t)app->args.max_body;
    if (app->args.header_timeout)
        lim.header_timeout = ATOLL_MS(app->args.header_timeout);
    if (app->args.idle_timeout)
        lim.idle_timeout = ATOLL_MS(app->args.idle_timeout);

    if (app->args.redirect && !app->args.https_port) {
        atoll_console_printf(app->console,
                             "website: --redirect needs --https_port\n");
        return 1;
    }
    the_app = app;
    struct atoll_http_server *srv, *plain;
    int e = atoll_http_server_create(&lim, app->args.log, &srv);
    if (e < 0) {
        atoll_console_printf(app->console, "website: server: %s\n",
                             atoll_strerror(e));
        return 1;
    }
    files.kv = app->site;
    files.prefix = "/";
    files.mtime = atoll_wclock_now(app->wclock);
    struct atoll_tcp_listener *l;
    uint16_t port = (uint16_t)app->args.http_port;
    if ((e = atoll_http_route(srv, NULL, "/*", atoll_http_files, &files)) < 0)
        return 1;
    plain = srv;
    if (app->args.redirect &&
        ((e = atoll_http_server_create(&lim, app->args.log, &plain)) < 0 ||
         (e = atoll_http_route(plain, NULL, "/*", to_https, NULL)) < 0))
        return 1;
    if (app->args.https_port && start_https(app, srv) < 0)
        return 1;
    if ((e = atoll_tcp_listen(app->net, port, 0, &l)) < 0 ||
        (e = atoll_http_listen(plain, l, NULL, NULL)) < 0) {
        atoll_console_printf(app->console, "website: port %d: %s\n", (int)port,
                             atoll_strerror(e));
        return 1;
    }
    atoll_console_printf(app->console, "website: serving http on port %d\n",
                         (int)port);
    for (;;) {
        if (app->args.stats_every <= 0) {
            atoll_sleep(ATOLL_SEC(3600));
            continue;
        }
        atoll_sleep(ATOLL_SEC(app->args.stats_every));
        struct atoll_mem_stats ms;
        atoll_mem_stats(&ms);
        atoll_console_printf(app->console,
                             "website: memory in use %zu KiB (peak %zu KiB) "
                             "of %zu KiB\n",
                             ms.in_use / 1024, ms.peak_in_use / 1024,
                             ms.region_size / 1024);
    }
    return 0;
}
