/*
 * atoll/tcp.h - TCP: reliable byte streams over a stack (atoll/stack.h).
 *
 * NAME
 *     atoll_tcp_connect, atoll_tcp_connect_race, atoll_tcp_listen,
 *     atoll_tcp_listen_family,
 *     atoll_tcp_accept, atoll_tcp_peer, atoll_tcp_local,
 *     atoll_tcp_read, atoll_tcp_write, atoll_tcp_write_ref,
 *     atoll_tcp_shutdown, atoll_tcp_close,
 *     atoll_tcp_abort, atoll_tcp_set_nodelay, atoll_tcp_set_keepalive,
 *     atoll_tcp_flow, atoll_tcp_set_cc, atoll_tcp_set_tso,
 *     atoll_tcp_write_room, atoll_tcp_readable, atoll_tcp_poller_create,
 *     atoll_tcp_poller_arm,
 *     atoll_tcp_poller_disarm, atoll_tcp_poller_wait,
 *     atoll_tcp_poller_destroy
 *
 * DESCRIPTION
 *     The RFC 9293 protocol with RFC 7323 window scaling and timestamps,
 *     RFC 2018 SACK with RFC 6675 loss recovery, RFC 5681/6582 NewReno or
 *     RFC 9438 CUBIC congestion control, RFC 6298 retransmission timers,
 *     RFC 5961 blind-attack mitigations and RFC 6528 initial sequence
 *     numbers.  docs/tcp.md describes the design and what is covered;
 *     every limit is in atoll/net_tunables.h (TCP section).
 *
 *     IPv4 and IPv6 go through the same calls: a connection's addresses
 *     are atoll_addr_t (atoll/addr.h), of the family connect was given or
 *     the SYN came in by, and a listener takes both families unless made
 *     for one.  Everything below the address is the same protocol: the
 *     MSS comes from the family's MTU (less 40 bytes of headers over
 *     IPv4, 60 over IPv6) and, over IPv6, from the path MTU that Packet
 *     Too Big messages teach (RFC 8201).
 *
 *     A connection is used from fibers: read, write, connect and accept
 *     block the calling fiber until they can proceed or `deadline` (an
 *     absolute time, atoll/time.h; ATOLL_NEVER for none) passes.  Several
 *     fibers may use one connection (one reading, one writing is the usual
 *     pattern).  A connection is also a generic flow (atoll/flow.h):
 *     atoll_tcp_flow gives the same connection behind that interface.
 *
 *     read returns the bytes available (at least 1, at most `len`), or 0
 *     once the peer has sent FIN and everything before it was read.
 *     write copies into the connection's send buffer and returns when all
 *     `len` bytes are queued; on a deadline it returns the count queued so
 *     far if any, else -ATOLL_ETIMEDOUT.  write_ref queues memory by
 *     reference instead: the stack keeps a pointer to it, copies from it
 *     straight into each frame (and again for a retransmission), and says
 *     when it no longer needs it (below).
 *
 *     A fiber per connection is the simple way to serve, but a fiber's
 *     stack costs tens of kilobytes while an idle connection costs well
 *     under one (docs/net.md, "Connection capacity").  A server that holds
 *     many connections waits on all of them from a poller instead, and
 *     hands the ready ones to a few worker fibers (POLLERS below).
 *
 *     shutdown sends FIN after the queued data (our direction ends; reading
 *     goes on).  close does the same and releases the handle at once: the
 *     protocol finishes the closing handshake (and TIME_WAIT) in the
 *     background.  Closing with unread received data resets the
 *     connection, as RFC 9293 3.10.4 recommends.  abort sends RST and
 *     releases the handle.
 *
 * RETURN VALUE
 *     0 or a count on success; otherwise a negative ATOLL_E... code:
 *     -ATOLL_ETIMEDOUT (deadline; for an established connection also a
 *     dead peer detected by retransmission or keepalive), -ATOLL_ECONNREFUSED
 *     (RST answered our SYN, or the peer refused it for lack of room:
 *     TCP_CONNS_MAX or memory), -ATOLL_ECONNRESET (RST later),
 *     -ATOLL_EHOSTUNREACH (ICMP unreachable while connecting, or no route),
 *     -ATOLL_ECLOSED (writing after shutdown), -ATOLL_ENOTCONN,
 *     -ATOLL_EADDRINUSE (listen on a port in use), -ATOLL_EAGAIN (no free
 *     ephemeral port), -ATOLL_ENOMEM, -ATOLL_EINVAL.
 */
#ifndef ATOLL_TCP_H
#define ATOLL_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/addr.h"
#include "atoll/flow.h"
#include "atoll/stack.h"
#include "atoll/time.h"

struct atoll_tcp_conn;
struct atoll_tcp_listener;

/* Open a connection to dst:port (either family, atoll/addr.h) from an
 * ephemeral local port.  The source is the stack's IPv4 address, or its
 * best IPv6 address for dst (-ATOLL_EHOSTUNREACH when it has none).
 * Blocks until established (0, *out set) or failed. */
int atoll_tcp_connect(struct atoll_stack *s, atoll_addr_t dst, uint16_t port,
                      atoll_time_t deadline, struct atoll_tcp_conn **out);

/* The same from local port `lport` (0: ephemeral), e.g. for a
 * simultaneous open where both ends know both ports. */
int atoll_tcp_connect_from(struct atoll_stack *s, uint16_t lport,
                           atoll_addr_t dst, uint16_t port,
                           atoll_time_t deadline, struct atoll_tcp_conn **out);

/* Happy eyeballs (RFC 8305): connect to `port` on the first of dst[0..n)
 * (n <= ATOLL_TCP_RACE_MAX, in the order to prefer, e.g. from
 * atoll_dns_resolve: IPv6 first when routed) that answers.  The families
 * are interleaved, starting with dst[0]'s; each attempt starts `stagger`
 * after the one before (0: TCP_RACE_STAGGER_NS, 250 ms), or at once when
 * one failed, the earlier ones still going.  The first connection
 * established wins and the others are dropped; nothing is left running
 * when it returns.  0 (*out set, and *which, if not NULL, to the winner's
 * index in dst), or the last attempt's error (-ATOLL_ETIMEDOUT when the
 * deadline passed first), or -ATOLL_EINVAL, -ATOLL_ENOMEM. */
#define ATOLL_TCP_RACE_MAX 16
int atoll_tcp_connect_race(struct atoll_stack *s, const atoll_addr_t *dst,
                           int n, uint16_t port, atoll_time_t stagger,
                           atoll_time_t deadline, struct atoll_tcp_conn **out,
                           int *which);

/* Listen on local `port`, for IPv4 and IPv6 peers alike.  `backlog`
 * bounds the established connections waiting for accept (<= 0:
 * TCP_BACKLOG_DEFAULT); half-open connections are bounded separately by
 * TCP_SYN_BACKLOG_MAX. */
int atoll_tcp_listen(struct atoll_stack *s, uint16_t port, int backlog,
                     struct atoll_tcp_listener **out);

/* The same for one family only: `family` ATOLL_AF_INET or ATOLL_AF_INET6
 * (ATOLL_AF_NONE: both, as atoll_tcp_listen).  A port may have one
 * listener per family, or one for both; a SYN goes to the listener of its
 * family first.  -ATOLL_EADDRINUSE when the port's family is taken. */
int atoll_tcp_listen_family(struct atoll_stack *s, enum atoll_family family,
                            uint16_t port, int backlog,
                            struct atoll_tcp_listener **out);

/* Take the oldest established connection waiting on `l`. */
int atoll_tcp_accept(struct atoll_tcp_listener *l, atoll_time_t deadline,
                     struct atoll_tcp_conn **out);

/* Stop listening; connections not yet accepted are reset.  A fiber
 * blocked in accept on `l` wakes with -ATOLL_ECLOSED (the listener's
 * memory is freed when the last of them has returned); `l` must not be
 * used after this call. */
void atoll_tcp_listener_close(struct atoll_tcp_listener *l);

/* A deadline already passed (0) makes read and write non-blocking: read
 * returns -ATOLL_ETIMEDOUT when nothing is there, write what it could
 * queue (or -ATOLL_ETIMEDOUT). */
int atoll_tcp_read(struct atoll_tcp_conn *c, void *buf, size_t len,
                   atoll_time_t deadline);
int atoll_tcp_write(struct atoll_tcp_conn *c, const void *buf, size_t len,
                    atoll_time_t deadline);

/* Queue [buf, buf+len) by reference: the bytes are not copied into the
 * send buffer but into each frame as it is built, so the memory must stay
 * valid and unchanged until the stack calls done(arg, status), once:
 * status 0 when every byte was acknowledged, or the connection's error
 * (-ATOLL_ECONNRESET, -ATOLL_ETIMEDOUT, ...) when it ended first (an
 * abort, a reset, a timeout; the connection closed with the bytes still
 * unacknowledged).  done runs in the fiber that processed the ACK or the
 * end (the stack's receive fiber, the timer fiber, or the caller of
 * abort/close); it must not block, and should only record the outcome or
 * notify an event (atoll/event.h).  done may be NULL for memory that
 * outlives the connection (an image's kv_ro data, a constant).
 *
 * The bytes go in order with those of atoll_tcp_write.  Waits (until
 * `deadline`) only while the send buffer holds TCP_SNDBUF_MAX bytes or
 * more, then queues all `len` at once (the queue may then exceed
 * TCP_SNDBUF_MAX: referred bytes cost the stack no memory).  0 when
 * queued; else an error as write's, with nothing queued and done never
 * called; -ATOLL_ENOMEM when the queue's record could not be allocated
 * (atoll_tcp_write still works).  len 0 queues nothing and returns 0
 * without calling done. */
typedef void atoll_tcp_ref_done(void *arg, int status);
int atoll_tcp_write_ref(struct atoll_tcp_conn *c, const void *buf, size_t len,
                        atoll_tcp_ref_done *done, void *arg,
                        atoll_time_t deadline);

/* Make room in the send buffer for up to `want` bytes, without waiting,
 * and return how many a write can now queue at once: a write of at most
 * that many bytes neither blocks nor comes back short.  0 when the buffer
 * is full (wait for ATOLL_TCP_WRITABLE); fewer than `want` when it is
 * nearly full or memory is short; or the error a write would return. */
int atoll_tcp_write_room(struct atoll_tcp_conn *c, size_t want);

/* Bytes a read would return now (0: none, or the end of the stream).
 * With write_room, it lets a server move exactly what can go through
 * without holding any back: it need not reserve more room than it uses. */
size_t atoll_tcp_readable(const struct atoll_tcp_conn *c);
int atoll_tcp_shutdown(struct atoll_tcp_conn *c);
/* Release the handle; no fiber may be blocked on `c`. */
int atoll_tcp_close(struct atoll_tcp_conn *c);
void atoll_tcp_abort(struct atoll_tcp_conn *c);

/* Nagle's algorithm is on by default; nodelay sends small segments at
 * once. */
int atoll_tcp_set_nodelay(struct atoll_tcp_conn *c, bool on);

/* Keepalive (RFC 9293 3.8.4 / RFC 1122 4.2.3.6): after `idle` without
 * traffic send a probe every `interval`; `count` unanswered probes abort
 * the connection (readers and writers get -ATOLL_ETIMEDOUT).  Zero values
 * take TCP_KEEPALIVE_* defaults. */
int atoll_tcp_set_keepalive(struct atoll_tcp_conn *c, bool on,
                            atoll_time_t idle, atoll_time_t interval,
                            int count);

/* The connection as a generic flow (valid as long as the connection;
 * atoll_flow_close on it is atoll_tcp_close). */
struct atoll_flow *atoll_tcp_flow(struct atoll_tcp_conn *c);

/*
 * POLLERS
 *
 * A poller lets one fiber wait on many connections.  Arm a connection
 * with the events it waits for and, optionally, a deadline; a fiber in
 * atoll_tcp_poller_wait gets it back once one of them holds, or with
 * ATOLL_TCP_EXPIRED once the deadline passed first.  Arming is one-shot:
 * a connection handed back is no longer armed, so exactly one fiber owns
 * it until that fiber arms it again (or closes it).  Several fibers may
 * wait on one poller; each ready connection goes to one of them.  This
 * is the way to serve thousands of connections with a handful of worker
 * fibers, none of which ever blocks on one connection:
 *
 *     for (;;) {                                        (each worker)
 *         struct atoll_tcp_ready r;
 *         if (atoll_tcp_poller_wait(p, &r, 1, ATOLL_NEVER) < 1)
 *             continue;
 *         if (r.events & ATOLL_TCP_EXPIRED) { atoll_tcp_close(r.conn);
 *                                             continue; }
 *         n = atoll_tcp_read(r.conn, buf, sizeof buf, 0);  (no waiting)
 *         ... serve, then arm it again for what it waits for next:
 *         atoll_tcp_poller_arm(p, r.conn, ATOLL_TCP_READABLE,
 *                              atoll_after(idle), NULL);
 *     }
 *
 * READABLE holds when a read would not block: data, end of stream, or an
 * error.  WRITABLE holds when at least TCP_SND_LOWAT bytes of the send
 * buffer are free (and memory allowed the last growth), or on an error or
 * a state that refuses writes.  A connection that already satisfies what
 * it is armed for is ready at once.  Closing or aborting an armed
 * connection disarms it.  A poller needs no memory per connection: the
 * entry lives in the connection.
 */
struct atoll_tcp_poller;

#define ATOLL_TCP_READABLE 1u
#define ATOLL_TCP_WRITABLE 2u
#define ATOLL_TCP_EXPIRED  4u /* in atoll_tcp_ready only: the deadline */

struct atoll_tcp_ready {
    struct atoll_tcp_conn *conn;
    void *user;      /* as given to atoll_tcp_poller_arm */
    unsigned events; /* what holds, or ATOLL_TCP_EXPIRED */
};

/* 0 or -ATOLL_ENOMEM. */
int atoll_tcp_poller_create(struct atoll_tcp_poller **out);

/* Wait for `events` (READABLE and/or WRITABLE) on `c` until `deadline`
 * (ATOLL_NEVER: none).  Arming an armed connection replaces what it
 * waits for (it may move to another poller).  0, or -ATOLL_EINVAL, or
 * -ATOLL_ENOMEM (room for the deadline). */
int atoll_tcp_poller_arm(struct atoll_tcp_poller *p, struct atoll_tcp_conn *c,
                         unsigned events, atoll_time_t deadline, void *user);

/* Stop waiting for `c` (nothing if it is not armed). */
void atoll_tcp_poller_disarm(struct atoll_tcp_conn *c);

/* Block until at least one armed connection is ready or expired, or until
 * `deadline`; store up to `max` of them in out[] (disarmed) and return
 * how many, or -ATOLL_ETIMEDOUT, or -ATOLL_EINVAL. */
int atoll_tcp_poller_wait(struct atoll_tcp_poller *p,
                          struct atoll_tcp_ready *out, int max,
                          atoll_time_t deadline);

/* Free a poller with no armed connection and no waiting fiber: 0, or
 * -ATOLL_EBUSY (nothing freed). */
int atoll_tcp_poller_destroy(struct atoll_tcp_poller *p);

/* Addresses of the connection's two ends, of its family (either pointer
 * may be NULL). */
void atoll_tcp_local(const struct atoll_tcp_conn *c, atoll_addr_t *addr,
                     uint16_t *port);
void atoll_tcp_peer(const struct atoll_tcp_conn *c, atoll_addr_t *addr,
                    uint16_t *port);

/* Congestion control for connections a stack opens from now on. */
enum atoll_tcp_cc { ATOLL_TCP_NEWRENO = 0, ATOLL_TCP_CUBIC = 1 };
int atoll_tcp_set_cc(struct atoll_stack *s, enum atoll_tcp_cc cc);

/* TCP segmentation offload (atoll/netif.h, ATOLL_NETIF_TSO4): when the
 * interface offers it, a stack hands it frames of up to TCP_TSO_MAX_SEGS
 * full segments of new data, which the interface or its host cuts into
 * MSS-sized packets; on by default where offered.  Off, every segment is
 * a frame of its own.  0, or -ATOLL_ENOTSUP (on, but the interface does
 * not offer it: it stays off), -ATOLL_EINVAL. */
int atoll_tcp_set_tso(struct atoll_stack *s, bool on);

/* What a connection negotiated and how it is doing (tests, benchmarks). */
struct atoll_tcp_info {
    const char *state; /* "ESTABLISHED", "TIME_WAIT", ... */
    uint16_t mss;      /* send MSS */
    bool sack, timestamps;
    uint8_t snd_wscale, rcv_wscale; /* 0xff: window scaling not in use */
    uint32_t cwnd, ssthresh;        /* bytes */
    atoll_time_t srtt, rto;
    uint64_t retransmits, fast_recoveries, sack_recoveries, timeouts;
    uint64_t bytes_sent, bytes_received;
};
void atoll_tcp_info(const struct atoll_tcp_conn *c, struct atoll_tcp_info *out);

/* Per-stack TCP counters. */
struct atoll_tcp_stats {
    uint64_t segs_in, segs_out, retransmits;
    uint64_t tso_frames; /* of segs_out: offload frames of several segments */
    uint64_t bad_checksum, bad_header, no_conn, rst_sent;
    uint64_t challenge_acks, syn_dropped, ooo_dropped;
    /* SYNs answered with RST for lack of room (TCP_CONNS_MAX, or the
     * heap down to its reserve: docs/net.md) */
    uint64_t refused;
    uint64_t active_opens, passive_opens, conns; /* conns: live now */
    /* A send or receive buffer could not grow for lack of memory; the
     * connection went on with the buffer it had (docs/tcp.md). */
    uint64_t mem_short;
};
void atoll_tcp_stats(struct atoll_stack *s, struct atoll_tcp_stats *out);

#endif
