/*
 * lib/fw/pkt6.c - reading IPv6 packets for the firewall (lib/fw/pkt6.h):
 * the fixed header, the extension-header walk with every length checked,
 * transport ports, ICMPv6 errors and their quotes, tuples and the
 * pseudo-header checksum.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/net_tunables.h"
#include "pkt4.h"
#include "pkt6.h"

uint16_t fw_csum6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                  const uint8_t *p, size_t len)
{
    uint64_t sum = 0;
    for (int i = 0; i < 16; i += 2)
        sum += fw_rd16(src + i) + (uint32_t)fw_rd16(dst + i);
    sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + proto;
    return fw_csum_add(sum, p, len);
}

/* The upper layer of the packet at p (n bytes present): walks the
 * extension headers.  `quote`: inside an ICMPv6 error, where the packet
 * may be cut anywhere; then a header cut short just leaves has_l4 false. */
static int parse_ip(uint8_t *p, size_t n, bool quote, struct fw_ip6 *h)
{
    memset(h, 0, sizeof *h);
    if (n < 40 || (p[0] >> 4) != 6)
        return -ATOLL_EBADMSG;
    size_t total = 40 + (size_t)fw_rd16(p + 4);
    if (!quote && total > n)
        return -ATOLL_EBADMSG;
    h->ip = p;
    h->len = total < n ? total : n;
    h->hop = p[7];
    memcpy(h->src, p + 8, 16);
    memcpy(h->dst, p + 24, 16);
    uint8_t next = p[6];
    size_t off = 40;
    for (int k = 0;; k++) {
        if (next != 0 && next != 43 && next != 44 && next != 51 && next != 60)
            break; /* the upper layer (or one we do not know) */
        if (k >= NET_IPV6_EXT_MAX || (next == 0 && k > 0))
            return -ATOLL_EBADMSG; /* RFC 8200 4.1: hop-by-hop first */
        if (off + 8 > h->len)
            return quote ? 0 : -ATOLL_EBADMSG;
        size_t hl = next == 44   ? 8
                    : next == 51 ? ((size_t)p[off + 1] + 2) * 4
                                 : ((size_t)p[off + 1] + 1) * 8;
        if (off + hl > h->len)
            return quote ? 0 : -ATOLL_EBADMSG;
        if (next == 44) {
            uint16_t fo = fw_rd16(p + off + 2);
            h->frag_off = fo & 0xfff8;
            h->frag_id = fw_rd32(p + off + 4);
            h->fragment = (fo & 0xfff9) != 0; /* offset or M: not atomic */
        }
        next = p[off];
        off += hl;
    }
    h->proto = next;
    h->l4 = p + off;
    h->l4_len = h->len - off;
    if (h->frag_off)
        return 0; /* a later fragment: no transport header */
    return fw_ports_parse(next, h->l4, h->l4_len, quote, &h->tr);
}

int fw_pkt6_parse(uint8_t *p, size_t len, struct fw_pkt6 *k)
{
    memset(k, 0, sizeof *k);
    int e = parse_ip(p, len, false, &k->o);
    if (e < 0)
        return e;
    if (k->o.proto == FW_IP6_ICMP && k->o.tr.has_l4 &&
        fw_icmp6_is_error(k->o.tr.icmp_type)) {
        /* the quote: an IPv6 header, and its upper layer's first 8 bytes
         * when it is to be matched to a connection */
        if (parse_ip(k->o.l4 + 8, k->o.l4_len - 8, true, &k->inner) < 0)
            return -ATOLL_EBADMSG;
        k->icmp_error = true;
    }
    return 0;
}

void fw_ip6_tuple(const struct fw_ip6 *h, struct fw_tuple *t)
{
    memset(t, 0, sizeof *t);
    memcpy(t->src, h->src, 16);
    memcpy(t->dst, h->dst, 16);
    t->proto = h->proto;
    if (h->tr.has_l4 &&
        (h->proto == 6 || h->proto == 17 ||
         (h->proto == FW_IP6_ICMP &&
          (h->tr.icmp_type == 128 || h->tr.icmp_type == 129)))) {
        t->sport = h->tr.sport;
        t->dport = h->tr.dport;
    }
}
