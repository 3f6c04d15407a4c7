/*
 * examples/fetch/fetch.h - fetch's way to a server, apart from its
 * main.c so that a simulation test (tests/sim/fetch_race.c) runs the
 * very code the example runs.
 *
 * NAME
 *     fetch_connect
 * DESCRIPTION
 *     Resolves `host` (a name through `resolver`, or an IPv4 or IPv6
 *     address as is) and connects to `port` on the first of its addresses
 *     that answers, RFC 8305 style (atoll_tcp_connect_race): IPv6 first
 *     when the stack routes it, IPv4 250 ms later or as soon as IPv6
 *     failed, so a broken IPv6 path costs a quarter of a second, not the
 *     whole deadline.  Says on `console` what each address is and which
 *     one answered ("fetch: HOST is ADDR", "fetch: connected to ADDR"),
 *     or what failed ("fetch: HOST: ERROR" for the name, "fetch: connect:
 *     ERROR").
 * RETURN VALUE
 *     0 and *out, or the resolver's or the last attempt's error.
 */
#ifndef EXAMPLES_FETCH_FETCH_H
#define EXAMPLES_FETCH_FETCH_H

#include "atoll/console.h"
#include "atoll/dns.h"
#include "atoll/tcp.h"

int fetch_connect(struct atoll_stack *net, struct atoll_dns *resolver,
                  struct atoll_console *console, const char *host,
                  uint16_t port, atoll_time_t deadline,
                  struct atoll_tcp_conn **out);

#endif
