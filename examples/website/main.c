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
 */
#include <atoll/http.h>

#include "atoll_app.h"

static struct atoll_http_files files;

int app_main(struct app *app)
{
    struct atoll_http_limits lim;
    atoll_http_limits_default(&lim);
    const struct {
        int64_t v;
        const char *name;
    } checks[] = {{app->args.http_port, "--http_port"},
                  {app->args.max_conns, "--max_conns"},
                  {app->args.max_header, "--max_header"},
                  {app->args.max_body, "--max_body"},
                  {app->args.header_timeout, "--header_timeout"},
                  {app->args.idle_timeout, "--idle_timeout"}};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].v < 0 || checks[i].v > 0x7fffffff ||
            (i == 0 && (checks[i].v == 0 || checks[i].v > 65535))) {
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

    struct atoll_http_server *srv;
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
    if ((e = atoll_http_route(srv, NULL, "/*", atoll_http_files, &files)) < 0 ||
        (e = atoll_tcp_listen(app->net, port, 0, &l)) < 0 ||
        (e = atoll_http_listen(srv, l, NULL, NULL)) < 0) {
        atoll_console_printf(app->console, "website: port %d: %s\n", (int)port,
                             atoll_strerror(e));
        return 1;
    }
    atoll_console_printf(app->console, "website: serving http on port %d\n",
                         (int)port);
    for (;;)
        atoll_sleep(ATOLL_SEC(3600));
    return 0;
}
