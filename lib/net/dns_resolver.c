/*
 * lib/net/dns_resolver.c - the stub resolver behind struct atoll_dns
 * (atoll/dns.h): ask a recursive server over UDP, retry, fall back to TCP
 * on truncation, cache by TTL.
 *
 * Spoofing resistance is the point of most of the care here: each query
 * comes from a fresh random source port with a fresh random id (both from
 * the platform generator), and a response is accepted only from the server
 * we asked, from port 53, with our id and our exact question; anything
 * else is dropped and counted while we keep waiting for the real answer.
 * An answer that passes those checks but is malformed inside (a record
 * cut short, a CNAME loop, an A record answering AAAA) is as authentic as
 * a good one would be, so it ends the wait: it is refused, counted, and
 * the next server asked.
 *
 * Servers may be of either family (atoll_addr_t): the query goes over
 * IPv6 to an IPv6 server.  atoll_dns_resolve asks for A and AAAA and
 * orders the addresses by what the stack can reach (atoll_stack_routes).
 */
#include <stdio.h>
#include <string.h>

#include "atoll/addr.h"
#include "atoll/dhcp.h"
#include "atoll/dns.h"
#include "atoll/error.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/random.h"
#include "atoll/tcp.h"
#include "atoll/udp.h"
#include "dhcp_int.h"

#define SERVERS_MAX 4
#define CACHE_MAX   64
#define TRIES       3
#define TIMEOUT_NS  ATOLL_SEC(1) /* first try; doubles */
#define TTL_MAX_S   86400u
#define NEG_TTL_S   60u /* negative answers (RFC 2308 says SOA minimum) */
#define UDP_BUF     1232

static struct atoll_log_src dns_log = {"dns", -1, 0};

struct cache_entry {
    bool used;
    uint16_t type;
    int err; /* 0, or -ATOLL_ENOENT for a cached negative answer */
    atoll_time_t expires;
    struct atoll_dns_result r;
    char name[ATOLL_DNS_NAME_MAX + 1];
};

struct stub {
    struct atoll_dns dns;
    struct atoll_stack *s;
    atoll_addr_t servers[SERVERS_MAX];
    int nservers;
    struct atoll_dns_stats stats;
    struct cache_entry cache[CACHE_MAX];
    uint8_t buf[UDP_BUF];
};

/* ---- names ----------------------------------------------------------------
 */

/* A lookup name: printable, labels 1..63, at most 253 characters. */
static int normalise(const char *in, char out[ATOLL_DNS_NAME_MAX + 1])
{
    uint8_t tmp[256];
    if (!in || !*in || atoll_dns_name_write(tmp, sizeof tmp, in) < 0)
        return -ATOLL_EINVAL;
    size_t n = strlen(in);
    if (n && in[n - 1] == '.')
        n--;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if ((unsigned char)c <= ' ' || (unsigned char)c >= 127)
            return -ATOLL_EINVAL;
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = 0;
    return 0;
}

/* ---- cache ------------------------------------------------------------- */

static struct cache_entry *cache_find(struct stub *st, const char *name,
                                      uint16_t type)
{
    atoll_time_t now = atoll_now();
    for (int i = 0; i < CACHE_MAX; i++) {
        struct cache_entry *e = &st->cache[i];
        if (!e->used)
            continue;
        if (e->expires <= now) {
            e->used = false;
            continue;
        }
        if (e->type == type && !strcmp(e->name, name))
            return e;
    }
    return NULL;
}

static void cache_put(struct stub *st, const char *name, uint16_t type, int err,
                      const struct atoll_dns_result *r, uint32_t ttl)
{
    if (ttl == 0)
        return;
    if (ttl > TTL_MAX_S)
        ttl = TTL_MAX_S;
    struct cache_entry *e = NULL;
    for (int i = 0; i < CACHE_MAX && !e; i++)
        if (!st->cache[i].used)
            e = &st->cache[i];
    if (!e) { /* full: replace the entry that expires first */
        e = &st->cache[0];
        for (int i = 1; i < CACHE_MAX; i++)
            if (st->cache[i].expires < e->expires)
                e = &st->cache[i];
    }
    e->used = true;
    e->type = type;
    e->err = err;
    e->expires = atoll_now() + ATOLL_SEC(ttl);
    if (r)
        e->r = *r;
    snprintf(e->name, sizeof e->name, "%s", name);
}

/* ---- one exchange ---------------------------------------------------------
 */

struct reply {
    int n, rcode;
    bool tc;
    uint32_t ttl;
    char cname[ATOLL_DNS_NAME_MAX + 1];
};

static int parse(struct stub *st, const uint8_t *m, size_t len, uint16_t id,
                 const char *name, uint16_t type, struct atoll_dns_result *out,
                 struct reply *rp)
{
    uint8_t addrs[ATOLL_DNS_ADDRS_MAX * 16];
    int n = atoll_dns_response_parse(m, len, id, name, type, addrs,
                                     ATOLL_DNS_ADDRS_MAX, rp->cname, &rp->ttl,
                                     &rp->rcode, &rp->tc);
    if (n == -ATOLL_ECORRUPT)
        st->stats.refused++;
    else if (n < 0)
        st->stats.dropped++;
    if (n < 0)
        return n;
    size_t alen = type == ATOLL_DNS_TYPE_AAAA ? 16 : 4;
    memset(out, 0, sizeof *out);
    out->type = type;
    out->count = n;
    for (int i = 0; i < n; i++)
        memcpy(out->addr[i], addrs + (size_t)i * alen, alen);
    rp->n = n;
    return 0;
}

static uint16_t random16(void)
{
    uint16_t v = 0;
    atoll_random_fill(atoll_random_platform(), &v, sizeof v, ATOLL_NEVER);
    return v;
}

/* A socket on a random ephemeral port (a few tries on collisions). */
static int bind_random(struct stub *st, struct atoll_udp **u)
{
    for (int i = 0; i < 8; i++) {
        uint16_t p = (uint16_t)(49152 + random16() % 16384);
        int err = atoll_udp_bind(st->s, p, u);
        if (err != -ATOLL_EADDRINUSE)
            return err;
    }
    return atoll_udp_bind(st->s, 0, u);
}

/* The query over TCP (RFC 1035 4.2.2: two-byte length prefix). */
static int ask_tcp(struct stub *st, const atoll_addr_t *server,
                   const uint8_t *q, int qlen, uint16_t id, const char *name,
                   uint16_t type, struct atoll_dns_result *out,
                   struct reply *rp, atoll_time_t deadline)
{
    struct atoll_tcp_conn *c;
    st->stats.tcp++;
    st->stats.sent++;
    int err = atoll_tcp_connect(st->s, *server, 53, deadline, &c);
    if (err < 0)
        return err;
    struct atoll_flow *f = atoll_tcp_flow(c);
    uint8_t *m = atoll_malloc(65535 + 2);
    if (!m) {
        atoll_tcp_abort(c);
        return -ATOLL_ENOMEM;
    }
    uint8_t pre[2] = {(uint8_t)(qlen >> 8), (uint8_t)qlen};
    size_t got = 0, want = 2;
    if ((err = atoll_flow_write(f, pre, 2, deadline)) < 0 ||
        (err = atoll_flow_write(f, q, (size_t)qlen, deadline)) < 0)
        goto out;
    while (got < want) {
        int n = atoll_flow_read(f, m + got, want - got, deadline);
        if (n <= 0) {
            err = n < 0 ? n : -ATOLL_EBADMSG;
            goto out;
        }
        got += (size_t)n;
        if (got == 2 && want == 2)
            want = 2 + ((size_t)m[0] << 8 | m[1]);
    }
    err = parse(st, m + 2, want - 2, id, name, type, out, rp);
out:
    atoll_free(m);
    atoll_tcp_close(c);
    return err;
}

/* Ask the servers in turn, each try waiting twice as long. */
static int ask(struct stub *st, const char *name, uint16_t type,
               struct atoll_dns_result *out, struct reply *rp,
               atoll_time_t deadline)
{
    atoll_addr_t servers[SERVERS_MAX];
    int ns = st->nservers;
    memcpy(servers, st->servers, sizeof servers);
    if (ns == 0) {
        atoll_ipv4_t v4[SERVERS_MAX];
        ns = atoll_stack_dns_servers(st->s, v4, SERVERS_MAX);
        for (int i = 0; i < ns && i < SERVERS_MAX; i++)
            servers[i] = atoll_addr4(v4[i]);
    }
    if (ns <= 0)
        return -ATOLL_EHOSTUNREACH;
    uint8_t q[300];
    atoll_time_t timeout = TIMEOUT_NS;
    int last = -ATOLL_ETIMEDOUT;
    for (int t = 0; t < TRIES; t++, timeout *= 2) {
        for (int si = 0; si < ns; si++) {
            if (atoll_now() >= deadline)
                return last;
            uint16_t id = random16();
            int qlen = atoll_dns_query_build(q, sizeof q, id, name, type);
            if (qlen < 0)
                return qlen;
            struct atoll_udp *u;
            int err = bind_random(st, &u);
            if (err < 0)
                return err;
            if (t > 0 || si > 0)
                st->stats.retries++;
            st->stats.sent++;
            err = atoll_udp_sendto(u, servers[si], 53, q, (size_t)qlen);
            atoll_time_t until = atoll_now() + timeout;
            if (until > deadline)
                until = deadline;
            while (err >= 0) {
                atoll_addr_t from;
                uint16_t port;
                int n = atoll_udp_recvfrom(u, st->buf, sizeof st->buf, &from,
                                           &port, until);
                if (n < 0) {
                    err = n;
                    break;
                }
                if (!atoll_addr_equal(&from, &servers[si]) || port != 53) {
                    st->stats.dropped++;
                    continue;
                }
                err = parse(st, st->buf, (size_t)n, id, name, type, out, rp);
                if (err == -ATOLL_EBADMSG) {
                    err = 0;
                    continue; /* not the answer to our question */
                }
                if (err == 0)
                    err = 1;
                break;
            }
            atoll_udp_close(u);
            if (err == -ATOLL_ECORRUPT) {
                last = -ATOLL_EBADMSG; /* a broken answer: next server */
                continue;
            }
            if (err == 1 && rp->tc)
                return ask_tcp(st, &servers[si], q, qlen, id, name, type, out,
                               rp, deadline);
            if (err == 1) {
                if (rp->rcode == ATOLL_DNS_RCODE_SERVFAIL ||
                    rp->rcode == ATOLL_DNS_RCODE_REFUSED) {
                    last = -ATOLL_EBADMSG; /* try the next server */
                    continue;
                }
                return 0;
            }
            if (err != -ATOLL_ETIMEDOUT)
                last = err;
        }
    }
    return last;
}

static int stub_query(void *state, const char *name_in, uint16_t type,
                      struct atoll_dns_result *out, atoll_time_t deadline)
{
    struct stub *st = state;
    char name[ATOLL_DNS_NAME_MAX + 1];
    if ((type != ATOLL_DNS_TYPE_A && type != ATOLL_DNS_TYPE_AAAA) ||
        normalise(name_in, name) < 0)
        return -ATOLL_EINVAL;
    st->stats.queries++;
    struct cache_entry *e = cache_find(st, name, type);
    if (e) {
        st->stats.cache_hits++;
        if (e->err)
            return e->err;
        *out = e->r;
        return out->count;
    }
    /* A CNAME chain the server did not finish in one answer is followed
     * with further queries for its last name. */
    char cur[ATOLL_DNS_NAME_MAX + 1];
    memcpy(cur, name, sizeof cur);
    uint32_t minttl = UINT32_MAX;
    for (int hop = 0; hop < 8; hop++) {
        struct reply rp;
        int err = ask(st, cur, type, out, &rp, deadline);
        if (err < 0)
            return err;
        if (rp.ttl < minttl)
            minttl = rp.ttl;
        if (rp.rcode == ATOLL_DNS_RCODE_NXDOMAIN ||
            (rp.n == 0 && atoll_dns_name_eq(rp.cname, cur))) {
            cache_put(st, name, type, -ATOLL_ENOENT, NULL, NEG_TTL_S);
            return -ATOLL_ENOENT;
        }
        if (rp.rcode != ATOLL_DNS_RCODE_NOERROR)
            return -ATOLL_EBADMSG;
        if (rp.n > 0) {
            out->ttl = minttl;
            snprintf(out->canonical, sizeof out->canonical, "%s", rp.cname);
            cache_put(st, name, type, 0, out, minttl);
            return out->count;
        }
        memcpy(cur, rp.cname, sizeof cur);
    }
    st->stats.refused++; /* a chain over 8 answers, or a loop across them */
    return -ATOLL_EBADMSG;
}

static struct atoll_stack *stub_stack(void *state)
{
    return ((struct stub *)state)->s;
}

static const struct atoll_dns_ops stub_ops = {stub_query, stub_stack};

int atoll_dns_stub_create(struct atoll_stack *s, const atoll_addr_t *servers,
                          int nservers, struct atoll_dns **out)
{
    if (!s || nservers < 0 || nservers > SERVERS_MAX || (nservers && !servers))
        return -ATOLL_EINVAL;
    struct stub *st = atoll_calloc(1, sizeof *st);
    if (!st)
        return -ATOLL_ENOMEM;
    st->s = s;
    st->nservers = nservers;
    if (nservers)
        memcpy(st->servers, servers, sizeof *servers * (size_t)nservers);
    st->dns.ops = &stub_ops;
    st->dns.state = st;
    *out = &st->dns;
    return 0;
}

void atoll_dns_stub_stats(const struct atoll_dns *d,
                          struct atoll_dns_stats *out)
{
    *out = ((const struct stub *)d->state)->stats;
}

void atoll_dns_stub_destroy(struct atoll_dns *d)
{
    if (d)
        atoll_free(d->state);
}

int atoll_dns_resolve4(struct atoll_dns *d, const char *name, atoll_ipv4_t *out,
                       atoll_time_t deadline)
{
    if (atoll_ipv4_parse(name, out, NULL) == 0)
        return 1;
    struct atoll_dns_result r;
    int n = atoll_dns_query(d, name, ATOLL_DNS_TYPE_A, &r, deadline);
    if (n < 0)
        return n;
    if (n == 0)
        return -ATOLL_ENOENT;
    *out = (atoll_ipv4_t)r.addr[0][0] << 24 | (atoll_ipv4_t)r.addr[0][1] << 16 |
           (atoll_ipv4_t)r.addr[0][2] << 8 | r.addr[0][3];
    return n;
}

int atoll_dns_open_default(const char *name, const struct atoll_arg_value *args,
                           struct atoll_dns **out)
{
    struct atoll_stack *s = net_stack_first();
    if (!s) {
        ATOLL_ERROR(&dns_log,
                    "%s: no stack to resolve on (declare a stack "
                    "device before the dns device)",
                    name);
        return -ATOLL_ENODEV;
    }
    atoll_addr_t server;
    const char *text = args ? args[0].s : NULL;
    if (text && *text) {
        if (atoll_addr_parse(text, &server) < 0) {
            ATOLL_ERROR(&dns_log, "%s: --dns-server: '%s' is not an address",
                        name, text);
            return -ATOLL_EINVAL;
        }
        return atoll_dns_stub_create(s, &server, 1, out);
    }
    return atoll_dns_stub_create(s, NULL, 0, out);
}
