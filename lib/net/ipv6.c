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
 * RFC 5095 anyway).  Fragments other than atomic ones are dropped and
 * counted until reassembly exists.  Every drop is counted in ip6_drop.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "ipv6_int.h"
#include "stack_impl.h"

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
        if (i + 2 > end || i + 2 + p[i + 1] > end)
            return -ATOLL_EBADMSG; /* an option past its header */
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
                return -ATOLL_ENOTSUP; /* discard silently */
            case 2:
                c->send_error = true;
                c->pp_code = 2, c->pp_ptr = (uint32_t)i;
                return -ATOLL_ENOTSUP;
            case 3:
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
    if (len < NET_IP6_HLEN)
        return -ATOLL_EBADMSG;
    uint8_t next = p[6];
    size_t off = NET_IP6_HLEN, next_at = 6; /* where `next` was read */
    for (int n = 0;; n++) {
        if (n > NET_IPV6_EXT_MAX)
            return -ATOLL_EBADMSG;
        size_t hl;
        switch (next) {
        case NET_IP6_HOPOPTS:
            if (off != NET_IP6_HLEN) { /* only right after the header */
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

void net_ipv6_input(struct atoll_stack *s, struct atoll_buf *b)
{
    struct net_ipv6_hdr h;
    struct net_ipv6_chain c;
    if (!s->v6 || net_ipv6_parse(b->data, b->len, &h) < 0)
        goto drop;
    atoll_buf_trim(b, NET_IP6_HLEN + (size_t)h.payload_len);
    if (net_ipv6_is_multicast(&h.src))
        goto drop; /* RFC 4291 2.7: never a source */
    if (!net_ipv6_is_ours(s, &h.dst, true) && !net_ipv6_is_our_group(s, &h.dst))
        goto drop; /* not ours: a host does not forward */
    if (net_ipv6_is_ours(s, &h.src, false) && !net_ipv6_is_unspecified(&h.src))
        goto drop; /* our own packet looped back */
    int r = net_ipv6_walk(b->data, b->len, &c);
    if (r == -ATOLL_ENOTSUP && c.send_error)
        net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, c.pp_code, c.pp_ptr,
                             b->data, b->len);
    if (r < 0)
        goto drop;
    if (c.fragment) {
        s->stats.ip6_frag_drop++; /* no reassembly yet (docs/net.md) */
        atoll_buf_free(b);
        return;
    }
    switch (c.proto) {
    case NET_IP6_ICMPV6:
        atoll_buf_pull(b, c.off);
        net_icmp6_input(s, b, &h);
        return;
    case NET_IP6_NONE:
        atoll_buf_free(b); /* nothing follows: legal, and nothing to do */
        return;
    }
    /* UDP and TCP over IPv6 are not there yet, nor anything else: an
     * unrecognized next header (RFC 8200 4, RFC 4443 3.4 code 1). */
    net_icmp6_send_error(s, NET_ICMP6_PARAM_PROB, 1, c.pp_ptr, b->data, b->len);
drop:
    s->stats.ip6_drop++;
    atoll_buf_free(b);
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
    if (b->len + NET_IP6_HLEN > s->v6->mtu)
        goto fail; /* no fragmentation on send yet */
    err = -ATOLL_EINVAL;
    uint8_t *p = atoll_buf_push(b, NET_IP6_HLEN);
    if (!p)
        goto fail;
    struct net_ipv6_hdr h = {
        .payload_len = (uint16_t)(b->len - NET_IP6_HLEN),
        .next = proto,
        .hop_limit = hop_limit ? hop_limit : s->v6->hop_limit,
        .src = *src,
        .dst = *dst,
    };
    net_ipv6_write(p, &h);
    if (net_ipv6_is_multicast(dst)) {
        uint8_t mac[6];
        net_ipv6_multicast_mac(dst, mac);
        return net_eth_output(s, mac, NET_ETHTYPE_IPV6, b);
    }
    return net_nd_output(s, nh, b);
fail:
    atoll_buf_free(b);
    return err;
}

/* ---- configuration
 * ------------------------------------------------------------
 */

static bool static_ok(const struct atoll_ipv6_config *c)
{
    static const atoll_ipv6_t loopback = {{[15] = 1}};
    if (c->prefix > 128 || net_ipv6_is_unspecified(&c->addr) ||
        net_ipv6_is_multicast(&c->addr) || net_ipv6_is_link_local(&c->addr) ||
        !memcmp(&c->addr, &loopback, sizeof loopback))
        return false;
    const atoll_ipv6_t *g = &c->gateway;
    if (net_ipv6_is_unspecified(g))
        return true;
    if (net_ipv6_is_multicast(g) || !memcmp(g, &c->addr, sizeof *g))
        return false;
    return net_ipv6_is_link_local(g) ||
           net_ipv6_same_prefix(g, &c->addr, c->prefix);
}

int atoll_stack_ipv6_enable(struct atoll_stack *s,
                            const struct atoll_ipv6_config *c)
{
    if (!s || (c && c->prefix && !static_ok(c)))
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
    v->slaac = !c || !c->prefix;
    if (!v->slaac) {
        net_nd_addr_add(s, &c->addr, c->prefix, ATOLL_IPV6_STATIC, ATOLL_NEVER);
        if (!net_ipv6_is_unspecified(&c->gateway)) {
            v->router = c->gateway;
            v->has_router = true;
            v->router_until = ATOLL_NEVER;
        }
    }
    net_nd_start(s);
    char a[ATOLL_IPV6_TEXT];
    ATOLL_INFO(&net_log, "%s: ipv6 %s%s%s", s->name,
               v->slaac ? "by SLAAC" : atoll_ipv6_format(&c->addr, a),
               v->has_router ? " via " : "",
               v->has_router ? atoll_ipv6_format(&v->router, a) : "");
    return 0;
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
