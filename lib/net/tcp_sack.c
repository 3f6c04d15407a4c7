/*
 * lib/net/tcp_sack.c - SACK bookkeeping on both ends (RFC 2018).
 *
 * Sender: the scoreboard of RFC 6675 2 - which bytes above snd_una the
 * peer has reported holding - kept as at most TCP_SACK_RANGES_MAX sorted
 * disjoint ranges, and RFC 6675 4's IsLost(), SetPipe() and NextSeg()
 * over it for loss recovery (tcp_in.c, tcp_out.c).
 *
 * Receiver: the out-of-order ranges held in the receive buffer beyond
 * rcv_nxt, which become the SACK blocks we send, most recent first.
 * Both are arrays: small, bounded, no allocation.
 */
#include <string.h>

#include "tcp_int.h"

/* Insert [l, r) into sorted disjoint ranges, merging neighbours.  Returns
 * the index of the merged range, or -1 when the array is full. */
static int ranges_add(struct tcp_range *rs, int *n, int max, uint32_t l,
                      uint32_t r)
{
    int i = 0;
    while (i < *n && seq_lt(rs[i].right, l))
        i++;
    /* rs[i] is the first range that ends at or after l */
    int j = i;
    while (j < *n && seq_le(rs[j].left, r)) {
        l = seq_min(l, rs[j].left);
        r = seq_max(r, rs[j].right);
        j++;
    }
    /* ranges i..j-1 merge into [l, r) */
    if (j == i) {
        if (*n >= max)
            return -1;
        memmove(&rs[i + 1], &rs[i], (size_t)(*n - i) * sizeof rs[0]);
        (*n)++;
    } else if (j > i + 1) {
        memmove(&rs[i + 1], &rs[j], (size_t)(*n - j) * sizeof rs[0]);
        *n -= j - i - 1;
    }
    rs[i].left = l;
    rs[i].right = r;
    return i;
}

static uint32_t ranges_bytes(const struct tcp_range *rs, int n)
{
    uint32_t b = 0;
    for (int i = 0; i < n; i++)
        b += rs[i].right - rs[i].left;
    return b;
}

bool tcp_sb_add(struct tcp_scoreboard *sb, uint32_t left, uint32_t right,
                uint32_t una, uint32_t max)
{
    /* RFC 2018 / RFC 5961: ignore blocks that are empty, at or below the
     * cumulative ACK, or beyond what we sent. */
    if (!seq_lt(left, right) || seq_gt(right, max) || seq_le(right, una))
        return false;
    if (seq_lt(left, una))
        left = una;
    uint32_t before = sb->bytes;
    if (ranges_add(sb->r, &sb->n, TCP_SACK_RANGES_MAX, left, right) < 0)
        return false; /* full: the information is optional, drop it */
    sb->bytes = ranges_bytes(sb->r, sb->n);
    return sb->bytes != before;
}

void tcp_sb_advance(struct tcp_scoreboard *sb, uint32_t una)
{
    int k = 0;
    for (int i = 0; i < sb->n; i++) {
        if (seq_le(sb->r[i].right, una))
            continue;
        sb->r[k] = sb->r[i];
        if (seq_lt(sb->r[k].left, una))
            sb->r[k].left = una;
        k++;
    }
    sb->n = k;
    sb->bytes = ranges_bytes(sb->r, sb->n);
}

void tcp_sb_clear(struct tcp_scoreboard *sb)
{
    sb->n = 0;
    sb->bytes = 0;
}

uint32_t tcp_sb_high(const struct tcp_scoreboard *sb, uint32_t una)
{
    return sb->n ? seq_max(sb->r[sb->n - 1].right, una) : una;
}

bool tcp_sb_next_hole(const struct tcp_scoreboard *sb, uint32_t una,
                      uint32_t from, uint32_t *left, uint32_t *right)
{
    uint32_t pos = seq_max(from, una);
    for (int i = 0; i < sb->n; i++) {
        if (seq_lt(pos, sb->r[i].left)) {
            *left = pos;
            *right = sb->r[i].left;
            return true;
        }
        if (seq_lt(pos, sb->r[i].right))
            pos = sb->r[i].right;
    }
    return false;
}

uint32_t tcp_sb_holes_below(const struct tcp_scoreboard *sb, uint32_t una,
                            uint32_t to)
{
    /* Holes exist only below the highest SACKed byte. */
    uint32_t lim = seq_min(to, tcp_sb_high(sb, una));
    if (!seq_gt(lim, una))
        return 0;
    uint32_t sacked = 0;
    for (int i = 0; i < sb->n; i++) {
        uint32_t l = seq_max(sb->r[i].left, una);
        uint32_t r = seq_min(sb->r[i].right, lim);
        if (seq_lt(l, r))
            sacked += r - l;
    }
    return (lim - una) - sacked;
}

/* RFC 6675 4 IsLost() is monotone: the lower a sequence number, the more
 * SACKed data lies above it.  So one boundary splits the
 * un-SACKed bytes: those below it are lost, those at or above it are not.
 * It is the left edge of the highest range k such that ranges k..n-1
 * hold at least DupThresh SACKed segments or more than (DupThresh-1)*SMSS
 * bytes: a hole just below that range has exactly those above it.
 * Segments are counted as ceil(range / SMSS), so small segments count as
 * the RFC's "discontiguous SACKed sequences" do. */
uint32_t tcp_sb_lost_edge(const struct tcp_scoreboard *sb, uint32_t una,
                          uint32_t mss)
{
    uint32_t bytes = 0, segs = 0;
    if (mss == 0)
        mss = 1;
    for (int i = sb->n - 1; i >= 0; i--) {
        uint32_t len = sb->r[i].right - sb->r[i].left;
        bytes += len;
        segs += (len + mss - 1) / mss;
        if (segs >= TCP_DUPTHRESH ||
            bytes > (uint32_t)(TCP_DUPTHRESH - 1) * mss)
            return seq_max(sb->r[i].left, una);
    }
    return una;
}

bool tcp_sb_is_lost(const struct tcp_scoreboard *sb, uint32_t una, uint32_t mss,
                    uint32_t seq)
{
    return seq_lt(seq, tcp_sb_lost_edge(sb, una, mss));
}

/* SACKed bytes in [a, b). */
static uint32_t sacked_in(const struct tcp_scoreboard *sb, uint32_t a,
                          uint32_t b)
{
    uint32_t s = 0;
    for (int i = 0; i < sb->n; i++) {
        uint32_t l = seq_max(sb->r[i].left, a);
        uint32_t r = seq_min(sb->r[i].right, b);
        if (seq_lt(l, r))
            s += r - l;
    }
    return s;
}

static uint32_t unsacked_in(const struct tcp_scoreboard *sb, uint32_t a,
                            uint32_t b)
{
    return seq_lt(a, b) ? (b - a) - sacked_in(sb, a, b) : 0;
}

/* RFC 6675 4 SetPipe(): each un-SACKed octet in [una, high_data) counts
 * once if it is not lost (the original may still be in the network) and
 * once more if it was retransmitted (below rxt_end = HighRxt + 1).  With
 * the lost boundary that is two range sums. */
uint32_t tcp_sb_pipe(const struct tcp_scoreboard *sb, uint32_t una,
                     uint32_t high_data, uint32_t rxt_end, uint32_t mss)
{
    uint32_t edge = tcp_sb_lost_edge(sb, una, mss);
    uint32_t rxt = seq_min(seq_max(rxt_end, una), high_data);
    return unsacked_in(sb, seq_max(edge, una), high_data) +
           unsacked_in(sb, una, rxt);
}

/* RFC 6675 4 NextSeg(), rules (1) to (3); the caller says whether rule
 * (2), new data, is possible (data queued, the receiver's window open). */
int tcp_sb_next_seg(const struct tcp_scoreboard *sb, uint32_t una,
                    uint32_t rxt_end, uint32_t mss, bool new_data,
                    uint32_t *seq, uint32_t *len)
{
    uint32_t l, r;
    /* (1.a)/(1.b): the lowest un-SACKed byte above HighRxt and below the
     * highest SACKed byte; holes never straddle the lost boundary. */
    if (!tcp_sb_next_hole(sb, una, rxt_end, &l, &r))
        return new_data ? TCP_NEXTSEG_NEW : TCP_NEXTSEG_NONE;
    *seq = l;
    *len = r - l < mss ? r - l : mss;
    if (tcp_sb_is_lost(sb, una, mss, l)) /* (1.c) */
        return TCP_NEXTSEG_LOST;
    if (new_data)
        return TCP_NEXTSEG_NEW; /* (2) */
    return TCP_NEXTSEG_HOLE;    /* (3) */
}

bool tcp_sb_rescue_seg(const struct tcp_scoreboard *sb, uint32_t una,
                       uint32_t high_data, uint32_t mss, uint32_t *seq,
                       uint32_t *len)
{
    uint32_t top = high_data;
    for (int i = sb->n - 1; i >= 0 && sb->r[i].right == top; i--)
        top = sb->r[i].left;
    if (!seq_gt(top, una))
        return false;
    *len = top - una < mss ? top - una : mss;
    *seq = top - *len;
    return true;
}

bool tcp_ooo_add(struct tcp_ooo *q, uint32_t left, uint32_t right)
{
    int i = ranges_add(q->r, &q->n, TCP_OOO_RANGES_MAX, left, right);
    if (i < 0)
        return false;
    q->last = i;
    return true;
}

uint32_t tcp_ooo_pull(struct tcp_ooo *q, uint32_t nxt)
{
    if (q->n == 0 || seq_gt(q->r[0].left, nxt))
        return nxt;
    uint32_t r = seq_max(q->r[0].right, nxt);
    memmove(&q->r[0], &q->r[1], (size_t)(q->n - 1) * sizeof q->r[0]);
    q->n--;
    if (q->last > 0)
        q->last--;
    return r;
}

int tcp_ooo_blocks(const struct tcp_ooo *q, struct tcp_sack_block *out, int max)
{
    int k = 0;
    if (q->n == 0 || max <= 0)
        return 0;
    int first = q->last < q->n ? q->last : 0;
    out[k].left = q->r[first].left, out[k].right = q->r[first].right, k++;
    for (int i = q->n - 1; i >= 0 && k < max; i--) {
        if (i == first)
            continue;
        out[k].left = q->r[i].left, out[k].right = q->r[i].right, k++;
    }
    return k;
}
