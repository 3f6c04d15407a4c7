/*
 * lib/dev/block_geometry.c - geometry for the block test doubles (see
 * block_geometry.h).
 */
#include "block_geometry.h"

#include "../core/runtime.h"
#include "atoll/error.h"
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
