/*
 * lib/net/stack_int.h - the stack object and the internal entry points
 * between N1's layers (eth.c, arp.c, ipv4.c, reasm.c, icmp.c, udp.c,
 * stack.c).  TCP sees only lib/net/net.h.
 *
 * Everything here runs on one core without locks: the receive fiber and
 * the application's fibers interleave only where they block.
 */
#ifndef ATOLL_NET_STACK_INT_H
#define ATOLL_NET_STACK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/buf.h"
#include "atoll/fiber.h"
#include "atoll/log.h"
#include "atoll/net_tunables.h"
#include "atoll/netif.h"
#include "atoll/stack.h"
#include "atoll/forward.h"
#include "net.h"
#include "wire.h"

/* ---- ARP cache --------------------------------------------------------- */

/* FREE: unused.  RESOLVING: requests out, packets waiting.  RESOLVED: the
 * MAC is trusted until `expires`.  STALE: an address the table keeps
 * (held by a connection, or the gateway) whose resolution gave up; the
 * next packet to it resolves it again. */
enum arp_state { ARP_FREE = 0, ARP_RESOLVING, ARP_RESOLVED, ARP_STALE };

struct arp_entry {
    enum arp_state state;
    atoll_ipv4_t ip;
    uint8_t mac[6];
    /* RESOLVING an address we never heard from, for a packet of ours
     * (typically a reply to whoever claimed that source address): counts
     * against NET_ARP_UNRESOLVED_MAX and NET_ARP_UNRESOLVED_QUEUE_MAX. */
    bool newcomer;
    bool used;               /* a packet of ours went to it */
    int users;               /* live TCP connections (net_neigh_hold) */
    atoll_time_t since;      /* when the entry took its slot */
    atoll_time_t last_used;  /* used: when the last packet went */
    atoll_time_t expires;    /* RESOLVED: trusted until */
    atoll_time_t next_retry; /* RESOLVING: next request */
    int tries;               /* RESOLVING: requests sent */
    struct atoll_bufq queue; /* RESOLVING: IPv4 packets waiting */
};

/* ---- reassembly ---------------------------------------------------------- */

struct reasm_frag {
    uint16_t off, len;   /* payload bytes [off, off+len) */
    struct atoll_buf *b; /* data = that payload */
};

struct reasm_ctx {
    bool used;
    bool v6;   /* an IPv6 datagram: keyed by src6, dst6 and id */
    bool dead; /* IPv6: abandoned for an overlap; its late fragments go too */
    atoll_ipv4_t src, dst;
    atoll_ipv6_t src6, dst6;
    uint32_t id;
    uint8_t proto; /* IPv4 only (part of its key) */
    int total;     /* payload length once the last fragment came, -1 */
    atoll_time_t expires;
    int nfrags;
    size_t mem;                                   /* buffer capacity held */
    struct reasm_frag frags[NET_REASM_FRAGS_MAX]; /* sorted by off */
    uint8_t hdr[60]; /* IPv4 header of the first fragment; IPv6: its fixed
                        header, next header = the fragment header's */
    size_t hdr_len;
    size_t first_pull; /* IPv6: the headers in front of the first
                          fragment's data, still in its buffer (quoted by
                          a time exceeded) */
};

/* ---- ping waiters ------------------------------------------------------ */

struct ping_wait {
    struct ping_wait *next;
    uint8_t family; /* enum atoll_family: which echo replies are ours */
    uint16_t id, seq;
    bool done;
    int err;
    struct atoll_buf *reply; /* ICMP message (header + data) */
    atoll_event ev;
};

struct atoll_udp; /* udp.c */

#define NET_TX_BATCH 32

struct atoll_stack {
    char name[32];
    struct atoll_netif *nif;
    struct atoll_netif_info info;
    struct atoll_stack_config cfg; /* its IPv4 part: IPv6 is in v6 */
    atoll_ipv4_t mask;
    struct atoll_stack_stats stats;

    atoll_fiber *rx_fiber;
    bool stopping;
    bool in_rx; /* the receive fiber is dispatching: batch transmissions */
    struct atoll_buf *txq[NET_TX_BATCH];
    int ntx;
    /* Sent frame buffers kept for reuse (frame_cache.c), linked by next. */
    struct atoll_buf *frame_cache;
    int frame_cache_n;

    struct arp_entry arp[NET_ARP_CACHE_MAX];
    size_t arp_queued;            /* packets waiting in all entries */
    int arp_announce_left;        /* gratuitous ARPs still to send */
    atoll_time_t arp_announce_at; /* when the next one goes */

    uint16_t ip_id;
    struct reasm_ctx *reasm; /* NET_REASM_MAX contexts */
    size_t reasm_mem;

    atoll_time_t icmp_window; /* start of the current rate-limit second */
    int icmp_errors;          /* errors sent in it */
    uint16_t ping_id;
    struct ping_wait *pings;

    struct atoll_udp *udp; /* bound sockets */
    uint16_t udp_next_eph;

    void *tcp; /* net_tcp_set/get */

    struct net6 *v6; /* IPv6 state (ipv6_int.h), NULL until enabled */

    /* atoll/forward.h: sees every valid IP packet first (forward.c) */
    atoll_stack_forward_fn fwd;
    void *fwd_arg;
};

/* ---- eth.c -----------------------------------------------------------------
 */
/* A received frame: parse, filter (our MAC or broadcast), dispatch.  Owns b. */
void net_eth_input(struct atoll_stack *s, struct atoll_buf *b);
/* Push the Ethernet header (to `dst`, type) and transmit.  Owns b.
 * 0 or a negative error. */
int net_eth_output(struct atoll_stack *s, const uint8_t dst[6], uint16_t type,
                   struct atoll_buf *b);
/* Send what the receive fiber batched. */
void net_eth_flush(struct atoll_stack *s);

/* ---- arp.c ----------------------------------------------------------------
 */
void net_arp_input(struct atoll_stack *s, struct atoll_buf *b);
/* Send IPv4 packet `b` (IP header in place) to next hop `nh`: now if
 * resolved, else queue it (bounded) and resolve.  Owns b. */
int net_arp_output(struct atoll_stack *s, atoll_ipv4_t nh, struct atoll_buf *b);
/* RFC 5227's announcements: one now, the rest from net_arp_timers. */
void net_arp_announce(struct atoll_stack *s);
/* Retries and give-ups due by `now`; returns the next deadline. */
atoll_time_t net_arp_timers(struct atoll_stack *s, atoll_time_t now);
void net_arp_fini(struct atoll_stack *s);
/* For tests: the cached MAC of `ip` (0 if resolved and fresh). */
int net_arp_lookup(struct atoll_stack *s, atoll_ipv4_t ip, uint8_t mac[6]);

/* ---- ipv4.c ----------------------------------------------------------------
 */
void net_ipv4_input(struct atoll_stack *s, struct atoll_buf *b);
/* Deliver a complete datagram (from input or reassembly): data = the
 * transport header; `hdr` the IPv4 header. */
void net_ipv4_deliver(struct atoll_stack *s, struct atoll_buf *b,
                      const struct net_ipv4_hdr *h, const uint8_t *raw,
                      size_t raw_len);
bool net_ipv4_is_broadcast(const struct atoll_stack *s, atoll_ipv4_t a);
/* The next hop for `dst`: dst itself on our subnet, else the gateway (0
 * when there is none). */
atoll_ipv4_t net_ipv4_next_hop(const struct atoll_stack *s, atoll_ipv4_t dst);

/* ---- reasm.c ----------------------------------------------------------------
 */
int net_reasm_init(struct atoll_stack *s);
void net_reasm_fini(struct atoll_stack *s);
/* A fragment (data = IPv4 payload).  Owns b.  Delivers the datagram when
 * complete. */
void net_reasm_input(struct atoll_stack *s, struct atoll_buf *b,
                     const struct net_ipv4_hdr *h, const uint8_t *raw);
/* An IPv6 fragment (data = the whole packet from its IPv6 header; h and
 * c its header and chain).  Owns b.  Delivers the datagram when complete
 * (net_ipv6_reassembled). */
struct net_ipv6_hdr;
struct net_ipv6_chain;
void net_reasm6_input(struct atoll_stack *s, struct atoll_buf *b,
                      const struct net_ipv6_hdr *h,
                      const struct net_ipv6_chain *c);
atoll_time_t net_reasm_timers(struct atoll_stack *s, atoll_time_t now);

/* ---- icmp.c
 * ------------------------------------------------------------------ */
void net_icmp_input(struct atoll_stack *s, struct atoll_buf *b,
                    const struct net_ip_info *ip);
/* Send a destination unreachable (type/code) quoting `raw` (IPv4 header +
 * payload of the offending packet, `len` bytes). */
void net_icmp_send_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                         const uint8_t *raw, size_t len);
/* The waiting ping of `family` with id and seq hears its echo reply
 * (`reply`, which it then owns) or, with reply NULL, an error about its
 * request: `err`.  False when no ping waits for it (reply not taken). */
bool net_ping_answer(struct atoll_stack *s, uint8_t family, uint16_t id,
                     uint16_t seq, struct atoll_buf *reply, int err);

/* ---- udp.c
 * ---------------------------------------------------------------------- */
void net_udp_input(struct atoll_stack *s, struct atoll_buf *b,
                   const struct net_ip_info *ip);
/* An IPv6 datagram (data = UDP header; `off` bytes of IPv6 header and
 * extension headers in front of it, for an ICMPv6 quote).  Owns b. */
void net_udp6_input(struct atoll_stack *s, struct atoll_buf *b,
                    const struct net_ipv6_hdr *ip, size_t off);
void net_udp_fini(struct atoll_stack *s);

/* The stack's log source ("net"). */
extern struct atoll_log_src net_log;

#endif
