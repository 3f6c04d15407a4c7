/*
 * lib/net/arp.c - ARP for IPv4 over Ethernet (RFC 826): the cache, request
 * and reply, the gratuitous announcement at start, and the bounded queue
 * of packets waiting for an address to resolve.
 *
 * The cache is a fixed table (NET_ARP_CACHE_MAX entries), so a flood of
 * ARP traffic cannot grow memory.  Entries learned from traffic follow
 * RFC 826's merge rule: a sender already in the table is refreshed, a new
 * one is added only when the packet is aimed at us.  Resolved entries
 * expire after NET_ARP_TTL_NS and are resolved again on next use (lazily:
 * no timer is needed for that).  Resolving entries retry every
 * NET_ARP_RETRY_NS and give up after NET_ARP_TRIES requests, dropping
 * their queued packets.
 *
 * Who may take whose slot (docs/net.md, "ARP"): anyone on the link can
 * make us look up any on-link address, by sending a ping or a SYN from
 * it.  Such lookups of addresses we never heard from ("newcomers") are
 * bounded on their own (NET_ARP_UNRESOLVED_MAX entries,
 * NET_ARP_UNRESOLVED_QUEUE_MAX packets) and, once at that bound, take the
 * slot of the oldest newcomer.  Below it a new entry takes a free slot or
 * the least recently used idle one, never an entry in use: one that sent
 * within NET_ARP_IDLE_NS, the gateway's, or one held by a live TCP
 * connection (net_neigh_hold).  So a flood from spoofed addresses churns
 * only its own entries, and the neighbours we talk to stay.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "stack_int.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int net_arp_parse(const uint8_t *p, size_t len, struct net_arp *a)
{
    if (len < NET_ARP_LEN)
        return -ATOLL_EBADMSG;
    if (net_get16(p) != 1 || net_get16(p + 2) != NET_ETHTYPE_IPV4 ||
        p[4] != 6 || p[5] != 4)
        return -ATOLL_EBADMSG;
    a->op = net_get16(p + 6);
    if (a->op != NET_ARP_REQUEST && a->op != NET_ARP_REPLY)
        return -ATOLL_EBADMSG;
    memcpy(a->sha, p + 8, 6);
    a->spa = net_get32(p + 14);
    memcpy(a->tha, p + 18, 6);
    a->tpa = net_get32(p + 24);
    return 0;
}

void net_arp_write(uint8_t *p, const struct net_arp *a)
{
    net_put16(p, 1);
    net_put16(p + 2, NET_ETHTYPE_IPV4);
    p[4] = 6, p[5] = 4;
    net_put16(p + 6, a->op);
    memcpy(p + 8, a->sha, 6);
    net_put32(p + 14, a->spa);
    memcpy(p + 18, a->tha, 6);
    net_put32(p + 24, a->tpa);
}

static struct arp_entry *find(struct atoll_stack *s, atoll_ipv4_t ip)
{
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++)
        if (s->arp[i].state != ARP_FREE && s->arp[i].ip == ip)
            return &s->arp[i];
    return NULL;
}

/* Kept whatever happens: the gateway's entry and those of live
 * connections. */
static bool pinned(const struct atoll_stack *s, const struct arp_entry *e)
{
    return e->users > 0 || (s->cfg.gateway && e->ip == s->cfg.gateway);
}

/* May give its slot to another address: a resolved or stale entry that is
 * not pinned and sent nothing for NET_ARP_IDLE_NS.  Resolving entries are
 * never idle (newcomers are replaced by oldest_newcomer instead). */
static bool idle(const struct atoll_stack *s, const struct arp_entry *e,
                 atoll_time_t now)
{
    if (e->state != ARP_RESOLVED && e->state != ARP_STALE)
        return false;
    if (pinned(s, e))
        return false;
    return !e->used || now - e->last_used >= NET_ARP_IDLE_NS;
}

/* Evicted before `b`: never used before used, then used longer ago, then
 * older. */
static bool rank_below(const struct arp_entry *a, const struct arp_entry *b)
{
    if (a->used != b->used)
        return !a->used;
    if (a->used && a->last_used != b->last_used)
        return a->last_used < b->last_used;
    return a->since < b->since;
}

/* A free entry, or the idle one used least recently (never-used ones
 * first, then the oldest); NULL if every entry is busy. */
static struct arp_entry *free_or_idle(struct atoll_stack *s, atoll_time_t now)
{
    struct arp_entry *best = NULL;
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->state == ARP_FREE)
            return e;
        if (!idle(s, e, now))
            continue;
        if (!best || rank_below(e, best))
            best = e;
    }
    return best;
}

static int newcomers(const struct atoll_stack *s, size_t *queued)
{
    int n = 0;
    size_t q = 0;
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++)
        if (s->arp[i].newcomer) {
            n++;
            q += s->arp[i].queue.count;
        }
    if (queued)
        *queued = q;
    return n;
}

static struct arp_entry *oldest_newcomer(struct atoll_stack *s)
{
    struct arp_entry *best = NULL;
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->newcomer && (!best || e->since < best->since))
            best = e;
    }
    return best;
}

static void send_arp(struct atoll_stack *s, uint16_t op, const uint8_t *eth_dst,
                     const uint8_t *tha, atoll_ipv4_t tpa)
{
    struct atoll_buf *b = atoll_buf_alloc(NET_IP_HEADROOM, 64);
    if (!b)
        return;
    struct net_arp a;
    a.op = op;
    memcpy(a.sha, s->info.mac, 6);
    a.spa = s->cfg.addr;
    memcpy(a.tha, tha, 6);
    a.tpa = tpa;
    uint8_t *p = atoll_buf_put(b, 46); /* padded to the 60-byte minimum */
    memset(p, 0, 46);
    net_arp_write(p, &a);
    net_eth_output(s, eth_dst, NET_ETHTYPE_ARP, b);
}

static void request(struct atoll_stack *s, struct arp_entry *e)
{
    static const uint8_t zero[6] = {0};
    e->tries++;
    e->next_retry = atoll_now() + NET_ARP_RETRY_NS;
    send_arp(s, NET_ARP_REQUEST, bcast, zero, e->ip);
}

static void announce(struct atoll_stack *s)
{
    /* A gratuitous ARP is a request for our own address (RFC 5227 2.3):
     * neighbours with a stale entry for it update it. */
    static const uint8_t zero[6] = {0};
    send_arp(s, NET_ARP_REQUEST, bcast, zero, s->cfg.addr);
    s->arp_announce_left--;
    s->arp_announce_at = atoll_now() + NET_ARP_ANNOUNCE_INTERVAL_NS;
}

void net_arp_announce(struct atoll_stack *s)
{
    s->arp_announce_left = NET_ARP_ANNOUNCE_NUM;
    announce(s); /* the rest from net_arp_timers */
}

/* Drop (and count) the packets waiting for `e`. */
static void queue_drop(struct atoll_stack *s, struct arp_entry *e)
{
    s->arp_queued -= e->queue.count;
    s->stats.arp_queue_drop += e->queue.count;
    atoll_bufq_clear(&e->queue);
}

static void entry_clear(struct atoll_stack *s, struct arp_entry *e)
{
    queue_drop(s, e);
    memset(e, 0, sizeof *e);
}

/* Give slot `e` to `ip`, forgetting whoever had it. */
static void claim(struct atoll_stack *s, struct arp_entry *e, atoll_ipv4_t ip,
                  atoll_time_t now)
{
    if (e->state != ARP_FREE)
        entry_clear(s, e);
    e->ip = ip;
    e->since = now;
}

/* Entry resolved: send what waited for it. */
static void resolved(struct atoll_stack *s, struct arp_entry *e,
                     const uint8_t mac[6])
{
    memcpy(e->mac, mac, 6);
    e->state = ARP_RESOLVED;
    e->newcomer = false;
    e->expires = atoll_now() + NET_ARP_TTL_NS;
    e->tries = 0;
    struct atoll_buf *b;
    while ((b = atoll_bufq_pop(&e->queue))) {
        s->arp_queued--;
        net_eth_output(s, e->mac, NET_ETHTYPE_IPV4, b);
    }
}

void net_arp_input(struct atoll_stack *s, struct atoll_buf *b)
{
    struct net_arp a;
    if (net_arp_parse(b->data, b->len, &a) < 0) {
        s->stats.arp_drop++;
        atoll_buf_free(b);
        return;
    }
    atoll_buf_free(b);
    /* An ARP probe (RFC 5227 2.1.1: sender address 0) asks whether anyone
     * holds the target address - a DHCP client checking its offer.  We
     * defend ours with a reply, so that the prober declines it.  The prober
     * has no address yet, so nothing is learnt. */
    if (a.spa == 0 && a.op == NET_ARP_REQUEST && !(a.sha[0] & 1) &&
        s->cfg.addr != 0 && a.tpa == s->cfg.addr) {
        send_arp(s, NET_ARP_REPLY, a.sha, a.sha, 0);
        return;
    }
    /* Senders that cannot be a neighbour are ignored. */
    if (a.sha[0] & 1 || a.spa == 0 || a.spa == 0xffffffffu) {
        s->stats.arp_drop++;
        return;
    }
    if (a.spa == s->cfg.addr) {
        if (memcmp(a.sha, s->info.mac, 6))
            ATOLL_WARN(&net_log,
                       "%s: address conflict: another host "
                       "claims our address",
                       s->name);
        return;
    }
    struct arp_entry *e = find(s, a.spa);
    bool for_us = a.tpa == s->cfg.addr;
    if (e)
        resolved(s, e, a.sha);
    else if (for_us) {
        /* A new sender is learnt into a free or idle slot only: an ARP
         * storm from made-up addresses replaces its own entries, never
         * one in use. */
        atoll_time_t now = atoll_now();
        if ((e = free_or_idle(s, now))) {
            claim(s, e, a.spa, now);
            resolved(s, e, a.sha);
        }
    }
    if (for_us && a.op == NET_ARP_REQUEST)
        send_arp(s, NET_ARP_REPLY, a.sha, a.sha, a.spa);
}

/* A slot for next hop `nh`, which has none, now resolving; NULL when every
 * slot is busy.  See the top of the file for the policy. */
static struct arp_entry *new_lookup(struct atoll_stack *s, atoll_ipv4_t nh,
                                    atoll_time_t now)
{
    bool gw = s->cfg.gateway && nh == s->cfg.gateway;
    struct arp_entry *e = NULL;
    if (gw || newcomers(s, NULL) < NET_ARP_UNRESOLVED_MAX)
        e = free_or_idle(s, now);
    if (!e)
        e = oldest_newcomer(s);
    if (!e)
        return NULL;
    claim(s, e, nh, now);
    e->state = ARP_RESOLVING;
    e->newcomer = !gw;
    request(s, e);
    return e;
}

int net_arp_output(struct atoll_stack *s, atoll_ipv4_t nh, struct atoll_buf *b)
{
    if (nh == 0xffffffffu || net_ipv4_is_broadcast(s, nh))
        return net_eth_output(s, bcast, NET_ETHTYPE_IPV4, b);
    atoll_time_t now = atoll_now();
    struct arp_entry *e = find(s, nh);
    if (e && e->state == ARP_RESOLVED && e->expires > now) {
        e->used = true;
        e->last_used = now;
        return net_eth_output(s, e->mac, NET_ETHTYPE_IPV4, b);
    }
    if (e && e->state != ARP_RESOLVING) {
        /* Expired or stale: resolve again in the same slot (so the entry
         * keeps its standing), keeping nothing of the old MAC. */
        e->state = ARP_RESOLVING;
        e->tries = 0;
        request(s, e);
    } else if (!e && !(e = new_lookup(s, nh, now))) {
        s->stats.arp_queue_drop++;
        atoll_buf_free(b);
        return -ATOLL_EAGAIN;
    }
    e->used = true;
    e->last_used = now;
    size_t unresolved_queued = 0;
    if (e->newcomer)
        newcomers(s, &unresolved_queued);
    if (e->queue.count >= NET_ARP_QUEUE_PER_ENTRY ||
        s->arp_queued >= NET_ARP_QUEUE_MAX ||
        unresolved_queued >= NET_ARP_UNRESOLVED_QUEUE_MAX) {
        s->stats.arp_queue_drop++;
        atoll_buf_free(b);
        return -ATOLL_EAGAIN;
    }
    atoll_bufq_push(&e->queue, b);
    s->arp_queued++;
    return 0;
}

atoll_time_t net_arp_timers(struct atoll_stack *s, atoll_time_t now)
{
    atoll_time_t next = ATOLL_NEVER;
    if (s->arp_announce_left > 0 && s->cfg.addr) {
        if (s->arp_announce_at <= now)
            announce(s);
        if (s->arp_announce_left > 0)
            next = s->arp_announce_at;
    }
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++) {
        struct arp_entry *e = &s->arp[i];
        if (e->state != ARP_RESOLVING)
            continue;
        if (e->next_retry <= now) {
            if (e->tries >= NET_ARP_TRIES) {
                ATOLL_DEBUG(&net_log, "%s: no ARP reply, giving up", s->name);
                if (pinned(s, e)) {
                    queue_drop(s, e);
                    e->state = ARP_STALE;
                    e->tries = 0;
                } else
                    entry_clear(s, e);
                continue;
            }
            request(s, e);
        }
        if (e->next_retry < next)
            next = e->next_retry;
    }
    return next;
}

atoll_ipv4_t net_neigh_hold(struct atoll_stack *s, atoll_ipv4_t dst)
{
    atoll_ipv4_t nh = net_ipv4_next_hop(s, dst);
    if (nh == 0 || nh == s->cfg.gateway || net_ipv4_is_broadcast(s, nh))
        return 0; /* nothing to hold, or pinned anyway */
    struct arp_entry *e = find(s, nh);
    if (!e) {
        atoll_time_t now = atoll_now();
        if (!(e = free_or_idle(s, now)))
            return 0;
        claim(s, e, nh, now);
        e->state = ARP_STALE;
    }
    e->newcomer = false;
    e->users++;
    return nh;
}

void net_neigh_release(struct atoll_stack *s, atoll_ipv4_t held)
{
    struct arp_entry *e = held ? find(s, held) : NULL;
    if (e && e->users > 0)
        e->users--;
}

int net_arp_lookup(struct atoll_stack *s, atoll_ipv4_t ip, uint8_t mac[6])
{
    struct arp_entry *e = find(s, ip);
    if (!e || e->state != ARP_RESOLVED)
        return -ATOLL_ENOENT;
    if (e->expires <= atoll_now())
        return -ATOLL_ETIMEDOUT;
    memcpy(mac, e->mac, 6);
    return 0;
}

void net_arp_fini(struct atoll_stack *s)
{
    for (int i = 0; i < NET_ARP_CACHE_MAX; i++)
        if (s->arp[i].state != ARP_FREE)
            entry_clear(s, &s->arp[i]);
}
