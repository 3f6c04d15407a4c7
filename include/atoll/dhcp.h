/*
 * atoll/dhcp.h - the DHCP client (RFC 2131): automatic IPv4 configuration
 * of a stack.
 *
 * NAME
 *     atoll_dhcp_start, atoll_dhcp_wait_bound, atoll_dhcp_lease,
 *     atoll_dhcp_stats, atoll_dhcp_stop, atoll_stack_dns_servers
 *
 * DESCRIPTION
 *     A stack declared in a manifest is configured by DHCP when it is
 *     given no --ipv4, or --dhcp: its constructor creates it unconfigured,
 *     starts a client and waits (at most NET_DHCP_BOOT_WAIT_NS) for the
 *     first lease before the application starts.
 *
 *     The client runs in its own fiber, "NAME dhcp":
 *
 *       INIT        broadcast DHCPDISCOVER, retransmitted after 4, 8, 16,
 *                   ... (at most 64) seconds, each +-1 s at random
 *       SELECTING   the first valid DHCPOFFER wins
 *       REQUESTING  broadcast DHCPREQUEST (server id, requested address),
 *                   retransmitted like DISCOVER, 4 times, then INIT;
 *                   DHCPNAK: INIT
 *       (check)     on DHCPACK the address is probed with ARP (RFC 5227:
 *                   a request from 0.0.0.0); an answer means it is in use:
 *                   DHCPDECLINE, wait 10 s, INIT
 *       BOUND       address, prefix, gateway (option 3) and DNS servers
 *                   (option 6) installed; until T1 (option 58, default
 *                   lease/2)
 *       RENEWING    DHCPREQUEST unicast to the server, retransmitted after
 *                   half the time left until T2 (at least 4 s)
 *       REBINDING   from T2 (option 59, default 7/8 lease): broadcast
 *                   DHCPREQUEST, likewise until the lease expires
 *       expiry      the address is removed (the stack is unconfigured
 *                   again) and the client starts over in INIT.
 *
 *     Transaction ids come from the platform generator.  Replies are
 *     checked (BOOTREPLY, Ethernet/6, our xid and hardware address, the
 *     magic cookie, well-formed options inside the packet, a message type,
 *     a server id): anything else is dropped and counted.
 *
 * RETURN VALUE
 *     start: 0, -ATOLL_EBUSY (the stack has a client), -ATOLL_EADDRINUSE
 *     (port 68 taken), -ATOLL_ENOMEM.  wait_bound: 0 or -ATOLL_ETIMEDOUT.
 */
#ifndef ATOLL_DHCP_H
#define ATOLL_DHCP_H

#include <stdint.h>

#include "atoll/stack.h"
#include "atoll/time.h"

#define ATOLL_DHCP_DNS_MAX 4

enum atoll_dhcp_state {
    ATOLL_DHCP_INIT = 0,
    ATOLL_DHCP_SELECTING,
    ATOLL_DHCP_REQUESTING,
    ATOLL_DHCP_BOUND,
    ATOLL_DHCP_RENEWING,
    ATOLL_DHCP_REBINDING,
    ATOLL_DHCP_STOPPED
};

struct atoll_dhcp_lease {
    enum atoll_dhcp_state state;
    atoll_ipv4_t addr, server, gateway;
    uint8_t prefix;
    atoll_ipv4_t dns[ATOLL_DHCP_DNS_MAX];
    int ndns;
    uint32_t lease_s, t1_s, t2_s; /* as granted */
    atoll_time_t acquired;        /* atoll_now() of the last DHCPACK */
};

struct atoll_dhcp_stats {
    uint64_t discovers, requests, declines; /* sent */
    uint64_t offers, acks, naks;            /* accepted */
    uint64_t dropped;                       /* malformed / not for us */
    uint64_t leases, expiries, conflicts;
};

struct atoll_dhcp;

/* Start a client on `s` (which should be unconfigured). */
int atoll_dhcp_start(struct atoll_stack *s, struct atoll_dhcp **out);

/* Wait until the client holds a lease (BOUND, RENEWING or REBINDING). */
int atoll_dhcp_wait_bound(struct atoll_dhcp *c, atoll_time_t deadline);

void atoll_dhcp_lease(const struct atoll_dhcp *c, struct atoll_dhcp_lease *out);
void atoll_dhcp_stats(const struct atoll_dhcp *c, struct atoll_dhcp_stats *out);

/* The client of stack `s`, or NULL. */
struct atoll_dhcp *atoll_dhcp_of(struct atoll_stack *s);

/* Stop the client (the address stays as it is) and free it. */
void atoll_dhcp_stop(struct atoll_dhcp *c);

/* The DNS servers DHCP gave stack `s` (at most `max`); 0 if none. */
int atoll_stack_dns_servers(struct atoll_stack *s, atoll_ipv4_t *out, int max);

/* Constructor for the stack's --dhcp path (used by stack.c): an
 * unconfigured stack over `nif`, a client on it, and the first lease
 * waited for until `deadline`.  0, or -ATOLL_ETIMEDOUT, ... */
int atoll_stack_create_dhcp(const char *name, struct atoll_netif *nif,
                            atoll_time_t deadline, struct atoll_stack **out);

/* How long a stack constructor waits for the first lease. */
#ifndef NET_DHCP_BOOT_WAIT_NS
#define NET_DHCP_BOOT_WAIT_NS (30LL * 1000000000LL)
#endif

#endif
