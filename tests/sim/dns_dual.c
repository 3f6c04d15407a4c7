/*
 * tests/sim/dns_dual.c - atoll_dns_resolve (lib/net/dns_resolve.c) and the
 * stub resolver's handling of A and AAAA answers, against a fake DNS
 * server on the simulated wire that answers by hand: names with A
 * records only, AAAA only, both (one AAAA on-link, one off-link), and
 * hostile answers (an A record answering AAAA, AAAA data of 4 bytes, a
 * CNAME loop inside one answer and one across answers).  The order of the
 * list is checked for a client without IPv6, with IPv6 on-link only, and
 * with an IPv6 default router; and the queries travel over IPv6 when the
 * server's address is an IPv6 one.
 */
#include "atoll/addr.h"
#include "atoll/dns.h"
#include "atoll/udp.h"
#include "net_util.h"

#define SRV4 "198.18.0.53"
#define SRV6 "2001:db8:53::53"

/* ---- the fake server ------------------------------------------------------
 */

static struct {
    struct atoll_udp *u;
    int queries, over6;
    uint16_t types[32]; /* the type of each query, in order */
    bool stopped;
} fk;

/* A record at m[*n]: owner by pointer to the question name (offset 12)
 * or, with owner != NULL, written out; type, 4-byte TTL 300, rdata. */
static void rr(uint8_t *m, size_t *n, const char *owner, uint16_t type,
               const void *rdata, size_t rdlen)
{
    if (owner) {
        *n += (size_t)atoll_dns_name_write(m + *n, 300, owner);
    } else {
        m[(*n)++] = 0xc0;
        m[(*n)++] = 12;
    }
    const uint8_t fix[8] = {
        (uint8_t)(type >> 8), (uint8_t)type, 0, 1, 0, 0, 1, 0x2c};
    memcpy(m + *n, fix, 8);
    *n += 8;
    m[(*n)++] = (uint8_t)(rdlen >> 8);
    m[(*n)++] = (uint8_t)rdlen;
    memcpy(m + *n, rdata, rdlen);
    *n += rdlen;
}

static void name_rr(uint8_t *m, size_t *n, const char *owner,
                    const char *target)
{
    uint8_t t[256];
    int tl = atoll_dns_name_write(t, sizeof t, target);
    rr(m, n, owner, ATOLL_DNS_TYPE_CNAME, t, (size_t)tl);
}

static const uint8_t A80[4] = {198, 18, 0, 80}, A81[4] = {198, 18, 0, 81};
static const uint8_t V6_ON[16] = {0x20, 1, 0xd, 0xb8, 0, 0x53, [15] = 0x80};
static const uint8_t V6_OFF[16] = {0x20, 1, 0xd, 0xb8, 0, 0x99, [15] = 0x80};

/* The answer section for (name, type); the number of records. */
static int answer(const char *name, uint16_t type, uint8_t *m, size_t *n)
{
    bool a = type == ATOLL_DNS_TYPE_A, aaaa = type == ATOLL_DNS_TYPE_AAAA;
    if (!strcmp(name, "a.test") && a) {
        rr(m, n, NULL, type, A80, 4);
        return 1;
    }
    if (!strcmp(name, "aaaa.test") && aaaa) {
        rr(m, n, NULL, type, V6_ON, 16);
        return 1;
    }
    if (!strcmp(name, "both.test")) {
        rr(m, n, NULL, type, a ? A80 : V6_OFF, a ? 4 : 16);
        rr(m, n, NULL, type, a ? A81 : V6_ON, a ? 4 : 16);
        return 2;
    }
    if (!strcmp(name, "wrongtype.test")) { /* AAAA answered with an A */
        rr(m, n, NULL, ATOLL_DNS_TYPE_A, A80, 4);
        return 1;
    }
    if (!strcmp(name, "short.test")) { /* AAAA of 4 bytes; A is fine */
        rr(m, n, NULL, type, A80, 4);
        return 1;
    }
    if (!strcmp(name, "loop.test")) { /* loop.test -> l2.test -> loop.test */
        name_rr(m, n, NULL, "l2.test");
        name_rr(m, n, "l2.test", "loop.test");
        return 2;
    }
    if (!strcmp(name, "hop.test")) { /* a loop across two answers */
        name_rr(m, n, NULL, "hop2.test");
        return 1;
    }
    if (!strcmp(name, "hop2.test")) {
        name_rr(m, n, NULL, "hop.test");
        return 1;
    }
    return 0; /* NODATA */
}

static int fake_main(void *arg)
{
    (void)arg;
    static uint8_t q[512], r[1024];
    while (!fk.stopped) {
        atoll_addr_t from;
        uint16_t port;
        int len = atoll_udp_recvfrom(fk.u, q, sizeof q, &from, &port,
                                     atoll_after(ATOLL_MS(100)));
        if (len < 12)
            continue;
        size_t off = 12;
        char name[ATOLL_DNS_NAME_MAX + 1];
        uint16_t type, cls;
        if (atoll_dns_question_read(q, (size_t)len, &off, name, &type, &cls) <
            0)
            continue;
        if (fk.queries < 32)
            fk.types[fk.queries] = type;
        fk.queries++;
        fk.over6 += from.family == ATOLL_AF_INET6;
        memcpy(r, q, off); /* header and question */
        r[2] = 0x81, r[3] = 0x80;
        size_t n = off;
        int an = answer(name, type, r, &n);
        r[6] = 0, r[7] = (uint8_t)an;
        atoll_udp_sendto(fk.u, from, port, r, n);
    }
    return 0;
}

static struct atoll_stack *srv;
static atoll_fiber *fake_f;

static void enable6(struct atoll_stack *s, const char *addr, const char *gw)
{
    struct atoll_ipv6_config c;
    memset(&c, 0, sizeof c);
    if (atoll_ipv6_parse(addr, &c.addr, &c.prefix) < 0 ||
        (gw && atoll_ipv6_parse(gw, &c.gateway, NULL) < 0) ||
        atoll_stack_ipv6_enable(s, &c) < 0)
        harness_fail(__FILE__, __LINE__, "ipv6 %s", addr);
}

static void fake_start(void)
{
    memset(&fk, 0, sizeof fk);
    srv = net_mkstack("srv", "w", SRV4 "/24", NULL);
    enable6(srv, SRV6 "/64", NULL);
    if (atoll_udp_bind(srv, 53, &fk.u) < 0)
        harness_fail(__FILE__, __LINE__, "bind 53");
    atoll_fiber_spawn(&fake_f, "fake dns", fake_main, NULL, 0);
}

static void fake_stop(void)
{
    fk.stopped = true;
    atoll_fiber_join(fake_f, ATOLL_NEVER, NULL);
    atoll_udp_close(fk.u);
    atoll_stack_destroy(srv);
}

/* A client stack on a port of its own (a port stays attached), IPv6 as
 * given (v6 NULL for none). */
static struct atoll_stack *client_stack(const char *v6, const char *gw6)
{
    static int ports;
    char port[16];
    snprintf(port, sizeof port, "cli%d", ports++);
    struct atoll_stack *s = net_mkstack(port, "w", "198.18.0.2/24", NULL);
    if (v6)
        enable6(s, v6, gw6);
    return s;
}

/* A client stack and its stub asking `server`. */
static struct atoll_dns *client(struct atoll_stack **cs, const char *v6,
                                const char *gw6, const char *server)
{
    *cs = client_stack(v6, gw6);
    atoll_addr_t a;
    struct atoll_dns *d;
    if (atoll_addr_parse(server, &a) < 0 ||
        atoll_dns_stub_create(*cs, &a, 1, &d) < 0)
        harness_fail(__FILE__, __LINE__, "stub");
    atoll_sleep(ATOLL_MS(1500)); /* duplicate address detection */
    return d;
}

/* out[0..n) as text, space separated. */
static const char *list(const atoll_addr_t *out, int n)
{
    static char text[ATOLL_DNS_RESOLVE_MAX * ATOLL_ADDR_TEXT];
    size_t k = 0;
    text[0] = 0;
    for (int i = 0; i < n; i++) {
        char a[ATOLL_ADDR_TEXT];
        k += (size_t)snprintf(text + k, sizeof text - k, "%s%s", i ? " " : "",
                              atoll_addr_format(&out[i], a));
    }
    return text;
}

#define RESOLVE(d, name, want)                                                 \
    do {                                                                       \
        atoll_addr_t o_[ATOLL_DNS_RESOLVE_MAX];                                \
        int n_ = atoll_dns_resolve(d, name, o_, ATOLL_DNS_RESOLVE_MAX,         \
                                   atoll_after(ATOLL_SEC(20)));                \
        if (n_ < 0) {                                                          \
            net_sim_report();                                                  \
            harness_fail(__FILE__, __LINE__, "%s: %s", name,                   \
                         atoll_strerror(n_));                                  \
        }                                                                      \
        if (strcmp(list(o_, n_), want)) {                                      \
            net_sim_report();                                                  \
            harness_fail(__FILE__, __LINE__, "%s: got \"%s\", want \"%s\"",    \
                         name, list(o_, n_), want);                            \
        }                                                                      \
    } while (0)

/* ---- order ------------------------------------------------------------------
 */

static int order4_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *cs;
    struct atoll_dns *d = client(&cs, NULL, NULL, SRV4);
    /* no IPv6 at all: A first (routed), then AAAA as the server gave it */
    RESOLVE(d, "both.test",
            "198.18.0.80 198.18.0.81 2001:db8:99::80 "
            "2001:db8:53::80");
    NCHECK_EQ(fk.types[0], ATOLL_DNS_TYPE_A); /* A asked first */
    NCHECK_EQ(fk.types[1], ATOLL_DNS_TYPE_AAAA);
    RESOLVE(d, "a.test", "198.18.0.80");
    RESOLVE(d, "aaaa.test", "2001:db8:53::80"); /* unrouted, but all there is */
    atoll_addr_t o[4];
    NCHECK_EQ(
        atoll_dns_resolve(d, "none.test", o, 4, atoll_after(ATOLL_SEC(20))),
        -ATOLL_ENOENT);
    /* text is returned as is, either family, without a query */
    int q0 = fk.queries;
    RESOLVE(d, "198.18.7.7", "198.18.7.7");
    RESOLVE(d, "2001:db8::7", "2001:db8::7");
    NCHECK_EQ(fk.queries, q0);
    /* max bounds the list */
    NCHECK_EQ(
        atoll_dns_resolve(d, "both.test", o, 3, atoll_after(ATOLL_SEC(5))), 3);
    NCHECK_EQ(atoll_dns_resolve(d, "both.test", o, 0, ATOLL_NEVER),
              -ATOLL_EINVAL);
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.dropped, 0);
    NCHECK_EQ(st.refused, 0);
    NCHECK_EQ(fk.over6, 0);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    fake_stop();
    return 0;
}

TEST(dns_dual, "without IPv6: A first, then AAAA; A only, AAAA only, none")
{
    net_sim_begin("dns-order4", 1, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, order4_main, NULL), 0);
    net_sim_end();
}

static int order6_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *cs;
    /* IPv6 on-link only: the AAAA in our prefix first, the off-link one
     * (no router) last */
    struct atoll_dns *d = client(&cs, "2001:db8:53::2/64", NULL, SRV4);
    RESOLVE(d, "both.test",
            "2001:db8:53::80 198.18.0.80 198.18.0.81 "
            "2001:db8:99::80");
    NCHECK_EQ(fk.types[0], ATOLL_DNS_TYPE_AAAA); /* AAAA asked first */
    NCHECK_EQ(fk.types[1], ATOLL_DNS_TYPE_A);
    RESOLVE(d, "a.test", "198.18.0.80");
    RESOLVE(d, "aaaa.test", "2001:db8:53::80");
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    /* with a default router every AAAA is routed: IPv6 first, in the
     * server's order */
    d = client(&cs, "2001:db8:53::2/64", "2001:db8:53::1", SRV4);
    RESOLVE(d, "both.test",
            "2001:db8:99::80 2001:db8:53::80 198.18.0.80 "
            "198.18.0.81");
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    fake_stop();
    return 0;
}

TEST(dns_dual, "IPv6 routed: AAAA first (on-link only, or all with a router)")
{
    net_sim_begin("dns-order6", 2, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, order6_main, NULL), 0);
    net_sim_end();
}

static int transport6_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *cs;
    struct atoll_dns *d = client(&cs, "2001:db8:53::2/64", NULL, SRV6);
    RESOLVE(d, "both.test",
            "2001:db8:53::80 198.18.0.80 198.18.0.81 "
            "2001:db8:99::80");
    NCHECK_EQ(fk.queries, 2);
    NCHECK_EQ(fk.over6, 2);
    struct atoll_dns_stats st;
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.dropped, 0);
    atoll_dns_stub_destroy(d);
    /* an IPv6 server a client without IPv6 cannot reach */
    atoll_stack_destroy(cs);
    d = client(&cs, NULL, NULL, SRV6);
    atoll_addr_t o[4];
    NCHECK_EQ(atoll_dns_resolve(d, "a.test", o, 4, atoll_after(ATOLL_SEC(20))),
              -ATOLL_EHOSTUNREACH);
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    fake_stop();
    return 0;
}

TEST(dns_dual, "queries to an IPv6 server travel over IPv6")
{
    net_sim_begin("dns-transport6", 3, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, transport6_main, NULL), 0);
    net_sim_end();
}

static int option6_main(void *arg)
{
    (void)arg;
    /* the wiring's resolver runs on the first stack made: the client's */
    struct atoll_stack *cs = client_stack("2001:db8:53::2/64", NULL);
    fake_start();
    atoll_sleep(ATOLL_MS(1500));
    struct atoll_arg_value args[2] = {{0, SRV6, false}, {0, "", false}};
    struct atoll_dns *d;
    NCHECK_EQ(atoll_dns_open_default("resolver", args, &d), 0);
    RESOLVE(d, "aaaa.test", "2001:db8:53::80");
    NCHECK_EQ(fk.over6, 2);
    atoll_dns_stub_destroy(d);
    args[0].s = "2001:db8::zz";
    NCHECK_EQ(atoll_dns_open_default("resolver", args, &d), -ATOLL_EINVAL);
    atoll_stack_destroy(cs);
    fake_stop();
    return 0;
}

TEST(dns_dual, "--dns-server takes an IPv6 address")
{
    net_sim_begin("dns-option6", 6, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, option6_main, NULL), 0);
    net_sim_end();
}

/* ---- hostile answers --------------------------------------------------------
 */

static int hostile_main(void *arg)
{
    (void)arg;
    fake_start();
    struct atoll_stack *cs;
    struct atoll_dns *d = client(&cs, "2001:db8:53::2/64", NULL, SRV4);
    struct atoll_dns_stats st;
    /* AAAA answered with an A record: refused at once (no timeout: three
     * tries, each answered), the A lookup still counts */
    atoll_time_t t0 = atoll_now();
    RESOLVE(d, "wrongtype.test", "198.18.0.80");
    NCHECK(atoll_now() - t0 < ATOLL_MS(100));
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.refused, 3);
    struct atoll_dns_result r;
    NCHECK_EQ(atoll_dns_query(d, "wrongtype.test", ATOLL_DNS_TYPE_AAAA, &r,
                              atoll_after(ATOLL_SEC(20))),
              -ATOLL_EBADMSG);
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.refused, 6); /* a refused answer is not cached */
    /* AAAA data of 4 bytes */
    RESOLVE(d, "short.test", "198.18.0.80");
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.refused, 9);
    /* a CNAME loop inside one answer, for both types: nothing left */
    atoll_addr_t o[4];
    NCHECK_EQ(
        atoll_dns_resolve(d, "loop.test", o, 4, atoll_after(ATOLL_SEC(20))),
        -ATOLL_EBADMSG);
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.refused, 15);
    /* a loop across answers: followed 8 queries deep, then refused */
    int q0 = fk.queries;
    NCHECK_EQ(atoll_dns_query(d, "hop.test", ATOLL_DNS_TYPE_A, &r,
                              atoll_after(ATOLL_SEC(20))),
              -ATOLL_EBADMSG);
    NCHECK_EQ(fk.queries - q0, 8);
    atoll_dns_stub_stats(d, &st);
    NCHECK_EQ(st.refused, 16);
    NCHECK_EQ(st.dropped, 0);
    /* and the resolver still answers */
    RESOLVE(d, "a.test", "198.18.0.80");
    atoll_dns_stub_destroy(d);
    atoll_stack_destroy(cs);
    fake_stop();
    return 0;
}

TEST(dns_dual, "hostile answers (wrong type, 4-byte AAAA, CNAME loops) "
               "refused at once and counted")
{
    net_sim_begin("dns-hostile", 4, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, hostile_main, NULL), 0);
    net_sim_end();
}

static int forged_main(void *arg)
{
    (void)arg;
    struct atoll_dns *d;
    NCHECK_EQ(atoll_dns_forged_create(0xc6120042u, &d), 0);
    atoll_addr_t o[4];
    NCHECK_EQ(atoll_dns_resolve(d, "bank.example", o, 4, ATOLL_NEVER), 1);
    NCHECK_EQ(o[0].family, ATOLL_AF_INET);
    NCHECK_EQ(o[0].v4, 0xc6120042u);
    return 0;
}

TEST(dns_dual, "the forged double: its one IPv4 address, no escape to IPv6")
{
    net_sim_begin("dns-forged2", 5, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(64 << 20, forged_main, NULL), 0);
    net_sim_end();
}
