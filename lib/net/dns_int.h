/*
 * lib/net/dns_int.h - the in-memory zone shared by the master-file parser
 * (dns_zone.c) and the authoritative answerer (dns_server.c).
 *
 * Records are sorted by owner name, so all records of a name are
 * contiguous; a hash index maps every name that exists in the zone - each
 * owner and each empty non-terminal between an owner and the origin - to
 * its run of records (possibly empty), which is what tells NODATA from
 * NXDOMAIN in one lookup.
 */
#ifndef ATOLL_NET_DNS_INT_H
#define ATOLL_NET_DNS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/dns.h"

struct zone_rr {
    char *owner; /* lower case, absolute, no trailing dot */
    uint16_t type;
    uint32_t ttl;
    uint16_t rdlen;
    uint8_t *rdata; /* wire format; names in it uncompressed */
    size_t order;   /* position in the file: keeps the sort stable */
};

struct zone_name {
    const char *name; /* NULL: free slot */
    uint32_t hash;
    size_t first, count; /* run in rrs[] */
};

struct atoll_dns_zone {
    char origin[ATOLL_DNS_NAME_MAX + 1];
    struct zone_rr *rrs;
    size_t nrrs, cap;
    struct zone_name *index; /* open addressing, nindex slots (2^k) */
    size_t nindex;
    size_t soa; /* index of the SOA in rrs[] */
};

uint32_t dns_name_hash(const char *name, size_t len);

/* The entry of `name` (text, lower case; `len` bytes), or NULL. */
const struct zone_name *dns_zone_lookup(const struct atoll_dns_zone *z,
                                        const char *name, size_t len);

#endif
