/*
 * lib/dev/block_full.c - a test double: the disk that is always full.
 * Reads return zeroes, every write fails with -ATOLL_ENOSPC, flush
 * succeeds (there is nothing unwritten).  Requests are range-checked like
 * on a real device, so only the "full" part differs.
 */
#include <string.h>

#include "atoll/block.h"
#include "atoll/error.h"
#include "block_geometry.h"

static int bf_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct block_double *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    if (rc == 0)
        memset(buf, 0, n * s->info.sector_size);
    return rc;
}

static int bf_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    struct block_double *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    return rc < 0 ? rc : -ATOLL_ENOSPC;
}

static int bf_flush(void *state)
{
    return 0;
}

static const struct atoll_block_ops bf_ops = {
    .read = bf_read,
    .write = bf_write,
    .flush = bf_flush,
    .info = block_double_info,
};

int atoll_block_open_full(const char *name, struct atoll_block **out)
{
    return block_double_open(name, "full", &bf_ops, true, out);
}
