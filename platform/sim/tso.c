/*
 * platform/sim/tso.c - TCP segmentation offload in software, for the
 * simulated wire: what a NIC (or the unix tap's kernel) does with a frame
 * the stack marked with a segment size (atoll/netif.h, ATOLL_NETIF_TSO4 and
 * ATOLL_NETIF_TSO6).
 *
 * A wire configured with .tso offers the offload to its ports; each
 * offload frame is cut here into MSS-sized frames that go through
 * plat_net_write one by one, so loss, reordering and the bandwidth limit
 * act on the segments as they would on a real wire.  This lets the
 * simulation tests drive the stack's offload path deterministically.
 *
 * Each segment gets the headers of the large frame (TCP options
 * included) with: over IPv4 the total length, an IP id one more than the
 * last segment's and the header checksum, over IPv6 the payload length
 * (no id, no header checksum); the TCP sequence number advanced by the
 * segment's offset; FIN and PSH only on the last segment, CWR only on the
 * first; and the full TCP checksum over the family's pseudo-header (RFC
 * 9293 3.1, RFC 8200 8.1: the large frame's field holds only the
 * pseudo-header sum, which is recomputed from scratch here).
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/tunables.h"
#include "host/pkt.h"
#include "platform.h"
#include "sim_int.h"

/* The IP header of segment `k` carrying `tl` bytes of TCP: its length
 * fields, and over IPv4 its id and checksum. */
static void seg_ip(uint8_t *ip, size_t ihl, bool v6, uint16_t id0, size_t k,
                   size_t tl)
{
    if (v6) {
        ip[4] = (uint8_t)(tl >> 8), ip[5] = (uint8_t)tl; /* payload length */
        return;
    }
    size_t tot = ihl + tl;
    ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
    uint16_t sid = (uint16_t)(id0 + k);
    ip[4] = (uint8_t)(sid >> 8), ip[5] = (uint8_t)sid;
    ip[10] = ip[11] = 0;
    uint16_t ic = host_csum_fold(host_csum_add(0, ip, ihl));
    ip[10] = (uint8_t)(ic >> 8), ip[11] = (uint8_t)ic;
}

int sim_tso_segment(int dev, const uint8_t *p, size_t len, uint16_t mss)
{
    size_t ihl, thl;
    int ipv = mss ? host_tcp_headers(p, len, &ihl, &thl) : -1;
    if (ipv < 0)
        return -ATOLL_EMSGSIZE;
    bool v6 = ipv == 6;
    size_t hdrs = 14 + ihl + thl;
    if (hdrs + mss > ATOLL_NET_FRAME_MAX)
        return -ATOLL_EMSGSIZE;
    static uint8_t seg[ATOLL_NET_FRAME_MAX];
    const uint8_t *tcp0 = p + 14 + ihl;
    uint32_t seq = (uint32_t)tcp0[4] << 24 | (uint32_t)tcp0[5] << 16 |
                   (uint32_t)tcp0[6] << 8 | tcp0[7];
    uint16_t id = (uint16_t)(p[18] << 8 | p[19]);
    /* The pseudo-header's addresses: IPv4's at 12 (8 bytes), IPv6's at
     * 8 (32 bytes). */
    size_t addr_at = v6 ? 8 : 12, addr_len = v6 ? 32 : 8;
    size_t payload = len - hdrs;
    int err = 0;
    for (size_t off = 0, k = 0; off < payload || (payload == 0 && k == 0);
         off += mss, k++) {
        size_t n = payload - off < mss ? payload - off : mss;
        bool last = off + n >= payload;
        memcpy(seg, p, hdrs);
        memcpy(seg + hdrs, p + hdrs + off, n);
        uint8_t *ip = seg + 14, *tcp = ip + ihl;
        size_t tl = thl + n;
        seg_ip(ip, ihl, v6, id, k, tl);
        uint32_t s = seq + (uint32_t)off;
        tcp[4] = (uint8_t)(s >> 24), tcp[5] = (uint8_t)(s >> 16);
        tcp[6] = (uint8_t)(s >> 8), tcp[7] = (uint8_t)s;
        if (!last)
            tcp[13] &= (uint8_t)~0x09; /* FIN, PSH */
        if (k > 0)
            tcp[13] &= (uint8_t)~0x80; /* CWR */
        tcp[16] = tcp[17] = 0;
        uint64_t sum = host_csum_add(0, ip + addr_at, addr_len);
        sum += 6 + tl; /* protocol (next header), TCP length */
        uint16_t tc = host_csum_fold(host_csum_add(sum, tcp, tl));
        tcp[16] = (uint8_t)(tc >> 8), tcp[17] = (uint8_t)tc;
        int r = plat_net_write(dev, seg, 14 + ihl + tl);
        if (r < 0 && r != -ATOLL_EAGAIN && !err)
            err = r;
        if (last)
            break;
    }
    return err;
}
