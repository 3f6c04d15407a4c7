/*
 * platform/virtio/net.c - network devices on virtio-net (virtio 1.x,
 * 5.1).
 *
 * Queue 0 receives, queue 1 sends; every frame has the 12-byte
 * virtio_net_hdr (version 1 always has num_buffers) in front of it, in
 * the same buffer.
 *
 *   - Receive: every entry of the receive ring holds a 2 KiB buffer of
 *     our own (a header and the largest frame).  plat_net_read copies the
 *     next used one out - its length read once and checked against the
 *     buffer (virtq.c) and the header's - and gives the buffer back; the
 *     buffers given back are published to the device in one go at the
 *     next look at the rings (virtio_net_poll), not one notification
 *     each.
 *   - Send: plat_net_write copies the frame (with its header) into a
 *     buffer of the send ring and returns: the caller keeps its buffer, as
 *     on every target.  Frames are published at the next look at the
 *     rings (the scheduler's next wait) or when the ring is half full, so
 *     a burst costs the device one notification, like hvt's batches.
 *     Buffers the device is done with are taken back at the next send.
 *     A full ring drops the frame (-ATOLL_EAGAIN), as a full tap queue.
 *   - Send offload: when the device offers checksum offload and TSO
 *     (VIRTIO_NET_F_CSUM + HOST_TSO4, and HOST_TSO6 for IPv6), TCP may
 *     hand it frames of up to 64 KiB (ATOLL_NETIF_TSO4, ATOLL_NETIF_TSO6),
 *     described by the header exactly as the unix tap describes them to
 *     the kernel (host_gso_describe, for either family); those go into
 *     one of TSO_SLOTS large buffers.
 *   - Receive offload: when the device offers GUEST_CSUM, GUEST_TSO4 and
 *     merged receive buffers (MRG_RXBUF; all three or none), it may hand
 *     over TCP/IPv4 frames of up to 64 KiB spread over several of our
 *     2 KiB buffers (num_buffers in the first one's header) and leave
 *     TCP checksums partial or vouch for them (ATOLL_NETIF_GRO4, as the
 *     unix tap's kernel does); with GUEST_TSO6 as well, TCP/IPv6 frames
 *     too.  One large frame instead of up to 44 saves
 *     the stack a pass (and an ACK) per segment - under TCG the guest's
 *     per-frame work is what limits receiving.  Without merged buffers
 *     GUEST_TSO4/6 would need a 64 KiB buffer per ring entry: not taken.
 *
 * What the device writes is checked (receiving: net_rx.c, a file of its
 * own so that a host test can play a lying device against it): a
 * received frame shorter than its header plus an Ethernet header is
 * dropped and counted; one with a segmentation
 * type we did not negotiate, or a large one that is not TCP of that
 * family, is
 * dropped; a partial checksum that is not TCP's is completed within the
 * frame's bounds.  A frame announced in zero buffers, or in more than
 * the device returned with it (virtio 1.x, 5.1.6.4.2: all of a frame's
 * buffers are used together), breaks the protocol: the device is marked
 * broken.  The MAC address is the device's when it offers one, else a
 * random locally administered one.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/tunables.h"
#include "host/pkt.h"
#include "io.h"
#include "platform.h"
#include "tunables.h"
#include "virtio_int.h"
#include "vnet.h"

_Static_assert(HOST_GSO_TCPV4 == VNET_GSO_TCPV4 &&
                   HOST_GSO_TCPV6 == VNET_GSO_TCPV6,
               "host_gso_describe speaks virtio's numbers");

#define F_CSUM       0
#define F_GUEST_CSUM 1
#define F_MAC        5
#define F_GUEST_TSO4 7
#define F_GUEST_TSO6 8
#define F_HOST_TSO4  11
#define F_HOST_TSO6  12
#define F_MRG_RXBUF  15
#define BIT(f)       (1ULL << (f))

#define HDR       VNET_HDR
#define SLOT      VNET_SLOT
#define TSO_SLOTS VNET_TSO_SLOTS
#define TSO_SLOT  (HDR + ATOLL_NET_TSO_MAX)

/* What the features need (virtio 1.x, 5.1.3.1, and the note above). */
static const struct vdev_need net_needs[] = {
    {F_HOST_TSO4, BIT(F_CSUM)},
    {F_HOST_TSO6, BIT(F_CSUM)},
    {F_GUEST_TSO4, BIT(F_GUEST_CSUM) | BIT(F_MRG_RXBUF)},
    {F_GUEST_TSO6, BIT(F_GUEST_CSUM) | BIT(F_MRG_RXBUF)},
};

static struct vnet *nets[ATOLL_DEVICES_MAX];

int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    return vdev_attach(name, VIRTIO_ID_NET, spec, err, errlen);
}

static int open_fail(struct vdev *d, char *err, size_t errlen)
{
    snprintf(err, errlen, "virtio net device '%s': %s", d->name, d->why);
    return -ATOLL_ENODEV;
}

int plat_net_open(const char *name, struct plat_net_info *info, char *err,
                  size_t errlen)
{
    struct vdev *d;
    int dev = vdev_open(name, VIRTIO_ID_NET, &d, err, errlen);
    if (dev < 0)
        return dev;
    struct vnet *n = atoll_calloc(1, sizeof *n);
    if (!n)
        return -ATOLL_ENOMEM;
    n->d = d;
    uint64_t wanted = BIT(F_MAC) | BIT(F_CSUM) | BIT(F_HOST_TSO4) |
                      BIT(F_HOST_TSO6) | BIT(F_GUEST_CSUM) | BIT(F_GUEST_TSO4) |
                      BIT(F_GUEST_TSO6) | BIT(F_MRG_RXBUF);
    if (vdev_start(d, wanted, net_needs,
                   (int)(sizeof net_needs / sizeof net_needs[0])) < 0 ||
        virtq_init(&n->rx, d, 0, ATOLL_VIRTIO_RING) < 0 ||
        virtq_init(&n->tx, d, 1, ATOLL_VIRTIO_RING) < 0)
        return open_fail(d, err, errlen);
    n->tso4 = vdev_has(d, F_HOST_TSO4);
    n->tso6 = vdev_has(d, F_HOST_TSO6);
    n->gro4 = vdev_has(d, F_GUEST_TSO4);
    n->gro6 = vdev_has(d, F_GUEST_TSO6);
    n->mrg = vdev_has(d, F_MRG_RXBUF);
    bool tso = n->tso4 || n->tso6;
    n->rx_buf = atoll_memalign(4096, (size_t)n->rx.size * SLOT);
    n->tx_buf = atoll_memalign(4096, (size_t)n->tx.size * SLOT);
    n->tso_buf =
        tso ? atoll_memalign(4096, (size_t)TSO_SLOTS * TSO_SLOT) : NULL;
    if (!n->rx_buf || !n->tx_buf || (tso && !n->tso_buf))
        return -ATOLL_ENOMEM;
    if (vdev_has(d, F_MAC)) {
        if (vdev_config(d, 0, info->mac, 6) < 0)
            return open_fail(d, err, errlen);
    } else {
        plat_random(info->mac, 6);
    }
    /* Unicast, locally administered when it is ours; a device's
     * multicast address would make every frame we send multicast. */
    if (!vdev_has(d, F_MAC) || (info->mac[0] & 1))
        info->mac[0] = (uint8_t)((info->mac[0] & 0xfe) | 0x02);
    for (uint16_t i = 0; i < n->rx.size; i++)
        vnet_rx_give(n, n->rx_buf + (size_t)i * SLOT);
    virtq_interrupts(&n->tx, false);
    vdev_ready(d);
    virtq_kick(&n->rx);
    info->mtu = 1500;
    info->tso4 = n->tso4;
    info->tso6 = n->tso6;
    info->gro4 = n->gro4 || n->gro6;
    nets[dev] = n;
    return dev;
}

static struct vnet *net_get(int dev)
{
    if (dev < 0 || dev >= ATOLL_DEVICES_MAX || !nets[dev])
        return NULL;
    return nets[dev];
}

/* ---- receiving ---------------------------------------------------------- */

static int net_read(int dev, void *buf, size_t len, bool gro, bool *csum_ok)
{
    struct vnet *n = net_get(dev);
    if (!n || n->d->broken)
        return -ATOLL_EIO;
    if (gro && !n->gro4 && !n->gro6)
        return -ATOLL_ENOTSUP;
    int r;
    while ((r = vnet_rx_frame(n, buf, len, gro, csum_ok)) == 0)
        ;
    return r;
}

int plat_net_read(int dev, void *buf, size_t len)
{
    bool csum_ok;
    return net_read(dev, buf, len, false, &csum_ok);
}

int plat_net_read_gro(int dev, void *buf, size_t len, bool *csum_ok)
{
    return net_read(dev, buf, len, true, csum_ok);
}

uint64_t virtio_net_poll(uint64_t interest)
{
    uint64_t ready = 0;
    for (int dev = 0; dev < ATOLL_DEVICES_MAX; dev++) {
        struct vnet *n = nets[dev];
        if (!n || n->d->broken)
            continue;
        bool want = (interest >> dev) & 1;
        virtq_kick(&n->rx);
        virtq_kick(&n->tx);
        virtq_interrupts(&n->rx, want);
        n->d->t->ack(n->d);
        if (want && virtq_pending(&n->rx))
            ready |= 1ULL << dev;
    }
    return ready;
}

/* ---- sending ------------------------------------------------------------- */

/* Takes back the send buffers the device is done with. */
static void tx_reclaim(struct vnet *n)
{
    uint32_t got;
    void *cookie;
    while (virtq_get(&n->tx, &got, &cookie) >= 0) {
        uint8_t *p = cookie;
        if (n->tso_buf && p >= n->tso_buf &&
            p < n->tso_buf + (size_t)TSO_SLOTS * TSO_SLOT)
            n->tso_busy[(size_t)(p - n->tso_buf) / TSO_SLOT] = false;
    }
}

static int net_send(int dev, const struct vnet_hdr *h, const void *buf,
                    size_t len)
{
    struct vnet *n = net_get(dev);
    if (!n || n->d->broken)
        return -ATOLL_EIO;
    tx_reclaim(n);
    if (n->tx.nfree == 0)
        return -ATOLL_EAGAIN;
    uint8_t *slot = NULL;
    if (HDR + len <= SLOT) {
        /* The descriptor that will carry it names its slot. */
        uint16_t id = n->tx.free[n->tx.nfree - 1];
        slot = n->tx_buf + (size_t)id * SLOT;
    } else {
        for (int i = 0; i < TSO_SLOTS && !slot; i++)
            if (!n->tso_busy[i]) {
                n->tso_busy[i] = true;
                slot = n->tso_buf + (size_t)i * TSO_SLOT;
            }
        if (!slot)
            return -ATOLL_EAGAIN;
    }
    memcpy(slot, h, HDR);
    memcpy(slot + HDR, buf, len);
    struct vbuf b = {slot, (uint32_t)(HDR + len), false};
    if (virtq_add(&n->tx, &b, 1, slot) < 0)
        return -ATOLL_EIO;
    /* Half a ring waiting: publish now rather than at the next wait. */
    if ((uint16_t)(n->tx.avail_idx - n->tx.published) >= n->tx.size / 2)
        virtq_kick(&n->tx);
    return 0;
}

int plat_net_write(int dev, const void *buf, size_t len)
{
    static const struct vnet_hdr plain; /* no offload */
    if (len > ATOLL_NET_FRAME_MAX)
        return -ATOLL_EMSGSIZE;
    return net_send(dev, &plain, buf, len);
}

int plat_net_write_tso(int dev, const void *buf, size_t len, uint16_t gso_size)
{
    struct vnet *n = net_get(dev);
    if (n && !n->tso4 && !n->tso6)
        return -ATOLL_ENOTSUP;
    struct host_gso g;
    if (gso_size == 0 || len > ATOLL_NET_TSO_MAX ||
        host_gso_describe(buf, len, &g) < 0)
        return -ATOLL_EMSGSIZE;
    if (n && !(g.type == HOST_GSO_TCPV6 ? n->tso6 : n->tso4))
        return -ATOLL_ENOTSUP; /* the family the device does not segment */
    struct vnet_hdr h = {
        .flags = VNET_F_NEEDS_CSUM,
        .gso_type = g.type,
        .hdr_len = g.hdr_len,
        .gso_size = gso_size,
        .csum_start = g.csum_start,
        .csum_offset = g.csum_offset,
    };
    return net_send(dev, &h, buf, len);
}

void virtio_net_flush_all(void)
{
    /* Publish what is queued and give the devices a moment (bounded) to
     * take it: frames sent just before the exit still go out. */
    uint64_t limit = clock_now_ns() + 100000000;
    for (int dev = 0; dev < ATOLL_DEVICES_MAX; dev++) {
        struct vnet *n = nets[dev];
        if (!n || n->d->broken)
            continue;
        virtq_kick(&n->tx);
        while (n->tx.published != n->tx.used_seen && !n->d->broken &&
               clock_now_ns() < limit) {
            tx_reclaim(n);
            cpu_relax();
        }
    }
}
