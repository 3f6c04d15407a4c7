/*
 * lib/fw/pkt4.h - an IPv4 packet as the firewall sees it: the header
 * fields it matches and rewrites, the transport ports or ICMP identifier,
 * and for an ICMP error the packet quoted inside it.
 *
 * NAME
 *     struct fw_pkt4, fw_pkt4_parse, fw_pkt4_tuple, fw_pkt4_set_src,
 *     fw_pkt4_set_dst, fw_csum
 *
 * DESCRIPTION
 *     fw_pkt4_parse checks what the firewall relies on (version, header
 *     length, total length within the buffer, header checksum; a
 *     transport header long enough for its ports, a TCP header whole
 *     with its options; for an ICMP error a
 *     quoted IPv4 header and its first 8 bytes) and points into the
 *     packet; nothing is copied.  A later fragment (offset not 0) has no
 *     transport header: has_l4 is false.
 *
 *     The setters rewrite an address and port (ICMP echo: identifier) in
 *     place and keep the IPv4 header checksum and the transport checksum
 *     right by incremental update (RFC 1624), so the payload is never
 *     summed again.  A UDP checksum of 0 (none, RFC 768) stays 0.
 *
 * RETURN VALUE
 *     fw_pkt4_parse: 0 or -ATOLL_EBADMSG.
 */
#ifndef ATOLL_FW_PKT4_H
#define ATOLL_FW_PKT4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/stack.h"
#include "ct.h"

/* What the firewall reads of a transport header (TCP, UDP, ICMP or
 * ICMPv6), either family's. */
struct fw_ports {
    bool has_l4;           /* there (first fragment, long enough) */
    uint16_t sport, dport; /* TCP/UDP ports; ICMP echo: id, type */
    uint8_t tcp_flags;
    uint8_t tcp_hlen; /* TCP header length (not in a quote) */
    uint8_t icmp_type, icmp_code;
};

/* The transport header of protocol proto at l4 (len bytes there).
 * `quote`: inside an ICMP error, where only its first 8 bytes need be
 * there (a shorter one leaves has_l4 false); else a TCP header must be
 * whole with its options, and one too short is -ATOLL_EBADMSG.  Echo is
 * ICMP's 8 and 0, ICMPv6's (proto 58) 128 and 129. */
int fw_ports_parse(uint8_t proto, const uint8_t *l4, size_t len, bool quote,
                   struct fw_ports *p);

/* What fw_pkt4_parse knows about one IPv4 header and what follows it. */
struct fw_ip4 {
    uint8_t *ip; /* the header */
    size_t len;  /* header + payload present (the quote may be cut) */
    unsigned hlen;
    uint8_t proto, ttl;
    uint16_t frag; /* flags and offset, host order */
    atoll_ipv4_t src, dst;
    uint8_t *l4;   /* ip + hlen */
    size_t l4_len; /* bytes after the header */
    struct fw_ports tr;
};

struct fw_pkt4 {
    struct fw_ip4 o;     /* the packet */
    bool icmp_error;     /* an ICMP error with a quoted packet: */
    struct fw_ip4 inner; /* the quote (has_l4: its first 8 bytes) */
};

#define FW_IP_DF 0x4000
#define FW_IP_MF 0x2000

int fw_pkt4_parse(uint8_t *p, size_t len, struct fw_pkt4 *k);

/* Whether type is an ICMP error that quotes a packet (RFC 792, 1812). */
bool fw_icmp_is_error(uint8_t type);

/* The tuple of a parsed header (ICMP echo: identifier and type). */
void fw_ip4_tuple(const struct fw_ip4 *h, struct fw_tuple *t);

/* Rewrite source or destination address and port (ICMP echo request or
 * reply: the identifier, with set_src; set_dst leaves it).  When `quoted`,
 * h is a quote inside an ICMP error: only its header checksum is kept
 * right (the ICMP checksum is the caller's, fw_icmp_fix). */
void fw_ip4_set_src(struct fw_ip4 *h, atoll_ipv4_t a, uint16_t port);
void fw_ip4_set_dst(struct fw_ip4 *h, atoll_ipv4_t a, uint16_t port);

/* Recompute the ICMP checksum of the message after the header at k. */
void fw_icmp_fix(struct fw_ip4 *h);

/* TTL - 1, header checksum updated. */
void fw_ip4_dec_ttl(struct fw_ip4 *h);

/* Big-endian fields. */
static inline uint16_t fw_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline void fw_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline uint32_t fw_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static inline void fw_wr32(uint8_t *p, uint32_t v)
{
    fw_wr16(p, (uint16_t)(v >> 16));
    fw_wr16(p + 2, (uint16_t)v);
}

/* The Internet checksum (RFC 1071) of p[0..len), complemented. */
uint16_t fw_csum(const void *p, size_t len);
/* The same, starting from a sum of earlier 16-bit words (a pseudo-header). */
uint16_t fw_csum_add(uint64_t sum, const void *p, size_t len);

#endif
