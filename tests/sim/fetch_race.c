/*
 * tests/sim/fetch_race.c - examples/fetch's way to a server
 * (examples/fetch/connect.c, linked in by the Makefile: the example's own
 * code) when a name has IPv6 and IPv4 addresses and IPv6 does not work:
 * the IPv6 address nobody holds (neighbour discovery unanswered, the
 * SYN never leaves), two such addresses ahead of the IPv4 one, and a
 * server that refuses IPv6 with a RST.  fetch must still connect, over
 * IPv4, within the race's stagger (250 ms) plus a round trip - not after
 * IPv6's SYN timeout - and leave no attempt behind.  When both families
 * answer IPv6 wins and IPv4 is never tried; when nothing answers, the
 * deadline is kept.
 *
 * The name comes from a resolver double answering from the test's table
 * (ordered by the client stack's routes, as the stub resolver's answers
 * are); the console is a buffer whose lines are checked.
 */
#include <string.h>

#include "../../examples/fetch/fetch.h"
#include "atoll/addr.h"
#include "atoll/dns.h"
#include "net_util.h"

#define RTT ATOLL_MS(10) /* the wire's delay is half of it */

/* ---- the resolver double: web.test has aaaa[] and a[] -------------------- */

static struct {
    struct atoll_stack *client;
    const char *aaaa[3], *a[2];
} names;

static int table_query(void *state, const char *name, uint16_t type,
                       struct atoll_dns_result *out, atoll_time_t deadline)
{
    (void)state, (void)deadline;
    if (strcmp(name, "web.test") != 0)
        return -ATOLL_ENOENT;
    memset(out, 0, sizeof *out);
    out->type = type;
    out->ttl = 60;
    strcpy(out->canonical, name);
    const char *const *list =
        type == ATOLL_DNS_TYPE_AAAA ? names.aaaa : names.a;
    int max = type == ATOLL_DNS_TYPE_AAAA ? 3 : 2;
    for (int i = 0; i < max && list[i]; i++) {
        atoll_addr_t x;
        if (atoll_addr_parse(list[i], &x) < 0)
            return -ATOLL_EINVAL;
        if (x.family == ATOLL_AF_INET6)
            memcpy(out->addr[out->count++], x.v6.b, 16);
        else {
            uint8_t *p = out->addr[out->count++];
            p[0] = (uint8_t)(x.v4 >> 24), p[1] = (uint8_t)(x.v4 >> 16);
            p[2] = (uint8_t)(x.v4 >> 8), p[3] = (uint8_t)x.v4;
        }
    }
    return out->count ? out->count : -ATOLL_ENOENT;
}

static struct atoll_stack *table_stack(void *state)
{
    (void)state;
    return names.client;
}

static const struct atoll_dns_ops table_ops = {table_query, table_stack};
static struct atoll_dns table = {&table_ops, NULL};

/* ---- the console: lines into a buffer ------------------------------------ */

static char said[4096];

static int said_write(void *state, const char *buf, size_t len)
{
    (void)state;
    size_t have = strlen(said);
    if (have + len >= sizeof said)
        len = sizeof said - 1 - have;
    memcpy(said + have, buf, len);
    said[have + len] = 0;
    return (int)len;
}

static const struct atoll_console_ops said_ops = {said_write};
static struct atoll_console said_console = {&said_ops, NULL};

/* ---- the server: answers one connection's line --------------------------- */

static int server(void *arg)
{
    struct atoll_tcp_listener *l = arg;
    struct atoll_tcp_conn *c;
    if (atoll_tcp_accept(l, atoll_after(ATOLL_SEC(15)), &c) < 0)
        return 0; /* nobody came (the case where nothing answers) */
    char buf[64];
    int n = atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(10)));
    if (n > 0)
        atoll_tcp_write(c, "answer\n", 7, atoll_after(ATOLL_SEC(10)));
    atoll_tcp_close(c);
    return 0;
}

/* ---- one case ------------------------------------------------------------ */

struct fcase {
    const char *aaaa[3], *a[2];
    enum atoll_family listen; /* the server's listener: NONE for both */
    atoll_time_t timeout;     /* fetch's deadline */
    /* out */
    int err;
    atoll_time_t took;
    struct atoll_tcp_stats st; /* the client's, after the call */
    char answer[16];
};

static int case_main(void *arg)
{
    struct fcase *k = arg;
    struct atoll_stack *cl =
        net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
    struct atoll_stack *sv =
        net_mkstack6("srv", "198.18.0.3/24", "2001:db8::3/64");
    atoll_sleep(ATOLL_MS(1200)); /* duplicate address detection */
    names.client = cl;
    memcpy(names.aaaa, k->aaaa, sizeof names.aaaa);
    memcpy(names.a, k->a, sizeof names.a);
    said[0] = 0;
    struct atoll_tcp_listener *l;
    NCHECK_EQ(atoll_tcp_listen_family(sv, k->listen, 80, 0, &l), 0);
    atoll_fiber *srv;
    NCHECK_EQ(atoll_fiber_spawn(&srv, "server", server, l, 0), 0);

    atoll_time_t t0 = atoll_now();
    struct atoll_tcp_conn *c = NULL;
    k->err = fetch_connect(cl, &table, &said_console, "web.test", 80,
                           t0 + k->timeout, &c);
    k->took = atoll_now() - t0;
    atoll_tcp_stats(cl, &k->st);
    if (k->err == 0) {
        /* The connection works: a request, the server's answer. */
        NCHECK_EQ(atoll_tcp_write(c, "GET\n", 4, atoll_after(ATOLL_SEC(5))), 4);
        int n = atoll_tcp_read(c, k->answer, sizeof k->answer - 1,
                               atoll_after(ATOLL_SEC(5)));
        NCHECK(n > 0);
        k->answer[n > 0 ? n : 0] = 0;
        atoll_tcp_close(c);
    }
    atoll_fiber_join(srv, ATOLL_NEVER, NULL);
    atoll_tcp_listener_close(l);
    atoll_sleep(ATOLL_SEC(1)); /* closes finish */
    atoll_stack_destroy(cl);
    atoll_stack_destroy(sv);
    return 0;
}

static struct fcase k;

static void run_case(const char *tag, uint64_t seed)
{
    net_sim_begin(tag, seed, (struct atoll_sim_wire_opts){.delay = RTT / 2});
    CHECK_EQ(atoll_test_run(32u << 20, case_main, &k), 0);
    printf("       %s: %s in %lld ms; said:\n%s", tag,
           k.err ? atoll_strerror(k.err) : "connected",
           (long long)(k.took / 1000000), said);
    net_sim_end();
}

/* One live connection after the call: the winner alone. */
static void only_winner(void)
{
    CHECK_EQ(k.st.conns, 1u);
}

TEST(fetch_race, "IPv6 address unreachable: IPv4 connects after the stagger")
{
    memset(&k, 0, sizeof k);
    k.aaaa[0] = "2001:db8::99"; /* on-link, nobody answers ND */
    k.a[0] = "198.18.0.3";
    k.timeout = ATOLL_SEC(10);
    run_case("fetch-race-unreach", 1);
    CHECK_EQ(k.err, 0);
    CHECK(strstr(said, "fetch: web.test is 2001:db8::99\n") != NULL);
    CHECK(strstr(said, "fetch: connected to 198.18.0.3\n") != NULL);
    CHECK(strcmp(k.answer, "answer\n") == 0);
    CHECK(k.took >= ATOLL_MS(250));
    CHECK(k.took < ATOLL_MS(250) + 3 * RTT);
    CHECK_EQ(k.st.active_opens, 2u);
    only_winner();
}

TEST(fetch_race, "two unreachable IPv6 addresses: IPv4 is the second attempt")
{
    memset(&k, 0, sizeof k);
    k.aaaa[0] = "2001:db8::98";
    k.aaaa[1] = "2001:db8::99";
    k.a[0] = "198.18.0.3";
    k.timeout = ATOLL_SEC(10);
    run_case("fetch-race-interleave", 2);
    CHECK_EQ(k.err, 0);
    CHECK(strstr(said, "fetch: connected to 198.18.0.3\n") != NULL);
    /* Families interleaved (RFC 8305 4): IPv4 goes second, not third. */
    CHECK(k.took < ATOLL_MS(250) + 3 * RTT);
    CHECK_EQ(k.st.active_opens, 2u);
    only_winner();
}

TEST(fetch_race, "IPv6 refused with a RST: IPv4 at once, before the stagger")
{
    memset(&k, 0, sizeof k);
    k.aaaa[0] = "2001:db8::3";
    k.a[0] = "198.18.0.3";
    k.listen = ATOLL_AF_INET;
    k.timeout = ATOLL_SEC(10);
    run_case("fetch-race-refused", 3);
    CHECK_EQ(k.err, 0);
    CHECK(strstr(said, "fetch: connected to 198.18.0.3\n") != NULL);
    /* neighbour discovery, SYN and RST, ARP, the handshake: well before
     * the stagger */
    CHECK(k.took < 6 * RTT);
    CHECK_EQ(k.st.active_opens, 2u);
    only_winner();
}

TEST(fetch_race, "both answer: IPv6 wins and IPv4 is never tried")
{
    memset(&k, 0, sizeof k);
    k.aaaa[0] = "2001:db8::3";
    k.a[0] = "198.18.0.3";
    k.timeout = ATOLL_SEC(10);
    run_case("fetch-race-both", 4);
    CHECK_EQ(k.err, 0);
    CHECK(strstr(said, "fetch: connected to 2001:db8::3\n") != NULL);
    CHECK(k.took < 4 * RTT); /* neighbour discovery, the handshake */
    CHECK_EQ(k.st.active_opens, 1u);
    only_winner();
}

TEST(fetch_race, "nothing answers: the deadline is kept, nothing left behind")
{
    memset(&k, 0, sizeof k);
    k.aaaa[0] = "2001:db8::99";
    k.a[0] = "198.18.0.99";
    k.timeout = ATOLL_SEC(3);
    run_case("fetch-race-none", 5);
    CHECK(k.err == -ATOLL_ETIMEDOUT || k.err == -ATOLL_EHOSTUNREACH);
    CHECK(strstr(said, "fetch: web.test is 198.18.0.99\n") != NULL);
    CHECK(k.took > ATOLL_SEC(2) && k.took <= ATOLL_SEC(3));
    CHECK_EQ(k.st.conns, 0u);
}

static int unknown_main(void *arg)
{
    struct atoll_stack *cl =
        net_mkstack6("a", "198.18.0.2/24", "2001:db8::2/64");
    names.client = cl;
    said[0] = 0;
    struct atoll_tcp_conn *c = NULL;
    k.err = fetch_connect(cl, &table, &said_console, "nosuch.test", 80,
                          atoll_after(ATOLL_SEC(5)), &c);
    atoll_stack_destroy(cl);
    return 0;
}

TEST(fetch_race, "a name the resolver does not know: said, no attempt")
{
    memset(&k, 0, sizeof k);
    net_sim_begin("fetch-race-unknown", 6, (struct atoll_sim_wire_opts){0});
    CHECK_EQ(atoll_test_run(32u << 20, unknown_main, NULL), 0);
    net_sim_end();
    CHECK_EQ(k.err, -ATOLL_ENOENT);
    CHECK(strcmp(said, "fetch: nosuch.test: no such entry\n") == 0);
}
