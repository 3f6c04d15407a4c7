/*
 * lib/dev/block_default.c - the platform's block device as an atoll_block
 * (a file on unix, an in-memory disk with faults on sim).
 *
 * Checks every request's range and the read-only flag here, once for all
 * platforms, then calls the platform; every request is recorded as DEV_IO
 * in the trace (bytes moved, or the negative error).
 */
#include <string.h>

#include "../core/runtime.h"
#include "atoll/block.h"
#include "atoll/error.h"
#include "atoll/fiber.h"
#include "atoll/mem.h"
#include "atoll/trace.h"
#include "dev_open.h"
#include "platform.h"

struct block_default {
    struct atoll_block blk;
    int dev;
    char *name;
    struct atoll_block_info info;
};

static void trace_io(struct block_default *s, int rc, size_t n)
{
    atoll_fiber *f = atoll_fiber_self();
    int64_t arg = rc < 0 ? rc : (int64_t)(n * s->info.sector_size);
    atoll_trace_record(ATOLL_TR_DEV_IO, f ? atoll_fiber_id(f) : 0, arg,
                       s->name);
}

static int bd_read(void *state, uint64_t sector, void *buf, size_t n)
{
    struct block_default *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    if (rc == 0)
        rc = plat_block_read(s->dev, sector, buf, n);
    trace_io(s, rc, n);
    return rc;
}

static int bd_write(void *state, uint64_t sector, const void *buf, size_t n)
{
    struct block_default *s = state;
    int rc = atoll_block_check_range(&s->info, sector, n);
    if (rc == 0 && s->info.read_only)
        rc = -ATOLL_EPERM;
    if (rc == 0)
        rc = plat_block_write(s->dev, sector, buf, n);
    trace_io(s, rc, n);
    return rc;
}

static int bd_flush(void *state)
{
    struct block_default *s = state;
    int rc = plat_block_flush(s->dev);
    trace_io(s, rc, 0);
    return rc;
}

static void bd_info(void *state, struct atoll_block_info *out)
{
    struct block_default *s = state;
    *out = s->info;
}

static const struct atoll_block_ops bd_ops = {
    .read = bd_read,
    .write = bd_write,
    .flush = bd_flush,
    .info = bd_info,
};

int atoll_block_open_default(const char *name, struct atoll_block **out)
{
    char err[256] = "";
    struct plat_block_info pi;
    memset(&pi, 0, sizeof pi);
    int dev = plat_block_open(name, &pi, err, sizeof err);
    if (dev < 0)
        return dev_open_failed(dev, err);
    char *copy;
    struct block_default *s = dev_state_alloc(sizeof *s, name, &copy);
    if (!s)
        return -ATOLL_ENOMEM;
    s->dev = dev;
    s->name = copy;
    s->info.sector_size = pi.sector_size;
    s->info.sectors = pi.sectors;
    s->info.read_only = pi.read_only;
    s->info.name = copy;
    s->blk.ops = &bd_ops;
    s->blk.state = s;
    *out = &s->blk;
    return 0;
}
