/*
 * platform/virtio/vnet.h - a virtio-net device as the driver keeps it,
 * shared by net.c (opening, sending, the plat_net_* functions) and
 * net_rx.c (taking received frames out of the receive ring).
 *
 * The receive side is a file of its own so that it can be built for the
 * host and driven by a test that plays a lying device
 * (tests/unit/virtio_net_rx.c): net.c defines the plat_net_* functions,
 * which a host test's platform defines too.
 */
#ifndef ATOLL_PLATFORM_VIRTIO_VNET_H
#define ATOLL_PLATFORM_VIRTIO_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_int.h"

#define VNET_HDR       12   /* struct virtio_net_hdr with num_buffers */
#define VNET_SLOT      2048 /* one receive buffer: a header and a frame */
#define VNET_TSO_SLOTS 8

/* virtio_net_hdr flags and segmentation types (virtio 1.x, 5.1.6). */
#define VNET_F_NEEDS_CSUM 1
#define VNET_F_DATA_VALID 2
#define VNET_GSO_NONE     0
#define VNET_GSO_TCPV4    1
#define VNET_GSO_TCPV6    4

struct vnet_hdr {
    uint8_t flags, gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};
_Static_assert(sizeof(struct vnet_hdr) == VNET_HDR, "virtio_net_hdr v1");

struct vnet {
    struct vdev *d;
    struct virtq rx, tx;
    uint8_t *rx_buf, *tx_buf; /* ring size * VNET_SLOT each */
    uint8_t *tso_buf;         /* VNET_TSO_SLOTS large slots, or NULL */
    bool tso_busy[VNET_TSO_SLOTS];
    bool tso4, tso6; /* CSUM + HOST_TSO4, CSUM + HOST_TSO6 */
    bool gro4;       /* GUEST_CSUM + GUEST_TSO4 + MRG_RXBUF */
    bool gro6;       /* GUEST_CSUM + GUEST_TSO6 + MRG_RXBUF */
    bool mrg;        /* MRG_RXBUF: num_buffers counts */
    /* Received frames dropped: shorter than an Ethernet header,
     * segmented in a way not negotiated, over the MTU without being an
     * offload frame, or larger than the reader's buffer. */
    uint64_t rx_dropped;
};

/* Gives receive buffer `slot` (VNET_SLOT bytes) back to the device;
 * published at the next virtq_kick. */
int vnet_rx_give(struct vnet *n, uint8_t *slot);

/*
 * The next received frame into buf (len bytes), its buffers given back:
 * its length, 0 (dropped and counted in rx_dropped), -ATOLL_EAGAIN
 * (none), -ATOLL_EMSGSIZE (larger than len; dropped and counted),
 * -ATOLL_EIO (the device broke the protocol - an index or length out of
 * range, a frame in no buffer or in more than it returned - and is now
 * broken: vdev_fail).  `gro`: the caller takes large TCP frames and
 * *csum_ok (a TCP checksum the device vouches for, perhaps partial).
 */
int vnet_rx_frame(struct vnet *n, uint8_t *buf, size_t len, bool gro,
                  bool *csum_ok);

#endif
