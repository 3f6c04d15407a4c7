/*
 * lib/net/dhcp_int.h - the few hooks between the stack object (stack.c)
 * and the services that configure or use it at run time: the DHCP client
 * (dhcp.c) and the DNS resolver (dns_resolver.c).
 *
 * A stack can start unconfigured (address 0.0.0.0): it then still sends
 * and receives broadcast UDP, which is all DHCP needs, and the client
 * installs the leased address later with net_stack_reconfigure.
 */
#ifndef ATOLL_NET_DHCP_INT_H
#define ATOLL_NET_DHCP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "atoll/stack.h"

/* ---- stack.c ------------------------------------------------------------ */

/* Like atoll_stack_create, but with no address yet (0.0.0.0/0). */
int net_stack_create_unconfigured(const char *name, struct atoll_netif *nif,
                                  struct atoll_stack **out);

/* Install a new configuration (addr 0: unconfigured again).  Announces
 * the new address with a gratuitous ARP. */
void net_stack_reconfigure(struct atoll_stack *s,
                           const struct atoll_stack_config *c);

/* The first stack created and not destroyed (for services such as the
 * resolver that the wiring builds without naming a stack), or NULL. */
struct atoll_stack *net_stack_first(void);

/* ---- dhcp.c -------------------------------------------------------------- */

/* The stack is being destroyed: stop its DHCP client, if any. */
void net_dhcp_stack_gone(struct atoll_stack *s);

/* Check a DHCP reply as the client does (BOOTREPLY for xid/mac, options
 * in bounds, ...): its message type, or -ATOLL_EBADMSG.  For tests and
 * the fuzz target. */
int net_dhcp_parse_reply(const uint8_t *p, size_t len, uint32_t xid,
                         const uint8_t mac[6]);

#endif
