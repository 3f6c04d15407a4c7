/*
 * lib/fw/ct.h - connection tracking: a bounded table of the connections
 * the firewall has let through, each known by the tuple of its first
 * packet and by the tuple its replies will carry.
 *
 * NAME
 *     struct fw_ct, fw_ct_create, fw_ct_find, fw_ct_add, fw_ct_seen,
 *     fw_ct_gc, fw_tcp_next, fw_tcp_window, fw_tcp_seg_read
 *
 * DESCRIPTION
 *     A connection has two tuples: t[FW_ORIG], the packet as its
 *     originator sent it, and t[FW_REPLY], a reply as it will arrive at
 *     the firewall.  Without address translation the reply tuple is the
 *     original reversed; NAT makes them differ, and the difference is the
 *     translation (lib/fw/nat.c).  fw_ct_find looks a packet's tuple up in
 *     both directions at once.
 *
 *     ICMP echo is tracked by identifier: sport holds the identifier in
 *     both tuples and dport the message (8 request, 0 reply), so a
 *     request is never taken for a reply.  Protocols without ports are
 *     tracked by address pair and protocol.
 *
 *     TCP follows a state machine (fw_tcp_next; states below) driven by
 *     the SYN, ACK, FIN and RST flags of each direction.  Sequence
 *     numbers are not checked against windows.  Each state has its idle
 *     timeout (FW_CT_TCP_*_NS); UDP has one before a reply and a longer
 *     one after; ICMP echo one.  An expired connection is gone for
 *     fw_ct_find, and its slot is free.
 *
 *     The table is bounded (the max given to fw_ct_create, FW_CT_MAX by
 *     default).  All slots are allocated at creation, so a full table
 *     costs no more memory than an empty one.  When it is full,
 *     fw_ct_add looks at the FW_CT_EVICT_SCAN least recently seen
 *     connections and reuses the slot of the first that has expired or,
 *     failing that, of the first that never saw a reply; a connection
 *     that has seen both directions is never evicted.  With none of
 *     those the new flow is refused (-ATOLL_ENOSPC) and the caller drops
 *     its packet.
 *
 *     The hash of a tuple is SipHash keyed with a secret, so the chains
 *     cannot be made long from outside.
 *
 * RETURN VALUE
 *     fw_ct_add: 0, -ATOLL_EEXIST (a tuple is taken: the caller picks
 *     another, e.g. another NAT port), -ATOLL_ENOSPC (full).
 */
#ifndef ATOLL_FW_CT_H
#define ATOLL_FW_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

enum { FW_ORIG = 0, FW_REPLY = 1 };

/* Packed so that a tuple hashes and compares as its bytes. */
struct fw_tuple {
    uint8_t src[16], dst[16];
    uint16_t sport, dport; /* host order; ICMP echo: identifier, type */
    uint8_t proto;
    uint8_t pad_; /* always 0 */
} __attribute__((packed));

enum fw_tcp_state {
    FW_TCP_NONE,
    FW_TCP_SYN_SENT,    /* SYN from the originator */
    FW_TCP_SYN_RECV,    /* SYN+ACK back */
    FW_TCP_ESTABLISHED, /* the originator's ACK of it */
    FW_TCP_FIN_WAIT,    /* one side sent FIN */
    FW_TCP_CLOSE_WAIT,  /* ... and the other acknowledged it */
    FW_TCP_LAST_ACK,    /* both sent FIN */
    FW_TCP_TIME_WAIT,   /* the last FIN acknowledged */
    FW_TCP_CLOSE,       /* reset */
    FW_TCP_STATES
};

/* One side of a TCP connection, for the window checks (ct_window.c). */
struct fw_tcp_win {
    uint32_t end;    /* highest sequence number sent, plus one */
    uint32_t maxend; /* highest it may send: the other's ACK + window */
    uint32_t maxwin; /* largest window it offered, scaled; 0: not seen */
    uint8_t scale;   /* its window scale (0 unless both SYNs offered it) */
    uint8_t flags;   /* FW_WIN_* */
};
#define FW_WIN_SCALE 0x01 /* its SYN offered window scaling */

/* What the window checks read of a segment (fw_tcp_seg_read). */
struct fw_tcp_seg {
    uint32_t seq, ack, len; /* len: payload bytes */
    uint16_t win;
    uint8_t flags; /* FW_TCP_* */
    int8_t wscale; /* a SYN's window-scale option; -1: none */
};

/* fw_conn.flags */
#define FW_CT_SEEN_REPLY 0x01 /* a packet came back: "established" */
#define FW_CT_FIN_ORIG   0x02 /* the originator sent FIN */
#define FW_CT_FIN_REPLY  0x04 /* the responder sent FIN */
#define FW_CT_NAT        0x08 /* the tuples differ by more than reversal */

struct fw_conn {
    struct fw_tuple t[2];
    uint32_t hnext[2];           /* hash chains: node id + 1, 0 ends */
    uint32_t lru_prev, lru_next; /* slot + 1, 0 ends */
    atoll_time_t expires;
    uint8_t tcp;   /* enum fw_tcp_state */
    uint8_t flags; /* FW_CT_* */
    int8_t ifx[2]; /* interface of each side: ORIG's sender, REPLY's */
    uint8_t used;
    struct fw_tcp_win win[2]; /* TCP: each side's windows */
    uint64_t packets[2], bytes[2];
};

struct fw_ct;

/* A table of at most `max` connections, hashed with `key`.  NULL when the
 * heap cannot hold it. */
struct fw_ct *fw_ct_create(uint32_t max, const uint8_t key[16]);
void fw_ct_destroy(struct fw_ct *ct);

/* The live connection one of whose tuples is t, with *dir saying which;
 * NULL if none (an expired one is removed on the way). */
struct fw_conn *fw_ct_find(struct fw_ct *ct, const struct fw_tuple *t,
                           atoll_time_t now, int *dir);

/* Whether t is a tuple of a live connection (for choosing NAT ports). */
bool fw_ct_taken(struct fw_ct *ct, const struct fw_tuple *t, atoll_time_t now);

/* Track a new connection with tuples orig and reply (the first packet
 * came from interface in_if, replies from out_if). */
int fw_ct_add(struct fw_ct *ct, const struct fw_tuple *orig,
              const struct fw_tuple *reply, int in_if, int out_if,
              atoll_time_t now, struct fw_conn **out);

void fw_ct_del(struct fw_ct *ct, struct fw_conn *c);

/* TCP flags of a segment, as fw_ct_seen wants them. */
#define FW_TCP_FIN 0x01
#define FW_TCP_SYN 0x02
#define FW_TCP_RST 0x04
#define FW_TCP_ACK 0x10

/*
 * A packet of `len` bytes in direction dir of c (tcp_flags for TCP):
 * advance the state, count it, push its expiry out and make it the most
 * recently seen.  Returns false when the packet does not fit the TCP
 * state (a SYN in the middle of a connection, say): the caller treats it
 * as invalid, and the connection is left as it was.
 */
bool fw_ct_seen(struct fw_ct *ct, struct fw_conn *c, int dir, uint8_t tcp_flags,
                uint32_t len, atoll_time_t now);

/* Whether a first packet may open a connection: for TCP only a SYN
 * without ACK, RST or FIN. */
bool fw_ct_may_open(uint8_t proto, uint8_t tcp_flags);

/* The TCP state after a segment with `flags` in direction dir, given the
 * FW_CT_FIN_* bits in *fin (updated), or -1 if the segment does not fit. */
int fw_tcp_next(int state, int dir, uint8_t flags, uint8_t *fin);

/* The fields of the TCP header at tcp (hlen bytes of header, checked by
 * the caller to be 20 or more) and the payload length. */
void fw_tcp_seg_read(struct fw_tcp_seg *s, const uint8_t *tcp, size_t hlen,
                     uint32_t payload);

/* Whether segment s in direction dir fits the windows w[] of a connection
 * in TCP state `state`; w[] is brought up to date with it (a
 * caller that may yet drop the segment passes a copy).  The first SYN
 * starts w[FW_ORIG] (state FW_TCP_NONE); a new SYN in TIME_WAIT or CLOSE
 * starts both sides again. */
bool fw_tcp_window(struct fw_tcp_win w[2], int state, int dir,
                   const struct fw_tcp_seg *s);

/* Remove up to `budget` expired connections, continuing where the last
 * call stopped; returns how many were removed. */
uint32_t fw_ct_gc(struct fw_ct *ct, atoll_time_t now, uint32_t budget);

uint32_t fw_ct_count(const struct fw_ct *ct);
uint32_t fw_ct_max(const struct fw_ct *ct);
/* Flows refused because the table was full, and connections evicted. */
uint64_t fw_ct_refused(const struct fw_ct *ct);
uint64_t fw_ct_evicted(const struct fw_ct *ct);

/* The slot-th connection (0 <= slot < max), or NULL if the slot is free:
 * for listing the table. */
struct fw_conn *fw_ct_at(struct fw_ct *ct, uint32_t slot);

/* Name of a TCP state ("ESTABLISHED"). */
const char *fw_tcp_state_name(int state);

/* t reversed: what a reply to t without translation looks like. */
void fw_tuple_reverse(struct fw_tuple *out, const struct fw_tuple *t);

#endif
