/*
 * lib/net/dheap.h - a binary min-heap of deadlines whose nodes live inside
 * the objects they time (TCP connections: their timers, tcp_timer.c, and
 * their deadline in a poller, tcp_poll.c).
 *
 * A node remembers its slot, so moving or removing one is O(log n) and
 * the owner finds its object from the node (container_of).  The array
 * only grows in dheap_reserve, so a caller that reserved room when its
 * object was made can put the node in later without failing.
 */
#ifndef ATOLL_NET_DHEAP_H
#define ATOLL_NET_DHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atoll/time.h"

struct dheap_node {
    atoll_time_t key;
    uint32_t slot; /* index in the heap + 1; 0: not in a heap */
};

struct dheap {
    struct dheap_node **v;
    uint32_t n, cap;
};

/* Room for `n` nodes in all.  0 or -ATOLL_ENOMEM (the heap unchanged). */
int dheap_reserve(struct dheap *h, uint32_t n);

/* Put `x` in the heap with `key`, or move it there if it is in already.
 * A new node needs room (dheap_reserve). */
void dheap_put(struct dheap *h, struct dheap_node *x, atoll_time_t key);

/* Take `x` out (nothing if it is not in). */
void dheap_remove(struct dheap *h, struct dheap_node *x);

/* Release the array (the nodes are the owners'). */
void dheap_free(struct dheap *h);

static inline struct dheap_node *dheap_top(const struct dheap *h)
{
    return h->n ? h->v[0] : NULL;
}

static inline bool dheap_has(const struct dheap_node *x)
{
    return x->slot != 0;
}

#endif
