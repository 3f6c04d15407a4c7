/*
 * tests/sim/dns_memfail.c - DNS under injected memory failure
 * (tests/sim/memfail.h): a zone is parsed, an authoritative server
 * answers it over UDP and TCP on one stack, and the stub resolver on
 * another asks for an address, a CNAME chain, an IPv6 address, a name
 * that does not exist, and a name whose answer is truncated over UDP
 * (so the resolver asks again over TCP) - with the Nth allocation
 * failing, for every N.
 *
 * Each answer is either exactly right, or the call fails with
 * -ATOLL_ENOMEM, or - once every allocation fails (sticky) - with
 * -ATOLL_ETIMEDOUT (no query can be sent), or with an error when the
 * server itself was told -ATOLL_ENOMEM and closed its TCP connection
 * without an answer.  With a single failure a lost
 * datagram must be recovered by the resolver's retry.  Nothing leaks.
 */
#include "atoll/dns.h"
#include "atoll/tcp.h"
#include "atoll/udp.h"
#include "memfail.h"
#include "net_util.h"

#define SRV 0xc6120035u /* 198.18.0.53 */

static char zone_text[4096];

struct run {
    struct atoll_netif *nif[2]; /* see setup */
    /* the server, while it runs */
    struct atoll_dns_zone *z;
    struct atoll_udp *u;
    struct atoll_tcp_listener *l;
    bool stopped;
    bool server_enomem; /* the server was told -ATOLL_ENOMEM */
};

static struct run the_run;

static const char *const ports[] = {"cli", "srv"};

static void setup(void *arg)
{
    struct run *r = arg;
    net_ports(11, (struct atoll_sim_wire_opts){.delay = ATOLL_US(200)}, ports,
              r->nif, 2);
    size_t n = (size_t)snprintf(zone_text, sizeof zone_text,
                                "$ORIGIN example.test.\n$TTL 300\n"
                                "@ SOA ns h 1 7200 3600 1209600 60\n"
                                "ns A 198.18.0.53\n"
                                "www A 198.18.0.80\n"
                                "www AAAA 2001:db8::80\n"
                                "web CNAME www\nchain CNAME web\n");
    for (int i = 0; i < 40; i++) /* 40 addresses: more than 512 bytes */
        n += (size_t)snprintf(zone_text + n, sizeof zone_text - n,
                              "many A 198.18.1.%d\n", i + 1);
}

static int drain(void *arg)
{
    struct run *r = arg;
    net_drain_all(r->nif, 2);
    return 0;
}

static int udp_main(void *arg)
{
    struct run *r = arg;
    static uint8_t q[1500], a[4096];
    while (!r->stopped) {
        atoll_addr_t from;
        uint16_t port;
        int n = atoll_udp_recvfrom(r->u, q, sizeof q, &from, &port,
                                   atoll_after(ATOLL_MS(100)));
        if (n < 12)
            continue;
        int len = atoll_dns_answer(r->z, q, (size_t)n, a, sizeof a, false);
        if (len > 0 &&
            atoll_udp_sendto(r->u, from, port, a, (size_t)len) == -ATOLL_ENOMEM)
            r->server_enomem = true;
    }
    return 0;
}

static int tcp_main(void *arg)
{
    struct run *r = arg;
    static uint8_t q[1024], a[8192];
    while (!r->stopped) {
        struct atoll_tcp_conn *c;
        if (atoll_tcp_accept(r->l, atoll_after(ATOLL_MS(100)), &c) < 0)
            continue;
        atoll_time_t d = atoll_after(ATOLL_SEC(5));
        size_t got = 0, want = 2;
        while (got < want) {
            int n = atoll_tcp_read(c, q + got, want - got, d);
            if (n == -ATOLL_ENOMEM)
                r->server_enomem = true;
            if (n <= 0)
                break;
            got += (size_t)n;
            if (got == 2)
                want = 2 + ((size_t)q[0] << 8 | q[1]);
            if (want > sizeof q)
                break;
        }
        if (got == want) {
            int n = atoll_dns_answer(r->z, q + 2, want - 2, a + 2, sizeof a - 2,
                                     true);
            if (n > 0) {
                a[0] = (uint8_t)(n >> 8);
                a[1] = (uint8_t)n;
                if (atoll_tcp_write(c, a, (size_t)n + 2, d) == -ATOLL_ENOMEM)
                    r->server_enomem = true;
            }
        }
        atoll_tcp_close(c);
    }
    return 0;
}

/* Every query: exactly right, or a permitted error - any error when the
 * server, told -ATOLL_ENOMEM, could not answer it.  0 or -1. */
static int queries(struct run *r, struct atoll_dns *d, bool sticky)
{
    struct atoll_dns_result res;
    atoll_time_t dl = atoll_after(ATOLL_SEC(20));
    int bad = 0;
#define ASK(expr, ok)                                                          \
    do {                                                                       \
        r->server_enomem = false;                                              \
        int rc_ = (expr);                                                      \
        if (rc_ == -ATOLL_ENOMEM || (sticky && rc_ == -ATOLL_ETIMEDOUT) ||     \
            (rc_ < 0 && r->server_enomem))                                     \
            break;                                                             \
        if (!(ok)) {                                                           \
            printf("       %s: %d (%s)\n", #expr, rc_,                         \
                   rc_ < 0 ? atoll_strerror(rc_) : "wrong answer");            \
            bad = -1;                                                          \
        }                                                                      \
    } while (0)
    atoll_ipv4_t a = 0;
    ASK(atoll_dns_resolve4(d, "www.example.test", &a, dl),
        rc_ == 1 && a == 0xc6120050u);
    ASK(atoll_dns_query(d, "chain.example.test", ATOLL_DNS_TYPE_A, &res, dl),
        rc_ == 1 && !memcmp(res.addr[0], "\xc6\x12\x00\x50", 4) &&
            !strcmp(res.canonical, "www.example.test"));
    ASK(atoll_dns_query(d, "www.example.test", ATOLL_DNS_TYPE_AAAA, &res, dl),
        rc_ == 1 && !memcmp(res.addr[0], "\x20\x01\x0d\xb8", 4));
    ASK(atoll_dns_query(d, "nope.example.test", ATOLL_DNS_TYPE_A, &res, dl),
        rc_ == -ATOLL_ENOENT);
    ASK(atoll_dns_query(d, "many.example.test", ATOLL_DNS_TYPE_A, &res, dl),
        rc_ >= 1 && res.addr[0][0] == 198 && res.addr[0][2] == 1);
#undef ASK
    return bad;
}

static int scenario(void *arg, bool sticky)
{
    struct run *r = arg;
    int err, verdict = 0;
    char why[128];
    r->stopped = false;
    r->u = NULL;
    r->l = NULL;
    atoll_fiber *uf = NULL, *tf = NULL;
    struct atoll_dns *d = NULL;
    err = atoll_dns_zone_parse(zone_text, strlen(zone_text), NULL, &r->z, why,
                               sizeof why);
    if (err < 0)
        return err == -ATOLL_ENOMEM ? 0 : -1;
    struct atoll_stack *ss =
        net_stack_on(r->nif[1], "srv", "198.18.0.53/24", &err);
    struct atoll_stack *cs =
        ss ? net_stack_on(r->nif[0], "cli", "198.18.0.2/24", &err) : NULL;
    if (cs)
        err = atoll_udp_bind(ss, 53, &r->u);
    if (err == 0)
        err = atoll_tcp_listen(ss, 53, 8, &r->l);
    if (err == 0)
        err = atoll_fiber_spawn(&uf, "dns udp", udp_main, r, 0);
    if (err == 0)
        err = atoll_fiber_spawn(&tf, "dns tcp", tcp_main, r, 0);
    atoll_addr_t server = atoll_addr4(SRV);
    if (err == 0)
        err = atoll_dns_stub_create(cs, &server, 1, &d);
    if (err == 0)
        verdict = queries(r, d, sticky);
    else if (err != -ATOLL_ENOMEM)
        verdict = -1;
    r->stopped = true;
    if (uf)
        atoll_fiber_join(uf, ATOLL_NEVER, NULL);
    if (tf)
        atoll_fiber_join(tf, ATOLL_NEVER, NULL);
    atoll_sleep(ATOLL_SEC(5)); /* TCP's closing handshakes */
    if (d)
        atoll_dns_stub_destroy(d);
    if (r->u)
        atoll_udp_close(r->u);
    if (r->l)
        atoll_tcp_listener_close(r->l);
    atoll_stack_destroy(cs);
    atoll_stack_destroy(ss);
    atoll_dns_zone_free(r->z);
    return verdict;
}

TEST(dns_memfail, "zone, server and resolver: every failing allocation, "
                  "once and sticky")
{
    struct memfail m = {setup, scenario, drain, &the_run, 0, 20000};
    CHECK(memfail_loop(&m) > 50);
}
