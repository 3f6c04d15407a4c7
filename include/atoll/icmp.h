/*
 * atoll/icmp.h - echo ("ping") from a stack, over IPv4 or IPv6.
 *
 * NAME
 *     atoll_icmp_ping
 *
 * DESCRIPTION
 *     A stack answers echo requests by itself, ICMP (RFC 792) and ICMPv6
 *     (RFC 4443 4), of any size: requests that arrive fragmented are
 *     reassembled and the reply is fragmented back.  atoll_icmp_ping
 *     sends one echo request to `dst` (atoll/addr.h: ICMP to an IPv4
 *     address, ICMPv6 to an IPv6 one, from the stack's best source
 *     address for it) with `size` bytes of data (a recognisable pattern;
 *     large sizes are fragmented) and blocks until the matching reply
 *     arrives, with the same data, or `deadline` passes.
 *
 * RETURN VALUE
 *     The round-trip time in nanoseconds (>= 0), or -ATOLL_ETIMEDOUT,
 *     -ATOLL_EHOSTUNREACH (no route or source address, or an unreachable
 *     or time exceeded came back about the request), -ATOLL_EMSGSIZE
 *     (size over 65499 for IPv4, 65527 for IPv6), -ATOLL_EINVAL (dst of
 *     no family), -ATOLL_ENOMEM, -ATOLL_ECORRUPT (a reply came back with
 *     different data).
 */
#ifndef ATOLL_ICMP_H
#define ATOLL_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/addr.h"
#include "atoll/stack.h"
#include "atoll/time.h"

int64_t atoll_icmp_ping(struct atoll_stack *s, atoll_addr_t dst, uint16_t seq,
                        size_t size, atoll_time_t deadline);

#endif
