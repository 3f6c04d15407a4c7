/*
 * tests/unit/tcp_ring.c - the byte rings behind TCP's buffers
 * (lib/net/tcp_ring.c): offsets keep their meaning when a ring grows
 * while its contents wrap past the end (the bytes at [0, head) move to
 * just past the old end), bytes beyond `len` (the receive side's
 * out-of-order data) survive the growth too, and a growth the heap
 * cannot satisfy fails with ENOMEM and leaves the ring as it was.
 */
#include "../../lib/core/runtime.h"
#include "../../lib/net/tcp_int.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/mem.h"

static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 7 + 3);
}

/* Fills logical offsets [0, n) with pattern(base + offset). */
static void fill(struct tcp_ring *r, uint32_t base, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b = pattern(base + i);
        tcp_ring_write(r, i, &b, 1);
    }
}

static bool holds(const struct tcp_ring *r, uint32_t base, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b;
        tcp_ring_read(r, i, &b, 1);
        if (b != pattern(base + i))
            return false;
    }
    return true;
}

static int t_wrap(void *arg)
{
    (void)arg;
    struct tcp_ring r = {0};
    CHECK_EQ(tcp_ring_reserve(&r, 1000, 1u << 20), 0);
    CHECK_EQ(r.cap, 2048);
    /* Move head to 1500 so that 2000 bytes wrap past the end. */
    fill(&r, 0, 1500);
    r.len = 1500;
    tcp_ring_consume(&r, 1500);
    CHECK_EQ(r.head, 1500);
    fill(&r, 100, 2000);
    r.len = 1200; /* the last 800 bytes stand for out-of-order data */
    CHECK(holds(&r, 100, 2000));
    CHECK_EQ(tcp_ring_reserve(&r, 5000, 1u << 20), 0);
    CHECK_EQ(r.cap, 8192);
    CHECK_EQ(r.len, 1200);
    CHECK(holds(&r, 100, 2000));
    /* And the new space is usable behind it. */
    fill(&r, 100, 5000);
    CHECK(holds(&r, 100, 5000));
    atoll_free(r.buf);
    return 0;
}

TEST(tcp_ring, "growing a wrapped ring keeps every offset's byte")
{
    CHECK_EQ(atoll_test_run(16u << 20, t_wrap, NULL), 0);
}

static int t_nomem(void *arg)
{
    (void)arg;
    struct tcp_ring r = {0};
    CHECK_EQ(tcp_ring_reserve(&r, 3000, 1u << 20), 0);
    fill(&r, 9, 3000);
    r.len = 3000;
    /* Take the rest of the heap, so that doubling cannot succeed. */
    void *hold[64];
    int n = 0;
    size_t sz = 8u << 20;
    while (n < 64 && sz >= 64) {
        void *p = atoll_malloc(sz);
        if (p)
            hold[n++] = p;
        else
            sz /= 2;
    }
    uint8_t *buf = r.buf;
    uint32_t cap = r.cap;
    CHECK_EQ(tcp_ring_reserve(&r, 1u << 19, 1u << 20), -ATOLL_ENOMEM);
    CHECK(r.buf == buf);
    CHECK_EQ(r.cap, cap);
    CHECK(holds(&r, 9, 3000));
    /* Past the maximum is refused outright. */
    CHECK_EQ(tcp_ring_reserve(&r, (1u << 20) + 1, 1u << 20), -ATOLL_EINVAL);
    while (n > 0)
        atoll_free(hold[--n]);
    atoll_free(r.buf);
    return 0;
}

TEST(tcp_ring, "a growth the heap cannot give fails and changes nothing")
{
    CHECK_EQ(atoll_test_run(16u << 20, t_nomem, NULL), 0);
}
