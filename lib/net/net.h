/*
 * lib/net/net.h - the network stack's internal boundary between the
 * layers: Ethernet/ARP/IPv4/ICMP/UDP (eth.c, arp.c, ipv4.c, reasm.c,
 * icmp.c, udp.c, stack.c) and TCP (tcp_*.c).  Applications use
 * include/atoll/{stack,udp,tcp,flow}.h instead.
 *
 * Buffers (atoll/buf.h) flow up without copies: the stack's receive fiber
 * reads a batch of frames, and each layer pulls its header and hands the
 * same buffer up.  Ownership passes with the buffer: whoever is handed a
 * buffer frees it (or queues it).  On the way down a layer pushes its
 * header into the headroom (see NET_IP_HEADROOM / NET_TCP_HEADROOM).
 */
#ifndef ATOLL_NET_NET_H
#define ATOLL_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/buf.h"
#include "atoll/stack.h"

/* Headroom a transport must leave in front of its header: Ethernet (14)
 * plus the largest IPv4 header (60).  TCP builds segments with
 * NET_TCP_HEADROOM in front of the payload (room for its own header with
 * options too). */
#define NET_IP_HEADROOM  (14 + 60)
#define NET_TCP_HEADROOM (NET_IP_HEADROOM + 60)

/* lib/net/frame_cache.c: a buffer for a TCP segment of `size` payload
 * bytes with NET_TCP_HEADROOM (as atoll_buf_alloc), from the stack's
 * cache of sent frames when it is of ordinary size; a sent frame given
 * back (freed, or kept for the next); the cache emptied (stack end). */
struct atoll_buf *net_frame_alloc(struct atoll_stack *s, size_t size);
void net_frame_free(struct atoll_stack *s, struct atoll_buf *b);
void net_frame_cache_clear(struct atoll_stack *s);

#define NET_PROTO_ICMP 1
#define NET_PROTO_TCP  6
#define NET_PROTO_UDP  17

/* What the IPv4 layer tells a transport about a packet it delivers. */
struct net_ip_info {
    atoll_ipv4_t src, dst;
    uint8_t proto, ttl, tos;
    const uint8_t *hdr; /* the IPv4 header (valid during the call) */
    size_t hdr_len;
};

/* ---- provided by the IPv4 layer (ipv4.c) --------------------------------
 *
 * Send `b` (data = transport header + payload; at least NET_IP_HEADROOM of
 * headroom) to `dst` as protocol `proto`: push the IPv4 header, route
 * (local network or gateway), fragment if larger than the MTU, resolve the
 * next hop with ARP (queueing a bounded number of packets while it
 * resolves) and send.  Takes ownership of `b` in every case.  Returns 0,
 * -ATOLL_EHOSTUNREACH (no route), -ATOLL_ENOMEM, -ATOLL_EMSGSIZE, or
 * -ATOLL_EAGAIN (ARP queue full: the packet was dropped and counted).
 */
int net_ip_output(struct atoll_stack *s, atoll_ipv4_t dst, uint8_t proto,
                  struct atoll_buf *b);

/* Our address (the source of packets we send). */
atoll_ipv4_t net_ip_addr(const struct atoll_stack *s);

/* The interface MTU (largest IPv4 packet without fragmentation). */
uint16_t net_ip_mtu(const struct atoll_stack *s);
/* ATOLL_NETIF_* offloads of the stack's interface (atoll/netif.h). */
uint32_t net_offloads(const struct atoll_stack *s);

/* Neighbours a connection needs (arp.c).  While held, the ARP entry of
 * the next hop towards `dst` stays in the table: no other address's
 * packet may evict it, and when its resolution gives up it is kept (to be
 * resolved again by the next packet) instead of forgotten.  The gateway is
 * kept anyway.  net_neigh_hold returns the address it holds (pass it to
 * net_neigh_release), or 0 when there is nothing to hold: dst is off-link
 * (the gateway is the next hop) or the table has no room. */
atoll_ipv4_t net_neigh_hold(struct atoll_stack *s, atoll_ipv4_t dst);
void net_neigh_release(struct atoll_stack *s, atoll_ipv4_t held);

/* The stack's counters, writable by every layer. */
struct atoll_stack_stats *net_stats(struct atoll_stack *s);

/* The stack's name (for logs and trace labels). */
const char *net_name(const struct atoll_stack *s);

/* ---- checksums (checksum.c) --------------------------------------------- */

/* Add `len` bytes at `p` to a running 32-bit one's-complement sum (64 bits
 * at a time inside, folded once). */
uint32_t net_csum_add(uint32_t sum, const void *p, size_t len);
/* Fold to 16 bits and complement: the value to put in a header. */
uint16_t net_csum_fold(uint32_t sum);
/* The TCP/UDP pseudo-header sum. */
uint32_t net_csum_pseudo(atoll_ipv4_t src, atoll_ipv4_t dst, uint8_t proto,
                         uint16_t len);

/* ---- provided by TCP (tcp_*.c) ------------------------------------------
 *
 * net_tcp_init is called by atoll_stack_create and sets up the stack's TCP
 * state (it keeps its pointer with net_tcp_set / net_tcp_get below);
 * net_tcp_fini by atoll_stack_destroy.  net_tcp_input gets every valid
 * IPv4 packet with protocol 6 (data = the TCP header; the IP layer has
 * checked the IP header, not the TCP checksum) and owns `b`.
 * net_tcp_icmp_error gets ICMP destination-unreachable / time-exceeded
 * messages: `inner` is the quoted original IPv4 header plus at least the
 * first 8 bytes of its payload (`len` bytes in all, already bounds-checked
 * to hold the IPv4 header it claims + 8).
 */
int net_tcp_init(struct atoll_stack *s);
void net_tcp_fini(struct atoll_stack *s);
void net_tcp_input(struct atoll_stack *s, struct atoll_buf *b,
                   const struct net_ip_info *ip);
void net_tcp_icmp_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                        const uint8_t *inner, size_t len);
/* The same from IPv6 (ipv6.c, icmpv6.c): a segment (data = the TCP
 * header; the chain walked, nothing checked above IPv6), and an ICMPv6
 * destination unreachable, time exceeded, parameter problem or Packet
 * Too Big (`mtu`: the path MTU it left, after net_ipv6_pmtu_update)
 * quoting `len` bytes of our packet from its IPv6 header. */
struct net_ipv6_hdr;
void net_tcp6_input(struct atoll_stack *s, struct atoll_buf *b,
                    const struct net_ipv6_hdr *ip);
void net_tcp_icmp6_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                         uint32_t mtu, const uint8_t *inner, size_t len);

/* The end of a receive batch (stack.c's receive fiber, before it sends
 * what the batch produced): TCP sends the ACKs that in-order data asked
 * for during the batch, one per connection (tcp_out.c). */
void net_tcp_rx_end(struct atoll_stack *s);
/* True while the receive fiber dispatches a batch: output is queued and
 * sent at the batch's end, so an ACK asked for now may wait for it. */
bool net_in_rx(const struct atoll_stack *s);

/* Where TCP keeps its per-stack state. */
void net_tcp_set(struct atoll_stack *s, void *tcp);
void *net_tcp_get(const struct atoll_stack *s);

#endif
