/*
 * platform/virtio/block.c - block devices on virtio-blk (virtio 1.x,
 * 5.2).
 *
 * Block I/O is synchronous on every target (atoll/block.h): a request is
 * one chain - the 16-byte header, the caller's buffer (read straight into
 * it, written straight from it: guest memory is identity-mapped, so its
 * address is what the device uses), the status byte - and the guest halts
 * until the device returns it (its interrupt ends the halt; a device
 * without one is polled).  Requests larger than CHUNK (or the device's
 * size_max) are split.  Sectors are 512 bytes, as virtio-blk counts them.
 *
 * What the device says is checked: the capacity (not zero, not so large
 * that a byte offset overflows), size_max (at least a sector), the status
 * byte (preset to a value the device never writes, so a request it
 * "completes" without writing a status fails), and, through virtq.c,
 * every used-ring entry.  A request that does not come back within
 * ATOLL_VIRTIO_BLOCK_TIMEOUT_NS marks the device broken: it fails with
 * -ATOLL_EIO instead of stopping the unikernel for good.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/mem.h"
#include "atoll/tunables.h"
#include "platform.h"
#include "tunables.h"
#include "virtio_int.h"

#define F_SIZE_MAX 1
#define F_RO       5
#define F_FLUSH    9
#define T_IN       0
#define T_OUT      1
#define T_FLUSH    4
#define S_OK       0
#define S_NONE     0xff /* never written by a device */
#define SECTOR     512u
#define CHUNK      (1024u * 1024u)

struct blk_hdr {
    uint32_t type, reserved;
    uint64_t sector;
    uint8_t status; /* its own buffer in the chain */
};

struct vblk {
    struct vdev *d;
    struct virtq q;
    struct blk_hdr *hdr; /* shared with the device */
    uint64_t sectors;
    uint32_t chunk; /* bytes per request at most */
    bool ro;
};

static struct vblk *blks[ATOLL_DEVICES_MAX];

int plat_block_attach(const char *name, const char *spec, char *err,
                      size_t errlen)
{
    return vdev_attach(name, VIRTIO_ID_BLOCK, spec, err, errlen);
}

static int open_fail(struct vdev *d, char *err, size_t errlen)
{
    snprintf(err, errlen, "virtio block device '%s': %s", d->name, d->why);
    return -ATOLL_ENODEV;
}

int plat_block_open(const char *name, struct plat_block_info *info, char *err,
                    size_t errlen)
{
    struct vdev *d;
    int dev = vdev_open(name, VIRTIO_ID_BLOCK, &d, err, errlen);
    if (dev < 0)
        return dev;
    struct vblk *b = atoll_calloc(1, sizeof *b);
    struct blk_hdr *hdr = atoll_memalign(64, sizeof *hdr);
    if (!b || !hdr) {
        atoll_free(b);
        atoll_free(hdr);
        return -ATOLL_ENOMEM;
    }
    b->d = d;
    b->hdr = hdr;
    uint64_t cap = 0;
    uint32_t size_max = 0;
    if (vdev_start(d, 1ULL << F_SIZE_MAX | 1ULL << F_RO | 1ULL << F_FLUSH, NULL,
                   0) < 0 ||
        vdev_config(d, 0, &cap, 8) < 0 ||
        (vdev_has(d, F_SIZE_MAX) && vdev_config(d, 8, &size_max, 4) < 0))
        return open_fail(d, err, errlen);
    if (cap == 0 || cap > (1ULL << 50)) {
        snprintf(d->why, sizeof d->why, "a capacity of %llu sectors",
                 (unsigned long long)cap);
        return open_fail(d, err, errlen);
    }
    b->chunk = CHUNK;
    if (vdev_has(d, F_SIZE_MAX)) {
        if (size_max < SECTOR) {
            snprintf(d->why, sizeof d->why,
                     "a largest segment (%u bytes) below a sector",
                     (unsigned)size_max);
            return open_fail(d, err, errlen);
        }
        if (size_max < b->chunk)
            b->chunk = size_max / SECTOR * SECTOR;
    }
    if (virtq_init(&b->q, d, 0, ATOLL_VIRTIO_RING) < 0)
        return open_fail(d, err, errlen);
    virtq_interrupts(&b->q, true);
    vdev_ready(d);
    b->sectors = cap;
    b->ro = vdev_has(d, F_RO);
    blks[dev] = b;
    info->sector_size = SECTOR;
    info->sectors = cap;
    info->read_only = b->ro;
    return dev;
}

/* One request, waited for.  0 or -ATOLL_EIO. */
static int request(struct vblk *b, uint32_t type, uint64_t sector, void *buf,
                   uint32_t len)
{
    struct vdev *d = b->d;
    struct blk_hdr *h = b->hdr;
    h->type = type;
    h->reserved = 0;
    h->sector = sector;
    h->status = S_NONE;
    struct vbuf v[3];
    int n = 0;
    v[n++] = (struct vbuf){h, 16, false};
    if (len)
        v[n++] = (struct vbuf){buf, len, type == T_IN};
    v[n++] = (struct vbuf){&h->status, 1, true};
    if (virtq_add(&b->q, v, n, NULL) < 0)
        return -ATOLL_EIO;
    virtq_kick(&b->q);
    uint64_t limit = clock_now_ns() + ATOLL_VIRTIO_BLOCK_TIMEOUT_NS;
    for (;;) {
        d->t->ack(d);
        uint32_t got;
        int r = virtq_get(&b->q, &got, NULL);
        if (r >= 0)
            break;
        if (r != -ATOLL_EAGAIN)
            return -ATOLL_EIO;
        uint64_t now = clock_now_ns();
        if (now >= limit) {
            vdev_fail(d, "a request did not come back in time");
            return -ATOLL_EIO;
        }
        /* The completion's interrupt ends the halt; the timer bounds it
         * (and polls a device without interrupts). */
        uint64_t nap = d->interrupts ? 10000000 : ATOLL_VIRTIO_POLL_NS;
        intr_timer_arm(limit - now < nap ? limit - now : nap);
        intr_halt();
    }
    uint8_t st = *(volatile uint8_t *)&h->status;
    return st == S_OK ? 0 : -ATOLL_EIO;
}

static struct vblk *blk_get(int dev)
{
    if (dev < 0 || dev >= ATOLL_DEVICES_MAX)
        return NULL;
    return blks[dev];
}

/* n sectors from `sector`, in requests of at most b->chunk bytes. */
static int transfer(int dev, uint32_t type, uint64_t sector, void *buf,
                    size_t n)
{
    struct vblk *b = blk_get(dev);
    if (!b || b->d->broken)
        return -ATOLL_EIO;
    if (n == 0 || sector >= b->sectors || n > b->sectors - sector)
        return -ATOLL_ERANGE;
    if (type == T_OUT && b->ro)
        return -ATOLL_EPERM;
    uint8_t *p = buf;
    size_t per = b->chunk / SECTOR;
    while (n > 0) {
        size_t k = n < per ? n : per;
        int rc = request(b, type, sector, p, (uint32_t)(k * SECTOR));
        if (rc < 0)
            return rc;
        sector += k;
        p += k * SECTOR;
        n -= k;
    }
    return 0;
}

int plat_block_read(int dev, uint64_t sector, void *buf, size_t n)
{
    return transfer(dev, T_IN, sector, buf, n);
}

int plat_block_write(int dev, uint64_t sector, const void *buf, size_t n)
{
    return transfer(dev, T_OUT, sector, (void *)(uintptr_t)buf, n);
}

int plat_block_flush(int dev)
{
    struct vblk *b = blk_get(dev);
    if (!b || b->d->broken)
        return -ATOLL_EIO;
    /* Without the flush feature the device writes through: a completed
     * write is durable (virtio 1.x, 5.2.6.2). */
    if (b->ro || !vdev_has(b->d, F_FLUSH))
        return 0;
    return request(b, T_FLUSH, 0, NULL, 0);
}
