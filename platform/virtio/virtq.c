/*
 * platform/virtio/virtq.c - split virtqueues (virtio 1.x, 2.7), written
 * for a device that may lie.
 *
 * The guest writes the descriptor table and the available ring; the
 * device writes the used ring (an index and, per completed chain, its
 * head and a length) and the buffers we marked writable.  Everything the
 * guest needs to know about its own requests - which descriptors are free,
 * which chains are in flight, how long each chain is and how many bytes
 * the device may write into it, what each chain is for (the caller's
 * cookie) - is kept in private arrays the device cannot reach by the ring
 * protocol; the shared descriptor table is only ever written.  So the
 * device's word is reduced to the used ring, and each value of it is
 * checked once, read once:
 *
 *   - the used index may not run ahead of what is in flight (it moves by
 *     at most the number of chains the device holds);
 *   - a completed head must be a descriptor that heads a chain in flight
 *     (not a free one, not the middle of a chain, not one completed
 *     twice);
 *   - the written length may not exceed what the chain offered the
 *     device to write.
 *
 * A violation marks the device broken (vdev_fail): it is told FAILED and
 * never used again; its requests fail with -ATOLL_EIO.  Nothing the device
 * writes can make the guest read or write outside its own buffers.
 *
 * Ring indexes are free-running 16-bit counters; slots are index % size,
 * the size a power of two.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "io.h"
#include "virtio_int.h"

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define DESC_F_NEXT  1
#define DESC_F_WRITE 2

#define AVAIL_F_NO_INTERRUPT 1
#define USED_F_NO_NOTIFY     1

/* The shared layouts as offsets (ring entries follow the two 16-bit
 * fields). */
#define AVAIL_FLAGS   0
#define AVAIL_IDX     2
#define AVAIL_RING(i) (4 + 2 * (i))
#define USED_FLAGS    0
#define USED_IDX      2
#define USED_ID(i)    (4 + 8 * (i))
#define USED_LEN(i)   (8 + 8 * (i))

static volatile uint16_t *u16_at(uint8_t *base, size_t off)
{
    return (volatile uint16_t *)(void *)(base + off);
}

static volatile uint32_t *u32_at(uint8_t *base, size_t off)
{
    return (volatile uint32_t *)(void *)(base + off);
}

int virtq_init(struct virtq *q, struct vdev *d, uint16_t index, uint16_t want)
{
    memset(q, 0, sizeof *q);
    uint16_t max = d->t->queue_max(d, index);
    if (max == 0) {
        snprintf(d->why, sizeof d->why, "the device has no queue %u", index);
        return -ATOLL_ENODEV;
    }
    uint16_t size = 1;
    while ((uint32_t)size * 2 <= max && size * 2 <= want)
        size = (uint16_t)(size * 2);
    q->dev = d;
    q->index = index;
    q->size = size;
    q->desc = atoll_memalign(4096, 16u * size);
    q->avail = atoll_memalign(4096, 6u + 2u * size);
    q->used = atoll_memalign(4096, 6u + 8u * size);
    q->free = atoll_calloc(size, sizeof *q->free);
    q->next = atoll_calloc(size, sizeof *q->next);
    q->chain = atoll_calloc(size, sizeof *q->chain);
    q->wlen = atoll_calloc(size, sizeof *q->wlen);
    q->cookie = atoll_calloc(size, sizeof *q->cookie);
    if (!q->desc || !q->avail || !q->used || !q->free || !q->next ||
        !q->chain || !q->wlen || !q->cookie) {
        snprintf(d->why, sizeof d->why, "no memory for queue %u", index);
        return -ATOLL_ENOMEM;
    }
    memset(q->desc, 0, 16u * size);
    memset(q->avail, 0, 6u + 2u * size);
    memset(q->used, 0, 6u + 8u * size);
    for (uint16_t i = 0; i < size; i++)
        q->free[i] = (uint16_t)(size - 1 - i);
    q->nfree = size;
    int rc = d->t->queue_setup(d, index, size, (uint64_t)(uintptr_t)q->desc,
                               (uint64_t)(uintptr_t)q->avail,
                               (uint64_t)(uintptr_t)q->used);
    if (rc < 0)
        snprintf(d->why, sizeof d->why, "the device refused queue %u", index);
    return rc;
}

int virtq_add(struct virtq *q, const struct vbuf *b, int n, void *cookie)
{
    if (q->dev->broken)
        return -ATOLL_EIO;
    if (n <= 0 || n > q->nfree)
        return -ATOLL_EAGAIN;
    struct vring_desc *desc = q->desc;
    uint16_t head = q->free[q->nfree - 1], prev = 0;
    uint32_t wlen = 0;
    for (int i = 0; i < n; i++) {
        uint16_t id = q->free[--q->nfree];
        desc[id] = (struct vring_desc){
            .addr = (uint64_t)(uintptr_t)b[i].addr,
            .len = b[i].len,
            .flags = (uint16_t)((b[i].write ? DESC_F_WRITE : 0) |
                                (i + 1 < n ? DESC_F_NEXT : 0)),
        };
        if (b[i].write)
            wlen += b[i].len;
        if (i > 0) {
            desc[prev].next = id;
            q->next[prev] = id;
        }
        prev = id;
    }
    q->chain[head] = (uint16_t)n;
    q->wlen[head] = wlen;
    q->cookie[head] = cookie;
    uint8_t *avail = q->avail;
    *u16_at(avail, AVAIL_RING(q->avail_idx % q->size)) = head;
    q->avail_idx++;
    return head;
}

bool virtq_kick(struct virtq *q)
{
    if (q->dev->broken || q->published == q->avail_idx)
        return false;
    /* The ring entries before the index that publishes them (x86 keeps
     * stores in order; the compiler must too). */
    barrier();
    *u16_at(q->avail, AVAIL_IDX) = q->avail_idx;
    q->published = q->avail_idx;
    /* The index must be visible before we read whether the device wants
     * a notification (store -> load). */
    mfence();
    if (!(*u16_at(q->used, USED_FLAGS) & USED_F_NO_NOTIFY))
        q->dev->t->notify(q->dev, q->index);
    return true;
}

bool virtq_pending(struct virtq *q)
{
    return !q->dev->broken && *u16_at(q->used, USED_IDX) != q->used_seen;
}

int virtq_get(struct virtq *q, uint32_t *len, void **cookie)
{
    struct vdev *d = q->dev;
    if (d->broken)
        return -ATOLL_EIO;
    uint16_t idx = *u16_at(q->used, USED_IDX);
    if (idx == q->used_seen)
        return -ATOLL_EAGAIN;
    /* The chains the device holds: published and not yet returned. */
    uint16_t in_flight = (uint16_t)(q->published - q->used_seen);
    if ((uint16_t)(idx - q->used_seen) > in_flight) {
        vdev_fail(d, "its used ring index ran ahead of the requests it "
                     "holds");
        return -ATOLL_EIO;
    }
    barrier(); /* the entry after the index that covers it */
    uint8_t *used = q->used;
    uint16_t slot = q->used_seen % q->size;
    uint32_t id = *u32_at(used, USED_ID(slot));
    uint32_t n = *u32_at(used, USED_LEN(slot));
    if (id >= q->size || q->chain[id] == 0) {
        vdev_fail(d, "it returned a buffer that was not in flight");
        return -ATOLL_EIO;
    }
    if (n > q->wlen[id]) {
        vdev_fail(d, "it wrote more bytes than the buffer holds");
        return -ATOLL_EIO;
    }
    q->used_seen++;
    /* Free the chain by our own record of it. */
    uint16_t c = (uint16_t)id;
    for (uint16_t i = 0; i < q->chain[id]; i++) {
        q->free[q->nfree++] = c;
        c = q->next[c];
    }
    q->chain[id] = 0;
    *len = n;
    if (cookie)
        *cookie = q->cookie[id];
    return (int)id;
}

void virtq_interrupts(struct virtq *q, bool on)
{
    uint16_t want = on ? 0 : AVAIL_F_NO_INTERRUPT;
    volatile uint16_t *f = u16_at(q->avail, AVAIL_FLAGS);
    if (*f != want)
        *f = want;
    /* Turning them on: the caller looks at the ring afterwards, so a
     * buffer used before the flag reached the device is not missed. */
    if (on)
        mfence();
}
