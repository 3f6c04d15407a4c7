/*
 * lib/net/tcp_wire.c - parse and write the TCP header and options (see
 * tcp_wire.h).  Every length is checked before a byte is read: this is
 * the first code that sees a segment from the network.
 */
#include "tcp_wire.h"

#include <string.h>

#include "atoll/error.h"
#include "wire.h"

int tcp_hdr_parse(const uint8_t *p, size_t len, struct tcp_hdr *h)
{
    if (len < TCP_HLEN)
        return -ATOLL_EBADMSG;
    h->sport = net_get16(p);
    h->dport = net_get16(p + 2);
    h->seq = net_get32(p + 4);
    h->ack = net_get32(p + 8);
    h->hlen = (uint8_t)((p[12] >> 4) * 4);
    h->flags = p[13] & 0x3f;
    h->wnd = net_get16(p + 14);
    h->csum = net_get16(p + 16);
    h->urp = net_get16(p + 18);
    if (h->hlen < TCP_HLEN || h->hlen > len)
        return -ATOLL_EBADMSG;
    return 0;
}

void tcp_hdr_write(uint8_t *p, const struct tcp_hdr *h)
{
    net_put16(p, h->sport);
    net_put16(p + 2, h->dport);
    net_put32(p + 4, h->seq);
    net_put32(p + 8, h->ack);
    p[12] = (uint8_t)((h->hlen / 4) << 4);
    p[13] = h->flags;
    net_put16(p + 14, h->wnd);
    net_put16(p + 16, h->csum);
    net_put16(p + 18, h->urp);
}

int tcp_opts_parse(const uint8_t *p, size_t len, struct tcp_opts *o)
{
    memset(o, 0, sizeof *o);
    size_t i = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == TCP_OPT_EOL)
            break;
        if (kind == TCP_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len)
            return -ATOLL_EBADMSG; /* no length byte */
        uint8_t olen = p[i + 1];
        if (olen < 2 || olen > len - i)
            return -ATOLL_EBADMSG; /* zero, bogus or beyond the area */
        const uint8_t *v = p + i + 2;
        switch (kind) {
        case TCP_OPT_MSS:
            if (olen != 4)
                return -ATOLL_EBADMSG;
            o->mss = net_get16(v);
            o->present |= TCP_HAS_MSS;
            break;
        case TCP_OPT_WSCALE:
            if (olen != 3)
                return -ATOLL_EBADMSG;
            o->wscale = v[0];
            o->present |= TCP_HAS_WSCALE;
            break;
        case TCP_OPT_SACK_OK:
            if (olen != 2)
                return -ATOLL_EBADMSG;
            o->present |= TCP_HAS_SACK_OK;
            break;
        case TCP_OPT_TS:
            if (olen != 10)
                return -ATOLL_EBADMSG;
            o->tsval = net_get32(v);
            o->tsecr = net_get32(v + 4);
            o->present |= TCP_HAS_TS;
            break;
        case TCP_OPT_SACK: {
            if (olen < 10 || (olen - 2) % 8 != 0 ||
                (olen - 2) / 8 > TCP_SACK_BLOCKS)
                return -ATOLL_EBADMSG;
            o->nsack = (uint8_t)((olen - 2) / 8);
            for (int b = 0; b < o->nsack; b++) {
                o->sack[b].left = net_get32(v + 8 * b);
                o->sack[b].right = net_get32(v + 8 * b + 4);
            }
            o->present |= TCP_HAS_SACK;
            break;
        }
        default:
            if (o->unknown < UINT8_MAX)
                o->unknown++;
            break;
        }
        i += olen;
    }
    return 0;
}

int tcp_opts_write(uint8_t *p, size_t cap, const struct tcp_opts *o)
{
    uint8_t tmp[64];
    size_t n = 0;

    if ((o->present & ~TCP_HAS_KNOWN) != 0 || o->nsack > TCP_SACK_BLOCKS)
        return -ATOLL_EINVAL;
    if (o->present & TCP_HAS_MSS) {
        tmp[n++] = TCP_OPT_MSS, tmp[n++] = 4;
        net_put16(tmp + n, o->mss), n += 2;
    }
    if (o->present & TCP_HAS_SACK_OK) {
        tmp[n++] = TCP_OPT_SACK_OK, tmp[n++] = 2;
    }
    if (o->present & TCP_HAS_TS) {
        /* Keep the 32-bit fields aligned: NOP NOP before them unless
         * SACK-permitted already filled the gap. */
        if (n % 4 == 0)
            tmp[n++] = TCP_OPT_NOP, tmp[n++] = TCP_OPT_NOP;
        tmp[n++] = TCP_OPT_TS, tmp[n++] = 10;
        net_put32(tmp + n, o->tsval), n += 4;
        net_put32(tmp + n, o->tsecr), n += 4;
    }
    if (o->present & TCP_HAS_WSCALE) {
        if (n % 4 == 0)
            tmp[n++] = TCP_OPT_NOP;
        tmp[n++] = TCP_OPT_WSCALE, tmp[n++] = 3, tmp[n++] = o->wscale;
    }
    if ((o->present & TCP_HAS_SACK) && o->nsack > 0) {
        while (n % 4 != 2)
            tmp[n++] = TCP_OPT_NOP;
        tmp[n++] = TCP_OPT_SACK, tmp[n++] = (uint8_t)(2 + 8 * o->nsack);
        for (int b = 0; b < o->nsack; b++) {
            net_put32(tmp + n, o->sack[b].left), n += 4;
            net_put32(tmp + n, o->sack[b].right), n += 4;
        }
    }
    while (n % 4 != 0)
        tmp[n++] = TCP_OPT_EOL;
    if (n > cap || n > TCP_OPTS_MAX)
        return -ATOLL_ENOSPC;
    memcpy(p, tmp, n);
    return (int)n;
}
