/*
 * tests/sim/tcp_peer.h - a scripted TCP peer: a network interface double
 * (struct atoll_netif) under a real stack, through which a test feeds
 * exact segments and reads back exactly what the stack answered.
 *
 * The stack is 198.18.0.2 ("us"); the peer is 198.18.0.3 ("them").  The
 * double answers the stack's ARP requests for the peer by itself and
 * keeps every other frame the stack sends (IPv4/TCP ones are parsed into
 * struct peer_seg); nothing goes anywhere else and nothing arrives that
 * the test did not write, so every answer is the stack's reply to the
 * test's segment.  Time is the sim platform's virtual clock: a test that
 * waits for a timer (a delayed ACK, a retransmission, TIME-WAIT) sleeps
 * and costs no real time.
 *
 * Usage:
 *     struct tcp_peer *p = peer_new();        stack + double
 *     peer_reach(p, PEER_ESTABLISHED);        a connection in that state
 *     peer_send(p, TCP_ACK, seq, ack, len);   a segment from the peer
 *     PEER_EXPECT(p, TCP_ACK, seq, ack, 0);   the stack's next answer
 *     PEER_EXPECT_NONE(p);                    and nothing else
 *     p->burst = true; peer_send(...) ...; peer_burst_end(p);
 *                                             segments in one receive batch
 * (PEER_EXPECT fails the test with the segment it found instead.)
 * Header-only (static functions), like net_util.h.
 */
#ifndef ATOLL_TESTS_TCP_PEER_H
#define ATOLL_TESTS_TCP_PEER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/stack_int.h"
#include "../../lib/net/tcp_int.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/tcp.h"

#define PEER_US    0xc6120002u /* 198.18.0.2, the stack */
#define PEER_THEM  0xc6120003u /* 198.18.0.3, the scripted peer */
#define PEER_PORT  80          /* the port the stack listens on / dials */
#define PEER_EPORT 40000       /* the peer's port when it dials */
/* The peer's initial sequence number: close below 2^32, so that its
 * sequence space wraps during every test. */
#define PEER_ISS 0xfffffff0u

/* A segment the stack sent. */
struct peer_seg {
    struct tcp_hdr h;
    struct tcp_opts o;
    uint32_t len; /* payload bytes */
    uint8_t data[2048];
};

struct tcp_peer {
    struct atoll_netif nif;
    struct atoll_netif_ops ops;
    uint8_t mac[6], them_mac[6];
    struct atoll_bufq rx; /* frames for the stack */
    atoll_event rx_ev;
    struct atoll_bufq tx; /* the stack's TCP segments, oldest first */
    struct atoll_stack *s;
    struct atoll_tcp_listener *l;
    struct atoll_tcp_conn *c; /* the connection under test */
    atoll_fiber *dialer;      /* an active open in progress */
    int dial_err;
    uint16_t them_port;              /* the peer's port in this connection */
    uint16_t us_port;                /* the stack's */
    uint16_t wnd;                    /* the window the peer advertises */
    const struct tcp_opts *syn_opts; /* options of the peer's SYN */
    /* Set: peer_send only queues, so that the segments sent until
     * peer_burst_end reach the stack as one receive batch. */
    bool burst;
};

/* ---- the interface double ------------------------------------------------
 */

static int peer_recv(void *state, struct atoll_buf **frames, int max,
                     atoll_time_t deadline)
{
    struct tcp_peer *p = state;
    while (p->rx.count == 0)
        if (atoll_event_wait(&p->rx_ev, deadline) < 0)
            return -ATOLL_ETIMEDOUT;
    int n = 0;
    while (n < max && p->rx.count)
        frames[n++] = atoll_bufq_pop(&p->rx);
    return n;
}

static void peer_queue_rx(struct tcp_peer *p, const uint8_t *frame, size_t len)
{
    struct atoll_buf *b = atoll_buf_from(frame, len);
    if (!b)
        harness_fail(__FILE__, __LINE__, "out of memory");
    atoll_bufq_push(&p->rx, b);
    atoll_event_notify(&p->rx_ev);
}

/* An ARP request for the peer gets its reply; other ARP is dropped. */
static void peer_arp(struct tcp_peer *p, const uint8_t *frame, size_t len)
{
    struct net_arp a;
    if (net_arp_parse(frame + 14, len - 14, &a) < 0 ||
        a.op != NET_ARP_REQUEST || a.tpa != PEER_THEM)
        return;
    uint8_t f[60] = {0};
    struct net_eth_hdr e;
    memcpy(e.dst, a.sha, 6);
    memcpy(e.src, p->them_mac, 6);
    e.type = NET_ETHTYPE_ARP;
    net_eth_write(f, &e);
    struct net_arp r = {NET_ARP_REPLY, {0}, PEER_THEM, {0}, a.spa};
    memcpy(r.sha, p->them_mac, 6);
    memcpy(r.tha, a.sha, 6);
    net_arp_write(f + 14, &r);
    peer_queue_rx(p, f, sizeof f);
}

static int peer_xmit(void *state, struct atoll_buf *const *frames, int n)
{
    struct tcp_peer *p = state;
    for (int i = 0; i < n; i++) {
        const struct atoll_buf *b = frames[i];
        if (b->len < 14)
            return i ? i : -ATOLL_EMSGSIZE;
        uint16_t type = net_get16(b->data + 12);
        if (type == NET_ETHTYPE_ARP) {
            peer_arp(p, b->data, b->len);
            continue;
        }
        struct atoll_buf *copy = atoll_buf_from(b->data, b->len);
        if (!copy)
            harness_fail(__FILE__, __LINE__, "out of memory");
        atoll_bufq_push(&p->tx, copy);
    }
    return n;
}

static void peer_info(void *state, struct atoll_netif_info *out)
{
    struct tcp_peer *p = state;
    memcpy(out->mac, p->mac, 6);
    out->mtu = 1500;
    out->name = "peer";
    out->offloads = 0;
}

static void peer_stats(void *state, struct atoll_netif_stats *out)
{
    memset(out, 0, sizeof *out);
}

/* A stack on the double, with no connection yet. */
static struct tcp_peer *peer_new(void)
{
    struct tcp_peer *p = atoll_calloc(1, sizeof *p);
    if (!p)
        harness_fail(__FILE__, __LINE__, "out of memory");
    static const uint8_t us[6] = {0x02, 0, 0, 0, 0, 2};
    static const uint8_t them[6] = {0x02, 0, 0, 0, 0, 3};
    memcpy(p->mac, us, 6);
    memcpy(p->them_mac, them, 6);
    p->ops =
        (struct atoll_netif_ops){peer_recv, peer_xmit, peer_info, peer_stats};
    p->nif.ops = &p->ops;
    p->nif.state = p;
    atoll_event_init(&p->rx_ev, "peer rx");
    p->wnd = 65535;
    struct atoll_stack_config c = {.addr = PEER_US, .prefix = 24};
    if (atoll_stack_create("us", &p->nif, &c, &p->s) < 0)
        harness_fail(__FILE__, __LINE__, "stack_create");
    return p;
}

/* ---- segments --------------------------------------------------------------
 */

/* Let the stack and the application fibers run on what they were given
 * (no virtual time to speak of passes). */
static void peer_settle(void)
{
    atoll_sleep(ATOLL_US(1));
}

/* A segment from the peer: `len` payload bytes ('a', 'b', ... from
 * `data` or a pattern), options `o` (NULL: none; a SYN without options
 * gets the peer's p->syn_opts, or MSS 1460), then settle. */
static void peer_send_full(struct tcp_peer *p, uint8_t flags, uint32_t seq,
                           uint32_t ack, const void *data, uint32_t len,
                           const struct tcp_opts *o)
{
    static uint8_t frame[14 + 20 + 60 + 4096];
    uint8_t tcp[60 + 4096];
    struct tcp_opts mss = {.present = TCP_HAS_MSS, .mss = 1460};
    if (!o && (flags & TCP_SYN))
        o = p->syn_opts ? p->syn_opts : &mss;
    int olen = o ? tcp_opts_write(tcp + TCP_HLEN, 40, o) : 0;
    if (olen < 0 || len > 4096)
        harness_fail(__FILE__, __LINE__, "bad test segment");
    struct tcp_hdr h = {
        .sport = p->them_port,
        .dport = p->us_port,
        .seq = seq,
        .ack = ack,
        .hlen = (uint8_t)(TCP_HLEN + olen),
        .flags = flags,
        .wnd = p->wnd,
    };
    tcp_hdr_write(tcp, &h);
    uint8_t *d = tcp + TCP_HLEN + olen;
    for (uint32_t i = 0; i < len; i++)
        d[i] = data ? ((const uint8_t *)data)[i] : (uint8_t)('a' + i % 26);
    size_t tl = TCP_HLEN + (size_t)olen + len;
    uint32_t sum =
        net_csum_pseudo(PEER_THEM, PEER_US, NET_PROTO_TCP, (uint16_t)tl);
    uint16_t csum = net_csum_fold(net_csum_add(sum, tcp, tl));
    tcp[16] = (uint8_t)(csum >> 8), tcp[17] = (uint8_t)csum;
    struct net_ipv4_hdr ip = {
        .ttl = 64, .proto = NET_PROTO_TCP, .src = PEER_THEM, .dst = PEER_US};
    size_t n = net_ip_frame(frame, p->mac, p->them_mac, &ip, tcp, tl);
    peer_queue_rx(p, frame, n);
    if (!p->burst)
        peer_settle();
}

/* The segments sent since p->burst was set arrive together: the stack's
 * receive fiber takes them as one batch (at most NET_RX_BATCH). */
static void peer_burst_end(struct tcp_peer *p)
{
    p->burst = false;
    peer_settle();
}

static void peer_send(struct tcp_peer *p, uint8_t flags, uint32_t seq,
                      uint32_t ack, uint32_t len)
{
    peer_send_full(p, flags, seq, ack, NULL, len, NULL);
}

/* The stack's next TCP segment to the peer; false if it sent none. */
static bool peer_next(struct tcp_peer *p, struct peer_seg *out)
{
    for (;;) {
        struct atoll_buf *b = atoll_bufq_pop(&p->tx);
        if (!b)
            return false;
        struct net_ipv4_hdr ip;
        bool ok = net_get16(b->data + 12) == NET_ETHTYPE_IPV4 &&
                  net_ipv4_parse(b->data + 14, b->len - 14, &ip) == 0 &&
                  ip.proto == NET_PROTO_TCP && ip.dst == PEER_THEM;
        const uint8_t *t = b->data + 14 + ip.hlen;
        size_t tl = ok ? ip.total_len - ip.hlen : 0;
        ok = ok && tcp_hdr_parse(t, tl, &out->h) == 0 &&
             tcp_opts_parse(t + TCP_HLEN, out->h.hlen - TCP_HLEN, &out->o) == 0;
        if (ok) {
            out->len = (uint32_t)(tl - out->h.hlen);
            memcpy(out->data, t + out->h.hlen,
                   out->len < sizeof out->data ? out->len : sizeof out->data);
            /* Every segment we see must carry a correct checksum. */
            uint32_t sum =
                net_csum_pseudo(ip.src, ip.dst, NET_PROTO_TCP, (uint16_t)tl);
            if (net_csum_fold(net_csum_add(sum, t, tl)) != 0)
                harness_fail(__FILE__, __LINE__, "bad TCP checksum");
        }
        atoll_buf_free(b);
        if (ok)
            return true;
    }
}

static const char *peer_flags(uint8_t f, char *buf)
{
    snprintf(buf, 32, "%s%s%s%s%s", f & TCP_SYN ? "S" : "",
             f & TCP_FIN ? "F" : "", f & TCP_RST ? "R" : "",
             f & TCP_PSH ? "P" : "", f & TCP_ACK ? "." : "");
    return buf;
}

/* Check the next segment: flags, seq, ack and payload length exactly
 * (ack only when ACK is set).  Returns it for further checks. */
static struct peer_seg *peer_expect(struct tcp_peer *p, uint8_t flags,
                                    uint32_t seq, uint32_t ack, uint32_t len,
                                    const char *file, int line)
{
    static struct peer_seg g;
    char a[32], b[32];
    if (!peer_next(p, &g))
        harness_fail(file, line, "want [%s] seq %u ack %u len %u: nothing sent",
                     peer_flags(flags, a), seq, ack, len);
    if (g.h.flags != flags || g.h.seq != seq ||
        ((flags & TCP_ACK) && g.h.ack != ack) || g.len != len)
        harness_fail(file, line,
                     "want [%s] seq %u ack %u len %u, got [%s] seq %u ack %u "
                     "len %u",
                     peer_flags(flags, a), seq, ack, len,
                     peer_flags(g.h.flags, b), g.h.seq, g.h.ack, g.len);
    return &g;
}

static void peer_expect_none(struct tcp_peer *p, const char *file, int line)
{
    struct peer_seg g;
    char a[32];
    if (peer_next(p, &g))
        harness_fail(file, line,
                     "want no segment, got [%s] seq %u ack %u len %u",
                     peer_flags(g.h.flags, a), g.h.seq, g.h.ack, g.len);
}

#define PEER_EXPECT(p, flags, seq, ack, len)                                   \
    peer_expect((p), (flags), (seq), (ack), (len), __FILE__, __LINE__)
#define PEER_EXPECT_NONE(p) peer_expect_none((p), __FILE__, __LINE__)

/* ---- reaching a state ------------------------------------------------------
 */

enum peer_state {
    PEER_LISTEN,
    PEER_SYN_SENT,
    PEER_SYN_RECEIVED,
    PEER_ESTABLISHED,
    PEER_FIN_WAIT_1,
    PEER_FIN_WAIT_2,
    PEER_CLOSING,
    PEER_TIME_WAIT,
    PEER_CLOSE_WAIT,
    PEER_LAST_ACK,
};

static const char *const peer_state_names[] = {
    "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSING",  "TIME-WAIT",    "CLOSE-WAIT",  "LAST-ACK",
};

/* The stack's only connection (NULL if none). */
static struct atoll_tcp_conn *peer_conn(struct tcp_peer *p)
{
    struct tcp_stack *ts = net_tcp_get(p->s);
    return ts->all;
}

static int peer_dial(void *arg)
{
    struct tcp_peer *p = arg;
    struct atoll_tcp_conn *c;
    p->dial_err = atoll_tcp_connect(p->s, atoll_addr4(PEER_THEM), PEER_PORT,
                                    atoll_after(ATOLL_SEC(600)), &c);
    return 0;
}

/* The peer's FIN, acknowledging up to `ack`: the stack ACKs it at once. */
static void peer_fin(struct tcp_peer *p, uint32_t ack)
{
    struct atoll_tcp_conn *c = p->c;
    peer_send(p, TCP_FIN | TCP_ACK, c->rcv_nxt, ack, 0);
    PEER_EXPECT(p, TCP_ACK, c->snd_max, c->rcv_nxt, 0);
}

/* The application shuts down sending: our FIN, at `seq`. */
static void peer_our_fin(struct tcp_peer *p, uint32_t seq)
{
    atoll_tcp_shutdown(p->c);
    peer_settle();
    PEER_EXPECT(p, TCP_FIN | TCP_ACK, seq, p->c->rcv_nxt, 0);
}

/* Bring a connection (and the peer's script) to state `st`:
 *   LISTEN       a listener on PEER_PORT, no connection;
 *   SYN-SENT     an active open, its SYN seen;
 *   SYN-RECEIVED a passive open: the peer's SYN, our SYN-ACK seen;
 *   ESTABLISHED  SYN-SENT, then the peer's SYN-ACK and our ACK;
 *   FIN-WAIT-1   ESTABLISHED, then shutdown and our FIN seen;
 *   FIN-WAIT-2   FIN-WAIT-1, then the peer ACKs our FIN;
 *   CLOSING      FIN-WAIT-1, then the peer's FIN (ours not ACKed): ACK;
 *   TIME-WAIT    FIN-WAIT-2, then the peer's FIN: ACK;
 *   CLOSE-WAIT   ESTABLISHED, then the peer's FIN: ACK;
 *   LAST-ACK     CLOSE-WAIT, then shutdown and our FIN seen.
 * Nothing else is left to read from the stack. */
static void peer_reach(struct tcp_peer *p, enum peer_state st)
{
    struct atoll_tcp_conn *c;
    switch (st) {
    case PEER_LISTEN:
        p->them_port = PEER_EPORT;
        p->us_port = PEER_PORT;
        if (atoll_tcp_listen(p->s, PEER_PORT, 0, &p->l) < 0)
            harness_fail(__FILE__, __LINE__, "listen");
        break;
    case PEER_SYN_RECEIVED: {
        peer_reach(p, PEER_LISTEN);
        peer_send(p, TCP_SYN, PEER_ISS, 0, 0);
        c = p->c = peer_conn(p);
        if (!c)
            harness_fail(__FILE__, __LINE__, "no connection after SYN");
        PEER_EXPECT(p, TCP_SYN | TCP_ACK, c->iss, PEER_ISS + 1, 0);
        break;
    }
    case PEER_SYN_SENT:
        atoll_fiber_spawn(&p->dialer, "dial", peer_dial, p, 0);
        peer_settle();
        c = p->c = peer_conn(p);
        if (!c)
            harness_fail(__FILE__, __LINE__, "no connection after connect");
        p->them_port = PEER_PORT;
        p->us_port = c->lport; /* ephemeral */
        PEER_EXPECT(p, TCP_SYN, c->iss, 0, 0);
        break;
    case PEER_ESTABLISHED:
        peer_reach(p, PEER_SYN_SENT);
        c = p->c;
        peer_send(p, TCP_SYN | TCP_ACK, PEER_ISS, c->iss + 1, 0);
        PEER_EXPECT(p, TCP_ACK, c->iss + 1, PEER_ISS + 1, 0);
        atoll_fiber_join(p->dialer, ATOLL_NEVER, NULL);
        p->dialer = NULL;
        if (p->dial_err != 0)
            harness_fail(__FILE__, __LINE__, "connect: %d", p->dial_err);
        break;
    case PEER_FIN_WAIT_1:
        peer_reach(p, PEER_ESTABLISHED);
        peer_our_fin(p, p->c->iss + 1);
        break;
    case PEER_FIN_WAIT_2:
        peer_reach(p, PEER_FIN_WAIT_1);
        c = p->c;
        peer_send(p, TCP_ACK, c->rcv_nxt, c->snd_max, 0);
        break;
    case PEER_CLOSING:
        peer_reach(p, PEER_FIN_WAIT_1);
        peer_fin(p, p->c->snd_una); /* ours not acknowledged */
        break;
    case PEER_TIME_WAIT:
        peer_reach(p, PEER_FIN_WAIT_2);
        peer_fin(p, p->c->snd_max);
        break;
    case PEER_CLOSE_WAIT:
        peer_reach(p, PEER_ESTABLISHED);
        peer_fin(p, p->c->snd_max);
        break;
    case PEER_LAST_ACK:
        peer_reach(p, PEER_CLOSE_WAIT);
        peer_our_fin(p, p->c->snd_una);
        break;
    }
    PEER_EXPECT_NONE(p);
}

#endif
