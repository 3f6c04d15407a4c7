/*
 * atoll/block.h - the block device interface: fixed-size sectors.
 *
 * NAME
 *     struct atoll_block, atoll_block_read, atoll_block_write,
 *     atoll_block_flush, atoll_block_info
 *
 * DESCRIPTION
 *     A block device is an array of `sectors` sectors of `sector_size`
 *     bytes (a power of two, at least 512).  Reads and writes move whole,
 *     consecutive sectors: `buf` holds n * sector_size bytes.  A write is
 *     durable once flush has returned 0.
 *
 *     Calls complete before they return (the unix file backend uses
 *     pread/pwrite, the hvt backend one hypercall per request); they do not
 *     suspend the fiber, so they take no deadline.  A device that cannot
 *     serve a request now says so with -ATOLL_EBUSY instead of waiting.
 *
 *     Implementations chosen at build time: the platform's device (a file
 *     on unix, memory with optional fault injection on sim, hypercalls on
 *     hvt), and the test doubles "full" (every write: -ATOLL_ENOSPC) and
 *     "busy" (every request: -ATOLL_EBUSY).
 *
 * RETURN VALUE
 *     0, or -ATOLL_ERANGE (sector range past the end, or n == 0),
 *     -ATOLL_EPERM (write to a read-only device), -ATOLL_ENOSPC, -ATOLL_EBUSY,
 *     -ATOLL_EIO.
 */
#ifndef ATOLL_BLOCK_H
#define ATOLL_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct atoll_block_info {
    uint32_t sector_size;
    uint64_t sectors;
    bool read_only;
    const char *name; /* the name the manifest gave the device */
};

struct atoll_block_ops {
    int (*read)(void *state, uint64_t sector, void *buf, size_t n);
    int (*write)(void *state, uint64_t sector, const void *buf, size_t n);
    int (*flush)(void *state);
    void (*info)(void *state, struct atoll_block_info *out);
};

struct atoll_block {
    const struct atoll_block_ops *ops;
    void *state;
};

static inline int atoll_block_read(struct atoll_block *b, uint64_t sector,
                                   void *buf, size_t n)
{
    return b->ops->read(b->state, sector, buf, n);
}

static inline int atoll_block_write(struct atoll_block *b, uint64_t sector,
                                    const void *buf, size_t n)
{
    return b->ops->write(b->state, sector, buf, n);
}

static inline int atoll_block_flush(struct atoll_block *b)
{
    return b->ops->flush(b->state);
}

static inline void atoll_block_info(struct atoll_block *b,
                                    struct atoll_block_info *out)
{
    b->ops->info(b->state, out);
}

/* Check a request against a device's geometry: 0 or -ATOLL_ERANGE.
 * Every implementation calls it first. */
int atoll_block_check_range(const struct atoll_block_info *info,
                            uint64_t sector, size_t n);

/*
 * Implementations (constructors used by the generated wiring; `name` is the
 * manifest's device name, attached with --block:NAME=...).
 * Return 0, -ATOLL_ENODEV (not attached / file missing, with a message on
 * the console), -ATOLL_ENOMEM.
 */
int atoll_block_open_default(const char *name, struct atoll_block **out);
/* Test double: geometry of the attached device (or 1 MiB if none is
 * attached), reads return zeroes, every write fails with -ATOLL_ENOSPC. */
int atoll_block_open_full(const char *name, struct atoll_block **out);
/* Test double: every read, write and flush fails with -ATOLL_EBUSY. */
int atoll_block_open_busy(const char *name, struct atoll_block **out);

#endif
