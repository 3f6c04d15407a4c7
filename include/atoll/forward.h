/*
 * atoll/forward.h - the hook that lets a stack's owner forward packets:
 * see every IP packet a stack receives before the stack does, and send
 * whole IPv4 and IPv6 packets out of a stack to a next hop.
 *
 * NAME
 *     atoll_stack_set_forward, atoll_stack_send_ipv4,
 *     atoll_stack_send_ipv6, atoll_stack_mtu, atoll_stack_offloads
 *
 * DESCRIPTION
 *     atoll_stack_set_forward(s, fn, arg): from then on every packet s
 *     receives is first given to fn(arg, s, b), with b->data at the IP
 *     header and b->len the packet's length (Ethernet padding trimmed):
 *     every IPv4 packet whose header is valid (version, lengths,
 *     checksum), and, once IPv6 is on (atoll/ipv6.h), every IPv6 packet
 *     whose fixed header is (version 6, payload length within the frame;
 *     extension headers are the hook's to read).  The version is the
 *     first byte's high nibble, 4 or 6.  A datagram the stack reassembles
 *     from fragments the hook let by is not shown again.  If fn returns
 *     true it took b (and frees or sends it); if false, s goes on as if
 *     there were no hook (delivers the packet to itself or drops it), and
 *     b must be untouched.  fn NULL removes the hook.  A frame longer
 *     than the MTU is a receive-offload frame (atoll/netif.h); its
 *     csum_ok says the host vouched for its TCP checksum, which may be
 *     partial.  This is how the firewall (atoll/firewall.h) sits on a
 *     router's interfaces; a stack without a hook is a host and forwards
 *     nothing.
 *
 *     atoll_stack_send_ipv4(s, next_hop, b) sends the IPv4 packet in b
 *     (header in place, checksums right) out of s's interface to
 *     next_hop, resolving its link address with ARP first (the packet
 *     waits in ARP's bounded queue meanwhile).  The packet must fit the
 *     MTU, or be an offload frame (b->gso_size set) on an interface with
 *     ATOLL_NETIF_TSO4.  It takes b in every case.
 *
 *     atoll_stack_send_ipv6(s, next_hop, b) does the same for an IPv6
 *     packet, next_hop an on-link neighbour (link-local or in one of s's
 *     prefixes) resolved by Neighbor Discovery (RFC 4861 7.2; the packet
 *     waits in the neighbour's bounded queue).  It must fit s's IPv6
 *     link MTU (an IPv6 router never fragments, RFC 8200 5), or be an
 *     offload frame on an interface with ATOLL_NETIF_TSO6.
 *
 * RETURN VALUE
 *     atoll_stack_send_ipv4, atoll_stack_send_ipv6: 0, -ATOLL_EMSGSIZE
 *     (too long), -ATOLL_EHOSTUNREACH (IPv6 is off on s), or what ARP,
 *     ND and the interface return (-ATOLL_EAGAIN: no room to wait for
 *     resolution).
 */
#ifndef ATOLL_FORWARD_H
#define ATOLL_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

#include "atoll/buf.h"
#include "atoll/stack.h"

typedef bool (*atoll_stack_forward_fn)(void *arg, struct atoll_stack *s,
                                       struct atoll_buf *b);

void atoll_stack_set_forward(struct atoll_stack *s, atoll_stack_forward_fn fn,
                             void *arg);
int atoll_stack_send_ipv4(struct atoll_stack *s, atoll_ipv4_t next_hop,
                          struct atoll_buf *b);
int atoll_stack_send_ipv6(struct atoll_stack *s, const atoll_ipv6_t *next_hop,
                          struct atoll_buf *b);
/* The interface's MTU (IP bytes) and offloads (ATOLL_NETIF_*). */
uint16_t atoll_stack_mtu(const struct atoll_stack *s);
uint32_t atoll_stack_offloads(const struct atoll_stack *s);

#endif
