/*
 * tests/sim/net_ipv6.c - IPv6, ICMPv6 and Neighbor Discovery of a stack
 * on a simulated wire, against a "host" the test plays with crafted
 * frames: duplicate address detection and MLD reports at start, neighbor
 * solicitation and echo, unreachability detection through its states,
 * hop limits other than 255 ignored, a duplicate found, SLAAC from a
 * router advertisement, and a routing header type 0 refused.
 */
#include "../../lib/net/ipv6_int.h"
#include "atoll/ipv6.h"
#include "net_util.h"

static const struct atoll_sim_wire_opts clean = {.delay = ATOLL_US(50)};

static atoll_ipv6_t A(const char *t)
{
    atoll_ipv6_t a;
    if (atoll_ipv6_parse(t, &a, NULL) < 0)
        harness_fail(__FILE__, __LINE__, "bad address %s", t);
    return a;
}

static struct atoll_stack *mk6(const char *port, const char *addr)
{
    struct atoll_stack *s = net_mkstack(port, "w", "198.18.0.2/24", NULL);
    struct atoll_ipv6_config c = {{{0}}, 0, {{0}}};
    if (addr && atoll_ipv6_parse(addr, &c.addr, &c.prefix) < 0)
        harness_fail(__FILE__, __LINE__, "bad address");
    NCHECK_EQ(atoll_stack_ipv6_enable(s, addr ? &c : NULL), 0);
    return s;
}

/* The host the test plays: its MAC and link-local address. */
struct host {
    struct atoll_netif *nif;
    uint8_t mac[6];
    atoll_ipv6_t ll;
};

static void host_open(struct host *h)
{
    struct atoll_netif_info info;
    h->nif = net_raw("host", "w");
    atoll_netif_info(h->nif, &info);
    memcpy(h->mac, info.mac, 6);
    net_ipv6_link_local(h->mac, &h->ll);
}

/* Send an IPv6 packet: `next`, hop limit, payload (an ICMPv6 message gets
 * its checksum when `csum` is set: the offset of its checksum field). */
static void host_send(struct host *h, const uint8_t dmac[6],
                      const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                      uint8_t next, uint8_t hop, const void *pl, size_t len,
                      bool icmp)
{
    uint8_t f[1600];
    struct net_eth_hdr e;
    memcpy(e.dst, dmac, 6);
    memcpy(e.src, h->mac, 6);
    e.type = NET_ETHTYPE_IPV6;
    net_eth_write(f, &e);
    struct net_ipv6_hdr ip = {.payload_len = (uint16_t)len,
                              .next = next,
                              .hop_limit = hop,
                              .src = *src,
                              .dst = *dst};
    net_ipv6_write(f + 14, &ip);
    memcpy(f + 54, pl, len);
    if (icmp)
        net_icmp6_finish(f + 54, len, src, dst);
    net_raw_send(h->nif, f, 54 + len);
}

/* Tell the stack our MAC for `src` (a solicitation for its address `me`
 * with our link-layer address), and swallow the answer. */
static void host_introduce(struct host *h, struct atoll_stack *s,
                           const atoll_ipv6_t *src, const atoll_ipv6_t *me)
{
    uint8_t ns[32] = {NET_ICMP6_NS};
    memcpy(ns + 8, me->b, 16);
    ns[24] = NET_ND_OPT_SLLA, ns[25] = 1;
    memcpy(ns + 26, h->mac, 6);
    host_send(h, s->info.mac, src, me, NET_IP6_ICMPV6, 255, ns, 32, true);
    atoll_sleep(ATOLL_MS(10));
    net_raw_drain(h->nif);
}

/* Match an ICMPv6 message of `type` (after any hop-by-hop header). */
struct want {
    uint8_t type;
    const atoll_ipv6_t *target; /* NS/NA target, or NULL */
    int hop;                    /* required hop limit, or -1 */
};

static bool is_icmp6(const uint8_t *p, size_t len, void *ctx)
{
    const struct want *w = ctx;
    struct net_eth_hdr e;
    struct net_ipv6_chain c;
    if (net_eth_parse(p, len, &e) < 0 || e.type != NET_ETHTYPE_IPV6 ||
        net_ipv6_walk(p + 14, len - 14, &c) < 0 || c.proto != NET_IP6_ICMPV6 ||
        14 + c.off + 24 > len + (w->target ? 0 : 16))
        return false;
    const uint8_t *m = p + 14 + c.off;
    if (m[0] != w->type || (w->hop >= 0 && p[14 + 7] != w->hop))
        return false;
    return !w->target || !memcmp(m + 8, w->target->b, 16);
}

static int wait6(struct host *h, struct want w, uint8_t *out,
                 atoll_time_t deadline)
{
    return net_raw_wait(h->nif, is_icmp6, &w, out, 1600, deadline);
}

static int addr_state(struct atoll_stack *s, const atoll_ipv6_t *a)
{
    struct atoll_ipv6_addr_info info[NET_IPV6_ADDRS_MAX];
    int n = atoll_stack_ipv6_addrs(s, info, NET_IPV6_ADDRS_MAX);
    for (int i = 0; i < n && i < NET_IPV6_ADDRS_MAX; i++)
        if (!memcmp(&info[i].addr, a, 16))
            return info[i].state;
    return 0;
}

/* ---- start, NS/NA, echo, unreachability detection ------------------------ */

static int basic_main(void *arg)
{
    struct host h;
    host_open(&h);
    struct atoll_stack *s = mk6("a", "2001:db8::2/64");
    atoll_ipv6_t me = A("2001:db8::2"), ll, peer = A("2001:db8::9");
    net_ipv6_link_local(s->info.mac, &ll);
    uint8_t f[1600];

    /* DAD: a solicitation from :: for each address, hop limit 255, after
     * an MLDv2 report (with hop limit 1) of their solicited-node group. */
    NCHECK(wait6(&h, (struct want){NET_ICMP6_MLD2_REPORT, NULL, 1}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_NS, &me, 255}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    atoll_ipv6_t zero = {{0}};
    NCHECK(!memcmp(f + 14 + 8, zero.b, 16));
    NCHECK_EQ(addr_state(s, &me), ATOLL_IPV6_TENTATIVE);
    atoll_sleep(ATOLL_MS(1100));
    NCHECK_EQ(addr_state(s, &me), ATOLL_IPV6_PREFERRED);
    NCHECK_EQ(addr_state(s, &ll), ATOLL_IPV6_PREFERRED);

    /* A solicitation for our address is answered: solicited, override,
     * our MAC as target link-layer address. */
    atoll_ipv6_t sn;
    uint8_t smac[6];
    net_ipv6_solicited_node(&me, &sn);
    net_ipv6_multicast_mac(&sn, smac);
    uint8_t ns[32] = {NET_ICMP6_NS};
    memcpy(ns + 8, me.b, 16);
    ns[24] = NET_ND_OPT_SLLA, ns[25] = 1;
    memcpy(ns + 26, h.mac, 6);
    host_send(&h, smac, &peer, &sn, NET_IP6_ICMPV6, 255, ns, 32, true);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_NA, &me, 255}, f,
                 atoll_after(ATOLL_MS(100))) == 14 + 40 + 32);
    NCHECK_EQ(net_get32(f + 54 + 4), NET_ND_NA_SOLICITED | NET_ND_NA_OVERRIDE);
    NCHECK(!memcmp(f + 54 + 26, s->info.mac, 6));
    NCHECK(!memcmp(f, h.mac, 6)); /* unicast, to the MAC it learned */
    /* Learned STALE from the solicitation, and sending the answer
     * through it started DELAY (RFC 4861 7.3.3). */
    struct nd_entry *e = net_nd_find(s, &peer);
    NCHECK(e && e->state == ND_DELAY);

    /* Echo: the same bytes come back. */
    uint8_t echo[8 + 100] = {NET_ICMP6_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1};
    for (int i = 8; i < (int)sizeof echo; i++)
        echo[i] = (uint8_t)(i * 7);
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, echo,
              sizeof echo, true);
    int n = wait6(&h, (struct want){NET_ICMP6_ECHO_REPLY, NULL, -1}, f,
                  atoll_after(ATOLL_MS(100)));
    NCHECK_EQ(n, 14 + 40 + (int)sizeof echo);
    NCHECK(!memcmp(f + 54 + 4, echo + 4, sizeof echo - 4));
    NCHECK(!memcmp(f + 14 + 24, peer.b, 16));
    NCHECK_EQ(net_icmp6_csum(&me, &peer, f + 54, sizeof echo), 0);
    NCHECK_EQ(e->state, ND_DELAY);

    /* No confirmation within the DELAY time: unicast probes (PROBE), and
     * a solicited advertisement makes it REACHABLE. */
    NCHECK(wait6(&h, (struct want){NET_ICMP6_NS, &peer, 255}, f,
                 atoll_after(NET_ND_DELAY_NS + ATOLL_MS(100))) > 0);
    NCHECK(!memcmp(f, h.mac, 6));
    NCHECK_EQ(e->state, ND_PROBE);
    uint8_t na[32] = {NET_ICMP6_NA};
    net_put32(na + 4, NET_ND_NA_SOLICITED);
    memcpy(na + 8, peer.b, 16);
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 255, na, 24, true);
    atoll_sleep(ATOLL_MS(10));
    NCHECK_EQ(e->state, ND_REACHABLE);

    /* After the reachable time it is STALE; used again and never
     * answering, it goes DELAY, PROBE (3 probes) and away. */
    atoll_sleep(NET_ND_REACHABLE_NS + ATOLL_MS(10));
    NCHECK_EQ(e->state, ND_STALE);
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, echo,
              sizeof echo, true);
    atoll_sleep(NET_ND_DELAY_NS + ATOLL_MS(500));
    NCHECK_EQ(e->state, ND_PROBE);
    atoll_sleep(NET_ND_MAX_UCAST_SOLICIT * NET_ND_RETRANS_NS);
    NCHECK(net_nd_find(s, &peer) == NULL);

    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.nd_drop, 0);
    NCHECK_EQ(st.ip6_drop, 0);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "DAD and MLD at start, NS answered, echo, NUD states")
{
    net_sim_begin("ipv6-basic", 1, clean);
    CHECK_EQ(atoll_test_run(0, basic_main, NULL), 0);
    net_sim_end();
}

/* ---- hop limit 255, malformed ND counted ----------------------------------
 */

static int hop_main(void *arg)
{
    struct host h;
    host_open(&h);
    struct atoll_stack *s = mk6("a", "2001:db8::2/64");
    atoll_sleep(ATOLL_MS(1100));
    atoll_ipv6_t me = A("2001:db8::2"), peer = A("2001:db8::9");
    net_raw_drain(h.nif);
    uint8_t ns[32] = {NET_ICMP6_NS};
    memcpy(ns + 8, me.b, 16);
    ns[24] = NET_ND_OPT_SLLA, ns[25] = 1;
    memcpy(ns + 26, h.mac, 6);
    /* Forwarded by a router (hop limit 254): ignored and counted. */
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 254, ns, 32, true);
    /* A zero-length option: malformed. */
    ns[25] = 0;
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 255, ns, 32, true);
    uint8_t f[1600];
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_NA, &me, -1}, f,
                    atoll_after(ATOLL_MS(200))),
              -ATOLL_ETIMEDOUT);
    NCHECK(net_nd_find(s, &peer) == NULL);
    /* A bad checksum is an ICMPv6 drop. */
    ns[25] = 1;
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 255, ns, 32, false);
    atoll_sleep(ATOLL_MS(10));
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.nd_drop, 2);
    NCHECK_EQ(st.icmp6_drop, 1);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "ND with a hop limit other than 255 or bad options is dropped")
{
    net_sim_begin("ipv6-hop", 2, clean);
    CHECK_EQ(atoll_test_run(0, hop_main, NULL), 0);
    net_sim_end();
}

/* ---- a duplicate address --------------------------------------------------
 */

static int dad_main(void *arg)
{
    struct host h;
    host_open(&h);
    struct atoll_stack *s = mk6("a", "2001:db8::2/64");
    atoll_ipv6_t me = A("2001:db8::2");
    uint8_t f[1600];
    NCHECK(wait6(&h, (struct want){NET_ICMP6_NS, &me, 255}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    /* The host already has it: it answers on all-nodes. */
    uint8_t na[32] = {NET_ICMP6_NA};
    net_put32(na + 4, NET_ND_NA_OVERRIDE);
    memcpy(na + 8, me.b, 16);
    na[24] = NET_ND_OPT_TLLA, na[25] = 1;
    memcpy(na + 26, h.mac, 6);
    static const uint8_t all_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    host_send(&h, all_mac, &me, &net_ipv6_all_nodes, NET_IP6_ICMPV6, 255, na,
              32, true);
    atoll_sleep(ATOLL_MS(1100));
    NCHECK_EQ(addr_state(s, &me), ATOLL_IPV6_DUPLICATE);
    /* Never used: an echo to it is not answered. */
    atoll_ipv6_t peer = A("2001:db8::9");
    uint8_t echo[8] = {NET_ICMP6_ECHO};
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, echo, 8, true);
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_ECHO_REPLY, NULL, -1}, f,
                    atoll_after(ATOLL_MS(200))),
              -ATOLL_ETIMEDOUT);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "duplicate address detection finds a host that has it")
{
    net_sim_begin("ipv6-dad", 3, clean);
    CHECK_EQ(atoll_test_run(0, dad_main, NULL), 0);
    net_sim_end();
}

/* ---- SLAAC ------------------------------------------------------------------
 */

static int slaac_main(void *arg)
{
    struct host h;
    host_open(&h);
    struct atoll_stack *s = mk6("a", NULL);
    uint8_t f[1600];
    /* A router solicitation to all-routers once the link-local address
     * is ours. */
    NCHECK(wait6(&h, (struct want){NET_ICMP6_RS, NULL, 255}, f,
                 atoll_after(ATOLL_SEC(2))) > 0);
    NCHECK(!memcmp(f + 14 + 24, net_ipv6_all_routers.b, 16));
    NCHECK_EQ(atoll_stack_ipv6_router(s, NULL, NULL), -ATOLL_ENOENT);

    /* The advertisement: lifetime 1800 s, MTU 1400, prefix
     * 2001:db8:1::/64 (on-link, autonomous), our link-layer address. */
    uint8_t ra[16 + 8 + 32 + 8] = {NET_ICMP6_RA, 0, 0, 0, 64, 0, 0x07, 0x08};
    uint8_t *o = ra + 16;
    o[0] = NET_ND_OPT_MTU, o[1] = 1;
    net_put32(o + 4, 1400);
    o += 8;
    o[0] = NET_ND_OPT_PREFIX, o[1] = 4, o[2] = 64, o[3] = 0xc0;
    net_put32(o + 4, 86400);
    net_put32(o + 8, 14400);
    atoll_ipv6_t pre = A("2001:db8:1::");
    memcpy(o + 16, pre.b, 16);
    o += 32;
    o[0] = NET_ND_OPT_SLLA, o[1] = 1;
    memcpy(o + 2, h.mac, 6);
    static const uint8_t all_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    /* First from a global source: refused (6.1.2). */
    atoll_ipv6_t g = A("2001:db8:1::1");
    host_send(&h, all_mac, &g, &net_ipv6_all_nodes, NET_IP6_ICMPV6, 255, ra,
              sizeof ra, true);
    host_send(&h, all_mac, &h.ll, &net_ipv6_all_nodes, NET_IP6_ICMPV6, 255, ra,
              sizeof ra, true);
    atoll_ipv6_t want;
    net_ipv6_link_local(s->info.mac, &want);
    memcpy(want.b, pre.b, 8);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_NS, &want, 255}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    atoll_sleep(ATOLL_MS(1100));
    NCHECK_EQ(addr_state(s, &want), ATOLL_IPV6_PREFERRED);
    atoll_ipv6_t r;
    uint16_t mtu;
    NCHECK_EQ(atoll_stack_ipv6_router(s, &r, &mtu), 0);
    NCHECK(!memcmp(&r, &h.ll, 16));
    NCHECK_EQ(mtu, 1400);
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.nd_drop, 1);

    /* Off-link traffic goes to the router's MAC: an echo from afar. */
    atoll_ipv6_t far = A("2001:db8:99::5");
    uint8_t echo[16] = {NET_ICMP6_ECHO, 0, 0, 0, 0, 7, 0, 1};
    host_send(&h, s->info.mac, &far, &want, NET_IP6_ICMPV6, 60, echo,
              sizeof echo, true);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_ECHO_REPLY, NULL, -1}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    NCHECK(!memcmp(f, h.mac, 6));
    NCHECK(!memcmp(f + 14 + 24, far.b, 16));
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "SLAAC: router solicitation, address, router and MTU from RA")
{
    net_sim_begin("ipv6-slaac", 4, clean);
    CHECK_EQ(atoll_test_run(0, slaac_main, NULL), 0);
    net_sim_end();
}

/* ---- extension headers on the wire -----------------------------------------
 */

static int ext_main(void *arg)
{
    struct host h;
    host_open(&h);
    struct atoll_stack *s = mk6("a", "2001:db8::2/64");
    atoll_sleep(ATOLL_MS(1100));
    atoll_ipv6_t me = A("2001:db8::2");
    host_introduce(&h, s, &h.ll, &me);
    uint8_t f[1600];
    /* A routing header type 0 with a segment left, then an echo: a
     * parameter problem (code 0) pointing at its type field. */
    uint8_t rh0[24 + 8] = {NET_IP6_ICMPV6, 2, 0, 1};
    rh0[24] = NET_ICMP6_ECHO;
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_ROUTING, 64, rh0, sizeof rh0,
              false);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_PARAM_PROB, NULL, -1}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    NCHECK_EQ(f[54 + 1], 0);
    NCHECK_EQ(net_get32(f + 54 + 4), 42);
    /* The same echo behind a hop-by-hop and a destination options header
     * (PadN) is answered. */
    uint8_t ok[8 + 8 + 8] = {NET_IP6_DSTOPTS, 0, 1, 4};
    ok[8] = NET_IP6_ICMPV6, ok[10] = 1, ok[11] = 4;
    ok[16] = NET_ICMP6_ECHO;
    atoll_ipv6_t src = h.ll;
    net_put16(ok + 16 + 2, net_icmp6_csum(&src, &me, ok + 16, 8));
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_HOPOPTS, 64, ok, sizeof ok,
              false);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_ECHO_REPLY, NULL, -1}, f,
                 atoll_after(ATOLL_MS(100))) > 0);
    /* A fragment (no reassembly yet) is counted, not answered. */
    uint8_t fr[8 + 8] = {NET_IP6_ICMPV6, 0, 0, 1, 0, 0, 0, 1};
    fr[8] = NET_ICMP6_ECHO;
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_FRAGMENT, 64, fr, sizeof fr,
              false);
    atoll_sleep(ATOLL_MS(10));
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_drop, 1);
    NCHECK_EQ(st.ip6_frag_drop, 1);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "extension headers: RH0 refused, options skipped, fragments")
{
    net_sim_begin("ipv6-ext", 5, clean);
    CHECK_EQ(atoll_test_run(0, ext_main, NULL), 0);
    net_sim_end();
}
