/*
 * lib/net/tcp_ring.c - the byte rings behind TCP's send and receive
 * buffers (tcp_int.h).  A ring starts with TCP_BUF_INITIAL bytes and
 * doubles on demand up to the connection's maximum, so a bulk connection
 * gets its full window; an empty ring is given back (tcp_ring_drained),
 * so an idle connection costs no ring at all.
 */
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "tcp_int.h"

int tcp_ring_reserve(struct tcp_ring *r, uint32_t need, uint32_t max)
{
    if (need <= r->cap)
        return 0;
    if (need > max)
        return -ATOLL_EINVAL;
    uint32_t cap = r->cap ? r->cap : TCP_BUF_INITIAL;
    while (cap < need)
        cap *= 2;
    /* realloc: grows in place when the heap can, so a ring near the
     * memory limit does not need its old and new size at once. */
    uint8_t *nb = atoll_realloc(r->buf, cap);
    if (!nb)
        return -ATOLL_ENOMEM;
    /* Offsets keep their meaning with head unchanged once the bytes that
     * wrapped to [0, head) move to just past the old end.  All of the old
     * capacity counts: the receive side keeps out-of-order bytes beyond
     * len. */
    memcpy(nb + r->cap, nb, r->head);
    r->buf = nb;
    r->cap = cap;
    return 0;
}

void tcp_ring_write(struct tcp_ring *r, uint32_t off, const void *p, uint32_t n)
{
    ATOLL_ASSERT(n <= r->cap && off <= r->cap - n); /* reserved first */
    if (n == 0) /* the ring may have no buffer at all */
        return;
    uint32_t pos = (r->head + off) & (r->cap - 1);
    uint32_t first = r->cap - pos < n ? r->cap - pos : n;
    memcpy(r->buf + pos, p, first);
    memcpy(r->buf, (const uint8_t *)p + first, n - first);
}

void tcp_ring_read(const struct tcp_ring *r, uint32_t off, void *p, uint32_t n)
{
    ATOLL_ASSERT(n <= r->cap && off <= r->cap - n);
    if (n == 0)
        return;
    uint32_t pos = (r->head + off) & (r->cap - 1);
    uint32_t first = r->cap - pos < n ? r->cap - pos : n;
    memcpy(p, r->buf + pos, first);
    memcpy((uint8_t *)p + first, r->buf, n - first);
}

void tcp_ring_consume(struct tcp_ring *r, uint32_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= n;
    r->head = r->cap ? (r->head + n) & (r->cap - 1) : 0;
}

void tcp_ring_free(struct tcp_ring *r)
{
    atoll_free(r->buf);
    memset(r, 0, sizeof *r);
}
