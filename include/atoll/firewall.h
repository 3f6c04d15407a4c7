/*
 * atoll/firewall.h - a stateful firewall and NAT router between network
 * interfaces: routing, connection tracking, address translation and the
 * rule set of atoll/fw.h, one packet at a time.
 *
 * NAME
 *     struct atoll_firewall, atoll_firewall_create, atoll_firewall_rules,
 *     atoll_firewall_set_rules, atoll_firewall_packet,
 *     atoll_firewall_attach, atoll_firewall_stats
 *
 * DESCRIPTION
 *     The firewall knows its interfaces (name, address, prefix, MTU, and
 *     for one of them a gateway: the default route).  A packet goes out
 *     of the interface whose network holds its destination, else out of
 *     the one with the gateway, to the gateway.
 *
 *     atoll_firewall_packet takes one IPv4 packet that arrived on
 *     interface in_if and decides, in this order:
 *
 *       1. malformed (atoll_fw's parser of lib/fw/pkt4.c): dropped.
 *          Fragments are not reassembled: a first fragment (it has the
 *          ports) goes these steps, and the later ones of its datagram
 *          follow it out, translated alike (lib/fw/frag.c); a later
 *          fragment whose first did not pass is dropped, or local when
 *          it is for the firewall.
 *       2. a source that would not be routed back out of in_if (strict
 *          reverse path, RFC 3704): dropped, so an inside address cannot
 *          arrive from the outside.
 *       3. the connection: a tracked one in either direction; an ICMP
 *          error whose quoted packet belongs to a tracked one (related;
 *          a quote matching nothing is invalid); else new, and then port
 *          forwarding (forward statements) may rewrite its destination.
 *          A packet for one of the firewall's own addresses that is
 *          neither tracked nor forwarded is ATOLL_FW_LOCAL: the caller
 *          hands it to its own stack.
 *       4. the filter rules (first match, else the policy), for every
 *          packet; accept goes on, drop drops, reject drops and answers.
 *       5. TTL: a packet that would leave with TTL 0 is answered with
 *          ICMP time exceeded.  A packet longer than the out interface's
 *          MTU with DF set is answered with ICMP fragmentation needed
 *          (RFC 1191, with the MTU); without DF it is fragmented by the
 *          caller (atoll_firewall_attach does).
 *       6. a new connection is tracked (masquerade allocating a source
 *          port when a masquerade statement applies); a full table drops
 *          it.  The packet is translated as its connection says; an ICMP
 *          error has its quoted packet translated back as well.
 *
 *     An IPv6 packet (version 6 in its first byte) takes the same steps
 *     without translation (no NAT66: masquerade and forward are IPv4's),
 *     routed by the interfaces' addr6/prefix6 and gateway6 to
 *     res->next_hop6: link-local, multicast and the firewall's own
 *     addresses are ATOLL_FW_LOCAL (Neighbor Discovery is the stack's);
 *     fragments follow their first as IPv4's do; hop limit 1 is answered with
 * ICMPv6 time exceeded, and a packet longer than the out interface's MTU with
 *     Packet Too Big (a router never fragments IPv6, RFC 8200 5).
 *
 *     Answers (ICMP errors, TCP resets) are written into res->answer, at
 *     most 576 bytes (RFC 1812 4.3.2.3; IPv6: 1280, RFC 4443 2.4), to be
 *     sent out of res->answer_if to res->answer_hop (answer_hop6).  They are
 * limited to FW_ANSWERS_PER_S a second (net_tunables.h) (RFC 1812 4.3.2.8) and
 * never sent about an ICMP error, a later fragment, or a packet from a
 * broadcast, multicast or unspecified source (RFC 1812 4.3.2.7).
 *
 *     atoll_firewall_set_rules parses a new rule set; if it is malformed
 *     the set in force stays and err says where.  Tracked connections
 *     survive a change: those the new rules still accept go on.
 *
 *     atoll_firewall_attach puts the firewall on the IP input of one
 *     stack per interface (atoll/forward.h): from then on those stacks
 *     hand it every packet, deliver what it calls local, and send what it
 *     forwards.
 *
 * RETURN VALUE
 *     atoll_firewall_create: 0, -ATOLL_EINVAL, -ATOLL_ENOMEM.
 *     atoll_firewall_set_rules: as atoll_fw_rules_parse.
 *     atoll_firewall_packet: enum atoll_fw_verdict.
 */
#ifndef ATOLL_FIREWALL_H
#define ATOLL_FIREWALL_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/fw.h"
#include "atoll/stack.h"
#include "atoll/time.h"

#define ATOLL_FW_IF_MAX 8

struct atoll_fw_iface {
    const char *name; /* as rules name it */
    atoll_ipv4_t addr;
    uint8_t prefix;
    atoll_ipv4_t gateway; /* 0: none */
    uint16_t mtu;         /* IP bytes, both families */
    /* IPv6: the interface's global (or unique-local) address and its
     * prefix, 0 when it forwards no IPv6; the default router, all zero
     * for none. */
    atoll_ipv6_t addr6;
    uint8_t prefix6;
    atoll_ipv6_t gateway6;
};

enum atoll_fw_verdict {
    ATOLL_FW_DROPPED, /* nothing to send (but maybe res->answer) */
    ATOLL_FW_FORWARD, /* send the rewritten packet out of res->out_if */
    ATOLL_FW_LOCAL,   /* for the firewall's own stack */
};

struct atoll_fw_result {
    int out_if;
    atoll_ipv4_t next_hop;  /* an IPv4 packet's */
    atoll_ipv6_t next_hop6; /* an IPv6 packet's */
    size_t len;             /* the packet's length (unchanged so far) */
    /* an answer to the packet's sender, when answer_len > 0: an IPv4
     * packet (576 bytes at most) or an IPv6 one (1280 at most, RFC 4443
     * 2.4 c), as its first byte says */
    uint8_t answer[1280];
    size_t answer_len;
    int answer_if;
    atoll_ipv4_t answer_hop;
    atoll_ipv6_t answer_hop6;
    const char *why; /* a dropped packet's reason, for counters and logs */
};

struct atoll_fw_stats {
    uint64_t forwarded, local, dropped;
    uint64_t bad, fragment, spoofed, no_route, invalid, refused_full,
        nat_exhausted, ttl_exceeded, too_big, rejected, policy, answers,
        answers_limited, related, window;
};

struct atoll_firewall;

int atoll_firewall_create(const struct atoll_fw_iface *ifs, int n_if,
                          uint32_t ct_max, const uint8_t key[16],
                          struct atoll_firewall **out);
void atoll_firewall_destroy(struct atoll_firewall *fw);

int atoll_firewall_set_rules(struct atoll_firewall *fw, const char *text,
                             size_t len, struct atoll_fw_error *err);
/* The rules in force (with their counters). */
struct atoll_fw_rules *atoll_firewall_rules(struct atoll_firewall *fw);
/* The interface names, as the rules know them. */
const char *const *atoll_firewall_ifnames(const struct atoll_firewall *fw);

/* flags: ATOLL_FW_PKT_GSO when p is a segmentation-offload frame (many
 * segments in one, atoll/netif.h): its length is not checked against the
 * MTU, as the interface cuts it. */
#define ATOLL_FW_PKT_GSO 1u
int atoll_firewall_packet(struct atoll_firewall *fw, int in_if, uint8_t *p,
                          size_t len, unsigned flags, atoll_time_t now,
                          struct atoll_fw_result *res);

/* Put fw on stacks[k], one per interface in the order given to create
 * (n must be that count).  0, -ATOLL_EINVAL, -ATOLL_ENOMEM. */
int atoll_firewall_attach(struct atoll_firewall *fw,
                          struct atoll_stack *const *stacks, int n);

void atoll_firewall_stats(const struct atoll_firewall *fw,
                          struct atoll_fw_stats *out);
/* Tracked connections now, the bound, and flows refused for lack of room. */
void atoll_firewall_ct_usage(const struct atoll_firewall *fw, uint32_t *count,
                             uint32_t *max, uint64_t *refused);
/* Drop expired connections: up to `budget` slots visited. */
void atoll_firewall_collect(struct atoll_firewall *fw, atoll_time_t now,
                            uint32_t budget);

#endif
