/*
 * atoll/stack.h - a dual-stack (IPv4 and IPv6) network stack over one
 * network interface.
 *
 * NAME
 *     struct atoll_stack, atoll_stack_create, atoll_stack_config,
 *     atoll_ipv4_parse, atoll_ipv4_format
 *
 * DESCRIPTION
 *     A stack owns one network interface (atoll/netif.h) and runs Ethernet,
 *     ARP, IPv4 (with fragmentation and reassembly), ICMP, UDP (atoll/udp.h)
 *     and TCP (atoll/tcp.h) over it.  It starts one fiber, "NAME rx", that
 *     reads frame batches from the interface and dispatches them, and sends a
 *     gratuitous ARP when it starts.
 *
 *     An application usually does not create a stack itself: it declares
 *     one in its manifest,
 *
 *         device  stack  service
 *
 *     and gets `struct atoll_stack *service` in struct app, configured from
 *     the runtime arguments --ipv4=ADDR/PREFIX and --ipv4-gateway=ADDR
 *     (without --ipv4, or with --dhcp, by DHCP: atoll/dhcp.h), and
 *     --ipv6=ADDR/PREFIX[,ADDR/PREFIX...] and --ipv6-gateway=ADDR (without
 *     --ipv6 by SLAAC; --ipv6=off for none: atoll/ipv6.h)
 *     (given after "--"; see docs/manifest.md for how several stacks are
 *     named).  The stack's interface is attached like a net device,
 *     --net:service=TAP, and its implementation can be swapped the same way
 *     (--impl service=flood).
 *
 *     IPv4 addresses are uint32_t in host byte order (198.18.0.2 is
 *     0xc6120002); IPv6 ones atoll_ipv6_t (atoll/ipv6.h).
 *
 *     The configuration.  struct atoll_stack_config says what a stack is
 *     made with (atoll_stack_create) and, read back with
 *     atoll_stack_config(), what it holds now: the IPv4 address, prefix
 *     and gateway (from the configuration or DHCP), and for IPv6 how it
 *     is configured, every address it has with its prefix, state (a new
 *     address is TENTATIVE for about a second, while duplicate address
 *     detection runs) and origin (link-local, static, SLAAC), the default
 *     router in force (static, or advertised) and the IPv6 MTU.
 */
#ifndef ATOLL_STACK_H
#define ATOLL_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/app.h"
#include "atoll/ipv6.h"
#include "atoll/net_tunables.h"
#include "atoll/netif.h"

typedef uint32_t atoll_ipv4_t;

/* How IPv6 is configured. */
enum atoll_stack_ipv6_mode {
    ATOLL_STACK_IPV6_OFF = 0, /* IPv4 only */
    ATOLL_STACK_IPV6_STATIC,  /* addrs6[] and gateway6 as given */
    ATOLL_STACK_IPV6_SLAAC,   /* from router advertisements (RFC 4862) */
};

struct atoll_stack_config {
    atoll_ipv4_t addr;    /* our address */
    uint8_t prefix;       /* netmask length, 0..32 */
    atoll_ipv4_t gateway; /* 0 = none: only the local network is reached */
    /* IPv6.  Given: ipv6 (enum atoll_stack_ipv6_mode), and for STATIC
     * naddrs6 addresses (addr and prefix of each; state and origin are
     * ignored) and gateway6 (:: for none; link-local or inside a prefix).
     * Read back: every address the stack holds, link-local first, the
     * router in force, and mtu6. */
    uint8_t ipv6;
    uint8_t naddrs6;
    struct atoll_ipv6_addr_info addrs6[NET_IPV6_ADDRS_MAX];
    atoll_ipv6_t gateway6;
    uint16_t mtu6; /* read back only: the IPv6 link MTU in force */
};

struct atoll_stack;

/*
 * Create a stack over `nif` named `name` (for logs and the trace) and start
 * its receive fiber, with IPv6 as config->ipv6 says.  The stack does not
 * own `nif`'s memory but is its only reader from then on.  Returns 0,
 * -ATOLL_EINVAL (bad config: an IPv4 address that is not a host's, a
 * gateway outside the subnet, an IPv6 address that is not global or
 * unique-local unicast, a gateway6 neither link-local nor on-link, IPv6
 * on a link whose MTU is below 1280), or -ATOLL_ENOMEM.
 */
int atoll_stack_create(const char *name, struct atoll_netif *nif,
                       const struct atoll_stack_config *config,
                       struct atoll_stack **out);

/* Stop the receive fiber, abort every connection, release the stack. */
void atoll_stack_destroy(struct atoll_stack *s);

/* The configuration in force, IPv6 included (DESCRIPTION). */
void atoll_stack_config(const struct atoll_stack *s,
                        struct atoll_stack_config *out);

/*
 * Counters of everything dropped, by layer and reason: bad input is counted
 * and dropped, never a crash.  For tests and for --log=net:debug.
 */
struct atoll_stack_stats {
    uint64_t rx_frames, tx_frames;
    uint64_t eth_drop;       /* short frame, unknown EtherType, not us */
    uint64_t arp_drop;       /* malformed ARP */
    uint64_t arp_queue_drop; /* waiting-for-resolution queue full */
    uint64_t ip_drop;        /* bad header, checksum, length, TTL */
    uint64_t ip_reasm_drop;  /* fragments dropped: limits, overlap, age */
    uint64_t icmp_drop;
    uint64_t udp_drop; /* checksum, no socket, queue full */
    uint64_t tcp_drop; /* checksum, bad options, no connection */
    /* IPv6 (atoll/ipv6.h): */
    uint64_t ip6_drop;      /* header, extension chain, address, protocol */
    uint64_t ip6_frag_drop; /* fragments: limits, overlap, age, chain */
    uint64_t icmp6_drop;    /* checksum, length, type/code, not for us */
    uint64_t nd_drop;       /* hop limit not 255, malformed, bad source */
    uint64_t nd_queue_drop; /* neighbour queue full or resolution failed */
    /* The IPv6, ICMPv6 and ND drops above by reason (atoll/ipv6.h). */
    uint64_t ip6_reject[ATOLL_IP6R_COUNT];
};
void atoll_stack_stats(const struct atoll_stack *s,
                       struct atoll_stack_stats *out);

/* "198.18.0.2" -> address; "198.18.0.2/24" -> address and prefix (prefix
 * may be NULL when none is allowed).  0 or -ATOLL_EINVAL. */
int atoll_ipv4_parse(const char *text, atoll_ipv4_t *addr, uint8_t *prefix);

/* Dotted quad into buf (at least 16 bytes); returns buf. */
char *atoll_ipv4_format(atoll_ipv4_t addr, char *buf);

/*
 * Constructors used by the generated wiring for `device stack NAME [IMPL]`:
 * open NAME's network interface with implementation IMPL (default, flood,
 * faulty: see atoll/netif.h), then create the stack from the device's
 * arguments: args[0] = --ipv4 (ADDR/PREFIX), args[1] = --ipv4-gateway
 * (ADDR, or "" for none), args[2] = --dhcp (bool), args[3] = --ipv6
 * (ADDR/PREFIX, several separated by commas; "" for SLAAC, "off"),
 * args[4] = --ipv6-gateway.  With --ipv4 empty or --dhcp the stack is
 * configured by DHCP (atoll/dhcp.h): the constructor waits for the first
 * lease.
 */
int atoll_stack_open_default(const char *name,
                             const struct atoll_arg_value *args,
                             struct atoll_stack **out);
int atoll_stack_open_flood(const char *name, const struct atoll_arg_value *args,
                           struct atoll_stack **out);
int atoll_stack_open_faulty(const char *name,
                            const struct atoll_arg_value *args,
                            struct atoll_stack **out);

#endif
