/*
 * lib/net/mld.c - MLDv2 reports (RFC 3810), only as far as a host on a
 * switched link needs them: a switch that snoops MLD forwards a multicast
 * group only to ports that reported it, so without reports our
 * solicited-node groups — and with them neighbor solicitations for our
 * addresses — would not reach us.
 *
 * We report every solicited-node group of our addresses (the all-nodes
 * group is never reported, RFC 3810 6): NET_MLD_REPORTS unsolicited
 * reports when the set changes, and one report in answer to each query.
 * No source filtering, no MLDv1 compatibility mode, no random response
 * delay (a host with a handful of groups gains nothing from suppressing
 * its reports).
 */
#include <string.h>

#include "atoll/error.h"
#include "ipv6_int.h"
#include "stack_int.h"

#define MLD_CHANGE_TO_EXCLUDE 4 /* a join (RFC 3810 5.2.12) */
#define MLD_MODE_IS_EXCLUDE   2 /* current state, answering a query */

/* One report of all our groups, with record type `rt`. */
static void send_report(struct atoll_stack *s, uint8_t rt)
{
    struct net6 *v = s->v6;
    atoll_ipv6_t groups[NET_IPV6_ADDRS_MAX];
    int n = 0;
    for (int i = 0; i < NET_IPV6_ADDRS_MAX; i++) {
        if (!v->addrs[i].used || v->addrs[i].state == ATOLL_IPV6_DUPLICATE)
            continue;
        atoll_ipv6_t g;
        net_ipv6_solicited_node(&v->addrs[i].a, &g);
        bool dup = false;
        for (int j = 0; j < n; j++)
            dup |= !memcmp(&groups[j], &g, sizeof g);
        if (!dup)
            groups[n++] = g;
    }
    if (!n)
        return;
    /* A hop-by-hop header with the router alert option (RFC 2711, value
     * 0: MLD), which RFC 3810 5 requires, then the report. */
    size_t len = 8 + 8 + (size_t)n * 20;
    struct atoll_buf *b = atoll_buf_alloc(NET_IP_HEADROOM, len);
    if (!b)
        return;
    uint8_t *p = atoll_buf_put(b, len);
    memset(p, 0, len);
    static const uint8_t hbh[8] = {NET_IP6_ICMPV6, 0, 5, 2, 0, 0, 1, 0};
    memcpy(p, hbh, 8);
    uint8_t *m = p + 8;
    m[0] = NET_ICMP6_MLD2_REPORT;
    net_put16(m + 6, (uint16_t)n);
    for (int j = 0; j < n; j++) {
        uint8_t *r = m + 8 + j * 20;
        r[0] = rt;
        memcpy(r + 4, groups[j].b, 16);
    }
    /* From our link-local address, or from :: while it is still
     * tentative (RFC 3810 5.2.13). */
    atoll_ipv6_t src = {{0}}, ll;
    if (net_ipv6_our_link_local(s, &ll))
        src = ll;
    net_icmp6_finish(m, len - 8, &src, &net_ipv6_mld2_routers);
    net_ipv6_output(s, &src, &net_ipv6_mld2_routers, NET_IP6_HOPOPTS, 1, b);
}

void net_mld_changed(struct atoll_stack *s)
{
    s->v6->mld_left = NET_MLD_REPORTS;
    s->v6->mld_next = atoll_now();
}

atoll_time_t net_mld_timers(struct atoll_stack *s, atoll_time_t now)
{
    struct net6 *v = s->v6;
    if (v->mld_left <= 0)
        return ATOLL_NEVER;
    if (now >= v->mld_next) {
        send_report(s, MLD_CHANGE_TO_EXCLUDE);
        v->mld_left--;
        v->mld_next = now + NET_MLD_REPORT_NS;
    }
    return v->mld_left > 0 ? v->mld_next : ATOLL_NEVER;
}

void net_mld_input(struct atoll_stack *s, struct atoll_buf *b,
                   const struct net_ipv6_hdr *ip)
{
    /* A query comes from a link-local router address with hop limit 1
     * (RFC 3810 5.1.14); 24 bytes is an MLDv1 query, 28 or more v2. */
    if (b->len < 24 || ip->hop_limit != 1 ||
        !net_ipv6_is_link_local(&ip->src)) {
        net_ip6_reject(s, ATOLL_IP6R_MLD, 1);
        atoll_buf_free(b);
        return;
    }
    atoll_buf_free(b);
    send_report(s, MLD_MODE_IS_EXCLUDE);
}
