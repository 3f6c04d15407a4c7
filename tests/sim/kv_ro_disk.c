/*
 * tests/sim/kv_ro_disk.c - the tar key-value store through its named
 * constructor, atoll_kv_ro_open_tar("NAME"), on the sim platform's disks
 * attached as on the command line (--block:NAME=FILE[,opts]): an archive
 * made by GNU tar (in 4 KiB records: tar -b 8) loads from a file, with
 * 512- and 4096-byte sectors; a busy disk and a missing attachment fail
 * with their own errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/kv_ro.h"
#include "platform.h"

static char archive[64];

/* A one-file archive made by tar; its path in `archive`. */
static void make_archive(void)
{
    char dir[] = "/tmp/atoll-kvrodisk.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir d && printf 's3cret' > d/key && "
             "tar -b 8 -cf %s.tar d && rm -rf d",
             dir, dir);
    CHECK_EQ(system(cmd), 0);
    snprintf(archive, sizeof archive, "%s.tar", dir);
    rmdir(dir);
}

static int read_key(void *arg)
{
    struct atoll_kv_ro *kv;
    int rc = atoll_kv_ro_open_tar("secrets", &kv);
    if (rc < 0)
        return rc;
    char buf[16] = {0};
    rc = atoll_kv_ro_get(kv, "d/key", 0, buf, sizeof buf);
    atoll_kv_ro_close(kv);
    return rc == 6 && !memcmp(buf, "s3cret", 6) ? 0 : 100;
}

static void attach(const char *opts)
{
    char spec[128], err[256];
    snprintf(spec, sizeof spec, "%s%s", archive, opts);
    if (plat_block_attach("secrets", spec, err, sizeof err) != 0)
        harness_fail(__FILE__, __LINE__, "attach: %s", err);
}

TEST(kv_ro_disk, "a tar file attached as --block:secrets=FILE reads back")
{
    make_archive();
    attach("");
    int rc = atoll_test_run(0, read_key, NULL);
    unlink(archive);
    CHECK_EQ(rc, 0);
}

TEST(kv_ro_disk, "the same archive on a disk of 4096-byte sectors")
{
    make_archive();
    attach(",sector=4096");
    int rc = atoll_test_run(0, read_key, NULL);
    unlink(archive);
    CHECK_EQ(rc, 0);
}

TEST(kv_ro_disk, "a busy disk fails the open with -ATOLL_EBUSY")
{
    make_archive();
    attach(",busy");
    int rc = atoll_test_run(0, read_key, NULL);
    unlink(archive);
    CHECK_EQ(rc, -ATOLL_EBUSY);
}

TEST(kv_ro_disk, "no disk attached: -ATOLL_ENODEV")
{
    CHECK_EQ(atoll_test_run(0, read_key, NULL), -ATOLL_ENODEV);
}
