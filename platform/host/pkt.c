/*
 * platform/host/pkt.c - packet helpers for platform code (see pkt.h).
 * The checksum adds byte pairs one at a time: the platform checksums only
 * what the kernel or the simulated wire hands it, never the bulk data
 * path of a real device.
 */
#include "pkt.h"

uint64_t host_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
    size_t i;
    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < len)
        sum += (uint32_t)(p[i] << 8);
    return sum;
}

uint16_t host_csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int host_tcp4_headers(const uint8_t *p, size_t len, size_t *ip_hlen,
                      size_t *tcp_hlen)
{
    if (len < 14 + 20 + 20 || p[12] != 0x08 || p[13] != 0x00 ||
        (p[14] >> 4) != 4 || p[23] != 6)
        return -1;
    size_t ihl = (size_t)(p[14] & 0xf) * 4;
    if (ihl < 20 || 14 + ihl + 20 > len)
        return -1;
    size_t thl = (size_t)(p[14 + ihl + 12] >> 4) * 4;
    if (thl < 20 || 14 + ihl + thl > len)
        return -1;
    *ip_hlen = ihl;
    *tcp_hlen = thl;
    return 0;
}

int host_tcp6_headers(const uint8_t *p, size_t len, size_t *ip_hlen,
                      size_t *tcp_hlen)
{
    if (len < 14 + 40 + 20 || p[12] != 0x86 || p[13] != 0xdd ||
        (p[14] >> 4) != 6 || p[14 + 6] != 6)
        return -1;
    size_t thl = (size_t)(p[14 + 40 + 12] >> 4) * 4;
    if (thl < 20 || 14 + 40 + thl > len)
        return -1;
    *ip_hlen = 40;
    *tcp_hlen = thl;
    return 0;
}

int host_tcp_headers(const uint8_t *p, size_t len, size_t *ip_hlen,
                     size_t *tcp_hlen)
{
    if (host_tcp4_headers(p, len, ip_hlen, tcp_hlen) == 0)
        return 4;
    if (host_tcp6_headers(p, len, ip_hlen, tcp_hlen) == 0)
        return 6;
    return -1;
}

int host_gso_describe(const uint8_t *p, size_t len, struct host_gso *g)
{
    size_t ihl, thl;
    int v = host_tcp_headers(p, len, &ihl, &thl);
    if (v < 0)
        return -1;
    g->type = v == 6 ? HOST_GSO_TCPV6 : HOST_GSO_TCPV4;
    g->hdr_len = (uint16_t)(14 + ihl + thl);
    g->csum_start = (uint16_t)(14 + ihl);
    g->csum_offset = 16; /* TCP checksum field */
    return 0;
}

void host_csum_complete(uint8_t *p, size_t len, size_t start, size_t off)
{
    if (start >= len || off + 2 > len - start)
        return;
    uint16_t c = host_csum_fold(host_csum_add(0, p + start, len - start));
    p[start + off] = (uint8_t)(c >> 8);
    p[start + off + 1] = (uint8_t)c;
}
