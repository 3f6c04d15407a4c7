/*
 * platform/hvt/net.c - net devices over the batched hypercalls.
 *
 * A VM exit costs microseconds, so frames move in batches:
 *   - receive: plat_net_read serves frames from a small per-device batch
 *     buffer; only when it is empty does it ask the tender, with one
 *     NET_READ exit that fills up to HVT_RX_BATCH frames at once;
 *   - send: plat_net_write copies the frame into a per-device queue and
 *     returns; the queue goes out with one NET_WRITE exit when it is full,
 *     and always before the guest waits (plat_wait) or exits, so a frame
 *     is never held back while the guest is idle.
 * A frame the host queue cannot take is dropped there, as a full tap
 * queue drops it on the unix target.
 *
 * Devices are manifest indices (so plat_wait's mask is the tender's).
 * Buffers come from the runtime's heap when the device is opened.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/tunables.h"
#include "hvtint.h"
#include "platform.h"

#define HVT_RX_BATCH 32
#define HVT_TX_BATCH 32
#define HVT_FRAME    ATOLL_NET_FRAME_MAX

struct hvt_net {
    bool open;
    uint8_t *rx_buf, *tx_buf; /* HVT_*_BATCH frames of HVT_FRAME bytes */
    struct atoll_hvt_frame rx[HVT_RX_BATCH], tx[HVT_TX_BATCH];
    uint32_t rx_have, rx_next; /* frames in the batch, next to serve */
    uint32_t tx_count;
};

static struct hvt_net nets[ATOLL_HVT_MAX_DEVICES];

int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    return 0; /* the tender attached it (core.c builds this line) */
}

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
    n->rx_buf = atoll_malloc(HVT_RX_BATCH * HVT_FRAME);
    n->tx_buf = atoll_malloc(HVT_TX_BATCH * HVT_FRAME);
    if (!n->rx_buf || !n->tx_buf) {
        atoll_free(n->rx_buf);
        atoll_free(n->tx_buf);
        return -ATOLL_ENOMEM;
    }
    memcpy(info->mac, di.mac, sizeof info->mac);
    info->mtu = di.mtu;
    n->open = true;
    n->rx_have = n->rx_next = n->tx_count = 0;
    return i;
}

static struct hvt_net *net_get(int dev)
{
    if (dev < 0 || dev >= ATOLL_HVT_MAX_DEVICES || !nets[dev].open)
        return NULL;
    return &nets[dev];
}

int plat_net_read(int dev, void *buf, size_t len)
{
    struct hvt_net *n = net_get(dev);
    if (!n)
        return -ATOLL_ENODEV;
    if (n->rx_next == n->rx_have) {
        for (uint32_t i = 0; i < HVT_RX_BATCH; i++) {
            n->rx[i].addr = (uint64_t)(uintptr_t)(n->rx_buf + i * HVT_FRAME);
            n->rx[i].len = HVT_FRAME;
            n->rx[i].result = 0;
        }
        struct atoll_hvt_net_io io = {(uint32_t)dev, HVT_RX_BATCH,
                                      (uint64_t)(uintptr_t)n->rx, 0};
        hvt_call(ATOLL_HVT_NET_READ, &io);
        n->rx_next = 0;
        n->rx_have = io.ret > 0 ? (uint32_t)io.ret : 0;
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

static void net_flush(int dev, struct hvt_net *n)
{
    if (n->tx_count == 0)
        return;
    struct atoll_hvt_net_io io = {(uint32_t)dev, n->tx_count,
                                  (uint64_t)(uintptr_t)n->tx, 0};
    hvt_call(ATOLL_HVT_NET_WRITE, &io);
    n->tx_count = 0;
}

void hvt_net_flush_all(void)
{
    for (int i = 0; i < ATOLL_HVT_MAX_DEVICES; i++)
        if (nets[i].open)
            net_flush(i, &nets[i]);
}

int plat_net_write(int dev, const void *buf, size_t len)
{
    struct hvt_net *n = net_get(dev);
    if (!n)
        return -ATOLL_ENODEV;
    if (len > HVT_FRAME)
        return -ATOLL_EMSGSIZE;
    if (n->tx_count == HVT_TX_BATCH)
        net_flush(dev, n);
    uint8_t *slot = n->tx_buf + n->tx_count * HVT_FRAME;
    memcpy(slot, buf, len);
    n->tx[n->tx_count].addr = (uint64_t)(uintptr_t)slot;
    n->tx[n->tx_count].len = (uint32_t)len;
    n->tx[n->tx_count].result = 0;
    n->tx_count++;
    return 0;
}
