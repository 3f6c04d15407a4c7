/*
 * lib/dev/block_geometry.c - geometry and construction for the block test
 * doubles (see block_geometry.h).
 */
#include "block_geometry.h"

#include "../core/runtime.h"
#include "atoll/error.h"
#include "atoll/mem.h"
#include "dev_open.h"
#include "platform.h"

int atoll_block_double_geometry(const char *name, struct atoll_block_info *info)
{
    char err[256] = "";
    struct plat_block_info pi = {0, 0, false};
    int dev = plat_block_open(name, &pi, err, sizeof err);
    if (dev == -ATOLL_ENOENT) {
        info->sector_size = 512;
        info->sectors = 2048;
        info->read_only = false;
        return 0;
    }
    if (dev < 0) {
        atoll_console_puts("atoll: ");
        atoll_console_puts(err[0] ? err : atoll_strerror(dev));
        atoll_console_puts("\n");
        return -ATOLL_ENODEV;
    }
    info->sector_size = pi.sector_size;
    info->sectors = pi.sectors;
    info->read_only = pi.read_only;
    return 0;
}

int block_double_open(const char *name, const char *dflt,
                      const struct atoll_block_ops *ops, bool writable,
                      struct atoll_block **out)
{
    char *copy;
    struct block_double *s =
        dev_state_alloc(sizeof *s, name ? name : dflt, &copy);
    if (!s)
        return -ATOLL_ENOMEM;
    int rc = atoll_block_double_geometry(copy, &s->info);
    if (rc < 0) {
        atoll_free(s);
        atoll_free(copy);
        return rc;
    }
    if (writable)
        s->info.read_only = false;
    s->info.name = copy;
    s->blk.ops = ops;
    s->blk.state = s;
    *out = &s->blk;
    return 0;
}

void block_double_info(void *state, struct atoll_block_info *out)
{
    const struct block_double *s = state;
    *out = s->info;
}
