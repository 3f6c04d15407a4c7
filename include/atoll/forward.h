/*
 * atoll/forward.h - the hook that lets a stack's owner forward packets:
 * see every IPv4 packet a stack receives before the stack does, and send
 * whole IPv4 packets out of a stack to a next hop.
 *
 * NAME
 *     atoll_stack_set_forward, atoll_stack_send_ipv4, atoll_stack_mtu
 *
 * DESCRIPTION
 *     atoll_stack_set_forward(s, fn, arg): from then on every IPv4 packet
 *     s receives whose header is valid (version, lengths, checksum) is
 *     first given to fn(arg, s, b), with b->data at the IPv4 header and
 *     b->len the packet's total length (Ethernet padding trimmed).  If fn
 *     returns true it took b (and frees or sends it); if false, s goes on
 *     as if there were no hook (delivers the packet to itself or drops
 *     it), and b must be untouched.  fn NULL removes the hook.  A frame
 *     longer than the MTU is a receive-offload frame (atoll/netif.h);
 *     its csum_ok says the host vouched for its TCP checksum, which may
 *     be partial.  This is how the firewall (atoll/firewall.h) sits on a
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
 * RETURN VALUE
 *     atoll_stack_send_ipv4: 0, -ATOLL_EMSGSIZE (too long), or what ARP
 *     and the interface return (-ATOLL_EAGAIN: no room to wait for
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
/* The interface's MTU (IP bytes) and offloads (ATOLL_NETIF_*). */
uint16_t atoll_stack_mtu(const struct atoll_stack *s);
uint32_t atoll_stack_offloads(const struct atoll_stack *s);

#endif
