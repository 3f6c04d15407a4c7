/*
 * lib/net/siphash.h - SipHash-2-4, a keyed 64-bit hash (Aumasson and
 * Bernstein, 2012).  TCP uses it for RFC 6528 initial sequence numbers and
 * to spread connections over its hash table, keyed with a secret from
 * atoll_random_platform() so that neither can be predicted from outside.
 */
#ifndef ATOLL_NET_SIPHASH_H
#define ATOLL_NET_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of [p, p+len) under the 128-bit key k (16 bytes). */
uint64_t net_siphash24(const uint8_t k[16], const void *p, size_t len);

#endif
