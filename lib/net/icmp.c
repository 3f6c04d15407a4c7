/*
 * lib/net/icmp.c - ICMP (RFC 792): echo reply at any size, echo requests
 * for atoll_icmp_ping (over IPv4 here, over IPv6 through icmpv6.c),
 * destination unreachable out (port and protocol unreachable,
 * rate-limited) and in (delivered to TCP, or to a waiting ping).
 *
 * An echo reply reuses the request's buffer: type and checksum change and
 * the same bytes go back, so a reassembled 4000-byte request turns into a
 * reply that IPv4 fragments again.  Requests to a broadcast address are
 * ignored (no "smurf" amplification).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/icmp.h"
#include "atoll/mem.h"
#include "ipv6_int.h"
#include "stack_int.h"

int net_icmp_parse(const uint8_t *p, size_t len, struct net_icmp_hdr *h)
{
    if (len < NET_ICMP_HLEN)
        return -ATOLL_EBADMSG;
    h->type = p[0];
    h->code = p[1];
    h->csum = net_get16(p + 2);
    h->rest = net_get32(p + 4);
    if (net_csum_fold(net_csum_add(0, p, len)) != 0)
        return -ATOLL_ECORRUPT;
    return 0;
}

void net_icmp_write(uint8_t *p, size_t len, const struct net_icmp_hdr *h)
{
    p[0] = h->type;
    p[1] = h->code;
    net_put16(p + 2, 0);
    net_put32(p + 4, h->rest);
    net_put16(p + 2, net_csum_fold(net_csum_add(0, p, len)));
}

bool net_ping_answer(struct atoll_stack *s, uint8_t family, uint16_t id,
                     uint16_t seq, struct atoll_buf *reply, int err)
{
    for (struct ping_wait *w = s->pings; w; w = w->next)
        if (w->family == family && w->id == id && w->seq == seq && !w->done) {
            w->done = true;
            w->reply = reply;
            w->err = reply ? 0 : err;
            atoll_event_notify(&w->ev);
            return true;
        }
    return false;
}

/* A quoted packet in an unreachable / time exceeded: the original IPv4
 * header (which we sent) and at least 8 bytes of its payload. */
static void error_input(struct atoll_stack *s, const struct net_icmp_hdr *h,
                        const uint8_t *inner, size_t len)
{
    if (len < NET_IP_HLEN || inner[0] >> 4 != 4) {
        s->stats.icmp_drop++;
        return;
    }
    size_t hl = (size_t)(inner[0] & 15) * 4;
    if (hl < NET_IP_HLEN || hl + 8 > len ||
        net_get32(inner + 12) != s->cfg.addr) {
        s->stats.icmp_drop++;
        return;
    }
    uint8_t proto = inner[9];
    if (proto == NET_PROTO_TCP) {
        net_tcp_icmp_error(s, h->type, h->code, inner, len);
    } else if (proto == NET_PROTO_ICMP && inner[hl] == NET_ICMP_ECHO) {
        net_ping_answer(s, ATOLL_AF_INET, net_get16(inner + hl + 4),
                        net_get16(inner + hl + 6), NULL, -ATOLL_EHOSTUNREACH);
    }
    /* UDP has no connection to tell: the datagram is simply lost. */
}

void net_icmp_input(struct atoll_stack *s, struct atoll_buf *b,
                    const struct net_ip_info *ip)
{
    struct net_icmp_hdr h;
    if (net_icmp_parse(b->data, b->len, &h) < 0)
        goto drop;
    switch (h.type) {
    case NET_ICMP_ECHO:
        if (net_ipv4_is_broadcast(s, ip->dst) || h.code != 0)
            goto drop;
        h.type = NET_ICMP_ECHO_REPLY;
        net_icmp_write(b->data, b->len, &h);
        net_ip_output(s, ip->src, NET_PROTO_ICMP, b);
        return;
    case NET_ICMP_ECHO_REPLY:
        if (!net_ping_answer(s, ATOLL_AF_INET, (uint16_t)(h.rest >> 16),
                             (uint16_t)h.rest, b, 0))
            atoll_buf_free(b); /* a late or unknown reply: not an error */
        return;
    case NET_ICMP_UNREACH:
    case NET_ICMP_TIME_EXCEED:
        error_input(s, &h, b->data + NET_ICMP_HLEN, b->len - NET_ICMP_HLEN);
        atoll_buf_free(b);
        return;
    default:
        atoll_buf_free(b); /* other types are legal, just not used */
        return;
    }
drop:
    s->stats.icmp_drop++;
    atoll_buf_free(b);
}

void net_icmp_send_error(struct atoll_stack *s, uint8_t type, uint8_t code,
                         const uint8_t *raw, size_t len)
{
    if (len < NET_IP_HLEN)
        return;
    size_t hl = (size_t)(raw[0] & 15) * 4;
    /* Never about an ICMP error, a later fragment or a broadcast. */
    if (raw[9] == NET_PROTO_ICMP && len > hl && raw[hl] != NET_ICMP_ECHO &&
        raw[hl] != NET_ICMP_ECHO_REPLY)
        return;
    if (net_get16(raw + 6) & 0x1fff)
        return;
    atoll_time_t now = atoll_now();
    if (now - s->icmp_window >= ATOLL_SEC(1)) {
        s->icmp_window = now;
        s->icmp_errors = 0;
    }
    if (s->icmp_errors >= NET_ICMP_ERRORS_PER_SEC)
        return;
    s->icmp_errors++;
    size_t q = hl + 8 < len ? hl + 8 : len;
    struct atoll_buf *b = atoll_buf_alloc(NET_IP_HEADROOM, NET_ICMP_HLEN + q);
    if (!b)
        return;
    uint8_t *p = atoll_buf_put(b, NET_ICMP_HLEN + q);
    memcpy(p + NET_ICMP_HLEN, raw, q);
    struct net_icmp_hdr h = {.type = type, .code = code, .rest = 0};
    net_icmp_write(p, b->len, &h);
    net_ip_output(s, net_get32(raw + 12), NET_PROTO_ICMP, b);
}

/* The data of ping `seq`: a pattern that depends on the position. */
static void pattern(uint8_t *p, size_t n, uint16_t seq)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seq + (i >> 8));
}

/* Send the echo request b (its message written but for the type and
 * checksum) to dst: ICMP or ICMPv6 by dst's family.  Owns b. */
static int echo_send(struct atoll_stack *s, const atoll_addr_t *dst,
                     struct atoll_buf *b, uint32_t id_seq)
{
    if (dst->family == ATOLL_AF_INET) {
        struct net_icmp_hdr h = {.type = NET_ICMP_ECHO, .rest = id_seq};
        net_icmp_write(b->data, b->len, &h);
        return net_ip_output(s, dst->v4, NET_PROTO_ICMP, b);
    }
    /* The checksum covers the source (RFC 8200 8.1): choose it now. */
    const atoll_ipv6_t *src = net_ipv6_source(s, &dst->v6);
    if (!src) {
        atoll_buf_free(b);
        return -ATOLL_EHOSTUNREACH;
    }
    atoll_ipv6_t from = *src;
    b->data[0] = NET_ICMP6_ECHO, b->data[1] = 0;
    net_put32(b->data + 4, id_seq);
    net_icmp6_finish(b->data, b->len, &from, &dst->v6);
    return net_ipv6_output(s, &from, &dst->v6, NET_IP6_ICMPV6, 0, b);
}

int64_t atoll_icmp_ping(struct atoll_stack *s, atoll_addr_t dst, uint16_t seq,
                        size_t size, atoll_time_t deadline)
{
    if (dst.family != ATOLL_AF_INET && dst.family != ATOLL_AF_INET6)
        return -ATOLL_EINVAL;
    /* An IPv4 datagram holds 65515 bytes after its header; an IPv6 one
     * 65535 after its fixed header (we add no extension headers). */
    size_t max = dst.family == ATOLL_AF_INET ? 65507 : 65535;
    if (size > max - NET_ICMP_HLEN)
        return -ATOLL_EMSGSIZE;
    struct atoll_buf *b =
        atoll_buf_alloc(NET_IP_HEADROOM, NET_ICMP_HLEN + size);
    if (!b)
        return -ATOLL_ENOMEM;
    struct ping_wait w;
    memset(&w, 0, sizeof w);
    w.family = dst.family;
    w.id = s->ping_id;
    w.seq = seq;
    atoll_event_init(&w.ev, "ping");
    uint8_t *p = atoll_buf_put(b, NET_ICMP_HLEN + size);
    pattern(p + NET_ICMP_HLEN, size, seq);
    atoll_time_t t0 = atoll_now();
    w.next = s->pings;
    s->pings = &w;
    int64_t r = echo_send(s, &dst, b, (uint32_t)w.id << 16 | seq);
    if (r == -ATOLL_EAGAIN)
        r = 0; /* queued behind ARP or ND, or dropped: the deadline tells */
    while (r == 0 && !w.done)
        r = atoll_event_wait(&w.ev, deadline);
    for (struct ping_wait **pp = &s->pings; *pp; pp = &(*pp)->next)
        if (*pp == &w) {
            *pp = w.next;
            break;
        }
    if (r == 0 && w.err)
        r = w.err;
    if (r == 0) {
        uint8_t *want = atoll_malloc(size ? size : 1);
        if (!want)
            r = -ATOLL_ENOMEM;
        else {
            pattern(want, size, seq);
            if (w.reply->len != NET_ICMP_HLEN + size ||
                memcmp(w.reply->data + NET_ICMP_HLEN, want, size))
                r = -ATOLL_ECORRUPT;
            atoll_free(want);
        }
    }
    atoll_buf_free(w.reply);
    return r == 0 ? atoll_now() - t0 : r;
}
