/*
 * tests/sim/net_util.h - helpers shared by the network sim tests
 * (tests/sim/net_*.c): stacks and raw ports on simulated wires, crafted
 * frames, a router the test plays, memory pressure, an echo fiber, and the
 * rule that a failing case prints its seed and keeps its pcap.
 *
 * Every case calls net_sim_begin(), which seeds the simulation (ATOLL_SEED
 * overrides the case's seed, to replay a failure) and captures wire "w"
 * to a pcap file; NCHECK/NCHECK_EQ fail like CHECK/CHECK_EQ but first
 * print "seed N, pcap FILE"; net_sim_end() removes the pcap of a case that
 * passed.  Header-only (static functions) so each test program is one
 * file plus the harness.
 */
#ifndef ATOLL_TESTS_NET_UTIL_H
#define ATOLL_TESTS_NET_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../../lib/net/stack_int.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/sim.h"
#include "platform.h"

static uint64_t net_seed;
static char net_pcap[256];

static inline void net_sim_report(void)
{
    printf("       seed %llu (replay: ATOLL_SEED=%llu), pcap %s\n",
           (unsigned long long)net_seed, (unsigned long long)net_seed,
           net_pcap);
    fflush(stdout);
}

#define NCHECK(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            net_sim_report();                                                  \
            harness_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);              \
        }                                                                      \
    } while (0)

#define NCHECK_EQ(a, b)                                                        \
    do {                                                                       \
        long long g_ = (long long)(a), w_ = (long long)(b);                    \
        if (g_ != w_) {                                                        \
            net_sim_report();                                                  \
            harness_fail(__FILE__, __LINE__,                                   \
                         "CHECK_EQ(%s, %s): got %lld, "                        \
                         "want %lld",                                          \
                         #a, #b, g_, w_);                                      \
        }                                                                      \
    } while (0)

/* Seed the simulation and configure wire "w" (with a pcap). */
static inline void net_sim_begin(const char *tag, uint64_t seed,
                                 struct atoll_sim_wire_opts opts)
{
    const char *env = getenv("ATOLL_SEED");
    net_seed = env ? strtoull(env, NULL, 10) : seed;
    atoll_sim_seed(net_seed);
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(net_pcap, sizeof net_pcap, "%s/atoll-net-%s-%d.pcap", dir, tag,
             (int)getpid());
    opts.pcap = net_pcap;
    if (atoll_sim_wire_configure("w", &opts) < 0)
        harness_fail(__FILE__, __LINE__, "wire configure");
}

static inline void net_sim_end(void)
{
    unlink(net_pcap);
}

/* A stack on wire `wire` through port `port`. */
static inline struct atoll_stack *net_mkstack(const char *port,
                                              const char *wire,
                                              const char *addr, const char *gw)
{
    char err[256] = "";
    if (plat_net_attach(port, wire, err, sizeof err) < 0)
        harness_fail(__FILE__, __LINE__, "attach %s: %s", port, err);
    struct atoll_netif *nif;
    if (atoll_netif_open_default(port, &nif) < 0)
        harness_fail(__FILE__, __LINE__, "open %s", port);
    struct atoll_stack_config c = {0};
    if (atoll_ipv4_parse(addr, &c.addr, &c.prefix) < 0 ||
        (gw && atoll_ipv4_parse(gw, &c.gateway, NULL) < 0))
        harness_fail(__FILE__, __LINE__, "bad address");
    struct atoll_stack *s;
    int r = atoll_stack_create(port, nif, &c, &s);
    if (r < 0)
        harness_fail(__FILE__, __LINE__, "stack_create: %s", atoll_strerror(r));
    return s;
}

/* A dual-stack stack on wire "w": IPv4 `v4` and static IPv6 `v6`
 * ("2001:db8::2/64"); its IPv6 address is usable once DAD is over, about
 * a second later. */
static inline struct atoll_stack *net_mkstack6(const char *port, const char *v4,
                                               const char *v6)
{
    struct atoll_stack *s = net_mkstack(port, "w", v4, NULL);
    struct atoll_ipv6_config c = {{{0}}, 0, {{0}}};
    if (atoll_ipv6_parse(v6, &c.addr, &c.prefix) < 0 ||
        atoll_stack_ipv6_enable(s, &c) < 0)
        harness_fail(__FILE__, __LINE__, "ipv6 %s", v6);
    return s;
}

/* A raw port on the wire (a test's own "host"). */
static inline struct atoll_netif *net_raw(const char *port, const char *wire)
{
    char err[256] = "";
    if (plat_net_attach(port, wire, err, sizeof err) < 0)
        harness_fail(__FILE__, __LINE__, "attach %s: %s", port, err);
    struct atoll_netif *nif;
    if (atoll_netif_open_default(port, &nif) < 0)
        harness_fail(__FILE__, __LINE__, "open %s", port);
    return nif;
}

static inline void net_raw_send(struct atoll_netif *nif, const void *p,
                                size_t len)
{
    struct atoll_buf *b = atoll_buf_from(p, len);
    atoll_netif_send(nif, &b, 1);
    atoll_buf_free(b);
}

/* Read and drop every frame due on `nif` now, until the device reports
 * its queue empty.  The default netif then holds one spare buffer (kept
 * across calls, lib/dev/netif_default.c): draining before and after a
 * memory-failure run (tests/sim/memfail.h) makes that cache the same
 * size on both sides of the leak count. */
static inline void net_raw_drain(struct atoll_netif *nif)
{
    struct atoll_buf *b[32];
    int n;
    while ((n = atoll_netif_recv(nif, b, 32, atoll_now())) > 0)
        for (int i = 0; i < n; i++)
            atoll_buf_free(b[i]);
}

/* Seed the simulation, configure wire "w" (no pcap) and open a port on it
 * for each of names[0..n), drained: the devices of a memory-failure run
 * (tests/sim/memfail.h), opened before its count starts.  Exit status 3
 * if the wire cannot be configured. */
static inline void net_ports(uint64_t seed, struct atoll_sim_wire_opts o,
                             const char *const *names,
                             struct atoll_netif **nifs, int n)
{
    atoll_sim_seed(seed);
    if (atoll_sim_wire_configure("w", &o) < 0)
        exit(3);
    for (int i = 0; i < n; i++) {
        nifs[i] = net_raw(names[i], "w");
        net_raw_drain(nifs[i]);
    }
}

static inline void net_drain_all(struct atoll_netif **nifs, int n)
{
    for (int i = 0; i < n; i++)
        net_raw_drain(nifs[i]);
}

/* A stack on an open interface, or NULL with the error in *err (for
 * tests where creation may fail, e.g. memory-failure runs). */
static inline struct atoll_stack *net_stack_on(struct atoll_netif *nif,
                                               const char *name,
                                               const char *addr, int *err)
{
    struct atoll_stack_config c = {0};
    atoll_ipv4_parse(addr, &c.addr, &c.prefix);
    struct atoll_stack *s = NULL;
    *err = atoll_stack_create(name, nif, &c, &s);
    return *err < 0 ? NULL : s;
}

/* The next frame on `nif` for which match(frame, len, ctx) is true; its
 * length (copied into out, up to cap), or -ATOLL_ETIMEDOUT. */
static inline int net_raw_wait(struct atoll_netif *nif,
                               bool (*match)(const uint8_t *, size_t, void *),
                               void *ctx, uint8_t *out, size_t cap,
                               atoll_time_t deadline)
{
    for (;;) {
        struct atoll_buf *b;
        int n = atoll_netif_recv(nif, &b, 1, deadline);
        if (n < 0)
            return n;
        int len = (int)b->len;
        bool m = match(b->data, b->len, ctx);
        if (m && out)
            memcpy(out, b->data, b->len < cap ? b->len : cap);
        atoll_buf_free(b);
        if (m)
            return len;
    }
}

/* A fiber: echo every datagram on the UDP socket `arg` back to where it
 * came from, either family. */
static inline int net_udp_echo(void *arg)
{
    struct atoll_udp *u = arg;
    static uint8_t buf[65536];
    for (;;) {
        atoll_addr_t src;
        uint16_t port;
        int n =
            atoll_udp_recvfrom(u, buf, sizeof buf, &src, &port, ATOLL_NEVER);
        if (n < 0)
            return n;
        atoll_udp_sendto(u, src, port, buf, (size_t)n);
    }
}

/* An Ethernet + IPv4 frame at p: header fields given, payload copied. */
static inline size_t net_ip_frame(uint8_t *p, const uint8_t dst[6],
                                  const uint8_t src[6], struct net_ipv4_hdr *h,
                                  const void *payload, size_t len)
{
    struct net_eth_hdr e;
    memcpy(e.dst, dst, 6);
    memcpy(e.src, src, 6);
    e.type = NET_ETHTYPE_IPV4;
    net_eth_write(p, &e);
    h->hlen = 20;
    h->total_len = (uint16_t)(20 + len);
    net_ipv4_write(p + 14, h);
    memcpy(p + 34, payload, len);
    return 34 + len;
}

/* An ARP frame (padded to 60 bytes) at p, from `sha` to Ethernet `dst`. */
static inline size_t net_arp_frame(uint8_t *p, const uint8_t dst[6],
                                   uint16_t op, const uint8_t sha[6],
                                   atoll_ipv4_t spa, const uint8_t tha[6],
                                   atoll_ipv4_t tpa)
{
    memset(p, 0, 60);
    struct net_eth_hdr e = {.type = NET_ETHTYPE_ARP};
    memcpy(e.dst, dst, 6);
    memcpy(e.src, sha, 6);
    net_eth_write(p, &e);
    struct net_arp a = {.op = op, .spa = spa, .tpa = tpa};
    memcpy(a.sha, sha, 6);
    memcpy(a.tha, tha, 6);
    net_arp_write(p + 14, &a);
    return 60;
}

/* A router the test plays, on raw port `nif` (run net_router_fiber): it
 * answers ARP for `gw`, and "forwards" pings to `far`, which answers
 * through it: an echo reply with the TTL one lower.  It counts the pings
 * (and the TTL of the last), and the ARP requests for `gw` from `asker`. */
struct net_router {
    struct atoll_netif *nif;
    uint8_t mac[6];
    atoll_ipv4_t gw, far, asker;
    int echoes, arp_asked;
    uint8_t ttl_seen;
};

static inline void net_router_frame(struct net_router *r, uint8_t *p,
                                    size_t len)
{
    struct net_eth_hdr e;
    struct net_arp a;
    struct net_ipv4_hdr h;
    if (net_eth_parse(p, len, &e) < 0)
        return;
    if (e.type == NET_ETHTYPE_ARP && net_arp_parse(p + 14, len - 14, &a) == 0 &&
        a.op == NET_ARP_REQUEST && a.tpa == r->gw) {
        uint8_t f[60];
        r->arp_asked += a.spa == r->asker;
        net_arp_frame(f, a.sha, NET_ARP_REPLY, r->mac, r->gw, a.sha, a.spa);
        net_raw_send(r->nif, f, sizeof f);
    } else if (e.type == NET_ETHTYPE_IPV4 && !memcmp(e.dst, r->mac, 6) &&
               net_ipv4_parse(p + 14, len - 14, &h) == 0 && h.dst == r->far &&
               h.proto == NET_PROTO_ICMP && h.total_len <= 1500) {
        uint8_t *icmp = p + 14 + h.hlen;
        size_t ilen = h.total_len - h.hlen;
        struct net_icmp_hdr ih;
        if (net_icmp_parse(icmp, ilen, &ih) < 0)
            return;
        r->echoes++;
        r->ttl_seen = h.ttl;
        ih.type = NET_ICMP_ECHO_REPLY;
        net_icmp_write(icmp, ilen, &ih);
        uint8_t f[1600];
        struct net_ipv4_hdr rh = {.ttl = 63,
                                  .proto = NET_PROTO_ICMP,
                                  .src = r->far,
                                  .dst = h.src,
                                  .id = 7};
        net_raw_send(r->nif, f,
                     net_ip_frame(f, e.src, r->mac, &rh, icmp, ilen));
    }
}

static inline int net_router_fiber(void *arg)
{
    struct net_router *r = arg;
    for (;;) {
        struct atoll_buf *b;
        if (atoll_netif_recv(r->nif, &b, 1, ATOLL_NEVER) < 0)
            return 0;
        net_router_frame(r, b->data, b->len);
        atoll_buf_free(b);
    }
}

/* Memory pressure: takes the heap in 64 KiB blocks until none is left,
 * then gives back the last `left` bytes' worth (adjacent blocks, so one
 * free region).  Returns the list of blocks kept, for net_ballast_free. */
#define NET_BALLAST_BLOCK (64u << 10)
static inline void *net_ballast_fill(size_t left)
{
    void *head = NULL;
    void *b;
    while ((b = atoll_malloc(NET_BALLAST_BLOCK)) != NULL) {
        *(void **)b = head;
        head = b;
    }
    for (size_t freed = 0; head && freed < left; freed += NET_BALLAST_BLOCK) {
        void *next = *(void **)head;
        atoll_free(head);
        head = next;
    }
    return head;
}

static inline void net_ballast_free(void *head)
{
    while (head) {
        void *next = *(void **)head;
        atoll_free(head);
        head = next;
    }
}

/* A fiber body: echo on TCP connection `arg` until the peer finishes (or
 * a minute passes without progress), then close it. */
static inline int net_echo_conn(void *arg)
{
    struct atoll_tcp_conn *c = arg;
    char buf[4096];
    for (;;) {
        int n = atoll_tcp_read(c, buf, sizeof buf, atoll_after(ATOLL_SEC(60)));
        if (n <= 0 ||
            atoll_tcp_write(c, buf, (size_t)n, atoll_after(ATOLL_SEC(60))) != n)
            break;
    }
    atoll_tcp_close(c);
    return 0;
}

#endif
