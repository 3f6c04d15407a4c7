/*
 * lib/net/dns_server.c - the authoritative answerer: one query in, one
 * response out, from a zone built by dns_zone.c (atoll_dns_answer in
 * atoll/dns.h).  It does no I/O: examples/dns-server moves the bytes over
 * UDP and TCP, and tests call it directly.
 *
 * RFC 1034 4.3.2 reduced to one zone without delegations: a name in the
 * zone with records of the type asked is an answer; a CNAME there is
 * followed inside the zone (at most 8 links); a name that exists without
 * such records is NODATA (NOERROR, no answer); a name that does not exist
 * is NXDOMAIN; both negative answers carry the SOA in the authority
 * section (RFC 2308, TTL the smaller of the SOA's TTL and MINIMUM).
 * Names outside the zone are REFUSED.
 *
 * Owner names are compressed against the question when they are it or a
 * suffix of it (the common case: every answer, the SOA), which keeps the
 * code small and the answers close to what other servers send.
 */
#include <string.h>

#include "atoll/error.h"
#include "dns_int.h"
#include "wire.h"

#define CHAIN_MAX 8

struct writer {
    uint8_t *p;
    size_t len, limit;
    bool full;
    const char *qname; /* lower case */
    size_t qlen;
};

/* `owner` as a pointer into the question when it is the question name or
 * a suffix of it at a label boundary; else in full. */
static void put_owner(struct writer *w, const char *owner)
{
    size_t ol = strlen(owner);
    if (ol <= w->qlen && !strcmp(w->qname + (w->qlen - ol), owner) &&
        (ol == w->qlen || w->qname[w->qlen - ol - 1] == '.') &&
        (ol > 0 || w->qlen == 0)) {
        if (w->len + 2 > w->limit) {
            w->full = true;
            return;
        }
        net_put16(w->p + w->len, (uint16_t)(0xc000 | (12 + w->qlen - ol)));
        w->len += 2;
        return;
    }
    int n = atoll_dns_name_write(w->p + w->len, w->limit - w->len, owner);
    if (n < 0) {
        w->full = true;
        return;
    }
    w->len += (size_t)n;
}

static void put_rr(struct writer *w, const struct zone_rr *r, uint32_t ttl)
{
    if (w->full)
        return;
    put_owner(w, r->owner);
    if (w->full || w->len + 10 + r->rdlen > w->limit) {
        w->full = true;
        return;
    }
    uint8_t *p = w->p + w->len;
    net_put16(p, r->type);
    net_put16(p + 2, ATOLL_DNS_CLASS_IN);
    net_put16(p + 4, (uint16_t)(ttl >> 16));
    net_put16(p + 6, (uint16_t)ttl);
    net_put16(p + 8, r->rdlen);
    memcpy(p + 10, r->rdata, r->rdlen);
    w->len += 10 + (size_t)r->rdlen;
}

static uint32_t soa_negative_ttl(const struct zone_rr *soa)
{
    const uint8_t *m = soa->rdata + soa->rdlen - 4;
    uint32_t min = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
                   (uint32_t)m[2] << 8 | m[3];
    return min < soa->ttl ? min : soa->ttl;
}

/* Is `name` the origin or below it? */
static bool in_zone(const struct atoll_dns_zone *z, const char *name,
                    size_t len)
{
    size_t ol = strlen(z->origin);
    if (ol == 0)
        return true;
    return (len == ol && !memcmp(name, z->origin, ol)) ||
           (len > ol && name[len - ol - 1] == '.' &&
            !memcmp(name + len - ol, z->origin, ol));
}

/* The name a CNAME record points to, as text. */
static bool cname_target(const struct zone_rr *r,
                         char out[ATOLL_DNS_NAME_MAX + 1])
{
    size_t off = 0;
    return atoll_dns_name_read(r->rdata, r->rdlen, &off, out) == 0;
}

int atoll_dns_answer(const struct atoll_dns_zone *z, const uint8_t *q,
                     size_t qlen, uint8_t *out, size_t cap, bool tcp)
{
    struct atoll_dns_header h;
    if (atoll_dns_header_read(q, qlen, &h) < 0 || (h.flags & ATOLL_DNS_QR))
        return 0; /* never answer a response: no loops between servers */
    if (cap < 512)
        return -ATOLL_EMSGSIZE;
    uint16_t rcode = ATOLL_DNS_RCODE_NOERROR;
    char qname[ATOLL_DNS_NAME_MAX + 1];
    uint16_t qtype = 0, qclass = 0;
    size_t off = 12, qend = 12;
    bool have_q = false, edns = false;
    size_t limit = tcp ? (cap < 65535 ? cap : 65535) : 512;
    if (((h.flags >> 11) & 15) != 0) {
        rcode = ATOLL_DNS_RCODE_NOTIMP;
    } else if (h.qdcount != 1 || atoll_dns_question_read(q, qlen, &off, qname,
                                                         &qtype, &qclass) < 0) {
        rcode = ATOLL_DNS_RCODE_FORMERR;
    } else {
        have_q = true;
        qend = off;
        /* EDNS0 (RFC 6891): skip answer/authority, look for one OPT. */
        struct atoll_dns_rr rr;
        unsigned skip = (unsigned)h.ancount + h.nscount;
        for (unsigned i = 0; i < skip + h.arcount && rcode == 0; i++) {
            if (atoll_dns_rr_read(q, qlen, &off, &rr) < 0) {
                rcode = ATOLL_DNS_RCODE_FORMERR;
            } else if (i >= skip && rr.type == ATOLL_DNS_TYPE_OPT) {
                if (edns || rr.name[0])
                    rcode = ATOLL_DNS_RCODE_FORMERR;
                edns = true;
                if (!tcp && rr.cls > 512)
                    limit = rr.cls < 4096 ? rr.cls : 4096;
                /* The TTL field holds extended RCODE, VERSION, DO and Z;
                 * we implement version 0 only (RFC 6891 6.1.3). */
                if (((rr.ttl >> 16) & 0xff) != 0)
                    rcode = ATOLL_DNS_RCODE_BADVERS;
            }
        }
        if (limit > cap)
            limit = cap;
    }

    struct writer w = {
        out, 12, limit, false, have_q ? qname : "", have_q ? strlen(qname) : 0};
    uint16_t flags = ATOLL_DNS_QR | (h.flags & ATOLL_DNS_RD);
    uint16_t counts[3] = {0, 0, 0};
    size_t reserve = edns ? 11 : 0; /* our OPT record at the end */
    if (have_q) {
        /* The question as asked, case included (some clients check it);
         * re-encoded when it used compression. */
        size_t raw = qend - 12;
        bool plain = raw == (qname[0] ? strlen(qname) + 2 : 1) + 4;
        if (plain) {
            memcpy(out + 12, q + 12, raw);
            w.len += raw;
        } else {
            int n = atoll_dns_name_write(out + 12, cap - 16, qname);
            if (n < 0)
                return 0;
            net_put16(out + 12 + n, qtype);
            net_put16(out + 14 + n, qclass);
            w.len += (size_t)n + 4;
        }
        w.limit -= reserve;
    }
    size_t after_q = w.len;

    if (have_q && rcode == 0) {
        size_t nl = strlen(qname);
        const struct zone_rr *soa = &z->rrs[z->soa];
        if (qclass != ATOLL_DNS_CLASS_IN && qclass != 255) {
            rcode = ATOLL_DNS_RCODE_REFUSED;
        } else if (!in_zone(z, qname, nl)) {
            rcode = ATOLL_DNS_RCODE_REFUSED;
        } else {
            flags |= ATOLL_DNS_AA;
            char cur[ATOLL_DNS_NAME_MAX + 1];
            memcpy(cur, qname, nl + 1);
            size_t cl = nl;
            bool negative = false;
            for (int link = 0; link <= CHAIN_MAX; link++) {
                const struct zone_name *e = dns_zone_lookup(z, cur, cl);
                if (!e) {
                    if (link == 0)
                        rcode = ATOLL_DNS_RCODE_NXDOMAIN;
                    negative = true;
                    break;
                }
                const struct zone_rr *cname = NULL;
                int found = 0;
                for (size_t i = e->first; i < e->first + e->count; i++) {
                    const struct zone_rr *r = &z->rrs[i];
                    if (r->type == qtype || qtype == ATOLL_DNS_TYPE_ANY) {
                        put_rr(&w, r, r->ttl);
                        found++;
                    } else if (r->type == ATOLL_DNS_TYPE_CNAME) {
                        cname = r;
                    }
                }
                counts[0] = (uint16_t)(counts[0] + found);
                if (found || !cname) {
                    negative = !found;
                    break;
                }
                put_rr(&w, cname, cname->ttl);
                counts[0]++;
                if (!cname_target(cname, cur))
                    break;
                cl = strlen(cur);
                if (!in_zone(z, cur, cl))
                    break; /* the client resolves the rest itself */
            }
            if (negative && counts[0] == 0) {
                put_rr(&w, soa, soa_negative_ttl(soa));
                counts[1] = 1;
            }
        }
    }
    if (w.full) {
        /* Does not fit: header and question only, TC set (RFC 2181 9);
         * the client asks again over TCP. */
        flags |= ATOLL_DNS_TC;
        w.len = after_q;
        counts[0] = counts[1] = counts[2] = 0;
    }
    if (edns && have_q) {
        uint8_t *p = out + w.len;
        p[0] = 0;
        net_put16(p + 1, ATOLL_DNS_TYPE_OPT);
        net_put16(p + 3, 1232); /* what we accept */
        /* TTL: the upper 8 bits of the RCODE, version 0, no flags. */
        net_put16(p + 5, (uint16_t)((rcode >> 4) << 8));
        net_put16(p + 7, 0);
        net_put16(p + 9, 0);
        w.len += 11;
        counts[2]++;
    }
    net_put16(out, h.id);
    net_put16(out + 2, (uint16_t)(flags | (rcode & 15)));
    net_put16(out + 4, have_q ? 1 : 0);
    net_put16(out + 6, counts[0]);
    net_put16(out + 8, counts[1]);
    net_put16(out + 10, counts[2]);
    return (int)w.len;
}
