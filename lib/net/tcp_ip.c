/*
 * lib/net/tcp_ip.c - TCP's view of the IP layer below it, for IPv4 and
 * IPv6 alike: segments arriving from either (tcp_input checks them
 * against the family's pseudo-header, tcp_pseudo), segments leaving through the
 * family's output, the MSS a path allows, segmentation offload per family, and
 * ICMP/ICMPv6 errors quoting our segments.
 *
 * This is the only TCP file that looks at an address's family.  The
 * protocol above it (tcp_in.c, tcp_out.c, tcp_timer.c, ...) carries
 * atoll_addr_t and never asks which one it holds, so SACK, the
 * congestion controls and RFC 5961 are the same code for both.
 */
#include <string.h>

#include "atoll/error.h"
#include "ipv6_int.h"
#include "tcp_int.h"
#include "wire.h"

uint32_t tcp_pseudo(const atoll_addr_t *src, const atoll_addr_t *dst,
                    uint32_t len)
{
    if (src->family == ATOLL_AF_INET6)
        return net_csum_pseudo6(&src->v6, &dst->v6, NET_PROTO_TCP, len);
    return net_csum_pseudo(src->v4, dst->v4, NET_PROTO_TCP, (uint16_t)len);
}

int tcp_ip_output(struct tcp_stack *ts, const atoll_addr_t *src,
                  const atoll_addr_t *dst, struct atoll_buf *b)
{
    if (dst->family == ATOLL_AF_INET6)
        return net_ipv6_output(ts->s, &src->v6, &dst->v6, NET_IP6_TCP, 0, b);
    return net_ip_output(ts->s, dst->v4, NET_PROTO_TCP, b);
}

int tcp_ip_source(struct tcp_stack *ts, const atoll_addr_t *dst,
                  atoll_addr_t *out)
{
    if (dst->family == ATOLL_AF_INET6) {
        if (net_ipv6_is_unspecified(&dst->v6) ||
            net_ipv6_is_multicast(&dst->v6))
            return -ATOLL_EINVAL;
        const atoll_ipv6_t *a = net_ipv6_source(ts->s, &dst->v6);
        if (!a)
            return -ATOLL_EHOSTUNREACH;
        *out = atoll_addr6(a);
        return 0;
    }
    if (dst->family != ATOLL_AF_INET || dst->v4 == 0)
        return -ATOLL_EINVAL;
    *out = atoll_addr4(net_ip_addr(ts->s));
    return 0;
}

uint16_t tcp_mss_of_mtu(uint32_t mtu, uint8_t family)
{
    /* RFC 9293 3.7.1 / RFC 8200 8.3: the MTU less the fixed IP header and
     * the TCP header without options. */
    uint32_t hdrs = (family == ATOLL_AF_INET6 ? NET_IP6_HLEN : 20) + TCP_HLEN;
    if (mtu > 65535)
        mtu = 65535;
    return (uint16_t)(mtu > hdrs + 64 ? mtu - hdrs : 64);
}

uint16_t tcp_mss_for(struct tcp_stack *ts, const atoll_addr_t *dst)
{
    /* Over IPv6 the path MTU is what Packet Too Big taught (RFC 8201),
     * else the link's (or the router's advertised) MTU. */
    if (dst->family == ATOLL_AF_INET6)
        return tcp_mss_of_mtu(net_ipv6_path_mtu(ts->s, &dst->v6),
                              ATOLL_AF_INET6);
    return tcp_mss_of_mtu(net_ip_mtu(ts->s), ATOLL_AF_INET);
}

uint32_t tcp_tso_max(const struct atoll_tcp_conn *c)
{
    /* What the interface segments (ATOLL_NETIF_TSO4, ATOLL_NETIF_TSO6):
     * the family's largest packet less its IP header (IPv6's payload
     * length leaves it out) and the largest TCP header. */
    if (!c->ts->tso)
        return 0;
    if (c->raddr.family == ATOLL_AF_INET6)
        return (net_offloads(c->ts->s) & ATOLL_NETIF_TSO6) ? 65535 - 60 : 0;
    return (net_offloads(c->ts->s) & ATOLL_NETIF_TSO4) ? 65535 - 20 - 60 : 0;
}

/* ---- arrival ----------------------------------------------------------- */

void net_tcp_input(struct atoll_stack *s, struct atoll_buf *b,
                   const struct net_ip_info *ip)
{
    struct tcp_stack *ts = net_tcp_get(s);
    if (!ts) {
        atoll_buf_free(b);
        return;
    }
    struct tcp_addrs a = {atoll_addr4(ip->src), atoll_addr4(ip->dst)};
    tcp_input(ts, b, &a);
}

void net_tcp6_input(struct atoll_stack *s, struct atoll_buf *b,
                    const struct net_ipv6_hdr *ip)
{
    struct tcp_stack *ts = net_tcp_get(s);
    /* TCP is unicast only (RFC 9293 3.9.1.1 for IPv4, the same here):
     * a segment to a group gets nothing, not even a RST. */
    if (!ts || net_ipv6_is_multicast(&ip->dst)) {
        if (ts)
            net_stats(s)->tcp_drop++;
        atoll_buf_free(b);
        return;
    }
    struct tcp_addrs a = {atoll_addr6(&ip->src), atoll_addr6(&ip->dst)};
    tcp_input(ts, b, &a);
}

/* ---- errors about our segments ----------------------------------------- */

void net_tcp_icmp_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                        const uint8_t *inner, size_t len)
{
    struct tcp_stack *ts = net_tcp_get(s);
    if (!ts || len < 20)
        return;
    size_t ihl = (size_t)(inner[0] & 15) * 4;
    if (ihl < 20 || len < ihl + 8 || inner[9] != NET_PROTO_TCP)
        return;
    atoll_addr_t src = atoll_addr4(net_get32(inner + 12));
    atoll_addr_t dst = atoll_addr4(net_get32(inner + 16));
    bool unreach = type == 3;
    bool hard = unreach && (code == 2 || code == 3); /* proto/port */
    tcp_icmp_error(ts, &src, &dst, inner + ihl, unreach, hard, 0);
}

void net_tcp_icmp6_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                         uint32_t mtu, const uint8_t *inner, size_t len)
{
    struct tcp_stack *ts = net_tcp_get(s);
    /* Our segments carry no extension headers (one that was fragmented
     * is about a path whose MTU the IPv6 layer already follows): the
     * quoted header's next header is TCP, and its first 8 bytes follow. */
    if (!ts || len < NET_IP6_HLEN + 8 || (inner[0] >> 4) != 6 ||
        inner[6] != NET_IP6_TCP)
        return;
    atoll_ipv6_t a, b;
    memcpy(a.b, inner + 8, 16);
    memcpy(b.b, inner + 24, 16);
    atoll_addr_t src = atoll_addr6(&a), dst = atoll_addr6(&b);
    /* RFC 4443 3.1 code 4 is port unreachable; a parameter problem about
     * the next header (3.4 code 1) is a peer without TCP over IPv6: both
     * as hard as ICMP's port and protocol unreachable. */
    bool unreach = type == NET_ICMP6_UNREACH ||
                   (type == NET_ICMP6_PARAM_PROB && code == 1);
    bool hard = (type == NET_ICMP6_UNREACH && code == 4) ||
                (type == NET_ICMP6_PARAM_PROB && code == 1);
    if (type == NET_ICMP6_PKT_TOO_BIG)
        tcp_icmp_error(ts, &src, &dst, inner + NET_IP6_HLEN, false, false, mtu);
    else if (unreach || type == NET_ICMP6_TIME_EXCEED)
        tcp_icmp_error(ts, &src, &dst, inner + NET_IP6_HLEN, unreach, hard, 0);
}
