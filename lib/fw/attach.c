/*
 * lib/fw/attach.c - the firewall on real stacks (atoll_firewall_attach):
 * the forwarding hook of each interface's stack (atoll/forward.h) runs
 * the packet path, sends answers, fixes up receive-offload frames for the
 * way out (or cuts them into segments where it has no offload), fragments
 * what is too long and may be, and collects expired connections as time
 * passes.
 */
#include <string.h>

#include "atoll/buf.h"
#include "atoll/error.h"
#include "atoll/forward.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/netif.h"
#include "atoll/time.h"
#include "atoll/tunables.h"
#include "fw_int.h"
#include "pkt4.h"
#include "segment.h"

ATOLL_LOG_SOURCE(fw_log, "fw");

/* Slots the collector visits each FW_GC_EVERY_NS: 16384 in 6.4 s. */
#define FW_GC_SLOTS    256
#define FW_GC_EVERY_NS 100000000LL

struct fw_port {
    struct fw_attached *a;
    int index;
};

struct fw_attached {
    struct atoll_firewall *fw;
    struct atoll_stack *stacks[ATOLL_FW_IF_MAX];
    struct fw_port ports[ATOLL_FW_IF_MAX];
    struct atoll_fw_result res;
    atoll_time_t next_gc;
};

static void send_answer(struct fw_attached *a)
{
    struct atoll_fw_result *r = &a->res;
    struct atoll_buf *b = atoll_buf_alloc(ATOLL_BUF_HEADROOM, r->answer_len);
    if (!b)
        return;
    memcpy(atoll_buf_put(b, r->answer_len), r->answer, r->answer_len);
    if ((r->answer[0] >> 4) == 6)
        atoll_stack_send_ipv6(a->stacks[r->answer_if], &r->answer_hop6, b);
    else
        atoll_stack_send_ipv4(a->stacks[r->answer_if], r->answer_hop, b);
}

/* The TCP checksum of a frame whose host vouched for it (csum_ok): it may
 * hold only the pseudo-header sum, and the translation changed the
 * pseudo-header.  An offload frame leaving whole gets the partial sum the
 * interface completes (atoll/netif.h) and the segment size of the way
 * out; any other gets its checksum computed here.  FIX_SEGMENT: an
 * offload frame for a way out that cannot cut it (segment.c will);
 * FIX_DROP: none of these. */
enum { FIX_OK, FIX_SEGMENT, FIX_DROP };
static int fix_offload(struct atoll_buf *b, uint16_t mtu, uint32_t offloads)
{
    uint8_t *ip = b->data;
    bool v6 = (ip[0] >> 4) == 6; /* TCP right after the fixed header */
    size_t hl = v6 ? 40 : (size_t)(ip[0] & 15) * 4;
    if (ip[v6 ? 6 : 9] != 6 || b->len < hl + 20)
        return b->len <= mtu ? FIX_OK : FIX_DROP;
    uint8_t *t = ip + hl;
    size_t tl = b->len - hl, thl = (size_t)(t[12] >> 4) * 4;
    if (thl < 20 || thl > tl || (b->len > mtu && mtu <= hl + thl))
        return FIX_DROP;
    /* the pseudo-header: addresses, then IPv4's zero, protocol and
     * 16-bit length, or IPv6's 32-bit length, zeros and next header */
    uint8_t ph[40] = {0};
    size_t pl = v6 ? 40 : 12;
    memcpy(ph, ip + (v6 ? 8 : 12), v6 ? 32 : 8);
    if (v6)
        fw_wr32(ph + 32, (uint32_t)tl);
    else
        fw_wr16(ph + 10, (uint16_t)tl);
    ph[v6 ? 39 : 9] = 6;
    if (b->len > mtu) {
        uint32_t tso = v6 ? ATOLL_NETIF_TSO6 : ATOLL_NETIF_TSO4;
        if (!(offloads & tso))
            return FIX_SEGMENT;
        b->gso_size = (uint16_t)(mtu - hl - thl);
        fw_wr16(t + 16, (uint16_t)~fw_csum(ph, pl));
    } else {
        /* sum of pseudo-header and segment with the field zeroed */
        fw_wr16(t + 16, (uint16_t)~fw_csum(ph, pl));
        fw_wr16(t + 16, fw_csum(t, tl));
    }
    b->csum_ok = 0;
    return FIX_OK;
}

/* segment.c's output: a segment out of the stack and to the hop of the
 * packet being forwarded. */
struct seg_way {
    struct atoll_stack *out;
    const struct atoll_fw_result *res;
};

static void send_segment(void *arg, struct atoll_buf *b)
{
    struct seg_way *w = arg;
    if ((b->data[0] >> 4) == 6)
        atoll_stack_send_ipv6(w->out, &w->res->next_hop6, b);
    else
        atoll_stack_send_ipv4(w->out, w->res->next_hop, b);
}

/* Cut a packet without DF into fragments that fit mtu (RFC 791): each but
 * the last carries a multiple of 8 bytes; options are copied into every
 * one (the copied-flag distinction is not made). */
static void fragment(struct atoll_stack *out, atoll_ipv4_t hop,
                     struct atoll_buf *b, uint16_t mtu)
{
    const uint8_t *ip = b->data;
    size_t hl = (size_t)(ip[0] & 15) * 4, total = b->len;
    size_t chunk = (mtu - hl) & ~(size_t)7;
    uint16_t frag = fw_rd16(ip + 6);
    size_t base = (size_t)(frag & 0x1fff) * 8;
    for (size_t off = hl; off < total && chunk; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        struct atoll_buf *f = atoll_buf_alloc(ATOLL_BUF_HEADROOM, hl + n);
        if (!f)
            break;
        uint8_t *p = atoll_buf_put(f, hl + n);
        memcpy(p, ip, hl);
        memcpy(p + hl, ip + off, n);
        bool more = off + n < total || (frag & FW_IP_MF);
        fw_wr16(p + 2, (uint16_t)(hl + n));
        fw_wr16(p + 6,
                (uint16_t)(((base + off - hl) / 8) | (more ? FW_IP_MF : 0)));
        fw_wr16(p + 10, 0);
        fw_wr16(p + 10, fw_csum(p, hl));
        atoll_stack_send_ipv4(out, hop, f);
    }
    atoll_buf_free(b);
}

static bool hook(void *arg, struct atoll_stack *s, struct atoll_buf *b)
{
    struct fw_port *port = arg;
    struct fw_attached *a = port->a;
    struct atoll_firewall *fw = a->fw;
    atoll_time_t now = atoll_now();
    if (now >= a->next_gc) {
        atoll_firewall_collect(fw, now, FW_GC_SLOTS);
        a->next_gc = now + FW_GC_EVERY_NS;
    }
    unsigned flags = b->len > fw->ifs[port->index].mtu ? ATOLL_FW_PKT_GSO : 0;
    int v = atoll_firewall_packet(fw, port->index, b->data, b->len, flags, now,
                                  &a->res);
    if (a->res.answer_len)
        send_answer(a);
    if (v == ATOLL_FW_LOCAL)
        return false;
    if (v != ATOLL_FW_FORWARD) {
        atoll_buf_free(b);
        return true;
    }
    struct atoll_stack *out = a->stacks[a->res.out_if];
    uint16_t mtu = fw->ifs[a->res.out_if].mtu;
    if (b->csum_ok || flags) {
        int fix = fix_offload(b, mtu, atoll_stack_offloads(out));
        if (fix == FIX_SEGMENT) {
            size_t hl = (b->data[0] >> 4) == 6 ? 40 : (b->data[0] & 15u) * 4;
            size_t hdrs = hl + (size_t)(b->data[hl + 12] >> 4) * 4;
            struct seg_way w = {out, &a->res};
            if (fw_segment(b->data, b->len, (uint16_t)(mtu - hdrs),
                           send_segment, &w) < 0)
                fw->stats.too_big++;
            atoll_buf_free(b);
            return true;
        }
        if (fix == FIX_DROP) {
            fw->stats.too_big++;
            atoll_buf_free(b);
            return true;
        }
    }
    if ((b->data[0] >> 4) == 6) { /* never fragmented: fits or is GSO */
        atoll_stack_send_ipv6(out, &a->res.next_hop6, b);
        return true;
    }
    if (b->len > mtu && !b->gso_size) {
        fragment(out, a->res.next_hop, b, mtu);
        return true;
    }
    atoll_stack_send_ipv4(out, a->res.next_hop, b);
    return true;
}

int atoll_firewall_attach(struct atoll_firewall *fw,
                          struct atoll_stack *const *stacks, int n)
{
    if (n != fw->n_if)
        return -ATOLL_EINVAL;
    struct fw_attached *a = atoll_calloc(1, sizeof *a);
    if (!a)
        return -ATOLL_ENOMEM;
    a->fw = fw;
    for (int k = 0; k < n; k++) {
        a->stacks[k] = stacks[k];
        a->ports[k] = (struct fw_port){a, k};
        atoll_stack_set_forward(stacks[k], hook, &a->ports[k]);
    }
    ATOLL_INFO(&fw_log, "forwarding between %d interfaces", n);
    return 0;
}
