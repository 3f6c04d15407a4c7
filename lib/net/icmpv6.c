/*
 * lib/net/icmpv6.c - ICMPv6 (RFC 4443): the checksum over the IPv6
 * pseudo-header, echo replies, error messages out (rate-limited), and the
 * dispatch of Neighbor Discovery and MLD messages to nd.c and mld.c.
 *
 * An echo reply reuses the request's buffer, as ICMP over IPv4 does.
 * Echo replies, and unreachables and time exceededs about our echo
 * requests, go to the waiting atoll_icmp_ping (icmp.c).
 * A Packet Too Big about a packet of ours lowers the path MTU towards its
 * destination (RFC 8201, net_ipv6_pmtu_update).
 * Echo requests to a multicast group are not answered (RFC 4443 4.1
 * allows either; not answering gives no amplification), nor those to an
 * address still under duplicate address detection (RFC 4862 5.4).
 * Errors are never sent about an ICMPv6 error, to or from a multicast or
 * unspecified address, and at most NET_ICMP6_ERRORS_PER_SEC a second
 * (RFC 4443 2.4 (e), (f)).  Every message dropped is counted by
 * reason (net_ip6_reject).
 */
#include <string.h>

#include "atoll/addr.h"
#include "atoll/error.h"
#include "ipv6_int.h"
#include "stack_int.h"

uint16_t net_icmp6_csum(const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                        const uint8_t *p, size_t len)
{
    uint32_t sum = net_csum_pseudo6(src, dst, NET_IP6_ICMPV6, (uint32_t)len);
    return net_csum_fold(net_csum_add(sum, p, len));
}

void net_icmp6_finish(uint8_t *p, size_t len, const atoll_ipv6_t *src,
                      const atoll_ipv6_t *dst)
{
    net_put16(p + 2, 0);
    net_put16(p + 2, net_icmp6_csum(src, dst, p, len));
}

/* A message for the stack itself (not ND): to a preferred address of ours
 * (or a group) from a unicast one. */
static bool for_us(const struct atoll_stack *s, const struct net_ipv6_hdr *ip)
{
    return !net_ipv6_is_unspecified(&ip->src) &&
           (net_ipv6_is_ours(s, &ip->dst, false) ||
            net_ipv6_is_our_group(s, &ip->dst));
}

/* An unreachable or time exceeded quoting `q` (len bytes from its IPv6
 * header): when it is an echo request of ours (perhaps the first
 * fragment of one), its ping fails with -ATOLL_EHOSTUNREACH. */
static void error_about_echo(struct atoll_stack *s, const uint8_t *q,
                             size_t len)
{
    atoll_ipv6_t src;
    memcpy(src.b, q + 8, 16);
    size_t off = NET_IP6_HLEN;
    uint8_t next = q[6];
    if (next == NET_IP6_FRAGMENT && len >= off + 8 &&
        (net_get16(q + off + 2) & ~7u) == 0) {
        next = q[off];
        off += 8;
    }
    if (next != NET_IP6_ICMPV6 || len < off + 8 || q[off] != NET_ICMP6_ECHO ||
        !net_ipv6_is_ours(s, &src, false))
        return;
    net_ping_answer(s, ATOLL_AF_INET6, net_get16(q + off + 4),
                    net_get16(q + off + 6), NULL, -ATOLL_EHOSTUNREACH);
}

void net_icmp6_input(struct atoll_stack *s, struct atoll_buf *b,
                     const struct net_ipv6_hdr *ip)
{
    const uint8_t *p = b->data;
    enum atoll_ip6_reject why = ATOLL_IP6R_ICMP_SHORT;
    if (b->len < 4)
        goto drop;
    why = ATOLL_IP6R_ICMP_CSUM;
    if (net_icmp6_csum(&ip->src, &ip->dst, p, b->len) != 0)
        goto drop;
    switch (p[0]) {
    case NET_ICMP6_RS:
    case NET_ICMP6_RA:
    case NET_ICMP6_NS:
    case NET_ICMP6_NA:
    case NET_ICMP6_REDIRECT:
        net_nd_input(s, b, ip);
        return;
    case NET_ICMP6_MLD_QUERY:
        net_mld_input(s, b, ip);
        return;
    }
    why = ATOLL_IP6R_ICMP_NOT_US;
    if (!for_us(s, ip))
        goto drop;
    switch (p[0]) {
    case NET_ICMP6_ECHO: {
        why = ATOLL_IP6R_ICMP_SHORT;
        if (b->len < 8)
            goto drop;
        why = ATOLL_IP6R_ICMP_ECHO;
        if (p[1] != 0 || net_ipv6_is_multicast(&ip->dst))
            goto drop;
        atoll_ipv6_t src = ip->dst, dst = ip->src;
        b->data[0] = NET_ICMP6_ECHO_REPLY;
        net_icmp6_finish(b->data, b->len, &src, &dst);
        net_ipv6_output(s, &src, &dst, NET_IP6_ICMPV6, 0, b);
        return;
    }
    case NET_ICMP6_PKT_TOO_BIG: {
        /* RFC 8201 4: about a packet we sent (its source is ours), an MTU
         * of at least 1280; it can only lower the estimate. */
        why = ATOLL_IP6R_ICMP_SHORT;
        if (b->len < 8 + NET_IP6_HLEN)
            goto drop;
        why = ATOLL_IP6R_ICMP_PTB;
        atoll_ipv6_t qsrc, qdst;
        memcpy(qsrc.b, p + 8 + 8, 16);
        memcpy(qdst.b, p + 8 + 24, 16);
        uint32_t mtu = net_get32(p + 4);
        if ((p[8] >> 4) != 6 || !net_ipv6_is_ours(s, &qsrc, false) ||
            mtu < 1280)
            goto drop;
        /* TCP follows a lowered path MTU with its segment size. */
        if (net_ipv6_pmtu_update(s, &qdst, mtu))
            net_tcp_icmp6_error(s, p[0], p[1], net_ipv6_path_mtu(s, &qdst),
                                p + 8, b->len - 8);
        atoll_buf_free(b);
        return;
    }
    case NET_ICMP6_ECHO_REPLY:
        if (b->len < 8 || !net_ping_answer(s, ATOLL_AF_INET6, net_get16(p + 4),
                                           net_get16(p + 6), b, 0))
            atoll_buf_free(b); /* a late or unknown reply: not an error */
        return;
    case NET_ICMP6_UNREACH:
    case NET_ICMP6_TIME_EXCEED:
    case NET_ICMP6_PARAM_PROB: {
        /* A well-formed error is not a drop.  One about an echo request
         * of ours ends its ping; one about a TCP segment of ours (its
         * source is ours) goes to the connection (UDP has none). */
        why = ATOLL_IP6R_ICMP_SHORT;
        if (b->len < 8 + NET_IP6_HLEN)
            goto drop;
        if (p[0] != NET_ICMP6_PARAM_PROB)
            error_about_echo(s, p + 8, b->len - 8);
        atoll_ipv6_t qsrc;
        memcpy(qsrc.b, p + 8 + 8, 16);
        if ((p[8] >> 4) == 6 && net_ipv6_is_ours(s, &qsrc, false))
            net_tcp_icmp6_error(s, p[0], p[1], 0, p + 8, b->len - 8);
        atoll_buf_free(b);
        return;
    }
    default:
        atoll_buf_free(b); /* other types: legal, unused */
        return;
    }
drop:
    net_ip6_reject(s, why, 1);
    atoll_buf_free(b);
}

void net_icmp6_send_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                          uint32_t param, const uint8_t *raw, size_t len)
{
    struct net_ipv6_hdr h;
    struct net_ipv6_chain c;
    if (!s->v6 || net_ipv6_parse(raw, len, &h) < 0)
        return;
    if (net_ipv6_is_multicast(&h.src) || net_ipv6_is_unspecified(&h.src))
        return;
    /* Errors about a multicast packet only for the exceptions of 2.4
     * (e.3): packet too big, and a parameter problem about an option. */
    if (net_ipv6_is_multicast(&h.dst) && type != NET_ICMP6_PKT_TOO_BIG &&
        !(type == NET_ICMP6_PARAM_PROB && code == 2))
        return;
    /* Never about an ICMPv6 error (2.4 (e.1)). */
    if (net_ipv6_walk(raw, len, &c) == 0 && !c.fragment &&
        c.proto == NET_IP6_ICMPV6 && (c.off >= len || raw[c.off] < 128))
        return;
    atoll_time_t now = atoll_now();
    if (now - s->v6->err_window >= ATOLL_SEC(1)) {
        s->v6->err_window = now;
        s->v6->errors = 0;
    }
    if (s->v6->errors >= NET_ICMP6_ERRORS_PER_SEC)
        return;
    s->v6->errors++;
    /* As much of the packet as fits the minimum MTU (2.4 (c)). */
    size_t q = len < 1280 - NET_IP6_HLEN - 8 ? len : 1280 - NET_IP6_HLEN - 8;
    struct atoll_buf *b = atoll_buf_alloc(NET_IP_HEADROOM, 8 + q);
    if (!b)
        return;
    uint8_t *p = atoll_buf_put(b, 8 + q);
    p[0] = type, p[1] = code;
    net_put32(p + 4, param);
    memcpy(p + 8, raw, q);
    /* The source: the address the packet was sent to when it is ours. */
    /* Otherwise our link-local address, the one every stack has. */
    atoll_ipv6_t from;
    const atoll_ipv6_t *src = &h.dst;
    if (!net_ipv6_is_ours(s, &h.dst, false)) {
        if (!net_ipv6_our_link_local(s, &from)) {
            atoll_buf_free(b);
            return;
        }
        src = &from;
    }
    net_icmp6_finish(p, b->len, src, &h.src);
    net_ipv6_output(s, src, &h.src, NET_IP6_ICMPV6, 0, b);
}
