/*
 * lib/net/tcp_wire.h - the TCP header and its options (RFC 9293 3.1,
 * RFC 7323, RFC 2018) as plain structs in host byte order, sequence-number
 * arithmetic, and pure parse/write functions.  No state: the unit tests
 * and the fuzz target (tests/fuzz/tcp_parse.c) call these directly.
 */
#ifndef ATOLL_NET_TCP_WIRE_H
#define ATOLL_NET_TCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- sequence numbers (modulo 2^32, RFC 9293 3.4) ----------------------- */

static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
    return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

/* ---- header ---------------------------------------------------------------
 */

#define TCP_HLEN 20
#define TCP_FIN  0x01
#define TCP_SYN  0x02
#define TCP_RST  0x04
#define TCP_PSH  0x08
#define TCP_ACK  0x10
#define TCP_URG  0x20

struct tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t hlen; /* header length in bytes, options included */
    uint8_t flags;
    uint16_t wnd, csum, urp;
};

/* 0, or -ATOLL_EBADMSG (shorter than 20 bytes, data offset below 5 or
 * beyond `len`). */
int tcp_hdr_parse(const uint8_t *p, size_t len, struct tcp_hdr *h);
/* Write the 20 fixed bytes (h->hlen must be a multiple of 4, 20..60). */
void tcp_hdr_write(uint8_t *p, const struct tcp_hdr *h);

/* ---- options ------------------------------------------------------------ */

#define TCP_OPT_EOL     0
#define TCP_OPT_NOP     1
#define TCP_OPT_MSS     2
#define TCP_OPT_WSCALE  3
#define TCP_OPT_SACK_OK 4
#define TCP_OPT_SACK    5
#define TCP_OPT_TS      8

/* Bits of tcp_opts.present. */
#define TCP_HAS_MSS     0x01
#define TCP_HAS_WSCALE  0x02
#define TCP_HAS_SACK_OK 0x04
#define TCP_HAS_TS      0x08
#define TCP_HAS_SACK    0x10
#define TCP_HAS_KNOWN   0x1f

#define TCP_OPTS_MAX    40
#define TCP_SACK_BLOCKS 4

struct tcp_sack_block {
    uint32_t left, right; /* [left, right) */
};

struct tcp_opts {
    uint8_t present; /* TCP_HAS_* */
    uint8_t unknown; /* options of unknown kind seen (and skipped) */
    uint16_t mss;
    uint8_t wscale; /* as sent; the receiver clamps it to 14 */
    uint32_t tsval, tsecr;
    uint8_t nsack;
    struct tcp_sack_block sack[TCP_SACK_BLOCKS];
};

/*
 * Parse the options area [p, p+len).  EOL ends the list (what follows is
 * padding); NOP is skipped; options of unknown kind are skipped by their
 * length and counted.  Returns 0, or -ATOLL_EBADMSG for a length byte
 * missing, below 2 or beyond the area, or a known option with the wrong
 * length (MSS not 4, window scale not 3, SACK-permitted not 2, timestamps
 * not 10, SACK not 2 + 8n with n in 1..4).
 */
int tcp_opts_parse(const uint8_t *p, size_t len, struct tcp_opts *o);

/*
 * Write the options `o->present` names into p (room for `cap` bytes), in
 * the order MSS, SACK-permitted, timestamps, window scale, SACK, padded
 * with EOL (zero) bytes to a multiple of 4.  Returns the length (0 for no
 * options), -ATOLL_EINVAL for a bit outside TCP_HAS_KNOWN or more than
 * four SACK blocks, or -ATOLL_ENOSPC if they do not fit.
 */
int tcp_opts_write(uint8_t *p, size_t cap, const struct tcp_opts *o);

#endif
