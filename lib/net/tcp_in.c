/*
 * lib/net/tcp_in.c - segment arrival, following RFC 9293 3.10.7 "SEGMENT
 * ARRIVES" step by step, with RFC 5961's stricter RST/SYN/ACK checks,
 * RFC 7323 PAWS, and the ACK side of loss recovery: NewReno (RFC 6582)
 * when the peer does not do SACK, RFC 6675 SACK recovery when it does.
 *
 * Data goes straight into the receive ring: in order at its end, out of
 * order at its offset (the advertised window guarantees room), with the
 * ranges kept in tcp_ooo for reassembly and for our SACK blocks.
 */
#include <string.h>

#include "atoll/error.h"
#include "tcp_int.h"

struct seg {
    struct tcp_hdr h;
    struct tcp_opts o;
    const uint8_t *data;
    uint32_t len; /* payload bytes */
};

static void count_drop(struct tcp_stack *ts)
{
    net_stats(ts->s)->tcp_drop++;
}

static void challenge_ack(struct atoll_tcp_conn *c)
{
    if (tcp_challenge_ok(c->ts))
        tcp_send_ack(c);
}

/* Adopt what the peer's SYN (or SYN-ACK) offered. */
static void negotiate(struct atoll_tcp_conn *c, const struct tcp_opts *o)
{
    uint16_t peer_mss =
        (o->present & TCP_HAS_MSS) ? o->mss : ATOLL_TCP_MSS_DEFAULT;
    if (peer_mss < 64)
        peer_mss = 64; /* a hostile MSS must not make us send 1-byte
                          segments */
    c->ws_ok = o->present & TCP_HAS_WSCALE;
    if (c->ws_ok) {
        c->snd_ws = o->wscale > 14 ? 14 : o->wscale; /* RFC 7323 2.3 */
    } else {
        c->snd_ws = 0;
        c->rcv_ws = 0;
    }
    c->sack_ok = o->present & TCP_HAS_SACK_OK;
    c->ts_ok = o->present & TCP_HAS_TS;
    if (c->ts_ok)
        c->ts_recent = o->tsval;
    uint16_t m = peer_mss < c->adv_mss ? peer_mss : c->adv_mss;
    c->mss = (uint16_t)(m - (c->ts_ok ? 12 : 0));
    tcp_cc_init(&c->cc, c->ts->cc_algo, c->mss);
    c->recover = c->iss;
}

/* ---- LISTEN -----------------------------------------------------------------
 */

static void listen_input(struct tcp_stack *ts, struct atoll_tcp_listener *l,
                         const struct tcp_addrs *ip, const struct seg *sg)
{
    const struct tcp_hdr *h = &sg->h;
    if (h->flags & TCP_RST)
        return;
    if (h->flags & TCP_ACK) {
        tcp_send_reset(ts, ip, h, sg->len);
        return;
    }
    if (!(h->flags & TCP_SYN) || (h->flags & TCP_FIN))
        return;
    if (l->acc_n >= l->backlog) {
        ts->st.syn_dropped++; /* the peer will retry */
        return;
    }
    if (!tcp_room_for_conn(ts)) {
        /* Refused, as a closed port refuses: one RST for this SYN.  The
         * memory left is for the connections we have (docs/net.md). */
        ts->st.refused++;
        tcp_send_reset(ts, ip, h, sg->len + 1);
        return;
    }
    if (l->syn_n >= TCP_SYN_BACKLOG_MAX) {
        /* Half-open queue full: forget the oldest.  A flood of spoofed
         * SYNs costs bounded memory and a real client still gets in. */
        ts->st.syn_dropped++;
        tcp_conn_drop(l->syn_head, 0);
    }
    struct atoll_tcp_conn *c =
        tcp_conn_new(ts, &ip->dst, h->dport, &ip->src, h->sport);
    if (!c) {
        ts->st.syn_dropped++;
        return;
    }
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    negotiate(c, &sg->o);
    c->snd_wnd = h->wnd; /* never scaled in a SYN */
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = c->iss;
    c->state = TCP_SYN_RCVD;
    c->listener = l;
    if (l->syn_tail)
        l->syn_tail->qnext = c;
    else
        l->syn_head = c;
    l->syn_tail = c;
    l->syn_n++;
    ts->st.passive_opens++;
    c->rtt_timing = true;
    c->rtt_seq = c->iss;
    c->rtt_start = atoll_now();
    tcp_output(c);
    tcp_check_listener(l);
}

/* SYN_RCVD -> ESTABLISHED: a passive connection moves to the accept
 * queue.  If that is full it stays half-open and the segment is ignored:
 * our SYN-ACK's retransmission makes the peer say it again, by when the
 * application may have accepted (resetting it would fail a client that
 * did nothing wrong). */
static bool become_established(struct atoll_tcp_conn *c)
{
    struct atoll_tcp_listener *l = c->listener;
    if (l && l->acc_n >= l->backlog) {
        c->ts->st.syn_dropped++;
        return false;
    }
    tcp_set_state(c, TCP_ESTABLISHED);
    if (!l)
        return true;
    tcp_unqueue(c);
    c->listener = l;
    c->in_accept_q = true;
    if (l->acc_tail)
        l->acc_tail->qnext = c;
    else
        l->acc_head = c;
    l->acc_tail = c;
    l->acc_n++;
    atoll_event_notify(&l->ev);
    return true;
}

/* ---- SYN_SENT
 * ------------------------------------------------------------------ */

static void syn_sent_input(struct atoll_tcp_conn *c, const struct tcp_addrs *ip,
                           const struct seg *sg)
{
    const struct tcp_hdr *h = &sg->h;
    bool ack_ok = false;
    if (h->flags & TCP_ACK) {
        if (seq_le(h->ack, c->iss) || seq_gt(h->ack, c->snd_max)) {
            tcp_send_reset(c->ts, ip, h, sg->len);
            return;
        }
        ack_ok = true;
    }
    if (h->flags & TCP_RST) {
        if (ack_ok)
            tcp_conn_drop(c, -ATOLL_ECONNREFUSED);
        return;
    }
    if (!(h->flags & TCP_SYN))
        return;
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    negotiate(c, &sg->o);
    c->snd_wnd = h->wnd;
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = h->ack;
    if (ack_ok) {
        c->snd_una = h->ack;
        if (c->rtt_timing && c->retries == 0)
            tcp_rto_sample(&c->rto, atoll_now() - c->rtt_start);
        c->rtt_timing = false;
        c->retries = c->backoff = 0;
        c->t_rexmit = 0;
        tcp_set_state(c, TCP_ESTABLISHED);
        c->ack_now = true;
        tcp_output(c);
    } else {
        /* Simultaneous open (RFC 9293 3.5, figure 7). */
        c->state = TCP_SYN_RCVD;
        c->ack_now = true;
        tcp_output(c);
    }
}

/* ---- ACK processing (RFC 9293 3.10.7.4 fifth check)
 * -------------------------- */

static void enter_recovery(struct atoll_tcp_conn *c)
{
    uint32_t flight = tcp_flight(c);
    c->recover = c->snd_max;
    c->in_recovery = true;
    tcp_cc_enter_recovery(&c->cc, flight, c->sack_ok);
    uint32_t data_end = c->snd_base + c->snd_len;
    uint32_t len = data_end - c->snd_una;
    if (seq_gt(c->snd_una, data_end))
        len = 0;
    if (len > c->mss)
        len = c->mss;
    if (c->sack_ok)
        c->sack_recoveries++;
    else
        c->fast_recoveries++;
    /* Retransmit the first unacknowledged segment now (RFC 5681 3.2 step
     * 4; RFC 6675 NextSeg finds the same hole first). */
    tcp_send_segment(
        c, c->snd_una, len,
        (c->wr_shut && c->snd_una + len == tcp_fin_seq(c)) ? TCP_FIN : 0);
    c->retransmits++;
    c->ts->st.retransmits++;
    c->rtt_timing = false;
    c->rxt_next = c->snd_una + (len ? len : 1);
    c->rescue = c->rxt_next; /* RFC 6675 (4.3) */
    tcp_rexmit_arm(c);
}

/* Returns false if the segment is to be dropped. */
static bool ack_input(struct atoll_tcp_conn *c, const struct seg *sg)
{
    const struct tcp_hdr *h = &sg->h;
    uint32_t ack = h->ack;
    atoll_time_t now = atoll_now();

    /* RFC 5961 5.2: acceptable ACKs are in
     * [SND.UNA - MAX.SND.WND, SND.NXT]; anything else gets a (limited)
     * challenge ACK and is dropped. */
    uint32_t wnd_back = c->max_snd_wnd > 65535 ? c->max_snd_wnd : 65535;
    if (seq_gt(ack, c->snd_max) || seq_lt(ack, c->snd_una - wnd_back)) {
        challenge_ack(c);
        return false;
    }
    bool sack_new = false;
    struct tcp_scoreboard *sb = NULL;
    if (c->sack_ok && (sg->o.present & TCP_HAS_SACK) && sg->o.nsack > 0 &&
        (sb = tcp_sb_get(c)) != NULL)
        for (int i = 0; i < sg->o.nsack; i++)
            sack_new |= tcp_sb_add(sb, sg->o.sack[i].left, sg->o.sack[i].right,
                                   c->snd_una, c->snd_max);
    uint32_t wnd = (uint32_t)h->wnd << c->snd_ws;

    if (seq_gt(ack, c->snd_una)) {
        uint32_t acked = ack - c->snd_una;
        if (c->rtt_timing && seq_gt(ack, c->rtt_seq)) {
            tcp_rto_sample(&c->rto, now - c->rtt_start);
            c->rtt_timing = false;
        }
        c->backoff = 0;
        c->retries = 0;
        c->soft_error = 0; /* the path works again */
        if (seq_gt(ack, c->snd_base)) {
            uint32_t n = ack - c->snd_base;
            if (n > c->snd_len)
                n = c->snd_len; /* the rest acknowledges our FIN */
            tcp_sndq_consume(c, n);
            c->snd_short = false;
            tcp_wake(c, ATOLL_TCP_WRITABLE);
        }
        uint32_t flight_before = tcp_flight(c);
        c->snd_una = ack;
        if (seq_lt(c->snd_nxt, ack))
            c->snd_nxt = ack;
        if (c->sb)
            tcp_sb_advance(c->sb, ack);
        if (c->in_recovery) {
            if (seq_ge(ack, c->recover)) {
                c->in_recovery = false;
                c->dupacks = 0;
                tcp_cc_on_recovery_end(&c->cc, tcp_flight(c), c->sack_ok);
            } else if (!c->sack_ok) {
                /* NewReno partial ACK: retransmit the next hole, deflate
                 * (RFC 6582 3.2 step 3). */
                uint32_t data_end = c->snd_base + c->snd_len;
                uint32_t len = seq_lt(ack, data_end) ? data_end - ack : 0;
                if (len > c->mss)
                    len = c->mss;
                if (len)
                    tcp_send_segment(c, ack, len, 0);
                c->retransmits++;
                c->ts->st.retransmits++;
                tcp_cc_on_partial_ack(&c->cc, acked);
                tcp_rexmit_arm(c);
            } else if (seq_lt(c->rxt_next, ack)) {
                c->rxt_next = ack;
            }
        } else {
            c->dupacks = 0;
            tcp_cc_on_ack(&c->cc, acked, flight_before, now, c->rto.srtt);
        }
        /* RFC 6298 5.2/5.3 */
        if (c->snd_una == c->snd_max)
            c->t_rexmit = 0, c->persist = false;
        else if (!c->persist)
            tcp_rexmit_arm(c);
    } else if (ack == c->snd_una && tcp_flight(c) > 0 && sg->len == 0 &&
               !(h->flags & (TCP_SYN | TCP_FIN)) &&
               (wnd == c->snd_wnd || sack_new)) {
        /* A duplicate ACK (RFC 5681 2). */
        c->dupacks++;
        /* RFC 6675 5 (1)/(2): DupThresh duplicates, or IsLost(HighACK+1)
         * from the SACK scoreboard. */
        bool lost = c->dupacks >= TCP_DUPTHRESH ||
                    (c->sack_ok && tcp_sb_is_lost(tcp_sb_of(c), c->snd_una,
                                                  c->mss, c->snd_una));
        if (!c->in_recovery) {
            /* RFC 6582 4.1: no second reduction for the same window. */
            if (lost &&
                (seq_gt(c->snd_una, c->recover) || c->snd_una == c->recover))
                enter_recovery(c);
        } else if (!c->sack_ok) {
            tcp_cc_on_dupack_in_recovery(&c->cc);
        }
    }

    /* Window update (RFC 9293 3.10.7.4). */
    if (seq_lt(c->snd_wl1, h->seq) ||
        (c->snd_wl1 == h->seq && seq_le(c->snd_wl2, ack))) {
        c->snd_wnd = wnd;
        c->snd_wl1 = h->seq;
        c->snd_wl2 = ack;
        if (wnd > c->max_snd_wnd)
            c->max_snd_wnd = wnd;
        if (wnd > 0 && c->persist) {
            c->persist = false;
            c->t_rexmit = 0;
            c->backoff = 0;
        }
    }

    /* Our FIN acknowledged? */
    bool fin_acked =
        c->wr_shut && c->fin_sent && seq_gt(c->snd_una, tcp_fin_seq(c));
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        if (fin_acked) {
            tcp_set_state(c, TCP_FIN_WAIT_2);
            if (c->user_closed)
                tcp_timer_arm(c, &c->t_wait, now + TCP_FIN_WAIT2_NS);
        }
        break;
    case TCP_CLOSING:
        if (fin_acked) {
            tcp_set_state(c, TCP_TIME_WAIT);
            c->t_rexmit = 0;
            tcp_timer_arm(c, &c->t_wait, now + 2 * TCP_MSL_NS);
        }
        break;
    case TCP_LAST_ACK:
        if (fin_acked) {
            tcp_conn_drop(c, 0);
            return false;
        }
        break;
    default:
        break;
    }
    return true;
}

/* ---- data and FIN
 * -------------------------------------------------------------- */

/* In-order data has made a second segment unacknowledged: RFC 1122 and
 * RFC 5681 4.2 want an ACK.  Inside a receive batch every frame this
 * ACK would make leaves with the rest of the batch at its end (eth.c),
 * so only the last of a connection's ACKs says anything the earlier ones
 * do not: the connection is noted once and net_tcp_rx_end sends one ACK
 * for it, as a receiver that merges a burst into one large segment (GRO)
 * does.  Outside a batch (a test feeding segments directly), at once. */
static void ack_second_segment(struct atoll_tcp_conn *c)
{
    struct tcp_stack *ts = c->ts;
    if (c->ack_batched)
        return;
    if (!net_in_rx(ts->s) || ts->nack_batch == NET_RX_BATCH) {
        c->ack_now = true;
        return;
    }
    c->ack_batched = true;
    ts->ack_batch[ts->nack_batch++] = c;
}

/* Returns false if `c` is gone (reset and freed). */
static bool data_input(struct atoll_tcp_conn *c, const struct seg *sg)
{
    uint32_t seq = sg->h.seq;
    const uint8_t *data = sg->data;
    uint32_t n = sg->len;
    bool fin = sg->h.flags & TCP_FIN;

    if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 &&
        c->state != TCP_FIN_WAIT_2)
        return true; /* the peer already sent FIN: ignore */
    if (n == 0 && !fin)
        return true;
    if (seq_lt(seq, c->rcv_nxt)) { /* duplicate data at the front */
        uint32_t d = c->rcv_nxt - seq;
        if (d > n) { /* all old, FIN included */
            fin = false;
            n = 0;
        } else {
            data += d;
            n -= d;
        }
        seq = c->rcv_nxt;
        c->ack_now = true;
    }
    uint32_t right = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv : c->rcv_nxt;
    if (seq_gt(seq + n, right)) { /* beyond the window */
        n = seq_lt(seq, right) ? right - seq : 0;
        fin = false;
        c->ack_now = true;
    }
    if (c->user_closed && n > 0) {
        /* Nobody will read it (RFC 9293 3.10.4, Linux does the same). */
        tcp_send_rst_conn(c);
        tcp_conn_drop(c, -ATOLL_ECONNRESET);
        return false;
    }
    if (n > 0) {
        uint32_t off = c->rcvbuf.len + (seq - c->rcv_nxt);
        if (tcp_ring_reserve(&c->rcvbuf, off + n, TCP_RCVBUF_MAX) < 0) {
            /* Memory is short: drop (the peer sends it again) and offer
             * no more window than the buffer we have, until the reader
             * empties it (atoll_tcp_read). */
            c->ts->st.mem_short++;
            c->rcv_max = c->rcvbuf.cap > TCP_BUF_INITIAL ? c->rcvbuf.cap
                                                         : TCP_BUF_INITIAL;
            count_drop(c->ts);
            return true;
        }
        if (seq == c->rcv_nxt) {
            tcp_ring_write(&c->rcvbuf, off, data, n);
            c->rcvbuf.len += n;
            c->rcv_nxt += n;
            c->bytes_received += n;
            if (tcp_ooo_n(c) > 0) {
                /* A hole filled: take what now follows in order, and ACK
                 * at once (RFC 5681 4.2). */
                for (;;) {
                    uint32_t nx = tcp_ooo_pull(c->ooo, c->rcv_nxt);
                    if (nx == c->rcv_nxt)
                        break;
                    c->rcvbuf.len += nx - c->rcv_nxt;
                    c->bytes_received += nx - c->rcv_nxt;
                    c->rcv_nxt = nx;
                }
                c->ack_now = true;
            }
            /* A large segment (receive offload: several of the peer's
             * merged) counts as the segments it holds. */
            c->ack_segs += n > c->adv_mss ? 2 : 1;
            if (c->ack_segs >= 2)
                ack_second_segment(c);
            tcp_wake(c, ATOLL_TCP_READABLE);
        } else {
            struct tcp_ooo *q = tcp_ooo_get(c);
            if (!q || !tcp_ooo_add(q, seq, seq + n)) {
                c->ts->st.ooo_dropped++;
                count_drop(c->ts);
            } else {
                tcp_ring_write(&c->rcvbuf, off, data, n);
            }
            if (fin) {
                c->ooo_fin = true;
                c->ooo_fin_seq = seq + n;
            }
            fin = false;
            c->ack_now = true; /* out of order: duplicate ACK now */
        }
    } else if (fin && seq != c->rcv_nxt) {
        /* A FIN alone beyond a hole: kept for when the hole fills, and
         * answered like out-of-order data (RFC 5681 4.2). */
        c->ooo_fin = true;
        c->ooo_fin_seq = seq;
        fin = false;
        c->ack_now = true;
    }
    if (!fin && c->ooo_fin && c->ooo_fin_seq == c->rcv_nxt && tcp_ooo_n(c) == 0)
        fin = true, seq = c->rcv_nxt, n = 0;
    if (fin && seq + n == c->rcv_nxt) {
        c->rcv_nxt++;
        c->rd_done = true;
        c->ack_now = true;
        atoll_time_t now = atoll_now();
        switch (c->state) {
        case TCP_ESTABLISHED:
            tcp_set_state(c, TCP_CLOSE_WAIT);
            break;
        case TCP_FIN_WAIT_1:
            /* Simultaneous close (RFC 9293 3.6, figure 13). */
            tcp_set_state(c, TCP_CLOSING);
            break;
        case TCP_FIN_WAIT_2:
            tcp_set_state(c, TCP_TIME_WAIT);
            c->t_rexmit = 0;
            tcp_timer_arm(c, &c->t_wait, now + 2 * TCP_MSL_NS);
            break;
        default:
            break;
        }
    }
    if (!c->ack_now && !c->ack_batched && c->ack_segs > 0 && !c->t_delack)
        tcp_timer_arm(c, &c->t_delack, atoll_now() + TCP_DELACK_NS);
    return true;
}

/* ---- a segment for an existing connection
 * --------------------------------------- */

static void conn_input(struct atoll_tcp_conn *c, const struct tcp_addrs *ip,
                       const struct seg *sg)
{
    const struct tcp_hdr *h = &sg->h;
    uint8_t fl = h->flags;

    c->last_rx = atoll_now();
    c->ka_probes = 0;
    if (c->keepalive)
        tcp_timer_arm(c, &c->t_keep, c->last_rx + c->ka_idle);

    if (c->state == TCP_SYN_SENT) {
        syn_sent_input(c, ip, sg);
        return;
    }

    /* PAWS (RFC 7323 5.3): an old timestamp marks an old duplicate. */
    if (c->ts_ok && (sg->o.present & TCP_HAS_TS) && !(fl & TCP_RST) &&
        seq_lt(sg->o.tsval, c->ts_recent)) {
        tcp_send_ack(c);
        count_drop(c->ts);
        return;
    }

    /* SYN_RCVD: the peer's SYN again (our SYN-ACK was lost), or its
     * SYN-ACK in a simultaneous open. */
    if (c->state == TCP_SYN_RCVD && (fl & TCP_SYN) && h->seq == c->irs) {
        if ((fl & TCP_ACK) && h->ack == c->iss + 1) {
            c->snd_una = h->ack;
            c->snd_wnd = h->wnd;
            c->snd_wl1 = h->seq, c->snd_wl2 = h->ack;
            c->t_rexmit = 0;
            if (become_established(c))
                tcp_send_ack(c);
        } else if (!(fl & TCP_ACK)) {
            tcp_send_segment(c, c->iss, 0, TCP_SYN);
        }
        return;
    }

    /* Sequence acceptability (RFC 9293 3.10.7.4 first check). */
    uint32_t seglen =
        sg->len + ((fl & TCP_SYN) ? 1 : 0) + ((fl & TCP_FIN) ? 1 : 0);
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    bool ok;
    if (seglen == 0)
        ok = wnd == 0 ? h->seq == c->rcv_nxt
                      : seq_ge(h->seq, c->rcv_nxt) &&
                            seq_lt(h->seq, c->rcv_nxt + wnd);
    else
        ok =
            wnd != 0 &&
            ((seq_ge(h->seq, c->rcv_nxt) && seq_lt(h->seq, c->rcv_nxt + wnd)) ||
             (seq_ge(h->seq + seglen - 1, c->rcv_nxt) &&
              seq_lt(h->seq + seglen - 1, c->rcv_nxt + wnd)));
    if (!ok && seglen == 0 && h->seq == c->rcv_nxt)
        ok = true;
    if (!ok) {
        if (!(fl & TCP_RST))
            tcp_send_ack(c);
        /* In TIME-WAIT the peer's FIN again (our ACK was lost) is old by
         * one: acknowledge it and restart the 2 MSL timeout (RFC 9293
         * 3.10.7.4), so the peer's next try still finds us. */
        if (c->state == TCP_TIME_WAIT && (fl & TCP_FIN) && !(fl & TCP_RST) &&
            h->seq + seglen == c->rcv_nxt)
            tcp_timer_arm(c, &c->t_wait, atoll_now() + 2 * TCP_MSL_NS);
        count_drop(c->ts);
        return;
    }
    /* PAWS bookkeeping: remember the newest timestamp (RFC 7323 4.3). */
    if (c->ts_ok && (sg->o.present & TCP_HAS_TS) &&
        seq_le(h->seq, c->last_ack_sent))
        c->ts_recent = sg->o.tsval;

    /* RST (RFC 5961 3.2): exact match resets, in-window gets a
     * challenge ACK. */
    if (fl & TCP_RST) {
        if (h->seq != c->rcv_nxt) {
            challenge_ack(c);
            return;
        }
        if (c->state == TCP_SYN_RCVD && c->listener)
            tcp_conn_drop(c, -ATOLL_ECONNREFUSED);
        else if (c->state == TCP_CLOSING || c->state == TCP_LAST_ACK ||
                 c->state == TCP_TIME_WAIT)
            tcp_conn_drop(c, 0);
        else
            tcp_conn_drop(c, -ATOLL_ECONNRESET);
        return;
    }
    /* SYN in a synchronized state (RFC 5961 4.2): challenge ACK. */
    if (fl & TCP_SYN) {
        challenge_ack(c);
        return;
    }
    if (!(fl & TCP_ACK))
        return;
    if (c->state == TCP_SYN_RCVD) {
        if (seq_le(h->ack, c->snd_una) || seq_gt(h->ack, c->snd_max)) {
            tcp_send_reset(c->ts, ip, h, sg->len);
            return;
        }
        c->snd_wnd = (uint32_t)h->wnd << c->snd_ws;
        c->snd_wl1 = h->seq, c->snd_wl2 = h->ack;
        if (c->rtt_timing && c->retries == 0)
            tcp_rto_sample(&c->rto, atoll_now() - c->rtt_start);
        c->rtt_timing = false;
        if (!become_established(c))
            return;
    }
    if (c->state == TCP_TIME_WAIT) {
        if (fl & TCP_FIN) { /* retransmitted FIN: ACK, restart 2MSL */
            tcp_send_ack(c);
            tcp_timer_arm(c, &c->t_wait, atoll_now() + 2 * TCP_MSL_NS);
        }
        return;
    }
    if (!ack_input(c, sg))
        return;
    if (c->state == TCP_CLOSED || !data_input(c, sg))
        return;
    tcp_output(c);
}

/* ---- entry from IPv4 and IPv6 (tcp_ip.c)
 * ------------------------------------------------------------- */

void tcp_input(struct tcp_stack *ts, struct atoll_buf *b,
               const struct tcp_addrs *ip)
{
    ts->st.segs_in++;
    struct seg sg;
    if (tcp_hdr_parse(b->data, b->len, &sg.h) < 0 || b->len > 65535) {
        ts->st.bad_header++;
        goto drop;
    }
    /* csum_ok: the interface's host vouches for it (receive offload,
     * atoll/netif.h); the field may hold only a partial sum then. */
    uint32_t sum = tcp_pseudo(&ip->src, &ip->dst, (uint32_t)b->len);
    if (!b->csum_ok && net_csum_fold(net_csum_add(sum, b->data, b->len)) != 0) {
        ts->st.bad_checksum++;
        goto drop;
    }
    if (tcp_opts_parse(b->data + TCP_HLEN, sg.h.hlen - TCP_HLEN, &sg.o) < 0) {
        ts->st.bad_header++;
        goto drop;
    }
    if (sg.h.dport == 0 || sg.h.sport == 0)
        goto drop;
    sg.data = b->data + sg.h.hlen;
    sg.len = (uint32_t)(b->len - sg.h.hlen);

    struct atoll_tcp_conn *c =
        tcp_conn_lookup(ts, &ip->dst, sg.h.dport, &ip->src, sg.h.sport);
    if (c) {
        conn_input(c, ip, &sg);
    } else {
        struct atoll_tcp_listener *l =
            tcp_listener_lookup(ts, sg.h.dport, ip->dst.family);
        if (l) {
            listen_input(ts, l, ip, &sg);
        } else {
            ts->st.no_conn++;
            count_drop(ts);
            uint32_t seglen = sg.len + ((sg.h.flags & TCP_SYN) ? 1 : 0) +
                              ((sg.h.flags & TCP_FIN) ? 1 : 0);
            tcp_send_reset(ts, ip, &sg.h, seglen);
        }
    }
    atoll_buf_free(b);
    return;
drop:
    count_drop(ts);
    atoll_buf_free(b);
}
