/*
 * tests/unit/fw_window.c - the TCP window checks of connection tracking
 * (lib/fw/ct_window.c, fw_tcp_window): a handshake and data in the
 * windows pass; segments beyond the receiver's window, older than a
 * window, or acknowledging unsent data are refused and leave the windows
 * as they were; a blind reset is refused and one in the window passes;
 * window scaling counts only when both SYNs offer it; a reset answering
 * the SYN must acknowledge it; a new SYN in TIME_WAIT starts afresh.
 */
#include <string.h>

#include "../../lib/fw/ct.h"
#include "../harness.h"

#define ISS_C 1000u       /* the client's initial sequence number */
#define ISS_S 0xfffff000u /* the server's: wraps around 2^32 soon */

static struct fw_tcp_seg seg(uint8_t flags, uint32_t seq, uint32_t ack,
                             uint32_t len, uint16_t win, int8_t wscale)
{
    struct fw_tcp_seg s = {seq, ack, len, win, flags, wscale};
    return s;
}

/* fw_tcp_window on a copy; the copy is kept only when the segment fits
 * (as the firewall does). */
static bool fits(struct fw_tcp_win w[2], int state, int dir,
                 struct fw_tcp_seg s)
{
    struct fw_tcp_win copy[2];
    memcpy(copy, w, sizeof copy);
    if (!fw_tcp_window(copy, state, dir, &s))
        return false;
    memcpy(w, copy, sizeof copy);
    return true;
}

/* fw_tcp_window refuses s and leaves w exactly as it was. */
#define refused(w, state, dir, s) refused_(w, state, dir, s, __LINE__)
static void refused_(struct fw_tcp_win w[2], int state, int dir,
                     struct fw_tcp_seg s, int line)
{
    struct fw_tcp_win before[2];
    memcpy(before, w, sizeof before);
    if (fw_tcp_window(w, state, dir, &s))
        harness_fail(__FILE__, line, "seq %u ack %u fits", s.seq, s.ack);
    if (memcmp(before, w, sizeof before) != 0)
        harness_fail(__FILE__, line, "a refused segment changed the windows");
}

/* A handshake: client window 65535 scale cs, server 29200 scale ss (-1:
 * no option). */
static void handshake(struct fw_tcp_win w[2], int8_t cs, int8_t ss)
{
    memset(w, 0, 2 * sizeof *w);
    CHECK(
        fits(w, FW_TCP_NONE, FW_ORIG, seg(FW_TCP_SYN, ISS_C, 0, 0, 65535, cs)));
    CHECK(fits(w, FW_TCP_SYN_SENT, FW_REPLY,
               seg(FW_TCP_SYN | FW_TCP_ACK, ISS_S, ISS_C + 1, 0, 29200, ss)));
    CHECK(fits(w, FW_TCP_SYN_RECV, FW_ORIG,
               seg(FW_TCP_ACK, ISS_C + 1, ISS_S + 1, 0, 2048, -1)));
}

TEST(fw_window, "a handshake and data both ways fit, across 2^32")
{
    struct fw_tcp_win w[2];
    handshake(w, 7, 7);
    CHECK_EQ(w[FW_ORIG].scale, 7);
    CHECK_EQ(w[FW_REPLY].scale, 7);
    CHECK_EQ(w[FW_ORIG].end, ISS_C + 1);
    CHECK_EQ(w[FW_REPLY].end, ISS_S + 1);
    /* the client sends 1000 bytes, the server 20000 in two segments
     * (past 2^32), acknowledges, and the client acknowledges them */
    const int E = FW_TCP_ESTABLISHED;
    CHECK(fits(w, E, FW_ORIG,
               seg(FW_TCP_ACK, ISS_C + 1, ISS_S + 1, 1000, 2048, -1)));
    CHECK(fits(w, E, FW_REPLY,
               seg(FW_TCP_ACK, ISS_S + 1, ISS_C + 1001, 10000, 229, -1)));
    CHECK(fits(w, E, FW_REPLY,
               seg(FW_TCP_ACK, ISS_S + 10001, ISS_C + 1001, 10000, 229, -1)));
    CHECK_EQ(w[FW_REPLY].end, ISS_S + 20001); /* wrapped */
    CHECK(fits(w, E, FW_ORIG,
               seg(FW_TCP_ACK, ISS_C + 1001, ISS_S + 20001, 0, 2048, -1)));
    /* a retransmission of old data still fits (less than a window old) */
    CHECK(fits(w, E, FW_REPLY,
               seg(FW_TCP_ACK, ISS_S + 1, ISS_C + 1001, 10000, 229, -1)));
    /* the client's scaled window: 2048 << 7 = 256 KiB ahead of its ACK */
    CHECK_EQ(w[FW_REPLY].maxend, ISS_S + 20001 + (2048u << 7));
}

TEST(fw_window, "far outside: beyond the window, too old, unsent data acked")
{
    struct fw_tcp_win w[2];
    handshake(w, 7, 7);
    const int E = FW_TCP_ESTABLISHED;
    /* from the server: past what the client's window allows */
    refused(w, E, FW_REPLY,
            seg(FW_TCP_ACK, w[FW_REPLY].maxend + 1, ISS_C + 1, 10, 229, -1));
    refused(w, E, FW_REPLY,
            seg(FW_TCP_ACK, ISS_S + 0x80000000u, ISS_C + 1, 10, 229, -1));
    /* from the client: a segment ending more than a window back */
    refused(w, E, FW_ORIG,
            seg(FW_TCP_ACK, ISS_C - 3000000u, ISS_S + 1, 10, 2048, -1));
    /* acknowledging what the server never sent, or from long before */
    refused(w, E, FW_ORIG,
            seg(FW_TCP_ACK, ISS_C + 1, ISS_S + 100, 0, 2048, -1));
    refused(w, E, FW_ORIG,
            seg(FW_TCP_ACK, ISS_C + 1, ISS_S - 1000000u, 0, 2048, -1));
    /* the edge itself fits: the last byte the client's window allows */
    CHECK(fits(w, E, FW_REPLY,
               seg(FW_TCP_ACK, w[FW_REPLY].maxend - 1, ISS_C + 1, 1, 229, -1)));
}

TEST(fw_window, "a blind reset is refused, one in the window passes")
{
    struct fw_tcp_win w[2];
    handshake(w, -1, -1);
    const int E = FW_TCP_ESTABLISHED;
    refused(w, E, FW_REPLY, seg(FW_TCP_RST, ISS_S + 0x40000000u, 0, 0, 0, -1));
    refused(w, E, FW_REPLY,
            seg(FW_TCP_RST | FW_TCP_ACK, 12345, ISS_C + 1, 0, 0, -1));
    CHECK(fits(w, E, FW_REPLY, seg(FW_TCP_RST, ISS_S + 1, 0, 0, 0, -1)));
    /* with the ACK bit and an ACK of 0 (some stacks send it) */
    CHECK(fits(w, E, FW_ORIG,
               seg(FW_TCP_RST | FW_TCP_ACK, ISS_C + 1, 0, 0, 0, -1)));
}

TEST(fw_window, "scaling only when both SYNs offer it; a SYN is not scaled")
{
    struct fw_tcp_win w[2];
    /* only the client offers: neither side scales */
    handshake(w, 7, -1);
    CHECK_EQ(w[FW_ORIG].scale, 0);
    CHECK_EQ(w[FW_REPLY].scale, 0);
    CHECK_EQ(w[FW_REPLY].maxend, ISS_S + 1 + 2048); /* not 2048 << 7 */
    const int E = FW_TCP_ESTABLISHED;
    refused(w, E, FW_REPLY,
            seg(FW_TCP_ACK, ISS_S + 1 + 4096, ISS_C + 1, 10, 229, -1));
    /* both offer: the server may send 2048 << 7 ahead */
    handshake(w, 7, 9);
    CHECK_EQ(w[FW_ORIG].scale, 7);
    CHECK_EQ(w[FW_REPLY].scale, 9);
    CHECK(fits(w, E, FW_REPLY,
               seg(FW_TCP_ACK, ISS_S + 1 + 200000, ISS_C + 1, 10, 229, -1)));
    /* an option of 15 or more counts as 14 (RFC 7323 2.3) */
    handshake(w, 20, 20);
    CHECK_EQ(w[FW_ORIG].scale, 14);
}

TEST(fw_window, "a reset answering the SYN must acknowledge it")
{
    struct fw_tcp_win w[2];
    memset(w, 0, sizeof w);
    CHECK(
        fits(w, FW_TCP_NONE, FW_ORIG, seg(FW_TCP_SYN, ISS_C, 0, 0, 65535, -1)));
    refused(w, FW_TCP_SYN_SENT, FW_REPLY,
            seg(FW_TCP_RST | FW_TCP_ACK, 0, ISS_C + 77, 0, 0, -1));
    refused(w, FW_TCP_SYN_SENT, FW_REPLY,
            seg(FW_TCP_ACK, 0, ISS_C + 1, 0, 0, -1)); /* no SYN */
    CHECK(fits(w, FW_TCP_SYN_SENT, FW_REPLY,
               seg(FW_TCP_RST | FW_TCP_ACK, 0, ISS_C + 1, 0, 0, -1)));
    /* a retransmitted SYN fits; one with a later number starts again */
    CHECK(fits(w, FW_TCP_SYN_SENT, FW_ORIG,
               seg(FW_TCP_SYN, ISS_C, 0, 0, 65535, -1)));
    CHECK(fits(w, FW_TCP_SYN_SENT, FW_ORIG,
               seg(FW_TCP_SYN, ISS_C + 5000, 0, 0, 65535, -1)));
    CHECK_EQ(w[FW_ORIG].end, ISS_C + 5001);
}

TEST(fw_window, "a new SYN in TIME_WAIT starts both sides afresh")
{
    struct fw_tcp_win w[2];
    handshake(w, -1, -1);
    CHECK(fits(w, FW_TCP_TIME_WAIT, FW_ORIG,
               seg(FW_TCP_SYN, 0x70000000u, 0, 0, 1000, -1)));
    CHECK_EQ(w[FW_ORIG].end, 0x70000001u);
    CHECK_EQ(w[FW_REPLY].maxwin, 0);
    CHECK(fits(w, FW_TCP_SYN_SENT, FW_REPLY,
               seg(FW_TCP_SYN | FW_TCP_ACK, 5, 0x70000001u, 0, 1000, -1)));
}

TEST(fw_window, "fw_tcp_seg_read: fields, window-scale option, bad options")
{
    uint8_t h[40] = {0};
    h[4] = 0x01; /* seq 0x01000002 */
    h[7] = 0x02;
    h[8] = 0xff; /* ack 0xff000001 */
    h[11] = 0x01;
    h[12] = 10 << 4;
    h[13] = FW_TCP_SYN;
    h[14] = 0x12, h[15] = 0x34;
    /* MSS, NOP, window scale 8, end */
    const uint8_t opt[] = {2, 4, 5, 0xb4, 1, 3, 3, 8, 0};
    memcpy(h + 20, opt, sizeof opt);
    struct fw_tcp_seg s;
    fw_tcp_seg_read(&s, h, 40, 7);
    CHECK_EQ(s.seq, 0x01000002u);
    CHECK_EQ(s.ack, 0xff000001u);
    CHECK_EQ(s.win, 0x1234);
    CHECK_EQ(s.len, 7);
    CHECK_EQ(s.wscale, 8);
    /* not in a segment without SYN */
    h[13] = FW_TCP_ACK;
    fw_tcp_seg_read(&s, h, 40, 0);
    CHECK_EQ(s.wscale, -1);
    /* an option running past the header: none taken, nothing read past */
    h[13] = FW_TCP_SYN;
    const uint8_t bad[] = {1, 1, 1, 3, 30};
    memset(h + 20, 0, 20);
    memcpy(h + 20, bad, sizeof bad);
    fw_tcp_seg_read(&s, h, 25, 0);
    CHECK_EQ(s.wscale, -1);
    const uint8_t zero[] = {8, 0, 3, 3, 4};
    memcpy(h + 20, zero, sizeof zero);
    fw_tcp_seg_read(&s, h, 25, 0);
    CHECK_EQ(s.wscale, -1);
}
