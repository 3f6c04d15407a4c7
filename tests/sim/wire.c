/*
 * tests/sim/wire.c - simulated wires: delivery, delay and bandwidth on the
 * virtual clock, fault statistics and their reproducibility, option
 * errors, and two ports talking through the default netif.
 *
 * Most tests drive the platform interface directly (plat_wait is where
 * virtual time moves), so they show the wire's own arithmetic; the netif
 * tests run the whole runtime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "atoll/atoll.h"
#include "atoll/sim.h"
#include "../harness.h"
#include "platform.h"

#define FRAME_LEN 64

/* A recognisable frame: broadcast, EtherType 0x88b5 (local experimental),
 * a 32-bit sequence number and a payload that depends on it. */
static void make_frame(uint8_t *p, size_t len, uint32_t seq)
{
    memset(p, 0xff, 6);
    memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
    p[12] = 0x88, p[13] = 0xb5;
    memcpy(p + 14, &seq, 4);
    /* Every payload byte depends on the whole sequence number, so no
     * corruption of the number can make a frame look like another one. */
    uint32_t h = seq * 2654435761u;
    for (size_t i = 18; i < len; i++)
        p[i] = (uint8_t)((h >> (8 * (i % 4))) ^ i);
}

static int attach_open(const char *port, const char *wire)
{
    char err[256] = "";
    struct plat_net_info info;
    int rc = plat_net_attach(port, wire, err, sizeof err);
    if (rc < 0)
        harness_fail(__FILE__, __LINE__, "attach %s: %s", port, err);
    int dev = plat_net_open(port, &info, err, sizeof err);
    if (dev < 0)
        harness_fail(__FILE__, __LINE__, "open %s: %s", port, err);
    return dev;
}

static int wire_opt(const char *wire, const char *opts, char *err,
                    size_t errlen)
{
    char key[128];
    snprintf(key, sizeof key, "wire:%s", wire);
    return plat_option(key, opts, err, errlen);
}

TEST(wire, "a frame reaches the other ports after the delay, not the sender")
{
    char err[256] = "";
    int a = attach_open("a", "w"), b = attach_open("b", "w");
    int c = attach_open("c", "w"), d = attach_open("d", "other");
    CHECK_EQ(wire_opt("w", "delay=2ms", err, sizeof err), 0);
    uint8_t f[FRAME_LEN], got[2048];
    make_frame(f, sizeof f, 7);
    CHECK_EQ(plat_clock_monotonic(), 0);
    CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
    CHECK_EQ(plat_net_read(b, got, sizeof got), -ATOLL_EAGAIN);
    uint64_t ready = 0;
    CHECK_EQ(plat_wait(ATOLL_NEVER, 1ULL << b, &ready), 0);
    CHECK_EQ(plat_clock_monotonic(), ATOLL_MS(2));
    CHECK_EQ(ready, 1ULL << b);
    CHECK_EQ(plat_net_read(b, got, sizeof got), FRAME_LEN);
    CHECK_MEM(got, f, FRAME_LEN);
    CHECK_EQ(plat_net_read(c, got, sizeof got), FRAME_LEN); /* a hub */
    CHECK_EQ(plat_net_read(a, got, sizeof got), -ATOLL_EAGAIN);
    CHECK_EQ(plat_net_read(d, got, sizeof got), -ATOLL_EAGAIN);
    CHECK_EQ(plat_net_read(b, got, sizeof got), -ATOLL_EAGAIN);
    /* Too small a buffer: the frame is dropped with EMSGSIZE. */
    CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
    CHECK_EQ(plat_wait(ATOLL_NEVER, 1ULL << b, &ready), 0);
    CHECK_EQ(plat_net_read(b, got, 10), -ATOLL_EMSGSIZE);
    CHECK_EQ(plat_net_read(b, got, sizeof got), -ATOLL_EAGAIN);
}

TEST(wire, "the clock jumps exactly to a deadline before the next frame")
{
    char err[256] = "";
    int a = attach_open("a", "w"), b = attach_open("b", "w");
    CHECK_EQ(wire_opt("w", "delay=10ms", err, sizeof err), 0);
    uint8_t f[FRAME_LEN];
    make_frame(f, sizeof f, 1);
    uint64_t ready = 99;
    /* Nothing in flight and no deadline: returns at once, clock kept. */
    CHECK_EQ(plat_wait(ATOLL_NEVER, 1ULL << b, &ready), 0);
    CHECK_EQ(ready, 0);
    CHECK_EQ(plat_clock_monotonic(), 0);
    CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
    CHECK_EQ(plat_wait(ATOLL_US(1500), 1ULL << b, &ready), 0);
    CHECK_EQ(ready, 0);
    CHECK_EQ(plat_clock_monotonic(), ATOLL_US(1500));
    /* A deadline in the past polls: the clock never goes backwards. */
    CHECK_EQ(plat_wait(ATOLL_US(10), 1ULL << b, &ready), 0);
    CHECK_EQ(plat_clock_monotonic(), ATOLL_US(1500));
    /* A device not in the interest set does not end the wait. */
    CHECK_EQ(plat_wait(ATOLL_MS(20), 1ULL << a, &ready), 0);
    CHECK_EQ(ready, 0);
    CHECK_EQ(plat_clock_monotonic(), ATOLL_MS(20));
    /* ...but its frame was delivered on the way. */
    CHECK_EQ(plat_wait(ATOLL_MS(30), 1ULL << b, &ready), 0);
    CHECK_EQ(ready, 1ULL << b);
    CHECK_EQ(plat_clock_monotonic(), ATOLL_MS(20));
    CHECK_EQ(plat_clock_wall(), 946684800LL * 1000000000 + ATOLL_MS(20));
}

TEST(wire, "bandwidth serializes a burst: arrivals 1 ms apart at 1 Mbit/s")
{
    char err[256] = "";
    int a = attach_open("a", "w"), b = attach_open("b", "w");
    CHECK_EQ(wire_opt("w", "bw=1M,delay=2ms", err, sizeof err), 0);
    uint8_t f[125]; /* 1000 bits: 1 ms at 1 Mbit/s */
    for (uint32_t i = 0; i < 3; i++) {
        make_frame(f, sizeof f, i);
        CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
    }
    uint8_t got[2048];
    for (uint32_t i = 0; i < 3; i++) {
        uint64_t ready;
        CHECK_EQ(plat_wait(ATOLL_NEVER, 1ULL << b, &ready), 0);
        /* serialization (i+1) ms + propagation 2 ms */
        CHECK_EQ(plat_clock_monotonic(), ATOLL_MS(3 + i));
        CHECK_EQ(plat_net_read(b, got, sizeof got), 125);
        uint32_t seq;
        memcpy(&seq, got + 14, 4);
        CHECK_EQ(seq, i);
        CHECK_EQ(plat_net_read(b, got, sizeof got), -ATOLL_EAGAIN);
    }
    /* The medium is idle again: a frame sent now takes 1 ms + 2 ms. */
    atoll_time_t t0 = plat_clock_monotonic();
    CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
    uint64_t ready;
    CHECK_EQ(plat_wait(ATOLL_NEVER, 1ULL << b, &ready), 0);
    CHECK_EQ(plat_clock_monotonic() - t0, ATOLL_MS(3));
}

struct fault_run {
    struct atoll_sim_wire_stats st;
    uint64_t received, mismatched, out_of_order, dup_seen, digest;
};

/* Send `total` frames from port A to port B over `wire` with faults and
 * account for everything that arrives. */
static void fault_run(const char *wire, uint64_t seed, uint32_t total,
                      struct fault_run *r)
{
    char err[256] = "", pa[32], pb[32];
    snprintf(pa, sizeof pa, "%s-a", wire);
    snprintf(pb, sizeof pb, "%s-b", wire);
    int a = attach_open(pa, wire), b = attach_open(pb, wire);
    CHECK_EQ(wire_opt(wire, "loss=0.1,dup=0.05,reorder=0.05,corrupt=0.02", err,
                      sizeof err),
             0);
    atoll_sim_seed(seed);
    memset(r, 0, sizeof *r);
    r->digest = 1469598103934665603ULL;
    uint8_t *seen = calloc(total, 1);
    uint32_t max_seq = 0;
    uint8_t f[FRAME_LEN], got[2048], want[FRAME_LEN];
    for (uint32_t base = 0; base < total; base += 100) {
        for (uint32_t i = base; i < base + 100 && i < total; i++) {
            make_frame(f, sizeof f, i);
            CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
        }
        /* Reordered frames arrive 1 ms late: wait 5 ms for everything. */
        atoll_time_t until = plat_clock_monotonic() + ATOLL_MS(5);
        for (;;) {
            uint64_t ready;
            int n;
            while ((n = plat_net_read(b, got, sizeof got)) > 0) {
                CHECK_EQ(n, FRAME_LEN);
                r->received++;
                for (int k = 0; k < n; k++)
                    r->digest = (r->digest ^ got[k]) * 1099511628211ULL;
                uint32_t seq;
                memcpy(&seq, got + 14, 4);
                make_frame(want, sizeof want, seq);
                if (seq >= total || memcmp(got, want, FRAME_LEN) != 0) {
                    r->mismatched++;
                    continue;
                }
                if (seen[seq]++)
                    r->dup_seen++;
                if (seq < max_seq)
                    r->out_of_order++;
                else
                    max_seq = seq;
            }
            if (plat_clock_monotonic() >= until)
                break;
            plat_wait(until, 1ULL << b, &ready);
        }
    }
    free(seen);
    CHECK_EQ(atoll_sim_wire_stats(wire, &r->st), 0);
}

TEST(wire, "loss, dup, reorder and corruption match their probabilities")
{
    struct fault_run r;
    fault_run("f", 1234, 10000, &r);
    printf("       sent %llu lost %llu dup %llu reord %llu corrupt %llu\n",
           (unsigned long long)r.st.sent, (unsigned long long)r.st.lost,
           (unsigned long long)r.st.duplicated,
           (unsigned long long)r.st.reordered,
           (unsigned long long)r.st.corrupted);
    CHECK_EQ(r.st.sent, 10000);
    /* Expected 1000 / 450 / 472 / 189; bounds are > 3.5 sigma. */
    CHECK(r.st.lost >= 880 && r.st.lost <= 1120);
    CHECK(r.st.duplicated >= 370 && r.st.duplicated <= 530);
    CHECK(r.st.reordered >= 390 && r.st.reordered <= 560);
    CHECK(r.st.corrupted >= 140 && r.st.corrupted <= 240);
    /* Accounting is exact. */
    CHECK_EQ(r.st.delivered, r.st.sent - r.st.lost + r.st.duplicated);
    CHECK_EQ(r.received, r.st.delivered);
    CHECK_EQ(r.mismatched, r.st.corrupted);
    CHECK(r.dup_seen > 0 && r.dup_seen <= r.st.duplicated);
    CHECK(r.out_of_order > 0);
}

TEST(wire, "the same seed replays the same faults; another seed does not")
{
    struct fault_run x, y, z;
    fault_run("x", 42, 3000, &x);
    fault_run("y", 42, 3000, &y);
    fault_run("z", 43, 3000, &z);
    CHECK_MEM(&x.st, &y.st, sizeof x.st);
    CHECK_EQ(x.received, y.received);
    CHECK_EQ(x.digest, y.digest);
    CHECK(x.digest != z.digest);
    CHECK(memcmp(&x.st, &z.st, sizeof x.st) != 0);
}

TEST(wire, "a lossless wire delivers everything in order")
{
    struct fault_run r;
    char err[256];
    int a = attach_open("p", "clean"), b = attach_open("q", "clean");
    CHECK_EQ(wire_opt("clean", "delay=100us,jitter=0", err, sizeof err), 0);
    memset(&r, 0, sizeof r);
    uint8_t f[FRAME_LEN], got[2048];
    for (uint32_t i = 0; i < 1000; i++) {
        make_frame(f, sizeof f, i);
        CHECK_EQ(plat_net_write(a, f, sizeof f), 0);
    }
    uint64_t ready;
    CHECK_EQ(plat_wait(ATOLL_NEVER, 1ULL << b, &ready), 0);
    for (uint32_t i = 0; i < 1000; i++) {
        CHECK_EQ(plat_net_read(b, got, sizeof got), FRAME_LEN);
        make_frame(f, sizeof f, i);
        CHECK_MEM(got, f, FRAME_LEN);
    }
    CHECK_EQ(atoll_sim_wire_stats("clean", &r.st), 0);
    CHECK_EQ(r.st.sent, 1000);
    CHECK_EQ(r.st.delivered, 1000);
    CHECK_EQ(r.st.lost + r.st.duplicated + r.st.corrupted, 0);
}

TEST(wire, "bad --wire and --net options are refused naming the option")
{
    char err[256] = "";
    CHECK_EQ(wire_opt("w0", "loss=1.5", err, sizeof err), -ATOLL_EINVAL);
    CHECK_STR(err, "--wire:w0: bad probability 'loss=1.5' (expected 0..1)");
    CHECK_EQ(wire_opt("w0", "dup=-0.1", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "'dup=-0.1'") != NULL);
    CHECK_EQ(wire_opt("w0", "delay=3parsecs", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "--wire:w0: bad duration 'delay=3parsecs'") != NULL);
    CHECK_EQ(wire_opt("w0", "bw=fast", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "bad rate 'bw=fast'") != NULL);
    CHECK_EQ(wire_opt("w0", "colour=blue", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "unknown option 'colour'") != NULL);
    CHECK_EQ(wire_opt("w0", "loss", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "expected KEY=VALUE") != NULL);
    CHECK_EQ(wire_opt("w0", "pcap=/nonexistent/dir/x.pcap", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "cannot create capture file") != NULL);
    CHECK_EQ(plat_option("seed", "banana", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "--seed") != NULL);
    CHECK_EQ(plat_option("no-such-option", "1", err, sizeof err),
             -ATOLL_ENOENT);
    CHECK_EQ(wire_opt("w0", "loss=0.25,delay=2ms,jitter=150us,bw=10M", err,
                      sizeof err),
             0);
    struct atoll_sim_wire_opts bad = {.loss = 2};
    CHECK_EQ(atoll_sim_wire_configure("w1", &bad), -ATOLL_EINVAL);
    bad = (struct atoll_sim_wire_opts){.delay = -1};
    CHECK_EQ(atoll_sim_wire_configure("w1", &bad), -ATOLL_EINVAL);
    CHECK_EQ(plat_net_attach("n0", "", err, sizeof err), -ATOLL_EINVAL);
    CHECK_EQ(plat_net_attach("n0", "w0", err, sizeof err), 0);
    CHECK_EQ(plat_net_attach("n0", "w0", err, sizeof err), -ATOLL_EINVAL);
    CHECK(strstr(err, "attached twice") != NULL);
    struct plat_net_info info;
    CHECK_EQ(plat_net_open("nope", &info, err, sizeof err), -ATOLL_ENOENT);
    CHECK(strstr(err, "'nope' is not attached") != NULL);
}

TEST(wire, "MACs are locally administered unicast, stable, distinct")
{
    char err[256];
    struct plat_net_info i1, i2, i3;
    CHECK_EQ(plat_net_attach("eth0", "w", err, sizeof err), 0);
    CHECK_EQ(plat_net_attach("eth1", "w", err, sizeof err), 0);
    int d1 = plat_net_open("eth0", &i1, err, sizeof err);
    int d2 = plat_net_open("eth1", &i2, err, sizeof err);
    CHECK(d1 >= 0 && d2 >= 0 && d1 != d2);
    CHECK_EQ(plat_net_open("eth0", &i3, err, sizeof err), d1);
    CHECK_MEM(i1.mac, i3.mac, 6);
    CHECK(memcmp(i1.mac, i2.mac, 6) != 0);
    CHECK_EQ(i1.mac[0] & 3, 2);
    CHECK_EQ(i2.mac[0] & 3, 2);
    CHECK_EQ(i1.mtu, 1500);
}

/* ---- through the runtime -------------------------------------------- */

struct pair {
    struct atoll_netif *a, *b;
    int got;
    atoll_time_t when;
};

static int receiver(void *arg)
{
    struct pair *p = arg;
    struct atoll_buf *frames[8];
    while (p->got < 5) {
        int n = atoll_netif_recv(p->b, frames, 8, atoll_after(ATOLL_SEC(1)));
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++) {
            uint8_t want[FRAME_LEN];
            make_frame(want, sizeof want, (uint32_t)p->got);
            if (frames[i]->len != FRAME_LEN ||
                memcmp(frames[i]->data, want, FRAME_LEN) != 0 ||
                atoll_buf_headroom(frames[i]) < ATOLL_BUF_HEADROOM)
                return -100;
            p->got++;
            atoll_buf_free(frames[i]);
        }
        p->when = atoll_now();
    }
    return 0;
}

static int exchange_main(void *arg)
{
    struct pair *p = arg;
    if (atoll_netif_open_default("a", &p->a) < 0 ||
        atoll_netif_open_default("b", &p->b) < 0)
        return 1;
    struct atoll_netif_info ia, ib;
    atoll_netif_info(p->a, &ia);
    atoll_netif_info(p->b, &ib);
    if (memcmp(ia.mac, ib.mac, 6) == 0 || strcmp(ib.name, "b") != 0 ||
        ia.mtu != 1500)
        return 2;
    /* Nothing in flight: recv times out exactly at its deadline. */
    struct atoll_buf *fr[4];
    atoll_time_t t0 = atoll_now();
    if (atoll_netif_recv(p->b, fr, 4, atoll_after(ATOLL_MS(5))) !=
        -ATOLL_ETIMEDOUT)
        return 3;
    if (atoll_now() - t0 != ATOLL_MS(5))
        return 4;
    atoll_fiber *rx;
    if (atoll_fiber_spawn(&rx, "rx", receiver, p, 0) < 0)
        return 5;
    t0 = atoll_now();
    struct atoll_buf *out[5];
    for (uint32_t i = 0; i < 5; i++) {
        out[i] = atoll_buf_alloc(ATOLL_BUF_HEADROOM, FRAME_LEN);
        make_frame(atoll_buf_put(out[i], FRAME_LEN), FRAME_LEN, i);
    }
    if (atoll_netif_send(p->a, out, 5) != 5)
        return 6;
    for (int i = 0; i < 5; i++)
        atoll_buf_free(out[i]);
    /* Too short a frame is refused. */
    struct atoll_buf *tiny = atoll_buf_alloc(ATOLL_BUF_HEADROOM, 4);
    atoll_buf_put(tiny, 4);
    if (atoll_netif_send(p->a, &tiny, 1) != -ATOLL_EMSGSIZE)
        return 7;
    atoll_buf_free(tiny);
    int res;
    if (atoll_fiber_join(rx, ATOLL_NEVER, &res) < 0 || res != 0)
        return 8;
    if (p->when - t0 != ATOLL_MS(1))
        return 9;
    struct atoll_netif_stats sa, sb;
    atoll_netif_stats(p->a, &sa);
    atoll_netif_stats(p->b, &sb);
    if (sa.tx_frames != 5 || sb.rx_frames != 5 || sb.rx_bytes != 5 * FRAME_LEN)
        return 10;
    return 0;
}

TEST(wire, "two ports exchange frames through the default netif")
{
    char err[256] = "";
    CHECK_EQ(plat_net_attach("a", "lan", err, sizeof err), 0);
    CHECK_EQ(plat_net_attach("b", "lan", err, sizeof err), 0);
    CHECK_EQ(wire_opt("lan", "delay=1ms", err, sizeof err), 0);
    struct pair p = {0};
    CHECK_EQ(atoll_test_run(0, exchange_main, &p), 0);
    CHECK_EQ(p.got, 5);
}

static int open_missing(void *arg)
{
    struct atoll_netif *n;
    return atoll_netif_open_default("ghost", &n);
}

TEST(wire, "opening an unattached interface fails with ENODEV")
{
    CHECK_EQ(atoll_test_run(0, open_missing, NULL), -ATOLL_ENODEV);
}
