/*
 * platform/sim/disk.c - in-memory disks with fault injection.
 *
 * A disk is a byte array: a file's contents copied in at open (never
 * written back, so a test image is never changed) or zeroes (mem:SIZE).
 * Faults model what storage code must survive: a full disk (ENOSPC), a
 * busy one (EBUSY), a disk that dies at the N-th write (EIO from then on)
 * and a torn write at the N-th write: a seeded random prefix of its bytes
 * reaches the disk, the write fails and so does every later one - the
 * state a power cut leaves.  atoll_sim_disk_contents shows exactly what is
 * on the disk, so a test can "reboot" onto it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/sim.h"
#include "platform.h"
#include "sim_int.h"

#define NAME_MAX_ 63

struct disk {
    char name[NAME_MAX_ + 1];
    char *path; /* file to load at open; NULL for memory disks */
    struct atoll_sim_disk_opts opts;
    uint8_t *data;
    size_t len;
    uint64_t writes;
    bool crashed; /* a failed or torn write happened: every write fails */
    int dev;      /* -1 until opened */
    struct disk *next;
};

static struct disk *disks, **disks_tail = &disks;

static struct disk *disk_find(const char *name)
{
    for (struct disk *d = disks; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

/* The disk named `name`, created empty if new. */
static struct disk *disk_get(const char *name)
{
    struct disk *d = disk_find(name);
    if (d)
        return d;
    d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    strcpy(d->name, name);
    d->dev = -1;
    *disks_tail = d;
    disks_tail = &d->next;
    return d;
}

static bool sector_ok(uint64_t s)
{
    return s >= 512 && s <= 65536 && (s & (s - 1)) == 0;
}

int atoll_sim_disk_create(const char *name,
                          const struct atoll_sim_disk_opts *opts,
                          const void *init, size_t init_len)
{
    if (!name || !*name || strlen(name) > NAME_MAX_ || !opts)
        return -ATOLL_EINVAL;
    uint64_t ss = opts->sector_size ? opts->sector_size : 512;
    if (!sector_ok(ss) || opts->sectors == 0 ||
        opts->sectors > ((uint64_t)1 << 40) / ss)
        return -ATOLL_EINVAL;
    size_t len = (size_t)(opts->sectors * ss);
    if (init_len > len || (init_len && !init))
        return -ATOLL_EINVAL;
    uint8_t *data = calloc(1, len);
    if (!data)
        return -ATOLL_ENOMEM;
    if (init_len)
        memcpy(data, init, init_len);
    struct disk *d = disk_get(name);
    if (!d) {
        free(data);
        return -ATOLL_ENOMEM;
    }
    /* Replacing keeps the device number, so an open handle sees the new
     * disk (a test "reboots" onto new contents). */
    free(d->data);
    free(d->path);
    d->path = NULL;
    d->opts = *opts;
    d->opts.sector_size = (uint32_t)ss;
    d->data = data;
    d->len = len;
    d->writes = 0;
    d->crashed = false;
    return 0;
}

int atoll_sim_disk_contents(const char *name, const uint8_t **data, size_t *len,
                            uint64_t *writes)
{
    struct disk *d = name ? disk_find(name) : NULL;
    if (!d || !d->data)
        return -ATOLL_ENOENT;
    if (data)
        *data = d->data;
    if (len)
        *len = d->len;
    if (writes)
        *writes = d->writes;
    return 0;
}

/* --block:NAME=FILE[,opts] or mem:SIZE[,opts]. */
int plat_block_attach(const char *name, const char *spec, char *err,
                      size_t errlen)
{
    if (!name || !*name || strlen(name) > NAME_MAX_) {
        host_errf(err, errlen, "--block: bad device name '%s'",
                  name ? name : "");
        return -ATOLL_EINVAL;
    }
    if (disk_find(name)) {
        host_errf(err, errlen, "--block:%s: device attached twice", name);
        return -ATOLL_EINVAL;
    }
    char buf[1024];
    if (!spec || !*spec || strlen(spec) >= sizeof buf) {
        host_errf(err, errlen,
                  "--block:%s: expected FILE or mem:SIZE, then options", name);
        return -ATOLL_EINVAL;
    }
    strcpy(buf, spec);
    struct atoll_sim_disk_opts o = {.sector_size = 512};
    char *save = NULL;
    char *source = strtok_r(buf, ",", &save);
    if (!source) {
        host_errf(err, errlen,
                  "--block:%s: expected FILE or mem:SIZE, then options", name);
        return -ATOLL_EINVAL;
    }
    uint64_t mem_size = 0;
    bool is_mem = strncmp(source, "mem:", 4) == 0;
    if (is_mem && (sim_parse_size(source + 4, &mem_size) < 0 || !mem_size)) {
        host_errf(err, errlen,
                  "--block:%s: bad size '%s' (expected e.g. mem:4M)", name,
                  source + 4);
        return -ATOLL_EINVAL;
    }
    for (char *item = strtok_r(NULL, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (strcmp(item, "full") == 0) {
            o.mode = ATOLL_SIM_DISK_FULL;
        } else if (strcmp(item, "busy") == 0) {
            o.mode = ATOLL_SIM_DISK_BUSY;
        } else if (strncmp(item, "fail-at=", 8) == 0) {
            if (sim_parse_u64(item + 8, &v) < 0 || v == 0)
                goto bad_number;
            o.fail_at_write = v;
        } else if (strncmp(item, "torn-at=", 8) == 0) {
            if (sim_parse_u64(item + 8, &v) < 0 || v == 0)
                goto bad_number;
            o.torn_at_write = v;
        } else if (strncmp(item, "sector=", 7) == 0) {
            if (sim_parse_u64(item + 7, &v) < 0 || !sector_ok(v)) {
                host_errf(err, errlen,
                          "--block:%s: bad sector size '%s' (expected a power "
                          "of two from 512 to 65536)",
                          name, item + 7);
                return -ATOLL_EINVAL;
            }
            o.sector_size = (uint32_t)v;
        } else {
            host_errf(err, errlen,
                      "--block:%s: unknown option '%s' (expected full, busy, "
                      "fail-at=N, torn-at=N, sector=BYTES)",
                      name, item);
            return -ATOLL_EINVAL;
        }
        continue;
    bad_number:
        host_errf(err, errlen,
                  "--block:%s: bad write number in '%s' (expected N >= 1)",
                  name, item);
        return -ATOLL_EINVAL;
    }
    if (is_mem) {
        if (mem_size % o.sector_size != 0) {
            host_errf(err, errlen,
                      "--block:%s: size %llu is not a multiple of the "
                      "%u-byte sector size",
                      name, (unsigned long long)mem_size, o.sector_size);
            return -ATOLL_EINVAL;
        }
        o.sectors = mem_size / o.sector_size;
        int rc = atoll_sim_disk_create(name, &o, NULL, 0);
        if (rc < 0) {
            host_errf(err, errlen, "--block:%s: cannot create disk: %s", name,
                      atoll_strerror(rc));
            return -ATOLL_EINVAL;
        }
        return 0;
    }
    struct disk *d = disk_get(name);
    char *path = strdup(source);
    if (!d || !path) {
        free(path);
        host_errf(err, errlen, "--block:%s: out of memory", name);
        return -ATOLL_EINVAL;
    }
    d->path = path;
    d->opts = o;
    return 0;
}

/* Copy a file-backed disk's file into memory (at open, as the contract
 * says host resources are opened then). */
static int disk_load(struct disk *d, char *err, size_t errlen)
{
    FILE *f = fopen(d->path, "rb");
    if (!f) {
        host_errf(err, errlen, "block device '%s': cannot open '%s': %s",
                  d->name, d->path, strerror(errno));
        return -ATOLL_ENODEV;
    }
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *n = realloc(data, ncap);
            if (!n) {
                free(data);
                fclose(f);
                host_errf(err, errlen, "block device '%s': out of memory",
                          d->name);
                return -ATOLL_ENODEV;
            }
            data = n;
            cap = ncap;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        host_errf(err, errlen, "block device '%s': cannot read '%s'", d->name,
                  d->path);
        return -ATOLL_ENODEV;
    }
    if (len == 0) {
        free(data);
        host_errf(err, errlen, "block device '%s': '%s' is empty", d->name,
                  d->path);
        return -ATOLL_ENODEV;
    }
    if (len % d->opts.sector_size != 0) {
        free(data);
        host_errf(err, errlen,
                  "block device '%s': '%s' size %zu is not a multiple of the "
                  "%u-byte sector size",
                  d->name, d->path, len, d->opts.sector_size);
        return -ATOLL_ENODEV;
    }
    d->data = data;
    d->len = len;
    d->opts.sectors = len / d->opts.sector_size;
    return 0;
}

int plat_block_open(const char *name, struct plat_block_info *info, char *err,
                    size_t errlen)
{
    struct disk *d = disk_find(name);
    if (!d) {
        host_errf(err, errlen,
                  "block device '%s' is not attached (use --block:%s=FILE or "
                  "mem:SIZE)",
                  name, name);
        return -ATOLL_ENOENT;
    }
    if (!d->data) {
        int rc = disk_load(d, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (d->dev < 0) {
        int dev = sim_dev_alloc(SIM_DEV_BLOCK, d);
        if (dev < 0) {
            host_errf(err, errlen, "block device '%s': too many devices", name);
            return -ATOLL_ENODEV;
        }
        d->dev = dev;
    }
    info->sector_size = d->opts.sector_size;
    info->sectors = d->opts.sectors;
    info->read_only = false;
    return d->dev;
}

/* The byte range of a request, or -ATOLL_ERANGE (checked again here even
 * though callers check first: the platform must not trust them). */
static int range(struct disk *d, uint64_t sector, size_t n, size_t *off,
                 size_t *bytes)
{
    if (n == 0 || sector >= d->opts.sectors || n > d->opts.sectors - sector)
        return -ATOLL_ERANGE;
    *off = (size_t)(sector * d->opts.sector_size);
    *bytes = n * d->opts.sector_size;
    return 0;
}

int plat_block_read(int dev, uint64_t sector, void *buf, size_t n)
{
    struct disk *d = sim_dev_get(dev, SIM_DEV_BLOCK);
    size_t off, bytes;
    if (!d)
        return -ATOLL_EIO;
    if (d->opts.mode == ATOLL_SIM_DISK_BUSY)
        return -ATOLL_EBUSY;
    int rc = range(d, sector, n, &off, &bytes);
    if (rc < 0)
        return rc;
    memcpy(buf, d->data + off, bytes);
    return 0;
}

int plat_block_write(int dev, uint64_t sector, const void *buf, size_t n)
{
    struct disk *d = sim_dev_get(dev, SIM_DEV_BLOCK);
    size_t off, bytes;
    if (!d)
        return -ATOLL_EIO;
    d->writes++;
    if (d->opts.mode == ATOLL_SIM_DISK_BUSY)
        return -ATOLL_EBUSY;
    int rc = range(d, sector, n, &off, &bytes);
    if (rc < 0)
        return rc;
    if (d->crashed)
        return -ATOLL_EIO;
    if (d->opts.fail_at_write && d->writes >= d->opts.fail_at_write) {
        d->crashed = true;
        return -ATOLL_EIO;
    }
    if (d->opts.torn_at_write && d->writes == d->opts.torn_at_write) {
        size_t prefix = (size_t)sim_rand_below((uint64_t)bytes + 1);
        memcpy(d->data + off, buf, prefix);
        d->crashed = true;
        return -ATOLL_EIO;
    }
    if (d->opts.mode == ATOLL_SIM_DISK_FULL)
        return -ATOLL_ENOSPC;
    memcpy(d->data + off, buf, bytes);
    return 0;
}

int plat_block_flush(int dev)
{
    struct disk *d = sim_dev_get(dev, SIM_DEV_BLOCK);
    if (!d)
        return -ATOLL_EIO;
    if (d->opts.mode == ATOLL_SIM_DISK_BUSY)
        return -ATOLL_EBUSY;
    return d->crashed ? -ATOLL_EIO : 0;
}
