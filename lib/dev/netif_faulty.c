/*
 * lib/dev/netif_faulty.c - the fault-injecting wrapper over any network
 * interface: loss, duplication, reordering and corruption, in both
 * directions, from a seeded generator (see atoll/netif.h).
 *
 * It is an implementation like the others, chosen by configuration: the
 * generated wiring calls atoll_netif_open_faulty(NAME), which opens the
 * platform's interface under NAME and wraps it with the faults that
 * --faults:NAME=SPEC recorded (netif_faults.c: lib/core/boot.c records
 * the option there, and only there, so that an image without a faulty
 * device links neither this wrapper nor the platform's interface).
 *
 * Receive: frames are taken from the inner interface, then each is lost,
 * corrupted, duplicated or held back; a held frame is released right after
 * the next frame that passes, or when about a millisecond passes without
 * one.  Send: the same decisions, on copies (the caller keeps its buffers
 * and a retransmitting caller may still need the bytes unchanged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/buf.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/random.h"
#include "atoll/tunables.h"

#define HOLD_NS 1000000 /* longest a reordered received frame waits */

/* ---- the wrapper -----------------------------------------------------------
 */

struct netif_faulty {
    struct atoll_netif nif;
    struct atoll_netif *inner;
    struct atoll_netif_faults f;
    uint64_t rng;
    struct atoll_bufq ready;   /* received frames ready to hand out */
    struct atoll_buf *rx_held; /* a received frame held back */
    atoll_time_t rx_held_since;
    struct atoll_buf *tx_held;      /* a copy of a sent frame held back */
    struct atoll_netif_stats stats; /* frames the faults changed */
};

/* splitmix64: small, fast, and good enough for fault decisions. */
static uint64_t next(struct netif_faulty *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static bool chance(struct netif_faulty *s, double p)
{
    if (p <= 0)
        return false;
    return (double)(next(s) >> 11) * (1.0 / 9007199254740992.0) < p;
}

static void corrupt(struct netif_faulty *s, struct atoll_buf *b)
{
    if (b->len <= 14)
        return;
    size_t at = 14 + (size_t)(next(s) % (b->len - 14));
    b->data[at] ^= (uint8_t)(1u << (next(s) % 8));
    b->csum_ok = 0; /* the stack must check it again, and see the damage */
}

static struct atoll_buf *copy(const struct atoll_buf *b)
{
    return atoll_buf_from(b->data, b->len);
}

/* Run one received frame through the faults into the ready queue. */
static void rx_one(struct netif_faulty *s, struct atoll_buf *b)
{
    if (chance(s, s->f.loss)) {
        s->stats.rx_dropped++;
        atoll_buf_free(b);
        return;
    }
    if (chance(s, s->f.corrupt))
        corrupt(s, b);
    if (chance(s, s->f.duplicate)) {
        struct atoll_buf *d = copy(b);
        if (d)
            atoll_bufq_push(&s->ready, d);
    }
    if (!s->rx_held && chance(s, s->f.reorder)) {
        s->rx_held = b;
        s->rx_held_since = atoll_now();
        return;
    }
    atoll_bufq_push(&s->ready, b);
    if (s->rx_held) {
        atoll_bufq_push(&s->ready, s->rx_held); /* overtaken */
        s->rx_held = NULL;
    }
}

static int send_inner(struct netif_faulty *s, struct atoll_buf *b)
{
    return atoll_netif_send(s->inner, &b, 1);
}

static void tx_release(struct netif_faulty *s)
{
    if (s->tx_held) {
        send_inner(s, s->tx_held);
        atoll_buf_free(s->tx_held);
        s->tx_held = NULL;
    }
}

static int fa_recv(void *state, struct atoll_buf **frames, int max,
                   atoll_time_t deadline)
{
    struct netif_faulty *s = state;
    if (max <= 0 || !frames)
        return -ATOLL_EINVAL;
    tx_release(s);
    while (!s->ready.head) {
        atoll_time_t d = deadline;
        if (s->rx_held && s->rx_held_since + HOLD_NS < d)
            d = s->rx_held_since + HOLD_NS;
        struct atoll_buf *in[32];
        int n = atoll_netif_recv(s->inner, in, max < 32 ? max : 32, d);
        if (n == -ATOLL_ETIMEDOUT && s->rx_held &&
            atoll_now() >= s->rx_held_since + HOLD_NS) {
            atoll_bufq_push(&s->ready, s->rx_held);
            s->rx_held = NULL;
            break;
        }
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++) {
            in[i]->next = NULL;
            rx_one(s, in[i]);
        }
    }
    int n = 0;
    while (n < max && s->ready.head) {
        frames[n] = atoll_bufq_pop(&s->ready);
        frames[n]->next = NULL;
        n++;
    }
    return n;
}

static int fa_send(void *state, struct atoll_buf *const *frames, int n)
{
    struct netif_faulty *s = state;
    for (int i = 0; i < n; i++) {
        const struct atoll_buf *b = frames[i];
        if (b->len < 14 || b->len > ATOLL_NET_FRAME_MAX)
            return i == 0 ? -ATOLL_EMSGSIZE : i;
        if (chance(s, s->f.loss)) {
            s->stats.tx_dropped++;
            continue;
        }
        struct atoll_buf *c = copy(b);
        if (!c)
            return i == 0 ? -ATOLL_ENOMEM : i;
        if (chance(s, s->f.corrupt))
            corrupt(s, c);
        if (chance(s, s->f.duplicate))
            send_inner(s, c);
        if (!s->tx_held && chance(s, s->f.reorder)) {
            s->tx_held = c;
            continue;
        }
        int r = send_inner(s, c);
        atoll_buf_free(c);
        if (r < 0)
            return i == 0 ? r : i;
        tx_release(s);
    }
    return n;
}

static void fa_info(void *state, struct atoll_netif_info *out)
{
    struct netif_faulty *s = state;
    atoll_netif_info(s->inner, out);
    /* Faults act on wire frames: the stack must send those, not 64 KiB
     * frames the host would segment after the faults were applied. */
    out->offloads = 0;
}

static void fa_stats(void *state, struct atoll_netif_stats *out)
{
    struct netif_faulty *s = state;
    atoll_netif_stats(s->inner, out);
    out->rx_dropped += s->stats.rx_dropped;
    out->tx_dropped += s->stats.tx_dropped;
}

static const struct atoll_netif_ops fa_ops = {
    .recv = fa_recv,
    .send = fa_send,
    .info = fa_info,
    .stats = fa_stats,
};

int atoll_netif_faulty_wrap(struct atoll_netif *inner,
                            const struct atoll_netif_faults *faults,
                            struct atoll_netif **out)
{
    if (!inner || !out)
        return -ATOLL_EINVAL;
    struct netif_faulty *s = atoll_calloc(1, sizeof *s);
    if (!s)
        return -ATOLL_ENOMEM;
    s->inner = inner;
    if (faults)
        s->f = *faults;
    s->rng = s->f.seed;
    if (!s->rng)
        atoll_random_fill(atoll_random_platform(), &s->rng, sizeof s->rng,
                          ATOLL_NEVER);
    s->nif.ops = &fa_ops;
    s->nif.state = s;
    *out = &s->nif;
    return 0;
}

int atoll_netif_open_faulty(const char *name, struct atoll_netif **out)
{
    struct atoll_netif *inner;
    int r = atoll_netif_open_default(name, &inner);
    if (r < 0)
        return r;
    return atoll_netif_faulty_wrap(inner, atoll_netif_faults_get(name), out);
}
