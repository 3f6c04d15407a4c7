/*
 * tests/sim/flood.c - the "network interface that always has a packet
 * waiting" (netif_flood) on the virtual clock.
 *
 * recv must return a full batch at once, without blocking and without
 * time passing, with frames that can be told apart.  A reader that yields
 * between batches must leave the other ready fibers their turns (strict
 * round robin).  On sim the clock stands still while any fiber is ready
 * (atoll/sim.h), so whether a *timer* still fires under a flood is a
 * real-time question: tests/unix/flood.c asserts that with the real clock.
 */
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "platform.h"

static int batch_main(void *arg)
{
    struct atoll_netif *nif;
    if (atoll_netif_open_flood("flood0", &nif) < 0)
        return 1;
    struct atoll_buf *fr[16];
    atoll_time_t t0 = atoll_now();
    for (int round = 0; round < 3; round++) {
        /* Even a deadline in the past gets a full batch: frames wait. */
        int n = atoll_netif_recv(nif, fr, 16, t0 - 1);
        if (n != 16)
            return 2;
        for (int i = 0; i < n; i++) {
            const uint8_t *p = fr[i]->data;
            uint32_t want = (uint32_t)(round * 16 + i);
            uint32_t got = (uint32_t)p[42] << 24 | (uint32_t)p[43] << 16 |
                           (uint32_t)p[44] << 8 | p[45];
            if (fr[i]->len != 60 || p[0] != 0xff || p[5] != 0xff ||
                p[12] != 0x08 || p[13] != 0x06 || got != want ||
                atoll_buf_headroom(fr[i]) < ATOLL_BUF_HEADROOM)
                return 3;
            atoll_buf_free(fr[i]);
        }
    }
    if (atoll_now() != t0)
        return 4;
    struct atoll_buf *one = atoll_buf_alloc(ATOLL_BUF_HEADROOM, 64);
    memset(atoll_buf_put(one, 60), 0, 60);
    if (atoll_netif_send(nif, &one, 1) != 1)
        return 5;
    atoll_buf_free(one);
    struct atoll_netif_stats st;
    atoll_netif_stats(nif, &st);
    if (st.rx_frames != 48 || st.tx_frames != 1)
        return 6;
    struct atoll_netif_info info;
    atoll_netif_info(nif, &info);
    if (strcmp(info.name, "flood0") != 0 || (info.mac[0] & 3) != 2)
        return 7;
    return 0;
}

TEST(flood, "recv returns a full batch of distinct frames at once")
{
    CHECK_EQ(atoll_test_run(0, batch_main, NULL), 0);
}

struct share {
    struct atoll_netif *nif;
    int reader_batches, peer_turns, max_gap;
    int since_peer;
    bool done;
};

static int reader(void *arg)
{
    struct share *s = arg;
    struct atoll_buf *fr[8];
    for (int b = 0; b < 1000; b++) {
        int n = atoll_netif_recv(s->nif, fr, 8, ATOLL_NEVER);
        for (int i = 0; i < n; i++)
            atoll_buf_free(fr[i]);
        s->reader_batches++;
        if (++s->since_peer > s->max_gap)
            s->max_gap = s->since_peer;
        atoll_yield();
    }
    s->done = true;
    return 0;
}

static int peer(void *arg)
{
    struct share *s = arg;
    while (!s->done) {
        s->peer_turns++;
        s->since_peer = 0;
        atoll_yield();
    }
    return 0;
}

static int share_main(void *arg)
{
    struct share *s = arg;
    if (atoll_netif_open_flood("flood0", &s->nif) < 0)
        return 1;
    atoll_fiber *r, *p;
    atoll_fiber_spawn(&r, "reader", reader, s, 0);
    atoll_fiber_spawn(&p, "peer", peer, s, 0);
    atoll_fiber_join(r, ATOLL_NEVER, NULL);
    atoll_fiber_join(p, ATOLL_NEVER, NULL);
    return 0;
}

TEST(flood, "a reader that yields per batch leaves others their turns")
{
    struct share s = {0};
    CHECK_EQ(atoll_test_run(0, share_main, &s), 0);
    CHECK_EQ(s.reader_batches, 1000);
    /* Round robin: the peer ran between every two batches. */
    CHECK_EQ(s.max_gap, 1);
    CHECK(s.peer_turns >= 1000);
}
