/*
 * lib/net/ipv6.c - IPv6 (RFC 8200) for a host: the header and the walk of
 * the extension-header chain, input checks and delivery to ICMPv6, the
 * output path (source selection, next hop, multicast), address text, and
 * turning IPv6 on (atoll/ipv6.h).
 *
 * Input validates before anything above looks at a packet: version,
 * payload length against the frame (Ethernet padding is trimmed), source
 * not multicast, destination one of our addresses or groups, then the
 * extension headers one by one with every length checked against the
 * packet.  Options are interpreted only as far as RFC 8200 4.2 asks of a
 * host (skip, or discard with or without a parameter problem, by the high
 * bits of the type); a routing header with segments left is refused with
 * a parameter problem (a host forwards nothing; type 0 is deprecated by
 * RFC 5095 anyway).  Fragments go to reassembly (reasm.c), and packets
 * larger than the path MTU (RFC 8201, learnt from Packet Too Big) leave
 * in fragments.  Every drop is counted by its reason (net_ip6_reject,
 * atoll/ipv6.h).
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/random.h"
#include "ipv6_int.h"
#include "stack_int.h"

const atoll_ipv6_t net_ipv6_all_nodes = {{0xff, 2, [15] = 1}};
const atoll_ipv6_t net_ipv6_all_routers = {{0xff, 2, [15] = 2}};
const atoll_ipv6_t net_ipv6_mld2_routers = {{0xff, 2, [15] = 0x16}};

/* ---- wire ------------------------------------------------------------------
 */

int net_ipv6_parse(const uint8_t *p, size_t len, struct net_ipv6_hdr *h)
{
    if (len < NET_IP6_HLEN || p[0] >> 4 != 6)
        return -ATOLL_EBADMSG;
    h->tclass = (uint8_t)(net_get16(p) >> 4);
    h->flow = net_get32(p) & 0xfffff;
    h->payload_len = net_get16(p + 4);
    h->next = p[6];
    h->hop_limit = p[7];
    memcpy(h->src.b, p + 8, 16);
    memcpy(h->dst.b, p + 24, 16);
    /* A jumbogram (payload length 0 with a hop-by-hop option, RFC 2675)
     * cannot occur on an Ethernet link: 0 is an empty payload. */
    if ((size_t)NET_IP6_HLEN + h->payload_len > len)
        return -ATOLL_EBADMSG;
    return 0;
}

void net_ipv6_write(uint8_t *p, const struct net_ipv6_hdr *h)
{
    net_put32(p, 6u << 28 | (uint32_t)h->tclass << 20 | (h->flow & 0xfffff));
    net_put16(p + 4, h->payload_len);
    p[6] = h->next;
    p[7] = h->hop_limit;
    memcpy(p + 8, h->src.b, 16);
    memcpy(p + 24, h->dst.b, 16);
}

/* The TLV options of a hop-by-hop or destination options header at
 * p[off + 2 .. off + hl).  0, -ATOLL_EBADMSG or -ATOLL_ENOTSUP. */
static int walk_options(const uint8_t *p, size_t off, size_t hl,
                        struct net_ipv6_chain *c)
{
    bool mcast = p[24] == 0xff;
    size_t i = off + 2, end = off + hl;
    while (i < end) {
        uint8_t t = p[i];
        if (t == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > end || i + 2 + p[i + 1] > end) {
            c->reject = ATOLL_IP6R_TRUNCATED; /* past its header */
            return -ATOLL_EBADMSG;
        }
        switch (t) {
        case 1:    /* PadN */
        case 5:    /* router alert (RFC 2711): nothing for a host to do */
        case 0xc2: /* jumbo payload: harmless to skip, never used here */
            break;
        default:
            switch (t >> 6) {
            case 0:
                break; /* skip */
            case 1:
                c->reject = ATOLL_IP6R_OPTION;
                return -ATOLL_ENOTSUP; /* discard silently */
            case 2:
                c->reject = ATOLL_IP6R_OPTION;
                c->send_error = true;
                c->pp_code = 2, c->pp_ptr = (uint32_t)i;
                return -ATOLL_ENOTSUP;
            case 3:
                c->reject = ATOLL_IP6R_OPTION;
                c->send_error = !mcast;
                c->pp_code = 2, c->pp_ptr = (uint32_t)i;
                return -ATOLL_ENOTSUP;
            }
        }
        i += 2 + (size_t)p[i + 1];
    }
    return 0;
}

int net_ipv6_walk(const uint8_t *p, size_t len, struct net_ipv6_chain *c)
{
    memset(c, 0, sizeof *c);
    c->reject = ATOLL_IP6R_TRUNCATED; /* the most common failure */
    if (len < NET_IP6_HLEN)
        return -ATOLL_EBADMSG;
    uint8_t next = p[6];
    size_t off = NET_IP6_HLEN, next_at = 6; /* where `next` was read */
    for (int n = 0;; n++) {
        if (n > NET_IPV6_EXT_MAX) {
            c->reject = ATOLL_IP6R_CHAIN_LONG;
            return -ATOLL_EBADMSG;
        }
        size_t hl;
        switch (next) {
        case NET_IP6_HOPOPTS:
            if (off != NET_IP6_HLEN) { /* only right after the header */
                c->reject = ATOLL_IP6R_HBH_PLACE;
                c->send_error = true;
                c->pp_code = 1, c->pp_ptr = (uint32_t)next_at;
                return -ATOLL_ENOTSUP;
            }
            /* fall through */
        case NET_IP6_DSTOPTS: {
            if (off + 2 > len)
                return -ATOLL_EBADMSG;
            hl = ((size_t)p[off + 1] + 1) * 8;
            if (off + hl > len)
                return -ATOLL_EBADMSG;
            int r = walk_options(p, off, hl, c);
            if (r < 0)
                return r;
            break;
        }
        case NET_IP6_ROUTING:
            if (off + 4 > len)
                return -ATOLL_EBADMSG;
            hl = ((size_t)p[off + 1] + 1) * 8;
            if (off + hl > len)
                return -ATOLL_EBADMSG;
            if (p[off + 3] != 0) { /* segments left: we route nothing */
                c->reject = ATOLL_IP6R_ROUTING;
                c->send_error = p[24] != 0xff;
                c->pp_code = 0, c->pp_ptr = (uint32_t)(off + 2);
                return -ATOLL_ENOTSUP;
            }
            break; /* none left: ignore it (RFC 8200 4.4) */
        case NET_IP6_FRAGMENT: {
            hl = 8;
            if (off + hl > len)
                return -ATOLL_EBADMSG;
            uint16_t fo = net_get16(p + off + 2);
            if ((fo & ~7u) == 0 && !(fo & 1))
                break; /* an atomic fragment (RFC 6946): just a header */
            c->fragment = true;
            c->frag_off = (uint16_t)(fo & ~7u);
            c->frag_more = fo & 1;
            c->frag_id = net_get32(p + off + 4);
            c->proto = p[off];
            c->off = off + hl;
            return 0;
        }
        default:
            c->proto = next;
            c->off = off;
            c->pp_ptr = (uint32_t)next_at; /* for "unrecognized header" */
            return 0;
        }
        next_at = off;
        next = p[off];
        off += hl;
    }
}

uint32_t net_csum_pseudo6(const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                          uint8_t proto, uint32_t len)
{
    uint32_t sum = net_csum_add(0, src->b, 16);
    sum = net_csum_add(sum, dst->b, 16);
    return sum + (len >> 16) + (len & 0xffff) + proto;
}

/* ---- addresses
 * ---------------------------------------------------------------
 */

void net_ipv6_link_local(const uint8_t mac[6], atoll_ipv6_t *out)
{
    /* fe80::/64 and the modified EUI-64 (RFC 4291 appendix A): the MAC
     * split by ff:fe, with the universal/local bit inverted. */
    memset(out, 0, sizeof *out);
    out->b[0] = 0xfe, out->b[1] = 0x80;
    out->b[8] = mac[0] ^ 2, out->b[9] = mac[1], out->b[10] = mac[2];
    out->b[11] = 0xff, out->b[12] = 0xfe;
    out->b[13] = mac[3], out->b[14] = mac[4], out->b[15] = mac[5];
}

void net_ipv6_solicited_node(const atoll_ipv6_t *a, atoll_ipv6_t *out)
{
    static const uint8_t pre[13] = {0xff, 2, 0, 0, 0, 0,   0,
                                    0,    0, 0, 0, 1, 0xff};
    memcpy(out->b, pre, 13);
    memcpy(out->b + 13, a->b + 13, 3);
}

void net_ipv6_multicast_mac(const atoll_ipv6_t *a, uint8_t mac[6])
{
    mac[0] = 0x33, mac[1] = 0x33; /* RFC 2464 7 */
    memcpy(mac + 2, a->b + 12, 4);
}

bool net_ipv6_is_unspecified(const atoll_ipv6_t *a)
{
    static const atoll_ipv6_t zero;
    return !memcmp(a, &zero, sizeof zero);
}

bool net_ipv6_same_prefix(const atoll_ipv6_t *a, const atoll_ipv6_t *b,
                          unsigned len)
{
    unsigned whole = len / 8, bits = len % 8;
    if (len > 128 || memcmp(a->b, b->b, whole))
        return false;
    if (!bits)
        return true;
    uint8_t m = (uint8_t)(0xff << (8 - bits));
    return (a->b[whole] & m) == (b->b[whole] & m);
}

bool net_ipv6_is_ours(const struct atoll_stack *s, const atoll_ipv6_t *a,
                      bool tentative)
{
    if (!s->v6)
        return false;
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        const struct net6_addr *x = &s->v6->addrs[i];
        if (x->used && !memcmp(&x->a, a, sizeof *a) &&
            (x->state == ATOLL_IPV6_PREFERRED ||
             (tentative && x->state == ATOLL_IPV6_TENTATIVE)))
            return true;
    }
    return false;
}

bool net_ipv6_our_link_local(const struct atoll_stack *s, atoll_ipv6_t *out)
{
    net_ipv6_link_local(s->info.mac, out);
    return net_ipv6_is_ours(s, out, false);
}

bool net_ipv6_is_our_group(const struct atoll_stack *s, const atoll_ipv6_t *a)
{
    if (!s->v6)
        return false;
    if (!memcmp(a, &net_ipv6_all_nodes, sizeof *a))
        return true;
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        const struct net6_addr *x = &s->v6->addrs[i];
        atoll_ipv6_t sn;
        if (!x->used || x->state == ATOLL_IPV6_DUPLICATE)
            continue;
        net_ipv6_solicited_node(&x->a, &sn);
        if (!memcmp(&sn, a, sizeof sn))
            return true;
    }
    return false;
}

bool net_ipv6_mac_wanted(const struct atoll_stack *s, const uint8_t mac[6])
{
    if (!s->v6 || mac[0] != 0x33 || mac[1] != 0x33)
        return false;
    atoll_ipv6_t g = {{0}};
    if (mac[2] == 0xff) { /* a solicited-node group's low 24 bits */
        g.b[0] = 0xff, g.b[1] = 2, g.b[11] = 1, g.b[12] = 0xff;
        memcpy(g.b + 13, mac + 3, 3);
    } else {
        g = net_ipv6_all_nodes;
        if (memcmp(mac + 2, g.b + 12, 4))
            return false;
    }
    return net_ipv6_is_our_group(s, &g);
}

/* ---- input ------------------------------------------------------------------
 */

static const char *const reject_names[ATOLL_IP6R_COUNT] = {
    [ATOLL_IP6R_OFF] = "off",
    [ATOLL_IP6R_HEADER] = "header",
    [ATOLL_IP6R_SRC] = "src",
    [ATOLL_IP6R_DST] = "dst",
    [ATOLL_IP6R_TRUNCATED] = "truncated",
    [ATOLL_IP6R_CHAIN_LONG] = "chain_long",
    [ATOLL_IP6R_HBH_PLACE] = "hbh_place",
    [ATOLL_IP6R_OPTION] = "option",
    [ATOLL_IP6R_ROUTING] = "routing",
    [ATOLL_IP6R_PROTO] = "proto",
    [ATOLL_IP6R_FRAG_LEN] = "frag_len",
    [ATOLL_IP6R_FRAG_OVERLAP] = "frag_overlap",
    [ATOLL_IP6R_FRAG_DUP] = "frag_dup",
    [ATOLL_IP6R_FRAG_CHAIN] = "frag_chain",
    [ATOLL_IP6R_FRAG_LIMIT] = "frag_limit",
    [ATOLL_IP6R_FRAG_TIMEOUT] = "frag_timeout",
    [ATOLL_IP6R_ICMP_SHORT] = "icmp_short",
    [ATOLL_IP6R_ICMP_CSUM] = "icmp_csum",
    [ATOLL_IP6R_ICMP_NOT_US] = "icmp_not_us",
    [ATOLL_IP6R_ICMP_ECHO] = "icmp_echo",
    [ATOLL_IP6R_ICMP_PTB] = "icmp_ptb",
    [ATOLL_IP6R_MLD] = "mld",
    [ATOLL_IP6R_ND_HOP_LIMIT] = "nd_hop_limit",
    [ATOLL_IP6R_ND_MALFORMED] = "nd_malformed",
    [ATOLL_IP6R_ND_SOURCE] = "nd_source",
    [ATOLL_IP6R_ND_SOLICITED] = "nd_solicited",
};

const char *atoll_ip6_reject_name(enum atoll_ip6_reject r)
{
    return (unsigned)r < ATOLL_IP6R_COUNT ? reject_names[r] : "?";
}

void net_ip6_reject(struct atoll_stack *s, enum atoll_ip6_reject why,
                    uint64_t n)
{
    s->stats.ip6_reject[why] += n;
    if (why >= ATOLL_IP6R_ND_HOP_LIMIT)
        s->stats.nd_drop += n;
    else if (why >= ATOLL_IP6R_ICMP_SHORT)
        s->stats.icmp6_drop += n;
    else if (why >= ATOLL_IP6R_FRAG_LEN)
        s->stats.ip6_frag_drop += n;
    else
        s->stats.ip6_drop += n;
}

/* A packet (data = its IPv6 header); `whole`: made by reassembly. */
static void input(struct atoll_stack *s, struct atoll_buf *b, bool whole)
{
    struct net_ipv6_hdr h;
    struct net_ipv6_chain c;
    enum atoll_ip6_reject why = ATOLL_IP6R_OFF;
    if (!s->v6)
        goto drop;
    why = ATOLL_IP6R_HEADER;
    if (net_ipv6_parse(b->data, b->len, &h) < 0)
        goto drop;
    atoll_buf_trim(b, NET_IP6_HLEN + (size_t)h.payload_len);
    /* A router's hook (atoll/forward.h) sees each packet once: not again
     * when reassembly gives back a datagram of fragments it let by. */
    if (s->fwd && !whole && s->fwd(s->fwd_arg, s, b))
        return;
    why = ATOLL_IP6R_SRC;
    if (net_ipv6_is_multicast(&h.src))
        goto drop; /* RFC 4291 2.7: never a source */
    if (net_ipv6_is_ours(s, &h.src, false) && !net_ipv6_is_unspecified(&h.src))
        goto drop; /* our own packet looped back */
    why = ATOLL_IP6R_DST;
    if (!net_ipv6_is_ours(s, &h.dst, true) && !net_ipv6_is_our_group(s, &h.dst))
        goto drop; /* not ours: a host does not forward */
    int r = net_ipv6_walk(b->data, b->len, &c);
    if (r == -ATOLL_ENOTSUP && c.send_error)
        net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, c.pp_code, c.pp_ptr,
                             b->data, b->len);
    why = c.reject;
    if (r < 0)
        goto drop;
    if (c.fragment) {
        if (!whole) {
            net_reasm6_input(s, b, &h, &c);
            return;
        }
        why = ATOLL_IP6R_FRAG_CHAIN; /* a fragment inside a fragment */
        goto drop;
    }
    switch (c.proto) {
    case NET_IP6_ICMPV6:
        atoll_buf_pull(b, c.off);
        net_icmp6_input(s, b, &h);
        return;
    case NET_IP6_UDP:
        atoll_buf_pull(b, c.off);
        net_udp6_input(s, b, &h, c.off);
        return;
    case NET_IP6_TCP:
        atoll_buf_pull(b, c.off);
        net_tcp6_input(s, b, &h);
        return;
    case NET_IP6_NONE:
        atoll_buf_free(b); /* nothing follows: legal, and nothing to do */
        return;
    }
    /* An unrecognized next header (RFC 8200 4, RFC 4443 3.4 code 1). */
    net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, 1, c.pp_ptr, b->data, b->len);
    why = ATOLL_IP6R_PROTO;
drop:
    net_ip6_reject(s, why, 1);
    atoll_buf_free(b);
}

void net_ipv6_input(struct atoll_stack *s, struct atoll_buf *b)
{
    input(s, b, false);
}

void net_ipv6_reassembled(struct atoll_stack *s, struct atoll_buf *b)
{
    input(s, b, true);
}

/* ---- output -----------------------------------------------------------------
 */

/* Our best source for dst (RFC 6724, reduced to what a host with one
 * interface needs): link-local for link-local and link-scope multicast
 * destinations, else an address on dst's prefix, else any global one. */
static const atoll_ipv6_t *source_for(const struct atoll_stack *s,
                                      const atoll_ipv6_t *dst)
{
    const struct net6_addr *ll = NULL, *global = NULL;
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        const struct net6_addr *x = &s->v6->addrs[i];
        if (!x->used || x->state != ATOLL_IPV6_PREFERRED)
            continue;
        if (net_ipv6_is_link_local(&x->a)) {
            ll = x;
            continue;
        }
        if (net_ipv6_same_prefix(&x->a, dst, x->prefix))
            return &x->a;
        if (!global)
            global = x;
    }
    bool link_scope = net_ipv6_is_link_local(dst) ||
                      (net_ipv6_is_multicast(dst) && (dst->b[1] & 15) <= 2);
    if (link_scope || !global)
        return ll ? &ll->a : NULL;
    return &global->a;
}

/* The on-link next hop for dst, or NULL without a route. */
static const atoll_ipv6_t *next_hop(const struct atoll_stack *s,
                                    const atoll_ipv6_t *dst)
{
    if (net_ipv6_is_link_local(dst))
        return dst;
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        const struct net6_addr *x = &s->v6->addrs[i];
        if (x->used && x->state != ATOLL_IPV6_DUPLICATE &&
            !net_ipv6_is_link_local(&x->a) &&
            net_ipv6_same_prefix(&x->a, dst, x->prefix))
            return dst;
    }
    return s->v6->has_router ? &s->v6->router : NULL;
}

uint16_t net_ipv6_path_mtu(const struct atoll_stack *s, const atoll_ipv6_t *dst)
{
    const struct net6 *v = s->v6;
    atoll_time_t now = atoll_now();
    for (int i = 0; i < NET_IPV6_PMTU_MAX; i++)
        if (v->pmtu[i].mtu && v->pmtu[i].until > now &&
            !memcmp(&v->pmtu[i].dst, dst, sizeof *dst))
            return v->pmtu[i].mtu < v->mtu ? v->pmtu[i].mtu : v->mtu;
    return v->mtu;
}

bool net_ipv6_pmtu_update(struct atoll_stack *s, const atoll_ipv6_t *dst,
                          uint32_t mtu)
{
    struct net6 *v = s->v6;
    /* RFC 8201 4: never below the IPv6 minimum, never up on the word of a
     * Packet Too Big. */
    if (mtu < 1280 || mtu >= net_ipv6_path_mtu(s, dst))
        return false;
    atoll_time_t now = atoll_now();
    int slot = 0;
    for (int i = 0; i < NET_IPV6_PMTU_MAX; i++) {
        if (!memcmp(&v->pmtu[i].dst, dst, sizeof *dst) && v->pmtu[i].mtu) {
            slot = i;
            break;
        }
        if (v->pmtu[i].until < v->pmtu[slot].until)
            slot = i; /* free slots (until 0) and expired ones first */
    }
    v->pmtu[slot].dst = *dst;
    v->pmtu[slot].mtu = (uint16_t)mtu;
    v->pmtu[slot].until = now + NET_IPV6_PMTU_AGE_NS;
    char t[ATOLL_IPV6_TEXT];
    ATOLL_DEBUG(&net_log, "%s: path MTU to %s now %u", s->name,
                atoll_ipv6_format(dst, t), (unsigned)mtu);
    return true;
}

/* Hand the packet p (IPv6 header in place) to the link. */
static int link_out(struct atoll_stack *s, const atoll_ipv6_t *dst,
                    const atoll_ipv6_t *nh, struct atoll_buf *b)
{
    if (net_ipv6_is_multicast(dst)) {
        uint8_t mac[6];
        net_ipv6_multicast_mac(dst, mac);
        return net_eth_output(s, mac, NET_ETHTYPE_IPV6, b);
    }
    return net_nd_output(s, nh, b);
}

/* RFC 8200 4.5: the packet b (data = upper layer, no extension headers of
 * ours) in fragments of at most `mtu` bytes each, with one identification
 * from a counter that started at a random value (RFC 7739).  Owns b. */
static int fragment(struct atoll_stack *s, struct net_ipv6_hdr *h,
                    const atoll_ipv6_t *nh, uint16_t mtu, struct atoll_buf *b)
{
    size_t chunk = ((size_t)mtu - NET_IP6_HLEN - 8) & ~(size_t)7;
    uint32_t id = s->v6->frag_id++;
    uint8_t next = h->next;
    int err = 0;
    for (size_t off = 0; off < b->len && !err; off += chunk) {
        size_t n = b->len - off < chunk ? b->len - off : chunk;
        bool more = off + n < b->len;
        struct atoll_buf *f = atoll_buf_alloc(NET_IP_HEADROOM, 8 + n);
        if (!f) {
            err = -ATOLL_ENOMEM;
            break;
        }
        uint8_t *p = atoll_buf_put(f, 8 + n);
        p[0] = next, p[1] = 0;
        net_put16(p + 2, (uint16_t)(off | more));
        net_put32(p + 4, id);
        memcpy(p + 8, b->data + off, n);
        h->next = NET_IP6_FRAGMENT;
        h->payload_len = (uint16_t)(8 + n);
        net_ipv6_write(atoll_buf_push(f, NET_IP6_HLEN), h);
        err = link_out(s, &h->dst, nh, f);
    }
    atoll_buf_free(b);
    return err;
}

const atoll_ipv6_t *net_ipv6_source(const struct atoll_stack *s,
                                    const atoll_ipv6_t *dst)
{
    return s->v6 ? source_for(s, dst) : NULL;
}

bool net_ipv6_routes(const struct atoll_stack *s, const atoll_ipv6_t *dst)
{
    if (!s->v6 || net_ipv6_is_multicast(dst) || net_ipv6_is_unspecified(dst))
        return false;
    const atoll_ipv6_t *src = source_for(s, dst);
    /* A global destination needs a global source: from a link-local one
     * its answer could not come back. */
    if (!src || (net_ipv6_is_link_local(src) && !net_ipv6_is_link_local(dst)))
        return false;
    return next_hop(s, dst) != NULL;
}

int net_ipv6_output(struct atoll_stack *s, const atoll_ipv6_t *src,
                    const atoll_ipv6_t *dst, uint8_t proto, uint8_t hop_limit,
                    struct atoll_buf *b)
{
    int err = -ATOLL_EHOSTUNREACH;
    if (!s->v6)
        goto fail;
    if (!src)
        src = source_for(s, dst);
    const atoll_ipv6_t *nh =
        net_ipv6_is_multicast(dst) ? dst : next_hop(s, dst);
    if (!src || !nh || net_ipv6_is_unspecified(dst))
        goto fail;
    err = -ATOLL_EMSGSIZE;
    if (b->len > 65535)
        goto fail;
    struct net_ipv6_hdr h = {
        .payload_len = (uint16_t)b->len,
        .next = proto,
        .hop_limit = hop_limit ? hop_limit : s->v6->hop_limit,
        .src = *src,
        .dst = *dst,
    };
    /* An offload frame (TCP's gso_size, ATOLL_NETIF_TSO6) is cut into
     * segments that fit by the interface, never fragmented. */
    uint16_t mtu = net_ipv6_path_mtu(s, dst);
    if (b->len + NET_IP6_HLEN > mtu && !b->gso_size)
        return fragment(s, &h, nh, mtu, b);
    err = -ATOLL_EINVAL;
    uint8_t *p = atoll_buf_push(b, NET_IP6_HLEN);
    if (!p)
        goto fail;
    net_ipv6_write(p, &h);
    return link_out(s, dst, nh, b);
fail:
    atoll_buf_free(b);
    return err;
}

/* ---- configuration
 * ------------------------------------------------------------
 */

/* A static address: global or unique-local unicast, prefix 1..128. */
static bool static_addr_ok(const atoll_ipv6_t *a, uint8_t prefix)
{
    static const atoll_ipv6_t loopback = {{[15] = 1}};
    return prefix >= 1 && prefix <= 128 && !net_ipv6_is_unspecified(a) &&
           !net_ipv6_is_multicast(a) && !net_ipv6_is_link_local(a) &&
           memcmp(a, &loopback, sizeof loopback);
}

/* A gateway: none, or link-local, or on-link for one of the addresses. */
static bool gateway_ok(const atoll_ipv6_t *g,
                       const struct atoll_ipv6_addr_info *addrs, int n)
{
    if (net_ipv6_is_unspecified(g) || net_ipv6_is_link_local(g))
        return true;
    if (net_ipv6_is_multicast(g))
        return false;
    bool on_link = false;
    for (int i = 0; i < n; i++) {
        if (!memcmp(g, &addrs[i].addr, sizeof *g))
            return false;
        on_link |= net_ipv6_same_prefix(g, &addrs[i].addr, addrs[i].prefix);
    }
    return on_link;
}

int net_ipv6_configure(struct atoll_stack *s,
                       const struct atoll_ipv6_addr_info *addrs, int n,
                       const atoll_ipv6_t *gateway)
{
    static const atoll_ipv6_t none = {{0}};
    if (!gateway)
        gateway = &none;
    /* Room for the link-local address beside the static ones. */
    if (!s || n < 0 || n > NET_IPV6_ADDRS_MAX - 1 || (n && !addrs))
        return -ATOLL_EINVAL;
    for (int i = 0; i < n; i++)
        if (!static_addr_ok(&addrs[i].addr, addrs[i].prefix))
            return -ATOLL_EINVAL;
    if (n && !gateway_ok(gateway, addrs, n))
        return -ATOLL_EINVAL;
    if (s->info.mtu < 1280)
        return -ATOLL_EINVAL; /* RFC 8200 5: the IPv6 minimum link MTU */
    if (!s->v6) {
        s->v6 = atoll_calloc(1, sizeof *s->v6);
        if (!s->v6)
            return -ATOLL_ENOMEM;
        s->v6->mtu = s->info.mtu;
        s->v6->hop_limit = NET_IPV6_HOP_LIMIT;
        s->v6->reachable_ns = NET_ND_REACHABLE_NS;
        s->v6->retrans_ns = NET_ND_RETRANS_NS;
        atoll_random_fill(atoll_random_platform(), &s->v6->frag_id,
                          sizeof s->v6->frag_id, ATOLL_NEVER);
        atoll_ipv6_t ll;
        net_ipv6_link_local(s->info.mac, &ll);
        net_nd_addr_add(s, &ll, 64, ATOLL_IPV6_LINK_LOCAL, ATOLL_NEVER);
    }
    struct net6 *v = s->v6;
    /* A new configuration replaces what the old one (or SLAAC) gave. */
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++)
        if (v->addrs[i].origin != ATOLL_IPV6_LINK_LOCAL)
            v->addrs[i].used = false;
    v->has_router = false;
    v->slaac = n == 0;
    for (int i = 0; i < n; i++)
        net_nd_addr_add(s, &addrs[i].addr, addrs[i].prefix, ATOLL_IPV6_STATIC,
                        ATOLL_NEVER);
    if (n && !net_ipv6_is_unspecified(gateway)) {
        v->router = *gateway;
        v->has_router = true;
        v->router_until = ATOLL_NEVER;
    }
    net_nd_start(s);
    char a[ATOLL_IPV6_TEXT];
    ATOLL_INFO(&net_log, "%s: ipv6 %s%s%s%s", s->name,
               v->slaac ? "by SLAAC" : atoll_ipv6_format(&addrs[0].addr, a),
               n > 1 ? " and more" : "", v->has_router ? " via " : "",
               v->has_router ? atoll_ipv6_format(&v->router, a) : "");
    return 0;
}

int atoll_stack_ipv6_enable(struct atoll_stack *s,
                            const struct atoll_ipv6_config *c)
{
    if (!c || !c->prefix)
        return net_ipv6_configure(s, NULL, 0, NULL);
    struct atoll_ipv6_addr_info a = {c->addr, c->prefix, 0, 0};
    return net_ipv6_configure(s, &a, 1, &c->gateway);
}

int atoll_stack_ipv6_addrs(const struct atoll_stack *s,
                           struct atoll_ipv6_addr_info *out, int max)
{
    int n = 0;
    if (!s->v6)
        return 0;
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        const struct net6_addr *x = &s->v6->addrs[i];
        if (!x->used)
            continue;
        if (n < max)
            out[n] = (struct atoll_ipv6_addr_info){x->a, x->prefix, x->state,
                                                   x->origin};
        n++;
    }
    return n;
}

int atoll_stack_ipv6_settle(const struct atoll_stack *s, atoll_time_t deadline)
{
    /* DAD runs from the receive fiber's timers and announces nothing: a
     * short poll is the simple way to wait for it, once, at start. */
    for (;;) {
        bool tentative = false;
        for (int i = 0; s->v6 && i < NET_IPV6_ADDRS_MAX; i++)
            tentative |= s->v6->addrs[i].used &&
                         s->v6->addrs[i].state == ATOLL_IPV6_TENTATIVE;
        if (!tentative)
            return 0;
        if (atoll_now() >= deadline)
            return -ATOLL_ETIMEDOUT;
        atoll_time_t next = atoll_after(ATOLL_MS(50));
        atoll_sleep_until(next < deadline ? next : deadline);
    }
}

int atoll_stack_ipv6_router(const struct atoll_stack *s, atoll_ipv6_t *router,
                            uint16_t *mtu)
{
    if (mtu)
        *mtu = s->v6 ? s->v6->mtu : 0;
    if (!s->v6 || !s->v6->has_router)
        return -ATOLL_ENOENT;
    if (router)
        *router = s->v6->router;
    return 0;
}

atoll_time_t net_ipv6_timers(struct atoll_stack *s, atoll_time_t now)
{
    return s->v6 ? net_nd_timers(s, now) : ATOLL_NEVER;
}

void net_ipv6_fini(struct atoll_stack *s)
{
    if (!s->v6)
        return;
    net_nd_fini(s);
    atoll_free(s->v6);
    s->v6 = NULL;
}

/* ---- text (RFC 4291 2.2, RFC 5952) ------------------------------------------
 */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int atoll_ipv6_parse(const char *text, atoll_ipv6_t *addr, uint8_t *prefix)
{
    if (!text || !addr)
        return -ATOLL_EINVAL;
    uint16_t g[8];
    int n = 0, gap = -1; /* groups read; where "::" was */
    const char *p = text;
    if (p[0] == ':') {
        if (p[1] != ':')
            return -ATOLL_EINVAL;
        gap = 0;
        p += 2;
    }
    while (*p && *p != '/') {
        unsigned v = 0;
        int digits = 0, d;
        while ((d = hexval(*p)) >= 0) {
            if (++digits > 4)
                return -ATOLL_EINVAL;
            v = v << 4 | (unsigned)d;
            p++;
        }
        if (!digits || n == 8)
            return -ATOLL_EINVAL;
        g[n++] = (uint16_t)v;
        if (*p == ':') {
            p++;
            if (*p == ':') {
                if (gap >= 0)
                    return -ATOLL_EINVAL; /* one "::" at most */
                gap = n;
                p++;
            } else if (!*p || *p == '/') {
                return -ATOLL_EINVAL; /* a trailing single ':' */
            }
        } else if (*p && *p != '/') {
            return -ATOLL_EINVAL;
        }
    }
    if ((gap < 0 && n != 8) || (gap >= 0 && n > 7))
        return -ATOLL_EINVAL;
    unsigned len = 128;
    if (*p == '/') {
        if (!prefix || !p[1])
            return -ATOLL_EINVAL;
        len = 0;
        for (p++; *p; p++) {
            if (*p < '0' || *p > '9' || len > 128)
                return -ATOLL_EINVAL;
            len = len * 10 + (unsigned)(*p - '0');
        }
        if (len > 128)
            return -ATOLL_EINVAL;
    }
    uint16_t full[8] = {0};
    int tail = gap < 0 ? 0 : n - gap;
    for (int i = 0; i < n - tail; i++)
        full[i] = g[i];
    for (int i = 0; i < tail; i++)
        full[8 - tail + i] = g[n - tail + i];
    for (int i = 0; i < 8; i++)
        net_put16(addr->b + 2 * i, full[i]);
    if (prefix)
        *prefix = (uint8_t)len;
    return 0;
}

char *atoll_ipv6_format(const atoll_ipv6_t *a, char *buf)
{
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = net_get16(a->b + 2 * i);
    int best = -1, best_len = 1; /* a single 0 group is not shortened */
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len)
            best = i, best_len = j - i;
        i = j > i ? j : i + 1;
    }
    char *o = buf;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            *o++ = ':';
            if (i == 0)
                *o++ = ':';
            i += best_len - 1;
            continue;
        }
        o += snprintf(o, 6, "%x", g[i]);
        if (i < 7)
            *o++ = ':';
    }
    *o = 0;
    return buf;
}
