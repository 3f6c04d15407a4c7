/*
 * tests/sim/net_ipv6.c - IPv6, ICMPv6 and Neighbor Discovery of a stack
 * on a simulated wire, against a "host" the test plays with crafted
 * frames: duplicate address detection and MLD reports at start, neighbor
 * solicitation and echo, unreachability detection through its states,
 * hop limits other than 255 ignored, a duplicate found, SLAAC from a
 * router advertisement, a routing header type 0 refused, reassembly
 * (out of order, duplicates, overlaps, RFC 7112, lengths, timeout),
 * fragmentation on send, Packet Too Big and the path MTU, the ICMPv6
 * error rate limit, and atoll_icmp_ping's requests and what ends them.
 */
#include "../../lib/net/ipv6_int.h"
#include "atoll/icmp.h"
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

/* The usual start: the host, a stack at 2001:db8::2/64 (*me) past its
 * duplicate address detection, and our link-local MAC known to it. */
static struct atoll_stack *ready6(struct host *h, atoll_ipv6_t *me)
{
    host_open(h);
    struct atoll_stack *s = mk6("a", "2001:db8::2/64");
    atoll_sleep(ATOLL_MS(1100));
    *me = A("2001:db8::2");
    host_introduce(h, s, &h->ll, me);
    return s;
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
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_ND_HOP_LIMIT], 1);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_ND_MALFORMED], 1);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_ICMP_CSUM], 1);
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

/* ---- the configuration API -------------------------------------------------
 */

static struct atoll_ipv6_addr_info ai(const char *a, uint8_t prefix)
{
    struct atoll_ipv6_addr_info x = {A(a), prefix, 0, 0};
    return x;
}

/* A stack on port `port` made by the wiring from --ipv6 / --ipv6-gateway
 * (NULL: not given); its error, *out the stack. */
static int wired(const char *port, const char *v6, const char *gw6,
                 struct atoll_stack **out)
{
    char err[256] = "";
    if (plat_net_attach(port, "w", err, sizeof err) < 0)
        harness_fail(__FILE__, __LINE__, "attach %s: %s", port, err);
    struct atoll_arg_value args[5] = {{0, "198.18.0.2/24", false},
                                      {0, "", false},
                                      {0, NULL, false},
                                      {0, v6 ? v6 : "", false},
                                      {0, gw6 ? gw6 : "", false}};
    *out = NULL;
    return atoll_stack_open_default(port, args, out);
}

static int config_main(void *arg)
{
    struct atoll_netif *nif = net_raw("a", "w");
    /* Two static addresses and a gateway on one of their prefixes. */
    struct atoll_stack_config c = {
        .addr = 0xc6120002,
        .prefix = 24,
        .ipv6 = ATOLL_STACK_IPV6_STATIC,
        .naddrs6 = 2,
        .addrs6 = {ai("2001:db8::2", 64), ai("fd00:12::2", 48)},
        .gateway6 = A("fd00:12::1")};
    struct atoll_stack *s;
    NCHECK_EQ(atoll_stack_create("a", nif, &c, &s), 0);
    struct atoll_stack_config got;
    atoll_stack_config(s, &got);
    NCHECK_EQ(got.addr, 0xc6120002);
    NCHECK_EQ(got.ipv6, ATOLL_STACK_IPV6_STATIC);
    NCHECK_EQ(got.naddrs6, 3);
    NCHECK_EQ(got.addrs6[0].origin, ATOLL_IPV6_LINK_LOCAL);
    NCHECK(net_ipv6_is_link_local(&got.addrs6[0].addr));
    NCHECK(!memcmp(&got.addrs6[1].addr, &c.addrs6[0].addr, 16));
    NCHECK(!memcmp(&got.addrs6[2].addr, &c.addrs6[1].addr, 16));
    NCHECK_EQ(got.addrs6[2].prefix, 48);
    NCHECK_EQ(got.addrs6[2].origin, ATOLL_IPV6_STATIC);
    NCHECK_EQ(got.addrs6[2].state, ATOLL_IPV6_TENTATIVE);
    NCHECK(!memcmp(&got.gateway6, &c.gateway6, 16));
    NCHECK_EQ(got.mtu6, 1500);
    atoll_sleep(ATOLL_MS(1100)); /* duplicate address detection passed */
    atoll_stack_config(s, &got);
    for (int i = 0; i < 3; i++)
        NCHECK_EQ(got.addrs6[i].state, ATOLL_IPV6_PREFERRED);
    atoll_stack_destroy(s);
    /* Refused: a link-local static address, a gateway on no prefix of
     * ours, STATIC without addresses, a mode that does not exist. */
    struct atoll_stack_config bad = c;
    bad.addrs6[1] = ai("fe80::2", 64);
    NCHECK_EQ(atoll_stack_create("a", nif, &bad, &s), -ATOLL_EINVAL);
    bad = c;
    bad.gateway6 = A("2001:db8:77::1");
    NCHECK_EQ(atoll_stack_create("a", nif, &bad, &s), -ATOLL_EINVAL);
    bad = c;
    bad.naddrs6 = 0;
    NCHECK_EQ(atoll_stack_create("a", nif, &bad, &s), -ATOLL_EINVAL);
    bad = c;
    bad.ipv6 = 7;
    NCHECK_EQ(atoll_stack_create("a", nif, &bad, &s), -ATOLL_EINVAL);
    /* IPv4 only: nothing of IPv6 to see. */
    struct atoll_stack_config v4 = {.addr = 0xc6120002, .prefix = 24};
    NCHECK_EQ(atoll_stack_create("a", nif, &v4, &s), 0);
    atoll_stack_config(s, &got);
    NCHECK_EQ(got.ipv6, ATOLL_STACK_IPV6_OFF);
    NCHECK_EQ(got.naddrs6, 0);
    atoll_stack_destroy(s);
    /* The wiring: --ipv6 with two addresses, --ipv6-gateway. */
    NCHECK_EQ(wired("b", "2001:db8::5/64,fd00::5/64", "fe80::1", &s), 0);
    atoll_stack_config(s, &got);
    NCHECK_EQ(got.ipv6, ATOLL_STACK_IPV6_STATIC);
    NCHECK_EQ(got.naddrs6, 3);
    NCHECK(!memcmp(&got.addrs6[2].addr, A("fd00::5").b, 16));
    NCHECK(!memcmp(&got.gateway6, A("fe80::1").b, 16));
    atoll_stack_destroy(s);
    NCHECK_EQ(wired("c", NULL, NULL, &s), 0); /* SLAAC */
    atoll_stack_config(s, &got);
    NCHECK_EQ(got.ipv6, ATOLL_STACK_IPV6_SLAAC);
    NCHECK_EQ(got.naddrs6, 1);
    atoll_stack_destroy(s);
    NCHECK_EQ(wired("d", "off", NULL, &s), 0);
    atoll_stack_config(s, &got);
    NCHECK_EQ(got.ipv6, ATOLL_STACK_IPV6_OFF);
    atoll_stack_destroy(s);
    NCHECK_EQ(wired("e", "2001:db8::5/64,nonsense", NULL, &s), -ATOLL_EINVAL);
    NCHECK_EQ(wired("f", "2001:db8::5/64,", "2001:db8:1::1", &s),
              -ATOLL_EINVAL); /* the gateway on no prefix of ours */
    NCHECK_EQ(
        wired("g", "1::1/64,2::1/64,3::1/64,4::1/64,5::1/64,6::1/64", NULL, &s),
        -ATOLL_EINVAL); /* more than NET_IPV6_ADDRS_MAX - 1 */
    return 0;
}

TEST(net_ipv6, "the configuration API: static addresses in and every address, "
               "router and MTU out; the wiring's --ipv6 list")
{
    net_sim_begin("ipv6-config", 12, clean);
    CHECK_EQ(atoll_test_run(0, config_main, NULL), 0);
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
    /* The same through the configuration API: SLAAC, the link-local and
     * the SLAAC address with their prefixes, the router, the MTU. */
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.ipv6, ATOLL_STACK_IPV6_SLAAC);
    NCHECK_EQ(c.naddrs6, 2);
    NCHECK_EQ(c.addrs6[0].origin, ATOLL_IPV6_LINK_LOCAL);
    NCHECK(!memcmp(&c.addrs6[1].addr, &want, 16));
    NCHECK_EQ(c.addrs6[1].prefix, 64);
    NCHECK_EQ(c.addrs6[1].origin, ATOLL_IPV6_SLAAC);
    NCHECK_EQ(c.addrs6[1].state, ATOLL_IPV6_PREFERRED);
    NCHECK(!memcmp(&c.gateway6, &h.ll, 16));
    NCHECK_EQ(c.mtu6, 1400);
    NCHECK_EQ(c.addr, 0xc6120002);
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.nd_drop, 1);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_ND_SOURCE], 1);

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
    atoll_ipv6_t me;
    struct atoll_stack *s = ready6(&h, &me);
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
    /* The first fragment of an echo waits for the rest: no answer. */
    uint8_t fr[8 + 8] = {NET_IP6_ICMPV6, 0, 0, 1, 0, 0, 0, 1};
    fr[8] = NET_ICMP6_ECHO;
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_FRAGMENT, 64, fr, sizeof fr,
              false);
    atoll_sleep(ATOLL_MS(10));
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_drop, 1);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_ROUTING], 1);
    NCHECK_EQ(st.ip6_frag_drop, 0);
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_ECHO_REPLY, NULL, -1}, f,
                    atoll_after(ATOLL_MS(10))),
              -ATOLL_ETIMEDOUT);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "extension headers: RH0 refused, options skipped, fragment held")
{
    net_sim_begin("ipv6-ext", 5, clean);
    CHECK_EQ(atoll_test_run(0, ext_main, NULL), 0);
    net_sim_end();
}

/* ---- fragments --------------------------------------------------------------
 */

/* Send the fragment [off, off + n) of `msg` (id, more) from src to dst. */
static void host_frag(struct host *h, struct atoll_stack *s,
                      const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                      uint32_t id, const uint8_t *msg, size_t off, size_t n,
                      bool more)
{
    uint8_t p[8 + 1500];
    p[0] = NET_IP6_ICMPV6, p[1] = 0;
    net_put16(p + 2, (uint16_t)(off | more));
    net_put32(p + 4, id);
    memcpy(p + 8, msg + off, n);
    host_send(h, s->info.mac, src, dst, NET_IP6_FRAGMENT, 64, p, 8 + n, false);
}

/* An echo request of 8 + `len` bytes from src to dst, checksummed. */
static void echo_msg(uint8_t *m, size_t len, const atoll_ipv6_t *src,
                     const atoll_ipv6_t *dst)
{
    memset(m, 0, 8);
    m[0] = NET_ICMP6_ECHO;
    net_put16(m + 4, 77), net_put16(m + 6, 1);
    for (size_t i = 0; i < len; i++)
        m[8 + i] = (uint8_t)(i * 7 + 3);
    net_icmp6_finish(m, 8 + len, src, dst);
}

static bool is_frag(const uint8_t *p, size_t len, void *ctx)
{
    (void)ctx;
    return len >= 14 + 48 && net_get16(p + 12) == NET_ETHTYPE_IPV6 &&
           p[14 + 6] == NET_IP6_FRAGMENT;
}

/* Collect the fragments of one packet into out (the fragmentable part);
 * its length, or -1.  *largest: the largest IPv6 packet seen. */
static int collect(struct host *h, uint8_t *out, size_t cap, size_t *largest)
{
    static uint8_t f[1600];
    size_t total = 0, have = 0;
    bool last = false;
    *largest = 0;
    while (!last || have < total) {
        int n = net_raw_wait(h->nif, is_frag, NULL, f, sizeof f,
                             atoll_after(ATOLL_MS(200)));
        if (n < 0)
            return -1;
        size_t plen = net_get16(f + 14 + 4), off = net_get16(f + 54 + 2) & ~7u;
        bool more = net_get16(f + 54 + 2) & 1;
        size_t dl = plen - 8;
        if (40 + plen > *largest)
            *largest = 40 + plen;
        if (off + dl > cap || f[54] != NET_IP6_ICMPV6)
            return -1;
        memcpy(out + off, f + 62, dl);
        have += dl;
        if (!more)
            last = true, total = off + dl;
    }
    return (int)total;
}

static int reasm_main(void *arg)
{
    struct host h;
    atoll_ipv6_t me;
    struct atoll_stack *s = ready6(&h, &me);
    static uint8_t m[8 + 3000], r[8 + 3000];
    echo_msg(m, 3000, &h.ll, &me);
    /* Out of order, the first twice. */
    host_frag(&h, s, &h.ll, &me, 7, m, 2464, 3008 - 2464, false);
    host_frag(&h, s, &h.ll, &me, 7, m, 0, 1232, true);
    host_frag(&h, s, &h.ll, &me, 7, m, 0, 1232, true);
    host_frag(&h, s, &h.ll, &me, 7, m, 1232, 1232, true);
    /* The reply, 3008 bytes over a 1500-byte MTU, comes in fragments. */
    size_t largest;
    NCHECK_EQ(collect(&h, r, sizeof r, &largest), 3008);
    NCHECK(largest <= 1500);
    NCHECK_EQ(r[0], NET_ICMP6_ECHO_REPLY);
    NCHECK_EQ(net_icmp6_csum(&me, &h.ll, r, 3008), 0);
    NCHECK(!memcmp(r + 4, m + 4, 3008 - 4));
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_DUP], 1);
    NCHECK_EQ(st.ip6_frag_drop, 1);
    NCHECK_EQ(st.ip6_drop, 0);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "reassembly out of order with a duplicate; the reply fragmented")
{
    net_sim_begin("ipv6-reasm", 6, clean);
    CHECK_EQ(atoll_test_run(0, reasm_main, NULL), 0);
    net_sim_end();
}

static int frag_bad_main(void *arg)
{
    struct host h;
    atoll_ipv6_t me;
    struct atoll_stack *s = ready6(&h, &me);
    static uint8_t m[8 + 2048];
    uint8_t f[1600];
    struct atoll_stack_stats st;
    echo_msg(m, 2048 - 8, &h.ll, &me);

    /* RFC 5722: an overlap drops both fragments, and the late third. */
    host_frag(&h, s, &h.ll, &me, 2, m, 0, 1024, true);
    host_frag(&h, s, &h.ll, &me, 2, m, 512, 1024, true);
    host_frag(&h, s, &h.ll, &me, 2, m, 1024, 1024, false);
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_ECHO_REPLY, NULL, -1}, f,
                    atoll_after(ATOLL_MS(50))),
              -ATOLL_ETIMEDOUT);
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_OVERLAP], 3);

    /* RFC 7112: a first fragment whose destination options header runs
     * past it: parameter problem code 3. */
    uint8_t p[8 + 16] = {NET_IP6_DSTOPTS, 0, 0, 1, 0, 0, 0, 3};
    p[8] = NET_IP6_ICMPV6, p[9] = 255;
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_FRAGMENT, 64, p, sizeof p,
              false);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_PARAM_PROB, NULL, -1}, f,
                 atoll_after(ATOLL_MS(50))) > 0);
    NCHECK_EQ(f[54 + 1], 3);
    /* Not the last, and not 8n bytes: code 0 at the payload length. */
    host_frag(&h, s, &h.ll, &me, 4, m, 0, 12, true);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_PARAM_PROB, NULL, -1}, f,
                 atoll_after(ATOLL_MS(50))) > 0);
    NCHECK_EQ(f[54 + 1], 0);
    NCHECK_EQ(net_get32(f + 54 + 4), 4);
    /* Past 65535 bytes: code 0 at the fragment offset field. */
    uint8_t far[8 + 16] = {NET_IP6_ICMPV6, 0, 0xff, 0xf8, 0, 0, 0, 6};
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_FRAGMENT, 64, far,
              sizeof far, false);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_PARAM_PROB, NULL, -1}, f,
                 atoll_after(ATOLL_MS(50))) > 0);
    NCHECK_EQ(net_get32(f + 54 + 4), 42);
    /* A lone middle fragment is dropped after 60 s. */
    host_frag(&h, s, &h.ll, &me, 8, m, 8, 8, true);
    atoll_sleep(ATOLL_SEC(59));
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_TIMEOUT], 0);
    atoll_sleep(ATOLL_SEC(2));
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_TIMEOUT], 1);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_CHAIN], 1);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_LEN], 2);
    NCHECK_EQ(st.ip6_frag_drop, 3 + 1 + 2 + 1);
    /* ...without a word: a datagram whose first fragment never came is
     * not reported. */
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_TIME_EXCEED, NULL, -1}, f,
                    atoll_after(ATOLL_MS(10))),
              -ATOLL_ETIMEDOUT);
    /* A first fragment alone: 60 s on, a time exceeded with code 1
     * (fragment reassembly, RFC 8200 4.5) goes to its source, quoting it
     * from its IPv6 header on. */
    host_frag(&h, s, &h.ll, &me, 9, m, 0, 1024, true);
    atoll_sleep(ATOLL_SEC(59));
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_TIME_EXCEED, NULL, -1}, f,
                    atoll_after(ATOLL_MS(10))),
              -ATOLL_ETIMEDOUT);
    /* (our neighbour entry went unconfirmed since the parameter problems
     * above, and was deleted: the host introduces itself again) */
    host_introduce(&h, s, &h.ll, &me);
    atoll_sleep(ATOLL_SEC(2));
    NCHECK_EQ(wait6(&h, (struct want){NET_ICMP6_TIME_EXCEED, NULL, -1}, f,
                    atoll_after(ATOLL_MS(10))),
              14 + 40 + 8 + 40 + 8 + 1024);
    NCHECK_EQ(f[54 + 1], 1);
    NCHECK(!memcmp(f + 14 + 24, h.ll.b, 16));
    NCHECK(!memcmp(f + 14 + 8, me.b, 16));
    NCHECK_EQ(net_icmp6_csum(&me, &h.ll, f + 54, 8 + 40 + 8 + 1024), 0);
    NCHECK_EQ(f[54 + 8 + 6], NET_IP6_FRAGMENT);
    NCHECK_EQ(net_get32(f + 54 + 8 + 40 + 4), 9);
    NCHECK(!memcmp(f + 54 + 8 + 48, m, 1024));
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_FRAG_TIMEOUT], 2);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "fragments: overlap (RFC 5722), chain (RFC 7112), lengths, "
               "age; time exceeded when the first fragment came")
{
    net_sim_begin("ipv6-frag-bad", 7, clean);
    CHECK_EQ(atoll_test_run(0, frag_bad_main, NULL), 0);
    net_sim_end();
}

/* ---- path MTU, error rate ---------------------------------------------------
 */

/* A Packet Too Big from `from` saying `mtu` about a packet src -> dst. */
static void host_ptb(struct host *h, struct atoll_stack *s,
                     const atoll_ipv6_t *from, const atoll_ipv6_t *me,
                     const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                     uint32_t mtu)
{
    uint8_t m[8 + 48] = {NET_ICMP6_PKT_TOO_BIG};
    net_put32(m + 4, mtu);
    struct net_ipv6_hdr q = {.payload_len = 1400,
                             .next = NET_IP6_ICMPV6,
                             .hop_limit = 64,
                             .src = *src,
                             .dst = *dst};
    net_ipv6_write(m + 8, &q);
    m[48] = NET_ICMP6_ECHO_REPLY;
    host_send(h, s->info.mac, from, me, NET_IP6_ICMPV6, 64, m, sizeof m, true);
}

static int pmtu_main(void *arg)
{
    struct host h;
    host_open(&h);
    struct atoll_stack *s = mk6("a", "2001:db8::2/64");
    atoll_sleep(ATOLL_MS(1100));
    atoll_ipv6_t me = A("2001:db8::2"), peer = A("2001:db8::9"),
                 other = A("2001:db8::77");
    host_introduce(&h, s, &peer, &me);
    NCHECK_EQ(net_ipv6_path_mtu(s, &peer), 1500);
    /* Not about a packet of ours, or below 1280: refused. */
    host_ptb(&h, s, &h.ll, &me, &other, &peer, 1300);
    host_ptb(&h, s, &h.ll, &me, &me, &peer, 1000);
    atoll_sleep(ATOLL_MS(10));
    NCHECK_EQ(net_ipv6_path_mtu(s, &peer), 1500);
    host_ptb(&h, s, &h.ll, &me, &me, &peer, 1300);
    atoll_sleep(ATOLL_MS(10));
    NCHECK_EQ(net_ipv6_path_mtu(s, &peer), 1300);
    host_ptb(&h, s, &h.ll, &me, &me, &peer, 1400); /* never up */
    atoll_sleep(ATOLL_MS(10));
    NCHECK_EQ(net_ipv6_path_mtu(s, &peer), 1300);
    NCHECK_EQ(net_ipv6_path_mtu(s, &other), 1500);
    /* A 1408-byte reply now leaves in fragments of at most 1300. */
    static uint8_t m[8 + 1400], r[8 + 1400];
    echo_msg(m, 1400, &peer, &me);
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, m, sizeof m,
              false);
    size_t largest;
    NCHECK_EQ(collect(&h, r, sizeof r, &largest), 1408);
    NCHECK(largest <= 1300);
    NCHECK_EQ(net_icmp6_csum(&me, &peer, r, 1408), 0);
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_ICMP_PTB], 2);
    /* Ten minutes on, the link MTU is tried again (RFC 8201 4). */
    atoll_sleep(ATOLL_SEC(601));
    NCHECK_EQ(net_ipv6_path_mtu(s, &peer), 1500);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6,
     "packet too big lowers the path MTU (RFC 8201), never below 1280")
{
    net_sim_begin("ipv6-pmtu", 8, clean);
    CHECK_EQ(atoll_test_run(0, pmtu_main, NULL), 0);
    net_sim_end();
}

static int rate_main(void *arg)
{
    struct host h;
    atoll_ipv6_t me;
    struct atoll_stack *s = ready6(&h, &me);
    uint8_t f[1600], pl[8] = {0};
    int got = 0;
    for (int i = 0; i < NET_ICMP6_ERRORS_PER_SEC + 50; i++) {
        host_send(&h, s->info.mac, &h.ll, &me, 253, 64, pl, sizeof pl, false);
        if (wait6(&h, (struct want){NET_ICMP6_PARAM_PROB, NULL, -1}, f,
                  atoll_after(ATOLL_MS(2))) > 0)
            got++;
    }
    NCHECK_EQ(got, NET_ICMP6_ERRORS_PER_SEC);
    atoll_sleep(ATOLL_SEC(1));
    host_send(&h, s->info.mac, &h.ll, &me, 253, 64, pl, sizeof pl, false);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_PARAM_PROB, NULL, -1}, f,
                 atoll_after(ATOLL_MS(10))) > 0);
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.ip6_reject[ATOLL_IP6R_PROTO], NET_ICMP6_ERRORS_PER_SEC + 51);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "ICMPv6 errors limited to NET_ICMP6_ERRORS_PER_SEC a second")
{
    net_sim_begin("ipv6-rate", 9, clean);
    CHECK_EQ(atoll_test_run(0, rate_main, NULL), 0);
    net_sim_end();
}

/* ---- UDP ------------------------------------------------------------------
 */

/* A UDP datagram 40000 -> port from src to dst, checksummed unless
 * `zero`. */
static void host_udp(struct host *h, struct atoll_stack *s,
                     const atoll_ipv6_t *src, const atoll_ipv6_t *dst,
                     uint16_t port, bool zero)
{
    uint8_t u[8 + 4] = {0x9c, 0x40, 0, 0, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
    net_put16(u + 2, port);
    if (!zero) {
        uint32_t sum = net_csum_pseudo6(src, dst, NET_IP6_UDP, sizeof u);
        uint16_t c = net_csum_fold(net_csum_add(sum, u, sizeof u));
        net_put16(u + 6, c ? c : 0xffff);
    }
    host_send(h, s->info.mac, src, dst, NET_IP6_UDP, 64, u, sizeof u, false);
}

static int udp_main(void *arg)
{
    struct host h;
    atoll_ipv6_t me;
    struct atoll_stack *s = ready6(&h, &me);
    uint8_t f[1600];
    /* An unbound port: destination unreachable, code 4 (port). */
    host_udp(&h, s, &h.ll, &me, 9, false);
    NCHECK(wait6(&h, (struct want){NET_ICMP6_UNREACH, NULL, -1}, f,
                 atoll_after(ATOLL_MS(50))) > 0);
    NCHECK_EQ(f[54 + 1], 4);
    struct atoll_udp *u;
    NCHECK_EQ(atoll_udp_bind(s, 9, &u), 0);
    /* A zero checksum is refused over IPv6 (RFC 8200 8.1). */
    host_udp(&h, s, &h.ll, &me, 9, true);
    char buf[16];
    atoll_addr_t from;
    uint16_t port;
    NCHECK_EQ(atoll_udp_recvfrom(u, buf, sizeof buf, &from, &port,
                                 atoll_after(ATOLL_MS(20))),
              -ATOLL_ETIMEDOUT);
    host_udp(&h, s, &h.ll, &me, 9, false);
    NCHECK_EQ(atoll_udp_recvfrom(u, buf, sizeof buf, &from, &port,
                                 atoll_after(ATOLL_MS(20))),
              4);
    NCHECK(!memcmp(buf, "ping", 4));
    NCHECK_EQ(from.family, ATOLL_AF_INET6);
    NCHECK(!memcmp(&from.v6, &h.ll, 16));
    NCHECK_EQ(port, 40000);
    struct atoll_stack_stats st;
    atoll_stack_stats(s, &st);
    NCHECK_EQ(st.udp_drop, 2);
    atoll_udp_close(u);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "UDP: port unreachable over ICMPv6, zero checksum refused")
{
    net_sim_begin("ipv6-udp", 10, clean);
    CHECK_EQ(atoll_test_run(0, udp_main, NULL), 0);
    net_sim_end();
}

/* ---- ping over IPv6 --------------------------------------------------------
 */

struct pinger {
    struct atoll_stack *s;
    atoll_addr_t dst;
    uint16_t seq;
    int64_t r;
    bool done;
};

static int ping_fiber(void *arg)
{
    struct pinger *p = arg;
    p->r =
        atoll_icmp_ping(p->s, p->dst, p->seq, 100, atoll_after(ATOLL_SEC(2)));
    p->done = true;
    return 0;
}

/* Start a ping from s to peer; the host reads its request into f (from
 * the Ethernet header on) and returns its length. */
static int ping_start(struct host *h, struct pinger *p, struct atoll_stack *s,
                      const atoll_ipv6_t *peer, uint16_t seq, uint8_t *f)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->dst = atoll_addr6(peer);
    p->seq = seq;
    atoll_fiber_spawn(NULL, "ping", ping_fiber, p, 0);
    return wait6(h, (struct want){NET_ICMP6_ECHO, NULL, -1}, f,
                 atoll_after(ATOLL_MS(100)));
}

static int ping_main(void *arg)
{
    struct host h;
    atoll_ipv6_t me, peer = A("2001:db8::9");
    struct atoll_stack *s = ready6(&h, &me);
    host_introduce(&h, s, &peer, &me);
    static uint8_t f[1600], m[1600];
    struct pinger p;
    /* The request: ICMPv6 echo from our address, 100 bytes of data, a
     * right checksum; answered, the ping returns its round trip. */
    NCHECK_EQ(ping_start(&h, &p, s, &peer, 1, f), 14 + 40 + 8 + 100);
    NCHECK(!memcmp(f + 14 + 8, me.b, 16));
    NCHECK_EQ(net_icmp6_csum(&me, &peer, f + 54, 108), 0);
    NCHECK_EQ(net_get16(f + 54 + 6), 1);
    memcpy(m, f + 54, 108);
    m[0] = NET_ICMP6_ECHO_REPLY;
    atoll_sleep(ATOLL_MS(5));
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, m, 108, true);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(p.done);
    NCHECK(p.r >= ATOLL_MS(5) && p.r < ATOLL_MS(10));
    /* Other data in the reply: -ECORRUPT. */
    NCHECK(ping_start(&h, &p, s, &peer, 2, f) > 0);
    memcpy(m, f + 54, 108);
    m[0] = NET_ICMP6_ECHO_REPLY;
    m[60] ^= 1;
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, m, 108, true);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(p.done);
    NCHECK_EQ(p.r, -ATOLL_ECORRUPT);
    /* A reply with another seq is not ours; then a destination
     * unreachable quoting the request ends the ping: -EHOSTUNREACH. */
    NCHECK(ping_start(&h, &p, s, &peer, 3, f) > 0);
    memcpy(m, f + 54, 108);
    m[0] = NET_ICMP6_ECHO_REPLY;
    m[7] ^= 1;
    host_send(&h, s->info.mac, &peer, &me, NET_IP6_ICMPV6, 64, m, 108, true);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(!p.done);
    memset(m, 0, 8);
    m[0] = NET_ICMP6_UNREACH, m[1] = 3;
    memcpy(m + 8, f + 14, 40 + 108);
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_ICMPV6, 64, m, 8 + 148,
              true);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(p.done);
    NCHECK_EQ(p.r, -ATOLL_EHOSTUNREACH);
    /* An unreachable about somebody else's echo changes nothing. */
    NCHECK(ping_start(&h, &p, s, &peer, 4, f) > 0);
    memcpy(m + 8, f + 14, 40 + 108);
    memcpy(m + 8 + 8, peer.b, 16); /* the quoted source is not ours */
    host_send(&h, s->info.mac, &h.ll, &me, NET_IP6_ICMPV6, 64, m, 8 + 148,
              true);
    atoll_sleep(ATOLL_MS(10));
    NCHECK(!p.done);
    atoll_sleep(ATOLL_SEC(2));
    NCHECK(p.done);
    NCHECK_EQ(p.r, -ATOLL_ETIMEDOUT);
    atoll_stack_destroy(s);
    return 0;
}

TEST(net_ipv6, "ping: the echo request, its reply, other data, an unreachable "
               "about it")
{
    net_sim_begin("ipv6-ping", 11, clean);
    CHECK_EQ(atoll_test_run(0, ping_main, NULL), 0);
    net_sim_end();
}
