/*
 * lib/dev/block_full.c - a test double: the disk that is always full.
 * Reads return zeroes, every write fails with -ATOLL_ENOSPC, flush
 * succeeds (there is nothing unwritten).  Requests are range-checked like
 * on a real device, so only the "full" part differs.
 */
#include <string.h>

#include "atoll/block.h"
#include "atoll/error.h"
#include "atoll/mem.h"
#include "block_geometry.h"
#include "dev_open.h"

struct block_full {
    struct atoll_block blk;
    struct atoll_block_info info;
};

static int bf_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct block_full *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    if (rc == 0)
        memset(buf, 0, n * s->info.sector_size);
    return rc;
}

static int bf_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    struct block_full *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    return rc < 0 ? rc : -ATOLL_ENOSPC;
}

static int bf_flush(void *state)
{
    return 0;
}

static void bf_info(void *state, struct atoll_block_info *out)
{
    struct block_full *s = state;
    *out = s->info;
}

static const struct atoll_block_ops bf_ops = {
    .read = bf_read,
    .write = bf_write,
    .flush = bf_flush,
    .info = bf_info,
};

int atoll_block_open_full(const char *name, struct atoll_block **out)
{
    char *copy;
    struct block_full *s =
        dev_state_alloc(sizeof *s, name ? name : "full", &copy);
    if (!s)
        return -ATOLL_ENOMEM;
    int rc = atoll_block_double_geometry(copy, &s->info);
    if (rc < 0) {
        atoll_free(s);
        atoll_free(copy);
        return rc;
    }
    s->info.read_only = false;
    s->info.name = copy;
    s->blk.ops = &bf_ops;
    s->blk.state = s;
    *out = &s->blk;
    return 0;
}
