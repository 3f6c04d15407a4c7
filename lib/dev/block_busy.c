/*
 * lib/dev/block_busy.c - a test double: the disk that is always busy.
 * Every read, write and flush fails with -ATOLL_EBUSY (after the usual
 * range check), so callers' retry and back-off paths can be exercised.
 */
#include "atoll/block.h"
#include "atoll/error.h"
#include "atoll/mem.h"
#include "block_geometry.h"
#include "dev_open.h"

struct block_busy {
    struct atoll_block blk;
    struct atoll_block_info info;
};

static int bb_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct block_busy *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    return rc < 0 ? rc : -ATOLL_EBUSY;
}

static int bb_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    struct block_busy *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    return rc < 0 ? rc : -ATOLL_EBUSY;
}

static int bb_flush(void *state)
{
    return -ATOLL_EBUSY;
}

static void bb_info(void *state, struct atoll_block_info *out)
{
    struct block_busy *s = state;
    *out = s->info;
}

static const struct atoll_block_ops bb_ops = {
    .read = bb_read,
    .write = bb_write,
    .flush = bb_flush,
    .info = bb_info,
};

int atoll_block_open_busy(const char *name, struct atoll_block **out)
{
    char *copy;
    struct block_busy *s =
        dev_state_alloc(sizeof *s, name ? name : "busy", &copy);
    if (!s)
        return -ATOLL_ENOMEM;
    int rc = atoll_block_double_geometry(copy, &s->info);
    if (rc < 0) {
        atoll_free(s);
        atoll_free(copy);
        return rc;
    }
    s->info.name = copy;
    s->blk.ops = &bb_ops;
    s->blk.state = s;
    *out = &s->blk;
    return 0;
}
