/*
 * lib/fw/pkt6.h - an IPv6 packet as the firewall sees it: the fixed
 * header, the walk over its extension headers to the upper layer, the
 * transport ports or ICMPv6 echo identifier, and for an ICMPv6 error the
 * packet quoted inside it.
 *
 * NAME
 *     struct fw_pkt6, fw_pkt6_parse, fw_ip6_tuple, fw_icmp6_is_error,
 *     fw_csum6
 *
 * DESCRIPTION
 *     fw_pkt6_parse checks what the firewall relies on: version 6, the
 *     payload length within the buffer, the extension headers (hop-by-hop
 *     first only, routing, fragment, destination options, authentication;
 *     at most NET_IPV6_EXT_MAX of them, each inside the packet), a
 *     transport header long enough for its ports (TCP: whole, with its
 *     options), and for an ICMPv6 error a quoted IPv6 header.  It points
 *     into the packet; nothing is copied.  A router reads extension
 *     headers only to find the upper layer: it neither acts on options
 *     nor follows a routing header (RFC 8200 4: only the node a header
 *     is addressed to processes it).  A fragment with a nonzero offset
 *     has no transport header: has_l4 is false.
 *
 *     Nothing is rewritten: IPv6 is routed, not translated (no NAT66),
 *     and the hop limit is outside every checksum (RFC 8200 8.1).
 *
 * RETURN VALUE
 *     fw_pkt6_parse: 0 or -ATOLL_EBADMSG.
 */
#ifndef ATOLL_FW_PKT6_H
#define ATOLL_FW_PKT6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct.h"
#include "pkt4.h"

#define FW_IP6_ICMP 58

struct fw_ip6 {
    uint8_t *ip; /* the fixed header */
    size_t len;  /* header + payload present (a quote may be cut) */
    uint8_t proto, hop;
    uint8_t src[16], dst[16];
    bool fragment;      /* a fragment header that is not atomic */
    uint16_t frag_off;  /* its offset in bytes */
    uint32_t frag_id;   /* its identification */
    uint8_t *l4;        /* the upper layer's header */
    size_t l4_len;      /* bytes from there */
    struct fw_ports tr; /* has_l4 false: a later fragment, or cut */
};

struct fw_pkt6 {
    struct fw_ip6 o;
    bool icmp_error;     /* an ICMPv6 error (types 1-4) with a quote: */
    struct fw_ip6 inner; /* the quoted packet, as much as is there */
};

int fw_pkt6_parse(uint8_t *p, size_t len, struct fw_pkt6 *k);

/* ICMPv6 error messages quote the packet they are about (RFC 4443 2.1). */
static inline bool fw_icmp6_is_error(uint8_t type)
{
    return type >= 1 && type <= 4;
}

/* The tuple of a parsed packet (ICMPv6 echo: identifier and type). */
void fw_ip6_tuple(const struct fw_ip6 *h, struct fw_tuple *t);

/* The upper-layer checksum (TCP, UDP, ICMPv6) of `len` bytes at p over
 * the IPv6 pseudo-header of src, dst and proto (RFC 8200 8.1),
 * complemented, with the checksum field itself taken as it is. */
uint16_t fw_csum6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                  const uint8_t *p, size_t len);

#endif
