/*
 * lib/fw/rules.c - using a parsed rule set (atoll/fw.h): matching a packet
 * against the filter rules, and writing the set back out in canonical
 * form (what the management interface shows and the fuzz target
 * round-trips), plus the 16-byte address helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atoll/fw.h"
#include "atoll/ipv6.h"

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void atoll_fw_addr4(uint8_t out[16], atoll_ipv4_t a)
{
    memcpy(out, v4_mapped, 12);
    out[12] = (uint8_t)(a >> 24);
    out[13] = (uint8_t)(a >> 16);
    out[14] = (uint8_t)(a >> 8);
    out[15] = (uint8_t)a;
}

bool atoll_fw_addr_is4(const uint8_t a[16])
{
    return memcmp(a, v4_mapped, 12) == 0;
}

atoll_ipv4_t atoll_fw_addr_v4(const uint8_t a[16])
{
    return (atoll_ipv4_t)a[12] << 24 | (atoll_ipv4_t)a[13] << 16 |
           (atoll_ipv4_t)a[14] << 8 | a[15];
}

bool atoll_fw_prefix_has(const struct atoll_fw_prefix *p, const uint8_t a[16])
{
    if (p->v6 && atoll_fw_addr_is4(a))
        return false; /* ::/0 is every IPv6 address, not every address */
    unsigned bits = p->len, k = 0;
    for (; bits >= 8; bits -= 8, k++)
        if (p->addr[k] != a[k])
            return false;
    if (bits == 0)
        return true;
    uint8_t m = (uint8_t)(0xff << (8 - bits));
    return ((p->addr[k] ^ a[k]) & m) == 0;
}

static bool ports_have(const struct atoll_fw_ports *r, uint16_t p)
{
    return p >= r->lo && p <= r->hi;
}

static bool rule_matches(const struct atoll_fw_rule *r,
                         const struct atoll_fw_pkt *p)
{
    if (r->in_if != ATOLL_FW_ANY_IF && r->in_if != p->in_if)
        return false;
    if (r->out_if != ATOLL_FW_ANY_IF && r->out_if != p->out_if)
        return false;
    if (r->proto >= 0 && r->proto != p->proto)
        return false;
    if (r->states && !(r->states & p->state))
        return false;
    if (!atoll_fw_prefix_has(&r->src, p->src) ||
        !atoll_fw_prefix_has(&r->dst, p->dst))
        return false;
    /* A port range was only allowed with proto tcp or udp, so p's ports
     * are real ones here. */
    return ports_have(&r->sport, p->sport) && ports_have(&r->dport, p->dport);
}

struct atoll_fw_rule *atoll_fw_rules_match(struct atoll_fw_rules *rs,
                                           const struct atoll_fw_pkt *p)
{
    for (int k = 0; k < rs->n_rules; k++) {
        struct atoll_fw_rule *r = &rs->rules[k];
        if (rule_matches(r, p)) {
            r->packets++;
            r->bytes += p->len;
            return r;
        }
    }
    return NULL;
}

/* ---- canonical text ------------------------------------------------------ */

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void put_prefix(struct out *o, const struct atoll_fw_prefix *p,
                       bool as_prefix)
{
    if (as_prefix && p->len == 0 && !p->v6) {
        put(o, " any");
        return;
    }
    char b[ATOLL_IPV6_TEXT];
    unsigned len = p->len;
    if (p->v6) {
        atoll_ipv6_t a;
        memcpy(a.b, p->addr, 16);
        atoll_ipv6_format(&a, b);
    } else {
        atoll_ipv4_format(atoll_fw_addr_v4(p->addr), b);
        len -= 96;
    }
    if (as_prefix && p->len != 128)
        put(o, " %s/%u", b, len);
    else
        put(o, " %s", b);
}

static void put_ports(struct out *o, const struct atoll_fw_ports *p)
{
    if (p->lo == p->hi)
        put(o, " port %u", p->lo);
    else
        put(o, " port %u-%u", p->lo, p->hi);
}

static bool ports_any(const struct atoll_fw_ports *p)
{
    return p->lo == 0 && p->hi == 65535;
}

static void put_proto(struct out *o, int proto)
{
    if (proto == 6)
        put(o, " proto tcp");
    else if (proto == 17)
        put(o, " proto udp");
    else if (proto == 1)
        put(o, " proto icmp");
    else if (proto == 58)
        put(o, " proto icmpv6");
    else
        put(o, " proto %d", proto);
}

static void put_rule(struct out *o, const struct atoll_fw_rule *r,
                     const char *const *ifn)
{
    static const char *const verbs[] = {"accept", "drop", "reject"};
    static const char *const hows[] = {"tcp-reset", "icmp-net", "icmp-host",
                                       "icmp-port", "icmp-admin"};
    static const char *const states[] = {"new", "established", "related",
                                         "invalid"};
    put(o, "%s", verbs[r->action]);
    if (r->action == ATOLL_FW_REJECT)
        put(o, " with %s", hows[r->reject_with]);
    if (r->in_if != ATOLL_FW_ANY_IF)
        put(o, " in %s", ifn[r->in_if]);
    if (r->out_if != ATOLL_FW_ANY_IF)
        put(o, " out %s", ifn[r->out_if]);
    /* proto first: the ports after from/to need it. */
    if (r->proto >= 0)
        put_proto(o, r->proto);
    if (r->src.len || r->src.v6 || !ports_any(&r->sport)) {
        put(o, " from");
        put_prefix(o, &r->src, true);
        if (!ports_any(&r->sport))
            put_ports(o, &r->sport);
    }
    if (r->dst.len || r->dst.v6 || !ports_any(&r->dport)) {
        put(o, " to");
        put_prefix(o, &r->dst, true);
        if (!ports_any(&r->dport))
            put_ports(o, &r->dport);
    }
    if (r->states) {
        put(o, " state");
        const char *sep = " ";
        for (int k = 0; k < 4; k++) {
            if (r->states & (1u << k)) {
                put(o, "%s%s", sep, states[k]);
                sep = ",";
            }
        }
    }
    put(o, "\n");
}

int atoll_fw_rules_format(const struct atoll_fw_rules *r,
                          const char *const *ifn, char *buf, size_t len)
{
    struct out o = {buf, len, 0};
    put(&o, "policy %s\n", r->policy == ATOLL_FW_ACCEPT ? "accept" : "drop");
    for (int k = 0; k < r->n_rules; k++)
        put_rule(&o, &r->rules[k], ifn);
    for (int k = 0; k < r->n_masq; k++) {
        const struct atoll_fw_masq *m = &r->masq[k];
        put(&o, "masquerade out %s", ifn[m->out_if]);
        if (m->src.len) {
            put(&o, " from");
            put_prefix(&o, &m->src, true);
        }
        put(&o, "\n");
    }
    for (int k = 0; k < r->n_forward; k++) {
        const struct atoll_fw_forward *f = &r->forward[k];
        put(&o, "forward in %s", ifn[f->in_if]);
        put_proto(&o, f->proto);
        put_ports(&o, &f->ports);
        put(&o, " to");
        struct atoll_fw_prefix to;
        memset(&to, 0, sizeof to); /* an IPv4 address: v6 0 */
        memcpy(to.addr, f->to, 16);
        to.len = 128;
        put_prefix(&o, &to, false);
        if (f->to_port)
            put(&o, " port %u", f->to_port);
        put(&o, "\n");
    }
    if (len)
        buf[o.len < len ? o.len : len - 1] = 0;
    return (int)o.len;
}
