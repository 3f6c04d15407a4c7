/*
 * atoll/addr.h - an IP address of either family, as the socket APIs take
 * and give it.
 *
 * NAME
 *     atoll_addr_t, atoll_addr4, atoll_addr6, atoll_addr_parse,
 *     atoll_addr_format, atoll_addr_equal, atoll_stack_routes
 *
 * DESCRIPTION
 *     UDP (atoll/udp.h) sends to and receives from an atoll_addr_t, so
 *     one socket serves IPv4 and IPv6 peers alike: a reply goes back to
 *     whatever address recvfrom gave.  atoll_addr4() and atoll_addr6()
 *     wrap an address of one family; `family` says which member holds it.
 *
 *     atoll_addr_parse() takes either text form ("198.18.0.2",
 *     "2001:db8::2"); atoll_addr_format() writes the usual one (RFC 5952
 *     for IPv6) into a buffer of ATOLL_ADDR_TEXT bytes.
 *
 *     atoll_stack_routes() says whether a stack could send to an address
 *     now: over IPv4 with an address of its own and the destination on
 *     its subnet or a gateway; over IPv6 with a preferred source address
 *     of the destination's scope (a global one for a global destination)
 *     and the destination on-link (link-local, or inside the prefix of
 *     one of its addresses) or a default router.  The resolver orders
 *     names' addresses by it (atoll/dns.h).
 *
 * RETURN VALUE
 *     parse: 0 or -ATOLL_EINVAL.  format: buf.
 */
#ifndef ATOLL_ADDR_H
#define ATOLL_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "atoll/ipv6.h"
#include "atoll/stack.h"

enum atoll_family {
    ATOLL_AF_NONE = 0,
    ATOLL_AF_INET = 4,
    ATOLL_AF_INET6 = 6,
};

typedef struct {
    uint8_t family;  /* enum atoll_family */
    atoll_ipv4_t v4; /* ATOLL_AF_INET */
    atoll_ipv6_t v6; /* ATOLL_AF_INET6 */
} atoll_addr_t;

#define ATOLL_ADDR_TEXT ATOLL_IPV6_TEXT

static inline atoll_addr_t atoll_addr4(atoll_ipv4_t a)
{
    atoll_addr_t x = {ATOLL_AF_INET, a, {{0}}};
    return x;
}

static inline atoll_addr_t atoll_addr6(const atoll_ipv6_t *a)
{
    atoll_addr_t x = {ATOLL_AF_INET6, 0, *a};
    return x;
}

int atoll_addr_parse(const char *text, atoll_addr_t *out);
char *atoll_addr_format(const atoll_addr_t *a, char *buf);
/* Same family and address. */
bool atoll_addr_equal(const atoll_addr_t *a, const atoll_addr_t *b);

bool atoll_stack_routes(const struct atoll_stack *s, const atoll_addr_t *dst);

#endif
