/*
 * platform/virtio/net_rx.c - taking received frames out of a virtio-net
 * receive ring, trusting nothing the device wrote (see net.c for the
 * driver as a whole, vnet.h for why this is a file of its own).
 *
 * Every entry of the receive ring is one VNET_SLOT buffer of ours.  A
 * frame comes in one buffer, or - with merged receive buffers - in the
 * number of buffers the first one's header announces (num_buffers),
 * returned together (virtio 1.x, 5.1.6.4.2).  Each buffer's length was
 * checked against the buffer by virtq.c, and its head against the ring;
 * here the frame is gathered into the reader's buffer only as far as it
 * fits, and each buffer is given back at once, whatever happens next.
 *
 * Two kinds of wrong: a frame the device may send but we do not want (a
 * runt, a segmentation type not negotiated, an over-MTU frame that is not
 * an offload frame, one larger than the reader's buffer) is dropped and
 * counted; a frame that breaks the protocol (in zero buffers, or in more
 * than the device returned with it) marks the device broken, as virtq.c
 * does for a bad index or length: a device that lies once is not
 * believed again.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/netif.h"
#include "atoll/tunables.h"
#include "host/pkt.h"
#include "vnet.h"

_Static_assert(VNET_HDR + ATOLL_NET_FRAME_MAX <= VNET_SLOT,
               "a frame fits a slot");

int vnet_rx_give(struct vnet *n, uint8_t *slot)
{
    struct vbuf b = {slot, VNET_SLOT, true};
    return virtq_add(&n->rx, &b, 1, slot);
}

int vnet_rx_frame(struct vnet *n, uint8_t *buf, size_t len, bool gro,
                  bool *csum_ok)
{
    uint32_t got;
    void *cookie;
    int r = virtq_get(&n->rx, &got, &cookie);
    if (r < 0)
        return r == -ATOLL_EAGAIN ? r : -ATOLL_EIO;
    uint8_t *slot = cookie;
    struct vnet_hdr h = {0};
    if (got >= VNET_HDR)
        memcpy(&h, slot, VNET_HDR);
    uint16_t nbuf = n->mrg ? h.num_buffers : 1;
    if (nbuf == 0) {
        vnet_rx_give(n, slot);
        vdev_fail(n->d, "a received frame in no buffer (or without header)");
        return -ATOLL_EIO;
    }
    /* Gather the frame's pieces: the first after the header, the others
     * whole.  Their lengths were checked against our buffers (virtq.c). */
    size_t flen = 0;
    const uint8_t *data = slot + VNET_HDR;
    size_t piece = got > VNET_HDR ? got - VNET_HDR : 0;
    for (uint16_t i = 0;;) {
        if (flen + piece <= len)
            memcpy(buf + flen, data, piece);
        flen += piece;
        vnet_rx_give(n, slot);
        if (++i == nbuf)
            break;
        r = virtq_get(&n->rx, &got, &cookie);
        if (r < 0) {
            if (r == -ATOLL_EAGAIN)
                vdev_fail(n->d, "a received frame announced more buffers "
                                "than were returned with it");
            return -ATOLL_EIO;
        }
        slot = cookie;
        data = slot;
        piece = got;
    }
    if (flen > len) {
        n->rx_dropped++;
        return -ATOLL_EMSGSIZE;
    }
    size_t ihl, thl;
    int ipv = gro && flen >= 14 ? host_tcp_headers(buf, flen, &ihl, &thl) : -1;
    bool tcp = ipv > 0;
    /* A segmentation type we negotiated, on a TCP frame of its family. */
    bool gso_ok = (ipv == 4 && h.gso_type == VNET_GSO_TCPV4 && n->gro4) ||
                  (ipv == 6 && h.gso_type == VNET_GSO_TCPV6 && n->gro6);
    if (flen < 14 || /* runt */
        /* segmentation we never asked for (or of non-TCP) */
        (h.gso_type != VNET_GSO_NONE && !gso_ok) ||
        /* over the MTU without being an offload frame */
        (h.gso_type == VNET_GSO_NONE && flen > ATOLL_NET_FRAME_MAX)) {
        n->rx_dropped++;
        return 0;
    }
    *csum_ok = tcp && (h.flags & (VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID));
    if (!*csum_ok && (h.flags & VNET_F_NEEDS_CSUM))
        host_csum_complete(buf, flen, h.csum_start, h.csum_offset);
    return (int)flen;
}
