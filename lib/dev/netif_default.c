/*
 * lib/dev/netif_default.c - the platform's network device as an
 * atoll_netif (a tap on unix, a simulated wire on sim).
 *
 * recv drains whatever frames the platform has, without blocking, into
 * fresh buffers (with ATOLL_BUF_HEADROOM in front so upper layers can
 * strip and push headers without copying); only when there is none does
 * the fiber block in the scheduler until the device is ready or the
 * deadline passes.  A batch that ended on EAGAIN has just seen the host
 * queue empty, so the next call waits for readiness first instead of
 * re-reading (that read would all but always be one more EAGAIN: a system
 * call, or a VM exit on hvt, per wake-up).  This is safe because every
 * platform's readiness is level-triggered on frames not yet read, and an
 * EAGAIN means the platform holds no frame of its own (hvt's batch buffer
 * is empty then).  send hands frames to the platform one by one; a full
 * host queue drops the frame and counts it, as a congested wire would.
 * A frame with a gso_size (TCP segmentation offload, atoll/netif.h) goes
 * to plat_net_write_tso, offered only when the platform's device does it
 * (the unix tap, the hvt/spt tender, virtio, a sim wire with tso=on; for
 * TCP/IPv4 and, with tso6, TCP/IPv6).  On a device with GRO4 reads go through
 * plat_net_read_gro into a 64 KiB spare buffer: a large frame is handed
 * up in it, an ordinary one is copied into a buffer of its size.  Every
 * batch is recorded as DEV_IO in the trace.
 */
#include <string.h>

#include "../core/runtime.h"
#include "atoll/buf.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/trace.h"
#include "atoll/tunables.h"
#include "dev_open.h"
#include "platform.h"

struct netif_default {
    struct atoll_netif nif;
    int dev;
    char *name;
    struct plat_net_info info;
    struct atoll_netif_stats stats;
    struct atoll_buf *spare; /* kept across calls: no alloc/free per poll */
    size_t rx_cap;           /* bytes a read may bring (64 KiB with GRO4) */
    bool drained; /* the last read said EAGAIN: wait before reading again */
};

static uint32_t self_id(void)
{
    atoll_fiber *f = atoll_fiber_self();
    return f ? atoll_fiber_id(f) : 0;
}

static int nd_recv(void *state, struct atoll_buf **frames, int max,
                   atoll_time_t deadline)
{
    struct netif_default *s = state;
    if (max <= 0 || !frames)
        return -ATOLL_EINVAL;
    /* Wait first when the queue was empty a moment ago, unless the caller
     * only polls (a deadline already due reads at once, as before). */
    bool wait = s->drained && deadline > atoll_now(), timed_out = false;
    for (;;) {
        if (wait) {
            int w = atoll_sched_wait_device(s->dev, deadline, "netif rx");
            if (w == -ATOLL_ETIMEDOUT)
                timed_out = true; /* still read once: never strand a frame */
            else if (w < 0)
                return w;
        }
        s->drained = false;
        int n = 0, err = 0;
        size_t bytes = 0;
        while (n < max) {
            struct atoll_buf *b = s->spare;
            s->spare = NULL;
            if (!b && !(b = atoll_buf_alloc(ATOLL_BUF_HEADROOM, s->rx_cap))) {
                err = -ATOLL_ENOMEM;
                break;
            }
            bool csum_ok = false;
            int r = s->info.gro4 ? plat_net_read_gro(s->dev, b->data, s->rx_cap,
                                                     &csum_ok)
                                 : plat_net_read(s->dev, b->data, s->rx_cap);
            if (r < 0) {
                s->spare = b;
                if (r == -ATOLL_EMSGSIZE) {
                    s->stats.rx_dropped++;
                    continue;
                }
                if (r == -ATOLL_EAGAIN)
                    s->drained = true;
                else
                    err = r;
                break;
            }
            if (s->info.gro4 && (size_t)r <= ATOLL_NET_FRAME_MAX) {
                /* A frame of ordinary size: into a buffer of ordinary
                 * size (queues and reassembly hold some), the 64 KiB one
                 * stays the spare. */
                struct atoll_buf *small =
                    atoll_buf_alloc(ATOLL_BUF_HEADROOM, (size_t)r);
                if (!small) {
                    s->spare = b;
                    err = -ATOLL_ENOMEM;
                    break;
                }
                memcpy(atoll_buf_put(small, (size_t)r), b->data, (size_t)r);
                s->spare = b;
                b = small;
            } else {
                b->len = 0;
                atoll_buf_put(b, (size_t)r);
            }
            b->csum_ok = csum_ok;
            b->dev = (uint32_t)s->dev;
            b->next = NULL;
            frames[n++] = b;
            bytes += (size_t)r;
        }
        if (n > 0) {
            s->stats.rx_frames += (uint64_t)n;
            s->stats.rx_bytes += bytes;
            atoll_trace_record(ATOLL_TR_DEV_IO, self_id(), (int64_t)bytes,
                               s->name);
            return n;
        }
        if (err < 0) {
            atoll_trace_record(ATOLL_TR_DEV_IO, self_id(), err, s->name);
            return err;
        }
        if (timed_out)
            return -ATOLL_ETIMEDOUT;
        wait = true;
    }
}

static int nd_send(void *state, struct atoll_buf *const *frames, int n)
{
    struct netif_default *s = state;
    size_t bytes = 0;
    int i;
    for (i = 0; i < n; i++) {
        const struct atoll_buf *b = frames[i];
        size_t max = (size_t)s->info.mtu + 14;
        /* An 802.1Q tag adds 4 bytes in front of the EtherType. */
        if (b->len >= 14 && b->data[12] == 0x81 && b->data[13] == 0x00)
            max += 4;
        if (b->gso_size)
            max = s->info.tso4 || s->info.tso6 ? ATOLL_NET_TSO_MAX : 0;
        else if (max > ATOLL_NET_FRAME_MAX)
            max = ATOLL_NET_FRAME_MAX;
        if (b->len < 14 || b->len > max) {
            if (i == 0)
                return -ATOLL_EMSGSIZE;
            break;
        }
        int r = b->gso_size
                    ? plat_net_write_tso(s->dev, b->data, b->len, b->gso_size)
                    : plat_net_write(s->dev, b->data, b->len);
        if (r == -ATOLL_EAGAIN) {
            s->stats.tx_dropped++;
            continue;
        }
        if (r < 0) {
            atoll_trace_record(ATOLL_TR_DEV_IO, self_id(), r, s->name);
            if (i == 0)
                return r == -ATOLL_EMSGSIZE ? r : -ATOLL_EIO;
            break;
        }
        s->stats.tx_frames++;
        s->stats.tx_bytes += b->len;
        bytes += b->len;
    }
    if (i > 0)
        atoll_trace_record(ATOLL_TR_DEV_IO, self_id(), (int64_t)bytes, s->name);
    return i;
}

static void nd_info(void *state, struct atoll_netif_info *out)
{
    struct netif_default *s = state;
    memcpy(out->mac, s->info.mac, 6);
    out->mtu = s->info.mtu;
    out->name = s->name;
    out->offloads = (s->info.tso4 ? ATOLL_NETIF_TSO4 : 0) |
                    (s->info.gro4 ? ATOLL_NETIF_GRO4 : 0) |
                    (s->info.tso6 ? ATOLL_NETIF_TSO6 : 0);
}

static void nd_stats(void *state, struct atoll_netif_stats *out)
{
    struct netif_default *s = state;
    *out = s->stats;
}

static const struct atoll_netif_ops nd_ops = {
    .recv = nd_recv,
    .send = nd_send,
    .info = nd_info,
    .stats = nd_stats,
};

int atoll_netif_open_default(const char *name, struct atoll_netif **out)
{
    char err[256] = "";
    struct plat_net_info info;
    memset(&info, 0, sizeof info);
    int dev = plat_net_open(name, &info, err, sizeof err);
    if (dev < 0)
        return dev_open_failed(dev, err);
    char *copy;
    struct netif_default *s = dev_state_alloc(sizeof *s, name, &copy);
    if (!s)
        return -ATOLL_ENOMEM;
    s->dev = dev;
    s->name = copy;
    s->info = info;
    s->rx_cap = info.gro4 ? ATOLL_NET_TSO_MAX : ATOLL_NET_FRAME_MAX;
    s->nif.ops = &nd_ops;
    s->nif.state = s;
    *out = &s->nif;
    return 0;
}
