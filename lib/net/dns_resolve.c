/*
 * lib/net/dns_resolve.c - atoll_dns_resolve (atoll/dns.h): a name's A and
 * AAAA records through any resolver, as one list of atoll_addr_t in the
 * order a client should try them.
 *
 * The order (RFC 6724's spirit, reduced to one interface): what the
 * resolver's stack can send to now comes first, IPv6 before IPv4, so a
 * dual-stack host with IPv6 routed uses it; then what it cannot reach,
 * IPv4 before IPv6, so a host without IPv6 tries IPv4 first.  Within a
 * family the server's order is kept (a server may rotate it on purpose).
 *
 * The two lookups run one after the other under the caller's one
 * deadline; the family likelier to be used is asked first (AAAA when the
 * stack has a global IPv6 address), so a slow second lookup costs only
 * what it leaves of the deadline.  Either family's addresses are enough
 * for an answer: one failing lookup does not hide the other's.
 */
#include <string.h>

#include "atoll/addr.h"
#include "atoll/dns.h"
#include "atoll/error.h"

/* The stack has a global IPv6 address to speak from. */
static bool has_global6(struct atoll_stack *s)
{
    struct atoll_stack_config c;
    if (!s)
        return false;
    atoll_stack_config(s, &c);
    for (int i = 0; i < c.naddrs6; i++)
        if (c.addrs6[i].state == ATOLL_IPV6_PREFERRED &&
            c.addrs6[i].origin != ATOLL_IPV6_LINK_LOCAL)
            return true;
    return false;
}

/* Append r's addresses (type A or AAAA) to list[*n]. */
static void collect(const struct atoll_dns_result *r, int count,
                    atoll_addr_t *list, int *n)
{
    for (int i = 0; i < count && i < ATOLL_DNS_ADDRS_MAX; i++) {
        atoll_addr_t a = {0};
        if (r->type == ATOLL_DNS_TYPE_AAAA) {
            a.family = ATOLL_AF_INET6;
            memcpy(a.v6.b, r->addr[i], 16);
        } else {
            a.family = ATOLL_AF_INET;
            a.v4 = (atoll_ipv4_t)r->addr[i][0] << 24 |
                   (atoll_ipv4_t)r->addr[i][1] << 16 |
                   (atoll_ipv4_t)r->addr[i][2] << 8 | r->addr[i][3];
        }
        list[(*n)++] = a;
    }
}

/* Rank of an address in the order above: 0 first. */
static int rank(struct atoll_stack *s, const atoll_addr_t *a)
{
    bool v6 = a->family == ATOLL_AF_INET6;
    if (s && atoll_stack_routes(s, a))
        return v6 ? 0 : 1;
    return v6 ? 3 : 2;
}

int atoll_dns_resolve(struct atoll_dns *d, const char *name, atoll_addr_t *out,
                      int max, atoll_time_t deadline)
{
    if (!d || !name || !out || max < 1)
        return -ATOLL_EINVAL;
    if (atoll_addr_parse(name, &out[0]) == 0)
        return 1;
    struct atoll_stack *s = d->ops->stack ? d->ops->stack(d->state) : NULL;
    uint16_t types[2] = {ATOLL_DNS_TYPE_A, ATOLL_DNS_TYPE_AAAA};
    if (has_global6(s)) {
        types[0] = ATOLL_DNS_TYPE_AAAA;
        types[1] = ATOLL_DNS_TYPE_A;
    }
    atoll_addr_t list[ATOLL_DNS_RESOLVE_MAX];
    int n = 0, err[2];
    struct atoll_dns_result r;
    for (int t = 0; t < 2; t++) {
        err[t] = atoll_dns_query(d, name, types[t], &r, deadline);
        if (err[t] > 0)
            collect(&r, err[t], list, &n);
    }
    if (n == 0) {
        if (err[0] == -ATOLL_ENOENT && err[1] == -ATOLL_ENOENT)
            return -ATOLL_ENOENT;
        if (err[0] < 0 && err[0] != -ATOLL_ENOENT)
            return err[0];
        return err[1] < 0 ? err[1] : -ATOLL_ENOENT;
    }
    /* A stable sort by rank: four passes over at most 16 addresses. */
    int k = 0;
    for (int want = 0; want < 4; want++)
        for (int i = 0; i < n && k < max; i++)
            if (rank(s, &list[i]) == want)
                out[k++] = list[i];
    return k;
}
