/*
 * lib/net/tcp_out.c - what TCP sends, and how a segment is built.
 *
 * tcp_output is called whenever something may have become sendable: the
 * application wrote or shut down, an ACK opened a window, a timer fired.
 * It sends as much as the peer's window, the congestion window (or, in
 * SACK recovery, cwnd - pipe, RFC 6675 5) and Nagle's algorithm (RFC 9293
 * 3.7.4; off with nodelay) allow; during SACK recovery RFC 6675's
 * NextSeg() chooses between lost holes, new data and other holes.  An
 * ACK that is due rides on the first segment; if nothing else goes out it
 * is sent alone.
 *
 * With segmentation offload (tcp_tso_max: the interface's ATOLL_NETIF_TSO4
 * for IPv4 connections),
 * new data outside recovery goes out as frames of up to TCP_TSO_MAX_SEGS
 * full segments, which the interface cuts into MSS-sized packets: the
 * decisions above are taken exactly as if those segments went one by one
 * (a frame holds only full segments; a short tail still meets Nagle on
 * its own), the sequence space and timers do not care how the bytes were
 * framed.  Recovery's retransmissions are single segments; after a
 * timeout, what goes again from snd_una (go-back-N) is framed like new
 * data.
 */
#include <string.h>

#include "atoll/error.h"
#include "tcp_int.h"

uint32_t tcp_ts_now(const struct atoll_tcp_conn *c)
{
    return (uint32_t)(atoll_now() / 1000000) + c->ts_offset;
}

uint32_t tcp_rcv_window(const struct atoll_tcp_conn *c)
{
    uint32_t space =
        c->rcv_max > c->rcvbuf.len ? c->rcv_max - c->rcvbuf.len : 0;
    uint32_t maxw = c->ws_ok ? (uint32_t)65535 << c->rcv_ws : 65535;
    if (space > maxw)
        space = maxw;
    uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    /* Receiver SWS avoidance (RFC 9293 3.8.6.2.2): move the right edge
     * only by at least min(buffer / 2, MSS). */
    uint32_t half = c->rcv_max / 2, step = c->adv_mss;
    if (half < step)
        step = half;
    if (space > cur && space - cur < step)
        space = cur;
    return space < cur ? cur : space; /* never shrink the window */
}

uint32_t tcp_fin_seq(const struct atoll_tcp_conn *c)
{
    return c->wr_shut ? c->snd_base + c->snd_len : 0;
}

void tcp_rexmit_arm(struct atoll_tcp_conn *c)
{
    c->persist = false;
    tcp_timer_arm(c, &c->t_rexmit,
                  atoll_now() + tcp_rto_backed_off(&c->rto, c->backoff));
}

int tcp_send_segment(struct atoll_tcp_conn *c, uint32_t seq, uint32_t len,
                     uint8_t flags)
{
    struct tcp_stack *ts = c->ts;
    struct tcp_opts o;
    memset(&o, 0, sizeof o);
    bool syn = flags & TCP_SYN;
    if (syn) {
        o.present = TCP_HAS_MSS;
        o.mss = c->adv_mss;
        /* Offer everything on an active open; on a passive one answer
         * only what the peer offered (RFC 7323 2.2, RFC 2018 2). */
        bool active = c->state == TCP_SYN_SENT;
        if (active || c->ws_ok) {
            o.present |= TCP_HAS_WSCALE;
            o.wscale = c->rcv_ws;
        }
        if (active || c->sack_ok)
            o.present |= TCP_HAS_SACK_OK;
        if (active || c->ts_ok)
            o.present |= TCP_HAS_TS;
    } else if (c->ts_ok) {
        o.present |= TCP_HAS_TS;
    }
    if (o.present & TCP_HAS_TS) {
        o.tsval = tcp_ts_now(c);
        o.tsecr = c->ts_recent;
    }
    if (!syn && c->sack_ok && tcp_ooo_n(c) > 0 && !(flags & TCP_RST)) {
        o.nsack = (uint8_t)tcp_ooo_blocks(c->ooo, o.sack, c->ts_ok ? 3 : 4);
        if (o.nsack)
            o.present |= TCP_HAS_SACK;
    }
    uint8_t optbuf[TCP_OPTS_MAX];
    int olen = tcp_opts_write(optbuf, sizeof optbuf, &o);
    if (olen < 0)
        olen = 0;
    /* c->mss leaves room for the timestamp option only: SACK blocks go on
     * a data segment only as far as its payload leaves room below the
     * peer's MSS, so no segment ever exceeds the path's MTU. */
    uint32_t seg = len < c->mss ? len : c->mss;
    uint32_t room = c->mss + (c->ts_ok ? 12 : 0) - seg;
    while (len && o.nsack && (uint32_t)olen > room) {
        if (--o.nsack == 0)
            o.present &= ~TCP_HAS_SACK;
        olen = tcp_opts_write(optbuf, sizeof optbuf, &o);
        if (olen < 0)
            olen = 0;
    }

    struct atoll_buf *b = net_frame_alloc(ts->s, len);
    if (!b)
        return -ATOLL_ENOMEM;
    if (len)
        tcp_sndq_read(c, seq - c->snd_base, atoll_buf_put(b, len), len);
    uint8_t *p = atoll_buf_push(b, TCP_HLEN + (size_t)olen);
    ATOLL_ASSERT(p != NULL); /* NET_TCP_HEADROOM covers every header */

    if (!(c->state == TCP_SYN_SENT && syn))
        flags |= TCP_ACK;
    uint32_t wnd = tcp_rcv_window(c);
    uint32_t shift = (syn || !c->ws_ok) ? 0 : c->rcv_ws;
    uint32_t field = wnd >> shift;
    if (field > 65535)
        field = 65535;
    if (flags & TCP_ACK) {
        uint32_t edge = c->rcv_nxt + (field << shift);
        if (seq_gt(edge, c->rcv_adv) || c->state < TCP_ESTABLISHED)
            c->rcv_adv = edge;
    }
    struct tcp_hdr h = {
        .sport = c->lport,
        .dport = c->rport,
        .seq = seq,
        .ack = (flags & TCP_ACK) ? c->rcv_nxt : 0,
        .hlen = (uint8_t)(TCP_HLEN + olen),
        .flags = flags,
        .wnd = (uint16_t)field,
    };
    tcp_hdr_write(p, &h);
    memcpy(p + TCP_HLEN, optbuf, (size_t)olen);
    uint32_t sum = tcp_pseudo(&c->laddr, &c->raddr, (uint32_t)b->len);
    uint16_t csum;
    if (len > c->mss) {
        /* A segmentation offload frame: the interface completes each
         * segment's checksum from the pseudo-header sum (atoll/netif.h). */
        b->gso_size = c->mss;
        csum = (uint16_t)~net_csum_fold(sum);
        ts->st.tso_frames++;
    } else {
        csum = net_csum_fold(net_csum_add(sum, p, b->len));
    }
    p[16] = (uint8_t)(csum >> 8), p[17] = (uint8_t)csum;

    if (flags & TCP_ACK) {
        c->ack_segs = 0;
        c->ack_now = false;
        c->sack_dirty = false;
        c->t_delack = 0;
        c->last_ack_sent = c->rcv_nxt;
    }
    ts->st.segs_out++;
    return tcp_ip_output(ts, &c->laddr, &c->raddr, b);
}

/* Segments without data carry snd_max, not snd_nxt: after a timeout
 * snd_nxt goes back to snd_una, and an ACK numbered below what the peer
 * already received would fail its acceptability test and be ignored. */
void tcp_send_ack(struct atoll_tcp_conn *c)
{
    tcp_send_segment(c, c->snd_max, 0, 0);
}

void net_tcp_rx_end(struct atoll_stack *s)
{
    struct tcp_stack *ts = net_tcp_get(s);
    if (!ts)
        return;
    for (int i = 0; i < ts->nack_batch; i++) {
        struct atoll_tcp_conn *c = ts->ack_batch[i];
        if (!c)
            continue; /* freed during the batch */
        ATOLL_ASSERT(c->ack_batched);
        c->ack_batched = false;
        /* Still owed unless data or another ACK left since. */
        if (c->ack_segs == 0)
            continue;
        switch (c->state) {
        case TCP_ESTABLISHED:
        case TCP_FIN_WAIT_1:
        case TCP_FIN_WAIT_2:
        case TCP_CLOSE_WAIT:
        case TCP_CLOSING:
        case TCP_LAST_ACK:
        case TCP_TIME_WAIT:
            tcp_send_ack(c);
            break;
        default:
            break;
        }
    }
    ts->nack_batch = 0;
}

void tcp_send_rst_conn(struct atoll_tcp_conn *c)
{
    c->ts->st.rst_sent++;
    tcp_send_segment(c, c->snd_max, 0, TCP_RST);
}

void tcp_send_reset(struct tcp_stack *ts, const struct tcp_addrs *ip,
                    const struct tcp_hdr *in, uint32_t seglen)
{
    if (in->flags & TCP_RST)
        return; /* never answer a RST */
    struct atoll_buf *b = atoll_buf_alloc(NET_TCP_HEADROOM, 0);
    if (!b)
        return;
    uint8_t *p = atoll_buf_push(b, TCP_HLEN);
    ATOLL_ASSERT(p != NULL);
    struct tcp_hdr h = {
        .sport = in->dport,
        .dport = in->sport,
        .hlen = TCP_HLEN,
    };
    if (in->flags & TCP_ACK) { /* RFC 9293 3.10.7.1 */
        h.seq = in->ack;
        h.flags = TCP_RST;
    } else {
        h.seq = 0;
        h.ack = in->seq + seglen;
        h.flags = TCP_RST | TCP_ACK;
    }
    tcp_hdr_write(p, &h);
    uint32_t sum = tcp_pseudo(&ip->dst, &ip->src, TCP_HLEN);
    uint16_t csum = net_csum_fold(net_csum_add(sum, p, TCP_HLEN));
    p[16] = (uint8_t)(csum >> 8), p[17] = (uint8_t)csum;
    ts->st.rst_sent++;
    ts->st.segs_out++;
    tcp_ip_output(ts, &ip->dst, &ip->src, b);
}

/* Send [seq, seq+len) (and FIN if it ends the stream) and do the
 * bookkeeping common to new data and retransmissions. */
static uint32_t send_data(struct atoll_tcp_conn *c, uint32_t seq, uint32_t len,
                          bool rxt)
{
    uint32_t fin = tcp_fin_seq(c);
    uint8_t flags = 0;
    if (c->wr_shut && seq + len == fin)
        flags |= TCP_FIN;
    if (len && seq + len == c->snd_base + c->snd_len)
        flags |= TCP_PSH;
    uint32_t end = seq + len + ((flags & TCP_FIN) ? 1 : 0);
    if (seq_lt(seq, c->snd_max))
        rxt = true;
    if (rxt) {
        c->retransmits++;
        c->ts->st.retransmits++;
        if (c->rtt_timing && seq_le(seq, c->rtt_seq))
            c->rtt_timing = false; /* Karn */
    } else if (!c->rtt_timing && len) {
        c->rtt_timing = true;
        c->rtt_seq = seq;
        c->rtt_start = atoll_now();
    }
    if (flags & TCP_FIN)
        c->fin_sent = true;
    tcp_send_segment(c, seq, len, flags);
    c->bytes_sent += len;
    if (seq_gt(end, c->snd_max))
        c->snd_max = end;
    if (!c->t_rexmit || c->persist)
        tcp_rexmit_arm(c);
    return end;
}

/* SACK recovery (RFC 6675 5 step (C)): while cwnd - pipe leaves room for
 * a segment, send what NextSeg() picks - a lost hole, else new data, else
 * a hole not yet deemed lost - and recompute pipe.  Each decision costs
 * O(scoreboard ranges); `budget` bounds the segments of one call. */
static void output_sack_recovery(struct atoll_tcp_conn *c, int budget)
{
    for (; budget > 0; budget--) {
        uint32_t pipe = tcp_sb_pipe(tcp_sb_of(c), c->snd_una, c->snd_max,
                                    c->rxt_next, c->mss);
        if (pipe > 0 && c->cc.cwnd < pipe + c->mss)
            return;
        uint32_t data_end = c->snd_base + c->snd_len;
        uint32_t fin = tcp_fin_seq(c);
        bool fin_pending = c->wr_shut && seq_le(c->snd_nxt, fin);
        uint32_t unsent =
            seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
        uint32_t rwnd_room = c->snd_una + c->snd_wnd - c->snd_nxt;
        if (seq_gt(c->snd_nxt, c->snd_una + c->snd_wnd))
            rwnd_room = 0;
        uint32_t nlen = unsent < rwnd_room ? unsent : rwnd_room;
        if (nlen > c->mss)
            nlen = c->mss;
        /* New data goes in full segments, or a short one that empties
         * the buffer (Nagle does not hold back recovery); a FIN alone
         * needs no window. */
        bool fin_alone = unsent == 0 && fin_pending && c->snd_nxt == fin;
        bool new_ok =
            fin_alone || (nlen > 0 && (nlen == c->mss || nlen == unsent));
        uint32_t seq = 0, len = 0;
        switch (tcp_sb_next_seg(tcp_sb_of(c), c->snd_una, c->rxt_next, c->mss,
                                new_ok, &seq, &len)) {
        case TCP_NEXTSEG_LOST:
        case TCP_NEXTSEG_HOLE:
            /* Holes lie below snd_max; only a FIN can lie past the
             * data, and send_data adds it when seq + len reaches it. */
            if (seq_gt(seq + len, data_end)) {
                uint32_t hole_end = seq + len;
                len = seq_lt(seq, data_end) ? data_end - seq : 0;
                if (len == 0 && !(c->wr_shut && seq == fin)) {
                    c->rxt_next = hole_end; /* nothing there to resend */
                    break;
                }
            }
            c->rxt_next = send_data(c, seq, len, true); /* (C.3) HighRxt */
            break;
        case TCP_NEXTSEG_NEW:
            c->snd_nxt = send_data(c, c->snd_nxt, fin_alone ? 0 : nlen, false);
            break;
        default:
            /* Rule (4): one rescue retransmission per recovery, of the
             * highest un-SACKed segment, once HighACK passed RescueRxt;
             * HighRxt stays. */
            if (!seq_gt(c->snd_una, c->rescue) ||
                !tcp_sb_rescue_seg(tcp_sb_of(c), c->snd_una, c->snd_max, c->mss,
                                   &seq, &len))
                return;
            c->rescue = c->recover;
            if (seq_gt(seq + len, data_end))
                len = seq_lt(seq, data_end) ? data_end - seq : 0;
            if (len == 0 && !(c->wr_shut && seq == fin))
                return;
            send_data(c, seq, len, true);
            break;
        }
    }
}

void tcp_output(struct atoll_tcp_conn *c)
{
    TCP_CHECK(c);
    switch (c->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RCVD:
        if (c->snd_max == c->iss) {
            /* No route: what connect reports (at once, tcp_api.c), or a
             * retransmitted SYN's timeout. */
            if (tcp_send_segment(c, c->iss, 0, TCP_SYN) == -ATOLL_EHOSTUNREACH)
                c->soft_error = -ATOLL_EHOSTUNREACH;
            c->snd_nxt = c->snd_max = c->iss + 1;
            tcp_rexmit_arm(c);
        } else if (c->ack_now && c->state == TCP_SYN_RCVD) {
            tcp_send_segment(c, c->iss, 0, TCP_SYN);
        }
        return;
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT_1:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        break;
    case TCP_FIN_WAIT_2:
    case TCP_TIME_WAIT:
        if (c->ack_now)
            tcp_send_ack(c);
        return;
    default:
        return;
    }

    int budget = 1024; /* segments per call: bounds the work of one call */
    if (c->in_recovery && c->sack_ok) {
        output_sack_recovery(c, budget);
        budget = 0;
    }
    for (; budget > 0; budget--) {
        uint32_t data_end = c->snd_base + c->snd_len;
        uint32_t fin = tcp_fin_seq(c);
        bool fin_pending = c->wr_shut && seq_le(c->snd_nxt, fin);
        uint32_t unsent =
            seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
        if (unsent == 0 && !fin_pending)
            break;
        uint32_t flight = c->snd_nxt - c->snd_una;
        /* Limited Transmit (RFC 3042, RFC 6675 5 step 3): each of the
         * first DupThresh - 1 duplicate ACKs lets one new segment out
         * beyond cwnd, so that a small window still produces the ACKs
         * (and SACK blocks) that detect a loss before the RTO. */
        uint32_t cwnd = c->cc.cwnd;
        if (!c->in_recovery && c->dupacks > 0 && c->dupacks < TCP_DUPTHRESH)
            cwnd += (uint32_t)c->dupacks * c->mss;
        uint32_t wnd = cwnd < c->snd_wnd ? cwnd : c->snd_wnd;
        uint32_t room = wnd > flight ? wnd - flight : 0;
        uint32_t len = unsent < room ? unsent : room;
        uint32_t seg_max = c->mss;
        uint32_t tso_max = tcp_tso_max(c);
        if (tso_max && !c->in_recovery) {
            seg_max = (uint32_t)c->mss * TCP_TSO_MAX_SEGS;
            if (seg_max > tso_max)
                seg_max = tso_max;
        }
        if (len > seg_max)
            len = seg_max;
        if (len > c->mss)
            len -= len % c->mss; /* full segments only (see the top) */
        if (len == 0) {
            /* FIN alone once every byte is out (it needs no window). */
            if (unsent == 0 && fin_pending && c->snd_nxt == fin) {
                c->snd_nxt = send_data(c, c->snd_nxt, 0, false);
                continue;
            }
            break;
        }
        if (len < c->mss) {
            /* Nagle (RFC 9293 3.7.4) and sender SWS avoidance: a short
             * segment goes only if it empties the buffer and nothing is
             * in flight (or nodelay), or it is half the peer's largest
             * window. */
            bool empties = len == unsent;
            bool ok = (empties && (c->nodelay || flight == 0 ||
                                   (c->wr_shut && fin_pending))) ||
                      (c->max_snd_wnd && len >= c->max_snd_wnd / 2);
            if (!ok)
                break;
        }
        c->snd_nxt = send_data(c, c->snd_nxt, len, false);
    }

    uint32_t data_end = c->snd_base + c->snd_len;
    if (c->snd_wnd == 0 && seq_lt(c->snd_nxt, data_end) &&
        c->snd_nxt == c->snd_una && !c->t_rexmit) {
        /* Zero window: probe it (RFC 9293 3.8.6.1). */
        c->persist = true;
        tcp_timer_arm(c, &c->t_rexmit,
                      atoll_now() + tcp_rto_backed_off(&c->rto, c->backoff));
    }
    if (c->ack_now)
        tcp_send_ack(c);
}
