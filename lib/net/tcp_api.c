/*
 * lib/net/tcp_api.c - the application's side of TCP (atoll/tcp.h): the
 * calls that block a fiber until the protocol (tcp_in.c, tcp_timer.c)
 * makes progress, and the atoll_flow adapter.  Blocking is always an
 * atoll_event_wait with the caller's deadline; the protocol side
 * broadcasts the connection's events when state, data or space change.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "tcp_int.h"

static struct tcp_stack *stack_tcp(struct atoll_stack *s)
{
    return s ? net_tcp_get(s) : NULL;
}

static bool port_busy(struct tcp_stack *ts, const atoll_addr_t *laddr,
                      uint16_t port, const atoll_addr_t *raddr, uint16_t rport)
{
    return tcp_listener_lookup(ts, port, laddr->family) ||
           tcp_conn_lookup(ts, laddr, port, raddr, rport);
}

int atoll_tcp_connect(struct atoll_stack *s, atoll_addr_t dst, uint16_t port,
                      atoll_time_t deadline, struct atoll_tcp_conn **out)
{
    return atoll_tcp_connect_from(s, 0, dst, port, deadline, out);
}

int tcp_connect_start(struct tcp_stack *ts, uint16_t lport,
                      const atoll_addr_t *dst, uint16_t port,
                      struct atoll_tcp_conn **out)
{
    atoll_addr_t laddr;
    int err = tcp_ip_source(ts, dst, &laddr);
    if (err < 0)
        return err;
    uint32_t range = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
    if (lport && tcp_conn_lookup(ts, &laddr, lport, dst, port))
        return -ATOLL_EADDRINUSE;
    for (uint32_t i = 0; !lport && i < range; i++) {
        uint16_t p = (uint16_t)(TCP_EPHEMERAL_LO + (ts->next_port++ % range));
        if (!port_busy(ts, &laddr, p, dst, port))
            lport = p;
    }
    if (!lport)
        return -ATOLL_EAGAIN;
    struct atoll_tcp_conn *c = tcp_conn_new(ts, &laddr, lport, dst, port);
    if (!c)
        return -ATOLL_ENOMEM;
    c->handed_out = true;
    c->state = TCP_SYN_SENT;
    tcp_cc_init(&c->cc, ts->cc_algo, c->mss);
    c->recover = c->iss;
    ts->st.active_opens++;
    c->rtt_timing = true;
    c->rtt_seq = c->iss;
    c->rtt_start = atoll_now();
    tcp_output(c);
    if (c->soft_error == -ATOLL_EHOSTUNREACH) {
        /* The SYN found no route (no gateway, no router): nothing will
         * answer, so say so now rather than after the retries. */
        c->user_closed = true;
        tcp_conn_drop(c, -ATOLL_EHOSTUNREACH);
        return -ATOLL_EHOSTUNREACH;
    }
    *out = c;
    return 0;
}

int tcp_connect_wait(struct atoll_tcp_conn *c, atoll_time_t deadline,
                     const bool *stop)
{
    while ((c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD) &&
           !(stop && *stop)) {
        if (atoll_event_wait(&c->st_ev, deadline) < 0) {
            c->user_closed = true;
            tcp_conn_drop(c, -ATOLL_ETIMEDOUT);
            return -ATOLL_ETIMEDOUT;
        }
    }
    if (stop && *stop) {
        atoll_tcp_abort(c); /* a RST if the peer answered meanwhile */
        return -ATOLL_ECANCELED;
    }
    if (c->state == TCP_CLOSED) {
        int err = c->error ? c->error : -ATOLL_ECONNRESET;
        c->user_closed = true;
        tcp_conn_maybe_free(c);
        return err;
    }
    return 0;
}

int atoll_tcp_connect_from(struct atoll_stack *s, uint16_t lport,
                           atoll_addr_t dst, uint16_t port,
                           atoll_time_t deadline, struct atoll_tcp_conn **out)
{
    struct tcp_stack *ts = stack_tcp(s);
    if (!ts || !out || port == 0)
        return -ATOLL_EINVAL;
    struct atoll_tcp_conn *c;
    int err = tcp_connect_start(ts, lport, &dst, port, &c);
    if (err < 0 || (err = tcp_connect_wait(c, deadline, NULL)) < 0)
        return err;
    *out = c;
    return 0;
}

int atoll_tcp_listen(struct atoll_stack *s, uint16_t port, int backlog,
                     struct atoll_tcp_listener **out)
{
    return atoll_tcp_listen_family(s, ATOLL_AF_NONE, port, backlog, out);
}

int atoll_tcp_listen_family(struct atoll_stack *s, enum atoll_family family,
                            uint16_t port, int backlog,
                            struct atoll_tcp_listener **out)
{
    struct tcp_stack *ts = stack_tcp(s);
    if (!ts || !out || port == 0 ||
        (family != ATOLL_AF_NONE && family != ATOLL_AF_INET &&
         family != ATOLL_AF_INET6))
        return -ATOLL_EINVAL;
    /* Taken: by a listener for this family or for both, or (when this
     * one is for both) by one for either. */
    for (struct atoll_tcp_listener *x = ts->listeners; x; x = x->next)
        if (x->port == port &&
            (x->family == family || x->family == ATOLL_AF_NONE ||
             family == ATOLL_AF_NONE))
            return -ATOLL_EADDRINUSE;
    struct atoll_tcp_listener *l = atoll_calloc(1, sizeof *l);
    if (!l)
        return -ATOLL_ENOMEM;
    l->ts = ts;
    l->port = port;
    l->family = (uint8_t)family;
    if (backlog <= 0)
        backlog = TCP_BACKLOG_DEFAULT;
    l->backlog = backlog > TCP_BACKLOG_MAX ? TCP_BACKLOG_MAX : backlog;
    atoll_event_init(&l->ev, "tcp accept");
    l->next = ts->listeners;
    ts->listeners = l;
    *out = l;
    return 0;
}

int atoll_tcp_accept(struct atoll_tcp_listener *l, atoll_time_t deadline,
                     struct atoll_tcp_conn **out)
{
    if (!l || !out)
        return -ATOLL_EINVAL;
    while (!l->acc_head) {
        l->waiters++;
        int rc = atoll_event_wait(&l->ev, deadline);
        l->waiters--;
        if (l->closed) {
            if (l->waiters == 0)
                atoll_free(l);
            return -ATOLL_ECLOSED;
        }
        if (rc < 0)
            return -ATOLL_ETIMEDOUT;
    }
    struct atoll_tcp_conn *c = l->acc_head;
    tcp_unqueue(c);
    c->handed_out = true;
    *out = c;
    return 0;
}

void atoll_tcp_listener_close(struct atoll_tcp_listener *l)
{
    if (!l)
        return;
    struct tcp_stack *ts = l->ts;
    while (l->syn_head)
        tcp_conn_drop(l->syn_head, 0);
    while (l->acc_head) {
        struct atoll_tcp_conn *c = l->acc_head;
        tcp_send_rst_conn(c);
        tcp_conn_drop(c, -ATOLL_ECONNRESET);
    }
    for (struct atoll_tcp_listener **pp = &ts->listeners; *pp;
         pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    if (l->waiters > 0) { /* the last of them frees it */
        l->closed = true;
        atoll_event_broadcast(&l->ev);
        return;
    }
    atoll_free(l);
}

/* After the application took bytes: tell the peer if the window opened
 * a lot (it may be waiting on a small or zero window). */
static void window_update(struct atoll_tcp_conn *c)
{
    if (c->state < TCP_ESTABLISHED || c->state == TCP_TIME_WAIT)
        return;
    uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t now = tcp_rcv_window(c);
    if (now >= cur + 2u * c->adv_mss && cur < now / 2)
        tcp_send_ack(c);
}

int atoll_tcp_read(struct atoll_tcp_conn *c, void *buf, size_t len,
                   atoll_time_t deadline)
{
    if (!c || (!buf && len))
        return -ATOLL_EINVAL;
    if (len > INT32_MAX)
        len = INT32_MAX;
    for (;;) {
        if (c->rcvbuf.len > 0) {
            uint32_t n = c->rcvbuf.len < len ? c->rcvbuf.len : (uint32_t)len;
            if (n == 0)
                return 0;
            tcp_ring_read(&c->rcvbuf, 0, buf, n);
            tcp_ring_consume(&c->rcvbuf, n);
            if (c->rcvbuf.len == 0 && tcp_ooo_n(c) == 0) {
                c->rcv_max = TCP_RCVBUF_MAX; /* let it try to grow again */
                tcp_ring_drained(c, &c->rcvbuf);
            }
            window_update(c);
            return (int)n;
        }
        if (c->rd_done)
            return 0;
        if (c->error)
            return c->error;
        if (c->state == TCP_CLOSED)
            return -ATOLL_ENOTCONN;
        if (atoll_event_wait(&c->rd_ev, deadline) < 0)
            return -ATOLL_ETIMEDOUT;
    }
}

/* Why a connection takes no more to send, or 0. */
static int write_refused(const struct atoll_tcp_conn *c)
{
    if (c->error)
        return c->error;
    if (c->wr_shut)
        return -ATOLL_ECLOSED;
    if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)
        return -ATOLL_ENOTCONN;
    return 0;
}

/* Room in the send queue below TCP_SNDBUF_MAX (references may take it
 * beyond). */
static uint32_t queue_room(const struct atoll_tcp_conn *c)
{
    return c->snd_len < TCP_SNDBUF_MAX ? TCP_SNDBUF_MAX - c->snd_len : 0;
}

int atoll_tcp_write(struct atoll_tcp_conn *c, const void *buf, size_t len,
                    atoll_time_t deadline)
{
    if (!c || (!buf && len))
        return -ATOLL_EINVAL;
    if (len > INT32_MAX)
        len = INT32_MAX;
    size_t done = 0;
    while (done < len) {
        int err = write_refused(c);
        if (err)
            return done ? (int)done : err;
        uint32_t space = queue_room(c);
        if (space == 0) {
            if (atoll_event_wait(&c->wr_ev, deadline) < 0)
                return done ? (int)done : -ATOLL_ETIMEDOUT;
            continue;
        }
        uint32_t n = (uint32_t)(len - done < space ? len - done : space);
        if (tcp_ring_reserve(&c->sndbuf, c->sndbuf.len + n, TCP_SNDBUF_MAX) <
            0) {
            /* Memory is short: the buffer stays the size it is, and the
             * write waits for ACKs to make room in it, as at
             * TCP_SNDBUF_MAX.  Out of memory only when nothing is
             * buffered (no ACK will come to free anything). */
            c->ts->st.mem_short++;
            c->snd_short = true;
            uint32_t room = c->sndbuf.cap - c->sndbuf.len;
            if (room == 0 && c->snd_len == 0)
                return done ? (int)done : -ATOLL_ENOMEM;
            if (room == 0) {
                if (atoll_event_wait(&c->wr_ev, deadline) < 0)
                    return done ? (int)done : -ATOLL_ETIMEDOUT;
                continue;
            }
            if (n > room)
                n = room;
        }
        if (tcp_sndq_copy(c, (const uint8_t *)buf + done, n) < 0) {
            /* No record for a run of copies after a reference: memory
             * is short as above, and something is queued. */
            c->ts->st.mem_short++;
            c->snd_short = true;
            if (atoll_event_wait(&c->wr_ev, deadline) < 0)
                return done ? (int)done : -ATOLL_ETIMEDOUT;
            continue;
        }
        done += n;
        tcp_output(c);
    }
    return (int)done;
}

int atoll_tcp_write_ref(struct atoll_tcp_conn *c, const void *buf, size_t len,
                        atoll_tcp_ref_done *done, void *arg,
                        atoll_time_t deadline)
{
    if (!c || (!buf && len) || len > INT32_MAX)
        return -ATOLL_EINVAL;
    for (;;) {
        int err = write_refused(c);
        if (err)
            return err;
        if (queue_room(c) > 0)
            break;
        if (atoll_event_wait(&c->wr_ev, deadline) < 0)
            return -ATOLL_ETIMEDOUT;
    }
    if (len == 0)
        return 0;
    if (tcp_sndq_ref(c, buf, (uint32_t)len, done, arg) < 0) {
        c->ts->st.mem_short++;
        return -ATOLL_ENOMEM;
    }
    tcp_output(c);
    return 0;
}

int atoll_tcp_write_room(struct atoll_tcp_conn *c, size_t want)
{
    if (!c)
        return -ATOLL_EINVAL;
    int err = write_refused(c);
    if (err)
        return err;
    uint32_t room = queue_room(c);
    if (want < room)
        room = (uint32_t)want;
    if (room == 0)
        return 0;
    if (tcp_ring_reserve(&c->sndbuf, c->sndbuf.len + room, TCP_SNDBUF_MAX) <
        0) {
        /* As in write: go on with the buffer there is. */
        c->ts->st.mem_short++;
        c->snd_short = true;
        room = c->sndbuf.cap - c->sndbuf.len;
        if (room == 0 && c->snd_len == 0)
            return -ATOLL_ENOMEM;
    }
    if (tcp_sndq_copy_ready(c) < 0) {
        /* After a reference, not even a piece for the copies. */
        c->ts->st.mem_short++;
        c->snd_short = true;
        return c->snd_len ? 0 : -ATOLL_ENOMEM;
    }
    tcp_idle_arm(c); /* in case nothing is written into it */
    return (int)room;
}

size_t atoll_tcp_readable(const struct atoll_tcp_conn *c)
{
    return c ? c->rcvbuf.len : 0;
}

int atoll_tcp_shutdown(struct atoll_tcp_conn *c)
{
    if (!c)
        return -ATOLL_EINVAL;
    if (c->wr_shut)
        return 0;
    switch (c->state) {
    case TCP_ESTABLISHED:
        c->wr_shut = true;
        tcp_set_state(c, TCP_FIN_WAIT_1);
        break;
    case TCP_CLOSE_WAIT:
        c->wr_shut = true;
        tcp_set_state(c, TCP_LAST_ACK);
        break;
    case TCP_CLOSED:
        return c->error ? c->error : -ATOLL_ENOTCONN;
    default:
        return -ATOLL_ENOTCONN;
    }
    tcp_output(c);
    return 0;
}

void atoll_tcp_abort(struct atoll_tcp_conn *c)
{
    if (!c)
        return;
    tcp_poll_disarm(c);
    c->user_closed = true;
    if (c->state >= TCP_SYN_RCVD && c->state != TCP_TIME_WAIT)
        tcp_send_rst_conn(c);
    if (c->state != TCP_CLOSED)
        tcp_conn_drop(c, -ATOLL_ECONNRESET);
    else
        tcp_conn_maybe_free(c);
}

int atoll_tcp_close(struct atoll_tcp_conn *c)
{
    if (!c)
        return -ATOLL_EINVAL;
    tcp_poll_disarm(c);
    if (c->state == TCP_CLOSED) {
        int err = c->error;
        c->user_closed = true;
        tcp_conn_maybe_free(c);
        (void)err;
        return 0;
    }
    if (c->rcvbuf.len > 0 || c->state == TCP_SYN_SENT) {
        /* Unread data: reset (RFC 9293 3.10.4) so the peer knows. */
        atoll_tcp_abort(c);
        return 0;
    }
    atoll_tcp_shutdown(c);
    c->user_closed = true;
    if (c->state == TCP_FIN_WAIT_2)
        tcp_timer_arm(c, &c->t_wait, atoll_now() + TCP_FIN_WAIT2_NS);
    tcp_conn_maybe_free(c);
    return 0;
}

int atoll_tcp_set_nodelay(struct atoll_tcp_conn *c, bool on)
{
    if (!c)
        return -ATOLL_EINVAL;
    c->nodelay = on;
    if (on)
        tcp_output(c);
    return 0;
}

int atoll_tcp_set_keepalive(struct atoll_tcp_conn *c, bool on,
                            atoll_time_t idle, atoll_time_t interval, int count)
{
    if (!c || idle < 0 || interval < 0 || count < 0)
        return -ATOLL_EINVAL;
    c->keepalive = on;
    c->ka_idle = idle ? idle : TCP_KEEPALIVE_IDLE_NS;
    c->ka_intvl = interval ? interval : TCP_KEEPALIVE_INTERVAL_NS;
    c->ka_count = count ? count : TCP_KEEPALIVE_COUNT;
    c->ka_probes = 0;
    tcp_timer_arm(c, &c->t_keep, on ? c->last_rx + c->ka_idle : 0);
    return 0;
}

/* ---- the flow adapter
 * ----------------------------------------------------------- */

static int flow_read(void *st, void *buf, size_t len, atoll_time_t deadline)
{
    return atoll_tcp_read(st, buf, len, deadline);
}
static int flow_write(void *st, const void *buf, size_t len,
                      atoll_time_t deadline)
{
    return atoll_tcp_write(st, buf, len, deadline);
}
static int flow_write_ref(void *st, const void *buf, size_t len,
                          atoll_time_t deadline)
{
    /* The flow's contract: the memory outlives the flow, so no done. */
    int err = atoll_tcp_write_ref(st, buf, len, NULL, NULL, deadline);
    return err < 0 ? err : (int)len;
}
static int flow_shutdown(void *st)
{
    return atoll_tcp_shutdown(st);
}
static int flow_close(void *st)
{
    return atoll_tcp_close(st);
}
static const struct atoll_flow_ops tcp_flow_ops = {
    flow_read, flow_write, flow_shutdown, flow_close, flow_write_ref};

struct atoll_flow *atoll_tcp_flow(struct atoll_tcp_conn *c)
{
    c->flow.ops = &tcp_flow_ops;
    c->flow.state = c;
    return &c->flow;
}

/* ---- introspection
 * ------------------------------------------------------------------ */

void atoll_tcp_local(const struct atoll_tcp_conn *c, atoll_addr_t *addr,
                     uint16_t *port)
{
    if (addr)
        *addr = c->laddr;
    if (port)
        *port = c->lport;
}

void atoll_tcp_peer(const struct atoll_tcp_conn *c, atoll_addr_t *addr,
                    uint16_t *port)
{
    if (addr)
        *addr = c->raddr;
    if (port)
        *port = c->rport;
}

int atoll_tcp_set_cc(struct atoll_stack *s, enum atoll_tcp_cc cc)
{
    struct tcp_stack *ts = stack_tcp(s);
    if (!ts || (cc != ATOLL_TCP_NEWRENO && cc != ATOLL_TCP_CUBIC))
        return -ATOLL_EINVAL;
    ts->cc_algo = cc;
    return 0;
}

int atoll_tcp_set_tso(struct atoll_stack *s, bool on)
{
    struct tcp_stack *ts = stack_tcp(s);
    if (!ts)
        return -ATOLL_EINVAL;
    ts->tso = on && (net_offloads(s) & (ATOLL_NETIF_TSO4 | ATOLL_NETIF_TSO6));
    return ts->tso == on ? 0 : -ATOLL_ENOTSUP;
}

void atoll_tcp_info(const struct atoll_tcp_conn *c, struct atoll_tcp_info *out)
{
    memset(out, 0, sizeof *out);
    out->state = tcp_state_name(c->state);
    out->mss = c->mss;
    out->sack = c->sack_ok;
    out->timestamps = c->ts_ok;
    out->snd_wscale = c->ws_ok ? c->snd_ws : 0xff;
    out->rcv_wscale = c->ws_ok ? c->rcv_ws : 0xff;
    out->cwnd = c->cc.cwnd;
    out->ssthresh = c->cc.ssthresh;
    out->srtt = c->rto.srtt;
    out->rto = c->rto.rto;
    out->retransmits = c->retransmits;
    out->fast_recoveries = c->fast_recoveries;
    out->sack_recoveries = c->sack_recoveries;
    out->timeouts = c->timeouts;
    out->bytes_sent = c->bytes_sent;
    out->bytes_received = c->bytes_received;
}

void atoll_tcp_stats(struct atoll_stack *s, struct atoll_tcp_stats *out)
{
    struct tcp_stack *ts = stack_tcp(s);
    memset(out, 0, sizeof *out);
    if (!ts)
        return;
    *out = ts->st;
    out->conns = ts->nconns;
}
