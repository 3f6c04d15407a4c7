/*
 * lib/fw/firewall6.c - the firewall's path for IPv6 packets
 * (atoll_firewall_packet, atoll/firewall.h): routing by the interfaces'
 * IPv6 prefixes, the reverse-path check, connection lookup (ICMPv6
 * errors through their quote), the filter rules, hop limit, Packet Too
 * Big, and tracking.
 *
 * IPv6 is routed, not translated: there is no NAT66 (masquerade and
 * forward statements are IPv4's), so a tracked connection's reply tuple
 * is its first tuple reversed and no packet is rewritten but for its hop
 * limit, which no checksum covers.  The rules and the table apply as for
 * IPv4, so "accept state established,related" and nothing else inbound
 * lets in only the answers to what went out.  A router never fragments
 * IPv6 (RFC 8200 5): a packet too long for the way out is answered with
 * Packet Too Big.  A first fragment (it has the ports) goes the whole
 * path and its later fragments follow it (frag.c).  Packets with
 * link-local or multicast addresses never leave their link (RFC 4291
 * 2.5.6): those go to the firewall's own stack, which answers Neighbor
 * Discovery for its addresses.
 */
#include <string.h>

#include "answer.h"
#include "atoll/error.h"
#include "atoll/firewall.h"
#include "ct.h"
#include "fw_int.h"
#include "pkt6.h"

static bool zero16(const uint8_t a[16])
{
    static const uint8_t z[16];
    return !memcmp(a, z, 16);
}

static bool in_prefix(const uint8_t a[16], const uint8_t net[16], unsigned len)
{
    unsigned bytes = len / 8, bits = len % 8;
    if (memcmp(a, net, bytes))
        return false;
    if (!bits)
        return true;
    uint8_t m = (uint8_t)(0xff << (8 - bits));
    return (a[bytes] & m) == (net[bytes] & m);
}

int fw_route6(const struct atoll_firewall *fw, const uint8_t dst[16],
              atoll_ipv6_t *hop)
{
    int dflt = -1;
    for (int k = 0; k < fw->n_if; k++) {
        const struct atoll_fw_iface *f = &fw->ifs[k];
        if (!f->prefix6)
            continue;
        if (in_prefix(dst, f->addr6.b, f->prefix6)) {
            memcpy(hop->b, dst, 16);
            return k;
        }
        if (!zero16(f->gateway6.b) && dflt < 0)
            dflt = k;
    }
    if (dflt >= 0)
        *hop = fw->ifs[dflt].gateway6;
    return dflt;
}

static bool link_scope(const uint8_t a[16])
{
    return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || zero16(a);
}

/* For the firewall's own stack: its addresses, and every packet that may
 * not leave its link (Neighbor Discovery among them). */
static bool for_us(const struct atoll_firewall *fw, const struct fw_ip6 *h)
{
    if (link_scope(h->dst) || link_scope(h->src))
        return true;
    for (int k = 0; k < fw->n_if; k++)
        if (fw->ifs[k].prefix6 && !memcmp(h->dst, fw->ifs[k].addr6.b, 16))
            return true;
    return false;
}

/* The filter rules for k; true to go on.  A reject writes its answer:
 * a reset, or destination unreachable with the code of RFC 4443 3.1 that
 * says what the rule's ICMP code says for IPv4. */
static bool filter(struct atoll_firewall *fw, struct fw_pkt6 *k,
                   const struct fw_l4 *l, int in_if, int out_if, uint8_t state,
                   const struct fw_tuple *view, atoll_time_t now,
                   struct atoll_fw_result *res)
{
    int action;
    const struct atoll_fw_rule *r =
        fw_filter(fw, l, in_if, out_if, state, view, res, &action);
    if (action == ATOLL_FW_ACCEPT)
        return true;
    if (action == ATOLL_FW_DROP)
        return false;
    if (r->reject_with == ATOLL_FW_REJ_TCP_RESET && l->proto == 6)
        fw_answer_rst6(fw, k, in_if, now, res);
    else if (r->reject_with != ATOLL_FW_REJ_TCP_RESET) {
        /* net: no route (0), host: address unreachable (3), port: port
         * unreachable (4), admin: administratively prohibited (1) */
        static const uint8_t codes[] = {0, 0, 3, 4, 1};
        fw_answer_icmp6(fw, k, in_if, 1, codes[r->reject_with], 0, now, res);
    }
    return false;
}

/* A fragment after the first (key fr): out the way its first went, or
 * dropped when its first did not pass; no rules of its own, and no
 * answers about it (RFC 4443 2.4 e). */
static int later_fragment(struct atoll_firewall *fw, struct fw_pkt6 *k,
                          const struct fw_frag *fr, unsigned flags,
                          atoll_time_t now, struct atoll_fw_result *res)
{
    const struct fw_frag *f = fw_frag_find(fw, fr, now);
    if (!f)
        return fw_drop(fw, res, &fw->stats.fragment,
                       "a fragment whose first did not pass");
    if (k->o.hop <= 1)
        return fw_drop(fw, res, &fw->stats.ttl_exceeded, "hop limit exceeded");
    if (k->o.len > fw->ifs[f->out_if].mtu && !(flags & ATOLL_FW_PKT_GSO))
        return fw_drop(fw, res, &fw->stats.too_big, "larger than the MTU");
    k->o.ip[7]--;
    res->out_if = f->out_if;
    res->next_hop6 = f->hop6;
    fw->stats.forwarded++;
    return ATOLL_FW_FORWARD;
}

int fw_packet6(struct atoll_firewall *fw, int in_if, uint8_t *p, size_t len,
               unsigned flags, atoll_time_t now, struct atoll_fw_result *res)
{
    struct fw_pkt6 k;
    if (in_if < 0 || in_if >= fw->n_if || fw_pkt6_parse(p, len, &k) < 0)
        return fw_drop(fw, res, &fw->stats.bad, "malformed");
    res->len = k.o.len;
    if (for_us(fw, &k.o) || !fw->ifs[in_if].prefix6) {
        fw->stats.local++;
        return ATOLL_FW_LOCAL; /* the stack takes or drops it */
    }
    /* Strict reverse path (RFC 3704 2.2), as for IPv4. */
    atoll_ipv6_t hop;
    if (fw_route6(fw, k.o.src, &hop) != in_if)
        return fw_drop(fw, res, &fw->stats.spoofed, "source not of this side");
    /* A first fragment goes the whole path; a later one follows it. */
    struct fw_frag fr = {.id = k.o.frag_id, .in_if = (int8_t)in_if};
    memcpy(fr.src, k.o.src, 16);
    memcpy(fr.dst, k.o.dst, 16);
    if (k.o.frag_off)
        return later_fragment(fw, &k, &fr, flags, now, res);

    struct fw_l4 l = {k.o.proto,       k.o.tr.has_l4,    k.o.l4, k.o.l4_len,
                      k.o.tr.tcp_hlen, k.o.tr.tcp_flags, k.o.len};
    struct fw_tuple t;
    struct fw_tcp_win win[2];
    struct fw_conn *c = NULL;
    int dir = FW_ORIG;
    uint8_t state;
    fw_ip6_tuple(&k.o, &t);
    if (k.icmp_error) {
        struct fw_tuple quoted, rev;
        fw_ip6_tuple(&k.inner, &quoted);
        fw_tuple_reverse(&rev, &quoted);
        c = fw_ct_find(fw->ct, &rev, now, &dir);
        /* The error must go back to whoever sent the quoted packet. */
        if (c && memcmp(k.o.dst, k.inner.src, 16))
            c = NULL;
        if (!c)
            return fw_drop(fw, res, &fw->stats.invalid,
                           "ICMPv6 error about no connection");
        state = ATOLL_FW_ST_RELATED;
        fw->stats.related++;
    } else if ((c = fw_ct_find(fw->ct, &t, now, &dir))) {
        int st = fw_tracked_state(fw, c, dir, &l, win, res);
        if (st < 0)
            return ATOLL_FW_DROPPED;
        state = (uint8_t)st;
    } else {
        state = fw_ct_may_open(k.o.proto, k.o.tr.tcp_flags)
                    ? ATOLL_FW_ST_NEW
                    : ATOLL_FW_ST_INVALID;
    }

    int out_if = fw_route6(fw, k.o.dst, &hop);
    if (out_if < 0) {
        fw_drop(fw, res, &fw->stats.no_route, "no route");
        fw_answer_icmp6(fw, &k, in_if, 1, 0, 0, now, res);
        return ATOLL_FW_DROPPED;
    }
    if (!filter(fw, &k, &l, in_if, out_if, state, &t, now, res))
        return ATOLL_FW_DROPPED;
    if (k.o.hop <= 1) { /* RFC 8200 3, RFC 4443 3.3 code 0 */
        fw_drop(fw, res, &fw->stats.ttl_exceeded, "hop limit exceeded");
        fw_answer_icmp6(fw, &k, in_if, 3, 0, 0, now, res);
        return ATOLL_FW_DROPPED;
    }
    if (k.o.len > fw->ifs[out_if].mtu && !(flags & ATOLL_FW_PKT_GSO)) {
        fw_drop(fw, res, &fw->stats.too_big, "larger than the MTU");
        fw_answer_icmp6(fw, &k, in_if, 2, 0, fw->ifs[out_if].mtu, now, res);
        return ATOLL_FW_DROPPED;
    }
    if (c && !k.icmp_error) {
        fw_conn_update(fw, c, dir, &l, state, win, now);
    } else if (!c && state != ATOLL_FW_ST_INVALID) {
        struct fw_tuple reply;
        fw_tuple_reverse(&reply, &t);
        int e = fw_ct_add(fw->ct, &t, &reply, in_if, out_if, now, &c);
        if (e == -ATOLL_ENOSPC)
            return fw_drop(fw, res, &fw->stats.refused_full,
                           "connection table full");
        if (e < 0) /* both tuples are new, so only a full table refuses */
            return fw_drop(fw, res, &fw->stats.invalid, "not trackable");
        fw_conn_first(fw, c, &l, now);
    }
    if (k.o.fragment) {
        fr.out_if = (int8_t)out_if;
        fr.hop6 = hop;
        fw_frag_note(fw, &fr, now);
    }
    p[7]--; /* the hop limit: in no checksum */
    res->out_if = out_if;
    res->next_hop6 = hop;
    fw->stats.forwarded++;
    return ATOLL_FW_FORWARD;
}
