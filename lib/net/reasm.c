/*
 * lib/net/reasm.c - IPv4 and IPv6 reassembly, with limits on everything.
 *
 * A datagram under reassembly is a context keyed by (source, destination,
 * id, protocol) for IPv4 and (source, destination, id) for IPv6 (RFC 8200
 * 4.5), holding its fragments sorted by offset.  Both families share the
 * contexts and the memory bound.  Limits, each counted when hit (IPv4 in
 * ip_reasm_drop, IPv6 by reason, net_ip6_reject):
 *   - NET_REASM_MAX datagrams at once (a new one evicts the oldest),
 *   - NET_REASM_FRAGS_MAX fragments per datagram,
 *   - NET_REASM_MEM_MAX bytes of buffers over all datagrams (contexts are
 *     evicted, oldest first, to make room),
 *   - NET_REASM_TIMEOUT_NS (IPv6: NET_REASM6_TIMEOUT_NS) from the first
 *     fragment (then it is dropped),
 *   - 65535 bytes of datagram.
 * Overlapping fragments drop the whole datagram (the "teardrop" family of
 * attacks relies on overlaps; RFC 5722 made the same rule for IPv6).  An
 * exact duplicate, as a duplicating network produces, is dropped alone;
 * a fragment in the same place with other bytes (or another idea of where
 * the datagram ends) is an overlap that disagrees, and drops the datagram:
 * which copy to believe is exactly what an attacker would like to choose
 * (the first on one host, the last on the IDS in front of it).  An IPv6
 * datagram dropped so stays known ("dead") until it would have expired,
 * so fragments still on their way are dropped too (RFC 5722 3).
 *
 * IPv6 adds RFC 7112: the first fragment must hold the whole header chain
 * up to and including the upper-layer header, else it is dropped with a
 * parameter problem (code 3).  The reassembled packet is the first
 * fragment's IPv6 header followed by the fragmentable part: extension
 * headers before the fragment header were checked on every fragment and
 * are not kept.  It goes through IPv6 input again, where another fragment
 * header is refused.
 *
 * A datagram that expires with its first fragment here is reported to its
 * source with a time exceeded, code 1 (fragment reassembly time exceeded:
 * RFC 8200 4.5 for IPv6, RFC 792 and RFC 1122 3.3.2 for IPv4), quoting
 * that fragment; rate-limited like every ICMP error.  Without the first
 * fragment nothing is sent (there is no header chain to quote, and a
 * stray later fragment should not make us talk), nor when a datagram is
 * evicted by a limit rather than by time.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "ipv6_int.h"
#include "stack_int.h"

int net_reasm_init(struct atoll_stack *s)
{
    s->reasm = atoll_calloc(NET_REASM_MAX, sizeof *s->reasm);
    return s->reasm ? 0 : -ATOLL_ENOMEM;
}

/* Free c's fragments; count them as dropped for `why` (an enum
 * atoll_ip6_reject for IPv6, any for IPv4) unless why < 0.  A dead IPv6
 * context keeps its key and expiry. */
static void ctx_drop(struct atoll_stack *s, struct reasm_ctx *c, int why,
                     bool keep_dead)
{
    for (int i = 0; i < c->nfrags; i++)
        atoll_buf_free(c->frags[i].b);
    if (why >= 0 && c->nfrags) {
        if (c->v6)
            net_ip6_reject(s, (enum atoll_ip6_reject)why, (uint64_t)c->nfrags);
        else
            s->stats.ip_reasm_drop += (uint64_t)c->nfrags;
    }
    s->reasm_mem -= c->mem;
    if (keep_dead) {
        c->dead = true;
        c->nfrags = 0;
        c->mem = 0;
        return;
    }
    memset(c, 0, sizeof *c);
}

void net_reasm_fini(struct atoll_stack *s)
{
    if (!s->reasm)
        return;
    for (int i = 0; i < NET_REASM_MAX; i++)
        if (s->reasm[i].used)
            ctx_drop(s, &s->reasm[i], -1, false);
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

static bool same_key(const struct reasm_ctx *a, const struct reasm_ctx *k)
{
    return a->v6 == k->v6 && a->id == k->id && a->proto == k->proto &&
           a->src == k->src && a->dst == k->dst &&
           !memcmp(&a->src6, &k->src6, sizeof a->src6) &&
           !memcmp(&a->dst6, &k->dst6, sizeof a->dst6);
}

/* The context with k's key, or a new one (evicting the oldest when all
 * are taken). */
static struct reasm_ctx *lookup(struct atoll_stack *s,
                                const struct reasm_ctx *k, atoll_time_t life)
{
    struct reasm_ctx *free_ctx = NULL;
    for (int i = 0; i < NET_REASM_MAX; i++) {
        struct reasm_ctx *c = &s->reasm[i];
        if (!c->used) {
            if (!free_ctx)
                free_ctx = c;
            continue;
        }
        if (same_key(c, k))
            return c;
    }
    if (!free_ctx) {
        free_ctx = oldest(s, NULL);
        ctx_drop(s, free_ctx, ATOLL_IP6R_FRAG_LIMIT, false);
    }
    struct reasm_ctx *c = free_ctx;
    *c = *k;
    c->used = true;
    c->total = -1;
    c->expires = atoll_now() + life;
    return c;
}

enum add_result {
    ADD_OK,      /* kept */
    ADD_DUP,     /* an exact duplicate: b freed, the datagram lives on */
    ADD_OVERLAP, /* overlap or disagreement: b freed, drop the datagram */
    ADD_LIMIT,   /* a limit: b freed, drop the datagram */
};

/* Put the fragment b (data = its bytes) at `off` into c, refusing
 * overlaps; `more`: more fragments follow.  Owns b. */
static enum add_result add(struct atoll_stack *s, struct reasm_ctx *c,
                           struct atoll_buf *b, size_t off, bool more)
{
    size_t len = b->len;
    enum add_result r = ADD_OVERLAP;
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
            goto bad; /* same place, other bytes */
        atoll_buf_free(b);
        return ADD_DUP;
    }
    if (at > 0 && c->frags[at - 1].off + c->frags[at - 1].len > off)
        goto bad;
    if (at < c->nfrags && off + len > c->frags[at].off)
        goto bad;
    r = ADD_LIMIT;
    if (c->nfrags == NET_REASM_FRAGS_MAX)
        goto bad;
    /* Memory: evict other datagrams, oldest first, until this fits. */
    while (s->reasm_mem + b->cap > NET_REASM_MEM_MAX) {
        struct reasm_ctx *o = oldest(s, c);
        if (!o)
            goto bad;
        ctx_drop(s, o, ATOLL_IP6R_FRAG_LIMIT, false);
    }
    memmove(&c->frags[at + 1], &c->frags[at],
            (size_t)(c->nfrags - at) * sizeof c->frags[0]);
    c->frags[at] = (struct reasm_frag){(uint16_t)off, (uint16_t)len, b};
    c->nfrags++;
    c->mem += b->cap;
    s->reasm_mem += b->cap;
    return ADD_OK;
bad:
    atoll_buf_free(b);
    return r;
}

/* Every byte from 0 to the end is here (and the first fragment's header). */
static bool whole(const struct reasm_ctx *c)
{
    if (c->total < 0 || c->hdr_len == 0)
        return false;
    size_t have = 0;
    for (int i = 0; i < c->nfrags; i++) {
        if (c->frags[i].off != have)
            return false;
        have += c->frags[i].len;
    }
    return have == (size_t)c->total;
}

/* The fragments copied into one buffer behind `room` bytes of headroom;
 * NULL without memory. */
static struct atoll_buf *gather(const struct reasm_ctx *c, size_t room)
{
    struct atoll_buf *d = atoll_buf_alloc(room, (size_t)c->total);
    if (!d)
        return NULL;
    for (int i = 0; i < c->nfrags; i++)
        memcpy(atoll_buf_put(d, c->frags[i].len), c->frags[i].b->data,
               c->frags[i].len);
    return d;
}

/* ---- IPv4 ---------------------------------------------------------------- */

/* All fragments present: copy them into one buffer and deliver it. */
static void complete(struct atoll_stack *s, struct reasm_ctx *c)
{
    struct atoll_buf *d = gather(c, NET_IP_HEADROOM + 60);
    if (!d) {
        ctx_drop(s, c, 0, false);
        return;
    }
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
    h.id = (uint16_t)c->id;
    h.ttl = raw[8];
    h.proto = c->proto;
    h.src = c->src, h.dst = c->dst;
    size_t hl = c->hdr_len;
    ctx_drop(s, c, -1, false);
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
    struct reasm_ctx k = {
        .src = h->src, .dst = h->dst, .id = h->id, .proto = h->proto};
    struct reasm_ctx *c = lookup(s, &k, NET_REASM_TIMEOUT_NS);
    if (off == 0) {
        memcpy(c->hdr, raw, h->hlen);
        c->hdr_len = h->hlen;
    }
    switch (add(s, c, b, off, more)) {
    case ADD_OK:
        if (whole(c))
            complete(s, c);
        return;
    case ADD_DUP:
        s->stats.ip_reasm_drop++;
        return;
    default:
        s->stats.ip_reasm_drop++;
        ctx_drop(s, c, 0, false);
    }
}

/* ---- IPv6 ---------------------------------------------------------------- */

/* RFC 7112: the first fragment's data p (len bytes, starting with header
 * `next`) holds every extension header and the upper-layer header. */
static bool chain_whole(uint8_t next, const uint8_t *p, size_t len)
{
    size_t off = 0;
    for (int n = 0; n <= NET_IPV6_EXT_MAX; n++) {
        switch (next) {
        case NET_IP6_DSTOPTS:
        case NET_IP6_ROUTING:
            if (off + 2 > len)
                return false;
            next = p[off];
            off += ((size_t)p[off + 1] + 1) * 8;
            if (off > len)
                return false;
            continue;
        case NET_IP6_HOPOPTS:
        case NET_IP6_FRAGMENT:
            return false; /* not allowed here; a fragment in a fragment */
        case NET_IP6_ICMPV6:
            return off + 4 <= len;
        case NET_IP6_UDP:
            return off + 8 <= len;
        case NET_IP6_TCP:
            return off + 20 <= len;
        default:
            return true; /* no next header, or one we do not know */
        }
    }
    return false;
}

static void complete6(struct atoll_stack *s, struct reasm_ctx *c)
{
    struct atoll_buf *d = gather(c, NET_IP_HEADROOM + NET_IP6_HLEN);
    if (!d) {
        ctx_drop(s, c, ATOLL_IP6R_FRAG_LIMIT, false);
        return;
    }
    uint8_t *p = atoll_buf_push(d, NET_IP6_HLEN);
    memcpy(p, c->hdr, NET_IP6_HLEN);
    net_put16(p + 4, (uint16_t)c->total);
    ctx_drop(s, c, -1, false);
    net_ipv6_reassembled(s, d);
}

void net_reasm6_input(struct atoll_stack *s, struct atoll_buf *b,
                      const struct net_ipv6_hdr *h,
                      const struct net_ipv6_chain *ch)
{
    size_t off = ch->frag_off, len = b->len - ch->off;
    size_t fh = ch->off - 8; /* the fragment header */
    /* RFC 8200 4.5: a fragment that is not the last carries 8n bytes (a
     * parameter problem pointing at the payload length), and none ends
     * past 65535 (pointing at the fragment offset). */
    if (ch->frag_more && (len == 0 || len % 8)) {
        net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, 0, 4, b->data, b->len);
        goto bad_len;
    }
    if (off + len > 65535) {
        net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, 0, (uint32_t)fh + 2,
                             b->data, b->len);
        goto bad_len;
    }
    if (off == 0 && !chain_whole(ch->proto, b->data + ch->off, len)) {
        net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, 3, 0, b->data, b->len);
        net_ip6_reject(s, ATOLL_IP6R_FRAG_CHAIN, 1);
        atoll_buf_free(b);
        return;
    }
    struct reasm_ctx k = {
        .v6 = true, .src6 = h->src, .dst6 = h->dst, .id = ch->frag_id};
    struct reasm_ctx *c = lookup(s, &k, NET_REASM6_TIMEOUT_NS);
    if (c->dead) {
        net_ip6_reject(s, ATOLL_IP6R_FRAG_OVERLAP, 1);
        atoll_buf_free(b);
        return;
    }
    uint8_t first[NET_IP6_HLEN];
    memcpy(first, b->data, NET_IP6_HLEN);
    first[6] = ch->proto;
    atoll_buf_pull(b, ch->off);
    switch (add(s, c, b, off, ch->frag_more)) {
    case ADD_OK:
        if (off == 0) {
            memcpy(c->hdr, first, NET_IP6_HLEN);
            c->hdr_len = NET_IP6_HLEN;
            c->first_pull = ch->off;
        }
        if (whole(c))
            complete6(s, c);
        return;
    case ADD_DUP:
        net_ip6_reject(s, ATOLL_IP6R_FRAG_DUP, 1);
        return;
    case ADD_OVERLAP:
        net_ip6_reject(s, ATOLL_IP6R_FRAG_OVERLAP, 1);
        ctx_drop(s, c, ATOLL_IP6R_FRAG_OVERLAP, true);
        return;
    case ADD_LIMIT:
        net_ip6_reject(s, ATOLL_IP6R_FRAG_LIMIT, 1);
        ctx_drop(s, c, ATOLL_IP6R_FRAG_LIMIT, false);
        return;
    }
    return;
bad_len:
    net_ip6_reject(s, ATOLL_IP6R_FRAG_LEN, 1);
    atoll_buf_free(b);
}

/* c expired: a time exceeded (code 1) to its source about its first
 * fragment, when that came (the file's comment). */
static void time_exceeded(struct atoll_stack *s, const struct reasm_ctx *c)
{
    if (c->nfrags == 0 || c->frags[0].off != 0)
        return;
    const struct atoll_buf *b = c->frags[0].b;
    if (c->v6) {
        net_icmp6_send_error(s, NET_ICMP6_TIME_EXCEED, 1, 0,
                             b->data - c->first_pull, c->first_pull + b->len);
        return;
    }
    if (net_ipv4_is_broadcast(s, c->dst))
        return; /* RFC 1122 3.2.2: no error about a broadcast */
    uint8_t q[60 + 8];
    size_t n = b->len < 8 ? b->len : 8;
    memcpy(q, c->hdr, c->hdr_len);
    memcpy(q + c->hdr_len, b->data, n);
    net_icmp_send_error(s, NET_ICMP_TIME_EXCEED, 1, q, c->hdr_len + n);
}

atoll_time_t net_reasm_timers(struct atoll_stack *s, atoll_time_t now)
{
    atoll_time_t next = ATOLL_NEVER;
    for (int i = 0; i < NET_REASM_MAX; i++) {
        struct reasm_ctx *c = &s->reasm[i];
        if (!c->used)
            continue;
        if (c->expires <= now) {
            time_exceeded(s, c);
            ctx_drop(s, c, ATOLL_IP6R_FRAG_TIMEOUT, false);
        } else if (c->expires < next)
            next = c->expires;
    }
    return next;
}
