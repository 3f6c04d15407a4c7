/*
 * lib/net/ipv4.c - IPv4 (RFC 791, host requirements of RFC 1122): input
 * checks, delivery to ICMP/UDP/TCP, routing, fragmentation on send.
 *
 * Input validates everything before any layer above looks at the packet:
 * version, header length, total length against the frame (Ethernet padding
 * is trimmed), header checksum, source and destination addresses.  Options
 * are skipped by their length, never interpreted.  Fragments go to
 * reassembly (reasm.c).  This is a host, not a router: packets for other
 * addresses are dropped and counted.
 *
 * Output routes (our subnet directly, anything else through the gateway),
 * fragments packets larger than the MTU into copies of at most MTU bytes,
 * and hands each to ARP for the next hop.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "stack_int.h"

int net_ipv4_parse(const uint8_t *p, size_t len, struct net_ipv4_hdr *h)
{
    if (len < NET_IP_HLEN || p[0] >> 4 != 4)
        return -ATOLL_EBADMSG;
    h->hlen = (uint8_t)((p[0] & 15) * 4);
    h->tos = p[1];
    h->total_len = net_get16(p + 2);
    h->id = net_get16(p + 4);
    h->frag = net_get16(p + 6);
    h->ttl = p[8];
    h->proto = p[9];
    h->csum = net_get16(p + 10);
    h->src = net_get32(p + 12);
    h->dst = net_get32(p + 16);
    if (h->hlen < NET_IP_HLEN || h->hlen > len || h->total_len < h->hlen ||
        h->total_len > len)
        return -ATOLL_EBADMSG;
    if (h->frag & 0x8000) /* the reserved flag must be zero */
        return -ATOLL_EBADMSG;
    if (net_csum_fold(net_csum_add(0, p, h->hlen)) != 0)
        return -ATOLL_ECORRUPT;
    return 0;
}

void net_ipv4_write(uint8_t *p, const struct net_ipv4_hdr *h)
{
    p[0] = 0x45;
    p[1] = h->tos;
    net_put16(p + 2, h->total_len);
    net_put16(p + 4, h->id);
    net_put16(p + 6, h->frag);
    p[8] = h->ttl;
    p[9] = h->proto;
    net_put16(p + 10, 0);
    net_put32(p + 12, h->src);
    net_put32(p + 16, h->dst);
    net_put16(p + 10, net_csum_fold(net_csum_add(0, p, NET_IP_HLEN)));
}

bool net_ipv4_is_broadcast(const struct atoll_stack *s, atoll_ipv4_t a)
{
    if (a == 0xffffffffu)
        return true;
    /* The directed broadcast of our subnet (not for /31 and /32, which
     * have none, RFC 3021). */
    return s->cfg.prefix < 31 && (a & ~s->mask) == ~s->mask &&
           (a & s->mask) == (s->cfg.addr & s->mask);
}

static bool bad_source(const struct atoll_stack *s, atoll_ipv4_t a)
{
    return a == 0xffffffffu || (a >> 28) == 14 /* multicast */ ||
           (a >> 24) == 127 || net_ipv4_is_broadcast(s, a) || a == s->cfg.addr;
}

void net_ipv4_deliver(struct atoll_stack *s, struct atoll_buf *b,
                      const struct net_ipv4_hdr *h, const uint8_t *raw,
                      size_t raw_len)
{
    struct net_ip_info ip = {
        .src = h->src,
        .dst = h->dst,
        .proto = h->proto,
        .ttl = h->ttl,
        .tos = h->tos,
        .hdr = raw,
        .hdr_len = raw_len,
    };
    switch (h->proto) {
    case NET_PROTO_ICMP:
        net_icmp_input(s, b, &ip);
        return;
    case NET_PROTO_UDP:
        net_udp_input(s, b, &ip);
        return;
    case NET_PROTO_TCP:
        if (net_ipv4_is_broadcast(s, h->dst))
            break; /* TCP is unicast only */
        net_tcp_input(s, b, &ip);
        return;
    }
    /* An unknown protocol: RFC 1122 asks for protocol unreachable. */
    if (!net_ipv4_is_broadcast(s, h->dst)) {
        atoll_buf_push(b, raw_len);
        net_icmp_send_error(s, NET_ICMP_UNREACH, 2, b->data, b->len);
    }
    s->stats.ip_drop++;
    atoll_buf_free(b);
}

void net_ipv4_input(struct atoll_stack *s, struct atoll_buf *b)
{
    struct net_ipv4_hdr h;
    if (net_ipv4_parse(b->data, b->len, &h) < 0)
        goto drop;
    if (s->fwd) { /* a router's (atoll/forward.h) */
        atoll_buf_trim(b, h.total_len);
        if (s->fwd(s->fwd_arg, s, b))
            return;
    }
    if (h.dst != s->cfg.addr && !net_ipv4_is_broadcast(s, h.dst))
        goto drop; /* not ours: a host does not forward */
    if (bad_source(s, h.src) && h.src != 0)
        goto drop;
    if (h.ttl == 0)
        goto drop; /* no router may forward it, so nobody may send it */
    atoll_buf_trim(b, h.total_len); /* Ethernet padding */
    const uint8_t *raw = b->data;
    atoll_buf_pull(b, h.hlen);
    if (h.frag & (NET_IP_MF | 0x1fff)) {
        net_reasm_input(s, b, &h, raw);
        return;
    }
    net_ipv4_deliver(s, b, &h, raw, h.hlen);
    return;
drop:
    s->stats.ip_drop++;
    atoll_buf_free(b);
}

/* ---- output ----------------------------------------------------------------
 */

atoll_ipv4_t net_ip_addr(const struct atoll_stack *s)
{
    return s->cfg.addr;
}

uint16_t net_ip_mtu(const struct atoll_stack *s)
{
    return s->info.mtu;
}

uint32_t net_offloads(const struct atoll_stack *s)
{
    return s->info.offloads;
}

struct atoll_stack_stats *net_stats(struct atoll_stack *s)
{
    return &s->stats;
}

const char *net_name(const struct atoll_stack *s)
{
    return s->name;
}

atoll_ipv4_t net_ipv4_next_hop(const struct atoll_stack *s, atoll_ipv4_t dst)
{
    if (dst == 0xffffffffu || (dst & s->mask) == (s->cfg.addr & s->mask))
        return dst;
    return s->cfg.gateway;
}

/* Push a header for `len` payload bytes and send one packet. */
static int send_one(struct atoll_stack *s, atoll_ipv4_t nh,
                    struct net_ipv4_hdr *h, struct atoll_buf *b)
{
    uint8_t *p = atoll_buf_push(b, NET_IP_HLEN);
    if (!p) {
        atoll_buf_free(b);
        return -ATOLL_EINVAL;
    }
    h->total_len = (uint16_t)b->len;
    net_ipv4_write(p, h);
    return net_arp_output(s, nh, b);
}

int net_ip_output(struct atoll_stack *s, atoll_ipv4_t dst, uint8_t proto,
                  struct atoll_buf *b)
{
    atoll_ipv4_t nh = net_ipv4_next_hop(s, dst);
    if (nh == 0 || dst == 0 || dst == s->cfg.addr) {
        atoll_buf_free(b);
        return -ATOLL_EHOSTUNREACH;
    }
    if (b->len > 65535 - NET_IP_HLEN) {
        atoll_buf_free(b);
        return -ATOLL_EMSGSIZE;
    }
    struct net_ipv4_hdr h = {
        .hlen = NET_IP_HLEN,
        .id = s->ip_id++,
        .ttl = NET_IP_TTL,
        .proto = proto,
        .src = s->cfg.addr,
        .dst = dst,
    };
    size_t mtu = s->info.mtu;
    /* A TCP segmentation offload frame is cut into MTU-sized packets by
     * the interface (or its host), never fragmented here. */
    if (b->len + NET_IP_HLEN <= mtu || b->gso_size)
        return send_one(s, nh, &h, b);

    /* Fragment: every piece but the last carries a multiple of 8 bytes. */
    size_t chunk = (mtu - NET_IP_HLEN) & ~(size_t)7;
    int err = 0;
    for (size_t off = 0; off < b->len; off += chunk) {
        size_t n = b->len - off < chunk ? b->len - off : chunk;
        struct atoll_buf *f = atoll_buf_alloc(NET_IP_HEADROOM, n);
        if (!f) {
            err = -ATOLL_ENOMEM;
            break;
        }
        memcpy(atoll_buf_put(f, n), b->data + off, n);
        h.frag = (uint16_t)(off / 8) | (off + n < b->len ? NET_IP_MF : 0);
        int r = send_one(s, nh, &h, f);
        if (r < 0 && !err)
            err = r;
    }
    atoll_buf_free(b);
    return err;
}
