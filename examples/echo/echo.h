/*
 * examples/echo/echo.h - the echo services (RFC 862) of examples/echo,
 * written against a stack only, so that they run in any program that has
 * one: main.c starts them in the unikernel, and tests/sim/echo_share.c
 * runs the same code against clients of its own on a simulated wire.
 */
#ifndef EXAMPLES_ECHO_H
#define EXAMPLES_ECHO_H

#include "atoll/atoll.h"

#define ECHO_PORT 7

/* UDP echo on ECHO_PORT of the stack `arg`: every datagram goes back to
 * its sender.  A fiber body; returns only on an error (bind). */
int echo_udp(void *arg);

/* TCP echo on ECHO_PORT of the stack `arg`: accepts connections and
 * serves each until its peer finishes.  A fiber body; returns only on an
 * error (listen). */
int echo_tcp(void *arg);

#endif
