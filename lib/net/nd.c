/*
 * lib/net/nd.c - Neighbor Discovery (RFC 4861) and stateless address
 * autoconfiguration (RFC 4862) for a host: the neighbour cache with its
 * states and unreachability detection, neighbor solicitations and
 * advertisements, duplicate address detection, router solicitations, and
 * addresses, default router, hop limit and MTU from router
 * advertisements.
 *
 * Every ND message must arrive with hop limit 255 (RFC 4861 7.1.1: no
 * router forwarded it, so it came from this link) and pass the checks of
 * its type (net_nd_parse and the input functions); anything else is
 * dropped and counted by reason (net_ip6_reject).
 *
 * The cache is a fixed table (NET_ND_CACHE_MAX); packets waiting for a
 * resolution are bounded per neighbour and in all (nd_queue_drop when a
 * bound is hit or a resolution gives up).  An entry only takes the slot of
 * one that is not INCOMPLETE, the least recently used, so unanswered
 * solicitations cannot push resolved neighbours out faster than they
 * themselves give up.  Redirects are ignored (one interface, and
 * following them is optional for a host).
 */
#include <string.h>

#include "atoll/error.h"
#include "ipv6_int.h"
#include "stack_int.h"

/* ---- wire ---------------------------------------------------------------- */

int net_nd_parse(const uint8_t *p, size_t len, struct net_nd_msg *m)
{
    memset(m, 0, sizeof *m);
    if (len < 8 || p[1] != 0)
        return -ATOLL_EBADMSG;
    m->type = p[0];
    size_t opts;
    switch (m->type) {
    case NET_ICMP6_RS:
        opts = 8;
        break;
    case NET_ICMP6_RA:
        if (len < 16)
            return -ATOLL_EBADMSG;
        m->flags =
            (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | net_get16(p + 6);
        m->reachable_ms = net_get32(p + 8);
        m->retrans_ms = net_get32(p + 12);
        opts = 16;
        break;
    case NET_ICMP6_NS:
    case NET_ICMP6_NA:
        if (len < 24)
            return -ATOLL_EBADMSG;
        m->flags = net_get32(p + 4);
        memcpy(m->target.b, p + 8, 16);
        if (net_ipv6_is_multicast(&m->target))
            return -ATOLL_EBADMSG;
        opts = 24;
        break;
    case NET_ICMP6_REDIRECT:
        if (len < 40)
            return -ATOLL_EBADMSG;
        opts = 40;
        break;
    default:
        return -ATOLL_EBADMSG;
    }
    uint8_t lla_type =
        m->type == NET_ICMP6_NA ? NET_ND_OPT_TLLA : NET_ND_OPT_SLLA;
    while (opts < len) {
        if (opts + 2 > len || p[opts + 1] == 0)
            return -ATOLL_EBADMSG; /* a zero length would loop forever */
        size_t ol = (size_t)p[opts + 1] * 8;
        if (opts + ol > len)
            return -ATOLL_EBADMSG;
        const uint8_t *o = p + opts;
        if (o[0] == lla_type && ol == 8) {
            m->has_lla = true;
            memcpy(m->lla, o + 2, 6);
        } else if (o[0] == NET_ND_OPT_MTU && ol == 8) {
            m->has_mtu = true;
            m->mtu = net_get32(o + 4);
        } else if (o[0] == NET_ND_OPT_PREFIX) {
            if (ol != 32)
                return -ATOLL_EBADMSG; /* RFC 4861 4.6.2: length 4 */
            if (m->type == NET_ICMP6_RA && m->nprefix < NET_ND_PREFIXES_MAX) {
                int i = m->nprefix++;
                m->prefix[i].len = o[2];
                m->prefix[i].flags = o[3];
                m->prefix[i].valid_s = net_get32(o + 4);
                m->prefix[i].preferred_s = net_get32(o + 8);
                memcpy(m->prefix[i].prefix.b, o + 16, 16);
            }
        }
        opts += ol; /* other options are skipped (RFC 4861 4.6) */
    }
    return 0;
}

/* ---- sending --------------------------------------------------------------
 */

/* An ND message of `len` bytes (fixed part in `fixed`, then our link-layer
 * address as option `lla_type` unless 0), hop limit 255. */
static void send_nd(struct atoll_stack *s, const atoll_ipv6_t *src,
                    const atoll_ipv6_t *dst, const uint8_t *fixed, size_t len,
                    uint8_t lla_type)
{
    size_t total = len + (lla_type ? 8 : 0);
    struct atoll_buf *b = atoll_buf_alloc(NET_IP_HEADROOM, total);
    if (!b)
        return;
    uint8_t *p = atoll_buf_put(b, total);
    memcpy(p, fixed, len);
    if (lla_type) {
        p[len] = lla_type, p[len + 1] = 1;
        memcpy(p + len + 2, s->info.mac, 6);
    }
    /* The checksum needs the source before the output path would pick
     * one: ND speaks from the link-local address. */
    atoll_ipv6_t ll;
    if (!src) {
        if (!net_ipv6_our_link_local(s, &ll)) {
            atoll_buf_free(b);
            return;
        }
        src = &ll;
    }
    net_icmp6_finish(p, total, src, dst);
    net_ipv6_output(s, src, dst, NET_IP6_ICMPV6, 255, b);
}

/* A solicitation for `target`: multicast to its solicited-node group
 * (resolution), unicast to it (unreachability probe), or from :: without
 * our address (duplicate address detection). */
static void send_ns(struct atoll_stack *s, const atoll_ipv6_t *target,
                    bool unicast, bool dad)
{
    uint8_t m[24] = {NET_ICMP6_NS};
    memcpy(m + 8, target->b, 16);
    atoll_ipv6_t dst = *target;
    if (!unicast)
        net_ipv6_solicited_node(target, &dst);
    static const atoll_ipv6_t unspec;
    send_nd(s, dad ? &unspec : NULL, &dst, m, sizeof m,
            dad ? 0 : NET_ND_OPT_SLLA);
}

static void send_na(struct atoll_stack *s, const atoll_ipv6_t *target,
                    const atoll_ipv6_t *dst, bool solicited)
{
    uint8_t m[24] = {NET_ICMP6_NA};
    net_put32(m + 4,
              NET_ND_NA_OVERRIDE | (solicited ? NET_ND_NA_SOLICITED : 0));
    memcpy(m + 8, target->b, 16);
    send_nd(s, target, dst, m, sizeof m, NET_ND_OPT_TLLA);
}

/* ---- the neighbour cache --------------------------------------------------
 */

struct nd_entry *net_nd_find(struct atoll_stack *s, const atoll_ipv6_t *ip)
{
    if (!s->v6)
        return NULL;
    for (int i = 0; i < NET_ND_CACHE_MAX; i++)
        if (s->v6->nd[i].state != ND_FREE &&
            !memcmp(&s->v6->nd[i].ip, ip, sizeof *ip))
            return &s->v6->nd[i];
    return NULL;
}

static void entry_free(struct atoll_stack *s, struct nd_entry *e)
{
    s->v6->nd_queued -= e->queue.count;
    s->stats.nd_queue_drop += e->queue.count;
    atoll_bufq_clear(&e->queue);
    memset(e, 0, sizeof *e);
}

/* A slot for `ip`: a free one, else the least recently used entry that is
 * not resolving.  NULL when every entry is resolving. */
static struct nd_entry *entry_new(struct atoll_stack *s, const atoll_ipv6_t *ip)
{
    struct nd_entry *victim = NULL;
    for (int i = 0; i < NET_ND_CACHE_MAX; i++) {
        struct nd_entry *e = &s->v6->nd[i];
        if (e->state == ND_FREE) {
            victim = e;
            break;
        }
        if (e->state != ND_INCOMPLETE &&
            (!victim || e->last_used < victim->last_used))
            victim = e;
    }
    if (!victim)
        return NULL;
    if (victim->state != ND_FREE)
        entry_free(s, victim);
    victim->ip = *ip;
    victim->last_used = atoll_now();
    return victim;
}

/* Send the packets that waited for e's address. */
static void flush(struct atoll_stack *s, struct nd_entry *e)
{
    struct atoll_buf *b;
    while ((b = atoll_bufq_pop(&e->queue))) {
        s->v6->nd_queued--;
        net_eth_output(s, e->mac, NET_ETHTYPE_IPV6, b);
    }
}

/* What a solicitation or advertisement with a link-layer address tells
 * us about its sender (RFC 4861 7.2.3): a new or changed address is
 * STALE until confirmed. */
static void learn(struct atoll_stack *s, const atoll_ipv6_t *ip,
                  const uint8_t mac[6])
{
    struct nd_entry *e = net_nd_find(s, ip);
    if (!e) {
        e = entry_new(s, ip);
        if (!e)
            return;
    } else if (e->state != ND_INCOMPLETE && !memcmp(e->mac, mac, 6)) {
        return;
    }
    memcpy(e->mac, mac, 6);
    e->state = ND_STALE;
    e->timer = ATOLL_NEVER;
    flush(s, e);
}

int net_nd_output(struct atoll_stack *s, const atoll_ipv6_t *nh,
                  struct atoll_buf *b)
{
    atoll_time_t now = atoll_now();
    struct nd_entry *e = net_nd_find(s, nh);
    if (!e) {
        e = entry_new(s, nh);
        if (!e) {
            s->stats.nd_queue_drop++;
            atoll_buf_free(b);
            return -ATOLL_EAGAIN;
        }
        e->state = ND_INCOMPLETE;
        e->probes = 1;
        e->timer = now + s->v6->retrans_ns;
        send_ns(s, nh, false, false);
    }
    e->last_used = now;
    switch (e->state) {
    case ND_INCOMPLETE:
        if (e->queue.count >= NET_ND_QUEUE_MAX ||
            s->v6->nd_queued >= NET_ND_QUEUE_TOTAL_MAX) {
            s->stats.nd_queue_drop++;
            atoll_buf_free(b);
            return -ATOLL_EAGAIN;
        }
        atoll_bufq_push(&e->queue, b);
        s->v6->nd_queued++;
        return 0;
    case ND_STALE: /* used while unconfirmed: confirm it (7.3.3) */
        e->state = ND_DELAY;
        e->timer = now + NET_ND_DELAY_NS;
        break;
    default:
        break;
    }
    return net_eth_output(s, e->mac, NET_ETHTYPE_IPV6, b);
}

static void cache_timers(struct atoll_stack *s, atoll_time_t now)
{
    for (int i = 0; i < NET_ND_CACHE_MAX; i++) {
        struct nd_entry *e = &s->v6->nd[i];
        if (e->state == ND_FREE || e->timer > now)
            continue;
        switch (e->state) {
        case ND_INCOMPLETE:
            if (e->probes >= NET_ND_MAX_MCAST_SOLICIT) {
                entry_free(s, e); /* unreachable: its packets are lost */
                break;
            }
            e->probes++;
            e->timer = now + s->v6->retrans_ns;
            send_ns(s, &e->ip, false, false);
            break;
        case ND_REACHABLE:
            e->state = ND_STALE;
            e->timer = ATOLL_NEVER;
            break;
        case ND_DELAY:
            e->state = ND_PROBE;
            e->probes = 0;
            /* fall through */
        case ND_PROBE:
            if (e->probes >= NET_ND_MAX_UCAST_SOLICIT) {
                entry_free(s, e); /* no answer: the neighbour is gone */
                break;
            }
            e->probes++;
            e->timer = now + s->v6->retrans_ns;
            send_ns(s, &e->ip, true, false);
            break;
        default:
            break;
        }
    }
}

/* ---- our addresses ----------------------------------------------------------
 */

static struct net6_addr *addr_find(struct atoll_stack *s, const atoll_ipv6_t *a)
{
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++)
        if (s->v6->addrs[i].used && !memcmp(&s->v6->addrs[i].a, a, sizeof *a))
            return &s->v6->addrs[i];
    return NULL;
}

int net_nd_addr_add(struct atoll_stack *s, const atoll_ipv6_t *a,
                    uint8_t prefix, uint8_t origin, atoll_time_t valid_until)
{
    struct net6_addr *x = addr_find(s, a);
    for (int i = 0; !x && i < NET_IPV6_ADDRS_MAX; i++)
        if (!s->v6->addrs[i].used)
            x = &s->v6->addrs[i];
    if (!x)
        return -ATOLL_ENOSPC;
    *x = (struct net6_addr){
        .used = true,
        .a = *a,
        .prefix = prefix,
        .state = ATOLL_IPV6_TENTATIVE,
        .origin = origin,
        .dad_next = atoll_now(),
        .valid_until = valid_until,
    };
    /* Join its solicited-node group before probing (RFC 4862 5.4.2). */
    net_mld_changed(s);
    return 0;
}

static void duplicate(struct atoll_stack *s, struct net6_addr *x)
{
    char t[ATOLL_IPV6_TEXT];
    ATOLL_ERROR(&net_log, "%s: %s is a duplicate address: not used", s->name,
                atoll_ipv6_format(&x->a, t));
    x->state = ATOLL_IPV6_DUPLICATE;
    net_mld_changed(s);
}

static void addr_timers(struct atoll_stack *s, atoll_time_t now)
{
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        struct net6_addr *x = &s->v6->addrs[i];
        if (!x->used)
            continue;
        if (x->valid_until <= now) { /* its valid lifetime ran out */
            x->used = false;
            net_mld_changed(s);
            continue;
        }
        if (x->state != ATOLL_IPV6_TENTATIVE || x->dad_next > now)
            continue;
        if (x->dad_sent < NET_ND_DAD_TRANSMITS) {
            x->dad_sent++;
            x->dad_next = now + s->v6->retrans_ns;
            send_ns(s, &x->a, false, true);
            continue;
        }
        x->state = ATOLL_IPV6_PREFERRED;
        char t[ATOLL_IPV6_TEXT];
        ATOLL_INFO(&net_log, "%s: ipv6 %s/%u", s->name,
                   atoll_ipv6_format(&x->a, t), x->prefix);
    }
}

/* ---- input -----------------------------------------------------------------
 */

static void ns_input(struct atoll_stack *s, const struct net_nd_msg *m,
                     const struct net_ipv6_hdr *ip)
{
    struct net6_addr *x = addr_find(s, &m->target);
    if (!x || x->state == ATOLL_IPV6_DUPLICATE)
        return; /* someone else's: a solicited-node group is shared */
    bool dad = net_ipv6_is_unspecified(&ip->src);
    if (x->state == ATOLL_IPV6_TENTATIVE) {
        if (dad)
            duplicate(s, x); /* another host probes for it too (5.4.3) */
        return;
    }
    if (dad) { /* answer the prober on all-nodes (RFC 4861 7.2.4) */
        send_na(s, &m->target, &net_ipv6_all_nodes, false);
        return;
    }
    if (m->has_lla)
        learn(s, &ip->src, m->lla);
    send_na(s, &m->target, &ip->src, true);
}

static void na_input(struct atoll_stack *s, const struct net_nd_msg *m)
{
    struct net6_addr *x = addr_find(s, &m->target);
    if (x) {
        if (x->state == ATOLL_IPV6_TENTATIVE)
            duplicate(s, x); /* someone already has it (5.4.4) */
        else {
            char t[ATOLL_IPV6_TEXT];
            ATOLL_WARN(&net_log, "%s: another host claims %s", s->name,
                       atoll_ipv6_format(&m->target, t));
        }
        return;
    }
    struct nd_entry *e = net_nd_find(s, &m->target);
    if (!e)
        return; /* unsolicited news of a stranger (7.2.5) */
    bool solicited = m->flags & NET_ND_NA_SOLICITED;
    bool override = m->flags & NET_ND_NA_OVERRIDE;
    atoll_time_t now = atoll_now();
    e->router = m->flags & NET_ND_NA_ROUTER;
    if (e->state == ND_INCOMPLETE) {
        if (!m->has_lla)
            return;
        memcpy(e->mac, m->lla, 6);
        e->state = solicited ? ND_REACHABLE : ND_STALE;
        e->timer = solicited ? now + s->v6->reachable_ns : ATOLL_NEVER;
        flush(s, e);
        return;
    }
    bool changed = m->has_lla && memcmp(e->mac, m->lla, 6);
    if (!override && changed) {
        if (e->state == ND_REACHABLE) { /* doubt it, keep the old one */
            e->state = ND_STALE;
            e->timer = ATOLL_NEVER;
        }
        return;
    }
    if (changed)
        memcpy(e->mac, m->lla, 6);
    if (solicited) {
        e->state = ND_REACHABLE;
        e->timer = now + s->v6->reachable_ns;
    } else if (changed) {
        e->state = ND_STALE;
        e->timer = ATOLL_NEVER;
    }
}

/* Our address in prefix p: the prefix's 64 bits and our interface
 * identifier (the link-local address's). */
static void slaac_addr(struct atoll_stack *s, const atoll_ipv6_t *p,
                       atoll_ipv6_t *out)
{
    net_ipv6_link_local(s->info.mac, out);
    memcpy(out->b, p->b, 8);
}

static atoll_time_t lifetime(atoll_time_t now, uint32_t s)
{
    return s == 0xffffffffu ? ATOLL_NEVER : now + ATOLL_SEC((int64_t)s);
}

static void ra_input(struct atoll_stack *s, const struct net_nd_msg *m,
                     const struct net_ipv6_hdr *ip)
{
    struct net6 *v = s->v6;
    atoll_time_t now = atoll_now();
    if (m->has_lla)
        learn(s, &ip->src, m->lla);
    if (!v->slaac)
        return; /* statically configured: routers do not change it */
    uint16_t router_s = (uint16_t)m->flags;
    uint16_t old_mtu = v->mtu;
    bool new_router =
        router_s && (!v->has_router || memcmp(&v->router, &ip->src, 16));
    if (router_s) {
        v->router = ip->src;
        v->has_router = true;
        v->router_until = now + ATOLL_SEC(router_s);
    } else if (v->has_router && !memcmp(&v->router, &ip->src, 16)) {
        v->has_router = false; /* it stops being a default router */
    }
    if (m->flags >> 24)
        v->hop_limit = (uint8_t)(m->flags >> 24);
    /* Bounded, so that an advertisement cannot make us solicit at a rate
     * of thousands per second or forget neighbours at once. */
    if (m->reachable_ms && m->reachable_ms <= 3600000)
        v->reachable_ns = ATOLL_MS(m->reachable_ms);
    if (m->retrans_ms >= 100 && m->retrans_ms <= 60000)
        v->retrans_ns = ATOLL_MS(m->retrans_ms);
    if (m->has_mtu && m->mtu >= 1280 && m->mtu <= s->info.mtu)
        v->mtu = (uint16_t)m->mtu;
    if (new_router || v->mtu != old_mtu) {
        char t[ATOLL_IPV6_TEXT];
        ATOLL_INFO(&net_log, "%s: ipv6 router %s, mtu %u", s->name,
                   atoll_ipv6_format(&v->router, t), (unsigned)v->mtu);
    }
    for (int i = 0; i < m->nprefix; i++) {
        const atoll_ipv6_t *p = &m->prefix[i].prefix;
        uint32_t valid = m->prefix[i].valid_s;
        /* RFC 4862 5.5.3 (a)-(c): autonomous, not link-local, preferred
         * <= valid; and our identifiers are 64 bits long. */
        if (!(m->prefix[i].flags & 0x40) || net_ipv6_is_link_local(p) ||
            net_ipv6_is_multicast(p) || m->prefix[i].preferred_s > valid ||
            m->prefix[i].len != 64)
            continue;
        atoll_ipv6_t a;
        slaac_addr(s, p, &a);
        struct net6_addr *x = addr_find(s, &a);
        if (!x) {
            if (valid)
                net_nd_addr_add(s, &a, 64, ATOLL_IPV6_SLAAC,
                                lifetime(now, valid));
            continue;
        }
        if (x->origin != ATOLL_IPV6_SLAAC)
            continue;
        /* (e): the "two hours" rule, so that a forged advertisement
         * cannot take an address away at once. */
        atoll_time_t two_h = ATOLL_SEC(7200), want = lifetime(now, valid);
        if (want > now + two_h || want > x->valid_until)
            x->valid_until = want;
        else if (x->valid_until > now + two_h)
            x->valid_until = now + two_h;
    }
}

void net_nd_input(struct atoll_stack *s, struct atoll_buf *b,
                  const struct net_ipv6_hdr *ip)
{
    struct net_nd_msg m;
    enum atoll_ip6_reject why = ATOLL_IP6R_ND_HOP_LIMIT;
    if (ip->hop_limit != 255)
        goto drop;
    why = ATOLL_IP6R_ND_MALFORMED;
    if (net_nd_parse(b->data, b->len, &m) < 0)
        goto drop;
    why = ATOLL_IP6R_ND_SOURCE;
    bool from_unspec = net_ipv6_is_unspecified(&ip->src);
    switch (m.type) {
    case NET_ICMP6_NS:
        /* From :: only for DAD: to a solicited-node group, no address
         * option (RFC 4861 7.1.1). */
        if (from_unspec && (m.has_lla || !net_ipv6_is_multicast(&ip->dst) ||
                            ip->dst.b[11] != 1 || ip->dst.b[12] != 0xff))
            goto drop;
        ns_input(s, &m, ip);
        break;
    case NET_ICMP6_NA:
        if (from_unspec)
            goto drop;
        why = ATOLL_IP6R_ND_SOLICITED;
        if (net_ipv6_is_multicast(&ip->dst) && (m.flags & NET_ND_NA_SOLICITED))
            goto drop;
        na_input(s, &m);
        break;
    case NET_ICMP6_RA:
        if (!net_ipv6_is_link_local(&ip->src))
            goto drop; /* 6.1.2: routers speak from link-local */
        ra_input(s, &m, ip);
        break;
    default:
        break; /* router solicitations (we are no router), redirects */
    }
    atoll_buf_free(b);
    return;
drop:
    net_ip6_reject(s, why, 1);
    atoll_buf_free(b);
}

/* ---- life
 * --------------------------------------------------------------------
 */

void net_nd_start(struct atoll_stack *s)
{
    s->v6->rs_sent = 0;
    s->v6->rs_next = atoll_now();
    net_mld_changed(s);
}

atoll_time_t net_nd_timers(struct atoll_stack *s, atoll_time_t now)
{
    struct net6 *v = s->v6;
    /* Reports first: a group is joined before DAD probes for it (RFC
     * 4862 5.4.2), so a snooping switch lets the answers through. */
    atoll_time_t next = net_mld_timers(s, now);
    addr_timers(s, now);
    cache_timers(s, now);
    if (v->has_router && v->router_until <= now)
        v->has_router = false;
    /* Solicit routers once the link-local address may be used. */
    atoll_ipv6_t ll;
    if (v->slaac && !v->has_router && v->rs_sent < NET_ND_RTR_SOLICITS &&
        v->rs_next <= now && net_ipv6_our_link_local(s, &ll)) {
        uint8_t m[8] = {NET_ICMP6_RS};
        send_nd(s, &ll, &net_ipv6_all_routers, m, sizeof m, NET_ND_OPT_SLLA);
        v->rs_sent++;
        v->rs_next = now + NET_ND_RTR_SOLICIT_NS;
    }
    if (v->mld_left > 0 && v->mld_next < next)
        next = v->mld_next; /* an address changed just now */
#define EARLIER(t)                                                             \
    do {                                                                       \
        if ((t) < next)                                                        \
            next = (t);                                                        \
    } while (0)
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        const struct net6_addr *x = &v->addrs[i];
        if (!x->used)
            continue;
        EARLIER(x->valid_until);
        if (x->state == ATOLL_IPV6_TENTATIVE)
            EARLIER(x->dad_next);
    }
    for (int i = 0; i < NET_ND_CACHE_MAX; i++)
        if (v->nd[i].state != ND_FREE)
            EARLIER(v->nd[i].timer);
    if (v->has_router)
        EARLIER(v->router_until);
    if (v->slaac && !v->has_router && v->rs_sent < NET_ND_RTR_SOLICITS)
        EARLIER(v->rs_next > now ? v->rs_next : now + s->v6->retrans_ns);
#undef EARLIER
    return next;
}

void net_nd_fini(struct atoll_stack *s)
{
    for (int i = 0; i < NET_ND_CACHE_MAX; i++)
        if (s->v6->nd[i].state != ND_FREE)
            entry_free(s, &s->v6->nd[i]);
}
