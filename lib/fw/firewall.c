/*
 * lib/fw/firewall.c - the packet path of the firewall (atoll/firewall.h):
 * routing, the reverse-path check, connection lookup (ICMP errors through
 * their quote), port forwarding, the filter rules, TTL and MTU, new
 * connections with masquerade, and the translation itself.
 *
 * Translation is one rule for every packet of a tracked connection: a
 * packet travelling in direction d leaves looking like the reverse of the
 * other direction's tuple, reverse(t[!d]).  Masquerade and port forwarding
 * only choose the reply tuple when the connection is made.
 */
#include <string.h>

#include "answer.h"
#include "atoll/error.h"
#include "atoll/firewall.h"
#include "atoll/mem.h"
#include "atoll/net_tunables.h"
#include "ct.h"
#include "fw_int.h"
#include "pkt4.h"
#include "../net/siphash.h"

int atoll_firewall_create(const struct atoll_fw_iface *ifs, int n_if,
                          uint32_t ct_max, const uint8_t key[16],
                          struct atoll_firewall **out)
{
    *out = NULL;
    if (n_if < 1 || n_if > ATOLL_FW_IF_MAX)
        return -ATOLL_EINVAL;
    for (int k = 0; k < n_if; k++)
        if (!ifs[k].name || strlen(ifs[k].name) >= FW_IFNAME_MAX ||
            ifs[k].prefix > 32 || ifs[k].mtu < 68 || ifs[k].prefix6 > 128 ||
            (ifs[k].prefix6 && ifs[k].mtu < 1280))
            return -ATOLL_EINVAL;
    struct atoll_firewall *fw = atoll_calloc(1, sizeof *fw);
    if (!fw)
        return -ATOLL_ENOMEM;
    fw->n_if = n_if;
    for (int k = 0; k < n_if; k++) {
        fw->ifs[k] = ifs[k];
        memcpy(fw->names[k], ifs[k].name, strlen(ifs[k].name) + 1);
        fw->ifs[k].name = fw->names[k];
        fw->ifnames[k] = fw->names[k];
        fw->mask[k] = ifs[k].prefix ? 0xffffffffu << (32 - ifs[k].prefix) : 0;
    }
    fw->ct = fw_ct_create(ct_max ? ct_max : FW_CT_MAX, key);
    struct atoll_fw_error e;
    int err =
        fw->ct ? atoll_fw_rules_parse("", 0, fw->ifnames, n_if, &fw->rules, &e)
               : -ATOLL_ENOMEM;
    if (err < 0) {
        atoll_firewall_destroy(fw);
        return err;
    }
    memcpy(fw->key, key, 16);
    fw->tokens = FW_ANSWERS_PER_S;
    *out = fw;
    return 0;
}

void atoll_firewall_destroy(struct atoll_firewall *fw)
{
    if (!fw)
        return;
    fw_ct_destroy(fw->ct);
    atoll_fw_rules_free(fw->rules);
    atoll_free(fw);
}

int atoll_firewall_set_rules(struct atoll_firewall *fw, const char *text,
                             size_t len, struct atoll_fw_error *err)
{
    struct atoll_fw_rules *r;
    int e = atoll_fw_rules_parse(text, len, fw->ifnames, fw->n_if, &r, err);
    if (e < 0)
        return e; /* the set in force stays */
    atoll_fw_rules_free(fw->rules);
    fw->rules = r;
    return 0;
}

struct atoll_fw_rules *atoll_firewall_rules(struct atoll_firewall *fw)
{
    return fw->rules;
}

const char *const *atoll_firewall_ifnames(const struct atoll_firewall *fw)
{
    return fw->ifnames;
}

void atoll_firewall_stats(const struct atoll_firewall *fw,
                          struct atoll_fw_stats *out)
{
    *out = fw->stats;
}

void atoll_firewall_ct_usage(const struct atoll_firewall *fw, uint32_t *count,
                             uint32_t *max, uint64_t *refused)
{
    *count = fw_ct_count(fw->ct);
    *max = fw_ct_max(fw->ct);
    *refused = fw_ct_refused(fw->ct);
}

void atoll_firewall_collect(struct atoll_firewall *fw, atoll_time_t now,
                            uint32_t budget)
{
    fw_ct_gc(fw->ct, now, budget);
}

uint64_t fw_hash_tuple(const struct atoll_firewall *fw,
                       const struct fw_tuple *t)
{
    return net_siphash24(fw->key, t, sizeof *t);
}

/* ---- routing --------------------------------------------------------------
 */

int fw_route(const struct atoll_firewall *fw, atoll_ipv4_t dst,
             atoll_ipv4_t *hop)
{
    int dflt = -1;
    for (int k = 0; k < fw->n_if; k++) {
        if ((dst & fw->mask[k]) == (fw->ifs[k].addr & fw->mask[k])) {
            *hop = dst;
            return k;
        }
        if (fw->ifs[k].gateway && dflt < 0)
            dflt = k;
    }
    if (dflt >= 0)
        *hop = fw->ifs[dflt].gateway;
    return dflt;
}

/* One of our addresses, a broadcast, or multicast: not to be forwarded. */
static bool for_us(const struct atoll_firewall *fw, atoll_ipv4_t dst)
{
    if (dst == 0xffffffffu || (dst >> 28) == 14 || dst == 0)
        return true;
    for (int k = 0; k < fw->n_if; k++) {
        if (dst == fw->ifs[k].addr)
            return true;
        if (fw->ifs[k].prefix < 31 && (dst & ~fw->mask[k]) == ~fw->mask[k] &&
            (dst & fw->mask[k]) == (fw->ifs[k].addr & fw->mask[k]))
            return true;
    }
    return false;
}

/* ---- translation ------------------------------------------------------------
 */

static atoll_ipv4_t v4(const uint8_t a[16])
{
    return atoll_fw_addr_v4(a);
}

/* Make h (a packet of direction d of c, or the quote of one of direction
 * d) look like `want`. */
static void rewrite_to(struct fw_ip4 *h, const struct fw_tuple *want)
{
    if (h->src != v4(want->src) || (h->tr.has_l4 && h->tr.sport != want->sport))
        fw_ip4_set_src(h, v4(want->src), want->sport);
    if (h->dst != v4(want->dst) ||
        (h->tr.has_l4 && h->proto != 1 && h->tr.dport != want->dport))
        fw_ip4_set_dst(h, v4(want->dst), want->dport);
}

/* The port forward that applies to a new packet, or NULL. */
static const struct atoll_fw_forward *
find_forward(struct atoll_firewall *fw, int in_if, const struct fw_ip4 *h)
{
    if (!h->tr.has_l4 || h->dst != fw->ifs[in_if].addr)
        return NULL;
    for (int k = 0; k < fw->rules->n_forward; k++) {
        const struct atoll_fw_forward *f = &fw->rules->forward[k];
        if (f->in_if == in_if && f->proto == h->proto &&
            h->tr.dport >= f->ports.lo && h->tr.dport <= f->ports.hi)
            return f;
    }
    return NULL;
}

static const struct atoll_fw_masq *find_masq(struct atoll_firewall *fw,
                                             int out_if, atoll_ipv4_t src)
{
    uint8_t a[16];
    atoll_fw_addr4(a, src);
    for (int k = 0; k < fw->rules->n_masq; k++) {
        const struct atoll_fw_masq *m = &fw->rules->masq[k];
        if (m->out_if == out_if && atoll_fw_prefix_has(&m->src, a))
            return m;
    }
    return NULL;
}

/* Track a new connection whose first packet has tuple t (translated to
 * xt: its destination after port forwarding).  Masquerade picks xt's
 * source and port so that the reply tuple is free. */
static int track_new(struct atoll_firewall *fw, const struct fw_tuple *t,
                     struct fw_tuple *xt, int in_if, int out_if, bool masq,
                     atoll_time_t now, struct fw_conn **out)
{
    struct fw_tuple reply;
    if (!masq) {
        fw_tuple_reverse(&reply, xt);
        return fw_ct_add(fw->ct, t, &reply, in_if, out_if, now, out);
    }
    atoll_fw_addr4(xt->src, fw->ifs[out_if].addr);
    bool ports = t->proto == 6 || t->proto == 17 || t->proto == 1;
    if (!ports) {
        fw_tuple_reverse(&reply, xt);
        return fw_ct_add(fw->ct, t, &reply, in_if, out_if, now, out);
    }
    /* The port it had first (RFC 4787 REQ-1 prefers keeping it), then a
     * walk from a keyed-hash start through the range. */
    const uint32_t span = FW_NAT_PORT_HI - FW_NAT_PORT_LO + 1;
    uint32_t start = (uint32_t)fw_hash_tuple(fw, t) % span;
    for (int k = -1; k < FW_NAT_PORT_TRIES; k++) {
        uint16_t port;
        if (k < 0) {
            if (t->sport < FW_NAT_PORT_LO || t->sport > FW_NAT_PORT_HI)
                continue;
            port = t->sport;
        } else {
            port = (uint16_t)(FW_NAT_PORT_LO + (start + (uint32_t)k) % span);
        }
        xt->sport = port;
        fw_tuple_reverse(&reply, xt);
        int e = fw_ct_add(fw->ct, t, &reply, in_if, out_if, now, out);
        if (e != -ATOLL_EEXIST)
            return e;
    }
    return -ATOLL_EADDRINUSE;
}

/* ---- the packet path -------------------------------------------------------
 */

static void fw_l4_of4(const struct fw_ip4 *h, struct fw_l4 *l)
{
    *l = (struct fw_l4){h->proto,       h->tr.has_l4,    h->l4, h->l4_len,
                        h->tr.tcp_hlen, h->tr.tcp_flags, h->len};
}

static void tcp_segment(const struct fw_l4 *l, struct fw_tcp_seg *s)
{
    fw_tcp_seg_read(s, l->l4, l->tcp_hlen, (uint32_t)(l->l4_len - l->tcp_hlen));
}

int fw_drop(struct atoll_firewall *fw, struct atoll_fw_result *res,
            uint64_t *counter, const char *why)
{
    (*counter)++;
    fw->stats.dropped++;
    res->why = why;
    return ATOLL_FW_DROPPED;
}

int fw_tracked_state(struct atoll_firewall *fw, struct fw_conn *c, int dir,
                     const struct fw_l4 *l, struct fw_tcp_win win[2],
                     struct atoll_fw_result *res)
{
    bool tcp = c->t[FW_ORIG].proto == 6;
    if (tcp && l->has_l4) {
        /* the windows as they would be after it; kept if it passes */
        struct fw_tcp_seg seg;
        tcp_segment(l, &seg);
        memcpy(win, c->win, sizeof c->win);
        if (!fw_tcp_window(win, c->tcp, dir, &seg)) {
            fw_drop(fw, res, &fw->stats.window, "outside the TCP window");
            return -1;
        }
    }
    uint8_t fin = c->flags;
    bool fits = !tcp || fw_tcp_next(c->tcp, dir, l->tcp_flags, &fin) >= 0;
    /* as Linux: a reply, or anything after one, is established */
    bool est = dir == FW_REPLY || (c->flags & FW_CT_SEEN_REPLY);
    return !fits ? ATOLL_FW_ST_INVALID
           : est ? ATOLL_FW_ST_ESTABLISHED
                 : ATOLL_FW_ST_NEW;
}

void fw_conn_update(struct atoll_firewall *fw, struct fw_conn *c, int dir,
                    const struct fw_l4 *l, uint8_t state,
                    const struct fw_tcp_win win[2], atoll_time_t now)
{
    if (state != ATOLL_FW_ST_INVALID &&
        fw_ct_seen(fw->ct, c, dir, l->tcp_flags, (uint32_t)l->len, now) &&
        c->t[FW_ORIG].proto == 6 && l->has_l4)
        memcpy(c->win, win, sizeof c->win);
}

void fw_conn_first(struct atoll_firewall *fw, struct fw_conn *c,
                   const struct fw_l4 *l, atoll_time_t now)
{
    fw_ct_seen(fw->ct, c, FW_ORIG, l->tcp_flags, (uint32_t)l->len, now);
    if (l->proto == 6) {
        struct fw_tcp_seg seg;
        tcp_segment(l, &seg);
        fw_tcp_window(c->win, FW_TCP_NONE, FW_ORIG, &seg);
    }
}

const struct atoll_fw_rule *fw_filter(struct atoll_firewall *fw,
                                      const struct fw_l4 *l, int in_if,
                                      int out_if, uint8_t state,
                                      const struct fw_tuple *view,
                                      struct atoll_fw_result *res, int *action)
{
    struct atoll_fw_pkt p;
    p.in_if = in_if;
    p.out_if = out_if;
    p.proto = l->proto;
    p.state = state;
    memcpy(p.src, view->src, 16);
    memcpy(p.dst, view->dst, 16);
    bool ports = l->proto == 6 || l->proto == 17;
    p.sport = ports ? view->sport : 0;
    p.dport = ports ? view->dport : 0;
    p.len = (uint32_t)l->len;
    const struct atoll_fw_rule *r = atoll_fw_rules_match(fw->rules, &p);
    *action = r ? r->action : fw->rules->policy;
    if (*action == ATOLL_FW_DROP)
        fw_drop(fw, res, r ? &fw->stats.rejected : &fw->stats.policy,
                r ? "dropped by a rule" : "dropped by the policy");
    else if (*action != ATOLL_FW_ACCEPT)
        fw_drop(fw, res, &fw->stats.rejected, "rejected by a rule");
    return r;
}

/* The filter rules' verdict for an IPv4 packet seen as `view`; true to
 * go on.  A reject writes its answer. */
static bool filter(struct atoll_firewall *fw, struct fw_pkt4 *k, int in_if,
                   int out_if, uint8_t state, const struct fw_tuple *view,
                   atoll_time_t now, struct atoll_fw_result *res)
{
    struct fw_l4 l;
    fw_l4_of4(&k->o, &l);
    int action;
    const struct atoll_fw_rule *r =
        fw_filter(fw, &l, in_if, out_if, state, view, res, &action);
    if (action == ATOLL_FW_ACCEPT)
        return true;
    if (action == ATOLL_FW_DROP)
        return false;
    if (r->reject_with == ATOLL_FW_REJ_TCP_RESET && k->o.proto == 6)
        fw_answer_rst(fw, k, in_if, now, res);
    else if (r->reject_with != ATOLL_FW_REJ_TCP_RESET) {
        static const uint8_t codes[] = {0, 0, 1, 3, 13};
        fw_answer_icmp(fw, k, in_if, 3, codes[r->reject_with], 0, now, res);
    }
    return false;
}

/* A fragment after the first, from in_if: the way its first fragment
 * went, translated as it was; no rules, as the first's verdict is the
 * datagram's. */
static int later_fragment(struct atoll_firewall *fw, int in_if,
                          struct fw_pkt4 *k, unsigned flags, atoll_time_t now,
                          struct atoll_fw_result *res)
{
    struct fw_frag key = {.id = fw_rd16(k->o.ip + 4),
                          .proto = k->o.proto,
                          .in_if = (int8_t)in_if};
    atoll_fw_addr4(key.src, k->o.src);
    atoll_fw_addr4(key.dst, k->o.dst);
    const struct fw_frag *f = fw_frag_find(fw, &key, now);
    if (!f && for_us(fw, k->o.dst)) {
        fw->stats.local++;
        return ATOLL_FW_LOCAL; /* the stack reassembles its own */
    }
    if (!f)
        return fw_drop(fw, res, &fw->stats.fragment,
                       "a fragment whose first did not pass");
    if (k->o.ttl <= 1) /* no answer about a later fragment (RFC 1812) */
        return fw_drop(fw, res, &fw->stats.ttl_exceeded, "TTL exceeded");
    if (k->o.len > fw->ifs[f->out_if].mtu && (k->o.frag & FW_IP_DF) &&
        !(flags & ATOLL_FW_PKT_GSO))
        return fw_drop(fw, res, &fw->stats.too_big,
                       "larger than the MTU, DF set");
    if (k->o.src != f->new_src)
        fw_ip4_set_src(&k->o, f->new_src, 0);
    if (k->o.dst != f->new_dst)
        fw_ip4_set_dst(&k->o, f->new_dst, 0);
    fw_ip4_dec_ttl(&k->o);
    res->out_if = f->out_if;
    res->next_hop = f->hop;
    fw->stats.forwarded++;
    return ATOLL_FW_FORWARD;
}

int atoll_firewall_packet(struct atoll_firewall *fw, int in_if, uint8_t *p,
                          size_t len, unsigned flags, atoll_time_t now,
                          struct atoll_fw_result *res)
{
    res->answer_len = 0;
    res->why = NULL;
    res->out_if = -1;
    res->len = len;
    if (len && (p[0] >> 4) == 6)
        return fw_packet6(fw, in_if, p, len, flags, now, res);
    struct fw_pkt4 k;
    if (in_if < 0 || in_if >= fw->n_if || fw_pkt4_parse(p, len, &k) < 0)
        return fw_drop(fw, res, &fw->stats.bad, "malformed");
    res->len = k.o.len;
    /* A first fragment goes the whole path (its own datagrams' first
     * fragments end up local there); a later one follows its first, or
     * is the stack's to reassemble when it is for us. */
    bool first = (k.o.frag & (FW_IP_MF | 0x1fff)) == FW_IP_MF;
    atoll_ipv4_t src0 = k.o.src, dst0 = k.o.dst; /* before translation */
    /* Strict reverse path (RFC 3704 2.2): the source must be one that
     * would be routed back out of the interface it came in on. */
    atoll_ipv4_t hop;
    if (k.o.src != 0 && fw_route(fw, k.o.src, &hop) != in_if)
        return fw_drop(fw, res, &fw->stats.spoofed, "source not of this side");
    if (k.o.frag & 0x1fff)
        return later_fragment(fw, in_if, &k, flags, now, res);

    struct fw_tuple t, view, want;
    struct fw_tcp_win win[2];
    struct fw_l4 l;
    fw_l4_of4(&k.o, &l);
    struct fw_conn *c = NULL;
    int dir = FW_ORIG;
    uint8_t state;
    if (k.icmp_error) {
        struct fw_tuple quoted;
        fw_ip4_tuple(&k.inner, &quoted);
        struct fw_tuple rev;
        fw_tuple_reverse(&rev, &quoted);
        c = fw_ct_find(fw->ct, &rev, now, &dir);
        if (!c && for_us(fw, k.o.dst)) {
            fw->stats.local++;
            return ATOLL_FW_LOCAL; /* about the firewall's own traffic */
        }
        /* The error must go back to whoever sent the quoted packet. */
        if (c && k.o.dst != k.inner.src)
            c = NULL;
        if (!c)
            return fw_drop(fw, res, &fw->stats.invalid,
                           "ICMP error about no connection");
        state = ATOLL_FW_ST_RELATED;
        fw->stats.related++;
        fw_ip4_tuple(&k.o, &t);
        view = t;
        memcpy(view.dst, c->t[!dir].src, 16);
    } else {
        fw_ip4_tuple(&k.o, &t);
        c = fw_ct_find(fw->ct, &t, now, &dir);
        if (c) {
            int st = fw_tracked_state(fw, c, dir, &l, win, res);
            if (st < 0)
                return ATOLL_FW_DROPPED;
            state = (uint8_t)st;
            fw_tuple_reverse(&want, &c->t[!dir]);
            view = t;
            memcpy(view.dst, want.dst, 16);
            view.dport = want.dport;
        } else {
            view = t;
            const struct atoll_fw_forward *f = find_forward(fw, in_if, &k.o);
            if (f) {
                memcpy(view.dst, f->to, 16);
                if (f->to_port)
                    view.dport = f->to_port;
            } else if (for_us(fw, k.o.dst)) {
                fw->stats.local++;
                return ATOLL_FW_LOCAL;
            }
            state = fw_ct_may_open(k.o.proto, k.o.tr.tcp_flags)
                        ? ATOLL_FW_ST_NEW
                        : ATOLL_FW_ST_INVALID;
        }
    }

    int out_if = fw_route(fw, v4(view.dst), &hop);
    if (out_if < 0) {
        fw_drop(fw, res, &fw->stats.no_route, "no route");
        fw_answer_icmp(fw, &k, in_if, 3, 0, 0, now, res);
        return ATOLL_FW_DROPPED;
    }
    if (!filter(fw, &k, in_if, out_if, state, &view, now, res))
        return ATOLL_FW_DROPPED;
    if (k.o.ttl <= 1) {
        fw_drop(fw, res, &fw->stats.ttl_exceeded, "TTL exceeded");
        fw_answer_icmp(fw, &k, in_if, 11, 0, 0, now, res);
        return ATOLL_FW_DROPPED;
    }
    if (k.o.len > fw->ifs[out_if].mtu && (k.o.frag & FW_IP_DF) &&
        !(flags & ATOLL_FW_PKT_GSO)) {
        fw_drop(fw, res, &fw->stats.too_big, "larger than the MTU, DF set");
        fw_answer_icmp(fw, &k, in_if, 3, 4, fw->ifs[out_if].mtu, now, res);
        return ATOLL_FW_DROPPED;
    }

    if (k.icmp_error) {
        /* The quote is a packet of the other direction as it looked
         * after translation: put it back as its sender sent it; the
         * error itself goes to that sender (from the far end's address
         * as the sender knows it, when the far end sent it). */
        const struct fw_tuple *other = &c->t[!dir];
        if (k.o.src == v4(c->t[dir].src))
            fw_ip4_set_src(&k.o, v4(other->dst), 0);
        fw_ip4_set_dst(&k.o, v4(other->src), 0);
        rewrite_to(&k.inner, other);
        fw_icmp_fix(&k.o);
    } else if (c) {
        fw_conn_update(fw, c, dir, &l, state, win, now);
        rewrite_to(&k.o, &want);
    } else {
        bool masq = find_masq(fw, out_if, k.o.src) != NULL;
        bool dnat = memcmp(view.dst, t.dst, 16) != 0 || view.dport != t.dport;
        if (state == ATOLL_FW_ST_INVALID) {
            /* accepted by the rules but not a connection: it may pass
             * only where nothing would be translated */
            if (masq || dnat)
                return fw_drop(fw, res, &fw->stats.invalid,
                               "invalid, and would need translation");
        } else {
            struct fw_tuple xt = view;
            int e = track_new(fw, &t, &xt, in_if, out_if, masq, now, &c);
            if (e == -ATOLL_ENOSPC)
                return fw_drop(fw, res, &fw->stats.refused_full,
                               "connection table full");
            if (e < 0)
                return fw_drop(fw, res, &fw->stats.nat_exhausted,
                               "no free translation");
            fw_conn_first(fw, c, &l, now);
            rewrite_to(&k.o, &xt);
        }
    }
    fw_ip4_dec_ttl(&k.o);
    res->out_if = out_if;
    res->next_hop = hop;
    fw->stats.forwarded++;
    if (first) {
        struct fw_frag fr = {.id = fw_rd16(k.o.ip + 4),
                             .proto = k.o.proto,
                             .in_if = (int8_t)in_if,
                             .out_if = (int8_t)out_if,
                             .hop = hop,
                             .new_src = k.o.src,
                             .new_dst = k.o.dst};
        atoll_fw_addr4(fr.src, src0);
        atoll_fw_addr4(fr.dst, dst0);
        fw_frag_note(fw, &fr, now);
    }
    return ATOLL_FW_FORWARD;
}
