/*
 * lib/fw/pkt4.c - reading and rewriting IPv4 packets for the firewall
 * (lib/fw/pkt4.h): parsing with every length checked, tuples, address and
 * port rewrites with incremental checksum updates (RFC 1624), ICMP
 * checksums.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/fw.h"
#include "pkt4.h"

uint16_t fw_csum(const void *data, size_t len)
{
    return fw_csum_add(0, data, len);
}

uint16_t fw_csum_add(uint64_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (; len >= 2; p += 2, len -= 2)
        sum += fw_rd16(p);
    if (len)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit word m -> m'. */
static uint16_t csum_update16(uint16_t hc, uint16_t m, uint16_t m2)
{
    uint32_t s = (uint16_t)~hc + (uint32_t)(uint16_t)~m + m2;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static uint16_t csum_update32(uint16_t hc, uint32_t m, uint32_t m2)
{
    hc = csum_update16(hc, (uint16_t)(m >> 16), (uint16_t)(m2 >> 16));
    return csum_update16(hc, (uint16_t)m, (uint16_t)m2);
}

bool fw_icmp_is_error(uint8_t type)
{
    /* unreachable, source quench, redirect, time exceeded, parameter */
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* One IPv4 header at p (n bytes there).  `quote`: inside an ICMP error,
 * where the packet may be cut after its first 8 transport bytes and the
 * total length field says how long it was, not how much is here. */
static int parse_ip(uint8_t *p, size_t n, bool quote, struct fw_ip4 *h)
{
    memset(h, 0, sizeof *h);
    if (n < 20 || (p[0] >> 4) != 4)
        return -ATOLL_EBADMSG;
    unsigned hlen = (p[0] & 15u) * 4;
    unsigned total = fw_rd16(p + 2);
    if (hlen < 20 || hlen > n || total < hlen)
        return -ATOLL_EBADMSG;
    if (!quote && total > n)
        return -ATOLL_EBADMSG;
    if (fw_csum(p, hlen) != 0)
        return -ATOLL_EBADMSG;
    h->ip = p;
    h->len = quote ? (n < total ? n : total) : total;
    h->hlen = hlen;
    h->ttl = p[8];
    h->proto = p[9];
    h->frag = fw_rd16(p + 6);
    h->src = fw_rd32(p + 12);
    h->dst = fw_rd32(p + 16);
    h->l4 = p + hlen;
    h->l4_len = h->len - hlen;
    if (h->frag & 0x1fff)
        return 0; /* a later fragment: no transport header */
    return fw_ports_parse(h->proto, h->l4, h->l4_len, quote, &h->tr);
}

int fw_ports_parse(uint8_t proto, const uint8_t *l4, size_t len, bool quote,
                   struct fw_ports *p)
{
    bool icmp = proto == 1 || proto == 58;
    uint8_t req = proto == 1 ? 8 : 128, rep = proto == 1 ? 0 : 129;
    if (proto != 6 && proto != 17 && !icmp)
        return 0; /* no ports to read */
    if (len < (proto == 6 && !quote ? 20u : 8u))
        return quote ? 0 : -ATOLL_EBADMSG;
    if (icmp) {
        p->icmp_type = l4[0];
        p->icmp_code = l4[1];
        if (p->icmp_type == req || p->icmp_type == rep) {
            p->sport = fw_rd16(l4 + 4); /* identifier */
            p->dport = p->icmp_type;
        }
    } else {
        p->sport = fw_rd16(l4);
        p->dport = fw_rd16(l4 + 2);
    }
    if (proto == 6 && len >= 14)
        p->tcp_flags = l4[13];
    if (proto == 6 && !quote) {
        /* the whole header is here: the window checks read it */
        p->tcp_hlen = (uint8_t)((l4[12] >> 4) * 4);
        if (p->tcp_hlen < 20 || p->tcp_hlen > len)
            return -ATOLL_EBADMSG;
    }
    p->has_l4 = true;
    return 0;
}

int fw_pkt4_parse(uint8_t *p, size_t len, struct fw_pkt4 *k)
{
    memset(k, 0, sizeof *k);
    int e = parse_ip(p, len, false, &k->o);
    if (e < 0)
        return e;
    if (k->o.proto == 1 && k->o.tr.has_l4 &&
        fw_icmp_is_error(k->o.tr.icmp_type)) {
        /* the quote: an IPv4 header and at least 8 bytes after it */
        if (parse_ip(k->o.l4 + 8, k->o.l4_len - 8, true, &k->inner) < 0 ||
            k->inner.l4_len < 8)
            return -ATOLL_EBADMSG;
        k->icmp_error = true;
    }
    return 0;
}

void fw_ip4_tuple(const struct fw_ip4 *h, struct fw_tuple *t)
{
    memset(t, 0, sizeof *t);
    atoll_fw_addr4(t->src, h->src);
    atoll_fw_addr4(t->dst, h->dst);
    t->proto = h->proto;
    if (h->tr.has_l4 &&
        (h->proto == 6 || h->proto == 17 ||
         (h->proto == 1 && (h->tr.icmp_type == 8 || h->tr.icmp_type == 0)))) {
        t->sport = h->tr.sport;
        t->dport = h->tr.dport;
    }
}

/* Offset of the transport checksum in h's transport header, or -1 when
 * it has none there (or it is outside what is present). */
static int l4_csum_at(const struct fw_ip4 *h, bool *pseudo)
{
    if (!h->tr.has_l4)
        return -1;
    int at = h->proto == 6 ? 16 : h->proto == 17 ? 6 : h->proto == 1 ? 2 : -1;
    *pseudo = h->proto != 1;
    if (at < 0 || (size_t)at + 2 > h->l4_len)
        return -1;
    if (h->proto == 17 && fw_rd16(h->l4 + 6) == 0)
        return -1; /* no UDP checksum: stays none */
    return at;
}

static void set_addr(struct fw_ip4 *h, int addr_off, atoll_ipv4_t a,
                     int port_off, uint16_t port)
{
    uint8_t *ip = h->ip;
    atoll_ipv4_t old = fw_rd32(ip + addr_off);
    bool pseudo = false;
    int at = l4_csum_at(h, &pseudo);
    uint16_t l4c = at >= 0 ? fw_rd16(h->l4 + at) : 0;
    if (old != a) {
        fw_wr16(ip + 10, csum_update32(fw_rd16(ip + 10), old, a));
        fw_wr32(ip + addr_off, a);
        if (at >= 0 && pseudo)
            l4c = csum_update32(l4c, old, a);
    }
    if (port_off >= 0 && h->tr.has_l4 && (size_t)port_off + 2 <= h->l4_len) {
        uint16_t op = fw_rd16(h->l4 + port_off);
        if (op != port) {
            fw_wr16(h->l4 + port_off, port);
            if (at >= 0)
                l4c = csum_update16(l4c, op, port);
        }
    }
    if (at >= 0) {
        if (h->proto == 17 && l4c == 0)
            l4c = 0xffff; /* 0 means "no checksum" for UDP */
        fw_wr16(h->l4 + at, l4c);
    }
}

static bool is_echo(const struct fw_ip4 *h)
{
    return h->proto == 1 && (h->tr.icmp_type == 8 || h->tr.icmp_type == 0);
}

void fw_ip4_set_src(struct fw_ip4 *h, atoll_ipv4_t a, uint16_t port)
{
    int port_off = (h->proto == 6 || h->proto == 17) ? 0 : is_echo(h) ? 4 : -1;
    set_addr(h, 12, a, port_off, port);
    h->src = a;
    if (port_off >= 0)
        h->tr.sport = port;
}

void fw_ip4_set_dst(struct fw_ip4 *h, atoll_ipv4_t a, uint16_t port)
{
    int port_off = (h->proto == 6 || h->proto == 17) ? 2 : -1;
    set_addr(h, 16, a, port_off, port);
    h->dst = a;
    if (port_off >= 0)
        h->tr.dport = port;
}

void fw_icmp_fix(struct fw_ip4 *h)
{
    fw_wr16(h->l4 + 2, 0);
    fw_wr16(h->l4 + 2, fw_csum(h->l4, h->l4_len));
}

void fw_ip4_dec_ttl(struct fw_ip4 *h)
{
    uint16_t old = fw_rd16(h->ip + 8);
    h->ip[8]--;
    h->ttl--;
    fw_wr16(h->ip + 10,
            csum_update16(fw_rd16(h->ip + 10), old, fw_rd16(h->ip + 8)));
}
