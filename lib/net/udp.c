/*
 * lib/net/udp.c - UDP (RFC 768) over IPv4 and IPv6: sockets bound to
 * ports, checksums both ways, bounded receive queues, port unreachable
 * (ICMP or ICMPv6) for unbound ports.  One socket serves both families;
 * over IPv6 a zero checksum is refused (RFC 8200 8.1).
 *
 * A received datagram is queued as the buffer it arrived in (data = the
 * payload): no copy until the application's recvfrom.  The sender's
 * address and port travel in a small struct written at the start of the
 * buffer's storage, inside the headers already consumed.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/udp.h"
#include "ipv6_int.h"
#include "stack_int.h"

struct atoll_udp {
    struct atoll_udp *next;
    struct atoll_stack *s;
    uint16_t port;
    struct atoll_bufq q;
    atoll_event ev;
    uint64_t dropped;
};

/* Where a queued datagram keeps its sender: the first bytes of its
 * storage, which lie inside the consumed headers. */
struct udp_from {
    atoll_addr_t addr;
    uint16_t port;
};

int net_udp_parse(const uint8_t *p, size_t len, atoll_ipv4_t src,
                  atoll_ipv4_t dst, struct net_udp_hdr *h)
{
    if (len < NET_UDP_HLEN)
        return -ATOLL_EBADMSG;
    h->sport = net_get16(p);
    h->dport = net_get16(p + 2);
    h->len = net_get16(p + 4);
    h->csum = net_get16(p + 6);
    if (h->len < NET_UDP_HLEN || h->len > len)
        return -ATOLL_EBADMSG;
    if (h->csum != 0) {
        uint32_t sum = net_csum_pseudo(src, dst, NET_PROTO_UDP, h->len);
        if (net_csum_fold(net_csum_add(sum, p, h->len)) != 0)
            return -ATOLL_ECORRUPT;
    }
    return 0;
}

/* The header h at p, its checksum over the pseudo-header sum `pseudo`. */
static void udp_fill(uint8_t *p, const struct net_udp_hdr *h, uint32_t pseudo)
{
    net_put16(p, h->sport);
    net_put16(p + 2, h->dport);
    net_put16(p + 4, h->len);
    net_put16(p + 6, 0);
    uint16_t c = net_csum_fold(net_csum_add(pseudo, p, h->len));
    net_put16(p + 6, c ? c : 0xffff);
}

void net_udp_write(uint8_t *p, atoll_ipv4_t src, atoll_ipv4_t dst,
                   const struct net_udp_hdr *h)
{
    udp_fill(p, h, net_csum_pseudo(src, dst, NET_PROTO_UDP, h->len));
}

static struct atoll_udp *find(struct atoll_stack *s, uint16_t port)
{
    for (struct atoll_udp *u = s->udp; u; u = u->next)
        if (u->port == port)
            return u;
    return NULL;
}

/* Queue the datagram b (data = UDP header, h parsed) on u, or drop it
 * when the queue is full.  Owns b. */
static void deliver(struct atoll_stack *s, struct atoll_udp *u,
                    struct atoll_buf *b, const struct net_udp_hdr *h,
                    const atoll_addr_t *from_addr)
{
    if (u->q.count >= NET_UDP_RXQ_MAX ||
        u->q.bytes + h->len > NET_UDP_RXQ_BYTES) {
        u->dropped++;
        s->stats.udp_drop++;
        atoll_buf_free(b);
        return;
    }
    atoll_buf_trim(b, h->len);
    atoll_buf_pull(b, NET_UDP_HLEN);
    struct udp_from from = {*from_addr, h->sport};
    memcpy(b->head, &from, sizeof from);
    atoll_bufq_push(&u->q, b);
    atoll_event_notify(&u->ev);
}

void net_udp_input(struct atoll_stack *s, struct atoll_buf *b,
                   const struct net_ip_info *ip)
{
    struct net_udp_hdr h;
    if (net_udp_parse(b->data, b->len, ip->src, ip->dst, &h) < 0 ||
        h.dport == 0)
        goto drop;
    struct atoll_udp *u = find(s, h.dport);
    if (!u) {
        if (!net_ipv4_is_broadcast(s, ip->dst)) {
            /* Quote the IP header and the UDP header as they arrived. */
            atoll_buf_push(b, ip->hdr_len);
            net_icmp_send_error(s, NET_ICMP_UNREACH, NET_ICMP_PORT_UNREACH,
                                b->data, b->len);
        }
        goto drop;
    }
    atoll_addr_t from = atoll_addr4(ip->src);
    deliver(s, u, b, &h, &from);
    return;
drop:
    s->stats.udp_drop++;
    atoll_buf_free(b);
}

void net_udp6_input(struct atoll_stack *s, struct atoll_buf *b,
                    const struct net_ipv6_hdr *ip, size_t off)
{
    struct net_udp_hdr h;
    const uint8_t *p = b->data;
    size_t len = b->len;
    if (len < NET_UDP_HLEN)
        goto drop;
    h.sport = net_get16(p);
    h.dport = net_get16(p + 2);
    h.len = net_get16(p + 4);
    h.csum = net_get16(p + 6);
    /* RFC 8200 8.1: the checksum is mandatory over IPv6. */
    if (h.len < NET_UDP_HLEN || h.len > len || h.csum == 0 || h.dport == 0)
        goto drop;
    uint32_t sum = net_csum_pseudo6(&ip->src, &ip->dst, NET_IP6_UDP, h.len);
    if (net_csum_fold(net_csum_add(sum, p, h.len)) != 0)
        goto drop;
    struct atoll_udp *u = find(s, h.dport);
    if (!u) {
        /* Port unreachable (RFC 4443 3.1 code 4), quoting the packet. */
        atoll_buf_push(b, off);
        net_icmp6_send_error(s, NET_ICMP6_UNREACH, 4, 0, b->data, b->len);
        goto drop;
    }
    atoll_addr_t from = atoll_addr6(&ip->src);
    deliver(s, u, b, &h, &from);
    return;
drop:
    s->stats.udp_drop++;
    atoll_buf_free(b);
}

int atoll_udp_bind(struct atoll_stack *s, uint16_t port, struct atoll_udp **out)
{
    if (port == 0) {
        int span = NET_UDP_EPHEMERAL_HI - NET_UDP_EPHEMERAL_LO + 1;
        for (int i = 0; i < span && !port; i++) {
            uint16_t p =
                (uint16_t)(NET_UDP_EPHEMERAL_LO + (s->udp_next_eph++ % span));
            if (!find(s, p))
                port = p;
        }
        if (!port)
            return -ATOLL_EAGAIN;
    } else if (find(s, port)) {
        return -ATOLL_EADDRINUSE;
    }
    struct atoll_udp *u = atoll_calloc(1, sizeof *u);
    if (!u)
        return -ATOLL_ENOMEM;
    u->s = s;
    u->port = port;
    atoll_event_init(&u->ev, "udp recv");
    u->next = s->udp;
    s->udp = u;
    *out = u;
    return 0;
}

uint16_t atoll_udp_port(const struct atoll_udp *u)
{
    return u->port;
}

uint64_t atoll_udp_dropped(const struct atoll_udp *u)
{
    return u->dropped;
}

int atoll_udp_sendto(struct atoll_udp *u, atoll_addr_t dst, uint16_t port,
                     const void *buf, size_t len)
{
    if (len > ATOLL_UDP_MAX_PAYLOAD)
        return -ATOLL_EMSGSIZE;
    if (port == 0 ||
        (dst.family == ATOLL_AF_INET6 ? net_ipv6_is_unspecified(&dst.v6)
                                      : dst.family != ATOLL_AF_INET || !dst.v4))
        return -ATOLL_EINVAL;
    const atoll_ipv6_t *src6 = NULL;
    if (dst.family == ATOLL_AF_INET6 &&
        !(src6 = net_ipv6_source(u->s, &dst.v6)))
        return -ATOLL_EHOSTUNREACH;
    struct atoll_buf *b = atoll_buf_alloc(NET_IP_HEADROOM, NET_UDP_HLEN + len);
    if (!b)
        return -ATOLL_ENOMEM;
    uint8_t *p = atoll_buf_put(b, NET_UDP_HLEN + len);
    if (len)
        memcpy(p + NET_UDP_HLEN, buf, len);
    struct net_udp_hdr h = {u->port, port, (uint16_t)(NET_UDP_HLEN + len), 0};
    int r;
    if (src6) {
        udp_fill(p, &h, net_csum_pseudo6(src6, &dst.v6, NET_IP6_UDP, h.len));
        r = net_ipv6_output(u->s, src6, &dst.v6, NET_IP6_UDP, 0, b);
    } else {
        net_udp_write(p, u->s->cfg.addr, dst.v4, &h);
        r = net_ip_output(u->s, dst.v4, NET_PROTO_UDP, b);
    }
    return r < 0 ? r : 0;
}

int atoll_udp_recvfrom(struct atoll_udp *u, void *buf, size_t len,
                       atoll_addr_t *src, uint16_t *src_port,
                       atoll_time_t deadline)
{
    if (!buf && len)
        return -ATOLL_EINVAL;
    while (!u->q.head) {
        int r = atoll_event_wait(&u->ev, deadline);
        if (r < 0)
            return r;
    }
    struct atoll_buf *b = atoll_bufq_pop(&u->q);
    struct udp_from from;
    memcpy(&from, b->head, sizeof from);
    if (src)
        *src = from.addr;
    if (src_port)
        *src_port = from.port;
    int n = (int)b->len;
    memcpy(buf, b->data, b->len < len ? b->len : len);
    atoll_buf_free(b);
    return n;
}

void atoll_udp_close(struct atoll_udp *u)
{
    if (!u)
        return;
    for (struct atoll_udp **pp = &u->s->udp; *pp; pp = &(*pp)->next)
        if (*pp == u) {
            *pp = u->next;
            break;
        }
    atoll_bufq_clear(&u->q);
    atoll_free(u);
}

void net_udp_fini(struct atoll_stack *s)
{
    /* Sockets still bound go with the stack (documented in udp.h). */
    while (s->udp) {
        struct atoll_udp *u = s->udp;
        s->udp = u->next;
        atoll_bufq_clear(&u->q);
        atoll_free(u);
    }
}
