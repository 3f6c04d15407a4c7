/*
 * lib/core/buf.c - packet buffers and buffer queues (atoll/buf.h).
 *
 * One allocation per buffer: the struct atoll_buf header is followed by
 * its storage, so a buffer is freed with one call and its bytes sit next
 * to its bookkeeping.
 *
 * Invariants (atoll/invariant.h): the valid bytes lie inside the storage
 * (head <= data, headroom + len <= cap) after every operation; a queue's
 * ends, count and byte total agree (walked in full at level 2).
 */
#include <string.h>

#include "atoll/buf.h"
#include "atoll/invariant.h"
#include "atoll/mem.h"
#include "atoll/tunables.h"

struct atoll_buf *atoll_buf_alloc(size_t headroom, size_t size)
{
    size_t cap, total;
    if (__builtin_add_overflow(headroom, size, &cap) ||
        __builtin_add_overflow(cap, sizeof(struct atoll_buf), &total))
        return NULL;
    struct atoll_buf *b = atoll_malloc(total);
    if (!b)
        return NULL;
    b->head = (uint8_t *)(b + 1);
    b->cap = cap;
    b->data = b->head + headroom;
    b->len = 0;
    b->next = NULL;
    b->flags = 0;
    b->dev = 0;
    b->gso_size = 0;
    b->csum_ok = 0;
    return b;
}

struct atoll_buf *atoll_buf_from(const void *p, size_t n)
{
    struct atoll_buf *b = atoll_buf_alloc(ATOLL_BUF_HEADROOM, n);
    if (b && n) {
        memcpy(b->data, p, n);
        b->len = n;
    }
    return b;
}

static void buf_check(const struct atoll_buf *b)
{
    ATOLL_ASSERT(b->data >= b->head && b->len <= b->cap &&
                 (size_t)(b->data - b->head) <= b->cap - b->len);
}

static void bufq_check(const struct atoll_bufq *q)
{
    ATOLL_ASSERT((q->head == NULL) == (q->count == 0));
    ATOLL_ASSERT((q->head == NULL) == (q->tail == NULL));
    ATOLL_ASSERT(!q->tail || q->tail->next == NULL);
    if (ATOLL_INVARIANTS < 2)
        return;
    size_t n = 0, bytes = 0;
    for (const struct atoll_buf *b = q->head; b; b = b->next) {
        ATOLL_ASSERT_SLOW(n < q->count);
        n++;
        bytes += b->len;
    }
    ATOLL_ASSERT_SLOW(n == q->count && bytes == q->bytes);
}

void atoll_buf_free(struct atoll_buf *b)
{
    atoll_free(b);
}

uint8_t *atoll_buf_push(struct atoll_buf *b, size_t n)
{
    if (n > atoll_buf_headroom(b))
        return NULL;
    b->data -= n;
    b->len += n;
    buf_check(b);
    return b->data;
}

uint8_t *atoll_buf_pull(struct atoll_buf *b, size_t n)
{
    if (n > b->len)
        return NULL;
    uint8_t *old = b->data;
    b->data += n;
    b->len -= n;
    buf_check(b);
    return old;
}

uint8_t *atoll_buf_put(struct atoll_buf *b, size_t n)
{
    if (n > atoll_buf_tailroom(b))
        return NULL;
    uint8_t *tail = b->data + b->len;
    b->len += n;
    buf_check(b);
    return tail;
}

void atoll_buf_trim(struct atoll_buf *b, size_t len)
{
    if (len < b->len)
        b->len = len;
}

void atoll_bufq_push(struct atoll_bufq *q, struct atoll_buf *b)
{
    bufq_check(q);
    ATOLL_ASSERT(b != q->tail); /* a buffer is in one queue, once */
    b->next = NULL;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->count++;
    q->bytes += b->len;
    bufq_check(q);
}

struct atoll_buf *atoll_bufq_pop(struct atoll_bufq *q)
{
    bufq_check(q);
    struct atoll_buf *b = q->head;
    if (!b)
        return NULL;
    ATOLL_ASSERT(q->bytes >= b->len);
    q->head = b->next;
    if (!q->head)
        q->tail = NULL;
    b->next = NULL;
    q->count--;
    q->bytes -= b->len;
    return b;
}

void atoll_bufq_clear(struct atoll_bufq *q)
{
    struct atoll_buf *b;
    while ((b = atoll_bufq_pop(q)))
        atoll_buf_free(b);
}
