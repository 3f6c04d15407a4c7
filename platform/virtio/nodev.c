/*
 * platform/virtio/nodev.c - the devices of the virtio target, not written
 * yet: every attachment is refused by name, so an application that
 * declares a net or block device stops at boot with a clear message
 * instead of running without it.  virtio-blk and virtio-net replace this
 * file (docs/virtio.md lists what is missing).
 */
#include <stdio.h>

#include "atoll/error.h"
#include "platform.h"
#include "vint.h"

uint64_t virtio_net_poll(uint64_t interest)
{
    return 0;
}

void virtio_net_flush_all(void) {}

static int refuse(const char *kind, const char *name, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "virtio %s devices are not supported yet (device '%s')", kind,
             name);
    return -ATOLL_EINVAL;
}

int plat_net_attach(const char *name, const char *spec, char *err,
                    size_t errlen)
{
    return refuse("net", name, err, errlen);
}

int plat_block_attach(const char *name, const char *spec, char *err,
                      size_t errlen)
{
    return refuse("block", name, err, errlen);
}

int plat_net_open(const char *name, struct plat_net_info *info, char *err,
                  size_t errlen)
{
    return -ATOLL_ENOENT;
}

int plat_block_open(const char *name, struct plat_block_info *info, char *err,
                    size_t errlen)
{
    return -ATOLL_ENOENT;
}

int plat_net_read(int dev, void *buf, size_t len)
{
    return -ATOLL_ENODEV;
}

int plat_net_read_gro(int dev, void *buf, size_t len, bool *csum_ok)
{
    return -ATOLL_ENODEV;
}

int plat_net_write(int dev, const void *buf, size_t len)
{
    return -ATOLL_ENODEV;
}

int plat_net_write_tso(int dev, const void *buf, size_t len, uint16_t gso_size)
{
    return -ATOLL_ENODEV;
}

int plat_block_read(int dev, uint64_t sector, void *buf, size_t n)
{
    return -ATOLL_ENODEV;
}

int plat_block_write(int dev, uint64_t sector, const void *buf, size_t n)
{
    return -ATOLL_ENODEV;
}

int plat_block_flush(int dev)
{
    return -ATOLL_ENODEV;
}
