/*
 * lib/net/tcp_timer.c - TCP's timers: one fiber per stack, "tcp timers",
 * that sleeps until the earliest deadline of any connection (or until
 * tcp_timer_arm announces an earlier one) and then runs what is due:
 *
 *   t_rexmit  retransmission timeout (RFC 6298 5.4-5.7: back off, collapse
 *             the window, go back to snd_una), SYN retransmission, or -
 *             with `persist` - a zero-window probe (RFC 9293 3.8.6.1)
 *   t_delack  the delayed ACK
 *   t_keep    keepalive probes (RFC 9293 3.8.4)
 *   t_wait    TIME_WAIT's 2*MSL, an orphan's FIN_WAIT_2 timeout
 *   t_idle    a quiet connection gives back its empty buffers
 *
 * Connections with a timer armed sit in a deadline heap (dheap.h) keyed
 * by a time at or before their earliest timer (tcp_timer_arm explains
 * why it may be earlier), so a wake-up costs O(log n) per connection due,
 * whatever the number of connections: 10,000 connections with keepalive
 * each fire on their own schedule without a scan of the others.
 */
#include "atoll/error.h"
#include "tcp_int.h"

static atoll_time_t earliest(atoll_time_t a, atoll_time_t b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

/* What a connection that gave up reports: the ICMP error seen meanwhile
 * (RFC 1122 4.2.3.9: soft errors are reported when the connection times
 * out), else -ATOLL_ETIMEDOUT. */
static int timed_out(const struct atoll_tcp_conn *c)
{
    return c->soft_error ? c->soft_error : -ATOLL_ETIMEDOUT;
}

static bool on_rexmit(struct atoll_tcp_conn *c, atoll_time_t now)
{
    c->t_rexmit = 0;
    if (c->persist) {
        /* Zero-window probe: a segment below the window makes the peer
         * answer with its current window.  Never give up while it does. */
        if (c->backoff < 16)
            c->backoff++;
        tcp_send_segment(c, c->snd_una - 1, 0, 0);
        atoll_time_t t = tcp_rto_backed_off(&c->rto, c->backoff);
        if (t > TCP_PERSIST_MAX_NS)
            t = TCP_PERSIST_MAX_NS;
        c->persist = true;
        tcp_timer_arm(c, &c->t_rexmit, now + t);
        return false;
    }
    if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD) {
        if (++c->retries > TCP_SYN_RETRIES)
            return tcp_conn_drop(c, timed_out(c));
        c->backoff++;
        c->rtt_timing = false;
        tcp_send_segment(c, c->iss, 0, TCP_SYN);
        tcp_rexmit_arm(c);
        return false;
    }
    if (c->snd_una == c->snd_max)
        return false;
    if (++c->retries > TCP_MAX_RETRIES) {
        tcp_send_rst_conn(c);
        return tcp_conn_drop(c, timed_out(c));
    }
    /* RFC 6298 5.5-5.7 and RFC 5681 (4)/(5); RFC 2018 8: forget SACK
     * information, the receiver may have reneged. */
    c->timeouts++;
    tcp_cc_on_timeout(&c->cc, tcp_flight(c));
    c->in_recovery = false;
    c->dupacks = 0;
    c->recover = c->snd_max;
    if (c->sb)
        tcp_sb_clear(c->sb);
    c->snd_nxt = c->snd_una;
    c->rtt_timing = false;
    if (c->backoff < 16)
        c->backoff++;
    tcp_output(c);
    if (!c->t_rexmit)
        tcp_rexmit_arm(c);
    return false;
}

static bool on_keepalive(struct atoll_tcp_conn *c, atoll_time_t now)
{
    c->t_keep = 0;
    if (!c->keepalive ||
        (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT))
        return false;
    if (c->ka_probes >= c->ka_count) {
        tcp_send_rst_conn(c);
        return tcp_conn_drop(c, timed_out(c));
    }
    /* The probe is SEG.SEQ = SND.UNA - 1 with no data (RFC 1122
     * 4.2.3.6): an old sequence number that the peer must ACK. */
    c->ka_probes++;
    tcp_send_segment(c, c->snd_una - 1, 0, 0);
    tcp_timer_arm(c, &c->t_keep, now + c->ka_intvl);
    return false;
}

/* The idle timer: release what the connection does not use, unless it
 * heard from its peer within TCP_BUF_IDLE_NS (then look again later). */
static void on_idle(struct atoll_tcp_conn *c, atoll_time_t now)
{
    c->t_idle = 0;
    if (now - c->last_rx < TCP_BUF_IDLE_NS) {
        if (c->sndbuf.buf || c->rcvbuf.buf || c->sb || c->ooo)
            tcp_timer_arm(c, &c->t_idle, c->last_rx + TCP_BUF_IDLE_NS);
        return;
    }
    tcp_release_idle(c);
}

/* Run what is due on `c`; return its next deadline, or -1 if freed. */
static atoll_time_t run_conn(struct atoll_tcp_conn *c, atoll_time_t now)
{
    if (c->t_wait && c->t_wait <= now) {
        c->t_wait = 0;
        if ((c->state == TCP_TIME_WAIT || c->state == TCP_FIN_WAIT_2) &&
            tcp_conn_drop(c, 0))
            return -1;
    }
    if (c->t_delack && c->t_delack <= now) {
        c->t_delack = 0;
        if (c->ack_segs > 0 || c->ack_now)
            tcp_send_ack(c);
    }
    if (c->t_rexmit && c->t_rexmit <= now && on_rexmit(c, now))
        return -1;
    if (c->t_keep && c->t_keep <= now && on_keepalive(c, now))
        return -1;
    if (c->t_idle && c->t_idle <= now)
        on_idle(c, now);
    if (c->state == TCP_CLOSED)
        return 0;
    TCP_CHECK(c);
    return earliest(earliest(earliest(c->t_rexmit, c->t_delack),
                             earliest(c->t_keep, c->t_wait)),
                    c->t_idle);
}

#define CONN_OF_TNODE(node)                                                    \
    ((struct atoll_tcp_conn *)((char *)(node)-offsetof(struct atoll_tcp_conn,  \
                                                       tnode)))

static int timer_main(void *arg)
{
    struct tcp_stack *ts = arg;
    while (!ts->stopping) {
        atoll_time_t now = atoll_now();
        ts->timer_next = 0; /* arms while we run need no wake-up */
        struct dheap_node *top;
        while ((top = dheap_top(&ts->timers)) && top->key <= now) {
            struct atoll_tcp_conn *c = CONN_OF_TNODE(top);
            dheap_remove(&ts->timers, top);
            atoll_time_t t = run_conn(c, now);
            /* Filed again under its earliest timer (the timers it armed
             * while running may have filed it already). */
            if (t > 0)
                dheap_put(&ts->timers, &c->tnode, t);
            else if (t == 0)
                dheap_remove(&ts->timers, &c->tnode);
        }
        top = dheap_top(&ts->timers);
        ts->timer_next = top ? top->key : ATOLL_NEVER;
        atoll_event_wait(&ts->timer_ev, ts->timer_next);
    }
    return 0;
}

int tcp_timer_start(struct tcp_stack *ts)
{
    ts->timer_next = ATOLL_NEVER;
    return atoll_fiber_spawn(&ts->timer_fiber, "tcp timers", timer_main, ts, 0);
}

void tcp_timer_stop(struct tcp_stack *ts)
{
    if (!ts->timer_fiber)
        return;
    ts->stopping = true;
    atoll_event_notify(&ts->timer_ev);
    atoll_fiber_join(ts->timer_fiber, ATOLL_NEVER, NULL);
    ts->timer_fiber = NULL;
}
