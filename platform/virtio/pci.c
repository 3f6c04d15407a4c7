/*
 * platform/virtio/pci.c - the virtio PCI transport (virtio 1.x, 4.1), as
 * QEMU's q35 machine offers it (virtio-net-pci, virtio-blk-pci with
 * disable-legacy=on, or transitional devices, whose modern interface is
 * used).
 *
 * Configuration space is reached through the legacy ports 0xcf8/0xcfc
 * (q35 has them).  The firmware (SeaBIOS, which runs before the PVH entry
 * on q35) has assigned the BARs; we read them, size them, and find the
 * virtio structures through the vendor capabilities: common
 * configuration, notifications, ISR status, device configuration.  Every
 * value there is the device's word and is checked before use: capability
 * pointers stay inside the configuration space and the walk is bounded; a
 * structure must lie inside its BAR and be long enough; a BAR must be
 * memory, above the guest's RAM, and is mapped as device memory
 * (paging_map_device) before the first access; a queue's notification
 * offset must stay inside the notification structure.
 *
 * Interrupts are MSI-X: table entry 0 sends VEC_DEVICE to this CPU, every
 * queue uses it, configuration changes none (their vector stays
 * NO_VECTOR, as a reset leaves it).  A device without MSI-X, or
 * one that refuses the vector, is polled instead (virtio_int.h,
 * virtio_wait_poll_ns); INTx is disabled either way.
 */
#include <stdio.h>
#include <string.h>

#include "atoll/error.h"
#include "io.h"
#include "virtio_int.h"

#define PCI_VENDOR_VIRTIO 0x1af4
#define PCI_COMMAND       0x04
#define PCI_STATUS        0x06
#define PCI_CAP_PTR       0x34
#define PCI_SUBSYSTEM_ID  0x2e
#define CMD_MEM           0x0002
#define CMD_MASTER        0x0004
#define CMD_INTX_OFF      0x0400
#define STATUS_CAPS       0x0010
#define CAP_VENDOR        0x09
#define CAP_MSIX          0x11

/* virtio_pci_cap cfg_type */
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR    3
#define CFG_DEVICE 4

/* Common configuration (virtio 1.x, 4.1.4.3). */
#define C_DFSELECT 0x00
#define C_DF       0x04
#define C_GFSELECT 0x08
#define C_GF       0x0c
#define C_NUMQ     0x12
#define C_STATUS   0x14
#define C_GEN      0x15
#define C_QSELECT  0x16
#define C_QSIZE    0x18
#define C_QMSIX    0x1a
#define C_QENABLE  0x1c
#define C_QNOTIFY  0x1e
#define C_QDESC    0x20
#define C_QDRIVER  0x28
#define C_QDEVICE  0x30
#define COMMON_LEN 0x38

static uint32_t cfg_addr(const struct vdev *d, uint8_t off)
{
    return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->slot << 11 |
           (uint32_t)d->fn << 8 | (off & 0xfc);
}

static uint32_t cfg_read32(const struct vdev *d, uint8_t off)
{
    outl(0xcf8, cfg_addr(d, off));
    return inl(0xcfc);
}

static uint16_t cfg_read16(const struct vdev *d, uint8_t off)
{
    return (uint16_t)(cfg_read32(d, off) >> (8 * (off & 2)));
}

static uint8_t cfg_read8(const struct vdev *d, uint8_t off)
{
    return (uint8_t)(cfg_read32(d, off) >> (8 * (off & 3)));
}

static void cfg_write32(const struct vdev *d, uint8_t off, uint32_t v)
{
    outl(0xcf8, cfg_addr(d, off));
    outl(0xcfc, v);
}

static void cfg_write16(const struct vdev *d, uint8_t off, uint16_t v)
{
    outl(0xcf8, cfg_addr(d, off));
    outw((uint16_t)(0xcfc + (off & 2)), v);
}

static uint32_t pci_device_type(struct vdev *d)
{
    if (cfg_read16(d, 0x00) != PCI_VENDOR_VIRTIO)
        return 0;
    uint16_t id = cfg_read16(d, 0x02);
    if (id >= 0x1040 && id <= 0x107f)
        return id - 0x1040u; /* modern */
    if (id >= 0x1000 && id <= 0x103f)
        return cfg_read16(d, PCI_SUBSYSTEM_ID); /* transitional */
    return 0;
}

/* BAR `bar`'s base and size, if it is a memory BAR above RAM; maps it.
 * false (with d->why) otherwise.  Decoding is off while it is sized. */
static bool bar_region(struct vdev *d, uint8_t bar, uint64_t *base,
                       uint64_t *size)
{
    if (bar > 5) {
        snprintf(d->why, sizeof d->why, "a capability names BAR %u", bar);
        return false;
    }
    uint8_t off = (uint8_t)(0x10 + 4 * bar);
    uint32_t lo = cfg_read32(d, off);
    if (lo & 1) {
        snprintf(d->why, sizeof d->why, "BAR %u is an I/O BAR", bar);
        return false;
    }
    bool is64 = ((lo >> 1) & 3) == 2;
    if (is64 && bar == 5) {
        snprintf(d->why, sizeof d->why, "BAR 5 claims 64 bits");
        return false;
    }
    uint32_t hi = is64 ? cfg_read32(d, (uint8_t)(off + 4)) : 0;
    cfg_write32(d, off, 0xffffffffu);
    uint32_t mlo = cfg_read32(d, off);
    cfg_write32(d, off, lo);
    uint32_t mhi = 0xffffffffu;
    if (is64) {
        cfg_write32(d, (uint8_t)(off + 4), 0xffffffffu);
        mhi = cfg_read32(d, (uint8_t)(off + 4));
        cfg_write32(d, (uint8_t)(off + 4), hi);
    }
    uint64_t mask = (uint64_t)mhi << 32 | (mlo & ~0xfu);
    *size = ~mask + 1;
    *base = ((uint64_t)hi << 32 | lo) & ~0xfULL;
    if (mask == 0 || *size == 0 || *base == 0 || *base + *size < *base ||
        *base < virtio_ram_end) {
        snprintf(d->why, sizeof d->why,
                 "BAR %u is not usable (base 0x%llx, size 0x%llx)", bar,
                 (unsigned long long)*base, (unsigned long long)*size);
        return false;
    }
    if (paging_map_device(*base, *size) < 0) {
        snprintf(d->why, sizeof d->why, "BAR %u at 0x%llx cannot be mapped",
                 bar, (unsigned long long)*base);
        return false;
    }
    return true;
}

/* The address of [off, off+len) in BAR `bar`, if it fits there and is at
 * least `min` bytes; 0 otherwise. */
static uintptr_t region(struct vdev *d, uint8_t bar, uint32_t off, uint32_t len,
                        uint32_t min)
{
    uint64_t base, size;
    if (!bar_region(d, bar, &base, &size))
        return 0;
    if (len < min || off > size || len > size - off) {
        snprintf(d->why, sizeof d->why,
                 "a structure (0x%x bytes at 0x%x) does not fit BAR %u", len,
                 off, bar);
        return 0;
    }
    return (uintptr_t)(base + off);
}

/* MSI-X table entry 0 (at t, found before decoding was on) ->
 * VEC_DEVICE, and MSI-X on. */
static void msix_setup(struct vdev *d, uint8_t cap, uintptr_t t)
{
    uint16_t ctl = cfg_read16(d, (uint8_t)(cap + 2));
    mmio_write32(t + 0, (uint32_t)intr_msi_addr());
    mmio_write32(t + 4, (uint32_t)(intr_msi_addr() >> 32));
    mmio_write32(t + 8, intr_msi_data());
    mmio_write32(t + 12, 0);                    /* unmasked */
    ctl = (uint16_t)((ctl | 0x8000) & ~0x4000); /* enabled, not masked */
    cfg_write16(d, (uint8_t)(cap + 2), ctl);
    d->msix = true;
}

static int pci_setup(struct vdev *d)
{
    uint16_t cmd = cfg_read16(d, PCI_COMMAND);
    cfg_write16(d, PCI_COMMAND, (uint16_t)(cmd & ~(CMD_MEM | CMD_MASTER)));
    uint8_t where[5] = {0}, bar[5] = {0}, msix = 0;
    uint32_t off[5] = {0}, len[5] = {0};
    if (cfg_read16(d, PCI_STATUS) & STATUS_CAPS) {
        uint8_t p = cfg_read8(d, PCI_CAP_PTR) & 0xfc;
        for (int n = 0; n < 48 && p >= 0x40; n++) {
            uint8_t id = cfg_read8(d, p);
            if (id == CAP_VENDOR && p <= 0xec) {
                uint8_t type = cfg_read8(d, (uint8_t)(p + 3));
                if (type >= CFG_COMMON && type <= CFG_DEVICE && !where[type]) {
                    where[type] = p;
                    bar[type] = cfg_read8(d, (uint8_t)(p + 4));
                    off[type] = cfg_read32(d, (uint8_t)(p + 8));
                    len[type] = cfg_read32(d, (uint8_t)(p + 12));
                    if (type == CFG_NOTIFY)
                        d->notify_mult = cfg_read32(d, (uint8_t)(p + 16));
                }
            } else if (id == CAP_MSIX && !msix && p <= 0xf4) {
                msix = p;
            }
            p = cfg_read8(d, (uint8_t)(p + 1)) & 0xfc;
        }
    }
    if (!where[CFG_COMMON] || !where[CFG_NOTIFY] || !where[CFG_ISR] ||
        !where[CFG_DEVICE]) {
        snprintf(d->why, sizeof d->why,
                 "no virtio 1.x capabilities: a legacy device");
        return -ATOLL_ENODEV;
    }
    d->common = region(d, bar[CFG_COMMON], off[CFG_COMMON], len[CFG_COMMON],
                       COMMON_LEN);
    d->notify = region(d, bar[CFG_NOTIFY], off[CFG_NOTIFY], len[CFG_NOTIFY], 2);
    d->isr = region(d, bar[CFG_ISR], off[CFG_ISR], len[CFG_ISR], 1);
    d->devcfg = region(d, bar[CFG_DEVICE], off[CFG_DEVICE], len[CFG_DEVICE], 1);
    if (!d->common || !d->notify || !d->isr || !d->devcfg)
        return -ATOLL_ENODEV;
    d->notify_len = len[CFG_NOTIFY];
    d->devcfg_len = len[CFG_DEVICE];
    uintptr_t table = 0;
    if (msix) {
        uint32_t t = cfg_read32(d, (uint8_t)(msix + 4));
        table = region(d, (uint8_t)(t & 7), t & ~7u, 16, 16);
    }
    cfg_write16(d, PCI_COMMAND,
                (uint16_t)(cmd | CMD_MEM | CMD_MASTER | CMD_INTX_OFF));
    if (table)
        msix_setup(d, msix, table);
    d->interrupts = d->msix;
    return 0;
}

static uint8_t pci_status(struct vdev *d)
{
    return mmio_read8(d->common + C_STATUS);
}

static void pci_set_status(struct vdev *d, uint8_t s)
{
    mmio_write8(d->common + C_STATUS, s);
}

static uint64_t pci_features(struct vdev *d)
{
    mmio_write32(d->common + C_DFSELECT, 0);
    uint64_t lo = mmio_read32(d->common + C_DF);
    mmio_write32(d->common + C_DFSELECT, 1);
    uint64_t hi = mmio_read32(d->common + C_DF);
    return hi << 32 | lo;
}

static void pci_set_features(struct vdev *d, uint64_t f)
{
    mmio_write32(d->common + C_GFSELECT, 0);
    mmio_write32(d->common + C_GF, (uint32_t)f);
    mmio_write32(d->common + C_GFSELECT, 1);
    mmio_write32(d->common + C_GF, (uint32_t)(f >> 32));
}

static uint32_t pci_generation(struct vdev *d)
{
    return mmio_read8(d->common + C_GEN);
}

static uint32_t pci_config(struct vdev *d, uint32_t off, uint32_t len)
{
    if (off > d->devcfg_len || len > d->devcfg_len - off)
        return 0; /* beyond what the device offers */
    uintptr_t a = d->devcfg + off;
    return len == 4   ? mmio_read32(a)
           : len == 2 ? mmio_read16(a)
                      : mmio_read8(a);
}

static uint16_t pci_queue_max(struct vdev *d, uint16_t q)
{
    if (q >= VDEV_QUEUES || q >= mmio_read16(d->common + C_NUMQ))
        return 0;
    mmio_write16(d->common + C_QSELECT, q);
    return mmio_read16(d->common + C_QSIZE);
}

static void write64(uintptr_t a, uint64_t v)
{
    mmio_write32(a, (uint32_t)v);
    mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static int pci_queue_setup(struct vdev *d, uint16_t q, uint16_t size,
                           uint64_t desc, uint64_t avail, uint64_t used)
{
    if (q >= VDEV_QUEUES)
        return -ATOLL_EIO;
    uintptr_t c = d->common;
    mmio_write16(c + C_QSELECT, q);
    if (mmio_read16(c + C_QENABLE))
        return -ATOLL_EIO; /* enabled before we set it up */
    mmio_write16(c + C_QSIZE, size);
    if (d->msix) {
        mmio_write16(c + C_QMSIX, 0);
        if (mmio_read16(c + C_QMSIX) != 0)
            d->interrupts = false; /* no vector: polled */
    }
    write64(c + C_QDESC, desc);
    write64(c + C_QDRIVER, avail);
    write64(c + C_QDEVICE, used);
    uint64_t at = (uint64_t)mmio_read16(c + C_QNOTIFY) * d->notify_mult;
    if (at + 2 > d->notify_len)
        return -ATOLL_EIO;
    d->qnotify[q] = d->notify + (uintptr_t)at;
    mmio_write16(c + C_QENABLE, 1);
    return 0;
}

static void pci_notify(struct vdev *d, uint16_t q)
{
    if (q < VDEV_QUEUES && d->qnotify[q])
        mmio_write16(d->qnotify[q], q);
}

static void pci_ack(struct vdev *d)
{
    /* Reading the ISR status clears it (and a level-triggered INTx would
     * drop); with MSI-X there is nothing to acknowledge. */
    if (!d->msix)
        (void)mmio_read8(d->isr);
}

const struct vtransport vtransport_pci = {
    .name = "pci",
    .device_type = pci_device_type,
    .setup = pci_setup,
    .status = pci_status,
    .set_status = pci_set_status,
    .features = pci_features,
    .set_features = pci_set_features,
    .generation = pci_generation,
    .config = pci_config,
    .queue_max = pci_queue_max,
    .queue_setup = pci_queue_setup,
    .notify = pci_notify,
    .ack = pci_ack,
};
