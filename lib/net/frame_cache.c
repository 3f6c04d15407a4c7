/*
 * lib/net/frame_cache.c - a stack's free list of transmit frame buffers.
 *
 * A sender without segmentation offload makes a buffer for every segment
 * and frees it once the interface took the frame: one allocation and one
 * free per 1.4 KB sent, 14 % of a sender's instructions in callgrind
 * (docs/tcp.md).  The stack keeps up to NET_FRAME_CACHE sent buffers of
 * one size - a full segment with its headers, NET_TCP_HEADROOM +
 * ATOLL_NET_FRAME_MAX - and hands them to the next segments.  Smaller
 * requests (ACKs) and larger ones (offload frames) go to the allocator as
 * before, so no buffer grows where memory is counted tightly.
 *
 * A buffer taken from the cache still counts as an allocation for
 * memory-failure injection (atoll_mem_fail_point), so tests that fail
 * the Nth allocation see every segment's.  The cache is emptied when the
 * stack is destroyed: nothing it holds outlives the stack.
 */
#include "atoll/mem.h"
#include "atoll/tunables.h"
#include "net.h"
#include "stack_int.h"

#define FRAME_CAP (NET_TCP_HEADROOM + ATOLL_NET_FRAME_MAX)

struct atoll_buf *net_frame_alloc(struct atoll_stack *s, size_t size)
{
    if (size <= ATOLL_NET_FRAME_MAX / 2 || size > ATOLL_NET_FRAME_MAX)
        return atoll_buf_alloc(NET_TCP_HEADROOM, size);
    struct atoll_buf *b = s->frame_cache;
    if (!b)
        return atoll_buf_alloc(NET_TCP_HEADROOM, ATOLL_NET_FRAME_MAX);
    if (atoll_mem_fail_point())
        return NULL;
    s->frame_cache = b->next;
    s->frame_cache_n--;
    b->next = NULL;
    b->data = b->head + NET_TCP_HEADROOM;
    b->len = 0;
    b->flags = 0;
    b->dev = 0;
    b->gso_size = 0;
    b->csum_ok = 0;
    return b;
}

void net_frame_free(struct atoll_stack *s, struct atoll_buf *b)
{
    if (!b)
        return;
    if (b->cap != FRAME_CAP || s->frame_cache_n >= NET_FRAME_CACHE) {
        atoll_buf_free(b);
        return;
    }
    b->next = s->frame_cache;
    s->frame_cache = b;
    s->frame_cache_n++;
}

void net_frame_cache_clear(struct atoll_stack *s)
{
    while (s->frame_cache) {
        struct atoll_buf *b = s->frame_cache;
        s->frame_cache = b->next;
        atoll_buf_free(b);
    }
    s->frame_cache_n = 0;
}
