/*
 * examples/echo/echo.h - the echo services (RFC 862) of examples/echo,
 * written against a stack only, so that they run in any program that has
 * one: main.c starts them in the unikernel, and tests/sim/echo_share.c
 * and tests/sim/echo_idle.c run the same code against clients of their
 * own on a simulated wire.
 */
#ifndef EXAMPLES_ECHO_H
#define EXAMPLES_ECHO_H

#include "atoll/atoll.h"

#define ECHO_PORT 7

/* UDP echo on ECHO_PORT of the stack `arg`: every datagram goes back to
 * its sender.  A fiber body; returns only on an error (bind). */
int echo_udp(void *arg);

/* The TCP echo's settings and counters (tcp_echo.c). */
struct echo_tcp {
    struct atoll_stack *stack;
    atoll_time_t idle;      /* reset a connection quiet this long; 0: never */
    atoll_time_t keepalive; /* probe a quiet peer after this; 0: off */
    int workers;            /* fibers serving ready connections; 0: 4 */
    /* Counters, read by whoever reports them. */
    uint64_t accepted; /* connections taken from the listener */
    uint64_t finished; /* ended by the client (end of stream) */
    uint64_t expired;  /* reset after `idle` without progress */
    uint64_t dead;     /* peer gone: keepalive or retransmissions failed */
    uint64_t failed;   /* other errors (reset by the peer, no memory) */
    uint64_t open;     /* served now */
};

/* TCP echo on ECHO_PORT of e->stack: accepts connections and serves them
 * all from e->workers fibers.  A fiber body (arg: struct echo_tcp *);
 * returns only on an error (listen, the poller, the workers). */
int echo_tcp(void *arg);

#endif
