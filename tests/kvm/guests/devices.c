/*
 * tests/kvm/guests/devices.c - a guest with a net device "service" and a
 * block device "disk":
 *   - device info for both;
 *   - block: writes 2 sectors (one exit) at sector 1, flushes, reads them
 *     back (one exit), compares; an out-of-range request gets -ERANGE;
 *   - net: sends a batch of 4 frames in one exit (EtherType 0x88b5, local
 *     experimental), then waits up to 10 s for a frame of that type from
 *     the host and reads it with a batched read;
 *   - a wait with a packed read (rxp list) receives a frame of the host's
 *     into one area of records;
 *   - a frame marked for segmentation offload that is not TCP/IPv4 is
 *     refused by itself (the offload is offered in the device info);
 *   - then the same in single exits: waits whose tx list sends 2 more
 *     frames (before waiting, once) and whose rx list receives a frame of
 *     the host's; a wait that does not watch the device must leave its rx
 *     entry unread (ret 0).
 * Prints "devices ok" and exits 0 when all worked.
 */
#include <stdbool.h>

#include "guest.h"

ATOLL_HVT_MANIFEST({ATOLL_HVT_DEV_NET, "service"},
                   {ATOLL_HVT_DEV_BLOCK, "disk"});

#define NET  0
#define DISK 1

static uint8_t wbuf[1024], rbuf[1024];
static uint8_t frames[4][64];
static uint8_t rx[8][2048];
static uint8_t area[300 * 1024] __attribute__((aligned(8)));

static int fail(const char *why)
{
    puts_("devices: FAIL ");
    puts_(why);
    puts_("\n");
    return 1;
}

int guest_main(const struct atoll_hvt_boot_info *bi)
{
    if (bi->ndevices != 2)
        return fail("ndevices");
    struct atoll_hvt_device_info ni = {.index = NET}, di = {.index = DISK};
    hypercall(ATOLL_HVT_DEVICE_INFO, &ni);
    hypercall(ATOLL_HVT_DEVICE_INFO, &di);
    if (ni.ret || ni.kind != ATOLL_HVT_DEV_NET || ni.mtu != 1500 ||
        (ni.mac[0] & 3) != 2)
        return fail("net info");
    if (di.ret || di.kind != ATOLL_HVT_DEV_BLOCK || di.sector_size != 512 ||
        di.sectors != 128)
        return fail("block info");

    for (int i = 0; i < 1024; i++)
        wbuf[i] = (uint8_t)(i * 7 + 3);
    struct atoll_hvt_block_io b = {DISK, 0, 1, 2, (uintptr_t)wbuf, 0};
    hypercall(ATOLL_HVT_BLOCK_WRITE, &b);
    if (b.ret)
        return fail("block write");
    hypercall(ATOLL_HVT_BLOCK_FLUSH, &b);
    if (b.ret)
        return fail("block flush");
    b.data = (uintptr_t)rbuf;
    hypercall(ATOLL_HVT_BLOCK_READ, &b);
    if (b.ret || memcmp(wbuf, rbuf, sizeof wbuf))
        return fail("block read back");
    b.sector = 127; /* 127 + 2 > 128 */
    hypercall(ATOLL_HVT_BLOCK_READ, &b);
    if (b.ret != -ATOLL_ERANGE)
        return fail("block range check");
    b.device = NET;
    b.sector = 0;
    hypercall(ATOLL_HVT_BLOCK_READ, &b);
    if (b.ret != -ATOLL_ENODEV)
        return fail("block call on a net device");

    struct atoll_hvt_frame f[4];
    for (int i = 0; i < 4; i++) {
        memset(frames[i], 0xff, 6); /* broadcast */
        memcpy(frames[i] + 6, ni.mac, 6);
        frames[i][12] = 0x88;
        frames[i][13] = 0xb5;
        memset(frames[i] + 14, 'A' + i, 50);
        f[i] =
            (struct atoll_hvt_frame){.addr = (uintptr_t)frames[i], .len = 64};
    }
    struct atoll_hvt_net_io n = {NET, 4, (uintptr_t)f, 0};
    hypercall(ATOLL_HVT_NET_WRITE, &n);
    if (n.ret != 4)
        return fail("net write batch");
    for (int i = 0; i < 4; i++)
        if (f[i].result != 64)
            return fail("net write frame result");
    puts_("devices: sent 4 frames\n");

    /* An offload frame must be TCP/IPv4: this one is not, so the tender
     * refuses it alone (-EMSGSIZE) and the batch goes on. */
    f[0].gso_size = 100;
    n = (struct atoll_hvt_net_io){NET, 2, (uintptr_t)f, 0};
    hypercall(ATOLL_HVT_NET_WRITE, &n);
    if (n.ret != 2 || f[0].result != -ATOLL_EMSGSIZE || f[1].result != 64)
        return fail("an offload frame that is not TCP/IPv4");
    f[0].gso_size = 0;
    if (!(ni.offloads & ATOLL_HVT_NET_TSO4))
        return fail("net info offers no segmentation offload");

    uint64_t deadline = mclock() + 10000000000ULL;
    bool got = false;
    while (!got) {
        struct atoll_hvt_wait w = {.deadline_ns = deadline,
                                   .devices = 1u << NET};
        hypercall(ATOLL_HVT_WAIT, &w);
        if (w.ready == 0)
            return fail("no frame from the host within 10 s");
        struct atoll_hvt_frame r[8];
        for (int i = 0; i < 8; i++)
            r[i] =
                (struct atoll_hvt_frame){.addr = (uintptr_t)rx[i], .len = 2048};
        struct atoll_hvt_net_io rd = {NET, 8, (uintptr_t)r, 0};
        hypercall(ATOLL_HVT_NET_READ, &rd);
        if (rd.ret < 0)
            return fail("net read");
        for (int64_t i = 0; i < rd.ret; i++)
            if (r[i].result >= 14 && rx[i][12] == 0x88 && rx[i][13] == 0xb5)
                got = true;
    }
    puts_("devices: received a frame\n");

    /* One exit: send 2 frames, wait, receive.  The host keeps sending, so
     * a frame is in the tap's queue by the time of some wait. */
    struct atoll_hvt_net_io tx = {NET, 2, (uintptr_t)f, 0};
    struct atoll_hvt_frame r[8];
    struct atoll_hvt_net_io rxl = {NET, 8, (uintptr_t)r, 0};
    deadline = mclock() + 10000000000ULL;
    got = false;
    for (int round = 0; !got; round++) {
        for (int i = 0; i < 8; i++)
            r[i] =
                (struct atoll_hvt_frame){.addr = (uintptr_t)rx[i], .len = 2048};
        struct atoll_hvt_wait w = {.deadline_ns = deadline,
                                   .devices = 1u << NET,
                                   .rx = (uintptr_t)&rxl,
                                   .nrx = 1};
        if (round == 0) {
            for (int i = 0; i < 2; i++)
                memset(frames[i] + 14, 'T', 50);
            w.tx = (uintptr_t)&tx;
            w.ntx = 1;
        }
        rxl.ret = -1;
        hypercall(ATOLL_HVT_WAIT, &w);
        if (round == 0 && (tx.ret != 2 || f[0].result != 64))
            return fail("wait's tx list");
        if (w.ready == 0)
            return fail("no frame within 10 s (wait with rx list)");
        if (rxl.ret < 0)
            return fail("wait's rx list");
        for (int64_t i = 0; i < rxl.ret; i++)
            if (r[i].result >= 14 && rx[i][12] == 0x88 && rx[i][13] == 0xb5)
                got = true;
    }
    puts_("devices: sent and received in single wait exits\n");

    /* Packed receive (the device info offers it): a wait whose rxp list
     * has the tender pack frames into one area, records 8-byte aligned. */
    if (!(ni.offloads & ATOLL_HVT_NET_GRO4))
        return fail("net info offers no receive offload");
    deadline = mclock() + 10000000000ULL;
    got = false;
    while (!got) {
        struct atoll_hvt_net_packed p = {
            .device = NET, .area = (uintptr_t)area, .size = sizeof area};
        struct atoll_hvt_wait w = {.deadline_ns = deadline,
                                   .devices = 1u << NET,
                                   .rxp = (uintptr_t)&p,
                                   .nrxp = 1};
        hypercall(ATOLL_HVT_WAIT, &w);
        if (w.ready == 0)
            return fail("no frame within 10 s (packed read)");
        if (p.ret < 0 || p.used > sizeof area)
            return fail("packed read");
        uint64_t at = 0;
        for (int64_t i = 0; i < p.ret; i++) {
            struct atoll_hvt_packed_frame rec;
            memcpy(&rec, area + at, sizeof rec);
            const uint8_t *fr = area + at + sizeof rec;
            if (rec.len >= 14 && fr[12] == 0x88 && fr[13] == 0xb5)
                got = true;
            at += (sizeof rec + rec.len + 7) & ~7ULL;
        }
        if (at != p.used)
            return fail("packed records do not add up to `used`");
    }
    puts_("devices: received into a packed area\n");

    /* Not watching the device: its rx entry is left alone. */
    struct atoll_hvt_wait p = {
        .deadline_ns = 0, .devices = 0, .rx = (uintptr_t)&rxl, .nrx = 1};
    rxl.ret = -1;
    hypercall(ATOLL_HVT_WAIT, &p);
    if (rxl.ret != 0 || p.ready != 0)
        return fail("an unwatched device was read");
    puts_("devices ok\n");
    return 0;
}
