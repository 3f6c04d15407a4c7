/*
 * tools/atoll/store_host.c - what the store library needs from the
 * runtime, for the host tool: the allocator (atoll_malloc & co over
 * libc's), the stop on a violated invariant (atoll/invariant.h) and a
 * block device over an image file (pread, read-only).
 *
 * The store's pure parts (objects, log records, trees, history) are
 * compiled from lib/store into the tool; they call only these and the
 * block interface, so no scheduler or platform is linked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atoll/block.h"
#include "atoll/error.h"
#include "atoll/invariant.h"
#include "atoll/mem.h"
#include "store_host.h"

void *atoll_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *atoll_calloc(size_t count, size_t size)
{
    return calloc(count ? count : 1, size ? size : 1);
}

void *atoll_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void atoll_free(void *p)
{
    free(p);
}

char *atoll_strdup(const char *s)
{
    return strdup(s);
}

_Noreturn void atoll_invariant_failed(const char *cond, const char *file,
                                      int line)
{
    fprintf(stderr, "atoll: invariant violated: %s:%d: %s\n", file, line, cond);
    abort();
}

struct image {
    struct atoll_block blk;
    int fd;
    struct atoll_block_info info;
};

static int img_read(void *st, uint64_t sector, void *buf, size_t n)
{
    struct image *im = st;
    int rc = atoll_block_check_range(&im->info, sector, n);
    if (rc < 0)
        return rc;
    size_t len = n * im->info.sector_size;
    off_t off = (off_t)(sector * im->info.sector_size);
    for (size_t done = 0; done < len;) {
        ssize_t got =
            pread(im->fd, (char *)buf + done, len - done, off + (off_t)done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -ATOLL_EIO;
        done += (size_t)got;
    }
    return 0;
}

/* Writes only on an image opened with image_open_rw (`atoll store
 * import` and `revert`); inspection never writes. */
static int img_write(void *st, uint64_t sector, const void *buf, size_t n)
{
    struct image *im = st;
    if (im->info.read_only)
        return -ATOLL_EPERM;
    int rc = atoll_block_check_range(&im->info, sector, n);
    if (rc < 0)
        return rc;
    size_t len = n * im->info.sector_size;
    off_t off = (off_t)(sector * im->info.sector_size);
    for (size_t done = 0; done < len;) {
        ssize_t put = pwrite(im->fd, (const char *)buf + done, len - done,
                             off + (off_t)done);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return errno == ENOSPC ? -ATOLL_ENOSPC : -ATOLL_EIO;
        done += (size_t)put;
    }
    return 0;
}

static int img_flush(void *st)
{
    struct image *im = st;
    if (!im->info.read_only && fdatasync(im->fd) != 0)
        return -ATOLL_EIO;
    return 0;
}

static void img_info(void *st, struct atoll_block_info *out)
{
    *out = ((struct image *)st)->info;
}

static const struct atoll_block_ops img_ops = {img_read, img_write, img_flush,
                                               img_info};

static struct atoll_block *open_image(const char *path, bool rw, char *err,
                                      size_t errlen)
{
    int fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (st.st_size < 3 * 512 || st.st_size % 512) {
        snprintf(err, errlen,
                 "%s: size %lld is not a multiple of 512 bytes (at least 3 "
                 "sectors)",
                 path, (long long)st.st_size);
        close(fd);
        return NULL;
    }
    struct image *im = calloc(1, sizeof *im);
    if (!im) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    im->fd = fd;
    im->info.sector_size = 512;
    im->info.sectors = (uint64_t)st.st_size / 512;
    im->info.read_only = !rw;
    im->info.name = "image";
    im->blk.ops = &img_ops;
    im->blk.state = im;
    return &im->blk;
}

struct atoll_block *image_open(const char *path, char *err, size_t errlen)
{
    return open_image(path, false, err, errlen);
}

struct atoll_block *image_open_rw(const char *path, char *err, size_t errlen)
{
    return open_image(path, true, err, errlen);
}

void image_close(struct atoll_block *b)
{
    struct image *im = b->state;
    close(im->fd);
    free(im);
}
