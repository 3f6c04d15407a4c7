/*
 * examples/echo/main.c - the echo service (RFC 862) on port 7, over the
 * network stack the manifest declares (`device stack service`).
 *
 * Each service is one function running in its own fiber: echo_udp
 * (udp_echo.c) and echo_tcp (tcp_echo.c).  Ping needs no code: the stack
 * answers echo requests itself, at any size.  app_main starts the services
 * and waits for them; they run until the unikernel is stopped.
 */
#include "atoll_app.h"
#include "echo.h"

int app_main(struct app *app)
{
    struct atoll_stack_config c;
    char addr[16];
    atoll_stack_config(app->service, &c);
    atoll_console_printf(app->console, "echo: port %d on %s/%u\n", ECHO_PORT,
                         atoll_ipv4_format(c.addr, addr), c.prefix);
    atoll_fiber *udp;
    int err = atoll_fiber_spawn(&udp, "udp echo", echo_udp, app->service, 0);
    if (err < 0)
        return 1;
    atoll_fiber *tcp;
    err = atoll_fiber_spawn(&tcp, "tcp echo", echo_tcp, app->service, 0);
    if (err < 0)
        return 1;
    int result = 0, tresult = 0;
    atoll_fiber_join(udp, ATOLL_NEVER, &result);
    atoll_fiber_join(tcp, ATOLL_NEVER, &tresult);
    return result < 0 || tresult < 0 ? 1 : 0;
}
