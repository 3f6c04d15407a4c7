/*
 * atoll/udp.h - UDP: datagrams to and from an address and port.
 *
 * NAME
 *     struct atoll_udp, atoll_udp_bind, atoll_udp_sendto,
 *     atoll_udp_recvfrom, atoll_udp_close
 *
 * DESCRIPTION
 *     A UDP socket is bound to one local port of a stack (atoll/stack.h),
 *     for both IPv4 and IPv6 (atoll/ipv6.h): addresses are atoll_addr_t
 *     (atoll/addr.h), so a reply to what recvfrom gave goes back over the
 *     family it came by.
 *     Datagrams arriving for that port wait in the socket's receive queue,
 *     which is bounded (NET_UDP_RXQ_MAX datagrams, NET_UDP_RXQ_BYTES bytes,
 *     atoll/net_tunables.h): when it is full further datagrams are dropped
 *     and counted, as a congested network would drop them.  Datagrams for
 *     a port nobody has bound are answered with ICMP port unreachable.
 *
 *     Checksums are always computed on send and verified on receive (a
 *     zero checksum, "none" in RFC 768, is accepted over IPv4, refused
 *     over IPv6 as RFC 8200 8.1 requires).
 *
 *     recvfrom blocks the calling fiber until a datagram is queued or
 *     `deadline` passes; sendto does not block (a datagram whose next hop
 *     is still being resolved waits in ARP's bounded queue).  Larger
 *     datagrams than the MTU (the path MTU for IPv6) are fragmented.
 *
 * RETURN VALUE
 *     bind: 0, -ATOLL_EADDRINUSE, -ATOLL_EAGAIN (no free ephemeral port),
 *     -ATOLL_ENOMEM.
 *     sendto: 0, -ATOLL_EMSGSIZE (over 65507 bytes), -ATOLL_EINVAL (port
 *     0, no or unspecified address), -ATOLL_EHOSTUNREACH (no route, or no
 *     IPv6 source address),
 *     -ATOLL_ENOMEM, -ATOLL_EAGAIN (resolution queue full; dropped).
 *     recvfrom: the datagram's length (bytes beyond `len` are discarded),
 *     or -ATOLL_ETIMEDOUT, -ATOLL_EINVAL.
 */
#ifndef ATOLL_UDP_H
#define ATOLL_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/addr.h"
#include "atoll/stack.h"
#include "atoll/time.h"

#define ATOLL_UDP_MAX_PAYLOAD 65507

struct atoll_udp;

/* Bind local `port` (0: a free ephemeral port) of stack `s`. */
int atoll_udp_bind(struct atoll_stack *s, uint16_t port,
                   struct atoll_udp **out);

/* The bound local port. */
uint16_t atoll_udp_port(const struct atoll_udp *u);

/* Send `len` bytes to dst:port (IPv4 or IPv6). */
int atoll_udp_sendto(struct atoll_udp *u, atoll_addr_t dst, uint16_t port,
                     const void *buf, size_t len);

/* Take the oldest queued datagram: copy up to `len` bytes into `buf` and
 * store the sender's address and port (either pointer may be NULL). */
int atoll_udp_recvfrom(struct atoll_udp *u, void *buf, size_t len,
                       atoll_addr_t *src, uint16_t *src_port,
                       atoll_time_t deadline);

/* Datagrams dropped because this socket's queue was full. */
uint64_t atoll_udp_dropped(const struct atoll_udp *u);

/* Unbind and free (queued datagrams are dropped).  A fiber blocked in
 * recvfrom on `u` must not exist.  atoll_stack_destroy closes the sockets
 * still bound: their handles are invalid afterwards. */
void atoll_udp_close(struct atoll_udp *u);

#endif
