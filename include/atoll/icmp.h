/*
 * atoll/icmp.h - ICMP echo ("ping") from a stack.
 *
 * NAME
 *     atoll_icmp_ping
 *
 * DESCRIPTION
 *     A stack answers echo requests by itself (any size: requests that
 *     arrive fragmented are reassembled and the reply is fragmented back).
 *     atoll_icmp_ping sends one echo request to `dst` with `size` bytes of
 *     data (a recognisable pattern; large sizes are fragmented) and blocks
 *     until the matching reply arrives, with the same data, or `deadline`
 *     passes.
 *
 * RETURN VALUE
 *     The round-trip time in nanoseconds (>= 0), or -ATOLL_ETIMEDOUT,
 *     -ATOLL_EHOSTUNREACH (no route, or an ICMP unreachable came back),
 *     -ATOLL_EMSGSIZE (size over 65507), -ATOLL_ENOMEM, -ATOLL_ECORRUPT
 *     (a reply came back with different data).
 */
#ifndef ATOLL_ICMP_H
#define ATOLL_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/stack.h"
#include "atoll/time.h"

int64_t atoll_icmp_ping(struct atoll_stack *s, atoll_ipv4_t dst, uint16_t seq,
                        size_t size, atoll_time_t deadline);

#endif
