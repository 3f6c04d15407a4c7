/*
 * tests/sim/disk.c - simulated disks through the default block device:
 * contents reflect acknowledged writes, and each fault mode (full, busy,
 * fail-at, torn-at) behaves as sim.h promises, from C and from the
 * --block option syntax.  Also the full and busy test doubles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/core/runtime.h"
#include "../harness.h"
#include "atoll/atoll.h"
#include "atoll/sim.h"
#include "platform.h"

static uint8_t pattern[64 * 512];

static void fill_pattern(uint8_t seed)
{
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(seed + i * 7);
}

struct job {
    const char *name;
    int (*fn)(struct atoll_block *b, struct job *j);
    int (*open)(const char *name, struct atoll_block **out);
    int rc[8];
};

static int job_main(void *arg)
{
    struct job *j = arg;
    struct atoll_block *b;
    int rc = (j->open ? j->open : atoll_block_open_default)(j->name, &b);
    if (rc < 0)
        return rc;
    return j->fn(b, j);
}

static int run(struct job *j)
{
    return atoll_test_run(0, job_main, j);
}

static int write_read(struct atoll_block *b, struct job *j)
{
    struct atoll_block_info info;
    atoll_block_info(b, &info);
    if (info.sector_size != 512 || info.sectors != 64 || info.read_only ||
        strcmp(info.name, j->name) != 0)
        return 100;
    uint8_t buf[4 * 512];
    j->rc[0] = atoll_block_write(b, 10, pattern, 4);
    j->rc[1] = atoll_block_read(b, 10, buf, 4);
    if (memcmp(buf, pattern, sizeof buf) != 0)
        return 101;
    j->rc[2] = atoll_block_flush(b);
    j->rc[3] = atoll_block_write(b, 62, pattern, 3); /* past the end */
    j->rc[4] = atoll_block_read(b, 64, buf, 1);
    j->rc[5] = atoll_block_read(b, 0, buf, 0);
    j->rc[6] = atoll_block_write(b, UINT64_MAX, pattern, 2);
    return 0;
}

TEST(disk, "writes land on the disk; bad ranges are refused")
{
    struct atoll_sim_disk_opts o = {.sectors = 64};
    fill_pattern(3);
    CHECK_EQ(atoll_sim_disk_create("d", &o, "hello", 5), 0);
    struct job j = {.name = "d", .fn = write_read};
    CHECK_EQ(run(&j), 0);
    CHECK_EQ(j.rc[0], 0);
    CHECK_EQ(j.rc[1], 0);
    CHECK_EQ(j.rc[2], 0);
    CHECK_EQ(j.rc[3], -ATOLL_ERANGE);
    CHECK_EQ(j.rc[4], -ATOLL_ERANGE);
    CHECK_EQ(j.rc[5], -ATOLL_ERANGE);
    CHECK_EQ(j.rc[6], -ATOLL_ERANGE);
    const uint8_t *data;
    size_t len;
    uint64_t writes;
    CHECK_EQ(atoll_sim_disk_contents("d", &data, &len, &writes), 0);
    CHECK_EQ(len, 64 * 512);
    CHECK_EQ(writes, 1); /* refused ranges never reach the disk */
    CHECK_MEM(data, "hello", 5);
    CHECK_MEM(data + 10 * 512, pattern, 4 * 512);
    CHECK_EQ(data[9 * 512], 0);
    CHECK_EQ(data[14 * 512], 0);
}

static int write_n(struct atoll_block *b, struct job *j)
{
    for (int i = 0; i < 6; i++)
        j->rc[i] =
            atoll_block_write(b, (uint64_t)i * 4, pattern + (size_t)i * 512, 4);
    j->rc[6] = atoll_block_flush(b);
    uint8_t buf[512];
    j->rc[7] = atoll_block_read(b, 0, buf, 1);
    return 0;
}

TEST(disk, "full: every write fails with ENOSPC, reads still work")
{
    struct atoll_sim_disk_opts o = {.sectors = 64, .mode = ATOLL_SIM_DISK_FULL};
    fill_pattern(1);
    CHECK_EQ(atoll_sim_disk_create("d", &o, NULL, 0), 0);
    struct job j = {.name = "d", .fn = write_n};
    CHECK_EQ(run(&j), 0);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(j.rc[i], -ATOLL_ENOSPC);
    CHECK_EQ(j.rc[7], 0);
    const uint8_t *data;
    size_t len;
    CHECK_EQ(atoll_sim_disk_contents("d", &data, &len, NULL), 0);
    for (size_t i = 0; i < len; i++)
        if (data[i])
            CHECK(!"a full disk changed");
}

TEST(disk, "busy (from --block): every request fails with EBUSY")
{
    char err[256] = "";
    CHECK_EQ(plat_block_attach("d", "mem:32K,busy", err, sizeof err), 0);
    struct job j = {.name = "d", .fn = write_n};
    CHECK_EQ(run(&j), 0);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(j.rc[i], -ATOLL_EBUSY);
}

TEST(disk, "fail-at=3: the third and later writes fail and change nothing")
{
    char err[256] = "";
    fill_pattern(9);
    CHECK_EQ(plat_block_attach("d", "mem:32K,fail-at=3", err, sizeof err), 0);
    struct job j = {.name = "d", .fn = write_n};
    CHECK_EQ(run(&j), 0);
    CHECK_EQ(j.rc[0], 0);
    CHECK_EQ(j.rc[1], 0);
    for (int i = 2; i < 6; i++)
        CHECK_EQ(j.rc[i], -ATOLL_EIO);
    CHECK_EQ(j.rc[6], -ATOLL_EIO); /* flush after a failure */
    CHECK_EQ(j.rc[7], 0);          /* reads still work */
    const uint8_t *data;
    uint64_t writes;
    CHECK_EQ(atoll_sim_disk_contents("d", &data, NULL, &writes), 0);
    CHECK_EQ(writes, 6);
    CHECK_MEM(data, pattern, 2048);
    CHECK_MEM(data + 2048, pattern + 512, 2048);
    for (size_t i = 2 * 2048; i < 6 * 2048; i++)
        if (data[i])
            CHECK(!"a failed write changed the disk");
}

/* Torn write #2 of a 4-sector write: returns how many bytes reached. */
static size_t torn_prefix(const char *tag, uint64_t seed)
{
    char err[256] = "";
    fill_pattern(5);
    atoll_sim_seed(seed);
    char name[32];
    snprintf(name, sizeof name, "%s%llu", tag, (unsigned long long)seed);
    CHECK_EQ(plat_block_attach(name, "mem:32K,torn-at=2", err, sizeof err), 0);
    struct job j = {.name = name, .fn = write_n};
    CHECK_EQ(run(&j), 0);
    CHECK_EQ(j.rc[0], 0);
    CHECK_EQ(j.rc[1], -ATOLL_EIO);
    for (int i = 2; i < 6; i++)
        CHECK_EQ(j.rc[i], -ATOLL_EIO);
    const uint8_t *data;
    CHECK_EQ(atoll_sim_disk_contents(name, &data, NULL, NULL), 0);
    CHECK_MEM(data, pattern, 2048);
    /* The torn write: a prefix of its bytes, then the old zeroes. */
    size_t prefix = 0;
    while (prefix < 2048 && data[2048 + prefix] == pattern[512 + prefix])
        prefix++;
    for (size_t i = 2048 + prefix; i < 32768; i++)
        if (data[i])
            CHECK(!"bytes past the torn prefix reached the disk");
    return prefix;
}

TEST(disk, "torn-at=2: a seeded prefix reaches the disk, then it is dead")
{
    size_t a = torn_prefix("t", 11), b = torn_prefix("t", 12);
    size_t c = torn_prefix("t", 13);
    CHECK(a < 2048 || b < 2048 || c < 2048);
    /* The prefix depends on the seed (and replays with it). */
    CHECK(a != b || b != c);
}

TEST(disk, "torn-at replays the same prefix with the same seed")
{
    size_t a = torn_prefix("x", 21);
    /* Same seed, another disk in the same process: same draw sequence
     * because the seed resets the generator. */
    size_t b = torn_prefix("y", 21);
    CHECK_EQ(a, b);
}

TEST(disk, "a file disk is copied in and never written back")
{
    char path[] = "/tmp/atoll-disk-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    fill_pattern(77);
    CHECK_EQ(write(fd, pattern, 64 * 512), 64 * 512);
    close(fd);
    char err[256] = "";
    CHECK_EQ(plat_block_attach("d", path, err, sizeof err), 0);
    struct plat_block_info info;
    int dev = plat_block_open("d", &info, err, sizeof err);
    CHECK(dev >= 0);
    CHECK_EQ(info.sectors, 64);
    uint8_t buf[512], zero[512] = {0};
    CHECK_EQ(plat_block_read(dev, 1, buf, 1), 0);
    CHECK_MEM(buf, pattern + 512, 512);
    CHECK_EQ(plat_block_write(dev, 1, zero, 1), 0);
    FILE *f = fopen(path, "rb");
    CHECK(fread(buf, 1, 512, f) == 512 && fread(buf, 1, 512, f) == 512);
    fclose(f);
    CHECK_MEM(buf, pattern + 512, 512);
    /* Bad files are refused when opened, naming them. */
    CHECK_EQ(truncate(path, 1000), 0);
    CHECK_EQ(plat_block_attach("odd", path, err, sizeof err), 0);
    CHECK_EQ(plat_block_open("odd", &info, err, sizeof err), -ATOLL_ENODEV);
    CHECK(strstr(err, "size 1000 is not a multiple of the 512-byte") != NULL);
    unlink(path);
    CHECK_EQ(plat_block_attach("gone", path, err, sizeof err), 0);
    CHECK_EQ(plat_block_open("gone", &info, err, sizeof err), -ATOLL_ENODEV);
    CHECK(strstr(err, "cannot open") && strstr(err, path));
}

TEST(disk, "bad --block specs are refused naming the problem")
{
    char err[256] = "";
    CHECK_EQ(plat_block_attach("d", "mem:lots", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "bad size 'lots'") != NULL);
    CHECK_EQ(plat_block_attach("d", "mem:4M,sector=1000", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "bad sector size '1000'") != NULL);
    CHECK_EQ(plat_block_attach("d", "mem:4M,fail-at=0", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK_EQ(plat_block_attach("d", "mem:4M,explode", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "unknown option 'explode'") != NULL);
    CHECK_EQ(plat_block_attach("d", "mem:1000", err, sizeof err),
             -ATOLL_EINVAL);
    CHECK(strstr(err, "not a multiple") != NULL);
    CHECK_EQ(plat_block_attach("d", "mem:4M,sector=4096", err, sizeof err), 0);
    struct plat_block_info info;
    CHECK(plat_block_open("d", &info, err, sizeof err) >= 0);
    CHECK_EQ(info.sector_size, 4096);
    CHECK_EQ(info.sectors, 1024);
    struct atoll_sim_disk_opts o = {.sectors = 0};
    CHECK_EQ(atoll_sim_disk_create("z", &o, NULL, 0), -ATOLL_EINVAL);
    o = (struct atoll_sim_disk_opts){.sectors = 1};
    CHECK_EQ(atoll_sim_disk_create("z", &o, pattern, 513), -ATOLL_EINVAL);
}

static int doubles(struct atoll_block *unused, struct job *j)
{
    struct atoll_block *f, *b;
    uint8_t buf[512];
    if (atoll_block_open_full("d", &f) < 0 ||
        atoll_block_open_busy("nothing", &b) < 0)
        return 100;
    struct atoll_block_info fi, bi;
    atoll_block_info(f, &fi);
    atoll_block_info(b, &bi);
    if (fi.sectors != 64 || bi.sectors != 2048 || bi.sector_size != 512)
        return 101;
    memset(buf, 1, sizeof buf);
    j->rc[0] = atoll_block_read(f, 3, buf, 1);
    if (buf[0] || buf[511])
        return 102;
    j->rc[1] = atoll_block_write(f, 3, buf, 1);
    j->rc[2] = atoll_block_write(f, 64, buf, 1);
    j->rc[3] = atoll_block_flush(f);
    j->rc[4] = atoll_block_read(b, 0, buf, 1);
    j->rc[5] = atoll_block_write(b, 0, buf, 1);
    j->rc[6] = atoll_block_flush(b);
    j->rc[7] = atoll_block_read(b, 2048, buf, 1);
    return 0;
}

TEST(disk, "the full and busy doubles")
{
    struct atoll_sim_disk_opts o = {.sectors = 64};
    CHECK_EQ(atoll_sim_disk_create("d", &o, NULL, 0), 0);
    struct job j = {.name = "d", .fn = doubles};
    CHECK_EQ(run(&j), 0);
    CHECK_EQ(j.rc[0], 0);
    CHECK_EQ(j.rc[1], -ATOLL_ENOSPC);
    CHECK_EQ(j.rc[2], -ATOLL_ERANGE);
    CHECK_EQ(j.rc[3], 0);
    CHECK_EQ(j.rc[4], -ATOLL_EBUSY);
    CHECK_EQ(j.rc[5], -ATOLL_EBUSY);
    CHECK_EQ(j.rc[6], -ATOLL_EBUSY);
    CHECK_EQ(j.rc[7], -ATOLL_ERANGE);
}
