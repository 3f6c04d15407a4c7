/*
 * lib/net/dhcp.c - the DHCP client (RFC 2131) that configures a stack at
 * run time: the state machine of atoll/dhcp.h in one fiber per stack, the
 * message format (RFC 2131 section 2, options RFC 2132) and the checks
 * every reply must pass.
 *
 * The client talks through an ordinary UDP socket on port 68 of its
 * stack.  While the stack has no address (0.0.0.0/0) it still sends and
 * receives limited broadcasts, and we set the BROADCAST flag so that
 * servers answer to 255.255.255.255 rather than to an address we do not
 * have yet.  The "is the address in use?" check is an ARP probe from
 * 0.0.0.0 (RFC 5227): we ping the offered address while unconfigured,
 * which makes the stack ARP for it with sender address 0, and look whether
 * anyone answered the ARP.
 *
 * The fiber never blocks longer than POLL_NS at a time so that stopping
 * it (atoll_stack_destroy) is prompt.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/dhcp.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/icmp.h"
#include "atoll/log.h"
#include "atoll/mem.h"
#include "atoll/random.h"
#include "atoll/udp.h"
#include "dhcp_int.h"
#include "stack_int.h"
#include "wire.h"

static struct atoll_log_src dhcp_log = {"dhcp", -1, 0};

#define POLL_NS       ATOLL_MS(250)
#define MIN_RETRY_NS  ATOLL_SEC(4)
#define MAX_RETRY_NS  ATOLL_SEC(64)
#define REQUEST_TRIES 4
#define DECLINE_WAIT  ATOLL_SEC(10)
#define PROBE_NS      ATOLL_SEC(1)
#define CLIENTS_MAX   16
#define PKT_MAX       1500
#define BOOTP_MIN     300 /* RFC 1542: relays may drop shorter ones */
#define HDR_LEN       236
#define COOKIE        0x63825363u

enum {
    DHCPDISCOVER = 1,
    DHCPOFFER,
    DHCPREQUEST,
    DHCPDECLINE,
    DHCPACK,
    DHCPNAK,
    DHCPRELEASE
};

enum {
    OPT_PAD = 0,
    OPT_MASK = 1,
    OPT_ROUTER = 3,
    OPT_DNS = 6,
    OPT_REQUESTED = 50,
    OPT_LEASE = 51,
    OPT_TYPE = 53,
    OPT_SERVER = 54,
    OPT_PARAMS = 55,
    OPT_T1 = 58,
    OPT_T2 = 59,
    OPT_END = 255
};

struct atoll_dhcp {
    struct atoll_stack *s;
    struct atoll_udp *u;
    atoll_fiber *fiber;
    bool stopping;
    uint8_t mac[6];
    uint32_t xid;
    struct atoll_dhcp_lease lease;
    atoll_time_t t1, t2, expiry; /* absolute; ATOLL_NEVER: infinite */
    struct atoll_dhcp_stats stats;
    atoll_event bound_ev;
    uint8_t buf[PKT_MAX];
};

/* A reply that passed the checks. */
struct msg {
    uint8_t type;
    atoll_ipv4_t yiaddr, server, mask, router;
    atoll_ipv4_t dns[ATOLL_DHCP_DNS_MAX];
    int ndns;
    bool has_mask, has_lease, has_t1, has_t2;
    uint32_t lease, t1, t2;
};

static struct {
    struct atoll_stack *s;
    struct atoll_dhcp *c;
} clients[CLIENTS_MAX];

/* ---- wire ---------------------------------------------------------------- */

static bool usable(atoll_ipv4_t a)
{
    return a != 0 && a != 0xffffffffu && (a >> 28) < 14 && (a >> 24) != 127;
}

/*
 * Check and decode a reply (exported for the fuzz target and unit tests
 * through net_dhcp_parse_reply below).  -ATOLL_EBADMSG for anything
 * malformed or not for (xid, mac).
 */
static int parse(const uint8_t *p, size_t len, uint32_t xid,
                 const uint8_t mac[6], struct msg *m)
{
    memset(m, 0, sizeof *m);
    if (len < HDR_LEN + 4 || p[0] != 2 || p[1] != 1 || p[2] != 6 ||
        net_get32(p + 4) != xid || memcmp(p + 28, mac, 6) ||
        net_get32(p + HDR_LEN) != COOKIE)
        return -ATOLL_EBADMSG;
    m->yiaddr = net_get32(p + 16);
    size_t o = HDR_LEN + 4;
    bool end = false;
    while (o < len && !end) {
        uint8_t code = p[o++];
        if (code == OPT_PAD)
            continue;
        if (code == OPT_END) {
            end = true;
            break;
        }
        if (o >= len)
            return -ATOLL_EBADMSG;
        size_t l = p[o++];
        if (o + l > len)
            return -ATOLL_EBADMSG; /* an option past the packet's end */
        const uint8_t *v = p + o;
        o += l;
        switch (code) {
        case OPT_TYPE:
            if (l != 1)
                return -ATOLL_EBADMSG;
            m->type = v[0];
            break;
        case OPT_SERVER:
        case OPT_MASK:
        case OPT_LEASE:
        case OPT_T1:
        case OPT_T2:
            if (l != 4)
                return -ATOLL_EBADMSG;
            if (code == OPT_SERVER)
                m->server = net_get32(v);
            else if (code == OPT_MASK)
                m->mask = net_get32(v), m->has_mask = true;
            else if (code == OPT_LEASE)
                m->lease = net_get32(v), m->has_lease = true;
            else if (code == OPT_T1)
                m->t1 = net_get32(v), m->has_t1 = true;
            else
                m->t2 = net_get32(v), m->has_t2 = true;
            break;
        case OPT_ROUTER:
        case OPT_DNS:
            if (l == 0 || l % 4)
                return -ATOLL_EBADMSG;
            if (code == OPT_ROUTER) {
                m->router = net_get32(v);
            } else {
                for (size_t i = 0; i < l / 4; i++)
                    if (m->ndns < ATOLL_DHCP_DNS_MAX &&
                        usable(net_get32(v + 4 * i)))
                        m->dns[m->ndns++] = net_get32(v + 4 * i);
            }
            break;
        default:
            break; /* options we do not use */
        }
    }
    if (m->type < DHCPOFFER || m->type > DHCPNAK || m->type == DHCPREQUEST ||
        m->type == DHCPDECLINE)
        return -ATOLL_EBADMSG;
    if (m->type != DHCPNAK && (!usable(m->yiaddr) || !usable(m->server) ||
                               (m->type == DHCPACK && !m->has_lease)))
        return -ATOLL_EBADMSG;
    if (m->has_mask) {
        uint32_t inv = ~m->mask;
        if (inv & (inv + 1))
            return -ATOLL_EBADMSG; /* not contiguous ones */
    }
    return 0;
}

/* Build a client message of `type`. */
static size_t build(struct atoll_dhcp *c, uint8_t *p, uint8_t type,
                    atoll_ipv4_t ciaddr, atoll_ipv4_t requested,
                    atoll_ipv4_t server)
{
    memset(p, 0, BOOTP_MIN);
    p[0] = 1; /* BOOTREQUEST */
    p[1] = 1;
    p[2] = 6;
    net_put32(p + 4, c->xid);
    if (!ciaddr && type != DHCPDECLINE)
        p[10] = 0x80; /* BROADCAST: we cannot receive unicast yet */
    net_put32(p + 12, ciaddr);
    memcpy(p + 28, c->mac, 6);
    net_put32(p + HDR_LEN, COOKIE);
    size_t o = HDR_LEN + 4;
    p[o++] = OPT_TYPE;
    p[o++] = 1;
    p[o++] = type;
    if (requested) {
        p[o++] = OPT_REQUESTED;
        p[o++] = 4;
        net_put32(p + o, requested);
        o += 4;
    }
    if (server) {
        p[o++] = OPT_SERVER;
        p[o++] = 4;
        net_put32(p + o, server);
        o += 4;
    }
    if (type != DHCPDECLINE) {
        static const uint8_t params[] = {OPT_MASK,  OPT_ROUTER, OPT_DNS,
                                         OPT_LEASE, OPT_T1,     OPT_T2};
        p[o++] = OPT_PARAMS;
        p[o++] = sizeof params;
        memcpy(p + o, params, sizeof params);
        o += sizeof params;
    }
    p[o++] = OPT_END;
    return o < BOOTP_MIN ? BOOTP_MIN : o;
}

int net_dhcp_parse_reply(const uint8_t *p, size_t len, uint32_t xid,
                         const uint8_t mac[6])
{
    struct msg m;
    int err = parse(p, len, xid, mac, &m);
    return err < 0 ? err : m.type;
}

/* ---- the state machine
 * ------------------------------------------------------- */

static uint32_t random32(void)
{
    uint32_t v = 0;
    atoll_random_fill(atoll_random_platform(), &v, sizeof v, ATOLL_NEVER);
    return v;
}

/* Backoff for try n (0-based): 4, 8, ... 64 s, each -1..+1 s. */
static atoll_time_t backoff(int n)
{
    atoll_time_t t = MIN_RETRY_NS << (n < 4 ? n : 4);
    if (t > MAX_RETRY_NS)
        t = MAX_RETRY_NS;
    return t - ATOLL_SEC(1) + (atoll_time_t)(random32() % 2000) * ATOLL_MS(1);
}

static void send_msg(struct atoll_dhcp *c, uint8_t type, atoll_ipv4_t dst,
                     atoll_ipv4_t ciaddr, atoll_ipv4_t requested,
                     atoll_ipv4_t server)
{
    uint8_t p[PKT_MAX];
    size_t n = build(c, p, type, ciaddr, requested, server);
    if (type == DHCPDISCOVER)
        c->stats.discovers++;
    else if (type == DHCPREQUEST)
        c->stats.requests++;
    else if (type == DHCPDECLINE)
        c->stats.declines++;
    int err = atoll_udp_sendto(c->u, atoll_addr4(dst), 67, p, n);
    if (err < 0)
        ATOLL_DEBUG(&dhcp_log, "%s: send: %s", net_name(c->s),
                    atoll_strerror(err));
}

/* Wait for a reply of one of the types in `mask` (bit = type) until
 * `until`.  Its type, -ATOLL_ETIMEDOUT, or -ATOLL_ECANCELED (stopping). */
static int wait_reply(struct atoll_dhcp *c, unsigned mask, atoll_time_t until,
                      struct msg *m)
{
    for (;;) {
        if (c->stopping)
            return -ATOLL_ECANCELED;
        atoll_time_t now = atoll_now();
        if (now >= until)
            return -ATOLL_ETIMEDOUT;
        atoll_time_t d = now + POLL_NS < until ? now + POLL_NS : until;
        uint16_t port;
        int n = atoll_udp_recvfrom(c->u, c->buf, sizeof c->buf, NULL, &port, d);
        if (n == -ATOLL_ETIMEDOUT)
            continue;
        if (n < 0)
            return n;
        if (port != 67 || parse(c->buf, (size_t)n, c->xid, c->mac, m) < 0 ||
            !(mask & (1u << m->type))) {
            c->stats.dropped++;
            continue;
        }
        return m->type;
    }
}

static int sleep_until(struct atoll_dhcp *c, atoll_time_t until)
{
    while (!c->stopping && atoll_now() < until) {
        atoll_time_t d = atoll_now() + POLL_NS;
        atoll_sleep_until(d < until ? d : until);
    }
    return c->stopping ? -ATOLL_ECANCELED : 0;
}

static uint8_t prefix_of(const struct msg *m)
{
    if (!m->has_mask)
        return 24;
    uint8_t n = 0;
    for (uint32_t v = m->mask; v & 0x80000000u; v <<= 1)
        n++;
    return n;
}

static void unconfigure(struct atoll_dhcp *c)
{
    static const struct atoll_stack_config none = {0};
    net_stack_reconfigure(c->s, &none);
}

/* An ACK: record the lease, configure the stack, set the timers. */
static void bind_lease(struct atoll_dhcp *c, const struct msg *m)
{
    struct atoll_dhcp_lease *l = &c->lease;
    l->addr = m->yiaddr;
    l->server = m->server;
    l->prefix = prefix_of(m);
    atoll_ipv4_t mask = l->prefix ? ~0u << (32 - l->prefix) : 0;
    l->gateway = m->router;
    if (l->gateway &&
        ((l->gateway & mask) != (l->addr & mask) || l->gateway == l->addr))
        l->gateway = 0; /* unreachable: use none rather than fail */
    memcpy(l->dns, m->dns, sizeof l->dns);
    l->ndns = m->ndns;
    l->lease_s = m->lease;
    l->t1_s = m->has_t1 ? m->t1 : m->lease / 2;
    l->t2_s = m->has_t2 ? m->t2 : (uint32_t)((uint64_t)m->lease * 7 / 8);
    if (l->t1_s > l->t2_s || l->t2_s > l->lease_s) {
        l->t1_s = m->lease / 2;
        l->t2_s = (uint32_t)((uint64_t)m->lease * 7 / 8);
    }
    l->acquired = atoll_now();
    if (m->lease == 0xffffffffu) {
        c->t1 = c->t2 = c->expiry = ATOLL_NEVER;
    } else {
        c->t1 = l->acquired + ATOLL_SEC(l->t1_s);
        c->t2 = l->acquired + ATOLL_SEC(l->t2_s);
        c->expiry = l->acquired + ATOLL_SEC(l->lease_s);
    }
    struct atoll_stack_config cfg;
    atoll_stack_config(c->s, &cfg);
    if (cfg.addr != l->addr || cfg.prefix != l->prefix ||
        cfg.gateway != l->gateway) {
        struct atoll_stack_config n = {
            .addr = l->addr, .prefix = l->prefix, .gateway = l->gateway};
        net_stack_reconfigure(c->s, &n);
    }
    l->state = ATOLL_DHCP_BOUND;
    c->stats.leases++;
    atoll_event_broadcast(&c->bound_ev);
}

/* RFC 5227 probe: does any host answer ARP for `a`?  (Stack unconfigured.) */
static bool in_use(struct atoll_dhcp *c, atoll_ipv4_t a)
{
    uint8_t mac[6];
    atoll_icmp_ping(c->s, atoll_addr4(a), 0, 8, atoll_now() + PROBE_NS);
    return net_arp_lookup(c->s, a, mac) == 0;
}

/* INIT .. BOUND.  0 when bound, -ATOLL_ECANCELED when stopping. */
static int acquire(struct atoll_dhcp *c)
{
    struct msg m;
    for (;;) {
        c->lease.state = ATOLL_DHCP_SELECTING;
        c->xid = random32();
        int r = -ATOLL_ETIMEDOUT;
        for (int n = 0; r == -ATOLL_ETIMEDOUT; n++) {
            send_msg(c, DHCPDISCOVER, 0xffffffffu, 0, 0, 0);
            r = wait_reply(c, 1u << DHCPOFFER, atoll_now() + backoff(n), &m);
        }
        if (r < 0)
            return r;
        c->stats.offers++;
        atoll_ipv4_t offered = m.yiaddr, server = m.server;
        c->lease.state = ATOLL_DHCP_REQUESTING;
        r = -ATOLL_ETIMEDOUT;
        for (int n = 0; n < REQUEST_TRIES && r == -ATOLL_ETIMEDOUT; n++) {
            send_msg(c, DHCPREQUEST, 0xffffffffu, 0, offered, server);
            r = wait_reply(c, 1u << DHCPACK | 1u << DHCPNAK,
                           atoll_now() + backoff(n), &m);
            if (r == DHCPACK && (m.yiaddr != offered || m.server != server)) {
                c->stats.dropped++;
                r = -ATOLL_ETIMEDOUT;
            }
        }
        if (r == -ATOLL_ECANCELED)
            return r;
        if (r == DHCPNAK)
            c->stats.naks++;
        if (r != DHCPACK)
            continue; /* back to INIT */
        c->stats.acks++;
        if (in_use(c, m.yiaddr)) {
            char a[16];
            ATOLL_WARN(&dhcp_log, "%s: %s is already in use: declined",
                       net_name(c->s), atoll_ipv4_format(m.yiaddr, a));
            c->stats.conflicts++;
            send_msg(c, DHCPDECLINE, 0xffffffffu, 0, m.yiaddr, m.server);
            if (sleep_until(c, atoll_now() + DECLINE_WAIT) < 0)
                return -ATOLL_ECANCELED;
            continue;
        }
        bind_lease(c, &m);
        char a[16], s[16];
        ATOLL_INFO(&dhcp_log, "%s: lease %s/%u from %s for %us", net_name(c->s),
                   atoll_ipv4_format(c->lease.addr, a), c->lease.prefix,
                   atoll_ipv4_format(c->lease.server, s), c->lease.lease_s);
        return 0;
    }
}

/* BOUND .. RENEWING .. REBINDING.  0: renewed; -ATOLL_ETIMEDOUT: the lease
 * expired or was refused; -ATOLL_ECANCELED: stopping. */
static int keep(struct atoll_dhcp *c)
{
    struct msg m;
    if (sleep_until(c, c->t1) < 0)
        return -ATOLL_ECANCELED;
    c->xid = random32();
    while (atoll_now() < c->expiry) {
        atoll_time_t now = atoll_now();
        bool rebinding = now >= c->t2;
        c->lease.state = rebinding ? ATOLL_DHCP_REBINDING : ATOLL_DHCP_RENEWING;
        atoll_time_t end = rebinding ? c->expiry : c->t2;
        atoll_time_t wait = (end - now) / 2;
        if (wait < MIN_RETRY_NS)
            wait = MIN_RETRY_NS;
        if (now + wait > end)
            wait = end - now;
        send_msg(c, DHCPREQUEST, rebinding ? 0xffffffffu : c->lease.server,
                 c->lease.addr, 0, 0);
        int r = wait_reply(c, 1u << DHCPACK | 1u << DHCPNAK, now + wait, &m);
        if (r == -ATOLL_ECANCELED)
            return r;
        if (r == DHCPNAK) {
            c->stats.naks++;
            return -ATOLL_ETIMEDOUT;
        }
        if (r == DHCPACK) {
            if (m.yiaddr != c->lease.addr) {
                c->stats.dropped++;
                continue;
            }
            c->stats.acks++;
            bind_lease(c, &m);
            return 0;
        }
    }
    c->stats.expiries++;
    return -ATOLL_ETIMEDOUT;
}

static int client_main(void *arg)
{
    struct atoll_dhcp *c = arg;
    while (!c->stopping) {
        if (acquire(c) < 0)
            break;
        int r;
        while ((r = keep(c)) == 0)
            ;
        if (r == -ATOLL_ECANCELED)
            break;
        char a[16];
        ATOLL_WARN(&dhcp_log, "%s: lease of %s lost: unconfigured",
                   net_name(c->s), atoll_ipv4_format(c->lease.addr, a));
        unconfigure(c);
        memset(&c->lease, 0, sizeof c->lease);
    }
    return 0;
}

/* ---- API ---------------------------------------------------------------- */

int atoll_dhcp_start(struct atoll_stack *s, struct atoll_dhcp **out)
{
    int slot = -1;
    for (int i = 0; i < CLIENTS_MAX; i++) {
        if (clients[i].s == s)
            return -ATOLL_EBUSY;
        if (!clients[i].s && slot < 0)
            slot = i;
    }
    if (slot < 0)
        return -ATOLL_ENOMEM;
    struct atoll_dhcp *c = atoll_calloc(1, sizeof *c);
    if (!c)
        return -ATOLL_ENOMEM;
    c->s = s;
    struct atoll_netif_info info;
    atoll_netif_info(s->nif, &info);
    memcpy(c->mac, info.mac, 6);
    atoll_event_init(&c->bound_ev, "dhcp lease");
    int err = atoll_udp_bind(s, 68, &c->u);
    if (err < 0) {
        atoll_free(c);
        return err;
    }
    char name[48];
    snprintf(name, sizeof name, "%s dhcp", net_name(s));
    err = atoll_fiber_spawn(&c->fiber, name, client_main, c, 0);
    if (err < 0) {
        atoll_udp_close(c->u);
        atoll_free(c);
        return err;
    }
    clients[slot].s = s;
    clients[slot].c = c;
    *out = c;
    return 0;
}

int atoll_dhcp_wait_bound(struct atoll_dhcp *c, atoll_time_t deadline)
{
    while (c->lease.state < ATOLL_DHCP_BOUND) {
        int err = atoll_event_wait(&c->bound_ev, deadline);
        if (err < 0 && c->lease.state < ATOLL_DHCP_BOUND)
            return err;
    }
    return 0;
}

void atoll_dhcp_lease(const struct atoll_dhcp *c, struct atoll_dhcp_lease *out)
{
    *out = c->lease;
}

void atoll_dhcp_stats(const struct atoll_dhcp *c, struct atoll_dhcp_stats *out)
{
    *out = c->stats;
}

struct atoll_dhcp *atoll_dhcp_of(struct atoll_stack *s)
{
    for (int i = 0; i < CLIENTS_MAX; i++)
        if (clients[i].s == s)
            return clients[i].c;
    return NULL;
}

void atoll_dhcp_stop(struct atoll_dhcp *c)
{
    if (!c)
        return;
    c->stopping = true;
    atoll_fiber_join(c->fiber, ATOLL_NEVER, NULL);
    atoll_udp_close(c->u);
    for (int i = 0; i < CLIENTS_MAX; i++)
        if (clients[i].c == c)
            clients[i].s = NULL, clients[i].c = NULL;
    atoll_free(c);
}

void net_dhcp_stack_gone(struct atoll_stack *s)
{
    atoll_dhcp_stop(atoll_dhcp_of(s));
}

int atoll_stack_dns_servers(struct atoll_stack *s, atoll_ipv4_t *out, int max)
{
    struct atoll_dhcp *c = atoll_dhcp_of(s);
    if (!c || c->lease.state < ATOLL_DHCP_BOUND)
        return 0;
    int n = c->lease.ndns < max ? c->lease.ndns : max;
    memcpy(out, c->lease.dns, sizeof *out * (size_t)(n > 0 ? n : 0));
    return n;
}

int atoll_stack_create_dhcp(const char *name, struct atoll_netif *nif,
                            atoll_time_t deadline, struct atoll_stack **out)
{
    struct atoll_stack *s;
    int err = net_stack_create_unconfigured(name, nif, &s);
    if (err < 0)
        return err;
    struct atoll_dhcp *c;
    if ((err = atoll_dhcp_start(s, &c)) < 0 ||
        (err = atoll_dhcp_wait_bound(c, deadline)) < 0) {
        ATOLL_ERROR(&dhcp_log, "%s: no DHCP lease: %s", name,
                    atoll_strerror(err));
        atoll_stack_destroy(s);
        return err;
    }
    *out = s;
    return 0;
}
