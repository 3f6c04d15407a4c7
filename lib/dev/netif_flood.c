/*
 * lib/dev/netif_flood.c - a test double: the network interface that always
 * has a new packet waiting.
 *
 * Every recv returns `max` fresh frames at once, without blocking: a
 * broadcast ARP request ("who has 198.18.x.y?") whose target address
 * carries an incrementing counter, so a reader can tell the frames apart
 * and count them.  send accepts and discards.  It needs no attached host
 * resource.  Its point is to show that code reading from a busy interface
 * still lets other fibers (and timers) run, as long as it yields between
 * batches.
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

#define FLOOD_FRAME_LEN 60 /* minimum Ethernet frame without FCS */

struct netif_flood {
    struct atoll_netif nif;
    char *name;
    uint8_t mac[6];
    uint32_t counter;
    struct atoll_netif_stats stats;
};

static uint32_t self_id(void)
{
    atoll_fiber *f = atoll_fiber_self();
    return f ? atoll_fiber_id(f) : 0;
}

/* The n-th frame: Ethernet broadcast + ARP request from 198.18.0.1 for
 * 198.18.(n>>8).(n&255), with n also in the padding (big-endian). */
static void fill_frame(uint8_t *p, const uint8_t mac[6], uint32_t n)
{
    memset(p, 0, FLOOD_FRAME_LEN);
    memset(p, 0xff, 6);
    memcpy(p + 6, mac, 6);
    p[12] = 0x08, p[13] = 0x06; /* ARP */
    uint8_t *a = p + 14;
    a[1] = 1;                 /* hardware: Ethernet */
    a[2] = 0x08, a[3] = 0x00; /* protocol: IPv4 */
    a[4] = 6, a[5] = 4;
    a[7] = 1; /* request */
    memcpy(a + 8, mac, 6);
    a[14] = 198, a[15] = 18, a[16] = 0, a[17] = 1;
    a[24] = 198, a[25] = 18, a[26] = (uint8_t)(n >> 8), a[27] = (uint8_t)n;
    p[42] = (uint8_t)(n >> 24), p[43] = (uint8_t)(n >> 16);
    p[44] = (uint8_t)(n >> 8), p[45] = (uint8_t)n;
}

static int fl_recv(void *state, struct atoll_buf **frames, int max,
                   atoll_time_t deadline)
{
    struct netif_flood *s = state;
    if (max <= 0 || !frames)
        return -ATOLL_EINVAL;
    int n;
    for (n = 0; n < max; n++) {
        struct atoll_buf *b =
            atoll_buf_alloc(ATOLL_BUF_HEADROOM, ATOLL_NET_FRAME_MAX);
        if (!b)
            break;
        fill_frame(atoll_buf_put(b, FLOOD_FRAME_LEN), s->mac, s->counter++);
        frames[n] = b;
    }
    if (n == 0)
        return -ATOLL_ENOMEM;
    s->stats.rx_frames += (uint64_t)n;
    s->stats.rx_bytes += (uint64_t)n * FLOOD_FRAME_LEN;
    atoll_trace_record(ATOLL_TR_DEV_IO, self_id(), (int64_t)n * FLOOD_FRAME_LEN,
                       s->name);
    return n;
}

static int fl_send(void *state, struct atoll_buf *const *frames, int n)
{
    struct netif_flood *s = state;
    for (int i = 0; i < n; i++) {
        if (frames[i]->len < 14 || frames[i]->len > ATOLL_NET_FRAME_MAX) {
            if (i == 0)
                return -ATOLL_EMSGSIZE;
            return i;
        }
        s->stats.tx_frames++;
        s->stats.tx_bytes += frames[i]->len;
    }
    return n < 0 ? 0 : n;
}

static void fl_info(void *state, struct atoll_netif_info *out)
{
    struct netif_flood *s = state;
    memcpy(out->mac, s->mac, 6);
    out->mtu = 1500;
    out->name = s->name;
    out->offloads = 0;
}

static void fl_stats(void *state, struct atoll_netif_stats *out)
{
    struct netif_flood *s = state;
    *out = s->stats;
}

static const struct atoll_netif_ops fl_ops = {
    .recv = fl_recv,
    .send = fl_send,
    .info = fl_info,
    .stats = fl_stats,
};

int atoll_netif_open_flood(const char *name, struct atoll_netif **out)
{
    struct netif_flood *s = atoll_calloc(1, sizeof *s);
    char *copy = atoll_strdup(name ? name : "flood");
    if (!s || !copy) {
        atoll_free(s);
        atoll_free(copy);
        return -ATOLL_ENOMEM;
    }
    /* A fixed locally administered address: the double has no host side. */
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0xf1, 0x00, 0xd0};
    memcpy(s->mac, mac, 6);
    s->name = copy;
    s->nif.ops = &fl_ops;
    s->nif.state = s;
    *out = &s->nif;
    return 0;
}
