/*
 * tests/unit/virtio_virtq.c - the virtio target's virtqueues
 * (platform/virtio/virtq.c) against a device that lies.  virtq.c is
 * compiled for the host and linked here (mk/virtio.mk); the "device" is
 * this file, writing the used ring by hand: a used index that runs ahead
 * of the requests in flight, a head out of range, a free descriptor, the
 * middle of a chain, a head completed twice, a length beyond the buffer,
 * descriptor links rewritten under us.  Each must mark the device broken
 * (vdev_fail) and fail the call with -ATOLL_EIO, and nothing may be freed
 * twice; an honest device's completions come back with their cookies and
 * lengths, and notifications follow the device's NO_NOTIFY flag.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/error.h"
#include "virtio/virtio_int.h"
#include "virtio_fake.h"

/* ---- a device (virtio_fake.h) ---------------------------------------- */

static struct vdev dev;
static struct virtq q;

static void setup(void)
{
    memset(&dev, 0, sizeof dev);
    dev.t = &fake;
    notifies = failures = 0;
    failed_why[0] = 0;
    CHECK_EQ(virtq_init(&q, &dev, 0, 256), 0);
    CHECK_EQ(q.size, 8);
}

/* The device completes head `id` with `len` bytes written. */
static void complete(uint32_t id, uint32_t len)
{
    uint8_t *used = q.used;
    uint16_t idx;
    memcpy(&idx, used + 2, 2);
    uint16_t slot = idx % q.size;
    memcpy(used + 4 + 8 * slot, &id, 4);
    memcpy(used + 8 + 8 * slot, &len, 4);
    idx++;
    memcpy(used + 2, &idx, 2);
}

static void set_used_idx(uint16_t idx)
{
    memcpy((uint8_t *)q.used + 2, &idx, 2);
}

static uint8_t buf[4][256];

/* A readable buffer and a writable one of 100 bytes: a 2-chain. */
static int add_pair(void *cookie)
{
    struct vbuf b[2] = {{buf[0], 16, false}, {buf[1], 100, true}};
    return virtq_add(&q, b, 2, cookie);
}

static int add_one(void *cookie)
{
    struct vbuf b = {buf[2], 64, true};
    return virtq_add(&q, &b, 1, cookie);
}

/* ---- the tests ---------------------------------------------------------- */

static int t_honest(void *arg)
{
    setup();
    int c1, c2;
    int h1 = add_pair(&c1), h2 = add_one(&c2);
    CHECK(h1 >= 0 && h2 >= 0 && h1 != h2);
    CHECK_EQ(q.nfree, 5);
    CHECK(virtq_kick(&q));
    CHECK_EQ(notifies, 1);
    CHECK(!virtq_pending(&q));
    uint32_t len;
    void *cookie;
    CHECK_EQ(virtq_get(&q, &len, &cookie), -ATOLL_EAGAIN);
    complete((uint32_t)h2, 64);
    complete((uint32_t)h1, 100);
    CHECK(virtq_pending(&q));
    CHECK_EQ(virtq_get(&q, &len, &cookie), h2);
    CHECK_EQ(len, 64);
    CHECK(cookie == &c2);
    CHECK_EQ(virtq_get(&q, &len, &cookie), h1);
    CHECK_EQ(len, 100);
    CHECK(cookie == &c1);
    CHECK_EQ(virtq_get(&q, &len, &cookie), -ATOLL_EAGAIN);
    CHECK_EQ(q.nfree, 8);
    CHECK_EQ(failures, 0);
    return 0;
}

TEST(virtio_virtq, "an honest device's completions come back with cookies")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_honest, NULL), 0);
}

static int t_notify(void *arg)
{
    setup();
    CHECK(!virtq_kick(&q)); /* nothing to publish */
    add_one(NULL);
    uint16_t no_notify = 1;
    memcpy(q.used, &no_notify, 2);
    CHECK(virtq_kick(&q));
    CHECK_EQ(notifies, 0);
    no_notify = 0;
    memcpy(q.used, &no_notify, 2);
    add_one(NULL);
    CHECK(virtq_kick(&q));
    CHECK_EQ(notifies, 1);
    uint16_t avail_idx;
    memcpy(&avail_idx, (uint8_t *)q.avail + 2, 2);
    CHECK_EQ(avail_idx, 2);
    return 0;
}

TEST(virtio_virtq, "notifications follow the device's NO_NOTIFY flag")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_notify, NULL), 0);
}

static int t_full(void *arg)
{
    setup();
    for (int i = 0; i < 4; i++)
        CHECK(add_pair(NULL) >= 0);
    CHECK_EQ(add_one(NULL), -ATOLL_EAGAIN);
    CHECK_EQ(failures, 0);
    return 0;
}

TEST(virtio_virtq, "a full ring says EAGAIN")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_full, NULL), 0);
}

/* Each lie: set up two chains in flight, let `lie` write the used ring,
 * and check the device is broken for good. */
static void expect_broken(void (*lie)(int h1, int h2), const char *why_part)
{
    setup();
    int h1 = add_pair(NULL), h2 = add_one(NULL);
    virtq_kick(&q);
    lie(h1, h2);
    uint32_t len;
    int r = virtq_get(&q, &len, NULL);
    if (r >= 0) /* a lie that shows only at the second entry */
        r = virtq_get(&q, &len, NULL);
    CHECK_EQ(r, -ATOLL_EIO);
    CHECK_EQ(failures, 1);
    CHECK(dev.broken);
    CHECK(strstr(failed_why, why_part) != NULL);
    /* Broken for good: no more requests, no more completions. */
    CHECK_EQ(add_one(NULL), -ATOLL_EIO);
    CHECK_EQ(virtq_get(&q, &len, NULL), -ATOLL_EIO);
    CHECK(!virtq_pending(&q));
    CHECK(!virtq_kick(&q));
}

static void lie_index_ahead(int h1, int h2)
{
    set_used_idx(3); /* 2 in flight */
}

static void lie_index_wrapped(int h1, int h2)
{
    set_used_idx(0xffff); /* "behind": 65535 ahead, modulo 2^16 */
}

static void lie_head_out_of_range(int h1, int h2)
{
    complete(8, 1);
}

static void lie_head_huge(int h1, int h2)
{
    complete(0xffffffffu, 1);
}

static void lie_free_descriptor(int h1, int h2)
{
    /* Descriptors 0..2 are in flight (taken from the top of the free
     * stack: 0, 1, 2); 7 is free. */
    complete(7, 1);
}

static void lie_middle_of_chain(int h1, int h2)
{
    complete((uint32_t)h1 + 1, 1); /* the pair's second descriptor */
}

static void lie_twice(int h1, int h2)
{
    complete((uint32_t)h2, 1);
    complete((uint32_t)h2, 1);
}

static void lie_length(int h1, int h2)
{
    complete((uint32_t)h1, 101); /* the pair offers 100 writable bytes */
}

static void lie_length_huge(int h1, int h2)
{
    complete((uint32_t)h2, 0xffffffffu);
}

static int t_lies(void *arg)
{
    expect_broken(lie_index_ahead, "ran ahead");
    expect_broken(lie_index_wrapped, "ran ahead");
    expect_broken(lie_head_out_of_range, "not in flight");
    expect_broken(lie_head_huge, "not in flight");
    expect_broken(lie_free_descriptor, "not in flight");
    expect_broken(lie_middle_of_chain, "not in flight");
    expect_broken(lie_twice, "not in flight");
    expect_broken(lie_length, "more bytes");
    expect_broken(lie_length_huge, "more bytes");
    return 0;
}

TEST(virtio_virtq, "every lie in the used ring breaks the device, once")
{
    CHECK_EQ(atoll_test_run(8u << 20, t_lies, NULL), 0);
}

static int t_links(void *arg)
{
    setup();
    int h = add_pair(NULL);
    add_pair(NULL);
    virtq_kick(&q);
    /* The device rewrites the descriptor table's links (it may write any
     * guest memory): the chain is freed by our own record of it. */
    struct {
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
    } *desc = q.desc;
    for (int i = 0; i < q.size; i++)
        desc[i].next = (uint16_t)(7 - i);
    complete((uint32_t)h, 50);
    uint32_t len;
    CHECK_EQ(virtq_get(&q, &len, NULL), h);
    CHECK_EQ(q.nfree, 6);
    /* The free stack holds each descriptor at most once. */
    int seen[8] = {0};
    for (int i = 0; i < q.nfree; i++) {
        CHECK(q.free[i] < 8);
        CHECK_EQ(seen[q.free[i]]++, 0);
    }
    CHECK_EQ(failures, 0);
    return 0;
}

TEST(virtio_virtq, "chains are freed by our record, not the shared links")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_links, NULL), 0);
}
