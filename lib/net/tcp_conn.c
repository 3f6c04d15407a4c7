/*
 * lib/net/tcp_conn.c - TCP's per-stack state and the life of connections:
 * the hooks the IPv4 layer calls at stack creation and destruction, the
 * connection table (a hash of the 4-tuple under a secret key, so remote
 * hosts cannot aim at one bucket), listeners, RFC 6528 initial sequence
 * numbers, ephemeral ports, the records made on demand (SACK scoreboard,
 * out-of-order ranges) and what an idle connection gives back, freeing,
 * the room left for new connections, and ICMP errors.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/random.h"
#include "siphash.h"
#include "tcp_int.h"
#include "wire.h"

static const char *const state_names[] = {
    "CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RCVD",
    "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
    "CLOSING",     "LAST_ACK",   "TIME_WAIT",
};

const char *tcp_state_name(enum tcp_state st)
{
    return (unsigned)st < sizeof state_names / sizeof state_names[0]
               ? state_names[st]
               : "?";
}

/* ---- the stack hooks -------------------------------------------------------
 */

int net_tcp_init(struct atoll_stack *s)
{
    struct tcp_stack *ts = atoll_calloc(1, sizeof *ts);
    if (!ts)
        return -ATOLL_ENOMEM;
    ts->s = s;
    ts->cc_algo = ATOLL_TCP_NEWRENO;
    ts->tso = (net_offloads(s) & (ATOLL_NETIF_TSO4 | ATOLL_NETIF_TSO6)) != 0;
    uint8_t r[18];
    int err =
        atoll_random_fill(atoll_random_platform(), r, sizeof r, ATOLL_NEVER);
    if (err < 0) {
        atoll_free(ts);
        return err;
    }
    memcpy(ts->secret, r, 16);
    ts->next_port = (uint16_t)(r[16] << 8 | r[17]);
    atoll_event_init(&ts->timer_ev, "tcp timers");
    net_tcp_set(s, ts);
    err = tcp_timer_start(ts);
    if (err < 0) {
        net_tcp_set(s, NULL);
        atoll_free(ts);
        return err;
    }
    return 0;
}

/* A live connection keeps its neighbour's ARP entry (docs/net.md, ARP):
 * held from ESTABLISHED, released in TIME_WAIT or CLOSED. */
static void neigh_release(struct atoll_tcp_conn *c)
{
    if (c->neigh)
        net_neigh_release(c->ts->s, c->neigh);
    c->neigh = 0;
}

static void conn_free(struct atoll_tcp_conn *c)
{
    struct tcp_stack *ts = c->ts;
    if (c->ack_batched)
        for (int i = 0; i < ts->nack_batch; i++)
            if (ts->ack_batch[i] == c)
                ts->ack_batch[i] = NULL;
    neigh_release(c);
    tcp_poll_disarm(c);
    dheap_remove(&ts->timers, &c->tnode);
    atoll_free(c->sb);
    atoll_free(c->ooo);
    if (c->prev)
        c->prev->next = c->next;
    else
        ts->all = c->next;
    if (c->next)
        c->next->prev = c->prev;
    tcp_sndq_release(c, c->error ? c->error : -ATOLL_ECONNRESET);
    tcp_ring_free(&c->sndbuf);
    tcp_ring_free(&c->rcvbuf);
    ts->nconns--;
    atoll_free(c);
}

void net_tcp_fini(struct atoll_stack *s)
{
    struct tcp_stack *ts = net_tcp_get(s);
    if (!ts)
        return;
    tcp_timer_stop(ts);
    while (ts->all) {
        struct atoll_tcp_conn *c = ts->all;
        if (c->state >= TCP_SYN_RCVD && c->state != TCP_TIME_WAIT)
            tcp_send_rst_conn(c);
        conn_free(c);
    }
    while (ts->listeners) {
        struct atoll_tcp_listener *l = ts->listeners;
        ts->listeners = l->next;
        atoll_free(l);
    }
    dheap_free(&ts->timers);
    net_tcp_set(s, NULL);
    atoll_free(ts);
}

/* ---- the table
 * ---------------------------------------------------------------- */

/* The 4-tuple as the key of the table's hash and of the ISN function:
 * for IPv4 the 12 bytes it always was, for IPv6 the 36 of its addresses
 * and ports.  Returns the key's length. */
static size_t tuple_key(uint8_t k[36], const atoll_addr_t *laddr,
                        uint16_t lport, const atoll_addr_t *raddr,
                        uint16_t rport)
{
    size_t n;
    if (laddr->family == ATOLL_AF_INET6) {
        memcpy(k, laddr->v6.b, 16);
        memcpy(k + 16, raddr->v6.b, 16);
        n = 32;
    } else {
        net_put32(k, laddr->v4);
        net_put32(k + 4, raddr->v4);
        n = 8;
    }
    net_put16(k + n, lport);
    net_put16(k + n + 2, rport);
    return n + 4;
}

static uint32_t bucket(const struct tcp_stack *ts, const atoll_addr_t *laddr,
                       uint16_t lport, const atoll_addr_t *raddr,
                       uint16_t rport)
{
    uint8_t k[36];
    size_t n = tuple_key(k, laddr, lport, raddr, rport);
    return (uint32_t)(net_siphash24(ts->secret, k, n) % TCP_HASH_BUCKETS);
}

static void hash_insert(struct atoll_tcp_conn *c)
{
    struct tcp_stack *ts = c->ts;
    uint32_t h = bucket(ts, &c->laddr, c->lport, &c->raddr, c->rport);
    c->hnext = ts->hash[h];
    ts->hash[h] = c;
    c->in_hash = true;
}

static void hash_remove(struct atoll_tcp_conn *c)
{
    if (!c->in_hash)
        return;
    struct tcp_stack *ts = c->ts;
    uint32_t h = bucket(ts, &c->laddr, c->lport, &c->raddr, c->rport);
    for (struct atoll_tcp_conn **pp = &ts->hash[h]; *pp; pp = &(*pp)->hnext)
        if (*pp == c) {
            *pp = c->hnext;
            break;
        }
    c->in_hash = false;
    if (ts->last == c)
        ts->last = NULL;
}

struct atoll_tcp_conn *
tcp_conn_lookup(struct tcp_stack *ts, const atoll_addr_t *laddr, uint16_t lport,
                const atoll_addr_t *raddr, uint16_t rport)
{
    struct atoll_tcp_conn *c = ts->last;
    if (c && c->lport == lport && c->rport == rport &&
        atoll_addr_equal(&c->raddr, raddr) &&
        atoll_addr_equal(&c->laddr, laddr))
        return c;
    uint32_t h = bucket(ts, laddr, lport, raddr, rport);
    for (c = ts->hash[h]; c; c = c->hnext)
        if (c->lport == lport && c->rport == rport &&
            atoll_addr_equal(&c->raddr, raddr) &&
            atoll_addr_equal(&c->laddr, laddr))
            return ts->last = c;
    return NULL;
}

struct atoll_tcp_listener *tcp_listener_lookup(struct tcp_stack *ts,
                                               uint16_t port, uint8_t family)
{
    struct atoll_tcp_listener *both = NULL;
    for (struct atoll_tcp_listener *l = ts->listeners; l; l = l->next) {
        if (l->port != port)
            continue;
        if (l->family == family)
            return l;
        if (l->family == ATOLL_AF_NONE)
            both = l;
    }
    return both;
}

struct atoll_tcp_conn *tcp_conn_new(struct tcp_stack *ts,
                                    const atoll_addr_t *laddr, uint16_t lport,
                                    const atoll_addr_t *raddr, uint16_t rport)
{
    if (ts->nconns >= TCP_CONNS_MAX)
        return NULL;
    /* Room for its timers now, so that arming one never fails. */
    if (dheap_reserve(&ts->timers, ts->nconns + 1) < 0)
        return NULL;
    struct atoll_tcp_conn *c = atoll_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ts = ts;
    c->laddr = *laddr, c->lport = lport;
    c->raddr = *raddr, c->rport = rport;
    c->state = TCP_CLOSED;
    tcp_rto_init(&c->rto);
    atoll_event_init(&c->rd_ev, "tcp read");
    atoll_event_init(&c->wr_ev, "tcp write");
    c->rcv_max = TCP_RCVBUF_MAX;
    atoll_event_init(&c->st_ev, "tcp connect");
    c->ka_idle = TCP_KEEPALIVE_IDLE_NS;
    c->ka_intvl = TCP_KEEPALIVE_INTERVAL_NS;
    c->ka_count = TCP_KEEPALIVE_COUNT;
    c->snd_ws = c->rcv_ws = 0;
    /* Our window scale: the smallest shift that lets the 16-bit field
     * cover the whole receive buffer (RFC 7323 2.3). */
    while (c->rcv_ws < 14 && ((uint32_t)TCP_RCVBUF_MAX >> c->rcv_ws) > 65535)
        c->rcv_ws++;
    c->adv_mss = tcp_mss_for(ts, raddr);
    c->mss =
        ATOLL_TCP_MSS_DEFAULT < c->adv_mss ? ATOLL_TCP_MSS_DEFAULT : c->adv_mss;
    c->iss = tcp_isn(ts, c);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->snd_base = c->iss + 1;
    c->last_rx = atoll_now();
    uint8_t off[4];
    net_put32(off, c->iss);
    c->ts_offset = (uint32_t)net_siphash24(ts->secret, off, 4);
    c->next = ts->all;
    if (ts->all)
        ts->all->prev = c;
    ts->all = c;
    ts->nconns++;
    hash_insert(c);
    return c;
}

/* ---- RFC 6528 ISN: M + F(localip, localport, remoteip, remoteport, key),
 * M a 4-microsecond timer (RFC 9293 3.4.1). */
uint32_t tcp_isn(struct tcp_stack *ts, const struct atoll_tcp_conn *c)
{
    uint8_t k[36];
    size_t n = tuple_key(k, &c->laddr, c->lport, &c->raddr, c->rport);
    uint32_t f = (uint32_t)net_siphash24(ts->secret, k, n);
    return f + (uint32_t)(atoll_now() / 4000);
}

/* ---- state and death
 * --------------------------------------------------------- */

void tcp_set_state(struct atoll_tcp_conn *c, enum tcp_state st)
{
    c->state = st;
    if (st == TCP_ESTABLISHED && !c->neigh && c->raddr.family == ATOLL_AF_INET)
        c->neigh = net_neigh_hold(c->ts->s, c->raddr.v4);
    else if (st == TCP_CLOSED || st == TCP_TIME_WAIT)
        neigh_release(c);
    atoll_event_broadcast(&c->st_ev);
    tcp_wake(c, ATOLL_TCP_READABLE | ATOLL_TCP_WRITABLE);
}

void tcp_unqueue(struct atoll_tcp_conn *c)
{
    struct atoll_tcp_listener *l = c->listener;
    if (!l)
        return;
    struct atoll_tcp_conn **head = c->in_accept_q ? &l->acc_head : &l->syn_head;
    struct atoll_tcp_conn **tail = c->in_accept_q ? &l->acc_tail : &l->syn_tail;
    struct atoll_tcp_conn *prev = NULL;
    for (struct atoll_tcp_conn *x = *head; x; prev = x, x = x->qnext) {
        if (x != c)
            continue;
        if (prev)
            prev->qnext = c->qnext;
        else
            *head = c->qnext;
        if (*tail == c)
            *tail = prev;
        if (c->in_accept_q)
            l->acc_n--;
        else
            l->syn_n--;
        break;
    }
    c->qnext = NULL;
    c->listener = NULL;
    c->in_accept_q = false;
}

bool tcp_conn_maybe_free(struct atoll_tcp_conn *c)
{
    if (c->state != TCP_CLOSED || (c->handed_out && !c->user_closed))
        return false;
    hash_remove(c);
    tcp_unqueue(c);
    conn_free(c);
    return true;
}

bool tcp_conn_drop(struct atoll_tcp_conn *c, int err)
{
    if (err && !c->error)
        c->error = err;
    hash_remove(c);
    tcp_unqueue(c);
    c->t_rexmit = c->t_delack = c->t_keep = c->t_wait = 0;
    tcp_set_state(c, TCP_CLOSED);
    /* Nothing is sent again: the memory referred to is the caller's. */
    tcp_sndq_release(c, c->error ? c->error : -ATOLL_ECONNRESET);
    return tcp_conn_maybe_free(c);
}

void tcp_timer_arm(struct atoll_tcp_conn *c, atoll_time_t *t,
                   atoll_time_t deadline)
{
    *t = deadline;
    if (!deadline)
        return;
    /* The heap holds each connection once, keyed by a time at or before
     * its earliest timer: moving a timer later leaves the key alone (the
     * timer fiber finds nothing due then and files the connection again
     * under its real earliest), so re-arming the retransmission timer on
     * every ACK costs nothing here. */
    struct tcp_stack *ts = c->ts;
    if (!dheap_has(&c->tnode) || deadline < c->tnode.key)
        dheap_put(&ts->timers, &c->tnode, deadline);
    if (deadline < ts->timer_next) {
        ts->timer_next = deadline;
        atoll_event_notify(&ts->timer_ev);
    }
}

bool tcp_room_for_conn(const struct tcp_stack *ts)
{
    if (ts->nconns >= TCP_CONNS_MAX)
        return false;
    struct atoll_mem_stats m;
    atoll_mem_stats(&m);
    size_t reserve = m.region_size / 100 * TCP_ACCEPT_MEM_RESERVE_PCT;
    return m.in_use + reserve <= m.region_size;
}

/* ---- records made on demand, and given back when idle
 * ---------------------- */

const struct tcp_scoreboard tcp_sb_none;

struct tcp_scoreboard *tcp_sb_get(struct atoll_tcp_conn *c)
{
    if (!c->sb) {
        c->sb = atoll_calloc(1, sizeof *c->sb);
        if (!c->sb) {
            c->ts->st.mem_short++;
            return NULL;
        }
        tcp_idle_arm(c);
    }
    return c->sb;
}

struct tcp_ooo *tcp_ooo_get(struct atoll_tcp_conn *c)
{
    if (!c->ooo) {
        c->ooo = atoll_calloc(1, sizeof *c->ooo);
        if (!c->ooo) {
            c->ts->st.mem_short++;
            return NULL;
        }
        tcp_idle_arm(c);
    }
    return c->ooo;
}

void tcp_idle_arm(struct atoll_tcp_conn *c)
{
    if (!c->t_idle && c->state != TCP_CLOSED)
        tcp_timer_arm(c, &c->t_idle, atoll_now() + TCP_BUF_IDLE_NS);
}

void tcp_ring_drained(struct atoll_tcp_conn *c, struct tcp_ring *r)
{
    /* A small ring costs one allocation to make again, and holding it is
     * what would make a burst of short exchanges on thousands of
     * connections need thousands of rings at once.  A grown ring waits:
     * a bulk transfer drains its rings often and needs them again at
     * once. */
    if (r->cap <= TCP_BUF_INITIAL)
        tcp_ring_free(r);
    else
        tcp_idle_arm(c);
}

void tcp_release_idle(struct atoll_tcp_conn *c)
{
    if (c->sb && c->sb->n == 0 && !c->in_recovery) {
        atoll_free(c->sb);
        c->sb = NULL;
    }
    if (c->ooo && c->ooo->n == 0) {
        atoll_free(c->ooo);
        c->ooo = NULL;
    }
    if (c->sndbuf.buf && c->sndbuf.len == 0)
        tcp_ring_free(&c->sndbuf);
    if (c->rcvbuf.buf && c->rcvbuf.len == 0 && !c->ooo)
        tcp_ring_free(&c->rcvbuf);
}

bool tcp_challenge_ok(struct tcp_stack *ts)
{
    atoll_time_t now = atoll_now();
    if (now - ts->chal_epoch >= ATOLL_SEC(1)) {
        ts->chal_epoch = now;
        ts->chal_count = 0;
    }
    if (ts->chal_count >= TCP_CHALLENGE_ACKS_PER_SEC)
        return false;
    ts->chal_count++;
    ts->st.challenge_acks++;
    return true;
}

/* ---- ICMP errors (RFC 1122 4.2.3.9, RFC 5927, RFC 8201)
 * ---------------------------------- */

/* Packet Too Big lowered the path MTU to `mtu`: segments follow it (RFC
 * 8201 5.2).  What was in flight in larger segments was dropped on the
 * way, so it goes again at once in the new size, without the window cut
 * a loss would bring (the path shrank; nothing was congested). */
static void mtu_lowered(struct atoll_tcp_conn *c)
{
    uint16_t m = tcp_mss_for(c->ts, &c->raddr);
    uint16_t mss = (uint16_t)(m - (c->ts_ok ? 12 : 0));
    if (c->state < TCP_ESTABLISHED || mss >= c->mss || mss < 64)
        return;
    c->mss = mss;
    c->cc.mss = mss;
    if (c->cc.ssthresh < 2u * mss)
        c->cc.ssthresh = 2u * mss;
    if (!c->in_recovery && c->snd_una != c->snd_max) {
        c->snd_nxt = c->snd_una;
        c->rtt_timing = false;
        tcp_output(c);
    }
}

void tcp_icmp_error(struct tcp_stack *ts, const atoll_addr_t *local,
                    const atoll_addr_t *remote, const uint8_t *t, bool unreach,
                    bool hard, uint32_t mtu)
{
    struct atoll_tcp_conn *c =
        tcp_conn_lookup(ts, local, net_get16(t), remote, net_get16(t + 2));
    if (!c)
        return;
    /* RFC 5927 4.1: only believe errors about data in flight. */
    uint32_t seq = net_get32(t + 4);
    if (seq_lt(seq, c->snd_una) || seq_gt(seq, c->snd_max))
        return;
    if (mtu) {
        mtu_lowered(c);
        return;
    }
    int err = hard ? -ATOLL_ECONNREFUSED : -ATOLL_EHOSTUNREACH;
    if (c->state == TCP_SYN_SENT) {
        /* Connecting: an unreachable ends it, as on Linux (the caller
         * learns at once that the peer is not there); time exceeded is
         * what a timeout will report. */
        if (unreach)
            tcp_conn_drop(c, err);
        else
            c->soft_error = err;
    } else if (c->state == TCP_SYN_RCVD) {
        if (hard) /* a half-open connection: nothing to lose */
            tcp_conn_drop(c, 0);
    } else if (unreach) {
        /* Synchronized: every error is soft (RFC 5927 4.1), since anyone
         * who can guess a sequence number in flight could otherwise reset
         * the connection with one forged ICMP message.  It is remembered,
         * and reported only if the connection times out. */
        c->soft_error = err;
    }
}
