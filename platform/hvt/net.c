/*
 * platform/hvt/net.c - net devices over the batched hypercalls.
 *
 * A VM exit costs microseconds (tens of them on software KVM), so frames
 * move in batches, and mostly in the exit the guest makes anyway when it
 * waits (struct atoll_hvt_wait's tx and rx lists):
 *   - send: plat_net_write copies the frame into a per-device queue and
 *     returns.  The queue goes out with the next wait (plat_wait hands it
 *     to the tender, which sends before it waits), or with its own
 *     NET_WRITE exit when it fills up first, and before the guest exits;
 *     a frame is never held back while the guest is idle.
 *   - receive: plat_net_read serves frames from a per-device batch.  A
 *     device somebody waits on gets its empty batch handed to the wait,
 *     and the tender fills it when the tap turns out readable.  When the
 *     batch runs dry, plat_net_read asks the tender itself (a NET_READ
 *     exit) only if the last fill was full - more may be queued; otherwise
 *     it says -ATOLL_EAGAIN without an exit, and the reader's next wait
 *     collects what comes.  So a request/response exchange costs one exit
 *     per round trip, and a bulk transfer one per batch.
 * A frame the host queue cannot take is dropped there, as a full tap
 * queue drops it on the unix target.
 *
 * Devices are manifest indices (so plat_wait's mask is the tender's).
 * Buffers come from the runtime's heap when the device is opened.
 *
 * When hypercalls are function calls (atoll-spt), none of this batching
 * pays: frames go one at a time without copies (net_direct.c), and the
 * batches and their buffers are not allocated at all.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/tunables.h"
#include "hvt_int.h"
#include "tunables.h"
#include "platform.h"

#define HVT_RX_BATCH ATOLL_HVT_NET_BATCH
#define HVT_TX_BATCH ATOLL_HVT_NET_BATCH
_Static_assert(ATOLL_HVT_NET_BATCH <= ATOLL_HVT_NET_BATCH_MAX,
               "the tender moves at most ATOLL_HVT_NET_BATCH_MAX frames");
#define HVT_FRAME    ATOLL_NET_FRAME_MAX
#define HVT_TX_ARENA ((size_t)ATOLL_HVT_NET_TX_ARENA)
_Static_assert(HVT_TX_ARENA >= ATOLL_NET_TSO_MAX,
               "an offload frame must fit the send arena");
#define HVT_RX_AREA ((size_t)ATOLL_HVT_NET_RX_AREA)
#define HVT_RECORD  sizeof(struct atoll_hvt_packed_frame)
_Static_assert(HVT_RX_AREA >= 4 * (HVT_RECORD + ATOLL_HVT_FRAME_MAX),
               "the packed receive area holds at least 4 large frames");

struct hvt_net {
    bool open;
    /* rx_buf: HVT_RX_BATCH slots of HVT_FRAME bytes, or with receive
     * offload (gro) an area of HVT_RX_AREA bytes for packed reads (records
     * of atoll_hvt_packed_frame + frame).  tx_buf: an arena of
     * HVT_TX_ARENA bytes the queued frames are packed into, so that an
     * offload frame of up to 64 KiB fits as well as many small ones. */
    uint8_t *rx_buf, *tx_buf;
    /* Descriptors for the batches, HVT_*_BATCH each.  On the heap like
     * the buffers: in .bss they would be 128 KiB the guest clears (and
     * shadow-faults in, ~25 us a page on PVM) at every boot, net or not. */
    struct atoll_hvt_frame *rx, *tx;
    uint32_t rx_have, rx_next; /* frames in the batch, next to serve */
    bool rx_more;              /* the last fill was full: more may wait */
    bool gro;                  /* packed reads, large frames (GRO4) */
    size_t rx_pos;             /* gro: offset of the next record */
    uint32_t tx_count;
    size_t tx_used; /* bytes of the arena the queued frames fill */
    bool tso;       /* the tender segments offload frames (TSO4/TSO6) */
    bool direct;    /* frames one at a time, no batches (net_direct.c) */
};

static struct hvt_net nets[ATOLL_HVT_MAX_DEVICES];
/* The lists the next wait carries (hvt_net_wait_prepare). */
static struct atoll_hvt_net_io wait_tx[ATOLL_HVT_MAX_DEVICES];
static struct atoll_hvt_net_io wait_rx[ATOLL_HVT_MAX_DEVICES];
static struct atoll_hvt_net_packed wait_rxp[ATOLL_HVT_MAX_DEVICES];

static void flush_all(void);
static uint64_t wait_prepare(struct atoll_hvt_wait *w, uint64_t interest);
static void wait_done(const struct atoll_hvt_wait *w);

int plat_net_open(const char *name, struct plat_net_info *info, char *err,
                  size_t errlen)
{
    int i = hvt_device_find(name, ATOLL_HVT_DEV_NET);
    if (i < 0)
        return -ATOLL_ENOENT;
    struct hvt_net *n = &nets[i];
    if (n->open)
        return -ATOLL_EBUSY;
    struct atoll_hvt_device_info di;
    memset(&di, 0, sizeof di);
    di.index = (uint32_t)i;
    hvt_call(ATOLL_HVT_DEVICE_INFO, &di);
    if (di.ret < 0 || di.kind != ATOLL_HVT_DEV_NET)
        return -ATOLL_ENODEV;
    static const struct hvt_net_hooks hooks = {flush_all, wait_prepare,
                                               wait_done};
    hvt_net_hooks = &hooks;
    n->gro = (di.offloads & ATOLL_HVT_NET_GRO4) != 0;
    n->direct = hvt_net_direct();
    if (n->direct)
        goto opened;
    n->rx_buf = atoll_malloc(n->gro ? HVT_RX_AREA : HVT_RX_BATCH * HVT_FRAME);
    n->tx_buf = atoll_malloc(HVT_TX_ARENA);
    n->rx = n->gro ? NULL : atoll_malloc(HVT_RX_BATCH * sizeof *n->rx);
    n->tx = atoll_malloc(HVT_TX_BATCH * sizeof *n->tx);
    if (!n->rx_buf || !n->tx_buf || (!n->gro && !n->rx) || !n->tx) {
        atoll_free(n->rx_buf);
        atoll_free(n->tx_buf);
        atoll_free(n->rx);
        atoll_free(n->tx);
        return -ATOLL_ENOMEM;
    }
opened:
    memcpy(info->mac, di.mac, sizeof info->mac);
    info->mtu = di.mtu;
    info->tso4 = (di.offloads & ATOLL_HVT_NET_TSO4) != 0;
    info->tso6 = (di.offloads & ATOLL_HVT_NET_TSO6) != 0;
    info->gro4 = n->gro;
    n->tso = info->tso4 || info->tso6;
    n->open = true;
    n->rx_have = n->rx_next = n->tx_count = 0;
    n->tx_used = 0;
    n->rx_more = false;
    n->rx_pos = 0;
    return i;
}

static struct hvt_net *net_get(int dev)
{
    if (dev < 0 || dev >= ATOLL_HVT_MAX_DEVICES || !nets[dev].open)
        return NULL;
    return &nets[dev];
}

/* Points the receive descriptors at the batch buffers (the tender
 * overwrote their results) and describes the batch as one net_io. */
static struct atoll_hvt_net_io rx_arm(int dev, struct hvt_net *n)
{
    for (uint32_t i = 0; i < HVT_RX_BATCH; i++) {
        n->rx[i].addr = (uint64_t)(uintptr_t)(n->rx_buf + i * HVT_FRAME);
        n->rx[i].len = HVT_FRAME;
        n->rx[i].result = 0;
    }
    return (struct atoll_hvt_net_io){(uint32_t)dev, HVT_RX_BATCH,
                                     (uint64_t)(uintptr_t)n->rx, 0};
}

/* A fill came back with `ret` frames (or an error). */
static void rx_filled(struct hvt_net *n, int64_t ret)
{
    n->rx_next = 0;
    n->rx_have = ret > 0 ? (uint32_t)ret : 0;
    n->rx_more = ret == HVT_RX_BATCH;
}

/* gro: the packed read that fills the area. */
static struct atoll_hvt_net_packed rxp_arm(int dev, struct hvt_net *n)
{
    return (struct atoll_hvt_net_packed){
        .device = (uint32_t)dev,
        .area = (uint64_t)(uintptr_t)n->rx_buf,
        .size = HVT_RX_AREA,
    };
}

static void rxp_filled(struct hvt_net *n, const struct atoll_hvt_net_packed *p)
{
    n->rx_next = 0;
    n->rx_pos = 0;
    n->rx_have = p->ret > 0 ? (uint32_t)p->ret : 0;
    n->rx_more =
        p->ret > 0 && HVT_RX_AREA - p->used < HVT_RECORD + ATOLL_HVT_FRAME_MAX;
}

/* gro: the next frame of the area into buf.  A frame whose TCP checksum
 * the host vouches for needs csum_ok to say so: without it (plain reads)
 * it is dropped, as its checksum may be partial. */
static int rxp_serve(struct hvt_net *n, void *buf, size_t len, bool *csum_ok)
{
    struct atoll_hvt_packed_frame f;
    const uint8_t *rec = n->rx_buf + n->rx_pos;
    memcpy(&f, rec, sizeof f);
    n->rx_next++;
    n->rx_pos += (HVT_RECORD + f.len + 7) & ~(size_t)7;
    if (f.len > len || (!csum_ok && (f.flags & ATOLL_HVT_RX_CSUM_OK)))
        return -ATOLL_EMSGSIZE;
    memcpy(buf, rec + HVT_RECORD, f.len);
    if (csum_ok)
        *csum_ok = (f.flags & ATOLL_HVT_RX_CSUM_OK) != 0;
    return (int)f.len;
}

static int net_read(int dev, void *buf, size_t len, bool *csum_ok)
{
    struct hvt_net *n = net_get(dev);
    if (!n)
        return -ATOLL_ENODEV;
    if (n->direct)
        return hvt_net_direct_read(dev, buf, len, csum_ok);
    if (n->gro) {
        if (n->rx_next == n->rx_have) {
            if (!n->rx_more)
                return -ATOLL_EAGAIN; /* the next wait collects */
            struct atoll_hvt_net_packed p = rxp_arm(dev, n);
            hvt_call(ATOLL_HVT_NET_READ_PACKED, &p);
            rxp_filled(n, &p);
            if (p.ret < 0 && p.ret != -ATOLL_EAGAIN)
                return -ATOLL_EIO;
            if (n->rx_have == 0)
                return -ATOLL_EAGAIN;
        }
        return rxp_serve(n, buf, len, csum_ok);
    }
    if (csum_ok)
        *csum_ok = false;
    if (n->rx_next == n->rx_have) {
        if (!n->rx_more)
            return -ATOLL_EAGAIN; /* the next wait collects what comes */
        struct atoll_hvt_net_io io = rx_arm(dev, n);
        hvt_call(ATOLL_HVT_NET_READ, &io);
        rx_filled(n, io.ret);
        if (io.ret < 0 && io.ret != -ATOLL_EAGAIN)
            return -ATOLL_EIO;
        if (n->rx_have == 0)
            return -ATOLL_EAGAIN;
    }
    struct atoll_hvt_frame *f = &n->rx[n->rx_next++];
    if (f->result < 0)
        return f->result == -ATOLL_EMSGSIZE ? -ATOLL_EMSGSIZE : -ATOLL_EIO;
    if ((size_t)f->result > len)
        return -ATOLL_EMSGSIZE;
    memcpy(buf, (const void *)(uintptr_t)f->addr, (size_t)f->result);
    return f->result;
}

int plat_net_read(int dev, void *buf, size_t len)
{
    return net_read(dev, buf, len, NULL);
}

int plat_net_read_gro(int dev, void *buf, size_t len, bool *csum_ok)
{
    struct hvt_net *n = net_get(dev);
    if (n && !n->gro)
        return -ATOLL_ENOTSUP;
    return net_read(dev, buf, len, csum_ok);
}

static uint64_t wait_prepare(struct atoll_hvt_wait *w, uint64_t interest)
{
    uint32_t ntx = 0, nrx = 0, nrxp = 0;
    uint64_t buffered = 0;
    for (int i = 0; i < ATOLL_HVT_MAX_DEVICES; i++) {
        struct hvt_net *n = &nets[i];
        if (!n->open || n->direct)
            continue;
        if (n->tx_count)
            wait_tx[ntx++] = (struct atoll_hvt_net_io){
                (uint32_t)i, n->tx_count, (uint64_t)(uintptr_t)n->tx, 0};
        if (n->rx_next < n->rx_have)
            buffered |= 1ULL << i;
        else if ((interest & (1ULL << i)) && n->gro)
            wait_rxp[nrxp++] = rxp_arm(i, n);
        else if (interest & (1ULL << i))
            wait_rx[nrx++] = rx_arm(i, n);
    }
    w->tx = ntx ? (uint64_t)(uintptr_t)wait_tx : 0;
    w->rx = nrx ? (uint64_t)(uintptr_t)wait_rx : 0;
    w->rxp = nrxp ? (uint64_t)(uintptr_t)wait_rxp : 0;
    w->ntx = ntx;
    w->nrx = nrx;
    w->nrxp = nrxp;
    return buffered;
}

static void wait_done(const struct atoll_hvt_wait *w)
{
    for (uint32_t i = 0; i < w->ntx; i++) {
        nets[wait_tx[i].device].tx_count = 0;
        nets[wait_tx[i].device].tx_used = 0;
    }
    for (uint32_t i = 0; i < w->nrx; i++)
        rx_filled(&nets[wait_rx[i].device], wait_rx[i].ret);
    for (uint32_t i = 0; i < w->nrxp; i++)
        rxp_filled(&nets[wait_rxp[i].device], &wait_rxp[i]);
}

static void net_flush(int dev, struct hvt_net *n)
{
    if (n->tx_count == 0)
        return;
    struct atoll_hvt_net_io io = {(uint32_t)dev, n->tx_count,
                                  (uint64_t)(uintptr_t)n->tx, 0};
    hvt_call(ATOLL_HVT_NET_WRITE, &io);
    n->tx_count = 0;
    n->tx_used = 0;
}

static void flush_all(void)
{
    for (int i = 0; i < ATOLL_HVT_MAX_DEVICES; i++)
        if (nets[i].open)
            net_flush(i, &nets[i]);
}

/* Queues a frame in the send arena (flushing first when it or the
 * descriptor list is full). */
static int queue_frame(int dev, const void *buf, size_t len, uint16_t gso)
{
    struct hvt_net *n = net_get(dev);
    if (!n)
        return -ATOLL_ENODEV;
    if (len > (gso ? ATOLL_NET_TSO_MAX : HVT_FRAME))
        return -ATOLL_EMSGSIZE;
    if (gso && !n->tso)
        return -ATOLL_ENOTSUP;
    if (n->direct)
        return hvt_net_direct_write(dev, buf, len, gso);
    if (n->tx_count == HVT_TX_BATCH || n->tx_used + len > HVT_TX_ARENA)
        net_flush(dev, n);
    uint8_t *slot = n->tx_buf + n->tx_used;
    memcpy(slot, buf, len);
    n->tx[n->tx_count] =
        (struct atoll_hvt_frame){.addr = (uint64_t)(uintptr_t)slot,
                                 .len = (uint32_t)len,
                                 .gso_size = gso};
    n->tx_count++;
    n->tx_used += len;
    return 0;
}

/* Offload frames go to the tender whole; it hands them to the kernel's
 * segmentation (GSO) through its tap, as the unix target does. */
int plat_net_write_tso(int dev, const void *buf, size_t len, uint16_t gso_size)
{
    if (gso_size == 0)
        return -ATOLL_EINVAL;
    return queue_frame(dev, buf, len, gso_size);
}

int plat_net_write(int dev, const void *buf, size_t len)
{
    return queue_frame(dev, buf, len, 0);
}
