/*
 * platform/virtio/vdev.c - the guest's virtio devices: where each declared
 * device is (its attachment), finding it, starting it, and giving up on
 * it when it misbehaves.
 *
 * Attachments come from the command line (`atoll run` writes them):
 *
 *     --net:NAME=pci:BB:DD.F     a PCI function (q35), numbers in hex
 *     --block:NAME=mmio:ADDR     a virtio-mmio transport at ADDR (microvm,
 *                                Firecracker); its interrupt line comes
 *                                from the matching virtio_mmio.device=
 *     --net:NAME=auto            the next device of the kind that no other
 *                                attachment names: PCI bus 0 by slot, then
 *                                the virtio_mmio.device= transports in the
 *                                order the command line lists them
 *
 * The device number (platform.h) is the attachment's index, so readiness
 * masks are indexed by it.
 *
 * Starting a device (virtio 1.x, 3.1.1): reset, ACKNOWLEDGE, DRIVER, read
 * the features, accept those the driver wants of them - VIRTIO_F_VERSION_1
 * must be offered: a legacy-only device is refused by name - write them,
 * FEATURES_OK, and check the device kept FEATURES_OK.  The driver sets up
 * its queues, then DRIVER_OK.  Configuration fields are read under the
 * configuration generation, so a field of several reads is one value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/error.h"
#include "atoll/tunables.h"
#include "tunables.h"
#include "virtio_int.h"

enum where { WHERE_PCI, WHERE_MMIO, WHERE_AUTO };

static struct attachment {
    bool used;
    enum where where;
    struct vdev dev;
    bool open;
} att[ATOLL_DEVICES_MAX];
static int natt;

static const char *type_word(uint32_t type)
{
    return type == VIRTIO_ID_NET ? "net" : "block";
}

/* pci:BB:DD.F */
static bool parse_pci(const char *s, struct vdev *d)
{
    char *end;
    unsigned long bus = strtoul(s, &end, 16);
    if (end == s || *end != ':')
        return false;
    s = end + 1;
    unsigned long slot = strtoul(s, &end, 16);
    if (end == s || *end != '.')
        return false;
    s = end + 1;
    unsigned long fn = strtoul(s, &end, 16);
    if (end == s || *end || bus > 255 || slot > 31 || fn > 7)
        return false;
    d->bus = (uint8_t)bus;
    d->slot = (uint8_t)slot;
    d->fn = (uint8_t)fn;
    return true;
}

static bool parse_addr(const char *s, uint64_t *a)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end || v == ~0ULL || v % 0x100)
        return false;
    *a = v;
    return true;
}

int vdev_attach(const char *name, uint32_t type, const char *spec, char *err,
                size_t errlen)
{
    if (natt == ATOLL_DEVICES_MAX) {
        snprintf(err, errlen, "too many devices (at most %d)",
                 ATOLL_DEVICES_MAX);
        return -ATOLL_EINVAL;
    }
    struct attachment *a = &att[natt];
    memset(a, 0, sizeof *a);
    struct vdev *d = &a->dev;
    d->irq = -1;
    if (!strncmp(spec, "pci:", 4) && parse_pci(spec + 4, d)) {
        a->where = WHERE_PCI;
        d->t = &vtransport_pci;
    } else if (!strncmp(spec, "mmio:", 5) && parse_addr(spec + 5, &d->base)) {
        a->where = WHERE_MMIO;
        d->t = &vtransport_mmio;
    } else if (!strcmp(spec, "auto")) {
        a->where = WHERE_AUTO;
    } else {
        snprintf(err, errlen,
                 "'%s' is not a virtio device: expected pci:BB:DD.F, "
                 "mmio:ADDR or auto",
                 spec);
        return -ATOLL_EINVAL;
    }
    if (strlen(name) >= sizeof d->name) {
        snprintf(err, errlen, "device name too long");
        return -ATOLL_EINVAL;
    }
    strcpy(d->name, name);
    d->type = type;
    a->used = true;
    natt++;
    return 0;
}

/* Whether another attachment names (or has claimed) the location of c. */
static bool claimed(const struct attachment *self, const struct vdev *c)
{
    for (int i = 0; i < natt; i++) {
        const struct attachment *o = &att[i];
        if (o == self || (o->where == WHERE_AUTO && !o->open))
            continue;
        if (o->dev.t != c->t)
            continue;
        if (c->t == &vtransport_pci
                ? o->dev.bus == c->bus && o->dev.slot == c->slot &&
                      o->dev.fn == c->fn
                : o->dev.base == c->base)
            return true;
    }
    return false;
}

/* `auto`: the first device of the kind nobody else has. */
static bool find_auto(struct attachment *a)
{
    struct vdev c;
    for (int slot = 0; slot < 32; slot++) {
        memset(&c, 0, sizeof c);
        c.t = &vtransport_pci;
        c.slot = (uint8_t)slot;
        c.irq = -1;
        if (c.t->device_type(&c) == a->dev.type && !claimed(a, &c))
            goto found;
    }
    for (int i = 0; i < virtio_mmio_nslots; i++) {
        memset(&c, 0, sizeof c);
        c.t = &vtransport_mmio;
        c.base = virtio_mmio_slots[i].addr;
        c.irq = -1;
        if (c.t->device_type(&c) == a->dev.type && !claimed(a, &c))
            goto found;
    }
    return false;
found:
    a->dev.t = c.t;
    a->dev.bus = c.bus;
    a->dev.slot = c.slot;
    a->dev.fn = c.fn;
    a->dev.base = c.base;
    return true;
}

int vdev_open(const char *name, uint32_t type, struct vdev **out, char *err,
              size_t errlen)
{
    int i;
    for (i = 0; i < natt; i++)
        if (att[i].dev.type == type && !strcmp(att[i].dev.name, name))
            break;
    if (i == natt)
        return -ATOLL_ENOENT;
    struct attachment *a = &att[i];
    struct vdev *d = &a->dev;
    if (a->open)
        return -ATOLL_EBUSY;
    if (a->where == WHERE_AUTO && !find_auto(a)) {
        snprintf(err, errlen, "no free virtio %s device for '%s' (auto)",
                 type_word(type), name);
        return -ATOLL_ENODEV;
    }
    uint32_t found = d->t->device_type(d);
    if (found != type) {
        if (found == 0)
            snprintf(err, errlen, "no virtio device at the %s location of '%s'",
                     d->t->name, name);
        else
            snprintf(err, errlen,
                     "the virtio device of '%s' is of type %u, not %s", name,
                     (unsigned)found, type_word(type));
        return -ATOLL_ENODEV;
    }
    if (d->t->setup(d) < 0) {
        snprintf(err, errlen, "virtio %s device '%s': %s", type_word(type),
                 name, d->why);
        return -ATOLL_ENODEV;
    }
    a->open = true;
    *out = d;
    return i;
}

/* ---- status and features ----------------------------------------------------
 */

/* Polls of the status after a reset before giving up (PCI devices may
 * take a moment to reset). */
#define RESET_SPINS 1000000

int vdev_start(struct vdev *d, uint64_t wanted, const struct vdev_need *needs,
               int n)
{
    d->t->set_status(d, 0);
    int spins = 0;
    while (d->t->status(d) != 0)
        if (++spins == RESET_SPINS) {
            snprintf(d->why, sizeof d->why, "the device does not reset");
            return -ATOLL_ENODEV;
        }
    d->t->set_status(d, VIRTIO_S_ACK);
    d->t->set_status(d, VIRTIO_S_ACK | VIRTIO_S_DRIVER);
    uint64_t offered = d->t->features(d);
    if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
        snprintf(d->why, sizeof d->why,
                 "a legacy device (no VIRTIO_F_VERSION_1): Atoll speaks "
                 "virtio 1.x only");
        d->t->set_status(d, VIRTIO_S_FAILED);
        return -ATOLL_ENODEV;
    }
    d->features = offered & (wanted | 1ULL << VIRTIO_F_VERSION_1);
    /* Giving one up may leave another without its companion: until
     * nothing changes (at most n rounds). */
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < n; i++)
            if (((d->features >> needs[i].feature) & 1) &&
                (d->features & needs[i].needs) != needs[i].needs) {
                d->features &= ~(1ULL << needs[i].feature);
                changed = true;
            }
    }
    d->t->set_features(d, d->features);
    uint8_t s = VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK;
    d->t->set_status(d, s);
    if (!(d->t->status(d) & VIRTIO_S_FEATURES_OK)) {
        snprintf(d->why, sizeof d->why,
                 "the device did not accept the features");
        d->t->set_status(d, VIRTIO_S_FAILED);
        return -ATOLL_ENODEV;
    }
    return 0;
}

void vdev_ready(struct vdev *d)
{
    if (!d->interrupts)
        virtio_wait_poll_ns = ATOLL_VIRTIO_POLL_NS;
    d->t->set_status(d, VIRTIO_S_ACK | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK |
                            VIRTIO_S_DRIVER_OK);
}

bool vdev_has(const struct vdev *d, unsigned feature)
{
    return (d->features >> feature) & 1;
}

int vdev_config(struct vdev *d, uint32_t off, void *buf, uint32_t len)
{
    uint8_t *p = buf;
    for (int tries = 0; tries < 100; tries++) {
        uint32_t g = d->t->generation(d);
        /* One access of the field's width (1, 2, 4), two for 8 bytes,
         * else byte by byte (a MAC address). */
        uint32_t w = len == 1 || len == 2 || len == 4 ? len : len == 8 ? 4 : 1;
        for (uint32_t i = 0; i < len; i += w) {
            uint32_t v = d->t->config(d, off + i, w);
            memcpy(p + i, &v, w);
        }
        if (d->t->generation(d) == g)
            return 0;
    }
    snprintf(d->why, sizeof d->why,
             "its configuration keeps changing while read");
    return -ATOLL_EIO;
}

void vdev_fail(struct vdev *d, const char *why)
{
    if (d->broken)
        return;
    d->broken = true;
    char msg[256];
    snprintf(msg, sizeof msg,
             "atoll: virtio device '%s' broke the protocol: %s; it is no "
             "longer used\n",
             d->name, why);
    console_write(msg, strlen(msg));
    d->t->set_status(d, d->t->status(d) | VIRTIO_S_FAILED);
}
