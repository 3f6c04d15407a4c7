/*
 * lib/net/tcp_check.c - the invariants of a TCP connection
 * (atoll/invariant.h), checked where a segment, a timer or the
 * application has finished changing it: at tcp_output's entry (which
 * every path that changes a connection reaches), after the timer fiber
 * ran a connection's timers, and for a listener after a SYN.
 *
 * What must hold whatever the peer sends:
 *   - sequence space: SND.UNA <= SND.NXT <= SND.MAX, and SND.MAX no
 *     further than the buffered data and our FIN; the send ring starts
 *     at SND.UNA (one before it while our SYN is unacknowledged, one
 *     after it once our FIN is);
 *   - rings: length within capacity, capacity a power of two, the
 *     buffer limits respected;
 *   - the receive window: what we advertised fits the receive buffer's
 *     limit, out-of-order ranges lie at or beyond RCV.NXT (at it only
 *     after a FIN that came before data the peer sent beyond it) and
 *     inside the ring;
 *   - the SACK scoreboard within (SND.UNA, SND.MAX], sorted, disjoint;
 *   - congestion control: a window of at least one segment once
 *     synchronized, recovery points inside the sequence space;
 *   - the state and the FIN flags agree;
 *   - a poller's entry is armed when it is queued or timed.
 * The constant-time part runs at ATOLL_INVARIANTS >= 1; the range walks
 * (bounded by TCP_*_RANGES_MAX) at 2.
 */
#include "atoll/invariant.h"
#include "tcp_int.h"

static void check_ring(const struct tcp_ring *r, uint32_t max)
{
    ATOLL_ASSERT(r->len <= r->cap && r->len <= max);
    ATOLL_ASSERT((r->cap & (r->cap - 1)) == 0);
    ATOLL_ASSERT(r->cap ? r->buf != NULL && r->head < r->cap : r->head == 0);
}

/* Sorted, disjoint, non-adjacent ranges inside (lo, hi]. */
static void check_ranges(const struct tcp_range *rs, int n, int max,
                         uint32_t lo, uint32_t hi)
{
    ATOLL_ASSERT(n >= 0 && n <= max);
    for (int i = 0; i < n; i++) {
        ATOLL_ASSERT_SLOW(seq_lt(rs[i].left, rs[i].right));
        ATOLL_ASSERT_SLOW(seq_ge(rs[i].left, lo) && seq_le(rs[i].right, hi));
        ATOLL_ASSERT_SLOW(i == 0 || seq_lt(rs[i - 1].right, rs[i].left));
    }
}

/* The send queue: the ring alone, or pieces that add up to it and to
 * everything queued (walked at level 2). */
static void check_sndq(const struct atoll_tcp_conn *c)
{
    ATOLL_ASSERT(c->sndbuf.len <= c->snd_len);
    ATOLL_ASSERT((c->sq_head == NULL) == (c->sq_tail == NULL));
    if (!c->sq_head) {
        ATOLL_ASSERT(c->snd_len == c->sndbuf.len);
        return;
    }
    if (ATOLL_INVARIANTS < 2)
        return;
    uint32_t all = 0, ring = 0;
    for (const struct tcp_sref *r = c->sq_head; r; r = r->next) {
        ATOLL_ASSERT_SLOW(r->next || r == c->sq_tail);
        all += r->len;
        ring += r->p ? 0 : r->len;
    }
    ATOLL_ASSERT_SLOW(all == c->snd_len && ring == c->sndbuf.len);
}

void tcp_check_conn(const struct atoll_tcp_conn *c)
{
    enum tcp_state st = c->state;
    bool synced = st >= TCP_ESTABLISHED;

    /* Send sequence space. */
    ATOLL_ASSERT(seq_le(c->snd_una, c->snd_nxt));
    ATOLL_ASSERT(seq_le(c->snd_nxt, c->snd_max));
    uint32_t ahead = c->snd_una - c->snd_base;
    ATOLL_ASSERT(ahead == 0 || (ahead == UINT32_MAX && c->snd_una == c->iss) ||
                 (ahead == 1 && c->wr_shut && c->snd_len == 0));
    /* (A connection that ended released the memory it referred to.) */
    ATOLL_ASSERT(
        st == TCP_CLOSED ||
        seq_le(c->snd_max, c->snd_base + c->snd_len + (c->wr_shut ? 1u : 0u)));
    ATOLL_ASSERT(c->snd_ws <= 14 && c->rcv_ws <= 14);
    check_ring(&c->sndbuf, TCP_SNDBUF_MAX);
    check_sndq(c);

    /* Receive side: the advertised window fits the buffer's limit, and
     * out-of-order bytes sit beyond RCV.NXT inside the ring. */
    check_ring(&c->rcvbuf, TCP_RCVBUF_MAX);
    if (seq_gt(c->rcv_adv, c->rcv_nxt))
        ATOLL_ASSERT(c->rcv_adv - c->rcv_nxt <= TCP_RCVBUF_MAX);
    if (c->ooo)
        check_ranges(c->ooo->r, c->ooo->n, TCP_OOO_RANGES_MAX, c->rcv_nxt,
                     c->rcv_nxt + (c->rcvbuf.cap - c->rcvbuf.len));

    /* The sender's scoreboard and loss recovery. */
    const struct tcp_scoreboard *sb = tcp_sb_of(c);
    check_ranges(sb->r, sb->n, TCP_SACK_RANGES_MAX, c->snd_una, c->snd_max);
    if (synced && st != TCP_TIME_WAIT) {
        ATOLL_ASSERT(c->mss > 0 && c->cc.mss == c->mss);
        ATOLL_ASSERT(c->cc.cwnd >= c->mss);
        ATOLL_ASSERT(c->cc.ssthresh >= 2u * c->mss);
    }
    if (c->in_recovery) {
        ATOLL_ASSERT(seq_lt(c->snd_una, c->recover) &&
                     seq_le(c->recover, c->snd_max));
        if (c->sack_ok)
            ATOLL_ASSERT(seq_le(c->snd_una, c->rxt_next) &&
                         seq_le(c->rxt_next, c->snd_max));
    }

    /* State and FIN flags (sets of states as bit masks: one test each). */
    uint32_t in = 1u << st;
    const uint32_t wr_shut_states = 1u << TCP_FIN_WAIT_1 |
                                    1u << TCP_FIN_WAIT_2 | 1u << TCP_CLOSING |
                                    1u << TCP_LAST_ACK | 1u << TCP_TIME_WAIT;
    const uint32_t rd_done_states = 1u << TCP_CLOSE_WAIT | 1u << TCP_CLOSING |
                                    1u << TCP_LAST_ACK | 1u << TCP_TIME_WAIT;
    const uint32_t reading_states =
        1u << TCP_ESTABLISHED | 1u << TCP_FIN_WAIT_1 | 1u << TCP_FIN_WAIT_2;
    ATOLL_ASSERT(!c->fin_sent || c->wr_shut);
    ATOLL_ASSERT(!(in & wr_shut_states) || c->wr_shut);
    ATOLL_ASSERT(!(in & rd_done_states) || c->rd_done);
    ATOLL_ASSERT(!(in & reading_states) || !c->rd_done);
    ATOLL_ASSERT(st != TCP_FIN_WAIT_2 || c->snd_una == c->snd_max);

    /* A poller's entry: only an armed connection is queued or timed, and
     * only one the application holds is armed. */
    ATOLL_ASSERT(!c->pe.queued || c->pe.poller);
    ATOLL_ASSERT(!dheap_has(&c->pe.deadline) || c->pe.poller);
    ATOLL_ASSERT(!c->pe.poller || (c->handed_out && !c->user_closed));
}

void tcp_check_listener(const struct atoll_tcp_listener *l)
{
    ATOLL_ASSERT(l->syn_n >= 0 && l->syn_n <= TCP_SYN_BACKLOG_MAX);
    ATOLL_ASSERT(l->acc_n >= 0 && l->acc_n <= l->backlog);
    ATOLL_ASSERT((l->syn_head == NULL) == (l->syn_n == 0));
    ATOLL_ASSERT((l->acc_head == NULL) == (l->acc_n == 0));
    if (ATOLL_INVARIANTS < 2)
        return;
    int n = 0;
    for (const struct atoll_tcp_conn *c = l->syn_head; c; c = c->qnext, n++)
        ATOLL_ASSERT_SLOW(c->listener == l && !c->in_accept_q &&
                          c->state == TCP_SYN_RCVD &&
                          (c->qnext || c == l->syn_tail));
    ATOLL_ASSERT_SLOW(n == l->syn_n);
    n = 0;
    for (const struct atoll_tcp_conn *c = l->acc_head; c; c = c->qnext, n++)
        ATOLL_ASSERT_SLOW(c->listener == l && c->in_accept_q &&
                          (c->qnext || c == l->acc_tail));
    ATOLL_ASSERT_SLOW(n == l->acc_n);
}
