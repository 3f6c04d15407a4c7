/*
 * lib/fw/ct_window.c - TCP sequence and acknowledgement windows of a
 * tracked connection (lib/fw/ct.h, fw_tcp_window): the check that keeps a
 * segment far outside what its sender may send from moving the
 * connection's state, a blind reset above all.
 *
 * The method is Guido van Rooij's ("Real Stateful TCP Packet Filtering in
 * IP Filter", 2000), which Linux's conntrack also follows with its
 * "be liberal" switch off.  Each side keeps
 *
 *     end     the highest sequence number it has sent, plus one
 *     maxend  the highest it may send: the other side's ACK + window
 *     maxwin  the largest window it has offered (scaled)
 *
 * and a segment from side S to side R, with end = seq + length (+1 for
 * SYN, +1 for FIN), fits when
 *
 *     I    seq <= S.maxend                     not beyond R's window
 *     II   end >= S.end - R.maxwin             not older than a window
 *     III  ack <= R.end                        acknowledges nothing unsent
 *     IV   ack >= R.end - max(S.maxwin, 66000) not older than a window
 *
 * (sequence arithmetic modulo 2^32).  Window scaling (RFC 7323 2.2)
 * counts only when both SYNs offered it; a SYN's own window is never
 * scaled.
 */
#include <string.h>

#include "ct.h"

/* The slack of check IV: Linux's MAXACKWINDOW for a small window. */
#define FW_ACK_SLACK 66000u

static bool after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

void fw_tcp_seg_read(struct fw_tcp_seg *s, const uint8_t *tcp, size_t hlen,
                     uint32_t payload)
{
    s->seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
             (uint32_t)tcp[6] << 8 | tcp[7];
    s->ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 |
             (uint32_t)tcp[10] << 8 | tcp[11];
    s->flags = tcp[13];
    s->win = (uint16_t)(tcp[14] << 8 | tcp[15]);
    s->len = payload;
    s->wscale = -1;
    if (!(s->flags & FW_TCP_SYN))
        return; /* the option counts only in a SYN (RFC 7323 2.2) */
    for (size_t k = 20; k < hlen;) {
        uint8_t kind = tcp[k];
        if (kind == 0)
            break;
        if (kind == 1) {
            k++;
            continue;
        }
        if (k + 1 >= hlen || tcp[k + 1] < 2 || k + tcp[k + 1] > hlen)
            break; /* a malformed option list: no scaling */
        if (kind == 3 && tcp[k + 1] == 3)
            s->wscale = (int8_t)(tcp[k + 2] > 14 ? 14 : tcp[k + 2]);
        k += tcp[k + 1];
    }
}

/* The sending side starts from its SYN (or SYN+ACK). */
static void init_side(struct fw_tcp_win *snd, struct fw_tcp_win *rcv,
                      const struct fw_tcp_seg *s, uint32_t end)
{
    snd->end = snd->maxend = end;
    snd->maxwin = s->win ? s->win : 1;
    snd->scale = s->wscale < 0 ? 0 : s->wscale > 14 ? 14 : (uint8_t)s->wscale;
    snd->flags = s->wscale >= 0 ? FW_WIN_SCALE : 0;
    /* both must offer it for either to use it; the receiver's own SYN,
     * when it has sent one, is already known */
    if (rcv->maxwin && !(snd->flags & rcv->flags & FW_WIN_SCALE))
        snd->scale = rcv->scale = 0;
}

bool fw_tcp_window(struct fw_tcp_win w[2], int state, int dir,
                   const struct fw_tcp_seg *s)
{
    struct fw_tcp_win *snd = &w[dir], *rcv = &w[!dir];
    bool syn = s->flags & FW_TCP_SYN, ack_set = s->flags & FW_TCP_ACK;
    uint32_t end =
        s->seq + s->len + (syn ? 1 : 0) + ((s->flags & FW_TCP_FIN) ? 1 : 0);
    if (syn && !ack_set && dir == FW_ORIG &&
        (state == FW_TCP_NONE || state == FW_TCP_TIME_WAIT ||
         state == FW_TCP_CLOSE))
        memset(w, 0, 2 * sizeof *w); /* a new incarnation on the ports */

    if (!snd->maxwin) {
        if (!syn) {
            /* Before its SYN+ACK the responder may only refuse: a reset
             * that acknowledges the SYN (RFC 9293 3.10.7.3), or one
             * without ACK. */
            return (s->flags & FW_TCP_RST) && (!ack_set || s->ack == rcv->end);
        }
        init_side(snd, rcv, s, end);
        if (!ack_set)
            return true;
    } else if (syn && after(end, snd->end) &&
               ((state == FW_TCP_SYN_SENT && dir == FW_ORIG) ||
                (state == FW_TCP_SYN_RECV && dir == FW_REPLY))) {
        /* the handshake begun again with a later sequence number */
        init_side(snd, rcv, s, end);
    }

    uint32_t ack = s->ack;
    if (!ack_set || ((s->flags & FW_TCP_RST) && ack == 0))
        ack = rcv->end; /* nothing acknowledged: checks III, IV hold */
    uint32_t slack = snd->maxwin > FW_ACK_SLACK ? snd->maxwin : FW_ACK_SLACK;
    if (after(s->seq, snd->maxend) ||              /* I */
        !after(end, snd->end - rcv->maxwin - 1) || /* II */
        after(ack, rcv->end) ||                    /* III */
        !after(ack, rcv->end - slack - 1))         /* IV */
        return false;

    uint32_t win = syn ? s->win : (uint32_t)s->win << snd->scale;
    if (snd->maxwin < win)
        snd->maxwin = win;
    if (after(end, snd->end))
        snd->end = end;
    /* a sender past the window it was given: the receiver took it */
    if (rcv->maxwin && after(end, snd->maxend))
        rcv->maxwin += end - snd->maxend;
    if (ack_set && after(ack + win, rcv->maxend - 1))
        rcv->maxend = ack + win + (win == 0 ? 1 : 0);
    return true;
}
