/*
 * tests/unit/fw_ct.c - connection tracking (lib/fw/ct.c): the TCP state
 * machine through handshake, both closes and resets, segments that do not
 * fit, per-state and per-protocol timeouts on a clock the test sets, ICMP
 * echo by identifier, a full table (new flows refused, answered ones
 * kept, unanswered and expired ones evicted), collection, and a table of
 * thousands checked against what was put in.
 */
#include <string.h>

#include "../../lib/core/runtime.h"
#include "../../lib/fw/ct.h"
#include "../harness.h"
#include "atoll/error.h"
#include "atoll/fw.h"
#include "atoll/net_tunables.h"

static const uint8_t key[16] = "0123456789abcdef";

static struct fw_ct *table(uint32_t max)
{
    struct atoll_runtime_opts o = {64u << 20, 0, "quiet"};
    CHECK_EQ(atoll_runtime_init(&o), 0);
    struct fw_ct *ct = fw_ct_create(max, key);
    CHECK(ct != NULL);
    return ct;
}

static struct fw_tuple tup(uint8_t proto, uint32_t src, uint16_t sport,
                           uint32_t dst, uint16_t dport)
{
    struct fw_tuple t;
    memset(&t, 0, sizeof t);
    atoll_fw_addr4(t.src, src);
    atoll_fw_addr4(t.dst, dst);
    t.sport = sport;
    t.dport = dport;
    t.proto = proto;
    return t;
}

#define C1 0xc6120102u /* 198.18.1.2, a client */
#define S1 0xc6120209u /* 198.18.2.9, a server */
#define S  1000000000LL

/* A connection c1:port -> s1:80 without translation, opened by a SYN. */
static struct fw_conn *open_tcp(struct fw_ct *ct, uint16_t port,
                                atoll_time_t now)
{
    struct fw_tuple o = tup(6, C1, port, S1, 80), r;
    fw_tuple_reverse(&r, &o);
    struct fw_conn *c;
    CHECK(fw_ct_may_open(6, FW_TCP_SYN));
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, now, &c), 0);
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_SYN, 60, now));
    return c;
}

TEST(fw_ct, "TCP: handshake, data, FIN both ways, TIME_WAIT; timeouts")
{
    struct fw_ct *ct = table(16);
    atoll_time_t t = 1000 * S;
    struct fw_conn *c = open_tcp(ct, 40000, t);
    CHECK_EQ(c->tcp, FW_TCP_SYN_SENT);
    CHECK_EQ(c->expires, t + FW_CT_TCP_SYN_SENT_NS);
    CHECK(!(c->flags & FW_CT_SEEN_REPLY));
    CHECK(!(c->flags & FW_CT_NAT));

    struct fw_tuple back = tup(6, S1, 80, C1, 40000);
    int dir = -1;
    CHECK(fw_ct_find(ct, &back, t, &dir) == c);
    CHECK_EQ(dir, FW_REPLY);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_SYN | FW_TCP_ACK, 60, t + S));
    CHECK_EQ(c->tcp, FW_TCP_SYN_RECV);
    CHECK_EQ(c->expires, t + S + FW_CT_TCP_SYN_RECV_NS);
    CHECK(c->flags & FW_CT_SEEN_REPLY);
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_ACK, 52, t + 2 * S));
    CHECK_EQ(c->tcp, FW_TCP_ESTABLISHED);
    CHECK_EQ(c->expires, t + 2 * S + FW_CT_TCP_ESTABLISHED_NS);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_ACK, 1500, t + 3 * S));
    CHECK_EQ(c->tcp, FW_TCP_ESTABLISHED);

    /* the client closes; the server acknowledges, then closes too */
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_FIN | FW_TCP_ACK, 52, t + 4 * S));
    CHECK_EQ(c->tcp, FW_TCP_FIN_WAIT);
    CHECK_EQ(c->expires, t + 4 * S + FW_CT_TCP_FIN_WAIT_NS);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_ACK, 52, t + 5 * S));
    CHECK_EQ(c->tcp, FW_TCP_CLOSE_WAIT);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_FIN | FW_TCP_ACK, 52, t + 6 * S));
    CHECK_EQ(c->tcp, FW_TCP_LAST_ACK);
    CHECK_EQ(c->expires, t + 6 * S + FW_CT_TCP_LAST_ACK_NS);
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_ACK, 52, t + 7 * S));
    CHECK_EQ(c->tcp, FW_TCP_TIME_WAIT);
    atoll_time_t end = t + 7 * S + FW_CT_TCP_TIME_WAIT_NS;
    CHECK_EQ(c->expires, end);
    CHECK_EQ(c->packets[FW_ORIG], 4);
    CHECK_EQ(c->packets[FW_REPLY], 4);
    CHECK_EQ(c->bytes[FW_REPLY], 60 + 1500 + 52 + 52);

    /* alive one nanosecond before the end, gone at it */
    CHECK(fw_ct_find(ct, &back, end - 1, &dir) == c);
    CHECK_EQ(fw_ct_count(ct), 1);
    CHECK(fw_ct_find(ct, &back, end, &dir) == NULL);
    CHECK_EQ(fw_ct_count(ct), 0);
    fw_ct_destroy(ct);
}

TEST(fw_ct, "TCP: simultaneous close, reset, and a SYN reopening TIME_WAIT")
{
    struct fw_ct *ct = table(16);
    struct fw_conn *c = open_tcp(ct, 40001, 0);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_SYN | FW_TCP_ACK, 60, 1));
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_ACK, 52, 2));
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_FIN | FW_TCP_ACK, 52, 3));
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_FIN | FW_TCP_ACK, 52, 4));
    CHECK_EQ(c->tcp, FW_TCP_LAST_ACK);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_ACK, 52, 5));
    CHECK_EQ(c->tcp, FW_TCP_TIME_WAIT);
    /* the same ports again: a new incarnation */
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_SYN, 60, 6));
    CHECK_EQ(c->tcp, FW_TCP_SYN_SENT);
    CHECK_EQ(c->flags & (FW_CT_FIN_ORIG | FW_CT_FIN_REPLY), 0);
    /* a reset from the server: CLOSE, short timeout */
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_RST | FW_TCP_ACK, 40, 7));
    CHECK_EQ(c->tcp, FW_TCP_CLOSE);
    CHECK_EQ(c->expires, 7 + FW_CT_TCP_CLOSE_NS);
    fw_ct_destroy(ct);
}

TEST(fw_ct, "TCP: segments that do not fit are refused, state unchanged")
{
    struct fw_ct *ct = table(16);
    /* only a bare SYN opens */
    CHECK(!fw_ct_may_open(6, FW_TCP_ACK));
    CHECK(!fw_ct_may_open(6, FW_TCP_SYN | FW_TCP_ACK));
    CHECK(!fw_ct_may_open(6, FW_TCP_SYN | FW_TCP_RST));
    CHECK(!fw_ct_may_open(6, FW_TCP_SYN | FW_TCP_FIN));
    CHECK(!fw_ct_may_open(6, 0));
    CHECK(fw_ct_may_open(17, 0));
    struct fw_conn *c = open_tcp(ct, 40002, 0);
    /* data before the SYN+ACK; a SYN+ACK from the originator; a bare SYN
     * from the responder */
    CHECK(!fw_ct_seen(ct, c, FW_ORIG, FW_TCP_ACK, 52, 1));
    CHECK(!fw_ct_seen(ct, c, FW_ORIG, FW_TCP_SYN | FW_TCP_ACK, 52, 1));
    CHECK(!fw_ct_seen(ct, c, FW_REPLY, FW_TCP_SYN, 52, 1));
    CHECK_EQ(c->tcp, FW_TCP_SYN_SENT);
    CHECK_EQ(c->packets[FW_ORIG], 1);
    CHECK(!(c->flags & FW_CT_SEEN_REPLY));
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_SYN | FW_TCP_ACK, 60, 2));
    CHECK(fw_ct_seen(ct, c, FW_ORIG, FW_TCP_ACK, 52, 3));
    /* a SYN inside an established connection does not reset it */
    CHECK(!fw_ct_seen(ct, c, FW_ORIG, FW_TCP_SYN, 60, 4));
    CHECK(!fw_ct_seen(ct, c, FW_REPLY, FW_TCP_SYN | FW_TCP_ACK, 60, 4));
    CHECK_EQ(c->tcp, FW_TCP_ESTABLISHED);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, FW_TCP_RST, 40, 5));
    CHECK(!fw_ct_seen(ct, c, FW_ORIG, FW_TCP_ACK, 52, 6));
    fw_ct_destroy(ct);
}

TEST(fw_ct, "UDP: 30 s before a reply, 300 s after; ICMP echo by identifier")
{
    struct fw_ct *ct = table(16);
    struct fw_tuple o = tup(17, C1, 5353, S1, 53), r;
    fw_tuple_reverse(&r, &o);
    CHECK_EQ(r.sport, 53);
    CHECK_EQ(r.dport, 5353);
    struct fw_conn *c;
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 0, &c), 0);
    CHECK(fw_ct_seen(ct, c, FW_ORIG, 0, 80, 0));
    CHECK_EQ(c->expires, FW_CT_UDP_NS);
    CHECK(fw_ct_seen(ct, c, FW_ORIG, 0, 80, 10 * S));
    CHECK_EQ(c->expires, 10 * S + FW_CT_UDP_NS);
    CHECK(fw_ct_seen(ct, c, FW_REPLY, 0, 80, 11 * S));
    CHECK_EQ(c->expires, 11 * S + FW_CT_UDP_ASSURED_NS);

    /* echo request 198.18.1.2 -> .2.9, id 77; the reply tuple is the echo
     * reply; a request the other way with the same id is not it */
    struct fw_tuple eo = tup(1, C1, 77, S1, 8), er;
    fw_tuple_reverse(&er, &eo);
    CHECK_EQ(er.sport, 77);
    CHECK_EQ(er.dport, 0);
    CHECK_EQ(fw_ct_add(ct, &eo, &er, 0, 1, 0, &c), 0);
    CHECK(fw_ct_seen(ct, c, FW_ORIG, 0, 84, 0));
    CHECK_EQ(c->expires, FW_CT_ICMP_NS);
    struct fw_tuple other = tup(1, S1, 77, C1, 8);
    CHECK(fw_ct_find(ct, &other, 1, NULL) == NULL);
    int dir;
    struct fw_tuple reply = tup(1, S1, 77, C1, 0);
    CHECK(fw_ct_find(ct, &reply, 1, &dir) == c);
    CHECK_EQ(dir, FW_REPLY);
    struct fw_tuple id78 = tup(1, S1, 78, C1, 0);
    CHECK(fw_ct_find(ct, &id78, 1, &dir) == NULL);
    fw_ct_destroy(ct);
}

TEST(fw_ct, "a taken tuple is refused; NAT is noticed from the tuples")
{
    struct fw_ct *ct = table(16);
    struct fw_conn *c, *d;
    /* masquerade: 198.18.1.2:40000 -> s1:80 leaves as 198.18.2.1:1024 */
    struct fw_tuple o = tup(6, C1, 40000, S1, 80);
    struct fw_tuple r = tup(6, S1, 80, 0xc6120201u, 1024);
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 0, &c), 0);
    CHECK(c->flags & FW_CT_NAT);
    CHECK(fw_ct_taken(ct, &r, 0));
    /* another client wanting the same outside port */
    struct fw_tuple o2 = tup(6, C1 + 1, 40000, S1, 80);
    CHECK_EQ(fw_ct_add(ct, &o2, &r, 0, 1, 0, &d), -ATOLL_EEXIST);
    CHECK_EQ(fw_ct_add(ct, &o, &o2, 0, 1, 0, &d), -ATOLL_EEXIST);
    r.dport = 1025;
    CHECK_EQ(fw_ct_add(ct, &o2, &r, 0, 1, 0, &d), 0);
    CHECK_EQ(fw_ct_count(ct), 2);
    fw_ct_destroy(ct);
}

TEST(fw_ct, "full table: new flows refused, answered ones kept")
{
    enum { N = 8 };
    struct fw_ct *ct = table(N);
    struct fw_conn *c[N];
    for (int k = 0; k < N; k++) {
        c[k] = open_tcp(ct, (uint16_t)(41000 + k), k);
        CHECK(fw_ct_seen(ct, c[k], FW_REPLY, FW_TCP_SYN | FW_TCP_ACK, 60, k));
        CHECK(fw_ct_seen(ct, c[k], FW_ORIG, FW_TCP_ACK, 52, k));
    }
    CHECK_EQ(fw_ct_count(ct), N);
    struct fw_tuple o = tup(6, C1, 42000, S1, 80), r;
    fw_tuple_reverse(&r, &o);
    struct fw_conn *n;
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 100, &n), -ATOLL_ENOSPC);
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 101, &n), -ATOLL_ENOSPC);
    CHECK_EQ(fw_ct_refused(ct), 2);
    CHECK_EQ(fw_ct_evicted(ct), 0);
    for (int k = 0; k < N; k++) {
        struct fw_tuple b = tup(6, S1, 80, C1, (uint16_t)(41000 + k));
        CHECK(fw_ct_find(ct, &b, 200, NULL) == c[k]);
        CHECK_EQ(c[k]->tcp, FW_TCP_ESTABLISHED);
    }
    /* once one has expired, its slot is taken */
    atoll_time_t later = 3 + FW_CT_TCP_ESTABLISHED_NS;
    CHECK(fw_ct_seen(ct, c[0], FW_ORIG, FW_TCP_ACK, 52, later - 1000));
    CHECK(fw_ct_seen(ct, c[1], FW_ORIG, FW_TCP_ACK, 52, later - 1000));
    CHECK(fw_ct_seen(ct, c[2], FW_ORIG, FW_TCP_ACK, 52, later - 1000));
    /* c[3] (seen last at 3) has expired at `later`; 4..7 have not */
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, later, &n), 0);
    CHECK(n == c[3]);
    CHECK_EQ(fw_ct_count(ct), N);
    CHECK_EQ(fw_ct_evicted(ct), 0);
    fw_ct_destroy(ct);
}

TEST(fw_ct, "full table: the least recently seen unanswered flow gives way")
{
    enum { N = 8 };
    struct fw_ct *ct = table(N);
    struct fw_conn *c[N];
    for (int k = 0; k < N; k++) {
        c[k] = open_tcp(ct, (uint16_t)(41000 + k), k);
        /* even ones answered */
        if (k % 2 == 0)
            CHECK(
                fw_ct_seen(ct, c[k], FW_REPLY, FW_TCP_SYN | FW_TCP_ACK, 60, k));
    }
    /* odd ones are half-open: the oldest of them, c[1], goes */
    struct fw_tuple o = tup(6, C1, 42000, S1, 80), r;
    fw_tuple_reverse(&r, &o);
    struct fw_conn *n;
    struct fw_tuple b1 = tup(6, S1, 80, C1, 41001);
    CHECK(fw_ct_find(ct, &b1, 10, NULL) == c[1]);
    CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 10, &n), 0);
    CHECK_EQ(fw_ct_evicted(ct), 1);
    CHECK(fw_ct_find(ct, &b1, 10, NULL) == NULL);
    CHECK(fw_ct_find(ct, &o, 10, NULL) == n);
    for (int k = 0; k < N; k += 2) {
        struct fw_tuple b = tup(6, S1, 80, C1, (uint16_t)(41000 + k));
        CHECK(fw_ct_find(ct, &b, 10, NULL) == c[k]);
    }
    fw_ct_destroy(ct);
}

TEST(fw_ct, "collection removes expired connections, budget by budget")
{
    enum { N = 100 };
    struct fw_ct *ct = table(N);
    for (int k = 0; k < N; k++) {
        struct fw_tuple o = tup(17, C1, (uint16_t)(1000 + k), S1, 53), r;
        fw_tuple_reverse(&r, &o);
        struct fw_conn *c;
        CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 0, &c), 0);
        CHECK(fw_ct_seen(ct, c, FW_ORIG, 0, 60, k < 50 ? 0 : 20 * S));
    }
    CHECK_EQ(fw_ct_gc(ct, FW_CT_UDP_NS - 1, N), 0);
    uint32_t got = 0;
    for (int round = 0; round < 4; round++)
        got += fw_ct_gc(ct, FW_CT_UDP_NS, N / 4);
    CHECK_EQ(got, 50);
    CHECK_EQ(fw_ct_count(ct), 50);
    CHECK_EQ(fw_ct_gc(ct, 20 * S + FW_CT_UDP_NS, 1000), 50);
    CHECK_EQ(fw_ct_count(ct), 0);
    fw_ct_destroy(ct);
}

TEST(fw_ct, "ten thousand connections: each found both ways, deletes hold")
{
    enum { N = 10000 };
    struct fw_ct *ct = table(N);
    static struct fw_conn *c[N];
    for (int k = 0; k < N; k++) {
        struct fw_tuple o = tup(6, C1 + (uint32_t)(k / 1000),
                                (uint16_t)(20000 + k % 1000), S1, 443);
        struct fw_tuple r = tup(6, S1, 443, 0xc6120201u, (uint16_t)(1024 + k));
        CHECK_EQ(fw_ct_add(ct, &o, &r, 0, 1, 0, &c[k]), 0);
    }
    CHECK_EQ(fw_ct_count(ct), N);
    for (int k = 0; k < N; k += 3)
        fw_ct_del(ct, c[k]);
    for (int k = 0; k < N; k++) {
        struct fw_tuple o = tup(6, C1 + (uint32_t)(k / 1000),
                                (uint16_t)(20000 + k % 1000), S1, 443);
        struct fw_tuple r = tup(6, S1, 443, 0xc6120201u, (uint16_t)(1024 + k));
        int d1 = -1, d2 = -1;
        struct fw_conn *a = fw_ct_find(ct, &o, 1, &d1);
        struct fw_conn *b = fw_ct_find(ct, &r, 1, &d2);
        if (k % 3 == 0) {
            CHECK(a == NULL && b == NULL);
        } else {
            CHECK(a == c[k] && b == c[k]);
            CHECK_EQ(d1, FW_ORIG);
            CHECK_EQ(d2, FW_REPLY);
        }
    }
    CHECK_EQ(fw_ct_count(ct), N - (N + 2) / 3);
    fw_ct_destroy(ct);
}
