/*
 * platform/unix/block.c - block devices backed by host files.
 *
 * --block:NAME=FILE.  The file is opened read-write, or read-only when
 * that is all the host allows (the device then reports read_only and
 * refuses writes).  Sectors are 512 bytes; a file whose size is 0 or not a
 * multiple of 512 is refused with a message naming it, rather than
 * silently ignoring a tail.  I/O is pread/pwrite, looping over short
 * transfers; flush is fdatasync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atoll/error.h"
#include "atoll/tunables.h"
#include "platform.h"
#include "unix_int.h"

#define SECTOR 512

static struct {
    char name[64];
    char *path;
    int dev; /* -1 until opened */
} attached[ATOLL_DEVICES_MAX];
static int n_attached;

int plat_block_attach(const char *name, const char *spec, char *err,
                      size_t errlen)
{
    if (!name || !*name || strlen(name) >= sizeof attached[0].name) {
        host_errf(err, errlen, "--block: bad device name '%s'",
                  name ? name : "");
        return -ATOLL_EINVAL;
    }
    if (!spec || !*spec) {
        host_errf(err, errlen, "--block:%s: missing file name", name);
        return -ATOLL_EINVAL;
    }
    for (int i = 0; i < n_attached; i++) {
        if (strcmp(attached[i].name, name) == 0) {
            host_errf(err, errlen, "--block:%s: device attached twice", name);
            return -ATOLL_EINVAL;
        }
    }
    char *path = strdup(spec);
    if (n_attached == ATOLL_DEVICES_MAX || !path) {
        free(path);
        host_errf(err, errlen, "--block:%s: too many devices", name);
        return -ATOLL_EINVAL;
    }
    strcpy(attached[n_attached].name, name);
    attached[n_attached].path = path;
    attached[n_attached].dev = -1;
    n_attached++;
    return 0;
}

int plat_block_open(const char *name, struct plat_block_info *info, char *err,
                    size_t errlen)
{
    int i;
    for (i = 0; i < n_attached; i++)
        if (strcmp(attached[i].name, name) == 0)
            break;
    if (i == n_attached) {
        host_errf(err, errlen,
                  "block device '%s' is not attached (use --block:%s=FILE)",
                  name, name);
        return -ATOLL_ENOENT;
    }
    if (attached[i].dev >= 0) {
        struct unix_dev *d = unix_dev_get(attached[i].dev, UNIX_DEV_BLOCK);
        info->sector_size = d->sector_size;
        info->sectors = d->sectors;
        info->read_only = d->read_only;
        return attached[i].dev;
    }
    const char *path = attached[i].path;
    bool ro = false;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ro = true;
    }
    if (fd < 0) {
        host_errf(err, errlen, "block device '%s': cannot open '%s': %s", name,
                  path, strerror(errno));
        return -ATOLL_ENODEV;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0) {
        host_errf(err, errlen, "block device '%s': cannot size '%s': %s", name,
                  path, strerror(errno));
        close(fd);
        return -ATOLL_ENODEV;
    }
    if (size == 0) {
        host_errf(err, errlen, "block device '%s': '%s' is empty", name, path);
        close(fd);
        return -ATOLL_ENODEV;
    }
    if (size % SECTOR != 0) {
        host_errf(err, errlen,
                  "block device '%s': '%s' size %lld is not a multiple of "
                  "the %d-byte sector size",
                  name, path, (long long)size, SECTOR);
        close(fd);
        return -ATOLL_ENODEV;
    }
    int dev = unix_dev_alloc(UNIX_DEV_BLOCK);
    if (dev < 0) {
        host_errf(err, errlen, "block device '%s': too many devices", name);
        close(fd);
        return -ATOLL_ENODEV;
    }
    struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_BLOCK);
    d->fd = fd;
    d->read_only = ro;
    d->sector_size = SECTOR;
    d->sectors = (uint64_t)size / SECTOR;
    attached[i].dev = dev;
    info->sector_size = d->sector_size;
    info->sectors = d->sectors;
    info->read_only = d->read_only;
    return dev;
}

static int check(struct unix_dev *d, uint64_t sector, size_t n)
{
    if (!d)
        return -ATOLL_EIO;
    if (n == 0 || sector >= d->sectors || n > d->sectors - sector)
        return -ATOLL_ERANGE;
    return 0;
}

static int host_error(int e)
{
    return e == ENOSPC || e == EDQUOT ? -ATOLL_ENOSPC : -ATOLL_EIO;
}

int plat_block_read(int dev, uint64_t sector, void *buf, size_t n)
{
    struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_BLOCK);
    int rc = check(d, sector, n);
    if (rc < 0)
        return rc;
    uint8_t *p = buf;
    size_t left = n * d->sector_size;
    off_t off = (off_t)(sector * d->sector_size);
    while (left > 0) {
        ssize_t got = pread(d->fd, p, left, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) /* 0: the file shrank under us */
            return -ATOLL_EIO;
        p += got;
        left -= (size_t)got;
        off += got;
    }
    return 0;
}

int plat_block_write(int dev, uint64_t sector, const void *buf, size_t n)
{
    struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_BLOCK);
    int rc = check(d, sector, n);
    if (rc < 0)
        return rc;
    if (d->read_only)
        return -ATOLL_EPERM;
    const uint8_t *p = buf;
    size_t left = n * d->sector_size;
    off_t off = (off_t)(sector * d->sector_size);
    while (left > 0) {
        ssize_t put = pwrite(d->fd, p, left, off);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return host_error(errno);
        if (put == 0)
            return -ATOLL_EIO;
        p += put;
        left -= (size_t)put;
        off += put;
    }
    return 0;
}

int plat_block_flush(int dev)
{
    struct unix_dev *d = unix_dev_get(dev, UNIX_DEV_BLOCK);
    if (!d)
        return -ATOLL_EIO;
    if (d->read_only)
        return 0;
    while (fdatasync(d->fd) < 0) {
        if (errno != EINTR)
            return host_error(errno);
    }
    return 0;
}
