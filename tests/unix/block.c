/*
 * tests/unix/block.c - the unix platform's file-backed block devices:
 * a good file reads and writes through to the host file, and bad
 * attachments (missing, empty, odd-sized) are refused with a message that
 * names the device and the file; a file the host only lets us read
 * becomes a read-only device.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "platform.h"

static void make_file(char *path, size_t size, uint8_t fill)
{
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    uint8_t buf[512];
    memset(buf, fill, sizeof buf);
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof buf ? size - done : sizeof buf;
        CHECK(write(fd, buf, n) == (ssize_t)n);
        done += n;
    }
    close(fd);
}

static int io_main(void *arg)
{
    struct atoll_block *b;
    int rc = atoll_block_open_default("disk", &b);
    if (rc < 0)
        return 1;
    struct atoll_block_info info;
    atoll_block_info(b, &info);
    if (info.sector_size != 512 || info.sectors != 16 || info.read_only)
        return 2;
    uint8_t buf[3 * 512], back[3 * 512];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 13 + 1);
    if (atoll_block_write(b, 5, buf, 3) != 0 || atoll_block_flush(b) != 0 ||
        atoll_block_read(b, 5, back, 3) != 0 ||
        memcmp(buf, back, sizeof buf) != 0)
        return 3;
    if (atoll_block_read(b, 0, back, 1) != 0 || back[0] != 0xaa)
        return 4;
    if (atoll_block_write(b, 15, buf, 2) != -ATOLL_ERANGE ||
        atoll_block_read(b, 16, back, 1) != -ATOLL_ERANGE)
        return 5;
    return 0;
}

TEST(unix_block, "a file reads and writes through, 512-byte sectors")
{
    char path[] = "/tmp/atoll-blk-XXXXXX";
    make_file(path, 16 * 512, 0xaa);
    char err[256] = "";
    CHECK_EQ(plat_block_attach("disk", path, err, sizeof err), 0);
    int rc = atoll_test_run(0, io_main, NULL);
    FILE *f = fopen(path, "rb");
    uint8_t host[512];
    CHECK(fseek(f, 5 * 512, SEEK_SET) == 0);
    CHECK(fread(host, 1, 512, f) == 512);
    fclose(f);
    unlink(path);
    CHECK_EQ(rc, 0);
    CHECK_EQ(host[0], 1);
    CHECK_EQ(host[1], 14);
}

static void expect_refused(const char *path, const char *want)
{
    char err[256] = "";
    struct plat_block_info info;
    CHECK_EQ(plat_block_attach("disk", path, err, sizeof err), 0);
    CHECK_EQ(plat_block_open("disk", &info, err, sizeof err), -ATOLL_ENODEV);
    if (strcmp(err, want) != 0)
        harness_fail(__FILE__, __LINE__, "got \"%s\", want \"%s\"", err, want);
}

TEST(unix_block, "a size that is not a multiple of 512 is refused")
{
    char path[] = "/tmp/atoll-blk-XXXXXX", want[256];
    make_file(path, 1000, 0);
    snprintf(want, sizeof want,
             "block device 'disk': '%s' size 1000 is not a multiple of the "
             "512-byte sector size",
             path);
    expect_refused(path, want);
    unlink(path);
}

TEST(unix_block, "a missing file is refused, naming it")
{
    char want[256];
    const char *path = "/tmp/atoll-no-such-disk.img";
    unlink(path);
    snprintf(want, sizeof want,
             "block device 'disk': cannot open '%s': No such file or "
             "directory",
             path);
    expect_refused(path, want);
}

TEST(unix_block, "an empty file is refused")
{
    char path[] = "/tmp/atoll-blk-XXXXXX", want[256];
    make_file(path, 0, 0);
    snprintf(want, sizeof want, "block device 'disk': '%s' is empty", path);
    expect_refused(path, want);
    unlink(path);
}

TEST(unix_block, "the default netif and block refuse unattached names")
{
    char err[256] = "";
    struct plat_block_info info;
    CHECK_EQ(plat_block_open("nothing", &info, err, sizeof err), -ATOLL_ENOENT);
    CHECK(strstr(err, "'nothing' is not attached") != NULL);
    CHECK_EQ(plat_block_attach("disk", "", err, sizeof err), -ATOLL_EINVAL);
}

/*
 * Read-only: root may open any file read-write, so permissions cannot
 * show this.  A read-only mount can: in a private mount namespace, mount a
 * tmpfs, create the image, remount it read-only.
 */
TEST(unix_block, "a file on a read-only mount becomes a read-only device")
{
    if (geteuid() != 0)
        SKIP("needs root for a private read-only mount");
    CHECK_EQ(unshare(CLONE_NEWNS), 0);
    CHECK_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    char dir[] = "/tmp/atoll-ro-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_EQ(mount("tmpfs", dir, "tmpfs", 0, "size=1m"), 0);
    char path[300];
    snprintf(path, sizeof path, "%s/disk.img", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    uint8_t buf[1024];
    memset(buf, 0x5a, sizeof buf);
    CHECK(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
    close(fd);
    CHECK_EQ(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
    char err[256] = "";
    struct plat_block_info info;
    CHECK_EQ(plat_block_attach("ro", path, err, sizeof err), 0);
    int dev = plat_block_open("ro", &info, err, sizeof err);
    CHECK(dev >= 0);
    CHECK(info.read_only);
    CHECK_EQ(info.sectors, 2);
    uint8_t back[512];
    CHECK_EQ(plat_block_read(dev, 1, back, 1), 0);
    CHECK_EQ(back[511], 0x5a);
    CHECK_EQ(plat_block_write(dev, 0, back, 1), -ATOLL_EPERM);
    CHECK_EQ(plat_block_flush(dev), 0);
    umount2(dir, MNT_DETACH); /* the device keeps its fd open */
    rmdir(dir);
}
