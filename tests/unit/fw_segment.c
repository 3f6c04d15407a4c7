/*
 * tests/unit/fw_segment.c - TCP segmentation in software
 * (lib/fw/segment.c) on offload frames built here, IPv4 and IPv6: the
 * segments' sizes, sequence numbers, IPv4 identifications, where FIN,
 * PSH and CWR go, the TCP options copied, and every checksum summed
 * again here; a frame that is not TCP refused.
 */
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/fw/pkt4.h"
#include "../../lib/fw/segment.h"
#include "../harness.h"
#include "atoll/error.h"

static struct atoll_buf *segs[64];
static int nsegs;

static void take(void *arg, struct atoll_buf *b)
{
    (void)arg;
    if (nsegs < 64)
        segs[nsegs++] = b;
    else
        atoll_buf_free(b);
}

static void drop_all(void)
{
    for (int k = 0; k < nsegs; k++)
        atoll_buf_free(segs[k]);
    nsegs = 0;
}

static uint8_t frame[70000];

/* An offload frame: IPv4 (with 4 bytes of options) or IPv6, TCP with a
 * 12-byte timestamp option, `n` bytes of payload, flags CWR|ACK|PSH|FIN,
 * and a checksum field holding garbage (it must not be read). */
static size_t make(bool v6, size_t n)
{
    static bool init;
    struct atoll_runtime_opts o = {64u << 20, 0, "quiet"};
    if (!init)
        CHECK_EQ(atoll_runtime_init(&o), 0);
    init = true;
    size_t hl = v6 ? 40 : 24;
    uint8_t *p = frame;
    memset(p, 0, hl + 32);
    if (v6) {
        p[0] = 0x60;
        fw_wr16(p + 4, (uint16_t)(32 + n));
        p[6] = 6;
        p[7] = 64;
        p[8] = 0xfd, p[23] = 2;
        p[24] = 0xfd, p[39] = 9;
    } else {
        p[0] = 0x46;
        fw_wr16(p + 2, (uint16_t)(hl + 32 + n));
        fw_wr16(p + 4, 1000);
        p[8] = 64;
        p[9] = 6;
        fw_wr32(p + 12, 0xc6120102u);
        fw_wr32(p + 16, 0xc6120209u);
        p[20] = 1, p[21] = 1, p[22] = 1, p[23] = 0; /* NOPs, EOL */
    }
    uint8_t *t = p + hl;
    fw_wr16(t, 40000);
    fw_wr16(t + 2, 80);
    fw_wr32(t + 4, 0xfffff000u); /* wraps inside the frame */
    fw_wr32(t + 8, 77);
    t[12] = 8 << 4;
    t[13] = 0x80 | 0x10 | 0x08 | 0x01;
    fw_wr16(t + 16, 0xbeef);
    t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10; /* timestamps */
    for (size_t k = 0; k < n; k++)
        t[32 + k] = (uint8_t)(k * 13 + 1);
    return hl + 32 + n;
}

/* Segment k is right: its payload is the frame's bytes [off, off + n). */
static void check_seg(bool v6, int k, size_t off, size_t n, bool last)
{
    const uint8_t *s = segs[k]->data;
    size_t hl = v6 ? 40 : 24, len = segs[k]->len;
    CHECK_EQ(len, hl + 32 + n);
    const uint8_t *t = s + hl;
    if (v6) {
        CHECK_EQ(fw_rd16(s + 4), 32 + n);
    } else {
        CHECK_EQ(fw_rd16(s + 2), len);
        CHECK_EQ(fw_rd16(s + 4), 1000 + k);
        CHECK_EQ(fw_csum(s, hl), 0);
        CHECK(!memcmp(s + 20, frame + 20, 4)); /* IP options */
    }
    CHECK_EQ(fw_rd32(t + 4), (uint32_t)(0xfffff000u + off));
    CHECK_EQ(fw_rd32(t + 8), 77);
    CHECK_EQ(t[13] & 0x09, last ? 0x09 : 0); /* FIN, PSH */
    CHECK_EQ(t[13] & 0x80, k == 0 ? 0x80 : 0);
    CHECK(t[13] & 0x10);
    CHECK(!memcmp(t + 20, frame + hl + 20, 12)); /* TCP options */
    CHECK(!memcmp(t + 32, frame + hl + 32 + off, n));
    /* the checksum, summed here over a pseudo-header of our own */
    static uint8_t ph[2000];
    size_t pl = v6 ? 40 : 12, tl = 32 + n;
    memset(ph, 0, pl);
    if (v6) {
        memcpy(ph, s + 8, 32);
        fw_wr32(ph + 32, (uint32_t)tl);
        ph[39] = 6;
    } else {
        memcpy(ph, s + 12, 8);
        ph[9] = 6;
        fw_wr16(ph + 10, (uint16_t)tl);
    }
    memcpy(ph + pl, t, tl);
    CHECK_EQ(fw_csum(ph, pl + tl), 0);
}

TEST(fw_segment, "IPv4: MSS segments, ids, sequence, flags, checksums")
{
    size_t len = make(false, 5000);
    CHECK_EQ(fw_segment(frame, len, 1448, take, NULL), 4);
    CHECK_EQ(nsegs, 4);
    for (int k = 0; k < 4; k++)
        check_seg(false, k, (size_t)k * 1448, k < 3 ? 1448 : 5000 - 3 * 1448,
                  k == 3);
    drop_all();
    /* one that fits in one segment is one segment, FIN and all */
    len = make(false, 100);
    CHECK_EQ(fw_segment(frame, len, 1448, take, NULL), 1);
    check_seg(false, 0, 0, 100, true);
    drop_all();
}

TEST(fw_segment, "IPv6: the same behind a 40-byte header")
{
    size_t len = make(true, 64000);
    CHECK_EQ(fw_segment(frame, len, 1428, take, NULL), 45);
    for (int k = 0; k < 45; k++)
        check_seg(true, k, (size_t)k * 1428, k < 44 ? 1428 : 64000 - 44 * 1428,
                  k == 44);
    drop_all();
}

TEST(fw_segment, "not TCP, or headers past the end: refused, nothing sent")
{
    size_t len = make(false, 3000);
    frame[9] = 17;
    CHECK_EQ(fw_segment(frame, len, 1448, take, NULL), -ATOLL_EINVAL);
    frame[9] = 6;
    frame[24 + 12] = 15 << 4; /* a 60-byte TCP header, past 56 bytes */
    CHECK_EQ(fw_segment(frame, 56, 1448, take, NULL), -ATOLL_EINVAL);
    CHECK_EQ(fw_segment(frame, len, 0, take, NULL), -ATOLL_EINVAL);
    CHECK_EQ(nsegs, 0);
}
