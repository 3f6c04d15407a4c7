/*
 * lib/fw/ct.c - the connection table (lib/fw/ct.h): slots allocated once,
 * a keyed hash over both tuples of every connection, a least-recently-seen
 * list for eviction, and the idle timeouts.
 *
 * A connection in slot s has two hash nodes, 2s (its original tuple) and
 * 2s+1 (its reply tuple); chains link node ids, so one lookup finds a
 * packet of either direction.  Free slots are chained through lru_next.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/net_tunables.h"
#include "ct.h"
#include "../net/siphash.h"

struct fw_ct {
    struct fw_conn *slot;
    uint32_t max, count;
    uint32_t *bucket; /* node id + 1 */
    uint32_t nbuckets;
    uint32_t lru_head, lru_tail; /* slot + 1: most and least recently seen */
    uint32_t free_head;          /* slot + 1 */
    uint32_t gc_cursor;
    uint64_t refused, evicted;
    uint8_t key[16];
};

static uint32_t hash(const struct fw_ct *ct, const struct fw_tuple *t)
{
    return (uint32_t)net_siphash24(ct->key, t, sizeof *t) & (ct->nbuckets - 1);
}

struct fw_ct *fw_ct_create(uint32_t max, const uint8_t key[16])
{
    if (max == 0 || max > (1u << 30))
        return NULL;
    struct fw_ct *ct = atoll_calloc(1, sizeof *ct);
    if (!ct)
        return NULL;
    ct->max = max;
    ct->nbuckets = 1;
    while (ct->nbuckets < max)
        ct->nbuckets <<= 1;
    ct->slot = atoll_calloc(max, sizeof *ct->slot);
    ct->bucket = atoll_calloc(ct->nbuckets, sizeof *ct->bucket);
    if (!ct->slot || !ct->bucket) {
        fw_ct_destroy(ct);
        return NULL;
    }
    memcpy(ct->key, key, 16);
    for (uint32_t s = max; s-- > 0;) {
        ct->slot[s].lru_next = ct->free_head;
        ct->free_head = s + 1;
    }
    return ct;
}

void fw_ct_destroy(struct fw_ct *ct)
{
    if (!ct)
        return;
    atoll_free(ct->slot);
    atoll_free(ct->bucket);
    atoll_free(ct);
}

static uint32_t slot_of(const struct fw_ct *ct, const struct fw_conn *c)
{
    return (uint32_t)(c - ct->slot);
}

/* ---- the least-recently-seen list -----------------------------------------
 */

static void lru_unlink(struct fw_ct *ct, struct fw_conn *c)
{
    if (c->lru_prev)
        ct->slot[c->lru_prev - 1].lru_next = c->lru_next;
    else
        ct->lru_head = c->lru_next;
    if (c->lru_next)
        ct->slot[c->lru_next - 1].lru_prev = c->lru_prev;
    else
        ct->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = 0;
}

static void lru_push_head(struct fw_ct *ct, struct fw_conn *c)
{
    uint32_t s = slot_of(ct, c) + 1;
    c->lru_prev = 0;
    c->lru_next = ct->lru_head;
    if (ct->lru_head)
        ct->slot[ct->lru_head - 1].lru_prev = s;
    else
        ct->lru_tail = s;
    ct->lru_head = s;
}

/* ---- hash chains ------------------------------------------------------------
 */

static void hash_insert(struct fw_ct *ct, struct fw_conn *c, int dir)
{
    uint32_t h = hash(ct, &c->t[dir]);
    c->hnext[dir] = ct->bucket[h];
    ct->bucket[h] = slot_of(ct, c) * 2 + (uint32_t)dir + 1;
}

static void hash_remove(struct fw_ct *ct, struct fw_conn *c, int dir)
{
    uint32_t node = slot_of(ct, c) * 2 + (uint32_t)dir + 1;
    uint32_t *p = &ct->bucket[hash(ct, &c->t[dir])];
    while (*p && *p != node) {
        uint32_t n = *p - 1;
        p = &ct->slot[n / 2].hnext[n % 2];
    }
    if (*p)
        *p = c->hnext[dir];
}

static bool tuple_eq(const struct fw_tuple *a, const struct fw_tuple *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

void fw_ct_del(struct fw_ct *ct, struct fw_conn *c)
{
    hash_remove(ct, c, FW_ORIG);
    hash_remove(ct, c, FW_REPLY);
    lru_unlink(ct, c);
    memset(c, 0, sizeof *c);
    c->lru_next = ct->free_head;
    ct->free_head = slot_of(ct, c) + 1;
    ct->count--;
}

static struct fw_conn *lookup(struct fw_ct *ct, const struct fw_tuple *t,
                              atoll_time_t now, int *dir)
{
    uint32_t n = ct->bucket[hash(ct, t)];
    while (n) {
        struct fw_conn *c = &ct->slot[(n - 1) / 2];
        int d = (int)((n - 1) % 2);
        if (tuple_eq(&c->t[d], t)) {
            if (c->expires <= now) {
                fw_ct_del(ct, c);
                return NULL;
            }
            if (dir)
                *dir = d;
            return c;
        }
        n = c->hnext[d];
    }
    return NULL;
}

struct fw_conn *fw_ct_find(struct fw_ct *ct, const struct fw_tuple *t,
                           atoll_time_t now, int *dir)
{
    return lookup(ct, t, now, dir);
}

bool fw_ct_taken(struct fw_ct *ct, const struct fw_tuple *t, atoll_time_t now)
{
    return lookup(ct, t, now, NULL) != NULL;
}

/* ---- timeouts and the TCP state machine --------------------------------- */

static const atoll_time_t tcp_timeout[FW_TCP_STATES] = {
    [FW_TCP_NONE] = FW_CT_TCP_CLOSE_NS,
    [FW_TCP_SYN_SENT] = FW_CT_TCP_SYN_SENT_NS,
    [FW_TCP_SYN_RECV] = FW_CT_TCP_SYN_RECV_NS,
    [FW_TCP_ESTABLISHED] = FW_CT_TCP_ESTABLISHED_NS,
    [FW_TCP_FIN_WAIT] = FW_CT_TCP_FIN_WAIT_NS,
    [FW_TCP_CLOSE_WAIT] = FW_CT_TCP_CLOSE_WAIT_NS,
    [FW_TCP_LAST_ACK] = FW_CT_TCP_LAST_ACK_NS,
    [FW_TCP_TIME_WAIT] = FW_CT_TCP_TIME_WAIT_NS,
    [FW_TCP_CLOSE] = FW_CT_TCP_CLOSE_NS,
};

const char *fw_tcp_state_name(int state)
{
    static const char *const names[FW_TCP_STATES] = {
        "NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
        "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE"};
    return state >= 0 && state < FW_TCP_STATES ? names[state] : "?";
}

static atoll_time_t timeout(const struct fw_conn *c)
{
    switch (c->t[FW_ORIG].proto) {
    case 6:
        return tcp_timeout[c->tcp];
    case 1:
    case 58: /* ICMPv6 */
        return FW_CT_ICMP_NS;
    default:
        return (c->flags & FW_CT_SEEN_REPLY) ? FW_CT_UDP_ASSURED_NS
                                             : FW_CT_UDP_NS;
    }
}

bool fw_ct_may_open(uint8_t proto, uint8_t f)
{
    if (proto != 6)
        return true;
    return (f & (FW_TCP_SYN | FW_TCP_ACK | FW_TCP_RST | FW_TCP_FIN)) ==
           FW_TCP_SYN;
}

int fw_tcp_next(int st, int dir, uint8_t f, uint8_t *fin)
{
    uint8_t mine = dir == FW_ORIG ? FW_CT_FIN_ORIG : FW_CT_FIN_REPLY;
    uint8_t theirs = dir == FW_ORIG ? FW_CT_FIN_REPLY : FW_CT_FIN_ORIG;
    if (f & FW_TCP_RST)
        return st == FW_TCP_NONE ? -1 : FW_TCP_CLOSE;
    if (f & FW_TCP_SYN) {
        bool ack = f & FW_TCP_ACK;
        if (dir == FW_ORIG && !ack &&
            (st == FW_TCP_NONE || st == FW_TCP_SYN_SENT ||
             st == FW_TCP_TIME_WAIT || st == FW_TCP_CLOSE)) {
            *fin = 0; /* a new incarnation on the same ports */
            return FW_TCP_SYN_SENT;
        }
        if (dir == FW_REPLY && ack &&
            (st == FW_TCP_SYN_SENT || st == FW_TCP_SYN_RECV))
            return FW_TCP_SYN_RECV;
        return -1;
    }
    switch (st) {
    case FW_TCP_NONE:
    case FW_TCP_SYN_SENT:
        return -1; /* nothing but SYN and RST before the SYN+ACK */
    case FW_TCP_SYN_RECV:
        if (dir == FW_ORIG && (f & FW_TCP_ACK))
            st = FW_TCP_ESTABLISHED;
        else if (dir == FW_REPLY)
            return st; /* a retransmitted SYN+ACK's data, say */
        else
            return -1;
        break;
    case FW_TCP_CLOSE:
        return -1;
    default:
        break;
    }
    /* ESTABLISHED and the closing states: FINs and their ACKs. */
    if ((*fin & theirs) && (f & FW_TCP_ACK) && !(f & FW_TCP_FIN)) {
        /* acknowledging the other side's FIN */
        if (st == FW_TCP_FIN_WAIT)
            st = FW_TCP_CLOSE_WAIT;
        else if (st == FW_TCP_LAST_ACK && (*fin & mine))
            st = FW_TCP_TIME_WAIT;
    }
    if (f & FW_TCP_FIN) {
        *fin |= mine;
        if (st == FW_TCP_ESTABLISHED)
            st = FW_TCP_FIN_WAIT;
        else if ((*fin & theirs) &&
                 (st == FW_TCP_FIN_WAIT || st == FW_TCP_CLOSE_WAIT))
            st = FW_TCP_LAST_ACK;
    }
    return st;
}

bool fw_ct_seen(struct fw_ct *ct, struct fw_conn *c, int dir, uint8_t tcp_flags,
                uint32_t len, atoll_time_t now)
{
    if (c->t[FW_ORIG].proto == 6) {
        uint8_t fin = c->flags & (FW_CT_FIN_ORIG | FW_CT_FIN_REPLY);
        int next = fw_tcp_next(c->tcp, dir, tcp_flags, &fin);
        if (next < 0)
            return false;
        c->tcp = (uint8_t)next;
        c->flags =
            (uint8_t)((c->flags & ~(FW_CT_FIN_ORIG | FW_CT_FIN_REPLY)) | fin);
    }
    if (dir == FW_REPLY)
        c->flags |= FW_CT_SEEN_REPLY;
    c->packets[dir]++;
    c->bytes[dir] += len;
    c->expires = now + timeout(c);
    if (ct->lru_head != slot_of(ct, c) + 1) {
        lru_unlink(ct, c);
        lru_push_head(ct, c);
    }
    return true;
}

/* ---- adding, evicting, collecting -----------------------------------------
 */

/* A slot for a new connection from a full table, or NULL. */
static struct fw_conn *evict(struct fw_ct *ct, atoll_time_t now)
{
    struct fw_conn *unanswered = NULL;
    uint32_t s = ct->lru_tail;
    for (int k = 0; s && k < FW_CT_EVICT_SCAN; k++) {
        struct fw_conn *c = &ct->slot[s - 1];
        if (c->expires <= now)
            return c;
        if (!unanswered && !(c->flags & FW_CT_SEEN_REPLY))
            unanswered = c;
        s = c->lru_prev;
    }
    if (unanswered)
        ct->evicted++;
    return unanswered;
}

int fw_ct_add(struct fw_ct *ct, const struct fw_tuple *orig,
              const struct fw_tuple *reply, int in_if, int out_if,
              atoll_time_t now, struct fw_conn **out)
{
    if (fw_ct_taken(ct, orig, now) || fw_ct_taken(ct, reply, now))
        return -ATOLL_EEXIST;
    if (!ct->free_head) {
        struct fw_conn *victim = evict(ct, now);
        if (!victim) {
            ct->refused++;
            return -ATOLL_ENOSPC;
        }
        fw_ct_del(ct, victim);
    }
    uint32_t s = ct->free_head - 1;
    struct fw_conn *c = &ct->slot[s];
    ct->free_head = c->lru_next;
    memset(c, 0, sizeof *c);
    c->t[FW_ORIG] = *orig;
    c->t[FW_REPLY] = *reply;
    c->ifx[FW_ORIG] = (int8_t)in_if;
    c->ifx[FW_REPLY] = (int8_t)out_if;
    c->used = 1;
    struct fw_tuple rev;
    fw_tuple_reverse(&rev, orig);
    if (!tuple_eq(&rev, reply))
        c->flags |= FW_CT_NAT;
    c->expires = now + timeout(c);
    hash_insert(ct, c, FW_ORIG);
    hash_insert(ct, c, FW_REPLY);
    lru_push_head(ct, c);
    ct->count++;
    *out = c;
    return 0;
}

uint32_t fw_ct_gc(struct fw_ct *ct, atoll_time_t now, uint32_t budget)
{
    uint32_t removed = 0;
    for (uint32_t k = 0; k < budget && k < ct->max; k++) {
        struct fw_conn *c = &ct->slot[ct->gc_cursor];
        if (c->used && c->expires <= now) {
            fw_ct_del(ct, c);
            removed++;
        }
        ct->gc_cursor = (ct->gc_cursor + 1) % ct->max;
    }
    return removed;
}

uint32_t fw_ct_count(const struct fw_ct *ct)
{
    return ct->count;
}

uint32_t fw_ct_max(const struct fw_ct *ct)
{
    return ct->max;
}

uint64_t fw_ct_refused(const struct fw_ct *ct)
{
    return ct->refused;
}

uint64_t fw_ct_evicted(const struct fw_ct *ct)
{
    return ct->evicted;
}

struct fw_conn *fw_ct_at(struct fw_ct *ct, uint32_t slot)
{
    return slot < ct->max && ct->slot[slot].used ? &ct->slot[slot] : NULL;
}

void fw_tuple_reverse(struct fw_tuple *out, const struct fw_tuple *t)
{
    struct fw_tuple r = *t;
    memcpy(r.src, t->dst, 16);
    memcpy(r.dst, t->src, 16);
    if (t->proto == 1) {
        /* echo: the identifier stays, request (8) and reply (0) swap */
        r.dport = t->dport == 8 ? 0 : 8;
    } else if (t->proto == 58) {
        /* ICMPv6 echo: request 128, reply 129 (RFC 4443 4) */
        r.dport = t->dport == 128 ? 129 : 128;
    } else {
        r.sport = t->dport;
        r.dport = t->sport;
    }
    *out = r;
}
