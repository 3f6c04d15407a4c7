/*
 * tests/sim/dhcp_client.c - the DHCP client (lib/net/dhcp.c) against a
 * fake DHCP server on the simulated wire: a second stack (198.18.0.1/24)
 * whose fiber answers on UDP port 67 the way a test asks - normally, not
 * at all after the first lease (a server that disappears), with a NAK,
 * with garbage first, or offering an address another host already holds.
 * On the virtual clock leases of a few minutes run out in no real time,
 * so renewal at T1, rebinding at T2 and expiry are checked to the second.
 */
#include "net_util.h"

#include "../../lib/net/dhcp_int.h"
#include "atoll/dhcp.h"
#include "dhcp_fake.h"

static struct fake fk;
static atoll_fiber *srv_fiber;

static void fake_start(void)
{
    fk.srv = net_mkstack("srv", "w", "198.18.0.1/24", NULL);
    if (atoll_udp_bind(fk.srv, 67, &fk.u) < 0)
        harness_fail(__FILE__, __LINE__, "bind 67");
    atoll_fiber_spawn(&srv_fiber, "fake dhcpd", server_main, &fk, 0);
}

static void fake_stop(void)
{
    fk.stopped = true;
    atoll_fiber_join(srv_fiber, ATOLL_NEVER, NULL);
    atoll_udp_close(fk.u);
    atoll_stack_destroy(fk.srv);
}

static struct atoll_stack *client(void)
{
    char err[256] = "";
    if (plat_net_attach("cli", "w", err, sizeof err) < 0)
        harness_fail(__FILE__, __LINE__, "attach: %s", err);
    struct atoll_netif *nif;
    if (atoll_netif_open_default("cli", &nif) < 0)
        harness_fail(__FILE__, __LINE__, "open");
    struct atoll_stack *s;
    int r =
        atoll_stack_create_dhcp("cli", nif, atoll_after(ATOLL_SEC(120)), &s);
    if (r < 0)
        harness_fail(__FILE__, __LINE__, "no lease: %s", atoll_strerror(r));
    return s;
}

static void defaults(void)
{
    memset(&fk, 0, sizeof fk);
    fk.offer[0] = 0xc6120032u; /* .50 */
    fk.offer[1] = 0xc6120033u;
    fk.lease = 3600;
    fk.t1 = 1800;
    fk.t2 = 3150;
}

/* ---- a lease ---------------------------------------------------------------
 */

static int lease_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *s = client();
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120032u);
    NCHECK_EQ(c.prefix, 24);
    NCHECK_EQ(c.gateway, ROUTER);
    atoll_ipv4_t dns[4];
    NCHECK_EQ(atoll_stack_dns_servers(s, dns, 4), 1);
    NCHECK_EQ(dns[0], DNS1);
    struct atoll_dhcp_lease l;
    atoll_dhcp_lease(atoll_dhcp_of(s), &l);
    NCHECK_EQ(l.state, ATOLL_DHCP_BOUND);
    NCHECK_EQ(l.lease_s, 3600);
    NCHECK_EQ(l.server, SRV);
    /* the address works: the server pings us */
    NCHECK(atoll_icmp_ping(fk.srv, atoll_addr4(0xc6120032u), 1, 56,
                           atoll_after(ATOLL_SEC(2))) >= 0);
    struct atoll_dhcp_stats st;
    atoll_dhcp_stats(atoll_dhcp_of(s), &st);
    NCHECK_EQ(st.discovers, 1);
    NCHECK_EQ(st.requests, 1);
    NCHECK_EQ(st.leases, 1);
    NCHECK_EQ(st.dropped, 0);
    atoll_stack_destroy(s);
    fake_stop();
    return 0;
}

TEST(dhcp, "DISCOVER/OFFER/REQUEST/ACK sets address, prefix, gateway, DNS")
{
    defaults();
    net_sim_begin("dhcp-lease", 1, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, lease_main, NULL), 0);
    net_sim_end();
}

/* ---- lost packets
 * ------------------------------------------------------------ */

static int lossy_main(void *arg)
{
    (void)arg;
    fake_start();
    atoll_time_t t0 = atoll_now();
    struct atoll_stack *s = client();
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120032u);
    struct atoll_dhcp_stats st;
    atoll_dhcp_stats(atoll_dhcp_of(s), &st);
    printf("       lossy: %llu discovers, %llu requests, %.1f s\n",
           (unsigned long long)st.discovers, (unsigned long long)st.requests,
           (double)(atoll_now() - t0) / 1e9);
    NCHECK(st.discovers + st.requests > 2); /* something was resent */
    atoll_stack_destroy(s);
    fake_stop();
    return 0;
}

TEST(dhcp, "with 50% of frames lost the client retransmits and gets a lease")
{
    defaults();
    net_sim_begin("dhcp-loss", 3, (struct atoll_sim_wire_opts){.loss = 0.5});
    CHECK_EQ(atoll_test_run(64 << 20, lossy_main, NULL), 0);
    net_sim_end();
}

/* ---- renewal
 * ----------------------------------------------------------------- */

static int renew_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *s = client();
    struct atoll_dhcp *d = atoll_dhcp_of(s);
    struct atoll_dhcp_lease l;
    atoll_dhcp_lease(d, &l);
    atoll_time_t got = l.acquired;
    /* just before T1 nothing was sent; just after, a unicast renewal */
    atoll_sleep_until(got + ATOLL_SEC(1800) - ATOLL_MS(10));
    NCHECK_EQ(fk.renewals, 0);
    atoll_sleep_until(got + ATOLL_SEC(1801));
    NCHECK_EQ(fk.renewals, 1);
    NCHECK(fk.first_renew >= got + ATOLL_SEC(1800));
    atoll_dhcp_lease(d, &l);
    NCHECK_EQ(l.state, ATOLL_DHCP_BOUND);
    NCHECK(l.acquired >= got + ATOLL_SEC(1800)); /* renewed */
    NCHECK_EQ(fk.discovers, 1);
    /* and again at the next T1, counted from the renewal */
    atoll_sleep_until(l.acquired + ATOLL_SEC(1801));
    NCHECK_EQ(fk.renewals, 2);
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120032u);
    atoll_stack_destroy(s);
    fake_stop();
    return 0;
}

TEST(dhcp, "renews by unicast at T1 and keeps its address")
{
    defaults();
    net_sim_begin("dhcp-renew", 2, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, renew_main, NULL), 0);
    net_sim_end();
}

/* ---- the server disappears ------------------------------------------------
 */

static int vanish_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *s = client();
    struct atoll_dhcp *d = atoll_dhcp_of(s);
    struct atoll_dhcp_lease l;
    atoll_dhcp_lease(d, &l);
    atoll_time_t got = l.acquired;
    atoll_sleep_until(got + ATOLL_SEC(1800) + ATOLL_SEC(1));
    atoll_dhcp_lease(d, &l);
    NCHECK_EQ(l.state, ATOLL_DHCP_RENEWING);
    atoll_sleep_until(got + ATOLL_SEC(3150) + ATOLL_SEC(1));
    atoll_dhcp_lease(d, &l);
    NCHECK_EQ(l.state, ATOLL_DHCP_REBINDING);
    NCHECK(fk.renewals >= 2); /* retransmitted while renewing */
    NCHECK(fk.first_renew >= got + ATOLL_SEC(1800));
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120032u); /* still ours until expiry */
    atoll_sleep_until(got + ATOLL_SEC(3600) - ATOLL_MS(1));
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120032u);
    atoll_sleep_until(got + ATOLL_SEC(3601));
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0); /* expired: unconfigured */
    struct atoll_dhcp_stats st;
    atoll_dhcp_stats(d, &st);
    NCHECK_EQ(st.expiries, 1);
    NCHECK(fk.last_renew >= got + ATOLL_SEC(3150)); /* rebinding tries */
    atoll_sleep_until(got + ATOLL_SEC(3700));
    NCHECK(fk.discovers >= 2); /* looking for a server again */
    atoll_dhcp_lease(d, &l);
    NCHECK_EQ(l.state, ATOLL_DHCP_SELECTING);
    atoll_stack_destroy(s);
    fake_stop();
    return 0;
}

TEST(dhcp,
     "server gone: renewing at T1, rebinding at T2, unconfigured at expiry")
{
    defaults();
    fk.vanish_after_ack = true;
    net_sim_begin("dhcp-vanish", 4, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, vanish_main, NULL), 0);
    net_sim_end();
}

/* ---- conflicts, NAK, garbage
 * ------------------------------------------------- */

/* A host that already uses .50 and answers ARP for it, probes from
 * 0.0.0.0 included (RFC 5227 2.1.1), as Linux does. */
static bool squat_stop;
static int squatter_main(void *arg)
{
    struct atoll_netif *nif = arg;
    const uint8_t mac[6] = {2, 0, 0, 0, 0, 0x50};
    while (!squat_stop) {
        struct atoll_buf *b;
        if (atoll_netif_recv(nif, &b, 1, atoll_after(ATOLL_MS(100))) < 1)
            continue;
        struct net_arp a;
        if (b->len >= 14 + 28 && b->data[12] == 8 && b->data[13] == 6 &&
            net_arp_parse(b->data + 14, b->len - 14, &a) == 0 &&
            a.op == NET_ARP_REQUEST && a.tpa == 0xc6120032u) {
            uint8_t f[60] = {0};
            memcpy(f, a.sha, 6);
            memcpy(f + 6, mac, 6);
            f[12] = 8;
            f[13] = 6;
            struct net_arp r = {NET_ARP_REPLY, {0}, 0xc6120032u, {0}, a.spa};
            memcpy(r.sha, mac, 6);
            memcpy(r.tha, a.sha, 6);
            net_arp_write(f + 14, &r);
            net_raw_send(nif, f, sizeof f);
        }
        atoll_buf_free(b);
    }
    return 0;
}

static int conflict_main(void *arg)
{
    (void)arg;
    fake_start();
    atoll_fiber *sq;
    atoll_fiber_spawn(&sq, "squatter", squatter_main, net_raw("sq", "w"), 0);
    struct atoll_stack *s = client();
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120033u); /* the second offer */
    struct atoll_dhcp_stats st;
    atoll_dhcp_stats(atoll_dhcp_of(s), &st);
    NCHECK_EQ(st.conflicts, 1);
    NCHECK_EQ(st.declines, 1);
    NCHECK_EQ(fk.declines, 1);
    atoll_stack_destroy(s);
    squat_stop = true;
    atoll_fiber_join(sq, ATOLL_NEVER, NULL);
    fake_stop();
    return 0;
}

TEST(dhcp, "an address that answers ARP is declined; the next one is taken")
{
    defaults();
    net_sim_begin("dhcp-conflict", 5, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, conflict_main, NULL), 0);
    net_sim_end();
}

static int nak_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *s = client();
    struct atoll_dhcp_stats st;
    atoll_dhcp_stats(atoll_dhcp_of(s), &st);
    NCHECK_EQ(st.naks, 1);
    NCHECK_EQ(st.discovers, 2); /* back to INIT after the NAK */
    NCHECK_EQ(st.leases, 1);
    atoll_stack_destroy(s);
    fake_stop();
    return 0;
}

TEST(dhcp, "a NAK sends the client back to DISCOVER")
{
    defaults();
    fk.nak_first = true;
    net_sim_begin("dhcp-nak", 6, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, nak_main, NULL), 0);
    net_sim_end();
}

static int garbage_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *s = client();
    struct atoll_stack_config c;
    atoll_stack_config(s, &c);
    NCHECK_EQ(c.addr, 0xc6120032u);
    struct atoll_dhcp_stats st;
    atoll_dhcp_stats(atoll_dhcp_of(s), &st);
    NCHECK(st.dropped >= 8); /* 4 bad replies before OFFER and ACK each */
    NCHECK_EQ(st.leases, 1);
    atoll_stack_destroy(s);
    fake_stop();
    return 0;
}

TEST(dhcp, "malformed replies (xid, options past the end, cookie) are dropped")
{
    defaults();
    fk.garbage = true;
    net_sim_begin("dhcp-garbage", 8, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, garbage_main, NULL), 0);
    net_sim_end();
}

TEST(dhcp, "the reply checker: a good ACK passes; hostile variants fail")
{
    uint8_t q[300] = {0}, p[400];
    const uint8_t mac[6] = {2, 0, 0, 0, 0, 9};
    q[4] = 0xaa;
    memcpy(q + 28, mac, 6);
    defaults();
    size_t n = reply(&fk, q, 5, 0xc6120032u, p);
    CHECK_EQ(net_dhcp_parse_reply(p, n, 0xaa000000u, mac), 5);
    CHECK_EQ(net_dhcp_parse_reply(p, 239, 0xaa000000u, mac), -ATOLL_EBADMSG);
    CHECK_EQ(net_dhcp_parse_reply(p, n, 0xab000000u, mac), -ATOLL_EBADMSG);
    const uint8_t other[6] = {2, 0, 0, 0, 0, 8};
    CHECK_EQ(net_dhcp_parse_reply(p, n, 0xaa000000u, other), -ATOLL_EBADMSG);
    p[0] = 1; /* a request, not a reply */
    CHECK_EQ(net_dhcp_parse_reply(p, n, 0xaa000000u, mac), -ATOLL_EBADMSG);
    p[0] = 2;
    p[244] = 3; /* the server id option with length 3 */
    CHECK_EQ(net_dhcp_parse_reply(p, n, 0xaa000000u, mac), -ATOLL_EBADMSG);
    n = reply(&fk, q, 5, 0xffffffffu, p); /* broadcast as our address */
    CHECK_EQ(net_dhcp_parse_reply(p, n, 0xaa000000u, mac), -ATOLL_EBADMSG);
}
