/*
 * examples/echo/tcp_echo.c - TCP echo (RFC 862) on port 7: whatever a
 * client sends comes back until it finishes; then we close too.  Each
 * connection is served by a fiber of its own.
 */
#include "echo.h"

/* One connection.  The buffer is on this fiber's stack: a write can block
 * (the client's window is closed) while other connections' fibers read, so
 * a buffer shared between connections would send one client's bytes to
 * another. */
static int echo_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    uint8_t buf[16384];
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

int echo_tcp(void *arg)
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
        if (atoll_fiber_spawn(NULL, "tcp echo conn", echo_conn, c, 0) < 0)
            atoll_tcp_abort(c);
    }
}
