/*
 * tests/sim/dns_resolver.c - the stub resolver (lib/net/dns_resolver.c)
 * against a DNS server on the simulated wire: a second stack running the
 * authoritative answerer (lib/net/dns_server.c) over UDP and TCP, which a
 * test can make lose queries, or precede every answer with forgeries (a
 * wrong id, a wrong question, a wrong source port).  Also the forged
 * resolver test double.
 */
#include "net_util.h"

#include "atoll/addr.h"
#include "atoll/dns.h"
#include "atoll/tcp.h"
#include "atoll/udp.h"

#define SRV 0xc6120035u /* 198.18.0.53 */

static const char zone_text[] = "$ORIGIN example.test.\n"
                                "$TTL 300\n"
                                "@ SOA ns h 1 7200 3600 1209600 60\n"
                                "ns A 198.18.0.53\n"
                                "www 100 A 198.18.0.80\n"
                                "www AAAA 2001:db8::80\n"
                                "web CNAME www\n"
                                "chain CNAME web\n";

struct server {
    struct atoll_stack *s;
    struct atoll_udp *u;
    struct atoll_tcp_listener *l;
    struct atoll_dns_zone *z;
    int drop_first; /* queries ignored before answering */
    bool forge;     /* send forgeries before each answer */
    bool stopped;
    int queries, tcp_queries;
    uint16_t ports[64], ids[64];
};

static struct server sv;
static atoll_fiber *udp_f, *tcp_f;

static int udp_main(void *arg)
{
    (void)arg;
    static uint8_t q[1500], r[4096];
    while (!sv.stopped) {
        atoll_addr_t from;
        uint16_t port;
        int n = atoll_udp_recvfrom(sv.u, q, sizeof q, &from, &port,
                                   atoll_after(ATOLL_MS(100)));
        if (n < 12)
            continue;
        if (sv.queries < 64) {
            sv.ports[sv.queries] = port;
            sv.ids[sv.queries] = (uint16_t)(q[0] << 8 | q[1]);
        }
        if (sv.queries++ < sv.drop_first)
            continue;
        int len = atoll_dns_answer(sv.z, q, (size_t)n, r, sizeof r, false);
        if (len <= 0)
            continue;
        if (sv.forge) {
            r[1] ^= 1; /* another id */
            atoll_udp_sendto(sv.u, from, port, r, (size_t)len);
            r[1] ^= 1;
            r[13] ^= 0x20; /* case differs: fine; a letter changed: not */
            r[14] ^= 1;
            atoll_udp_sendto(sv.u, from, port, r, (size_t)len);
            r[13] ^= 0x20;
            r[14] ^= 1;
            /* the right bytes from the wrong port */
            struct atoll_udp *o;
            if (atoll_udp_bind(sv.s, 5353, &o) == 0) {
                atoll_udp_sendto(o, from, port, r, (size_t)len);
                atoll_udp_close(o);
            }
            atoll_udp_sendto(sv.u, from, port, r, 7); /* truncated */
        }
        atoll_udp_sendto(sv.u, from, port, r, (size_t)len);
    }
    return 0;
}

static int tcp_main(void *arg)
{
    (void)arg;
    static uint8_t q[4096], r[65535 + 2];
    while (!sv.stopped) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(sv.l, atoll_after(ATOLL_MS(100)), &c) < 0)
            continue;
        struct atoll_flow *f = atoll_tcp_flow(c);
        atoll_time_t d = atoll_after(ATOLL_SEC(5));
        size_t got = 0, want = 2;
        while (got < want) {
            int n = atoll_flow_read(f, q + got, want - got, d);
            if (n <= 0)
                break;
            got += (size_t)n;
            if (got == 2)
                want = 2 + ((size_t)q[0] << 8 | q[1]);
        }
        if (got == want) {
            sv.tcp_queries++;
            int n = atoll_dns_answer(sv.z, q + 2, want - 2, r + 2, 65535, true);
            if (n > 0) {
                r[0] = (uint8_t)(n >> 8);
                r[1] = (uint8_t)n;
                atoll_flow_write(f, r, (size_t)n + 2, d);
            }
        }
        atoll_flow_close(f);
    }
    return 0;
}

static void server_start(const char *text)
{
    sv.s = net_mkstack("srv", "w", "198.18.0.53/24", NULL);
    char err[128];
    if (atoll_dns_zone_parse(text, strlen(text), NULL, &sv.z, err, sizeof err) <
        0)
        harness_fail(__FILE__, __LINE__, "zone: %s", err);
    if (atoll_udp_bind(sv.s, 53, &sv.u) < 0 ||
        atoll_tcp_listen(sv.s, 53, 8, &sv.l) < 0)
        harness_fail(__FILE__, __LINE__, "bind 53");
    atoll_fiber_spawn(&udp_f, "dns udp", udp_main, NULL, 0);
    atoll_fiber_spawn(&tcp_f, "dns tcp", tcp_main, NULL, 0);
}

static void server_stop(void)
{
    sv.stopped = true;
    atoll_fiber_join(udp_f, ATOLL_NEVER, NULL);
    atoll_fiber_join(tcp_f, ATOLL_NEVER, NULL);
    atoll_udp_close(sv.u);
    atoll_tcp_listener_close(sv.l);
    atoll_dns_zone_free(sv.z);
    atoll_stack_destroy(sv.s);
}

static struct atoll_dns *stub(struct atoll_stack **cs)
{
    *cs = net_mkstack("cli", "w", "198.18.0.2/24", NULL);
    atoll_addr_t server = atoll_addr4(SRV);
    struct atoll_dns *d;
    if (atoll_dns_stub_create(*cs, &server, 1, &d) < 0)
        harness_fail(__FILE__, __LINE__, "stub");
    return d;
}

static void begin(const char *tag, uint64_t seed, double loss)
{
    memset(&sv, 0, sizeof sv);
    net_sim_begin(
        tag, seed,
        (struct atoll_sim_wire_opts){.loss = loss, .delay = ATOLL_US(200)});
}

/* ---- answers and the cache ---------------------------------------------- */

static int basic_main(void *arg)
{
    (void)arg;
    server_start(zone_text);
    struct atoll_stack *cs;
    struct atoll_dns *d = stub(&cs);
    struct atoll_dns_result r;
    atoll_time_t dl = atoll_after(ATOLL_SEC(10));
    NCHECK_EQ(atoll_dns_query(d, "WWW.example.test.", ATOLL_DNS_TYPE_A, &r, dl),
              1);
    NCHECK(!memcmp(r.addr[0], "\xc6\x12\x00\x50", 4));
    NCHECK_EQ(r.ttl, 100);
    NCHECK_EQ(
        atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_AAAA, &r, dl), 1);
    NCHECK(!memcmp(r.addr[0], "\x20\x01\x0d\xb8", 4));
    NCHECK(r.addr[0][15] == 0x80);
    atoll_ipv4_t a = 0;
    NCHECK_EQ(atoll_dns_resolve4(d, "chain.example.test", &a, dl), 1);
    NCHECK_EQ(a, 0xc6120050u);
    NCHECK_EQ(
        atoll_dns_query(d, "chain.example.test", ATOLL_DNS_TYPE_A, &r, dl), 1);
    NCHECK(!strcmp(r.canonical, "www.example.test"));
    NCHECK_EQ(atoll_dns_resolve4(d, "198.18.7.7", &a, dl), 1);
    NCHECK_EQ(a, 0xc6120707u);
    NCHECK_EQ(atoll_dns_query(d, "nope.example.test", ATOLL_DNS_TYPE_A, &r, dl),
              -ATOLL_ENOENT);
    NCHECK_EQ(
        atoll_dns_query(d, "ns.example.test", ATOLL_DNS_TYPE_AAAA, &r, dl),
        -ATOLL_ENOENT); /* NODATA */
    NCHECK_EQ(atoll_dns_query(d, "bad..name", ATOLL_DNS_TYPE_A, &r, dl),
              -ATOLL_EINVAL);
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.sent, 5); /* chain answered from the cache the 2nd time */
    NCHECK_EQ(st.cache_hits, 1);
    NCHECK_EQ(st.dropped, 0);
    int q0 = sv.queries;
    /* cached: no packet until the TTL (100 s) runs out */
    NCHECK_EQ(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_A, &r, dl),
              1);
    NCHECK_EQ(atoll_dns_query(d, "nope.example.test", ATOLL_DNS_TYPE_A, &r, dl),
              -ATOLL_ENOENT);
    NCHECK_EQ(sv.queries, q0);
    atoll_sleep(ATOLL_SEC(101));
    NCHECK_EQ(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(10))),
              1);
    NCHECK_EQ(sv.queries, q0 + 1);
    /* random source ports and ids: all different here */
    for (int i = 0; i < sv.queries; i++)
        for (int j = 0; j < i; j++) {
            NCHECK(sv.ports[i] != sv.ports[j]);
            NCHECK(sv.ids[i] != sv.ids[j]);
        }
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "A, AAAA, CNAME chains, NXDOMAIN/NODATA, TTL cache, random ids")
{
    begin("dns-basic", 1, 0);
    CHECK_EQ(atoll_test_run(64 << 20, basic_main, NULL), 0);
    net_sim_end();
}

/* ---- loss, forgeries, truncation, silence ------------------------------- */

static int retry_main(void *arg)
{
    (void)arg;
    server_start(zone_text);
    sv.drop_first = 2;
    struct atoll_stack *cs;
    struct atoll_dns *d = stub(&cs);
    struct atoll_dns_result r;
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(30))),
              1);
    /* 1 s, then 2 s timeouts: the third try answers after 3 s */
    NCHECK(atoll_now() - t0 >= ATOLL_SEC(3));
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.retries, 2);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "lost queries are retried with a doubling timeout")
{
    begin("dns-retry", 2, 0);
    CHECK_EQ(atoll_test_run(64 << 20, retry_main, NULL), 0);
    net_sim_end();
}

static int forge_main(void *arg)
{
    (void)arg;
    server_start(zone_text);
    sv.forge = true;
    struct atoll_stack *cs;
    struct atoll_dns *d = stub(&cs);
    struct atoll_dns_result r;
    NCHECK_EQ(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(10))),
              1);
    NCHECK(!memcmp(r.addr[0], "\xc6\x12\x00\x50", 4));
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.dropped, 4); /* id, question, port, truncated */
    NCHECK_EQ(st.retries, 0);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "answers with a wrong id, question or port are dropped, counted")
{
    begin("dns-forge", 3, 0);
    CHECK_EQ(atoll_test_run(64 << 20, forge_main, NULL), 0);
    net_sim_end();
}

static int tc_main(void *arg)
{
    (void)arg;
    static char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", zone_text);
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "many A 198.18.1.%d\n",
                              i + 1);
    server_start(text);
    struct atoll_stack *cs;
    struct atoll_dns *d = stub(&cs);
    struct atoll_dns_result r;
    NCHECK_EQ(atoll_dns_query(d, "many.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(10))),
              ATOLL_DNS_ADDRS_MAX);
    NCHECK(!memcmp(r.addr[0], "\xc6\x12\x01\x01", 4));
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.tcp, 1);
    NCHECK_EQ(sv.tcp_queries, 1);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "a truncated answer is asked again over TCP")
{
    begin("dns-tc", 4, 0);
    CHECK_EQ(atoll_test_run(64 << 20, tc_main, NULL), 0);
    net_sim_end();
}

/* The same over IPv6: both stacks get an address, the stub asks the
 * server's IPv6 one, and the TCP fallback connects over IPv6 too. */
static int tc6_main(void *arg)
{
    (void)arg;
    static char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", zone_text);
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "many A 198.18.1.%d\n",
                              i + 1);
    server_start(text);
    struct atoll_stack *cs = net_mkstack("cli", "w", "198.18.0.2/24", NULL);
    struct atoll_ipv6_config c = {{{0}}, 64, {{0}}};
    atoll_ipv6_parse("2001:db8:35::53", &c.addr, NULL);
    NCHECK_EQ(atoll_stack_ipv6_enable(sv.s, &c), 0);
    atoll_ipv6_parse("2001:db8:35::2", &c.addr, NULL);
    NCHECK_EQ(atoll_stack_ipv6_enable(cs, &c), 0);
    NCHECK_EQ(atoll_stack_ipv6_settle(cs, atoll_after(ATOLL_SEC(3))), 0);
    NCHECK_EQ(atoll_stack_ipv6_settle(sv.s, atoll_after(ATOLL_SEC(3))), 0);
    atoll_addr_t server;
    NCHECK_EQ(atoll_addr_parse("2001:db8:35::53", &server), 0);
    struct atoll_dns *d;
    NCHECK_EQ(atoll_dns_stub_create(cs, &server, 1, &d), 0);
    struct atoll_dns_result r;
    NCHECK_EQ(atoll_dns_query(d, "many.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(10))),
              ATOLL_DNS_ADDRS_MAX);
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.tcp, 1);
    NCHECK_EQ(sv.tcp_queries, 1);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "over IPv6 too: a truncated answer is asked again over TCP/IPv6")
{
    begin("dns-tc6", 8, 0);
    CHECK_EQ(atoll_test_run(64 << 20, tc6_main, NULL), 0);
    net_sim_end();
}

static int lossy_main(void *arg)
{
    (void)arg;
    server_start(zone_text);
    struct atoll_stack *cs;
    struct atoll_dns *d = stub(&cs);
    struct atoll_dns_result r;
    int ok = 0;
    for (int i = 0; i < 10; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s",
                 i % 2 ? "www.example.test" : "ns.example.test");
        /* a fresh name each time: bypass the cache with a new stub */
        struct atoll_dns *fresh;
        atoll_addr_t server = atoll_addr4(SRV);
        atoll_dns_stub_create(cs, &server, 1, &fresh);
        if (atoll_dns_query(fresh, name, ATOLL_DNS_TYPE_A, &r,
                            atoll_after(ATOLL_SEC(20))) == 1)
            ok++;
        atoll_dns_stub_destroy(fresh);
    }
    NCHECK(ok >= 9);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "30% frame loss: lookups still succeed through retries")
{
    begin("dns-lossy", 5, 0.3);
    CHECK_EQ(atoll_test_run(64 << 20, lossy_main, NULL), 0);
    net_sim_end();
}

static int silent_main(void *arg)
{
    (void)arg;
    server_start(zone_text);
    sv.drop_first = 1000;
    struct atoll_stack *cs;
    struct atoll_dns *d = stub(&cs);
    struct atoll_dns_result r;
    atoll_time_t t0 = atoll_now();
    NCHECK_EQ(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(60))),
              -ATOLL_ETIMEDOUT);
    NCHECK(atoll_now() - t0 <= ATOLL_SEC(8)); /* 1 + 2 + 4 s */
    NCHECK_EQ(sv.queries, 3);
    t0 = atoll_now();
    NCHECK_EQ(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_MS(1500))),
              -ATOLL_ETIMEDOUT);
    NCHECK(atoll_now() - t0 <= ATOLL_MS(1500)); /* the deadline holds */
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    server_stop();
    return 0;
}

TEST(dns_stub, "a server that never answers: -ETIMEDOUT, deadline honoured")
{
    begin("dns-silent", 6, 0);
    CHECK_EQ(atoll_test_run(64 << 20, silent_main, NULL), 0);
    net_sim_end();
}

/* ---- the forged double ----------------------------------------------------
 */

static int forged_main(void *arg)
{
    (void)arg;
    struct atoll_dns *d;
    NCHECK_EQ(atoll_dns_forged_create(0x08080808u, &d), -ATOLL_EINVAL);
    NCHECK_EQ(atoll_dns_forged_create(0xc6140000u, &d), -ATOLL_EINVAL);
    NCHECK_EQ(atoll_dns_forged_create(0xc6130042u, &d), 0);
    atoll_ipv4_t a;
    NCHECK_EQ(atoll_dns_resolve4(d, "bank.example", &a, ATOLL_NEVER), 1);
    NCHECK_EQ(a, 0xc6130042u);
    NCHECK_EQ(
        atoll_dns_resolve4(d, "put-your-creds-here.party", &a, ATOLL_NEVER), 1);
    NCHECK_EQ(a, 0xc6130042u);
    struct atoll_dns_result r;
    NCHECK_EQ(
        atoll_dns_query(d, "x.test", ATOLL_DNS_TYPE_AAAA, &r, ATOLL_NEVER),
        -ATOLL_ENOENT);
    struct atoll_arg_value args[2] = {{0, "", false}, {0, "1.2.3.4", false}};
    NCHECK_EQ(atoll_dns_open_forged("r", args, &d), -ATOLL_EINVAL);
    args[1].s = "198.18.0.66";
    NCHECK_EQ(atoll_dns_open_forged("r", args, &d), 0);
    NCHECK_EQ(atoll_dns_resolve4(d, "www.example.com", &a, ATOLL_NEVER), 1);
    NCHECK_EQ(a, 0xc6120042u);
    return 0;
}

TEST(dns_forged, "every name is the attacker's address, only in 198.18.0.0/15")
{
    begin("dns-forged", 7, 0);
    CHECK_EQ(atoll_test_run(64 << 20, forged_main, NULL), 0);
    net_sim_end();
}
