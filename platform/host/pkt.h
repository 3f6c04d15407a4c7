/*
 * platform/host/pkt.h - what platform code of the Linux-process targets
 * needs to know about packets: the Internet checksum (RFC 1071) and where
 * the headers of a TCP/IPv4 frame end.  The unix tap completes checksums
 * the kernel left partial and describes offload frames to the kernel; the
 * simulated wire segments offload frames in software.  (lib/net has its
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

#endif
