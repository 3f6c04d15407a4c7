/*
 * lib/net/ipv6_int.h - IPv6 inside the stack: the wire formats of the
 * IPv6 header, its extension headers, ICMPv6 and Neighbor Discovery (pure
 * parse/write functions, like wire.h), the per-stack IPv6 state, and the
 * entry points between ipv6.c, icmpv6.c, nd.c and the rest of the stack.
 *
 * The state is allocated when IPv6 is enabled (s->v6, NULL before): a
 * fixed table of addresses and one of neighbours, with bounded queues, so
 * nothing a packet says can grow memory.
 */
#ifndef ATOLL_NET_IPV6_INT_H
#define ATOLL_NET_IPV6_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/buf.h"
#include "atoll/ipv6.h"
#include "atoll/net_tunables.h"
#include "atoll/time.h"

struct atoll_stack;

/* ---- IPv6 header (RFC 8200 3) ------------------------------------------ */

#define NET_ETHTYPE_IPV6 0x86dd
#define NET_IP6_HLEN     40

#define NET_IP6_HOPOPTS  0
#define NET_IP6_TCP      6
#define NET_IP6_UDP      17
#define NET_IP6_ROUTING  43
#define NET_IP6_FRAGMENT 44
#define NET_IP6_ICMPV6   58
#define NET_IP6_NONE     59
#define NET_IP6_DSTOPTS  60

struct net_ipv6_hdr {
    uint8_t tclass;
    uint32_t flow;        /* 20 bits */
    uint16_t payload_len; /* bytes after the fixed header */
    uint8_t next, hop_limit;
    atoll_ipv6_t src, dst;
};

/* Version 6 and 40 + payload_len <= len.  0 or -ATOLL_EBADMSG. */
int net_ipv6_parse(const uint8_t *p, size_t len, struct net_ipv6_hdr *h);
void net_ipv6_write(uint8_t *p, const struct net_ipv6_hdr *h);

/* What walking the extension headers found (RFC 8200 4). */
struct net_ipv6_chain {
    uint8_t proto;     /* the upper-layer protocol (next header) */
    size_t off;        /* where its header starts, from the IPv6 header */
    bool fragment;     /* a fragment header that is not atomic */
    uint32_t frag_id;  /* fragment header: identification */
    uint16_t frag_off; /* fragment header: offset in bytes */
    bool frag_more;    /* fragment header: M flag */
    /* On -ATOLL_ENOTSUP: the ICMPv6 parameter problem to send (code and
     * pointer, RFC 4443 3.4); send_error false when none is due. */
    uint8_t pp_code;
    uint32_t pp_ptr;
    bool send_error;
    uint8_t reject; /* on any error: why (enum atoll_ip6_reject) */
};

/* Walk the chain of the packet p (IPv6 header included, `len` bytes
 * after Ethernet padding was trimmed): hop-by-hop only first, destination
 * options and fragment headers anywhere, at most NET_IPV6_EXT_MAX headers;
 * options must fit their header, and unknown ones are handled by the two
 * high bits of their type (RFC 8200 4.2); a routing header with segments left
 * is refused (type 0 always, RFC 5095), one with none left is skipped. 0,
 * -ATOLL_EBADMSG (truncated, too long a chain) or -ATOLL_ENOTSUP (a parameter
 * problem: c->pp_*). */
int net_ipv6_walk(const uint8_t *p, size_t len, struct net_ipv6_chain *c);

/* ---- ICMPv6 (RFC 4443) and ND (RFC 4861) -------------------------------- */

#define NET_ICMP6_UNREACH     1
#define NET_ICMP6_PKT_TOO_BIG 2
#define NET_ICMP6_TIME_EXCEED 3
#define NET_ICMP6_PARAM_PROB  4
#define NET_ICMP6_ECHO        128
#define NET_ICMP6_ECHO_REPLY  129
#define NET_ICMP6_MLD_QUERY   130
#define NET_ICMP6_RS          133
#define NET_ICMP6_RA          134
#define NET_ICMP6_NS          135
#define NET_ICMP6_NA          136
#define NET_ICMP6_REDIRECT    137
#define NET_ICMP6_MLD2_REPORT 143

#define NET_ND_OPT_SLLA   1
#define NET_ND_OPT_TLLA   2
#define NET_ND_OPT_PREFIX 3
#define NET_ND_OPT_MTU    5

#define NET_ND_NA_ROUTER    0x80000000u
#define NET_ND_NA_SOLICITED 0x40000000u
#define NET_ND_NA_OVERRIDE  0x20000000u

/* The ICMPv6 checksum over the pseudo-header (RFC 8200 8.1) and the
 * message of `len` bytes at p: 0 when a received message is intact. */
uint16_t net_icmp6_csum(const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                        const uint8_t *p, size_t len);
/* The pseudo-header sum alone, for any upper layer. */
uint32_t net_csum_pseudo6(const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                          uint8_t proto, uint32_t len);

/* A parsed ND message: the fixed part and the options that matter. */
struct net_nd_msg {
    uint8_t type;
    atoll_ipv6_t target; /* NS, NA */
    uint32_t flags;      /* NA: R/S/O; RA: hop limit << 24 | M/O << 16 |
                            router lifetime (s) */
    uint32_t reachable_ms, retrans_ms; /* RA */
    bool has_lla;
    uint8_t lla[6]; /* source (NS, RS, RA) or target (NA) link-layer */
    bool has_mtu;
    uint32_t mtu;
    int nprefix; /* RA: prefix options, at most NET_ND_PREFIXES_MAX */
    struct {
        atoll_ipv6_t prefix;
        uint8_t len, flags; /* flags: 0x80 on-link, 0x40 autonomous */
        uint32_t valid_s, preferred_s;
    } prefix[NET_ND_PREFIXES_MAX];
};

/* Validate an RS/RA/NS/NA message (RFC 4861 6.1, 7.1: code 0, lengths,
 * options with non-zero length inside the message, target not
 * multicast) and parse it; hop limit, checksum and addresses are the
 * caller's checks.  0 or -ATOLL_EBADMSG. */
int net_nd_parse(const uint8_t *p, size_t len, struct net_nd_msg *m);

/* ---- the per-stack state -------------------------------------------------
 */

enum nd_state {
    ND_FREE = 0,
    ND_INCOMPLETE, /* solicitations out, packets waiting */
    ND_REACHABLE,  /* confirmed within the reachable time */
    ND_STALE,      /* not confirmed lately: next use starts DELAY */
    ND_DELAY,      /* used while stale: wait for confirmation, then probe */
    ND_PROBE,      /* unicast solicitations out */
};

struct nd_entry {
    enum nd_state state;
    atoll_ipv6_t ip;
    uint8_t mac[6];
    bool router;
    int probes;              /* solicitations sent in this state */
    atoll_time_t timer;      /* next transition or retransmission */
    atoll_time_t last_used;  /* for replacement */
    struct atoll_bufq queue; /* INCOMPLETE: packets waiting */
};

struct net6_addr {
    bool used;
    atoll_ipv6_t a;
    uint8_t prefix;
    uint8_t state;  /* enum atoll_ipv6_addr_state */
    uint8_t origin; /* enum atoll_ipv6_origin */
    int dad_sent;
    atoll_time_t dad_next;    /* TENTATIVE: next probe or the verdict */
    atoll_time_t valid_until; /* SLAAC: valid lifetime, else ATOLL_NEVER */
};

struct net6 {
    bool slaac; /* addresses and router from advertisements */
    struct net6_addr addrs[NET_IPV6_ADDRS_MAX];
    atoll_ipv6_t router; /* default router (link-local or on-link) */
    bool has_router;
    atoll_time_t router_until; /* SLAAC: router lifetime */
    uint16_t mtu;
    uint8_t hop_limit;
    atoll_time_t reachable_ns, retrans_ns;
    int rs_sent;
    atoll_time_t rs_next;    /* next router solicitation */
    int mld_left;            /* unsolicited reports still to send */
    atoll_time_t mld_next;   /* next report */
    atoll_time_t err_window; /* ICMPv6 error rate limit */
    int errors;
    uint32_t frag_id; /* identification of our next fragmented packet */
    struct {
        atoll_ipv6_t dst;
        uint16_t mtu;       /* 0: a free slot */
        atoll_time_t until; /* then the link MTU again */
    } pmtu[NET_IPV6_PMTU_MAX];
    struct nd_entry nd[NET_ND_CACHE_MAX];
    size_t nd_queued;
};

/* ---- ipv6.c ---------------------------------------------------------------
 */
/* Turn IPv6 on or reconfigure it: the static addresses addrs[0..n) (addr
 * and prefix) and gateway (NULL or :: for none), or SLAAC with n 0.  0 or
 * -ATOLL_EINVAL (an address not global or unique-local unicast, more than
 * NET_IPV6_ADDRS_MAX - 1, a gateway neither link-local nor on-link, a
 * link MTU below 1280), -ATOLL_ENOMEM. */
int net_ipv6_configure(struct atoll_stack *s,
                       const struct atoll_ipv6_addr_info *addrs, int n,
                       const atoll_ipv6_t *gateway);
/* Count `n` packets dropped for `why`: its own counter and its layer's
 * total (atoll/ipv6.h). */
void net_ip6_reject(struct atoll_stack *s, enum atoll_ip6_reject why,
                    uint64_t n);
void net_ipv6_input(struct atoll_stack *s, struct atoll_buf *b);
/* A datagram reassembly made (reasm.c): input again, but a fragment
 * header in it is refused.  Owns b. */
void net_ipv6_reassembled(struct atoll_stack *s, struct atoll_buf *b);
/* The path MTU towards dst: what a Packet Too Big taught us, else the
 * link's. */
uint16_t net_ipv6_path_mtu(const struct atoll_stack *s,
                           const atoll_ipv6_t *dst);
/* A Packet Too Big said `mtu` towards dst (RFC 8201 4): below 1280 or not
 * below the current estimate it changes nothing; false then. */
bool net_ipv6_pmtu_update(struct atoll_stack *s, const atoll_ipv6_t *dst,
                          uint32_t mtu);
/* Send `b` (data = upper-layer header + payload, NET_IP_HEADROOM of
 * headroom) to dst from `src` (NULL: the best of ours for dst) with
 * protocol `proto` and `hop_limit` (0: the stack's); a packet larger than
 * the path MTU goes out in fragments (RFC 8200 4.5).  Owns b.  0 or
 * -ATOLL_EHOSTUNREACH, -ATOLL_EMSGSIZE (over 65535 bytes), -ATOLL_ENOMEM,
 * -ATOLL_EAGAIN (neighbour queue full). */
int net_ipv6_output(struct atoll_stack *s, const atoll_ipv6_t *src,
                    const atoll_ipv6_t *dst, uint8_t proto, uint8_t hop_limit,
                    struct atoll_buf *b);
/* Our source address for dst (RFC 6724 reduced to one interface), or
 * NULL without a usable one. */
const atoll_ipv6_t *net_ipv6_source(const struct atoll_stack *s,
                                    const atoll_ipv6_t *dst);
/* A packet to dst would leave now: a preferred source of dst's scope and
 * dst on-link (link-local, or in one of our prefixes) or a default
 * router. */
bool net_ipv6_routes(const struct atoll_stack *s, const atoll_ipv6_t *dst);
/* One of our addresses (preferred, or tentative too with `tentative`). */
bool net_ipv6_is_ours(const struct atoll_stack *s, const atoll_ipv6_t *a,
                      bool tentative);
/* Our link-local address into *out; false while it is not usable yet
 * (tentative) or a duplicate. */
bool net_ipv6_our_link_local(const struct atoll_stack *s, atoll_ipv6_t *out);
/* A multicast group we listen to: all-nodes or one of our solicited-node
 * groups. */
bool net_ipv6_is_our_group(const struct atoll_stack *s, const atoll_ipv6_t *a);
atoll_time_t net_ipv6_timers(struct atoll_stack *s, atoll_time_t now);
void net_ipv6_fini(struct atoll_stack *s);
/* A frame with this multicast destination MAC is one of our groups. */
bool net_ipv6_mac_wanted(const struct atoll_stack *s, const uint8_t mac[6]);

/* Address helpers. */
void net_ipv6_link_local(const uint8_t mac[6], atoll_ipv6_t *out);
void net_ipv6_solicited_node(const atoll_ipv6_t *a, atoll_ipv6_t *out);
void net_ipv6_multicast_mac(const atoll_ipv6_t *a, uint8_t mac[6]);
bool net_ipv6_is_unspecified(const atoll_ipv6_t *a);
static inline bool net_ipv6_is_multicast(const atoll_ipv6_t *a)
{
    return a->b[0] == 0xff;
}
static inline bool net_ipv6_is_link_local(const atoll_ipv6_t *a)
{
    return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}
bool net_ipv6_same_prefix(const atoll_ipv6_t *a, const atoll_ipv6_t *b,
                          unsigned len);
extern const atoll_ipv6_t net_ipv6_all_nodes, net_ipv6_all_routers,
    net_ipv6_mld2_routers;

/* ---- icmpv6.c -------------------------------------------------------------
 */
/* data = the ICMPv6 message; ip = the IPv6 header (valid during the
 * call).  Owns b. */
void net_icmp6_input(struct atoll_stack *s, struct atoll_buf *b,
                     const struct net_ipv6_hdr *ip);
/* An error (type, code, `param` the 32-bit field) about the packet at
 * raw (`len` bytes from its IPv6 header), rate-limited, never about an
 * ICMPv6 error, to or from a multicast or unspecified address. */
void net_icmp6_send_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                          uint32_t param, const uint8_t *raw, size_t len);
/* Write `type`'s header (first 4 bytes of the message at p, `len` bytes
 * in all) and its checksum. */
void net_icmp6_finish(uint8_t *p, size_t len, const atoll_ipv6_t *src,
                      const atoll_ipv6_t *dst);

/* ---- nd.c -----------------------------------------------------------------
 */
void net_nd_input(struct atoll_stack *s, struct atoll_buf *b,
                  const struct net_ipv6_hdr *ip);
/* Send an IPv6 packet (header in place) to the on-link next hop `nh`.
 * Owns b. */
int net_nd_output(struct atoll_stack *s, const atoll_ipv6_t *nh,
                  struct atoll_buf *b);
atoll_time_t net_nd_timers(struct atoll_stack *s, atoll_time_t now);
void net_nd_start(struct atoll_stack *s); /* after (re)configuration */
void net_nd_fini(struct atoll_stack *s);
/* Add an address (TENTATIVE: DAD starts).  0 or -ATOLL_ENOSPC. */
int net_nd_addr_add(struct atoll_stack *s, const atoll_ipv6_t *a,
                    uint8_t prefix, uint8_t origin, atoll_time_t valid_until);
/* For tests: the neighbour entry of `ip` (NULL if none). */
struct nd_entry *net_nd_find(struct atoll_stack *s, const atoll_ipv6_t *ip);

/* ---- mld.c ----------------------------------------------------------------
 */
/* A multicast listener query (RFC 3810 5.1): answered with a report of
 * our groups.  Owns b. */
void net_mld_input(struct atoll_stack *s, struct atoll_buf *b,
                   const struct net_ipv6_hdr *ip);
/* Our groups changed (an address came or went): report them
 * NET_MLD_REPORTS times. */
void net_mld_changed(struct atoll_stack *s);
atoll_time_t net_mld_timers(struct atoll_stack *s, atoll_time_t now);

#endif
