/*
 * lib/net/eth.c - Ethernet II: the bottom of the stack.
 *
 * Input parses the 14-byte header, keeps frames addressed to our MAC, to
 * the broadcast address or to an IPv6 multicast group we joined, and hands
 * IPv4, ARP and IPv6 payloads up; everything else is counted in eth_drop.
 * Output pushes the header into the buffer's headroom and transmits;
 * while the receive fiber is dispatching a batch, transmissions are
 * collected and sent as one batch at its end (one crossing of the
 * platform boundary for many frames).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/invariant.h"
#include "ipv6_int.h"
#include "stack_int.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int net_eth_parse(const uint8_t *p, size_t len, struct net_eth_hdr *h)
{
    if (len < NET_ETH_HLEN)
        return -ATOLL_EBADMSG;
    memcpy(h->dst, p, 6);
    memcpy(h->src, p + 6, 6);
    h->type = net_get16(p + 12);
    return 0;
}

void net_eth_write(uint8_t *p, const struct net_eth_hdr *h)
{
    memcpy(p, h->dst, 6);
    memcpy(p + 6, h->src, 6);
    net_put16(p + 12, h->type);
}

void net_eth_input(struct atoll_stack *s, struct atoll_buf *b)
{
    struct net_eth_hdr h;
    s->stats.rx_frames++;
    if (net_eth_parse(b->data, b->len, &h) < 0)
        goto drop;
    if (memcmp(h.dst, s->info.mac, 6) && memcmp(h.dst, bcast, 6) &&
        !(h.type == NET_ETHTYPE_IPV6 && net_ipv6_mac_wanted(s, h.dst)))
        goto drop; /* another host's unicast, or a group we are not in */
    if (!memcmp(h.src, s->info.mac, 6) || (h.src[0] & 1))
        goto drop; /* our own frame looped back, or a group source */
    atoll_buf_pull(b, NET_ETH_HLEN);
    switch (h.type) {
    case NET_ETHTYPE_IPV4:
        net_ipv4_input(s, b);
        return;
    case NET_ETHTYPE_ARP:
        net_arp_input(s, b);
        return;
    case NET_ETHTYPE_IPV6:
        net_ipv6_input(s, b);
        return;
    }
drop:
    s->stats.eth_drop++;
    atoll_buf_free(b);
}

void net_eth_flush(struct atoll_stack *s)
{
    int done = 0;
    while (done < s->ntx) {
        int r = atoll_netif_send(s->nif, s->txq + done, s->ntx - done);
        if (r <= 0) {
            done++; /* the first frame was refused: skip it */
            continue;
        }
        done += r;
    }
    for (int i = 0; i < s->ntx; i++)
        net_frame_free(s, s->txq[i]);
    s->ntx = 0;
}

int net_eth_output(struct atoll_stack *s, const uint8_t dst[6], uint16_t type,
                   struct atoll_buf *b)
{
    /* Every layer allocates with headroom for the headers below it. */
    ATOLL_ASSERT(atoll_buf_headroom(b) >= NET_ETH_HLEN);
    uint8_t *p = atoll_buf_push(b, NET_ETH_HLEN);
    if (!p) {
        atoll_buf_free(b);
        return -ATOLL_EINVAL;
    }
    struct net_eth_hdr h;
    memcpy(h.dst, dst, 6);
    memcpy(h.src, s->info.mac, 6);
    h.type = type;
    net_eth_write(p, &h);
    s->stats.tx_frames++;
    if (s->in_rx) {
        ATOLL_ASSERT(s->ntx < NET_TX_BATCH);
        s->txq[s->ntx++] = b;
        if (s->ntx == NET_TX_BATCH)
            net_eth_flush(s);
        return 0;
    }
    int r = atoll_netif_send(s->nif, &b, 1);
    net_frame_free(s, b);
    return r < 0 ? r : 0;
}
