/*
 * lib/net/tcp_int.h - TCP's internal structures and the functions its
 * files share:
 *
 *   tcp_wire.c   header and options parse/write      (tcp_wire.h)
 *   tcp_ring.c   byte rings for the send and receive buffers
 *   tcp_sndq.c   the send queue: ring bytes and memory referred to
 *   tcp_rto.c    RFC 6298 round-trip estimator and timeout
 *   tcp_cc.c     RFC 5681 NewReno and RFC 9438 CUBIC window arithmetic
 *   tcp_sack.c   the sender's SACK scoreboard and the receiver's
 *                out-of-order ranges (RFC 2018, RFC 6675)
 *   tcp_conn.c   per-stack state, connection table, ISNs, ports, life
 *                and death of connections, ICMP errors
 *   tcp_ip.c     the IP layer below, for either family: entry from IPv4
 *                and IPv6, pseudo-header sums, output, MSS from the
 *                path MTU, ICMP and ICMPv6 errors about our segments
 *   tcp_in.c     segment arrival: the RFC 9293 3.10.7 event processing
 *   tcp_out.c    deciding what to send and building segments
 *   tcp_timer.c  the per-stack timer fiber: retransmission, persist,
 *                delayed ACK, keepalive, TIME_WAIT, idle buffers
 *   tcp_api.c    the application interface (atoll/tcp.h, atoll/flow.h)
 *   tcp_race.c   connecting to the first of several addresses that
 *                answers (RFC 8305)
 *   tcp_check.c  the invariants of connections and listeners
 *   tcp_poll.c   pollers: one fiber waits on many connections
 *   dheap.c      the deadline heap behind the timers and pollers
 *
 * Everything runs in fibers of one core: the stack's receive fiber
 * (tcp_input), the timer fiber and application fibers.  Code between two
 * blocking calls is atomic, so there are no locks; only tcp_api.c blocks.
 */
#ifndef ATOLL_NET_TCP_INT_H
#define ATOLL_NET_TCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/fiber.h"
#include "atoll/flow.h"
#include "atoll/invariant.h"
#include "atoll/net_tunables.h"
#include "atoll/netif.h"
#include "atoll/tcp.h"
#include "dheap.h"
#include "net.h"
#include "tcp_wire.h"

enum tcp_state {
    TCP_CLOSED = 0,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RCVD,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};
const char *tcp_state_name(enum tcp_state st);

/* ---- byte ring (tcp_ring.c) ----------------------------------------------
 * Bytes at offsets [0, cap) from `head`; `len` of them are "in" the ring
 * (the send buffer's queued bytes, the receive buffer's in-order bytes).
 * The receive side also writes beyond len (out-of-order data at its
 * offset).  cap is a power of two that grows up to a maximum. */
struct tcp_ring {
    uint8_t *buf;
    uint32_t cap, head, len;
};
/* Make offsets [0, need) writable (need <= max).  0 or -ATOLL_ENOMEM. */
int tcp_ring_reserve(struct tcp_ring *r, uint32_t need, uint32_t max);
void tcp_ring_write(struct tcp_ring *r, uint32_t off, const void *p,
                    uint32_t n);
void tcp_ring_read(const struct tcp_ring *r, uint32_t off, void *p, uint32_t n);
void tcp_ring_consume(struct tcp_ring *r, uint32_t n);
void tcp_ring_free(struct tcp_ring *r);

/* ---- send queue (tcp_sndq.c) ---------------------------------------------
 * The bytes given to send and not yet acknowledged, snd_len of them from
 * snd_base: copied into the send ring (atoll_tcp_write) or referred to in
 * the caller's memory (atoll_tcp_write_ref).  While nothing is referred
 * to, the queue is the ring alone (sq_head NULL, snd_len == sndbuf.len);
 * once something is, it is a list of pieces in sequence order, each the
 * next `len` bytes of the ring (p NULL) or `len` bytes at p. */
struct tcp_sref {
    struct tcp_sref *next;
    const uint8_t *p;         /* NULL: ring bytes */
    uint32_t len;             /* not yet acknowledged */
    atoll_tcp_ref_done *done; /* referred memory: called when released */
    void *arg;
};
struct atoll_tcp_conn;
/* Make sure a copy can be appended without allocating (a piece for
 * ring bytes after a reference): 0, or -ATOLL_ENOMEM. */
int tcp_sndq_copy_ready(struct atoll_tcp_conn *c);
/* Append n bytes copied from p (the ring has room for them: reserved by
 * the caller).  0, or -ATOLL_ENOMEM with nothing queued. */
int tcp_sndq_copy(struct atoll_tcp_conn *c, const void *p, uint32_t n);
/* Append n bytes at p by reference.  0, or -ATOLL_ENOMEM with nothing
 * queued. */
int tcp_sndq_ref(struct atoll_tcp_conn *c, const void *p, uint32_t n,
                 atoll_tcp_ref_done *done, void *arg);
/* Copy the n queued bytes from offset off (from snd_base) to dst. */
void tcp_sndq_read(struct atoll_tcp_conn *c, uint32_t off, uint8_t *dst,
                   uint32_t n);
/* The first n bytes were acknowledged: drop them (completing referred
 * pieces wholly acknowledged); snd_base moves on. */
void tcp_sndq_consume(struct atoll_tcp_conn *c, uint32_t n);
/* The connection ended: release every referred piece with `status`
 * (its done called), the pieces' records freed; the ring stays. */
void tcp_sndq_release(struct atoll_tcp_conn *c, int status);

/* ---- RTO (tcp_rto.c) ------------------------------------------------------
 */
struct tcp_rto {
    atoll_time_t srtt, rttvar, rto; /* srtt == 0: no sample yet */
};
void tcp_rto_init(struct tcp_rto *r);
void tcp_rto_sample(struct tcp_rto *r, atoll_time_t rtt);
/* The timeout after `backoff` doublings, clamped to TCP_RTO_MAX_NS. */
atoll_time_t tcp_rto_backed_off(const struct tcp_rto *r, int backoff);

/* ---- congestion control (tcp_cc.c) ----------------------------------------
 */
struct tcp_cc {
    enum atoll_tcp_cc algo;
    uint32_t cwnd, ssthresh, mss;
    uint32_t acked_accum; /* NewReno congestion avoidance byte counting */
    /* CUBIC (RFC 9438 4): in units of bytes and ns */
    double w_max, w_last_max, k, w_est;
    atoll_time_t epoch; /* 0: no epoch */
};
void tcp_cc_init(struct tcp_cc *cc, enum atoll_tcp_cc algo, uint32_t mss);
/* New data acknowledged outside recovery. */
void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight,
                   atoll_time_t now, atoll_time_t srtt);
/* A loss: sets ssthresh (and the CUBIC state), cwnd unchanged. */
void tcp_cc_on_loss(struct tcp_cc *cc, uint32_t flight);
/* Fast recovery begins (duplicate ACKs, or SACK's IsLost): a loss, then
 * cwnd = ssthresh (SACK) or ssthresh + 3 SMSS (NewReno). */
void tcp_cc_enter_recovery(struct tcp_cc *cc, uint32_t flight, bool sack);
/* NewReno: a further duplicate ACK in recovery inflates cwnd by SMSS. */
void tcp_cc_on_dupack_in_recovery(struct tcp_cc *cc);
/* NewReno: a partial ACK of `acked` bytes in recovery deflates cwnd. */
void tcp_cc_on_partial_ack(struct tcp_cc *cc, uint32_t acked);
/* A retransmission timeout: ssthresh as for a loss, cwnd = one segment. */
void tcp_cc_on_timeout(struct tcp_cc *cc, uint32_t flight);
/* Leaving fast recovery with `flight` bytes outstanding. */
void tcp_cc_on_recovery_end(struct tcp_cc *cc, uint32_t flight, bool sack);

/* ---- SACK (tcp_sack.c) ----------------------------------------------------
 */
struct tcp_range {
    uint32_t left, right; /* [left, right) */
};
/* The sender's scoreboard: disjoint sorted ranges above snd_una. */
struct tcp_scoreboard {
    struct tcp_range r[TCP_SACK_RANGES_MAX];
    int n;
    uint32_t bytes; /* total SACKed */
};
/* What a connection without a scoreboard reads (nothing SACKed). */
extern const struct tcp_scoreboard tcp_sb_none;
/* Record a SACK block (ignored unless within (una, max]).  True if it
 * added anything new. */
bool tcp_sb_add(struct tcp_scoreboard *sb, uint32_t left, uint32_t right,
                uint32_t una, uint32_t max);
/* Forget everything below `una` (a cumulative ACK moved). */
void tcp_sb_advance(struct tcp_scoreboard *sb, uint32_t una);
void tcp_sb_clear(struct tcp_scoreboard *sb);
/* The highest SACKed sequence number (una when none). */
uint32_t tcp_sb_high(const struct tcp_scoreboard *sb, uint32_t una);
/* First un-SACKed byte at or after `from` below the highest SACKed byte:
 * stores the hole [*left, *right) and returns true, or false if none. */
bool tcp_sb_next_hole(const struct tcp_scoreboard *sb, uint32_t una,
                      uint32_t from, uint32_t *left, uint32_t *right);
/* Un-SACKed bytes in [una, to). */
uint32_t tcp_sb_holes_below(const struct tcp_scoreboard *sb, uint32_t una,
                            uint32_t to);

/* RFC 6675 4.  una is HighACK + 1, rxt_end is HighRxt + 1, mss is SMSS;
 * each costs O(number of ranges).
 * The lost boundary: an un-SACKed byte below it IsLost(), one at or above
 * it is not (una when nothing is lost). */
uint32_t tcp_sb_lost_edge(const struct tcp_scoreboard *sb, uint32_t una,
                          uint32_t mss);
/* IsLost(seq) for an un-SACKed seq: DupThresh SACKed segments or more
 * than (DupThresh - 1) * SMSS SACKed bytes above it. */
bool tcp_sb_is_lost(const struct tcp_scoreboard *sb, uint32_t una, uint32_t mss,
                    uint32_t seq);
/* SetPipe(): octets in flight below high_data (HighData + 1). */
uint32_t tcp_sb_pipe(const struct tcp_scoreboard *sb, uint32_t una,
                     uint32_t high_data, uint32_t rxt_end, uint32_t mss);
/* NextSeg() rules (1)-(3).  new_data: rule (2) could send new data.
 * Returns which rule chose; for LOST and HOLE (and for NEW when a hole
 * exists) [*seq, *seq + *len) is the hole segment to retransmit. */
enum {
    TCP_NEXTSEG_NONE = 0,
    TCP_NEXTSEG_LOST = 1, /* rule (1): retransmit a lost hole */
    TCP_NEXTSEG_NEW = 2,  /* rule (2): send new data */
    TCP_NEXTSEG_HOLE = 3, /* rule (3): retransmit a hole not yet lost */
};
int tcp_sb_next_seg(const struct tcp_scoreboard *sb, uint32_t una,
                    uint32_t rxt_end, uint32_t mss, bool new_data,
                    uint32_t *seq, uint32_t *len);
/* NextSeg() rule (4)'s segment: up to SMSS ending at the highest
 * un-SACKed byte below high_data.  False if every byte is SACKed. */
bool tcp_sb_rescue_seg(const struct tcp_scoreboard *sb, uint32_t una,
                       uint32_t high_data, uint32_t mss, uint32_t *seq,
                       uint32_t *len);

/* The receiver's out-of-order ranges (above rcv_nxt, sorted), and which
 * was touched last (reported first, RFC 2018 4). */
struct tcp_ooo {
    struct tcp_range r[TCP_OOO_RANGES_MAX];
    int n;
    int last;
};
/* Add [left, right); false if it would need more than
 * TCP_OOO_RANGES_MAX ranges (the caller drops the segment). */
bool tcp_ooo_add(struct tcp_ooo *q, uint32_t left, uint32_t right);
/* If the first range starts at or before `nxt`, remove it and return its
 * right edge; else return nxt. */
uint32_t tcp_ooo_pull(struct tcp_ooo *q, uint32_t nxt);
/* Up to `max` SACK blocks, the most recently changed first. */
int tcp_ooo_blocks(const struct tcp_ooo *q, struct tcp_sack_block *out,
                   int max);

/* ---- connections ----------------------------------------------------------
 */

struct tcp_stack;

/* A connection's place in a poller (tcp_poll.c).  Lives in the
 * connection, so arming one allocates nothing. */
struct tcp_poll_entry {
    struct atoll_tcp_poller *poller;    /* NULL: not armed */
    void *user;                         /* handed back with its events */
    struct atoll_tcp_conn *next, *prev; /* the poller's ready list */
    struct dheap_node deadline;         /* in the poller's heap if it has one */
    uint8_t events;                     /* ATOLL_TCP_READABLE/WRITABLE */
    bool queued;                        /* on the ready list */
};

struct atoll_tcp_conn {
    struct tcp_stack *ts;
    struct atoll_tcp_conn *hnext;        /* hash chain */
    struct atoll_tcp_conn *next, *prev;  /* all connections */
    struct atoll_tcp_conn *qnext;        /* listener's syn/accept queue */
    struct atoll_tcp_listener *listener; /* while queued on one */
    bool in_accept_q, in_hash;

    /* The two ends, of one family: everything below the address (tcp_ip.c)
     * looks at the family, nothing else does. */
    atoll_addr_t laddr, raddr;
    uint16_t lport, rport;
    enum tcp_state state;
    /* The next hop held in the ARP table (net_neigh_hold), or 0; IPv6
     * neighbours are not held (ND's cache keeps what is in use). */
    atoll_ipv4_t neigh;
    /* The last ICMP error about the connection once synchronized (RFC
     * 5927 4.1: soft), reported instead of -ATOLL_ETIMEDOUT if it times
     * out before an ACK shows the path works again; 0 if none. */
    int soft_error;
    int error;        /* sticky error reported to the application */
    bool user_closed; /* the application released its handle */
    bool handed_out;  /* the application has (or had) a handle */
    bool wr_shut;     /* application shut down sending: FIN queued */
    bool rd_done;     /* peer's FIN received (in order) */
    bool fin_sent;    /* our FIN has been sent at least once */
    bool nodelay;
    bool sack_ok, ts_ok, ws_ok;
    uint8_t snd_ws, rcv_ws;
    uint16_t mss;     /* what we send in a segment (payload) */
    uint16_t adv_mss; /* what we told the peer */

    /* send side */
    uint32_t iss, snd_una, snd_nxt, snd_max;
    uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
    uint32_t snd_base; /* sequence number of the send queue's first byte */
    uint32_t snd_len;  /* bytes in the send queue (tcp_sndq.c) */
    struct tcp_ring sndbuf;
    struct tcp_sref *sq_head, *sq_tail; /* NULL: the queue is the ring */
    /* Where the last read started (tcp_sndq.c): the piece, the queue
     * offset of its first byte and the ring bytes before it, so that
     * sending in order does not walk the list from its head each time. */
    struct tcp_sref *sq_cur;
    uint32_t sq_cur_off, sq_cur_ring;
    /* The send buffer could not grow (memory short): not writable for a
     * poller until an ACK makes room. */
    bool snd_short;
    /* SACK scoreboard, made when the first SACK block arrives and freed
     * when it is empty and the connection idle (tcp_sb_of reads it). */
    struct tcp_scoreboard *sb;
    struct tcp_cc cc;
    int dupacks;
    bool in_recovery;  /* fast recovery (NewReno or SACK) */
    uint32_t recover;  /* snd_max when recovery started */
    uint32_t rxt_next; /* SACK recovery: next hole byte to retransmit */
    uint32_t rescue;   /* RFC 6675 RescueRxt + 1 */

    /* receive side */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised */
    struct tcp_ring rcvbuf;
    /* The receive buffer's size limit: TCP_RCVBUF_MAX, or the ring's size
     * while memory was too short to grow it (tcp_in.c, tcp_api.c). */
    uint32_t rcv_max;
    struct tcp_ooo *ooo; /* made for the first out-of-order segment */
    bool ooo_fin;
    uint32_t ooo_fin_seq;
    uint32_t ts_recent, ts_offset, last_ack_sent;
    int ack_segs;     /* segments received since our last ACK */
    bool ack_now;     /* send an ACK at the next output */
    bool ack_batched; /* in ts->ack_batch: ACK when the receive batch ends */
    bool sack_dirty;  /* ooo changed: report SACK blocks */

    /* timers (absolute deadlines, 0 = off) */
    struct tcp_rto rto;
    int backoff, retries;
    bool persist; /* t_rexmit is the zero-window probe timer */
    atoll_time_t t_rexmit, t_delack, t_keep, t_wait;
    atoll_time_t t_idle;     /* release empty buffers if still idle then */
    struct dheap_node tnode; /* in the stack's timer heap (tcp_timer.c) */
    bool rtt_timing;
    uint32_t rtt_seq;
    atoll_time_t rtt_start;
    bool keepalive;
    atoll_time_t ka_idle, ka_intvl;
    int ka_count, ka_probes;
    atoll_time_t last_rx;

    atoll_event rd_ev, wr_ev, st_ev;
    struct tcp_poll_entry pe;
    struct atoll_flow flow;
    uint64_t retransmits, fast_recoveries, sack_recoveries, timeouts;
    uint64_t bytes_sent, bytes_received;
};

struct atoll_tcp_listener {
    struct tcp_stack *ts;
    struct atoll_tcp_listener *next;
    uint16_t port;
    uint8_t family; /* ATOLL_AF_INET, ATOLL_AF_INET6, or NONE: both */
    int backlog;
    struct atoll_tcp_conn *syn_head, *syn_tail; /* SYN_RCVD, oldest first */
    int syn_n;
    struct atoll_tcp_conn *acc_head, *acc_tail; /* established */
    int acc_n;
    atoll_event ev;
    /* Fibers blocked in accept.  Closing wakes them and leaves the
     * listener for the last of them to free: each looks at `closed`
     * after it wakes. */
    int waiters;
    bool closed;
};

#define TCP_HASH_BUCKETS 4096

struct tcp_stack {
    struct atoll_stack *s;
    struct atoll_tcp_conn *hash[TCP_HASH_BUCKETS];
    struct atoll_tcp_conn *all; /* list of every connection */
    /* The connection found last (tcp_conn_lookup): a bulk transfer's
     * ACKs all find the same one without hashing the 4-tuple. */
    struct atoll_tcp_conn *last;
    struct atoll_tcp_listener *listeners;
    /* Connections whose in-order data asked for an ACK during the current
     * receive batch (tcp_in.c); net_tcp_rx_end sends one ACK each.  A
     * freed connection leaves a NULL here (tcp_conn.c). */
    struct atoll_tcp_conn *ack_batch[NET_RX_BATCH];
    int nack_batch;
    uint32_t nconns;
    enum atoll_tcp_cc cc_algo;
    bool tso; /* send TCP_TSO_MAX_SEGS-segment frames (interface TSO4/6) */
    uint8_t secret[16];
    uint16_t next_port;
    struct atoll_tcp_stats st;
    /* RFC 5961 challenge ACK limit */
    atoll_time_t chal_epoch;
    uint32_t chal_count;
    /* the timer fiber, and every connection with a timer armed, by the
     * earliest (tcp_timer.c) */
    atoll_fiber *timer_fiber;
    atoll_event timer_ev;
    atoll_time_t timer_next; /* when the fiber wakes up next */
    struct dheap timers;
    bool stopping;
};

/* The addresses of a segment that arrived (tcp_ip.c to tcp_in.c). */
struct tcp_addrs {
    atoll_addr_t src, dst;
};

/* tcp_conn.c */
struct atoll_tcp_conn *tcp_conn_new(struct tcp_stack *ts,
                                    const atoll_addr_t *laddr, uint16_t lport,
                                    const atoll_addr_t *raddr, uint16_t rport);
struct atoll_tcp_conn *
tcp_conn_lookup(struct tcp_stack *ts, const atoll_addr_t *laddr, uint16_t lport,
                const atoll_addr_t *raddr, uint16_t rport);
/* The listener on `port` for `family`: its own family's first, else one
 * for both (family ATOLL_AF_NONE finds only one for both). */
struct atoll_tcp_listener *tcp_listener_lookup(struct tcp_stack *ts,
                                               uint16_t port, uint8_t family);
uint32_t tcp_isn(struct tcp_stack *ts, const struct atoll_tcp_conn *c);
/* Move to CLOSED with `err` (0: orderly), wake every waiter, and free the
 * connection if nobody holds a handle.  Returns true if `c` was freed. */
bool tcp_conn_drop(struct atoll_tcp_conn *c, int err);
/* Free when closed and no handle is held; returns true if freed. */
bool tcp_conn_maybe_free(struct atoll_tcp_conn *c);
void tcp_set_state(struct atoll_tcp_conn *c, enum tcp_state st);
/* Remove from its listener's syn or accept queue. */
void tcp_unqueue(struct atoll_tcp_conn *c);
/* Arm a timer (deadline 0 = off) and make the timer fiber see it. */
void tcp_timer_arm(struct atoll_tcp_conn *c, atoll_time_t *t,
                   atoll_time_t deadline);
/* An ICMP or ICMPv6 error about a segment we sent from `local` to
 * `remote` (t: the quoted TCP header's first 8 bytes).  `unreach`: a
 * destination unreachable (`hard` if it says port or protocol), else a
 * time exceeded.  `mtu` > 0: a Packet Too Big that lowered the path MTU
 * to it (the send MSS follows). */
void tcp_icmp_error(struct tcp_stack *ts, const atoll_addr_t *local,
                    const atoll_addr_t *remote, const uint8_t *t, bool unreach,
                    bool hard, uint32_t mtu);
/* Rate-limited challenge ACK permission (RFC 5961 7). */
bool tcp_challenge_ok(struct tcp_stack *ts);
/* May a listener take one more connection?  Not at TCP_CONNS_MAX nor
 * when the heap is down to its reserve (TCP_ACCEPT_MEM_RESERVE_PCT). */
bool tcp_room_for_conn(const struct tcp_stack *ts);
/* The scoreboard / out-of-order ranges of `c`, made on first use (NULL
 * when memory is short). */
struct tcp_scoreboard *tcp_sb_get(struct atoll_tcp_conn *c);
struct tcp_ooo *tcp_ooo_get(struct atoll_tcp_conn *c);
static inline const struct tcp_scoreboard *
tcp_sb_of(const struct atoll_tcp_conn *c)
{
    return c->sb ? c->sb : &tcp_sb_none;
}
static inline int tcp_ooo_n(const struct atoll_tcp_conn *c)
{
    return c->ooo ? c->ooo->n : 0;
}
/* Arm the idle timer that releases the empty buffers of a connection that
 * stays quiet for TCP_BUF_IDLE_NS. */
void tcp_idle_arm(struct atoll_tcp_conn *c);
/* Ring `r` of `c` went empty: a small one (TCP_BUF_INITIAL) is freed at
 * once, a grown one when the connection stays quiet (tcp_idle_arm). */
void tcp_ring_drained(struct atoll_tcp_conn *c, struct tcp_ring *r);
/* Release the empty buffers and SACK/out-of-order records of `c`. */
void tcp_release_idle(struct atoll_tcp_conn *c);

/* tcp_poll.c */
/* Data, room, end of stream or an error came to `c` (`events`: what may
 * now hold): wake the fibers blocked on it and, if a poller waits for
 * that, queue it there. */
void tcp_wake(struct atoll_tcp_conn *c, unsigned events);
/* Take `c` out of its poller, if armed. */
void tcp_poll_disarm(struct atoll_tcp_conn *c);
/* What holds on `c` now, of ATOLL_TCP_READABLE | ATOLL_TCP_WRITABLE. */
unsigned tcp_poll_ready(const struct atoll_tcp_conn *c);

/* tcp_out.c */
/* Send whatever the windows, Nagle and pending ACKs allow. */
void tcp_output(struct atoll_tcp_conn *c);
/* Send one segment: `len` bytes of the send buffer from `seq` with
 * `flags` (SYN/FIN added when seq covers them).  0 or an error. */
int tcp_send_segment(struct atoll_tcp_conn *c, uint32_t seq, uint32_t len,
                     uint8_t flags);
void tcp_send_ack(struct atoll_tcp_conn *c);
/* A RST in reply to a segment that has no connection (RFC 9293 3.10.7.1). */
void tcp_send_reset(struct tcp_stack *ts, const struct tcp_addrs *ip,
                    const struct tcp_hdr *h, uint32_t seglen);
/* A RST on an existing connection (abort). */
void tcp_send_rst_conn(struct atoll_tcp_conn *c);
/* Window we can advertise now (bytes, before scaling). */
uint32_t tcp_rcv_window(const struct atoll_tcp_conn *c);
/* The current RFC 7323 timestamp clock (1 ms ticks). */
uint32_t tcp_ts_now(const struct atoll_tcp_conn *c);
/* Retransmission-timer helpers. */
void tcp_rexmit_arm(struct atoll_tcp_conn *c);
/* Sequence number just after our FIN, or 0 if none queued. */
uint32_t tcp_fin_seq(const struct atoll_tcp_conn *c);
/* Bytes sent and not acknowledged (SYN/FIN included). */
static inline uint32_t tcp_flight(const struct atoll_tcp_conn *c)
{
    return c->snd_max - c->snd_una;
}

/* tcp_check.c: stop with a message (atoll/invariant.h) if a connection
 * or a listener breaks an invariant; TCP_CHECK runs the connection's
 * check only when ATOLL_INVARIANTS compiles checks in. */
void tcp_check_conn(const struct atoll_tcp_conn *c);
void tcp_check_listener(const struct atoll_tcp_listener *l);
#define TCP_CHECK(c)                                                           \
    do {                                                                       \
        if (ATOLL_INVARIANTS)                                                  \
            tcp_check_conn(c);                                                 \
    } while (0)

/* tcp_in.c: a segment (data = the TCP header) from ip->src to ip->dst,
 * either family; its checksum already checked.  Owns b. */
void tcp_input(struct tcp_stack *ts, struct atoll_buf *b,
               const struct tcp_addrs *ip);

/* tcp_ip.c */
/* The pseudo-header sum for a segment of `len` bytes (RFC 9293 3.1, RFC
 * 8200 8.1). */
uint32_t tcp_pseudo(const atoll_addr_t *src, const atoll_addr_t *dst,
                    uint32_t len);
/* Send the segment b (data = TCP header) from src to dst.  Owns b. */
int tcp_ip_output(struct tcp_stack *ts, const atoll_addr_t *src,
                  const atoll_addr_t *dst, struct atoll_buf *b);
/* The MSS for an MTU: less the IP and TCP headers (40 bytes over IPv4,
 * 60 over IPv6), at least 64.  tcp_mss_for: for a connection to dst,
 * from its path MTU (the MSS option we send, and what a Packet Too Big
 * lowers the send MSS to). */
uint16_t tcp_mss_of_mtu(uint32_t mtu, uint8_t family);
uint16_t tcp_mss_for(struct tcp_stack *ts, const atoll_addr_t *dst);
/* Largest TCP segment (header included) an offload frame to dst may be,
 * or 0 when the interface cannot segment for dst's family. */
uint32_t tcp_tso_max(const struct atoll_tcp_conn *c);
/* Our source address for dst: 0 or -ATOLL_EHOSTUNREACH, -ATOLL_EINVAL. */
int tcp_ip_source(struct tcp_stack *ts, const atoll_addr_t *dst,
                  atoll_addr_t *out);

/* tcp_timer.c */
int tcp_timer_start(struct tcp_stack *ts);
void tcp_timer_stop(struct tcp_stack *ts);

/* tcp_api.c: atoll_tcp_connect_from in two halves, for tcp_race.c.
 * tcp_connect_start opens a connection to dst:port from lport (0:
 * ephemeral) and sends its SYN: 0 and *out, or -ATOLL_E... with nothing
 * left behind.  tcp_connect_wait blocks until it is established (0), or
 * it failed, the deadline passed or *stop (may be NULL) became true: the
 * connection is then gone (a RST sent if the peer had answered) and the
 * error returned, -ATOLL_ECANCELED for stop.  Whoever sets *stop
 * broadcasts the connection's st_ev to wake the waiter. */
int tcp_connect_start(struct tcp_stack *ts, uint16_t lport,
                      const atoll_addr_t *dst, uint16_t port,
                      struct atoll_tcp_conn **out);
int tcp_connect_wait(struct atoll_tcp_conn *c, atoll_time_t deadline,
                     const bool *stop);

#endif
