/*
 * tests/sim/dhcp_fake.h - a fake DHCP server for the sim tests
 * (tests/sim/dhcp_client.c, tests/sim/dhcp_memfail.c): a fiber on a
 * stack of the test's own, answering on UDP port 67 the way a test asks -
 * normally, not at all after the first lease (a server that disappears),
 * with a NAK, with garbage first, or offering in turn addresses a client
 * declines.  It leases with router and DNS server SRV (198.18.0.1) and
 * DNS1 (198.18.0.53).  Header-only, like net_util.h.
 */
#ifndef ATOLL_TESTS_DHCP_FAKE_H
#define ATOLL_TESTS_DHCP_FAKE_H

#include "atoll/udp.h"
#include "net_util.h"

#define SRV    0xc6120001u /* 198.18.0.1 */
#define ROUTER 0xc6120001u
#define DNS1   0xc6120035u /* 198.18.0.53 */

struct fake {
    struct atoll_stack *srv;
    struct atoll_udp *u;
    atoll_ipv4_t offer[4]; /* offered in turn, after each DECLINE */
    int next_offer;
    uint32_t lease, t1, t2;
    bool vanish_after_ack; /* stop answering once one lease is out */
    bool nak_first;        /* NAK the first REQUEST */
    bool garbage;          /* send malformed replies before each answer */
    bool stopped;
    int acks, naks, discovers, requests, declines, renewals;
    atoll_time_t first_renew, last_renew;
};

static inline uint8_t opt_type(const uint8_t *p, size_t n)
{
    for (size_t o = 240; o + 2 < n && p[o] != 255; o += 2u + p[o + 1])
        if (p[o] == 53)
            return p[o + 2];
    return 0;
}

/* A reply of `type` to request `q` offering `yi`. */
static inline size_t reply(struct fake *f, const uint8_t *q, uint8_t type,
                           atoll_ipv4_t yi, uint8_t *p)
{
    memset(p, 0, 400);
    p[0] = 2;
    p[1] = 1;
    p[2] = 6;
    memcpy(p + 4, q + 4, 4); /* xid */
    net_put32(p + 16, yi);
    memcpy(p + 28, q + 28, 6);
    net_put32(p + 236, 0x63825363u);
    size_t o = 240;
    const uint8_t t[] = {53, 1, type};
    memcpy(p + o, t, 3);
    o += 3;
    p[o++] = 54;
    p[o++] = 4;
    net_put32(p + o, SRV);
    o += 4;
    if (type != 6) {
        const uint32_t v[][2] = {{1, 0xffffff00u}, {3, ROUTER}, {6, DNS1},
                                 {51, f->lease},   {58, f->t1}, {59, f->t2}};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            p[o++] = (uint8_t)v[i][0];
            p[o++] = 4;
            net_put32(p + o, v[i][1]);
            o += 4;
        }
    }
    p[o++] = 255;
    return 300;
}

static inline void send_garbage(struct fake *f, const uint8_t *q)
{
    uint8_t p[400];
    reply(f, q, 2, f->offer[f->next_offer], p);
    p[4] ^= 1; /* another xid */
    atoll_udp_sendto(f->u, atoll_addr4(0xffffffffu), 68, p, 300);
    reply(f, q, 2, f->offer[f->next_offer], p);
    p[241] = 200; /* the first option runs past the end */
    atoll_udp_sendto(f->u, atoll_addr4(0xffffffffu), 68, p, 243);
    reply(f, q, 2, f->offer[f->next_offer], p);
    p[236] = 0; /* no magic cookie */
    atoll_udp_sendto(f->u, atoll_addr4(0xffffffffu), 68, p, 300);
    reply(f, q, 2, f->offer[f->next_offer], p);
    atoll_udp_sendto(f->u, atoll_addr4(0xffffffffu), 68, p,
                     100); /* truncated */
}

static inline int server_main(void *arg)
{
    struct fake *f = arg;
    uint8_t q[1500], p[400];
    while (!f->stopped) {
        atoll_addr_t from;
        uint16_t port;
        int n = atoll_udp_recvfrom(f->u, q, sizeof q, &from, &port,
                                   atoll_after(ATOLL_MS(100)));
        if (n < 240 || q[0] != 1)
            continue;
        uint8_t type = opt_type(q, (size_t)n);
        uint32_t ciaddr = (uint32_t)q[12] << 24 | (uint32_t)q[13] << 16 |
                          (uint32_t)q[14] << 8 | q[15];
        if (type == 4) {
            f->declines++;
            f->next_offer++;
            continue;
        }
        if (type == 1)
            f->discovers++;
        if (type == 3) {
            f->requests++;
            if (ciaddr) { /* RENEWING or REBINDING */
                f->renewals++;
                if (!f->first_renew)
                    f->first_renew = atoll_now();
                f->last_renew = atoll_now();
            }
        }
        if (f->vanish_after_ack && f->acks > 0)
            continue;
        if (f->garbage)
            send_garbage(f, q);
        atoll_ipv4_t yi = ciaddr ? ciaddr : f->offer[f->next_offer];
        size_t len;
        if (type == 1) {
            len = reply(f, q, 2, yi, p);
        } else if (type == 3 && f->nak_first && f->naks == 0) {
            f->naks++;
            len = reply(f, q, 6, 0, p);
        } else if (type == 3) {
            f->acks++;
            len = reply(f, q, 5, yi, p);
        } else {
            continue;
        }
        atoll_udp_sendto(f->u, atoll_addr4(0xffffffffu), 68, p, len);
    }
    return 0;
}

#endif
