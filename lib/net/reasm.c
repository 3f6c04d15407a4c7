/*
 * lib/net/reasm.c - IPv4 reassembly, with limits on everything.
 *
 * A datagram under reassembly is a context keyed by (source, destination,
 * id, protocol) holding its fragments sorted by offset.  Limits, each
 * counted in ip_reasm_drop when hit:
 *   - NET_REASM_MAX datagrams at once (a new one evicts the oldest),
 *   - NET_REASM_FRAGS_MAX fragments per datagram,
 *   - NET_REASM_MEM_MAX bytes of buffers over all datagrams (contexts are
 *     evicted, oldest first, to make room),
 *   - NET_REASM_TIMEOUT_NS from the first fragment (then it is dropped),
 *   - 65535 bytes of datagram.
 * Overlapping fragments drop the whole datagram (the "teardrop" family of
 * attacks relies on overlaps; RFC 5722 made the same rule for IPv6).  An
 * exact duplicate, as a duplicating network produces, is dropped alone;
 * a fragment in the same place with other bytes (or another idea of where
 * the datagram ends) is an overlap that disagrees, and drops the datagram:
 * which copy to believe is exactly what an attacker would like to choose
 * (the first on one host, the last on the IDS in front of it).
 * No ICMP time exceeded is sent for expired datagrams.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "stack_impl.h"

int net_reasm_init(struct atoll_stack *s)
{
    s->reasm = atoll_calloc(NET_REASM_MAX, sizeof *s->reasm);
    return s->reasm ? 0 : -ATOLL_ENOMEM;
}

static void ctx_drop(struct atoll_stack *s, struct reasm_ctx *c, bool count)
{
    for (int i = 0; i < c->nfrags; i++)
        atoll_buf_free(c->frags[i].b);
    if (count)
        s->stats.ip_reasm_drop += (uint64_t)c->nfrags;
    s->reasm_mem -= c->mem;
    memset(c, 0, sizeof *c);
}

void net_reasm_fini(struct atoll_stack *s)
{
    if (!s->reasm)
        return;
    for (int i = 0; i < NET_REASM_MAX; i++)
        if (s->reasm[i].used)
            ctx_drop(s, &s->reasm[i], false);
    atoll_free(s->reasm);
    s->reasm = NULL;
}

static struct reasm_ctx *oldest(struct atoll_stack *s, struct reasm_ctx * not )
{
    struct reasm_ctx *o = NULL;
    for (int i = 0; i < NET_REASM_MAX; i++) {
        struct reasm_ctx *c = &s->reasm[i];
        if (c->used && c != not &&(!o || c->expires < o->expires))
            o = c;
    }
    return o;
}

static struct reasm_ctx *lookup(struct atoll_stack *s,
                                const struct net_ipv4_hdr *h)
{
    struct reasm_ctx *free_ctx = NULL;
    for (int i = 0; i < NET_REASM_MAX; i++) {
        struct reasm_ctx *c = &s->reasm[i];
        if (!c->used) {
            if (!free_ctx)
                free_ctx = c;
            continue;
        }
        if (c->src == h->src && c->dst == h->dst && c->id == h->id &&
            c->proto == h->proto)
            return c;
    }
    if (!free_ctx) {
        free_ctx = oldest(s, NULL);
        ctx_drop(s, free_ctx, true);
    }
    struct reasm_ctx *c = free_ctx;
    c->used = true;
    c->src = h->src, c->dst = h->dst, c->id = h->id, c->proto = h->proto;
    c->total = -1;
    c->expires = atoll_now() + NET_REASM_TIMEOUT_NS;
    return c;
}

/* All fragments present: copy them into one buffer and deliver it. */
static void complete(struct atoll_stack *s, struct reasm_ctx *c)
{
    struct atoll_buf *d =
        atoll_buf_alloc(NET_IP_HEADROOM + 60, (size_t)c->total);
    if (!d) {
        ctx_drop(s, c, true);
        return;
    }
    for (int i = 0; i < c->nfrags; i++)
        memcpy(atoll_buf_put(d, c->frags[i].len), c->frags[i].b->data,
               c->frags[i].len);
    /* The header as the first fragment had it, for ICMP quotes and TCP;
     * it sits in the headroom in front of the payload. */
    uint8_t *raw = atoll_buf_push(d, c->hdr_len);
    memcpy(raw, c->hdr, c->hdr_len);
    atoll_buf_pull(d, c->hdr_len);
    struct net_ipv4_hdr h;
    memset(&h, 0, sizeof h);
    h.hlen = (uint8_t)c->hdr_len;
    h.tos = raw[1];
    h.total_len = (uint16_t)(c->hdr_len + (size_t)c->total);
    h.id = c->id;
    h.ttl = raw[8];
    h.proto = c->proto;
    h.src = c->src, h.dst = c->dst;
    size_t hl = c->hdr_len;
    ctx_drop(s, c, false);
    net_ipv4_deliver(s, d, &h, raw, hl);
}

void net_reasm_input(struct atoll_stack *s, struct atoll_buf *b,
                     const struct net_ipv4_hdr *h, const uint8_t *raw)
{
    size_t off = net_ipv4_frag_offset(h), len = b->len;
    bool more = h->frag & NET_IP_MF;
    /* Every fragment but the last carries a multiple of 8 bytes, and none
     * reaches past the largest datagram. */
    if ((more && (len == 0 || len % 8)) || off + len + h->hlen > 65535) {
        s->stats.ip_reasm_drop++;
        atoll_buf_free(b);
        return;
    }
    struct reasm_ctx *c = lookup(s, h);
    if (!more) {
        if (c->total >= 0 && (size_t)c->total != off + len)
            goto bad; /* two different ends */
        c->total = (int)(off + len);
        if (c->nfrags &&
            c->frags[c->nfrags - 1].off + c->frags[c->nfrags - 1].len >
                off + len)
            goto bad; /* an end before data already here */
    }
    if (c->total >= 0 && off + len > (size_t)c->total)
        goto bad;
    /* Find the place, refusing overlaps. */
    int at = 0;
    while (at < c->nfrags && c->frags[at].off < off)
        at++;
    if (at < c->nfrags && c->frags[at].off == off && c->frags[at].len == len) {
        if (memcmp(c->frags[at].b->data, b->data, len))
            goto bad;             /* same place, other bytes */
        s->stats.ip_reasm_drop++; /* an exact duplicate */
        atoll_buf_free(b);
        return;
    }
    if (at > 0 && c->frags[at - 1].off + c->frags[at - 1].len > off)
        goto bad;
    if (at < c->nfrags && off + len > c->frags[at].off)
        goto bad;
    if (c->nfrags == NET_REASM_FRAGS_MAX)
        goto bad;
    /* Memory: evict other datagrams, oldest first, until this fits. */
    while (s->reasm_mem + b->cap > NET_REASM_MEM_MAX) {
        struct reasm_ctx *o = oldest(s, c);
        if (!o)
            goto bad;
        ctx_drop(s, o, true);
    }
    if (off == 0) {
        memcpy(c->hdr, raw, h->hlen);
        c->hdr_len = h->hlen;
    }
    memmove(&c->frags[at + 1], &c->frags[at],
            (size_t)(c->nfrags - at) * sizeof c->frags[0]);
    c->frags[at] = (struct reasm_frag){(uint16_t)off, (uint16_t)len, b};
    c->nfrags++;
    c->mem += b->cap;
    s->reasm_mem += b->cap;
    if (c->total < 0 || c->hdr_len == 0)
        return;
    size_t have = 0;
    for (int i = 0; i < c->nfrags; i++) {
        if (c->frags[i].off != have)
            return;
        have += c->frags[i].len;
    }
    if (have == (size_t)c->total)
        complete(s, c);
    return;
bad:
    s->stats.ip_reasm_drop++;
    atoll_buf_free(b);
    ctx_drop(s, c, true);
}

atoll_time_t net_reasm_timers(struct atoll_stack *s, atoll_time_t now)
{
    atoll_time_t next = ATOLL_NEVER;
    for (int i = 0; i < NET_REASM_MAX; i++) {
        struct reasm_ctx *c = &s->reasm[i];
        if (!c->used)
            continue;
        if (c->expires <= now)
            ctx_drop(s, c, true);
        else if (c->expires < next)
            next = c->expires;
    }
    return next;
}
