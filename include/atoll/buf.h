/*
 * atoll/buf.h - I/O buffers for packets.
 *
 * DESCRIPTION
 *     A buffer is one allocation holding a small header and its storage.
 *     The valid bytes are [data, data+len) somewhere inside the storage:
 *
 *         head            data           data+len          head+cap
 *          |<- headroom ->|<---- len ---->|<- tailroom ->|
 *
 *     A received frame is written once, by the device, with
 *     ATOLL_BUF_HEADROOM bytes in front.  Each layer on the way up strips
 *     its header with atoll_buf_pull and hands the same buffer on: no copy.
 *     On the way down each layer prepends its header with atoll_buf_push
 *     into the headroom.
 *
 *     Buffers can be chained into FIFO queues (struct atoll_bufq) through
 *     their `next` field; a buffer is in at most one queue at a time.
 *     A buffer has one owner; whoever holds it last frees it.
 */
#ifndef ATOLL_BUF_H
#define ATOLL_BUF_H

#include <stddef.h>
#include <stdint.h>

struct atoll_buf {
    uint8_t *data;          /* first valid byte */
    size_t len;             /* number of valid bytes */
    uint8_t *head;          /* start of storage */
    size_t cap;             /* bytes of storage */
    struct atoll_buf *next; /* queue link, NULL when not queued */
    uint32_t flags;         /* free for the current owner's use */
    uint32_t dev;           /* device the frame came from, if any */
    /* Segmentation offload (atoll/netif.h, ATOLL_NETIF_TSO4): 0 for an
     * ordinary frame; else this is a TCP/IPv4 frame larger than the MTU
     * that the device cuts into segments of gso_size payload bytes. */
    uint16_t gso_size;
    /* Receive offload: the device (or its host) vouches for this frame's
     * TCP/UDP checksum, which the stack then does not recompute (the
     * field may hold only a partial sum). */
    uint8_t csum_ok;
};

/* A buffer with `headroom` bytes in front and room for `size` bytes of
 * data (len starts at 0).  NULL when out of memory. */
struct atoll_buf *atoll_buf_alloc(size_t headroom, size_t size);

/* A buffer holding a copy of [p, p+n), with ATOLL_BUF_HEADROOM in front.
 * NULL when out of memory. */
struct atoll_buf *atoll_buf_from(const void *p, size_t n);

void atoll_buf_free(struct atoll_buf *b); /* NULL is ignored */

static inline size_t atoll_buf_headroom(const struct atoll_buf *b)
{
    return (size_t)(b->data - b->head);
}

static inline size_t atoll_buf_tailroom(const struct atoll_buf *b)
{
    return b->cap - atoll_buf_headroom(b) - b->len;
}

/* Prepend n bytes (a header on the way down).  Returns the new data
 * pointer, or NULL if there is not enough headroom (buffer unchanged). */
uint8_t *atoll_buf_push(struct atoll_buf *b, size_t n);

/* Strip n bytes from the front (a header on the way up).  Returns the old
 * data pointer (the header), or NULL if len < n (buffer unchanged). */
uint8_t *atoll_buf_pull(struct atoll_buf *b, size_t n);

/* Extend the data by n bytes at the tail.  Returns a pointer to the new
 * bytes, or NULL if there is not enough tailroom (buffer unchanged). */
uint8_t *atoll_buf_put(struct atoll_buf *b, size_t n);

/* Cut the data to `len` bytes (no-op if already shorter). */
void atoll_buf_trim(struct atoll_buf *b, size_t len);

/* FIFO of buffers. */
struct atoll_bufq {
    struct atoll_buf *head, *tail;
    size_t count; /* buffers */
    size_t bytes; /* sum of len */
};

#define ATOLL_BUFQ_INIT                                                        \
    {                                                                          \
        NULL, NULL, 0, 0                                                       \
    }

void atoll_bufq_push(struct atoll_bufq *q, struct atoll_buf *b);
struct atoll_buf *atoll_bufq_pop(struct atoll_bufq *q); /* NULL if empty */
void atoll_bufq_clear(struct atoll_bufq *q);            /* frees all */

#endif
