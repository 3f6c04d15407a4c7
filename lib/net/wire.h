/*
 * lib/net/wire.h - the wire formats of Ethernet II, ARP, IPv4, ICMP and
 * UDP: plain structs in host byte order, and pure functions that parse
 * (unmarshal) and write (marshal) them.
 *
 * Parsing is where bytes from outside first meet the stack, so every
 * parser checks lengths before it reads and returns -ATOLL_EBADMSG for
 * anything malformed; the layers count that and drop the packet.  The
 * functions have no state, which is what the unit tests and the fuzz
 * targets (tests/fuzz/net_*.c) call directly.
 */
#ifndef ATOLL_NET_WIRE_H
#define ATOLL_NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/stack.h"

/* ---- byte order helpers -------------------------------------------------- */

static inline uint16_t net_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t net_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}
static inline void net_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* ---- Ethernet II ------------------------------------------------------- */

#define NET_ETH_HLEN     14
#define NET_ETHTYPE_IPV4 0x0800
#define NET_ETHTYPE_ARP  0x0806

struct net_eth_hdr {
    uint8_t dst[6], src[6];
    uint16_t type;
};

/* 0 (frame at least 14 bytes) or -ATOLL_EBADMSG. */
int net_eth_parse(const uint8_t *p, size_t len, struct net_eth_hdr *h);
void net_eth_write(uint8_t *p, const struct net_eth_hdr *h);

/* ---- ARP (RFC 826, Ethernet + IPv4 only) ------------------------------ */

#define NET_ARP_LEN     28
#define NET_ARP_REQUEST 1
#define NET_ARP_REPLY   2

struct net_arp {
    uint16_t op;
    uint8_t sha[6];
    atoll_ipv4_t spa;
    uint8_t tha[6];
    atoll_ipv4_t tpa;
};

/* 0, or -ATOLL_EBADMSG (short, not Ethernet/IPv4, bad lengths, bad op). */
int net_arp_parse(const uint8_t *p, size_t len, struct net_arp *a);
void net_arp_write(uint8_t *p, const struct net_arp *a);

/* ---- IPv4 (RFC 791) ------------------------------------------------------ */

#define NET_IP_HLEN 20
#define NET_IP_DF   0x4000
#define NET_IP_MF   0x2000

struct net_ipv4_hdr {
    uint8_t hlen; /* bytes, 20..60 */
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag; /* flags (DF, MF) and offset in 8-byte units */
    uint8_t ttl, proto;
    uint16_t csum; /* as found (parse) / ignored (write computes it) */
    atoll_ipv4_t src, dst;
};

/* Validate and parse: version 4, 20 <= hlen <= total_len <= len, header
 * checksum correct (options are skipped, not interpreted).  0 or
 * -ATOLL_EBADMSG (-ATOLL_ECORRUPT for a bad checksum). */
int net_ipv4_parse(const uint8_t *p, size_t len, struct net_ipv4_hdr *h);
/* Write a 20-byte header (no options) with its checksum. */
void net_ipv4_write(uint8_t *p, const struct net_ipv4_hdr *h);

static inline uint16_t net_ipv4_frag_offset(const struct net_ipv4_hdr *h)
{
    return (uint16_t)((h->frag & 0x1fff) * 8);
}

/* ---- ICMP (RFC 792) ----------------------------------------------------- */

#define NET_ICMP_HLEN         8
#define NET_ICMP_ECHO_REPLY   0
#define NET_ICMP_UNREACH      3
#define NET_ICMP_ECHO         8
#define NET_ICMP_TIME_EXCEED  11
#define NET_ICMP_PORT_UNREACH 3 /* code of NET_ICMP_UNREACH */

struct net_icmp_hdr {
    uint8_t type, code;
    uint16_t csum;
    uint32_t rest; /* echo: id << 16 | seq */
};

/* Parse the whole message (the checksum covers it all).  0, -ATOLL_EBADMSG
 * or -ATOLL_ECORRUPT. */
int net_icmp_parse(const uint8_t *p, size_t len, struct net_icmp_hdr *h);
/* Write the header, then the checksum over the header and the `len - 8`
 * bytes of data that already follow it. */
void net_icmp_write(uint8_t *p, size_t len, const struct net_icmp_hdr *h);

/* ---- UDP (RFC 768) ------------------------------------------------------ */

#define NET_UDP_HLEN 8

struct net_udp_hdr {
    uint16_t sport, dport, len, csum;
};

/* Parse and check length (8 <= udp len <= len) and checksum (0 = none)
 * against the pseudo-header of src/dst.  0, -ATOLL_EBADMSG or
 * -ATOLL_ECORRUPT. */
int net_udp_parse(const uint8_t *p, size_t len, atoll_ipv4_t src,
                  atoll_ipv4_t dst, struct net_udp_hdr *h);
/* Write the header for h->len bytes (header + payload already in place)
 * with its checksum (0 is sent as 0xffff, RFC 768). */
void net_udp_write(uint8_t *p, atoll_ipv4_t src, atoll_ipv4_t dst,
                   const struct net_udp_hdr *h);

#endif
