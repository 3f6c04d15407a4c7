/*
 * platform/hvt/block.c - block devices over hypercalls: each read or write
 * moves all of its sectors with one VM exit (the tender does one
 * pread/pwrite), flush is fdatasync on the host file.
 */
#include <string.h>

#include "atoll/error.h"
#include "hvt_int.h"
#include "platform.h"

static bool opened[ATOLL_HVT_MAX_DEVICES];

int plat_block_open(const char *name, struct plat_block_info *info, char *err,
                    size_t errlen)
{
    int i = hvt_device_find(name, ATOLL_HVT_DEV_BLOCK);
    if (i < 0)
        return -ATOLL_ENOENT;
    struct atoll_hvt_device_info di;
    memset(&di, 0, sizeof di);
    di.index = (uint32_t)i;
    hvt_call(ATOLL_HVT_DEVICE_INFO, &di);
    if (di.ret < 0 || di.kind != ATOLL_HVT_DEV_BLOCK || di.sector_size == 0)
        return -ATOLL_ENODEV;
    info->sector_size = di.sector_size;
    info->sectors = di.sectors;
    info->read_only = di.read_only != 0;
    opened[i] = true;
    return i;
}

/* `n` whole sectors, all in one exit. */
static int block_io(unsigned call, int dev, uint64_t sector, const void *buf,
                    size_t n)
{
    if (dev < 0 || dev >= ATOLL_HVT_MAX_DEVICES || !opened[dev])
        return -ATOLL_ENODEV;
    struct atoll_hvt_block_io io = {
        (uint32_t)dev, 0, sector, n, (uint64_t)(uintptr_t)buf, 0};
    hvt_call(call, &io);
    return (int)io.ret;
}

int plat_block_read(int dev, uint64_t sector, void *buf, size_t n)
{
    return block_io(ATOLL_HVT_BLOCK_READ, dev, sector, buf, n);
}

int plat_block_write(int dev, uint64_t sector, const void *buf, size_t n)
{
    return block_io(ATOLL_HVT_BLOCK_WRITE, dev, sector, buf, n);
}

int plat_block_flush(int dev)
{
    return block_io(ATOLL_HVT_BLOCK_FLUSH, dev, 0, NULL, 0);
}
