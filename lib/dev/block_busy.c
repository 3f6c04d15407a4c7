/*
 * lib/dev/block_busy.c - a test double: the disk that is always busy.
 * Every read, write and flush fails with -ATOLL_EBUSY (after the usual
 * range check), so callers' retry and back-off paths can be exercised.
 */
#include "atoll/block.h"
#include "atoll/error.h"
#include "block_geometry.h"

static int bb_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct block_double *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    return rc < 0 ? rc : -ATOLL_EBUSY;
}

static int bb_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    struct block_double *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    return rc < 0 ? rc : -ATOLL_EBUSY;
}

static int bb_flush(void *state)
{
    return -ATOLL_EBUSY;
}

static const struct atoll_block_ops bb_ops = {
    .read = bb_read,
    .write = bb_write,
    .flush = bb_flush,
    .info = block_double_info,
};

int atoll_block_open_busy(const char *name, struct atoll_block **out)
{
    return block_double_open(name, "busy", &bb_ops, false, out);
}
