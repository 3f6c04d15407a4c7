/*
 * atoll/ipv6.h - IPv6 on a network stack: addresses, static or automatic
 * configuration, and what the stack currently holds.
 *
 * NAME
 *     atoll_ipv6_t, atoll_ipv6_parse, atoll_ipv6_format,
 *     atoll_stack_ipv6_enable, atoll_stack_ipv6_addrs,
 *     atoll_stack_ipv6_settle, atoll_stack_ipv6_router,
 *     atoll_ip6_reject_name
 *
 * DESCRIPTION
 *     A stack (atoll/stack.h) speaks IPv6 beside IPv4 once it is enabled:
 *     it then holds a link-local address made from its MAC (fe80::/64 and
 *     the modified EUI-64 of RFC 4291 appendix A), joins the all-nodes and
 *     solicited-node multicast groups (announced with MLDv2, RFC 3810),
 *     runs duplicate address detection on every address (RFC 4862), answers
 *     neighbor solicitations and echo requests (ping -6), and either
 *
 *       - takes a static address and gateway (atoll_stack_ipv6_enable with
 *         a config whose prefix is not 0), or
 *       - configures itself from router advertisements (SLAAC, RFC 4862):
 *         it solicits routers, forms an address in every advertised /64
 *         prefix with the autonomous flag, and takes the default router and
 *         the link MTU they announce (config NULL or prefix 0).
 *
 *     A stack declared in a manifest (`device stack NAME`) is enabled by
 *     its wiring: --ipv6=ADDR/PREFIX[,ADDR/PREFIX...] [--ipv6-gateway=ADDR]
 *     for static addresses, SLAAC without them, and --ipv6=off for IPv4
 *     only.  A stack made with atoll_stack_create() gets what its
 *     configuration's `ipv6` says (atoll/stack.h; IPv4 only by default),
 *     or is enabled later here.  atoll_stack_config() shows the addresses,
 *     router and MTU in force with the IPv4 configuration; the functions
 *     below show them one at a time.
 *
 *     UDP runs over IPv6 through the same sockets as over IPv4, with
 *     addresses of either family (atoll/addr.h, atoll/udp.h); TCP does
 *     not yet (docs/net.md, "IPv6").
 */
#ifndef ATOLL_IPV6_H
#define ATOLL_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

struct atoll_stack;

/* An IPv6 address, network byte order. */
typedef struct {
    uint8_t b[16];
} atoll_ipv6_t;

/* Room for the longest text form plus its NUL. */
#define ATOLL_IPV6_TEXT 46

/* RFC 4291 2.2 text ("2001:db8::1", "fe80::1:2", "::ffff:1.2.3.4" is not
 * accepted); with `prefix` non-NULL a "/N" suffix (0..128) is allowed and
 * stored (128 without one).  0 or -ATOLL_EINVAL. */
int atoll_ipv6_parse(const char *text, atoll_ipv6_t *addr, uint8_t *prefix);

/* RFC 5952 text (lower case, the longest run of zero groups as "::") into
 * buf (ATOLL_IPV6_TEXT bytes); returns buf. */
char *atoll_ipv6_format(const atoll_ipv6_t *addr, char *buf);

struct atoll_ipv6_config {
    atoll_ipv6_t addr;    /* a global or unique-local unicast address */
    uint8_t prefix;       /* on-link prefix length 1..128; 0 = SLAAC */
    atoll_ipv6_t gateway; /* default router (:: for none) */
};

/* Turn IPv6 on (or reconfigure it): static with `c` and c->prefix != 0,
 * SLAAC with c NULL or c->prefix 0.  A static configuration drops the
 * addresses and router SLAAC gave.  0 or -ATOLL_EINVAL (multicast,
 * loopback, unspecified or link-local address; a gateway that is not
 * link-local and outside the prefix). */
int atoll_stack_ipv6_enable(struct atoll_stack *s,
                            const struct atoll_ipv6_config *c);

enum atoll_ipv6_addr_state {
    ATOLL_IPV6_TENTATIVE = 1, /* duplicate address detection running */
    ATOLL_IPV6_PREFERRED,     /* in use */
    ATOLL_IPV6_DUPLICATE,     /* another host has it: never used */
};

enum atoll_ipv6_origin {
    ATOLL_IPV6_LINK_LOCAL = 1,
    ATOLL_IPV6_STATIC,
    ATOLL_IPV6_SLAAC,
};

struct atoll_ipv6_addr_info {
    atoll_ipv6_t addr;
    uint8_t prefix;
    uint8_t state;  /* enum atoll_ipv6_addr_state */
    uint8_t origin; /* enum atoll_ipv6_origin */
};

/* Copy up to `max` of the stack's IPv6 addresses into out; returns how
 * many there are (0 when IPv6 is off). */
int atoll_stack_ipv6_addrs(const struct atoll_stack *s,
                           struct atoll_ipv6_addr_info *out, int max);

/* Wait until none of the stack's addresses is tentative any more
 * (duplicate address detection, about a second after start or after
 * SLAAC adds one, RFC 4862 5.4): until then nothing is sent from them,
 * so a client that starts by connecting waits for this first.  0 (at
 * once without IPv6), or -ATOLL_ETIMEDOUT at `deadline`. */
int atoll_stack_ipv6_settle(const struct atoll_stack *s, atoll_time_t deadline);

/* The default router (link-local, as routers advertise themselves) and
 * the IPv6 MTU in force.  0, or -ATOLL_ENOENT without a router (mtu is
 * set either way). */
int atoll_stack_ipv6_router(const struct atoll_stack *s, atoll_ipv6_t *router,
                            uint16_t *mtu);

/*
 * Why an IPv6, ICMPv6 or ND packet was dropped.  Each reason has its own
 * counter, atoll_stack_stats.ip6_reject[reason] (atoll/stack.h), beside
 * the per-layer totals it also adds to: ip6_drop for the header and the
 * chain, ip6_frag_drop for fragments (one per fragment), icmp6_drop for
 * ICMPv6 and MLD, nd_drop for Neighbor Discovery.
 */
enum atoll_ip6_reject {
    ATOLL_IP6R_OFF,        /* IPv6 is not enabled on this stack */
    ATOLL_IP6R_HEADER,     /* short, not version 6, payload past the frame */
    ATOLL_IP6R_SRC,        /* multicast source, or our own looped back */
    ATOLL_IP6R_DST,        /* not one of our addresses or groups */
    ATOLL_IP6R_TRUNCATED,  /* an extension header or option past the end */
    ATOLL_IP6R_CHAIN_LONG, /* more extension headers than NET_IPV6_EXT_MAX */
    ATOLL_IP6R_HBH_PLACE,  /* a hop-by-hop header that is not the first */
    ATOLL_IP6R_OPTION,     /* an unknown option whose type says discard */
    ATOLL_IP6R_ROUTING,    /* a routing header with segments left (RH0) */
    ATOLL_IP6R_PROTO,      /* an upper layer this stack does not speak */
    /* fragments (ip6_frag_drop) */
    ATOLL_IP6R_FRAG_LEN,     /* more follow but not 8n bytes; past 65535 */
    ATOLL_IP6R_FRAG_OVERLAP, /* overlapping fragments (RFC 5722) */
    ATOLL_IP6R_FRAG_DUP,     /* a byte-identical duplicate */
    ATOLL_IP6R_FRAG_CHAIN,   /* first fragment without the chain (RFC 7112),
                                or a fragment inside a reassembled packet */
    ATOLL_IP6R_FRAG_LIMIT,   /* too many datagrams, fragments or bytes */
    ATOLL_IP6R_FRAG_TIMEOUT, /* not complete in time */
    /* ICMPv6 and MLD (icmp6_drop) */
    ATOLL_IP6R_ICMP_SHORT,  /* shorter than its type's fixed part */
    ATOLL_IP6R_ICMP_CSUM,   /* checksum */
    ATOLL_IP6R_ICMP_NOT_US, /* from ::, or to an address not ours yet */
    ATOLL_IP6R_ICMP_ECHO,   /* echo request with a code, or to a group */
    ATOLL_IP6R_ICMP_PTB,    /* packet too big not about a packet of ours */
    ATOLL_IP6R_MLD,         /* a query not from a link-local router, hop
                               limit not 1, or short */
    /* Neighbor Discovery (nd_drop) */
    ATOLL_IP6R_ND_HOP_LIMIT, /* hop limit not 255 (RFC 4861 7.1.1) */
    ATOLL_IP6R_ND_MALFORMED, /* code, length, options, multicast target */
    ATOLL_IP6R_ND_SOURCE,    /* NS from :: not to a solicited-node group or
                                with an address option; NA from ::; RA not
                                from a link-local address */
    ATOLL_IP6R_ND_SOLICITED, /* a solicited NA to a multicast group */
    ATOLL_IP6R_COUNT
};

/* The reason's name ("frag_overlap"), for logs and tests. */
const char *atoll_ip6_reject_name(enum atoll_ip6_reject r);

#endif
