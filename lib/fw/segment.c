/*
 * lib/fw/segment.c - TCP segmentation in software (lib/fw/segment.h):
 * what a NIC does with an offload frame, for the firewall when the way
 * out has no such offload and the frame came in whole (the unix tap's
 * receive offload merges a peer's segments into 64 KiB frames).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/tunables.h"
#include "pkt4.h"
#include "segment.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* The TCP checksum of the segment at t (n bytes) behind the IP header
 * ip of version 4 or 6, computed whole (RFC 793 3.1, RFC 8200 8.1). */
static uint16_t tcp_sum(const uint8_t *ip, bool v6, const uint8_t *t, size_t n)
{
    uint64_t sum = 0;
    const uint8_t *a = ip + (v6 ? 8 : 12);
    for (int i = 0; i < (v6 ? 32 : 8); i += 2)
        sum += fw_rd16(a + i);
    sum += 6 + (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
    return fw_csum_add(sum, t, n);
}

int fw_segment(const uint8_t *p, size_t len, uint16_t mss,
               void (*out)(void *arg, struct atoll_buf *b), void *arg)
{
    if (len < 40)
        return -ATOLL_EINVAL;
    bool v6 = (p[0] >> 4) == 6;
    size_t hl = v6 ? 40 : (size_t)(p[0] & 15) * 4;
    if (hl < 20 || len < hl + 20 || p[v6 ? 6 : 9] != 6 || mss == 0)
        return -ATOLL_EINVAL;
    const uint8_t *tcp = p + hl;
    size_t thl = (size_t)(tcp[12] >> 4) * 4;
    if (thl < 20 || hl + thl > len)
        return -ATOLL_EINVAL;
    size_t hdrs = hl + thl, payload = len - hdrs;
    uint32_t seq = fw_rd32(tcp + 4);
    uint16_t id = v6 ? 0 : fw_rd16(p + 4);
    uint8_t flags = tcp[13];
    int n = 0;
    size_t off = 0;
    do {
        size_t k = payload - off < mss ? payload - off : mss;
        bool last = off + k >= payload;
        struct atoll_buf *b = atoll_buf_alloc(ATOLL_BUF_HEADROOM, hdrs + k);
        if (!b)
            return -ATOLL_ENOMEM;
        uint8_t *s = atoll_buf_put(b, hdrs + k);
        memcpy(s, p, hdrs);
        memcpy(s + hdrs, p + hdrs + off, k);
        uint8_t *t = s + hl;
        if (v6) {
            fw_wr16(s + 4, (uint16_t)(thl + k));
        } else {
            fw_wr16(s + 2, (uint16_t)(hdrs + k));
            fw_wr16(s + 4, (uint16_t)(id + n));
            fw_wr16(s + 10, 0);
            fw_wr16(s + 10, fw_csum(s, hl));
        }
        fw_wr32(t + 4, seq + (uint32_t)off);
        t[13] = (uint8_t)(flags & ~((last ? 0 : TCP_FIN | TCP_PSH) |
                                    (n ? TCP_CWR : 0)));
        fw_wr16(t + 16, 0);
        fw_wr16(t + 16, tcp_sum(s, v6, t, thl + k));
        out(arg, b);
        n++;
        off += k;
    } while (off < payload);
    return n;
}
