/*
 * lib/net/stack.c - the stack object: creation from a configuration or
 * from the device arguments --ipv4 / --ipv4-gateway / --ipv6 /
 * --ipv6-gateway, the configuration read back (both families), the
 * receive fiber, timers, destruction, statistics, whether an address is
 * routed, and IPv4 address text.
 *
 * One fiber per stack, "NAME rx", does all input: it reads a batch of
 * frames, dispatches each up the layers (eth -> arp | ipv4 -> icmp | udp |
 * tcp) without blocking, sends what the batch produced as one batch, and
 * yields after a full batch so a flooded interface cannot starve the other
 * fibers.  The same fiber runs ARP retries and reassembly timeouts: its
 * receive deadline is the earliest of them (and at most NET_RX_POLL_NS, so
 * a destroy is noticed).  TCP keeps its own timers.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/addr.h"
#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/dhcp.h"
#include "atoll/random.h"
#include "dhcp_int.h"
#include "ipv6_int.h"
#include "stack_int.h"

struct atoll_log_src net_log = {"net", -1, 0};

/* ---- addresses -------------------------------------------------------------
 */

/* A decimal number 0..max at *p (no sign, no leading '+'); advances p. */
static int number(const char **p, unsigned max, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) {
        v = v * 10 + (unsigned)(*s++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 3 || v > max)
        return -ATOLL_EINVAL;
    *p = s;
    *out = v;
    return 0;
}

int atoll_ipv4_parse(const char *text, atoll_ipv4_t *addr, uint8_t *prefix)
{
    if (!text)
        return -ATOLL_EINVAL;
    const char *p = text;
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v;
        if (number(&p, 255, &v) < 0)
            return -ATOLL_EINVAL;
        a = a << 8 | v;
        if (i < 3 && *p++ != '.')
            return -ATOLL_EINVAL;
    }
    unsigned len = 32;
    if (*p == '/') {
        if (!prefix)
            return -ATOLL_EINVAL;
        p++;
        if (number(&p, 32, &len) < 0)
            return -ATOLL_EINVAL;
    }
    if (*p)
        return -ATOLL_EINVAL;
    *addr = a;
    if (prefix)
        *prefix = (uint8_t)len;
    return 0;
}

char *atoll_ipv4_format(atoll_ipv4_t a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
             a & 255);
    return buf;
}

/* ---- the receive fiber ----------------------------------------------------
 */

static atoll_time_t run_timers(struct atoll_stack *s)
{
    atoll_time_t now = atoll_now();
    atoll_time_t a = net_arp_timers(s, now), r = net_reasm_timers(s, now);
    atoll_time_t v6 = net_ipv6_timers(s, now);
    a = a < r ? a : r;
    return a < v6 ? a : v6;
}

static int rx_main(void *arg)
{
    struct atoll_stack *s = arg;
    struct atoll_buf *frames[NET_RX_BATCH];
    while (!s->stopping) {
        s->in_rx = true;
        atoll_time_t next = run_timers(s);
        net_eth_flush(s);
        s->in_rx = false;
        atoll_time_t poll = atoll_after(NET_RX_POLL_NS);
        int n = atoll_netif_recv(s->nif, frames, NET_RX_BATCH,
                                 next < poll ? next : poll);
        if (n == -ATOLL_ETIMEDOUT)
            continue;
        if (n < 0) {
            /* Out of buffers or a device error: back off instead of
             * spinning, and try again. */
            ATOLL_DEBUG(&net_log, "%s: receive: %s", s->name,
                        atoll_strerror(n));
            atoll_sleep(ATOLL_MS(1));
            continue;
        }
        s->in_rx = true;
        for (int i = 0; i < n; i++) {
            frames[i]->next = NULL;
            net_eth_input(s, frames[i]);
        }
        net_tcp_rx_end(s);
        net_eth_flush(s);
        s->in_rx = false;
        if (n == NET_RX_BATCH)
            atoll_yield();
    }
    return 0;
}

/* ---- life
 * --------------------------------------------------------------------- */

static bool config_ok(const struct atoll_stack_config *c)
{
    if (c->prefix > 32 || c->addr == 0 || c->addr == 0xffffffffu ||
        (c->addr >> 28) >= 14 || (c->addr >> 24) == 127)
        return false;
    if (c->gateway) {
        atoll_ipv4_t m = c->prefix ? ~0u << (32 - c->prefix) : 0;
        if ((c->gateway & m) != (c->addr & m) || c->gateway == c->addr)
            return false;
    }
    return true;
}

/* Live stacks, so that services built by the wiring without a stack
 * argument (the DNS resolver) can find one: net_stack_first(). */
#define STACKS_MAX 16
static struct atoll_stack *live[STACKS_MAX];

struct atoll_stack *net_stack_first(void)
{
    for (int i = 0; i < STACKS_MAX; i++)
        if (live[i])
            return live[i];
    return NULL;
}

static void live_set(struct atoll_stack *old, struct atoll_stack *s)
{
    for (int i = 0; i < STACKS_MAX; i++)
        if (live[i] == old) {
            live[i] = s;
            return;
        }
}

static int create(const char *name, struct atoll_netif *nif,
                  const struct atoll_stack_config *config,
                  struct atoll_stack **out)
{
    struct atoll_stack *s = atoll_calloc(1, sizeof *s);
    if (!s)
        return -ATOLL_ENOMEM;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "stack");
    s->nif = nif;
    atoll_netif_info(nif, &s->info);
    if (s->info.mtu < 68) {
        atoll_free(s);
        return -ATOLL_EINVAL;
    }
    s->cfg = *config;
    s->mask = config->prefix ? ~0u << (32 - config->prefix) : 0;
    /* Unpredictable starting points (deterministic on sim: the platform
     * generator is seeded there). */
    uint16_t r[3] = {0, 0, 0};
    atoll_random_fill(atoll_random_platform(), r, sizeof r, ATOLL_NEVER);
    s->ip_id = r[0];
    s->ping_id = r[1];
    s->udp_next_eph = r[2];
    int err = net_reasm_init(s);
    if (err == 0)
        err = net_tcp_init(s);
    if (err < 0) {
        net_reasm_fini(s);
        atoll_free(s);
        return err;
    }
    char fiber[48];
    snprintf(fiber, sizeof fiber, "%s rx", s->name);
    err = atoll_fiber_spawn(&s->rx_fiber, fiber, rx_main, s, 0);
    if (err < 0) {
        net_tcp_fini(s);
        net_reasm_fini(s);
        atoll_free(s);
        return err;
    }
    live_set(NULL, s);
    if (s->cfg.addr)
        net_arp_announce(s);
    else
        ATOLL_INFO(&net_log, "%s: no address yet (DHCP)", s->name);
    char a[16], g[16];
    ATOLL_INFO(&net_log,
               "%s: %s/%u%s%s, mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u",
               s->name, atoll_ipv4_format(s->cfg.addr, a), s->cfg.prefix,
               s->cfg.gateway ? " via " : "",
               s->cfg.gateway ? atoll_ipv4_format(s->cfg.gateway, g) : "",
               s->info.mac[0], s->info.mac[1], s->info.mac[2], s->info.mac[3],
               s->info.mac[4], s->info.mac[5], s->info.mtu);
    *out = s;
    return 0;
}

/* IPv6 as config says (atoll/stack.h). */
static int configure6(struct atoll_stack *s, const struct atoll_stack_config *c)
{
    switch (c->ipv6) {
    case ATOLL_STACK_IPV6_OFF:
        return 0;
    case ATOLL_STACK_IPV6_SLAAC:
        return net_ipv6_configure(s, NULL, 0, NULL);
    case ATOLL_STACK_IPV6_STATIC:
        if (c->naddrs6 < 1 || c->naddrs6 > NET_IPV6_ADDRS_MAX)
            return -ATOLL_EINVAL;
        return net_ipv6_configure(s, c->addrs6, c->naddrs6, &c->gateway6);
    }
    return -ATOLL_EINVAL;
}

int atoll_stack_create(const char *name, struct atoll_netif *nif,
                       const struct atoll_stack_config *config,
                       struct atoll_stack **out)
{
    if (!nif || !config || !out || !config_ok(config) ||
        config->ipv6 > ATOLL_STACK_IPV6_SLAAC)
        return -ATOLL_EINVAL;
    int err = create(name, nif, config, out);
    if (err == 0 && (err = configure6(*out, config)) < 0) {
        atoll_stack_destroy(*out);
        *out = NULL;
    }
    return err;
}

int net_stack_create_unconfigured(const char *name, struct atoll_netif *nif,
                                  struct atoll_stack **out)
{
    static const struct atoll_stack_config none = {0};
    if (!nif || !out)
        return -ATOLL_EINVAL;
    return create(name, nif, &none, out);
}

void net_stack_reconfigure(struct atoll_stack *s,
                           const struct atoll_stack_config *c)
{
    if (c->addr && !config_ok(c))
        return;
    s->cfg = *c;
    s->mask = c->prefix ? ~0u << (32 - c->prefix) : 0;
    char a[16], g[16];
    ATOLL_INFO(&net_log, "%s: %s/%u%s%s", s->name,
               atoll_ipv4_format(s->cfg.addr, a), s->cfg.prefix,
               s->cfg.gateway ? " via " : "",
               s->cfg.gateway ? atoll_ipv4_format(s->cfg.gateway, g) : "");
    if (s->cfg.addr)
        net_arp_announce(s);
}

void atoll_stack_destroy(struct atoll_stack *s)
{
    if (!s)
        return;
    net_dhcp_stack_gone(s);
    live_set(s, NULL);
    s->stopping = true;
    atoll_fiber_join(s->rx_fiber, ATOLL_NEVER, NULL);
    net_tcp_fini(s);
    net_udp_fini(s);
    net_reasm_fini(s);
    net_arp_fini(s);
    net_ipv6_fini(s);
    for (int i = 0; i < s->ntx; i++)
        atoll_buf_free(s->txq[i]);
    net_frame_cache_clear(s);
    atoll_free(s);
}

void atoll_stack_config(const struct atoll_stack *s,
                        struct atoll_stack_config *out)
{
    memset(out, 0, sizeof *out);
    out->addr = s->cfg.addr;
    out->prefix = s->cfg.prefix;
    out->gateway = s->cfg.gateway;
    if (!s->v6)
        return;
    out->ipv6 = s->v6->slaac ? ATOLL_STACK_IPV6_SLAAC : ATOLL_STACK_IPV6_STATIC;
    int n = atoll_stack_ipv6_addrs(s, out->addrs6, NET_IPV6_ADDRS_MAX);
    out->naddrs6 = (uint8_t)(n < NET_IPV6_ADDRS_MAX ? n : NET_IPV6_ADDRS_MAX);
    atoll_stack_ipv6_router(s, &out->gateway6, &out->mtu6);
}

bool atoll_stack_routes(const struct atoll_stack *s, const atoll_addr_t *dst)
{
    if (dst->family == ATOLL_AF_INET6)
        return net_ipv6_routes(s, &dst->v6);
    if (dst->family != ATOLL_AF_INET || !s->cfg.addr || !dst->v4 ||
        dst->v4 == s->cfg.addr)
        return false;
    return net_ipv4_next_hop(s, dst->v4) != 0;
}

void atoll_stack_stats(const struct atoll_stack *s,
                       struct atoll_stack_stats *out)
{
    *out = s->stats;
}

void net_tcp_set(struct atoll_stack *s, void *tcp)
{
    s->tcp = tcp;
}

void *net_tcp_get(const struct atoll_stack *s)
{
    return s->tcp;
}

bool net_in_rx(const struct atoll_stack *s)
{
    return s->in_rx;
}

/* ---- constructors for the generated wiring
 * ------------------------------------ */

static int open_v4(const char *name, const struct atoll_arg_value *args,
                   int (*open_nif)(const char *, struct atoll_netif **),
                   struct atoll_stack **out)
{
    struct atoll_stack_config c = {0};
    const char *ip = args ? args[0].s : NULL;
    const char *gw = args ? args[1].s : NULL;
    /* No --ipv4, or --dhcp: the address comes from DHCP. */
    if (!ip || !*ip || (args && args[2].b)) {
        struct atoll_netif *nif;
        int err = open_nif(name, &nif);
        if (err < 0)
            return err;
        return atoll_stack_create_dhcp(name, nif,
                                       atoll_after(NET_DHCP_BOOT_WAIT_NS), out);
    }
    if (!strchr(ip, '/') || atoll_ipv4_parse(ip, &c.addr, &c.prefix) < 0) {
        ATOLL_ERROR(&net_log,
                    "%s: --ipv4: '%s' is not ADDR/PREFIX (e.g. "
                    "198.18.0.2/24)",
                    name, ip ? ip : "");
        return -ATOLL_EINVAL;
    }
    if (gw && *gw && atoll_ipv4_parse(gw, &c.gateway, NULL) < 0) {
        ATOLL_ERROR(&net_log, "%s: --ipv4-gateway: '%s' is not an address",
                    name, gw);
        return -ATOLL_EINVAL;
    }
    if (!config_ok(&c)) {
        ATOLL_ERROR(&net_log,
                    "%s: --ipv4=%s%s%s: not a usable host address, or the "
                    "gateway is outside the subnet",
                    name, ip, gw && *gw ? " --ipv4-gateway=" : "",
                    gw && *gw ? gw : "");
        return -ATOLL_EINVAL;
    }
    struct atoll_netif *nif;
    int err = open_nif(name, &nif);
    if (err < 0)
        return err;
    return atoll_stack_create(name, nif, &c, out);
}

/* --ipv6=ADDR/PREFIX[,ADDR/PREFIX...] and --ipv6-gateway=ADDR (args[3],
 * args[4]) into c: static, SLAAC without --ipv6, off for --ipv6=off. */
static int ipv6_args(const char *name, const struct atoll_arg_value *args,
                     struct atoll_stack_config *c)
{
    const char *ip = args ? args[3].s : NULL;
    const char *gw = args ? args[4].s : NULL;
    c->ipv6 = ATOLL_STACK_IPV6_SLAAC;
    if (ip && !strcmp(ip, "off"))
        c->ipv6 = ATOLL_STACK_IPV6_OFF;
    if (!ip || !*ip || c->ipv6 == ATOLL_STACK_IPV6_OFF)
        return 0;
    c->ipv6 = ATOLL_STACK_IPV6_STATIC;
    for (const char *p = ip; *p;) {
        char one[ATOLL_IPV6_TEXT + 4];
        size_t len = strcspn(p, ",");
        struct atoll_ipv6_addr_info *a = &c->addrs6[c->naddrs6];
        if (len >= sizeof one || c->naddrs6 == NET_IPV6_ADDRS_MAX - 1)
            goto bad;
        memcpy(one, p, len);
        one[len] = 0;
        if (!strchr(one, '/') ||
            atoll_ipv6_parse(one, &a->addr, &a->prefix) < 0 || a->prefix == 0)
            goto bad;
        c->naddrs6++;
        p += len + (p[len] == ',');
    }
    if (c->naddrs6 == 0)
        goto bad;
    if (gw && *gw && atoll_ipv6_parse(gw, &c->gateway6, NULL) < 0) {
        ATOLL_ERROR(&net_log, "%s: --ipv6-gateway: '%s' is not an address",
                    name, gw);
        return -ATOLL_EINVAL;
    }
    return 0;
bad:
    ATOLL_ERROR(&net_log,
                "%s: --ipv6: '%s' is not ADDR/PREFIX (e.g. 2001:db8::2/64), "
                "or more of them than %d, separated by commas",
                name, ip, NET_IPV6_ADDRS_MAX - 1);
    return -ATOLL_EINVAL;
}

static int open_with(const char *name, const struct atoll_arg_value *args,
                     int (*open_nif)(const char *, struct atoll_netif **),
                     struct atoll_stack **out)
{
    struct atoll_stack_config c6 = {0};
    int err = ipv6_args(name, args, &c6);
    if (err < 0)
        return err;
    err = open_v4(name, args, open_nif, out);
    if (err < 0 || c6.ipv6 == ATOLL_STACK_IPV6_OFF)
        return err;
    err = configure6(*out, &c6);
    if (err < 0 && c6.ipv6 == ATOLL_STACK_IPV6_SLAAC) {
        /* IPv6 was not asked for, only the default: IPv4 goes on. */
        ATOLL_WARN(&net_log, "%s: no IPv6 (link MTU below 1280?)", name);
        return 0;
    }
    if (err < 0) {
        ATOLL_ERROR(&net_log,
                    "%s: --ipv6: not a usable unicast address, the gateway "
                    "is outside the prefix, or the MTU is below 1280",
                    name);
        atoll_stack_destroy(*out);
        *out = NULL;
    }
    return err;
}

int atoll_stack_open_default(const char *name,
                             const struct atoll_arg_value *args,
                             struct atoll_stack **out)
{
    return open_with(name, args, atoll_netif_open_default, out);
}

int atoll_stack_open_flood(const char *name, const struct atoll_arg_value *args,
                           struct atoll_stack **out)
{
    return open_with(name, args, atoll_netif_open_flood, out);
}

int atoll_stack_open_faulty(const char *name,
                            const struct atoll_arg_value *args,
                            struct atoll_stack **out)
{
    return open_with(name, args, atoll_netif_open_faulty, out);
}
