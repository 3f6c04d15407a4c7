/*
 * tests/unit/virtio_net_rx.c - the virtio target's receive path with
 * merged receive buffers (platform/virtio/net_rx.c, over virtq.c, both
 * built for the host: mk/virtio.mk) against a device that lies.  The
 * "device" is this file: it takes the buffers the driver made available,
 * writes frames and their virtio_net_hdr into them and completes them in
 * the used ring by hand.
 *
 * Lies that break the protocol - a used ring entry naming a descriptor
 * out of range, a length past the buffer (in the first buffer of a frame
 * and in a later one), num_buffers zero, num_buffers larger than the
 * buffers returned (by one, and 65535 with every buffer of the ring
 * returned) - must fail the read with -ATOLL_EIO and mark the device
 * broken once (vdev_fail), after which nothing is read from it.  Frames
 * a device may send but the driver does not take - a runt, a
 * segmentation type on a frame that is not TCP/IPv4, an over-MTU frame
 * that is no offload frame, a frame larger than the reader's buffer -
 * are dropped and counted (rx_dropped) and the next honest frame reads
 * fine.  Nothing may crash or run past a buffer (the san build checks
 * that too), and every buffer goes back to the device.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/netif.h"
#include "atoll/tunables.h"
#include "virtio/vnet.h"
#include "virtio_fake.h"

#define RING FAKE_QUEUE

/* ---- the device: its transport is virtio_fake.h, its rings this file */

static struct vdev dev;
static struct vnet n;
static uint8_t slots[RING * VNET_SLOT] __attribute__((aligned(4096)));
static uint16_t dev_avail; /* available entries the device has taken */

/* The driver's side of opening: every slot given, published. */
static void setup(bool mrg)
{
    memset(&dev, 0, sizeof dev);
    memset(&n, 0, sizeof n);
    dev.t = &fake;
    failures = 0;
    failed_why[0] = 0;
    dev_avail = 0;
    n.d = &dev;
    n.mrg = n.gro4 = n.gro6 = mrg;
    CHECK_EQ(virtq_init(&n.rx, &dev, 0, RING), 0);
    CHECK_EQ(n.rx.size, RING);
    for (int i = 0; i < RING; i++)
        CHECK(vnet_rx_give(&n, slots + i * VNET_SLOT) >= 0);
    virtq_kick(&n.rx);
}

/* The device takes the next available buffer: its head and address. */
static uint16_t take(uint8_t **addr)
{
    const uint8_t *avail = n.rx.avail;
    uint16_t idx;
    memcpy(&idx, avail + 2, 2);
    CHECK(idx != dev_avail); /* the driver gave one */
    uint16_t head;
    memcpy(&head, avail + 4 + 2 * (dev_avail % RING), 2);
    dev_avail++;
    CHECK(head < RING);
    uint64_t a;
    memcpy(&a, (uint8_t *)n.rx.desc + 16 * head, 8);
    *addr = (uint8_t *)(uintptr_t)a;
    return head;
}

/* The device completes head `id` with `len` bytes written. */
static void complete(uint32_t id, uint32_t len)
{
    uint8_t *used = n.rx.used;
    uint16_t idx;
    memcpy(&idx, used + 2, 2);
    uint16_t slot = idx % RING;
    memcpy(used + 4 + 8 * slot, &id, 4);
    memcpy(used + 8 + 8 * slot, &len, 4);
    idx++;
    memcpy(used + 2, &idx, 2);
}

/* A frame of `flen` bytes whose byte i is `seed + i`, sent in buffers of
 * at most `per` frame bytes each (the first after its header), with the
 * header `h` (num_buffers as given: the caller may lie).  Returns the
 * number of buffers used. */
static int send(const uint8_t *frame, size_t flen, size_t per,
                struct vnet_hdr h)
{
    size_t off = 0;
    int used = 0;
    do {
        uint8_t *b;
        uint16_t head = take(&b);
        size_t room = used == 0 ? VNET_SLOT - VNET_HDR : VNET_SLOT;
        size_t k = flen - off < per ? flen - off : per;
        if (k > room)
            k = room;
        if (used == 0) {
            memcpy(b, &h, VNET_HDR);
            memcpy(b + VNET_HDR, frame + off, k);
            complete(head, (uint32_t)(VNET_HDR + k));
        } else {
            memcpy(b, frame + off, k);
            complete(head, (uint32_t)k);
        }
        off += k;
        used++;
    } while (off < flen);
    return used;
}

/* An Ethernet frame of `len` bytes with IPv4 and TCP headers (20 + 20)
 * and a pattern after them. */
static uint8_t frame[70000], out[70000];
static void make_tcp4(size_t len)
{
    memset(frame, 0, 54);
    frame[12] = 0x08; /* IPv4 */
    frame[14] = 0x45;
    frame[16] = (uint8_t)((len - 14) >> 8);
    frame[17] = (uint8_t)(len - 14);
    frame[22] = 64;
    frame[23] = 6; /* TCP */
    frame[14 + 20 + 12] = 5 << 4;
    for (size_t i = 54; i < len; i++)
        frame[i] = (uint8_t)(i * 7);
}

/* The same with IPv6 (40 bytes, next header TCP) in place of IPv4. */
static void make_tcp6(size_t len)
{
    memset(frame, 0, 74);
    frame[12] = 0x86; /* IPv6 */
    frame[13] = 0xdd;
    frame[14] = 0x60;
    frame[18] = (uint8_t)((len - 54) >> 8);
    frame[19] = (uint8_t)(len - 54);
    frame[20] = 6; /* TCP */
    frame[21] = 64;
    frame[14 + 40 + 12] = 5 << 4;
    for (size_t i = 74; i < len; i++)
        frame[i] = (uint8_t)(i * 7);
}

static void make_plain(size_t len)
{
    for (size_t i = 0; i < len; i++)
        frame[i] = (uint8_t)(i * 13 + 1);
    frame[12] = 0x88; /* not IPv4 */
    frame[13] = 0xb5;
}

static int rd(size_t len, bool gro)
{
    bool ok = false;
    return vnet_rx_frame(&n, out, len, gro, &ok);
}

/* Every buffer went back to the driver's available ring (given, not yet
 * published: the driver publishes at its next look at the rings). */
static void all_given_back(void)
{
    CHECK_EQ(n.rx.nfree, 0);
    CHECK_EQ((uint16_t)(n.rx.avail_idx - n.rx.published) +
                 (uint16_t)(n.rx.published - dev_avail),
             RING);
}

/* ---- honest frames ------------------------------------------------------- */

static int t_honest(void *arg)
{
    setup(true);
    struct vnet_hdr h = {.num_buffers = 1};
    make_plain(60);
    send(frame, 60, VNET_SLOT, h);
    CHECK_EQ(rd(sizeof out, false), 60);
    CHECK_MEM(out, frame, 60);
    all_given_back();
    /* A 5000-byte TCP/IPv4 offload frame in three buffers. */
    virtq_kick(&n.rx);
    make_tcp4(5000);
    h = (struct vnet_hdr){.flags = VNET_F_DATA_VALID,
                          .gso_type = VNET_GSO_TCPV4,
                          .num_buffers = 3};
    CHECK_EQ(send(frame, 5000, VNET_SLOT, h), 3);
    bool ok = false;
    CHECK_EQ(vnet_rx_frame(&n, out, sizeof out, true, &ok), 5000);
    CHECK(ok);
    CHECK_MEM(out, frame, 5000);
    CHECK_EQ(rd(sizeof out, true), -ATOLL_EAGAIN);
    all_given_back();
    /* A 9000-byte TCP/IPv6 offload frame (GUEST_TSO6), checksum partial:
     * vouched for, left as it is. */
    virtq_kick(&n.rx);
    make_tcp6(9000);
    h = (struct vnet_hdr){.flags = VNET_F_NEEDS_CSUM,
                          .gso_type = VNET_GSO_TCPV6,
                          .csum_start = 54,
                          .csum_offset = 16,
                          .num_buffers = 5};
    CHECK_EQ(send(frame, 9000, VNET_SLOT, h), 5);
    ok = false;
    CHECK_EQ(vnet_rx_frame(&n, out, sizeof out, true, &ok), 9000);
    CHECK(ok);
    CHECK_MEM(out, frame, 9000);
    CHECK_EQ(n.rx_dropped, 0u);
    CHECK_EQ(failures, 0);
    all_given_back();
    return 0;
}

TEST(virtio_net_rx,
     "honest frames in one, three (TCP/IPv4) and five (TCP/IPv6) buffers")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_honest, NULL), 0);
}

/* ---- lies that break the device ------------------------------------------ */

/* After a lie: -ATOLL_EIO, broken once for `why`, nothing read later. */
static void expect_broken(int r, const char *why)
{
    CHECK_EQ(r, -ATOLL_EIO);
    CHECK_EQ(failures, 1);
    CHECK(dev.broken);
    CHECK(strstr(failed_why, why) != NULL);
    CHECK_EQ(rd(sizeof out, true), -ATOLL_EIO);
    CHECK_EQ(failures, 1);
}

static int t_index(void *arg)
{
    setup(true);
    uint8_t *b;
    take(&b);
    complete(RING + 3, 100); /* a descriptor that does not exist */
    expect_broken(rd(sizeof out, true), "");
    return 0;
}

TEST(virtio_net_rx, "a used entry naming a descriptor out of range breaks it")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_index, NULL), 0);
}

static int t_index_later(void *arg)
{
    setup(true);
    /* The frame's first buffer is honest, its second names garbage. */
    uint8_t *b;
    uint16_t head = take(&b);
    struct vnet_hdr h = {.num_buffers = 2};
    memcpy(b, &h, VNET_HDR);
    complete(head, VNET_HDR + 100);
    complete(0xffff, 100);
    expect_broken(rd(sizeof out, true), "");
    return 0;
}

TEST(virtio_net_rx, "a merged frame's second buffer out of range breaks it")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_index_later, NULL), 0);
}

static int t_length(void *arg)
{
    setup(true);
    uint8_t *b;
    uint16_t head = take(&b);
    struct vnet_hdr h = {.num_buffers = 1};
    memcpy(b, &h, VNET_HDR);
    complete(head, VNET_SLOT + 1); /* past our buffer */
    expect_broken(rd(sizeof out, true), "");
    return 0;
}

TEST(virtio_net_rx, "a length past the buffer breaks it")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_length, NULL), 0);
}

static int t_length_later(void *arg)
{
    setup(true);
    uint8_t *b;
    uint16_t h1 = take(&b);
    struct vnet_hdr h = {.num_buffers = 2};
    memcpy(b, &h, VNET_HDR);
    complete(h1, VNET_SLOT);
    uint16_t h2 = take(&b);
    complete(h2, 0xffffffffu); /* the second buffer: 4 GiB "written" */
    expect_broken(rd(sizeof out, true), "");
    return 0;
}

TEST(virtio_net_rx, "a merged frame's later buffer with a length past it")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_length_later, NULL), 0);
}

static int t_zero_buffers(void *arg)
{
    setup(true);
    struct vnet_hdr h = {.num_buffers = 0};
    make_plain(60);
    send(frame, 60, VNET_SLOT, h);
    expect_broken(rd(sizeof out, true), "no buffer");
    return 0;
}

TEST(virtio_net_rx, "num_buffers 0 breaks it, its buffer given back")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_zero_buffers, NULL), 0);
}

static int t_short_header(void *arg)
{
    setup(true);
    uint8_t *b;
    uint16_t head = take(&b);
    memset(b, 0xff, VNET_HDR); /* would say 65535 buffers if read */
    complete(head, VNET_HDR - 1);
    expect_broken(rd(sizeof out, true), "no buffer");
    return 0;
}

TEST(virtio_net_rx, "a buffer shorter than the header is a frame in none")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_short_header, NULL), 0);
}

static int t_too_many(void *arg)
{
    setup(true);
    make_tcp4(3000);
    struct vnet_hdr h = {.gso_type = VNET_GSO_TCPV4, .num_buffers = 3};
    CHECK_EQ(send(frame, 3000, VNET_SLOT, h), 2); /* one short */
    expect_broken(rd(sizeof out, true), "more buffers");
    all_given_back();
    return 0;
}

TEST(virtio_net_rx, "num_buffers one more than returned breaks it")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_too_many, NULL), 0);
}

static int t_huge(void *arg)
{
    setup(true);
    /* Every buffer of the ring returned as one frame of 65535. */
    make_plain(sizeof frame);
    struct vnet_hdr h = {.num_buffers = 0xffff};
    CHECK_EQ(send(frame, RING * VNET_SLOT - VNET_HDR, VNET_SLOT, h), RING);
    expect_broken(rd(sizeof out, true), "more buffers");
    all_given_back();
    return 0;
}

TEST(virtio_net_rx, "num_buffers 65535 with the whole ring returned")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_huge, NULL), 0);
}

/* ---- frames dropped and counted ------------------------------------------ */

/* Sends one frame, expects it dropped and counted, then an honest one
 * read fine. */
static void expect_dropped(size_t flen, size_t per, struct vnet_hdr h,
                           size_t readlen, int want)
{
    uint64_t d0 = n.rx_dropped;
    send(frame, flen, per, h);
    CHECK_EQ(rd(readlen, true), want);
    CHECK_EQ(n.rx_dropped, d0 + 1);
    CHECK_EQ(failures, 0);
    all_given_back();
    virtq_kick(&n.rx);
    uint8_t keep[80];
    memcpy(keep, frame, sizeof keep);
    make_plain(80);
    send(frame, 80, VNET_SLOT, (struct vnet_hdr){.num_buffers = 1});
    CHECK_EQ(rd(sizeof out, true), 80);
    CHECK_MEM(out, frame, 80);
    memcpy(frame, keep, sizeof keep);
    virtq_kick(&n.rx);
}

static int t_dropped(void *arg)
{
    setup(true);
    struct vnet_hdr one = {.num_buffers = 1};
    make_plain(10);
    expect_dropped(10, VNET_SLOT, one, sizeof out, 0); /* runt */
    /* A segmentation type on a frame that is not TCP/IPv4. */
    make_plain(3000);
    struct vnet_hdr gso = {.gso_type = VNET_GSO_TCPV4, .num_buffers = 2};
    expect_dropped(3000, VNET_SLOT, gso, sizeof out, 0);
    /* A segmentation type we never negotiate (UDP, 3). */
    make_tcp4(3000);
    struct vnet_hdr udp = {.gso_type = 3, .num_buffers = 2};
    expect_dropped(3000, VNET_SLOT, udp, sizeof out, 0);
    /* Over the MTU without being an offload frame. */
    make_tcp4(3000);
    struct vnet_hdr plain2 = {.num_buffers = 2};
    expect_dropped(3000, VNET_SLOT, plain2, sizeof out, 0);
    /* Larger than the reader's buffer (and copied only as far as fits). */
    make_tcp4(3000);
    memset(out, 0xaa, sizeof out);
    expect_dropped(3000, VNET_SLOT, gso, 1000, -ATOLL_EMSGSIZE);
    CHECK_EQ(n.rx_dropped, 5u);
    /* IPv6 segmentation on an IPv4 frame, IPv4's on an IPv6 one, and
     * IPv6's when only GUEST_TSO4 was negotiated. */
    struct vnet_hdr gso6 = {.gso_type = VNET_GSO_TCPV6, .num_buffers = 2};
    make_tcp4(3000);
    expect_dropped(3000, VNET_SLOT, gso6, sizeof out, 0);
    make_tcp6(3000);
    expect_dropped(3000, VNET_SLOT, gso, sizeof out, 0);
    n.gro6 = false;
    expect_dropped(3000, VNET_SLOT, gso6, sizeof out, 0);
    CHECK_EQ(n.rx_dropped, 8u);
    return 0;
}

TEST(virtio_net_rx, "runt, unasked segmentation, over-MTU, too large: counted")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_dropped, NULL), 0);
}

static int t_no_mrg(void *arg)
{
    /* Without merged buffers num_buffers means nothing: a frame is one
     * buffer, whatever the header says. */
    setup(false);
    make_plain(100);
    struct vnet_hdr h = {.num_buffers = 0};
    send(frame, 100, VNET_SLOT, h);
    CHECK_EQ(rd(sizeof out, false), 100);
    CHECK_MEM(out, frame, 100);
    CHECK_EQ(failures, 0);
    return 0;
}

TEST(virtio_net_rx, "without merged buffers num_buffers is ignored")
{
    CHECK_EQ(atoll_test_run(4u << 20, t_no_mrg, NULL), 0);
}
