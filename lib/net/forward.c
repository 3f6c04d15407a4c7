/*
 * lib/net/forward.c - the forwarding hook (atoll/forward.h): the one place
 * where a stack hands packets that are not its own business to its owner,
 * and takes whole IPv4 and IPv6 packets to send on.
 */
#include "atoll/error.h"
#include "atoll/forward.h"
#include "ipv6_int.h"
#include "stack_int.h"

void atoll_stack_set_forward(struct atoll_stack *s, atoll_stack_forward_fn fn,
                             void *arg)
{
    s->fwd = fn;
    s->fwd_arg = arg;
}

int atoll_stack_send_ipv4(struct atoll_stack *s, atoll_ipv4_t next_hop,
                          struct atoll_buf *b)
{
    bool tso = b->gso_size && (s->info.offloads & ATOLL_NETIF_TSO4);
    if (b->len > s->info.mtu && !tso) {
        atoll_buf_free(b);
        return -ATOLL_EMSGSIZE;
    }
    return net_arp_output(s, next_hop, b);
}

int atoll_stack_send_ipv6(struct atoll_stack *s, const atoll_ipv6_t *next_hop,
                          struct atoll_buf *b)
{
    if (!s->v6) {
        atoll_buf_free(b);
        return -ATOLL_EHOSTUNREACH;
    }
    bool tso = b->gso_size && (s->info.offloads & ATOLL_NETIF_TSO6);
    if (b->len > s->v6->mtu && !tso) {
        atoll_buf_free(b);
        return -ATOLL_EMSGSIZE;
    }
    return net_nd_output(s, next_hop, b);
}

uint16_t atoll_stack_mtu(const struct atoll_stack *s)
{
    return (uint16_t)s->info.mtu;
}

uint32_t atoll_stack_offloads(const struct atoll_stack *s)
{
    return s->info.offloads;
}
