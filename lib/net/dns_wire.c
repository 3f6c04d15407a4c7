/*
 * lib/net/dns_wire.c - the DNS message codec (RFC 1035 section 4): names
 * with compression, header, question, resource records, query building,
 * and the check of a response against its question that the resolver
 * relies on.
 *
 * Everything here reads bytes from the network, so every read is bounds
 * checked and nothing allocates.  Compression pointers are accepted only
 * when they point strictly before the label that holds them: a chain of
 * such pointers always moves backwards, so it cannot loop, and
 * ATOLL_DNS_PTR_MAX bounds the work on top.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/dns.h"
#include "atoll/error.h"
#include "wire.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int atoll_dns_name_read(const uint8_t *msg, size_t len, size_t *off,
                        char out[ATOLL_DNS_NAME_MAX + 1])
{
    size_t pos = *off, end = 0, olen = 0, wire = 0;
    int ptrs = 0;
    bool jumped = false;
    for (;;) {
        if (pos >= len)
            return -ATOLL_EBADMSG;
        uint8_t l = msg[pos];
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= len || ++ptrs > ATOLL_DNS_PTR_MAX)
                return -ATOLL_EBADMSG;
            size_t to = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
            if (to >= pos)
                return -ATOLL_EBADMSG; /* forwards or to itself: a loop */
            if (!jumped)
                end = pos + 2;
            jumped = true;
            pos = to;
            continue;
        }
        if (l & 0xc0)
            return -ATOLL_EBADMSG; /* 0x40/0x80: reserved label types */
        if (l == 0) {
            if (!jumped)
                end = pos + 1;
            break;
        }
        if (pos + 1 + l > len)
            return -ATOLL_EBADMSG;
        wire += 1u + l;
        if (wire + 1 > 255)
            return -ATOLL_EBADMSG;
        if (olen)
            out[olen++] = '.';
        for (size_t i = 0; i < l; i++) {
            char c = (char)msg[pos + 1 + i];
            /* Dots and non-printables inside a label would make the text
             * form ambiguous: refuse them rather than escape them. */
            if (c == '.' || (unsigned char)c <= ' ' || (unsigned char)c >= 127)
                return -ATOLL_EBADMSG;
            out[olen++] = lower(c);
        }
        pos += 1u + l;
    }
    out[olen] = 0;
    *off = end;
    return 0;
}

int atoll_dns_name_write(uint8_t *p, size_t cap, const char *name)
{
    size_t n = strlen(name);
    if (n && name[n - 1] == '.')
        n--;
    size_t w = 0;
    if (n == 0) {
        if (cap < 1)
            return -ATOLL_EMSGSIZE;
        p[0] = 0;
        return 1;
    }
    size_t start = 0;
    while (start <= n) {
        size_t e = start;
        while (e < n && name[e] != '.')
            e++;
        size_t l = e - start;
        if (l == 0 || l > 63)
            return -ATOLL_EINVAL;
        if (w + 1 + l + 1 > 255)
            return -ATOLL_EINVAL;
        if (w + 1 + l + 1 > cap)
            return -ATOLL_EMSGSIZE;
        p[w++] = (uint8_t)l;
        for (size_t i = 0; i < l; i++)
            p[w++] = (uint8_t)lower(name[start + i]);
        start = e + 1;
    }
    p[w++] = 0;
    return (int)w;
}

int atoll_dns_header_read(const uint8_t *msg, size_t len,
                          struct atoll_dns_header *h)
{
    if (len < 12)
        return -ATOLL_EBADMSG;
    h->id = net_get16(msg);
    h->flags = net_get16(msg + 2);
    h->qdcount = net_get16(msg + 4);
    h->ancount = net_get16(msg + 6);
    h->nscount = net_get16(msg + 8);
    h->arcount = net_get16(msg + 10);
    return 0;
}

int atoll_dns_question_read(const uint8_t *msg, size_t len, size_t *off,
                            char name[ATOLL_DNS_NAME_MAX + 1], uint16_t *type,
                            uint16_t *cls)
{
    size_t o = *off;
    if (atoll_dns_name_read(msg, len, &o, name) < 0 || o + 4 > len)
        return -ATOLL_EBADMSG;
    *type = net_get16(msg + o);
    *cls = net_get16(msg + o + 2);
    *off = o + 4;
    return 0;
}

int atoll_dns_rr_read(const uint8_t *msg, size_t len, size_t *off,
                      struct atoll_dns_rr *rr)
{
    size_t o = *off;
    if (atoll_dns_name_read(msg, len, &o, rr->name) < 0 || o + 10 > len)
        return -ATOLL_EBADMSG;
    rr->type = net_get16(msg + o);
    rr->cls = net_get16(msg + o + 2);
    rr->ttl = net_get32(msg + o + 4);
    rr->rdlen = net_get16(msg + o + 8);
    rr->rdata = o + 10;
    if (rr->rdata + rr->rdlen > len)
        return -ATOLL_EBADMSG;
    *off = rr->rdata + rr->rdlen;
    return 0;
}

int atoll_dns_query_build(uint8_t *p, size_t cap, uint16_t id, const char *name,
                          uint16_t type)
{
    if (cap < 12 + 4)
        return -ATOLL_EMSGSIZE;
    memset(p, 0, 12);
    p[0] = (uint8_t)(id >> 8);
    p[1] = (uint8_t)id;
    p[2] = ATOLL_DNS_RD >> 8;
    p[5] = 1; /* one question */
    int n = atoll_dns_name_write(p + 12, cap - 16, name);
    if (n < 0)
        return n;
    uint8_t *q = p + 12 + n;
    q[0] = (uint8_t)(type >> 8);
    q[1] = (uint8_t)type;
    q[2] = 0;
    q[3] = ATOLL_DNS_CLASS_IN;
    return 12 + n + 4;
}

bool atoll_dns_name_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '.')
        la--;
    if (lb && b[lb - 1] == '.')
        lb--;
    if (la != lb)
        return false;
    for (size_t i = 0; i < la; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

#define CNAME_LINKS_MAX 8
#define TYPE_RRSIG      46 /* RFC 4034 */

int atoll_dns_response_parse(const uint8_t *msg, size_t len, uint16_t id,
                             const char *name, uint16_t type, uint8_t *addrs,
                             int max, char cname[ATOLL_DNS_NAME_MAX + 1],
                             uint32_t *ttl, int *rcode, bool *truncated)
{
    struct atoll_dns_header h;
    if (atoll_dns_header_read(msg, len, &h) < 0 || h.id != id ||
        !(h.flags & ATOLL_DNS_QR) || ((h.flags >> 11) & 15) != 0 ||
        h.qdcount != 1)
        return -ATOLL_EBADMSG;
    size_t off = 12;
    char qn[ATOLL_DNS_NAME_MAX + 1];
    uint16_t qt, qc;
    if (atoll_dns_question_read(msg, len, &off, qn, &qt, &qc) < 0 ||
        qt != type || qc != ATOLL_DNS_CLASS_IN || !atoll_dns_name_eq(qn, name))
        return -ATOLL_EBADMSG;
    *rcode = h.flags & 15;
    *truncated = (h.flags & ATOLL_DNS_TC) != 0;
    snprintf(cname, ATOLL_DNS_NAME_MAX + 1, "%s", name);
    *ttl = 0;
    /* A truncated answer is asked again over TCP: what records it has
     * (perhaps cut in the middle) are not looked at. */
    if (*truncated)
        return 0;
    /* From here on the message answers our question: what is wrong with
     * it is wrong with the answer (-ATOLL_ECORRUPT), not a stray datagram.
     * Each record takes at least 11 bytes: a count the message cannot
     * hold is a lie, refused before any work. */
    if ((size_t)h.ancount * 11 > len - off)
        return -ATOLL_ECORRUPT;
    size_t start = off;
    /* Validate every record first, then follow the chain: the chain's
     * links may come in any order. */
    for (unsigned i = 0; i < h.ancount; i++) {
        struct atoll_dns_rr rr;
        if (atoll_dns_rr_read(msg, len, &off, &rr) < 0)
            return -ATOLL_ECORRUPT;
    }
    size_t alen = type == ATOLL_DNS_TYPE_AAAA ? 16 : 4;
    char cur[ATOLL_DNS_NAME_MAX + 1];
    snprintf(cur, sizeof cur, "%s", name);
    uint32_t minttl = UINT32_MAX;
    int n = 0;
    for (int link = 0; link <= CNAME_LINKS_MAX; link++) {
        bool moved = false;
        off = start;
        for (unsigned i = 0; i < h.ancount; i++) {
            struct atoll_dns_rr rr;
            atoll_dns_rr_read(msg, len, &off, &rr);
            if (rr.cls != ATOLL_DNS_CLASS_IN ||
                !atoll_dns_name_eq(rr.name, cur))
                continue;
            /* At a name of the chain only the type asked and CNAME
             * belong (and signatures, which we never ask for but a server
             * may add); an A record in answer to AAAA is not an answer. */
            if (rr.type != type && rr.type != ATOLL_DNS_TYPE_CNAME &&
                rr.type != TYPE_RRSIG)
                return -ATOLL_ECORRUPT;
            if (rr.type == ATOLL_DNS_TYPE_CNAME && !moved) {
                size_t o = rr.rdata;
                char t[ATOLL_DNS_NAME_MAX + 1];
                if (atoll_dns_name_read(msg, len, &o, t) < 0 ||
                    o != rr.rdata + rr.rdlen)
                    return -ATOLL_ECORRUPT;
                memcpy(cur, t, sizeof t);
                if (rr.ttl < minttl)
                    minttl = rr.ttl;
                moved = true;
            } else if (rr.type == type && !moved) {
                if (rr.rdlen != alen)
                    return -ATOLL_ECORRUPT; /* e.g. AAAA with 4 bytes */
                if (n < max)
                    memcpy(addrs + (size_t)n * alen, msg + rr.rdata, alen);
                if (n < max)
                    n++;
                if (rr.ttl < minttl)
                    minttl = rr.ttl;
            }
        }
        if (!moved || n > 0)
            break;
        if (link == CNAME_LINKS_MAX)
            return -ATOLL_ECORRUPT; /* too long, or a CNAME loop */
    }
    snprintf(cname, ATOLL_DNS_NAME_MAX + 1, "%s", cur);
    *ttl = minttl == UINT32_MAX ? 0 : minttl;
    return n;
}
