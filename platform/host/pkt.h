/*
 * platform/host/pkt.h - what platform code of the Linux-process targets
 * needs to know about packets: the Internet checksum (RFC 1071) and where
 * the headers of a TCP/IPv4 or TCP/IPv6 frame end, and how a device is
 * told to segment one.  The unix tap, the hvt/spt tender and the virtio
 * driver complete checksums a host left partial and describe offload
 * frames to their host; the simulated wire segments offload frames in
 * software.  (lib/net has its
 * own, faster checksum; the platform layer sits below lib/ and does not
 * call up into it.)
 */
#ifndef ATOLL_PLATFORM_HOST_PKT_H
#define ATOLL_PLATFORM_HOST_PKT_H

#include <stddef.h>
#include <stdint.h>

/* The one's-complement sum of the big-endian 16-bit words of [p, p+len)
 * (an odd last byte padded with zero) added to `sum`, not folded. */
uint64_t host_csum_add(uint64_t sum, const uint8_t *p, size_t len);

/* `sum` folded to 16 bits and complemented: the value a checksum field
 * holds. */
uint16_t host_csum_fold(uint64_t sum);

/* Completes a checksum a host left partial (virtio_net_hdr NEEDS_CSUM):
 * the sum of [start, len) into its field at start + off, which held the
 * pseudo-header sum.  Out-of-range offsets leave the frame alone. */
void host_csum_complete(uint8_t *p, size_t len, size_t start, size_t off);

/* If [p, p+len) is an Ethernet II frame holding IPv4 (no fragment offset
 * checks: offload frames are never fragments) and TCP with complete
 * headers, sets the IPv4 and TCP header lengths and returns 0; else
 * -1. */
int host_tcp4_headers(const uint8_t *p, size_t len, size_t *ip_hlen,
                      size_t *tcp_hlen);

/* The same for IPv6 carrying TCP directly (no extension headers, as
 * offload frames are): *ip_hlen is 40.  0 or -1. */
int host_tcp6_headers(const uint8_t *p, size_t len, size_t *ip_hlen,
                      size_t *tcp_hlen);

/* host_tcp4_headers or host_tcp6_headers, whichever fits: the IP version
 * (4 or 6), or -1. */
int host_tcp_headers(const uint8_t *p, size_t len, size_t *ip_hlen,
                     size_t *tcp_hlen);

/* Segmentation types of a virtio_net_hdr (virtio 1.x, 5.1.6; Linux's
 * tap takes the same numbers). */
#define HOST_GSO_TCPV4 1
#define HOST_GSO_TCPV6 4

/* What a virtio_net_hdr says of a TCP segmentation offload frame
 * (atoll/netif.h): the segmentation type, the length of the headers
 * repeated in every segment, and where the checksum the device completes
 * starts and sits (the TCP header and its checksum field). */
struct host_gso {
    uint8_t type; /* HOST_GSO_TCPV4 or HOST_GSO_TCPV6 */
    uint16_t hdr_len, csum_start, csum_offset;
};

/* Describes the offload frame [p, p+len) of either family in *g: 0, or
 * -1 when it is not TCP over IPv4 or IPv6 with complete headers. */
int host_gso_describe(const uint8_t *p, size_t len, struct host_gso *g);

#endif
