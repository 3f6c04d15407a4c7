/*
 * examples/echo/udp_echo.c - UDP echo (RFC 862): every datagram to port 7
 * goes back to its sender, unchanged.
 */
#include "echo.h"

int echo_udp(void *arg)
{
    struct atoll_stack *s = arg;
    struct atoll_udp *u;
    int err = atoll_udp_bind(s, ECHO_PORT, &u);
    if (err < 0)
        return err;
    /* The buffer belongs to this fiber alone (a datagram can be 64 KiB,
     * more than a fiber's stack should hold).  A buffer shared by fibers
     * that block while they use it would mix their data. */
    uint8_t *buf = atoll_malloc(ATOLL_UDP_MAX_PAYLOAD);
    if (!buf) {
        atoll_udp_close(u);
        return -ATOLL_ENOMEM;
    }
    for (;;) {
        atoll_addr_t src;
        uint16_t port;
        int n = atoll_udp_recvfrom(u, buf, ATOLL_UDP_MAX_PAYLOAD, &src, &port,
                                   ATOLL_NEVER);
        if (n < 0)
            continue;
        atoll_udp_sendto(u, src, port, buf, (size_t)n);
    }
}
