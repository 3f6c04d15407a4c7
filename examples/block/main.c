/*
 * examples/block/main.c - exercises the block device `disk`: prints its
 * geometry, writes a pattern that is different in every sector to the
 * first and last --max sectors (every sector of a small disk), flushes,
 * reads everything back and verifies it, then prints "verified N sectors".
 *
 * Any error is reported with the interface's own message and a non-zero
 * exit status: configured with --impl disk=full the first write fails
 * with "no space left on device", with --impl disk=busy with "device or
 * resource busy".  Nothing here knows which implementation it got.
 */
#include "atoll_app.h"

/* Sectors moved per request: a few KiB per call, many calls per run. */
#define BATCH 16

/* The byte at offset `off` of sector `s`: a mix of both, so that a sector
 * written to the wrong place, or a stale one, cannot pass. */
static uint8_t pattern(uint64_t s, size_t off)
{
    uint64_t x = (s + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(off / 8);
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return (uint8_t)(x >> (8 * (off % 8)));
}

struct range {
    uint64_t first, count;
};

/* Write (verify == false) or read back and check (verify == true) one
 * range.  0, or 1 after a message. */
static int pass(struct app *app, const struct atoll_block_info *info,
                struct range r, uint8_t *buf, bool verify)
{
    size_t ss = info->sector_size;
    for (uint64_t s = r.first; s < r.first + r.count; s += BATCH) {
        size_t n = r.first + r.count - s < BATCH
                       ? (size_t)(r.first + r.count - s)
                       : BATCH;
        int err;
        if (!verify) {
            for (size_t k = 0; k < n; k++)
                for (size_t off = 0; off < ss; off++)
                    buf[k * ss + off] = pattern(s + k, off);
            err = atoll_block_write(app->disk, s, buf, n);
        } else {
            err = atoll_block_read(app->disk, s, buf, n);
        }
        if (err < 0) {
            atoll_console_printf(app->console,
                                 "block: %s of sectors %lu..%lu failed: "
                                 "%s\n",
                                 verify ? "read" : "write", (unsigned long)s,
                                 (unsigned long)(s + n - 1),
                                 atoll_strerror(err));
            return 1;
        }
        if (!verify)
            continue;
        for (size_t k = 0; k < n; k++)
            for (size_t off = 0; off < ss; off++)
                if (buf[k * ss + off] != pattern(s + k, off)) {
                    atoll_console_printf(
                        app->console,
                        "block: mismatch in sector %lu at byte %zu: read "
                        "0x%02x, wrote 0x%02x\n",
                        (unsigned long)(s + k), off, buf[k * ss + off],
                        pattern(s + k, off));
                    return 1;
                }
    }
    return 0;
}

int app_main(struct app *app)
{
    struct atoll_block_info info;
    atoll_block_info(app->disk, &info);
    uint64_t bytes = info.sectors * info.sector_size;
    atoll_console_printf(
        app->console, "disk: %lu sectors of %u bytes (%lu KiB)%s\n",
        (unsigned long)info.sectors, info.sector_size,
        (unsigned long)(bytes / 1024), info.read_only ? ", read-only" : "");
    if (info.read_only) {
        atoll_console_printf(app->console,
                             "block: the disk is read-only; nothing to do\n");
        return 1;
    }
    if (info.sectors == 0 || app->args.max <= 0) {
        atoll_console_printf(app->console, "block: nothing to check\n");
        return 1;
    }

    /* The first and last `max` sectors, or the whole disk if that covers
     * it. */
    uint64_t max = (uint64_t)app->args.max;
    struct range ranges[2] = {{0, info.sectors}, {0, 0}};
    if (info.sectors > 2 * max) {
        ranges[0].count = max;
        ranges[1].first = info.sectors - max;
        ranges[1].count = max;
    }

    uint8_t *buf = atoll_malloc((size_t)BATCH * info.sector_size);
    if (!buf) {
        atoll_console_printf(app->console, "block: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = pass(app, &info, ranges[i], buf, false);
    if (rc == 0) {
        int err = atoll_block_flush(app->disk);
        if (err < 0) {
            atoll_console_printf(app->console, "block: flush failed: %s\n",
                                 atoll_strerror(err));
            rc = 1;
        }
    }
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = pass(app, &info, ranges[i], buf, true);
    atoll_free(buf);
    if (rc == 0)
        atoll_console_printf(
            app->console, "verified %lu sectors\n",
            (unsigned long)(ranges[0].count + ranges[1].count));
    return rc;
}
