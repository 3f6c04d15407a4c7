/*
 * platform/virtio/mmio.c - the virtio MMIO transport (virtio 1.x, 4.2),
 * version 2 only, as QEMU's microvm (with virtio-mmio.force-legacy=false)
 * and Firecracker offer it.
 *
 * A transport is a 512-byte register window (at least) at the address its
 * attachment names; it must lie above the guest's RAM, below 4 GiB (where
 * the boot tables map device memory) - anything else is refused before
 * the first access.  Its interrupt line is the one the VMM announced on
 * the command line for that address (virtio_mmio.device=SIZE@ADDR:IRQ),
 * routed through the I/O APIC to VEC_DEVICE; without one the device is
 * polled.  The interrupt status is acknowledged at every look at the
 * rings (wait.c), before the look, so no completion is missed.
 */
#include <stdio.h>

#include "atoll/error.h"
#include "io.h"
#include "virtio_int.h"

#define R_MAGIC     0x000
#define R_VERSION   0x004
#define R_DEVICE_ID 0x008
#define R_DF        0x010
#define R_DFSEL     0x014
#define R_GF        0x020
#define R_GFSEL     0x024
#define R_QSEL      0x030
#define R_QNUM_MAX  0x034
#define R_QNUM      0x038
#define R_QREADY    0x044
#define R_QNOTIFY   0x050
#define R_ISR       0x060
#define R_ISR_ACK   0x064
#define R_STATUS    0x070
#define R_QDESC     0x080
#define R_QDRIVER   0x090
#define R_QDEVICE   0x0a0
#define R_GEN       0x0fc
#define R_CONFIG    0x100
#define WINDOW      0x200
#define MMIO_MAGIC  0x74726976u /* "virt" */

static uint32_t rd(const struct vdev *d, uint32_t r)
{
    return mmio_read32((uintptr_t)d->base + r);
}

static void wr(const struct vdev *d, uint32_t r, uint32_t v)
{
    mmio_write32((uintptr_t)d->base + r, v);
}

/* The window is device memory the boot tables map: above RAM, below
 * 4 GiB. */
static bool window_ok(const struct vdev *d)
{
    return d->base >= virtio_ram_end && d->base + WINDOW <= (4ULL << 30) &&
           d->base % 0x100 == 0;
}

static uint32_t mmio_device_type(struct vdev *d)
{
    if (!window_ok(d) || rd(d, R_MAGIC) != MMIO_MAGIC)
        return 0;
    return rd(d, R_DEVICE_ID); /* 0: an empty transport */
}

static int mmio_setup(struct vdev *d)
{
    uint32_t v = rd(d, R_VERSION);
    if (v != 2) {
        snprintf(d->why, sizeof d->why,
                 "virtio-mmio version %u: Atoll speaks version 2 (virtio "
                 "1.x; QEMU: -global virtio-mmio.force-legacy=false)",
                 (unsigned)v);
        return -ATOLL_ENODEV;
    }
    d->irq = -1;
    for (int i = 0; i < virtio_mmio_nslots; i++)
        if (virtio_mmio_slots[i].addr == d->base)
            d->irq = virtio_mmio_slots[i].irq;
    d->interrupts = d->irq >= 0 && intr_route_gsi(d->irq) == 0;
    return 0;
}

static uint8_t mmio_status(struct vdev *d)
{
    return (uint8_t)rd(d, R_STATUS);
}

static void mmio_set_status(struct vdev *d, uint8_t s)
{
    wr(d, R_STATUS, s);
}

static uint64_t mmio_features(struct vdev *d)
{
    wr(d, R_DFSEL, 0);
    uint64_t lo = rd(d, R_DF);
    wr(d, R_DFSEL, 1);
    uint64_t hi = rd(d, R_DF);
    return hi << 32 | lo;
}

static void mmio_set_features(struct vdev *d, uint64_t f)
{
    wr(d, R_GFSEL, 0);
    wr(d, R_GF, (uint32_t)f);
    wr(d, R_GFSEL, 1);
    wr(d, R_GF, (uint32_t)(f >> 32));
}

static uint32_t mmio_generation(struct vdev *d)
{
    return rd(d, R_GEN);
}

static uint32_t mmio_config(struct vdev *d, uint32_t off, uint32_t len)
{
    if (off + len > WINDOW - R_CONFIG)
        return 0;
    uintptr_t a = (uintptr_t)d->base + R_CONFIG + off;
    return len == 4   ? mmio_read32(a)
           : len == 2 ? mmio_read16(a)
                      : mmio_read8(a);
}

static uint16_t mmio_queue_max(struct vdev *d, uint16_t q)
{
    if (q >= VDEV_QUEUES)
        return 0;
    wr(d, R_QSEL, q);
    uint32_t n = rd(d, R_QNUM_MAX);
    return n > 0x8000 ? 0x8000 : (uint16_t)n;
}

static int mmio_queue_setup(struct vdev *d, uint16_t q, uint16_t size,
                            uint64_t desc, uint64_t avail, uint64_t used)
{
    wr(d, R_QSEL, q);
    if (rd(d, R_QREADY))
        return -ATOLL_EIO; /* in use before we set it up */
    wr(d, R_QNUM, size);
    wr(d, R_QDESC, (uint32_t)desc);
    wr(d, R_QDESC + 4, (uint32_t)(desc >> 32));
    wr(d, R_QDRIVER, (uint32_t)avail);
    wr(d, R_QDRIVER + 4, (uint32_t)(avail >> 32));
    wr(d, R_QDEVICE, (uint32_t)used);
    wr(d, R_QDEVICE + 4, (uint32_t)(used >> 32));
    wr(d, R_QREADY, 1);
    return 0;
}

static void mmio_notify(struct vdev *d, uint16_t q)
{
    wr(d, R_QNOTIFY, q);
}

static void mmio_ack(struct vdev *d)
{
    uint32_t s = rd(d, R_ISR);
    if (s)
        wr(d, R_ISR_ACK, s & 3);
}

const struct vtransport vtransport_mmio = {
    .name = "mmio",
    .device_type = mmio_device_type,
    .setup = mmio_setup,
    .status = mmio_status,
    .set_status = mmio_set_status,
    .features = mmio_features,
    .set_features = mmio_set_features,
    .generation = mmio_generation,
    .config = mmio_config,
    .queue_max = mmio_queue_max,
    .queue_setup = mmio_queue_setup,
    .notify = mmio_notify,
    .ack = mmio_ack,
};
